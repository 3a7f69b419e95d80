//! AVX-512 IFMA kernels for the stages of the 52-bit Montgomery transform,
//! eight butterflies at a time.
//!
//! Each kernel runs only after runtime detection of the instructions and
//! computes what the scalar stages of `natural/mul/ntt/montgomery52.rs`
//! compute: the same values modulo `p`, in the same ranges (the forward
//! stages keep values in `[0, 2p)`, the inverse ones in `[0, 4p)`), so
//! products never depend on the processor.

use super::layout::{blocks_fit, groups_fit, quarters_fit, thirds_fit, whole};

/// Whether the kernels run: the chosen family (see [`super::kernel_family`]).
pub(crate) fn available() -> bool {
    super::kernel_family() == super::KernelFamily::Avx512Ifma
}

/// The lanes of a vector: eight 64-bit values.
const LANES: usize = 8;

/// Whether the processor has the kernels' instructions.
pub(super) fn detected() -> bool {
    #[cfg(target_arch = "x86_64")]
    return x86::available();
    #[cfg(not(target_arch = "x86_64"))]
    return false;
}

/// Runs kernel `$kernel` if `$fits` and the IFMA family is chosen, which
/// the processor then has (see [`available`]), returning `true`; else
/// `false`, nothing done.
macro_rules! run {
    ($fits:expr, $kernel:ident $(::<$($generic:tt),*>)? ($($arg:expr),*)) => {{
        #[cfg(target_arch = "x86_64")]
        if $fits && available() {
            // SAFETY: `available` says the processor has AVX-512F and IFMA;
            // `$fits` checked the lengths the kernel needs.
            unsafe { x86::$kernel $(::<$($generic),*>)? ($($arg),*) };
            return true;
        }
        false
    }};
}

/// A forward stage `(u, v) -> (u + v, (u - v)·w)` modulo `p < 2^50` with
/// `R = 2^52` (`INVERSE`: the inverse stage `(u, v) -> (u + v·w, u - v·w)`);
/// `false` (and nothing done) when the kernels do not apply.
pub(crate) fn stage<const INVERSE: bool>(
    lo: &mut [u64],
    hi: &mut [u64],
    w: &[u64],
    p: u64,
    p_inv: u64,
) -> bool {
    run!(
        whole(LANES, &[lo.len(), hi.len(), w.len()]),
        stage::<INVERSE>(lo, hi, w, p, p_inv)
    )
}

/// Two forward stages at once (see `Field::forward_stage2`, and its
/// `ahead`; with `ZERO_HALF`, on quarters whose last two are zero, see
/// `Field::forward_stage2_half`); `false` (and nothing done) when the
/// kernels do not apply.
pub(crate) fn forward_stage2<const ZERO_HALF: bool>(
    q: &mut [&mut [u64]; 4],
    w: [&[u64]; 3],
    (p, p_inv): (u64, u64),
    ahead: usize,
) -> bool {
    run!(
        quarters_fit(LANES, q, &w),
        forward_stage2::<ZERO_HALF>(q, w, p, p_inv, ahead)
    )
}

/// Two inverse stages at once (see `Field::inverse_stage2`); see
/// [`forward_stage2`].
pub(crate) fn inverse_stage2(
    q: &mut [&mut [u64]; 4],
    w: [&[u64]; 3],
    (p, p_inv): (u64, u64),
    ahead: usize,
) -> bool {
    run!(
        quarters_fit(LANES, q, &w),
        inverse_stage2(q, w, p, p_inv, ahead)
    )
}

/// [`forward_stage2`] (`INVERSE`: [`inverse_stage2`]) on each block of `a`
/// whose quarters are as long as each of `w`, with the same twiddles;
/// `false` (and nothing done) when the kernels do not apply.
pub(crate) fn stage2_blocks<const INVERSE: bool>(
    a: &mut [u64],
    w: [&[u64]; 3],
    p: u64,
    p_inv: u64,
) -> bool {
    run!(
        blocks_fit(LANES, a, &w),
        stage2_blocks::<INVERSE>(a, w, p, p_inv)
    )
}

/// A forward radix-3 step (see `Field::forward_radix3`; `INVERSE`:
/// `Field::inverse_radix3`), the last `zeros` thirds (forward only) taken
/// as zero and not read; `false` (and nothing done) when the kernels do
/// not apply.
pub(crate) fn radix3<const INVERSE: bool>(
    x: &mut [&mut [u64]; 3],
    w: [&[u64]; 2],
    (omega, zeros): (u64, usize),
    p: u64,
    p_inv: u64,
) -> bool {
    let fits = thirds_fit(LANES, x, &w);
    match zeros {
        0 => run!(fits, radix3::<INVERSE, 0>(x, w, omega, p, p_inv)),
        1 => run!(fits, radix3::<INVERSE, 1>(x, w, omega, p, p_inv)),
        _ => run!(fits, radix3::<INVERSE, 2>(x, w, omega, p, p_inv)),
    }
}

/// The last three forward stages over blocks of 8, leaving each group of
/// 64 values transposed, given the twiddles `w_8^j` and `w_4^j` (`w4`,
/// `w2`; the first of each one, which the kernel does not multiply by:
/// `one`, `2^52 mod p` in Montgomery form); `false` (and nothing done)
/// when not applicable.
pub(crate) fn forward_last(
    a: &mut [u64],
    w4: &[u64],
    w2: &[u64],
    (p, p_inv): (u64, u64),
    one: u64,
) -> bool {
    run!(
        groups_fit(LANES, a, w4, w2) && first_ones(w4, w2, one),
        forward_last(a, w4, w2, p, p_inv)
    )
}

/// The inverse of [`forward_last`], from its layout (the twiddles `w_4^-j`
/// and `w_8^-j`).
pub(crate) fn inverse_first(
    a: &mut [u64],
    w2: &[u64],
    w4: &[u64],
    (p, p_inv): (u64, u64),
    one: u64,
) -> bool {
    run!(
        groups_fit(LANES, a, w4, w2) && first_ones(w4, w2, one),
        inverse_first(a, w2, w4, p, p_inv)
    )
}

/// Whether the first of `w4` and of `w2` is `one`.
fn first_ones(w4: &[u64], w2: &[u64], one: u64) -> bool {
    w4.first() == Some(&one) && w2.first() == Some(&one)
}

/// `dst[i] = src[i] / 2^52 mod p` (see `Field::residue`); `false` (and
/// nothing done) when not applicable.
pub(crate) fn residues_into(dst: &mut [u64], src: &[u64], p: u64, p_inv: u64) -> bool {
    run!(
        whole(LANES, &[dst.len(), src.len()]),
        residues_into(dst, src, p, p_inv)
    )
}

/// `dst[i]` = the residue `d / 2^52 mod p` of the balanced digit
/// `d = src[i + 1] + t(src[i]) - 2^64·t(src[i + 1])`, `t` the top bit
/// (`src` one longer than `dst`), given the residues `[1 / 2^52, 2^64 / 2^52]`
/// mod p; `false` (and nothing done) when not applicable.
pub(crate) fn balanced_residues_into(
    dst: &mut [u64],
    src: &[u64],
    p: u64,
    p_inv: u64,
    one_and_two_to_64: [u64; 2],
) -> bool {
    run!(
        whole(LANES, &[dst.len()]) && src.len() == dst.len() + 1,
        balanced_residues_into(dst, src, p, p_inv, one_and_two_to_64)
    )
}

/// `dst[i] = (dst[i] + high[i]·2^64) / 2^52 mod p` for `high[i] < 2^52`,
/// given `k = 2^64 mod p`; `false` (and nothing done) when not applicable.
pub(crate) fn wide_residues_into(
    dst: &mut [u64],
    high: &[u64],
    p: u64,
    p_inv: u64,
    k: u64,
) -> bool {
    run!(
        whole(LANES, &[dst.len(), high.len()]),
        wide_residues_into(dst, high, p, p_inv, k)
    )
}

/// `x[i] = x[i]·y[i]·scale / R²` (`y` absent: `x[i]²·scale / R²`); `false`
/// (and nothing done) when not applicable.
pub(crate) fn pointwise(x: &mut [u64], y: Option<&[u64]>, scale: u64, p: u64, p_inv: u64) -> bool {
    run!(
        whole(LANES, &[x.len()]) && y.is_none_or(|y| y.len() == x.len()),
        pointwise(x, y, scale, p, p_inv)
    )
}

/// `dst[i] = src[i]·c / R` (see `Field::scale`); `false` (and nothing
/// done) when not applicable.
pub(crate) fn scale(dst: &mut [u64], src: &[u64], c: u64, p: u64, p_inv: u64) -> bool {
    run!(
        whole(LANES, &[dst.len(), src.len()]),
        scale(dst, src, c, p, p_inv)
    )
}

/// Garner's recombination of the residues `residues[i][c]` modulo
/// `primes[i]` (Montgomery constants `p_invs[i]`; `inverse[i][j]` is
/// `p_j^-1` in field `i`'s Montgomery form), `K` primes: word `w` of
/// coefficient `c`'s value goes to `words[w * stride + c]`. `false` (and
/// nothing done) when not applicable.
pub(crate) fn crt_words<const K: usize>(
    residues: &[&[u64]; K],
    primes: &[u64; K],
    p_invs: &[u64; K],
    inverse: &[[u64; 4]; 4],
    words: &mut [u64],
    stride: usize,
) -> bool {
    let count = residues[0].len();
    run!(
        (2..=4).contains(&K)
            && whole(LANES, &residues.map(<[u64]>::len))
            && count <= stride
            && words.len() >= (K - 1) * stride + count,
        crt_words::<K>(residues, primes, p_invs, inverse, words, stride)
    )
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    use super::super::fma::x86::{avx512_ops as fma, fetch};
    use super::super::layout::quarters;

    /// The low 52 bits, IFMA's operand width.
    const MASK: i64 = (1 << 52) - 1;

    pub(super) fn available() -> bool {
        is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("avx512ifma")
    }

    /// `offset` plus `a·b / 2^52` modulo `p` per lane as a difference in
    /// `(-p, p)` (two's complement), for `a·b < 2^52·p` and `p < 2^50`: the
    /// high product accumulates `offset` at no cost.
    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    fn montgomery_difference(
        a: __m512i,
        b: __m512i,
        offset: __m512i,
        p: __m512i,
        p_inv: __m512i,
    ) -> __m512i {
        let zero = _mm512_setzero_si512();
        let lo = _mm512_madd52lo_epu64(zero, a, b);
        let hi = _mm512_madd52hi_epu64(offset, a, b);
        let m = _mm512_madd52lo_epu64(zero, lo, p_inv);
        _mm512_sub_epi64(hi, _mm512_madd52hi_epu64(zero, m, p))
    }

    /// `a·b / 2^52 mod p` per lane in `[0, 2p)`, for `a < 4p`, `b < p`.
    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    fn montgomery_lazy(a: __m512i, b: __m512i, p: __m512i, p_inv: __m512i) -> __m512i {
        montgomery_difference(a, b, p, p, p_inv)
    }

    /// A factor `w < p` in every lane with `w·p^-1 mod 2^52`: the factor
    /// `m` of a Montgomery product by it is then one product of the other
    /// operand, three IFMA operations in all instead of four.
    #[derive(Clone, Copy)]
    struct Constant {
        w: __m512i,
        w_p_inv: __m512i,
    }

    /// `w` as a [`Constant`] modulo the prime of `p_inv = p^-1 mod 2^52`.
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn constant(w: u64, p_inv: u64) -> Constant {
        Constant {
            w: _mm512_set1_epi64(w as i64),
            w_p_inv: _mm512_set1_epi64((w.wrapping_mul(p_inv) & MASK as u64) as i64),
        }
    }

    /// [`montgomery_difference`] by a [`Constant`]: `m = a·w·p^-1 mod 2^52`
    /// from `a` directly.
    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    fn montgomery_difference_by(a: __m512i, c: Constant, offset: __m512i, p: __m512i) -> __m512i {
        let zero = _mm512_setzero_si512();
        let hi = _mm512_madd52hi_epu64(offset, a, c.w);
        let m = _mm512_madd52lo_epu64(zero, a, c.w_p_inv);
        _mm512_sub_epi64(hi, _mm512_madd52hi_epu64(zero, m, p))
    }

    /// `a·c.w / 2^52 mod p` per lane, for `a·c.w < 2^52·p`.
    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    fn montgomery_by(a: __m512i, c: Constant, p: __m512i) -> __m512i {
        let r = montgomery_difference_by(a, c, _mm512_setzero_si512(), p);
        _mm512_min_epu64(r, _mm512_add_epi64(r, p))
    }

    /// [`montgomery_lazy`] by a [`Constant`]: in `[0, 2p)`.
    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    fn montgomery_lazy_by(a: __m512i, c: Constant, p: __m512i) -> __m512i {
        montgomery_difference_by(a, c, p, p)
    }

    /// The forward butterfly `(u + v, (u - v)·w)` on values in `[0, 2p)`,
    /// giving values in `[0, 2p)` (`p2 = 2p`): see
    /// `Montgomery52::forward_butterfly`.
    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    fn butterfly(
        u: __m512i,
        v: __m512i,
        w: __m512i,
        [p, p2, p_inv]: [__m512i; 3],
    ) -> (__m512i, __m512i) {
        let d = _mm512_sub_epi64(_mm512_add_epi64(u, p2), v);
        (add(u, v, p2), montgomery_lazy(d, w, p, p_inv))
    }

    /// [`butterfly`] by a [`Constant`] twiddle.
    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    fn butterfly_by(
        u: __m512i,
        v: __m512i,
        w: Constant,
        [p, p2]: [__m512i; 2],
    ) -> (__m512i, __m512i) {
        let d = _mm512_sub_epi64(_mm512_add_epi64(u, p2), v);
        (add(u, v, p2), montgomery_lazy_by(d, w, p))
    }

    /// [`butterfly`] by the twiddle one: the difference reduced below `2p`,
    /// not multiplied.
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn butterfly_by_one(u: __m512i, v: __m512i, p2: __m512i) -> (__m512i, __m512i) {
        let d = _mm512_sub_epi64(_mm512_add_epi64(u, p2), v);
        (add(u, v, p2), reduce_below(d, p2))
    }

    /// The inverse butterfly `(u + v·w, u - v·w)` on values in `[0, 4p)`,
    /// giving values in `[0, 4p)` (`p2 = 2p`): see
    /// `Montgomery52::inverse_butterfly`.
    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    fn inverse_butterfly(
        u: __m512i,
        v: __m512i,
        w: __m512i,
        [p, p2, p_inv]: [__m512i; 3],
    ) -> (__m512i, __m512i) {
        inverse_sum_difference(u, montgomery_lazy(v, w, p, p_inv), p2)
    }

    /// [`inverse_butterfly`] by a [`Constant`] twiddle.
    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    fn inverse_butterfly_by(
        u: __m512i,
        v: __m512i,
        w: Constant,
        [p, p2]: [__m512i; 2],
    ) -> (__m512i, __m512i) {
        inverse_sum_difference(u, montgomery_lazy_by(v, w, p), p2)
    }

    /// `(u + v, u - v)` of an inverse butterfly, `u` below `4p` and the
    /// product `v` below `2p`.
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn inverse_sum_difference(u: __m512i, v: __m512i, p2: __m512i) -> (__m512i, __m512i) {
        let u = reduce_below(u, p2);
        (
            _mm512_add_epi64(u, v),
            _mm512_sub_epi64(_mm512_add_epi64(u, p2), v),
        )
    }

    #[inline]
    #[target_feature(enable = "avx512f")]
    fn add(a: __m512i, b: __m512i, p: __m512i) -> __m512i {
        reduce_below(_mm512_add_epi64(a, b), p)
    }

    /// `a mod m` per lane for `a < 2m`.
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn reduce_below(a: __m512i, m: __m512i) -> __m512i {
        _mm512_min_epu64(a, _mm512_sub_epi64(a, m))
    }

    #[inline]
    #[target_feature(enable = "avx512f")]
    fn diff(a: __m512i, b: __m512i, offset: __m512i) -> __m512i {
        _mm512_sub_epi64(_mm512_add_epi64(a, offset), b)
    }

    #[inline]
    #[target_feature(enable = "avx512f")]
    fn sub(a: __m512i, b: __m512i, p: __m512i) -> __m512i {
        let d = _mm512_sub_epi64(a, b);
        _mm512_min_epu64(d, _mm512_add_epi64(d, p))
    }

    /// A forward stage, or with `INVERSE` an inverse one.
    ///
    /// # Safety
    /// The processor must have AVX-512F and IFMA; the slices must be of one
    /// length, a multiple of 8.
    #[target_feature(enable = "avx512f,avx512ifma")]
    pub(super) unsafe fn stage<const INVERSE: bool>(
        lo: &mut [u64],
        hi: &mut [u64],
        w: &[u64],
        p: u64,
        p_inv: u64,
    ) {
        let k: [__m512i; 3] = broadcast(&[p, 2 * p, p_inv]);
        for ((x, y), w) in lo
            .chunks_exact_mut(8)
            .zip(hi.chunks_exact_mut(8))
            .zip(w.chunks_exact(8))
        {
            // SAFETY: each chunk is exactly eight u64s; the accesses are unaligned ones.
            unsafe {
                let u = _mm512_loadu_si512(x.as_ptr().cast());
                let v = _mm512_loadu_si512(y.as_ptr().cast());
                let w = _mm512_loadu_si512(w.as_ptr().cast());
                let (u, v) = if INVERSE {
                    inverse_butterfly(u, v, w, k)
                } else {
                    butterfly(u, v, w, k)
                };
                _mm512_storeu_si512(x.as_mut_ptr().cast(), u);
                _mm512_storeu_si512(y.as_mut_ptr().cast(), v);
            }
        }
    }

    /// # Safety
    /// The processor must have AVX-512F and IFMA; the quarters and
    /// twiddles must be of one length, a multiple of 8. With `ZERO_HALF`,
    /// the last two quarters are taken as zero (and overwritten); with
    /// `ahead`, the values that far past the quarters' are fetched.
    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    pub(super) unsafe fn forward_stage2<const ZERO_HALF: bool>(
        q: &mut [&mut [u64]; 4],
        w: [&[u64]; 3],
        p: u64,
        p_inv: u64,
        ahead: usize,
    ) {
        let k: [__m512i; 3] = broadcast(&[p, 2 * p, p_inv]);
        let [p, _, p_inv] = k;
        for i in (0..q[0].len()).step_by(8) {
            if ahead > 0 {
                q.iter().for_each(|row| fetch(row, i + ahead));
            }
            // SAFETY: i + 8 <= the common length of every slice; unaligned accesses.
            unsafe {
                let load = |s: &[u64]| _mm512_loadu_si512(s.as_ptr().add(i).cast());
                let (a, b) = (load(q[0]), load(q[1]));
                // The outer stage: (u, 0) -> (u, u·w) when the upper half is zero.
                let ((a, c), (b, d)) = if ZERO_HALF {
                    (
                        (a, montgomery_lazy(a, load(w[0]), p, p_inv)),
                        (b, montgomery_lazy(b, load(w[1]), p, p_inv)),
                    )
                } else {
                    let (c, d) = (load(q[2]), load(q[3]));
                    (
                        butterfly(a, c, load(w[0]), k),
                        butterfly(b, d, load(w[1]), k),
                    )
                };
                let inner = load(w[2]);
                let (a, b) = butterfly(a, b, inner, k);
                let (c, d) = butterfly(c, d, inner, k);
                for (s, v) in q.iter_mut().zip([a, b, c, d]) {
                    _mm512_storeu_si512(s.as_mut_ptr().add(i).cast(), v);
                }
            }
        }
    }

    /// # Safety
    /// As for [`forward_stage2`].
    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    pub(super) unsafe fn inverse_stage2(
        q: &mut [&mut [u64]; 4],
        w: [&[u64]; 3],
        p: u64,
        p_inv: u64,
        ahead: usize,
    ) {
        let k: [__m512i; 3] = broadcast(&[p, 2 * p, p_inv]);
        for i in (0..q[0].len()).step_by(8) {
            if ahead > 0 {
                q.iter().for_each(|row| fetch(row, i + ahead));
            }
            // SAFETY: i + 8 <= the common length of every slice; unaligned accesses.
            unsafe {
                let load = |s: &[u64]| _mm512_loadu_si512(s.as_ptr().add(i).cast());
                let (a, b, c, d) = (load(q[0]), load(q[1]), load(q[2]), load(q[3]));
                let inner = load(w[2]);
                let (a, b) = inverse_butterfly(a, b, inner, k);
                let (c, d) = inverse_butterfly(c, d, inner, k);
                let (a, c) = inverse_butterfly(a, c, load(w[0]), k);
                let (b, d) = inverse_butterfly(b, d, load(w[1]), k);
                for (s, v) in q.iter_mut().zip([a, b, c, d]) {
                    _mm512_storeu_si512(s.as_mut_ptr().add(i).cast(), v);
                }
            }
        }
    }

    /// # Safety
    /// As for [`forward_stage2`], with `a` a whole number of blocks of four
    /// quarters as long as each of `w`.
    #[target_feature(enable = "avx512f,avx512ifma")]
    pub(super) unsafe fn stage2_blocks<const INVERSE: bool>(
        a: &mut [u64],
        w: [&[u64]; 3],
        p: u64,
        p_inv: u64,
    ) {
        let len = w[0].len();
        for block in a.chunks_exact_mut(4 * len) {
            let mut q = quarters(block);
            // SAFETY: the same features; the quarters and twiddles are of one length.
            unsafe {
                if INVERSE {
                    inverse_stage2(&mut q, w, p, p_inv, 0);
                } else {
                    forward_stage2::<false>(&mut q, w, p, p_inv, 0);
                }
            }
        }
    }

    /// See `scalar::forward_radix3` and `scalar::inverse_radix3`.
    ///
    /// # Safety
    /// The processor must have AVX-512F and IFMA; the thirds and twiddles
    /// must be of one length, a multiple of 8.
    #[target_feature(enable = "avx512f,avx512ifma")]
    pub(super) unsafe fn radix3<const INVERSE: bool, const ZEROS: usize>(
        x: &mut [&mut [u64]; 3],
        w: [&[u64]; 2],
        omega: u64,
        p: u64,
        p_inv: u64,
    ) {
        let omega = constant(omega, p_inv);
        let [p, p2, p_inv]: [__m512i; 3] = broadcast(&[p, 2 * p, p_inv]);
        for i in (0..x[0].len()).step_by(8) {
            // SAFETY: i + 8 <= the common length of every slice; unaligned accesses.
            unsafe {
                let load = |s: &[u64]| _mm512_loadu_si512(s.as_ptr().add(i).cast());
                let third = |s: &[u64], zero: bool| {
                    if zero {
                        _mm512_setzero_si512()
                    } else {
                        load(s)
                    }
                };
                let (a, b, c) = (load(x[0]), third(x[1], ZEROS >= 2), third(x[2], ZEROS >= 1));
                let (w1, w2) = (load(w[0]), load(w[1]));
                let y = if INVERSE {
                    // From values below 4p, as inverse transforms leave
                    // them, to values below 4p, each y and u below 2p.
                    let y0 = reduce_below(a, p2);
                    let y1 = montgomery_lazy(b, w1, p, p_inv);
                    let y2 = montgomery_lazy(c, w2, p, p_inv);
                    let u = montgomery_lazy_by(diff(y1, y2, p2), omega, p);
                    [
                        _mm512_add_epi64(add(y0, y1, p2), y2),
                        diff(reduce_below(diff(y0, y1, p2), p2), u, p2),
                        _mm512_add_epi64(reduce_below(diff(y0, y2, p2), p2), u),
                    ]
                } else {
                    // From residues below p to values below 2p, as forward
                    // stages take them; u below 2p.
                    let u = montgomery_lazy_by(diff(b, c, p), omega, p);
                    let p3 = _mm512_add_epi64(p2, p);
                    [
                        reduce_below(_mm512_add_epi64(_mm512_add_epi64(a, b), c), p2),
                        montgomery_lazy(_mm512_add_epi64(diff(a, c, p), u), w1, p, p_inv),
                        montgomery_lazy(
                            diff(diff(a, b, p3), u, _mm512_setzero_si512()),
                            w2,
                            p,
                            p_inv,
                        ),
                    ]
                };
                for (s, v) in x.iter_mut().zip(y) {
                    _mm512_storeu_si512(s.as_mut_ptr().add(i).cast(), v);
                }
            }
        }
    }

    /// Rows of doubles (as the double-precision kernels load and store
    /// them) as rows of integers.
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn to_int(rows: [__m512d; 8]) -> [__m512i; 8] {
        rows.map(|r| _mm512_castpd_si512(r))
    }

    /// The inverse of [`to_int`].
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn to_double(rows: [__m512i; 8]) -> [__m512d; 8] {
        rows.map(|r| _mm512_castsi512_pd(r))
    }

    /// Each value in all eight lanes.
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn broadcast<const N: usize>(values: &[u64]) -> [__m512i; N] {
        std::array::from_fn(|j| _mm512_set1_epi64(values[j] as i64))
    }

    /// The twiddles `w_8^j` and `w_4^j` of the last three stages as
    /// [`Constant`]s.
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn twiddle_constants(w4: &[u64], w2: &[u64], p_inv: u64) -> ([Constant; 4], [Constant; 2]) {
        let c = |w: &[u64], j: usize| constant(w[j], p_inv);
        (
            std::array::from_fn(|j| c(w4, j)),
            std::array::from_fn(|j| c(w2, j)),
        )
    }

    /// # Safety
    /// The processor must have AVX-512F and IFMA.
    #[target_feature(enable = "avx512f,avx512ifma")]
    pub(super) unsafe fn forward_last(a: &mut [u64], w4: &[u64], w2: &[u64], p: u64, p_inv: u64) {
        let [p, p2]: [__m512i; 2] = broadcast(&[p, 2 * p]);
        let (w4, w2) = twiddle_constants(w4, w2, p_inv);
        for group in a.chunks_exact_mut(64) {
            // Row j: value j of each of the eight blocks.
            let mut r = to_int(fma::load_columns(group));
            // Twiddles of one (`j = 0`): the difference is reduced, not
            // multiplied; half-length 1 takes only those, and its sum and
            // difference modulo 2p stay in [0, 2p).
            let k = [p, p2];
            (r[0], r[4]) = butterfly_by_one(r[0], r[4], p2);
            (r[1], r[5]) = butterfly_by(r[1], r[5], w4[1], k);
            (r[2], r[6]) = butterfly_by(r[2], r[6], w4[2], k);
            (r[3], r[7]) = butterfly_by(r[3], r[7], w4[3], k);
            (r[0], r[2]) = butterfly_by_one(r[0], r[2], p2);
            (r[1], r[3]) = butterfly_by(r[1], r[3], w2[1], k);
            (r[4], r[6]) = butterfly_by_one(r[4], r[6], p2);
            (r[5], r[7]) = butterfly_by(r[5], r[7], w2[1], k);
            for j in [0, 2, 4, 6] {
                (r[j], r[j + 1]) = (add(r[j], r[j + 1], p2), sub(r[j], r[j + 1], p2));
            }
            fma::store_rows(group, &to_double(r));
        }
    }

    /// # Safety
    /// The processor must have AVX-512F and IFMA.
    #[target_feature(enable = "avx512f,avx512ifma")]
    pub(super) unsafe fn inverse_first(a: &mut [u64], w2: &[u64], w4: &[u64], p: u64, p_inv: u64) {
        let [p, p2]: [__m512i; 2] = broadcast(&[p, 2 * p]);
        let (w4, w2) = twiddle_constants(w4, w2, p_inv);
        for group in a.chunks_exact_mut(64) {
            let mut r = to_int(fma::load_rows(group));
            // The first stage takes pointwise products, in [0, p); twiddles
            // of one as in `forward_last`.
            let k = [p, p2];
            for j in [0, 2, 4, 6] {
                (r[j], r[j + 1]) = (add(r[j], r[j + 1], p), sub(r[j], r[j + 1], p));
            }
            (r[0], r[2]) = inverse_sum_difference(r[0], reduce_below(r[2], p2), p2);
            (r[1], r[3]) = inverse_butterfly_by(r[1], r[3], w2[1], k);
            (r[4], r[6]) = inverse_sum_difference(r[4], reduce_below(r[6], p2), p2);
            (r[5], r[7]) = inverse_butterfly_by(r[5], r[7], w2[1], k);
            (r[0], r[4]) = inverse_sum_difference(r[0], reduce_below(r[4], p2), p2);
            (r[1], r[5]) = inverse_butterfly_by(r[1], r[5], w4[1], k);
            (r[2], r[6]) = inverse_butterfly_by(r[2], r[6], w4[2], k);
            (r[3], r[7]) = inverse_butterfly_by(r[3], r[7], w4[3], k);
            fma::store_columns(group, &to_double(r));
        }
    }

    /// `a / 2^52 mod p` per lane for any `a < 2^64`: with `a = h·2^52 + l`
    /// and `m·p ≡ l (mod 2^52)`, `a - m·p` is `(h - floor(m·p / 2^52))·2^52`.
    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    fn residue(a: __m512i, p: __m512i, p_inv: __m512i) -> __m512i {
        let zero = _mm512_setzero_si512();
        let m = _mm512_madd52lo_epu64(zero, _mm512_and_si512(a, _mm512_set1_epi64(MASK)), p_inv);
        sub(
            _mm512_srli_epi64::<52>(a),
            _mm512_madd52hi_epu64(zero, m, p),
            p,
        )
    }

    /// # Safety
    /// The processor must have AVX-512F and IFMA; `dst` and `src` of one
    /// length, a multiple of 8.
    #[target_feature(enable = "avx512f,avx512ifma")]
    pub(super) unsafe fn residues_into(dst: &mut [u64], src: &[u64], p: u64, p_inv: u64) {
        let [p, p_inv]: [__m512i; 2] = broadcast(&[p, p_inv]);
        for (d, s) in dst.chunks_exact_mut(8).zip(src.chunks_exact(8)) {
            // SAFETY: eight u64s each; unaligned accesses.
            unsafe {
                let a = _mm512_loadu_si512(s.as_ptr().cast());
                _mm512_storeu_si512(d.as_mut_ptr().cast(), residue(a, p, p_inv));
            }
        }
    }

    /// # Safety
    /// The processor must have AVX-512F and IFMA; `dst` of a length that is
    /// a multiple of 8, `src` one longer.
    #[target_feature(enable = "avx512f,avx512ifma")]
    pub(super) unsafe fn balanced_residues_into(
        dst: &mut [u64],
        src: &[u64],
        p: u64,
        p_inv: u64,
        [one, two_to_64]: [u64; 2],
    ) {
        let [p, p_inv, one, two_to_64]: [__m512i; 4] = broadcast(&[p, p_inv, one, two_to_64]);
        let zero = _mm512_setzero_si512();
        for (i, d) in dst.chunks_exact_mut(8).enumerate() {
            let s = &src[8 * i..8 * i + 9];
            // SAFETY: eight u64s from each of `s[0]`, `s[1]` and `d[0]`;
            // unaligned accesses.
            unsafe {
                let before = _mm512_loadu_si512(s.as_ptr().cast());
                let limb = _mm512_loadu_si512(s[1..].as_ptr().cast());
                // The limb's residue, plus 1 where the limb before has its
                // top bit, less 2^64 where this one has.
                let carry = _mm512_maskz_mov_epi64(_mm512_cmplt_epi64_mask(before, zero), one);
                let borrow = _mm512_maskz_mov_epi64(_mm512_cmplt_epi64_mask(limb, zero), two_to_64);
                let x = sub(add(residue(limb, p, p_inv), carry, p), borrow, p);
                _mm512_storeu_si512(d.as_mut_ptr().cast(), x);
            }
        }
    }

    /// # Safety
    /// The processor must have AVX-512F and IFMA; `dst` and `high` of one
    /// length, a multiple of 8.
    #[target_feature(enable = "avx512f,avx512ifma")]
    pub(super) unsafe fn wide_residues_into(
        dst: &mut [u64],
        high: &[u64],
        p: u64,
        p_inv: u64,
        k: u64,
    ) {
        let k = constant(k, p_inv);
        let [p, p_inv]: [__m512i; 2] = broadcast(&[p, p_inv]);
        for (d, h) in dst.chunks_exact_mut(8).zip(high.chunks_exact(8)) {
            // SAFETY: eight u64s each; unaligned accesses.
            unsafe {
                let a = _mm512_loadu_si512(d.as_ptr().cast());
                let top = montgomery_by(_mm512_loadu_si512(h.as_ptr().cast()), k, p);
                _mm512_storeu_si512(d.as_mut_ptr().cast(), add(residue(a, p, p_inv), top, p));
            }
        }
    }

    /// # Safety
    /// The processor must have AVX-512F and IFMA; `x` (and `y`) of one
    /// length, a multiple of 8.
    #[target_feature(enable = "avx512f,avx512ifma")]
    pub(super) unsafe fn pointwise(
        x: &mut [u64],
        y: Option<&[u64]>,
        scale: u64,
        p: u64,
        p_inv: u64,
    ) {
        let scale = constant(scale, p_inv);
        let (p, p_inv) = (_mm512_set1_epi64(p as i64), _mm512_set1_epi64(p_inv as i64));
        for (i, chunk) in x.chunks_exact_mut(8).enumerate() {
            // SAFETY: eight u64s each (`y` has x's length); unaligned accesses.
            unsafe {
                let a = _mm512_loadu_si512(chunk.as_ptr().cast());
                let b = match y {
                    Some(y) => _mm512_loadu_si512(y[8 * i..].as_ptr().cast()),
                    None => a,
                };
                // a, b < 2p (as forward transforms leave them): a·b < 2^52·p.
                let product = montgomery_by(montgomery_lazy(a, b, p, p_inv), scale, p);
                _mm512_storeu_si512(chunk.as_mut_ptr().cast(), product);
            }
        }
    }

    /// # Safety
    /// The processor must have AVX-512F and IFMA; `dst` and `src` of one
    /// length, a multiple of 8.
    #[target_feature(enable = "avx512f,avx512ifma")]
    pub(super) unsafe fn scale(dst: &mut [u64], src: &[u64], c: u64, p: u64, p_inv: u64) {
        let (c, p) = (constant(c, p_inv), _mm512_set1_epi64(p as i64));
        for (d, s) in dst.chunks_exact_mut(8).zip(src.chunks_exact(8)) {
            // SAFETY: eight u64s each; unaligned accesses.
            unsafe {
                let a = _mm512_loadu_si512(s.as_ptr().cast());
                _mm512_storeu_si512(d.as_mut_ptr().cast(), montgomery_by(a, c, p));
            }
        }
    }

    /// # Safety
    /// The processor must have AVX-512F and IFMA; `K` residue slices of one
    /// length, a multiple of 8 and at most `stride`, and `K` primes below
    /// 2^50; `words` at least `(K - 1) * stride + count` long.
    #[target_feature(enable = "avx512f,avx512ifma")]
    pub(super) unsafe fn crt_words<const K: usize>(
        residues: &[&[u64]],
        primes: &[u64],
        p_invs: &[u64],
        inverse: &[[u64; 4]; 4],
        words: &mut [u64],
        stride: usize,
    ) {
        let zero = _mm512_setzero_si512();
        let mask = _mm512_set1_epi64(MASK);
        let p: [__m512i; K] = broadcast(primes);
        let p2: [__m512i; K] = std::array::from_fn(|i| _mm512_add_epi64(p[i], p[i]));
        let inverse: [[Constant; K]; K] =
            std::array::from_fn(|i| std::array::from_fn(|j| constant(inverse[i][j], p_invs[i])));
        for c in (0..residues[0].len()).step_by(8) {
            // Mixed-radix digits v_i < p_i: x = v_0 + v_1·p_0 + v_2·p_0·p_1 + ...
            let mut v = [zero; K];
            for i in 0..K {
                // SAFETY: c + 8 <= the length of every residue slice.
                let t = unsafe { _mm512_loadu_si512(residues[i].as_ptr().add(c).cast()) };
                // Residues below 4p_i, as inverse transforms leave them;
                // t stays below 2p_i, and v_j < p_j < 2p_i, so that
                // t + 2p_i - v_j is below 4p_i, as lazy products take it.
                let mut t = reduce_below(t, p2[i]);
                for j in 0..i {
                    t = montgomery_lazy_by(diff(t, v[j], p2[i]), inverse[i][j], p[i]);
                }
                v[i] = reduce_below(t, p[i]);
            }
            // x by Horner's rule in digits of 52 bits: d = v_j + p_j·d.
            let mut d = [zero; 4];
            d[0] = v[K - 1];
            for j in (0..K - 1).rev() {
                let mut e = [zero; 4];
                e[0] = v[j];
                for t in 0..K - 1 - j {
                    e[t] = _mm512_madd52lo_epu64(e[t], p[j], d[t]);
                    e[t + 1] = _mm512_madd52hi_epu64(e[t + 1], p[j], d[t]);
                }
                for t in 0..K - 1 - j {
                    e[t + 1] = _mm512_add_epi64(e[t + 1], _mm512_srli_epi64::<52>(e[t]));
                    e[t] = _mm512_and_si512(e[t], mask);
                }
                d = e;
            }
            // Digits of 52 bits to words of 64.
            let or = _mm512_or_si512;
            let w = [
                or(d[0], _mm512_slli_epi64::<52>(d[1])),
                or(_mm512_srli_epi64::<12>(d[1]), _mm512_slli_epi64::<40>(d[2])),
                or(_mm512_srli_epi64::<24>(d[2]), _mm512_slli_epi64::<28>(d[3])),
                _mm512_srli_epi64::<36>(d[3]),
            ];
            for (k, w) in w.iter().enumerate().take(K) {
                // SAFETY: k * stride + c + 8 <= (K - 1) * stride + count <= words.len().
                unsafe { _mm512_storeu_si512(words.as_mut_ptr().add(k * stride + c).cast(), *w) };
            }
        }
    }
}
