//! Multiplication by number-theoretic transforms modulo a few word-size
//! primes, recombined by the Chinese remainder theorem.
//!
//! Coefficients of `w` bits (a limb or wider, see `packing.rs`) make a
//! product's coefficients below `len · 2^(2w)`; the primes multiply to more
//! than that.
//! Two fields: [`Montgomery52`] (four 50-bit primes, whose transform stages
//! run eight lanes at a time with AVX-512 IFMA where the processor has it)
//! and the portable [`Montgomery64`] (three 62-bit primes).

mod garner;
mod montgomery52;
mod montgomery64;
mod packing;
mod powers;
mod radix3;
mod scalar;

use std::sync::{Arc, Mutex, MutexGuard};

use rayon::prelude::*;

use super::sum_length;
use crate::monitor;
use crate::parallel::join_if;
use packing::Packing;
use powers::{Level, Powers};
use radix3::Radix3;

pub(super) use montgomery52::Montgomery52;
pub(super) use montgomery64::Montgomery64;

/// Arithmetic modulo one prime, in Montgomery form with a field-specific `R`.
pub(super) trait Field: Copy + Send + Sync {
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

    /// `dst[i] = (dst[i] + high[i]·2^64) / R mod p`, for `high[i] < 2^52`:
    /// the residues of coefficients wider than a limb.
    fn wide_residues_into(self, dst: &mut [u64], high: &[u64]) {
        scalar::wide_residues_into(self, dst, high);
    }

    /// Garner's recombination on vectors (see `garner.rs`) of the residues
    /// modulo the primes of `fields`, given `inverse[i][j] = p_j^-1` in
    /// field `i`'s Montgomery form: word `w` of coefficient `c`'s value goes
    /// to `words[w * stride + c]`. `false` (nothing done) when this field
    /// has no such kernel for these lengths.
    fn crt_words(
        _fields: &[Self],
        _residues: &[&[u64]],
        _inverse: &[[u64; 4]; 4],
        _words: &mut [u64],
        _stride: usize,
    ) -> bool {
        false
    }

    /// `x[i] = x[i]·y[i]·scale / R²` (`y` absent: `x[i]²·scale / R²`).
    fn pointwise(self, x: &mut [u64], y: Option<&[u64]>, scale: u64) {
        scalar::pointwise(self, x, y, scale);
    }

    /// `x[i] = x[i]·c / R`.
    fn scale(self, x: &mut [u64], c: u64) {
        scalar::scale(self, x, c);
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
    fn forward_stage2(self, q: [&mut [u64]; 4], w: [&[u64]; 3]) {
        scalar::forward_stage2(self, q, w);
    }

    /// [`Field::forward_stage2`] where the last two quarters are zero
    /// (their old values are ignored and overwritten).
    fn forward_stage2_half(self, q: [&mut [u64]; 4], w: [&[u64]; 3]) {
        scalar::forward_stage2_half(self, q, w);
    }

    /// The inverse of [`Field::forward_stage2`]: the inner stage, then the
    /// outer one.
    fn inverse_stage2(self, q: [&mut [u64]; 4], w: [&[u64]; 3]) {
        scalar::inverse_stage2(self, q, w);
    }

    /// [`Field::forward_stage2`] (`inverse`: [`Field::inverse_stage2`]) on
    /// each block of `a` whose quarters are as long as each of `w`, with
    /// the same twiddles.
    fn stage2_blocks(self, a: &mut [u64], w: [&[u64]; 3], inverse: bool) {
        each_block(self, a, w, inverse);
    }

    /// A forward radix-3 step (see `radix3.rs`) on thirds `x` with twiddles
    /// `w = [w^j, w^2j]` and the cube root of unity `omega`.
    fn forward_radix3(self, x: [&mut [u64]; 3], w: [&[u64]; 2], omega: u64) {
        scalar::forward_radix3(self, x, w, omega);
    }

    /// The inverse radix-3 step, with `w = [w^-j, w^-2j]`.
    fn inverse_radix3(self, x: [&mut [u64]; 3], w: [&[u64]; 2], omega: u64) {
        scalar::inverse_radix3(self, x, w, omega);
    }
}

/// [`Field::stage2_blocks`] one block at a time.
fn each_block<F: Field>(f: F, a: &mut [u64], w: [&[u64]; 3], inverse: bool) {
    for block in a.chunks_exact_mut(4 * w[0].len()) {
        if inverse {
            f.inverse_stage2(quarters(block), w);
        } else {
            f.forward_stage2(quarters(block), w);
        }
    }
}

/// `a mod m` for `a < 2m`, branch-free: data-dependent branches
/// mispredict half the time here.
#[inline(always)]
fn reduce_below(a: u64, m: u64) -> u64 {
    a.min(a.wrapping_sub(m))
}

/// Twiddle factors for transforms of length up to `n`, in Montgomery form:
/// `forward[m + j] = w_{2m}^j` and `inverse[m + j] = w_{2m}^-j` for each
/// half-length `m` and `j < m`, where `w_{2m}` is a primitive `2m`-th root.
struct Twiddles {
    forward: Vec<u64>,
    inverse: Vec<u64>,
}

impl Twiddles {
    /// The longest transform these twiddles serve.
    fn len(&self) -> usize {
        self.forward.len()
    }

    fn new<F: Field>(f: F, generator: u64, n: usize) -> Twiddles {
        let n = n.max(2);
        let mut forward = monitor::filled(n, 0u64);
        let mut inverse = monitor::filled(n, 0u64);
        let half = n / 2;
        // The top level, w_n^j for j < n/2, in four interleaved chains of
        // products so that they do not wait on each other.
        let w = f.pow(f.to_montgomery(generator), (f.modulus() - 1) / n as u64);
        let w4 = f.pow(w, 4);
        let mut x = [f.to_montgomery(1), w, f.mul(w, w), f.pow(w, 3)];
        for block in forward[half..].chunks_mut(4) {
            for (slot, x) in block.iter_mut().zip(x.iter_mut()) {
                *slot = *x;
                *x = f.mul(*x, w4);
            }
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

/// The longest twiddle table: the twiddles of longer transforms are
/// generated as they are needed ([`Roots`]).
const MAX_TWIDDLE_TABLE: usize = 1 << 20;

/// What the transforms of one computation share: each prime's twiddle
/// table and radix-3 constants, the longest so far of each (they serve
/// every shorter transform), and long buffers for reuse.
pub(crate) struct Cache {
    twiddles: Mutex<Vec<(u64, Arc<Twiddles>)>>,
    radix3: Mutex<Vec<(u64, Arc<Radix3>)>>,
    buffers: Mutex<Vec<Vec<u64>>>,
    /// The most values the kept buffers hold together.
    pool_values: usize,
}

impl Default for Cache {
    /// A computation's cache.
    fn default() -> Self {
        Cache::keeping(POOL_VALUES)
    }
}

/// Transform buffers of at least this many values are kept for reuse:
/// fresh memory costs a page fault and a clear per 4 KiB page, a fifth of
/// the time at 10^9 digits.
const POOLED_MIN: usize = 1 << 16;
/// The most buffers kept (the smallest go first): both threads run
/// products of several lengths.
const POOL_SIZE: usize = 16;
/// The most values the kept buffers hold together (512 MiB): at 10^9
/// digits four buffers would hold 4 GiB.
const POOL_VALUES: usize = 1 << 26;

/// Radix-3 constants are kept up to this length (four tables of two
/// thirds of it).
const MAX_CACHED_RADIX3: usize = 3 << 18;

/// The guarded value; a panic elsewhere leaves these caches consistent.
fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Cache {
    /// A cache whose kept buffers hold at most `pool_values` values.
    fn keeping(pool_values: usize) -> Cache {
        Cache {
            twiddles: Mutex::default(),
            radix3: Mutex::default(),
            buffers: Mutex::default(),
            pool_values,
        }
    }

    /// A kept vector of `n` values (stale ones: the caller overwrites
    /// them), if any is kept: the shortest that holds them, else the
    /// longest, grown (only its new pages are fresh memory).
    fn buffer(&self, n: usize) -> Option<Vec<u64>> {
        if n < POOLED_MIN {
            return None;
        }
        let mut pool = locked(&self.buffers);
        let best = (0..pool.len())
            .filter(|&i| pool[i].capacity() >= n)
            .min_by_key(|&i| pool[i].capacity())
            .or_else(|| (0..pool.len()).max_by_key(|&i| pool[i].capacity()))?;
        let mut v = pool.swap_remove(best);
        drop(pool);
        // Only values past the old length are written.
        monitor::resize(&mut v, n, 0);
        Some(v)
    }

    /// Keeps `v` for [`Cache::buffer`] if it is long.
    fn recycle(&self, v: Vec<u64>) {
        if !(POOLED_MIN..=self.pool_values).contains(&v.capacity()) {
            return;
        }
        let mut pool = locked(&self.buffers);
        pool.push(v);
        while pool.len() > POOL_SIZE
            || pool.iter().map(Vec::capacity).sum::<usize>() > self.pool_values
        {
            let smallest = (0..pool.len()).min_by_key(|&i| pool[i].capacity());
            if let Some(i) = smallest {
                pool.swap_remove(i);
            }
        }
    }

    /// Frees the buffers kept for reuse.
    pub(crate) fn release_buffers(&self) {
        locked(&self.buffers).clear();
    }

    /// Twiddles for transforms of length `n` modulo `f`'s prime.
    fn twiddles<F: Field>(&self, f: F, generator: u64, n: usize) -> Arc<Twiddles> {
        let p = f.modulus();
        if let Some((_, t)) = locked(&self.twiddles)
            .iter()
            .find(|(q, t)| *q == p && t.len() >= n)
        {
            return Arc::clone(t);
        }
        let t = Arc::new(Twiddles::new(f, generator, n));
        let mut tables = locked(&self.twiddles);
        tables.retain(|(q, old)| *q != p || old.len() > n);
        if tables.iter().all(|(q, _)| *q != p) {
            tables.push((p, Arc::clone(&t)));
        }
        t
    }

    /// Radix-3 constants for transforms of length `n` modulo `f`'s prime.
    fn radix3<F: Field>(&self, f: F, generator: u64, n: usize) -> Arc<Radix3> {
        let p = f.modulus();
        if let Some((_, r)) = locked(&self.radix3)
            .iter()
            .find(|(q, r)| *q == p && r.len() >= n)
        {
            return Arc::clone(r);
        }
        let cached = n <= MAX_CACHED_RADIX3;
        let r = Arc::new(Radix3::new(f, generator, n, cached));
        if cached {
            let mut tables = locked(&self.radix3);
            tables.retain(|(q, old)| *q != p || old.len() > n);
            if tables.iter().all(|(q, _)| *q != p) {
                tables.push((p, Arc::clone(&r)));
            }
        }
        r
    }
}

/// The most values the process-wide cache's kept buffers hold together
/// (128 MiB): products outside a computation up to about 2^22 limbs then
/// reuse their buffers instead of clearing fresh pages each time.
const SHARED_POOL_VALUES: usize = 1 << 24;

/// The cache for transforms: the computation's, else the process-wide
/// one, whose tables grow with the longest transform (to at most 32 MiB
/// per prime, from transforms of 2^20 values) and which keeps
/// [`SHARED_POOL_VALUES`] of buffers.
fn cache_for(computation: Option<&Cache>) -> &Cache {
    static SHARED: std::sync::OnceLock<Cache> = std::sync::OnceLock::new();
    computation.unwrap_or_else(|| SHARED.get_or_init(|| Cache::keeping(SHARED_POOL_VALUES)))
}

/// Blocks up to this length are transformed stage by stage in cache.
const ITERATIVE_MAX: usize = 1 << 11;
/// Pointwise passes over long transforms split into chunks of this length
/// (a multiple of the vector width) across threads.
const PASS_CHUNK: usize = 1 << 13;
/// Blocks from this length split their work across threads.
const PARALLEL_MIN: usize = 1 << 14;

/// Splits `a` into its four quarters.
fn quarters(a: &mut [u64]) -> [&mut [u64]; 4] {
    let m = a.len() / 4;
    let (left, right) = a.split_at_mut(2 * m);
    let (q0, q1) = left.split_at_mut(m);
    let (q2, q3) = right.split_at_mut(m);
    [q0, q1, q2, q3]
}

/// The twiddles of power-of-two transforms of one length: a table for
/// the shorter levels and generated powers for the longer ones.
struct Roots {
    table: Arc<Twiddles>,
    /// `[w_l, w_l^-1]` for the lengths `l` from twice the table's to the
    /// transform's.
    long: Vec<[Powers; 2]>,
}

impl Roots {
    /// For transforms of length `n` modulo `f`'s prime.
    fn new<F: Field>(f: F, generator: u64, n: usize, cache: Option<&Cache>) -> Roots {
        let short = n.min(MAX_TWIDDLE_TABLE);
        let table = cache.map_or_else(
            || Arc::new(Twiddles::new(f, generator, short)),
            |c| c.twiddles(f, generator, short),
        );
        let g = f.to_montgomery(generator);
        let long = std::iter::successors(Some(2 * short), |&l| Some(2 * l))
            .take_while(|&l| l <= n)
            .map(|l| {
                let w = f.pow(g, (f.modulus() - 1) / l as u64);
                [Powers::new(f, w), Powers::new(f, f.inverse(w))]
            })
            .collect();
        Roots { table, long }
    }

    /// The twiddles `w_len^j` (`inverse`: `w_len^-j`) for `j < len/2`.
    fn level(&self, len: usize, inverse: bool) -> Level<'_> {
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
    fn stage2_chunks<F: Field>(
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
}

/// Decimation-in-frequency transform, natural order in, bit-reversed out.
fn forward<F: Field>(f: F, roots: &Roots, a: &mut [u64]) {
    let n = a.len();
    if n <= ITERATIVE_MAX {
        let t = &roots.table;
        let mut m = n / 2;
        // An odd number of stages above the last three: the first runs
        // alone, one call for the block, rather than the last one, a call
        // per eight values.
        if n >= 16 && (n / 8).ilog2() % 2 == 1 {
            let (lo, hi) = a.split_at_mut(m);
            f.forward_stage(lo, hi, &t.forward[m..2 * m]);
            m /= 2;
        }
        while m >= 1 {
            if m == 4 && f.forward_last(a, &t.forward[4..8], &t.forward[2..4]) {
                break;
            }
            if m >= 16 {
                // Half-lengths m and m/2 in one pass.
                let (h, w) = (m / 2, &t.forward[..2 * m]);
                f.stage2_blocks(a, [&w[m..m + h], &w[m + h..], &w[h..m]], false);
                m /= 4;
                continue;
            }
            let w = &t.forward[m..2 * m];
            for block in a.chunks_exact_mut(2 * m) {
                let (lo, hi) = block.split_at_mut(m);
                f.forward_stage(lo, hi, w);
            }
            m /= 2;
        }
        return;
    }
    monitor::checkpoint();
    // Two stages per pass over memory, then the four quarters.
    roots.stage2_chunks(f, a, false, |_, q, w| f.forward_stage2(q, w));
    forward_quarters(f, roots, a);
}

/// [`forward`] on each quarter of `a`.
fn forward_quarters<F: Field>(f: F, roots: &Roots, a: &mut [u64]) {
    let parallel = a.len() >= PARALLEL_MIN;
    let [q0, q1, q2, q3] = quarters(a);
    join_if(
        parallel,
        || join_if(parallel, || forward(f, roots, q0), || forward(f, roots, q1)),
        || join_if(parallel, || forward(f, roots, q2), || forward(f, roots, q3)),
    );
}

/// Decimation-in-time inverse of [`forward`] times `a.len()`, bit-reversed
/// order in, natural out.
fn inverse<F: Field>(f: F, roots: &Roots, a: &mut [u64]) {
    let n = a.len();
    if n <= ITERATIVE_MAX {
        let t = &roots.table;
        let mut m = 1;
        if n >= 8 && f.inverse_first(a, &t.inverse[2..4], &t.inverse[4..8]) {
            m = 8;
        }
        while m < n {
            if 4 * m <= n && m >= 8 {
                // Half-lengths m and 2m in one pass.
                let w = &t.inverse[..4 * m];
                f.stage2_blocks(a, [&w[2 * m..3 * m], &w[3 * m..], &w[m..2 * m]], true);
                m *= 4;
                continue;
            }
            let w = &t.inverse[m..2 * m];
            for block in a.chunks_exact_mut(2 * m) {
                let (lo, hi) = block.split_at_mut(m);
                f.inverse_stage(lo, hi, w);
            }
            m *= 2;
        }
        return;
    }
    monitor::checkpoint();
    let parallel = n >= PARALLEL_MIN;
    let [q0, q1, q2, q3] = quarters(a);
    join_if(
        parallel,
        || join_if(parallel, || inverse(f, roots, q0), || inverse(f, roots, q1)),
        || join_if(parallel, || inverse(f, roots, q2), || inverse(f, roots, q3)),
    );
    roots.stage2_chunks(f, a, true, |_, q, w| f.inverse_stage2(q, w));
}

/// Transforms of length `n` modulo one prime: the twiddles and radix-3
/// constants they take.
struct Transformer<'a, F: Field> {
    f: F,
    cache: Option<&'a Cache>,
    n: usize,
    packing: Packing,
    roots: Roots,
    radix3: Option<Arc<Radix3>>,
    /// Restores the factor `1/R` of pointwise products and divides by `n`.
    scale: u64,
}

impl<'a, F: Field> Transformer<'a, F> {
    fn new(
        (p, generator): (u64, u64),
        (n, packing): (usize, Packing),
        cache: Option<&'a Cache>,
    ) -> Self {
        let f = F::new(p);
        // n = 2^k, or 3·2^k: a radix-3 step around three transforms of n/3.
        let radix3 = (!n.is_power_of_two()).then(|| {
            cache.map_or_else(
                || Arc::new(Radix3::new(f, generator, n, false)),
                |c| c.radix3(f, generator, n),
            )
        });
        let parts = if radix3.is_some() { 3 } else { 1 };
        let roots = Roots::new(f, generator, n / parts, cache);
        // Each residue carries a factor 1/R, and each pointwise product two
        // more: the scale is R^4 / n (a product by R² multiplies by R).
        // n divides p - 1: n · (p - (p-1)/n) = -(p - 1) = 1 mod p.
        let inverse_n = f.to_montgomery(p - (p - 1) / n as u64);
        let scale = (0..3).fold(inverse_n, |x, _| f.mul(x, f.r2()));
        Transformer {
            f,
            cache,
            n,
            packing,
            roots,
            radix3,
            scale,
        }
    }

    /// `n` values to be overwritten: a kept buffer if there is one.
    fn buffer(&self) -> Vec<u64> {
        self.cache
            .and_then(|c| c.buffer(self.n))
            .unwrap_or_else(|| monitor::filled(self.n, 0))
    }

    /// `n` zeros.
    fn zeros(&self) -> Vec<u64> {
        let mut v = self.buffer();
        v.fill(0);
        v
    }

    /// Keeps `v` for reuse.
    fn recycle(&self, v: Vec<u64>) {
        if let Some(cache) = self.cache {
            cache.recycle(v);
        }
    }

    /// Runs `transform` on each power-of-two part of `v`.
    fn each_part(&self, v: &mut [u64], transform: &(dyn Fn(&mut [u64]) + Sync)) {
        let parallel = self.n >= PARALLEL_MIN;
        let parts = if self.radix3.is_some() { 3 } else { 1 };
        let mut parts = v.chunks_mut(self.n / parts);
        let (first, second, third) = (parts.next(), parts.next(), parts.next());
        join_if(
            parallel,
            || first.map(transform),
            || join_if(parallel, || second.map(transform), || third.map(transform)),
        );
    }

    /// The transform modulo the prime of the coefficients of `src` (at
    /// most `n` of them).
    fn forward(&self, src: &[u64]) -> Vec<u64> {
        let (f, t, n) = (self.f, &self.roots, self.n);
        let mut v = self.buffer();
        let count = self.packing.coefficients(src.len()).min(n);
        // The residues are computed in the first pass over the transform.
        let fill = |start: usize, chunk: &mut [u64]| self.residues_padded(src, count, start, chunk);
        if let Some(radix3) = &self.radix3 {
            radix3.forward(f, &mut v, fill);
            self.each_part(&mut v, &|part| forward(f, t, part));
        } else if n > ITERATIVE_MAX {
            let m = n / 4;
            // Products have at most half the coefficients of their length:
            // then the last quarters start as zeros and need not be read.
            let half = 2 * count <= n;
            t.stage2_chunks(f, &mut v, false, |start, [q0, q1, q2, q3], w| {
                fill(start, q0);
                fill(m + start, q1);
                if half {
                    f.forward_stage2_half([q0, q1, q2, q3], w);
                } else {
                    fill(2 * m + start, q2);
                    fill(3 * m + start, q3);
                    f.forward_stage2([q0, q1, q2, q3], w);
                }
            });
            forward_quarters(f, t, &mut v);
        } else {
            fill(0, &mut v);
            forward(f, t, &mut v);
        }
        v
    }

    /// The residues of the coefficients of `src` from `start` (a multiple
    /// of 8), as many as `v` holds, into `v`.
    fn residues(&self, src: &[u64], start: usize, v: &mut [u64]) {
        match self.packing {
            Packing::Limbs => self.f.residues_into(v, &src[start..start + v.len()]),
            Packing::Bits(bits) => {
                // Called per chunk of a pass: the high bits on the stack,
                // not in an allocation per chunk.
                const STEP: usize = 512;
                let mut high = [0; STEP];
                for (i, v) in v.chunks_mut(STEP).enumerate() {
                    let high = &mut high[..v.len()];
                    packing::split(src, bits, start + i * STEP, v, high);
                    self.f.wide_residues_into(v, high);
                }
            }
        }
    }

    /// The residues of the coefficients of `src` from `start` (a multiple
    /// of 8) into `v`, zeros from coefficient `count` on.
    fn residues_padded(&self, src: &[u64], count: usize, start: usize, v: &mut [u64]) {
        let valid = count.saturating_sub(start).min(v.len());
        let (values, zeros) = v.split_at_mut(valid);
        if valid > 0 {
            self.residues(src, start, values);
        }
        zeros.fill(0);
    }

    /// `x·y` (`None`: `x²`) pointwise, scaled for [`Transformer::inverse`].
    fn pointwise(&self, x: &mut [u64], y: Option<&[u64]>) {
        let (f, scale) = (self.f, self.scale);
        match y {
            _ if self.n < PARALLEL_MIN => f.pointwise(x, y, scale),
            Some(y) => x
                .par_chunks_mut(PASS_CHUNK)
                .zip(y.par_chunks(PASS_CHUNK))
                .for_each(|(x, y)| f.pointwise(x, Some(y), scale)),
            None => x
                .par_chunks_mut(PASS_CHUNK)
                .for_each(|x| f.pointwise(x, None, scale)),
        }
    }

    /// `acc + x` pointwise.
    fn add(&self, acc: &mut [u64], x: &[u64]) {
        let add = |acc: &mut [u64], x: &[u64]| {
            for (a, &x) in acc.iter_mut().zip(x) {
                *a = self.f.add(*a, x);
            }
        };
        if self.n < PARALLEL_MIN {
            add(acc, x);
        } else {
            acc.par_chunks_mut(PASS_CHUNK)
                .zip(x.par_chunks(PASS_CHUNK))
                .for_each(|(acc, x)| add(acc, x));
        }
    }

    /// The cyclic convolution whose scaled pointwise product is `v`, with
    /// values below `4p` (see [`Field::inverse_butterfly`]).
    fn inverse(&self, v: &mut [u64]) {
        let (f, t) = (self.f, &self.roots);
        self.each_part(v, &|part| inverse(f, t, part));
        if let Some(radix3) = &self.radix3 {
            radix3.inverse(f, v);
        }
    }
}

/// The first `len` values of the cyclic convolution of length `n` of the
/// coefficients of `a` and `b` (`None`: square `a`) modulo one prime,
/// below `4p`.
fn convolution<F: Field>(
    prime: (u64, u64),
    a: &[u64],
    b: Option<&[u64]>,
    (n, len, packing): (usize, usize, Packing),
    cache: Option<&Cache>,
) -> Vec<u64> {
    let t = Transformer::<F>::new(prime, (n, packing), cache);
    let mut fa = t.forward(a);
    let fb = b.map(|b| t.forward(b));
    t.pointwise(&mut fa, fb.as_deref());
    if let Some(fb) = fb {
        t.recycle(fb);
    }
    t.inverse(&mut fa);
    shortened(fa, len)
}

/// `v` cut to `len` values; the memory beyond them is given back for
/// large products, kept for reuse (see [`recycle_all`]) for the others.
fn shortened(mut v: Vec<u64>, len: usize) -> Vec<u64> {
    v.truncate(len);
    if len >= LOW_MEMORY_MIN {
        v.shrink_to_fit();
    }
    v
}

/// For each of `sums`, the cyclic convolution modulo one prime of the sum
/// of the products of the operand pairs it lists, each operand transformed
/// once and its transform freed after its last use.
fn sum_convolutions<F: Field>(
    prime: (u64, u64),
    operands: &[&[u64]],
    sums: &[&[(usize, usize)]],
    (n, packing): (usize, Packing),
    cache: Option<&Cache>,
) -> Vec<Vec<u64>> {
    let t = Transformer::<F>::new(prime, (n, packing), cache);
    let mut uses = vec![0usize; operands.len()];
    for &(i, j) in sums.iter().copied().flatten() {
        uses[i] += 1;
        uses[j] += usize::from(j != i);
    }
    let mut transforms: Vec<Option<Vec<u64>>> = vec![None; operands.len()];
    let mut results = Vec::with_capacity(sums.len());
    for pairs in sums {
        let mut sum: Option<Vec<u64>> = None;
        for &(i, j) in pairs.iter() {
            for k in [i, j] {
                if transforms[k].is_none() {
                    transforms[k] = Some(t.forward(operands[k]));
                }
            }
            uses[i] -= 1;
            uses[j] -= usize::from(j != i);
            // The product goes into a transform used for the last time.
            let (i, j) = if uses[i] > 0 && uses[j] == 0 {
                (j, i)
            } else {
                (i, j)
            };
            let mut x = match &mut transforms[i] {
                shared if uses[i] > 0 => {
                    let mut x = t.buffer();
                    x.copy_from_slice(shared.as_deref().unwrap_or_default());
                    x
                }
                last => last.take().unwrap_or_default(),
            };
            t.pointwise(
                &mut x,
                if j == i {
                    None
                } else {
                    transforms[j].as_deref()
                },
            );
            if uses[j] == 0 {
                if let Some(y) = transforms[j].take() {
                    t.recycle(y);
                }
            }
            match &mut sum {
                Some(sum) => {
                    t.add(sum, &x);
                    t.recycle(x);
                }
                None => sum = Some(x),
            }
        }
        let mut sum = sum.unwrap_or_else(|| t.zeros());
        t.inverse(&mut sum);
        results.push(shortened(sum, sum_coefficients(packing, operands, pairs)));
    }
    results
}

/// The coefficients of a sum of the products of `pairs` of `operands`.
fn sum_coefficients(packing: Packing, operands: &[&[u64]], pairs: &[(usize, usize)]) -> usize {
    let coefficients = |i: usize| packing.coefficients(operands[i].len());
    pairs
        .iter()
        .map(|&(i, j)| coefficients(i) + coefficients(j))
        .max()
        .unwrap_or(0)
}

/// The transform length for a product of `len` limbs: the smallest `2^k` or
/// `3·2^k` (thirds of at least [`MIN_RADIX3_PART`]) that holds it.
fn transform_length(len: usize) -> usize {
    let power = len.next_power_of_two();
    let three = power / 4 * 3;
    if power / 4 >= MIN_RADIX3_PART && three >= len {
        three
    } else {
        power
    }
}

/// The longest of the transform lengths (`2^k`, `3·2^k`) not above `len`
/// (at least one).
fn transform_length_below(len: usize) -> usize {
    let power = 1 << len.max(1).ilog2();
    let three = power / 2 * 3;
    if power / 2 >= MIN_RADIX3_PART && three <= len {
        three
    } else {
        power
    }
}

/// The longest sum of two products of `limbs / 2` limbs each (as
/// [`sums_of_products`] takes them), at most `limbs` limbs long, whose
/// transform has no padding: longer ones need a longer transform.
pub(super) fn full_length(limbs: usize) -> usize {
    if vectorized() {
        full_length_in::<Montgomery52>(limbs)
    } else {
        full_length_in::<Montgomery64>(limbs)
    }
}

/// [`full_length`] over the field `F`.
fn full_length_in<F: Field>(limbs: usize) -> usize {
    // The longest transform that `limbs` fill, and the most limbs whose
    // two halves' coefficients it holds.
    let full = |packing: Packing| {
        let n = transform_length_below(packing.coefficients(limbs));
        (2 * (n / 2 * packing.bits() as usize / 64)).min(limbs)
    };
    let narrow = Plan::new::<F>(limbs).packing;
    let length = full(narrow);
    // Shorter products may take wider coefficients: then that many limbs
    // fill a transform with those, if they still take them.
    let wide = Plan::new::<F>(length).packing;
    let wide_length = full(wide);
    if wide != narrow && Plan::new::<F>(wide_length).packing == wide {
        wide_length
    } else {
        length
    }
}

/// The shortest power-of-two part of a `3·2^k` transform.
const MIN_RADIX3_PART: usize = 1 << 6;

/// The product of `a` and `b` (`None`: the square of `a`) over the field
/// `F`, `a.len() + b.len()` limbs long (untrimmed).
fn product<F: Field>(a: &[u64], b: Option<&[u64]>) -> Vec<u64> {
    let shorter = b.map_or(a.len(), |b| a.len().min(b.len()));
    planned_product::<F>(a, b, Plan::new::<F>(shorter))
}

/// [`product`] by `plan`.
fn planned_product<F: Field>(a: &[u64], b: Option<&[u64]>, plan: Plan) -> Vec<u64> {
    let b_len = b.map_or(a.len(), <[u64]>::len);
    let coefficients = plan.packing.coefficients(a.len()) + plan.packing.coefficients(b_len);
    let n = transform_length(coefficients);
    convolved::<F>(a, b, plan, (n, coefficients), a.len() + b_len)
}

/// The first `coefficients` of the cyclic convolution of length `n` of the
/// coefficients of `a` and `b` (`None`: of `a` with itself) cut by `plan`,
/// recombined into `len` limbs (which must hold their value).
fn convolved<F: Field>(
    a: &[u64],
    b: Option<&[u64]>,
    plan: Plan,
    (n, coefficients): (usize, usize),
    len: usize,
) -> Vec<u64> {
    let primes = &F::PRIMES[..plan.primes];
    let computation = monitor::transform_cache();
    let cache = Some(cache_for(computation.as_deref()));
    let residue =
        |&prime: &(u64, u64)| convolution::<F>(prime, a, b, (n, coefficients, plan.packing), cache);
    // Large products one prime at a time: their transforms run in parallel
    // themselves, and only one prime's transforms are held at once.
    let residues: Vec<Vec<u64>> = if n < PARALLEL_MIN || len >= LOW_MEMORY_MIN {
        primes.iter().map(residue).collect()
    } else {
        primes.par_iter().map(residue).collect()
    };
    let product = garner::recombine::<F>(&residues, len, plan.packing);
    recycle_all(cache, residues);
    product
}

/// `x ≡ a·b (mod 2^m - 1)` (`b` absent: `a²`) for the shortest transform
/// whose `m`, its length times its coefficients' bits, is at least `bits`
/// and whose length holds each operand's coefficients: the product's
/// coefficients from the transform's length on add to its first ones.
/// Returns `x` unreduced (a few limbs longer than `m` bits) and `m`, a
/// multiple of 64.
pub(super) fn wrapped(a: &[u64], b: Option<&[u64]>, bits: u64) -> (Vec<u64>, u64) {
    if vectorized() {
        wrapped_in::<Montgomery52>(a, b, bits)
    } else {
        wrapped_in::<Montgomery64>(a, b, bits)
    }
}

/// [`wrapped`] over the field `F`.
fn wrapped_in<F: Field>(a: &[u64], b: Option<&[u64]>, bits: u64) -> (Vec<u64>, u64) {
    let b_len = b.map_or(a.len(), <[u64]>::len);
    // Each coefficient still sums at most `shorter` products. Transforms
    // of at least a group (`MAX_GROUP`) make `m` a multiple of 64.
    let plan = Plan::new::<F>(a.len().min(b_len));
    let width = u64::from(plan.packing.bits());
    let coefficients = plan
        .packing
        .coefficients(a.len().max(b_len))
        .max(bits.div_ceil(width) as usize)
        .max(packing::MAX_GROUP);
    let n = transform_length(coefficients);
    let m = n as u64 * width;
    // Below 2^(m + 2·width + 40): coefficients below 2^(2·width) · n.
    let len = m as usize / 64 + 5;
    (convolved::<F>(a, b, plan, (n, n), len), m)
}

/// Keeps the residues' buffers for reuse.
fn recycle_all(cache: Option<&Cache>, residues: Vec<Vec<u64>>) {
    if let Some(cache) = cache {
        residues.into_iter().for_each(|v| cache.recycle(v));
    }
}

/// How a product is computed: the width of its coefficients and the number
/// of primes.
#[derive(Clone, Copy, Debug)]
struct Plan {
    packing: Packing,
    primes: usize,
}

impl Plan {
    /// For a product (or a sum of `k` products) whose shorter operand has
    /// `bound / k` limbs: the widest coefficients that need no more primes
    /// than limbs do.
    fn new<F: Field>(bound: usize) -> Plan {
        let limbs = primes_needed::<F>(Packing::Limbs, bound);
        let wide = packing::WIDE_BITS.iter().find_map(|&bits| {
            let packing = Packing::Bits(bits);
            primes_needed::<F>(packing, bound)
                .filter(|&primes| limbs.is_none_or(|limbs| primes <= limbs))
                .map(|primes| Plan { packing, primes })
        });
        wide.unwrap_or(Plan {
            packing: Packing::Limbs,
            primes: limbs.unwrap_or(F::PRIMES.len()),
        })
    }
}

/// The fewest of `F`'s first primes whose product exceeds every coefficient
/// of a product (or a sum of `k` products) cut by `packing` whose shorter
/// operand has `bound / k` limbs: each sums at most `c` products of two
/// coefficients below `2^bits`, `c` the coefficients of `bound` limbs (to
/// within `k`, which the margin covers). `None` if all of them do not.
fn primes_needed<F: Field>(packing: Packing, bound: usize) -> Option<usize> {
    let terms = packing.coefficients(bound.max(1)) as f64;
    let needed = 2.0 * f64::from(packing.bits()) + terms.log2() + 0.01;
    let mut bits = 0.0;
    for (k, &(p, _)) in F::PRIMES.iter().enumerate() {
        bits += (p as f64).log2();
        if bits > needed {
            return Some(k + 1);
        }
    }
    None
}

/// Whether the transforms run on vectors (AVX-512 IFMA) here.
pub(super) fn vectorized() -> bool {
    crate::simd::ntt::available()
}

/// The product of `a` and `b`, `a.len() + b.len()` limbs long (untrimmed).
pub(super) fn mul(a: &[u64], b: &[u64]) -> Vec<u64> {
    planned(a, Some(b))
}

/// The square of `a`, `2 * a.len()` limbs long (untrimmed).
pub(super) fn square(a: &[u64]) -> Vec<u64> {
    planned(a, None)
}

/// [`summed`] over the fastest field on this processor: for each of `sums`,
/// the sum of the products of the pairs of `operands` it lists (`(i, i)`:
/// a square), one limb longer than its longest product (untrimmed).
pub(super) fn sums_of_products(operands: &[&[u64]], sums: &[&[(usize, usize)]]) -> Vec<Vec<u64>> {
    if vectorized() {
        summed::<Montgomery52>(operands, sums)
    } else {
        summed::<Montgomery64>(operands, sums)
    }
}

/// See [`sums_of_products`]: every operand is transformed once per prime.
fn summed<F: Field>(operands: &[&[u64]], sums: &[&[(usize, usize)]]) -> Vec<Vec<u64>> {
    if sums.len() > 1
        && sums
            .iter()
            .any(|pairs| sum_length(operands, pairs) >= LOW_MEMORY_MIN)
    {
        // Each sum on its own holds the residues of one result only; shared
        // operands are transformed again.
        return sums
            .iter()
            .flat_map(|pairs| summed::<F>(operands, std::slice::from_ref(pairs)))
            .collect();
    }
    // A coefficient of a sum of k products is below k·shorter·2^(2·bits).
    let bound = sums
        .iter()
        .map(|pairs| {
            pairs.len()
                * pairs
                    .iter()
                    .map(|&(i, j)| operands[i].len().min(operands[j].len()))
                    .max()
                    .unwrap_or(0)
        })
        .max()
        .unwrap_or(1);
    let plan = Plan::new::<F>(bound);
    let n = sums
        .iter()
        .map(|pairs| sum_coefficients(plan.packing, operands, pairs))
        .max()
        .map_or(1, transform_length);
    let primes = &F::PRIMES[..plan.primes];
    let computation = monitor::transform_cache();
    let cache = Some(cache_for(computation.as_deref()));
    let residue = |&prime: &(u64, u64)| {
        sum_convolutions::<F>(prime, operands, sums, (n, plan.packing), cache)
    };
    // One prime at a time: each holds several transforms, and those of
    // large sums run in parallel themselves.
    let residues: Vec<Vec<Vec<u64>>> = primes.iter().map(residue).collect();
    let mut residues: Vec<_> = residues.into_iter().map(Vec::into_iter).collect();
    sums.iter()
        .map(|pairs| {
            let of_this_sum: Vec<Vec<u64>> =
                residues.iter_mut().filter_map(Iterator::next).collect();
            let len = sum_length(operands, pairs);
            let sum = garner::recombine::<F>(&of_this_sum, len, plan.packing);
            recycle_all(cache, of_this_sum);
            sum
        })
        .collect()
}

/// Products and sums of products from this many limbs save memory at some
/// cost in time: products one prime at a time, sums one at a time.
const LOW_MEMORY_MIN: usize = 1 << 22;

/// [`product`] over the fastest field on this processor.
fn planned(a: &[u64], b: Option<&[u64]>) -> Vec<u64> {
    if vectorized() {
        product::<Montgomery52>(a, b)
    } else {
        product::<Montgomery64>(a, b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(2^(64·x) - 1)·(2^(64·y) - 1)` in limbs: the largest coefficients.
    fn all_ones_product(x: usize, y: usize) -> Vec<u64> {
        use crate::natural::Natural;
        let one = Natural::from(1u64);
        let power = |n: usize| &one << (64 * n as u64);
        let total = &(&(&power(x + y) - &power(x)) - &power(y)) + &one;
        let mut limbs = total.limbs().to_vec();
        limbs.resize(x + y, 0);
        limbs
    }

    /// Products whose transforms have length `3·2^k` and `2^k`, at the
    /// edges of each, against schoolbook, for both fields.
    #[test]
    fn radix3_and_power_of_two_lengths() {
        let limbs = crate::natural::lcg_limbs;
        for len in [
            129usize, 192, 193, 256, 257, 384, 385, 1536, 1537, 2048, 6000,
        ] {
            let n = transform_length(len);
            assert!(n >= len && n < 2 * len.max(64) + 1);
            let (x, y) = (limbs(len / 2, 3), limbs(len - len / 2, 5));
            let reference = super::super::schoolbook::mul(&x, &y);
            assert_eq!(product::<Montgomery52>(&x, Some(&y)), reference, "{len}");
            assert_eq!(product::<Montgomery64>(&x, Some(&y)), reference, "{len}");
            let square = super::super::schoolbook::mul(&x, &x);
            assert_eq!(product::<Montgomery52>(&x, None), square, "{len}");
        }
        assert_eq!(transform_length(385), 512);
        assert_eq!(transform_length(384), 384);
        assert_eq!(transform_length(1537), 2048);
    }

    /// Products of wide coefficients (four primes for `Montgomery52`, three
    /// for `Montgomery64`, where they suffice) at transform lengths `2^k`
    /// and `3·2^k` and at operand lengths of every remainder modulo a
    /// group's limbs, against schoolbook, with the largest coefficients
    /// among them.
    #[test]
    fn wide_products() {
        let limbs = |n: usize, seed: u64| -> Vec<u64> {
            let random = crate::natural::lcg_limbs(n, seed);
            (random.into_iter().enumerate())
                .map(|(i, x)| if i % 7 < 2 { u64::MAX } else { x })
                .collect()
        };
        fn check<F: Field>(x: &[u64], y: &[u64], plan: Plan) {
            let bound = x.len().min(y.len());
            if primes_needed::<F>(plan.packing, bound).is_none_or(|primes| primes > plan.primes) {
                return;
            }
            let reference = super::super::schoolbook::mul(x, y);
            let got = planned_product::<F>(x, Some(y), plan);
            assert_eq!(got, reference, "{plan:?}: {}x{}", x.len(), y.len());
            let square = super::super::schoolbook::mul(x, x);
            assert_eq!(
                planned_product::<F>(x, None, plan),
                square,
                "{plan:?}: {}",
                x.len()
            );
        }
        for bits in packing::WIDE_BITS {
            let plan = |primes| Plan {
                packing: Packing::Bits(bits),
                primes,
            };
            // Every remainder modulo a group's limbs (at most 43).
            let mut pairs: Vec<(usize, usize)> = (1..=44).map(|n| (n, n + 1)).collect();
            pairs.extend([(64, 61), (200, 158), (1001, 999), (3000, 2048)]);
            for (la, lb) in pairs {
                let (x, y) = (limbs(la, 3), limbs(lb, 5));
                check::<Montgomery52>(&x, &y, plan(4));
                check::<Montgomery64>(&x, &y, plan(3));
            }
            assert_eq!(
                planned_product::<Montgomery52>(&[u64::MAX; 20_000], None, plan(4)),
                all_ones_product(20_000, 20_000)
            );
        }
    }

    /// 88-bit coefficients at the largest operands three primes of
    /// `Montgomery64` allow them, with the largest coefficients.
    #[test]
    fn wide_products_at_their_limit() {
        let packing = Packing::Bits(packing::WIDE_BITS[0]);
        let limit = (1..1usize << 16)
            .take_while(|&n| primes_needed::<Montgomery64>(packing, n).is_some_and(|p| p <= 3))
            .last()
            .unwrap_or(1);
        assert!(limit > 100, "{limit}");
        let plan = Plan { packing, primes: 3 };
        for shorter in [limit - 1, limit] {
            let a = vec![u64::MAX; shorter];
            let longer = vec![u64::MAX; 3 * shorter + 7];
            assert_eq!(
                planned_product::<Montgomery64>(&a, None, plan),
                all_ones_product(shorter, shorter)
            );
            assert_eq!(
                planned_product::<Montgomery64>(&longer, Some(&a), plan),
                all_ones_product(3 * shorter + 7, shorter)
            );
        }
    }

    /// Sums of products through `Montgomery64`, whose plan packs wide
    /// coefficients, against schoolbook.
    #[test]
    fn wide_sums() {
        assert!(matches!(
            Plan::new::<Montgomery64>(1000).packing,
            Packing::Bits(_)
        ));
        let operands: Vec<Vec<u64>> = [300usize, 301, 302, 303, 4]
            .iter()
            .map(|&n| (0..n as u64).map(|i| u64::MAX - i * i).collect())
            .collect();
        let operands: Vec<&[u64]> = operands.iter().map(Vec::as_slice).collect();
        let sums: &[&[(usize, usize)]] = &[&[(0, 1), (2, 3), (4, 4)], &[(1, 1)]];
        let got = summed::<Montgomery64>(&operands, sums);
        for (pairs, got) in sums.iter().zip(got) {
            let mut expected = vec![0u64; sum_length(&operands, pairs)];
            for &(i, j) in pairs.iter() {
                let product = super::super::schoolbook::mul(operands[i], operands[j]);
                crate::natural::limbs::add_in_place(&mut expected, &product);
            }
            assert_eq!(got, expected, "{pairs:?}");
        }
    }

    /// Products at the largest operands each prime count allows, with the
    /// largest coefficients, for both fields.
    #[test]
    fn prime_counts_hold_at_their_limits() {
        let limit = (1..1usize << 23)
            .find(|&n| primes_needed::<Montgomery52>(Packing::Limbs, n) > Some(3))
            .unwrap_or(1);
        assert!(limit > 1 << 20, "three primes serve up to {limit} limbs");
        for shorter in [limit - 1, limit] {
            let a = vec![u64::MAX; shorter];
            let longer = vec![u64::MAX; shorter + 5];
            assert_eq!(
                product::<Montgomery52>(&a, None),
                all_ones_product(shorter, shorter)
            );
            assert_eq!(
                product::<Montgomery52>(&longer, Some(&a)),
                all_ones_product(shorter + 5, shorter)
            );
        }
    }

    /// Both fields, whatever the processor, against each other and the planner.
    #[test]
    fn full_lengths_fill_their_transforms() {
        fn check<F: Field>() {
            // The transform of a sum of two products of halves of `limbs`.
            let transform = |limbs: usize| {
                let packing = Plan::new::<F>(limbs).packing;
                let half = limbs / 2;
                transform_length(packing.coefficients(half) + packing.coefficients(limbs - half))
            };
            for limbs in [
                200, 1000, 4095, 5000, 100_000, 3_000_000, 17_000_000, 18_000_000, 20_000_000,
            ] {
                let full = full_length_in::<F>(limbs);
                assert!(full <= limbs && 3 * full >= 2 * limbs, "{limbs}: {full}");
                assert!(transform(full) < transform(full + 8), "{limbs}: {full}");
            }
        }
        check::<Montgomery52>();
        check::<Montgomery64>();
    }

    #[test]
    fn wrapped_products_agree_with_products() {
        use crate::natural::Natural;
        fn check<F: Field>(a: &[u64], b: &[u64], bits: u64) {
            let (x, m) = wrapped_in::<F>(a, Some(b), bits);
            assert!(m >= bits && m % 64 == 0 && m >= 64 * a.len().max(b.len()) as u64);
            let modulus = &(&Natural::from(1u64) << m) - &Natural::from(1u64);
            let residue = |x: Vec<u64>| Natural::from_limbs(x).div_rem(&modulus).map(|(_, r)| r);
            let product = super::super::schoolbook::mul(a, b);
            assert_eq!(
                residue(x),
                residue(product),
                "{} x {}, {bits}",
                a.len(),
                b.len()
            );
        }
        for &(la, lb, bits) in &[
            (100usize, 100usize, 0u64),
            (700, 300, 64 * 800),
            (3000, 1000, 64 * 3000),
            (5000, 5000, 64 * 7000),
        ] {
            // All-ones limbs: the largest coefficients.
            let a = vec![u64::MAX; la];
            let b: Vec<u64> = (crate::natural::lcg_limbs(lb, 3).into_iter())
                .map(|x| x | 1 << 63)
                .collect();
            check::<Montgomery52>(&a, &b, bits);
            check::<Montgomery64>(&a, &b, bits);
            let (square, _) = wrapped_in::<Montgomery52>(&b, None, bits);
            assert_eq!(square, wrapped_in::<Montgomery52>(&b, Some(&b), bits).0);
        }
    }

    #[test]
    fn both_fields_agree() {
        for &(la, lb) in &[
            (1usize, 1usize),
            (3, 2),
            (700, 300),
            (2048, 2048),
            (9000, 12_000),
        ] {
            let a = crate::natural::lcg_limbs(la, 1);
            let b = crate::natural::lcg_limbs(lb, 2);
            let x = product::<Montgomery64>(&a, Some(&b));
            assert_eq!(product::<Montgomery52>(&a, Some(&b)), x, "{la}x{lb}");
            assert_eq!(mul(&a, &b), x);
            assert_eq!(
                product::<Montgomery52>(&a, None),
                product::<Montgomery64>(&a, None)
            );
        }
    }
}
