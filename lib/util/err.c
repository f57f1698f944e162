#include <stdio.h>
#include <string.h>

#include "util/err.h"

int
err_vset(struct err *e, int code, const char *fmt, va_list ap)
{
	if (e == NULL)
		return -1;
	e->code = code;
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	return -1;
}

int
err_set(struct err *e, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(e, code, fmt, ap);
	va_end(ap);
	return -1;
}

int
err_prefix(struct err *e, const char *fmt, ...)
{
	char old[sizeof e->msg], pre[sizeof e->msg];
	va_list ap;

	if (e == NULL)
		return -1;
	memcpy(old, e->msg, sizeof old);
	va_start(ap, fmt);
	vsnprintf(pre, sizeof pre, fmt, ap);
	va_end(ap);
	/* Truncation is fine here: the start of a long message says enough. */
	size_t n = strnlen(pre, sizeof e->msg - 3);
	memcpy(e->msg, pre, n);
	memcpy(e->msg + n, ": ", 2);
	n += 2;
	size_t m = strnlen(old, sizeof e->msg - n - 1);
	memcpy(e->msg + n, old, m);
	e->msg[n + m] = '\0';
	return -1;
}
