//! Vector kernels (the scalar code is in the fields). Placeholder without
//! unsafe: reports no vector unit, so the scalar stages run.

/// Whether the vector kernels run on this processor.
pub(super) fn available() -> bool {
    false
}

/// One forward stage on vectors; `false` when it did nothing.
pub(super) fn forward_stage(
    _lo: &mut [u64],
    _hi: &mut [u64],
    _w: &[u64],
    _p: u64,
    _p_inv: u64,
) -> bool {
    false
}

/// One inverse stage on vectors; `false` when it did nothing.
pub(super) fn inverse_stage(
    _lo: &mut [u64],
    _hi: &mut [u64],
    _w: &[u64],
    _p: u64,
    _p_inv: u64,
) -> bool {
    false
}
