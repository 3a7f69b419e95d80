//! The digit-extraction block of `bbp.rs`, compiled again for AVX-512 and
//! for AVX2 so that its lane loops become vector instructions.

use super::KernelFamily;

/// [`crate::bbp::block_sum`], on the widest vectors of the kernel family
/// (see [`super::kernel_family`]) where the processor has them.
pub(crate) fn block_sum(s: u64, n0: u64, sum: &mut [i64]) {
    #[cfg(target_arch = "x86_64")]
    match width() {
        // SAFETY: `width` checked the features `block_sum_avx512` enables.
        512 => return unsafe { block_sum_avx512(s, n0, sum) },
        // SAFETY: `width` checked the features `block_sum_avx2` enables.
        256 => return unsafe { block_sum_avx2(s, n0, sum) },
        _ => {}
    }
    crate::bbp::block_sum(s, n0, sum);
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
fn block_sum_avx512(s: u64, n0: u64, sum: &mut [i64]) {
    crate::bbp::block_sum(s, n0, sum);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn block_sum_avx2(s: u64, n0: u64, sum: &mut [i64]) {
    crate::bbp::block_sum(s, n0, sum);
}
