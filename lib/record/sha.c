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

void
sha256_hex(const void *data, size_t n, char out[SHA_HEX_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;

	if (EVP_Digest(data, n, md, &mdlen, EVP_sha256(), NULL) != 1)
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
