/*
 * isotime: ISO-8601 date-times as dateutil 2.8.1's isoparse reads them and datetime.isoformat() writes them.
 *
 * The grammar follows dateutil/parser/isoparser.py (isoparse with the default separator):
 *   date  YYYY | YYYY-MM | YYYY-MM-DD | YYYYMMDD | YYYY-DDD | YYYYDDD | YYYY-Www[-D] | YYYYWww[D]
 *         (YYYY and YYYY-MM, and a week date without its day, only when nothing follows)
 *   time  HH | HH:MM | HHMM | HH:MM:SS | HHMMSS, then [.,]digits after the seconds (truncated to microseconds)
 *   zone  Z | z | +HH | +HHMM | +HH:MM (or -); a zero offset, -00:00 included, is UTC
 * Hour 24 is midnight at the end of the day and allowed only with zero minutes, seconds and fraction.
 *
 * Deliberately stricter than dateutil where its acceptance is an accident of its implementation, not a
 * documented form: every number is exactly its width of ASCII digits (Python's int() would also take a sign,
 * spaces, underscores or a short last field, so dateutil reads "T12:3" as 12:03); the date-time separator is
 * T, t or a space (dateutil takes any character, which makes "20200728121240" mean 21:24); a time needs its
 * hour ("T+03:00" is midnight for dateutil); colons in a time are all there or all absent ("12:0000" is
 * refused, as dateutil 2.8.2 and later do). The same laxness makes dateutil misread an ordinal date YYYYDDD
 * followed by a space, and YYYY-MM followed by a space, as other dates; we refuse YYYY-MM there and read
 * YYYYDDD as the ordinal date.
 */
#include <stdio.h>
#include <string.h>

#include "util/isotime.h"

#define USEC_PER_SEC	INT64_C(1000000)
#define USEC_PER_DAY	(INT64_C(86400) * USEC_PER_SEC)

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(int y, int m)
{
	static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* Floor division and modulo, so instants before 1970 split into the right day and time of day. */
static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

/* Exactly n ASCII digits at s[pos..pos+n) within len. */
static int
take_digits(const char *s, size_t len, size_t pos, size_t n, int *out)
{
	int v = 0;
	size_t i;

	if (pos > len || len - pos < n)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[pos + i];

		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	*out = v;
	return 0;
}

struct parsed {
	int year, month, day;
	int hour, minute, second, usec;
	int has_offset, offset_min;
	const char *why;	/* what was wrong, for the message */
};

/* YYYY, YYYY-MM, YYYY-MM-DD, YYYYMMDD. 0 and *pos past the date, or -1 (try the uncommon forms). */
static int
parse_date_common(const char *s, size_t len, struct parsed *p, size_t *pos)
{
	int has_sep;

	p->month = p->day = 1;
	if (take_digits(s, len, 0, 4, &p->year) < 0)
		return -1;
	if (len == 4) {
		*pos = 4;
		return 0;
	}
	has_sep = s[4] == '-';
	*pos = 4 + (size_t)has_sep;
	if (take_digits(s, len, *pos, 2, &p->month) < 0)
		return -1;
	*pos += 2;
	if (*pos == len)
		return has_sep ? 0 : -1;	/* YYYY-MM alone; YYYYMM is ambiguous and refused */
	if (has_sep) {
		if (s[*pos] != '-')
			return -1;
		(*pos)++;
	}
	if (take_digits(s, len, *pos, 2, &p->day) < 0)
		return -1;
	*pos += 2;
	return 0;
}

/* Ordinal (YYYY-DDD, YYYYDDD) and ISO week (YYYY-Www[-D], YYYYWww[D]) dates. */
static int
parse_date_uncommon(const char *s, size_t len, struct parsed *p, size_t *pos)
{
	int has_sep, year, n, weekday = 1;
	int64_t days;

	p->why = "expected a date YYYY-MM-DD";
	if (take_digits(s, len, 0, 4, &year) < 0)
		return -1;
	has_sep = len > 4 && s[4] == '-';
	*pos = 4 + (size_t)has_sep;
	if (*pos < len && s[*pos] == 'W') {
		(*pos)++;
		if (take_digits(s, len, *pos, 2, &n) < 0)
			return -1;
		*pos += 2;
		if (*pos < len) {
			if ((s[*pos] == '-') != has_sep)
				return -1;
			*pos += (size_t)has_sep;
			if (take_digits(s, len, *pos, 1, &weekday) < 0)
				return -1;
			(*pos)++;
		}
		if (year < 1) {
			p->why = "year out of range 0001-9999";
			return -1;
		}
		if (n < 1 || n > 53) {
			p->why = "week out of range 01-53";
			return -1;
		}
		if (weekday < 1 || weekday > 7) {
			p->why = "weekday out of range 1-7";
			return -1;
		}
		/* Week 1 is the week holding January 4th; weeks start on Monday (1970-01-01 was a Thursday). */
		days = days_from_civil(year, 1, 4);
		days -= (days + 3) - floor_div(days + 3, 7) * 7;	/* back to Monday */
		days += (int64_t)(n - 1) * 7 + (weekday - 1);
	} else {
		if (take_digits(s, len, *pos, 3, &n) < 0)
			return -1;
		*pos += 3;
		if (year < 1) {
			p->why = "year out of range 0001-9999";
			return -1;
		}
		if (n < 1 || n > 365 + is_leap(year)) {
			p->why = "day of year out of range";
			return -1;
		}
		days = days_from_civil(year, 1, 1) + n - 1;
	}
	{
		int64_t y;

		civil_from_days(days, &y, &p->month, &p->day);
		if (y < 1 || y > 9999) {
			p->why = "year out of range 0001-9999";
			return -1;
		}
		p->year = (int)y;
	}
	return 0;
}

static int
parse_zone(const char *s, size_t len, struct parsed *p)
{
	int hours, minutes = 0;

	p->has_offset = 1;
	p->offset_min = 0;
	if (len == 1 && (s[0] == 'Z' || s[0] == 'z'))
		return 0;
	p->why = "expected Z, +HH, +HHMM or +HH:MM after the time";
	if (len != 3 && len != 5 && len != 6)
		return -1;
	if (s[0] != '+' && s[0] != '-')
		return -1;
	if (take_digits(s, len, 1, 2, &hours) < 0)
		return -1;
	if (len == 5 && take_digits(s, len, 3, 2, &minutes) < 0)
		return -1;
	if (len == 6 && (s[3] != ':' || take_digits(s, len, 4, 2, &minutes) < 0))
		return -1;
	if (minutes > 59) {
		p->why = "offset minutes out of range 00-59";
		return -1;
	}
	if (hours > 23) {
		p->why = "offset hours out of range 00-23";
		return -1;
	}
	p->offset_min = (s[0] == '-' ? -1 : 1) * (hours * 60 + minutes);
	return 0;
}

static int
is_zone_start(char c)
{
	return c == '+' || c == '-' || c == 'Z' || c == 'z';
}

/* HH[[:]MM[[:]SS[[.,]f+]]][zone], colons all present or all absent. */
static int
parse_time(const char *s, size_t len, struct parsed *p)
{
	size_t pos = 0;
	int has_sep = 0;

	p->why = "expected a time HH:MM[:SS[.ffffff]]";
	if (take_digits(s, len, 0, 2, &p->hour) < 0)
		return -1;
	pos = 2;
	if (pos < len && is_zone_start(s[pos]))
		return parse_zone(s + pos, len - pos, p);
	if (pos == len)
		return 0;
	if (s[pos] == ':') {
		has_sep = 1;
		pos++;
	}
	if (take_digits(s, len, pos, 2, &p->minute) < 0)
		return -1;
	pos += 2;
	if (pos < len && is_zone_start(s[pos]))
		return parse_zone(s + pos, len - pos, p);
	if (pos == len)
		return 0;
	if (has_sep) {
		if (s[pos] != ':')
			return -1;
		pos++;
	}
	if (take_digits(s, len, pos, 2, &p->second) < 0)
		return -1;
	pos += 2;
	if (pos < len && (s[pos] == '.' || s[pos] == ',')) {
		size_t start = ++pos, ndigits;
		int scale = 100000;

		while (pos < len && s[pos] >= '0' && s[pos] <= '9')
			pos++;
		ndigits = pos - start;
		if (ndigits == 0)
			return -1;
		/* dateutil keeps the first six digits: truncation, not rounding. */
		for (size_t i = 0; i < ndigits && i < 6; i++) {
			p->usec += (s[start + i] - '0') * scale;
			scale /= 10;
		}
	}
	if (pos < len && is_zone_start(s[pos]))
		return parse_zone(s + pos, len - pos, p);
	return pos == len ? 0 : -1;
}

static int
parse_fields(const char *s, size_t len, struct parsed *p)
{
	size_t pos;

	if (parse_date_common(s, len, p, &pos) < 0 && parse_date_uncommon(s, len, p, &pos) < 0)
		return -1;
	if (pos < len) {
		if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') {
			p->why = "expected T or a space between the date and the time";
			return -1;
		}
		if (parse_time(s + pos + 1, len - pos - 1, p) < 0)
			return -1;
	}
	if (p->year < 1) {
		p->why = "year out of range 0001-9999";
		return -1;
	}
	if (p->month < 1 || p->month > 12) {
		p->why = "month out of range 01-12";
		return -1;
	}
	if (p->day < 1 || p->day > days_in_month(p->year, p->month)) {
		p->why = "day out of range for the month";
		return -1;
	}
	if (p->hour == 24) {
		if (p->minute != 0 || p->second != 0 || p->usec != 0) {
			p->why = "hour 24 is allowed only as 24:00:00";
			return -1;
		}
		if (p->year == 9999 && p->month == 12 && p->day == 31) {
			p->why = "year out of range 0001-9999";
			return -1;
		}
	} else if (p->hour > 23) {
		p->why = "hour out of range 00-23";
		return -1;
	}
	if (p->minute > 59) {
		p->why = "minute out of range 00-59";
		return -1;
	}
	if (p->second > 59) {
		p->why = "second out of range 00-59";
		return -1;
	}
	return 0;
}

/* The text for an error message: at most 64 bytes (cut on a UTF-8 boundary), control characters escaped. */
static void
quote_text(const char *s, size_t len, char *out, size_t n)
{
	size_t shown = len, o = 0, i;

	if (shown > 64) {
		shown = 64;
		while (shown > 0 && ((unsigned char)s[shown] & 0xC0) == 0x80)
			shown--;
	}
	for (i = 0; i < shown && o + 5 < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f || c == '\\' || c == '\'')
			o += (size_t)snprintf(out + o, n - o, c == '\\' ? "\\\\" : c == '\'' ? "\\'" : "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	if (shown < len && o + 4 < n) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

int
iso_parse(const char *s, size_t len, struct isotime *t, struct err *e)
{
	struct parsed p = { 0 };
	int64_t days, usec;

	if (parse_fields(s, len, &p) < 0) {
		char shown[300];

		quote_text(s, len, shown, sizeof shown);
		return err_set(e, EX_DATAERR, "not an ISO-8601 date-time: '%s' (%s)", shown,
		    p.why != NULL ? p.why : "expected YYYY-MM-DDTHH:MM:SS+HH:MM");
	}
	days = days_from_civil(p.year, p.month, p.day);
	if (p.hour == 24) {
		days++;
		p.hour = 0;
	}
	usec = days * USEC_PER_DAY
	    + ((int64_t)p.hour * 3600 + p.minute * 60 + p.second) * USEC_PER_SEC + p.usec;
	t->usec = usec - (int64_t)p.offset_min * 60 * USEC_PER_SEC;
	t->offset_min = p.offset_min;
	t->has_offset = p.has_offset;
	return 0;
}

static char *
put2(char *p, int v)
{
	p[0] = (char)('0' + v / 10 % 10);
	p[1] = (char)('0' + v % 10);
	return p + 2;
}

/* Hand-rolled (no snprintf): the fetch tools format millions of these. */
static size_t
format_local(int64_t local, int has_offset, int offset_min, char *buf, size_t n)
{
	int64_t days = floor_div(local, USEC_PER_DAY), y;
	int64_t tod = local - days * USEC_PER_DAY;
	int m, d, sec = (int)(tod / USEC_PER_SEC), usec = (int)(tod % USEC_PER_SEC);
	char t[64], *p = t;

	civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999) {
		int len = snprintf(t, sizeof t, "%04lld", (long long)y);
		p = t + (len > 0 ? len : 0);
	} else {
		p = put2(p, (int)(y / 100));
		p = put2(p, (int)(y % 100));
	}
	*p++ = '-';
	p = put2(p, m);
	*p++ = '-';
	p = put2(p, d);
	*p++ = 'T';
	p = put2(p, sec / 3600);
	*p++ = ':';
	p = put2(p, sec / 60 % 60);
	*p++ = ':';
	p = put2(p, sec % 60);
	if (usec != 0) {
		*p++ = '.';
		p = put2(p, usec / 10000);
		p = put2(p, usec / 100 % 100);
		p = put2(p, usec % 100);
	}
	if (has_offset) {
		int a = offset_min < 0 ? -offset_min : offset_min;

		*p++ = offset_min < 0 ? '-' : '+';
		p = put2(p, a / 60 % 100);
		*p++ = ':';
		p = put2(p, a % 60);
	}
	*p = '\0';
	size_t len = (size_t)(p - t);
	if (n > 0) {
		size_t c = len < n - 1 ? len : n - 1;
		memcpy(buf, t, c);
		buf[c] = '\0';
	}
	return len;
}

size_t
iso_format(const struct isotime *t, char *buf, size_t n)
{
	int offset = t->has_offset ? t->offset_min : 0;

	return format_local(t->usec + (int64_t)offset * 60 * USEC_PER_SEC, t->has_offset, offset, buf, n);
}

size_t
iso_format_utc(int64_t usec, char *buf, size_t n)
{
	return format_local(usec, 1, 0, buf, n);
}
