/*
 * testutil: small helpers shared by the unit tests (header only; every
 * function is static inline so that a test that does not use one still
 * builds with -Werror). Include after <cmocka.h>.
 *
 * tu_tmpdir() makes a fresh directory under $TMPDIR (or /tmp) and
 * tu_rmrf() removes it again; tests use them as cmocka setup/teardown
 * through tu_setup_tmpdir / tu_teardown_tmpdir, which put the directory
 * name in *state.
 */
#ifndef SW_TESTUTIL_H
#define SW_TESTUTIL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static inline char *
tu_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *dir = NULL, *real;

	if (base == NULL || base[0] != '/')
		base = "/tmp";
	assert_true(asprintf(&dir, "%s/slipway-unit.XXXXXX", base) > 0);
	assert_non_null(mkdtemp(dir));
	/* realpath: tests compare paths the library resolved */
	real = realpath(dir, NULL);
	assert_non_null(real);
	free(dir);
	return real;
}

static inline int
tu_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path) < 0 ? -1 : 0;
	return unlink(path) < 0 ? -1 : 0;
}

static inline void
tu_rmrf(const char *path)
{
	nftw(path, tu_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static inline int
tu_setup_tmpdir(void **state)
{
	*state = tu_tmpdir();
	return 0;
}

static inline int
tu_teardown_tmpdir(void **state)
{
	tu_rmrf(*state);
	free(*state);
	return 0;
}

/* "<dir>/<name>", malloc'ed. */
static inline char *
tu_path(const char *dir, const char *name)
{
	char *p = NULL;

	assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
	return p;
}

static inline void
tu_write(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

static inline void
tu_write_str(const char *path, const char *s)
{
	tu_write(path, s, strlen(s));
}

/* The whole file as a NUL-terminated string (malloc'ed); NULL if absent. */
static inline char *
tu_read(const char *path)
{
	FILE *f = fopen(path, "re");
	char *s = NULL;
	size_t n = 0;
	long len;

	if (f == NULL)
		return NULL;
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len >= 0);
	rewind(f);
	s = malloc((size_t)len + 1);
	assert_non_null(s);
	n = fread(s, 1, (size_t)len, f);
	assert_int_equal(n, (size_t)len);
	s[n] = '\0';
	fclose(f);
	return s;
}

static inline bool
tu_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* Entries of dir other than "." and "..". */
static inline size_t
tu_count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

/* Fails unless haystack contains needle, showing both. */
#define tu_assert_contains(haystack, needle) do { \
	const char *tu_h_ = (haystack), *tu_n_ = (needle); \
	if (strstr(tu_h_, tu_n_) == NULL) \
		fail_msg("'%s' does not contain '%s'", tu_h_, tu_n_); \
} while (0)

#endif
