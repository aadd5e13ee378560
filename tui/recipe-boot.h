/*
 * recipe-boot.h - what a recipe's header asks of the guest it runs on:
 * topology and memory from `vm`, the kernel from `kernel`, the staged
 * payloads and schedulers from `stage-payload` / `stage-scheduler`, and
 * the boot `scheduler`. `ktcon run` and the console boot through this, so
 * a recipe boots the same guest whichever of them replays it.
 */
#ifndef KTCON_TUI_RECIPE_BOOT_H
#define KTCON_TUI_RECIPE_BOOT_H

#include "engine/recipe.h"
#include "vmm/session.h"

/* The staged items session_opts points at; they point into the recipe. */
struct recipe_boot {
	struct initramfs_item *payloads, *schedulers;
	size_t npayloads, nschedulers;
};

/* Fill SO (which the caller has zeroed and may pre-set: accel, kernel
 * override, callbacks) from R's header. SO's staged arrays live in RB
 * until recipe_boot_free. */
struct kterr *recipe_boot_opts(const struct kt_recipe *r, struct session_opts *so,
			       struct recipe_boot *rb);

void recipe_boot_free(struct recipe_boot *rb);

#endif
