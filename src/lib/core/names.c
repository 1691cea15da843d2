#include "core/names.h"

#include <stdio.h>
#include <string.h>

static const char *const kind_names[] = {
	[SW_NAME_PKGNAME] = "pkgname",
	[SW_NAME_PKGBASE] = "pkgbase",
	[SW_NAME_PKGVER] = "pkgver",
	[SW_NAME_PKGREL] = "pkgrel",
	[SW_NAME_EPOCH] = "epoch",
	[SW_NAME_VERSION] = "version",
	[SW_NAME_ARCH] = "arch",
	[SW_NAME_REPO] = "repository name",
	[SW_NAME_COMMIT] = "commit id",
	[SW_NAME_REVISION] = "revision",
	[SW_NAME_SONAME] = "soname",
	[SW_NAME_SLAVE] = "slave name",
	[SW_NAME_SOURCE] = "source name",
	[SW_NAME_PHASE] = "phase",
	[SW_NAME_FINGERPRINT] = "key fingerprint",
	[SW_NAME_TREEPATH] = "tree path",
	[SW_NAME_PKGFILE] = "package file name",
	[SW_NAME_ID] = "package id",
};

static const char *const pkg_exts[] = {
	".pkg.tar.zst", ".pkg.tar.xz", ".pkg.tar.gz", ".pkg.tar.bz2", ".pkg.tar",
};

const char *
sw_name_kind_str(enum sw_name_kind kind)
{
	return kind_names[kind];
}

/*
 * Character classes as bits of a table built at compile time: every name
 * check is one table lookup per byte (state files of 10,000 lines are
 * validated on every read, so this is on the hot path).
 */
enum {
	C_LOWER = 1 << 0, C_DIGIT = 1 << 1, C_UPPER = 1 << 2, C_AT = 1 << 3,
	C_DOT = 1 << 4, C_UNDER = 1 << 5, C_PLUS = 1 << 6, C_DASH = 1 << 7,
	C_TILDE = 1 << 8, C_HEX = 1 << 9, C_HEXU = 1 << 10,
};

#define CL(c) ( \
	((c) >= 'a' && (c) <= 'z' ? C_LOWER : 0) | \
	((c) >= '0' && (c) <= '9' ? C_DIGIT | C_HEX | C_HEXU : 0) | \
	((c) >= 'A' && (c) <= 'Z' ? C_UPPER : 0) | \
	((c) >= 'a' && (c) <= 'f' ? C_HEX | C_HEXU : 0) | \
	((c) >= 'A' && (c) <= 'F' ? C_HEXU : 0) | \
	((c) == '@' ? C_AT : 0) | ((c) == '.' ? C_DOT : 0) | \
	((c) == '_' ? C_UNDER : 0) | ((c) == '+' ? C_PLUS : 0) | \
	((c) == '-' ? C_DASH : 0) | ((c) == '~' ? C_TILDE : 0))
#define ROW(b) CL((b) + 0), CL((b) + 1), CL((b) + 2), CL((b) + 3), \
	CL((b) + 4), CL((b) + 5), CL((b) + 6), CL((b) + 7), CL((b) + 8), \
	CL((b) + 9), CL((b) + 10), CL((b) + 11), CL((b) + 12), CL((b) + 13), \
	CL((b) + 14), CL((b) + 15)

static const unsigned short char_class[256] = {
	ROW(0), ROW(16), ROW(32), ROW(48), ROW(64), ROW(80), ROW(96), ROW(112),
	ROW(128), ROW(144), ROW(160), ROW(176), ROW(192), ROW(208), ROW(224),
	ROW(240),
};

#define C_ALNUM (C_LOWER | C_DIGIT)
#define SET_NAME (C_ALNUM | C_AT | C_DOT | C_UNDER | C_PLUS | C_DASH)
#define SET_VER (C_ALNUM | C_UPPER | C_DOT | C_UNDER | C_PLUS | C_TILDE)
#define SET_ARCH (C_ALNUM | C_UPPER | C_UNDER)
#define SET_REPO (C_ALNUM | C_UNDER | C_DASH)
#define SET_SLAVE (C_ALNUM | C_UNDER | C_DOT | C_DASH)
#define SET_TREE (SET_NAME | C_UPPER)

static bool
in_set(char c, unsigned set)
{
	return (char_class[(unsigned char)c] & set) != 0;
}

static bool
all_in(const char *s, size_t len, unsigned set)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!(char_class[(unsigned char)s[i]] & set))
			return false;
	return true;
}

static bool
digits(const char *s, size_t len)
{
	return len > 0 && all_in(s, len, C_DIGIT);
}

/* Digits without a leading zero ("0" itself is fine): one spelling per value. */
static bool
plain_number(const char *s, size_t len)
{
	return digits(s, len) && (len == 1 || s[0] != '0');
}

static bool
valid_pkgname(const char *s, size_t len)
{
	return len >= 1 && len <= SW_PKGNAME_MAX && s[0] != '-' && s[0] != '.' &&
		all_in(s, len, SET_NAME);
}

static bool
valid_pkgver(const char *s, size_t len)
{
	return len >= 1 && len <= SW_PKGNAME_MAX && s[0] != '.' &&
		all_in(s, len, SET_VER);
}

static bool
valid_pkgrel(const char *s, size_t len)
{
	const char *dot = memchr(s, '.', len);

	if (len > 16)
		return false;
	if (dot == NULL)
		return plain_number(s, len);
	return plain_number(s, (size_t)(dot - s)) &&
		plain_number(dot + 1, len - (size_t)(dot - s) - 1);
}

static bool
valid_epoch(const char *s, size_t len)
{
	return len <= 9 && plain_number(s, len);
}

/* [epoch:]pkgver-pkgrel */
static bool
valid_version(const char *s, size_t len)
{
	const char *colon, *dash = NULL;
	size_t i;

	if (len > SW_VERSION_MAX)
		return false;
	for (i = len; i > 0; i--)
		if (s[i - 1] == '-') {
			dash = s + i - 1;
			break;
		}
	if (dash == NULL ||
	    !valid_pkgrel(dash + 1, len - (size_t)(dash - s) - 1))
		return false;
	colon = memchr(s, ':', (size_t)(dash - s));
	if (colon == NULL)
		return valid_pkgver(s, (size_t)(dash - s));
	return valid_epoch(s, (size_t)(colon - s)) &&
		valid_pkgver(colon + 1, (size_t)(dash - colon - 1));
}

static bool
valid_arch(const char *s, size_t len)
{
	return len >= 1 && len <= SW_ARCH_MAX && all_in(s, len, SET_ARCH);
}

static bool
valid_repo(const char *s, size_t len)
{
	return len >= 1 && len <= SW_REPO_MAX && s[0] != '-' && s[0] != '_' &&
		all_in(s, len, SET_REPO);
}

static bool
valid_commit(const char *s, size_t len)
{
	return (len == 40 || len == 64) && all_in(s, len, C_HEX);
}

/* "<commit>" or "<commit>+<n>", n in 1..SW_BUMP_MAX without a leading 0 */
static bool
valid_revision(const char *s, size_t len)
{
	const char *plus = memchr(s, '+', len);
	size_t n;

	if (plus == NULL)
		return valid_commit(s, len);
	n = len - (size_t)(plus - s) - 1;
	return valid_commit(s, (size_t)(plus - s)) && n >= 1 && n <= 4 &&
		plus[1] != '0' && all_in(plus + 1, n, C_DIGIT);
}

static bool
valid_soname(const char *s, size_t len)
{
	return len >= 1 && len <= SW_FILENAME_MAX && s[0] != '.' && s[0] != '-' &&
		all_in(s, len, SET_TREE);
}

static bool
valid_slave(const char *s, size_t len)
{
	return len >= 1 && len <= SW_SLAVE_MAX && in_set(s[0], C_ALNUM) &&
		all_in(s, len, SET_SLAVE);
}

static bool
valid_phase(const char *s, size_t len)
{
	return len >= 1 && len <= 32 && in_set(s[0], C_ALNUM) &&
		all_in(s, len, SET_REPO);
}

static bool
valid_fingerprint(const char *s, size_t len)
{
	return (len == 40 || len == 64) && all_in(s, len, C_HEXU);
}

static bool
valid_treepath(const char *s, size_t len)
{
	size_t i, start = 0;

	if (len == 1 && s[0] == '.')
		return true;
	if (len == 0 || len > SW_FILENAME_MAX)
		return false;
	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != '/') {
			if (!in_set(s[i], SET_TREE))
				return false;
			continue;
		}
		if (i == start || (i - start == 1 && s[start] == '.') ||
		    (i - start == 2 && s[start] == '.' && s[start + 1] == '.'))
			return false;
		start = i + 1;
	}
	return true;
}

static bool
valid_mem(enum sw_name_kind kind, const char *s, size_t len)
{
	struct sw_pkgfile_name pf;
	struct sw_id id;
	char tmp[SW_FILENAME_MAX + 1];

	if (memchr(s, '\0', len) != NULL)
		return false;
	switch (kind) {
	case SW_NAME_PKGNAME:
	case SW_NAME_PKGBASE:
		return valid_pkgname(s, len);
	case SW_NAME_PKGVER:
		return valid_pkgver(s, len);
	case SW_NAME_PKGREL:
		return valid_pkgrel(s, len);
	case SW_NAME_EPOCH:
		return valid_epoch(s, len);
	case SW_NAME_VERSION:
		return valid_version(s, len);
	case SW_NAME_ARCH:
		return valid_arch(s, len);
	case SW_NAME_REPO:
		return valid_repo(s, len);
	case SW_NAME_COMMIT:
		return valid_commit(s, len);
	case SW_NAME_REVISION:
		return valid_revision(s, len);
	case SW_NAME_SONAME:
		return valid_soname(s, len);
	case SW_NAME_SLAVE:
	case SW_NAME_SOURCE:
		return valid_slave(s, len);
	case SW_NAME_PHASE:
		return valid_phase(s, len);
	case SW_NAME_FINGERPRINT:
		return valid_fingerprint(s, len);
	case SW_NAME_TREEPATH:
		return valid_treepath(s, len);
	case SW_NAME_PKGFILE:
	case SW_NAME_ID:
		if (len > SW_FILENAME_MAX)
			return false;
		memcpy(tmp, s, len);
		tmp[len] = '\0';
		if (kind == SW_NAME_PKGFILE)
			return sw_name_parse_pkgfile(tmp, &pf, NULL) == 0;
		return sw_id_parse(tmp, &id, NULL) == 0;
	}
	return false;
}

bool
sw_name_link_inside(const char *path, const char *target)
{
	size_t depth = 0, n;
	bool down = false;
	const char *p;

	if (target[0] == '\0' || target[0] == '/')
		return false;
	for (p = path; *p; p++)
		if (*p == '/')
			depth++;
	for (;;) {
		n = strcspn(target, "/");
		if (n == 0)
			return false;
		if (n == 2 && target[0] == '.' && target[1] == '.') {
			if (down || depth == 0)
				return false;
			depth--;
		} else if (!(n == 1 && target[0] == '.'))
			down = true;
		if (target[n] == '\0')
			return true;
		target += n + 1;
	}
}

bool
sw_name_valid(enum sw_name_kind kind, const char *s)
{
	return s != NULL && valid_mem(kind, s, strlen(s));
}

void
sw_name_quote(const char *s, size_t len, char *out, size_t size)
{
	size_t i, o = 0;

	if (size == 0)
		return;
	for (i = 0; i < len && o + 5 < size; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, size - o, "\\x%02x", c);
	}
	if (i < len && o + 4 < size) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

/* The message for a bad name; never validates (the parsers call it). */
static int
invalid(enum sw_name_kind kind, const char *s, size_t len, struct sw_err *e)
{
	char q[96];

	sw_name_quote(s, len, q, sizeof(q));
	return sw_err_set(e, "invalid %s '%s'", kind_names[kind], q);
}

int
sw_name_check_mem(enum sw_name_kind kind, const char *s, size_t len,
	struct sw_err *e)
{
	if (valid_mem(kind, s, len))
		return 0;
	return invalid(kind, s, len, e);
}

int
sw_name_check(enum sw_name_kind kind, const char *s, struct sw_err *e)
{
	if (s == NULL)
		return sw_err_set(e, "missing %s", kind_names[kind]);
	return sw_name_check_mem(kind, s, strlen(s), e);
}

static bool
ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

/* Copies s[0..len) into dst of size dstsize; false if it does not fit. */
static bool
copy_field(char *dst, size_t dstsize, const char *s, size_t len)
{
	if (len >= dstsize)
		return false;
	memcpy(dst, s, len);
	dst[len] = '\0';
	return true;
}

/* Finds the last '-' in s[0..len); returns its index or -1. */
static long
last_dash(const char *s, size_t len)
{
	while (len > 0)
		if (s[--len] == '-')
			return (long)len;
	return -1;
}

bool
sw_name_is_debug(const char *pkgname, const char *pkgbase)
{
	size_t n = strlen(pkgbase);

	return strncmp(pkgname, pkgbase, n) == 0 &&
		strcmp(pkgname + n, "-debug") == 0;
}

int
sw_name_parse_pkgfile(const char *file, struct sw_pkgfile_name *out,
	struct sw_err *e)
{
	size_t len = strlen(file), i;
	long d_arch, d_rel, d_ver;
	const char *ext = NULL;

	memset(out, 0, sizeof(*out));
	if (len > SW_FILENAME_MAX)
		goto bad;
	if (ends_with(file, len, ".sig")) {
		out->sig = true;
		len -= 4;
	}
	for (i = 0; i < sizeof(pkg_exts) / sizeof(pkg_exts[0]); i++)
		if (ends_with(file, len, pkg_exts[i])) {
			ext = pkg_exts[i];
			break;
		}
	if (ext == NULL)
		goto bad;
	if (!copy_field(out->ext, sizeof(out->ext), ext, strlen(ext)))
		goto bad;
	len -= strlen(ext);
	d_arch = last_dash(file, len);
	if (d_arch <= 0)
		goto bad;
	d_rel = last_dash(file, (size_t)d_arch);
	if (d_rel <= 0)
		goto bad;
	d_ver = last_dash(file, (size_t)d_rel);
	if (d_ver <= 0)
		goto bad;
	if (!copy_field(out->arch, sizeof(out->arch), file + d_arch + 1,
	    len - (size_t)d_arch - 1) ||
	    !copy_field(out->version, sizeof(out->version), file + d_ver + 1,
	    (size_t)(d_arch - d_ver - 1)) ||
	    !copy_field(out->pkgname, sizeof(out->pkgname), file, (size_t)d_ver))
		goto bad;
	if (!valid_pkgname(out->pkgname, strlen(out->pkgname)) ||
	    !valid_version(out->version, strlen(out->version)) ||
	    !valid_arch(out->arch, strlen(out->arch)) ||
	    memchr(file, '\0', len) != NULL)
		goto bad;
	return 0;
bad:
	memset(out, 0, sizeof(*out));
	return invalid(SW_NAME_PKGFILE, file, strlen(file), e);
}

int
sw_id_parse(const char *s, struct sw_id *out, struct sw_err *e)
{
	size_t len = strlen(s);
	const char *end = s + len, *p;
	int i;

	memset(out, 0, sizeof(*out));
	/* "<id>.<state>" must fit a file name */
	if (len > SW_FILENAME_MAX - sizeof(".testing") + 1)
		goto bad;
	/* from the right: repo has no '.', commits are hex; pkgbase may hold '.' */
	for (i = 2; i >= 0; i--) {
		for (p = end; p > s && p[-1] != '.'; p--)
			;
		if (p == s)
			goto bad;
		if (!copy_field(i == 2 ? out->repo : i == 1 ? out->mod : out->src,
		    i == 2 ? sizeof(out->repo) : i == 1 ? sizeof(out->mod) :
		    sizeof(out->src), p,
		    (size_t)(end - p)))
			goto bad;
		end = p - 1;
	}
	if (!copy_field(out->pkgbase, sizeof(out->pkgbase), s, (size_t)(end - s)))
		goto bad;
	if (!valid_pkgname(out->pkgbase, strlen(out->pkgbase)) ||
	    !valid_commit(out->src, strlen(out->src)) ||
	    !valid_revision(out->mod, strlen(out->mod)) ||
	    !valid_repo(out->repo, strlen(out->repo)))
		goto bad;
	return 0;
bad:
	memset(out, 0, sizeof(*out));
	return invalid(SW_NAME_ID, s, len, e);
}

int
sw_id_from_fields(struct sw_id *out, const char *pkgbase, const char *src,
	const char *mod, const char *repo, struct sw_err *e)
{
	memset(out, 0, sizeof(*out));
	if (sw_name_check(SW_NAME_PKGBASE, pkgbase, e) < 0 ||
	    sw_name_check(SW_NAME_COMMIT, src, e) < 0 ||
	    sw_name_check(SW_NAME_REVISION, mod, e) < 0 ||
	    sw_name_check(SW_NAME_REPO, repo, e) < 0)
		return -1;
	memcpy(out->pkgbase, pkgbase, strlen(pkgbase) + 1);
	memcpy(out->src, src, strlen(src) + 1);
	memcpy(out->mod, mod, strlen(mod) + 1);
	memcpy(out->repo, repo, strlen(repo) + 1);
	return 0;
}

void
sw_id_format(const struct sw_id *id, char *out, size_t size)
{
	snprintf(out, size, "%s.%s.%s.%s", id->pkgbase, id->src, id->mod,
		id->repo);
}

unsigned
sw_id_bump(const struct sw_id *id)
{
	const char *plus = strchr(id->mod, '+');
	unsigned n = 0;

	/* checked on the way in: at most four digits */
	for (plus = plus ? plus + 1 : ""; *plus >= '0' && *plus <= '9'; plus++)
		n = n * 10 + (unsigned)(*plus - '0');
	return n;
}

void
sw_id_mod_commit(const struct sw_id *id, char *out, size_t size)
{
	snprintf(out, size, "%.*s", (int)strcspn(id->mod, "+"), id->mod);
}

int
sw_id_set_bump(struct sw_id *id, unsigned bump, struct sw_err *e)
{
	size_t c = strcspn(id->mod, "+");

	if (bump > SW_BUMP_MAX)
		return sw_err_set(e, "'%s' cannot be bumped past %u", id->pkgbase,
			SW_BUMP_MAX);
	id->mod[c] = '\0';
	if (bump > 0)
		snprintf(id->mod + c, sizeof(id->mod) - c, "+%u", bump);
	return 0;
}

int
sw_name_path(struct sw_buf *out, const char *dir, enum sw_name_kind kind,
	const char *name, const char *suffix, struct sw_err *e)
{
	if (sw_name_check(kind, name, e) < 0)
		return -1;
	if (strchr(suffix, '/') != NULL)
		return sw_err_set(e, "path suffix '%s' holds a '/'", suffix);
	sw_buf_reset(out);
	if (sw_buf_addf(out, "%s/%s%s", dir, name, suffix) < 0)
		return sw_err_sys(e, "cannot build path for '%s'", name);
	return 0;
}

int
sw_name_check_text(const char *what, const char *s, size_t max,
	struct sw_err *e)
{
	size_t i;

	if (s[0] == '\0' || s[0] == ' ')
		return sw_err_set(e, "empty %s", what);
	if (strlen(s) > max)
		return sw_err_set(e, "%s longer than %zu bytes", what, max);
	for (i = 0; s[i]; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return sw_err_set(e, "%s holds a control character", what);
	return 0;
}
