/*
 * print-srcinfo: print .SRCINFO for PKGBUILD directories, read with the
 * same sandboxed introspection the master uses (see print-srcinfo(1)).
 */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/cli.h"
#include "core/err.h"
#include "source/introspect.h"
#include "core/log.h"
#include "core/number.h"

#define EXIT_SOME_FAILED 1
#define EXIT_ERROR 2

enum { OPT_CPU = 256 };

static const char usage[] =
	"usage: print-srcinfo [-a ARCH] [-j JOBS] [-t SECONDS] [--cpu SECONDS] DIR...\n"
	"Print the .SRCINFO of each PKGBUILD directory, as makepkg --printsrcinfo\n"
	"would, reading every PKGBUILD in a bubblewrap sandbox.\n"
	"\n"
	"  -a, --arch ARCH       CARCH while reading (default: /etc/makepkg.conf's)\n"
	"  -j, --jobs N          sandboxes in parallel (default: one per CPU)\n"
	"  -t, --timeout SECONDS wall-clock limit per PKGBUILD (default 30)\n"
	"      --cpu SECONDS     CPU-time limit per PKGBUILD (default 20)\n"
	"  -c, --config FILE     accepted for uniformity; no configuration is read\n"
	"  -v, --verbose         -q, --quiet\n"
	"  -h, --help            -V, --version\n"
	"\n"
	"Exit status: 0 all printed, 1 some directory could not be read,\n"
	"2 usage error or the sandbox cannot run.\n";

static const struct option long_options[] = {
	{ "arch", required_argument, NULL, 'a' },
	{ "jobs", required_argument, NULL, 'j' },
	{ "timeout", required_argument, NULL, 't' },
	{ "cpu", required_argument, NULL, OPT_CPU },
	{ NULL, 0, NULL, 0 },
};

static int
option(int opt, const char *arg, void *ctx, struct sw_err *e)
{
	struct sw_introspect_opts *o = ctx;
	uint64_t v;

	switch (opt) {
	case 'a':
		if (sw_name_check(SW_NAME_ARCH, arg, e) < 0)
			return -1;
		o->arch = arg;
		return 0;
	case 'j':
		if (sw_parse_u64(arg, 1, 64, &v, e) < 0)
			return -1;
		o->jobs = (unsigned)v;
		return 0;
	case 't':
		if (sw_parse_u64(arg, 1, 3600, &v, e) < 0)
			return -1;
		o->timeout_s = (unsigned)v;
		return 0;
	case OPT_CPU:
		if (sw_parse_u64(arg, 1, 3600, &v, e) < 0)
			return -1;
		o->cpu_s = (unsigned)v;
		return 0;
	}
	return sw_err_set(e, "unknown option");
}

int
main(int argc, char **argv)
{
	struct sw_introspect_opts o = SW_INTROSPECT_OPTS_INIT;
	struct sw_introspect_item *items = NULL;
	struct sw_buf out = SW_BUF_INIT;
	const char **dirs = NULL;
	struct sw_cli cli;
	struct sw_err e;
	const struct sw_cli_spec spec = {
		.prog = "print-srcinfo",
		.usage = usage,
		.extra_short = "a:j:t:",
		.extra_long = long_options,
		.fn = option,
		.ctx = &o,
		.min_operands = 1,
		.max_operands = -1,
		.operands = "no directory given",
		.usage_status = EXIT_ERROR,
	};
	size_t n = 0, i;
	int status, ret = EXIT_ERROR, failed = 0;

	status = sw_cli_start(&spec, argc, argv, &cli);
	if (status >= 0)
		return status;
	/* a sandbox that dies before it reads its input must not kill us */
	signal(SIGPIPE, SIG_IGN);
	n = (size_t)(argc - cli.first_operand);
	items = calloc(n, sizeof(*items));
	dirs = calloc(n, sizeof(*dirs));
	if (items == NULL || dirs == NULL) {
		sw_error("out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		const char *arg = argv[cli.first_operand + (int)i];
		struct stat st;
		char *real = realpath(arg, NULL);

		if (real == NULL || stat(real, &st) < 0 || !S_ISDIR(st.st_mode) ||
		    strcmp(real, "/") == 0) {
			sw_error("'%s' is not a directory", arg);
			free(real);
			goto out;
		}
		items[i].dir = dirs[i] = real;
	}
	if (sw_introspect_run(&o, items, n, &e) < 0) {
		sw_error("%s", e.msg);
		goto out;
	}
	for (i = 0; i < n; i++) {
		const char *arg = argv[cli.first_operand + (int)i];

		if (!items[i].ok) {
			sw_error("cannot read '%s/PKGBUILD': %s", arg, items[i].error);
			failed = 1;
			continue;
		}
		sw_buf_reset(&out);
		if (sw_srcinfo_print(&items[i].srcinfo, &out, &e) < 0) {
			sw_error("%s", e.msg);
			goto out;
		}
		fwrite(out.data, 1, out.len, stdout);
	}
	if (fflush(stdout) != 0) {
		sw_error("cannot write to standard output");
		goto out;
	}
	ret = failed ? EXIT_SOME_FAILED : 0;
out:
	for (i = 0; items != NULL && i < n; i++) {
		sw_introspect_item_release(&items[i]);
		free((char *)dirs[i]);
	}
	free(items);
	free(dirs);
	sw_buf_release(&out);
	return ret;
}
