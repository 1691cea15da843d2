/*
 * SSH_ORIGINAL_COMMAND as slave-connect parses it (slavecmd.h). Whatever is
 * accepted must be one of the table's commands with exactly its argument
 * count, and no argument may hold a byte outside the strict sets.
 */
#include <stdlib.h>
#include <string.h>

#include "queue/slavecmd.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = fuzz_string(data, size);
	struct sw_slavecmd cmd;
	struct sw_err e = {{0}};
	size_t i;

	sw_slavecmd_init(&cmd);
	if (sw_slavecmd_parse(line, &cmd, &e) == 0) {
		if (cmd.spec == NULL || cmd.args.n != cmd.spec->nargs)
			abort();
		for (i = 0; i < cmd.args.n; i++)
			if (cmd.args.v[i][0] == '\0' ||
			    strpbrk(cmd.args.v[i], " \t\n/\\;&|$`'\"<>*?") != NULL)
				abort();
	}
	sw_slavecmd_release(&cmd);
	free(line);
	return 0;
}
