/*
 * names: the one place that decides what a name from outside may be.
 *
 * Everything that arrives from a slave, a PKGBUILD, a package, git or the
 * command line is checked here before it is used, and every path built from
 * such a name is built by sw_name_path(), which checks it again. Rules are
 * those of makepkg's lint where it has one, tightened where a name ends up
 * in a path, an SSH command or a state file name:
 *   pkgname, pkgbase  [a-z0-9@._+-], not starting with '-' or '.', <= 128
 *   pkgver            [A-Za-z0-9._+~], not starting with '.' , <= 128
 *   pkgrel            digits, optionally '.' digits (no leading zero)
 *   epoch             digits (no leading zero), <= 9 digits
 *   version           [epoch:]pkgver-pkgrel
 *   arch              [A-Za-z0-9_], <= 32
 *   repository        [a-z0-9][a-z0-9_-]*, <= 64 (no '.': ids end in it)
 *   commit            40 or 64 lowercase hex digits
 *   revision          a commit, optionally "+<bump>": a farm bump 1..9999
 *                     (no leading zero) of the build at that commit
 *   slave, source     [a-z0-9][a-z0-9_.-]*, <= 64
 *   soname            [A-Za-z0-9@._+-], not starting with '.' or '-', <= 255
 *                     (a DT_SONAME or DT_NEEDED of an ELF file)
 *   phase             [a-z0-9][a-z0-9_-]*, <= 32
 *   fingerprint       40 or 64 hex digits (OpenPGP v4/v5), either case
 *   tree path         a directory inside a git tree: '/'-separated components
 *                     of [A-Za-z0-9@._+-], none empty, '.' or '..'; or "."
 *   package file      <pkgname>-<version>-<arch>.pkg.tar[.gz|.xz|.zst|.bz2][.sig]
 *   id                <pkgbase>.<commit>.<revision>.<repository>, short enough
 *                     that "<id>.testing" fits a file name (255)
 * Checks return 0, or -1 with a message that quotes the bad input (escaped,
 * so NULs and control bytes in the input never reach a terminal or log).
 */
#ifndef SW_NAMES_H
#define SW_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

enum sw_name_kind {
	SW_NAME_PKGNAME,
	SW_NAME_PKGBASE,
	SW_NAME_PKGVER,
	SW_NAME_PKGREL,
	SW_NAME_EPOCH,
	SW_NAME_VERSION,
	SW_NAME_ARCH,
	SW_NAME_REPO,
	SW_NAME_COMMIT,
	SW_NAME_REVISION,
	SW_NAME_SLAVE,
	SW_NAME_SOURCE,
	SW_NAME_PHASE,
	SW_NAME_FINGERPRINT,
	SW_NAME_TREEPATH,
	SW_NAME_PKGFILE,
	SW_NAME_ID,
	SW_NAME_SONAME,
};

#define SW_PKGNAME_MAX 128
#define SW_VERSION_MAX 160 /* epoch:pkgver-pkgrel */
#define SW_ARCH_MAX 32
#define SW_REPO_MAX 64
#define SW_COMMIT_MAX 64
#define SW_SLAVE_MAX 64
#define SW_BUMP_MAX 9999u
#define SW_REVISION_MAX (SW_COMMIT_MAX + 5)   /* "<commit>+9999" */
#define SW_ID_MAX (SW_PKGNAME_MAX + SW_COMMIT_MAX + SW_REVISION_MAX + \
	SW_REPO_MAX + 3)
#define SW_FILENAME_MAX 255

/*
 * Does a symlink at tree path path, pointing at target, stay in the tree,
 * whatever other links of the tree it passes through? target must be
 * relative, its ".." components all at its start and no more of them than
 * path has directories above it; empty components are refused, "." ones
 * ignored. (Lexically inside is not enough: with "x/up" -> "..", the
 * target "x/up/../y" would name the tree's parent's y.)
 */
bool sw_name_link_inside(const char *path, const char *target);

/* "pkgname", "pkgbase", ...: for messages. */
const char *sw_name_kind_str(enum sw_name_kind kind);

bool sw_name_valid(enum sw_name_kind kind, const char *s);
/* As sw_name_valid, with a message: "invalid pkgname '../x'". */
int sw_name_check(enum sw_name_kind kind, const char *s, struct sw_err *e);
/* For a buffer that may hold NULs: a NUL is always invalid. */
int sw_name_check_mem(enum sw_name_kind kind, const char *s, size_t len,
	struct sw_err *e);

/*
 * One line of free text kept in a state file (a block reason, a rebuild
 * reason): not empty, not starting with a blank, at most max bytes, no
 * control character. what names it in the message ("empty block reason").
 */
int sw_name_check_text(const char *what, const char *s, size_t max,
	struct sw_err *e);

/* A package or signature file name, split. */
struct sw_pkgfile_name {
	char pkgname[SW_PKGNAME_MAX + 1];
	char version[SW_VERSION_MAX + 1];
	char arch[SW_ARCH_MAX + 1];
	char ext[16];  /* ".pkg.tar.zst" ... */
	bool sig;      /* name ends in .sig */
};
int sw_name_parse_pkgfile(const char *file, struct sw_pkgfile_name *out,
	struct sw_err *e);

/* Is pkgname "<pkgbase>-debug", the name makepkg's debug option gives the
 * detached symbols of pkgbase? */
bool sw_name_is_debug(const char *pkgname, const char *pkgbase);

/*
 * A package-state id, split. mod is a revision: the customization commit,
 * with "+<n>" when the build is the farm's bump n of the version that
 * commit declares (queue/bump.h); the bump is part of the id, so every
 * rebuild has states of its own.
 */
struct sw_id {
	char pkgbase[SW_PKGNAME_MAX + 1];
	char src[SW_COMMIT_MAX + 1];
	char mod[SW_REVISION_MAX + 1];
	char repo[SW_REPO_MAX + 1];
};
int sw_id_parse(const char *s, struct sw_id *out, struct sw_err *e);
/* Checks each field, then writes "<pkgbase>.<src>.<mod>.<repo>" to out. */
int sw_id_from_fields(struct sw_id *out, const char *pkgbase, const char *src,
	const char *mod, const char *repo, struct sw_err *e);
/* out must hold SW_ID_MAX + 1 bytes. */
void sw_id_format(const struct sw_id *id, char *out, size_t size);
/* The farm bump of id: 0 when its revision is a bare commit. */
unsigned sw_id_bump(const struct sw_id *id);
/* id's customization commit, without "+<bump>"; out: SW_COMMIT_MAX + 1. */
void sw_id_mod_commit(const struct sw_id *id, char *out, size_t size);
/* Sets id's bump (0: none); -1 when bump > SW_BUMP_MAX. */
int sw_id_set_bump(struct sw_id *id, unsigned bump, struct sw_err *e);

/*
 * Sets out to "<dir>/<name><suffix>" after checking name as `kind`.
 * dir and suffix are ours (configuration, literals), never outside input;
 * suffix may be "" and must not contain '/'.
 */
int sw_name_path(struct sw_buf *out, const char *dir, enum sw_name_kind kind,
	const char *name, const char *suffix, struct sw_err *e);

/* Writes s into out with bytes outside printable ASCII as \xNN, capped. */
void sw_name_quote(const char *s, size_t len, char *out, size_t size);

#endif
