//! How the kernels of every vector family take their values: whether slices
//! suit a kernel of `lanes` lanes, and quarters of a block.

/// Whether every slice is as long as the first, a non-zero multiple of
/// `lanes`.
pub(super) fn whole(lanes: usize, lens: &[usize]) -> bool {
    lanes > 0
        && lens[0] > 0
        && lens
            .iter()
            .all(|&l| l == lens[0] && l.is_multiple_of(lanes))
}

/// Whether quarters `q` and twiddles `w`, all of one length, suit
/// the two-stage kernels on `lanes` lanes.
pub(super) fn quarters_fit(lanes: usize, q: &[&mut [u64]; 4], w: &[&[u64]; 3]) -> bool {
    let len = q[0].len();
    whole(lanes, &[len, q[1].len(), q[2].len(), q[3].len()]) && w.iter().all(|w| w.len() == len)
}

/// Whether `a` splits into groups of `8·lanes` for the kernels of the last
/// three forward stages and the first three inverse ones on `lanes`
/// lanes, with their twiddles.
pub(super) fn groups_fit(lanes: usize, a: &[u64], w4: &[u64], w2: &[u64]) -> bool {
    lanes > 0
        && !a.is_empty()
        && a.len().is_multiple_of(8 * lanes)
        && w4.len() == 4
        && w2.len() == 2
}

/// Whether `a` is a whole number of blocks of four quarters as long as
/// each of `w`, a whole number of vectors of `lanes`, for the two-stage
/// kernels on each block.
pub(super) fn blocks_fit(lanes: usize, a: &[u64], w: &[&[u64]; 3]) -> bool {
    let len = w[0].len();
    whole(lanes, &[len, w[1].len(), w[2].len()]) && a.len().is_multiple_of(4 * len)
}

/// Whether thirds `x` and twiddles `w` suit the radix-3 kernels on
/// `lanes` lanes.
pub(super) fn thirds_fit(lanes: usize, x: &[&mut [u64]; 3], w: &[&[u64]; 2]) -> bool {
    whole(
        lanes,
        &[x[0].len(), x[1].len(), x[2].len(), w[0].len(), w[1].len()],
    )
}

/// Splits `a` into its four quarters.
pub(crate) fn quarters(a: &mut [u64]) -> [&mut [u64]; 4] {
    let m = a.len() / 4;
    let (left, right) = a.split_at_mut(2 * m);
    let (q0, q1) = left.split_at_mut(m);
    let (q2, q3) = right.split_at_mut(m);
    [q0, q1, q2, q3]
}
