//! `pi`: digits of π on the command line.

mod output;
mod report;
mod split;

use std::io::{self, Write};
use std::ops::Range;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{CommandFactory, FromArgMatches, Parser};
use pi_core::{
    Base, CancelToken, Error, HexExtraction, Options, MAX_DIGITS, MAX_HEX_COUNT, MAX_HEX_POSITION,
    MAX_THREADS,
};

use report::Report;

/// Print digits of pi, truncated (never rounded).
///
/// Writes "3." followed by DIGITS digits after the point and a newline to
/// standard output (or to FILE). Examples: `pi 50`, `pi --hex 1000 > pi-hex.txt`,
/// `pi 100000000 -o pi.txt --stats`, `pi --hex-at 1000000 --count 8`. Ctrl-C
/// (or SIGTERM, SIGHUP) stops a computation (exit code 130).
///
/// A digit extraction splits across machines: `--plan` gives the number of
/// terms of its series, `--terms A..B` sums a range of them into one line
/// of text, and `--combine` turns the lines of all the ranges into the
/// digits (exit code 3: sum again with `--precision` two limbs higher).
#[derive(Parser, Debug)]
#[command(name = "pi", version)]
struct Args {
    /// Number of digits after the point (0 to 10^12).
    #[arg(value_parser = clap::value_parser!(u64).range(0..=MAX_DIGITS),
          required_unless_present = "hex_at")]
    digits: Option<u64>,

    /// Instead of computing all digits, print COUNT hexadecimal digits
    /// starting at POSITION (1 is the first digit after the point), by digit
    /// extraction. Takes --count, --threads, --progress, --quiet and --stats.
    #[arg(long, value_name = "POSITION",
          conflicts_with_all = ["digits", "hex", "output", "verify", "memory_limit", "scratch"],
          value_parser = clap::value_parser!(u64).range(1..=MAX_HEX_POSITION))]
    hex_at: Option<u64>,

    /// With --hex-at: print the precision and the number of terms of the
    /// extraction's series (to split them with --terms), nothing else.
    #[arg(long, conflicts_with_all = ["terms", "combine"])]
    plan: bool,

    /// With --hex-at: sum only the terms START..END of the extraction's
    /// series and print the sum as one line, for --combine.
    #[arg(long, value_name = "START..END", value_parser = split::parse_range,
          conflicts_with = "combine")]
    terms: Option<Range<u64>>,

    /// With --plan and --terms: the precision in 64-bit limbs [default:
    /// the first attempt's; --combine says when more is needed].
    #[arg(long)]
    precision: Option<u32>,

    /// With --hex-at: combine the lines of --terms in FILEs (- for standard
    /// input), whose ranges cover the terms once, into the digits.
    #[arg(long, value_name = "FILE", num_args = 1..)]
    combine: Vec<PathBuf>,

    /// How many digits --hex-at prints [default: 16].
    #[arg(long, requires = "hex_at",
          value_parser = clap::value_parser!(u32).range(0..=MAX_HEX_COUNT as i64))]
    count: Option<u32>,

    /// Print hexadecimal digits (lowercase) instead of decimal ones.
    #[arg(long)]
    hex: bool,

    /// Number of threads; 0 means one per available core.
    #[arg(short, long, default_value_t = 0,
          value_parser = clap::value_parser!(u16).range(0..=MAX_THREADS as i64))]
    threads: u16,

    /// Write the digits to FILE instead of standard output. A regular file
    /// (or a symbolic link to one) is replaced atomically, all of it or
    /// nothing, keeping its permissions, and gets the digits as they are
    /// converted, without a copy of them all in memory; a device, FIFO or
    /// /dev/stdout is written directly once they are.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,

    /// Show progress on standard error even when it is not a terminal.
    #[arg(long, conflicts_with = "quiet")]
    progress: bool,

    /// Show no progress bar.
    #[arg(short, long)]
    quiet: bool,

    /// Refuse to start a computation estimated to need more memory than SIZE
    /// (bytes, or with a unit: 500MB, 8GiB). With --scratch, a SIZE below
    /// what it needs in memory is a budget: the largest products keep their
    /// residues in DIR, and only a SIZE below even that is refused. With
    /// --scratch and no limit, the memory the system has for pi is the
    /// budget of a computation that needs more.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    memory_limit: Option<u64>,

    /// Keep checkpoints in the directory DIR (created if missing) as the
    /// computation goes, so that --resume can continue it after an
    /// interruption (Ctrl-C, a kill, a crash); they are removed when it
    /// succeeds. Without --resume, checkpoints found there are removed.
    #[arg(long, value_name = "DIR")]
    scratch: Option<PathBuf>,

    /// Continue from the checkpoints in --scratch of an interrupted run of
    /// the same command (the same digits and base).
    #[arg(long, requires = "scratch")]
    resume: bool,

    /// Check the result independently (digit extraction of hexadecimal digits
    /// near its end, and residues of the digits) before printing it; exit 1
    /// if the check fails.
    #[arg(long)]
    verify: bool,

    /// Print the time of each stage and the most resident memory seen in
    /// it (sampled at least every 100 ms), the peak memory and (with
    /// --scratch) the bytes read and written in the scratch directory on
    /// standard error.
    #[arg(long)]
    stats: bool,
}

fn parse_size(text: &str) -> Result<u64, String> {
    parse_size::parse_size(text).map_err(|e| format!("{e} (examples: 1000000, 500MB, 8GiB)"))
}

/// Exit code of a computation stopped by Ctrl-C (or SIGTERM, SIGHUP), as for
/// a shell's SIGINT.
const INTERRUPTED: u8 = 130;

fn main() -> ExitCode {
    // The version names the kernels this processor runs.
    let version = format!(
        "{} (kernels: {})",
        env!("CARGO_PKG_VERSION"),
        pi_core::kernel_family().name()
    );
    // Once per run: clap takes a static string.
    let version: &'static str = Box::leak(version.into_boxed_str());
    let matches = Args::command().version(version).get_matches();
    let args = match Args::from_arg_matches(&matches) {
        Ok(args) => args,
        Err(e) => e.exit(),
    };
    let split = args.plan || args.terms.is_some() || !args.combine.is_empty();
    let misplaced = [
        (
            args.count.is_some() && args.hex_at.is_none(),
            "--count applies to --hex-at only",
        ),
        (
            split && args.hex_at.is_none(),
            "--plan, --terms and --combine apply to --hex-at only",
        ),
        (
            args.precision.is_some() && !args.plan && args.terms.is_none(),
            "--precision applies to --plan and --terms only",
        ),
    ];
    if let Some((_, message)) = misplaced.into_iter().find(|(wrong, _)| *wrong) {
        // clap's `requires` lets these through beside DIGITS.
        Args::command()
            .error(clap::error::ErrorKind::MissingRequiredArgument, message)
            .exit();
    }
    let token = CancelToken::new();
    let on_interrupt = token.clone();
    if let Err(e) = ctrlc::set_handler(move || on_interrupt.cancel()) {
        eprintln!("pi: warning: Ctrl-C and SIGTERM will not stop the computation cleanly: {e}");
    }
    let base = if args.hex {
        Base::Hexadecimal
    } else {
        Base::Decimal
    };
    let mut options = Options::new()
        .base(base)
        .threads(usize::from(args.threads))
        .cancel_token(token)
        .verify(args.verify)
        .memory_limit(args.memory_limit)
        .scratch_dir(args.scratch.clone())
        .resume(args.resume);
    let destination = match args.output.as_deref().map(output::Destination::new) {
        Some(Ok(destination)) => Some(destination),
        Some(Err(e)) => {
            eprintln!("pi: {e}");
            return ExitCode::FAILURE;
        }
        None => None,
    };
    let to_file = destination.as_ref().and_then(output::Destination::file);
    let estimate = args.digits.map(|d| match to_file {
        Some(_) => pi_core::estimate_memory_to_file(d, &options),
        None => pi_core::estimate_memory(d, &options),
    });
    let report = Report::new(estimate, args.progress, args.quiet, args.stats);
    if let Some(callback) = report.callback() {
        options = options.progress(callback);
    }
    let start = Instant::now();
    if let (true, Some(position)) = (split, args.hex_at) {
        let count = args.count.unwrap_or(16) as usize;
        let outcome = split_extraction(&args, position, count, &options);
        report.finish(start.elapsed(), outcome.is_ok());
        return match outcome {
            Ok(text) => print(&text),
            Err(code) => code,
        };
    }
    // The text, unless it went straight to the destination's file.
    let outcome = match (args.digits, args.hex_at) {
        (Some(digits), _) => match to_file {
            Some(file) => pi_core::compute_to_file(digits, &options, file).map(|()| None),
            None => pi_core::compute(digits, &options).map(Some),
        },
        (None, Some(position)) => {
            let count = args.count.unwrap_or(16) as usize;
            pi_core::hex_digits_at_with(position, count, &options).map(Some)
        }
        (None, None) => unreachable!("clap requires DIGITS or --hex-at"),
    };
    report.finish(start.elapsed(), outcome.is_ok());
    let text = match (outcome, &args.output) {
        (Ok(text), _) => text,
        (Err(Error::Output(why)), Some(path)) => {
            eprintln!("pi: cannot write the digits to {}: {why}", path.display());
            return ExitCode::FAILURE;
        }
        (Err(e), _) => return failure(&e),
    };
    if args.verify && !args.quiet {
        eprintln!("pi: verified: hexadecimal digits by digit extraction, digits by residues");
    }
    let written = match (destination, &args.output) {
        (Some(destination), Some(path)) => destination.finish(path, text.as_deref()),
        _ => write_stdout(text.as_deref().unwrap_or_default()),
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pi: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Says what `error` was; the exit code for it.
fn failure(error: &Error) -> ExitCode {
    match error {
        Error::Cancelled => {
            eprintln!("pi: interrupted");
            ExitCode::from(INTERRUPTED)
        }
        e @ (Error::OutOfMemory { .. }
        | Error::VerificationFailed(_)
        | Error::Checkpoint(_)
        | Error::Output(_)) => {
            eprintln!("pi: {e}");
            ExitCode::FAILURE
        }
        e => {
            eprintln!("pi: {e}");
            ExitCode::from(2)
        }
    }
}

/// Exit code of `--combine` when the sums' precision cannot settle the digits.
const UNSETTLED: u8 = 3;

/// `--plan`, `--terms` or `--combine` for `count` digits at `position`:
/// the text to print, or the exit code after saying what went wrong.
fn split_extraction(
    args: &Args,
    position: u64,
    count: usize,
    options: &Options,
) -> Result<String, ExitCode> {
    if !args.combine.is_empty() {
        return match split::combine(position, count, &args.combine) {
            Ok(split::Combined::Digits(digits)) => Ok(digits),
            Ok(split::Combined::Unsettled(next)) => {
                eprintln!(
                    "pi: a precision of {} limbs cannot settle these digits: sum the terms \
                     again with --precision {p} (`--plan --precision {p}` gives their number)",
                    next.precision() - 2,
                    p = next.precision()
                );
                Err(ExitCode::from(UNSETTLED))
            }
            Err(message) => {
                eprintln!("pi: {message}");
                Err(ExitCode::from(2))
            }
        };
    }
    let extraction = match args.precision {
        Some(precision) => HexExtraction::with_precision(position, count, precision as usize),
        None => HexExtraction::new(position, count),
    }
    .map_err(|e| failure(&e))?;
    match &args.terms {
        Some(terms) => {
            let sum = extraction
                .sum_with(terms.clone(), options)
                .map_err(|e| failure(&e))?;
            Ok(split::line(&extraction, &sum))
        }
        None => Ok(split::plan(&extraction)),
    }
}

/// Prints `text` and a newline; the exit code.
fn print(text: &str) -> ExitCode {
    match write_stdout(text) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pi: {e}");
            ExitCode::FAILURE
        }
    }
}

fn write_stdout(text: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    match out
        .write_all(text.as_bytes())
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush())
    {
        // The reader went away (`pi 1000000 | head -c 20`): not an error.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(io::Error::new(
            e.kind(),
            format!("cannot write the digits to standard output: {e}"),
        )),
        Ok(()) => Ok(()),
    }
}
