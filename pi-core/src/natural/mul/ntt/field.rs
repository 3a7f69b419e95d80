//! Arithmetic modulo one prime (the [`Field`] trait), with the hooks by
//! which a field's vector kernels take over transform stages.

use super::scalar;
use crate::simd::quarters;

/// Arithmetic modulo one prime, in Montgomery form with a field-specific `R`.
pub(super) trait Field: Copy + Send + Sync + 'static {
    /// The primes, each with a generator of its multiplicative group.
    const PRIMES: &'static [(u64, u64)];

    /// The field of integers modulo `p`, one of [`Field::PRIMES`].
    fn new(p: u64) -> Self;
    /// The prime.
    fn modulus(self) -> u64;
    /// `a · b / R mod p` for `a, b < p`, or any `a·b < 4p²`: with one
    /// factor in Montgomery form, the result is in the other factor's form.
    fn mul(self, a: u64, b: u64) -> u64;
    /// `R² mod p`.
    fn r2(self) -> u64;
    /// `a mod p` for any `a`.
    fn reduce(self, a: u64) -> u64;

    /// `a mod p` for `a` below one of this field's primes.
    #[inline(always)]
    fn reduce_residue(self, a: u64) -> u64 {
        self.reduce(a)
    }

    /// The integer in `[0, p)` of a value that [`Field::mul`] gave.
    #[inline(always)]
    fn integer(self, a: u64) -> u64 {
        a
    }

    /// `a mod p` for `a < 4p`: an inverse transform's value.
    #[inline(always)]
    fn reduce_lazy(self, a: u64) -> u64 {
        let p = self.modulus();
        reduce_below(reduce_below(a, 2 * p), p)
    }

    #[inline(always)]
    fn add(self, a: u64, b: u64) -> u64 {
        reduce_below(a + b, self.modulus())
    }

    #[inline(always)]
    fn sub(self, a: u64, b: u64) -> u64 {
        let d = a.wrapping_sub(b);
        d.min(d.wrapping_add(self.modulus()))
    }

    fn to_montgomery(self, a: u64) -> u64 {
        self.mul(self.reduce(a), self.r2())
    }

    /// `base^exp` for `base` in Montgomery form, in Montgomery form.
    fn pow(self, base: u64, mut exp: u64) -> u64 {
        let mut result = self.to_montgomery(1);
        let mut b = base;
        while exp > 0 {
            if exp & 1 == 1 {
                result = self.mul(result, b);
            }
            b = self.mul(b, b);
            exp >>= 1;
        }
        result
    }

    /// The inverse of a value in Montgomery form, in Montgomery form.
    fn inverse(self, a: u64) -> u64 {
        self.pow(a, self.modulus() - 2)
    }

    /// The residue `a / R mod p` of a coefficient `a` (any `u64`), as the
    /// transforms take it: one Montgomery reduction.
    #[inline(always)]
    fn residue(self, a: u64) -> u64 {
        self.mul(a, 1)
    }

    /// `dst[i] = residue(src[i])`; `dst` may be longer than `src` (the rest
    /// is left as it is).
    fn residues_into(self, dst: &mut [u64], src: &[u64]) {
        scalar::residues_into(self, dst, src);
    }

    /// `dst[i]` = the residue (as [`Field::residue`] gives it) of balanced
    /// digit `start + i` of `limbs` (see `packing.rs`).
    fn balanced_residues_into(self, dst: &mut [u64], limbs: &[u64], start: usize) {
        scalar::balanced_residues_into(self, dst, (limbs, start), 1, |_, _| false);
    }

    /// `dst[i] = (dst[i] + high[i]·2^64) / R mod p`, for `high[i] < 2^52`:
    /// the residues of coefficients wider than a limb.
    fn wide_residues_into(self, dst: &mut [u64], high: &[u64]) {
        scalar::wide_residues_into(self, dst, high);
    }

    /// Garner's recombination on vectors (see `garner.rs`) of the residues
    /// modulo the primes of `K` `fields`, given `inverse[i][j] = p_j^-1` in
    /// field `i`'s Montgomery form: word `w` of coefficient `c`'s value goes
    /// to `words[w * stride + c]`. `false` (nothing done) when this field
    /// has no such kernel for these lengths.
    fn crt_words<const K: usize>(
        _fields: &[Self; K],
        _residues: &[&[u64]; K],
        _inverse: &[[u64; 4]; 4],
        _words: &mut [u64],
        _stride: usize,
    ) -> bool {
        false
    }

    /// The first half of [`Field::crt_words`], for fields whose kernels
    /// stop there: the mixed-radix digits `d_i < p_i` of each coefficient
    /// `c`'s value `d_0 + d_1·p_0 + d_2·p_0·p_1 + ...` go to
    /// `digits[i * count + c]` (`count` the residues of each prime).
    /// `false` (nothing done) when this field has no such kernel for these
    /// lengths.
    fn crt_digits<const K: usize>(
        _fields: &[Self; K],
        _residues: &[&[u64]; K],
        _inverse: &[[u64; 4]; 4],
        _digits: &mut [u64],
    ) -> bool {
        false
    }

    /// `x[i] = x[i]·y[i]·scale / R²` (`y` absent: `x[i]²·scale / R²`).
    fn pointwise(self, x: &mut [u64], y: Option<&[u64]>, scale: u64) {
        scalar::pointwise(self, x, y, scale);
    }

    /// `acc[i] = acc[i] + x[i]`.
    fn add_into(self, acc: &mut [u64], x: &[u64]) {
        scalar::add_into(self, acc, x);
    }

    /// `dst[i] = src[i]·c / R` (`dst` and `src` of one length).
    fn scale(self, dst: &mut [u64], src: &[u64], c: u64) {
        scalar::scale(self, dst, src, c);
    }

    /// The last three forward stages (half-lengths 4, 2, 1) over all the
    /// blocks of 8 in `a`, given `w4 = w_8^0..4` and `w2 = w_4^0..2`, leaving
    /// each group of 64 values transposed as 8×8; `false` (nothing done) when
    /// this field has no such kernel for `a`. [`Field::inverse_first`] must
    /// then apply too.
    fn forward_last(self, _a: &mut [u64], _w4: &[u64], _w2: &[u64]) -> bool {
        false
    }

    /// The inverse of [`Field::forward_last`]'s stages, from its layout.
    fn inverse_first(self, _a: &mut [u64], _w2: &[u64], _w4: &[u64]) -> bool {
        false
    }

    /// The forward butterfly `(u, v) -> (u + v, (u - v)·w)`. A field may
    /// keep the forward transform's values in `[0, 2p)` instead of
    /// `[0, p)`: its stages take and give such values, and its
    /// [`Field::mul`] (hence [`Field::pointwise`]) takes them.
    #[inline(always)]
    fn forward_butterfly(self, u: u64, v: u64, w: u64) -> (u64, u64) {
        (self.add(u, v), self.mul(self.sub(u, v), w))
    }

    /// The inverse butterfly `(u, v) -> (u + v·w, u - v·w)`. A field may
    /// leave the inverse transform's values in `[0, 4p)` instead of
    /// `[0, p)`: its stages take and give such values, and its
    /// [`Field::mul`] takes them (the recombination reduces them).
    #[inline(always)]
    fn inverse_butterfly(self, u: u64, v: u64, w: u64) -> (u64, u64) {
        let v = self.mul(v, w);
        (self.add(u, v), self.sub(u, v))
    }

    /// One decimation-in-frequency stage: `(u, v) -> (u + v, (u - v)·w)`.
    #[inline(always)]
    fn forward_stage(self, lo: &mut [u64], hi: &mut [u64], w: &[u64]) {
        scalar::forward_stage(self, lo, hi, w);
    }

    /// One decimation-in-time stage: `(u, v) -> (u + v·w, u - v·w)`.
    #[inline(always)]
    fn inverse_stage(self, lo: &mut [u64], hi: &mut [u64], w: &[u64]) {
        scalar::inverse_stage(self, lo, hi, w);
    }

    /// Two forward stages in one pass over the quarters `q` of a block: the
    /// outer one on `(q0, q2)` and `(q1, q3)` with twiddles `w[0]` and
    /// `w[1]`, then the inner one on `(q0, q1)` and `(q2, q3)` with `w[2]`.
    /// Where `ahead` is not zero, the vector kernels fetch into cache, as
    /// they go, the values `ahead` past each quarter's (the next chunk of
    /// rows of a pass over memory); no other effect.
    fn forward_stage2(self, q: [&mut [u64]; 4], w: [&[u64]; 3], _ahead: usize) {
        scalar::forward_stage2(self, q, w);
    }

    /// [`Field::forward_stage2`] where the last two quarters are zero
    /// (their old values are ignored and overwritten).
    fn forward_stage2_half(self, q: [&mut [u64]; 4], w: [&[u64]; 3], _ahead: usize) {
        scalar::forward_stage2_half(self, q, w);
    }

    /// The inverse of [`Field::forward_stage2`]: the inner stage, then the
    /// outer one.
    fn inverse_stage2(self, q: [&mut [u64]; 4], w: [&[u64]; 3], _ahead: usize) {
        scalar::inverse_stage2(self, q, w);
    }

    /// [`Field::forward_stage2`] (`inverse`: [`Field::inverse_stage2`]) on
    /// each block of `a` whose quarters are as long as each of `w`, with
    /// the same twiddles.
    fn stage2_blocks(self, a: &mut [u64], w: [&[u64]; 3], inverse: bool) {
        each_block(self, a, w, inverse);
    }

    /// A forward radix-3 step (see `radix3.rs`) on thirds `x` with twiddles
    /// `w = [w^j, w^2j]` and the cube root of unity `omega`, the last
    /// `zeros` thirds (at most two) taken as zero and not read.
    fn forward_radix3(self, x: [&mut [u64]; 3], w: [&[u64]; 2], (omega, zeros): (u64, usize)) {
        scalar::forward_radix3(self, x, w, (omega, zeros));
    }

    /// The inverse radix-3 step, with `w = [w^-j, w^-2j]`.
    fn inverse_radix3(self, x: [&mut [u64]; 3], w: [&[u64]; 2], omega: u64) {
        scalar::inverse_radix3(self, x, w, omega);
    }
}

/// [`Field::stage2_blocks`] one block at a time.
pub(super) fn each_block<F: Field>(f: F, a: &mut [u64], w: [&[u64]; 3], inverse: bool) {
    for block in a.chunks_exact_mut(4 * w[0].len()) {
        if inverse {
            f.inverse_stage2(quarters(block), w, 0);
        } else {
            f.forward_stage2(quarters(block), w, 0);
        }
    }
}

/// `a mod m` for `a < 2m`, branch-free: data-dependent branches
/// mispredict half the time here.
#[inline(always)]
pub(super) fn reduce_below(a: u64, m: u64) -> u64 {
    a.min(a.wrapping_sub(m))
}
