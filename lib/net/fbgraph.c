/* fbgraph: Facebook Graph API reads with paging and the reference's retries (apis.md §6). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "net/fbgraph.h"
#include "util/buf.h"

#define MAX_PAGES 1000000

/* ---- transport ------------------------------------------------------------------------------------------ */

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	buf_add(arg, p, size * n);
	return size * n;
}

/* 1 if url is http://127.0.0.1, localhost or [::1] (plain http is for the loopback fakes only). */
static int
loopback_http(const char *url)
{
	static const char *const ok[] = { "http://127.0.0.1", "http://localhost", "http://[::1]" };

	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
		size_t n = strlen(ok[i]);
		if (strncmp(url, ok[i], n) == 0 && (url[n] == ':' || url[n] == '/' || url[n] == '\0'))
			return 1;
	}
	return 0;
}

static int
transport_get(struct fbgraph *g, const char *url, const char *what, long *status, struct buf *body, struct err *e)
{
	CURL *c = g->http;
	struct curl_slist *hdr = NULL;
	struct buf auth = { 0 };
	CURLcode rc;

	body->len = 0;
	buf_adds(&auth, "Authorization: Bearer ");
	buf_adds(&auth, g->token);
	buf_addc(&auth, '\0');
	hdr = curl_slist_append(hdr, auth.p);
	memset(auth.p, 0, auth.len);
	buf_free(&auth);
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 300L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "tdtools/" TDTOOLS_VERSION);
	g->requests++;
	rc = curl_easy_perform(c);
	curl_slist_free_all(hdr);
	if (rc != CURLE_OK)
		return err_set(e, EX_UNAVAILABLE, "%s: %s", what, curl_easy_strerror(rc));
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	return 0;
}

/* ---- helpers -------------------------------------------------------------------------------------------- */

static void
pct(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
			buf_addc(b, (char)ch);
		} else {
			buf_addc(b, '%');
			buf_addc(b, hex[ch >> 4]);
			buf_addc(b, hex[ch & 15]);
		}
	}
}

/* Copy s into out with every copy of the token replaced, and cut to about 300 bytes. */
static void
redact(const struct fbgraph *g, const char *s, char *out, size_t n)
{
	size_t tl = strlen(g->token), o = 0;

	while (*s && o + 8 < n && o < 300) {
		if (tl > 0 && strncmp(s, g->token, tl) == 0) {
			o += (size_t)snprintf(out + o, n - o, "[token]");
			s += tl;
		} else {
			out[o++] = (unsigned char)*s < 0x20 ? ' ' : *s;
			s++;
		}
	}
	out[o < n ? o : n - 1] = '\0';
}

static int
auth_code(long status, json_int_t code)
{
	return status == 401 || status == 403 || code == 190 || code == 102 || code == 10
	    || (code >= 200 && code <= 299);
}

static void
backoff(const struct fbgraph *g, int attempt)
{
	long ms = g->retry_base_ms << attempt;
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* One GET of a full URL with the reference's retries; what names it in messages. */
static json_t *
get_url(struct fbgraph *g, const char *url, const char *what, struct err *e)
{
	struct buf body = { 0 };
	json_t *j = NULL;

	for (int attempt = 0;; attempt++) {
		long status = 0;
		json_error_t je;
		char msg[400];

		json_decref(j);
		j = NULL;
		if (transport_get(g, url, what, &status, &body, e) == -1)
			goto fail;
		j = json_loadb(body.p ? body.p : "", body.len, 0, &je);
		if (json_is_object(j) && json_object_get(j, "error") != NULL) {
			json_t *err = json_object_get(j, "error");
			json_int_t code = json_integer_value(json_object_get(err, "code"));
			const char *m = json_string_value(json_object_get(err, "message"));
			redact(g, m ? m : "(no message)", msg, sizeof msg);
			if (auth_code(status, code)) {
				err_set(e, EX_NOPERM, "%s: the Graph API refused the token (HTTP %ld, error %lld: %s)", what,
				    status, (long long)code, msg);
				goto fail;
			}
			err_set(e, EX_UNAVAILABLE, "%s: Graph API error (HTTP %ld, error %lld: %s)", what, status,
			    (long long)code, msg);
		} else if (status == 401 || status == 403) {
			err_set(e, EX_NOPERM, "%s: the Graph API refused the token (HTTP %ld)", what, status);
			goto fail;
		} else if (status < 200 || status >= 300) {
			err_set(e, EX_UNAVAILABLE, "%s: HTTP %ld", what, status);
		} else if (j == NULL) {
			redact(g, je.text, msg, sizeof msg);
			err_set(e, EX_UNAVAILABLE, "%s: the reply is not JSON (%s)", what, msg);
		} else if (!json_is_object(j)) {
			err_set(e, EX_DATAERR, "%s: the reply is not a JSON object", what);
			goto fail;
		} else {
			buf_free(&body);
			return j;
		}
		if (attempt >= g->retries)
			goto fail;
		backoff(g, attempt);
	}
fail:
	json_decref(j);
	buf_free(&body);
	return NULL;
}

static char *
request_url(const struct fbgraph *g, const char *node, const char *edge, const char *const *params)
{
	struct buf b = { 0 };

	buf_adds(&b, g->base);
	buf_addc(&b, '/');
	pct(&b, node);
	if (edge != NULL) {
		buf_addc(&b, '/');
		pct(&b, edge);
	}
	for (size_t i = 0; params != NULL && params[i] != NULL && params[i + 1] != NULL; i += 2) {
		buf_addc(&b, i == 0 ? '?' : '&');
		pct(&b, params[i]);
		buf_addc(&b, '=');
		pct(&b, params[i + 1]);
	}
	buf_addc(&b, '\0');
	return b.p;
}

static char *
describe(const char *node, const char *edge)
{
	size_t n = strlen(node) + (edge ? strlen(edge) : 0) + 8;
	char *s = xmalloc(n);

	snprintf(s, n, "GET /%s%s%s", node, edge ? "/" : "", edge ? edge : "");
	return s;
}

/* ---- API ------------------------------------------------------------------------------------------------ */

static int
read_token(struct fbgraph *g, const struct pipeline_config *cfg, const struct raw_source *src,
    const char *credentials, struct err *e)
{
	const char *url = src->token_file_url;
	char *path;
	FILE *fp;
	struct buf b = { 0 };
	char chunk[4096];
	size_t n, s, t;

	(void)credentials;
	if (strncmp(url, "gs://", 5) == 0)
		return err_set(e, EX_CONFIG, "%s: TokenFileURL '%s': gs:// token files are not supported yet "
		    "(expected a local path or a file:// URL)", cfg->path, url);
	if (strncmp(url, "file://", 7) == 0)
		url += 7;
	path = cj_path_join(cfg->dir, url);
	if ((fp = fopen(path, "r")) == NULL) {
		err_set(e, errno == EACCES ? EX_NOPERM : EX_NOINPUT, "%s: %s (the TokenFileURL of page %s)", path,
		    strerror(errno), src->page_id);
		free(path);
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		buf_add(&b, chunk, n);
	if (ferror(fp)) {
		err_set(e, EX_IOERR, "%s: %s", path, strerror(errno));
		fclose(fp);
		free(path);
		buf_free(&b);
		return -1;
	}
	fclose(fp);
	memset(chunk, 0, sizeof chunk);
	/* Python's str.strip() */
	for (s = 0; s < b.len && isspace((unsigned char)b.p[s]); s++)
		;
	for (t = b.len; t > s && isspace((unsigned char)b.p[t - 1]); t--)
		;
	if (t == s || memchr(b.p + s, '\0', t - s) != NULL || memchr(b.p + s, '\n', t - s) != NULL) {
		err_set(e, EX_NOPERM, "%s: %s (expected the page access token of page %s on one line)", path,
		    t == s ? "empty" : "not a token", src->page_id);
		free(path);
		if (b.p)
			memset(b.p, 0, b.len);
		buf_free(&b);
		return -1;
	}
	g->token = xmalloc(t - s + 1);
	memcpy(g->token, b.p + s, t - s);
	g->token[t - s] = '\0';
	memset(b.p, 0, b.len);
	buf_free(&b);
	free(path);
	return 0;
}

int
fbgraph_open(struct fbgraph *g, const struct pipeline_config *cfg, const struct raw_source *src,
    const char *credentials, struct err *e)
{
	const char *base = src->graph_api_base_url ? src->graph_api_base_url : FB_GRAPH_API_DEFAULT;
	const char *env = getenv("TDTOOLS_RETRY_BASE_MS"), *p;
	size_t n = strlen(base);

	memset(g, 0, sizeof *g);
	if (strncmp(base, "https://", 8) != 0 && !loopback_http(base))
		return err_set(e, EX_CONFIG, "%s: GraphAPIBaseURL '%s': expected an https:// URL (plain http only "
		    "to 127.0.0.1)", cfg->path, base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	g->base = xmalloc(n + 1);
	memcpy(g->base, base, n);
	g->base[n] = '\0';
	p = strchr(strstr(g->base, "://") + 3, '/');
	g->origin_len = p != NULL ? (size_t)(p - g->base) : n;
	g->retries = 3;
	g->retry_base_ms = 1000;
	if (env != NULL && *env != '\0')
		g->retry_base_ms = strtol(env, NULL, 10);
	if (g->retry_base_ms < 0)
		g->retry_base_ms = 0;
	if (read_token(g, cfg, src, credentials, e) == -1) {
		fbgraph_close(g);
		return -1;
	}
	if ((g->http = curl_easy_init()) == NULL) {
		fbgraph_close(g);
		return err_set(e, EX_SOFTWARE, "cannot start libcurl");
	}
	return 0;
}

void
fbgraph_close(struct fbgraph *g)
{
	if (g->token != NULL) {
		memset(g->token, 0, strlen(g->token));
		free(g->token);
	}
	free(g->base);
	if (g->http != NULL)
		curl_easy_cleanup(g->http);
	memset(g, 0, sizeof *g);
}

json_t *
fbgraph_get(struct fbgraph *g, const char *node, const char *edge, const char *const *params, struct err *e)
{
	char *url = request_url(g, node, edge, params), *what = describe(node, edge);
	json_t *j = get_url(g, url, what, e);

	free(url);
	free(what);
	return j;
}

json_t *
fbgraph_get_all(struct fbgraph *g, const char *node, const char *edge, const char *const *params, struct err *e)
{
	char *url = request_url(g, node, edge, params), *what = describe(node, edge);
	json_t *all = json_array(), *page = NULL, *data, *next;
	unsigned long pages = 0;

	for (;;) {
		if ((page = get_url(g, url, what, e)) == NULL)
			goto fail;
		data = json_object_get(page, "data");
		if (!json_is_array(data)) {
			err_set(e, EX_DATAERR, "%s: page %lu of the reply has no \"data\" list", what, pages + 1);
			goto fail;
		}
		json_array_extend(all, data);
		next = json_object_get(json_object_get(page, "paging"), "next");
		if (!json_is_string(next))
			break;
		const char *nu = json_string_value(next);
		if (strncmp(nu, g->base, g->origin_len) != 0 || (nu[g->origin_len] != '/' && nu[g->origin_len] != '\0')) {
			err_set(e, EX_DATAERR, "%s: paging.next leaves %.*s (refused: the token would go with it)", what,
			    (int)g->origin_len, g->base);
			goto fail;
		}
		if (strcmp(nu, url) == 0 || ++pages >= MAX_PAGES) {
			err_set(e, EX_DATAERR, "%s: paging.next does not advance", what);
			goto fail;
		}
		free(url);
		url = xstrdup(nu);
		json_decref(page);
	}
	json_decref(page);
	free(url);
	free(what);
	return all;
fail:
	json_decref(page);
	json_decref(all);
	free(url);
	free(what);
	return NULL;
}
