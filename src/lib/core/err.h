/*
 * err: how the library reports failure.
 *
 * A library function that can fail takes a caller-owned `struct sw_err *`
 * as its last argument, returns -1 (or an enum value the caller must branch
 * on) and writes one lowercase sentence into it, naming what failed first
 * and quoting the subject:  cannot open '/x/build-list': No such file ...
 * The library never prints and never exits; commands print e->msg.
 * Passing NULL discards the message.
 */
#ifndef SW_ERR_H
#define SW_ERR_H

#include <stddef.h>

#define SW_ERR_MAX 1024

struct sw_err {
	char msg[SW_ERR_MAX];
};

/* Sets the message; always returns -1 so callers can `return sw_err_set(...)`. */
int sw_err_set(struct sw_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Like sw_err_set, appending ": strerror(errno)" for the errno at call time. */
int sw_err_sys(struct sw_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Puts "prefix: " in front of the message already there (context from a caller). */
int sw_err_prefix(struct sw_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
