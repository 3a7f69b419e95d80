//! The digit-extraction block of `bbp.rs`, compiled a second time for
//! AVX-512 so that its lane loops become vector instructions.

/// [`crate::bbp::block_sum`], on AVX-512 (F, DQ, VL) where the processor
/// has it.
pub(crate) fn block_sum(s: u64, n0: u64, sum: &mut [i64]) {
    #[cfg(target_arch = "x86_64")]
    if avx512() {
        // SAFETY: the processor has the features `block_sum_avx512` enables.
        unsafe { block_sum_avx512(s, n0, sum) };
        return;
    }
    crate::bbp::block_sum(s, n0, sum);
}

#[cfg(target_arch = "x86_64")]
fn avx512() -> bool {
    static AVAILABLE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        is_x86_feature_detected!("avx512f")
            && is_x86_feature_detected!("avx512dq")
            && is_x86_feature_detected!("avx512vl")
            && super::enabled()
    })
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq,avx512vl")]
fn block_sum_avx512(s: u64, n0: u64, sum: &mut [i64]) {
    crate::bbp::block_sum(s, n0, sum);
}
