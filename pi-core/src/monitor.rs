//! Progress and cancellation of a running computation: its [`Monitor`],
//! which counts the work of its stages and says whether it was cancelled,
//! and [`watch`], which reports to the caller's progress callback while the
//! computation runs. A cancelled computation unwinds with a [`Cancelled`]
//! payload from [`Monitor::checkpoint`], dropping everything it held on the
//! way (the library therefore needs `panic = "unwind"`, Rust's default).
//! Nothing here knows the arithmetic: `computation.rs` joins the two.

use std::ffi::CStr;
use std::fmt;
use std::ops::ControlFlow;
use std::panic;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::Duration;

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
    /// The computation's input and output in its scratch directory so far
    /// (zeros without one).
    pub scratch: ScratchIo,
}

/// What a computation read from and wrote to its scratch directory
/// ([`Options::scratch_dir`](crate::Options::scratch_dir)).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ScratchIo {
    /// Bytes read (checkpoints resumed).
    pub bytes_read: u64,
    /// Bytes written (checkpoints kept).
    pub bytes_written: u64,
    /// Seconds spent reading, writing and making written files durable,
    /// in all; the last happens beside the computation, on a thread of
    /// its own.
    pub seconds: f64,
}

/// The running totals of a [`ScratchIo`], shared by the threads that read
/// and write.
#[derive(Debug, Default)]
pub(crate) struct ScratchCounters {
    read: AtomicU64,
    written: AtomicU64,
    nanos: AtomicU64,
}

impl ScratchCounters {
    /// Counts `bytes` read in `time`.
    pub(crate) fn read(&self, bytes: u64, time: Duration) {
        self.read.fetch_add(bytes, Ordering::Relaxed);
        self.spent(time);
    }

    /// Counts `bytes` written in `time`.
    pub(crate) fn written(&self, bytes: u64, time: Duration) {
        self.written.fetch_add(bytes, Ordering::Relaxed);
        self.spent(time);
    }

    /// Counts `time` spent on the files otherwise.
    pub(crate) fn spent(&self, time: Duration) {
        let nanos = u64::try_from(time.as_nanos()).unwrap_or(u64::MAX);
        self.nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    /// The totals so far.
    pub(crate) fn totals(&self) -> ScratchIo {
        ScratchIo {
            bytes_read: self.read.load(Ordering::Relaxed),
            bytes_written: self.written.load(Ordering::Relaxed),
            seconds: self.nanos.load(Ordering::Relaxed) as f64 * 1e-9,
        }
    }
}

/// A progress callback: receives [`Progress`] on the thread that started the
/// computation, at every stage change, at least every
/// [`PROGRESS_INTERVAL`] (100 ms) and once at 1 when the result is ready; returning
/// `ControlFlow::Break(())` cancels the computation, after which the
/// callback is not called again.
pub type ProgressFn = dyn Fn(Progress) -> ControlFlow<()> + Send + Sync;

/// Cancels computations from anywhere: clones share one flag, and a
/// computation given the token stops soon (well within a second) after
/// [`CancelToken::cancel`], with [`Error::Cancelled`](crate::Error::Cancelled).
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
pub(crate) struct Cancelled;

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
    /// The computation's scratch input and output, if it has a scratch
    /// directory.
    scratch: Option<Arc<ScratchCounters>>,
}

impl Monitor {
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

    /// A monitor of a computation run directly on the test's threads: not
    /// cancelled, reporting to no one.
    #[cfg(test)]
    pub(crate) fn detached() -> Monitor {
        Monitor::new(CancelToken::new(), [1.0; STAGES.len()], None, None)
    }

    /// A monitor whose stages take the given shares of the time, which
    /// sends its stage changes to `events` and reports `scratch`.
    fn new(
        cancel: CancelToken,
        shares: [f64; STAGES.len()],
        events: Option<Sender<Event>>,
        scratch: Option<Arc<ScratchCounters>>,
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
            scratch,
        }
    }

    fn progress(&self) -> Progress {
        let i = self.stage.load(Ordering::Relaxed);
        let done = self.done.load(Ordering::Relaxed) as f64;
        let total = self.total.load(Ordering::Relaxed) as f64;
        let within = (done / total).clamp(0.0, 1.0);
        self.at(
            STAGES[i],
            self.starts[i] + (self.starts[i + 1] - self.starts[i]) * within,
        )
    }

    /// The progress at `fraction` of the whole, in `stage`.
    fn at(&self, stage: Stage, fraction: f64) -> Progress {
        Progress {
            stage,
            fraction,
            scratch: self
                .scratch
                .as_ref()
                .map(|s| s.totals())
                .unwrap_or_default(),
        }
    }
}

/// Runs `body` with a new monitor whose stage `i` takes about `shares[i]`
/// of the time, reporting to `progress` (if any) from the calling thread
/// while `body` runs on another, with the totals of `scratch` if the
/// computation has a scratch directory; `body` returns its outcome and
/// whether it succeeded (then the callback hears 1 at its end).
pub(crate) fn watch<T: Send>(
    cancel: CancelToken,
    shares: [f64; STAGES.len()],
    (progress, scratch): (Option<&ProgressFn>, Option<Arc<ScratchCounters>>),
    body: impl FnOnce(&Monitor) -> (T, bool) + Send,
) -> T {
    let (events, receiver) = match progress {
        Some(_) => {
            let (tx, rx) = std::sync::mpsc::channel();
            (Some(tx), Some(rx))
        }
        None => (None, None),
    };
    let monitor = Monitor::new(cancel, shares, events, scratch);
    let work = || {
        let (outcome, succeeded) = body(&monitor);
        if let Some(events) = &monitor.events {
            let _ = events.send(Event::Finished(succeeded));
        }
        outcome
    };
    match (progress, receiver) {
        (Some(callback), Some(receiver)) => std::thread::scope(|scope| {
            let worker = scope.spawn(work);
            report(&monitor, &receiver, callback);
            worker.join()
        })
        .unwrap_or_else(|payload| panic::resume_unwind(payload)),
        _ => work(),
    }
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
            Ok(Event::Stage(stage)) => monitor.at(stage, monitor.starts[stage.index()]),
            Ok(Event::Finished(true)) if !monitor.stopped.load(Ordering::Relaxed) => {
                // The last stage entered; the result is ready.
                let _ = callback(monitor.at(monitor.progress().stage, 1.0));
                return;
            }
            Ok(Event::Finished(_)) | Err(RecvTimeoutError::Disconnected) => return,
            Err(RecvTimeoutError::Timeout) => monitor.progress(),
        };
        if monitor.stopped.load(Ordering::Relaxed) {
            // The callback asked to cancel: it hears no more.
            continue;
        }
        fraction = fraction.max(current.fraction);
        if callback(Progress {
            fraction,
            ..current
        })
        .is_break()
        {
            monitor.stopped.store(true, Ordering::Relaxed);
        }
    }
}
