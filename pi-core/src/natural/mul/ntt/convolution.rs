//! Convolutions modulo one prime: of one product, and sums of products
//! whose operands are transformed once.

use super::field::Field;
use super::packing::{Packing, MAX_GROUP};
use super::plan::{sum_coefficients, transform_length};
use super::transform::{Operand, Transformer};
use crate::natural::arith::Arith;
use crate::natural::fallible;

/// The first `len` values of the convolution of the coefficients of `a`
/// and `b` (`None`: square `a`) modulo one prime, by a cyclic one of
/// length `n`, below `4p`; where `len` exceeds `n` (each operand at most
/// `n`), the values that wrapped are taken off the first ones and follow
/// the last, from a short product of the operands' tops (see [`add_top`]).
pub(super) fn convolution<F: Field>(
    prime: (u64, u64),
    a: &[u64],
    b: Option<&[u64]>,
    (n, len, packing): (usize, usize, Packing),
    arith: Arith<'_>,
) -> Vec<u64> {
    let t = Transformer::<F>::new(prime, (n, packing), arith);
    let mut convolution = cyclic(&t, (a, 0), b.map(|b| (b, 0)), true);
    if len > n {
        let mut top = fallible::filled(len - n, 0u64);
        add_top::<F>(prime, (a, b), (n, packing), &mut top, arith);
        unwrap(&t, &mut convolution, &top);
    }
    // The memory past `len` stays: given back, it would be grown again
    // (copied by `realloc` where it lies on the heap, or fresh pages
    // cleared) when the buffer is next taken for a transform of length `n`.
    convolution.truncate(len);
    convolution
}

/// The cyclic convolution by `t` of `a` and `b` (`None`: of `a` with
/// itself); with `keep`, `b`'s transform goes back to the cache for reuse
/// (not the short products' of tops: their lengths would stay there,
/// raising the peak of memory).
fn cyclic<F: Field>(
    t: &Transformer<'_, F>,
    a: Operand<'_>,
    b: Option<Operand<'_>>,
    keep: bool,
) -> Vec<u64> {
    match b {
        Some(b) => {
            let fb = t.forward(b);
            let convolution = t.convolve(a, Some(&fb));
            if keep {
                t.recycle(fb);
            }
            convolution
        }
        None => t.convolve(a, None),
    }
}

/// Adds to `top` the coefficients from `n` on (as many as `top` holds, the
/// ones past the product zero) of the product of `a` and `b` (`None`: `a²`)
/// cut by `packing`, modulo one prime, each below `p`: a product of their
/// tops, the only coefficients whose products reach `n`.
fn add_top<F: Field>(
    prime: (u64, u64),
    (a, b): (&[u64], Option<&[u64]>),
    (n, packing): (usize, Packing),
    top: &mut [u64],
    arith: Arith<'_>,
) {
    let ca = packing.coefficients(a.len());
    let cb = b.map_or(ca, |b| packing.coefficients(b.len()));
    let Some(wrapped) = (ca + cb).checked_sub(n + 1).filter(|&w| w > 0) else {
        return;
    };
    // Coefficient n + j sums a_x·b_y with x + y = n + j, y < cb: x from
    // ca - wrapped on (and y from cb - wrapped), from a group's start.
    let from = |c: usize| c.saturating_sub(wrapped) / MAX_GROUP * MAX_GROUP;
    let (sa, sb) = (from(ca), from(cb));
    let count = (ca - sa) + (cb - sb) - 1;
    // The coefficients' own residues, without a bias: the wrapped ones
    // come off values that have it once.
    let t = Transformer::<F>::new(prime, (transform_length(count), packing), arith).unbiased();
    let product = cyclic(&t, (a, sa), b.map(|b| (b, sb)), false);
    let f = t.field();
    for (x, &c) in top.iter_mut().zip(&product[n - sa - sb..count]) {
        *x = f.add(*x, f.reduce_lazy(c));
    }
}

/// The cyclic convolution `v` by `t` (values below `4p`) with the
/// coefficients from its length on, `top` (below `p`, without the bias),
/// taken off its first values (where they wrapped) and appended, with the
/// bias if `t` adds one.
fn unwrap<F: Field>(t: &Transformer<'_, F>, v: &mut Vec<u64>, top: &[u64]) {
    let f = t.field();
    for (x, &c) in v.iter_mut().zip(top) {
        *x = f.sub(f.reduce_lazy(*x), c);
    }
    // Exactly: a doubled capacity would raise the peak of memory.
    fallible::reserve(v, top.len());
    v.extend(
        top.iter()
            .map(|&c| t.bias().map_or(c, |bias| f.add(c, bias))),
    );
}

/// For each of `sums`, the convolution modulo one prime of the sum of the
/// products of the operand pairs it lists, by a cyclic one of length `n`
/// (unwrapped as in [`convolution`] where the sum is longer), each operand
/// transformed once and its transform freed after its last use.
pub(super) fn sum_convolutions<F: Field>(
    prime: (u64, u64),
    operands: &[&[u64]],
    sums: &[&[(usize, usize)]],
    (n, packing): (usize, Packing),
    arith: Arith<'_>,
) -> Vec<Vec<u64>> {
    let t = Transformer::<F>::new(prime, (n, packing), arith);
    let lens: Vec<usize> = operands.iter().map(|x| x.len()).collect();
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
                    transforms[k] = Some(t.forward((operands[k], 0)));
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
        let len = sum_coefficients(packing, &lens, pairs);
        if len > n {
            let mut top = fallible::filled(len - n, 0u64);
            for &(i, j) in pairs.iter() {
                let b = (j != i).then(|| operands[j]);
                add_top::<F>(prime, (operands[i], b), (n, packing), &mut top, arith);
            }
            unwrap(&t, &mut sum, &top);
        }
        sum.truncate(len);
        results.push(sum);
    }
    results
}
