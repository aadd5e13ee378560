/*
 * fuzz_json.c - libFuzzer target: our use of json-c (lib/kjson.c) and
 * the QMP message classifier on arbitrary bytes. Neither may crash, leak or
 * read out of bounds; a parse that succeeds must give a tree the lookups
 * can walk, and whatever bytes the writer is given its output must parse
 * back as one string. Built with tests/fuzz/run-fuzz (make fuzz); seed it
 * with tests/data/qmp/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/kjson.h"
#include "vmm/machine/qmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Touch every node, as the browser and QMP's lookups do. */
static size_t walk(struct json_object *v)
{
	size_t n = 1;

	switch (json_object_get_type(v)) {
	case json_type_string:
		return n + strlen(json_object_get_string(v));
	case json_type_array:
		for (size_t i = 0; i < json_object_array_length(v); i++)
			n += walk(json_object_array_get_idx(v, i));
		return n;
	case json_type_object: {
		json_object_object_foreach(v, k, c) {
			struct json_object *same;

			n += walk(c);
			n += !kjson_member(v, k, json_object_get_type(c), &same) && same == c;
		}
		return n;
	}
	default:
		return n;
	}
}

/* The writer on the raw bytes: its output is one valid JSON string. */
static void write_back(const uint8_t *data, size_t size)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json_object *v;
	struct kterr *e;

	if (!f)
		return;
	kt_json_stringn(f, (const char *)data, size);
	fclose(f);
	e = kjson_parse(buf, len, &v);
	if (e || !json_object_is_type(v, json_type_string))
		abort();
	json_object_put(v);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object *doc;
	struct qmp_reader rd;
	struct qmp_msg *m;
	struct kterr *e;

	e = kjson_parse((const char *)data, size, &doc);
	if (e)
		kterr_free(e);
	else if (walk(doc) == 0)
		abort();
	json_object_put(doc);
	write_back(data, size);

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
