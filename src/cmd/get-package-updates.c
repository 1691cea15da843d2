/*
 * get-package-updates: find what changed in the PKGBUILD sources and keep
 * the build list in build order (see get-package-updates(1)).
 */
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cli.h"
#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "core/number.h"
#include "source/updaterun.h"

#define EXIT_BUSY 1
#define EXIT_ERROR 2
#define EXIT_PARTIAL 3

static const char usage[] =
	"usage: get-package-updates [-b] [-r] [-j JOBS] [-t SECONDS] [-c FILE]\n"
	"Fetch the PKGBUILD sources, find what changed since the last run and\n"
	"update the build list (in build order), the deletion list and build-meta.\n"
	"\n"
	"  -b, --block           wait for the locks instead of giving up\n"
	"  -r, --retry           read the PKGBUILDs in state/pkgbuild-errors again\n"
	"  -j, --jobs N          PKGBUILD sandboxes in parallel (default: one per CPU)\n"
	"  -t, --timeout SECONDS wall-clock limit per PKGBUILD (default 30)\n"
	"  -c, --config FILE     master.conf to read\n"
	"  -v, --verbose         -q, --quiet\n"
	"  -h, --help            -V, --version\n"
	"\n"
	"Exit status: 0 done (or nothing new), 1 busy (another run holds a lock),\n"
	"2 error (nothing changed), 3 done, but some source could not be fetched\n"
	"or some PKGBUILD could not be read (they are named on standard error).\n";

static const struct option long_options[] = {
	{ "block", no_argument, NULL, 'b' },
	{ "retry", no_argument, NULL, 'r' },
	{ "jobs", required_argument, NULL, 'j' },
	{ "timeout", required_argument, NULL, 't' },
	{ NULL, 0, NULL, 0 },
};

static int
option(int opt, const char *arg, void *ctx, struct sw_err *e)
{
	struct sw_updaterun_opts *o = ctx;
	uint64_t v;

	switch (opt) {
	case 'b':
		o->wait = true;
		return 0;
	case 'r':
		o->retry = true;
		return 0;
	case 'j':
		if (sw_parse_u64(arg, 1, 64, &v, e) < 0)
			return -1;
		o->introspect.jobs = (unsigned)v;
		return 0;
	case 't':
		if (sw_parse_u64(arg, 1, 3600, &v, e) < 0)
			return -1;
		o->introspect.timeout_s = (unsigned)v;
		return 0;
	}
	return sw_err_set(e, "unknown option");
}

/* On a terminal: one line per fetch, rewritten at each percent. */
struct progress_line {
	size_t shown;   /* objects when last written */
	bool started;   /* a line of this fetch is written */
	bool done;      /* the last fetch's line is finished */
};

static void
progress(void *arg, const char *what, size_t received, size_t total)
{
	struct progress_line *p = arg;

	if (total == 0)
		return;
	if (received == total) {  /* reported again while deltas resolve */
		if (!p->done)
			fprintf(stderr, "\rget-package-updates: fetching %s: %zu/%zu "
				"objects\n", what, received, total);
		p->done = true;
		return;
	}
	if (p->done || received < p->shown)  /* the next fetch */
		p->done = p->started = false;
	else if (p->started && received - p->shown < total / 100)
		return;
	p->shown = received;
	p->started = true;
	fprintf(stderr, "\rget-package-updates: fetching %s: %zu/%zu objects",
		what, received, total);
}

int
main(int argc, char **argv)
{
	struct sw_updaterun_opts o = { false, false, SW_INTROSPECT_OPTS_INIT,
		NULL, NULL };
	struct progress_line line = { 0, false, false };
	struct sw_updaterun_report rep;
	struct sw_master_conf conf;
	enum sw_updaterun_result r;
	struct sw_cli cli;
	struct sw_err e;
	const struct sw_cli_spec spec = {
		.prog = "get-package-updates",
		.usage = usage,
		.extra_short = "brj:t:",
		.extra_long = long_options,
		.fn = option,
		.ctx = &o,
		.usage_status = EXIT_ERROR,
	};
	size_t i;
	int status, ret = EXIT_ERROR;

	sw_updaterun_report_init(&rep);
	memset(&conf, 0, sizeof(conf));
	status = sw_cli_start(&spec, argc, argv, &cli);
	if (status >= 0)
		return status;
	/* a sandbox that dies before it reads its input must not kill us */
	signal(SIGPIPE, SIG_IGN);
	if (sw_master_conf_locate_load(cli.config, &conf, &e) < 0) {
		sw_error("%s", e.msg);
		goto out;
	}
	o.introspect.arch = conf.arch;
	if (cli.verbosity >= 0 && isatty(STDERR_FILENO)) {
		o.progress = progress;
		o.progress_arg = &line;
	}
	r = sw_updaterun(&conf, &o, &rep, &e);
	for (i = 0; i < rep.messages.n; i++)
		sw_warn("%s", rep.messages.v[i]);
	if (r == SW_RUN_BUSY) {
		sw_error("%s", e.msg);
		ret = EXIT_BUSY;
		goto out;
	}
	if (r == SW_RUN_ERROR) {
		sw_error("%s", e.msg);
		goto out;
	}
	if (rep.nothing_new)
		sw_debug("nothing new in %zu source(s)", conf.nsources);
	else
		sw_info("%zu queued, %zu updated, %zu off the list, %zu to delete, "
			"%zu unreadable, %zu loop(s); %zu on the build list (%zu read, "
			"%zu from cache)", rep.queued, rep.updated, rep.removed,
			rep.deleted, rep.failed, rep.loops, rep.listed, rep.read,
			rep.cached);
	if (rep.bumped > 0)
		sw_info("%zu rebuild(s) of a published version, queued with a "
			"farm bump", rep.bumped);
	if (rep.scheduled > 0)
		sw_info("%zu scheduled rebuild(s) queued (.slipway/schedule)",
			rep.scheduled);
	ret = rep.partial ? EXIT_PARTIAL : 0;
out:
	sw_updaterun_report_release(&rep);
	sw_master_conf_release(&conf);
	return ret;
}
