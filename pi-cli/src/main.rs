//! `pi`: digits of π on the command line.

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;
use pi_core::{Base, Options, MAX_DIGITS, MAX_THREADS};

/// Print digits of pi, truncated (never rounded).
///
/// Writes "3." followed by DIGITS digits after the point and a newline to
/// standard output. Examples: `pi 50`, `pi --hex 1000 > pi-hex.txt`.
#[derive(Parser, Debug)]
#[command(name = "pi", version)]
struct Args {
    /// Number of digits after the point (0 to 10^12).
    #[arg(value_parser = clap::value_parser!(u64).range(0..=MAX_DIGITS))]
    digits: u64,

    /// Print hexadecimal digits (lowercase) instead of decimal ones.
    #[arg(long)]
    hex: bool,

    /// Number of threads; 0 means one per available core.
    #[arg(short, long, default_value_t = 0,
          value_parser = clap::value_parser!(u16).range(0..=MAX_THREADS as i64))]
    threads: u16,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let base = if args.hex {
        Base::Hexadecimal
    } else {
        Base::Decimal
    };
    let options = Options::new().base(base).threads(usize::from(args.threads));
    let text = match pi_core::compute(args.digits, &options) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("pi: {e}");
            return ExitCode::from(2);
        }
    };
    let mut out = io::stdout().lock();
    match out
        .write_all(text.as_bytes())
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush())
    {
        Ok(()) => ExitCode::SUCCESS,
        // The reader went away (`pi 1000000 | head -c 20`): not an error.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pi: cannot write the digits: {e}");
            ExitCode::FAILURE
        }
    }
}
