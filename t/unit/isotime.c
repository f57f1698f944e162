/*
 * isotime unit test. The table holds what dateutil's isoparse and datetime.isoformat() give for each text
 * (generated with CPython 3.11 and dateutil 2.9, whose isoparse equals 2.8.1's on every form listed
 * here), the instant as epoch microseconds, and the few texts dateutil accepts that we refuse on purpose.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "util/isotime.h"

static int ntest, nfail;

static void
ok(int cond, const char *title)
{
	ntest++;
	if (!cond)
		nfail++;
	printf("%s %d - %s\n", cond ? "ok" : "not ok", ntest, title);
}

struct vector {
	const char *text;
	int valid;
	int64_t usec;		/* the instant */
	int offset_min;
	int has_offset;
	const char *isoformat;	/* datetime.isoformat() of the parsed value */
};

static const struct vector vectors[] = {
	{ "2020-11-01T00:00:00+03:00", 1, INT64_C(1604178000000000), 180, 1, "2020-11-01T00:00:00+03:00" },
	{ "2100-01-01T00:00+03:00", 1, INT64_C(4102434000000000), 180, 1, "2100-01-01T00:00:00+03:00" },
	{ "2020-12-27T24:00+03:00", 1, INT64_C(1609102800000000), 180, 1, "2020-12-28T00:00:00+03:00" },
	{ "2020-12-27T24:00:00+03:00", 1, INT64_C(1609102800000000), 180, 1, "2020-12-28T00:00:00+03:00" },
	{ "2020-12-27T24:00:00.000+03:00", 1, INT64_C(1609102800000000), 180, 1, "2020-12-28T00:00:00+03:00" },
	{ "2020-12-31T24:00Z", 1, INT64_C(1609459200000000), 0, 1, "2021-01-01T00:00:00+00:00" },
	{ "2020-02-28T24:00Z", 1, INT64_C(1582934400000000), 0, 1, "2020-02-29T00:00:00+00:00" },
	{ "2021-05-13T09:00:00.123456+00:00", 1, INT64_C(1620896400123456), 0, 1, "2021-05-13T09:00:00.123456+00:00" },
	{ "2021-05-13T09:00:00.5Z", 1, INT64_C(1620896400500000), 0, 1, "2021-05-13T09:00:00.500000+00:00" },
	{ "2021-05-13T09:00:00,25Z", 1, INT64_C(1620896400250000), 0, 1, "2021-05-13T09:00:00.250000+00:00" },
	{ "2021-05-13T09:00:00.1234567891+00:00", 1, INT64_C(1620896400123456), 0, 1, "2021-05-13T09:00:00.123456+00:00" },
	{ "2021-05-13T09:00:00.000001+00:00", 1, INT64_C(1620896400000001), 0, 1, "2021-05-13T09:00:00.000001+00:00" },
	{ "2021-05-13T09:00:00.000000+00:00", 1, INT64_C(1620896400000000), 0, 1, "2021-05-13T09:00:00+00:00" },
	{ "2020-11-12T09:00:00Z", 1, INT64_C(1605171600000000), 0, 1, "2020-11-12T09:00:00+00:00" },
	{ "2020-11-12T09:00:00z", 1, INT64_C(1605171600000000), 0, 1, "2020-11-12T09:00:00+00:00" },
	{ "2021-04-10T11:22:33+0000", 1, INT64_C(1618053753000000), 0, 1, "2021-04-10T11:22:33+00:00" },
	{ "2021-04-10T11:22:33-0000", 1, INT64_C(1618053753000000), 0, 1, "2021-04-10T11:22:33+00:00" },
	{ "2021-04-10T11:22:33-00:00", 1, INT64_C(1618053753000000), 0, 1, "2021-04-10T11:22:33+00:00" },
	{ "2021-04-10T11:22:33+0530", 1, INT64_C(1618033953000000), 330, 1, "2021-04-10T11:22:33+05:30" },
	{ "2021-04-10T11:22:33-03:30", 1, INT64_C(1618066353000000), -210, 1, "2021-04-10T11:22:33-03:30" },
	{ "2021-04-10T11:22:33+03", 1, INT64_C(1618042953000000), 180, 1, "2021-04-10T11:22:33+03:00" },
	{ "2021-04-10T11:22:33-11", 1, INT64_C(1618093353000000), -660, 1, "2021-04-10T11:22:33-11:00" },
	{ "2021-04-10 11:22:33+03:00", 1, INT64_C(1618042953000000), 180, 1, "2021-04-10T11:22:33+03:00" },
	{ "2021-04-10t11:22:33+03:00", 1, INT64_C(1618042953000000), 180, 1, "2021-04-10T11:22:33+03:00" },
	{ "2021-04-10T11", 1, INT64_C(1618052400000000), 0, 0, "2021-04-10T11:00:00" },
	{ "2021-04-10T1122", 1, INT64_C(1618053720000000), 0, 0, "2021-04-10T11:22:00" },
	{ "2021-04-10T112233", 1, INT64_C(1618053753000000), 0, 0, "2021-04-10T11:22:33" },
	{ "2021-04-10T112233.5-0100", 1, INT64_C(1618057353500000), -60, 1, "2021-04-10T11:22:33.500000-01:00" },
	{ "20210410T112233+03:00", 1, INT64_C(1618042953000000), 180, 1, "2021-04-10T11:22:33+03:00" },
	{ "20210410", 1, INT64_C(1618012800000000), 0, 0, "2021-04-10T00:00:00" },
	{ "2021-04-10", 1, INT64_C(1618012800000000), 0, 0, "2021-04-10T00:00:00" },
	{ "2021-04", 1, INT64_C(1617235200000000), 0, 0, "2021-04-01T00:00:00" },
	{ "2021", 1, INT64_C(1609459200000000), 0, 0, "2021-01-01T00:00:00" },
	{ "2021-100", 1, INT64_C(1618012800000000), 0, 0, "2021-04-10T00:00:00" },
	{ "2021100T12:00Z", 1, INT64_C(1618056000000000), 0, 1, "2021-04-10T12:00:00+00:00" },
	{ "2020-366", 1, INT64_C(1609372800000000), 0, 0, "2020-12-31T00:00:00" },
	{ "2021-W01", 1, INT64_C(1609718400000000), 0, 0, "2021-01-04T00:00:00" },
	{ "2021-W01-1", 1, INT64_C(1609718400000000), 0, 0, "2021-01-04T00:00:00" },
	{ "2021W015", 1, INT64_C(1610064000000000), 0, 0, "2021-01-08T00:00:00" },
	{ "2020-W53-7T10:00+01:00", 1, INT64_C(1609664400000000), 60, 1, "2021-01-03T10:00:00+01:00" },
	{ "2020-02-29T12:00:00Z", 1, INT64_C(1582977600000000), 0, 1, "2020-02-29T12:00:00+00:00" },
	{ "2000-02-29T00:00:00Z", 1, INT64_C(951782400000000), 0, 1, "2000-02-29T00:00:00+00:00" },
	{ "2024-02-29T23:59:59.999999-12:00", 1, INT64_C(1709294399999999), -720, 1, "2024-02-29T23:59:59.999999-12:00" },
	{ "1969-12-31T23:59:59.999999Z", 1, INT64_C(-1), 0, 1, "1969-12-31T23:59:59.999999+00:00" },
	{ "1969-12-31T23:59:59Z", 1, INT64_C(-1000000), 0, 1, "1969-12-31T23:59:59+00:00" },
	{ "1970-01-01T00:00:00Z", 1, INT64_C(0), 0, 1, "1970-01-01T00:00:00+00:00" },
	{ "1900-01-01T00:00:00+00:00", 1, INT64_C(-2208988800000000), 0, 1, "1900-01-01T00:00:00+00:00" },
	{ "0001-01-01T00:00:00Z", 1, INT64_C(-62135596800000000), 0, 1, "0001-01-01T00:00:00+00:00" },
	{ "0001-01-01T00:00:00+01:00", 1, INT64_C(-62135600400000000), 60, 1, "0001-01-01T00:00:00+01:00" },
	{ "9999-12-31T23:59:59.999999Z", 1, INT64_C(253402300799999999), 0, 1, "9999-12-31T23:59:59.999999+00:00" },
	{ "9999-12-31T23:59:59-23:59", 1, INT64_C(253402387139000000), -1439, 1, "9999-12-31T23:59:59-23:59" },
	{ "1600-03-01T00:00:00+14:00", 1, INT64_C(-11670962400000000), 840, 1, "1600-03-01T00:00:00+14:00" },
	{ "1960-06-15T12:34:56.789-07:00", 1, INT64_C(-301206303211000), -420, 1, "1960-06-15T12:34:56.789000-07:00" },
	{ "2021-02-29", 0, 0, 0, 0, NULL },	/* dateutil 2.9: day is out of range for month */
	{ "2019-02-29T00:00Z", 0, 0, 0, 0, NULL },	/* dateutil 2.9: day is out of range for month */
	{ "1900-02-29T00:00Z", 0, 0, 0, 0, NULL },	/* dateutil 2.9: day is out of range for month */
	{ "2021-04-31T00:00Z", 0, 0, 0, 0, NULL },	/* dateutil 2.9: day is out of range for month */
	{ "2021-13-01T00:00Z", 0, 0, 0, 0, NULL },	/* dateutil 2.9: month must be in 1..12 */
	{ "2021-00-10T00:00Z", 0, 0, 0, 0, NULL },	/* dateutil 2.9: month must be in 1..12 */
	{ "2021-01-00T00:00Z", 0, 0, 0, 0, NULL },	/* dateutil 2.9: day is out of range for month */
	{ "2021-01-32T00:00Z", 0, 0, 0, 0, NULL },	/* dateutil 2.9: day is out of range for month */
	{ "2021-01-01T25:00Z", 0, 0, 0, 0, NULL },	/* dateutil 2.9: hour must be in 0..23 */
	{ "2021-01-01T24:01Z", 0, 0, 0, 0, NULL },	/* dateutil 2.9: Hour may only be 24 at 24:00:00.000 */
	{ "2021-01-01T24:00:01Z", 0, 0, 0, 0, NULL },	/* dateutil 2.9: Hour may only be 24 at 24:00:00.000 */
	{ "2021-01-01T24:00:00.000001Z", 0, 0, 0, 0, NULL },	/* dateutil 2.9: Hour may only be 24 at 24:00:00.000 */
	{ "2021-01-01T12:60Z", 0, 0, 0, 0, NULL },	/* dateutil 2.9: minute must be in 0..59 */
	{ "2021-01-01T12:00:60Z", 0, 0, 0, 0, NULL },	/* dateutil 2.9: second must be in 0..59 */
	{ "2021-01-01T12:00:61Z", 0, 0, 0, 0, NULL },	/* dateutil 2.9: second must be in 0..59 */
	{ "9999-12-31T24:00Z", 0, 0, 0, 0, NULL },	/* dateutil 2.9: date value out of range */
	{ "0000-01-01T00:00Z", 0, 0, 0, 0, NULL },	/* dateutil 2.9: year 0 is out of range */
	{ "2021-01-01T12:00+24:00", 0, 0, 0, 0, NULL },	/* dateutil 2.9: Invalid hours in time zone offset */
	{ "2021-01-01T12:00+03:60", 0, 0, 0, 0, NULL },	/* dateutil 2.9: Invalid minutes in time zone offset */
	{ "2021-01-01T12:00+3:00", 0, 0, 0, 0, NULL },	/* dateutil 2.9: invalid literal for int() with base 10: b'3:' */
	{ "2021-01-01T12:00+03:0", 0, 0, 0, 0, NULL },	/* dateutil 2.8.1 accepts this; refused on purpose: an offset is +HH, +HHMM or +HH:MM */
	{ "2021-01-01T12:00+030", 0, 0, 0, 0, NULL },	/* dateutil 2.9: Time zone offset must be 1, 3, 5 or 6 characters */
	{ "2021-01-01T12:00+03:00:00", 0, 0, 0, 0, NULL },	/* dateutil 2.9: Time zone offset must be 1, 3, 5 or 6 characters */
	{ "2021-01-01T12:00 +03:00", 0, 0, 0, 0, NULL },	/* dateutil 2.9: Inconsistent use of colon separator */
	{ "2021-01-01T12:00Zjunk", 0, 0, 0, 0, NULL },	/* dateutil 2.9: Time zone offset requires sign */
	{ "2021-01-01T12:0000", 0, 0, 0, 0, NULL },	/* dateutil 2.8.1 accepts mixed colons; 2.8.2 and later refuse them, as we do */
	{ "2021-01-01T1200:00", 0, 0, 0, 0, NULL },	/* dateutil 2.9: invalid literal for int() with base 10: b':0' */
	{ "2021-01-01T12:00:00.", 0, 0, 0, 0, NULL },	/* dateutil 2.9: Unused components in ISO string */
	{ "2021-01-01T12:00.5", 0, 0, 0, 0, NULL },	/* dateutil 2.9: Inconsistent use of colon separator */
	{ "2021-01-01T12:3", 0, 0, 0, 0, NULL },	/* dateutil 2.8.1 accepts this; refused on purpose: every number has its full width */
	{ "2021-01-01T", 0, 0, 0, 0, NULL },	/* dateutil 2.9: ISO time too short */
	{ "2021-01-01T1", 0, 0, 0, 0, NULL },	/* dateutil 2.9: ISO time too short */
	{ "2021-01-01T+03:00", 0, 0, 0, 0, NULL },	/* dateutil 2.8.1 accepts this; refused on purpose: a time needs its hour */
	{ "2021-01-01X12:00", 0, 0, 0, 0, NULL },	/* dateutil 2.8.1 accepts this; refused on purpose: the separator is T, t or a space */
	{ "2021-01-01 12:00:00 ", 0, 0, 0, 0, NULL },	/* dateutil 2.9: Unused components in ISO string */
	{ " 2021-01-01", 0, 0, 0, 0, NULL },	/* dateutil 2.9: invalid literal for int() with base 10: b'1-0' */
	{ "2021-1-01", 0, 0, 0, 0, NULL },	/* dateutil 2.9: invalid literal for int() with base 10: b'1-0' */
	{ "2021-01-1", 0, 0, 0, 0, NULL },	/* dateutil 2.9: invalid literal for int() with base 10: b'01-' */
	{ "202101", 0, 0, 0, 0, NULL },	/* dateutil 2.9: Invalid ordinal day */
	{ "2021-01T12:00", 0, 0, 0, 0, NULL },	/* dateutil 2.9: invalid literal for int() with base 10: b'01T' */
	{ "2021T12:00", 0, 0, 0, 0, NULL },	/* dateutil 2.9: invalid literal for int() with base 10: b'T12' */
	{ "2021-W01T12:00", 0, 0, 0, 0, NULL },	/* dateutil 2.9: Inconsistent use of dash separator */
	{ "2021-W54", 0, 0, 0, 0, NULL },	/* dateutil 2.9: Invalid week: 54 */
	{ "2021-W01-8", 0, 0, 0, 0, NULL },	/* dateutil 2.9: Invalid weekday: 8 */
	{ "2021-W00", 0, 0, 0, 0, NULL },	/* dateutil 2.9: Invalid week: 0 */
	{ "2021-367", 0, 0, 0, 0, NULL },	/* dateutil 2.9: Invalid ordinal day 367 for year 2021 */
	{ "2021-000", 0, 0, 0, 0, NULL },	/* dateutil 2.9: Invalid ordinal day 0 for year 2021 */
	{ "2021-001T00:00:00-00:00", 1, INT64_C(1609459200000000), 0, 1, "2021-01-01T00:00:00+00:00" },
	{ "+2021-01-01", 0, 0, 0, 0, NULL },	/* dateutil 2.9: invalid literal for int() with base 10: b'1-0' */
	{ "2021-01-01T12:00:00.1_2", 0, 0, 0, 0, NULL },	/* dateutil 2.9: Unused components in ISO string */
	{ "2021-01-01T1\xef""\xbc""\x92"":00", 0, 0, 0, 0, NULL },	/* dateutil 2.9: ISO-8601 strings should contain only ASCII characters */
};

static void
test_vectors(void)
{
	size_t i;

	for (i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
		const struct vector *v = &vectors[i];
		struct isotime t = { 0, 0, 0 };
		struct err e = { 0, "" };
		char title[200], buf[64] = "";
		int rc = iso_parse(v->text, strlen(v->text), &t, &e), good;

		if (v->valid) {
			size_t n = rc == 0 ? iso_format(&t, buf, sizeof buf) : 0;

			good = rc == 0 && t.usec == v->usec && t.offset_min == v->offset_min
			    && t.has_offset == v->has_offset && n == strlen(v->isoformat) && strcmp(buf, v->isoformat) == 0;
			snprintf(title, sizeof title, "'%s' -> %s", v->text, v->isoformat);
			ok(good, title);
			if (!good)
				printf("# got rc %d usec %" PRId64 " offset %d/%d '%s' (%s); expected usec %" PRId64
				    " offset %d/%d\n", rc, t.usec, t.offset_min, t.has_offset, buf,
				    rc ? e.msg : "", v->usec, v->offset_min, v->has_offset);
		} else {
			good = rc == -1 && e.code == 65 && strncmp(e.msg, "not an ISO-8601 date-time: '", 28) == 0;
			snprintf(title, sizeof title, "'%s' is refused", v->text);
			ok(good, title);
			if (!good)
				printf("# got rc %d code %d '%s'\n", rc, e.code, e.msg);
		}
	}
}

static void
check_msg(const char *text, size_t len, const char *want, const char *title)
{
	struct isotime t;
	struct err e = { 0, "" };
	int good = iso_parse(text, len, &t, &e) == -1 && e.code == 65 && strcmp(e.msg, want) == 0;

	ok(good, title);
	if (!good)
		printf("# got '%s'\n# expected '%s'\n", e.msg, want);
}

static void
test_messages(void)
{
	char long_text[200];

	check_msg("2021-02-29", 10, "not an ISO-8601 date-time: '2021-02-29' (day out of range for the month)",
	    "message names the text and the reason");
	check_msg("12:60", 5, "not an ISO-8601 date-time: '12:60' (expected a date YYYY-MM-DD)",
	    "a time alone is not a date-time");
	check_msg("2021-01-01T10:00\n", 17,
	    "not an ISO-8601 date-time: '2021-01-01T10:00\\x0a' (expected a time HH:MM[:SS[.ffffff]])",
	    "control characters are escaped");
	check_msg("a'b\\c\x7f", 6, "not an ISO-8601 date-time: 'a\\'b\\\\c\\x7f' (expected a date YYYY-MM-DD)",
	    "quote, backslash and DEL are escaped");
	check_msg("2021\0-01-01", 11, "not an ISO-8601 date-time: '2021\\x00-01-01' (expected a date YYYY-MM-DD)",
	    "a NUL inside the text is escaped, not the end");
	check_msg("", 0, "not an ISO-8601 date-time: '' (expected a date YYYY-MM-DD)", "the empty string");
	memset(long_text, 'x', sizeof long_text);
	check_msg(long_text, sizeof long_text,
	    "not an ISO-8601 date-time: '"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "...' (expected a date YYYY-MM-DD)", "a long text is cut at 64 bytes");
	/* 63 x then a 2-byte UTF-8 character across the cut: cut before it, not inside. */
	memset(long_text, 'x', 63);
	memcpy(long_text + 63, "\xc3\xa9", 2);
	memset(long_text + 65, 'y', 10);
	check_msg(long_text, 75,
	    "not an ISO-8601 date-time: '"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "...' (expected a date YYYY-MM-DD)", "the cut keeps UTF-8 characters whole");
	check_msg("2020-12-27T24:01+03:00", 22,
	    "not an ISO-8601 date-time: '2020-12-27T24:01+03:00' (hour 24 is allowed only as 24:00:00)",
	    "the hour-24 rule is explained");
	{
		struct isotime t;

		ok(iso_parse("2021-01-01T10:00Zjunk", 16, &t, NULL) == 0 && t.has_offset == 0,
		    "only len bytes are read (the text need not end in NUL)");
		ok(iso_parse("nope", 4, &t, NULL) == -1, "a NULL err is allowed");
	}
}

static void
check_format(const struct isotime *t, const char *want, const char *title)
{
	char buf[64];
	size_t n = iso_format(t, buf, sizeof buf);

	ok(n == strlen(want) && strcmp(buf, want) == 0, title);
	if (strcmp(buf, want) != 0)
		printf("# got '%s' expected '%s'\n", buf, want);
}

static void
check_utc(int64_t usec, const char *want, const char *title)
{
	char buf[64];
	size_t n = iso_format_utc(usec, buf, sizeof buf);

	ok(n == strlen(want) && strcmp(buf, want) == 0, title);
	if (strcmp(buf, want) != 0)
		printf("# got '%s' expected '%s'\n", buf, want);
}

static void
test_format(void)
{
	struct isotime t;
	char small[11];
	size_t n;

	/* datetime(2021,5,13,17,25,31,123456,tzinfo=timezone.utc).timestamp() */
	check_utc(INT64_C(1620926731123456), "2021-05-13T17:25:31.123456+00:00", "iso_format_utc with microseconds");
	check_utc(INT64_C(1620926731000000), "2021-05-13T17:25:31+00:00", "iso_format_utc without microseconds");
	check_utc(0, "1970-01-01T00:00:00+00:00", "the epoch");
	check_utc(-1, "1969-12-31T23:59:59.999999+00:00", "one microsecond before the epoch (floor division)");
	check_utc(INT64_C(-86400000000), "1969-12-31T00:00:00+00:00", "one day before the epoch");
	check_utc(INT64_C(-86400000001), "1969-12-30T23:59:59.999999+00:00", "a day and a microsecond before");
	check_utc(INT64_C(-2208988800000000), "1900-01-01T00:00:00+00:00", "1900");
	check_utc(INT64_C(-62135596800000000), "0001-01-01T00:00:00+00:00", "year 1, padded to four digits");
	check_utc(INT64_C(-59011459200000000), "0100-01-01T00:00:00+00:00", "year 100");
	check_utc(INT64_C(253402300799999999), "9999-12-31T23:59:59.999999+00:00", "the last microsecond of 9999");
	check_utc(INT64_C(951782400000000), "2000-02-29T00:00:00+00:00", "2000-02-29");
	check_utc(INT64_C(4107542400000000), "2100-03-01T00:00:00+00:00", "2100 is not a leap year");

	t.usec = INT64_C(4102434000000000);	/* 2100-01-01T00:00+03:00 */
	t.offset_min = 180;
	t.has_offset = 1;
	check_format(&t, "2100-01-01T00:00:00+03:00", "iso_format in the value's offset");
	t.offset_min = -210;
	check_format(&t, "2099-12-31T17:30:00-03:30", "a negative offset with minutes");
	t.offset_min = 0;
	check_format(&t, "2099-12-31T21:00:00+00:00", "a zero offset is +00:00");
	t.has_offset = 0;
	t.offset_min = 180;
	check_format(&t, "2099-12-31T21:00:00", "a naive value has no offset (offset_min ignored)");
	t.usec = -1;
	t.has_offset = 1;
	t.offset_min = 60;
	check_format(&t, "1970-01-01T00:59:59.999999+01:00", "a negative instant in a positive offset");

	n = iso_format_utc(0, small, sizeof small);
	ok(n == 25 && strcmp(small, "1970-01-01") == 0, "a short buffer is cut and terminated; the full length is returned");
}

static void
test_round_trips(void)
{
	static const int64_t instants[] = {
		INT64_C(-62135596800000000), INT64_C(-12219292800000000), INT64_C(-1), 0, 1,
		INT64_C(951782399999999), INT64_C(1609102800000000), INT64_C(1620926731123456),
		INT64_C(253402300799999999),
	};
	static const int offsets[] = { 0, 180, -210, 1439, -1439, 330 };
	size_t i, j;
	int good = 1;

	for (i = 0; i < sizeof instants / sizeof instants[0]; i++) {
		for (j = 0; j < sizeof offsets / sizeof offsets[0]; j++) {
			struct isotime t = { instants[i], offsets[j], 1 }, back;
			struct err e;
			char buf[64];
			size_t n = iso_format(&t, buf, sizeof buf);

			if (iso_parse(buf, n, &back, &e) != 0) {
				/* The local time of the extreme instants leaves 0001..9999: Python cannot write them either. */
				if ((i == 0 && offsets[j] < 0) || (i + 1 == sizeof instants / sizeof instants[0] && offsets[j] > 0))
					continue;
				printf("# '%s' did not parse: %s\n", buf, e.msg);
				good = 0;
			} else if (back.usec != t.usec || back.offset_min != t.offset_min || !back.has_offset) {
				printf("# '%s' came back as %" PRId64 " %d\n", buf, back.usec, back.offset_min);
				good = 0;
			}
		}
	}
	ok(good, "format then parse gives the same instant and offset");

	/* Every day from 1599-12-25 to 2401-01-05 at a varying time of day: parse(format(x)) == x. */
	good = 1;
	for (int64_t day = -135153; day <= 157790 && good; day++) {
		int64_t usec = day * INT64_C(86400000000) + (day * INT64_C(7919000123)) % INT64_C(86400000000);
		struct isotime back;
		struct err e;
		char buf[64];
		size_t n = iso_format_utc(usec, buf, sizeof buf);

		if (iso_parse(buf, n, &back, &e) != 0 || back.usec != usec) {
			printf("# day %" PRId64 ": '%s'\n", day, buf);
			good = 0;
		}
	}
	ok(good, "round trip of every day over eight centuries");
}

int
main(void)
{
	printf("1..%zu\n", sizeof vectors / sizeof vectors[0] + 11 + 18 + 2);
	test_vectors();
	test_messages();
	test_format();
	test_round_trips();
	return nfail == 0 ? 0 : 1;
}
