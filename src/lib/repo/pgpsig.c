#include "repo/pgpsig.h"

#include <errno.h>
#include <fcntl.h>
#include <nettle/eddsa.h>
#include <nettle/nettle-meta.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ALGO_EDDSA 22
#define TYPE_BINARY 0x00
#define SUB_CREATED 2
#define SUB_EXPIRES 3
#define SUB_ISSUER 16
#define SUB_ISSUER_FPR 33

/* the OID of Ed25519 in OpenPGP's legacy EdDSA keys, 1.3.6.1.4.1.11591.15.1 */
static const unsigned char ed25519_oid[] = {
	0x2b, 0x06, 0x01, 0x04, 0x01, 0xda, 0x47, 0x0f, 0x01
};

static uint32_t
be16(const unsigned char *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The packet at p[0..len): tag, body, and its whole size; false if not read here. */
static bool
packet(const unsigned char *p, size_t len, int *tag, const unsigned char **body,
	size_t *blen, size_t *total)
{
	size_t h, n;

	if (len < 2 || (p[0] & 0x80) == 0)
		return false;
	if (p[0] & 0x40) {            /* new format */
		*tag = p[0] & 0x3f;
		if (p[1] < 192) {
			n = p[1];
			h = 2;
		} else if (p[1] < 224 && len >= 3) {
			n = ((size_t)(p[1] - 192) << 8) + p[2] + 192;
			h = 3;
		} else if (p[1] == 255 && len >= 6) {
			n = be32(p + 2);
			h = 6;
		} else {
			return false;          /* partial lengths, or short */
		}
	} else {                      /* old format */
		*tag = p[0] >> 2 & 0x0f;
		if ((p[0] & 3) == 0) {
			n = p[1];
			h = 2;
		} else if ((p[0] & 3) == 1 && len >= 3) {
			n = be16(p + 1);
			h = 3;
		} else if ((p[0] & 3) == 2 && len >= 5) {
			n = be32(p + 1);
			h = 5;
		} else {
			return false;          /* indeterminate length, or short */
		}
	}
	if (n > len - h)
		return false;
	*body = p + h;
	*blen = n;
	*total = h + n;
	return true;
}

/* A subpacket area: 0 read (what sg needs taken from a hashed one), 1 not ours. */
static int
subpackets(const unsigned char *p, size_t len, bool hashed, struct sw_pgpsig *sg,
	bool *have_fpr, bool *have_time)
{
	size_t i = 0;

	while (i < len) {
		const unsigned char *d;
		size_t n, h;
		int type;
		bool critical;

		if (p[i] < 192) {
			n = p[i];
			h = 1;
		} else if (p[i] < 255 && len - i >= 2) {
			n = ((size_t)(p[i] - 192) << 8) + p[i + 1] + 192;
			h = 2;
		} else if (p[i] == 255 && len - i >= 5) {
			n = be32(p + i + 1);
			h = 5;
		} else {
			return 1;
		}
		if (n == 0 || n > len - i - h)
			return 1;
		type = p[i + h] & 0x7f;
		critical = (p[i + h] & 0x80) != 0;
		d = p + i + h + 1;
		n--;
		if (hashed && type == SUB_CREATED && n == 4) {
			sg->created = be32(d);
			*have_time = true;
		} else if (hashed && type == SUB_ISSUER_FPR && n == 1 + SW_PGPSIG_FPR &&
		    d[0] == 4) {
			memcpy(sg->fpr, d + 1, SW_PGPSIG_FPR);
			*have_fpr = true;
		} else if (type == SUB_EXPIRES) {
			return 1;              /* gpg judges expiring signatures */
		} else if (critical && type != SUB_CREATED && type != SUB_ISSUER &&
		    type != SUB_ISSUER_FPR) {
			return 1;
		}
		i += h + 1 + n;
	}
	return 0;
}

/* An MPI of at most 32 bytes, right-aligned into out; its size in *used. */
static bool
mpi32(const unsigned char *p, size_t len, unsigned char out[32], size_t *used)
{
	size_t bits, n;

	if (len < 2)
		return false;
	bits = be16(p);
	n = (bits + 7) / 8;
	if (n == 0 || n > 32 || n > len - 2)
		return false;
	memset(out, 0, 32);
	memcpy(out + 32 - n, p + 2, n);
	*used = 2 + n;
	return true;
}

int
sw_pgpsig_parse(const void *sig, size_t len, struct sw_pgpsig *sg)
{
	const unsigned char *b;
	size_t blen, total, hl, ul, off, used;
	bool have_fpr = false, have_time = false;
	int tag;

	memset(sg, 0, sizeof(*sg));
	if (!packet(sig, len, &tag, &b, &blen, &total) || tag != 2 || total != len)
		return 1;
	if (blen < 6 || b[0] != 4 || b[1] != TYPE_BINARY || b[2] != ALGO_EDDSA)
		return 1;
	sg->hash = b[3];
	if (sg->hash != 8 && sg->hash != 9 && sg->hash != 10) /* SHA-256/384/512 */
		return 1;
	hl = be16(b + 4);
	if (hl > blen - 6 || blen - 6 - hl < 2 ||
	    subpackets(b + 6, hl, true, sg, &have_fpr, &have_time) != 0)
		return 1;
	sg->hashed = b;
	sg->hashed_len = 6 + hl;
	off = 6 + hl;
	ul = be16(b + off);
	off += 2;
	if (ul > blen - off || blen - off - ul < 2 ||
	    subpackets(b + off, ul, false, sg, &have_fpr, &have_time) != 0)
		return 1;
	off += ul;
	memcpy(sg->left16, b + off, 2);
	off += 2;
	if (!mpi32(b + off, blen - off, sg->rs, &used))
		return 1;
	off += used;
	if (!mpi32(b + off, blen - off, sg->rs + 32, &used) || off + used != blen)
		return 1;
	return have_fpr && have_time ? 0 : 1;
}

int
sw_pgpsig_key(const void *export, size_t len,
	const unsigned char fpr[SW_PGPSIG_FPR], unsigned char key[32])
{
	const unsigned char *p = export, *b;
	size_t blen, total;
	int tag;

	while (len > 0 && packet(p, len, &tag, &b, &blen, &total)) {
		unsigned char head[3], md[SHA1_DIGEST_SIZE];
		struct sha1_ctx h;

		p += total;
		len -= total;
		if ((tag != 6 && tag != 14) || blen > 0xffff)
			continue;
		/* a v4 fingerprint: SHA-1 of 0x99, the body's length, the body */
		head[0] = 0x99;
		head[1] = (unsigned char)(blen >> 8);
		head[2] = (unsigned char)blen;
		sha1_init(&h);
		sha1_update(&h, sizeof(head), head);
		sha1_update(&h, blen, b);
		sha1_digest(&h, sizeof(md), md);
		if (memcmp(md, fpr, SW_PGPSIG_FPR) != 0)
			continue;
		/* version 4, created, EdDSA, the Ed25519 OID, the point 0x40 || A */
		if (blen != 6 + 1 + sizeof(ed25519_oid) + 2 + 33 || b[0] != 4 ||
		    b[5] != ALGO_EDDSA || b[6] != sizeof(ed25519_oid) ||
		    memcmp(b + 7, ed25519_oid, sizeof(ed25519_oid)) != 0 ||
		    be16(b + 16) != 263 || b[18] != 0x40)
			return 1;
		memcpy(key, b + 19, 32);
		return 0;
	}
	return 1;
}

static const struct nettle_hash *
hash_md(int hash)
{
	switch (hash) {
	case 8: return &nettle_sha256;
	case 9: return &nettle_sha384;
	case 10: return &nettle_sha512;
	default: return NULL;
	}
}

/* The file's bytes into h; false if it cannot be read as a regular file. */
static bool
hash_file(const struct nettle_hash *md, void *h, const char *path)
{
	enum { CHUNK = 256 * 1024 };
	struct stat st;
	char *buf = NULL;
	bool ok = false;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return false;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		goto out;
	buf = malloc(CHUNK);
	if (buf == NULL)
		goto out;
	for (;;) {
		n = read(fd, buf, CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto out;
		if (n == 0)
			break;
		md->update(h, (size_t)n, (const uint8_t *)buf);
	}
	ok = true;
out:
	free(buf);
	close(fd);
	return ok;
}

int
sw_pgpsig_check(const struct sw_pgpsig *sg, const unsigned char key[32],
	const char *path)
{
	const struct nettle_hash *md = hash_md(sg->hash);
	unsigned char trailer[6], dig[SHA512_DIGEST_SIZE];
	struct sha512_ctx h; /* the largest of the three */

	if (md == NULL || sg->hashed_len > UINT32_MAX)
		return 1;
	/* the data, the signature's hashed part, 0x04 0xff, that part's length */
	trailer[0] = 4;
	trailer[1] = 0xff;
	trailer[2] = (unsigned char)(sg->hashed_len >> 24);
	trailer[3] = (unsigned char)(sg->hashed_len >> 16);
	trailer[4] = (unsigned char)(sg->hashed_len >> 8);
	trailer[5] = (unsigned char)sg->hashed_len;
	md->init(&h);
	if (!hash_file(md, &h, path))
		return 1;
	md->update(&h, sg->hashed_len, sg->hashed);
	md->update(&h, sizeof(trailer), trailer);
	md->digest(&h, md->digest_size, dig);
	if (memcmp(dig, sg->left16, 2) != 0)
		return 1;
	/* EdDSA signs the digest itself */
	return ed25519_sha512_verify(key, md->digest_size, dig, sg->rs) ? 0 : 1;
}
