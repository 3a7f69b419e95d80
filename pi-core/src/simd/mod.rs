//! The crate's only unsafe code: vector kernels chosen at run time, after
//! detecting the processor's instructions. Every kernel computes exactly
//! what its portable twin computes, so results never depend on the
//! processor.
#![allow(unsafe_code)]

pub(crate) mod bbp;
pub(crate) mod ntt;

/// A family of transform kernels, chosen once per process at run time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KernelFamily {
    /// Portable scalar code, three 62-bit primes: any processor.
    Portable,
    /// AVX-512 IFMA vectors, four 50-bit primes, eight lanes.
    Avx512Ifma,
}

impl KernelFamily {
    /// Its name, as `PI_SIMD` takes it: "portable" or "avx512-ifma".
    pub fn name(self) -> &'static str {
        self.c_name().to_str().unwrap_or_default()
    }

    /// [`KernelFamily::name`] as a NUL-terminated string, for C.
    pub fn c_name(self) -> &'static std::ffi::CStr {
        match self {
            KernelFamily::Portable => c"portable",
            KernelFamily::Avx512Ifma => c"avx512-ifma",
        }
    }
}

/// The kernel family this process runs: the fastest the processor has, or
/// the one the environment variable `PI_SIMD` names ("portable" or
/// "scalar", "avx512-ifma" or "ifma"), where the processor has it (else the
/// portable one). `PI_NO_SIMD` set means `PI_SIMD=portable`. Decided once.
///
/// ```
/// println!("kernels: {}", pi_core::kernel_family().name());
/// ```
pub fn kernel_family() -> KernelFamily {
    static FAMILY: std::sync::OnceLock<KernelFamily> = std::sync::OnceLock::new();
    *FAMILY.get_or_init(|| {
        if enabled() && ntt::detected() {
            KernelFamily::Avx512Ifma
        } else {
            KernelFamily::Portable
        }
    })
}

/// The family the environment asks for, if any (see [`kernel_family`]).
fn requested() -> Option<KernelFamily> {
    if std::env::var_os("PI_NO_SIMD").is_some() {
        return Some(KernelFamily::Portable);
    }
    match std::env::var("PI_SIMD").as_deref() {
        Ok("portable" | "scalar") => Some(KernelFamily::Portable),
        Ok("avx512-ifma" | "ifma") => Some(KernelFamily::Avx512Ifma),
        _ => None,
    }
}

/// Whether vector kernels may run at all: not with the portable family
/// asked for (so that tests cover the portable code on any machine).
fn enabled() -> bool {
    requested() != Some(KernelFamily::Portable)
}
