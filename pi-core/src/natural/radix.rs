//! Conversion between natural numbers and digit strings.
//!
//! Decimal conversion is divide and conquer over a table of powers
//! `10^(19·2^i)`, each with its reciprocal, so its cost is a logarithmic
//! number of multiplications of the full size.

use rayon::prelude::*;

use super::{limbs, Natural, Reciprocal};
use crate::monitor;

/// Digits of `10^19`, the largest power of ten in a limb.
const LIMB_DIGITS: usize = 19;
const LIMB_POWER: u64 = 10_000_000_000_000_000_000;
/// Below this many digits, conversion by repeated single-limb division.
const BASECASE_DIGITS: usize = LIMB_DIGITS * 32;

/// `10^(19·2^i)` for every `i` with `19·2^i < digits`.
fn powers_of_ten(digits: usize) -> Vec<Natural> {
    let mut powers = vec![Natural::from(LIMB_POWER)];
    while LIMB_DIGITS << powers.len() < digits {
        let next = powers[powers.len() - 1].square();
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

pub(super) fn to_decimal(x: &Natural, width: usize) -> String {
    // An upper bound on the digit count: bits · log10(2), plus one.
    let bound = (x.bit_len() as f64 * std::f64::consts::LOG10_2) as usize + 2;
    let len = bound.max(width).max(1);
    let mut out = monitor::filled(len, b'0');
    write_decimal_exact(x, &mut out);
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
pub(crate) fn write_decimal_exact(x: &Natural, out: &mut [u8]) {
    let reciprocals: Vec<Reciprocal> = if out.len() > BASECASE_DIGITS {
        powers_of_ten(out.len())
            .par_iter()
            .filter_map(Reciprocal::new)
            .collect()
    } else {
        Vec::new()
    };
    write_decimal(x, out, &reciprocals);
}

/// Writes `x < 10^out.len()` into `out`, zero-padded, with the powers of
/// ten needed.
fn write_decimal(x: &Natural, out: &mut [u8], powers: &[Reciprocal]) {
    if out.len() <= BASECASE_DIGITS {
        let mut limbs = x.limbs().to_vec();
        for chunk in out.rchunks_mut(LIMB_DIGITS) {
            let mut rem = limbs::div_rem_small_assign(&mut limbs, LIMB_POWER);
            limbs::trim(&mut limbs);
            for digit in chunk.iter_mut().rev() {
                *digit = b'0' + (rem % 10) as u8;
                rem /= 10;
            }
        }
        monitor::advance(out.len() as u64);
        return;
    }
    let level = split_level(out.len());
    let (q, r) = powers[level].div_rem(x);
    monitor::advance(out.len() as u64);
    let (high, low) = out.split_at_mut(out.len() - (LIMB_DIGITS << level));
    rayon::join(
        || write_decimal(&q, high, powers),
        || write_decimal(&r, low, powers),
    );
}

/// Progress units of writing `digits` decimal digits: the digits handled
/// at each level of the recursion.
pub(crate) fn decimal_work(digits: usize) -> u64 {
    let levels = if digits > BASECASE_DIGITS {
        split_level(digits) as u64 + 2
    } else {
        1
    };
    digits as u64 * levels
}

pub(super) fn from_decimal(digits: &str) -> Option<Natural> {
    let digits = digits.as_bytes();
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let powers = if digits.len() > BASECASE_DIGITS {
        powers_of_ten(digits.len())
    } else {
        Vec::new()
    };
    Some(read_decimal(digits, &powers))
}

fn read_decimal(digits: &[u8], powers: &[Natural]) -> Natural {
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
    let (high, low) = rayon::join(|| read_decimal(high, powers), || read_decimal(low, powers));
    &(&high * &powers[level]) + &low
}

pub(super) fn to_hex(x: &Natural, width: usize) -> String {
    let significant = x.bit_len().div_ceil(4) as usize;
    let mut out = monitor::filled(width.max(significant).max(1), b'0');
    write_hex_exact(x, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Writes `x < 16^out.len()` into `out` as lowercase ASCII hexadecimal
/// digits, zero-padded.
pub(crate) fn write_hex_exact(x: &Natural, out: &mut [u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for (chunk, &limb) in out.rchunks_mut(16).zip(x.limbs()) {
        for (i, digit) in chunk.iter_mut().rev().enumerate() {
            *digit = HEX[(limb >> (4 * i) & 15) as usize];
        }
    }
}
