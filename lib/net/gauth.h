/* gauth: Google service-account keys → OAuth 2.0 access tokens (RS256 JWT-bearer flow, OpenSSL). */
#ifndef TD_GAUTH_H
#define TD_GAUTH_H

#include <time.h>

#include "net/http.h"
#include "util/err.h"

/* OAuth scopes the backends ask for (apis.md §3.2). */
#define GAUTH_SCOPE_STORAGE "https://www.googleapis.com/auth/devstorage.read_write"
#define GAUTH_SCOPE_DATASTORE "https://www.googleapis.com/auth/datastore"
#define GAUTH_SCOPE_DRIVE "https://www.googleapis.com/auth/drive"

/* A service-account key file ({"type": "service_account", "client_email", "private_key", ...}). */
struct gauth_key {
	char *path;		/* the file, as given (for messages) */
	char *client_email;
	char *private_key;	/* PEM (PKCS#8 or PKCS#1) */
	char *private_key_id;	/* "" when absent */
	char *token_uri;	/* default https://oauth2.googleapis.com/token */
	char *project_id;	/* "" when absent */
};

/*
 * Load a key file. Errors name the file, never its contents: EX_NOINPUT (66) if it does not exist,
 * EX_NOPERM (77) if it cannot be read or is not a service-account key (not JSON, wrong type, a missing
 * client_email or private_key, a token_uri that is neither https nor loopback http).
 */
int gauth_key_load(struct gauth_key *k, const char *path, struct err *e);
void gauth_key_free(struct gauth_key *k);

/* 1 if the file's permissions let group or others read it (tools warn:
 * "tool: warning: FILE is readable by others (chmod 600)"), 0 if not (or if it cannot be stat'ed). */
int gauth_key_readable_by_others(const char *path);

/*
 * The signed assertion: base64url(header).base64url(claims).base64url(RS256 signature), header
 * {"alg":"RS256","typ":"JWT","kid":private_key_id}, claims {"iss": client_email, "scope": scope,
 * "aud": token_uri, "iat": now, "exp": now + 3600}. *jwt is malloc'ed. Bad key → EX_NOPERM naming the file.
 */
int gauth_jwt(const struct gauth_key *k, const char *scope, long long now, char **jwt, struct err *e);

/* One identity (key file + scope) with its cached access token. */
struct gauth {
	struct gauth_key key;
	char *scope;
	struct http_client *http;	/* not owned */
	char *token;			/* NULL until fetched */
	long long expires;		/* epoch seconds */
	char header[4096];		/* "Authorization: Bearer TOKEN" (gauth_header's buffer) */
};

/*
 * Load the key (as gauth_key_load) and remember the scope and the HTTP client to use. No request yet.
 * The key's private key is registered as a secret with the client (never shown in any message).
 */
int gauth_init(struct gauth *g, const char *key_path, const char *scope, struct http_client *http,
    struct err *e);
void gauth_free(struct gauth *g);

/*
 * A valid access token: the cached one until 60 s before it expires, else a new one from token_uri
 * (POST grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=JWT). The token is registered
 * as a secret with the client. Errors: EX_NOPERM (77) when the token endpoint refuses the key (HTTP 400,
 * 401, 403: "FILE: the token endpoint refused the key (HTTP 400 Bad Request (invalid_grant: ...))"),
 * EX_UNAVAILABLE (69) when it cannot be reached after the retries.
 */
int gauth_token(struct gauth *g, const char **token, struct err *e);
/* "Authorization: Bearer TOKEN" for a header list (points into g; valid until the next call). */
const char *gauth_header(struct gauth *g, struct err *e);
/* Forget the cached token (e.g. after a 401 from the API, to try once with a fresh one). */
void gauth_invalidate(struct gauth *g);

#endif
