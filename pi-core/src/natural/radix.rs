//! Conversion between numbers and digit strings.
//!
//! Integers are converted by divide and conquer over a table of powers
//! `10^(19·2^i)`, each with its reciprocal. Fractions (the digits of π)
//! take a scaled remainder tree: the digits of `f` split into those of `f`
//! itself and those of the fraction part of `f·10^k`, so each node costs
//! one multiplication, by a power of five, and no division. Both cost a
//! logarithmic number of multiplications of the full size.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};

use rayon::prelude::*;

use super::{limbs, Arith, Natural, Parked, Reciprocal};
use crate::natural::fallible;
use crate::text::Text;

/// Digits of `10^19`, the largest power of ten in a limb.
const LIMB_DIGITS: usize = 19;
const LIMB_POWER: u64 = 10_000_000_000_000_000_000;
/// Below this many digits, conversion by repeated single-limb division.
const BASECASE_DIGITS: usize = LIMB_DIGITS * 32;

/// `10^(19·2^i)` for every `i` with `19·2^i < digits`.
fn powers_of_ten(digits: usize, arith: Arith<'_>) -> Vec<Natural> {
    let mut powers = vec![Natural::from(LIMB_POWER)];
    while LIMB_DIGITS << powers.len() < digits {
        let next = powers[powers.len() - 1].square_in(arith);
        powers.push(next);
    }
    powers
}

/// The index of the power that splits `digits` digits: the largest with
/// `19·2^i < digits`.
fn split_level(digits: usize) -> usize {
    let mut level = 0;
    while LIMB_DIGITS << (level + 1) < digits {
        level += 1;
    }
    level
}

pub(super) fn to_decimal(x: &Natural, width: usize, arith: Arith<'_>) -> String {
    // An upper bound on the digit count: bits · log10(2), plus one.
    let bound = (x.bit_len() as f64 * std::f64::consts::LOG10_2) as usize + 2;
    let len = bound.max(width).max(1);
    let mut out = fallible::filled(len, b'0');
    write_decimal_exact(x, &mut out, arith);
    let leading = out
        .iter()
        .take(len - width.max(1))
        .take_while(|&&c| c == b'0')
        .count();
    out.drain(..leading);
    String::from_utf8(out).unwrap_or_default()
}

/// Writes `x < 10^out.len()` into `out` as ASCII decimal digits,
/// zero-padded.
pub(crate) fn write_decimal_exact(x: &Natural, out: &mut [u8], arith: Arith<'_>) {
    let reciprocals: Vec<Reciprocal> = if out.len() > BASECASE_DIGITS {
        powers_of_ten(out.len(), arith)
            .par_iter()
            .filter_map(|power| Reciprocal::new(power, arith))
            .collect()
    } else {
        Vec::new()
    };
    write_decimal(x, out, &reciprocals, arith);
}

/// Writes `x < 10^out.len()` into `out`, zero-padded, with the powers of
/// ten needed.
fn write_decimal(x: &Natural, out: &mut [u8], powers: &[Reciprocal], arith: Arith<'_>) {
    if out.len() <= BASECASE_DIGITS {
        let mut limbs = x.limbs().to_vec();
        for chunk in out.rchunks_mut(LIMB_DIGITS) {
            let rem = limbs::div_rem_small_assign(&mut limbs, LIMB_POWER);
            limbs::trim(&mut limbs);
            write_digits(rem, chunk);
        }
        arith.advance(out.len() as u64);
        return;
    }
    let level = split_level(out.len());
    let (q, r) = powers[level].div_rem(x, arith);
    arith.advance(out.len() as u64);
    let (high, low) = out.split_at_mut(out.len() - (LIMB_DIGITS << level));
    rayon::join(
        || write_decimal(&q, high, powers, arith),
        || write_decimal(&r, low, powers, arith),
    );
}

/// A number `f` in `[0, 1)` known to lie in `[a, a + e) / 2^bits`.
#[derive(Clone, Debug)]
pub(crate) struct Fraction {
    a: Natural,
    bits: u64,
    e: u64,
}

/// Low bits are dropped after each scaling to keep a [`Fraction`]'s error
/// below `2^ERROR_BITS` units.
const ERROR_BITS: u64 = 32;

/// Bits that hold `digits` decimal digits: `ceil(digits · log2(10))`.
fn decimal_bits(digits: usize) -> u64 {
    (digits as f64 * std::f64::consts::LOG2_10).ceil() as u64
}

impl Fraction {
    /// The fraction in `[a, a + e) / 2^bits`; `None` when `e` is zero or
    /// `a + e` exceeds `2^bits` (the number might not be below one).
    pub(crate) fn new(mut a: Natural, bits: u64, e: u64) -> Option<Fraction> {
        // a + e - 1 formed in a's memory, and taken back.
        let top = Natural::from(e.checked_sub(1)?);
        a += &top;
        let fits = a.bit_len() <= bits;
        a -= &top;
        fits.then_some(Fraction { a, bits, e })
    }

    /// The same number with at most `keep` bits.
    fn truncated(&self, keep: u64) -> Fraction {
        let drop = self.bits.saturating_sub(keep);
        if drop == 0 {
            return self.clone();
        }
        let (bits, e) = self.dropping(drop);
        Fraction {
            a: &self.a >> drop,
            bits,
            e,
        }
    }

    /// [`Fraction::truncated`], in the fraction's memory.
    fn into_truncated(mut self, keep: u64) -> Fraction {
        let drop = self.bits.saturating_sub(keep);
        if drop == 0 {
            return self;
        }
        let (bits, e) = self.dropping(drop);
        self.a >>= drop;
        Fraction { a: self.a, bits, e }
    }

    /// `bits` and `e` once the lowest `drop` bits go: `floor(a/2^drop)`
    /// loses less than one unit; `e/2^drop` rounds up.
    fn dropping(&self, drop: u64) -> (u64, u64) {
        let e = self.e.checked_shr(drop as u32).unwrap_or(0) + 2;
        (self.bits - drop, e)
    }

    /// The number in `[a, a + e) / 2^bits` (unchecked), with the low bits
    /// that the error blurs dropped, so that it stays below
    /// `2^ERROR_BITS` units.
    fn blurred(a: Natural, bits: u64, e: &Natural) -> Option<Fraction> {
        let drop = e.bit_len().saturating_sub(ERROR_BITS);
        if drop == 0 {
            return Some(Fraction {
                a,
                bits,
                e: e.to_u64()?,
            });
        }
        let mut a = a;
        a >>= drop;
        Some(Fraction {
            a,
            bits: bits - drop,
            e: (e >> drop).to_u64()? + 2,
        })
    }

    /// The fraction part of `f · 10^k`, given `five = 5^k`: as the second
    /// part of [`Fraction::scaled`], from `a·5^k` modulo `2^m - 1` with `m`
    /// as long as `a`, whose bits from `m` on (below `2^spill`) fold onto
    /// the lowest ones, which the error `e·5^k` blurs anyway; `None` when
    /// the fraction might be near 0 or 1 (its digits undecided).
    fn scaled_fraction(&self, k: u64, five: &Natural, arith: Arith<'_>) -> Option<Fraction> {
        let bits = self.bits.checked_sub(k)?;
        let (z, m) = self.a.mul_wrapped(five, bits.max(self.a.bit_len()), arith);
        let spill = (self.a.bit_len() + five.bit_len()).saturating_sub(m);
        // y = a·5^k is z minus 0..=2^spill modulo 2^bits.
        let fold = &Natural::from(1u64) << spill;
        let mut low = z.into_low_bits(bits);
        if low < fold {
            return None;
        }
        low -= &fold;
        let Fraction { a, bits, e } =
            Fraction::blurred(low, bits, &(&five.mul_small(self.e) + &fold))?;
        Fraction::new(a, bits, e)
    }
}

/// `5^k` for each split of a fraction into `digits` decimal digits, set
/// aside (see [`Parked`]): held to a memory budget, those of the lengths
/// whose products spill wait in files until a split needs them.
struct PowersOfFive<'a>(HashMap<usize, Parked<'a>>);

impl<'a> PowersOfFive<'a> {
    fn new(digits: usize, arith: Arith<'a>) -> PowersOfFive<'a> {
        // The sizes at each level of the tree take at most two values.
        let mut needed = BTreeSet::new();
        let mut sizes = BTreeSet::from([digits]);
        while !sizes.is_empty() {
            let mut next = BTreeSet::new();
            for &d in sizes.iter().filter(|&&d| d > BASECASE_DIGITS) {
                needed.insert(high_digits(d));
                next.insert(high_digits(d));
                next.insert(d - high_digits(d));
            }
            sizes = next;
        }
        let mut powers = PowersOfFive(HashMap::new());
        for k in needed {
            powers.insert(k, arith);
        }
        powers
    }

    /// Adds `5^k`, from `5^(k/2)`.
    fn insert(&mut self, k: usize, arith: Arith<'a>) {
        if self.0.contains_key(&k) {
            return;
        }
        let power = if k <= 27 {
            Natural::from(5u64.pow(k as u32))
        } else {
            self.insert(k / 2, arith);
            let half = self.get(k / 2).square_in(arith);
            if k % 2 == 1 {
                half.mul_small(5)
            } else {
                half
            }
        };
        self.0.insert(k, Parked::new(power, arith));
    }

    /// `5^k`, from the table when [`PowersOfFive::new`] put it there.
    fn get(&self, k: usize) -> Cow<'_, Natural> {
        self.0
            .get(&k)
            .map_or_else(|| Cow::Owned(Natural::pow(5, k as u64)), Parked::load)
    }
}

/// The digits of a node of `digits` digits that its first child writes.
fn high_digits(digits: usize) -> usize {
    digits - digits / 2
}

/// Writes the first `out.len()` decimal digits of `f`, truncated; `false`
/// (with `out` partly written) when `f`'s error leaves a digit undecided.
pub(crate) fn write_decimal_fraction(f: Fraction, out: Text<'_>, arith: Arith<'_>) -> bool {
    let powers = PowersOfFive::new(out.len(), arith);
    write_fraction(f, out, &powers, arith)
}

/// [`write_decimal_fraction`] by the table of `powers`. Held to a memory
/// budget (where products of `f`'s length spill), the two halves of the
/// digits are written in turn, from fractions formed before `f` is freed,
/// the second's waiting aside (in a file) while the first is written;
/// else side by side.
fn write_fraction(f: Fraction, out: Text<'_>, powers: &PowersOfFive, arith: Arith<'_>) -> bool {
    let mut whole = Some(f);
    let buffered = out.buffered(|buf| {
        whole
            .take()
            .is_some_and(|f| write_fraction(f, Text::Memory(buf), powers, arith))
    });
    let out = match buffered {
        Ok(written) => return written,
        Err(out) => out,
    };
    // Not taken where the digits were not buffered.
    let Some(f) = whole else {
        return false;
    };
    let digits = out.len();
    let out = match out {
        Text::Memory(out) if digits <= BASECASE_DIGITS => {
            let written = write_fraction_basecase(&f, out);
            arith.advance(digits as u64);
            return written;
        }
        out => out,
    };
    // The precision beyond what the digits need, kept in both children
    // (their errors may take up to ERROR_BITS + 1 bits).
    let slack = f
        .bits
        .saturating_sub(decimal_bits(digits) + u64::from(u64::BITS - f.e.leading_zeros()));
    let keep = |digits: usize| decimal_bits(digits) + slack + ERROR_BITS + 2;
    let k = high_digits(digits);
    let (high, low) = out.split_at(k);
    let low_digits = low.len();
    let rest = |f: &Fraction| {
        let rest = f.scaled_fraction(k as u64, &powers.get(k), arith)?;
        Some(rest.into_truncated(keep(low_digits)))
    };
    let written = if arith.spill_for(f.a.limbs().len()).is_some() {
        let rest = rest(&f).map(|Fraction { a, bits, e }| (Parked::new(a, arith), bits, e));
        write_fraction(f.into_truncated(keep(k)), high, powers, arith)
            && rest.is_some_and(|(a, bits, e)| {
                let rest = Fraction {
                    a: a.restore(),
                    bits,
                    e,
                };
                write_fraction(rest, low, powers, arith)
            })
    } else {
        let (high_written, low_written) = rayon::join(
            || write_fraction(f.truncated(keep(k)), high, powers, arith),
            || rest(&f).is_some_and(|rest| write_fraction(rest, low, powers, arith)),
        );
        high_written && low_written
    };
    arith.advance(digits as u64);
    written
}

/// [`write_fraction`] for a few digits: the fraction in whole limbs,
/// multiplied in place by `10^19` for each 19 digits, which are what
/// carries out of its top limb; low limbs that the error covers are
/// dropped.
fn write_fraction_basecase(f: &Fraction, out: &mut [u8]) -> bool {
    let shift = f.bits.next_multiple_of(64) - f.bits;
    let mut x = (&f.a << shift).limbs().to_vec();
    x.resize(((f.bits + shift) / 64) as usize, 0);
    // The fraction lies in [x, x + e) units of x[low].
    let mut e = u128::from(f.e) << shift;
    let mut low = 0;
    for chunk in out.chunks_mut(LIMB_DIGITS) {
        // e below 2^64, so that e·10^19 fits. Dropping x[low] leaves the
        // fraction below x + e/2^64 + 2 units of the next limb.
        while e >> 64 != 0 {
            low += 1;
            if low >= x.len() {
                return false;
            }
            e = (e >> 64) + 2;
        }
        let scale = 10u64.pow(chunk.len() as u32);
        let integer = limbs::mul_small_assign(&mut x[low..], scale);
        e *= u128::from(scale);
        // The integer part is decided when x + e - 1 does not reach it.
        if overflows(&x[low..], e - 1) {
            return false;
        }
        write_digits(integer, chunk);
    }
    true
}

/// Whether `x + d` needs more limbs than `x`.
fn overflows(x: &[u64], d: u128) -> bool {
    let mut carry = d;
    for &limb in x {
        if carry == 0 {
            return false;
        }
        let sum = u128::from(limb) + (carry & u128::from(u64::MAX));
        carry = (carry >> 64) + (sum >> 64);
    }
    carry != 0
}

/// Writes `value < 10^chunk.len()` into `chunk` as ASCII decimal digits,
/// zero-padded.
fn write_digits(mut value: u64, chunk: &mut [u8]) {
    for digit in chunk.iter_mut().rev() {
        *digit = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

/// Progress units of writing `digits` decimal digits: the digits handled
/// at each level of the recursion.
pub(crate) fn decimal_work(digits: usize) -> u64 {
    let mut levels = 1;
    let mut size = digits;
    while size > BASECASE_DIGITS {
        size = high_digits(size);
        levels += 1;
    }
    digits as u64 * levels
}

pub(super) fn from_decimal(digits: &str, arith: Arith<'_>) -> Option<Natural> {
    let digits = digits.as_bytes();
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let powers = if digits.len() > BASECASE_DIGITS {
        powers_of_ten(digits.len(), arith)
    } else {
        Vec::new()
    };
    Some(read_decimal(digits, &powers, arith))
}

fn read_decimal(digits: &[u8], powers: &[Natural], arith: Arith<'_>) -> Natural {
    if digits.len() <= BASECASE_DIGITS {
        let mut limbs = Vec::new();
        for chunk in digits.chunks(LIMB_DIGITS) {
            let value = chunk
                .iter()
                .fold(0u64, |v, &c| v * 10 + u64::from(c - b'0'));
            let scale = 10u64.pow(chunk.len() as u32);
            let carry = limbs::mul_small_assign(&mut limbs, scale);
            if carry != 0 {
                limbs.push(carry);
            }
            limbs::add_assign(&mut limbs, &[value]);
        }
        return Natural::from_limbs(limbs);
    }
    let level = split_level(digits.len());
    let (high, low) = digits.split_at(digits.len() - (LIMB_DIGITS << level));
    let (high, low) = rayon::join(
        || read_decimal(high, powers, arith),
        || read_decimal(low, powers, arith),
    );
    &high.mul_in(&powers[level], arith) + &low
}

pub(super) fn to_hex(x: &Natural, width: usize) -> String {
    let significant = x.bit_len().div_ceil(4) as usize;
    let mut out = fallible::filled(width.max(significant).max(1), b'0');
    write_hex_limbs(x.limbs(), &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// The lowercase hexadecimal digits.
pub(crate) const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Writes `x < 16^out.len()` into `out` (ASCII zeros where it is memory)
/// as lowercase hexadecimal digits, zero-padded.
pub(crate) fn write_hex(x: &Natural, out: Text<'_>) {
    write_hex_text(x.limbs(), out);
}

fn write_hex_text(limbs: &[u64], out: Text<'_>) {
    let out = match out.buffered(|buf| {
        write_hex_limbs(limbs, buf);
        true
    }) {
        Ok(_) => return,
        Err(out) => out,
    };
    match out {
        Text::Memory(out) => write_hex_limbs(limbs, out),
        out => {
            // The low part in whole limbs' digits.
            let len = out.len();
            let low_len = (len / 2).next_multiple_of(16).min(len);
            let (high, low) = out.split_at(len - low_len);
            let split = (low_len / 16).min(limbs.len());
            write_hex_text(&limbs[split..], high);
            write_hex_text(&limbs[..split], low);
        }
    }
}

/// Writes the number of `limbs` (below `16^out.len()`) into `out` as
/// lowercase hexadecimal digits, leaving the digits above it as they are.
fn write_hex_limbs(limbs: &[u64], out: &mut [u8]) {
    for (chunk, &limb) in out.rchunks_mut(16).zip(limbs) {
        for (i, digit) in chunk.iter_mut().rev().enumerate() {
            *digit = HEX_DIGITS[(limb >> (4 * i) & 15) as usize];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::natural::lcg_limbs;

    fn random_natural(bits: u64, seed: u64) -> Natural {
        Natural::from_limbs(lcg_limbs(bits.div_ceil(64) as usize, seed)).low_bits(bits)
    }

    /// `floor(a · 10^digits / 2^bits)` as text, by the integer conversion.
    fn reference(a: &Natural, bits: u64, digits: usize) -> String {
        (&(a * &Natural::pow(10, digits as u64)) >> bits).to_decimal_padded(digits)
    }

    #[test]
    fn fractions_agree_with_integer_conversion() {
        for (i, digits) in [1usize, 18, 19, 20, 100, 608, 609, 1217, 3001, 20_011]
            .into_iter()
            .enumerate()
        {
            for guard in [40u64, 64, 200] {
                let bits = decimal_bits(digits) + guard;
                let a = random_natural(bits, (i as u64) << 8 | guard);
                let Some(f) = Fraction::new(a.clone(), bits, 1) else {
                    panic!("a fraction below one");
                };
                let mut out = vec![0; digits];
                assert!(
                    write_decimal_fraction(f, Text::Memory(&mut out), Arith::shared()),
                    "{digits} digits"
                );
                assert_eq!(out, reference(&a, bits, digits).into_bytes(), "{digits}");
            }
        }
    }

    /// Held to a budget, the halves are written in turn, the second's
    /// fraction and the powers of five waiting in files: the same digits.
    #[test]
    fn fractions_in_turn_under_a_budget() {
        use std::sync::atomic::Ordering;
        let spill = super::super::mul::TestSpill::new(100);
        let arith = Arith::shared().spilling(&spill);
        for (digits, seed) in [(20_011usize, 2u64), (50_000, 3)] {
            let bits = decimal_bits(digits) + 64;
            let a = random_natural(bits, seed);
            let Some(f) = Fraction::new(a.clone(), bits, 1) else {
                panic!("a fraction below one");
            };
            let mut out = vec![0; digits];
            spill.written.store(0, Ordering::Relaxed);
            assert!(write_decimal_fraction(f, Text::Memory(&mut out), arith));
            assert_eq!(out, reference(&a, bits, digits).into_bytes(), "{digits}");
            assert!(spill.written.load(Ordering::Relaxed) > 0, "{digits}");
        }
    }

    #[test]
    fn undecided_digits_are_refused() {
        // 0.999…9 (digits nines) with an error that reaches 1.
        for digits in [5usize, 700, 5000] {
            let bits = decimal_bits(digits) + 40;
            let one = &Natural::from(1u64) << bits;
            let nines = &Natural::pow(10, digits as u64) - &Natural::from(1u64);
            let (a, _) = (&one * &nines)
                .div_rem(&Natural::pow(10, digits as u64))
                .unwrap_or_default();
            let gap = (&one - &a).to_u64().unwrap_or(0);
            let f = Fraction::new(a, bits, gap).map(|f| {
                write_decimal_fraction(f, Text::Memory(&mut vec![0; digits]), Arith::shared())
            });
            assert_eq!(f, Some(false), "{digits}");
        }
        assert!(Fraction::new(Natural::from(8u64), 3, 1).is_none());
        assert!(Fraction::new(Natural::from(7u64), 3, 0).is_none());
    }
}
