//! The scalar loops of a field's vectorizable steps: the defaults of
//! [`Field`], and the fallbacks of fields with vector kernels.

use super::field::Field;

#[inline(always)]
pub(super) fn residues_into<F: Field>(f: F, dst: &mut [u64], src: &[u64]) {
    for (d, &s) in dst.iter_mut().zip(src) {
        *d = f.residue(s);
    }
}

/// [`Field::balanced_residues_into`], whole vectors of `lanes` digits by
/// `kernel(dst, src)` where it applies (`src` the limbs of `dst`'s digits
/// and the one before; `false`: nothing done), the rest here.
pub(super) fn balanced_residues_into<F: Field>(
    f: F,
    dst: &mut [u64],
    (limbs, start): (&[u64], usize),
    lanes: usize,
    kernel: impl FnOnce(&mut [u64], &[u64]) -> bool,
) {
    let one = f.residue(1);
    let constants = [one, f.add(f.residue(u64::MAX), one)];
    // The kernel needs the limb before each digit: not the first one's.
    let from = if start == 0 { lanes.min(dst.len()) } else { 0 };
    let to = from + (dst.len() - from) / lanes * lanes;
    let source = &limbs[(start + from).saturating_sub(1)..start + to];
    let (from, to) = if to > from && kernel(&mut dst[from..to], source) {
        (from, to)
    } else {
        (0, 0)
    };
    let rest = (0..from).chain(to..dst.len());
    for i in rest {
        dst[i] = balanced_residue(f, limbs, start + i, constants);
    }
    // The last digit keeps its top bit.
    if let Some(last) =
        (limbs.len().checked_sub(1)).filter(|l| (start..start + dst.len()).contains(l))
    {
        dst[last - start] = balanced_residue(f, limbs, last, constants);
    }
}

/// The residue of balanced digit `i` of `limbs` (see `packing.rs`), given
/// the residues of 1 and of `2^64`.
fn balanced_residue<F: Field>(f: F, limbs: &[u64], i: usize, [one, two_to_64]: [u64; 2]) -> u64 {
    let top = |l: u64| l >> 63 == 1;
    let mut r = f.residue(limbs[i]);
    if i > 0 && top(limbs[i - 1]) {
        r = f.add(r, one);
    }
    if i + 1 < limbs.len() && top(limbs[i]) {
        r = f.sub(r, two_to_64);
    }
    r
}

/// See [`Field::wide_residues_into`].
pub(super) fn wide_residues_into<F: Field>(f: F, dst: &mut [u64], high: &[u64]) {
    let k = two_to_64(f);
    for (d, &h) in dst.iter_mut().zip(high) {
        *d = f.add(f.residue(*d), f.mul(h, k));
    }
}

/// `2^64 mod p`.
pub(super) fn two_to_64<F: Field>(f: F) -> u64 {
    f.add(f.reduce(u64::MAX), 1)
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

/// See [`Field::add_into`].
pub(super) fn add_into<F: Field>(f: F, acc: &mut [u64], x: &[u64]) {
    for (a, &x) in acc.iter_mut().zip(x) {
        *a = f.add(*a, x);
    }
}

/// See [`Field::scale`].
pub(super) fn scale<F: Field>(f: F, dst: &mut [u64], src: &[u64], c: u64) {
    for (d, &s) in dst.iter_mut().zip(src) {
        *d = f.mul(s, c);
    }
}

#[inline(always)]
pub(super) fn forward_stage<F: Field>(f: F, lo: &mut [u64], hi: &mut [u64], w: &[u64]) {
    for ((x, y), &w) in lo.iter_mut().zip(hi.iter_mut()).zip(w) {
        (*x, *y) = f.forward_butterfly(*x, *y, w);
    }
}

#[inline(always)]
pub(super) fn inverse_stage<F: Field>(f: F, lo: &mut [u64], hi: &mut [u64], w: &[u64]) {
    for ((x, y), &w) in lo.iter_mut().zip(hi.iter_mut()).zip(w) {
        (*x, *y) = f.inverse_butterfly(*x, *y, w);
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

/// [`Field::forward_stage2_half`]: the outer stage on zeros is `(u, v) -> (u, u·w)`.
pub(super) fn forward_stage2_half<F: Field>(f: F, q: [&mut [u64]; 4], w: [&[u64]; 3]) {
    let [q0, q1, q2, q3] = q;
    for (outer, (lo, hi)) in [(w[0], (&*q0, &mut *q2)), (w[1], (&*q1, &mut *q3))] {
        for ((y, &x), &w) in hi.iter_mut().zip(lo.iter()).zip(outer) {
            *y = f.mul(x, w);
        }
    }
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

/// [`Field::forward_radix3`]. With `ω² = -1 - ω`: `a + ωb + ω²c = (a - c) + u`
/// and `a + ω²b + ωc = (a - b) - u`, where `u = ω(b - c)`.
pub(super) fn forward_radix3<F: Field>(
    f: F,
    x: [&mut [u64]; 3],
    w: [&[u64]; 2],
    (omega, zeros): (u64, usize),
) {
    each_third(x, w, |[a, b, c], [w1, w2]| {
        let (b, c) = (
            if zeros >= 2 { 0 } else { b },
            if zeros >= 1 { 0 } else { c },
        );
        let u = f.mul(f.sub(b, c), omega);
        [
            f.add(f.add(a, b), c),
            f.mul(f.add(f.sub(a, c), u), w1),
            f.mul(f.sub(f.sub(a, b), u), w2),
        ]
    });
}

/// [`Field::inverse_radix3`]: `(y0, y1, y2)` untwiddled, then
/// `y0 + y1 + y2`, `(y0 - y1) - u` and `(y0 - y2) + u` with `u = ω(y1 - y2)`.
pub(super) fn inverse_radix3<F: Field>(f: F, x: [&mut [u64]; 3], w: [&[u64]; 2], omega: u64) {
    each_third(x, w, |[a, b, c], [w1, w2]| {
        let (y0, y1, y2) = (f.reduce_lazy(a), f.mul(b, w1), f.mul(c, w2));
        let u = f.mul(f.sub(y1, y2), omega);
        [
            f.add(f.add(y0, y1), y2),
            f.sub(f.sub(y0, y1), u),
            f.add(f.sub(y0, y2), u),
        ]
    });
}

/// `step` on the values at each index of the thirds `x`, with the
/// twiddles `w` at that index.
#[inline(always)]
fn each_third(x: [&mut [u64]; 3], w: [&[u64]; 2], step: impl Fn([u64; 3], [u64; 2]) -> [u64; 3]) {
    let [a, b, c] = x;
    for ((((a, b), c), &w1), &w2) in a
        .iter_mut()
        .zip(b.iter_mut())
        .zip(c.iter_mut())
        .zip(w[0])
        .zip(w[1])
    {
        [*a, *b, *c] = step([*a, *b, *c], [w1, w2]);
    }
}
