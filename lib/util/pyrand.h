/* pyrand: CPython's random.Random for integer seeds, bit for bit (MT19937, getrandbits, _randbelow, sample). */
#ifndef TD_PYRAND_H
#define TD_PYRAND_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define PYRAND_N 624

struct pyrand {
	uint32_t mt[PYRAND_N];
	int mti;
};

/* random.Random(seed) for 0 <= seed < 2^64: init_by_array over the seed's 32-bit words, least significant
 * first (seed 0 is the one word 0). */
void pyrand_seed(struct pyrand *r, uint64_t seed);
/* The next raw MT19937 output (genrand_uint32). */
uint32_t pyrand_uint32(struct pyrand *r);
/* getrandbits(k) for 1 <= k <= 32: the top k bits of one output (k <= 0 gives 0 and draws nothing). */
uint32_t pyrand_getrandbits(struct pyrand *r, int k);
/* _randbelow(n) for 1 <= n <= 2^32-1: getrandbits(n.bit_length()) redrawn until below n (n == 0 gives 0). */
uint32_t pyrand_randbelow(struct pyrand *r, uint32_t n);
/*
 * sample(range(n), k) as CPython 3.7 computes it (3.11, which made icr-vectors.json, agrees): out[0..k)
 * receives the chosen indices in order. n <= 2^32-1 and k <= n. CPython's pool method when n <= setsize
 * (21, plus 4^ceil(log4(3k)) when k > 5), its set method otherwise. -1 with e filled on bad arguments
 * or when memory runs out.
 */
int pyrand_sample(struct pyrand *r, size_t n, size_t k, size_t *out, struct err *e);

#endif
