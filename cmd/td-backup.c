/* td-backup: the data root as a reproducible .tar.gz (pipeline.md §1.8), its listing, and its verification. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "util/backup.h"

static const char usage[] =
    "td-backup [-qv] DATA-ROOT FILE | td-backup [-v] --list FILE | td-backup [-q] --verify DATA-ROOT FILE";

static const char help[] =
    "usage: td-backup [-qv] DATA-ROOT FILE\n"
    "       td-backup [-v] --list FILE\n"
    "       td-backup [-q] --verify DATA-ROOT FILE\n"
    "Write the data root to FILE as a gzip-compressed tar archive (members ./path, as tar -czf FILE . run in\n"
    "the data root): regular files, directories and symbolic links with their modes and mtimes, owner 0, no\n"
    "gzip name or timestamp, entries sorted, so an unchanged tree always gives the same bytes. FILE is written\n"
    "atomically with mode 0600 and must not be inside the data root.\n"
    "\n"
    "      --list       print the entries of FILE (with -v: mode, size, mtime, link target)\n"
    "      --verify     compare FILE with DATA-ROOT (type, mode, content); print each difference\n"
    "  -q, --quiet      print nothing but errors\n"
    "  -v, --verbose    print each entry written, and the totals\n"
    "  -h, --help       this help\n"
    "      --version    print the version\n"
    "\n"
    "Exit status: 0 ok, 1 --verify found differences, 64 usage, 65 FILE is not a readable archive,\n"
    "66 DATA-ROOT or FILE missing, 73 cannot create FILE, 74 I/O error, 77 a file cannot be read (permission).\n";

enum { OPT_LIST = 2000, OPT_VERIFY, OPT_VERSION };

static const struct option longopts[] = {
	{ "list", no_argument, NULL, OPT_LIST },
	{ "verify", no_argument, NULL, OPT_VERIFY },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static int quiet, verbose;

static void
print_long(const struct backup_entry *be)
{
	static const char rwx[] = "rwxrwxrwx";
	char mode[11], when[32];
	time_t t = (time_t)be->mtime;
	struct tm tm;

	mode[0] = be->type == BACKUP_DIR ? 'd' : be->type == BACKUP_SYMLINK ? 'l' : be->type == BACKUP_FILE ? '-' :
	    '?';
	for (int i = 0; i < 9; i++)
		mode[1 + i] = be->perm & (0400 >> i) ? rwx[i] : '-';
	if (be->perm & 04000)
		mode[3] = mode[3] == 'x' ? 's' : 'S';
	if (be->perm & 02000)
		mode[6] = mode[6] == 'x' ? 's' : 'S';
	if (be->perm & 01000)
		mode[9] = mode[9] == 'x' ? 't' : 'T';
	mode[10] = '\0';
	gmtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	printf("%s %12" PRId64 " %s %s", mode, be->size, when, be->path);
	if (be->link != NULL)
		printf(" -> %s", be->link);
	putchar('\n');
}

static void
list_entry(void *ctx, const struct backup_entry *be)
{
	(void)ctx;
	if (verbose)
		print_long(be);
	else
		printf("%s\n", be->path);
}

static void
written_entry(void *ctx, const struct backup_entry *be)
{
	(void)ctx;
	fprintf(stderr, "%s\n", be->path);
}

static void
warn_skipped(void *ctx, const char *msg)
{
	(void)ctx;
	if (!quiet)
		cli_warn("%s", msg);
}

static void
print_difference(void *ctx, const char *path, const char *what)
{
	(void)ctx;
	printf("%s: %s\n", path, what);
}

int
main(int argc, char **argv)
{
	int c, mode_list = 0, mode_verify = 0;
	struct err e;

	cli_init("td-backup");
	while ((c = getopt_long(argc, argv, "qvh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_LIST: mode_list = 1; break;
		case OPT_VERIFY: mode_verify = 1; break;
		case 'q': quiet = 1; break;
		case 'v': verbose = 1; break;
		case 'h': cli_help(help);
		case OPT_VERSION: cli_version();
		default: cli_usage(usage);
		}
	}
	argc -= optind;
	argv += optind;
	if (mode_list && mode_verify)
		cli_usage(usage);

	if (mode_list) {
		if (argc != 1)
			cli_usage(usage);
		if (backup_list(argv[0], list_entry, NULL, &e) == -1)
			cli_fail(&e);
		cli_exit(0);
	}
	if (argc != 2)
		cli_usage(usage);
	if (mode_verify) {
		uint64_t n_diffs = 0;

		if (backup_verify(argv[0], argv[1], print_difference, NULL, &n_diffs, &e) == -1)
			cli_fail(&e);
		if (n_diffs > 0) {
			if (!quiet)
				cli_warn("%s: %" PRIu64 " difference%s from %s", argv[1], n_diffs, n_diffs == 1 ? "" : "s",
				    argv[0]);
			cli_exit(TD_EXIT_FAILURE);
		}
		if (verbose)
			cli_warn("%s: the same as %s", argv[1], argv[0]);
		cli_exit(0);
	}

	struct backup_callbacks cb = { verbose ? written_entry : NULL, warn_skipped, NULL };
	struct backup_stats st;
	if (backup_write(argv[0], argv[1], &cb, &st, &e) == -1)
		cli_fail(&e);
	if (verbose)
		cli_warn("%s: files %" PRIu64 ", directories %" PRIu64 ", symbolic links %" PRIu64 ", left out %" PRIu64
		    "; %" PRIu64 " bytes read, %" PRIu64 " bytes written", argv[1], st.files, st.dirs, st.symlinks,
		    st.skipped, st.bytes_in, st.bytes_out);
	cli_exit(0);
}
