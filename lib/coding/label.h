/* label: Coda V2 labels as the pipeline makes and reads them (CoreDataModules Label, CleaningUtils). */
#ifndef TD_LABEL_H
#define TD_LABEL_H

#include "config/scheme.h"
#include "record/json.h"
#include "util/buf.h"

/* Origin.Name of labels the pipeline makes itself (CleaningUtils.make_label_from_cleaner_code). */
#define LABEL_AUTO_CODER_NAME "Pipeline Auto-Coder"
#define LABEL_ORIGIN_EXTERNAL "External"

/* Coda's special code id: the coder cleared this column. */
#define LABEL_MANUALLY_UNCODED "SPECIAL-MANUALLY_UNCODED"

struct label_origin {
	const char *id;		/* OriginID: the reference's "<file>:<line>:<function>"; ours "tdtools:<tool>:<what>" */
	const char *name;	/* LABEL_AUTO_CODER_NAME for the pipeline's own labels */
	const char *type;	/* LABEL_ORIGIN_EXTERNAL */
};

/*
 * Append the canonical JSON of a label for code c of scheme s:
 * {"Checked": b, "CodeID": …, "DateTimeUTC": …, "Origin": {"Name": …, "OriginID": …, "OriginType": …}, "SchemeID": …}
 * date_time_utc is UTC ISO-8601 ("…+00:00"), normally the tool's clock (cli_now()).
 */
void label_encode(struct buf *out, const struct code_scheme *s, const struct code *c, const struct label_origin *o,
    const char *date_time_utc, int checked);

/* A label's fields read back from a JSON object node (NULL/0 when absent or not of the right type). */
struct label_view {
	const char *scheme_id, *code_id, *date_time_utc;
	size_t scheme_id_len, code_id_len, date_time_utc_len;
	int checked;		/* Checked == true */
	int has_checked;
};
int label_read(struct json_doc *d, uint32_t obj, struct label_view *l);

/* The code a label names, looked up in s by its CodeID (NULL if the scheme has no such code). */
const struct code *label_code(const struct code_scheme *s, const struct label_view *l);

#endif
