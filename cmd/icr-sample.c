/* icr-sample: up to 200 messages per RQA dataset for inter-coder reliability, drawn exactly as the reference's
 * random.Random(0).sample (pipeline.md §5.4.4, §11.2). A sink: it writes CSV files into --outdir. */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "config/config.h"
#include "config/plan.h"
#include "pipeline.h"
#include "records.h"
#include "util/atomic.h"
#include "util/csv.h"
#include "util/pyrand.h"

static const char usage[] =
    "icr-sample [-qv] (-c CONFIG [-p PLANS] | -p PLANS) [-s DIR] -d DIR [--tee] [--max-record SIZE] "
    "[--skip-bad] [file ...]";

static const char help[] =
    "usage: icr-sample [-qv] (-c CONFIG [-p PLANS] | -p PLANS) [-s DIR] -d DIR [--tee] [--max-record SIZE]\n"
    "                  [--skip-bad] [file ...]\n"
    "Write one ICR sample per RQA coding plan with an ICR file name, into DIR: min(200, n) of the n records\n"
    "holding the plan's raw field, in input order, drawn as Python's random.Random(0).sample, a fresh\n"
    "generator per plan; a CSV of the run id and the raw text. Each file appears whole, and none is replaced\n"
    "unless all of them could be written.\n"
    "\n"
    "  -c, --config FILE    the pipeline configuration (for its CodingPlans and CodeSchemesDir)\n"
    "  -p, --plans FILE     coding plans (default: the config's CodingPlans)\n"
    "  -s, --schemes DIR    code schemes directory (default: the config's CodeSchemesDir)\n"
    "  -d, --outdir DIR     where the ICR files go (created if missing)\n"
    "      --tee            also copy the records, unchanged, to standard output\n"
    "      --max-record N   refuse records longer than N bytes (default 256M)\n"
    "      --skip-bad       skip bad records (counted on stderr) instead of stopping\n"
    "  -q, --quiet          print nothing but errors\n"
    "  -v, --verbose        print the sizes per file, and warn of populations under 200\n"
    "  -h, --help           this help\n"
    "      --version        print the version\n"
    "\n"
    "Exit status: 0 ok, 64 usage, 65 bad record, 66 input missing, 73 cannot create an output file,\n"
    "74 I/O error, 78 bad configuration.\n";

enum { OPT_VERSION = 2000, OPT_TEE };

static const struct option longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "plans", required_argument, NULL, 'p' },
	{ "schemes", required_argument, NULL, 's' },
	{ "outdir", required_argument, NULL, 'd' },
	{ "tee", no_argument, NULL, OPT_TEE },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	CLI_RECORD_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

/* The reference's sample size (auto_code.py:107-123). */
#define ICR_MESSAGES 200

#define KEY(s) (s), strlen(s)

/* A member of the population: its two CSV cells, run id then raw text, one after the other in cells. */
struct member {
	size_t off;
	size_t run_len, raw_len;
};

struct icr_plan {
	const struct coding_plan *plan;
	struct buf cells;
	struct member *members;
	size_t n, cap;
	struct atomic_file af;
};

/* Python str() of td.get(key), as csv.DictWriter writes a cell: absent and null are empty. */
static void
add_cell(struct buf *b, struct td *t, const char *key)
{
	const struct td_val *v;

	if (key == NULL || (v = td_get(t, KEY(key))) == NULL)
		return;
	json_python_str(b, v->doc, v->idx);
}

static void
add_member(struct icr_plan *ip, struct td *t)
{
	struct member *m;
	size_t start;

	if (td_get(t, KEY(ip->plan->raw_field)) == NULL)
		return;
	if (ip->n == ip->cap) {
		ip->cap = ip->cap ? ip->cap * 2 : 256;
		ip->members = xrealloc(ip->members, ip->cap * sizeof *ip->members);
	}
	m = &ip->members[ip->n++];
	m->off = start = ip->cells.len;
	add_cell(&ip->cells, t, ip->plan->run_id_field);
	m->run_len = ip->cells.len - start;
	add_cell(&ip->cells, t, ip->plan->raw_field);
	m->raw_len = ip->cells.len - start - m->run_len;
}

/* The header [run_id_field, raw_field] (a plan without a run id field has an empty first column), then the
 * sampled members in the order drawn. */
static int
write_sample(struct icr_plan *ip, FILE *fp, int verbose, struct err *e)
{
	struct pyrand r;
	struct csvw w;
	size_t k = ip->n < ICR_MESSAGES ? ip->n : ICR_MESSAGES;
	size_t *idx = xcalloc(k + 1, sizeof *idx);

	if (verbose && ip->n < ICR_MESSAGES)
		cli_warn("warning: %s: %zu record%s with \"%s\", fewer than %d: all are sampled", ip->af.path,
		    ip->n, ip->n == 1 ? "" : "s", ip->plan->raw_field, ICR_MESSAGES);
	/* A fresh random.Random(0) for every plan, as the reference. */
	pyrand_seed(&r, 0);
	if (pyrand_sample(&r, ip->n, k, idx, e) == -1) {
		free(idx);
		return -1;
	}
	csvw_init(&w, fp);
	csvw_fieldz(&w, ip->plan->run_id_field);
	csvw_fieldz(&w, ip->plan->raw_field);
	csvw_end_row(&w);
	const char *cells = ip->cells.p != NULL ? ip->cells.p : "";	/* NULL when every cell is empty */
	for (size_t i = 0; i < k; i++) {
		const struct member *m = &ip->members[idx[i]];
		csvw_field(&w, cells + m->off, m->run_len);
		csvw_field(&w, cells + m->off + m->run_len, m->raw_len);
		csvw_end_row(&w);
	}
	free(idx);
	if (verbose)
		cli_warn("%s: %zu of %zu records sampled", ip->af.path, k, ip->n);
	if (csvw_error(&w))
		return err_set(e, EX_IOERR, "%s: write error: %s", ip->af.path, strerror(errno));
	return 0;
}

static void
abort_all(struct icr_plan *ips, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ips[i].af.path != NULL)
			atomic_abort(&ips[i].af);
}

/*
 * Write every file beside its final name, sync them all, and only then rename them into place: a run that
 * fails (a full disk, a directory in the way) replaces none of the previous files.
 */
static void
write_all(struct icr_plan *ips, size_t n, const char *outdir, int verbose)
{
	struct err e;
	struct stat st;
	size_t i;

	if (atomic_mkdirs(outdir, &e) == -1)
		cli_fail(&e);
	for (i = 0; i < n; i++) {
		char *path = cj_path_join(outdir, ips[i].plan->icr_filename);
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			abort_all(ips, i);
			cli_die(EX_CANTCREAT, "%s: cannot replace: is a directory", path);
		}
		if (atomic_open(&ips[i].af, path, &e) == -1) {
			free(path);
			abort_all(ips, i);
			e.code = EX_CANTCREAT;
			cli_fail(&e);
		}
		free(path);
	}
	for (i = 0; i < n; i++) {
		FILE *fp = ips[i].af.fp;
		if (write_sample(&ips[i], fp, verbose, &e) == -1) {
			abort_all(ips, n);
			cli_fail(&e);
		}
		if (fflush(fp) == EOF || ferror(fp) || fsync(fileno(fp)) == -1) {
			err_set(&e, EX_IOERR, "%s: write error: %s", ips[i].af.path, strerror(errno));
			abort_all(ips, n);
			cli_fail(&e);
		}
	}
	for (i = 0; i < n; i++)
		if (atomic_commit(&ips[i].af, &e) == -1) {
			abort_all(ips + i + 1, n - i - 1);
			cli_fail(&e);
		}
}

int
main(int argc, char **argv)
{
	const char *config_path = NULL, *plans_path = NULL, *schemes = NULL, *outdir = NULL;
	struct cli_pipeline pl;
	struct icr_plan *ips;
	size_t max_record = 0, n_rqa, n_ips = 0;
	const struct coding_plan *rqa;
	int quiet = 0, verbose = 0, skip_bad = 0, tee = 0, c;
	struct cli_in in;

	cli_init("icr-sample");
	while ((c = getopt_long(argc, argv, "c:p:s:d:qvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config_path = optarg;
			break;
		case 'p':
			plans_path = optarg;
			break;
		case 's':
			schemes = optarg;
			break;
		case 'd':
			outdir = optarg;
			break;
		case OPT_TEE:
			tee = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case CLI_OPT_MAX_RECORD:
			max_record = cli_max_record_arg(optarg);
			break;
		case CLI_OPT_SKIP_BAD:
			skip_bad = 1;
			break;
		case 'h':
			cli_help(help);
		case OPT_VERSION:
			cli_version();
		default:
			cli_usage(usage);
		}
	}
	if (outdir == NULL || *outdir == '\0')
		cli_die(EX_USAGE, "no output directory: give -d DIR");
	if (config_path == NULL && plans_path == NULL)
		cli_die(EX_USAGE, "no coding plans: give -c CONFIG or -p PLANS");
	cli_pipeline_load(&pl, config_path, plans_path, schemes, 0);

	/* One sample per RQA plan (episode, or Facebook dataset) that names an ICR file. */
	rqa = plans_rqa(&pl.plans, &n_rqa);
	ips = xcalloc(n_rqa + 1, sizeof *ips);
	for (size_t i = 0; i < n_rqa; i++) {
		if (rqa[i].icr_filename == NULL)
			continue;
		ips[n_ips].plan = &rqa[i];
		ips[n_ips].af.slot = -1;
		n_ips++;
	}

	cli_in_init(&in, argc - optind, argv + optind, max_record, skip_bad);
	while (cli_in_next(&in)) {
		for (size_t i = 0; i < n_ips; i++)
			add_member(&ips[i], &in.td);
		if (tee) {
			fwrite(in.td.line, 1, in.td.len, stdout);
			putchar('\n');
		}
	}
	write_all(ips, n_ips, outdir, verbose && !quiet);
	if (verbose && !quiet)
		cli_warn("%lu records, %zu ICR file%s", in.records, n_ips, n_ips == 1 ? "" : "s");
	cli_in_done(&in);
	for (size_t i = 0; i < n_ips; i++) {
		buf_free(&ips[i].cells);
		free(ips[i].members);
	}
	free(ips);
	cli_pipeline_free(&pl);
	cli_exit(0);
}
