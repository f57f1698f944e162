#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "net/gauth.h"
#include "cli.h"
#include "util/atomic.h"

const char *cli_tool = "tdtools";
static char stdout_buf[1 << 16];

static void
on_signal(int sig)
{
	atomic_cleanup_all();
	_exit(128 + sig);
}

void
cli_init(const char *tool)
{
	struct sigaction sa;

	cli_tool = tool;
	setvbuf(stdout, stdout_buf, _IOFBF, sizeof stdout_buf);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_DFL);
}

static void
vmsg(const char *fmt, va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "%s: ", cli_tool);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
cli_die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	atomic_cleanup_all();
	exit(code);
}

void
cli_fail(const struct err *e)
{
	cli_die(e->code ? e->code : TD_EXIT_FAILURE, "%s", e->msg);
}

void
cli_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

void
cli_usage(const char *usage)
{
	fprintf(stderr, "usage: %s\n", usage);
	exit(EX_USAGE);
}

void
cli_version(void)
{
	printf("%s (tdtools) %s\n", cli_tool, TDTOOLS_VERSION);
	cli_exit(0);
}

void
cli_help(const char *text)
{
	fputs(text, stdout);
	cli_exit(0);
}

void
cli_exit(int code)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		int saved = errno;
		fclose(stdout);
		if (saved == EPIPE)
			exit(code);
		fprintf(stderr, "%s: write error: %s\n", cli_tool, strerror(saved));
		atomic_cleanup_all();
		exit(EX_IOERR);
	}
	if (fclose(stdout) == EOF) {
		fprintf(stderr, "%s: write error: %s\n", cli_tool, strerror(errno));
		exit(EX_IOERR);
	}
	exit(code);
}

const char *
cli_user(const char *opt)
{
	static char buf[512];
	const char *u;
	char host[256];

	if (opt != NULL && *opt != '\0')
		return opt;
	if ((u = getenv("TD_USER")) != NULL && *u != '\0')
		return u;
	if ((u = getenv("USER")) == NULL || *u == '\0')
		u = "unknown";
	if (gethostname(host, sizeof host) == -1)
		strcpy(host, "localhost");
	host[sizeof host - 1] = '\0';
	snprintf(buf, sizeof buf, "%s@%s", u, host);
	return buf;
}

const char *
cli_source(void)
{
	static char buf[128];

	if (buf[0] == '\0')
		snprintf(buf, sizeof buf, "%s %s", cli_tool, TDTOOLS_VERSION);
	return buf;
}

const char *
cli_now(void)
{
	static char buf[64];
	struct timeval tv;
	struct tm tm;
	const char *sde;
	time_t t;
	long usec;

	if (buf[0] != '\0')
		return buf;
	if ((sde = getenv("SOURCE_DATE_EPOCH")) != NULL && *sde != '\0') {
		t = (time_t)strtoll(sde, NULL, 10);
		usec = 0;
	} else {
		gettimeofday(&tv, NULL);
		t = tv.tv_sec;
		usec = (long)tv.tv_usec;
	}
	gmtime_r(&t, &tm);
	snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06ld+00:00",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, usec);
	return buf;
}

long long
cli_parse_size(const char *s)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno != 0 || end == s || n < 0)
		return -1;
	switch (*end) {
	case '\0':
		return n;
	case 'k': case 'K':
		n <<= 10;
		break;
	case 'm': case 'M':
		n <<= 20;
		break;
	case 'g': case 'G':
		n <<= 30;
		break;
	default:
		return -1;
	}
	return end[1] == '\0' ? n : -1;
}

void
cli_warn_exposed(const char *path)
{
	if (path == NULL || strcmp(path, "-") == 0 || strncmp(path, "gs://", 5) == 0)
		return;
	if (strncmp(path, "file://", 7) == 0)
		path += 7;
	if (gauth_key_readable_by_others(path))
		cli_warn("warning: %s is readable by others (chmod 600)", path);
}
