//! Convolutions modulo one prime whose transforms wait in spill files, for
//! products held to a memory budget: each pass over a transform streams it
//! through memory a window of columns or a part at a time (see
//! [`Transformer::windowed`]), so that a product holds about a quarter of
//! one transform instead of two whole ones, and every read and write is of
//! whole rows of at least 8 KiB. An operand used once is written only
//! through the transform's first pass: the product that uses it finishes
//! it a part at a time as it reads it, a write and a read fewer.

use rayon::prelude::*;

use super::field::Field;
use super::spill::{Source, Spilled};
use super::tables::STAGE4_CHUNK;
use super::transform::{Operand, Transformer};
use crate::natural::{fallible, Spill};

/// The windows of columns a pass over a transform takes (fewer where they
/// would be narrower than [`STAGE4_CHUNK`]): each holds a sixteenth of it.
const WINDOWS: usize = 16;

/// For each of `sums`, the cyclic convolution by `t` (a
/// [`Transformer::windowed`] one) of the sum of the products of the
/// `operands` pairs it lists, as [`Transformer::inverse`] leaves it, in a
/// file of `spill`: each operand transformed once, into a file kept until
/// its last use (one waiting in a file read back for that alone), only
/// through the first pass where it has only one use.
pub(super) fn sum_convolutions<'s, F: Field>(
    t: &Transformer<'_, F>,
    operands: &[Source<'_>],
    sums: &[&[(usize, usize)]],
    spill: &'s dyn Spill,
) -> Vec<Spilled<'s>> {
    debug_assert!(t.windowed());
    let mut uses = vec![0usize; operands.len()];
    for &(i, j) in sums.iter().copied().flatten() {
        uses[i] += 1;
        uses[j] += usize::from(j != i);
    }
    let mut transforms: Vec<Option<Transform<'s>>> = operands.iter().map(|_| None).collect();
    let mut results = Vec::with_capacity(sums.len());
    for pairs in sums {
        for &(i, j) in pairs.iter() {
            for k in [i, j] {
                if transforms[k].is_none() {
                    // Made at its first use: `uses[k]` is still all of them.
                    let src = operands[k].load();
                    transforms[k] = Some(forward(t, (&src, 0), uses[k] > 1, spill));
                }
            }
        }
        let factors: Vec<(&Transform<'s>, Option<&Transform<'s>>)> = pairs
            .iter()
            .filter_map(|&(i, j)| {
                let x = transforms[i].as_ref()?;
                Some((x, if j == i { None } else { transforms[j].as_ref() }))
            })
            .collect();
        results.push(summed(t, &factors, spill));
        for &(i, j) in pairs.iter() {
            uses[i] -= 1;
            uses[j] -= usize::from(j != i);
        }
        for (transform, &uses) in transforms.iter_mut().zip(&uses) {
            if uses == 0 {
                *transform = None;
            }
        }
    }
    results
}

/// An operand's transform in a spill file: whole, or through the stages
/// above its parts only (see [`Transformer::forward_part`]).
struct Transform<'s> {
    file: Spilled<'s>,
    whole: bool,
}

impl Transform<'_> {
    /// Its part at `offset` into `part`, whole.
    fn read_part<F: Field>(&self, t: &Transformer<'_, F>, offset: usize, part: &mut [u64]) {
        self.file.read(offset, part);
        if !self.whole {
            t.forward_part(part);
        }
    }
}

/// The transform by `t` of the coefficients of `src`, in a new file of
/// `spill`: the first pass a window at a time, then each part if `whole`.
fn forward<'s, F: Field>(
    t: &Transformer<'_, F>,
    src: Operand<'_>,
    whole: bool,
    spill: &'s dyn Spill,
) -> Transform<'s> {
    let file = Spilled::new(spill, t.len());
    by_windows(t, &file, false, |window, first| {
        t.forward_window(src, window, first);
    });
    if whole {
        let len = t.part_len();
        let mut part = fallible::filled(len, 0u64);
        for offset in (0..t.len()).step_by(len) {
            t.arith().checkpoint();
            file.read(offset, &mut part);
            t.forward_part(&mut part);
            file.write_at(offset, &part);
        }
    }
    Transform { file, whole }
}

/// The inverse transform by `t` of the sum of the pointwise products of
/// the transforms `factors` (a square where the second is `None`), in a
/// new file of `spill`.
fn summed<'s, F: Field>(
    t: &Transformer<'_, F>,
    factors: &[(&Transform<'_>, Option<&Transform<'_>>)],
    spill: &'s dyn Spill,
) -> Spilled<'s> {
    let file = Spilled::new(spill, t.len());
    let len = t.part_len();
    let [mut sum, mut x, mut y] = [(); 3].map(|()| fallible::filled(len, 0u64));
    for offset in (0..t.len()).step_by(len) {
        t.arith().checkpoint();
        if factors.is_empty() {
            sum.fill(0);
        }
        for (k, &(a, b)) in factors.iter().enumerate() {
            let target = if k == 0 { &mut sum } else { &mut x };
            a.read_part(t, offset, target);
            match b {
                Some(b) => {
                    b.read_part(t, offset, &mut y);
                    t.pointwise(target, Some(&y));
                }
                None => t.pointwise(target, None),
            }
            if k > 0 {
                t.add(&mut sum, &x);
            }
        }
        t.inverse_part(&mut sum, offset);
        file.write_at(offset, &sum);
    }
    by_windows(t, &file, true, |window, first| {
        t.inverse_window(window, first);
    });
    file
}

/// `pass(window, first)` on each window of columns of `file`'s transform
/// by `t` (of its rows, the transform's parts, the values `first..first +
/// w` of each), read from the file first if `read`, and written back.
fn by_windows<F: Field>(
    t: &Transformer<'_, F>,
    file: &Spilled<'_>,
    read: bool,
    pass: impl Fn(&mut [u64], usize),
) {
    let s = t.part_len();
    let rows = t.len() / s;
    let w = (s / WINDOWS).max(STAGE4_CHUNK).min(s);
    let mut window = fallible::filled(rows * w, 0u64);
    for first in (0..s).step_by(w) {
        t.arith().checkpoint();
        if read {
            (window.par_chunks_mut(w).enumerate()).for_each(|(r, row)| {
                file.read(r * s + first, row);
            });
        }
        pass(&mut window, first);
        (window.par_chunks(w).enumerate()).for_each(|(r, row)| {
            file.write_at(r * s + first, row);
        });
    }
}
