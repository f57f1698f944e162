/* coda-get: download a dataset's messages, users or code schemes from a Coda store, as CodaV2's get.py prints
 * them (pipeline.md §1.3, apis.md §2.5); or every dataset the coding plans name, into a directory (stage 1). */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "net/gauth.h"
#include "config/plan.h"
#include "pipeline.h"
#include "store/codastore.h"
#include "util/atomic.h"

static const char usage[] =
    "coda-get [-qv] [--previous-export FILE] [-o FILE] STORE DATASET [messages|users|schemes]\n"
    "       coda-get [-qv] (-c CONFIG [-p PLANS] | -p PLANS) [-s DIR] -d DIR STORE";

static const char help[] =
    "usage: coda-get [-qv] [--previous-export FILE] [-o FILE] STORE DATASET [messages|users|schemes]\n"
    "       coda-get [-qv] (-c CONFIG [-p PLANS] | -p PLANS) [-s DIR] -d DIR STORE\n"
    "Print a Coda dataset's messages (ordered by SequenceNumber), users or code schemes as CodaV2's get.py\n"
    "does (JSON, indent 2, keys sorted, a final newline). With --previous-export, only messages updated\n"
    "since the newest LastUpdated in FILE are downloaded and merged into it by MessageID. With -d, every\n"
    "dataset the coding plans name (their Coda file names without .json) is brought up to date in\n"
    "DIR/<Coda file>, incrementally when that file exists, each file replaced whole.\n"
    "STORE is dir:PATH (a local store) or a Google service-account key file (Firestore).\n"
    "\n"
    "      --previous-export FILE  a previous export of the dataset's messages\n"
    "  -o, --output FILE    write to FILE (atomically) instead of standard output\n"
    "  -c, --config FILE    the pipeline configuration (for its CodingPlans and CodeSchemesDir)\n"
    "  -p, --plans FILE     coding plans (default: the config's CodingPlans)\n"
    "  -s, --schemes DIR    code schemes directory (default: the config's CodeSchemesDir)\n"
    "  -d, --outdir DIR     with plans: the directory of coded Coda files (created if missing)\n"
    "  -q, --quiet          print nothing but errors\n"
    "  -v, --verbose        print what was downloaded on standard error\n"
    "  -h, --help           this help\n"
    "      --version        print the version\n"
    "\n"
    "Exit status: 0 ok, 64 usage, 65 bad data in the store or the previous export, 66 a file or dataset\n"
    "missing, 69 store unavailable, 73 cannot create output, 74 I/O error, 77 bad credentials or permission,\n"
    "78 bad configuration.\n";

enum { OPT_VERSION = 2000, OPT_PREVIOUS };

static const struct option longopts[] = {
	{ "previous-export", required_argument, NULL, OPT_PREVIOUS },
	{ "output", required_argument, NULL, 'o' },
	{ "config", required_argument, NULL, 'c' },
	{ "plans", required_argument, NULL, 'p' },
	{ "schemes", required_argument, NULL, 's' },
	{ "outdir", required_argument, NULL, 'd' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static int quiet, verbose, tty;

static void
write_out(const char *path, const struct buf *b)
{
	struct atomic_file af;
	struct err e;

	if (path == NULL) {
		fwrite(b->p, 1, b->len, stdout);
		return;
	}
	if (atomic_open(&af, path, &e) == -1) {
		e.code = EX_CANTCREAT;
		cli_fail(&e);
	}
	fwrite(b->p, 1, b->len, af.fp);
	if (atomic_commit(&af, &e) == -1)
		cli_fail(&e);
}

/* One dataset's messages into out; -1 with e set. */
static int
get_messages(struct codastore *s, const char *dataset, const char *previous, struct buf *out, struct err *e)
{
	struct codastore_msgs m = { 0 };
	int full, rc;

	if (codastore_export(s, dataset, previous, &m, &full, e) == -1) {
		codastore_msgs_free(&m);
		return -1;
	}
	rc = codastore_print_messages(out, &m, e);
	if (rc == 0 && verbose && !quiet)
		cli_warn("%s: %zu message%s (%s)", dataset, m.n, m.n == 1 ? "" : "s",
		    full ? "full download" : "incremental");
	codastore_msgs_free(&m);
	return rc;
}

static char *
dataset_of(const char *coda_filename)
{
	size_t n = strlen(coda_filename);
	char *d = xstrdup(coda_filename);

	if (n > 5 && strcmp(d + n - 5, ".json") == 0)
		d[n - 5] = '\0';
	return d;
}

/* Stage 1: every dataset of the plans into outdir/<CodaFilename>. */
static void
get_plans(struct codastore *s, const struct coding_plans *plans, const char *outdir)
{
	size_t n_all, n = 0, i, j;
	const struct coding_plan *all = plans_all(plans, &n_all);
	const char **files = xcalloc(n_all + 1, sizeof *files);
	struct buf out = { 0 }, path = { 0 };
	struct err e;

	for (i = 0; i < n_all; i++) {
		if (all[i].coda_filename == NULL)
			continue;
		for (j = 0; j < n && strcmp(files[j], all[i].coda_filename) != 0; j++)
			;
		if (j == n)
			files[n++] = all[i].coda_filename;
	}
	if (atomic_mkdirs(outdir, &e) == -1) {
		e.code = EX_CANTCREAT;
		cli_fail(&e);
	}
	for (i = 0; i < n; i++) {
		char *dataset = dataset_of(files[i]);
		struct stat st;
		path.len = 0;
		buf_adds(&path, outdir);
		buf_addc(&path, '/');
		buf_adds(&path, files[i]);
		buf_addc(&path, '\0');
		if (tty)
			fprintf(stderr, "\r\033[Kcoda-get: [%zu/%zu] %s", i + 1, n, dataset);
		out.len = 0;
		if (get_messages(s, dataset, stat(path.p, &st) == 0 ? path.p : NULL, &out, &e) == -1) {
			if (tty)
				fputc('\n', stderr);
			cli_fail(&e);
		}
		write_out(path.p, &out);
		free(dataset);
	}
	if (tty)
		fprintf(stderr, "\r\033[Kcoda-get: %zu dataset%s\n", n, n == 1 ? "" : "s");
	buf_free(&out);
	buf_free(&path);
	free(files);
}

/* A Firestore store's service-account key that group or others can read draws a warning (never its content). */
static void
warn_exposed_key(const char *spec)
{
	if (!quiet && strncmp(spec, "dir:", 4) != 0)
		cli_warn_exposed(spec);
}

int
main(int argc, char **argv)
{
	const char *previous = NULL, *output = NULL, *config = NULL, *plans = NULL, *schemes = NULL,
	    *outdir = NULL, *kind = "messages";
	struct codastore *s;
	struct buf out = { 0 };
	struct err e;
	int c, rc;

	cli_init("coda-get");
	while ((c = getopt_long(argc, argv, "o:c:p:s:d:qvh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_PREVIOUS:
			previous = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'c':
			config = optarg;
			break;
		case 'p':
			plans = optarg;
			break;
		case 's':
			schemes = optarg;
			break;
		case 'd':
			outdir = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'h':
			cli_help(help);
		case OPT_VERSION:
			cli_version();
		default:
			cli_usage(usage);
		}
	}
	argc -= optind;
	argv += optind;
	tty = !quiet && isatty(STDERR_FILENO);
	if (outdir != NULL || config != NULL || plans != NULL) {
		struct cli_pipeline pl;
		if (argc != 1 || outdir == NULL || previous != NULL || output != NULL)
			cli_usage(usage);
		if (config == NULL && plans == NULL)
			cli_die(EX_USAGE, "no coding plans: give -c CONFIG or -p PLANS");
		cli_pipeline_load(&pl, config, plans, schemes, 0);
		if (codastore_open(&s, argv[0], &e) == -1)
			cli_fail(&e);
		warn_exposed_key(argv[0]);
		get_plans(s, &pl.plans, outdir);
		codastore_close(s);
		cli_pipeline_free(&pl);
		cli_exit(0);
	}
	if (argc < 2 || argc > 3)
		cli_usage(usage);
	if (argc == 3)
		kind = argv[2];
	if (strcmp(kind, "messages") != 0 && strcmp(kind, "users") != 0 && strcmp(kind, "schemes") != 0)
		cli_die(EX_USAGE, "'%s': unknown content type (expected messages, users or schemes)", kind);
	if (previous != NULL && strcmp(kind, "messages") != 0)
		cli_die(EX_USAGE, "--previous-export goes with messages only");
	if (*argv[1] == '\0')
		cli_die(EX_USAGE, "empty dataset id");
	if (codastore_open(&s, argv[0], &e) == -1)
		cli_fail(&e);
	warn_exposed_key(argv[0]);
	if (strcmp(kind, "messages") == 0)
		rc = get_messages(s, argv[1], previous, &out, &e);
	else if (strcmp(kind, "users") == 0)
		rc = codastore_print_users(s, argv[1], &out, &e);
	else
		rc = codastore_print_schemes(s, argv[1], &out, &e);
	codastore_close(s);
	if (rc == -1)
		cli_fail(&e);
	write_out(output, &out);
	buf_free(&out);
	cli_exit(0);
}
