/* test_con_record.c - a console session recorded as a recipe, and that
 * recipe loaded for replay: what is written parses back to what was
 * applied, with the expectations a headless replay checks. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "engine/form.h"
#include "lib/util.h"
#include "tui/con-record.h"
#include "tui/con-replay.h"

#define MS 1000000ULL

static const char header[] = "vm cpus=2 memory=512\nkernel default\n";

static struct kt_stmt line(const char *text, int section)
{
	struct kt_stmt st;

	assert_null(kt_parse_statement(text, section, &st));
	return st;
}

static void applied(struct con_rec *r, const char *text, int section, struct kterr *failure,
		    uint64_t now)
{
	struct kt_stmt st = line(text, section);

	assert_null(con_rec_applied(r, &st, failure, now));
	kt_stmt_clear(&st);
	kterr_free(failure);
}

static void stepped(struct con_rec *r, const char *text, uint64_t now)
{
	struct kt_stmt st = line(text, 1);

	assert_null(con_rec_step(r, &st, now));
	kt_stmt_clear(&st);
}

/* The session the tests record: backdrop ops, a failed op, a bare step
 * held 1.5s after its last op, a cgroup line after an op, an expectation
 * that did not hold, then an explicit step hold. */
static struct con_rec *session(void)
{
	struct con_rec *r = con_rec_new(header, 0);

	assert_non_null(r);
	applied(r, "cgroup w workers=2", 0, NULL, 10 * MS);
	applied(r, "freeze-cgroup w", 0, NULL, 20 * MS);
	applied(r, "freeze-cgroup ghost", 0,
		kterr_wrap(kterr_hint(kterr_new(2, "cgroup ghost: /sys/fs/cgroup/ktcon/ghost does "
						"not exist"), "create it first"),
			   "freeze-cgroup ghost"), 30 * MS);
	stepped(r, "step", 40 * MS);
	applied(r, "add-cgroup a", 1, NULL, 50 * MS);
	applied(r, "cgroup b cpuset=0", 1, NULL, 60 * MS);
	applied(r, "expect cgroup a frozen=1", 1, kterr_new(0, "frozen is 0"), 70 * MS);
	stepped(r, "step hold=2s", 1560 * MS);
	applied(r, "add-cgroup c", 1, NULL, 1600 * MS);
	assert_null(con_rec_end(r, 1700 * MS));
	return r;
}

static const char expected[] =
	"vm cpus=2 memory=512\n"
	"kernel default\n"
	"\n"
	"backdrop\n"
	"  cgroup w workers=2\n"
	"  freeze-cgroup w\n"
	"  freeze-cgroup ghost\n"
	"  expect error \"cgroup ghost: /sys/fs/cgroup/ktcon/ghost does not exist: No such file or directory\"\n"
	"\n"
	"step hold=1500ms        \n"
	"  add-cgroup a\n"
	"  add-cgroup-def b cpuset=0\n"
	"  # expect cgroup a frozen=1  (did not hold here: frozen is 0)\n"
	"\n"
	"step hold=2s\n"
	"  add-cgroup c\n";

static void test_session_becomes_a_recipe_that_checks_its_failures(void **state)
{
	struct con_rec *r = session();
	struct kt_recipe *rec;

	assert_string_equal(con_rec_text(r), expected);
	assert_null(kt_recipe_parse("rec", con_rec_text(r), strlen(con_rec_text(r)), &rec));
	assert_int_equal(rec->ndiags, 0);
	/* header 2, backdrop + 4, step + 2 (the comment is not a statement), step + 1 */
	assert_int_equal(rec->nstmts, 2 + 5 + 3 + 2);
	kt_recipe_free(rec);
	con_rec_free(r);
}

static void test_error_text_drops_the_statement_hint_and_notes(void **state)
{
	struct kt_stmt st = line("freeze-cgroup ghost", 0);
	struct kterr *e = kterr_note(kterr_wrap(kterr_new(0, "no such cgroup (hint: add it)"),
						"freeze-cgroup ghost"), "tail");
	char *t = con_rec_error_text(&st, e);

	assert_string_equal(t, "no such cgroup");
	free(t);
	kterr_free(e);
	kt_stmt_clear(&st);
}

static void test_cancelled_op_is_kept_as_a_comment(void **state)
{
	struct con_rec *r = con_rec_new("", 0);

	applied(r, "wait-payload sl", 0,
		kterr_wrap(kterr_new(ECANCELED, "wait-payload: cancelled"), "wait-payload sl"), 1);
	assert_string_equal(con_rec_text(r), "backdrop\n"
			    "  # wait-payload sl  (cancelled at the console)\n");
	con_rec_free(r);
}

/* sh is not a statement: the recording says it ran, and that a replay
 * will not run it, without breaking the recipe. */
static void test_sh_is_kept_as_a_comment(void **state)
{
	struct con_rec *r = con_rec_new("", 0);
	struct kterr *cancelled = kterr_new(ECANCELED, "sh: cancelled");
	struct kt_recipe *rec;

	assert_null(con_rec_sh(r, "echo 1 > /proc/sys/kernel/kptr_restrict", NULL));
	assert_null(con_rec_sh(r, "sleep 999", cancelled));
	assert_null(con_rec_console(r, "unwatch", "jiffies_64", NULL));
	assert_string_equal(con_rec_text(r), "backdrop\n"
			    "  # sh echo 1 > /proc/sys/kernel/kptr_restrict  (console only: a "
			    "replay does not run it)\n"
			    "  # sh sleep 999  (console only: a replay does not run it; cancelled)\n"
			    "  # unwatch jiffies_64  (console only: a replay does not run it)\n");
	assert_null(kt_recipe_parse("rec", con_rec_text(r), strlen(con_rec_text(r)), &rec));
	assert_int_equal(rec->ndiags, 0);
	kt_recipe_free(rec);
	kterr_free(cancelled);
	con_rec_free(r);
}

static void test_record_writes_the_session_so_far_then_appends_and_patches(void **state)
{
	char path[] = "/tmp/ktcon-rec-XXXXXX";
	int fd = mkstemp(path);
	struct con_rec *r = con_rec_new(header, 0);
	char *text;
	size_t len;

	assert_true(fd >= 0);
	close(fd);
	applied(r, "cgroup w workers=2", 0, NULL, 10 * MS);
	assert_null(con_rec_start(r, path));
	assert_string_equal(con_rec_file(r), path);
	stepped(r, "step", 20 * MS);
	applied(r, "add-cgroup a", 1, NULL, 30 * MS);
	/* Killed here: the file is a recipe already (hold 0 so far). */
	assert_null(kt_read_file(path, 1 << 20, &text, &len));
	assert_non_null(strstr(text, "step hold=0ms"));
	assert_non_null(strstr(text, "  add-cgroup a\n"));
	free(text);
	assert_null(con_rec_end(r, 530 * MS));
	assert_null(con_rec_stop(r));
	assert_null(con_rec_file(r));
	assert_null(kt_read_file(path, 1 << 20, &text, &len));
	assert_string_equal(text, con_rec_text(r));
	assert_non_null(strstr(text, "step hold=500ms "));
	free(text);
	/* Stopping twice says so. */
	struct kterr *e = con_rec_stop(r);
	assert_true(kterr_contains(e, "not recording"));
	kterr_free(e);
	con_rec_free(r);
	unlink(path);
}

/* The header says when the recording began, not when the session did. */
static void test_record_header_has_the_recordings_date(void **state)
{
	char path[] = "/tmp/ktcon-rec-XXXXXX";
	int fd = mkstemp(path);
	struct con_rec *r = con_rec_new(CON_REC_STAMP "2000-01-01 00:00\n" "vm cpus=2\n", 0);
	char *text;
	size_t len;

	assert_true(fd >= 0);
	close(fd);
	assert_null(con_rec_start(r, path));
	assert_null(kt_read_file(path, 1 << 20, &text, &len));
	assert_null(strstr(text, "2000-01-01 00:00"));
	assert_int_equal(strncmp(text, CON_REC_STAMP "20", strlen(CON_REC_STAMP) + 2), 0);
	assert_int_equal(text[strlen(CON_REC_STAMP) + CON_REC_DATE_W], '\n');
	assert_string_equal(text, con_rec_text(r));
	free(text);
	assert_null(con_rec_stop(r));
	con_rec_free(r);
	unlink(path);
}

static void test_replay_walks_ops_with_their_expect_error(void **state)
{
	char path[] = "/tmp/ktcon-replay-XXXXXX";
	int fd = mkstemp(path);
	struct con_replay p = { 0 };
	const struct kt_stmt *st, *xerr;
	struct kt_recipe *hdr;
	char *diff;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, expected, strlen(expected)), (ssize_t)strlen(expected));
	close(fd);
	assert_null(con_replay_load(&p, path));
	assert_int_equal(p.total, 1 + 3 + 3 + 2);
	st = con_replay_peek(&p, &xerr);
	assert_string_equal(st->form->name, "backdrop");
	con_replay_advance(&p);
	con_replay_advance(&p);
	con_replay_advance(&p);
	st = con_replay_peek(&p, &xerr);
	assert_string_equal(kt_stmt_posval(st, 0), "ghost");
	assert_non_null(xerr);
	con_replay_advance(&p);
	st = con_replay_peek(&p, &xerr);
	assert_string_equal(st->form->name, "step");
	assert_null(xerr);
	while (!con_replay_done(&p))
		con_replay_advance(&p);
	assert_int_equal(p.napplied, p.total);
	assert_null(kt_recipe_parse("h", "vm cpus=4\n", 10, &hdr));
	diff = con_replay_header_diff(&p, hdr);
	assert_non_null(strstr(diff, "wants 2 CPUs"));
	free(diff);
	kt_recipe_free(hdr);
	con_replay_clear(&p);
	unlink(path);
}

/* The count a replay shows is `ktcon check`'s without the header (an op
 * and its expect error as one), and the recording's console-only lines
 * (a comment to the parser) are given once each, before the statement
 * after them, the last ones at the end. */
static void test_replay_counts_and_tells_console_only_lines(void **state)
{
	static const char text[] =
		"vm cpus=2 memory=512\n"			/* 1 */
		"kernel default\n"
		"backdrop\n"
		"  add-cgroup a\n"
		"  # sh echo hi  " CON_REC_CONSOLE_ONLY ")\n"	/* 5 */
		"  # just a comment\n"
		"step hold=1s\n"
		"  freeze-cgroup ghost\n"
		"  expect error \"ghost\"\n"
		"  # unwatch jiffies_64  " CON_REC_CONSOLE_ONLY "; it failed)\n" /* 10 */
		"  # sh sleep 9  " CON_REC_CONSOLE_ONLY "; cancelled)\n";
	char path[] = "/tmp/ktcon-replay-XXXXXX";
	int fd = mkstemp(path), line = 0;
	struct con_replay p = { 0 };
	const struct kt_stmt *st, *xerr;
	size_t nheader;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_null(con_replay_load(&p, path));
	assert_int_equal(p.r->nstmts, 7);			/* what check counts */
	assert_int_equal(con_replay_count(p.r, &nheader), 4);
	assert_int_equal(nheader, 2);
	assert_int_equal(p.total, 4);
	st = con_replay_peek(&p, &xerr);			/* backdrop, line 3 */
	assert_null(con_replay_skipped(&p, st->line, &line));
	con_replay_advance(&p);
	con_replay_advance(&p);
	st = con_replay_peek(&p, &xerr);			/* step, line 7 */
	assert_string_equal(con_replay_skipped(&p, st->line, &line),
			    "# sh echo hi  " CON_REC_CONSOLE_ONLY ")");
	assert_int_equal(line, 5);
	assert_null(con_replay_skipped(&p, st->line, &line));	/* once; not the plain comment */
	con_replay_advance(&p);
	st = con_replay_peek(&p, &xerr);
	assert_non_null(xerr);
	assert_null(con_replay_skipped(&p, st->line, &line));
	con_replay_advance(&p);
	assert_true(con_replay_done(&p));
	assert_int_equal(p.napplied, p.total);
	assert_non_null(con_replay_skipped(&p, INT_MAX, &line));
	assert_int_equal(line, 10);
	assert_non_null(strstr(con_replay_skipped(&p, INT_MAX, &line), "sleep 9"));
	assert_int_equal(line, 11);
	assert_null(con_replay_skipped(&p, INT_MAX, &line));
	con_replay_clear(&p);
	unlink(path);
}

static void test_replay_refuses_a_recipe_with_errors(void **state)
{
	char path[] = "/tmp/ktcon-replay-XXXXXX";
	int fd = mkstemp(path);
	struct con_replay p = { 0 };
	struct kterr *e;
	static const char bad[] = "step\n  frezee-cgroup w\n";

	assert_int_equal(write(fd, bad, strlen(bad)), (ssize_t)strlen(bad));
	close(fd);
	e = con_replay_load(&p, path);
	assert_true(kterr_contains(e, ":2:3: unknown op 'frezee-cgroup'"));
	assert_string_equal(kterr_hint_of(e), "write: freeze-cgroup w");
	assert_null(p.r);
	kterr_free(e);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_session_becomes_a_recipe_that_checks_its_failures),
		cmocka_unit_test(test_error_text_drops_the_statement_hint_and_notes),
		cmocka_unit_test(test_cancelled_op_is_kept_as_a_comment),
		cmocka_unit_test(test_sh_is_kept_as_a_comment),
		cmocka_unit_test(test_record_writes_the_session_so_far_then_appends_and_patches),
		cmocka_unit_test(test_record_header_has_the_recordings_date),
		cmocka_unit_test(test_replay_walks_ops_with_their_expect_error),
		cmocka_unit_test(test_replay_refuses_a_recipe_with_errors),
		cmocka_unit_test(test_replay_counts_and_tells_console_only_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
