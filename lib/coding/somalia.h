/* somalia: CoreDataModules' SomaliaCodes tables and SomaliaLocations hierarchy (v0.15.2), for location imputation. */
#ifndef TD_SOMALIA_H
#define TD_SOMALIA_H

#include <stddef.h>

/* Codes.NOT_CODED: what every lookup returns when the location is not in its table. */
#define SOMALIA_NC "NC"

/* The tables, in the order of somalia_codes.py (each list is NULL-terminated). */
extern const char *const somalia_mogadishu_sub_districts[];
extern const char *const somalia_zones[];
extern const char *const somalia_operators[];
/* Pairs {from, to}, terminated by {NULL, NULL}. */
extern const char *const somalia_district_to_region[][2];
extern const char *const somalia_canonical_district[][2];
extern const char *const somalia_region_to_state[][2];
extern const char *const somalia_state_to_zone[][2];
extern const char *const somalia_operator_to_zone[][2];

/*
 * SomaliaLocations.<x>_for_location_code: the sub-district, district, region, state or zone a location code
 * (a lower-case match value such as "hodan", "matabaan", "bay") belongs to, or SOMALIA_NC. The result is
 * either a table string or loc itself.
 * somalia_zone keeps v0.15.2's bug (somalia_locations.py: `if location_code != NC` where `state` was meant):
 * a zone passed in directly gives NC, as does anything whose state is NC.
 */
const char *somalia_mogadishu_sub_district(const char *loc);
const char *somalia_district(const char *loc);
const char *somalia_region(const char *loc);
const char *somalia_state(const char *loc);
const char *somalia_zone(const char *loc);
/* OPERATOR_TO_ZONE_MAP.get(operator, NC). */
const char *somalia_zone_for_operator(const char *op);
/* SomaliaLocations.is_location_code. */
int somalia_is_location(const char *s);

#endif
