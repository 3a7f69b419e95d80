//! π by the Chudnovsky series, summed by binary splitting.
//!
//! With `P`, `Q`, `R` over the terms `1..n`,
//! `π = 426880·√10005·Q / (13591409·Q + R)`; each term adds about 47.11 bits.

mod factors;

use std::sync::LazyLock;

use factors::{Factors, TermFactors};

use crate::checkpoint::Number;
use crate::computation::Computation;
use crate::monitor::Stage;
use crate::natural::parallel::join_if;
use crate::natural::{full_product_length, Arith, Natural, Parked};

/// Bits of π gained per term: `log2(640320³ / 1728)`, rounded down.
const BITS_PER_TERM: u64 = 47;

/// Ranges of at least this many terms are split on several threads.
const PARALLEL_TERMS: u64 = 64;

/// The halves of ranges of at least this many terms (in computations from
/// about 9.5·10^8 digits) are split one after the other: each holds
/// gigabytes while it merges, and its products use every thread anyway.
const SEQUENTIAL_TERMS: u64 = 1 << 26;

/// The largest error, in units of `2^-w`, of [`pi_fixed_point`]: its
/// computed error is below 2 units (see there); the rest is margin.
pub(crate) const ERROR_BOUND: u64 = 64;

/// Guard bits of the inverse square root in [`pi_fixed_point`].
const ROOT_GUARD_BITS: u64 = 20;

/// Guard bits of the quotient `Q/D` in [`pi_fixed_point`].
const QUOTIENT_GUARD_BITS: u64 = 32;

/// A signed integer, enough for the alternating sums of the series.
struct Signed {
    negative: bool,
    magnitude: Natural,
}

impl Signed {
    fn add(self, other: Signed) -> Signed {
        if self.negative == other.negative {
            return Signed {
                negative: self.negative,
                magnitude: &self.magnitude + &other.magnitude,
            };
        }
        let (magnitude, flipped) = self.magnitude.abs_diff(&other.magnitude);
        Signed {
            negative: self.negative != flipped,
            magnitude,
        }
    }
}

/// `P`, `Q` and `R` of the terms `a..b`. `P` is `None` when the caller does
/// not need it; its sign is `(-1)^(b-a)`, so only its magnitude is kept.
struct Split {
    p: Option<Natural>,
    q: Natural,
    r: Signed,
}

/// A [`Split`] set aside (see [`Parked`]): held to a memory budget, its
/// numbers of the lengths whose products spill wait in files while other
/// ranges are summed, and its merge reads them back where it needs them.
struct ParkedSplit<'a> {
    p: Option<Parked<'a>>,
    q: Parked<'a>,
    r: Parked<'a>,
    /// `R`'s sign.
    negative: bool,
}

/// `P` (if `need_p`), `Q` and `R` of the terms `a..b`, a range `depth`
/// levels below the whole series; from its checkpoint if the computation
/// kept one, and kept as one if the range is at most [`CHECKPOINT_DEPTH`]
/// deep (its halves' checkpoints then go).
fn split<'c>(
    a: u64,
    b: u64,
    need_p: bool,
    depth: u32,
    computation: &'c Computation,
) -> ParkedSplit<'c> {
    let arith = computation.arith();
    if b - a <= FACTORED_TERMS {
        let (split, ..) = split_factored(a, b, need_p, &TermFactors::new(a, b), computation);
        return split.parked(arith);
    }
    let name = kept_range(a, b, depth).then(|| range_name(a, b, need_p));
    if let Some(saved) = name.as_deref().and_then(|name| computation.kept(name)) {
        return Split::from_numbers(saved).parked(arith);
    }
    let (m, left, right) = halves(a, b, need_p, depth, computation);
    let merged = merge_parked(a, m, b, (left, right), 0, computation);
    if let Some(name) = name {
        let halves = [range_name(a, m, true), range_name(m, b, need_p)];
        computation.keep(&name, &merged.numbers(), &halves);
    }
    merged
}

/// Ranges of the series this many levels deep or less are kept as
/// checkpoints: 2^3 of them at the deepest, each written once and removed
/// once the range above it is written.
const CHECKPOINT_DEPTH: u32 = 3;

/// Whether [`split`] keeps the range `a..b` at `depth` as a checkpoint (if
/// the computation keeps any).
fn kept_range(a: u64, b: u64, depth: u32) -> bool {
    b - a > FACTORED_TERMS && depth <= CHECKPOINT_DEPTH
}

/// The name of the checkpoint of the range `a..b` of the series.
fn range_name(a: u64, b: u64, need_p: bool) -> String {
    let p = if need_p { "-p" } else { "" };
    format!("series-{a}-{b}{p}")
}

/// Ranges of at most this many terms divide `P` of their left half and `Q`
/// of their right half by the two's common factors among small primes
/// before they merge; the whole range's `P`, `Q` and `R` are then divided
/// by the same factor, which leaves the series' value as it was. Longer
/// ranges (1024 and 2048 terms) remove more but gained no time measurable:
/// the divisions are quadratic.
const FACTORED_TERMS: u64 = 512;

/// [`split`] of the terms `a..b` (at most [`FACTORED_TERMS`], within those
/// of `terms`), with the tracked factors of its `P` (empty when `P` is not
/// needed) and `Q`.
fn split_factored(
    a: u64,
    b: u64,
    need_p: bool,
    terms: &TermFactors,
    computation: &Computation,
) -> (Split, Factors, Factors) {
    if b - a <= LEAF_TERMS {
        let (p_factors, q_factors) = terms.product(a, b);
        return (accumulated(a, b, need_p), p_factors, q_factors);
    }
    let m = middle(a, b);
    let (mut left, mut left_p, left_q) = split_factored(a, m, true, terms, computation);
    let (mut right, right_p, mut right_q) = split_factored(m, b, need_p, terms, computation);
    let common = left_p.remove_common(&mut right_q);
    if !common.is_one() {
        let g = common.value();
        let divided = |x: &Natural| match x.exact_quotient(&g) {
            Some(quotient) => quotient,
            None => unreachable!("the tracked primes are odd"),
        };
        left.p = left.p.as_ref().map(divided);
        right.q = divided(&right.q);
    }
    let p_factors = if need_p {
        left_p.mul(&right_p)
    } else {
        Factors::default()
    };
    let merged = merge(a, m, b, (left, right), 0, computation);
    (merged, p_factors, left_q.mul(&right_q))
}

/// Ranges of at most this many terms are summed one term at a time: their
/// merges would cost more in allocations than in arithmetic.
const LEAF_TERMS: u64 = 16;

/// [`split`] one term at a time: with the term `k` of
/// `P(k) = (6k-5)(2k-1)(6k-1)`, `Q(k) = 10939058860032000·k³` and
/// `R(k) = -P(k)·L(k)`, `L(k) = 545140134·k + 13591409`,
/// `R(a..k+1) = R(a..k)·Q(k) ± P(a..k+1)·L(k)`, of sign `(-1)^(k-a+1)`
/// (that of `P(a..k)·R(k)`).
fn accumulated(a: u64, b: u64, need_p: bool) -> Split {
    // Room for the whole range's numbers from the start, rather than a
    // reallocation each time one doubles: the bits per term of `Q`, and of
    // `P` (`(6k-5)(2k-1)(6k-1) < 72k³`); `R` is below `Q·(b-a)·L(b)`,
    // about a limb more than `Q`.
    let limbs = |constant: f64| {
        let bits = (b - a) as f64 * (constant + 3.0 * (b as f64).log2());
        (bits / 64.0) as usize + 2
    };
    let q_limbs = limbs(LOG2_Q_FACTOR);
    let mut p = Natural::with_room(1, limbs(72f64.log2()));
    let mut q = Natural::with_room(1, q_limbs);
    let mut r = Signed {
        negative: false,
        magnitude: Natural::with_room(0, q_limbs + 1),
    };
    for k in a..b {
        let q_factors = [10_939_058_860_032_000, k, k, k];
        q.mul_small_assign(&q_factors);
        r.magnitude.mul_small_assign(&q_factors);
        p.mul_small_assign(&[6 * k - 5, 2 * k - 1, 6 * k - 1]);
        let negative = (k - a).is_multiple_of(2);
        let linear = 545_140_134u128 * u128::from(k) + 13_591_409;
        match u64::try_from(linear) {
            Ok(linear) if r.negative == negative => r.magnitude.add_mul_small(&p, linear),
            Ok(linear) => {
                if r.magnitude.sub_mul_small(&p, linear) {
                    r.negative = negative;
                }
            }
            // From k of about 3.4·10^10.
            Err(_) => {
                r = r.add(Signed {
                    negative,
                    magnitude: &p * &Natural::from(linear),
                });
            }
        }
    }
    Split {
        p: need_p.then_some(p),
        q,
        r,
    }
}

/// `log2(10939058860032000)`: each term's constant factor of `Q`.
const LOG2_Q_FACTOR: f64 = 53.280_338_139_658_156;

/// Room a merge plans to leave in its transform, as a fraction of its
/// length: enough for what the planned length leaves out (`R`'s few more
/// bits than `Q`, each operand rounded up to limbs, halves one term apart)
/// down to merges of about 250 limbs.
const SPARE: f64 = 1.0 / 32.0;

/// An even split is kept when its merges waste at most this fraction more.
const EVEN_WASTE: f64 = 0.06;

/// Below this many terms, ranges split at their middle: their merges'
/// halves are too short for transforms.
const ALIGNED_TERMS: u64 = 128;

/// `log2(n!)`, by Stirling's series (within `1/(360·n³)`).
fn log2_factorial(n: u64) -> f64 {
    if n < 2 {
        return 0.0;
    }
    let x = n as f64;
    (x * x.ln() - x + 0.5 * (std::f64::consts::TAU * x).ln() + 1.0 / (12.0 * x))
        / std::f64::consts::LN_2
}

/// Bits per term that the common factors remove from `P`, `Q` and `R` of
/// ranges longer than [`FACTORED_TERMS`] (measured over 8192 terms from
/// `k = 1000`, `10^6` and `5·10^7`: 17.9 on average).
const REMOVED_BITS_PER_TERM: f64 = 17.9;

/// The planned length of the merge of the terms `a..b`: the limbs of
/// `Q(a..b) = ∏ 10939058860032000·k³` less the common factors removed,
/// the length of its longest product (`R` of one half times `Q` of the
/// other) but for a few limbs. Within [`FACTORED_TERMS`], the removal
/// grows by about the same amount with each doubling of the range.
fn merge_limbs(a: u64, b: u64) -> f64 {
    let n = (b - a) as f64;
    let doublings = (n / LEAF_TERMS as f64).log2().max(0.0);
    let full = (FACTORED_TERMS as f64 / LEAF_TERMS as f64).log2();
    let removed = n * REMOVED_BITS_PER_TERM * (doublings / full).min(1.0);
    let bits = n * LOG2_Q_FACTOR + 3.0 * (log2_factorial(b - 1) - log2_factorial(a - 1)) - removed;
    bits / 64.0
}

/// Where the terms `a..b` split, so that the merges of the halves fill
/// their transforms (a product's length decides its transform's, and
/// transform lengths go in steps of 4/3 and 3/2): at the middle of their
/// limbs when a transform holds each half with little to spare, else
/// where the left half fills a shorter transform, the rest on the right.
/// A left half that fills its transform splits into halves that fill
/// theirs, down to short merges.
fn middle(a: u64, b: u64) -> u64 {
    let mid = a + (b - a) / 2;
    if b - a < ALIGNED_TERMS {
        return mid;
    }
    let planned = |limbs: f64| limbs * (1.0 + SPARE);
    let half = merge_limbs(a, b) / 2.0;
    let roomy = planned(half) * (1.0 + EVEN_WASTE);
    // Without transforms (short merges), the length is its own "full" one.
    let target = if full_product_length(roomy as usize) as f64 >= planned(half) {
        half
    } else {
        full_product_length(planned(half) as usize) as f64 / (1.0 + SPARE)
    };
    // The last m with merge_limbs(a, m) <= target.
    let (mut lo, mut hi) = (a + 1, b - 1);
    while lo < hi {
        let m = lo + (hi - lo).div_ceil(2);
        if merge_limbs(a, m) <= target {
            lo = m;
        } else {
            hi = m - 1;
        }
    }
    lo
}

/// The split point `m` of the terms `a..b` (at least two, see [`middle`]),
/// and the splits of `a..m` and `m..b`.
fn halves<'c>(
    a: u64,
    b: u64,
    need_p: bool,
    depth: u32,
    computation: &'c Computation,
) -> (u64, ParkedSplit<'c>, ParkedSplit<'c>) {
    let m = middle(a, b);
    let parallel = b - a >= PARALLEL_TERMS;
    if parallel {
        computation.checkpoint();
    }
    // Held to a memory budget, halves whose merges spill run one after the
    // other too (their products use every thread anyway): side by side,
    // their merges' peaks would add. The left one waits set aside while the
    // right one runs.
    let spilled = computation
        .arith()
        .spill_for(merge_limbs(a, m) as usize)
        .is_some();
    let (left, right) = join_if(
        parallel && b - a < SEQUENTIAL_TERMS && !spilled,
        || split(a, m, true, depth + 1, computation),
        || split(m, b, need_p, depth + 1, computation),
    );
    (m, left, right)
}

impl Split {
    /// Set aside, each number as `arith` parks one of its length.
    fn parked(self, arith: Arith<'_>) -> ParkedSplit<'_> {
        ParkedSplit {
            p: self.p.map(|p| Parked::new(p, arith)),
            q: Parked::new(self.q, arith),
            r: Parked::new(self.r.magnitude, arith),
            negative: self.r.negative,
        }
    }

    /// The split whose [`ParkedSplit::numbers`] are `numbers`.
    fn from_numbers(numbers: Vec<Natural>) -> Split {
        let mut numbers = numbers.into_iter();
        let mut next = || numbers.next().unwrap_or_default();
        let (q, magnitude, sign) = (next(), next(), next());
        let p = numbers.next();
        Split {
            p,
            q,
            r: Signed {
                negative: !sign.is_zero(),
                magnitude,
            },
        }
    }
}

impl<'a> ParkedSplit<'a> {
    /// Its numbers, in memory.
    fn restored(self) -> Split {
        Split {
            p: self.p.map(Parked::restore),
            q: self.q.restore(),
            r: Signed {
                negative: self.negative,
                magnitude: self.r.restore(),
            },
        }
    }

    /// `Q`, `R`'s magnitude, its sign (0 or 1) and `P` if there is one: as
    /// a checkpoint keeps them.
    fn numbers(&self) -> Vec<&dyn Number> {
        static ZERO: Natural = Natural::zero();
        static ONE: LazyLock<Natural> = LazyLock::new(|| Natural::from(1u64));
        let sign = if self.negative { &*ONE } else { &ZERO };
        let mut numbers: Vec<&dyn Number> = vec![&self.q, &self.r, sign];
        numbers.extend(self.p.iter().map(|p| p as &dyn Number));
        numbers
    }

    /// `P`, `Q` and `R` divided by `2^s`, rounded toward zero, one at a
    /// time in memory.
    fn shifted_down(self, s: u64, arith: Arith<'a>) -> ParkedSplit<'a> {
        if s == 0 {
            return self;
        }
        let shifted = |x: Parked<'a>| {
            let mut x = x.restore();
            x >>= s;
            Parked::new(x, arith)
        };
        ParkedSplit {
            p: self.p.map(shifted),
            q: shifted(self.q),
            r: shifted(self.r),
            negative: self.negative,
        }
    }
}

/// The sums of products that form `R = R1·Q2 + P1·R2` from the operands
/// `[P1, R1, Q2, R2]`: one sum where the two terms have the same sign (in
/// practice, that of the range's first term), else two products.
fn r_sums(fused: bool) -> &'static [&'static [(usize, usize)]] {
    if fused {
        &[&[(1, 2), (0, 3)]]
    } else {
        &[&[(1, 2)], &[(0, 3)]]
    }
}

/// `R` of a merge from the first results of its [`r_sums`]: `R1·Q2` of
/// sign `left` and `P1·R2` of sign `right`, or their sum, of sign `right`,
/// if `fused`.
fn r_of(
    results: &mut impl Iterator<Item = Natural>,
    fused: bool,
    (left, right): (bool, bool),
) -> Signed {
    let mut next = || results.next().unwrap_or_default();
    if fused {
        return Signed {
            negative: right,
            magnitude: next(),
        };
    }
    let left = Signed {
        negative: left,
        magnitude: next(),
    };
    left.add(Signed {
        negative: right,
        magnitude: next(),
    })
}

/// `Q` and `R` of the terms `a..b`, of `left = a..m` and `right = m..b`
/// (with `P` if `right` has it), `Q` and `R`'s terms divided by
/// `2^(64·drop)` and rounded down; in memory.
fn merge(
    a: u64,
    m: u64,
    b: u64,
    (left, right): (Split, Split),
    drop: usize,
    computation: &Computation,
) -> Split {
    let parallel = b - a >= PARALLEL_TERMS;
    let arith = computation.arith();
    let Split {
        p: left_p,
        q: left_q,
        r: left_r,
    } = left;
    let Split {
        p: right_p,
        q: right_q,
        r: right_r,
    } = right;
    let left_p = left_p.unwrap_or_default();
    let right_negative = right_r.negative != ((m - a) % 2 == 1);
    let fused = left_r.negative == right_negative;
    let operands = [
        &left_p,
        &left_r.magnitude,
        &right_q,
        &right_r.magnitude,
        &left_q,
    ];
    let mut sums = r_sums(fused).to_vec();
    sums.push(&[(4, 2)]);
    // P is much shorter than Q and R: its product takes a shorter
    // transform.
    let (results, p) = join_if(
        parallel,
        || Natural::sums_of_products(&operands, &sums, drop, arith),
        || right_p.as_ref().map(|p| left_p.mul_in(p, arith)),
    );
    let mut results = results.into_iter();
    let r = r_of(&mut results, fused, (left_r.negative, right_negative));
    let q = results.next().unwrap_or_default();
    if parallel {
        computation.advance(merge_work(b - a));
    }
    Split { p, q, r }
}

/// [`merge`] of halves set aside, into a split set aside. Held to a memory
/// budget (where the halves' products spill), its products run in turn,
/// each reading its operands back where it needs them (one at a time where
/// its transforms wait on disk) and freeing them after their last use: `P`
/// first, then `R`, then `Q`.
fn merge_parked<'c>(
    a: u64,
    m: u64,
    b: u64,
    (left, right): (ParkedSplit<'c>, ParkedSplit<'c>),
    drop: usize,
    computation: &'c Computation,
) -> ParkedSplit<'c> {
    let arith = computation.arith();
    if arith.spill_for(left.q.len() + right.q.len()).is_none() {
        let merged = merge(
            a,
            m,
            b,
            (left.restored(), right.restored()),
            drop,
            computation,
        );
        return merged.parked(arith);
    }
    let park = |x: Natural| Parked::new(x, arith);
    let product = |x: &Parked<'_>, y: &Parked<'_>, drop: usize| {
        let sum = Natural::sums_of_parked(&[x, y], &[&[(0, 1)]], drop, arith);
        park(sum.into_iter().next().unwrap_or_default())
    };
    let left_p = left.p.unwrap_or_else(|| park(Natural::zero()));
    let right_negative = right.negative != ((m - a) % 2 == 1);
    let fused = left.negative == right_negative;
    let p = right.p.map(|p2| product(&left_p, &p2, 0));
    let r_operands = [&left_p, &left.r, &right.q, &right.r];
    let results = Natural::sums_of_parked(&r_operands, r_sums(fused), drop, arith);
    std::mem::drop((left_p, left.r, right.r));
    let r = r_of(
        &mut results.into_iter(),
        fused,
        (left.negative, right_negative),
    );
    let r = (r.negative, park(r.magnitude));
    let q = product(&left.q, &right.q, drop);
    if b - a >= PARALLEL_TERMS {
        computation.advance(merge_work(b - a));
    }
    ParkedSplit {
        p,
        q,
        r: r.1,
        negative: r.0,
    }
}

/// `Q` and `R` of the terms `a..b` (at least two), both divided by one
/// power of two and rounded toward zero (`R` to within a unit), `Q` to
/// about `keep + 64` bits. The halves are cut to `keep` bits before their
/// merge: its operands shrink, and `Q` and `13591409·Q + R` keep relative
/// errors near `2^-keep`.
fn split_truncated<'c>(a: u64, b: u64, keep: u64, computation: &'c Computation) -> ParkedSplit<'c> {
    let (m, left, right) = halves(a, b, false, 0, computation);
    // The largest merge: buffers kept from the smaller ones do not serve it.
    computation.release_buffers();
    let cut = |half: ParkedSplit<'c>| {
        let excess = half.q.bit_len().saturating_sub(keep);
        half.shifted_down(excess, computation.arith())
    };
    let (left, right) = (cut(left), cut(right));
    // Q and R take about 2·keep bits, of which the series keeps about keep
    // (see `series_quotient`): the limbs 64 bits below those are not formed.
    let bits = left.q.bit_len() + right.q.bit_len();
    let drop = bits.saturating_sub(keep + 64) / 64;
    merge_parked(a, m, b, (left, right), drop as usize, computation)
}

/// Progress units of the merge of `n` terms: about its cost, `n·log2(n)`.
fn merge_work(n: u64) -> u64 {
    n * u64::from(u64::BITS - n.leading_zeros())
}

/// Progress units of [`split`] over `n` terms: its merges of at least
/// [`PARALLEL_TERMS`] terms.
fn split_work(n: u64) -> u64 {
    if n < PARALLEL_TERMS {
        return 0;
    }
    let half = n / 2;
    merge_work(n) + split_work(half) + split_work(n - half)
}

/// `x` with `|x - π·2^w| < ERROR_BOUND`.
///
/// `x = floor(t · root · 426880 / 2^(w+g))` with `root` within 1.02
/// units of `√10005·2^w` (`10005·y / 2^20`, `y` within 2 units of
/// `2^(w+20)/√10005`) and `t` within 5 units of `Q/D · 2^(w+g)` (4 from
/// the division), `g` guard bits, from `Q` and `D` truncated to `w + 64`
/// bits, their top merge's halves to `w + 96` (relative error below
/// `2^-(w+40)`). The error of `t` moves `x` by less than 0.05 units
/// (`x/t < 0.01`), that of `root` by less than 0.05 (`x/root < 0.04·2^w`),
/// the floor by less than one.
///
/// A computation that keeps checkpoints keeps `Q` and `D` after the series
/// (and ranges of it, see [`split`]), `root`, and `t`, and resumes from the
/// last of them it finds.
pub(crate) fn pi_fixed_point(w: u64, computation: &Computation) -> Natural {
    let arith = computation.arith();
    let saved = |name: &str| computation.kept(&format!("{name}-{w}"))?.into_iter().next();
    let terms = w / BITS_PER_TERM + 3;
    computation.enter(Stage::Series, split_work(terms - 1));
    let mut quotient = saved("quotient");
    // Held to a memory budget, Q and D wait in their checkpoint during the
    // square root, and the root in its own during the division.
    let series_name = format!("series-{w}");
    let series = quotient.is_none().then(|| {
        let (q, denominator) = series_quotient(w, terms, computation);
        computation.aside(series_name.clone(), vec![q, denominator])
    });
    // Progress units of the square root and the division: bits handled by
    // their Newton steps, about twice the bits of the result.
    computation.enter(Stage::SquareRoot, 2 * (w + ROOT_GUARD_BITS));
    let root_name = format!("root-{w}");
    let computed_root = || {
        let Some(inverse_root) = Natural::inverse_sqrt_in(10_005, w + ROOT_GUARD_BITS, arith)
        else {
            unreachable!("10005 is within the inverse square root's range");
        };
        let mut root = inverse_root;
        root.mul_small_assign(&[10_005]);
        root >>= ROOT_GUARD_BITS;
        computation.keep(&root_name, &[&root], &[]);
        root
    };
    let root = saved("root").unwrap_or_else(computed_root);
    let root = computation.aside(root_name.clone(), vec![root]);
    computation.enter(Stage::Division, 3 * w);
    if let Some(series) = series {
        let numbers = computation.back(series).map(Vec::into_iter);
        let (q, denominator) = match numbers {
            Some(mut numbers) => (
                numbers.next().unwrap_or_default(),
                numbers.next().unwrap_or_default(),
            ),
            None => series_quotient(w, terms, computation),
        };
        // Q and D are freed once used: the last product holds only t and root.
        let Some(t) = Natural::scaled_quotient(q, denominator, w + QUOTIENT_GUARD_BITS, arith)
        else {
            unreachable!("the Chudnovsky denominator is positive");
        };
        computation.keep(&format!("quotient-{w}"), &[&t], &[series_name]);
        quotient = Some(t);
    }
    let mut t = quotient.unwrap_or_default();
    let root = computation
        .back(root)
        .and_then(|numbers| numbers.into_iter().next())
        .unwrap_or_else(computed_root);
    t.mul_small_assign(&[426_880]);
    // Held to a memory budget, t and the root wait in files while their
    // product reads them back.
    let shift = w + QUOTIENT_GUARD_BITS;
    let (t, root) = (Parked::new(t, arith), Parked::new(root, arith));
    let product = Natural::sums_of_parked(&[&t, &root], &[&[(0, 1)]], (shift / 64) as usize, arith);
    let mut x = product.into_iter().next().unwrap_or_default();
    x >>= shift % 64;
    x
}

/// `Q` and `D = 13591409·Q + R` of the whole series, both cut to about
/// `w + 64` bits by one power of two: from the checkpoint if the
/// computation kept one, else summed (and kept).
fn series_quotient(w: u64, terms: u64, computation: &Computation) -> (Natural, Natural) {
    let name = format!("series-{w}");
    if let Some(saved) = computation.kept(&name) {
        let mut saved = saved.into_iter();
        return (
            saved.next().unwrap_or_default(),
            saved.next().unwrap_or_default(),
        );
    }
    let ParkedSplit { q, r, negative, .. } = split_truncated(1, terms, w + 96, computation);
    let mut q = q.restore();
    // D = 13591409·Q + R is positive: formed in R's memory.
    let mut denominator = r.restore();
    if negative {
        denominator.sub_mul_small(&q, 13_591_409);
    } else {
        denominator.add_mul_small(&q, 13_591_409);
    }
    // Q and the denominator carry about twice the needed bits: drop the excess.
    let excess = denominator.bit_len().saturating_sub(w + 64);
    q >>= excess;
    denominator >>= excess;
    let m = middle(1, terms);
    let halves = [range_name(1, m, true), range_name(m, terms, false)];
    computation.keep(&name, &[&q, &denominator], &halves);
    (q, denominator)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::Monitor;

    /// Single terms merged pairwise, the way longer ranges are summed.
    fn merged(a: u64, b: u64) -> Split {
        if b - a == 1 {
            return accumulated(a, b, true);
        }
        let m = a + (b - a) / 2;
        let monitor = Monitor::detached();
        merge(
            a,
            m,
            b,
            (merged(a, m), merged(m, b)),
            0,
            &Computation::new(&monitor, None, None),
        )
    }

    #[test]
    fn terms_accumulate_as_they_merge() {
        // The last range's linear factors exceed a limb.
        for (a, b) in [(1, 17), (1000, 1013), (40_000_000_000, 40_000_000_009)] {
            let (x, y) = (accumulated(a, b, true), merged(a, b));
            assert_eq!((x.p, x.q), (y.p, y.q), "{a}..{b}");
            assert_eq!(x.r.negative, y.r.negative, "{a}..{b}");
            assert_eq!(x.r.magnitude, y.r.magnitude, "{a}..{b}");
        }
    }

    #[test]
    fn planned_merge_lengths_are_those_of_the_products() {
        // The removed factors are an estimate: within the room the
        // planning leaves.
        for (a, b) in [
            (1, 1300),
            (1000, 2700),
            (50_000, 51_500),
            (10_000_000, 10_003_000),
        ] {
            let m = middle(a, b);
            assert!(a < m && m < b, "{a}..{b}: {m}");
            let monitor = Monitor::detached();
            let computation = Computation::new(&monitor, None, None);
            let (left, right) = (
                split(a, m, false, 1, &computation),
                split(m, b, false, 1, &computation),
            );
            let longest = left.r.len() + right.q.len();
            let planned = merge_limbs(a, b);
            assert!(
                (longest as f64 - planned).abs() <= planned * SPARE,
                "{a}..{b}: {longest} limbs, planned {planned}"
            );
        }
    }

    #[test]
    fn common_factors_leave_the_ratios() {
        // Within a factored range and across several; the last range's
        // linear factors exceed a limb.
        for (a, b) in [(1, 600), (1000, 2300), (40_000_000_000, 40_000_000_700)] {
            let monitor = Monitor::detached();
            let computation = Computation::new(&monitor, None, None);
            let whole = split(a, b, true, 0, &computation).restored();
            let plain = merged(a, b);
            let (p, q, r) = (whole.p.unwrap_or_default(), whole.q, whole.r);
            let (plain_p, plain_q) = (plain.p.unwrap_or_default(), plain.q);
            assert!(q < plain_q, "{a}..{b}: nothing removed");
            assert_eq!(&p * &plain_q, &plain_p * &q, "{a}..{b}: P/Q");
            assert_eq!(
                &r.magnitude * &plain_q,
                &plain.r.magnitude * &q,
                "{a}..{b}: R/Q"
            );
            assert_eq!(r.negative, plain.r.negative, "{a}..{b}");
        }
    }

    #[test]
    fn ranges_resume_from_their_checkpoints() {
        use crate::checkpoint::{Checkpoints, Key};
        let dir = tempfile::tempdir().expect("a scratch directory");
        let key = Key {
            n: 1,
            base: crate::Base::Decimal,
        };
        let checkpoints =
            Checkpoints::open(dir.path(), key, false, (0, None)).expect("checkpoints");
        let monitor = Monitor::detached();
        let computation = Computation::new(&monitor, Some(&checkpoints), None);
        let plain_monitor = Monitor::detached();
        let plain = Computation::new(&plain_monitor, None, None);
        let (a, b) = (1, 20_000);
        let m = middle(a, b);
        let same = |x: &Split, y: &Split, what: &str| {
            assert_eq!((&x.p, &x.q), (&y.p, &y.q), "{what}");
            assert_eq!(x.r.negative, y.r.negative, "{what}");
            assert_eq!(x.r.magnitude, y.r.magnitude, "{what}");
        };
        // The left half alone, as a run stopped before the right one.
        let left = split(a, m, true, 2, &computation).restored();
        checkpoints.synced().expect("synced");
        assert!(dir
            .path()
            .join(format!("pi-series-{a}-{m}-p.ckpt"))
            .exists());
        same(&left, &split(a, m, true, 2, &plain).restored(), "left half");
        // The whole range takes the left half from its checkpoint.
        let whole = split(a, b, false, 1, &computation).restored();
        checkpoints.synced().expect("synced");
        same(
            &whole,
            &split(a, b, false, 1, &plain).restored(),
            "whole range",
        );
        let kept: Vec<_> = std::fs::read_dir(dir.path())
            .expect("the scratch directory")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".ckpt"))
            .collect();
        assert_eq!(kept, [format!("pi-series-{a}-{b}.ckpt")], "halves replaced");
        // And comes from it the next time.
        same(
            &split(a, b, false, 1, &computation).restored(),
            &whole,
            "loaded",
        );
    }

    #[test]
    fn within_two_units() {
        // Against 64 more bits: that one is within 2/2^64 + 1 units after the shift.
        // From about 2,000,000 bits the top merge's halves are cut.
        for w in [1u64, 64, 100, 1000, 4321, 20_000, 150_001, 8_000_000] {
            let monitor = Monitor::detached();
            let computation = Computation::new(&monitor, None, None);
            let x = pi_fixed_point(w, &computation);
            let wider = &pi_fixed_point(w + 64, &computation) >> 64;
            let (difference, _) = x.abs_diff(&wider);
            assert!(difference <= Natural::from(3u64), "w = {w}: {difference}");
        }
    }
}
