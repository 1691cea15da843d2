/* why-dont-you: why a package is not built, promoted or deleted. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/cli.h"
#include "core/config.h"
#include "core/log.h"
#include "ops/farm.h"
#include "ops/why.h"

enum { EXIT_OK = 0, EXIT_BUSY = 1, EXIT_UNKNOWN = 2, EXIT_FAIL = 10,
	EXIT_USAGE = 64 };

static const char usage_text[] =
	"usage: why-dont-you [options] build|stabilize|delete PKGBASE...\n"
	"\n"
	"Explains, one or two lines per reason, why a package is not built\n"
	"(build), not promoted towards stable (stabilize), or not deleted\n"
	"(delete).\n"
	"\n"
	"Options:\n"
	"  -c, --config FILE   master configuration\n"
	"  -v, --verbose       say more\n"
	"  -q, --quiet         say only what went wrong\n"
	"  -h, --help          show this help\n"
	"  -V, --version       show the version\n"
	"\n"
	"Exit status: 0 explained, 1 busy (retry soon), 2 a package the master\n"
	"knows nothing of, 10 failed, 64 usage.\n";

static const struct sw_cli_spec spec = {
	.prog = "why-dont-you",
	.usage = usage_text,
	.min_operands = 2,
	.max_operands = -1,
	.operands = "expected build|stabilize|delete and at least one PKGBASE",
	.usage_status = EXIT_USAGE,
};

int
main(int argc, char **argv)
{
	static const char *const verbs[] = { "build", "stabilize", "delete" };
	struct sw_master_conf conf;
	struct sw_strvec lines = SW_STRVEC_INIT;
	struct sw_farm farm;
	enum sw_farm_result fr;
	struct sw_cli cli;
	struct sw_err e;
	int status, rc = EXIT_FAIL, what = -1, i, r;
	size_t k;

	memset(&conf, 0, sizeof(conf));
	sw_farm_init(&farm);
	status = sw_cli_start(&spec, argc, argv, &cli);
	if (status >= 0)
		return status;
	for (k = 0; k < 3; k++)
		if (strcmp(argv[cli.first_operand], verbs[k]) == 0)
			what = (int)k;
	if (what < 0)
		return sw_cli_usage_error(&spec, "unknown question '%s': expected "
			"build, stabilize or delete", argv[cli.first_operand]);
	for (i = cli.first_operand + 1; i < argc; i++)
		if (!sw_name_valid(SW_NAME_PKGBASE, argv[i]))
			return sw_cli_usage_error(&spec, "invalid pkgbase '%s'", argv[i]);
	fr = sw_farm_open(&farm, &conf, cli.config, (int64_t)time(NULL), &e);
	if (fr != SW_FARM_OK) {
		sw_error(fr == SW_FARM_BUSY ? "busy: %s" : "%s", e.msg);
		rc = fr == SW_FARM_BUSY ? EXIT_BUSY : EXIT_FAIL;
		goto out;
	}
	rc = EXIT_OK;
	for (i = cli.first_operand + 1; i < argc; i++) {
		r = sw_why(&farm, (enum sw_why_what)what, argv[i], &lines, &e);
		if (r < 0) {
			sw_error("%s", e.msg);
			rc = EXIT_FAIL;
			goto out;
		}
		if (r == 1)
			rc = EXIT_UNKNOWN;
	}
	for (k = 0; k < lines.n; k++)
		printf("%s\n", lines.v[k]);
	if (fflush(stdout) != 0)
		rc = EXIT_FAIL;
out:
	sw_strvec_release(&lines);
	sw_farm_release(&farm);
	sw_master_conf_release(&conf);
	return rc;
}
