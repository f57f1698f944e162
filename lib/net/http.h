/* http: the one HTTP(S) client every remote backend uses (libcurl): retries, backoff, TLS, redaction. */
#ifndef TD_HTTP_H
#define TD_HTTP_H

#include <stddef.h>

#include <jansson.h>

#include "util/buf.h"
#include "util/err.h"

/*
 * Rules, the same for every backend (Rapid Pro, Graph API, OAuth, Firestore, GCS, Drive):
 *
 * - TLS peer and host verification are always on. Plain http:// is allowed only to a loopback host
 *   (127.0.0.1, ::1, localhost), for the test fakes and the emulators; any other http:// URL, any other
 *   scheme, and a redirect to such a URL are refused (EX_CONFIG) before anything is sent.
 * - Retries, as curl --retry: timeouts, refused/reset connections, DNS failures, empty or truncated
 *   replies (CURLE_PARTIAL_FILE: fewer bytes than Content-Length), and HTTP 408, 429, 500, 502, 503, 504.
 *   The wait before try n+1 is retry_base_ms * 2^(n-1), capped at retry_max_ms; a Retry-After header
 *   (seconds or an HTTP-date) raises it, capped at retry_after_max_ms. At most max_tries tries in all.
 * - Redirects (301, 302, 303, 307, 308 with a Location) are followed, at most 5, each target checked
 *   as above; 303 turns the request into a GET without a body.
 * - Error codes (struct err.code, the tool's exit code): EX_NOPERM (77) for HTTP 401 and 403,
 *   EX_UNAVAILABLE (69) for everything that failed after the last try and for other HTTP errors,
 *   EX_CONFIG (78) for a refused URL, EX_IOERR (74) for a failed write of a streamed body.
 *   Messages: "METHOD URL: what failed", e.g.
 *     "GET http://127.0.0.1:4242/o/x?alt=media: HTTP 503 Service Unavailable (gave up after 5 tries)"
 *     "POST https://oauth2.googleapis.com/token: HTTP 400 Bad Request (invalid_grant: Invalid JWT)"
 *     "GET https://h/x: could not connect (Connection refused) (gave up after 5 tries)"
 *   A JSON error body's message (Google's error.message, OAuth's error/error_description) is quoted
 *   in parentheses.
 * - Redaction: every message (errors, and the `why` passed to on_retry) has each registered secret,
 *   every Authorization header value sent with the request, and the value of any access_token=,
 *   token=, key= or assertion= parameter replaced by "***".
 *
 * Environment (read by http_client_init, so tests and users can tune every tool at once):
 *   TDTOOLS_RETRY_BASE_MS   base backoff in milliseconds (default 1000); tests set 1 so fault tests run fast
 *   TDTOOLS_HTTP_TRIES      tries per request (default 5)
 *   TDTOOLS_HTTP_TIMEOUT    seconds without any byte received before a try is abandoned (default 60)
 */

struct http_client {
	/* Settings: change them after http_client_init, before the first request. */
	long connect_timeout_ms;	/* default 10000 */
	long stall_timeout_s;		/* no byte for this long → timeout (default 60, TDTOOLS_HTTP_TIMEOUT) */
	long total_timeout_ms;		/* whole try, 0 = none (default 0: large downloads take their time) */
	int max_tries;			/* default 5 (TDTOOLS_HTTP_TRIES) */
	long retry_base_ms;		/* default 1000 (TDTOOLS_RETRY_BASE_MS) */
	long retry_max_ms;		/* cap of the exponential backoff, default 30000 */
	long retry_after_max_ms;	/* cap of a server's Retry-After, default 120000 */
	const char *user_agent;		/* default "tdtools/VERSION" */
	/* Told before each wait: why the try failed (redacted), the try that failed (1-based), the wait.
	 * Tools print it at -v, e.g. "blob-cp: HTTP 503 Service Unavailable; try 2 of 5 in 2.0 s". */
	void (*on_retry)(void *ctx, const char *why, int attempt, double wait_seconds);
	void *retry_ctx;

	/* Private. */
	void *curl;			/* one easy handle, reused: connections are kept alive */
	char **secrets;
	size_t nsecrets, capsecrets;
};

struct http_response {
	long status;			/* final HTTP status, 0 if no reply arrived */
	struct buf body;		/* the reply body (NUL-terminated; body.len excludes the NUL) */
	struct buf headers;		/* the final reply's header lines, "Name: value\r\n" each */
	int tries;			/* how many tries were made */
};

void http_client_init(struct http_client *c);
void http_client_free(struct http_client *c);
/* Register a secret (a token, a password, a key): it is replaced by "***" in every message. Copied. */
void http_add_secret(struct http_client *c, const char *secret);

void http_response_free(struct http_response *r);
/* A header of the final reply (case-insensitive name), copied into out (NUL-terminated); NULL if absent. */
const char *http_response_header(const struct http_response *r, const char *name, char *out, size_t outsz);

/*
 * Send a request, retrying as described above. headers: NULL or a NULL-terminated array of
 * "Name: value" strings. body/len: the request body (NULL/0 for none; a POST with no body sends
 * Content-Length: 0). out receives the final reply (initialise it with {0}; free with http_response_free).
 * Returns 0 when the final status is below 400; otherwise -1 with e set (out->status and out->body still
 * hold the reply, so a caller can treat 404 or 409 as an answer, not a failure).
 */
int http_request(struct http_client *c, const char *method, const char *url, const char *const *headers,
    const void *body, size_t len, struct http_response *out, struct err *e);

/*
 * The same, but a successful (2xx) reply body is written to fd instead of out->body (for large
 * downloads). fd must be a regular file open for writing: a retried download truncates it and starts
 * again. Error replies still land in out->body.
 */
int http_request_fd(struct http_client *c, const char *method, const char *url, const char *const *headers,
    const void *body, size_t len, int fd, struct http_response *out, struct err *e);

/*
 * JSON in, JSON out: body (may be NULL) is sent as application/json; a 2xx reply is parsed into *reply
 * (a new reference; NULL for an empty body). An unparsable reply is EX_UNAVAILABLE. On HTTP errors
 * (-1), *reply holds the parsed error body when it was JSON (or NULL), and *status the status.
 */
int http_json(struct http_client *c, const char *method, const char *url, const char *const *headers,
    json_t *body, json_t **reply, long *status, struct err *e);

/* Check a URL against the rules above: 0, or -1 with e set (EX_CONFIG). */
int http_url_allowed(const char *url, struct err *e);
/* 1 if host (as in a URL, brackets allowed) is a loopback name: 127.0.0.1, ::1, localhost. */
int http_host_is_loopback(const char *host);

/* Percent-encode s[0..n) onto out: everything except A-Z a-z 0-9 - . _ ~ (and '/' if keep_slash).
 * out stays NUL-terminated. */
void http_urlencode(struct buf *out, const char *s, size_t n, int keep_slash);
/* Append "?key=value" or "&key=value" (value percent-encoded) to a URL or form body in out.
 * For a form body (application/x-www-form-urlencoded) pass form=1: no '?', '&' between pairs. */
void http_query_add(struct buf *out, const char *key, const char *value, int form);

/* Replace secrets in s (NUL-terminated, capacity cap) by "***", as done for every message. */
void http_redact(const struct http_client *c, char *s, size_t cap);

/* Parse a Retry-After value (delta seconds or an IMF-fixdate HTTP-date) relative to now (epoch seconds).
 * Returns the wait in milliseconds (>= 0), or -1 if it cannot be parsed. */
long http_parse_retry_after(const char *value, long long now);

#endif
