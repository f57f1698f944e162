/* spool: copy a pipe into an unlinked temporary file, so a tool can read its input twice or by offset. */
#ifndef TD_SPOOL_H
#define TD_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/*
 * Copy everything readable from fd `from` into a new unlinked file in $TMPDIR (default /tmp) and return its
 * descriptor, positioned at the start. name is the input's name for messages. Nothing is left on disk, even if
 * the tool is killed. EX_CANTCREAT if the file cannot be made, EX_IOERR on a read or write error (disk full).
 */
int spool_fd(int from, const char *name, struct err *e);
/* An empty unlinked temporary file in $TMPDIR, open for reading and writing. EX_CANTCREAT on failure. */
int spool_create(struct err *e);
/*
 * Read exactly n bytes at offset off (pread, retried on EINTR and short reads): 0, or -1 with errno set (0 when
 * the file ended first, i.e. it shrank while it was read).
 */
int spool_read_at(int fd, void *buf, size_t n, uint64_t off);

#endif
