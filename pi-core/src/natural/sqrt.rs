//! Integer square root by Zimmermann's recursive "Karatsuba square root".

use super::Natural;
use crate::monitor;

/// `(s, r)` with `s = floor(sqrt(a))` and `r = a - s²`.
pub(super) fn sqrt_rem(a: &Natural) -> (Natural, Natural) {
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

    let (s1, r1) = sqrt_rem(&high);
    monitor::advance(len);
    let (q, u) = super::div::div_rem(&(&(&r1 << k) + &a1), &(&s1 << 1));
    let mut s = &(&s1 << k) + &q;
    let positive = &(&u << k) + &a0;
    let q2 = q.square();
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
