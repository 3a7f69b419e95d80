//! Division through a Newton reciprocal, exact after a final correction.

use super::Natural;
use crate::monitor;

/// A non-zero divisor prepared for repeated exact division.
///
/// Holds `v ≈ 2^(2n) / d` for the divisor `d` of `n` bits, so that each
/// quotient costs two multiplications instead of a fresh reciprocal.
#[derive(Clone, Debug)]
pub struct Reciprocal {
    d: Natural,
    bits: u64,
    v: Natural,
}

impl Reciprocal {
    /// Prepares `d` for division; `None` when `d` is zero.
    pub fn new(d: &Natural) -> Option<Reciprocal> {
        if d.is_zero() {
            return None;
        }
        Some(Reciprocal {
            d: d.clone(),
            bits: d.bit_len(),
            v: reciprocal(d),
        })
    }

    /// The divisor.
    pub fn divisor(&self) -> &Natural {
        &self.d
    }

    /// Quotient and remainder of `a / d` (floor division). Fastest when `a`
    /// has at most twice as many bits as the divisor.
    pub fn div_rem(&self, a: &Natural) -> (Natural, Natural) {
        if a.bit_len() > 2 * self.bits {
            return div_rem(a, &self.d);
        }
        let q = &(a * &self.v) >> (2 * self.bits);
        correct(a, &self.d, q)
    }
}

/// `a / d · 2^bits` within `4·a/2^(2n) + 1` (`n` the bit length of
/// `d > 0`), without the exact correction. Takes its operands so that each
/// is freed as soon as it is used: `d` before the product, `a` after it.
pub(super) fn scaled_quotient(a: Natural, d: Natural, bits: u64) -> Natural {
    let n = d.bit_len();
    let v = reciprocal(&d);
    drop(d);
    let product = &a * &v;
    drop((a, v));
    match bits.checked_sub(2 * n) {
        Some(up) => &product << up,
        None => &product >> (2 * n - bits),
    }
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
pub(super) fn reciprocal(d: &Natural) -> Natural {
    let n = d.bit_len();
    if n <= 62 {
        let d = d.to_u128().unwrap_or(1);
        return Natural::from((1u128 << (2 * n)) / d);
    }
    let h = n / 2 + 4;
    let vh = reciprocal(&(d >> (n - h)));
    monitor::advance(n);
    // e = 2^(n+h) - d·vh, the scaled residual 1 - D·V, of either sign.
    let (z, m) = d.mul_wrapped(&vh, n + 6);
    let (e, negative) = z.distance_from_power(m, n + h);
    let correction = &(&vh * &(&e >> (n - h))) >> (3 * h - n);
    let v = &vh << (n - h);
    if negative {
        &v - &correction
    } else {
        &v + &correction
    }
}

/// Floor division for `d > 0` (callers check) and any `a`.
pub(super) fn div_rem(a: &Natural, d: &Natural) -> (Natural, Natural) {
    if a < d {
        return (Natural::zero(), a.clone());
    }
    if let Some((q, r)) = d.to_u64().and_then(|small| a.div_rem_small(small)) {
        return (q, Natural::from(r));
    }
    // Scale both so the dividend has at most twice the divisor's bits.
    let shift = a.bit_len().saturating_sub(2 * d.bit_len());
    match Reciprocal::new(&(d << shift)) {
        Some(scaled) => {
            let (q, r) = scaled.div_rem(&(a << shift));
            (q, &r >> shift)
        }
        None => unreachable!("callers pass a non-zero divisor"),
    }
}

/// Turns an estimate `q` within a few units of `a / d` into the exact
/// quotient and remainder.
fn correct(a: &Natural, d: &Natural, mut q: Natural) -> (Natural, Natural) {
    let one = Natural::from(1u64);
    let (mut r, mut negative) = a.abs_diff(&(&q * d));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reciprocal_is_within_four_units() {
        for bits in [63u64, 64, 100, 128, 200, 1000, 5000, 70_000, 140_001] {
            let big = Natural::pow(3, bits);
            let d = &big >> (big.bit_len() - bits);
            let v = reciprocal(&d);
            let target = &Natural::from(1u64) << (2 * bits);
            let (diff, _) = (&v * &d).abs_diff(&target);
            assert!(diff <= d.mul_small(4), "bits {bits}");
        }
    }
}
