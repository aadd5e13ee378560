/* migrate.c - QEMU's migration stream through a file; see migrate.h. */
#include "vmm/machine/migrate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/kjson.h"
#include "lib/util.h"
#include "lib/wait.h"
#include "vmm/machine/qmp.h"

static struct kterr *ignore_shared(struct qmp *q)
{
	return qmp_execute(q, "migrate-set-capabilities",
			   "{\"capabilities\":[{\"capability\":\"x-ignore-shared\","
			   "\"state\":true}]}", NULL);
}

/* {"uri": "exec:CMD 'PATH'"} */
static struct kterr *uri_args(const char *cmd, const char *path, char **out)
{
	struct json_object *o, *s;
	char *uri;

	if (strchr(path, '\''))
		return kterr_hint(kterr_new(EINVAL, "path %s holds a single quote", path),
				  "QEMU 7.2 migrates to a file through a shell command");
	uri = kt_strfmt("exec:%s '%s'", cmd, path);
	o = json_object_new_object();
	s = uri ? kjson_string(uri) : NULL;
	free(uri);
	if (!o || !s) {
		json_object_put(o);
		json_object_put(s);
		return kterr_new(ENOMEM, "migration arguments");
	}
	json_object_object_add(o, "uri", s);
	*out = strdup(kjson_text(o));
	json_object_put(o);
	return *out ? NULL : kterr_new(ENOMEM, "migration arguments");
}

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

struct kterr *migrate_save(struct qmp *q, const char *path, int timeout_ms)
{
	char *args = NULL;
	struct kterr *e = uri_args("cat >", path, &args);

	if (!e)
		e = qmp_execute(q, "stop", NULL, NULL);
	if (!e)
		e = ignore_shared(q);
	if (!e)
		e = qmp_execute(q, "migrate", args, NULL);
	if (!e)
		e = wait_done(q, "write the machine state", timeout_ms);
	free(args);
	return kterr_wrap(e, "save the machine state to %s", path);
}

struct kterr *migrate_load(struct qmp *q, const char *path, int timeout_ms)
{
	char *args = NULL;
	struct kterr *e = uri_args("cat", path, &args);

	if (!e)
		e = ignore_shared(q);
	if (!e)
		e = qmp_execute(q, "migrate-incoming", args, NULL);
	if (!e)
		e = wait_done(q, "load the machine state", timeout_ms);
	free(args);
	return kterr_wrap(e, "restore the machine state from %s", path);
}
