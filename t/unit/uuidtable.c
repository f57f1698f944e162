/*
 * uuidtable unit test: phone normalisation as CoreDataModules' PhoneCleaner.normalise_phone, the uid form, the
 * file backend (create, reload, append-only lines, a torn last line, a bad line, mode 0600, the exclusive lock).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/uuidtable.h"

static int ntest, nfail;

static void
ok(int cond, const char *title)
{
	ntest++;
	if (!cond)
		nfail++;
	printf("%s %d - %s\n", cond ? "ok" : "not ok", ntest, title);
}

static void
is_str(const char *got, const char *want, const char *title)
{
	int good = got != NULL && strcmp(got, want) == 0;

	ok(good, title);
	if (!good)
		printf("# got '%s', expected '%s'\n", got ? got : "(null)", want);
}

static void
norm(const char *in, const char *want)
{
	char out[256];
	char title[300];

	uuid_normalise_phone(in, strlen(in), out);
	snprintf(title, sizeof title, "normalise_phone(%s)", in);
	is_str(out, want, title);
}

static int
is_uid(const char *s, const char *prefix)
{
	size_t pl = strlen(prefix);

	if (strncmp(s, prefix, pl) != 0 || strlen(s) != pl + 36)
		return 0;
	s += pl;
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!strchr("0123456789abcdef", s[i]))
			return 0;
	}
	return s[14] == '4' && strchr("89ab", s[19]) != NULL;
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	static char b[65536];
	size_t n;

	if (f == NULL)
		return NULL;
	n = fread(b, 1, sizeof b - 1, f);
	b[n] = '\0';
	fclose(f);
	return b;
}

static void
spit(const char *path, const char *s, int mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	if (fd == -1 || write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		perror(path);
	fchmod(fd, (mode_t)mode);
	close(fd);
}

int
main(void)
{
	char dir[] = "/tmp/uuidtable-test.XXXXXX";
	char path[256], uid[128];
	struct uuid_table *t;
	struct err e;
	const char *uids[4];

	norm("tel:+252612345678", "252612345678");
	norm("whatsapp:252612345678", "252612345678");
	norm("telegram:1234567890", "1234567890");
	norm("tel:0061 2-345", "612345");
	norm("tel:000", "");
	norm("twitter:jack", "");
	norm("", "");
	norm("+٣٣ 12", "12");	/* non-ASCII digits are not [0-9] for re */

	ok(uuid_make("avf-phone-uuid-", uid, sizeof uid, &e) == 0 && is_uid(uid, "avf-phone-uuid-"),
	    "uuid_make gives <prefix><uuid4>");
	{
		char uid2[128];
		uuid_make("p-", uid2, sizeof uid2, &e);
		ok(strcmp(uid + 15, uid2 + 2) != 0, "two uids differ");
	}

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof path, "%s/table.jsonl", dir);

	ok(uuidtable_open_file(&t, path, "avf-phone-uuid-", &e) == 0, "a missing table is created");
	{
		struct stat st;
		ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "with mode 0600");
	}
	{
		const char *d[] = {"252612345678", "1234", "252612345678"};
		size_t l[] = {12, 4, 12};
		long n = uuidtable_data_to_uuid_batch(t, 3, d, l, uids, &e);
		ok(n == 2, "a batch of three with a repeat makes two mappings");
		ok(is_uid(uids[0], "avf-phone-uuid-") && is_uid(uids[1], "avf-phone-uuid-"), "uids have the form");
		ok(uids[0] == uids[2], "a repeated identifier gets one uid");
		ok(strcmp(uids[0], uids[1]) != 0, "two identifiers get two uids");
	}
	{
		size_t dl;
		const char *d = uuidtable_uuid_to_data(t, uids[1], strlen(uids[1]), &dl);
		ok(d != NULL && dl == 4 && memcmp(d, "1234", 4) == 0, "uuid_to_data finds the identifier");
		ok(uuidtable_uuid_to_data(t, "nope", 4, NULL) == NULL, "an unknown uid is absent");
	}
	{
		char want[512];
		snprintf(want, sizeof want, "{\"data\": \"252612345678\", \"uuid\": \"%s\"}\n"
		    "{\"data\": \"1234\", \"uuid\": \"%s\"}\n", uids[0], uids[2] == uids[0] ? uids[1] : uids[2]);
		is_str(slurp(path), want, "the file holds one line per mapping, in creation order");
	}
	/* The lock: another process cannot take it while the table is open. */
	{
		pid_t pid = fork();
		if (pid == 0) {
			int fd = open(path, O_RDONLY);
			_exit(flock(fd, LOCK_EX | LOCK_NB) == 0 ? 0 : 3);
		}
		int status;
		waitpid(pid, &status, 0);
		ok(WIFEXITED(status) && WEXITSTATUS(status) == 3, "the table is locked while open");
	}
	{
		char keep0[128], keep1[128];
		strcpy(keep0, uids[0]);
		strcpy(keep1, uids[1]);
		uuidtable_close(t);
		ok(uuidtable_open_file(&t, path, "avf-phone-uuid-", &e) == 0, "the table opens again");
		is_str(uuidtable_lookup(t, "252612345678", 12), keep0, "and keeps its first mapping");
		is_str(uuidtable_lookup(t, "1234", 4), keep1, "and its second");
		ok(uuidtable_count(t) == 2, "count is 2");
		const char *d[] = {"1234", "99"};
		size_t l[] = {4, 2};
		ok(uuidtable_data_to_uuid_batch(t, 2, d, l, uids, &e) == 1, "only the new identifier is added");
		is_str(uids[0], keep1, "the known one keeps its uid");
		const char *empty[] = {"5", ""};
		size_t el[] = {1, 0};
		ok(uuidtable_data_to_uuid_batch(t, 2, empty, el, uids, &e) == -1 && e.code == 65,
		    "an empty identifier is refused (65)");
		ok(uuidtable_lookup(t, "5", 1) == NULL && uuidtable_count(t) == 3, "and nothing of that batch is kept");
		uuidtable_close(t);
	}
	/* Pre-seeded tables, torn lines, bad lines, modes. */
	spit(path, "{\"data\": \"252613653268\", \"uuid\": \"avf-phone-uuid-1\"}\n"
	    "{\"uuid\":\"avf-phone-uuid-2\",\"data\":\"252627541882\"}\n"
	    "{\"data\": \"252613653268\", \"uuid\": \"avf-phone-uuid-9\"}\n"
	    "{\"data\": \"3\", \"uu", 0600);
	ok(uuidtable_open_file(&t, path, "avf-phone-uuid-", &e) == 0, "a pre-seeded table with a torn last line opens");
	is_str(uuidtable_lookup(t, "252613653268", 12), "avf-phone-uuid-1", "the first line of an identifier wins");
	is_str(uuidtable_lookup(t, "252627541882", 12), "avf-phone-uuid-2", "any JSON spelling is read");
	ok(uuidtable_count(t) == 2, "the torn line is not a mapping");
	uuidtable_close(t);
	{
		const char *s = slurp(path);
		ok(s != NULL && s[strlen(s) - 1] == '\n' && strstr(s, "\"3\"") == NULL, "and it is cut from the file");
	}
	spit(path, "{\"data\": \"1\", \"uuid\": \"u1\"}\n[1]\n", 0600);
	ok(uuidtable_open_file(&t, path, "p-", &e) == -1 && e.code == 65, "a bad line is 65");
	ok(strstr(e.msg, "/table.jsonl:2: not a mapping (expected {\"data\": ID, \"uuid\": UID})") != NULL,
	    "the message names the file and line");
	spit(path, "{\"data\": \"1\", \"uuid\": \"u1\"}\n{\"data\": \"2\", \"uuid\": \"u1\"}\n", 0600);
	ok(uuidtable_open_file(&t, path, "p-", &e) == -1 && e.code == 65, "one uid for two identifiers is 65");
	spit(path, "", 0644);
	ok(uuidtable_open_file(&t, path, "p-", &e) == -1 && e.code == 77, "a table readable by others is refused (77)");

	unlink(path);
	rmdir(dir);
	printf("1..%d\n", ntest);
	return nfail != 0;
}
