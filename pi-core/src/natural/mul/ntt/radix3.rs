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

use super::field::Field;
use super::powers::{self, Level, Powers};
use super::transform::PARALLEL_MIN;
use crate::natural::fallible;

/// Values per parallel task of a radix-3 step.
const CHUNK: usize = powers::CHUNK;

/// The constants `w_{3m}^j` and `w_{3m}^2j` of radix-3 steps, and of their
/// inverses with `w^-1`.
enum Constants {
    /// For every length `n = 3m` up to a largest, by levels like
    /// [`super::tables::Twiddles`]: entries `m..2m` of a table serve the length `3m`.
    Tables {
        forward: [Vec<u64>; 2],
        inverse: [Vec<u64>; 2],
    },
    /// For one length, generated as needed.
    Generated {
        n: usize,
        forward: [Powers; 2],
        inverse: [Powers; 2],
    },
}

/// The constants of radix-3 steps, in Montgomery form.
pub(super) struct Radix3 {
    omega: u64,
    constants: Constants,
}

/// `[x^j, x^2j]` for `j < m` at offset `m` of tables of length `2m`, and
/// each shorter level below it: `x_{m/2}^j = x^{2j}`.
fn tables<F: Field>(f: F, x: u64, m: usize) -> [Vec<u64>; 2] {
    [x, f.mul(x, x)].map(|x| levels(f, x, m))
}

/// `y^j` for `j < m` at offset `m` of a table of length `2m`, and each
/// shorter level below it.
fn levels<F: Field>(f: F, y: u64, m: usize) -> Vec<u64> {
    let mut table = fallible::filled(2 * m, 0u64);
    let generator = Powers::new(f, y, m);
    table[m..]
        .chunks_mut(CHUNK)
        .enumerate()
        .for_each(|(i, chunk)| generator.fill(f, i * CHUNK, chunk));
    let mut level = m / 2;
    while level >= 1 {
        for j in 0..level {
            table[level + j] = table[2 * level + 2 * j];
        }
        level /= 2;
    }
    table
}

impl Radix3 {
    /// The constants of the length `n`: with `tables`, stored for every
    /// length `3·2^k` up to `n`, else generated for `n` alone.
    pub(super) fn new<F: Field>(f: F, generator: u64, n: usize, tables: bool) -> Radix3 {
        let w = f.pow(f.to_montgomery(generator), (f.modulus() - 1) / n as u64);
        let m = n / 3;
        let w_inv = f.inverse(w);
        let constants = if tables {
            Constants::Tables {
                forward: self::tables(f, w, m),
                inverse: self::tables(f, w_inv, m),
            }
        } else {
            let both = |x: u64| [Powers::new(f, x, m), Powers::new(f, f.mul(x, x), m)];
            Constants::Generated {
                n,
                forward: both(w),
                inverse: both(w_inv),
            }
        };
        Radix3 {
            omega: f.pow(w, m as u64),
            constants,
        }
    }

    /// The longest transform these constants serve (generated: the only one).
    pub(super) fn len(&self) -> usize {
        match &self.constants {
            Constants::Tables { forward, .. } => 3 * (forward[0].len() / 2),
            Constants::Generated { n, .. } => *n,
        }
    }

    /// The constants of the length `3m`, forward or inverse.
    fn levels(&self, m: usize, inverse: bool) -> [Level<'_>; 2] {
        match &self.constants {
            Constants::Tables {
                forward,
                inverse: backward,
            } => {
                let t = if inverse { backward } else { forward };
                [Level::Table(&t[0][m..]), Level::Table(&t[1][m..])]
            }
            Constants::Generated {
                forward,
                inverse: backward,
                ..
            } => {
                let p = if inverse { backward } else { forward };
                [Level::Generated(&p[0]), Level::Generated(&p[1])]
            }
        }
    }

    /// The forward step (`inverse`: its inverse) on matching chunks `x` of
    /// the thirds of a transform of length `3m`, at offset `start` in them
    /// (at most [`CHUNK`] values), the last `zeros` chunks (forward only, see
    /// [`zero_thirds`]) taken as zero and not read; constants that are not
    /// stored are generated into `bufs`.
    pub(super) fn step<F: Field>(
        &self,
        f: F,
        x: [&mut [u64]; 3],
        (m, start): (usize, usize),
        (inverse, zeros): (bool, usize),
        bufs: &mut [Vec<u64>; 2],
    ) {
        let levels = self.levels(m, inverse);
        let len = x[0].len();
        let [b0, b1] = bufs;
        let w = [
            levels[0].get(f, start, len, b0),
            levels[1].get(f, start, len, b1),
        ];
        if inverse {
            f.inverse_radix3(x, w, self.omega);
        } else {
            f.forward_radix3(x, w, (self.omega, zeros));
        }
    }

    /// Runs `each` over matching chunks of the thirds of `v`, with the
    /// chunks' offset in their thirds and buffers for [`Radix3::step`].
    fn by_chunks(v: &mut [u64], each: impl Fn(usize, [&mut [u64]; 3], &mut [Vec<u64>; 2]) + Sync) {
        let (n, m) = (v.len(), v.len() / 3);
        let (a, rest) = v.split_at_mut(m);
        let (b, c) = rest.split_at_mut(m);
        type Thirds<'a> = ((&'a mut [u64], &'a mut [u64]), &'a mut [u64]);
        let chunk = |(i, ((a, b), c)): (usize, Thirds<'_>)| {
            each(i * CHUNK, [a, b, c], &mut Default::default());
        };
        if n < PARALLEL_MIN {
            a.chunks_mut(CHUNK)
                .zip(b.chunks_mut(CHUNK))
                .zip(c.chunks_mut(CHUNK))
                .enumerate()
                .for_each(chunk);
        } else {
            a.par_chunks_mut(CHUNK)
                .zip(b.par_chunks_mut(CHUNK))
                .zip(c.par_chunks_mut(CHUNK))
                .enumerate()
                .for_each(chunk);
        }
    }

    /// The forward step on `v` (`v.len()` at most [`Radix3::len`]), whose
    /// values in `[0, p)` `fill(i, chunk)` writes from index `i` in the
    /// same pass: zeros from index `count` on.
    pub(super) fn forward<F: Field>(
        &self,
        f: F,
        (v, count): (&mut [u64], usize),
        fill: impl Fn(usize, &mut [u64]) + Sync,
    ) {
        let m = v.len() / 3;
        Self::by_chunks(v, |start, [a, b, c], bufs| {
            let zeros = zero_thirds(m, start, count);
            let thirds = [&mut *a, &mut *b, &mut *c];
            for (t, third) in thirds.into_iter().enumerate().take(3 - zeros) {
                fill(t * m + start, third);
            }
            self.step(f, [a, b, c], (m, start), (false, zeros), bufs);
        });
    }

    /// The inverse of [`Radix3::forward`] times 3, after the thirds were
    /// transformed back.
    pub(super) fn inverse<F: Field>(&self, f: F, v: &mut [u64]) {
        let m = v.len() / 3;
        Self::by_chunks(v, |start, x, bufs| {
            self.step(f, x, (m, start), (true, 0), bufs)
        });
    }
}

/// Of the chunks at `offset` in the thirds of a transform of length `3m`
/// whose values from index `count` on are zeros, how many of the last two
/// lie wholly among those zeros: the forward step need not read them.
pub(super) fn zero_thirds(m: usize, offset: usize, count: usize) -> usize {
    (1..3).filter(|&t| t * m + offset >= count).count()
}
