//! Integer square root by Zimmermann's recursive "Karatsuba square root",
//! and inverse square roots of small integers by Newton's iteration.

use super::{div, Arith, Natural};

/// `(s, r)` with `s = floor(sqrt(a))` and `r = a - s²`.
pub(super) fn sqrt_rem(a: &Natural, arith: Arith<'_>) -> (Natural, Natural) {
    let len = a.bit_len();
    if len <= 126 {
        let a = a.to_u128().unwrap_or(0);
        let s = sqrt_u128(a);
        return (Natural::from(s), Natural::from(a - s * s));
    }
    // Split a = a3·b³ + a2·b² + a1·b + a0 with b = 2^k and a3 >= b/4,
    // shifting `a` left by two bits if needed for the last condition.
    let k = len.div_ceil(4);
    let shift = if len + 2 <= 4 * k { 1 } else { 0 };
    let a = a << (2 * shift);
    let high = &a >> (2 * k);
    let a1 = (&a >> k).low_bits(k);
    let a0 = a.low_bits(k);

    let (s1, r1) = sqrt_rem(&high, arith);
    arith.advance(len);
    let (q, u) = div::div_rem(&(&(&r1 << k) + &a1), &(&s1 << 1), arith);
    let mut s = &(&s1 << k) + &q;
    let positive = &(&u << k) + &a0;
    let q2 = q.square_in(arith);
    let r = if positive >= q2 {
        &positive - &q2
    } else {
        // r + 2s - 1 with the new s = s - 1 (Zimmermann's theorem: at most once).
        let r = &(&(&positive + &(&s << 1)) - &q2) - &Natural::from(1u64);
        s = &s - &Natural::from(1u64);
        r
    };
    if shift == 0 {
        return (s, r);
    }
    // Undo the shift: 4a = s² + r with s = 2t + bit gives a = t² + (r + bit·(2s - 1)) / 4.
    let bit = s.limbs().first().map_or(0, |l| l & 1);
    let r = if bit == 1 {
        &(&r + &(&s << 1)) - &Natural::from(1u64)
    } else {
        r
    };
    (&s >> 1, &r >> 2)
}

/// The largest `c` of [`inverse_sqrt`]: its error bound holds below it.
pub(super) const INVERSE_SQRT_MAX: u64 = 1 << 24;

/// `y` within 2 units of `2^p / √c`, for `0 < c <` [`INVERSE_SQRT_MAX`].
///
/// Newton's iteration `y + y·(1 - c·y²)/2` from `h = p/2 + 8` bits: a
/// relative error `δ` of `y` becomes `1.5·δ²`, which with `h` bits and 2
/// units of error is at most `6·√c·2^(p-2h)` units, below one; the floor
/// of the correction adds one more.
pub(super) fn inverse_sqrt(c: u64, p: u64, arith: Arith<'_>) -> Natural {
    debug_assert!(c > 0 && c < INVERSE_SQRT_MAX);
    if p <= 60 {
        // Within one unit: floor(2^2p / c) is within one of 2^2p / c.
        return Natural::from(sqrt_u128((1u128 << (2 * p)) / u128::from(c)));
    }
    let h = p / 2 + 8;
    let y = inverse_sqrt(c, h, arith);
    arith.advance(p);
    // e = 2^2h - c·y², so that 1 - c·Y² = e/2^2h for Y = y·2^(p-h) at the
    // scale 2^p, and the correction Y·(1 - c·Y²)/2 is y·e / 2^(3h+1-p).
    // With y = 2^h/√c + δ, |δ| <= 2: |e| <= 4·√c·2^h + 4c < 2^(h+15), so
    // c·y² is known modulo 2^m - 1 for m >= h + 17.
    let (square, m) = y.square_wrapped(h + 20, arith);
    let (e, negative) = square.mul_small(c).distance_from_power(m, 2 * h);
    let correction = y.mul_shifted_in(&e, 3 * h + 1 - p, arith);
    div::corrected(y, p - h, &correction, negative)
}

fn sqrt_u128(a: u128) -> u128 {
    let mut s = (a as f64).sqrt() as u128;
    if s > 0 {
        s = (s + a / s) / 2;
    }
    while s * s > a {
        s -= 1;
    }
    while (s + 1) * (s + 1) <= a {
        s += 1;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_sqrt_is_within_two_units() {
        for c in [1u64, 2, 3, 10_005, INVERSE_SQRT_MAX - 1] {
            for p in [1u64, 30, 60, 61, 62, 100, 1000, 4321, 100_000, 300_001] {
                let y = inverse_sqrt(c, p, Arith::shared());
                // floor(√floor(2^2p / c)) is within one unit of 2^p / √c.
                let (quotient, _) = div::div_rem(
                    &(&Natural::from(1u64) << (2 * p)),
                    &Natural::from(c),
                    Arith::shared(),
                );
                let (reference, _) = sqrt_rem(&quotient, Arith::shared());
                let (difference, _) = y.abs_diff(&reference);
                assert!(difference <= Natural::from(3u64), "c = {c}, p = {p}");
            }
        }
    }
}
