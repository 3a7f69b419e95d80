//! Small prime factors of the series' `P` and `Q`, so that binary splitting
//! can divide a merge's operands by what they have in common (the trick of
//! gmp-chudnovsky): `P` of a left half and `Q` of the right one share many
//! small primes, and the smaller operands make every later product smaller.

use std::sync::OnceLock;

use crate::natural::{inverse_mod_2_64, pow_mod, Natural};

/// Odd primes below this bound are tracked. They make up nearly all of what
/// `P` of a range and `Q` of the next have in common when the ranges are
/// short (see `FACTORED_TERMS` in the parent module).
const PRIME_BOUND: u32 = 1024;

/// The odd prime factors of each term's constant factor of `Q`,
/// `10939058860032000 = 2^15·3^2·5^3·23^3·29^3` (`P` is odd): the indices
/// of 3, 5, 23 and 29 among the odd primes, and their exponents.
const Q_CONSTANT: [(usize, u32); 4] = [(0, 2), (1, 3), (7, 3), (8, 3)];

/// How many odd primes lie below [`PRIME_BOUND`].
const TRACKED: usize = odd_primes_below(PRIME_BOUND);

/// The number of odd primes below `bound`.
const fn odd_primes_below(bound: u32) -> usize {
    let mut count = 0;
    let mut n = 3;
    while n < bound {
        if is_odd_prime(n) {
            count += 1;
        }
        n += 2;
    }
    count
}

/// Whether the odd `n > 1` is prime, by trial division.
const fn is_odd_prime(n: u32) -> bool {
    let mut d = 3;
    while d * d <= n {
        if n.is_multiple_of(d) {
            return false;
        }
        d += 2;
    }
    true
}

/// A product of powers of the tracked primes: the exponent of each, in the
/// order of [`tracked_primes`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Factors([u32; TRACKED]);

impl Default for Factors {
    fn default() -> Self {
        Factors([0; TRACKED])
    }
}

impl Factors {
    /// `self · other`.
    pub(super) fn mul(&self, other: &Factors) -> Factors {
        let mut product = self.clone();
        for (e, f) in product.0.iter_mut().zip(&other.0) {
            *e += f;
        }
        product
    }

    /// Divides `self` and `other` by their greatest common divisor and
    /// returns it.
    pub(super) fn remove_common(&mut self, other: &mut Factors) -> Factors {
        let mut common = Factors::default();
        for ((c, e), f) in common.0.iter_mut().zip(&mut self.0).zip(&mut other.0) {
            *c = (*e).min(*f);
            *e -= *c;
            *f -= *c;
        }
        common
    }

    /// Whether this is the empty product, 1.
    pub(super) fn is_one(&self) -> bool {
        self.0.iter().all(|&e| e == 0)
    }

    /// The product's value.
    pub(super) fn value(&self) -> Natural {
        let primes: Vec<u64> = tracked_primes()
            .iter()
            .zip(&self.0)
            .flat_map(|(prime, &e)| std::iter::repeat_n(u64::from(prime.p), e as usize))
            .collect();
        let mut value = Natural::from(1u64);
        value.mul_small_assign(&primes);
        value
    }
}

/// A tracked prime, its inverse modulo `2^64` (`x·inverse` is `x / p`
/// when `p` divides `x`, and above `u64::MAX / p` when not), and the
/// residues of `k` modulo it for which it divides `2k - 1`, `6k - 5` and
/// `6k - 1` (`None`: never).
struct Prime {
    p: u32,
    inverse: u64,
    roots: [Option<u32>; 3],
}

/// The multipliers and subtrahends of the linear factors `2k - 1`,
/// `6k - 5` and `6k - 1` of `P(k)`, in the order of [`Prime::roots`].
const P_FORMS: [(u64, u64); 3] = [(2, 1), (6, 5), (6, 1)];

/// The odd primes below [`PRIME_BOUND`] with their roots.
fn tracked_primes() -> &'static [Prime] {
    static PRIMES: OnceLock<Vec<Prime>> = OnceLock::new();
    PRIMES.get_or_init(|| {
        (3..PRIME_BOUND)
            .step_by(2)
            .filter(|&p| is_odd_prime(p))
            .map(|p| Prime {
                p,
                inverse: inverse_mod_2_64(u64::from(p)),
                // c·k ≡ d (mod p): k ≡ d·c^(p-2); 6 has no inverse modulo 3.
                roots: P_FORMS.map(|(c, d)| {
                    let p = u64::from(p);
                    (c % p != 0).then(|| (d * pow_mod(c, p - 2, p) % p) as u32)
                }),
            })
            .collect()
    })
}

/// The tracked factors of `P(k) = (6k-5)(2k-1)(6k-1)` and of
/// `Q(k) = 10939058860032000·k³` for each term `k` of a range.
pub(super) struct TermFactors {
    start: u64,
    p: ByTerm,
    q: ByTerm,
}

/// A tracked prime's index in [`tracked_primes`] and its exponent.
type Power = (u16, u32);

/// The powers of each term of a range, one term after the other.
struct ByTerm {
    /// Where each term's powers begin, and where the last ones end.
    starts: Vec<usize>,
    powers: Vec<Power>,
}

impl ByTerm {
    /// The hits `(term, power)` of `terms` terms grouped by term (a
    /// counting sort).
    fn new(hits: Vec<(u32, Power)>, terms: u64) -> ByTerm {
        let mut starts = vec![0usize; terms as usize + 1];
        for &(term, _) in &hits {
            starts[term as usize + 1] += 1;
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let mut next = starts.clone();
        let mut powers = vec![(0, 0); hits.len()];
        for (term, power) in hits {
            powers[next[term as usize]] = power;
            next[term as usize] += 1;
        }
        ByTerm { starts, powers }
    }

    /// The product of the powers of the terms `i..j` (from the range's
    /// first).
    fn product(&self, i: usize, j: usize) -> Factors {
        let mut product = Factors::default();
        for &(index, e) in &self.powers[self.starts[i]..self.starts[j]] {
            product.0[usize::from(index)] += e;
        }
        product
    }
}

impl TermFactors {
    /// The factors of the terms `a..b`, by sieving each linear factor with
    /// each tracked prime.
    pub(super) fn new(a: u64, b: u64) -> TermFactors {
        let mut p_hits = Vec::new();
        let mut q_hits = Vec::new();
        for (index, prime) in tracked_primes().iter().enumerate() {
            let index = index as u16;
            for (&(c, d), root) in P_FORMS.iter().zip(prime.roots) {
                if let Some(root) = root {
                    let factor = |k| c * k - d;
                    sieve(
                        a,
                        b,
                        (prime, index),
                        u64::from(root),
                        factor,
                        1,
                        &mut p_hits,
                    );
                }
            }
            sieve(a, b, (prime, index), 0, |k| k, 3, &mut q_hits);
        }
        TermFactors {
            start: a,
            p: ByTerm::new(p_hits, b - a),
            q: ByTerm::new(q_hits, b - a),
        }
    }

    /// The tracked factors of `P` and `Q` of the terms `a..b`, within the
    /// range sieved.
    pub(super) fn product(&self, a: u64, b: u64) -> (Factors, Factors) {
        let (i, j) = ((a - self.start) as usize, (b - self.start) as usize);
        let (p, mut q) = (self.p.product(i, j), self.q.product(i, j));
        let terms = (b - a) as u32;
        for (index, e) in Q_CONSTANT {
            q.0[index] += e * terms;
        }
        (p, q)
    }
}

/// Appends `(k - a, index, multiplicity · e)` for each `k` in `a..b` with
/// `k ≡ root (mod p)`, where `p^e` is the power of the prime `p` (of that
/// index) in `value(k)`.
fn sieve(
    a: u64,
    b: u64,
    (prime, index): (&Prime, u16),
    root: u64,
    value: impl Fn(u64) -> u64,
    multiplicity: u32,
    hits: &mut Vec<(u32, Power)>,
) {
    let p = u64::from(prime.p);
    let first = a + (root + p - a % p) % p;
    for k in (first..b).step_by(p as usize) {
        let mut v = value(k);
        let mut e = 0;
        loop {
            let quotient = v.wrapping_mul(prime.inverse);
            if quotient > u64::MAX / p {
                break;
            }
            v = quotient;
            e += 1;
        }
        hits.push(((k - a) as u32, (index, multiplicity * e)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tracked part of `n`: its powers of odd primes below the bound.
    fn tracked(mut n: u64) -> Factors {
        let mut factors = Factors::default();
        for (e, prime) in factors.0.iter_mut().zip(tracked_primes()) {
            let p = u64::from(prime.p);
            while n.is_multiple_of(p) {
                n /= p;
                *e += 1;
            }
        }
        factors
    }

    #[test]
    fn terms_factor_as_their_trial_division() {
        for (a, b) in [(1, 200), (4094, 4200), (3_000_000_017, 3_000_000_100)] {
            let terms = TermFactors::new(a, b);
            for k in a..b {
                let (p, q) = terms.product(k, k + 1);
                let expected_p = tracked(6 * k - 5)
                    .mul(&tracked(2 * k - 1))
                    .mul(&tracked(6 * k - 1));
                let cube = tracked(k);
                let expected_q = cube
                    .mul(&cube)
                    .mul(&cube)
                    .mul(&tracked(10_939_058_860_032_000));
                assert_eq!((p, q), (expected_p, expected_q), "k = {k}");
            }
            let (p, q) = terms.product(a, b);
            let (mut p_each, mut q_each) = (Factors::default(), Factors::default());
            for k in a..b {
                let (p, q) = terms.product(k, k + 1);
                p_each = p_each.mul(&p);
                q_each = q_each.mul(&q);
            }
            assert_eq!((p, q), (p_each, q_each), "{a}..{b}");
        }
    }

    #[test]
    fn every_odd_prime_below_the_bound_is_tracked() {
        let primes: Vec<u32> = tracked_primes().iter().map(|prime| prime.p).collect();
        let odd_primes: Vec<u32> = (3..PRIME_BOUND)
            .filter(|&n| (2..n).take_while(|d| d * d <= n).all(|d| n % d != 0))
            .collect();
        assert_eq!((primes.len(), &primes), (TRACKED, &odd_primes));
    }

    #[test]
    fn common_factors_divide_both() {
        let (mut x, mut y) = (tracked(3 * 3 * 5 * 7 * 7 * 11), tracked(3 * 7 * 7 * 7 * 13));
        let common = x.remove_common(&mut y);
        assert_eq!(common.value(), Natural::from(3u64 * 7 * 7));
        assert_eq!(x.value(), Natural::from(3u64 * 5 * 11));
        assert_eq!(y.value(), Natural::from(7u64 * 13));
        assert!(x.remove_common(&mut y).is_one());
    }
}
