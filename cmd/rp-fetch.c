/* rp-fetch: Rapid Pro runs and contacts -> raw TracedData per flow, with the reference's incremental cache (pipeline.md §2.2). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dirent.h>

#include <archive.h>

#include "cli.h"
#include "coding/operator.h"
#include "config/config.h"
#include "record/json.h"
#include "record/tdnew.h"
#include "store/urlread.h"
#include "store/uuidtable.h"
#include "util/atomic.h"
#include "util/buf.h"
#include "util/isotime.h"
#include "util/path.h"
#include "util/spool.h"
#include "util/strmap.h"

#include "net/gauth.h"
#include "net/http.h"
#define HAVE_HTTP 1

static const char usage[] = "rp-fetch [-qv] -c CONFIG -r RAW-DATA-DIR [-u USER] [--credentials FILE]";

static const char help[] =
    "usage: rp-fetch [-qv] -c CONFIG -r RAW-DATA-DIR [-u USER] [--credentials FILE]\n"
    "Fetch the runs of every flow of the configuration's RapidPro sources (Rapid Pro API v2, or a file:// directory\n"
    "of API pages) into RAW-DATA-DIR: per flow <flow>.jsonl (TracedData), <flow>_raw.json (the incremental cache)\n"
    "and <flow>_log.jsonl; per workspace <workspace>_contacts_raw.json and _contacts_log.jsonl. Phone numbers are\n"
    "replaced by uids from the UUID table (UuidTable.FileURL) and never written under RAW-DATA-DIR.\n"
    "\n"
    "  -c, --config FILE      pipeline configuration\n"
    "  -r, --raw-dir DIR      the data root's Raw Data directory (created if missing)\n"
    "  -u, --user USER        Metadata.User of the records (default $TD_USER, $USER@host)\n"
    "      --credentials FILE Google service-account file for gs:// token URLs\n"
    "  -q, --quiet            print nothing but errors\n"
    "  -v, --verbose          print requests, retries and counts on standard error\n"
    "  -h, --help             this help\n"
    "      --version          print the version\n"
    "\n"
    "Exit status: 0 ok, 64 usage, 65 bad data from the server, 66 input missing, 69 server unavailable,\n"
    "73 cannot create output, 74 I/O error, 77 authentication refused, 78 bad configuration.\n";

enum { OPT_CREDENTIALS = 2000, OPT_VERSION };

static const struct option longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "raw-dir", required_argument, NULL, 'r' },
	{ "user", required_argument, NULL, 'u' },
	{ "credentials", required_argument, NULL, OPT_CREDENTIALS },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

#define OPERATOR_ORIGIN "tdtools:rp-fetch:label_somalia_operator"

static int quiet, verbose;

/* ------------------------------------------------------------------------------------------------------------ */
/* Transport: the API over HTTP(S), or a directory of pages (file://). */

struct rp {
	int file_mode;
	char *base;		/* http: ".../api/v2/"; file: the directory holding org.json */
	char *token;
	char *auth;		/* "Authorization: Token …" */
#if HAVE_HTTP
	struct http_client http;
#endif
	unsigned long requests;
};

#if HAVE_HTTP
static void
on_retry(void *ctx, const char *why, int attempt, double wait)
{
	struct rp *r = ctx;

	if (verbose)
		fprintf(stderr, "%s: %s; try %d of %d in %.1f s\n", cli_tool, why, attempt + 1, r->http.max_tries,
		    wait);
}
#endif

static int
is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int
read_file(const char *path, struct buf *out, int missing_code, struct err *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char chunk[65536];
	ssize_t n;

	out->len = 0;
	if (fd == -1)
		return err_set(e, errno == ENOENT ? missing_code : errno == EACCES ? EX_NOPERM : EX_IOERR,
		    "%s: %s", path, strerror(errno));
	while ((n = read(fd, chunk, sizeof chunk)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err_set(e, EX_IOERR, "%s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		buf_add(out, chunk, (size_t)n);
	}
	close(fd);
	buf_reserve(out, 1);
	out->p[out->len] = '\0';
	return 0;
}

/* The token: TokenFileURL read as text and stripped. */
static int
load_token(const struct pipeline_config *c, const char *url, const char *credentials, struct buf *tok, struct err *e)
{
	if (url_read(url, c->dir, credentials, tok, e) == -1)
		return err_prefix(e, "TokenFileURL");
	if (!quiet && strncmp(url, "gs://", 5) != 0) {
		/* A local token file that group or others can read: say so (never what it holds). */
		char *path = cj_path_join(c->dir, strncmp(url, "file://", 7) == 0 ? url + 7 : url);
		cli_warn_exposed(path);
		free(path);
	}
	while (tok->len && strchr(" \t\r\n\f\v", tok->p[tok->len - 1]))
		tok->len--;
	size_t s = 0;
	while (s < tok->len && strchr(" \t\r\n\f\v", tok->p[s]))
		s++;
	memmove(tok->p, tok->p + s, tok->len - s);
	tok->len -= s;
	tok->p[tok->len] = '\0';
	if (tok->len == 0)
		return err_set(e, EX_CONFIG, "TokenFileURL %s: the token file is empty (expected the API token)", url);
	return 0;
}

static int
rp_open(struct rp *r, const struct pipeline_config *c, const char *domain, const char *token, struct err *e)
{
	memset(r, 0, sizeof *r);
	r->token = xstrdup(token);
	if (strncmp(domain, "file://", 7) == 0) {
		const char *dir = domain + 7;
		char *api;
		if (strncmp(dir, "localhost/", 10) == 0)
			dir += 9;
		if (*dir != '/')
			return err_set(e, EX_CONFIG, "%s: Domain %s: expected file:///absolute/dir", c->path, domain);
		r->file_mode = 1;
		api = xmalloc(strlen(dir) + 16);
		sprintf(api, "%s/api/v2", dir);
		if (is_dir(api)) {
			r->base = api;
		} else {
			free(api);
			r->base = xstrdup(dir);
		}
		if (!is_dir(r->base))
			return err_set(e, EX_NOINPUT, "Domain %s: no such directory", domain);
		return 0;
	}
#if HAVE_HTTP
	{
		struct buf b = {0};
		size_t n;
		if (strncmp(domain, "http://", 7) == 0 || strncmp(domain, "https://", 8) == 0) {
			buf_adds(&b, domain);
		} else {
			buf_adds(&b, "https://");
			buf_adds(&b, domain);
		}
		n = b.len;
		while (n > 0 && b.p[n - 1] == '/')
			n--;
		b.len = n;
		buf_adds(&b, "/api/v2/");
		buf_addc(&b, '\0');
		r->base = b.p;
		if (http_url_allowed(r->base, e) == -1)
			return err_prefix(e, "%s: Domain", c->path);
		http_client_init(&r->http);
		http_add_secret(&r->http, token);
		r->http.on_retry = on_retry;
		r->http.retry_ctx = r;
		r->http.user_agent = "rapidpro-python/2.8.2 (tdtools rp-fetch " TDTOOLS_VERSION ")";
		r->auth = xmalloc(strlen(token) + 32);
		sprintf(r->auth, "Authorization: Token %s", token);
		return 0;
	}
#else
	return err_set(e, EX_CONFIG, "%s: Domain %s: this build reads only file:// directories of API pages",
	    c->path, domain);
#endif
}

static void
rp_close(struct rp *r)
{
#if HAVE_HTTP
	if (!r->file_mode && r->base != NULL)
		http_client_free(&r->http);
#endif
	if (r->auth)
		memset(r->auth, 0, strlen(r->auth));
	if (r->token)
		memset(r->token, 0, strlen(r->token));
	free(r->auth);
	free(r->token);
	free(r->base);
	memset(r, 0, sizeof *r);
}

/* GET a URL (http) or read a file (file mode) into body. with_auth = 0 for archive downloads. */
static int
rp_get(struct rp *r, const char *url, int with_auth, struct buf *body, struct err *e)
{
	r->requests++;
	if (r->file_mode) {
		if (verbose)
			fprintf(stderr, "%s: read %s\n", cli_tool, url);
		return read_file(url, body, EX_NOINPUT, e);
	}
#if HAVE_HTTP
	{
		const char *hdrs[] = { r->auth, "Accept: application/json", NULL };
		const char *nohdrs[] = { NULL };
		struct http_response resp = {0};
		int rc;

		if (verbose)
			fprintf(stderr, "%s: GET %s\n", cli_tool, url);
		rc = http_request(&r->http, "GET", url, with_auth ? hdrs : nohdrs, NULL, 0, &resp, e);
		if (rc == -1) {
			if (resp.status == 401 || resp.status == 403)
				err_set(e, EX_NOPERM, "GET %s: HTTP %ld: the Rapid Pro server refused the token "
				    "(check TokenFileURL)", url, resp.status);
			http_response_free(&resp);
			return -1;
		}
		buf_free(body);
		*body = resp.body;
		memset(&resp.body, 0, sizeof resp.body);
		http_response_free(&resp);
		if (body->p == NULL) {
			buf_reserve(body, 1);
			body->p[0] = '\0';
		}
		return 0;
	}
#else
	(void)with_auth;
	(void)body;
	return err_set(e, EX_CONFIG, "%s: http is not supported by this build", url);
#endif
}

/* The URL (or file) of an endpoint with query parameters (ignored in file mode, where the client filters). */
static char *
rp_url(struct rp *r, const char *endpoint, const char *const *params)
{
	struct buf b = {0};

	buf_adds(&b, r->base);
	if (r->file_mode)
		buf_addc(&b, '/');
	buf_adds(&b, endpoint);
	buf_adds(&b, ".json");
	buf_addc(&b, '\0');
	b.len--;
#if HAVE_HTTP
	if (!r->file_mode)
		for (size_t i = 0; params && params[i]; i += 2)
			http_query_add(&b, params[i], params[i + 1], 0);
#else
	(void)params;
#endif
	buf_addc(&b, '\0');
	return b.p;
}

/* A paged list: {"next", "results"} objects (or, in file mode, a bare array). */
struct pager {
	struct rp *r;
	char *url;		/* the page to read next, NULL when done */
	const char *what;
	struct buf body;
	struct json_doc doc;
	uint32_t results;	/* the results array node of the current page */
	unsigned long pages;
};

static void
pager_start(struct pager *p, struct rp *r, char *url, const char *what)
{
	memset(p, 0, sizeof *p);
	p->r = r;
	p->url = url;
	p->what = what;
}

static void
pager_free(struct pager *p)
{
	free(p->url);
	buf_free(&p->body);
	json_free(&p->doc);
}

/* Resolve a next link of a file-mode page: file:// URLs and absolute paths as they are, others relative. */
static char *
file_next(const char *cur, const char *next, size_t n)
{
	char *dir, *rel, *out;

	if (n >= 7 && memcmp(next, "file://", 7) == 0) {
		next += 7;
		n -= 7;
	}
	rel = xmalloc(n + 1);
	memcpy(rel, next, n);
	rel[n] = '\0';
	dir = cj_dirname(cur);
	out = cj_path_join(dir, rel);
	free(dir);
	free(rel);
	return out;
}

/* Load the next page: 1, 0 at the end, -1 on error. Results are p->doc nodes under p->results. */
static int
pager_next(struct pager *p, struct err *e)
{
	uint32_t root, next;
	char *cur;

	if (p->url == NULL)
		return 0;
	if (rp_get(p->r, p->url, 1, &p->body, e) == -1)
		return -1;
	json_reset(&p->doc);
	if (json_parse(&p->doc, p->body.p, p->body.len, &root, e) == -1)
		return err_prefix(e, "%s: %s page %lu", p->url, p->what, p->pages + 1);
	cur = p->url;
	p->url = NULL;
	p->pages++;
	if (p->doc.nodes[root].type == JV_ARRAY && p->r->file_mode) {
		p->results = root;
		free(cur);
		return 1;
	}
	if (p->doc.nodes[root].type != JV_OBJECT
	    || (p->results = json_get(&p->doc, root, "results", 7)) == 0
	    || p->doc.nodes[p->results].type != JV_ARRAY) {
		err_set(e, EX_DATAERR, "%s: %s page %lu is not a page (expected {\"next\": …, \"results\": […]})",
		    cur, p->what, p->pages);
		free(cur);
		return -1;
	}
	next = json_get(&p->doc, root, "next", 4);
	if (next && p->doc.nodes[next].type == JV_STRING && p->doc.nodes[p->results].count > 0) {
		size_t n;
		const char *s = json_str(&p->doc, next, &n);
		if (p->r->file_mode) {
			p->url = file_next(cur, s, n);
		} else {
			p->url = xmalloc(n + 1);
			memcpy(p->url, s, n);
			p->url[n] = '\0';
		}
	}
	free(cur);
	return 1;
}

/* ------------------------------------------------------------------------------------------------------------ */
/* JSON helpers on the scanner's nodes. */

static uint32_t
get(struct json_doc *d, uint32_t obj, const char *key)
{
	if (obj == 0 && d->nodes[0].type != JV_OBJECT)
		return 0;
	if (d->nodes[obj].type != JV_OBJECT)
		return 0;
	return json_get(d, obj, key, strlen(key));
}

static const char *
get_str(struct json_doc *d, uint32_t obj, const char *key, size_t *len)
{
	uint32_t v = get(d, obj, key);

	if (v == 0 || d->nodes[v].type != JV_STRING)
		return NULL;
	return json_str(d, v, len);
}

static int
get_time(struct json_doc *d, uint32_t obj, const char *key, struct isotime *t)
{
	size_t n;
	const char *s = get_str(d, obj, key, &n);
	struct err e;

	if (s == NULL)
		return -1;
	return iso_parse(s, n, t, &e);
}

/* %Y-%m-%dT%H:%M:%S.%fZ of an instant (temba's serialisation). */
static void
add_temba_time(struct buf *out, int64_t usec)
{
	char t[64];
	size_t n = iso_format_utc(usec, t, sizeof t);

	/* "YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00" */
	buf_addc(out, '"');
	buf_add(out, t, 19);
	if (n > 25 && t[19] == '.')
		buf_add(out, t + 19, 7);
	else
		buf_add(out, ".000000", 7);
	buf_add(out, "Z\"", 2);
}

static void
add_value(struct buf *out, struct json_doc *d, uint32_t v)
{
	if (v == 0)
		buf_add(out, "null", 4);
	else
		json_encode(out, d, v, 0);
}

/* Set when a time serialised since the last reset had an offset other than UTC (the serialisation loses it). */
static int offset_seen;

/* A time member in temba form, or null when absent or unparsable. */
static void
add_time_member(struct buf *out, struct json_doc *d, uint32_t obj, const char *key)
{
	struct isotime t;

	if (get_time(d, obj, key, &t) == 0) {
		if (t.offset_min != 0)
			offset_seen = 1;
		add_temba_time(out, t.usec);
	}
	else
		buf_add(out, "null", 4);
}

/* {"uuid": …, "name": …} of an object reference. */
static void
add_ref(struct buf *out, struct json_doc *d, uint32_t ref)
{
	if (ref == 0 || d->nodes[ref].type != JV_OBJECT) {
		buf_add(out, "null", 4);
		return;
	}
	buf_adds(out, "{\"uuid\": ");
	add_value(out, d, get(d, ref, "uuid"));
	buf_adds(out, ", \"name\": ");
	add_value(out, d, get(d, ref, "name"));
	buf_addc(out, '}');
}

/* temba Run.serialize(): the fields rapidpro-python 2.8.2 keeps, times in UTC (apis.md §1.5, §1.6). */
static void
serialize_run(struct buf *out, struct json_doc *d, uint32_t run)
{
	uint32_t v, path, values;

	buf_adds(out, "{\"id\": ");
	add_value(out, d, get(d, run, "id"));
	buf_adds(out, ", \"flow\": ");
	add_ref(out, d, get(d, run, "flow"));
	buf_adds(out, ", \"contact\": ");
	add_ref(out, d, get(d, run, "contact"));
	buf_adds(out, ", \"start\": ");
	add_value(out, d, get(d, run, "start"));
	buf_adds(out, ", \"responded\": ");
	add_value(out, d, get(d, run, "responded"));
	buf_adds(out, ", \"path\": ");
	path = get(d, run, "path");
	if (path && d->nodes[path].type == JV_ARRAY) {
		buf_addc(out, '[');
		v = path + 1;
		for (uint32_t i = 0; i < d->nodes[path].count; i++, v = d->nodes[v].next) {
			if (i)
				buf_add(out, ", ", 2);
			buf_adds(out, "{\"node\": ");
			add_value(out, d, get(d, v, "node"));
			buf_adds(out, ", \"time\": ");
			add_time_member(out, d, v, "time");
			buf_addc(out, '}');
		}
		buf_addc(out, ']');
	} else {
		buf_add(out, "null", 4);
	}
	buf_adds(out, ", \"values\": ");
	values = get(d, run, "values");
	if (values && d->nodes[values].type == JV_OBJECT) {
		uint32_t k = values + 1;
		buf_addc(out, '{');
		for (uint32_t i = 0; i < d->nodes[values].count; i++) {
			uint32_t val = d->nodes[k].next;
			size_t kl;
			const char *ks = json_str(d, k, &kl);
			if (i)
				buf_add(out, ", ", 2);
			json_encode_str(out, ks, kl);
			buf_adds(out, ": {\"value\": ");
			add_value(out, d, get(d, val, "value"));
			buf_adds(out, ", \"category\": ");
			add_value(out, d, get(d, val, "category"));
			buf_adds(out, ", \"node\": ");
			add_value(out, d, get(d, val, "node"));
			buf_adds(out, ", \"time\": ");
			add_time_member(out, d, val, "time");
			buf_adds(out, ", \"name\": ");
			add_value(out, d, get(d, val, "name"));
			buf_adds(out, ", \"input\": ");
			add_value(out, d, get(d, val, "input"));
			buf_addc(out, '}');
			k = d->nodes[val].next;
		}
		buf_addc(out, '}');
	} else {
		buf_add(out, "{}", 2);
	}
	buf_adds(out, ", \"created_on\": ");
	add_time_member(out, d, run, "created_on");
	buf_adds(out, ", \"modified_on\": ");
	add_time_member(out, d, run, "modified_on");
	buf_adds(out, ", \"exited_on\": ");
	add_time_member(out, d, run, "exited_on");
	buf_adds(out, ", \"exit_type\": ");
	add_value(out, d, get(d, run, "exit_type"));
	buf_addc(out, '}');
}

/*
 * Split a JSON array text into its top-level elements without parsing them: calls fn(ctx, off, len) for each.
 * Any spelling (one line, one element per line). -1 with EX_DATAERR if the text is not an array.
 */
static int
split_array(const char *p, size_t n, int (*fn)(void *, size_t, size_t), void *ctx, const char *name, struct err *e)
{
	size_t i = 0, start = 0;
	int depth = 0, instr = 0, any = 0;

	while (i < n && strchr(" \t\r\n", p[i]))
		i++;
	if (i == n || p[i] != '[')
		return err_set(e, EX_DATAERR, "%s: not a JSON array (expected [ … ])", name);
	i++;
	for (; i < n; i++) {
		char c = p[i];
		if (instr) {
			if (c == '\\')
				i++;
			else if (c == '"')
				instr = 0;
			continue;
		}
		switch (c) {
		case '"':
			instr = 1;
			/* FALLTHROUGH */
		default:
			if (depth == 0 && !any && !strchr(" \t\r\n", c)) {
				any = 1;
				start = i;
			}
			break;
		case '{':
		case '[':
			if (depth == 0 && !any) {
				any = 1;
				start = i;
			}
			depth++;
			break;
		case '}':
			depth--;
			break;
		case ']':
			if (depth == 0) {
				if (any && fn(ctx, start, i - start) == -1)
					return -1;
				for (i++; i < n && strchr(" \t\r\n", p[i]); i++)
					;
				if (i != n)
					return err_set(e, EX_DATAERR, "%s: text after the array", name);
				return 0;
			}
			depth--;
			break;
		case ',':
			if (depth == 0) {
				if (!any)
					return err_set(e, EX_DATAERR, "%s: an empty array element", name);
				if (fn(ctx, start, i - start) == -1)
					return -1;
				any = 0;
			}
			break;
		}
		if (depth < 0)
			break;
	}
	return err_set(e, EX_DATAERR, "%s: the array is cut short (expected ])", name);
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Runs: where each one's text is, and the merge. */

enum { SRC_CACHE, SRC_NEW, SRC_NEW_SER };	/* SRC_NEW_SER: a new run converted from its serialisation */

struct runref {
	int64_t id;
	int64_t mod;		/* modified_on, epoch µs */
	uint64_t off;		/* the run as read: in the cache file, or in the staging file */
	uint64_t soff;		/* its serialised form: in the cache file (= off), or in the serialised spool */
	uint32_t len, slen;
	uint32_t src;
	uint64_t seq;		/* position in cache + new */
};

struct runlist {
	struct runref *v;
	size_t n, cap;
};

static void
runlist_add(struct runlist *l, const struct runref *r)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 1024;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	l->v[l->n] = *r;
	l->v[l->n].seq = l->n;
	l->n++;
}

static int
ref_cmp(const void *a, const void *b)
{
	const struct runref *x = a, *y = b;

	if (x->mod != y->mod)
		return x->mod < y->mod ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* An int64 → index map (open addressing) for filter_latest. */
struct idmap {
	int64_t *keys;
	size_t *vals;
	size_t n, cap;
};

static size_t *
idmap_slot(struct idmap *m, int64_t k, int *found)
{
	uint64_t h = (uint64_t)k * 0x9E3779B97F4A7C15ull;
	size_t i;

	if ((m->n + 1) * 2 > m->cap) {
		struct idmap g = { 0 };
		g.cap = m->cap ? m->cap * 2 : 1024;
		g.keys = xmalloc(g.cap * sizeof *g.keys);
		g.vals = xmalloc(g.cap * sizeof *g.vals);
		for (size_t j = 0; j < g.cap; j++)
			g.vals[j] = SIZE_MAX;
		for (size_t j = 0; j < m->cap; j++)
			if (m->vals[j] != SIZE_MAX) {
				int f;
				size_t *s = idmap_slot(&g, m->keys[j], &f);
				*s = m->vals[j];
			}
		g.n = m->n;
		free(m->keys);
		free(m->vals);
		*m = g;
	}
	i = (size_t)(h >> 7) & (m->cap - 1);
	while (m->vals[i] != SIZE_MAX) {
		if (m->keys[i] == k) {
			*found = 1;
			return &m->vals[i];
		}
		i = (i + 1) & (m->cap - 1);
	}
	*found = 0;
	m->keys[i] = k;
	m->n++;
	return &m->vals[i];
}

static void
idmap_free(struct idmap *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof *m);
}

/*
 * RapidProTools' filter_latest: stable sort by modified_on, then keep the latest version of each id at the
 * position of its oldest. Rewrites l in place.
 */
static void
filter_latest(struct runlist *l)
{
	struct idmap m = { 0 };
	size_t out = 0;

	qsort(l->v, l->n, sizeof *l->v, ref_cmp);
	for (size_t i = 0; i < l->n; i++) {
		int found;
		size_t *slot = idmap_slot(&m, l->v[i].id, &found);
		if (found) {
			l->v[*slot] = l->v[i];
		} else {
			*slot = out;
			l->v[out++] = l->v[i];
		}
	}
	l->n = out;
	idmap_free(&m);
}

static int
server_cmp(const void *a, const void *b)
{
	const struct runref *x = a, *y = b;

	if (x->mod != y->mod)
		return x->mod > y->mod ? -1 : 1;
	return x->id > y->id ? -1 : x->id < y->id;
}

/*
 * File mode: what the server would send for l->v[from..]: the newest version of each run id, ordered
 * (-modified_on, -id).
 */
static void
server_view(struct runlist *l, size_t from)
{
	struct idmap m = { 0 };
	size_t out = from;

	for (size_t i = from; i < l->n; i++) {
		int found;
		size_t *slot = idmap_slot(&m, l->v[i].id, &found);
		if (!found) {
			*slot = out;
			l->v[out++] = l->v[i];
		} else if (l->v[i].mod > l->v[*slot].mod) {
			l->v[*slot] = l->v[i];
		}
	}
	l->n = out;
	idmap_free(&m);
	qsort(l->v + from, l->n - from, sizeof *l->v, server_cmp);
	for (size_t i = from; i < l->n; i++)
		l->v[i].seq = i;
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Contacts, de-identified: URNs are "<scheme>:<uid>" in memory and in the cache. */

struct contact {
	char *text;		/* serialised, de-identified */
	size_t len;
	int64_t mod;
	char *uuid;
	char *urn0_type;	/* scheme of the first URN, or NULL if none */
	const char *uid0;	/* its uid (owned by the table), NULL if none or unusable */
	int nurns;
	int warned;
	char opraw[24];		/* operator_raw, worked out at its first activation run */
	int have_opraw;
};

struct contacts {
	struct contact *v;
	size_t n, cap;
	struct strmap by_uuid;
};

static void
contact_free(struct contact *c)
{
	free(c->text);
	free(c->uuid);
	free(c->urn0_type);
}

static void
contacts_free(struct contacts *cs)
{
	for (size_t i = 0; i < cs->n; i++)
		contact_free(&cs->v[i]);
	free(cs->v);
	strmap_free(&cs->by_uuid);
	memset(cs, 0, sizeof *cs);
}

static int
contact_cmp(const void *a, const void *b)
{
	const struct contact *x = a, *y = b;

	if (x->mod != y->mod)
		return x->mod < y->mod ? -1 : 1;
	return 0;
}

/*
 * De-identify and serialise the contacts of one list (nodes of d): every URN path becomes its uid. URNs already
 * of the form <scheme>:<uid known to the table> (our own cache) are kept. Appends struct contacts to out in
 * the order given.
 */
static int
deidentify_contacts(struct json_doc *d, const uint32_t *nodes, size_t n, struct uuid_table *tab,
    struct contacts *out, const char *where, struct err *e)
{
	const char **data = NULL, **uids = NULL;
	size_t *lens = NULL, nd = 0, cap = 0;
	char **norm = NULL;
	int rc = -1;
	struct buf s = { 0 };

	/* Pass 1: every URN that needs a uid. */
	for (size_t i = 0; i < n; i++) {
		uint32_t urns = get(d, nodes[i], "urns"), u;
		if (urns == 0 || d->nodes[urns].type != JV_ARRAY)
			continue;
		u = urns + 1;
		for (uint32_t j = 0; j < d->nodes[urns].count; j++, u = d->nodes[u].next) {
			size_t ul;
			const char *us, *colon, *path;
			if (d->nodes[u].type != JV_STRING)
				continue;
			us = json_str(d, u, &ul);
			colon = memchr(us, ':', ul);
			path = colon ? colon + 1 : us;
			if (uuidtable_uuid_to_data(tab, path, ul - (size_t)(path - us), NULL) != NULL)
				continue;
			if (nd == cap) {
				cap = cap ? cap * 2 : 256;
				data = xrealloc(data, cap * sizeof *data);
				lens = xrealloc(lens, cap * sizeof *lens);
				norm = xrealloc(norm, cap * sizeof *norm);
			}
			norm[nd] = xmalloc(ul + 1);
			lens[nd] = uuid_normalise_phone(us, ul, norm[nd]);
			data[nd] = norm[nd];
			if (lens[nd] == 0) {
				free(norm[nd]);
				continue;	/* no digits: no uid (its runs are skipped) */
			}
			nd++;
		}
	}
	uids = xcalloc(nd + 1, sizeof *uids);
	if (nd > 0 && uuidtable_data_to_uuid_batch(tab, nd, data, lens, uids, e) == -1) {
		err_prefix(e, "%s", where);
		goto out;
	}
	/* Pass 2: serialise. */
	for (size_t i = 0; i < n; i++) {
		uint32_t c = nodes[i], urns = get(d, c, "urns"), u;
		struct contact ct = { 0 };
		struct isotime t;
		size_t ul;
		const char *us;

		if ((us = get_str(d, c, "uuid", &ul)) == NULL) {
			err_set(e, EX_DATAERR, "%s: a contact without a uuid (expected a string)", where);
			goto out;
		}
		ct.uuid = xmalloc(ul + 1);
		memcpy(ct.uuid, us, ul);
		ct.uuid[ul] = '\0';
		if (get_time(d, c, "modified_on", &t) == -1) {
			err_set(e, EX_DATAERR, "%s: contact %s: no modified_on (expected an ISO-8601 time)", where,
			    ct.uuid);
			free(ct.uuid);
			goto out;
		}
		ct.mod = t.usec;
		s.len = 0;
		buf_adds(&s, "{\"uuid\": ");
		json_encode_str(&s, ct.uuid, ul);
		buf_adds(&s, ", \"name\": ");
		add_value(&s, d, get(d, c, "name"));
		buf_adds(&s, ", \"language\": ");
		add_value(&s, d, get(d, c, "language"));
		buf_adds(&s, ", \"urns\": [");
		if (urns && d->nodes[urns].type == JV_ARRAY) {
			u = urns + 1;
			for (uint32_t j = 0; j < d->nodes[urns].count; j++, u = d->nodes[u].next) {
				const char *x, *colon, *path, *uid;
				size_t xl, tl;
				char *nb;
				if (d->nodes[u].type != JV_STRING)
					continue;
				x = json_str(d, u, &xl);
				colon = memchr(x, ':', xl);
				tl = colon ? (size_t)(colon - x) : 0;
				path = colon ? colon + 1 : x;
				size_t dl;
				const char *dd = uuidtable_uuid_to_data(tab, path, xl - (size_t)(path - x), &dl);
				if (dd != NULL) {
					uid = uuidtable_lookup(tab, dd, dl);	/* already a uid (our own cache) */
				} else {
					nb = xmalloc(xl + 1);
					size_t nl = uuid_normalise_phone(x, xl, nb);
					uid = nl ? uuidtable_lookup(tab, nb, nl) : NULL;
					free(nb);
				}
				if (ct.nurns > 0)
					buf_add(&s, ", ", 2);
				buf_addc(&s, '"');
				buf_add(&s, x, tl);	/* schemes are ASCII words */
				buf_addc(&s, ':');
				if (uid)
					buf_adds(&s, uid);
				buf_addc(&s, '"');
				if (ct.nurns == 0) {
					ct.urn0_type = xmalloc(tl + 1);
					memcpy(ct.urn0_type, x, tl);
					ct.urn0_type[tl] = '\0';
					ct.uid0 = uid;
				}
				ct.nurns++;
			}
		}
		buf_adds(&s, "], \"groups\": ");
		add_value(&s, d, get(d, c, "groups"));
		buf_adds(&s, ", \"fields\": ");
		add_value(&s, d, get(d, c, "fields"));
		buf_adds(&s, ", \"blocked\": ");
		add_value(&s, d, get(d, c, "blocked"));
		buf_adds(&s, ", \"stopped\": ");
		add_value(&s, d, get(d, c, "stopped"));
		buf_adds(&s, ", \"created_on\": ");
		add_time_member(&s, d, c, "created_on");
		buf_adds(&s, ", \"modified_on\": ");
		add_temba_time(&s, ct.mod);
		buf_addc(&s, '}');
		ct.text = xmalloc(s.len);
		memcpy(ct.text, s.p, s.len);
		ct.len = s.len;
		if (out->n == out->cap) {
			out->cap = out->cap ? out->cap * 2 : 256;
			out->v = xrealloc(out->v, out->cap * sizeof *out->v);
		}
		out->v[out->n++] = ct;
	}
	rc = 0;
out:
	for (size_t i = 0; i < nd; i++)
		free(norm[i]);
	free(norm);
	free(data);
	free(lens);
	free(uids);
	buf_free(&s);
	return rc;
}

/* filter_latest keyed by contact uuid; rebuilds the index. */
static void
contacts_latest(struct contacts *cs)
{
	struct strmap m = { 0 };
	size_t out = 0;

	/* A stable sort: mergesort by hand is overkill; qsort with the position as tie-break. */
	struct { struct contact c; size_t pos; } *tmp = xmalloc((cs->n + 1) * sizeof *tmp);
	for (size_t i = 0; i < cs->n; i++) {
		tmp[i].c = cs->v[i];
		tmp[i].pos = i;
	}
	for (size_t i = 1; i < cs->n; i++) {	/* insertion sort is fine for a nearly sorted list */
		__typeof__(*tmp) x = tmp[i];
		size_t j = i;
		while (j > 0 && (contact_cmp(&tmp[j - 1].c, &x.c) > 0)) {
			tmp[j] = tmp[j - 1];
			j--;
		}
		tmp[j] = x;
	}
	for (size_t i = 0; i < cs->n; i++) {
		int created;
		struct strmap_entry *en = strmap_put(&m, tmp[i].c.uuid, strlen(tmp[i].c.uuid), out, &created);
		if (created) {
			cs->v[out++] = tmp[i].c;
		} else {
			contact_free(&cs->v[en->value]);
			cs->v[en->value] = tmp[i].c;
		}
	}
	free(tmp);
	cs->n = out;
	strmap_free(&cs->by_uuid);
	cs->by_uuid = m;
}

/* ------------------------------------------------------------------------------------------------------------ */

struct fetch {
	const struct pipeline_config *cfg;
	const struct raw_source *src;
	const char *raw_dir;
	struct uuid_table *tab;
	struct rp rp;
	struct td_meta meta;
	char *workspace;
	struct contacts contacts;
	struct buf flows_body;
	struct json_doc flows;
	uint32_t *flow_nodes;
	size_t n_flows;
	int warned_no_contact;
};

static char *
raw_path(const struct fetch *f, const char *name, const char *suffix)
{
	size_t n = strlen(f->raw_dir) + strlen(name) + strlen(suffix) + 2;
	char *p = xmalloc(n);

	snprintf(p, n, "%s/%s%s", f->raw_dir, name, suffix);
	return p;
}

/* Append one line to a log file, fsync'ed. */
static int
append_log(const char *path, const struct buf *line, struct err *e)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	const char *p = line->p;
	size_t n = line->len;

	if (fd == -1)
		return err_set(e, EX_CANTCREAT, "%s: %s", path, strerror(errno));
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			err_set(e, EX_IOERR, "%s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	if (fsync(fd) == -1 || close(fd) == -1)
		return err_set(e, EX_IOERR, "%s: %s", path, strerror(errno));
	return 0;
}

static int
org_name(struct fetch *f, struct err *e)
{
	char *url = rp_url(&f->rp, "org", NULL);
	struct buf body = { 0 };
	struct json_doc d = { 0 };
	uint32_t root;
	const char *name;
	size_t n;
	int rc = -1;

	if (rp_get(&f->rp, url, 1, &body, e) == -1)
		goto out;
	if (json_parse(&d, body.p, body.len, &root, e) == -1) {
		err_prefix(e, "%s", url);
		goto out;
	}
	if ((name = get_str(&d, root, "name", &n)) == NULL || n == 0) {
		err_set(e, EX_DATAERR, "%s: no workspace name (expected {\"name\": …})", url);
		goto out;
	}
	if (memchr(name, '/', n) || memchr(name, '\0', n) || (n <= 2 && name[0] == '.')) {
		err_set(e, EX_DATAERR, "%s: the workspace name '%.*s' cannot be part of a file name", url, (int)n,
		    name);
		goto out;
	}
	f->workspace = xmalloc(n + 1);
	memcpy(f->workspace, name, n);
	f->workspace[n] = '\0';
	rc = 0;
out:
	free(url);
	buf_free(&body);
	json_free(&d);
	return rc;
}

/* Fetch contacts (all of them, or those modified at or after `after`), de-identify them and add them to f. */
static int
fetch_contacts(struct fetch *f, int has_after, int64_t after, struct err *e)
{
	struct pager p;
	struct contacts got = { 0 };
	struct buf log = { 0 };
	char *logp = NULL;
	int rc = -1, r;
	size_t nfetched;
	char afters[40];
	const char *params[] = { "after", afters, NULL };

	if (has_after) {
		struct buf b = { 0 };
		add_temba_time(&b, after);
		snprintf(afters, sizeof afters, "%.*s", (int)b.len - 2, b.p + 1);
		buf_free(&b);
	}
	pager_start(&p, &f->rp, rp_url(&f->rp, "contacts", has_after ? params : NULL), "contacts");
	while ((r = pager_next(&p, e)) == 1) {
		uint32_t n = p.doc.nodes[p.results].count, c = p.results + 1;
		uint32_t *nodes = xmalloc((n + 1) * sizeof *nodes);
		size_t k = 0;
		for (uint32_t i = 0; i < n; i++, c = p.doc.nodes[c].next) {
			struct isotime t;
			if (has_after && get_time(&p.doc, c, "modified_on", &t) == 0 && t.usec < after)
				continue;	/* file mode: the client filters */
			nodes[k++] = c;
		}
		r = deidentify_contacts(&p.doc, nodes, k, f->tab, &got, "contacts", e);
		free(nodes);
		if (r == -1)
			goto out;
	}
	if (r == -1)
		goto out;
	/* The log: one line per request, the contacts it got (de-identified), as the API sent them. */
	buf_addc(&log, '[');
	for (size_t i = 0; i < got.n; i++) {
		if (i)
			buf_add(&log, ", ", 2);
		buf_add(&log, got.v[i].text, got.v[i].len);
	}
	buf_add(&log, "]\n", 2);
	logp = raw_path(f, f->workspace, "_contacts_log.jsonl");
	if (append_log(logp, &log, e) == -1)
		goto out;
	nfetched = got.n;
	/* API order is newest first: reversed, they come oldest first (get_raw_contacts). */
	for (size_t i = got.n; i-- > 0;) {
		if (f->contacts.n == f->contacts.cap) {
			f->contacts.cap = f->contacts.cap ? f->contacts.cap * 2 : 256;
			f->contacts.v = xrealloc(f->contacts.v, f->contacts.cap * sizeof *f->contacts.v);
		}
		f->contacts.v[f->contacts.n++] = got.v[i];
	}
	got.n = 0;
	contacts_latest(&f->contacts);
	if (verbose)
		fprintf(stderr, "%s: %s: %zu contacts fetched, %zu in all\n", cli_tool, f->workspace, nfetched,
		    f->contacts.n);
	rc = 0;
out:
	contacts_free(&got);
	pager_free(&p);
	buf_free(&log);
	free(logp);
	return rc;
}

struct load_ctx {
	const char *text;
	struct json_doc *d;
	uint32_t *nodes;
	size_t n, cap;
	const char *name;
	struct err *e;
	struct runlist *runs;
	int for_runs;
	struct uuid_table *tab;
	struct contacts *out;
};

static int
load_contact_elem(void *vctx, size_t off, size_t len)
{
	struct load_ctx *c = vctx;
	uint32_t root;

	if (json_parse(c->d, c->text + off, len, &root, c->e) == -1)
		return err_prefix(c->e, "%s", c->name);
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 256;
		c->nodes = xrealloc(c->nodes, c->cap * sizeof *c->nodes);
	}
	c->nodes[c->n++] = root;
	/* De-identify a thousand at a time: memory stays small however many contacts there are. */
	if (c->n == 1000) {
		if (deidentify_contacts(c->d, c->nodes, c->n, c->tab, c->out, c->name, c->e) == -1)
			return -1;
		c->n = 0;
		json_reset(c->d);
	}
	return 0;
}

/* The contacts cache (ours, or the reference's with raw URNs, which are de-identified on the way in). */
static int
load_contacts_cache(struct fetch *f, const char *path, int *exists, struct err *e)
{
	struct buf text = { 0 };
	struct json_doc d = { 0 };
	struct load_ctx c = { 0 };
	int rc = -1;

	*exists = 0;
	if (read_file(path, &text, -2, e) == -1) {
		if (e->code == -2) {
			buf_free(&text);
			return 0;
		}
		goto out;
	}
	*exists = 1;
	c.text = text.p;
	c.d = &d;
	c.name = path;
	c.e = e;
	c.tab = f->tab;
	c.out = &f->contacts;
	if (split_array(text.p, text.len, load_contact_elem, &c, path, e) == -1)
		goto out;
	if (deidentify_contacts(&d, c.nodes, c.n, f->tab, &f->contacts, path, e) == -1)
		goto out;
	contacts_latest(&f->contacts);
	rc = 0;
out:
	free(c.nodes);
	json_free(&d);
	buf_free(&text);
	return rc;
}

static int
write_contacts_cache(struct fetch *f, struct err *e)
{
	char *path = raw_path(f, f->workspace, "_contacts_raw.json");
	struct atomic_file af;
	int rc = -1;

	if (atomic_open(&af, path, e) == -1)
		goto out;
	fputc('[', af.fp);
	for (size_t i = 0; i < f->contacts.n; i++) {
		if (i)
			fputs(", ", af.fp);
		fwrite(f->contacts.v[i].text, 1, f->contacts.v[i].len, af.fp);
	}
	fputc(']', af.fp);
	if (atomic_commit(&af, e) == -1)
		goto out;
	rc = 0;
out:
	free(path);
	return rc;
}

static int64_t
contacts_newest(const struct contacts *cs)
{
	int64_t m = INT64_MIN;

	for (size_t i = 0; i < cs->n; i++)
		if (cs->v[i].mod > m)
			m = cs->v[i].mod;
	return m;
}

/* flows.json, read once per source. */
static int
load_flows(struct fetch *f, struct err *e)
{
	struct pager p;
	int r;
	size_t cap = 0;

	/* Keep every page's text alive: copy each page into one document. */
	pager_start(&p, &f->rp, rp_url(&f->rp, "flows", NULL), "flows");
	while ((r = pager_next(&p, e)) == 1) {
		uint32_t n = p.doc.nodes[p.results].count, c = p.results + 1;
		for (uint32_t i = 0; i < n; i++, c = p.doc.nodes[c].next) {
			uint32_t root;
			if (json_parse_copy(&f->flows, p.doc.nodes[c].p, p.doc.nodes[c].len, &root, e) == -1) {
				pager_free(&p);
				return -1;
			}
			if (f->n_flows == cap) {
				cap = cap ? cap * 2 : 64;
				f->flow_nodes = xrealloc(f->flow_nodes, cap * sizeof *f->flow_nodes);
			}
			f->flow_nodes[f->n_flows++] = root;
		}
	}
	pager_free(&p);
	return r;
}

/* get_flow_id: the uuid of the one flow called name. */
static int
flow_uuid(struct fetch *f, const char *name, char *out, size_t outsz, struct err *e)
{
	int found = 0;

	for (size_t i = 0; i < f->n_flows; i++) {
		size_t n, ul;
		const char *s = get_str(&f->flows, f->flow_nodes[i], "name", &n);
		const char *u;
		if (s == NULL || n != strlen(name) || memcmp(s, name, n) != 0)
			continue;
		if ((u = get_str(&f->flows, f->flow_nodes[i], "uuid", &ul)) == NULL || ul >= outsz)
			return err_set(e, EX_DATAERR, "flows: flow %s has no uuid", name);
		memcpy(out, u, ul);
		out[ul] = '\0';
		found++;
	}
	if (found != 1)
		return err_set(e, EX_CONFIG, "%s: flow %s: %s in workspace '%s' (expected exactly one flow of that name)",
		    f->cfg->path, name, found ? "several flows have that name" : "no such flow", f->workspace);
	return 0;
}

/*
 * The staging files (unlinked temporary files): new runs' texts as the server sent them (for the conversion,
 * which keeps the server's time offsets as the reference does), and their temba serialisation, joined by ", "
 * in the order fetched (so the log line is "[" + that file + "]").
 */
struct spoolw {
	int fd;
	uint64_t size;		/* bytes written or pending */
	uint64_t flushed;
	struct buf pending;
};

struct stage {
	struct spoolw raw, ser;
	unsigned long n;
	struct buf tmp;
};

static int
spoolw_flush(struct spoolw *s, struct err *e)
{
	const char *p = s->pending.p;
	size_t n = s->pending.len;

	while (n > 0) {
		ssize_t w = write(s->fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return err_set(e, EX_IOERR, "temporary file: %s", strerror(errno));
		}
		p += w;
		n -= (size_t)w;
	}
	s->flushed += s->pending.len;
	s->pending.len = 0;
	return 0;
}

static uint64_t
spoolw_add(struct spoolw *s, const char *p, size_t n)
{
	uint64_t off = s->size;

	buf_add(&s->pending, p, n);
	s->size += n;
	return off;
}

static void
stage_free(struct stage *s)
{
	if (s->raw.fd != -1)
		close(s->raw.fd);
	if (s->ser.fd != -1)
		close(s->ser.fd);
	buf_free(&s->raw.pending);
	buf_free(&s->ser.pending);
	buf_free(&s->tmp);
}

/* Stage one run node of d if it belongs to the flow and is new enough. */
static int
stage_run(struct stage *s, struct runlist *l, struct json_doc *d, uint32_t run, const char *flow_uuid,
    int has_after, int64_t after, const char *where, struct err *e)
{
	uint32_t flow = get(d, run, "flow"), id = get(d, run, "id");
	const char *fu;
	size_t fl;
	struct isotime t;
	struct runref r = { 0 };

	if (d->nodes[run].type != JV_OBJECT)
		return err_set(e, EX_DATAERR, "%s: a run that is not an object", where);
	if (flow == 0 || (fu = get_str(d, flow, "uuid", &fl)) == NULL)
		return err_set(e, EX_DATAERR, "%s: a run without flow.uuid", where);
	if (fl != strlen(flow_uuid) || memcmp(fu, flow_uuid, fl) != 0)
		return 0;
	if (id == 0 || d->nodes[id].type != JV_INT)
		return err_set(e, EX_DATAERR, "%s: a run without an integer id", where);
	if (get_time(d, run, "modified_on", &t) == -1)
		return err_set(e, EX_DATAERR, "%s: run %.*s: no modified_on (expected an ISO-8601 time)", where,
		    (int)d->nodes[id].len, d->nodes[id].p);
	if (has_after && t.usec < after)
		return 0;
	r.id = strtoll(d->nodes[id].p, NULL, 10);
	r.mod = t.usec;
	if (s->n++ > 0)
		spoolw_add(&s->ser, ", ", 2);
	s->tmp.len = 0;
	offset_seen = 0;
	serialize_run(&s->tmp, d, run);
	r.soff = spoolw_add(&s->ser, s->tmp.p, s->tmp.len);
	r.slen = (uint32_t)s->tmp.len;
	if (offset_seen || t.offset_min != 0) {
		/* Times with an offset: convert from the text as sent, as the reference keeps the offset. */
		r.src = SRC_NEW;
		r.off = spoolw_add(&s->raw, d->nodes[run].p, d->nodes[run].len);
		r.len = d->nodes[run].len;
	} else {
		/* All UTC: the serialisation converts to the same values; one copy is enough. */
		r.src = SRC_NEW_SER;
		r.off = r.soff;
		r.len = r.slen;
	}
	runlist_add(l, &r);
	if (s->raw.pending.len > (1u << 20) && spoolw_flush(&s->raw, e) == -1)
		return -1;
	if (s->ser.pending.len > (1u << 20) && spoolw_flush(&s->ser, e) == -1)
		return -1;
	return 0;
}

static int
stage_sync(struct stage *s, struct err *e)
{
	if (spoolw_flush(&s->raw, e) == -1 || spoolw_flush(&s->ser, e) == -1)
		return -1;
	return 0;
}

/* Reads at offsets through a window, so that nearby reads cost no system call (memory stays bounded). */
#define WIN_SIZE ((size_t)4 << 20)

struct window {
	int fd;
	uint64_t start;
	size_t len;
	struct buf b;
	struct buf big;		/* a text larger than the window */
};

static const char *
win_get(struct window *w, uint64_t off, size_t len, struct err *e)
{
	if (off >= w->start && off + len <= w->start + w->len)
		return w->b.p + (off - w->start);
	if (len > WIN_SIZE / 2) {
		w->big.len = 0;
		buf_reserve(&w->big, len);
		if (spool_read_at(w->fd, w->big.p, len, off) == -1) {
			err_set(e, EX_IOERR, "read: %s", strerror(errno ? errno : EIO));
			return NULL;
		}
		return w->big.p;
	}
	/* Centre the window on the text: runs are read in either direction. */
	uint64_t start = off > WIN_SIZE / 2 ? off - WIN_SIZE / 2 : 0;
	struct stat st;
	if (fstat(w->fd, &st) == -1) {
		err_set(e, EX_IOERR, "read: %s", strerror(errno));
		return NULL;
	}
	uint64_t end = start + WIN_SIZE;
	if (end > (uint64_t)st.st_size)
		end = (uint64_t)st.st_size;
	if (end < off + len) {
		err_set(e, EX_IOERR, "read: the file is shorter than expected");
		return NULL;
	}
	w->b.len = 0;
	buf_reserve(&w->b, (size_t)(end - start));
	if (spool_read_at(w->fd, w->b.p, (size_t)(end - start), start) == -1) {
		err_set(e, EX_IOERR, "read: %s", strerror(errno ? errno : EIO));
		return NULL;
	}
	w->start = start;
	w->len = (size_t)(end - start);
	return w->b.p + (off - start);
}

static void
win_free(struct window *w)
{
	buf_free(&w->b);
	buf_free(&w->big);
}

/* Decompress (gzip or plain) with libarchive's raw reader. */
static int
gunzip(const struct buf *in, struct buf *out, const char *name, struct err *e)
{
	struct archive *a;
	struct archive_entry *ent;
	char chunk[65536];
	la_ssize_t n;
	int r;

	out->len = 0;
	if (in->len == 0)
		return 0;
	a = archive_read_new();
	archive_read_support_filter_all(a);
	archive_read_support_format_raw(a);
	if (archive_read_open_memory(a, in->p, in->len) != ARCHIVE_OK
	    || (r = archive_read_next_header(a, &ent)) != ARCHIVE_OK) {
		err_set(e, EX_DATAERR, "%s: cannot read the archive (%s)", name, archive_error_string(a));
		archive_read_free(a);
		return -1;
	}
	while ((n = archive_read_data(a, chunk, sizeof chunk)) > 0)
		buf_add(out, chunk, (size_t)n);
	if (n < 0) {
		err_set(e, EX_DATAERR, "%s: the archive is damaged (%s)", name, archive_error_string(a));
		archive_read_free(a);
		return -1;
	}
	archive_read_free(a);
	return 0;
}

/* Runs from the run archives (first fetch of a flow only). */
static int
stage_archives(struct fetch *f, struct stage *s, struct runlist *l, const char *fuuid, struct err *e)
{
	const char *params[] = { "archive_type", "run", NULL };
	struct pager p;
	struct buf body = { 0 }, plain = { 0 };
	struct json_doc d = { 0 };
	int r, rc = -1;

	pager_start(&p, &f->rp, rp_url(&f->rp, "archives", params), "archives");
	if (f->rp.file_mode) {
		struct stat st;
		if (stat(p.url, &st) == -1) {	/* no archives.json: no archives */
			pager_free(&p);
			return 0;
		}
	}
	while ((r = pager_next(&p, e)) == 1) {
		uint32_t n = p.doc.nodes[p.results].count, a = p.results + 1;
		for (uint32_t i = 0; i < n; i++, a = p.doc.nodes[a].next) {
			size_t tl, ul;
			const char *type = get_str(&p.doc, a, "archive_type", &tl);
			const char *url = get_str(&p.doc, a, "download_url", &ul);
			uint32_t rcn = get(&p.doc, a, "record_count");
			char *u;
			long long want = -1, got = 0;

			if (type == NULL || tl != 3 || memcmp(type, "run", 3) != 0)
				continue;
			if (url == NULL && f->rp.file_mode)
				url = get_str(&p.doc, a, "file", &ul);
			if (url == NULL) {
				err_set(e, EX_DATAERR, "archives: an archive without download_url");
				goto out;
			}
			if (rcn && p.doc.nodes[rcn].type == JV_INT)
				want = strtoll(p.doc.nodes[rcn].p, NULL, 10);
			if (f->rp.file_mode) {
				char *tmp = xmalloc(ul + 1);
				memcpy(tmp, url, ul);
				tmp[ul] = '\0';
				u = (tmp[0] == '/' || strncmp(tmp, "file://", 7) == 0)
				    ? xstrdup(tmp + (tmp[0] == '/' ? 0 : 7)) : cj_path_join(f->rp.base, tmp);
				free(tmp);
			} else {
				u = xmalloc(ul + 1);
				memcpy(u, url, ul);
				u[ul] = '\0';
			}
			r = rp_get(&f->rp, u, 0, &body, e);
			if (r == 0)
				r = gunzip(&body, &plain, "run archive", e);
			free(u);
			if (r == -1)
				goto out;
			for (size_t pos = 0; pos < plain.len;) {
				char *nl = memchr(plain.p + pos, '\n', plain.len - pos);
				size_t len = nl ? (size_t)(nl - (plain.p + pos)) : plain.len - pos;
				uint32_t root;
				if (len > 0) {
					json_reset(&d);
					if (json_parse(&d, plain.p + pos, len, &root, e) == -1) {
						err_prefix(e, "run archive line %lld", got + 1);
						goto out;
					}
					if (stage_run(s, l, &d, root, fuuid, 0, 0, "run archive", e) == -1)
						goto out;
					got++;
				}
				pos += len + 1;
			}
			if (want >= 0 && got != want) {
				err_set(e, EX_UNAVAILABLE, "a run archive holds %lld runs (expected record_count %lld): "
				    "the download was cut short", got, want);
				goto out;
			}
		}
	}
	if (r == -1)
		goto out;
	rc = 0;
out:
	pager_free(&p);
	buf_free(&body);
	buf_free(&plain);
	json_free(&d);
	return rc;
}

/* Python str.title() for the ASCII result keys Rapid Pro makes (digits and '_' are uncased). */
static void
add_title(struct buf *out, const char *k, size_t n)
{
	int prev_cased = 0;

	for (size_t i = 0; i < n; i++) {
		char c = k[i];
		int lower = c >= 'a' && c <= 'z', upper = c >= 'A' && c <= 'Z';
		if (lower && !prev_cased)
			c = (char)(c - 32);
		else if (upper && prev_cased)
			c = (char)(c + 32);
		buf_addc(out, c);
		prev_cased = lower || upper;
	}
}

/* A time member as Python isoformat() of the parsed value (its own offset kept), or null. */
static void
add_iso(struct buf *out, struct json_doc *d, uint32_t obj, const char *key)
{
	struct isotime t;
	char s[48];

	if (get_time(d, obj, key, &t) == -1) {
		buf_add(out, "null", 4);
		return;
	}
	size_t n = iso_format(&t, s, sizeof s);
	buf_addc(out, '"');
	buf_add(out, s, n);
	buf_addc(out, '"');
}

struct conv {
	struct tdobj obj;
	struct buf key, data, data2, line, label;
	unsigned long skipped_contact, skipped_urn, records;
};

static void
conv_free(struct conv *c)
{
	tdobj_free(&c->obj);
	buf_free(&c->key);
	buf_free(&c->data);
	buf_free(&c->data2);
	buf_free(&c->line);
	buf_free(&c->label);
}

static int
is_test_contact(const struct raw_source *src, const char *uuid, size_t n)
{
	for (size_t i = 0; i < src->test_contact_uuids.n; i++)
		if (strlen(src->test_contact_uuids.v[i]) == n && memcmp(src->test_contact_uuids.v[i], uuid, n) == 0)
			return 1;
	return 0;
}

/* A "<T> (<what>) - <flow>" key into c->key. */
static const char *
result_key(struct conv *c, const char *k, size_t kl, const char *what, const char *flow, size_t *len)
{
	c->key.len = 0;
	add_title(&c->key, k, kl);
	buf_adds(&c->key, " (");
	buf_adds(&c->key, what);
	buf_adds(&c->key, ") - ");
	buf_adds(&c->key, flow);
	*len = c->key.len;
	return c->key.p;
}

static void
member_value(struct conv *c, const char *key, size_t klen, struct json_doc *d, uint32_t v)
{
	tdobj_begin(&c->obj, key, klen);
	add_value(&c->obj.vals, d, v);
	tdobj_end(&c->obj);
}

/* convert_runs_to_traced_data for one run (apis.md §1.7), plus the operator label on activation flows. */
static int
convert_run(struct fetch *f, struct conv *c, struct json_doc *d, uint32_t run, const char *flow, int activation,
    FILE *out, struct err *e)
{
	uint32_t contact = get(d, run, "contact"), id = get(d, run, "id"), values;
	const char *cu;
	size_t cl, kl;
	struct strmap_entry *en;
	struct contact *ct;
	char sha1[65], sha2[65];
	const char *k;
	char opraw[64];

	if (contact == 0 || (cu = get_str(d, contact, "uuid", &cl)) == NULL)
		return err_set(e, EX_DATAERR, "run %.*s: no contact.uuid", (int)d->nodes[id].len, d->nodes[id].p);
	en = strmap_get(&f->contacts.by_uuid, cu, cl);
	if (en == NULL) {
		c->skipped_contact++;
		if (!quiet)
			cli_warn("%s: run %.*s: contact %.*s is not in the workspace's contacts (created after the "
			    "contacts were fetched?): skipped", flow, (int)d->nodes[id].len, d->nodes[id].p, (int)cl, cu);
		return 0;
	}
	ct = &f->contacts.v[en->value];
	if (ct->nurns == 0 || ct->uid0 == NULL) {
		c->skipped_urn++;
		if (!quiet)
			cli_warn("%s: run %.*s: contact %.*s has %s: skipped", flow, (int)d->nodes[id].len,
			    d->nodes[id].p, (int)cl, cu, ct->nurns == 0 ? "no URN" : "no URN with digits");
		return 0;
	}
	int test = is_test_contact(f->src, cu, cl);
	if (ct->nurns > 1 && !test && !ct->warned) {
		ct->warned = 1;
		if (!quiet)
			cli_warn("%s: contact %.*s has %d URNs: the first one (%s) is used", flow, (int)cl, cu,
			    ct->nurns, ct->urn0_type);
	}

	tdobj_reset(&c->obj);
	tdobj_str(&c->obj, "avf_phone_id", 12, ct->uid0, strlen(ct->uid0));
	tdobj_str(&c->obj, "urn_type", 8, ct->urn0_type, strlen(ct->urn0_type));
	c->key.len = 0;
	buf_adds(&c->key, "run_id - ");
	buf_adds(&c->key, flow);
	member_value(c, c->key.p, c->key.len, d, id);
	values = get(d, run, "values");
	if (values && d->nodes[values].type == JV_OBJECT) {
		uint32_t kn = values + 1;
		for (uint32_t i = 0; i < d->nodes[values].count; i++) {
			uint32_t v = d->nodes[kn].next;
			size_t rl;
			const char *rk = json_str(d, kn, &rl);
			char *rkc = xmalloc(rl + 1);
			memcpy(rkc, rk, rl);	/* json_str may point into the arena: keep a copy across key building */
			k = result_key(c, rkc, rl, "Category", flow, &kl);
			member_value(c, k, kl, d, get(d, v, "category"));
			k = result_key(c, rkc, rl, "Value", flow, &kl);
			member_value(c, k, kl, d, get(d, v, "value"));
			k = result_key(c, rkc, rl, "Text", flow, &kl);
			member_value(c, k, kl, d, get(d, v, "input"));
			k = result_key(c, rkc, rl, "Name", flow, &kl);
			member_value(c, k, kl, d, get(d, v, "name"));
			k = result_key(c, rkc, rl, "Time", flow, &kl);
			tdobj_begin(&c->obj, k, kl);
			add_iso(&c->obj.vals, d, v, "time");
			tdobj_end(&c->obj);
			k = result_key(c, rkc, rl, "Run ID", flow, &kl);
			member_value(c, k, kl, d, id);
			free(rkc);
			kn = d->nodes[v].next;
		}
	}
	if (test)
		tdobj_true(&c->obj, "test_run", 8);
	static const char *const times[] = { "created_on", "modified_on", "exited_on" };
	for (int i = 0; i < 3; i++) {
		c->key.len = 0;
		buf_adds(&c->key, "run_");
		buf_adds(&c->key, times[i]);
		buf_adds(&c->key, " - ");
		buf_adds(&c->key, flow);
		tdobj_begin(&c->obj, c->key.p, c->key.len);
		add_iso(&c->obj.vals, d, run, times[i]);
		tdobj_end(&c->obj);
	}
	c->key.len = 0;
	buf_adds(&c->key, "run_exit_type - ");
	buf_adds(&c->key, flow);
	member_value(c, c->key.p, c->key.len, d, get(d, run, "exit_type"));

	c->data.len = 0;
	tdobj_encode(&c->obj, &c->data);
	c->line.len = 0;
	if (!activation) {
		buf_addc(&c->line, '[');
		td_entry_encode(&c->line, c->data.p, c->data.len, "", &f->meta, sha1);
		buf_add(&c->line, "]\n", 2);
	} else {
		/* label_somalia_operator: operator_raw from the phone number the uid stands for (once per contact). */
		const char *op, *code;
		struct buf first = { 0 };

		if (!ct->have_opraw) {
			size_t pl = 0;
			const char *phone = uuidtable_uuid_to_data(f->tab, ct->uid0, strlen(ct->uid0), &pl);
			operator_raw(ct->urn0_type, strlen(ct->urn0_type), phone ? phone : "", phone ? pl : 0, ct->opraw,
			    sizeof ct->opraw);
			ct->have_opraw = 1;
		}
		memcpy(opraw, ct->opraw, sizeof ct->opraw);
		op = operator_clean(opraw, strlen(opraw));
		if ((code = operator_code_id(op)) == NULL) {
			if (!quiet)
				cli_warn("%s: run %.*s: operator '%s' is not in the Somalia operator scheme: labelled NC",
				    flow, (int)d->nodes[id].len, d->nodes[id].p, op);
			code = operator_code_id("NC");
		}
		td_entry_encode(&first, c->data.p, c->data.len, "", &f->meta, sha1);
		c->label.len = 0;
		operator_label(&c->label, code, OPERATOR_ORIGIN, f->meta.timestamp);
		c->data2.len = 0;
		buf_adds(&c->data2, "{\"operator_coded\": ");
		buf_add(&c->data2, c->label.p, c->label.len);
		buf_adds(&c->data2, ", \"operator_raw\": ");
		json_encode_str(&c->data2, opraw, strlen(opraw));
		buf_addc(&c->data2, '}');
		buf_addc(&c->line, '[');
		td_entry_encode(&c->line, c->data2.p, c->data2.len, sha1, &f->meta, sha2);
		buf_add(&c->line, ", ", 2);
		buf_add(&c->line, first.p, first.len);
		buf_add(&c->line, "]\n", 2);
		buf_free(&first);
	}
	if (fwrite(c->line.p, 1, c->line.len, out) != c->line.len)
		return err_set(e, EX_IOERR, "%s.jsonl: %s", flow, strerror(errno));
	c->records++;
	return 0;
}

/*
 * The runs cache, read as a stream (it may be far larger than memory should be): each top-level element of the
 * JSON array gives a runref (id, modified_on, where its text is). Any spelling of the array is accepted.
 */
static int
load_runs_cache(int fd, const char *name, struct runlist *l, struct err *e)
{
	char chunk[1 << 16];
	struct buf elem = { 0 };
	struct json_doc d = { 0 };
	uint64_t pos = 0, start = 0;
	int depth = 0, instr = 0, esc = 0, began = 0, in_elem = 0, ended = 0, rc = -1;
	ssize_t n;

	while ((n = read(fd, chunk, sizeof chunk)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err_set(e, EX_IOERR, "%s: %s", name, strerror(errno));
			goto out;
		}
		ssize_t seg = 0;	/* where the current element's bytes start in this chunk */
		for (ssize_t i = 0; i < n; i++, pos++) {
			char c = chunk[i];
			if (instr) {
				if (esc)
					esc = 0;
				else if (c == '\\')
					esc = 1;
				else if (c == '"')
					instr = 0;
				continue;
			}
			if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
				continue;
			if (ended) {
				err_set(e, EX_DATAERR, "%s: text after the array", name);
				goto out;
			}
			if (!began) {
				if (c != '[') {
					err_set(e, EX_DATAERR, "%s: not a JSON array (expected [ … ])", name);
					goto out;
				}
				began = 1;
				continue;
			}
			if (!in_elem && depth == 0) {
				if (c == ']') {
					ended = 1;
					continue;
				}
				if (c == ',') {
					continue;
				}
				in_elem = 1;
				start = pos;
				elem.len = 0;
				seg = i;
			}
			if (c == '"')
				instr = 1;
			else if (c == '{' || c == '[')
				depth++;
			else if (c == '}' || c == ']')
				depth--;
			if (in_elem && depth == 0) {
				/* the element (an object) just closed */
				uint32_t root, id;
				buf_add(&elem, chunk + seg, (size_t)(i + 1 - seg));
				struct isotime t;
				struct runref r = { 0 };
				json_reset(&d);
				if (json_parse(&d, elem.p, elem.len, &root, e) == -1) {
					err_prefix(e, "%s", name);
					goto out;
				}
				if ((id = get(&d, root, "id")) == 0 || d.nodes[id].type != JV_INT
				    || get_time(&d, root, "modified_on", &t) == -1) {
					err_set(e, EX_DATAERR, "%s: a cached run without id or modified_on", name);
					goto out;
				}
				r.id = strtoll(d.nodes[id].p, NULL, 10);
				r.mod = t.usec;
				r.src = SRC_CACHE;
				r.off = r.soff = start;
				r.len = r.slen = (uint32_t)elem.len;
				runlist_add(l, &r);
				in_elem = 0;
			}
		}
		if (in_elem)
			buf_add(&elem, chunk + seg, (size_t)(n - seg));
	}
	if (!ended) {
		err_set(e, EX_DATAERR, "%s: the array is cut short (expected ])", name);
		goto out;
	}
	rc = 0;
out:
	buf_free(&elem);
	json_free(&d);
	return rc;
}

/* Append "[" + the serialised spool + "]\n" to the log, fsync'ed. A line cut short by a crash is removed first. */
static int
append_runs_log(const char *path, struct spoolw *ser, struct err *e)
{
	int fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	struct stat st;
	char chunk[1 << 16];
	uint64_t off = 0;
	struct buf b = { 0 };

	if (fd == -1)
		return err_set(e, EX_CANTCREAT, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) == 0 && st.st_size > 0) {
		char last;
		if (pread(fd, &last, 1, st.st_size - 1) == 1 && last != '\n') {
			off_t keep = st.st_size;
			while (keep > 0) {	/* back to the last newline */
				char c;
				if (pread(fd, &c, 1, keep - 1) != 1 || c == '\n')
					break;
				keep--;
			}
			if (ftruncate(fd, keep) == -1)
				goto io;
		}
	}
	buf_addc(&b, '[');
	while (off < ser->size) {
		size_t n = ser->size - off < sizeof chunk ? (size_t)(ser->size - off) : sizeof chunk;
		if (spool_read_at(ser->fd, chunk, n, off) == -1)
			goto io;
		buf_add(&b, chunk, n);
		off += n;
		if (b.len >= (1u << 20) || off == ser->size) {
			if (off == ser->size)
				buf_add(&b, "]\n", 2);
			for (size_t w = 0; w < b.len;) {
				ssize_t k = write(fd, b.p + w, b.len - w);
				if (k < 0) {
					if (errno == EINTR)
						continue;
					goto io;
				}
				w += (size_t)k;
			}
			b.len = 0;
		}
	}
	if (ser->size == 0 && write(fd, "[]\n", 3) != 3)
		goto io;
	if (fsync(fd) == -1)
		goto io;
	buf_free(&b);
	if (close(fd) == -1)
		return err_set(e, EX_IOERR, "%s: %s", path, strerror(errno));
	return 0;
io:
	err_set(e, EX_IOERR, "%s: %s", path, strerror(errno));
	buf_free(&b);
	close(fd);
	return -1;
}

static int
fetch_flow(struct fetch *f, const char *flow, int activation, struct err *e)
{
	char fuuid[128];
	char *cache_p = raw_path(f, flow, "_raw.json"), *log_p = raw_path(f, flow, "_log.jsonl"),
	     *td_p = raw_path(f, flow, ".jsonl");
	struct buf afterbuf = { 0 };
	struct runlist runs = { 0 };
	struct stage st = { .raw = { .fd = -1 }, .ser = { .fd = -1 } };
	struct window wcache = { .fd = -1 }, wraw = { .fd = -1 }, wser = { .fd = -1 };
	struct json_doc d = { 0 };
	struct conv cv = { 0 };
	struct atomic_file af = { 0 };
	int have_cache = 0, has_after = 0, r, rc = -1, af_open = 0;
	int64_t after = 0;
	size_t n_cached = 0, n_new, n_archived;
	struct pager p = { 0 };

	if (flow_uuid(f, flow, fuuid, sizeof fuuid, e) == -1)
		goto out;
	if ((wcache.fd = open(cache_p, O_RDONLY | O_CLOEXEC)) != -1) {
		have_cache = 1;
		if (load_runs_cache(wcache.fd, cache_p, &runs, e) == -1)
			goto out;
		n_cached = runs.n;
		if (runs.n > 0) {
			int64_t m = INT64_MIN;
			for (size_t i = 0; i < runs.n; i++)
				if (runs.v[i].mod > m)
					m = runs.v[i].mod;
			has_after = 1;
			after = m + 1;
		}
	} else if (errno != ENOENT) {
		err_set(e, EX_IOERR, "%s: %s", cache_p, strerror(errno));
		goto out;
	}
	if ((st.raw.fd = spool_create(e)) == -1 || (st.ser.fd = spool_create(e)) == -1)
		goto out;
	wraw.fd = st.raw.fd;
	wser.fd = st.ser.fd;
	if (!have_cache && stage_archives(f, &st, &runs, fuuid, e) == -1)
		goto out;
	{
		char afters[40];
		const char *params[] = { "flow", fuuid, "after", afters, NULL };
		if (has_after) {
			add_temba_time(&afterbuf, after);
			snprintf(afters, sizeof afters, "%.*s", (int)afterbuf.len - 2, afterbuf.p + 1);
		} else {
			params[2] = NULL;
		}
		pager_start(&p, &f->rp, rp_url(&f->rp, "runs", params), "runs");
	}
	n_archived = runs.n;
	while ((r = pager_next(&p, e)) == 1) {
		uint32_t n = p.doc.nodes[p.results].count, x = p.results + 1;
		for (uint32_t i = 0; i < n; i++, x = p.doc.nodes[x].next)
			if (stage_run(&st, &runs, &p.doc, x, fuuid, has_after, after, "runs", e) == -1)
				goto out;
	}
	if (r == -1)
		goto out;
	pager_free(&p);
	memset(&p, 0, sizeof p);
	if (f->rp.file_mode)
		server_view(&runs, n_archived);
	if (stage_sync(&st, e) == -1)
		goto out;
	n_new = runs.n - n_cached;

	/* Contacts refreshed once per flow, as the reference does. */
	{
		int64_t newest = contacts_newest(&f->contacts);
		if (fetch_contacts(f, newest != INT64_MIN, newest + 1, e) == -1)
			goto out;
	}

	filter_latest(&runs);

	/* 1. The TracedData file (a kill before the cache is written only repeats this fetch). */
	if (atomic_open(&af, td_p, e) == -1)
		goto out;
	af_open = 1;
	for (size_t i = 0; i < runs.n; i++) {
		const struct runref *rr = &runs.v[i];
		const char *t = win_get(rr->src == SRC_CACHE ? &wcache : rr->src == SRC_NEW ? &wraw : &wser,
		    rr->off, rr->len, e);
		uint32_t root;
		if (t == NULL)
			goto out;
		json_reset(&d);
		if (json_parse(&d, t, rr->len, &root, e) == -1)
			goto out;
		if (convert_run(f, &cv, &d, root, flow, activation, af.fp, e) == -1)
			goto out;
	}
	if (atomic_commit(&af, e) == -1)
		goto out;
	af_open = 0;

	/* 2. The log: this fetch's runs, serialised, in the order fetched. */
	if (append_runs_log(log_p, &st.ser, e) == -1)
		goto out;

	/* 3. The cache, last: once it is written this fetch is done (nothing new: it stays as it is). */
	if (n_new > 0 || !have_cache) {
		if (atomic_open(&af, cache_p, e) == -1)
			goto out;
		af_open = 1;
		fputc('[', af.fp);
		for (size_t i = 0; i < runs.n; i++) {
			const struct runref *rr = &runs.v[i];
			const char *t = win_get(rr->src == SRC_CACHE ? &wcache : &wser, rr->soff, rr->slen, e);
			if (t == NULL)
				goto out;
			if (i)
				fputs(", ", af.fp);
			fwrite(t, 1, rr->slen, af.fp);
		}
		fputc(']', af.fp);
		if (atomic_commit(&af, e) == -1)
			goto out;
		af_open = 0;
	}
	if (write_contacts_cache(f, e) == -1)
		goto out;
	if (verbose)
		fprintf(stderr, "%s: %s: %zu cached + %zu new runs -> %zu runs, %lu records (%lu skipped)\n", cli_tool,
		    flow, n_cached, n_new, runs.n, cv.records, cv.skipped_contact + cv.skipped_urn);
	rc = 0;
out:
	if (af_open)
		atomic_abort(&af);
	pager_free(&p);
	stage_free(&st);
	if (wcache.fd != -1)
		close(wcache.fd);
	win_free(&wcache);
	win_free(&wraw);
	win_free(&wser);
	buf_free(&afterbuf);
	json_free(&d);
	conv_free(&cv);
	free(runs.v);
	free(cache_p);
	free(log_p);
	free(td_p);
	return rc;
}

/*
 * Temporary files a killed fetch left behind (atomic writes: ".<name>.tmp.XXXXXX"). Removed while the UUID table
 * lock is held, so no other fetch is writing them.
 */
static void
remove_stale_temps(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		const char *n = de->d_name, *t;
		size_t l = strlen(n);
		if (n[0] != '.' || l < 12 || (t = strstr(n, ".tmp.")) == NULL || strlen(t) != 11)
			continue;
		size_t bl = (size_t)(t - n);
		if ((bl > 6 && memcmp(t - 6, ".jsonl", 6) == 0) || (bl > 9 && memcmp(t - 9, "_raw.json", 9) == 0)) {
			char *p = xmalloc(strlen(dir) + l + 2);
			sprintf(p, "%s/%s", dir, n);
			unlink(p);
			free(p);
		}
	}
	closedir(d);
}

static int
fetch_source(struct fetch *f, const char *credentials, struct err *e)
{
	struct buf tok = { 0 };
	char *cpath = NULL;
	int exists, rc = -1;

	/* A directory of pages needs no token. */
	if (strncmp(f->src->domain, "file://", 7) == 0) {
		buf_adds(&tok, "-");
		buf_addc(&tok, '\0');
	} else if (load_token(f->cfg, f->src->token_file_url, credentials, &tok, e) == -1) {
		goto out;
	}
	if (rp_open(&f->rp, f->cfg, f->src->domain, tok.p, e) == -1)
		goto out;
	if (org_name(f, e) == -1)
		goto out;
	cpath = raw_path(f, f->workspace, "_contacts_raw.json");
	if (load_contacts_cache(f, cpath, &exists, e) == -1)
		goto out;
	if (!exists && fetch_contacts(f, 0, 0, e) == -1)
		goto out;
	if (load_flows(f, e) == -1)
		goto out;
	for (size_t i = 0; i < f->src->activation_flow_names.n; i++)
		if (fetch_flow(f, f->src->activation_flow_names.v[i], 1, e) == -1)
			goto out;
	for (size_t i = 0; i < f->src->survey_flow_names.n; i++)
		if (fetch_flow(f, f->src->survey_flow_names.v[i], 0, e) == -1)
			goto out;
	if (write_contacts_cache(f, e) == -1)
		goto out;
	rc = 0;
out:
	if (tok.p)
		memset(tok.p, 0, tok.len);
	buf_free(&tok);
	free(cpath);
	rp_close(&f->rp);
	free(f->workspace);
	f->workspace = NULL;
	contacts_free(&f->contacts);
	json_free(&f->flows);
	buf_free(&f->flows_body);
	free(f->flow_nodes);
	f->flow_nodes = NULL;
	f->n_flows = 0;
	return rc;
}

int
main(int argc, char **argv)
{
	const char *config = NULL, *raw_dir = NULL, *user = NULL, *credentials = NULL;
	struct pipeline_config cfg = { 0 };
	struct fetch f = { 0 };
	struct err e;
	int ch;

	cli_init("rp-fetch");
	while ((ch = getopt_long(argc, argv, "c:r:u:qvh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': config = optarg; break;
		case 'r': raw_dir = optarg; break;
		case 'u': user = optarg; break;
		case OPT_CREDENTIALS: credentials = optarg; break;
		case 'q': quiet = 1; verbose = 0; break;
		case 'v': verbose = 1; quiet = 0; break;
		case 'h': cli_help(help);
		case OPT_VERSION: cli_version();
		default: cli_usage(usage);
		}
	}
	if (optind != argc || config == NULL || raw_dir == NULL)
		cli_usage(usage);
	if (config_load(&cfg, config, &e) == -1)
		cli_fail(&e);
	if (atomic_mkdirs(raw_dir, &e) == -1) {
		config_free(&cfg);
		cli_fail(&e);
	}
	{
		char *root = cj_dirname(raw_dir);
		if (cfg.uuid_table.file_path != NULL && (path_is_under(cfg.uuid_table.file_path, raw_dir)
		    || (*root && path_is_under(cfg.uuid_table.file_path, root))))
			err_set(&e, EX_CONFIG, "%s: UuidTable.FileURL %s lies inside the data root (expected a file "
			    "outside it, so that backups hold no phone numbers)", config, cfg.uuid_table.file_url);
		else
			e.code = 0;
		free(root);
		if (e.code == EX_CONFIG) {
			config_free(&cfg);
			cli_fail(&e);
		}
	}
	f.cfg = &cfg;
	f.raw_dir = raw_dir;
	f.meta.user = cli_user(user);
	f.meta.source = cli_source();
	f.meta.timestamp = cli_now();
	if (uuidtable_open_config(&f.tab, &cfg, credentials, &e) == -1) {
		config_free(&cfg);
		cli_fail(&e);
	}
	remove_stale_temps(raw_dir);
	for (size_t i = 0; i < cfg.n_sources; i++) {
		if (cfg.sources[i].type != SOURCE_RAPIDPRO)
			continue;
		f.src = &cfg.sources[i];
		if (fetch_source(&f, credentials, &e) == -1) {
			uuidtable_close(f.tab);
			config_free(&cfg);
			cli_fail(&e);
		}
	}
	uuidtable_close(f.tab);
	config_free(&cfg);
	cli_exit(0);
}
