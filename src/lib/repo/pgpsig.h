/*
 * pgpsig: the OpenPGP detached signatures that gpg makes with Ed25519
 * keys, checked in process with nettle (RFC 4880 and 9580, version 4).
 *
 * Verifying with gpg starts one gpg per file; promoting hundreds of
 * packages is then mostly gpg starting. sign.c checks the common case
 * here instead, and hands everything else to gpg: this module only
 * ever says "good" (a signature it parsed completely and that verifies)
 * or "not mine" (anything else, bad ones included), never "bad".
 *
 * sw_pgpsig_parse reads a signature: one v4 signature packet over a
 * binary document (type 0x00), EdDSA over Ed25519, hash SHA-256/384/512,
 * an issuer fingerprint subpacket, no unknown critical subpacket and no
 * signature expiration; 1 for anything else. sw_pgpsig_key finds the
 * Ed25519 public key of a (sub)key by its v4 fingerprint in a binary key
 * export (gpg --export); 1 if it is not there or not Ed25519.
 * sw_pgpsig_check hashes the file (opened O_NOFOLLOW, a regular file) and
 * the signature's trailer and verifies: 0 good, 1 not (or not readable).
 * Which key may sign, and whether it is valid now, is the caller's
 * question (sign.c asks gpg). Pure functions: no state, no locks.
 */
#ifndef SW_PGPSIG_H
#define SW_PGPSIG_H

#include <stddef.h>
#include <stdint.h>

#define SW_PGPSIG_FPR 20     /* a v4 fingerprint, in bytes */

struct sw_pgpsig {
	unsigned char fpr[SW_PGPSIG_FPR];  /* the issuer's (sub)key */
	uint32_t created;
	int hash;                          /* OpenPGP's hash algorithm id */
	const unsigned char *hashed;       /* version .. hashed subpackets */
	size_t hashed_len;
	unsigned char left16[2];
	unsigned char rs[64];              /* the Ed25519 signature R || S */
};

/* 0: parsed into sg (pointing into sig); 1: not a signature handled here. */
int sw_pgpsig_parse(const void *sig, size_t len, struct sw_pgpsig *sg);
/* 0: the key with fingerprint fpr is in the export: its 32 bytes in key. */
int sw_pgpsig_key(const void *export, size_t len,
	const unsigned char fpr[SW_PGPSIG_FPR], unsigned char key[32]);
/* 0: sg is a good signature by key over the file at path; 1: not. */
int sw_pgpsig_check(const struct sw_pgpsig *sg, const unsigned char key[32],
	const char *path);

#endif
