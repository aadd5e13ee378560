/* agent-power.c - power the guest off.
 *
 * The microvm has no ACPI, so there is no power-off: the kernel is booted
 * with reboot=t and QEMU with -no-reboot, and a reset (a triple fault)
 * ends QEMU at once. Before that an attached sched_ext scheduler is told
 * to go (sysrq S), so a scheduler bug cannot turn shutdown into a hang. */
#include "guest/agent.h"

#include <string.h>
#include <sys/reboot.h>
#include <unistd.h>

#include "lib/wait.h"

void agent_power_off(void)
{
	char st[32];

	if (strcmp(agent_scx_state(st, sizeof(st)), "disabled") &&
	    strcmp(st, "absent")) {
		kterr_free(agent_write_file("/proc/sysrq-trigger", "S"));
		struct kt_wait w;

		kt_wait_begin(&w, KT_LIM_POWEROFF_SCX, "sched_ext to disable before power-off");
		while (strcmp(agent_scx_state(st, sizeof(st)), "disabled") && !kt_wait_expired(&w))
			usleep(kt_wait_nap_ms(&w, 20) * 1000);
	}
	sync();
	reboot(RB_AUTOBOOT);
	for (;;)
		pause();
}
