/* work.c - the work-type and policy table of work.h. */
#include "lib/work.h"

#include <stdio.h>
#include <string.h>

#include "lib/util.h"

const struct kt_work_info kt_work_info[KT_WORK_NTYPES] = {
	[KT_WORK_SPIN] = { "spin" },
	[KT_WORK_YIELD] = { "yield" },
	[KT_WORK_MIXED] = { "mixed" },
	[KT_WORK_IO_SYNC] = { "io-sync" },
	[KT_WORK_BURSTY] = { "bursty", false, 2, { 5, 5 }, "BURST_MS/SLEEP_MS" },
	[KT_WORK_PIPE_PINGPONG] = { "pipe-pingpong", true },
	[KT_WORK_FUTEX_PINGPONG] = { "futex-pingpong", true },
	[KT_WORK_CACHE_PRESSURE] = { "cache-pressure" },
	[KT_WORK_SLEEP] = { "sleep", false, 1, { 10 }, "MS" },
	[KT_WORK_FORK_EXIT] = { "fork-exit" },
	[KT_WORK_PAGE_FAULT_CHURN] = { "page-fault-churn" },
};

static struct kterr *unknown_work(const char *s)
{
	char all[512] = "";

	for (size_t i = 0; i < KT_WORK_NTYPES; i++) {
		const struct kt_work_info *w = &kt_work_info[i];
		size_t l = strlen(all);

		snprintf(all + l, sizeof(all) - l, "%s%s%s%s", i ? ", " : "", w->name,
			 w->nparams ? "[:" : "", w->nparams ? w->params : "");
		if (w->nparams)
			strncat(all, "]", sizeof(all) - strlen(all) - 1);
	}
	return kterr_hint(kterr_new(0, "unknown work type '%s'", s), "write one of %s", all);
}

struct kterr *kt_work_parse(const char *s, struct kt_work *out)
{
	const char *colon;
	size_t len;

	memset(out, 0, sizeof(*out));
	if (!s || !*s)
		return NULL;
	colon = strchr(s, ':');
	len = colon ? (size_t)(colon - s) : strlen(s);
	for (size_t i = 0; i < KT_WORK_NTYPES; i++) {
		const struct kt_work_info *w = &kt_work_info[i];
		const char *p = colon ? colon + 1 : NULL;

		if (strlen(w->name) != len || strncmp(w->name, s, len))
			continue;
		out->type = (enum kt_work_type)i;
		out->param[0] = w->defaults[0];
		out->param[1] = w->defaults[1];
		if (p && !w->nparams)
			return kterr_hint(kterr_new(0, "work type %s takes no parameters ('%s')",
						    w->name, s), "write work=%s", w->name);
		for (unsigned k = 0; p && k < w->nparams; k++) {
			char num[24];
			size_t n = strcspn(p, "/");
			uint64_t v;

			snprintf(num, sizeof(num), "%.*s", (int)(n < 23 ? n : 23), p);
			if (!kt_parse_u64(num, &v) || v > 60000 || (k == 0 && !v && i == KT_WORK_BURSTY))
				return kterr_hint(kterr_new(0, "work %s: bad parameter '%s'", s, num),
						  "write work=%s:%s with milliseconds (at most 60000)",
						  w->name, w->params);
			out->param[k] = (unsigned)v;
			p = p[n] == '/' && k + 1 < w->nparams ? p + n + 1 : NULL;
			if (!p && k + 1 < w->nparams)
				return kterr_hint(kterr_new(0, "work %s: missing parameter", s),
						  "write work=%s:%s", w->name, w->params);
		}
		return NULL;
	}
	return unknown_work(s);
}

struct kterr *kt_work_check_count(const struct kt_work *w, unsigned n)
{
	if (kt_work_info[w->type].pairs && n % 2)
		return kterr_hint(kterr_new(0, "work %s runs in pairs: %u workers is odd",
					    kt_work_info[w->type].name, n),
				  "spawn an even number of workers");
	return NULL;
}

struct kterr *kt_policy_parse(const char *s, struct kt_policy *out)
{
	static const struct { const char *name; enum kt_policy_kind kind; bool prio; } t[] = {
		{ "normal", KT_POLICY_NORMAL, false }, { "batch", KT_POLICY_BATCH, false },
		{ "idle", KT_POLICY_IDLE, false }, { "fifo", KT_POLICY_FIFO, true },
		{ "rr", KT_POLICY_RR, true },
	};
	const char *colon = s ? strchr(s, ':') : NULL;
	size_t len = colon ? (size_t)(colon - s) : s ? strlen(s) : 0;

	memset(out, 0, sizeof(*out));
	if (!s || !*s)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		uint64_t prio;

		if (strlen(t[i].name) != len || strncmp(t[i].name, s, len))
			continue;
		out->kind = t[i].kind;
		if (!t[i].prio && !colon)
			return NULL;
		if (t[i].prio && colon && kt_parse_u64(colon + 1, &prio) && prio >= 1 && prio <= 99) {
			out->prio = (unsigned)prio;
			return NULL;
		}
		break;
	}
	return kterr_hint(kterr_new(0, "bad policy '%s'", s),
			  "write normal, batch, idle, fifo:PRIO or rr:PRIO with PRIO 1..99");
}
