/*
 * number: bounded parsing of numbers from configuration, state files and
 * the command line (the strtonum idea). No sign, no blanks, no trailing
 * bytes; a value outside [min, max] is an error that quotes the input.
 */
#ifndef SW_NUMBER_H
#define SW_NUMBER_H

#include <stdint.h>

#include "core/err.h"

int sw_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out,
	struct sw_err *e);
/* Like sw_parse_u64 with an optional K, M, G or T suffix (powers of 1024). */
int sw_parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out,
	struct sw_err *e);
/* Seconds since the epoch, as written in state files. */
int sw_parse_time(const char *s, int64_t *out, struct sw_err *e);

#endif
