/*
 * bench/scale: 100 simulated slaves run the slave protocol through
 * slave-connect (get-assignment, ping, return-assignment; no sshd: the
 * programs are the load) against build lists of 5,000, 10,000 and 20,000
 * entries, and show how the cost of a call grows with the list.
 *
 *   scale [BINDIR [ASSIGNMENTS]]   (BINDIR: else $SLIPWAY_BIN; 60)
 *
 * The list has the shape of a real repository's: one 20,000-entry graph in
 * build order, of which the smaller lists are prefixes; 45% of the entries
 * build-depend on nothing, the others on 1 to 3 earlier entries, 40% of
 * those edges going to hubs (every 50th entry; early hubs are the most
 * popular, as glibc or python are), 8% are split packages (2 or 3
 * pkgnames), a fifth are in core, the rest in extra. Beside the list the
 * master holds what a farm in the middle of a rebuild holds: a quarter of
 * the list's size in packages already built and waiting in extra-staging
 * (package files with stand-in signatures, their `done` files), so that the
 * staging database and package-states/ grow with the list too.
 *
 * For each size: a fresh master; first one slave alone does 15 rounds of
 * get-assignment, ping, return-assignment (the cost of a call without
 * contention); then 100 slaves s000..s099 loop (get-assignment; on 0 ping
 * and return-assignment; on 1 or 2 back off 20..100 ms; on 3 stop) until
 * ASSIGNMENTS packages have been returned: the whole list would take an
 * hour at 20,000 entries, and a fixed number of rounds at the head of each
 * list measures every size on equal terms. Slaves that hold a lease then
 * stop without returning it (as a slave that dies does): with 100 slaves
 * returning every lease held would add up to 100 returns per size, and
 * the run must stay under 10 minutes on a shared 2-core machine. Returns are real: .pkg.tar.gz
 * files with a .PKGINFO of the assignment's pkgname and version, each with
 * a detached signature by the slaves' key (one key in the master's keyring,
 * also the repository key), made before the clock runs and shared by the
 * sizes (the lists share their heads).
 * The programs report their lock waits on stderr (SLIPWAY_LOCK_TIMES,
 * lock.h). Printed per size: assignments per second, p50 and p99 of each
 * call, the share of call time spent waiting for locks; then the growth
 * from the smallest list to the largest against a per-call cost that
 * would grow with the list (4x).
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/fileio.h"
#include "core/run.h"
#include "repo/repodb.h"
#include "repo/sign.h"
#include "queue/statedir.h"

#define NMAX 20000
#define SLAVES 100
#define SINGLE_ROUNDS 15
#define MAX_SAMPLES 400000
#define NSIZES 3
static const unsigned sizes[NSIZES] = { 5000, 10000, 20000 };

enum kind { K_GET, K_PING, K_RET, NKINDS };

struct graph {
	uint8_t nsplit[NMAX];
	uint8_t ndeps[NMAX];
	uint16_t deps[NMAX][3];
};

struct sample {
	uint8_t kind, rc, phase;
	float ms, lock_ms, cpu_ms;
};

struct shared {
	unsigned returned, refused, generated, failed;
	size_t n;
	struct sample s[MAX_SAMPLES];
};

struct bench {
	char top[256], bin[512], gnupg[300], fpr[41];
	unsigned assignments;
	const struct graph *g;
	struct shared *sh;
	/* the master of the size being run */
	char mdir[300], conf[320];
};

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

static void
die_e(const struct sw_err *e)
{
	fprintf(stderr, "bench: %s\n", e->msg);
	exit(1);
}

static uint32_t
rnd(uint64_t *st)
{
	*st ^= *st << 13;
	*st ^= *st >> 7;
	*st ^= *st << 17;
	return (uint32_t)(*st >> 11);
}

static void
commit(char *out, unsigned n, unsigned salt)
{
	snprintf(out, 41, "%08x%08x%08x%08x%08x", n, salt, n * 2654435761u,
		salt * 40503u, n ^ 0x5bd1e995u);
}

static const char *
repo_of(unsigned i)
{
	return i % 5 == 0 ? "core" : "extra";
}

/* pkgname k (0..nsplit-1) of entry i */
static void
pkgname(char *out, size_t sz, unsigned i, unsigned k)
{
	static const char *const suffix[3] = { "", "-libs", "-docs" };

	snprintf(out, sz, "pkg%05u%s", i, suffix[k]);
}

static void
pkgfile_name(char *out, size_t sz, unsigned i, unsigned k)
{
	char n[64];

	pkgname(n, sizeof(n), i, k);
	snprintf(out, sz, "%s-1.%u-1-x86_64.pkg.tar.gz", n, i);
}

static void
make_graph(struct graph *g)
{
	uint64_t st = 88172645463325252ull;
	unsigned hubs[NMAX / 50 + 1], nh = 0, i, k;

	for (i = 0; i < NMAX; i++) {
		unsigned roll = rnd(&st) % 100, nd;

		g->nsplit[i] = roll < 6 ? 2 : roll < 8 ? 3 : 1;
		roll = rnd(&st) % 100;
		nd = i == 0 ? 0 : roll < 45 ? 0 : roll < 75 ? 1 : roll < 90 ? 2 : 3;
		g->ndeps[i] = 0;
		for (k = 0; k < nd; k++) {
			unsigned d, j;

			if (nh > 0 && rnd(&st) % 100 < 40) {
				unsigned a = rnd(&st) % nh, b = rnd(&st) % nh;

				d = hubs[a < b ? a : b];
			} else {
				d = rnd(&st) % i;
			}
			for (j = 0; j < g->ndeps[i] && g->deps[i][j] != d; j++)
				;
			if (j == g->ndeps[i])
				g->deps[i][g->ndeps[i]++] = (uint16_t)d;
		}
		if (i % 50 == 7)
			hubs[nh++] = i;
	}
}

static void
run_cmd(const char *const *argv, const char *gnupg, struct sw_buf *out)
{
	static const char *const allow[] = { "PATH", "HOME", NULL };
	struct sw_child c;
	struct sw_err e;
	int status, i;

	sw_child_init(&c, argv[0]);
	sw_env_allow(&c.env, allow);
	if (gnupg != NULL)
		sw_strvec_pushf(&c.env, "GNUPGHOME=%s", gnupg);
	for (i = 1; argv[i] != NULL; i++)
		sw_strvec_push(&c.argv, argv[i]);
	if ((out ? sw_child_capture(&c, out, &status, &e) :
	    sw_child_run(&c, &status, &e)) < 0)
		die_e(&e);
	if (status != 0) {
		fprintf(stderr, "bench: %s failed (status %d)\n", argv[0], status);
		exit(1);
	}
	sw_child_release(&c);
}

/* A signing key in top/gnupg: the slaves' and the repository's. */
static void
make_key(struct bench *b)
{
	const char *gen[] = { "/usr/bin/gpg", "gpg", "--batch", "--pinentry-mode",
		"loopback", "--passphrase", "", "--quick-gen-key",
		"bench <bench@example.org>", "ed25519", "sign", "never", NULL };
	const char *list[] = { "/usr/bin/gpg", "gpg", "--with-colons",
		"--list-secret-keys", NULL };
	struct sw_buf out = SW_BUF_INIT;
	const char *p;

	snprintf(b->gnupg, sizeof(b->gnupg), "%s/gnupg", b->top);
	if (mkdir(b->gnupg, 0700) < 0)
		die(b->gnupg);
	run_cmd(gen, b->gnupg, NULL);
	run_cmd(list, b->gnupg, &out);
	p = strstr(out.data, "\nfpr:::::::::");
	if (p == NULL || strlen(p) < 13 + 40) {
		fprintf(stderr, "bench: no fingerprint in gpg's output\n");
		exit(1);
	}
	memcpy(b->fpr, p + 13, 40);
	b->fpr[40] = '\0';
	sw_buf_release(&out);
}

/* A small package file at path: .PKGINFO and one file. */
static void
write_pkg(const char *path, const char *name, const char *base,
	const char *version)
{
	struct archive *a = archive_write_new();
	struct archive_entry *en = archive_entry_new();
	struct sw_buf info = SW_BUF_INIT;
	char file[128];
	static const char data[] = "x\n";

	sw_buf_addf(&info, "pkgname = %s\npkgbase = %s\npkgver = %s\n"
		"pkgdesc = scale benchmark package\nurl = https://example.org/\n"
		"builddate = 1700000000\npackager = Bench <bench@example.org>\n"
		"size = 2\narch = x86_64\nlicense = MIT\n", name, base, version);
	snprintf(file, sizeof(file), "usr/share/%s/data", name);
	if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_add_filter_gzip(a) != ARCHIVE_OK ||
	    archive_write_open_filename(a, path) != ARCHIVE_OK)
		goto bad;
	archive_entry_set_pathname(en, ".PKGINFO");
	archive_entry_set_filetype(en, AE_IFREG);
	archive_entry_set_perm(en, 0644);
	archive_entry_set_size(en, (la_int64_t)info.len);
	archive_entry_set_mtime(en, 1700000000, 0);
	if (archive_write_header(a, en) != ARCHIVE_OK ||
	    archive_write_data(a, info.data, info.len) < 0)
		goto bad;
	archive_entry_clear(en);
	archive_entry_set_pathname(en, file);
	archive_entry_set_filetype(en, AE_IFREG);
	archive_entry_set_perm(en, 0644);
	archive_entry_set_size(en, 2);
	archive_entry_set_mtime(en, 1700000000, 0);
	if (archive_write_header(a, en) != ARCHIVE_OK ||
	    archive_write_data(a, data, 2) < 0 ||
	    archive_write_close(a) != ARCHIVE_OK)
		goto bad;
	archive_entry_free(en);
	archive_write_free(a);
	sw_buf_release(&info);
	return;
bad:
	fprintf(stderr, "bench: cannot write '%s': %s\n", path,
		archive_error_string(a));
	exit(1);
}

static void
put(const char *path, const void *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || sw_write_all(fd, p, n) < 0 || close(fd) < 0)
		die(path);
}

/* The packages of entry i and their signatures in top/pkgs (if not there). */
static int
make_entry_pkgs(const struct bench *b, struct sw_sign *s, unsigned i)
{
	char name[64], base[64], file[128], path[512], ver[32];
	struct sw_buf data = SW_BUF_INIT, sig = SW_BUF_INIT;
	struct sw_err e;
	struct stat st;
	unsigned k;
	int made = 0;

	pkgname(base, sizeof(base), i, 0);
	snprintf(ver, sizeof(ver), "1.%u-1", i);
	for (k = 0; k < b->g->nsplit[i]; k++) {
		pkgname(name, sizeof(name), i, k);
		pkgfile_name(file, sizeof(file), i, k);
		snprintf(path, sizeof(path), "%s/pkgs/%s.sig", b->top, file);
		if (stat(path, &st) == 0)
			continue;
		snprintf(path, sizeof(path), "%s/pkgs/%s", b->top, file);
		write_pkg(path, name, base, ver);
		sw_buf_reset(&data);
		if (sw_file_read(path, 1 << 20, &data, &e) < 0 ||
		    sw_sign_detached(s, b->fpr, data.data, data.len, &sig, &e) < 0)
			die_e(&e);
		snprintf(path, sizeof(path), "%s/pkgs/%s.sig", b->top, file);
		put(path, sig.data, sig.len);
		made = 1;
	}
	sw_buf_release(&data);
	sw_buf_release(&sig);
	return made;
}

/* Packages for entries [0, upto), made by two processes. */
static void
pregenerate(const struct bench *b, unsigned upto)
{
	int w;

	for (w = 0; w < 2; w++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (pid == 0) {
			struct sw_sign s;
			struct sw_err e;
			unsigned i;

			if (sw_sign_init(&s, b->gnupg, &e) < 0)
				die_e(&e);
			for (i = (unsigned)w; i < upto; i += 2)
				make_entry_pkgs(b, &s, i);
			sw_sign_release(&s);
			_exit(0);
		}
	}
	while (wait(NULL) > 0)
		;
}

/* ---- a master with n entries ---------------------------------------- */

static void
mkdirs(const char *path)
{
	struct sw_err e;

	if (sw_mkdir_p(path, 0755, &e) < 0)
		die_e(&e);
}

static void
make_master(struct bench *b, unsigned n)
{
	struct sw_buf list = SW_BUF_INIT, meta = SW_BUF_INIT, conf = SW_BUF_INIT,
		p = SW_BUF_INIT;
	char c1[41], c2[41], name[64], file[128], old[512];
	unsigned i, k, nold = n / 4;
	unsigned char fakesig[119];
	struct sw_repodb db;
	struct sw_repodb_guard guard = SW_REPODB_GUARD_INIT;
	struct sw_txn t;
	struct sw_buf sig = SW_BUF_INIT;
	struct sw_err e;
	char sd[400], rd[400], pool[420], staging[440], d[400];

	snprintf(b->mdir, sizeof(b->mdir), "%s/m%u", b->top, n);
	snprintf(b->conf, sizeof(b->conf), "%s/master.conf", b->mdir);
	snprintf(sd, sizeof(sd), "%s/state/package-states", b->mdir);
	snprintf(rd, sizeof(rd), "%s/repos", b->mdir);
	snprintf(pool, sizeof(pool), "%s/pool", rd);
	snprintf(staging, sizeof(staging), "%s/extra-staging/os/x86_64", rd);
	mkdirs(sd);
	mkdirs(pool);
	mkdirs(staging);
	for (i = 0; i < n; i++) {
		commit(c1, i, 1);
		commit(c2, i, 2);
		pkgname(name, sizeof(name), i, 0);
		sw_buf_addf(&list, "%s %s %s %s\n", name, c1, c2, repo_of(i));
		sw_buf_addf(&meta, "%s %s upstream %s/%s - 1.%u-1 ", name, repo_of(i),
			repo_of(i), name, i);
		for (k = 0; k < b->g->nsplit[i]; k++) {
			pkgname(name, sizeof(name), i, k);
			sw_buf_addf(&meta, "%s%s", k ? "," : "", name);
		}
		sw_buf_addch(&meta, ' ');
		for (k = 0; k < b->g->ndeps[i]; k++) {
			pkgname(name, sizeof(name), b->g->deps[i][k], 0);
			sw_buf_addf(&meta, "%s%s", k ? "," : "", name);
		}
		sw_buf_addstr(&meta, b->g->ndeps[i] ? "\n" : "-\n");
	}
	sw_buf_addf(&p, "%s/state/build-list", b->mdir);
	put(p.data, list.data, list.len);
	sw_buf_reset(&p);
	sw_buf_addf(&p, "%s/state/build-meta", b->mdir);
	put(p.data, meta.data, meta.len);
	sw_buf_addf(&conf, "[master]\nstate_dir = state\nrepo_dir = repos\n"
		"arch = x86_64\nlease_timeout = 3600\nbroken_retries = 2\n"
		"broken_retry_delay = 3600\nmax_upload_size = 1M\nrepo_key = %s\n"
		"gnupg_home = %s\n\n[repository core]\nstaging = core-staging\n"
		"testing = core-testing\n\n[repository extra]\n"
		"staging = extra-staging\ntesting = extra-testing\n", b->fpr,
		b->gnupg);
	for (i = 0; i < SLAVES; i++)
		sw_buf_addf(&conf, "\n[slave s%03u]\nkey = %s\n", i, b->fpr);
	put(b->conf, conf.data, conf.len);

	/* nold packages built before, waiting in extra-staging */
	fakesig[0] = 0x88;
	fakesig[1] = 0x75;
	for (i = 2; i < sizeof(fakesig); i++)
		fakesig[i] = (unsigned char)(i * 37);
	sw_buf_add(&sig, fakesig, sizeof(fakesig));
	sw_buf_reset(&p);
	sw_buf_addf(&p, "%s/extra-staging.db.tar.gz", staging);
	snprintf(d, sizeof(d), "%s/state", b->mdir);
	if (sw_repodb_guard_take(&guard, p.data, d, rd, &e) < 0 ||
	    sw_repodb_load(&db, p.data, true, &e) < 0)
		die_e(&e);
	for (i = 0; i < nold; i++) {
		snprintf(name, sizeof(name), "old%05u", i);
		snprintf(file, sizeof(file), "%s-1.0-1-x86_64.pkg.tar.gz", name);
		snprintf(old, sizeof(old), "%s/old/%s", b->top, file);
		if (access(old, F_OK) < 0)
			write_pkg(old, name, name, "1.0-1");
		sw_buf_reset(&p);
		sw_buf_addf(&p, "%s/%s", pool, file);
		if (link(old, p.data) < 0)
			die(p.data);
		sw_buf_addstr(&p, ".sig");
		put(p.data, fakesig, sizeof(fakesig));
		sw_buf_reset(&p);
		sw_buf_addf(&p, "%s/%s", staging, file);
		sw_buf_reset(&list);
		sw_buf_addf(&list, "../../../pool/%s", file);
		if (symlink(list.data, p.data) < 0)
			die(p.data);
		sw_buf_addstr(&p, ".sig");
		sw_buf_addstr(&list, ".sig");
		if (symlink(list.data, p.data) < 0)
			die(p.data);
		if (sw_repodb_add(&db, old, file, &sig, &e) < 0)
			die_e(&e);
		commit(c1, i, 7);
		commit(c2, i, 8);
		sw_buf_reset(&p);
		sw_buf_addf(&p, "%s/%s.%s.%s.extra.done", sd, name, c1, c2);
		sw_buf_reset(&list);
		sw_buf_addf(&list, "%s\n", file);
		put(p.data, list.data, list.len);
	}
	/* unsigned here: return-assignment signs it from its first write on */
	if (sw_repodb_guard_txn(&guard, &t, &e) < 0 ||
	    sw_repodb_stage(&db, &t, NULL, NULL, &e) < 0 ||
	    sw_txn_commit(&t, &e) < 0)
		die_e(&e);
	sw_repodb_release(&db);
	sw_repodb_guard_release(&guard);
	sw_buf_release(&list);
	sw_buf_release(&meta);
	sw_buf_release(&conf);
	sw_buf_release(&p);
	sw_buf_release(&sig);
}

/* ---- the slaves ------------------------------------------------------- */

static void
record(struct shared *sh, enum kind k, int rc, int phase, double ms,
	double lock_ms, double cpu_ms)
{
	size_t i = __atomic_fetch_add(&sh->n, 1, __ATOMIC_RELAXED);

	if (i >= MAX_SAMPLES)
		return;
	sh->s[i].kind = (uint8_t)k;
	sh->s[i].rc = (uint8_t)rc;
	sh->s[i].phase = (uint8_t)phase;
	sh->s[i].ms = (float)ms;
	sh->s[i].lock_ms = (float)lock_ms;
	sh->s[i].cpu_ms = (float)cpu_ms;
}

/* CPU time of our waited-for children (and theirs), in ms. */
static double
children_cpu_ms(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_CHILDREN, &ru) < 0)
		die("getrusage");
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
		(double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

/*
 * One call through slave-connect: SSH_ORIGINAL_COMMAND cmd, stdin in (-1:
 * none), stdout into out. Returns the exit status; *lock_ms: the lock waits
 * the program reported.
 */
static int
call(const struct bench *b, const char *slave, const char *cmd, int in,
	struct sw_buf *out, double *ms, double *lock_ms, double *cpu_ms)
{
	static const char *const allow[] = { "PATH", "HOME", NULL };
	struct sw_child c;
	struct sw_buf err = SW_BUF_INIT;
	struct sw_err e;
	char errpath[512], prog[600];
	const char *p;
	int fd, status;
	double t0, c0;

	snprintf(errpath, sizeof(errpath), "%s/err/%s", b->top, slave);
	fd = open(errpath, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		die(errpath);
	snprintf(prog, sizeof(prog), "%s/slave-connect", b->bin);
	sw_child_init(&c, prog);
	sw_env_allow(&c.env, allow);
	sw_strvec_pushf(&c.env, "SSH_ORIGINAL_COMMAND=%s", cmd);
	sw_strvec_push(&c.env, "SLIPWAY_LOCK_TIMES=1");
	sw_strvec_push(&c.argv, "slave-connect");
	sw_strvec_push(&c.argv, "-c");
	sw_strvec_push(&c.argv, b->conf);
	sw_strvec_push(&c.argv, slave);
	c.in = in;
	c.err = fd;
	sw_buf_reset(out);
	c0 = children_cpu_ms();
	t0 = now_ms();
	if (sw_child_capture(&c, out, &status, &e) < 0)
		die_e(&e);
	*ms = now_ms() - t0;
	*cpu_ms = children_cpu_ms() - c0;
	sw_child_release(&c);
	close(fd);
	*lock_ms = 0;
	if (sw_file_read(errpath, 1 << 20, &err, &e) < 0)
		die_e(&e);
	for (p = err.data; (p = strstr(p, "slipway-lock: ")) != NULL; p++) {
		const char *a = strstr(p, " after ");

		if (a != NULL)
			*lock_ms += strtod(a + 7, NULL) / 1000;
	}
	if (status > 3 || (status > 1 && strcmp(cmd, "get-assignment") != 0)) {
		const char *q = err.data;

		while (strncmp(q, "slipway-lock: ", 14) == 0 && strchr(q, '\n'))
			q = strchr(q, '\n') + 1;
		fprintf(stderr, "bench: slave %s: '%.40s' exit %d: %.300s", slave,
			cmd, status, q);
	}
	sw_buf_release(&err);
	return status;
}

/* The upload for entry i: a tar of its packages and signatures. */
static int
upload(const struct bench *b, const char *slave, unsigned i)
{
	struct archive *a = archive_write_new();
	struct archive_entry *en = archive_entry_new();
	struct sw_buf data = SW_BUF_INIT;
	struct sw_err e;
	char path[512], file[140], tarp[512];
	unsigned k, s;
	int fd;

	snprintf(tarp, sizeof(tarp), "%s/up/%s.tar", b->top, slave);
	if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_open_filename(a, tarp) != ARCHIVE_OK)
		goto bad;
	for (k = 0; k < b->g->nsplit[i]; k++)
		for (s = 0; s < 2; s++) {
			pkgfile_name(file, sizeof(file) - 4, i, k);
			if (s)
				memcpy(file + strlen(file), ".sig", 5);
			snprintf(path, sizeof(path), "%s/pkgs/%s", b->top, file);
			sw_buf_reset(&data);
			if (sw_file_read(path, 1 << 20, &data, &e) < 0)
				die_e(&e);
			archive_entry_clear(en);
			archive_entry_set_pathname(en, file);
			archive_entry_set_filetype(en, AE_IFREG);
			archive_entry_set_perm(en, 0644);
			archive_entry_set_size(en, (la_int64_t)data.len);
			if (archive_write_header(a, en) != ARCHIVE_OK ||
			    archive_write_data(a, data.data, data.len) < 0)
				goto bad;
		}
	if (archive_write_close(a) != ARCHIVE_OK)
		goto bad;
	archive_entry_free(en);
	archive_write_free(a);
	sw_buf_release(&data);
	fd = open(tarp, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(tarp);
	return fd;
bad:
	fprintf(stderr, "bench: cannot write '%s': %s\n", tarp,
		archive_error_string(a));
	exit(1);
}

/* A slave's loop: phase 0 alone for rounds rounds, phase 1 until done. */
static void
slave_loop(const struct bench *b, unsigned w, int phase, unsigned rounds)
{
	struct shared *sh = b->sh;
	struct sw_buf out = SW_BUF_INIT, cmd = SW_BUF_INIT;
	struct sw_sign sg;
	struct sw_err e;
	bool sign_open = false;
	uint64_t st = 0x9e3779b97f4a7c15ull * (w + 1);
	char slave[16], id[256];
	unsigned done = 0, i;
	double ms, lk, cpu;
	int rc, fd, tries;

	snprintf(slave, sizeof(slave), "s%03u", w);
	for (;;) {
		if (phase == 0 ? done >= rounds :
		    __atomic_load_n(&sh->returned, __ATOMIC_RELAXED) >= b->assignments)
			break;
		rc = call(b, slave, "get-assignment", -1, &out, &ms, &lk, &cpu);
		record(sh, K_GET, rc, phase, ms, lk, cpu);
		if (rc == 1 || rc == 2) {
			usleep(20000 + rnd(&st) % 80000);
			continue;
		}
		if (rc != 0)
			break;
		/* "pkgbase src mod repo\n" */
		snprintf(id, sizeof(id), "%.*s", (int)strcspn(out.data, "\n"),
			out.data);
		if (sscanf(id, "pkg%u ", &i) != 1 || i >= NMAX) {
			fprintf(stderr, "bench: unexpected assignment '%s'\n", id);
			__atomic_fetch_add(&sh->failed, 1, __ATOMIC_RELAXED);
			break;
		}
		sw_buf_reset(&cmd);
		sw_buf_addf(&cmd, "ping %s building", id);
		rc = call(b, slave, cmd.data, -1, &out, &ms, &lk, &cpu);
		record(sh, K_PING, rc, phase, ms, lk, cpu);
		/* enough returned: the lease is left to run out, as a slave that
		 * dies leaves it; returning every lease held would double the
		 * returns measured, and the run time, with 100 slaves */
		if (phase == 1 && __atomic_load_n(&sh->returned, __ATOMIC_RELAXED) >=
		    b->assignments)
			break;
		if (!sign_open) {
			if (sw_sign_init(&sg, b->gnupg, &e) < 0)
				die_e(&e);
			sign_open = true;
		}
		if (make_entry_pkgs(b, &sg, i))
			__atomic_fetch_add(&sh->generated, 1, __ATOMIC_RELAXED);
		sw_buf_reset(&cmd);
		sw_buf_addf(&cmd, "return-assignment %s", id);
		/* busy (the lock not had in 30 s): a slave tries again */
		for (tries = 0; tries < 5; tries++) {
			fd = upload(b, slave, i);
			rc = call(b, slave, cmd.data, fd, &out, &ms, &lk, &cpu);
			close(fd);
			record(sh, K_RET, rc, phase, ms, lk, cpu);
			if (rc != 1)
				break;
			usleep(20000 + rnd(&st) % 80000);
		}
		if (rc == 0) {
			__atomic_fetch_add(&sh->returned, 1, __ATOMIC_RELAXED);
			done++;
		} else {
			__atomic_fetch_add(&sh->refused, 1, __ATOMIC_RELAXED);
		}
	}
	if (sign_open)
		sw_sign_release(&sg);
	sw_buf_release(&out);
	sw_buf_release(&cmd);
}

/* ---- figures ---------------------------------------------------------- */

static int
cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;

	return (x > y) - (x < y);
}

struct fig {
	double p50, p99, lock_share, cpu50;
	size_t n, n0;
};

/* Calls of kind k in phase (rc 0 only, if ok_only); n0: their count with rc 0. */
static struct fig
figures(const struct shared *sh, enum kind k, int phase, bool ok_only)
{
	struct fig f = { 0, 0, 0, 0, 0, 0 };
	size_t i, n = sh->n < MAX_SAMPLES ? sh->n : MAX_SAMPLES;
	float *v = calloc(n ? n : 1, sizeof(*v)), *c = calloc(n ? n : 1, sizeof(*c));
	double total = 0, lock = 0;

	if (v == NULL || c == NULL)
		die("calloc");
	for (i = 0; i < n; i++) {
		const struct sample *s = &sh->s[i];

		if (s->kind != k || s->phase != phase)
			continue;
		if (s->rc == 0)
			f.n0++;
		if (ok_only && s->rc != 0)
			continue;
		c[f.n] = s->cpu_ms;
		v[f.n++] = s->ms;
		total += s->ms;
		lock += s->lock_ms;
	}
	qsort(v, f.n, sizeof(*v), cmp_float);
	qsort(c, f.n, sizeof(*c), cmp_float);
	if (f.n > 0) {
		f.cpu50 = c[f.n / 2];
		f.p50 = v[f.n / 2];
		f.p99 = v[(f.n * 99) / 100 < f.n ? (f.n * 99) / 100 : f.n - 1];
		f.lock_share = total > 0 ? lock / total : 0;
	}
	free(v);
	free(c);
	return f;
}

struct row {
	unsigned n;
	double per_s, seconds;
	struct fig g1, r1, get, ping, ret, get_all;
	double lock_share;
	size_t not_ready;
	unsigned returned, refused, generated;
};

static void
run_size(struct bench *b, unsigned n, struct row *r)
{
	double t0, lock = 0, total = 0;
	size_t i;
	unsigned w;

	make_master(b, n);
	memset(b->sh, 0, sizeof(*b->sh));
	/* one slave alone */
	slave_loop(b, 0, 0, SINGLE_ROUNDS);
	r->g1 = figures(b->sh, K_GET, 0, true);
	r->r1 = figures(b->sh, K_RET, 0, true);
	b->sh->returned = 0;
	t0 = now_ms();
	for (w = 0; w < SLAVES; w++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (pid == 0) {
			slave_loop(b, w, 1, 0);
			_exit(0);
		}
	}
	while (wait(NULL) > 0)
		;
	r->seconds = (now_ms() - t0) / 1000;
	r->n = n;
	r->returned = b->sh->returned;
	r->refused = b->sh->refused;
	r->generated = b->sh->generated;
	r->per_s = r->returned / r->seconds;
	r->get = figures(b->sh, K_GET, 1, true);
	r->get_all = figures(b->sh, K_GET, 1, false);
	r->ping = figures(b->sh, K_PING, 1, true);
	r->ret = figures(b->sh, K_RET, 1, true);
	r->not_ready = r->get_all.n - r->get_all.n0;
	for (i = 0; i < b->sh->n && i < MAX_SAMPLES; i++)
		if (b->sh->s[i].phase == 1) {
			total += b->sh->s[i].ms;
			lock += b->sh->s[i].lock_ms;
		}
	r->lock_share = total > 0 ? lock / total : 0;
}

static void
rm_rf(const char *path)
{
	const char *argv[] = { "/bin/rm", "rm", "-rf", path, NULL };

	run_cmd(argv, NULL, NULL);
}

int
main(int argc, char **argv)
{
	struct bench b;
	struct graph *g;
	struct row rows[NSIZES];
	const char *bindir = argc > 1 ? argv[1] : getenv("SLIPWAY_BIN");
	char tmpl[] = "/tmp/slipway-scale.XXXXXX", d[400];
	double t0 = now_ms(), growth_g, growth_r;
	unsigned k;
	int status = 0;

	memset(&b, 0, sizeof(b));
	b.assignments = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 60;
	if (bindir == NULL || b.assignments == 0) {
		fprintf(stderr, "usage: scale [BINDIR [ASSIGNMENTS]]\n");
		return 2;
	}
	if (realpath(bindir, b.bin) == NULL)
		die(bindir);
	if (mkdtemp(tmpl) == NULL)
		die("mkdtemp");
	snprintf(b.top, sizeof(b.top), "%s", tmpl);
	g = calloc(1, sizeof(*g));
	b.sh = mmap(NULL, sizeof(*b.sh), PROT_READ | PROT_WRITE,
		MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (g == NULL || b.sh == MAP_FAILED)
		die("memory");
	make_graph(g);
	b.g = g;
	make_key(&b);
	snprintf(d, sizeof(d), "%s/pkgs", b.top);
	mkdirs(d);
	snprintf(d, sizeof(d), "%s/old", b.top);
	mkdirs(d);
	snprintf(d, sizeof(d), "%s/err", b.top);
	mkdirs(d);
	snprintf(d, sizeof(d), "%s/up", b.top);
	mkdirs(d);
	pregenerate(&b, b.assignments + b.assignments / 3 + SINGLE_ROUNDS + SLAVES);
	printf("scale: %u slaves through slave-connect; %u returns per list "
		"after %u rounds of one slave alone (%s; setup %.0f s)\n", SLAVES,
		b.assignments, SINGLE_ROUNDS, b.top, (now_ms() - t0) / 1000);
	fflush(stdout);
	for (k = 0; k < NSIZES; k++) {
		struct row *r = &rows[k];

		run_size(&b, sizes[k], r);
		printf("  %5u entries, %u in staging: 1 slave: get-assignment p50 "
			"%.1f ms (CPU %.1f ms), return-assignment p50 %.1f ms (CPU %.1f "
			"ms)\n", r->n, r->n / 4, r->g1.p50, r->g1.cpu50, r->r1.p50,
			r->r1.cpu50);
		printf("      %u slaves: %.1f assignments/s (%u returned in %.1f s, "
			"%u refused, %u built during the run)\n", SLAVES, r->per_s,
			r->returned, r->seconds, r->refused, r->generated);
		printf("      get-assignment    p50 %7.1f ms  p99 %7.1f ms  CPU p50 "
			"%5.1f ms  lock wait %4.1f%%  (%zu assignments, %zu calls "
			"answered 1-3)\n", r->get.p50, r->get.p99, r->get.cpu50,
			100 * r->get_all.lock_share, r->get.n, r->not_ready);
		printf("      ping              p50 %7.1f ms  p99 %7.1f ms  CPU p50 "
			"%5.1f ms  lock wait %4.1f%%\n", r->ping.p50, r->ping.p99,
			r->ping.cpu50, 100 * r->ping.lock_share);
		printf("      return-assignment p50 %7.1f ms  p99 %7.1f ms  CPU p50 "
			"%5.1f ms  lock wait %4.1f%%  (%zu calls answered busy)\n",
			r->ret.p50, r->ret.p99, r->ret.cpu50, 100 * r->ret.lock_share,
			figures(b.sh, K_RET, 1, false).n - r->ret.n);
		printf("      lock wait, all calls: %.1f%% of the time in calls\n",
			100 * r->lock_share);
		fflush(stdout);
		if (r->returned < b.assignments || r->refused > 0)
			status = 1;
		if (getenv("BENCH_KEEP") == NULL)
			rm_rf(b.mdir);
	}
	growth_g = rows[NSIZES - 1].g1.p50 / rows[0].g1.p50;
	growth_r = rows[NSIZES - 1].r1.p50 / rows[0].r1.p50;
	printf("  growth %u -> %u entries (4x), 1 slave: get-assignment %.2fx, "
		"return-assignment %.2fx (a cost that grows with the list: 4x; "
		"target <= 1.5x: %s)\n", sizes[0], sizes[NSIZES - 1], growth_g,
		growth_r, growth_g <= 1.5 && growth_r <= 1.5 ? "ok" : "MISSED");
	printf("  growth %u -> %u entries, 1 slave, CPU per call: get-assignment "
		"%.2fx, return-assignment %.2fx\n", sizes[0], sizes[NSIZES - 1],
		rows[NSIZES - 1].g1.cpu50 / rows[0].g1.cpu50,
		rows[NSIZES - 1].r1.cpu50 / rows[0].r1.cpu50);
	printf("  growth %u -> %u entries, %u slaves: assignments/s %.2fx, "
		"get-assignment p50 %.2fx, return-assignment p50 %.2fx\n", sizes[0],
		sizes[NSIZES - 1], SLAVES, rows[NSIZES - 1].per_s / rows[0].per_s,
		rows[NSIZES - 1].get.p50 / rows[0].get.p50,
		rows[NSIZES - 1].ret.p50 / rows[0].ret.p50);
	printf("  whole benchmark: %.0f s\n", (now_ms() - t0) / 1000);
	if (growth_g > 1.5 || growth_r > 1.5)
		status = 1;
	{
		const char *kill[] = { "/usr/bin/gpgconf", "gpgconf", "--homedir",
			b.gnupg, "--kill", "all", NULL };

		run_cmd(kill, NULL, NULL);
	}
	if (getenv("BENCH_KEEP") == NULL)
		rm_rf(b.top);
	free(g);
	return status;
}
