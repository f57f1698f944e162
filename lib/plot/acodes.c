/* acodes: codes of a record and the analysis predicates (see acodes.h). */
#include <stdlib.h>
#include <string.h>

#include "coding/label.h"
#include "plot/acodes.h"
#include "util/buf.h"

static int
add_label(struct acodes *c, struct json_doc *d, uint32_t i, const struct coding_config *cc, struct err *e)
{
	struct label_view l;
	const struct code *code;

	if (d->nodes[i].type != JV_OBJECT)
		return err_set(e, EX_DATAERR, "\"%s\": expected a label (a JSON object with a CodeID)", cc->coded_field);
	label_read(d, i, &l);
	if (l.code_id == NULL)
		return err_set(e, EX_DATAERR, "\"%s\": a label without a CodeID", cc->coded_field);
	if ((code = label_code(cc->code_scheme, &l)) == NULL)
		return err_set(e, EX_DATAERR, "\"%s\": code id '%.*s' is not in code scheme %s (%s)", cc->coded_field,
		    (int)l.code_id_len, l.code_id, cc->code_scheme->scheme_id, cc->code_scheme->path);
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 8;
		c->v = xrealloc(c->v, c->cap * sizeof *c->v);
	}
	c->v[c->n++] = code;
	return 0;
}

int
ac_codes(struct acodes *c, struct td *t, const struct coding_config *cc, struct err *e)
{
	const struct td_val *v = td_get(t, cc->coded_field, strlen(cc->coded_field));
	struct json_doc *d;

	c->n = 0;
	if (v == NULL || v->doc->nodes[v->idx].type == JV_NULL)
		return 0;
	d = v->doc;
	if (d->nodes[v->idx].type != JV_ARRAY)
		return add_label(c, d, v->idx, cc, e);
	for (uint32_t i = v->idx + 1; i < d->nodes[v->idx].next; i = d->nodes[i].next)
		if (add_label(c, d, i, cc, e) == -1)
			return -1;
	return 0;
}

void
ac_free(struct acodes *c)
{
	free(c->v);
	memset(c, 0, sizeof *c);
}

int
ac_withdrew(struct td *t)
{
	size_t n;
	const char *s = td_get_str(t, "consent_withdrawn", strlen("consent_withdrawn"), &n);

	return s != NULL && n == 4 && memcmp(s, "true", 4) == 0;
}

static int
is_control(const struct code *c, const char *cc)
{
	return c->code_type == CODE_CONTROL && c->control_code != NULL && strcmp(c->control_code, cc) == 0;
}

int
ac_responded(const struct acodes *c)
{
	for (size_t i = 0; i < c->n; i++)
		if (is_control(c->v[i], "NA") || is_control(c->v[i], "NS"))
			return 0;
	return c->n > 0;
}

int
ac_labelled(const struct acodes *c)
{
	if (!ac_responded(c))
		return 0;
	for (size_t i = 0; i < c->n; i++)
		if (is_control(c->v[i], "NR"))
			return 0;
	return 1;
}

int
ac_relevant(const struct acodes *c)
{
	if (!ac_labelled(c))
		return 0;
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i]->code_type == CODE_NORMAL)
			return 1;
	return 0;
}

int
ac_has(const struct acodes *c, const struct code *code)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i] == code)
			return 1;
	return 0;
}
