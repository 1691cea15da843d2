#include "queue/slavecall.h"

#include <string.h>

#include "queue/lease.h"

int
sw_slavecall_start(struct sw_slavecall *c, const struct sw_slavecall_spec *spec,
	int argc, char **argv)
{
	int status;

	memset(c, 0, sizeof(*c));
	c->spec = spec;
	status = sw_cli_start(&spec->cli, argc, argv, &c->cli);
	if (status >= 0)
		return status;
	c->op = argv + c->cli.first_operand;
	c->nop = argc - c->cli.first_operand;
	return -1;
}

int
sw_slavecall_open(struct sw_slavecall *c, struct sw_err *e)
{
	const struct sw_slavecall_spec *s = c->spec;

	if ((s->operands & SW_SLAVECALL_ID) &&
	    sw_id_from_fields(&c->id, c->op[0], c->op[1], c->op[2], c->op[3],
	    e) < 0)
		return -1;
	if ((s->operands & SW_SLAVECALL_PHASE) &&
	    sw_name_check(SW_NAME_PHASE, c->op[4], e) < 0)
		return -1;
	if (sw_master_conf_locate_load(c->cli.config, &c->conf, e) < 0 ||
	    sw_lease_slave(&c->conf, &c->slave, NULL, e) < 0)
		return -1;
	if (c->slave == NULL && s->slave_only != NULL)
		return sw_err_set(e, "no SLIPWAY_SLAVE: only a slave %s (through "
			"slave-connect)", s->slave_only);
	return 0;
}

int
sw_slavecall_finish(struct sw_slavecall *c, int result, const struct sw_err *e)
{
	const struct sw_slavecall_spec *s = c->spec;
	int status = s->fail_status;
	size_t i;

	if (result == 0) {
		status = 0;
		goto out;
	}
	for (i = 0; result > 0 && i < s->nexits; i++) {
		if (s->exits[i].result == result) {
			sw_log(s->exits[i].level, s->exits[i].fmt, e->msg);
			status = result;
			goto out;
		}
	}
	sw_error("%s", e->msg);
out:
	sw_master_conf_release(&c->conf);
	return status;
}
