/*
 * wire-reply.h - the body of an OP_REPLY (wire.h), built by the agent and
 * read by the host: either "ok"=1 followed by the op's result fields, or
 * the agent's error chain as structured frames so the host rebuilds the
 * same `struct kterr` (errno, messages, hints, notes) instead of a string.
 *
 *   error      N, the number of frames (1..WIRE_ERR_MAX_FRAMES)
 *   e.K.msg    frame K's message (K = 0 the outermost), required
 *   e.K.errno  its errno (decimal 1..WIRE_ERR_MAX_ERRNO), when it has one
 *   e.K.quiet  1: the errno is kept but not printed (kterr_silent)
 *   e.K.hint   its hint, e.K.notes its notes, when it has them
 *
 * The builder keeps within the bounds below (it cuts long text and folds a
 * deeper chain to its first frames and its leaf), so what it writes always
 * decodes; the reader refuses anything else with an error naming the field.
 */
#ifndef KTCON_WIRE_REPLY_H
#define KTCON_WIRE_REPLY_H

#include <stdint.h>

#include "lib/err.h"
#include "guest/wire.h"

#define WIRE_ERR_MAX_FRAMES 16
#define WIRE_ERR_MAX_TEXT 4096		/* a message or a hint, bytes */
#define WIRE_ERR_MAX_NOTES 16384
#define WIRE_ERR_MAX_ERRNO 4095

/*
 * Build the reply to request seq into out (reset first): e's chain when e
 * is set, else "ok" and the fields of res (a frame begun with wire_begin,
 * may be NULL). A result that could not be built (res->failed) or joined
 * for want of memory is answered as an ENOMEM error naming op, never as a
 * bare "ok". False only when not even that fits (out->failed).
 */
bool wire_reply_build(struct wire_buf *out, uint32_t seq, const char *op,
		      const struct kterr *e, const struct wire_buf *res);

/* Add e's chain as the fields above (for builders of other replies). */
void wire_put_error(struct wire_buf *b, const struct kterr *e);

/*
 * The error a reply carries: NULL when it has no "error" field (an ok
 * reply), else the guest's chain rebuilt. A malformed chain (a bad count,
 * a frame without a message, text over the bounds or with NUL bytes, an
 * errno out of range, an unknown or repeated field) gives an EPROTO error
 * that names the field, never a partial chain.
 */
struct kterr *wire_get_error(const struct wire_msg *m);

#endif
