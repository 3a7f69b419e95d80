//! Convolutions modulo one prime: of one product, and sums of products
//! whose operands are transformed once.

use super::field::Field;
use super::packing::Packing;
use super::plan::sum_coefficients;
use super::transform::Transformer;
use super::LOW_MEMORY_MIN;
use crate::natural::arith::Arith;

/// The first `len` values of the cyclic convolution of length `n` of the
/// coefficients of `a` and `b` (`None`: square `a`) modulo one prime,
/// below `4p`.
pub(super) fn convolution<F: Field>(
    prime: (u64, u64),
    a: &[u64],
    b: Option<&[u64]>,
    (n, len, packing): (usize, usize, Packing),
    arith: Arith<'_>,
) -> Vec<u64> {
    let t = Transformer::<F>::new(prime, (n, packing), arith);
    let convolution = match b {
        Some(b) => {
            let fb = t.forward(b);
            let convolution = t.convolve(a, Some(&fb));
            t.recycle(fb);
            convolution
        }
        None => t.convolve(a, None),
    };
    shortened(convolution, len)
}

/// `v` cut to `len` values; the memory beyond them is given back for
/// large products, kept for reuse (see [`super::recycle_all`]) for the others.
pub(super) fn shortened(mut v: Vec<u64>, len: usize) -> Vec<u64> {
    v.truncate(len);
    if len >= LOW_MEMORY_MIN {
        v.shrink_to_fit();
    }
    v
}

/// For each of `sums`, the cyclic convolution modulo one prime of the sum
/// of the products of the operand pairs it lists, each operand transformed
/// once and its transform freed after its last use.
pub(super) fn sum_convolutions<F: Field>(
    prime: (u64, u64),
    operands: &[&[u64]],
    sums: &[&[(usize, usize)]],
    (n, packing): (usize, Packing),
    arith: Arith<'_>,
) -> Vec<Vec<u64>> {
    let t = Transformer::<F>::new(prime, (n, packing), arith);
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
