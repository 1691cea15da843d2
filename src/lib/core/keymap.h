/*
 * keymap: an index from a pair of short strings ("<a> <b>", such as a
 * pkgbase and a repository) to a size_t, for lookups over whole lists in
 * O(1). Open addressing; it grows as needed and owns copies of its keys.
 *
 * sw_keymap_init (with the expected number of keys), then put/get, then
 * sw_keymap_release. A pair longer than SW_KEYMAP_KEY_MAX is never found
 * and cannot be put. put and init return 0, or -1 when out of memory or
 * the pair is too long; nothing is printed, no locks.
 */
#ifndef SW_KEYMAP_H
#define SW_KEYMAP_H

#include <stddef.h>

#include "core/names.h"

#define SW_KEYMAP_KEY_MAX (SW_PKGNAME_MAX + SW_REPO_MAX + 2)

struct sw_keymap {
	char **key;
	size_t *val;
	size_t cap, n;
};

int sw_keymap_init(struct sw_keymap *m, size_t expect);
void sw_keymap_release(struct sw_keymap *m);
/* The value of (a, b), or -1 when it has none. */
long sw_keymap_get(const struct sw_keymap *m, const char *a, const char *b);
/* Sets the value of (a, b), adding it when new. */
int sw_keymap_put(struct sw_keymap *m, const char *a, const char *b,
	size_t v);

#endif
