/* fb-fetch: Facebook comments → TracedData per dataset, and the engagement metrics CSV (pipeline.md §2.5). */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "coding/clean.h"
#include "config/config.h"
#include "net/fbgraph.h"
#include "record/json.h"
#include "record/td.h"
#include "store/uuidtable.h"
#include "util/atomic.h"
#include "util/buf.h"
#include "util/csv.h"
#include "util/isotime.h"
#include "util/path.h"
#include "util/strmap.h"

static const char usage[] =
    "fb-fetch [-qv] -c CONFIG -r RAW-DIR [-d METRICS-DIR] [-u USER] [--credentials FILE]";

static const char help[] =
    "usage: fb-fetch [-qv] -c CONFIG -r RAW-DIR [-d METRICS-DIR] [-u USER] [--credentials FILE]\n"
    "Fetch every comment on the posts of each dataset of the configuration's Facebook sources from the Graph\n"
    "API, de-identify the commenters through the UUID table and write, per dataset, RAW-DIR/<dataset>_<page>.jsonl\n"
    "(TracedData), <dataset>_<page>_raw.json and <post>_comments_log.jsonl. With -d, also write the posts'\n"
    "engagement metrics to METRICS-DIR/facebook_metrics.csv. Other source types are left alone.\n"
    "\n"
    "  -c, --config FILE       pipeline configuration (Facebook sources, UuidTable)\n"
    "  -r, --raw-dir DIR       where the raw data goes (created if missing)\n"
    "  -d, --outdir DIR        write facebook_metrics.csv there (created if missing)\n"
    "  -u, --user USER         Metadata.User of the records (default $TD_USER, $USER@host)\n"
    "      --credentials FILE  Google service-account file, for gs:// token files\n"
    "  -q, --quiet             print nothing but errors\n"
    "  -v, --verbose           print counts on standard error\n"
    "  -h, --help              this help\n"
    "      --version           print the version\n"
    "\n"
    "TokenFileURL: a local path (relative to CONFIG), file:// or gs://. The token is never printed.\n"
    "\n"
    "Exit status: 0 ok, 64 usage, 65 bad data from the Graph API, 66 input missing, 69 the Graph API unavailable\n"
    "after retries, 73 cannot create output, 74 I/O error, 77 authentication refused, 78 bad configuration.\n";

enum { OPT_VERSION = 2000, OPT_CREDENTIALS };

static const struct option longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "raw-dir", required_argument, NULL, 'r' },
	{ "outdir", required_argument, NULL, 'd' },
	{ "user", required_argument, NULL, 'u' },
	{ "credentials", required_argument, NULL, OPT_CREDENTIALS },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

/* The fields the reference asks for (pipeline.md §2.5). */
#define COMMENT_FIELDS "from{id},parent,attachments,created_time,message"
#define SEARCH_FIELDS "message,created_time"
#define METRICS_POST_FIELDS "attachments,message,created_time,comments.filter(stream).limit(0).summary(true)"
#define INSIGHTS_METRICS "post_impressions,post_impressions_unique,post_engaged_users,post_reactions_by_type_total"

struct post {
	char *id;
	size_t n_comments;	/* visible comments fetched */
};

struct dataset_posts {
	const struct fb_dataset *ds;
	struct post *posts;
	size_t n;
};

struct metrics_row {
	char *cells[12];
	size_t order;
};

struct fetch {
	const struct pipeline_config *cfg;
	const char *raw_dir, *metrics_dir, *credentials;
	int quiet, verbose;
	struct td_meta meta;
	struct fbgraph g;
	struct uuid_table *uuids;
	struct metrics_row *rows;
	size_t n_rows;
	unsigned long n_comments, n_posts, n_files;
};

static char *
path2(const char *dir, const char *a, const char *b)
{
	size_t n = strlen(dir) + strlen(a) + strlen(b) + 2;
	char *p = xmalloc(n);

	snprintf(p, n, "%s/%s%s", dir, a, b);
	return p;
}

/* ---- post ids (pipeline.md §2.5.1) ---------------------------------------------------------------------- */

static int
has_post(const struct dataset_posts *dp, const char *id)
{
	for (size_t i = 0; i < dp->n; i++)
		if (strcmp(dp->posts[i].id, id) == 0)
			return 1;
	return 0;
}

static void
add_post(struct dataset_posts *dp, const char *id)
{
	dp->posts = xrealloc(dp->posts, (dp->n + 1) * sizeof *dp->posts);
	dp->posts[dp->n].id = xstrdup(id);
	dp->posts[dp->n].n_comments = 0;
	dp->n++;
}

/* astimezone(utc).isoformat().replace("+00:00", "Z") */
static void
utc_z(int64_t usec, char *out, size_t n)
{
	size_t len = iso_format_utc(usec, out, n);

	if (len >= 6 && strcmp(out + len - 6, "+00:00") == 0)
		strcpy(out + len - 6, "Z");
}

static void
resolve_posts(struct fetch *f, const struct raw_source *src, const struct fb_dataset *ds, struct dataset_posts *dp)
{
	struct err e;

	dp->ds = ds;
	for (size_t i = 0; i < ds->post_ids.n; i++)
		if (!has_post(dp, ds->post_ids.v[i]))
			add_post(dp, ds->post_ids.v[i]);
	if (ds->has_search) {
		char since[48], until[48];
		json_t *posts, *p;
		size_t i;
		utc_z(ds->search.start_usec, since, sizeof since);
		utc_z(ds->search.end_usec, until, sizeof until);
		const char *params[] = { "fields", SEARCH_FIELDS, "limit", "100", "since", since, "until", until, NULL };
		if ((posts = fbgraph_get_all(&f->g, src->page_id, "published_posts", params, &e)) == NULL)
			cli_fail(&e);
		json_array_foreach(posts, i, p) {
			json_t *msg = json_object_get(p, "message"), *id = json_object_get(p, "id");
			if (!json_is_string(msg) || strstr(json_string_value(msg), ds->search.match) == NULL)
				continue;
			if (!json_is_string(id))
				cli_die(EX_DATAERR, "GET /%s/published_posts: post %zu has no \"id\" string", src->page_id, i);
			if (!has_post(dp, json_string_value(id)))
				add_post(dp, json_string_value(id));
		}
		json_decref(posts);
	}
}

/* ---- comments → TracedData (pipeline.md §2.5.2) --------------------------------------------------------- */

/* from.id of a comment object (or NULL). */
static const char *
from_id(const json_t *obj)
{
	json_t *from = json_object_get(obj, "from");

	return json_is_object(from) ? json_string_value(json_object_get(from, "id")) : NULL;
}

/* Replace obj.from by {"id": uuid} (the author's name, if the API sent it, goes too). */
static void
deidentify_from(struct fetch *f, json_t *obj)
{
	const char *id = from_id(obj), *uuid;

	if (id == NULL)
		return;
	uuid = uuidtable_lookup(f->uuids, id, strlen(id));
	json_object_set_new(obj, "from", json_pack("{s:s}", "id", uuid));
}

/* created_time as isoparse(...).isoformat(), in UTC ("…+0000" → "…+00:00"). */
static void
convert_created_time(json_t *c, const char *what)
{
	json_t *v = json_object_get(c, "created_time");
	struct isotime t;
	struct err e;
	char out[48];

	if (!json_is_string(v))
		cli_die(EX_DATAERR, "%s: no \"created_time\" string (expected the comment's ISO-8601 time)", what);
	if (iso_parse(json_string_value(v), json_string_length(v), &t, &e) == -1)
		cli_die(EX_DATAERR, "%s: \"created_time\": %s", what, e.msg);
	if (!t.has_offset)
		cli_die(EX_DATAERR, "%s: \"created_time\" '%s' has no UTC offset", what, json_string_value(v));
	if (t.offset_min == 0)
		iso_format(&t, out, sizeof out);
	else
		iso_format_utc(t.usec, out, sizeof out);
	json_object_set_new(c, "created_time", json_string(out));
}

static void
write_atomic(const char *path, const char *data, size_t len)
{
	struct atomic_file af;
	struct err e;

	if (atomic_open(&af, path, &e) == -1)
		cli_fail(&e);
	if (len && fwrite(data, 1, len, af.fp) != len) {
		atomic_abort(&af);
		cli_die(EX_IOERR, "%s: %s", path, strerror(errno));
	}
	if (atomic_commit(&af, &e) == -1)
		cli_fail(&e);
}

static void
append_line(const char *path, const char *line)
{
	FILE *fp = fopen(path, "a");

	if (fp == NULL)
		cli_die(EX_CANTCREAT, "%s: %s", path, strerror(errno));
	if (fputs(line, fp) == EOF || fputc('\n', fp) == EOF || fflush(fp) == EOF || fsync(fileno(fp)) == -1) {
		int en = errno;
		fclose(fp);
		cli_die(EX_IOERR, "%s: %s", path, strerror(en));
	}
	if (fclose(fp) == EOF)
		cli_die(EX_IOERR, "%s: %s", path, strerror(errno));
}

/* One TracedData line for a converted comment: {"avf_facebook_id": uuid, "<dataset>.<k>": v for each k}. */
static void
comment_record(struct fetch *f, const char *dataset, const char *uuid, json_t *c, struct buf *out)
{
	json_t *data = json_object(), *v;
	const char *k;
	char *key, *text;
	size_t dl = strlen(dataset);
	struct td t = { 0 };
	struct err e;

	json_object_set_new(data, "avf_facebook_id", json_string(uuid));
	json_object_foreach(c, k, v) {
		key = xmalloc(dl + strlen(k) + 2);
		sprintf(key, "%s.%s", dataset, k);
		json_object_set(data, key, v);
		free(key);
	}
	text = json_dumps(data, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(data);
	if (text == NULL)
		cli_die(EX_SOFTWARE, "cannot encode a comment of %s", dataset);
	if (td_parse(&t, text, strlen(text), &e) == -1)
		cli_die(EX_DATAERR, "a comment of %s: %s", dataset, e.msg);
	td_write(&t, out, TD_TRACED, &f->meta);
	td_free(&t);
	free(text);
}

static void
fetch_dataset(struct fetch *f, const struct raw_source *src, struct dataset_posts *dp)
{
	const char *name = dp->ds->name;
	json_t *all = json_array(), **per_post = xcalloc(dp->n + 1, sizeof *per_post), **post_obj, *c, *v;
	const char **ids = NULL;
	size_t n_ids = 0, i, j;
	struct strmap seen = { 0 };
	struct err e;
	struct buf out = { 0 };
	char *stem, *path, *text;
	int created;

	post_obj = xcalloc(dp->n + 1, sizeof *post_obj);
	for (i = 0; i < dp->n; i++) {
		const char *params[] = { "fields", COMMENT_FIELDS, "limit", "100", "filter", "stream", NULL };
		const char *pparams[] = { "fields", "attachments", NULL };
		if ((per_post[i] = fbgraph_get_all(&f->g, dp->posts[i].id, "comments", params, &e)) == NULL)
			cli_fail(&e);
		if ((post_obj[i] = fbgraph_get(&f->g, dp->posts[i].id, NULL, pparams, &e)) == NULL)
			cli_fail(&e);
		dp->posts[i].n_comments = json_array_size(per_post[i]);
		f->n_posts++;
	}

	/* Every author (and parent author) through the UUID table, in one batch. */
	for (i = 0; i < dp->n; i++) {
		json_array_foreach(per_post[i], j, c) {
			const char *cand[2];
			char what[200];
			if (!json_is_object(c))
				cli_die(EX_DATAERR, "GET /%s/comments: comment %zu is not an object", dp->posts[i].id, j);
			cand[0] = from_id(c);
			cand[1] = from_id(json_object_get(c, "parent"));
			if (cand[0] == NULL) {
				snprintf(what, sizeof what, "%s", json_string_value(json_object_get(c, "id")) ?
				    json_string_value(json_object_get(c, "id")) : "?");
				if (!f->quiet)
					cli_warn("post %s: comment %s has no author id (\"from\"): skipped", dp->posts[i].id,
					    what);
				continue;
			}
			for (int k = 0; k < 2; k++) {
				if (cand[k] == NULL)
					continue;
				strmap_put(&seen, cand[k], strlen(cand[k]), 0, &created);
				if (created) {
					ids = xrealloc(ids, (n_ids + 1) * sizeof *ids);
					ids[n_ids++] = cand[k];
				}
			}
		}
	}
	if (n_ids > 0) {
		const char **uids = xcalloc(n_ids, sizeof *uids);
		size_t *lens = xcalloc(n_ids, sizeof *lens);
		for (i = 0; i < n_ids; i++)
			lens[i] = strlen(ids[i]);
		if (uuidtable_data_to_uuid_batch(f->uuids, n_ids, ids, lens, uids, &e) == -1)
			cli_fail(&e);
		free(uids);
		free(lens);
	}

	for (i = 0; i < dp->n; i++) {
		json_t *kept = json_array();
		json_array_foreach(per_post[i], j, c) {
			if (from_id(c) == NULL)
				continue;
			deidentify_from(f, c);
			if (json_is_object(v = json_object_get(c, "parent")))
				deidentify_from(f, v);
			json_array_append(kept, c);
		}
		/* The raw log: one line per post and run, as the API sent the comments (authors de-identified). */
		path = path2(f->raw_dir, dp->posts[i].id, "_comments_log.jsonl");
		text = json_dumps(kept, JSON_ENSURE_ASCII);
		append_line(path, text);
		free(text);
		free(path);
		json_array_foreach(kept, j, c) {
			char what[300];
			snprintf(what, sizeof what, "GET /%s/comments: comment %s", dp->posts[i].id,
			    json_is_string(json_object_get(c, "id")) ? json_string_value(json_object_get(c, "id")) : "?");
			json_object_set(c, "post", post_obj[i]);
			if (json_object_get(c, "parent") == NULL)
				json_object_set_new(c, "parent", json_object());
			convert_created_time(c, what);
			comment_record(f, name, json_string_value(json_object_get(json_object_get(c, "from"), "id")), c, &out);
			json_array_append(all, c);
		}
		json_decref(kept);
	}

	stem = xmalloc(strlen(name) + strlen(src->page_id) + 2);
	sprintf(stem, "%s_%s", name, src->page_id);
	path = path2(f->raw_dir, stem, "_raw.json");
	text = json_dumps(all, JSON_ENSURE_ASCII);
	write_atomic(path, text, strlen(text));
	free(text);
	free(path);
	path = path2(f->raw_dir, stem, ".jsonl");
	write_atomic(path, out.p, out.len);
	free(path);
	free(stem);
	f->n_comments += json_array_size(all);
	f->n_files += 2;

	buf_free(&out);
	for (i = 0; i < dp->n; i++) {
		json_decref(per_post[i]);
		json_decref(post_obj[i]);
	}
	free(per_post);
	free(post_obj);
	free(ids);
	strmap_free(&seen);
	json_decref(all);
}

/* ---- engagement metrics (pipeline.md §2.5.3) ------------------------------------------------------------ */

/* Python str() of a JSON scalar as DictWriter writes it (None → ""). */
static char *
cell_of(const json_t *v)
{
	char buf[64];

	if (v == NULL || json_is_null(v))
		return xstrdup("");
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_integer(v)) {
		snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
		return xstrdup(buf);
	}
	if (json_is_real(v)) {
		json_float_repr(json_real_value(v), buf);
		return xstrdup(buf);
	}
	if (json_is_boolean(v))
		return xstrdup(json_is_true(v) ? "True" : "False");
	return NULL;
}

/* clean_post_type (pipeline.md §4.5) through the cleaner td-autocode uses. */
static char *
post_type(const json_t *post, const char *post_id, int quiet)
{
	char *text = json_dumps(post, JSON_COMPACT);
	struct json_doc d = { 0 };
	const char *match = NULL;
	uint32_t root;
	struct err e;
	char *r;

	if (json_parse(&d, text, strlen(text), &root, &e) == -1 || clean_facebook_post_type(&d, root, &match, &e) == -1) {
		if (!quiet)
			cli_warn("post %s: %s: Post Type left empty", post_id, e.msg);
		r = xstrdup("");
	} else {
		r = xstrdup(match);
	}
	json_free(&d);
	free(text);
	return r;
}

static void
metrics_for_post(struct fetch *f, const struct raw_source *src, const char *dataset, const struct post *p)
{
	const char *pparams[] = { "fields", METRICS_POST_FIELDS, NULL };
	const char *iparams[] = { "metric", INSIGHTS_METRICS, NULL };
	static const char *metric_names[] = { "post_impressions", "post_impressions_unique", "post_engaged_users",
	    "post_reactions_by_type_total" };
	json_t *post, *insights, *data, *m, *values[4] = { NULL, NULL, NULL, NULL };
	struct metrics_row *row;
	struct err e;
	size_t i, k;
	char buf[64];

	if ((post = fbgraph_get(&f->g, p->id, NULL, pparams, &e)) == NULL)
		cli_fail(&e);
	if ((insights = fbgraph_get(&f->g, p->id, "insights", iparams, &e)) == NULL)
		cli_fail(&e);
	data = json_object_get(insights, "data");
	json_array_foreach(data, i, m) {
		const char *name = json_string_value(json_object_get(m, "name"));
		json_t *vals = json_object_get(m, "values");
		for (k = 0; k < 4; k++) {
			if (name == NULL || strcmp(name, metric_names[k]) != 0)
				continue;
			if (!json_is_array(vals) || json_array_size(vals) != 1 || !json_is_object(json_array_get(vals, 0)))
				cli_die(EX_DATAERR, "GET /%s/insights: metric %s has %zu values (expected exactly one)", p->id,
				    name, json_is_array(vals) ? json_array_size(vals) : (size_t)0);
			values[k] = json_object_get(json_array_get(vals, 0), "value");
		}
	}

	f->rows = xrealloc(f->rows, (f->n_rows + 1) * sizeof *f->rows);
	row = &f->rows[f->n_rows];
	row->order = f->n_rows++;
	row->cells[0] = xstrdup(src->page_id);
	row->cells[1] = xstrdup(dataset);
	row->cells[2] = xmalloc(strlen(p->id) + 14);
	sprintf(row->cells[2], "facebook.com/%s", p->id);
	if ((row->cells[3] = cell_of(json_object_get(post, "created_time"))) == NULL)
		cli_die(EX_DATAERR, "GET /%s: \"created_time\" is not a string", p->id);
	if (json_object_get(post, "message") == NULL && !f->quiet)
		cli_warn("post %s: no text: Post Text left empty", p->id);
	if ((row->cells[4] = cell_of(json_object_get(post, "message"))) == NULL)
		cli_die(EX_DATAERR, "GET /%s: \"message\" is not a string", p->id);
	row->cells[5] = post_type(post, p->id, f->quiet);
	for (k = 0; k < 3; k++) {
		if (values[k] == NULL && !f->quiet)
			cli_warn("post %s: the Graph API sent no %s: left empty", p->id, metric_names[k]);
		if ((row->cells[6 + k] = cell_of(values[k])) == NULL)
			cli_die(EX_DATAERR, "GET /%s/insights: %s is not a number", p->id, metric_names[k]);
	}
	row->cells[9] = cell_of(json_object_get(json_object_get(json_object_get(post, "comments"), "summary"),
	    "total_count"));
	if (row->cells[9] == NULL)
		cli_die(EX_DATAERR, "GET /%s: comments.summary.total_count is not a number", p->id);
	snprintf(buf, sizeof buf, "%zu", p->n_comments);
	row->cells[10] = xstrdup(buf);
	if (json_is_object(values[3])) {
		long long sum = 0;
		const char *rk;
		json_t *rv;
		json_object_foreach(values[3], rk, rv) {
			if (!json_is_integer(rv))
				cli_die(EX_DATAERR, "GET /%s/insights: post_reactions_by_type_total.%s is not an integer",
				    p->id, rk);
			sum += (long long)json_integer_value(rv);
		}
		snprintf(buf, sizeof buf, "%lld", sum);
		row->cells[11] = xstrdup(buf);
	} else {
		if (values[3] != NULL)
			cli_die(EX_DATAERR, "GET /%s/insights: post_reactions_by_type_total is not an object", p->id);
		if (!f->quiet)
			cli_warn("post %s: the Graph API sent no post_reactions_by_type_total: left empty", p->id);
		row->cells[11] = xstrdup("");
	}
	json_decref(post);
	json_decref(insights);
}

static int
row_cmp(const void *a, const void *b)
{
	const struct metrics_row *x = a, *y = b;
	int c;

	/* (Page ID, Dataset, Post Created Time) as Python compares str: UTF-8 bytes order as code points. */
	for (int k = 0; k < 4; k++) {
		if (k == 2)
			continue;
		if ((c = strcmp(x->cells[k], y->cells[k])) != 0)
			return c;
	}
	return x->order < y->order ? -1 : x->order > y->order;
}

static void
write_metrics(struct fetch *f)
{
	static const char *header[] = { "Page ID", "Dataset", "Post URL", "Post Created Time", "Post Text",
	    "Post Type", "Post Impressions", "Unique Post Impressions", "Post Engaged Users", "Total Comments",
	    "Visible (analysed) Comments", "Reactions" };
	char *path = path2(f->metrics_dir, "facebook_metrics.csv", "");
	struct atomic_file af;
	struct csvw w;
	struct err e;

	if (atomic_mkdirs(f->metrics_dir, &e) == -1)
		cli_fail(&e);
	if (f->n_rows == 0) {
		/* The reference writes no file without posts; a stale one from an earlier run goes. */
		if (unlink(path) == -1 && errno != ENOENT)
			cli_die(EX_CANTCREAT, "%s: %s", path, strerror(errno));
		free(path);
		return;
	}
	qsort(f->rows, f->n_rows, sizeof *f->rows, row_cmp);
	if (atomic_open(&af, path, &e) == -1)
		cli_fail(&e);
	csvw_init(&w, af.fp);
	csvw_row(&w, header, 12);
	for (size_t i = 0; i < f->n_rows; i++)
		csvw_row(&w, (const char *const *)f->rows[i].cells, 12);
	if (csvw_error(&w)) {
		atomic_abort(&af);
		cli_die(EX_IOERR, "%s: %s", path, strerror(errno));
	}
	if (atomic_commit(&af, &e) == -1)
		cli_fail(&e);
	free(path);
}

/* The de-identification table: UuidTable.FileURL (the Firestore backend is not there yet). */
static void
open_uuid_table(struct fetch *f, const struct pipeline_config *cfg)
{
	struct err e;

	if (cfg->uuid_table.file_path == NULL)
		cli_die(EX_CONFIG, "%s: .UuidTable: no FileURL (the Firestore UUID table is not supported yet; "
		    "expected a local table file)", cfg->path);
	{
		char *root = cj_dirname(f->raw_dir);
		int inside = path_is_under(cfg->uuid_table.file_path, f->raw_dir) ||
		    (*root && path_is_under(cfg->uuid_table.file_path, root));
		free(root);
		if (inside)
			cli_die(EX_CONFIG, "%s: UuidTable.FileURL %s lies inside the data root (expected a file outside it, "
			    "so that backups hold no raw Facebook ids)", cfg->path, cfg->uuid_table.file_url);
	}
	if (uuidtable_open_file(&f->uuids, cfg->uuid_table.file_path, cfg->uuid_table.uuid_prefix, &e) == -1)
		cli_fail(&e);
}

/* ---- main ----------------------------------------------------------------------------------------------- */

/* -v: each retry, e.g. "fb-fetch: GET /P1/comments: Graph API error (…); try 1 failed, again in 1.0 s". */
static void
on_retry(void *ctx, const char *why, int attempt, double wait_seconds)
{
	(void)ctx;
	fprintf(stderr, "fb-fetch: %s; try %d failed, again in %.1f s\n", why, attempt, wait_seconds);
}

static void
fetch_source(struct fetch *f, const struct raw_source *src)
{
	struct dataset_posts *dps = xcalloc(src->n_datasets + 1, sizeof *dps);
	struct err e;
	size_t i, j;

	memset(&f->g, 0, sizeof f->g);
	if (f->verbose) {
		f->g.on_retry = on_retry;
		f->g.retry_ctx = f;
	}
	if (!f->quiet) {
		cli_warn_exposed(f->credentials);
		if (src->token_file_url != NULL && strncmp(src->token_file_url, "gs://", 5) != 0) {
			const char *t = src->token_file_url;
			char *path = cj_path_join(f->cfg->dir, strncmp(t, "file://", 7) == 0 ? t + 7 : t);

			cli_warn_exposed(path);
			free(path);
		}
	}
	if (fbgraph_open(&f->g, f->cfg, src, f->credentials, &e) == -1)
		cli_fail(&e);
	for (i = 0; i < src->n_datasets; i++) {
		resolve_posts(f, src, &src->datasets[i], &dps[i]);
		fetch_dataset(f, src, &dps[i]);
	}
	if (f->metrics_dir != NULL)
		for (i = 0; i < src->n_datasets; i++)
			for (j = 0; j < dps[i].n; j++)
				metrics_for_post(f, src, dps[i].ds->name, &dps[i].posts[j]);
	for (i = 0; i < src->n_datasets; i++) {
		for (j = 0; j < dps[i].n; j++)
			free(dps[i].posts[j].id);
		free(dps[i].posts);
	}
	free(dps);
	fbgraph_close(&f->g);
}

int
main(int argc, char **argv)
{
	const char *config_path = NULL, *user = NULL;
	struct pipeline_config cfg = { 0 };
	struct fetch f = { 0 };
	struct err e;
	size_t i, n_fb = 0;
	int c;

	cli_init("fb-fetch");
	while ((c = getopt_long(argc, argv, "c:r:d:u:qvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config_path = optarg;
			break;
		case 'r':
			f.raw_dir = optarg;
			break;
		case 'd':
			f.metrics_dir = optarg;
			break;
		case 'u':
			user = optarg;
			break;
		case OPT_CREDENTIALS:
			f.credentials = optarg;
			break;
		case 'q':
			f.quiet = 1;
			break;
		case 'v':
			f.verbose = 1;
			break;
		case 'h':
			cli_help(help);
		case OPT_VERSION:
			cli_version();
		default:
			cli_usage(usage);
		}
	}
	if (optind != argc || config_path == NULL || f.raw_dir == NULL)
		cli_usage(usage);
	if (config_load(&cfg, config_path, &e) == -1)
		cli_fail(&e);
	f.cfg = &cfg;
	f.meta.user = cli_user(user);
	f.meta.source = cli_source();
	f.meta.timestamp = cli_now();
	if (atomic_mkdirs(f.raw_dir, &e) == -1)
		cli_fail(&e);
	for (i = 0; i < cfg.n_sources; i++)
		n_fb += cfg.sources[i].type == SOURCE_FACEBOOK;
	if (n_fb > 0)
		open_uuid_table(&f, &cfg);
	for (i = 0; i < cfg.n_sources; i++)
		if (cfg.sources[i].type == SOURCE_FACEBOOK)
			fetch_source(&f, &cfg.sources[i]);
	if (f.metrics_dir != NULL)
		write_metrics(&f);
	if (f.verbose)
		fprintf(stderr, "fb-fetch: %zu Facebook sources, %lu posts, %lu comments, %lu files, %zu metrics rows\n",
		    n_fb, f.n_posts, f.n_comments, f.n_files, f.n_rows);
	for (i = 0; i < f.n_rows; i++)
		for (int k = 0; k < 12; k++)
			free(f.rows[i].cells[k]);
	free(f.rows);
	uuidtable_close(f.uuids);
	config_free(&cfg);
	cli_exit(0);
}
