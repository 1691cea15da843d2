#include "queue/slavecall.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "queue/lease.h"
#include "queue/sanity.h"

static int
start(struct sw_slavecall *c, const struct sw_slavecall_spec *spec,
	int argc, char **argv)
{
	const char *a;
	int status, words = 0, optional = 0;
	bool in_word = false;

	memset(c, 0, sizeof(*c));
	c->spec = spec;
	for (a = spec->args; *a != '\0'; a++) {
		if (*a == ' ') {
			in_word = false;
		} else if (!in_word) {
			in_word = true;
			words++;
			optional += *a == '[';
		}
	}
	if (words > 0)
		snprintf(c->expected, sizeof(c->expected), "expected %s",
			spec->args);
	c->cli_spec = (struct sw_cli_spec){
		.prog = spec->prog,
		.usage = spec->usage,
		.min_operands = words - optional,
		.max_operands = words,
		.operands = words > 0 ? c->expected : NULL,
		.usage_status = SW_SLAVECALL_USAGE,
	};
	status = sw_cli_start(&c->cli_spec, argc, argv, &c->cli);
	if (status >= 0)
		return status;
	c->op = argv + c->cli.first_operand;
	c->nop = argc - c->cli.first_operand;
	return -1;
}

static int
open_call(struct sw_slavecall *c, struct sw_err *e)
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

static int
finish(struct sw_slavecall *c, int result, const struct sw_err *e)
{
	const struct sw_slavecall_spec *s = c->spec;
	int status = SW_SLAVECALL_FAIL;
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

int
sw_slavecall_main(const struct sw_slavecall_spec *spec, int argc, char **argv)
{
	struct sw_slavecall c;
	struct sw_err e;
	int status;

	status = start(&c, spec, argc, argv);
	if (status >= 0)
		return status;
	if (spec->check != NULL) {
		status = spec->check(&c);
		if (status >= 0)
			return status;
	}
	if (open_call(&c, &e) < 0)
		return finish(&c, -1, &e);
	if (spec->not_sane != 0) {
		switch (sw_sanity_gate(c.conf.state_dir, &e)) {
		case SW_SANITY_OK:
			break;
		case SW_SANITY_NOT_SANE:
			return finish(&c, spec->not_sane, &e);
		default:
			return finish(&c, -1, &e);
		}
	}
	return finish(&c, spec->work(&c, &e), &e);
}
