//! Karatsuba multiplication: three half-size products instead of four,
//! written into the output and one scratch buffer (no allocation per
//! level).

use super::super::limbs::{add_in_place, sub_in_place};
use super::karatsuba_base;
use super::schoolbook;
use crate::natural::fallible;

/// The product of `a` and `b` (`a.len() >= b.len() >= 1`),
/// `a.len() + b.len()` limbs long (untrimmed).
pub(super) fn mul(a: &[u64], b: &[u64]) -> Vec<u64> {
    debug_assert!(a.len() >= b.len() && !b.is_empty());
    let mut out = fallible::filled(a.len() + b.len(), 0u64);
    let mut scratch = fallible::filled(scratch_len(a.len(), b.len()), 0u64);
    mul_into(&mut out, a, b, &mut scratch);
    out
}

/// Scratch limbs that [`mul_into`] takes for operands of `n >= m` limbs:
/// a balanced level keeps two sums and their product, `4·(n/2 + 1)`
/// limbs, an unbalanced one a product of two `m`-limb chunks, and the
/// next level works past them.
fn scratch_len(n: usize, m: usize) -> usize {
    if m < karatsuba_base() {
        0
    } else if 2 * m <= n {
        2 * m + scratch_len(m, m)
    } else {
        let h = n.div_ceil(2) + 1;
        4 * h + scratch_len(h, h)
    }
}

/// `out = a·b` (`out` exactly `a.len() + b.len()` limbs, `a.len() >=
/// b.len() >= 1`), by Karatsuba down to schoolbook.
fn mul_into(out: &mut [u64], a: &[u64], b: &[u64], scratch: &mut [u64]) {
    let (n, m) = (a.len(), b.len());
    if m < karatsuba_base() {
        schoolbook::mul_into(out, a, b);
        return;
    }
    if 2 * m <= n {
        // Unbalanced: b times b-sized chunks of a.
        out.fill(0);
        let (product, scratch) = scratch.split_at_mut(2 * m);
        for (i, chunk) in a.chunks(m).enumerate() {
            let (x, y) = longer_first(chunk, b);
            let product = &mut product[..chunk.len() + m];
            mul_into(product, x, y, scratch);
            let overflow = add_in_place(&mut out[i * m..], product);
            debug_assert!(!overflow);
        }
        return;
    }
    let h = n.div_ceil(2);
    let (a0, a1) = a.split_at(h);
    let (b0, b1) = b.split_at(h);
    let (sums, scratch) = scratch.split_at_mut(4 * (h + 1));
    let (sa, rest) = sums.split_at_mut(h + 1);
    let (sb, z1) = rest.split_at_mut(h + 1);
    sum_into(sa, a0, a1);
    sum_into(sb, b0, b1);
    {
        let (low, high) = out.split_at_mut(2 * h);
        mul_into(low, a0, b0, scratch);
        if b1.is_empty() {
            high.fill(0);
        } else {
            mul_into(high, a1, b1, scratch);
        }
    }
    // (a0 + a1)(b0 + b1) - a0·b0 - a1·b1, at most 2h + 1 limbs.
    mul_into(z1, sa, sb, scratch);
    let borrow0 = sub_in_place(z1, &out[..2 * h]);
    let borrow2 = sub_in_place(z1, &out[2 * h..]);
    debug_assert!(!borrow0 && !borrow2);
    let z1 = trimmed(z1);
    let overflow = add_in_place(&mut out[h..], z1);
    debug_assert!(!overflow);
}

/// `(x, y)` with the longer first.
fn longer_first<'a>(x: &'a [u64], y: &'a [u64]) -> (&'a [u64], &'a [u64]) {
    if x.len() >= y.len() {
        (x, y)
    } else {
        (y, x)
    }
}

/// `out = x + y` (`out` one limb longer than the longer of them).
fn sum_into(out: &mut [u64], x: &[u64], y: &[u64]) {
    let (long, short) = longer_first(x, y);
    out[..long.len()].copy_from_slice(long);
    out[long.len()..].fill(0);
    let overflow = add_in_place(out, short);
    debug_assert!(!overflow);
}

/// `x` without its high zero limbs.
fn trimmed(x: &[u64]) -> &[u64] {
    let len = x.iter().rposition(|&l| l != 0).map_or(0, |i| i + 1);
    &x[..len]
}
