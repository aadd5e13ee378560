/*
 * fuzz_json.c - libFuzzer target: the JSON parser and the QMP message
 * classifier on arbitrary bytes. Neither may crash, leak or read out of
 * bounds; a parse that succeeds must give a tree the lookups can walk.
 * Built with tests/fuzz/run-fuzz (make fuzz); seed it with
 * tests/data/qmp/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/json.h"
#include "vmm/qmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Touch every node so a tree with bad pointers or lengths trips ASan. */
static size_t walk(const struct json *v)
{
	size_t n = 1, i;

	switch (v->type) {
	case JSON_STRING:
		return n + strlen(v->str.s) + (v->str.s[v->str.len] == '\0');
	case JSON_ARRAY:
		for (i = 0; i < v->arr.n; i++)
			n += walk(json_at(v, i));
		return n;
	case JSON_OBJECT:
		for (i = 0; i < v->obj.n; i++) {
			n += walk(v->obj.members[i].val);
			n += json_get(v, v->obj.members[i].key) != NULL;
		}
		return n;
	default:
		return n;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_limits lim = { .max_depth = 32, .max_nodes = 4096 };
	struct qmp_reader rd;
	struct json_doc *doc;
	struct qmp_msg *m;
	struct kterr *e;

	e = json_parse((const char *)data, size, &lim, &doc);
	if (e)
		kterr_free(e);
	else if (walk(doc->root) == 0)
		abort();
	json_doc_free(doc);

	/* The same bytes as a QMP stream, fed in two pieces. */
	qmp_reader_init(&rd);
	kterr_free(qmp_reader_feed(&rd, data, size / 2));
	kterr_free(qmp_reader_feed(&rd, data + size / 2, size - size / 2));
	for (;;) {
		e = qmp_reader_next(&rd, &m);
		if (e) {
			kterr_free(e);
			continue;
		}
		if (!m)
			break;
		kterr_free(qmp_msg_error(m));
		qmp_msg_free(m);
	}
	qmp_reader_release(&rd);
	return 0;
}
