/*
 * config: master.conf and slave.conf (DESIGN.md §8), read with inih.
 *
 * sw_master_conf_load / sw_slave_conf_load fill a struct that the caller
 * releases with the matching _release (also after a failed load). Every
 * error names the file and the line: unknown sections and keys, duplicates,
 * bad values, and missing required keys (at the section's line). Relative
 * paths are resolved against the directory of the config file; "~/" is the
 * home directory. An empty value ("repo_key =") means "not set": NULL, or
 * the default where the key has one; a required key must have a value.
 * sw_conf_locate finds the file a program should read: -c, else
 * $SLIPWAY_CONFIG, else conf/<name> beside the bin/ the program runs from,
 * else SYSCONFDIR/slipway/<name>. sw_master_conf_locate_load does both
 * steps for a master-side program: locate master.conf, then load it.
 */
#ifndef SW_CONFIG_H
#define SW_CONFIG_H

#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/names.h"
#include "core/strvec.h"

#define SW_CONF_MAX_SIZE (1024 * 1024)

struct sw_conf_section {
	char name[SW_SLAVE_MAX + 1]; /* "" for unnamed sections */
	int line;                    /* where its [header] is */
};

enum sw_layout {
	SW_LAYOUT_REPO_PKGBASE,
	SW_LAYOUT_PKGBASE,
	SW_LAYOUT_SVNTOGIT,
	SW_LAYOUT_PER_PACKAGE,
};

struct sw_source_conf {
	struct sw_conf_section sec;
	char *url;              /* per-package: holds one %s for the pkgbase */
	char *branch;           /* NULL: the remote's HEAD */
	int layout;             /* enum sw_layout */
	char *repository;       /* layout pkgbase and per-package */
	struct sw_strvec packages; /* per-package: the pkgbases to follow */
};

struct sw_customizations_conf {
	struct sw_conf_section sec;
	char *url;
	char *branch;
};

struct sw_repo_conf {
	struct sw_conf_section sec; /* the stable repository */
	char *staging;
	char *testing;
	struct sw_strvec from;      /* upstream repositories routed here */
	int debug;                  /* debug = yes: makepkg's debug packages
	                             * are published (DESIGN.md §6) */
	/* with debug = yes: "<staging>-debug", "<testing>-debug" and
	 * "<stable>-debug", in this order; "" otherwise */
	char debug_repo[3][SW_REPO_MAX + 1];
};

struct sw_slave_entry_conf {
	struct sw_conf_section sec;
	char *key;                  /* fingerprint, upper case */
	uint64_t max_assignments;
};

struct sw_master_conf {
	char *path;                 /* the file read */
	char *state_dir;
	char *repo_dir;
	char *arch;
	uint64_t lease_timeout;
	uint64_t broken_retries;
	uint64_t broken_retry_delay;
	uint64_t max_upload_size;
	char *repo_key;             /* NULL: databases unsigned */
	char *gnupg_home;           /* NULL: gpgme's default */
	uint64_t keep_days;         /* db-update --cleanup: unlinked pool files older */
	struct sw_source_conf *sources;
	size_t nsources;
	struct sw_customizations_conf *customizations; /* NULL if none */
	struct sw_repo_conf *repos;
	size_t nrepos;
	struct sw_slave_entry_conf *slaves;
	size_t nslaves;
};

enum sw_backend {
	SW_BACKEND_BWRAP,
	SW_BACKEND_DEVTOOLS,
	SW_BACKEND_COMMAND,
};

struct sw_slave_conf {
	char *path;
	char *name;
	char *master;               /* user@host[:port] */
	char *identity;
	char *known_hosts;
	char *work_dir;
	char *gpg_key;
	char *gnupg_home;
	int backend;                /* enum sw_backend */
	struct sw_strvec straws;    /* plain clean mirror nocheck, in order */
	char *command;              /* backend = command: the template */
	char *arch;                 /* CARCH; NULL: the machine's (uname) */
	char *makepkg_conf;         /* NULL: the host's /etc/makepkg.conf */
	char *pacman_conf;          /* the farm's repositories; NULL: none */
	char *source_mirror;        /* <mirror>/<sha256>; NULL: no mirror straw */
	char *devtools_chroot;      /* backend = devtools: makechrootpkg -r */
	char *makechrootpkg;        /* backend = devtools: the program */
	uint64_t build_timeout;     /* wall seconds per straw */
	uint64_t build_cpu;         /* CPU seconds per process */
	uint64_t build_memory;      /* bytes of address space per process */
	uint64_t build_processes;   /* processes in one build */
	uint64_t build_logs;        /* logs kept in <work_dir>/logs */
	uint64_t source_cache_days; /* cached sources unused this long go */
	uint64_t build_uid;         /* as root: sandboxes run as this uid */
};

/* The straws slave.conf may name, in no particular order. */
extern const char *const sw_slave_straws[];

int sw_master_conf_load(const char *path, struct sw_master_conf *c,
	struct sw_err *e);
void sw_master_conf_release(struct sw_master_conf *c);
int sw_slave_conf_load(const char *path, struct sw_slave_conf *c,
	struct sw_err *e);
void sw_slave_conf_release(struct sw_slave_conf *c);

/* Lookups by name; NULL if there is no such section. */
const struct sw_slave_entry_conf *sw_master_conf_slave(
	const struct sw_master_conf *c, const char *name);
/* The repository section whose stable, staging or testing name is repo
 * (not its debug repositories). */
/* "repo/pkgbase", "pkgbase", "svntogit" or "per-package"; NULL if none. */
const char *sw_layout_name(int layout);
/* The layout of that name, or -1. */
int sw_layout_parse(const char *name);
const struct sw_repo_conf *sw_master_conf_repo(const struct sw_master_conf *c,
	const char *repo);

/* explicit: the -c argument or NULL; basename: "master.conf" or "slave.conf". */
int sw_conf_locate(const char *explicit, const char *basename,
	struct sw_buf *out, struct sw_err *e);

/*
 * sw_conf_locate(explicit, "master.conf"), then sw_master_conf_load into c;
 * release c also after a failure (c->path is the file found).
 */
int sw_master_conf_locate_load(const char *explicit, struct sw_master_conf *c,
	struct sw_err *e);

#endif
