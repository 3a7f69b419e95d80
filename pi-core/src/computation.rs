//! A running computation: its monitor (progress and cancellation, see
//! `monitor.rs`) and the context of its arithmetic, on its own thread
//! pool. A cancelled computation unwinds with the monitor's payload, and
//! one whose allocation fails with [`fallible::OutOfMemory`] (without
//! running the panic hook), up to [`run`], which returns the error.

use std::panic::{self, AssertUnwindSafe};

use crate::checkpoint::{self, Checkpoints, Number};
use crate::monitor::{self, CancelToken, Cancelled, Monitor, ProgressFn, Stage, STAGES};
use crate::natural::{fallible, Arith, Natural, Sink, Spill, TransformCache};
use crate::{Error, MemoryBound};

/// What a computation passes down: its monitor and its arithmetic's
/// context, whose transform cache it owns.
pub(crate) struct Computation<'a> {
    monitor: &'a Monitor,
    transforms: TransformCache,
    checkpoints: Option<&'a Checkpoints>,
}

/// Numbers set aside by [`Computation::aside`]: in memory, or waiting in
/// their checkpoint.
pub(crate) struct Aside {
    numbers: Option<Vec<Natural>>,
    name: String,
}

/// The arithmetic reports its work to the computation's monitor, and stops
/// when it is cancelled.
impl Sink for Monitor {
    fn advance(&self, units: u64) {
        Monitor::advance(self, units);
    }

    fn checkpoint(&self) {
        Monitor::checkpoint(self);
    }
}

impl<'a> Computation<'a> {
    /// A computation reporting to `monitor`, keeping `checkpoints` if any,
    /// with a transform cache of its own, sized for its memory `budget` if
    /// it is held to one.
    pub(crate) fn new(
        monitor: &'a Monitor,
        checkpoints: Option<&'a Checkpoints>,
        budget: Option<u64>,
    ) -> Computation<'a> {
        Computation {
            monitor,
            transforms: budget.map_or_else(TransformCache::default, TransformCache::within),
            checkpoints,
        }
    }

    /// The numbers kept as the checkpoint `name`, if the computation keeps
    /// checkpoints and has that one.
    pub(crate) fn kept(&self, name: &str) -> Option<Vec<Natural>> {
        self.checkpoints?.load(name)
    }

    /// `numbers`, kept a moment ago as the checkpoint `name`, set aside
    /// until [`Computation::back`]: held to a memory budget (where products
    /// of their length spill), they wait in the checkpoint, freed, while
    /// other steps need the memory; else they stay in memory.
    pub(crate) fn aside(&self, name: String, numbers: Vec<Natural>) -> Aside {
        let longest = numbers.iter().map(|x| x.limbs().len()).max();
        let waits = self.checkpoints.is_some()
            && longest.is_some_and(|limbs| self.arith().spill_for(limbs).is_some());
        Aside {
            numbers: (!waits).then_some(numbers),
            name,
        }
    }

    /// The numbers set aside, read back from their checkpoint (once the
    /// disk has it) if they wait there; `None` if it is not found.
    pub(crate) fn back(&self, aside: Aside) -> Option<Vec<Natural>> {
        aside
            .numbers
            .or_else(|| self.checkpoints?.reload(&aside.name))
    }

    /// Keeps `numbers` as the checkpoint `name` in place of those
    /// `replaced`, if the computation keeps checkpoints.
    pub(crate) fn keep(&self, name: &str, numbers: &[&dyn Number], replaced: &[String]) {
        if let Some(checkpoints) = self.checkpoints {
            checkpoints.save(name, numbers, replaced);
        }
    }

    /// Its monitor.
    pub(crate) fn monitor(&self) -> &'a Monitor {
        self.monitor
    }

    /// The context of its arithmetic.
    pub(crate) fn arith(&self) -> Arith<'_> {
        // Without a budget, no product reaches the checkpoints' `min_limbs`.
        let spill = self.checkpoints.map(|c| c as &dyn Spill);
        Arith::new(&self.transforms, self.monitor, spill)
    }

    /// Enters `stage`, whose work is `total` units; each stage's products
    /// have their own lengths, so the buffers kept for reuse are freed.
    pub(crate) fn enter(&self, stage: Stage, total: u64) {
        self.monitor.enter(stage, total);
        self.release_buffers();
    }

    /// Counts `units` of work done, and checks for cancellation.
    pub(crate) fn advance(&self, units: u64) {
        self.monitor.advance(units);
    }

    /// Unwinds if the computation was cancelled.
    pub(crate) fn checkpoint(&self) {
        self.monitor.checkpoint();
    }

    /// Frees the buffers kept for reuse, before a step that needs the
    /// memory more.
    pub(crate) fn release_buffers(&self) {
        self.transforms.release_buffers();
    }
}

/// Runs `body` as a computation on a pool of `threads` workers (0: one per
/// core), watched by a monitor (see [`monitor::watch`]) that reports to
/// `progress`. Stage `i` takes about `shares[i]` of the time; `estimate` is
/// the memory it was expected to need, for the error if an allocation
/// fails, and `budget` the memory budget it keeps to, if any.
pub(crate) fn run<T: Send>(
    threads: usize,
    (estimate, budget): (u64, Option<u64>),
    (cancel, progress): (CancelToken, Option<&ProgressFn>),
    shares: [f64; STAGES.len()],
    checkpoints: Option<&Checkpoints>,
    body: impl FnOnce(&Computation) -> Result<T, Error> + Send,
) -> Result<T, Error> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("pi-worker-{i}"))
        .start_handler(|_| fallible::unwind_on_failure())
        .build()
        .map_err(|e| Error::Threads(e.to_string()))?;
    let scratch = checkpoints.map(Checkpoints::io);
    let outcome = monitor::watch(cancel, shares, (progress, scratch), |monitor| {
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
            pool.install(|| body(&Computation::new(monitor, checkpoints, budget)))
        }));
        let succeeded = matches!(outcome, Ok(Ok(_)));
        (outcome, succeeded)
    });
    outcome.map_err(|payload| {
        if payload.is::<Cancelled>() {
            Error::Cancelled
        } else if let Some(checkpoint::Failed(error)) = payload.downcast_ref() {
            error.clone()
        } else if payload.is::<fallible::OutOfMemory>() {
            Error::OutOfMemory {
                estimate,
                bound: MemoryBound::AllocationFailed,
            }
        } else {
            panic::resume_unwind(payload)
        }
    })?
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `body` as a computation on one thread.
    fn computed<T: Send>(body: impl FnOnce() -> T + Send) -> Result<T, Error> {
        run(
            1,
            (7, None),
            (CancelToken::new(), None),
            [1.0; STAGES.len()],
            None,
            |_| Ok(body()),
        )
    }

    #[test]
    fn failed_allocations_are_errors_inside_a_computation() {
        use crate::natural::fallible::{copied, filled, reserve, resize, with_capacity};
        let error = Error::OutOfMemory {
            estimate: 7,
            bound: MemoryBound::AllocationFailed,
        };
        let failed = Err(error.clone());
        let huge = usize::MAX / 16;
        assert_eq!(computed(|| filled(huge, 0u64).len()), failed);
        assert_eq!(computed(|| filled(huge, 1u8).len()), failed);
        assert_eq!(computed(|| with_capacity::<u64>(huge).len()), failed);
        let mut v = vec![1u64; 3];
        assert_eq!(computed(|| resize(&mut v, huge, 0)), Err(error.clone()));
        assert_eq!(computed(|| reserve(&mut v, huge)), Err(error));
        assert_eq!(v, [1, 1, 1]);
        assert_eq!(computed(|| filled(100, 2u8).len()), Ok(100));
        assert_eq!(computed(|| copied(&[1u64, 2]).len()), Ok(2));
    }
}
