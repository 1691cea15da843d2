/* build-packages: the build slave; assignments from the master, built, signed, returned. */
#include <signal.h>
#include <stdbool.h>
#include <string.h>

#include "core/buf.h"
#include "core/cli.h"
#include "core/config.h"
#include "core/log.h"
#include "core/number.h"
#include "slave/session.h"

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_STOPPED = 2, EXIT_FAIL = 10,
	EXIT_USAGE = 64 };

static const char usage_text[] =
	"usage: build-packages [options]\n"
	"       build-packages [options] -l DIR\n"
	"\n"
	"Asks the master (slave.conf: master, over SSH) for assignments, builds\n"
	"each in a sandbox straw after straw, signs the packages and returns them\n"
	"(or the logs of every straw), until nothing is pending. With -l, builds\n"
	"the PKGBUILD directory DIR the same way, without a master, and leaves\n"
	"the packages (or the logs) in DIR.\n"
	"\n"
	"Options:\n"
	"  -c, --config FILE        slave configuration\n"
	"  -n, --count COUNT        take at most COUNT assignments (0: no limit)\n"
	"      --once               the same as -n 1\n"
	"  -x, --exit-on-failure    stop after the first build that fails\n"
	"      --wait               when nothing is pending, wait for more\n"
	"  -l, --local DIR          build DIR without a master\n"
	"      --accept-new-host-key  trust an unknown master's host key once and\n"
	"                           add it to known_hosts\n"
	"      --ping-interval SECONDS  between pings during a build (60)\n"
	"      --poll SECONDS       between questions when nothing is ready (60)\n"
	"      --max-backoff SECONDS  the longest wait after a network error (300)\n"
	"  -v, --verbose            say more\n"
	"  -q, --quiet              say only what went wrong\n"
	"  -h, --help               show this help\n"
	"  -V, --version            show the version\n"
	"\n"
	"SIGTERM or SIGINT stops the current step, gives the assignment back and\n"
	"exits 0; a second one kills at once.\n"
	"\n"
	"Exit status: 0 done (nothing pending, COUNT reached, or stopped by a\n"
	"signal), 1 a build failed (with -x; with -l: every straw failed), 2 -l\n"
	"stopped by a signal, 10 failed, 64 usage.\n";

enum { OPT_ONCE = 256, OPT_WAIT, OPT_ACCEPT, OPT_PING, OPT_POLL, OPT_BACKOFF };

static const struct option long_options[] = {
	{ "count", required_argument, NULL, 'n' },
	{ "once", no_argument, NULL, OPT_ONCE },
	{ "exit-on-failure", no_argument, NULL, 'x' },
	{ "wait", no_argument, NULL, OPT_WAIT },
	{ "local", required_argument, NULL, 'l' },
	{ "accept-new-host-key", no_argument, NULL, OPT_ACCEPT },
	{ "ping-interval", required_argument, NULL, OPT_PING },
	{ "poll", required_argument, NULL, OPT_POLL },
	{ "max-backoff", required_argument, NULL, OPT_BACKOFF },
	{ NULL, 0, NULL, 0 },
};

struct opts {
	struct sw_session_opts s;
	const char *local;
};

static volatile sig_atomic_t stop;

/* The first signal asks to stop; a second one kills (the default action). */
static void
on_signal(int sig)
{
	if (stop) {
		signal(sig, SIG_DFL);
		raise(sig);
	}
	stop = 1;
}

static int
seconds(const char *arg, unsigned *out, struct sw_err *e)
{
	uint64_t v;

	if (sw_parse_u64(arg, 1, 86400, &v, e) < 0)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int
option(int opt, const char *arg, void *ctx, struct sw_err *e)
{
	struct opts *o = ctx;

	switch (opt) {
	case 'n':
		return sw_parse_u64(arg, 0, UINT64_MAX, &o->s.count, e);
	case OPT_ONCE:
		o->s.count = 1;
		return 0;
	case 'x':
		o->s.stop_on_failure = true;
		return 0;
	case OPT_WAIT:
		o->s.wait = true;
		return 0;
	case 'l':
		o->local = arg;
		return 0;
	case OPT_ACCEPT:
		o->s.accept_new_host_key = true;
		return 0;
	case OPT_PING:
		return seconds(arg, &o->s.ping_interval_s, e);
	case OPT_POLL:
		return seconds(arg, &o->s.poll_s, e);
	case OPT_BACKOFF:
		return seconds(arg, &o->s.backoff_max_s, e);
	}
	return sw_err_set(e, "unknown option");
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct sw_slave_conf conf;
	struct sw_buf path = SW_BUF_INIT;
	struct sigaction sa;
	struct sw_cli cli;
	struct sw_err e;
	const struct sw_cli_spec spec = {
		.prog = "build-packages",
		.usage = usage_text,
		.extra_short = "n:xl:",
		.extra_long = long_options,
		.fn = option,
		.ctx = &o,
		.usage_status = EXIT_USAGE,
	};
	int status, rc = EXIT_FAIL;

	memset(&o, 0, sizeof(o));
	memset(&conf, 0, sizeof(conf));
	o.s.stop = &stop;
	status = sw_cli_start(&spec, argc, argv, &cli);
	if (status >= 0)
		return status;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (sw_conf_locate(cli.config, "slave.conf", &path, &e) < 0 ||
	    sw_slave_conf_load(path.data, &conf, &e) < 0) {
		sw_error("%s", e.msg);
		goto out;
	}
	if (o.local != NULL) {
		switch (sw_session_local(&conf, o.local, &stop, &e)) {
		case SW_BUILD_OK:
			sw_info("'%s': built and signed", o.local);
			rc = EXIT_OK;
			break;
		case SW_BUILD_FAILED:
			sw_error("'%s': every straw failed (logs in it): %s", o.local,
				e.msg);
			rc = EXIT_FAILED;
			break;
		case SW_BUILD_ABORTED:
			sw_info("'%s': stopped", o.local);
			rc = EXIT_STOPPED;
			break;
		case SW_BUILD_ERROR:
			sw_error("%s", e.msg);
			break;
		}
		goto out;
	}
	switch (sw_session_run(&conf, &o.s, &e)) {
	case SW_SESSION_DONE:
		rc = EXIT_OK;
		break;
	case SW_SESSION_STOPPED:
		sw_info("stopped by a signal");
		rc = EXIT_OK;
		break;
	case SW_SESSION_FAILED:
		sw_error("%s", e.msg);
		rc = EXIT_FAILED;
		break;
	case SW_SESSION_ERROR:
		sw_error("%s", e.msg);
		break;
	}
out:
	sw_slave_conf_release(&conf);
	sw_buf_release(&path);
	return rc;
}
