/* config: master.conf and slave.conf; every error names file and line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include <sys/wait.h>

#include "core/config.h"

#define FPR "0123456789abcdef0123456789ABCDEF01234567"
#define FPR_UP "0123456789ABCDEF0123456789ABCDEF01234567"

/* lines 1-4 of most test files */
#define MASTER_MIN "[master]\nstate_dir = s\nrepo_dir = r\narch = x86_64\n"
#define SLAVE_MIN "[slave]\nname = alpha\nmaster = slipway@host\n" \
	"work_dir = w\ngpg_key = " FPR "\n"

struct fx {
	char *dir;   /* the temp directory */
	char *conf;  /* <dir>/conf: where the files go */
	char *file;  /* <dir>/conf/test.conf */
	char *home;  /* $HOME at setup, restored at teardown */
};

static int
setup(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));
	const char *home = getenv("HOME");

	assert_non_null(x);
	x->dir = tu_tmpdir();
	x->conf = tu_path(x->dir, "conf");
	x->file = tu_path(x->conf, "test.conf");
	assert_int_equal(mkdir(x->conf, 0755), 0);
	x->home = home ? strdup(home) : NULL;
	assert_int_equal(setenv("HOME", "/home/tester", 1), 0);
	*state = x;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *x = *state;

	if (x->home)
		setenv("HOME", x->home, 1);
	else
		unsetenv("HOME");
	tu_rmrf(x->dir);
	free(x->dir);
	free(x->conf);
	free(x->file);
	free(x->home);
	free(x);
	return 0;
}

static int
load_master(struct fx *x, const char *text, size_t len, struct sw_master_conf *c,
	struct sw_err *e)
{
	tu_write(x->file, text, len);
	return sw_master_conf_load(x->file, c, e);
}

/* Loading text must fail with "<file>:<rest>". */
static void
master_error(struct fx *x, const char *text, size_t len, const char *rest)
{
	struct sw_master_conf c;
	struct sw_err e;
	char want[SW_ERR_MAX];

	if (load_master(x, text, len, &c, &e) == 0)
		fail_msg("accepted:\n%s", text);
	snprintf(want, sizeof(want), "%s:%s", x->file, rest);
	if (strcmp(e.msg, want) != 0)
		fail_msg("for:\n%s\ngot  '%s'\nwant '%s'", text, e.msg, want);
	sw_master_conf_release(&c);
}

#define MERR(x, lit, rest) master_error(x, lit, sizeof(lit) - 1, rest)

static void
slave_error(struct fx *x, const char *text, size_t len, const char *rest)
{
	struct sw_slave_conf c;
	struct sw_err e;
	char want[SW_ERR_MAX];

	tu_write(x->file, text, len);
	if (sw_slave_conf_load(x->file, &c, &e) == 0)
		fail_msg("accepted:\n%s", text);
	snprintf(want, sizeof(want), "%s:%s", x->file, rest);
	if (strcmp(e.msg, want) != 0)
		fail_msg("for:\n%s\ngot  '%s'\nwant '%s'", text, e.msg, want);
	sw_slave_conf_release(&c);
}

#define SERR(x, lit, rest) slave_error(x, lit, sizeof(lit) - 1, rest)

/* "<conf>/<rel>" */
static void
assert_resolved(const struct fx *x, const char *got, const char *rel)
{
	char want[4096];

	snprintf(want, sizeof(want), "%s/%s", x->conf, rel);
	assert_string_equal(got, want);
}

static const char full_master[] =
	"# a comment\n"
	"; another\n"
	"\n"
	"[master]\n"
	"state_dir = ../state\n"
	"repo_dir = /srv/repos\n"
	"arch = x86_64\n"
	"repo_key =                   ; empty: unsigned\n"
	"gnupg_home = ~/gnupg\n"
	"\n"
	"[source upstream]\n"
	"url = /srv/git/packages.git\n"
	"branch = main\n"
	"layout = repo/pkgbase        ; inline comment\n"
	"\n"
	"[source aur]\n"
	"url = https://aur.archlinux.org/%s.git\n"
	"layout = per-package\n"
	"repository = community\n"
	"packages = yay paru\n"
	"\tpikaur\n"
	"   aurutils  python3.11-foo\n"
	"\n"
	"[source chaotic]\n"
	"url = git/chaotic.git\n"
	"layout = pkgbase\n"
	"repository = extra\n"
	"\n"
	"[source svn]\n"
	"url = git@github.com:archlinux/svntogit-packages.git\n"
	"layout = svntogit\n"
	"\n"
	"[customizations]\n"
	"url = ../custom\n"
	"\n"
	"[repository extra]\n"
	"staging = extra-staging\n"
	"testing = extra-testing\n"
	"from = community\n"
	"\n"
	"[repository core]\n"
	"staging = core-staging\n"
	"testing = core-testing\n"
	"\n"
	"[slave alpha]\n"
	"key = " FPR "\n"
	"\n"
	"[slave beta.2]\n"
	"key = " FPR_UP "\n"
	"max_assignments = 4\n";

static void
test_master_full(void **state)
{
	struct fx *x = *state;
	struct sw_master_conf c;
	struct sw_err e;

	if (load_master(x, full_master, sizeof(full_master) - 1, &c, &e) < 0)
		fail_msg("%s", e.msg);
	assert_string_equal(c.path, x->file);
	assert_resolved(x, c.state_dir, "../state");
	assert_string_equal(c.repo_dir, "/srv/repos");
	assert_string_equal(c.arch, "x86_64");
	assert_null(c.repo_key);
	assert_string_equal(c.gnupg_home, "/home/tester/gnupg");
	/* defaults */
	assert_int_equal(c.lease_timeout, 600);
	assert_int_equal(c.broken_retries, 2);
	assert_int_equal(c.broken_retry_delay, 3600);
	assert_int_equal(c.max_upload_size, 4ULL << 30);

	assert_int_equal(c.nsources, 4);
	assert_string_equal(c.sources[0].sec.name, "upstream");
	assert_int_equal(c.sources[0].sec.line, 11);
	assert_string_equal(c.sources[0].url, "/srv/git/packages.git");
	assert_string_equal(c.sources[0].branch, "main");
	assert_int_equal(c.sources[0].layout, SW_LAYOUT_REPO_PKGBASE);
	assert_null(c.sources[0].repository);
	assert_int_equal(c.sources[0].packages.n, 0);

	assert_string_equal(c.sources[1].url, "https://aur.archlinux.org/%s.git");
	assert_null(c.sources[1].branch);
	assert_int_equal(c.sources[1].layout, SW_LAYOUT_PER_PACKAGE);
	assert_string_equal(c.sources[1].repository, "community");
	/* a list continues on indented lines */
	assert_int_equal(c.sources[1].packages.n, 5);
	assert_string_equal(c.sources[1].packages.v[0], "yay");
	assert_string_equal(c.sources[1].packages.v[2], "pikaur");
	assert_string_equal(c.sources[1].packages.v[4], "python3.11-foo");
	assert_null(c.sources[1].packages.v[5]);

	/* a relative URL is a path relative to the file; scp-like URLs stay */
	assert_resolved(x, c.sources[2].url, "git/chaotic.git");
	assert_int_equal(c.sources[2].layout, SW_LAYOUT_PKGBASE);
	assert_string_equal(c.sources[3].url,
		"git@github.com:archlinux/svntogit-packages.git");
	assert_int_equal(c.sources[3].layout, SW_LAYOUT_SVNTOGIT);

	assert_non_null(c.customizations);
	assert_resolved(x, c.customizations->url, "../custom");
	assert_null(c.customizations->branch);

	assert_int_equal(c.nrepos, 2);
	assert_string_equal(c.repos[0].sec.name, "extra");
	assert_string_equal(c.repos[0].staging, "extra-staging");
	assert_string_equal(c.repos[0].testing, "extra-testing");
	assert_int_equal(c.repos[0].from.n, 1);
	assert_string_equal(c.repos[0].from.v[0], "community");
	assert_int_equal(c.repos[1].from.n, 0);
	assert_true(sw_master_conf_repo(&c, "extra") == &c.repos[0]);
	assert_true(sw_master_conf_repo(&c, "extra-staging") == &c.repos[0]);
	assert_true(sw_master_conf_repo(&c, "core-testing") == &c.repos[1]);
	assert_null(sw_master_conf_repo(&c, "community"));

	assert_int_equal(c.nslaves, 2);
	assert_string_equal(c.slaves[0].key, FPR_UP); /* upper case */
	assert_int_equal(c.slaves[0].max_assignments, 1);
	assert_int_equal(c.slaves[1].max_assignments, 4);
	assert_true(sw_master_conf_slave(&c, "beta.2") == &c.slaves[1]);
	assert_null(sw_master_conf_slave(&c, "gamma"));
	assert_null(sw_master_conf_slave(&c, "alph"));

	sw_master_conf_release(&c);
	assert_null(c.state_dir);
	assert_null(c.sources);
	assert_int_equal(c.nsources, 0);
	sw_master_conf_release(&c); /* twice: harmless */
}

static void
test_master_minimal_and_values(void **state)
{
	struct fx *x = *state;
	struct sw_master_conf c;
	struct sw_err e;
	static const char text[] = MASTER_MIN
		"lease_timeout = 10\n"
		"broken_retries = 0\n"
		"broken_retry_delay = 0\n"
		"max_upload_size = 1T\n"
		"repo_key = " FPR "\n";

	if (load_master(x, text, sizeof(text) - 1, &c, &e) < 0)
		fail_msg("%s", e.msg);
	assert_resolved(x, c.state_dir, "s");
	assert_int_equal(c.lease_timeout, 10);
	assert_int_equal(c.broken_retries, 0);
	assert_int_equal(c.broken_retry_delay, 0);
	assert_int_equal(c.max_upload_size, 1ULL << 40);
	assert_string_equal(c.repo_key, FPR_UP);
	assert_null(c.gnupg_home);
	assert_int_equal(c.nsources, 0);
	assert_null(c.customizations);
	assert_int_equal(c.nrepos, 0);
	sw_master_conf_release(&c);
}

/* The [master] section need not come first. */
static void
test_master_section_order(void **state)
{
	struct fx *x = *state;
	struct sw_master_conf c;
	struct sw_err e;
	static const char text[] =
		"[slave alpha]\n"
		"key = " FPR "\n"
		"[master]\n"
		"state_dir = s\n"
		"repo_dir = r\n"
		"arch = x86_64\n";

	if (load_master(x, text, sizeof(text) - 1, &c, &e) < 0)
		fail_msg("%s", e.msg);
	assert_string_equal(c.arch, "x86_64");
	assert_int_equal(c.nslaves, 1);
	sw_master_conf_release(&c);
}

/* Empty means "not set": the default, or an error for a required key. */
static void
test_master_empty_values(void **state)
{
	struct fx *x = *state;
	struct sw_master_conf c;
	struct sw_err e;
	static const char text[] = MASTER_MIN
		"lease_timeout =\n"
		"max_upload_size =     ; comment\n"
		"gnupg_home =\n"
		"[source aur]\n"
		"url = /srv/aur/%s.git\n"
		"layout = per-package\n"
		"repository = community\n"
		"packages =\n"
		"  yay\n"
		"[slave alpha]\n"
		"key = " FPR "\n"
		"max_assignments =\n";

	if (load_master(x, text, sizeof(text) - 1, &c, &e) < 0)
		fail_msg("%s", e.msg);
	assert_int_equal(c.lease_timeout, 600);
	assert_int_equal(c.max_upload_size, 4ULL << 30);
	assert_null(c.gnupg_home);
	assert_int_equal(c.sources[0].packages.n, 1);
	assert_string_equal(c.sources[0].packages.v[0], "yay");
	assert_int_equal(c.slaves[0].max_assignments, 1);
	sw_master_conf_release(&c);

	MERR(x, "[master]\nstate_dir =\nrepo_dir = r\narch = x86_64\n",
		"2: 'state_dir' needs a value");
	MERR(x, MASTER_MIN "[source up]\nurl =\nlayout = svntogit\n",
		"6: 'url' needs a value");
	MERR(x, MASTER_MIN "[source up]\nurl = /x\nlayout =\n",
		"7: 'layout' needs a value");
	MERR(x, MASTER_MIN "[repository core]\nstaging = core-staging\ntesting =\n",
		"7: 'testing' needs a value");
	MERR(x, MASTER_MIN "[slave alpha]\nkey =\n", "6: 'key' needs a value");
}

static void
test_master_unknown(void **state)
{
	struct fx *x = *state;

	MERR(x, MASTER_MIN "foo = 1\n", "5: unknown key 'foo' in [master]");
	MERR(x, MASTER_MIN "State_Dir = x\n", "5: unknown key 'State_Dir' in [master]");
	MERR(x, MASTER_MIN "[source up]\nurl = /x\nlayout = svntogit\nbranch = main\n"
		"depth = 1\n", "9: unknown key 'depth' in [source up]");
	MERR(x, MASTER_MIN "[mystery]\n", "5: unknown section [mystery]");
	MERR(x, MASTER_MIN "[slaves alpha]\n", "5: unknown section [slaves]");
	MERR(x, "arch = x86_64\n" MASTER_MIN, "1: key 'arch' outside of any section");
}

static void
test_master_duplicates(void **state)
{
	struct fx *x = *state;

	MERR(x, MASTER_MIN "arch = i686\n", "5: duplicate key 'arch'");
	MERR(x, MASTER_MIN "[slave a]\nkey = " FPR "\n[slave a]\nkey = " FPR "\n",
		"7: duplicate section [slave a]");
	MERR(x, MASTER_MIN "[source a]\nurl = /x\nlayout = svntogit\n[source a]\n",
		"8: duplicate section [source a]");
	MERR(x, MASTER_MIN "[master]\n", "5: duplicate section [master]");
	MERR(x, MASTER_MIN "[slave a]\nkey = " FPR "\n[master]\n",
		"7: duplicate section [master]");
	MERR(x, MASTER_MIN "[customizations]\nurl = /c\n[customizations]\nurl = /d\n",
		"7: duplicate section [customizations]");
	MERR(x, MASTER_MIN "[repository core]\nstaging = core-staging\n"
		"testing = core-testing\n[repository extra]\nstaging = core-staging\n"
		"testing = extra-testing\n",
		"8: [repository extra]: repository 'core-staging' is used twice");
	MERR(x, MASTER_MIN "[repository core]\nstaging = core\ntesting = core-testing\n",
		"5: [repository core]: repository 'core' is used twice");
}

static void
test_master_debug_repos(void **state)
{
	static const char text[] = MASTER_MIN "[repository extra]\n"
		"staging = extra-staging\ntesting = extra-testing\ndebug = yes\n"
		"[repository core]\nstaging = core-staging\ntesting = core-testing\n";
	struct fx *x = *state;
	struct sw_master_conf c;
	struct sw_err e;

	if (load_master(x, text, sizeof(text) - 1, &c, &e) < 0)
		fail_msg("%s", e.msg);
	assert_int_equal(c.repos[0].debug, 1);
	assert_string_equal(c.repos[0].debug_repo[0], "extra-staging-debug");
	assert_string_equal(c.repos[0].debug_repo[1], "extra-testing-debug");
	assert_string_equal(c.repos[0].debug_repo[2], "extra-debug");
	/* off by default: no debug repositories */
	assert_int_equal(c.repos[1].debug, 0);
	assert_string_equal(c.repos[1].debug_repo[2], "");
	sw_master_conf_release(&c);
	/* a debug repository's name taken by another repository */
	MERR(x, MASTER_MIN "[repository core]\nstaging = core-staging\n"
		"testing = core-testing\ndebug = yes\n[repository core-debug]\n"
		"staging = cd-staging\ntesting = cd-testing\n",
		"5: [repository core]: debug repository 'core-debug' is used twice");
	MERR(x, MASTER_MIN "[repository core]\nstaging = core-staging\n"
		"testing = core-testing\ndebug = maybe\n",
		"8: debug: unknown value 'maybe'");
}

static void
test_master_missing(void **state)
{
	struct fx *x = *state;

	/* at the line of the section header */
	MERR(x, "\n[master]\nstate_dir = s\nrepo_dir = r\n", "2: [master] has no 'arch'");
	MERR(x, MASTER_MIN "[source up]\nurl = /x\n\n[slave a]\nkey = " FPR "\n",
		"5: [source up] has no 'layout'");
	MERR(x, MASTER_MIN "[slave a]\n", "5: [slave a] has no 'key'");
	MERR(x, MASTER_MIN "[customizations]\nbranch = main\n",
		"5: [customizations] has no 'url'");
	MERR(x, "", "1: no [master] section");
	MERR(x, "# only a comment\n", "1: no [master] section");
	MERR(x, "[slave alpha]\nkey = " FPR "\n", "1: no [master] section");
	{
		struct sw_master_conf c;
		struct sw_err e;
		char *missing = tu_path(x->conf, "none.conf");
		char want[4096];

		assert_int_equal(sw_master_conf_load(missing, &c, &e), -1);
		snprintf(want, sizeof(want), "cannot open '%s': no such file", missing);
		assert_string_equal(e.msg, want);
		sw_master_conf_release(&c);
		free(missing);
	}
}

static void
test_master_bad_values(void **state)
{
	struct fx *x = *state;

	MERR(x, MASTER_MIN "lease_timeout = 5\n",
		"5: lease_timeout: number '5' out of range 10..604800");
	MERR(x, MASTER_MIN "lease_timeout = ten\n",
		"5: lease_timeout: invalid number 'ten': expected digits only");
	MERR(x, MASTER_MIN "lease_timeout = -1\n",
		"5: lease_timeout: invalid number '-1': expected digits only");
	MERR(x, MASTER_MIN "broken_retries = 18446744073709551616\n",
		"5: broken_retries: invalid number '18446744073709551616': expected "
		"digits only");
	MERR(x, MASTER_MIN "max_upload_size = 4g\n",
		"5: max_upload_size: invalid number '4g': expected digits with an "
		"optional K, M, G or T");
	MERR(x, MASTER_MIN "max_upload_size = 2T\n",
		"5: max_upload_size: number '2T' out of range 1024..1099511627776");
	MERR(x, "[master]\nstate_dir = s\nrepo_dir = r\narch = x86-64\n",
		"4: arch: invalid arch 'x86-64'");
	MERR(x, MASTER_MIN "repo_key = 1234\n",
		"5: repo_key: invalid key fingerprint '1234'");
	MERR(x, MASTER_MIN "[slave a]\nkey = " FPR "0\n",
		"6: key: invalid key fingerprint '" FPR "0'");
	MERR(x, MASTER_MIN "[slave a]\nkey = " FPR "\nmax_assignments = 0\n",
		"7: max_assignments: number '0' out of range 1..64");
	MERR(x, MASTER_MIN "[source up]\nurl = /x\nlayout = flat\n",
		"7: layout: unknown value 'flat'");
	MERR(x, MASTER_MIN "[source up]\nurl = /x\nlayout = Pkgbase\n",
		"7: layout: unknown value 'Pkgbase'");
	MERR(x, MASTER_MIN "[source aur]\nurl = /aur/%s\nlayout = per-package\n"
		"repository = community\npackages = yay ../x\n",
		"9: packages: invalid pkgbase '../x'");
	MERR(x, MASTER_MIN "[repository core]\nstaging = core-staging\n"
		"testing = core-testing\nfrom = extra Community\n",
		"8: from: invalid repository name 'Community'");
	MERR(x, MASTER_MIN "[slave ../x]\n",
		"5: [slave ../x]: invalid slave name '../x'");
	MERR(x, MASTER_MIN "[repository co.re]\n",
		"5: [repository co.re]: invalid repository name 'co.re'");
	MERR(x, MASTER_MIN "[source]\n", "5: section [source] needs a name: [source NAME]");
	MERR(x, MASTER_MIN "[customizations x]\n", "5: section [customizations] takes no name");
	MERR(x, MASTER_MIN "[source a b]\n", "5: bad section name 'a b'");
	MERR(x, MASTER_MIN "[source a\n", "5: section header without ']'");
	MERR(x, MASTER_MIN "[source a] x\n", "5: text after section header");
	MERR(x, MASTER_MIN "[]\n", "5: bad section header");
	MERR(x, MASTER_MIN "just words\n",
		"5: syntax error (expected 'key = value' or '[section]')");
}

static void
test_master_source_rules(void **state)
{
	struct fx *x = *state;

	MERR(x, MASTER_MIN "\n[source aur]\nurl = https://aur.archlinux.org/x.git\n"
		"layout = per-package\nrepository = community\npackages = yay\n",
		"6: [source aur]: 'url' must hold exactly one %s (the pkgbase)");
	MERR(x, MASTER_MIN "[source aur]\nurl = https://h/%s/%s.git\n"
		"layout = per-package\nrepository = community\npackages = yay\n",
		"5: [source aur]: 'url' must hold exactly one %s (the pkgbase)");
	MERR(x, MASTER_MIN "[source aur]\nurl = https://h/%d/%s.git\n"
		"layout = per-package\nrepository = community\npackages = yay\n",
		"5: [source aur]: 'url' must hold exactly one %s (the pkgbase)");
	MERR(x, MASTER_MIN "[source up]\nurl = /srv/%s.git\nlayout = svntogit\n",
		"5: [source up]: 'url' must hold no %");
	MERR(x, MASTER_MIN "[source c]\nurl = /srv/c.git\nlayout = pkgbase\n",
		"5: [source c]: 'repository' is required for layout pkgbase");
	MERR(x, MASTER_MIN "[source c]\nurl = /srv/c.git\nlayout = repo/pkgbase\n"
		"repository = extra\n",
		"5: [source c]: 'repository' is not allowed for layout repo/pkgbase");
	MERR(x, MASTER_MIN "[source aur]\nurl = /aur/%s\nlayout = per-package\n"
		"repository = community\n",
		"5: [source aur]: 'packages' is required for layout per-package");
	MERR(x, MASTER_MIN "[source c]\nurl = /srv/c.git\nlayout = pkgbase\n"
		"repository = extra\npackages = foo\n",
		"5: [source c]: 'packages' is not allowed for layout pkgbase");
}

static void
test_master_continuation(void **state)
{
	struct fx *x = *state;

	/* only list keys continue on an indented line */
	MERR(x, MASTER_MIN "  i686\n",
		"5: key 'arch' does not continue on an indented line");
	MERR(x, "[master]\nstate_dir = s\n  repo_dir = r\narch = x86_64\n",
		"3: key 'state_dir' does not continue on an indented line");
	/* and a continuation is not a second "packages =" line */
	MERR(x, MASTER_MIN "[source aur]\nurl = /aur/%s\nlayout = per-package\n"
		"repository = community\npackages = yay\npackages = paru\n",
		"10: duplicate key 'packages'");
}

static void
test_master_hostile_bytes(void **state)
{
	struct fx *x = *state;
	char text[1024];
	int n;

	MERR(x, MASTER_MIN "branch = ma\0in\n", "5: NUL byte in line");
	MERR(x, "[master]\nstate_dir = s\0\nrepo_dir = r\narch = x86_64\n",
		"2: NUL byte in line");
	/* a line over the limit, even in a comment */
	n = snprintf(text, sizeof(text), MASTER_MIN "gnupg_home = /%0300d\n", 0);
	master_error(x, text, (size_t)n,
		"5: line longer than 197 bytes (continue a list on an indented line)");
	n = snprintf(text, sizeof(text), MASTER_MIN "\n\n# %0300d\n", 0);
	master_error(x, text, (size_t)n,
		"7: line longer than 197 bytes (continue a list on an indented line)");
	/* the longest line that is allowed */
	n = snprintf(text, sizeof(text), MASTER_MIN "gnupg_home = /%0183d\n", 0);
	assert_int_equal(n - (int)strlen(MASTER_MIN) - 1, 197);
	{
		struct sw_master_conf c;
		struct sw_err e;

		if (load_master(x, text, (size_t)n, &c, &e) < 0)
			fail_msg("%s", e.msg);
		assert_int_equal(strlen(c.gnupg_home), 184);
		sw_master_conf_release(&c);
	}
}

static void
test_master_home(void **state)
{
	struct fx *x = *state;
	struct sw_master_conf c;
	struct sw_err e;
	static const char text[] = MASTER_MIN "gnupg_home = ~/.gnupg\n";

	assert_int_equal(setenv("HOME", "/var/lib/slipway", 1), 0);
	if (load_master(x, text, sizeof(text) - 1, &c, &e) < 0)
		fail_msg("%s", e.msg);
	assert_string_equal(c.gnupg_home, "/var/lib/slipway/.gnupg");
	sw_master_conf_release(&c);
	unsetenv("HOME");
	MERR(x, MASTER_MIN "gnupg_home = ~/.gnupg\n",
		"5: cannot expand '~/.gnupg': HOME is not set");
	assert_int_equal(setenv("HOME", "relative", 1), 0);
	MERR(x, MASTER_MIN "gnupg_home = ~/.gnupg\n",
		"5: cannot expand '~/.gnupg': HOME is not set");
}

/* The example files of the tree load. */
static void
test_examples(void **state)
{
	const char *top = getenv("SLIPWAY_TOP");
	struct sw_master_conf m;
	struct sw_slave_conf s;
	struct sw_err e;
	char path[4096];

	(void)state;
	if (top == NULL)
		top = ".";
	snprintf(path, sizeof(path), "%s/conf/master.conf", top);
	if (sw_master_conf_load(path, &m, &e) < 0)
		fail_msg("%s", e.msg);
	sw_master_conf_release(&m);
	snprintf(path, sizeof(path), "%s/conf/slave.conf", top);
	if (sw_slave_conf_load(path, &s, &e) < 0)
		fail_msg("%s", e.msg);
	sw_slave_conf_release(&s);
}

static void
test_slave_valid(void **state)
{
	struct fx *x = *state;
	struct sw_slave_conf c;
	struct sw_err e;
	static const char text[] =
		"[slave]\n"
		"name = alpha\n"
		"master = slipway@build.example.org:2222\n"
		"work_dir = ../work\n"
		"gpg_key = " FPR "\n"
		"straws = plain\n"
		"  clean\n";

	tu_write(x->file, text, sizeof(text) - 1);
	if (sw_slave_conf_load(x->file, &c, &e) < 0)
		fail_msg("%s", e.msg);
	assert_string_equal(c.path, x->file);
	assert_string_equal(c.name, "alpha");
	assert_string_equal(c.master, "slipway@build.example.org:2222");
	assert_string_equal(c.identity, "/home/tester/.ssh/id_ed25519");
	assert_string_equal(c.known_hosts, "/home/tester/.ssh/known_hosts");
	assert_resolved(x, c.work_dir, "../work");
	assert_string_equal(c.gpg_key, FPR_UP);
	assert_null(c.gnupg_home);
	assert_int_equal(c.backend, SW_BACKEND_BWRAP);
	assert_int_equal(c.straws.n, 2);
	assert_string_equal(c.straws.v[0], "plain");
	assert_string_equal(c.straws.v[1], "clean");
	assert_null(c.command);
	/* the build keys' defaults */
	assert_null(c.arch);
	assert_null(c.makepkg_conf);
	assert_null(c.pacman_conf);
	assert_null(c.source_mirror);
	assert_null(c.devtools_chroot);
	assert_string_equal(c.makechrootpkg, "/usr/bin/makechrootpkg");
	assert_int_equal(c.build_timeout, 7200);
	assert_int_equal(c.build_cpu, 7200);
	assert_int_equal(c.build_memory, (uint64_t)8 << 30);
	assert_int_equal(c.build_processes, 1024);
	assert_int_equal(c.build_uid, 65534);
	assert_int_equal(c.build_logs, 50);
	assert_int_equal(c.source_cache_days, 30);
	sw_slave_conf_release(&c);
	assert_null(c.name);

	/* the build keys set */
	static const char text3[] = SLAVE_MIN
		"straws = nocheck mirror clean plain\n"
		"arch = aarch64\n"
		"makepkg_conf = mk.conf\n"
		"pacman_conf = /etc/farm.conf\n"
		"source_mirror = https://mirror.example.org/sources\n"
		"build_timeout = 60\nbuild_cpu = 30\nbuild_memory = 512M\n"
		"build_processes = 64\nbuild_uid = 1234\nbuild_logs = 0\n"
		"source_cache_days = 7\n";
	tu_write(x->file, text3, sizeof(text3) - 1);
	if (sw_slave_conf_load(x->file, &c, &e) < 0)
		fail_msg("%s", e.msg);
	assert_int_equal(c.straws.n, 4);
	assert_string_equal(c.straws.v[0], "nocheck");
	assert_string_equal(c.arch, "aarch64");
	assert_resolved(x, c.makepkg_conf, "mk.conf");
	assert_string_equal(c.pacman_conf, "/etc/farm.conf");
	assert_string_equal(c.source_mirror, "https://mirror.example.org/sources");
	assert_int_equal(c.build_timeout, 60);
	assert_int_equal(c.build_cpu, 30);
	assert_int_equal(c.build_memory, (uint64_t)512 << 20);
	assert_int_equal(c.build_processes, 64);
	assert_int_equal(c.build_uid, 1234);
	assert_int_equal(c.build_logs, 0);
	assert_int_equal(c.source_cache_days, 7);
	sw_slave_conf_release(&c);

	static const char text4[] = SLAVE_MIN
		"backend = devtools\ndevtools_chroot = /var/lib/archbuild/x\n";
	tu_write(x->file, text4, sizeof(text4) - 1);
	if (sw_slave_conf_load(x->file, &c, &e) < 0)
		fail_msg("%s", e.msg);
	assert_int_equal(c.backend, SW_BACKEND_DEVTOOLS);
	assert_string_equal(c.devtools_chroot, "/var/lib/archbuild/x");
	sw_slave_conf_release(&c);

	/* defaults, and backend = command with its template */
	static const char text2[] = SLAVE_MIN
		"identity = keys/id\n"
		"backend = command\n"
		"command = /usr/local/bin/build-one\n"
		"straws =\n";
	tu_write(x->file, text2, sizeof(text2) - 1);
	if (sw_slave_conf_load(x->file, &c, &e) < 0)
		fail_msg("%s", e.msg);
	assert_resolved(x, c.identity, "keys/id");
	assert_int_equal(c.backend, SW_BACKEND_COMMAND);
	assert_string_equal(c.command, "/usr/local/bin/build-one");
	assert_int_equal(c.straws.n, 1);
	assert_string_equal(c.straws.v[0], "plain");
	sw_slave_conf_release(&c);
}

static void
test_slave_errors(void **state)
{
	struct fx *x = *state;

	SERR(x, SLAVE_MIN "[master]\n", "6: unknown section [master]");
	SERR(x, SLAVE_MIN "port = 22\n", "6: unknown key 'port' in [slave]");
	SERR(x, SLAVE_MIN "name = beta\n", "6: duplicate key 'name'");
	SERR(x, SLAVE_MIN "[slave]\n", "6: duplicate section [slave]");
	SERR(x, "\n[slave]\nname = alpha\nwork_dir = w\ngpg_key = " FPR "\n",
		"2: [slave] has no 'master'");
	SERR(x, "", "1: no [slave] section");
	SERR(x, SLAVE_MIN "backend = docker\n", "6: backend: unknown value 'docker'");
	SERR(x, SLAVE_MIN "straws = plain ../x\n", "6: straws: invalid phase '../x'");
	SERR(x, SLAVE_MIN "  more\n",
		"6: key 'gpg_key' does not continue on an indented line");
	SERR(x, "[slave]\nname = Alpha\n", "2: name: invalid slave name 'Alpha'");
	SERR(x, "[slave]\nname = alpha\ngpg_key = nope\n",
		"3: gpg_key: invalid key fingerprint 'nope'");
	SERR(x, "[slave]\nname = alpha\nmaster = slipway@\n",
		"3: master: expected user@host[:port], not 'slipway@'");
	SERR(x, "[slave]\nname = alpha\nmaster = @host\n",
		"3: master: expected user@host[:port], not '@host'");
	SERR(x, "[slave]\nname = alpha\nmaster = slipway@:22\n",
		"3: master: expected user@host[:port], not 'slipway@:22'");
	SERR(x, "[slave]\nname = alpha\nmaster = slipway@host/x\n",
		"3: master: expected user@host[:port], not 'slipway@host/x'");
	SERR(x, "[slave]\nname = alpha\nmaster = slip way@host\n",
		"3: master: expected user@host[:port], not 'slip way@host'");
	SERR(x, SLAVE_MIN "backend = command\n",
		"1: [slave]: 'command' is required for backend command");
	SERR(x, SLAVE_MIN "command = /bin/x\n",
		"1: [slave]: 'command' is not allowed for backend bwrap");
	SERR(x, SLAVE_MIN "straws = plain dirty\n",
		"1: [slave]: straws: unknown straw 'dirty' "
		"(plain, clean, mirror, nocheck)");
	SERR(x, SLAVE_MIN "straws = plain clean plain\n",
		"1: [slave]: straws: 'plain' twice");
	SERR(x, SLAVE_MIN "backend = devtools\n",
		"1: [slave]: 'devtools_chroot' is required for backend devtools");
	SERR(x, SLAVE_MIN "devtools_chroot = /x\n",
		"1: [slave]: 'devtools_chroot' is not allowed for backend bwrap");
	SERR(x, SLAVE_MIN "backend = command\ncommand = /b\npacman_conf = /p\n",
		"1: [slave]: 'pacman_conf' is for backend bwrap only "
		"(command builds in its own root)");
	SERR(x, SLAVE_MIN "backend = devtools\ndevtools_chroot = /c\n"
		"makepkg_conf = /m\n", "1: [slave]: 'makepkg_conf' is not used by "
		"backend devtools: give it to mkarchroot -M");
	SERR(x, SLAVE_MIN "build_processes = 2\n", "6: build_processes: number '2' out of range 16..1048576");
	SERR(x, SLAVE_MIN "build_uid = 0\n", "6: build_uid: number '0' out of range 1..4294967294");
	SERR(x, SLAVE_MIN "build_memory = 1K\n", "6: build_memory: number '1K' out of range "
		"67108864..17592186044416");
	SERR(x, SLAVE_MIN "arch = ../x\n", "6: arch: invalid arch '../x'");
}

static void
test_locate(void **state)
{
	struct sw_buf b = SW_BUF_INIT;
	struct sw_err e;
	char *saved = getenv("SLIPWAY_CONFIG") ? strdup(getenv("SLIPWAY_CONFIG")) : NULL;

	(void)state;
	assert_int_equal(setenv("SLIPWAY_CONFIG", "/env/master.conf", 1), 0);
	assert_int_equal(sw_conf_locate("/explicit.conf", "master.conf", &b, &e), 0);
	assert_string_equal(b.data, "/explicit.conf");
	assert_int_equal(sw_conf_locate(NULL, "master.conf", &b, &e), 0);
	assert_string_equal(b.data, "/env/master.conf");
	/* an empty variable counts as unset; this binary is not in a bin/ */
	assert_int_equal(setenv("SLIPWAY_CONFIG", "", 1), 0);
	assert_int_equal(sw_conf_locate(NULL, "slave.conf", &b, &e), 0);
	assert_string_equal(b.data, SW_SYSCONFDIR "/slipway/slave.conf");
	unsetenv("SLIPWAY_CONFIG");
	assert_int_equal(sw_conf_locate(NULL, "master.conf", &b, &e), 0);
	assert_string_equal(b.data, SW_SYSCONFDIR "/slipway/master.conf");
	if (saved) {
		setenv("SLIPWAY_CONFIG", saved, 1);
		free(saved);
	}
	sw_buf_release(&b);
}

static void
test_master_locate_load(void **state)
{
	struct fx *x = *state;
	char *path = tu_path(x->conf, "master.conf");
	char *missing = tu_path(x->conf, "missing.conf");
	char *saved = getenv("SLIPWAY_CONFIG") ? strdup(getenv("SLIPWAY_CONFIG")) : NULL;
	struct sw_master_conf c;
	struct sw_err e;
	char want[SW_ERR_MAX];

	tu_write_str(path, MASTER_MIN);
	assert_int_equal(sw_master_conf_locate_load(path, &c, &e), 0);
	assert_string_equal(c.path, path);
	assert_string_equal(c.arch, "x86_64");
	sw_master_conf_release(&c);
	/* no -c: $SLIPWAY_CONFIG */
	assert_int_equal(setenv("SLIPWAY_CONFIG", path, 1), 0);
	assert_int_equal(sw_master_conf_locate_load(NULL, &c, &e), 0);
	assert_string_equal(c.path, path);
	sw_master_conf_release(&c);
	/* -c wins, and a failed load is released the same way */
	assert_int_equal(sw_master_conf_locate_load(missing, &c, &e), -1);
	snprintf(want, sizeof(want), "cannot open '%s'", missing);
	assert_memory_equal(e.msg, want, strlen(want));
	sw_master_conf_release(&c);
	if (saved) {
		setenv("SLIPWAY_CONFIG", saved, 1);
		free(saved);
	} else {
		unsetenv("SLIPWAY_CONFIG");
	}
	free(path);
	free(missing);
}

/* Copies this program to <dir>/bin/ and asks the copy where it looks. */
static void
test_locate_from_tree(void **state)
{
	struct fx *x = *state;
	char *bin = tu_path(x->dir, "bin"), *copy = tu_path(bin, "prog");
	char *conf = tu_path(x->conf, "master.conf");
	char out[4096], want[4096];
	struct sw_buf exe = SW_BUF_INIT;
	int p[2], status, fd;
	ssize_t n;
	pid_t pid;

	assert_int_equal(mkdir(bin, 0755), 0);
	fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(sw_buf_read_fd(&exe, fd), 0);
	close(fd);
	tu_write(copy, exe.data, exe.len);
	assert_int_equal(chmod(copy, 0755), 0);
	sw_buf_release(&exe);

	for (int round = 0; round < 2; round++) {
		if (round == 1)
			tu_write_str(conf, MASTER_MIN);
		assert_int_equal(pipe(p), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			char *argv[] = { copy, "--locate", NULL };
			char *envp[] = { NULL };

			dup2(p[1], 1);
			execve(copy, argv, envp);
			_exit(127);
		}
		close(p[1]);
		n = read(p[0], out, sizeof(out) - 1);
		close(p[0]);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
		assert_true(n > 0);
		out[n] = '\0';
		/* conf/ beside bin/ only when the file is there */
		if (round == 0)
			snprintf(want, sizeof(want), "%s/slipway/master.conf\n",
				SW_SYSCONFDIR);
		else
			snprintf(want, sizeof(want), "%s\n", conf);
		assert_string_equal(out, want);
	}
	free(bin);
	free(copy);
	free(conf);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_master_full),
		T(test_master_minimal_and_values),
		T(test_master_section_order),
		T(test_master_empty_values),
		T(test_master_unknown),
		T(test_master_duplicates),
		T(test_master_debug_repos),
		T(test_master_missing),
		T(test_master_bad_values),
		T(test_master_source_rules),
		T(test_master_continuation),
		T(test_master_hostile_bytes),
		T(test_master_home),
		cmocka_unit_test(test_examples),
		T(test_slave_valid),
		T(test_slave_errors),
		cmocka_unit_test(test_locate),
		T(test_master_locate_load),
		T(test_locate_from_tree),
	};

	/* the copy made by test_locate_from_tree */
	if (argc == 2 && strcmp(argv[1], "--locate") == 0) {
		struct sw_buf b = SW_BUF_INIT;
		struct sw_err e;

		if (sw_conf_locate(NULL, "master.conf", &b, &e) < 0)
			return 1;
		printf("%s\n", b.data);
		sw_buf_release(&b);
		return 0;
	}
	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
