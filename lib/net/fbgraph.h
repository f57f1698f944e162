/* fbgraph: the few Facebook Graph API reads the pipeline makes (apis.md §6), with paging and retries. */
#ifndef TD_FBGRAPH_H
#define TD_FBGRAPH_H

#include <jansson.h>

#include "config/config.h"
#include "util/err.h"

/*
 * One Facebook source's connection: its GraphAPIBaseURL (default https://graph.facebook.com/v8.0) and its page
 * token (TokenFileURL: a local path relative to the configuration, file://, or gs:// with a service-account
 * file). The token goes in an "Authorization: Bearer" header; it never appears in a message (paging URLs
 * the API sends may carry it, so messages name requests by path only, and any copy of it in a server's text
 * is replaced by "[token]"). paging.next is followed only on the base URL's own scheme, host and port.
 *
 * Errors: a Graph error object (any response holding "error") is retried 3 times, 1, 2 and 4 s apart
 * (TDTOOLS_RETRY_BASE_MS scales the 1 s, for tests), as the reference; transport failures (429, 5xx,
 * resets, truncated bodies) are retried below that by the HTTP layer. Then: EX_NOPERM for an authentication
 * error (HTTP 401/403, Graph codes 190, 102, 10 and 200-299, kept from the first try: they are not retried),
 * EX_UNAVAILABLE for anything else; EX_DATAERR for a reply of the wrong shape.
 */
struct fbgraph {
	char *base;		/* without a trailing '/' */
	size_t origin_len;	/* base[0..origin_len) is scheme://host[:port] */
	char *token;
	long retry_base_ms;
	int retries;
	void *http;		/* transport handle */
	unsigned long requests;	/* GETs made, retries included */
	/* Told before each wait, by the HTTP layer and for Graph error objects: why (redacted), the try that
	 * failed (1-based), the wait. Set before the first request; tools print it at -v. */
	void (*on_retry)(void *ctx, const char *why, int attempt, double wait_seconds);
	void *retry_ctx;
};

/* g->on_retry and g->retry_ctx, when set before the call, are kept. */
int fbgraph_open(struct fbgraph *g, const struct pipeline_config *cfg, const struct raw_source *src,
    const char *credentials, struct err *e);
void fbgraph_close(struct fbgraph *g);

/*
 * GET /node[/edge]?params (params: name, value, ..., NULL; values are percent-encoded here). Returns the
 * reply's JSON object (the caller json_decref's it), or NULL and e.
 */
json_t *fbgraph_get(struct fbgraph *g, const char *node, const char *edge, const char *const *params,
    struct err *e);
/* The same, following paging.next: every element of every page's "data" list, in order. */
json_t *fbgraph_get_all(struct fbgraph *g, const char *node, const char *edge, const char *const *params,
    struct err *e);

#endif
