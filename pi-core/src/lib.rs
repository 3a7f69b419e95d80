//! Digits of π: decimal or hexadecimal, truncated, always right.
//!
//! All the mathematics of the `pi` project lives here, including its own
//! arbitrary-precision arithmetic ([`Natural`]).
//!
//! ```
//! assert_eq!(pi_core::digits(10, pi_core::Base::Decimal)?, "3.1415926535");
//! assert_eq!(pi_core::digits(8, pi_core::Base::Hexadecimal)?, "3.243f6a88");
//! # Ok::<(), pi_core::Error>(())
//! ```
#![deny(unsafe_code)] // except the vector kernels in simd/

mod bbp;
mod calc_pi;
mod chudnovsky;
mod digits;
mod memory;
mod monitor;
pub mod natural;
mod parallel;
mod simd;
mod verify;

use std::fmt;

use memory::Bytes;

pub use bbp::{hex_digits_at, hex_digits_at_with, MAX_HEX_COUNT, MAX_HEX_POSITION};
pub use calc_pi::calc_pi;
#[doc(hidden)]
pub use digits::Corruption;
pub use digits::{compute, digits, estimate_memory, Options, MAX_DIGITS, MAX_THREADS};
pub use memory::MemoryBound;
pub use monitor::{CancelToken, Progress, ProgressFn, Stage, PROGRESS_INTERVAL};
pub use natural::Natural;

/// The base in which digits are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Base {
    /// Base 10.
    #[default]
    Decimal,
    /// Base 16, in lowercase.
    Hexadecimal,
}

impl Base {
    /// The radix: 10 or 16.
    pub fn radix(self) -> u32 {
        match self {
            Base::Decimal => 10,
            Base::Hexadecimal => 16,
        }
    }
}

impl TryFrom<u32> for Base {
    type Error = Error;

    /// Accepts 10 and 16.
    fn try_from(radix: u32) -> Result<Base, Error> {
        match radix {
            10 => Ok(Base::Decimal),
            16 => Ok(Base::Hexadecimal),
            other => Err(Error::InvalidBase(other)),
        }
    }
}

/// Why a computation was refused or failed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The base is neither 10 nor 16.
    InvalidBase(u32),
    /// More digits were requested than [`MAX_DIGITS`].
    TooManyDigits {
        /// The number of digits asked for.
        requested: u64,
        /// The largest number accepted.
        max: u64,
    },
    /// More threads were requested than [`MAX_THREADS`].
    TooManyThreads {
        /// The number of threads asked for.
        requested: usize,
        /// The largest number accepted.
        max: usize,
    },
    /// A hexadecimal digit position of 0 or beyond [`MAX_HEX_POSITION`].
    InvalidPosition {
        /// The position asked for.
        position: u64,
        /// The largest position accepted.
        max: u64,
    },
    /// The operating system refused to start the worker threads.
    Threads(String),
    /// The independent check of the result failed: the result is wrong
    /// (a bug, or a hardware fault), and was not returned.
    VerificationFailed(String),
    /// The computation was cancelled (by its [`CancelToken`] or its progress
    /// callback).
    Cancelled,
    /// Not enough memory: the estimate exceeds the memory limit or what the
    /// system has for this process (refused before anything was
    /// allocated), or an allocation failed during the computation.
    OutOfMemory {
        /// The estimated peak memory of the computation, in bytes.
        estimate: u64,
        /// What the estimate exceeded, or the failed allocation.
        bound: MemoryBound,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidBase(b) => write!(f, "invalid base {b}: expected 10 or 16"),
            Error::TooManyDigits { requested, max } => {
                write!(
                    f,
                    "too many digits: {requested} requested, at most {} supported",
                    Power(*max)
                )
            }
            Error::TooManyThreads { requested, max } => {
                write!(
                    f,
                    "too many threads: {requested} requested, at most {max} supported"
                )
            }
            Error::InvalidPosition { position, max } => write!(
                f,
                "invalid position {position}: positions start at 1 (the first digit after the point) and go up to {}",
                Power(*max)
            ),
            Error::Threads(reason) => write!(f, "cannot start the worker threads: {reason}"),
            Error::Cancelled => f.write_str("the computation was cancelled"),
            Error::VerificationFailed(what) => write!(f, "verification failed: {what}"),
            Error::OutOfMemory {
                estimate,
                bound: MemoryBound::AllocationFailed,
            } => write!(
                f,
                "out of memory: an allocation failed (the computation needs about {})",
                Bytes(*estimate)
            ),
            Error::OutOfMemory { estimate, bound } => write!(
                f,
                "out of memory: the computation needs about {}, more than {bound}",
                Bytes(*estimate)
            ),
        }
    }
}

impl std::error::Error for Error {}

/// A limit, written `10^k` when it is a power of ten from a million up.
struct Power(u64);

impl fmt::Display for Power {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (6..20).find(|&k| 10u64.checked_pow(k) == Some(self.0)) {
            Some(k) => write!(f, "10^{k}"),
            None => write!(f, "{}", self.0),
        }
    }
}
