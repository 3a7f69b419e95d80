//! Property tests of the natural-number arithmetic against simple references,
//! at sizes straddling every algorithm crossover.

use super::{
    lcg_limbs, Natural, KARATSUBA_THRESHOLD, KARATSUBA_THRESHOLD_MULX, NTT_THRESHOLD,
    NTT_THRESHOLD_AVX2, NTT_THRESHOLD_AVX512F, NTT_THRESHOLD_SCALAR, VECTOR_SCHOOLBOOK_MIN,
};
use crate::simd::schoolbook::MAX_LIMBS as VECTOR_SCHOOLBOOK_MAX;
use proptest::prelude::*;

/// Schoolbook multiplication, the reference.
fn reference_mul(a: &[u64], b: &[u64]) -> Natural {
    let mut out = vec![0u64; a.len() + b.len()];
    for (i, &x) in a.iter().enumerate() {
        let mut carry = 0u128;
        for (j, &y) in b.iter().enumerate() {
            let t = u128::from(x) * u128::from(y) + u128::from(out[i + j]) + carry;
            out[i + j] = t as u64;
            carry = t >> 64;
        }
        out[i + b.len()] = carry as u64;
    }
    Natural::from_limbs(out)
}

/// Limbs biased towards the extremes, where carries are hardest.
fn limb() -> impl Strategy<Value = u64> {
    prop_oneof![3 => any::<u64>(), 1 => Just(u64::MAX), 1 => Just(0u64)]
}

fn natural(len: std::ops::Range<usize>) -> impl Strategy<Value = Natural> {
    prop::collection::vec(limb(), len).prop_map(Natural::from_limbs)
}

/// Lengths around each multiplication crossover.
fn crossover_len() -> impl Strategy<Value = usize> {
    prop_oneof![
        1usize..8,
        VECTOR_SCHOOLBOOK_MIN - 2..VECTOR_SCHOOLBOOK_MIN + 2,
        VECTOR_SCHOOLBOOK_MAX - 2..VECTOR_SCHOOLBOOK_MAX + 2,
        KARATSUBA_THRESHOLD - 3..KARATSUBA_THRESHOLD + 3,
        2 * KARATSUBA_THRESHOLD - 2..2 * KARATSUBA_THRESHOLD + 2,
        KARATSUBA_THRESHOLD_MULX - 3..KARATSUBA_THRESHOLD_MULX + 3,
        2 * KARATSUBA_THRESHOLD_MULX - 2..2 * KARATSUBA_THRESHOLD_MULX + 2,
        NTT_THRESHOLD - 2..NTT_THRESHOLD + 2,
        NTT_THRESHOLD_AVX2 - 2..NTT_THRESHOLD_AVX2 + 2,
        NTT_THRESHOLD_AVX512F - 2..NTT_THRESHOLD_AVX512F + 2,
        NTT_THRESHOLD_SCALAR - 2..NTT_THRESHOLD_SCALAR + 2,
        2040usize..2056,
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn multiplication_matches_schoolbook(
        (la, lb) in (crossover_len(), crossover_len()),
        seed in any::<u64>(),
    ) {
        let a = lcg_limbs(la, seed);
        let b = lcg_limbs(lb, seed ^ 1);
        let (x, y) = (Natural::from_limbs(a.clone()), Natural::from_limbs(b.clone()));
        let expected = reference_mul(&a, &b);
        prop_assert_eq!(&(&x * &y), &expected);
        prop_assert_eq!(&(&y * &x), &expected);
        prop_assert_eq!(x.square(), reference_mul(&a, &a));
    }

    #[test]
    fn multiplication_of_extreme_limbs(x in natural(0..1100), y in natural(0..1100)) {
        prop_assert_eq!(&x * &y, reference_mul(x.limbs(), y.limbs()));
    }

    /// A product into a number whose memory it may take, of any length
    /// (shorter than the product, about as long, longer), again and again.
    #[test]
    fn assigned_products_match_schoolbook(
        (la, lb, lr) in (crossover_len(), crossover_len(), 0usize..3000),
        seed in any::<u64>(),
    ) {
        let (a, b) = (lcg_limbs(la, seed), lcg_limbs(lb, seed ^ 1));
        let (x, y) = (Natural::from_limbs(a.clone()), Natural::from_limbs(b.clone()));
        let expected = reference_mul(&a, &b);
        let mut r = Natural::from_limbs(lcg_limbs(lr, seed ^ 2));
        for _ in 0..3 {
            r.assign_mul(&x, &y);
            prop_assert_eq!(&r, &expected);
        }
    }

    #[test]
    fn division_identity(a in natural(0..200), d in natural(1..90), extra in 0u64..64) {
        let d = (&d << extra).add_small(1);
        let (q, r) = a.div_rem(&d).expect("non-zero divisor");
        prop_assert!(r < d);
        prop_assert_eq!(&(&q * &d) + &r, a);
    }

    #[test]
    fn division_by_a_single_limb(a in natural(0..50), d in 1u64..) {
        let (q, r) = a.div_rem_small(d).expect("non-zero divisor");
        prop_assert!(r < d);
        prop_assert_eq!(&q.mul_small(d) + &Natural::from(r), a.clone());
        let (q2, r2) = a.div_rem(&Natural::from(d)).expect("non-zero divisor");
        prop_assert_eq!((q2, r2), (q, Natural::from(r)));
    }

    #[test]
    fn square_root_bounds(a in natural(0..300)) {
        let (s, r) = a.sqrt_rem();
        prop_assert!(s.square() <= a);
        let next = s.add_small(1);
        prop_assert!(next.square() > a);
        prop_assert_eq!(&s.square() + &r, a);
    }

    #[test]
    fn decimal_round_trip(x in natural(0..400), width in 0usize..50) {
        let text = x.to_decimal_padded(width);
        prop_assert!(text.len() >= width.max(1));
        prop_assert!(text.len() == width.max(1) || !text.starts_with('0'));
        prop_assert_eq!(Natural::from_decimal(&text), Some(x));
    }

    #[test]
    fn small_values_format_like_u128(v in any::<u128>()) {
        let x = Natural::from(v);
        prop_assert_eq!(x.to_string(), v.to_string());
        prop_assert_eq!(x.to_hex_padded(1), format!("{v:x}"));
        prop_assert_eq!(Natural::from_decimal(&v.to_string()), Some(x));
    }

    /// The residual of a wrapped product: `x` given modulo `2^m - 1` (plus
    /// a multiple of it), within `2^(m-2)` of `t`, gives `|t - x|` and its
    /// sign, both sides folded, at and around every limb boundary.
    #[test]
    fn distances_modulo_mersenne_numbers(
        words in 1u64..6,
        t in natural(0..12),
        delta in natural(0..6),
        below in any::<bool>(),
        multiple in natural(0..3),
    ) {
        let m = 64 * words;
        let one = Natural::from(1u64);
        let modulus = &(&one << m) - &one;
        let delta = &delta >> (delta.bit_len().saturating_sub(m - 2));
        let x = if below {
            match t.checked_sub(&delta) {
                Some(x) => x,
                None => return Ok(()),
            }
        } else {
            &t + &delta
        };
        let wrapped = &x + &(&multiple * &modulus);
        let expected = (delta.clone(), x > t);
        prop_assert_eq!(wrapped.distance_from(m, t), expected);
    }

    #[test]
    fn low_bits_carry_as_their_sum(x in natural(0..6), y in natural(0..6), bits in 0u64..400) {
        let sum = &x.low_bits(bits) + &y;
        prop_assert_eq!(x.low_bits_carry(bits, &y), sum.bit_len() > bits);
        // At the edge: y = 2^bits - (x mod 2^bits), and one less.
        let edge = &(&Natural::from(1u64) << bits) - &x.low_bits(bits);
        prop_assert!(x.low_bits_carry(bits, &edge));
        if let Some(below) = edge.checked_sub(&Natural::from(1u64)) {
            prop_assert!(!x.low_bits_carry(bits, &below));
        }
    }

    #[test]
    fn shifts_are_multiplications_by_powers_of_two(x in natural(0..40), bits in 0u64..300) {
        let shifted = &x << bits;
        prop_assert_eq!(&shifted >> bits, x.clone());
        let mut in_place = shifted.clone();
        in_place >>= bits;
        prop_assert_eq!(&in_place, &x);
        in_place <<= bits;
        prop_assert_eq!(&in_place, &shifted);
        prop_assert_eq!(&shifted, &(&x * &Natural::pow(2, bits)));
        prop_assert_eq!(shifted.low_bits(bits), Natural::zero());
    }
}

#[test]
fn degenerate_inputs() {
    let zero = Natural::zero();
    assert_eq!(zero.div_rem(&zero), None);
    assert_eq!(zero.div_rem_small(0), None);
    assert_eq!(zero.sqrt(), zero);
    assert_eq!(zero.to_string(), "0");
    assert_eq!(Natural::from_decimal(""), None);
    assert_eq!(Natural::from_decimal("12a"), None);
    assert_eq!(Natural::from_decimal("007"), Some(Natural::from(7u64)));
    assert_eq!(Natural::from(5u64).checked_sub(&Natural::from(6u64)), None);
}

#[test]
fn large_division_and_root_of_known_powers() {
    // 10^k / 10^j and sqrt(10^2k) at sizes where Newton iteration recurses deeply.
    for &(k, j) in &[(40_000u64, 19_000u64), (60_000, 30_000), (9_000, 100)] {
        let (q, r) = Natural::pow(10, k)
            .div_rem(&Natural::pow(10, j))
            .expect("non-zero");
        assert_eq!(q, Natural::pow(10, k - j));
        assert!(r.is_zero());
        assert_eq!(Natural::pow(10, 2 * k).sqrt(), Natural::pow(10, k));
        let below = &Natural::pow(10, 2 * k) - &Natural::from(1u64);
        assert_eq!(below.sqrt(), &Natural::pow(10, k) - &Natural::from(1u64));
    }
}
