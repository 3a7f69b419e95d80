//! The scalar loops of a field's vectorizable steps: the defaults of
//! [`Field`], and the fallbacks of fields with vector kernels.

use super::Field;

#[inline(always)]
pub(super) fn reduce_into<F: Field>(f: F, dst: &mut [u64], src: &[u64]) {
    for (d, &s) in dst.iter_mut().zip(src) {
        *d = f.reduce(s);
    }
}

#[inline(always)]
pub(super) fn pointwise<F: Field>(f: F, x: &mut [u64], y: Option<&[u64]>, scale: u64) {
    match y {
        Some(y) => {
            for (x, &y) in x.iter_mut().zip(y) {
                *x = f.mul(f.mul(*x, y), scale);
            }
        }
        None => {
            for x in x.iter_mut() {
                *x = f.mul(f.mul(*x, *x), scale);
            }
        }
    }
}

#[inline(always)]
pub(super) fn forward_stage<F: Field>(f: F, lo: &mut [u64], hi: &mut [u64], w: &[u64]) {
    for ((x, y), &w) in lo.iter_mut().zip(hi.iter_mut()).zip(w) {
        let (u, v) = (*x, *y);
        *x = f.add(u, v);
        *y = f.mul(f.sub(u, v), w);
    }
}

#[inline(always)]
pub(super) fn inverse_stage<F: Field>(f: F, lo: &mut [u64], hi: &mut [u64], w: &[u64]) {
    for ((x, y), &w) in lo.iter_mut().zip(hi.iter_mut()).zip(w) {
        let u = *x;
        let v = f.mul(*y, w);
        *x = f.add(u, v);
        *y = f.sub(u, v);
    }
}

/// [`Field::forward_stage2`] as four single stages.
pub(super) fn forward_stage2<F: Field>(f: F, q: [&mut [u64]; 4], w: [&[u64]; 3]) {
    let [q0, q1, q2, q3] = q;
    forward_stage(f, q0, q2, w[0]);
    forward_stage(f, q1, q3, w[1]);
    forward_stage(f, q0, q1, w[2]);
    forward_stage(f, q2, q3, w[2]);
}

/// [`Field::inverse_stage2`] as four single stages.
pub(super) fn inverse_stage2<F: Field>(f: F, q: [&mut [u64]; 4], w: [&[u64]; 3]) {
    let [q0, q1, q2, q3] = q;
    inverse_stage(f, q0, q1, w[2]);
    inverse_stage(f, q2, q3, w[2]);
    inverse_stage(f, q0, q2, w[0]);
    inverse_stage(f, q1, q3, w[1]);
}
