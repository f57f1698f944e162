#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "net/gauth.h"

#define DEFAULT_TOKEN_URI "https://oauth2.googleapis.com/token"
#define JWT_LIFETIME 3600
#define TOKEN_MARGIN 60

static void
free_secret(char *s)
{
	if (s != NULL) {
		memset(s, 0, strlen(s));
		free(s);
	}
}

void
gauth_key_free(struct gauth_key *k)
{
	free(k->path);
	free(k->client_email);
	free_secret(k->private_key);
	free(k->private_key_id);
	free(k->token_uri);
	free(k->project_id);
	memset(k, 0, sizeof *k);
}

static char *
field(json_t *root, const char *name)
{
	json_t *v = json_object_get(root, name);

	return json_is_string(v) ? xstrdup(json_string_value(v)) : NULL;
}

int
gauth_key_load(struct gauth_key *k, const char *path, struct err *e)
{
	json_error_t je;
	json_t *root;
	FILE *fp;

	memset(k, 0, sizeof *k);
	if ((fp = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			return err_set(e, EX_NOINPUT, "%s: no such credentials file", path);
		return err_set(e, EX_NOPERM, "%s: cannot read the credentials file: %s", path, strerror(errno));
	}
	/* No position in the message: the parser's text could quote the key. */
	root = json_loadf(fp, 0, &je);
	fclose(fp);
	if (!json_is_object(root)) {
		json_decref(root);
		return err_set(e, EX_NOPERM, "%s: not a service-account key (expected a JSON object)", path);
	}
	json_t *type = json_object_get(root, "type");
	if (!json_is_string(type) || strcmp(json_string_value(type), "service_account") != 0) {
		json_decref(root);
		return err_set(e, EX_NOPERM, "%s: not a service-account key (expected \"type\": \"service_account\")",
		    path);
	}
	k->path = xstrdup(path);
	k->client_email = field(root, "client_email");
	k->private_key = field(root, "private_key");
	k->private_key_id = field(root, "private_key_id");
	k->token_uri = field(root, "token_uri");
	k->project_id = field(root, "project_id");
	json_t *pk = json_object_get(root, "private_key");
	if (json_is_string(pk))
		/* jansson keeps its own copy of the key; wipe it before it is freed. */
		memset((char *)json_string_value(pk), 0, json_string_length(pk));
	json_decref(root);
	if (k->private_key_id == NULL)
		k->private_key_id = xstrdup("");
	if (k->project_id == NULL)
		k->project_id = xstrdup("");
	if (k->token_uri == NULL)
		k->token_uri = xstrdup(DEFAULT_TOKEN_URI);
	const char *missing = k->client_email == NULL ? "client_email" : k->private_key == NULL ? "private_key" : NULL;
	if (missing != NULL) {
		err_set(e, EX_NOPERM, "%s: not a service-account key (no %s)", path, missing);
		gauth_key_free(k);
		return -1;
	}
	if (http_url_allowed(k->token_uri, e) == -1) {
		err_prefix(e, "%s: token_uri", path);
		e->code = EX_NOPERM;
		gauth_key_free(k);
		return -1;
	}
	return 0;
}

int
gauth_key_readable_by_others(const char *path)
{
	struct stat st;

	if (stat(path, &st) == -1)
		return 0;
	return (st.st_mode & (S_IRGRP | S_IROTH)) != 0;
}

/* base64url without padding. */
static void
b64url(struct buf *out, const unsigned char *p, size_t n)
{
	size_t cap = 4 * ((n + 2) / 3) + 1;
	unsigned char *tmp = xmalloc(cap);
	int len = EVP_EncodeBlock(tmp, p, (int)n);

	for (int i = 0; i < len; i++) {
		char c = (char)tmp[i];
		if (c == '=')
			break;
		buf_addc(out, c == '+' ? '-' : c == '/' ? '_' : c);
	}
	free(tmp);
}

int
gauth_jwt(const struct gauth_key *k, const char *scope, long long now, char **jwt, struct err *e)
{
	struct buf b = { 0 };
	json_t *hdr, *claims;
	char *h, *c;
	BIO *bio;
	EVP_PKEY *pkey;
	EVP_MD_CTX *md;
	unsigned char *sig = NULL;
	size_t siglen = 0;
	int ok = 0;

	*jwt = NULL;
	hdr = json_pack("{s:s, s:s}", "alg", "RS256", "typ", "JWT");
	if (k->private_key_id[0] != '\0')
		json_object_set_new(hdr, "kid", json_string(k->private_key_id));
	claims = json_pack("{s:s, s:s, s:s, s:I, s:I}", "iss", k->client_email, "scope", scope, "aud", k->token_uri,
	    "iat", (json_int_t)now, "exp", (json_int_t)(now + JWT_LIFETIME));
	h = json_dumps(hdr, JSON_COMPACT);
	c = json_dumps(claims, JSON_COMPACT);
	json_decref(hdr);
	json_decref(claims);
	b64url(&b, (const unsigned char *)h, strlen(h));
	buf_addc(&b, '.');
	b64url(&b, (const unsigned char *)c, strlen(c));
	free(h);
	free(c);

	bio = BIO_new_mem_buf(k->private_key, -1);
	pkey = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	if (pkey == NULL) {
		buf_free(&b);
		return err_set(e, EX_NOPERM, "%s: private_key is not a PEM private key", k->path);
	}
	if (EVP_PKEY_base_id(pkey) != EVP_PKEY_RSA) {
		EVP_PKEY_free(pkey);
		buf_free(&b);
		return err_set(e, EX_NOPERM, "%s: private_key is not an RSA key (RS256 needs one)", k->path);
	}
	md = EVP_MD_CTX_new();
	if (md != NULL && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, pkey) == 1 &&
	    EVP_DigestSign(md, NULL, &siglen, (const unsigned char *)b.p, b.len) == 1) {
		sig = xmalloc(siglen);
		ok = EVP_DigestSign(md, sig, &siglen, (const unsigned char *)b.p, b.len) == 1;
	}
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pkey);
	if (!ok) {
		free(sig);
		buf_free(&b);
		return err_set(e, EX_NOPERM, "%s: cannot sign with private_key", k->path);
	}
	buf_addc(&b, '.');
	b64url(&b, sig, siglen);
	free(sig);
	buf_addc(&b, '\0');
	*jwt = b.p;
	return 0;
}

int
gauth_init(struct gauth *g, const char *key_path, const char *scope, struct http_client *http, struct err *e)
{
	memset(g, 0, sizeof *g);
	if (gauth_key_load(&g->key, key_path, e) == -1)
		return -1;
	g->scope = xstrdup(scope);
	g->http = http;
	http_add_secret(http, g->key.private_key);
	return 0;
}

void
gauth_free(struct gauth *g)
{
	gauth_key_free(&g->key);
	free(g->scope);
	free_secret(g->token);
	memset(g->header, 0, sizeof g->header);
	g->token = NULL;
	g->scope = NULL;
}

void
gauth_invalidate(struct gauth *g)
{
	free_secret(g->token);
	g->token = NULL;
	g->expires = 0;
}

int
gauth_token(struct gauth *g, const char **token, struct err *e)
{
	long long now = (long long)time(NULL);
	struct http_response r = { 0 };
	struct buf form = { 0 };
	char *jwt;
	int rc;

	if (g->token != NULL && now < g->expires - TOKEN_MARGIN) {
		*token = g->token;
		return 0;
	}
	gauth_invalidate(g);
	if (gauth_jwt(&g->key, g->scope, now, &jwt, e) == -1)
		return -1;
	http_add_secret(g->http, jwt);
	http_query_add(&form, "grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer", 1);
	http_query_add(&form, "assertion", jwt, 1);
	free_secret(jwt);
	static const char *const headers[] = { "Content-Type: application/x-www-form-urlencoded",
		"Accept: application/json", NULL };
	rc = http_request(g->http, "POST", g->key.token_uri, headers, form.p, form.len, &r, e);
	memset(form.p, 0, form.len);
	buf_free(&form);
	if (rc == -1) {
		if (r.status == 400 || r.status == 401 || r.status == 403) {
			char msg[sizeof e->msg];
			snprintf(msg, sizeof msg, "%s", e->msg);
			/* "POST URL: HTTP 400 ..." → keep the part after the URL */
			const char *what = strstr(msg, ": HTTP ");
			err_set(e, EX_NOPERM, "%s: the token endpoint refused the key (%s)", g->key.path,
			    what ? what + 2 : msg);
		} else {
			err_prefix(e, "%s: cannot get an access token", g->key.path);
		}
		http_response_free(&r);
		return -1;
	}
	json_t *reply = json_loadb(r.body.p, r.body.len, 0, NULL);
	json_t *at = json_object_get(reply, "access_token");
	json_t *ex = json_object_get(reply, "expires_in");
	if (!json_is_string(at) || json_string_length(at) == 0 || json_string_length(at) > 3000) {
		json_decref(reply);
		http_response_free(&r);
		return err_set(e, EX_UNAVAILABLE, "%s: the token endpoint %s sent no access_token", g->key.path,
		    g->key.token_uri);
	}
	g->token = xstrdup(json_string_value(at));
	g->expires = now + (json_is_integer(ex) ? (long long)json_integer_value(ex) : 3600);
	http_add_secret(g->http, g->token);
	memset((char *)json_string_value(at), 0, json_string_length(at));
	json_decref(reply);
	memset(r.body.p, 0, r.body.len);
	http_response_free(&r);
	*token = g->token;
	return 0;
}

const char *
gauth_header(struct gauth *g, struct err *e)
{
	const char *t;

	if (gauth_token(g, &t, e) == -1)
		return NULL;
	snprintf(g->header, sizeof g->header, "Authorization: Bearer %s", t);
	return g->header;
}
