/* test_junit.c - JUnit XML: escaping of hostile guest bytes, the failure's
 * content from a real run on fakes, the counts of a document. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine/results.h"
#include "exec_harness.h"

static char *xml(const char *s, bool attr)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	kt_xml_text(f, s, attr);
	fclose(f);
	return buf;
}

/* Every character XML 1.0 allows (Char production): the output must hold
 * nothing else, and no raw markup character. */
static void assert_xml_safe(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++) {
		assert_false(*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r');
		assert_false(*p == '<' || *p == '>' || *p == '"' || *p == '\'');
		if (*p == '&')
			assert_true(!strncmp((const char *)p, "&amp;", 5) ||
				    !strncmp((const char *)p, "&lt;", 4) ||
				    !strncmp((const char *)p, "&gt;", 4) ||
				    !strncmp((const char *)p, "&quot;", 6) ||
				    !strncmp((const char *)p, "&apos;", 6) ||
				    !strncmp((const char *)p, "&#", 2));
		/* U+FFFE and U+FFFF are not characters */
		assert_false(p[0] == 0xef && p[1] == 0xbf && (p[2] == 0xbe || p[2] == 0xbf));
	}
}

static void test_markup_is_escaped(void **state)
{
	char *t = xml("<a href=\"x\">&'</a> ]]>", false);

	assert_string_equal(t, "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt; ]]&gt;");
	free(t);
}

static void test_controls_are_replaced_and_whitespace_kept(void **state)
{
	/* ESC colour codes, BEL, a backspace, DEL (allowed), tab, LF, CR. */
	char *t = xml("\x1b[31mred\x07\x08\x7f\tx\ny\rz", false);

	assert_string_equal(t, "\xef\xbf\xbd[31mred\xef\xbf\xbd\xef\xbf\xbd\x7f\tx\ny\rz");
	assert_xml_safe(t);
	free(t);
}

static void test_attributes_keep_whitespace_as_references(void **state)
{
	char *t = xml("a\tb\nc\rd\x01", true);

	assert_string_equal(t, "a&#9;b&#10;c&#13;d\xef\xbf\xbd");
	free(t);
}

static void test_invalid_utf8_and_noncharacters_become_replacement(void **state)
{
	/* a lone continuation byte, an overlong '/', a truncated sequence, a
	 * surrogate, U+FFFE and U+FFFF, then a valid 'é' and a valid emoji. */
	char *t = xml("\x80|\xc0\xaf|\xe2\x82|\xed\xa0\x80|\xef\xbf\xbe|\xef\xbf\xbf|\xc3\xa9|"
		      "\xf0\x9f\x98\x80", false);

	assert_xml_safe(t);
	assert_non_null(strstr(t, "|\xc3\xa9|\xf0\x9f\x98\x80"));
	assert_null(strstr(t, "\xc0\xaf"));
	assert_null(strstr(t, "\xed\xa0\x80"));
	assert_int_equal(t[0], '\xef');	/* U+FFFD first */
	free(t);
}

static void test_every_byte_yields_safe_xml(void **state)
{
	char s[256];
	char *t;

	for (int i = 1; i < 256; i++)
		s[i - 1] = (char)i;
	s[255] = '\0';
	t = xml(s, false);
	assert_xml_safe(t);
	free(t);
	t = xml(s, true);
	assert_xml_safe(t);
	assert_null(strchr(t, '\n'));
	free(t);
}

static char *document(const struct kt_junit_case *c, size_t n)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	kt_results_junit(f, "ktcon run shard 1/2", c, n);
	fclose(f);
	return buf;
}

static const char recipe[] =
	"step\n"
	"  add-cgroup a\n"
	"  freeze-cgroup x\n"
	"  add-cgroup skipped\n";

static void test_failure_names_file_line_and_chain(void **state)
{
	char *detail, *doc;
	int line;

	struct harness h;

	harness_init(&h);
	h.link.fail_prefix = "freeze-cgroup";
	harness_run(&h, recipe);
	detail = kt_junit_detail(kt_exec_results(h.x), &line);
	assert_int_equal(line, 3);
	assert_contains(detail, "t.recipe:3: freeze-cgroup x: ");
	/* the executor's chain already says where: not twice */
	assert_null(strstr(detail, "freeze-cgroup x: t.recipe:3:"));
	struct kt_junit_case c[] = {
		{ .name = "t.recipe", .verdict = KT_JUNIT_FAILURE, .type = "FAIL",
		  .detail = detail, .line = line, .ns = 1500000000 },
	};
	doc = document(c, 1);
	assert_contains(doc, "<testcase classname=\"ktcon\" name=\"t.recipe\" file=\"t.recipe\" "
			     "line=\"3\" time=\"1.500\">");
	assert_contains(doc, "<failure message=\"t.recipe:3: freeze-cgroup x: ");
	assert_contains(doc, "type=\"FAIL\">t.recipe:3: freeze-cgroup x: ");
	free(doc);
	free(detail);
	harness_free(&h);
}

static void test_passing_run_has_no_detail(void **state)
{
	int line = -1;

	RUN(h, "step\n  add-cgroup a\n");
	assert_null(kt_junit_detail(kt_exec_results(h.x), &line));
	assert_int_equal(line, 0);
	assert_null(kt_junit_out(kt_exec_results(h.x)));
	harness_free(&h);
}

static void test_document_counts_and_console_tail(void **state)
{
	const char *dead = "step 1: the guest died during the hold: guest kernel panic\n"
			   "guest console, last lines:\n[ 2.8] Kernel panic \x1b[0m<oops>";
	struct kt_junit_case c[] = {
		{ .name = "a.recipe", .verdict = KT_JUNIT_PASS, .type = "PASS", .ns = 1000000 },
		{ .name = "b.recipe", .verdict = KT_JUNIT_FAILURE, .type = "FAIL", .why = dead },
		{ .name = "c.recipe", .verdict = KT_JUNIT_SKIPPED, .type = "PENDING",
		  .why = "line 4 needs write-kernel" },
		{ .name = "d.recipe", .verdict = KT_JUNIT_ERROR, .type = "INTERRUPTED",
		  .why = "interrupted by SIGTERM before it started" },
	};
	char *doc = document(c, 4);

	assert_contains(doc, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"ktcon "
			     "run shard 1/2\" tests=\"4\" failures=\"1\" errors=\"1\" skipped=\"1\"");
	assert_contains(doc, "<testcase classname=\"ktcon\" name=\"a.recipe\" file=\"a.recipe\" "
			     "time=\"0.001\"/>");
	/* No statement failed: the message still starts with the file. */
	assert_contains(doc, "<failure message=\"b.recipe: step 1: the guest died during the hold: "
			     "guest kernel panic\" type=\"FAIL\">");
	assert_contains(doc, "<system-out>guest console, last lines:\n[ 2.8] Kernel panic "
			     "\xef\xbf\xbd[0m&lt;oops&gt;</system-out>");
	assert_contains(doc, "<skipped message=\"c.recipe: line 4 needs write-kernel\">");
	assert_contains(doc, "<error message=\"d.recipe: interrupted by SIGTERM before it started\" "
			     "type=\"INTERRUPTED\">");
	free(doc);
}

static void test_empty_shard_is_a_valid_document(void **state)
{
	char *doc = document(NULL, 0);

	assert_contains(doc, "tests=\"0\" failures=\"0\" errors=\"0\" skipped=\"0\" time=\"0.000\"");
	assert_contains(doc, "</testsuite>\n</testsuites>\n");
	free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_markup_is_escaped),
		cmocka_unit_test(test_controls_are_replaced_and_whitespace_kept),
		cmocka_unit_test(test_attributes_keep_whitespace_as_references),
		cmocka_unit_test(test_invalid_utf8_and_noncharacters_become_replacement),
		cmocka_unit_test(test_every_byte_yields_safe_xml),
		cmocka_unit_test(test_failure_names_file_line_and_chain),
		cmocka_unit_test(test_passing_run_has_no_detail),
		cmocka_unit_test(test_document_counts_and_console_tail),
		cmocka_unit_test(test_empty_shard_is_a_valid_document),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
