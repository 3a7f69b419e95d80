//! Multiplication: a planner that picks an algorithm by operand size.
//!
//! Crossovers are in limbs of the shorter operand and were chosen with
//! `cargo bench -p pi-benches --bench arithmetic`.

mod karatsuba;
mod ntt;

pub(crate) use ntt::Cache as TransformCache;
#[cfg(test)]
pub(super) use ntt::TestSpill;
pub(super) use ntt::{Source, Spilled};
mod schoolbook;
#[cfg(test)]
pub(crate) use schoolbook::VECTOR_MIN as VECTOR_SCHOOLBOOK_MIN;

use crate::natural::arith::Arith;
use crate::natural::fallible;

/// Multiplication crossover: below this many limbs in the shorter operand,
/// schoolbook; from it, Karatsuba, where the vector schoolbook does not
/// run (see [`karatsuba_threshold`]) and the schoolbook's rows are
/// portable.
pub(crate) const KARATSUBA_THRESHOLD: usize = 24;
/// The same crossover where the schoolbook's rows run by BMI2 and ADX
/// (`simd/mulx.rs`; measured on Zen 4 with AVX2: Karatsuba 1.08-1.20x of
/// the schoolbook's time from 24 to 36 limbs, 0.97-1.12x at 40, 0.91-1.0x
/// at 44 and 48).
pub(crate) const KARATSUBA_THRESHOLD_MULX: usize = 40;
/// Multiplication crossover: from this many limbs in the shorter operand,
/// the number-theoretic transform, where the processor has AVX-512 IFMA;
/// below it the vector schoolbook, faster than Karatsuba there (measured
/// on Zen 4: the schoolbook 6.0-6.3, 7.7-8.0 and 9.7-10.3 µs at 192, 224
/// and 256 limbs, the transform 7.9-8.3, 8.6-8.8 and 8.5-9.6 µs;
/// Karatsuba over the schoolbook 6.3, 7.7 and 9.7 µs).
pub(crate) const NTT_THRESHOLD: usize = 240;
/// The same crossover with the double-precision transform and AVX2: below
/// it Karatsuba over the BMI2/ADX schoolbook, faster than the transform
/// there (measured on Zen 4, medians of 12 in-process rounds, Karatsuba's
/// time over the transform's: 0.85 at 128 limbs, 0.67-0.90 from 144 to
/// 192, where the transform has length 384, about 1.0 at 192-200, 1.05
/// to 1.40 from 208 to 256).
pub(crate) const NTT_THRESHOLD_AVX2: usize = 192;
/// The same crossover with the double-precision transform and AVX-512F,
/// whose transform is faster (Karatsuba's time over the transform's 0.75
/// to 0.96 from 128 to 160 limbs, 0.94-0.97 at 164-168, 1.03 from 172).
pub(crate) const NTT_THRESHOLD_AVX512F: usize = 168;
/// The same crossover with the portable (scalar) transform (Karatsuba 78 µs
/// and 243 µs at 384 and 768 limbs, the transform 93 µs and 204 µs).
pub(crate) const NTT_THRESHOLD_SCALAR: usize = 512;

/// The crossover to Karatsuba on this processor: none below the
/// transform's where the vector schoolbook runs.
fn karatsuba_threshold() -> usize {
    if crate::simd::schoolbook::available() {
        ntt_threshold()
    } else {
        karatsuba_base()
    }
}

/// Below this many limbs in the shorter operand, Karatsuba's products go
/// to schoolbook.
fn karatsuba_base() -> usize {
    if crate::simd::mulx::available() {
        KARATSUBA_THRESHOLD_MULX
    } else {
        KARATSUBA_THRESHOLD
    }
}

/// The crossover to the transform on this processor.
fn ntt_threshold() -> usize {
    use crate::simd::KernelFamily;
    match crate::simd::kernel_family() {
        KernelFamily::Avx512Ifma => NTT_THRESHOLD,
        KernelFamily::Avx2 => NTT_THRESHOLD_AVX2,
        KernelFamily::Avx512F => NTT_THRESHOLD_AVX512F,
        KernelFamily::Portable => NTT_THRESHOLD_SCALAR,
    }
}

/// The longest sum of two products of halves (as binary splitting merges
/// them), at most `limbs` limbs long, that fills the transform it takes;
/// `limbs` itself where no transform is taken.
pub(crate) fn full_length(limbs: usize) -> usize {
    if limbs / 2 < ntt_threshold() {
        limbs
    } else {
        ntt::full_length(limbs)
    }
}

/// The product of two limb slices, `a.len() + b.len()` limbs long (untrimmed).
pub(crate) fn mul(a: &[u64], b: &[u64], arith: Arith<'_>) -> Vec<u64> {
    let (a, b) = if a.len() >= b.len() { (a, b) } else { (b, a) };
    if b.is_empty() {
        return fallible::filled(a.len(), 0);
    }
    if b.len() < karatsuba_threshold() {
        schoolbook::mul(a, b)
    } else if b.len() < ntt_threshold() {
        karatsuba::mul(a, b)
    } else {
        ntt::mul(a, b, arith)
    }
}

/// The product of two limb slices less its `drop` lowest limbs (which long
/// products never form), `a.len() + b.len() - drop` limbs long (untrimmed).
pub(crate) fn mul_above(a: &[u64], b: &[u64], drop: usize, arith: Arith<'_>) -> Vec<u64> {
    if a.len().min(b.len()) >= ntt_threshold() {
        return ntt::mul_above(a, b, drop, arith);
    }
    let mut product = mul(a, b, arith);
    product.drain(..drop.min(product.len()));
    product
}

/// `x ≡ a·b (mod 2^m - 1)` (`b` absent: `a²`) with `x < 2^m`, for an
/// `m >= bits` (a multiple of 64, returned) that suits the product: with
/// `m` as long as the operands, the product's bits from `m` on add to its
/// lowest ones, and the transform is shorter than a product's.
pub(crate) fn mul_wrapped(
    a: &[u64],
    b: Option<&[u64]>,
    bits: u64,
    arith: Arith<'_>,
) -> (Vec<u64>, u64) {
    let shorter = b.map_or(a.len(), |b| a.len().min(b.len()));
    let (mut x, m) = if shorter < ntt_threshold() {
        (mul(a, b.unwrap_or(a), arith), bits.div_ceil(64) * 64)
    } else {
        ntt::wrapped(a, b, bits, arith)
    };
    super::limbs::fold_mersenne(&mut x, (m / 64) as usize);
    (x, m)
}

/// The square of a limb slice, `2 * a.len()` limbs long (untrimmed).
pub(crate) fn square(a: &[u64], arith: Arith<'_>) -> Vec<u64> {
    if a.len() < ntt_threshold() {
        mul(a, a, arith)
    } else {
        ntt::square(a, arith)
    }
}

/// For each of `sums`, the sum of the products of the pairs of `operands`
/// it lists (`(i, i)`: a square), one limb longer than its longest product
/// (untrimmed), less its `drop` lowest limbs (which large sums never
/// hold). Large operands are transformed once for all their products.
pub(crate) fn sums_of_products(
    operands: &[Source<'_>],
    sums: &[&[(usize, usize)]],
    drop: usize,
    arith: Arith<'_>,
) -> Vec<Vec<u64>> {
    let lens: Vec<usize> = operands.iter().map(|x| x.len()).collect();
    let shortest = sums
        .iter()
        .copied()
        .flatten()
        .map(|&(i, j)| lens[i].min(lens[j]))
        .min()
        .unwrap_or(0);
    if shortest >= ntt_threshold() {
        return ntt::sums_of_products(operands, sums, drop, arith);
    }
    let loaded: Vec<_> = operands.iter().map(|x| x.load()).collect();
    sums.iter()
        .map(|pairs| {
            let mut sum = fallible::filled(sum_length(&lens, pairs), 0);
            for &(i, j) in pairs.iter() {
                let product = if i == j {
                    square(&loaded[i], arith)
                } else {
                    mul(&loaded[i], &loaded[j], arith)
                };
                super::limbs::add_in_place(&mut sum, &product);
            }
            sum.drain(..drop.min(sum.len()));
            sum
        })
        .collect()
}

/// The limbs of a sum of the products of `pairs` of operands of `lens`
/// limbs: one more than the longest product.
fn sum_length(lens: &[usize], pairs: &[(usize, usize)]) -> usize {
    pairs
        .iter()
        .map(|&(i, j)| lens[i] + lens[j])
        .max()
        .unwrap_or(0)
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::natural::lcg_limbs;

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
            if lb >= karatsuba_base() {
                assert_eq!(karatsuba::mul(&a, &b), reference, "karatsuba {la}x{lb}");
            }
            assert_eq!(
                ntt::mul(&a, &b, Arith::shared()),
                reference,
                "ntt {la}x{lb}"
            );
            assert_eq!(mul(&a, &b, Arith::shared()), reference, "planner {la}x{lb}");
        }
    }

    #[test]
    fn wrapped_products_are_reduced() {
        use crate::natural::Natural;
        for &(la, lb, bits) in &[(30, 20, 64 * 25), (3, 2, 1), (900, 600, 64 * 1000)] {
            let (a, b) = (lcg_limbs(la, 8), lcg_limbs(lb, 9));
            let (x, m) = mul_wrapped(&a, Some(&b), bits, Arith::shared());
            assert!(m >= bits && x.len() as u64 * 64 <= m, "{la}x{lb}");
            let modulus = &(&Natural::from(1u64) << m) - &Natural::from(1u64);
            let residue = |x: Vec<u64>| Natural::from_limbs(x).div_rem(&modulus).map(|(_, r)| r);
            assert_eq!(residue(x), residue(schoolbook::mul(&a, &b)), "{la}x{lb}");
        }
    }

    #[test]
    fn sums_of_products_agree_with_products() {
        for &(la, lb, lc) in &[
            (3, 2, 5),
            (300, 290, 280),
            (2000, 1990, 1500),
            (9000, 8000, 7000),
        ] {
            let (a, b, c) = (lcg_limbs(la, 1), lcg_limbs(lb, 2), lcg_limbs(lc, 3));
            let operands = [a.as_slice(), b.as_slice(), c.as_slice()];
            let sums: [&[(usize, usize)]; 3] =
                [&[(0, 1), (2, 1)], &[(0, 0)], &[(1, 2), (2, 2), (0, 2)]];
            let results =
                sums_of_products(&operands.map(Source::Memory), &sums, 0, Arith::shared());
            for (pairs, result) in sums.iter().zip(&results) {
                let mut expected = vec![0; result.len()];
                for &(i, j) in pairs.iter() {
                    super::super::limbs::add_in_place(
                        &mut expected,
                        &schoolbook::mul(operands[i], operands[j]),
                    );
                }
                assert_eq!(result, &expected, "{la} {lb} {lc}: {pairs:?}");
            }
        }
        // All-ones limbs: the largest coefficients, summed.
        let ones = vec![u64::MAX; 5000];
        let sums: [&[(usize, usize)]; 1] = [&[(0, 0), (0, 0), (0, 0)]];
        let [result] = <[Vec<u64>; 1]>::try_from(sums_of_products(
            &[Source::Memory(&ones)],
            &sums,
            0,
            Arith::shared(),
        ))
        .unwrap_or_default();
        let square = schoolbook::mul(&ones, &ones);
        let mut expected = vec![0; result.len()];
        for _ in 0..3 {
            super::super::limbs::add_in_place(&mut expected, &square);
        }
        assert_eq!(result, expected);
    }

    #[test]
    fn large_sums_agree_with_products() {
        // Long enough for each sum to be computed on its own.
        let (a, b) = (lcg_limbs(1 << 21, 4), lcg_limbs((1 << 21) + 3, 5));
        let sums: [&[(usize, usize)]; 2] = [&[(0, 1), (1, 1)], &[(0, 0)]];
        let results = sums_of_products(
            &[Source::Memory(&a), Source::Memory(&b)],
            &sums,
            0,
            Arith::shared(),
        );
        let mut expected = vec![0; results[0].len()];
        super::super::limbs::add_in_place(&mut expected, &mul(&a, &b, Arith::shared()));
        super::super::limbs::add_in_place(&mut expected, &square(&b, Arith::shared()));
        assert_eq!(results[0], expected);
        let mut square_a = square(&a, Arith::shared());
        square_a.push(0);
        assert_eq!(results[1], square_a);
    }

    #[test]
    fn ntt_handles_all_ones_limbs() {
        // Largest possible coefficients stress the CRT bound.
        let a = vec![u64::MAX; 3000];
        assert_eq!(ntt::square(&a, Arith::shared()), schoolbook::mul(&a, &a));
        assert_eq!(
            ntt::mul(&a, &a[..1500], Arith::shared()),
            schoolbook::mul(&a, &a[..1500])
        );
    }
}
