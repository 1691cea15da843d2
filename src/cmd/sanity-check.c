/* sanity-check: every invariant of the master's state and repositories. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/cli.h"
#include "core/config.h"
#include "core/log.h"
#include "ops/sanitycheck.h"

enum { EXIT_OK = 0, EXIT_VIOLATIONS = 1, EXIT_BUSY = 2, EXIT_FAIL = 10,
	EXIT_USAGE = 64 };

static const char usage_text[] =
	"usage: sanity-check [options] [--repair]\n"
	"\n"
	"Checks every invariant of the master's state and every repository\n"
	"database against the pool and the files on disk, and prints one line\n"
	"per violation. Marks the master not sane while any is left (then\n"
	"get-assignment, return-assignment and db-update refuse to run), and\n"
	"clears the mark when none is.\n"
	"\n"
	"Options:\n"
	"  -r, --repair        first fix what is safe: stale temp files,\n"
	"                      orphaned state files, missing pool links\n"
	"  -c, --config FILE   master configuration\n"
	"  -v, --verbose       say more\n"
	"  -q, --quiet         say only what went wrong\n"
	"  -h, --help          show this help\n"
	"  -V, --version       show the version\n"
	"\n"
	"Exit status: 0 sane, 1 violations (printed), 2 busy (retry soon),\n"
	"10 failed, 64 usage.\n";

static const struct option long_opts[] = {
	{ "repair", no_argument, NULL, 'r' },
	{ NULL, 0, NULL, 0 },
};

static int
option(int opt, const char *arg, void *ctx, struct sw_err *e)
{
	(void)arg;
	if (opt != 'r')
		return sw_err_set(e, "unknown option");
	*(int *)ctx = 1;
	return 0;
}

int
main(int argc, char **argv)
{
	struct sw_master_conf conf;
	struct sw_strvec problems = SW_STRVEC_INIT, repairs = SW_STRVEC_INIT;
	struct sw_cli cli;
	struct sw_err e;
	int repair = 0;
	const struct sw_cli_spec spec = {
		.prog = "sanity-check",
		.usage = usage_text,
		.extra_short = "r",
		.extra_long = long_opts,
		.fn = option,
		.ctx = &repair,
		.usage_status = EXIT_USAGE,
	};
	struct sw_sanitycheck_opts o;
	int status, rc = EXIT_FAIL;
	size_t k;

	memset(&conf, 0, sizeof(conf));
	status = sw_cli_start(&spec, argc, argv, &cli);
	if (status >= 0)
		return status;
	if (sw_master_conf_locate_load(cli.config, &conf, &e) < 0) {
		sw_error("%s", e.msg);
		goto out;
	}
	o = (struct sw_sanitycheck_opts){ repair != 0, (int64_t)time(NULL),
		SW_FARM_LOCK_TIMEOUT_MS };
	switch (sw_sanitycheck_run(&conf, &o, &problems, &repairs, &e)) {
	case SW_FARM_OK:
		break;
	case SW_FARM_BUSY:
		sw_error("busy: %s", e.msg);
		rc = EXIT_BUSY;
		goto out;
	default:
		sw_error("%s", e.msg);
		goto out;
	}
	for (k = 0; k < repairs.n; k++)
		printf("repaired: %s\n", repairs.v[k]);
	for (k = 0; k < problems.n; k++)
		printf("violation: %s\n", problems.v[k]);
	if (problems.n > 0)
		sw_error("%zu violation%s: the master is marked not sane", problems.n,
			problems.n == 1 ? "" : "s");
	rc = fflush(stdout) != 0 ? EXIT_FAIL :
		problems.n ? EXIT_VIOLATIONS : EXIT_OK;
out:
	sw_strvec_release(&problems);
	sw_strvec_release(&repairs);
	sw_master_conf_release(&conf);
	return rc;
}
