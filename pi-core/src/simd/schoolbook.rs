//! Schoolbook products of short numbers with AVX-512 IFMA: the operands
//! cut into 52-bit digits, eight columns of the product summed at a time
//! (the low and high halves of each digit product by `vpmadd52luq` and
//! `vpmadd52huq`), then the carries propagated and the digits packed back
//! into limbs. The product is exactly the portable schoolbook's.

/// The most limbs of either operand the kernel takes; its digits and
/// columns live on the stack.
pub(crate) const MAX_LIMBS: usize = 256;

const DIGIT_BITS: usize = 52;
const DIGIT_MASK: u64 = (1 << DIGIT_BITS) - 1;
/// The lanes of a vector, and the zeros on each side of the first
/// operand's digits (a column block reads up to seven digits beyond them).
const LANES: usize = 8;

/// Whether [`product`] runs: the chosen kernel family has AVX-512 IFMA.
pub(crate) fn available() -> bool {
    super::ntt::available()
}

/// `out = a·b`, `out` exactly `a.len() + b.len()` limbs, both operands at
/// most [`MAX_LIMBS`] limbs: `true`; `false` (nothing done) where the
/// chosen kernel family has no AVX-512 IFMA or the lengths do not suit.
pub(crate) fn product(out: &mut [u64], a: &[u64], b: &[u64]) -> bool {
    let fits = !a.is_empty()
        && !b.is_empty()
        && a.len() <= MAX_LIMBS
        && b.len() <= MAX_LIMBS
        && out.len() == a.len() + b.len();
    if !fits || !available() {
        return false;
    }
    // Scratch no longer than the operands need: it is zeroed.
    let longer = a.len().max(b.len());
    if longer <= 16 {
        columns_and_pack::<{ scratch_words(16) }>(out, a, b);
    } else if longer <= 32 {
        columns_and_pack::<{ scratch_words(32) }>(out, a, b);
    } else if longer <= 64 {
        columns_and_pack::<{ scratch_words(64) }>(out, a, b);
    } else if longer <= 128 {
        columns_and_pack::<{ scratch_words(128) }>(out, a, b);
    } else {
        columns_and_pack::<{ scratch_words(MAX_LIMBS) }>(out, a, b);
    }
    true
}

/// The digits of `limbs` limbs.
const fn digits_of(limbs: usize) -> usize {
    (limbs * 64).div_ceil(DIGIT_BITS)
}

/// The scratch of [`columns_and_pack`] for operands of at most `limbs`
/// limbs: both operands' digits, the first padded, and two rows of column
/// sums.
const fn scratch_words(limbs: usize) -> usize {
    let d = digits_of(limbs);
    (d + 2 * LANES) + d + 2 * (2 * d + LANES) + 1
}

/// [`product`] in `S` words of scratch (see [`scratch_words`]).
fn columns_and_pack<const S: usize>(out: &mut [u64], a: &[u64], b: &[u64]) {
    let (na, nb) = (digits_of(a.len()), digits_of(b.len()));
    // Columns `k` of the low halves, and `k + 1` of the high halves.
    let columns = (na + nb).next_multiple_of(LANES);
    let mut scratch = [0u64; S];
    let (da, rest) = scratch.split_at_mut(na + 2 * LANES);
    let (db, rest) = rest.split_at_mut(nb);
    let (low, rest) = rest.split_at_mut(columns);
    let high = &mut rest[..columns + 1];
    digits(a, &mut da[LANES..LANES + na]);
    digits(b, db);
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `available` says the processor has AVX-512F and IFMA; the
    // digits are padded with `LANES` zeros on each side of `na`, and the
    // columns hold `columns + 1` values.
    unsafe {
        x86::columns(da, db, low, high)
    };
    pack(out, low, &high[..columns]);
}

/// The 52-bit digits of `limbs`, lowest first, into `out`.
fn digits(limbs: &[u64], out: &mut [u64]) {
    for (i, d) in out.iter_mut().enumerate() {
        let (q, s) = (i * DIGIT_BITS / 64, i * DIGIT_BITS % 64);
        let mut v = limbs[q] >> s;
        if s + DIGIT_BITS > 64 {
            v |= limbs.get(q + 1).map_or(0, |&next| next << (64 - s));
        }
        *d = v & DIGIT_MASK;
    }
}

/// `out` from the column sums, digit `k` of the product being
/// `low[k] + high[k]` plus the carry from below.
fn pack(out: &mut [u64], low: &[u64], high: &[u64]) {
    let (mut carry, mut bits, mut pending) = (0u64, 0, 0u128);
    let mut limbs = out.iter_mut();
    for (&l, &h) in low.iter().zip(high) {
        // A column sums at most 316 halves of products (`MAX_LIMBS`): below
        // 2^61 each row, and carries below 2^10.
        let t = l + h + carry;
        carry = t >> DIGIT_BITS;
        pending |= u128::from(t & DIGIT_MASK) << bits;
        bits += DIGIT_BITS;
        if bits >= 64 {
            match limbs.next() {
                Some(limb) => *limb = pending as u64,
                None => return,
            }
            pending >>= 64;
            bits -= 64;
        }
    }
    if let Some(limb) = limbs.next() {
        *limb = pending as u64;
    }
    limbs.for_each(|limb| *limb = 0);
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::LANES;
    use std::arch::x86_64::*;

    /// `low[k]` and `high[k + 1]`: the sums of the low and of the high
    /// halves of the products `a[i]·b[j]`, `i + j = k`, where `a` is the
    /// first operand's digits with `LANES` zeros on each side.
    ///
    /// # Safety
    /// The processor must have AVX-512F and IFMA; `a` padded as said,
    /// `low` a multiple of `LANES` long, `high` one longer.
    #[target_feature(enable = "avx512f,avx512ifma")]
    pub(super) unsafe fn columns(a: &[u64], b: &[u64], low: &mut [u64], high: &mut [u64]) {
        let na = a.len() - 2 * LANES;
        for (block, low) in low.chunks_exact_mut(LANES).enumerate() {
            let k0 = block * LANES;
            // The digits of `b` that meet a digit of `a` in these columns.
            let first = (k0 + 1).saturating_sub(na);
            let last = (k0 + LANES).min(b.len());
            let (mut lo, mut hi) = (_mm512_setzero_si512(), _mm512_setzero_si512());
            let (mut lo2, mut hi2) = (_mm512_setzero_si512(), _mm512_setzero_si512());
            let mut j = first;
            // SAFETY: `LANES + k0 - j` lies in `[1, na + LANES]` for the `j`
            // taken, so the eight digits read lie in the padded `a`.
            unsafe {
                while j + 1 < last {
                    let x = _mm512_loadu_si512(a.as_ptr().add(LANES + k0 - j).cast());
                    let y = _mm512_set1_epi64(b[j] as i64);
                    lo = _mm512_madd52lo_epu64(lo, x, y);
                    hi = _mm512_madd52hi_epu64(hi, x, y);
                    let x = _mm512_loadu_si512(a.as_ptr().add(LANES + k0 - j - 1).cast());
                    let y = _mm512_set1_epi64(b[j + 1] as i64);
                    lo2 = _mm512_madd52lo_epu64(lo2, x, y);
                    hi2 = _mm512_madd52hi_epu64(hi2, x, y);
                    j += 2;
                }
                if j < last {
                    let x = _mm512_loadu_si512(a.as_ptr().add(LANES + k0 - j).cast());
                    let y = _mm512_set1_epi64(b[j] as i64);
                    lo = _mm512_madd52lo_epu64(lo, x, y);
                    hi = _mm512_madd52hi_epu64(hi, x, y);
                }
                _mm512_storeu_si512(low.as_mut_ptr().cast(), _mm512_add_epi64(lo, lo2));
                _mm512_storeu_si512(
                    high.as_mut_ptr().add(k0 + 1).cast(),
                    _mm512_add_epi64(hi, hi2),
                );
            }
        }
    }
}
