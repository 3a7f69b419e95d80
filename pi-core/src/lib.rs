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
#![deny(unsafe_code)] // except the SIMD kernels in natural/mul/ntt/simd.rs

mod calc_pi;
mod chudnovsky;
mod digits;
pub mod natural;
mod parallel;

use std::fmt;

pub use calc_pi::calc_pi;
pub use digits::{compute, digits, Options, MAX_DIGITS, MAX_THREADS};
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
    /// The operating system refused to start the worker threads.
    Threads(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidBase(b) => write!(f, "invalid base {b}: expected 10 or 16"),
            Error::TooManyDigits { requested, max } => {
                write!(
                    f,
                    "too many digits: {requested} requested, at most {max} supported"
                )
            }
            Error::TooManyThreads { requested, max } => {
                write!(
                    f,
                    "too many threads: {requested} requested, at most {max} supported"
                )
            }
            Error::Threads(reason) => write!(f, "cannot start the worker threads: {reason}"),
        }
    }
}

impl std::error::Error for Error {}
