#include "slave/session.h"
#include "slave/session_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "core/buf.h"
#include "core/fileio.h"
#include "core/lock.h"
#include "core/log.h"
#include "core/names.h"
#include "core/strvec.h"
#include "queue/lease.h"
#include "repo/upload.h"
#include "slave/fsutil.h"
#include "slave/sshclient.h"
#include "slave/worktar.h"
#include "source/sources.h"

/* what the master's programs answer besides the protocol's own codes */
enum { MASTER_FAILED = 10, REFUSED = 42, CANNOT_RUN = 43, USAGE = 64 };

#define SOURCES_MAX_OUT (64 * 1024)
#define STDERR_KEEP 2048
#define PHASE_PING_S 5


enum step {
	STEP_ERROR = -1,
	STEP_OK = 0,
	STEP_FAILED,    /* the build failed (its logs are on the master) */
	STEP_DROPPED,   /* the master says it is not ours: nothing more to do */
	STEP_STOPPED,   /* *stop */
	STEP_NOTHING,   /* get-assignment: nothing pending, and no --wait */
	STEP_REFUSED,   /* get-sources: a tar we do not extract (e says why) */
};

static bool
stopping(const struct sess *s)
{
	return s->o->stop != NULL && *s->o->stop != 0;
}

static unsigned
or_default(unsigned v, unsigned d)
{
	return v ? v : d;
}

/* Sleeps ms +-50%; true if told to stop meanwhile. */
static bool
pause_ms(const struct sess *s, unsigned ms)
{
	uint64_t total = ms / 2 + arc4random_uniform(ms + 1);
	struct timespec end, now;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += (time_t)(total / 1000);
	end.tv_nsec += (long)(total % 1000) * 1000000L;
	if (end.tv_nsec >= 1000000000L) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000L;
	}
	for (;;) {
		struct timespec step = { 0, 100 * 1000000L };

		if (stopping(s))
			return true;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > end.tv_sec ||
		    (now.tv_sec == end.tv_sec && now.tv_nsec >= end.tv_nsec))
			return false;
		nanosleep(&step, NULL);
	}
}

/* A network failure: log it, wait the current backoff, double it. */
static bool
network_wait(struct sess *s, const char *what, const char *msg)
{
	unsigned d = or_default(s->backoff, 1), max = or_default(s->o->backoff_max_s, 300);

	sw_warn("%s: %s: retrying in about %u s", what, msg, d);
	s->backoff = d >= max / 2 ? max : d * 2;
	return pause_ms(s, d * 1000);
}

/* The last line of what the master said on stderr, for a log line. */
static const char *
last_line(struct sw_buf *b)
{
	char *p;

	while (b->len > 0 && (b->data[b->len - 1] == '\n' || b->data[b->len - 1] == '\r'))
		sw_buf_truncate(b, b->len - 1);
	p = strrchr(b->data, '\n');
	return p ? p + 1 : b->data;
}

/*
 * Runs command on the master. SW_SSH_OK with *status; the others as
 * sshclient.h says. stoppable: a stop cuts it short (a giveback is not).
 */
static enum sw_ssh_result
call(struct sess *s, const char *command, int in, int out, struct sw_buf *outbuf,
	struct sw_buf *errbuf, bool stoppable, int *status, struct sw_err *e)
{
	struct sw_ssh_io io = { in, out, outbuf, errbuf,
		stoppable ? s->o->stop : NULL };
	enum sw_ssh_result r;

	if (errbuf != NULL)
		sw_buf_reset(errbuf);
	r = sw_ssh_run(&s->conn, command, &io, status, e);
	if (r == SW_SSH_OK && *status != MASTER_FAILED && *status != CANNOT_RUN)
		s->backoff = 0;
	return r;
}

/*
 * The answers every program may give besides its own: STEP_OK to look at
 * the status, else what to do. A master that failed is retried like the
 * network; a refusal by slave-connect or a usage error will not change.
 */
static enum step
common_status(struct sess *s, const char *what, int status, struct sw_buf *err,
	struct sw_err *e)
{
	char msg[SW_ERR_MAX];

	switch (status) {
	case MASTER_FAILED:
	case CANNOT_RUN:
		snprintf(msg, sizeof(msg), "the master failed (%d): %s", status,
			last_line(err));
		return network_wait(s, what, msg) ? STEP_STOPPED : STEP_DROPPED;
	case REFUSED:
	case USAGE:
		sw_err_set(e, "%s: the master refused the request (%d): %s", what,
			status, last_line(err));
		return STEP_ERROR;
	default:
		return STEP_OK;
	}
}

/* A ping; returns its status, or -1 when it could not be sent. */
static int
ping(struct sess *s, const char *phase, bool stoppable)
{
	struct sw_buf cmd = SW_BUF_INIT, err = SW_BUF_INIT;
	struct sw_err e;
	int status = -1;

	sw_buf_init(&err, STDERR_KEEP);
	if (sw_buf_addf(&cmd, "ping %s %s", s->args, phase) < 0)
		goto out;
	if (call(s, cmd.data, -1, -1, NULL, &err, stoppable, &status, &e) != SW_SSH_OK) {
		sw_warn("'%s': ping %s: %s", s->key, phase, e.msg);
		status = -1;
	} else if (status != 0 && status != 2) {
		sw_warn("'%s': ping %s: the master answered %d: %s", s->key, phase,
			status, last_line(&err));
	}
out:
	sw_buf_release(&cmd);
	sw_buf_release(&err);
	return status;
}

/* Hands the assignment in hand back, so that it need not wait for its lease. */
static void
give_back(struct sess *s)
{
	if (ping(s, SW_LEASE_GIVEBACK, false) == 0)
		sw_info("'%s': given back to the master", s->key);
}

static int
tick(void *arg, const char *phase)
{
	struct sess *s = arg;
	time_t now = time(NULL);

	unsigned every = or_default(s->o->ping_interval_s, 60);
	bool changed = strcmp(phase, s->phase) != 0;

	if (stopping(s) || s->lost)
		return 1;
	if (changed) {
		sw_info("'%s': %s", s->key, phase);
		snprintf(s->phase, sizeof(s->phase), "%s", phase);
	}
	/*
	 * Every call is a connection: a new phase is told at once only when
	 * the master has not heard from us for a few seconds (a short build
	 * needs no ping at all), else at the next interval.
	 */
	if (now - s->last_ping < (time_t)(changed && every > PHASE_PING_S ?
	    PHASE_PING_S : every))
		return 0;
	s->last_ping = now;
	if (ping(s, phase, true) == 2) {
		sw_warn("'%s': the master says it is no longer ours: stopping the "
			"build and dropping it", s->key);
		s->lost = true;
		return 1;
	}
	return stopping(s) ? 1 : 0;
}

/*
 * Runs command until the master gives an answer of its own: a network
 * failure or a failed master waits its backoff, busy (1) about 2 s, and
 * each attempt starts afresh (in rewound, out and outbuf emptied).
 * STEP_OK with *status (never 1), STEP_STOPPED or STEP_ERROR. phase: told
 * by tick() before each attempt (NULL: nothing); when tick says the
 * assignment is lost, STEP_DROPPED.
 */
static enum step
answered(struct sess *s, const char *command, const char *phase, int in,
	int out, struct sw_buf *outbuf, struct sw_buf *err, int *status,
	struct sw_err *e)
{
	char what[32];

	snprintf(what, sizeof(what), "%.*s", (int)strcspn(command, " "), command);
	for (;;) {
		enum sw_ssh_result r;
		enum step st;

		if (stopping(s))
			return STEP_STOPPED;
		if (phase != NULL && tick(s, phase) != 0)
			return stopping(s) ? STEP_STOPPED : STEP_DROPPED;
		if ((in >= 0 && lseek(in, 0, SEEK_SET) < 0) || (out >= 0 &&
		    (ftruncate(out, 0) < 0 || lseek(out, 0, SEEK_SET) < 0))) {
			sw_err_sys(e, "%s: cannot rewind its file", what);
			return STEP_ERROR;
		}
		if (outbuf != NULL)
			sw_buf_reset(outbuf);
		r = call(s, command, in, out, outbuf, err, true, status, e);
		if (r == SW_SSH_STOPPED)
			return STEP_STOPPED;
		if (r == SW_SSH_FATAL)
			return STEP_ERROR;
		if (r == SW_SSH_NETWORK) {
			if (network_wait(s, what, e->msg))
				return STEP_STOPPED;
			continue;
		}
		st = common_status(s, what, *status, err, e);
		if (st == STEP_ERROR || st == STEP_STOPPED)
			return st;
		if (st == STEP_DROPPED)
			continue;
		if (*status != 1)
			return STEP_OK;
		sw_debug("%s: the master is busy: %s", what, last_line(err));
		if (pause_ms(s, 2000))
			return STEP_STOPPED;
	}
}

static void
set_assignment(struct sess *s, const struct sw_id *id)
{
	s->id = *id;
	snprintf(s->args, sizeof(s->args), "%s %s %s %s", id->pkgbase, id->src,
		id->mod, id->repo);
	snprintf(s->key, sizeof(s->key), "%s.%s", id->pkgbase, id->repo);
	s->phase[0] = '\0';
	s->last_ping = time(NULL); /* get-assignment was a heartbeat */
	s->lost = false;
}

/* get-assignment until there is one, or nothing more to wait for. */
static enum step
get_assignment(struct sess *s, struct sw_err *e)
{
	struct sw_buf out = SW_BUF_INIT, err = SW_BUF_INIT;
	struct sw_strvec f = SW_STRVEC_INIT;
	struct sw_id id;
	unsigned poll = or_default(s->o->poll_s, 60);
	enum step ret = STEP_ERROR;
	int status;

	sw_buf_init(&out, 1024);
	sw_buf_init(&err, STDERR_KEEP);
	for (;;) {
		enum step st = answered(s, "get-assignment", NULL, -1, -1, &out,
			&err, &status, e);

		if (st != STEP_OK) {
			ret = st;
			goto out;
		}
		switch (status) {
		case 0:
			sw_strvec_release(&f);
			if (out.len > 0 && out.data[out.len - 1] == '\n')
				sw_buf_truncate(&out, out.len - 1);
			if (strchr(out.data, '\n') != NULL ||
			    sw_strvec_split(&f, out.data) < 0 || f.n != 4) {
				sw_err_set(e, "get-assignment: the master's answer is "
					"not '<pkgbase> <src> <mod> <repo>'");
				goto out;
			}
			if (sw_id_from_fields(&id, f.v[0], f.v[1], f.v[2], f.v[3], e) < 0) {
				sw_err_prefix(e, "get-assignment: the master's answer");
				goto out;
			}
			set_assignment(s, &id);
			sw_info("'%s': assigned %s", s->key, s->args);
			ret = STEP_OK;
			goto out;
		case 3:
			if (!s->o->wait) {
				sw_info("nothing is pending on the master");
				ret = STEP_NOTHING;
				goto out;
			}
			/* fall through */
		case 2:
		case 4:
			sw_debug("get-assignment: %s", last_line(&err));
			if (pause_ms(s, poll * 1000)) {
				ret = STEP_STOPPED;
				goto out;
			}
			break;
		default:
			sw_err_set(e, "get-assignment: unexpected exit status %d: %s",
				status, last_line(&err));
			goto out;
		}
	}
out:
	sw_strvec_release(&f);
	sw_buf_release(&out);
	sw_buf_release(&err);
	return ret;
}

/* get-sources into a fresh s->src. */
static enum step
get_sources(struct sess *s, struct sw_err *e)
{
	struct sw_buf cmd = SW_BUF_INIT, err = SW_BUF_INIT;
	enum step ret = STEP_ERROR;
	int fd = -1, status;

	sw_buf_init(&err, STDERR_KEEP);
	if (sw_buf_addf(&cmd, "get-sources %s", s->args) < 0) {
		sw_err_sys(e, "get-sources");
		goto out;
	}
	fd = open(s->sources_tar.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		0600);
	if (fd < 0) {
		sw_err_sys(e, "cannot create '%s'", s->sources_tar.data);
		goto out;
	}
	ret = answered(s, cmd.data, NULL, -1, fd, NULL, &err, &status, e);
	if (ret != STEP_OK)
		goto out;
	ret = STEP_ERROR;
	if (status == 2) {
		sw_warn("'%s': get-sources: no longer ours: %s", s->key,
			last_line(&err));
		ret = STEP_DROPPED;
		goto out;
	}
	if (status != 0) {
		sw_err_set(e, "get-sources: unexpected exit status %d: %s", status,
			last_line(&err));
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		sw_err_sys(e, "cannot write '%s'", s->sources_tar.data);
		goto out;
	}
	fd = -1;
	if (sw_fs_remove_tree(s->src.data, e) < 0)
		goto out;
	if (mkdir(s->src.data, 0755) < 0 || chmod(s->src.data, 0755) < 0) {
		sw_err_sys(e, "cannot create '%s'", s->src.data);
		goto out;
	}
	if (sw_worktar_extract(s->sources_tar.data, s->src.data, e) < 0) {
		/*
		 * The master sent something we will not build, and will send it
		 * again: the package goes back as failed, with the reason as its log.
		 */
		sw_error("'%s': %s", s->key, e->msg);
		ret = STEP_REFUSED;
		goto out;
	}
	sw_info("'%s': sources in '%s'", s->key, s->src.data);
	ret = STEP_OK;
out:
	if (fd >= 0)
		close(fd);
	unlink(s->sources_tar.data);
	sw_buf_release(&cmd);
	sw_buf_release(&err);
	return ret;
}

/* Reads <dir>/assignment: the id and whether it holds logs (error). */
static int
read_assignment(const char *dir, struct sw_id *id, bool *error, struct sw_err *e)
{
	struct sw_buf path = SW_BUF_INIT, data = SW_BUF_INIT;
	struct sw_strvec f = SW_STRVEC_INIT;
	int r, ret = -1;

	if (sw_buf_addf(&path, "%s/%s", dir, ASSIGNMENT_FILE) < 0) {
		sw_err_sys(e, "cannot read '%s'", dir);
		goto out;
	}
	r = sw_file_read(path.data, 4096, &data, e);
	if (r != 0) {
		if (r == 1)
			sw_err_set(e, "'%s' is missing", path.data);
		goto out;
	}
	if (data.len > 0 && data.data[data.len - 1] == '\n')
		sw_buf_truncate(&data, data.len - 1);
	if (strchr(data.data, '\n') != NULL || sw_strvec_split(&f, data.data) < 0 ||
	    f.n != 5 || (strcmp(f.v[4], "ok") != 0 && strcmp(f.v[4], "error") != 0)) {
		sw_err_set(e, "'%s' is not '<pkgbase> <src> <mod> <repo> ok|error'",
			path.data);
		goto out;
	}
	if (sw_id_from_fields(id, f.v[0], f.v[1], f.v[2], f.v[3], e) < 0) {
		sw_err_prefix(e, "'%s'", path.data);
		goto out;
	}
	*error = strcmp(f.v[4], "error") == 0;
	ret = 0;
out:
	sw_buf_release(&path);
	sw_buf_release(&data);
	sw_strvec_release(&f);
	return ret;
}

/*
 * return-assignment with the result in dir (results/<key>), retried until
 * the master has answered; then dir goes.
 */
static enum step
upload(struct sess *s, const char *dir, struct sw_err *e)
{
	struct sw_buf cmd = SW_BUF_INIT, err = SW_BUF_INIT;
	struct sw_id id;
	bool error;
	size_t n;
	enum step ret = STEP_ERROR;
	int fd = -1, status;

	sw_buf_init(&err, STDERR_KEEP);
	if (read_assignment(dir, &id, &error, e) < 0)
		goto out;
	set_assignment(s, &id);
	if (sw_worktar_results(dir, ASSIGNMENT_FILE, error, s->upload_tar.data, &n, e) < 0)
		goto out;
	if (sw_buf_addf(&cmd, "return-assignment %s%s", s->args,
	    error ? " ERROR" : "") < 0) {
		sw_err_sys(e, "return-assignment");
		goto out;
	}
	fd = open(s->upload_tar.data, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		sw_err_sys(e, "cannot read '%s'", s->upload_tar.data);
		goto out;
	}
	sw_info("'%s': %s: returning %zu %s", s->key, SW_PHASE_UPLOADING, n,
		error ? "logs" : "files");
	ret = answered(s, cmd.data, SW_PHASE_UPLOADING, fd, -1, NULL, &err,
		&status, e);
	if (ret == STEP_STOPPED || ret == STEP_ERROR)
		goto out;
	/* STEP_DROPPED: tick() said why */
	if (ret == STEP_OK && status == 0) {
		if (error)
			sw_info("'%s': returned the logs: broken on the master",
				s->key);
		else
			sw_info("'%s': returned: in staging", s->key);
		ret = error ? STEP_FAILED : STEP_OK;
	} else if (ret == STEP_OK && status == 2) {
		sw_warn("'%s': return-assignment: no longer ours, dropping what "
			"was built: %s", s->key, last_line(&err));
		ret = STEP_DROPPED;
	} else if (ret == STEP_OK) {
		/* 3 signature, 4 package set, 5 invalid: sending it again will not help */
		sw_error("'%s': return-assignment refused the upload (%d): %s",
			s->key, status, last_line(&err));
		ret = STEP_FAILED;
	}
	if (sw_fs_remove_tree(dir, e) < 0)
		ret = STEP_ERROR;
out:
	if (fd >= 0)
		close(fd);
	unlink(s->upload_tar.data);
	sw_buf_release(&cmd);
	sw_buf_release(&err);
	return ret;
}

/* Uploads every finished result an earlier run left in results/. */
static enum step
upload_left(struct sess *s, struct sw_err *e)
{
	struct sw_strvec names = SW_STRVEC_INIT;
	struct sw_buf dir = SW_BUF_INIT;
	enum step ret = STEP_ERROR;
	size_t i;

	if (sw_worktar_list(s->results.data, NULL, &names, e) < 0)
		goto out;
	for (i = 0; i < names.n; i++) {
		enum step st;

		sw_buf_reset(&dir);
		if (sw_buf_addf(&dir, "%s/%s", s->results.data, names.v[i]) < 0) {
			sw_err_sys(e, "cannot read '%s'", s->results.data);
			goto out;
		}
		if (strlen(names.v[i]) > 4 &&
		    strcmp(names.v[i] + strlen(names.v[i]) - 4, ".new") == 0) {
			/* a build that did not end: scratch */
			if (sw_fs_remove_tree(dir.data, e) < 0)
				goto out;
			continue;
		}
		sw_info("'%s': built by an earlier run, not returned yet", names.v[i]);
		st = upload(s, dir.data, e);
		if (st == STEP_ERROR) {
			/* unreadable: nothing to send; say so and go on */
			sw_error("'%s': %s: removed", names.v[i], e->msg);
			if (sw_fs_remove_tree(dir.data, e) < 0)
				goto out;
			continue;
		}
		if (st == STEP_STOPPED) {
			give_back(s);
			ret = st;
			goto out;
		}
	}
	ret = STEP_OK;
out:
	sw_strvec_release(&names);
	sw_buf_release(&dir);
	return ret;
}

/*
 * Marks the finished result in tmp with its "assignment" file (written
 * last) and renames it to dir, where it waits for its upload.
 */
static int
keep_result(struct sess *s, const char *tmp, const char *dir, bool ok,
	struct sw_err *e)
{
	struct sw_buf info = SW_BUF_INIT, line = SW_BUF_INIT;
	int ret = -1;

	if (sw_buf_addf(&info, "%s/%s", tmp, ASSIGNMENT_FILE) < 0 ||
	    sw_buf_addf(&line, "%s %s\n", s->args, ok ? "ok" : "error") < 0) {
		sw_err_sys(e, "cannot keep '%s'", s->key);
		goto out;
	}
	if (sw_file_replace(info.data, line.data, line.len, 0644, e) < 0)
		goto out;
	if (rename(tmp, dir) < 0) {
		sw_err_sys(e, "cannot keep '%s'", dir);
		goto out;
	}
	if (sw_fsync_parent(dir, e) < 0)
		goto out;
	ret = 0;
out:
	sw_buf_release(&info);
	sw_buf_release(&line);
	return ret;
}

/*
 * Sources we would not extract: returned as a failed build whose log
 * (straw "sources") says why, so the master marks it broken instead of
 * handing it out again and again.
 */
static enum step
refused(struct sess *s, const char *why, struct sw_err *e)
{
	struct sw_buf tmp = SW_BUF_INIT, dir = SW_BUF_INIT, log = SW_BUF_INIT;
	gzFile gz = NULL;
	enum step ret = STEP_ERROR;

	if (sw_buf_addf(&dir, "%s/%s", s->results.data, s->key) < 0 ||
	    sw_buf_addf(&tmp, "%s.new", dir.data) < 0 ||
	    sw_buf_addf(&log, "%s/%s.sources%s", tmp.data, s->key,
	    SW_UPLOAD_LOG_SUFFIX) < 0) {
		sw_err_sys(e, "cannot refuse '%s'", s->key);
		goto out;
	}
	if (sw_fs_remove_tree(tmp.data, e) < 0 || sw_fs_remove_tree(dir.data, e) < 0)
		goto out;
	if (mkdir(tmp.data, 0755) < 0) {
		sw_err_sys(e, "cannot create '%s'", tmp.data);
		goto out;
	}
	gz = gzopen(log.data, "wbe");
	if (gz == NULL || gzprintf(gz, "build-packages on slave '%s' refused the "
	    "sources of '%s': %s\n", s->c->name, s->args, why) <= 0 ||
	    gzclose(gz) != Z_OK) {
		gz = NULL;
		sw_err_sys(e, "cannot write '%s'", log.data);
		goto out;
	}
	gz = NULL;
	if (keep_result(s, tmp.data, dir.data, false, e) < 0)
		goto out;
	ret = upload(s, dir.data, e);
out:
	if (gz != NULL)
		gzclose(gz);
	if (tmp.len > 0)
		sw_fs_remove_tree(tmp.data, NULL);
	sw_buf_release(&tmp);
	sw_buf_release(&dir);
	sw_buf_release(&log);
	return ret;
}

/* Builds the assignment in hand into results/<key>, then returns it. */
static enum step
build(struct sess *s, struct sw_err *e)
{
	struct sw_buf tmp = SW_BUF_INIT, dir = SW_BUF_INIT, srcinfo = SW_BUF_INIT;
	struct sw_build_hooks hooks = { tick, s };
	struct sw_build_job job;
	char idstr[SW_ID_MAX + 1];
	enum sw_build_result br;
	enum step ret = STEP_ERROR;

	sw_id_format(&s->id, idstr, sizeof(idstr));
	if (sw_buf_addf(&dir, "%s/%s", s->results.data, s->key) < 0 ||
	    sw_buf_addf(&tmp, "%s.new", dir.data) < 0) {
		sw_err_sys(e, "cannot build '%s'", s->key);
		goto out;
	}
	if (sw_fs_remove_tree(tmp.data, e) < 0 || sw_fs_remove_tree(dir.data, e) < 0)
		goto out;
	if (mkdir(tmp.data, 0755) < 0) {
		sw_err_sys(e, "cannot create '%s'", tmp.data);
		goto out;
	}
	job.srcdir = s->src.data;
	job.id = idstr;
	job.outdir = tmp.data;
	job.srcinfo = NULL;
	job.sign = &s->sign;
	/* get-sources sends the master's own reading of the PKGBUILD, if any */
	if (sw_buf_addf(&srcinfo, "%s/%s", s->src.data, SW_SOURCES_SRCINFO) < 0) {
		sw_err_sys(e, "cannot build '%s'", s->key);
		goto out;
	}
	if (access(srcinfo.data, F_OK) == 0)
		job.srcinfo = srcinfo.data;
	br = sw_build_run(s->c, &job, &hooks, e);
	switch (br) {
	case SW_BUILD_OK:
	case SW_BUILD_FAILED:
		if (br == SW_BUILD_FAILED)
			sw_warn("'%s': every straw failed: %s", s->key, e->msg);
		else
			sw_info("'%s': built and signed", s->key);
		if (keep_result(s, tmp.data, dir.data, br == SW_BUILD_OK, e) < 0)
			goto out;
		ret = upload(s, dir.data, e);
		break;
	case SW_BUILD_ABORTED:
		ret = stopping(s) ? STEP_STOPPED : STEP_DROPPED;
		break;
	case SW_BUILD_ERROR:
		sw_err_prefix(e, "cannot build '%s'", s->key);
		break;
	}
out:
	if (tmp.len > 0 && sw_fs_remove_tree(tmp.data, NULL) < 0)
		sw_warn("cannot remove '%s'", tmp.data);
	sw_buf_release(&tmp);
	sw_buf_release(&dir);
	sw_buf_release(&srcinfo);
	return ret;
}

/* One assignment, from its sources to the master's answer to the upload. */
static enum step
handle(struct sess *s, struct sw_err *e)
{
	enum step st;

	st = get_sources(s, e);
	if (st == STEP_REFUSED) {
		char why[SW_ERR_MAX];

		snprintf(why, sizeof(why), "%s", e->msg);
		st = refused(s, why, e);
	} else if (st == STEP_OK) {
		st = build(s, e);
		if (sw_fs_remove_tree(s->src.data, NULL) < 0)
			sw_warn("cannot remove '%s'", s->src.data);
	}
	if (st == STEP_STOPPED || st == STEP_ERROR) {
		/* given back: what was built for it is someone else's to build */
		struct sw_buf dir = SW_BUF_INIT;

		give_back(s);
		if (sw_buf_addf(&dir, "%s/%s", s->results.data, s->key) == 0 &&
		    sw_fs_remove_tree(dir.data, NULL) < 0)
			sw_warn("cannot remove '%s'", dir.data);
		sw_buf_release(&dir);
	}
	return st;
}

/* Paths, the lock, and the scratch an earlier run may have left. */
int
sw_sess_open_work_dir(struct sess *s, int *lock_fd, struct sw_err *e)
{
	struct sw_buf lock = SW_BUF_INIT;
	const char *w = s->c->work_dir;
	enum sw_lock_result lr;
	int ret = -1;

	if (sw_buf_addf(&lock, "%s/lock", w) < 0 ||
	    sw_buf_addf(&s->src, "%s/src", w) < 0 ||
	    sw_buf_addf(&s->sources_tar, "%s/sources.tar", w) < 0 ||
	    sw_buf_addf(&s->upload_tar, "%s/upload.tar", w) < 0 ||
	    sw_buf_addf(&s->results, "%s/results", w) < 0) {
		sw_err_sys(e, "cannot use '%s'", w);
		goto out;
	}
	if (sw_mkdir_p(w, 0755, e) < 0)
		goto out;
	lr = sw_lock_take(lock.data, 0, lock_fd, e);
	if (lr == SW_LOCK_BUSY) {
		sw_err_set(e, "the work directory '%s' is in use by another "
			"build-packages (give each slave a work_dir of its own)", w);
		goto out;
	}
	if (lr != SW_LOCK_OK)
		goto out;
	if (sw_fs_remove_tree(s->src.data, e) < 0 || sw_fs_remove_tree(s->sources_tar.data, e) < 0 ||
	    sw_fs_remove_tree(s->upload_tar.data, e) < 0 || sw_mkdir_p(s->results.data, 0755, e) < 0)
		goto out;
	ret = 0;
out:
	sw_buf_release(&lock);
	return ret;
}

void
sw_sess_init(struct sess *s, const struct sw_slave_conf *c,
	const struct sw_session_opts *o)
{
	memset(s, 0, sizeof(*s));
	s->c = c;
	s->o = o;
	s->ssh.master = c->master;
	s->ssh.identity = c->identity;
	s->ssh.known_hosts = c->known_hosts;
	s->ssh.accept_new_host_key = o->accept_new_host_key;
	s->conn.c = &s->ssh;
	sw_buf_init(&s->src, 0);
	sw_buf_init(&s->sources_tar, 0);
	sw_buf_init(&s->upload_tar, 0);
	sw_buf_init(&s->results, 0);
}

void
sw_sess_release(struct sess *s)
{
	sw_ssh_close(&s->conn);
	sw_sign_release(&s->sign);
	sw_buf_release(&s->src);
	sw_buf_release(&s->sources_tar);
	sw_buf_release(&s->upload_tar);
	sw_buf_release(&s->results);
}

enum sw_session_result
sw_session_run(const struct sw_slave_conf *c, const struct sw_session_opts *o,
	struct sw_err *e)
{
	struct sess s;
	enum sw_session_result ret = SW_SESSION_ERROR;
	uint64_t taken = 0;
	int lock_fd = -1;
	enum step st;

	sw_sess_init(&s, c, o);
	if (sw_sess_open_work_dir(&s, &lock_fd, e) < 0)
		goto out;
	st = upload_left(&s, e);
	if (st == STEP_STOPPED) {
		ret = SW_SESSION_STOPPED;
		goto out;
	}
	if (st != STEP_OK)
		goto out;
	for (;;) {
		if (o->count != 0 && taken >= o->count) {
			ret = SW_SESSION_DONE;
			break;
		}
		st = get_assignment(&s, e);
		if (st == STEP_NOTHING) {
			ret = SW_SESSION_DONE;
			break;
		}
		if (st == STEP_STOPPED) {
			ret = SW_SESSION_STOPPED;
			break;
		}
		if (st != STEP_OK)
			break;
		taken++;
		st = handle(&s, e);
		if (st == STEP_ERROR)
			break;
		if (st == STEP_STOPPED) {
			ret = SW_SESSION_STOPPED;
			break;
		}
		if (st == STEP_FAILED && o->stop_on_failure) {
			sw_err_set(e, "'%s' failed: stopping (-x)", s.key);
			ret = SW_SESSION_FAILED;
			break;
		}
	}
out:
	sw_lock_release(&lock_fd);
	sw_sess_release(&s);
	return ret;
}
