/* urlread: read a whole small input named the way the configuration names it (a path, file://, gs://). */
#ifndef TD_URLREAD_H
#define TD_URLREAD_H

#include "util/buf.h"
#include "util/err.h"

/*
 * Read url into out (NUL-terminated; out->len excludes the NUL):
 *  - "gs://bucket/object": downloaded with the Google service-account key file `credentials` (NULL or "-":
 *    EX_NOPERM, "needs credentials"); $STORAGE_EMULATOR_HOST is honoured as by every GCS client;
 *  - "file:///path" or a path: read from disk, a relative path taken relative to base_dir ("" or NULL: the
 *    current directory).
 * Errors: EX_NOINPUT when the file or object does not exist, EX_NOPERM, EX_UNAVAILABLE, EX_IOERR, each
 * message naming the URL as written (never its contents).
 */
int url_read(const char *url, const char *base_dir, const char *credentials, struct buf *out, struct err *e);

#endif
