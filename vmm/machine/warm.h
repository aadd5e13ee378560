/*
 * warm.h - saved ready states: a guest stopped right after its agent's
 * HELLO (nothing applied, nothing spawned), kept so that later runs with
 * the same key (warm-key.h) start from it instead of booting.
 *
 * Layout: beside the kernel, <kernel entry>/warm/ (a kernel outside the
 * cache: ${XDG_CACHE_HOME:-~/.cache}/ktcon/warm/; KTCON_WARM_DIR overrides
 * both), and in it
 *
 *   <hash>/meta      the key's fields, QEMU's version, the HELLO, the
 *                    timeout scale measured at the cold boot (warm-key.h)
 *   <hash>/stream    QEMU's migration stream (device state, no RAM)
 *   <hash>/ram       the guest's RAM, sparse: untouched pages are holes
 *   <hash>.lock      flock()ed: shared while a run restores from <hash>,
 *                    exclusive while one saves, drops or cleans it
 *   .tmp-<hash>-*    a save in progress (or a killed one, swept by the
 *                    next save of that hash)
 *
 * A state appears only by rename(2) of a fully written directory. Locks
 * are only ever tried (LOCK_NB): a run that cannot have the lock boots
 * cold and saves nothing, so two runs never wait on each other.
 */
#ifndef KTCON_VMM_WARM_H
#define KTCON_VMM_WARM_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/err.h"
#include "vmm/machine/accel.h"
#include "vmm/machine/guestmem.h"
#include "vmm/machine/topology.h"
#include "vmm/machine/warm-key.h"

struct qmp;

enum warm_mode {
	WARM_COLD,		/* boot, save nothing */
	WARM_SAVE,		/* boot, then save (the exclusive lock is held) */
	WARM_RESTORE,		/* restore (the shared lock is held) */
};

struct warm {
	enum warm_mode mode;
	char *root;		/* the warm/ directory */
	char *dir;		/* root/<hash> */
	char *stream, *ram;	/* its files */
	int lock_fd;
	int fd;			/* the stream QEMU inherits (warm_stream_fd) */
	char *tmp;		/* SAVE: the directory being written */
	struct warm_key key;
	char hash[17];
	struct warm_meta meta;	/* RESTORE: the saved metadata, checked */
	/* Why a state was not used (refused, busy), for the caller to say;
	 * NULL when there was nothing to say. */
	struct kterr *why;
};

/* The inputs of a key. */
struct warm_inputs {
	const char *kernel;		/* bzImage */
	const char *vmlinux;		/* or NULL */
	const struct topology *topo;
	int initrd_fd;			/* the built initramfs (a memfd) */
	enum accel accel;		/* resolved */
	const char *qemu;		/* binary name or path */
	unsigned long tsc_khz;
};

/* KTCON_WARM=1 (or yes, on) / 0 (no, off) sets *warm; unset leaves it. */
struct kterr *warm_env(bool *warm);

struct kterr *warm_key_make(const struct warm_inputs *in, struct warm_key *k);

/* Where states of a kernel live (see above): kcache_warm_root(), in
 * vmm/kernel/kcache.h, which knows the cache's layout. */

/* Decide: restore a good state, or boot and save one, or boot cold (the
 * lock busy). A state that is there but damaged or mismatched is refused
 * (w->why says why), removed, and rebuilt (mode SAVE). */
struct kterr *warm_begin(const struct warm_key *k, const char *root, struct warm *w);

/* The migration stream's descriptor (migrate.h): RESTORE, the saved
 * stream to read (machine_opts' state_fd); SAVE, a new stream in a
 * temporary directory (created here) for QEMU to write. */
struct kterr *warm_stream_fd(struct warm *w, int *fd);

/* SAVE: the stopped machine's state (stream through QMP to the
 * descriptor of warm_stream_fd, RAM from gm), with the metadata m (its
 * key, hash and sizes are filled here), renamed into place. */
struct kterr *warm_save(struct warm *w, struct qmp *q, const struct guestmem *gm,
			struct warm_meta *m);

/* A checksum of RAM bytes p[0..len) at file offset off (both 8-byte
 * aligned): a sum over the non-zero 64-bit words, each mixed with its
 * offset, so holes and written zeros count the same and the order the
 * pieces are summed in does not matter. Chain by adding. */
uint64_t warm_ram_sum(const uint8_t *p, size_t len, uint64_t off);

/* RESTORE: copy the saved RAM into gm (only its data: holes stay holes);
 * fails, saying so, when the copy's checksum is not want_sum. */
struct kterr *warm_load_ram(const char *path, struct guestmem *gm, uint64_t want_sum,
			    uint64_t *copied);

/* Give up on a state a restore could not use: drop it (when the lock can
 * be had) and switch to SAVE, or to COLD. */
void warm_refuse(struct warm *w, struct kterr *why);

/* Release the lock and everything held. */
void warm_end(struct warm *w);

/* Every saved state under root, for `ktcon kernel list` and
 * `ktcon kernel clean-warm`: calls fn with each state's directory and its
 * metadata (NULL when unreadable). */
struct kterr *warm_each(const char *root,
			void (*fn)(const char *dir, const struct warm_meta *m, void *ctx),
			void *ctx);

/* Remove one state directory (and its lock), unless a run holds it;
 * *busy says so. */
struct kterr *warm_drop(const char *dir, bool *busy);

/* Eviction: after a save, the states under a kernel's root beyond the
 * `keep` most recently used (saved or restored: the lock file's mtime)
 * are dropped, oldest first; a state a run holds is skipped. *dropped
 * counts the ones removed. */
#define WARM_KEEP_DEFAULT 8
struct kterr *warm_evict(const char *root, unsigned keep, unsigned *dropped);

/* KTCON_WARM_KEEP: how many states a kernel keeps (1..1000; default
 * WARM_KEEP_DEFAULT). */
struct kterr *warm_keep_env(unsigned *keep);

#endif
