//! The context of the arithmetic: the transform tables and buffers its
//! products share, and the [`Sink`] to which it reports its work and which
//! may stop it. Every function of the arithmetic that multiplies long
//! numbers or runs long takes one; plain operators (`&a * &b`) take the
//! process-wide [`Arith::shared`].

use std::sync::OnceLock;

use super::TransformCache;

/// What a computation lends the arithmetic it runs.
pub(crate) trait Sink: Sync {
    /// Counts `units` of work done in the current stage; unwinds if the
    /// computation was cancelled.
    fn advance(&self, units: u64);
    /// Unwinds if the computation was cancelled.
    fn checkpoint(&self);
}

/// The context an operation runs in: cheap to copy, shared by the threads
/// of one computation.
#[derive(Clone, Copy)]
pub(crate) struct Arith<'a> {
    transforms: &'a TransformCache,
    sink: Option<&'a dyn Sink>,
}

impl Arith<'static> {
    /// The context of arithmetic outside a computation: a process-wide
    /// transform cache (see [`TransformCache::shared`]), no reports, never
    /// stopped.
    pub(crate) fn shared() -> Arith<'static> {
        static SHARED: OnceLock<TransformCache> = OnceLock::new();
        Arith {
            transforms: SHARED.get_or_init(TransformCache::shared),
            sink: None,
        }
    }
}

impl<'a> Arith<'a> {
    /// A computation's context: its own transform cache and its sink.
    pub(crate) fn new(transforms: &'a TransformCache, sink: &'a dyn Sink) -> Arith<'a> {
        Arith {
            transforms,
            sink: Some(sink),
        }
    }

    /// Counts `units` of work and checks for cancellation.
    pub(crate) fn advance(self, units: u64) {
        if let Some(sink) = self.sink {
            sink.advance(units);
        }
    }

    /// Checks for cancellation.
    pub(crate) fn checkpoint(self) {
        if let Some(sink) = self.sink {
            sink.checkpoint();
        }
    }

    /// The tables and buffers the products share.
    pub(crate) fn transforms(self) -> &'a TransformCache {
        self.transforms
    }
}
