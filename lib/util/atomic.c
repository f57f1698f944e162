#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/atomic.h"

/* Temporary files a signal handler must remove. Fixed size: no allocation in the handler. */
#define ATOMIC_SLOTS 256
static char *volatile registry[ATOMIC_SLOTS];

static int
registry_add(char *tmp)
{
	for (int i = 0; i < ATOMIC_SLOTS; i++)
		if (registry[i] == NULL) {
			registry[i] = tmp;
			return i;
		}
	return -1;
}

static void
registry_del(int slot)
{
	if (slot >= 0 && slot < ATOMIC_SLOTS)
		registry[slot] = NULL;
}

void
atomic_cleanup_all(void)
{
	for (int i = 0; i < ATOMIC_SLOTS; i++)
		if (registry[i] != NULL)
			unlink(registry[i]);
}

int
atomic_mkdirs(const char *dir, struct err *e)
{
	char *p, *copy;
	size_t n;

	if ((copy = strdup(dir)) == NULL)
		return err_set(e, EX_OSERR, "out of memory");
	n = strlen(copy);
	while (n > 1 && copy[n - 1] == '/')
		copy[--n] = '\0';
	for (p = copy + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			if (mkdir(copy, 0777) == -1 && errno != EEXIST) {
				int saved = errno;
				err_set(e, EX_CANTCREAT, "%s: cannot create directory: %s", copy, strerror(saved));
				free(copy);
				return -1;
			}
			*p = c;
			if (c == '\0')
				break;
		}
	}
	free(copy);
	return 0;
}

int
atomic_open_mode(struct atomic_file *af, const char *path, int mode, struct err *e)
{
	char *dcopy, *bcopy;
	size_t n;
	int fd;

	memset(af, 0, sizeof *af);
	af->slot = -1;
	dcopy = strdup(path);
	bcopy = strdup(path);
	af->path = strdup(path);
	n = strlen(path) + 32;
	af->tmp = malloc(n);
	if (dcopy == NULL || bcopy == NULL || af->path == NULL || af->tmp == NULL) {
		free(dcopy);
		free(bcopy);
		free(af->path);
		free(af->tmp);
		af->path = af->tmp = NULL;
		return err_set(e, EX_OSERR, "out of memory");
	}
	snprintf(af->tmp, n, "%s/.%s.tmp.XXXXXX", dirname(dcopy), basename(bcopy));
	free(dcopy);
	free(bcopy);
	if ((fd = mkstemp(af->tmp)) == -1) {
		err_set(e, EX_CANTCREAT, "%s: cannot create: %s", path, strerror(errno));
		free(af->path);
		free(af->tmp);
		af->path = af->tmp = NULL;
		return -1;
	}
	af->slot = registry_add(af->tmp);
	mode_t mask = umask(0);
	umask(mask);
	fchmod(fd, (mode_t)mode & ~mask);
	if ((af->fp = fdopen(fd, "w")) == NULL) {
		close(fd);
		atomic_abort(af);
		return err_set(e, EX_OSERR, "out of memory");
	}
	return 0;
}

int
atomic_open(struct atomic_file *af, const char *path, struct err *e)
{
	return atomic_open_mode(af, path, 0644, e);
}

void
atomic_abort(struct atomic_file *af)
{
	if (af->fp != NULL)
		fclose(af->fp);
	af->fp = NULL;
	if (af->tmp != NULL)
		unlink(af->tmp);
	registry_del(af->slot);
	af->slot = -1;
	free(af->tmp);
	free(af->path);
	af->tmp = af->path = NULL;
}

int
atomic_commit(struct atomic_file *af, struct err *e)
{
	char *dcopy;
	int fd, saved;

	if (fflush(af->fp) == EOF || ferror(af->fp) || fsync(fileno(af->fp)) == -1) {
		saved = errno;
		err_set(e, EX_IOERR,
		    "%s: write error: %s", af->path, strerror(saved));
		atomic_abort(af);
		return -1;
	}
	if (fclose(af->fp) == EOF) {
		af->fp = NULL;
		err_set(e, EX_IOERR, "%s: write error: %s", af->path, strerror(errno));
		atomic_abort(af);
		return -1;
	}
	af->fp = NULL;
	if (rename(af->tmp, af->path) == -1) {
		err_set(e, EX_CANTCREAT, "%s: cannot replace: %s", af->path, strerror(errno));
		atomic_abort(af);
		return -1;
	}
	registry_del(af->slot);
	af->slot = -1;
	/* Make the rename itself durable. */
	if ((dcopy = strdup(af->path)) != NULL) {
		if ((fd = open(dirname(dcopy), O_RDONLY | O_DIRECTORY)) != -1) {
			fsync(fd);
			close(fd);
		}
		free(dcopy);
	}
	free(af->tmp);
	free(af->path);
	af->tmp = af->path = NULL;
	return 0;
}
