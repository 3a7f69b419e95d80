//! The C API of the pi library: `libpi.a` / `libpi.so`, declared in `include/pi.h`.
//!
//! A thin facade over `pi-core`: every function checks its pointers, catches
//! panics (a panic becomes `PI_ERROR_INTERNAL`, never unwinding into C) and
//! returns a [`pi_status`]; results go through out-parameters.
#![allow(non_camel_case_types)]

use std::ffi::{c_char, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};

use pi_core::{Base, MAX_DIGITS};

/// The outcome of a call: `PI_OK` or the reason for failure.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum pi_status {
    /// Success.
    PI_OK = 0,
    /// A required pointer argument was NULL.
    PI_ERROR_NULL_POINTER = 1,
    /// An argument was out of range (a base other than 10 or 16, too many digits...).
    PI_ERROR_INVALID_ARGUMENT = 2,
    /// The output buffer is too small; the needed size is reported.
    PI_ERROR_BUFFER_TOO_SMALL = 3,
    /// Memory could not be allocated.
    PI_ERROR_OUT_OF_MEMORY = 4,
    /// The computation was cancelled.
    PI_ERROR_CANCELLED = 5,
    /// A bug in the library (a caught panic); please report it.
    PI_ERROR_INTERNAL = 6,
    /// The independent check of a result failed.
    PI_ERROR_VERIFICATION_FAILED = 7,
}

use pi_status::*;

/// Runs `body`, turning a panic into `on_panic` so it never unwinds into C.
fn panic_boundary<T>(on_panic: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(on_panic)
}

fn status_of(error: &pi_core::Error) -> pi_status {
    match error {
        pi_core::Error::InvalidBase(_)
        | pi_core::Error::TooManyDigits { .. }
        | pi_core::Error::TooManyThreads { .. } => PI_ERROR_INVALID_ARGUMENT,
        _ => PI_ERROR_INTERNAL,
    }
}

/// Returns pi rounded to `n` decimal places as the nearest `float`:
/// `calc_pi(2) == 3.14f`, `calc_pi(0) == 3.0f`; for `n >= 7` the `float`
/// nearest to pi. Never fails (NaN only on an internal error).
#[no_mangle]
pub extern "C" fn calc_pi(n: u8) -> f32 {
    panic_boundary(f32::NAN, || pi_core::calc_pi(n))
}

/// Writes "3." then `digits` digits of pi after the point in `base` (10, or
/// 16 in lowercase), truncated, then a NUL, into `out`.
///
/// Needs `out_len >= digits + 3`. `*written` (`written` may be NULL) gets
/// `digits + 2`, the length of the text, on success; the needed size
/// `digits + 3` on `PI_ERROR_BUFFER_TOO_SMALL`, in which case nothing is
/// computed; 0 on any other error. On every error `out` holds an empty
/// string (if `out_len > 0`). Errors: `PI_ERROR_NULL_POINTER` if `out` is
/// NULL, `PI_ERROR_INVALID_ARGUMENT` for another base or more than 10^12
/// digits.
///
/// Ownership: the caller owns `out` and `written`; the library writes at most
/// `out_len` bytes and keeps no pointer after returning. Safe to call from
/// many threads at once.
///
/// # Safety
/// `out` must point to `out_len` writable bytes; `written` must be NULL or
/// point to a writable `size_t`.
#[no_mangle]
pub unsafe extern "C" fn pi_digits(
    digits: u64,
    base: u32,
    out: *mut c_char,
    out_len: usize,
    written: *mut usize,
) -> pi_status {
    panic_boundary(PI_ERROR_INTERNAL, || {
        let report = |n: usize| {
            if !written.is_null() {
                // SAFETY: non-null, and the caller promises it points to a writable size_t.
                unsafe { written.write(n) };
            }
        };
        report(0);
        if out.is_null() {
            return PI_ERROR_NULL_POINTER;
        }
        // SAFETY: non-null, and the caller promises `out_len` writable bytes.
        let buffer = unsafe { std::slice::from_raw_parts_mut(out.cast::<u8>(), out_len) };
        if let Some(first) = buffer.first_mut() {
            *first = 0;
        }
        let Ok(base) = Base::try_from(base) else {
            return PI_ERROR_INVALID_ARGUMENT;
        };
        let needed = usize::try_from(digits)
            .ok()
            .and_then(|d| d.checked_add(3))
            .filter(|_| digits <= MAX_DIGITS);
        let Some(needed) = needed else {
            return PI_ERROR_INVALID_ARGUMENT;
        };
        if out_len < needed {
            report(needed);
            return PI_ERROR_BUFFER_TOO_SMALL;
        }
        let text = match pi_core::digits(digits, base) {
            Ok(text) => text,
            Err(e) => return status_of(&e),
        };
        buffer[..text.len()].copy_from_slice(text.as_bytes());
        buffer[text.len()] = 0;
        report(text.len());
        PI_OK
    })
}

/// Returns a static, NUL-terminated English description of `status`; never
/// NULL, also for values that are not a `pi_status`. The caller must not
/// free it.
#[no_mangle]
pub extern "C" fn pi_status_message(status: i32) -> *const c_char {
    let message: &'static CStr = match status {
        0 => c"success",
        1 => c"a required pointer argument was NULL",
        2 => {
            c"invalid argument: the base must be 10 or 16 and at most 10^12 digits can be requested"
        }
        3 => c"the output buffer is too small",
        4 => c"out of memory",
        5 => c"the computation was cancelled",
        6 => c"internal error in the pi library (please report it)",
        7 => c"verification of the result failed",
        _ => c"unknown status code",
    };
    message.as_ptr()
}

const VERSION: &CStr =
    match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
        Ok(version) => version,
        Err(_) => panic!("the crate version contains a NUL"),
    };

/// Returns the library version, "MAJOR.MINOR.PATCH", as a static
/// NUL-terminated string the caller must not free.
#[no_mangle]
pub extern "C" fn pi_version() -> *const c_char {
    VERSION.as_ptr()
}

#[cfg(test)]
#[allow(clippy::approx_constant)] // rounded values of pi are what calc_pi returns
mod tests {
    use super::*;
    use std::ptr;

    fn digits_into(digits: u64, base: u32, len: usize) -> (pi_status, usize, Vec<u8>) {
        let mut buffer = vec![0x55u8; len + 8];
        let mut written = usize::MAX;
        // SAFETY: the buffer has len + 8 writable bytes, of which we pass len.
        let status =
            unsafe { pi_digits(digits, base, buffer.as_mut_ptr().cast(), len, &mut written) };
        (status, written, buffer)
    }

    #[test]
    fn writes_digits_and_nul() {
        let (status, written, buffer) = digits_into(5, 10, 8);
        assert_eq!(status, PI_OK);
        assert_eq!(written, 7);
        assert_eq!(&buffer[..8], b"3.14159\0");
        assert_eq!(buffer[8], 0x55, "nothing written past out_len");
        let (status, _, buffer) = digits_into(4, 16, 7);
        assert_eq!(status, PI_OK);
        assert_eq!(&buffer[..7], b"3.243f\0");
    }

    #[test]
    fn reports_the_needed_size() {
        let (status, written, buffer) = digits_into(5, 10, 7);
        assert_eq!(status, PI_ERROR_BUFFER_TOO_SMALL);
        assert_eq!(written, 8);
        assert_eq!(buffer[0], 0);
        assert_eq!(buffer[1], 0x55);
    }

    #[test]
    fn rejects_bad_arguments() {
        for base in [0, 2, 8, 17, u32::MAX] {
            assert_eq!(digits_into(5, base, 100).0, PI_ERROR_INVALID_ARGUMENT);
        }
        assert_eq!(digits_into(u64::MAX, 10, 100).0, PI_ERROR_INVALID_ARGUMENT);
        assert_eq!(
            digits_into(MAX_DIGITS + 1, 10, 100).0,
            PI_ERROR_INVALID_ARGUMENT
        );
        // SAFETY: a NULL `out` is rejected before any access; `written` may be NULL.
        let status = unsafe { pi_digits(5, 10, ptr::null_mut(), 100, ptr::null_mut()) };
        assert_eq!(status, PI_ERROR_NULL_POINTER);
    }

    #[test]
    fn messages_and_version_are_static_strings() {
        for status in [-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, i32::MAX, i32::MIN] {
            // SAFETY: pi_status_message always returns a static NUL-terminated string.
            let text = unsafe { CStr::from_ptr(pi_status_message(status)) };
            assert!(!text.to_bytes().is_empty());
        }
        // SAFETY: pi_version returns a static NUL-terminated string.
        let version = unsafe { CStr::from_ptr(pi_version()) };
        assert_eq!(version.to_str(), Ok(env!("CARGO_PKG_VERSION")));
    }

    #[test]
    fn calc_pi_keeps_the_original_contract() {
        assert_eq!(calc_pi(2), 3.14);
        assert_eq!(calc_pi(0), 3.0);
        assert_eq!(calc_pi(200), std::f32::consts::PI);
    }
}
