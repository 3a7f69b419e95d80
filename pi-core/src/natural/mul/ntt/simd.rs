//! The crate's only unsafe code: AVX-512 IFMA kernels for the stages of the
//! 52-bit Montgomery transform, eight butterflies at a time.
//!
//! Each kernel runs only after runtime detection of the instructions and
//! computes exactly what the scalar stages of `montgomery52.rs` compute, so
//! results never depend on the processor.
#![allow(unsafe_code)]

/// Whether the vector kernels run on this processor.
pub(super) fn available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        x86::available()
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Whether a stage over `lo`, `hi` and `w` suits the kernels.
#[cfg(target_arch = "x86_64")]
fn fits(lo: &[u64], hi: &[u64], w: &[u64]) -> bool {
    lo.len() >= 8
        && lo.len().is_multiple_of(8)
        && hi.len() == lo.len()
        && w.len() == lo.len()
        && available()
}

/// A forward stage `(u, v) -> (u + v, (u - v)·w)` modulo `p < 2^50` with
/// `R = 2^52`; `false` (and nothing done) when the kernels do not apply.
pub(super) fn forward_stage(lo: &mut [u64], hi: &mut [u64], w: &[u64], p: u64, p_inv: u64) -> bool {
    #[cfg(target_arch = "x86_64")]
    if fits(lo, hi, w) {
        // SAFETY: `fits` checked that the processor has AVX-512F and IFMA.
        unsafe { x86::forward_stage(lo, hi, w, p, p_inv) };
        return true;
    }
    false
}

/// An inverse stage `(u, v) -> (u + v·w, u - v·w)`; see [`forward_stage`].
pub(super) fn inverse_stage(lo: &mut [u64], hi: &mut [u64], w: &[u64], p: u64, p_inv: u64) -> bool {
    #[cfg(target_arch = "x86_64")]
    if fits(lo, hi, w) {
        // SAFETY: `fits` checked that the processor has AVX-512F and IFMA.
        unsafe { x86::inverse_stage(lo, hi, w, p, p_inv) };
        return true;
    }
    false
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    pub(super) fn available() -> bool {
        is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("avx512ifma")
    }

    /// `a·b / 2^52 mod p` per lane, for `a, b < p < 2^50`.
    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    fn montgomery(a: __m512i, b: __m512i, p: __m512i, p_inv: __m512i) -> __m512i {
        let zero = _mm512_setzero_si512();
        let lo = _mm512_madd52lo_epu64(zero, a, b);
        let hi = _mm512_madd52hi_epu64(zero, a, b);
        let m = _mm512_madd52lo_epu64(zero, lo, p_inv);
        let r = _mm512_sub_epi64(hi, _mm512_madd52hi_epu64(zero, m, p));
        _mm512_min_epu64(r, _mm512_add_epi64(r, p))
    }

    #[inline]
    #[target_feature(enable = "avx512f")]
    fn add(a: __m512i, b: __m512i, p: __m512i) -> __m512i {
        let s = _mm512_add_epi64(a, b);
        _mm512_min_epu64(s, _mm512_sub_epi64(s, p))
    }

    #[inline]
    #[target_feature(enable = "avx512f")]
    fn sub(a: __m512i, b: __m512i, p: __m512i) -> __m512i {
        let d = _mm512_sub_epi64(a, b);
        _mm512_min_epu64(d, _mm512_add_epi64(d, p))
    }

    /// # Safety
    /// The processor must have AVX-512F and IFMA; the slices must be of one
    /// length, a multiple of 8.
    #[target_feature(enable = "avx512f,avx512ifma")]
    pub(super) unsafe fn forward_stage(
        lo: &mut [u64],
        hi: &mut [u64],
        w: &[u64],
        p: u64,
        p_inv: u64,
    ) {
        let (p, p_inv) = (_mm512_set1_epi64(p as i64), _mm512_set1_epi64(p_inv as i64));
        for ((x, y), w) in lo
            .chunks_exact_mut(8)
            .zip(hi.chunks_exact_mut(8))
            .zip(w.chunks_exact(8))
        {
            // SAFETY: each chunk is exactly eight u64s; the accesses are unaligned ones.
            unsafe {
                let u = _mm512_loadu_si512(x.as_ptr().cast());
                let v = _mm512_loadu_si512(y.as_ptr().cast());
                let w = _mm512_loadu_si512(w.as_ptr().cast());
                _mm512_storeu_si512(x.as_mut_ptr().cast(), add(u, v, p));
                _mm512_storeu_si512(y.as_mut_ptr().cast(), montgomery(sub(u, v, p), w, p, p_inv));
            }
        }
    }

    /// # Safety
    /// As for [`forward_stage`].
    #[target_feature(enable = "avx512f,avx512ifma")]
    pub(super) unsafe fn inverse_stage(
        lo: &mut [u64],
        hi: &mut [u64],
        w: &[u64],
        p: u64,
        p_inv: u64,
    ) {
        let (p, p_inv) = (_mm512_set1_epi64(p as i64), _mm512_set1_epi64(p_inv as i64));
        for ((x, y), w) in lo
            .chunks_exact_mut(8)
            .zip(hi.chunks_exact_mut(8))
            .zip(w.chunks_exact(8))
        {
            // SAFETY: each chunk is exactly eight u64s; the accesses are unaligned ones.
            unsafe {
                let u = _mm512_loadu_si512(x.as_ptr().cast());
                let w = _mm512_loadu_si512(w.as_ptr().cast());
                let v = montgomery(_mm512_loadu_si512(y.as_ptr().cast()), w, p, p_inv);
                _mm512_storeu_si512(x.as_mut_ptr().cast(), add(u, v, p));
                _mm512_storeu_si512(y.as_mut_ptr().cast(), sub(u, v, p));
            }
        }
    }
}
