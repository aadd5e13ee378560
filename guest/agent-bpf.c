/*
 * agent-bpf.c - pin-bpf-map: hold a BPF map open past its scheduler.
 *
 * Walks the kernel's map id space (BPF_MAP_GET_NEXT_ID, GET_FD_BY_ID,
 * OBJ_GET_INFO_BY_FD: the calls libbpf's map iterators wrap; the static
 * agent makes them directly) and keeps the fd of the lowest id whose name
 * matches exactly: the kernel keeps 15 characters and nothing here
 * truncates for the user. The fds are held until unpin-bpf-maps (the
 * scenario's teardown).
 */
#include "guest/agent.h"

#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PINS 64

static struct { int fd; uint32_t id; char name[BPF_OBJ_NAME_LEN]; } pins[PINS];
static size_t npins;

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return (int)syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

/* The next map after ID: its fd and info. 0 when there is none; < 0 on
 * an error (errno). A map freed between the two calls is skipped. */
static int next_map(uint32_t *id, int *fd, struct bpf_map_info *info)
{
	for (;;) {
		union bpf_attr attr = { .start_id = *id };

		if (sys_bpf(BPF_MAP_GET_NEXT_ID, &attr) < 0)
			return errno == ENOENT ? 0 : -1;
		*id = attr.next_id;
		memset(&attr, 0, sizeof(attr));
		attr.map_id = *id;
		*fd = sys_bpf(BPF_MAP_GET_FD_BY_ID, &attr);
		if (*fd < 0) {
			if (errno == ENOENT)
				continue;
			return -1;
		}
		memset(info, 0, sizeof(*info));
		memset(&attr, 0, sizeof(attr));
		attr.info.bpf_fd = (uint32_t)*fd;
		attr.info.info_len = sizeof(*info);
		attr.info.info = (uint64_t)(uintptr_t)info;
		if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr) < 0) {
			close(*fd);
			return -1;
		}
		return 1;
	}
}

/* Worth showing when NAME matched nothing: CAND holds NAME's stem
 * ("simple" of "simple.bss"), NAME holds CAND's, or they share a section. */
static bool similar(const char *name, const char *cand)
{
	size_t stem = strcspn(name, "."), cstem = strcspn(cand, ".");
	char s[BPF_OBJ_NAME_LEN], cs[BPF_OBJ_NAME_LEN];

	snprintf(s, sizeof(s), "%.*s", (int)(stem < 15 ? stem : 15), name);
	snprintf(cs, sizeof(cs), "%.*s", (int)(cstem < 15 ? cstem : 15), cand);
	return (stem >= 3 && strstr(cand, s)) || (cstem >= 3 && strstr(name, cs)) ||
	       (name[stem] && cand[cstem] && !strcmp(name + stem, cand + cstem));
}

static struct kterr *op_pin(struct agent *a, const struct wire_msg *req, struct wire_buf *reply)
{
	const char *name = wire_get(req, "name");
	char seen[512] = "";
	size_t seen_len = 0, nmaps = 0;
	struct bpf_map_info info;
	uint32_t id = 0;
	int fd, r;

	if (!name || !*name)
		return kterr_new(EINVAL, "pin-bpf-map: no map name");
	for (size_t i = 0; i < npins; i++)
		if (!strcmp(pins[i].name, name))
			return NULL;	/* the first pinned instance stays the one held */
	if (npins == PINS)
		return kterr_new(ENOSPC, "pin-bpf-map %s: %d maps already pinned", name, PINS);
	while ((r = next_map(&id, &fd, &info)) > 0) {
		nmaps++;
		if (!strncmp(info.name, name, sizeof(info.name)) && strlen(name) < sizeof(info.name)) {
			pins[npins].fd = fd;
			pins[npins].id = id;
			snprintf(pins[npins].name, sizeof(pins[npins].name), "%s", name);
			npins++;
			wire_put_u64(reply, "map_id", id);
			return NULL;
		}
		if (similar(name, info.name) && seen_len + sizeof(info.name) + 2 < sizeof(seen))
			seen_len += (size_t)snprintf(seen + seen_len, sizeof(seen) - seen_len, "%s%s",
						     seen_len ? ", " : "", info.name);
		close(fd);
	}
	if (r < 0)
		return kterr_errno("pin-bpf-map %s: walk the BPF map ids (after id %u)", name, id);
	return kterr_hint(kterr_new(ENOENT, "pin-bpf-map %s: none of the %zu BPF maps in the guest "
				    "has this exact name", name, nmaps),
			  seen[0] ? "similar names: %s (the kernel keeps 15 characters; nothing "
				    "is truncated for you)" : "%sattach the scheduler that owns it first",
			  seen);
}

static struct kterr *op_unpin(struct agent *a, const struct wire_msg *req, struct wire_buf *reply)
{
	for (size_t i = 0; i < npins; i++)
		close(pins[i].fd);
	wire_put_u64(reply, "unpinned", npins);
	npins = 0;
	return NULL;
}

const struct agent_op agent_bpf_ops[] = {
	{ "pin-bpf-map", op_pin },
	{ "unpin-bpf-maps", op_unpin },
	{ NULL, NULL },
};
