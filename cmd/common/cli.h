/* cli: what every tool does the same way: messages, exit codes, signals, stdout, user, clock. */
#ifndef TD_CLI_H
#define TD_CLI_H

#include <stdio.h>

#include "util/err.h"

extern const char *cli_tool;	/* the tool's name, for messages */

/* Set the tool name, buffer stdout, install SIGINT/SIGTERM handlers (temp files removed,
 * exit 130/143) and the default SIGPIPE action (a quiet death when the reader goes away). */
void cli_init(const char *tool);

_Noreturn void cli_die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
_Noreturn void cli_fail(const struct err *e);
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A credentials or token file (path, or NULL / "-" / a gs:// URL: nothing to check) that group or others
 * can read: "tool: warning: FILE is readable by others (chmod 600)". Never says what it holds. */
void cli_warn_exposed(const char *path);
/* "usage: ..." on stderr, exit 64. */
_Noreturn void cli_usage(const char *usage);
/* "tool (tdtools) VERSION" on stdout, exit 0. */
_Noreturn void cli_version(void);
/* Print the help text on stdout and exit 0. */
_Noreturn void cli_help(const char *text);
/* Close stdout checked (a full disk is an error, not silence), then exit. */
_Noreturn void cli_exit(int code);

/* The history user: -u USER, else $TD_USER, else $USER@host. Returns a static buffer. */
const char *cli_user(const char *opt);
/* "<tool> <version>" for Metadata.Source. */
const char *cli_source(void);
/* Now as UTC ISO-8601 with microseconds ("2021-05-13T17:25:31.123456+00:00").
 * SOURCE_DATE_EPOCH, when set, fixes the clock (reproducible outputs and tests). */
const char *cli_now(void);
/* Parse a non-negative size with an optional K, M or G suffix (binary). -1 if malformed. */
long long cli_parse_size(const char *s);

#endif
