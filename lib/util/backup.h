/* backup: a data root as a reproducible .tar.gz (libarchive), its listing, and its verification against a tree. */
#ifndef TD_BACKUP_H
#define TD_BACKUP_H

#include <stdint.h>
#include <sys/types.h>

#include "util/err.h"

/*
 * The archive holds the data root's regular files, directories and symbolic links (not followed), named
 * "./path" as `tar -czf FILE .` run inside the root names them, in depth-first order with each directory's
 * entries sorted by name (bytes). Each entry keeps its type, permission bits (07777), size and mtime in whole
 * seconds; owner and group are 0 with no names, and nothing else (atime, ctime, xattrs, ACLs) is stored. The
 * gzip stream has no name and a zero timestamp. So two backups of an unchanged tree are the same bytes.
 * Files named .DS_Store are left out (the reference deletes them first). Other file types (sockets, FIFOs,
 * devices) are left out with a warning. Hard links are stored as separate files.
 */

enum backup_type { BACKUP_FILE, BACKUP_DIR, BACKUP_SYMLINK, BACKUP_OTHER };

struct backup_entry {
	const char *path;		/* as stored: "./Raw Data/x.jsonl", "./" for the root */
	enum backup_type type;
	mode_t perm;			/* 07777 bits */
	int64_t size;
	int64_t mtime;			/* seconds since the epoch */
	const char *link;		/* symlink target, or NULL */
};

struct backup_stats {
	uint64_t files, dirs, symlinks, skipped;
	uint64_t bytes_in;		/* file contents read */
	uint64_t bytes_out;		/* archive size */
};

struct backup_callbacks {
	/* Each entry as it is written (for -v); may be NULL. */
	void (*entry)(void *ctx, const struct backup_entry *be);
	/* Something left out ("path: a socket, not archived"); may be NULL. */
	void (*warn)(void *ctx, const char *msg);
	void *ctx;
};

/*
 * Archive root into archive_path, written atomically with mode 0600 (a failure or a signal leaves no file
 * behind, and an older archive of that name untouched). Exit codes in e: EX_NOINPUT root missing,
 * EX_NOPERM a file or directory cannot be read for lack of permission, EX_IOERR another read error or a file
 * that shrank while read, EX_CANTCREAT the archive cannot be created, EX_USAGE the archive would be inside
 * the root.
 */
int backup_write(const char *root, const char *archive_path, const struct backup_callbacks *cb,
    struct backup_stats *st, struct err *e);

/* Call fn for every entry of an archive (any format and compression libarchive reads). EX_NOINPUT missing,
 * EX_DATAERR not a readable archive. */
int backup_list(const char *archive_path, void (*fn)(void *ctx, const struct backup_entry *be), void *ctx,
    struct err *e);

/*
 * Compare an archive with a tree: every entry's type, permission bits and content (a symlink's target);
 * entries missing on either side. fn gets each difference as ("./path", "what differs"), archive order
 * first, then what is only in the tree, in tree order. *n_diffs counts them. Returns -1 only when the
 * comparison itself cannot be done (EX_NOINPUT, EX_DATAERR, EX_NOPERM, EX_IOERR).
 */
int backup_verify(const char *root, const char *archive_path,
    void (*fn)(void *ctx, const char *path, const char *what), void *ctx, uint64_t *n_diffs, struct err *e);

#endif
