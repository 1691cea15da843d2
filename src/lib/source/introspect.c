#include "source/introspect.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/number.h"
#include "core/run.h"
#include "source/introspect_script.h"
#include "source/pkgdump.h"

#define NONCE_LEN 32
#define ERR_CAP 8192
#define OUT_MAX (SW_PKGDUMP_MAX_SIZE + 65536)
#define MAX_JOBS 16
#define SCRATCH "/run/slipway"
#define NOBODY 65534
#define ST_LEFT 93         /* the reader's: processes left running */
#define ST_OUTPUT 94       /* the reader's: printed up to the output limit */
#define ST_PROCESSES 95    /* the reader's: came near the process limit */

struct sandbox {
	struct sw_child c;
	bool running;
	int in, out, err;           /* our ends of the pipes, -1 when closed */
	size_t *idx, nidx;          /* the items of this sandbox, in order */
	size_t first;               /* idx[first + k] is seq k of the running instance */
	size_t end;                 /* the running instance reads idx[first..end) */
	size_t done;                /* records finished by the running instance */
	size_t got;                 /* bytes read from the running instance */
	struct sw_buf input;
	size_t sent;
	struct sw_buf output;
	struct sw_buf errout;
	long deadline;
};

struct run {
	const struct sw_introspect_opts *o;
	const char *bwrap, *bash;
	struct sw_introspect_item *items;
	char nonce[NONCE_LEN + 1];
	struct sw_strvec sysargs;   /* bwrap arguments for the system directories */
};

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *
find_program(const char *const *candidates)
{
	for (; *candidates; candidates++)
		if (access(*candidates, X_OK) == 0)
			return *candidates;
	return NULL;
}

/* --ro-bind or --symlink for /bin, /lib*, ... as they are on the host. */
static int
system_args(struct sw_strvec *a, struct sw_err *e)
{
	static const char *const dirs[] = { "/bin", "/sbin", "/lib", "/lib32",
		"/lib64", "/libx32", NULL };
	const char *const *d;
	char target[PATH_MAX];
	struct stat st;
	ssize_t n;

	if (sw_strvec_push(a, "--ro-bind") < 0 || sw_strvec_push(a, "/usr") < 0 ||
	    sw_strvec_push(a, "/usr") < 0)
		return sw_err_sys(e, "cannot build the sandbox");
	for (d = dirs; *d; d++) {
		if (lstat(*d, &st) < 0)
			continue;
		if (S_ISLNK(st.st_mode)) {
			n = readlink(*d, target, sizeof(target) - 1);
			if (n <= 0)
				continue;
			target[n] = '\0';
			if (sw_strvec_push(a, "--symlink") < 0 ||
			    sw_strvec_push(a, target) < 0 || sw_strvec_push(a, *d) < 0)
				return sw_err_sys(e, "cannot build the sandbox");
		} else if (S_ISDIR(st.st_mode)) {
			if (sw_strvec_push(a, "--ro-bind") < 0 ||
			    sw_strvec_push(a, *d) < 0 || sw_strvec_push(a, *d) < 0)
				return sw_err_sys(e, "cannot build the sandbox");
		}
	}
	return 0;
}

static void
close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static int
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static int
start(struct run *r, struct sandbox *sb, struct sw_err *e)
{
	static const char *const env_keep[] = { "TZ", NULL };
	char cpu[16], mem[24], nproc[16], fsize[24], tsize[24], ssize[24];
	int inp[2] = { -1, -1 }, outp[2] = { -1, -1 }, errp[2] = { -1, -1 };
	struct sw_strvec *a = &sb->c.argv;
	size_t i;
	int ret = -1;

	sw_child_init(&sb->c, r->bwrap);
	sw_buf_reset(&sb->input);
	sw_buf_reset(&sb->output);
	sw_buf_reset(&sb->errout);
	sb->sent = sb->done = sb->got = 0;
	sb->end = sb->nidx - sb->first > SW_INTROSPECT_BATCH_MAX ?
		sb->first + SW_INTROSPECT_BATCH_MAX : sb->nidx;
	if (sw_buf_add(&sb->input, r->nonce, NONCE_LEN + 1) < 0)
		goto nomem;
	for (i = sb->first; i < sb->end; i++)
		if (sw_buf_add(&sb->input, r->items[sb->idx[i]].dir,
		    strlen(r->items[sb->idx[i]].dir) + 1) < 0)
			goto nomem;
	snprintf(cpu, sizeof(cpu), "%u", r->o->cpu_s);
	snprintf(mem, sizeof(mem), "%lu", (unsigned long)r->o->mem_mb * 1024);
	snprintf(nproc, sizeof(nproc), "%u", r->o->nproc);
	snprintf(fsize, sizeof(fsize), "%lu", (unsigned long)r->o->out_mb * 1024);
	/* /tmp holds what the PKGBUILD writes; the scratch, its output too */
	snprintf(tsize, sizeof(tsize), "%lu", (unsigned long)r->o->out_mb << 20);
	snprintf(ssize, sizeof(ssize), "%lu", ((unsigned long)r->o->out_mb + 1) << 20);
	if (sw_strvec_push(a, r->bwrap) < 0 ||
	    sw_strvec_push(a, "--unshare-all") < 0 ||
	    sw_strvec_push(a, "--unshare-user") < 0 ||
	    sw_strvec_push(a, "--uid") < 0 || sw_strvec_push(a, "65534") < 0 ||
	    sw_strvec_push(a, "--gid") < 0 || sw_strvec_push(a, "65534") < 0 ||
	    sw_strvec_push(a, "--cap-drop") < 0 || sw_strvec_push(a, "ALL") < 0 ||
	    sw_strvec_push(a, "--die-with-parent") < 0 ||
	    sw_strvec_push(a, "--new-session") < 0)
		goto nomem;
	for (i = 0; i < r->sysargs.n; i++)
		if (sw_strvec_push(a, r->sysargs.v[i]) < 0)
			goto nomem;
	if (sw_strvec_push(a, "--ro-bind-try") < 0 ||
	    sw_strvec_push(a, "/etc/makepkg.conf") < 0 ||
	    sw_strvec_push(a, "/etc/makepkg.conf") < 0 ||
	    sw_strvec_push(a, "--dev") < 0 || sw_strvec_push(a, "/dev") < 0 ||
	    sw_strvec_push(a, "--proc") < 0 || sw_strvec_push(a, "/proc") < 0 ||
	    sw_strvec_push(a, "--size") < 0 || sw_strvec_push(a, tsize) < 0 ||
	    sw_strvec_push(a, "--tmpfs") < 0 || sw_strvec_push(a, "/tmp") < 0 ||
	    sw_strvec_push(a, "--size") < 0 || sw_strvec_push(a, ssize) < 0 ||
	    sw_strvec_push(a, "--tmpfs") < 0 || sw_strvec_push(a, SCRATCH) < 0)
		goto nomem;
	/* the batch sees its own directories, no others */
	for (i = sb->first; i < sb->end; i++)
		if (sw_strvec_push(a, "--ro-bind") < 0 ||
		    sw_strvec_push(a, r->items[sb->idx[i]].dir) < 0 ||
		    sw_strvec_push(a, r->items[sb->idx[i]].dir) < 0)
			goto nomem;
	if (sw_strvec_push(a, "--chdir") < 0 || sw_strvec_push(a, "/") < 0 ||
	    sw_strvec_push(a, r->bash) < 0 ||
	    sw_strvec_push(a, "--noprofile") < 0 ||
	    sw_strvec_push(a, "--norc") < 0 || sw_strvec_push(a, "-c") < 0 ||
	    sw_strvec_push(a, sw_introspect_script) < 0 ||
	    sw_strvec_push(a, "slipway-pkgdump") < 0 ||
	    sw_strvec_push(a, r->o->arch ? r->o->arch : "") < 0 ||
	    sw_strvec_push(a, cpu) < 0 || sw_strvec_push(a, mem) < 0 ||
	    sw_strvec_push(a, SCRATCH) < 0 || sw_strvec_push(a, nproc) < 0 ||
	    sw_strvec_push(a, fsize) < 0 ||
	    sw_strvec_push(&sb->c.env,
	    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin") < 0 ||
	    sw_strvec_push(&sb->c.env, "LC_ALL=C") < 0 ||
	    sw_strvec_push(&sb->c.env, "HOME=/nonexistent") < 0 ||
	    sw_env_allow(&sb->c.env, env_keep) < 0)
		goto nomem;
	if (pipe2(inp, O_CLOEXEC) < 0 || pipe2(outp, O_CLOEXEC) < 0 ||
	    pipe2(errp, O_CLOEXEC) < 0 || set_nonblock(inp[1]) < 0 ||
	    set_nonblock(outp[0]) < 0 || set_nonblock(errp[0]) < 0) {
		sw_err_sys(e, "cannot start the PKGBUILD sandbox");
		goto out;
	}
	sb->c.in = inp[0];
	sb->c.out = outp[1];
	sb->c.err = errp[1];
	/* as root, the sandbox is nobody outside too: RLIMIT_NPROC binds it */
	sb->c.uid = NOBODY;
	sb->c.gid = NOBODY;
	if (sw_child_start(&sb->c, e) < 0)
		goto out;
	sb->in = inp[1];
	sb->out = outp[0];
	sb->err = errp[0];
	inp[1] = outp[0] = errp[0] = -1;
	sb->running = true;
	sb->deadline = now_ms() + (long)r->o->timeout_s * 1000;
	ret = 0;
	goto out;
nomem:
	sw_err_sys(e, "cannot start the PKGBUILD sandbox");
out:
	for (i = 0; i < 2; i++) {
		close_fd(&inp[i]);
		close_fd(&outp[i]);
		close_fd(&errp[i]);
	}
	if (ret < 0)
		sw_child_release(&sb->c);
	return ret;
}

/* Ends the running instance (killing it if asked), reaps it. */
static int
stop(struct sandbox *sb, bool kill_it, int *status)
{
	struct sw_err ignore;
	int st = -1;

	close_fd(&sb->in);
	close_fd(&sb->out);
	close_fd(&sb->err);
	if (kill_it)
		sw_child_kill(&sb->c);
	else
		sb->c.timeout_ms = 5000;
	if (sw_child_wait(&sb->c, &st, &ignore) < 0)
		st = -1;
	sw_child_release(&sb->c);
	sb->running = false;
	if (status != NULL)
		*status = st;
	return 0;
}

static void
fail(struct sw_introspect_item *it, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
fail(struct sw_introspect_item *it, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(it->error, sizeof(it->error), fmt, ap);
	va_end(ap);
	it->ok = 0;
}

/*
 * The line of what the PKGBUILD printed that says most: bash's own
 * "PKGBUILD: line N: ..." if there is one, else the first line. The
 * directory is cut out and control bytes escaped.
 */
static void
diagnostic(const char *w, const char *dir, char *out, size_t size)
{
	const char *line = w, *p, *best = NULL;
	size_t dl = strlen(dir), len;
	char buf[512];

	out[0] = '\0';
	if (w == NULL)
		return;
	for (p = w; *p; ) {
		const char *nl = strchr(p, '\n');

		len = nl ? (size_t)(nl - p) : strlen(p);
		if (best == NULL && memmem(p, len, "PKGBUILD: line ", 15) != NULL)
			best = p;
		p += len + (nl != NULL);
	}
	if (best != NULL)
		line = best;
	len = strcspn(line, "\n");
	if (len > dl + 1 && strncmp(line, dir, dl) == 0 && line[dl] == '/') {
		line += dl + 1;
		len -= dl + 1;
	}
	if (len >= sizeof(buf))
		len = sizeof(buf) - 1;
	memcpy(buf, line, len);
	buf[len] = '\0';
	sw_name_quote(buf, len, out, size);
}

static void
complete(struct run *r, struct sw_introspect_item *it, const char *rec,
	size_t len, int status, const char *w)
{
	struct sw_pkgdump d;
	struct sw_err e;
	char diag[600];

	diagnostic(w, it->dir, diag, sizeof(diag));
	if (status == 128 + 24 || status == 128 + 9) {
		fail(it, "exceeded the CPU time limit of %u s", r->o->cpu_s);
		return;
	}
	if (status == ST_PROCESSES) {
		fail(it, "exceeded the limit of %u processes", r->o->nproc);
		return;
	}
	if (status == ST_LEFT) {
		fail(it, "left processes running (killed)");
		return;
	}
	if (status == ST_OUTPUT || status == 128 + 25) {
		fail(it, "printed or wrote more than the limit of %u MiB",
			r->o->out_mb);
		return;
	}
	if (w != NULL && (strstr(w, "cannot allocate") || strstr(w, "xmalloc"))) {
		fail(it, "exceeded the memory limit of %u MiB", r->o->mem_mb);
		return;
	}
	if (status == 96) {
		fail(it, "%s", diag[0] ? diag : "cannot read PKGBUILD");
		return;
	}
	if (status == 97) {
		if (strncmp(diag, "PKGBUILD: ", 10) == 0)
			fail(it, "cannot source %s", diag);
		else
			fail(it, "cannot source PKGBUILD%s%s", diag[0] ? ": " : "", diag);
		return;
	}
	if (status != 0) {
		fail(it, "PKGBUILD failed with status %d%s%s", status,
			diag[0] ? ": " : "", diag);
		return;
	}
	if (sw_pkgdump_parse(&d, rec, len, &e) < 0) {
		fail(it, "unreadable PKGBUILD data: %s", e.msg);
		return;
	}
	if (!d.done)
		fail(it, "PKGBUILD exited before it could be read");
	else if (sw_pkgdump_lint(&d, &e) < 0)
		fail(it, "%s", e.msg);
	else if (sw_pkgdump_srcinfo(&d, &it->srcinfo, &e) < 0)
		fail(it, "%s", e.msg);
	else
		it->ok = 1;
	sw_pkgdump_release(&d);
}

/* The first NUL at or after p in [p, end), or NULL. */
static const char *
nul_after(const char *p, const char *end)
{
	return p < end ? memchr(p, '\0', (size_t)(end - p)) : NULL;
}

/*
 * Takes every complete record off the front of sb->output.
 * Returns 0, or -1 when the output is garbled (the instance must die).
 */
static int
records(struct run *r, struct sandbox *sb)
{
	char marker[NONCE_LEN + 8];
	size_t mlen;

	for (;;) {
		const char *buf = sb->output.data, *end = buf + sb->output.len;
		const char *hdr_end, *seq_end, *e_at, *st_end, *w_at, *w_text = NULL;
		size_t hlen = 2 + NONCE_LEN + 1, consumed, rec_end;
		struct sw_introspect_item *it;
		uint64_t seq, st;

		if (sb->output.len < hlen)
			return 0;
		if (memcmp(buf, "B", 2) != 0 || memcmp(buf + 2, r->nonce, NONCE_LEN + 1))
			return -1;
		seq_end = nul_after(buf + hlen, end);
		if (seq_end == NULL)
			return sb->output.len > hlen + 24 ? -1 : 0;
		if (sw_parse_u64(buf + hlen, 0, SIZE_MAX, &seq, NULL) < 0 ||
		    seq != sb->done || sb->first + sb->done >= sb->end)
			return -1;
		hdr_end = seq_end + 1;
		mlen = (size_t)snprintf(marker, sizeof(marker), "%cE%c%s%c", 0, 0,
			r->nonce, 0);
		e_at = memmem(hdr_end - 1, (size_t)(end - hdr_end + 1), marker, mlen);
		if (e_at == NULL)
			return sb->output.len > OUT_MAX ? -1 : 0;
		seq_end = nul_after(e_at + mlen, end);
		st_end = seq_end ? nul_after(seq_end + 1, end) : NULL;
		if (st_end == NULL)
			return 0;
		if (sw_parse_u64(seq_end + 1, 0, 255, &st, NULL) < 0)
			return -1;
		mlen = (size_t)snprintf(marker, sizeof(marker), "%cW%c%s%c", 0, 0,
			r->nonce, 0);
		w_at = memmem(hdr_end - 1, (size_t)(e_at - hdr_end + 1), marker, mlen);
		if (w_at != NULL)
			w_text = w_at + mlen;
		rec_end = (size_t)((w_at ? w_at : e_at) - buf) + 1;
		it = &r->items[sb->idx[sb->first + sb->done]];
		complete(r, it, hdr_end, rec_end > (size_t)(hdr_end - buf) ?
			rec_end - (size_t)(hdr_end - buf) : 0, (int)st, w_text);
		sb->done++;
		sb->deadline = now_ms() + (long)r->o->timeout_s * 1000;
		consumed = (size_t)(st_end + 1 - buf);
		memmove(sb->output.data, buf + consumed, sb->output.len - consumed);
		sw_buf_truncate(&sb->output, sb->output.len - consumed);
	}
}

/* The current item failed; the instance is over; the rest goes on later. */
static void
give_up_current(struct run *r, struct sandbox *sb, const char *fmt, unsigned v)
{
	size_t k = sb->first + sb->done;

	if (k < sb->end) {
		if (fmt != NULL)
			fail(&r->items[sb->idx[k]], fmt, v);
		sb->first = k + 1;
	}
}

static int
on_exit_of(struct run *r, struct sandbox *sb, struct sw_err *e)
{
	int status;
	size_t k;

	stop(sb, false, &status);
	k = sb->first + sb->done;
	if (k >= sb->end) {
		sb->first = k;
		return 0;
	}
	if (sb->got == 0 && status != 0) {
		char q[600];

		sw_name_quote(sb->errout.data, strcspn(sb->errout.data, "\n"), q,
			sizeof(q));
		return sw_err_set(e, "cannot run the PKGBUILD sandbox (status %d)%s%s",
			status, q[0] ? ": " : "", q);
	}
	give_up_current(r, sb, "the PKGBUILD reader stopped (status %u)",
		(unsigned)status);
	return 0;
}

static void
read_some(int *fd, struct sw_buf *b, size_t cap, size_t *got, bool *eof)
{
	char chunk[65536];
	ssize_t n;

	*eof = false;
	for (;;) {
		n = read(*fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return;
		if (n == 0) {
			*eof = true;
			return;
		}
		if (got != NULL)
			*got += (size_t)n;
		if (b->len < cap)
			sw_buf_add(b, chunk, (size_t)n < cap - b->len ? (size_t)n :
				cap - b->len);
	}
}

static int
loop(struct run *r, struct sandbox *sbs, size_t k, struct sw_err *e)
{
	struct pollfd *p = NULL;
	int ret = -1;

	p = calloc(3 * k, sizeof(*p));
	if (p == NULL)
		return sw_err_sys(e, "cannot watch the PKGBUILD sandboxes");
	for (;;) {
		long now = now_ms(), wait = -1;
		size_t i, np = 0, active = 0;
		int n;

		for (i = 0; i < k; i++) {
			struct sandbox *sb = &sbs[i];

			if (!sb->running && sb->first < sb->nidx &&
			    start(r, sb, e) < 0)
				goto out;
			if (!sb->running)
				continue;
			active++;
			if (sb->deadline - now < wait || wait < 0)
				wait = sb->deadline - now > 0 ? sb->deadline - now : 0;
		}
		if (active == 0)
			break;
		for (i = 0; i < k; i++) {
			struct sandbox *sb = &sbs[i];

			p[3 * i].fd = sb->running && sb->sent < sb->input.len ? sb->in : -1;
			p[3 * i].events = POLLOUT;
			p[3 * i + 1].fd = sb->running ? sb->out : -1;
			p[3 * i + 1].events = POLLIN;
			p[3 * i + 2].fd = sb->running ? sb->err : -1;
			p[3 * i + 2].events = POLLIN;
			p[3 * i].revents = p[3 * i + 1].revents = p[3 * i + 2].revents = 0;
			np = 3 * (i + 1);
		}
		n = poll(p, (nfds_t)np, (int)wait);
		if (n < 0 && errno != EINTR) {
			sw_err_sys(e, "cannot watch the PKGBUILD sandboxes");
			goto out;
		}
		now = now_ms();
		for (i = 0; i < k; i++) {
			struct sandbox *sb = &sbs[i];
			bool eof = false;

			if (!sb->running)
				continue;
			if (p[3 * i].revents) {
				ssize_t w = write(sb->in, sb->input.data + sb->sent,
					sb->input.len - sb->sent);

				if (w > 0)
					sb->sent += (size_t)w;
				if ((w < 0 && errno != EAGAIN && errno != EINTR) ||
				    sb->sent == sb->input.len)
					close_fd(&sb->in);
			}
			if (p[3 * i + 2].revents) {
				bool eeof;

				read_some(&sb->err, &sb->errout, ERR_CAP, NULL, &eeof);
				if (eeof)
					close_fd(&sb->err);
			}
			if (p[3 * i + 1].revents) {
				read_some(&sb->out, &sb->output, OUT_MAX + 1, &sb->got, &eof);
				if (records(r, sb) < 0) {
					stop(sb, true, NULL);
					give_up_current(r, sb, "the PKGBUILD wrote garbled or "
						"too much data (more than %u bytes)", OUT_MAX);
					continue;
				}
			}
			if (eof) {
				if (on_exit_of(r, sb, e) < 0)
					goto out;
				continue;
			}
			if (now >= sb->deadline) {
				stop(sb, true, NULL);
				give_up_current(r, sb, "timed out after %u s",
					r->o->timeout_s);
			}
		}
	}
	ret = 0;
out:
	free(p);
	return ret;
}

int
sw_introspect_run(const struct sw_introspect_opts *o,
	struct sw_introspect_item *items, size_t n, struct sw_err *e)
{
	static const char *const bwraps[] = { "/usr/bin/bwrap", "/bin/bwrap",
		"/usr/local/bin/bwrap", NULL };
	static const char *const bashes[] = { "/usr/bin/bash", "/bin/bash", NULL };
	struct sandbox *sbs = NULL;
	struct run r;
	unsigned char rnd[NONCE_LEN / 2];
	size_t i, k = 0;
	long cpus;
	int ret = -1;

	memset(&r, 0, sizeof(r));
	sw_strvec_init(&r.sysargs);
	r.o = o;
	r.items = items;
	for (i = 0; i < n; i++) {
		items[i].ok = 0;
		items[i].error[0] = '\0';
		sw_srcinfo_init(&items[i].srcinfo);
	}
	if (n == 0)
		return 0;
	if ((r.bwrap = find_program(bwraps)) == NULL) {
		sw_err_set(e, "cannot find bwrap (bubblewrap) in /usr/bin or /bin");
		goto out;
	}
	if ((r.bash = find_program(bashes)) == NULL) {
		sw_err_set(e, "cannot find bash in /usr/bin or /bin");
		goto out;
	}
	if (o->arch != NULL && o->arch[0] != '\0' &&
	    sw_name_check(SW_NAME_ARCH, o->arch, e) < 0)
		goto out;
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
		sw_err_sys(e, "cannot make a nonce");
		goto out;
	}
	for (i = 0; i < sizeof(rnd); i++)
		snprintf(r.nonce + 2 * i, 3, "%02x", rnd[i]);
	if (system_args(&r.sysargs, e) < 0)
		goto out;
	cpus = o->jobs ? (long)o->jobs : sysconf(_SC_NPROCESSORS_ONLN);
	k = cpus < 1 ? 1 : (size_t)cpus;
	if (k > MAX_JOBS)
		k = MAX_JOBS;
	if (k > (n + 3) / 4)
		k = (n + 3) / 4;
	sbs = calloc(k, sizeof(*sbs));
	if (sbs == NULL) {
		sw_err_sys(e, "cannot start the PKGBUILD sandboxes");
		goto out;
	}
	for (i = 0; i < k; i++) {
		sbs[i].in = sbs[i].out = sbs[i].err = -1;
		sw_buf_init(&sbs[i].input, 0);
		sw_buf_init(&sbs[i].output, 0);
		sw_buf_init(&sbs[i].errout, 0);
		sbs[i].idx = calloc(n / k + 1, sizeof(size_t));
		if (sbs[i].idx == NULL) {
			sw_err_sys(e, "cannot start the PKGBUILD sandboxes");
			goto out;
		}
	}
	for (i = 0; i < n; i++)
		sbs[i % k].idx[sbs[i % k].nidx++] = i;
	ret = loop(&r, sbs, k, e);
out:
	for (i = 0; sbs != NULL && i < k; i++) {
		if (sbs[i].running)
			stop(&sbs[i], true, NULL);
		free(sbs[i].idx);
		sw_buf_release(&sbs[i].input);
		sw_buf_release(&sbs[i].output);
		sw_buf_release(&sbs[i].errout);
	}
	free(sbs);
	sw_strvec_release(&r.sysargs);
	return ret;
}

void
sw_introspect_item_release(struct sw_introspect_item *it)
{
	sw_srcinfo_release(&it->srcinfo);
}
