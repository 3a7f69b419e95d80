//! Forward and inverse transforms of one prime, and the [`Transformer`]
//! that packs operands, transforms, multiplies pointwise and unpacks.

use std::sync::Arc;

use rayon::prelude::*;

use super::field::Field;
use super::garner;
use super::packing::{self, Packing};
use super::radix3::{zero_thirds, Radix3};
use super::tables::Roots;
use crate::natural::arith::Arith;
use crate::natural::fallible;

/// An operand of a transform: its limbs, and the first of their
/// coefficients it takes (a multiple of [`packing::MAX_GROUP`]).
pub(super) type Operand<'s> = (&'s [u64], usize);

/// Blocks up to this length are transformed stage by stage in cache.
pub(super) const ITERATIVE_MAX: usize = 1 << 11;
/// Pointwise passes over long transforms split into chunks of this length
/// (a multiple of the vector width) across threads.
pub(super) const PASS_CHUNK: usize = 1 << 13;
/// Blocks from this length split their work across threads.
pub(super) const PARALLEL_MIN: usize = 1 << 14;

/// Decimation-in-frequency transform, natural order in, bit-reversed out.
pub(super) fn forward<F: Field>(f: F, roots: &Roots, a: &mut [u64], arith: Arith<'_>) {
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
    arith.checkpoint();
    forward_top(f, roots, a);
    in_parts(a, parts(n), |_, part| forward(f, roots, part, arith));
}

/// Blocks from this length take four stages per pass over memory.
pub(super) const STAGE4_MIN: usize = 1 << 16;

/// The parts of a block of `n` values (more than [`ITERATIVE_MAX`]) below
/// its first pass over memory: sixteenths after four stages, quarters
/// after two.
fn parts(n: usize) -> usize {
    if n >= STAGE4_MIN {
        16
    } else {
        4
    }
}

/// The stages of [`forward`] above its [`parts`], for a block of more than
/// [`ITERATIVE_MAX`] values: one pass over memory.
fn forward_top<F: Field>(f: F, roots: &Roots, a: &mut [u64]) {
    if parts(a.len()) == 16 {
        let n = a.len();
        roots.stage4_chunks(f, (a, n, 0), false, |_, [mut rows], outer, inner, ahead| {
            forward_stage4(f, &mut rows, (outer, inner), false, ahead);
        });
    } else {
        roots.stage2_chunks(f, a, false, |_, q, w| f.forward_stage2(q, w, 0));
    }
}

/// The twiddles of the outer two stages of [`forward_stage4`] for each `t`
/// and of the inner two.
type Stage4Twiddles<'a> = ([[&'a [u64]; 3]; 4], [&'a [u64]; 3]);

/// Four forward stages on matching chunks `rows[k][t]` of a block's
/// sixteenths `4k + t` (see [`Roots::stage4_chunks`]); with `half` the last
/// eight are taken as zero. The rows' values `ahead` past theirs are
/// fetched into cache as the first two stages read them (see
/// `Field::forward_stage2`).
fn forward_stage4<F: Field>(
    f: F,
    rows: &mut [[&mut [u64]; 4]; 4],
    (outer, inner): Stage4Twiddles<'_>,
    half: bool,
    ahead: usize,
) {
    let [r0, r1, r2, r3] = rows;
    for (t, w) in outer.into_iter().enumerate() {
        let q = [&mut *r0[t], &mut *r1[t], &mut *r2[t], &mut *r3[t]];
        if half {
            f.forward_stage2_half(q, w, ahead);
        } else {
            f.forward_stage2(q, w, ahead);
        }
    }
    for [a, b, c, d] in [r0, r1, r2, r3] {
        f.forward_stage2([&mut **a, &mut **b, &mut **c, &mut **d], inner, 0);
    }
}

/// The inverse of [`forward_stage4`].
fn inverse_stage4<F: Field>(
    f: F,
    rows: &mut [[&mut [u64]; 4]; 4],
    (outer, inner): Stage4Twiddles<'_>,
    ahead: usize,
) {
    let [r0, r1, r2, r3] = rows;
    for [a, b, c, d] in [&mut *r0, &mut *r1, &mut *r2, &mut *r3] {
        f.inverse_stage2([&mut **a, &mut **b, &mut **c, &mut **d], inner, ahead);
    }
    for (t, w) in outer.into_iter().enumerate() {
        f.inverse_stage2([&mut *r0[t], &mut *r1[t], &mut *r2[t], &mut *r3[t]], w, 0);
    }
}

/// `transform(offset, part)` on each of the `parts` equal parts of `a`.
fn in_parts(a: &mut [u64], parts: usize, transform: impl Fn(usize, &mut [u64]) + Send + Sync) {
    let len = a.len() / parts;
    if a.len() >= PARALLEL_MIN {
        (a.par_chunks_mut(len).enumerate()).for_each(|(i, part)| transform(i * len, part));
    } else {
        (a.chunks_mut(len).enumerate()).for_each(|(i, part)| transform(i * len, part));
    }
}

/// `inverse(pointwise(forward(a), y))`, where `y` is the transform of the
/// other operand at the place of `a` in its transform (`None`: square),
/// `scale` the pointwise products' scale and `bias` a constant added to the
/// first pointwise product (see [`Transformer::bias`]): block by block,
/// each block's product and first inverse stages while it is in cache,
/// instead of a pass over memory each.
fn convolve_block<F: Field>(
    f: F,
    roots: &Roots,
    a: &mut [u64],
    (y, scale, bias): (Option<&[u64]>, u64, Option<u64>),
    arith: Arith<'_>,
) {
    let n = a.len();
    if n <= ITERATIVE_MAX {
        // The other transform comes from memory: fetched while this block's
        // forward transform runs.
        if let Some(y) = y {
            crate::simd::fetch(y);
        }
        forward(f, roots, a, arith);
        f.pointwise(a, y, scale);
        add_bias(f, a, bias);
        inverse(f, roots, a, arith);
        return;
    }
    arith.checkpoint();
    forward_top(f, roots, a);
    in_parts(a, parts(n), |offset, part| {
        let y = y.map(|y| &y[offset..offset + part.len()]);
        let bias = bias.filter(|_| offset == 0);
        convolve_block(f, roots, part, (y, scale, bias), arith);
    });
    inverse_top(f, roots, a);
}

/// `bias` (if any) added to the transform's constant term `a[0]`, a
/// pointwise product: every value of the inverse transform then gets it.
fn add_bias<F: Field>(f: F, a: &mut [u64], bias: Option<u64>) {
    if let Some(bias) = bias {
        a[0] = f.add(f.reduce_lazy(a[0]), bias);
    }
}

/// The stages of [`inverse`] above its [`parts`], once they are
/// transformed back: the inverse of [`forward_top`].
fn inverse_top<F: Field>(f: F, roots: &Roots, a: &mut [u64]) {
    if parts(a.len()) == 16 {
        let n = a.len();
        roots.stage4_chunks(f, (a, n, 0), true, |_, [mut rows], outer, inner, ahead| {
            inverse_stage4(f, &mut rows, (outer, inner), ahead);
        });
    } else {
        roots.stage2_chunks(f, a, true, |_, q, w| f.inverse_stage2(q, w, 0));
    }
}

/// Decimation-in-time inverse of [`forward`] times `a.len()`, bit-reversed
/// order in, natural out.
pub(super) fn inverse<F: Field>(f: F, roots: &Roots, a: &mut [u64], arith: Arith<'_>) {
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
    arith.checkpoint();
    in_parts(a, parts(n), |_, part| inverse(f, roots, part, arith));
    inverse_top(f, roots, a);
}

/// Transforms of length `n` modulo one prime: the twiddles and radix-3
/// constants they take.
pub(super) struct Transformer<'a, F: Field> {
    f: F,
    arith: Arith<'a>,
    n: usize,
    packing: Packing,
    roots: Roots,
    radix3: Option<Arc<Radix3>>,
    /// Restores the factor `1/R` of pointwise products and divides by `n`.
    scale: u64,
    /// For balanced limbs, the residue of the bias that every coefficient
    /// of a convolution gets (see `garner::balanced_bias`), so that the
    /// recombination sees them non-negative.
    bias: Option<u64>,
}

impl<'a, F: Field> Transformer<'a, F> {
    pub(super) fn new(
        (p, generator): (u64, u64),
        (n, packing): (usize, Packing),
        arith: Arith<'a>,
    ) -> Self {
        let f = F::new(p);
        // n = 2^k, or 3·2^k: a radix-3 step around three transforms of n/3.
        let cache = arith.transforms();
        let radix3 = (!n.is_power_of_two()).then(|| cache.radix3(f, generator, n));
        let parts = if radix3.is_some() { 3 } else { 1 };
        let roots = Roots::new(f, generator, n / parts, cache);
        // Each residue carries a factor 1/R, and each pointwise product two
        // more: the scale is R^4 / n (a product by R² multiplies by R).
        // n divides p - 1: n · (p - (p-1)/n) = -(p - 1) = 1 mod p.
        let inverse_n = f.to_montgomery(p - (p - 1) / n as u64);
        let scale = (0..3).fold(inverse_n, |x, _| f.mul(x, f.r2()));
        let bias = (packing.is_balanced()).then(|| f.reduce(garner::balanced_bias_mod::<F>(p)));
        Transformer {
            f,
            arith,
            n,
            packing,
            roots,
            radix3,
            scale,
            bias,
        }
    }

    /// `n` values to be overwritten: a kept buffer if there is one.
    pub(super) fn buffer(&self) -> Vec<u64> {
        self.arith
            .transforms()
            .buffer(self.n)
            .unwrap_or_else(|| fallible::filled(self.n, 0))
    }

    /// `n` zeros.
    pub(super) fn zeros(&self) -> Vec<u64> {
        let mut v = self.buffer();
        v.fill(0);
        v
    }

    /// Keeps `v` for reuse.
    pub(super) fn recycle(&self, v: Vec<u64>) {
        self.arith.transforms().recycle(v);
    }

    /// The same transforms without the bias of balanced limbs: their
    /// convolutions are the coefficients' own residues.
    pub(super) fn unbiased(mut self) -> Self {
        self.bias = None;
        self
    }

    /// The transform's length.
    pub(super) fn len(&self) -> usize {
        self.n
    }

    /// The context its work runs in.
    pub(super) fn arith(&self) -> Arith<'a> {
        self.arith
    }

    /// The field of the prime.
    pub(super) fn field(&self) -> F {
        self.f
    }

    /// The residue of the bias every value of a convolution gets, if any.
    pub(super) fn bias(&self) -> Option<u64> {
        self.bias
    }

    /// The transform modulo the prime of the coefficients of `src` (at
    /// most `n` of them).
    pub(super) fn forward(&self, src: Operand<'_>) -> Vec<u64> {
        let (f, t, arith) = (self.f, &self.roots, self.arith);
        self.with_parts(src, |_, part| forward(f, t, part, arith))
    }

    /// The cyclic convolution of the coefficients of `src` with those whose
    /// transform is `y` (`None`: of `src` with itself), as
    /// [`Transformer::inverse`] leaves it: `src`'s transform, the pointwise
    /// product and the inverse transform, block by block in cache.
    pub(super) fn convolve(&self, src: Operand<'_>, y: Option<&[u64]>) -> Vec<u64> {
        let (f, t, scale, arith) = (self.f, &self.roots, self.scale, self.arith);
        let mut v = self.with_parts(src, |offset, part| {
            let y = y.map(|y| &y[offset..offset + part.len()]);
            let bias = self.bias.filter(|_| offset == 0);
            convolve_block(f, t, part, (y, scale, bias), arith);
        });
        self.inverse_top(&mut v);
        v
    }

    /// The parts of the transform below its first pass over memory: the
    /// sixteenths of the thirds where the radix-3 step and the thirds'
    /// first four stages take one pass, else the thirds, else the parts of
    /// a block's first pass ([`parts`]), else the whole.
    fn parts(&self) -> usize {
        match self.radix3 {
            Some(_) if self.n / 3 >= STAGE4_MIN => 48,
            Some(_) => 3,
            None if self.n > ITERATIVE_MAX => parts(self.n),
            None => 1,
        }
    }

    /// The radix-3 steps of one chunk of the sixteenths `rows` of the
    /// thirds at offset `start` in them: forward ones, whose values from
    /// index `count` on are zeros (the rows among them unread, see
    /// [`zero_thirds`]), or inverse ones.
    fn radix3_rows(
        &self,
        radix3: &Radix3,
        rows: &mut [[[&mut [u64]; 4]; 4]; 3],
        start: usize,
        (inverse, count): (bool, usize),
    ) {
        let (m, s) = (self.n / 3, self.n / 48);
        let mut bufs = Default::default();
        let [r0, r1, r2] = rows;
        for u in 0..16 {
            let (k, t) = (u / 4, u % 4);
            let x = [&mut *r0[k][t], &mut *r1[k][t], &mut *r2[k][t]];
            let offset = u * s + start;
            let zeros = if inverse {
                0
            } else {
                zero_thirds(m, offset, count)
            };
            radix3.step(self.f, x, (m, offset), (inverse, zeros), &mut bufs);
        }
    }

    /// The inverse of the first pass of [`Transformer::with_parts`], after
    /// its parts were transformed back.
    fn inverse_top(&self, v: &mut [u64]) {
        match &self.radix3 {
            _ if self.windowed() => self.inverse_window(v, 0),
            Some(radix3) => radix3.inverse(self.f, v),
            None if self.n > ITERATIVE_MAX => inverse_top(self.f, &self.roots, v),
            None => {}
        }
    }

    /// The parts of the transform below its first pass over memory: its
    /// values `k·len..(k + 1)·len` for each of [`Transformer::parts`],
    /// `len` this length.
    pub(super) fn part_len(&self) -> usize {
        self.n / self.parts()
    }

    /// The stages of the forward transform below the first pass over
    /// memory, on one of its parts.
    pub(super) fn forward_part(&self, part: &mut [u64]) {
        forward(self.f, &self.roots, part, self.arith);
    }

    /// The stages of [`Transformer::inverse`] below its last pass over
    /// memory, on its part at `offset`.
    pub(super) fn inverse_part(&self, part: &mut [u64], offset: usize) {
        add_bias(self.f, part, self.bias.filter(|_| offset == 0));
        inverse(self.f, &self.roots, part, self.arith);
    }

    /// Whether the stages above the transform's parts take sixteenths of
    /// its blocks (48 or 16 parts): then they run on windows of columns
    /// (see [`Roots::stage4_chunks`]).
    pub(super) fn windowed(&self) -> bool {
        self.parts() >= 16
    }

    /// [`Transformer::inverse_top`] on the window `v` of columns from
    /// `first` of a [`Transformer::windowed`] transform.
    pub(super) fn inverse_window(&self, v: &mut [u64], first: usize) {
        let (f, t, n) = (self.f, &self.roots, self.n);
        match &self.radix3 {
            Some(radix3) => {
                t.stage4_chunks::<F, 3>(
                    f,
                    (v, n / 3, first),
                    true,
                    |start, mut rows, outer, inner, ahead| {
                        for third in &mut rows {
                            inverse_stage4(f, third, (outer, inner), ahead);
                        }
                        self.radix3_rows(radix3, &mut rows, start, (true, n));
                    },
                );
            }
            None => {
                t.stage4_chunks(
                    f,
                    (v, n, first),
                    true,
                    |_, [mut rows], outer, inner, ahead| {
                        inverse_stage4(f, &mut rows, (outer, inner), ahead);
                    },
                );
            }
        }
    }

    /// The residues of the coefficients of `src` (at most `n` of them)
    /// through the stages of the transform above its [`Transformer::parts`]
    /// in one pass over memory, then `part` on each part with its offset.
    fn with_parts(
        &self,
        (src, first): Operand<'_>,
        part: impl Fn(usize, &mut [u64]) + Send + Sync,
    ) -> Vec<u64> {
        let (f, t, n) = (self.f, &self.roots, self.n);
        let mut v = self.buffer();
        let count = self.coefficients((src, first));
        // The residues are computed in the first pass over the transform.
        let fill = |start: usize, chunk: &mut [u64]| {
            self.residues_padded(src, (first, count), start, chunk);
        };
        // Products have at most half the coefficients of their length:
        // then the last half starts as zeros and need not be read.
        let half = 2 * count <= n;
        match &self.radix3 {
            _ if self.windowed() => self.forward_window((src, first), &mut v, 0),
            Some(radix3) => radix3.forward(f, (&mut v, count), fill),
            None if n > ITERATIVE_MAX => {
                let m = n / 4;
                t.stage2_chunks(f, &mut v, false, |start, [q0, q1, q2, q3], w| {
                    fill(start, q0);
                    fill(m + start, q1);
                    if half {
                        f.forward_stage2_half([q0, q1, q2, q3], w, 0);
                    } else {
                        fill(2 * m + start, q2);
                        fill(3 * m + start, q3);
                        f.forward_stage2([q0, q1, q2, q3], w, 0);
                    }
                });
            }
            None => fill(0, &mut v),
        }
        in_parts(&mut v, self.parts(), part);
        v
    }

    /// The coefficients of `src` that the transform takes (at most `n`).
    pub(super) fn coefficients(&self, (src, first): Operand<'_>) -> usize {
        debug_assert!(first.is_multiple_of(packing::MAX_GROUP));
        (self.packing.coefficients(src.len()) - first).min(self.n)
    }

    /// The residues of the coefficients of `src` through the stages above
    /// the parts of a [`Transformer::windowed`] transform, on the window
    /// `v` of columns from `first` (see [`Roots::stage4_chunks`]).
    pub(super) fn forward_window(&self, (src, from): Operand<'_>, v: &mut [u64], first: usize) {
        let (f, t, n) = (self.f, &self.roots, self.n);
        let count = self.coefficients((src, from));
        let fill = |start: usize, chunk: &mut [u64]| {
            self.residues_padded(src, (from, count), start, chunk);
        };
        match &self.radix3 {
            Some(radix3) => {
                let (m, s) = (n / 3, n / 48);
                t.stage4_chunks::<F, 3>(
                    f,
                    (v, m, first),
                    false,
                    |start, mut rows, outer, inner, _| {
                        for u in 0..16 {
                            let offset = u * s + start;
                            // The radix-3 step takes the other thirds' rows as zero.
                            let filled = 3 - zero_thirds(m, offset, count);
                            for (b, third) in rows.iter_mut().enumerate().take(filled) {
                                fill(b * m + offset, third[u / 4][u % 4]);
                            }
                        }
                        self.radix3_rows(radix3, &mut rows, start, (false, count));
                        for third in &mut rows {
                            forward_stage4(f, third, (outer, inner), false, 0);
                        }
                    },
                );
            }
            None => {
                // Products have at most half the coefficients of their
                // length: then the last half starts as zeros and need not
                // be read.
                let (s, half) = (n / 16, 2 * count <= n);
                t.stage4_chunks(
                    f,
                    (v, n, first),
                    false,
                    |start, [mut rows], outer, inner, _| {
                        for (k, quarter) in rows.iter_mut().enumerate() {
                            for (i, row) in quarter.iter_mut().enumerate() {
                                if !half || k < 2 {
                                    fill((4 * k + i) * s + start, row);
                                }
                            }
                        }
                        forward_stage4(f, &mut rows, (outer, inner), half, 0);
                    },
                );
            }
        }
    }

    /// The residues of the coefficients of `src` from `start` (a multiple
    /// of 8), as many as `v` holds, into `v`.
    fn residues(&self, src: &[u64], start: usize, v: &mut [u64]) {
        if self.packing.is_balanced() {
            self.f.balanced_residues_into(v, src, start);
        } else if self.packing.is_limbs() {
            self.f.residues_into(v, &src[start..start + v.len()]);
        } else {
            // Called per chunk of a pass: the high bits on the stack, not
            // in an allocation per chunk.
            const STEP: usize = 512;
            let mut high = [0; STEP];
            for (i, v) in v.chunks_mut(STEP).enumerate() {
                let high = &mut high[..v.len()];
                packing::split(src, self.packing.bits(), start + i * STEP, v, high);
                self.f.wide_residues_into(v, high);
            }
        }
    }

    /// The residues of the coefficients of `src` from `first + start`
    /// (`start` a multiple of 8) into `v`, zeros from `first + count` on.
    fn residues_padded(
        &self,
        src: &[u64],
        (first, count): (usize, usize),
        start: usize,
        v: &mut [u64],
    ) {
        let valid = count.saturating_sub(start).min(v.len());
        let (values, zeros) = v.split_at_mut(valid);
        if valid > 0 {
            self.residues(src, first + start, values);
        }
        zeros.fill(0);
    }

    /// `x·y` (`None`: `x²`) pointwise, scaled for [`Transformer::inverse`].
    pub(super) fn pointwise(&self, x: &mut [u64], y: Option<&[u64]>) {
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
    pub(super) fn add(&self, acc: &mut [u64], x: &[u64]) {
        if self.n < PARALLEL_MIN {
            self.f.add_into(acc, x);
        } else {
            acc.par_chunks_mut(PASS_CHUNK)
                .zip(x.par_chunks(PASS_CHUNK))
                .for_each(|(acc, x)| self.f.add_into(acc, x));
        }
    }

    /// The cyclic convolution whose scaled pointwise product is `v` (each
    /// value plus the bias, for balanced limbs), with values below `4p`
    /// (see [`Field::inverse_butterfly`]).
    pub(super) fn inverse(&self, v: &mut [u64]) {
        in_parts(v, self.parts(), |offset, part| {
            self.inverse_part(part, offset)
        });
        self.inverse_top(v);
    }
}
