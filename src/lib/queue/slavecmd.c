#include "queue/slavecmd.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/names.h"
#include "core/run.h"

#define ID_ARGS SW_ARG_PKGBASE, SW_ARG_COMMIT, SW_ARG_REVISION, SW_ARG_REPO

static const struct sw_slavecmd_spec table[] = {
	{ "get-assignment", "get-assignment", 0, { 0 } },
	{ "get-sources", "get-sources", 4, { ID_ARGS } },
	{ "ping", "ping", 5, { ID_ARGS, SW_ARG_PHASE } },
	{ "return-assignment", "return-assignment", 4, { ID_ARGS } },
	{ "return-assignment", "return-assignment", 5, { ID_ARGS, SW_ARG_ERROR } },
};

#define NTABLE (sizeof(table) / sizeof(table[0]))

static const char *const env_allow[] = {
	"HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "TZ", "PATH",
	"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS",
	"SLIPWAY_LOCK_TIMES", /* lock.h: the benchmarks' lock waits */
	NULL,
};

const struct sw_slavecmd_spec *
sw_slavecmd_table(size_t *n)
{
	*n = NTABLE;
	return table;
}

void
sw_slavecmd_init(struct sw_slavecmd *cmd)
{
	cmd->spec = NULL;
	sw_strvec_init(&cmd->args);
}

void
sw_slavecmd_release(struct sw_slavecmd *cmd)
{
	cmd->spec = NULL;
	sw_strvec_release(&cmd->args);
}

static int
check_arg(enum sw_slavecmd_arg kind, const char *s, size_t len,
	struct sw_err *e)
{
	switch (kind) {
	case SW_ARG_PKGBASE:
		return sw_name_check_mem(SW_NAME_PKGBASE, s, len, e);
	case SW_ARG_COMMIT:
		return sw_name_check_mem(SW_NAME_COMMIT, s, len, e);
	case SW_ARG_REVISION:
		return sw_name_check_mem(SW_NAME_REVISION, s, len, e);
	case SW_ARG_REPO:
		return sw_name_check_mem(SW_NAME_REPO, s, len, e);
	case SW_ARG_PHASE:
		return sw_name_check_mem(SW_NAME_PHASE, s, len, e);
	case SW_ARG_ERROR:
		if (len == 5 && memcmp(s, "ERROR", 5) == 0)
			return 0;
		break;
	}
	{
		char q[96];

		sw_name_quote(s, len, q, sizeof(q));
		return sw_err_set(e, "invalid argument '%s': expected ERROR", q);
	}
}

int
sw_slavecmd_parse(const char *line, struct sw_slavecmd *cmd,
	struct sw_err *e)
{
	const char *words[SW_SLAVECMD_ARGS_MAX + 1];
	size_t lens[SW_SLAVECMD_ARGS_MAX + 1];
	size_t len, n = 0, i, k;
	const char *p, *end;
	char q[96];
	int ret = -1;

	sw_slavecmd_release(cmd);
	if (line == NULL || line[0] == '\0') {
		sw_err_set(e, "no command (a slave key cannot log in)");
		goto out;
	}
	len = strnlen(line, SW_SLAVECMD_MAX + 1);
	if (len > SW_SLAVECMD_MAX) {
		sw_err_set(e, "command longer than %d bytes", SW_SLAVECMD_MAX);
		goto out;
	}
	/* single spaces separate words; anything else is part of a word */
	for (p = line, end = line + len; ; p++) {
		const char *sp = memchr(p, ' ', (size_t)(end - p));
		const char *w_end = sp ? sp : end;

		if (n == SW_SLAVECMD_ARGS_MAX + 1) {
			sw_name_quote(line, len, q, sizeof(q));
			sw_err_set(e, "too many words in '%s'", q);
			goto out;
		}
		if (w_end == p) {
			sw_name_quote(line, len, q, sizeof(q));
			sw_err_set(e, "empty word in '%s' (words are separated by "
				"single spaces)", q);
			goto out;
		}
		words[n] = p;
		lens[n++] = (size_t)(w_end - p);
		if (sp == NULL)
			break;
		p = sp;
	}
	for (i = 0; i < NTABLE; i++) {
		const struct sw_slavecmd_spec *s = &table[i];

		if (strlen(s->name) != lens[0] ||
		    memcmp(s->name, words[0], lens[0]) != 0 || s->nargs != n - 1)
			continue;
		for (k = 0; k < s->nargs; k++)
			if (check_arg(s->args[k], words[k + 1], lens[k + 1], e) < 0) {
				sw_err_prefix(e, "%s", s->name);
				goto out;
			}
		for (k = 0; k < s->nargs; k++) {
			char w[SW_SLAVECMD_MAX + 1];

			memcpy(w, words[k + 1], lens[k + 1]);
			w[lens[k + 1]] = '\0';
			if (sw_strvec_push(&cmd->args, w) < 0) {
				sw_err_sys(e, "cannot take the command");
				goto out;
			}
		}
		cmd->spec = s;
		ret = 0;
		goto out;
	}
	sw_name_quote(words[0], lens[0], q, sizeof(q));
	{
		char counts[32] = "";
		size_t used = 0;

		for (i = 0; i < NTABLE; i++)
			if (strlen(table[i].name) == lens[0] &&
			    memcmp(table[i].name, words[0], lens[0]) == 0)
				used += (size_t)snprintf(counts + used, sizeof(counts) - used,
					"%s%zu", used ? " or " : "", table[i].nargs);
		if (used)
			sw_err_set(e, "'%s' takes %s arguments, not %zu", q, counts,
				n - 1);
		else
			sw_err_set(e, "unknown command '%s'", q);
	}
out:
	if (ret < 0)
		sw_slavecmd_release(cmd);
	return ret;
}

int
sw_slavecmd_program_path(const char *program, struct sw_buf *out,
	struct sw_err *e)
{
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return sw_err_sys(e, "cannot find our own program");
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash == NULL)
		return sw_err_set(e, "cannot find the directory of '%s'", exe);
	*slash = '\0';
	sw_buf_reset(out);
	if (sw_buf_addf(out, "%s/%s", exe, program) < 0)
		return sw_err_sys(e, "cannot find '%s'", program);
	return 0;
}

int
sw_slavecmd_exec(const struct sw_slavecmd *cmd, const char *slave,
	const char *config, struct sw_err *e)
{
	struct sw_strvec argv = SW_STRVEC_INIT, env = SW_STRVEC_INIT;
	struct sw_buf path = SW_BUF_INIT;
	size_t i;
	int ret = -1;

	if (cmd->spec == NULL) {
		sw_err_set(e, "no command to run");
		goto out;
	}
	if (sw_name_check(SW_NAME_SLAVE, slave, e) < 0 ||
	    sw_slavecmd_program_path(cmd->spec->program, &path, e) < 0)
		goto out;
	if (sw_strvec_push(&argv, path.data) < 0 ||
	    sw_strvec_push(&argv, "-c") < 0 || sw_strvec_push(&argv, config) < 0 ||
	    sw_strvec_push(&argv, "--") < 0 ||
	    sw_env_allow(&env, env_allow) < 0 ||
	    sw_strvec_pushf(&env, "SLIPWAY_SLAVE=%s", slave) < 0) {
		sw_err_sys(e, "cannot run '%s'", path.data);
		goto out;
	}
	for (i = 0; i < cmd->args.n; i++)
		if (sw_strvec_push(&argv, cmd->args.v[i]) < 0) {
			sw_err_sys(e, "cannot run '%s'", path.data);
			goto out;
		}
	execve(path.data, argv.v, env.v);
	sw_err_sys(e, "cannot execute '%s'", path.data);
out:
	sw_strvec_release(&argv);
	sw_strvec_release(&env);
	sw_buf_release(&path);
	return ret;
}
