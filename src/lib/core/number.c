#include "core/number.h"

#include <string.h>

#include "core/names.h"

static int
bad(const char *s, const char *why, struct sw_err *e)
{
	char q[64];

	sw_name_quote(s, strlen(s), q, sizeof(q));
	return sw_err_set(e, "invalid number '%s': %s", q, why);
}

/* Parses the digits of s[0..len) into *out; no overflow. */
static int
parse_digits(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return -1;
		d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static int
in_range(const char *s, uint64_t v, uint64_t min, uint64_t max, uint64_t *out,
	struct sw_err *e)
{
	if (v < min || v > max) {
		char q[64];

		sw_name_quote(s, strlen(s), q, sizeof(q));
		return sw_err_set(e, "number '%s' out of range %llu..%llu", q,
			(unsigned long long)min, (unsigned long long)max);
	}
	*out = v;
	return 0;
}

int
sw_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out,
	struct sw_err *e)
{
	uint64_t v;

	if (parse_digits(s, strlen(s), &v) < 0)
		return bad(s, "expected digits only", e);
	return in_range(s, v, min, max, out, e);
}

int
sw_parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out,
	struct sw_err *e)
{
	size_t len = strlen(s);
	unsigned shift = 0;
	uint64_t v;

	if (len > 0) {
		const char *u = strchr("KMGT", s[len - 1]);

		if (s[len - 1] != '\0' && u != NULL) {
			shift = 10 * (unsigned)(u - "KMGT" + 1);
			len--;
		}
	}
	if (parse_digits(s, len, &v) < 0)
		return bad(s, "expected digits with an optional K, M, G or T", e);
	if (shift && v > (UINT64_MAX >> shift))
		return bad(s, "too large", e);
	return in_range(s, v << shift, min, max, out, e);
}

int
sw_parse_time(const char *s, int64_t *out, struct sw_err *e)
{
	uint64_t v;

	if (sw_parse_u64(s, 0, INT64_MAX, &v, e) < 0)
		return -1;
	*out = (int64_t)v;
	return 0;
}
