#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/buf.h"

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL) {
		/* lib does not print; but a failed allocation leaves nothing sensible to return. */
		abort();
	}
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		abort();
	return q;
}

void *
xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);

	if (p == NULL)
		abort();
	return p;
}

char *
xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

void
buf_reserve(struct buf *b, size_t n)
{
	size_t cap = b->cap ? b->cap : 256;

	if (n > SIZE_MAX / 2 - b->len)
		abort();
	while (cap - b->len < n)
		cap *= 2;
	if (cap != b->cap) {
		b->p = xrealloc(b->p, cap);
		b->cap = cap;
	}
}

void
buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

struct arena_block {
	struct arena_block *next;
	size_t size;
	_Alignas(max_align_t) char data[];
};

#define ARENA_BLOCK 65536

void *
arena_alloc(struct arena *a, size_t n)
{
	struct arena_block *b;
	size_t size;

	n = (n + 15) & ~(size_t)15;
	if (a->head == NULL || a->head->size - a->used < n) {
		size = n > ARENA_BLOCK ? n : ARENA_BLOCK;
		b = xmalloc(sizeof *b + size);
		b->size = size;
		b->next = a->head;
		a->head = b;
		a->used = 0;
	}
	void *p = a->head->data + a->used;
	a->used += n;
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void
arena_reset(struct arena *a)
{
	struct arena_block *b, *next;

	if (a->head == NULL)
		return;
	/* Keep the oldest (last) block if it is the standard size; free the others. */
	b = a->head;
	while (b->next != NULL) {
		next = b->next;
		free(b);
		b = next;
	}
	if (b->size != ARENA_BLOCK) {
		free(b);
		b = NULL;
	}
	a->head = b;
	a->used = 0;
}

void
arena_free(struct arena *a)
{
	struct arena_block *b, *next;

	for (b = a->head; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	a->head = NULL;
	a->used = 0;
}
