/*
 * introspect_script: the bash program that reads PKGBUILDs inside the
 * sandbox (introspect.c starts it with bash -c). Private to introspect*.c.
 *
 * The reader: bash, started once per batch. Arguments: CARCH (may be
 * empty), CPU seconds, memory KiB, a scratch directory, the process limit,
 * the output limit in KiB. Input on stdin,
 * NUL-terminated: a nonce, then one directory per PKGBUILD. Output on
 * stdout, per directory: "B nonce seq", the record of pkgdump.h written by
 * the PKGBUILD's own subshell, "W nonce text" with the first 2 KiB of what
 * it printed (stdout and stderr), "E nonce seq status". The PKGBUILD runs
 * with stdout and stderr going to a scratch file and without the pipe to
 * us; only the reader's last printf writes the record. The reader runs
 * it in the background and watches the number of processes in the sandbox
 * (its own /proc): near the limit (RLIMIT_NPROC, which the kernel counts
 * per user namespace, so per sandbox) it kills every other process and
 * ends the PKGBUILD with status 95; processes a PKGBUILD leaves behind are
 * killed and it ends with 93; a PKGBUILD that prints up to the output
 * limit ends with 94 (or dies of SIGXFSZ). It mirrors
 * makepkg 6.0.2 (libmakepkg/srcinfo.sh, util/pkgbuild.sh): the PKGBUILD is
 * sourced inside a function with extglob off; package functions are read
 * from `declare -f` text, line by line, matching "  name=" / "  name+=",
 * and each matching line is evaluated with the pkgbase value as start,
 * with pkgname set to the package, as makepkg does.
 */
#ifndef SW_INTROSPECT_SCRIPT_H
#define SW_INTROSPECT_SCRIPT_H

extern const char sw_introspect_script[];

#endif
