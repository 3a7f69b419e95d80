//! Transform coefficients wider than a limb cut from the limbs with
//! AVX-512F, eight at a time (see `natural/mul/ntt/packing.rs`, whose
//! scalar cut this one matches bit for bit).

use super::KernelFamily;

/// Cuts coefficients `start..` of `bits` bits (65 to 96; `start` a
/// multiple of 8) from `limbs` into `low` (their low 64 bits) and `high`
/// (the others), eight at a time, as many as `low` holds whose limbs are
/// all in `limbs` with room for a 16-limb read: returns how many (a
/// multiple of `group`, itself a multiple of 8), zero when the chosen
/// kernel family has no AVX-512F.
pub(crate) fn split(
    limbs: &[u64],
    bits: usize,
    start: usize,
    group: usize,
    low: &mut [u64],
    high: &mut [u64],
) -> usize {
    #[cfg(target_arch = "x86_64")]
    if matches!(
        super::kernel_family(),
        KernelFamily::Avx512F | KernelFamily::Avx512Ifma
    ) && (65..=96).contains(&bits)
        && start.is_multiple_of(8)
        && group.is_multiple_of(8)
        && group > 0
    {
        // The blocks whose 16-limb windows lie in `limbs`: the window of
        // the block from coefficient `c` starts at limb `bits·c / 64`, and
        // reaches at most 13 limbs further for 96 bits.
        let last = limbs.len().checked_sub(16).map(|l| l * 64 / bits);
        let blocks = match last {
            Some(last) if last >= start => (last - start) / 8 + 1,
            _ => 0,
        };
        let whole = (blocks * 8).min(low.len()).min(high.len()) / group * group;
        if whole > 0 {
            // SAFETY: the chosen family has AVX-512F, which the processor
            // then has; every window read lies in `limbs` and every block
            // written in `low` and `high`.
            unsafe { x86::split(limbs, bits, start, &mut low[..whole], &mut high[..whole]) };
            return whole;
        }
    }
    0
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    /// # Safety
    /// The processor must have AVX-512F; `low` and `high` as long, a
    /// multiple of 8; the 16 limbs from `bits·c / 64` in `limbs` for the
    /// first coefficient `c` of each block of 8.
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn split(
        limbs: &[u64],
        bits: usize,
        start: usize,
        low: &mut [u64],
        high: &mut [u64],
    ) {
        let mask = _mm512_set1_epi64(((1u64 << (bits - 64)) - 1) as i64);
        let sixty_four = _mm512_set1_epi64(64);
        // Where the coefficients of a block start depends on its first bit
        // modulo 64 alone, which repeats every 8 blocks (`start` and the
        // blocks are multiples of 8 coefficients): for each of those 8, the
        // limbs of the window that hold each coefficient's three limbs, and
        // its shift.
        let patterns: [[__m512i; 4]; 8] = std::array::from_fn(|r| {
            let offset = (start + 8 * r) * bits % 64;
            let limb = |extra: usize| -> [i64; 8] {
                std::array::from_fn(|i| ((offset + i * bits) / 64 + extra) as i64)
            };
            let shifts: [i64; 8] = std::array::from_fn(|i| ((offset + i * bits) % 64) as i64);
            // SAFETY: eight i64s each.
            [limb(0), limb(1), limb(2), shifts]
                .map(|v| unsafe { _mm512_loadu_si512(v.as_ptr().cast()) })
        });
        for (j, (low, high)) in low
            .chunks_exact_mut(8)
            .zip(high.chunks_exact_mut(8))
            .enumerate()
        {
            let base = (start + 8 * j) * bits / 64;
            let [k0, k1, k2, s] = patterns[j % 8];
            // SAFETY: `base + 16 <= limbs.len()` (the caller's window); `low`
            // and `high` hold eight each.
            unsafe {
                let window = limbs.as_ptr().add(base);
                let (w0, w1) = (
                    _mm512_loadu_si512(window.cast()),
                    _mm512_loadu_si512(window.add(8).cast()),
                );
                let [a, b, c] = [k0, k1, k2].map(|k| _mm512_permutex2var_epi64(w0, k, w1));
                // A shift by 64 or more gives zero: a coefficient starting
                // at bit 0 of a limb takes nothing from the limb before.
                let back = _mm512_sub_epi64(sixty_four, s);
                let l = _mm512_or_si512(_mm512_srlv_epi64(a, s), _mm512_sllv_epi64(b, back));
                let h = _mm512_or_si512(_mm512_srlv_epi64(b, s), _mm512_sllv_epi64(c, back));
                _mm512_storeu_si512(low.as_mut_ptr().cast(), l);
                _mm512_storeu_si512(high.as_mut_ptr().cast(), _mm512_and_si512(h, mask));
            }
        }
    }
}
