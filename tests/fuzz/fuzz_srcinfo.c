/*
 * .SRCINFO (srcinfo.h): parse; what parses prints, and the print parses
 * again to the same print (a round trip that must be stable); the per-arch
 * view must not crash either.
 */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "source/srcinfo.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sw_srcinfo s, t;
	struct sw_pkginfo p;
	struct sw_buf one, two;
	struct sw_err e = {{0}};

	sw_srcinfo_init(&s);
	sw_srcinfo_init(&t);
	sw_pkginfo_init(&p);
	sw_buf_init(&one, 0);
	sw_buf_init(&two, 0);
	if (sw_srcinfo_parse(&s, (const char *)data, size, "'fuzz'", &e) < 0)
		goto out;
	(void)sw_srcinfo_info(&s, "x86_64", &p, &e);
	if (sw_srcinfo_print(&s, &one, &e) < 0)
		goto out;
	if (sw_srcinfo_parse(&t, one.data, one.len, "'printed'", &e) < 0 ||
	    sw_srcinfo_print(&t, &two, &e) < 0 || one.len != two.len ||
	    memcmp(one.data, two.data, one.len) != 0)
		abort();
out:
	sw_srcinfo_release(&s);
	sw_srcinfo_release(&t);
	sw_pkginfo_release(&p);
	sw_buf_release(&one);
	sw_buf_release(&two);
	return 0;
}
