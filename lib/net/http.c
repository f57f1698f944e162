#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "net/http.h"

#ifndef TDTOOLS_VERSION
#define TDTOOLS_VERSION "0"
#endif

#define MAX_REDIRECTS 5

static int curl_users;

static long
env_long(const char *name, long dflt, long min, long max)
{
	const char *s = getenv(name);
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return dflt;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return dflt;
	return v;
}

void
http_client_init(struct http_client *c)
{
	memset(c, 0, sizeof *c);
	if (curl_users++ == 0)
		curl_global_init(CURL_GLOBAL_DEFAULT);
	c->connect_timeout_ms = 10000;
	c->stall_timeout_s = env_long("TDTOOLS_HTTP_TIMEOUT", 60, 1, 86400);
	c->total_timeout_ms = 0;
	c->max_tries = (int)env_long("TDTOOLS_HTTP_TRIES", 5, 1, 100);
	c->retry_base_ms = env_long("TDTOOLS_RETRY_BASE_MS", 1000, 0, 600000);
	c->retry_max_ms = 30000;
	c->retry_after_max_ms = 120000;
	c->user_agent = "tdtools/" TDTOOLS_VERSION;
}

void
http_client_free(struct http_client *c)
{
	if (c->curl != NULL)
		curl_easy_cleanup(c->curl);
	for (size_t i = 0; i < c->nsecrets; i++) {
		/* Secrets do not linger in freed memory. */
		memset(c->secrets[i], 0, strlen(c->secrets[i]));
		free(c->secrets[i]);
	}
	free(c->secrets);
	c->curl = NULL;
	c->secrets = NULL;
	c->nsecrets = c->capsecrets = 0;
	if (curl_users > 0 && --curl_users == 0)
		curl_global_cleanup();
}

void
http_add_secret(struct http_client *c, const char *secret)
{
	if (secret == NULL || *secret == '\0')
		return;
	for (size_t i = 0; i < c->nsecrets; i++)
		if (strcmp(c->secrets[i], secret) == 0)
			return;
	if (c->nsecrets == c->capsecrets) {
		c->capsecrets = c->capsecrets ? 2 * c->capsecrets : 8;
		c->secrets = xrealloc(c->secrets, c->capsecrets * sizeof *c->secrets);
	}
	c->secrets[c->nsecrets++] = xstrdup(secret);
}

void
http_response_free(struct http_response *r)
{
	buf_free(&r->body);
	buf_free(&r->headers);
	r->status = 0;
}

const char *
http_response_header(const struct http_response *r, const char *name, char *out, size_t outsz)
{
	size_t nlen = strlen(name);
	const char *p = r->headers.p, *end = r->headers.p + r->headers.len;

	if (p == NULL || outsz == 0)
		return NULL;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			eol = end;
		if ((size_t)(eol - p) > nlen && strncasecmp(p, name, nlen) == 0 && p[nlen] == ':') {
			const char *v = p + nlen + 1, *ve = eol;
			while (v < ve && (*v == ' ' || *v == '\t'))
				v++;
			while (ve > v && (ve[-1] == '\r' || ve[-1] == ' ' || ve[-1] == '\t'))
				ve--;
			size_t n = (size_t)(ve - v);
			if (n >= outsz)
				n = outsz - 1;
			memcpy(out, v, n);
			out[n] = '\0';
			return out;
		}
		p = eol + 1;
	}
	return NULL;
}

/* ---- URLs ---- */

int
http_host_is_loopback(const char *host)
{
	size_t n = strlen(host);

	if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
		host++;
		n -= 2;
	}
	return (n == 9 && strncmp(host, "127.0.0.1", n) == 0) || (n == 3 && strncmp(host, "::1", n) == 0) ||
	    (n == 9 && strncasecmp(host, "localhost", n) == 0);
}

/* The scheme and host of url, or -1 if it is not a URL. */
static int
url_parts(const char *url, char *scheme, size_t ssz, char *host, size_t hsz)
{
	CURLU *u = curl_url();
	char *s = NULL, *h = NULL;
	int rc = -1;

	if (u == NULL)
		return -1;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &s, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK) {
		snprintf(scheme, ssz, "%s", s);
		snprintf(host, hsz, "%s", h);
		rc = 0;
	}
	curl_free(s);
	curl_free(h);
	curl_url_cleanup(u);
	return rc;
}

/* Check url; messages show it as `shown` (already redacted). */
static int
url_check(const char *url, const char *shown, struct err *e)
{
	char scheme[16], host[256];

	if (url_parts(url, scheme, sizeof scheme, host, sizeof host) == -1)
		return err_set(e, EX_CONFIG, "%s: not a URL", shown);
	if (strcasecmp(scheme, "https") == 0)
		return 0;
	if (strcasecmp(scheme, "http") == 0) {
		if (http_host_is_loopback(host))
			return 0;
		return err_set(e, EX_CONFIG, "%s: plain http is allowed only to 127.0.0.1, ::1 or localhost (use https)",
		    shown);
	}
	return err_set(e, EX_CONFIG, "%s: unsupported URL scheme %s (expected https)", shown, scheme);
}

int
http_url_allowed(const char *url, struct err *e)
{
	char shown[512];

	snprintf(shown, sizeof shown, "%s", url);
	http_redact(NULL, shown, sizeof shown);
	return url_check(url, shown, e);
}

void
http_urlencode(struct buf *out, const char *s, size_t n, int keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (isalnum(ch) || ch == '-' || ch == '.' || ch == '_' || ch == '~' || (keep_slash && ch == '/')) {
			buf_addc(out, (char)ch);
		} else {
			buf_addc(out, '%');
			buf_addc(out, hex[ch >> 4]);
			buf_addc(out, hex[ch & 15]);
		}
	}
	buf_reserve(out, 1);
	out->p[out->len] = '\0';
}

void
http_query_add(struct buf *out, const char *key, const char *value, int form)
{
	if (form) {
		if (out->len > 0)
			buf_addc(out, '&');
	} else {
		buf_addc(out, out->len > 0 && memchr(out->p, '?', out->len) != NULL ? '&' : '?');
	}
	http_urlencode(out, key, strlen(key), 0);
	buf_addc(out, '=');
	http_urlencode(out, value, strlen(value), 0);
}

/* ---- redaction ---- */

static void
replace_all(struct buf *b, const char *secret)
{
	size_t sl = strlen(secret);
	struct buf o = { 0 };
	size_t i = 0;

	if (sl == 0 || b->len < sl)
		return;
	while (i < b->len) {
		if (b->len - i >= sl && memcmp(b->p + i, secret, sl) == 0) {
			buf_adds(&o, "***");
			i += sl;
		} else {
			buf_addc(&o, b->p[i++]);
		}
	}
	buf_free(b);
	*b = o;
}

/* Hide what follows each occurrence of key up to a delimiter. start_ok: what may precede key. */
static void
hide_after(struct buf *b, const char *key, const char *start_ok, const char *stop)
{
	size_t kl = strlen(key);
	struct buf o = { 0 };
	size_t i = 0;

	while (i < b->len) {
		if (b->len - i >= kl && strncasecmp(b->p + i, key, kl) == 0 &&
		    (start_ok == NULL || i == 0 || strchr(start_ok, b->p[i - 1]) != NULL)) {
			buf_add(&o, b->p + i, kl);
			i += kl;
			size_t j = i;
			while (j < b->len && strchr(stop, b->p[j]) == NULL)
				j++;
			if (j > i)
				buf_adds(&o, "***");
			i = j;
		} else {
			buf_addc(&o, b->p[i++]);
		}
	}
	buf_free(b);
	*b = o;
}

static void
redact_with(const struct http_client *c, char *const *extra, size_t nextra, char *s, size_t cap)
{
	struct buf b = { 0 };

	if (s == NULL || cap == 0)
		return;
	buf_adds(&b, s);
	if (c != NULL)
		for (size_t i = 0; i < c->nsecrets; i++)
			replace_all(&b, c->secrets[i]);
	for (size_t i = 0; i < nextra; i++)
		replace_all(&b, extra[i]);
	hide_after(&b, "Authorization: ", NULL, "\r\n\"");
	hide_after(&b, "Bearer ", NULL, " \t\r\n\"',;)&");
	static const char *const params[] = { "access_token=", "token=", "key=", "assertion=", "password=" };
	for (size_t i = 0; i < sizeof params / sizeof *params; i++)
		hide_after(&b, params[i], "?&;, \t\n\"'", "&# \t\r\n\"',;)");
	size_t n = b.len < cap - 1 ? b.len : cap - 1;
	if (n > 0)
		memcpy(s, b.p, n);
	s[n] = '\0';
	if (b.p != NULL)
		memset(b.p, 0, b.len);
	buf_free(&b);
}

void
http_redact(const struct http_client *c, char *s, size_t cap)
{
	redact_with(c, NULL, 0, s, cap);
}

/* ---- Retry-After ---- */

long
http_parse_retry_after(const char *value, long long now)
{
	const char *p = value;
	long long secs = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0')
		return -1;
	if (isdigit((unsigned char)*p)) {
		while (isdigit((unsigned char)*p)) {
			if (secs < 100000000)
				secs = secs * 10 + (*p - '0');
			p++;
		}
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '\0')
			return -1;
		return (long)(secs * 1000 > LONG_MAX ? LONG_MAX : secs * 1000);
	}
	time_t t = curl_getdate(p, NULL);
	if (t == (time_t)-1)
		return -1;
	if ((long long)t <= now)
		return 0;
	secs = (long long)t - now;
	if (secs > 100000000)
		secs = 100000000;
	return (long)(secs * 1000);
}

/* ---- the request loop ---- */

struct xfer {
	struct http_response *resp;
	int fd;
	long status;
	int write_errno;
	int write_failed;
};

static size_t
on_header(char *p, size_t size, size_t n, void *ud)
{
	struct xfer *x = ud;
	size_t len = size * n;

	if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) {
		/* A new status line (after a 100 Continue, or the first): the headers start over. */
		x->resp->headers.len = 0;
		const char *sp = memchr(p, ' ', len);
		x->status = sp != NULL ? strtol(sp + 1, NULL, 10) : 0;
	}
	buf_add(&x->resp->headers, p, len);
	return len;
}

static size_t
on_body(char *p, size_t size, size_t n, void *ud)
{
	struct xfer *x = ud;
	size_t len = size * n;

	if (x->fd >= 0 && x->status >= 200 && x->status < 300) {
		size_t done = 0;
		while (done < len) {
			ssize_t w = write(x->fd, p + done, len - done);
			if (w < 0) {
				if (errno == EINTR)
					continue;
				x->write_errno = errno;
				x->write_failed = 1;
				return 0;
			}
			done += (size_t)w;
		}
		return len;
	}
	buf_add(&x->resp->body, p, len);
	return len;
}

static const char *
reason(long status)
{
	switch (status) {
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 412: return "Precondition Failed";
	case 413: return "Payload Too Large";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return NULL;
	}
}

static int
status_retryable(long status)
{
	return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

static const char *
curl_retryable(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY: return "could not resolve host";
	case CURLE_COULDNT_CONNECT: return "could not connect";
	case CURLE_OPERATION_TIMEDOUT: return "timed out";
	case CURLE_PARTIAL_FILE: return "truncated reply";
	case CURLE_GOT_NOTHING: return "empty reply";
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR: return "connection lost";
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM: return "HTTP/2 stream error";
	default: return NULL;
	}
}

/* "HTTP 503 Service Unavailable (what the JSON error body says)". */
static void
describe_status(const struct http_response *r, char *out, size_t outsz)
{
	const char *rs = reason(r->status);
	char detail[256] = "";

	if (r->body.len > 0 && r->body.len < 65536) {
		json_t *j = json_loadb(r->body.p, r->body.len, 0, NULL);
		if (json_is_object(j)) {
			json_t *er = json_object_get(j, "error");
			if (json_is_object(er) && json_is_string(json_object_get(er, "message")))
				snprintf(detail, sizeof detail, "%s", json_string_value(json_object_get(er, "message")));
			else if (json_is_string(er)) {
				json_t *d = json_object_get(j, "error_description");
				if (json_is_string(d))
					snprintf(detail, sizeof detail, "%s: %s", json_string_value(er), json_string_value(d));
				else
					snprintf(detail, sizeof detail, "%s", json_string_value(er));
			}
		}
		json_decref(j);
	}
	snprintf(out, outsz, "HTTP %ld%s%s%s%s%s", r->status, rs ? " " : "", rs ? rs : "", detail[0] ? " (" : "",
	    detail, detail[0] ? ")" : "");
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

struct request_secrets {
	char **v;
	size_t n;
};

static void
fail(const struct http_client *c, const struct request_secrets *rs, struct err *e, int code, const char *method,
    const char *url, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

static void
fail(const struct http_client *c, const struct request_secrets *rs, struct err *e, int code, const char *method,
    const char *url, const char *fmt, ...)
{
	char what[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	err_set(e, code, "%s %s: %s", method, url, what);
	if (e != NULL)
		redact_with(c, rs->v, rs->n, e->msg, sizeof e->msg);
}

static int
set_method(CURL *h, const char *method, const void *body, size_t len)
{
	if (strcmp(method, "GET") == 0 && body == NULL) {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	} else if (strcmp(method, "HEAD") == 0) {
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	} else if (strcmp(method, "POST") == 0 || body != NULL) {
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(body ? len : 0));
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? (const char *)body : "");
		if (strcmp(method, "POST") != 0)
			curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	} else {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	}
	return 0;
}

static int
request(struct http_client *c, const char *method0, const char *url0, const char *const *headers,
    const void *body, size_t len, int fd, struct http_response *out, struct err *e)
{
	struct curl_slist *hl = NULL;
	struct request_secrets rs = { 0 };
	char errbuf[CURL_ERROR_SIZE];
	char shown[1024];
	char *url = xstrdup(url0);
	const char *method = method0;
	int redirects = 0, rc = -1;

	buf_free(&out->body);
	buf_free(&out->headers);
	out->status = 0;
	out->tries = 0;

	for (size_t i = 0; headers != NULL && headers[i] != NULL; i++) {
		hl = curl_slist_append(hl, headers[i]);
		if (strncasecmp(headers[i], "Authorization:", 14) == 0) {
			const char *v = headers[i] + 14;
			while (*v == ' ')
				v++;
			const char *sp = strchr(v, ' ');	/* "Bearer TOKEN": the token alone is the secret too */
			rs.v = xrealloc(rs.v, (rs.n + 2) * sizeof *rs.v);
			rs.v[rs.n++] = xstrdup(v);
			/* ... unless it is as short as the emulator's "owner": every word "owner" would vanish. */
			if (sp != NULL && strlen(sp + 1) >= 8)
				rs.v[rs.n++] = xstrdup(sp + 1);
		}
	}
	hl = curl_slist_append(hl, "Expect:");

	if (c->curl == NULL && (c->curl = curl_easy_init()) == NULL) {
		err_set(e, EX_UNAVAILABLE, "%s: cannot start libcurl", method);
		goto done;
	}
	CURL *h = c->curl;

	for (int attempt = 1;; attempt++) {
		struct xfer x = { out, fd, 0, 0, 0 };
		char why[2048], status_text[512];
		long wait_ms;

		snprintf(shown, sizeof shown, "%s", url);
		redact_with(c, rs.v, rs.n, shown, sizeof shown);
		if (url_check(url, shown, e) == -1) {
			if (redirects > 0 && e != NULL) {
				err_prefix(e, "%s %s: redirected", method0, url0);
				redact_with(c, rs.v, rs.n, e->msg, sizeof e->msg);
			}
			goto done;
		}
		out->body.len = 0;
		out->headers.len = 0;
		out->status = 0;
		out->tries = attempt;
		if (fd >= 0 && (ftruncate(fd, 0) == -1 || lseek(fd, 0, SEEK_SET) == (off_t)-1)) {
			fail(c, &rs, e, EX_IOERR, method, shown, "cannot rewind the output: %s", strerror(errno));
			goto done;
		}

		curl_easy_reset(h);
		errbuf[0] = '\0';
		curl_easy_setopt(h, CURLOPT_URL, url);
		curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
#if LIBCURL_VERSION_NUM >= 0x075500
		curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#else
		curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
		curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
		/* A proxy from the environment never sees loopback traffic (the fakes, the emulators). */
		curl_easy_setopt(h, CURLOPT_NOPROXY, "127.0.0.1,localhost,::1");
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
		curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
		if (c->total_timeout_ms > 0)
			curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->total_timeout_ms);
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, c->stall_timeout_s);
		curl_easy_setopt(h, CURLOPT_USERAGENT, c->user_agent);
		curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
		curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
		curl_easy_setopt(h, CURLOPT_HEADERDATA, &x);
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
		set_method(h, method, body, len);

		CURLcode cc = curl_easy_perform(h);
		out->status = x.status;
		buf_reserve(&out->body, 1);
		out->body.p[out->body.len] = '\0';

		if (x.write_failed) {
			fail(c, &rs, e, EX_IOERR, method, shown, "cannot write the reply: %s", strerror(x.write_errno));
			goto done;
		}
		if (cc != CURLE_OK) {
			const char *short_why = curl_retryable(cc);
			if (short_why == NULL) {
				fail(c, &rs, e, EX_UNAVAILABLE, method, shown, "%s%s%s", curl_easy_strerror(cc),
				    errbuf[0] ? ": " : "", errbuf);
				goto done;
			}
			out->status = 0;
			if (attempt >= c->max_tries) {
				fail(c, &rs, e, EX_UNAVAILABLE, method, shown, "%s (gave up after %d tr%s)", short_why, attempt,
				    attempt == 1 ? "y" : "ies");
				goto done;
			}
			snprintf(why, sizeof why, "%s %s: %s", method, shown, short_why);
			wait_ms = -1;
		} else {
			long st = x.status;
			char *loc = NULL;

			if ((st == 301 || st == 302 || st == 303 || st == 307 || st == 308) &&
			    curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK && loc != NULL) {
				if (++redirects > MAX_REDIRECTS) {
					fail(c, &rs, e, EX_UNAVAILABLE, method0, shown, "more than %d redirects", MAX_REDIRECTS);
					goto done;
				}
				char *next = xstrdup(loc);
				free(url);
				url = next;
				if (st == 303 && strcmp(method, "HEAD") != 0) {
					method = "GET";
					body = NULL;
					len = 0;
				}
				attempt--;	/* a redirect is not a failed try */
				continue;
			}
			if (st < 400) {
				rc = 0;
				goto done;
			}
			describe_status(out, status_text, sizeof status_text);
			if (!status_retryable(st) || attempt >= c->max_tries) {
				int code = (st == 401 || st == 403) ? EX_NOPERM : EX_UNAVAILABLE;
				if (status_retryable(st))
					fail(c, &rs, e, code, method, shown, "%s (gave up after %d tr%s)", status_text, attempt,
					    attempt == 1 ? "y" : "ies");
				else
					fail(c, &rs, e, code, method, shown, "%s", status_text);
				goto done;
			}
			char ra[64];
			wait_ms = -1;
			if (http_response_header(out, "Retry-After", ra, sizeof ra) != NULL)
				wait_ms = http_parse_retry_after(ra, (long long)time(NULL));
			snprintf(why, sizeof why, "%s %s: %s", method, shown, status_text);
		}

		/* Exponential backoff, raised to the server's Retry-After (both capped). */
		long backoff = c->retry_base_ms;
		for (int i = 1; i < attempt && backoff < c->retry_max_ms; i++)
			backoff *= 2;
		if (backoff > c->retry_max_ms)
			backoff = c->retry_max_ms;
		if (wait_ms > c->retry_after_max_ms)
			wait_ms = c->retry_after_max_ms;
		if (wait_ms < backoff)
			wait_ms = backoff;
		redact_with(c, rs.v, rs.n, why, sizeof why);
		if (c->on_retry != NULL)
			c->on_retry(c->retry_ctx, why, attempt, (double)wait_ms / 1000.0);
		sleep_ms(wait_ms);
	}
done:
	if (rc == 0 && out->body.p == NULL) {
		buf_reserve(&out->body, 1);
		out->body.p[0] = '\0';
	}
	curl_slist_free_all(hl);
	for (size_t i = 0; i < rs.n; i++) {
		memset(rs.v[i], 0, strlen(rs.v[i]));
		free(rs.v[i]);
	}
	free(rs.v);
	free(url);
	return rc;
}

int
http_request(struct http_client *c, const char *method, const char *url, const char *const *headers,
    const void *body, size_t len, struct http_response *out, struct err *e)
{
	return request(c, method, url, headers, body, len, -1, out, e);
}

int
http_request_fd(struct http_client *c, const char *method, const char *url, const char *const *headers,
    const void *body, size_t len, int fd, struct http_response *out, struct err *e)
{
	return request(c, method, url, headers, body, len, fd, out, e);
}

int
http_json(struct http_client *c, const char *method, const char *url, const char *const *headers,
    json_t *body, json_t **reply, long *status, struct err *e)
{
	struct http_response r = { 0 };
	const char **hv;
	size_t nh = 0;
	char *text = NULL;
	int rc;

	*reply = NULL;
	while (headers != NULL && headers[nh] != NULL)
		nh++;
	hv = xcalloc(nh + 3, sizeof *hv);
	for (size_t i = 0; i < nh; i++)
		hv[i] = headers[i];
	hv[nh] = "Accept: application/json";
	if (body != NULL) {
		hv[nh + 1] = "Content-Type: application/json";
		text = json_dumps(body, JSON_COMPACT);
		if (text == NULL) {
			free(hv);
			return err_set(e, EX_SOFTWARE, "%s %s: cannot encode the request", method, url);
		}
	}
	rc = http_request(c, method, url, hv, text, text ? strlen(text) : 0, &r, e);
	if (status != NULL)
		*status = r.status;
	if (r.body.len > 0) {
		json_error_t je;
		*reply = json_loadb(r.body.p, r.body.len, JSON_DECODE_ANY, &je);
		if (*reply == NULL && rc == 0) {
			char shown[1024];
			snprintf(shown, sizeof shown, "%s", url);
			http_redact(c, shown, sizeof shown);
			rc = err_set(e, EX_UNAVAILABLE, "%s %s: the reply is not JSON (%s at byte %d)", method, shown, je.text,
			    je.position);
		}
	}
	free(text);
	free(hv);
	http_response_free(&r);
	return rc;
}
