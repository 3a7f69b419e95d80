//! The original API: π as an `f32`, correct to a number of decimal places.

use crate::{digits, Base};

/// The `f32` nearest to π rounded to `n` decimal places: `calc_pi(2)` is
/// `3.14`, `calc_pi(0)` is `3.0`, and from `n = 7` on it is the `f32`
/// nearest to π.
pub fn calc_pi(n: u8) -> f32 {
    let Ok(text) = digits(u64::from(n) + 1, Base::Decimal) else {
        return f32::NAN;
    };
    // "3." and n + 1 decimals: round half up at n decimals. No decimal
    // expansion of π ends in 5 followed by zeros, so this is exact rounding.
    let mut kept: Vec<u8> = text.bytes().filter(u8::is_ascii_digit).collect();
    let next = kept.pop().unwrap_or(b'0');
    if next >= b'5' {
        for digit in kept.iter_mut().rev() {
            if *digit == b'9' {
                *digit = b'0';
            } else {
                *digit += 1;
                break;
            }
        }
    }
    let (int, frac) = kept.split_at(1);
    let text = format!(
        "{}.{}",
        String::from_utf8_lossy(int),
        String::from_utf8_lossy(frac)
    );
    text.parse().unwrap_or(f32::NAN)
}

#[cfg(test)]
#[allow(clippy::approx_constant)] // rounded values of pi are what calc_pi returns
mod tests {
    use super::*;

    #[test]
    fn matches_the_original_contract() {
        assert_eq!(calc_pi(0), 3.0);
        assert_eq!(calc_pi(1), 3.1);
        assert_eq!(calc_pi(2), 3.14);
        assert_eq!(calc_pi(3), 3.142);
        assert_eq!(calc_pi(4), 3.1416);
        assert_eq!(calc_pi(6), 3.141593);
        for n in 7..=u8::MAX {
            assert_eq!(calc_pi(n), std::f32::consts::PI, "n = {n}");
        }
    }
}
