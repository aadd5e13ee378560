/* evqueue.c - a FIFO of typed events with an eventfd; see evqueue.h. */
#include "vmm/link/evqueue.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "lib/util.h"

struct node {
	struct kt_guest_event *ev;
	struct node *next;
};

struct evqueue {
	pthread_mutex_t lock;
	struct node *head, *tail;
	int efd;
};

struct kterr *evqueue_new(struct evqueue **out)
{
	struct evqueue *q = calloc(1, sizeof(*q));

	*out = NULL;
	if (!q)
		return kterr_new(ENOMEM, "the event queue");
	q->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (q->efd < 0) {
		struct kterr *e = kterr_errno("the event queue: eventfd");

		free(q);
		return e;
	}
	pthread_mutex_init(&q->lock, NULL);
	*out = q;
	return NULL;
}

void evqueue_free(struct evqueue *q)
{
	struct kt_guest_event *ev;

	if (!q)
		return;
	while ((ev = evqueue_pop(q)))
		kt_gev_free(ev);
	close(q->efd);
	pthread_mutex_destroy(&q->lock);
	free(q);
}

void evqueue_push(struct evqueue *q, const struct kt_guest_event *ev)
{
	struct node *n = calloc(1, sizeof(*n));
	uint64_t one = 1;

	if (!n || !(n->ev = kt_gev_dup(ev))) {
		free(n);
		return;
	}
	if (!n->ev->at_ns)
		n->ev->at_ns = kt_now_ns();
	pthread_mutex_lock(&q->lock);
	if (q->tail)
		q->tail->next = n;
	else
		q->head = n;
	q->tail = n;
	pthread_mutex_unlock(&q->lock);
	if (write(q->efd, &one, sizeof(one)) < 0) {
		/* The counter is saturated: it is readable anyway. */
	}
}

struct kt_guest_event *evqueue_pop(struct evqueue *q)
{
	struct kt_guest_event *ev = NULL;
	struct node *n;
	uint64_t v;

	pthread_mutex_lock(&q->lock);
	n = q->head;
	if (n) {
		q->head = n->next;
		if (!q->head)
			q->tail = NULL;
	}
	/* Empty now: no longer readable (EAGAIN when it was not). */
	if (!q->head && read(q->efd, &v, sizeof(v)) < 0) {
	}
	pthread_mutex_unlock(&q->lock);
	if (n) {
		ev = n->ev;
		free(n);
	}
	return ev;
}

int evqueue_fd(const struct evqueue *q)
{
	return q->efd;
}
