/*
 * fuzz.h: what every libFuzzer target of tests/fuzz shares.
 *
 * Targets that parse files (the library reads state and packages by path,
 * with O_NOFOLLOW and a size cap) get the input written to a file in a
 * private directory made once per process; fuzz_file() returns its path.
 * Nothing here is part of libslipway.
 */
#ifndef SW_FUZZ_H
#define SW_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A directory of this process's own, made on first use; aborts on failure. */
const char *fuzz_dir(void);
/* Writes data to <fuzz_dir>/<name> (replacing it) and returns that path. */
const char *fuzz_file(const char *name, const uint8_t *data, size_t size);
/* A NUL-terminated copy of data; free it. */
char *fuzz_string(const uint8_t *data, size_t size);
/*
 * A plain tar in memory holding one member per (name, data, size) triple,
 * written with libarchive; *out is malloc'ed, *outlen its size.
 */
struct fuzz_member {
	const char *name;
	const void *data;
	size_t size;
};
void fuzz_tar(const struct fuzz_member *m, size_t n, int gzip, void **out,
	size_t *outlen);

#endif
