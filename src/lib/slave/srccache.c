#include "slave/srccache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/fileio.h"
#include "slave/fsutil.h"

static const char *const algo_names[SW_SUM_N] = { "md5", "sha1", "sha224",
	"sha256", "sha384", "sha512", "b2" };
/* the strongest first: a weak checksum is the last way into the cache */
static const int lookup_order[SW_SUM_N] = { SW_SUM_SHA256, SW_SUM_SHA512,
	SW_SUM_B2, SW_SUM_SHA384, SW_SUM_SHA224, SW_SUM_SHA1, SW_SUM_MD5 };
static const size_t algo_hexlen[SW_SUM_N] = { 32, 40, 56, 64, 96, 128, 128 };

const char *
sw_srccache_algo_name(enum sw_srccache_algo a)
{
	return algo_names[a];
}

static const EVP_MD *
algo_md(int a)
{
	switch (a) {
	case SW_SUM_MD5: return EVP_md5();
	case SW_SUM_SHA1: return EVP_sha1();
	case SW_SUM_SHA224: return EVP_sha224();
	case SW_SUM_SHA256: return EVP_sha256();
	case SW_SUM_SHA384: return EVP_sha384();
	case SW_SUM_SHA512: return EVP_sha512();
	default: return EVP_blake2b512();
	}
}

static void
ent_release(struct sw_srcent *s)
{
	int a;

	free(s->name);
	free(s->url);
	for (a = 0; a < SW_SUM_N; a++)
		free(s->sums[a]);
	memset(s, 0, sizeof(*s));
}

static void
ents_clear(struct sw_srccache *sc)
{
	size_t i;

	for (i = 0; i < sc->n; i++)
		ent_release(&sc->v[i]);
	free(sc->v);
	sc->v = NULL;
	sc->n = 0;
}

int
sw_srccache_init(struct sw_srccache *sc, const char *work_dir, struct sw_err *e)
{
	static const char *const subdirs[] = { "files/md5", "files/sha1",
		"files/sha224", "files/sha256", "files/sha384", "files/sha512",
		"files/b2", "git", NULL };
	struct sw_buf p = SW_BUF_INIT;
	size_t i;
	int ret = -1;

	memset(sc, 0, sizeof(*sc));
	if (asprintf(&sc->dir, "%s/sources", work_dir) < 0) {
		sc->dir = NULL;
		sw_err_sys(e, "cannot open the source cache");
		goto out;
	}
	for (i = 0; subdirs[i]; i++) {
		sw_buf_reset(&p);
		if (sw_buf_addf(&p, "%s/%s", sc->dir, subdirs[i]) < 0) {
			sw_err_sys(e, "cannot open the source cache");
			goto out;
		}
		if (sw_mkdir_p(p.data, 0755, e) < 0)
			goto out;
	}
	ret = 0;
out:
	sw_buf_release(&p);
	return ret;
}

void
sw_srccache_release(struct sw_srccache *sc)
{
	ents_clear(sc);
	free(sc->dir);
	sc->dir = NULL;
}

static bool
safe_name(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > 255 || (len == 1 && s[0] == '.') ||
	    (len == 2 && s[0] == '.' && s[1] == '.'))
		return false;
	for (i = 0; i < len; i++)
		if (s[i] == '/' || (unsigned char)s[i] < 0x21 ||
		    (unsigned char)s[i] > 0x7e)
			return false;
	return true;
}

static bool
hex_sum(const char *s, size_t want)
{
	size_t i;

	if (strlen(s) != want)
		return false;
	for (i = 0; i < want; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* One source entry as makepkg names it (get_filename, get_protocol). */
static int
parse_entry(const char *src, struct sw_srcent *out)
{
	const char *sep = strstr(src, "::"), *url = sep ? sep + 2 : src;
	const char *scheme = strstr(url, "://"), *plus, *name, *end;
	size_t plen, nlen;

	memset(out, 0, sizeof(*out));
	if (scheme == NULL)
		return 0;                       /* a local file */
	plen = (size_t)(scheme - url);
	plus = memchr(url, '+', plen);
	if (plus != NULL && (size_t)(plus - url) == 3 &&
	    strncmp(url, "git", 3) == 0)
		out->git = true;
	else if (plus != NULL || !((plen == 4 && strncmp(url, "http", 4) == 0) ||
	    (plen == 5 && strncmp(url, "https", 5) == 0) ||
	    (plen == 3 && strncmp(url, "ftp", 3) == 0)))
		return 0;
	if (out->git) {
		end = url + strcspn(url, "#");
		out->url = strndup(url, (size_t)(end - url));
		if (out->url == NULL)
			return -1;
	}
	if (sep != NULL) {
		name = src;
		nlen = (size_t)(sep - src);
	} else if (out->git) {
		end = url + strcspn(url, "#?");
		while (end > url && end[-1] == '/')
			end--;
		name = end;
		while (name > url && name[-1] != '/')
			name--;
		nlen = (size_t)(end - name);
		if (nlen > 4 && strncmp(end - 4, ".git", 4) == 0)
			nlen -= 4;
	} else {
		name = strrchr(url, '/') + 1;
		nlen = strlen(name);
	}
	if (!safe_name(name, nlen)) {
		free(out->url);
		out->url = NULL;
		return 0;
	}
	out->name = strndup(name, nlen);
	return out->name ? 1 : -1;
}

/* The values of key in the pkgbase section, in order. */
static int
values(const struct sw_srcinfo_section *sec, const char *key,
	struct sw_strvec *out)
{
	size_t i;

	for (i = 0; i < sec->n; i++)
		if (strcmp(sec->v[i].key, key) == 0 &&
		    sw_strvec_push(out, sec->v[i].value) < 0)
			return -1;
	return 0;
}

static int
add_group(struct sw_srccache *sc, const struct sw_srcinfo *s, const char *sfx)
{
	struct sw_strvec src = SW_STRVEC_INIT, sums[SW_SUM_N];
	struct sw_srcent ent, *v;
	char key[64];
	size_t i;
	int a, r, ret = -1;

	for (a = 0; a < SW_SUM_N; a++)
		sw_strvec_init(&sums[a]);
	snprintf(key, sizeof(key), "source%s", sfx);
	if (values(&s->base, key, &src) < 0)
		goto out;
	for (a = 0; a < SW_SUM_N; a++) {
		snprintf(key, sizeof(key), "%ssums%s", algo_names[a], sfx);
		if (values(&s->base, key, &sums[a]) < 0)
			goto out;
	}
	for (i = 0; i < src.n; i++) {
		if ((r = parse_entry(src.v[i], &ent)) < 0)
			goto out;
		if (r == 0)
			continue;
		for (a = 0; a < SW_SUM_N && !ent.git; a++)
			if (i < sums[a].n && hex_sum(sums[a].v[i], algo_hexlen[a]) &&
			    (ent.sums[a] = strdup(sums[a].v[i])) == NULL) {
				ent_release(&ent);
				goto out;
			}
		v = realloc(sc->v, (sc->n + 1) * sizeof(*v));
		if (v == NULL) {
			ent_release(&ent);
			goto out;
		}
		sc->v = v;
		sc->v[sc->n++] = ent;
	}
	ret = 0;
out:
	sw_strvec_release(&src);
	for (a = 0; a < SW_SUM_N; a++)
		sw_strvec_release(&sums[a]);
	return ret;
}

int
sw_srccache_sources(struct sw_srccache *sc, const struct sw_srcinfo *s,
	const char *arch, struct sw_err *e)
{
	char sfx[SW_ARCH_MAX + 2];

	ents_clear(sc);
	snprintf(sfx, sizeof(sfx), "_%s", arch);
	if (add_group(sc, s, "") < 0 || add_group(sc, s, sfx) < 0)
		return sw_err_sys(e, "cannot list the sources");
	return 0;
}

static int
cache_path(struct sw_buf *p, const struct sw_srccache *sc, int algo,
	const char *sum)
{
	sw_buf_reset(p);
	return sw_buf_addf(p, "%s/files/%s/%s", sc->dir, algo_names[algo], sum);
}

static int
git_path(struct sw_buf *p, const struct sw_srccache *sc, const char *url)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int n, i;

	if (EVP_Digest(url, strlen(url), d, &n, EVP_sha256(), NULL) != 1)
		return -1;
	sw_buf_reset(p);
	if (sw_buf_addf(p, "%s/git/", sc->dir) < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (sw_buf_addf(p, "%02x", d[i]) < 0)
			return -1;
	return 0;
}

int
sw_srccache_link(struct sw_srccache *sc, const char *srcdest, bool files,
	struct sw_err *e)
{
	struct sw_buf c = SW_BUF_INIT, d = SW_BUF_INIT;
	struct sw_srcent *s;
	struct stat st;
	bool found;
	size_t i;
	int a, k, ret = -1;

	for (i = 0; i < sc->n; i++) {
		s = &sc->v[i];
		s->linked = false;
		if (!files)
			continue;
		sw_buf_reset(&d);
		if (sw_buf_addf(&d, "%s/%s", srcdest, s->name) < 0)
			goto nomem;
		if (lstat(d.data, &st) == 0)
			continue;               /* two entries of one name */
		if (s->git) {
			if (git_path(&c, sc, s->url) < 0)
				goto nomem;
			if (lstat(c.data, &st) < 0 || !S_ISDIR(st.st_mode))
				continue;
			if (utimensat(AT_FDCWD, c.data, NULL, AT_SYMLINK_NOFOLLOW) < 0 ||
			    rename(c.data, d.data) < 0) {
				sw_err_sys(e, "cannot use the cached mirror of '%s'",
					s->url);
				goto out;
			}
			continue;
		}
		found = false;
		for (k = 0; k < SW_SUM_N && !found; k++) {
			a = lookup_order[k];
			if (s->sums[a] == NULL)
				continue;
			if (cache_path(&c, sc, a, s->sums[a]) < 0)
				goto nomem;
			found = lstat(c.data, &st) == 0 && S_ISREG(st.st_mode);
		}
		if (!found)
			continue;
		if (utimensat(AT_FDCWD, c.data, NULL, AT_SYMLINK_NOFOLLOW) < 0 ||
		    link(c.data, d.data) < 0) {
			sw_err_sys(e, "cannot link '%s' into the build", c.data);
			goto out;
		}
		s->linked = true;
	}
	/* every link moves the shared ctime: note it once all are made */
	for (i = 0; i < sc->n; i++) {
		s = &sc->v[i];
		if (!s->linked)
			continue;
		sw_buf_reset(&d);
		if (sw_buf_addf(&d, "%s/%s", srcdest, s->name) < 0)
			goto nomem;
		if (lstat(d.data, &st) < 0) {
			sw_err_sys(e, "cannot link '%s' into the build", d.data);
			goto out;
		}
		s->dev = st.st_dev;
		s->ino = st.st_ino;
		s->ctime = st.st_ctim;
	}
	ret = 0;
	goto out;
nomem:
	sw_err_sys(e, "cannot link the cached sources");
out:
	sw_buf_release(&c);
	sw_buf_release(&d);
	return ret;
}

/* Hashes the regular file at path with every algorithm in want. */
static int
hash_file(const char *path, const bool want[SW_SUM_N],
	char hex[SW_SUM_N][129])
{
	EVP_MD_CTX *ctx[SW_SUM_N] = { 0 };
	unsigned char d[EVP_MAX_MD_SIZE], block[65536];
	unsigned int n, k;
	struct stat st;
	ssize_t r;
	int a, fd, ret = -1;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		goto out;
	for (a = 0; a < SW_SUM_N; a++)
		if (want[a] && ((ctx[a] = EVP_MD_CTX_new()) == NULL ||
		    EVP_DigestInit_ex(ctx[a], algo_md(a), NULL) != 1))
			goto out;
	while ((r = read(fd, block, sizeof(block))) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			goto out;
		}
		for (a = 0; a < SW_SUM_N; a++)
			if (want[a] &&
			    EVP_DigestUpdate(ctx[a], block, (size_t)r) != 1)
				goto out;
	}
	for (a = 0; a < SW_SUM_N; a++) {
		hex[a][0] = '\0';
		if (!want[a])
			continue;
		if (EVP_DigestFinal_ex(ctx[a], d, &n) != 1)
			goto out;
		for (k = 0; k < n; k++)
			snprintf(hex[a] + 2 * k, 3, "%02x", d[k]);
	}
	ret = 0;
out:
	for (a = 0; a < SW_SUM_N; a++)
		EVP_MD_CTX_free(ctx[a]);
	if (fd >= 0)
		close(fd);
	return ret;
}

/* Unlinks every cache name of the entry that still names inode ino. */
static void
drop_entry(const struct sw_srccache *sc, const struct sw_srcent *s, ino_t ino,
	struct sw_buf *c)
{
	struct stat st;
	int a;

	for (a = 0; a < SW_SUM_N; a++)
		if (s->sums[a] != NULL && cache_path(c, sc, a, s->sums[a]) == 0 &&
		    lstat(c->data, &st) == 0 && st.st_ino == ino)
			unlink(c->data);
}

static int
store_file(const struct sw_srccache *sc, const struct sw_srcent *s,
	const char *path, struct sw_buf *c, struct sw_err *e)
{
	char hex[SW_SUM_N][129];
	bool want[SW_SUM_N] = { false }, any = false;
	struct stat st;
	int a;

	for (a = 0; a < SW_SUM_N; a++)
		if (s->sums[a] != NULL)
			want[a] = any = true;
	if (!any)
		return 0;
	want[SW_SUM_SHA256] = true;
	if (hash_file(path, want, hex) < 0)
		return 0;               /* gone, not a file: makepkg said why */
	for (a = 0; a < SW_SUM_N; a++)
		if (s->sums[a] != NULL && strcmp(s->sums[a], hex[a]) != 0)
			return 0;       /* not what the PKGBUILD asked for */
	if (chmod(path, 0444) < 0)
		return sw_err_sys(e, "cannot store '%s' in the source cache", path);
	if (cache_path(c, sc, SW_SUM_SHA256, hex[SW_SUM_SHA256]) < 0)
		return sw_err_sys(e, "cannot store '%s' in the source cache", path);
	if (link(path, c->data) < 0 && errno != EEXIST)
		return sw_err_sys(e, "cannot store '%s' in the source cache", path);
	for (a = 0; a < SW_SUM_N; a++) {
		struct sw_buf t = SW_BUF_INIT;
		int r;

		if (s->sums[a] == NULL || a == SW_SUM_SHA256)
			continue;
		if (cache_path(&t, sc, a, s->sums[a]) < 0) {
			sw_buf_release(&t);
			return sw_err_sys(e, "cannot store '%s' in the source cache",
				path);
		}
		r = lstat(t.data, &st) == 0 ? 0 : link(c->data, t.data);
		sw_buf_release(&t);
		if (r < 0 && errno != EEXIST)
			return sw_err_sys(e, "cannot store '%s' in the source cache",
				path);
	}
	return 0;
}

int
sw_srccache_store(struct sw_srccache *sc, const char *srcdest, struct sw_err *e)
{
	struct sw_buf c = SW_BUF_INIT, d = SW_BUF_INIT;
	struct sw_srcent *s;
	struct stat st;
	size_t i;
	int ret = -1;

	for (i = 0; i < sc->n; i++) {
		s = &sc->v[i];
		sw_buf_reset(&d);
		if (sw_buf_addf(&d, "%s/%s", srcdest, s->name) < 0)
			goto nomem;
		if (lstat(d.data, &st) < 0)
			continue;
		if (s->git) {
			if (!S_ISDIR(st.st_mode))
				continue;
			if (git_path(&c, sc, s->url) < 0)
				goto nomem;
			if (sw_fs_remove_tree(c.data, e) < 0)
				goto out;
			if (rename(d.data, c.data) < 0) {
				sw_err_sys(e, "cannot keep the mirror of '%s'", s->url);
				goto out;
			}
			continue;
		}
		if (s->linked && st.st_dev == s->dev && st.st_ino == s->ino) {
			if (st.st_ctim.tv_sec != s->ctime.tv_sec ||
			    st.st_ctim.tv_nsec != s->ctime.tv_nsec)
				drop_entry(sc, s, st.st_ino, &c);
			continue;
		}
		if (S_ISREG(st.st_mode) && store_file(sc, s, d.data, &c, e) < 0)
			goto out;
	}
	ret = 0;
	goto out;
nomem:
	sw_err_sys(e, "cannot store the sources");
out:
	sw_buf_release(&c);
	sw_buf_release(&d);
	return ret;
}

static int
trim_dir(const char *dir, time_t before, struct sw_err *e)
{
	struct sw_buf p = SW_BUF_INIT;
	struct dirent *de;
	struct stat st;
	DIR *d;
	int ret = -1;

	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT ? 0 : sw_err_sys(e, "cannot read '%s'", dir);
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		sw_buf_reset(&p);
		if (sw_buf_addf(&p, "%s/%s", dir, de->d_name) < 0) {
			sw_err_sys(e, "cannot trim '%s'", dir);
			goto out;
		}
		if (lstat(p.data, &st) == 0 && st.st_mtime < before &&
		    sw_fs_remove_tree(p.data, e) < 0)
			goto out;
	}
	if (errno != 0) {
		sw_err_sys(e, "cannot read '%s'", dir);
		goto out;
	}
	ret = 0;
out:
	closedir(d);
	sw_buf_release(&p);
	return ret;
}

int
sw_srccache_trim(const struct sw_srccache *sc, unsigned days, struct sw_err *e)
{
	struct sw_buf p = SW_BUF_INIT;
	time_t before = time(NULL) - (time_t)days * 86400;
	int a, ret = -1;

	for (a = 0; a <= SW_SUM_N; a++) {
		sw_buf_reset(&p);
		if ((a < SW_SUM_N ? sw_buf_addf(&p, "%s/files/%s", sc->dir,
		    algo_names[a]) : sw_buf_addf(&p, "%s/git", sc->dir)) < 0) {
			sw_err_sys(e, "cannot trim the source cache");
			goto out;
		}
		if (trim_dir(p.data, before, e) < 0)
			goto out;
	}
	ret = 0;
out:
	sw_buf_release(&p);
	return ret;
}
