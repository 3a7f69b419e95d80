//! Transforms of length `3·2^k`: one radix-3 step around three transforms
//! of length `2^k`, so that a product is padded to at most 1.5 times its
//! length instead of 2.
//!
//! With `n = 3m`, `w` a primitive `n`-th root and `ω = w^m`, the forward
//! step maps `(a, b, c) = (x_j, x_{j+m}, x_{j+2m})` to
//! `(a + b + c, (a + ωb + ω²c)·w^j, (a + ω²b + ωc)·w^2j)`; transforming each
//! third with the root `w^3` then gives the length-`n` transform in a fixed
//! order. The inverse undoes it, up to the factor `n`.

use rayon::prelude::*;

use super::{Field, PARALLEL_MIN};

/// Values per parallel task of a radix-3 step.
const CHUNK: usize = 1 << 12;

/// The constants of radix-3 steps of every length `n = 3m` up to a
/// largest, in Montgomery form, by levels like [`super::Twiddles`]: for
/// each `m`, entries `m..2m` of a table serve the length `3m`.
pub(super) struct Radix3 {
    omega: u64,
    /// `w_{3m}^j` and `w_{3m}^2j` for each `m` and `j < m`.
    forward: [Vec<u64>; 2],
    /// `w_{3m}^-j` and `w_{3m}^-2j`.
    inverse: [Vec<u64>; 2],
    /// Whether the tables hold the shorter levels.
    levels: bool,
}

/// `[x^j, x^2j]` for `j < m`, at offset `m` of tables of length `2m`, and
/// with `levels`, each shorter level below it: `x_{m/2}^j = x^{2j}`
/// (without, the tables hold nothing below offset `m`).
fn powers<F: Field>(f: F, x: u64, m: usize, levels: bool) -> [Vec<u64>; 2] {
    let mut single = crate::monitor::filled(if levels { 2 * m } else { m }, 0u64);
    let top = single.len() - m;
    // x^(i·CHUNK + r) = x^(i·CHUNK) · x^r: independent products, not one
    // long chain of dependent ones.
    let mut low = Vec::with_capacity(CHUNK.min(m));
    let mut y = f.to_montgomery(1);
    for _ in 0..CHUNK.min(m) {
        low.push(y);
        y = f.mul(y, x);
    }
    let fill = |(i, chunk): (usize, &mut [u64])| {
        let base = f.pow(x, (i * CHUNK) as u64);
        for (slot, &low) in chunk.iter_mut().zip(&low) {
            *slot = f.mul(base, low);
        }
    };
    if m < PARALLEL_MIN {
        single[top..].chunks_mut(CHUNK).enumerate().for_each(fill);
    } else {
        single[top..]
            .par_chunks_mut(CHUNK)
            .enumerate()
            .for_each(fill);
    }
    let mut level = if levels { m / 2 } else { 0 };
    while level >= 1 {
        for j in 0..level {
            single[level + j] = single[2 * level + 2 * j];
        }
        level /= 2;
    }
    let double = single.iter().map(|&y| f.mul(y, y)).collect();
    [single, double]
}

impl Radix3 {
    /// The constants of the length `n`, and with `levels` of every length
    /// `3·2^k` below it.
    pub(super) fn new<F: Field>(f: F, generator: u64, n: usize, levels: bool) -> Radix3 {
        let w = f.pow(f.to_montgomery(generator), (f.modulus() - 1) / n as u64);
        let m = n / 3;
        Radix3 {
            omega: f.pow(w, m as u64),
            forward: powers(f, w, m, levels),
            inverse: powers(f, f.inverse(w), m, levels),
            levels,
        }
    }

    /// The longest transform these constants serve.
    pub(super) fn len(&self) -> usize {
        3 * self.top()
    }

    /// The third of the longest transform these constants serve.
    fn top(&self) -> usize {
        if self.levels {
            self.forward[0].len() / 2
        } else {
            self.forward[0].len()
        }
    }

    /// Runs `step` over matching chunks of the thirds of `v` and of the
    /// twiddles `w`.
    fn by_chunks(
        &self,
        v: &mut [u64],
        w: &[Vec<u64>; 2],
        step: impl Fn([&mut [u64]; 3], [&[u64]; 2]) + Sync,
    ) {
        let (n, m) = (v.len(), v.len() / 3);
        let (a, rest) = v.split_at_mut(m);
        let (b, c) = rest.split_at_mut(m);
        // Without levels, only the longest length: m is the top.
        let at = if self.levels { m } else { 0 };
        let w = [&w[0][at..at + m], &w[1][at..at + m]];
        if n < PARALLEL_MIN {
            step([a, b, c], w);
            return;
        }
        a.par_chunks_mut(CHUNK)
            .zip(b.par_chunks_mut(CHUNK))
            .zip(c.par_chunks_mut(CHUNK))
            .zip(w[0].par_chunks(CHUNK))
            .zip(w[1].par_chunks(CHUNK))
            .for_each(|((((a, b), c), w1), w2)| step([a, b, c], [w1, w2]));
    }

    /// The forward step on `v` (`v.len()` at most [`Radix3::len`]), values
    /// in `[0, p)`.
    pub(super) fn forward<F: Field>(&self, f: F, v: &mut [u64]) {
        self.by_chunks(v, &self.forward, |x, w| f.forward_radix3(x, w, self.omega));
    }

    /// The inverse of [`Radix3::forward`] times 3, after the thirds were
    /// transformed back.
    pub(super) fn inverse<F: Field>(&self, f: F, v: &mut [u64]) {
        self.by_chunks(v, &self.inverse, |x, w| f.inverse_radix3(x, w, self.omega));
    }
}
