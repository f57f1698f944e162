/* coda-add: add messages (or code schemes, or users) to a Coda store, never twice and never over a label, as
 * CodaV2's add.py (pipeline.md §1.6, apis.md §2.4); or every Coda file of the coding plans (stage 4). */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "net/gauth.h"
#include "coding/coda.h"
#include "config/plan.h"
#include "pipeline.h"
#include "store/codastore.h"

static const char usage[] =
    "coda-add [-qv] [--dry-run] STORE DATASET [messages|users|schemes] FILE\n"
    "       coda-add [-qv] [--dry-run] (-c CONFIG [-p PLANS] | -p PLANS) [-s DIR] -d DIR STORE";

static const char help[] =
    "usage: coda-add [-qv] [--dry-run] STORE DATASET [messages|users|schemes] FILE\n"
    "       coda-add [-qv] [--dry-run] (-c CONFIG [-p PLANS] | -p PLANS) [-s DIR] -d DIR STORE\n"
    "Add to a Coda dataset the messages of FILE (a Coda V2 messages file) whose MessageID it does not hold\n"
    "yet, with SequenceNumbers continuing the dataset's, in batches of 250, starting a new segment every\n"
    "2,500 messages, and update the segments' metrics. Messages already there, labelled or not, are never\n"
    "written. 'schemes' adds the code schemes of FILE (one, or an array) that the dataset lacks; 'users'\n"
    "the e-mail addresses of FILE (an array). With -d, every dataset of the coding plans whose Coda file is\n"
    "in DIR gets its plans' code schemes, then the file's messages (stage 4).\n"
    "STORE is dir:PATH (a local store) or a Google service-account key file (Firestore).\n"
    "\n"
    "      --dry-run        write nothing; print what would be added\n"
    "  -c, --config FILE    the pipeline configuration (for its CodingPlans and CodeSchemesDir)\n"
    "  -p, --plans FILE     coding plans (default: the config's CodingPlans)\n"
    "  -s, --schemes DIR    code schemes directory (default: the config's CodeSchemesDir)\n"
    "  -d, --outdir DIR     with plans: the directory of Coda files to add (Outputs/Coda Files)\n"
    "  -q, --quiet          print nothing but errors\n"
    "  -v, --verbose        print what was added on standard error\n"
    "  -h, --help           this help\n"
    "      --version        print the version\n"
    "\n"
    "Exit status: 0 ok, 64 usage, 65 a malformed file (nothing written), 66 a file missing, 69 store\n"
    "unavailable, 74 I/O error, 77 bad credentials or permission, 78 bad configuration.\n";

enum { OPT_VERSION = 2000, OPT_DRY_RUN };

static const struct option longopts[] = {
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
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

static int quiet, verbose, dry_run, tty;
static long kill_after = -1;	/* test hook: TDTOOLS_TEST_KILL_AFTER_BATCHES, a crash after that many commits */
static long batches;

static void
on_progress(void *ctx, const char *dataset, size_t done, size_t total)
{
	(void)ctx;
	if (done > 0 && kill_after >= 0 && ++batches >= kill_after)
		raise(SIGKILL);
	if (tty)
		fprintf(stderr, "\r\033[Kcoda-add: %s: %zu/%zu", dataset, done, total);
}

static const char *
noun(const char *what, size_t n)
{
	if (strcmp(what, "messages") == 0)
		return n == 1 ? "message" : "messages";
	if (strcmp(what, "schemes") == 0)
		return n == 1 ? "code scheme" : "code schemes";
	return n == 1 ? "user" : "users";
}

static void
report(const char *dataset, const char *what, const struct codastore_add_stats *st)
{
	if (tty)
		fputs("\r\033[K", stderr);
	if (dry_run) {
		printf("%s: would add %zu %s, skip %zu already there\n", dataset, st->added, noun(what, st->added),
		    st->skipped);
		return;
	}
	if (!verbose || quiet)
		return;
	if (strcmp(what, "messages") == 0 && st->added == 1)
		cli_warn("%s: added 1 message (SequenceNumber %lld), skipped %zu already there; %zu segment%s (%zu new)",
		    dataset, (long long)st->first_seq, st->skipped, st->segments, st->segments == 1 ? "" : "s",
		    st->segments_created);
	else if (strcmp(what, "messages") == 0 && st->added > 0)
		cli_warn("%s: added %zu messages (SequenceNumber %lld to %lld), skipped %zu already there; "
		    "%zu segment%s (%zu new)", dataset, st->added, (long long)st->first_seq, (long long)st->last_seq,
		    st->skipped, st->segments, st->segments == 1 ? "" : "s", st->segments_created);
	else
		cli_warn("%s: added %zu %s, skipped %zu already there", dataset, st->added, noun(what, st->added),
		    st->skipped);
}

static void
add_one(struct codastore *s, const char *dataset, const char *kind, const char *const *files, size_t nfiles)
{
	const char *file = files[0];
	struct codastore_add_stats st;
	struct err e;
	int rc;

	if (strcmp(kind, "messages") == 0) {
		struct coda_file f;
		/* The whole file is read and checked first: a malformed one changes nothing. */
		if (coda_load(&f, file, 0, &e) == -1)
			cli_fail(&e);
		rc = codastore_add_messages(s, dataset, &f, dry_run, &st, &e);
		coda_free(&f);
	} else if (strcmp(kind, "schemes") == 0) {
		rc = codastore_add_schemes(s, dataset, files, nfiles, dry_run, &st, &e);
	} else {
		rc = codastore_add_users(s, dataset, file, dry_run, &st, &e);
	}
	if (rc == -1) {
		if (tty)
			fputc('\n', stderr);
		cli_fail(&e);
	}
	report(dataset, kind, &st);
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

/* Stage 4: each plan's Coda file in dir, if there: its code schemes (and the WS scheme), then its messages. */
static void
add_plans(struct codastore *s, const struct coding_plans *plans, const char *dir)
{
	size_t n_all, i, j, k;
	const struct coding_plan *all = plans_all(plans, &n_all);
	struct buf path = { 0 };
	const char **schemes = NULL;
	size_t nschemes;

	for (i = 0; i < n_all; i++) {
		const struct coding_plan *p = &all[i];
		struct stat st;
		char *dataset;
		if (p->coda_filename == NULL)
			continue;
		for (j = 0; j < i && (all[j].coda_filename == NULL || strcmp(all[j].coda_filename,
		    p->coda_filename) != 0); j++)
			;
		if (j < i)
			continue;	/* done with the first plan of that file */
		path.len = 0;
		buf_adds(&path, dir);
		buf_addc(&path, '/');
		buf_adds(&path, p->coda_filename);
		buf_addc(&path, '\0');
		if (stat(path.p, &st) == -1)
			continue;	/* as 4_coda_add.sh: only the datasets this pipeline wrote */
		dataset = dataset_of(p->coda_filename);
		nschemes = 0;
		for (j = i; j < n_all; j++) {
			if (all[j].coda_filename == NULL || strcmp(all[j].coda_filename, p->coda_filename) != 0)
				continue;
			schemes = xrealloc(schemes, (nschemes + all[j].n_ccs + 1) * sizeof *schemes);
			for (k = 0; k < all[j].n_ccs; k++)
				schemes[nschemes++] = all[j].ccs[k].code_scheme->path;
			if (all[j].ws_code != NULL && plans_ws_scheme(plans) != NULL)
				schemes[nschemes++] = plans_ws_scheme(plans)->path;
		}
		if (nschemes > 0)
			add_one(s, dataset, "schemes", schemes, nschemes);
		{
			const char *file = path.p;
			add_one(s, dataset, "messages", &file, 1);
		}
		free(dataset);
	}
	free(schemes);
	buf_free(&path);
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
	const char *config = NULL, *plans = NULL, *schemes = NULL, *dir = NULL, *kind = "messages", *file;
	const char *hook = getenv("TDTOOLS_TEST_KILL_AFTER_BATCHES");
	struct codastore *s;
	struct err e;
	int c;

	cli_init("coda-add");
	while ((c = getopt_long(argc, argv, "c:p:s:d:qvh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_DRY_RUN:
			dry_run = 1;
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
			dir = optarg;
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
	if (hook != NULL && *hook != '\0')
		kill_after = strtol(hook, NULL, 10);
	if (dir != NULL || config != NULL || plans != NULL) {
		struct cli_pipeline pl;
		if (argc != 1 || dir == NULL)
			cli_usage(usage);
		if (config == NULL && plans == NULL)
			cli_die(EX_USAGE, "no coding plans: give -c CONFIG or -p PLANS");
		cli_pipeline_load(&pl, config, plans, schemes, 0);
		if (codastore_open(&s, argv[0], &e) == -1)
			cli_fail(&e);
		warn_exposed_key(argv[0]);
		s->on_progress = on_progress;
		add_plans(s, &pl.plans, dir);
		codastore_close(s);
		cli_pipeline_free(&pl);
		cli_exit(0);
	}
	if (argc < 3 || argc > 4)
		cli_usage(usage);
	if (argc == 4)
		kind = argv[2];
	file = argv[argc - 1];
	if (strcmp(kind, "messages") != 0 && strcmp(kind, "users") != 0 && strcmp(kind, "schemes") != 0)
		cli_die(EX_USAGE, "'%s': unknown content type (expected messages, users or schemes)", kind);
	if (*argv[1] == '\0')
		cli_die(EX_USAGE, "empty dataset id");
	if (codastore_open(&s, argv[0], &e) == -1)
		cli_fail(&e);
	warn_exposed_key(argv[0]);
	s->on_progress = on_progress;
	add_one(s, argv[1], kind, &file, 1);
	codastore_close(s);
	cli_exit(0);
}
