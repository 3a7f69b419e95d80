//! Linear-time operations on little-endian limb slices.

use std::cmp::Ordering;

use crate::natural::fallible;

/// Drops zero limbs at the top.
pub(crate) fn trim(limbs: &mut Vec<u64>) {
    while limbs.last() == Some(&0) {
        limbs.pop();
    }
}

/// Compares two trimmed limb slices as numbers.
pub(crate) fn cmp(a: &[u64], b: &[u64]) -> Ordering {
    a.len()
        .cmp(&b.len())
        .then_with(|| a.iter().rev().cmp(b.iter().rev()))
}

/// `acc += b`, growing `acc` by a limb if the sum carries out.
pub(crate) fn add_assign(acc: &mut Vec<u64>, b: &[u64]) {
    if acc.len() < b.len() {
        fallible::resize(acc, b.len(), 0);
    }
    if add_in_place(acc, b) {
        fallible::push(acc, 1);
    }
}

/// `acc += b` within `acc`'s length (`acc.len() >= b.len()`); returns the
/// carry out of the top limb.
pub(crate) fn add_in_place(acc: &mut [u64], b: &[u64]) -> bool {
    let mut carry = false;
    for (x, &y) in acc.iter_mut().zip(b) {
        let (s1, c1) = x.overflowing_add(y);
        let (s2, c2) = s1.overflowing_add(u64::from(carry));
        *x = s2;
        carry = c1 | c2;
    }
    if carry {
        for x in acc[b.len()..].iter_mut() {
            let (s, c) = x.overflowing_add(1);
            *x = s;
            if !c {
                return false;
            }
        }
        return true;
    }
    false
}

/// `acc -= b` within `acc`'s length; returns the borrow out of the top limb
/// (set exactly when `b > acc`).
pub(crate) fn sub_in_place(acc: &mut [u64], b: &[u64]) -> bool {
    let mut borrow = false;
    for (x, &y) in acc.iter_mut().zip(b) {
        let (d1, b1) = x.overflowing_sub(y);
        let (d2, b2) = d1.overflowing_sub(u64::from(borrow));
        *x = d2;
        borrow = b1 | b2;
    }
    if borrow {
        for x in acc[b.len()..].iter_mut() {
            let (d, b) = x.overflowing_sub(1);
            *x = d;
            if !b {
                return false;
            }
        }
        return true;
    }
    false
}

/// `acc -= b` for `acc >= b`, then trims `acc`.
pub(crate) fn sub_assign(acc: &mut Vec<u64>, b: &[u64]) {
    let borrow = sub_in_place(acc, b);
    debug_assert!(!borrow, "subtraction underflow");
    trim(acc);
}

/// `acc *= m`; returns the limb carried out of the top.
pub(crate) fn mul_small_assign(acc: &mut [u64], m: u64) -> u64 {
    let mut carry = 0u64;
    for x in acc.iter_mut() {
        let t = u128::from(*x) * u128::from(m) + u128::from(carry);
        *x = t as u64;
        carry = (t >> 64) as u64;
    }
    carry
}

/// `acc += x·m` within `acc`'s length (`acc.len() > x.len()`); returns
/// the carry out of the top limb.
pub(crate) fn add_mul_small_in_place(acc: &mut [u64], x: &[u64], m: u64) -> bool {
    let mut carry = 0u64;
    for (a, &x) in acc.iter_mut().zip(x) {
        let t = u128::from(x) * u128::from(m) + u128::from(*a) + u128::from(carry);
        *a = t as u64;
        carry = (t >> 64) as u64;
    }
    add_in_place(&mut acc[x.len()..], &[carry])
}

/// `acc -= x·m` modulo `2^(64·acc.len())` (`acc.len() > x.len()`);
/// returns the borrow out of the top limb (set exactly when `x·m > acc`).
pub(crate) fn sub_mul_small_in_place(acc: &mut [u64], x: &[u64], m: u64) -> bool {
    let mut borrow = 0u64;
    for (a, &x) in acc.iter_mut().zip(x) {
        let t = u128::from(x) * u128::from(m) + u128::from(borrow);
        let (d, b) = a.overflowing_sub(t as u64);
        *a = d;
        borrow = (t >> 64) as u64 + u64::from(b);
    }
    sub_in_place(&mut acc[x.len()..], &[borrow])
}

/// `acc = 2^(64·acc.len()) - acc` (zero stays zero).
pub(crate) fn negate_in_place(acc: &mut [u64]) {
    let mut carry = true;
    for a in acc.iter_mut() {
        let (s, c) = (!*a).overflowing_add(u64::from(carry));
        *a = s;
        carry = c;
    }
}

/// `x` modulo `2^(64·w) - 1`, in at most `w` limbs (`2^(64·w) - 1` itself
/// may remain): since `2^(64·w) ≡ 1`, the limbs from `w` on are added onto
/// the lowest ones until none is left.
pub(crate) fn fold_mersenne(x: &mut Vec<u64>, w: usize) {
    while x[w.min(x.len())..].iter().any(|&l| l != 0) {
        let high = x.split_off(w);
        add_assign(x, &high);
    }
    x.truncate(w);
}

/// `acc /= d` for `d != 0`; returns the remainder.
pub(crate) fn div_rem_small_assign(acc: &mut [u64], d: u64) -> u64 {
    let mut rem = 0u64;
    for x in acc.iter_mut().rev() {
        let t = u128::from(rem) << 64 | u128::from(*x);
        *x = (t / u128::from(d)) as u64;
        rem = (t % u128::from(d)) as u64;
    }
    rem
}

/// `p^-1 mod 2^64` for odd `p`, by Newton's iteration (each step doubles the
/// correct bits, from 3); its low 32 bits are `p^-1 mod 2^32`.
#[inline(always)]
pub(crate) fn inverse_mod_2_64(p: u64) -> u64 {
    let mut inv = p;
    for _ in 0..5 {
        inv = inv.wrapping_mul(2u64.wrapping_sub(p.wrapping_mul(inv)));
    }
    inv
}

/// `a·b/2^64 mod m` (Montgomery's product, `R = 2^64`) for `a, b < m`, odd
/// `m < 2^63` and `m_inv = m^-1 mod 2^64`.
#[inline(always)]
pub(crate) fn montgomery_mul(a: u64, b: u64, m: u64, m_inv: u64) -> u64 {
    let t = u128::from(a) * u128::from(b);
    let q = (t as u64).wrapping_mul(m_inv);
    let qm = ((u128::from(q) * u128::from(m)) >> 64) as u64;
    // t and q·m agree in their low 64 bits, so this is (t - q·m) / 2^64,
    // plus m when that is negative (the wrapped value is then the larger).
    let r = ((t >> 64) as u64).wrapping_sub(qm);
    r.min(r.wrapping_add(m))
}

/// `base^exp mod m` for `m > 0`.
#[inline]
pub(crate) fn pow_mod(base: u64, mut exp: u64, m: u64) -> u64 {
    let mul = |a: u64, b: u64| (u128::from(a) * u128::from(b) % u128::from(m)) as u64;
    let (mut result, mut square) = (1 % m, base % m);
    while exp > 0 {
        if exp & 1 == 1 {
            result = mul(result, square);
        }
        square = mul(square, square);
        exp >>= 1;
    }
    result
}

/// `a << bits` as a new limb vector (untrimmed).
pub(crate) fn shl(a: &[u64], bits: u64) -> Vec<u64> {
    if a.is_empty() {
        return Vec::new();
    }
    let limbs = (bits / 64) as usize;
    let bits = (bits % 64) as u32;
    let mut out = fallible::with_capacity(limbs + a.len() + 1);
    out.resize(limbs, 0);
    if bits == 0 {
        out.extend_from_slice(a);
    } else {
        let mut prev = 0u64;
        for &x in a {
            out.push(x << bits | prev >> (64 - bits));
            prev = x;
        }
        out.push(prev >> (64 - bits));
    }
    out
}

/// `a >> bits` as a new limb vector (untrimmed).
pub(crate) fn shr(a: &[u64], bits: u64) -> Vec<u64> {
    let limbs = (bits / 64) as usize;
    if limbs >= a.len() {
        return Vec::new();
    }
    let bits = (bits % 64) as u32;
    let a = &a[limbs..];
    if bits == 0 {
        return fallible::copied(a);
    }
    let mut out = fallible::with_capacity(a.len());
    out.extend(
        a.iter()
            .zip(a.iter().skip(1).chain(std::iter::once(&0)))
            .map(|(&lo, &hi)| lo >> bits | hi << (64 - bits)),
    );
    out
}

/// `a << bits` in place, in `a`'s memory (grown by as many limbs).
pub(crate) fn shl_in_place(a: &mut Vec<u64>, bits: u64) {
    if a.is_empty() {
        return;
    }
    let limbs = usize::try_from(bits / 64).unwrap_or(usize::MAX);
    let bits = (bits % 64) as u32;
    fallible::reserve(a, limbs.saturating_add(1));
    if bits > 0 {
        let top = a[a.len() - 1] >> (64 - bits);
        for i in (1..a.len()).rev() {
            a[i] = a[i] << bits | a[i - 1] >> (64 - bits);
        }
        a[0] <<= bits;
        a.push(top);
    }
    a.splice(0..0, std::iter::repeat_n(0, limbs));
    trim(a);
}

/// [`shr`] in place, in `a`'s memory (what it no longer needs given back).
pub(crate) fn shr_in_place(a: &mut Vec<u64>, bits: u64) {
    let limbs = usize::try_from(bits / 64).map_or(a.len(), |limbs| limbs.min(a.len()));
    a.drain(..limbs);
    let bits = (bits % 64) as u32;
    if bits > 0 {
        for i in 0..a.len() {
            let hi = a.get(i + 1).map_or(0, |&hi| hi << (64 - bits));
            a[i] = a[i] >> bits | hi;
        }
    }
    trim(a);
    if a.capacity() - a.len() > a.len() / 16 {
        a.shrink_to_fit();
    }
}
