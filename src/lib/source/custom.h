/*
 * custom: the list files at the top of the customization repository
 * (DESIGN.md §4, the original design's package-modifications):
 *
 *   blacklist             <pkgbase>              never build
 *   build-manually        <pkgbase>              put on the list, but blocked
 *   update-once           <pkgbase> [<token>...] queue once, even if unchanged
 *   repository-overrides  <pkgbase> <repository> build it for that repository
 *   rebuild-triggers      <pkgbase> <pkgname>... a new build of one of the
 *                                                pkgnames rebuilds pkgbase
 *                                                (queue/triggers.h)
 *
 * One entry per line; blank lines and '#' comments (to the end of the line)
 * are skipped; words are separated by blanks. A line whose pkgbase (or
 * repository) names.h refuses is skipped with a warning, never guessed at.
 * "update-once" acts on lines that are new at this revision: a line that
 * was already there at the previous revision has been used ("cleared"); to
 * ask again, add a line with a new token (e.g. a date).
 *
 * Parsing takes text from git, bounded: SW_CUSTOM_MAX_SIZE bytes, lines
 * of SW_CUSTOM_LINE_MAX. A list owns its entries, sorted by pkgbase then
 * the rest of the line; release with sw_custom_release (safe on a zeroed
 * list). Warnings are appended to a caller's strvec, one sentence each.
 *
 * A package's own settings live in its customization directory, in
 * SW_CUSTOM_SETTINGS (<repo>/<pkgbase>/.slipway/): SW_CUSTOM_PREPEND is put
 * at the top of the PKGBUILD by the master (gitsrc.h's walk, so that its
 * own reading and get-sources agree); the other files travel to the slave
 * in get-sources' tar, which reads them (slave/settings.h).
 */
#ifndef SW_CUSTOM_H
#define SW_CUSTOM_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/strvec.h"

#define SW_CUSTOM_MAX_SIZE (16 * 1024 * 1024)
#define SW_CUSTOM_LINE_MAX 4096

#define SW_CUSTOM_BLACKLIST "blacklist"
#define SW_CUSTOM_BUILD_MANUALLY "build-manually"
#define SW_CUSTOM_UPDATE_ONCE "update-once"
#define SW_CUSTOM_OVERRIDES "repository-overrides"
#define SW_CUSTOM_TRIGGERS "rebuild-triggers"

#define SW_CUSTOM_SETTINGS ".slipway"
#define SW_CUSTOM_PREPEND "PKGBUILD.prepend"

struct sw_custom_entry {
	char *pkgbase;
	char *rest;         /* the other words joined by one space, or "" */
};

struct sw_custom_list {
	struct sw_custom_entry *v;
	size_t n, alloc;
};

enum sw_custom_kind {
	SW_CUSTOM_NAMES,     /* blacklist, build-manually, update-once */
	SW_CUSTOM_REPOS,     /* repository-overrides: exactly "pkgbase repo" */
	SW_CUSTOM_PKGNAMES,  /* rebuild-triggers: "pkgbase pkgname..." */
};

/* what names the file in warnings and errors. */
int sw_custom_parse(struct sw_custom_list *l, const char *text, size_t len,
	enum sw_custom_kind kind, const char *what, struct sw_strvec *warnings,
	struct sw_err *e);
void sw_custom_release(struct sw_custom_list *l);

/* The first entry for pkgbase, or NULL. */
const struct sw_custom_entry *sw_custom_find(const struct sw_custom_list *l,
	const char *pkgbase);
bool sw_custom_has(const struct sw_custom_list *l, const char *pkgbase);

/*
 * Pushes (once each, into out) every pkgbase whose lines differ between
 * a and b (either may be empty); with only_new, only pkgbases that have a
 * line in b that a does not have.
 */
int sw_custom_changed(const struct sw_custom_list *a,
	const struct sw_custom_list *b, bool only_new, struct sw_strvec *out,
	struct sw_err *e);

#endif
