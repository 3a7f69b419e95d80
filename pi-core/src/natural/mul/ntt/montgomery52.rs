//! Arithmetic modulo 50-bit primes with `R = 2^52`, the width of AVX-512
//! IFMA's multipliers, whose transform stages run eight lanes at a time.

use super::field::{each_block, reduce_below, Field};
use super::scalar;
use crate::natural::limbs::inverse_mod_2_64;
use crate::simd::ntt as simd;

const MASK: u64 = (1 << 52) - 1;

/// Integers modulo a prime `p < 2^50`, Montgomery form with `R = 2^52`.
#[derive(Clone, Copy)]
pub(in super::super) struct Montgomery52 {
    p: u64,
    /// `p^-1 mod 2^52`.
    p_inv: u64,
    /// `2^52 mod p`.
    r: u64,
    /// `2^104 mod p`.
    r2: u64,
}

impl Montgomery52 {
    /// `a·b / R mod p` in `[0, 2p)`, for `a < 4p` and `b < p` (then
    /// `a·b < R·p`): [`Field::mul`] without its last correction.
    #[inline(always)]
    fn mul_lazy(self, a: u64, b: u64) -> u64 {
        let t = u128::from(a) * u128::from(b);
        let m = (t as u64 & MASK).wrapping_mul(self.p_inv) & MASK;
        let mp = ((u128::from(m) * u128::from(self.p)) >> 52) as u64;
        ((t >> 52) as u64).wrapping_sub(mp).wrapping_add(self.p)
    }
}

impl Field for Montgomery52 {
    /// Four primes `c · 2^k + 1` (k >= 40, 3 divides c) multiplying to
    /// about `2^199.6`: transforms of length `2^k` and `3·2^k` up to `2^40`.
    const PRIMES: &'static [(u64, u64)] = &[
        (1_108_307_720_798_209, 11), // 63 * 2^44 + 1
        (1_072_023_837_081_601, 11), // 975 * 2^40 + 1
        (1_025_844_348_715_009, 13), // 933 * 2^40 + 1
        (1_022_545_813_831_681, 11), // 465 * 2^41 + 1
    ];

    fn new(p: u64) -> Self {
        Montgomery52 {
            p,
            p_inv: inverse_mod_2_64(p) & MASK,
            r: ((1u128 << 52) % u128::from(p)) as u64,
            r2: ((1u128 << 104) % u128::from(p)) as u64,
        }
    }

    #[inline(always)]
    fn modulus(self) -> u64 {
        self.p
    }

    /// The scalar twin of [`simd`]'s vector product: the same value.
    #[inline(always)]
    fn mul(self, a: u64, b: u64) -> u64 {
        reduce_below(self.mul_lazy(a, b), self.p)
    }

    /// In `[0, 2p)` from `[0, 2p)`: the difference is taken as
    /// `u + 2p - v < 4p` and its product with `w` left in `[0, 2p)`, as
    /// the vector kernels do.
    #[inline(always)]
    fn forward_butterfly(self, u: u64, v: u64, w: u64) -> (u64, u64) {
        let (p2, s) = (2 * self.p, u + v);
        (reduce_below(s, p2), self.mul_lazy(u + p2 - v, w))
    }

    /// In `[0, 4p)` from `[0, 4p)`: `u` is reduced below `2p`, `v·w` left
    /// in `[0, 2p)`, and the difference taken as `u + 2p - v·w`, as the
    /// vector kernels do.
    #[inline(always)]
    fn inverse_butterfly(self, u: u64, v: u64, w: u64) -> (u64, u64) {
        let p2 = 2 * self.p;
        let u = reduce_below(u, p2);
        let v = self.mul_lazy(v, w);
        (u + v, u + p2 - v)
    }

    fn r2(self) -> u64 {
        self.r2
    }

    /// `a = h·2^52 + l` is `h·R + l`: two Montgomery products.
    #[inline(always)]
    fn reduce(self, a: u64) -> u64 {
        self.add(self.mul(a >> 52, self.r2), self.mul(a & MASK, self.r))
    }

    /// All four primes lie within a factor 2 of each other (see the tests),
    /// so one conditional subtraction reduces a residue of another.
    #[inline(always)]
    fn reduce_residue(self, a: u64) -> u64 {
        reduce_below(a, self.p)
    }

    fn residues_into(self, dst: &mut [u64], src: &[u64]) {
        let start = vector_prefix(src.len(), |n| {
            simd::residues_into(&mut dst[..n], &src[..n], self.p, self.p_inv)
        });
        scalar::residues_into(self, &mut dst[start..], &src[start..]);
    }

    fn balanced_residues_into(self, dst: &mut [u64], limbs: &[u64], start: usize) {
        // 1/R and 2^64/R = 2^12.
        let constants = [self.residue(1), 1 << 12];
        scalar::balanced_residues_into(self, dst, (limbs, start), 8, |dst, src| {
            simd::balanced_residues_into(dst, src, self.p, self.p_inv, constants)
        });
    }

    fn wide_residues_into(self, dst: &mut [u64], high: &[u64]) {
        let k = scalar::two_to_64(self);
        let start = vector_prefix(dst.len(), |n| {
            simd::wide_residues_into(&mut dst[..n], &high[..n], self.p, self.p_inv, k)
        });
        scalar::wide_residues_into(self, &mut dst[start..], &high[start..]);
    }

    fn pointwise(self, x: &mut [u64], y: Option<&[u64]>, scale: u64) {
        if !simd::pointwise(x, y, scale, self.p, self.p_inv) {
            scalar::pointwise(self, x, y, scale);
        }
    }

    fn scale(self, dst: &mut [u64], src: &[u64], c: u64) {
        let (p, p_inv) = (self.p, self.p_inv);
        let start = vector_prefix(dst.len(), |n| {
            simd::scale(&mut dst[..n], &src[..n], c, p, p_inv)
        });
        scalar::scale(self, &mut dst[start..], &src[start..], c);
    }

    fn crt_words<const K: usize>(
        fields: &[Self; K],
        residues: &[&[u64]; K],
        inverse: &[[u64; 4]; 4],
        words: &mut [u64],
        stride: usize,
    ) -> bool {
        let (primes, p_invs) = (fields.map(|f| f.p), fields.map(|f| f.p_inv));
        simd::crt_words(residues, &primes, &p_invs, inverse, words, stride)
    }

    fn forward_last(self, a: &mut [u64], w4: &[u64], w2: &[u64]) -> bool {
        simd::forward_last(a, w4, w2, (self.p, self.p_inv), self.r)
    }

    fn inverse_first(self, a: &mut [u64], w2: &[u64], w4: &[u64]) -> bool {
        simd::inverse_first(a, w2, w4, (self.p, self.p_inv), self.r)
    }

    #[inline(always)]
    fn forward_stage(self, lo: &mut [u64], hi: &mut [u64], w: &[u64]) {
        if !simd::stage::<false>(lo, hi, w, self.p, self.p_inv) {
            scalar::forward_stage(self, lo, hi, w);
        }
    }

    #[inline(always)]
    fn inverse_stage(self, lo: &mut [u64], hi: &mut [u64], w: &[u64]) {
        if !simd::stage::<true>(lo, hi, w, self.p, self.p_inv) {
            scalar::inverse_stage(self, lo, hi, w);
        }
    }

    fn forward_stage2(self, mut q: [&mut [u64]; 4], w: [&[u64]; 3], ahead: usize) {
        if !simd::forward_stage2::<false>(&mut q, w, (self.p, self.p_inv), ahead) {
            scalar::forward_stage2(self, q, w);
        }
    }

    fn forward_stage2_half(self, mut q: [&mut [u64]; 4], w: [&[u64]; 3], ahead: usize) {
        if !simd::forward_stage2::<true>(&mut q, w, (self.p, self.p_inv), ahead) {
            scalar::forward_stage2_half(self, q, w);
        }
    }

    fn inverse_stage2(self, mut q: [&mut [u64]; 4], w: [&[u64]; 3], ahead: usize) {
        if !simd::inverse_stage2(&mut q, w, (self.p, self.p_inv), ahead) {
            scalar::inverse_stage2(self, q, w);
        }
    }

    fn stage2_blocks(self, a: &mut [u64], w: [&[u64]; 3], inverse: bool) {
        let vectorized = if inverse {
            simd::stage2_blocks::<true>(a, w, self.p, self.p_inv)
        } else {
            simd::stage2_blocks::<false>(a, w, self.p, self.p_inv)
        };
        if !vectorized {
            each_block(self, a, w, inverse);
        }
    }

    fn forward_radix3(self, mut x: [&mut [u64]; 3], w: [&[u64]; 2], step: (u64, usize)) {
        if !simd::radix3::<false>(&mut x, w, step, self.p, self.p_inv) {
            scalar::forward_radix3(self, x, w, step);
        }
    }

    fn inverse_radix3(self, mut x: [&mut [u64]; 3], w: [&[u64]; 2], omega: u64) {
        if !simd::radix3::<true>(&mut x, w, (omega, 0), self.p, self.p_inv) {
            scalar::inverse_radix3(self, x, w, omega);
        }
    }
}

/// How many of the first `len` values `vector` handled: their whole
/// vectors of eight if it ran on them (it returns whether it did), else
/// none. The scalar code takes the rest.
fn vector_prefix(len: usize, vector: impl FnOnce(usize) -> bool) -> usize {
    let whole = len / 8 * 8;
    if vector(whole) {
        whole
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primes_lie_within_a_factor_two() {
        for &(p, _) in Montgomery52::PRIMES {
            for &(q, _) in Montgomery52::PRIMES {
                assert!(p < 2 * q && p < 1 << 50);
            }
        }
    }
}
