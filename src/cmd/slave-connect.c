/* slave-connect: sshd's forced command for slave keys; runs one of four programs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cli.h"
#include "core/config.h"
#include "core/log.h"
#include "core/names.h"
#include "queue/slavecmd.h"

enum { EXIT_OK = 0, EXIT_REFUSED = 42, EXIT_FAIL = 43, EXIT_USAGE = 64 };

static const char usage_text[] =
	"usage: slave-connect [options] SLAVE\n"
	"\n"
	"The forced command of a slave's key in ~/.ssh/authorized_keys:\n"
	"  command=\"/usr/bin/slave-connect SLAVE\",restrict ssh-ed25519 ...\n"
	"Runs the command in SSH_ORIGINAL_COMMAND if it is one of\n"
	"  get-assignment\n"
	"  get-sources PKGBASE SRC MOD REPO\n"
	"  ping PKGBASE SRC MOD REPO PHASE\n"
	"  return-assignment PKGBASE SRC MOD REPO [ERROR]\n"
	"with SLIPWAY_SLAVE=SLAVE, and refuses anything else. No shell is used.\n"
	"\n"
	"Options:\n"
	"  -c, --config FILE   master configuration (passed on to the command)\n"
	SW_CLI_USAGE_COMMON
	"\n"
	"Exit status: that of the command run; 42 refused (one line on stderr,\n"
	"also logged), 43 the command could not be run, 64 usage.\n";

static const struct sw_cli_spec spec = {
	.prog = "slave-connect",
	.usage = usage_text,
	.min_operands = 1,
	.max_operands = 1,
	.operands = "expected one slave name",
	.usage_status = EXIT_USAGE,
};

int
main(int argc, char **argv)
{
	struct sw_master_conf conf;
	struct sw_slavecmd cmd;
	struct sw_cli cli;
	struct sw_err e;
	const char *slave, *line;
	char q[96];
	int status, rc = EXIT_FAIL;

	memset(&conf, 0, sizeof(conf));
	sw_slavecmd_init(&cmd);
	status = sw_cli_start(&spec, argc, argv, &cli);
	if (status >= 0)
		return status;
	slave = argv[cli.first_operand];
	if (sw_name_check(SW_NAME_SLAVE, slave, &e) < 0) {
		sw_error("refused: %s", e.msg);
		rc = EXIT_REFUSED;
		goto out;
	}
	if (sw_master_conf_locate_load(cli.config, &conf, &e) < 0) {
		sw_error("cannot serve slave '%s': %s", slave, e.msg);
		goto out;
	}
	if (sw_master_conf_slave(&conf, slave) == NULL) {
		sw_error("refused slave '%s': no [slave %s] section in '%s'", slave,
			slave, conf.path);
		rc = EXIT_REFUSED;
		goto out;
	}
	line = getenv("SSH_ORIGINAL_COMMAND");
	if (sw_slavecmd_parse(line, &cmd, &e) < 0) {
		sw_error("refused command of slave '%s': %s", slave, e.msg);
		rc = EXIT_REFUSED;
		goto out;
	}
	sw_name_quote(line, strlen(line), q, sizeof(q));
	sw_debug("slave '%s' runs '%s'", slave, q);
	sw_slavecmd_exec(&cmd, slave, conf.path, &e);
	sw_error("cannot serve slave '%s': %s", slave, e.msg);
out:
	sw_slavecmd_release(&cmd);
	sw_master_conf_release(&conf);
	return rc;
}
