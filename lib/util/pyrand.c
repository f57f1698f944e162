/*
 * pyrand: CPython's random.Random for integer seeds (Modules/_randommodule.c and Lib/random.py of 3.7).
 * The ICR sample must equal random.Random(0).sample(population, k) index for index (pipeline.md §11.2).
 */
#include <stdlib.h>

#include "util/pyrand.h"

#define M		397
#define MATRIX_A	0x9908b0dfU
#define UPPER_MASK	0x80000000U
#define LOWER_MASK	0x7fffffffU

static void
init_genrand(struct pyrand *r, uint32_t s)
{
	int i;

	r->mt[0] = s;
	for (i = 1; i < PYRAND_N; i++)
		r->mt[i] = 1812433253U * (r->mt[i - 1] ^ (r->mt[i - 1] >> 30)) + (uint32_t)i;
	r->mti = PYRAND_N;
}

static void
init_by_array(struct pyrand *r, const uint32_t *key, size_t keylen)
{
	size_t i = 1, j = 0, k;

	init_genrand(r, 19650218U);
	for (k = PYRAND_N > keylen ? PYRAND_N : keylen; k > 0; k--) {
		r->mt[i] = (r->mt[i] ^ ((r->mt[i - 1] ^ (r->mt[i - 1] >> 30)) * 1664525U)) + key[j] + (uint32_t)j;
		i++;
		j++;
		if (i >= PYRAND_N) {
			r->mt[0] = r->mt[PYRAND_N - 1];
			i = 1;
		}
		if (j >= keylen)
			j = 0;
	}
	for (k = PYRAND_N - 1; k > 0; k--) {
		r->mt[i] = (r->mt[i] ^ ((r->mt[i - 1] ^ (r->mt[i - 1] >> 30)) * 1566083941U)) - (uint32_t)i;
		i++;
		if (i >= PYRAND_N) {
			r->mt[0] = r->mt[PYRAND_N - 1];
			i = 1;
		}
	}
	r->mt[0] = 0x80000000U;	/* MSB is 1, assuring a non-zero initial array */
}

void
pyrand_seed(struct pyrand *r, uint64_t seed)
{
	uint32_t key[2] = { (uint32_t)seed, (uint32_t)(seed >> 32) };

	init_by_array(r, key, key[1] != 0 ? 2 : 1);
}

uint32_t
pyrand_uint32(struct pyrand *r)
{
	static const uint32_t mag01[2] = { 0, MATRIX_A };
	uint32_t y;
	int kk;

	if (r->mti >= PYRAND_N) {
		for (kk = 0; kk < PYRAND_N - M; kk++) {
			y = (r->mt[kk] & UPPER_MASK) | (r->mt[kk + 1] & LOWER_MASK);
			r->mt[kk] = r->mt[kk + M] ^ (y >> 1) ^ mag01[y & 1];
		}
		for (; kk < PYRAND_N - 1; kk++) {
			y = (r->mt[kk] & UPPER_MASK) | (r->mt[kk + 1] & LOWER_MASK);
			r->mt[kk] = r->mt[kk + (M - PYRAND_N)] ^ (y >> 1) ^ mag01[y & 1];
		}
		y = (r->mt[PYRAND_N - 1] & UPPER_MASK) | (r->mt[0] & LOWER_MASK);
		r->mt[PYRAND_N - 1] = r->mt[M - 1] ^ (y >> 1) ^ mag01[y & 1];
		r->mti = 0;
	}
	y = r->mt[r->mti++];
	y ^= y >> 11;
	y ^= (y << 7) & 0x9d2c5680U;
	y ^= (y << 15) & 0xefc60000U;
	y ^= y >> 18;
	return y;
}

uint32_t
pyrand_getrandbits(struct pyrand *r, int k)
{
	if (k <= 0)		/* CPython 3.9 and later: 0; 3.7 raised ValueError */
		return 0;
	return k >= 32 ? pyrand_uint32(r) : pyrand_uint32(r) >> (32 - k);
}

static int
bit_length(uint32_t n)
{
	int k = 0;

	while (n != 0) {
		k++;
		n >>= 1;
	}
	return k;
}

uint32_t
pyrand_randbelow(struct pyrand *r, uint32_t n)
{
	/* bit_length of n, not n-1: CPython's choice, so a power of two wastes half its draws. */
	int k = bit_length(n);
	uint32_t v;

	if (n == 0)		/* CPython raises ValueError; never draw forever */
		return 0;
	v = pyrand_getrandbits(r, k);

	while (v >= n)
		v = pyrand_getrandbits(r, k);
	return v;
}

/* setsize of random.sample: 21, plus 4 ** ceil(log(3k, 4)) when k > 5. 3k is never a power of 4, so
 * ceil(log4(3k)) is the least e with 4^e > 3k, and no floating point is needed. */
static size_t
sample_setsize(size_t k)
{
	size_t setsize = 21, pow4 = 1;

	if (k > 5) {
		while (pow4 <= 3 * k)
			pow4 *= 4;
		setsize += pow4;
	}
	return setsize;
}

int
pyrand_sample(struct pyrand *r, size_t n, size_t k, size_t *out, struct err *e)
{
	size_t i;

	if (k > n)
		return err_set(e, TD_EXIT_FAILURE, "sample of %zu from a population of %zu", k, n);
	if (n > UINT32_MAX)
		return err_set(e, TD_EXIT_FAILURE, "population of %zu is too large to sample", n);
	if (k == 0)
		return 0;
	if (n <= sample_setsize(k)) {
		/* Pool method: draw from the not yet chosen, moving the last one into the gap. */
		uint32_t *pool = malloc(n * sizeof *pool);

		if (pool == NULL)
			return err_set(e, TD_EXIT_FAILURE, "out of memory sampling %zu of %zu", k, n);
		for (i = 0; i < n; i++)
			pool[i] = (uint32_t)i;
		for (i = 0; i < k; i++) {
			uint32_t j = pyrand_randbelow(r, (uint32_t)(n - i));

			out[i] = pool[j];
			pool[j] = pool[n - i - 1];
		}
		free(pool);
	} else {
		/* Set method: redraw an index already chosen. The set is an open-addressing table of index+1. */
		size_t cap = 16, mask, h;
		uint64_t *set;

		while (cap < 2 * k)
			cap *= 2;
		mask = cap - 1;
		set = calloc(cap, sizeof *set);
		if (set == NULL)
			return err_set(e, TD_EXIT_FAILURE, "out of memory sampling %zu of %zu", k, n);
		for (i = 0; i < k; i++) {
			uint32_t j;

			for (;;) {
				j = pyrand_randbelow(r, (uint32_t)n);
				for (h = (j * UINT64_C(0x9E3779B97F4A7C15)) >> 32 & mask; set[h] != 0; h = (h + 1) & mask)
					if (set[h] == (uint64_t)j + 1)
						break;
				if (set[h] == 0)
					break;
			}
			set[h] = (uint64_t)j + 1;
			out[i] = j;
		}
		free(set);
	}
	return 0;
}
