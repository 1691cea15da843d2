#include "core/keymap.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t
hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

void
sw_keymap_release(struct sw_keymap *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		free(m->key[i]);
	free(m->key);
	free(m->val);
	memset(m, 0, sizeof(*m));
}

int
sw_keymap_init(struct sw_keymap *m, size_t expect)
{
	size_t cap = 64;

	memset(m, 0, sizeof(*m));
	while (cap < expect * 2 + 16)
		cap *= 2;
	m->key = calloc(cap, sizeof(*m->key));
	m->val = calloc(cap, sizeof(*m->val));
	if (m->key == NULL || m->val == NULL) {
		sw_keymap_release(m);
		return -1;
	}
	m->cap = cap;
	return 0;
}

static size_t
slot(const struct sw_keymap *m, const char *k)
{
	size_t i = (size_t)(hash(k) & (m->cap - 1));

	while (m->key[i] != NULL && strcmp(m->key[i], k) != 0)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static int
join(char *out, size_t size, const char *a, const char *b)
{
	return (size_t)snprintf(out, size, "%s %s", a, b) >= size ? -1 : 0;
}

long
sw_keymap_get(const struct sw_keymap *m, const char *a, const char *b)
{
	char k[SW_KEYMAP_KEY_MAX + 1];
	size_t i;

	if (m->cap == 0 || join(k, sizeof(k), a, b) < 0)
		return -1;
	i = slot(m, k);
	return m->key[i] ? (long)m->val[i] : -1;
}

int
sw_keymap_put(struct sw_keymap *m, const char *a, const char *b, size_t v)
{
	char k[SW_KEYMAP_KEY_MAX + 1];
	size_t i;

	if (join(k, sizeof(k), a, b) < 0)
		return -1;
	if ((m->n + 1) * 2 > m->cap) {
		struct sw_keymap bigger;

		if (sw_keymap_init(&bigger, m->cap) < 0)
			return -1;
		for (i = 0; i < m->cap; i++)
			if (m->key[i] != NULL) {
				size_t s = slot(&bigger, m->key[i]);

				bigger.key[s] = m->key[i];
				bigger.val[s] = m->val[i];
				bigger.n++;
				m->key[i] = NULL;
			}
		sw_keymap_release(m);
		*m = bigger;
	}
	i = slot(m, k);
	if (m->key[i] == NULL) {
		m->key[i] = strdup(k);
		if (m->key[i] == NULL)
			return -1;
		m->n++;
	}
	m->val[i] = v;
	return 0;
}
