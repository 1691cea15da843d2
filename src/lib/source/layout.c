#include "source/layout.h"

#include <string.h>

/* Copies component n (0-based) of path into out (size bytes); 0 or 1. */
static int
component(const char *path, int n, char *out, size_t size)
{
	const char *p = path, *end;
	size_t len;

	while (n-- > 0) {
		p = strchr(p, '/');
		if (p == NULL)
			return 1;
		p++;
	}
	end = strchr(p, '/');
	len = end ? (size_t)(end - p) : strlen(p);
	if (len == 0 || len >= size)
		return 1;
	memcpy(out, p, len);
	out[len] = '\0';
	return 0;
}

static int
depth(const char *path)
{
	int n = 1;

	for (; *path; path++)
		n += *path == '/';
	return n;
}

int
sw_layout_pkgbase_of(int layout, const char *path, char *pkgbase)
{
	char second[16];

	switch (layout) {
	case SW_LAYOUT_REPO_PKGBASE:
		if (depth(path) < 3 || component(path, 1, pkgbase, SW_PKGNAME_MAX + 1))
			return 1;
		break;
	case SW_LAYOUT_PKGBASE:
		if (depth(path) < 2 || component(path, 0, pkgbase, SW_PKGNAME_MAX + 1))
			return 1;
		break;
	case SW_LAYOUT_SVNTOGIT:
		if (depth(path) < 4 || component(path, 1, second, sizeof(second)) ||
		    strcmp(second, "repos") != 0 ||
		    component(path, 0, pkgbase, SW_PKGNAME_MAX + 1))
			return 1;
		break;
	default:
		return 1;
	}
	return sw_name_valid(SW_NAME_PKGBASE, pkgbase) ? 0 : 1;
}

int
sw_layout_svntogit_repo(const char *dirname, const char *arch, char *repo)
{
	const char *dash = strrchr(dirname, '-');
	size_t len;

	if (dash == NULL || (strcmp(dash + 1, arch) != 0 &&
	    strcmp(dash + 1, "any") != 0))
		return 1;
	len = (size_t)(dash - dirname);
	if (len == 0 || len > SW_REPO_MAX)
		return 1;
	memcpy(repo, dirname, len);
	repo[len] = '\0';
	return sw_name_valid(SW_NAME_REPO, repo) ? 0 : 1;
}

static const struct sw_repo_conf *
stable(const struct sw_master_conf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nrepos; i++)
		if (strcmp(c->repos[i].sec.name, name) == 0)
			return &c->repos[i];
	return NULL;
}

const char *
sw_route(const struct sw_master_conf *c, const char *up)
{
	size_t i;

	for (i = 0; i < c->nrepos; i++)
		if (sw_strvec_contains(&c->repos[i].from, up))
			return c->repos[i].sec.name;
	return stable(c, up) ? stable(c, up)->sec.name : NULL;
}

const char *
sw_route_pkg(const struct sw_master_conf *c,
	const struct sw_custom_list *overrides, const char *pkgbase,
	const char *up)
{
	const struct sw_custom_entry *o = overrides ?
		sw_custom_find(overrides, pkgbase) : NULL;

	if (o != NULL && stable(c, o->rest) != NULL)
		return stable(c, o->rest)->sec.name;
	return sw_route(c, up);
}
