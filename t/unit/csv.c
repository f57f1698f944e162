/*
 * csv unit test: Python csv.writer(lineterminator="\n") bytes, and csv.reader (excel dialect) records.
 * Run as "csv recode" it copies CSV from stdin to stdout through the reader and the writer, so
 * t/t1001-csv-golden.sh can check that the reference's own CSV files come out byte for byte.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/csv.h"

static int ntest, nfail;

static void
ok(int cond, const char *title)
{
	ntest++;
	if (!cond)
		nfail++;
	printf("%s %d - %s\n", cond ? "ok" : "not ok", ntest, title);
}

/* Print bytes with C escapes for a diagnostic line. */
static void
show(const char *label, const char *s, size_t len)
{
	printf("# %s '", label);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n')
			printf("\\n");
		else if (c == '\r')
			printf("\\r");
		else if (c < 0x20 || c == 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
	printf("'\n");
}

/* A writer into memory. */
struct memout {
	char *buf;
	size_t len;
	FILE *fp;
	struct csvw w;
};

static void
mem_open(struct memout *m)
{
	m->buf = NULL;
	m->len = 0;
	m->fp = open_memstream(&m->buf, &m->len);
	csvw_init(&m->w, m->fp);
}

/* Close the stream and compare what was written with want (want_len bytes). */
static void
mem_check(struct memout *m, const char *want, size_t want_len, const char *title)
{
	int good;

	fclose(m->fp);
	good = m->len == want_len && memcmp(m->buf, want, want_len) == 0 && !csvw_error(&m->w);
	ok(good, title);
	if (!good) {
		show("got", m->buf, m->len);
		show("expected", want, want_len);
	}
	free(m->buf);
}

#define CHECK(m, lit, title) mem_check((m), (lit), sizeof(lit) - 1, (title))

static void
test_writer(void)
{
	struct memout m;

	mem_open(&m);
	csvw_fieldz(&m.w, "a");
	csvw_fieldz(&m.w, "b c");
	csvw_fieldz(&m.w, "d");
	csvw_end_row(&m.w);
	CHECK(&m, "a,b c,d\n", "plain fields are bare, the line ends in \\n");

	mem_open(&m);
	csvw_fieldz(&m.w, "avf-phone-uuid-C");
	csvw_fieldz(&m.w, "2020-11-12T09:00:00+00:00");
	csvw_fieldz(&m.w, "haa, \"quoted\", comma");
	csvw_null(&m.w);
	csvw_fieldz(&m.w, "");
	csvw_fieldz(&m.w, "wiil");
	csvw_end_row(&m.w);
	CHECK(&m, "avf-phone-uuid-C,2020-11-12T09:00:00+00:00,\"haa, \"\"quoted\"\", comma\",,,wiil\n",
	    "comma and quotes: quoted, quotes doubled (golden production.csv)");

	mem_open(&m);
	csvw_fieldz(&m.w, "second msg\nwith newline");
	csvw_fieldz(&m.w, "x");
	csvw_end_row(&m.w);
	CHECK(&m, "\"second msg\nwith newline\",x\n", "a newline quotes the field and stays raw");

	mem_open(&m);
	csvw_fieldz(&m.w, "a\rb");
	csvw_fieldz(&m.w, "\r");
	csvw_end_row(&m.w);
	CHECK(&m, "a\rb,\r\n", "\\r alone does not quote (the line terminator is \\n)");

	mem_open(&m);
	csvw_fieldz(&m.w, "a\r\nb");
	csvw_end_row(&m.w);
	CHECK(&m, "\"a\r\nb\"\n", "\\r\\n quotes because of its \\n");

	mem_open(&m);
	csvw_fieldz(&m.w, "\"");
	csvw_end_row(&m.w);
	CHECK(&m, "\"\"\"\"\n", "a lone quote is \"\"\"\"");

	mem_open(&m);
	csvw_fieldz(&m.w, "");
	csvw_end_row(&m.w);
	CHECK(&m, "\"\"\n", "a row of one empty field is \"\"");

	mem_open(&m);
	csvw_null(&m.w);
	csvw_end_row(&m.w);
	CHECK(&m, "\"\"\n", "a row of one None is \"\"");

	mem_open(&m);
	csvw_null(&m.w);
	csvw_fieldz(&m.w, "");
	csvw_end_row(&m.w);
	csvw_end_row(&m.w);
	CHECK(&m, ",\n\n", "two empty fields are a comma; a row of no fields is an empty line");

	mem_open(&m);
	csvw_fieldz(&m.w, " lead");
	csvw_fieldz(&m.w, "trail ");
	csvw_fieldz(&m.w, "tab\there");
	csvw_fieldz(&m.w, "semi;colon");
	csvw_fieldz(&m.w, "'single'");
	csvw_end_row(&m.w);
	CHECK(&m, " lead,trail ,tab\there,semi;colon,'single'\n", "spaces, tabs, ; and ' do not quote");

	mem_open(&m);
	csvw_field(&m.w, "a\0b", 3);
	csvw_end_row(&m.w);
	CHECK(&m, "\"a\0b\"\n", "a NUL quotes (CPython 3.7: the unset escapechar is '\\0')");

	mem_open(&m);
	csvw_fieldz(&m.w, "Soomaali \xe2\x80\x94 caf\xc3\xa9 \xf0\x9f\x98\x80");
	csvw_end_row(&m.w);
	CHECK(&m, "Soomaali \xe2\x80\x94 caf\xc3\xa9 \xf0\x9f\x98\x80\n", "UTF-8 passes through unchanged");

	mem_open(&m);
	csvw_int(&m.w, 25261);
	csvw_int(&m.w, -7);
	csvw_int(&m.w, 0);
	csvw_end_row(&m.w);
	CHECK(&m, "25261,-7,0\n", "integers as Python str(int)");

	mem_open(&m);
	{
		const char *header[] = { "rqa_s08e01_run_id", "rqa_s08e01_raw" };
		const char *row1[] = { "12", "Hello, world" };
		const char *row2[] = { NULL, "ok" };
		const char *row3[] = { NULL };

		csvw_row(&m.w, header, 2);
		csvw_row(&m.w, row1, 2);
		csvw_row(&m.w, row2, 2);
		csvw_row(&m.w, row3, 1);
	}
	CHECK(&m, "rqa_s08e01_run_id,rqa_s08e01_raw\n12,\"Hello, world\"\n,ok\n\"\"\n", "csvw_row with None entries");

	{
		FILE *ro = fopen("/dev/null", "r");
		struct csvw w;
		int rc;

		csvw_init(&w, ro);
		rc = csvw_fieldz(&w, "x");
		if (rc == 0)
			rc = csvw_end_row(&w);
		if (rc == 0)
			rc = fflush(ro) == 0 ? 0 : -1;
		ok(rc == -1 && (csvw_error(&w) || ferror(ro)), "a failed write is reported");
		fclose(ro);
	}
}

/* A reader over the given bytes. */
static FILE *
input(const char *s, size_t len)
{
	FILE *fp = tmpfile();

	if (fp == NULL) {
		perror("tmpfile");
		exit(1);
	}
	fwrite(s, 1, len, fp);
	rewind(fp);
	return fp;
}

/*
 * Read every record of in and render it as text: fields joined by '|', records ended by ';'
 * (a blank line is just ';'). On an error the message follows "!".
 */
static void
read_all(const char *in, size_t in_len, size_t max_field, char *out, size_t n, struct err *e)
{
	FILE *fp = input(in, in_len);
	struct csvr r;
	size_t o = 0, i, len;
	int rc;

	csvr_init(&r, fp);
	if (max_field)
		r.max_field = max_field;
	out[0] = '\0';
	while ((rc = csvr_read(&r, e)) > 0) {
		for (i = 0; i < r.nfields; i++) {
			const char *f = csvr_field(&r, i, &len);

			o += (size_t)snprintf(out + o, n - o, "%s%.*s", i ? "|" : "", (int)len, f);
		}
		o += (size_t)snprintf(out + o, n - o, ";");
	}
	if (rc < 0)
		snprintf(out + o, n - o, "!%d %s", e->code, e->msg);
	csvr_free(&r);
	fclose(fp);
}

static void
check_read(const char *in, size_t in_len, size_t max_field, const char *want, const char *title)
{
	char got[1024];
	struct err e;

	read_all(in, in_len, max_field, got, sizeof got, &e);
	ok(strcmp(got, want) == 0, title);
	if (strcmp(got, want) != 0) {
		show("got", got, strlen(got));
		show("expected", want, strlen(want));
	}
}

#define READ(lit, want, title) check_read((lit), sizeof(lit) - 1, 0, (want), (title))

static void
test_reader(void)
{
	READ("Sender,Message,ReceivedOn\nu1,hi,05/11/2020 12:00\n",
	    "Sender|Message|ReceivedOn;u1|hi|05/11/2020 12:00;", "LF lines");
	READ("a,b\r\nc,d\r\n", "a|b;c|d;", "CRLF lines");
	READ("a,b\rc,d\r", "a|b;c|d;", "CR lines");
	READ("a,b\nc,d", "a|b;c|d;", "a last line without a line end");
	READ("", "", "empty input: no records");
	READ("a\n\nb\n", "a;;b;", "a blank line is a record with no fields");
	READ("a,\n,\n", "a|;|;", "empty fields at the end and alone");
	READ("a,", "a|;", "a trailing comma at the end of input");
	READ("\"haa, \"\"quoted\"\", comma\",x\n", "haa, \"quoted\", comma|x;", "doubled quotes and commas in quotes");
	READ("\"second msg\nwith newline\",x\ny,z\n", "second msg\nwith newline|x;y|z;", "a quoted field spans lines");
	READ("\"a\r\nb\",c\r\n", "a\r\nb|c;", "line ends inside quotes are kept as written");
	READ("\"\"\n", ";", "\"\" alone is one empty field");
	READ("\"ab\"cd,e\n", "abcd|e;", "text after a closing quote is kept (non-strict)");
	READ("ab\"cd,e\n", "ab\"cd|e;", "a quote inside an unquoted field is literal");
	READ("\"a\"\n", "a;", "a quoted field then the line end");
	READ("\"a\"", "a;", "a quoted field then the end of input");
	READ("caf\xc3\xa9,\xf0\x9f\x98\x80\n", "caf\xc3\xa9|\xf0\x9f\x98\x80;", "UTF-8 passes through");
	READ("a,b\n\"open\nstill\nopen", "a|b;!65 line 2: unterminated quoted field",
	    "an unterminated quoted field names the line it opens on");
	READ("a\r\"x\r\ny\"\r\"z", "a;x\r\ny;!65 line 4: unterminated quoted field",
	    "line numbers count CR, CRLF and line ends in quotes once each");
	check_read("a\nb\0c\n", 6, 0, "a;!65 line 2: NUL byte in CSV text", "a NUL byte is an error");
	check_read("abcd,abcde\n", 11, 4, "!65 line 1: field longer than 4 bytes", "a field longer than max_field");
	check_read("abcd,\"ab\"\n", 10, 4, "abcd|ab;", "fields up to max_field are fine");

	{
		FILE *fp = input("x,y\n\"multi\nline\",z\nlast\n", 24);
		struct csvr r;
		struct err e;
		size_t len = 99;
		unsigned long lines[3];
		int i = 0;

		csvr_init(&r, fp);
		while (i < 3 && csvr_read(&r, &e) > 0)
			lines[i++] = r.row_line;
		ok(i == 3 && lines[0] == 1 && lines[1] == 2 && lines[2] == 4, "row_line is the line a record starts on");
		ok(csvr_read(&r, &e) == 0 && csvr_read(&r, &e) == 0, "end of input stays the end");
		ok(csvr_field(&r, 0, &len) == NULL && len == 0, "a field past the record is NULL");
		csvr_free(&r);
		fclose(fp);
	}
}

/* What the writer writes, the reader reads back (except a lone \r, which Python's writer leaves bare). */
static void
test_round_trip(void)
{
	static const char *fields[] = {
		"plain", "", "with, comma", "\"quoted\"", "multi\nline", "crlf\r\ninside", " spaced ",
		"\"", ",", "\n", "caf\xc3\xa9", "a\"b\"\"c",
	};
	size_t nf = sizeof fields / sizeof fields[0], i, len;
	char *buf = NULL;
	size_t buflen = 0;
	FILE *out = open_memstream(&buf, &buflen);
	struct csvw w;
	struct csvr r;
	struct err e;
	FILE *in;
	int good = 1;

	csvw_init(&w, out);
	for (i = 0; i < nf; i++)
		csvw_fieldz(&w, fields[i]);
	csvw_end_row(&w);
	csvw_fieldz(&w, "");
	csvw_end_row(&w);
	fclose(out);

	in = input(buf, buflen);
	csvr_init(&r, in);
	good = csvr_read(&r, &e) == 1 && r.nfields == nf;
	for (i = 0; good && i < nf; i++) {
		const char *f = csvr_field(&r, i, &len);

		good = len == strlen(fields[i]) && memcmp(f, fields[i], len) == 0;
	}
	ok(good, "round trip of tricky fields");
	ok(csvr_read(&r, &e) == 1 && r.nfields == 1 && csvr_field(&r, 0, &len)[0] == '\0' && len == 0,
	    "round trip of a row of one empty field");
	ok(csvr_read(&r, &e) == 0, "round trip ends");
	csvr_free(&r);
	fclose(in);
	free(buf);
}

/* "csv recode": read CSV on stdin and write it again on stdout, for t/t1001-csv-golden.sh. */
static int
recode(void)
{
	struct csvr r;
	struct csvw w;
	struct err e;
	size_t i, len;
	int rc;

	csvr_init(&r, stdin);
	r.max_field = SIZE_MAX;
	csvw_init(&w, stdout);
	while ((rc = csvr_read(&r, &e)) > 0) {
		for (i = 0; i < r.nfields; i++) {
			const char *f = csvr_field(&r, i, &len);

			csvw_field(&w, f, len);
		}
		csvw_end_row(&w);
	}
	csvr_free(&r);
	if (rc < 0) {
		fprintf(stderr, "csv: stdin: %s\n", e.msg);
		return e.code;
	}
	if (csvw_error(&w) || fclose(stdout) != 0) {
		fprintf(stderr, "csv: write error\n");
		return 74;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "recode") == 0)
		return recode();
	if (argc != 1) {
		fprintf(stderr, "usage: csv [recode]\n");
		return 64;
	}
	printf("1..43\n");
	test_writer();
	test_reader();
	test_round_trip();
	return nfail == 0 && ntest == 43 ? 0 : 1;
}
