/*
 * introspect: the cache of introspection results by git tree (introspect.h
 * says how it is kept).
 */
#include "source/introspect.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/fileio.h"
#include "queue/statepath.h"

#define BUCKETS 256

struct bucket {
	bool loaded;
	struct sw_buf data;     /* the file as read, plus what this run added */
};

struct sw_cache {
	char *dir;
	struct bucket b[BUCKETS];
};

int
sw_introspect_cache_key(char *key, const char *tree, const char *custom_tree,
	const char *arch, struct sw_err *e)
{
	if (sw_name_check(SW_NAME_COMMIT, tree, e) < 0 ||
	    (custom_tree != NULL && sw_name_check(SW_NAME_COMMIT, custom_tree, e) < 0) ||
	    sw_name_check(SW_NAME_ARCH, arch, e) < 0)
		return -1;
	snprintf(key, SW_CACHE_KEY_MAX + 1, "%s.%s.%s", tree,
		custom_tree ? custom_tree : "-", arch);
	return 0;
}

int
sw_introspect_cache_open(struct sw_cache **cp, const char *state_dir,
	struct sw_err *e)
{
	struct sw_cache *c = calloc(1, sizeof(*c));
	struct sw_buf dir = SW_BUF_INIT;
	size_t i;

	*cp = NULL;
	if (c == NULL || sw_statepath(&dir, state_dir, SW_PATH_SRCINFO_CACHE, e) < 0 ||
	    (c->dir = sw_buf_detach(&dir, NULL)) == NULL) {
		free(c);
		sw_buf_release(&dir);
		return sw_err_sys(e, "cannot open the cache");
	}
	for (i = 0; i < BUCKETS; i++)
		sw_buf_init(&c->b[i].data, 0);
	*cp = c;
	return 0;
}

void
sw_introspect_cache_close(struct sw_cache *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < BUCKETS; i++)
		sw_buf_release(&c->b[i].data);
	free(c->dir);
	free(c);
}

static int
hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int
bucket_of(const char *key)
{
	int h = hexval(key[0]), l = h < 0 ? -1 : hexval(key[1]);

	return l < 0 ? -1 : h * 16 + l;
}

static int
bucket_path(const struct sw_cache *c, int b, char *out, size_t size)
{
	return (size_t)snprintf(out, size, "%s/%02x", c->dir, b) >= size ? -1 : 0;
}

static int
load(struct sw_cache *c, int b, struct sw_err *e)
{
	char path[PATH_MAX];
	int r;

	if (c->b[b].loaded)
		return 0;
	if (bucket_path(c, b, path, sizeof(path)) < 0)
		return sw_err_set(e, "cache path too long");
	r = sw_file_read(path, 2 * SW_CACHE_BUCKET_MAX, &c->b[b].data, NULL);
	if (r < 0)
		sw_buf_reset(&c->b[b].data);   /* unreadable: start empty */
	c->b[b].loaded = true;
	return 0;
}

/*
 * Walks the records of a bucket; fn(key, text, len, arg) for each whole
 * one, newest last. A torn record is skipped up to the next "\n@@ ".
 */
static void
records_of(const struct sw_buf *d,
	void (*fn)(const char *key, size_t klen, const char *text, size_t len,
	const char *rec, size_t reclen, void *arg), void *arg)
{
	const char *p = d->data, *end = d->data + d->len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *sp, *next;
		uint64_t len = 0;
		size_t i;
		bool ok = false;

		if (nl != NULL && end - p > 3 && memcmp(p, "@@ ", 3) == 0) {
			sp = memchr(p + 3, ' ', (size_t)(nl - p - 3));
			if (sp != NULL && sp > p + 3) {
				ok = true;
				for (i = 1; sp + i < nl; i++)
					if (sp[i] < '0' || sp[i] > '9' || i > 9)
						ok = false;
				if (ok)
					len = strtoull(sp + 1, NULL, 10);
				ok = ok && sp + 1 < nl && (uint64_t)(end - nl - 1) > len &&
					nl[1 + len] == '\n';
			}
		}
		if (ok) {
			fn(p + 3, (size_t)(sp - p - 3), nl + 1, (size_t)len, p,
				(size_t)(nl + 2 + len - p), arg);
			p = nl + 2 + len;
			continue;
		}
		/* torn: resynchronize */
		next = p + 1 < end ? memmem(p + 1, (size_t)(end - p - 1), "\n@@ ", 4) : NULL;
		p = next ? next + 1 : end;
	}
}

struct find {
	const char *key;
	size_t klen;
	const char *text;
	size_t len;
};

static void
find_fn(const char *key, size_t klen, const char *text, size_t len,
	const char *rec, size_t reclen, void *arg)
{
	struct find *f = arg;

	(void)rec;
	(void)reclen;
	if (klen == f->klen && memcmp(key, f->key, klen) == 0) {
		f->text = text;
		f->len = len;
	}
}

int
sw_introspect_cache_get(struct sw_cache *c, const char *key,
	struct sw_srcinfo *s, struct sw_err *e)
{
	struct find f = { key, strlen(key), NULL, 0 };
	int b = bucket_of(key);

	sw_srcinfo_init(s);
	if (b < 0)
		return sw_err_set(e, "invalid cache key");
	if (load(c, b, e) < 0)
		return -1;
	records_of(&c->b[b].data, find_fn, &f);
	if (f.text == NULL ||
	    sw_srcinfo_parse(s, f.text, f.len, "cached .SRCINFO", NULL) < 0)
		return 1;
	return 0;
}

struct keep {
	struct sw_buf *out;
	size_t from, at;
};

static void
keep_fn(const char *key, size_t klen, const char *text, size_t len,
	const char *rec, size_t reclen, void *arg)
{
	struct keep *k = arg;

	(void)key;
	(void)klen;
	(void)text;
	(void)len;
	if (k->at >= k->from)
		sw_buf_add(k->out, rec, reclen);
	k->at += reclen;
}

/* Rewrites a bucket that grew too big with its newest records. */
static int
compact(struct sw_cache *c, int b, const char *path, struct sw_err *e)
{
	struct sw_buf kept = SW_BUF_INIT;
	struct keep k = { &kept, c->b[b].data.len - SW_CACHE_BUCKET_MAX / 2, 0 };
	int r;

	records_of(&c->b[b].data, keep_fn, &k);
	r = sw_file_replace(path, kept.data, kept.len, 0644, e);
	if (r == 0) {
		sw_buf_release(&c->b[b].data);
		c->b[b].data = kept;
	} else
		sw_buf_release(&kept);
	return r;
}

int
sw_introspect_cache_put(struct sw_cache *c, const char *key,
	const struct sw_srcinfo *s, struct sw_err *e)
{
	struct sw_buf rec = SW_BUF_INIT, text = SW_BUF_INIT;
	char path[PATH_MAX];
	int b = bucket_of(key), fd = -1, ret = -1;

	if (b < 0 || strchr(key, ' ') || strchr(key, '\n')) {
		sw_err_set(e, "invalid cache key");
		goto out;
	}
	if (bucket_path(c, b, path, sizeof(path)) < 0) {
		sw_err_set(e, "cache path too long");
		goto out;
	}
	if (load(c, b, e) < 0 || sw_srcinfo_print(s, &text, e) < 0)
		goto out;
	if (sw_buf_addf(&rec, "@@ %s %zu\n", key, text.len) < 0 ||
	    sw_buf_add(&rec, text.data, text.len) < 0 || sw_buf_addch(&rec, '\n') < 0) {
		sw_err_sys(e, "cannot write the cache");
		goto out;
	}
	if (sw_mkdir_p(c->dir, 0755, e) < 0)
		goto out;
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0 || sw_write_all(fd, rec.data, rec.len) < 0) {
		sw_err_sys(e, "cannot write '%s'", path);
		goto out;
	}
	if (sw_buf_add(&c->b[b].data, rec.data, rec.len) < 0) {
		sw_err_sys(e, "cannot write the cache");
		goto out;
	}
	if (c->b[b].data.len > SW_CACHE_BUCKET_MAX && compact(c, b, path, e) < 0)
		goto out;
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	sw_buf_release(&rec);
	sw_buf_release(&text);
	return ret;
}
