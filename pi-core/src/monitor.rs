//! Progress and cancellation of a running computation.
//!
//! A computation runs on its own thread pool, and is handed its
//! [`Monitor`], which it passes down: the arithmetic reports work and
//! checks for cancellation through the monitor's [`Arith`] context, whose
//! transform cache the monitor owns; digit extraction and the series
//! through the monitor's own methods. A cancelled computation unwinds with a [`Cancelled`]
//! payload, and one whose allocation fails with [`fallible::OutOfMemory`]
//! (without running the panic hook), up to [`run`], dropping everything it
//! held on the way; the library therefore needs `panic = "unwind"`, Rust's
//! default.

use std::ffi::CStr;
use std::fmt;
use std::ops::ControlFlow;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::Duration;

use crate::natural::{fallible, Arith, Sink, TransformCache};
use crate::{Error, MemoryBound};

/// How often a progress callback hears from a running computation, at
/// least: often enough that Python notices Ctrl-C within a quarter second.
pub const PROGRESS_INTERVAL: Duration = Duration::from_millis(100);

/// A stage of a computation, in the order they run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Stage {
    /// Summing the Chudnovsky series by binary splitting.
    Series,
    /// The square root of 10005.
    SquareRoot,
    /// The division that gives π in binary.
    Division,
    /// Writing the digits in the chosen base.
    Conversion,
    /// Checking the result independently.
    Verification,
    /// Hexadecimal digits at a position, by digit extraction.
    Extraction,
}

pub(crate) const STAGES: [Stage; 6] = [
    Stage::Series,
    Stage::SquareRoot,
    Stage::Division,
    Stage::Conversion,
    Stage::Verification,
    Stage::Extraction,
];

impl Stage {
    /// A short lowercase English name: "series", "square root", "division",
    /// "conversion", "verification" or "extraction".
    pub fn name(self) -> &'static str {
        self.c_name().to_str().unwrap_or_default()
    }

    /// [`Stage::name`] as a NUL-terminated string, for C.
    pub fn c_name(self) -> &'static CStr {
        match self {
            Stage::Series => c"series",
            Stage::SquareRoot => c"square root",
            Stage::Division => c"division",
            Stage::Conversion => c"conversion",
            Stage::Verification => c"verification",
            Stage::Extraction => c"extraction",
        }
    }

    fn index(self) -> usize {
        STAGES.iter().position(|&s| s == self).unwrap_or(0)
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where a computation stands: its current stage and the fraction of the
/// whole computation done, from 0 to 1, never decreasing.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Progress {
    /// The stage running now.
    pub stage: Stage,
    /// The estimated fraction of the whole computation done.
    pub fraction: f64,
}

/// A progress callback: receives [`Progress`] on the thread that started the
/// computation, at every stage change, at least every
/// [`PROGRESS_INTERVAL`] (100 ms) and once at 1 when the result is ready; returning
/// `ControlFlow::Break(())` cancels the computation, after which the
/// callback is not called again.
pub type ProgressFn = dyn Fn(Progress) -> ControlFlow<()> + Send + Sync;

/// Cancels computations from anywhere: clones share one flag, and a
/// computation given the token stops soon (well within a second) after
/// [`CancelToken::cancel`], with [`Error::Cancelled`].
#[derive(Clone, Debug, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A token not cancelled yet.
    pub fn new() -> CancelToken {
        CancelToken::default()
    }

    /// Asks every computation holding this token to stop. Cannot be undone.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether [`CancelToken::cancel`] was called on this token or a clone.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// The payload with which a cancelled computation unwinds.
#[derive(Clone, Copy, Debug)]
struct Cancelled;

enum Event {
    Stage(Stage),
    /// The computation ended; `true` when it has its result.
    Finished(bool),
}

/// The shared state of one running computation.
pub(crate) struct Monitor {
    /// The caller's token.
    cancel: CancelToken,
    /// Set when the progress callback cancels this computation only.
    stopped: AtomicBool,
    stage: AtomicUsize,
    done: AtomicU64,
    total: AtomicU64,
    /// The fraction of the whole computation at which each stage starts,
    /// then 1.
    starts: [f64; STAGES.len() + 1],
    events: Option<Sender<Event>>,
    /// Shared by the computation's multiplications.
    transforms: TransformCache,
}

/// The arithmetic reports to the computation's monitor.
impl Sink for Monitor {
    fn advance(&self, units: u64) {
        Monitor::advance(self, units);
    }

    fn checkpoint(&self) {
        Monitor::checkpoint(self);
    }
}

impl Monitor {
    /// The context of the computation's arithmetic.
    pub(crate) fn arith(&self) -> Arith<'_> {
        Arith::new(&self.transforms, self)
    }

    /// Whether the caller's token or the progress callback cancelled this
    /// computation, without unwinding.
    pub(crate) fn cancelled(&self) -> bool {
        self.cancel.is_cancelled() || self.stopped.load(Ordering::Relaxed)
    }

    /// Unwinds if the computation was cancelled.
    pub(crate) fn checkpoint(&self) {
        if self.cancelled() {
            panic::resume_unwind(Box::new(Cancelled));
        }
    }

    /// The computation enters `stage`, whose work is `total` units.
    pub(crate) fn enter(&self, stage: Stage, total: u64) {
        self.checkpoint();
        // Each stage's products have their own lengths.
        self.transforms.release_buffers();
        self.done.store(0, Ordering::Relaxed);
        self.total.store(total.max(1), Ordering::Relaxed);
        self.stage.store(stage.index(), Ordering::Relaxed);
        if let Some(events) = &self.events {
            // The receiver only goes away after the computation.
            let _ = events.send(Event::Stage(stage));
        }
    }

    /// Counts `units` of work done in the current stage, and checks for
    /// cancellation.
    pub(crate) fn advance(&self, units: u64) {
        self.checkpoint();
        self.count(units);
    }

    /// Counts `units` of work done in the current stage, without checking
    /// for cancellation.
    pub(crate) fn count(&self, units: u64) {
        self.done.fetch_add(units, Ordering::Relaxed);
    }

    /// Frees the buffers the computation keeps for reuse, before a step
    /// that needs the memory more.
    pub(crate) fn release_buffers(&self) {
        self.transforms.release_buffers();
    }

    /// A monitor of a computation run directly on the test's threads: not
    /// cancelled, reporting to no one.
    #[cfg(test)]
    pub(crate) fn detached() -> Monitor {
        Monitor::new(CancelToken::new(), [1.0; STAGES.len()], None)
    }

    /// A monitor whose stages take the given shares of the time, and which
    /// sends its stage changes to `events`.
    fn new(
        cancel: CancelToken,
        shares: [f64; STAGES.len()],
        events: Option<Sender<Event>>,
    ) -> Self {
        let sum: f64 = shares.iter().sum();
        let mut starts = [0.0; STAGES.len() + 1];
        for (i, share) in shares.iter().enumerate() {
            starts[i + 1] = starts[i] + share / sum;
        }
        Monitor {
            cancel,
            stopped: AtomicBool::new(false),
            stage: AtomicUsize::new(0),
            done: AtomicU64::new(0),
            total: AtomicU64::new(1),
            starts,
            events,
            transforms: TransformCache::default(),
        }
    }

    fn progress(&self) -> Progress {
        let i = self.stage.load(Ordering::Relaxed);
        let done = self.done.load(Ordering::Relaxed) as f64;
        let total = self.total.load(Ordering::Relaxed) as f64;
        let within = (done / total).clamp(0.0, 1.0);
        Progress {
            stage: STAGES[i],
            fraction: self.starts[i] + (self.starts[i + 1] - self.starts[i]) * within,
        }
    }
}

/// Runs `body` with the computation's monitor on a pool of `threads`
/// workers (0: one per core), reporting to `progress` from the calling
/// thread. Stage `i`
/// takes about `shares[i]` of the time; `estimate` is the memory it was
/// expected to need, for the error if an allocation fails.
pub(crate) fn run<T: Send>(
    threads: usize,
    estimate: u64,
    cancel: CancelToken,
    shares: [f64; STAGES.len()],
    progress: Option<&ProgressFn>,
    body: impl FnOnce(&Monitor) -> Result<T, Error> + Send,
) -> Result<T, Error> {
    let (events, receiver) = match progress {
        Some(_) => {
            let (tx, rx) = std::sync::mpsc::channel();
            (Some(tx), Some(rx))
        }
        None => (None, None),
    };
    let monitor = Monitor::new(cancel, shares, events);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("pi-worker-{i}"))
        .start_handler(|_| fallible::unwind_on_failure())
        .build()
        .map_err(|e| Error::Threads(e.to_string()))?;
    let work = || {
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| pool.install(|| body(&monitor))));
        if let Some(events) = &monitor.events {
            let succeeded = matches!(outcome, Ok(Ok(_)));
            let _ = events.send(Event::Finished(succeeded));
        }
        outcome
    };
    let outcome = match (progress, receiver) {
        (Some(callback), Some(receiver)) => std::thread::scope(|scope| {
            let worker = scope.spawn(work);
            report(&monitor, &receiver, callback);
            worker.join()
        })
        .unwrap_or_else(|payload| panic::resume_unwind(payload)),
        _ => work(),
    };
    outcome.map_err(|payload| {
        if payload.is::<Cancelled>() {
            Error::Cancelled
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

/// Calls `callback` at each stage change and every [`PROGRESS_INTERVAL`]
/// until the computation finishes, and at 1 if it succeeded; cancels the
/// computation when the callback says so, and then calls it no more.
fn report(monitor: &Monitor, events: &Receiver<Event>, callback: &ProgressFn) {
    let mut fraction: f64 = 0.0;
    loop {
        // A stage event may be read after later stages began: it reports
        // the stage's start, not the monitor's current state.
        let current = match events.recv_timeout(PROGRESS_INTERVAL) {
            Ok(Event::Stage(stage)) => Progress {
                stage,
                fraction: monitor.starts[stage.index()],
            },
            Ok(Event::Finished(true)) if !monitor.stopped.load(Ordering::Relaxed) => {
                // The last stage entered; the result is ready.
                let stage = monitor.progress().stage;
                let _ = callback(Progress {
                    stage,
                    fraction: 1.0,
                });
                return;
            }
            Ok(Event::Finished(_)) | Err(RecvTimeoutError::Disconnected) => return,
            Err(RecvTimeoutError::Timeout) => monitor.progress(),
        };
        if monitor.stopped.load(Ordering::Relaxed) {
            // The callback asked to cancel: it hears no more.
            continue;
        }
        let stage = current.stage;
        fraction = fraction.max(current.fraction);
        if callback(Progress { stage, fraction }).is_break() {
            monitor.stopped.store(true, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `body` as a computation on one thread.
    fn computed<T: Send>(body: impl FnOnce() -> T + Send) -> Result<T, Error> {
        run(1, 7, CancelToken::new(), [1.0; STAGES.len()], None, |_| {
            Ok(body())
        })
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
