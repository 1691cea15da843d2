#include "core/log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <syslog.h>
#include <unistd.h>

static struct {
	const char *ident;
	int max_level;
	bool syslog;
} logcfg = { "slipway", SW_LOG_INFO, false };

void
sw_log_init(const char *ident, int verbosity)
{
	int level = SW_LOG_INFO + verbosity;

	logcfg.ident = ident;
	logcfg.max_level = level < SW_LOG_WARN ? SW_LOG_WARN : level;
	logcfg.syslog = !isatty(STDERR_FILENO);
	if (logcfg.syslog)
		openlog(ident, LOG_PID, LOG_DAEMON);
}

void
sw_log(enum sw_log_level level, const char *fmt, ...)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	static const char *const prefix[] = { "error: ", "warning: ", "", "debug: " };
	char msg[2048];
	va_list ap;

	if ((int)level > logcfg.max_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s%s\n", logcfg.ident, prefix[level], msg);
	if (logcfg.syslog)
		syslog(prio[level], "%s%s", prefix[level], msg);
}
