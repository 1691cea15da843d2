/*
 * buf: a growable byte buffer.
 *
 * Invariants: `data` is never NULL and always NUL-terminated at data[len],
 * so a buffer can be used as a C string at any time (it may hold NULs of
 * its own when filled with bytes). A buffer made with a nonzero `cap`
 * refuses to grow past cap bytes (errno EFBIG): use it for anything
 * untrusted, such as .PKGINFO, an upload or SSH_ORIGINAL_COMMAND.
 * Adders return 0 or -1 (ENOMEM or EFBIG); on -1 the buffer is unchanged.
 * Start with SW_BUF_INIT or sw_buf_init(), end with sw_buf_release().
 */
#ifndef SW_BUF_H
#define SW_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct sw_buf {
	char *data;
	size_t len;
	size_t alloc; /* 0 while data points at the shared empty string */
	size_t cap;   /* 0: no limit */
};

extern char sw_buf_empty[1];
#define SW_BUF_INIT { sw_buf_empty, 0, 0, 0 }

void sw_buf_init(struct sw_buf *b, size_t cap);
void sw_buf_release(struct sw_buf *b);
void sw_buf_reset(struct sw_buf *b);            /* len = 0, keeps memory */
int sw_buf_grow(struct sw_buf *b, size_t extra); /* room for extra more bytes */
/*
 * sw_buf_grow for a large buffer about to be filled whole (an inflated
 * archive): from 256 KiB, the room is placed on 2 MiB boundaries, in huge
 * pages where the kernel has them, instead of one page fault per 4 KiB
 * as it is written.
 */
int sw_buf_grow_mapped(struct sw_buf *b, size_t extra);
int sw_buf_add(struct sw_buf *b, const void *p, size_t n);
int sw_buf_addstr(struct sw_buf *b, const char *s);
int sw_buf_addch(struct sw_buf *b, char c);
int sw_buf_addf(struct sw_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int sw_buf_vaddf(struct sw_buf *b, const char *fmt, va_list ap);
void sw_buf_truncate(struct sw_buf *b, size_t len);
/* Reads fd to end of file. -1 with errno on a read error or cap. */
int sw_buf_read_fd(struct sw_buf *b, int fd);
/* Hands data to the caller (free() it); the buffer is empty again. */
char *sw_buf_detach(struct sw_buf *b, size_t *len);

#endif
