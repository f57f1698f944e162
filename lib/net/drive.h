/* drive: Google Drive v3 uploads as the reference's drive_client_wrapper update_or_create (apis.md §3.5). */
#ifndef TD_DRIVE_H
#define TD_DRIVE_H

#include <stddef.h>

#include "net/gauth.h"
#include "net/http.h"
#include "util/err.h"

#define DRIVE_DEFAULT_BASE "https://www.googleapis.com"
#define DRIVE_FOLDER_MIME "application/vnd.google-apps.folder"
/* Files up to this size go in one multipart request; larger ones in a resumable session (one PUT). */
#define DRIVE_MULTIPART_MAX (5u << 20)

struct drive {
	struct http_client *http;	/* not owned */
	struct gauth *auth;		/* not owned */
	char *base;			/* API root: {base}/drive/v3, {base}/upload/drive/v3 */
	/* Folder ids already resolved, "path\tid" each, so a batch resolves a folder once. */
	char **cache;
	size_t ncache;
};

/* base NULL: $TDTOOLS_DRIVE_BASE when set, else DRIVE_DEFAULT_BASE. */
int drive_init(struct drive *d, struct http_client *http, struct gauth *auth, const char *base, struct err *e);
void drive_free(struct drive *d);

/*
 * The id of folder path "a/b/c" (no leading or trailing '/'). The first element is a folder shared with
 * the service account (files.list q "name='a' and sharedWithMe=true and mimeType=folder"; exactly one
 * must match), or, when no such folder exists, a shared drive of that name (drives.list). Each further
 * element is a child folder, created when missing and create is set. Names are quoted for q ('\'' and
 * '\\' escaped). EX_NOINPUT "drive path a/b: no such folder" when missing and not created; EX_DATAERR
 * when the first element matches several folders.
 */
int drive_folder(struct drive *d, const char *path, int create, char **id, struct err *e);

/* What drive_put did. */
enum drive_action { DRIVE_CREATED, DRIVE_UPDATED, DRIVE_REPLACED };

/*
 * Upload local file src as name in folder folder_id, as update_or_create with fix_duplicates: one file
 * of that name → its content is updated in place (same id); several → all are deleted and a new one made;
 * none → created. mime NULL: from the name's extension (drive_mime_type). *action (may be NULL) tells
 * which happened. src missing → EX_NOINPUT.
 */
int drive_put(struct drive *d, const char *folder_id, const char *name, const char *src, const char *mime,
    enum drive_action *action, struct err *e);

/* text/csv, image/png, application/json, text/plain, application/gzip ..., else application/octet-stream. */
const char *drive_mime_type(const char *name);

#endif
