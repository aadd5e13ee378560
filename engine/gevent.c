/* gevent.c - typed guest and host events: copies and the one renderer;
 * see gevent.h. */
#include "engine/gevent.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The strings an event points at: what a copy must own. */
static const size_t string_fields[] = {
	offsetof(struct kt_guest_event, name),
	offsetof(struct kt_guest_event, text),
	offsetof(struct kt_guest_event, tail),
	offsetof(struct kt_guest_event, fire.symbol),
	offsetof(struct kt_guest_event, fire.exit_kind),
	offsetof(struct kt_guest_event, sched.kind),
	offsetof(struct kt_guest_event, sched.why),
	offsetof(struct kt_guest_event, sched.detail),
	offsetof(struct kt_guest_event, sched.kmsg),
	offsetof(struct kt_guest_event, sched.output),
};
#define NFIELDS (sizeof(string_fields) / sizeof(string_fields[0]))

static const char **field(struct kt_guest_event *ev, size_t i)
{
	return (const char **)((char *)ev + string_fields[i]);
}

struct kt_guest_event *kt_gev_dup(const struct kt_guest_event *ev)
{
	struct kt_guest_event *c = malloc(sizeof(*c));

	if (!c)
		return NULL;
	*c = *ev;
	for (size_t i = 0; i < NFIELDS; i++) {
		const char **f = field(c, i);

		if (*f && !(*f = strdup(*f))) {
			while (i-- > 0)
				free((char *)*field(c, i));
			free(c);
			return NULL;
		}
	}
	return c;
}

void kt_gev_free(struct kt_guest_event *ev)
{
	if (!ev)
		return;
	for (size_t i = 0; i < NFIELDS; i++)
		free((char *)*field(ev, i));
	free(ev);
}

void kt_fire_text(const struct kt_watch_fire *f, const char *tag, char *buf, size_t size)
{
	if (f->trigger)
		snprintf(buf, size, "scheduler exit %s (%" PRId32 "): failure dump %s taken on "
			 "vCPU %u at rip 0x%" PRIx64, f->exit_kind ? f->exit_kind : "?",
			 f->exit_value, tag ? tag : "?", f->vcpu, f->rip);
	else if (!f->has_rip)
		snprintf(buf, size, "fire %" PRIu64 " on vCPU %u (no capture): 0x%" PRIx32
			 " -> 0x%" PRIx32 " at +%.3f ms", f->n, f->vcpu, f->old_value, f->new_value,
			 f->t_ns / 1e6);
	else
		snprintf(buf, size, "fire %" PRIu64 " on vCPU %u at rip 0x%" PRIx64 ": 0x%" PRIx32
			 " -> 0x%" PRIx32 " at +%.3f ms", f->n, f->vcpu, f->rip, f->old_value,
			 f->new_value, f->t_ns / 1e6);
}

static const char *or(const char *s, const char *dflt)
{
	return s && *s ? s : dflt;
}

/* Ejected (the kernel disabled it, the process may live on): the kernel's
 * reason and its detail first, then the exit kind; else the process's
 * status. Both end with the kernel's sched_ext records and the scheduler's
 * last output. */
static void sched_text(const struct kt_guest_event *ev, char *buf, size_t size)
{
	const struct kt_sched_exit *s = &ev->sched;
	const char *kmsg = or(s->kmsg, "(no sched_ext message)"), *out = or(s->output, "(none)");
	char kbuf[96] = "";

	if (s->kind && *s->kind)
		snprintf(kbuf, sizeof(kbuf), ", %s (%" PRIu64 ")", s->kind, s->kind_value);
	if (ev->ejected) {
		bool d = s->detail && *s->detail;

		snprintf(buf, size, "%s%s%s%s%s; kernel: %s; its last output: %s",
			 or(s->why, "sched_ext disabled, no reason from the kernel"), d ? " (" : "",
			 d ? s->detail : "", d ? ")" : "", kbuf, kmsg, out);
	} else {
		snprintf(buf, size, "%s %lld; kernel: %s; its last output: %s",
			 ev->status < 0 ? "killed by signal" : "exit status",
			 (long long)(ev->status < 0 ? -(long long)ev->status : ev->status), kmsg,
			 out);
	}
}

void kt_gev_text(const struct kt_guest_event *ev, char *buf, size_t size)
{
	switch (ev->kind) {
	case KT_GEV_WORKER_EXIT:
		snprintf(buf, size, "worker %d exited with status %d", ev->pid, ev->status);
		break;
	case KT_GEV_PAYLOAD_EXIT:
		snprintf(buf, size, "payload %s exited with status %d", or(ev->name, "?"),
			 ev->status);
		break;
	case KT_GEV_SCHED_EXIT:
		sched_text(ev, buf, size);
		break;
	case KT_GEV_WATCH_FIRE:
		kt_fire_text(&ev->fire, ev->name, buf, size);
		break;
	case KT_GEV_LOG:
	case KT_GEV_NOTE:
	case KT_GEV_DIED:
	default:
		snprintf(buf, size, "%s", ev->text ? ev->text : "");
		break;
	}
}

const char *kt_gev_name(enum kt_guest_event_kind kind)
{
	static const char *const names[] = {
		[KT_GEV_WORKER_EXIT] = "worker-exit", [KT_GEV_PAYLOAD_EXIT] = "payload-exit",
		[KT_GEV_SCHED_EXIT] = "sched-exit", [KT_GEV_WATCH_FIRE] = "watch-fire",
		[KT_GEV_LOG] = "log", [KT_GEV_NOTE] = "note", [KT_GEV_DIED] = "died",
	};

	return (size_t)kind < sizeof(names) / sizeof(names[0]) && names[kind] ? names[kind] : "?";
}
