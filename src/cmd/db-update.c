/* db-update: promote staging -> testing -> stable, apply the deletion list. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/cli.h"
#include "core/config.h"
#include "core/log.h"
#include "queue/sanity.h"
#include "repo/promote.h"

enum { EXIT_OK = 0, EXIT_BUSY = 1, EXIT_REFUSED = 2, EXIT_MISSING = 3,
	EXIT_DUPLICATE = 4, EXIT_BACKWARDS = 5, EXIT_SPLIT = 6, EXIT_FAIL = 10,
	EXIT_USAGE = 64 };

static const char usage_text[] =
	"usage: db-update [options]\n"
	"       db-update [options] --stabilize PKG... | --unstage PKG...\n"
	"       db-update [options] --cleanup\n"
	"\n"
	"Moves every package that can go from staging to testing, and tested\n"
	"packages from testing to stable, keeping every repository installable;\n"
	"applies the deletion list. PKG is a pkgbase or a full id.\n"
	"\n"
	"Options:\n"
	"  -n, --dry-run          print the plan, change nothing\n"
	"  -w, --wait             wait for the locks (else busy at once)\n"
	"  -s, --stabilize PKG... move these from testing to stable too\n"
	"  -u, --unstage PKG...   move these from staging to testing, or refuse\n"
	"  -f, --force            move named packages even if that breaks\n"
	"                         installability\n"
	"  -j, --json             print the plan or the result as JSON\n"
	"      --cleanup          remove pool files no repository links to,\n"
	"                         older than keep_days\n"
	"  -c, --config FILE      master configuration\n"
	"  -v, --verbose          say why each candidate stays\n"
	"  -q, --quiet            say only what went wrong\n"
	"  -h, --help             show this help\n"
	"  -V, --version          show the version\n"
	"\n"
	"Exit status: 0 done, 1 busy, 2 a named move refused, 3 a file or\n"
	"signature missing or bad, 4 a duplicate version, 5 a version going\n"
	"backwards, 6 a split package missing, 10 failed, 64 usage. Unless 0,\n"
	"nothing moved.\n";

struct opts {
	struct sw_promote_opts p;
	struct sw_strvec *last;   /* where operands go */
	bool json, cleanup;
};

static const struct option long_opts[] = {
	{ "dry-run", no_argument, NULL, 'n' },
	{ "wait", no_argument, NULL, 'w' },
	{ "stabilize", required_argument, NULL, 's' },
	{ "unstage", required_argument, NULL, 'u' },
	{ "force", no_argument, NULL, 'f' },
	{ "json", no_argument, NULL, 'j' },
	{ "cleanup", no_argument, NULL, 'C' },
	{ NULL, 0, NULL, 0 },
};

static int
option(int opt, const char *arg, void *ctx, struct sw_err *e)
{
	struct opts *o = ctx;

	switch (opt) {
	case 'n': o->p.dry_run = true; return 0;
	case 'w': o->p.wait = true; return 0;
	case 'f': o->p.force = true; return 0;
	case 'j': o->json = true; return 0;
	case 'C': o->cleanup = true; return 0;
	case 's': o->last = &o->p.stabilize; break;
	case 'u': o->last = &o->p.unstage; break;
	default: return sw_err_set(e, "unknown option");
	}
	return sw_strvec_push(o->last, arg) < 0 ? sw_err_sys(e, "%s", arg) : 0;
}

static const char *const kinds[] = { "move", "delete", "hold", "drop" };

/* Names are checked by the library; messages may hold quotes. */
static void
json_str(const char *s)
{
	putchar('"');
	for (; *s; s++)
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	putchar('"');
}

static void
print_json(const struct sw_promote_plan *p)
{
	char id[SW_ID_MAX + 1];
	size_t i, j;

	printf("{\"applied\":%s,\"items\":[", p->applied ? "true" : "false");
	for (i = 0; i < p->n; i++) {
		const struct sw_promote_item *it = &p->v[i];

		printf("%s{\"kind\":\"%s\",\"pkgbase\":", i ? "," : "",
			kinds[it->kind]);
		json_str(it->id.pkgbase);
		if (it->id.src[0] != '\0') {
			sw_id_format(&it->id, id, sizeof(id));
			printf(",\"id\":");
			json_str(id);
		}
		printf(",\"from\":");
		json_str(it->from);
		printf(",\"to\":");
		json_str(it->to);
		printf(",\"why\":");
		json_str(it->why);
		printf(",\"files\":[");
		for (j = 0; j < it->files.n; j++) {
			printf("%s", j ? "," : "");
			json_str(it->files.v[j]);
		}
		printf("]}");
	}
	printf("]}\n");
}

static void
print_text(const struct sw_promote_plan *p, bool verbose)
{
	const char *pre = p->applied ? "" : "would ";
	char id[SW_ID_MAX + 1];
	size_t i;

	for (i = 0; i < p->n; i++) {
		const struct sw_promote_item *it = &p->v[i];

		sw_id_format(&it->id, id, sizeof(id));
		switch (it->kind) {
		case SW_PROMOTE_MOVE:
			printf("%smove '%s' %s -> %s\n", pre, id, it->from, it->to);
			break;
		case SW_PROMOTE_DELETE:
			printf("%sdelete '%s' from %s\n", pre, it->id.pkgbase, it->from);
			break;
		case SW_PROMOTE_DROP:
			sw_info("deletion of '%s' (%s) dropped: %s", it->id.pkgbase,
				it->from, it->why);
			break;
		case SW_PROMOTE_HOLD:
			if (verbose)
				printf("hold '%s' in %s: %s\n", it->id.src[0] ? id :
					it->id.pkgbase, it->from, it->why);
			break;
		}
	}
}

static int
cleanup(const struct sw_master_conf *c, const struct opts *o)
{
	struct sw_strvec removed = SW_STRVEC_INIT;
	struct sw_err e;
	size_t i;
	int rc = EXIT_FAIL;

	switch (sw_promote_cleanup(c, o->p.wait, o->p.dry_run, (int64_t)time(NULL),
	    &removed, &e)) {
	case SW_PROMOTE_OK:
		for (i = 0; i < removed.n; i++)
			printf("%sremove pool/%s\n", o->p.dry_run ? "would " : "",
				removed.v[i]);
		rc = EXIT_OK;
		break;
	case SW_PROMOTE_BUSY:
		sw_error("busy: %s", e.msg);
		rc = EXIT_BUSY;
		break;
	default:
		sw_error("%s", e.msg);
		break;
	}
	sw_strvec_release(&removed);
	return rc;
}

int
main(int argc, char **argv)
{
	static const int codes[] = { [SW_PROMOTE_OK] = EXIT_OK,
		[SW_PROMOTE_BUSY] = EXIT_BUSY, [SW_PROMOTE_REFUSED] = EXIT_REFUSED,
		[SW_PROMOTE_MISSING] = EXIT_MISSING,
		[SW_PROMOTE_DUPLICATE] = EXIT_DUPLICATE,
		[SW_PROMOTE_BACKWARDS] = EXIT_BACKWARDS, [SW_PROMOTE_SPLIT] = EXIT_SPLIT };
	struct sw_master_conf conf;
	struct sw_promote_plan plan;
	struct opts o;
	struct sw_cli cli;
	struct sw_err e;
	const struct sw_cli_spec spec = {
		.prog = "db-update",
		.usage = usage_text,
		.extra_short = "nws:u:fj",
		.extra_long = long_opts,
		.fn = option,
		.ctx = &o,
		.max_operands = -1,
		.usage_status = EXIT_USAGE,
	};
	enum sw_promote_result r;
	int i, status, rc = EXIT_FAIL;

	memset(&o, 0, sizeof(o));
	memset(&conf, 0, sizeof(conf));
	sw_strvec_init(&o.p.stabilize);
	sw_strvec_init(&o.p.unstage);
	sw_promote_plan_init(&plan);
	status = sw_cli_start(&spec, argc, argv, &cli);
	if (status >= 0)
		goto done;
	/* "--stabilize a b c": the operands belong to the last of the two */
	for (i = cli.first_operand; i < argc; i++)
		if (o.last == NULL || sw_strvec_push(o.last, argv[i]) < 0) {
			status = sw_cli_usage_error(&spec, "unexpected argument '%s'",
				argv[i]);
			goto done;
		}
	if (o.cleanup && (o.p.stabilize.n || o.p.unstage.n || o.p.force)) {
		status = sw_cli_usage_error(&spec, "--cleanup moves nothing");
		goto done;
	}
	if (sw_master_conf_locate_load(cli.config, &conf, &e) < 0) {
		sw_error("%s", e.msg);
		goto out;
	}
	/* nothing moves while the master is marked not sane */
	switch (sw_sanity_gate(conf.state_dir, &e)) {
	case SW_SANITY_OK:
		break;
	case SW_SANITY_NOT_SANE:
		sw_error("%s", e.msg);
		rc = EXIT_REFUSED;
		goto out;
	default:
		sw_error("%s", e.msg);
		goto out;
	}
	if (o.cleanup) {
		rc = cleanup(&conf, &o);
		goto out;
	}
	r = sw_promote_run(&conf, &o.p, (int64_t)time(NULL), &plan, &e);
	if (r == SW_PROMOTE_ERROR) {
		sw_error("%s", e.msg);
		goto out;
	}
	if (r == SW_PROMOTE_BUSY)
		sw_error("busy: %s", e.msg);
	else if (r != SW_PROMOTE_OK)
		sw_error("%s: nothing moved", e.msg);
	if (o.json && r != SW_PROMOTE_BUSY)
		print_json(&plan);
	else if (r == SW_PROMOTE_OK)
		print_text(&plan, cli.verbosity > 0);
	rc = fflush(stdout) == 0 ? codes[r] : EXIT_FAIL;
out:
	status = rc;
done:
	sw_promote_plan_release(&plan);
	sw_strvec_release(&o.p.stabilize);
	sw_strvec_release(&o.p.unstage);
	sw_master_conf_release(&conf);
	return status;
}
