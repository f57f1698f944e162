#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/gcs.h"
#include "net/keyurl.h"
#include "util/buf.h"

static char *
join(const char *dir, const char *path)
{
	size_t n = strlen(dir);
	char *s;

	if (*path == '/' || n == 0)
		return xstrdup(path);
	s = xmalloc(n + strlen(path) + 2);
	sprintf(s, "%s%s%s", dir, dir[n - 1] == '/' ? "" : "/", path);
	return s;
}

int
keyurl_gauth_init(struct gauth *g, const char *url, const char *base_dir, const char *gcs_key_path,
    const char *scope, struct http_client *http, struct err *e)
{
	struct gauth gcs_auth;
	struct gcs gcs;
	struct buf key = { 0 };
	char *bucket = NULL, *object = NULL, tmp[4096];
	const char *tmpdir = getenv("TMPDIR");
	int fd, rc = -1;

	memset(g, 0, sizeof *g);
	if (!gcs_is_url(url)) {
		char *path = join(base_dir ? base_dir : "", strncmp(url, "file://", 7) == 0 ? url + 7 : url);
		rc = gauth_init(g, path, scope, http, e);
		free(path);
		return rc;
	}
	if (gcs_key_path == NULL)
		return err_set(e, EX_USAGE, "%s: a gs:// key needs a Cloud Storage key to read it", url);
	if (gauth_init(&gcs_auth, gcs_key_path, GAUTH_SCOPE_STORAGE, http, e) == -1)
		return -1;
	if (gcs_init(&gcs, http, &gcs_auth, NULL, e) == -1) {
		gauth_free(&gcs_auth);
		return -1;
	}
	if (gcs_parse_url(url, &bucket, &object, e) == -1 || gcs_download(&gcs, bucket, object, &key, e) == -1)
		goto out;
	snprintf(tmp, sizeof tmp, "%s/tdtools-key.XXXXXX", tmpdir != NULL && *tmpdir ? tmpdir : "/tmp");
	if ((fd = mkstemp(tmp)) == -1) {
		err_set(e, EX_CANTCREAT, "%s: cannot create a temporary file: %s", tmp, strerror(errno));
		goto out;
	}
	if (write(fd, key.p, key.len) != (ssize_t)key.len) {
		err_set(e, EX_IOERR, "%s: write error: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		goto out;
	}
	close(fd);
	rc = gauth_init(g, tmp, scope, http, e);
	unlink(tmp);
	if (rc == -1)
		err_set(e, e->code, "%s: not a usable service-account key", url);
out:
	if (key.p != NULL)
		memset(key.p, 0, key.len);
	buf_free(&key);
	free(bucket);
	free(object);
	gcs_free(&gcs);
	gauth_free(&gcs_auth);
	return rc;
}
