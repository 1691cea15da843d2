#include "source/srcinfo.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
sw_srcinfo_init(struct sw_srcinfo *s)
{
	memset(s, 0, sizeof(*s));
}

static void
section_release(struct sw_srcinfo_section *sec)
{
	size_t i;

	for (i = 0; i < sec->n; i++) {
		free(sec->v[i].key);
		free(sec->v[i].value);
	}
	free(sec->v);
	free(sec->name);
	memset(sec, 0, sizeof(*sec));
}

void
sw_srcinfo_release(struct sw_srcinfo *s)
{
	size_t i;

	section_release(&s->base);
	for (i = 0; i < s->npkgs; i++)
		section_release(&s->pkgs[i]);
	free(s->pkgs);
	memset(s, 0, sizeof(*s));
}

int
sw_srcinfo_set_base(struct sw_srcinfo *s, const char *pkgbase,
	struct sw_err *e)
{
	char *n = strdup(pkgbase);

	if (n == NULL)
		return sw_err_sys(e, "cannot store pkgbase");
	free(s->base.name);
	s->base.name = n;
	return 0;
}

struct sw_srcinfo_section *
sw_srcinfo_add_pkg(struct sw_srcinfo *s, const char *pkgname, struct sw_err *e)
{
	struct sw_srcinfo_section *sec;

	if (s->npkgs >= SW_SRCINFO_MAX_PKGS) {
		sw_err_set(e, "more than %d packages", SW_SRCINFO_MAX_PKGS);
		return NULL;
	}
	if (s->npkgs == s->alloc) {
		size_t a = s->alloc ? s->alloc * 2 : 4;
		struct sw_srcinfo_section *p = reallocarray(s->pkgs, a, sizeof(*p));

		if (p == NULL) {
			sw_err_sys(e, "cannot add package '%s'", pkgname);
			return NULL;
		}
		s->pkgs = p;
		s->alloc = a;
	}
	sec = &s->pkgs[s->npkgs];
	memset(sec, 0, sizeof(*sec));
	sec->name = strdup(pkgname);
	if (sec->name == NULL) {
		sw_err_sys(e, "cannot add package '%s'", pkgname);
		return NULL;
	}
	s->npkgs++;
	return sec;
}

int
sw_srcinfo_add(struct sw_srcinfo_section *sec, const char *key,
	const char *value, struct sw_err *e)
{
	struct sw_srcinfo_attr a;

	if (sec->n >= SW_SRCINFO_MAX_ATTRS)
		return sw_err_set(e, "more than %d attributes in '%s'",
			SW_SRCINFO_MAX_ATTRS, sec->name ? sec->name : "?");
	if (sec->n == sec->alloc) {
		size_t na = sec->alloc ? sec->alloc * 2 : 16;
		struct sw_srcinfo_attr *p = reallocarray(sec->v, na, sizeof(*p));

		if (p == NULL)
			return sw_err_sys(e, "cannot add attribute '%s'", key);
		sec->v = p;
		sec->alloc = na;
	}
	a.key = strdup(key);
	a.value = strdup(value);
	if (a.key == NULL || a.value == NULL) {
		free(a.key);
		free(a.value);
		return sw_err_sys(e, "cannot add attribute '%s'", key);
	}
	sec->v[sec->n++] = a;
	return 0;
}

int
sw_srcinfo_has(const struct sw_srcinfo_section *sec, const char *key)
{
	size_t i;

	for (i = 0; i < sec->n; i++)
		if (strcmp(sec->v[i].key, key) == 0)
			return 1;
	return 0;
}

static bool
key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9') || c == '_';
}

static bool
blank(char c)
{
	return c == ' ' || c == '\t';
}

/* One line "key = value" (already without its newline), or blank/comment. */
static int
parse_line(struct sw_srcinfo *s, char *line, size_t len,
	struct sw_srcinfo_section **cur, struct sw_err *e)
{
	char *p = line, *end = line + len, *eq, *k_end, *v;

	while (p < end && blank(*p))
		p++;
	if (p == end || *p == '#')
		return 0;
	eq = memchr(p, '=', (size_t)(end - p));
	if (eq == NULL)
		return sw_err_set(e, "expected 'key = value'");
	k_end = eq;
	while (k_end > p && blank(k_end[-1]))
		k_end--;
	if (k_end == p)
		return sw_err_set(e, "empty key");
	for (char *q = p; q < k_end; q++)
		if (!key_char(*q))
			return sw_err_set(e, "invalid key");
	*k_end = '\0';
	v = eq + 1;
	while (v < end && blank(*v))
		v++;
	while (end > v && blank(end[-1]))
		end--;
	*end = '\0';
	if (strcmp(p, "pkgbase") == 0) {
		if (s->base.name != NULL)
			return sw_err_set(e, "second pkgbase");
		if (*v == '\0')
			return sw_err_set(e, "empty pkgbase");
		*cur = &s->base;
		return sw_srcinfo_set_base(s, v, e);
	}
	if (strcmp(p, "pkgname") == 0) {
		if (s->base.name == NULL)
			return sw_err_set(e, "pkgname before pkgbase");
		if (*v == '\0')
			return sw_err_set(e, "empty pkgname");
		*cur = sw_srcinfo_add_pkg(s, v, e);
		return *cur ? 0 : -1;
	}
	if (*cur == NULL)
		return sw_err_set(e, "attribute before pkgbase");
	return sw_srcinfo_add(*cur, p, v, e);
}

int
sw_srcinfo_parse(struct sw_srcinfo *s, const char *text, size_t len,
	const char *what, struct sw_err *e)
{
	struct sw_srcinfo_section *cur = NULL;
	struct sw_err le;
	char *copy = NULL, *p, *end;
	int line = 0, ret = -1;

	sw_srcinfo_init(s);
	if (len > SW_SRCINFO_MAX_SIZE) {
		sw_err_set(e, "%s: larger than %d bytes", what, SW_SRCINFO_MAX_SIZE);
		goto out;
	}
	if (memchr(text, '\0', len) != NULL) {
		sw_err_set(e, "%s: NUL byte", what);
		goto out;
	}
	copy = malloc(len + 1);
	if (copy == NULL) {
		sw_err_sys(e, "cannot read %s", what);
		goto out;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	p = copy;
	end = copy + len;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);

		line++;
		if (l > SW_SRCINFO_LINE_MAX) {
			sw_err_set(e, "%s:%d: line longer than %d bytes", what, line,
				SW_SRCINFO_LINE_MAX);
			goto out;
		}
		p[l] = '\0';
		if (parse_line(s, p, l, &cur, &le) < 0) {
			sw_err_set(e, "%s:%d: %s", what, line, le.msg);
			goto out;
		}
		p += l + 1;
	}
	if (s->base.name == NULL) {
		sw_err_set(e, "%s: no pkgbase", what);
		goto out;
	}
	ret = 0;
out:
	free(copy);
	if (ret < 0)
		sw_srcinfo_release(s);
	return ret;
}

static int
print_section(struct sw_buf *out, const char *kind,
	const struct sw_srcinfo_section *sec)
{
	size_t i;

	if (sw_buf_addf(out, "%s = %s\n", kind, sec->name) < 0)
		return -1;
	for (i = 0; i < sec->n; i++)
		if (sw_buf_addf(out, "\t%s = %s\n", sec->v[i].key, sec->v[i].value) < 0)
			return -1;
	return 0;
}

int
sw_srcinfo_print(const struct sw_srcinfo *s, struct sw_buf *out,
	struct sw_err *e)
{
	size_t i;

	if (s->base.name == NULL)
		return sw_err_set(e, "cannot print .SRCINFO without a pkgbase");
	if (print_section(out, "pkgbase", &s->base) < 0)
		return sw_err_sys(e, "cannot print .SRCINFO of '%s'", s->base.name);
	for (i = 0; i < s->npkgs; i++)
		if (sw_buf_addch(out, '\n') < 0 ||
		    print_section(out, "pkgname", &s->pkgs[i]) < 0)
			return sw_err_sys(e, "cannot print .SRCINFO of '%s'",
				s->base.name);
	return 0;
}

void
sw_pkginfo_init(struct sw_pkginfo *p)
{
	p->version[0] = '\0';
	sw_strvec_init(&p->pkgnames);
	sw_strvec_init(&p->provides);
	sw_strvec_init(&p->groups);
	sw_strvec_init(&p->deps);
}

void
sw_pkginfo_release(struct sw_pkginfo *p)
{
	if (p->pkgnames.v != NULL)
		sw_strvec_release(&p->pkgnames);
	if (p->provides.v != NULL)
		sw_strvec_release(&p->provides);
	if (p->groups.v != NULL)
		sw_strvec_release(&p->groups);
	if (p->deps.v != NULL)
		sw_strvec_release(&p->deps);
	sw_pkginfo_init(p);
}

/* The first value of key in sec, or NULL. */
static const char *
first(const struct sw_srcinfo_section *sec, const char *key)
{
	size_t i;

	for (i = 0; i < sec->n; i++)
		if (strcmp(sec->v[i].key, key) == 0)
			return sec->v[i].value;
	return NULL;
}

/* The section that decides key for a package: its own if it overrides it. */
static const struct sw_srcinfo_section *
effective(const struct sw_srcinfo *s, const struct sw_srcinfo_section *pkg,
	const char *key)
{
	return pkg != NULL && sw_srcinfo_has(pkg, key) ? pkg : &s->base;
}

/*
 * Pushes the name part of every non-empty value of key in sec (cut at the
 * first byte of `cut`), once, skipping names that names.h refuses.
 */
static int
push_names(struct sw_strvec *sv, const struct sw_srcinfo_section *sec,
	const char *key, const char *cut, struct sw_err *e)
{
	char name[SW_PKGNAME_MAX + 1];
	size_t i, len;

	for (i = 0; i < sec->n; i++) {
		if (strcmp(sec->v[i].key, key) != 0)
			continue;
		len = strcspn(sec->v[i].value, cut);
		if (len == 0 || len > SW_PKGNAME_MAX)
			continue;
		memcpy(name, sec->v[i].value, len);
		name[len] = '\0';
		if (!sw_name_valid(SW_NAME_PKGNAME, name) ||
		    sw_strvec_contains(sv, name))
			continue;
		if (sw_strvec_push(sv, name) < 0)
			return sw_err_sys(e, "cannot collect '%s'", key);
	}
	return 0;
}

static int
arch_matches(const struct sw_srcinfo_section *sec, const char *arch)
{
	size_t i;

	for (i = 0; i < sec->n; i++)
		if (strcmp(sec->v[i].key, "arch") == 0 &&
		    (strcmp(sec->v[i].value, arch) == 0 ||
		    strcmp(sec->v[i].value, "any") == 0))
			return 1;
	return 0;
}

static int
make_version(const struct sw_srcinfo *s, char *out, size_t size,
	struct sw_err *e)
{
	const char *epoch = first(&s->base, "epoch"), *ver = first(&s->base, "pkgver"),
		*rel = first(&s->base, "pkgrel");
	size_t n;

	if (ver == NULL || rel == NULL)
		return sw_err_set(e, "'%s' has no %s", s->base.name,
			ver == NULL ? "pkgver" : "pkgrel");
	if (sw_name_check(SW_NAME_PKGVER, ver, e) < 0 ||
	    sw_name_check(SW_NAME_PKGREL, rel, e) < 0 ||
	    (epoch != NULL && strspn(epoch, "0123456789") != strlen(epoch) &&
	    sw_name_check(SW_NAME_EPOCH, epoch, e) < 0))
		return sw_err_prefix(e, "'%s'", s->base.name);
	/* makepkg: (( epoch > 0 )); an epoch of zeros is no epoch */
	while (epoch != NULL && *epoch == '0')
		epoch++;
	if (epoch != NULL && *epoch != '\0')
		n = (size_t)snprintf(out, size, "%s:%s-%s", epoch, ver, rel);
	else
		n = (size_t)snprintf(out, size, "%s-%s", ver, rel);
	if (n >= size)
		return sw_err_set(e, "version of '%s' is too long", s->base.name);
	return sw_name_check(SW_NAME_VERSION, out, e);
}

int
sw_srcinfo_info(const struct sw_srcinfo *s, const char *arch,
	struct sw_pkginfo *p, struct sw_err *e)
{
	static const char *const depkeys[] = { "depends", "makedepends",
		"checkdepends" };
	char key[64];
	size_t i, k;
	int ret = -1;

	sw_pkginfo_release(p);
	if (s->base.name == NULL) {
		sw_err_set(e, "no pkgbase");
		goto out;
	}
	if (make_version(s, p->version, sizeof(p->version), e) < 0)
		goto out;
	for (i = 0; i < s->npkgs; i++) {
		const struct sw_srcinfo_section *pkg = &s->pkgs[i];

		if (!arch_matches(effective(s, pkg, "arch"), arch))
			continue;
		if (sw_name_check(SW_NAME_PKGNAME, pkg->name, e) < 0)
			goto out;
		if (!sw_strvec_contains(&p->pkgnames, pkg->name) &&
		    sw_strvec_push(&p->pkgnames, pkg->name) < 0) {
			sw_err_sys(e, "cannot collect pkgnames");
			goto out;
		}
		snprintf(key, sizeof(key), "provides_%s", arch);
		if (push_names(&p->provides, effective(s, pkg, "provides"),
		    "provides", "=", e) < 0 ||
		    push_names(&p->provides, effective(s, pkg, key), key, "=", e) < 0 ||
		    push_names(&p->groups, effective(s, pkg, "groups"), "groups",
		    "", e) < 0)
			goto out;
	}
	for (k = 0; k < sizeof(depkeys) / sizeof(depkeys[0]); k++) {
		snprintf(key, sizeof(key), "%s_%s", depkeys[k], arch);
		if (push_names(&p->deps, &s->base, depkeys[k], "<>=", e) < 0 ||
		    push_names(&p->deps, &s->base, key, "<>=", e) < 0)
			goto out;
	}
	ret = 0;
out:
	if (ret < 0)
		sw_pkginfo_release(p);
	return ret;
}
