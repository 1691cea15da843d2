/* repo-db: add, remove, list and check entries of a pacman repository database. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/cli.h"
#include "core/config.h"
#include "core/log.h"
#include "core/names.h"
#include "repo/repocheck.h"
#include "repo/repodb.h"
#include "repo/sign.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_DIFFER = 3 };

static const char usage_text[] =
	"usage: repo-db [options] add REPO.db.tar.gz PACKAGE...\n"
	"       repo-db [options] remove REPO.db.tar.gz PKGNAME...\n"
	"       repo-db [options] list REPO.db.tar.gz\n"
	"       repo-db [options] check REPO.db.tar.gz\n"
	"\n"
	"Options:\n"
	"  -k, --key FPR          sign the databases with this key\n"
	"  -g, --gnupg-home DIR   GnuPG home for signing and verifying\n"
	"  -S, --signer FPR       add: every package must be signed by this key\n"
	"                         (may be repeated: by one of these keys)\n"
	"  -s, --sums             check: also compare the sha256 of every package\n"
	"  -c, --config FILE      master configuration\n"
	"  -v, --verbose          say more\n"
	"  -q, --quiet            say only what went wrong\n"
	"  -h, --help             show this help\n"
	"  -V, --version          show the version\n"
	"\n"
	"Exit status: 0 done, 1 failed (nothing changed), 2 usage,\n"
	"3 check found differences.\n";

struct opts {
	const char *key, *home;
	struct sw_strvec signers;
	bool sums;
};

static const struct option long_opts[] = {
	{ "key", required_argument, NULL, 'k' },
	{ "gnupg-home", required_argument, NULL, 'g' },
	{ "signer", required_argument, NULL, 'S' },
	{ "sums", no_argument, NULL, 's' },
	{ NULL, 0, NULL, 0 },
};

static int
option(int opt, const char *arg, void *ctx, struct sw_err *e)
{
	struct opts *o = ctx;

	switch (opt) {
	case 'k':
		o->key = arg;
		return sw_name_check(SW_NAME_FINGERPRINT, arg, e);
	case 'g':
		o->home = arg;
		return 0;
	case 'S':
		if (sw_name_check(SW_NAME_FINGERPRINT, arg, e) < 0)
			return -1;
		return sw_strvec_push(&o->signers, arg) < 0 ?
			sw_err_sys(e, "cannot take '%s'", arg) : 0;
	case 's':
		o->sums = true;
		return 0;
	}
	return sw_err_set(e, "unknown option");
}

/*
 * The master's configuration, if there is one: -c, $SLIPWAY_CONFIG or a
 * master.conf found where every program looks (no file there: none).
 */
static int
master_conf(const char *explicit, struct sw_master_conf *conf, bool *have,
	struct sw_err *e)
{
	struct sw_buf path = SW_BUF_INIT;
	int ret = -1;

	*have = false;
	if (sw_conf_locate(explicit, "master.conf", &path, e) < 0)
		goto out;
	if (explicit == NULL && access(path.data, F_OK) != 0) {
		ret = 0;
		goto out;
	}
	ret = sw_master_conf_load(path.data, conf, e);
	*have = ret == 0;
out:
	sw_buf_release(&path);
	return ret;
}

static int
list(const char *path, struct sw_err *e)
{
	struct sw_repodb db;
	size_t i;

	if (sw_repodb_load(&db, path, false, e) < 0)
		return EXIT_FAIL;
	for (i = 0; i < db.n; i++)
		printf("%s %s\n", db.v[i]->name, db.v[i]->version);
	sw_repodb_release(&db);
	return EXIT_OK;
}

/* add, remove: change the loaded database and write it in one transaction. */
static int
change(struct sw_repodb *db, struct sw_repodb_guard *g, bool add,
	const char *path, char **args, int n, struct sw_sign *s,
	const struct opts *o, struct sw_err *e)
{
	struct sw_txn t;
	int i;

	for (i = 0; i < n; i++) {
		if (add ? sw_repodb_add_local(db, args[i], s, &o->signers, e) < 0 :
		    sw_repodb_remove(db, args[i], e) < 0)
			return EXIT_FAIL;
		sw_info("%s '%s'", add ? "added" : "removed", args[i]);
	}
	if (sw_repodb_guard_txn(g, &t, e) < 0)
		return EXIT_FAIL;
	if (sw_repodb_stage(db, &t, s, o->key, e) < 0) {
		sw_txn_abort(&t);
		return EXIT_FAIL;
	}
	if (sw_txn_commit(&t, e) < 0)
		return EXIT_FAIL;
	sw_info("wrote '%s' with %zu entries%s", path, db->n,
		o->key ? ", signed" : "");
	return EXIT_OK;
}

static int
check(struct sw_repodb *db, struct sw_sign *s, const struct opts *o,
	struct sw_err *e)
{
	struct sw_strvec problems = SW_STRVEC_INIT;
	size_t i;
	int rc = EXIT_FAIL;

	if (sw_repocheck(db, s, o->key, o->sums, &problems, e) < 0)
		goto out;
	for (i = 0; i < problems.n; i++)
		printf("%s\n", problems.v[i]);
	rc = problems.n ? EXIT_DIFFER : EXIT_OK;
out:
	sw_strvec_release(&problems);
	return rc;
}

static int
run(const char *op, char **args, int n, struct sw_cli *cli, struct opts *o,
	struct sw_err *e)
{
	struct sw_master_conf conf;
	struct sw_repodb_guard g = SW_REPODB_GUARD_INIT;
	struct sw_repodb db;
	struct sw_sign s = SW_SIGN_INIT;
	bool have_conf = false, is_add = strcmp(op, "add") == 0;
	int rc = EXIT_FAIL;

	memset(&conf, 0, sizeof(conf));
	memset(&db, 0, sizeof(db));
	if (master_conf(cli->config, &conf, &have_conf, e) < 0 ||
	    sw_repodb_guard_take(&g, args[0], have_conf ? conf.state_dir : NULL,
	    have_conf ? conf.repo_dir : NULL, e) < 0)
		goto out;
	if (g.master) {
		/* a database of the master: its repo key and keyring */
		o->key = o->key ? o->key : conf.repo_key;
		o->home = o->home ? o->home : conf.gnupg_home;
	}
	if ((o->key != NULL || o->signers.n > 0 || !strcmp(op, "check")) &&
	    sw_sign_init(&s, o->home, e) < 0)
		goto out;
	if (sw_repodb_load(&db, args[0], true, e) < 0)
		goto out;
	if (strcmp(op, "check") == 0)
		rc = check(&db, &s, o, e);
	else
		rc = change(&db, &g, is_add, args[0], args + 1, n - 1, &s, o, e);
out:
	sw_repodb_release(&db);
	sw_sign_release(&s);
	sw_repodb_guard_release(&g);
	if (have_conf)
		sw_master_conf_release(&conf);
	return rc;
}

int
main(int argc, char **argv)
{
	struct opts o = { NULL, NULL, SW_STRVEC_INIT, false };
	struct sw_err e = { "" };
	struct sw_cli cli;
	const struct sw_cli_spec spec = {
		.prog = "repo-db",
		.usage = usage_text,
		.extra_short = "k:g:S:s",
		.extra_long = long_opts,
		.fn = option,
		.ctx = &o,
		.min_operands = 1,
		.max_operands = -1, /* by command, below */
		.operands = "no command",
		.usage_status = EXIT_USAGE,
	};
	const char *op;
	int n, rc;

	rc = sw_cli_start(&spec, argc, argv, &cli);
	if (rc >= 0)
		goto out;
	n = argc - cli.first_operand - 1;
	op = argv[cli.first_operand];
	if (!((!strcmp(op, "add") || !strcmp(op, "remove")) ? n >= 2 :
	    (!strcmp(op, "list") || !strcmp(op, "check")) && n == 1)) {
		rc = sw_cli_usage_error(&spec, "wrong command or operands");
		goto out;
	}
	if (strcmp(op, "list") == 0)
		rc = list(argv[cli.first_operand + 1], &e);
	else
		rc = run(op, argv + cli.first_operand + 1, n, &cli, &o, &e);
	if (rc == EXIT_FAIL)
		sw_error("%s", e.msg);
out:
	sw_strvec_release(&o.signers);
	return rc;
}
