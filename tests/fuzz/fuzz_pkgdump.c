/*
 * What the PKGBUILD sandbox reports (pkgdump.h): the NUL-separated token
 * record that a hostile PKGBUILD controls entirely. Parse, lint, and turn
 * it into a .SRCINFO that must print.
 */
#include "core/buf.h"
#include "source/pkgdump.h"
#include "source/srcinfo.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sw_pkgdump d;
	struct sw_srcinfo s;
	struct sw_buf b;
	struct sw_err e = {{0}};

	sw_pkgdump_init(&d);
	sw_srcinfo_init(&s);
	sw_buf_init(&b, 0);
	if (sw_pkgdump_parse(&d, (const char *)data, size, &e) < 0 ||
	    sw_pkgdump_lint(&d, &e) < 0 || sw_pkgdump_srcinfo(&d, &s, &e) < 0)
		goto out;
	(void)sw_srcinfo_print(&s, &b, &e);
out:
	sw_pkgdump_release(&d);
	sw_srcinfo_release(&s);
	sw_buf_release(&b);
	return 0;
}
