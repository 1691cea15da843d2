/* slavecmd: only the four commands, their exact arguments, checked names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include "queue/slavecmd.h"

#define C1 "1111111111111111111111111111111111111111"
#define C2 "2222222222222222222222222222222222222222"
#define ID "foo " C1 " " C2 " core"

static void
accepts(const char *line, const char *program, size_t nargs)
{
	struct sw_slavecmd cmd;
	struct sw_err e;

	sw_slavecmd_init(&cmd);
	if (sw_slavecmd_parse(line, &cmd, &e) < 0)
		fail_msg("'%s' refused: %s", line, e.msg);
	assert_string_equal(cmd.spec->program, program);
	assert_int_equal(cmd.args.n, nargs);
	sw_slavecmd_release(&cmd);
}

static void
refuses(const char *line, const char *why)
{
	struct sw_slavecmd cmd;
	struct sw_err e;

	sw_slavecmd_init(&cmd);
	if (sw_slavecmd_parse(line, &cmd, &e) == 0)
		fail_msg("'%s' accepted", line);
	assert_null(cmd.spec);
	assert_int_equal(cmd.args.n, 0);
	if (why != NULL)
		tu_assert_contains(e.msg, why);
	/* the message never carries a raw control byte */
	for (const char *p = e.msg; *p; p++)
		assert_true((unsigned char)*p >= 0x20);
	sw_slavecmd_release(&cmd);
}

static void
test_the_four(void **state)
{
	(void)state;
	accepts("get-assignment", "get-assignment", 0);
	accepts("get-sources " ID, "get-sources", 4);
	accepts("ping " ID " building", "ping", 5);
	accepts("ping " ID " fetch-sources_2", "ping", 5);
	accepts("ping " ID " giveback", "ping", 5);
	accepts("return-assignment " ID, "return-assignment", 4);
	accepts("return-assignment " ID " ERROR", "return-assignment", 5);
	accepts("get-sources foo.bar+x@y " C1 " " C2 " community", "get-sources", 4);
}

static void
test_injection(void **state)
{
	(void)state;
	refuses("get-assignment;id", "unknown command");
	refuses("get-assignment; id", "unknown command");
	refuses("get-assignment && id", "takes 0 arguments");
	refuses("get-assignment $(id)", "takes 0 arguments");
	refuses("get-sources $(id) " C1 " " C2 " core", "invalid pkgbase");
	refuses("get-sources `id` " C1 " " C2 " core", "invalid pkgbase");
	refuses("get-sources foo " C1 " " C2 " core;id", "invalid repository");
	refuses("get-assignment\nid", "unknown command 'get-assignment\\x0aid'");
	refuses("ping " ID " x\nrm", "invalid phase");
	refuses("get-sources ../x " C1 " " C2 " core", "invalid pkgbase");
	refuses("get-sources foo " C1 " " C2 " ../core", "invalid repository");
	refuses("get-sources foo/../../etc " C1 " " C2 " core", "invalid pkgbase");
	refuses("ping " ID " ../x", "invalid phase");
	refuses("return-assignment " ID " error", "expected ERROR");
	refuses("return-assignment " ID " ERROR x", "too many words");
	refuses("return-assignment foo " C1, "takes 4 or 5 arguments, not 2");
	refuses("/bin/sh", "unknown command");
	refuses("sh -c id", "unknown command");
	refuses("get-sources foo " C1 " " C2, "takes 4 arguments, not 3");
	refuses("ping " ID, "takes 5 arguments, not 4");
	refuses("get-sources foo " C1 " " C2 " core extra", "takes 4 arguments");
}

static void
test_words(void **state)
{
	(void)state;
	refuses("", "no command");
	refuses(NULL, "no command");
	refuses(" get-assignment", "empty word");
	refuses("get-assignment ", "empty word");
	refuses("get-sources  foo " C1 " " C2 " core", "empty word");
	refuses("get-sources\tfoo " C1 " " C2 " core", "unknown command");
	refuses("GET-ASSIGNMENT", "unknown command");
	refuses("get-sources FOO " C1 " " C2 " core", "invalid pkgbase");
	refuses("get-sources foo " C1 "0 " C2 " core", "invalid commit");
	refuses("get-sources foo " "ABCDEF0123456789ABCDEF0123456789ABCDEF01 " C2
		" core", "invalid commit");
}

static void
test_overlong(void **state)
{
	char big[SW_SLAVECMD_MAX + 64];
	char word[300];

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	refuses(big, "longer than");
	memset(word, 'a', sizeof(word) - 1);
	word[sizeof(word) - 1] = '\0';
	snprintf(big, sizeof(big), "get-sources %s " C1 " " C2 " core", word);
	refuses(big, "invalid pkgbase");
	snprintf(big, sizeof(big), "ping " ID " %.40s", word);
	refuses(big, "invalid phase");
	refuses("ping " ID " a b c d e f g h", "too many words");
}

static void
test_program_path(void **state)
{
	struct sw_buf p = SW_BUF_INIT;
	struct sw_err e;

	(void)state;
	assert_int_equal(sw_slavecmd_program_path("ping", &p, &e), 0);
	assert_true(p.data[0] == '/');
	tu_assert_contains(p.data, "/ping");
	sw_buf_release(&p);
}

static void
test_table(void **state)
{
	const struct sw_slavecmd_spec *t;
	size_t n, i;

	(void)state;
	t = sw_slavecmd_table(&n);
	assert_int_equal(n, 5);
	for (i = 0; i < n; i++)
		assert_null(strchr(t[i].program, '/'));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_four),
		cmocka_unit_test(test_injection),
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_overlong),
		cmocka_unit_test(test_program_path),
		cmocka_unit_test(test_table),
	};

	return cmocka_run_group_tests_name("slavecmd", tests, NULL, NULL);
}
