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

mod base;
mod bbp;
mod calc_pi;
mod checkpoint;
mod chudnovsky;
mod computation;
mod digits;
mod error;
mod extraction;
mod memory;
mod monitor;
mod natural;
mod options;
mod positioned;
mod simd;
mod text;
mod verify;

pub use base::Base;
pub use calc_pi::calc_pi;
pub use digits::{
    compute, compute_to_file, digits, estimate_disk, estimate_memory, estimate_memory_to_file,
    MAX_DIGITS, MAX_THREADS,
};
pub use error::Error;
pub use extraction::{
    hex_digits_at, hex_digits_at_with, HexExtraction, HexTermSum, MAX_HEX_COUNT, MAX_HEX_POSITION,
    MAX_HEX_PRECISION,
};
pub use memory::MemoryBound;
pub use monitor::{CancelToken, Progress, ProgressFn, ScratchIo, Stage, PROGRESS_INTERVAL};
pub use natural::Natural;
pub use options::Options;
pub use simd::{kernel_family, KernelFamily};
