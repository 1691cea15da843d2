#include "source/pkgdump.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/number.h"
#include "source/pkgdump_lookup.h"

/* srcinfo.sh: the pkgbase section */
static const char *const global_single[] = { "pkgdesc", "pkgver", "pkgrel",
	"epoch", "url", "install", "changelog", NULL };
static const char *const global_multi[] = { "arch", "groups", "license",
	"checkdepends", "makedepends", "depends", "optdepends", "provides",
	"conflicts", "replaces", "noextract", "options", "backup", "source",
	"validpgpkeys", "cksums", "md5sums", "sha1sums", "sha224sums",
	"sha256sums", "sha384sums", "sha512sums", "b2sums", NULL };
static const char *const multi_arch[] = { "source", "provides", "conflicts",
	"depends", "replaces", "optdepends", "makedepends", "checkdepends",
	"cksums", "md5sums", "sha1sums", "sha224sums", "sha256sums", "sha384sums",
	"sha512sums", "b2sums", NULL };

bool
sw_pkgdump_in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

void
sw_pkgdump_init(struct sw_pkgdump *d)
{
	memset(d, 0, sizeof(*d));
	sw_strvec_init(&d->funcs);
	sw_strvec_init(&d->missing);
}

static void
vars_release(struct sw_pkgdump_var *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		sw_strvec_release(&v[i].values);
	}
	free(v);
}

void
sw_pkgdump_release(struct sw_pkgdump *d)
{
	size_t i, j;

	vars_release(d->vars, d->nvars);
	for (i = 0; i < d->npkgs; i++) {
		struct sw_pkgdump_pkg *p = &d->pkgs[i];

		free(p->name);
		for (j = 0; j < p->nassigns; j++)
			free(p->assigns[j].name);
		free(p->assigns);
		vars_release(p->attrs, p->nattrs);
	}
	free(d->pkgs);
	sw_strvec_release(&d->funcs);
	sw_strvec_release(&d->missing);
	sw_pkgdump_init(d);
}

/* Room for one more element in *v (n used, *alloc allocated). */
static int
grow(void **v, size_t *alloc, size_t n, size_t size)
{
	void *p;
	size_t a;

	if (n < *alloc)
		return 0;
	a = *alloc ? *alloc * 2 : 8;
	p = reallocarray(*v, a, size);
	if (p == NULL)
		return -1;
	*v = p;
	*alloc = a;
	return 0;
}

struct cursor {
	const char *p, *end;
	size_t count;
};

/* The next token, or NULL at the end or past the token cap. */
static const char *
next(struct cursor *c)
{
	const char *t = c->p, *nul;

	if (c->p >= c->end || c->count >= SW_PKGDUMP_MAX_TOKENS)
		return NULL;
	nul = memchr(c->p, '\0', (size_t)(c->end - c->p));
	if (nul == NULL)
		return NULL;
	c->p = nul + 1;
	c->count++;
	return t;
}

static int
next_count(struct cursor *c, size_t *n, struct sw_err *e)
{
	const char *t = next(c);
	uint64_t v;

	if (t == NULL)
		return sw_err_set(e, "truncated record");
	if (sw_parse_u64(t, 0, SW_PKGDUMP_MAX_TOKENS, &v, e) < 0)
		return -1;
	*n = (size_t)v;
	return 0;
}

/* Reads "name [kind] count values..." into a fresh var. */
static int
read_var(struct cursor *c, struct sw_pkgdump_var *v, bool with_kind,
	struct sw_err *e)
{
	const char *name = next(c), *kind = NULL, *val;
	size_t n = 0, i;

	memset(v, 0, sizeof(*v));
	sw_strvec_init(&v->values);
	if (name == NULL || (with_kind && (kind = next(c)) == NULL))
		return sw_err_set(e, "truncated record");
	if (with_kind && (strlen(kind) != 1 || strchr("saA", kind[0]) == NULL))
		return sw_err_set(e, "bad variable kind");
	if (next_count(c, &n, e) < 0)
		return -1;
	v->kind = with_kind ? kind[0] : 'a';
	v->name = strdup(name);
	if (v->name == NULL)
		return sw_err_sys(e, "cannot read record");
	for (i = 0; i < n; i++) {
		if ((val = next(c)) == NULL)
			return sw_err_set(e, "truncated record");
		if (sw_strvec_push(&v->values, val) < 0)
			return sw_err_sys(e, "cannot read record");
	}
	return 0;
}

static int
parse_token(struct sw_pkgdump *d, struct cursor *c, const char *t,
	struct sw_err *e)
{
	struct sw_pkgdump_pkg *pkg = d->npkgs ? &d->pkgs[d->npkgs - 1] : NULL;
	struct sw_pkgdump_var v;
	const char *a, *b;

	if (d->done)
		return sw_err_set(e, "data after the end of the record");
	if (strcmp(t, "V") == 0 || strcmp(t, "O") == 0) {
		bool isv = t[0] == 'V';
		int r;

		if (!isv && pkg == NULL)
			return sw_err_set(e, "attribute outside a package");
		r = read_var(c, &v, isv, e);
		if (r == 0 && (isv ? grow((void **)&d->vars, &d->avars, d->nvars,
		    sizeof(v)) : grow((void **)&pkg->attrs, &pkg->aattrs,
		    pkg->nattrs, sizeof(v))) < 0)
			r = sw_err_sys(e, "cannot read record");
		if (r < 0) {
			free(v.name);
			sw_strvec_release(&v.values);
			return -1;
		}
		if (isv)
			d->vars[d->nvars++] = v;
		else
			pkg->attrs[pkg->nattrs++] = v;
		return 0;
	}
	if (strcmp(t, "H") == 0) {
		if ((a = next(c)) == NULL)
			return sw_err_set(e, "truncated record");
		return sw_strvec_push(&d->funcs, a) < 0 ?
			sw_err_sys(e, "cannot read record") : 0;
	}
	if (strcmp(t, "P") == 0) {
		if ((a = next(c)) == NULL)
			return sw_err_set(e, "truncated record");
		if (grow((void **)&d->pkgs, &d->apkgs, d->npkgs, sizeof(*pkg)) < 0)
			return sw_err_sys(e, "cannot read record");
		pkg = &d->pkgs[d->npkgs];
		memset(pkg, 0, sizeof(*pkg));
		if ((pkg->name = strdup(a)) == NULL)
			return sw_err_sys(e, "cannot read record");
		d->npkgs++;
		return 0;
	}
	if (strcmp(t, "F") == 0) {
		char *name;

		if ((a = next(c)) == NULL || (b = next(c)) == NULL)
			return sw_err_set(e, "truncated record");
		if (pkg == NULL)
			return sw_err_set(e, "assignment outside a package");
		if (grow((void **)&pkg->assigns, &pkg->aassigns, pkg->nassigns,
		    sizeof(*pkg->assigns)) < 0 || (name = strdup(a)) == NULL)
			return sw_err_sys(e, "cannot read record");
		pkg->assigns[pkg->nassigns].name = name;
		pkg->assigns[pkg->nassigns].form = b[0];
		pkg->nassigns++;
		return 0;
	}
	if (strcmp(t, "M") == 0) {
		if ((a = next(c)) == NULL || (b = next(c)) == NULL)
			return sw_err_set(e, "truncated record");
		if (sw_strvec_push(&d->missing, a) < 0 ||
		    sw_strvec_push(&d->missing, b) < 0)
			return sw_err_sys(e, "cannot read record");
		return 0;
	}
	if (strcmp(t, "D") == 0) {
		d->done = true;
		return 0;
	}
	return sw_err_set(e, "unknown token");
}

int
sw_pkgdump_parse(struct sw_pkgdump *d, const char *tokens, size_t len,
	struct sw_err *e)
{
	struct cursor c = { tokens, tokens + len, 0 };
	const char *t;
	int ret = -1;

	sw_pkgdump_init(d);
	if (e != NULL)
		e->msg[0] = '\0';
	if (len > SW_PKGDUMP_MAX_SIZE) {
		sw_err_set(e, "record larger than %d bytes", SW_PKGDUMP_MAX_SIZE);
		goto out;
	}
	if (len > 0 && tokens[len - 1] != '\0') {
		sw_err_set(e, "truncated record");
		goto out;
	}
	while ((t = next(&c)) != NULL)
		if (parse_token(d, &c, t, e) < 0)
			goto out;
	if (c.p < c.end) {
		sw_err_set(e, "record has more than %d tokens", SW_PKGDUMP_MAX_TOKENS);
		goto out;
	}
	ret = 0;
out:
	if (ret < 0)
		sw_pkgdump_release(d);
	return ret;
}

/* ---- the .SRCINFO -------------------------------------------------------- */

void
sw_pkgdump_normalize(const char *in, char *out)
{
	char *o = out;

	/* ${v//+([[:space:]])/ }, then ${v#[[:space:]]} and ${v%[[:space:]]} */
	while (*in) {
		if (sw_pkgdump_is_space(*in)) {
			*o++ = ' ';
			while (sw_pkgdump_is_space(*in))
				in++;
		} else
			*o++ = *in++;
	}
	*o = '\0';
	if (o > out && o[-1] == ' ')
		*--o = '\0';
	if (out[0] == ' ')
		memmove(out, out + 1, (size_t)(o - out));
}

static int
add_norm(struct sw_srcinfo_section *sec, const char *key, const char *value,
	struct sw_err *e)
{
	char *n = malloc(strlen(value) + 1);
	int r;

	if (n == NULL)
		return sw_err_sys(e, "cannot build .SRCINFO");
	sw_pkgdump_normalize(value, n);
	r = sw_srcinfo_add(sec, key, n, e);
	free(n);
	return r;
}

static int
add_values(struct sw_srcinfo_section *sec, const char *key,
	const struct sw_pkgdump_var *v, struct sw_err *e)
{
	size_t i;

	for (i = 0; v != NULL && i < v->values.n; i++)
		if (add_norm(sec, key, v->values.v[i], e) < 0)
			return -1;
	return 0;
}

int
sw_pkgdump_srcinfo(const struct sw_pkgdump *d, struct sw_srcinfo *s,
	struct sw_err *e)
{
	const struct sw_strvec *ar = sw_pkgdump_archs(d);
	const char *const *k;
	const char *base = sw_pkgdump_scalar(d, "pkgbase");
	char n[256];
	size_t i, j;
	int ret = -1;

	sw_srcinfo_init(s);
	if (!d->done) {
		sw_err_set(e, "the PKGBUILD reader did not finish");
		goto out;
	}
	if (base[0] == '\0')
		base = sw_pkgdump_scalar(d, "pkgname");
	if (sw_srcinfo_set_base(s, base, e) < 0)
		goto out;
	for (k = global_single; *k; k++) {
		const char *v = sw_pkgdump_scalar(d, *k);

		if (v[0] != '\0' && add_norm(&s->base, *k, v, e) < 0)
			goto out;
	}
	for (k = global_multi; *k; k++)
		if (add_values(&s->base, *k, sw_pkgdump_get_var(d, *k), e) < 0)
			goto out;
	for (i = 0; i < ar->n; i++) {
		if (strcmp(ar->v[i], "any") == 0)
			continue;
		for (k = multi_arch; *k; k++) {
			snprintf(n, sizeof(n), "%s_%s", *k, ar->v[i]);
			if (add_values(&s->base, n, sw_pkgdump_get_var(d, n), e) < 0)
				goto out;
		}
	}
	for (i = 0; i < d->npkgs; i++) {
		const struct sw_pkgdump_pkg *p = &d->pkgs[i];
		struct sw_srcinfo_section *sec = sw_srcinfo_add_pkg(s, p->name, e);

		if (sec == NULL)
			goto out;
		for (j = 0; j < p->nattrs; j++) {
			const struct sw_pkgdump_var *a = &p->attrs[j];

			/* an empty override prints one "key = " line */
			if ((a->values.n == 0 ? sw_srcinfo_add(sec, a->name, "", e) :
			    add_values(sec, a->name, a, e)) < 0)
				goto out;
		}
	}
	ret = 0;
out:
	if (ret < 0)
		sw_srcinfo_release(s);
	return ret;
}
