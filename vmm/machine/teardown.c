/* teardown.c - see teardown.h. */
#include "vmm/machine/teardown.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#define TD_PATH_MAX 256
#define TD_FILES 8

/* Fixed-size, so the signal handler reads it without allocating. A slot is
 * filled before `used` is set and `used` cleared before it is reused. */
struct td_slot {
	volatile sig_atomic_t used;
	pid_t pid;
	char rundir[TD_PATH_MAX];
	char files[TD_FILES][TD_PATH_MAX];
};

static struct td_slot slots[TEARDOWN_SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static const int signals[] = { SIGINT, SIGTERM, SIGHUP };

void teardown_now(void)
{
	for (int i = 0; i < TEARDOWN_SLOTS; i++) {
		struct td_slot *s = &slots[i];

		if (!s->used)
			continue;
		if (s->pid > 0)
			kill(s->pid, SIGKILL);
		for (int f = 0; f < TD_FILES; f++)
			if (s->files[f][0])
				unlink(s->files[f]);
		if (s->rundir[0])
			rmdir(s->rundir);
	}
}

static void on_signal(int sig)
{
	teardown_now();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install(void)
{
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
		struct sigaction old, sa = { .sa_handler = on_signal };

		if (sigaction(signals[i], NULL, &old) == 0 && old.sa_handler == SIG_DFL) {
			sigemptyset(&sa.sa_mask);
			sigaction(signals[i], &sa, NULL);
		}
	}
}

static int copy_path(char *dst, const char *src)
{
	size_t n = src ? strlen(src) : 0;

	if (n >= TD_PATH_MAX)
		return -1;
	memcpy(dst, src ? src : "", n + 1);
	return 0;
}

int teardown_register(pid_t qemu, const char *rundir, const char *const *files, int nfiles)
{
	int slot = -1;

	if (nfiles > TD_FILES)
		return -1;
	pthread_once(&once, install);
	pthread_mutex_lock(&lock);
	for (int i = 0; i < TEARDOWN_SLOTS && slot < 0; i++) {
		struct td_slot *s = &slots[i];
		int bad = 0;

		if (s->used)
			continue;
		memset(s->files, 0, sizeof(s->files));
		s->pid = qemu;
		bad |= copy_path(s->rundir, rundir);
		for (int f = 0; f < nfiles; f++)
			bad |= copy_path(s->files[f], files[f]);
		if (bad)
			break;
		s->used = 1;
		slot = i;
	}
	pthread_mutex_unlock(&lock);
	return slot;
}

void teardown_forget_file(int slot, const char *path)
{
	if (slot < 0 || slot >= TEARDOWN_SLOTS || !path)
		return;
	pthread_mutex_lock(&lock);
	for (int f = 0; f < TD_FILES; f++)
		if (!strcmp(slots[slot].files[f], path))
			slots[slot].files[f][0] = '\0';
	pthread_mutex_unlock(&lock);
}

void teardown_unregister(int slot)
{
	if (slot < 0 || slot >= TEARDOWN_SLOTS)
		return;
	pthread_mutex_lock(&lock);
	slots[slot].used = 0;
	pthread_mutex_unlock(&lock);
}
