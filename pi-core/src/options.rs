//! How to compute: base, threads, progress, cancellation, verification and
//! a memory limit.

use std::fmt;
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::Arc;

use crate::checkpoint::Checkpoints;

use crate::computation::{self, Computation};
use crate::monitor::{self, CancelToken, Progress, ProgressFn};
#[cfg(doc)]
use crate::{compute, estimate_memory};
use crate::{Base, Error, MAX_THREADS};

/// How to compute digits: base, threads, progress, cancellation,
/// verification and a memory limit.
///
/// ```
/// let options = pi_core::Options::new().base(pi_core::Base::Hexadecimal).threads(2);
/// assert_eq!(pi_core::compute(4, &options)?, "3.243f");
/// # Ok::<(), pi_core::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct Options {
    pub(crate) base: Base,
    pub(crate) threads: usize,
    pub(crate) progress: Option<Arc<ProgressFn>>,
    pub(crate) cancel: CancelToken,
    pub(crate) verify: bool,
    pub(crate) memory_limit: Option<u64>,
    pub(crate) scratch: Option<PathBuf>,
    pub(crate) resume: bool,
    #[cfg(test)]
    pub(crate) corruption: Corruption,
    /// With a scratch directory: every product from this many limbs spills
    /// (see [`crate::natural::Spill`]), whatever the budget; for tests of
    /// the out-of-core paths only.
    #[cfg(test)]
    pub(crate) spill_from: Option<usize>,
}

/// A deliberate error, for the tests that show verification catches it.
#[cfg(test)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Corruption {
    /// None: the normal computation.
    #[default]
    None,
    /// One bit of the binary value of π flipped before conversion.
    Binary,
    /// One digit of the text changed after conversion.
    Text,
}

impl Options {
    /// Decimal digits on all available cores, no progress reports, no
    /// verification, no memory limit.
    pub fn new() -> Options {
        Options::default()
    }

    /// Sets the base of the digits.
    pub fn base(mut self, base: Base) -> Options {
        self.base = base;
        self
    }

    /// Sets the number of threads; 0 (the default) means one per available
    /// core. The digits are the same for every thread count.
    pub fn threads(mut self, threads: usize) -> Options {
        self.threads = threads;
        self
    }

    /// Reports progress to `callback`, on the thread that calls [`compute`],
    /// at every stage change, at least every [`crate::PROGRESS_INTERVAL`] and
    /// once at 1 when the result is ready; the computation is
    /// cancelled when it returns `ControlFlow::Break(())`.
    ///
    /// ```
    /// use std::ops::ControlFlow;
    /// let options = pi_core::Options::new().progress(|p| {
    ///     eprintln!("{}: {:.0}%", p.stage, 100.0 * p.fraction);
    ///     ControlFlow::Continue(())
    /// });
    /// assert_eq!(pi_core::compute(5, &options)?, "3.14159");
    /// # Ok::<(), pi_core::Error>(())
    /// ```
    pub fn progress(
        mut self,
        callback: impl Fn(Progress) -> ControlFlow<()> + Send + Sync + 'static,
    ) -> Options {
        self.progress = Some(Arc::new(callback));
        self
    }

    /// Removes the progress callback.
    pub fn no_progress(mut self) -> Options {
        self.progress = None;
        self
    }

    /// Stops the computation with [`Error::Cancelled`] when `token` is
    /// cancelled, from any thread.
    ///
    /// ```
    /// let token = pi_core::CancelToken::new();
    /// token.cancel();
    /// let options = pi_core::Options::new().cancel_token(token);
    /// assert_eq!(pi_core::compute(1000, &options), Err(pi_core::Error::Cancelled));
    /// ```
    pub fn cancel_token(mut self, token: CancelToken) -> Options {
        self.cancel = token;
        self
    }

    /// Whether to check the result independently before returning it: the
    /// binary value against hexadecimal digits near its end computed by
    /// digit extraction, and the digits written against the binary value
    /// by residues. A failed check is [`Error::VerificationFailed`].
    pub fn verify(mut self, verify: bool) -> Options {
        self.verify = verify;
        self
    }

    /// Corrupts the computation on purpose; for tests of verification only.
    #[cfg(test)]
    pub(crate) fn corrupt_for_testing(mut self, corruption: Corruption) -> Options {
        self.corruption = corruption;
        self
    }

    /// Spills every product from `limbs` limbs to the scratch directory;
    /// for tests of the out-of-core paths only.
    #[cfg(test)]
    pub(crate) fn spill_for_testing(mut self, limbs: usize) -> Options {
        self.spill_from = Some(limbs);
        self
    }

    /// Refuses, with [`Error::OutOfMemory`] and before allocating, a
    /// computation whose [`estimate_memory`] exceeds `bytes`; `None` (the
    /// default) means no limit. With a [`Options::scratch_dir`], a limit
    /// below what the computation would take in memory is a budget
    /// instead: its largest products keep their residues in files there
    /// until they are recombined (at 10^8 and 10^9 digits about four
    /// fifths of the memory, for a sixth more time), and
    /// [`estimate_memory`] is what it then takes; a limit below that is
    /// still refused. With a scratch directory and no limit, the memory the
    /// system has for the process (see [`Error::OutOfMemory`]) is the
    /// budget of a computation that needs more.
    pub fn memory_limit(mut self, bytes: Option<u64>) -> Options {
        self.memory_limit = bytes;
        self
    }
}

impl Options {
    /// Keeps checkpoints of the computation in the directory `dir`
    /// (created if missing), so that [`Options::resume`] can continue it
    /// after an interruption (a crash, a kill, a cancellation); they are
    /// removed when it succeeds. `None` (the default): no checkpoints. A
    /// computation without `resume` removes the checkpoints it finds there.
    /// A cancelled or failed computation returns once the checkpoints it
    /// wrote are on the disk (at 10^9 digits, up to a few seconds). One
    /// computation at a time uses a directory: another that starts while
    /// it runs, in this process or another, is refused with
    /// [`Error::Checkpoint`].
    pub fn scratch_dir(mut self, dir: Option<PathBuf>) -> Options {
        self.scratch = dir;
        self
    }

    /// Resumes from the checkpoints in the [`Options::scratch_dir`] of an
    /// earlier computation of the same digits, refusing (with
    /// [`Error::Checkpoint`]) those of another computation or a damaged
    /// one; where there are none it starts from the beginning.
    pub fn resume(mut self, resume: bool) -> Options {
        self.resume = resume;
        self
    }
}

impl Options {
    /// Runs `body` as a computation with these options' threads, progress
    /// and cancellation (see [`computation::run`]), expected to need
    /// `estimate` bytes of memory and held to `budget` if given.
    pub(crate) fn run<T: Send>(
        &self,
        (estimate, budget): (u64, Option<u64>),
        shares: [f64; monitor::STAGES.len()],
        checkpoints: Option<&Checkpoints>,
        body: impl FnOnce(&Computation) -> Result<T, Error> + Send,
    ) -> Result<T, Error> {
        if self.threads > MAX_THREADS {
            return Err(Error::TooManyThreads {
                requested: self.threads,
                max: MAX_THREADS,
            });
        }
        computation::run(
            self.threads,
            (estimate, budget),
            (self.cancel.clone(), self.progress.as_deref()),
            shares,
            checkpoints,
            body,
        )
    }
}

impl fmt::Debug for Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Options")
            .field("base", &self.base)
            .field("threads", &self.threads)
            .field("progress", &self.progress.is_some())
            .field("cancelled", &self.cancel.is_cancelled())
            .field("verify", &self.verify)
            .field("memory_limit", &self.memory_limit)
            .field("scratch", &self.scratch)
            .field("resume", &self.resume)
            .finish()
    }
}
