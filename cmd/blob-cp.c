/* blob-cp: copy one file between local paths (or file:// URLs) and Cloud Storage (gs://bucket/object). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "net/gauth.h"
#include "net/gcs.h"
#include "net/http.h"
#include "util/atomic.h"

static const char usage[] = "blob-cp [-qv] [--dry-run] [--credentials FILE] SRC DST";

static const char help[] =
    "usage: blob-cp [-qv] [--dry-run] [--credentials FILE] SRC DST\n"
    "Copy one file. SRC and DST are local paths, file:// URLs or gs://bucket/object URLs (Cloud Storage).\n"
    "A DST that is a directory, or ends with '/', gets SRC's base name. Local files appear whole or not at\n"
    "all; downloads are created mode 0600 (they are often credentials or tokens).\n"
    "\n"
    "      --credentials FILE  Google service-account key (default: $GOOGLE_APPLICATION_CREDENTIALS);\n"
    "                          not needed for local copies, nor with $STORAGE_EMULATOR_HOST\n"
    "      --dry-run           say what would be copied; send nothing, write nothing\n"
    "  -q, --quiet             print nothing but errors\n"
    "  -v, --verbose           print every retry and what was copied\n"
    "  -h, --help              this help\n"
    "      --version           print the version\n"
    "\n"
    "Environment: GOOGLE_APPLICATION_CREDENTIALS, STORAGE_EMULATOR_HOST, TDTOOLS_RETRY_BASE_MS,\n"
    "TDTOOLS_HTTP_TRIES, TDTOOLS_HTTP_TIMEOUT.\n"
    "Exit status: 0 ok, 64 usage, 66 source missing, 69 service unavailable after retries, 73 cannot create\n"
    "the output, 74 I/O error, 77 authentication or permission, 78 bad URL.\n";

enum { OPT_VERSION = 2000, OPT_DRY_RUN, OPT_CREDENTIALS };

static const struct option longopts[] = {
	{ "credentials", required_argument, NULL, OPT_CREDENTIALS },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

/* One end of the copy. */
struct loc {
	int gs;
	char *path;		/* local */
	char *bucket, *object;	/* gs */
};

static struct http_client http;
static struct gauth auth;
static struct gcs gcs;
static int have_auth, have_gcs, verbose, quiet;

static void
on_retry(void *ctx, const char *why, int attempt, double wait)
{
	const struct http_client *c = ctx;

	if (verbose)
		cli_warn("%s; try %d of %d failed, next in %.1f s", why, attempt, c->max_tries, wait);
}

static void
parse_loc(struct loc *l, const char *arg)
{
	struct err e = { 0 };

	memset(l, 0, sizeof *l);
	if (gcs_is_url(arg)) {
		if (gcs_parse_url(arg, &l->bucket, &l->object, &e) == -1)
			cli_fail(&e);
		l->gs = 1;
	} else if (strncmp(arg, "file://", 7) == 0) {
		const char *p = arg + 7;
		if (strncmp(p, "localhost/", 10) == 0)
			p += 9;
		if (*p != '/')
			cli_die(EX_USAGE, "%s: a file:// URL needs an absolute path (file:///dir/file)", arg);
		l->path = xstrdup(p);
	} else {
		if (*arg == '\0')
			cli_die(EX_USAGE, "an empty path");
		l->path = xstrdup(arg);
	}
}

static const char *
base_name(const struct loc *l)
{
	const char *s = l->gs ? l->object : l->path;
	size_t n = strlen(s);

	while (n > 0 && s[n - 1] == '/')
		n--;
	size_t i = n;

	while (i > 0 && s[i - 1] != '/')
		i--;
	return s + i;
}

/* A DST that names a folder: a directory, or anything ending in '/'. */
static int
is_folder(const struct loc *l)
{
	struct stat st;

	if (l->gs)
		return *l->object == '\0' || l->object[strlen(l->object) - 1] == '/';
	return l->path[strlen(l->path) - 1] == '/' || (stat(l->path, &st) == 0 && S_ISDIR(st.st_mode));
}

static char *
joined(const char *dir, const char *name)
{
	size_t n = strlen(dir);
	char *s = xmalloc(n + strlen(name) + 2);

	sprintf(s, "%s%s%s", dir, n > 0 && dir[n - 1] == '/' ? "" : "/", name);
	return s;
}

static char *
show(const struct loc *l)
{
	char *s;

	if (!l->gs)
		return xstrdup(l->path);
	s = xmalloc(strlen(l->bucket) + strlen(l->object) + 7);
	sprintf(s, "gs://%s/%s", l->bucket, l->object);
	return s;
}

static const char *
content_type(const char *name)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{ ".json", "application/json" }, { ".jsonl", "application/x-ndjson" }, { ".csv", "text/csv" },
		{ ".txt", "text/plain" }, { ".png", "image/png" }, { ".gz", "application/gzip" },
	};
	const char *dot = strrchr(name, '.');

	for (size_t i = 0; dot != NULL && i < sizeof types / sizeof *types; i++)
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].type;
	return "application/octet-stream";
}

static void
setup_remote(const char *credentials)
{
	struct err e = { 0 };

	if (credentials == NULL || *credentials == '\0')
		credentials = getenv("GOOGLE_APPLICATION_CREDENTIALS");
	if (credentials != NULL && *credentials != '\0') {
		if (gauth_init(&auth, credentials, GAUTH_SCOPE_STORAGE, &http, &e) == -1)
			cli_fail(&e);
		have_auth = 1;
		if (!quiet)
			cli_warn_exposed(credentials);
	}
	if (gcs_init(&gcs, &http, have_auth ? &auth : NULL, NULL, &e) == -1)
		cli_fail(&e);
	have_gcs = 1;
}

/* The whole local file, mapped (NULL/0 for an empty file). */
static void *
map_file(const char *path, size_t *len, int *fdp)
{
	struct stat st;
	int fd = open(path, O_RDONLY);
	void *p = NULL;

	if (fd == -1)
		cli_die(errno == ENOENT ? EX_NOINPUT : errno == EACCES ? EX_NOPERM : EX_IOERR, "%s: %s", path,
		    strerror(errno));
	if (fstat(fd, &st) == -1)
		cli_die(EX_IOERR, "%s: %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		cli_die(EX_NOINPUT, "%s: is a directory (expected a file)", path);
	*len = (size_t)st.st_size;
	if (*len > 0 && (p = mmap(NULL, *len, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED)
		cli_die(EX_IOERR, "%s: %s", path, strerror(errno));
	*fdp = fd;
	return p;
}

static void
open_output(struct atomic_file *af, const char *path, int mode)
{
	struct err e = { 0 };

	if (atomic_open_mode(af, path, mode, &e) == -1) {
		e.code = EX_CANTCREAT;
		cli_fail(&e);
	}
}

static void
commit_output(struct atomic_file *af)
{
	struct err e = { 0 };

	if (atomic_commit(af, &e) == -1)
		cli_fail(&e);
}

static unsigned long long
copy(const struct loc *src, const struct loc *dst)
{
	struct err e = { 0 };
	struct atomic_file af;
	unsigned long long n = 0;

	if (!src->gs && !dst->gs) {
		size_t len;
		int fd;
		void *p = map_file(src->path, &len, &fd);
		open_output(&af, dst->path, 0644);
		if (len > 0 && fwrite(p, 1, len, af.fp) != len) {
			atomic_abort(&af);
			cli_die(EX_IOERR, "%s: %s", dst->path, strerror(errno));
		}
		commit_output(&af);
		if (p != NULL)
			munmap(p, len);
		close(fd);
		return len;
	}
	if (src->gs && !dst->gs) {
		struct stat st;
		if (*src->object == '\0')
			cli_die(EX_USAGE, "gs://%s: no object name (expected gs://bucket/object)", src->bucket);
		open_output(&af, dst->path, 0600);
		if (gcs_download_fd(&gcs, src->bucket, src->object, fileno(af.fp), &e) == -1) {
			atomic_abort(&af);
			cli_fail(&e);
		}
		if (fstat(fileno(af.fp), &st) == 0)
			n = (unsigned long long)st.st_size;
		commit_output(&af);
		return n;
	}
	if (!src->gs) {
		size_t len;
		int fd;
		void *p = map_file(src->path, &len, &fd);
		if (gcs_upload(&gcs, dst->bucket, dst->object, p, len, content_type(dst->object), &e) == -1)
			cli_fail(&e);
		if (p != NULL)
			munmap(p, len);
		close(fd);
		return len;
	}
	struct buf b = { 0 };
	if (gcs_download(&gcs, src->bucket, src->object, &b, &e) == -1 ||
	    gcs_upload(&gcs, dst->bucket, dst->object, b.p, b.len, content_type(dst->object), &e) == -1)
		cli_fail(&e);
	n = b.len;
	buf_free(&b);
	return n;
}

int
main(int argc, char **argv)
{
	const char *credentials = NULL;
	struct loc src, dst;
	int opt, dry_run = 0;

	cli_init("blob-cp");
	while ((opt = getopt_long(argc, argv, "qvh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'q': quiet = 1; verbose = 0; break;
		case 'v': verbose = 1; quiet = 0; break;
		case 'h': cli_help(help);
		case OPT_VERSION: cli_version();
		case OPT_DRY_RUN: dry_run = 1; break;
		case OPT_CREDENTIALS: credentials = optarg; break;
		default: cli_usage(usage);
		}
	}
	if (argc - optind != 2)
		cli_usage(usage);
	parse_loc(&src, argv[optind]);
	parse_loc(&dst, argv[optind + 1]);

	/* A directory (or a name ending in '/') as DST takes SRC's base name. */
	if (is_folder(&dst)) {
		const char *name = base_name(&src);
		if (*name == '\0')
			cli_die(EX_USAGE, "%s: no file name to copy into %s", argv[optind], argv[optind + 1]);
		char **slot = dst.gs ? &dst.object : &dst.path;
		char *j = dst.gs && **slot == '\0' ? xstrdup(name) : joined(*slot, name);
		free(*slot);
		*slot = j;
	}

	http_client_init(&http);
	http.on_retry = on_retry;
	http.retry_ctx = &http;
	if (src.gs || dst.gs)
		setup_remote(credentials);

	char *from = show(&src), *to = show(&dst);
	if (dry_run) {
		if (!src.gs && access(src.path, R_OK) == -1)
			cli_die(errno == ENOENT ? EX_NOINPUT : EX_NOPERM, "%s: %s", src.path, strerror(errno));
		printf("would copy %s to %s\n", from, to);
	} else {
		unsigned long long n = copy(&src, &dst);
		if (verbose)
			cli_warn("copied %s to %s (%llu bytes)", from, to, n);
	}
	free(from);
	free(to);
	free(src.path);
	free(src.bucket);
	free(src.object);
	free(dst.path);
	free(dst.bucket);
	free(dst.object);
	if (have_gcs)
		gcs_free(&gcs);
	if (have_auth)
		gauth_free(&auth);
	http_client_free(&http);
	cli_exit(0);
}
