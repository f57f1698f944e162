/* keyurl: a service-account key named by a configuration URL (gs:// read with another key, or a local path). */
#ifndef TD_KEYURL_H
#define TD_KEYURL_H

#include "net/gauth.h"
#include "net/http.h"
#include "util/err.h"

/*
 * Initialise g (as gauth_init, for scope) with the key at url, as the reference reads its keys
 * (DriveUpload.DriveCredentialsFileURL, OperationsDashboard.FirebaseCredentialsFileURL, ...):
 *   gs://bucket/object   downloaded with the Cloud Storage key in gcs_key_path (honours
 *                        STORAGE_EMULATOR_HOST), into a private temporary file in $TMPDIR that is removed
 *                        as soon as it is loaded;
 *   file://path or path  read directly, relative to base_dir (the configuration's directory; may be "").
 * A gs:// URL without gcs_key_path is EX_USAGE. Errors name the URL, never the key's contents.
 */
int keyurl_gauth_init(struct gauth *g, const char *url, const char *base_dir, const char *gcs_key_path,
    const char *scope, struct http_client *http, struct err *e);

#endif
