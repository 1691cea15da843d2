/*
 * sign: detached OpenPGP signatures through gpgme, the way pacman wants them.
 *
 * sw_sign_init makes a gpgme context on a GNUPGHOME (NULL: gpgme's default),
 * set through the engine info: the process environment is never touched.
 * Then sign (sw_sign_detached: binary, detached, by one given key) or verify
 * (sw_sign_verify_file: a good signature over this file, by whom?), and
 * compare the signer with the key you expect as a step of its own
 * (sw_sign_expect). sw_sign_release ends the context. A context remembers
 * the key it last signed with, so signing again with it costs no key lookup.
 *
 * Signature files are read with sw_sig_read: O_NOFOLLOW, a regular file of
 * at most SW_SIG_MAX bytes, binary OpenPGP only. pacman refuses armored
 * signatures and any over 16 KiB, and so does everything here.
 *
 * Verifying starts a gpg per file, unless the signature is of the kind
 * pgpsig.h checks in process (gpg's own with an Ed25519 key): then gpg
 * is asked once per signing key, for the key and whether it is valid now,
 * and each file is checked here. A signature found bad here is handed to
 * gpg all the same, which has the last word (and the message).
 * Fingerprints are checked with names.h and reported in upper case; a
 * signature made by a subkey counts as made by its primary key. Signing
 * keys must not need a passphrase (or have it cached in the agent): the
 * pinentry mode is loopback without a passphrase callback, so a locked key
 * fails at once instead of waiting for a terminal.
 * Errors: -1 with "cannot verify 'foo-1-1-x86_64.pkg.tar.zst': signed by
 * 'B2..', expected 'B1..'" and the like. No locks; gpgme runs gpg itself,
 * and a kill -9 leaves at most that home's gpg-agent running.
 */
#ifndef SW_SIGN_H
#define SW_SIGN_H

#include <gpgme.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/strvec.h"

#define SW_SIG_MAX 16384
#define SW_FPR_MAX 64

#define SW_SIGN_KEYS 8

struct sw_sign {
	gpgme_ctx_t ctx;
	/* signing (sub)key -> primary fingerprint, learnt by this context:
	 * one key listing per signer instead of one per verified file */
	char sub[SW_SIGN_KEYS][SW_FPR_MAX + 1];
	char primary[SW_SIGN_KEYS][SW_FPR_MAX + 1];
	/* learnt: asked gpg for the key; then fast: valid, Ed25519 (ed) */
	bool learnt[SW_SIGN_KEYS], fast[SW_SIGN_KEYS];
	unsigned char ed[SW_SIGN_KEYS][32];
	long born[SW_SIGN_KEYS];  /* the key's creation: no signature before */
	int nkeys;
	unsigned long nfast;   /* signatures verified in process */
	/*
	 * The last signing key, looked up once: each lookup runs a gpg of its
	 * own, and a database pair is signed twice (bench/scale.c).
	 */
	gpgme_key_t key;
	char key_fpr[SW_FPR_MAX + 1];
};

/* A context sw_sign_release may take before (or without) sw_sign_init. */
#define SW_SIGN_INIT { .ctx = NULL }

int sw_sign_init(struct sw_sign *s, const char *gnupg_home, struct sw_err *e);
void sw_sign_release(struct sw_sign *s);

/* A signature file into sig: 0 read, 1 absent, -1 error (incl. the checks). */
int sw_sig_read(const char *path, struct sw_buf *sig, struct sw_err *e);
/* Refuses an empty, armored, non-OpenPGP or oversized signature (what: name). */
int sw_sig_check(const char *what, const void *sig, size_t len,
	struct sw_err *e);

/* A detached binary signature over data by key (a fingerprint), into sig. */
int sw_sign_detached(struct sw_sign *s, const char *key, const void *data,
	size_t len, struct sw_buf *sig, struct sw_err *e);

/*
 * Verifies sig over the file at path (opened O_NOFOLLOW). 0: one good
 * signature, made by the key whose primary fingerprint is now in signer.
 * -1: unreadable, bad, expired, revoked, by an unknown key, or not exactly
 * one signature.
 */
int sw_sign_verify_file(struct sw_sign *s, const char *path, const void *sig,
	size_t len, char signer[SW_FPR_MAX + 1], struct sw_err *e);

/* Is signer one of expected (fingerprints, any case)? what names the file. */
int sw_sign_expect(const char *what, const char *signer,
	const struct sw_strvec *expected, struct sw_err *e);

#endif
