/* rundir.c - run directories and the sweep of dead ones; see rundir.h. */
#include "vmm/machine/rundir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/util.h"

/* A directory with no written owner file is one being created, or one
 * whose ktcon died in the microseconds between mkdtemp and the lock (or
 * one from a ktcon before owner files): left alone until it is this old. */
#define RUNDIR_UNOWNED_GRACE_S 600

struct kterr *rundir_create(char **path, int *lock_fd)
{
	char *dir = kt_strfmt("%s/" RUNDIR_PREFIX "XXXXXX", kt_tmpdir());
	char *owner = NULL, pid[32];
	struct kterr *e = NULL;
	int fd = -1, n;

	*path = NULL;
	*lock_fd = -1;
	if (!dir)
		return kterr_new(ENOMEM, "run directory");
	if (!mkdtemp(dir)) {
		e = kterr_hint(kterr_errno("create run directory %s", dir),
			       "TMPDIR must name a writable directory");
		free(dir);
		return e;
	}
	owner = kt_path_join(dir, RUNDIR_OWNER);
	if (!owner) {
		e = kterr_new(ENOMEM, "run directory");
		goto fail;
	}
	fd = open(owner, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		e = kterr_errno("create %s", owner);
		goto fail;
	}
	/* Lock first, then write: a written owner file was locked. */
	if (flock(fd, LOCK_EX) < 0) {
		e = kterr_errno("lock %s", owner);
		goto fail;
	}
	n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (write(fd, pid, n) != n) {
		e = kterr_errno("write %s", owner);
		goto fail;
	}
	free(owner);
	*path = dir;
	*lock_fd = fd;
	return NULL;
fail:
	if (fd >= 0)
		close(fd);
	free(owner);
	kterr_free(kt_rm_rf(dir));
	free(dir);
	return e;
}

void rundir_remove(char *path, int lock_fd)
{
	if (!path)	/* never created: lock_fd is nothing of ours */
		return;
	kterr_free(kt_rm_rf(path));
	if (lock_fd >= 0)
		close(lock_fd);
}

/* Is the run directory PATH abandoned? */
static bool abandoned(const char *path)
{
	char *owner = kt_path_join(path, RUNDIR_OWNER);
	struct stat st;
	bool dead = false;
	int fd;

	if (!owner)
		return false;
	fd = open(owner, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		dead = errno == ENOENT && stat(path, &st) == 0 &&
		       time(NULL) - st.st_mtime > RUNDIR_UNOWNED_GRACE_S;
	} else {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			dead = fstat(fd, &st) == 0 && (st.st_size > 0 ||
			       time(NULL) - st.st_mtime > RUNDIR_UNOWNED_GRACE_S);
		}
		close(fd);
	}
	free(owner);
	return dead;
}

int rundir_sweep(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char *p;
		struct stat st;

		if (strncmp(de->d_name, RUNDIR_PREFIX, strlen(RUNDIR_PREFIX)))
			continue;
		p = kt_path_join(dir, de->d_name);
		if (p && lstat(p, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid() &&
		    abandoned(p)) {
			struct kterr *e = kt_rm_rf(p);

			n += !e;
			kterr_free(e);
		}
		free(p);
	}
	closedir(d);
	return n;
}
