//! Schoolbook multiplication, quadratic: the fastest for short operands.
//! Where the processor has AVX-512 IFMA, a vector kernel (see
//! `simd/schoolbook.rs`) takes operands from [`VECTOR_MIN`] limbs; with
//! the double-precision kernel families, rows by BMI2 and ADX
//! (`simd/mulx.rs`).

use crate::natural::fallible;
use crate::natural::limbs::add_in_place;
use crate::simd::{mulx, schoolbook as vector};

/// From this many limbs in the shorter operand, the vector kernel where it
/// runs (Zen 4: 111-151 ns against 123-130 ns at 10 limbs, 141 against
/// 141-150 ns at 12, 188-260 against 160-170 ns at 14).
pub(crate) const VECTOR_MIN: usize = 12;

/// The product of `a` and `b`, `a.len() + b.len()` limbs long (untrimmed).
pub(super) fn mul(a: &[u64], b: &[u64]) -> Vec<u64> {
    let mut out = fallible::filled(a.len() + b.len(), 0u64);
    mul_into(&mut out, a, b);
    out
}

/// `out = a·b`, `out` exactly `a.len() + b.len()` limbs long.
pub(super) fn mul_into(out: &mut [u64], a: &[u64], b: &[u64]) {
    let (long, short) = if a.len() >= b.len() { (a, b) } else { (b, a) };
    if (VECTOR_MIN..=vector::MAX_LIMBS).contains(&short.len()) && vector::available() {
        by_vector(out, long, short);
    } else {
        out.fill(0);
        if !mulx::product_into_zeros(out, long, short) {
            product_into_zeros(out, a, b);
        }
    }
}

/// [`mul_into`] by the vector kernel, `long` in pieces it takes.
fn by_vector(out: &mut [u64], long: &[u64], short: &[u64]) {
    if vector::product(out, long, short) {
        return;
    }
    out.fill(0);
    let mut piece = [0u64; 2 * vector::MAX_LIMBS];
    for (i, chunk) in long.chunks(vector::MAX_LIMBS).enumerate() {
        let piece = &mut piece[..chunk.len() + short.len()];
        let done = vector::product(piece, chunk, short);
        debug_assert!(done);
        let overflow = add_in_place(&mut out[i * vector::MAX_LIMBS..], piece);
        debug_assert!(!overflow);
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::natural::lcg_limbs;

    /// The rows by BMI2 and ADX against the portable ones, at every pair
    /// of lengths up to 40 by 12 (each row's single steps and groups of
    /// four), on random and all-ones limbs.
    #[test]
    fn the_mulx_rows_agree_with_the_portable_ones() {
        for la in 1..=40 {
            for lb in 1..=12 {
                for (a, b) in [
                    (lcg_limbs(la, la as u64), lcg_limbs(lb, lb as u64 + 9)),
                    (vec![u64::MAX; la], vec![u64::MAX; lb]),
                ] {
                    let mut expected = vec![0; la + lb];
                    product_into_zeros(&mut expected, &a, &b);
                    let mut got = vec![0; la + lb];
                    if !mulx::rows(&mut got, &a, &b) {
                        eprintln!("skipped: this processor has no BMI2 and ADX");
                        return;
                    }
                    assert_eq!(got, expected, "{la} x {lb}");
                }
            }
        }
    }

    /// The vector kernel against the portable rows, at every pair of
    /// lengths up to its largest, on random and all-ones limbs.
    #[test]
    fn the_vector_kernel_agrees_with_the_portable_one() {
        if !crate::simd::ntt::available() {
            eprintln!("skipped: this process does not run the AVX-512 IFMA kernels");
            return;
        }
        let max = crate::simd::schoolbook::MAX_LIMBS;
        for la in (1..=max).step_by(3).chain([max - 1, max]) {
            for lb in (1..=la).step_by(5).chain([la]) {
                for (a, b) in [
                    (lcg_limbs(la, la as u64), lcg_limbs(lb, lb as u64 + 9)),
                    (vec![u64::MAX; la], vec![u64::MAX; lb]),
                ] {
                    let mut expected = vec![0; la + lb];
                    product_into_zeros(&mut expected, &a, &b);
                    let mut got = vec![7; la + lb];
                    assert!(crate::simd::schoolbook::product(&mut got, &a, &b));
                    assert_eq!(got, expected, "{la} x {lb}");
                    assert!(crate::simd::schoolbook::product(&mut got, &b, &a));
                    assert_eq!(got, expected, "{lb} x {la}");
                }
            }
        }
    }
}
