//! How the arithmetic reports its work, checks for cancellation and finds
//! its transform cache: through the [`Sink`] that the computation running
//! it installed on this thread. Outside a computation nothing is reported
//! and products use the process-wide cache.

use std::cell::RefCell;
use std::sync::Arc;

use super::{fallible, TransformCache};

/// What a computation lends the arithmetic running on its threads.
pub(crate) trait Sink: Send + Sync {
    /// Counts `units` of work done in the current stage; unwinds if the
    /// computation was cancelled.
    fn advance(&self, units: u64);
    /// Unwinds if the computation was cancelled.
    fn checkpoint(&self);
    /// The transform cache the computation's products share.
    fn transform_cache(&self) -> &Arc<TransformCache>;
}

thread_local! {
    static SINK: RefCell<Option<Arc<dyn Sink>>> = const { RefCell::new(None) };
}

/// Makes `sink` this thread's, for the rest of its life (a computation's
/// worker thread), and failed allocations on it unwind.
pub(crate) fn install(sink: Arc<dyn Sink>) {
    SINK.with(|s| *s.borrow_mut() = Some(sink));
    fallible::unwind_on_failure();
}

fn with_sink<T>(f: impl FnOnce(&dyn Sink) -> T) -> Option<T> {
    SINK.with(|s| s.borrow().as_deref().map(f))
}

/// Counts `units` of work and checks for cancellation, in a computation.
pub(crate) fn advance(units: u64) {
    with_sink(|s| s.advance(units));
}

/// Checks for cancellation, in a computation.
pub(crate) fn checkpoint() {
    with_sink(|s| s.checkpoint());
}

/// The computation's transform cache, in a computation.
pub(crate) fn transform_cache() -> Option<Arc<TransformCache>> {
    with_sink(|s| Arc::clone(s.transform_cache()))
}
