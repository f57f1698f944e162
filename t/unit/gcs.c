/*
 * gcs unit test. Without arguments: TAP tests of gs:// URL parsing. As "gcs [-k KEYFILE] list gs://BUCKET/PREFIX"
 * it lists objects through gcs_list against $STORAGE_EMULATOR_HOST (t/t5011-gcs-list.sh), one
 * "NAME SIZE" line per object; a failure prints "gcs: MESSAGE" and exits with the error's code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/gcs.h"

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
parse(const char *url, const char *bucket, const char *object, const char *title)
{
	struct err e = { 0 };
	char *b, *o;
	int rc = gcs_parse_url(url, &b, &o, &e);

	if (bucket == NULL)
		ok(rc == -1 && e.code == EX_USAGE, title);
	else
		ok(rc == 0 && strcmp(b, bucket) == 0 && strcmp(o, object) == 0, title);
	free(b);
	free(o);
}

static int
print_object(void *ctx, const char *name, json_t *object)
{
	int *stop_after = ctx;

	printf("%s %s\n", name, json_string_value(json_object_get(object, "size")));
	return --*stop_after == 0 ? 2 : 0;
}

static int
list(int argc, char **argv)
{
	struct http_client http;
	struct gauth auth;
	struct gcs g;
	struct err e = { 0 };
	const char *key = NULL;
	char *bucket, *prefix;
	int opt, rc = 0, have_auth = 0, stop_after = -1;

	while ((opt = getopt(argc, argv, "k:n:")) != -1) {
		if (opt == 'k')
			key = optarg;
		else if (opt == 'n')
			stop_after = atoi(optarg);
		else
			return 64;
	}
	if (optind + 1 != argc)
		return 64;
	http_client_init(&http);
	if (gcs_parse_url(argv[optind], &bucket, &prefix, &e) == -1)
		goto fail;
	if (key != NULL) {
		if (gauth_init(&auth, key, GAUTH_SCOPE_STORAGE, &http, &e) == -1)
			goto fail;
		have_auth = 1;
	}
	if (gcs_init(&g, &http, have_auth ? &auth : NULL, NULL, &e) == -1)
		goto fail;
	rc = gcs_list(&g, bucket, prefix, print_object, &stop_after, &e);
	gcs_free(&g);
	if (rc == -1)
		goto fail;
	if (rc != 0)
		printf("stopped: %d\n", rc);
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "gcs: %s\n", e.msg);
	rc = e.code;
out:
	free(bucket);
	free(prefix);
	if (have_auth)
		gauth_free(&auth);
	http_client_free(&http);
	return rc;
}

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "list") == 0)
		return list(argc - 1, argv + 1);
	parse("gs://avf-credentials/textit-token.txt", "avf-credentials", "textit-token.txt", "bucket and object");
	parse("gs://b/2020/USAID-IBTCI/SMS//memory.profile", "b", "2020/USAID-IBTCI/SMS//memory.profile",
	    "an object name keeps its slashes, doubled ones too");
	parse("gs://b", "b", "", "a bucket alone");
	parse("gs://b/", "b", "", "a bucket and a slash");
	parse("gs:///x", NULL, NULL, "no bucket");
	parse("s3://b/x", NULL, NULL, "not gs://");
	ok(gcs_is_url("gs://x") && !gcs_is_url("/gs://x"), "gcs_is_url");
	printf("1..%d\n", ntest);
	return nfail != 0;
}
