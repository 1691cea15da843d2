/*
 * master.conf and slave.conf (config.h), as inih and our checks read them.
 * The first byte picks the kind; the rest is the file.
 */
#include "core/config.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sw_master_conf m = {0};
	struct sw_slave_conf s = {0};
	struct sw_err e = {{0}};
	const char *path;

	if (size == 0)
		return 0;
	if (data[0] & 1) {
		path = fuzz_file("slave.conf", data + 1, size - 1);
		(void)sw_slave_conf_load(path, &s, &e);
		sw_slave_conf_release(&s);
	} else {
		path = fuzz_file("master.conf", data + 1, size - 1);
		(void)sw_master_conf_load(path, &m, &e);
		sw_master_conf_release(&m);
	}
	return 0;
}
