/* test_recipe.c - the lexer, the parser's structure rules and positions,
 * and printing back what was parsed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine/form.h"
#include "engine/recipe-lex.h"
#include "engine/recipe.h"

static struct kt_recipe *parse(const char *text)
{
	struct kt_recipe *r;

	assert_null(kt_recipe_parse("t.recipe", text, strlen(text), &r));
	return r;
}

static void test_lexer_splits_keys_quotes_escapes_and_comments(void **state)
{
	const char *line = "run-payload p args=\"a \\\"b\\\"\\t\\\\\" \"x=y\" \"\" k=\"\" # c \"";
	struct kt_arg *a;
	size_t n;
	int col, len;

	assert_null(kt_lex_line(line, strlen(line), &a, &n, &col, &len));
	assert_int_equal(n, 6);
	assert_string_equal(a[2].key, "args");
	assert_string_equal(a[2].val, "a \"b\"\t\\");
	assert_null(a[3].key);			/* a quoted word never splits */
	assert_string_equal(a[3].val, "x=y");
	assert_null(a[4].key);			/* "" is the empty argument */
	assert_string_equal(a[4].val, "");
	assert_string_equal(a[5].key, "k");
	assert_string_equal(a[5].val, "");
	assert_int_equal(a[1].col, 13);
	kt_args_free(a, n);
}

static void test_lexer_reports_unterminated_string_at_its_quote(void **state)
{
	const char *line = "  x args=\"open";
	struct kt_arg *a;
	size_t n;
	int col = 0, len = 0;
	struct kterr *e = kt_lex_line(line, strlen(line), &a, &n, &col, &len);

	assert_non_null(e);
	assert_true(kterr_contains(e, "unterminated string"));
	assert_int_equal(col, 10);
	assert_int_equal(len, 5);
	kterr_free(e);
}

static void test_misspelled_op_gets_line_column_and_rewrite(void **state)
{
	struct kt_recipe *r = parse("step\n\t  ad-cgroup x\n");

	assert_int_equal(r->ndiags, 1);
	assert_int_equal(r->diags[0].line, 2);
	assert_int_equal(r->diags[0].col, 4);
	assert_string_equal(r->diags[0].hint, "write: add-cgroup x");
	kt_recipe_free(r);
}

static void test_cgroup_line_after_op_points_to_add_cgroup_def(void **state)
{
	struct kt_recipe *r = parse("step\n  add-cgroup a\n  cgroup b workers=2\n");

	assert_int_equal(r->ndiags, 1);
	assert_int_equal(r->diags[0].line, 3);
	assert_int_equal(r->diags[0].col, 3);
	assert_non_null(strstr(r->diags[0].hint, "add-cgroup-def b workers=2"));
	kt_recipe_free(r);
}

static void test_bad_cpuset_spec_points_at_the_value(void **state)
{
	struct kt_recipe *r = parse("step\n  set-cpuset a numa:\n");

	assert_int_equal(r->ndiags, 1);
	assert_int_equal(r->diags[0].col, 16);
	assert_int_equal(r->diags[0].len, 5);
	assert_non_null(strstr(r->diags[0].msg, "bad cpuset spec 'numa:'"));
	kt_recipe_free(r);
}

static void test_every_error_of_a_file_is_reported(void **state)
{
	struct kt_recipe *r = parse("step\n  nope\n  add-cgroup\n  spawn a workers=x\n"
				    "  add-cgroup ok\n  x=\"unterminated\n");

	assert_int_equal(r->ndiags, 4);
	assert_int_equal(r->nstmts, 2);		/* step, add-cgroup ok */
	kt_recipe_free(r);
}

static void test_sections_and_statement_kinds(void **state)
{
	struct kt_recipe *r = parse("vm cpus=2\nbackdrop\n  add-cgroup bg\nstep hold=1s\n"
				    "  cgroup w\n  spawn w workers=1\n  expect workers w progress\n");

	assert_int_equal(r->ndiags, 0);
	assert_int_equal(r->nstmts, 7);
	assert_int_equal(r->stmts[0].section, -1);
	assert_int_equal(r->stmts[2].section, 0);
	assert_int_equal(r->stmts[4].kind, KT_STMT_CGROUP);
	assert_int_equal(r->stmts[5].section, 1);
	assert_int_equal(r->stmts[6].kind, KT_STMT_EXPECT);
	assert_string_equal(kt_stmt_get(&r->stmts[5], "workers"), "1");
	kt_recipe_free(r);
}

static void test_print_quotes_what_needs_it(void **state)
{
	struct kt_recipe *r = parse("stage-payload p /b args=\"x y\"\nstep\n"
				    "  capture-cgroup-procs \"\" \"a\"\n  expect error \"say \\\"hi\\\"\"\n");
	char *s;

	assert_int_equal(r->ndiags, 0);
	s = kt_stmt_print(&r->stmts[0]);
	assert_string_equal(s, "stage-payload p /b args=\"x y\"");
	free(s);
	s = kt_stmt_print(&r->stmts[2]);
	assert_string_equal(s, "capture-cgroup-procs \"\" a");
	free(s);
	s = kt_stmt_print(&r->stmts[3]);
	assert_string_equal(s, "expect error \"say \\\"hi\\\"\"");
	free(s);
	kt_recipe_free(r);
}

static void test_within_parses_and_prints_back(void **state)
{
	struct kt_recipe *r = parse("step\n  expect sched state=enabled ops=qmap within=60s\n"
				    "  expect workers @runner progress within=500ms\n");
	char *s;

	assert_int_equal(r->ndiags, 0);
	assert_string_equal(kt_stmt_get(&r->stmts[1], "within"), "60s");
	s = kt_stmt_print(&r->stmts[1]);
	assert_string_equal(s, "expect sched state=enabled ops=qmap within=60s");
	free(s);
	s = kt_stmt_print(&r->stmts[2]);
	assert_string_equal(s, "expect workers @runner progress within=500ms");
	free(s);
	kt_recipe_free(r);
}

static void test_console_line_parses_in_its_section(void **state)
{
	struct kt_stmt st;
	struct kterr *e;

	assert_null(kt_parse_statement("freeze-cgroup w", 1, &st));
	assert_string_equal(st.form->name, "freeze-cgroup");
	kt_stmt_clear(&st);
	e = kt_parse_statement("frezee-cgroup w", 1, &st);
	assert_non_null(e);
	assert_string_equal(kterr_hint_of(e), "write: freeze-cgroup w");
	kterr_free(e);
}

/* print(parse(x)) == x for console lines in both contexts, and a deep
 * copy equals its original field by field, sharing no memory. */
static void test_statement_round_trip_and_copy(void **state)
{
	static const char *lines[] = {
		"freeze-cgroup w", "step hold=1s", "cgroup x cpuset=0-1",
		"run-payload p args=\"a b\"", "capture-snapshot \"\"",
		"write-kernel-cold jiffies_64 u64=1 runqueues@0+8 u32=2",
		"expect procs t count=3", "spawn w workers=2 work=spin",
	};

	for (int sec = 0; sec <= 3; sec++)
		for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
			struct kt_stmt st, cp;
			char *p;

			assert_null(kt_parse_statement(lines[i], sec, &st));
			assert_int_equal(st.section, sec);
			assert_int_equal(st.line, 0);
			p = kt_stmt_print(&st);
			assert_string_equal(p, lines[i]);
			free(p);
			assert_null(kt_stmt_copy(&st, &cp));
			assert_true(kt_stmt_equal(&st, &cp));
			assert_int_equal(cp.kind, st.kind);
			assert_ptr_equal(cp.form, st.form);
			assert_int_equal(cp.line, st.line);
			assert_int_equal(cp.col, st.col);
			assert_int_equal(cp.section, st.section);
			assert_int_equal(cp.nargs, st.nargs);
			for (size_t k = 0; k < st.nargs; k++) {
				assert_int_equal(cp.args[k].col, st.args[k].col);
				assert_int_equal(cp.args[k].len, st.args[k].len);
				assert_string_equal(cp.args[k].val, st.args[k].val);
				assert_ptr_not_equal(cp.args[k].val, st.args[k].val);
				if (st.args[k].key) {
					assert_string_equal(cp.args[k].key, st.args[k].key);
					assert_ptr_not_equal(cp.args[k].key, st.args[k].key);
				} else {
					assert_null(cp.args[k].key);
				}
			}
			/* The copy outlives its original. */
			kt_stmt_clear(&st);
			p = kt_stmt_print(&cp);
			assert_string_equal(p, lines[i]);
			free(p);
			kt_stmt_clear(&cp);
		}
}

/* Bad console lines: the errors the two-line-recipe parse gave. */
static void test_bad_console_lines_keep_their_errors(void **state)
{
	static const struct {
		const char *line;
		int section;
		const char *err;
	} cases[] = {
		{ "", 1, "nothing to do (hint: type an op, or `help`)" },
		{ "# comment", 0, "nothing to do (hint: type an op, or `help`)" },
		{ "freeze-cgroup", 1, "column 14: freeze-cgroup needs NAME "
				      "(hint: write: freeze-cgroup NAME)" },
		{ "backdrop", 0, "column 1: second backdrop section (hint: put all backdrop ops "
				 "in one backdrop section, before the first step)" },
		{ "backdrop", 2, "column 1: backdrop after a step (hint: put all backdrop ops in "
				 "one backdrop section, before the first step)" },
		{ "vm cpus=2", 1, "column 1: 'vm' is a header line but comes after a section "
				  "(hint: move it above the first backdrop or step line)" },
		{ "expect error", 1, "column 1: 'expect error' does not follow an op (hint: put "
				     "`expect error` on the line right after the op that should "
				     "fail)" },
		{ "k=v", 0, "column 1: a statement cannot start with 'k=v' (hint: start the line "
			    "with an op, cgroup, expect, a section or a header word)" },
		{ "freeze-cgroup w\x01", 1, "column 16: control character 0x01 in a recipe line "
					    "(hint: remove it: words are separated by spaces and "
					    "tabs only)" },
		{ "set-cpuset a \"unterminated", 1, "column 14: unterminated string (hint: close "
						    "the string with \" (write \\\" for a quote "
						    "inside it))" },
		{ "freeze-cgroup a\nfreeze-cgroup b", 1,
		  "a console line holds one statement (hint: type one op a line, or `replay "
		  "FILE` for a recipe)" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kt_stmt st;
		struct kterr *e = kt_parse_statement(cases[i].line, cases[i].section, &st);
		char buf[512];

		assert_non_null(e);
		kterr_str(e, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].err);
		assert_null(st.args);
		kterr_free(e);
	}
}

static void test_completion_reads_the_tables(void **state)
{
	struct kt_completion c[32];
	size_t n = kt_complete("unf", c, 32);

	assert_int_equal(n, 1);
	assert_string_equal(c[0].word, "unfreeze-cgroup");
	n = kt_complete("expect w", c, 32);
	assert_int_equal(n, 1);
	assert_string_equal(c[0].word, "workers");
	n = kt_complete("spawn w work=sp", c, 32);
	assert_int_equal(n, 1);
	assert_string_equal(c[0].word, "spin");
	n = kt_complete("spawn w wor", c, 32);
	assert_int_equal(n, 3);			/* workers= workers-pct= work= */
	assert_true(c[0].is_key);
	n = kt_complete("set-affinity w ", c, 32);
	assert_int_equal(n, 6);
}

static void test_completion_says_which_live_value_is_wanted(void **state)
{
	assert_int_equal(kt_complete_argtype("freeze-cgroup "), KT_T_NAME);
	assert_int_equal(kt_complete_argtype("freeze-cgroup wo"), KT_T_NAME);
	assert_int_equal(kt_complete_argtype("move-all-tasks a "), KT_T_CGROUP_OR_RUNNER);
	assert_int_equal(kt_complete_argtype("expect cgroup "), KT_T_NAME);
	assert_int_equal(kt_complete_argtype("spawn w work=sp"), KT_T_WORK);
	assert_int_equal(kt_complete_argtype("freez"), KT_T_NONE);
	assert_int_equal(kt_complete_argtype("freeze-cgroup w "), KT_T_NONE);
	assert_int_equal(kt_complete_argtype("nonsense "), KT_T_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lexer_splits_keys_quotes_escapes_and_comments),
		cmocka_unit_test(test_lexer_reports_unterminated_string_at_its_quote),
		cmocka_unit_test(test_misspelled_op_gets_line_column_and_rewrite),
		cmocka_unit_test(test_cgroup_line_after_op_points_to_add_cgroup_def),
		cmocka_unit_test(test_bad_cpuset_spec_points_at_the_value),
		cmocka_unit_test(test_every_error_of_a_file_is_reported),
		cmocka_unit_test(test_sections_and_statement_kinds),
		cmocka_unit_test(test_print_quotes_what_needs_it),
		cmocka_unit_test(test_within_parses_and_prints_back),
		cmocka_unit_test(test_console_line_parses_in_its_section),
		cmocka_unit_test(test_statement_round_trip_and_copy),
		cmocka_unit_test(test_bad_console_lines_keep_their_errors),
		cmocka_unit_test(test_completion_reads_the_tables),
		cmocka_unit_test(test_completion_says_which_live_value_is_wanted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
