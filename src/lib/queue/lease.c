#include "queue/lease.h"

#include <stdlib.h>
#include <string.h>

#include "queue/buildlist.h"
#include "core/fileio.h"

int
sw_lease_slave(const struct sw_master_conf *c, const char **slave,
	const struct sw_slave_entry_conf **sc, struct sw_err *e)
{
	const char *s = getenv("SLIPWAY_SLAVE");
	const struct sw_slave_entry_conf *x;

	*slave = NULL;
	if (sc != NULL)
		*sc = NULL;
	if (s == NULL)
		return 0;
	if (sw_name_check(SW_NAME_SLAVE, s, e) < 0)
		return sw_err_prefix(e, "SLIPWAY_SLAVE");
	x = sw_master_conf_slave(c, s);
	if (x == NULL)
		return sw_err_set(e, "unknown slave '%s': no [slave %s] section in '%s'",
			s, s, c->path);
	*slave = s;
	if (sc != NULL)
		*sc = x;
	return 0;
}

int
sw_lease_on_list(const char *state_dir, const struct sw_id *id,
	struct sw_err *e)
{
	struct sw_buf path = SW_BUF_INIT, line = SW_BUF_INIT;
	struct sw_map m = SW_MAP_INIT;
	const char *p, *end, *hit;
	int r, ret = -1;

	if (sw_statepath(&path, state_dir, SW_PATH_BUILD_LIST, e) < 0)
		goto out;
	if (sw_buf_addf(&line, "%s %s %s %s\n", id->pkgbase, id->src, id->mod,
	    id->repo) < 0) {
		sw_err_sys(e, "cannot read the build list");
		goto out;
	}
	r = sw_file_map(path.data, SW_LIST_MAX_SIZE, false, &m, e);
	if (r < 0)
		goto out;
	ret = 0;
	/* the whole line, at the start of a line */
	for (p = m.data, end = m.data + m.len; p < end; p = hit + 1) {
		hit = memmem(p, (size_t)(end - p), line.data, line.len);
		if (hit == NULL)
			break;
		if (hit == m.data || hit[-1] == '\n') {
			ret = 1;
			break;
		}
	}
out:
	sw_file_unmap(&m);
	sw_buf_release(&path);
	sw_buf_release(&line);
	return ret;
}

enum sw_lease_result
sw_lease_check(const struct sw_master_conf *c, const struct sw_id *id,
	const char *slave, int64_t now, struct sw_locked *out,
	struct sw_err *e)
{
	struct sw_locked l;
	char idstr[SW_ID_MAX + 1];
	int r;

	sw_id_format(id, idstr, sizeof(idstr));
	r = sw_lease_on_list(c->state_dir, id, e);
	if (r < 0)
		return SW_LEASE_ERROR;
	if (r == 0) {
		sw_err_set(e, "'%s' is not on the build list (outdated or done)",
			idstr);
		return SW_LEASE_NOT_YOURS;
	}
	r = sw_pkgstate_read_locked(c->state_dir, id, &l, e);
	if (r < 0)
		return SW_LEASE_ERROR;
	if (r == 1) {
		sw_err_set(e, "'%s' is not assigned to anyone", idstr);
		return SW_LEASE_NOT_YOURS;
	}
	if (strcmp(l.slave, slave) != 0) {
		sw_err_set(e, "'%s' is assigned to slave '%s', not '%s'", idstr,
			l.slave, slave);
		return SW_LEASE_NOT_YOURS;
	}
	if (now - l.heartbeat > (int64_t)c->lease_timeout) {
		sw_err_set(e, "the lease of '%s' expired: no heartbeat for %lld s",
			idstr, (long long)(now - l.heartbeat));
		return SW_LEASE_NOT_YOURS;
	}
	if (out != NULL)
		*out = l;
	return SW_LEASE_OK;
}

enum sw_lease_result
sw_lease_ping(const struct sw_master_conf *c, const struct sw_id *id,
	const char *slave, const char *phase, int64_t now, struct sw_err *e)
{
	struct sw_statedir sd = { NULL, { -1, -1 } };
	struct sw_locked l;
	enum sw_lease_result ret = SW_LEASE_ERROR;
	enum sw_lock_result lr;

	if (sw_name_check(SW_NAME_PHASE, phase, e) < 0 ||
	    sw_statedir_open(&sd, c->state_dir, e) < 0)
		goto out;
	lr = sw_statedir_lock(&sd, SW_LOCK_BUILD_LIST, SW_LEASE_LOCK_TIMEOUT_MS, e);
	if (lr != SW_LOCK_OK) {
		ret = lr == SW_LOCK_BUSY ? SW_LEASE_BUSY : SW_LEASE_ERROR;
		goto out;
	}
	ret = sw_lease_check(c, id, slave, now, &l, e);
	if (ret != SW_LEASE_OK)
		goto out;
	l.heartbeat = now;
	memcpy(l.phase, phase, strlen(phase) + 1);
	if (sw_pkgstate_write_locked(c->state_dir, id, &l, NULL, e) < 0)
		ret = SW_LEASE_ERROR;
out:
	sw_statedir_release(&sd);
	return ret;
}
