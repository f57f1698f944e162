#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/spool.h"

static const char *
spool_dir(void)
{
	const char *dir = getenv("TMPDIR");

	return dir == NULL || *dir == '\0' ? "/tmp" : dir;
}

int
spool_create(struct err *e)
{
	const char *dir = spool_dir();
	char path[4096];
	int fd;

	if ((size_t)snprintf(path, sizeof path, "%s/tdtools-spool.XXXXXX", dir) >= sizeof path)
		return err_set(e, EX_CANTCREAT, "TMPDIR is too long");
	if ((fd = mkstemp(path)) == -1)
		return err_set(e, EX_CANTCREAT, "cannot create a spool file in %s: %s", dir, strerror(errno));
	/* Unlinked at once: nothing is left behind, whatever ends the tool. */
	unlink(path);
	return fd;
}

int
spool_fd(int from, const char *name, struct err *e)
{
	const char *dir = spool_dir();
	char *chunk;
	const size_t chunk_size = (size_t)1 << 20;
	int fd;

	if ((fd = spool_create(e)) == -1)
		return -1;
	chunk = xmalloc(chunk_size);
	for (;;) {
		ssize_t got = read(from, chunk, chunk_size), put = 0;

		if (got == -1 && errno == EINTR)
			continue;
		if (got == -1) {
			err_set(e, EX_IOERR, "%s: read error: %s", name, strerror(errno));
			goto fail;
		}
		if (got == 0)
			break;
		while (put < got) {
			ssize_t w = write(fd, chunk + put, (size_t)(got - put));
			if (w == -1 && errno == EINTR)
				continue;
			if (w == -1) {
				err_set(e, EX_IOERR, "cannot spool %s to %s: %s", name, dir, strerror(errno));
				goto fail;
			}
			put += w;
		}
	}
	free(chunk);
	if (lseek(fd, 0, SEEK_SET) == -1) {
		err_set(e, EX_IOERR, "cannot spool %s: %s", name, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
fail:
	free(chunk);
	close(fd);
	return -1;
}

int
spool_read_at(int fd, void *buf, size_t n, uint64_t off)
{
	char *p = buf;

	while (n > 0) {
		ssize_t got = pread(fd, p, n, (off_t)off);
		if (got == -1 && errno == EINTR)
			continue;
		if (got == -1)
			return -1;
		if (got == 0) {
			errno = 0;
			return -1;
		}
		p += got;
		n -= (size_t)got;
		off += (uint64_t)got;
	}
	return 0;
}
