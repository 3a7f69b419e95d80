//! How a number's bits are cut into transform coefficients.
//!
//! One limb per coefficient leaves a product's coefficients below
//! `2^128·len`. Where that needs four primes, 80 bits per coefficient fit
//! in the same four (below `2^160·len`, up to `2^39` coefficients): a
//! fifth fewer coefficients, so shorter transforms.

/// The width of the transform coefficients.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Packing {
    /// One 64-bit limb per coefficient.
    Limbs,
    /// 80 bits per coefficient: four coefficients to five limbs.
    Bits80,
}

impl Packing {
    /// The bits of a coefficient.
    pub(super) fn bits(self) -> u32 {
        match self {
            Packing::Limbs => 64,
            Packing::Bits80 => 80,
        }
    }

    /// The coefficients of a number of `limbs` limbs.
    pub(super) fn coefficients(self, limbs: usize) -> usize {
        match self {
            Packing::Limbs => limbs,
            Packing::Bits80 => (limbs * 4).div_ceil(5),
        }
    }
}

/// Coefficients `start..start + low.len()` of `limbs` cut into 80 bits
/// (`start` a multiple of 4; limbs past the end read as zero): the low 64
/// bits of each to `low`, the high 16 to `high`.
pub(super) fn split80(limbs: &[u64], start: usize, low: &mut [u64], high: &mut [u64]) {
    debug_assert!(start.is_multiple_of(4) && high.len() == low.len());
    let first = start / 4 * 5;
    let limb = |i: usize| limbs.get(first + i).copied().unwrap_or(0);
    for (g, (low, high)) in low.chunks_mut(4).zip(high.chunks_mut(4)).enumerate() {
        let l = [0, 1, 2, 3, 4].map(|i| limb(5 * g + i));
        let values = [
            (l[0], l[1] & 0xFFFF),
            ((l[1] >> 16) | (l[2] << 48), (l[2] >> 16) & 0xFFFF),
            ((l[2] >> 32) | (l[3] << 32), (l[3] >> 32) & 0xFFFF),
            ((l[3] >> 48) | (l[4] << 16), l[4] >> 48),
        ];
        for ((low, high), (l, h)) in low.iter_mut().zip(high.iter_mut()).zip(values) {
            *low = l;
            *high = h;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each coefficient read back bit by bit.
    #[test]
    fn split80_reads_each_coefficients_bits() {
        let limbs: Vec<u64> = (0..13u64)
            .map(|i| (i + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15))
            .collect();
        let bit = |b: usize| limbs.get(b / 64).map_or(0, |l| l >> (b % 64) & 1);
        let count = Packing::Bits80.coefficients(limbs.len());
        assert_eq!(count, 11);
        for start in [0, 4, 8] {
            let (mut low, mut high) = (vec![0; count + 1 - start], vec![0; count + 1 - start]);
            split80(&limbs, start, &mut low, &mut high);
            for (c, (&l, &h)) in low.iter().zip(&high).enumerate() {
                let value = u128::from(l) | u128::from(h) << 64;
                let expected =
                    (0..80).fold(0u128, |v, b| v | u128::from(bit(80 * (start + c) + b)) << b);
                assert_eq!(value, expected, "coefficient {}", start + c);
            }
        }
    }
}
