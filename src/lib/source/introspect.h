/*
 * introspect: reads PKGBUILDs the way `makepkg --printsrcinfo` does, many
 * at a time, in a bubblewrap sandbox; and caches the results by git tree.
 *
 * sw_introspect_run reads the items in a few lanes (one per CPU by
 * default; fewer for few items), each a row of batches of at most
 * SW_INTROSPECT_BATCH_MAX items. A batch is one sandbox: bwrap + bash with
 * no network (all namespaces unshared: user, pid, net, ipc, uts, cgroup),
 * running as uid 65534 with no capabilities, seeing /usr (and the /bin,
 * /lib* links), /etc/makepkg.conf, its own /proc, a private /tmp capped at
 * out_mb, and the directories of its own items read-only at their own
 * paths; no other package directory and nothing else of the host. When we
 * run as root, the sandbox is uid 65534 outside too (the directories must
 * be readable by it), so that RLIMIT_NPROC, which the kernel counts per
 * user namespace, limits each sandbox to nproc processes: a fork bomb
 * fails its own PKGBUILD ("exceeded the limit of 64 processes") and
 * nothing else. That bash reads the directories from its stdin (never from a
 * command line) and sources each PKGBUILD in a subshell of its own, under
 * `ulimit -t` (CPU), `ulimit -v` (memory) and `ulimit -f` (output, out_mb),
 * printing data only (see
 * pkgdump.h for the record format). The C side watches every PKGBUILD
 * with a wall-clock deadline: one that hangs gets its sandbox killed and
 * the rest of that batch continues in a fresh sandbox. Records are framed
 * with a random nonce the PKGBUILD never sees, so one PKGBUILD cannot
 * forge another's record; everything it prints is parsed with caps.
 *
 * Results come back per item: ok with a .SRCINFO (checked by makepkg's
 * lint rules), or an error sentence that does not name the directory (the
 * caller names the package). sw_introspect_run itself fails only when no
 * sandbox can run at all (bwrap missing, no user namespaces).
 * The caller ignores SIGPIPE: a sandbox may die before it reads its input.
 * One call should hold PKGBUILDs of one trust domain (one git source);
 * batches never mix calls.
 *
 * The cache: introspection results by key "<tree>.<custom-tree or
 * ->.<arch>" (git tree ids of the package directory and its customization
 * directory, and CARCH). A key names exact inputs, so an entry is never
 * stale. Entries live in 256 bucket files <state_dir>/cache/srcinfo-1/<xx>
 * (xx: the first two digits of the tree id), as records
 * "@@ <key> <length>\n<.SRCINFO>\n" appended with one write each (O_APPEND):
 * a first run creates 256 files, not one per package. A reader keeps what
 * it loaded and skips a torn record (the cache is not fsynced: a crash may
 * cut the last one). A bucket past SW_CACHE_BUCKET_MAX is rewritten with its
 * newest records (an atomic rename); what falls out is read again when
 * needed. Two runs may share the cache without a lock.
 */
#ifndef SW_INTROSPECT_H
#define SW_INTROSPECT_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/names.h"
#include "source/srcinfo.h"
#include "core/strvec.h"

struct sw_introspect_opts {
	const char *arch;     /* CARCH in the sandbox; NULL: /etc/makepkg.conf's */
	unsigned timeout_s;   /* wall clock per PKGBUILD */
	unsigned cpu_s;       /* CPU seconds per PKGBUILD */
	unsigned mem_mb;      /* address space of each process, MiB */
	unsigned jobs;        /* sandboxes in parallel; 0: one per online CPU */
	unsigned nproc;       /* processes in one sandbox */
	unsigned out_mb;      /* what a PKGBUILD may print, and write to /tmp, MiB */
};

#define SW_INTROSPECT_OPTS_INIT { NULL, 30, 20, 2048, 0, 64, 16 }

struct sw_introspect_item {
	const char *dir;            /* absolute; bound read-only in its batch */
	int ok;                     /* 1: srcinfo is set; 0: error says why */
	struct sw_srcinfo srcinfo;
	char error[SW_ERR_MAX];
};

int sw_introspect_run(const struct sw_introspect_opts *o,
	struct sw_introspect_item *items, size_t n, struct sw_err *e);
void sw_introspect_item_release(struct sw_introspect_item *it);

/* Items per sandbox: bwrap's set-up time grows with the square of its mounts. */
#define SW_INTROSPECT_BATCH_MAX 32

#define SW_CACHE_KEY_MAX (2 * SW_COMMIT_MAX + SW_ARCH_MAX + 2)
#define SW_CACHE_BUCKET_MAX (4 * 1024 * 1024)

/* key must hold SW_CACHE_KEY_MAX + 1 bytes; custom_tree NULL: none. */
int sw_introspect_cache_key(char *key, const char *tree,
	const char *custom_tree, const char *arch, struct sw_err *e);

struct sw_cache;

int sw_introspect_cache_open(struct sw_cache **c, const char *state_dir,
	struct sw_err *e);
void sw_introspect_cache_close(struct sw_cache *c);
/* 0 found (s filled), 1 missing, -1 error. */
int sw_introspect_cache_get(struct sw_cache *c, const char *key,
	struct sw_srcinfo *s, struct sw_err *e);
int sw_introspect_cache_put(struct sw_cache *c, const char *key,
	const struct sw_srcinfo *s, struct sw_err *e);

#endif
