/* atomic: output files that appear whole or not at all (temp file + fsync + rename). */
#ifndef TD_ATOMIC_H
#define TD_ATOMIC_H

#include <stdio.h>

#include "util/err.h"

struct atomic_file {
	char *path;		/* final name */
	char *tmp;		/* temporary name in the same directory */
	FILE *fp;		/* write here */
	int slot;		/* index in the cleanup registry */
};

/* Create a temporary file beside path (mode 0644 unless umask says less). */
int atomic_open(struct atomic_file *af, const char *path, struct err *e);
/* Open with an explicit mode (e.g. 0600 for files holding identifiers). */
int atomic_open_mode(struct atomic_file *af, const char *path, int mode, struct err *e);
/* Flush, fsync, rename over path, fsync the directory. On failure the old file is kept. */
int atomic_commit(struct atomic_file *af, struct err *e);
/* Remove the temporary file; path is untouched. Safe to call after a failed commit. */
void atomic_abort(struct atomic_file *af);
/* Unlink every temporary file still open. Async-signal-safe: for SIGINT/SIGTERM handlers. */
void atomic_cleanup_all(void);
/* Create a directory and its parents (mkdir -p). */
int atomic_mkdirs(const char *dir, struct err *e);

#endif
