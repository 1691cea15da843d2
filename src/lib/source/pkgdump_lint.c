/* pkgdump: lookups in a dump, and makepkg's lint_pkgbuild rules (pkgdump.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "source/pkgdump_lookup.h"

/* The schema of makepkg 6.0.2 (libmakepkg/util/schema.sh). */
static const char *const schema_arrays[] = { "arch", "backup", "checkdepends",
	"conflicts", "depends", "groups", "license", "makedepends", "noextract",
	"optdepends", "options", "provides", "replaces", "source", "validpgpkeys",
	"cksums", "md5sums", "sha1sums", "sha224sums", "sha256sums", "sha384sums",
	"sha512sums", "b2sums", NULL };
static const char *const schema_strings[] = { "changelog", "epoch", "install",
	"pkgbase", "pkgdesc", "pkgrel", "pkgver", "url", NULL };
static const char *const arch_arrays[] = { "checkdepends", "conflicts",
	"depends", "makedepends", "optdepends", "provides", "replaces", "source",
	"cksums", "md5sums", "sha1sums", "sha224sums", "sha256sums", "sha384sums",
	"sha512sums", "b2sums", NULL };
static const char *const package_overrides[] = { "pkgdesc", "arch", "url",
	"license", "groups", "depends", "optdepends", "provides", "conflicts",
	"replaces", "backup", "options", "install", "changelog", NULL };
/* packaging_options + build_options of makepkg 6.0.2 */
static const char *const known_options[] = { "strip", "docs", "libtool",
	"staticlibs", "emptydirs", "zipman", "purge", "debug", "lto",
	"makeflags", "buildflags", "ccache", "distcc", NULL };

/* ---- lookups ------------------------------------------------------------ */

const struct sw_pkgdump_var *
sw_pkgdump_get_var(const struct sw_pkgdump *d, const char *name)
{
	size_t i;

	for (i = 0; i < d->nvars; i++)
		if (strcmp(d->vars[i].name, name) == 0)
			return &d->vars[i];
	return NULL;
}

static const struct sw_pkgdump_var *
varf(const struct sw_pkgdump *d, const char *name, const char *arch)
{
	char n[256];

	if ((size_t)snprintf(n, sizeof(n), "%s_%s", name, arch) >= sizeof(n))
		return NULL;
	return sw_pkgdump_get_var(d, n);
}

static const struct sw_pkgdump_var *
attr(const struct sw_pkgdump_pkg *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nattrs; i++)
		if (strcmp(p->attrs[i].name, name) == 0)
			return &p->attrs[i];
	return NULL;
}

/* Does the package function assign name (either form)? */
static const struct sw_pkgdump_assign *
assigns(const struct sw_pkgdump_pkg *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nassigns; i++)
		if (strcmp(p->assigns[i].name, name) == 0)
			return &p->assigns[i];
	return NULL;
}

static bool
assigns_form(const struct sw_pkgdump_pkg *p, const char *name, bool array)
{
	size_t i;

	for (i = 0; i < p->nassigns; i++)
		if (strcmp(p->assigns[i].name, name) == 0 &&
		    (p->assigns[i].form == '(') == array)
			return true;
	return false;
}

const char *
sw_pkgdump_scalar(const struct sw_pkgdump *d, const char *name)
{
	const struct sw_pkgdump_var *v = sw_pkgdump_get_var(d, name);

	return v != NULL && v->values.n > 0 ? v->values.v[0] : "";
}

static bool
has_func(const struct sw_pkgdump *d, const char *name)
{
	return sw_strvec_contains(&d->funcs, name);
}

const struct sw_strvec *
sw_pkgdump_archs(const struct sw_pkgdump *d)
{
	static struct sw_strvec none = SW_STRVEC_INIT;
	const struct sw_pkgdump_var *v = sw_pkgdump_get_var(d, "arch");

	return v ? &v->values : &none;
}

/* ---- makepkg's lint_pkgbuild -------------------------------------------- */

static bool
is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s > 127)
			return false;
	return true;
}

static bool
is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9');
}

bool
sw_pkgdump_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
		c == '\r';
}

static int
lint_one_pkgname(const char *type, const char *name, struct sw_err *e)
{
	char bad[64];
	size_t n = 0;

	if (name[0] == '\0')
		return sw_err_set(e, "%s is not allowed to be empty.", type);
	if (name[0] == '-')
		return sw_err_set(e, "%s is not allowed to start with a hyphen.", type);
	if (name[0] == '.')
		return sw_err_set(e, "%s is not allowed to start with a dot.", type);
	if (!is_ascii(name))
		return sw_err_set(e, "%s may only contain ascii characters.", type);
	for (; *name; name++)
		if (!is_alnum(*name) && !strchr("+_.@-", *name) && n < sizeof(bad) - 1)
			bad[n++] = *name;
	bad[n] = '\0';
	if (n > 0) {
		char q[sizeof(bad) * 4];

		sw_name_quote(bad, n, q, sizeof(q));
		return sw_err_set(e, "%s contains invalid characters: '%s'", type, q);
	}
	return 0;
}

/* "pkgver", or "pkgver in depends" */
static void
label(char *out, size_t size, const char *what, const char *type)
{
	if (type != NULL)
		snprintf(out, size, "%s in %s", what, type);
	else
		snprintf(out, size, "%s", what);
}

static int
check_pkgver(const char *ver, const char *type, struct sw_err *e)
{
	char l[64];
	const char *p;

	label(l, sizeof(l), "pkgver", type);
	if (ver[0] == '\0')
		return sw_err_set(e, "%s is not allowed to be empty.", l);
	for (p = ver; *p; p++)
		if (sw_pkgdump_is_space(*p) || *p == '/' || *p == ':' || *p == '-')
			return sw_err_set(e, "%s is not allowed to contain colons, "
				"forward slashes, hyphens or whitespace.", l);
	if (!is_ascii(ver))
		return sw_err_set(e, "%s may only contain ascii characters.", l);
	return 0;
}

static bool
digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static int
check_pkgrel(const char *rel, const char *type, struct sw_err *e)
{
	const char *dot = strchr(rel, '.');
	char l[64], q[256];
	bool ok;

	label(l, sizeof(l), "pkgrel", type);
	if (rel[0] == '\0')
		return sw_err_set(e, "%s is not allowed to be empty.", l);
	if (dot == NULL)
		ok = digits(rel, strlen(rel));
	else
		ok = dot > rel && digits(rel, (size_t)(dot - rel)) &&
			dot[1] != '\0' && digits(dot + 1, strlen(dot + 1));
	if (!ok) {
		sw_name_quote(rel, strlen(rel), q, sizeof(q));
		return sw_err_set(e, "%s must be of the form 'integer[.integer]', "
			"not %s.", l, q);
	}
	return 0;
}

static int
check_epoch(const char *epoch, size_t n, const char *type, struct sw_err *e)
{
	char l[64], q[256];

	label(l, sizeof(l), "epoch", type);
	if (!digits(epoch, n)) {
		sw_name_quote(epoch, n, q, sizeof(q));
		return sw_err_set(e, "%s must be an integer, not %s.", l, q);
	}
	return 0;
}

/* lint_pkgbuild/fullpkgver.sh */
static int
check_fullpkgver(const char *full, const char *type, struct sw_err *e)
{
	const char *colon = strchr(full, ':'), *dash;
	char *ver = NULL;
	int ret = -1;

	if (colon != NULL) {
		if (check_epoch(full, (size_t)(colon - full), type, e) < 0)
			goto out;
		full = colon + 1;
	}
	ver = strdup(full);
	if (ver == NULL) {
		sw_err_sys(e, "cannot check version");
		goto out;
	}
	dash = strrchr(ver, '-');
	if (dash != NULL && dash > ver) {
		if (check_pkgrel(dash + 1, type, e) < 0)
			goto out;
		ver[dash - ver] = '\0';
	}
	if (check_pkgver(ver, type, e) < 0)
		goto out;
	ret = 0;
out:
	free(ver);
	return ret;
}

/* name<op>version entries of depends, makedepends, checkdepends, conflicts, optdepends */
static int
check_dep(const char *type, const char *dep, bool empty_ver_ok,
	struct sw_err *e)
{
	size_t n = strcspn(dep, "<>=");
	char *name = strndup(dep, n);
	const char *ver;
	int ret = -1;

	if (name == NULL) {
		sw_err_sys(e, "cannot check %s", type);
		goto out;
	}
	if (lint_one_pkgname(type, name, e) < 0)
		goto out;
	if (dep[n] != '\0') {
		ver = dep + n + ((dep[n + 1] == '=' && dep[n] != '=') ? 2 : 1);
		if ((!empty_ver_ok || ver[0] != '\0') &&
		    check_fullpkgver(ver, type, e) < 0)
			goto out;
	}
	ret = 0;
out:
	free(name);
	return ret;
}

static int
check_provide(const char *p, struct sw_err *e)
{
	const char *eq = strrchr(p, '=');
	char *name;
	int ret;

	if (strpbrk(p, "<>") != NULL)
		return sw_err_set(e, "provides array cannot contain comparison "
			"(< or >) operators.");
	name = strndup(p, eq ? (size_t)(eq - p) : strlen(p));
	if (name == NULL)
		return sw_err_sys(e, "cannot check provides");
	ret = lint_one_pkgname("provides", name, e);
	if (ret == 0 && eq != NULL)
		ret = check_fullpkgver(eq + 1, "provides", e);
	free(name);
	return ret;
}

/* Calls fn on every value of name that makepkg's get_pkgbuild_all_split_attributes sees. */
static int
each_split_value(const struct sw_pkgdump *d, const char *name,
	int (*fn)(const char *type, const char *value, struct sw_err *e),
	struct sw_err *e)
{
	const struct sw_strvec *ar = sw_pkgdump_archs(d);
	const struct sw_pkgdump_var *v;
	size_t i, j, k;

	for (k = 0; k <= ar->n; k++) {
		v = k == 0 ? sw_pkgdump_get_var(d, name) : varf(d, name, ar->v[k - 1]);
		for (j = 0; v != NULL && j < v->values.n; j++)
			if (fn(name, v->values.v[j], e) < 0)
				return -1;
	}
	for (i = 0; i < d->npkgs; i++)
		for (k = 0; k <= ar->n; k++) {
			char n[256];

			if (k == 0)
				snprintf(n, sizeof(n), "%s", name);
			else
				snprintf(n, sizeof(n), "%s_%s", name, ar->v[k - 1]);
			v = attr(&d->pkgs[i], n);
			for (j = 0; v != NULL && j < v->values.n; j++)
				if (fn(name, v->values.v[j], e) < 0)
					return -1;
		}
	return 0;
}

static int
dep_fn(const char *type, const char *value, struct sw_err *e)
{
	return check_dep(type, value, strcmp(type, "depends") == 0, e);
}

static int
optdep_fn(const char *type, const char *value, struct sw_err *e)
{
	const char *p = value;
	char *cut;
	int ret;

	/* ${v%%:[[:space:]]*}: cut at the first ':' followed by whitespace */
	while ((p = strchr(p, ':')) != NULL && !sw_pkgdump_is_space(p[1]))
		p++;
	cut = strndup(value, p ? (size_t)(p - value) : strlen(value));
	if (cut == NULL)
		return sw_err_sys(e, "cannot check %s", type);
	ret = check_dep(type, cut, false, e);
	free(cut);
	return ret;
}

static int
provide_fn(const char *type, const char *value, struct sw_err *e)
{
	(void)type;
	return check_provide(value, e);
}

/* Values of a global array plus the package functions' values of it. */
static int
each_value(const struct sw_pkgdump *d, const char *name,
	int (*fn)(const char *value, struct sw_err *e), struct sw_err *e)
{
	const struct sw_pkgdump_var *v = sw_pkgdump_get_var(d, name);
	size_t i, j;

	for (j = 0; v != NULL && j < v->values.n; j++)
		if (fn(v->values.v[j], e) < 0)
			return -1;
	for (i = 0; i < d->npkgs; i++) {
		v = attr(&d->pkgs[i], name);
		for (j = 0; v != NULL && j < v->values.n; j++)
			if (fn(v->values.v[j], e) < 0)
				return -1;
	}
	return 0;
}

static int
backup_fn(const char *value, struct sw_err *e)
{
	char q[512];

	if (value[0] != '/')
		return 0;
	sw_name_quote(value, strlen(value), q, sizeof(q));
	return sw_err_set(e, "backup entry should not contain leading slash : %s", q);
}

static int
option_fn(const char *value, struct sw_err *e)
{
	char q[256];

	if (sw_pkgdump_in_list(known_options, value[0] == '!' ? value + 1 : value))
		return 0;
	sw_name_quote(value, strlen(value), q, sizeof(q));
	return sw_err_set(e, "options array contains unknown option '%s'", q);
}

static int
lint_arch(const struct sw_pkgdump *d, struct sw_err *e)
{
	const struct sw_strvec *ar = sw_pkgdump_archs(d);
	size_t i;
	const char *p;

	if (sw_strvec_contains(ar, "any")) {
		if (ar->n == 1)
			return 0;
		return sw_err_set(e, "Can not use 'any' architecture with other "
			"architectures");
	}
	for (i = 0; i < ar->n; i++) {
		char bad[64], q[256];
		size_t n = 0;

		for (p = ar->v[i]; *p; p++)
			if (!is_alnum(*p) && *p != '_' && n < sizeof(bad) - 1)
				bad[n++] = *p;
		if (n > 0) {
			sw_name_quote(bad, n, q, sizeof(q));
			return sw_err_set(e, "arch contains invalid characters: '%s'", q);
		}
	}
	return 0;
}

static int
lint_arch_specific(const struct sw_pkgdump *d, struct sw_err *e)
{
	const char *const *lists[2] = { schema_arrays, schema_strings };
	const struct sw_strvec *ar = sw_pkgdump_archs(d);
	char n[256];
	size_t i, l, k;
	const char *const *s;

	for (k = 0; k <= d->npkgs; k++) {
		const struct sw_pkgdump_pkg *pkg = k ? &d->pkgs[k - 1] : NULL;

		for (i = 0; i < ar->n; i++) {
			const char *a = ar->v[i];

			for (l = 0; l < 2; l++)
				for (s = lists[l]; *s; s++) {
					bool archable = sw_pkgdump_in_list(arch_arrays, *s);

					if (archable && strcmp(a, "any") != 0)
						continue;
					snprintf(n, sizeof(n), "%s_%s", *s, a);
					if (pkg ? assigns(pkg, n) == NULL : sw_pkgdump_get_var(d, n) == NULL)
						continue;
					if (archable)
						return sw_err_set(e, "Can not provide architecture "
							"specific variables for the 'any' architecture: "
							"%s", n);
					return sw_err_set(e, "%s can not be architecture "
						"specific: %s", *s, n);
				}
		}
	}
	return 0;
}

static int
lint_files(const struct sw_pkgdump *d, const char *kind, struct sw_err *e)
{
	char q[512];
	size_t i;

	for (i = 0; i + 1 < d->missing.n; i += 2)
		if (strcmp(d->missing.v[i], kind) == 0) {
			sw_name_quote(d->missing.v[i + 1], strlen(d->missing.v[i + 1]),
				q, sizeof(q));
			return sw_err_set(e, "%s file (%s) does not exist or is not a "
				"regular file.", kind, q);
		}
	return 0;
}

static int
lint_package_function(const struct sw_pkgdump *d, struct sw_err *e)
{
	const struct sw_pkgdump_var *pn = sw_pkgdump_get_var(d, "pkgname");
	char fn[SW_PKGNAME_MAX + 16];
	size_t i;

	if (pn == NULL || pn->values.n == 0)
		return 0;
	if (pn->values.n == 1) {
		snprintf(fn, sizeof(fn), "package_%s", pn->values.v[0]);
		if (has_func(d, "package") && has_func(d, fn))
			return sw_err_set(e, "Conflicting package() and %s() functions "
				"in PKGBUILD", fn);
		if (has_func(d, "build") && !has_func(d, "package") && !has_func(d, fn))
			return sw_err_set(e, "Missing package() function in PKGBUILD");
		return 0;
	}
	if (has_func(d, "package"))
		return sw_err_set(e, "Extra package() function for split package "
			"'%s'", sw_pkgdump_scalar(d, "pkgbase"));
	for (i = 0; i < pn->values.n; i++) {
		snprintf(fn, sizeof(fn), "package_%s", pn->values.v[i]);
		if (!has_func(d, fn))
			return sw_err_set(e, "Missing %s() function for split package "
				"'%s'", fn, pn->values.v[i]);
	}
	return 0;
}

static int
lint_package_function_variable(const struct sw_pkgdump *d, struct sw_err *e)
{
	const char *const *lists[2] = { schema_arrays, schema_strings };
	const struct sw_strvec *ar = sw_pkgdump_archs(d);
	char n[256];
	size_t k, i, l;
	const char *const *s;

	for (k = 0; k < d->npkgs; k++)
		for (i = 0; i <= ar->n; i++) {
			if (i > 0 && strcmp(ar->v[i - 1], "any") == 0)
				continue;
			for (l = 0; l < 2; l++)
				for (s = lists[l]; *s; s++) {
					if (sw_pkgdump_in_list(package_overrides, *s))
						continue;
					if (i == 0)
						snprintf(n, sizeof(n), "%s", *s);
					else
						snprintf(n, sizeof(n), "%s_%s", *s, ar->v[i - 1]);
					if (assigns(&d->pkgs[k], n) != NULL)
						return sw_err_set(e, "%s can not be set inside a "
							"package function", n);
				}
		}
	return 0;
}

static int
lint_pkgname(const struct sw_pkgdump *d, struct sw_err *e)
{
	const struct sw_pkgdump_var *pn = sw_pkgdump_get_var(d, "pkgname");
	size_t i, total = 0;

	for (i = 0; pn != NULL && i < pn->values.n; i++)
		total += strlen(pn->values.v[i]);
	if (total == 0)
		return sw_err_set(e, "pkgname is not allowed to be empty.");
	for (i = 0; i < pn->values.n; i++)
		if (lint_one_pkgname("pkgname", pn->values.v[i], e) < 0)
			return -1;
	return 0;
}

static int
lint_variable(const struct sw_pkgdump *d, struct sw_err *e)
{
	const struct sw_strvec *ar = sw_pkgdump_archs(d);
	const struct sw_pkgdump_var *v;
	const char *const *s;
	char n[256];
	size_t i, k;

	for (s = schema_arrays; *s; s++)
		if ((v = sw_pkgdump_get_var(d, *s)) != NULL && v->kind != 'a')
			return sw_err_set(e, "%s should be an array", *s);
	for (i = 0; i < ar->n; i++) {
		if (strcmp(ar->v[i], "any") == 0)
			continue;
		for (s = arch_arrays; *s; s++)
			if ((v = varf(d, *s, ar->v[i])) != NULL && v->kind != 'a')
				return sw_err_set(e, "%s_%s should be an array", *s, ar->v[i]);
	}
	for (s = schema_strings; *s; s++)
		if ((v = sw_pkgdump_get_var(d, *s)) != NULL && v->kind == 'a')
			return sw_err_set(e, "%s should not be an array", *s);
	for (k = 0; k < d->npkgs; k++) {
		const struct sw_pkgdump_pkg *p = &d->pkgs[k];

		for (s = schema_arrays; *s; s++)
			if (assigns_form(p, *s, false))
				return sw_err_set(e, "%s should be an array", *s);
		for (i = 0; i < ar->n; i++) {
			if (strcmp(ar->v[i], "any") == 0)
				continue;
			for (s = arch_arrays; *s; s++) {
				snprintf(n, sizeof(n), "%s_%s", *s, ar->v[i]);
				if (assigns_form(p, n, false))
					return sw_err_set(e, "%s should be an array", n);
			}
		}
		for (s = schema_strings; *s; s++)
			if (assigns_form(p, *s, true))
				return sw_err_set(e, "%s should not be an array", *s);
	}
	return 0;
}

int
sw_pkgdump_lint(const struct sw_pkgdump *d, struct sw_err *e)
{
	const char *epoch = sw_pkgdump_scalar(d, "epoch");

	/* in the order makepkg runs them (alphabetical by file) */
	if (lint_arch(d, e) < 0 || lint_arch_specific(d, e) < 0 ||
	    each_value(d, "backup", backup_fn, e) < 0 ||
	    lint_files(d, "changelog", e) < 0 ||
	    each_split_value(d, "checkdepends", dep_fn, e) < 0 ||
	    each_split_value(d, "conflicts", dep_fn, e) < 0 ||
	    each_split_value(d, "depends", dep_fn, e) < 0 ||
	    check_epoch(epoch, strlen(epoch), NULL, e) < 0 ||
	    lint_files(d, "install", e) < 0 ||
	    each_split_value(d, "makedepends", dep_fn, e) < 0 ||
	    each_split_value(d, "optdepends", optdep_fn, e) < 0 ||
	    each_value(d, "options", option_fn, e) < 0 ||
	    lint_package_function(d, e) < 0 ||
	    lint_package_function_variable(d, e) < 0 ||
	    (sw_pkgdump_scalar(d, "pkgbase")[0] != '\0' &&
	    lint_one_pkgname("pkgbase", sw_pkgdump_scalar(d, "pkgbase"), e) < 0) ||
	    lint_pkgname(d, e) < 0 ||
	    check_pkgrel(sw_pkgdump_scalar(d, "pkgrel"), NULL, e) < 0 ||
	    check_pkgver(sw_pkgdump_scalar(d, "pkgver"), NULL, e) < 0 ||
	    each_split_value(d, "provides", provide_fn, e) < 0 ||
	    lint_variable(d, e) < 0)
		return -1;
	return 0;
}
