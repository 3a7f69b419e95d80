//! Arbitrary-precision natural numbers.
//!
//! A [`Natural`] is a little-endian vector of 64-bit limbs with no zero limb at
//! the top, so every value has exactly one representation. The limb-level
//! algorithms live in submodules, one algorithm per module.

pub(crate) mod arith;
mod div;
pub(crate) mod fallible;
pub(crate) mod limbs;
mod mul;
pub(crate) mod parallel;
mod parked;
#[cfg(test)]
mod properties;
pub(crate) mod radix;
mod sqrt;

use std::cmp::Ordering;
use std::fmt;
use std::ops::{Add, AddAssign, Mul, MulAssign, Shl, ShlAssign, Shr, ShrAssign, Sub, SubAssign};

pub(crate) use arith::{Arith, Sink, Spill};
pub(crate) use div::Reciprocal;
pub(crate) use limbs::{inverse_mod_2_64, pow_mod};
use mul::Source;
pub(crate) use mul::{full_length as full_product_length, TransformCache};
#[cfg(test)]
use mul::{
    KARATSUBA_THRESHOLD, KARATSUBA_THRESHOLD_MULX, NTT_THRESHOLD, NTT_THRESHOLD_AVX2,
    NTT_THRESHOLD_AVX512F, NTT_THRESHOLD_SCALAR, VECTOR_SCHOOLBOOK_MIN,
};
pub(crate) use parked::Parked;

/// A non-negative integer of any size.
///
/// Long products (by number-theoretic transform) keep their tables and up
/// to 1 GiB of buffers in a process-wide cache, for the next product;
/// products within a computation of digits use that computation's own.
#[derive(PartialEq, Eq, Hash, Default)]
pub struct Natural {
    limbs: Vec<u64>,
}

impl Clone for Natural {
    fn clone(&self) -> Self {
        Natural {
            limbs: fallible::copied(&self.limbs),
        }
    }
}

impl Natural {
    /// The number zero.
    pub const fn zero() -> Self {
        Natural { limbs: Vec::new() }
    }

    /// The natural number whose little-endian 64-bit limbs are `limbs`.
    pub fn from_limbs(mut limbs: Vec<u64>) -> Self {
        limbs::trim(&mut limbs);
        Natural { limbs }
    }

    /// `value`, with room for `limbs` limbs before it reallocates.
    pub(crate) fn with_room(value: u64, limbs: usize) -> Self {
        let mut v = fallible::with_capacity(limbs.max(1));
        v.push(value);
        Natural::from_limbs(v)
    }

    /// The little-endian 64-bit limbs, without zero limbs at the top.
    pub fn limbs(&self) -> &[u64] {
        &self.limbs
    }

    /// Whether this is zero.
    pub fn is_zero(&self) -> bool {
        self.limbs.is_empty()
    }

    /// The number of significant bits (0 for zero).
    pub fn bit_len(&self) -> u64 {
        match self.limbs.last() {
            None => 0,
            Some(&top) => 64 * self.limbs.len() as u64 - u64::from(top.leading_zeros()),
        }
    }

    /// The value as a `u64`, if it fits.
    pub fn to_u64(&self) -> Option<u64> {
        match self.limbs.len() {
            0 => Some(0),
            1 => Some(self.limbs[0]),
            _ => None,
        }
    }

    /// The value as a `u128`, if it fits.
    pub fn to_u128(&self) -> Option<u128> {
        match self.limbs.len() {
            0 => Some(0),
            1 => Some(u128::from(self.limbs[0])),
            2 => Some(u128::from(self.limbs[0]) | u128::from(self.limbs[1]) << 64),
            _ => None,
        }
    }

    /// `self - other`, or `None` when `other > self`.
    pub fn checked_sub(&self, other: &Natural) -> Option<Natural> {
        if *self < *other {
            return None;
        }
        let mut limbs = fallible::copied(&self.limbs);
        limbs::sub_assign(&mut limbs, &other.limbs);
        Some(Natural::from_limbs(limbs))
    }

    /// `|self - other|`, and whether `other > self`.
    pub fn abs_diff(&self, other: &Natural) -> (Natural, bool) {
        match self.checked_sub(other) {
            Some(d) => (d, false),
            None => (other.checked_sub(self).unwrap_or_default(), true),
        }
    }

    /// `self mod 2^bits`.
    pub fn low_bits(&self, bits: u64) -> Natural {
        let full = (bits / 64) as usize;
        if full >= self.limbs.len() {
            return self.clone();
        }
        let mut limbs = fallible::copied(&self.limbs[..=full]);
        limbs[full] &= (1u64 << (bits % 64)) - 1;
        Natural::from_limbs(limbs)
    }

    /// Whether `self mod 2^bits` and `other` add up to at least `2^bits`,
    /// without forming either.
    pub(crate) fn low_bits_carry(&self, bits: u64, other: &Natural) -> bool {
        if other.bit_len() > bits {
            return true;
        }
        // They carry where `other` exceeds 2^bits - 1 - (self mod 2^bits),
        // the low bits complemented.
        for i in (0..bits.div_ceil(64) as usize).rev() {
            let mask = if i as u64 == bits / 64 {
                (1u64 << (bits % 64)) - 1
            } else {
                u64::MAX
            };
            let complement = !self.limbs.get(i).copied().unwrap_or(0) & mask;
            let limb = other.limbs.get(i).copied().unwrap_or(0);
            if complement != limb {
                return complement < limb;
            }
        }
        false
    }

    /// `self mod 2^bits`, in `self`'s memory.
    pub(crate) fn into_low_bits(self, bits: u64) -> Natural {
        let full = (bits / 64) as usize;
        let mut limbs = self.limbs;
        if full < limbs.len() {
            limbs.truncate(full + 1);
            limbs[full] &= (1u64 << (bits % 64)) - 1;
        }
        Natural::from_limbs(limbs)
    }

    /// `self * m` for a single-limb factor.
    pub fn mul_small(&self, m: u64) -> Natural {
        let mut limbs = fallible::with_capacity(self.limbs.len() + 1);
        limbs.extend_from_slice(&self.limbs);
        let carry = limbs::mul_small_assign(&mut limbs, m);
        limbs.push(carry);
        Natural::from_limbs(limbs)
    }

    /// `self *= f` for each single-limb factor `f`, one pass over the limbs
    /// for as many consecutive factors as a limb holds.
    pub(crate) fn mul_small_assign(&mut self, factors: &[u64]) {
        let mut rest = factors;
        while let Some((&first, tail)) = rest.split_first() {
            let mut m = first;
            rest = tail;
            while let Some((&f, tail)) = rest.split_first() {
                let Some(product) = m.checked_mul(f) else {
                    break;
                };
                m = product;
                rest = tail;
            }
            let carry = limbs::mul_small_assign(&mut self.limbs, m);
            if carry != 0 {
                fallible::push(&mut self.limbs, carry);
            }
        }
        limbs::trim(&mut self.limbs);
    }

    /// `self += x·m` for a single-limb `m`.
    pub(crate) fn add_mul_small(&mut self, x: &Natural, m: u64) {
        let len = self.limbs.len().max(x.limbs.len() + 1);
        fallible::resize(&mut self.limbs, len, 0);
        if limbs::add_mul_small_in_place(&mut self.limbs, &x.limbs, m) {
            fallible::push(&mut self.limbs, 1);
        }
        limbs::trim(&mut self.limbs);
    }

    /// `self = |self - x·m|` for a single-limb `m`; `true` when `x·m` was
    /// the larger.
    pub(crate) fn sub_mul_small(&mut self, x: &Natural, m: u64) -> bool {
        let len = self.limbs.len().max(x.limbs.len() + 1);
        fallible::resize(&mut self.limbs, len, 0);
        let flipped = limbs::sub_mul_small_in_place(&mut self.limbs, &x.limbs, m);
        if flipped {
            limbs::negate_in_place(&mut self.limbs);
        }
        limbs::trim(&mut self.limbs);
        flipped
    }

    /// `self + a` for a single-limb addend.
    pub fn add_small(&self, a: u64) -> Natural {
        let mut limbs = fallible::copied(&self.limbs);
        limbs::add_assign(&mut limbs, &[a]);
        Natural::from_limbs(limbs)
    }

    /// `self * self`.
    pub fn square(&self) -> Natural {
        self.square_in(Arith::shared())
    }

    /// `self * self` in the context `arith`.
    pub(crate) fn square_in(&self, arith: Arith<'_>) -> Natural {
        Natural::from_limbs(mul::square(&self.limbs, arith))
    }

    /// Sets `self` to `a·b`, its memory going to the product where the
    /// product can take it, as GMP's `mpz_mul` reuses its result's: a loop
    /// of long products then clears no fresh pages for each result.
    pub fn assign_mul(&mut self, a: &Natural, b: &Natural) {
        let arith = Arith::shared();
        arith.transforms().recycle(std::mem::take(&mut self.limbs));
        *self = a.mul_in(b, arith);
    }

    /// `self * other` in the context `arith`.
    pub(crate) fn mul_in(&self, other: &Natural, arith: Arith<'_>) -> Natural {
        Natural::from_limbs(mul::mul(&self.limbs, &other.limbs, arith))
    }

    /// `floor(self · other / 2^shift)` in the context `arith`: the limbs of
    /// a long product below the shift are not formed.
    pub(crate) fn mul_shifted_in(&self, other: &Natural, shift: u64, arith: Arith<'_>) -> Natural {
        let drop = (shift / 64) as usize;
        let mut high = Natural::from_limbs(mul::mul_above(&self.limbs, &other.limbs, drop, arith));
        high >>= shift % 64;
        high
    }

    /// `(x, m)` with `x ≡ self·other (mod 2^m - 1)`, `x < 2^m`, for an
    /// `m >= bits` chosen to suit the product (see `mul::mul_wrapped`):
    /// cheaper than the product where only some of its bits are needed.
    pub(crate) fn mul_wrapped(
        &self,
        other: &Natural,
        bits: u64,
        arith: Arith<'_>,
    ) -> (Natural, u64) {
        let (x, m) = mul::mul_wrapped(&self.limbs, Some(&other.limbs), bits, arith);
        (Natural::from_limbs(x), m)
    }

    /// [`Natural::mul_wrapped`] of `self` by itself.
    pub(crate) fn square_wrapped(&self, bits: u64, arith: Arith<'_>) -> (Natural, u64) {
        let (x, m) = mul::mul_wrapped(&self.limbs, None, bits, arith);
        (Natural::from_limbs(x), m)
    }

    /// `(|2^k - x|, x > 2^k)` for an `x ≡ self (mod 2^m - 1)` known to be
    /// within `2^(m-2)` of `2^k`, `m` a multiple of 64: a Newton step's
    /// residual from a wrapped product (see [`Natural::mul_wrapped`]).
    pub(crate) fn distance_from_power(self, m: u64, k: u64) -> (Natural, bool) {
        // 2^k ≡ 2^(k mod m).
        self.distance_from(m, &Natural::from(1u64) << (k % m))
    }

    /// `(|t - x|, x > t)` for an `x ≡ self (mod 2^m - 1)` known to be
    /// within `2^(m-2)` of `t`, `m` a multiple of 64: the residual of a
    /// division from a wrapped product. Both are folded in place, and the
    /// result takes the memory of one of them.
    pub(crate) fn distance_from(self, m: u64, t: Natural) -> (Natural, bool) {
        debug_assert!(m.is_multiple_of(64));
        let words = (m / 64) as usize;
        let folded = |x: Natural| {
            let mut x = x.limbs;
            limbs::fold_mersenne(&mut x, words);
            Natural::from_limbs(x)
        };
        let (mut z, mut t) = (folded(self), folded(t));
        // d ≡ t - x, in [0, 2^m - 1]: t - z, else 2^m - 1 - (z - t).
        let d = if t >= z {
            t -= &z;
            t
        } else {
            z -= &t;
            z.complement(words)
        };
        if d.bit_len() < m {
            (d, false)
        } else {
            (d.complement(words), true)
        }
    }

    /// `2^(64·words) - 1 - self`, for `self` below `2^(64·words)`, in its
    /// memory.
    fn complement(self, words: usize) -> Natural {
        let mut limbs = self.limbs;
        fallible::resize(&mut limbs, words, 0);
        for limb in &mut limbs {
            *limb = !*limb;
        }
        Natural::from_limbs(limbs)
    }

    /// For each of `sums`, the sum of `operands[i] · operands[j]` over the
    /// pairs `(i, j)` it lists, divided by `2^(64·drop)` and rounded down
    /// (the memory of the limbs dropped is never taken); large operands are
    /// transformed once for all their products.
    pub(crate) fn sums_of_products(
        operands: &[&Natural],
        sums: &[&[(usize, usize)]],
        drop: usize,
        arith: Arith<'_>,
    ) -> Vec<Natural> {
        let sources: Vec<Source<'_>> = operands.iter().map(|x| Source::Memory(&x.limbs)).collect();
        Natural::sums_of_sources(&sources, sums, drop, arith)
    }

    /// [`Natural::sums_of_products`] of numbers set aside: those waiting in
    /// spill files are read back one at a time where the products'
    /// transforms wait on disk too (see [`Spill::transforms_min_limbs`]),
    /// else together.
    pub(crate) fn sums_of_parked(
        operands: &[&Parked<'_>],
        sums: &[&[(usize, usize)]],
        drop: usize,
        arith: Arith<'_>,
    ) -> Vec<Natural> {
        let sources: Vec<Source<'_>> = operands.iter().map(|x| x.source()).collect();
        Natural::sums_of_sources(&sources, sums, drop, arith)
    }

    /// [`Natural::sums_of_products`] of the numbers whose limbs are at
    /// `sources`.
    fn sums_of_sources(
        sources: &[Source<'_>],
        sums: &[&[(usize, usize)]],
        drop: usize,
        arith: Arith<'_>,
    ) -> Vec<Natural> {
        mul::sums_of_products(sources, sums, drop, arith)
            .into_iter()
            .map(Natural::from_limbs)
            .collect()
    }

    /// `base` raised to `exp`.
    pub fn pow(base: u64, exp: u64) -> Natural {
        Natural::pow_in(base, exp, Arith::shared())
    }

    /// [`Natural::pow`] in the context `arith`.
    pub(crate) fn pow_in(base: u64, exp: u64, arith: Arith<'_>) -> Natural {
        let mut result = Natural::from(1u64);
        for bit in (0..64 - exp.leading_zeros()).rev() {
            result = result.square_in(arith);
            if exp >> bit & 1 == 1 {
                result = result.mul_small(base);
            }
        }
        result
    }

    /// Quotient and remainder of the division by a single non-zero limb, or
    /// `None` when `d` is zero.
    pub fn div_rem_small(&self, d: u64) -> Option<(Natural, u64)> {
        if d == 0 {
            return None;
        }
        let mut limbs = fallible::copied(&self.limbs);
        let rem = limbs::div_rem_small_assign(&mut limbs, d);
        Some((Natural::from_limbs(limbs), rem))
    }

    /// Quotient and remainder of `self / d` (floor division), or `None` when
    /// `d` is zero.
    pub fn div_rem(&self, d: &Natural) -> Option<(Natural, Natural)> {
        if d.is_zero() {
            return None;
        }
        Some(div::div_rem(self, d, Arith::shared()))
    }

    /// `self / d` for an odd `d` that divides `self`; `None` when `d` is
    /// even. Quadratic in the lengths: meant for divisors of a few hundred
    /// limbs at most. The result is meaningless when `d` does not divide.
    pub(crate) fn exact_quotient(&self, d: &Natural) -> Option<Natural> {
        (d.limbs.first().is_some_and(|&low| low % 2 == 1)).then(|| div::exact_quotient(self, d))
    }

    /// `a / d · 2^bits` without the exact correction (its error is in
    /// `div.rs`), or `None` when `d` is zero; `a` and `d` are freed as early
    /// as possible.
    pub(crate) fn scaled_quotient(
        a: Natural,
        d: Natural,
        bits: u64,
        arith: Arith<'_>,
    ) -> Option<Natural> {
        (!d.is_zero()).then(|| div::scaled_quotient(a, d, bits, arith))
    }

    /// The floor of the square root.
    pub fn sqrt(&self) -> Natural {
        self.sqrt_rem().0
    }

    /// Within 2 units of `2^bits / √c`, for `0 < c < 2^24` (`None` for
    /// other `c`).
    pub fn inverse_sqrt(c: u64, bits: u64) -> Option<Natural> {
        Natural::inverse_sqrt_in(c, bits, Arith::shared())
    }

    /// [`Natural::inverse_sqrt`] in the context `arith`.
    pub(crate) fn inverse_sqrt_in(c: u64, bits: u64, arith: Arith<'_>) -> Option<Natural> {
        (c > 0 && c < sqrt::INVERSE_SQRT_MAX).then(|| sqrt::inverse_sqrt(c, bits, arith))
    }

    /// The floor of the square root and the remainder `self - root²`.
    pub fn sqrt_rem(&self) -> (Natural, Natural) {
        sqrt::sqrt_rem(self, Arith::shared())
    }

    /// The decimal digits, left-padded with zeros to at least `width` digits.
    pub fn to_decimal_padded(&self, width: usize) -> String {
        radix::to_decimal(self, width, Arith::shared())
    }

    /// The lowercase hexadecimal digits, left-padded with zeros to at least
    /// `width` digits.
    pub fn to_hex_padded(&self, width: usize) -> String {
        radix::to_hex(self, width)
    }

    /// Parses a string of ASCII decimal digits; `None` if it is empty or
    /// holds anything else.
    pub fn from_decimal(digits: &str) -> Option<Natural> {
        radix::from_decimal(digits, Arith::shared())
    }
}

impl From<u64> for Natural {
    fn from(v: u64) -> Self {
        Natural::from_limbs(vec![v])
    }
}

impl From<u128> for Natural {
    fn from(v: u128) -> Self {
        Natural::from_limbs(vec![v as u64, (v >> 64) as u64])
    }
}

impl Ord for Natural {
    fn cmp(&self, other: &Self) -> Ordering {
        limbs::cmp(&self.limbs, &other.limbs)
    }
}

impl PartialOrd for Natural {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Add<&Natural> for &Natural {
    type Output = Natural;
    fn add(self, rhs: &Natural) -> Natural {
        let (long, short) = if self.limbs.len() >= rhs.limbs.len() {
            (self, rhs)
        } else {
            (rhs, self)
        };
        let mut limbs = fallible::with_capacity(long.limbs.len() + 1);
        limbs.extend_from_slice(&long.limbs);
        limbs::add_assign(&mut limbs, &short.limbs);
        Natural::from_limbs(limbs)
    }
}

/// Panics if `rhs > self`, as subtraction of unsigned primitives does; see
/// [`Natural::checked_sub`] for the fallible form.
impl Sub<&Natural> for &Natural {
    type Output = Natural;
    fn sub(self, rhs: &Natural) -> Natural {
        match self.checked_sub(rhs) {
            Some(d) => d,
            None => panic!("Natural subtraction underflow"),
        }
    }
}

impl Mul<&Natural> for &Natural {
    type Output = Natural;
    fn mul(self, rhs: &Natural) -> Natural {
        self.mul_in(rhs, Arith::shared())
    }
}

impl Shl<u64> for &Natural {
    type Output = Natural;
    fn shl(self, bits: u64) -> Natural {
        Natural::from_limbs(limbs::shl(&self.limbs, bits))
    }
}

impl Shr<u64> for &Natural {
    type Output = Natural;
    fn shr(self, bits: u64) -> Natural {
        Natural::from_limbs(limbs::shr(&self.limbs, bits))
    }
}

impl AddAssign<&Natural> for Natural {
    fn add_assign(&mut self, rhs: &Natural) {
        limbs::add_assign(&mut self.limbs, &rhs.limbs);
    }
}

/// Panics if `rhs > self`, as `-` does.
impl SubAssign<&Natural> for Natural {
    fn sub_assign(&mut self, rhs: &Natural) {
        if *self < *rhs {
            panic!("Natural subtraction underflow");
        }
        limbs::sub_assign(&mut self.limbs, &rhs.limbs);
    }
}

impl MulAssign<&Natural> for Natural {
    fn mul_assign(&mut self, rhs: &Natural) {
        *self = &*self * rhs;
    }
}

impl ShlAssign<u64> for Natural {
    fn shl_assign(&mut self, bits: u64) {
        limbs::shl_in_place(&mut self.limbs, bits);
    }
}

impl ShrAssign<u64> for Natural {
    fn shr_assign(&mut self, bits: u64) {
        limbs::shr_in_place(&mut self.limbs, bits);
    }
}

/// The owned forms of a binary operator, from its borrowed one and its
/// assigning one: `a op b`, `a op &b`, `&a op b`, and `a op= b`.
macro_rules! owned_operators {
    ($op:ident, $method:ident, $assign:ident, $assign_method:ident) => {
        impl $op<Natural> for Natural {
            type Output = Natural;
            fn $method(mut self, rhs: Natural) -> Natural {
                self.$assign_method(&rhs);
                self
            }
        }

        impl $op<&Natural> for Natural {
            type Output = Natural;
            fn $method(mut self, rhs: &Natural) -> Natural {
                self.$assign_method(rhs);
                self
            }
        }

        impl $op<Natural> for &Natural {
            type Output = Natural;
            fn $method(self, rhs: Natural) -> Natural {
                self.$method(&rhs)
            }
        }

        impl $assign<Natural> for Natural {
            fn $assign_method(&mut self, rhs: Natural) {
                self.$assign_method(&rhs);
            }
        }
    };
}

owned_operators!(Add, add, AddAssign, add_assign);
owned_operators!(Sub, sub, SubAssign, sub_assign);
owned_operators!(Mul, mul, MulAssign, mul_assign);

impl Shl<u64> for Natural {
    type Output = Natural;
    fn shl(self, bits: u64) -> Natural {
        &self << bits
    }
}

impl Shr<u64> for Natural {
    type Output = Natural;
    fn shr(self, bits: u64) -> Natural {
        &self >> bits
    }
}

impl fmt::Display for Natural {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad_integral(true, "", &self.to_decimal_padded(1))
    }
}

impl fmt::Debug for Natural {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{}", self.to_hex_padded(1))
    }
}

impl fmt::LowerHex for Natural {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad_integral(true, "0x", &self.to_hex_padded(1))
    }
}

/// `len` pseudo-random limbs from `seed` (a linear congruential generator
/// whose low bits are mixed with its high ones), for tests.
#[cfg(test)]
fn lcg_limbs(len: usize, seed: u64) -> Vec<u64> {
    let mut s = seed;
    (0..len)
        .map(|_| {
            s = s
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            s ^ s >> 29
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_from_power_recovers_the_residual() {
        let one = Natural::from(1u64);
        for (m, k) in [(128u64, 200u64), (192, 130), (640, 1000)] {
            let modulus = &(&one << m) - &one;
            for d in [0u64, 1, 12345, u64::MAX] {
                let d = &Natural::from(d) << (m.min(k) - 66);
                for (x, above) in [(&(&one << k) + &d, true), (&(&one << k) - &d, false)] {
                    // x itself, and two other representatives of its class.
                    let (_, low) = x.div_rem(&modulus).unwrap_or_default();
                    for z in [x.clone(), low.clone(), &low + &modulus] {
                        let (distance, sign) = z.distance_from_power(m, k);
                        assert_eq!(distance, d, "m {m}, k {k}");
                        assert!(sign == above || d.is_zero(), "m {m}, k {k}");
                    }
                }
            }
        }
    }

    /// Against one multiplication at a time, with factors of every size.
    #[test]
    fn owned_and_assigning_operators_agree_with_borrowed_ones() {
        let a = &Natural::from(u64::MAX) << 200;
        let b = Natural::from(12_345u64);
        assert_eq!(a.clone() + b.clone(), &a + &b);
        assert_eq!(a.clone() + &b, &a + &b);
        assert_eq!(&b + a.clone(), &a + &b);
        assert_eq!(a.clone() - b.clone(), &a - &b);
        assert_eq!(&a - b.clone(), &a - &b);
        assert_eq!(a.clone() * b.clone(), &a * &b);
        assert_eq!(a.clone() * &b, &a * &b);
        assert_eq!(a.clone() << 70, &a << 70);
        assert_eq!(a.clone() >> 70, &a >> 70);
        let mut x = a.clone();
        x += &b;
        x *= b.clone();
        x -= &b;
        x <<= 3;
        x >>= 1;
        assert_eq!(x, &(&(&(&(&a + &b) * &b) - &b) << 3) >> 1);
        let mut small = b.clone();
        small += a.clone();
        assert_eq!(small, &a + &b);
    }

    #[test]
    #[should_panic(expected = "underflow")]
    fn subtraction_below_zero_panics() {
        let mut x = Natural::from(1u64);
        x -= Natural::from(2u64);
    }

    #[test]
    fn mul_small_assign_multiplies_by_its_factors() {
        let factors = [0u64, 1, 3, u64::MAX, 1 << 63, 12_345, u64::MAX - 1];
        let start_value = &Natural::from(u64::MAX) << 100;
        for start in 0..=factors.len() {
            for end in start..=factors.len() {
                let slice = &factors[start..end];
                let expected = slice
                    .iter()
                    .fold(start_value.clone(), |x, &m| &x * &Natural::from(m));
                let mut x = start_value.clone();
                x.mul_small_assign(slice);
                assert_eq!(x, expected, "{slice:?}");
            }
        }
    }

    #[test]
    fn small_multiples_add_and_subtract() {
        let values = [
            Natural::zero(),
            Natural::from(5u64),
            Natural::from(u64::MAX),
            &Natural::from(u64::MAX) << 130,
            &(&Natural::from(1u64) << 192) - &Natural::from(1u64),
        ];
        for acc in &values {
            for x in &values {
                for m in [0u64, 1, 7, u64::MAX] {
                    let product = x.mul_small(m);
                    let mut sum = acc.clone();
                    sum.add_mul_small(x, m);
                    assert_eq!(sum, acc + &product);
                    let mut difference = acc.clone();
                    let flipped = difference.sub_mul_small(x, m);
                    assert_eq!((difference, flipped), acc.abs_diff(&product));
                }
            }
        }
    }
}
