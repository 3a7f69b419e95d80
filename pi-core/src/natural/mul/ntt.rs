//! Multiplication by number-theoretic transforms modulo three 62-bit primes.
//!
//! Each 64-bit limb is one coefficient. A coefficient of the product is below
//! `len * 2^128`, and the three primes multiply to about `2^183.7`, so the
//! Chinese remainder theorem recovers every coefficient exactly for any
//! length up to `2^55` limbs. Arithmetic is Montgomery's, with `R = 2^64`.

use rayon::prelude::*;

use super::super::limbs;

/// Primes `c * 2^k + 1` (k >= 55) with a generator of their multiplicative group.
const PRIMES: [(u64, u64); 3] = [
    (4_179_340_454_199_820_289, 3), // 29 * 2^57 + 1
    (2_485_986_994_308_513_793, 5), // 69 * 2^55 + 1
    (1_945_555_039_024_054_273, 5), // 27 * 2^56 + 1
];

/// Arithmetic modulo one odd prime `p < 2^62`.
#[derive(Clone, Copy)]
struct Field {
    p: u64,
    /// `p^-1 mod 2^64`.
    p_inv: u64,
    /// `2^128 mod p`, which maps a value into Montgomery form.
    r2: u64,
}

impl Field {
    fn new(p: u64) -> Field {
        let mut p_inv = p; // correct to 3 bits for odd p; each step doubles that
        for _ in 0..5 {
            p_inv = p_inv.wrapping_mul(2u64.wrapping_sub(p.wrapping_mul(p_inv)));
        }
        let r = ((1u128 << 64) % u128::from(p)) as u64;
        let r2 = (u128::from(r) * u128::from(r) % u128::from(p)) as u64;
        Field { p, p_inv, r2 }
    }

    // Branch-free: data-dependent branches mispredict half the time here.
    #[inline(always)]
    fn sub(self, a: u64, b: u64) -> u64 {
        let d = a.wrapping_sub(b);
        d.min(d.wrapping_add(self.p))
    }

    /// `a * b / 2^64 mod p`: with one factor in Montgomery form the result is
    /// in the other factor's form.
    #[inline(always)]
    fn mul(self, a: u64, b: u64) -> u64 {
        let t = u128::from(a) * u128::from(b);
        let m = (t as u64).wrapping_mul(self.p_inv);
        let mp = ((u128::from(m) * u128::from(self.p)) >> 64) as u64;
        let r = ((t >> 64) as u64).wrapping_sub(mp);
        r.min(r.wrapping_add(self.p))
    }

    /// One decimation-in-frequency stage over `lo` and `hi` (each `m` long).
    #[inline(always)]
    fn forward_stage(self, lo: &mut [u64], hi: &mut [u64], w: &[u64]) {
        for ((x, y), &w) in lo.iter_mut().zip(hi.iter_mut()).zip(w) {
            let (u, v) = (*x, *y);
            let s = u + v;
            *x = s.min(s.wrapping_sub(self.p));
            *y = self.mul(self.sub(u, v), w);
        }
    }

    /// One decimation-in-time stage over `lo` and `hi` (each `m` long).
    #[inline(always)]
    fn inverse_stage(self, lo: &mut [u64], hi: &mut [u64], w: &[u64]) {
        for ((x, y), &w) in lo.iter_mut().zip(hi.iter_mut()).zip(w) {
            let u = *x;
            let v = self.mul(*y, w);
            let s = u + v;
            *x = s.min(s.wrapping_sub(self.p));
            *y = self.sub(u, v);
        }
    }

    fn to_montgomery(self, a: u64) -> u64 {
        self.mul(a % self.p, self.r2)
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

    fn inverse(self, a_montgomery: u64) -> u64 {
        self.pow(a_montgomery, self.p - 2)
    }
}

/// Twiddle factors for transforms of length `n`, in Montgomery form:
/// `forward[m + j] = w_{2m}^j` and `inverse[m + j] = w_{2m}^-j` for each
/// half-length `m` and `j < m`, where `w_{2m}` is a primitive `2m`-th root.
struct Twiddles {
    forward: Vec<u64>,
    inverse: Vec<u64>,
}

impl Twiddles {
    fn new(f: Field, generator: u64, n: usize) -> Twiddles {
        let mut forward = vec![0u64; n.max(2)];
        let mut inverse = vec![0u64; n.max(2)];
        let g = f.to_montgomery(generator);
        let mut m = 1;
        while m < n {
            let w = f.pow(g, (f.p - 1) / (2 * m as u64));
            let w_inv = f.inverse(w);
            let (mut x, mut y) = (f.to_montgomery(1), f.to_montgomery(1));
            for j in 0..m {
                forward[m + j] = x;
                inverse[m + j] = y;
                x = f.mul(x, w);
                y = f.mul(y, w_inv);
            }
            m *= 2;
        }
        Twiddles { forward, inverse }
    }
}

/// Blocks up to this length are transformed stage by stage in cache.
const ITERATIVE_MAX: usize = 1 << 11;
/// Blocks from this length split their work across threads.
const PARALLEL_MIN: usize = 1 << 14;

/// Runs `stage` over matching chunks of `lo`, `hi` and the twiddles `w`,
/// on several threads when the block is large.
fn stage_chunks(
    lo: &mut [u64],
    hi: &mut [u64],
    w: &[u64],
    stage: impl Fn(&mut [u64], &mut [u64], &[u64]) + Sync,
) {
    if lo.len() * 2 < PARALLEL_MIN {
        stage(lo, hi, w);
        return;
    }
    const CHUNK: usize = 1 << 12;
    lo.par_chunks_mut(CHUNK)
        .zip(hi.par_chunks_mut(CHUNK))
        .zip(w.par_chunks(CHUNK))
        .for_each(|((lo, hi), w)| stage(lo, hi, w));
}

/// Decimation-in-frequency transform, natural order in, bit-reversed out;
/// values in `[0, p)` in and out.
fn forward(f: Field, t: &Twiddles, a: &mut [u64]) {
    let n = a.len();
    if n <= ITERATIVE_MAX {
        let mut m = n / 2;
        while m >= 1 {
            let w = &t.forward[m..2 * m];
            for block in a.chunks_exact_mut(2 * m) {
                let (lo, hi) = block.split_at_mut(m);
                f.forward_stage(lo, hi, w);
            }
            m /= 2;
        }
        return;
    }
    let m = n / 2;
    let (lo, hi) = a.split_at_mut(m);
    stage_chunks(lo, hi, &t.forward[m..n], |lo, hi, w| {
        f.forward_stage(lo, hi, w)
    });
    join_if(
        n >= PARALLEL_MIN,
        || forward(f, t, lo),
        || forward(f, t, hi),
    );
}

/// Decimation-in-time inverse of [`forward`] times `a.len()`, bit-reversed
/// order in, natural out; values in `[0, p)` in and out.
fn inverse(f: Field, t: &Twiddles, a: &mut [u64]) {
    let n = a.len();
    if n <= ITERATIVE_MAX {
        let mut m = 1;
        while m < n {
            let w = &t.inverse[m..2 * m];
            for block in a.chunks_exact_mut(2 * m) {
                let (lo, hi) = block.split_at_mut(m);
                f.inverse_stage(lo, hi, w);
            }
            m *= 2;
        }
        return;
    }
    let m = n / 2;
    let (lo, hi) = a.split_at_mut(m);
    join_if(
        n >= PARALLEL_MIN,
        || inverse(f, t, lo),
        || inverse(f, t, hi),
    );
    stage_chunks(lo, hi, &t.inverse[m..n], |lo, hi, w| {
        f.inverse_stage(lo, hi, w)
    });
}

fn join_if(parallel: bool, a: impl FnOnce() + Send, b: impl FnOnce() + Send) {
    if parallel {
        rayon::join(a, b);
    } else {
        a();
        b();
    }
}

/// The cyclic convolution of `a` and `b` (`None`: square `a`) of length `n`,
/// modulo one prime.
fn convolution(prime: usize, a: &[u64], b: Option<&[u64]>, n: usize) -> Vec<u64> {
    let (p, generator) = PRIMES[prime];
    let f = Field::new(p);
    let t = Twiddles::new(f, generator, n);
    let load = |src: &[u64]| {
        let mut v = vec![0u64; n];
        for (d, &s) in v.iter_mut().zip(src) {
            *d = s % p;
        }
        forward(f, &t, &mut v);
        v
    };
    let mut fa = load(a);
    let fb = b.map(load);
    // Pointwise products carry a factor 2^-64; this scale restores it and divides by n.
    let n_inv = f.inverse(f.to_montgomery(n as u64));
    let scale = f.mul(n_inv, f.r2);
    match &fb {
        Some(fb) => {
            for (x, &y) in fa.iter_mut().zip(fb) {
                *x = f.mul(f.mul(*x, y), scale);
            }
        }
        None => {
            for x in fa.iter_mut() {
                *x = f.mul(f.mul(*x, *x), scale);
            }
        }
    }
    inverse(f, &t, &mut fa);
    fa
}

/// The constants of Garner's recombination of three residues.
struct Garner {
    fields: [Field; 3],
    /// `p0^-1 mod p1`, in Montgomery form so that products with it are plain.
    inv_p0_mod_p1: u64,
    /// `p0 mod p2`, in Montgomery form.
    p0_mod_p2: u64,
    /// `(p0·p1)^-1 mod p2`, in Montgomery form.
    inv_p0p1_mod_p2: u64,
    p0p1: u128,
}

impl Garner {
    fn new() -> Garner {
        let [f0, f1, f2] = PRIMES.map(|(p, _)| Field::new(p));
        let (p0, p1) = (f0.p, f1.p);
        Garner {
            fields: [f0, f1, f2],
            inv_p0_mod_p1: f1.inverse(f1.to_montgomery(p0)),
            p0_mod_p2: f2.to_montgomery(p0),
            inv_p0p1_mod_p2: f2.inverse(f2.mul(f2.to_montgomery(p0), f2.to_montgomery(p1))),
            p0p1: u128::from(p0) * u128::from(p1),
        }
    }

    /// The number below `p0·p1·p2` with the given residues, as three limbs.
    #[inline(always)]
    fn combine(&self, r0: u64, r1: u64, r2: u64) -> (u64, u64, u64) {
        let [f0, f1, f2] = self.fields;
        let v0_mod_p1 = if r0 >= f1.p { r0 - f1.p } else { r0 };
        let v1 = f1.mul(f1.sub(r1, v0_mod_p1), self.inv_p0_mod_p1);
        let v0_mod_p2 = r0 % f2.p;
        let v1_mod_p2 = if v1 >= f2.p { v1 - f2.p } else { v1 };
        let t = f2.sub(f2.sub(r2, v0_mod_p2), f2.mul(v1_mod_p2, self.p0_mod_p2));
        let v2 = f2.mul(t, self.inv_p0p1_mod_p2);
        // x = r0 + v1·p0 + v2·p0·p1
        let low = u128::from(r0) + u128::from(v1) * u128::from(f0.p);
        let mid = u128::from(v2) * (self.p0p1 as u64 as u128);
        let high = u128::from(v2) * (self.p0p1 >> 64);
        let (s, carry) = low.overflowing_add(mid);
        let upper = (s >> 64) + high + (u128::from(carry) << 64);
        (s as u64, upper as u64, (upper >> 64) as u64)
    }
}

/// Recombines the residues of every coefficient and propagates carries into
/// a `len`-limb product. Chunks are recombined in parallel, each with its own
/// carry, and the chunk carries added afterwards.
fn recombine(residues: [Vec<u64>; 3], len: usize) -> Vec<u64> {
    const CHUNK: usize = 1 << 13;
    let garner = Garner::new();
    let [r0, r1, r2] = &residues;
    let mut out = vec![0u64; len];
    let recombine_chunk = |start: usize, chunk: &mut [u64]| -> u128 {
        let mut carry = 0u128;
        for (i, o) in chunk.iter_mut().enumerate() {
            let k = start + i;
            let (x0, x1, x2) = if k < r0.len() {
                garner.combine(r0[k], r1[k], r2[k])
            } else {
                (0, 0, 0)
            };
            let (s0, c0) = (carry as u64).overflowing_add(x0);
            let rest = (carry >> 64) + u128::from(x1) + (u128::from(x2) << 64) + u128::from(c0);
            *o = s0;
            carry = rest;
        }
        carry
    };
    if len < 2 * CHUNK {
        let carry = recombine_chunk(0, &mut out);
        debug_assert_eq!(carry, 0);
        return out;
    }
    let carries: Vec<u128> = out
        .par_chunks_mut(CHUNK)
        .enumerate()
        .map(|(i, chunk)| recombine_chunk(i * CHUNK, chunk))
        .collect();
    for (i, &carry) in carries.iter().enumerate() {
        let start = (i + 1) * CHUNK;
        if carry != 0 && start < len {
            let mut carry = vec![carry as u64, (carry >> 64) as u64];
            limbs::trim(&mut carry);
            let overflow = limbs::add_in_place(&mut out[start..], &carry);
            debug_assert!(!overflow);
        }
    }
    out
}

/// The convolutions modulo each of the three primes, in parallel when large.
fn convolutions(a: &[u64], b: Option<&[u64]>, n: usize) -> [Vec<u64>; 3] {
    if n < PARALLEL_MIN {
        return [0, 1, 2].map(|i| convolution(i, a, b, n));
    }
    let ((r0, r1), r2) = rayon::join(
        || rayon::join(|| convolution(0, a, b, n), || convolution(1, a, b, n)),
        || convolution(2, a, b, n),
    );
    [r0, r1, r2]
}

fn transform_len(product_len: usize) -> usize {
    product_len.next_power_of_two()
}

/// The product of `a` and `b`, `a.len() + b.len()` limbs long (untrimmed).
pub(super) fn mul(a: &[u64], b: &[u64]) -> Vec<u64> {
    let len = a.len() + b.len();
    let n = transform_len(len);
    recombine(convolutions(a, Some(b), n), len)
}

/// The square of `a`, `2 * a.len()` limbs long (untrimmed).
pub(super) fn square(a: &[u64]) -> Vec<u64> {
    let len = 2 * a.len();
    let n = transform_len(len);
    recombine(convolutions(a, None, n), len)
}
