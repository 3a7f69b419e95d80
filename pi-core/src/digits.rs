//! Truncated digits of π in a base, right even across long runs of 9s.

use crate::chudnovsky::{pi_fixed_point, ERROR_BOUND};
use crate::natural::Natural;
use crate::{Base, Error};

/// The most digits one computation accepts.
pub const MAX_DIGITS: u64 = 1_000_000_000_000;

/// The most threads one computation accepts.
pub const MAX_THREADS: usize = 1024;

/// Guard bits of the first attempt; each retry doubles them.
const INITIAL_GUARD_BITS: u64 = 64;

/// How to compute digits: the base and the number of threads.
///
/// ```
/// let options = pi_core::Options::new().base(pi_core::Base::Hexadecimal).threads(2);
/// assert_eq!(pi_core::compute(4, &options)?, "3.243f");
/// # Ok::<(), pi_core::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options {
    base: Base,
    threads: usize,
}

impl Options {
    /// Decimal digits on all available cores.
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
}

/// `"3."` followed by the first `n` digits of π after the point, truncated,
/// computed as `options` say.
pub fn compute(n: u64, options: &Options) -> Result<String, Error> {
    if n > MAX_DIGITS {
        return Err(Error::TooManyDigits {
            requested: n,
            max: MAX_DIGITS,
        });
    }
    if options.threads > MAX_THREADS {
        return Err(Error::TooManyThreads {
            requested: options.threads,
            max: MAX_THREADS,
        });
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads)
        .thread_name(|i| format!("pi-worker-{i}"))
        .build()
        .map_err(|e| Error::Threads(e.to_string()))?;
    Ok(pool.install(|| text(n, options.base)))
}

/// `"3."` followed by the first `n` digits of π after the point, truncated,
/// on all available cores.
pub fn digits(n: u64, base: Base) -> Result<String, Error> {
    compute(n, &Options::new().base(base))
}

fn text(n: u64, base: Base) -> String {
    let scaled = truncated(n, base, INITIAL_GUARD_BITS);
    let width = n as usize + 1;
    let mut text = match base {
        Base::Decimal => scaled.to_decimal_padded(width),
        Base::Hexadecimal => scaled.to_hex_padded(width),
    };
    text.insert(1, '.');
    text
}

/// `floor(π · base^n)`, from fixed-point approximations with `guard_bits`
/// beyond the needed precision, doubled until the error bound cannot change
/// the floor.
pub(crate) fn truncated(n: u64, base: Base, mut guard_bits: u64) -> Natural {
    let digit_bits = match base {
        Base::Decimal => (n as f64 * std::f64::consts::LOG2_10).ceil() as u64 + 1,
        Base::Hexadecimal => 4 * n,
    };
    loop {
        let w = digit_bits + guard_bits;
        let x = pi_fixed_point(w);
        let error = Natural::from(ERROR_BOUND);
        let (low, high) = match base {
            Base::Decimal => {
                let scale = Natural::pow(10, n);
                let y = &x * &scale;
                let e = &error * &scale;
                (&(&y - &e) >> w, &(&y + &e) >> w)
            }
            Base::Hexadecimal => (&(&x - &error) >> guard_bits, &(&x + &error) >> guard_bits),
        };
        if low == high {
            return low;
        }
        guard_bits *= 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widening_decides_across_the_six_nines() {
        // Decimals 762..767 are 999999: with a single guard bit the first
        // attempts cannot decide and must widen, and still agree.
        for n in [761u64, 762, 765, 767, 768] {
            let narrow = truncated(n, Base::Decimal, 1);
            assert_eq!(
                narrow,
                truncated(n, Base::Decimal, INITIAL_GUARD_BITS),
                "n = {n}"
            );
        }
        let text = digits(768, Base::Decimal).unwrap_or_default();
        // Decimal k (1-based) is text[k + 1].
        assert_eq!(&text[2 + 761..2 + 767], "999999");
    }
}
