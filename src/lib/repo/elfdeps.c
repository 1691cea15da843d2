#include "repo/elfdeps.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "repo/pkgfile.h"

static const char elf_magic[4] = { 0x7f, 'E', 'L', 'F' };

/* The string at offset off of string table section link, checked. */
static int
dyn_string(Elf *elf, size_t link, GElf_Xword off, const char **out,
	struct sw_err *e)
{
	const char *s = elf_strptr(elf, link, (size_t)off);

	if (s == NULL)
		return sw_err_set(e, "malformed ELF file: a dynamic entry names "
			"string %llu of section %zu, which is not there",
			(unsigned long long)off, link);
	if (sw_name_check(SW_NAME_SONAME, s, e) < 0)
		return sw_err_prefix(e, "malformed ELF file");
	*out = s;
	return 0;
}

int
sw_elfdeps_mem(void *image, size_t len, char *soname, size_t size,
	struct sw_strvec *needed, struct sw_err *e)
{
	Elf *elf = NULL;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	GElf_Dyn dyn;
	Elf_Data *d;
	const char *s = NULL;
	size_t k, n;
	int ret = 1;

	soname[0] = '\0';
	if (len < sizeof(elf_magic) || memcmp(image, elf_magic,
	    sizeof(elf_magic)) != 0)
		return 1;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return sw_err_set(e, "cannot read ELF files: %s", elf_errmsg(-1));
	elf = elf_memory(image, len);
	if (elf == NULL || elf_kind(elf) != ELF_K_ELF) {
		ret = sw_err_set(e, "malformed ELF file: %s", elf_errmsg(-1));
		goto out;
	}
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		if (gelf_getshdr(scn, &sh) == NULL) {
			ret = sw_err_set(e, "malformed ELF file: %s", elf_errmsg(-1));
			goto out;
		}
		if (sh.sh_type != SHT_DYNAMIC)
			continue;
		d = elf_getdata(scn, NULL);
		if (d == NULL || sh.sh_entsize == 0) {
			ret = sw_err_set(e, "malformed ELF file: its dynamic section "
				"cannot be read: %s", elf_errmsg(-1));
			goto out;
		}
		n = sh.sh_size / sh.sh_entsize;
		for (k = 0; k < n; k++) {
			if (gelf_getdyn(d, (int)k, &dyn) == NULL) {
				ret = sw_err_set(e, "malformed ELF file: dynamic entry %zu: "
					"%s", k, elf_errmsg(-1));
				goto out;
			}
			if (dyn.d_tag == DT_NULL)
				break;
			if (dyn.d_tag != DT_NEEDED && dyn.d_tag != DT_SONAME)
				continue;
			if (dyn_string(elf, sh.sh_link, dyn.d_un.d_val, &s, e) < 0) {
				ret = -1;
				goto out;
			}
			if (dyn.d_tag == DT_SONAME)
				snprintf(soname, size, "%s", s);
			else if (!sw_strvec_contains(needed, s) &&
			    sw_strvec_push(needed, s) < 0) {
				ret = sw_err_sys(e, "cannot read an ELF file");
				goto out;
			}
		}
		ret = 0;
	}
out:
	if (elf != NULL)
		elf_end(elf);
	return ret;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
sort_strvec(struct sw_strvec *sv)
{
	if (sv->n > 1)
		qsort(sv->v, sv->n, sizeof(*sv->v), cmp_str);
}

/* One member: its bytes if it is an ELF file. */
static int
member(struct archive *a, struct archive_entry *ae, struct sw_buf *b,
	struct sw_strvec *provides, struct sw_strvec *needs, struct sw_err *e)
{
	char soname[SW_FILENAME_MAX + 1], head[4], chunk[65536];
	la_ssize_t r;
	int64_t size = archive_entry_size(ae);

	if (archive_entry_filetype(ae) != AE_IFREG || size < 4)
		return 0;
	r = archive_read_data(a, head, sizeof(head));
	if (r != (la_ssize_t)sizeof(head))
		return sw_err_set(e, "cannot read '%s': %s", archive_entry_pathname(ae),
			r < 0 ? archive_error_string(a) : "cut short");
	if (memcmp(head, elf_magic, sizeof(head)) != 0)
		return 0;
	if ((uint64_t)size > SW_ELFDEPS_FILE_MAX)
		return sw_err_set(e, "'%s' is an ELF file of %lld bytes, more than "
			"%zu", archive_entry_pathname(ae), (long long)size,
			SW_ELFDEPS_FILE_MAX);
	sw_buf_reset(b);
	if (sw_buf_grow(b, (size_t)size) < 0 || sw_buf_add(b, head, 4) < 0)
		return sw_err_sys(e, "cannot read '%s'", archive_entry_pathname(ae));
	while (b->len < (size_t)size) {
		size_t want = (size_t)size - b->len;

		r = archive_read_data(a, chunk, want < sizeof(chunk) ? want :
			sizeof(chunk));
		if (r <= 0)
			return sw_err_set(e, "cannot read '%s': %s",
				archive_entry_pathname(ae), r < 0 ?
				archive_error_string(a) : "cut short");
		if (sw_buf_add(b, chunk, (size_t)r) < 0)
			return sw_err_sys(e, "cannot read '%s'",
				archive_entry_pathname(ae));
	}
	switch (sw_elfdeps_mem(b->data, b->len, soname, sizeof(soname), needs, e)) {
	case -1:
		return sw_err_prefix(e, "'%s'", archive_entry_pathname(ae));
	case 1:
		return 0;
	default:
		break;
	}
	if (soname[0] && !sw_strvec_contains(provides, soname) &&
	    sw_strvec_push(provides, soname) < 0)
		return sw_err_sys(e, "cannot read '%s'", archive_entry_pathname(ae));
	return 0;
}

int
sw_elfdeps_pkg(const char *path, struct sw_strvec *provides,
	struct sw_strvec *needs, struct sw_err *e)
{
	struct archive *a = NULL;
	struct archive_entry *ae;
	struct sw_strvec all = SW_STRVEC_INIT;
	struct sw_buf b = SW_BUF_INIT;
	struct stat st;
	size_t k;
	int fd, r, ret = -1;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return sw_err_sys(e, "cannot open '%s'", path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		if (S_ISREG(st.st_mode))
			sw_err_sys(e, "cannot stat '%s'", path);
		else
			sw_err_set(e, "cannot read '%s': not a regular file", path);
		goto out;
	}
	a = archive_read_new();
	if (a == NULL) {
		sw_err_set(e, "cannot read '%s': out of memory", path);
		goto out;
	}
	sw_pkgfile_formats(a);
	if (archive_read_open_fd(a, fd, 65536) != ARCHIVE_OK) {
		sw_err_set(e, "cannot read '%s': %s", path, archive_error_string(a));
		goto out;
	}
	while ((r = archive_read_next_header(a, &ae)) == ARCHIVE_OK)
		if (member(a, ae, &b, provides, &all, e) < 0) {
			sw_err_prefix(e, "cannot read the sonames of '%s'", path);
			goto out;
		}
	if (r != ARCHIVE_EOF) {
		sw_err_set(e, "cannot read '%s': corrupt or truncated archive: %s",
			path, archive_error_string(a));
		goto out;
	}
	for (k = 0; k < all.n; k++)
		if (!sw_strvec_contains(provides, all.v[k]) &&
		    !sw_strvec_contains(needs, all.v[k]) &&
		    sw_strvec_push(needs, all.v[k]) < 0) {
			sw_err_sys(e, "cannot read '%s'", path);
			goto out;
		}
	sort_strvec(provides);
	sort_strvec(needs);
	ret = 0;
out:
	if (a != NULL)
		archive_read_free(a);
	close(fd);
	sw_strvec_release(&all);
	sw_buf_release(&b);
	return ret;
}
