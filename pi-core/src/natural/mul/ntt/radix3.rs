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

/// The constants of a radix-3 step of length `n = 3m`, in Montgomery form.
pub(super) struct Radix3 {
    omega: u64,
    /// `w^j` and `w^2j` for `j < m`.
    forward: [Vec<u64>; 2],
    /// `w^-j` and `w^-2j` for `j < m`.
    inverse: [Vec<u64>; 2],
}

/// `[x^j, x^2j]` for `j < m`.
fn powers<F: Field>(f: F, x: u64, m: usize) -> [Vec<u64>; 2] {
    let mut single = crate::monitor::filled(m, 0u64);
    let fill = |(i, chunk): (usize, &mut [u64])| {
        let mut y = f.pow(x, (i * CHUNK) as u64);
        for slot in chunk {
            *slot = y;
            y = f.mul(y, x);
        }
    };
    if m < PARALLEL_MIN {
        single.chunks_mut(CHUNK).enumerate().for_each(fill);
    } else {
        single.par_chunks_mut(CHUNK).enumerate().for_each(fill);
    }
    let double = single.iter().map(|&y| f.mul(y, y)).collect();
    [single, double]
}

impl Radix3 {
    pub(super) fn new<F: Field>(f: F, generator: u64, n: usize) -> Radix3 {
        let w = f.pow(f.to_montgomery(generator), (f.modulus() - 1) / n as u64);
        let m = n / 3;
        Radix3 {
            omega: f.pow(w, m as u64),
            forward: powers(f, w, m),
            inverse: powers(f, f.inverse(w), m),
        }
    }

    /// Runs `step` over matching chunks of the thirds of `v` and of the
    /// twiddles `w`.
    fn by_chunks(
        v: &mut [u64],
        w: &[Vec<u64>; 2],
        step: impl Fn([&mut [u64]; 3], [&[u64]; 2]) + Sync,
    ) {
        let (n, m) = (v.len(), v.len() / 3);
        let (a, rest) = v.split_at_mut(m);
        let (b, c) = rest.split_at_mut(m);
        if n < PARALLEL_MIN {
            step([a, b, c], [&w[0], &w[1]]);
            return;
        }
        a.par_chunks_mut(CHUNK)
            .zip(b.par_chunks_mut(CHUNK))
            .zip(c.par_chunks_mut(CHUNK))
            .zip(w[0].par_chunks(CHUNK))
            .zip(w[1].par_chunks(CHUNK))
            .for_each(|((((a, b), c), w1), w2)| step([a, b, c], [w1, w2]));
    }

    /// The forward step on `v` (`v.len() = n`), values in `[0, p)`.
    pub(super) fn forward<F: Field>(&self, f: F, v: &mut [u64]) {
        Radix3::by_chunks(v, &self.forward, |x, w| f.forward_radix3(x, w, self.omega));
    }

    /// The inverse of [`Radix3::forward`] times 3, after the thirds were
    /// transformed back.
    pub(super) fn inverse<F: Field>(&self, f: F, v: &mut [u64]) {
        Radix3::by_chunks(v, &self.inverse, |x, w| f.inverse_radix3(x, w, self.omega));
    }
}
