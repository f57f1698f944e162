/* uuidtable: the de-identification table, raw identifier (phone number, Facebook id) <-> opaque uid (pipeline.md §2.1a). */
#ifndef TD_UUIDTABLE_H
#define TD_UUIDTABLE_H

#include <stddef.h>

#include "util/err.h"

/*
 * A table maps a raw identifier ("data": a normalised phone number such as 252612345678, or a Facebook user id)
 * to a uid "<prefix><uuid4>" (e.g. avf-phone-uuid-3b1e6a3c-2f0e-4a53-9c1d-8f6a3f1e2d4c). A mapping, once made,
 * never changes. New uids use a random UUID4 (OpenSSL RAND_bytes, version and variant bits set, lower-case).
 *
 * Backends:
 *  - a local file (UuidTable.FileURL; DESIGN.md §7), opened with uuidtable_open_file. The file lives outside the
 *    data root, has mode 0600 (a file readable by group or others is refused, EX_NOPERM), and is append-only:
 *    one mapping per line, in creation order, written as
 *        {"data": "252612345678", "uuid": "avf-phone-uuid-3b1e6a3c-2f0e-4a53-9c1d-8f6a3f1e2d4c"}
 *    (a JSON object per line; any JSON spelling is read, this canonical one is written). New lines are appended
 *    and fsync'ed before any of their uids is returned. The opener holds an exclusive flock(2) on the file until
 *    uuidtable_close, so two processes can never give one identifier two uids (the second waits). A last line
 *    without its newline (a write cut short by a crash, whose uids were never handed out) is removed on open;
 *    any other malformed line is EX_DATAERR "path:line: …". When an identifier appears twice the first line
 *    wins. To pre-seed a table, write such lines and chmod 600.
 *  - Firestore (tables/<TableName>/mappings/<data>, field "uuid"), as the reference, opened with
 *    uuidtable_open_firestore: every mapping is read at open (paged), new ones are committed 500 at a time with
 *    an exists=false precondition, so an existing mapping is never overwritten; when another process made one
 *    first, its uid is read back and used (the reference's "concurrent use" rule). tables/<TableName> gets
 *    {"table_name": TableName}.
 *
 * Identifiers and uids are byte strings; an identifier is never empty and holds no NUL.
 * Nothing here prints or exits; errors come back in struct err.
 */

struct uuid_table;

/*
 * CoreDataModules' PhoneCleaner.normalise_phone, applied to any URN: drop every byte that is not an ASCII digit,
 * then strip leading '0's ("tel:+252612345678" -> "252612345678", "telegram:0123" -> "123", "twitter:jack" -> "").
 * out must hold len + 1 bytes; it is NUL-terminated. Returns the length written.
 */
size_t uuid_normalise_phone(const char *s, size_t len, char *out);

/* A fresh "<prefix><uuid4>" into out (prefix length + 37 bytes). -1 and e if the random generator fails. */
int uuid_make(const char *prefix, char *out, size_t outsz, struct err *e);

/*
 * Open (creating it, mode 0600, when missing) the table file at path, take the exclusive lock (waiting for it)
 * and load every mapping. prefix is the UuidPrefix new uids get. Errors: EX_CANTCREAT (cannot create),
 * EX_NOPERM (not 0600, or no permission), EX_IOERR, EX_DATAERR (a malformed line).
 */
int uuidtable_open_file(struct uuid_table **t, const char *path, const char *prefix, struct err *e);

/*
 * Open the Firestore table TableName with the service-account key file key_path (scope datastore; NULL with
 * FIRESTORE_EMULATOR_HOST: no credentials) in project (NULL: the key's project_id), and read every mapping.
 * Errors as lib/net/firestore.h (EX_NOPERM, EX_UNAVAILABLE, ...).
 */
int uuidtable_open_firestore(struct uuid_table **t, const char *key_path, const char *project, const char *table,
    const char *prefix, struct err *e);

/* The project used with FIRESTORE_EMULATOR_HOST and no credentials (the reference's). */
#define UUIDTABLE_EMULATOR_PROJECT "avf-id-infrastructure"

struct pipeline_config;
/*
 * The configuration's table: UuidTable.FileURL when it is set (uuidtable_open_file), else the Firestore table
 * TableName with the key downloaded from FirebaseCredentialsFileURL (a gs:// URL needs the service-account
 * file `credentials`; the key goes through a 0600 temporary file that is removed at once). With
 * FIRESTORE_EMULATOR_HOST and no credentials ("-" or NULL), the emulator is used without a key.
 */
int uuidtable_open_config(struct uuid_table **t, const struct pipeline_config *c, const char *credentials,
    struct err *e);

/*
 * data_to_uuid_batch: uids[i] receives the uid of data[i] (lens[i] bytes), made and stored first for identifiers
 * the table does not have yet (in request order; a repeated identifier gets one uid). The returned strings belong
 * to the table and live until uuidtable_close. Returns the number of new mappings, or -1 (nothing new was handed
 * out; an empty identifier is EX_DATAERR).
 */
long uuidtable_data_to_uuid_batch(struct uuid_table *t, size_t n, const char *const *data, const size_t *lens,
    const char **uids, struct err *e);

/* The uid of one identifier without creating it, or NULL. */
const char *uuidtable_lookup(const struct uuid_table *t, const char *data, size_t len);

/* uuid_to_data: the identifier a uid stands for, or NULL when the table has no such uid (*len set when found). */
const char *uuidtable_uuid_to_data(const struct uuid_table *t, const char *uid, size_t uidlen, size_t *len);

/* How many mappings the table holds. */
size_t uuidtable_count(const struct uuid_table *t);

/* Release the lock and free everything (t may be NULL). */
void uuidtable_close(struct uuid_table *t);

#endif
