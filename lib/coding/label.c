#include <string.h>

#include "coding/label.h"
#include "util/strmap.h"

void
label_encode(struct buf *out, const struct code_scheme *s, const struct code *c, const struct label_origin *o,
    const char *date_time_utc, int checked)
{
	buf_adds(out, checked ? "{\"Checked\": true, \"CodeID\": " : "{\"Checked\": false, \"CodeID\": ");
	json_encode_str(out, c->code_id, strlen(c->code_id));
	buf_adds(out, ", \"DateTimeUTC\": ");
	json_encode_str(out, date_time_utc, strlen(date_time_utc));
	buf_adds(out, ", \"Origin\": {\"Name\": ");
	json_encode_str(out, o->name, strlen(o->name));
	buf_adds(out, ", \"OriginID\": ");
	json_encode_str(out, o->id, strlen(o->id));
	buf_adds(out, ", \"OriginType\": ");
	json_encode_str(out, o->type, strlen(o->type));
	buf_adds(out, "}, \"SchemeID\": ");
	json_encode_str(out, s->scheme_id, strlen(s->scheme_id));
	buf_addc(out, '}');
}

int
label_read(struct json_doc *d, uint32_t obj, struct label_view *l)
{
	uint32_t v;

	memset(l, 0, sizeof *l);
	if (d->nodes[obj].type != JV_OBJECT)
		return -1;
	if ((v = json_get(d, obj, "SchemeID", 8)) && d->nodes[v].type == JV_STRING)
		l->scheme_id = json_str(d, v, &l->scheme_id_len);
	if ((v = json_get(d, obj, "CodeID", 6)) && d->nodes[v].type == JV_STRING)
		l->code_id = json_str(d, v, &l->code_id_len);
	if ((v = json_get(d, obj, "DateTimeUTC", 11)) && d->nodes[v].type == JV_STRING) {
		l->date_time_utc = json_str(d, v, &l->date_time_utc_len);
	}
	if ((v = json_get(d, obj, "Checked", 7))) {
		l->has_checked = 1;
		l->checked = d->nodes[v].type == JV_TRUE;
	}
	return l->scheme_id != NULL && l->code_id != NULL ? 0 : -1;
}

/*
 * Code ids by scheme, for the large schemes (districts, sub-districts: a linear search with strlen per code was
 * a few percent of coda-merge). Built on first use; a hit is checked against the scheme itself, and a miss falls
 * back to the linear search, so a scheme freed and another made at its address can never give a wrong answer.
 */
#define INDEX_MIN_CODES 8

struct code_index {
	const struct code_scheme *s;
	const struct code *codes;
	size_t n;
	struct strmap ids;
};

static struct code_index *code_indexes;
static size_t n_code_indexes;

static struct code_index *
code_index_for(const struct code_scheme *s)
{
	struct code_index *ix = NULL;

	for (size_t i = 0; i < n_code_indexes; i++) {
		if (code_indexes[i].s == s) {
			ix = &code_indexes[i];
			if (ix->codes == s->codes && ix->n == s->n_codes)
				return ix;
			strmap_free(&ix->ids);
			break;
		}
	}
	if (ix == NULL) {
		code_indexes = xrealloc(code_indexes, (n_code_indexes + 1) * sizeof *code_indexes);
		ix = &code_indexes[n_code_indexes++];
	}
	memset(ix, 0, sizeof *ix);
	ix->s = s;
	ix->codes = s->codes;
	ix->n = s->n_codes;
	for (size_t i = 0; i < s->n_codes; i++)
		strmap_put(&ix->ids, s->codes[i].code_id, strlen(s->codes[i].code_id), i, NULL);
	return ix;
}

const struct code *
label_code(const struct code_scheme *s, const struct label_view *l)
{
	if (s->n_codes >= INDEX_MIN_CODES && l->code_id != NULL) {
		const struct strmap_entry *en = strmap_get(&code_index_for(s)->ids, l->code_id, l->code_id_len);
		if (en != NULL && en->value < s->n_codes) {
			const char *c = s->codes[en->value].code_id;
			if (strlen(c) == l->code_id_len && memcmp(c, l->code_id, l->code_id_len) == 0)
				return &s->codes[en->value];
		}
	}
	for (size_t i = 0; i < s->n_codes; i++)
		if (strlen(s->codes[i].code_id) == l->code_id_len &&
		    memcmp(s->codes[i].code_id, l->code_id, l->code_id_len) == 0)
			return &s->codes[i];
	return NULL;
}
