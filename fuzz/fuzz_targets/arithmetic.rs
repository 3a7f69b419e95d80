//! Multiplication, division, square root and decimal conversion of random
//! natural numbers against schoolbook references and identities.
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

/// Schoolbook product of limb slices.
fn reference_product(a: &[u64], b: &[u64]) -> Natural {
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

fuzz_target!(|data: &[u8]| {
    let mut bytes = data;
    let a = natural(&mut bytes, 3000);
    let b = natural(&mut bytes, 3000);
    let product = &a * &b;
    assert_eq!(product, reference_product(a.limbs(), b.limbs()));
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
