#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "net/gauth.h"
#include "net/gcs.h"
#include "net/http.h"
#include "store/urlread.h"

static int
read_gs(const char *url, const char *credentials, struct buf *out, struct err *e)
{
	struct http_client http;
	struct gauth auth;
	struct gcs g;
	char *bucket = NULL, *object = NULL;
	int rc = -1, have_auth = 0, have_gcs = 0;

	if (credentials == NULL || strcmp(credentials, "-") == 0)
		return err_set(e, EX_NOPERM, "%s: a gs:// URL needs credentials (a Google service-account file)", url);
	if (gcs_parse_url(url, &bucket, &object, e) == -1)
		return -1;
	http_client_init(&http);
	if (gauth_init(&auth, credentials, GAUTH_SCOPE_STORAGE, &http, e) == -1)
		goto out;
	have_auth = 1;
	if (gcs_init(&g, &http, &auth, NULL, e) == -1)
		goto out;
	have_gcs = 1;
	out->len = 0;
	if (gcs_download(&g, bucket, object, out, e) == -1)
		goto out;
	buf_reserve(out, 1);
	out->p[out->len] = '\0';
	rc = 0;
out:
	if (have_gcs)
		gcs_free(&g);
	if (have_auth)
		gauth_free(&auth);
	http_client_free(&http);
	free(bucket);
	free(object);
	return rc;
}

int
url_read(const char *url, const char *base_dir, const char *credentials, struct buf *out, struct err *e)
{
	char *path, chunk[65536];
	int fd;
	ssize_t n;

	if (strncmp(url, "gs://", 5) == 0)
		return read_gs(url, credentials, out, e);
	path = cj_path_join(base_dir ? base_dir : "", strncmp(url, "file://", 7) == 0 ? url + 7 : url);
	out->len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		int saved = errno;
		free(path);
		return err_set(e, saved == ENOENT || saved == ENOTDIR ? EX_NOINPUT : saved == EACCES ? EX_NOPERM
		    : EX_IOERR, "%s: %s", url, strerror(saved));
	}
	while ((n = read(fd, chunk, sizeof chunk)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err_set(e, EX_IOERR, "%s: %s", url, strerror(errno));
			close(fd);
			free(path);
			return -1;
		}
		buf_add(out, chunk, (size_t)n);
	}
	close(fd);
	free(path);
	buf_reserve(out, 1);
	out->p[out->len] = '\0';
	return 0;
}
