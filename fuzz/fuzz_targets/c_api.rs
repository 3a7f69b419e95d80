//! Random sequences of C API calls with arbitrary arguments: every call must
//! return a documented status, write nothing past its buffer, and give the
//! right digits when it succeeds.
#![no_main]

use std::ffi::{c_char, c_void, CStr};
use std::ptr;
use std::sync::OnceLock;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use pi::*;

/// Digits computed here are at most this many, so runs stay fast.
const MAX_DIGITS: u64 = 3000;
const CANARY: u8 = 0xa5;

fn reference(base: u32) -> &'static str {
    static DECIMAL: OnceLock<String> = OnceLock::new();
    static HEX: OnceLock<String> = OnceLock::new();
    let (cell, base) = if base == 16 {
        (&HEX, pi_core::Base::Hexadecimal)
    } else {
        (&DECIMAL, pi_core::Base::Decimal)
    };
    cell.get_or_init(|| pi_core::digits(MAX_DIGITS, base).unwrap_or_default())
}

#[derive(Arbitrary, Debug)]
enum Count {
    Small(u16),
    Any(u64),
}

impl Count {
    /// Small values are computed; others must be refused at once.
    fn value(&self) -> u64 {
        match *self {
            Count::Small(n) => u64::from(n) % (MAX_DIGITS + 1),
            Count::Any(n) => n.max(1_000_000_000_001),
        }
    }
}

#[derive(Arbitrary, Debug)]
enum Position {
    Small(u16),
    Zero,
    TooLarge(u64),
}

impl Position {
    /// Small positions are computed; the others must be refused at once.
    fn value(&self) -> u64 {
        match *self {
            Position::Small(p) => 1 + u64::from(p) % 2400,
            Position::Zero => 0,
            Position::TooLarge(p) => p.max(pi_core::MAX_HEX_POSITION + 1),
        }
    }
}

#[derive(Arbitrary, Debug)]
enum Call {
    Digits {
        digits: Count,
        base: u32,
        slack: i8,
        null_out: bool,
        null_written: bool,
    },
    HexAt {
        position: Position,
        count: u16,
        slack: i8,
        null_out: bool,
    },
    Compute {
        digits: Count,
        base: u32,
        threads: u32,
        verify: bool,
        limit: u64,
        cancel_at: Option<u8>,
    },
    Message(i32),
    Estimate {
        digits: u64,
        base: u32,
    },
}

/// A buffer of `len` bytes followed by canaries that must survive.
struct Buffer(Vec<u8>, usize);

impl Buffer {
    fn new(len: usize) -> Buffer {
        Buffer(vec![CANARY; len + 16], len)
    }
    fn ptr(&mut self) -> *mut c_char {
        self.0.as_mut_ptr().cast()
    }
    fn check(&self) -> &[u8] {
        assert!(
            self.0[self.1..].iter().all(|&b| b == CANARY),
            "write past the buffer"
        );
        &self.0[..self.1]
    }
}

fn length(needed: u64, slack: i8) -> usize {
    (needed as i64 + i64::from(slack)).clamp(0, 1 << 20) as usize
}

unsafe extern "C" fn progress(user_data: *mut c_void, fraction: f64, stage: *const c_char) -> i32 {
    // SAFETY: user_data is the (calls, cancel_at) pair of the running call.
    let (calls, cancel_at) = unsafe { &mut *user_data.cast::<(u32, u32)>() };
    assert!((0.0..=1.0).contains(&fraction));
    // SAFETY: the library passes a NUL-terminated stage name.
    assert!(!unsafe { CStr::from_ptr(stage) }.to_bytes().is_empty());
    *calls += 1;
    i32::from(*calls >= *cancel_at)
}

fn run(call: &Call) {
    match call {
        Call::Digits {
            digits,
            base,
            slack,
            null_out,
            null_written,
        } => {
            let n = digits.value();
            let mut buffer = Buffer::new(length(n.min(MAX_DIGITS) + 3, *slack));
            let mut written = usize::MAX;
            let out = if *null_out {
                ptr::null_mut()
            } else {
                buffer.ptr()
            };
            let written_ptr = if *null_written {
                ptr::null_mut()
            } else {
                &mut written
            };
            // SAFETY: `out` is NULL or has buffer.1 writable bytes; `written_ptr` is NULL or valid.
            let status = unsafe { pi_digits(n, *base, out, buffer.1, written_ptr) };
            let bytes = buffer.check();
            match status {
                pi_status::PI_OK => {
                    let text = &reference(*base)[..n as usize + 2];
                    assert_eq!(&bytes[..text.len()], text.as_bytes());
                    assert_eq!(bytes[text.len()], 0);
                    assert!(*null_written || written == text.len());
                }
                pi_status::PI_ERROR_BUFFER_TOO_SMALL => {
                    assert!(*null_written || written == n as usize + 3)
                }
                pi_status::PI_ERROR_NULL_POINTER => assert!(*null_out),
                pi_status::PI_ERROR_INVALID_ARGUMENT => {
                    assert!(![10, 16].contains(base) || n > MAX_DIGITS)
                }
                other => panic!("unexpected status {other:?}"),
            }
        }
        Call::HexAt {
            position,
            count,
            slack,
            null_out,
        } => {
            let (position, count) = (position.value(), usize::from(*count) % 600);
            let mut buffer = Buffer::new(length(count as u64 + 1, *slack));
            let out = if *null_out {
                ptr::null_mut()
            } else {
                buffer.ptr()
            };
            // SAFETY: `out` is NULL or has buffer.1 writable bytes.
            let status = unsafe { pi_hex_digits_at(position, count, out, buffer.1) };
            let bytes = buffer.check();
            match status {
                pi_status::PI_OK => {
                    let start = position as usize + 1;
                    assert_eq!(
                        &bytes[..count],
                        &reference(16).as_bytes()[start..start + count]
                    );
                    assert_eq!(bytes[count], 0);
                }
                pi_status::PI_ERROR_BUFFER_TOO_SMALL => assert!(buffer.1 <= count),
                pi_status::PI_ERROR_NULL_POINTER => assert!(*null_out),
                pi_status::PI_ERROR_INVALID_ARGUMENT => {
                    assert!(position == 0 || position > pi_core::MAX_HEX_POSITION)
                }
                other => panic!("unexpected status {other:?}"),
            }
        }
        Call::Compute {
            digits,
            base,
            threads,
            verify,
            limit,
            cancel_at,
        } => {
            let n = digits.value();
            let options = pi_options_new();
            let mut calls = (0u32, cancel_at.map_or(u32::MAX, u32::from));
            let threads = if *threads > 4 && *threads <= 1024 {
                4
            } else {
                *threads
            };
            // SAFETY: live options, freed at the end; `calls` outlives the computation.
            unsafe {
                let base_ok = pi_options_set_base(options, *base) == pi_status::PI_OK;
                let threads_ok = pi_options_set_threads(options, threads) == pi_status::PI_OK;
                assert_eq!(base_ok, [10, 16].contains(base));
                assert_eq!(threads_ok, threads <= 1024);
                pi_options_set_verify(options, *verify);
                pi_options_set_memory_limit(options, *limit);
                if cancel_at.is_some() {
                    let user_data = ptr::from_mut(&mut calls).cast();
                    pi_options_set_progress(options, Some(progress), user_data);
                }
                let mut result = ptr::dangling_mut();
                let status = pi_compute(n, options, &mut result);
                let base = if base_ok { *base } else { 10 };
                match status {
                    pi_status::PI_OK => {
                        let text = CStr::from_ptr(pi_result_digits(result)).to_bytes();
                        assert_eq!(text, &reference(base).as_bytes()[..n as usize + 2]);
                        assert_eq!(pi_result_len(result), text.len());
                    }
                    pi_status::PI_ERROR_OUT_OF_MEMORY => {
                        assert!(*limit != 0 && pi_estimate_memory(n, options) > *limit)
                    }
                    pi_status::PI_ERROR_CANCELLED => assert!(cancel_at.is_some()),
                    pi_status::PI_ERROR_INVALID_ARGUMENT => assert!(n > MAX_DIGITS),
                    other => panic!("unexpected status {other:?}"),
                }
                assert_eq!(result.is_null(), status != pi_status::PI_OK);
                pi_result_free(result);
                pi_options_free(options);
            }
        }
        Call::Message(status) => {
            // SAFETY: always a static NUL-terminated string.
            assert!(!unsafe { CStr::from_ptr(pi_status_message(*status)) }
                .to_bytes()
                .is_empty());
        }
        Call::Estimate { digits, base } => {
            let options = pi_options_new();
            // SAFETY: live options, freed at once; NULL options are allowed too.
            unsafe {
                pi_options_set_base(options, *base);
                let estimate = pi_estimate_memory(*digits, options);
                assert_eq!(estimate == u64::MAX, *digits > 1_000_000_000_000);
                assert!(estimate >= pi_estimate_memory(digits / 2, ptr::null()) / 2);
                pi_options_free(options);
            }
        }
    }
}

fuzz_target!(|calls: Vec<Call>| {
    for call in calls.iter().take(8) {
        run(call);
    }
});
