//! The crate's only unsafe code: vector kernels chosen at run time, after
//! detecting the processor's instructions. Every kernel computes exactly
//! what its portable twin computes, so results never depend on the
//! processor.
#![allow(unsafe_code)]

pub(crate) mod bbp;
pub(crate) mod ntt;

/// Whether vector kernels may run: the environment variable `PI_NO_SIMD` is
/// not set (it forces the portable code, so that tests cover it on any
/// machine). Decided once.
fn enabled() -> bool {
    static ENABLED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ENABLED.get_or_init(|| std::env::var_os("PI_NO_SIMD").is_none())
}
