#include <stdlib.h>

#include <openssl/evp.h>

#include "record/sha.h"

static void
to_hex(const unsigned char *md, unsigned n, char *out)
{
	static const char hex[] = "0123456789abcdef";

	for (unsigned i = 0; i < n; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[2 * n] = '\0';
}

/*
 * One fetched SHA-256 and one context for the whole run: EVP_Digest would fetch the algorithm (a locked table
 * lookup) and make a context on every call, several times per record.
 */
static EVP_MD *sha256_md;
static EVP_MD_CTX *sha256_ctx;

void
sha256_hex(const void *data, size_t n, char out[SHA_HEX_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;

	if (sha256_ctx == NULL) {
		if ((sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL || (sha256_ctx = EVP_MD_CTX_new()) == NULL)
			abort();
	}
	if (EVP_DigestInit_ex2(sha256_ctx, sha256_md, NULL) != 1 || EVP_DigestUpdate(sha256_ctx, data, n) != 1 ||
	    EVP_DigestFinal_ex(sha256_ctx, md, &mdlen) != 1)
		abort();
	to_hex(md, mdlen, out);
}

struct sha_ctx *
sha_begin(void)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	if (c == NULL || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1)
		abort();
	return (struct sha_ctx *)c;
}

void
sha_update(struct sha_ctx *c, const void *data, size_t n)
{
	if (EVP_DigestUpdate((EVP_MD_CTX *)c, data, n) != 1)
		abort();
}

void
sha_end(struct sha_ctx *c, char out[SHA_HEX_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;

	if (EVP_DigestFinal_ex((EVP_MD_CTX *)c, md, &mdlen) != 1)
		abort();
	EVP_MD_CTX_free((EVP_MD_CTX *)c);
	to_hex(md, mdlen, out);
}
