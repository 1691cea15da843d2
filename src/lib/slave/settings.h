/*
 * settings: a package's own build settings, the files of .slipway/ in its
 * build directory (SW_CUSTOM_SETTINGS, source/custom.h). They come from the
 * package's directory in the customization repository, in get-sources'
 * tar, or sit in a local directory built with build-packages -l:
 *
 *   timeout      a whole number from 1 to SW_SETTINGS_TIMEOUT_MAX (blanks
 *                and a newline around it allowed): build_timeout times it
 *   nocheck      present (any content): makepkg --nocheck in every straw
 *   patch        applied to the build directory with patch -p1
 *   prepare      an executable, run in the build sandbox before makepkg
 *   on-success   an executable, run in the sandbox after a straw built,
 *   on-failure   or failed, with the path of the straw's log as argument
 *   PKGBUILD.prepend, schedule   the master's: nothing to do here
 * Any other name is a warning, never an error.
 *
 * sw_settings_read checks before it reads: .slipway must be a directory
 * and every file a regular file (a symbolic link is refused), the timeout
 * file at most SW_SETTINGS_FILE_MAX bytes. Returns 0 (s filled; a missing
 * .slipway is all defaults), 1 when a setting is unusable (e names the file
 * and why: the package's fault, the build fails), -1 on a system error.
 * Warnings are pushed onto the caller's strvec, one sentence each. Nothing
 * to release; reads only.
 */
#ifndef SW_SETTINGS_H
#define SW_SETTINGS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/strvec.h"

#define SW_SETTINGS_TIMEOUT "timeout"
#define SW_SETTINGS_NOCHECK "nocheck"
#define SW_SETTINGS_PATCH "patch"
#define SW_SETTINGS_PREPARE "prepare"
#define SW_SETTINGS_ON_SUCCESS "on-success"
#define SW_SETTINGS_ON_FAILURE "on-failure"
#define SW_SETTINGS_SCHEDULE "schedule"

#define SW_SETTINGS_TIMEOUT_MAX 100
#define SW_SETTINGS_FILE_MAX 64

struct sw_settings {
	bool present;             /* the directory has a .slipway */
	uint64_t timeout_factor;  /* 1 when there is no timeout file */
	bool nocheck, patch, prepare, on_success, on_failure;
};

int sw_settings_read(struct sw_settings *s, const char *dir,
	struct sw_strvec *warnings, struct sw_err *e);

#endif
