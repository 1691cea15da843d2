/*
 * testgit: real git repositories for the unit tests (header only, static
 * inline like testutil.h; include after it). tu_git runs /usr/bin/git -C
 * dir with a fixed identity and no user or system configuration, and fails
 * the test if git fails; tu_put writes a file, making its directories;
 * tu_commit adds everything and commits.
 */
#ifndef SW_TESTGIT_H
#define SW_TESTGIT_H

#include "core/run.h"

static inline void
tu_git(const char *dir, const char *const *args)
{
	static const char *const allow[] = { "PATH", NULL };
	struct sw_child c;
	struct sw_err e;
	int status, i;

	sw_child_init(&c, "/usr/bin/git");
	sw_strvec_push(&c.argv, "git");
	sw_strvec_push(&c.argv, "-C");
	sw_strvec_push(&c.argv, dir);
	sw_strvec_push(&c.argv, "-c");
	sw_strvec_push(&c.argv, "user.name=t");
	sw_strvec_push(&c.argv, "-c");
	sw_strvec_push(&c.argv, "user.email=t@example.org");
	for (i = 0; args[i]; i++)
		sw_strvec_push(&c.argv, args[i]);
	sw_env_allow(&c.env, allow);
	sw_strvec_push(&c.env, "HOME=/nonexistent");
	sw_strvec_push(&c.env, "GIT_CONFIG_NOSYSTEM=1");
	if (sw_child_run(&c, &status, &e) < 0 || status != 0)
		fail_msg("git %s failed", args[0]);
	sw_child_release(&c);
}

/* A new repository at dir (made if missing), on branch main. */
static inline void
tu_git_init(const char *dir)
{
	const char *init[] = { "init", "-q", "-b", "main", NULL };

	mkdir(dir, 0755);
	tu_git(dir, init);
}

/* <dir>/<rel> holding data; the directories of rel are made. */
static inline void
tu_put(const char *dir, const char *rel, const char *data)
{
	char *path = tu_path(dir, rel);
	size_t i;

	/*
	 * Cut path at each slash of rel in turn, by index: gcc 12 took a
	 * pointer from strchr here for one that may dangle (it cannot tell
	 * where asprintf's result points) and a release build failed.
	 */
	for (i = strlen(dir) + 1; path[i] != '\0'; i++) {
		if (path[i] != '/')
			continue;
		path[i] = '\0';
		mkdir(path, 0755);
		path[i] = '/';
	}
	tu_write(path, data, strlen(data));
	free(path);
}

static inline void
tu_commit(const char *dir, const char *msg)
{
	const char *add[] = { "add", "-A", NULL };
	const char *ci[] = { "commit", "-q", "-m", msg, NULL };

	tu_git(dir, add);
	tu_git(dir, ci);
}

#endif
