/*
 * slavecall: what every master program that a slave runs through
 * slave-connect (get-assignment, get-sources, ping, return-assignment)
 * does before and after its own work, so that each command file keeps
 * only its usage, its own checks, one library call and its exit table.
 *
 *   struct sw_slavecall c;
 *   status = sw_slavecall_start(&c, &spec, argc, argv);
 *   if (status >= 0) return status;          -h, -V or a usage error
 *   ...the command's own checks of c.op (usage errors)...
 *   if (sw_slavecall_open(&c, &e) < 0) return sw_slavecall_finish(&c, -1, &e);
 *   r = <library call>(&c.conf, &c.id, c.slave, ...);
 *   return sw_slavecall_finish(&c, r, &e);
 *
 * sw_slavecall_start parses the options and operand count (cli.h), and
 * starts the log. sw_slavecall_open checks, in this order: the id in
 * operands 0-3 (with SW_SLAVECALL_ID), the phase in operand 4 (with
 * SW_SLAVECALL_PHASE), loads the master configuration, reads the calling
 * slave (sw_lease_slave: SLIPWAY_SLAVE checked against its [slave]
 * section), and with slave_only refuses a caller without SLIPWAY_SLAVE
 * ("no SLIPWAY_SLAVE: only a slave <slave_only> (through slave-connect)").
 * sw_slavecall_finish logs and maps a library result to the exit status:
 * 0 is success (nothing logged), a negative result is our failure (e
 * logged as an error, fail_status returned), and a positive one is found
 * in the exit table, logged at its level with its format (one %s: e's
 * message) and returned as the exit status, as every slave-facing result
 * enum numbers its values as the documented exit codes. It releases the
 * configuration; c is not used after it.
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

struct sw_slavecall_spec {
	struct sw_cli_spec cli;
	unsigned operands;         /* SW_SLAVECALL_ID | SW_SLAVECALL_PHASE */
	const char *slave_only;    /* NULL: an administrator may run it too */
	const struct sw_slavecall_exit *exits;
	size_t nexits;
	int fail_status;           /* our own failure: 10 */
};

struct sw_slavecall {
	const struct sw_slavecall_spec *spec;
	struct sw_master_conf conf;
	struct sw_cli cli;
	struct sw_id id;           /* with SW_SLAVECALL_ID */
	const char *slave;         /* SLIPWAY_SLAVE, or NULL: an administrator */
	char **op;                 /* the operands */
	int nop;
};

/* -1: go on; else the status for main() to return. */
int sw_slavecall_start(struct sw_slavecall *c,
	const struct sw_slavecall_spec *spec, int argc, char **argv);
/* 0, or -1 with e set (hand it to sw_slavecall_finish). */
int sw_slavecall_open(struct sw_slavecall *c, struct sw_err *e);
/* The exit status of result (see above); releases c. */
int sw_slavecall_finish(struct sw_slavecall *c, int result,
	const struct sw_err *e);

#endif
