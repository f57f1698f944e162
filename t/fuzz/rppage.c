/*
 * rppage: the Rapid Pro page parser of rp-fetch. The input is one API page ({"next", "results"}, or a bare
 * array as file:// pages may be): it is parsed, every run object of its results is serialised as the runs cache
 * stores it (temba's Run.serialize) and that text must parse again; the input is also split as a cached runs
 * array (split_array) and read as a runs cache file (load_runs_cache), both of which must fail cleanly, never crash.
 *
 * rp-fetch.c is included whole (its main renamed) so the target exercises the tool's own static functions.
 */
#define _GNU_SOURCE
#include <sys/mman.h>

#define main rp_fetch_main
#include "../../cmd/rp-fetch.c"
#undef main

#include "fuzz.h"

static int
count_elem(void *ctx, size_t off, size_t len)
{
	(void)off;
	(void)len;
	(*(size_t *)ctx)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_doc d = { 0 };
	struct err e;
	uint32_t root, results;
	size_t n = 0;
	int fd;

	if (json_parse(&d, (const char *)data, size, &root, &e) == 0) {
		results = root;
		if (d.nodes[root].type == JV_OBJECT)
			results = json_get(&d, root, "results", 7);
		if (results != 0 && d.nodes[results].type == JV_ARRAY) {
			for (uint32_t i = results + 1; i < d.nodes[results].next; i = d.nodes[i].next) {
				struct buf ser = { 0 };
				struct json_doc back = { 0 };
				uint32_t broot;

				if (d.nodes[i].type != JV_OBJECT)
					continue;
				serialize_run(&ser, &d, i);
				if (json_parse(&back, ser.p, ser.len, &broot, &e) != 0) {
					fprintf(stderr, "serialised run does not parse: %s\n%.*s\n", e.msg, (int)ser.len, ser.p);
					abort();
				}
				json_free(&back);
				buf_free(&ser);
			}
		}
	}
	json_free(&d);

	(void)split_array((const char *)data, size, count_elem, &n, "fuzz", &e);

	if ((fd = memfd_create("rppage", 0)) == -1)
		abort();
	if (size > 0 && write(fd, data, size) != (ssize_t)size)
		abort();
	if (lseek(fd, 0, SEEK_SET) == -1)
		abort();
	{
		struct runlist l = { 0 };

		(void)load_runs_cache(fd, "fuzz", &l, &e);
		free(l.v);
	}
	close(fd);
	return 0;
}
