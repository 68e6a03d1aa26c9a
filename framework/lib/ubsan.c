/* Handlers for clang's bounds, shift and division checks
 * (-fsanitize=array-bounds,shift,integer-divide-by-zero with
 * -fno-sanitize-recover). Layer: framework/lib (trusted).
 * An out-of-range index anywhere in the kernel, services included, stops
 * here before the access happens and panics naming the source place. */
#include <fw/log.h>

struct src_loc {
	const char *file;
	unsigned line, col;
};

struct oob_data {
	struct src_loc loc;
};

void __ubsan_handle_out_of_bounds_abort(struct oob_data *d, unsigned long index);
void __ubsan_handle_shift_out_of_bounds_abort(struct oob_data *d, unsigned long a, unsigned long b);
void __ubsan_handle_out_of_bounds(struct oob_data *d, unsigned long index);
void __ubsan_handle_divrem_overflow_abort(struct oob_data *d, unsigned long a, unsigned long b);
void __ubsan_handle_divrem_overflow(struct oob_data *d, unsigned long a, unsigned long b);
void __ubsan_handle_shift_out_of_bounds(struct oob_data *d, unsigned long a, unsigned long b);

void __ubsan_handle_out_of_bounds_abort(struct oob_data *d, unsigned long index)
{
	fw_panic("index %lu out of bounds at %s:%u:%u", index, d->loc.file, d->loc.line, d->loc.col);
}

void __ubsan_handle_out_of_bounds(struct oob_data *d, unsigned long index)
{
	__ubsan_handle_out_of_bounds_abort(d, index);
}

void __ubsan_handle_shift_out_of_bounds_abort(struct oob_data *d, unsigned long a, unsigned long b)
{
	fw_panic("shift out of bounds (%lu, %lu) at %s:%u:%u", a, b, d->loc.file, d->loc.line, d->loc.col);
}

void __ubsan_handle_shift_out_of_bounds(struct oob_data *d, unsigned long a, unsigned long b)
{
	__ubsan_handle_shift_out_of_bounds_abort(d, a, b);
}

/* A division or remainder by zero: trapped before the instruction, so the
 * optimiser never learns "the divisor is not zero" from a division that
 * would have divided by zero (attack round 4: that fact deleted a bounds
 * check and the division itself was folded away, so nothing trapped). */
void __ubsan_handle_divrem_overflow_abort(struct oob_data *d, unsigned long a, unsigned long b)
{
	fw_panic("division by zero (%lu / %lu) at %s:%u:%u", a, b, d->loc.file, d->loc.line, d->loc.col);
}

void __ubsan_handle_divrem_overflow(struct oob_data *d, unsigned long a, unsigned long b)
{
	__ubsan_handle_divrem_overflow_abort(d, a, b);
}
