/*
 * test_kidr.c - IDR / XArray walks over a synthetic tree laid out in a
 * buffer at made-up kernel addresses: a single entry at the head, two
 * levels of nodes, skipped internal and value entries, the entry cap, and
 * the guest's lies (a loop, a shift that does not fall, an unreadable
 * node).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/intro/kidr.h"

#define BASE 0xffff888000100000ULL
#define CHUNK 64
#define SHIFT_OFF 0
#define SLOTS_OFF 40
#define NODE_SIZE (SLOTS_OFF + CHUNK * 8)

static const struct kidr_layout layout = { SHIFT_OFF, SLOTS_OFF, CHUNK };
static uint8_t mem[16 * NODE_SIZE];

static struct kterr *rd(void *ctx, uint64_t va, void *buf, size_t len)
{
	(void)ctx;
	if (va < BASE || va - BASE + len > sizeof(mem))
		return kterr_new(EFAULT, "0x%llx is not mapped", (unsigned long long)va);
	memcpy(buf, mem + (va - BASE), len);
	return NULL;
}

/* Node i of the buffer: its address, as a node entry (low bits 10). */
static uint64_t node_va(int i)
{
	return BASE + (uint64_t)i * NODE_SIZE;
}

static uint64_t node_entry(int i)
{
	return node_va(i) | 2;
}

static void set_node(int i, uint8_t shift)
{
	memset(mem + i * NODE_SIZE, 0, NODE_SIZE);
	mem[i * NODE_SIZE + SHIFT_OFF] = shift;
}

static void set_slot(int i, unsigned slot, uint64_t e)
{
	memcpy(mem + i * NODE_SIZE + SLOTS_OFF + slot * 8, &e, 8);
}

struct seen {
	uint64_t index[32], ptr[32];
	size_t n;
	size_t stop_after;
};

static int visit(void *ctx, uint64_t index, uint64_t ptr)
{
	struct seen *s = ctx;

	s->index[s->n] = index;
	s->ptr[s->n] = ptr;
	s->n++;
	return s->stop_after && s->n == s->stop_after;
}

static void test_single_entry_at_the_head(void **state)
{
	struct seen s = { 0 };
	size_t n;

	(void)state;
	assert_null(kidr_walk(&layout, rd, NULL, 0xffff888001234500ULL, 10, visit, &s, &n));
	assert_int_equal(n, 1);
	assert_int_equal(s.index[0], 0);
	assert_int_equal(s.ptr[0], 0xffff888001234500ULL);
	s.n = 0;
	assert_null(kidr_walk(&layout, rd, NULL, 0, 10, visit, &s, &n));	/* empty */
	assert_int_equal(n, 0);
}

static void test_two_levels_in_index_order_skipping_internals(void **state)
{
	struct seen s = { 0 };
	size_t n;

	(void)state;
	/* root (shift 6) -> slot 0: node 1 (shift 0), slot 2: node 2 (shift 0) */
	set_node(0, 6);
	set_node(1, 0);
	set_node(2, 0);
	set_slot(0, 0, node_entry(1));
	set_slot(0, 2, node_entry(2));
	set_slot(0, 5, 0x102);		/* a retry entry: internal, below 4096 */
	set_slot(1, 1, 0xffff888000aaa000ULL);
	set_slot(1, 3, 0x7);		/* a value entry */
	set_slot(1, 63, 0xffff888000bbb000ULL);
	set_slot(2, 0, 0xffff888000ccc000ULL);
	assert_null(kidr_walk(&layout, rd, NULL, node_entry(0), 10, visit, &s, &n));
	assert_int_equal(n, 3);
	assert_int_equal(s.index[0], 1);
	assert_int_equal(s.index[1], 63);
	assert_int_equal(s.index[2], 128 + 0);
	assert_int_equal(s.ptr[2], 0xffff888000ccc000ULL);
	/* the cap, and a visitor that stops early */
	s.n = 0;
	assert_null(kidr_walk(&layout, rd, NULL, node_entry(0), 2, visit, &s, &n));
	assert_int_equal(n, 2);
	s.n = 0;
	s.stop_after = 1;
	assert_null(kidr_walk(&layout, rd, NULL, node_entry(0), 10, visit, &s, &n));
	assert_int_equal(s.n, 1);
}

static void test_lies_are_errors(void **state)
{
	struct seen s = { 0 };
	struct kterr *e;

	(void)state;
	/* a node whose child's shift does not fall by 6 */
	set_node(0, 12);
	set_node(1, 12);
	set_slot(0, 0, node_entry(1));
	e = kidr_walk(&layout, rd, NULL, node_entry(0), 10, visit, &s, NULL);
	assert_int_equal(kterr_errno_of(e), EINVAL);
	assert_true(kterr_contains(e, "has shift 12 (parent 12)"));
	kterr_free(e);
	/* a loop: a node that holds itself */
	set_node(0, 6);
	set_slot(0, 0, node_entry(0));
	e = kidr_walk(&layout, rd, NULL, node_entry(0), 10, visit, &s, NULL);
	assert_non_null(e);
	kterr_free(e);
	/* a node pointer into nowhere */
	e = kidr_walk(&layout, rd, NULL, 0xffff888077770002ULL, 10, visit, &s, NULL);
	assert_int_equal(kterr_errno_of(e), EFAULT);
	assert_true(kterr_contains(e, "xarray node 0xffff888077770000"));
	kterr_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_entry_at_the_head),
		cmocka_unit_test(test_two_levels_in_index_order_skipping_internals),
		cmocka_unit_test(test_lies_are_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
