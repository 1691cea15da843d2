/* status: the static HTML page of the master and its logs; see status.h. */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "core/fileio.h"
#include "core/lines.h"
#include "core/number.h"
#include "ops/status_int.h"
#include "ops/why.h"
#include "queue/statepath.h"

static int
h(struct sw_buf *o, const char *s)
{
	int r = 0;

	for (; *s != '\0'; s++)
		switch (*s) {
		case '<': r |= sw_buf_addstr(o, "&lt;"); break;
		case '>': r |= sw_buf_addstr(o, "&gt;"); break;
		case '&': r |= sw_buf_addstr(o, "&amp;"); break;
		case '"': r |= sw_buf_addstr(o, "&quot;"); break;
		case '\'': r |= sw_buf_addstr(o, "&#39;"); break;
		default: r |= sw_buf_addch(o, *s); break;
		}
	return r;
}

/* <td>s</td> */
static int
td(struct sw_buf *o, const char *s)
{
	return sw_buf_addstr(o, "<td>") | h(o, s) | sw_buf_addstr(o, "</td>");
}

static int
table_open(struct sw_buf *o, const char *id, const char *title,
	const char *const *cols)
{
	int r = sw_buf_addf(o, "<h2>%s</h2>\n<table id=\"%s\"><thead><tr>",
		title, id);

	for (; *cols != NULL; cols++)
		r |= sw_buf_addf(o, "<th>%s</th>", *cols);
	return r | sw_buf_addstr(o, "</tr></thead><tbody>\n");
}

static const char html_head[] =
	"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	"<meta name=\"viewport\" content=\"width=device-width\">\n"
	"<title>slipway build master</title>\n<style>\n"
	"body{font-family:sans-serif;margin:1em 2em;color:#222}\n"
	"table{border-collapse:collapse;margin-bottom:1em}\n"
	"th,td{border:1px solid #ccc;padding:2px 8px;text-align:left}\n"
	"th{background:#eee}\n.newer{background:#ffd}\n.bad{color:#a00}\n"
	"#notsane{background:#fdd;padding:.5em;border:1px solid #a00}\n"
	"</style></head><body>\n<h1>slipway build master</h1>\n";

static const char html_tail[] =
	"<script>\n"
	"(function(){var box=document.getElementById('filter');\n"
	"function apply(){var q=box.value.toLowerCase();\n"
	"document.querySelectorAll('table tbody tr').forEach(function(tr){\n"
	"tr.style.display=tr.textContent.toLowerCase().indexOf(q)>=0?'':'none';});}\n"
	"box.addEventListener('input',apply);apply();})();\n"
	"</script>\n</body></html>\n";

/* Decompresses a gzip log into dir/logs/<log>.txt, keeping its last bytes. */
static int
write_log(const struct sw_farm *f, const char *dir, const char *log,
	struct sw_err *e)
{
	struct sw_buf in = SW_BUF_INIT, out = SW_BUF_INIT, text = SW_BUF_INIT;
	gzFile gz = NULL;
	char chunk[65536];
	int n, ret = -1, fd = -1;

	if (sw_statepath(&in, f->c->state_dir, SW_PATH_LOGS, e) < 0)
		goto out;
	if (sw_buf_addf(&in, "/%s", log) < 0 ||
	    sw_buf_addf(&out, "%s/logs/%s.txt", dir, log) < 0)
		goto nomem;
	fd = open(in.data, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		sw_err_sys(e, "cannot open '%s'", in.data);
		goto out;
	}
	gz = gzdopen(fd, "rb");
	if (gz == NULL) {
		close(fd);
		goto nomem;
	}
	while ((n = gzread(gz, chunk, sizeof(chunk))) > 0) {
		if (text.len + (size_t)n > SW_STATUS_LOG_MAX) {
			size_t drop = text.len + (size_t)n - SW_STATUS_LOG_MAX;

			if (drop > text.len)
				drop = text.len;
			memmove(text.data, text.data + drop, text.len - drop);
			sw_buf_truncate(&text, text.len - drop);
		}
		if (sw_buf_add(&text, chunk, (size_t)n) < 0)
			goto nomem;
	}
	if (n < 0) {
		sw_err_set(e, "cannot read '%s': not a gzip file", in.data);
		goto out;
	}
	ret = sw_file_replace(out.data, text.data, text.len, 0644, e);
	goto out;
nomem:
	sw_err_sys(e, "cannot copy the log '%s'", log);
out:
	if (gz != NULL)
		gzclose(gz);
	sw_buf_release(&in);
	sw_buf_release(&out);
	sw_buf_release(&text);
	return ret;
}

/* Removes dir/logs/<x>.txt files whose log is no package's last log now. */
static int
prune_logs(const struct sw_farm *f, const char *dir, struct sw_err *e)
{
	struct sw_buf p = SW_BUF_INIT;
	struct dirent *d;
	DIR *dp = NULL;
	size_t i;
	int ret = -1;

	if (sw_buf_addf(&p, "%s/logs", dir) < 0) {
		sw_err_sys(e, "cannot list old logs");
		goto out;
	}
	dp = opendir(p.data);
	if (dp == NULL) {
		sw_err_sys(e, "cannot open '%s'", p.data);
		goto out;
	}
	while ((d = readdir(dp)) != NULL) {
		size_t len = strlen(d->d_name);
		bool keep = d->d_name[0] == '.';

		for (i = 0; !keep && i < f->list.n; i++) {
			const struct sw_farm_entry *en = &f->entries[i];
			const char *l;

			if (en->nattempts == 0)
				continue;
			l = en->attempts[en->nattempts - 1].log;
			keep = len == strlen(l) + 4 && strncmp(d->d_name, l, len - 4) == 0 &&
				strcmp(d->d_name + len - 4, ".txt") == 0;
		}
		if (!keep && unlinkat(dirfd(dp), d->d_name, 0) < 0 && errno != ENOENT) {
			sw_err_sys(e, "cannot remove '%s/%s'", p.data, d->d_name);
			goto out;
		}
	}
	ret = 0;
out:
	if (dp != NULL)
		closedir(dp);
	sw_buf_release(&p);
	return ret;
}

int
sw_status_html(const struct sw_farm *f, const struct sw_status_memory *m,
	const char *dir, struct sw_err *e)
{
	static const char *const qcols[] = { "#", "package", "repository",
		"version", "state", "waits for", "queued by the farm", NULL };
	static const char *const lcols[] = { "package", "slave", "phase",
		"elapsed", "last heartbeat", NULL };
	static const char *const bcols[] = { "package", "failures", "last slave",
		"last failure", "waiting on it", "last log", NULL };
	static const char *const kcols[] = { "package", "by", "since", "reason",
		NULL };
	static const char *const ccols[] = { "cycle", "members", NULL };
	static const char *const rcols[] = { "repository", "stage", "package",
		"version", "stable has", NULL };
	static const char *const scols[] = { "slave", "last heartbeat",
		"building", NULL };
	struct sw_buf o = SW_BUF_INIT, p = SW_BUF_INIT;
	char t[40], d[40], num[32];
	size_t i, k;
	int s, r = 0, ret = -1;

	if (sw_buf_addf(&p, "%s/logs", dir) < 0)
		goto nomem;
	if (sw_mkdir_p(p.data, 0755, e) < 0)
		goto out;
	r |= sw_buf_addstr(&o, html_head);
	sw_why_time(f->now, t, sizeof(t));
	r |= sw_buf_addf(&o, "<p>As of %s: %zu pending, %zu building, %zu broken, "
		"%zu blocked.</p>\n", t, f->list.n, sw_status_count_flag(f, true),
		sw_status_count_broken(f), sw_status_count_flag(f, false));
	if (f->not_sane) {
		r |= sw_buf_addstr(&o, "<p id=\"notsane\">The master is marked "
			"<b>not sane</b>; nothing is handed out until sanity-check "
			"passes:");
		for (i = 0; i < f->not_sane_why.n; i++)
			r |= sw_buf_addstr(&o, "<br>") | h(&o, f->not_sane_why.v[i]);
		r |= sw_buf_addstr(&o, "</p>\n");
	}
	r |= sw_buf_addstr(&o, "<p><label>Filter: <input id=\"filter\" "
		"type=\"search\" autofocus placeholder=\"package, slave, "
		"repository...\"></label></p>\n");

	r |= table_open(&o, "queue", "Build queue, in build order", qcols);
	for (i = 0; i < f->list.n; i++) {
		const struct sw_farm_entry *en = &f->entries[i];

		snprintf(num, sizeof(num), "%zu", i + 1);
		r |= sw_buf_addstr(&o, "<tr>") | td(&o, num) | td(&o, en->id.pkgbase) |
			td(&o, en->id.repo) | td(&o, sw_status_version(f, i)) |
			td(&o, sw_status_state_word(f, i)) | sw_buf_addstr(&o, "<td>");
		for (k = 0; k < en->ndeps; k++)
			r |= (k ? sw_buf_addstr(&o, " ") : 0) |
				h(&o, f->entries[en->deps[k]].id.pkgbase);
		r |= sw_buf_addstr(&o, "</td>") |
			td(&o, en->rebuild != NULL ? en->rebuild : "") |
			sw_buf_addstr(&o, "</tr>\n");
	}
	r |= sw_buf_addstr(&o, "</tbody></table>\n");

	r |= table_open(&o, "locked", "Building now", lcols);
	for (i = 0; i < f->list.n; i++) {
		const struct sw_farm_entry *en = &f->entries[i];

		if (!en->locked)
			continue;
		sw_why_duration(f->now - en->lock.lease_start, d, sizeof(d));
		sw_why_duration(f->now - en->lock.heartbeat, t, sizeof(t));
		r |= sw_buf_addstr(&o, "<tr>") | td(&o, en->id.pkgbase) |
			td(&o, en->lock.slave) | td(&o, en->lock.phase) | td(&o, d) |
			sw_buf_addstr(&o, "<td>") | h(&o, t) |
			sw_buf_addstr(&o, " ago</td></tr>\n");
	}
	r |= sw_buf_addstr(&o, "</tbody></table>\n");

	r |= table_open(&o, "broken", "Broken", bcols);
	for (i = 0; i < f->list.n; i++) {
		const struct sw_farm_entry *en = &f->entries[i];
		const struct sw_attempt *a;

		if (en->nattempts == 0)
			continue;
		a = &en->attempts[en->nattempts - 1];
		snprintf(num, sizeof(num), "%zu", en->nattempts);
		sw_why_time(a->time, t, sizeof(t));
		r |= sw_buf_addstr(&o, "<tr class=\"bad\">") | td(&o, en->id.pkgbase) |
			td(&o, num) | td(&o, a->slave) | td(&o, t);
		snprintf(num, sizeof(num), "%zu", en->waiting);
		r |= td(&o, num);
		if (strcmp(a->log, "-") != 0 && write_log(f, dir, a->log, e) == 0)
			r |= sw_buf_addstr(&o, "<td><a href=\"logs/") | h(&o, a->log) |
				sw_buf_addstr(&o, ".txt\">") | h(&o, a->log) |
				sw_buf_addstr(&o, "</a></td>");
		else
			r |= td(&o, strcmp(a->log, "-") ? "log unreadable" : "no log");
		r |= sw_buf_addstr(&o, "</tr>\n");
	}
	r |= sw_buf_addstr(&o, "</tbody></table>\n");

	r |= table_open(&o, "blocked", "Blocked", kcols);
	for (i = 0; i < f->list.n; i++) {
		const struct sw_farm_entry *en = &f->entries[i];

		if (!en->blocked)
			continue;
		sw_why_time(en->block.time, t, sizeof(t));
		r |= sw_buf_addstr(&o, "<tr>") | td(&o, en->id.pkgbase) |
			td(&o, en->block.who) | td(&o, t) | td(&o, en->block.reason) |
			sw_buf_addstr(&o, "</tr>\n");
	}
	r |= sw_buf_addstr(&o, "</tbody></table>\n");

	r |= table_open(&o, "cycles", "Dependency cycles", ccols);
	for (i = 0; i < f->ncycles; i++) {
		snprintf(num, sizeof(num), "%zu", i + 1);
		r |= sw_buf_addstr(&o, "<tr>") | td(&o, num) |
			sw_buf_addstr(&o, "<td>");
		for (k = 0; k < f->cycles[i].n; k++)
			r |= (k ? sw_buf_addstr(&o, " ") : 0) |
				h(&o, f->entries[f->cycles[i].members[k]].id.pkgbase);
		r |= sw_buf_addstr(&o, "</td></tr>\n");
	}
	r |= sw_buf_addstr(&o, "</tbody></table>\n");

	r |= table_open(&o, "repositories", "Repositories", rcols);
	for (i = 0; i < f->stages.n; i++) {
		const struct sw_stage_repo *sr = &f->stages.v[i];

		for (s = 0; s < SW_STAGE_COUNT; s++)
			for (k = 0; k < sr->n[s]; k++) {
				const struct sw_stage_pkg *pk = &sr->pkgs[s][k];
				const struct sw_stage_pkg *st = s == SW_STAGE_STABLE ? NULL :
					sw_stages_find(sr, SW_STAGE_STABLE, pk->name);
				int nw = sw_status_newer(sr, (enum sw_stage)s, pk);

				r |= sw_buf_addstr(&o, nw == 1 ? "<tr class=\"newer\">" :
					"<tr>") | td(&o, sr->name[s]) |
					td(&o, sw_stage_name((enum sw_stage)s)) |
					td(&o, pk->name) | td(&o, pk->version) |
					td(&o, s == SW_STAGE_STABLE ? "" : st ? st->version :
						"(none)") | sw_buf_addstr(&o, "</tr>\n");
			}
	}
	r |= sw_buf_addstr(&o, "</tbody></table>\n");

	r |= table_open(&o, "slaves", "Slaves", scols);
	for (i = 0; i < f->nslaves; i++) {
		int64_t hb = sw_status_heartbeat(&f->slaves[i], m);

		if (hb)
			sw_why_duration(f->now - hb, d, sizeof(d));
		r |= sw_buf_addstr(&o, "<tr>") | td(&o, f->slaves[i].name) |
			sw_buf_addstr(&o, "<td>") | h(&o, hb ? d : "never seen") |
			sw_buf_addstr(&o, hb ? " ago</td><td>" : "</td><td>");
		for (k = 0; k < f->list.n; k++)
			if (f->entries[k].locked &&
			    strcmp(f->entries[k].lock.slave, f->slaves[i].name) == 0)
				r |= h(&o, f->entries[k].id.pkgbase) | sw_buf_addch(&o, ' ');
		r |= sw_buf_addstr(&o, "</td></tr>\n");
	}
	r |= sw_buf_addstr(&o, "</tbody></table>\n");
	r |= sw_buf_addstr(&o, html_tail);
	if (r < 0)
		goto nomem;
	if (prune_logs(f, dir, e) < 0)
		goto out;
	sw_buf_reset(&p);
	if (sw_buf_addf(&p, "%s/index.html", dir) < 0)
		goto nomem;
	ret = sw_file_replace(p.data, o.data, o.len, 0644, e);
	goto out;
nomem:
	sw_err_sys(e, "cannot format the status page");
out:
	sw_buf_release(&o);
	sw_buf_release(&p);
	return ret;
}

