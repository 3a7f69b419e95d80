//! Hexadecimal digits of π at any position, without the digits before it,
//! by Bellard's BBP-type formula:
//!
//! `π = 2^-6 Σ (-1)^n / 2^(10n) · (-2^5/(4n+1) - 1/(4n+3) + 2^8/(10n+1)
//!      - 2^6/(10n+3) - 2^2/(10n+5) - 2^2/(10n+7) + 1/(10n+9))`.
//!
//! The fractional part of `2^s·π`, with `s = 4·(position - 1)`, is summed
//! in fixed point modulo 1 from the terms `frac(2^e / m) = (2^e mod m) / m`,
//! each truncated, so the sum is within a known number of units of the
//! truth; digits are returned only when that bound cannot change them.

use rayon::prelude::*;

use std::ops::Range;

use crate::monitor::Monitor;
use crate::natural::limbs::{add_in_place, inverse_mod_2_64, montgomery_mul, sub_in_place};
use crate::natural::radix::HEX_DIGITS;
use crate::simd::widest;

/// `(a, negative, k, c)` for each of the seven sub-terms of term `n`:
/// `∓2^a / (k·n + c)`.
const SUBTERMS: [(u32, bool, u64, u64); 7] = [
    (5, true, 4, 1),
    (0, true, 4, 3),
    (8, false, 10, 1),
    (6, true, 10, 3),
    (2, true, 10, 5),
    (2, true, 10, 7),
    (0, false, 10, 9),
];

/// Terms `n` per parallel task.
const CHUNK_TERMS: u64 = 1 << 12;
/// Tasks per parallel batch: after a cancellation, the rest of a batch is
/// skipped in microseconds.
const BATCH_CHUNKS: usize = 1 << 16;

/// Arithmetic modulo an odd `m < 2^63` in Montgomery form, `R = 2^64`.
#[derive(Clone, Copy)]
struct Modulus {
    m: u64,
    /// `m^-1 mod 2^64`.
    inverse: u64,
}

impl Modulus {
    fn new(m: u64) -> Modulus {
        Modulus {
            m,
            inverse: inverse_mod_2_64(m),
        }
    }

    /// `a·b/R mod m` for `a, b < m`.
    fn mul(self, a: u64, b: u64) -> u64 {
        montgomery_mul(a, b, self.m, self.inverse)
    }

    /// `2^a mod m` for `a < 64`.
    fn pow2_small(self, a: u32) -> u64 {
        (1u64 << a) % self.m
    }

    /// `R mod m`, the Montgomery form of 1.
    fn one(self) -> u64 {
        ((1u128 << 64) % u128::from(self.m)) as u64
    }
}

/// `2^e mod m_j` for every sub-term modulus, `e >= 0`, in lockstep: the
/// seven exponentiations share their exponent's bits.
fn pow2_mod(e: u64, moduli: &[Modulus; 7]) -> [u64; 7] {
    let mut x: [u64; 7] = std::array::from_fn(|j| moduli[j].one());
    for bit in (0..u64::BITS - e.leading_zeros()).rev() {
        for (x, md) in x.iter_mut().zip(moduli) {
            *x = md.mul(*x, *x);
        }
        if e >> bit & 1 == 1 {
            for (x, md) in x.iter_mut().zip(moduli) {
                let doubled = *x << 1;
                *x = if doubled >= md.m {
                    doubled - md.m
                } else {
                    doubled
                };
            }
        }
    }
    x
}

/// Terms `n` summed together by [`block_sum`], in lockstep.
const BLOCK_TERMS: u64 = 4;
/// Lanes of a block: eight per term (seven sub-terms and a blank).
const LANES: usize = 8 * BLOCK_TERMS as usize;

/// Adds to `sum` the terms `n0..n0 + BLOCK_TERMS`, for `s >= 10·n0 + 36`
/// and all moduli below 2^32: 32-bit Montgomery arithmetic (`R = 2^32`) on
/// 64-bit lanes, which compilers vectorize, with one exponent for all lanes.
///
/// `sum` holds signed sums of 32-bit digits, most significant first: the
/// caller carries them into a [`FixedPoint`] with [`FixedPoint::from_digit_sums`].
#[inline(always)]
fn block_sum(s: u64, n0: u64, sum: &mut [i64]) {
    // Lane 8k + j: sub-term j of term n0 + k, times 2^(10·(BLOCK_TERMS-1-k)):
    // every lane then needs 2^e with the same e.
    let e = s - 6 - 10 * (n0 + BLOCK_TERMS - 1);
    let mut m = [1u64; LANES];
    let mut factor = [0u64; LANES];
    let mut sign = [0i64; LANES];
    for k in 0..BLOCK_TERMS as usize {
        for (j, &(a, negative, step, offset)) in SUBTERMS.iter().enumerate() {
            let lane = 8 * k + j;
            m[lane] = step * (n0 + k as u64) + offset;
            let shift = 10 * (BLOCK_TERMS as u32 - 1 - k as u32) + a;
            factor[lane] = (1u64 << shift) % m[lane];
            sign[lane] = if negative != ((n0 + k as u64) % 2 == 1) {
                -1
            } else {
                1
            };
        }
    }
    let mut inverse = [1u64; LANES];
    for (inverse, &m) in inverse.iter_mut().zip(&m) {
        *inverse = low32(inverse_mod_2_64(m));
    }
    // x = 2^(top bits of e) in Montgomery form, then square-and-double.
    let bits = u64::BITS - e.leading_zeros();
    let top_bits = bits.min(5);
    let top = e >> (bits - top_bits);
    // Loops, not array::from_fn: from_fn may stay a call, outside the
    // vector build of this function.
    let mut x = [0u64; LANES];
    for (x, &m) in x.iter_mut().zip(&m) {
        *x = (1u64 << (32 + top)) % m;
    }
    for bit in (0..bits - top_bits).rev() {
        let double = e >> bit & 1 == 1;
        for lane in 0..LANES {
            let y = montgomery32(x[lane], x[lane], m[lane], inverse[lane]);
            let doubled = y << u32::from(double);
            x[lane] = if doubled >= m[lane] {
                doubled - m[lane]
            } else {
                doubled
            };
        }
    }
    // Out of Montgomery form, times the lane's factor.
    let mut r = [0u64; LANES];
    let mut reciprocal = [0f64; LANES];
    for lane in 0..LANES {
        r[lane] = montgomery32(x[lane], factor[lane], m[lane], inverse[lane]);
        reciprocal[lane] = 1.0 / m[lane] as f64;
    }
    for digit_sum in sum.iter_mut() {
        for lane in 0..LANES {
            // floor(r·2^32 / m), estimated within one, then corrected.
            let q = (r[lane] as i64 as f64 * 4_294_967_296.0 * reciprocal[lane]) as i64;
            let m = m[lane] as i64;
            let mut rem = ((r[lane] << 32) as i64).wrapping_sub(q * m);
            let mut q = q;
            if rem < 0 {
                q -= 1;
                rem += m;
            } else if rem >= m {
                q += 1;
                rem -= m;
            }
            r[lane] = rem as u64;
            *digit_sum += sign[lane] * q;
        }
    }
}

/// [`block_sum`]'s arguments, for the vector builds of [`widest::run`].
struct Block<'a> {
    s: u64,
    n0: u64,
    sum: &'a mut [i64],
}

impl widest::Kernel for Block<'_> {
    #[inline(always)]
    fn run(self) {
        block_sum(self.s, self.n0, self.sum);
    }
}

#[inline(always)]
fn low32(x: u64) -> u64 {
    x & u64::from(u32::MAX)
}

/// `a·b/2^32 mod m` for `a, b < m < 2^32`, `m` odd, `inverse = m^-1 mod 2^32`.
#[inline(always)]
fn montgomery32(a: u64, b: u64, m: u64, inverse: u64) -> u64 {
    let t = low32(a) * low32(b);
    let q = low32(low32(t) * inverse);
    // t and q·m agree in their low 32 bits, so this is (t - q·m) / 2^32.
    let (r, borrow) = (t >> 32).overflowing_sub((q * low32(m)) >> 32);
    if borrow {
        r.wrapping_add(m)
    } else {
        r
    }
}

/// A fraction in `[0, 1)` in fixed point: little-endian limbs, the value
/// being `limbs / 2^(64·len)`; arithmetic wraps modulo 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FixedPoint(Vec<u64>);

impl FixedPoint {
    pub(crate) fn zero(limbs: usize) -> FixedPoint {
        FixedPoint(vec![0; limbs])
    }

    /// The fraction `limbs / 2^(64·limbs.len())`.
    pub(crate) fn from_limbs(limbs: Vec<u64>) -> FixedPoint {
        FixedPoint(limbs)
    }

    /// The limbs, least significant first.
    pub(crate) fn limbs(&self) -> &[u64] {
        &self.0
    }

    /// `r / m / 2^shift` modulo 1, truncated to `limbs` limbs.
    fn of_ratio(r: u64, m: u64, limbs: usize, shift: u64) -> FixedPoint {
        // The integer part r / m matters only when shifted into the fraction.
        let mut out = vec![0u64; limbs + 1];
        out[limbs] = r / m;
        let mut rem = u128::from(r % m);
        let m = u128::from(m);
        for limb in out[..limbs].iter_mut().rev() {
            let t = rem << 64;
            *limb = (t / m) as u64;
            rem = t % m;
        }
        let mut f = FixedPoint(out);
        f.shift_right(shift);
        f.0.truncate(limbs);
        f
    }

    /// `Σ sums[i]·2^(-32·(i+1))` modulo 1, from signed sums of 32-bit
    /// digits, most significant first.
    fn from_digit_sums(sums: &[i64]) -> FixedPoint {
        let mut digits = vec![0u64; sums.len()];
        let mut carry = 0i64;
        for (digit, &sum) in digits.iter_mut().zip(sums).rev() {
            let total = i128::from(sum) + i128::from(carry);
            *digit = total.rem_euclid(1 << 32) as u64;
            carry = total.div_euclid(1 << 32) as i64;
        }
        FixedPoint(
            digits
                .chunks(2)
                .rev()
                .map(|pair| pair[0] << 32 | pair[1])
                .collect(),
        )
    }

    fn shift_right(&mut self, bits: u64) {
        let len = self.0.len();
        let limbs = (bits / 64) as usize;
        let bits = (bits % 64) as u32;
        if limbs >= len {
            self.0.fill(0);
            return;
        }
        for i in 0..len {
            let lo = self.0.get(i + limbs).copied().unwrap_or(0);
            let hi = self.0.get(i + limbs + 1).copied().unwrap_or(0);
            self.0[i] = if bits == 0 {
                lo
            } else {
                lo >> bits | hi << (64 - bits)
            };
        }
    }

    /// `self + other` modulo 1: the carry out of the top limb is dropped.
    pub(crate) fn add(&mut self, other: &FixedPoint) {
        add_in_place(&mut self.0, &other.0);
    }

    /// `self - other` modulo 1: the borrow out of the top limb is dropped.
    fn sub(&mut self, other: &FixedPoint) {
        sub_in_place(&mut self.0, &other.0);
    }

    fn add_signed(&mut self, other: &FixedPoint, negative: bool) {
        if negative {
            self.sub(other);
        } else {
            self.add(other);
        }
    }

    /// `self ± units/2^(64·len)`, or `None` if that leaves `[0, 1)`.
    fn offset(&self, units: u64, negative: bool) -> Option<FixedPoint> {
        let mut delta = FixedPoint::zero(self.0.len());
        delta.0[0] = units;
        let mut out = self.clone();
        out.add_signed(&delta, negative);
        let wrapped = if negative { out > *self } else { out < *self };
        (!wrapped).then_some(out)
    }

    /// The first `count` hexadecimal digits, lowercase.
    fn hex(&self, count: usize) -> String {
        (0..count)
            .map(|i| {
                let limb = self.0[self.0.len() - 1 - i / 16];
                char::from(HEX_DIGITS[(limb >> (60 - 4 * (i % 16)) & 15) as usize])
            })
            .collect()
    }
}

impl PartialOrd for FixedPoint {
    fn partial_cmp(&self, other: &FixedPoint) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for FixedPoint {
    fn cmp(&self, other: &FixedPoint) -> std::cmp::Ordering {
        self.0.iter().rev().cmp(other.0.iter().rev())
    }
}

/// The sum of the terms `n` in `range` of `2^s·π` modulo 1, each
/// truncated to `limbs` limbs.
fn partial_sum(s: u64, range: std::ops::Range<u64>, limbs: usize) -> FixedPoint {
    let mut sum = FixedPoint::zero(limbs);
    let precision = 64 * limbs as u64;
    let mut range = range;
    // Blocks while every exponent is non-negative and every modulus small;
    // their digit sums stay far from overflow within one range.
    let mut digit_sums = vec![0i64; 2 * limbs];
    while range.end - range.start >= BLOCK_TERMS
        && s >= 10 * (range.start + BLOCK_TERMS) + 36
        && 10 * (range.start + BLOCK_TERMS) + 9 <= u64::from(u32::MAX)
    {
        widest::run(Block {
            s,
            n0: range.start,
            sum: &mut digit_sums,
        });
        range.start += BLOCK_TERMS;
    }
    sum.add(&FixedPoint::from_digit_sums(&digit_sums));
    for n in range {
        // Exponent of 2 shared by the seven sub-terms: s - 6 - 10n.
        let shared = i128::from(s) - 6 - 10 * i128::from(n);
        let moduli: [Modulus; 7] =
            std::array::from_fn(|j| Modulus::new(SUBTERMS[j].2 * n + SUBTERMS[j].3));
        let powers = (shared >= 0).then(|| pow2_mod(shared as u64, &moduli));
        for (j, &(a, negative, _, _)) in SUBTERMS.iter().enumerate() {
            let negative = negative != (n % 2 == 1);
            let md = moduli[j];
            let e = shared + i128::from(a);
            let term = match powers {
                // 2^(shared + a) mod m, out of Montgomery form.
                Some(p) => FixedPoint::of_ratio(md.mul(p[j], md.pow2_small(a)), md.m, limbs, 0),
                None if e >= 0 => FixedPoint::of_ratio(1 << e, md.m, limbs, 0),
                None if -e < i128::from(precision) => {
                    FixedPoint::of_ratio(1, md.m, limbs, (-e) as u64)
                }
                None => continue,
            };
            sum.add_signed(&term, negative);
        }
    }
    sum
}

/// Limbs of the first attempt at `count` digits.
pub(crate) fn initial_limbs(count: usize) -> usize {
    (4 * count).div_ceil(64) + 2
}

/// Terms summed for the digits at bit `s` with `limbs` limbs of precision:
/// those beyond are below 2^-(64·limbs) together.
pub(crate) fn terms(s: u64, limbs: usize) -> u64 {
    (s + 64 * limbs as u64 + 16) / 10 + 1
}

/// Units of the last limb by which the terms beyond [`terms`] can add to
/// the sum.
pub(crate) const TAIL_BOUND: u64 = 16;

/// Units of the last limb by which the sum of `terms` terms can fall short
/// or exceed the truth: less than one per sub-term.
pub(crate) fn error_bound(terms: u64) -> u64 {
    SUBTERMS.len() as u64 * terms
}

/// The terms `n` in `range` of `2^s·π` modulo 1, each truncated to `limbs`
/// limbs, summed on this thread.
pub(crate) fn sum_terms(s: u64, range: Range<u64>, limbs: usize) -> FixedPoint {
    let mut sum = FixedPoint::zero(limbs);
    for start in range.clone().step_by(CHUNK_TERMS as usize) {
        sum.add(&partial_sum(
            s,
            start..(start + CHUNK_TERMS).min(range.end),
            limbs,
        ));
    }
    sum
}

/// [`sum_terms`] on the current thread pool, a unit of work done for each
/// [`CHUNK_TERMS`] terms.
pub(crate) fn sum_terms_parallel(
    s: u64,
    range: Range<u64>,
    limbs: usize,
    monitor: &Monitor,
) -> FixedPoint {
    let chunks = chunks(&range);
    let mut sum = FixedPoint::zero(limbs);
    // Cancellation skips the rest of a batch and unwinds from here, not
    // through rayon's joins: across millions of tasks, that unwinding
    // takes seconds.
    for first in (0..chunks).step_by(BATCH_CHUNKS) {
        let batch = first..(first + BATCH_CHUNKS as u64).min(chunks);
        let part = batch
            .into_par_iter()
            .map(|chunk| {
                if monitor.cancelled() {
                    return FixedPoint::zero(limbs);
                }
                let start = range.start + chunk * CHUNK_TERMS;
                let sum = partial_sum(s, start..(start + CHUNK_TERMS).min(range.end), limbs);
                monitor.count(1);
                sum
            })
            .reduce(
                || FixedPoint::zero(limbs),
                |mut a, b| {
                    a.add(&b);
                    a
                },
            );
        sum.add(&part);
        monitor.checkpoint();
    }
    sum
}

/// The units of work of [`sum_terms_parallel`] over `range`.
pub(crate) fn chunks(range: &Range<u64>) -> u64 {
    (range.end - range.start).div_ceil(CHUNK_TERMS)
}

/// The first `count` hexadecimal digits of `sum`, the sum of all the terms
/// of an attempt, if its error bound `bound` cannot change them.
pub(crate) fn settled_digits(sum: &FixedPoint, bound: u64, count: usize) -> Option<String> {
    let (low, high) = (sum.offset(bound, true)?, sum.offset(bound, false)?);
    let digits = low.hex(count);
    (digits == high.hex(count)).then_some(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn montgomery_powers_of_two() {
        for m in [1u64, 3, 5, 7, 9, 11, 1001, 4_000_000_009, (1 << 53) - 111] {
            let moduli = [Modulus::new(m); 7];
            for e in [0u64, 1, 2, 63, 64, 65, 1000, 123_456_789] {
                let mut expected = 1 % m;
                for _ in 0..e.min(2000) {
                    expected = ((u128::from(expected) * 2) % u128::from(m)) as u64;
                }
                if e <= 2000 {
                    let got = pow2_mod(e, &moduli)[0];
                    let plain = moduli[0].mul(got, 1);
                    assert_eq!(plain, expected, "2^{e} mod {m}");
                }
            }
        }
    }

    #[test]
    fn first_digits() {
        let hex_digits = |position, count| {
            crate::HexExtraction::new(position, count)
                .map(|e| e.local_digits(&crate::monitor::Monitor::detached()))
        };
        assert_eq!(hex_digits(1, 16).as_deref(), Ok("243f6a8885a308d3"));
        assert_eq!(hex_digits(3, 4).as_deref(), Ok("3f6a"));
        let long = crate::digits(300, crate::Base::Hexadecimal).unwrap_or_default();
        assert_eq!(hex_digits(1, 200).as_deref(), Ok(&long[2..202]));
        assert_eq!(hex_digits(77, 100).as_deref(), Ok(&long[78..178]));
    }
}
