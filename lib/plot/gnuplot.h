/* gnuplot: find it, quote text for its scripts, run a script, and the scratch directory the data goes in. */
#ifndef TD_GNUPLOT_H
#define TD_GNUPLOT_H

#include "util/buf.h"
#include "util/err.h"

#define GP_PACKAGE "gnuplot-nox"

/* The gnuplot executable found on $PATH (owned), or NULL with EX_UNAVAILABLE "gnuplot not found (install the
 * Debian package gnuplot-nox)". */
char *gp_find(struct err *e);

/* Append s as a gnuplot single-quoted string (quotes doubled; control characters become spaces). */
void gp_quote(struct buf *b, const char *s);

/* Append s as a gnuplot double-quoted string, wrapped into lines of at most width bytes at spaces ("\n" between
 * them; width 0: one line). Backslashes and double quotes are escaped; control characters become spaces. */
void gp_quote_wrapped(struct buf *b, const char *s, size_t width);

/* Run `gnuplot script` in directory dir (file names in the script are relative to it, so nothing of the scratch
 * directory's name reaches the outputs), stdin from /dev/null, stdout and stderr into dir/errfile. A failure is
 * exit 1 ("gnuplot failed (exit N): <its last message line>"), or EX_UNAVAILABLE when it could not be started. */
int gp_run(const char *gnuplot, const char *dir, const char *script, const char *errfile, struct err *e);

/* A fresh directory parent/.NAME.XXXXXX (owned path), EX_CANTCREAT on failure. */
char *gp_mkdtemp(const char *parent, const char *name, struct err *e);
/* Remove dir and the files in it (not recursive: the scratch directories are flat). */
void gp_rmdir(const char *dir);

/* Write buf to path (a scratch file, not atomic). */
int gp_write_file(const char *path, const struct buf *b, struct err *e);

/* Output formats (a mask). */
#define GP_PNG 1
#define GP_SVG 2
/* "png", "svg" or "png,svg" (any order): 0 with *mask set, -1 with EX_USAGE. */
int gp_parse_formats(const char *s, int *mask, struct err *e);
const char *gp_ext(int format);
/* "set terminal ..." for one format: W×H pixels, DejaVu Sans at fontsize points, no enhanced text, white. */
void gp_terminal(struct buf *b, int format, int w, int h, double fontsize);
/* Move tmpdir/name to outdir/name (same file system: the file appears whole). */
int gp_publish(const char *tmpdir, const char *name, const char *outdir, struct err *e);
#endif
