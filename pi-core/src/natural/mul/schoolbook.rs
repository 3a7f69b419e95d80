//! Schoolbook multiplication, quadratic: the fastest for short operands.

use crate::natural::fallible;

/// The product of `a` and `b`, `a.len() + b.len()` limbs long (untrimmed).
pub(super) fn mul(a: &[u64], b: &[u64]) -> Vec<u64> {
    let mut out = fallible::filled(a.len() + b.len(), 0u64);
    product_into_zeros(&mut out, a, b);
    out
}

/// `out = a·b`, `out` exactly `a.len() + b.len()` limbs long.
pub(super) fn mul_into(out: &mut [u64], a: &[u64], b: &[u64]) {
    out.fill(0);
    product_into_zeros(out, a, b);
}

/// [`mul_into`] for `out` already zero.
fn product_into_zeros(out: &mut [u64], a: &[u64], b: &[u64]) {
    if a.is_empty() {
        return;
    }
    // Two rows per pass: each limb of `out` is loaded and stored once for
    // both, and their carry chains are independent.
    let mut pairs = b.chunks_exact(2);
    for (k, pair) in pairs.by_ref().enumerate() {
        let (b0, b1) = (u128::from(pair[0]), u128::from(pair[1]));
        let out = &mut out[2 * k..];
        let (mut c0, mut c1) = (0u64, 0u64);
        let mut previous = 0u64;
        for (o, &aj) in out.iter_mut().zip(a) {
            let t0 = u128::from(aj) * b0 + u128::from(*o) + u128::from(c0);
            c0 = (t0 >> 64) as u64;
            let t1 = u128::from(previous) * b1 + u128::from(t0 as u64) + u128::from(c1);
            *o = t1 as u64;
            c1 = (t1 >> 64) as u64;
            previous = aj;
        }
        let n = a.len();
        let t1 = u128::from(previous) * b1 + u128::from(c0) + u128::from(c1);
        out[n] = t1 as u64;
        out[n + 1] = (t1 >> 64) as u64;
    }
    if let [bi] = *pairs.remainder() {
        let i = b.len() - 1;
        let mut carry = 0u64;
        for (o, &aj) in out[i..].iter_mut().zip(a) {
            let t = u128::from(aj) * u128::from(bi) + u128::from(*o) + u128::from(carry);
            *o = t as u64;
            carry = (t >> 64) as u64;
        }
        out[i + a.len()] = carry;
    }
}
