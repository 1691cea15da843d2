/* gzseg: files that every gzip reader reads, segments copied from an old file, damage detected. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "repo/gzseg.h"

/* The whole of a gzip file, inflated by zlib itself. */
static char *
gunzip(const struct sw_buf *file, size_t *len)
{
	z_stream s;
	size_t cap = 1 << 20;
	char *out = malloc(cap);
	int r;

	memset(&s, 0, sizeof(s));
	assert_int_equal(inflateInit2(&s, 16 + 15), Z_OK);
	s.next_in = (unsigned char *)file->data;
	s.avail_in = (uInt)file->len;
	s.next_out = (unsigned char *)out;
	s.avail_out = (uInt)cap;
	r = inflate(&s, Z_FINISH);
	assert_int_equal(r, Z_STREAM_END);
	assert_int_equal(s.avail_in, 0);
	*len = cap - s.avail_out;
	inflateEnd(&s);
	return out;
}

static void
fill(char *p, size_t n, unsigned seed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (char)(i % 7 == 0 ? (seed >> 16) & 0xff : 'a' + i % 13);
	}
}

static void
test_write_read_copy(void **state)
{
	struct sw_gzseg_writer w;
	struct sw_buf f1 = SW_BUF_INIT, f2 = SW_BUF_INIT, data = SW_BUF_INIT;
	struct sw_gzseg *segs = NULL, *segs2 = NULL;
	struct sw_err e;
	size_t n = 0, n2 = 0, len;
	char a[5000], b[7000], c[3000], tail[1024] = { 0 };
	char *plain;

	(void)state;
	fill(a, sizeof(a), 1);
	fill(b, sizeof(b), 2);
	fill(c, sizeof(c), 3);
	sw_gzseg_writer_init(&w);
	assert_int_equal(sw_gzseg_add(&w, a, sizeof(a), &e), 0);
	assert_int_equal(sw_gzseg_add(&w, b, sizeof(b), &e), 0);
	assert_int_equal(sw_gzseg_finish(&w, tail, sizeof(tail), &f1, &e), 0);
	sw_gzseg_writer_release(&w);

	plain = gunzip(&f1, &len);
	assert_int_equal(len, sizeof(a) + sizeof(b) + sizeof(tail));
	assert_memory_equal(plain, a, sizeof(a));
	assert_memory_equal(plain + sizeof(a), b, sizeof(b));
	free(plain);

	assert_int_equal(sw_gzseg_read(f1.data, f1.len, &data, &segs, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_int_equal(data.len, sizeof(a) + sizeof(b) + sizeof(tail));
	assert_int_equal(segs[1].uoff, sizeof(a));
	assert_int_equal(segs[1].ulen, sizeof(b));

	/* a new file: a copied, c new, b copied */
	sw_gzseg_writer_init(&w);
	assert_int_equal(sw_gzseg_copy(&w, f1.data, &segs[0], &e), 0);
	assert_int_equal(sw_gzseg_add(&w, c, sizeof(c), &e), 0);
	assert_int_equal(sw_gzseg_copy(&w, f1.data, &segs[1], &e), 0);
	assert_int_equal(sw_gzseg_finish(&w, tail, sizeof(tail), &f2, &e), 0);
	sw_gzseg_writer_release(&w);
	plain = gunzip(&f2, &len);
	assert_int_equal(len, sizeof(a) + sizeof(c) + sizeof(b) + sizeof(tail));
	assert_memory_equal(plain, a, sizeof(a));
	assert_memory_equal(plain + sizeof(a), c, sizeof(c));
	assert_memory_equal(plain + sizeof(a) + sizeof(c), b, sizeof(b));
	free(plain);
	sw_buf_reset(&data);
	assert_int_equal(sw_gzseg_read(f2.data, f2.len, &data, &segs2, &n2, &e), 0);
	assert_int_equal(n2, 3);
	assert_int_equal(segs2[2].clen, segs[1].clen);
	assert_memory_equal(f2.data + segs2[2].coff, f1.data + segs[1].coff, segs[1].clen);

	free(segs);
	free(segs2);
	sw_buf_release(&f1);
	sw_buf_release(&f2);
	sw_buf_release(&data);
}

static void
test_not_ours(void **state)
{
	struct sw_gzseg_writer w;
	struct sw_buf f = SW_BUF_INIT, data = SW_BUF_INIT, plain = SW_BUF_INIT;
	struct sw_gzseg *segs = NULL;
	struct sw_err e;
	size_t n = 0, i;
	char a[4000], tail[1024] = { 0 };
	unsigned char gz[8192];
	uLongf gzlen = sizeof(gz);
	z_stream s;

	(void)state;
	fill(a, sizeof(a), 9);
	/* an ordinary gzip file: no table */
	memset(&s, 0, sizeof(s));
	deflateInit2(&s, 6, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY);
	s.next_in = (unsigned char *)a;
	s.avail_in = sizeof(a);
	s.next_out = gz;
	s.avail_out = (uInt)gzlen;
	assert_int_equal(deflate(&s, Z_FINISH), Z_STREAM_END);
	gzlen = s.total_out;
	deflateEnd(&s);
	assert_int_equal(sw_gzseg_read(gz, gzlen, &data, &segs, &n, &e), 1);
	assert_int_equal(sw_gzseg_read("x", 1, &data, &segs, &n, &e), 1);

	sw_gzseg_writer_init(&w);
	assert_int_equal(sw_gzseg_add(&w, a, sizeof(a), &e), 0);
	assert_int_equal(sw_gzseg_add(&w, a, 100, &e), 0);
	assert_int_equal(sw_gzseg_finish(&w, tail, sizeof(tail), &f, &e), 0);
	sw_gzseg_writer_release(&w);
	/* damage anywhere never yields other data: refused, or harmless */
	for (i = 0; i < f.len; i++) {
		sw_buf_reset(&plain);
		sw_buf_add(&plain, f.data, f.len);
		plain.data[i] ^= 0x55;
		sw_buf_reset(&data);
		if (sw_gzseg_read(plain.data, plain.len, &data, &segs, &n, &e) == 0) {
			free(segs);
			if (data.len != sizeof(a) + 100 + sizeof(tail) ||
			    memcmp(data.data, a, sizeof(a)) != 0)
				fail_msg("damage at %zu gave other data", i);
		} else
			assert_int_equal(data.len, 0);
	}
	/* a second member after ours */
	sw_buf_reset(&plain);
	sw_buf_add(&plain, f.data, f.len);
	sw_buf_add(&plain, gz, gzlen);
	assert_int_equal(sw_gzseg_read(plain.data, plain.len, &data, &segs, &n, &e), 1);
	sw_buf_release(&f);
	sw_buf_release(&data);
	sw_buf_release(&plain);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_read_copy),
		cmocka_unit_test(test_not_ours),
	};

	return cmocka_run_group_tests_name("gzseg", tests, NULL, NULL);
}
