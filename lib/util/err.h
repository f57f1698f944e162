/* err: how lib reports a failure to the tool that called it (lib never prints or exits). */
#ifndef TD_ERR_H
#define TD_ERR_H

#include <stdarg.h>
#include <sysexits.h>

/*
 * Exit codes (DESIGN.md §8), the same in every tool:
 * 0 ok, 1 failure, EX_USAGE 64, EX_DATAERR 65 bad data, EX_NOINPUT 66 input missing,
 * EX_UNAVAILABLE 69 remote service or run-time program unavailable, EX_CANTCREAT 73,
 * EX_IOERR 74, EX_NOPERM 77 authentication or permission, EX_CONFIG 78 bad configuration.
 */
#define TD_EXIT_FAILURE 1

struct err {
	int code;		/* exit code the tool should use */
	char msg[1024];		/* "file:line: what is wrong (what was expected)" */
};

/* Fill e (if not NULL) and return -1, so callers can write `return err_set(...)`. */
int err_set(struct err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int err_vset(struct err *e, int code, const char *fmt, va_list ap);
/* Put "prefix: " in front of the message already in e (keeps its code). */
int err_prefix(struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
