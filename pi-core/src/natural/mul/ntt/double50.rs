//! Arithmetic modulo 50-bit primes held in doubles, whose products are
//! exact by fused multiply-add (FLINT's method): the transform of
//! processors with AVX2 and FMA (`LANES = 4`) or AVX-512F (`LANES = 8`)
//! but no IFMA.
//!
//! A value is an integer held in a double, its bits in the `u64` slot: any
//! representative of its residue below `2p` in magnitude. The scalar
//! methods (tables, the tails the kernels leave) give balanced ones, at
//! most `p/2`; `R = 1`, so "Montgomery form" is the value itself.

use super::field::Field;
use super::montgomery52::Montgomery52;
use super::scalar;
use crate::simd::fma::{self as simd, Modulus};

/// Integers modulo a prime `p < 2^50` held in doubles, with the kernels
/// of `LANES` lanes where the processor has them.
#[derive(Clone, Copy)]
pub(in super::super) struct Double50<const LANES: usize> {
    modulus: Modulus,
    /// The same prime, for exact scalar products.
    scalar: Montgomery52,
    p: u64,
    /// `2^32 mod p` and `2^64 mod p`, balanced: a residue's constants.
    powers_of_two: [u64; 2],
}

impl<const LANES: usize> Double50<LANES> {
    /// The value holding the integer `x` (`|x| < 2^53`).
    fn value(x: i64) -> u64 {
        (x as f64).to_bits()
    }

    /// The integer a value holds.
    fn integer_of(a: u64) -> i64 {
        f64::from_bits(a) as i64
    }

    /// `x mod p` as an integer in `[-p/2, p/2]`.
    fn balanced_integer(self, x: i64) -> i64 {
        let (p, half) = (self.p as i64, self.p as i64 / 2);
        // Values are at most 2p in magnitude but for the rare wider sum.
        let mut x = if x.unsigned_abs() > 2 * self.p {
            x % p
        } else {
            x
        };
        for _ in 0..2 {
            if x > half {
                x -= p;
            }
            if x < -half {
                x += p;
            }
        }
        x
    }

    /// `x mod p` in `[0, p)`.
    fn canonical(self, x: i64) -> u64 {
        let x = self.balanced_integer(x);
        (if x < 0 { x + self.p as i64 } else { x }) as u64
    }

    /// The balanced value of `x mod p`: at most `p/2` in magnitude.
    fn balanced(self, x: i64) -> u64 {
        Self::value(self.balanced_integer(x))
    }

    /// `dst[i] = (dst[i] + high[i]·2^64) mod p`, one at a time.
    fn wide_residues(self, dst: &mut [u64], high: &[u64]) {
        let p = u128::from(self.p);
        for (d, &h) in dst.iter_mut().zip(high) {
            let x = (u128::from(h) << 64) | u128::from(*d);
            *d = self.balanced((x % p) as i64);
        }
    }
}

impl<const LANES: usize> Field for Double50<LANES> {
    const PRIMES: &'static [(u64, u64)] = Montgomery52::PRIMES;

    fn new(p: u64) -> Self {
        let mut f = Double50 {
            modulus: Modulus {
                p: p as f64,
                inv: 1.0 / p as f64,
            },
            scalar: Montgomery52::new(p),
            p,
            powers_of_two: [0; 2],
        };
        f.powers_of_two = [32, 64].map(|k| f.balanced(((1u128 << k) % u128::from(p)) as i64));
        f
    }

    #[inline(always)]
    fn modulus(self) -> u64 {
        self.p
    }

    /// Two Montgomery products of the canonical residues: `a·b/R·R²/R`.
    fn mul(self, a: u64, b: u64) -> u64 {
        let (a, b) = (
            self.canonical(Self::integer_of(a)),
            self.canonical(Self::integer_of(b)),
        );
        let m = self.scalar;
        self.balanced(m.mul(m.mul(a, b), m.r2()) as i64)
    }

    /// By the Montgomery field of the same prime: a chain of products.
    fn pow(self, base: u64, exp: u64) -> u64 {
        let m = self.scalar;
        let base = m.to_montgomery(self.canonical(Self::integer_of(base)));
        self.balanced(m.mul(m.pow(base, exp), 1) as i64)
    }

    /// One: `R = 1`.
    fn r2(self) -> u64 {
        Self::value(1)
    }

    fn reduce(self, a: u64) -> u64 {
        self.balanced((a % self.p) as i64)
    }

    /// `a` (below `2^51`) is already a representative.
    fn reduce_residue(self, a: u64) -> u64 {
        Self::value(a as i64)
    }

    fn reduce_lazy(self, a: u64) -> u64 {
        self.balanced(Self::integer_of(a))
    }

    fn integer(self, a: u64) -> u64 {
        self.canonical(Self::integer_of(a))
    }

    fn add(self, a: u64, b: u64) -> u64 {
        self.balanced(Self::integer_of(a) + Self::integer_of(b))
    }

    fn sub(self, a: u64, b: u64) -> u64 {
        self.balanced(Self::integer_of(a) - Self::integer_of(b))
    }

    fn residue(self, a: u64) -> u64 {
        self.reduce(a)
    }

    fn residues_into(self, dst: &mut [u64], src: &[u64]) {
        let whole = src.len() / LANES.max(1) * LANES;
        let (head, tail) = dst[..src.len()].split_at_mut(whole);
        let powers = self.powers_of_two;
        if !simd::residues(LANES, head, Some(&src[..whole]), None, powers, self.modulus) {
            scalar::residues_into(self, head, &src[..whole]);
        }
        scalar::residues_into(self, tail, &src[whole..]);
    }

    fn balanced_residues_into(self, dst: &mut [u64], limbs: &[u64], start: usize) {
        let (c32, m) = (self.powers_of_two[0], self.modulus);
        scalar::balanced_residues_into(self, dst, (limbs, start), LANES.max(1), |dst, src| {
            simd::balanced_residues(LANES, dst, src, c32, m)
        });
    }

    fn wide_residues_into(self, dst: &mut [u64], high: &[u64]) {
        let whole = dst.len() / LANES.max(1) * LANES;
        let (head_high, tail_high) = high[..dst.len()].split_at(whole);
        let (head, tail) = dst.split_at_mut(whole);
        let powers = self.powers_of_two;
        if !simd::residues(LANES, head, None, Some(head_high), powers, self.modulus) {
            self.wide_residues(head, head_high);
        }
        self.wide_residues(tail, tail_high);
    }

    fn crt_digits<const K: usize>(
        fields: &[Self; K],
        residues: &[&[u64]; K],
        inverse: &[[u64; 4]; 4],
        digits: &mut [u64],
    ) -> bool {
        simd::mixed_radix::<K>(LANES, residues, &fields.map(|f| f.modulus), inverse, digits)
    }

    fn pointwise(self, x: &mut [u64], y: Option<&[u64]>, scale: u64) {
        if !simd::pointwise(LANES, x, y, scale, self.modulus) {
            scalar::pointwise(self, x, y, scale);
        }
    }

    fn scale(self, dst: &mut [u64], src: &[u64], c: u64) {
        if !simd::scale(LANES, dst, src, c, self.modulus) {
            scalar::scale(self, dst, src, c);
        }
    }

    fn add_into(self, acc: &mut [u64], x: &[u64]) {
        if !simd::add_into(LANES, acc, x, self.modulus) {
            scalar::add_into(self, acc, x);
        }
    }

    fn forward_last(self, a: &mut [u64], w4: &[u64], w2: &[u64]) -> bool {
        simd::forward_last(LANES, a, w4, w2, self.modulus)
    }

    fn inverse_first(self, a: &mut [u64], w2: &[u64], w4: &[u64]) -> bool {
        simd::inverse_first(LANES, a, w2, w4, self.modulus)
    }

    fn forward_stage(self, lo: &mut [u64], hi: &mut [u64], w: &[u64]) {
        if !simd::stage::<false>(LANES, lo, hi, w, self.modulus) {
            scalar::forward_stage(self, lo, hi, w);
        }
    }

    fn inverse_stage(self, lo: &mut [u64], hi: &mut [u64], w: &[u64]) {
        if !simd::stage::<true>(LANES, lo, hi, w, self.modulus) {
            scalar::inverse_stage(self, lo, hi, w);
        }
    }

    fn forward_stage2(self, mut q: [&mut [u64]; 4], w: [&[u64]; 3], ahead: usize) {
        if !simd::forward_stage2::<false>(LANES, &mut q, w, self.modulus, ahead) {
            scalar::forward_stage2(self, q, w);
        }
    }

    fn forward_stage2_half(self, mut q: [&mut [u64]; 4], w: [&[u64]; 3], ahead: usize) {
        if !simd::forward_stage2::<true>(LANES, &mut q, w, self.modulus, ahead) {
            scalar::forward_stage2_half(self, q, w);
        }
    }

    fn inverse_stage2(self, mut q: [&mut [u64]; 4], w: [&[u64]; 3], ahead: usize) {
        if !simd::inverse_stage2(LANES, &mut q, w, self.modulus, ahead) {
            scalar::inverse_stage2(self, q, w);
        }
    }

    fn stage2_blocks(self, a: &mut [u64], w: [&[u64]; 3], inverse: bool) {
        let done = if inverse {
            simd::stage2_blocks::<true>(LANES, a, w, self.modulus)
        } else {
            simd::stage2_blocks::<false>(LANES, a, w, self.modulus)
        };
        if !done {
            super::field::each_block(self, a, w, inverse);
        }
    }

    fn forward_radix3(self, mut x: [&mut [u64]; 3], w: [&[u64]; 2], step: (u64, usize)) {
        if !simd::radix3::<false>(LANES, &mut x, w, step, self.modulus) {
            scalar::forward_radix3(self, x, w, step);
        }
    }

    fn inverse_radix3(self, mut x: [&mut [u64]; 3], w: [&[u64]; 2], omega: u64) {
        if !simd::radix3::<true>(LANES, &mut x, w, (omega, 0), self.modulus) {
            scalar::inverse_radix3(self, x, w, omega);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tables::Twiddles;
    use super::*;

    /// The integer a value holds, exactly.
    fn int(a: u64) -> i128 {
        i128::from(Double50::<4>::integer_of(a))
    }

    /// Values of magnitude `bound·p` with the signs `sign(i)` gives, where
    /// it gives one, and pseudo-random ones of at most that magnitude.
    fn extremes(p: u64, bound: i64, len: usize, sign: impl Fn(usize) -> Option<bool>) -> Vec<u64> {
        let top = bound * p as i64;
        let random = crate::natural::lcg_limbs(len, bound as u64);
        (0..len)
            .map(|i| {
                let x = match sign(i) {
                    Some(true) => -top,
                    Some(false) => top,
                    None => (random[i] % (2 * top as u64 + 1)) as i64 - top,
                };
                Double50::<4>::value(x)
            })
            .collect()
    }

    /// Twiddles: the largest balanced residues with the signs of bit `bit`
    /// of the first 128 indices, pseudo-random ones after.
    fn twiddles(p: u64, len: usize, bit: usize) -> Vec<u64> {
        let half = (p / 2) as i64;
        let random = crate::natural::lcg_limbs(len, bit as u64);
        (0..len)
            .map(|i| match i {
                0..128 if (i >> bit) & 1 == 1 => Double50::<4>::value(-half),
                0..128 => Double50::<4>::value(half),
                _ => Double50::<4>::value((random[i] % p) as i64 - half),
            })
            .collect()
    }

    /// `x ≡ y (mod p)`, and `x` within the `2p` the next stage takes.
    fn check(x: u64, y: i128, p: u64, what: &str) {
        let p = i128::from(p);
        assert!(int(x).abs() <= 2 * p, "{what}: {} above 2p", int(x));
        assert_eq!((int(x) - y).rem_euclid(p), 0, "{what}");
    }

    /// The radix-4 stages from inputs at most `2p` in magnitude, with the
    /// largest twiddles, against exact integers; and the first three
    /// inverse stages from pointwise products (at most `p`) through the
    /// last three forward ones, which give them back times 8.
    fn stages_hold_at_their_bounds<const L: usize>() {
        const LEN: usize = 256;
        for &(p, generator) in Double50::<L>::PRIMES {
            let f = Double50::<L>::new(p);
            // Reduced between the stages, so that products fit.
            let r = |x: i128| x.rem_euclid(i128::from(p));
            // Every combination of the signs of the inputs and twiddles.
            let w: [Vec<u64>; 3] = std::array::from_fn(|k| twiddles(p, LEN, 4 + k));
            let w_refs = [&w[0][..], &w[1][..], &w[2][..]];
            for inverse in [false, true] {
                let input: [Vec<u64>; 4] = std::array::from_fn(|k| {
                    extremes(p, 2, LEN, |i| (i < 128).then_some((i >> k) & 1 == 1))
                });
                let mut q = input.clone();
                let [q0, q1, q2, q3] = &mut q;
                if inverse {
                    f.inverse_stage2([q0, q1, q2, q3], w_refs, 0);
                } else {
                    f.forward_stage2([q0, q1, q2, q3], w_refs, 0);
                }
                for i in 0..LEN {
                    let [a, b, c, d] = input.each_ref().map(|v| int(v[i]));
                    let [w0, w1, inner] = w.each_ref().map(|v| int(v[i]));
                    let expected = if inverse {
                        let (a, b) = (r(a + b * inner), r(a - b * inner));
                        let (c, d) = (r(c + d * inner), r(c - d * inner));
                        [a + c * w0, b + d * w1, a - c * w0, b - d * w1]
                    } else {
                        let (a, c) = (a + c, r((a - c) * w0));
                        let (b, d) = (b + d, r((b - d) * w1));
                        [a + b, (a - b) * inner, c + d, (c - d) * inner]
                    };
                    for (k, &y) in expected.iter().enumerate() {
                        let what = format!("p = {p}, inverse = {inverse}, quarter {k}, {i}");
                        check(q[k][i], y, p, &what);
                    }
                }
            }
            let t = Twiddles::new(f, generator, 8);
            // The last three forward stages on each block of 8, from every
            // combination of the signs of its values at 2p, left with row j
            // of a group holding value j of each of its blocks.
            let x = extremes(p, 2, 8 * 256, |i| Some(((i / 8) >> (i % 8)) & 1 == 1));
            let mut y = x.clone();
            if f.forward_last(&mut y, &t.forward[4..8], &t.forward[2..4]) {
                let (w4, w2) = (&t.forward[4..8], &t.forward[2..4]);
                for (g, (x, y)) in x.chunks(8 * L).zip(y.chunks(8 * L)).enumerate() {
                    for (b, block) in x.chunks(8).enumerate() {
                        let mut v: Vec<i128> = block.iter().map(|&x| int(x)).collect();
                        for (h, w) in [(4, w4), (2, w2), (1, &w2[..1])] {
                            for j in (0..8).filter(|j| j & h == 0) {
                                let (a, c) = (v[j], v[j + h]);
                                v[j] = r(a + c);
                                v[j + h] = r((a - c) * r(int(w[j % h])));
                            }
                        }
                        for (j, &v) in v.iter().enumerate() {
                            check(y[j * L + b], v, p, &format!("p = {p}, last, {g} {b} {j}"));
                        }
                    }
                }
            }
            let x = extremes(p, 1, 8 * 256, |i| {
                (i % 3 > 0).then_some(((i / 8) >> (i % 8)) & 1 == 1)
            });
            let mut y = x.clone();
            if !f.inverse_first(&mut y, &t.inverse[2..4], &t.inverse[4..8]) {
                eprintln!("no {L}-lane kernels on this processor: their last stages untested");
                continue;
            }
            assert!(f.forward_last(&mut y, &t.forward[4..8], &t.forward[2..4]));
            for (i, (&x, &y)) in x.iter().zip(&y).enumerate() {
                check(y, 8 * int(x), p, &format!("p = {p}, last stages, {i}"));
            }
        }
    }

    #[test]
    fn stages_hold_at_their_bounds_4() {
        stages_hold_at_their_bounds::<4>();
    }

    #[test]
    fn stages_hold_at_their_bounds_8() {
        stages_hold_at_their_bounds::<8>();
    }
}
