/* gnuplot: running the plotting program (see gnuplot.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plot/gnuplot.h"

char *
gp_find(struct err *e)
{
	const char *path = getenv("PATH"), *p, *q;
	struct buf b = { 0 };

	for (p = path ? path : ""; *p; p = *q ? q + 1 : q) {
		q = strchr(p, ':');
		if (q == NULL)
			q = p + strlen(p);
		b.len = 0;
		if (q == p)
			buf_addc(&b, '.');
		else
			buf_add(&b, p, (size_t)(q - p));
		buf_adds(&b, "/gnuplot");
		buf_addc(&b, '\0');
		if (access(b.p, X_OK) == 0) {
			struct stat st;

			if (stat(b.p, &st) == 0 && S_ISREG(st.st_mode))
				return b.p;
		}
		if (*q == '\0')
			break;
	}
	buf_free(&b);
	err_set(e, EX_UNAVAILABLE, "gnuplot not found (install the Debian package " GP_PACKAGE ")");
	return NULL;
}

void
gp_quote(struct buf *b, const char *s)
{
	buf_addc(b, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			buf_adds(b, "''");
		else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			buf_addc(b, ' ');
		else
			buf_addc(b, *s);
	}
	buf_addc(b, '\'');
}

void
gp_quote_wrapped(struct buf *b, const char *s, size_t width)
{
	size_t col = 0;

	buf_addc(b, '"');
	while (*s) {
		size_t word = strcspn(s, " ");

		if (col > 0 && width > 0 && col + 1 + word > width) {
			buf_adds(b, "\\n");
			col = 0;
		} else if (col > 0) {
			buf_addc(b, ' ');
			col++;
		}
		for (size_t i = 0; i < word; i++) {
			char c = s[i];

			if (c == '"' || c == '\\')
				buf_addc(b, '\\');
			buf_addc(b, (unsigned char)c < 0x20 || c == 0x7f ? ' ' : c);
		}
		col += word;
		s += word;
		while (*s == ' ')
			s++;
	}
	buf_addc(b, '"');
}

int
gp_run(const char *gnuplot, const char *dir, const char *script, const char *errfile, struct err *e)
{
	int status, fd, dirfd;
	pid_t pid;

	if ((dirfd = open(dir, O_RDONLY | O_DIRECTORY)) == -1)
		return err_set(e, EX_IOERR, "%s: %s", dir, strerror(errno));

	fflush(NULL);
	if ((pid = fork()) == -1) {
		close(dirfd);
		return err_set(e, EX_OSERR, "cannot start gnuplot: %s", strerror(errno));
	}
	if (pid == 0) {
		if (fchdir(dirfd) == -1)
			_exit(126);
		if ((fd = open("/dev/null", O_RDONLY)) != -1) {
			dup2(fd, 0);
			close(fd);
		}
		if ((fd = open(errfile, O_WRONLY | O_CREAT | O_TRUNC, 0600)) != -1) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		execl(gnuplot, "gnuplot", script, (char *)NULL);
		_exit(127);
	}
	close(dirfd);
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return err_set(e, EX_OSERR, "waiting for gnuplot: %s", strerror(errno));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return err_set(e, EX_UNAVAILABLE, "cannot run %s (install the Debian package " GP_PACKAGE ")", gnuplot);
	{
		char line[400] = "", last[400] = "";
		struct buf path = { 0 };
		FILE *fp;

		buf_adds(&path, dir);
		buf_addc(&path, '/');
		buf_adds(&path, errfile);
		buf_addc(&path, '\0');
		fp = fopen(path.p, "r");
		buf_free(&path);

		/* gnuplot's own message is the last non-empty line */
		while (fp != NULL && fgets(line, sizeof line, fp) != NULL) {
			line[strcspn(line, "\n")] = '\0';
			if (line[strspn(line, " \t^")] != '\0')
				memcpy(last, line, sizeof last);
		}
		if (fp != NULL)
			fclose(fp);
		if (WIFSIGNALED(status))
			return err_set(e, TD_EXIT_FAILURE, "gnuplot was killed by signal %d", WTERMSIG(status));
		return err_set(e, TD_EXIT_FAILURE, "gnuplot failed (exit %d): %s", WEXITSTATUS(status), last);
	}
}

char *
gp_mkdtemp(const char *parent, const char *name, struct err *e)
{
	size_t n = strlen(parent) + strlen(name) + 16;
	char *p = xmalloc(n);

	snprintf(p, n, "%s/.%s.XXXXXX", parent, name);
	if (mkdtemp(p) == NULL) {
		err_set(e, EX_CANTCREAT, "%s: cannot create a scratch directory: %s", parent, strerror(errno));
		free(p);
		return NULL;
	}
	return p;
}

void
gp_rmdir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct buf b = { 0 };

	while (d != NULL && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		b.len = 0;
		buf_adds(&b, dir);
		buf_addc(&b, '/');
		buf_adds(&b, de->d_name);
		buf_addc(&b, '\0');
		unlink(b.p);
	}
	if (d != NULL)
		closedir(d);
	buf_free(&b);
	rmdir(dir);
}

int
gp_write_file(const char *path, const struct buf *b, struct err *e)
{
	FILE *fp = fopen(path, "w");

	if (fp == NULL)
		return err_set(e, EX_CANTCREAT, "%s: %s", path, strerror(errno));
	if ((b->len && fwrite(b->p, 1, b->len, fp) != b->len) | (fclose(fp) != 0))
		return err_set(e, EX_IOERR, "%s: write failed: %s", path, strerror(errno));
	return 0;
}

int
gp_parse_formats(const char *s, int *mask, struct err *e)
{
	const char *p = s;

	*mask = 0;
	while (*p) {
		size_t n = strcspn(p, ",");

		if (n == 3 && memcmp(p, "png", 3) == 0)
			*mask |= GP_PNG;
		else if (n == 3 && memcmp(p, "svg", 3) == 0)
			*mask |= GP_SVG;
		else
			return err_set(e, EX_USAGE, "--format %s: expected png, svg or png,svg", s);
		p += n;
		if (*p == ',')
			p++;
	}
	if (*mask == 0)
		return err_set(e, EX_USAGE, "--format %s: expected png, svg or png,svg", s);
	return 0;
}

const char *
gp_ext(int format)
{
	return format == GP_SVG ? "svg" : "png";
}

void
gp_terminal(struct buf *b, int format, int w, int h, double fontsize)
{
	char line[200];

	if (format == GP_SVG)
		snprintf(line, sizeof line, "set terminal svg size %d,%d fixed noenhanced font 'DejaVu Sans,%g' "
		    "background rgb 'white'\n", w, h, fontsize);
	else
		snprintf(line, sizeof line, "set terminal pngcairo size %d,%d noenhanced font 'DejaVu Sans,%g' "
		    "background rgb 'white'\n", w, h, fontsize);
	buf_adds(b, line);
}

int
gp_publish(const char *tmpdir, const char *name, const char *outdir, struct err *e)
{
	struct buf from = { 0 }, to = { 0 };
	int rc = 0;

	buf_adds(&from, tmpdir);
	buf_addc(&from, '/');
	buf_adds(&from, name);
	buf_addc(&from, '\0');
	buf_adds(&to, outdir);
	buf_addc(&to, '/');
	buf_adds(&to, name);
	buf_addc(&to, '\0');
	if (rename(from.p, to.p) == -1)
		rc = err_set(e, EX_CANTCREAT, "%s: %s", to.p, strerror(errno));
	buf_free(&from);
	buf_free(&to);
	return rc;
}
