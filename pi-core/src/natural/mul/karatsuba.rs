//! Karatsuba multiplication: three half-size products instead of four.

use super::super::limbs::{add_in_place, sub_in_place, trim};
use crate::natural::fallible;

/// The product of `a` and `b` (`a.len() >= b.len()`), `a.len() + b.len()`
/// limbs long (untrimmed). Recursion goes back through the planner.
pub(super) fn mul(a: &[u64], b: &[u64]) -> Vec<u64> {
    debug_assert!(a.len() >= b.len());
    let mut out = fallible::filled(a.len() + b.len(), 0u64);
    if 2 * b.len() <= a.len() {
        // Unbalanced: multiply b by b-sized chunks of a.
        for (i, chunk) in a.chunks(b.len()).enumerate() {
            let p = super::mul(chunk, b);
            add_trimmed(&mut out[i * b.len()..], p);
        }
        return out;
    }
    let h = a.len().div_ceil(2);
    let (a0, a1) = a.split_at(h);
    let (b0, b1) = b.split_at(h.min(b.len()));
    let z0 = super::mul(a0, b0);
    let z2 = super::mul(a1, b1);
    let mut z1 = super::mul(&sum(a0, a1), &sum(b0, b1));
    let borrow0 = sub_in_place(&mut z1, &z0);
    let borrow2 = sub_in_place(&mut z1, &z2);
    debug_assert!(!borrow0 && !borrow2);
    add_trimmed(&mut out, z0);
    add_trimmed(&mut out[h..], z1);
    add_trimmed(&mut out[2 * h..], z2);
    out
}

/// `x + y` with one extra limb for the carry.
fn sum(x: &[u64], y: &[u64]) -> Vec<u64> {
    let (long, short) = if x.len() >= y.len() { (x, y) } else { (y, x) };
    let mut s = fallible::with_capacity(long.len() + 1);
    s.extend_from_slice(long);
    s.push(0);
    add_in_place(&mut s, short);
    s
}

/// `acc += v` where the true sum is known to fit in `acc`.
fn add_trimmed(acc: &mut [u64], mut v: Vec<u64>) {
    trim(&mut v);
    let carry = add_in_place(acc, &v);
    debug_assert!(!carry);
}
