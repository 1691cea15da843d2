/*
 * slavecall: what every master program that a slave runs through
 * slave-connect (get-assignment, get-sources, ping, return-assignment)
 * does before and after its own work, so that each command file keeps
 * only its usage, its own checks, one library call and its exit table.
 *
 *   static int work(struct sw_slavecall *c, struct sw_err *e)
 *   {
 *           return <library call>(&c->conf, &c->id, c->slave, ..., e);
 *   }
 *   int main(int argc, char **argv)
 *   {
 *           return sw_slavecall_main(&spec, argc, argv);
 *   }
 *
 * sw_slavecall_main parses the options and operand count (cli.h; a usage
 * error exits SW_SLAVECALL_USAGE) and starts the log; runs the command's own check of its operands (a usage
 * error, a terminal on stdout), if any; then checks, in this order, the
 * id in operands 0-3 (with SW_SLAVECALL_ID) and the phase in operand 4
 * (with SW_SLAVECALL_PHASE); loads the master configuration; reads the
 * calling slave (sw_lease_slave: SLIPWAY_SLAVE checked against its [slave]
 * section), and with slave_only refuses a caller without SLIPWAY_SLAVE
 * ("no SLIPWAY_SLAVE: only a slave <slave_only> (through slave-connect)").
 * Then it calls work and maps its result to the exit status: 0 is success
 * (nothing logged); a negative result is our failure (e logged as an
 * error, SW_SLAVECALL_FAIL returned), as is any failure before work; a
 * positive one is found in the exit table, logged at its level with its
 * format (one %s: e's message) and returned as the exit status, as every
 * slave-facing result enum numbers its values as its exit codes.
 * Nothing here holds a lock or writes state.
 */
#ifndef SW_SLAVECALL_H
#define SW_SLAVECALL_H

#include <stddef.h>

#include "core/cli.h"
#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "core/names.h"

#define SW_SLAVECALL_ID 0x1u     /* operands 0-3: PKGBASE SRC MOD REPO */
#define SW_SLAVECALL_PHASE 0x2u  /* operand 4: a phase (names.h) */

struct sw_slavecall_exit {
	int result;                /* a positive library result = exit status */
	enum sw_log_level level;
	const char *fmt;           /* one %s, the message: "busy: %s" */
};

struct sw_slavecall;

struct sw_slavecall_spec {
	const char *prog;          /* "ping" */
	const char *usage;         /* its usage text, as for cli.h */
	/*
	 * Its operands, as the usage names them: "PKGBASE SRC MOD REPO
	 * [ERROR]" ([word]: optional, at the end); "" for none. The count is
	 * checked against it; a wrong one is a usage error "expected <args>".
	 */
	const char *args;
	unsigned operands;         /* SW_SLAVECALL_ID | SW_SLAVECALL_PHASE */
	const char *slave_only;    /* NULL: an administrator may run it too */
	const struct sw_slavecall_exit *exits;
	size_t nexits;
	/* NULL, or the command's own checks: -1 to go on, else an exit status */
	int (*check)(const struct sw_slavecall *c);
	/*
	 * 0, or the library result to answer instead of working while the
	 * master is marked not sane (queue/sanity.h): the slave retries later
	 */
	int not_sane;
	/* the command's work: a library result (0 ok, > 0 refusals, < 0 failed) */
	int (*work)(struct sw_slavecall *c, struct sw_err *e);
};

/* In a spec: its exit table, an array. */
#define SW_SLAVECALL_EXITS(table) \
	.exits = (table), .nexits = sizeof(table) / sizeof((table)[0])
/* The exit status of our own failure, the same for every such command. */
#define SW_SLAVECALL_FAIL 10

/* The exit status of a usage error, the same for every such command. */
#define SW_SLAVECALL_USAGE 64

struct sw_slavecall {
	const struct sw_slavecall_spec *spec;
	struct sw_cli_spec cli_spec;   /* made from spec, for usage errors */
	char expected[128];
	struct sw_master_conf conf;
	struct sw_cli cli;
	struct sw_id id;           /* with SW_SLAVECALL_ID */
	const char *slave;         /* SLIPWAY_SLAVE, or NULL: an administrator */
	char **op;                 /* the operands */
	int nop;
};

/* The whole command: the exit status for main() to return. */
int sw_slavecall_main(const struct sw_slavecall_spec *spec, int argc,
	char **argv);

#endif
