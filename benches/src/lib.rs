//! What the benchmarks share.

use pi_core::Natural;

/// A pseudo-random number of `limbs` 64-bit limbs (xorshift from `seed`).
pub fn number(limbs: usize, seed: u64) -> Natural {
    let mut s = seed | 1;
    Natural::from_limbs(
        (0..limbs)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                s
            })
            .collect(),
    )
}
