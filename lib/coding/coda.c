/*
 * Coda V2 messages files and the two label imports of CoreDataModules v0.15.2 (traced_data/io.py:181-374),
 * applied to one record at a time. The reference appends one history entry per imported label; a tool here
 * records only the end state of each key, which is what every later step reads.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "coding/coda.h"
#include "record/sha.h"
#include "util/isotime.h"

/* ---- reading a messages file ---- */

static int
read_whole(const char *path, char **text, size_t *len, int *missing, struct err *e)
{
	struct stat st;
	size_t cap = 1 << 16, n = 0;
	char *p;
	int fd;

	*missing = 0;
	if ((fd = open(path, O_RDONLY)) == -1) {
		if (errno == ENOENT) {
			*missing = 1;
			return err_set(e, EX_NOINPUT, "%s: no such file", path);
		}
		return err_set(e, errno == EACCES ? EX_NOPERM : EX_NOINPUT, "%s: %s", path, strerror(errno));
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return err_set(e, EX_NOINPUT, "%s: is a directory (expected a Coda messages file)", path);
	}
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
		cap = (size_t)st.st_size + 1;
	p = xmalloc(cap);
	for (;;) {
		ssize_t r;
		if (n == cap) {
			cap *= 2;
			p = xrealloc(p, cap);
		}
		r = read(fd, p + n, cap - n);
		if (r == 0)
			break;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int saved = errno;
			free(p);
			close(fd);
			return err_set(e, EX_IOERR, "%s: read error: %s", path, strerror(saved));
		}
		n += (size_t)r;
	}
	close(fd);
	*text = p;
	*len = n;
	return 0;
}

/* "invalid JSON at column N" of the scanner → "path:line:column: invalid JSON: ...". */
static int
json_error(struct err *e, const char *path, const char *text, size_t len)
{
	const char *at = strstr(e->msg, "at column ");
	char what[sizeof e->msg];
	size_t off, line = 1, col = 1;

	if (at == NULL)
		return err_prefix(e, "%s", path);
	off = strtoul(at + 10, NULL, 10);
	const char *colon = strchr(at, ':');
	snprintf(what, sizeof what, "%s", colon != NULL ? colon + 2 : e->msg);
	for (size_t i = 0; i + 1 < off && i < len; i++) {
		if (text[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	return err_set(e, EX_DATAERR, "%s:%zu:%zu: invalid JSON: %s", path, line, col, what);
}

static int
is_type(const struct json_doc *d, uint32_t i, enum json_type t)
{
	return i != 0 && d->nodes[i].type == t;
}

static int
is_null_or_absent(const struct json_doc *d, uint32_t i)
{
	return i == 0 || d->nodes[i].type == JV_NULL;
}

static int
nonempty_string(const struct json_doc *d, uint32_t i)
{
	return is_type(d, i, JV_STRING) && d->nodes[i].len > 0;
}

/* validate_utc_iso_string: ISO-8601 (dateutil isoparse syntax here) and textually ending in Z or +00:00. */
static int
utc_iso_string(struct json_doc *d, uint32_t i)
{
	struct isotime t;
	struct err ignored;
	size_t n;
	const char *s;

	if (!nonempty_string(d, i))
		return 0;
	s = json_str(d, i, &n);
	if (iso_parse(s, n, &t, &ignored) == -1)
		return 0;
	return (n >= 1 && s[n - 1] == 'Z') || (n >= 6 && memcmp(s + n - 6, "+00:00", 6) == 0);
}

static int
bad(struct err *e, const char *where, const char *key, const char *what)
{
	return err_set(e, EX_DATAERR, "%s%s%s: %s", where, *key ? "." : "", key, what);
}

static int
check_string(struct json_doc *d, uint32_t obj, const char *key, const char *where, struct err *e)
{
	uint32_t v = json_get(d, obj, key, strlen(key));

	if (v == 0)
		return bad(e, where, key, "missing (expected a non-empty string)");
	if (!nonempty_string(d, v))
		return bad(e, where, key, "expected a non-empty string");
	return 0;
}

static int
check_utc(struct json_doc *d, uint32_t obj, const char *key, const char *where, struct err *e)
{
	uint32_t v = json_get(d, obj, key, strlen(key));

	if (v == 0)
		return bad(e, where, key, "missing (expected a UTC ISO-8601 date-time)");
	if (!utc_iso_string(d, v))
		return bad(e, where, key, "expected an ISO-8601 date-time ending in Z or +00:00");
	return 0;
}

static int
number_value(const struct json_doc *d, uint32_t i, double *out)
{
	const struct json_node *n = &d->nodes[i];
	char tmp[64];

	switch (n->type) {
	case JV_TRUE:
		*out = 1;
		return 1;
	case JV_FALSE:
		*out = 0;
		return 1;
	case JV_INT:
	case JV_FLOAT:
		if (n->len >= sizeof tmp)
			return 0;
		memcpy(tmp, n->p, n->len);
		tmp[n->len] = '\0';
		*out = strtod(tmp, NULL);
		return 1;
	default:
		return 0;
	}
}

int
coda_label_check(struct json_doc *d, uint32_t l, const char *where, struct err *e)
{
	char sub[512];
	uint32_t v, origin, md;
	double x;

	if (d->nodes[l].type != JV_OBJECT)
		return bad(e, where, "", "expected a label (a JSON object)");
	if (check_string(d, l, "SchemeID", where, e) == -1 || check_string(d, l, "CodeID", where, e) == -1
	    || check_utc(d, l, "DateTimeUTC", where, e) == -1)
		return -1;
	v = json_get(d, l, "Checked", 7);
	if (!is_null_or_absent(d, v) && !is_type(d, v, JV_TRUE) && !is_type(d, v, JV_FALSE))
		return bad(e, where, "Checked", "expected true or false");
	v = json_get(d, l, "Confidence", 10);
	if (!is_null_or_absent(d, v) && (!number_value(d, v, &x) || !(x >= 0 && x <= 1)))
		return bad(e, where, "Confidence", "expected a number from 0 to 1");
	v = json_get(d, l, "LabelSet", 8);
	if (!is_null_or_absent(d, v) && !is_type(d, v, JV_INT) && !is_type(d, v, JV_TRUE) && !is_type(d, v, JV_FALSE))
		return bad(e, where, "LabelSet", "expected an integer");
	origin = json_get(d, l, "Origin", 6);
	if (origin == 0)
		return bad(e, where, "Origin", "missing (expected an object)");
	snprintf(sub, sizeof sub, "%s.Origin", where);
	if (!is_type(d, origin, JV_OBJECT))
		return bad(e, sub, "", "expected an object");
	if (check_string(d, origin, "OriginID", sub, e) == -1 || check_string(d, origin, "Name", sub, e) == -1
	    || check_string(d, origin, "OriginType", sub, e) == -1)
		return -1;
	md = json_get(d, origin, "Metadata", 8);
	if (!is_null_or_absent(d, md)) {
		if (!is_type(d, md, JV_OBJECT))
			return bad(e, sub, "Metadata", "expected an object of strings");
		for (uint32_t k = md + 1; k < d->nodes[md].next; k = d->nodes[k + 1].next) {
			if (d->nodes[k].len == 0 || !nonempty_string(d, k + 1))
				return bad(e, sub, "Metadata", "expected non-empty string keys and values");
		}
	}
	return 0;
}

static int
check_message(struct json_doc *d, uint32_t m, size_t index, const char *path, struct err *e)
{
	char where[512], lw[600];
	uint32_t labels;
	size_t j = 0;

	snprintf(where, sizeof where, "%s: [%zu]", path, index);
	if (d->nodes[m].type != JV_OBJECT)
		return bad(e, where, "", "expected a message (a JSON object)");
	if (check_string(d, m, "MessageID", where, e) == -1 || check_string(d, m, "Text", where, e) == -1
	    || check_utc(d, m, "CreationDateTimeUTC", where, e) == -1)
		return -1;
	labels = json_get(d, m, "Labels", 6);
	if (labels == 0)
		return bad(e, where, "Labels", "missing (expected a list of labels)");
	if (!is_type(d, labels, JV_ARRAY))
		return bad(e, where, "Labels", "expected a list of labels");
	for (uint32_t l = labels + 1; l < d->nodes[labels].next; l = d->nodes[l].next, j++) {
		snprintf(lw, sizeof lw, "%s.Labels[%zu]", where, j);
		if (coda_label_check(d, l, lw, e) == -1)
			return -1;
		/*
		 * Label.from_firebase_map reads Checked with .get(), but both imports then index label["Checked"] and
		 * raise KeyError (coredata.md §4.4-4.5); the file is refused here, before any record is written.
		 */
		if (json_get(d, l, "Checked", 7) == 0)
			return bad(e, lw, "Checked", "missing (expected true or false)");
	}
	return 0;
}

void
coda_free(struct coda_file *f)
{
	free(f->path);
	free(f->text);
	json_free(&f->doc);
	free(f->messages);
	strmap_free(&f->ids);
	memset(f, 0, sizeof *f);
}

int
coda_load(struct coda_file *f, const char *path, int missing_ok, struct err *e)
{
	uint32_t root;
	int missing;

	memset(f, 0, sizeof *f);
	if (read_whole(path, &f->text, &f->len, &missing, e) == -1) {
		if (!(missing && missing_ok))
			return -1;
		f->missing = 1;
		f->text = xstrdup("[]");
		f->len = 2;
	}
	f->path = xstrdup(path);
	if (json_parse(&f->doc, f->text, f->len, &root, e) == -1) {
		json_error(e, path, f->text, f->len);
		coda_free(f);
		return -1;
	}
	if (f->doc.nodes[root].type != JV_ARRAY) {
		err_set(e, EX_DATAERR, "%s: expected a JSON array of Coda messages", path);
		coda_free(f);
		return -1;
	}
	f->messages = xcalloc(f->doc.nodes[root].count + 1, sizeof *f->messages);
	for (uint32_t m = root + 1; m < f->doc.nodes[root].next; m = f->doc.nodes[m].next) {
		struct coda_message *cm = &f->messages[f->n_messages];
		if (check_message(&f->doc, m, f->n_messages, path, e) == -1) {
			coda_free(f);
			return -1;
		}
		struct strmap_entry *en;
		int created;
		cm->id = json_str(&f->doc, json_get(&f->doc, m, "MessageID", 9), &cm->id_len);
		cm->labels = json_get(&f->doc, m, "Labels", 6);
		en = strmap_put(&f->ids, cm->id, cm->id_len, f->n_messages, &created);
		if (!created) {
			/* The reference's dict would keep the last silently; Coda never writes two. */
			err_set(e, EX_DATAERR, "%s: [%zu].MessageID: duplicate MessageID '%.*s' (first at [%zu])", path,
			    f->n_messages, (int)(cm->id_len > 200 ? 200 : cm->id_len), cm->id, (size_t)en->value);
			coda_free(f);
			return -1;
		}
		f->n_messages++;
	}
	return 0;
}

static const char *str_member(struct json_doc *d, uint32_t obj, const char *key, size_t *len);
static int has_prefix(const char *s, size_t n, const char *prefix);

int
coda_check_schemes(const struct coda_file *f, const struct code_scheme *const *schemes, size_t n, struct err *e)
{
	struct json_doc *d = (struct json_doc *)&f->doc;

	for (size_t i = 0; i < f->n_messages; i++) {
		const struct coda_message *m = &f->messages[i];
		size_t j = 0;
		for (uint32_t l = m->labels + 1; l < d->nodes[m->labels].next; l = d->nodes[l].next, j++) {
			size_t sn, cn;
			const char *sid = str_member(d, l, "SchemeID", &sn);
			const char *cid = str_member(d, l, "CodeID", &cn);
			const struct code_scheme *first = NULL;
			int known = 0;
			char *code_id;
			for (size_t k = 0; k < n && !known; k++) {
				if (schemes[k] == NULL || !has_prefix(sid, sn, schemes[k]->scheme_id))
					continue;
				if (first == NULL)
					first = schemes[k];
				code_id = xmalloc(cn + 1);
				memcpy(code_id, cid, cn);
				code_id[cn] = '\0';
				known = scheme_code_by_id(schemes[k], code_id) != NULL
				    || strcmp(code_id, LABEL_MANUALLY_UNCODED) == 0;
				free(code_id);
			}
			if (first == NULL)
				return err_set(e, EX_DATAERR, "%s: [%zu].Labels[%zu].SchemeID: unknown SchemeID '%.*s' "
				    "(no scheme imported from this file has it or is a prefix of it)", f->path, i, j,
				    (int)(sn > 200 ? 200 : sn), sid);
			if (!known)
				return err_set(e, EX_DATAERR, "%s: [%zu].Labels[%zu].CodeID: unknown code id '%.*s' "
				    "(not in scheme %s, %s)", f->path, i, j, (int)(cn > 200 ? 200 : cn), cid,
				    first->scheme_id, first->path);
		}
	}
	return 0;
}

const struct coda_message *
coda_find(const struct coda_file *f, const char *id, size_t len)
{
	const struct strmap_entry *en = strmap_get(&f->ids, id, len);

	return en != NULL ? &f->messages[en->value] : NULL;
}

static const char *
str_member(struct json_doc *d, uint32_t obj, const char *key, size_t *len)
{
	uint32_t v = json_get(d, obj, key, strlen(key));

	if (!is_type(d, v, JV_STRING)) {
		*len = 0;
		return NULL;
	}
	return json_str(d, v, len);
}

static int
has_prefix(const char *s, size_t n, const char *prefix)
{
	size_t pn = strlen(prefix);

	return n >= pn && memcmp(s, prefix, pn) == 0;
}

int
coda_next_label(const struct coda_file *f, const struct coda_message *m, const char *scheme_id, size_t *cursor,
    uint32_t *label)
{
	struct json_doc *d = (struct json_doc *)&f->doc;
	uint32_t l = *cursor ? (uint32_t)*cursor : m->labels + 1;

	for (; l < d->nodes[m->labels].next; l = d->nodes[l].next) {
		size_t n;
		const char *sid = str_member(d, l, "SchemeID", &n);
		if (sid != NULL && has_prefix(sid, n, scheme_id)) {
			*label = l;
			*cursor = d->nodes[l].next;
			return 1;
		}
	}
	*cursor = l;
	return 0;
}

/* ---- labels ---- */

static void
encode_key(struct buf *out, const char *key, int *first)
{
	if (!*first)
		buf_adds(out, ", ");
	*first = 0;
	json_encode_str(out, key, strlen(key));
	buf_adds(out, ": ");
}

/* Copy member key of obj if present and not null. */
static void
copy_member(struct buf *out, struct json_doc *d, uint32_t obj, const char *key, int *first)
{
	uint32_t v = json_get(d, obj, key, strlen(key));

	if (is_null_or_absent(d, v))
		return;
	encode_key(out, key, first);
	json_encode(out, d, v, 0);
}

void
coda_label_encode(struct buf *out, struct json_doc *d, uint32_t l, const char *scheme_id)
{
	uint32_t origin = json_get(d, l, "Origin", 6);
	int first = 1, ofirst = 1;

	/* Keys in sorted order, as the canonical encoder writes them. */
	buf_addc(out, '{');
	copy_member(out, d, l, "Checked", &first);
	copy_member(out, d, l, "CodeID", &first);
	copy_member(out, d, l, "Confidence", &first);
	copy_member(out, d, l, "DateTimeUTC", &first);
	copy_member(out, d, l, "LabelSet", &first);
	if (origin != 0 && d->nodes[origin].type == JV_OBJECT) {
		encode_key(out, "Origin", &first);
		buf_addc(out, '{');
		copy_member(out, d, origin, "Metadata", &ofirst);
		copy_member(out, d, origin, "Name", &ofirst);
		copy_member(out, d, origin, "OriginID", &ofirst);
		copy_member(out, d, origin, "OriginType", &ofirst);
		buf_addc(out, '}');
	}
	if (scheme_id != NULL) {
		encode_key(out, "SchemeID", &first);
		json_encode_str(out, scheme_id, strlen(scheme_id));
	} else {
		copy_member(out, d, l, "SchemeID", &first);
	}
	buf_addc(out, '}');
}

int
coda_truthy(const struct json_doc *d, uint32_t i)
{
	const struct json_node *n = &d->nodes[i];

	switch (n->type) {
	case JV_NULL:
	case JV_FALSE:
		return 0;
	case JV_TRUE:
		return 1;
	case JV_INT:
	case JV_FLOAT: {
		double x;
		number_value(d, i, &x);
		return x != 0;	/* NaN is truthy, as in Python */
	}
	case JV_STRING:
		return n->len > 0;
	default:
		return n->count > 0;
	}
}

/* label["Checked"] is truthy (a missing key counts as false; the reference raises KeyError). */
static int
label_checked(struct json_doc *d, uint32_t l)
{
	uint32_t v;

	if (d->nodes[l].type != JV_OBJECT)
		return 0;
	v = json_get(d, l, "Checked", 7);
	return v != 0 && coda_truthy(d, v);
}

static int
label_is_uncoded(struct json_doc *d, uint32_t l)
{
	size_t n;
	const char *code_id = str_member(d, l, "CodeID", &n);

	return code_id != NULL && n == strlen(LABEL_MANUALLY_UNCODED) && memcmp(code_id, LABEL_MANUALLY_UNCODED, n) == 0;
}

static int
nr_label(struct buf *out, const struct code_scheme *s, const struct label_origin *o, const char *now,
    struct err *e)
{
	const struct code *nr = scheme_code_by_control(s, "NR");

	if (nr == NULL)
		return err_set(e, EX_DATAERR, "code scheme %s (%s) has no NR control code", s->scheme_id, s->path);
	label_encode(out, s, nr, o, now, 0);
	return 0;
}

int
coda_single_value(struct buf *out, const struct coda_file *f, const char *message_id, size_t id_len,
    const struct code_scheme *s, const struct td_val *cur, const struct label_origin *o, const char *now,
    struct err *e)
{
	const struct coda_message *m = message_id != NULL ? coda_find(f, message_id, id_len) : NULL;
	size_t cursor = 0;
	uint32_t newest;

	if (m != NULL && coda_next_label(f, m, s->scheme_id, &cursor, &newest)) {
		/*
		 * The newest label is the value if it is Checked. A checked SPECIAL-MANUALLY_UNCODED (which Coda never
		 * writes) would abort the reference later on an unknown code id; here a cleared column is NR.
		 */
		if (label_checked((struct json_doc *)&f->doc, newest) && !label_is_uncoded((struct json_doc *)&f->doc, newest)) {
			coda_label_encode(out, (struct json_doc *)&f->doc, newest, NULL);
			return 1;
		}
	} else if (cur != NULL && label_checked(cur->doc, cur->idx)) {
		return 0;
	}
	if (nr_label(out, s, o, now, e) == -1)
		return -1;
	return 1;
}

/* One column of the multi-coded import: its exact SchemeID and its label. */
struct column {
	const char *scheme_id;
	size_t len;
	struct json_doc *doc;
	uint32_t label;
};

static void
column_put(struct column **cols, size_t *n, size_t *cap, struct json_doc *d, uint32_t l)
{
	size_t len;
	const char *sid = str_member(d, l, "SchemeID", &len);

	for (size_t i = 0; i < *n; i++) {
		if ((*cols)[i].len == len && memcmp((*cols)[i].scheme_id, sid, len) == 0) {
			/* A dict keeps a key's first position when its value is replaced. */
			(*cols)[i].doc = d;
			(*cols)[i].label = l;
			return;
		}
	}
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		*cols = xrealloc(*cols, *cap * sizeof **cols);
	}
	(*cols)[(*n)++] = (struct column){ sid, len, d, l };
}

int
coda_multi_value(struct buf *out, const struct coda_file *f, const char *message_id, size_t id_len,
    const struct code_scheme *s, const struct td_val *cur, const struct label_origin *o, const char *now,
    struct err *e)
{
	const struct coda_message *m = message_id != NULL ? coda_find(f, message_id, id_len) : NULL;
	struct json_doc *fd = (struct json_doc *)&f->doc;
	struct column *cols = NULL, *list;
	uint32_t *coda = NULL;
	size_t ncols = 0, capcols = 0, ncoda = 0, capcoda = 0, nlist, cursor = 0;
	int rewritten = 0, any_checked = 0, rc = -1;
	uint32_t l;
	char where[256];

	/* The record's current list (absent or null: none); every element must be a label. */
	if (cur != NULL && cur->doc->nodes[cur->idx].type != JV_NULL) {
		struct json_doc *d = cur->doc;
		size_t j = 0;
		if (d->nodes[cur->idx].type != JV_ARRAY) {
			err_set(e, EX_DATAERR, "expected a list of labels of %s", s->scheme_id);
			goto out;
		}
		for (l = cur->idx + 1; l < d->nodes[cur->idx].next; l = d->nodes[l].next, j++) {
			snprintf(where, sizeof where, "[%zu]", j);
			if (coda_label_check(d, l, where, e) == -1)
				goto out;
			column_put(&cols, &ncols, &capcols, d, l);
		}
	}
	/* Coda's labels oldest first: per column the newest one wins. */
	if (m != NULL) {
		while (coda_next_label(f, m, s->scheme_id, &cursor, &l)) {
			if (ncoda == capcoda) {
				capcoda = capcoda ? capcoda * 2 : 8;
				coda = xrealloc(coda, capcoda * sizeof *coda);
			}
			coda[ncoda++] = l;
		}
	}
	for (size_t i = ncoda; i-- > 0;) {
		column_put(&cols, &ncols, &capcols, fd, coda[i]);
		rewritten = 1;
	}
	/* Cleared columns go. */
	for (size_t i = 0; i < ncols;) {
		if (label_is_uncoded(cols[i].doc, cols[i].label)) {
			memmove(&cols[i], &cols[i + 1], (ncols - i - 1) * sizeof *cols);
			ncols--;
			rewritten = 1;
		} else {
			i++;
		}
	}
	/*
	 * Without a Coda label or a cleared column the reference never rewrote the value: the checks below then
	 * see the record's own list, duplicate SchemeIDs included.
	 */
	if (rewritten) {
		list = cols;
		nlist = ncols;
	} else {
		struct json_doc *d = cur != NULL ? cur->doc : NULL;
		list = NULL;
		nlist = 0;
		if (d != NULL && d->nodes[cur->idx].type == JV_ARRAY) {
			list = xcalloc(d->nodes[cur->idx].count + 1, sizeof *list);
			for (l = cur->idx + 1; l < d->nodes[cur->idx].next; l = d->nodes[l].next)
				list[nlist++] = (struct column){ NULL, 0, d, l };
		}
		free(cols);
		cols = list;
	}
	for (size_t i = 0; i < nlist; i++)
		any_checked |= label_checked(list[i].doc, list[i].label);
	buf_addc(out, '[');
	if (!any_checked) {
		if (nr_label(out, s, o, now, e) == -1)
			goto out;
	} else {
		/* Normalise the SchemeIDs to the primary scheme, then keep the first label of each CodeID. */
		size_t written = 0;
		for (size_t i = 0; i < nlist; i++) {
			size_t n, cn;
			const char *sid = str_member(list[i].doc, list[i].label, "SchemeID", &n);
			const char *code_id = str_member(list[i].doc, list[i].label, "CodeID", &cn);
			int seen = 0;
			if (!has_prefix(sid, n, s->scheme_id)) {
				err_set(e, EX_DATAERR, "label of scheme '%.*s' in a list of %s labels", (int)n, sid,
				    s->scheme_id);
				goto out;
			}
			for (size_t k = 0; k < i && !seen; k++) {
				size_t kn;
				const char *kid = str_member(list[k].doc, list[k].label, "CodeID", &kn);
				seen = kn == cn && memcmp(kid, code_id, cn) == 0;
			}
			if (seen)
				continue;
			if (written++)
				buf_adds(out, ", ");
			coda_label_encode(out, list[i].doc, list[i].label, s->scheme_id);
		}
	}
	buf_addc(out, ']');
	rc = 1;
out:
	free(cols);
	free(coda);
	return rc;
}

/* ---- on records ---- */

const struct code *
coda_label_code(const struct td_val *v, const struct code_scheme *s, const char *key, struct err *e)
{
	struct label_view lv;
	const struct code *c;

	if (label_read(v->doc, v->idx, &lv) == -1) {
		err_set(e, EX_DATAERR, "\"%s\": expected a label with a SchemeID and a CodeID", key);
		return NULL;
	}
	if ((c = label_code(s, &lv)) == NULL)
		err_set(e, EX_DATAERR, "\"%s\": unknown code id '%.*s' (not in scheme %s, %s)", key,
		    (int)lv.code_id_len, lv.code_id, s->scheme_id, s->path);
	return c;
}

void
coda_import_free(struct coda_import *ci)
{
	buf_free(&ci->buf);
}

static int
import(struct coda_import *ci, struct td *t, const struct coda_file *f, const char *id_key, const char *coded_key,
    const struct code_scheme *s, int multi, struct err *e)
{
	const struct td_val *idv = td_get(t, id_key, strlen(id_key));
	const struct td_val *cur;
	const char *id = NULL;
	size_t id_len = 0;
	int rc;

	if (idv == NULL)
		return 0;
	if (idv->doc->nodes[idv->idx].type == JV_STRING)
		id = json_str(idv->doc, idv->idx, &id_len);
	cur = td_get(t, coded_key, strlen(coded_key));
	ci->buf.len = 0;
	rc = multi ? coda_multi_value(&ci->buf, f, id, id_len, s, cur, &ci->origin, ci->now, e)
	    : coda_single_value(&ci->buf, f, id, id_len, s, cur, &ci->origin, ci->now, e);
	if (rc == -1)
		return err_prefix(e, "\"%s\"", coded_key);
	if (rc == 1 && td_set_json_canonical(t, coded_key, strlen(coded_key), ci->buf.p, ci->buf.len, e) == -1)
		return -1;
	return 0;
}

int
coda_import_single(struct coda_import *ci, struct td *t, const struct coda_file *f, const char *id_key,
    const char *coded_key, const struct code_scheme *s, struct err *e)
{
	return import(ci, t, f, id_key, coded_key, s, 0, e);
}

int
coda_import_multi(struct coda_import *ci, struct td *t, const struct coda_file *f, const char *id_key,
    const char *coded_key, const struct code_scheme *s, struct err *e)
{
	return import(ci, t, f, id_key, coded_key, s, 1, e);
}

int
coda_import(struct coda_import *ci, struct td *t, const struct coda_file *f, const char *id_key,
    const char *coded_key, const struct code_scheme *s, enum coding_mode mode, struct err *e)
{
	return import(ci, t, f, id_key, coded_key, s, mode == CODING_MULTIPLE, e);
}

/* "a string", "null", …: what a JSON value is, for messages. */
static const char *
value_kind(const struct td_val *v)
{
	switch (v->doc->nodes[v->idx].type) {
	case JV_NULL: return "null";
	case JV_FALSE: case JV_TRUE: return "a boolean";
	case JV_INT: case JV_FLOAT: return "a number";
	case JV_STRING: return "a string";
	case JV_ARRAY: return "a list";
	default: return "an object";
	}
}

int
coda_message_id(struct td *t, const struct coding_plan *plan, char out[65], struct err *e)
{
	const struct td_val *v = td_get(t, plan->message_id_key, strlen(plan->message_id_key));
	const char *s;
	size_t n;

	if (v == NULL)
		return err_set(e, EX_DATAERR, "no \"%s\" to make the message id of \"%s\" from (the record has "
		    "\"%s\")", plan->message_id_key, plan->id_field, plan->raw_field);
	if (v->doc->nodes[v->idx].type != JV_STRING)
		return err_set(e, EX_DATAERR, "\"%s\" is %s (expected a string to make the message id of \"%s\" "
		    "from)", plan->message_id_key, value_kind(v), plan->id_field);
	s = json_str(v->doc, v->idx, &n);
	/* A lone surrogate (a \udXXX escape, kept as ED A0..BF xx) has no UTF-8 form: Python's encode raises. */
	for (size_t i = 0; i + 1 < n; i++)
		if ((unsigned char)s[i] == 0xED && (unsigned char)s[i + 1] >= 0xA0)
			return err_set(e, EX_DATAERR, "\"%s\" holds a lone surrogate (a \\udXXX escape), which has no "
			    "UTF-8 form to hash into the message id of \"%s\"", plan->message_id_key, plan->id_field);
	sha256_hex(s, n, out);
	return 0;
}
