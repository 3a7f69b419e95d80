//! `pi`: digits of π on the command line.

mod output;
mod report;

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{CommandFactory, FromArgMatches, Parser};
use pi_core::{
    Base, CancelToken, Error, Options, MAX_DIGITS, MAX_HEX_COUNT, MAX_HEX_POSITION, MAX_THREADS,
};

use report::Report;

/// Print digits of pi, truncated (never rounded).
///
/// Writes "3." followed by DIGITS digits after the point and a newline to
/// standard output (or to FILE). Examples: `pi 50`, `pi --hex 1000 > pi-hex.txt`,
/// `pi 100000000 -o pi.txt --stats`, `pi --hex-at 1000000 --count 8`. Ctrl-C
/// stops a computation (exit code 130).
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
          conflicts_with_all = ["digits", "hex", "output", "verify", "memory_limit"],
          value_parser = clap::value_parser!(u64).range(1..=MAX_HEX_POSITION))]
    hex_at: Option<u64>,

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
    /// nothing, keeping its permissions; a device, FIFO or /dev/stdout is
    /// written directly.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,

    /// Show progress on standard error even when it is not a terminal.
    #[arg(long, conflicts_with = "quiet")]
    progress: bool,

    /// Show no progress bar.
    #[arg(short, long)]
    quiet: bool,

    /// Refuse to start a computation estimated to need more memory than SIZE
    /// (bytes, or with a unit: 500MB, 8GiB).
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    memory_limit: Option<u64>,

    /// Check the result independently (digit extraction of hexadecimal digits
    /// near its end, and residues of the digits) before printing it; exit 1
    /// if the check fails.
    #[arg(long)]
    verify: bool,

    /// Print the time of each stage and the peak memory on standard error.
    #[arg(long)]
    stats: bool,
}

fn parse_size(text: &str) -> Result<u64, String> {
    parse_size::parse_size(text).map_err(|e| format!("{e} (examples: 1000000, 500MB, 8GiB)"))
}

/// Exit code of a computation stopped by Ctrl-C, as for a shell's SIGINT.
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
    if args.count.is_some() && args.hex_at.is_none() {
        // clap's `requires` lets it through beside DIGITS.
        Args::command()
            .error(
                clap::error::ErrorKind::MissingRequiredArgument,
                "--count applies to --hex-at only",
            )
            .exit();
    }
    let token = CancelToken::new();
    let on_interrupt = token.clone();
    if let Err(e) = ctrlc::set_handler(move || on_interrupt.cancel()) {
        eprintln!("pi: warning: Ctrl-C will not stop the computation cleanly: {e}");
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
        .memory_limit(args.memory_limit);
    let estimate = args.digits.map(|d| pi_core::estimate_memory(d, &options));
    let report = Report::new(estimate, args.progress, args.quiet, args.stats);
    if let Some(callback) = report.callback() {
        options = options.progress(callback);
    }
    let start = Instant::now();
    let outcome = match (args.digits, args.hex_at) {
        (Some(digits), _) => pi_core::compute(digits, &options),
        (None, Some(position)) => {
            let count = args.count.unwrap_or(16) as usize;
            pi_core::hex_digits_at_with(position, count, &options)
        }
        (None, None) => unreachable!("clap requires DIGITS or --hex-at"),
    };
    report.finish(start.elapsed(), outcome.is_ok());
    let text = match outcome {
        Ok(text) => text,
        Err(Error::Cancelled) => {
            eprintln!("pi: interrupted");
            return ExitCode::from(INTERRUPTED);
        }
        Err(e @ (Error::OutOfMemory { .. } | Error::VerificationFailed(_))) => {
            eprintln!("pi: {e}");
            return ExitCode::FAILURE;
        }
        Err(e) => {
            eprintln!("pi: {e}");
            return ExitCode::from(2);
        }
    };
    if args.verify && !args.quiet {
        eprintln!("pi: verified: hexadecimal digits by digit extraction, digits by residues");
    }
    let written = match &args.output {
        Some(path) => output::write_file(path, &text),
        None => write_stdout(&text),
    };
    match written {
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
