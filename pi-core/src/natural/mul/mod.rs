//! Multiplication: a planner that picks an algorithm by operand size.
//!
//! Crossovers are in limbs of the shorter operand and were chosen with
//! `cargo bench -p pi-benches --bench arithmetic`.

mod karatsuba;
mod ntt;

pub(crate) use ntt::Cache as TransformCache;
mod schoolbook;

/// Multiplication crossover: below this many limbs in the shorter operand,
/// schoolbook; from it, Karatsuba.
pub const KARATSUBA_THRESHOLD: usize = 24;
/// Multiplication crossover: from this many limbs in the shorter operand,
/// the number-theoretic transform, where the processor has AVX-512 IFMA.
pub const NTT_THRESHOLD: usize = 256;
/// The same crossover with the portable (scalar) transform.
pub const NTT_THRESHOLD_SCALAR: usize = 1024;

/// The crossover to the transform on this processor.
fn ntt_threshold() -> usize {
    if ntt::vectorized() {
        NTT_THRESHOLD
    } else {
        NTT_THRESHOLD_SCALAR
    }
}

/// The product of two limb slices, `a.len() + b.len()` limbs long (untrimmed).
pub(crate) fn mul(a: &[u64], b: &[u64]) -> Vec<u64> {
    let (a, b) = if a.len() >= b.len() { (a, b) } else { (b, a) };
    if b.is_empty() {
        return vec![0; a.len()];
    }
    if b.len() < KARATSUBA_THRESHOLD {
        schoolbook::mul(a, b)
    } else if b.len() < ntt_threshold() {
        karatsuba::mul(a, b)
    } else {
        ntt::mul(a, b)
    }
}

/// The square of a limb slice, `2 * a.len()` limbs long (untrimmed).
pub(crate) fn square(a: &[u64]) -> Vec<u64> {
    if a.len() < ntt_threshold() {
        mul(a, a)
    } else {
        ntt::square(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lcg_limbs(len: usize, seed: u64) -> Vec<u64> {
        let mut s = seed;
        (0..len)
            .map(|_| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                s ^ s >> 29
            })
            .collect()
    }

    #[test]
    fn every_algorithm_agrees_with_schoolbook() {
        for &(la, lb) in &[
            (1, 1),
            (30, 25),
            (100, 24),
            (700, 513),
            (1100, 1030),
            (5000, 1024),
        ] {
            let a = lcg_limbs(la, la as u64);
            let b = lcg_limbs(lb, lb as u64 + 7);
            let reference = schoolbook::mul(&a, &b);
            if lb >= KARATSUBA_THRESHOLD {
                assert_eq!(karatsuba::mul(&a, &b), reference, "karatsuba {la}x{lb}");
            }
            assert_eq!(ntt::mul(&a, &b), reference, "ntt {la}x{lb}");
            assert_eq!(mul(&a, &b), reference, "planner {la}x{lb}");
        }
    }

    #[test]
    fn ntt_handles_all_ones_limbs() {
        // Largest possible coefficients stress the CRT bound.
        let a = vec![u64::MAX; 3000];
        assert_eq!(ntt::square(&a), schoolbook::mul(&a, &a));
        assert_eq!(ntt::mul(&a, &a[..1500]), schoolbook::mul(&a, &a[..1500]));
    }
}
