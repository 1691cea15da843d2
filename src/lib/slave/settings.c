#include "slave/settings.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "core/fileio.h"
#include "core/number.h"
#include "source/custom.h"

#define WHERE SW_CUSTOM_SETTINGS "/"

/* The number in the timeout file, blanks around it allowed. 1 if unusable. */
static int
read_timeout(struct sw_settings *s, const char *path, struct sw_err *e)
{
	struct sw_buf b = SW_BUF_INIT;
	struct sw_err pe;
	size_t start = 0, end;
	int r, ret = -1;

	r = sw_file_read(path, SW_SETTINGS_FILE_MAX, &b, e);
	if (r != 0) {
		if (r == 1)
			sw_err_set(e, "'%s' vanished while it was read", path);
		goto out;
	}
	end = b.len;
	while (start < end && strchr(" \t\n", b.data[start]) != NULL)
		start++;
	while (end > start && strchr(" \t\n", b.data[end - 1]) != NULL)
		end--;
	sw_buf_truncate(&b, end);
	if (sw_parse_u64(b.data + start, 1, SW_SETTINGS_TIMEOUT_MAX,
	    &s->timeout_factor, &pe) < 0) {
		sw_err_set(e, "'%s%s': a whole number from 1 to %d multiplies "
			"build_timeout: %s", WHERE, SW_SETTINGS_TIMEOUT,
			SW_SETTINGS_TIMEOUT_MAX, pe.msg);
		ret = 1;
		goto out;
	}
	ret = 0;
out:
	sw_buf_release(&b);
	return ret;
}

/* One entry of .slipway: 0, 1 unusable, -1 error. */
static int
one(struct sw_settings *s, const char *dir, const char *name,
	struct sw_strvec *warnings, struct sw_err *e)
{
	static const char *const ignored[] = { SW_CUSTOM_PREPEND,
		SW_SETTINGS_SCHEDULE, NULL };
	struct sw_buf p = SW_BUF_INIT;
	struct stat st;
	bool *script = NULL;
	size_t i;
	int ret = -1;

	if (sw_buf_addf(&p, "%s/%s", dir, name) < 0) {
		sw_err_sys(e, "cannot read '%s%s'", WHERE, name);
		goto out;
	}
	if (lstat(p.data, &st) < 0) {
		sw_err_sys(e, "cannot read '%s'", p.data);
		goto out;
	}
	for (i = 0; ignored[i] != NULL; i++)
		if (strcmp(name, ignored[i]) == 0) {
			ret = 0;
			goto out;
		}
	if (strcmp(name, SW_SETTINGS_PREPARE) == 0)
		script = &s->prepare;
	else if (strcmp(name, SW_SETTINGS_ON_SUCCESS) == 0)
		script = &s->on_success;
	else if (strcmp(name, SW_SETTINGS_ON_FAILURE) == 0)
		script = &s->on_failure;
	else if (strcmp(name, SW_SETTINGS_NOCHECK) != 0 &&
	    strcmp(name, SW_SETTINGS_PATCH) != 0 &&
	    strcmp(name, SW_SETTINGS_TIMEOUT) != 0) {
		ret = sw_strvec_pushf(warnings, "'%s%s' is not a setting slipway "
			"knows: ignored", WHERE, name) < 0 ?
			sw_err_sys(e, "cannot read '%s'", dir) : 0;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		sw_err_set(e, "'%s%s' is not a regular file", WHERE, name);
		ret = 1;
		goto out;
	}
	if (script != NULL) {
		if ((st.st_mode & S_IXUSR) == 0) {
			sw_err_set(e, "'%s%s' is not executable (give it mode 755 "
				"in git)", WHERE, name);
			ret = 1;
			goto out;
		}
		*script = true;
	} else if (strcmp(name, SW_SETTINGS_NOCHECK) == 0) {
		s->nocheck = true;
	} else if (strcmp(name, SW_SETTINGS_PATCH) == 0) {
		s->patch = true;
	} else if (st.st_size > SW_SETTINGS_FILE_MAX) {
		sw_err_set(e, "'%s%s' is larger than %d bytes", WHERE, name,
			SW_SETTINGS_FILE_MAX);
		ret = 1;
		goto out;
	} else {
		ret = read_timeout(s, p.data, e);
		goto out;
	}
	ret = 0;
out:
	sw_buf_release(&p);
	return ret;
}

int
sw_settings_read(struct sw_settings *s, const char *dir,
	struct sw_strvec *warnings, struct sw_err *e)
{
	struct sw_buf p = SW_BUF_INIT;
	struct dirent *de;
	struct stat st;
	DIR *d = NULL;
	int r, ret = -1;

	memset(s, 0, sizeof(*s));
	s->timeout_factor = 1;
	if (sw_buf_addf(&p, "%s/%s", dir, SW_CUSTOM_SETTINGS) < 0) {
		sw_err_sys(e, "cannot read the package's settings");
		goto out;
	}
	if (lstat(p.data, &st) < 0) {
		if (errno == ENOENT)
			ret = 0;
		else
			sw_err_sys(e, "cannot read '%s'", p.data);
		goto out;
	}
	if (!S_ISDIR(st.st_mode)) {
		sw_err_set(e, "'%s' is not a directory", SW_CUSTOM_SETTINGS);
		ret = 1;
		goto out;
	}
	s->present = true;
	if ((d = opendir(p.data)) == NULL) {
		sw_err_sys(e, "cannot read '%s'", p.data);
		goto out;
	}
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		r = one(s, p.data, de->d_name, warnings, e);
		if (r != 0) {
			ret = r;
			goto out;
		}
	}
	if (errno != 0) {
		sw_err_sys(e, "cannot read '%s'", p.data);
		goto out;
	}
	ret = 0;
out:
	if (d != NULL)
		closedir(d);
	sw_buf_release(&p);
	return ret;
}
