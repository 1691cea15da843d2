#include "core/buf.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

char sw_buf_empty[1];

#define MAPPED_MIN (256 * 1024) /* smaller buffers fault in cheaply enough */

void
sw_buf_init(struct sw_buf *b, size_t cap)
{
	b->data = sw_buf_empty;
	b->len = 0;
	b->alloc = 0;
	b->cap = cap;
}

void
sw_buf_release(struct sw_buf *b)
{
	if (b->alloc)
		free(b->data);
	sw_buf_init(b, b->cap);
}

void
sw_buf_reset(struct sw_buf *b)
{
	b->len = 0;
	b->data[0] = '\0';
}

int
sw_buf_grow(struct sw_buf *b, size_t extra)
{
	size_t want, n;
	char *p;

	if (extra > SIZE_MAX - b->len - 1) {
		errno = ENOMEM;
		return -1;
	}
	if (b->cap && b->len + extra > b->cap) {
		errno = EFBIG;
		return -1;
	}
	want = b->len + extra + 1;
	if (want <= b->alloc)
		return 0;
	n = b->alloc ? b->alloc : 64;
	while (n < want)
		n = n > SIZE_MAX / 2 ? want : n * 2;
	p = b->alloc ? realloc(b->data, n) : malloc(n);
	if (p == NULL)
		return -1;
	if (!b->alloc)
		p[0] = '\0';
	b->data = p;
	b->alloc = n;
	return 0;
}

/*
 * A page fault per 4 KiB costs some 10 us on a virtual machine with
 * shadow page tables, a 2 MiB huge page about as much: a large buffer is
 * placed on 2 MiB boundaries, whole huge pages, so that the kernel can
 * back all of it with them (malloc's own mapping of it would start 16
 * bytes into a page, and leave up to 4 MiB of it in small pages).
 */
#define HUGE_PAGE (2UL * 1024 * 1024)

int
sw_buf_grow_mapped(struct sw_buf *b, size_t extra)
{
	size_t want;
	void *p;

	if (extra < MAPPED_MIN || b->len + extra + 1 <= b->alloc)
		return sw_buf_grow(b, extra);
	if (extra > SIZE_MAX - b->len - HUGE_PAGE) {
		errno = ENOMEM;
		return -1;
	}
	if (b->cap && b->len + extra > b->cap) {
		errno = EFBIG;
		return -1;
	}
	want = (b->len + extra + 1 + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	if (posix_memalign(&p, HUGE_PAGE, want) != 0) {
		errno = ENOMEM;
		return -1;
	}
	/* advice: a kernel without it maps the pages as they are written */
	(void)madvise(p, want, MADV_HUGEPAGE);
	if (b->alloc) {
		memcpy(p, b->data, b->len + 1);
		free(b->data);
	} else
		((char *)p)[0] = '\0';
	b->data = p;
	b->alloc = want;
	return 0;
}

int
sw_buf_add(struct sw_buf *b, const void *p, size_t n)
{
	if (sw_buf_grow(b, n) < 0)
		return -1;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
sw_buf_addstr(struct sw_buf *b, const char *s)
{
	return sw_buf_add(b, s, strlen(s));
}

int
sw_buf_addch(struct sw_buf *b, char c)
{
	return sw_buf_add(b, &c, 1);
}

int
sw_buf_vaddf(struct sw_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return -1;
	if (sw_buf_grow(b, (size_t)n) < 0)
		return -1;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int
sw_buf_addf(struct sw_buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = sw_buf_vaddf(b, fmt, ap);
	va_end(ap);
	return r;
}

void
sw_buf_truncate(struct sw_buf *b, size_t len)
{
	if (len < b->len) {
		b->len = len;
		b->data[len] = '\0';
	}
}

int
sw_buf_read_fd(struct sw_buf *b, int fd)
{
	size_t start = b->len;
	ssize_t r;

	for (;;) {
		size_t room = 8192;

		/* read into all the room there is (a caller may have grown it) */
		if (b->alloc > b->len + 1 + room)
			room = b->alloc - b->len - 1;
		if (b->cap) {
			/* one byte past the cap tells "too big" from "exactly cap" */
			if (b->len > b->cap)
				break;
			room = b->cap + 1 - b->len < room ? b->cap + 1 - b->len : room;
		}
		if (b->alloc < b->len + room + 1) {
			size_t keep = b->cap;

			b->cap = 0;
			r = sw_buf_grow(b, room);
			b->cap = keep;
			if (r < 0)
				goto fail;
		}
		r = read(fd, b->data + b->len, room);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (r == 0) {
			b->data[b->len] = '\0';
			return 0;
		}
		b->len += (size_t)r;
		b->data[b->len] = '\0';
	}
	errno = EFBIG;
fail:
	sw_buf_truncate(b, start);
	return -1;
}

char *
sw_buf_detach(struct sw_buf *b, size_t *len)
{
	char *p;

	if (len)
		*len = b->len;
	if (!b->alloc)
		p = strdup("");
	else
		p = b->data;
	sw_buf_init(b, b->cap);
	return p;
}
