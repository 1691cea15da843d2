/*
 * slavecmd: what a slave key may make the master run (DESIGN.md §5).
 *
 * slave-connect is the sshd forced command of every slave key. It hands
 * SSH_ORIGINAL_COMMAND to sw_slavecmd_parse, which
 *   - refuses anything longer than SW_SLAVECMD_MAX bytes or empty;
 *   - splits it on single spaces, nothing else: no quotes, no escapes, no
 *     globbing, and an empty word (two spaces, a leading or trailing one)
 *     is refused;
 *   - looks the first word up in a static table of {name, program, kinds
 *     of its arguments} and refuses any other word and any other number of
 *     arguments;
 *   - checks every argument with names.h (pkgbase, commit, repository,
 *     phase) or as the one literal it may be ("ERROR").
 * So ';', '$(...)', backticks, newlines, '../' and overlong words never get
 * past it. sw_slavecmd_exec then replaces the process (execve) with the
 * program found beside /proc/self/exe, by absolute path, with
 *   argv: <program> -c <config> -- <checked arguments>
 *   envp: HOME, USER, LOGNAME, LANG, LC_ALL, TZ, PATH and the sanitizer
 *         options when set, plus SLIPWAY_SLAVE=<slave>; nothing else
 * and returns only on failure. No shell is involved anywhere.
 * The parsed command owns its strings; release it with sw_slavecmd_release.
 */
#ifndef SW_SLAVECMD_H
#define SW_SLAVECMD_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/strvec.h"

#define SW_SLAVECMD_MAX 1024
#define SW_SLAVECMD_ARGS_MAX 5

enum sw_slavecmd_arg {
	SW_ARG_PKGBASE,
	SW_ARG_COMMIT,
	SW_ARG_REVISION,    /* a commit, or "<commit>+<bump>" */
	SW_ARG_REPO,
	SW_ARG_PHASE,
	SW_ARG_ERROR,    /* the literal word ERROR */
};

struct sw_slavecmd_spec {
	const char *name;          /* what the slave sends */
	const char *program;       /* what runs: a file name in our bin/ */
	size_t nargs;
	enum sw_slavecmd_arg args[SW_SLAVECMD_ARGS_MAX];
};

struct sw_slavecmd {
	const struct sw_slavecmd_spec *spec;
	struct sw_strvec args;     /* checked, without the command name */
};

void sw_slavecmd_init(struct sw_slavecmd *cmd);
void sw_slavecmd_release(struct sw_slavecmd *cmd);

/* 0, or -1 with a message quoting (escaped) what was refused. */
int sw_slavecmd_parse(const char *line, struct sw_slavecmd *cmd,
	struct sw_err *e);

/*
 * The absolute path of program in the directory of /proc/self/exe.
 * program is one of the table's (never outside input).
 */
int sw_slavecmd_program_path(const char *program, struct sw_buf *out,
	struct sw_err *e);

/* execve's the command for slave with configuration config; -1 on failure. */
int sw_slavecmd_exec(const struct sw_slavecmd *cmd, const char *slave,
	const char *config, struct sw_err *e);

/* The table, for documentation and tests: n entries. */
const struct sw_slavecmd_spec *sw_slavecmd_table(size_t *n);

#endif
