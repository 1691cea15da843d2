#include "core/config.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/fileio.h"
#include "core/number.h"

/*
 * The configuration is described by tables: each section kind lists its keys
 * with a type and the offset of the field they fill, so that parsing,
 * defaults, required-key checks and freeing are one piece of code each.
 */

enum ktype { K_STR, K_PATH, K_URL, K_NAME, K_NAMES, K_U64, K_SIZE, K_ENUM, K_FPR,
	K_HOST };

struct keyspec {
	const char *key;
	enum ktype type;
	size_t off;
	bool required;
	const char *def;
	enum sw_name_kind kind;          /* K_NAME, K_NAMES */
	uint64_t min, max;               /* K_U64, K_SIZE */
	const char *const *choices;      /* K_ENUM, NULL-terminated */
};

enum storage {
	ST_TOP,     /* the keys are fields of the top struct ([master], [slave]) */
	ST_ONE,     /* at most one, a pointer in the top struct */
	ST_MANY,    /* named, any number: an array + count in the top struct */
};

struct sectspec {
	const char *kind;
	enum storage storage;
	const struct keyspec *keys;
	size_t nkeys;
	size_t size;      /* of one section struct */
	size_t ptr_off;   /* ST_ONE, ST_MANY: where the pointer is */
	size_t count_off; /* ST_MANY: where the count is */
};

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define KEY(k, t, st, f, req, d, ...) { .key = k, .type = t, \
	.off = offsetof(struct st, f), .required = req, .def = d, __VA_ARGS__ }

static const char *const layouts[] = { "repo/pkgbase", "pkgbase", "svntogit",
	"per-package", NULL };
const char *
sw_layout_name(int layout)
{
	return layout >= 0 && layout < (int)N(layouts) - 1 ? layouts[layout] :
		NULL;
}

int
sw_layout_parse(const char *name)
{
	int i;

	for (i = 0; layouts[i] != NULL; i++)
		if (strcmp(layouts[i], name) == 0)
			return i;
	return -1;
}

static const char *const backends[] = { "bwrap", "devtools", "command", NULL };
static const char *const noyes[] = { "no", "yes", NULL };

static const struct keyspec master_keys[] = {
	KEY("state_dir", K_PATH, sw_master_conf, state_dir, true, NULL),
	KEY("repo_dir", K_PATH, sw_master_conf, repo_dir, true, NULL),
	KEY("arch", K_NAME, sw_master_conf, arch, true, NULL, .kind = SW_NAME_ARCH),
	KEY("lease_timeout", K_U64, sw_master_conf, lease_timeout, false, "600",
		.min = 10, .max = 7 * 86400),
	KEY("broken_retries", K_U64, sw_master_conf, broken_retries, false, "2",
		.min = 0, .max = 1000),
	KEY("broken_retry_delay", K_U64, sw_master_conf, broken_retry_delay, false,
		"3600", .min = 0, .max = 30 * 86400),
	KEY("max_upload_size", K_SIZE, sw_master_conf, max_upload_size, false,
		"4G", .min = 1024, .max = (uint64_t)1 << 40),
	KEY("repo_key", K_FPR, sw_master_conf, repo_key, false, NULL),
	KEY("gnupg_home", K_PATH, sw_master_conf, gnupg_home, false, NULL),
	KEY("keep_days", K_U64, sw_master_conf, keep_days, false, "14",
		.min = 0, .max = 36500),
};

static const struct keyspec source_keys[] = {
	KEY("url", K_URL, sw_source_conf, url, true, NULL),
	KEY("branch", K_STR, sw_source_conf, branch, false, NULL),
	KEY("layout", K_ENUM, sw_source_conf, layout, true, NULL, .choices = layouts),
	KEY("repository", K_NAME, sw_source_conf, repository, false, NULL,
		.kind = SW_NAME_REPO),
	KEY("packages", K_NAMES, sw_source_conf, packages, false, NULL,
		.kind = SW_NAME_PKGBASE),
};

static const struct keyspec custom_keys[] = {
	KEY("url", K_URL, sw_customizations_conf, url, true, NULL),
	KEY("branch", K_STR, sw_customizations_conf, branch, false, NULL),
};

static const struct keyspec repo_keys[] = {
	KEY("staging", K_NAME, sw_repo_conf, staging, true, NULL, .kind = SW_NAME_REPO),
	KEY("testing", K_NAME, sw_repo_conf, testing, true, NULL, .kind = SW_NAME_REPO),
	KEY("from", K_NAMES, sw_repo_conf, from, false, NULL, .kind = SW_NAME_REPO),
	KEY("debug", K_ENUM, sw_repo_conf, debug, false, "no", .choices = noyes),
};

static const struct keyspec slave_entry_keys[] = {
	KEY("key", K_FPR, sw_slave_entry_conf, key, true, NULL),
	KEY("max_assignments", K_U64, sw_slave_entry_conf, max_assignments, false,
		"1", .min = 1, .max = 64),
};

static const struct sectspec master_sections[] = {
	{ "master", ST_TOP, master_keys, N(master_keys), 0, 0, 0 },
	{ "source", ST_MANY, source_keys, N(source_keys),
		sizeof(struct sw_source_conf), offsetof(struct sw_master_conf, sources),
		offsetof(struct sw_master_conf, nsources) },
	{ "customizations", ST_ONE, custom_keys, N(custom_keys),
		sizeof(struct sw_customizations_conf),
		offsetof(struct sw_master_conf, customizations), 0 },
	{ "repository", ST_MANY, repo_keys, N(repo_keys),
		sizeof(struct sw_repo_conf), offsetof(struct sw_master_conf, repos),
		offsetof(struct sw_master_conf, nrepos) },
	{ "slave", ST_MANY, slave_entry_keys, N(slave_entry_keys),
		sizeof(struct sw_slave_entry_conf),
		offsetof(struct sw_master_conf, slaves),
		offsetof(struct sw_master_conf, nslaves) },
};

static const struct keyspec slave_keys[] = {
	KEY("name", K_NAME, sw_slave_conf, name, true, NULL, .kind = SW_NAME_SLAVE),
	KEY("master", K_HOST, sw_slave_conf, master, true, NULL),
	KEY("identity", K_PATH, sw_slave_conf, identity, false, "~/.ssh/id_ed25519"),
	KEY("known_hosts", K_PATH, sw_slave_conf, known_hosts, false,
		"~/.ssh/known_hosts"),
	KEY("work_dir", K_PATH, sw_slave_conf, work_dir, true, NULL),
	KEY("gpg_key", K_FPR, sw_slave_conf, gpg_key, true, NULL),
	KEY("gnupg_home", K_PATH, sw_slave_conf, gnupg_home, false, NULL),
	KEY("backend", K_ENUM, sw_slave_conf, backend, false, "bwrap", .choices = backends),
	KEY("straws", K_NAMES, sw_slave_conf, straws, false, "plain",
		.kind = SW_NAME_PHASE),
	KEY("command", K_STR, sw_slave_conf, command, false, NULL),
	KEY("arch", K_NAME, sw_slave_conf, arch, false, NULL, .kind = SW_NAME_ARCH),
	KEY("makepkg_conf", K_PATH, sw_slave_conf, makepkg_conf, false, NULL),
	KEY("pacman_conf", K_PATH, sw_slave_conf, pacman_conf, false, NULL),
	KEY("source_mirror", K_URL, sw_slave_conf, source_mirror, false, NULL),
	KEY("devtools_chroot", K_PATH, sw_slave_conf, devtools_chroot, false, NULL),
	KEY("makechrootpkg", K_PATH, sw_slave_conf, makechrootpkg, false,
		"/usr/bin/makechrootpkg"),
	KEY("build_timeout", K_U64, sw_slave_conf, build_timeout, false, "7200",
		.min = 1, .max = 7 * 86400),
	KEY("build_cpu", K_U64, sw_slave_conf, build_cpu, false, "7200",
		.min = 1, .max = 30 * 86400),
	KEY("build_memory", K_SIZE, sw_slave_conf, build_memory, false, "8G",
		.min = 64 * 1024 * 1024, .max = (uint64_t)1 << 44),
	KEY("build_processes", K_U64, sw_slave_conf, build_processes, false, "1024",
		.min = 16, .max = 1 << 20),
	KEY("build_logs", K_U64, sw_slave_conf, build_logs, false, "50",
		.min = 0, .max = 100000),
	KEY("source_cache_days", K_U64, sw_slave_conf, source_cache_days, false,
		"30", .min = 1, .max = 3650),
	KEY("build_uid", K_U64, sw_slave_conf, build_uid, false, "65534",
		.min = 1, .max = 4294967294u),
};

const char *const sw_slave_straws[] = { "plain", "clean", "mirror", "nocheck",
	NULL };

static const struct sectspec slave_sections[] = {
	{ "slave", ST_TOP, slave_keys, N(slave_keys), 0, 0, 0 },
};

struct parser {
	const char *path;
	char *dir;                 /* of the config file, for relative paths */
	const char *p, *end;       /* what the reader has not handed out yet */
	int line;                  /* of the line last handed to inih */
	bool cont;                 /* that line continues the previous key */
	bool overlong;             /* inih's buffer could not hold a line */
	const struct sectspec *specs;
	size_t nspecs;
	void *top;
	const struct sectspec *cur; /* NULL before the first header */
	size_t cur_index;
	int cur_line;
	int top_line;              /* of the ST_TOP section's header; 0: none yet */
	uint64_t seen;             /* keys of the current section, by index */
	uint64_t set;              /* those of them with a value */
	int err_line;              /* first error; 0 if none */
	struct sw_err *e;
	struct sw_err err;
};

static int
perr(struct parser *ps, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
perr(struct parser *ps, int line, const char *fmt, ...)
{
	char msg[SW_ERR_MAX];
	va_list ap;

	if (ps->err_line != 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ps->err_line = line;
	sw_err_set(&ps->err, "%s:%d: %s", ps->path, line, msg);
	return -1;
}

static void *
section_base(struct parser *ps, const struct sectspec *sp, size_t index)
{
	char *top = ps->top;

	if (sp->storage == ST_TOP)
		return top;
	return *(char **)(top + sp->ptr_off) + index * sp->size;
}

static char *
section_label(const struct sectspec *sp, const char *name, char *buf, size_t n)
{
	snprintf(buf, n, name[0] ? "[%s %s]" : "[%s]", sp->kind, name);
	return buf;
}

static int
resolve_path(struct parser *ps, const char *v, char **out)
{
	const char *home;

	if (v[0] == '/')
		*out = strdup(v);
	else if (v[0] == '~' && v[1] == '/') {
		home = getenv("HOME");
		if (home == NULL || home[0] != '/')
			return perr(ps, ps->line, "cannot expand '%s': HOME is not set", v);
		if (asprintf(out, "%s%s", home, v + 1) < 0)
			*out = NULL;
	} else if (asprintf(out, "%s/%s", ps->dir, v) < 0)
		*out = NULL;
	if (*out == NULL)
		return perr(ps, ps->line, "out of memory");
	return 0;
}

/* A URL that libgit2 fetches; a local path is resolved like other paths. */
static int
resolve_url(struct parser *ps, const char *v, char **out)
{
	const char *colon = strchr(v, ':'), *slash = strchr(v, '/');

	if (strstr(v, "://") != NULL || (colon && (!slash || colon < slash))) {
		*out = strdup(v);
		return *out ? 0 : perr(ps, ps->line, "out of memory");
	}
	return resolve_path(ps, v, out);
}

static int
set_value(struct parser *ps, const struct keyspec *k, void *field,
	const char *v, bool cont)
{
	struct sw_err e;
	uint64_t n;
	size_t i;

	if (cont && k->type != K_NAMES)
		return perr(ps, ps->line, "key '%s' does not continue on an indented line",
			k->key);
	if (v[0] == '\0' && k->type != K_NAMES) {
		if (k->required)
			return perr(ps, ps->line, "'%s' needs a value", k->key);
		return 0; /* empty: not set, the default applies */
	}
	switch (k->type) {
	case K_STR:
		*(char **)field = strdup(v);
		break;
	case K_PATH:
		return resolve_path(ps, v, field);
	case K_URL:
		return resolve_url(ps, v, field);
	case K_NAME:
		if (sw_name_check(k->kind, v, &e) < 0)
			return perr(ps, ps->line, "%s: %s", k->key, e.msg);
		*(char **)field = strdup(v);
		break;
	case K_NAMES: {
		struct sw_strvec *sv = field;
		size_t start = sv->n;

		if (sw_strvec_split(sv, v) < 0)
			return perr(ps, ps->line, "out of memory");
		for (i = start; i < sv->n; i++)
			if (sw_name_check(k->kind, sv->v[i], &e) < 0)
				return perr(ps, ps->line, "%s: %s", k->key, e.msg);
		return 0;
	}
	case K_U64:
	case K_SIZE:
		if ((k->type == K_U64 ? sw_parse_u64 : sw_parse_size)(v, k->min,
		    k->max, &n, &e) < 0)
			return perr(ps, ps->line, "%s: %s", k->key, e.msg);
		*(uint64_t *)field = n;
		return 0;
	case K_ENUM:
		for (i = 0; k->choices[i]; i++)
			if (strcmp(k->choices[i], v) == 0) {
				*(int *)field = (int)i;
				return 0;
			}
		return perr(ps, ps->line, "%s: unknown value '%s'", k->key, v);
	case K_HOST: {
		const char *at = strchr(v, '@'), *host = at ? at + 1 : v;

		if (host[0] == '\0' || host[0] == ':' || strpbrk(v, " \t/") ||
		    at == v)
			return perr(ps, ps->line, "%s: expected user@host[:port], "
				"not '%s'", k->key, v);
		*(char **)field = strdup(v);
		break;
	}
	case K_FPR: {
		char *s;

		if (sw_name_check(SW_NAME_FINGERPRINT, v, &e) < 0)
			return perr(ps, ps->line, "%s: %s", k->key, e.msg);
		s = strdup(v);
		for (i = 0; s && s[i]; i++)
			s[i] = (char)toupper((unsigned char)s[i]);
		*(char **)field = s;
		break;
	}
	}
	if (*(char **)field == NULL)
		return perr(ps, ps->line, "out of memory");
	return 0;
}

/* Missing keys: defaults, or an error at the section's header. */
static int
close_section(struct parser *ps)
{
	const struct sectspec *sp = ps->cur;
	char *base, label[128];
	size_t i;

	if (sp == NULL)
		return 0;
	base = section_base(ps, sp, ps->cur_index);
	for (i = 0; i < sp->nkeys; i++) {
		const struct keyspec *k = &sp->keys[i];

		if (ps->set & ((uint64_t)1 << i))
			continue;
		if (k->required) {
			const char *name = sp->storage == ST_TOP ? "" :
				((struct sw_conf_section *)base)->name;

			return perr(ps, ps->cur_line, "%s has no '%s'",
				section_label(sp, name, label, sizeof(label)), k->key);
		}
		if (k->def != NULL) {
			int saved = ps->line;

			ps->line = ps->cur_line;
			if (set_value(ps, k, base + k->off, k->def, false) < 0)
				return -1;
			ps->line = saved;
		}
	}
	ps->cur = NULL;
	return 0;
}

static int
open_section(struct parser *ps, const char *kind, const char *name)
{
	const struct sectspec *sp = NULL;
	char *top = ps->top;
	struct sw_err e;
	size_t i, n;

	for (i = 0; i < ps->nspecs; i++)
		if (strcmp(ps->specs[i].kind, kind) == 0)
			sp = &ps->specs[i];
	if (sp == NULL)
		return perr(ps, ps->line, "unknown section [%s]", kind);
	if ((sp->storage == ST_MANY) != (name[0] != '\0'))
		return perr(ps, ps->line, name[0] ? "section [%s] takes no name" :
			"section [%s] needs a name: [%s NAME]", kind, kind);
	if (sp->storage == ST_MANY) {
		enum sw_name_kind nk = strcmp(kind, "repository") == 0 ?
			SW_NAME_REPO : SW_NAME_SLAVE;
		char **arr = (char **)(top + sp->ptr_off);
		size_t *count = (size_t *)(top + sp->count_off);
		char *grown;

		if (sw_name_check(nk, name, &e) < 0)
			return perr(ps, ps->line, "[%s %s]: %s", kind, name, e.msg);
		for (n = 0; n < *count; n++)
			if (strcmp(((struct sw_conf_section *)(*arr + n * sp->size))->name,
			    name) == 0)
				return perr(ps, ps->line, "duplicate section [%s %s]", kind,
					name);
		grown = reallocarray(*arr, *count + 1, sp->size);
		if (grown == NULL)
			return perr(ps, ps->line, "out of memory");
		*arr = grown;
		memset(grown + *count * sp->size, 0, sp->size);
		ps->cur_index = (*count)++;
	} else if (sp->storage == ST_ONE) {
		char **one = (char **)(top + sp->ptr_off);

		if (*one != NULL)
			return perr(ps, ps->line, "duplicate section [%s]", kind);
		*one = calloc(1, sp->size);
		if (*one == NULL)
			return perr(ps, ps->line, "out of memory");
		ps->cur_index = 0;
	} else {
		if (ps->top_line != 0)
			return perr(ps, ps->line, "duplicate section [%s]", kind);
		ps->top_line = ps->line;
		ps->cur_index = 0;
	}
	if (sp->storage != ST_TOP) {
		struct sw_conf_section *s = section_base(ps, sp, ps->cur_index);

		memcpy(s->name, name, strlen(name) + 1);
		s->line = ps->line;
	}
	for (i = 0; i < sp->nkeys; i++)
		if (sp->keys[i].type == K_NAMES)
			sw_strvec_init((struct sw_strvec *)
				((char *)section_base(ps, sp, ps->cur_index) + sp->keys[i].off));
	ps->cur = sp;
	ps->cur_line = ps->line;
	ps->seen = 0;
	ps->set = 0;
	return 0;
}

/* "[kind name]" on the current line: we track sections ourselves. */
static int
header(struct parser *ps, const char *s, size_t len)
{
	char kind[64], name[SW_SLAVE_MAX + 2];
	const char *close = memchr(s, ']', len);
	size_t klen, nlen;
	const char *p;

	if (close == NULL)
		return perr(ps, ps->line, "section header without ']'");
	for (p = close + 1; p < s + len; p++)
		if (!isspace((unsigned char)*p)) {
			if (*p == ';' || *p == '#')
				break;
			return perr(ps, ps->line, "text after section header");
		}
	s++;
	while (s < close && isblank((unsigned char)*s))
		s++;
	klen = 0;
	while (s + klen < close && !isblank((unsigned char)s[klen]))
		klen++;
	p = s + klen;
	while (p < close && isblank((unsigned char)*p))
		p++;
	nlen = (size_t)(close - p);
	while (nlen > 0 && isblank((unsigned char)p[nlen - 1]))
		nlen--;
	if (klen == 0 || klen >= sizeof(kind))
		return perr(ps, ps->line, "bad section header");
	if (nlen >= sizeof(name) || memchr(p, ' ', nlen) || memchr(p, '\t', nlen))
		return perr(ps, ps->line, "bad section name '%.*s'", (int)nlen, p);
	memcpy(kind, s, klen);
	kind[klen] = '\0';
	memcpy(name, p, nlen);
	name[nlen] = '\0';
	if (close_section(ps) < 0)
		return -1;
	return open_section(ps, kind, name);
}

static char *
reader(char *str, int num, void *stream)
{
	struct parser *ps = stream;
	const char *nl, *s;
	size_t len;

	if (ps->p >= ps->end || ps->err_line != 0)
		return NULL;
	nl = memchr(ps->p, '\n', (size_t)(ps->end - ps->p));
	len = nl ? (size_t)(nl - ps->p) : (size_t)(ps->end - ps->p);
	s = ps->p;
	ps->p += len + (nl != NULL);
	ps->line++;
	if (len + 2 > (size_t)num - 1) {
		ps->overlong = true;
		perr(ps, ps->line, "line longer than %d bytes (continue a list on an "
			"indented line)", num - 3);
		return NULL;
	}
	if (memchr(s, '\0', len) != NULL) {
		perr(ps, ps->line, "NUL byte in line");
		return NULL;
	}
	memcpy(str, s, len);
	str[len] = '\n';
	str[len + 1] = '\0';
	while (len > 0 && isspace((unsigned char)*s) && *s != '\n') {
		s++;
		len--;
	}
	ps->cont = len > 0 && isblank((unsigned char)str[0]) && *s != ';' &&
		*s != '#';
	if (len > 0 && *s == '[' && header(ps, s, len) < 0)
		return NULL;
	return str;
}

static int
handler(void *user, const char *section, const char *name, const char *value)
{
	struct parser *ps = user;
	const struct sectspec *sp = ps->cur;
	char label[128];
	size_t i;

	(void)section;
	if (ps->err_line != 0)
		return 1;
	if (sp == NULL) {
		perr(ps, ps->line, "key '%s' outside of any section", name);
		return 1;
	}
	for (i = 0; i < sp->nkeys; i++)
		if (strcmp(sp->keys[i].key, name) == 0)
			break;
	if (i == sp->nkeys) {
		char *base = section_base(ps, sp, ps->cur_index);

		perr(ps, ps->line, "unknown key '%s' in %s", name,
			section_label(sp, sp->storage == ST_TOP ? "" :
			((struct sw_conf_section *)base)->name, label, sizeof(label)));
		return 1;
	}
	if ((ps->seen & ((uint64_t)1 << i)) && !ps->cont) {
		perr(ps, ps->line, "duplicate key '%s'", name);
		return 1;
	}
	ps->seen |= (uint64_t)1 << i;
	if (value[0] != '\0')
		ps->set |= (uint64_t)1 << i;
	set_value(ps, &sp->keys[i],
		(char *)section_base(ps, sp, ps->cur_index) + sp->keys[i].off,
		value, ps->cont);
	return 1;
}

static void
release_section(const struct sectspec *sp, void *base)
{
	size_t i;

	for (i = 0; i < sp->nkeys; i++) {
		void *f = (char *)base + sp->keys[i].off;

		switch (sp->keys[i].type) {
		case K_STR: case K_PATH: case K_URL: case K_NAME: case K_FPR:
		case K_HOST:
			free(*(char **)f);
			*(char **)f = NULL;
			break;
		case K_NAMES:
			if (((struct sw_strvec *)f)->v != NULL)
				sw_strvec_release(f);
			break;
		default:
			break;
		}
	}
}

static void
release_all(const struct sectspec *specs, size_t nspecs, void *top)
{
	size_t i, n;

	for (i = 0; i < nspecs; i++) {
		const struct sectspec *sp = &specs[i];
		char **ptr = (char **)((char *)top + sp->ptr_off);

		if (sp->storage == ST_TOP) {
			release_section(sp, top);
			continue;
		}
		if (*ptr == NULL)
			continue;
		n = sp->storage == ST_MANY ? *(size_t *)((char *)top + sp->count_off) : 1;
		while (n-- > 0)
			release_section(sp, *ptr + n * sp->size);
		free(*ptr);
		*ptr = NULL;
		if (sp->storage == ST_MANY)
			*(size_t *)((char *)top + sp->count_off) = 0;
	}
}

/* top_line: where the [master] or [slave] header is, for later checks. */
static int
parse(const char *path, const struct sectspec *specs, size_t nspecs, void *top,
	int *top_line, struct sw_err *e)
{
	struct parser ps;
	struct sw_buf data = SW_BUF_INIT;
	char *slash;
	int r, ret = -1;
	size_t i;

	memset(&ps, 0, sizeof(ps));
	ps.path = path;
	ps.specs = specs;
	ps.nspecs = nspecs;
	ps.top = top;
	for (i = 0; i < specs[0].nkeys; i++)
		if (specs[0].keys[i].type == K_NAMES)
			sw_strvec_init((struct sw_strvec *)((char *)top +
				specs[0].keys[i].off));
	r = sw_file_read(path, SW_CONF_MAX_SIZE, &data, e);
	if (r != 0) {
		if (r == 1)
			sw_err_set(e, "cannot open '%s': no such file", path);
		goto out;
	}
	ps.dir = realpath(path, NULL);
	if (ps.dir == NULL) {
		sw_err_sys(e, "cannot resolve '%s'", path);
		goto out;
	}
	slash = strrchr(ps.dir, '/');
	slash[slash == ps.dir ? 1 : 0] = '\0';
	ps.p = data.data;
	ps.end = data.data + data.len;
	r = ini_parse_stream(reader, &ps, handler, &ps);
	if (r > 0 && (ps.err_line == 0 || r < ps.err_line)) {
		ps.err_line = 0;
		perr(&ps, r, "syntax error (expected 'key = value' or '[section]')");
	} else if (r < 0 && ps.err_line == 0)
		perr(&ps, 0, "cannot parse");
	if (ps.err_line == 0)
		close_section(&ps);
	if (ps.err_line == 0 && specs[0].storage == ST_TOP && ps.top_line == 0)
		perr(&ps, 1, "no [%s] section", specs[0].kind);
	if (ps.err_line != 0) {
		sw_err_set(e, "%s", ps.err.msg);
		goto out;
	}
	*top_line = ps.top_line;
	ret = 0;
out:
	free(ps.dir);
	sw_buf_release(&data);
	return ret;
}

/* The debug repositories of a line: valid names that no other repository
 * of the configuration has. */
static int
debug_names(const char *path, const struct sw_master_conf *c,
	struct sw_repo_conf *r, struct sw_err *e)
{
	const char *base[3] = { r->staging, r->testing, r->sec.name };
	struct sw_err ne;
	size_t j, k, i;

	for (j = 0; j < 3; j++) {
		char *d = r->debug_repo[j];

		if ((size_t)snprintf(d, sizeof(r->debug_repo[j]), "%s-debug",
		    base[j]) >= sizeof(r->debug_repo[j]) ||
		    sw_name_check(SW_NAME_REPO, d, &ne) < 0)
			return sw_err_set(e, "%s:%d: [repository %s]: debug: '%s' has "
				"no valid debug repository name ('%s-debug')", path,
				r->sec.line, r->sec.name, base[j], base[j]);
		for (i = 0; i < c->nrepos; i++) {
			const struct sw_repo_conf *o = &c->repos[i];
			const char *other[3] = { o->sec.name, o->staging, o->testing };

			for (k = 0; k < 3; k++)
				if (strcmp(other[k], d) == 0)
					return sw_err_set(e, "%s:%d: [repository %s]: debug "
						"repository '%s' is used twice", path,
						r->sec.line, r->sec.name, d);
		}
	}
	return 0;
}

static int
check_master(const char *path, struct sw_master_conf *c, struct sw_err *e)
{
	size_t i, j;

	for (i = 0; i < c->nsources; i++) {
		struct sw_source_conf *s = &c->sources[i];
		bool needs_repo = s->layout == SW_LAYOUT_PKGBASE ||
			s->layout == SW_LAYOUT_PER_PACKAGE;
		bool pp = s->layout == SW_LAYOUT_PER_PACKAGE;
		const char *pct = strstr(s->url, "%s");

		if (needs_repo != (s->repository != NULL))
			return sw_err_set(e, "%s:%d: [source %s]: 'repository' is %s for "
				"layout %s", path, s->sec.line, s->sec.name,
				needs_repo ? "required" : "not allowed", layouts[s->layout]);
		if (pp != (s->packages.n > 0))
			return sw_err_set(e, "%s:%d: [source %s]: 'packages' is %s for "
				"layout %s", path, s->sec.line, s->sec.name,
				pp ? "required" : "not allowed", layouts[s->layout]);
		if (pp != (pct != NULL) || (pct && strstr(pct + 2, "%s")) ||
		    strchr(s->url, '%') != pct)
			return sw_err_set(e, "%s:%d: [source %s]: 'url' must hold %s",
				path, s->sec.line, s->sec.name, pp ?
				"exactly one %s (the pkgbase)" : "no %");
	}
	for (i = 0; i < c->nrepos; i++) {
		const struct sw_repo_conf *r = &c->repos[i];
		const char *names[3] = { r->sec.name, r->staging, r->testing };

		for (j = 0; j < 3; j++) {
			const struct sw_repo_conf *o = sw_master_conf_repo(c, names[j]);
			size_t k;
			int uses = 0;

			for (k = 0; k < 3; k++)
				uses += strcmp(names[k], names[j]) == 0;
			if (o != r || uses > 1)
				return sw_err_set(e, "%s:%d: [repository %s]: repository "
					"'%s' is used twice", path, r->sec.line, r->sec.name,
					names[j]);
		}
	}
	for (i = 0; i < c->nrepos; i++)
		if (c->repos[i].debug && debug_names(path, c, &c->repos[i], e) < 0)
			return -1;
	return 0;
}


int
sw_master_conf_load(const char *path, struct sw_master_conf *c,
	struct sw_err *e)
{
	int line;

	memset(c, 0, sizeof(*c));
	c->path = strdup(path);
	if (c->path == NULL)
		return sw_err_sys(e, "cannot load '%s'", path);
	if (parse(path, master_sections, N(master_sections), c, &line, e) < 0)
		return -1;
	return check_master(path, c, e);
}

void
sw_master_conf_release(struct sw_master_conf *c)
{
	release_all(master_sections, N(master_sections), c);
	free(c->path);
	c->path = NULL;
}

int
sw_slave_conf_load(const char *path, struct sw_slave_conf *c, struct sw_err *e)
{
	size_t i, k;
	int line;

	memset(c, 0, sizeof(*c));
	c->path = strdup(path);
	if (c->path == NULL)
		return sw_err_sys(e, "cannot load '%s'", path);
	if (parse(path, slave_sections, N(slave_sections), c, &line, e) < 0)
		return -1;
	if ((c->backend == SW_BACKEND_COMMAND) != (c->command != NULL))
		return sw_err_set(e, "%s:%d: [slave]: 'command' is %s for backend %s",
			path, line, c->command ? "not allowed" : "required",
			backends[c->backend]);
	if ((c->backend == SW_BACKEND_DEVTOOLS) != (c->devtools_chroot != NULL))
		return sw_err_set(e, "%s:%d: [slave]: 'devtools_chroot' is %s for "
			"backend %s", path, line,
			c->devtools_chroot ? "not allowed" : "required",
			backends[c->backend]);
	if (c->pacman_conf != NULL && c->backend != SW_BACKEND_BWRAP)
		return sw_err_set(e, "%s:%d: [slave]: 'pacman_conf' is for backend "
			"bwrap only (%s builds in its own root)", path, line,
			backends[c->backend]);
	if (c->makepkg_conf != NULL && c->backend == SW_BACKEND_DEVTOOLS)
		return sw_err_set(e, "%s:%d: [slave]: 'makepkg_conf' is not used by "
			"backend devtools: give it to mkarchroot -M", path, line);
	for (i = 0; i < c->straws.n; i++) {
		for (k = 0; sw_slave_straws[k]; k++)
			if (strcmp(c->straws.v[i], sw_slave_straws[k]) == 0)
				break;
		if (sw_slave_straws[k] == NULL)
			return sw_err_set(e, "%s:%d: [slave]: straws: unknown straw "
				"'%s' (plain, clean, mirror, nocheck)", path, line,
				c->straws.v[i]);
		for (k = 0; k < i; k++)
			if (strcmp(c->straws.v[i], c->straws.v[k]) == 0)
				return sw_err_set(e, "%s:%d: [slave]: straws: '%s' "
					"twice", path, line, c->straws.v[i]);
	}
	if (c->straws.n == 0)
		return sw_err_set(e, "%s:%d: [slave]: straws: none given", path, line);
	return 0;
}

void
sw_slave_conf_release(struct sw_slave_conf *c)
{
	release_all(slave_sections, N(slave_sections), c);
	free(c->path);
	c->path = NULL;
}

const struct sw_slave_entry_conf *
sw_master_conf_slave(const struct sw_master_conf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nslaves; i++)
		if (strcmp(c->slaves[i].sec.name, name) == 0)
			return &c->slaves[i];
	return NULL;
}

const struct sw_repo_conf *
sw_master_conf_repo(const struct sw_master_conf *c, const char *repo)
{
	size_t i;

	for (i = 0; i < c->nrepos; i++)
		if (strcmp(c->repos[i].sec.name, repo) == 0 ||
		    strcmp(c->repos[i].staging, repo) == 0 ||
		    strcmp(c->repos[i].testing, repo) == 0)
			return &c->repos[i];
	return NULL;
}

int
sw_conf_locate(const char *explicit, const char *basename, struct sw_buf *out,
	struct sw_err *e)
{
	const char *env = getenv("SLIPWAY_CONFIG");
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	sw_buf_reset(out);
	if (explicit != NULL)
		return sw_buf_addstr(out, explicit) < 0 ?
			sw_err_sys(e, "cannot locate configuration") : 0;
	if (env != NULL && env[0] != '\0')
		return sw_buf_addstr(out, env) < 0 ?
			sw_err_sys(e, "cannot locate configuration") : 0;
	/* run from the tree: <top>/bin/prog reads <top>/conf/<basename> */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash != NULL) {
			*slash = '\0';
			slash = strrchr(exe, '/');
		}
		if (slash != NULL && strcmp(slash, "/bin") == 0) {
			*slash = '\0';
			if (sw_buf_addf(out, "%s/conf/%s", exe, basename) < 0)
				return sw_err_sys(e, "cannot locate configuration");
			if (access(out->data, F_OK) == 0)
				return 0;
			sw_buf_reset(out);
		}
	}
	if (sw_buf_addf(out, "%s/slipway/%s", SW_SYSCONFDIR, basename) < 0)
		return sw_err_sys(e, "cannot locate configuration");
	return 0;
}

int
sw_master_conf_locate_load(const char *explicit, struct sw_master_conf *c,
	struct sw_err *e)
{
	struct sw_buf path = SW_BUF_INIT;
	int ret = -1;

	memset(c, 0, sizeof(*c)); /* releasable even if locating fails */
	if (sw_conf_locate(explicit, "master.conf", &path, e) < 0)
		goto out;
	ret = sw_master_conf_load(path.data, c, e);
out:
	sw_buf_release(&path);
	return ret;
}
