/* modify-package-state: block, unblock, unbreak, mark tested or faulty, bump. */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/cli.h"
#include "core/config.h"
#include "core/log.h"
#include "queue/pkgadmin.h"

enum { EXIT_OK = 0, EXIT_BUSY = 1, EXIT_REFUSED = 2, EXIT_FAIL = 10,
	EXIT_USAGE = 64 };

static const char usage_text[] =
	"usage: modify-package-state [options] --block REASON PKG...\n"
	"       modify-package-state [options] --unblock PKG...\n"
	"       modify-package-state [options] --unbreak PKG...\n"
	"       modify-package-state [options] --tested PKG...\n"
	"       modify-package-state [options] --faulty PKG...\n"
	"       modify-package-state [options] --bump PKG...\n"
	"\n"
	"PKG is a pkgbase or a full id (pkgbase.src-commit.mod-commit.repo).\n"
	"--block, --unblock and --unbreak act on build-list entries, --tested\n"
	"and --faulty on packages in a testing repository, --bump on the last\n"
	"published build of a pkgbase. If the action does not apply to one\n"
	"PKG, nothing changes.\n"
	"\n"
	"Options:\n"
	"  -b, --block REASON  do not hand the entries out\n"
	"  -u, --unblock       hand them out again\n"
	"  -r, --unbreak       forget their failures: hand them out again now\n"
	"  -t, --tested        the packages may go to stable\n"
	"  -f, --faulty        the packages may not go to stable\n"
	"  -B, --bump          rebuild them as the farm's next pkgrel bump\n"
	SW_CLI_USAGE_CONFIG
	SW_CLI_USAGE_COMMON
	"\n"
	"Exit status: 0 changed, 1 busy (retry soon), 2 an action that does not\n"
	"apply (nothing changed), 10 failed, 64 usage.\n";

struct opts {
	int action;     /* enum sw_admin_action, -1 none yet */
	const char *reason;
};

static const struct option long_opts[] = {
	{ "block", required_argument, NULL, 'b' },
	{ "unblock", no_argument, NULL, 'u' },
	{ "unbreak", no_argument, NULL, 'r' },
	{ "tested", no_argument, NULL, 't' },
	{ "faulty", no_argument, NULL, 'f' },
	{ "bump", no_argument, NULL, 'B' },
	{ NULL, 0, NULL, 0 },
};

static int
option(int opt, const char *arg, void *ctx, struct sw_err *e)
{
	struct opts *o = ctx;
	int a;

	switch (opt) {
	case 'b': a = SW_ADMIN_BLOCK; o->reason = arg; break;
	case 'u': a = SW_ADMIN_UNBLOCK; break;
	case 'r': a = SW_ADMIN_UNBREAK; break;
	case 't': a = SW_ADMIN_TESTED; break;
	case 'f': a = SW_ADMIN_FAULTY; break;
	case 'B': a = SW_ADMIN_BUMP; break;
	default: return sw_err_set(e, "unknown option");
	}
	if (o->action >= 0 && o->action != a)
		return sw_err_set(e, "give one of --block, --unblock, --unbreak, "
			"--tested, --faulty and --bump");
	o->action = a;
	return 0;
}

/* Who asks: the user behind sudo, else the effective user. */
static const char *
who(char *buf, size_t size)
{
	const char *s = getenv("SUDO_USER");
	struct passwd *pw;

	if (s != NULL && s[0] != '\0')
		return s;
	pw = getpwuid(geteuid());
	if (pw != NULL)
		return pw->pw_name;
	snprintf(buf, size, "uid%u", (unsigned)geteuid());
	return buf;
}

int
main(int argc, char **argv)
{
	struct sw_master_conf conf;
	struct sw_strvec changes = SW_STRVEC_INIT;
	struct opts o = { -1, NULL };
	struct sw_cli cli;
	struct sw_err e;
	const struct sw_cli_spec spec = {
		.prog = "modify-package-state",
		.usage = usage_text,
		.extra_short = "b:urtfB",
		.extra_long = long_opts,
		.fn = option,
		.ctx = &o,
		.max_operands = -1, /* checked below, after the action */
		.usage_status = EXIT_USAGE,
	};
	char uid[32];
	size_t k;
	int status, rc = EXIT_FAIL;

	memset(&conf, 0, sizeof(conf));
	status = sw_cli_start(&spec, argc, argv, &cli);
	if (status >= 0)
		return status;
	if (o.action < 0 || cli.first_operand == argc)
		return sw_cli_usage_error(&spec, "%s", o.action < 0 ?
			"no action given" : "no package given");
	if (sw_master_conf_locate_load(cli.config, &conf, &e) < 0) {
		sw_error("%s", e.msg);
		goto out;
	}
	switch (sw_admin_apply(&conf, (enum sw_admin_action)o.action, o.reason,
	    who(uid, sizeof(uid)), argv + cli.first_operand,
	    (size_t)(argc - cli.first_operand), (int64_t)time(NULL), &changes, &e)) {
	case SW_ADMIN_OK:
		/* -q: "only what went wrong", and nothing did */
		for (k = 0; cli.verbosity >= 0 && k < changes.n; k++)
			printf("%s\n", changes.v[k]);
		rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
		break;
	case SW_ADMIN_BUSY:
		sw_error("busy: %s", e.msg);
		rc = EXIT_BUSY;
		break;
	case SW_ADMIN_REFUSED:
		sw_error("%s: nothing changed", e.msg);
		rc = EXIT_REFUSED;
		break;
	case SW_ADMIN_ERROR:
		sw_error("%s", e.msg);
		break;
	}
out:
	sw_strvec_release(&changes);
	sw_master_conf_release(&conf);
	return rc;
}
