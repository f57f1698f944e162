/* td-purge: remove one participant (a uid, or a phone number through the UUID table) from a data root, the UUID
 * table and a dir: Coda store — for a participant who withdraws consent. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "config/config.h"
#include "record/json.h"
#include "store/codastore.h"
#include "store/uuidtable.h"
#include "util/atomic.h"
#include "util/buf.h"
#include "util/csv.h"
#include "util/strmap.h"

static const char usage[] =
    "td-purge [-nqv] -c CONFIG [--coda-store dir:PATH] (--uid UID | --phone NUMBER | --phone-file FILE) DATA-ROOT";

static const char help[] =
    "usage: td-purge [-nqv] -c CONFIG [--coda-store dir:PATH]\n"
    "                (--uid UID | --phone NUMBER | --phone-file FILE) DATA-ROOT\n"
    "Remove every record of one participant from DATA-ROOT (Raw Data/, Outputs/, Coded Coda Files/), from the\n"
    "UUID table of the configuration and from a dir: Coda store, and print what was removed from where (counts\n"
    "and the uid only; a phone number is never printed). Every file is replaced atomically.\n"
    "\n"
    "  -c, --config FILE       pipeline configuration (locates the UUID table)\n"
    "      --coda-store SPEC   a dir: Coda store to delete the participant's messages from\n"
    "      --uid UID           the participant's uid (e.g. avf-phone-uuid-...)\n"
    "      --phone NUMBER      the participant's phone number, looked up in the UUID table (visible in ps(1):\n"
    "                          prefer --phone-file)\n"
    "      --phone-file FILE   read the phone number from the first line of FILE (- for standard input)\n"
    "  -n, --dry-run           change nothing; print what would be removed\n"
    "  -q, --quiet             print nothing but errors\n"
    "  -v, --verbose           also name every file read, on standard error\n"
    "  -h, --help              this help\n"
    "      --version           print the version\n"
    "\n"
    "Exit status: 0 something was removed (or would be), 1 the participant was found nowhere (nothing to remove),\n"
    "64 usage, 65 bad data, 66 DATA-ROOT or the UUID table missing, 69 store cannot delete, 73 cannot create a\n"
    "file, 74 I/O error, 77 permission, 78 bad configuration.\n";

enum { OPT_VERSION = 2000, OPT_UID, OPT_PHONE, OPT_PHONE_FILE, OPT_STORE };

static const struct option longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "coda-store", required_argument, NULL, OPT_STORE },
	{ "uid", required_argument, NULL, OPT_UID },
	{ "phone", required_argument, NULL, OPT_PHONE },
	{ "phone-file", required_argument, NULL, OPT_PHONE_FILE },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

enum kind { K_JSON, K_JSONL, K_CSV };

struct file {
	char *path;		/* as opened */
	char *rel;		/* relative to the data root, for messages */
	enum kind kind;
	int coda;		/* a Coda messages file (a JSON array of objects with MessageID) */
};

#define F_MINE 1	/* a string of the participant's records */
#define F_OTHER 2	/* a string of someone else's records */

struct purge {
	const char *root;
	int dry_run, quiet, verbose;
	const char *uid;
	size_t uidlen;
	struct strmap keys;	/* strings that name the participant: the uid, their Rapid Pro contact uuids */
	struct strmap ids;	/* Coda MessageID -> index into idflag / idtext */
	unsigned char *idflag;
	size_t *idtext;		/* index into texts, or SIZE_MAX */
	struct strmap texts;	/* Coda Text -> index into textflag */
	unsigned char *textflag;
	struct strmap remove_ids;	/* the MessageIDs to remove: only the participant's messages have them */
	struct strmap remove_texts;	/* their texts */
	struct file *files;
	size_t nfiles;
	size_t records_removed;	/* of the last pass_json: whole lines (records) among the units removed */
	dev_t skip_dev[2];	/* the UUID table and the store directory, never walked as data */
	ino_t skip_ino[2];
	struct buf report;	/* the summary lines */
	size_t total, places;
};

#define KEY(s) (s), strlen(s)

/* ---- files ---------------------------------------------------------------------------------------------- */

static void
read_whole(const char *path, struct buf *out)
{
	FILE *fp = fopen(path, "rb");
	char chunk[65536];
	size_t r;

	out->len = 0;
	if (fp == NULL)
		cli_die(errno == EACCES ? EX_NOPERM : EX_NOINPUT, "%s: cannot read: %s", path, strerror(errno));
	while ((r = fread(chunk, 1, sizeof chunk, fp)) > 0)
		buf_add(out, chunk, r);
	if (ferror(fp))
		cli_die(EX_IOERR, "%s: read error: %s", path, strerror(errno));
	fclose(fp);
	buf_reserve(out, 1);
	out->p[out->len] = '\0';
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int
rel_cmp(const void *a, const void *b)
{
	return strcmp(((const struct file *)a)->rel, ((const struct file *)b)->rel);
}

/* Every .json, .jsonl and .csv file under dir (recursively), dot files (temporary files) left out. */
static void
walk(struct purge *p, const char *dir, const char *rel)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d == NULL) {
		if (errno == ENOENT)
			return;
		cli_die(EX_NOINPUT, "%s: cannot read the directory: %s", dir, strerror(errno));
	}
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		struct buf path = { 0 }, r = { 0 };
		enum kind k;

		if (de->d_name[0] == '.')
			continue;
		buf_adds(&path, dir);
		buf_addc(&path, '/');
		buf_adds(&path, de->d_name);
		buf_addc(&path, '\0');
		buf_adds(&r, rel);
		buf_addc(&r, '/');
		buf_adds(&r, de->d_name);
		buf_addc(&r, '\0');
		if (lstat(path.p, &st) == -1)
			cli_die(EX_IOERR, "%s: %s", path.p, strerror(errno));
		if ((st.st_ino == p->skip_ino[0] && st.st_dev == p->skip_dev[0])
		    || (st.st_ino == p->skip_ino[1] && st.st_dev == p->skip_dev[1])) {
			buf_free(&path);
			buf_free(&r);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			walk(p, path.p, r.p);
			buf_free(&path);
			buf_free(&r);
			continue;
		}
		if (!S_ISREG(st.st_mode) || !(ends_with(de->d_name, ".json") || ends_with(de->d_name, ".jsonl")
		    || ends_with(de->d_name, ".csv"))) {
			buf_free(&path);
			buf_free(&r);
			continue;
		}
		k = ends_with(de->d_name, ".json") ? K_JSON : ends_with(de->d_name, ".jsonl") ? K_JSONL : K_CSV;
		p->files = xrealloc(p->files, (p->nfiles + 1) * sizeof *p->files);
		p->files[p->nfiles++] = (struct file){ .path = path.p, .rel = r.p, .kind = k };
	}
	closedir(d);
}

/* ---- matching ------------------------------------------------------------------------------------------- */

/* 1 when a string value (not a key) anywhere in value i names the participant: the uid, a URN "<scheme>:<uid>",
 * or one of their contact uuids. */
static int
names_participant(struct purge *p, struct json_doc *d, uint32_t i)
{
	const struct json_node *n = &d->nodes[i];
	uint32_t k;

	switch (n->type) {
	case JV_STRING: {
		size_t len;
		const char *s = json_str(d, i, &len);
		if (strmap_get(&p->keys, s, len) != NULL)
			return 1;
		return len > p->uidlen && s[len - p->uidlen - 1] == ':'
		    && memcmp(s + len - p->uidlen, p->uid, p->uidlen) == 0;
	}
	case JV_ARRAY:
		for (k = i + 1; k < n->next; k = d->nodes[k].next)
			if (names_participant(p, d, k))
				return 1;
		return 0;
	case JV_OBJECT:
		for (k = i + 1; k < n->next; k = d->nodes[k + 1].next)
			if (names_participant(p, d, k + 1))
				return 1;
		return 0;
	default:
		return 0;
	}
}

/* Mark every Coda MessageID and Text that is a string of value i with flag. */
static void
mark_strings(struct purge *p, struct json_doc *d, uint32_t i, unsigned char flag)
{
	const struct json_node *n = &d->nodes[i];
	struct strmap_entry *en;
	uint32_t k;

	switch (n->type) {
	case JV_STRING: {
		size_t len;
		const char *s = json_str(d, i, &len);
		if ((en = strmap_get(&p->ids, s, len)) != NULL)
			p->idflag[en->value] |= flag;
		if ((en = strmap_get(&p->texts, s, len)) != NULL)
			p->textflag[en->value] |= flag;
		return;
	}
	case JV_ARRAY:
		for (k = i + 1; k < n->next; k = d->nodes[k].next)
			mark_strings(p, d, k, flag);
		return;
	case JV_OBJECT:
		for (k = i + 1; k < n->next; k = d->nodes[k + 1].next)
			mark_strings(p, d, k + 1, flag);
		return;
	default:
		return;
	}
}

/* A string member of object i, or NULL. */
static const char *
member_str(struct json_doc *d, uint32_t i, const char *key, size_t *len)
{
	uint32_t v;
	size_t dummy;

	if (len == NULL)
		len = &dummy;
	if (d->nodes[i].type != JV_OBJECT || (v = json_get(d, i, key, strlen(key))) == 0
	    || d->nodes[v].type != JV_STRING)
		return NULL;
	return json_str(d, v, len);
}

/* ---- units: what a file holds, one removable piece at a time --------------------------------------------- */

/*
 * A .json file is an array whose elements are units (runs, contacts, comments, Coda messages). A .jsonl line is
 * a unit when it is a TracedData record (an object, or an array of history entries with a SHA); a line that is
 * any other array (a fetch log: the runs, contacts or comments one request received) has its elements as units.
 */
static int
line_is_record(struct json_doc *d, uint32_t root)
{
	if (d->nodes[root].type != JV_ARRAY)
		return 1;
	if (d->nodes[root].count == 0)
		return 0;
	return d->nodes[root + 1].type == JV_OBJECT && json_get(d, root + 1, KEY("SHA")) != 0;
}

enum pass { P_CONTACTS, P_MARK, P_WRITE };

/* What one pass does with a unit; 1 when the unit goes. */
static int
visit_unit(struct purge *p, struct json_doc *d, uint32_t i, int coda, enum pass pass)
{
	int mine = names_participant(p, d, i);
	const char *s;
	size_t len;

	switch (pass) {
	case P_CONTACTS:
		/* A Rapid Pro contact of the participant: its uuid is what their runs name. */
		if (mine && (s = member_str(d, i, "uuid", &len)) != NULL && json_get(d, i, KEY("urns")) != 0)
			strmap_put(&p->keys, s, len, 0, NULL);
		return mine;
	case P_MARK:
		if (!coda)
			mark_strings(p, d, i, mine ? F_MINE : F_OTHER);
		return mine;
	case P_WRITE:
		if (mine)
			return 1;
		return coda && (s = member_str(d, i, "MessageID", &len)) != NULL
		    && strmap_get(&p->remove_ids, s, len) != NULL;
	}
	return 0;
}

/*
 * The elements of array root (text is the whole document, the array at its offset) that stay, written to out
 * with the bytes between them as they were: ", " or ",\n  " stays what it was. An array left empty is "[]".
 */
static size_t
filter_array(struct purge *p, struct json_doc *d, uint32_t root, const char *text, int coda, enum pass pass,
    struct buf *out)
{
	const struct json_node *r = &d->nodes[root];
	const char *start = r->p, *end = r->p + r->len;
	const char *prev_end = NULL, *first = NULL;
	size_t removed = 0, kept = 0;
	uint32_t k;
	struct buf body = { 0 };

	(void)text;
	for (k = root + 1; k < r->next; k = d->nodes[k].next) {
		const struct json_node *n = &d->nodes[k];
		const char *ep = n->type == JV_STRING ? n->p - 1 : n->p;
		size_t el = n->type == JV_STRING ? n->len + 2 : n->len;
		/* a string node points after its quote and counts the bytes between the quotes */
		if (first == NULL)
			first = ep;
		if (visit_unit(p, d, k, coda, pass)) {
			removed++;
		} else {
			if (kept > 0)
				buf_add(&body, prev_end, (size_t)(ep - prev_end));
			else	/* "[" and what preceded the first element */
				buf_add(&body, start, (size_t)(first - start));
			buf_add(&body, ep, el);
			kept++;
		}
		prev_end = ep + el;
	}
	if (out != NULL) {
		if (kept == 0 && r->count > 0) {
			buf_add(out, "[]", 2);
		} else if (kept == 0) {
			buf_add(out, start, r->len);
		} else {
			buf_add(out, body.p, body.len);
			buf_add(out, prev_end, (size_t)(end - prev_end));
		}
	}
	buf_free(&body);
	return removed;
}

/* Pass over one JSON or JSONL file; out (P_WRITE) receives the new content. Returns the units removed. */
static size_t
pass_json(struct purge *p, struct file *f, const struct buf *text, enum pass pass, struct buf *out)
{
	struct json_doc d = { 0 };
	struct err e;
	uint32_t root;
	size_t removed = 0;

	if (f->kind == K_JSON) {
		if (json_parse(&d, text->p, text->len, &root, &e) == -1)
			cli_die(EX_DATAERR, "%s: %s", f->path, e.msg);
		if (d.nodes[root].type != JV_ARRAY) {
			if (names_participant(p, &d, root))
				cli_die(EX_DATAERR, "%s: names the participant but is not a JSON array (expected an array "
				    "of runs, contacts, comments or Coda messages): nothing was changed", f->path);
			if (out != NULL)
				buf_add(out, text->p, text->len);
		} else {
			const struct json_node *r = &d.nodes[root];
			if (out != NULL)
				buf_add(out, text->p, (size_t)(r->p - text->p));
			removed = filter_array(p, &d, root, text->p, f->coda, pass, out);
			if (out != NULL)
				buf_add(out, r->p + r->len, (size_t)(text->p + text->len - (r->p + r->len)));
		}
		json_free(&d);
		return removed;
	}
	size_t pos = 0, lineno = 0;
	p->records_removed = 0;
	while (pos < text->len) {
		const char *line = text->p + pos, *nl = memchr(line, '\n', text->len - pos);
		size_t len = nl ? (size_t)(nl - line) : text->len - pos, i;
		lineno++;
		pos += len + (nl != NULL);
		for (i = 0; i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'); i++)
			;
		if (i == len) {
			if (out != NULL)
				buf_add(out, line, len + (nl != NULL));
			continue;
		}
		json_reset(&d);
		if (json_parse(&d, line, len, &root, &e) == -1)
			cli_die(EX_DATAERR, "%s:%zu: %s", f->path, lineno, e.msg);
		if (line_is_record(&d, root)) {
			if (visit_unit(p, &d, root, 0, pass)) {
				removed++;
				p->records_removed++;
				continue;
			}
			if (out != NULL)
				buf_add(out, line, len + (nl != NULL));
		} else {
			const struct json_node *r = &d.nodes[root];
			if (out != NULL)
				buf_add(out, line, (size_t)(r->p - line));
			removed += filter_array(p, &d, root, line, 0, pass, out);
			if (out != NULL) {
				buf_add(out, r->p + r->len, (size_t)(line + len - (r->p + r->len)));
				if (nl != NULL)
					buf_addc(out, '\n');
			}
		}
	}
	json_free(&d);
	return removed;
}

/* The rows of a CSV that name the participant (any field the uid or a contact uuid) or hold a message text only
 * they sent (an ICR sample has no uid column); the header and every other row are kept byte for byte. */
static size_t
pass_csv(struct purge *p, struct file *f, const struct buf *text, struct buf *out)
{
	FILE *fp = fmemopen(text->p, text->len, "rb");
	struct csvr r;
	struct err e;
	long prev = 0;
	size_t removed = 0, row = 0;
	int rc;

	if (text->len == 0)
		return 0;
	if (fp == NULL)
		cli_die(EX_IOERR, "%s: %s", f->path, strerror(errno));
	csvr_init(&r, fp);
	while ((rc = csvr_read(&r, &e)) > 0) {
		long now = ftell(fp);
		int drop = 0;
		if (row++ > 0)
			for (size_t i = 0; i < r.nfields && !drop; i++) {
				size_t len;
				const char *s = csvr_field(&r, i, &len);
				drop = strmap_get(&p->keys, s, len) != NULL || strmap_get(&p->remove_texts, s, len) != NULL;
			}
		if (drop)
			removed++;
		else if (out != NULL)
			buf_add(out, text->p + prev, (size_t)(now - prev));
		prev = now;
	}
	if (rc == -1)
		cli_die(e.code, "%s: %s", f->path, e.msg);
	if (out != NULL)
		buf_add(out, text->p + prev, text->len - (size_t)prev);
	csvr_free(&r);
	fclose(fp);
	return removed;
}

/* ---- Coda messages: which MessageIDs are the participant's alone ------------------------------------------ */

static void
coda_add(struct purge *p, const char *id, size_t idlen, const char *text, size_t tlen)
{
	int created;
	struct strmap_entry *en = strmap_put(&p->ids, id, idlen, p->ids.n, &created);

	if (created) {
		p->idflag = xrealloc(p->idflag, p->ids.n);
		p->idflag[en->value] = 0;
		p->idtext = xrealloc(p->idtext, p->ids.n * sizeof *p->idtext);
		p->idtext[en->value] = SIZE_MAX;
	}
	if (text != NULL && p->idtext[en->value] == SIZE_MAX) {
		struct strmap_entry *t = strmap_put(&p->texts, text, tlen, p->texts.n, &created);
		if (created) {
			p->textflag = xrealloc(p->textflag, p->texts.n);
			p->textflag[t->value] = 0;
		}
		p->idtext[en->value] = t->value;
	}
}

/* A .json file whose array elements are objects with a MessageID: a Coda messages file. */
static void
load_coda_file(struct purge *p, struct file *f, const struct buf *text)
{
	struct json_doc d = { 0 };
	struct err e;
	uint32_t root, k;

	if (json_parse(&d, text->p, text->len, &root, &e) == -1)
		cli_die(EX_DATAERR, "%s: %s", f->path, e.msg);
	if (d.nodes[root].type == JV_ARRAY && d.nodes[root].count > 0
	    && member_str(&d, root + 1, "MessageID", NULL) != NULL) {
		f->coda = 1;
		for (k = root + 1; k < d.nodes[root].next; k = d.nodes[k].next) {
			size_t il, tl;
			const char *id = member_str(&d, k, "MessageID", &il), *t = member_str(&d, k, "Text", &tl);
			if (id != NULL)
				coda_add(p, id, il, t, tl);
		}
	}
	json_free(&d);
}

static void
load_store(struct purge *p, struct codastore *s, char **datasets, size_t n)
{
	struct json_doc d = { 0 };
	struct err e;

	for (size_t i = 0; i < n; i++) {
		struct codastore_msgs m = { 0 };
		if (codastore_get_messages(s, datasets[i], INT64_MIN, &m, &e) == -1)
			cli_die(e.code, "%s: %s", s->spec, e.msg);
		for (size_t k = 0; k < m.n; k++) {
			uint32_t root;
			size_t tl;
			const char *t;
			json_reset(&d);
			if (json_parse(&d, m.v[k].json, m.v[k].len, &root, &e) == -1)
				cli_die(EX_DATAERR, "%s: dataset %s: %s", s->spec, datasets[i], e.msg);
			t = member_str(&d, root, "Text", &tl);
			coda_add(p, m.v[k].id, m.v[k].id_len, t, tl);
		}
		codastore_msgs_free(&m);
	}
	json_free(&d);
}

/* A MessageID goes when the participant's records hold it (or its text) and nobody else's do. */
static void
decide_messages(struct purge *p)
{
	for (size_t i = 0; i < p->ids.n; i++) {
		unsigned char fl = p->idflag[i];
		size_t t = p->idtext[i];
		if (t != SIZE_MAX)
			fl |= p->textflag[t];
		if ((fl & F_MINE) && !(fl & F_OTHER)) {
			strmap_put(&p->remove_ids, p->ids.entries[i].key, p->ids.entries[i].klen, 0, NULL);
			if (t != SIZE_MAX)
				strmap_put(&p->remove_texts, p->texts.entries[t].key, p->texts.entries[t].klen, 0, NULL);
		}
	}
}

/* ---- report --------------------------------------------------------------------------------------------- */

static void
report(struct purge *p, const char *where, size_t n, const char *unit)
{
	char line[64];

	if (n == 0)
		return;
	buf_adds(&p->report, where);
	snprintf(line, sizeof line, ": %zu %s%s\n", n, unit, n == 1 ? "" : "s");
	buf_adds(&p->report, line);
	p->total += n;
	p->places++;
}

static void
write_file(struct purge *p, struct file *f, const struct buf *content)
{
	struct atomic_file af;
	struct stat st;
	struct err e;

	if (stat(f->path, &st) == -1)
		cli_die(EX_IOERR, "%s: %s", f->path, strerror(errno));
	if (atomic_open_mode(&af, f->path, (int)(st.st_mode & 0777), &e) == -1)
		cli_fail(&e);
	if (fwrite(content->p, 1, content->len, af.fp) != content->len) {
		atomic_abort(&af);
		cli_die(EX_IOERR, "%s: cannot write: %s", f->path, strerror(errno));
	}
	if (atomic_commit(&af, &e) == -1) {
		atomic_abort(&af);
		cli_fail(&e);
	}
}

static void
read_phone(const char *file, struct buf *out)
{
	FILE *fp = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
	int c;

	if (fp == NULL)
		cli_die(EX_NOINPUT, "%s: cannot read the phone number: %s", file, strerror(errno));
	while ((c = getc(fp)) != EOF && c != '\n')
		buf_addc(out, (char)c);
	if (fp != stdin)
		fclose(fp);
	buf_addc(out, '\0');
	out->len--;
}

int
main(int argc, char **argv)
{
	const char *config_path = NULL, *store_spec = NULL, *uid_arg = NULL, *phone_arg = NULL, *phone_file = NULL;
	struct purge p;
	struct pipeline_config cfg;
	struct uuid_table *tab = NULL;
	struct codastore *store = NULL;
	char **datasets = NULL;
	size_t ndatasets = 0, i;
	struct buf text = { 0 }, out = { 0 }, phone = { 0 };
	struct err e;
	struct stat st;
	char *uid_owned = NULL;
	int opt, nsel = 0;

	memset(&p, 0, sizeof p);
	cli_init("td-purge");
	while ((opt = getopt_long(argc, argv, "c:nqvh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			config_path = optarg;
			break;
		case OPT_STORE:
			store_spec = optarg;
			break;
		case OPT_UID:
			uid_arg = optarg;
			nsel++;
			break;
		case OPT_PHONE:
			phone_arg = optarg;
			nsel++;
			break;
		case OPT_PHONE_FILE:
			phone_file = optarg;
			nsel++;
			break;
		case 'n':
			p.dry_run = 1;
			break;
		case 'q':
			p.quiet = 1;
			p.verbose = 0;
			break;
		case 'v':
			p.verbose = 1;
			p.quiet = 0;
			break;
		case 'h':
			cli_help(help);
		case OPT_VERSION:
			cli_version();
		default:
			cli_usage(usage);
		}
	}
	if (config_path == NULL || nsel != 1 || argc - optind != 1)
		cli_usage(usage);
	if (uid_arg != NULL && uid_arg[0] == '\0')
		cli_die(EX_USAGE, "--uid: empty (expected a uid such as avf-phone-uuid-...)");
	if (store_spec != NULL && strncmp(store_spec, "dir:", 4) != 0)
		cli_die(EX_USAGE, "--coda-store: only a dir: store can be purged (expected dir:PATH)");
	p.root = argv[optind];
	if (stat(p.root, &st) == -1 || !S_ISDIR(st.st_mode))
		cli_die(EX_NOINPUT, "%s: not a directory (expected the data root)", p.root);
	if (config_load(&cfg, config_path, &e) == -1)
		cli_fail(&e);

	/* The UUID table, locked for the whole run (a fetch waits): the phone number's uid, and the mapping. */
	if (cfg.uuid_table.file_path != NULL && stat(cfg.uuid_table.file_path, &st) == 0) {
		if (uuidtable_open_file(&tab, cfg.uuid_table.file_path, cfg.uuid_table.uuid_prefix, &e) == -1)
			cli_fail(&e);
	} else if (phone_arg != NULL || phone_file != NULL) {
		cli_die(EX_NOINPUT, "%s: no UUID table (UuidTable.FileURL) to look the phone number up in",
		    config_path);
	}
	if (uid_arg != NULL) {
		p.uid = uid_arg;
	} else {
		const char *u;
		char *norm;
		size_t n;
		if (phone_arg != NULL)
			buf_adds(&phone, phone_arg);
		else
			read_phone(phone_file, &phone);
		norm = xmalloc(phone.len + 1);
		n = uuid_normalise_phone(phone.p != NULL ? phone.p : "", phone.len, norm);
		if (n == 0)
			cli_die(EX_USAGE, "the phone number has no digits (expected e.g. +252 61 234 5678)");
		u = uuidtable_lookup(tab, norm, n);
		/* the number is wiped and never printed */
		memset(norm, 0, n);
		if (phone.p != NULL)
			memset(phone.p, 0, phone.len);
		free(norm);
		if (u == NULL) {
			if (!p.quiet)
				fprintf(stderr, "td-purge: the UUID table %s has no uid for that phone number: nothing "
				    "removed\n", cfg.uuid_table.file_path);
			cli_exit(TD_EXIT_FAILURE);
		}
		uid_owned = xstrdup(u);
		p.uid = uid_owned;
	}
	p.uidlen = strlen(p.uid);
	strmap_put(&p.keys, p.uid, p.uidlen, 0, NULL);

	if (cfg.uuid_table.file_path != NULL && stat(cfg.uuid_table.file_path, &st) == 0) {
		p.skip_dev[0] = st.st_dev;
		p.skip_ino[0] = st.st_ino;
	}
	if (store_spec != NULL && stat(store_spec + 4, &st) == 0) {
		p.skip_dev[1] = st.st_dev;
		p.skip_ino[1] = st.st_ino;
	}
	if (store_spec != NULL) {
		if (codastore_open(&store, store_spec, &e) == -1 || codastore_list_datasets(store, &datasets,
		    &ndatasets, &e) == -1)
			cli_fail(&e);
	}

	walk(&p, p.root, ".");
	qsort(p.files, p.nfiles, sizeof *p.files, rel_cmp);
	for (i = 0; i < p.nfiles; i++) {
		char *r = p.files[i].rel;
		memmove(r, r + 2, strlen(r + 2) + 1);	/* "./" */
		if (p.verbose)
			fprintf(stderr, "td-purge: reading %s\n", r);
	}

	/* 1: the Coda messages of the files and the store; the participant's contact uuids. */
	for (i = 0; i < p.nfiles; i++)
		if (p.files[i].kind == K_JSON) {
			read_whole(p.files[i].path, &text);
			load_coda_file(&p, &p.files[i], &text);
		}
	if (store != NULL)
		load_store(&p, store, datasets, ndatasets);
	for (i = 0; i < p.nfiles; i++)
		if (p.files[i].kind != K_CSV && !p.files[i].coda) {
			read_whole(p.files[i].path, &text);
			pass_json(&p, &p.files[i], &text, P_CONTACTS, NULL);
		}
	/* 2: whose records hold each Coda message. */
	for (i = 0; i < p.nfiles; i++)
		if (p.files[i].kind != K_CSV && !p.files[i].coda) {
			read_whole(p.files[i].path, &text);
			pass_json(&p, &p.files[i], &text, P_MARK, NULL);
		}
	decide_messages(&p);
	/* 3: every file without the participant. */
	for (i = 0; i < p.nfiles; i++) {
		struct file *f = &p.files[i];
		size_t n;
		read_whole(f->path, &text);
		out.len = 0;
		n = f->kind == K_CSV ? pass_csv(&p, f, &text, &out) : pass_json(&p, f, &text, P_WRITE, &out);
		if (n == 0)
			continue;
		if (!p.dry_run)
			write_file(&p, f, &out);
		report(&p, f->rel, n, f->kind == K_CSV ? "row" : f->coda ? "message"
		    : f->kind == K_JSONL && p.records_removed == n ? "record" : "element");
	}
	if (tab != NULL) {
		int rc = 0;
		if (p.dry_run)
			rc = uuidtable_uuid_to_data(tab, p.uid, p.uidlen, NULL) != NULL;
		else if ((rc = uuidtable_remove(tab, p.uid, p.uidlen, &e)) == -1)
			cli_fail(&e);
		report(&p, "UUID table", (size_t)rc, "mapping");
	}
	for (i = 0; i < ndatasets; i++) {
		struct codastore_delete_stats ds;
		struct buf where = { 0 };
		if (codastore_delete_messages(store, datasets[i], &p.remove_ids, p.dry_run, &ds, &e) == -1)
			cli_fail(&e);
		buf_adds(&where, store_spec);
		buf_adds(&where, " dataset ");
		buf_adds(&where, datasets[i]);
		buf_addc(&where, '\0');
		report(&p, where.p, ds.deleted, "message");
		buf_free(&where);
	}

	if (p.total == 0) {
		if (!p.quiet)
			fprintf(stderr, "td-purge: %s: found nowhere (the data root, the UUID table%s): nothing removed\n",
			    p.uid, store != NULL ? ", the Coda store" : "");
	} else if (!p.quiet) {
		printf("%s %s\n", p.dry_run ? "would remove" : "removed", p.uid);
		fwrite(p.report.p, 1, p.report.len, stdout);
		printf("total: %zu from %zu place%s%s\n", p.total, p.places, p.places == 1 ? "" : "s",
		    p.dry_run ? " (dry run: nothing was changed)" : "");
	}
	int code = p.total == 0 ? TD_EXIT_FAILURE : 0;

	uuidtable_close(tab);
	for (i = 0; i < ndatasets; i++)
		free(datasets[i]);
	free(datasets);
	if (store != NULL)
		codastore_close(store);
	for (i = 0; i < p.nfiles; i++) {
		free(p.files[i].path);
		free(p.files[i].rel);
	}
	free(p.files);
	strmap_free(&p.keys);
	strmap_free(&p.ids);
	strmap_free(&p.texts);
	strmap_free(&p.remove_ids);
	strmap_free(&p.remove_texts);
	free(p.idflag);
	free(p.idtext);
	free(p.textflag);
	buf_free(&p.report);
	buf_free(&text);
	buf_free(&out);
	buf_free(&phone);
	free(uid_owned);
	config_free(&cfg);
	cli_exit(code);
}
