/* drive-upload: analysis files to Google Drive as the reference's upload_analysis_files.py (pipeline.md §7.1). */
#include <errno.h>
#include <getopt.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "config/config.h"
#include "net/drive.h"
#include "net/gauth.h"
#include "net/gcs.h"
#include "net/http.h"
#include "net/keyurl.h"
#include "util/buf.h"

static const char usage[] =
    "drive-upload [-qv] [--dry-run] [--run-mode MODE] [--files WHICH] -c CONFIG [--credentials FILE]\n"
    "       [--drive-key FILE] DATA-ROOT\n"
    "       drive-upload [-qv] [--dry-run] --drive-key FILE SRC ... DRIVE-PATH";

static const char help[] =
    "usage: drive-upload [-qv] [--dry-run] [--run-mode MODE] [--files WHICH] -c CONFIG [--credentials FILE]\n"
    "                    [--drive-key FILE] DATA-ROOT\n"
    "       drive-upload [-qv] [--dry-run] --drive-key FILE SRC ... DRIVE-PATH\n"
    "Upload files to Google Drive. With -c, the analysis files of DATA-ROOT/Outputs go where the config's\n"
    "DriveUpload says (production, messages and individuals CSVs, the automated-analysis CSVs, graphs and\n"
    "maps; auto-code-only: the production CSV only). Otherwise SRC files go to DRIVE-PATH: a folder path\n"
    "(ending in '/', or with several SRC) or folder/name. The first folder is one shared with the service\n"
    "account (or a shared drive); the others are created when missing. A file of the same name is updated in\n"
    "place; several of the same name are all replaced by one. Local files are never deleted.\n"
    "\n"
    "  -c, --config FILE       pipeline configuration (DriveUpload)\n"
    "      --credentials FILE  Google service-account key that reads DriveUpload.DriveCredentialsFileURL\n"
    "                          from Cloud Storage; - skips the upload with a notice\n"
    "      --drive-key FILE    the Drive service-account key itself (instead of DriveCredentialsFileURL)\n"
    "      --run-mode MODE     all-stages (default) or auto-code-only\n"
    "      --files WHICH       outputs (the three CSVs, stage 3), analysis (Automated Analysis, stage 5)\n"
    "                          or all (default)\n"
    "      --dry-run           say what would be uploaded; send nothing\n"
    "  -q, --quiet             print nothing but errors\n"
    "  -v, --verbose           print each upload and every retry\n"
    "  -h, --help              this help\n"
    "      --version           print the version\n"
    "\n"
    "Environment: TDTOOLS_DRIVE_BASE (API root, default https://www.googleapis.com), STORAGE_EMULATOR_HOST,\n"
    "TDTOOLS_RETRY_BASE_MS, TDTOOLS_HTTP_TRIES, TDTOOLS_HTTP_TIMEOUT.\n"
    "Exit status: 0 ok, 64 usage, 65 an ambiguous Drive folder, 66 a file or Drive folder missing,\n"
    "69 service unavailable after retries, 74 I/O error, 77 authentication or permission, 78 bad configuration.\n";

enum { OPT_CREDENTIALS = 2000, OPT_DRIVE_KEY, OPT_RUN_MODE, OPT_FILES, OPT_DRY_RUN, OPT_VERSION };

static const struct option longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "credentials", required_argument, NULL, OPT_CREDENTIALS },
	{ "drive-key", required_argument, NULL, OPT_DRIVE_KEY },
	{ "run-mode", required_argument, NULL, OPT_RUN_MODE },
	{ "files", required_argument, NULL, OPT_FILES },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

/* One file to upload: local path → Drive folder path + name. */
struct job {
	char *src, *folder, *name;
};

static struct job *jobs;
static size_t njobs;
static int verbose, quiet, dry_run;
static struct http_client http;

static void
add_job(const char *src, const char *folder, size_t folder_len, const char *name)
{
	struct job *j;

	jobs = xrealloc(jobs, (njobs + 1) * sizeof *jobs);
	j = &jobs[njobs++];
	j->src = xstrdup(src);
	j->folder = xmalloc(folder_len + 1);
	memcpy(j->folder, folder, folder_len);
	j->folder[folder_len] = '\0';
	while (folder_len > 0 && j->folder[folder_len - 1] == '/')
		j->folder[--folder_len] = '\0';
	j->name = xstrdup(name);
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* A Drive file path "folder/.../name": split at the last '/'. */
static void
add_file_job(const char *src, const char *drive_path, const char *what)
{
	const char *slash = strrchr(drive_path, '/');

	if (slash == NULL || slash == drive_path || slash[1] == '\0')
		cli_die(EX_CONFIG, "%s '%s': expected folder/name", what, drive_path);
	add_job(src, drive_path, (size_t)(slash - drive_path), slash + 1);
}

/* Every file matching pattern (sorted), into folder. */
static void
add_glob_jobs(const char *dir, const char *pattern, const char *folder)
{
	struct buf pat = { 0 };
	glob_t g;

	buf_adds(&pat, dir);
	buf_addc(&pat, '/');
	buf_adds(&pat, pattern);
	buf_addc(&pat, '\0');
	memset(&g, 0, sizeof g);
	if (glob(pat.p, 0, NULL, &g) == 0)
		for (size_t i = 0; i < g.gl_pathc; i++) {
			struct stat st;
			if (stat(g.gl_pathv[i], &st) == 0 && S_ISREG(st.st_mode))
				add_job(g.gl_pathv[i], folder, strlen(folder), base_name(g.gl_pathv[i]));
		}
	globfree(&g);
	buf_free(&pat);
}

/* --files: which of the analysis files (stage 3 uploads the outputs, stage 5 the automated analysis). */
enum { FILES_OUTPUTS = 1, FILES_ANALYSIS = 2 };

static void
plan_config(const struct pipeline_config *cfg, const char *root, int auto_code_only, int which)
{
	struct buf p = { 0 }, aa = { 0 }, sub = { 0 };
	const char *aa_dir = cfg->drive_upload.automated_analysis_dir;
	static const char *const aa_subdirs[][2] = {
		{ "graphs", "graphs" }, { "maps/regions", "maps/regions" }, { "maps/districts", "maps/districts" },
		{ "maps/mogadishu", "maps/mogadishu" },
	};

#define OUT(file) (p.len = 0, buf_adds(&p, root), buf_adds(&p, "/Outputs/" file), buf_addc(&p, '\0'), p.p)
	if (which & FILES_OUTPUTS)
		add_file_job(OUT("production.csv"), cfg->drive_upload.production_upload_path,
		    "DriveUpload.ProductionUploadPath");
	if (!auto_code_only && (which & FILES_OUTPUTS)) {
		add_file_job(OUT("messages.csv"), cfg->drive_upload.messages_upload_path,
		    "DriveUpload.MessagesUploadPath");
		add_file_job(OUT("individuals.csv"), cfg->drive_upload.individuals_upload_path,
		    "DriveUpload.IndividualsUploadPath");
	}
	if (!auto_code_only && (which & FILES_ANALYSIS)) {
		buf_adds(&aa, root);
		buf_adds(&aa, "/Outputs/Automated Analysis");
		buf_addc(&aa, '\0');
		add_glob_jobs(aa.p, "*.csv", aa_dir);
		for (size_t i = 0; i < sizeof aa_subdirs / sizeof *aa_subdirs; i++) {
			struct buf d = { 0 };
			sub.len = 0;
			buf_adds(&sub, aa_dir);
			buf_addc(&sub, '/');
			buf_adds(&sub, aa_subdirs[i][1]);
			buf_addc(&sub, '\0');
			buf_adds(&d, aa.p);
			buf_addc(&d, '/');
			buf_adds(&d, aa_subdirs[i][0]);
			buf_addc(&d, '\0');
			add_glob_jobs(d.p, "*.png", sub.p);
			buf_free(&d);
		}
	}
#undef OUT
	buf_free(&p);
	buf_free(&aa);
	buf_free(&sub);
}

static void
on_retry(void *ctx, const char *why, int attempt, double wait)
{
	const struct http_client *c = ctx;

	if (verbose)
		cli_warn("%s; try %d of %d failed, next in %.1f s", why, attempt, c->max_tries, wait);
}

int
main(int argc, char **argv)
{
	const char *config_path = NULL, *credentials = NULL, *drive_key = NULL, *run_mode = "all-stages";
	struct pipeline_config cfg;
	int c, have_cfg = 0, which = FILES_OUTPUTS | FILES_ANALYSIS;
	struct err e;

	cli_init("drive-upload");
	while ((c = getopt_long(argc, argv, "c:qvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': config_path = optarg; break;
		case OPT_CREDENTIALS: credentials = optarg; break;
		case OPT_DRIVE_KEY: drive_key = optarg; break;
		case OPT_RUN_MODE: run_mode = optarg; break;
		case OPT_FILES:
			if (strcmp(optarg, "outputs") == 0)
				which = FILES_OUTPUTS;
			else if (strcmp(optarg, "analysis") == 0)
				which = FILES_ANALYSIS;
			else if (strcmp(optarg, "all") == 0)
				which = FILES_OUTPUTS | FILES_ANALYSIS;
			else
				cli_die(EX_USAGE, "--files: expected outputs, analysis or all, got '%s'", optarg);
			break;
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
	if (strcmp(run_mode, "all-stages") != 0 && strcmp(run_mode, "auto-code-only") != 0)
		cli_die(EX_USAGE, "--run-mode: expected all-stages or auto-code-only, got '%s'", run_mode);

	if (!quiet)
		cli_warn_exposed(credentials);
	if (config_path != NULL) {
		if (argc != 1)
			cli_usage(usage);
		if (config_load(&cfg, config_path, &e) == -1)
			cli_fail(&e);
		have_cfg = 1;
		if (!cfg.has_drive_upload) {
			if (!quiet)
				cli_warn("%s: no DriveUpload: nothing uploaded", config_path);
			config_free(&cfg);
			cli_exit(0);
		}
		plan_config(&cfg, argv[0], strcmp(run_mode, "auto-code-only") == 0, which);
		if (drive_key == NULL && gcs_is_url(cfg.drive_upload.credentials_file_url)) {
			if (credentials == NULL)
				cli_die(EX_USAGE, "%s: DriveUpload.DriveCredentialsFileURL is a gs:// URL: give "
				    "--credentials FILE to read it (- to skip the upload)", config_path);
			if (strcmp(credentials, "-") == 0) {
				if (!quiet)
					cli_warn("no credentials: Drive upload skipped");
				for (size_t i = 0; i < njobs; i++) {
					free(jobs[i].src);
					free(jobs[i].folder);
					free(jobs[i].name);
				}
				free(jobs);
				config_free(&cfg);
				cli_exit(0);
			}
		}
	} else {
		if (argc < 2 || drive_key == NULL)
			cli_usage(usage);
		const char *dest = argv[argc - 1];
		size_t n = strlen(dest);
		if (argc > 2 || dest[n - 1] == '/') {
			for (int i = 0; i < argc - 1; i++)
				add_job(argv[i], dest, n, base_name(argv[i]));
		} else {
			add_file_job(argv[0], dest, "DRIVE-PATH");
		}
	}

	/* Every local file is checked before anything is sent. */
	for (size_t i = 0; i < njobs; i++) {
		struct stat st;
		if (stat(jobs[i].src, &st) == -1)
			cli_die(errno == ENOENT ? EX_NOINPUT : EX_IOERR, "%s: %s", jobs[i].src, strerror(errno));
		if (!S_ISREG(st.st_mode))
			cli_die(EX_NOINPUT, "%s: not a regular file", jobs[i].src);
	}

	if (dry_run) {
		for (size_t i = 0; i < njobs; i++)
			printf("would upload %s to %s/%s\n", jobs[i].src, jobs[i].folder, jobs[i].name);
	} else {
		struct gauth auth;
		struct drive drive;

		http_client_init(&http);
		http.on_retry = on_retry;
		http.retry_ctx = &http;
		if (drive_key != NULL) {
			if (gauth_init(&auth, drive_key, GAUTH_SCOPE_DRIVE, &http, &e) == -1)
				cli_fail(&e);
		} else {
			if (keyurl_gauth_init(&auth, cfg.drive_upload.credentials_file_url, cfg.dir, credentials,
			    GAUTH_SCOPE_DRIVE, &http, &e) == -1)
				cli_fail(&e);
		}
		if (drive_init(&drive, &http, &auth, NULL, &e) == -1)
			cli_fail(&e);
		for (size_t i = 0; i < njobs; i++) {
			enum drive_action act;
			char *folder_id;

			if (drive_folder(&drive, jobs[i].folder, 1, &folder_id, &e) == -1 ||
			    drive_put(&drive, folder_id, jobs[i].name, jobs[i].src, NULL, &act, &e) == -1)
				cli_fail(&e);
			free(folder_id);
			if (verbose)
				cli_warn("%s: %s %s/%s", jobs[i].src,
				    act == DRIVE_UPDATED ? "updated" : act == DRIVE_REPLACED ? "replaced duplicates with" :
				    "created", jobs[i].folder, jobs[i].name);
		}
		if (!quiet)
			cli_warn("%zu file%s uploaded", njobs, njobs == 1 ? "" : "s");
		drive_free(&drive);
		gauth_free(&auth);
		http_client_free(&http);
	}
	for (size_t i = 0; i < njobs; i++) {
		free(jobs[i].src);
		free(jobs[i].folder);
		free(jobs[i].name);
	}
	free(jobs);
	if (have_cfg)
		config_free(&cfg);
	cli_exit(0);
}
