/* initramfs.c - the guest root filesystem; see initramfs.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "guest/layout.h"
#include "vmm/image/elfdeps.h"
#include "vmm/image/initramfs.h"

struct kterr *initramfs_check_name(const char *kind, const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0)
		return kterr_new(EINVAL, "a staged %s needs a name", kind);
	if (n > INITRAMFS_NAME_MAX)
		return kterr_new(EINVAL, "%s name '%.20s...' is longer than %d bytes", kind, name,
				 INITRAMFS_NAME_MAX);
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return kterr_new(EINVAL, "'%s' is not a %s name", name, kind);
	if (strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != n)
		return kterr_hint(kterr_new(EINVAL, "%s name '%s' has a character other than "
					    "letters, digits, '_', '.' and '-'", kind, name),
				  "names become guest directories and recipe words");
	return NULL;
}

/* The loader and libraries a dynamically linked binary needs; libraries
 * another binary already brought are skipped. */
static struct kterr *add_libraries(struct cpio *c, const char *host_path)
{
	struct elfdeps d;
	struct kterr *e = elfdeps_resolve(host_path, NULL, &d);

	if (e)
		return e;
	if (d.interp && !cpio_has(c, d.interp))
		e = cpio_add_host_file(c, d.interp, d.interp);
	for (size_t i = 0; !e && i < d.n_libs; i++) {
		char *gp = kt_strfmt(KT_GUEST_LIBDIR "/%s", d.libs[i].name);

		if (!gp)
			e = kterr_new(ENOMEM, "stage %s", d.libs[i].name);
		else if (!cpio_has(c, gp))
			e = cpio_add_host_file(c, gp, d.libs[i].host_path);
		free(gp);
	}
	elfdeps_free(&d);
	return e;
}

/* DIR/NAME/BINARY, DIR/NAME/args, and the libraries. */
static struct kterr *add_items(struct cpio *c, const char *kind, const char *dir,
			       const struct initramfs_item *items, size_t n)
{
	struct kterr *e = NULL;

	for (size_t i = 0; !e && i < n; i++) {
		const struct initramfs_item *it = &items[i];
		const char *base = it->path ? strrchr(it->path, '/') : NULL;
		char *sub = NULL, *bin = NULL, *args = NULL;

		base = base ? base + 1 : it->path;
		e = initramfs_check_name(kind, it->name);
		if (!e && (!base || !*base))
			e = kterr_new(EINVAL, "%s %s has no binary path", kind, it->name);
		if (!e) {
			sub = kt_strfmt("%s/%s", dir, it->name);
			bin = sub ? kt_strfmt("%s/%s", sub, base) : NULL;
			args = sub ? kt_strfmt("%s/" KT_GUEST_ARGS_FILE, sub) : NULL;
			if (!bin || !args)
				e = kterr_new(ENOMEM, "stage %s %s", kind, it->name);
		}
		if (!e && cpio_has(c, sub))
			e = kterr_new(EEXIST, "two staged %ss are named '%s'", kind, it->name);
		if (!e && !strcmp(base, KT_GUEST_ARGS_FILE))
			e = kterr_new(EINVAL, "%s %s: a binary named '%s' would collide with its "
				      "arguments file", kind, it->name, base);
		if (!e)
			e = cpio_add_dir(c, sub, 0755);
		if (!e)
			e = cpio_add_host_file(c, bin, it->path);
		if (!e && it->args)
			e = cpio_add_file(c, args, 0644, it->args, strlen(it->args));
		if (!e)
			e = add_libraries(c, it->path);
		if (e)
			e = kterr_wrap(e, "stage %s %s", kind, it->name ? it->name : "(unnamed)");
		free(sub);
		free(bin);
		free(args);
	}
	return e;
}

static const struct initramfs_item *find_scheduler(const struct initramfs_spec *s,
						    const char *name)
{
	for (size_t i = 0; i < s->n_schedulers; i++)
		if (s->schedulers[i].name && !strcmp(s->schedulers[i].name, name))
			return &s->schedulers[i];
	return NULL;
}

/* The boot scheduler: its name, /scheduler pointing at its staged binary,
 * and /sched_args (the header's args, else the staged default). */
static struct kterr *add_boot_scheduler(struct cpio *c, const struct initramfs_spec *s)
{
	const struct initramfs_item *it = find_scheduler(s, s->boot_scheduler);
	const char *base, *args;
	char *target;
	struct kterr *e;

	if (!it)
		return kterr_hint(kterr_new(ENOENT, "boot scheduler '%s' is not staged",
					    s->boot_scheduler),
				  "stage it with stage-scheduler, or name one of the kernel's "
				  "schedulers (`ktcon help scheduler` lists them)");
	base = strrchr(it->path, '/');
	base = base ? base + 1 : it->path;
	target = kt_strfmt(KT_GUEST_SCHEDULERS "/%s/%s", it->name, base);
	if (!target)
		return kterr_new(ENOMEM, "boot scheduler link");
	args = s->boot_scheduler_args ? s->boot_scheduler_args : it->args ? it->args : "";
	e = cpio_add_file(c, KT_GUEST_BOOT_SCHED, 0644, it->name, strlen(it->name));
	if (!e)
		e = cpio_add_symlink(c, KT_GUEST_SCHED_BIN, target);
	if (!e)
		e = cpio_add_file(c, KT_GUEST_SCHED_ARGS, 0644, args, strlen(args));
	free(target);
	return e;
}

struct kterr *initramfs_assemble(const struct initramfs_spec *s, struct cpio *c)
{
	const char *busybox = s->busybox ? s->busybox : INITRAMFS_BUSYBOX;
	static const char *const dirs[] = {
		"/dev", "/bin", "/sbin", "/etc", "/root",
		KT_GUEST_STAGING, KT_GUEST_SCHEDULERS, KT_GUEST_PAYLOADS, KT_GUEST_LIBDIR,
		KT_GUEST_BIN,
	};
	struct kterr *e = NULL;

	if (!s->agent)
		return kterr_new(EINVAL, "no guest agent to run as /init");
	for (size_t i = 0; !e && i < ARRAY_SIZE(dirs); i++)
		e = cpio_add_dir(c, dirs[i], 0755);
	if (!e)
		e = cpio_add_chardev(c, "/dev/console", 0600, 5, 1);
	if (!e)
		e = cpio_add_chardev(c, "/dev/null", 0666, 1, 3);
	if (!e)
		e = kterr_wrap(cpio_add_host_file(c, "/init", s->agent), "stage the guest agent");
	if (!e) {
		e = cpio_add_host_file(c, "/bin/busybox", busybox);
		if (e && kterr_errno_of(e) == ENOENT)
			e = kterr_hint(e, "install busybox-static (./bootstrap does)");
	}
	if (!e)
		e = cpio_add_symlink(c, "/bin/sh", "busybox");
	if (!e)
		e = add_items(c, "scheduler", KT_GUEST_SCHEDULERS, s->schedulers, s->n_schedulers);
	if (!e)
		e = add_items(c, "payload", KT_GUEST_PAYLOADS, s->payloads, s->n_payloads);
	if (!e && s->boot_scheduler)
		e = add_boot_scheduler(c, s);
	return e;
}

struct kterr *initramfs_build(const struct initramfs_spec *spec, const char *out_path,
			      size_t *size)
{
	struct cpio c;
	struct kterr *e;

	cpio_init(&c);
	e = initramfs_assemble(spec, &c);
	if (!e)
		e = cpio_finish(&c);
	if (!e)
		e = kt_write_file(out_path, c.buf, c.len);
	if (!e && size)
		*size = c.len;
	cpio_free(&c);
	return e;
}
