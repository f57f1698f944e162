/*
 * SomaliaCodes (cleaners/codes/somalia_codes.py) and SomaliaLocations (cleaners/location_tools/somalia_locations.py)
 * of CoreDataModules v0.15.2, transcribed as static tables. The functions follow the Python control flow
 * step by step, bugs included, because imputed location codes must match the reference's.
 */
#include <string.h>

#include "coding/somalia.h"

const char *const somalia_mogadishu_sub_districts[] = {
	"boondheere", "cabdlcasiis", "daynile", "dharkenley", "hawl wadaag", "heliwa", "hodan", "karaan", "kaxda",
	"shangaani", "shibis", "waaberi", "wadajir", "wardhiigleey", "xamar jaabjab", "xamar weyne", "yaaqshid",
	NULL
};

const char *const somalia_district_to_region[][2] = {
	{ "adan yabaal", "middle shabelle" },
	{ "afgooye", "lower shabelle" },
	{ "afmadow", "lower juba" },
	{ "baardheere", "gedo" },
	{ "badhaadhe", "lower juba" },
	{ "baidoa", "bay" },
	{ "baki", "awdal" },
	{ "balcad", "middle shabelle" },
	{ "bandarbayla", "bari" },
	{ "baraawe", "lower shabelle" },
	{ "belet weyne", "hiraan" },
	{ "belet xaawo", "gedo" },
	{ "berbera", "woqooyi galbeed" },
	{ "borama", "awdal" },
	{ "bossaso", "bari" },
	{ "bu'aale", "middle juba" },
	{ "bulo burto", "hiraan" },
	{ "burco", "togdheer" },
	{ "burtinle", "nugaal" },
	{ "buuhoodle", "togdheer" },
	{ "buur hakaba", "bay" },
	{ "cabudwaaq", "galgaduud" },
	{ "cadaado", "galgaduud" },
	{ "cadale", "middle shabelle" },
	{ "caluula", "bari" },
	{ "caynabo", "sool" },
	{ "ceel afweyn", "sanaag" },
	{ "ceel barde", "bakool" },
	{ "ceel buur", "galgaduud" },
	{ "ceel dheer", "galgaduud" },
	{ "ceel waaq", "gedo" },
	{ "ceerigaabo", "sanaag" },
	{ "dhuusamarreeb", "galgaduud" },
	{ "diinsoor", "bay" },
	{ "doolow", "gedo" },
	{ "eyl", "nugaal" },
	{ "gaalkacyo", "mudug" },
	{ "galdogob", "mudug" },
	{ "garbahaarey", "gedo" },
	{ "garowe", "nugaal" },
	{ "gebiley", "woqooyi galbeed" },
	{ "hargeysa", "woqooyi galbeed" },
	{ "hobyo", "mudug" },
	{ "iskushuban", "bari" },
	{ "jalalaqsi", "hiraan" },
	{ "jamaame", "lower juba" },
	{ "jariiban", "mudug" },
	{ "jilib", "middle juba" },
	{ "jowhar", "middle shabelle" },
	{ "kismayo", "lower juba" },
	{ "kurtunwaarey", "lower shabelle" },
	{ "laas caanood", "sool" },
	{ "lasqooray", "sanaag" },
	{ "lughaye", "awdal" },
	{ "luuq", "gedo" },
	{ "marka", "lower shabelle" },
	{ "mogadishu", "banadir" },
	{ "owdweyne", "togdheer" },
	{ "qandala", "bari" },
	{ "qansax dheere", "bay" },
	{ "qardho", "bari" },
	{ "qoryooley", "lower shabelle" },
	{ "rab dhuure", "bakool" },
	{ "saakow", "middle juba" },
	{ "sablaale", "lower shabelle" },
	{ "sheikh", "togdheer" },
	{ "taleex", "sool" },
	{ "tayeeglow", "bakool" },
	{ "waajid", "bakool" },
	{ "wanla weyn", "lower shabelle" },
	{ "xarardheere", "mudug" },
	{ "xudun", "sool" },
	{ "xudur", "bakool" },
	{ "zeylac", "awdal" },
	{ NULL, NULL }
};

/* Alternative district names and their canonical names. */
const char *const somalia_canonical_district[][2] = {
	{ "badhan", "jariiban" },
	{ "bulo marer", "marka" },
	{ "buaale", "bu'aale" },
	{ "guriceel", "dhuusamarreeb" },
	{ "mahaday", "jowhar" },
	{ "matabaan", "belet weyne" },
	{ "warsheikh", "balcad" },
	{ NULL, NULL }
};

const char *const somalia_region_to_state[][2] = {
	{ "awdal", "somaliland" },
	{ "bakool", "south west state" },
	{ "banadir", "banadir" },
	{ "bari", "puntland" },
	{ "bay", "south west state" },
	{ "galgaduud", "galmudug" },
	{ "gedo", "jubbaland" },
	{ "hiraan", "hir-shabelle" },
	{ "lower juba", "jubbaland" },
	{ "lower shabelle", "south west state" },
	{ "middle juba", "jubbaland" },
	{ "middle shabelle", "hir-shabelle" },
	{ "mudug", "galmudug" },
	{ "nugaal", "puntland" },
	{ "sanaag", "somaliland" },
	{ "sool", "somaliland" },
	{ "togdheer", "somaliland" },
	{ "woqooyi galbeed", "somaliland" },
	{ NULL, NULL }
};

const char *const somalia_state_to_zone[][2] = {
	{ "banadir", "scz" },
	{ "galmudug", "scz" },
	{ "hir-shabelle", "scz" },
	{ "jubbaland", "scz" },
	{ "puntland", "nez" },
	{ "somaliland", "nwz" },
	{ "south west state", "scz" },
	{ NULL, NULL }
};

const char *const somalia_zones[] = { "nez", "nwz", "scz", NULL };

const char *const somalia_operators[] = { "golis", "hormud", "nationlink", "somnet", "somtel", "telesom", NULL };

const char *const somalia_operator_to_zone[][2] = {
	{ "golis", "nez" },
	{ "hormud", "scz" },
	{ "telesom", "nwz" },
	{ NULL, NULL }
};

static int
in_list(const char *const *list, const char *s)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

/* The value for key in a pair table, or NULL. */
static const char *
lookup(const char *const (*map)[2], const char *key)
{
	for (; (*map)[0] != NULL; map++)
		if (strcmp((*map)[0], key) == 0)
			return (*map)[1];
	return NULL;
}

/* SomaliaCodes.DISTRICTS: the region map's keys plus the alternative names. */
static int
is_district(const char *s)
{
	return lookup(somalia_district_to_region, s) != NULL || lookup(somalia_canonical_district, s) != NULL;
}

static int
is_region(const char *s)
{
	return lookup(somalia_region_to_state, s) != NULL;
}

static int
is_state(const char *s)
{
	return lookup(somalia_state_to_zone, s) != NULL;
}

static int
is_nc(const char *s)
{
	return strcmp(s, SOMALIA_NC) == 0;
}

const char *
somalia_mogadishu_sub_district(const char *loc)
{
	return in_list(somalia_mogadishu_sub_districts, loc) ? loc : SOMALIA_NC;
}

const char *
somalia_district(const char *loc)
{
	const char *canonical;

	if (!is_nc(somalia_mogadishu_sub_district(loc)))
		return "mogadishu";
	if ((canonical = lookup(somalia_canonical_district, loc)) != NULL)
		loc = canonical;
	return is_district(loc) ? loc : SOMALIA_NC;
}

const char *
somalia_region(const char *loc)
{
	const char *district = somalia_district(loc), *region;

	if (!is_nc(district))
		loc = district;
	/* An alternative name never gets here with district NC, so the region map always has the key. */
	if (is_district(loc) && (region = lookup(somalia_district_to_region, loc)) != NULL)
		return region;
	return is_region(loc) ? loc : SOMALIA_NC;
}

const char *
somalia_state(const char *loc)
{
	const char *region = somalia_region(loc), *state;

	if (!is_nc(region))
		loc = region;
	if ((state = lookup(somalia_region_to_state, loc)) != NULL)
		return state;
	return is_state(loc) ? loc : SOMALIA_NC;
}

const char *
somalia_zone(const char *loc)
{
	const char *state = somalia_state(loc), *zone;

	/* v0.15.2 tests the input, not the state: any input but "NC" is replaced by its (possibly NC) state. */
	if (!is_nc(loc))
		loc = state;
	if ((zone = lookup(somalia_state_to_zone, loc)) != NULL)
		return zone;
	return in_list(somalia_zones, loc) ? loc : SOMALIA_NC;
}

const char *
somalia_zone_for_operator(const char *op)
{
	const char *zone = lookup(somalia_operator_to_zone, op);

	return zone != NULL ? zone : SOMALIA_NC;
}

int
somalia_is_location(const char *s)
{
	return in_list(somalia_mogadishu_sub_districts, s) || is_district(s) || is_region(s) || is_state(s)
	    || in_list(somalia_zones, s);
}
