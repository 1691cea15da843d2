/*
 * A repository database as repo-db, return-assignment and db-update load
 * it (repodb.h): the first byte picks what the rest is: a whole
 * <name>.db.tar.gz (gzseg's table included), the desc entry of a database
 * otherwise well formed, or its files entry.
 */
#include <stdlib.h>

#include "repo/repodb.h"
#include "fuzz.h"

static const char desc[] =
	"%FILENAME%\nfoo-1-1-x86_64.pkg.tar.zst\n\n%NAME%\nfoo\n\n"
	"%BASE%\nfoo\n\n%VERSION%\n1-1\n\n%CSIZE%\n1\n\n%ISIZE%\n1\n\n"
	"%MD5SUM%\n00000000000000000000000000000000\n\n%ARCH%\nx86_64\n\n"
	"%BUILDDATE%\n1\n\n";
static const char files[] = "%FILES%\nusr/\nusr/bin/\nusr/bin/foo\n\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sw_repodb db = {0};
	struct sw_err e = {{0}};
	struct fuzz_member d = { "foo-1-1/desc", desc, sizeof(desc) - 1 };
	struct fuzz_member f = { "foo-1-1/files", files, sizeof(files) - 1 };
	void *dbtar = NULL, *ftar = NULL;
	size_t dblen, flen;
	const char *path;

	if (size == 0)
		return 0;
	if (data[0] % 3 == 0) {
		path = fuzz_file("core.db.tar.gz", data + 1, size - 1);
		(void)sw_repodb_load(&db, path, false, &e);
		goto out;
	}
	if (data[0] % 3 == 1) {
		d.data = data + 1;
		d.size = size - 1;
	} else {
		f.data = data + 1;
		f.size = size - 1;
	}
	fuzz_tar(&d, 1, 1, &dbtar, &dblen);
	fuzz_tar((struct fuzz_member[]){ d, f }, 2, 1, &ftar, &flen);
	fuzz_file("core.files.tar.gz", ftar, flen);
	path = fuzz_file("core.db.tar.gz", dbtar, dblen);
	(void)sw_repodb_load(&db, path, true, &e);
out:
	sw_repodb_release(&db);
	free(dbtar);
	free(ftar);
	return 0;
}
