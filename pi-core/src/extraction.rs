//! Hexadecimal digits at a position, from a series whose terms split into
//! independent ranges: a [`HexExtraction`] is one attempt (a precision and
//! the terms it needs), [`HexExtraction::sum`] sums any range of its terms
//! (on this thread, another process or another machine), and
//! [`HexExtraction::combine`] turns the sums of a partition of the terms
//! into digits. [`hex_digits_at`] is their local use.

use std::ops::Range;

use crate::bbp::{self, FixedPoint};
use crate::monitor::{self, Monitor, Stage};
use crate::{Error, Options};

/// The largest position accepted; the moduli then stay below 2^53.
pub const MAX_HEX_POSITION: u64 = 1_000_000_000_000_000;

/// The most digits one extraction returns.
pub const MAX_HEX_COUNT: usize = 1 << 16;

/// The most limbs of precision [`HexExtraction::with_precision`] accepts.
pub const MAX_HEX_PRECISION: usize = 1 << 16;

/// The progress shares of an extraction: all of it in [`Stage::Extraction`].
const SHARES: [f64; monitor::STAGES.len()] = [0.0, 0.0, 0.0, 0.0, 0.0, 1.0];

/// One attempt at `count` hexadecimal digits of π from `position`: the
/// precision of its sums and the terms of the series they cover. When
/// [`HexExtraction::combine`] finds that the precision cannot settle the
/// digits (they sit at the edge of a long run of `f` or `0`), the next
/// attempt is [`HexExtraction::refined`].
///
/// ```
/// let extraction = pi_core::HexExtraction::new(1_000, 16)?;
/// let terms = extraction.terms();
/// // Any partition of the terms, summed anywhere, in any order.
/// let sums = [extraction.sum(terms / 3..terms)?, extraction.sum(0..terms / 3)?];
/// assert_eq!(extraction.combine(&sums)?.as_deref(), Some("349f1c09b075372c"));
/// # Ok::<(), pi_core::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct HexExtraction {
    position: u64,
    count: usize,
    precision: usize,
}

impl HexExtraction {
    /// The first attempt at `count` digits from `position` (1 is the first
    /// digit after the point).
    ///
    /// Errors: [`Error::InvalidPosition`] for position 0 or beyond
    /// [`MAX_HEX_POSITION`], [`Error::TooManyDigits`] for more than
    /// [`MAX_HEX_COUNT`] digits.
    pub fn new(position: u64, count: usize) -> Result<HexExtraction, Error> {
        if position == 0 || position > MAX_HEX_POSITION {
            return Err(Error::InvalidPosition {
                position,
                max: MAX_HEX_POSITION,
            });
        }
        if count > MAX_HEX_COUNT {
            return Err(Error::TooManyDigits {
                requested: count as u64,
                max: MAX_HEX_COUNT as u64,
            });
        }
        Ok(HexExtraction {
            position,
            count,
            precision: bbp::initial_limbs(count),
        })
    }

    /// The attempt at `count` digits from `position` with `precision` limbs
    /// (as [`HexExtraction::precision`] reports it): how a process that
    /// was sent the three numbers rebuilds the attempt.
    ///
    /// Errors: those of [`HexExtraction::new`], and
    /// [`Error::InvalidTerms`] for a precision below the first attempt's or
    /// above [`MAX_HEX_PRECISION`].
    pub fn with_precision(
        position: u64,
        count: usize,
        precision: usize,
    ) -> Result<HexExtraction, Error> {
        let first = HexExtraction::new(position, count)?;
        if !(first.precision..=MAX_HEX_PRECISION).contains(&precision) {
            return Err(Error::InvalidTerms(format!(
                "a precision of {precision} limbs for {count} digits: expected {} to {MAX_HEX_PRECISION}",
                first.precision
            )));
        }
        Ok(HexExtraction { precision, ..first })
    }

    /// The next attempt, with more precision.
    pub fn refined(&self) -> HexExtraction {
        HexExtraction {
            precision: self.precision + 2,
            ..*self
        }
    }

    /// The position of the first digit.
    pub fn position(&self) -> u64 {
        self.position
    }

    /// The number of digits.
    pub fn count(&self) -> usize {
        self.count
    }

    /// The precision of the sums, in 64-bit limbs.
    pub fn precision(&self) -> usize {
        self.precision
    }

    /// The number of terms to sum: the sums given to
    /// [`HexExtraction::combine`] cover `0..terms()`.
    pub fn terms(&self) -> u64 {
        bbp::terms(self.shift(), self.precision)
    }

    /// The sum of the terms `terms` (within `0..self.terms()`), on this
    /// thread. It depends only on the position, the precision and the
    /// range: the same bits wherever it is computed.
    ///
    /// Errors: [`Error::InvalidTerms`] for a range outside the terms.
    pub fn sum(&self, terms: Range<u64>) -> Result<HexTermSum, Error> {
        self.check_range(&terms)?;
        let value = bbp::sum_terms(self.shift(), terms.clone(), self.precision);
        Ok(self.term_sum_of(terms, value))
    }

    /// [`HexExtraction::sum`] with the threads, progress callback (stage
    /// [`Stage::Extraction`]) and cancel token of `options`; their base,
    /// verification and memory limit do not apply.
    ///
    /// Errors: those of [`HexExtraction::sum`], [`Error::TooManyThreads`],
    /// [`Error::Threads`] and [`Error::Cancelled`].
    pub fn sum_with(&self, terms: Range<u64>, options: &Options) -> Result<HexTermSum, Error> {
        self.check_range(&terms)?;
        let value = options.run((0, None), SHARES, None, |computation| {
            let monitor = computation.monitor();
            monitor.enter(Stage::Extraction, bbp::chunks(&terms));
            Ok(bbp::sum_terms_parallel(
                self.shift(),
                terms.clone(),
                self.precision,
                monitor,
            ))
        })?;
        Ok(self.term_sum_of(terms, value))
    }

    /// The sum of the terms `terms` whose value, as
    /// [`HexTermSum::value`] gives it, is `value`: how a sum computed
    /// elsewhere comes back.
    ///
    /// Errors: [`Error::InvalidTerms`] for a range outside the terms or a
    /// value of other than [`HexExtraction::precision`] limbs.
    pub fn term_sum(&self, terms: Range<u64>, value: Vec<u64>) -> Result<HexTermSum, Error> {
        self.check_range(&terms)?;
        if value.len() != self.precision {
            return Err(Error::InvalidTerms(format!(
                "a sum of {} limbs for a precision of {}",
                value.len(),
                self.precision
            )));
        }
        Ok(self.term_sum_of(terms, FixedPoint::from_limbs(value)))
    }

    /// The digits from the sums of a partition of the terms (in any order;
    /// empty ranges are ignored), or `None` when this attempt's precision
    /// cannot settle them: then combine the sums of
    /// [`HexExtraction::refined`].
    ///
    /// Errors: [`Error::InvalidTerms`] for sums of another extraction or
    /// precision, or whose ranges overlap or leave terms out.
    pub fn combine(&self, sums: &[HexTermSum]) -> Result<Option<String>, Error> {
        let mut ranges = Vec::with_capacity(sums.len());
        for sum in sums {
            if (sum.position, sum.precision) != (self.position, self.precision) {
                return Err(Error::InvalidTerms(format!(
                    "a sum for position {} at precision {} given to an extraction at position {} at precision {}",
                    sum.position, sum.precision, self.position, self.precision
                )));
            }
            if !sum.terms.is_empty() {
                ranges.push(sum.terms.clone());
            }
        }
        ranges.sort_by_key(|r| r.start);
        let mut next = 0;
        for range in &ranges {
            if range.start != next {
                let what = if range.start < next {
                    "overlap"
                } else {
                    "leave a gap"
                };
                return Err(Error::InvalidTerms(format!(
                    "the sums' ranges {what} at term {}",
                    range.start.min(next)
                )));
            }
            next = range.end;
        }
        if next != self.terms() {
            return Err(Error::InvalidTerms(format!(
                "the sums cover terms 0..{next}, not 0..{}",
                self.terms()
            )));
        }
        let mut total = FixedPoint::zero(self.precision);
        sums.iter().for_each(|sum| total.add(&sum.value));
        Ok(self.settled_digits(&total))
    }

    /// The digits, every attempt's terms summed on the current thread pool.
    pub(crate) fn local_digits(mut self, monitor: &Monitor) -> String {
        loop {
            let total =
                bbp::sum_terms_parallel(self.shift(), 0..self.terms(), self.precision, monitor);
            if let Some(digits) = self.settled_digits(&total) {
                return digits;
            }
            self = self.refined();
        }
    }

    /// The digits from the sum of all the terms, if this attempt's error
    /// bound cannot change them.
    fn settled_digits(&self, total: &FixedPoint) -> Option<String> {
        let bound = bbp::error_bound(self.terms()) + bbp::TAIL_BOUND;
        bbp::settled_digits(total, bound, self.count)
    }

    /// `4·(position - 1)`: the bits before the first digit.
    fn shift(&self) -> u64 {
        4 * (self.position - 1)
    }

    fn check_range(&self, terms: &Range<u64>) -> Result<(), Error> {
        if terms.start > terms.end || terms.end > self.terms() {
            return Err(Error::InvalidTerms(format!(
                "terms {}..{} outside 0..{} (position {}, precision {})",
                terms.start,
                terms.end,
                self.terms(),
                self.position,
                self.precision
            )));
        }
        Ok(())
    }

    fn term_sum_of(&self, terms: Range<u64>, value: FixedPoint) -> HexTermSum {
        HexTermSum {
            position: self.position,
            precision: self.precision,
            terms,
            value,
        }
    }
}

/// The sum modulo 1 of a range of the terms of a [`HexExtraction`], in
/// fixed point, each term truncated: what one task of a distributed
/// extraction sends back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HexTermSum {
    position: u64,
    precision: usize,
    terms: Range<u64>,
    value: FixedPoint,
}

impl HexTermSum {
    /// The terms summed.
    pub fn terms(&self) -> Range<u64> {
        self.terms.clone()
    }

    /// The sum: the fraction `Σ value[i]·2^(64·i) / 2^(64·value.len())`
    /// (limbs least significant first, [`HexExtraction::precision`] of
    /// them).
    pub fn value(&self) -> &[u64] {
        self.value.limbs()
    }

    /// How far the sum can be from the exact sum of its terms modulo 1, in
    /// units of its last limb: less than this either way.
    pub fn error_bound(&self) -> u64 {
        bbp::error_bound(self.terms.end - self.terms.start)
    }

    /// The sum of this range and the `next` one, which starts where this
    /// one ends: for schedulers that combine sums in a tree.
    ///
    /// Errors: [`Error::InvalidTerms`] for sums of other extractions or
    /// precisions, or ranges that do not meet.
    pub fn join(&self, next: &HexTermSum) -> Result<HexTermSum, Error> {
        if (self.position, self.precision) != (next.position, next.precision)
            || self.terms.end != next.terms.start
        {
            return Err(Error::InvalidTerms(format!(
                "terms {}..{} (position {}, precision {}) do not continue terms {}..{} (position {}, precision {})",
                next.terms.start,
                next.terms.end,
                next.position,
                next.precision,
                self.terms.start,
                self.terms.end,
                self.position,
                self.precision
            )));
        }
        let mut value = self.value.clone();
        value.add(&next.value);
        Ok(HexTermSum {
            terms: self.terms.start..next.terms.end,
            value,
            ..*self
        })
    }
}

/// `count` lowercase hexadecimal digits of π starting at `position` (1 is
/// the first digit after the point: `3.243f...` has `2` at position 1),
/// computed without the digits before them, on all available cores; see
/// [`hex_digits_at_with`] for threads, progress and cancellation, and
/// [`HexExtraction`] to split the work across processes or machines.
///
/// ```
/// assert_eq!(pi_core::hex_digits_at(1, 8)?, "243f6a88");
/// assert_eq!(pi_core::hex_digits_at(1_000, 16)?, "349f1c09b075372c");
/// # Ok::<(), pi_core::Error>(())
/// ```
///
/// Errors: [`Error::InvalidPosition`] for position 0 or beyond
/// [`MAX_HEX_POSITION`], [`Error::TooManyDigits`] for more than
/// [`MAX_HEX_COUNT`] digits, [`Error::Threads`].
pub fn hex_digits_at(position: u64, count: usize) -> Result<String, Error> {
    hex_digits_at_with(position, count, &Options::new())
}

/// [`hex_digits_at`] with the threads, progress callback (stage
/// [`Stage::Extraction`]) and cancel token of `options`; their base,
/// verification and memory limit do not apply.
///
/// ```
/// let options = pi_core::Options::new().threads(1);
/// assert_eq!(pi_core::hex_digits_at_with(1, 8, &options)?, "243f6a88");
/// # Ok::<(), pi_core::Error>(())
/// ```
///
/// Errors: those of [`hex_digits_at`], [`Error::TooManyThreads`] and
/// [`Error::Cancelled`].
pub fn hex_digits_at_with(position: u64, count: usize, options: &Options) -> Result<String, Error> {
    let extraction = HexExtraction::new(position, count)?;
    options.run((0, None), SHARES, None, |computation| {
        let monitor = computation.monitor();
        let work = bbp::chunks(&(0..extraction.terms()));
        monitor.enter(Stage::Extraction, work);
        Ok(extraction.local_digits(monitor))
    })
}
