//! Double-precision kernels for transforms modulo primes below 2^50 whose
//! residues are integers held in doubles (their bits in `u64` slots), as
//! FLINT's `fft_small` holds them: `LANES` values at a time, four with AVX2
//! and FMA, eight with AVX-512F.
//!
//! A product `a·w` is exact as `h + l`, `h` the rounded product and `l`
//! its error by a fused multiply-subtract; the quotient `q = round(h/p)`
//! makes `a·w - q·p` small, and computing it as `(h - q·p) + l` is exact.
//! Values stay integers below `2^53` in magnitude, so every step is exact:
//! the kernels compute the residues the scalar field computes (see
//! `natural/mul/ntt/double50.rs`), only in other representatives. Ranges:
//! transform values at most `2p` in magnitude between stages, twiddles and
//! constants at most about `p/2` (balanced).

use super::layout::{blocks_fit, groups_fit, quarters_fit, thirds_fit, whole};

/// A prime `p < 2^50` as the kernels take it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Modulus {
    /// `p`.
    pub(crate) p: f64,
    /// `1/p`, rounded.
    pub(crate) inv: f64,
}

/// Whether the processor has the `lanes`-wide kernels (4: AVX2 and FMA;
/// 8: AVX-512F).
pub(crate) fn detected(lanes: usize) -> bool {
    #[cfg(target_arch = "x86_64")]
    return match lanes {
        4 => is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma"),
        8 => is_x86_feature_detected!("avx512f"),
        _ => false,
    };
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = lanes;
        false
    }
}

/// Runs kernel `$kernel` of the `$lanes`-wide family if `$fits` and the
/// processor has it, returning `true`; else `false`, nothing done.
macro_rules! run {
    ($lanes:expr, $fits:expr, $kernel:ident $(::<$($generic:tt),*>)? ($($arg:expr),*)) => {{
        #[cfg(target_arch = "x86_64")]
        {
            let lanes: usize = $lanes;
            if $fits(lanes) && detected(lanes) {
                // SAFETY: `detected` checked that the processor has the
                // instructions of the family of `lanes` lanes.
                unsafe {
                    if lanes == 8 {
                        x86::avx512::$kernel $(::<$($generic),*>)? ($($arg),*);
                    } else {
                        x86::avx2::$kernel $(::<$($generic),*>)? ($($arg),*);
                    }
                }
                return true;
            }
        }
        false
    }};
}

/// A forward stage `(u, v) -> (u + v, (u - v)·w)` (`INVERSE`: the inverse
/// stage `(u, v) -> (u + v·w, u - v·w)`); `false` when not applicable.
pub(crate) fn stage<const INVERSE: bool>(
    lanes: usize,
    lo: &mut [u64],
    hi: &mut [u64],
    w: &[u64],
    m: Modulus,
) -> bool {
    let fits = |l| whole(l, &[lo.len(), hi.len(), w.len()]);
    run!(lanes, fits, stage::<INVERSE>(lo, hi, w, m))
}

/// Two forward stages on quarters `q` (see `Field::forward_stage2`, and
/// its `ahead`; with `ZERO_HALF` the last two are taken as zero); `false`
/// when not applicable.
pub(crate) fn forward_stage2<const ZERO_HALF: bool>(
    lanes: usize,
    q: &mut [&mut [u64]; 4],
    w: [&[u64]; 3],
    m: Modulus,
    ahead: usize,
) -> bool {
    let fits = |l| quarters_fit(l, q, &w);
    run!(lanes, fits, forward_stage2::<ZERO_HALF>(q, w, m, ahead))
}

/// Two inverse stages on quarters `q`; see [`forward_stage2`].
pub(crate) fn inverse_stage2(
    lanes: usize,
    q: &mut [&mut [u64]; 4],
    w: [&[u64]; 3],
    m: Modulus,
    ahead: usize,
) -> bool {
    let fits = |l| quarters_fit(l, q, &w);
    run!(lanes, fits, inverse_stage2(q, w, m, ahead))
}

/// [`forward_stage2`] (`INVERSE`: [`inverse_stage2`]) on each block of `a`
/// whose quarters are as long as each of `w`.
pub(crate) fn stage2_blocks<const INVERSE: bool>(
    lanes: usize,
    a: &mut [u64],
    w: [&[u64]; 3],
    m: Modulus,
) -> bool {
    let fits = |l| blocks_fit(l, a, &w);
    run!(lanes, fits, stage2_blocks::<INVERSE>(a, w, m))
}

/// A radix-3 step on thirds `x` (see `Field::forward_radix3`; `INVERSE`:
/// `Field::inverse_radix3`), the last `zeros` thirds (forward only) taken
/// as zero and not read; `false` when not applicable.
pub(crate) fn radix3<const INVERSE: bool>(
    lanes: usize,
    x: &mut [&mut [u64]; 3],
    w: [&[u64]; 2],
    (omega, zeros): (u64, usize),
    m: Modulus,
) -> bool {
    let fits = |l| thirds_fit(l, x, &w);
    match zeros {
        0 => run!(lanes, fits, radix3::<INVERSE, 0>(x, w, omega, m)),
        1 => run!(lanes, fits, radix3::<INVERSE, 1>(x, w, omega, m)),
        _ => run!(lanes, fits, radix3::<INVERSE, 2>(x, w, omega, m)),
    }
}

/// The last three forward stages (half-lengths 4, 2, 1) over the blocks
/// of 8 of `a`, in groups of `8·lanes` values left in a layout of their
/// own that [`inverse_first`] takes, given the twiddles `w_8^j` and
/// `w_4^j` (`w4`, `w2`; the first of each one, which the kernel does not
/// multiply by); `false` when not applicable.
pub(crate) fn forward_last(
    lanes: usize,
    a: &mut [u64],
    w4: &[u64],
    w2: &[u64],
    m: Modulus,
) -> bool {
    let fits = |l| groups_fit(l, a, w4, w2) && first_ones(w4, w2);
    run!(lanes, fits, forward_last(a, w4, w2, m))
}

/// The inverse of [`forward_last`]'s stages, from its layout.
pub(crate) fn inverse_first(
    lanes: usize,
    a: &mut [u64],
    w2: &[u64],
    w4: &[u64],
    m: Modulus,
) -> bool {
    let fits = |l| groups_fit(l, a, w4, w2) && first_ones(w4, w2);
    run!(lanes, fits, inverse_first(a, w2, w4, m))
}

/// Whether the first of `w4` and of `w2` is one (see [`forward_last`]).
fn first_ones(w4: &[u64], w2: &[u64]) -> bool {
    let one = 1f64.to_bits();
    w4.first() == Some(&one) && w2.first() == Some(&one)
}

/// `dst[i] = src[i] mod p`, given `c32 = 2^32 mod p`; with `high`,
/// `dst[i] = (dst[i] + high[i]·2^64) mod p` for `high[i] < 2^52`, given
/// `c64 = 2^64 mod p`. `false` when not applicable.
pub(crate) fn residues(
    lanes: usize,
    dst: &mut [u64],
    src: Option<&[u64]>,
    high: Option<&[u64]>,
    [c32, c64]: [u64; 2],
    m: Modulus,
) -> bool {
    let fits = |l| {
        whole(l, &[dst.len()])
            && src.is_none_or(|s| s.len() == dst.len())
            && high.is_none_or(|h| h.len() == dst.len())
    };
    run!(lanes, fits, residues(dst, src, high, [c32, c64], m))
}

/// `dst[i]` = the residue mod p of the balanced digit
/// `src[i + 1] + t(src[i]) - 2^64·t(src[i + 1])`, `t` the top bit (`src`
/// one longer than `dst`), given `c32 = 2^32 mod p`; `false` when not
/// applicable.
pub(crate) fn balanced_residues(
    lanes: usize,
    dst: &mut [u64],
    src: &[u64],
    c32: u64,
    m: Modulus,
) -> bool {
    let fits = |l| whole(l, &[dst.len()]) && src.len() == dst.len() + 1;
    run!(lanes, fits, balanced_residues(dst, src, c32, m))
}

/// `x[i] = x[i]·y[i]·scale` (`y` absent: `x[i]²·scale`); `false` when not
/// applicable.
pub(crate) fn pointwise(
    lanes: usize,
    x: &mut [u64],
    y: Option<&[u64]>,
    scale: u64,
    m: Modulus,
) -> bool {
    let fits = |l| whole(l, &[x.len()]) && y.is_none_or(|y| y.len() == x.len());
    run!(lanes, fits, pointwise(x, y, scale, m))
}

/// `dst[i] = src[i]·c`, balanced; `false` when not applicable.
pub(crate) fn scale(lanes: usize, dst: &mut [u64], src: &[u64], c: u64, m: Modulus) -> bool {
    let fits = |l| whole(l, &[dst.len(), src.len()]);
    run!(lanes, fits, scale(dst, src, c, m))
}

/// `acc[i] = acc[i] + x[i]`; `false` when not applicable.
pub(crate) fn add_into(lanes: usize, acc: &mut [u64], x: &[u64], m: Modulus) -> bool {
    let fits = |l| whole(l, &[acc.len(), x.len()]);
    run!(lanes, fits, add_into(acc, x, m))
}

/// Garner's mixed-radix digits of the coefficients whose residues modulo
/// `K` primes (`moduli`) are `residues[i][c]`: `digits[i * count + c]`,
/// below `p_i`, where `x = d_0 + d_1·p_0 + d_2·p_0·p_1 + ...`, given
/// `inverse[i][j] = p_j^-1 mod p_i`. `false` when not applicable.
pub(crate) fn mixed_radix<const K: usize>(
    lanes: usize,
    residues: &[&[u64]; K],
    moduli: &[Modulus; K],
    inverse: &[[u64; 4]; 4],
    digits: &mut [u64],
) -> bool {
    let count = residues[0].len();
    let fits = |l| {
        whole(l, &residues.map(<[u64]>::len)) && digits.len() == K * count && (2..=4).contains(&K)
    };
    run!(
        lanes,
        fits,
        mixed_radix::<K>(residues, moduli, inverse, digits)
    )
}

#[cfg(target_arch = "x86_64")]
pub(super) mod x86 {
    /// The kernels, written once over the vector operations of a family
    /// (`$ops`, whose functions all enable `$features`).
    macro_rules! kernels {
        ($family:ident, $features:literal, $ops:ident) => {
            pub(super) mod $family {
                use super::super::Modulus;
                use super::$ops::*;
                use super::{fetch, LINE};
                use crate::simd::layout::quarters;

                /// A modulus in every lane.
                #[derive(Clone, Copy)]
                struct M {
                    p: V,
                    inv: V,
                    /// 1.5·2^52: added to a double below 2^51 in magnitude,
                    /// it leaves the nearest integer in the mantissa.
                    rounder: V,
                }

                #[inline]
                #[target_feature(enable = $features)]
                fn modulus(m: Modulus) -> M {
                    M {
                        p: splat(m.p),
                        inv: splat(m.inv),
                        rounder: splat(6_755_399_441_055_744.0),
                    }
                }

                /// A value held in a `u64` slot, in every lane.
                #[inline]
                #[target_feature(enable = $features)]
                fn splat_bits(x: u64) -> V {
                    splat(f64::from_bits(x))
                }

                /// The integer nearest `x·(1/p)`, for `|x/p| < 2^51`: one
                /// fused multiply-add and a subtraction (a rounding
                /// instruction is two operations on Intel's cores).
                #[inline]
                #[target_feature(enable = $features)]
                fn quotient(x: V, m: M) -> V {
                    sub(fmadd(x, m.inv, m.rounder), m.rounder)
                }

                /// `x - round(x/p)·p`: at most about `p/2` in magnitude, for
                /// `|x| < 2^53`.
                #[inline]
                #[target_feature(enable = $features)]
                fn reduce(x: V, m: M) -> V {
                    fnmadd(quotient(x, m), m.p, x)
                }

                /// `a·b mod p`, exact, for `|a·b/p| < 2^51` (as for `a` at
                /// most `4p` and `b` at most `p/2 + 1` in magnitude: `p` is
                /// below 2^49.98): at most `p` in magnitude.
                #[inline]
                #[target_feature(enable = $features)]
                fn mulmod(a: V, b: V, m: M) -> V {
                    let h = mul(a, b);
                    let l = fmsub(a, b, h);
                    add(fnmadd(quotient(h, m), m.p, h), l)
                }

                /// [`mulmod`] for any `|a·b| < 2^102`: in magnitude at most
                /// `p` plus `|a·b|/p · 2^-51` (so `2p` for `|a·b| <= 4p²`).
                #[inline]
                #[target_feature(enable = $features)]
                fn mulmod_wide(a: V, b: V, m: M) -> V {
                    let h = mul(a, b);
                    let l = fmsub(a, b, h);
                    let q = round(mul(h, m.inv));
                    add(fnmadd(q, m.p, h), l)
                }

                /// `(u + v, (u - v)·w)` from and to magnitudes at most `2p`.
                #[inline]
                #[target_feature(enable = $features)]
                fn forward(u: V, v: V, w: V, m: M) -> (V, V) {
                    (reduce(add(u, v), m), mulmod(sub(u, v), w, m))
                }

                /// [`forward`] with the sum left unreduced: from `u` and `v`
                /// at most `2p` in magnitude, a sum at most `4p` and a
                /// product at most `p`.
                #[inline]
                #[target_feature(enable = $features)]
                fn forward_unreduced(u: V, v: V, w: V, m: M) -> (V, V) {
                    (add(u, v), mulmod(sub(u, v), w, m))
                }

                /// `(u + v·w, u - v·w)` from magnitudes at most `4p` to at
                /// most `1.5p`.
                #[inline]
                #[target_feature(enable = $features)]
                fn inverse(u: V, v: V, w: V, m: M) -> (V, V) {
                    inverse_unreduced(reduce(u, m), v, w, m)
                }

                /// [`inverse`] with `u` left unreduced: from `u` and `v` at
                /// most `2p` in magnitude to at most `3p`, which an
                /// [`inverse`] stage still takes.
                #[inline]
                #[target_feature(enable = $features)]
                fn inverse_unreduced(u: V, v: V, w: V, m: M) -> (V, V) {
                    let t = mulmod(v, w, m);
                    (add(u, t), sub(u, t))
                }

                #[target_feature(enable = $features)]
                pub(crate) fn stage<const INVERSE: bool>(
                    lo: &mut [u64],
                    hi: &mut [u64],
                    w: &[u64],
                    m: Modulus,
                ) {
                    let m = modulus(m);
                    let n = lo.len();
                    let (lo, hi, w) = (&mut lo[..n], &mut hi[..n], &w[..n]);
                    for i in starts(n) {
                        let (u, v, w) = (load(lo, i), load(hi, i), load(w, i));
                        let (u, v) = if INVERSE {
                            inverse(u, v, w, m)
                        } else {
                            forward(u, v, w, m)
                        };
                        store(lo, i, u);
                        store(hi, i, v);
                    }
                }

                #[target_feature(enable = $features)]
                pub(crate) fn forward_stage2<const ZERO_HALF: bool>(
                    q: &mut [&mut [u64]; 4],
                    w: [&[u64]; 3],
                    m: Modulus,
                    ahead: usize,
                ) {
                    let m = modulus(m);
                    let n = q[0].len();
                    let [q0, q1, q2, q3] = q;
                    let (q0, q1, q2, q3) = (&mut q0[..n], &mut q1[..n], &mut q2[..n], &mut q3[..n]);
                    let w = [&w[0][..n], &w[1][..n], &w[2][..n]];
                    for i in starts(n) {
                        if ahead > 0 && i % LINE == 0 {
                            [&*q0, &*q1, &*q2, &*q3]
                                .into_iter()
                                .for_each(|row| fetch(row, i + ahead));
                        }
                        let (a, b) = (load(q0, i), load(q1, i));
                        let (w0, w1) = (load(w[0], i), load(w[1], i));
                        // The outer stage: (u, 0) -> (u, u·w) on zeros.
                        let ((a, c), (b, d)) = if ZERO_HALF {
                            ((a, mulmod(a, w0, m)), (b, mulmod(b, w1, m)))
                        } else {
                            let (c, d) = (load(q2, i), load(q3, i));
                            (
                                forward_unreduced(a, c, w0, m),
                                forward_unreduced(b, d, w1, m),
                            )
                        };
                        let inner = load(w[2], i);
                        // c and d are at most p (products); a and b are at
                        // most p/2 (residues) on zeros, else sums at most 4p
                        // whose difference, at most 8p, mulmod_wide takes
                        // (8p·(p/2 + 1) < 2^102 for p < 2^49.98).
                        let (a, b) = if ZERO_HALF {
                            forward_unreduced(a, b, inner, m)
                        } else {
                            (reduce(add(a, b), m), mulmod_wide(sub(a, b), inner, m))
                        };
                        let (c, d) = forward_unreduced(c, d, inner, m);
                        store(q0, i, a);
                        store(q1, i, b);
                        store(q2, i, c);
                        store(q3, i, d);
                    }
                }

                #[target_feature(enable = $features)]
                pub(crate) fn inverse_stage2(
                    q: &mut [&mut [u64]; 4],
                    w: [&[u64]; 3],
                    m: Modulus,
                    ahead: usize,
                ) {
                    let m = modulus(m);
                    let n = q[0].len();
                    let [q0, q1, q2, q3] = q;
                    let (q0, q1, q2, q3) = (&mut q0[..n], &mut q1[..n], &mut q2[..n], &mut q3[..n]);
                    let w = [&w[0][..n], &w[1][..n], &w[2][..n]];
                    for i in starts(n) {
                        if ahead > 0 && i % LINE == 0 {
                            [&*q0, &*q1, &*q2, &*q3]
                                .into_iter()
                                .for_each(|row| fetch(row, i + ahead));
                        }
                        let (a, b, c, d) = (load(q0, i), load(q1, i), load(q2, i), load(q3, i));
                        let inner = load(w[2], i);
                        // Inputs at most 2p: the inner stage's values, at
                        // most 3p, are reduced or multiplied by the outer.
                        let (a, b) = inverse_unreduced(a, b, inner, m);
                        let (c, d) = inverse_unreduced(c, d, inner, m);
                        let (a, c) = inverse(a, c, load(w[0], i), m);
                        let (b, d) = inverse(b, d, load(w[1], i), m);
                        store(q0, i, a);
                        store(q1, i, b);
                        store(q2, i, c);
                        store(q3, i, d);
                    }
                }

                #[target_feature(enable = $features)]
                pub(crate) fn stage2_blocks<const INVERSE: bool>(
                    a: &mut [u64],
                    w: [&[u64]; 3],
                    m: Modulus,
                ) {
                    let len = w[0].len();
                    for block in a.chunks_exact_mut(4 * len) {
                        let mut q = quarters(block);
                        if INVERSE {
                            inverse_stage2(&mut q, w, m, 0);
                        } else {
                            forward_stage2::<false>(&mut q, w, m, 0);
                        }
                    }
                }

                /// See `scalar::forward_radix3` and `scalar::inverse_radix3`.
                #[target_feature(enable = $features)]
                pub(crate) fn radix3<const INVERSE: bool, const ZEROS: usize>(
                    x: &mut [&mut [u64]; 3],
                    w: [&[u64]; 2],
                    omega: u64,
                    m: Modulus,
                ) {
                    let omega = splat_bits(omega);
                    let m = modulus(m);
                    let third = |s: &[u64], i: usize, zero: bool| {
                        if zero {
                            splat(0.0)
                        } else {
                            load(s, i)
                        }
                    };
                    let n = x[0].len();
                    let [x0, x1, x2] = x;
                    let (x0, x1, x2) = (&mut x0[..n], &mut x1[..n], &mut x2[..n]);
                    let w = [&w[0][..n], &w[1][..n]];
                    for i in starts(n) {
                        let (a, b, c) = (
                            load(x0, i),
                            third(x1, i, ZEROS >= 2),
                            third(x2, i, ZEROS >= 1),
                        );
                        let (w1, w2) = (load(w[0], i), load(w[1], i));
                        let y = if INVERSE {
                            let (y0, y1, y2) = (reduce(a, m), mulmod(b, w1, m), mulmod(c, w2, m));
                            let u = mulmod(sub(y1, y2), omega, m);
                            [
                                reduce(add(add(y0, y1), y2), m),
                                reduce(sub(sub(y0, y1), u), m),
                                reduce(add(sub(y0, y2), u), m),
                            ]
                        } else {
                            let u = mulmod(sub(b, c), omega, m);
                            [
                                reduce(add(add(a, b), c), m),
                                mulmod(add(sub(a, c), u), w1, m),
                                mulmod(sub(sub(a, b), u), w2, m),
                            ]
                        };
                        store(x0, i, y[0]);
                        store(x1, i, y[1]);
                        store(x2, i, y[2]);
                    }
                }

                #[target_feature(enable = $features)]
                pub(crate) fn forward_last(a: &mut [u64], w4: &[u64], w2: &[u64], m: Modulus) {
                    let m = modulus(m);
                    let w4: [V; 4] = std::array::from_fn(|j| splat_bits(w4[j]));
                    let w2: [V; 2] = std::array::from_fn(|j| splat_bits(w2[j]));
                    for group in a.chunks_exact_mut(8 * LANES) {
                        // Row j: value j of each of the group's blocks.
                        let mut r = load_columns(group);
                        // After the first stage, sums are at most p/2
                        // (reduced) and differences at most p (products).
                        // Twiddles of one (`w4[0]`, `w2[0]`): the
                        // difference is reduced, not multiplied.
                        let by_one = |u: V, v: V| (reduce(add(u, v), m), reduce(sub(u, v), m));
                        (r[0], r[4]) = by_one(r[0], r[4]);
                        for j in 1..4 {
                            (r[j], r[j + 4]) = forward(r[j], r[j + 4], w4[j], m);
                        }
                        for j in [0, 4] {
                            (r[j], r[j + 2]) =
                                (add(r[j], r[j + 2]), reduce(sub(r[j], r[j + 2]), m));
                            (r[j + 1], r[j + 3]) = forward_unreduced(r[j + 1], r[j + 3], w2[1], m);
                        }
                        for j in [0, 2, 4, 6] {
                            (r[j], r[j + 1]) = by_one(r[j], r[j + 1]);
                        }
                        store_rows(group, &r);
                    }
                }

                #[target_feature(enable = $features)]
                pub(crate) fn inverse_first(a: &mut [u64], w2: &[u64], w4: &[u64], m: Modulus) {
                    let m = modulus(m);
                    let w4: [V; 4] = std::array::from_fn(|j| splat_bits(w4[j]));
                    let w2: [V; 2] = std::array::from_fn(|j| splat_bits(w2[j]));
                    for group in a.chunks_exact_mut(8 * LANES) {
                        let mut r = load_rows(group);
                        // From pointwise products, at most p: at most 2p
                        // after the first stage, 4p after the second (whose
                        // twiddle one leaves 2p unreduced, the others a
                        // product at most p). Twiddles of one as in
                        // `forward_last`.
                        for j in [0, 2, 4, 6] {
                            (r[j], r[j + 1]) = (add(r[j], r[j + 1]), sub(r[j], r[j + 1]));
                        }
                        for j in [0, 4] {
                            (r[j], r[j + 2]) = (add(r[j], r[j + 2]), sub(r[j], r[j + 2]));
                            (r[j + 1], r[j + 3]) = inverse_unreduced(r[j + 1], r[j + 3], w2[1], m);
                        }
                        let (u, v) = (reduce(r[0], m), reduce(r[4], m));
                        (r[0], r[4]) = (add(u, v), sub(u, v));
                        for j in 1..4 {
                            (r[j], r[j + 4]) = inverse(r[j], r[j + 4], w4[j], m);
                        }
                        store_columns(group, &r);
                    }
                }

                /// `a mod p` for any `a < 2^64`, at most about `p/2`.
                #[inline]
                #[target_feature(enable = $features)]
                fn residue(a: I, c32: V, m: M) -> V {
                    let (high, low) = split32(a);
                    reduce(add(mulmod(high, c32, m), low), m)
                }

                #[target_feature(enable = $features)]
                pub(crate) fn residues(
                    dst: &mut [u64],
                    src: Option<&[u64]>,
                    high: Option<&[u64]>,
                    [c32, c64]: [u64; 2],
                    m: Modulus,
                ) {
                    let (c32, c64) = (splat_bits(c32), splat_bits(c64));
                    let m = modulus(m);
                    let n = dst.len();
                    let (src, high) = (src.map(|s| &s[..n]), high.map(|h| &h[..n]));
                    for i in starts(n) {
                        let mut x = residue(load_int(src.unwrap_or(dst), i), c32, m);
                        if let Some(high) = high {
                            // Below 2^52: exact as a double.
                            let top = mulmod_wide(int_to_double(load_int(high, i)), c64, m);
                            x = reduce(add(x, top), m);
                        }
                        store(dst, i, x);
                    }
                }

                #[target_feature(enable = $features)]
                pub(crate) fn balanced_residues(
                    dst: &mut [u64],
                    src: &[u64],
                    c32: u64,
                    m: Modulus,
                ) {
                    let c32 = splat_bits(c32);
                    let m = modulus(m);
                    for i in (0..dst.len()).step_by(LANES) {
                        // The limb as a signed integer, plus the limb
                        // before's top bit: the digit.
                        let (high, low) = split32_signed(load_int(src, i + 1));
                        let carry = top_bit(load_int(src, i));
                        store(
                            dst,
                            i,
                            reduce(add(mulmod(high, c32, m), add(low, carry)), m),
                        );
                    }
                }

                #[target_feature(enable = $features)]
                pub(crate) fn pointwise(x: &mut [u64], y: Option<&[u64]>, scale: u64, m: Modulus) {
                    let scale = splat_bits(scale);
                    let m = modulus(m);
                    let n = x.len();
                    let y = y.map(|y| &y[..n]);
                    for i in starts(n) {
                        let a = load(x, i);
                        let b = y.map_or(a, |y| load(y, i));
                        store(x, i, mulmod(mulmod_wide(a, b, m), scale, m));
                    }
                }

                #[target_feature(enable = $features)]
                pub(crate) fn scale(dst: &mut [u64], src: &[u64], c: u64, m: Modulus) {
                    let c = splat_bits(c);
                    let m = modulus(m);
                    let n = dst.len();
                    let src = &src[..n];
                    for i in starts(n) {
                        store(dst, i, reduce(mulmod(load(src, i), c, m), m));
                    }
                }

                #[target_feature(enable = $features)]
                pub(crate) fn add_into(acc: &mut [u64], x: &[u64], m: Modulus) {
                    let m = modulus(m);
                    let n = acc.len();
                    let x = &x[..n];
                    for i in starts(n) {
                        let sum = add(load(acc, i), load(x, i));
                        store(acc, i, reduce(sum, m));
                    }
                }

                /// `x mod p` in `[0, p)`, for `|x| < 2^52`.
                #[inline]
                #[target_feature(enable = $features)]
                fn canonical(x: V, m: M) -> V {
                    add_if_negative(reduce(x, m), m.p)
                }

                #[target_feature(enable = $features)]
                pub(crate) fn mixed_radix<const K: usize>(
                    residues: &[&[u64]; K],
                    moduli: &[Modulus; K],
                    inverse: &[[u64; 4]; 4],
                    digits: &mut [u64],
                ) {
                    let count = residues[0].len();
                    let m: [M; K] = std::array::from_fn(|i| modulus(moduli[i]));
                    let inverse: [[V; 4]; K] =
                        std::array::from_fn(|i| std::array::from_fn(|j| splat_bits(inverse[i][j])));
                    for c in (0..count).step_by(LANES) {
                        let mut d = [splat(0.0); K];
                        for i in 0..K {
                            let mut t = load(residues[i], c);
                            for j in 0..i {
                                // d_j < p_j < 2p_i: the difference is below 3p_i.
                                t = mulmod(sub(t, d[j]), inverse[i][j], m[i]);
                            }
                            d[i] = canonical(t, m[i]);
                            store_int(digits, i * count + c, double_to_int(d[i]));
                        }
                    }
                }
            }
        };
    }

    /// The values in a cache line.
    const LINE: usize = 8;

    /// Fetches the cache line that holds `row[i]` into the L2 cache: an
    /// index past the row's end is allowed (the next row of a pass, or
    /// nothing: a prefetch never faults).
    #[inline]
    pub(in crate::simd) fn fetch(row: &[u64], i: usize) {
        // SAFETY: a prefetch reads nothing into registers and never
        // faults, whatever the address.
        unsafe {
            use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T1};
            _mm_prefetch::<_MM_HINT_T1>(row.as_ptr().wrapping_add(i).cast());
        }
    }

    /// The vector operations the kernels take, for one register width:
    /// `$v` doubles, `$i` integers, the intrinsics of that width by name.
    macro_rules! operations {
        (
            $features:literal, $lanes:literal, $v:ty, $i:ty,
            set1: $set1:ident, loadu: $loadu:ident, storeu: $storeu:ident,
            loadu_int: $loadu_int:ident, storeu_int: $storeu_int:ident,
            add: $add:ident, sub: $sub:ident, mul: $mul:ident,
            fmadd: $fmadd:ident, fmsub: $fmsub:ident, fnmadd: $fnmadd:ident,
            or: $or:ident, and: $and:ident, xor: $xor:ident, set1_int: $set1_int:ident,
            srli: $srli:ident, to_int: $to_int:ident, to_double: $to_double:ident
        ) => {
            pub(super) use std::arch::x86_64::*;

            pub(super) type V = $v;
            pub(super) type I = $i;
            pub(super) const LANES: usize = $lanes;
            const ROUND: i32 = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;
            /// 2^52: the integers below it are its mantissa.
            const TWO_52: f64 = 4_503_599_627_370_496.0;

            #[inline]
            #[target_feature(enable = $features)]
            pub(super) fn splat(x: f64) -> V {
                $set1(x)
            }

            #[inline]
            #[target_feature(enable = $features)]
            pub(super) fn load(s: &[u64], i: usize) -> V {
                let s = &s[i..i + LANES];
                // SAFETY: `s` holds LANES u64s; an unaligned load of their bits.
                unsafe { $loadu(s.as_ptr().cast()) }
            }

            #[inline]
            #[target_feature(enable = $features)]
            pub(super) fn store(s: &mut [u64], i: usize, v: V) {
                let s = &mut s[i..i + LANES];
                // SAFETY: `s` holds LANES u64s; an unaligned store.
                unsafe { $storeu(s.as_mut_ptr().cast(), v) }
            }

            #[inline]
            #[target_feature(enable = $features)]
            pub(super) fn load_int(s: &[u64], i: usize) -> I {
                let s = &s[i..i + LANES];
                // SAFETY: `s` holds LANES u64s; an unaligned load.
                unsafe { $loadu_int(s.as_ptr().cast()) }
            }

            #[inline]
            #[target_feature(enable = $features)]
            pub(super) fn store_int(s: &mut [u64], i: usize, v: I) {
                let s = &mut s[i..i + LANES];
                // SAFETY: `s` holds LANES u64s; an unaligned store.
                unsafe { $storeu_int(s.as_mut_ptr().cast(), v) }
            }

            /// The start of each vector of `n` values (a multiple of
            /// [`LANES`]): starts that the compiler sees stay in slices cut
            /// to `n`, so that their loads and stores need no bounds checks.
            #[inline(always)]
            pub(super) fn starts(n: usize) -> impl Iterator<Item = usize> {
                (0..n / LANES).map(|c| c * LANES)
            }

            #[inline]
            #[target_feature(enable = $features)]
            pub(super) fn add(a: V, b: V) -> V {
                $add(a, b)
            }

            #[inline]
            #[target_feature(enable = $features)]
            pub(super) fn sub(a: V, b: V) -> V {
                $sub(a, b)
            }

            #[inline]
            #[target_feature(enable = $features)]
            pub(super) fn mul(a: V, b: V) -> V {
                $mul(a, b)
            }

            /// `a·b + c`, rounded once.
            #[inline]
            #[target_feature(enable = $features)]
            pub(super) fn fmadd(a: V, b: V, c: V) -> V {
                $fmadd(a, b, c)
            }

            /// `a·b - c`, rounded once.
            #[inline]
            #[target_feature(enable = $features)]
            pub(super) fn fmsub(a: V, b: V, c: V) -> V {
                $fmsub(a, b, c)
            }

            /// `c - a·b`, rounded once.
            #[inline]
            #[target_feature(enable = $features)]
            pub(super) fn fnmadd(a: V, b: V, c: V) -> V {
                $fnmadd(a, b, c)
            }

            /// Integers below 2^52 as doubles.
            #[inline]
            #[target_feature(enable = $features)]
            pub(super) fn int_to_double(x: I) -> V {
                let magic = $set1(TWO_52);
                $sub($to_double($or(x, $to_int(magic))), magic)
            }

            /// Doubles holding integers in `[0, 2^52)` as integers.
            #[inline]
            #[target_feature(enable = $features)]
            pub(super) fn double_to_int(x: V) -> I {
                let magic = $set1(TWO_52);
                $xor($to_int($add(x, magic)), $to_int(magic))
            }

            /// `(a >> 32, a mod 2^32)` as doubles.
            #[inline]
            #[target_feature(enable = $features)]
            pub(super) fn split32(a: I) -> (V, V) {
                let low = $and(a, $set1_int(0xffff_ffff));
                (int_to_double($srli::<32>(a)), int_to_double(low))
            }

            /// [`split32`] of `a` taken as a signed integer: the first in
            /// `[-2^31, 2^31)`.
            #[inline]
            #[target_feature(enable = $features)]
            pub(super) fn split32_signed(a: I) -> (V, V) {
                let low = $and(a, $set1_int(0xffff_ffff));
                // The high half plus 2^31, below 2^32.
                let high = $xor($srli::<32>(a), $set1_int(1 << 31));
                (
                    sub(int_to_double(high), $set1(2_147_483_648.0)),
                    int_to_double(low),
                )
            }

            /// The top bit of `a`, as a double (0 or 1).
            #[inline]
            #[target_feature(enable = $features)]
            pub(super) fn top_bit(a: I) -> V {
                int_to_double($srli::<63>(a))
            }

            #[inline]
            #[target_feature(enable = $features)]
            pub(in crate::simd) fn load_rows(group: &[u64]) -> [V; 8] {
                std::array::from_fn(|i| load(group, LANES * i))
            }

            #[inline]
            #[target_feature(enable = $features)]
            pub(in crate::simd) fn store_rows(group: &mut [u64], r: &[V; 8]) {
                for (i, &v) in r.iter().enumerate() {
                    store(group, LANES * i, v);
                }
            }
        };
    }

    /// AVX2 and FMA: four lanes.
    mod avx2_ops {
        operations!(
            "avx2,fma", 4, __m256d, __m256i,
            set1: _mm256_set1_pd, loadu: _mm256_loadu_pd, storeu: _mm256_storeu_pd,
            loadu_int: _mm256_loadu_si256, storeu_int: _mm256_storeu_si256,
            add: _mm256_add_pd, sub: _mm256_sub_pd, mul: _mm256_mul_pd,
            fmadd: _mm256_fmadd_pd, fmsub: _mm256_fmsub_pd, fnmadd: _mm256_fnmadd_pd,
            or: _mm256_or_si256, and: _mm256_and_si256, xor: _mm256_xor_si256,
            set1_int: _mm256_set1_epi64x, srli: _mm256_srli_epi64,
            to_int: _mm256_castpd_si256, to_double: _mm256_castsi256_pd
        );

        #[inline]
        #[target_feature(enable = "avx2,fma")]
        pub(super) fn round(a: V) -> V {
            _mm256_round_pd::<ROUND>(a)
        }

        /// `x + p` where `x < 0`, else `x`.
        #[inline]
        #[target_feature(enable = "avx2,fma")]
        pub(super) fn add_if_negative(x: V, p: V) -> V {
            let negative = _mm256_cmp_pd::<_CMP_LT_OQ>(x, _mm256_setzero_pd());
            _mm256_add_pd(x, _mm256_and_pd(negative, p))
        }

        /// Transposes four rows of four.
        #[inline]
        #[target_feature(enable = "avx2,fma")]
        fn transpose(r: [V; 4]) -> [V; 4] {
            let t0 = _mm256_unpacklo_pd(r[0], r[1]);
            let t1 = _mm256_unpackhi_pd(r[0], r[1]);
            let t2 = _mm256_unpacklo_pd(r[2], r[3]);
            let t3 = _mm256_unpackhi_pd(r[2], r[3]);
            [
                _mm256_permute2f128_pd::<0x20>(t0, t2),
                _mm256_permute2f128_pd::<0x20>(t1, t3),
                _mm256_permute2f128_pd::<0x31>(t0, t2),
                _mm256_permute2f128_pd::<0x31>(t1, t3),
            ]
        }

        /// Value `j` of each of the four blocks of 8 of `group` in row `j`.
        #[inline]
        #[target_feature(enable = "avx2,fma")]
        pub(super) fn load_columns(group: &[u64]) -> [V; 8] {
            let r = load_rows(group);
            let low = transpose([r[0], r[2], r[4], r[6]]);
            let high = transpose([r[1], r[3], r[5], r[7]]);
            [
                low[0], low[1], low[2], low[3], high[0], high[1], high[2], high[3],
            ]
        }

        /// The inverse of [`load_columns`].
        #[inline]
        #[target_feature(enable = "avx2,fma")]
        pub(super) fn store_columns(group: &mut [u64], r: &[V; 8]) {
            let low = transpose([r[0], r[1], r[2], r[3]]);
            let high = transpose([r[4], r[5], r[6], r[7]]);
            let rows = [
                low[0], high[0], low[1], high[1], low[2], high[2], low[3], high[3],
            ];
            store_rows(group, &rows);
        }
    }

    /// AVX-512F: eight lanes.
    pub(in crate::simd) mod avx512_ops {
        operations!(
            "avx512f", 8, __m512d, __m512i,
            set1: _mm512_set1_pd, loadu: _mm512_loadu_pd, storeu: _mm512_storeu_pd,
            loadu_int: _mm512_loadu_si512, storeu_int: _mm512_storeu_si512,
            add: _mm512_add_pd, sub: _mm512_sub_pd, mul: _mm512_mul_pd,
            fmadd: _mm512_fmadd_pd, fmsub: _mm512_fmsub_pd, fnmadd: _mm512_fnmadd_pd,
            or: _mm512_or_si512, and: _mm512_and_si512, xor: _mm512_xor_si512,
            set1_int: _mm512_set1_epi64, srli: _mm512_srli_epi64,
            to_int: _mm512_castpd_si512, to_double: _mm512_castsi512_pd
        );

        #[inline]
        #[target_feature(enable = "avx512f")]
        pub(super) fn round(a: V) -> V {
            _mm512_roundscale_pd::<ROUND>(a)
        }

        /// `x + p` where `x < 0`, else `x`.
        #[inline]
        #[target_feature(enable = "avx512f")]
        pub(super) fn add_if_negative(x: V, p: V) -> V {
            let negative = _mm512_cmp_pd_mask::<_CMP_LT_OQ>(x, _mm512_setzero_pd());
            _mm512_mask_add_pd(x, negative, x, p)
        }

        /// Transposes 8 rows of 8 (of doubles, or of any 64-bit values cast
        /// to them): at each scale `s`, rows `i` and `i + s` swap their
        /// off-diagonal `s`-wide blocks.
        #[inline]
        #[target_feature(enable = "avx512f")]
        pub(in crate::simd) fn transpose(r: &mut [V; 8]) {
            // For each scale: where the lanes of the lower and of the
            // upper row come from (0..8 the lower row's lanes, 8..16 the
            // upper's).
            const SCALES: [(usize, [i64; 8], [i64; 8]); 3] = [
                (4, [0, 1, 2, 3, 8, 9, 10, 11], [4, 5, 6, 7, 12, 13, 14, 15]),
                (2, [0, 1, 8, 9, 4, 5, 12, 13], [2, 3, 10, 11, 6, 7, 14, 15]),
                (1, [0, 8, 2, 10, 4, 12, 6, 14], [1, 9, 3, 11, 5, 13, 7, 15]),
            ];
            for (s, low, high) in SCALES {
                // SAFETY: reading eight i64s from arrays of eight.
                let (low, high) = unsafe {
                    (
                        _mm512_loadu_si512(low.as_ptr().cast()),
                        _mm512_loadu_si512(high.as_ptr().cast()),
                    )
                };
                for i in (0..8).filter(|i| i & s == 0) {
                    let (a, b) = (r[i], r[i + s]);
                    r[i] = _mm512_permutex2var_pd(a, low, b);
                    r[i + s] = _mm512_permutex2var_pd(a, high, b);
                }
            }
        }

        /// Value `j` of each of the eight blocks of 8 of `group` in row `j`.
        #[inline]
        #[target_feature(enable = "avx512f")]
        pub(in crate::simd) fn load_columns(group: &[u64]) -> [V; 8] {
            let mut r = load_rows(group);
            transpose(&mut r);
            r
        }

        /// The inverse of [`load_columns`].
        #[inline]
        #[target_feature(enable = "avx512f")]
        pub(in crate::simd) fn store_columns(group: &mut [u64], r: &[V; 8]) {
            let mut r = *r;
            transpose(&mut r);
            store_rows(group, &r);
        }
    }

    kernels!(avx2, "avx2,fma", avx2_ops);
    kernels!(avx512, "avx512f", avx512_ops);
}
