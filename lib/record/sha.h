/* sha: SHA-256 as lower-case hex (OpenSSL EVP), the hash of every TracedData entry. */
#ifndef TD_SHA_H
#define TD_SHA_H

#include <stddef.h>

#define SHA_HEX_LEN 64

/* out receives 64 hex digits and a NUL. */
void sha256_hex(const void *data, size_t n, char out[SHA_HEX_LEN + 1]);

/* Incremental form, for files. */
struct sha_ctx;
struct sha_ctx *sha_begin(void);
void sha_update(struct sha_ctx *c, const void *data, size_t n);
void sha_end(struct sha_ctx *c, char out[SHA_HEX_LEN + 1]);	/* frees c */

#endif
