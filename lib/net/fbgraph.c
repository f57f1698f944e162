/* fbgraph: Facebook Graph API reads with paging and the reference's retries (apis.md §6). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "net/fbgraph.h"
#include "net/http.h"
#include "store/urlread.h"
#include "util/buf.h"

#define MAX_PAGES 1000000

/* ---- transport ------------------------------------------------------------------------------------------ */

/* The HTTP layer's message without its "GET <url>: " (the URL may carry the token; we name requests by path). */
static const char *
http_why(const char *msg)
{
	const char *p = strstr(msg, ": ");

	return strncmp(msg, "GET ", 4) == 0 && p != NULL ? p + 2 : msg;
}

/* ---- helpers -------------------------------------------------------------------------------------------- */

static void
pct(struct buf *b, const char *s)
{
	http_urlencode(b, s, strlen(s), 0);
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
	struct http_client *c = g->http;
	struct buf auth = { 0 };
	const char *headers[3] = { NULL, "Accept: application/json", NULL };
	json_t *j = NULL;

	buf_adds(&auth, "Authorization: Bearer ");
	buf_adds(&auth, g->token);
	buf_addc(&auth, '\0');
	headers[0] = auth.p;
	for (int attempt = 0;; attempt++) {
		struct http_response r = { 0 };
		struct err he;
		json_error_t je;
		char msg[400];
		int rc;

		json_decref(j);
		j = NULL;
		g->requests++;
		rc = http_request(c, "GET", url, headers, NULL, 0, &r, &he);
		if (rc == -1 && (r.status == 0 || he.code == EX_CONFIG || he.code == EX_IOERR)) {
			/* No reply after the HTTP layer's own retries, or a refused URL. */
			err_set(e, he.code, "%s: %s", what, http_why(he.msg));
			http_response_free(&r);
			goto fail;
		}
		j = json_loadb(r.body.p ? r.body.p : "", r.body.len, 0, &je);
		if (json_is_object(j) && json_object_get(j, "error") != NULL) {
			json_t *err = json_object_get(j, "error");
			json_int_t code = json_integer_value(json_object_get(err, "code"));
			const char *m = json_string_value(json_object_get(err, "message"));
			redact(g, m ? m : "(no message)", msg, sizeof msg);
			if (auth_code(r.status, code)) {
				err_set(e, EX_NOPERM, "%s: the Graph API refused the token (HTTP %ld, error %lld: %s)", what,
				    r.status, (long long)code, msg);
				http_response_free(&r);
				goto fail;
			}
			err_set(e, EX_UNAVAILABLE, "%s: Graph API error (HTTP %ld, error %lld: %s)", what, r.status,
			    (long long)code, msg);
		} else if (rc == -1) {
			/* An HTTP error without a Graph error object, after the HTTP layer's retries. */
			err_set(e, he.code, "%s: %s", what, http_why(he.msg));
			http_response_free(&r);
			goto fail;
		} else if (j == NULL) {
			redact(g, je.text, msg, sizeof msg);
			err_set(e, EX_UNAVAILABLE, "%s: the reply is not JSON (%s)", what, msg);
		} else if (!json_is_object(j)) {
			err_set(e, EX_DATAERR, "%s: the reply is not a JSON object", what);
			http_response_free(&r);
			goto fail;
		} else {
			http_response_free(&r);
			memset(auth.p, 0, auth.len);
			buf_free(&auth);
			return j;
		}
		http_response_free(&r);
		if (attempt >= g->retries)
			goto fail;
		if (g->on_retry != NULL)
			g->on_retry(g->retry_ctx, e->msg, attempt + 1, (double)(g->retry_base_ms << attempt) / 1000.0);
		backoff(g, attempt);
	}
fail:
	memset(auth.p, 0, auth.len);
	buf_free(&auth);
	json_decref(j);
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

/* The page token: TokenFileURL (a path relative to the configuration, file:// or gs://) read and stripped. */
static int
read_token(struct fbgraph *g, const struct pipeline_config *cfg, const struct raw_source *src,
    const char *credentials, struct err *e)
{
	struct buf b = { 0 };
	size_t s, t;

	if (url_read(src->token_file_url, cfg->dir, credentials, &b, e) == -1) {
		buf_free(&b);
		return err_prefix(e, "the TokenFileURL of page %s", src->page_id);
	}
	/* Python's str.strip() */
	for (s = 0; s < b.len && isspace((unsigned char)b.p[s]); s++)
		;
	for (t = b.len; t > s && isspace((unsigned char)b.p[t - 1]); t--)
		;
	if (t == s || memchr(b.p + s, '\0', t - s) != NULL || memchr(b.p + s, '\n', t - s) != NULL) {
		err_set(e, EX_NOPERM, "the TokenFileURL of page %s: %s: %s (expected the page access token on one line)",
		    src->page_id, src->token_file_url, t == s ? "empty" : "not a token");
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
	return 0;
}

int
fbgraph_open(struct fbgraph *g, const struct pipeline_config *cfg, const struct raw_source *src,
    const char *credentials, struct err *e)
{
	const char *base = src->graph_api_base_url ? src->graph_api_base_url : FB_GRAPH_API_DEFAULT;
	const char *p;
	size_t n = strlen(base);
	struct err ue;
	void (*on_retry)(void *, const char *, int, double) = g->on_retry;
	void *retry_ctx = g->retry_ctx;

	memset(g, 0, sizeof *g);
	g->on_retry = on_retry;
	g->retry_ctx = retry_ctx;
	if (http_url_allowed(base, &ue) == -1)
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
	g->http = xcalloc(1, sizeof(struct http_client));
	http_client_init(g->http);
	((struct http_client *)g->http)->on_retry = on_retry;
	((struct http_client *)g->http)->retry_ctx = retry_ctx;
	if (read_token(g, cfg, src, credentials, e) == -1) {
		fbgraph_close(g);
		return -1;
	}
	http_add_secret(g->http, g->token);
	g->retry_base_ms = ((struct http_client *)g->http)->retry_base_ms;
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
	if (g->http != NULL) {
		http_client_free(g->http);
		free(g->http);
	}
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
