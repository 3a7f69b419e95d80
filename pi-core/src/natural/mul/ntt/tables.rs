//! Roots of unity: stored twiddle tables up to the cache's longest (at
//! most [`MAX_TWIDDLE_TABLE`]), and the generated levels of longer
//! transforms.

use std::sync::Arc;

use rayon::prelude::*;

use super::cache::Cache;
use super::field::Field;
use super::powers::{self, Level, Powers};
use super::transform::PARALLEL_MIN;
use crate::natural::fallible;
use crate::simd::quarters;

/// Twiddle factors for transforms of length up to `n`, in Montgomery form:
/// `forward[m + j] = w_{2m}^j` and `inverse[m + j] = w_{2m}^-j` for each
/// half-length `m` and `j < m`, where `w_{2m}` is a primitive `2m`-th root.
pub(super) struct Twiddles {
    pub(super) forward: Vec<u64>,
    pub(super) inverse: Vec<u64>,
}

impl Twiddles {
    /// The longest transform these twiddles serve.
    pub(super) fn len(&self) -> usize {
        self.forward.len()
    }

    pub(super) fn new<F: Field>(f: F, generator: u64, n: usize) -> Twiddles {
        let n = n.max(2);
        let mut forward = fallible::filled(n, 0u64);
        let mut inverse = fallible::filled(n, 0u64);
        let half = n / 2;
        // The top level, w_n^j for j < n/2, a chunk of powers at a time.
        let w = f.pow(f.to_montgomery(generator), (f.modulus() - 1) / n as u64);
        let top = Powers::new(f, w, half);
        for (i, chunk) in forward[half..].chunks_mut(powers::CHUNK).enumerate() {
            top.fill(f, i * powers::CHUNK, chunk);
        }
        // w_{2m}^j = w_{4m}^{2j}: each level is every other entry of the next.
        let mut m = half / 2;
        while m >= 1 {
            for j in 0..m {
                forward[m + j] = forward[2 * m + 2 * j];
            }
            m /= 2;
        }
        // w_{2m}^-j = -w_{2m}^{m-j}, since w_{2m}^m = -1.
        let mut m = 1;
        while m < n {
            inverse[m] = forward[m];
            for j in 1..m {
                inverse[m + j] = f.sub(0, forward[2 * m - j]);
            }
            m *= 2;
        }
        Twiddles { forward, inverse }
    }
}

/// The longest twiddle table a cache keeps (see `Cache::longest_table`):
/// the twiddles of longer transforms are generated as they are needed
/// ([`Roots`]).
pub(super) const MAX_TWIDDLE_TABLE: usize = 1 << 20;

/// The twiddles of power-of-two transforms of one length: a table for
/// the shorter levels and generated powers for the longer ones.
pub(super) struct Roots {
    pub(super) table: Arc<Twiddles>,
    /// `[w_l, w_l^-1]` for the lengths `l` from twice the table's to the
    /// transform's.
    long: Vec<[Powers; 2]>,
}

impl Roots {
    /// For transforms of length `n` modulo `f`'s prime.
    pub(super) fn new<F: Field>(f: F, generator: u64, n: usize, cache: &Cache) -> Roots {
        let short = n.min(cache.longest_table());
        let table = cache.twiddles(f, generator, short);
        let g = f.to_montgomery(generator);
        let long = std::iter::successors(Some(2 * short), |&l| Some(2 * l))
            .take_while(|&l| l <= n)
            .map(|l| {
                let w = f.pow(g, (f.modulus() - 1) / l as u64);
                [
                    Powers::new(f, w, l / 2),
                    Powers::new(f, f.inverse(w), l / 2),
                ]
            })
            .collect();
        Roots { table, long }
    }

    /// The twiddles `w_len^j` (`inverse`: `w_len^-j`) for `j < len/2`.
    pub(super) fn level(&self, len: usize, inverse: bool) -> Level<'_> {
        let table = if inverse {
            &self.table.inverse
        } else {
            &self.table.forward
        };
        if len <= table.len() {
            Level::Table(&table[len / 2..len])
        } else {
            let above = (len / table.len()).trailing_zeros() as usize;
            Level::Generated(&self.long[above - 1][usize::from(inverse)])
        }
    }

    /// The two stages of the block `a` (`n = a.len()` values, quarters of
    /// `m`): `stage` on matching chunks of its quarters and of the twiddles
    /// of the outer stage (`w_n^j` and `w_n^(m+j)`) and of the inner stage
    /// (`w_{n/2}^j`), on several threads when the block is large. `stage`
    /// also gets the chunks' offset in their quarters.
    pub(super) fn stage2_chunks<F: Field>(
        &self,
        f: F,
        a: &mut [u64],
        inverse: bool,
        stage: impl Fn(usize, [&mut [u64]; 4], [&[u64]; 3]) + Sync,
    ) {
        const CHUNK: usize = 1 << 11;
        let (n, m) = (a.len(), a.len() / 4);
        let (outer, inner) = (self.level(n, inverse), self.level(n / 2, inverse));
        type Quarters<'a> = (
            ((&'a mut [u64], &'a mut [u64]), &'a mut [u64]),
            &'a mut [u64],
        );
        let chunk = |(i, (((q0, q1), q2), q3)): (usize, Quarters<'_>)| {
            let (start, len) = (i * CHUNK, q0.len());
            let mut bufs: [Vec<u64>; 3] = Default::default();
            let [b0, b1, b2] = &mut bufs;
            let w = [
                outer.get(f, start, len, b0),
                outer.get(f, m + start, len, b1),
                inner.get(f, start, len, b2),
            ];
            stage(start, [q0, q1, q2, q3], w);
        };
        let [q0, q1, q2, q3] = quarters(a);
        if n < PARALLEL_MIN {
            q0.chunks_mut(CHUNK)
                .zip(q1.chunks_mut(CHUNK))
                .zip(q2.chunks_mut(CHUNK))
                .zip(q3.chunks_mut(CHUNK))
                .enumerate()
                .for_each(chunk);
        } else {
            q0.par_chunks_mut(CHUNK)
                .zip(q1.par_chunks_mut(CHUNK))
                .zip(q2.par_chunks_mut(CHUNK))
                .zip(q3.par_chunks_mut(CHUNK))
                .enumerate()
                .for_each(chunk);
        }
    }

    /// The four stages of each of the `B` equal blocks of `n` values (in
    /// sixteenths of `s`, `s` a multiple of [`STAGE4_CHUNK`]) on the window
    /// `a` of them: the columns `first..first + w` of each sixteenth, in
    /// `16·B` rows of `w` (a multiple of [`STAGE4_CHUNK`]; the whole blocks
    /// where `w = s`). `pass` runs them on matching chunks of the sixteenths
    /// (`rows[b][k][t]` of sixteenth `4k + t` of block `b`), given the
    /// chunks' offset in their sixteenths and the twiddles of the outer two
    /// stages for each `t` (those that [`Roots::stage2_chunks`] gives for a
    /// block at offset `t·s`) and of the inner two (those it gives for a
    /// quarter), on several threads: one pass over the window's memory.
    /// `pass` also gets the distance from each row's chunk to its next
    /// chunk, for the kernels to fetch it as they go, where the blocks are
    /// longer than a cache holds (else zero).
    pub(super) fn stage4_chunks<F: Field, const B: usize>(
        &self,
        f: F,
        (a, n, first): (&mut [u64], usize, usize),
        inverse: bool,
        pass: impl Fn(usize, [[[&mut [u64]; 4]; 4]; B], [[&[u64]; 3]; 4], [&[u64]; 3], usize) + Sync,
    ) {
        let (s, m) = (n / 16, n / 4);
        let w = a.len() / (16 * B);
        // At least four chunks to a whole block, for the threads.
        let chunk = STAGE4_CHUNK.min(s / 4);
        let ahead = if n >= FETCH_AHEAD_MIN { chunk } else { 0 };
        debug_assert!(w.is_multiple_of(chunk) && first + w <= s);
        let levels = [n, n / 2, m, m / 2].map(|len| self.level(len, inverse));
        // Each chunk's twiddles: (level, offset), outer then inner.
        let mut wanted = Vec::with_capacity(15);
        for t in 0..4 {
            wanted.extend([(0, t * s), (0, m + t * s), (1, t * s)]);
        }
        wanted.extend([(2, 0), (2, s), (3, 0)]);
        let columns = w / chunk;
        let mut chunks: Vec<Option<&mut [u64]>> = a.chunks_mut(chunk).map(Some).collect();
        let rows: Vec<[[[&mut [u64]; 4]; 4]; B]> = (0..columns)
            .map(|i| {
                std::array::from_fn(|b| {
                    std::array::from_fn(|k| {
                        std::array::from_fn(|t| {
                            let row = 16 * b + 4 * k + t;
                            chunks[row * columns + i].take().unwrap_or_default()
                        })
                    })
                })
            })
            .collect();
        rows.into_par_iter().enumerate().for_each_init(
            || vec![Vec::new(); wanted.len()],
            |bufs, (i, rows)| {
                let start = first + i * chunk;
                let w: Vec<&[u64]> = (bufs.iter_mut().zip(&wanted))
                    .map(|(buf, &(level, offset))| levels[level].get(f, offset + start, chunk, buf))
                    .collect();
                let outer = std::array::from_fn(|t| [w[3 * t], w[3 * t + 1], w[3 * t + 2]]);
                pass(start, rows, outer, [w[12], w[13], w[14]], ahead);
            },
        );
    }
}

/// Passes of [`Roots::stage4_chunks`] over blocks from this length (2 MiB,
/// twice the L2 cache of a core) fetch the next chunk of their rows as
/// they go, while the kernels compute: forward transforms of 2^22-2^24
/// values took 3-7% less time, inverse ones up to 3%, IFMA products of
/// 2^20-2^24 limbs 2-4% (one thread, Zen 4).
pub(super) const FETCH_AHEAD_MIN: usize = 1 << 18;

/// The most columns of the sixteenths that [`Roots::stage4_chunks`] takes
/// at a time (16 rows of them fill 512 KiB): long runs of each row, which
/// the first pass reads from the operands and the others from memory.
/// 1024 columns took 3-13% longer from 2^17 to 2^24 limbs (AVX2 the most,
/// IFMA the least), 2048 about half of that.
pub(super) const STAGE4_CHUNK: usize = 1 << 12;
const _: () = assert!(
    STAGE4_CHUNK <= powers::CHUNK,
    "generated twiddles come a chunk at a time"
);
