/*
 * log: what a program says about its work, for people and for syslog.
 *
 * A command calls sw_log_init once, from its options (-v, -q), before
 * anything logs. Messages go to stderr; when stderr is not a terminal
 * (cron, sshd forced commands, systemd) they also go to syslog under the
 * program's name. Errors and warnings always show; -q hides info, each -v
 * shows more (debug). The level is the one piece of process-wide state the
 * library keeps, set once at start-up like the parsed configuration.
 * Library code logs events worth an admin's attention (a reclaimed lease);
 * failures go back through struct sw_err instead.
 */
#ifndef SW_LOG_H
#define SW_LOG_H

enum sw_log_level {
	SW_LOG_ERROR = 0,
	SW_LOG_WARN = 1,
	SW_LOG_INFO = 2,
	SW_LOG_DEBUG = 3,
};

/* verbosity: -1 for -q, 0 by default, +1 per -v. */
void sw_log_init(const char *ident, int verbosity);
void sw_log(enum sw_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define sw_error(...) sw_log(SW_LOG_ERROR, __VA_ARGS__)
#define sw_warn(...) sw_log(SW_LOG_WARN, __VA_ARGS__)
#define sw_info(...) sw_log(SW_LOG_INFO, __VA_ARGS__)
#define sw_debug(...) sw_log(SW_LOG_DEBUG, __VA_ARGS__)

#endif
