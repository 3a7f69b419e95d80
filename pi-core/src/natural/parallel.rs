//! Fork-join on the current rayon pool, only where the work is worth a task.

/// `(a(), b())`, on two threads when `parallel`, else one after the other.
pub(crate) fn join_if<A: Send, B: Send>(
    parallel: bool,
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    if parallel {
        rayon::join(a, b)
    } else {
        (a(), b())
    }
}
