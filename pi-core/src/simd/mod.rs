//! The crate's only unsafe code: vector kernels chosen at run time, after
//! detecting the processor's instructions. Every kernel computes exactly
//! what its portable twin computes, so results never depend on the
//! processor.
#![allow(unsafe_code)]

pub(crate) mod fma;
mod layout;
pub(crate) mod mulx;
pub(crate) mod ntt;
pub(crate) mod schoolbook;
mod split;
pub(crate) mod widest;

pub(crate) use layout::quarters;
pub(crate) use split::split;

/// Fetches `values` into the L2 cache ahead of their use; no other effect.
pub(crate) fn fetch(values: &[u64]) {
    #[cfg(target_arch = "x86_64")]
    for i in (0..values.len()).step_by(8) {
        fma::x86::fetch(values, i);
    }
}

/// A family of transform kernels, chosen once per process at run time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KernelFamily {
    /// Portable scalar code, three 62-bit primes: any processor.
    Portable,
    /// AVX2 and FMA: 50-bit primes in doubles, four lanes.
    Avx2,
    /// AVX-512F: 50-bit primes in doubles, eight lanes.
    Avx512F,
    /// AVX-512 IFMA vectors, four 50-bit primes, eight lanes.
    Avx512Ifma,
}

impl KernelFamily {
    /// Its name, as `PI_SIMD` takes it: "portable", "avx2", "avx512f" or
    /// "avx512-ifma".
    pub fn name(self) -> &'static str {
        self.c_name().to_str().unwrap_or_default()
    }

    /// [`KernelFamily::name`] as a NUL-terminated string, for C.
    pub fn c_name(self) -> &'static std::ffi::CStr {
        match self {
            KernelFamily::Portable => c"portable",
            KernelFamily::Avx2 => c"avx2",
            KernelFamily::Avx512F => c"avx512f",
            KernelFamily::Avx512Ifma => c"avx512-ifma",
        }
    }

    /// Whether this processor has the family's instructions.
    pub fn detected(self) -> bool {
        match self {
            KernelFamily::Portable => true,
            KernelFamily::Avx2 => fma::detected(4),
            KernelFamily::Avx512F => fma::detected(8),
            KernelFamily::Avx512Ifma => ntt::detected(),
        }
    }
}

/// The families from the fastest, as measured (see docs/performance.md).
const FASTEST_FIRST: [KernelFamily; 4] = [
    KernelFamily::Avx512Ifma,
    KernelFamily::Avx512F,
    KernelFamily::Avx2,
    KernelFamily::Portable,
];

/// The kernel family this process runs: the fastest the processor has, or
/// the one the environment variable `PI_SIMD` names ("portable" or
/// "scalar", "avx2", "avx512f", "avx512-ifma" or "ifma") where the
/// processor has it (else the fastest it has). `PI_NO_SIMD` set means
/// `PI_SIMD=portable`. Decided once.
///
/// ```
/// println!("kernels: {}", pi_core::kernel_family().name());
/// ```
pub fn kernel_family() -> KernelFamily {
    static FAMILY: std::sync::OnceLock<KernelFamily> = std::sync::OnceLock::new();
    *FAMILY.get_or_init(|| {
        requested()
            .filter(|family| family.detected())
            .or_else(|| FASTEST_FIRST.into_iter().find(|family| family.detected()))
            .unwrap_or(KernelFamily::Portable)
    })
}

/// The family the environment asks for, if any (see [`kernel_family`]).
fn requested() -> Option<KernelFamily> {
    if std::env::var_os("PI_NO_SIMD").is_some() {
        return Some(KernelFamily::Portable);
    }
    match std::env::var("PI_SIMD").as_deref() {
        Ok("portable" | "scalar") => Some(KernelFamily::Portable),
        Ok("avx2") => Some(KernelFamily::Avx2),
        Ok("avx512f") => Some(KernelFamily::Avx512F),
        Ok("avx512-ifma" | "ifma") => Some(KernelFamily::Avx512Ifma),
        _ => None,
    }
}
