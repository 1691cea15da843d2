/*
 * bench/get-assignment: get-assignment on a 10,000-entry build list with
 * 2,000 state files, 16 callers at once, against the floor of any forced
 * command: starting a trivial C program, measured the same way.
 *
 *   get-assignment [BINDIR [SECONDS]]   (BINDIR: else $SLIPWAY_BIN)
 *
 * The state: 10,000 entries (a third of them build-depend on one to three
 * earlier entries), 1,300 done/testing/tested files of published
 * revisions, 300 broken and 300 blocked entries spread over the first half
 * of the list, and 100 leases of other slaves (fresh). 16 workers, slaves
 * s00..s15, each call get-assignment in a loop (SECONDS in all, default 10,
 * in 5 rounds that alternate with the floor);
 * after each call a worker gives its lease back (untimed: it removes its
 * locked file under build-list.lock, as return-assignment would), so every
 * timed call chooses and writes a new lease. The floor is the same loop
 * over `int main(void) { return 0; }`, compiled here with cc.
 * Prints median and p99 latency of both, single-caller and 16 at once,
 * and the ratio of the medians.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/fileio.h"
#include "core/names.h"
#include "queue/pkgstate.h"
#include "core/run.h"
#include "queue/statedir.h"

#define ENTRIES 10000
#define WORKERS 16
#define MAX_SAMPLES 200000
#define ROUNDS 5

static char top[256];
static char conf_path[300];

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
die(const char *what)
{
	fprintf(stderr, "bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* A fake commit id from a number. */
static void
commit(char *out, unsigned n, unsigned salt)
{
	snprintf(out, 41, "%08x%08x%08x%08x%08x", n, salt, n * 2654435761u,
		salt * 40503u, n ^ 0x5bd1e995u);
}

static void
put(const char *rel, const struct sw_buf *b)
{
	char p[512];
	struct sw_err e;

	snprintf(p, sizeof(p), "%s/%s", top, rel);
	if (sw_file_replace(p, b->data, b->len, 0644, &e) < 0) {
		fprintf(stderr, "bench: %s\n", e.msg);
		exit(1);
	}
}

static void
state_file(const char *pkgbase, unsigned n, const char *repo,
	const char *suffix, const char *content)
{
	struct sw_buf b = SW_BUF_INIT, rel = SW_BUF_INIT;
	char c1[41], c2[41];

	commit(c1, n, 1);
	commit(c2, n, 2);
	sw_buf_addstr(&b, content);
	sw_buf_addf(&rel, "state/package-states/%s.%s.%s.%s.%s", pkgbase, c1, c2,
		repo, suffix);
	put(rel.data, &b);
	sw_buf_release(&b);
	sw_buf_release(&rel);
}

static void
make_state(void)
{
	struct sw_buf list = SW_BUF_INIT, meta = SW_BUF_INIT, conf = SW_BUF_INIT;
	char name[64], c1[41], c2[41];
	unsigned i, k;

	srandom(1);
	for (i = 0; i < ENTRIES; i++) {
		const char *repo = i % 5 == 0 ? "core" : "extra";

		snprintf(name, sizeof(name), "pkg%05u", i);
		commit(c1, i, 1);
		commit(c2, i, 2);
		sw_buf_addf(&list, "%s %s %s %s\n", name, c1, c2, repo);
		sw_buf_addf(&meta, "%s %s upstream %s/%s - 1.%u-1 %s,%s-docs ", name,
			repo, repo, name, i, name, name);
		if (i > 0 && random() % 3 == 0) {
			unsigned nd = 1 + (unsigned)random() % 3;

			for (k = 0; k < nd; k++)
				sw_buf_addf(&meta, "%spkg%05u", k ? "," : "",
					(unsigned)random() % i);
		} else {
			sw_buf_addstr(&meta, "-");
		}
		sw_buf_addch(&meta, '\n');
	}
	put("state/build-list", &list);
	put("state/build-meta", &meta);
	/* 1,300 published revisions, 300 broken, 300 blocked, 100 leases */
	for (i = 0; i < 1300; i++) {
		snprintf(name, sizeof(name), "old%05u", i);
		state_file(name, i, "extra", i % 3 == 0 ? "done" : i % 3 == 1 ?
			"testing" : "tested", "old-1-1-x86_64.pkg.tar.zst\n");
	}
	for (i = 0; i < 300; i++) {
		char line[128];
		unsigned n = (unsigned)random() % (ENTRIES / 2);

		snprintf(name, sizeof(name), "pkg%05u", n);
		snprintf(line, sizeof(line), "%ld s99 plain -\n%s",
			(long)time(NULL) - 60, i % 2 ? "1 s99 clean -\n" : "");
		state_file(name, n, n % 5 == 0 ? "core" : "extra", "broken", line);
		n = (unsigned)random() % (ENTRIES / 2);
		snprintf(name, sizeof(name), "pkg%05u", n);
		state_file(name, n, n % 5 == 0 ? "core" : "extra", "blocked",
			"1 admin waits for a new upstream release\n");
	}
	for (i = 0; i < 100; i++) {
		char line[128];
		unsigned n = 100 + i * 7;

		snprintf(name, sizeof(name), "pkg%05u", n);
		snprintf(line, sizeof(line), "o%02u %ld %ld building\n", i,
			(long)time(NULL), (long)time(NULL) + 100000);
		state_file(name, n, n % 5 == 0 ? "core" : "extra", "locked", line);
	}
	sw_buf_addf(&conf, "[master]\nstate_dir = state\nrepo_dir = repos\n"
		"arch = x86_64\n\n[repository core]\nstaging = core-staging\n"
		"testing = core-testing\n\n[repository extra]\n"
		"staging = extra-staging\ntesting = extra-testing\n");
	for (i = 0; i < WORKERS; i++)
		sw_buf_addf(&conf, "\n[slave s%02u]\nkey = %040X\n", i, i);
	for (i = 0; i < 100; i++)
		sw_buf_addf(&conf, "\n[slave o%02u]\nkey = %040X\n", i, 100 + i);
	put("master.conf", &conf);
	sw_buf_release(&list);
	sw_buf_release(&meta);
	sw_buf_release(&conf);
}

/* Gives back whatever slave holds: what return-assignment does to `locked`. */
static void
give_back(const char *slave)
{
	struct sw_statedir sd = { NULL, { -1, -1 } };
	struct sw_buf dir = SW_BUF_INIT;
	struct sw_err e;
	char path[1024];

	sw_buf_addf(&dir, "%s/state", top);
	if (sw_statedir_open(&sd, dir.data, &e) < 0 ||
	    sw_statedir_lock(&sd, SW_LOCK_BUILD_LIST, -1, &e) != SW_LOCK_OK) {
		fprintf(stderr, "bench: %s\n", e.msg);
		exit(1);
	}
	/* the slave's lease file name was printed by get-assignment */
	snprintf(path, sizeof(path), "%s/state/.last-%s", top, slave);
	{
		struct sw_buf id = SW_BUF_INIT;
		struct sw_id x;
		char f[4][200];

		if (sw_file_read(path, 4096, &id, &e) == 0 &&
		    sscanf(id.data, "%199s %199s %199s %199s", f[0], f[1], f[2],
		    f[3]) == 4 &&
		    sw_id_from_fields(&x, f[0], f[1], f[2], f[3], &e) == 0)
			sw_pkgstate_remove(dir.data, &x, SW_STATE_LOCKED, NULL, &e);
		sw_buf_release(&id);
	}
	sw_statedir_release(&sd);
	sw_buf_release(&dir);
}

/* One timed run of prog (as slave, or the floor); returns ms, -1 on failure. */
static double
one_call(const char *prog, const char *slave, int *status)
{
	static const char *const allow[] = { "PATH", "HOME", NULL };
	struct sw_child c;
	struct sw_err e;
	char out[512];
	int fd = -1;
	double t0, t1;

	sw_child_init(&c, prog);
	sw_env_allow(&c.env, allow);
	if (slave != NULL) {
		sw_strvec_pushf(&c.env, "SLIPWAY_SLAVE=%s", slave);
		sw_strvec_pushf(&c.env, "SLIPWAY_CONFIG=%s", conf_path);
		snprintf(out, sizeof(out), "%s/state/.last-%s", top, slave);
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		c.out = fd;
	}
	t0 = now_ms();
	if (sw_child_run(&c, status, &e) < 0) {
		fprintf(stderr, "bench: %s\n", e.msg);
		exit(1);
	}
	t1 = now_ms();
	if (fd >= 0)
		close(fd);
	sw_child_release(&c);
	return t1 - t0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

struct samples {
	double *v;
	size_t n, bad;
};

struct result {
	double median, p99;
	size_t n, bad;
};

/*
 * workers processes each call prog for seconds; their samples are added to
 * out (through a shared mapping).
 */
static void
measure(const char *prog, int slaves, int workers, double seconds,
	struct samples *out)
{
	struct shared {
		size_t n[WORKERS], bad[WORKERS];
		double v[WORKERS][MAX_SAMPLES / WORKERS];
	} *sh;
	int w;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		die("mmap");
	memset(sh, 0, sizeof(*sh));
	for (w = 0; w < workers; w++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (pid == 0) {
			char slave[16];
			double end = now_ms() + seconds * 1000;
			int status;

			snprintf(slave, sizeof(slave), "s%02d", w);
			while (now_ms() < end && sh->n[w] < MAX_SAMPLES / WORKERS) {
				double ms = one_call(prog, slaves ? slave : NULL, &status);

				sh->v[w][sh->n[w]++] = ms;
				if (status != 0)
					sh->bad[w]++;
				if (slaves)
					give_back(slave);
			}
			_exit(0);
		}
	}
	while (wait(NULL) > 0)
		;
	for (w = 0; w < workers; w++) {
		double *v = realloc(out->v, (out->n + sh->n[w]) * sizeof(double));

		if (v == NULL)
			die("realloc");
		out->v = v;
		memcpy(out->v + out->n, sh->v[w], sh->n[w] * sizeof(double));
		out->n += sh->n[w];
		out->bad += sh->bad[w];
	}
	munmap(sh, sizeof(*sh));
}

static struct result
summary(struct samples *s)
{
	struct result r = { 0, 0, s->n, s->bad };

	qsort(s->v, s->n, sizeof(double), cmp_double);
	if (s->n > 0) {
		r.median = s->v[s->n / 2];
		r.p99 = s->v[(s->n * 99) / 100 < s->n ? (s->n * 99) / 100 : s->n - 1];
	}
	free(s->v);
	return r;
}

static void
compile_floor(const char *path)
{
	struct sw_child c;
	struct sw_err e;
	struct sw_buf src = SW_BUF_INIT;
	char csrc[512];
	int status;
	static const char *const allow[] = { "PATH", "HOME", NULL };

	snprintf(csrc, sizeof(csrc), "%s/trivial.c", top);
	sw_buf_addstr(&src, "int main(void) { return 0; }\n");
	{
		struct sw_err we;

		if (sw_file_replace(csrc, src.data, src.len, 0644, &we) < 0) {
			fprintf(stderr, "bench: %s\n", we.msg);
			exit(1);
		}
	}
	sw_buf_release(&src);
	sw_child_init(&c, "/usr/bin/cc");
	sw_env_allow(&c.env, allow);
	sw_strvec_push(&c.argv, "cc");
	sw_strvec_push(&c.argv, "-O2");
	sw_strvec_push(&c.argv, "-o");
	sw_strvec_push(&c.argv, path);
	sw_strvec_push(&c.argv, csrc);
	if (sw_child_run(&c, &status, &e) < 0 || status != 0) {
		fprintf(stderr, "bench: cannot compile the floor program: %s\n",
			status ? "cc failed" : e.msg);
		exit(1);
	}
	sw_child_release(&c);
}

int
main(int argc, char **argv)
{
	char prog[512], floor_prog[512], tmpl[] = "/tmp/slipway-bench.XXXXXX";
	const char *bindir = argc > 1 ? argv[1] : getenv("SLIPWAY_BIN");
	double seconds = argc > 2 ? strtod(argv[2], NULL) : 10;
	struct result f1, g1, f16, g16;
	struct sw_err e;

	if (bindir == NULL) {
		fprintf(stderr, "usage: get-assignment [BINDIR [SECONDS]]\n");
		return 2;
	}
	if (realpath(bindir, prog) == NULL)
		die(bindir);
	strncat(prog, "/get-assignment", sizeof(prog) - strlen(prog) - 1);
	if (mkdtemp(tmpl) == NULL)
		die("mkdtemp");
	snprintf(top, sizeof(top), "%s", tmpl);
	snprintf(conf_path, sizeof(conf_path), "%s/master.conf", top);
	snprintf(floor_prog, sizeof(floor_prog), "%s/trivial", top);
	{
		char d[512];

		snprintf(d, sizeof(d), "%s/state/package-states", top);
		if (sw_mkdir_p(d, 0755, &e) < 0) {
			fprintf(stderr, "bench: %s\n", e.msg);
			return 1;
		}
	}
	make_state();
	compile_floor(floor_prog);
	/*
	 * Warm the page cache, then measure in rounds that alternate the floor
	 * and get-assignment, so that whatever else the machine does weighs on
	 * both alike.
	 */
	{
		struct samples warm = { NULL, 0, 0 }, sf1 = { NULL, 0, 0 },
			sg1 = { NULL, 0, 0 }, sf16 = { NULL, 0, 0 },
			sg16 = { NULL, 0, 0 };
		int round;

		measure(prog, 1, 1, 0.3, &warm);
		free(warm.v);
		for (round = 0; round < ROUNDS; round++) {
			measure(floor_prog, 0, 1, seconds / ROUNDS / 4, &sf1);
			measure(prog, 1, 1, seconds / ROUNDS / 4, &sg1);
			measure(floor_prog, 0, WORKERS, seconds / ROUNDS / 2, &sf16);
			measure(prog, 1, WORKERS, seconds / ROUNDS / 2, &sg16);
		}
		f1 = summary(&sf1);
		g1 = summary(&sg1);
		f16 = summary(&sf16);
		g16 = summary(&sg16);
	}
	printf("get-assignment: 10000 entries, 2000 state files (%s)\n", top);
	printf("  1 caller:   floor median %.3f ms p99 %.3f ms | get-assignment "
		"median %.3f ms p99 %.3f ms (%zu calls, %zu not 0) | ratio %.2f\n",
		f1.median, f1.p99, g1.median, g1.p99, g1.n, g1.bad,
		g1.median / f1.median);
	printf("  16 callers: floor median %.3f ms p99 %.3f ms | get-assignment "
		"median %.3f ms p99 %.3f ms (%zu calls, %zu not 0) | ratio %.2f "
		"(target <= 5)\n",
		f16.median, f16.p99, g16.median, g16.p99, g16.n, g16.bad,
		g16.median / f16.median);
	if (getenv("BENCH_KEEP") == NULL) {
		struct sw_child c;
		int status;

		sw_child_init(&c, "/bin/rm");
		sw_strvec_push(&c.argv, "rm");
		sw_strvec_push(&c.argv, "-rf");
		sw_strvec_push(&c.argv, top);
		sw_child_run(&c, &status, &e);
		sw_child_release(&c);
	}
	return g16.bad == 0 && g1.bad == 0 ? 0 : 1;
}
