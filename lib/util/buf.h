/* buf: a growable byte buffer, and an arena whose strings stay put until it is reset. */
#ifndef TD_BUF_H
#define TD_BUF_H

#include <stddef.h>
#include <string.h>

struct buf {
	char *p;
	size_t len, cap;
};

/* Grow to hold n more bytes. Aborts on out-of-memory (a tool cannot go on without memory). */
void buf_reserve(struct buf *b, size_t n);
void buf_free(struct buf *b);

static inline void
buf_add(struct buf *b, const void *s, size_t n)
{
	if (b->cap - b->len < n)
		buf_reserve(b, n);
	if (n)
		memcpy(b->p + b->len, s, n);
	b->len += n;
}

static inline void
buf_addc(struct buf *b, char c)
{
	if (b->cap == b->len)
		buf_reserve(b, 1);
	b->p[b->len++] = c;
}

static inline void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* Memory that lives until arena_reset: pointers into it never move. */
struct arena {
	struct arena_block *head;
	size_t used;		/* bytes used in head */
};

void *arena_alloc(struct arena *a, size_t n);
char *arena_strndup(struct arena *a, const char *s, size_t n);
/* Keep the first block, free the rest. */
void arena_reset(struct arena *a);
void arena_free(struct arena *a);

/* malloc/realloc that abort on failure, for the few places where failure cannot be handled. */
void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
void *xcalloc(size_t n, size_t m);
char *xstrdup(const char *s);

#endif
