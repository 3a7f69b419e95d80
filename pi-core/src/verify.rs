//! Independent checks of a computation's result.
//!
//! The binary value of π is checked against hexadecimal digits computed by
//! digit extraction ([`crate::bbp`]), an algorithm that shares nothing with
//! the series, square root and division; the product by `10^n` and the
//! digits written by the conversion are checked by their residues modulo
//! the prime `2^61 - 1`.

use crate::monitor::Monitor;
use crate::natural::{pow_mod, Natural};
use crate::text::Written;
use crate::{Error, HexExtraction};

/// The prime modulus of the residue checks.
const PRIME: u64 = (1 << 61) - 1;

/// Digits compared with digit extraction, at most.
const CHECKED_HEX_DIGITS: u64 = 16;

/// Bits at the end of the binary value left out of the comparison, where
/// its error could reach.
const UNCHECKED_BITS: u64 = 32;

fn mul_mod(a: u64, b: u64) -> u64 {
    (u128::from(a) * u128::from(b) % u128::from(PRIME)) as u64
}

/// `x mod (2^61 - 1)`.
pub(crate) fn residue(x: &Natural) -> u64 {
    x.limbs().iter().rev().fold(0, |r, &limb| {
        (((u128::from(r) << 64) | u128::from(limb)) % u128::from(PRIME)) as u64
    })
}

/// Checks `product = x · 10^n` by residues, from that of `x`
/// ([`residue`]).
pub(crate) fn check_product(x_residue: u64, n: u64, product: &Natural) -> Result<(), Error> {
    if mul_mod(x_residue, pow_mod(10, n, PRIME)) == residue(product) {
        Ok(())
    } else {
        Err(Error::VerificationFailed(
            "the product by a power of ten does not match its residue".into(),
        ))
    }
}

/// Checks that the ASCII digits `text` in `radix` (10 or 16) have the
/// value `x`, by residues.
pub(crate) fn check_digits(text: &Written<'_>, radix: u32, x: &Natural) -> Result<(), Error> {
    // The largest chunk of digits whose value fits in a u64.
    let chunk_digits = if radix == 10 { 19 } else { 15 };
    let mut value = 0u64;
    text.for_each_piece(|piece| {
        for chunk in piece.chunks(chunk_digits) {
            let mut chunk_value = 0u64;
            for &c in chunk {
                let digit = char::from(c).to_digit(radix).ok_or_else(|| {
                    Error::VerificationFailed(format!(
                        "the text holds a non-digit {:?}",
                        char::from(c)
                    ))
                })?;
                chunk_value = chunk_value * u64::from(radix) + u64::from(digit);
            }
            let scale = pow_mod(u64::from(radix), chunk.len() as u64, PRIME);
            value = ((u128::from(mul_mod(value, scale)) + u128::from(chunk_value))
                % u128::from(PRIME)) as u64;
        }
        Ok(())
    })?;
    if value == residue(x) {
        Ok(())
    } else {
        Err(Error::VerificationFailed(
            "the digits written do not match the binary value (residue check)".into(),
        ))
    }
}

/// The position and count of the hexadecimal digits [`check_binary`]
/// compares for a value with `w` fractional bits, if any.
pub(crate) fn checked_hex_digits(w: u64) -> Option<(u64, u64)> {
    let last = w.checked_sub(UNCHECKED_BITS)? / 4;
    let count = last.min(CHECKED_HEX_DIGITS);
    (count > 0).then_some((last - count + 1, count))
}

/// Checks `x`, within `error` of `π·2^w`, against the hexadecimal digits of
/// π near its end computed by digit extraction.
pub(crate) fn check_binary(
    x: &Natural,
    w: u64,
    error: u64,
    monitor: &Monitor,
) -> Result<(), Error> {
    let Some((position, count)) = checked_hex_digits(w) else {
        return Ok(());
    };
    let shift = w - 4 * (position + count - 1);
    let error = Natural::from(error);
    let window = |x: Natural| (&x >> shift).low_bits(4 * count);
    let low = window(x - &error);
    let high = window(x + &error);
    let Ok(extraction) = HexExtraction::new(position, count as usize) else {
        return Err(Error::VerificationFailed(format!(
            "no digit extraction of {count} hexadecimal digits at {position}"
        )));
    };
    let extracted = extraction.local_digits(monitor);
    let expected = Natural::from(u64::from_str_radix(&extracted, 16).unwrap_or(u64::MAX));
    if expected == low || expected == high {
        return Ok(());
    }
    Err(Error::VerificationFailed(format!(
        "hexadecimal digits {position}..{} are {extracted} by digit extraction but {:0width$x} in the result",
        position + count - 1,
        low,
        width = count as usize
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn residues_agree_with_division() {
        let x = Natural::pow(7, 500);
        let expected = x.div_rem_small(PRIME).map(|(_, r)| r);
        assert_eq!(Some(residue(&x)), expected);
        let text = x.to_decimal_padded(1);
        assert_eq!(
            check_digits(&Written::Memory(text.as_bytes()), 10, &x),
            Ok(())
        );
        let hex = x.to_hex_padded(1);
        assert_eq!(
            check_digits(&Written::Memory(hex.as_bytes()), 16, &x),
            Ok(())
        );
        let mut wrong = text.into_bytes();
        wrong[100] = if wrong[100] == b'0' { b'1' } else { b'0' };
        assert!(check_digits(&Written::Memory(&wrong), 10, &x).is_err());
    }
}
