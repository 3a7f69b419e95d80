//! Allocations whose size grows with the numbers: fallible, so that a
//! computation out of memory ends with an error instead of an abort.

use std::cell::Cell;

/// Zero-filled allocations above this size are tried, then made by
/// `vec!`, which takes fresh pages the system gives zeroed instead of
/// writing them. Glibc moves its mmap threshold up to the size of a freed
/// block of at most 32 MiB, and a probe of smaller sizes raises the peak
/// memory by a sixth at 10^8 digits; smaller vectors are reserved and
/// filled instead.
const PROBED_BYTES: usize = 32 << 20;

/// The payload with which a failed allocation unwinds, on threads that
/// [`unwind_on_failure`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct OutOfMemory;

thread_local! {
    static UNWIND: Cell<bool> = const { Cell::new(false) };
}

/// Makes failed allocations on this thread unwind with [`OutOfMemory`],
/// for a caller that catches it, instead of aborting.
pub(crate) fn unwind_on_failure() {
    UNWIND.with(|unwind| unwind.set(true));
}

/// Unwinds with [`OutOfMemory`] where [`unwind_on_failure`] was called;
/// elsewhere aborts, as the standard library does.
#[cold]
fn out_of_memory<T>(len: usize) -> ! {
    if UNWIND.with(Cell::get) {
        std::panic::resume_unwind(Box::new(OutOfMemory));
    }
    let layout = std::alloc::Layout::array::<T>(len);
    std::alloc::handle_alloc_error(layout.unwrap_or(std::alloc::Layout::new::<T>()))
}

/// An empty vector with room for exactly `len` values; unwinds as out of
/// memory when the allocation fails inside a computation.
pub(crate) fn with_capacity<T>(len: usize) -> Vec<T> {
    let mut v = Vec::new();
    reserve(&mut v, len);
    v
}

/// Makes room in `v` for `additional` more values, exactly; unwinds as out
/// of memory when the allocation fails inside a computation.
pub(crate) fn reserve<T>(v: &mut Vec<T>, additional: usize) {
    if v.try_reserve_exact(additional).is_err() {
        out_of_memory::<T>(v.len().saturating_add(additional));
    }
}

/// Appends `value` to `v`; fallible like [`reserve`], with the amortized
/// growth of [`Vec::push`].
pub(crate) fn push<T>(v: &mut Vec<T>, value: T) {
    if v.try_reserve(1).is_err() {
        out_of_memory::<T>(v.len().saturating_add(1));
    }
    v.push(value);
}

/// `v` resized to `len`, new places holding `value`; fallible like
/// [`reserve`].
pub(crate) fn resize<T: Clone>(v: &mut Vec<T>, len: usize, value: T) {
    reserve(v, len.saturating_sub(v.len()));
    v.resize(len, value);
}

/// A vector of `len` copies of `value`; fallible like [`reserve`].
pub(crate) fn filled<T: Clone>(len: usize, value: T) -> Vec<T> {
    if len.saturating_mul(std::mem::size_of::<T>()) > PROBED_BYTES {
        if Vec::<T>::new().try_reserve_exact(len).is_err() {
            out_of_memory::<T>(len);
        }
        return vec![value; len];
    }
    let mut v = with_capacity(len);
    v.resize(len, value);
    v
}

/// A copy of `values`; fallible like [`reserve`].
pub(crate) fn copied<T: Copy>(values: &[T]) -> Vec<T> {
    let mut v = with_capacity(values.len());
    v.extend_from_slice(values);
    v
}
