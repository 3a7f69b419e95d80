//! What `pi` says on standard error while it computes: a progress bar, and
//! the time and resident memory of each stage, the peak memory and the
//! scratch directory's input and output with `--stats`.

use std::io::IsTerminal;
use std::ops::ControlFlow;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use pi_core::{Progress, ScratchIo, Stage};

/// Progress bar positions per unit of fraction done.
const BAR_LENGTH: u64 = 1000;

/// How progress is shown.
enum Display {
    None,
    /// An indicatif bar (stderr is a terminal).
    Bar(ProgressBar),
    /// A line at each stage and every tenth of the work (`--progress` when
    /// stderr is not a terminal).
    Lines,
}

/// What the progress callback records.
struct Shared {
    display: Display,
    /// Each stage in order: its start, and the most resident memory seen
    /// in its progress reports (bytes; at least every 100 ms).
    stages: Mutex<Vec<(Stage, Instant, u64)>>,
    /// The last tenth of the work announced by [`Display::Lines`].
    tenths: Mutex<u64>,
    /// The scratch directory's input and output so far.
    scratch: Mutex<ScratchIo>,
}

/// Progress and statistics of one computation.
pub(crate) struct Report {
    shared: Option<Arc<Shared>>,
    stats: bool,
    /// The memory estimate of a computation of digits.
    estimate: Option<u64>,
}

impl Report {
    pub(crate) fn new(estimate: Option<u64>, progress: bool, quiet: bool, stats: bool) -> Report {
        let display = if quiet {
            Display::None
        } else if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(BAR_LENGTH);
            let style = ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} {percent:>3}% {msg}",
            );
            if let Ok(style) = style {
                bar.set_style(style);
            }
            bar.enable_steady_tick(Duration::from_millis(200));
            Display::Bar(bar)
        } else if progress {
            Display::Lines
        } else {
            Display::None
        };
        let needed = stats || !matches!(display, Display::None);
        Report {
            shared: needed.then(|| {
                Arc::new(Shared {
                    display,
                    stages: Mutex::default(),
                    tenths: Mutex::default(),
                    scratch: Mutex::default(),
                })
            }),
            stats,
            estimate,
        }
    }

    /// The progress callback to give the computation, if anything is shown.
    pub(crate) fn callback(
        &self,
    ) -> Option<impl Fn(Progress) -> ControlFlow<()> + Send + Sync + 'static> {
        let shared = Arc::clone(self.shared.as_ref()?);
        Some(move |p: Progress| {
            shared.record(p);
            ControlFlow::Continue(())
        })
    }

    /// Clears the progress display and, with `--stats`, prints the
    /// statistics of a computation that took `elapsed`.
    pub(crate) fn finish(&self, elapsed: Duration, succeeded: bool) {
        let Some(shared) = &self.shared else {
            return;
        };
        if let Display::Bar(bar) = &shared.display {
            bar.finish_and_clear();
        }
        if !self.stats {
            return;
        }
        let stages = shared.stages.lock().map(|s| s.clone()).unwrap_or_default();
        let end = stages
            .first()
            .map_or_else(Instant::now, |&(_, start, _)| start + elapsed);
        eprintln!(
            "pi: stats{}",
            if succeeded { "" } else { " (stopped early)" }
        );
        for (i, &(stage, start, resident)) in stages.iter().enumerate() {
            let next = stages.get(i + 1).map_or(end, |&(_, next, _)| next);
            let seconds = next.saturating_duration_since(start).as_secs_f64();
            let memory = if resident > 0 {
                format!(
                    "  (resident memory sampled: up to {:.1} MiB)",
                    mib(resident)
                )
            } else {
                String::new()
            };
            eprintln!("  {:<14}{seconds:>10.3} s{memory}", stage.name());
        }
        eprintln!("  {:<14}{:>10.3} s", "total", elapsed.as_secs_f64());
        eprintln!("  {:<14}{:>10}", "kernels", pi_core::kernel_family().name());
        match peak_memory() {
            Some(peak) => eprintln!("  {:<14}{:>10.1} MiB", "peak memory", mib(peak)),
            None => eprintln!("  {:<14}{:>10}", "peak memory", "unknown"),
        }
        if let Some(estimate) = self.estimate {
            eprintln!("  {:<14}{:>10.1} MiB", "estimate", mib(estimate));
        }
        let scratch = shared.scratch.lock().map(|s| *s).unwrap_or_default();
        if scratch != ScratchIo::default() {
            eprintln!(
                "  {:<14}{:>10.1} MiB",
                "scratch read",
                mib(scratch.bytes_read)
            );
            eprintln!(
                "  {:<14}{:>10.1} MiB",
                "scratch write",
                mib(scratch.bytes_written)
            );
            eprintln!("  {:<14}{:>10.3} s", "scratch I/O", scratch.seconds);
        }
    }
}

impl Shared {
    fn record(&self, p: Progress) {
        let now = Instant::now();
        if let Ok(mut scratch) = self.scratch.lock() {
            *scratch = p.scratch;
        }
        let resident = resident_memory().unwrap_or(0);
        let new_stage = match self.stages.lock() {
            Ok(mut stages) => match stages.last_mut() {
                Some((stage, _, most)) if *stage == p.stage => {
                    *most = (*most).max(resident);
                    false
                }
                _ => {
                    stages.push((p.stage, now, resident));
                    true
                }
            },
            Err(_) => false,
        };
        match &self.display {
            Display::None => {}
            Display::Bar(bar) => {
                bar.set_position((p.fraction * BAR_LENGTH as f64) as u64);
                bar.set_message(p.stage.name());
            }
            Display::Lines => {
                let tenth = (p.fraction * 10.0) as u64;
                let mut last = self.tenths.lock().unwrap_or_else(|e| e.into_inner());
                if new_stage || tenth > *last {
                    *last = tenth;
                    eprintln!("pi: {:>3.0}% {}", 100.0 * p.fraction, p.stage.name());
                }
            }
        }
    }
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1 << 20) as f64
}

/// The peak resident memory of this process in bytes, where the system
/// tells it (Linux: VmHWM in /proc/self/status).
fn peak_memory() -> Option<u64> {
    status_bytes("VmHWM:")
}

/// The resident memory of this process now, in bytes, where the system
/// tells it (Linux: VmRSS in /proc/self/status).
fn resident_memory() -> Option<u64> {
    status_bytes("VmRSS:")
}

/// The value of the line `label` of /proc/self/status (in KiB), in bytes.
fn status_bytes(label: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(label))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}
