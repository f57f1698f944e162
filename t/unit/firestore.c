/*
 * firestore unit test. Without arguments: TAP tests of what needs no server (typed values both ways,
 * field paths, the query and write JSON). With a command it is a small client that t/t5020-firestore-*.sh
 * drive against t/fake/firestore.py (FIRESTORE_EMULATOR_HOST), printing what the library returned:
 *   firestore [-k KEYFILE] [-P PROJECT] get PATH
 *   firestore ... list COLLECTION PAGESIZE        (one line per page: "page N: id id ...", then documents)
 *   firestore ... all COLLECTION PAGESIZE         (firestore_list: every document)
 *   firestore ... batchget PATH...
 *   firestore ... query PARENT COLLECTION [where FIELD OP VALUE]... [order FIELD asc|desc]... [limit N]
 *                 [after DOCPATH]                 VALUE is JSON, or ts:RFC3339 for a timestamp
 *   firestore ... commit < WRITES.json            [{"op": "set"|"delete", "path", "data", "mask": [...],
 *                 "pre": "missing"|"exists"|"updateTime", "updateTime", "serverTime": FIELD}]
 *   firestore roundtrip < JSON                    JSON → Values → JSON (two lines)
 * A document prints as: PATH JSON-of-its-fields (keys sorted). Failures: "firestore: MESSAGE
 * [HTTP-STATUS ERROR-STATUS]" on stderr and the error's exit code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/firestore.h"

static int ntest, nfail;

static void
ok(int cond, const char *title)
{
	ntest++;
	if (!cond)
		nfail++;
	printf("%s %d - %s\n", cond ? "ok" : "not ok", ntest, title);
}

static char *
dump(const json_t *j)
{
	return json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}

static void
is_json(const json_t *j, const char *want, const char *title)
{
	char *got = j ? dump(j) : strdup("(null)");
	int same = strcmp(got, want) == 0;

	ok(same, title);
	if (!same)
		printf("# got  %s\n# want %s\n", got, want);
	free(got);
}

static void
unit_tests(void)
{
	struct err e = { 0 };
	json_t *in, *v, *back;

	in = json_loads("{\"SequenceNumber\": 17, \"Text\": \"Waxaan\", \"Confidence\": 0.5, \"Checked\": true, "
	    "\"Gone\": null, \"Labels\": [], \"Origin\": {}, \"Big\": 9007199254740993, "
	    "\"L\": [{\"CodeID\": \"c1\", \"N\": -3}]}", 0, NULL);
	v = firestore_fields(in);
	is_json(v, "{\"Big\":{\"integerValue\":\"9007199254740993\"},\"Checked\":{\"booleanValue\":true},"
	    "\"Confidence\":{\"doubleValue\":0.5},\"Gone\":{\"nullValue\":null},"
	    "\"L\":{\"arrayValue\":{\"values\":[{\"mapValue\":{\"fields\":{\"CodeID\":{\"stringValue\":\"c1\"},"
	    "\"N\":{\"integerValue\":\"-3\"}}}}]}},\"Labels\":{\"arrayValue\":{}},\"Origin\":{\"mapValue\":{}},"
	    "\"SequenceNumber\":{\"integerValue\":\"17\"},\"Text\":{\"stringValue\":\"Waxaan\"}}",
	    "JSON → Values: integers as strings, empty array and map without values/fields");
	back = firestore_fields_to_json(v, &e);
	ok(back != NULL && json_equal(back, in), "... and back to the same JSON (64-bit integers exact)");
	json_decref(back);
	json_decref(v);
	json_decref(in);

	v = json_loads("{\"t\": {\"timestampValue\": \"2020-11-06T10:00:00.812345Z\"}, \"b\": {\"bytesValue\": \"aGk=\"},"
	    "\"r\": {\"referenceValue\": \"projects/p/databases/(default)/documents/a/b\"},"
	    "\"g\": {\"geoPointValue\": {\"latitude\": 2.5, \"longitude\": 45.25}}, \"n\": {\"doubleValue\": \"NaN\"},"
	    "\"i\": {\"integerValue\": 5}, \"e\": {\"arrayValue\": {}}, \"m\": {\"mapValue\": {}}}", 0, NULL);
	back = firestore_fields_to_json(v, &e);
	is_json(back, "{\"b\":\"aGk=\",\"e\":[],\"g\":{\"latitude\":2.5,\"longitude\":45.25},\"i\":5,\"m\":{},"
	    "\"n\":\"NaN\",\"r\":\"projects/p/databases/(default)/documents/a/b\",\"t\":\"2020-11-06T10:00:00.812345Z\"}",
	    "Values JSON has no type for become strings, geo points objects");
	json_decref(back);
	json_decref(v);

	v = json_loads("{\"x\": {\"integerValue\": \"12a\"}}", 0, NULL);
	ok(firestore_fields_to_json(v, &e) == NULL && strcmp(e.msg, "field x: an unknown or malformed Firestore value "
	    "(integerValue)") == 0, "a malformed integerValue is an error naming the field");
	json_decref(v);
	v = json_loads("{\"x\": {\"stringValue\": \"a\", \"integerValue\": \"1\"}}", 0, NULL);
	ok(firestore_fields_to_json(v, &e) == NULL, "a Value with two types is an error");
	json_decref(v);

	v = firestore_bytes_value("hi!", 3);
	is_json(v, "{\"bytesValue\":\"aGkh\"}", "bytes as base64");
	json_decref(v);

	struct buf b = { 0 };
	firestore_field_path(&b, "LastUpdated");
	buf_addc(&b, ' ');
	firestore_field_path(&b, "Rqa_S08E01 (Text)");
	buf_addc(&b, ' ');
	firestore_field_path(&b, "9lives");
	buf_addc(&b, ' ');
	firestore_field_path(&b, "a`b");
	ok(strcmp(b.p, "LastUpdated `Rqa_S08E01 (Text)` `9lives` `a\\`b`") == 0, "field paths back-quoted when needed");
	buf_free(&b);

	json_t *q = firestore_query_new("messages");
	firestore_query_where(q, "LastUpdated", "GREATER_THAN", firestore_timestamp_value("2020-11-06T10:00:00Z"));
	firestore_query_where(q, "LastUpdated", "LESS_THAN_OR_EQUAL", firestore_timestamp_value("2020-11-07T10:00:00Z"));
	firestore_query_order(q, "__name__", 0);
	firestore_query_limit(q, 500);
	firestore_query_start_after_doc(q, "projects/p/databases/(default)/documents/datasets/D/messages/m1");
	is_json(q, "{\"from\":[{\"collectionId\":\"messages\"}],\"limit\":500,"
	    "\"orderBy\":[{\"direction\":\"ASCENDING\",\"field\":{\"fieldPath\":\"__name__\"}}],"
	    "\"startAt\":{\"before\":false,\"values\":[{\"referenceValue\":"
	    "\"projects/p/databases/(default)/documents/datasets/D/messages/m1\"}]},"
	    "\"where\":{\"compositeFilter\":{\"filters\":[{\"fieldFilter\":{\"field\":{\"fieldPath\":\"LastUpdated\"},"
	    "\"op\":\"GREATER_THAN\",\"value\":{\"timestampValue\":\"2020-11-06T10:00:00Z\"}}},"
	    "{\"fieldFilter\":{\"field\":{\"fieldPath\":\"LastUpdated\"},\"op\":\"LESS_THAN_OR_EQUAL\","
	    "\"value\":{\"timestampValue\":\"2020-11-07T10:00:00Z\"}}}],\"op\":\"AND\"}}}",
	    "a structured query: two filters ANDed, order, limit, cursor");
	json_decref(q);

	struct firestore fs = { 0 };
	fs.db = "projects/p/databases/(default)";
	struct firestore_batch wb;
	firestore_batch_init(&wb);
	json_t *data = json_pack("{s:s}", "uuid", "avf-phone-uuid-1");
	const char *mask[] = { "uuid", "Rqa (Text)", NULL };
	firestore_batch_update(&wb, &fs, "tables/ADSS/mappings/252612000001", firestore_fields(data), mask,
	    FIRESTORE_PRE_MISSING, NULL);
	firestore_batch_server_time(&wb, "LastUpdated");
	firestore_batch_delete(&wb, &fs, "a/b", FIRESTORE_PRE_UPDATE_TIME, "2020-11-06T10:00:00.812345Z");
	json_decref(data);
	is_json(wb.writes, "[{\"currentDocument\":{\"exists\":false},\"update\":{\"fields\":{\"uuid\":{\"stringValue\":"
	    "\"avf-phone-uuid-1\"}},\"name\":\"projects/p/databases/(default)/documents/tables/ADSS/mappings/252612000001\"},"
	    "\"updateMask\":{\"fieldPaths\":[\"uuid\",\"`Rqa (Text)`\"]},\"updateTransforms\":[{\"fieldPath\":\"LastUpdated\","
	    "\"setToServerValue\":\"REQUEST_TIME\"}]},{\"currentDocument\":{\"updateTime\":\"2020-11-06T10:00:00.812345Z\"},"
	    "\"delete\":\"projects/p/databases/(default)/documents/a/b\"}]",
	    "writes: update with mask, precondition and server time; delete with updateTime");
	ok(firestore_batch_len(&wb) == 2, "two writes");
	firestore_batch_free(&wb);

	json_t *doc = json_pack("{s:s}", "name", "projects/p/databases/(default)/documents/datasets/D/messages/m%1");
	ok(strcmp(firestore_doc_id(doc), "m%1") == 0 && strcmp(firestore_doc_path(doc), "datasets/D/messages/m%1") == 0,
	    "a document's id and path");
	json_decref(doc);
}

/* ---- the client driver ---- */

static struct firestore fs;

static int
fail(struct err *e)
{
	fprintf(stderr, "firestore: %s", e->msg);
	if (fs.last_status != 0)
		fprintf(stderr, " [%ld %s]", fs.last_status, fs.last_error[0] ? fs.last_error : "-");
	fputc('\n', stderr);
	return e->code ? e->code : 1;
}

static int
print_doc(void *ctx, json_t *doc)
{
	struct err e = { 0 };
	json_t *j = firestore_fields_to_json(json_object_get(doc, "fields"), &e);
	char *s;

	(void)ctx;
	if (j == NULL)
		return fail(&e);
	s = dump(j);
	printf("%s %s\n", firestore_doc_path(doc), s);
	free(s);
	json_decref(j);
	return 0;
}

static int
print_found(void *ctx, const char *path, json_t *doc)
{
	if (doc == NULL) {
		printf("missing %s\n", path);
		return 0;
	}
	printf("found ");
	return print_doc(ctx, doc);
}

static json_t *
parse_value(const char *s)
{
	if (strncmp(s, "ts:", 3) == 0)
		return firestore_timestamp_value(s + 3);
	json_t *j = json_loads(s, JSON_DECODE_ANY, NULL);
	if (j == NULL) {
		fprintf(stderr, "firestore: %s: not a JSON value\n", s);
		exit(64);
	}
	json_t *v = firestore_value(j);
	json_decref(j);
	return v;
}

static int
commit(void)
{
	struct err e = { 0 };
	struct firestore_batch b;
	json_t *ops = json_loadf(stdin, 0, NULL), *op, *reply = NULL;
	size_t i;
	int rc;

	if (!json_is_array(ops)) {
		fprintf(stderr, "firestore: commit wants a JSON list on stdin\n");
		return 64;
	}
	firestore_batch_init(&b);
	json_array_foreach(ops, i, op) {
		const char *kind = json_string_value(json_object_get(op, "op"));
		const char *path = json_string_value(json_object_get(op, "path"));
		const char *pre_s = json_string_value(json_object_get(op, "pre"));
		const char *ut = json_string_value(json_object_get(op, "updateTime"));
		enum firestore_pre pre = FIRESTORE_PRE_NONE;
		if (pre_s != NULL)
			pre = strcmp(pre_s, "missing") == 0 ? FIRESTORE_PRE_MISSING :
			    strcmp(pre_s, "exists") == 0 ? FIRESTORE_PRE_EXISTS : FIRESTORE_PRE_UPDATE_TIME;
		if (kind != NULL && strcmp(kind, "delete") == 0) {
			firestore_batch_delete(&b, &fs, path, pre, ut);
			continue;
		}
		json_t *mask = json_object_get(op, "mask");
		const char *mv[64];
		size_t k, nm = 0;
		json_t *m;
		json_array_foreach(mask, k, m)
			if (nm < 63)
				mv[nm++] = json_string_value(m);
		mv[nm] = NULL;
		firestore_batch_update(&b, &fs, path, firestore_fields(json_object_get(op, "data")), mask ? mv : NULL, pre, ut);
		const char *st = json_string_value(json_object_get(op, "serverTime"));
		if (st != NULL)
			firestore_batch_server_time(&b, st);
	}
	rc = firestore_commit(&fs, &b, &reply, &e);
	firestore_batch_free(&b);
	json_decref(ops);
	if (rc == -1)
		return fail(&e);
	printf("committed %zu writes\n", json_array_size(json_object_get(reply, "writeResults")));
	json_decref(reply);
	return 0;
}

static int
client(int argc, char **argv)
{
	struct http_client http;
	struct gauth auth;
	struct err e = { 0 };
	const char *key = NULL, *project = NULL;
	int opt, rc = 0, have_auth = 0;

	while ((opt = getopt(argc, argv, "+k:P:")) != -1) {
		if (opt == 'k')
			key = optarg;
		else if (opt == 'P')
			project = optarg;
		else
			return 64;
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		return 64;
	if (strcmp(argv[0], "roundtrip") == 0) {
		json_t *in = json_loadf(stdin, JSON_DECODE_ANY, NULL), *v, *back;
		if (in == NULL)
			return 65;
		v = firestore_value(in);
		back = firestore_value_to_json(v, &e);
		char *a = dump(v), *b = back ? dump(back) : NULL;
		printf("%s\n%s\n", a, b ? b : "(error)");
		free(a);
		free(b);
		json_decref(in);
		json_decref(v);
		json_decref(back);
		return 0;
	}
	http_client_init(&http);
	if (key != NULL) {
		if (gauth_init(&auth, key, GAUTH_SCOPE_DATASTORE, &http, &e) == -1)
			return fail(&e);
		have_auth = 1;
	}
	if (firestore_init(&fs, &http, have_auth ? &auth : NULL, project, &e) == -1) {
		rc = fail(&e);
		goto out;
	}
	if (strcmp(argv[0], "get") == 0 && argc == 2) {
		json_t *doc;
		int r = firestore_get(&fs, argv[1], &doc, &e);
		if (r == -1)
			rc = fail(&e);
		else if (r == 1)
			printf("missing %s\n", argv[1]);
		else {
			rc = print_doc(NULL, doc);
			printf("updateTime %s\n", json_string_value(json_object_get(doc, "updateTime")));
			json_decref(doc);
		}
	} else if (strcmp(argv[0], "list") == 0 && argc == 3) {
		char *token = NULL;
		int page = 0;
		do {
			json_t *docs, *doc;
			char *next;
			size_t i;
			if (firestore_list_page(&fs, argv[1], atoi(argv[2]), token, &docs, &next, &e) == -1) {
				rc = fail(&e);
				break;
			}
			free(token);
			token = next;
			printf("page %d:", ++page);
			json_array_foreach(docs, i, doc)
				printf(" %s", firestore_doc_id(doc));
			printf("\n");
			json_decref(docs);
		} while (token != NULL);
		free(token);
	} else if (strcmp(argv[0], "all") == 0 && argc == 3) {
		if (firestore_list(&fs, argv[1], atoi(argv[2]), print_doc, NULL, &e) == -1)
			rc = fail(&e);
	} else if (strcmp(argv[0], "batchget") == 0 && argc >= 2) {
		if (firestore_batch_get(&fs, (const char *const *)argv + 1, (size_t)argc - 1, print_found, NULL, &e) == -1)
			rc = fail(&e);
	} else if (strcmp(argv[0], "query") == 0 && argc >= 3) {
		json_t *q = firestore_query_new(argv[2]);
		for (int i = 3; i < argc; i++) {
			if (strcmp(argv[i], "where") == 0 && i + 3 < argc) {
				firestore_query_where(q, argv[i + 1], argv[i + 2], parse_value(argv[i + 3]));
				i += 3;
			} else if (strcmp(argv[i], "order") == 0 && i + 2 < argc) {
				firestore_query_order(q, argv[i + 1], strcmp(argv[i + 2], "desc") == 0);
				i += 2;
			} else if (strcmp(argv[i], "limit") == 0 && i + 1 < argc) {
				firestore_query_limit(q, atoi(argv[++i]));
			} else if (strcmp(argv[i], "after") == 0 && i + 1 < argc) {
				char *name = firestore_name(&fs, argv[++i]);
				firestore_query_start_after_doc(q, name);
				free(name);
			} else {
				fprintf(stderr, "firestore: query: bad argument %s\n", argv[i]);
				rc = 64;
			}
		}
		if (rc == 0 && firestore_run_query(&fs, argv[1], q, print_doc, NULL, &e) == -1)
			rc = fail(&e);
		json_decref(q);
	} else if (strcmp(argv[0], "commit") == 0) {
		rc = commit();
	} else {
		fprintf(stderr, "firestore: unknown command or wrong arguments\n");
		rc = 64;
	}
	firestore_free(&fs);
out:
	if (have_auth)
		gauth_free(&auth);
	http_client_free(&http);
	return rc;
}

int
main(int argc, char **argv)
{
	if (argc > 1)
		return client(argc, argv);
	unit_tests();
	printf("1..%d\n", ntest);
	return nfail != 0;
}
