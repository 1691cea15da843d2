/* sign: signature format checks, and a real sign/verify round trip with a scratch key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mkpkg.h"
#include "core/run.h"
#include "repo/sign.h"

static void
gpg(const char *home, const char *const *args)
{
	struct sw_child c;
	struct sw_err e;
	int status, i;

	sw_child_init(&c, "/usr/bin/gpg");
	sw_strvec_push(&c.argv, "gpg");
	sw_strvec_push(&c.argv, "--homedir");
	sw_strvec_push(&c.argv, home);
	sw_strvec_push(&c.argv, "--batch");
	for (i = 0; args[i]; i++)
		sw_strvec_push(&c.argv, args[i]);
	if (sw_child_run(&c, &status, &e) < 0 || status != 0)
		fail_msg("gpg %s failed", args[0]);
	sw_child_release(&c);
}

static void
stop_agent(const char *home)
{
	struct sw_child c;
	struct sw_err e;
	int status;

	sw_child_init(&c, "/usr/bin/gpgconf");
	sw_strvec_push(&c.argv, "gpgconf");
	sw_strvec_push(&c.argv, "--homedir");
	sw_strvec_push(&c.argv, home);
	sw_strvec_push(&c.argv, "--kill");
	sw_strvec_push(&c.argv, "all");
	sw_child_run(&c, &status, &e);
	sw_child_release(&c);
}

/* A new home with one key; its fingerprint in fpr. */
static void
new_key(const char *home, const char *uid, char fpr[SW_FPR_MAX + 1])
{
	static const char *const list[] = { "--with-colons", "--list-secret-keys", NULL };
	struct sw_child c;
	struct sw_buf out = SW_BUF_INIT;
	struct sw_err e;
	const char *gen[] = { "--pinentry-mode", "loopback", "--passphrase", "",
		"--quick-gen-key", uid, "ed25519", "sign", "never", NULL };
	char *p;
	int status, i;

	mkdir(home, 0700);
	gpg(home, gen);
	sw_child_init(&c, "/usr/bin/gpg");
	sw_strvec_push(&c.argv, "gpg");
	sw_strvec_push(&c.argv, "--homedir");
	sw_strvec_push(&c.argv, home);
	for (i = 0; list[i]; i++)
		sw_strvec_push(&c.argv, list[i]);
	if (sw_child_capture(&c, &out, &status, &e) < 0 || status != 0)
		fail_msg("cannot list keys");
	p = strstr(out.data, "\nfpr:::::::::");
	assert_non_null(p);
	memcpy(fpr, p + 13, 40);
	fpr[40] = '\0';
	sw_child_release(&c);
	sw_buf_release(&out);
}

static void
test_format(void **state)
{
	struct sw_buf sig = SW_BUF_INIT;
	struct sw_err e;
	char big[SW_SIG_MAX + 1];

	(void)state;
	assert_int_equal(sw_sig_check("x.sig", "\x89\x01", 2, &e), 0);
	assert_int_equal(sw_sig_check("x.sig", "", 0, &e), -1);
	assert_string_equal(e.msg, "signature 'x.sig' is empty");
	assert_int_equal(sw_sig_check("x.sig", "-----BEGIN PGP SIGNATURE-----\n", 30, &e), -1);
	assert_string_equal(e.msg, "signature 'x.sig' is armored; pacman needs a binary one");
	assert_int_equal(sw_sig_check("x.sig", "hello", 5, &e), -1);
	assert_string_equal(e.msg, "'x.sig' is not an OpenPGP signature");
	memset(big, 0x89, sizeof(big));
	assert_int_equal(sw_sig_check("x.sig", big, sizeof(big), &e), -1);
	assert_string_equal(e.msg, "signature 'x.sig' is larger than 16384 bytes");

	assert_int_equal(sw_sig_read(tpath(0, "none.sig"), &sig, &e), 1);
	tu_write(tpath(0, "big.sig"), big, sizeof(big));
	assert_int_equal(sw_sig_read(tpath(0, "big.sig"), &sig, &e), -1);
	assert_non_null(strstr(e.msg, "larger than 16384 bytes"));
	tu_write(tpath(0, "ok.sig"), big, 100);
	assert_int_equal(sw_sig_read(tpath(0, "ok.sig"), &sig, &e), 0);
	assert_int_equal(sig.len, 100);
	assert_int_equal(symlink("ok.sig", tpath(0, "link.sig")), 0);
	assert_int_equal(sw_sig_read(tpath(0, "link.sig"), &sig, &e), -1);
	sw_buf_release(&sig);
}

static void
test_expect(void **state)
{
	struct sw_strvec want = SW_STRVEC_INIT;
	struct sw_err e;

	(void)state;
	sw_strvec_push(&want, "b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1");
	assert_int_equal(sw_sign_expect("f", "B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1",
		&want, &e), 0);
	assert_int_equal(sw_sign_expect("foo-1-1-x86_64.pkg.tar.zst",
		"B2B2B2B2B2B2B2B2B2B2B2B2B2B2B2B2B2B2B2B2", &want, &e), -1);
	assert_string_equal(e.msg, "cannot verify 'foo-1-1-x86_64.pkg.tar.zst': "
		"signed by 'B2B2B2B2B2B2B2B2B2B2B2B2B2B2B2B2B2B2B2B2', expected "
		"'b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1'");
	sw_strvec_push(&want, "C3C3C3C3C3C3C3C3C3C3C3C3C3C3C3C3C3C3C3C3");
	assert_int_equal(sw_sign_expect("f", "D4", &want, &e), -1);
	assert_non_null(strstr(e.msg, "expected one of 'b1"));
	sw_strvec_release(&want);
}

static void
test_round_trip(void **state)
{
	struct sw_sign s, other;
	struct sw_buf sig = SW_BUF_INIT;
	struct sw_err e;
	char fpr[SW_FPR_MAX + 1], fpr2[SW_FPR_MAX + 1], signer[SW_FPR_MAX + 1];
	char home[512], home2[512], *forged;
	const char *data = "the database";

	(void)state;
	snprintf(home, sizeof(home), "%s/g1", tdir);
	snprintf(home2, sizeof(home2), "%s/g2", tdir);
	new_key(home, "one <one@example.org>", fpr);
	new_key(home2, "two <two@example.org>", fpr2);
	assert_int_equal(sw_sign_init(&s, home, &e), 0);
	assert_int_equal(sw_sign_init(&other, home2, &e), 0);

	if (sw_sign_detached(&s, fpr, data, strlen(data), &sig, &e) < 0)
		fail_msg("%s", e.msg);
	assert_true((unsigned char)sig.data[0] & 0x80);
	tu_write(tpath(0, "db"), data, strlen(data));
	if (sw_sign_verify_file(&s, tpath(0, "db"), sig.data, sig.len, signer, &e) < 0)
		fail_msg("%s", e.msg);
	assert_string_equal(signer, fpr);
	/* an Ed25519 signature of gpg's: checked in process, gpg asked once */
	assert_int_equal(s.nfast, 1);
	if (sw_sign_verify_file(&s, tpath(0, "db"), sig.data, sig.len, signer, &e) < 0)
		fail_msg("%s", e.msg);
	assert_string_equal(signer, fpr);
	assert_int_equal(s.nfast, 2);
	/* a forged signature: S changed; refused, by gpg too */
	forged = malloc(sig.len);
	assert_non_null(forged);
	memcpy(forged, sig.data, sig.len);
	forged[sig.len - 1] ^= 0x01;
	assert_int_equal(sw_sign_verify_file(&s, tpath(0, "db"), forged, sig.len,
		signer, &e), -1);
	assert_non_null(strstr(e.msg, "bad signature by"));
	assert_string_equal(signer, "");
	/* ... R changed */
	memcpy(forged, sig.data, sig.len);
	forged[sig.len - 40] ^= 0x80;
	assert_int_equal(sw_sign_verify_file(&s, tpath(0, "db"), forged, sig.len,
		signer, &e), -1);
	assert_int_equal(s.nfast, 2);
	/* the hash's first two bytes, a hint gpg does not insist on: refused
	 * here, handed to gpg, good there */
	memcpy(forged, sig.data, sig.len);
	forged[sig.len - 70] ^= 0x01;
	if (sw_sign_verify_file(&s, tpath(0, "db"), forged, sig.len, signer, &e) < 0)
		fail_msg("%s", e.msg);
	assert_string_equal(signer, fpr);
	free(forged);
	/* another keyring does not know the key */
	assert_int_equal(sw_sign_verify_file(&other, tpath(0, "db"), sig.data,
		sig.len, signer, &e), -1);
	assert_non_null(strstr(e.msg, "signed by unknown key"));
	/* changed data */
	tu_write(tpath(0, "db"), "the database!", 13);
	assert_int_equal(sw_sign_verify_file(&s, tpath(0, "db"), sig.data, sig.len,
		signer, &e), -1);
	assert_non_null(strstr(e.msg, "bad signature by"));
	/* a key that is not ours, a key that is not a fingerprint */
	assert_int_equal(sw_sign_detached(&s, fpr2, data, 3, &sig, &e), -1);
	assert_non_null(strstr(e.msg, "cannot sign with key"));
	assert_int_equal(sw_sign_detached(&s, "me@example.org", data, 3, &sig, &e), -1);
	assert_non_null(strstr(e.msg, "invalid key fingerprint"));

	sw_sign_release(&s);
	sw_sign_release(&other);
	sw_buf_release(&sig);
	stop_agent(home);
	stop_agent(home2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_format, tdir_setup, tdir_teardown),
		cmocka_unit_test(test_expect),
		cmocka_unit_test_setup_teardown(test_round_trip, tdir_setup, tdir_teardown),
	};

	return cmocka_run_group_tests_name("sign", tests, NULL, NULL);
}
