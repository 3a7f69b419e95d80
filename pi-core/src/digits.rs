//! Truncated digits of π in a base, right even across long runs of 9s.

use std::borrow::Cow;
use std::fmt;
use std::ops::ControlFlow;
use std::sync::Arc;

use crate::chudnovsky::{pi_fixed_point, ERROR_BOUND};
use crate::memory::{self, MemoryBound};
use crate::monitor::{self, CancelToken, Progress, ProgressFn, Stage};
use crate::natural::{radix, Natural};
use crate::verify;
use crate::{Base, Error};

/// The most digits one computation accepts.
pub const MAX_DIGITS: u64 = 1_000_000_000_000;

/// The most threads one computation accepts.
pub const MAX_THREADS: usize = 1024;

/// Guard bits of the first attempt; each retry doubles them.
const INITIAL_GUARD_BITS: u64 = 64;

/// How to compute digits: base, threads, progress, cancellation,
/// verification and a memory limit.
///
/// ```
/// let options = pi_core::Options::new().base(pi_core::Base::Hexadecimal).threads(2);
/// assert_eq!(pi_core::compute(4, &options)?, "3.243f");
/// # Ok::<(), pi_core::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct Options {
    base: Base,
    threads: usize,
    progress: Option<Arc<ProgressFn>>,
    cancel: CancelToken,
    verify: bool,
    memory_limit: Option<u64>,
    corruption: Corruption,
}

/// A deliberate error, for tests that show verification catches it.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Corruption {
    /// None: the normal computation.
    #[default]
    None,
    /// One bit of the binary value of π flipped before conversion.
    Binary,
    /// One digit of the text changed after conversion.
    Text,
}

impl Options {
    /// Decimal digits on all available cores, no progress reports, no
    /// verification, no memory limit.
    pub fn new() -> Options {
        Options::default()
    }

    /// Sets the base of the digits.
    pub fn base(mut self, base: Base) -> Options {
        self.base = base;
        self
    }

    /// Sets the number of threads; 0 (the default) means one per available
    /// core. The digits are the same for every thread count.
    pub fn threads(mut self, threads: usize) -> Options {
        self.threads = threads;
        self
    }

    /// Reports progress to `callback`, on the thread that calls [`compute`],
    /// at every stage change, at least every [`crate::PROGRESS_INTERVAL`] and
    /// once at 1 when the result is ready; the computation is
    /// cancelled when it returns `ControlFlow::Break(())`.
    ///
    /// ```
    /// use std::ops::ControlFlow;
    /// let options = pi_core::Options::new().progress(|p| {
    ///     eprintln!("{}: {:.0}%", p.stage, 100.0 * p.fraction);
    ///     ControlFlow::Continue(())
    /// });
    /// assert_eq!(pi_core::compute(5, &options)?, "3.14159");
    /// # Ok::<(), pi_core::Error>(())
    /// ```
    pub fn progress(
        mut self,
        callback: impl Fn(Progress) -> ControlFlow<()> + Send + Sync + 'static,
    ) -> Options {
        self.progress = Some(Arc::new(callback));
        self
    }

    /// Removes the progress callback.
    pub fn no_progress(mut self) -> Options {
        self.progress = None;
        self
    }

    /// Stops the computation with [`Error::Cancelled`] when `token` is
    /// cancelled, from any thread.
    ///
    /// ```
    /// let token = pi_core::CancelToken::new();
    /// token.cancel();
    /// let options = pi_core::Options::new().cancel_token(token);
    /// assert_eq!(pi_core::compute(1000, &options), Err(pi_core::Error::Cancelled));
    /// ```
    pub fn cancel_token(mut self, token: CancelToken) -> Options {
        self.cancel = token;
        self
    }

    /// Whether to check the result independently before returning it: the
    /// binary value against hexadecimal digits near its end computed by
    /// digit extraction, and the digits written against the binary value
    /// by residues. A failed check is [`Error::VerificationFailed`].
    pub fn verify(mut self, verify: bool) -> Options {
        self.verify = verify;
        self
    }

    /// Corrupts the computation on purpose; for tests of verification only.
    #[doc(hidden)]
    pub fn corrupt_for_testing(mut self, corruption: Corruption) -> Options {
        self.corruption = corruption;
        self
    }

    /// Refuses, with [`Error::OutOfMemory`] and before allocating, a
    /// computation whose [`estimate_memory`] exceeds `bytes`; `None` (the
    /// default) means no limit.
    pub fn memory_limit(mut self, bytes: Option<u64>) -> Options {
        self.memory_limit = bytes;
        self
    }
}

impl Options {
    /// Runs `body` as a computation with these options' threads, progress
    /// and cancellation (see [`monitor::run`]).
    pub(crate) fn run<T: Send>(
        &self,
        estimate: u64,
        shares: [f64; monitor::STAGES.len()],
        body: impl FnOnce() -> Result<T, Error> + Send,
    ) -> Result<T, Error> {
        if self.threads > MAX_THREADS {
            return Err(Error::TooManyThreads {
                requested: self.threads,
                max: MAX_THREADS,
            });
        }
        monitor::run(
            self.threads,
            estimate,
            self.cancel.clone(),
            shares,
            self.progress.as_deref(),
            body,
        )
    }
}

impl fmt::Debug for Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Options")
            .field("base", &self.base)
            .field("threads", &self.threads)
            .field("progress", &self.progress.is_some())
            .field("cancelled", &self.cancel.is_cancelled())
            .field("verify", &self.verify)
            .field("memory_limit", &self.memory_limit)
            .finish()
    }
}

/// Bits of the binary value behind `n` digits in `base`.
fn digit_bits(n: u64, base: Base) -> u64 {
    match base {
        Base::Decimal => (n as f64 * std::f64::consts::LOG2_10).ceil() as u64 + 1,
        Base::Hexadecimal => 4 * n,
    }
}

/// Peak memory per byte of the binary result, with the text of the digits
/// and verification: the operands, products and transforms of the largest
/// steps. Whole peaks at 10^9 digits (`pi N --stats`, two threads), tables
/// and kept buffers included: 16.6 to 17.3 bytes per result byte in either
/// base, with or without verification.
const MEMORY_PER_RESULT_BYTE: u64 = 18;
/// Memory per byte of the binary result for the transforms' tables and
/// kept buffers, up to [`MEMORY_TABLES_MAX`]. Whole peaks (less
/// [`MEMORY_BASE`]) measured from 10^6 to 10^8 digits, both bases, with
/// and without verification: at most 59 bytes per result byte (10^7), 41
/// at 10^6, 33 at 10^8.
const MEMORY_TABLES_PER_RESULT_BYTE: u64 = 64;
/// The most the transforms' tables (about 130 MiB) and kept buffers (512
/// MiB) take.
const MEMORY_TABLES_MAX: u64 = 768 << 20;
/// Memory used whatever the size: code, thread stacks, small tables.
const MEMORY_BASE: u64 = 16 << 20;

/// An upper estimate, in bytes, of the peak memory of computing `n` digits
/// as `options` say (only the base matters), the text of the digits
/// included; `u64::MAX` beyond [`MAX_DIGITS`].
///
/// ```
/// let small = pi_core::estimate_memory(1000, &pi_core::Options::new());
/// let large = pi_core::estimate_memory(100_000_000, &pi_core::Options::new());
/// assert!(small < 20 << 20 && large > 1 << 30);
/// ```
pub fn estimate_memory(n: u64, options: &Options) -> u64 {
    if n > MAX_DIGITS {
        return u64::MAX;
    }
    let result_bytes = digit_bits(n, options.base).div_ceil(8);
    MEMORY_BASE
        + MEMORY_PER_RESULT_BYTE * result_bytes
        + (MEMORY_TABLES_PER_RESULT_BYTE * result_bytes).min(MEMORY_TABLES_MAX)
}

/// `"3."` followed by the first `n` digits of π after the point, truncated,
/// computed as `options` say.
///
/// Errors: [`Error::TooManyDigits`], [`Error::TooManyThreads`],
/// [`Error::OutOfMemory`] when the estimate exceeds the memory limit or
/// the memory the system has for this process (the address-space limit
/// less what is mapped, the control group's limit less its usage, the
/// available memory and swap), or when an allocation fails, [`Error::Cancelled`], [`Error::Threads`].
pub fn compute(n: u64, options: &Options) -> Result<String, Error> {
    if n > MAX_DIGITS {
        return Err(Error::TooManyDigits {
            requested: n,
            max: MAX_DIGITS,
        });
    }
    let estimate = estimate_memory(n, options);
    let given = options.memory_limit.map(MemoryBound::Limit);
    if let Some(bound) = [given, memory::available()]
        .into_iter()
        .flatten()
        .find(|bound| bound.bytes().is_some_and(|bytes| estimate > bytes))
    {
        return Err(Error::OutOfMemory { estimate, bound });
    }
    // Shares of the time taken by series, square root, division,
    // conversion and verification (profiles at 10^6..10^7 digits).
    let verification = if options.verify { 4.0 } else { 0.0 };
    let shares = match options.base {
        Base::Decimal => [60.0, 8.0, 8.0, 24.0, verification, 0.0],
        Base::Hexadecimal => [80.0, 10.0, 10.0, 1.0, verification, 0.0],
    };
    options.run(estimate, shares, || text(n, options))
}

/// `"3."` followed by the first `n` digits of π after the point, truncated,
/// on all available cores.
pub fn digits(n: u64, base: Base) -> Result<String, Error> {
    compute(n, &Options::new().base(base))
}

fn text(n: u64, options: &Options) -> Result<String, Error> {
    let base = options.base;
    let width = n as usize + 1;
    let (x, w, mut text) = written(n, INITIAL_GUARD_BITS, options);
    if options.corruption == Corruption::Text {
        text[width] = if text[width] == b'1' { b'2' } else { b'1' };
    }
    if options.verify {
        monitor::enter(Stage::Verification, 1);
        verify::check_binary(&x, w, ERROR_BOUND)?;
        check_text(&text[1..=width], n, base, &x, w)?;
    }
    text[0] = text[1];
    text[1] = b'.';
    text.truncate(width + 1);
    Ok(String::from_utf8(text).unwrap_or_default())
}

/// `π` truncated to `n` digits in `options.base`, from fixed-point
/// approximations with `guard_bits` beyond the needed precision, doubled
/// until the error bound cannot change a digit. Returns the approximation
/// used (`x` with `|x - π·2^w| < ERROR_BOUND`) and the text: a free byte,
/// the `n + 1` digits (no point), and room for a terminator (C adds a NUL
/// without copying).
fn written(n: u64, mut guard_bits: u64, options: &Options) -> (Natural, u64, Vec<u8>) {
    let digit_bits = digit_bits(n, options.base);
    let width = n as usize + 1;
    loop {
        let w = digit_bits + guard_bits;
        let mut x = pi_fixed_point(w);
        if options.corruption == Corruption::Binary {
            // The top bit of the digits verification compares: above the
            // guard bits, so the digits change too.
            if let Some((position, _)) = verify::checked_hex_digits(w) {
                x = &x + &(&Natural::from(1u64) << (w - 4 * position + 3));
            }
        }
        monitor::enter(Stage::Conversion, radix::decimal_work(width));
        // Allocated only now: during the series its bytes would add to the peak.
        let mut text = monitor::filled(width + 2, b'0');
        if write_digits(&x, w, options.base, &mut text[1..=width]) {
            return (x, w, text);
        }
        guard_bits *= 2;
    }
}

/// Writes the digits of `x / 2^w` into `out`, one before the point, for
/// `x` within [`ERROR_BOUND`] of `π·2^w`; `false` when that error leaves a
/// digit undecided.
fn write_digits(x: &Natural, w: u64, base: Base, out: &mut [u8]) -> bool {
    let error = Natural::from(ERROR_BOUND);
    let low = x.checked_sub(&error).unwrap_or_default();
    match base {
        Base::Decimal => {
            let integer = &low >> w;
            let Some(fraction) = radix::Fraction::new(low.low_bits(w), w, 2 * ERROR_BOUND) else {
                return false;
            };
            let Some(digit) = integer.to_u64().filter(|&d| d < 10) else {
                return false;
            };
            out[0] = b'0' + digit as u8;
            radix::write_decimal_fraction(&fraction, &mut out[1..])
        }
        Base::Hexadecimal => {
            let shift = w - 4 * (out.len() as u64 - 1);
            let value = &low >> shift;
            if value != &(x + &error) >> shift {
                return false;
            }
            radix::write_hex_exact(&value, out);
            true
        }
    }
}

/// Checks that `text` holds `floor(π · base^n)` for `x` within
/// [`ERROR_BOUND`] of `π·2^w`, by residues; in decimal, the product by
/// `10^n` this takes is checked by residues too.
fn check_text(text: &[u8], n: u64, base: Base, x: &Natural, w: u64) -> Result<(), Error> {
    let error = Natural::from(ERROR_BOUND);
    let (scaled, error, shift) = match base {
        Base::Decimal => {
            let power = Natural::pow(10, n);
            let y = x * &power;
            verify::check_product(x, n, &y)?;
            (Cow::Owned(y), &error * &power, w)
        }
        Base::Hexadecimal => (Cow::Borrowed(x), error, w - 4 * n),
    };
    // π·base^n lies between these; the text must hold the floor of one.
    let low = &scaled.checked_sub(&error).unwrap_or_default() >> shift;
    let high = &(scaled.as_ref() + &error) >> shift;
    verify::check_digits(text, base.radix(), &low).or_else(|failure| {
        if low == high {
            Err(failure)
        } else {
            verify::check_digits(text, base.radix(), &high)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widening_decides_across_the_six_nines() {
        // Decimals 762..767 are 999999: with a single guard bit the first
        // attempts cannot decide and must widen, and still agree.
        for n in [761u64, 762, 765, 767, 768] {
            let options = Options::new();
            let (_, _, narrow) = written(n, 1, &options);
            let (_, _, wide) = written(n, INITIAL_GUARD_BITS, &options);
            assert_eq!(narrow, wide, "n = {n}");
        }
        let text = digits(768, Base::Decimal).unwrap_or_default();
        // Decimal k (1-based) is text[k + 1].
        assert_eq!(&text[2 + 761..2 + 767], "999999");
    }
}
