/* td-import: recovery CSVs (Sender, Message, ReceivedOn) -> raw TracedData per flow (pipeline.md §2.4). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "coding/operator.h"
#include "config/config.h"
#include "record/json.h"
#include "record/sha.h"
#include "record/tdnew.h"
#include "store/urlread.h"
#include "store/uuidtable.h"
#include "util/atomic.h"
#include "util/buf.h"
#include "util/csv.h"
#include "util/isotime.h"

static const char usage[] = "td-import [-qv] -c CONFIG -r RAW-DATA-DIR [-u USER] [--credentials FILE]";

static const char help[] =
    "usage: td-import [-qv] -c CONFIG -r RAW-DATA-DIR [-u USER] [--credentials FILE]\n"
    "Convert the recovery CSVs of the configuration's RecoveryCSV sources (columns Sender, Message, ReceivedOn)\n"
    "into RAW-DATA-DIR/<name>.jsonl, one TracedData record per row, as the reference's fetch_from_recovery_csv.\n"
    "A file that already exists is left alone. Senders that are phone numbers rather than uids are de-identified\n"
    "with the UUID table (UuidTable.FileURL); activation files get the Somalia operator label.\n"
    "\n"
    "  -c, --config FILE      pipeline configuration\n"
    "  -r, --raw-dir DIR      the data root's Raw Data directory (created if missing)\n"
    "  -u, --user USER        Metadata.User of the records (default $TD_USER, $USER@host)\n"
    "      --credentials FILE Google service-account file for gs:// URLs\n"
    "  -q, --quiet            print nothing but errors\n"
    "  -v, --verbose          print what is converted or skipped\n"
    "  -h, --help             this help\n"
    "      --version          print the version\n"
    "\n"
    "Exit status: 0 ok, 64 usage, 65 bad CSV, 66 input missing, 69 service unavailable, 73 cannot create\n"
    "output, 74 I/O error, 77 permission or credentials, 78 bad configuration.\n";

enum { OPT_CREDENTIALS = 2000, OPT_VERSION };

static const struct option longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "raw-dir", required_argument, NULL, 'r' },
	{ "user", required_argument, NULL, 'u' },
	{ "credentials", required_argument, NULL, OPT_CREDENTIALS },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

#define OPERATOR_ORIGIN "tdtools:td-import:label_somalia_operator"

static int quiet, verbose;

/* 1-2 digits (Python strptime's %d, %m, %H, %M, %S) or exactly 4 (%Y). */
static int
num(const char **p, const char *end, int min_d, int max_d, int *out)
{
	int v = 0, n = 0;

	while (*p < end && n < max_d && **p >= '0' && **p <= '9') {
		v = v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	if (n < min_d)
		return -1;
	*out = v;
	return 0;
}

static int
lit(const char **p, const char *end, char c)
{
	if (*p < end && **p == c) {
		(*p)++;
		return 0;
	}
	return -1;
}

static int
days_in_month(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

/*
 * ReceivedOn: "%d/%m/%Y %H:%M" when it is 16 characters long, else "%d/%m/%Y %H:%M:%S", in Africa/Mogadishu
 * (UTC+03:00, no DST). Writes isoformat() ("2020-11-05T12:00:00+03:00") into out.
 */
static int
parse_received_on(const char *s, size_t len, char *out, size_t outsz)
{
	const char *p = s, *end = s + len;
	int d, m, y, H, M, S = 0;
	struct isotime t;
	char iso[64];
	struct err e;

	if (num(&p, end, 1, 2, &d) || lit(&p, end, '/') || num(&p, end, 1, 2, &m) || lit(&p, end, '/')
	    || num(&p, end, 4, 4, &y) || lit(&p, end, ' ') || num(&p, end, 1, 2, &H) || lit(&p, end, ':')
	    || num(&p, end, 1, 2, &M))
		return -1;
	if (len != 16 && (lit(&p, end, ':') || num(&p, end, 1, 2, &S)))
		return -1;
	if (p != end || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m) || H > 23 || M > 59 || S > 61)
		return -1;
	if (S > 59)
		return -1;	/* Python accepts 60/61 in strptime but datetime() then refuses them */
	snprintf(iso, sizeof iso, "%04d-%02d-%02dT%02d:%02d:%02d+03:00", y, m, d, H, M, S);
	if (iso_parse(iso, strlen(iso), &t, &e) == -1)
		return -1;
	iso_format(&t, out, outsz);
	return 0;
}

struct importer {
	const struct pipeline_config *cfg;
	const char *raw_dir;
	const char *credentials;
	struct uuid_table *tab;
	struct td_meta meta;
};

static int
import_one(struct importer *im, const char *url, int activation, struct err *e)
{
	const char *base = strrchr(url, '/') ? strrchr(url, '/') + 1 : url;
	size_t nlen = strcspn(base, ".");
	char *name = NULL, *out = NULL;
	struct buf text = { 0 }, line = { 0 }, data = { 0 }, data2 = { 0 }, label = { 0 }, row = { 0 };
	struct tdobj obj = { 0 }, rowobj = { 0 };
	struct csvr r;
	struct atomic_file af;
	FILE *in = NULL;
	char **hdr = NULL;
	size_t nh = 0;
	struct stat st;
	int rc = -1, af_open = 0, got_header = 0, csv_open = 0;
	unsigned long records = 0;

	name = xmalloc(nlen + 1);
	memcpy(name, base, nlen);
	name[nlen] = '\0';
	if (nlen == 0) {
		err_set(e, EX_CONFIG, "%s: RecoveryCSV URL %s names no file", im->cfg->path, url);
		goto out;
	}
	out = xmalloc(strlen(im->raw_dir) + nlen + 8);
	sprintf(out, "%s/%s.jsonl", im->raw_dir, name);
	if (stat(out, &st) == 0) {
		if (verbose)
			fprintf(stderr, "%s: %s already exists: %s not imported again\n", cli_tool, out, url);
		rc = 0;
		goto out;
	}
	if (url_read(url, im->cfg->dir, im->credentials, &text, e) == -1)
		goto out;
	if ((in = fmemopen(text.p, text.len ? text.len : 1, "r")) == NULL) {
		err_set(e, EX_IOERR, "%s: %s", url, strerror(errno));
		goto out;
	}
	if (text.len == 0)
		fgetc(in);	/* an empty file: fmemopen needs a size of at least 1 */
	csvr_init(&r, in);
	csv_open = 1;
	if (atomic_open(&af, out, e) == -1)
		goto out;
	af_open = 1;
	for (;;) {
		int k = csvr_read(&r, e);
		size_t is = SIZE_MAX, im_ = SIZE_MAX, ir = SIZE_MAX;
		if (k == -1) {
			err_prefix(e, "%s", url);
			goto out;
		}
		if (k == 0)
			break;
		if (r.nfields == 0)
			continue;	/* DictReader skips blank lines */
		if (!got_header) {
			got_header = 1;
			nh = r.nfields;
			hdr = xcalloc(nh, sizeof *hdr);
			for (size_t i = 0; i < nh; i++)
				hdr[i] = xstrdup(csvr_field(&r, i, NULL));
			continue;
		}
		for (size_t i = 0; i < nh; i++) {
			if (strcmp(hdr[i], "Sender") == 0)
				is = i;
			else if (strcmp(hdr[i], "Message") == 0)
				im_ = i;
			else if (strcmp(hdr[i], "ReceivedOn") == 0)
				ir = i;
		}
		if (is == SIZE_MAX || im_ == SIZE_MAX || ir == SIZE_MAX) {
			err_set(e, EX_DATAERR, "%s: line 1: the header lacks %s (expected Sender, Message, ReceivedOn)",
			    url, is == SIZE_MAX ? "Sender" : im_ == SIZE_MAX ? "Message" : "ReceivedOn");
			goto out;
		}
		if (r.nfields > nh) {
			err_set(e, EX_DATAERR, "%s: line %lu: %zu fields (expected at most %zu, as the header)", url,
			    r.row_line, r.nfields, nh);
			goto out;
		}
		if (is >= r.nfields || ir >= r.nfields) {
			err_set(e, EX_DATAERR, "%s: line %lu: no %s (expected Sender, Message, ReceivedOn)", url,
			    r.row_line, is >= r.nfields ? "Sender" : "ReceivedOn");
			goto out;
		}
		size_t sl, ml = 0, rl;
		const char *sender = csvr_field(&r, is, &sl);
		const char *msg = im_ < r.nfields ? csvr_field(&r, im_, &ml) : NULL;
		const char *recv = csvr_field(&r, ir, &rl);
		char iso[64];
		const char *uid;
		size_t plen = strlen(im->cfg->uuid_table.uuid_prefix);

		if (parse_received_on(recv, rl, iso, sizeof iso) == -1) {
			err_set(e, EX_DATAERR, "%s: line %lu: ReceivedOn '%.*s' is not a date (expected DD/MM/YYYY "
			    "HH:MM[:SS])", url, r.row_line, (int)(rl > 60 ? 60 : rl), recv);
			goto out;
		}
		if (sl >= plen && memcmp(sender, im->cfg->uuid_table.uuid_prefix, plen) == 0) {
			uid = sender;
		} else {
			char *norm = xmalloc(sl + 1);
			size_t nl = uuid_normalise_phone(sender, sl, norm);
			const char *const dd[] = { norm };
			const char *got;
			if (nl == 0) {
				free(norm);
				err_set(e, EX_DATAERR, "%s: line %lu: Sender is neither a uid (%s…) nor a phone number",
				    url, r.row_line, im->cfg->uuid_table.uuid_prefix);
				goto out;
			}
			if (uuidtable_data_to_uuid_batch(im->tab, 1, dd, &nl, &got, e) == -1) {
				free(norm);
				goto out;
			}
			free(norm);
			uid = got;
		}
		/* run_id: SHA-256 of the row as json.dumps(row, sort_keys=True), Sender de-identified. */
		tdobj_reset(&rowobj);
		for (size_t i = 0; i < nh; i++) {
			size_t fl;
			if (i >= r.nfields) {
				tdobj_null(&rowobj, hdr[i], strlen(hdr[i]));
			} else if (i == is) {
				tdobj_str(&rowobj, hdr[i], strlen(hdr[i]), uid, strlen(uid));
			} else {
				const char *fv = csvr_field(&r, i, &fl);
				tdobj_str(&rowobj, hdr[i], strlen(hdr[i]), fv, fl);
			}
		}
		row.len = 0;
		tdobj_encode(&rowobj, &row);
		char run_id[65];
		sha256_hex(row.p, row.len, run_id);

		tdobj_reset(&obj);
		tdobj_str(&obj, "avf_phone_id", 12, uid, strlen(uid));
		if (msg)
			tdobj_str(&obj, "message", 7, msg, ml);
		else
			tdobj_null(&obj, "message", 7);
		tdobj_str(&obj, "received_on", 11, iso, strlen(iso));
		tdobj_str(&obj, "run_id", 6, run_id, 64);
		data.len = 0;
		tdobj_encode(&obj, &data);
		line.len = 0;
		char sha1[65], sha2[65];
		if (!activation) {
			buf_addc(&line, '[');
			td_entry_encode(&line, data.p, data.len, "", &im->meta, sha1);
		} else {
			size_t pl = 0;
			const char *phone = uuidtable_uuid_to_data(im->tab, uid, strlen(uid), &pl);
			char opraw[16];
			const char *op, *code;
			struct buf first = { 0 };
			if (phone == NULL && !quiet)
				cli_warn("%s: line %lu: the sender's uid is not in the UUID table: operator NC", url,
				    r.row_line);
			operator_raw("tel", 3, phone ? phone : "", phone ? pl : 0, opraw, sizeof opraw);
			op = operator_clean(opraw, strlen(opraw));
			if ((code = operator_code_id(op)) == NULL) {
				if (!quiet)
					cli_warn("%s: line %lu: operator '%s' is not in the Somalia operator scheme: "
					    "labelled NC", url, r.row_line, op);
				code = operator_code_id("NC");
			}
			td_entry_encode(&first, data.p, data.len, "", &im->meta, sha1);
			label.len = 0;
			operator_label(&label, code, OPERATOR_ORIGIN, im->meta.timestamp);
			data2.len = 0;
			buf_adds(&data2, "{\"operator_coded\": ");
			buf_add(&data2, label.p, label.len);
			buf_adds(&data2, ", \"operator_raw\": ");
			json_encode_str(&data2, opraw, strlen(opraw));
			buf_addc(&data2, '}');
			buf_addc(&line, '[');
			td_entry_encode(&line, data2.p, data2.len, sha1, &im->meta, sha2);
			buf_add(&line, ", ", 2);
			buf_add(&line, first.p, first.len);
			buf_free(&first);
		}
		buf_add(&line, "]\n", 2);
		if (fwrite(line.p, 1, line.len, af.fp) != line.len) {
			err_set(e, EX_IOERR, "%s: %s", out, strerror(errno));
			goto out;
		}
		records++;
	}
	if (atomic_commit(&af, e) == -1)
		goto out;
	af_open = 0;
	if (verbose)
		fprintf(stderr, "%s: %s: %lu records -> %s\n", cli_tool, url, records, out);
	rc = 0;
out:
	if (af_open)
		atomic_abort(&af);
	if (csv_open)
		csvr_free(&r);
	if (in)
		fclose(in);
	for (size_t i = 0; i < nh; i++)
		free(hdr[i]);
	free(hdr);
	tdobj_free(&obj);
	tdobj_free(&rowobj);
	buf_free(&text);
	buf_free(&line);
	buf_free(&data);
	buf_free(&data2);
	buf_free(&label);
	buf_free(&row);
	free(name);
	free(out);
	return rc;
}

int
main(int argc, char **argv)
{
	const char *config = NULL, *raw_dir = NULL, *user = NULL;
	struct pipeline_config cfg = { 0 };
	struct importer im = { 0 };
	struct err e;
	int ch, any = 0;

	cli_init("td-import");
	while ((ch = getopt_long(argc, argv, "c:r:u:qvh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': config = optarg; break;
		case 'r': raw_dir = optarg; break;
		case 'u': user = optarg; break;
		case OPT_CREDENTIALS: im.credentials = optarg; break;
		case 'q': quiet = 1; verbose = 0; break;
		case 'v': verbose = 1; quiet = 0; break;
		case 'h': cli_help(help);
		case OPT_VERSION: cli_version();
		default: cli_usage(usage);
		}
	}
	if (optind != argc || config == NULL || raw_dir == NULL)
		cli_usage(usage);
	if (config_load(&cfg, config, &e) == -1)
		cli_fail(&e);
	for (size_t i = 0; i < cfg.n_sources; i++)
		any |= cfg.sources[i].type == SOURCE_RECOVERY_CSV;
	if (!any) {
		config_free(&cfg);
		cli_exit(0);
	}
	if (atomic_mkdirs(raw_dir, &e) == -1) {
		config_free(&cfg);
		cli_fail(&e);
	}
	im.cfg = &cfg;
	im.raw_dir = raw_dir;
	im.meta.user = cli_user(user);
	im.meta.source = cli_source();
	im.meta.timestamp = cli_now();
	if (uuidtable_open_config(&im.tab, &cfg, im.credentials, &e) == -1) {
		config_free(&cfg);
		cli_fail(&e);
	}
	for (size_t i = 0; i < cfg.n_sources; i++) {
		const struct raw_source *s = &cfg.sources[i];
		if (s->type != SOURCE_RECOVERY_CSV)
			continue;
		for (size_t j = 0; j < s->activation_flow_urls.n + s->survey_flow_urls.n; j++) {
			int act = j < s->activation_flow_urls.n;
			const char *url = act ? s->activation_flow_urls.v[j] : s->survey_flow_urls.v[j - s->activation_flow_urls.n];
			if (import_one(&im, url, act, &e) == -1) {
				uuidtable_close(im.tab);
				config_free(&cfg);
				cli_fail(&e);
			}
		}
	}
	uuidtable_close(im.tab);
	config_free(&cfg);
	cli_exit(0);
}
