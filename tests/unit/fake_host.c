/* fake_host.c - see fake_host.h. */
#include "fake_host.h"

#include <string.h>

static struct kterr *capture(void *ctx, const char *tag, uint64_t *snap)
{
	struct fake_host *h = ctx;

	*snap = ++h->captures;
	return NULL;
}

static struct kterr *var(void *ctx, uint64_t snap, const char *name, uint64_t *value)
{
	struct fake_host *h = ctx;

	if (!strcmp(name, "missing"))
		return kterr_new(0, "no variable '%s' in snapshot %llu", name, (unsigned long long)snap);
	*value = h->value_after && (int)snap >= h->value_after ? h->var_late : h->var_value;
	return NULL;
}

static struct kterr *watch(void *ctx, const char *symbol, unsigned slot)
{
	struct fake_host *h = ctx;

	h->armed[h->narmed++ & 7] = slot;
	return NULL;
}

static struct kterr *unwatch(void *ctx, unsigned slot)
{
	struct fake_host *h = ctx;

	h->disarmed[h->ndisarmed++ & 7] = slot;
	return NULL;
}

static struct kterr *kwrite(void *ctx, bool cold, const struct kt_kwrite *w, size_t n)
{
	struct fake_host *h = ctx;

	if (cold)
		h->cold_calls++;
	else
		h->hot_calls++;
	h->last_nwrites = n;
	memcpy(h->writes, w, (n < 64 ? n : 64) * sizeof(*w));
	return NULL;
}

static struct kterr *kread(void *ctx, bool cold, const struct kt_ktarget *t,
			   struct kt_kwidth width, struct kt_kvalue *out)
{
	struct fake_host *h = ctx;

	h->reads++;
	out->u = h->value_after && h->reads >= h->value_after ? h->read_late : h->read_value;
	return NULL;
}

const struct kt_host_ops fake_host_ops = {
	.snapshot_capture = capture, .snapshot_var = var, .watch_arm = watch,
	.watch_disarm = unwatch, .kernel_write = kwrite, .kernel_read = kread,
};

const struct kt_host_ops fake_host_no_snapshots = {
	.watch_arm = watch, .watch_disarm = unwatch, .kernel_write = kwrite, .kernel_read = kread,
};
