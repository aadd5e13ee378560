/* test_warm.c - warm start's key, metadata and state directory (vmm/warm-key.h,
 * vmm/warm.h): what changes the key, what a metadata file must hold, and
 * which saved states are used, refused or rebuilt. QEMU is not run here:
 * warm.int saves and restores real guests. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/util.h"
#include "guest/wire.h"
#include "vmm/machine/qemu-argv.h"
#include "vmm/machine/warm-key.h"
#include "vmm/machine/warm.h"

static char root[] = "/tmp/ktcon-test-warm-XXXXXX";

static int setup(void **state)
{
	(void)state;
	strcpy(root, "/tmp/ktcon-test-warm-XXXXXX");
	return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	kterr_free(kt_rm_rf(root));
	return 0;
}

static void fill_key(struct warm_key *k)
{
	memset(k, 0, sizeof(*k));
	strcpy(k->format, "1");
	strcpy(k->kernel, "/c/bzImage 100 5; vmlinux 200 6");
	strcpy(k->vm, "numa=1 llcs=1 cores=2 threads=1 memory=512");
	strcpy(k->initramfs, "0123456789abcdef 4096");
	strcpy(k->qemu, "/usr/bin/qemu-system-x86_64 300 7");
	strcpy(k->accel, "tcg");
	strcpy(k->tsc_khz, "2600 MHz");
	strcpy(k->wire, "1");
}

static void fill_meta(struct warm_meta *m)
{
	memset(m, 0, sizeof(*m));
	fill_key(&m->key);
	warm_key_hash(&m->key, m->hash);
	strcpy(m->qemu_version, "QEMU 7.2.22");
	m->timeout_scale = 1.5;
	m->boot_ms = 3000;
	m->created = 1700000000;
	m->stream_bytes = 10;
	m->stream_crc = 0xdeadbeef;
	m->ram_bytes = 1 << 20;
	m->ram_sum = 0x0123456789abcdefULL;
	strcpy(m->hello_release, "6.12.117-ktcon");
}

/* Every field is in the hash: changing any one changes it. */
static void test_key_hash_covers_every_field(void **state)
{
	struct warm_key a, b;
	char ha[17], hb[17];
	char *fields[] = { b.format, b.kernel, b.vm, b.initramfs, b.qemu, b.accel,
			   b.tsc_khz, b.wire };

	(void)state;
	fill_key(&a);
	warm_key_hash(&a, ha);
	assert_int_equal(strlen(ha), 16);
	b = a;
	warm_key_hash(&b, hb);
	assert_string_equal(ha, hb);
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		b = a;
		strcat(fields[i], "x");
		warm_key_hash(&b, hb);
		assert_string_not_equal(ha, hb);
	}
	/* A byte moved across a field boundary is another key. */
	b = a;
	strcpy(b.accel, "tc");
	strcpy(b.tsc_khz, "g2600 MHz");
	warm_key_hash(&b, hb);
	assert_string_not_equal(ha, hb);
}

static void test_key_compare_names_the_field(void **state)
{
	struct warm_key a, b;
	struct kterr *e;
	char buf[512];

	(void)state;
	fill_key(&a);
	b = a;
	assert_null(warm_key_compare(&a, &b));
	strcpy(b.vm, "numa=1 llcs=1 cores=3 threads=1 memory=512");
	e = warm_key_compare(&a, &b);
	assert_non_null(e);
	kterr_str(e, buf, sizeof(buf));
	assert_non_null(strstr(buf, "vm: saved for 'numa=1 llcs=1 cores=2 threads=1 memory=512', "
				    "this run asks for vm 'numa=1 llcs=1 cores=3"));
	kterr_free(e);
}

static void test_meta_round_trip(void **state)
{
	struct warm_meta m, back;
	char *text;

	(void)state;
	fill_meta(&m);
	text = warm_meta_format(&m);
	assert_non_null(text);
	assert_null(warm_meta_parse(text, strlen(text), &back));
	assert_string_equal(back.hash, m.hash);
	assert_string_equal(back.key.kernel, m.key.kernel);
	assert_string_equal(back.qemu_version, "QEMU 7.2.22");
	assert_true(back.timeout_scale == 1.5);
	assert_int_equal(back.stream_crc, 0xdeadbeef);
	assert_int_equal(back.ram_bytes, 1 << 20);
	assert_true(back.ram_sum == 0x0123456789abcdefULL);
	assert_string_equal(back.hello_release, "6.12.117-ktcon");
	assert_null(warm_key_compare(&back.key, &m.key));
	free(text);
}

static void expect_parse_error(const char *text, const char *want)
{
	struct warm_meta m;
	struct kterr *e = warm_meta_parse(text, strlen(text), &m);
	char buf[512];

	assert_non_null(e);
	kterr_str(e, buf, sizeof(buf));
	if (!strstr(buf, want))
		fail_msg("parse error '%s' lacks '%s'", buf, want);
	kterr_free(e);
}

/* A line replaced in a good file. */
static char *edited(const char *name, const char *line)
{
	struct warm_meta m;
	char *text, *out, *p, *end;

	fill_meta(&m);
	text = warm_meta_format(&m);
	p = strstr(text, name);
	assert_non_null(p);
	end = strchr(p + 1, '\n');
	*p = '\0';
	out = kt_strfmt("%s%s%s", text, line, end);
	free(text);
	return out;
}

static void test_meta_parse_refuses_bad_files(void **state)
{
	char *t;

	(void)state;
	expect_parse_error("", "no 'format' line");
	expect_parse_error("format 1\nkernel x\n", "no 'vm' line");
	expect_parse_error("format\n", "line 1: no value");
	t = edited("\nstream_bytes ", "\nstream_bytes lots");
	expect_parse_error(t, "stream_bytes 'lots' is not a valid value");
	free(t);
	t = edited("\ntimeout_scale ", "\ntimeout_scale 0.5");
	expect_parse_error(t, "timeout_scale '0.5' is not a valid value");
	free(t);
	t = edited("\nstream_crc ", "\nstream_crc 1ffffffff");
	expect_parse_error(t, "stream_crc '1ffffffff'");
	free(t);
	/* A key field edited without its hash: not this state any more. */
	t = edited("\nvm ", "\nvm numa=1 llcs=1 cores=4 threads=1 memory=512");
	expect_parse_error(t, "does not match its fields");
	free(t);
	t = edited("\nram_bytes ", "\nnot_a_field_yet 3\nram_bytes 1048576");
	{
		struct warm_meta m;

		assert_null(warm_meta_parse(t, strlen(t), &m));	/* a newer ktcon's */
	}
	free(t);
	t = edited("\nram_bytes ", "\nram_bytes 1048576");
	{
		struct warm_meta m;
		size_t n = strlen(t);

		struct kterr *e;

		t[5] = '\0';
		e = warm_meta_parse(t, n, &m);
		assert_non_null(e);
		kterr_free(e);
	}
	free(t);
}

/* ---- the key from real files ---- */

static struct kterr *make_key(const char *kernel, int initrd_fd, unsigned mem,
			      unsigned long tsc, enum accel a, struct warm_key *k)
{
	struct topology t;

	topology_default(&t);
	t.memory_mib = mem;
	struct warm_inputs in = { .kernel = kernel, .topo = &t, .initrd_fd = initrd_fd,
				  .accel = a, .qemu = "/bin/sh", .tsc_khz = tsc };
	return warm_key_make(&in, k);
}

static void test_key_make_from_inputs(void **state)
{
	char *kernel = kt_path_join(root, "bzImage");
	int fd = memfd_create("initrd", 0);
	struct warm_key a, b;
	char ha[17], hb[17];
	struct timespec ts[2] = { { 0, UTIME_OMIT }, { 12345, 0 } };

	(void)state;
	assert_null(kt_write_file(kernel, "kernel", 6));
	assert_int_equal(write(fd, "initramfs-1", 11), 11);
	assert_null(make_key(kernel, fd, 512, 2595766, ACCEL_TCG, &a));
	warm_key_hash(&a, ha);
	assert_non_null(strstr(a.kernel, "bzImage 6 "));
	assert_string_equal(a.vm, "numa=1 llcs=1 cores=2 threads=1 memory=512");
	assert_string_equal(a.accel, "tcg");
	assert_string_equal(a.tsc_khz, "2600 MHz");
	/* The TSC as each ktcon measures it wobbles: same key. */
	assert_null(make_key(kernel, fd, 512, 2595863, ACCEL_TCG, &b));
	warm_key_hash(&b, hb);
	assert_string_equal(ha, hb);
	/* memory, accelerator, initramfs bytes, kernel mtime: another key. */
	assert_null(make_key(kernel, fd, 384, 2595766, ACCEL_TCG, &b));
	warm_key_hash(&b, hb);
	assert_string_not_equal(ha, hb);
	assert_null(make_key(kernel, fd, 512, 2595766, ACCEL_KVM, &b));
	warm_key_hash(&b, hb);
	assert_string_not_equal(ha, hb);
	assert_int_equal(pwrite(fd, "2", 1, 10), 1);
	assert_null(make_key(kernel, fd, 512, 2595766, ACCEL_TCG, &b));
	warm_key_hash(&b, hb);
	assert_string_not_equal(ha, hb);
	assert_int_equal(pwrite(fd, "1", 1, 10), 1);
	assert_int_equal(utimensat(AT_FDCWD, kernel, ts, 0), 0);
	assert_null(make_key(kernel, fd, 512, 2595766, ACCEL_TCG, &b));
	warm_key_hash(&b, hb);
	assert_string_not_equal(ha, hb);
	/* A kernel that is not there: an error naming it. */
	struct kterr *e = make_key("/nonexistent/bzImage", fd, 512, 1, ACCEL_TCG, &b);
	assert_non_null(e);
	assert_true(kterr_contains(e, "/nonexistent/bzImage"));
	kterr_free(e);
	close(fd);
	free(kernel);
}

/* ---- deciding: save, restore, refuse, busy ---- */

/* A state as warm_save leaves it, with the stream and RAM given. */
static void plant_state(const struct warm_key *k, const char *stream, size_t slen,
			uint64_t ram_bytes)
{
	struct warm_meta m;
	char *dir, *p, *text;

	fill_meta(&m);
	m.key = *k;
	warm_key_hash(k, m.hash);
	m.stream_bytes = slen;
	m.stream_crc = wire_crc32c(0, stream, slen);
	m.ram_bytes = ram_bytes;
	dir = kt_path_join(root, m.hash);
	assert_null(kt_mkdir_p(dir, 0755));
	p = kt_path_join(dir, "stream");
	assert_null(kt_write_file(p, stream, slen));
	free(p);
	p = kt_path_join(dir, "ram");
	assert_null(kt_write_file(p, "", 0));
	assert_int_equal(truncate(p, (off_t)ram_bytes), 0);
	free(p);
	p = kt_path_join(dir, "meta");
	text = warm_meta_format(&m);
	assert_null(kt_write_file(p, text, strlen(text)));
	free(text);
	free(p);
	free(dir);
}

static void test_begin_saves_restores_and_refuses(void **state)
{
	struct warm_key k;
	struct warm w, w2;
	char *p;

	(void)state;
	fill_key(&k);
	/* Nothing there: boot and save, holding the lock... */
	assert_null(warm_begin(&k, root, &w));
	assert_int_equal(w.mode, WARM_SAVE);
	assert_null(w.why);
	/* ...so a second run at once boots cold and says why. */
	assert_null(warm_begin(&k, root, &w2));
	assert_int_equal(w2.mode, WARM_COLD);
	assert_non_null(w2.why);
	assert_true(kterr_contains(w2.why, "another ktcon is saving it: booting cold"));
	warm_end(&w2);
	warm_end(&w);

	/* A good state: restored; two runs may restore it at once. */
	plant_state(&k, "stream-bytes", 12, 1 << 20);
	assert_null(warm_begin(&k, root, &w));
	assert_int_equal(w.mode, WARM_RESTORE);
	assert_string_equal(w.meta.qemu_version, "QEMU 7.2.22");
	assert_null(warm_begin(&k, root, &w2));
	assert_int_equal(w2.mode, WARM_RESTORE);
	/* A state QEMU could not use: refused; with another run still
	 * restoring it, it stays for that run, and this one boots cold. */
	warm_refuse(&w, kterr_new(0, "saved by QEMU 7.2.22, this is QEMU 8.0.0"));
	assert_int_equal(w.mode, WARM_COLD);
	assert_true(kterr_contains(w.why, "this is QEMU 8.0.0: booting cold and rebuilding it"));
	assert_true(kt_is_dir(w2.dir));
	warm_end(&w2);
	warm_end(&w);
	/* Alone, the refusing run drops it and rebuilds. */
	assert_null(warm_begin(&k, root, &w));
	assert_int_equal(w.mode, WARM_RESTORE);
	warm_refuse(&w, kterr_new(0, "saved by QEMU 7.2.22, this is QEMU 8.0.0"));
	assert_int_equal(w.mode, WARM_SAVE);
	assert_false(kt_exists(w.dir));
	warm_end(&w);

	/* A truncated stream: refused with the reason, dropped, rebuilt. */
	plant_state(&k, "stream-bytes", 12, 1 << 20);
	{
		char hash[17];

		warm_key_hash(&k, hash);
		p = kt_strfmt("%s/%s/stream", root, hash);
	}
	assert_int_equal(truncate(p, 5), 0);
	assert_null(warm_begin(&k, root, &w));
	assert_int_equal(w.mode, WARM_SAVE);
	assert_non_null(w.why);
	assert_true(kterr_contains(w.why, "stream is 5 bytes, the metadata says 12 (truncated?): "
				   "booting cold and rebuilding it"));
	assert_false(kt_exists(p));	/* dropped */
	warm_end(&w);
	free(p);

	/* A damaged stream (same size), a short RAM file. */
	plant_state(&k, "stream-bytes", 12, 1 << 20);
	{
		char hash[17];

		warm_key_hash(&k, hash);
		p = kt_strfmt("%s/%s/stream", root, hash);
		assert_null(kt_write_file(p, "stream-bytez", 12));
		free(p);
		assert_null(warm_begin(&k, root, &w));
		assert_true(kterr_contains(w.why, "stream's CRC is"));
		warm_end(&w);
		plant_state(&k, "stream-bytes", 12, 1 << 20);
		p = kt_strfmt("%s/%s/ram", root, hash);
		assert_int_equal(truncate(p, 4096), 0);
		free(p);
		assert_null(warm_begin(&k, root, &w));
		assert_true(kterr_contains(w.why, "ram is 4096 bytes"));
		warm_end(&w);
	}
}

/* SAVE: the stream file is made in a temporary directory, which an
 * unfinished save leaves to nobody; RESTORE: the saved stream, to read. */
static void test_stream_fd(void **state)
{
	struct warm_key k;
	struct warm w;
	int fd = -1;
	char *tmp;

	(void)state;
	fill_key(&k);
	assert_null(warm_begin(&k, root, &w));
	assert_int_equal(w.mode, WARM_SAVE);
	assert_null(warm_stream_fd(&w, &fd));
	assert_true(fd >= 0);
	assert_non_null(w.tmp);
	assert_non_null(strstr(w.tmp, "/.tmp-"));
	assert_true(kt_is_dir(w.tmp));
	tmp = strdup(w.tmp);
	warm_end(&w);
	assert_false(kt_exists(tmp));
	free(tmp);
	plant_state(&k, "stream-bytes", 12, 1 << 20);
	assert_null(warm_begin(&k, root, &w));
	assert_int_equal(w.mode, WARM_RESTORE);
	assert_null(warm_stream_fd(&w, &fd));
	{
		char buf[16] = "";

		assert_int_equal(read(fd, buf, sizeof(buf)), 12);
		assert_memory_equal(buf, "stream-bytes", 12);
	}
	warm_end(&w);
}

/* The RAM checksum: holes and written zeros alike, pieces in any order;
 * a changed byte or a byte moved is another sum, and a load that finds
 * one says so. */
static void test_ram_sum_and_damaged_ram(void **state)
{
	static uint8_t page[3][4096];
	uint64_t whole, parts, copied;
	char *path = kt_path_join(root, "ram");
	struct guestmem gm;
	int fd;

	(void)state;
	memset(page, 0, sizeof(page));
	memcpy(page[0] + 100, "kernel", 6);
	memcpy(page[2] + 8, "agent", 5);
	whole = warm_ram_sum(page[0], sizeof(page), 0);
	assert_true(whole != 0);
	/* the zero page left out, the pieces summed backwards */
	parts = warm_ram_sum(page[2], 4096, 8192) + warm_ram_sum(page[0], 4096, 0);
	assert_true(whole == parts);
	/* the same bytes at another offset: another sum */
	assert_true(warm_ram_sum(page[0], 4096, 4096) != warm_ram_sum(page[0], 4096, 0));

	/* A RAM file with a hole between its two pages loads, and a byte
	 * changed in it is caught. */
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_int_equal(pwrite(fd, page[0], 4096, 0), 4096);
	assert_int_equal(pwrite(fd, page[2], 4096, 8192), 4096);
	assert_int_equal(ftruncate(fd, 1 << 20), 0);
	assert_null(guestmem_create(&gm, 1 << 20));
	assert_null(warm_load_ram(path, &gm, whole, &copied));
	assert_memory_equal(gm.base + 100, "kernel", 6);
	assert_memory_equal(gm.base + 8192 + 8, "agent", 5);
	guestmem_destroy(&gm);
	assert_int_equal(pwrite(fd, "K", 1, 100), 1);
	assert_null(guestmem_create(&gm, 1 << 20));
	struct kterr *e = warm_load_ram(path, &gm, whole, &copied);
	assert_non_null(e);
	assert_true(kterr_contains(e, "the metadata says"));
	assert_true(kterr_contains(e, "(damaged)"));
	kterr_free(e);
	guestmem_destroy(&gm);
	close(fd);
	free(path);
}

/* The restoring QEMU waits for its state: -incoming defer, and -S. */
static void test_qemu_argv_incoming(void **state)
{
	struct qemu_spec s = { .qemu = "qemu", .accel = ACCEL_TCG, .ram_path = "/proc/self/fd/3",
			       .kernel = "bz", .initrd = "rd", .rundir = "/run/x" };
	char **argv, *line;

	(void)state;
	topology_default(&s.topo);
	assert_null(qemu_argv_build(&s, &argv));
	line = qemu_argv_join(argv);
	assert_null(strstr(line, "-incoming"));
	free(line);
	qemu_argv_free(argv);
	s.incoming = true;
	assert_null(qemu_argv_build(&s, &argv));
	line = qemu_argv_join(argv);
	assert_non_null(strstr(line, " -S -incoming defer "));
	free(line);
	qemu_argv_free(argv);
}

static void test_env(void **state)
{
	bool w = false;
	struct kterr *e;

	(void)state;
	unsetenv("KTCON_WARM");
	assert_null(warm_env(&w));
	assert_false(w);
	setenv("KTCON_WARM", "1", 1);
	assert_null(warm_env(&w));
	assert_true(w);
	setenv("KTCON_WARM", "off", 1);
	assert_null(warm_env(&w));
	assert_false(w);
	setenv("KTCON_WARM", "maybe", 1);
	e = warm_env(&w);
	assert_non_null(e);
	assert_true(kterr_contains(e, "KTCON_WARM='maybe'"));
	kterr_free(e);
	unsetenv("KTCON_WARM");
}

/* Make a state directory (with its lock file) last used at `used`. */
static void fake_state(const char *name, time_t used)
{
	char *dir = kt_path_join(root, name);
	char *lock = kt_strfmt("%s.lock", dir);
	struct timespec ts[2] = { { used, 0 }, { used, 0 } };
	int fd;

	assert_int_equal(mkdir(dir, 0755), 0);
	fd = open(lock, O_RDWR | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(futimens(fd, ts), 0);
	close(fd);
	free(lock);
	free(dir);
}

static bool has(const char *name)
{
	char *dir = kt_path_join(root, name);
	bool r = kt_is_dir(dir);

	free(dir);
	return r;
}

/* The least recently used go first; a held state stays; a lone state and
 * a missing root are fine. */
static void test_evict_least_recently_used(void **state)
{
	unsigned dropped = 99;
	char *busy_lock;
	int fd;

	(void)state;
	assert_null(warm_evict("/nonexistent/ktcon-warm", 3, &dropped));
	assert_int_equal(dropped, 0);
	fake_state("aaaa", 1000);
	assert_null(warm_evict(root, 1, &dropped));
	assert_int_equal(dropped, 0);
	fake_state("bbbb", 4000);
	fake_state("cccc", 2000);
	fake_state("dddd", 3000);
	assert_null(warm_evict(root, 2, &dropped));
	assert_int_equal(dropped, 2);
	assert_true(has("bbbb"));
	assert_true(has("dddd"));
	assert_false(has("cccc"));
	assert_false(has("aaaa"));
	/* dddd is being restored by another run: it stays. */
	busy_lock = kt_strfmt("%s/dddd.lock", root);
	fd = open(busy_lock, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_SH), 0);
	assert_null(warm_evict(root, 1, &dropped));
	assert_int_equal(dropped, 0);
	assert_true(has("dddd"));
	close(fd);
	assert_null(warm_evict(root, 1, &dropped));
	assert_int_equal(dropped, 1);
	assert_true(has("bbbb"));
	assert_false(has("dddd"));
	free(busy_lock);
}

static void test_keep_env(void **state)
{
	unsigned keep = 0;
	struct kterr *e;

	(void)state;
	unsetenv("KTCON_WARM_KEEP");
	assert_null(warm_keep_env(&keep));
	assert_int_equal(keep, WARM_KEEP_DEFAULT);
	setenv("KTCON_WARM_KEEP", "7", 1);
	assert_null(warm_keep_env(&keep));
	assert_int_equal(keep, 7);
	const char *bad[] = { "0", "-1", "x", "3x", "1001" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		setenv("KTCON_WARM_KEEP", bad[i], 1);
		e = warm_keep_env(&keep);
		assert_non_null(e);
		assert_true(kterr_contains(e, "KTCON_WARM_KEEP="));
		kterr_free(e);
	}
	unsetenv("KTCON_WARM_KEEP");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_hash_covers_every_field),
		cmocka_unit_test(test_key_compare_names_the_field),
		cmocka_unit_test(test_meta_round_trip),
		cmocka_unit_test(test_meta_parse_refuses_bad_files),
		cmocka_unit_test_setup_teardown(test_key_make_from_inputs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_begin_saves_restores_and_refuses, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stream_fd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ram_sum_and_damaged_ram, setup, teardown),
		cmocka_unit_test(test_qemu_argv_incoming),
		cmocka_unit_test(test_env),
		cmocka_unit_test_setup_teardown(test_evict_least_recently_used, setup, teardown),
		cmocka_unit_test(test_keep_env),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
