/* migrate.c - QEMU's migration stream through a file; see migrate.h. */
#include "vmm/machine/migrate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"
#include "lib/wait.h"
#include "vmm/machine/qmp.h"

static struct kterr *ignore_shared(struct qmp *q)
{
	return qmp_execute(q, "migrate-set-capabilities",
			   "{\"capabilities\":[{\"capability\":\"x-ignore-shared\","
			   "\"state\":true}]}", NULL);
}

#define FD_NAME "ktcon-state"

/* Hand QEMU the stream's descriptor under FD_NAME (getfd). */
static struct kterr *give_fd(struct qmp *q, int fd)
{
	return qmp_execute_fd(q, "getfd", "{\"fdname\":\"" FD_NAME "\"}", fd, NULL);
}

static const char uri_args[] = "{\"uri\":\"fd:" FD_NAME "\"}";

/* Poll query-migrate until it completes or fails. */
static struct kterr *wait_done(struct qmp *q, const char *what, int timeout_ms)
{
	struct kt_wait w;

	kt_wait_begin_ms(&w, timeout_ms, "QEMU to %s", what);
	for (;;) {
		struct qmp_msg *m;
		const char *st = NULL, *why = NULL;
		struct kterr *e = qmp_execute(q, "query-migrate", NULL, &m);

		if (e)
			return e;
		kterr_free(kjson_member_str(m->body, "status", &st));
		if (st && !strcmp(st, "completed")) {
			qmp_msg_free(m);
			return NULL;
		}
		if (st && !strcmp(st, "failed")) {
			kterr_free(kjson_member_str(m->body, "error-desc", &why));
			e = kterr_new(EIO, "QEMU could not %s: %s", what, why ? why : "failed");
			qmp_msg_free(m);
			return e;
		}
		kt_wait_seen(&w, "migration status %s", st ? st : "(none)");
		qmp_msg_free(m);
		if (kt_wait_expired(&w))
			return kt_wait_error(&w, NULL);
		usleep(kt_wait_nap_ms(&w, 5) * 1000);
	}
}

struct kterr *migrate_save(struct qmp *q, int fd, int timeout_ms)
{
	struct kterr *e = qmp_execute(q, "stop", NULL, NULL);

	if (!e)
		e = ignore_shared(q);
	if (!e)
		e = give_fd(q, fd);
	if (!e)
		e = qmp_execute(q, "migrate", uri_args, NULL);
	if (!e)
		e = wait_done(q, "write the machine state", timeout_ms);
	return kterr_wrap(e, "save the machine state");
}

struct kterr *migrate_load(struct qmp *q, int fd, int timeout_ms)
{
	struct kterr *e = ignore_shared(q);

	if (!e)
		e = give_fd(q, fd);
	if (!e)
		e = qmp_execute(q, "migrate-incoming", uri_args, NULL);
	if (!e)
		e = wait_done(q, "load the machine state", timeout_ms);
	return kterr_wrap(e, "restore the machine state");
}
