/* coda: Coda V2 messages files (a MessageID → Labels lookup) and CoreDataModules' two imports of their labels into a record. */
#ifndef TD_CODA_H
#define TD_CODA_H

#include <stddef.h>
#include <stdint.h>

#include "coding/label.h"
#include "config/plan.h"
#include "config/scheme.h"
#include "record/json.h"
#include "record/td.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/strmap.h"

/* One message of a messages file. */
struct coda_message {
	const char *id;		/* MessageID, decoded */
	size_t id_len;
	uint32_t labels;	/* node of its Labels array: a history, newest first */
};

/*
 * A messages file, read whole (coredata.md §4.3): the text, its parsed nodes, and a lookup MessageID → the
 * message (coda_load refuses a duplicate MessageID, which the reference's dict would silently replace).
 */
struct coda_file {
	char *path;		/* owned: as given */
	int missing;		/* the file does not exist and the caller allowed that: it reads as "[]" */
	char *text;		/* owned: the file's bytes */
	size_t len;
	struct json_doc doc;
	struct coda_message *messages;	/* in file order */
	size_t n_messages;
	struct strmap ids;	/* MessageID → index into messages */
};

/*
 * Read and validate a messages file as Message.from_firebase_map does (coredata.md §5.3–5.5): a JSON array of
 * objects with a non-empty MessageID and Text, a UTC ISO-8601 CreationDateTimeUTC, and Labels, each with a
 * non-empty SchemeID and CodeID, a UTC DateTimeUTC (ending in Z or +00:00), Checked a bool, Confidence a number
 * in [0, 1], LabelSet an int (each optional, null = absent), and an Origin with non-empty OriginID, Name and
 * OriginType and an optional Metadata of non-empty strings. Checked must be present (null = unchecked):
 * Label.from_firebase_map accepts its absence, but both imports then raise KeyError. MessageIDs must be unique
 * ("path: [2].MessageID: duplicate MessageID 'id' (first at [0])"; the reference's dict keeps the last). Other
 * keys (SequenceNumber, LastUpdated, even a string one, ...) are ignored. A missing file is EX_NOINPUT, or an
 * empty file when missing_ok; a malformed one EX_DATAERR
 * "path: [3].Labels[0].DateTimeUTC: what was expected" (or "path:line:column: invalid JSON: ..."); an
 * unreadable one EX_NOPERM or EX_IOERR. On failure f is empty (coda_free is safe).
 */
int coda_load(struct coda_file *f, const char *path, int missing_ok, struct err *e);
void coda_free(struct coda_file *f);
/*
 * Labels of a loaded file against the schemes imported from it (NULL entries skipped): every label's SchemeID
 * must be one of them or start with one (a duplicated column), and its CodeID must be a code of such a scheme
 * or SPECIAL-MANUALLY_UNCODED. EX_DATAERR "path: [3].Labels[0].SchemeID: unknown SchemeID 'x' ..." or
 * "...CodeID: unknown code id 'x' (not in scheme S, path)". The reference ignores a label of no requested
 * scheme and fails later (KeyError) on an unknown code id; here a run refuses both before writing anything.
 */
int coda_check_schemes(const struct coda_file *f, const struct code_scheme *const *schemes, size_t n,
    struct err *e);

/* The message with this MessageID, or NULL. */
const struct coda_message *coda_find(const struct coda_file *f, const char *id, size_t len);
/*
 * The message's labels that belong to a primary scheme, newest first (file order): those whose SchemeID equals
 * scheme_id or starts with it (duplicated Coda columns are "<id>-1", "<id>-2", ...; the pure prefix rule is the
 * reference's, coredata.md §11 item 15). Iterate: size_t cur = 0; uint32_t l; while (coda_next_label(f, m, id,
 * &cur, &l)) ...; l is a node of f->doc.
 */
int coda_next_label(const struct coda_file *f, const struct coda_message *m, const char *scheme_id, size_t *cursor,
    uint32_t *label);

/*
 * Label.from_dict(l).to_dict(): the label's known keys only (SchemeID, CodeID, DateTimeUTC, Checked,
 * Confidence, LabelSet, Origin {OriginID, Name, OriginType, Metadata}), null ones dropped, keys sorted, values
 * in canonical form. scheme_id, when not NULL, replaces SchemeID (the multi-coded import's normalisation).
 */
void coda_label_encode(struct buf *out, struct json_doc *d, uint32_t label, const char *scheme_id);
/* Label validation, for labels read from records: EX_DATAERR "where: what" if l is not a valid label. */
int coda_label_check(struct json_doc *d, uint32_t label, const char *where, struct err *e);

/* The SHA-256 (hex) of a plan's message-id key: the Coda MessageID of a record (pipeline.md §4.2
 * message_id_fn). -1 with EX_DATAERR if the key is absent or not a string. */
int coda_message_id(struct td *t, const struct coding_plan *plan, char out[65], struct err *e);

/* How an import makes its NR labels, and its scratch space. */
struct coda_import {
	struct label_origin origin;	/* e.g. {"tdtools:coda-merge:import", LABEL_AUTO_CODER_NAME, LABEL_ORIGIN_EXTERNAL} */
	const char *now;		/* their DateTimeUTC (cli_now()) */
	struct buf buf;
};
void coda_import_free(struct coda_import *ci);

/*
 * import_coda_2_to_traced_data_iterable for one record and one coded key (coredata.md §4.4, pipeline.md
 * §5.7.1). Nothing happens unless the record has id_key. The newest label of the message for scheme s becomes
 * the value if it is Checked; with no label the current value stays if it is Checked; otherwise the value is
 * an NR label of s. (coda_load refuses a file's label without Checked; a record's counts as unchecked.) A
 * checked SPECIAL-MANUALLY_UNCODED (Coda never writes one) is a cleared column: NR (the reference keeps it, then
 * aborts on its unknown code id). -1 with EX_DATAERR when the scheme has no NR code.
 */
int coda_import_single(struct coda_import *ci, struct td *t, const struct coda_file *f, const char *id_key,
    const char *coded_key, const struct code_scheme *s, struct err *e);
/*
 * import_coda_2_to_traced_data_iterable_multi_coded (coredata.md §4.5, pipeline.md §5.7.2): per Coda column
 * (exact SchemeID) the newest label wins over the record's current list, cleared columns
 * (SPECIAL-MANUALLY_UNCODED) are dropped, [NR] unless some label is Checked, then SchemeIDs are normalised to
 * s's id and labels deduplicated by CodeID keeping the first. The value is always rewritten.
 * -1 with EX_DATAERR when the current value is not a list of labels of s, or s has no NR code.
 */
int coda_import_multi(struct coda_import *ci, struct td *t, const struct coda_file *f, const char *id_key,
    const char *coded_key, const struct code_scheme *s, struct err *e);
/* One of the two, by coding mode. */
int coda_import(struct coda_import *ci, struct td *t, const struct coda_file *f, const char *id_key,
    const char *coded_key, const struct code_scheme *s, enum coding_mode mode, struct err *e);

/*
 * The same two on values rather than a record, for callers that keep their own state: given the message id
 * (NULL: no such record key, or not a string: no labels) and the coded key's current value (NULL: absent),
 * append the new value's JSON to out and return 1, or return 0 when the value stays as it is.
 */
int coda_single_value(struct buf *out, const struct coda_file *f, const char *message_id, size_t id_len,
    const struct code_scheme *s, const struct td_val *cur, const struct label_origin *o, const char *now,
    struct err *e);
int coda_multi_value(struct buf *out, const struct coda_file *f, const char *message_id, size_t id_len,
    const struct code_scheme *s, const struct td_val *cur, const struct label_origin *o, const char *now,
    struct err *e);

/*
 * The code of scheme s that a label value names by its CodeID. EX_DATAERR naming key when the value is not a
 * label or the code id is not in s (the reference raises KeyError in get_code_with_code_id).
 */
const struct code *coda_label_code(const struct td_val *v, const struct code_scheme *s, const char *key,
    struct err *e);

/* Python truthiness of a JSON value (false, null, 0, 0.0, "", [] and {} are false). */
int coda_truthy(const struct json_doc *d, uint32_t i);

#endif
