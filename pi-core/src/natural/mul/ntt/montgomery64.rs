//! Arithmetic modulo 62-bit primes with `R = 2^64`: the portable field.

use super::field::Field;
use crate::natural::limbs::{inverse_mod_2_64, montgomery_mul};

/// Integers modulo a prime `p < 2^62`, Montgomery form with `R = 2^64`.
#[derive(Clone, Copy)]
pub(in super::super) struct Montgomery64 {
    p: u64,
    /// `p^-1 mod 2^64`.
    p_inv: u64,
    /// `2^64 mod p`: a Montgomery product with it reduces any `u64`.
    r: u64,
    /// `2^128 mod p`.
    r2: u64,
}

impl Field for Montgomery64 {
    /// Three primes `c · 2^k + 1` (k >= 55, 3 divides c): transforms of
    /// length `2^k` and `3·2^k` up to `2^55`.
    const PRIMES: &'static [(u64, u64)] = &[
        (2_485_986_994_308_513_793, 5), // 69 * 2^55 + 1
        (2_053_641_430_080_946_177, 7), // 57 * 2^55 + 1
        (1_945_555_039_024_054_273, 5), // 27 * 2^56 + 1
    ];

    fn new(p: u64) -> Self {
        let r = ((1u128 << 64) % u128::from(p)) as u64;
        Montgomery64 {
            p,
            p_inv: inverse_mod_2_64(p),
            r,
            r2: (u128::from(r) * u128::from(r) % u128::from(p)) as u64,
        }
    }

    #[inline(always)]
    fn modulus(self) -> u64 {
        self.p
    }

    #[inline(always)]
    fn mul(self, a: u64, b: u64) -> u64 {
        montgomery_mul(a, b, self.p, self.p_inv)
    }

    fn r2(self) -> u64 {
        self.r2
    }

    #[inline(always)]
    fn reduce(self, a: u64) -> u64 {
        self.mul(a, self.r)
    }
}
