//! Multiplication, division, square root and decimal conversion of random
//! natural numbers against residues and identities.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pi_core::Natural;

/// Limbs from bytes, as long as the input allows, up to `max` limbs; the
/// first byte picks a length that crosses the algorithm crossovers.
fn natural(bytes: &mut &[u8], max: usize) -> Natural {
    let Some((&selector, rest)) = bytes.split_first() else {
        return Natural::zero();
    };
    *bytes = rest;
    let len = match selector % 4 {
        0 => usize::from(selector / 4) % 8,
        1 => 20 + usize::from(selector) % 16,
        2 => 250 + usize::from(selector) % 16,
        _ => 1000 + usize::from(selector) * 8,
    }
    .min(max);
    let limbs: Vec<u64> = (0..len)
        .map(|i| {
            // Repeat the input to fill long numbers; all-ones stresses carries.
            let byte = bytes.get(i % bytes.len().max(1)).copied().unwrap_or(0xff);
            u64::from(byte).wrapping_mul(0x0101_0101_0101_0101)
                ^ (i as u64).rotate_left(byte.into())
        })
        .collect();
    *bytes = bytes.get(len.min(bytes.len())..).unwrap_or(&[]);
    Natural::from_limbs(limbs)
}

/// Primes near 2^64 by which a product is checked: `a·b mod p` from the
/// residues of `a` and `b` (division by one limb, independent of every
/// multiplication algorithm). pi-core's unit tests compare with schoolbook.
const PRIMES: [u64; 3] = [
    18_446_744_073_709_551_557,
    18_446_744_073_709_551_533,
    18_446_744_073_709_551_521,
];

fn residue(x: &Natural, p: u64) -> u128 {
    x.div_rem_small(p).map_or(0, |(_, r)| u128::from(r))
}

fuzz_target!(|data: &[u8]| {
    let mut bytes = data;
    let a = natural(&mut bytes, 3000);
    let b = natural(&mut bytes, 3000);
    let product = &a * &b;
    for p in PRIMES {
        let expected = residue(&a, p) * residue(&b, p) % u128::from(p);
        assert_eq!(residue(&product, p), expected);
    }
    assert!(product.bit_len() <= a.bit_len() + b.bit_len());
    assert!(a.is_zero() || b.is_zero() || product.bit_len() + 1 >= a.bit_len() + b.bit_len());
    assert_eq!(a.square(), &a * &a);
    if let Some((q, r)) = a.div_rem(&b) {
        assert!(r < b);
        assert_eq!(&(&q * &b) + &r, a);
    } else {
        assert!(b.is_zero());
    }
    let (s, r) = a.sqrt_rem();
    assert_eq!(&s.square() + &r, a);
    assert!(r <= &s + &s);
    if a.limbs().len() <= 300 {
        let text = a.to_decimal_padded(1);
        assert_eq!(Natural::from_decimal(&text), Some(a));
    }
});
