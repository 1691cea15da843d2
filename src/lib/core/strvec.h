/*
 * strvec: a NULL-terminated vector of owned strings, for argv and envp.
 *
 * Invariant: v is never NULL and v[n] == NULL, so v can go straight to
 * execve(). Every string is a private copy; sw_strvec_release frees them.
 * Pushers return 0 or -1 (ENOMEM); on -1 the vector is unchanged.
 */
#ifndef SW_STRVEC_H
#define SW_STRVEC_H

#include <stddef.h>

#include "core/buf.h"

struct sw_strvec {
	char **v;
	size_t n;
	size_t alloc;
};

extern char *sw_strvec_empty[1];
#define SW_STRVEC_INIT { sw_strvec_empty, 0, 0 }

void sw_strvec_init(struct sw_strvec *sv);
void sw_strvec_release(struct sw_strvec *sv);
int sw_strvec_push(struct sw_strvec *sv, const char *s);
int sw_strvec_pushf(struct sw_strvec *sv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Splits s on runs of blanks (space, tab) and pushes every word. */
int sw_strvec_split(struct sw_strvec *sv, const char *s);
int sw_strvec_contains(const struct sw_strvec *sv, const char *s);
/*
 * Appends sv to b as state files write a list: its items joined by ',',
 * or "-" when it is empty. -1 when out of memory.
 */
int sw_strvec_add_list(struct sw_buf *b, const struct sw_strvec *sv);

#endif
