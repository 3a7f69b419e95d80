//! Multiplication by number-theoretic transforms modulo a few word-size
//! primes, recombined by the Chinese remainder theorem.
//!
//! Coefficients of `w` bits (a limb or wider, see `packing.rs`) make a
//! product's coefficients below `len · 2^(2w)`; the primes multiply to more
//! than that.
//! Three fields, one per kernel family (see `crate::simd::kernel_family`):
//! [`Montgomery52`] (four 50-bit primes, whose transform stages run eight
//! lanes at a time with AVX-512 IFMA), [`Double50`] (the same primes held
//! in doubles, four lanes with AVX2 and FMA or eight with AVX-512F) and the
//! portable [`Montgomery64`] (three 62-bit primes).
//!
//! By role: `field.rs` the arithmetic modulo one prime and its kernel
//! hooks (`scalar.rs` the portable kernels, `montgomery52.rs`,
//! `double50.rs` and `montgomery64.rs` the fields), `tables.rs` the roots of unity,
//! `cache.rs` what transforms share, `transform.rs` the transforms,
//! `radix3.rs` the radix-3 step, `convolution.rs` convolutions modulo one
//! prime, `plan.rs` packing, primes and lengths, `packing.rs` coefficients
//! from limbs, `garner.rs` the recombination; here, products and sums of
//! products from those.

/// `$body` with `$F` the field of this process's kernel family.
macro_rules! with_field {
    ($F:ident => $body:expr) => {{
        use crate::simd::KernelFamily;
        match crate::simd::kernel_family() {
            KernelFamily::Avx512Ifma => {
                type $F = crate::natural::mul::ntt::Montgomery52;
                $body
            }
            KernelFamily::Avx512F => {
                type $F = crate::natural::mul::ntt::Double50<8>;
                $body
            }
            KernelFamily::Avx2 => {
                type $F = crate::natural::mul::ntt::Double50<4>;
                $body
            }
            KernelFamily::Portable => {
                type $F = crate::natural::mul::ntt::Montgomery64;
                $body
            }
        }
    }};
}

mod cache;
mod convolution;
mod double50;
mod field;
mod garner;
mod montgomery52;
mod montgomery64;
mod on_disk;
mod packing;
mod plan;
mod powers;
mod radix3;
mod scalar;
mod spill;
mod tables;
mod transform;

use std::borrow::Cow;

use rayon::prelude::*;

use super::sum_length;
use crate::natural::arith::Arith;
use crate::natural::{limbs, Spill};
use convolution::{convolution, sum_convolutions};
use field::Field;
use packing::Packing;
use plan::{folded_length, sum_coefficients, transform_length, Plan};
use transform::{Transformer, PARALLEL_MIN};

pub(crate) use cache::Cache;
pub(super) use plan::full_length;
#[cfg(test)]
pub(in crate::natural) use spill::tests::TestSpill;
pub(in crate::natural) use spill::{Source, Spilled};

pub(super) use double50::Double50;
pub(super) use montgomery52::Montgomery52;
pub(super) use montgomery64::Montgomery64;

/// The product of `a` and `b` (`None`: the square of `a`) over the field
/// `F`, `a.len() + b.len()` limbs long (untrimmed), less its `drop` lowest
/// limbs.
fn product<F: Field>(a: &[u64], b: Option<&[u64]>, drop: usize, arith: Arith<'_>) -> Vec<u64> {
    let shorter = b.map_or(a.len(), |b| a.len().min(b.len()));
    planned_product::<F>(a, b, (Plan::new::<F>(shorter), drop), arith)
}

/// [`product`] by `plan`, less its `drop` lowest limbs.
fn planned_product<F: Field>(
    a: &[u64],
    b: Option<&[u64]>,
    (plan, drop): (Plan, usize),
    arith: Arith<'_>,
) -> Vec<u64> {
    let b_len = b.map_or(a.len(), <[u64]>::len);
    let coefficients = plan.packing.coefficients(a.len()) + plan.packing.coefficients(b_len);
    let transforms = if b.is_some() { 3 } else { 2 };
    let longest = plan.packing.coefficients(a.len().max(b_len));
    let n = folded_length(coefficients, longest, (transforms, 1));
    convolved::<F>(
        a,
        b,
        plan,
        (n, coefficients),
        (a.len() + b_len, drop),
        arith,
    )
}

/// The first `coefficients` of the cyclic convolution of length `n` of the
/// coefficients of `a` and `b` (`None`: of `a` with itself) cut by `plan`,
/// recombined into `len` limbs (which must hold their value) less the
/// `drop` lowest.
fn convolved<F: Field>(
    a: &[u64],
    b: Option<&[u64]>,
    plan: Plan,
    (n, coefficients): (usize, usize),
    (len, drop): (usize, usize),
    arith: Arith<'_>,
) -> Vec<u64> {
    let primes = &F::PRIMES[..plan.primes];
    let residue =
        |&prime: &(u64, u64)| convolution::<F>(prime, a, b, (n, coefficients, plan.packing), arith);
    if let Some(spill) = arith.spill_for(len) {
        // One prime at a time, each one's residues out of memory before
        // the next is computed.
        let (operands, pair) = match b {
            Some(b) => ([Source::Memory(a), Source::Memory(b)], [(0, 1)]),
            None => ([Source::Memory(a); 2], [(0, 0)]),
        };
        let sums = (&operands[..], &[&pair[..]][..], &[coefficients][..]);
        let spilled: Vec<Spilled<'_>> = primes
            .iter()
            .flat_map(|&prime| {
                let on_disk = len >= spill.transforms_min_limbs();
                spilled_sums::<F>(
                    prime,
                    sums,
                    (n, plan.packing),
                    (spill, arith, on_disk),
                    || vec![residue(&prime)],
                )
            })
            .collect();
        return garner::recombine_spilled::<F>(&spilled, (len, drop), plan.packing, arith);
    }
    // Large products one prime at a time: their transforms run in parallel
    // themselves, and only one prime's transforms are held at once.
    let residues: Vec<Vec<u64>> = if n < PARALLEL_MIN || len >= LOW_MEMORY_MIN {
        primes.iter().map(residue).collect()
    } else {
        primes.par_iter().map(residue).collect()
    };
    let product = garner::recombine::<F>(&residues, (len, drop), plan.packing, arith);
    recycle_all(arith, residues);
    product
}

/// `x ≡ a·b (mod 2^m - 1)` (`b` absent: `a²`) for the shortest transform
/// whose `m`, its length times its coefficients' bits, is at least `bits`
/// and whose length holds each operand's coefficients: the product's
/// coefficients from the transform's length on add to its first ones.
/// Returns `x` unreduced (a few limbs longer than `m` bits) and `m`, a
/// multiple of 64.
pub(super) fn wrapped(
    a: &[u64],
    b: Option<&[u64]>,
    bits: u64,
    arith: Arith<'_>,
) -> (Vec<u64>, u64) {
    with_field!(F => wrapped_in::<F>(a, b, bits, arith))
}

/// [`wrapped`] over the field `F`.
fn wrapped_in<F: Field>(
    a: &[u64],
    b: Option<&[u64]>,
    bits: u64,
    arith: Arith<'_>,
) -> (Vec<u64>, u64) {
    let b_len = b.map_or(a.len(), <[u64]>::len);
    // Each coefficient still sums at most `shorter` products.
    let plan = Plan::new::<F>(a.len().min(b_len));
    planned_wrapped::<F>(a, b, bits, plan, arith)
}

/// [`wrapped_in`] by `plan`.
fn planned_wrapped<F: Field>(
    a: &[u64],
    b: Option<&[u64]>,
    bits: u64,
    plan: Plan,
    arith: Arith<'_>,
) -> (Vec<u64>, u64) {
    let b_len = b.map_or(a.len(), <[u64]>::len);
    // Transforms of at least a group (`MAX_GROUP`) make `m` a multiple of
    // 64.
    let width = u64::from(plan.packing.bits());
    let coefficients = plan
        .packing
        .coefficients(a.len().max(b_len))
        .max(bits.div_ceil(width) as usize)
        .max(packing::MAX_GROUP);
    let n = transform_length(coefficients);
    let m = n as u64 * width;
    // Below 2^(m + 2·width + 40): coefficients below 2^(2·width) · n.
    let len = m as usize / 64 + 5;
    let mut x = convolved::<F>(a, b, plan, (n, n), (len, 0), arith);
    // Balanced limbs' coefficients may wrap to a sum below zero, which the
    // recombination leaves as x + 2^(64·len): then x + 2^(64·len) - 2^320,
    // which is x + 2^320·(2^m - 1).
    if x.last().is_some_and(|&top| top >> 63 == 1) {
        debug_assert!(plan.packing.is_balanced());
        limbs::sub_in_place(&mut x[5..], &[1]);
    }
    (x, m)
}

/// Keeps the residues' buffers for reuse.
fn recycle_all(arith: Arith<'_>, residues: Vec<Vec<u64>>) {
    let cache = arith.transforms();
    residues.into_iter().for_each(|v| cache.recycle(v));
}

/// The product of `a` and `b`, `a.len() + b.len()` limbs long (untrimmed).
pub(super) fn mul(a: &[u64], b: &[u64], arith: Arith<'_>) -> Vec<u64> {
    planned(a, Some(b), 0, arith)
}

/// The product of `a` and `b` less its `drop` lowest limbs, which it does
/// not form: `a.len() + b.len() - drop` limbs long (untrimmed).
pub(super) fn mul_above(a: &[u64], b: &[u64], drop: usize, arith: Arith<'_>) -> Vec<u64> {
    planned(a, Some(b), drop, arith)
}

/// The square of `a`, `2 * a.len()` limbs long (untrimmed).
pub(super) fn square(a: &[u64], arith: Arith<'_>) -> Vec<u64> {
    planned(a, None, 0, arith)
}

/// [`summed`] over the fastest field on this processor: for each of `sums`,
/// the sum of the products of the pairs of `operands` it lists (`(i, i)`:
/// a square), one limb longer than its longest product (untrimmed), less
/// its `drop` lowest limbs. Operands waiting in spill files are read back
/// one at a time where the transforms wait on disk too, else all at once.
pub(super) fn sums_of_products(
    operands: &[Source<'_>],
    sums: &[&[(usize, usize)]],
    drop: usize,
    arith: Arith<'_>,
) -> Vec<Vec<u64>> {
    with_field!(F => summed::<F>(operands, sums, drop, arith))
}

/// See [`sums_of_products`]: every operand is transformed once per prime.
fn summed<F: Field>(
    operands: &[Source<'_>],
    sums: &[&[(usize, usize)]],
    drop: usize,
    arith: Arith<'_>,
) -> Vec<Vec<u64>> {
    let lens: Vec<usize> = operands.iter().map(|x| x.len()).collect();
    if sums.len() > 1
        && sums
            .iter()
            .any(|pairs| sum_length(&lens, pairs) >= LOW_MEMORY_MIN)
    {
        // Each sum on its own holds the residues of one result only; shared
        // operands are transformed again.
        return sums
            .iter()
            .flat_map(|pairs| summed::<F>(operands, std::slice::from_ref(pairs), drop, arith))
            .collect();
    }
    // A coefficient of a sum of k products is below k·shorter·2^(2·bits).
    let bound = sums
        .iter()
        .map(|pairs| {
            pairs.len()
                * pairs
                    .iter()
                    .map(|&(i, j)| lens[i].min(lens[j]))
                    .max()
                    .unwrap_or(0)
        })
        .max()
        .unwrap_or(1);
    planned_sums::<F>(operands, sums, (Plan::new::<F>(bound), drop), arith)
}

/// [`summed`] by `plan`.
fn planned_sums<F: Field>(
    operands: &[Source<'_>],
    sums: &[&[(usize, usize)]],
    (plan, drop): (Plan, usize),
    arith: Arith<'_>,
) -> Vec<Vec<u64>> {
    let lens: Vec<usize> = operands.iter().map(|x| x.len()).collect();
    let coefficients = sums
        .iter()
        .map(|pairs| sum_coefficients(plan.packing, &lens, pairs))
        .max()
        .unwrap_or(1);
    let longest = lens.iter().copied().max().unwrap_or(0);
    let transforms = operands.len() + sums.len();
    let tops = sums.iter().map(|pairs| pairs.len()).sum();
    let n = folded_length(
        coefficients,
        plan.packing.coefficients(longest),
        (transforms, tops),
    );
    sums_by::<F>(operands, sums, (plan, n, drop), arith)
}

/// [`planned_sums`] by transforms of length `n`.
fn sums_by<F: Field>(
    operands: &[Source<'_>],
    sums: &[&[(usize, usize)]],
    (plan, n, drop): (Plan, usize, usize),
    arith: Arith<'_>,
) -> Vec<Vec<u64>> {
    let primes = &F::PRIMES[..plan.primes];
    let residue = |prime: (u64, u64), loaded: &[Cow<'_, [u64]>]| {
        let operands: Vec<&[u64]> = loaded.iter().map(|x| &x[..]).collect();
        sum_convolutions::<F>(prime, &operands, sums, (n, plan.packing), arith)
    };
    let load = || -> Vec<Cow<'_, [u64]>> { operands.iter().map(|x| x.load()).collect() };
    let lens: Vec<usize> = operands.iter().map(|x| x.len()).collect();
    let longest = sums
        .iter()
        .map(|pairs| sum_length(&lens, pairs))
        .max()
        .unwrap_or(0);
    if let Some(spill) = arith.spill_for(longest) {
        // One prime at a time, its residues out of memory before the next.
        let coefficients: Vec<usize> = sums
            .iter()
            .map(|pairs| sum_coefficients(plan.packing, &lens, pairs))
            .collect();
        let mut spilled: Vec<Vec<Spilled<'_>>> = (0..sums.len()).map(|_| Vec::new()).collect();
        // Operands waiting in files come back once for every prime where
        // the transforms stay in memory, and one at a time for each prime
        // where those wait on disk too.
        let on_disk = longest >= spill.transforms_min_limbs();
        let loaded = (!on_disk).then(load);
        for &prime in primes {
            let of_prime = spilled_sums::<F>(
                prime,
                (operands, sums, &coefficients),
                (n, plan.packing),
                (spill, arith, on_disk),
                || match &loaded {
                    Some(loaded) => residue(prime, loaded),
                    None => residue(prime, &load()),
                },
            );
            for (of_sum, residues) in spilled.iter_mut().zip(of_prime) {
                of_sum.push(residues);
            }
        }
        return sums
            .iter()
            .zip(&spilled)
            .map(|(pairs, of_sum)| {
                let len = sum_length(&lens, pairs);
                garner::recombine_spilled::<F>(of_sum, (len, drop), plan.packing, arith)
            })
            .collect();
    }
    // One prime at a time: each holds several transforms, and those of
    // large sums run in parallel themselves.
    let loaded = load();
    let residues: Vec<Vec<Vec<u64>>> = primes.iter().map(|&p| residue(p, &loaded)).collect();
    let mut residues: Vec<_> = residues.into_iter().map(Vec::into_iter).collect();
    sums.iter()
        .map(|pairs| {
            let of_this_sum: Vec<Vec<u64>> =
                residues.iter_mut().filter_map(Iterator::next).collect();
            let len = sum_length(&lens, pairs);
            let sum = garner::recombine::<F>(&of_this_sum, (len, drop), plan.packing, arith);
            recycle_all(arith, of_this_sum);
            sum
        })
        .collect()
}

/// Sums of products: the operands, the pairs of each sum, and the values of
/// each sum's convolution wanted.
type Sums<'a> = (&'a [Source<'a>], &'a [&'a [(usize, usize)]], &'a [usize]);

/// The first `lens` values of the convolutions modulo `prime` of each of
/// `sums` (sums of products of `operands` pairs, see
/// [`sum_convolutions`]), in files of `spill`: by transforms on disk (see
/// `on_disk.rs`) of the longest of length `n` and a length that holds
/// them all, if `on_disk` and those are long enough; else as `in_memory`
/// gives them, by transforms of length `n`.
fn spilled_sums<'s, F: Field>(
    prime: (u64, u64),
    (operands, sums, lens): Sums<'_>,
    (n, packing): (usize, Packing),
    (spill, arith, on_disk): (&'s dyn Spill, Arith<'_>, bool),
    in_memory: impl FnOnce() -> Vec<Vec<u64>>,
) -> Vec<Spilled<'s>> {
    // Folded lengths would take products of the tops: the unfolded one.
    let longest = lens.iter().copied().max().unwrap_or(0);
    let t = on_disk
        .then(|| Transformer::<F>::new(prime, (n.max(transform_length(longest)), packing), arith));
    if let Some(t) = t.filter(Transformer::windowed) {
        let files = on_disk::sum_convolutions(&t, operands, sums, spill);
        return files
            .into_iter()
            .zip(lens)
            .map(|(file, &len)| file.shortened(len))
            .collect();
    }
    in_memory()
        .into_iter()
        .map(|residues| {
            let spilled = Spilled::write(spill, &residues);
            arith.transforms().recycle(residues);
            spilled
        })
        .collect()
}

/// Products and sums of products from this many limbs save memory at some
/// cost in time: products one prime at a time, sums one at a time.
const LOW_MEMORY_MIN: usize = 1 << 22;

/// [`product`] over the fastest field on this processor.
fn planned(a: &[u64], b: Option<&[u64]>, drop: usize, arith: Arith<'_>) -> Vec<u64> {
    with_field!(F => product::<F>(a, b, drop, arith))
}

#[cfg(test)]
mod tests {
    use super::packing::Packing;
    use super::plan::{full_length_in, primes_needed};
    use super::*;

    /// `(2^(64·x) - 1)·(2^(64·y) - 1)` in limbs: the largest coefficients.
    fn all_ones_product(x: usize, y: usize) -> Vec<u64> {
        use crate::natural::Natural;
        let one = Natural::from(1u64);
        let power = |n: usize| &one << (64 * n as u64);
        let total = &(&(&power(x + y) - &power(x)) - &power(y)) + &one;
        let mut limbs = total.limbs().to_vec();
        limbs.resize(x + y, 0);
        limbs
    }

    /// Products and sums of products whose residues wait in spill files
    /// equal those kept in memory, every residue written once and read
    /// back once (but those of coefficients past the end, which are zero);
    /// shorter ones do not spill.
    #[test]
    fn spilled_residues_give_the_same_products() {
        use spill::tests::TestSpill;
        use std::sync::atomic::Ordering;
        let limbs = crate::natural::lcg_limbs;
        for (la, lb) in [
            (3000usize, 2000usize),
            (40_000, 39_999),
            (1 << 21, (1 << 21) + 5),
        ] {
            let (a, b) = (limbs(la, 7), limbs(lb, 8));
            let spill = TestSpill::new(la + lb);
            let spilling = Arith::shared().spilling(&spill);
            assert_eq!(
                mul(&a, &b, spilling),
                mul(&a, &b, Arith::shared()),
                "{la} x {lb}"
            );
            // Read back, but for coefficients past the product's end
            // (zero), where each prime's residues take one file; the
            // longest product's transforms wait on disk (three files a
            // prime), read and written several times.
            let (written, read) = (
                spill.written.load(Ordering::Relaxed),
                spill.read.load(Ordering::Relaxed),
            );
            let on_disk = spill.files.load(Ordering::Relaxed) > 4;
            assert!(on_disk || la < 1 << 20, "{la} x {lb}");
            assert!(
                read > 0 && written >= read && (on_disk || written - read < 64),
                "{la} x {lb}"
            );
            let sums: [&[(usize, usize)]; 2] = [&[(0, 1), (1, 1)], &[(0, 0)]];
            assert_eq!(
                sums_of_products(
                    &[Source::Memory(&a), Source::Memory(&b)],
                    &sums,
                    0,
                    spilling
                ),
                sums_of_products(
                    &[Source::Memory(&a), Source::Memory(&b)],
                    &sums,
                    0,
                    Arith::shared()
                ),
                "{la} x {lb}"
            );
            // Below the spill's threshold, nothing is written.
            let before = spill.written.load(Ordering::Relaxed);
            let short = &b[..lb / 3];
            assert_eq!(
                mul(short, short, spilling),
                mul(short, short, Arith::shared())
            );
            assert_eq!(spill.written.load(Ordering::Relaxed), before);
        }
    }

    /// A cache held to a small budget keeps short tables (those of
    /// transforms up to 2048 values, radix-3 constants up to 762) and few
    /// buffers: longer transforms generate their twiddles and constants as
    /// they go, and give the same products, squares and sums.
    #[test]
    fn a_cache_within_a_small_budget_gives_the_same_products() {
        let small = Cache::within(1 << 20);
        let (within, shared) = (Arith::shared().caching(&small), Arith::shared());
        let limbs = crate::natural::lcg_limbs;
        for (la, lb) in [
            (300, 200),
            (3000, 2000),
            (40_000, 39_999),
            (100_000, 70_001),
        ] {
            let (a, b) = (limbs(la, 3), limbs(lb, 4));
            assert_eq!(mul(&a, &b, within), mul(&a, &b, shared), "{la} x {lb}");
            assert_eq!(mul(&a, &a, within), mul(&a, &a, shared), "{la}");
            let sums: [&[(usize, usize)]; 2] = [&[(0, 1), (1, 1)], &[(0, 0)]];
            assert_eq!(
                sums_of_products(&[Source::Memory(&a), Source::Memory(&b)], &sums, 0, within),
                sums_of_products(&[Source::Memory(&a), Source::Memory(&b)], &sums, 0, shared),
                "{la} x {lb}"
            );
        }
    }

    /// Products, squares, wrapped products and sums whose transforms wait
    /// on disk (see `on_disk.rs`), of lengths `2^16` and `3·2^16`, folded
    /// lengths asked for, every packing, in the chosen family's field (the
    /// test command runs it once per family), against the same in memory.
    #[test]
    fn transforms_on_disk() {
        use std::sync::atomic::Ordering;
        fn check<F: Field>(x: &[u64], y: &[u64], (plan, n): (Plan, usize)) {
            let spill = spill::tests::TestSpill::new(1);
            let (disk, memory) = (Arith::shared().spilling(&spill), Arith::shared());
            let label = (x.len(), y.len(), plan, n);
            let files = || spill.files.swap(0, Ordering::Relaxed) as usize;
            let c = plan.packing.coefficients(x.len()) + plan.packing.coefficients(y.len());
            let len = x.len() + y.len();
            for b in [Some(y), None] {
                let c = if b.is_some() {
                    c
                } else {
                    2 * plan.packing.coefficients(x.len())
                };
                let len = if b.is_some() { len } else { 2 * x.len() };
                assert_eq!(
                    convolved::<F>(x, b, plan, (n, c), (len, 0), disk),
                    convolved::<F>(x, b, plan, (n, c), (len, 0), memory),
                    "{label:?}"
                );
                // Each prime: its operands' transforms and their product's.
                assert_eq!(
                    files(),
                    (2 + usize::from(b.is_some())) * plan.primes,
                    "{label:?}"
                );
            }
            let wrapped = planned_wrapped::<F>(x, Some(y), 0, plan, disk);
            assert_eq!(
                wrapped,
                planned_wrapped::<F>(x, Some(y), 0, plan, memory),
                "{label:?}"
            );
            assert!(files() > 0);
            // x·y + y², x² and y·x.
            let sums: [&[(usize, usize)]; 3] = [&[(0, 1), (1, 1)], &[(0, 0)], &[(1, 0)]];
            assert_eq!(
                sums_by::<F>(
                    &[Source::Memory(x), Source::Memory(y)],
                    &sums,
                    (plan, n, 0),
                    disk
                ),
                sums_by::<F>(
                    &[Source::Memory(x), Source::Memory(y)],
                    &sums,
                    (plan, n, 0),
                    memory
                ),
                "{label:?}"
            );
            assert_eq!(files(), 5 * plan.primes, "{label:?}");
            // x·y and y²: x used once (written after its first pass), y
            // twice (written whole).
            let sums: [&[(usize, usize)]; 2] = [&[(0, 1)], &[(1, 1)]];
            let operands = [Source::Memory(x), Source::Memory(y)];
            assert_eq!(
                sums_by::<F>(&operands, &sums, (plan, n, 0), disk),
                sums_by::<F>(&operands, &sums, (plan, n, 0), memory),
                "{label:?}"
            );
            assert_eq!(files(), 4 * plan.primes, "{label:?}");
            assert!(spill.read.load(Ordering::Relaxed) > 0);
        }
        let plans = [
            Plan {
                packing: Packing::LIMBS,
                primes: 3,
            },
            Plan {
                packing: Packing::BALANCED,
                primes: plan::BALANCED_PRIMES,
            },
            Plan {
                packing: Packing::wide(88),
                primes: 4,
            },
        ];
        for plan in plans {
            if with_field!(F => F::PRIMES.len()) < plan.primes {
                continue;
            }
            // Transforms of 2^16 and 3·2^16 values: filled to their end,
            // to less than half (operands of unequal lengths), and past
            // it by a little (a folded length asked for, which the disk's
            // transforms do not take).
            let limbs_of = |c: usize| (c * plan.packing.bits() as usize).div_ceil(64);
            for (n, ca, cb) in [
                (1 << 16, 1 << 15, 1 << 15),
                (1 << 16, 20_000, 9_000),
                (3 << 16, 3 << 15, (3 << 15) - 100),
                (3 << 16, (3 << 15) + 2000, 3 << 15),
            ] {
                let x = crate::natural::lcg_limbs(limbs_of(ca), 3);
                let y = balanced_edge_limbs(limbs_of(cb), 4);
                with_field!(F => check::<F>(&x, &y, (plan, n)));
            }
        }
    }

    /// Sums and products without their lowest limbs, dropped at and
    /// around the recombination's chunk boundaries, every packing, in
    /// memory and on disk, in the chosen family's field: the same limbs as
    /// the whole ones have from there.
    #[test]
    fn without_their_lowest_limbs() {
        fn check<F: Field>(x: &[u64], y: &[u64], plan: Plan) {
            let spill = spill::tests::TestSpill::new(1);
            let sums: [&[(usize, usize)]; 2] = [&[(0, 1), (1, 1)], &[(0, 0)]];
            let n = transform_length(
                sums.iter()
                    .map(|pairs| sum_coefficients(plan.packing, &[x.len(), y.len()], pairs))
                    .max()
                    .unwrap_or(0),
            );
            let whole = sums_by::<F>(
                &[Source::Memory(x), Source::Memory(y)],
                &sums,
                (plan, n, 0),
                Arith::shared(),
            );
            let product = planned_product::<F>(x, Some(y), (plan, 0), Arith::shared());
            let len = whole[0].len();
            for drop in [1, 8191, 8192, 8193, 11264, 11265, 30_000, len - 3, len] {
                for arith in [Arith::shared(), Arith::shared().spilling(&spill)] {
                    let got = sums_by::<F>(
                        &[Source::Memory(x), Source::Memory(y)],
                        &sums,
                        (plan, n, drop),
                        arith,
                    );
                    for (got, whole) in got.iter().zip(&whole) {
                        assert_eq!(got[..], whole[drop.min(whole.len())..], "{plan:?} {drop}");
                    }
                    let got = planned_product::<F>(x, Some(y), (plan, drop), arith);
                    assert_eq!(
                        got[..],
                        product[drop.min(product.len())..],
                        "{plan:?} {drop}"
                    );
                }
            }
        }
        for (packing, primes) in [
            (Packing::LIMBS, 3),
            (Packing::BALANCED, plan::BALANCED_PRIMES),
            (Packing::wide(88), 4),
        ] {
            if with_field!(F => F::PRIMES.len()) < primes {
                continue;
            }
            let (x, y) = (
                balanced_edge_limbs(30_000, 5),
                balanced_edge_limbs(28_000, 6),
            );
            with_field!(F => check::<F>(&x, &y, Plan { packing, primes }));
            // Products with long runs of zero and all-ones limbs: carries
            // that cross whole chunks.
            let (x, y) = (vec![u64::MAX; 30_000], vec![u64::MAX; 28_000]);
            with_field!(F => check::<F>(&x, &y, Plan { packing, primes }));
        }
    }

    /// Products whose transforms have length `3·2^k` and `2^k`, at the
    /// edges of each, against schoolbook, for both fields.
    #[test]
    fn radix3_and_power_of_two_lengths() {
        let limbs = crate::natural::lcg_limbs;
        for len in [
            129usize, 192, 193, 256, 257, 384, 385, 1536, 1537, 2048, 6000,
        ] {
            let n = transform_length(len);
            assert!(n >= len && n < 2 * len.max(64) + 1);
            let (x, y) = (limbs(len / 2, 3), limbs(len - len / 2, 5));
            let reference = super::super::schoolbook::mul(&x, &y);
            assert_eq!(
                product::<Montgomery52>(&x, Some(&y), 0, Arith::shared()),
                reference,
                "{len}"
            );
            assert_eq!(
                product::<Montgomery64>(&x, Some(&y), 0, Arith::shared()),
                reference,
                "{len}"
            );
            assert_eq!(
                product::<Double50<4>>(&x, Some(&y), 0, Arith::shared()),
                reference,
                "{len}"
            );
            assert_eq!(
                product::<Double50<8>>(&x, Some(&y), 0, Arith::shared()),
                reference,
                "{len}"
            );
            let square = super::super::schoolbook::mul(&x, &x);
            assert_eq!(
                product::<Montgomery52>(&x, None, 0, Arith::shared()),
                square,
                "{len}"
            );
            assert_eq!(
                product::<Double50<4>>(&x, None, 0, Arith::shared()),
                square,
                "{len}"
            );
            assert_eq!(
                product::<Double50<8>>(&x, None, 0, Arith::shared()),
                square,
                "{len}"
            );
        }
        assert_eq!(transform_length(385), 512);
        assert_eq!(transform_length(384), 384);
        assert_eq!(transform_length(1537), 2048);
    }

    /// Products of wide coefficients (four primes for `Montgomery52`, three
    /// for `Montgomery64`, where they suffice) at transform lengths `2^k`
    /// and `3·2^k` and at operand lengths of every remainder modulo a
    /// group's limbs, against schoolbook, with the largest coefficients
    /// among them.
    #[test]
    fn wide_products() {
        let limbs = |n: usize, seed: u64| -> Vec<u64> {
            let random = crate::natural::lcg_limbs(n, seed);
            (random.into_iter().enumerate())
                .map(|(i, x)| if i % 7 < 2 { u64::MAX } else { x })
                .collect()
        };
        fn check<F: Field>(x: &[u64], y: &[u64], plan: Plan) {
            let bound = x.len().min(y.len());
            if primes_needed::<F>(plan.packing, bound).is_none_or(|primes| primes > plan.primes) {
                return;
            }
            let reference = super::super::schoolbook::mul(x, y);
            let got = planned_product::<F>(x, Some(y), (plan, 0), Arith::shared());
            assert_eq!(got, reference, "{plan:?}: {}x{}", x.len(), y.len());
            let square = super::super::schoolbook::mul(x, x);
            assert_eq!(
                planned_product::<F>(x, None, (plan, 0), Arith::shared()),
                square,
                "{plan:?}: {}",
                x.len()
            );
        }
        for bits in packing::WIDE_BITS {
            let plan = |primes| Plan {
                packing: Packing::wide(bits),
                primes,
            };
            // Every remainder modulo a group's limbs (at most 43).
            let mut pairs: Vec<(usize, usize)> = (1..=44).map(|n| (n, n + 1)).collect();
            pairs.extend([(64, 61), (200, 158), (1001, 999), (3000, 2048)]);
            for (la, lb) in pairs {
                let (x, y) = (limbs(la, 3), limbs(lb, 5));
                check::<Montgomery52>(&x, &y, plan(4));
                check::<Double50<4>>(&x, &y, plan(4));
                check::<Double50<8>>(&x, &y, plan(4));
                check::<Montgomery64>(&x, &y, plan(3));
            }
            let all_ones = all_ones_product(20_000, 20_000);
            let ones = [u64::MAX; 20_000];
            assert_eq!(
                planned_product::<Montgomery52>(&ones, None, (plan(4), 0), Arith::shared()),
                all_ones
            );
            assert_eq!(
                planned_product::<Double50<4>>(&ones, None, (plan(4), 0), Arith::shared()),
                all_ones
            );
            assert_eq!(
                planned_product::<Double50<8>>(&ones, None, (plan(4), 0), Arith::shared()),
                all_ones
            );
        }
    }

    /// 88-bit coefficients at the largest operands three primes of
    /// `Montgomery64` allow them, with the largest coefficients.
    #[test]
    fn wide_products_at_their_limit() {
        let packing = Packing::wide(packing::WIDE_BITS[0]);
        let limit = (1..1usize << 16)
            .take_while(|&n| primes_needed::<Montgomery64>(packing, n).is_some_and(|p| p <= 3))
            .last()
            .unwrap_or(1);
        assert!(limit > 100, "{limit}");
        let plan = Plan { packing, primes: 3 };
        for shorter in [limit - 1, limit] {
            let a = vec![u64::MAX; shorter];
            let longer = vec![u64::MAX; 3 * shorter + 7];
            assert_eq!(
                planned_product::<Montgomery64>(&a, None, (plan, 0), Arith::shared()),
                all_ones_product(shorter, shorter)
            );
            assert_eq!(
                planned_product::<Montgomery64>(&longer, Some(&a), (plan, 0), Arith::shared()),
                all_ones_product(3 * shorter + 7, shorter)
            );
        }
    }

    /// Products, squares and sums of products a little longer than a
    /// transform length, by the shorter length (their wrapped coefficients
    /// from products of the tops, see `convolution.rs`; forced, whatever
    /// the planner would choose at these sizes), for every packing, with
    /// the largest coefficients among them, against schoolbook, in every
    /// field.
    #[test]
    fn folded_products() {
        fn check<F: Field>(x: &[u64], y: &[u64], plan: Plan) {
            // Sums of two products: twice the terms of one.
            let bound = 2 * x.len().min(y.len());
            if primes_needed::<F>(plan.packing, bound).is_none_or(|p| p > plan.primes) {
                return;
            }
            let shared = Arith::shared();
            let label = (x.len(), y.len(), plan);
            let coefficients = |a: &[u64], b: &[u64]| {
                plan.packing.coefficients(a.len()) + plan.packing.coefficients(b.len())
            };
            // The longest length below: the products overflow it.
            let folded = |c: usize| {
                let n = plan::transform_length_below(c);
                assert!(n + 1 < c, "{label:?}: {n} of {c}");
                n
            };
            let product = super::super::schoolbook::mul(x, y);
            let c = coefficients(x, y);
            let got = convolved::<F>(x, Some(y), plan, (folded(c), c), (product.len(), 0), shared);
            assert_eq!(got, product, "{label:?}");
            let square = super::super::schoolbook::mul(y, y);
            let c = coefficients(y, y);
            let got = convolved::<F>(y, None, plan, (folded(c), c), (square.len(), 0), shared);
            assert_eq!(got, square, "{label:?}");
            // x·y + y² (two products that wrap), and x·y.
            let sums: [&[(usize, usize)]; 2] = [&[(0, 1), (1, 1)], &[(0, 1)]];
            let n = folded(coefficients(x, y).max(coefficients(y, y)));
            let got = sums_by::<F>(
                &[Source::Memory(x), Source::Memory(y)],
                &sums,
                (plan, n, 0),
                shared,
            );
            let mut sum = vec![0; sum_length(&[x.len(), y.len()], sums[0])];
            crate::natural::limbs::add_in_place(&mut sum, &product);
            crate::natural::limbs::add_in_place(&mut sum, &square);
            assert_eq!(got[0], sum, "{label:?}");
            assert_eq!(got[1][..product.len()], product[..], "{label:?}");
        }
        let limbs = |n: usize, seed: u64| -> Vec<u64> {
            (balanced_edge_limbs(n, seed).into_iter().enumerate())
                .map(|(i, x)| if i % 5 < 2 { u64::MAX } else { x })
                .collect()
        };
        let packings = [
            Packing::LIMBS,
            Packing::BALANCED,
            Packing::wide(88),
            Packing::wide(86),
        ];
        for packing in packings {
            let primes = 4 - usize::from(packing.is_limbs());
            let plan = |primes| Plan { packing, primes };
            // Coefficients a sixteenth past 2^13, 3·2^12 and 2^14, split
            // evenly and not.
            for (m, skew) in [(1usize << 13, 0usize), (3 << 12, 7), (1 << 14, 100)] {
                let coefficients = m + m / 16;
                let limbs_of = |c: usize| (c * packing.bits() as usize).div_ceil(64);
                let (la, lb) = (
                    limbs_of(coefficients / 2 + skew),
                    limbs_of(coefficients / 2 - skew),
                );
                let (x, y) = (limbs(la, 1), limbs(lb, 2));
                check::<Montgomery52>(&x, &y, plan(primes));
                check::<Double50<4>>(&x, &y, plan(primes));
                check::<Double50<8>>(&x, &y, plan(primes));
                check::<Montgomery64>(&x, &y, plan(3));
            }
        }
        // Two or three coefficients past 2^13: tops of one coefficient.
        for (la, lb) in [(4097, 4097), (4097, 4098), (4096, 4098)] {
            let (x, y) = (limbs(la, 3), limbs(lb, 4));
            let plan = Plan {
                packing: Packing::LIMBS,
                primes: 3,
            };
            check::<Montgomery52>(&x, &y, plan);
            check::<Double50<4>>(&x, &y, plan);
            check::<Montgomery64>(&x, &y, plan);
        }
    }

    /// The planner folds long products a little past a transform length,
    /// not short ones, nor those well past it, nor those with an operand
    /// longer than the shorter length.
    #[test]
    fn folds_where_it_pays() {
        let m = 1 << 20;
        assert_eq!(plan::folded_length(m + m / 16, m / 2, (3, 1)), m);
        assert_eq!(plan::folded_length(m + m / 16, m / 2, (7, 4)), m);
        let well_past = m + m / 4;
        let fold = plan::folded_length(well_past, m / 2, (3, 1));
        assert_eq!(fold, transform_length(well_past));
        assert_eq!(
            plan::folded_length(m + 9, m + 2, (3, 1)),
            transform_length(m + 9)
        );
        assert_eq!(
            plan::folded_length(1100, 550, (3, 1)),
            transform_length(1100)
        );
    }

    /// Limbs whose balanced digits reach their bounds: random ones among
    /// runs of `2^63` (digits near `-2^63`), `2^63 - 1` (`2^63` after a
    /// carry), all ones and zeros.
    fn balanced_edge_limbs(n: usize, seed: u64) -> Vec<u64> {
        let edges = [1 << 63, (1 << 63) - 1, u64::MAX, 0];
        (crate::natural::lcg_limbs(n, seed).into_iter())
            .map(|x| edges.get((x >> 59) as usize % 8).copied().unwrap_or(x))
            .collect()
    }

    /// Products, squares, wrapped products and sums of products of
    /// balanced limbs, the plan forced, at lengths of every remainder
    /// modulo the vectors' widths and with the largest coefficients of
    /// either sign, against schoolbook, in every field.
    #[test]
    fn balanced_limbs() {
        use crate::natural::Natural;
        const PLAN: Plan = Plan {
            packing: Packing::BALANCED,
            primes: plan::BALANCED_PRIMES,
        };
        fn check<F: Field>(x: &[u64], y: &[u64]) {
            let (shared, label) = (Arith::shared(), (x.len(), y.len()));
            let product = super::super::schoolbook::mul(x, y);
            let square = super::super::schoolbook::mul(x, x);
            assert_eq!(
                planned_product::<F>(x, Some(y), (PLAN, 0), shared),
                product,
                "{label:?}"
            );
            assert_eq!(
                planned_product::<F>(x, None, (PLAN, 0), shared),
                square,
                "{label:?}"
            );
            // Wrapped, modulo 2^m - 1.
            let (wrapped, m) = planned_wrapped::<F>(x, Some(y), 0, PLAN, shared);
            let modulus = &(&Natural::from(1u64) << m) - &Natural::from(1u64);
            let residue = |x: Vec<u64>| Natural::from_limbs(x).div_rem(&modulus).map(|(_, r)| r);
            assert_eq!(residue(wrapped), residue(product.clone()), "{label:?}");
            // x·y + y², and x².
            let sums: [&[(usize, usize)]; 2] = [&[(0, 1), (1, 1)], &[(0, 0)]];
            let got = planned_sums::<F>(
                &[Source::Memory(x), Source::Memory(y)],
                &sums,
                (PLAN, 0),
                shared,
            );
            let mut sum = vec![0; sum_length(&[x.len(), y.len()], sums[0])];
            crate::natural::limbs::add_in_place(&mut sum, &product);
            crate::natural::limbs::add_in_place(&mut sum, &super::super::schoolbook::mul(y, y));
            assert_eq!(got[0], sum, "{label:?}");
            assert_eq!(got[1][..square.len()], square[..], "{label:?}");
        }
        let mut pairs: Vec<(usize, usize)> = (1..=20).map(|n| (n, n + 3)).collect();
        pairs.extend([(64, 61), (200, 158), (1001, 999), (3000, 2048)]);
        for (la, lb) in pairs {
            let (x, y) = (balanced_edge_limbs(la, 3), balanced_edge_limbs(lb, 5));
            check::<Montgomery52>(&x, &y);
            check::<Double50<4>>(&x, &y);
            check::<Double50<8>>(&x, &y);
            check::<Montgomery64>(&x, &y);
        }
        // Digits all near -2^63 (x) and near 2^63 - 1 (y): the largest
        // coefficients of each sign.
        let (x, y) = (vec![1 << 63; 3000], vec![(1 << 63) - 1; 2999]);
        check::<Montgomery52>(&x, &y);
        check::<Double50<4>>(&x, &y);
        check::<Double50<8>>(&x, &y);
        // Long enough to be recombined in chunks, whose carries may be
        // below zero; in the chosen family's field, in memory and spilled.
        let (x, y) = (
            balanced_edge_limbs(20_000, 7),
            balanced_edge_limbs(17_000, 8),
        );
        with_field!(F => check::<F>(&x, &y));
        let spill = spill::tests::TestSpill::new(30_000);
        let spilling = Arith::shared().spilling(&spill);
        with_field!(F => assert_eq!(
            planned_product::<F>(&x, Some(&y), (PLAN, 0), spilling),
            super::super::schoolbook::mul(&x, &y)
        ));
        assert!(spill.read.load(std::sync::atomic::Ordering::Relaxed) > 0);
    }

    /// Products of balanced limbs at the longest operands three primes
    /// serve, with the largest coefficients of each sign, in the chosen
    /// family's field, against four primes (the test command runs it once
    /// per family).
    #[test]
    fn balanced_limbs_at_their_limit() {
        fn check<F: Field>() {
            if F::PRIMES.len() < 4 {
                // The portable field's three primes serve plain limbs.
                return;
            }
            let limit = (1..1usize << 24)
                .rev()
                .step_by(1 << 10)
                .find(|&n| primes_needed::<F>(Packing::BALANCED, n) == Some(3))
                .unwrap_or(1);
            let limit = (limit..limit + (1 << 10))
                .take_while(|&n| primes_needed::<F>(Packing::BALANCED, n) == Some(3))
                .last()
                .unwrap_or(limit);
            assert!(limit > 6 << 20, "{limit}");
            assert!(primes_needed::<F>(Packing::LIMBS, limit) == Some(4));
            let balanced = Plan {
                packing: Packing::BALANCED,
                primes: 3,
            };
            let four = Plan {
                packing: Packing::LIMBS,
                primes: 4,
            };
            let (x, y) = (vec![1 << 63; limit], vec![(1 << 63) - 1; limit + 9]);
            let shared = Arith::shared();
            for (a, b) in [(&x, Some(&y[..])), (&x, None), (&y, Some(&x[..]))] {
                assert_eq!(
                    planned_product::<F>(a, b, (balanced, 0), shared),
                    planned_product::<F>(a, b, (four, 0), shared),
                );
            }
        }
        with_field!(F => check::<F>());
    }

    /// Sums of products through `Montgomery64`, whose plan packs wide
    /// coefficients, against schoolbook.
    #[test]
    fn wide_sums() {
        assert!(!Plan::new::<Montgomery64>(1000).packing.is_limbs());
        let operands: Vec<Vec<u64>> = [300usize, 301, 302, 303, 4]
            .iter()
            .map(|&n| (0..n as u64).map(|i| u64::MAX - i * i).collect())
            .collect();
        let operands: Vec<&[u64]> = operands.iter().map(Vec::as_slice).collect();
        let sums: &[&[(usize, usize)]] = &[&[(0, 1), (2, 3), (4, 4)], &[(1, 1)]];
        let sources: Vec<Source<'_>> = operands.iter().map(|&x| Source::Memory(x)).collect();
        let got = summed::<Montgomery64>(&sources, sums, 0, Arith::shared());
        let lens: Vec<usize> = operands.iter().map(|x| x.len()).collect();
        for (pairs, got) in sums.iter().zip(got) {
            let mut expected = vec![0u64; sum_length(&lens, pairs)];
            for &(i, j) in pairs.iter() {
                let product = super::super::schoolbook::mul(operands[i], operands[j]);
                crate::natural::limbs::add_in_place(&mut expected, &product);
            }
            assert_eq!(got, expected, "{pairs:?}");
        }
    }

    /// Products at the largest operands each prime count allows, with the
    /// largest coefficients, for both fields.
    #[test]
    fn prime_counts_hold_at_their_limits() {
        let limit = (1..1usize << 23)
            .find(|&n| primes_needed::<Montgomery52>(Packing::LIMBS, n) > Some(3))
            .unwrap_or(1);
        assert!(limit > 1 << 20, "three primes serve up to {limit} limbs");
        fn check<F: Field>(shorter: usize) {
            let a = vec![u64::MAX; shorter];
            let longer = vec![u64::MAX; shorter + 5];
            assert_eq!(
                product::<F>(&a, None, 0, Arith::shared()),
                all_ones_product(shorter, shorter)
            );
            assert_eq!(
                product::<F>(&longer, Some(&a), 0, Arith::shared()),
                all_ones_product(shorter + 5, shorter)
            );
        }
        for shorter in [limit - 1, limit] {
            check::<Montgomery52>(shorter);
            check::<Double50<4>>(shorter);
            check::<Double50<8>>(shorter);
        }
    }

    /// Both fields, whatever the processor, against each other and the planner.
    #[test]
    fn full_lengths_fill_their_transforms() {
        fn check<F: Field>() {
            // The transform of a sum of two products of halves of `limbs`.
            let transform = |limbs: usize| {
                let packing = Plan::new::<F>(limbs).packing;
                let half = limbs / 2;
                transform_length(packing.coefficients(half) + packing.coefficients(limbs - half))
            };
            for limbs in [
                200, 1000, 4095, 5000, 100_000, 3_000_000, 17_000_000, 18_000_000, 20_000_000,
            ] {
                let full = full_length_in::<F>(limbs);
                assert!(full <= limbs && 3 * full >= 2 * limbs, "{limbs}: {full}");
                assert!(transform(full) < transform(full + 8), "{limbs}: {full}");
            }
        }
        check::<Montgomery52>();
        check::<Double50<4>>();
        check::<Montgomery64>();
    }

    #[test]
    fn wrapped_products_agree_with_products() {
        use crate::natural::Natural;
        fn check<F: Field>(a: &[u64], b: &[u64], bits: u64) {
            let (x, m) = wrapped_in::<F>(a, Some(b), bits, Arith::shared());
            assert!(m >= bits && m % 64 == 0 && m >= 64 * a.len().max(b.len()) as u64);
            let modulus = &(&Natural::from(1u64) << m) - &Natural::from(1u64);
            let residue = |x: Vec<u64>| Natural::from_limbs(x).div_rem(&modulus).map(|(_, r)| r);
            let product = super::super::schoolbook::mul(a, b);
            assert_eq!(
                residue(x),
                residue(product),
                "{} x {}, {bits}",
                a.len(),
                b.len()
            );
        }
        for &(la, lb, bits) in &[
            (100usize, 100usize, 0u64),
            (700, 300, 64 * 800),
            (3000, 1000, 64 * 3000),
            (5000, 5000, 64 * 7000),
        ] {
            // All-ones limbs: the largest coefficients.
            let a = vec![u64::MAX; la];
            let b: Vec<u64> = (crate::natural::lcg_limbs(lb, 3).into_iter())
                .map(|x| x | 1 << 63)
                .collect();
            check::<Montgomery52>(&a, &b, bits);
            check::<Double50<4>>(&a, &b, bits);
            check::<Double50<8>>(&a, &b, bits);
            check::<Montgomery64>(&a, &b, bits);
            let (square, _) = wrapped_in::<Montgomery52>(&b, None, bits, Arith::shared());
            assert_eq!(
                square,
                wrapped_in::<Montgomery52>(&b, Some(&b), bits, Arith::shared()).0
            );
        }
    }

    /// `x mod (2^61 - 1)` for the limbs `x`.
    fn modulo_mersenne61(x: &[u64]) -> u64 {
        const M: u64 = (1 << 61) - 1;
        let fold = |v: u128| {
            let v = (v & M as u128) + (v >> 61);
            let v = (v & M as u128) + (v >> 61);
            v as u64
        };
        // 2^64 = 2^3 modulo M.
        let r = (x.iter().rev()).fold(0u64, |acc, &l| fold(((acc as u128) << 3) + l as u128));
        if r >= M {
            r - M
        } else {
            r
        }
    }

    /// Products whose transforms are long (several passes over memory,
    /// twiddles generated rather than stored, a radix-3 step, thirds of
    /// zeros), in the chosen family's field, against their residues modulo
    /// 2^61 - 1 (the test command runs it once per family).
    #[test]
    fn long_transforms_agree_with_residues() {
        fn check<F: Field>(n: usize) {
            // The longest equal operands whose product has length n.
            let coefficients = |l: usize| Plan::new::<F>(l).packing.coefficients(l);
            let (mut lo, mut hi) = (1usize, n);
            while lo < hi {
                let mid = (lo + hi).div_ceil(2);
                if 2 * coefficients(mid) <= n {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            assert_eq!(transform_length(2 * coefficients(lo)), n);
            let (a, b) = (
                crate::natural::lcg_limbs(lo, 11),
                crate::natural::lcg_limbs(lo, 12),
            );
            let m = (1u128 << 61) - 1;
            // Equal operands, and a short one beside a long one (whose
            // transform's last thirds are mostly zeros).
            for a in [&a[..], &a[..lo / 5]] {
                let x = product::<F>(a, Some(&b), 0, Arith::shared());
                let expected = modulo_mersenne61(a) as u128 * modulo_mersenne61(&b) as u128 % m;
                assert_eq!(modulo_mersenne61(&x) as u128, expected, "{n}: {lo} limbs");
            }
        }
        for n in [1 << 17, 3 << 21, 1 << 23] {
            with_field!(F => check::<F>(n));
        }
    }

    #[test]
    fn both_fields_agree() {
        for &(la, lb) in &[
            (1usize, 1usize),
            (3, 2),
            (700, 300),
            (2048, 2048),
            (9000, 12_000),
        ] {
            let a = crate::natural::lcg_limbs(la, 1);
            let b = crate::natural::lcg_limbs(lb, 2);
            let x = product::<Montgomery64>(&a, Some(&b), 0, Arith::shared());
            assert_eq!(
                product::<Montgomery52>(&a, Some(&b), 0, Arith::shared()),
                x,
                "{la}x{lb}"
            );
            assert_eq!(
                product::<Double50<4>>(&a, Some(&b), 0, Arith::shared()),
                x,
                "{la}x{lb}"
            );
            assert_eq!(
                product::<Double50<8>>(&a, Some(&b), 0, Arith::shared()),
                x,
                "{la}x{lb}"
            );
            assert_eq!(mul(&a, &b, Arith::shared()), x);
            assert_eq!(
                product::<Montgomery52>(&a, None, 0, Arith::shared()),
                product::<Montgomery64>(&a, None, 0, Arith::shared())
            );
        }
    }
}
