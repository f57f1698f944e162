/*
 * Coda V2's get and add (CodaV2 data_tools/get.py, add.py and firebase_client_wrapper.py at c47977d, apis.md
 * §2) over any backend that can get, list and commit documents. Messages go through the record scanner and
 * the canonical encoder (a dataset is several MB); the small documents (users, schemes, counts) through jansson.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "config/scheme.h"
#include "record/json.h"
#include "store/codastore.h"
#include "util/isotime.h"
#include "util/strmap.h"

#define KEY(s) (s), strlen(s)

/* ---- opening ---- */

int
codastore_open(struct codastore **out, const char *spec, struct err *e)
{
	struct codastore *s;
	int rc;

	*out = NULL;
	if (spec == NULL || *spec == '\0')
		return err_set(e, EX_USAGE, "empty store (expected dir:PATH or a service-account key file)");
	s = xcalloc(1, sizeof *s);
	s->spec = xstrdup(spec);
	if (strncmp(spec, "dir:", 4) == 0) {
		if (spec[4] == '\0') {
			free(s->spec);
			free(s);
			return err_set(e, EX_USAGE, "%s: no directory after dir: (expected dir:PATH)", spec);
		}
		rc = codastore_dir_open(s, spec + 4, e);
	} else {
		rc = codastore_firestore_open(s, spec, e);
		if (rc == -1 && e != NULL && e->code == EX_NOINPUT) {
			size_t n = strlen(e->msg);
			snprintf(e->msg + n, sizeof e->msg - n, " (a store is dir:PATH or a service-account key file)");
		}
	}
	if (rc == -1) {
		free(s->spec);
		free(s);
		return -1;
	}
	*out = s;
	return 0;
}

void
codastore_close(struct codastore *s)
{
	if (s == NULL)
		return;
	if (s->be != NULL && s->be->close != NULL)
		s->be->close(s);
	free(s->spec);
	free(s);
}

char *
codastore_segment_id(const char *dataset, size_t i)
{
	size_t n = strlen(dataset) + 24;
	char *id = xmalloc(n);

	if (i <= 1)
		snprintf(id, n, "%s", dataset);
	else
		snprintf(id, n, "%s_%zu", dataset, i);
	return id;
}

static char *
path_of(const char *a, const char *b, const char *c, const char *d)
{
	size_t n = strlen(a) + (b ? strlen(b) : 0) + (c ? strlen(c) : 0) + (d ? strlen(d) : 0) + 4;
	char *p = xmalloc(n);

	snprintf(p, n, "%s%s%s%s%s%s%s", a, b ? "/" : "", b ? b : "", c ? "/" : "", c ? c : "", d ? "/" : "",
	    d ? d : "");
	return p;
}

/* ---- small documents ---- */

static json_t *
get_doc_json(struct codastore *s, const char *path, int *found, struct err *e)
{
	struct buf b = { 0 };
	json_error_t je;
	json_t *j;

	if (s->be->get(s, path, &b, found, e) == -1) {
		buf_free(&b);
		return NULL;
	}
	if (!*found) {
		buf_free(&b);
		return NULL;
	}
	j = json_loadb(b.p, b.len, 0, &je);
	buf_free(&b);
	if (j == NULL || !json_is_object(j)) {
		json_decref(j);
		err_set(e, EX_DATAERR, "%s: %s: not a JSON object (%s)", s->spec, path, j == NULL ? je.text : "");
		return NULL;
	}
	return j;
}

/* A jansson value as canonical JSON (sorted keys, Python's separators and floats). */
static void
canonical_json(struct buf *out, const json_t *j)
{
	char *text = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_ENCODE_ANY | JSON_REAL_PRECISION(17));
	struct json_doc d = { 0 };
	uint32_t root;
	struct err ignored;

	if (text != NULL && json_parse(&d, text, strlen(text), &root, &ignored) == 0)
		json_encode(out, &d, root, 0);
	json_free(&d);
	free(text);
}

/* segment_counts/D.segment_count, 1 when absent. */
static int
segment_count(struct codastore *s, const char *dataset, size_t *n, struct err *e)
{
	char *path = path_of("segment_counts", dataset, NULL, NULL);
	json_t *j, *v;
	int found;

	*n = 1;
	j = get_doc_json(s, path, &found, e);
	if (j == NULL && found) {
		free(path);
		return -1;
	}
	if (j != NULL) {
		v = json_object_get(j, "segment_count");
		if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 1000000) {
			json_decref(j);
			err_set(e, EX_DATAERR, "%s: %s: segment_count is not a positive integer", s->spec, path);
			free(path);
			return -1;
		}
		*n = (size_t)json_integer_value(v);
		json_decref(j);
	}
	free(path);
	return 0;
}

/* ---- messages ---- */

void
codastore_msgs_free(struct codastore_msgs *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].id);
		free(m->v[i].json);
	}
	free(m->v);
	memset(m, 0, sizeof *m);
}

static struct codastore_msg *
msgs_push(struct codastore_msgs *m)
{
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 256;
		m->v = xrealloc(m->v, m->cap * sizeof *m->v);
	}
	memset(&m->v[m->n], 0, sizeof m->v[0]);
	return &m->v[m->n++];
}

static void
msg_clear(struct codastore_msg *m)
{
	free(m->id);
	free(m->json);
	memset(m, 0, sizeof *m);
}

/*
 * Read a message object of d: its MessageID, SequenceNumber and LastUpdated, and its canonical JSON.
 * where names it in messages ("store: datasets/D/messages/x" or "file: [3]").
 */
static int
msg_from_node(struct codastore_msg *m, struct json_doc *d, uint32_t obj, int need_seq, const char *where,
    struct err *e)
{
	uint32_t v;
	const char *s;
	size_t n;
	struct buf b = { 0 };

	memset(m, 0, sizeof *m);
	m->last_updated = INT64_MIN;
	if (d->nodes[obj].type != JV_OBJECT)
		return err_set(e, EX_DATAERR, "%s: expected a message (a JSON object)", where);
	v = json_get(d, obj, KEY("MessageID"));
	if (v == 0 || d->nodes[v].type != JV_STRING || d->nodes[v].len == 0)
		return err_set(e, EX_DATAERR, "%s.MessageID: missing or not a non-empty string", where);
	s = json_str(d, v, &n);
	v = json_get(d, obj, KEY("SequenceNumber"));
	if (v != 0 && d->nodes[v].type == JV_INT) {
		char num[32];
		size_t k = d->nodes[v].len < sizeof num - 1 ? d->nodes[v].len : sizeof num - 1;
		memcpy(num, d->nodes[v].p, k);
		num[k] = '\0';
		errno = 0;
		m->seq = strtoll(num, NULL, 10);
		if (errno != 0)
			return err_set(e, EX_DATAERR, "%s.SequenceNumber: out of range", where);
	} else if (need_seq || v != 0) {
		return err_set(e, EX_DATAERR, "%s.SequenceNumber: %s (expected an integer)", where,
		    v == 0 ? "missing" : "not an integer");
	} else {
		m->seq = INT64_MIN;
	}
	v = json_get(d, obj, KEY("LastUpdated"));
	if (v != 0 && d->nodes[v].type != JV_NULL) {
		struct isotime t;
		const char *lu;
		size_t lun;
		if (d->nodes[v].type != JV_STRING)
			return err_set(e, EX_DATAERR, "%s.LastUpdated: expected an ISO-8601 date-time string", where);
		lu = json_str(d, v, &lun);
		if (iso_parse(lu, lun, &t, e) == -1)
			return err_prefix(e, "%s.LastUpdated", where);
		if (!t.has_offset)
			return err_set(e, EX_DATAERR, "%s.LastUpdated: '%.*s' has no UTC offset", where, (int)lun, lu);
		m->last_updated = t.usec;
	}
	m->id = xmalloc(n + 1);
	memcpy(m->id, s, n);
	m->id[n] = '\0';
	m->id_len = n;
	json_encode(&b, d, obj, 0);
	m->json = b.p;
	m->len = b.len;
	return 0;
}

struct list_ctx {
	struct codastore *s;
	const char *collection;
	struct codastore_msgs *out;
	struct strmap *ids;		/* MessageID -> index in out */
	size_t segment;
	int catch_up;			/* second pass: a message already read from this segment is replaced */
	int64_t newest;			/* newest LastUpdated read in this pass */
	struct json_doc doc;
};

static int
on_message(void *arg, const char *id, const char *json, size_t len, struct err *e)
{
	struct list_ctx *c = arg;
	struct codastore_msg m;
	struct strmap_entry *en;
	uint32_t root;
	int created;
	char where[600];

	snprintf(where, sizeof where, "%s: %s/%.200s", c->s->spec, c->collection, id);
	json_reset(&c->doc);
	if (json_parse(&c->doc, json, len, &root, e) == -1)
		return err_prefix(e, "%s", where);
	if (msg_from_node(&m, &c->doc, root, 1, where, e) == -1)
		return -1;
	m.segment = c->segment;
	if (m.last_updated != INT64_MIN && (c->newest == INT64_MIN || m.last_updated > c->newest))
		c->newest = m.last_updated;
	en = strmap_put(c->ids, m.id, m.id_len, c->out->n, &created);
	if (!created) {
		struct codastore_msg *old = &c->out->v[en->value];
		/* A previous export's copy (segment 0), or this segment's own copy on the catch-up pass. */
		if (old->segment == 0 || (c->catch_up && old->segment == c->segment)) {
			msg_clear(old);
			*old = m;
			return 0;
		}
		err_set(e, EX_DATAERR, "%s: MessageID '%.200s' is in segments %zu and %zu of the dataset (expected "
		    "each message once)", c->s->spec, m.id, old->segment, m.segment);
		msg_clear(&m);
		return -1;
	}
	*msgs_push(c->out) = m;
	return 0;
}

static int
list_segment(struct list_ctx *c, const char *dataset, size_t i, int64_t after, int64_t upto, struct err *e)
{
	char *seg = codastore_segment_id(dataset, i);
	char *coll = path_of("datasets", seg, "messages", NULL);
	int rc;

	c->collection = coll;
	c->segment = i;
	c->newest = INT64_MIN;
	rc = c->s->be->list(c->s, coll, after, upto, on_message, c, e);
	free(coll);
	free(seg);
	return rc;
}

int
codastore_get_messages(struct codastore *s, const char *dataset, int64_t after, struct codastore_msgs *out,
    struct err *e)
{
	struct strmap ids = { 0 };
	struct list_ctx c = { .s = s, .out = out, .ids = &ids };
	int64_t *seg_newest = NULL, first = INT64_MIN, last = INT64_MIN;
	size_t n, i;
	int rc = -1;

	for (i = 0; i < out->n; i++)
		strmap_put(&ids, out->v[i].id, out->v[i].id_len, i, NULL);
	if (segment_count(s, dataset, &n, e) == -1)
		goto done;
	seg_newest = xcalloc(n + 1, sizeof *seg_newest);
	for (i = 1; i <= n; i++) {
		if (list_segment(&c, dataset, i, after, INT64_MAX, e) == -1)
			goto done;
		seg_newest[i] = c.newest;
		if (c.newest != INT64_MIN) {
			if (last == INT64_MIN || c.newest > last)
				last = c.newest;
			if (first == INT64_MIN || c.newest < first)
				first = c.newest;
		}
	}
	/*
	 * A coder may label a message in segment 1 while segment 3 is being read: read each segment again for what
	 * changed after its own newest message and up to the newest one seen anywhere (CodaV2 meant this pass,
	 * but compared the timestamp field with a string, which matches nothing).
	 */
	if (n > 1 && last != INT64_MIN) {
		c.catch_up = 1;
		for (i = 1; i <= n; i++) {
			int64_t from = seg_newest[i] != INT64_MIN ? seg_newest[i] : first;
			if (from >= last)
				continue;
			if (list_segment(&c, dataset, i, from, last, e) == -1)
				goto done;
		}
	}
	rc = 0;
done:
	free(seg_newest);
	json_free(&c.doc);
	strmap_free(&ids);
	return rc;
}

/* ---- the export ---- */

static int
read_file(const char *path, struct buf *out, struct err *e)
{
	struct stat st;
	int fd = open(path, O_RDONLY);

	out->len = 0;
	if (fd == -1)
		return err_set(e, errno == ENOENT ? EX_NOINPUT : errno == EACCES ? EX_NOPERM : EX_NOINPUT, "%s: %s",
		    path, strerror(errno));
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return err_set(e, EX_NOINPUT, "%s: is a directory", path);
	}
	for (;;) {
		ssize_t r;
		buf_reserve(out, 65536);
		r = read(fd, out->p + out->len, out->cap - out->len);
		if (r == 0)
			break;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int saved = errno;
			close(fd);
			return err_set(e, EX_IOERR, "%s: read error: %s", path, strerror(saved));
		}
		out->len += (size_t)r;
	}
	close(fd);
	return 0;
}

static int
load_previous(const char *path, struct codastore_msgs *out, struct err *e)
{
	struct buf text = { 0 };
	struct json_doc d = { 0 };
	struct strmap ids = { 0 };
	uint32_t root;
	size_t i = 0;
	char where[600];
	int rc = -1;

	if (read_file(path, &text, e) == -1)
		goto done;
	if (json_parse(&d, text.p ? text.p : "", text.len, &root, e) == -1) {
		err_prefix(e, "%s", path);
		goto done;
	}
	if (d.nodes[root].type != JV_ARRAY) {
		err_set(e, EX_DATAERR, "%s: expected a JSON array of Coda messages (a previous export)", path);
		goto done;
	}
	for (uint32_t m = root + 1; m < d.nodes[root].next; m = d.nodes[m].next, i++) {
		struct codastore_msg msg;
		struct strmap_entry *en;
		int created;
		snprintf(where, sizeof where, "%s: [%zu]", path, i);
		if (msg_from_node(&msg, &d, m, 1, where, e) == -1)
			goto done;
		en = strmap_put(&ids, msg.id, msg.id_len, out->n, &created);
		if (!created) {
			/* get.py's dict keeps the last one, in the first one's place. */
			msg_clear(&out->v[en->value]);
			out->v[en->value] = msg;
			continue;
		}
		*msgs_push(out) = msg;
	}
	rc = 0;
done:
	buf_free(&text);
	json_free(&d);
	strmap_free(&ids);
	return rc;
}

struct order {
	int64_t seq;
	size_t i;
};

static int
order_cmp(const void *a, const void *b)
{
	const struct order *x = a, *y = b;

	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return (x->i > y->i) - (x->i < y->i);
}

int
codastore_export(struct codastore *s, const char *dataset, const char *previous, struct codastore_msgs *out,
    int *full, struct err *e)
{
	struct codastore_msgs all = { 0 };
	int64_t after = INT64_MIN;
	struct order *ord;

	*full = 1;
	if (previous != NULL) {
		if (load_previous(previous, &all, e) == -1) {
			codastore_msgs_free(&all);
			return -1;
		}
		for (size_t i = 0; i < all.n; i++)
			if (all.v[i].last_updated != INT64_MIN && (after == INT64_MIN || all.v[i].last_updated > after))
				after = all.v[i].last_updated;
		*full = after == INT64_MIN;
	}
	/* get_messages replaces what it finds by MessageID in place and appends the rest: get.py's dict.update. */
	if (codastore_get_messages(s, dataset, after, &all, e) == -1) {
		codastore_msgs_free(&all);
		return -1;
	}
	ord = xcalloc(all.n + 1, sizeof *ord);
	for (size_t i = 0; i < all.n; i++) {
		ord[i].seq = all.v[i].seq;
		ord[i].i = i;
	}
	qsort(ord, all.n, sizeof *ord, order_cmp);
	for (size_t i = 0; i < all.n; i++) {
		*msgs_push(out) = all.v[ord[i].i];
	}
	free(ord);
	free(all.v);
	return 0;
}

/* ---- printing as get.py does ---- */

/*
 * json.dumps(v, indent=2) with keys sorted: the canonical encoder at indent 2 writes ", " before each line
 * break (json.dump's separators); json.dumps' own are "," and ": ". Strings never hold a raw line break, so
 * every ", \n" is a separator.
 */
static void
print_indented(struct buf *out, struct json_doc *d, uint32_t root)
{
	struct buf enc = { 0 };
	size_t k;

	json_encode(&enc, d, root, 2);
	buf_reserve(out, enc.len + 1);
	for (k = 0; k < enc.len; k++) {
		if (enc.p[k] == ',' && k + 2 < enc.len && enc.p[k + 1] == ' ' && enc.p[k + 2] == '\n') {
			buf_addc(out, ',');
			k++;
			continue;
		}
		buf_addc(out, enc.p[k]);
	}
	buf_addc(out, '\n');
	buf_free(&enc);
}

static int
print_array_of(struct buf *out, const char *const *jsons, const size_t *lens, size_t n, struct err *e)
{
	struct buf all = { 0 };
	struct json_doc d = { 0 };
	uint32_t root;
	int rc = 0;

	buf_addc(&all, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_addc(&all, ',');
		buf_add(&all, jsons[i], lens[i]);
	}
	buf_addc(&all, ']');
	if (json_parse(&d, all.p, all.len, &root, e) == -1)
		rc = err_prefix(e, "internal: re-reading the messages");
	else
		print_indented(out, &d, root);
	json_free(&d);
	buf_free(&all);
	return rc;
}

int
codastore_print_messages(struct buf *out, const struct codastore_msgs *m, struct err *e)
{
	const char **jsons = xcalloc(m->n + 1, sizeof *jsons);
	size_t *lens = xcalloc(m->n + 1, sizeof *lens);
	int rc;

	for (size_t i = 0; i < m->n; i++) {
		jsons[i] = m->v[i].json;
		lens[i] = m->v[i].len;
	}
	rc = print_array_of(out, jsons, lens, m->n, e);
	free(jsons);
	free(lens);
	return rc;
}

static void
print_json(struct buf *out, const json_t *j)
{
	struct buf b = { 0 };
	struct json_doc d = { 0 };
	uint32_t root;
	struct err ignored;

	canonical_json(&b, j);
	if (json_parse(&d, b.p ? b.p : "null", b.p ? b.len : 4, &root, &ignored) == 0)
		print_indented(out, &d, root);
	json_free(&d);
	buf_free(&b);
}

int
codastore_print_users(struct codastore *s, const char *dataset, struct buf *out, struct err *e)
{
	char *path = path_of("datasets", dataset, NULL, NULL);
	json_t *j;
	int found;

	j = get_doc_json(s, path, &found, e);
	free(path);
	if (j == NULL) {
		if (found)
			return -1;
		return err_set(e, EX_NOINPUT, "%s: no dataset '%s'", s->spec, dataset);
	}
	print_json(out, json_object_get(j, "users") ? json_object_get(j, "users") : json_null());
	json_decref(j);
	return 0;
}

struct docs_ctx {
	struct codastore *s;
	const char *collection;
	json_t *docs;			/* array of {"id": ..., "doc": ...} */
};

static int
on_doc(void *arg, const char *id, const char *json, size_t len, struct err *e)
{
	struct docs_ctx *c = arg;
	json_error_t je;
	json_t *j = json_loadb(json, len, 0, &je);

	if (j == NULL || !json_is_object(j)) {
		json_decref(j);
		return err_set(e, EX_DATAERR, "%s: %s/%.200s: not a JSON object", c->s->spec, c->collection, id);
	}
	json_array_append_new(c->docs, json_pack("{s:s, s:o}", "id", id, "doc", j));
	return 0;
}

static int
id_cmp(const void *a, const void *b)
{
	const char *x = json_string_value(json_object_get(*(json_t *const *)a, "id"));
	const char *y = json_string_value(json_object_get(*(json_t *const *)b, "id"));

	return strcmp(x, y);
}

/* Every document of a collection, ordered by id as Firestore lists them. A new reference. */
static json_t *
list_docs(struct codastore *s, const char *collection, struct err *e)
{
	struct docs_ctx c = { .s = s, .collection = collection, .docs = json_array() };
	size_t n;
	json_t **v;

	if (s->be->list(s, collection, INT64_MIN, INT64_MAX, on_doc, &c, e) == -1) {
		json_decref(c.docs);
		return NULL;
	}
	n = json_array_size(c.docs);
	v = xcalloc(n + 1, sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(c.docs, i));
	qsort(v, n, sizeof *v, id_cmp);
	json_array_clear(c.docs);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(c.docs, v[i]);
	free(v);
	return c.docs;
}

int
codastore_print_schemes(struct codastore *s, const char *dataset, struct buf *out, struct err *e)
{
	char *coll = path_of("datasets", dataset, "code_schemes", NULL);
	json_t *docs = list_docs(s, coll, e), *schemes;
	size_t i;
	json_t *d;

	free(coll);
	if (docs == NULL)
		return -1;
	schemes = json_array();
	json_array_foreach(docs, i, d)
		json_array_append(schemes, json_object_get(d, "doc"));
	print_json(out, schemes);
	json_decref(schemes);
	json_decref(docs);
	return 0;
}

/* ---- adding ---- */

int64_t
codastore_now(struct codastore *s)
{
	struct timespec ts;

	if (s->clock != NULL)
		return s->clock(s->clock_ctx);
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
progress(struct codastore *s, const char *dataset, size_t done, size_t total)
{
	if (s->on_progress != NULL)
		s->on_progress(s->progress_ctx, dataset, done, total);
}

/* The dataset's first segment document, {"users": []} when it is new: CodaV2 lists datasets by it. */
static int
ensure_dataset(struct codastore *s, const char *dataset, struct err *e)
{
	char *path = path_of("datasets", dataset, NULL, NULL);
	struct buf b = { 0 };
	int found, rc;

	rc = s->be->get(s, path, &b, &found, e);
	if (rc == 0 && !found) {
		struct codastore_write w = { .path = path, .json = "{\"users\": []}", .len = 13, .create_only = 1 };
		rc = s->be->commit(s, &w, 1, e);
		if (rc == CODASTORE_CONFLICT)
			rc = 0;		/* someone else made it */
	}
	buf_free(&b);
	free(path);
	return rc;
}

/*
 * create_next_segment: the last segment's code schemes and users copied to segment n + 1, then
 * segment_counts/D = n + 1. A crash in between leaves the count as it was: the next run does it again.
 */
static int
create_segment(struct codastore *s, const char *dataset, size_t n, struct err *e)
{
	char *cur = codastore_segment_id(dataset, n), *next = codastore_segment_id(dataset, n + 1);
	char *coll = path_of("datasets", cur, "code_schemes", NULL);
	char *cur_doc = path_of("datasets", cur, NULL, NULL), *next_doc = path_of("datasets", next, NULL, NULL);
	char *count_doc = path_of("segment_counts", dataset, NULL, NULL);
	json_t *docs = NULL, *users = NULL, *d;
	struct codastore_write *w = NULL;
	struct buf *bodies = NULL;
	char **paths = NULL;
	size_t nw = 0, i, nd;
	int found, rc = -1;
	char count[64];

	if ((docs = list_docs(s, coll, e)) == NULL)
		goto done;
	users = get_doc_json(s, cur_doc, &found, e);
	if (users == NULL && found)
		goto done;
	nd = json_array_size(docs);
	w = xcalloc(nd + 2, sizeof *w);
	bodies = xcalloc(nd + 2, sizeof *bodies);
	paths = xcalloc(nd + 2, sizeof *paths);
	json_array_foreach(docs, i, d) {
		paths[nw] = path_of("datasets", next, "code_schemes", json_string_value(json_object_get(d, "id")));
		canonical_json(&bodies[nw], json_object_get(d, "doc"));
		w[nw].path = paths[nw];
		w[nw].json = bodies[nw].p;
		w[nw].len = bodies[nw].len;
		nw++;
	}
	{
		json_t *u = json_pack("{s:O}", "users", users != NULL && json_object_get(users, "users") != NULL ?
		    json_object_get(users, "users") : json_array());
		canonical_json(&bodies[nw], u);
		json_decref(u);
		w[nw].path = next_doc;
		w[nw].json = bodies[nw].p;
		w[nw].len = bodies[nw].len;
		nw++;
	}
	if (s->be->commit(s, w, nw, e) != 0)
		goto done;
	snprintf(count, sizeof count, "{\"segment_count\": %zu}", n + 1);
	{
		struct codastore_write cw = { .path = count_doc, .json = count, .len = strlen(count) };
		if (s->be->commit(s, &cw, 1, e) != 0)
			goto done;
	}
	rc = 0;
done:
	for (i = 0; i < nw; i++) {
		buf_free(&bodies[i]);
		free(paths[i]);
	}
	free(w);
	free(bodies);
	free(paths);
	json_decref(docs);
	json_decref(users);
	free(cur);
	free(next);
	free(coll);
	free(cur_doc);
	free(next_doc);
	free(count_doc);
	return rc;
}

/* The message object at node obj of d, with SequenceNumber seq and without LastUpdated, canonical. */
static void
message_to_write(struct buf *out, struct json_doc *d, uint32_t obj, int64_t seq, struct json_doc *tmp)
{
	struct buf b = { 0 };
	uint32_t root;
	int first = 1;
	char num[32];
	struct err ignored;

	buf_addc(&b, '{');
	for (uint32_t k = obj + 1; k < d->nodes[obj].next; k = d->nodes[k + 1].next) {
		if (json_str_eq(d, k, KEY("LastUpdated")) || json_str_eq(d, k, KEY("SequenceNumber")))
			continue;
		if (!first)
			buf_adds(&b, ", ");
		first = 0;
		json_encode(&b, d, k, 0);
		buf_adds(&b, ": ");
		json_encode(&b, d, k + 1, 0);
	}
	snprintf(num, sizeof num, "%s\"SequenceNumber\": %" PRId64, first ? "" : ", ", seq);
	buf_adds(&b, num);
	buf_addc(&b, '}');
	json_reset(tmp);
	out->len = 0;
	if (json_parse(tmp, b.p, b.len, &root, &ignored) == 0)
		json_encode(out, tmp, root, 0);
	buf_free(&b);
}

/* ---- metrics (compute_segment_coding_progress) ---- */

enum { CTRL_OTHER, CTRL_WS, CTRL_NC };

/* (SchemeID, CodeID) of a segment's schemes -> CTRL_*. */
static int
load_scheme_codes(struct codastore *s, const char *segment, struct strmap *codes, struct err *e)
{
	char *coll = path_of("datasets", segment, "code_schemes", NULL);
	json_t *docs = list_docs(s, coll, e), *d, *c;
	size_t i, k;
	struct buf key = { 0 };

	free(coll);
	if (docs == NULL)
		return -1;
	json_array_foreach(docs, i, d) {
		json_t *scheme = json_object_get(d, "doc");
		const char *sid = json_string_value(json_object_get(scheme, "SchemeID"));
		if (sid == NULL)
			sid = json_string_value(json_object_get(d, "id"));
		json_array_foreach(json_object_get(scheme, "Codes"), k, c) {
			const char *cid = json_string_value(json_object_get(c, "CodeID"));
			const char *type = json_string_value(json_object_get(c, "CodeType"));
			const char *ctrl = json_string_value(json_object_get(c, "ControlCode"));
			size_t v = CTRL_OTHER;
			if (cid == NULL)
				continue;
			if (type != NULL && strcmp(type, "Control") == 0 && ctrl != NULL)
				v = strcmp(ctrl, "WS") == 0 ? CTRL_WS : strcmp(ctrl, "NC") == 0 ? CTRL_NC : CTRL_OTHER;
			key.len = 0;
			buf_adds(&key, sid);
			buf_addc(&key, '\0');
			buf_adds(&key, cid);
			strmap_put(codes, key.p, key.len, v, NULL)->value = v;
		}
	}
	buf_free(&key);
	json_decref(docs);
	return 0;
}

struct metrics {
	long long count, with_label, ws, nc;
};

/*
 * One message's part: per SchemeID its newest label (the first); SPECIAL-MANUALLY_UNCODED and unchecked ones
 * do not count; a labelled message may also be WS or NC by its code's ControlCode. (CodaV2 asserts that every
 * label's scheme and code exist; a label of an unknown scheme or code counts here as labelled only.)
 */
static void
metrics_add(struct metrics *mt, struct json_doc *d, uint32_t msg, const struct strmap *codes, struct buf *key)
{
	uint32_t labels = json_get(d, msg, KEY("Labels"));
	uint32_t seen[64];
	size_t nseen = 0;
	int has = 0, ws = 0, nc = 0;

	mt->count++;
	if (labels == 0 || d->nodes[labels].type != JV_ARRAY)
		return;
	for (uint32_t l = labels + 1; l < d->nodes[labels].next; l = d->nodes[l].next) {
		uint32_t sid = json_get(d, l, KEY("SchemeID")), cid = json_get(d, l, KEY("CodeID"));
		uint32_t checked = json_get(d, l, KEY("Checked"));
		const char *sp, *cp;
		size_t sn, cn, j;
		int dup = 0;
		if (sid == 0 || cid == 0 || d->nodes[sid].type != JV_STRING || d->nodes[cid].type != JV_STRING)
			continue;
		sp = json_str(d, sid, &sn);
		for (j = 0; j < nseen && !dup; j++) {
			size_t on;
			const char *op = json_str(d, seen[j], &on);
			dup = on == sn && memcmp(op, sp, sn) == 0;
		}
		if (dup)
			continue;
		if (nseen < sizeof seen / sizeof seen[0])
			seen[nseen++] = sid;
		cp = json_str(d, cid, &cn);
		if (cn == strlen("SPECIAL-MANUALLY_UNCODED") && memcmp(cp, "SPECIAL-MANUALLY_UNCODED", cn) == 0)
			continue;
		if (checked == 0 || d->nodes[checked].type != JV_TRUE)
			continue;
		has = 1;
		key->len = 0;
		buf_add(key, sp, sn);
		buf_addc(key, '\0');
		buf_add(key, cp, cn);
		const struct strmap_entry *en = strmap_get(codes, key->p, key->len);
		if (en != NULL && en->value == CTRL_WS)
			ws = 1;
		if (en != NULL && en->value == CTRL_NC)
			nc = 1;
	}
	mt->with_label += has;
	mt->ws += ws;
	mt->nc += nc;
}

/* Recompute every segment's metrics from msgs; rewrite those that differ from the stored ones. */
static int
update_metrics(struct codastore *s, const char *dataset, size_t nseg, const struct codastore_msgs *msgs,
    struct codastore_add_stats *st, struct err *e)
{
	struct json_doc d = { 0 };
	struct buf key = { 0 }, want = { 0 }, have = { 0 };
	int rc = -1;

	for (size_t i = 1; i <= nseg; i++) {
		char *seg = codastore_segment_id(dataset, i);
		char *path = path_of("datasets", seg, "metrics", "messages");
		struct strmap codes = { 0 };
		struct metrics mt = { 0 };
		json_t *cur;
		int found, same;
		char text[256];

		if (load_scheme_codes(s, seg, &codes, e) == -1)
			goto next;
		for (size_t k = 0; k < msgs->n; k++) {
			uint32_t root;
			if (msgs->v[k].segment != i)
				continue;
			json_reset(&d);
			if (json_parse(&d, msgs->v[k].json, msgs->v[k].len, &root, e) == -1)
				goto next;
			metrics_add(&mt, &d, root, &codes, &key);
		}
		snprintf(text, sizeof text, "{\"messages_count\": %lld, \"messages_with_label\": %lld, "
		    "\"not_coded_messages\": %lld, \"wrong_scheme_messages\": %lld}", mt.count, mt.with_label, mt.nc,
		    mt.ws);
		cur = get_doc_json(s, path, &found, e);
		if (cur == NULL && found)
			goto next;
		have.len = 0;
		if (cur != NULL)
			canonical_json(&have, cur);
		json_decref(cur);
		same = have.len == strlen(text) && memcmp(have.p, text, have.len) == 0;
		if (!same) {
			struct codastore_write w = { .path = path, .json = text, .len = strlen(text) };
			if (s->be->commit(s, &w, 1, e) != 0)
				goto next;
			st->metrics_written++;
		}
		strmap_free(&codes);
		free(path);
		free(seg);
		continue;
next:
		strmap_free(&codes);
		free(path);
		free(seg);
		goto done;
	}
	rc = 0;
done:
	json_free(&d);
	buf_free(&key);
	buf_free(&want);
	buf_free(&have);
	return rc;
}

static int
lock_dataset(struct codastore *s, const char *dataset, struct err *e)
{
	return s->be->lock != NULL ? s->be->lock(s, dataset, e) : 0;
}

static void
unlock_dataset(struct codastore *s)
{
	if (s->be->unlock != NULL)
		s->be->unlock(s);
}

/*
 * MessageIDs become document ids: Firestore refuses one holding '/', ".", "..", "__...__" or longer than
 * 1,500 bytes (CodaV2's add would fail half-way); here the file is refused before anything is written.
 */
static int
check_ids(const struct coda_file *f, struct err *e)
{
	for (size_t i = 0; i < f->n_messages; i++) {
		const char *id = f->messages[i].id;
		size_t n = f->messages[i].id_len;
		const char *why = NULL;
		if (memchr(id, '/', n) != NULL)
			why = "holds a '/'";
		else if ((n == 1 && id[0] == '.') || (n == 2 && memcmp(id, "..", 2) == 0))
			why = "is . or ..";
		else if (n >= 4 && memcmp(id, "__", 2) == 0 && memcmp(id + n - 2, "__", 2) == 0)
			why = "is of the form __...__ (reserved)";
		else if (n > 1500)
			why = "is longer than 1,500 bytes";
		if (why != NULL)
			return err_set(e, EX_DATAERR, "%s: [%zu].MessageID: '%.*s' %s (expected an id Coda's Firestore "
			    "can store)", f->path, i, (int)(n > 80 ? 80 : n), id, why);
	}
	return 0;
}

/* One try of add: -1, CODASTORE_CONFLICT (re-read and try again), or 0. */
static int
add_messages_once(struct codastore *s, const char *dataset, const struct coda_file *f, int dry_run,
    struct codastore_add_stats *st, struct err *e)
{
	struct codastore_msgs have = { 0 };
	struct strmap ids = { 0 };
	struct json_doc *d = (struct json_doc *)&f->doc, tmp = { 0 };
	uint32_t *todo = NULL;
	int64_t *seqs = NULL, max_seq = -1;
	size_t nseg, *seg_size = NULL, ntodo = 0, i;
	struct buf *bodies = NULL;
	char **paths = NULL;
	struct codastore_write *w = NULL;
	int rc = -1;

	memset(st, 0, sizeof *st);
	st->first_seq = st->last_seq = -1;
	if (segment_count(s, dataset, &nseg, e) == -1)
		goto done;
	if (codastore_get_messages(s, dataset, INT64_MIN, &have, e) == -1)
		goto done;
	seg_size = xcalloc(nseg + 2, sizeof *seg_size);
	for (i = 0; i < have.n; i++) {
		strmap_put(&ids, have.v[i].id, have.v[i].id_len, i, NULL);
		if (have.v[i].seq > max_seq)
			max_seq = have.v[i].seq;
		if (have.v[i].segment <= nseg)
			seg_size[have.v[i].segment]++;
	}
	st->existing = have.n;
	todo = xcalloc(f->n_messages + 1, sizeof *todo);
	seqs = xcalloc(f->n_messages + 1, sizeof *seqs);
	i = 0;
	for (uint32_t m = 1; m < d->nodes[0].next; m = d->nodes[m].next, i++) {
		const struct coda_message *cm = &f->messages[i];
		uint32_t v;
		if (strmap_get(&ids, cm->id, cm->id_len) != NULL) {
			st->skipped++;
			continue;
		}
		/* add.py keeps a SequenceNumber the file gives; the others continue from the highest. */
		v = json_get(d, m, KEY("SequenceNumber"));
		if (v != 0 && d->nodes[v].type == JV_INT) {
			char num[32];
			size_t k = d->nodes[v].len < sizeof num - 1 ? d->nodes[v].len : sizeof num - 1;
			memcpy(num, d->nodes[v].p, k);
			num[k] = '\0';
			seqs[ntodo] = strtoll(num, NULL, 10);
			if (seqs[ntodo] > max_seq)
				max_seq = seqs[ntodo];
		} else {
			seqs[ntodo] = ++max_seq;
		}
		if (st->first_seq == -1)
			st->first_seq = seqs[ntodo];
		st->last_seq = seqs[ntodo];
		todo[ntodo++] = m;
	}
	st->added = ntodo;
	st->segments = nseg;
	if (dry_run || ntodo == 0) {
		rc = 0;
		if (!dry_run && ntodo == 0)
			rc = update_metrics(s, dataset, nseg, &have, st, e);
		goto done;
	}
	if ((rc = ensure_dataset(s, dataset, e)) != 0)
		goto done;
	rc = -1;
	w = xcalloc(CODASTORE_BATCH, sizeof *w);
	bodies = xcalloc(CODASTORE_BATCH, sizeof *bodies);
	paths = xcalloc(CODASTORE_BATCH, sizeof *paths);
	progress(s, dataset, 0, ntodo);
	for (i = 0; i < ntodo;) {
		size_t n, k;
		char *seg;
		int c;
		if (seg_size[nseg] >= CODASTORE_SEGMENT_SIZE) {
			if (create_segment(s, dataset, nseg, e) != 0)
				goto done;
			nseg++;
			seg_size = xrealloc(seg_size, (nseg + 2) * sizeof *seg_size);
			seg_size[nseg] = 0;
			st->segments_created++;
		}
		n = ntodo - i;
		if (n > CODASTORE_BATCH)
			n = CODASTORE_BATCH;
		if (n > CODASTORE_SEGMENT_SIZE - seg_size[nseg])
			n = CODASTORE_SEGMENT_SIZE - seg_size[nseg];
		seg = codastore_segment_id(dataset, nseg);
		for (k = 0; k < n; k++) {
			size_t idn;
			const char *id = json_str(d, json_get(d, todo[i + k], KEY("MessageID")), &idn);
			char *idz = xmalloc(idn + 1);
			memcpy(idz, id, idn);
			idz[idn] = '\0';
			free(paths[k]);
			paths[k] = path_of("datasets", seg, "messages", idz);
			free(idz);
			message_to_write(&bodies[k], d, todo[i + k], seqs[i + k], &tmp);
			w[k].path = paths[k];
			w[k].json = bodies[k].p;
			w[k].len = bodies[k].len;
			w[k].create_only = 1;
			w[k].server_time = 1;
		}
		free(seg);
		c = s->be->commit(s, w, n, e);
		if (c != 0) {
			rc = c;
			goto done;
		}
		/* What the metrics will count (LastUpdated does not matter to them). */
		for (k = 0; k < n; k++) {
			struct codastore_msg *nm = msgs_push(&have);
			nm->json = xmalloc(bodies[k].len + 1);
			memcpy(nm->json, bodies[k].p, bodies[k].len);
			nm->json[bodies[k].len] = '\0';
			nm->len = bodies[k].len;
			nm->id = xstrdup("");
			nm->segment = nseg;
		}
		seg_size[nseg] += n;
		i += n;
		progress(s, dataset, i, ntodo);
	}
	st->segments = nseg;
	rc = update_metrics(s, dataset, nseg, &have, st, e);
done:
	if (paths != NULL)
		for (i = 0; i < CODASTORE_BATCH; i++) {
			free(paths[i]);
			buf_free(&bodies[i]);
		}
	free(paths);
	free(bodies);
	free(w);
	free(todo);
	free(seqs);
	free(seg_size);
	json_free(&tmp);
	strmap_free(&ids);
	codastore_msgs_free(&have);
	return rc;
}

int
codastore_add_messages(struct codastore *s, const char *dataset, const struct coda_file *f, int dry_run,
    struct codastore_add_stats *st, struct err *e)
{
	int rc = -1;

	if (check_ids(f, e) == -1 || lock_dataset(s, dataset, e) == -1)
		return -1;
	for (int attempt = 0; attempt < 5; attempt++) {
		rc = add_messages_once(s, dataset, f, dry_run, st, e);
		if (rc != CODASTORE_CONFLICT)
			break;
	}
	if (rc == CODASTORE_CONFLICT)
		rc = err_set(e, EX_UNAVAILABLE, "%s: dataset '%s' kept changing under this add (5 tries)", s->spec,
		    dataset);
	unlock_dataset(s);
	return rc == 0 ? 0 : -1;
}

/* ---- schemes and users ---- */

static json_t *
load_json_file(const char *path, struct err *e)
{
	struct buf b = { 0 };
	json_error_t je;
	json_t *j;

	if (read_file(path, &b, e) == -1) {
		buf_free(&b);
		return NULL;
	}
	j = json_loadb(b.p ? b.p : "", b.len, JSON_DECODE_ANY, &je);
	buf_free(&b);
	if (j == NULL)
		err_set(e, EX_DATAERR, "%s:%d:%d: invalid JSON: %s", path, je.line, je.column, je.text);
	return j;
}

static int
add_schemes_once(struct codastore *s, const char *dataset, json_t *schemes, int dry_run,
    struct codastore_add_stats *st, struct err *e)
{
	char *coll = path_of("datasets", dataset, "code_schemes", NULL);
	json_t *docs = NULL, *sc;
	size_t nseg, i, nw = 0, cap;
	struct codastore_write *w = NULL;
	struct buf *bodies = NULL;
	char **paths = NULL;
	int rc = -1;

	memset(st, 0, sizeof *st);
	st->first_seq = st->last_seq = -1;
	if (segment_count(s, dataset, &nseg, e) == -1 || (docs = list_docs(s, coll, e)) == NULL)
		goto done;
	st->segments = nseg;
	cap = json_array_size(schemes) * nseg + 1;
	w = xcalloc(cap, sizeof *w);
	bodies = xcalloc(cap, sizeof *bodies);
	paths = xcalloc(cap, sizeof *paths);
	json_array_foreach(schemes, i, sc) {
		const char *id = json_string_value(json_object_get(sc, "SchemeID"));
		size_t k;
		json_t *d;
		int present = 0;
		json_array_foreach(docs, k, d)
			present |= strcmp(json_string_value(json_object_get(d, "id")), id) == 0;
		for (k = 0; k < i && !present; k++)
			present |= strcmp(json_string_value(json_object_get(json_array_get(schemes, k), "SchemeID")),
			    id) == 0;
		if (present) {
			st->skipped++;
			continue;
		}
		st->added++;
		for (size_t g = 1; g <= nseg; g++) {
			char *seg = codastore_segment_id(dataset, g);
			paths[nw] = path_of("datasets", seg, "code_schemes", id);
			free(seg);
			canonical_json(&bodies[nw], sc);
			w[nw].path = paths[nw];
			w[nw].json = bodies[nw].p;
			w[nw].len = bodies[nw].len;
			w[nw].create_only = 1;
			nw++;
		}
	}
	if (dry_run || nw == 0) {
		rc = 0;
		goto done;
	}
	if ((rc = ensure_dataset(s, dataset, e)) != 0)
		goto done;
	rc = s->be->commit(s, w, nw, e);
done:
	for (i = 0; i < nw; i++) {
		buf_free(&bodies[i]);
		free(paths[i]);
	}
	free(w);
	free(bodies);
	free(paths);
	json_decref(docs);
	free(coll);
	return rc;
}

int
codastore_add_schemes(struct codastore *s, const char *dataset, const char *const *paths, size_t npaths,
    int dry_run, struct codastore_add_stats *st, struct err *e)
{
	json_t *schemes = json_array(), *sc;
	size_t i;
	int rc = -1;

	/* Each one validated as a code scheme before anything is written (a bad file is bad data: 65). */
	for (size_t f = 0; f < npaths; f++) {
		json_t *j = load_json_file(paths[f], e);
		if (j == NULL)
			goto done;
		for (i = 0; i < (json_is_array(j) ? json_array_size(j) : 1); i++) {
			struct code_scheme cs;
			char name[600];
			sc = json_is_array(j) ? json_array_get(j, i) : j;
			snprintf(name, sizeof name, json_is_array(j) ? "%s: [%zu]" : "%s", paths[f], i);
			if (scheme_from_json(&cs, sc, name, e) == -1) {
				e->code = EX_DATAERR;
				json_decref(j);
				goto done;
			}
			scheme_free(&cs);
			json_array_append(schemes, sc);
		}
		json_decref(j);
	}
	if (lock_dataset(s, dataset, e) == -1)
		goto done;
	for (int attempt = 0; attempt < 5; attempt++) {
		rc = add_schemes_once(s, dataset, schemes, dry_run, st, e);
		if (rc != CODASTORE_CONFLICT)
			break;
	}
	unlock_dataset(s);
	if (rc == CODASTORE_CONFLICT)
		rc = err_set(e, EX_UNAVAILABLE, "%s: dataset '%s' kept changing under this add (5 tries)", s->spec,
		    dataset);
done:
	json_decref(schemes);
	return rc == 0 ? 0 : -1;
}

int
codastore_add_users(struct codastore *s, const char *dataset, const char *path, int dry_run,
    struct codastore_add_stats *st, struct err *e)
{
	json_t *j = load_json_file(path, e), *u, *cur = NULL, *users = NULL;
	size_t i, nseg;
	char *first = path_of("datasets", dataset, NULL, NULL);
	int found, rc = -1;

	memset(st, 0, sizeof *st);
	st->first_seq = st->last_seq = -1;
	if (j == NULL)
		goto out;
	if (!json_is_array(j)) {
		err_set(e, EX_DATAERR, "%s: expected a JSON array of user e-mail addresses", path);
		goto out;
	}
	json_array_foreach(j, i, u) {
		if (!json_is_string(u) || json_string_length(u) == 0) {
			err_set(e, EX_DATAERR, "%s: [%zu]: expected a non-empty string (an e-mail address)", path, i);
			goto out;
		}
	}
	if (lock_dataset(s, dataset, e) == -1)
		goto out;
	if (segment_count(s, dataset, &nseg, e) == -1)
		goto done;
	st->segments = nseg;
	cur = get_doc_json(s, first, &found, e);
	if (cur == NULL && found)
		goto done;
	users = json_array();
	if (cur != NULL && json_is_array(json_object_get(cur, "users")))
		json_array_extend(users, json_object_get(cur, "users"));
	json_array_foreach(j, i, u) {
		size_t k;
		json_t *x;
		int present = 0;
		json_array_foreach(users, k, x)
			present |= json_equal(x, u);
		if (present) {
			st->skipped++;
			continue;
		}
		json_array_append(users, u);
		st->added++;
	}
	rc = 0;
	if (!dry_run && (st->added > 0 || cur == NULL)) {
		json_t *doc = json_pack("{s:O}", "users", users);
		struct buf body = { 0 };
		canonical_json(&body, doc);
		json_decref(doc);
		for (size_t g = 1; g <= nseg && rc == 0; g++) {
			char *seg = codastore_segment_id(dataset, g);
			char *p = path_of("datasets", seg, NULL, NULL);
			struct codastore_write w = { .path = p, .json = body.p, .len = body.len };
			rc = s->be->commit(s, &w, 1, e) == 0 ? 0 : -1;
			free(p);
			free(seg);
		}
		buf_free(&body);
	}
done:
	unlock_dataset(s);
out:
	json_decref(users);
	json_decref(cur);
	json_decref(j);
	free(first);
	return rc;
}
