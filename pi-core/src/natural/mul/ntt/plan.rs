//! The plan of a product: coefficient packing, number of primes and
//! transform length.

use super::field::Field;
use super::packing::{self, Packing};

/// The coefficients of a sum of the products of `pairs` of operands of
/// `lens` limbs.
pub(super) fn sum_coefficients(
    packing: Packing,
    lens: &[usize],
    pairs: &[(usize, usize)],
) -> usize {
    let coefficients = |i: usize| packing.coefficients(lens[i]);
    pairs
        .iter()
        .map(|&(i, j)| coefficients(i) + coefficients(j))
        .max()
        .unwrap_or(0)
}

/// The transform length for a product of `len` limbs: the smallest `2^k` or
/// `3·2^k` (thirds of at least [`MIN_RADIX3_PART`]) that holds it.
pub(super) fn transform_length(len: usize) -> usize {
    let power = len.next_power_of_two();
    let three = power / 4 * 3;
    if power / 4 >= MIN_RADIX3_PART && three >= len {
        three
    } else {
        power
    }
}

/// The transform length for a product, or sums of products, of
/// `coefficients` coefficients from operands of at most `longest`, by
/// `transforms` transforms of that length: [`transform_length`], or where
/// it costs less the longest length below, that the coefficients overflow
/// by a little; the `tops` products (at most) that overflow then give
/// their wrapped coefficients through short products of their operands'
/// tops (see `convolution.rs`).
pub(super) fn folded_length(
    coefficients: usize,
    longest: usize,
    (transforms, tops): (usize, usize),
) -> usize {
    let n = transform_length(coefficients);
    let m = transform_length_below(coefficients);
    if coefficients < FOLD_MIN || m >= coefficients || longest > m {
        return n;
    }
    // A top product has fewer than twice the coefficients that wrap.
    let top = transform_length(2 * (coefficients - m));
    let cost = |len: usize, count: usize| (len * count) as f64 * (len as f64).log2();
    if cost(m, transforms) + cost(top, 3 * tops) < FOLD_GAIN * cost(n, transforms) {
        m
    } else {
        n
    }
}

/// Products from this many coefficients may be folded ([`folded_length`]):
/// shorter ones gain less in a computation than their buffers of other
/// lengths cost in memory.
const FOLD_MIN: usize = 1 << 18;

/// The share of the unfolded cost a folded product must stay below: its
/// passes over the tops and the short products' own costs.
const FOLD_GAIN: f64 = 0.9;

/// The longest of the transform lengths (`2^k`, `3·2^k`) not above `len`
/// (at least one).
pub(super) fn transform_length_below(len: usize) -> usize {
    let power = 1 << len.max(1).ilog2();
    let three = power / 2 * 3;
    if power / 2 >= MIN_RADIX3_PART && three <= len {
        three
    } else {
        power
    }
}

/// The longest sum of two products of `limbs / 2` limbs each (as
/// [`super::sums_of_products`] takes them), at most `limbs` limbs long, whose
/// transform has no padding: longer ones need a longer transform.
pub(in super::super) fn full_length(limbs: usize) -> usize {
    with_field!(F => full_length_in::<F>(limbs))
}

/// [`full_length`] over the field `F`.
pub(super) fn full_length_in<F: Field>(limbs: usize) -> usize {
    // The longest transform that `limbs` fill, and the most limbs whose
    // two halves' coefficients it holds.
    let full = |packing: Packing| {
        let n = transform_length_below(packing.coefficients(limbs));
        (2 * (n / 2 * packing.bits() as usize / 64)).min(limbs)
    };
    let narrow = Plan::new::<F>(limbs).packing;
    let length = full(narrow);
    // Shorter products may take wider coefficients: then that many limbs
    // fill a transform with those, if they still take them.
    let wide = Plan::new::<F>(length).packing;
    let wide_length = full(wide);
    if wide != narrow && Plan::new::<F>(wide_length).packing == wide {
        wide_length
    } else {
        length
    }
}

/// The shortest power-of-two part of a `3·2^k` transform.
pub(super) const MIN_RADIX3_PART: usize = 1 << 6;

/// How a product is computed: the width of its coefficients and the number
/// of primes.
#[derive(Clone, Copy, Debug)]
pub(super) struct Plan {
    pub(super) packing: Packing,
    pub(super) primes: usize,
}

impl Plan {
    /// For a product (or a sum of `k` products) whose shorter operand has
    /// `bound / k` limbs: the widest coefficients that need no more primes
    /// than limbs do, limbs balanced where that saves a prime.
    pub(super) fn new<F: Field>(bound: usize) -> Plan {
        let plain = primes_needed::<F>(Packing::LIMBS, bound);
        let limbs = match primes_needed::<F>(Packing::BALANCED, bound) {
            // The recombination takes balanced limbs with three primes.
            Some(BALANCED_PRIMES) if plain.is_none_or(|p| p > BALANCED_PRIMES) => Some(Plan {
                packing: Packing::BALANCED,
                primes: BALANCED_PRIMES,
            }),
            _ => plain.map(|primes| Plan {
                packing: Packing::LIMBS,
                primes,
            }),
        };
        let wide = packing::WIDE_BITS.iter().find_map(|&bits| {
            let packing = Packing::wide(bits);
            primes_needed::<F>(packing, bound)
                .filter(|&primes| limbs.is_none_or(|limbs| primes <= limbs.primes))
                .map(|primes| Plan { packing, primes })
        });
        wide.or(limbs).unwrap_or(Plan {
            packing: Packing::LIMBS,
            primes: F::PRIMES.len(),
        })
    }
}

/// The primes of every plan of balanced limbs.
pub(super) const BALANCED_PRIMES: usize = 3;

/// The fewest of `F`'s first primes whose product exceeds every coefficient
/// of a product (or a sum of `k` products) cut by `packing` whose shorter
/// operand has `bound / k` limbs: each sums at most `c` products of two
/// coefficients below `2^bits`, `c` the coefficients of `bound` limbs (to
/// within `k`, which the margin covers). Balanced limbs' coefficients lie
/// within `±2^126·(c + 72)` (their last digits reach `2^64`; the margin
/// covers up to ten products per sum, see `garner.rs`), and the primes
/// must exceed twice that. `None` if all of them do not.
pub(super) fn primes_needed<F: Field>(packing: Packing, bound: usize) -> Option<usize> {
    let terms = packing.coefficients(bound.max(1)) as f64;
    let bits = f64::from(packing.bits());
    let needed = if packing.is_balanced() {
        2.0 * bits - 1.0 + (terms + 72.0).log2()
    } else {
        2.0 * bits + terms.log2()
    } + 0.01;
    let mut bits = 0.0;
    for (k, &(p, _)) in F::PRIMES.iter().enumerate() {
        bits += (p as f64).log2();
        if bits > needed {
            return Some(k + 1);
        }
    }
    None
}
