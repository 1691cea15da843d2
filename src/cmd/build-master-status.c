/* build-master-status: the master at a glance, as text, JSON, HTML, metrics. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/cli.h"
#include "core/config.h"
#include "core/fileio.h"
#include "core/log.h"
#include "ops/farm.h"
#include "ops/status.h"

enum { EXIT_OK = 0, EXIT_BUSY = 1, EXIT_FAIL = 10, EXIT_USAGE = 64 };

static const char usage_text[] =
	"usage: build-master-status [options] [--json] [--html DIR] [--metrics FILE]\n"
	"\n"
	"Shows the build queue, the builds in progress, broken, blocked and\n"
	"cyclic packages, each repository's stages and the slaves. Prints text\n"
	"unless --json, --html or --metrics is given (--json prints JSON).\n"
	"\n"
	"Options:\n"
	"  -j, --json          print JSON instead of text\n"
	"  -H, --html DIR      write DIR/index.html (and DIR/logs/) atomically\n"
	"  -m, --metrics FILE  write Prometheus metrics to FILE atomically\n"
	"  -c, --config FILE   master configuration\n"
	"  -v, --verbose       say more\n"
	"  -q, --quiet         say only what went wrong\n"
	"  -h, --help          show this help\n"
	"  -V, --version       show the version\n"
	"\n"
	"Exit status: 0 done, 1 busy (retry soon), 10 failed, 64 usage.\n";

struct opts {
	int json;
	const char *html, *metrics;
};

static const struct option long_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "html", required_argument, NULL, 'H' },
	{ "metrics", required_argument, NULL, 'm' },
	{ NULL, 0, NULL, 0 },
};

static int
option(int opt, const char *arg, void *ctx, struct sw_err *e)
{
	struct opts *o = ctx;

	switch (opt) {
	case 'j': o->json = 1; return 0;
	case 'H': o->html = arg; return 0;
	case 'm': o->metrics = arg; return 0;
	default: return sw_err_set(e, "unknown option");
	}
}

int
main(int argc, char **argv)
{
	struct sw_master_conf conf;
	struct sw_status_memory *mem = NULL;
	struct sw_buf out = SW_BUF_INIT;
	struct opts o = { 0, NULL, NULL };
	struct sw_farm farm;
	enum sw_farm_result fr;
	struct sw_cli cli;
	struct sw_err e;
	const struct sw_cli_spec spec = {
		.prog = "build-master-status",
		.usage = usage_text,
		.extra_short = "jH:m:",
		.extra_long = long_opts,
		.fn = option,
		.ctx = &o,
		.usage_status = EXIT_USAGE,
	};
	int status, rc = EXIT_FAIL;

	memset(&conf, 0, sizeof(conf));
	sw_farm_init(&farm);
	status = sw_cli_start(&spec, argc, argv, &cli);
	if (status >= 0)
		return status;
	fr = sw_farm_open(&farm, &conf, cli.config, (int64_t)time(NULL), &e);
	if (fr != SW_FARM_OK) {
		sw_error(fr == SW_FARM_BUSY ? "busy: %s" : "%s", e.msg);
		rc = fr == SW_FARM_BUSY ? EXIT_BUSY : EXIT_FAIL;
		goto out;
	}
	if (sw_status_memory_load(&farm, &mem, &e) < 0 ||
	    (o.html != NULL && sw_status_html(&farm, mem, o.html, &e) < 0) ||
	    (o.metrics != NULL && sw_status_metrics(&farm, mem, o.metrics, &e) < 0) ||
	    (o.json && sw_status_json(&farm, mem, &out, &e) < 0) ||
	    (!o.json && o.html == NULL && o.metrics == NULL &&
	     sw_status_text(&farm, mem, &out, &e) < 0)) {
		sw_error("%s", e.msg);
		goto out;
	}
	if (out.len > 0 && sw_write_all(STDOUT_FILENO, out.data, out.len) < 0) {
		sw_error("cannot write to standard output");
		goto out;
	}
	rc = EXIT_OK;
out:
	sw_buf_release(&out);
	sw_status_memory_free(mem);
	sw_farm_release(&farm);
	sw_master_conf_release(&conf);
	return rc;
}
