//! Digit extraction split into sums of term ranges and their combination:
//! the building blocks for running one extraction on many processes or
//! machines under any scheduler.

use std::ffi::c_char;
use std::ops::Range;
use std::slice;

use pi_core::{HexExtraction, HexTermSum};

use super::{
    cleared, failed, null, options_or_default, panic_boundary, pi_options, pi_status, too_small,
};
use pi_status::*;

/// The most limbs of precision an extraction's sums take (see
/// `pi_hex_extraction`).
pub const PI_MAX_HEX_PRECISION: u32 = 65536;

const _: () = assert!(PI_MAX_HEX_PRECISION as usize == pi_core::MAX_HEX_PRECISION);

/// The attempt `precision` at `count` digits from `position`, or its error.
fn extraction(position: u64, count: usize, precision: u32) -> Result<HexExtraction, pi_status> {
    HexExtraction::with_precision(position, count, precision as usize).map_err(|e| failed(&e))
}

/// Plans attempt number `attempt` (0 first) at `count` hexadecimal digits
/// of pi from `position` (as `pi_hex_digits_at` takes them): writes the
/// precision of its sums, in 64-bit limbs, to `*precision`, and the number
/// of terms of its series to `*terms`. Sum ranges of terms `0..*terms`
/// with `pi_hex_term_sum` (anywhere, in any order) and combine them with
/// `pi_hex_combine`; when that reports the digits unsettled (at the edge
/// of a long run of `f` or `0`), plan attempt `attempt + 1`.
///
/// Errors: `PI_ERROR_NULL_POINTER`, `PI_ERROR_INVALID_ARGUMENT` for position
/// 0 or beyond `PI_MAX_HEX_POSITION`, more than `PI_MAX_HEX_COUNT` digits
/// or a precision beyond `PI_MAX_HEX_PRECISION`.
///
/// Ownership: the outputs are the caller's; nothing is kept. Safe to call
/// from many threads at once.
///
/// # Safety
/// `precision` and `terms` must each be NULL or point to a writable value.
#[no_mangle]
pub unsafe extern "C" fn pi_hex_extraction(
    position: u64,
    count: usize,
    attempt: u32,
    precision: *mut u32,
    terms: *mut u64,
) -> pi_status {
    panic_boundary(PI_ERROR_INTERNAL, || {
        // SAFETY: the caller promises NULL or writable values.
        let (Some(precision), Some(terms)) =
            (unsafe { precision.as_mut() }, unsafe { terms.as_mut() })
        else {
            return null(if precision.is_null() {
                "precision"
            } else {
                "terms"
            });
        };
        let first = match HexExtraction::new(position, count) {
            Ok(first) => first,
            Err(e) => return failed(&e),
        };
        // Beyond u32, the precision is beyond PI_MAX_HEX_PRECISION too.
        let wanted = first.precision() as u64 + 2 * u64::from(attempt);
        let planned = match extraction(position, count, u32::try_from(wanted).unwrap_or(u32::MAX)) {
            Ok(planned) => planned,
            Err(status) => return status,
        };
        *precision = planned.precision() as u32;
        *terms = planned.terms();
        PI_OK
    })
}

/// Sums the terms `start..end` of the attempt at `precision` (from
/// `pi_hex_extraction`) at `count` digits from `position`, with the
/// threads, progress callback (stage "extraction") and cancellation of
/// `options` (NULL: all cores, no callback): writes the sum, `precision`
/// 64-bit limbs least significant first (the fraction
/// `value / 2^(64·precision)`), to `value`, and how far it can be from the
/// exact sum of those terms, in units of its last limb, to `*error_bound`.
/// The same bits on every machine.
///
/// Needs `value_len >= precision`. Errors: `PI_ERROR_NULL_POINTER`,
/// `PI_ERROR_INVALID_ARGUMENT` (the arguments of `pi_hex_extraction`, a
/// precision below the first attempt's or beyond `PI_MAX_HEX_PRECISION`,
/// or a range outside `0..terms`),
/// `PI_ERROR_BUFFER_TOO_SMALL`, `PI_ERROR_CANCELLED`.
///
/// Ownership: the outputs and options stay the caller's; nothing is kept.
/// Safe to call from many threads at once.
///
/// # Safety
/// `options` must be NULL or live options from `pi_options_new`; `value`
/// must point to `value_len` writable limbs; `error_bound` must be NULL or
/// point to a writable value.
#[no_mangle]
pub unsafe extern "C" fn pi_hex_term_sum(
    position: u64,
    count: usize,
    precision: u32,
    start: u64,
    end: u64,
    options: *const pi_options,
    value: *mut u64,
    value_len: usize,
    error_bound: *mut u64,
) -> pi_status {
    panic_boundary(PI_ERROR_INTERNAL, || {
        if value.is_null() {
            return null("value");
        }
        // SAFETY: the caller promises NULL or a writable value.
        let Some(error_bound) = (unsafe { error_bound.as_mut() }) else {
            return null("error_bound");
        };
        // SAFETY: non-null, and the caller promises `value_len` writable limbs.
        let value = unsafe { slice::from_raw_parts_mut(value, value_len) };
        let extraction = match extraction(position, count, precision) {
            Ok(extraction) => extraction,
            Err(status) => return status,
        };
        if value_len < extraction.precision() {
            return too_small(value_len, extraction.precision());
        }
        // SAFETY: the caller promises NULL or live options.
        let options = unsafe { options_or_default(options) };
        match extraction.sum_with(start..end, &options) {
            Ok(sum) => {
                value[..sum.value().len()].copy_from_slice(sum.value());
                *error_bound = sum.error_bound();
                PI_OK
            }
            Err(e) => failed(&e),
        }
    })
}

/// Combines the `sums` sums of the attempt at `precision` at `count`
/// digits from `position`: sum `i` covers terms `starts[i]..ends[i]` and
/// its value is the `precision` limbs from `values + i·precision`, as
/// `pi_hex_term_sum` wrote them; together they cover the attempt's terms
/// once, in any order (empty ranges are ignored). When its precision
/// settles the digits, writes `*settled = true` and the `count` lowercase
/// digits and a NUL to `out`; otherwise `*settled = false`, `out` holds an
/// empty string, and the sums of attempt `attempt + 1` are needed.
///
/// Needs `out_len >= count + 1`. Errors: `PI_ERROR_NULL_POINTER` (the
/// arrays may be NULL when `sums` is 0), `PI_ERROR_INVALID_ARGUMENT` (the
/// arguments of `pi_hex_term_sum`, or ranges that overlap or leave terms
/// out), `PI_ERROR_BUFFER_TOO_SMALL`. On every error `out` holds an empty
/// string (if `out_len > 0`).
///
/// Ownership: the arrays and `out` stay the caller's; nothing is kept.
/// Safe to call from many threads at once.
///
/// # Safety
/// `starts` and `ends` must point to `sums` values and `values` to
/// `sums·precision` limbs (or be NULL if `sums` is 0); `out` must point to
/// `out_len` writable bytes; `settled` must be NULL or point to a writable
/// value.
#[no_mangle]
pub unsafe extern "C" fn pi_hex_combine(
    position: u64,
    count: usize,
    precision: u32,
    sums: usize,
    starts: *const u64,
    ends: *const u64,
    values: *const u64,
    out: *mut c_char,
    out_len: usize,
    settled: *mut bool,
) -> pi_status {
    panic_boundary(PI_ERROR_INTERNAL, || {
        // SAFETY: the caller promises NULL or `out_len` writable bytes.
        let Some(buffer) = (unsafe { cleared(out, out_len) }) else {
            return null("out");
        };
        // SAFETY: the caller promises NULL or a writable value.
        let Some(settled) = (unsafe { settled.as_mut() }) else {
            return null("settled");
        };
        *settled = false;
        let extraction = match extraction(position, count, precision) {
            Ok(extraction) => extraction,
            Err(status) => return status,
        };
        let limbs = extraction.precision();
        let Some(total_limbs) = sums.checked_mul(limbs) else {
            return failed(&pi_core::Error::InvalidTerms(format!(
                "{sums} sums of {limbs} limbs"
            )));
        };
        // SAFETY: the caller promises these arrays' lengths, or NULL.
        let arrays = unsafe {
            (
                array(starts, sums, "starts"),
                array(ends, sums, "ends"),
                array(values, total_limbs, "values"),
            )
        };
        let (starts, ends, values) = match arrays {
            (Ok(s), Ok(e), Ok(v)) => (s, e, v),
            (Err(status), _, _) | (_, Err(status), _) | (_, _, Err(status)) => return status,
        };
        if out_len <= count {
            return too_small(out_len, count + 1);
        }
        let sums: Result<Vec<HexTermSum>, _> = (starts.iter().zip(ends))
            .zip(values.chunks_exact(limbs.max(1)))
            .map(|((&start, &end), value)| {
                extraction.term_sum(Range { start, end }, value.to_vec())
            })
            .collect();
        match sums.and_then(|sums| extraction.combine(&sums)) {
            Ok(Some(digits)) => {
                buffer[..count].copy_from_slice(digits.as_bytes());
                buffer[count] = 0;
                *settled = true;
                PI_OK
            }
            Ok(None) => PI_OK,
            Err(e) => failed(&e),
        }
    })
}

/// `len` values from `data`, which may be NULL when `len` is 0.
///
/// # Safety
/// `data` must be NULL or point to `len` readable values that nothing
/// writes while the slice lives.
unsafe fn array<'a>(data: *const u64, len: usize, name: &str) -> Result<&'a [u64], pi_status> {
    if data.is_null() {
        return if len == 0 { Ok(&[]) } else { Err(null(name)) };
    }
    // SAFETY: non-null, and the caller promises `len` readable values.
    Ok(unsafe { slice::from_raw_parts(data, len) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ptr;

    fn plan(position: u64, count: usize, attempt: u32) -> (pi_status, u32, u64) {
        let (mut precision, mut terms) = (0, 0);
        // SAFETY: both outputs are writable locals.
        let status =
            unsafe { pi_hex_extraction(position, count, attempt, &mut precision, &mut terms) };
        (status, precision, terms)
    }

    fn term_sum(
        position: u64,
        count: usize,
        precision: u32,
        range: Range<u64>,
    ) -> (pi_status, Vec<u64>) {
        let mut value = vec![0; precision as usize];
        let mut bound = 0;
        // SAFETY: `value` holds `precision` limbs; `bound` is a writable local.
        let status = unsafe {
            pi_hex_term_sum(
                position,
                count,
                precision,
                range.start,
                range.end,
                ptr::null(),
                value.as_mut_ptr(),
                value.len(),
                &mut bound,
            )
        };
        assert!(status != PI_OK || bound == 7 * (range.end - range.start));
        (status, value)
    }

    fn combine(
        (position, count, precision): (u64, usize, u32),
        ranges: &[Range<u64>],
        values: &[u64],
    ) -> (pi_status, bool, String) {
        let starts: Vec<u64> = ranges.iter().map(|r| r.start).collect();
        let ends: Vec<u64> = ranges.iter().map(|r| r.end).collect();
        let mut out = vec![0x55u8; count + 1];
        let mut settled = true;
        // SAFETY: the arrays hold `ranges.len()` values and limbs for each;
        // `out` holds count + 1 bytes.
        let status = unsafe {
            pi_hex_combine(
                position,
                count,
                precision,
                ranges.len(),
                starts.as_ptr(),
                ends.as_ptr(),
                values.as_ptr(),
                out.as_mut_ptr().cast(),
                out.len(),
                &mut settled,
            )
        };
        let text = out.split(|&b| b == 0).next().unwrap_or_default();
        (status, settled, String::from_utf8_lossy(text).into_owned())
    }

    #[test]
    fn sums_of_a_partition_combine_into_the_digits() {
        let (status, precision, terms) = plan(1_000, 16, 0);
        assert_eq!(status, PI_OK);
        let ranges = [terms / 2..terms, 0..terms / 2];
        let mut values = Vec::new();
        for range in &ranges {
            let (status, value) = term_sum(1_000, 16, precision, range.clone());
            assert_eq!(status, PI_OK);
            values.extend(value);
        }
        let outcome = combine((1_000, 16, precision), &ranges, &values);
        assert_eq!(outcome, (PI_OK, true, "349f1c09b075372c".to_string()));
        // The next attempt: two limbs more, more terms.
        let (status, refined, more) = plan(1_000, 16, 1);
        assert_eq!((status, refined), (PI_OK, precision + 2));
        assert!(more > terms);
        // Exactly 1/16 sits at the edge of a digit: unsettled.
        let mut edge = vec![0; precision as usize];
        edge[precision as usize - 1] = 1 << 60;
        let outcome = combine(
            (1_000, 16, precision),
            std::slice::from_ref(&(0..terms)),
            &edge,
        );
        assert_eq!(outcome, (PI_OK, false, String::new()));
    }

    #[test]
    fn bad_arguments_are_refused() {
        assert_eq!(plan(0, 8, 0).0, PI_ERROR_INVALID_ARGUMENT);
        assert_eq!(plan(1, 70_000, 0).0, PI_ERROR_INVALID_ARGUMENT);
        assert_eq!(plan(1, 8, u32::MAX).0, PI_ERROR_INVALID_ARGUMENT);
        let (_, precision, terms) = plan(1_000, 8, 0);
        assert_eq!(
            term_sum(1_000, 8, precision, 0..terms + 1).0,
            PI_ERROR_INVALID_ARGUMENT
        );
        assert_eq!(
            term_sum(1_000, 8, precision - 1, 0..10).0,
            PI_ERROR_INVALID_ARGUMENT
        );
        let (_, value) = term_sum(1_000, 8, precision, 0..terms);
        let mut twice = value.clone();
        twice.extend(&value);
        let outcome = combine((1_000, 8, precision), &[0..terms, 0..terms], &twice);
        assert_eq!(outcome.0, PI_ERROR_INVALID_ARGUMENT);
        let outcome = combine(
            (1_000, 8, precision),
            std::slice::from_ref(&(0..terms - 1)),
            &value,
        );
        assert_eq!(outcome.0, PI_ERROR_INVALID_ARGUMENT);
        let mut small = [0u64; 1];
        let mut bound = 0;
        // SAFETY: `small` holds one limb, `bound` is writable; NULLs are refused.
        unsafe {
            let sum = |value: *mut u64, len, bound: *mut u64| {
                pi_hex_term_sum(1_000, 8, precision, 0, 1, ptr::null(), value, len, bound)
            };
            assert_eq!(
                sum(small.as_mut_ptr(), 1, &mut bound),
                PI_ERROR_BUFFER_TOO_SMALL
            );
            assert_eq!(sum(ptr::null_mut(), 8, &mut bound), PI_ERROR_NULL_POINTER);
            assert_eq!(
                sum(small.as_mut_ptr(), 1, ptr::null_mut()),
                PI_ERROR_NULL_POINTER
            );
            let mut planned = 0;
            assert_eq!(
                pi_hex_extraction(1, 8, 0, &mut planned, ptr::null_mut()),
                PI_ERROR_NULL_POINTER
            );
            let mut settled = false;
            let mut out = [0 as c_char; 4];
            let mut combine = |sums, starts: *const u64, out: *mut c_char, len| {
                pi_hex_combine(
                    1_000,
                    8,
                    precision,
                    sums,
                    starts,
                    starts,
                    starts,
                    out,
                    len,
                    &mut settled,
                )
            };
            assert_eq!(
                combine(1, ptr::null(), out.as_mut_ptr(), 4),
                PI_ERROR_NULL_POINTER
            );
            assert_eq!(
                combine(0, ptr::null(), ptr::null_mut(), 4),
                PI_ERROR_NULL_POINTER
            );
            assert_eq!(
                combine(0, ptr::null(), out.as_mut_ptr(), 4),
                PI_ERROR_BUFFER_TOO_SMALL
            );
        }
    }
}
