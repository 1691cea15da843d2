#include "core/vercmp.h"

#include <alpm.h>

int
sw_vercmp(const char *a, const char *b)
{
	return alpm_pkg_vercmp(a, b);
}
