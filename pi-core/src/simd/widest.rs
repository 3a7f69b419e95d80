//! Portable kernels compiled again for the widest vectors of the kernel
//! family, so that their lane loops become vector instructions (the
//! digit-extraction block of `bbp.rs`).

use super::KernelFamily;

/// A portable kernel that [`run`] compiles again for wider vectors: its
/// `run` must be `#[inline(always)]`, and so must what it calls, so that
/// they are compiled into the vector builds.
pub(crate) trait Kernel {
    /// Runs the kernel.
    fn run(self);
}

/// Runs `kernel` compiled for the widest vectors of the kernel family (see
/// [`super::kernel_family`]) where the processor has them.
pub(crate) fn run(kernel: impl Kernel) {
    #[cfg(target_arch = "x86_64")]
    match width() {
        // SAFETY: `width` checked the features `avx512` enables.
        512 => return unsafe { avx512(kernel) },
        // SAFETY: `width` checked the features `avx2` enables.
        256 => return unsafe { avx2(kernel) },
        _ => {}
    }
    kernel.run();
}

/// The vector width in bits for this process, 0 for none.
#[cfg(target_arch = "x86_64")]
fn width() -> u32 {
    static WIDTH: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    *WIDTH.get_or_init(|| {
        let avx512 = is_x86_feature_detected!("avx512f")
            && is_x86_feature_detected!("avx512dq")
            && is_x86_feature_detected!("avx512vl");
        let avx2 = is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma");
        match super::kernel_family() {
            KernelFamily::Avx512F | KernelFamily::Avx512Ifma if avx512 => 512,
            KernelFamily::Portable => 0,
            _ if avx2 => 256,
            _ => 0,
        }
    })
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq,avx512vl")]
fn avx512(kernel: impl Kernel) {
    kernel.run();
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn avx2(kernel: impl Kernel) {
    kernel.run();
}
