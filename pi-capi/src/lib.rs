//! The C API of the pi library: `libpi.a` / `libpi.so`, declared in `include/pi.h`.
//!
//! A thin facade over `pi-core`: every function checks its pointers, catches
//! panics (a panic becomes `PI_ERROR_INTERNAL`, never unwinding into C) and
//! returns a [`pi_status`]; results go through out-parameters.
#![allow(non_camel_case_types)]

use std::alloc::{self, Layout};
use std::borrow::Cow;
use std::cell::RefCell;
use std::ffi::{c_char, c_void, CStr, CString};
use std::fmt::Display;
use std::ops::ControlFlow;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

use pi_core::{Base, Error, Options, MAX_DIGITS, MAX_HEX_COUNT, MAX_HEX_POSITION, MAX_THREADS};

mod extraction;
pub use extraction::*;

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
    /// The scratch directory could not be used, or the checkpoints found
    /// there when resuming are another computation's or damaged.
    PI_ERROR_CHECKPOINT = 8,
    /// The file of the digits could not be written, or read back to verify
    /// them.
    PI_ERROR_OUTPUT = 9,
}

use pi_status::*;

// Literals, which cbindgen writes into the header; checked against pi-core.
/// The most digits one computation accepts (10^12).
pub const PI_MAX_DIGITS: u64 = 1_000_000_000_000;
/// The most threads one computation accepts.
pub const PI_MAX_THREADS: u32 = 1024;
/// The largest position `pi_hex_digits_at` accepts (10^15).
pub const PI_MAX_HEX_POSITION: u64 = 1_000_000_000_000_000;
/// The most digits one `pi_hex_digits_at` call returns.
pub const PI_MAX_HEX_COUNT: u32 = 65536;
/// How often, at least, a progress callback is called, in milliseconds.
pub const PI_PROGRESS_INTERVAL_MS: u32 = 100;

const _: () = assert!(
    PI_MAX_DIGITS == MAX_DIGITS
        && PI_MAX_THREADS as usize == MAX_THREADS
        && PI_MAX_HEX_POSITION == MAX_HEX_POSITION
        && PI_MAX_HEX_COUNT as usize == MAX_HEX_COUNT
        && PI_PROGRESS_INTERVAL_MS as u128 == pi_core::PROGRESS_INTERVAL.as_millis()
);

/// Runs `body`, turning a panic into `on_panic` so it never unwinds into C.
fn panic_boundary<T>(on_panic: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(on_panic)
}

thread_local! {
    /// What the last failed call on this thread said (see `pi_last_error_message`).
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

/// Records `message` as this thread's last error and returns `status`.
fn fail(status: pi_status, message: impl Display) -> pi_status {
    // A message with a NUL (none of ours has one) is cut there.
    let mut text = message.to_string().into_bytes();
    text.truncate(text.iter().position(|&b| b == 0).unwrap_or(text.len()));
    let text = CString::new(text).unwrap_or_default();
    LAST_ERROR.with(|last| *last.borrow_mut() = text);
    status
}

/// The status of `error`, recorded with its message.
fn failed(error: &Error) -> pi_status {
    let status = match error {
        Error::InvalidBase(_)
        | Error::InvalidPosition { .. }
        | Error::TooManyDigits { .. }
        | Error::TooManyThreads { .. }
        | Error::InvalidTerms(_) => PI_ERROR_INVALID_ARGUMENT,
        Error::Cancelled => PI_ERROR_CANCELLED,
        Error::OutOfMemory { .. } => PI_ERROR_OUT_OF_MEMORY,
        Error::VerificationFailed(_) => PI_ERROR_VERIFICATION_FAILED,
        Error::Checkpoint(_) => PI_ERROR_CHECKPOINT,
        Error::Output(_) => PI_ERROR_OUTPUT,
        _ => PI_ERROR_INTERNAL,
    };
    fail(status, error)
}

/// The options behind `options`, or the defaults for NULL.
///
/// # Safety
/// `options` must be NULL or live options from `pi_options_new`, not
/// changed while the result lives.
unsafe fn options_or_default<'a>(options: *const pi_options) -> Cow<'a, Options> {
    // SAFETY: the caller's promise.
    match unsafe { options.as_ref() } {
        Some(options) => Cow::Borrowed(&options.inner),
        None => Cow::Owned(Options::new()),
    }
}

/// A NULL pointer given for the argument `name`.
fn null(name: &str) -> pi_status {
    fail(PI_ERROR_NULL_POINTER, format_args!("{name} is NULL"))
}

/// Moves `value` to the heap; `None`, rather than an abort, when the
/// allocation fails.
fn try_box<T>(value: T) -> Option<Box<T>> {
    let layout = Layout::new::<T>();
    if layout.size() == 0 {
        return Some(Box::new(value));
    }
    // SAFETY: the layout has a non-zero size.
    let raw = unsafe { alloc::alloc(layout) }.cast::<T>();
    if raw.is_null() {
        return None;
    }
    // SAFETY: `raw` is a fresh allocation of the global allocator with
    // `T`'s layout, which is what `Box` owns; writing initializes it.
    unsafe {
        raw.write(value);
        Some(Box::from_raw(raw))
    }
}

/// Frees what `raw` points to, if it is not NULL.
///
/// # Safety
/// `raw` must be NULL or come from `Box::into_raw`, and not be used again.
unsafe fn free_box<T>(raw: *mut T) {
    panic_boundary((), || {
        if !raw.is_null() {
            // SAFETY: the caller's promise: a live box, freed once.
            drop(unsafe { Box::from_raw(raw) });
        }
    })
}

/// Settings of a computation; create with `pi_options_new`, free with
/// `pi_options_free`. Opaque.
pub struct pi_options {
    inner: Options,
}

/// The digits of a finished computation, owned; free with
/// `pi_result_free`. Opaque.
pub struct pi_result {
    text: CString,
}

/// A progress callback: receives `user_data`, the fraction of the whole
/// computation done (0 to 1, never decreasing) and the current stage's name
/// ("series", "square root", "division", "conversion", "verification";
/// "extraction" for hexadecimal digits at a position), valid during the
/// call only. Called on the thread that called `pi_compute`, at every stage
/// change, at least every 100 ms, and once with 1 when the result is
/// ready. Return 0 to continue, anything else to cancel (the callback is
/// then not called again).
pub type pi_progress_fn = Option<
    unsafe extern "C" fn(user_data: *mut c_void, fraction: f64, stage: *const c_char) -> i32,
>;

/// A C callback and its user data, as given to `pi_options_set_progress`.
#[derive(Clone, Copy)]
struct ProgressTarget {
    callback: unsafe extern "C" fn(*mut c_void, f64, *const c_char) -> i32,
    user_data: *mut c_void,
}

// SAFETY: pi-core calls a progress callback only on the thread that called
// `pi_compute`, during that call, which is what the C caller agreed to by
// setting it; the pointer itself is never dereferenced here.
unsafe impl Send for ProgressTarget {}
// SAFETY: as above: shared only to be called from that one thread.
unsafe impl Sync for ProgressTarget {}

impl ProgressTarget {
    fn call(self, progress: pi_core::Progress) -> ControlFlow<()> {
        let stage = progress.stage.c_name();
        // SAFETY: the caller of pi_options_set_progress promised a callback
        // that accepts its user data; the stage string is static.
        let answer = unsafe { (self.callback)(self.user_data, progress.fraction, stage.as_ptr()) };
        if answer == 0 {
            ControlFlow::Continue(())
        } else {
            ControlFlow::Break(())
        }
    }
}

/// Applies `change` to the options behind `options`.
fn with_options(
    options: *mut pi_options,
    change: impl FnOnce(&mut Options) -> pi_status,
) -> pi_status {
    panic_boundary(PI_ERROR_INTERNAL, || {
        // SAFETY: the caller promises NULL or a live pi_options not used by
        // another thread during this call.
        match unsafe { options.as_mut() } {
            Some(options) => change(&mut options.inner),
            None => null("options"),
        }
    })
}

/// Creates default options: decimal, all cores, no progress callback, no
/// verification, no memory limit. Returns NULL only when out of memory.
///
/// Ownership: the caller owns the result and frees it with
/// `pi_options_free`. Options may be used by many `pi_compute` calls, also at
/// once from several threads, but changed by one thread at a time and only
/// while no computation is using them.
#[no_mangle]
pub extern "C" fn pi_options_new() -> *mut pi_options {
    panic_boundary(ptr::null_mut(), || {
        try_box(pi_options {
            inner: Options::new(),
        })
        .map_or(ptr::null_mut(), Box::into_raw)
    })
}

/// Frees options made by `pi_options_new`; NULL is fine. The pointer is
/// invalid afterwards.
///
/// # Safety
/// `options` must be NULL or come from `pi_options_new`, not yet freed, and
/// not in use by a running computation.
#[no_mangle]
pub unsafe extern "C" fn pi_options_free(options: *mut pi_options) {
    // SAFETY: the caller passes NULL or a pointer from pi_options_new, freed once.
    unsafe { free_box(options) }
}

/// Sets the base of the digits: 10 (the default) or 16 (lowercase).
/// Errors: `PI_ERROR_NULL_POINTER`, `PI_ERROR_INVALID_ARGUMENT` (the options
/// are then unchanged).
///
/// # Safety
/// `options` must be NULL or live options from `pi_options_new`.
#[no_mangle]
pub unsafe extern "C" fn pi_options_set_base(options: *mut pi_options, base: u32) -> pi_status {
    with_options(options, |o| match Base::try_from(base) {
        Ok(base) => {
            *o = o.clone().base(base);
            PI_OK
        }
        Err(e) => failed(&e),
    })
}

/// Sets the number of threads, 0 (the default) for one per available core,
/// at most 1024. The digits are the same for every thread count. Errors:
/// `PI_ERROR_NULL_POINTER`, `PI_ERROR_INVALID_ARGUMENT` (options unchanged).
///
/// # Safety
/// `options` must be NULL or live options from `pi_options_new`.
#[no_mangle]
pub unsafe extern "C" fn pi_options_set_threads(
    options: *mut pi_options,
    threads: u32,
) -> pi_status {
    with_options(options, |o| match usize::try_from(threads) {
        Ok(threads) if threads <= MAX_THREADS => {
            *o = o.clone().threads(threads);
            PI_OK
        }
        _ => failed(&Error::TooManyThreads {
            requested: threads as usize,
            max: MAX_THREADS,
        }),
    })
}

/// Sets the progress callback and its `user_data` (see `pi_progress_fn`);
/// a NULL callback clears it. The library keeps `user_data` without
/// touching it and passes it back to the callback; it must stay valid while
/// the options are used. Errors: `PI_ERROR_NULL_POINTER` for NULL options.
///
/// # Safety
/// `options` must be NULL or live options from `pi_options_new`; the
/// callback must be safe to call with `user_data` from any thread that
/// calls `pi_compute` with these options.
#[no_mangle]
pub unsafe extern "C" fn pi_options_set_progress(
    options: *mut pi_options,
    callback: pi_progress_fn,
    user_data: *mut c_void,
) -> pi_status {
    with_options(options, |o| {
        *o = match callback {
            Some(callback) => {
                let target = ProgressTarget {
                    callback,
                    user_data,
                };
                o.clone().progress(move |p| target.call(p))
            }
            None => o.clone().no_progress(),
        };
        PI_OK
    })
}

/// Sets whether a computation checks its result independently before
/// returning it (`PI_ERROR_VERIFICATION_FAILED` if the check fails).
/// Errors: `PI_ERROR_NULL_POINTER`.
///
/// # Safety
/// `options` must be NULL or live options from `pi_options_new`.
#[no_mangle]
pub unsafe extern "C" fn pi_options_set_verify(
    options: *mut pi_options,
    verify: bool,
) -> pi_status {
    with_options(options, |o| {
        *o = o.clone().verify(verify);
        PI_OK
    })
}

/// Sets a memory limit in bytes, 0 (the default) for none: a computation
/// whose `pi_estimate_memory` exceeds it fails with `PI_ERROR_OUT_OF_MEMORY`
/// before allocating. With a scratch directory, a limit below what the
/// computation needs in memory is a budget: its largest products keep
/// their residues in files there, and `pi_estimate_memory` says what it
/// then needs. With a scratch directory and no limit, the memory the
/// system has for the process is the budget of a computation that needs
/// more. Errors: `PI_ERROR_NULL_POINTER`.
///
/// # Safety
/// `options` must be NULL or live options from `pi_options_new`.
#[no_mangle]
pub unsafe extern "C" fn pi_options_set_memory_limit(
    options: *mut pi_options,
    bytes: u64,
) -> pi_status {
    with_options(options, |o| {
        *o = o.clone().memory_limit((bytes != 0).then_some(bytes));
        PI_OK
    })
}

/// Keeps checkpoints of a computation in the directory `dir` (a
/// NUL-terminated path, created if missing), so that a computation with
/// `pi_options_set_resume` can continue it after an interruption (a
/// crash, a kill, a cancellation); they are removed when it succeeds.
/// NULL (the default): no checkpoints. Without resuming, a computation
/// removes the checkpoints it finds there. Errors: `PI_ERROR_NULL_POINTER`
/// (`options`), `PI_ERROR_INVALID_ARGUMENT` (a path that is not UTF-8,
/// where the system's paths must be).
///
/// # Safety
/// `options` must be NULL or live options from `pi_options_new`; `dir`
/// NULL or a NUL-terminated string, which is copied.
#[no_mangle]
pub unsafe extern "C" fn pi_options_set_scratch_dir(
    options: *mut pi_options,
    dir: *const c_char,
) -> pi_status {
    with_options(options, |o| {
        let dir = if dir.is_null() {
            None
        } else {
            // SAFETY: the caller promises a NUL-terminated string.
            match path_from_c(unsafe { CStr::from_ptr(dir) }) {
                Some(path) => Some(path),
                None => {
                    return fail(
                        PI_ERROR_INVALID_ARGUMENT,
                        "the scratch directory is not a valid path",
                    )
                }
            }
        };
        *o = o.clone().scratch_dir(dir);
        PI_OK
    })
}

/// `text` as a path: its bytes on Unix, else UTF-8.
fn path_from_c(text: &CStr) -> Option<std::path::PathBuf> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        Some(std::ffi::OsStr::from_bytes(text.to_bytes()).into())
    }
    #[cfg(not(unix))]
    text.to_str().ok().map(Into::into)
}

/// Sets whether a computation resumes from the checkpoints in its scratch
/// directory (`pi_options_set_scratch_dir`) of an earlier computation of
/// the same digits, failing with `PI_ERROR_CHECKPOINT` for those of
/// another computation or a damaged one; where there are none it starts
/// from the beginning. Errors: `PI_ERROR_NULL_POINTER`.
///
/// # Safety
/// `options` must be NULL or live options from `pi_options_new`.
#[no_mangle]
pub unsafe extern "C" fn pi_options_set_resume(
    options: *mut pi_options,
    resume: bool,
) -> pi_status {
    with_options(options, |o| {
        *o = o.clone().resume(resume);
        PI_OK
    })
}

/// Returns an upper estimate, in bytes, of the peak memory of computing
/// `digits` digits with `options` (NULL: the defaults) by `pi_compute`;
/// `UINT64_MAX` for more than 10^12 digits. `pi_compute_to_file`, which
/// does not hold the text, needs `digits + 3` bytes less under a budget.
/// Allocates nothing.
///
/// # Safety
/// `options` must be NULL or live options from `pi_options_new`.
#[no_mangle]
pub unsafe extern "C" fn pi_estimate_memory(digits: u64, options: *const pi_options) -> u64 {
    panic_boundary(u64::MAX, || {
        // SAFETY: the caller promises NULL or live options.
        let options = unsafe { options_or_default(options) };
        pi_core::estimate_memory(digits, &options)
    })
}

/// Returns an upper estimate, in bytes, of the space the checkpoints of
/// computing `digits` digits with `options` (NULL: the defaults; only the
/// base matters) take at most in a scratch directory
/// (`pi_options_set_scratch_dir`); `UINT64_MAX` for more than 10^12
/// digits. A computation refuses to start, with `PI_ERROR_CHECKPOINT`,
/// where the directory's file system has less free. Allocates nothing.
///
/// # Safety
/// `options` must be NULL or live options from `pi_options_new`.
#[no_mangle]
pub unsafe extern "C" fn pi_estimate_disk(digits: u64, options: *const pi_options) -> u64 {
    panic_boundary(u64::MAX, || {
        // SAFETY: the caller promises NULL or live options.
        let options = unsafe { options_or_default(options) };
        pi_core::estimate_disk(digits, &options)
    })
}

/// Computes "3." then `digits` digits of pi after the point, truncated, as
/// `options` say (NULL: decimal on all cores). On success `*result` gets a
/// new result that owns the NUL-terminated text; on failure `*result` is
/// NULL. Blocks until done; the progress callback, if any, runs on this
/// thread.
///
/// Errors: `PI_ERROR_NULL_POINTER` (NULL `result`), `PI_ERROR_INVALID_ARGUMENT`
/// (more than 10^12 digits), `PI_ERROR_OUT_OF_MEMORY` (over the memory limit,
/// refused before allocating, or an allocation failed),
/// `PI_ERROR_CANCELLED` (the callback asked), `PI_ERROR_VERIFICATION_FAILED`,
/// `PI_ERROR_CHECKPOINT` (with a scratch directory: it cannot be used, or
/// the checkpoints resumed are another computation's or damaged).
///
/// Ownership: the caller owns `*result` and frees it with `pi_result_free`.
/// Safe to call from many threads at once, also with the same options.
///
/// # Safety
/// `options` must be NULL or live options from `pi_options_new`; `result`
/// must be NULL or point to a writable `pi_result *`.
#[no_mangle]
pub unsafe extern "C" fn pi_compute(
    digits: u64,
    options: *const pi_options,
    result: *mut *mut pi_result,
) -> pi_status {
    panic_boundary(PI_ERROR_INTERNAL, || {
        if result.is_null() {
            return null("result");
        }
        // SAFETY: non-null, and the caller promises a writable pointer.
        unsafe { result.write(ptr::null_mut()) };
        // SAFETY: the caller promises NULL or live options.
        let options = unsafe { options_or_default(options) };
        let text = match pi_core::compute(digits, &options) {
            Ok(text) => text,
            Err(e) => return failed(&e),
        };
        // The digits hold no NUL, and pi-core leaves room for the terminator.
        let Ok(text) = CString::new(text) else {
            return fail(PI_ERROR_INTERNAL, "the digits held a NUL");
        };
        let Some(boxed) = try_box(pi_result { text }) else {
            return fail(PI_ERROR_OUT_OF_MEMORY, "out of memory for the result");
        };
        // SAFETY: checked non-null above.
        unsafe { result.write(Box::into_raw(boxed)) };
        PI_OK
    })
}

/// Computes what `pi_compute` does and writes its text and a newline
/// ("3.", `digits` digits, "\n": `digits + 3` bytes) to the file at
/// `path` (a NUL-terminated path), created with mode 0666 less the umask,
/// or truncated if it exists. The digits go to the file a piece at a time
/// (of at most 16 MiB), never all in memory: files of more digits than
/// memory holds can be written. The file is synced before returning
/// `PI_OK`; on an error it is left with what was written (write to a
/// temporary path and rename it for an all-or-nothing file). Blocks until
/// done; the progress callback, if any, runs on this thread.
///
/// Errors: those of `pi_compute` (`PI_ERROR_NULL_POINTER` for a NULL
/// `path`), `PI_ERROR_INVALID_ARGUMENT` (a path that is not UTF-8, where
/// the system's paths must be), `PI_ERROR_OUTPUT` (the file cannot be
/// created, written, read back or synced; `pi_last_error_message` says
/// why).
///
/// Safe to call from many threads at once, with different paths.
///
/// # Safety
/// `options` must be NULL or live options from `pi_options_new`; `path`
/// must be NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn pi_compute_to_file(
    digits: u64,
    options: *const pi_options,
    path: *const c_char,
) -> pi_status {
    panic_boundary(PI_ERROR_INTERNAL, || {
        if path.is_null() {
            return null("path");
        }
        // SAFETY: non-null, and the caller promises a NUL-terminated string.
        let Some(path) = path_from_c(unsafe { CStr::from_ptr(path) }) else {
            return fail(PI_ERROR_INVALID_ARGUMENT, "the path is not a valid path");
        };
        // SAFETY: the caller promises NULL or live options.
        let options = unsafe { options_or_default(options) };
        let output = |why: &dyn Display| {
            let what = format!("{}: {why}", path.display());
            failed(&Error::Output(what))
        };
        let file = match std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
        {
            Ok(file) => file,
            Err(e) => return output(&e),
        };
        match pi_core::compute_to_file(digits, &options, &file) {
            Ok(()) => {}
            Err(Error::Output(why)) => return output(&why),
            Err(e) => return failed(&e),
        }
        match file.sync_all() {
            Ok(()) => PI_OK,
            Err(e) => output(&e),
        }
    })
}

/// Returns the NUL-terminated text of `result`, "3." and the digits; valid
/// until `pi_result_free(result)`, owned by the result. NULL for NULL.
///
/// # Safety
/// `result` must be NULL or a live result from `pi_compute`.
#[no_mangle]
pub unsafe extern "C" fn pi_result_digits(result: *const pi_result) -> *const c_char {
    // SAFETY: the caller promises NULL or a live result.
    unsafe { result.as_ref() }.map_or(ptr::null(), |r| r.text.as_ptr())
}

/// Returns the length of `pi_result_digits(result)` without the NUL
/// (`digits + 2`); 0 for NULL.
///
/// # Safety
/// `result` must be NULL or a live result from `pi_compute`.
#[no_mangle]
pub unsafe extern "C" fn pi_result_len(result: *const pi_result) -> usize {
    // SAFETY: the caller promises NULL or a live result.
    unsafe { result.as_ref() }.map_or(0, |r| r.text.as_bytes().len())
}

/// Frees a result and its digits; NULL is fine. The result and its text are
/// invalid afterwards.
///
/// # Safety
/// `result` must be NULL or come from `pi_compute`, not yet freed.
#[no_mangle]
pub unsafe extern "C" fn pi_result_free(result: *mut pi_result) {
    // SAFETY: the caller passes NULL or a pointer from pi_compute, freed once.
    unsafe { free_box(result) }
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
        // SAFETY: the caller promises NULL or `out_len` writable bytes.
        let Some(buffer) = (unsafe { cleared(out, out_len) }) else {
            return null("out");
        };
        let base = match Base::try_from(base) {
            Ok(base) => base,
            Err(e) => return failed(&e),
        };
        let needed = usize::try_from(digits)
            .ok()
            .and_then(|d| d.checked_add(3))
            .filter(|_| digits <= MAX_DIGITS);
        let Some(needed) = needed else {
            return failed(&Error::TooManyDigits {
                requested: digits,
                max: MAX_DIGITS,
            });
        };
        if out_len < needed {
            report(needed);
            return too_small(out_len, needed);
        }
        let text = match pi_core::digits(digits, base) {
            Ok(text) => text,
            Err(e) => return failed(&e),
        };
        buffer[..text.len()].copy_from_slice(text.as_bytes());
        buffer[text.len()] = 0;
        report(text.len());
        PI_OK
    })
}

/// `out` as a slice of `out_len` bytes holding an empty string (if
/// `out_len > 0`); `None` for NULL.
///
/// # Safety
/// `out` must be NULL or point to `out_len` writable bytes, not otherwise
/// borrowed while the slice lives.
unsafe fn cleared<'a>(out: *mut c_char, out_len: usize) -> Option<&'a mut [u8]> {
    if out.is_null() {
        return None;
    }
    // SAFETY: non-null, and the caller promises `out_len` writable bytes.
    let buffer = unsafe { std::slice::from_raw_parts_mut(out.cast::<u8>(), out_len) };
    if let Some(first) = buffer.first_mut() {
        *first = 0;
    }
    Some(buffer)
}

fn too_small(out_len: usize, needed: usize) -> pi_status {
    fail(
        PI_ERROR_BUFFER_TOO_SMALL,
        format_args!("the output buffer holds {out_len} bytes; {needed} are needed"),
    )
}

/// Writes `count` lowercase hexadecimal digits of pi starting at `position`
/// (1 is the first digit after the point: "3.243f..." has '2' at position
/// 1), then a NUL, into `out`; computed by digit extraction, without the
/// digits before `position`, on all cores. `pi_hex_digits_at_with_options`
/// adds threads, progress and cancellation.
///
/// Needs `out_len >= count + 1`. Errors: `PI_ERROR_NULL_POINTER` if `out` is
/// NULL, `PI_ERROR_INVALID_ARGUMENT` for position 0 or beyond
/// `PI_MAX_HEX_POSITION` (10^15) or more than `PI_MAX_HEX_COUNT` (65536)
/// digits, `PI_ERROR_BUFFER_TOO_SMALL` (nothing computed). On every error
/// `out` holds an empty string (if `out_len > 0`).
///
/// Ownership: the caller owns `out`; the library writes at most `out_len`
/// bytes and keeps no pointer after returning. Safe to call from many
/// threads at once.
///
/// # Safety
/// `out` must point to `out_len` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn pi_hex_digits_at(
    position: u64,
    count: usize,
    out: *mut c_char,
    out_len: usize,
) -> pi_status {
    // SAFETY: the caller's promise on `out`, passed on; no options.
    unsafe { pi_hex_digits_at_with_options(position, count, ptr::null(), out, out_len) }
}

/// `pi_hex_digits_at` with the threads, progress callback (stage
/// "extraction") and cancellation of `options` (NULL: all cores, no
/// callback); their base, verification and memory limit do not apply.
/// Errors: those of `pi_hex_digits_at`, and `PI_ERROR_CANCELLED` when the
/// progress callback asks.
///
/// Ownership: as for `pi_hex_digits_at`; the options stay the caller's.
/// Safe to call from many threads at once, also with the same options.
///
/// # Safety
/// `options` must be NULL or live options from `pi_options_new`; `out` must
/// point to `out_len` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn pi_hex_digits_at_with_options(
    position: u64,
    count: usize,
    options: *const pi_options,
    out: *mut c_char,
    out_len: usize,
) -> pi_status {
    panic_boundary(PI_ERROR_INTERNAL, || {
        // SAFETY: the caller promises NULL or `out_len` writable bytes.
        let Some(buffer) = (unsafe { cleared(out, out_len) }) else {
            return null("out");
        };
        if position == 0 || position > MAX_HEX_POSITION {
            return failed(&Error::InvalidPosition {
                position,
                max: MAX_HEX_POSITION,
            });
        }
        if count > MAX_HEX_COUNT {
            return failed(&Error::TooManyDigits {
                requested: count as u64,
                max: MAX_HEX_COUNT as u64,
            });
        }
        if out_len <= count {
            return too_small(out_len, count + 1);
        }
        // SAFETY: the caller promises NULL or live options.
        let options = unsafe { options_or_default(options) };
        match pi_core::hex_digits_at_with(position, count, &options) {
            Ok(digits) => {
                buffer[..count].copy_from_slice(digits.as_bytes());
                buffer[count] = 0;
                PI_OK
            }
            Err(e) => failed(&e),
        }
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
        2 => c"invalid argument (pi_last_error_message says which)",
        3 => c"the output buffer is too small",
        4 => c"out of memory: the estimate exceeds the memory limit or what the system has available, or an allocation failed",
        5 => c"the computation was cancelled",
        6 => c"internal error in the pi library (please report it)",
        7 => c"verification of the result failed",
        8 => c"the scratch directory or its checkpoints could not be used (pi_last_error_message says why)",
        9 => c"the file of the digits could not be written (pi_last_error_message says why)",
        _ => c"unknown status code",
    };
    message.as_ptr()
}

/// Returns what was wrong with the last call on this thread that failed,
/// in English, NUL-terminated, more precisely than `pi_status_message`
/// (which argument, which limit, the memory estimate and what it
/// exceeded); "" if no call on this thread failed. Successful calls leave
/// it as it was, as `errno` is left. Never NULL.
///
/// Ownership: the library owns the text; it stays valid on this thread
/// until the next call on this thread that fails. The caller must not free
/// it.
#[no_mangle]
pub extern "C" fn pi_last_error_message() -> *const c_char {
    // The CString's heap buffer outlives the borrow until it is replaced.
    LAST_ERROR.with(|last| last.borrow().as_ptr())
}

/// Returns the name of the transform kernels this process runs, as a
/// static NUL-terminated string the caller must not free: the fastest the
/// processor has of "avx512-ifma" (AVX-512 IFMA), "avx512f" (AVX-512F),
/// "avx2" (AVX2 and FMA) and "portable" (any processor). The environment
/// variable `PI_SIMD` (one of those names) chooses among those the
/// processor has; `PI_NO_SIMD` forces "portable". Decided at the first
/// computation or call.
#[no_mangle]
pub extern "C" fn pi_kernel_family() -> *const c_char {
    panic_boundary(c"portable".as_ptr(), || {
        pi_core::kernel_family().c_name().as_ptr()
    })
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
        // SAFETY: pi_kernel_family returns a static NUL-terminated string.
        let family = unsafe { CStr::from_ptr(pi_kernel_family()) };
        assert_eq!(family.to_str(), Ok(pi_core::kernel_family().name()));
    }

    unsafe extern "C" fn count_calls(
        user_data: *mut c_void,
        fraction: f64,
        stage: *const c_char,
    ) -> i32 {
        // SAFETY: the tests pass a pointer to a live usize, and a static stage name.
        unsafe {
            *user_data.cast::<usize>() += 1;
            assert!(!CStr::from_ptr(stage).to_bytes().is_empty());
        }
        assert!((0.0..=1.0).contains(&fraction));
        0
    }

    unsafe extern "C" fn cancel_at_once(_: *mut c_void, _: f64, _: *const c_char) -> i32 {
        1
    }

    /// Computes with `options`, returning the status and the text.
    fn compute(digits: u64, options: *const pi_options) -> (pi_status, Option<String>) {
        let mut result = ptr::dangling_mut::<pi_result>();
        // SAFETY: options are NULL or live; result points to a writable pointer.
        let status = unsafe { pi_compute(digits, options, &mut result) };
        if result.is_null() {
            return (status, None);
        }
        // SAFETY: a non-null result from pi_compute is live until freed below.
        let text = unsafe {
            let text = CStr::from_ptr(pi_result_digits(result))
                .to_str()
                .map(String::from);
            assert_eq!(
                text.as_ref().map(String::len).ok(),
                Some(pi_result_len(result))
            );
            pi_result_free(result);
            text.ok()
        };
        (status, text)
    }

    #[test]
    fn computes_with_options() {
        assert_eq!(compute(5, ptr::null()), (PI_OK, Some("3.14159".into())));
        let options = pi_options_new();
        let mut calls = 0usize;
        // SAFETY: live options from pi_options_new, freed once at the end;
        // `calls` outlives the computations that use it.
        unsafe {
            assert_eq!(pi_options_set_base(options, 16), PI_OK);
            assert_eq!(pi_options_set_base(options, 17), PI_ERROR_INVALID_ARGUMENT);
            assert_eq!(pi_options_set_threads(options, 1), PI_OK);
            assert_eq!(
                pi_options_set_threads(options, 100_000),
                PI_ERROR_INVALID_ARGUMENT
            );
            assert_eq!(pi_options_set_verify(options, false), PI_OK);
            let user_data = ptr::from_mut(&mut calls).cast::<c_void>();
            assert_eq!(
                pi_options_set_progress(options, Some(count_calls), user_data),
                PI_OK
            );
            assert_eq!(compute(8, options), (PI_OK, Some("3.243f6a88".into())));
            assert!(calls >= 4, "a call at each stage change, got {calls}");
            assert_eq!(
                pi_options_set_progress(options, Some(cancel_at_once), ptr::null_mut()),
                PI_OK
            );
            assert_eq!(compute(100_000, options), (PI_ERROR_CANCELLED, None));
            assert_eq!(
                pi_options_set_progress(options, None, ptr::null_mut()),
                PI_OK
            );
            assert_eq!(pi_options_set_memory_limit(options, 1), PI_OK);
            assert_eq!(compute(10, options), (PI_ERROR_OUT_OF_MEMORY, None));
            assert_eq!(pi_options_set_memory_limit(options, 0), PI_OK);
            assert_eq!(compute(4, options), (PI_OK, Some("3.243f".into())));
            assert!(pi_estimate_memory(10, options) > 0);
            pi_options_free(options);
        }
    }

    #[test]
    fn null_pointers_are_errors() {
        // SAFETY: NULL is accepted by every one of these functions.
        unsafe {
            assert_eq!(
                pi_compute(5, ptr::null(), ptr::null_mut()),
                PI_ERROR_NULL_POINTER
            );
            assert_eq!(
                pi_options_set_base(ptr::null_mut(), 10),
                PI_ERROR_NULL_POINTER
            );
            assert_eq!(
                pi_options_set_threads(ptr::null_mut(), 1),
                PI_ERROR_NULL_POINTER
            );
            assert_eq!(
                pi_options_set_progress(ptr::null_mut(), None, ptr::null_mut()),
                PI_ERROR_NULL_POINTER
            );
            assert_eq!(
                pi_options_set_verify(ptr::null_mut(), true),
                PI_ERROR_NULL_POINTER
            );
            assert_eq!(
                pi_options_set_memory_limit(ptr::null_mut(), 1),
                PI_ERROR_NULL_POINTER
            );
            assert!(pi_result_digits(ptr::null()).is_null());
            assert_eq!(pi_result_len(ptr::null()), 0);
            pi_result_free(ptr::null_mut());
            pi_options_free(ptr::null_mut());
            assert_eq!(pi_estimate_memory(u64::MAX, ptr::null()), u64::MAX);
            assert_eq!(pi_estimate_disk(u64::MAX, ptr::null()), u64::MAX);
            assert!(pi_estimate_disk(1000, ptr::null()) > 0);
        }
        assert_eq!(
            compute(u64::MAX, ptr::null()),
            (PI_ERROR_INVALID_ARGUMENT, None)
        );
    }

    #[test]
    fn hex_digits_at_positions() {
        let mut out = [0x55u8; 20];
        // SAFETY: `out` has 20 writable bytes; each call passes at most that.
        unsafe {
            assert_eq!(pi_hex_digits_at(1, 8, out.as_mut_ptr().cast(), 9), PI_OK);
            assert_eq!(&out[..10], b"243f6a88\0\x55");
            assert_eq!(
                pi_hex_digits_at(1, 8, out.as_mut_ptr().cast(), 8),
                PI_ERROR_BUFFER_TOO_SMALL
            );
            assert_eq!(out[0], 0);
            assert_eq!(
                pi_hex_digits_at(1000, 16, out.as_mut_ptr().cast(), 20),
                PI_OK
            );
            assert_eq!(&out[..17], b"349f1c09b075372c\0");
            for (position, count) in [(0, 4), (u64::MAX, 4), (1, usize::MAX)] {
                assert_eq!(
                    pi_hex_digits_at(position, count, out.as_mut_ptr().cast(), 20),
                    PI_ERROR_INVALID_ARGUMENT
                );
            }
            assert_eq!(pi_hex_digits_at(5, 0, out.as_mut_ptr().cast(), 1), PI_OK);
            assert_eq!(out[0], 0);
            assert_eq!(
                pi_hex_digits_at(1, 4, ptr::null_mut(), 20),
                PI_ERROR_NULL_POINTER
            );
        }
    }

    fn last_error() -> String {
        // SAFETY: pi_last_error_message always returns a NUL-terminated string.
        let text = unsafe { CStr::from_ptr(pi_last_error_message()) };
        text.to_string_lossy().into_owned()
    }

    #[test]
    fn each_failure_says_what_was_wrong() {
        let mut out = [0u8; 20];
        let out = out.as_mut_ptr().cast::<c_char>();
        // SAFETY: `out` has 20 writable bytes; each call passes at most that.
        unsafe {
            assert_eq!(pi_hex_digits_at(0, 4, out, 20), PI_ERROR_INVALID_ARGUMENT);
            assert!(
                last_error().contains("invalid position 0"),
                "{}",
                last_error()
            );
            assert_eq!(
                pi_hex_digits_at(1, 70_000, out, 20),
                PI_ERROR_INVALID_ARGUMENT
            );
            assert!(last_error().contains("70000"), "{}", last_error());
            assert_eq!(pi_hex_digits_at(1, 4, out, 3), PI_ERROR_BUFFER_TOO_SMALL);
            assert!(last_error().contains("5 are needed"), "{}", last_error());
            assert_eq!(pi_hex_digits_at(1, 4, out, 20), PI_OK);
            assert!(last_error().contains("5 are needed"), "left as it was");
            assert_eq!(
                pi_hex_digits_at(1, 4, ptr::null_mut(), 20),
                PI_ERROR_NULL_POINTER
            );
            assert_eq!(last_error(), "out is NULL");
            assert_eq!(
                pi_digits(5, 7, out, 20, ptr::null_mut()),
                PI_ERROR_INVALID_ARGUMENT
            );
            assert!(last_error().contains("invalid base 7"), "{}", last_error());
            assert_eq!(
                pi_digits(u64::MAX, 10, out, 20, ptr::null_mut()),
                PI_ERROR_INVALID_ARGUMENT
            );
            assert!(last_error().contains("too many digits"), "{}", last_error());
            let options = pi_options_new();
            assert_eq!(
                pi_options_set_threads(options, 5000),
                PI_ERROR_INVALID_ARGUMENT
            );
            assert!(last_error().contains("5000"), "{}", last_error());
            assert_eq!(pi_options_set_memory_limit(options, 1000), PI_OK);
            assert_eq!(compute(100, options).0, PI_ERROR_OUT_OF_MEMORY);
            let message = last_error();
            assert!(
                message.contains("the memory limit of 1000 B") && message.contains("needs about"),
                "{message}"
            );
            pi_options_free(options);
        }
        // A scratch directory under a regular file cannot be created.
        let file = std::env::temp_dir().join(format!("pi-capi-test-{}", std::process::id()));
        std::fs::write(&file, b"a file").expect("a temporary file");
        let scratch = CString::new(file.join("scratch").to_string_lossy().into_owned())
            .expect("a path without NUL");
        // SAFETY: live options, freed once; a NUL-terminated path.
        unsafe {
            let options = pi_options_new();
            assert_eq!(pi_options_set_scratch_dir(options, scratch.as_ptr()), PI_OK);
            assert_eq!(pi_options_set_resume(options, true), PI_OK);
            assert_eq!(compute(100, options).0, PI_ERROR_CHECKPOINT);
            assert!(last_error().contains("cannot create"), "{}", last_error());
            assert_eq!(pi_options_set_scratch_dir(options, ptr::null()), PI_OK);
            assert_eq!(compute(100, options).0, PI_OK);
            assert_eq!(
                pi_options_set_scratch_dir(ptr::null_mut(), scratch.as_ptr()),
                PI_ERROR_NULL_POINTER
            );
            assert_eq!(
                pi_options_set_resume(ptr::null_mut(), true),
                PI_ERROR_NULL_POINTER
            );
            pi_options_free(options);
        }
        let _ = std::fs::remove_file(&file);
        let messages: Vec<String> = (0..9)
            .map(|s| {
                // SAFETY: pi_status_message always returns a static string.
                unsafe { CStr::from_ptr(pi_status_message(s)) }
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert!(!messages[2].contains("base"), "no guess at which argument");
    }

    #[test]
    fn digit_extraction_takes_options() {
        let mut out = [0u8; 9];
        let options = pi_options_new();
        let mut calls = 0usize;
        // SAFETY: live options, freed once at the end; `out` has 9 bytes;
        // `calls` outlives the calls that use it.
        unsafe {
            assert_eq!(pi_options_set_threads(options, 1), PI_OK);
            let user_data = ptr::from_mut(&mut calls).cast::<c_void>();
            assert_eq!(
                pi_options_set_progress(options, Some(count_calls), user_data),
                PI_OK
            );
            assert_eq!(
                pi_hex_digits_at_with_options(1_000_000, 8, options, out.as_mut_ptr().cast(), 9),
                PI_OK
            );
            assert_eq!(&out, b"26c65e52\0");
            assert!(calls >= 2, "the stage and the end, got {calls}");
            assert_eq!(
                pi_options_set_progress(options, Some(cancel_at_once), ptr::null_mut()),
                PI_OK
            );
            let start = std::time::Instant::now();
            let status = pi_hex_digits_at_with_options(
                10_000_000_000_000,
                8,
                options,
                out.as_mut_ptr().cast(),
                9,
            );
            assert_eq!(status, PI_ERROR_CANCELLED);
            assert!(start.elapsed().as_secs_f64() < 1.0);
            assert_eq!(out[0], 0);
            pi_options_free(options);
        }
    }

    #[test]
    fn calc_pi_keeps_the_original_contract() {
        assert_eq!(calc_pi(2), 3.14);
        assert_eq!(calc_pi(0), 3.0);
        assert_eq!(calc_pi(200), std::f32::consts::PI);
    }
}
