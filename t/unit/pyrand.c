/*
 * pyrand unit test: CPython's own outputs (pipeline.md §11.2).
 * Run as "pyrand N K" it prints random.Random(0).sample(range(N), K), one index a line, for
 * t/t1000-pyrand-vectors.sh to compare with every vector of ../shared/icr-vectors.json.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/pyrand.h"

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
print_indices(const size_t *got, size_t n)
{
	size_t i;

	printf("# got");
	for (i = 0; i < n; i++)
		printf(" %zu", got[i]);
	printf("\n");
}

/* The first len indices of Random(0).sample(range(n), k) must be want[]. */
static void
check_sample(size_t n, size_t k, const size_t *want, size_t len, const char *title)
{
	struct pyrand r;
	struct err e;
	size_t *got = calloc(k ? k : 1, sizeof *got);
	int good;

	pyrand_seed(&r, 0);
	good = got != NULL && pyrand_sample(&r, n, k, got, &e) == 0 && memcmp(got, want, len * sizeof *want) == 0;
	ok(good, title);
	if (!good && got != NULL) {
		print_indices(got, len);
		printf("# expected");
		for (size_t i = 0; i < len; i++)
			printf(" %zu", want[i]);
		printf("\n");
	}
	free(got);
}

/* Every index once when k == n: a permutation. */
static void
check_permutation(size_t n, const char *title)
{
	struct pyrand r;
	struct err e;
	size_t *got = malloc(n * sizeof *got);
	char *seen = calloc(n, 1);
	int good = got != NULL && seen != NULL;

	pyrand_seed(&r, 0);
	if (good)
		good = pyrand_sample(&r, n, n, got, &e) == 0;
	for (size_t i = 0; good && i < n; i++) {
		if (got[i] >= n || seen[got[i]])
			good = 0;
		else
			seen[got[i]] = 1;
	}
	ok(good, title);
	free(got);
	free(seen);
}

static int
run_sample(const char *ns, const char *ks)
{
	struct pyrand r;
	struct err e;
	char *end;
	unsigned long long n = strtoull(ns, &end, 10), k;
	size_t *got, i;

	if (*ns == '\0' || *end != '\0')
		return fprintf(stderr, "pyrand: bad N '%s'\n", ns), 64;
	k = strtoull(ks, &end, 10);
	if (*ks == '\0' || *end != '\0')
		return fprintf(stderr, "pyrand: bad K '%s'\n", ks), 64;
	got = malloc((k ? k : 1) * sizeof *got);
	if (got == NULL)
		return fprintf(stderr, "pyrand: out of memory\n"), 1;
	pyrand_seed(&r, 0);
	if (pyrand_sample(&r, n, k, got, &e) < 0) {
		fprintf(stderr, "pyrand: %s\n", e.msg);
		free(got);
		return e.code;
	}
	for (i = 0; i < k; i++)
		printf("%zu\n", got[i]);
	free(got);
	return fclose(stdout) == 0 ? 0 : 74;
}

int
main(int argc, char **argv)
{
	struct pyrand r;
	struct err e;
	size_t out[4];

	if (argc == 3)
		return run_sample(argv[1], argv[2]);
	if (argc != 1) {
		fprintf(stderr, "usage: pyrand [N K]\n");
		return 64;
	}

	printf("1..18\n");

	pyrand_seed(&r, 0);
	{
		uint32_t a = pyrand_getrandbits(&r, 32), b = pyrand_getrandbits(&r, 32), c = pyrand_getrandbits(&r, 32);

		ok(a == 3626764237U && b == 1654615998U && c == 3255389356U, "Random(0).getrandbits(32) x3");
		if (!(a == 3626764237U && b == 1654615998U && c == 3255389356U))
			printf("# got %u %u %u expected 3626764237 1654615998 3255389356\n", a, b, c);
	}

	/* Random(0).getrandbits(8) and (1): the top bits of the same outputs. */
	pyrand_seed(&r, 0);
	{
		uint32_t a = pyrand_getrandbits(&r, 8), b = pyrand_getrandbits(&r, 1);

		ok(a == (3626764237U >> 24) && b == (1654615998U >> 31), "getrandbits(k) keeps the top k bits");
	}

	/* Random(2**32 + 5) seeds from two key words: [5, 1]. Python: Random(2**32+5).getrandbits(32). */
	pyrand_seed(&r, (UINT64_C(1) << 32) + 5);
	{
		uint32_t a = pyrand_getrandbits(&r, 32);

		ok(a == 675479763U, "a seed above 2^32 uses two key words");
		if (a != 675479763U)
			printf("# got %u expected 675479763\n", a);
	}
	/* Random(1).getrandbits(32) */
	pyrand_seed(&r, 1);
	{
		uint32_t a = pyrand_getrandbits(&r, 32);

		ok(a == 577090037U, "Random(1).getrandbits(32)");
		if (a != 577090037U)
			printf("# got %u expected 577090037\n", a);
	}

	/* [Random(0)._randbelow(10) for _ in range(5)]: 6, 6, 0, 4, 8 */
	pyrand_seed(&r, 0);
	{
		uint32_t got[5];

		for (int i = 0; i < 5; i++)
			got[i] = pyrand_randbelow(&r, 10);
		ok(got[0] == 6 && got[1] == 6 && got[2] == 0 && got[3] == 4 && got[4] == 8, "_randbelow(10) x5");
		if (!(got[0] == 6 && got[1] == 6 && got[2] == 0 && got[3] == 4 && got[4] == 8))
			printf("# got %u %u %u %u %u expected 6 6 0 4 8\n", got[0], got[1], got[2], got[3], got[4]);
	}
	/* _randbelow(1) is always 0 (it draws one bit until the bit is 0). */
	pyrand_seed(&r, 0);
	ok(pyrand_randbelow(&r, 1) == 0 && pyrand_randbelow(&r, 1) == 0, "_randbelow(1) is 0");
	pyrand_seed(&r, 0);
	ok(pyrand_randbelow(&r, 0) == 0 && pyrand_getrandbits(&r, 0) == 0 && pyrand_getrandbits(&r, 32) == 3626764237U,
	    "_randbelow(0) and getrandbits(0) give 0 without drawing");

	{
		static const size_t v4[] = { 3, 1, 0, 2 };
		static const size_t v10[] = { 6, 9, 0, 2, 4, 3, 5, 1, 8, 7 };
		static const size_t v250[] = { 216, 98, 194, 227, 107, 10, 66, 130, 124, 103, 235, 200, 212, 77, 122 };
		static const size_t v1045[] = { 788, 861, 82, 530, 995, 829, 621, 976, 733, 447 };
		static const size_t v5000[] = { 3155, 3445, 331, 2121, 4188, 3980, 3317, 2484, 3904, 2933 };
		static const size_t v199[] = { 98, 194, 107, 10, 66, 130, 124, 103, 77, 122, 91, 149, 55, 129, 35 };
		static const size_t v100000[] = { 50494, 99346, 55125, 5306, 33936 };

		check_sample(4, 4, v4, 4, "sample(range(4), 4) = [3, 1, 0, 2]");
		check_sample(10, 10, v10, 10, "sample(range(10), 10)");
		check_sample(250, 200, v250, 15, "sample(range(250), 200), pool method");
		check_sample(1045, 200, v1045, 10, "sample(range(1045), 200), pool method at setsize");
		check_sample(5000, 200, v5000, 10, "sample(range(5000), 200), set method");
		check_sample(199, 199, v199, 15, "sample(range(199), 199)");
		check_sample(100000, 200, v100000, 5, "sample(range(100000), 200)");
	}

	pyrand_seed(&r, 0);
	ok(pyrand_sample(&r, 3, 4, out, &e) == -1, "k > n is refused");
	pyrand_seed(&r, 0);
	ok(pyrand_sample(&r, 0, 0, out, &e) == 0, "sample of 0 from 0");
	check_permutation(1000, "k == n gives a permutation (pool)");
	{
		/* n = 86 is just above setsize(6) = 21 + 64: the set method. Python: [49, 53, 5, 33, 65, 62] */
		static const size_t v86[] = { 49, 53, 5, 33, 65, 62 };

		check_sample(86, 6, v86, 6, "sample(range(86), 6), set method just above setsize");
	}
	return nfail == 0 ? 0 : 1;
}
