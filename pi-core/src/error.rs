//! Why a computation was refused or failed.

use std::fmt;

use crate::memory::{Bytes, MemoryBound};
#[cfg(doc)]
use crate::{CancelToken, MAX_DIGITS, MAX_HEX_POSITION, MAX_THREADS};

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
    /// Sums of a [`crate::HexExtraction`]'s terms that do not fit it: a
    /// range outside its terms, sums of another extraction, or ranges that
    /// overlap or leave terms out; the text says which.
    InvalidTerms(String),
    /// The operating system refused to start the worker threads.
    Threads(String),
    /// The independent check of the result failed: the result is wrong
    /// (a bug, or a hardware fault), and was not returned.
    VerificationFailed(String),
    /// The computation was cancelled (by its [`CancelToken`] or its progress
    /// callback).
    Cancelled,
    /// The scratch directory could not be used: a checkpoint could not be
    /// written or read, or one found there when resuming belongs to another
    /// computation or is damaged; the text says which.
    Checkpoint(String),
    /// The digits could not be written to their file, or read back to
    /// verify them; the text says why.
    Output(String),
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
            Error::InvalidTerms(reason) => write!(f, "invalid term sums: {reason}"),
            Error::Threads(reason) => write!(f, "cannot start the worker threads: {reason}"),
            Error::Cancelled => f.write_str("the computation was cancelled"),
            Error::Checkpoint(what) => write!(f, "checkpoint: {what}"),
            Error::Output(what) => write!(f, "cannot write the digits to their file: {what}"),
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
