/* results-junit.c - results as JUnit XML for CI test reporters; see
 * results.h. */
#include "engine/results.h"

#include <stdlib.h>
#include <string.h>

#include "lib/kjson.h"
#include "lib/util.h"

#define REPLACEMENT "\xef\xbf\xbd"	/* U+FFFD */

/* The escape for one ASCII byte, NULL when it is written as it is. */
static const char *xml_escape(unsigned char c, bool attr)
{
	static const char *const always[128] = {
		['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;",
		['"'] = "&quot;", ['\''] = "&apos;",
	};
	static const char *const in_attr[128] = {
		['\t'] = "&#9;", ['\n'] = "&#10;", ['\r'] = "&#13;",
	};

	if (c >= 128)
		return NULL;
	if (attr && in_attr[c])
		return in_attr[c];
	if (always[c])
		return always[c];
	/* XML 1.0 has no way to write the other C0 controls, not even as
	 * character references. */
	if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
		return REPLACEMENT;
	return NULL;
}

void kt_xml_text(FILE *f, const char *s, bool attr)
{
	size_t len;
	char *u = kjson_utf8(s ? s : "", s ? strlen(s) : 0, &len);

	if (!u)
		return;
	for (size_t i = 0; i < len; i++) {
		const unsigned char *p = (const unsigned char *)u + i;
		const char *esc = xml_escape(*p, attr);

		if (esc) {
			fputs(esc, f);
		} else if (p[0] == 0xef && i + 2 < len && p[1] == 0xbf && (p[2] == 0xbe || p[2] == 0xbf)) {
			fputs(REPLACEMENT, f);	/* U+FFFE, U+FFFF: not characters */
			i += 2;
		} else {
			fputc(*p, f);
		}
	}
	free(u);
}

/* ---- from results ---- */

static bool failed(const struct kt_stmt_result *s)
{
	return s->status == KT_RES_FAIL;
}

char *kt_junit_detail(const struct kt_results *r, int *line)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	*line = 0;
	if (!f)
		return NULL;
	for (size_t i = 0; i < r->n; i++) {
		const struct kt_stmt_result *s = &r->v[i];
		char *text, *where;

		if (!failed(s))
			continue;
		if (!*line)
			*line = s->stmt->line;
		/* A failed op's error is already the executor's chain that
		 * starts "FILE:LINE: STATEMENT: "; an expectation's is not. */
		where = kt_strfmt("%s:%d: ", r->file ? r->file : "", s->stmt->line);
		if (s->error && where && !strncmp(s->error, where, strlen(where))) {
			fprintf(f, "%s\n", s->error);
		} else {
			text = kt_stmt_print(s->stmt);
			fprintf(f, "%s%s%s%s\n", where ? where : "", text ? text : "",
				s->error ? ": " : "", s->error ? s->error : "");
			free(text);
		}
		free(where);
	}
	for (size_t i = 0; i < r->nteardown; i++)
		fprintf(f, "teardown: %s\n", r->teardown_errors[i]);
	for (size_t i = 0; i < r->nguest_failures; i++)
		fprintf(f, "guest: %s\n", r->guest_failures[i]);
	fclose(f);
	if (buf && !len) {
		free(buf);
		return NULL;
	}
	return buf;
}

char *kt_junit_out(const struct kt_results *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (!r->nguest_failures && !r->nfailure_dumps)
		return NULL;
	if (!(f = open_memstream(&buf, &len)))
		return NULL;
	for (size_t i = 0; i < r->nguest_failures; i++)
		fprintf(f, "guest: %s\n", r->guest_failures[i]);
	if (r->nfailure_dumps)
		fprintf(f, "%zu failure dump%s (snapshots taken as the scheduler died) in the --json "
			"results: failure_dumps\n", r->nfailure_dumps, r->nfailure_dumps > 1 ? "s" : "");
	fclose(f);
	return buf;
}

/* ---- the document ---- */

/* Where a dead guest's evidence starts in an error chain (vmm/machine.c's
 * notes: QEMU's stderr, then the console's last lines). */
static const char *evidence(const char *s)
{
	static const char *const marks[] = { "qemu stderr:\n", "guest console, last lines:\n" };
	const char *best = NULL;

	for (size_t i = 0; s && i < ARRAY_SIZE(marks); i++) {
		const char *p = strstr(s, marks[i]);

		if (p && (!best || p < best))
			best = p;
	}
	return best;
}

/* The first line of s, malloc'd. */
static char *first_line(const char *s)
{
	return s ? strndup(s, strcspn(s, "\n")) : NULL;
}

/* Whether the body already holds why: the executor's error is the failed
 * statement's, which the detail lists. */
static bool repeats(const char *detail, const char *why)
{
	char *line = first_line(why);
	bool r = detail && line && strstr(detail, line);

	free(line);
	return r;
}

static void attr(FILE *f, const char *name, const char *value)
{
	fprintf(f, " %s=\"", name);
	kt_xml_text(f, value, true);
	fputc('"', f);
}

static void seconds(FILE *f, uint64_t ns)
{
	fprintf(f, " time=\"%llu.%03llu\"", (unsigned long long)(ns / 1000000000ULL),
		(unsigned long long)(ns % 1000000000ULL / 1000000ULL));
}

static void write_case(FILE *f, const struct kt_junit_case *c)
{
	static const char *const elem[] = {
		[KT_JUNIT_FAILURE] = "failure", [KT_JUNIT_ERROR] = "error",
		[KT_JUNIT_SKIPPED] = "skipped",
	};
	const char *ev = evidence(c->why) ? evidence(c->why) : evidence(c->detail);
	char *msg = first_line(c->detail ? c->detail : c->why);

	/* A failure no statement owns (the guest died in a hold, the boot
	 * failed) still names its file, as every other message does. */
	if (msg && !c->detail && strncmp(msg, c->name, strlen(c->name))) {
		char *m = kt_strfmt("%s: %s", c->name, msg);

		if (m) {
			free(msg);
			msg = m;
		}
	}

	fputs("    <testcase", f);
	attr(f, "classname", "ktcon");
	attr(f, "name", c->name);
	attr(f, "file", c->name);
	if (c->line > 0)
		fprintf(f, " line=\"%d\"", c->line);
	seconds(f, c->ns);
	if (c->verdict == KT_JUNIT_PASS && !c->out && !ev) {
		fputs("/>\n", f);
		free(msg);
		return;
	}
	fputs(">\n", f);
	if (c->verdict != KT_JUNIT_PASS) {
		fprintf(f, "      <%s", elem[c->verdict]);
		attr(f, "message", msg ? msg : c->type);
		if (c->verdict != KT_JUNIT_SKIPPED)
			attr(f, "type", c->type);
		fputs(">", f);
		if (c->detail)
			kt_xml_text(f, c->detail, false);
		if (c->why && !repeats(c->detail, c->why))
			kt_xml_text(f, c->why, false);
		fprintf(f, "</%s>\n", elem[c->verdict]);
	}
	if (c->out || ev) {
		fputs("      <system-out>", f);
		if (c->out)
			kt_xml_text(f, c->out, false);
		if (ev)
			kt_xml_text(f, ev, false);
		fputs("</system-out>\n", f);
	}
	fputs("    </testcase>\n", f);
	free(msg);
}

void kt_results_junit(FILE *f, const char *suite, const struct kt_junit_case *c, size_t n)
{
	size_t count[KT_JUNIT_SKIPPED + 1] = { 0 };
	uint64_t ns = 0;

	for (size_t i = 0; i < n; i++) {
		count[c[i].verdict]++;
		ns += c[i].ns;
	}
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites", f);
	attr(f, "name", suite);
	fprintf(f, " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\"", n,
		count[KT_JUNIT_FAILURE], count[KT_JUNIT_ERROR], count[KT_JUNIT_SKIPPED]);
	seconds(f, ns);
	fputs(">\n  <testsuite", f);
	attr(f, "name", suite);
	fprintf(f, " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\"", n,
		count[KT_JUNIT_FAILURE], count[KT_JUNIT_ERROR], count[KT_JUNIT_SKIPPED]);
	seconds(f, ns);
	fputs(">\n", f);
	for (size_t i = 0; i < n; i++)
		write_case(f, &c[i]);
	fputs("  </testsuite>\n</testsuites>\n", f);
}
