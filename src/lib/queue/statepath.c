#include "queue/statepath.h"

static const struct {
	const char *name;
	bool created;
} paths[SW_PATH_COUNT] = {
	[SW_PATH_BUILD_LIST] = { "build-list", false },
	[SW_PATH_DELETION_LIST] = { "deletion-list", false },
	[SW_PATH_BUILD_META] = { "build-meta", false },
	[SW_PATH_PKGBUILD_ERRORS] = { "pkgbuild-errors", false },
	[SW_PATH_LASTUPDATE] = { "lastupdate", false },
	[SW_PATH_PACKAGE_STATES] = { "package-states", true },
	[SW_PATH_LEASES] = { "leases", false },
	[SW_PATH_REVISIONS] = { "revisions", true },
	[SW_PATH_LOOPS] = { "loops", true },
	[SW_PATH_CACHE] = { "cache", true },
	[SW_PATH_SRCINFO_CACHE] = { "cache/srcinfo-1", false },
	[SW_PATH_LOGS] = { "logs", true },
	[SW_PATH_GIT] = { "git", true },
	[SW_PATH_LOCKS] = { "locks", true },
	[SW_PATH_BUILD_LIST_LOCK] = { "locks/build-list.lock", false },
	[SW_PATH_PACKAGE_DB_LOCK] = { "locks/package-db.lock", false },
	[SW_PATH_BUILD_LIST_JOURNAL] = { "locks/build-list.journal", false },
	[SW_PATH_PACKAGE_DB_JOURNAL] = { "locks/package-db.journal", false },
	[SW_PATH_GIT_FETCH_LOCK] = { "locks/git-fetch.lock", false },
	[SW_PATH_NOT_SANE] = { "not-sane", false },
	[SW_PATH_STATUS_MEMORY] = { "status-memory", false },
	[SW_PATH_PUBLISHED] = { "published", false },
	[SW_PATH_SONAMES] = { "sonames", false },
	[SW_PATH_REBUILDS] = { "rebuilds", false },
	[SW_PATH_REBUILD_TRIGGERS] = { "rebuild-triggers", false },
	[SW_PATH_SCHEDULES] = { "schedules", false },
	[SW_PATH_MOVE_TOGETHER] = { "move-together", false },
	[SW_PATH_SOURCE_CONFIGS] = { "source-configs", false },
	[SW_PATH_REPOSITORY_ROUTES] = { "repository-routes", false },
};

const char *
sw_statepath_name(enum sw_statepath p)
{
	return paths[p].name;
}

bool
sw_statepath_created(enum sw_statepath p)
{
	return paths[p].created;
}

int
sw_statepath(struct sw_buf *out, const char *state_dir, enum sw_statepath p,
	struct sw_err *e)
{
	sw_buf_reset(out);
	if (sw_buf_addf(out, "%s/%s", state_dir, paths[p].name) < 0)
		return sw_err_sys(e, "cannot build path '%s/%s'", state_dir,
			paths[p].name);
	return 0;
}
