#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/path.h"

int
path_is_under(const char *path, const char *dir)
{
	char rp[PATH_MAX], rd[PATH_MAX], tmp[PATH_MAX], *slash;
	size_t n;

	if (snprintf(tmp, sizeof tmp, "%s", path) >= (int)sizeof tmp)
		return 0;
	if (realpath(tmp, rp) == NULL) {
		if ((slash = strrchr(tmp, '/')) != NULL) {
			*slash = '\0';
			if (realpath(*tmp ? tmp : "/", rp) == NULL)
				return 0;
		} else if (realpath(".", rp) == NULL) {
			return 0;
		}
	}
	if (realpath(dir, rd) == NULL)
		return 0;
	n = strlen(rd);
	return strncmp(rp, rd, n) == 0 && (rp[n] == '/' || rp[n] == '\0' || n == 1);
}
