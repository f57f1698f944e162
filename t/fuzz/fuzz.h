/* fuzz.h: helpers shared by the libFuzzer targets in t/fuzz/ (not a target itself: only *.c files are). */
#ifndef TD_FUZZ_H
#define TD_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Write data[0..size) to a fresh file under /tmp; its path goes into path (at least 32 bytes). The caller
 * unlinks it. Aborts if the file cannot be written: that is the harness failing, not the code under test. */
static inline void
fuzz_write_tmp(const uint8_t *data, size_t size, char *path, const char *suffix)
{
	int fd;
	size_t off = 0;

	snprintf(path, 64, "/tmp/tdfuzz-XXXXXX%s", suffix);
	if ((fd = mkstemps(path, (int)strlen(suffix))) == -1)
		abort();
	while (off < size) {
		ssize_t n = write(fd, data + off, size - off);

		if (n <= 0)
			abort();
		off += (size_t)n;
	}
	if (close(fd) == -1)
		abort();
}

#endif
