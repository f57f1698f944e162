/*
 * http unit test. Without arguments: TAP tests of what needs no server (URL rules, percent-encoding,
 * redaction, Retry-After). As "http fetch [options] URL" it is a tiny client that t/t5000-http-*.sh drive
 * against the loopback fake t/fake/echo.py, so retries and error messages are checked byte for byte:
 *   -X METHOD  -d BODY  -H 'Name: value' (repeatable)  -s SECRET (repeatable)  -o FILE (stream the body
 *   into FILE)  -j (send BODY as JSON through http_json and print the reply compactly)  -t TRIES
 *   -T STALL_SECONDS  -v (print every retry: "http: retry: WHY (try N, waiting W s)")
 * The body goes to stdout; a failure prints "http: MESSAGE" and exits with the error's code.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/http.h"

static int ntest, nfail;

static void
ok(int cond, const char *title)
{
	ntest++;
	if (!cond)
		nfail++;
	printf("%s %d - %s\n", cond ? "ok" : "not ok", ntest, title);
}

static void
is_str(const char *got, const char *want, const char *title)
{
	int same = strcmp(got, want) == 0;

	ok(same, title);
	if (!same)
		printf("# got  '%s'\n# want '%s'\n", got, want);
}

static void
test_urls(void)
{
	struct err e = { 0 };

	ok(http_url_allowed("https://storage.googleapis.com/storage/v1/b/x/o", &e) == 0, "https is allowed");
	ok(http_url_allowed("http://127.0.0.1:8080/v1/x", &e) == 0, "http to 127.0.0.1 is allowed");
	ok(http_url_allowed("http://localhost:9/x", &e) == 0, "http to localhost is allowed");
	ok(http_url_allowed("http://[::1]:9/x", &e) == 0, "http to [::1] is allowed");
	ok(http_url_allowed("http://example.org/x", &e) == -1 && e.code == EX_CONFIG, "http elsewhere is refused");
	is_str(e.msg, "http://example.org/x: plain http is allowed only to 127.0.0.1, ::1 or localhost (use https)",
	    "the refusal says why");
	ok(http_url_allowed("http://127.0.0.2/x", &e) == -1, "127.0.0.2 is not one of the loopback names");
	ok(http_url_allowed("http://localhost.example.org/x", &e) == -1, "localhost.example.org is not loopback");
	ok(http_url_allowed("ftp://127.0.0.1/x", &e) == -1, "ftp is refused");
	is_str(e.msg, "ftp://127.0.0.1/x: unsupported URL scheme ftp (expected https)", "the scheme is named");
	ok(http_url_allowed("file:///etc/passwd", &e) == -1, "file is refused");
	ok(http_url_allowed("http://example.org/x?access_token=SECRET1", &e) == -1 && strstr(e.msg, "SECRET1") == NULL,
	    "a refused URL's token is not shown");
}

static void
test_encode(void)
{
	struct buf b = { 0 };

	http_urlencode(&b, "a b/c:d+e%f~g_h.i-j", 19, 0);
	is_str(b.p, "a%20b%2Fc%3Ad%2Be%25f~g_h.i-j", "percent-encoding, slash encoded");
	b.len = 0;
	http_urlencode(&b, "dir/obj name", 12, 1);
	is_str(b.p, "dir/obj%20name", "percent-encoding, slash kept");
	b.len = 0;
	http_urlencode(&b, "\xc3\xa9", 2, 0);
	is_str(b.p, "%C3%A9", "UTF-8 bytes are encoded one by one");
	b.len = 0;
	buf_adds(&b, "https://h/o");
	http_query_add(&b, "prefix", "2020/x y", 0);
	http_query_add(&b, "pageToken", "a=b", 0);
	buf_addc(&b, '\0');
	is_str(b.p, "https://h/o?prefix=2020%2Fx%20y&pageToken=a%3Db", "query parameters");
	b.len = 0;
	http_query_add(&b, "grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer", 1);
	http_query_add(&b, "assertion", "x.y.z", 1);
	buf_addc(&b, '\0');
	is_str(b.p, "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=x.y.z", "a form body");
	buf_free(&b);
}

static void
test_redact(void)
{
	struct http_client c;
	char s[256];

	http_client_init(&c);
	http_add_secret(&c, "s3cr3t-value");
	snprintf(s, sizeof s, "GET https://h/x?a=1&access_token=EAAB123&b=2: no s3cr3t-value here");
	http_redact(&c, s, sizeof s);
	is_str(s, "GET https://h/x?a=1&access_token=***&b=2: no *** here", "secrets and access_token hidden");
	snprintf(s, sizeof s, "sent Authorization: Token abc123\r\nand Bearer ya29.xyz, token=t0k&key=k3y");
	http_redact(&c, s, sizeof s);
	is_str(s, "sent Authorization: ***\r\nand Bearer ***, token=***&key=***", "headers, bearer, token, key");
	snprintf(s, sizeof s, "nothing secret: monkey=1 tokens are fine");
	http_redact(&c, s, sizeof s);
	is_str(s, "nothing secret: monkey=1 tokens are fine", "words that only look like keys are kept");
	http_client_free(&c);
}

static void
test_retry_after(void)
{
	ok(http_parse_retry_after("2", 0) == 2000, "Retry-After seconds");
	ok(http_parse_retry_after(" 120 ", 0) == 120000, "Retry-After with spaces");
	ok(http_parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784111767) == 10000, "Retry-After HTTP-date");
	ok(http_parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784111787) == 0, "a past HTTP-date is no wait");
	ok(http_parse_retry_after("soon", 0) == -1, "an unparsable Retry-After");
	ok(http_parse_retry_after("1.5", 0) == -1, "fractions are not delta-seconds");
}

static void
on_retry(void *ctx, const char *why, int attempt, double wait)
{
	(void)ctx;
	fprintf(stderr, "http: retry: %s (try %d, waiting %.1f s)\n", why, attempt, wait);
}

static int
fetch(int argc, char **argv)
{
	struct http_client c;
	struct http_response r = { 0 };
	struct err e = { 0 };
	const char *headers[32];
	const char *method = "GET", *body = NULL, *out = NULL;
	int nh = 0, opt, verbose = 0, json = 0, rc;

	http_client_init(&c);
	while ((opt = getopt(argc, argv, "X:d:H:s:o:jt:T:v")) != -1) {
		switch (opt) {
		case 'X': method = optarg; break;
		case 'd': body = optarg; break;
		case 'H': if (nh < 31) headers[nh++] = optarg; break;
		case 's': http_add_secret(&c, optarg); break;
		case 'o': out = optarg; break;
		case 'j': json = 1; break;
		case 't': c.max_tries = atoi(optarg); break;
		case 'T': c.stall_timeout_s = atol(optarg); break;
		case 'v': verbose = 1; break;
		default: return 64;
		}
	}
	headers[nh] = NULL;
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: http fetch [-jv] [-X M] [-d BODY] [-H H] [-s S] [-o FILE] [-t N] [-T S] URL\n");
		return 64;
	}
	if (verbose)
		c.on_retry = on_retry;
	if (json) {
		json_t *req = NULL, *reply = NULL;
		long status = 0;
		if (body != NULL && (req = json_loads(body, 0, NULL)) == NULL) {
			fprintf(stderr, "http: -d is not JSON\n");
			return 64;
		}
		rc = http_json(&c, method, argv[optind], headers, req, &reply, &status, &e);
		if (reply != NULL) {
			char *t = json_dumps(reply, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
			printf("%ld %s\n", status, t);
			free(t);
		}
		json_decref(req);
		json_decref(reply);
	} else if (out != NULL) {
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd == -1) {
			perror(out);
			return 73;
		}
		rc = http_request_fd(&c, method, argv[optind], headers, body, body ? strlen(body) : 0, fd, &r, &e);
		close(fd);
	} else {
		rc = http_request(&c, method, argv[optind], headers, body, body ? strlen(body) : 0, &r, &e);
		if (rc == 0)
			fwrite(r.body.p, 1, r.body.len, stdout);
	}
	http_response_free(&r);
	http_client_free(&c);
	if (rc != 0) {
		fprintf(stderr, "http: %s\n", e.msg);
		return e.code;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "fetch") == 0)
		return fetch(argc - 1, argv + 1);
	test_urls();
	test_encode();
	test_redact();
	test_retry_after();
	printf("1..%d\n", ntest);
	return nfail != 0;
}
