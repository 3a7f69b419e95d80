//! How a number's bits are cut into transform coefficients.
//!
//! One limb per coefficient leaves a product's coefficients below
//! `2^128·c`, `c` the coefficients of its shorter operand. Where that needs
//! four primes, wider coefficients fit in the same four: 88 bits (below
//! `2^176·c`, up to about `2^23.6` coefficients, `2^24` limbs), 86 (up to
//! `2^27.6`) or 80 (up to `2^39.6`): 27%, 26% or 20% fewer coefficients
//! than limbs, so shorter transforms.
//!
//! Balanced limbs ([`Packing::BALANCED`]) halve the coefficients' size
//! instead: limb `i` becomes the digit `l_i + t_(i-1) - 2^64·t_i`, `t_i`
//! the top bit of `l_i` (the last digit keeps its `t`), so every digit but
//! the last lies in `[-2^63, 2^63]` and a product's coefficients within
//! about `±2^126·c`: three primes then serve twice as long as they do for
//! plain limbs. The transforms take the digits' residues (see
//! `Field::balanced_residues_into`) and the recombination their signed
//! coefficients (see `garner.rs`).

/// The width of the transform coefficients: 64 bits (one limb per
/// coefficient, [`Packing::LIMBS`]) or one of [`WIDE_BITS`], cut a group at
/// a time: the fewest coefficients that fill whole limbs (eight in 11 or 10
/// limbs at 88 or 80 bits, 32 in 43 limbs at 86). A plain width rather
/// than an enum with a payload: no padding that optimised code may read
/// (valgrind took it for uninitialised memory); balanced limbs set
/// [`BALANCED_FLAG`] beside the width.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Packing(u32);

/// The bit of [`Packing`] that marks balanced limbs.
const BALANCED_FLAG: u32 = 1 << 8;

/// The widths of wide packings, widest first.
pub(super) const WIDE_BITS: [u32; 3] = [88, 86, 80];

/// The most coefficients in a group of any of [`WIDE_BITS`]: pieces of
/// coefficients start at multiples of it.
pub(super) const MAX_GROUP: usize = 32;

impl Packing {
    /// One 64-bit limb per coefficient.
    pub(super) const LIMBS: Packing = Packing(64);

    /// One balanced digit of 64 bits per coefficient (see the module's
    /// comment).
    pub(super) const BALANCED: Packing = Packing(64 | BALANCED_FLAG);

    /// Coefficients of `bits` bits, one of [`WIDE_BITS`].
    pub(super) fn wide(bits: u32) -> Packing {
        debug_assert!(WIDE_BITS.contains(&bits));
        Packing(bits)
    }

    /// The bits of a coefficient.
    pub(super) fn bits(self) -> u32 {
        self.0 & !BALANCED_FLAG
    }

    /// Whether each coefficient is one limb (plain or balanced).
    pub(super) fn is_limbs(self) -> bool {
        self.bits() == 64
    }

    /// Whether the coefficients are balanced limbs.
    pub(super) fn is_balanced(self) -> bool {
        self == Packing::BALANCED
    }

    /// The coefficients of a number of `limbs` limbs.
    pub(super) fn coefficients(self, limbs: usize) -> usize {
        (limbs * 64).div_ceil(self.bits() as usize)
    }
}

/// Coefficients `start..start + low.len()` of `limbs` cut into `bits` bits
/// (one of [`WIDE_BITS`]; `start` a multiple of [`MAX_GROUP`]; limbs past
/// the end read as zero): the low 64 bits of each to `low`, the others to
/// `high`.
pub(super) fn split(limbs: &[u64], bits: u32, start: usize, low: &mut [u64], high: &mut [u64]) {
    debug_assert!(start.is_multiple_of(MAX_GROUP));
    match bits {
        88 => split_groups::<88, 8, 12>(limbs, start, low, high),
        86 => split_groups::<86, 32, 44>(limbs, start, low, high),
        _ => split_groups::<80, 8, 11>(limbs, start, low, high),
    }
}

/// [`split`] for `W` bits, a group of `G` coefficients (`G·W/64` limbs, one
/// fewer than `L`) at a time (their shifts known when compiled).
fn split_groups<const W: usize, const G: usize, const L: usize>(
    limbs: &[u64],
    start: usize,
    low: &mut [u64],
    high: &mut [u64],
) {
    let group = G * W / 64;
    debug_assert!(group * 64 == G * W && L == group + 1);
    debug_assert!(start.is_multiple_of(G) && high.len() == low.len());
    // Whole groups by the vector kernel where it runs, the rest here.
    let done = crate::simd::split(limbs, W, start, G, low, high);
    let (start, low, high) = (start + done, &mut low[done..], &mut high[done..]);
    let first = start / G * group;
    for (g, (low, high)) in low.chunks_mut(G).zip(high.chunks_mut(G)).enumerate() {
        // The group's limbs and the one after (its last coefficient reads it).
        let base = first + g * group;
        match limbs.get(base..base + L) {
            // Most groups: fixed lengths, so no copy and the shifts unrolled.
            Some(l) if low.len() == G => cut::<W, L>(l, &mut low[..G], &mut high[..G]),
            _ => {
                let mut l = [0u64; L];
                let present = limbs.get(base..).unwrap_or_default();
                let count = present.len().min(L);
                l[..count].copy_from_slice(&present[..count]);
                cut::<W, L>(&l, low, high);
            }
        }
    }
}

/// The coefficients of `W` bits that start in `l` (`L` limbs), as many as
/// `low` holds: the low 64 bits of each to `low`, the others to `high`.
#[inline(always)]
fn cut<const W: usize, const L: usize>(l: &[u64], low: &mut [u64], high: &mut [u64]) {
    let mask = (1 << (W - 64)) - 1;
    for (i, (low, high)) in low.iter_mut().zip(high.iter_mut()).enumerate() {
        let (k, shift) = (i * W / 64, i * W % 64);
        let joined = |a: u64, b: u64| ((u128::from(b) << 64 | u128::from(a)) >> shift) as u64;
        *low = joined(l[k], l[k + 1]);
        *high = joined(l[k + 1], l[k + 2]) & mask;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each coefficient read back bit by bit, at several widths and starts.
    #[test]
    fn split_reads_each_coefficients_bits() {
        let limbs = crate::natural::lcg_limbs(100, 1);
        let bit = |b: usize| limbs.get(b / 64).map_or(0, |l| l >> (b % 64) & 1);
        for bits in WIDE_BITS {
            let count = Packing::wide(bits).coefficients(limbs.len());
            assert_eq!(count, (100 * 64usize).div_ceil(bits as usize));
            for start in [0, MAX_GROUP, 2 * MAX_GROUP] {
                let (mut low, mut high) = (vec![0; count + 1 - start], vec![0; count + 1 - start]);
                split(&limbs, bits, start, &mut low, &mut high);
                for (c, (&l, &h)) in low.iter().zip(&high).enumerate() {
                    let value = u128::from(l) | u128::from(h) << 64;
                    let width = bits as usize;
                    let expected = (0..width).fold(0u128, |v, b| {
                        v | u128::from(bit(width * (start + c) + b)) << b
                    });
                    assert_eq!(value, expected, "{bits} bits: coefficient {}", start + c);
                }
            }
        }
    }
}
