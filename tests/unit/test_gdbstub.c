/*
 * test_gdbstub.c - gdb packet framing, reply parsers and the target
 * description on transcripts recorded from QEMU 7.2, and the client
 * replaying a recorded session against a fake stub that checks every byte.
 *
 * Transcripts (tests/data/gdb/NAME.txt) use the format of test_qmp.c:
 * "> " sent, "< " received, one chunk a line, \\ \n \xNN escapes.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/util.h"
#include "vmm/machine/gdbstub.h"

#define JIFFIES_64 0xffffffff81a079c0ull

/* ---- transcripts ---- */

struct chunk {
	char dir;
	char *data;
	size_t len;
};

static int unhex(int c)
{
	return c >= 'a' ? c - 'a' + 10 : c >= 'A' ? c - 'A' + 10 : c - '0';
}

static size_t load(const char *name, struct chunk *out, size_t max)
{
	char path[512], line[65536];
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/data/gdb/%s", KTCON_SRCDIR, name);
	f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s", path);
	while (fgets(line, sizeof(line), f)) {
		size_t i, o = 0, len = strlen(line);
		char *d;

		if (len < 3 || (line[0] != '<' && line[0] != '>'))
			continue;
		assert_true(n < max);
		d = malloc(len);
		for (i = 2; i < len && line[i] != '\n'; i++) {
			if (line[i] != '\\') {
				d[o++] = line[i];
			} else if (line[i + 1] == 'n') {
				d[o++] = '\n';
				i++;
			} else if (line[i + 1] == 'x') {
				d[o++] = (char)(unhex(line[i + 2]) << 4 | unhex(line[i + 3]));
				i += 3;
			} else {
				d[o++] = line[++i];
			}
		}
		out[n].dir = line[0];
		out[n].data = d;
		out[n].len = o;
		n++;
	}
	fclose(f);
	return n;
}

static void unload(struct chunk *c, size_t n)
{
	while (n--)
		free(c[n].data);
}

/* Every packet QEMU sent, in order, fed step bytes at a time; acks and
 * naks are counted. */
struct packets {
	char *p[128];
	size_t len[128];
	size_t n, acks, naks, bad;
};

static void read_packets(const struct chunk *c, size_t n, size_t step, struct packets *out)
{
	static struct gdb_reader rd;
	size_t i, off;

	memset(out, 0, sizeof(*out));
	gdb_reader_init(&rd);
	for (i = 0; i < n; i++) {
		if (c[i].dir != '<')
			continue;
		for (off = 0; off < c[i].len;) {
			size_t k = c[i].len - off < step ? c[i].len - off : step;
			struct gdb_rx rx;

			off += gdb_reader_feed(&rd, c[i].data + off, k, &rx);
			if (rx.kind == GDB_RX_ACK)
				out->acks++;
			else if (rx.kind == GDB_RX_NAK)
				out->naks++;
			else if (rx.kind == GDB_RX_BAD)
				out->bad++;
			else if (rx.kind == GDB_RX_PACKET) {
				assert_true(out->n < 128);
				out->p[out->n] = strndup(rx.data, rx.len);
				out->len[out->n++] = rx.len;
			}
		}
	}
	assert_int_equal(rd.junk, 0);
}

static void free_packets(struct packets *p)
{
	while (p->n--)
		free(p->p[p->n]);
}

static size_t find_packet(const struct packets *p, size_t from, const char *prefix)
{
	size_t i;

	for (i = from; i < p->n; i++)
		if (!strncmp(p->p[i], prefix, strlen(prefix)))
			return i;
	fail_msg("no packet starting with %s", prefix);
	return 0;
}

/* ---- framing ---- */

static void check_probe_packets(const struct packets *p)
{
	assert_int_equal(p->bad, 0);
	assert_int_equal(p->naks, 0);
	assert_int_equal(p->n, 19);
	/* QEMU acks each of our 20 packets (the interrupt byte is not one) */
	assert_int_equal(p->acks, 20);
	assert_string_equal(p->p[0], "PacketSize=1000;qXfer:features:read+;vContSupported+;multiprocess+");
	assert_string_equal(p->p[6], "T05thread:p01.01;");
	assert_string_equal(p->p[7], "T02thread:p01.01;");
	assert_string_equal(p->p[8], "mp01.01");
	assert_string_equal(p->p[10], "l");
	assert_int_equal(p->len[12], 1216);	/* `g`: 608 bytes of registers */
	assert_string_equal(p->p[17], "T05thread:p01.01;watch:ffffffff81a079c0;");
}

static void test_reader_frames_a_recorded_session(void **state)
{
	struct chunk c[128];
	struct packets p;
	size_t n = load("probe-kernel.txt", c, 128);

	read_packets(c, n, SIZE_MAX, &p);
	check_probe_packets(&p);
	free_packets(&p);
	unload(c, n);
}

static void test_reader_gives_the_same_packets_a_byte_at_a_time(void **state)
{
	struct chunk c[128];
	struct packets p;
	size_t n = load("probe-kernel.txt", c, 128);

	read_packets(c, n, 1, &p);
	check_probe_packets(&p);
	free_packets(&p);
	unload(c, n);
}

static void test_reader_naks_bad_checksums_and_resyncs(void **state)
{
	static const char in[] = "$OK#00junk$abc$OK#9a-+$OK#zz";
	static struct gdb_reader rd;
	const char *p = in;
	size_t left = sizeof(in) - 1, k;
	struct gdb_rx rx;

	gdb_reader_init(&rd);
	k = gdb_reader_feed(&rd, p, left, &rx);
	assert_int_equal(rx.kind, GDB_RX_BAD);
	assert_string_equal(rx.data, "bad checksum");
	p += k, left -= k;
	/* "junk" is skipped; "$abc" is cut off by a new '$' */
	k = gdb_reader_feed(&rd, p, left, &rx);
	assert_int_equal(rx.kind, GDB_RX_PACKET);
	assert_string_equal(rx.data, "OK");
	assert_int_equal(rd.junk, 4 + 4);
	p += k, left -= k;
	k = gdb_reader_feed(&rd, p, left, &rx);
	assert_int_equal(rx.kind, GDB_RX_NAK);
	p += k, left -= k;
	k = gdb_reader_feed(&rd, p, left, &rx);
	assert_int_equal(rx.kind, GDB_RX_ACK);
	p += k, left -= k;
	/* a checksum that is not hex */
	k = gdb_reader_feed(&rd, p, left, &rx);
	assert_int_equal(rx.kind, GDB_RX_BAD);
	assert_int_equal(k, left - 1);
	/* nothing complete in what is left */
	k = gdb_reader_feed(&rd, p + k, 1, &rx);
	assert_int_equal(rx.kind, GDB_RX_NONE);
}

static void test_frame_escapes_and_reader_unescapes(void **state)
{
	static const char payload[] = "a$b#c}d*e\x03";
	static struct gdb_reader rd;
	char frame[64];
	size_t flen;
	struct gdb_rx rx;

	assert_null(gdb_frame(payload, sizeof(payload) - 1, frame, sizeof(frame), &flen));
	assert_null(memchr(frame + 1, '$', flen - 1));
	assert_int_equal(strchr(frame, '#') - frame, (long)flen - 3);
	gdb_reader_init(&rd);
	assert_int_equal(gdb_reader_feed(&rd, frame, flen, &rx), flen);
	assert_int_equal(rx.kind, GDB_RX_PACKET);
	assert_int_equal(rx.len, sizeof(payload) - 1);
	assert_memory_equal(rx.data, payload, sizeof(payload) - 1);
	/* the frame checksum of "?" is the one QEMU accepted */
	assert_null(gdb_frame("?", 1, frame, sizeof(frame), &flen));
	assert_string_equal(frame, "$?#3f");
	struct kterr *e = gdb_frame(payload, sizeof(payload) - 1, frame, 8, &flen);

	assert_int_equal(kterr_errno_of(e), E2BIG);
	kterr_free(e);
}

static void test_reader_expands_run_lengths_and_bounds_them(void **state)
{
	static struct gdb_reader rd;
	struct gdb_rx rx;
	char *big;
	size_t i;

	/* "0* " = '0' then 32-29 = 3 more; checksum over the raw bytes */
	gdb_reader_init(&rd);
	gdb_reader_feed(&rd, "$0* #7a", 7, &rx);
	assert_int_equal(rx.kind, GDB_RX_PACKET);
	assert_string_equal(rx.data, "0000");
	/* a run with nothing to repeat is corruption */
	gdb_reader_feed(&rd, "$* #4a", 6, &rx);
	assert_int_equal(rx.kind, GDB_RX_BAD);
	/* runs cannot grow a packet past the limit */
	big = malloc(GDB_MAX_PACKET * 2);
	big[0] = '$';
	for (i = 1; i + 2 < GDB_MAX_PACKET / 10; i += 2) {
		big[i] = 'a';
		big[i + 1] = '*';
		big[i + 2] = '~';
		i++;
	}
	big[i++] = '#';
	big[i++] = '0';
	big[i++] = '0';
	gdb_reader_feed(&rd, big, i, &rx);
	assert_int_equal(rx.kind, GDB_RX_BAD);
	assert_string_equal(rx.data, "packet longer than the limit");
	free(big);
}

/* ---- replies ---- */

static void test_stop_replies(void **state)
{
	struct gdb_stop s;
	struct kterr *e;

	assert_null(gdb_parse_stop("T05thread:p01.01;watch:ffffffff81a079c0;", 40, &s));
	assert_int_equal(s.kind, GDB_STOP_SIGNAL);
	assert_int_equal(s.code, 5);
	assert_true(s.has_thread);
	assert_int_equal(s.thread.pid, 1);
	assert_int_equal(s.thread.tid, 1);
	assert_int_equal(s.watch, GDB_WATCH_WRITE);
	assert_true(s.watch_addr == JIFFIES_64);
	assert_int_equal(s.core, -1);

	assert_null(gdb_parse_stop("T02thread:p01.02;", 17, &s));
	assert_int_equal(s.code, 2);
	assert_int_equal(s.thread.tid, 2);
	assert_int_equal(s.watch, GDB_WATCH_NONE);

	assert_null(gdb_parse_stop("T05swbreak:;thread:3;core:1;10:f0ff000000000000;rwatch:10", 57, &s));
	assert_true(s.swbreak);
	assert_int_equal(s.thread.pid, 0);
	assert_int_equal(s.thread.tid, 3);
	assert_int_equal(s.core, 1);
	assert_int_equal(s.watch, GDB_WATCH_READ);
	assert_true(s.watch_addr == 0x10);

	assert_null(gdb_parse_stop("S05", 3, &s));
	assert_int_equal(s.code, 5);
	assert_null(gdb_parse_stop("W00", 3, &s));
	assert_int_equal(s.kind, GDB_STOP_EXITED);
	assert_null(gdb_parse_stop("X09;process:1", 13, &s));
	assert_int_equal(s.kind, GDB_STOP_KILLED);
	assert_int_equal(s.code, 9);

	static const char *const bad[] = {
		"", "T", "T5", "Q05", "S05x", "Tzz", "T05watch:zz;", "T05thread:;",
		"T05core:-1;", "T05nocolon;", "T0510:zz;",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e = gdb_parse_stop(bad[i], strlen(bad[i]), &s);
		if (!e)
			fail_msg("\"%s\" parsed as a stop reply", bad[i]);
		assert_int_equal(kterr_errno_of(e), EPROTO);
		kterr_free(e);
	}
}

static void test_thread_ids_round_trip(void **state)
{
	static const struct {
		const char *in, *out;
		int64_t pid, tid;
	} ok[] = {
		{ "p01.02", "p1.2", 1, 2 },
		{ "2", "2", 0, 2 },
		{ "-1", "-1", 0, -1 },
		{ "p1.-1", "p1.-1", 1, -1 },
		{ "p2", "p2.-1", 2, -1 },
		{ "ff", "ff", 0, 255 },
	};
	static const char *const bad[] = { "", "p", "pX.1", "p1.", "x", "12345678901234567", "p1.2.3" };
	struct gdb_tid t;
	char buf[32];
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_null(gdb_parse_tid(ok[i].in, strlen(ok[i].in), &t));
		assert_int_equal(t.pid, ok[i].pid);
		assert_int_equal(t.tid, ok[i].tid);
		gdb_format_tid(t, buf, sizeof(buf));
		assert_string_equal(buf, ok[i].out);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct kterr *e = gdb_parse_tid(bad[i], strlen(bad[i]), &t);

		if (!e)
			fail_msg("\"%s\" parsed as a thread id", bad[i]);
		kterr_free(e);
	}
}

static void test_thread_lists(void **state)
{
	struct gdb_tid t[2];
	size_t n = 0;
	bool last;
	struct kterr *e;

	assert_null(gdb_parse_thread_list("mp01.01,p01.02", 14, t, 2, &n, &last));
	assert_false(last);
	assert_int_equal(n, 2);
	assert_int_equal(t[1].tid, 2);
	assert_null(gdb_parse_thread_list("l", 1, t, 2, &n, &last));
	assert_true(last);
	e = gdb_parse_thread_list("m3", 2, t, 2, &n, &last);
	assert_int_equal(kterr_errno_of(e), E2BIG);
	kterr_free(e);
	n = 0;
	e = gdb_parse_thread_list("m", 1, t, 2, &n, &last);
	assert_int_equal(kterr_errno_of(e), EPROTO);
	kterr_free(e);
	e = gdb_parse_thread_list("m1,,2", 5, t, 2, &n, &last);
	assert_true(kterr_contains(e, "thread list"));
	kterr_free(e);
}

static void test_reply_ok_names_the_request(void **state)
{
	struct kterr *e;

	assert_null(gdb_reply_ok("Z2", "OK", 2));
	e = gdb_reply_ok("Z2,1000,3", "E22", 3);
	assert_int_equal(kterr_errno_of(e), EIO);
	assert_true(kterr_contains(e, "Z2,1000,3: gdbstub error E22"));
	kterr_free(e);
	e = gdb_reply_ok("QStartNoAckMode", "", 0);
	assert_int_equal(kterr_errno_of(e), ENOTSUP);
	kterr_free(e);
	e = gdb_reply_ok("Hg1", "T05", 3);
	assert_int_equal(kterr_errno_of(e), EPROTO);
	kterr_free(e);
}

/* ---- target description and registers ---- */

/* target.xml and i386-64bit.xml as QEMU served them in the transcript. */
static void build_tdesc(const struct packets *p, struct gdb_tdesc *td)
{
	char *xml[2] = { NULL, NULL };
	size_t len[2] = { 0, 0 }, i, which = 0;

	/* packets 1..5 are the qXfer replies: target.xml in one 'l', then
	 * the include in 'm', 'm', 'm', 'l' chunks */
	for (i = 1; i <= 5; i++) {
		assert_true(p->p[i][0] == 'm' || p->p[i][0] == 'l');
		xml[which] = realloc(xml[which], len[which] + p->len[i]);
		memcpy(xml[which] + len[which], p->p[i] + 1, p->len[i] - 1);
		len[which] += p->len[i] - 1;
		if (p->p[i][0] == 'l')
			which++;
	}
	assert_int_equal(which, 2);

	struct gdb_xml_item it;
	size_t pos = 0;

	gdb_tdesc_init(td);
	assert_null(gdb_xml_next(xml[0], len[0], &pos, &it));
	assert_int_equal(it.kind, GDB_XML_INCLUDE);
	assert_string_equal(it.name, "i386-64bit.xml");
	assert_null(gdb_xml_next(xml[0], len[0], &pos, &it));
	assert_int_equal(it.kind, GDB_XML_END);
	pos = 0;
	for (;;) {
		assert_null(gdb_xml_next(xml[1], len[1], &pos, &it));
		if (it.kind == GDB_XML_END)
			break;
		assert_int_equal(it.kind, GDB_XML_REG);
		assert_null(gdb_tdesc_add(td, it.name, it.bitsize, it.regnum));
	}
	gdb_tdesc_layout(td);
	free(xml[0]);
	free(xml[1]);
}

static void test_target_description_locates_control_registers(void **state)
{
	struct chunk c[128];
	struct packets p;
	struct gdb_tdesc td;
	size_t n = load("probe-kernel.txt", c, 128);
	const struct gdb_reg_desc *r;

	read_packets(c, n, SIZE_MAX, &p);
	build_tdesc(&p, &td);
	/* rax..r15, rip, eflags, 6 segments, 3 bases, 6 control, 8 st, 8 fpu
	 * control, 16 xmm, mxcsr; the commented-out cs_base.. are not regs */
	assert_int_equal(td.n, 66);
	assert_null(gdb_tdesc_find(&td, "cs_base"));
	r = gdb_tdesc_find(&td, "rip");
	assert_int_equal(r->regnum, 16);
	assert_int_equal(r->g_offset, 128);
	r = gdb_tdesc_find(&td, "cr3");
	assert_int_equal(r->regnum, 29);
	assert_int_equal(r->g_offset, 204);
	assert_int_equal(gdb_tdesc_find(&td, "cr4")->regnum, 30);
	assert_int_equal(gdb_tdesc_find(&td, "efer")->regnum, 32);
	assert_int_equal(gdb_tdesc_find(&td, "st0")->bitsize, 80);
	r = gdb_tdesc_find(&td, "mxcsr");
	assert_int_equal(r->regnum, 65);
	assert_int_equal(r->g_offset, 604);	/* the `g` reply is 608 bytes */
	gdb_tdesc_release(&td);
	free_packets(&p);
	unload(c, n);
}

static void test_g_reply_gives_cr3_and_cr4_of_each_vcpu(void **state)
{
	struct chunk c[128];
	struct packets p;
	struct gdb_tdesc td;
	struct gdb_x86_regs r;
	size_t n = load("probe-kernel.txt", c, 128), g1, g2;

	read_packets(c, n, SIZE_MAX, &p);
	build_tdesc(&p, &td);
	g1 = find_packet(&p, 0, "000000000000000000dc");
	g2 = find_packet(&p, g1 + 1, "0000000000000000000000000000000000000000000000000000000000000000c8");
	assert_null(gdb_x86_from_g(&td, p.p[g1], p.len[g1], &r));
	assert_true(r.have == (1ull << gdb_x86_reg_count()) - 1);
	assert_true(r.rip == 0xffffffff810af607ull);
	assert_true(r.cr0 == 0x80050033);
	assert_true(r.cr3 == 0x282b000);
	assert_true(r.cr4 == 0x6b0);
	assert_true(r.cs == 0x10);
	assert_true(r.efer == 0xd01);
	assert_true(gdb_x86_has(&r, "cr3"));
	assert_null(gdb_x86_from_g(&td, p.p[g2], p.len[g2], &r));
	assert_true(r.rip == 0xffffffff813ac9e3ull);
	assert_true(r.cr3 == 0x282b000);
	/* a short `g` leaves the rest for `p` */
	assert_null(gdb_x86_from_g(&td, p.p[g1], 2 * 136, &r));
	assert_true(gdb_x86_has(&r, "rip"));
	assert_false(gdb_x86_has(&r, "eflags"));
	assert_false(gdb_x86_has(&r, "cr3"));
	/* "xx" bytes are unavailable registers, other non-hex is corruption */
	char *g = strdup(p.p[g1]);

	memcpy(g + 2 * 204, "xxxxxxxxxxxxxxxx", 16);
	assert_null(gdb_x86_from_g(&td, g, p.len[g1], &r));
	assert_false(gdb_x86_has(&r, "cr3"));
	assert_true(gdb_x86_has(&r, "cr4"));
	g[2 * 204] = 'q';
	struct kterr *e = gdb_x86_from_g(&td, g, p.len[g1], &r);

	assert_true(kterr_contains(e, "register cr3: bad hex"));
	kterr_free(e);
	free(g);
	gdb_tdesc_release(&td);
	free_packets(&p);
	unload(c, n);
}

/* A second session read cr3, cr4 and rip both ways: `g` cut by the
 * description must agree with `p` of the register number. */
static void test_g_layout_agrees_with_p(void **state)
{
	struct chunk c[128], c2[128];
	struct packets p, p2;
	struct gdb_tdesc td;
	struct gdb_x86_regs r;
	size_t n = load("probe-kernel.txt", c, 128);
	size_t n2 = load("watch-mem-exit.txt", c2, 128), g, k;
	uint64_t cr3 = 0, cr4 = 0, rip = 0;
	bool corrupt_unused = false;

	read_packets(c, n, SIZE_MAX, &p);
	build_tdesc(&p, &td);
	read_packets(c2, n2, SIZE_MAX, &p2);
	g = find_packet(&p2, 0, "0a00000000000000");
	assert_int_equal(p2.len[g], 1216);
	/* the three `p` replies follow the `g` reply (p1d, p1e, p10) */
	for (k = 0; k < 8; k++) {
		cr3 |= (uint64_t)(unhex(p2.p[g + 1][2 * k]) << 4 | unhex(p2.p[g + 1][2 * k + 1])) << (8 * k);
		cr4 |= (uint64_t)(unhex(p2.p[g + 2][2 * k]) << 4 | unhex(p2.p[g + 2][2 * k + 1])) << (8 * k);
		rip |= (uint64_t)(unhex(p2.p[g + 3][2 * k]) << 4 | unhex(p2.p[g + 3][2 * k + 1])) << (8 * k);
	}
	(void)corrupt_unused;
	assert_true(cr3 == 0x223a000);
	assert_true(cr4 == 0x6b0);
	assert_null(gdb_x86_from_g(&td, p2.p[g], p2.len[g], &r));
	assert_true(r.cr3 == cr3);
	assert_true(r.cr4 == cr4);
	assert_true(r.rip == rip);
	/* that session also shows the stub's errors and its exit */
	assert_string_equal(p2.p[find_packet(&p2, 0, "E")], "E14");
	assert_string_equal(p2.p[p2.n - 1], "W00");
	gdb_tdesc_release(&td);
	free_packets(&p);
	free_packets(&p2);
	unload(c, n);
	unload(c2, n2);
}

static void test_xml_scanner_rejects_broken_markup(void **state)
{
	static const struct {
		const char *xml, *why;
	} bad[] = {
		{ "<reg name=\"a\"/>", "no valid bitsize" },
		{ "<reg bitsize=\"8\"/>", "without a usable name" },
		{ "<reg name=\"a\" bitsize=\"0\"/>", "no valid bitsize" },
		{ "<reg name=\"a\" bitsize=\"99999\"/>", "no valid bitsize" },
		{ "<reg name=\"a\" bitsize=\"8\" regnum=\"x\"/>", "bad regnum" },
		{ "<!-- open", "unterminated comment" },
		{ "<reg name=\"a\"", "unterminated tag" },
		{ "<xi:include nohref=\"a\"/>", "without href" },
		{ "<reg name=\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" bitsize=\"8\"/>",
		  "without a usable name" },
	};
	struct gdb_xml_item it;
	size_t i, pos;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct kterr *e;

		pos = 0;
		e = gdb_xml_next(bad[i].xml, strlen(bad[i].xml), &pos, &it);
		if (!kterr_contains(e, bad[i].why))
			fail_msg("%s: wanted \"%s\"", bad[i].xml, bad[i].why);
		kterr_free(e);
	}
	/* explicit numbers restart the implicit count */
	struct gdb_tdesc td;

	gdb_tdesc_init(&td);
	assert_null(gdb_tdesc_add(&td, "a", 32, 5));
	assert_null(gdb_tdesc_add(&td, "b", 32, -1));
	assert_int_equal(gdb_tdesc_find(&td, "b")->regnum, 6);
	gdb_tdesc_layout(&td);
	/* no register 0: nothing is in `g` */
	assert_int_equal(gdb_tdesc_find(&td, "a")->g_offset, -1);
	gdb_tdesc_release(&td);
}

/* ---- the client against a replayed stub ---- */

struct fake {
	char dir[64];
	char path[128];
	pid_t pid;
};

static void replay(int lfd, struct chunk *c, size_t n)
{
	int fd = accept(lfd, NULL, NULL);
	size_t i;
	char b;

	if (fd < 0)
		_exit(3);
	for (i = 0; i < n; i++) {
		if (c[i].dir == '<') {
			if (write(fd, c[i].data, c[i].len) != (ssize_t)c[i].len)
				_exit(4);
			continue;
		}
		char *got = malloc(c[i].len + 1);
		size_t off = 0;

		while (off < c[i].len) {
			ssize_t r = read(fd, got + off, c[i].len - off);

			if (r <= 0) {
				fprintf(stderr, "replay: chunk %zu: client closed after %zu of %zu bytes\n",
					i, off, c[i].len);
				_exit(1);
			}
			off += (size_t)r;
		}
		if (memcmp(got, c[i].data, c[i].len)) {
			fprintf(stderr, "replay: chunk %zu differs:\n  want %.*s\n  got  %.*s\n",
				i, (int)c[i].len, c[i].data, (int)c[i].len, got);
			_exit(1);
		}
		free(got);
	}
	shutdown(fd, SHUT_WR);
	while (read(fd, &b, 1) > 0)
		;
	_exit(0);
}

static void fake_start(struct fake *f, const char *transcript)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct chunk c[128];
	size_t n = load(transcript, c, 128);
	int lfd;

	strcpy(f->dir, "/tmp/ktcon-test-gdb.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/g.sock", f->dir);
	strcpy(sa.sun_path, f->path);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 1), 0);
	f->pid = fork();
	assert_true(f->pid >= 0);
	if (f->pid == 0)
		replay(lfd, c, n);
	close(lfd);
	unload(c, n);
}

static void fake_finish(struct fake *f)
{
	int st;

	assert_int_equal(waitpid(f->pid, &st, 0), f->pid);
	unlink(f->path);
	rmdir(f->dir);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

#define OK(expr)                                                        \
	do {                                                            \
		struct kterr *e_ = (expr);                              \
		char b_[512];                                           \
		if (e_)                                                 \
			fail_msg("%s: %s", #expr, kterr_str(e_, b_, sizeof(b_))); \
	} while (0)

static void test_client_replays_stop_regs_watch_continue(void **state)
{
	struct gdb_x86_regs r[2];
	struct gdb_tid tids[4];
	struct gdb_stop why;
	uint64_t paused;
	struct fake f;
	struct gdb *g;
	struct kterr *e;
	bool stopped;
	size_t n;

	fake_start(&f, "probe-kernel.txt");
	OK(gdb_connect(f.path, kt_now_ns() + 5000000000ull, NULL, &g));
	gdb_set_timeout(g, 5000);
	/* QEMU 7.2 does not offer QStartNoAckMode: acks stay on */
	assert_true(gdb_acks(g));
	assert_true(gdb_is_stopped(g));
	assert_int_equal(gdb_target(g)->n, 66);
	/* already stopped (by the connection): no bytes, the stop it had */
	OK(gdb_interrupt(g, &why));
	assert_int_equal(why.code, 5);

	OK(gdb_continue(g, &paused));
	assert_false(gdb_is_stopped(g));
	/* commands that need a stopped guest say so without sending */
	e = gdb_threads(g, tids, 4, &n);
	assert_int_equal(kterr_errno_of(e), EBUSY);
	kterr_free(e);
	e = gdb_continue(g, NULL);
	assert_int_equal(kterr_errno_of(e), EALREADY);
	kterr_free(e);

	OK(gdb_interrupt(g, &why));
	assert_int_equal(why.code, 2);
	assert_int_equal(why.thread.tid, 1);
	assert_true(gdb_is_stopped(g));
	OK(gdb_threads(g, tids, 4, &n));
	assert_int_equal(n, 2);
	OK(gdb_read_regs(g, tids[0], &r[0]));
	OK(gdb_read_regs(g, tids[1], &r[1]));
	assert_true(r[0].cr3 == 0x282b000 && r[1].cr3 == 0x282b000);
	assert_true(r[0].cr4 == 0x6b0 && r[1].cr4 == 0x6b0);
	assert_true(r[1].rip == 0xffffffff813ac9e3ull);

	OK(gdb_continue(g, &paused));
	OK(gdb_interrupt(g, &why));
	/* misaligned or odd-sized watches are refused before any I/O */
	e = gdb_watch_insert(g, JIFFIES_64 + 4, 8);
	assert_int_equal(kterr_errno_of(e), EINVAL);
	assert_non_null(kterr_hint_of(e));
	kterr_free(e);
	e = gdb_watch_insert(g, JIFFIES_64, 3);
	assert_int_equal(kterr_errno_of(e), EINVAL);
	kterr_free(e);
	OK(gdb_watch_insert(g, JIFFIES_64, 8));
	OK(gdb_continue(g, &paused));
	OK(gdb_wait_stop(g, 5000, &why, &stopped));
	assert_true(stopped);
	assert_int_equal(why.watch, GDB_WATCH_WRITE);
	assert_true(why.watch_addr == JIFFIES_64);
	assert_true(why.stopped_ns > 0);
	OK(gdb_watch_remove(g, JIFFIES_64, 8));
	OK(gdb_continue(g, &paused));
	assert_true(paused < 5000000000ull);
	gdb_close(g);
	fake_finish(&f);
}

/* Connecting to a running guest: QEMU stops it and says so (T02) before
 * it answers qSupported; that stop is not the reply. */
static void test_connect_to_a_running_guest_skips_the_announced_stop(void **state)
{
	struct gdb_x86_regs r;
	struct gdb_tid tids[4];
	struct gdb_stop why;
	struct fake f;
	struct gdb *g;
	size_t n;

	(void)state;
	fake_start(&f, "connect-running.txt");
	OK(gdb_connect(f.path, kt_now_ns() + 5000000000ull, NULL, &g));
	gdb_set_timeout(g, 5000);
	assert_true(gdb_is_stopped(g));
	assert_non_null(gdb_tdesc_find(gdb_target(g), "cr3"));
	OK(gdb_interrupt(g, &why));
	assert_int_equal(why.code, 5);	/* the "?" reply */
	OK(gdb_threads(g, tids, 4, &n));
	assert_int_equal(n, 2);
	OK(gdb_read_regs(g, tids[0], &r));
	OK(gdb_read_regs(g, tids[1], &r));
	assert_true(r.cr3 != 0);
	OK(gdb_continue(g, NULL));
	gdb_close(g);
	fake_finish(&f);
}

static void test_connect_gives_up_at_the_deadline_with_a_hint(void **state)
{
	struct gdb *g;
	struct kterr *e = gdb_connect("/nonexistent/ktcon/g.sock", kt_now_ns() + 50000000ull,
				      NULL, &g);

	assert_null(g);
	assert_int_equal(kterr_errno_of(e), ENOENT);
	assert_true(kterr_contains(e, "gdb /nonexistent/ktcon/g.sock: connect"));
	assert_non_null(strstr(kterr_hint_of(e), "-gdb chardev:g"));
	kterr_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reader_frames_a_recorded_session),
		cmocka_unit_test(test_reader_gives_the_same_packets_a_byte_at_a_time),
		cmocka_unit_test(test_reader_naks_bad_checksums_and_resyncs),
		cmocka_unit_test(test_frame_escapes_and_reader_unescapes),
		cmocka_unit_test(test_reader_expands_run_lengths_and_bounds_them),
		cmocka_unit_test(test_stop_replies),
		cmocka_unit_test(test_thread_ids_round_trip),
		cmocka_unit_test(test_thread_lists),
		cmocka_unit_test(test_reply_ok_names_the_request),
		cmocka_unit_test(test_target_description_locates_control_registers),
		cmocka_unit_test(test_g_reply_gives_cr3_and_cr4_of_each_vcpu),
		cmocka_unit_test(test_g_layout_agrees_with_p),
		cmocka_unit_test(test_xml_scanner_rejects_broken_markup),
		cmocka_unit_test(test_client_replays_stop_regs_watch_continue),
		cmocka_unit_test(test_connect_to_a_running_guest_skips_the_announced_stop),
		cmocka_unit_test(test_connect_gives_up_at_the_deadline_with_a_hint),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
