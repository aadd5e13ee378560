/*
 * evqueue.h - the guest's and the host's typed events (engine/gevent.h)
 * waiting for whoever drives the executor: a FIFO any thread may push to
 * (the watch thread, the thread pumping the agent link), with an eventfd
 * that is readable while it holds something.
 */
#ifndef KTCON_VMM_LINK_EVQUEUE_H
#define KTCON_VMM_LINK_EVQUEUE_H

#include "engine/gevent.h"
#include "lib/err.h"

struct evqueue;

struct kterr *evqueue_new(struct evqueue **out);
/* Frees what is still queued. */
void evqueue_free(struct evqueue *q);

/* Any thread: a copy of ev at the end, stamped with now unless it says
 * when it happened. Out of memory drops the event, not the guest. */
void evqueue_push(struct evqueue *q, const struct kt_guest_event *ev);
/* The oldest (the caller frees it: kt_gev_free), or NULL. */
struct kt_guest_event *evqueue_pop(struct evqueue *q);
int evqueue_fd(const struct evqueue *q);

#endif
