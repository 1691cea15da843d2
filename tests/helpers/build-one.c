/*
 * build-one: drives sw_build_run for the integration tests, without a
 * master: build-one SLAVE.CONF SRCDIR ID OUTDIR [ABORT-AFTER-TICKS]
 * Prints the result and exits 0 built, 1 failed, 2 aborted, 3 error.
 * With ABORT-AFTER-TICKS, the tick hook asks to stop at that tick of the
 * building phase; every phase change is printed as "phase NAME".
 * With BUILD_ONE_SRCINFO=FILE in the environment, FILE stands for the
 * master's .SRCINFO (job.srcinfo), as get-sources sends it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/log.h"
#include "slave/build.h"

struct ticker {
	long abort_after;
	long building;
	char last[32];
};

static int
tick(void *arg, const char *phase)
{
	struct ticker *t = arg;

	if (strcmp(t->last, phase) != 0) {
		printf("phase %s\n", phase);
		fflush(stdout);
		snprintf(t->last, sizeof(t->last), "%s", phase);
	}
	if (strcmp(phase, SW_PHASE_BUILDING) == 0)
		t->building++;
	return t->abort_after > 0 && t->building >= t->abort_after;
}

int
main(int argc, char **argv)
{
	static const char *const names[] = { "built", "failed", "aborted" };
	struct sw_slave_conf c;
	struct ticker t = { 0, 0, "" };
	struct sw_build_hooks h = { tick, &t };
	struct sw_build_job job;
	struct sw_err e = { "" };
	enum sw_build_result r;

	if (argc != 5 && argc != 6) {
		fprintf(stderr, "usage: build-one SLAVE.CONF SRCDIR ID OUTDIR "
			"[ABORT-AFTER-TICKS]\n");
		return 3;
	}
	sw_log_init("build-one", 0);
	if (argc == 6)
		t.abort_after = strtol(argv[5], NULL, 10);
	if (sw_slave_conf_load(argv[1], &c, &e) < 0) {
		fprintf(stderr, "build-one: %s\n", e.msg);
		sw_slave_conf_release(&c);
		return 3;
	}
	job.srcdir = argv[2];
	job.id = argv[3];
	job.outdir = argv[4];
	job.srcinfo = getenv("BUILD_ONE_SRCINFO");
	job.sign = NULL;
	r = sw_build_run(&c, &job, &h, &e);
	sw_slave_conf_release(&c);
	if (r == SW_BUILD_ERROR) {
		fprintf(stderr, "build-one: %s\n", e.msg);
		return 3;
	}
	printf("%s\n", names[r]);
	if (r == SW_BUILD_FAILED)
		fprintf(stderr, "build-one: %s\n", e.msg);
	return (int)r;
}
