#include "repo/sign.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/fileio.h"
#include "core/names.h"
#include "repo/pgpsig.h"

int
sw_sign_init(struct sw_sign *s, const char *gnupg_home, struct sw_err *e)
{
	gpgme_engine_info_t info = NULL;
	gpgme_error_t err;

	memset(s, 0, sizeof(*s));
	/*
	 * Else gpgme asks gpgconf where GnuPG lives and every engine, gpgsm
	 * too, its version: 4 programs more per process (0.1 s a return) for
	 * a path it was built with. Only the first call in a process may set it.
	 */
	(void)gpgme_set_global_flag("disable-gpgconf", "1");
	if (gpgme_check_version(GPGME_VERSION) == NULL)
		return sw_err_set(e, "gpgme is older than %s", GPGME_VERSION);
	err = gpgme_new(&s->ctx);
	if (err == 0)
		err = gpgme_set_protocol(s->ctx, GPGME_PROTOCOL_OpenPGP);
	/* the engine's program named: with NULL, gpgme asks it its version
	 * ("gpg --version") again before every operation */
	if (err == 0)
		err = gpgme_get_engine_info(&info);
	for (; err == 0 && info != NULL; info = info->next)
		if (info->protocol == GPGME_PROTOCOL_OpenPGP)
			break;
	if (err == 0)
		err = gpgme_ctx_set_engine_info(s->ctx, GPGME_PROTOCOL_OpenPGP,
			info != NULL ? info->file_name : NULL, gnupg_home);
	if (err == 0)
		err = gpgme_set_pinentry_mode(s->ctx, GPGME_PINENTRY_MODE_LOOPBACK);
	if (err != 0) {
		sw_sign_release(s);
		return sw_err_set(e, "cannot use gnupg home '%s': %s",
			gnupg_home ? gnupg_home : "(default)", gpgme_strerror(err));
	}
	gpgme_set_armor(s->ctx, 0);
	return 0;
}

void
sw_sign_release(struct sw_sign *s)
{
	if (s->key != NULL)
		gpgme_key_unref(s->key);
	s->key = NULL;
	s->key_fpr[0] = '\0';
	if (s->ctx != NULL)
		gpgme_release(s->ctx);
	s->ctx = NULL;
}

int
sw_sig_check(const char *what, const void *sig, size_t len, struct sw_err *e)
{
	const unsigned char *p = sig;

	if (len == 0)
		return sw_err_set(e, "signature '%s' is empty", what);
	if (len > SW_SIG_MAX)
		return sw_err_set(e, "signature '%s' is larger than %d bytes", what,
			SW_SIG_MAX);
	if ((p[0] & 0x80) == 0) {
		if (memmem(p, len, "-----BEGIN PGP", 14) != NULL)
			return sw_err_set(e, "signature '%s' is armored; pacman "
				"needs a binary one", what);
		return sw_err_set(e, "'%s' is not an OpenPGP signature", what);
	}
	return 0;
}

int
sw_sig_read(const char *path, struct sw_buf *sig, struct sw_err *e)
{
	int r;

	sw_buf_reset(sig);
	r = sw_file_read(path, SW_SIG_MAX, sig, e);
	if (r != 0)
		return r;
	return sw_sig_check(path, sig->data, sig->len, e);
}

int
sw_sign_detached(struct sw_sign *s, const char *key, const void *data,
	size_t len, struct sw_buf *sig, struct sw_err *e)
{
	gpgme_data_t in = NULL, out = NULL;
	gpgme_sign_result_t res;
	gpgme_error_t err;
	char *mem = NULL;
	size_t n = 0;
	int ret = -1;

	if (sw_name_check(SW_NAME_FINGERPRINT, key, e) < 0)
		return sw_err_prefix(e, "cannot sign");
	if (s->key == NULL || strcasecmp(s->key_fpr, key) != 0) {
		if (s->key != NULL)
			gpgme_key_unref(s->key);
		s->key = NULL;
		err = gpgme_get_key(s->ctx, key, &s->key, 1);
		if (err != 0) {
			s->key = NULL;
			sw_err_set(e, "cannot sign with key '%s': %s", key,
				gpgme_strerror(err));
			goto out;
		}
		snprintf(s->key_fpr, sizeof(s->key_fpr), "%s", key);
	}
	gpgme_signers_clear(s->ctx);
	err = gpgme_signers_add(s->ctx, s->key);
	if (err == 0)
		err = gpgme_data_new_from_mem(&in, data, len, 0);
	if (err == 0)
		err = gpgme_data_new(&out);
	if (err == 0)
		err = gpgme_op_sign(s->ctx, in, out, GPGME_SIG_MODE_DETACH);
	if (err != 0) {
		sw_err_set(e, "cannot sign with key '%s': %s", key,
			gpgme_strerror(err));
		goto out;
	}
	res = gpgme_op_sign_result(s->ctx);
	if (res == NULL || res->invalid_signers != NULL || res->signatures == NULL) {
		sw_err_set(e, "cannot sign with key '%s': key not usable", key);
		goto out;
	}
	mem = gpgme_data_release_and_get_mem(out, &n);
	out = NULL;
	if (mem == NULL || sw_sig_check("new signature", mem, n, e) < 0)
		goto out;
	sw_buf_reset(sig);
	if (sw_buf_add(sig, mem, n) < 0) {
		sw_err_sys(e, "cannot sign with key '%s'", key);
		goto out;
	}
	ret = 0;
out:
	gpgme_signers_clear(s->ctx);
	if (mem != NULL)
		gpgme_free(mem);
	gpgme_data_release(out);
	gpgme_data_release(in);
	return ret;
}

static void
upper(char *dst, const char *src)
{
	size_t i;

	for (i = 0; i < SW_FPR_MAX && src[i]; i++)
		dst[i] = (char)toupper((unsigned char)src[i]);
	dst[i] = '\0';
}

/*
 * The primary fingerprint of the key that holds (sub)key fpr. Only a name:
 * whether the signature is good, and the key valid, is the verification's
 * status, so a context remembers the answer for the signers it met.
 */
static int
primary_fpr(struct sw_sign *s, const char *fpr, char out[SW_FPR_MAX + 1],
	struct sw_err *e)
{
	gpgme_key_t k = NULL;
	gpgme_error_t err;
	int i;

	for (i = 0; i < s->nkeys; i++)
		if (strcasecmp(s->sub[i], fpr) == 0) {
			memcpy(out, s->primary[i], SW_FPR_MAX + 1);
			return 0;
		}
	err = gpgme_get_key(s->ctx, fpr, &k, 0);
	if (err != 0 || k->subkeys == NULL || k->subkeys->fpr == NULL) {
		if (k != NULL)
			gpgme_key_unref(k);
		return sw_err_set(e, "signed by unknown key '%s'", fpr);
	}
	upper(out, k->subkeys->fpr);
	gpgme_key_unref(k);
	if (s->nkeys < SW_SIGN_KEYS) {
		upper(s->sub[s->nkeys], fpr);
		memcpy(s->primary[s->nkeys], out, SW_FPR_MAX + 1);
		s->learnt[s->nkeys] = s->fast[s->nkeys] = false;
		s->nkeys++;
	}
	return 0;
}

/* Is the (sub)key sk of k one that may sign now, an Ed25519 one? */
static bool
fast_key(gpgme_key_t k, gpgme_subkey_t sk)
{
	return !k->revoked && !k->expired && !k->disabled && !k->invalid &&
		!sk->revoked && !sk->expired && !sk->disabled && !sk->invalid &&
		sk->can_sign && sk->pubkey_algo == GPGME_PK_EDDSA;
}

/*
 * What the context knows of the signing (sub)key hex (upper case): its
 * slot, asking gpg once (the key, then its export) if it is new; -1 if
 * gpg does not know it or the cache is full (gpg verifies then).
 */
static int
learn_key(struct sw_sign *s, const char *hex, const unsigned char *bin)
{
	gpgme_key_t k = NULL;
	gpgme_subkey_t sk;
	gpgme_data_t d = NULL;
	char *mem = NULL;
	size_t n = 0;
	int i;

	for (i = 0; i < s->nkeys; i++)
		if (strcmp(s->sub[i], hex) == 0 && s->learnt[i])
			return i;
		else if (strcmp(s->sub[i], hex) == 0)
			break;
	if (i == SW_SIGN_KEYS)
		return -1;
	if (gpgme_get_key(s->ctx, hex, &k, 0) != 0 || k->subkeys == NULL ||
	    k->subkeys->fpr == NULL) {
		if (k != NULL)
			gpgme_key_unref(k);
		return -1;
	}
	upper(s->sub[i], hex);
	upper(s->primary[i], k->subkeys->fpr);
	s->learnt[i] = true;
	s->fast[i] = false;
	for (sk = k->subkeys; sk != NULL; sk = sk->next)
		if (sk->fpr != NULL && strcasecmp(sk->fpr, hex) == 0)
			break;
	s->born[i] = sk != NULL ? sk->timestamp : 0;
	if (sk != NULL && fast_key(k, sk) && gpgme_data_new(&d) == 0 &&
	    gpgme_op_export(s->ctx, k->subkeys->fpr, 0, d) == 0) {
		mem = gpgme_data_release_and_get_mem(d, &n);
		d = NULL;
		s->fast[i] = mem != NULL && sw_pgpsig_key(mem, n, bin, s->ed[i]) == 0;
	}
	if (i == s->nkeys)
		s->nkeys++;
	gpgme_data_release(d);
	if (mem != NULL)
		gpgme_free(mem);
	gpgme_key_unref(k);
	return i;
}

/* 0: a good signature checked here, its signer's primary in signer; 1: ask gpg. */
static int
verify_here(struct sw_sign *s, const char *path, const void *sig, size_t len,
	char signer[SW_FPR_MAX + 1])
{
	static const char digits[] = "0123456789ABCDEF";
	struct sw_pgpsig sg;
	char hex[2 * SW_PGPSIG_FPR + 1];
	int i;

	if (sw_pgpsig_parse(sig, len, &sg) != 0 || (time_t)sg.created > time(NULL))
		return 1;
	for (i = 0; i < SW_PGPSIG_FPR; i++) {
		hex[2 * i] = digits[sg.fpr[i] >> 4];
		hex[2 * i + 1] = digits[sg.fpr[i] & 15];
	}
	hex[2 * SW_PGPSIG_FPR] = '\0';
	i = learn_key(s, hex, sg.fpr);
	/* gpg refuses a signature older than its key: it says so itself */
	if (i < 0 || !s->fast[i] || (long)sg.created < s->born[i] ||
	    sw_pgpsig_check(&sg, s->ed[i], path) != 0)
		return 1;
	memcpy(signer, s->primary[i], SW_FPR_MAX + 1);
	s->nfast++;
	return 0;
}

static int
judge(struct sw_sign *s, gpgme_verify_result_t res, char signer[SW_FPR_MAX + 1],
	struct sw_err *e)
{
	gpgme_signature_t sg;
	const char *fpr;
	int n = 0;

	for (sg = res ? res->signatures : NULL; sg != NULL; sg = sg->next)
		n++;
	if (n != 1)
		return sw_err_set(e, "holds %d signatures, expected one", n);
	sg = res->signatures;
	fpr = sg->fpr ? sg->fpr : "?";
	switch (gpgme_err_code(sg->status)) {
	case GPG_ERR_NO_ERROR:
		return primary_fpr(s, fpr, signer, e);
	case GPG_ERR_NO_PUBKEY:
		return sw_err_set(e, "signed by unknown key '%s'", fpr);
	case GPG_ERR_BAD_SIGNATURE:
		return sw_err_set(e, "bad signature by '%s'", fpr);
	default:
		return sw_err_set(e, "signature by '%s': %s", fpr,
			gpgme_strerror(sg->status));
	}
}

int
sw_sign_verify_file(struct sw_sign *s, const char *path, const void *sig,
	size_t len, char signer[SW_FPR_MAX + 1], struct sw_err *e)
{
	gpgme_data_t text = NULL, sd = NULL;
	gpgme_error_t err;
	struct stat st;
	int fd, ret = -1;

	signer[0] = '\0';
	if (sw_sig_check(path, sig, len, e) < 0)
		return -1;
	if (verify_here(s, path, sig, len, signer) == 0)
		return 0;
	signer[0] = '\0';
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return sw_err_sys(e, "cannot open '%s'", path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		sw_err_set(e, "cannot verify '%s': not a regular file", path);
		goto out;
	}
	err = gpgme_data_new_from_fd(&text, fd);
	if (err == 0)
		err = gpgme_data_new_from_mem(&sd, sig, len, 0);
	if (err == 0)
		err = gpgme_op_verify(s->ctx, sd, text, NULL);
	if (err != 0) {
		sw_err_set(e, "cannot verify '%s': %s", path, gpgme_strerror(err));
		goto out;
	}
	if (judge(s, gpgme_op_verify_result(s->ctx), signer, e) < 0) {
		sw_err_prefix(e, "cannot verify '%s'", path);
		goto out;
	}
	ret = 0;
out:
	gpgme_data_release(sd);
	gpgme_data_release(text);
	close(fd);
	return ret;
}

int
sw_sign_expect(const char *what, const char *signer,
	const struct sw_strvec *expected, struct sw_err *e)
{
	struct sw_buf list = SW_BUF_INIT;
	size_t i;

	for (i = 0; i < expected->n; i++)
		if (strcasecmp(signer, expected->v[i]) == 0)
			return 0;
	for (i = 0; i < expected->n; i++)
		if (sw_buf_addf(&list, "%s'%s'", i ? ", " : "", expected->v[i]) < 0)
			break;
	sw_err_set(e, "cannot verify '%s': signed by '%s', expected %s%s", what,
		signer, expected->n > 1 ? "one of " : "",
		expected->n ? list.data : "no key");
	sw_buf_release(&list);
	return -1;
}
