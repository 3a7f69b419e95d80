//! The context of the arithmetic: the transform tables and buffers its
//! products share, and the [`Sink`] to which it reports its work and which
//! may stop it. Every function of the arithmetic that multiplies long
//! numbers or runs long takes one; plain operators (`&a * &b`) take the
//! process-wide [`Arith::shared`].

use std::fs::File;
use std::io;
use std::sync::OnceLock;
use std::time::Duration;

use super::TransformCache;

/// What a computation lends the arithmetic it runs.
pub(crate) trait Sink: Sync {
    /// Counts `units` of work done in the current stage; unwinds if the
    /// computation was cancelled.
    fn advance(&self, units: u64);
    /// Unwinds if the computation was cancelled.
    fn checkpoint(&self);
}

/// Where a computation held to a memory budget keeps the residues of its
/// largest products until they are recombined: files in its scratch
/// directory, read back a piece at a time.
pub(crate) trait Spill: Sync {
    /// Products of at least this many limbs keep their residues there.
    fn min_limbs(&self) -> usize;
    /// Products of at least this many limbs (at least [`Spill::min_limbs`])
    /// keep their transforms there too, streamed through memory a piece at
    /// a time (see `mul/ntt/on_disk.rs`).
    fn transforms_min_limbs(&self) -> usize;
    /// A new, empty file, gone once closed; unwinds if it cannot be made.
    fn file(&self) -> File;
    /// Counts `bytes` read (`written`: written) in `time`.
    fn count(&self, bytes: u64, written: bool, time: Duration);
    /// Unwinds with the error `e` of a read or write of a spill file.
    fn failed(&self, e: &io::Error) -> !;
}

/// The context an operation runs in: cheap to copy, shared by the threads
/// of one computation.
#[derive(Clone, Copy)]
pub(crate) struct Arith<'a> {
    transforms: &'a TransformCache,
    sink: Option<&'a dyn Sink>,
    spill: Option<&'a dyn Spill>,
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
            spill: None,
        }
    }
}

impl<'a> Arith<'a> {
    /// A computation's context: its own transform cache, its sink, and
    /// where it spills residues, if it does.
    pub(crate) fn new(
        transforms: &'a TransformCache,
        sink: &'a dyn Sink,
        spill: Option<&'a dyn Spill>,
    ) -> Arith<'a> {
        Arith {
            transforms,
            sink: Some(sink),
            spill,
        }
    }

    /// This context with `transforms` for its tables and buffers; for
    /// tests.
    #[cfg(test)]
    pub(crate) fn caching(self, transforms: &'a TransformCache) -> Arith<'a> {
        Arith { transforms, ..self }
    }

    /// This context with `spill` for its residues; for tests.
    #[cfg(test)]
    pub(crate) fn spilling(self, spill: &'a dyn Spill) -> Arith<'a> {
        Arith {
            spill: Some(spill),
            ..self
        }
    }

    /// Where the residues of a product of `limbs` limbs wait for their
    /// recombination, if not in memory.
    pub(crate) fn spill_for(self, limbs: usize) -> Option<&'a dyn Spill> {
        self.spill.filter(|spill| limbs >= spill.min_limbs())
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
