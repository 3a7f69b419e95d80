//! Division through a Newton reciprocal, exact after a final correction.

use super::parked::Parked;
use super::{limbs, Arith, Natural};
use crate::natural::fallible;

/// A non-zero divisor prepared for repeated exact division.
///
/// Holds `v ≈ 2^(2n) / d` for the divisor `d` of `n` bits, so that each
/// quotient costs two multiplications instead of a fresh reciprocal.
#[derive(Clone, Debug)]
pub(crate) struct Reciprocal {
    d: Natural,
    bits: u64,
    v: Natural,
}

impl Reciprocal {
    /// Prepares `d` for division; `None` when `d` is zero.
    pub(crate) fn new(d: &Natural, arith: Arith<'_>) -> Option<Reciprocal> {
        if d.is_zero() {
            return None;
        }
        Some(Reciprocal {
            d: d.clone(),
            bits: d.bit_len(),
            v: reciprocal(d, arith),
        })
    }

    /// Quotient and remainder of `a / d` (floor division). Fastest when `a`
    /// has at most twice as many bits as the divisor.
    pub(crate) fn div_rem(&self, a: &Natural, arith: Arith<'_>) -> (Natural, Natural) {
        if a.bit_len() > 2 * self.bits {
            return div_rem(a, &self.d, arith);
        }
        let q = a.mul_shifted_in(&self.v, 2 * self.bits, arith);
        correct(a, &self.d, q, arith)
    }
}

/// Guard bits of [`scaled_quotient`]'s half-precision quotient.
const QUOTIENT_GUARD_BITS: u64 = 8;

/// Quotients of fewer bits take a full reciprocal and one product.
const HALF_QUOTIENT_MIN_BITS: u64 = 4096;

/// `a / d · 2^bits` within `4 + 4·a·2^bits/2^(2n)` units (`n` the bit
/// length of `d > 0`; within 4 for quotients of at least 4096 bits and
/// fewer than about `2n`), without the exact correction. Takes its
/// operands so that each is freed as soon as it is used.
///
/// The quotient of `L` bits comes from a reciprocal of `h = L/2 + 8` bits
/// (Karp and Markstein): its half-precision estimate `y` and a correction
/// from `y`'s residual, both products of `h`-bit numbers, and the residual
/// from one product wrapped to about `n` bits, instead of a reciprocal of
/// `n` bits and an `n`-by-`n` product.
pub(super) fn scaled_quotient(a: Natural, d: Natural, bits: u64, arith: Arith<'_>) -> Natural {
    let n = d.bit_len();
    let quotient_bits = (a.bit_len() + bits + 1).saturating_sub(n);
    let h = quotient_bits / 2 + QUOTIENT_GUARD_BITS;
    if quotient_bits < HALF_QUOTIENT_MIN_BITS || h + QUOTIENT_GUARD_BITS > n || a.bit_len() < h {
        let v = reciprocal(&d, arith);
        drop(d);
        let product = a.mul_in(&v, arith);
        drop((a, v));
        return shifted(&product, bits, 2 * n);
    }
    // Until their whole values are needed, a and d wait aside (in files,
    // under a memory budget) and their tops are used.
    let a_top = &a >> (a.bit_len() - h);
    let a = Parked::new(a, arith);
    let d_top = &d >> (n - h);
    let d = Parked::new(d, arith);
    // 1/d is vh/2^(n+h) within a relative 2^(3-h), vh ≈ 2^(2h)/dh.
    let vh = reciprocal(&d_top, arith);
    drop(d_top);
    // y = yh·2^z, from the top h bits of a, within a relative 2^(5-h) of
    // a·2^bits/d, which is below 2^L: z = L - h.
    let z = quotient_bits - h;
    let yh = a_top.mul_shifted_in(&vh, h + 1, arith);
    drop(a_top);
    arith.advance(h);
    // The residual a·2^bits - d·y, divided by 2^z (the bits of a·2^bits
    // below z move the quotient by less than 2^z/d, under a unit), is
    // below 2^(n+5); vh and then yh wait aside while it is formed.
    let vh = Parked::new(vh, arith);
    let (dy, m) = d.restore().mul_wrapped(&yh, n + 8, arith);
    let yh = Parked::new(yh, arith);
    let mut high = a.restore();
    match bits.checked_sub(z) {
        Some(left) => high <<= left,
        None => high >>= z - bits,
    }
    let (mut residual, negative) = dy.distance_from(m, high);
    arith.advance(n);
    // Its quotient by d, from its top bits: within 2^(9-2·8) units.
    residual >>= n - h;
    let correction = residual.mul_shifted_in(&vh.restore(), 2 * h - z, arith);
    drop(residual);
    arith.advance(h);
    corrected(yh.restore(), z, &correction, negative)
}

/// `floor(x · 2^up / 2^down)`.
fn shifted(x: &Natural, up: u64, down: u64) -> Natural {
    match up.checked_sub(down) {
        Some(left) => x << left,
        None => x >> (down - up),
    }
}

/// A Newton step's result: `x·2^shift` minus `correction` when
/// `negative`, else plus; in `x`'s memory.
pub(super) fn corrected(
    mut x: Natural,
    shift: u64,
    correction: &Natural,
    negative: bool,
) -> Natural {
    x <<= shift;
    if negative {
        x -= correction;
    } else {
        x += correction;
    }
    x
}

/// `v` with `|v - 2^(2n)/d| <= 4`, where `n` is the bit length of `d > 0`.
///
/// Newton's iteration `v + v(1 - dv)` on the top half of `d`'s bits, with
/// four guard bits per level so the error stays bounded.
///
/// With `d = dh·2^(n-h) + r` (`dh` the top `h` bits, `vh` within 4 of
/// `2^(2h)/dh`), `d·vh` is within `4·dh·2^(n-h) + r·vh < 2^(n+3)` of
/// `2^(n+h)`: modulo `2^m - 1` for `m >= n + 5` it is known. The
/// correction `vh·e / 2^(2h)` needs only `e`'s bits from `n - h` on: the
/// others move it by less than `vh·2^(n-h) / 2^(2h) <= 2^(n+1-2h) <= 2^-6`.
pub(super) fn reciprocal(d: &Natural, arith: Arith<'_>) -> Natural {
    let n = d.bit_len();
    if n <= 62 {
        let d = d.to_u128().unwrap_or(1);
        return Natural::from((1u128 << (2 * n)) / d);
    }
    let h = n / 2 + 4;
    let vh = reciprocal(&(d >> (n - h)), arith);
    arith.advance(n);
    // e = 2^(n+h) - d·vh, the scaled residual 1 - D·V, of either sign.
    let (z, m) = d.mul_wrapped(&vh, n + 6, arith);
    let (e, negative) = z.distance_from_power(m, n + h);
    let correction = vh.mul_shifted_in(&(&e >> (n - h)), 3 * h - n, arith);
    corrected(vh, n - h, &correction, negative)
}

/// Floor division for `d > 0` (callers check) and any `a`.
pub(super) fn div_rem(a: &Natural, d: &Natural, arith: Arith<'_>) -> (Natural, Natural) {
    if a < d {
        return (Natural::zero(), a.clone());
    }
    if let Some((q, r)) = d.to_u64().and_then(|small| a.div_rem_small(small)) {
        return (q, Natural::from(r));
    }
    // Scale both so the dividend has at most twice the divisor's bits.
    let shift = a.bit_len().saturating_sub(2 * d.bit_len());
    match Reciprocal::new(&(d << shift), arith) {
        Some(scaled) => {
            let (q, r) = scaled.div_rem(&(a << shift), arith);
            (q, &r >> shift)
        }
        None => unreachable!("callers pass a non-zero divisor"),
    }
}

/// Turns an estimate `q` within a few units of `a / d` into the exact
/// quotient and remainder.
fn correct(a: &Natural, d: &Natural, mut q: Natural, arith: Arith<'_>) -> (Natural, Natural) {
    let one = Natural::from(1u64);
    let (mut r, mut negative) = a.abs_diff(&q.mul_in(d, arith));
    // The remainder is -r while `negative`.
    while negative {
        q = &q - &one;
        if r <= *d {
            r = d - &r;
            negative = false;
        } else {
            r = &r - d;
        }
    }
    while r >= *d {
        q = &q + &one;
        r = &r - d;
    }
    (q, r)
}

/// `a / d` for an odd `d` that divides `a` (callers check oddness; the
/// result is meaningless if `d` does not divide `a`): Hensel's division,
/// quotient limbs from the lowest up, each cancelling the lowest limb left
/// with `d`'s inverse modulo `2^64`. Quadratic: for the divisors of a few
/// hundred limbs at most that binary splitting removes.
pub(super) fn exact_quotient(a: &Natural, d: &Natural) -> Natural {
    let (a, d) = (a.limbs(), d.limbs());
    if a.len() < d.len() {
        return Natural::zero();
    }
    let inverse = limbs::inverse_mod_2_64(d[0]);
    let quotient_len = a.len() - d.len() + 1;
    // One spare limb above: the borrow of the last step lands there.
    let mut rest = fallible::with_capacity(a.len() + 1);
    rest.extend_from_slice(a);
    rest.push(0);
    let mut quotient = fallible::with_capacity(quotient_len);
    for i in 0..quotient_len {
        let digit = rest[i].wrapping_mul(inverse);
        limbs::sub_mul_small_in_place(&mut rest[i..], d, digit);
        quotient.push(digit);
    }
    Natural::from_limbs(quotient)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::natural::lcg_limbs;

    #[test]
    fn exact_quotients_undo_products() {
        for (a_len, d_len) in [(1, 1), (3, 1), (1, 4), (40, 7), (7, 40), (300, 120)] {
            let a = Natural::from_limbs(lcg_limbs(a_len, a_len as u64));
            let mut d = lcg_limbs(d_len, d_len as u64 + 1);
            d[0] |= 1;
            let d = Natural::from_limbs(d);
            assert_eq!(exact_quotient(&(&a * &d), &d), a, "{a_len} by {d_len}");
        }
        // All-ones limbs: the borrows run the whole length.
        let ones = Natural::from_limbs(vec![u64::MAX; 50]);
        assert_eq!(exact_quotient(&(&ones * &ones), &ones), ones);
        assert_eq!(
            exact_quotient(&Natural::zero(), &Natural::from(5u64)),
            Natural::zero()
        );
    }

    #[test]
    fn reciprocal_is_within_four_units() {
        for bits in [63u64, 64, 100, 128, 200, 1000, 5000, 70_000, 140_001] {
            let big = Natural::pow(3, bits);
            let d = &big >> (big.bit_len() - bits);
            let v = reciprocal(&d, Arith::shared());
            let target = &Natural::from(1u64) << (2 * bits);
            let (diff, _) = (&v * &d).abs_diff(&target);
            assert!(diff <= d.mul_small(4), "bits {bits}");
        }
    }

    /// Both paths (short quotients and long ones, from a half-precision
    /// reciprocal from 4096 bits), quotients below and above one, divisors
    /// with long runs of ones and zeros.
    #[test]
    fn scaled_quotients_are_within_their_bound() {
        let one = Natural::from(1u64);
        let threes = Natural::pow(3, 60_000);
        let sevens = Natural::pow(7, 30_000);
        let ones = &(&one << 70_000) - &one;
        let power = &(&one << 65_000) + &one;
        for (a, d) in [
            (&threes, &sevens),
            (&sevens, &threes),
            (&(&threes >> 20_000), &sevens),
            (&sevens, &ones),
            (&ones, &power),
            (&threes, &power),
            (&power, &ones),
        ] {
            for bits in [0u64, 1000, 5000, 70_000, 100_001] {
                let t = scaled_quotient(a.clone(), d.clone(), bits, Arith::shared());
                let (exact, _) = div_rem(&(a << bits), d, Arith::shared());
                let (error, _) = t.abs_diff(&exact);
                let bound = &(&a.mul_small(4) << bits) >> (2 * d.bit_len());
                assert!(
                    error <= bound.add_small(4),
                    "{} / {} bits, {bits}: {error}",
                    a.bit_len(),
                    d.bit_len()
                );
            }
        }
    }
}
