/* pipeline-log: log a pipeline event (pipeline.md §7.3, apis.md §5) to a local JSONL file or Firestore. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "cli.h"
#include "config/config.h"
#include "net/firestore.h"
#include "net/gauth.h"
#include "net/http.h"
#include "net/keyurl.h"
#include "record/json.h"
#include "util/atomic.h"
#include "util/buf.h"

static const char usage[] =
    "pipeline-log [-qv] [--dry-run] -c CONFIG [-o FILE] [--credentials FILE] RUN-ID EVENT";

static const char help[] =
    "usage: pipeline-log [-qv] [--dry-run] -c CONFIG [-o FILE] [--credentials FILE] RUN-ID EVENT\n"
    "Log a pipeline event as the reference's log_pipeline_event: {\"event\", \"pipeline_name\", \"run_id\",\n"
    "\"timestamp\"}, appended as one JSON line to a local file (-o FILE, else the config's\n"
    "OperationsDashboard.FileURL) and, with --credentials, set as the Firestore document\n"
    "metrics/pipelines/pipeline_logs/<timestamp> of the operations dashboard.\n"
    "\n"
    "EVENT: PipelineRunStart, PipelineRunEnd, PipelineRunFailed, CodaGet, FetchingRawData,\n"
    "GeneratingOutputs, CodaAdd, GeneratingAutomatedAnalysisFiles, BackingUpData, UploadingAnalysisFiles,\n"
    "UploadingLogFiles.\n"
    "\n"
    "  -c, --config FILE       pipeline configuration (PipelineName, OperationsDashboard)\n"
    "  -o, --output FILE       the local JSONL log (created if missing; appended to)\n"
    "      --credentials FILE  Google service-account key that reads OperationsDashboard.\n"
    "                          FirebaseCredentialsFileURL: log to Firestore too (- for none)\n"
    "      --dry-run           print the event on standard output, write nothing\n"
    "  -q, --quiet             print nothing but errors\n"
    "  -v, --verbose           say where the event went\n"
    "  -h, --help              this help\n"
    "      --version           print the version\n"
    "\n"
    "Exit status: 0 ok, 64 usage (an unknown event), 66 config missing, 69 Firestore unavailable,\n"
    "73 cannot create the log, 74 I/O error, 77 authentication, 78 bad configuration or no destination.\n";

enum { OPT_CREDENTIALS = 2000, OPT_DRY_RUN, OPT_VERSION };

static const struct option longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "output", required_argument, NULL, 'o' },
	{ "credentials", required_argument, NULL, OPT_CREDENTIALS },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

/* The reference's PipelineEvents (configuration_objects.py:55-65) and PipelineRunFailed, which it lacks. */
static const char *const events[] = {
	"PipelineRunStart", "PipelineRunEnd", "PipelineRunFailed", "CodaGet", "FetchingRawData",
	"GeneratingOutputs", "CodaAdd", "GeneratingAutomatedAnalysisFiles", "BackingUpData",
	"UploadingAnalysisFiles", "UploadingLogFiles",
};

struct event {
	const char *pipeline_name, *run_id, *timestamp, *event;
};

/* One JSON line, keys sorted, Python json.dumps separators (what td-cat and jq read). */
static void
encode_event(struct buf *out, const struct event *ev)
{
	buf_adds(out, "{\"event\": ");
	json_encode_str(out, ev->event, strlen(ev->event));
	buf_adds(out, ", \"pipeline_name\": ");
	json_encode_str(out, ev->pipeline_name, strlen(ev->pipeline_name));
	buf_adds(out, ", \"run_id\": ");
	json_encode_str(out, ev->run_id, strlen(ev->run_id));
	buf_adds(out, ", \"timestamp\": ");
	json_encode_str(out, ev->timestamp, strlen(ev->timestamp));
	buf_adds(out, "}\n");
}

/*
 * Append the line with one write() under an exclusive lock, then fsync: concurrent loggers never interleave,
 * and a line is either whole in the file or absent.
 */
static void
append_local(const char *path, const struct buf *line)
{
	struct err e;
	char *dir = cj_dirname(path);
	int fd;
	ssize_t n;

	if (*dir != '\0' && atomic_mkdirs(dir, &e) == -1) {
		free(dir);
		cli_fail(&e);
	}
	free(dir);
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644)) == -1)
		cli_die(errno == EACCES ? EX_NOPERM : EX_CANTCREAT, "%s: cannot open the log: %s", path, strerror(errno));
	if (flock(fd, LOCK_EX) == -1)
		cli_die(EX_IOERR, "%s: cannot lock the log: %s", path, strerror(errno));
	n = write(fd, line->p, line->len);
	if (n != (ssize_t)line->len) {
		int saved = n == -1 ? errno : ENOSPC;
		/* a short write leaves part of a line: cut it off again */
		if (n > 0) {
			off_t end = lseek(fd, 0, SEEK_END);
			if (end != -1 && ftruncate(fd, end - n) == -1)
				(void)0;
		}
		cli_die(EX_IOERR, "%s: write error: %s", path, strerror(saved));
	}
	if (fsync(fd) == -1 || close(fd) == -1)
		cli_die(EX_IOERR, "%s: write error: %s", path, strerror(errno));
}

static int verbose;

static void
on_retry(void *ctx, const char *why, int attempt, double wait)
{
	const struct http_client *c = ctx;

	if (verbose)
		cli_warn("%s; try %d of %d failed, next in %.1f s", why, attempt, c->max_tries, wait);
}

/*
 * The reference's FirestorePipelineLogger.log_event: set (replace) metrics/pipelines/pipeline_logs/<timestamp>
 * in the operations dashboard's project, with the key at OperationsDashboard.FirebaseCredentialsFileURL.
 */
static int
log_firestore(const struct pipeline_config *cfg, const char *credentials, const struct event *ev, struct err *e)
{
	struct http_client http;
	struct gauth auth;
	struct firestore fs;
	struct firestore_batch batch;
	json_t *doc;
	char path[256];
	int rc = -1;

	http_client_init(&http);
	http.on_retry = on_retry;
	http.retry_ctx = &http;
	if (keyurl_gauth_init(&auth, cfg->operations_dashboard_credentials_url, cfg->dir, credentials,
	    GAUTH_SCOPE_DATASTORE, &http, e) == -1) {
		http_client_free(&http);
		return -1;
	}
	if (firestore_init(&fs, &http, &auth, NULL, e) == -1)
		goto out_auth;
	snprintf(path, sizeof path, "metrics/pipelines/pipeline_logs/%s", ev->timestamp);
	doc = json_pack("{s:s, s:s, s:s, s:s}", "pipeline_name", ev->pipeline_name, "run_id", ev->run_id,
	    "timestamp", ev->timestamp, "event", ev->event);
	firestore_batch_init(&batch);
	firestore_batch_update(&batch, &fs, path, firestore_fields(doc), NULL, FIRESTORE_PRE_NONE, NULL);
	json_decref(doc);
	rc = firestore_commit(&fs, &batch, NULL, e);
	firestore_batch_free(&batch);
	firestore_free(&fs);
out_auth:
	gauth_free(&auth);
	http_client_free(&http);
	return rc;
}

int
main(int argc, char **argv)
{
	const char *config_path = NULL, *output = NULL, *credentials = NULL;
	int c, dry_run = 0, quiet = 0;
	struct pipeline_config cfg;
	struct event ev;
	struct buf line = { 0 };
	struct err e;
	char *local = NULL;
	size_t i;

	cli_init("pipeline-log");
	while ((c = getopt_long(argc, argv, "c:o:qvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': config_path = optarg; break;
		case 'o': output = optarg; break;
		case OPT_CREDENTIALS: credentials = optarg; break;
		case OPT_DRY_RUN: dry_run = 1; break;
		case 'q': quiet = 1; break;
		case 'v': verbose = 1; break;
		case 'h': cli_help(help);
		case OPT_VERSION: cli_version();
		default: cli_usage(usage);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 2 || config_path == NULL)
		cli_usage(usage);
	if (*argv[0] == '\0' || strpbrk(argv[0], "\n\r") != NULL)
		cli_die(EX_USAGE, "RUN-ID: expected a non-empty line, got '%s'", argv[0]);
	for (i = 0; i < sizeof events / sizeof *events; i++)
		if (strcmp(argv[1], events[i]) == 0)
			break;
	if (i == sizeof events / sizeof *events)
		cli_die(EX_USAGE, "%s: unknown event (expected PipelineRunStart, PipelineRunEnd, PipelineRunFailed, "
		    "CodaGet, FetchingRawData, GeneratingOutputs, CodaAdd, GeneratingAutomatedAnalysisFiles, "
		    "BackingUpData, UploadingAnalysisFiles or UploadingLogFiles)", argv[1]);
	if (credentials != NULL && strcmp(credentials, "-") == 0)
		credentials = NULL;
	if (!quiet)
		cli_warn_exposed(credentials);

	if (config_load(&cfg, config_path, &e) == -1)
		cli_fail(&e);
	if (output != NULL) {
		local = xstrdup(output);
	} else {
		json_t *od = json_object_get(cfg.root, "OperationsDashboard");
		json_t *url = od != NULL ? json_object_get(od, "FileURL") : NULL;
		if (url != NULL) {
			const char *p = json_string_value(url);
			if (p == NULL || *p == '\0') {
				config_free(&cfg);
				cli_die(EX_CONFIG, "%s: .OperationsDashboard.FileURL: expected a non-empty string (a local "
				    "path or file:// URL)", config_path);
			}
			if (strncmp(p, "file://", 7) == 0)
				p += 7;
			local = cj_path_join(cfg.dir, p);
		}
	}
	if (local == NULL && credentials == NULL) {
		config_free(&cfg);
		cli_die(EX_CONFIG, "%s: nowhere to log: give -o FILE or --credentials FILE, or set "
		    "OperationsDashboard.FileURL", config_path);
	}

	ev.pipeline_name = cfg.pipeline_name;
	ev.run_id = argv[0];
	ev.timestamp = cli_now();
	ev.event = argv[1];
	encode_event(&line, &ev);

	if (dry_run) {
		fwrite(line.p, 1, line.len, stdout);
		if (verbose) {
			if (local != NULL)
				cli_warn("dry run: would append to %s", local);
			if (credentials != NULL)
				cli_warn("dry run: would set metrics/pipelines/pipeline_logs/%s", ev.timestamp);
		}
	} else {
		if (local != NULL) {
			append_local(local, &line);
			if (verbose)
				cli_warn("%s logged to %s", ev.event, local);
		}
		if (credentials != NULL) {
			if (log_firestore(&cfg, credentials, &ev, &e) == -1) {
				free(local);
				buf_free(&line);
				config_free(&cfg);
				cli_fail(&e);
			}
			if (verbose)
				cli_warn("%s logged to Firestore metrics/pipelines/pipeline_logs/%s", ev.event,
				    ev.timestamp);
		}
	}
	(void)quiet;
	free(local);
	buf_free(&line);
	config_free(&cfg);
	cli_exit(0);
}
