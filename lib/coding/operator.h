/* operator: the Somalia operator of a phone number, as the reference's label_somalia_operator (pipeline.md §2.2). */
#ifndef TD_OPERATOR_H
#define TD_OPERATOR_H

#include <stddef.h>

#include "util/buf.h"

/* The SOMALIA_OPERATOR code scheme (code_schemes/somalia_operator.json) the label refers to. */
#define OPERATOR_SCHEME_ID "Scheme-f86cff0b"

/*
 * operator_raw as the reference computes it: the first 5 characters of the normalised phone number for a "tel"
 * URN ("25261"), otherwise the URN type itself ("telegram"). Writes a NUL-terminated string into out
 * (outsz >= 6 + strlen(urn_type)); returns out.
 */
const char *operator_raw(const char *urn_type, size_t tlen, const char *phone, size_t plen, char *out, size_t outsz);

/*
 * PhoneCleaner.clean_operator (CoreDataModules v0.15.2): normalise (digits only, leading zeros stripped), then
 * match the prefixes 251, 254, 25261 … 25290. Returns the operator's match value ("hormud", "somtel", …,
 * "ethiopian telephone", "kenyan telephone") or "NC".
 */
const char *operator_clean(const char *raw, size_t len);

/*
 * The SOMALIA_OPERATOR code id for an operator_clean result: the code whose match value it is, the NC control
 * code for "NC", or NULL when the scheme has no such code (Ethiopian and Kenyan numbers: the reference raises
 * KeyError there).
 */
const char *operator_code_id(const char *op);

/*
 * Append the canonical label {"Checked": false, "CodeID": …, "DateTimeUTC": now, "Origin": {"Name": "Pipeline
 * Auto-Coder", "OriginID": origin_id, "OriginType": "External"}, "SchemeID": "Scheme-f86cff0b"}.
 */
void operator_label(struct buf *out, const char *code_id, const char *origin_id, const char *now);

#endif
