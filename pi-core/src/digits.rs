//! Truncated digits of π in a base, right even across long runs of 9s.

use std::borrow::Cow;
use std::fs::File;

use crate::checkpoint::{Checkpoints, Key};
use crate::chudnovsky::{pi_fixed_point, ERROR_BOUND};
use crate::computation::Computation;
use crate::memory::{self, MemoryBound};
use crate::monitor::Stage;
use crate::natural::{radix, Arith, Natural, Parked, TransformCache};
use crate::text::{Text, TextFile, Written, FILE_BUFFER};
use crate::verify;
use crate::{Base, Error, Options};

/// The most digits one computation accepts.
pub const MAX_DIGITS: u64 = 1_000_000_000_000;

/// The most threads one computation accepts.
pub const MAX_THREADS: usize = 1024;

/// Guard bits of the first attempt; each retry doubles them.
const INITIAL_GUARD_BITS: u64 = 64;

/// Bits of the binary value behind `n` digits in `base`.
fn digit_bits(n: u64, base: Base) -> u64 {
    match base {
        Base::Decimal => (n as f64 * std::f64::consts::LOG2_10).ceil() as u64 + 1,
        Base::Hexadecimal => 4 * n,
    }
}

/// Peak memory per byte of the binary result, with the text of the digits
/// and verification: the operands, products and transforms of the largest
/// steps. Whole peaks at 10^9 digits (`pi N --stats`, two threads), tables
/// and kept buffers included: 16.6 to 17.3 bytes per result byte in either
/// base, with or without verification.
const MEMORY_PER_RESULT_BYTE: u64 = 18;
/// Memory per byte of the binary result for the transforms' tables and
/// kept buffers, up to [`MEMORY_TABLES_MAX`]. Whole peaks (less
/// [`MEMORY_BASE`]) measured from 10^6 to 10^8 digits, both bases, with
/// and without verification: at most 59 bytes per result byte (10^7), 41
/// at 10^6, 33 at 10^8.
const MEMORY_TABLES_PER_RESULT_BYTE: u64 = 64;
/// The most the transforms' tables (about 130 MiB) and kept buffers (512
/// MiB) take.
const MEMORY_TABLES_MAX: u64 = 768 << 20;
/// [`MEMORY_PER_RESULT_BYTE`] for a computation held to a memory budget,
/// in quarters of a byte: its largest products spill their residues (the
/// largest of them their transforms too) to the scratch directory, and
/// its numbers of those lengths wait in spill files or checkpoints while
/// others need the memory. Measured beside the tables and the allocator's
/// share: 3.0 bytes per result byte at 10^9 digits under 2 GiB (a peak of
/// 1835 MiB, against 5.8 GiB in memory alone), 3.1 at 4·10^9 under 8 GiB
/// (6000 MiB); its tables and kept buffers, the text of the digits and
/// what the allocator keeps once freed are counted apart.
const BUDGET_MEMORY_QUARTERS_PER_RESULT_BYTE: u64 = 13;
/// Memory used whatever the size: code, thread stacks, small tables.
const MEMORY_BASE: u64 = 16 << 20;
/// Memory per byte of the binary result that the system's allocator keeps
/// resident once freed, under a budget, up to [`MEMORY_SLACK_MAX`]: glibc
/// keeps up to twice its mmap threshold (which rises with the blocks freed,
/// to 32 MiB) free at the top of each thread's arena. At 10^8 digits under
/// a budget of 583 MB, peaks of 582-677 MB against 392-406 MiB with
/// the allocator made to give back what it frees at once.
const MEMORY_SLACK_PER_RESULT_BYTE: u64 = 4;
/// The most the allocator keeps resident once freed: 64 MiB per arena, for
/// the computation's threads and the caller's.
const MEMORY_SLACK_MAX: u64 = 256 << 20;

/// Scratch space per byte of the binary result that the checkpoints take
/// at most: ranges of the series on three levels while one more is being
/// written. Measured at 10^9 digits: 2.85 GB with one being written, 6.9
/// bytes per result byte.
const DISK_PER_RESULT_BYTE: u64 = 9;
/// Scratch space per byte of the binary result that the transforms and
/// residues of products held to a memory budget take at most: at the
/// series' top merge, the transforms of a sum's operands and of its
/// result, the residues of the primes before, and the numbers waiting in
/// spill files. Measured at 10^8 digits: 480 MiB, 11.6 bytes per result
/// byte; at 10^9 under 2 GiB, with the checkpoints: 7.5 GiB, 19.4 bytes
/// per result byte against the 23 estimated for both.
const SPILL_PER_RESULT_BYTE: u64 = 14;
/// Scratch space whatever the size: headers, small checkpoints.
const DISK_BASE: u64 = 1 << 20;

/// An upper estimate, in bytes, of the space the checkpoints of computing
/// `n` digits as `options` say take at most in their scratch directory
/// (see [`Options::scratch_dir`]; their base matters, and whether their
/// memory limit is a budget, whose spilled residues the space includes);
/// `u64::MAX` beyond [`MAX_DIGITS`]. A computation refuses to start where the
/// directory's file system has less free.
///
/// ```
/// let options = pi_core::Options::new();
/// assert!(pi_core::estimate_disk(1_000_000_000, &options) < 4 << 30);
/// ```
pub fn estimate_disk(n: u64, options: &Options) -> u64 {
    if n > MAX_DIGITS {
        return u64::MAX;
    }
    let per_result_byte = match budget(n, options) {
        Some(_) => DISK_PER_RESULT_BYTE + SPILL_PER_RESULT_BYTE,
        None => DISK_PER_RESULT_BYTE,
    };
    DISK_BASE + per_result_byte * digit_bits(n, options.base).div_ceil(8)
}

/// An upper estimate, in bytes, of the peak memory of computing `n` digits
/// as `options` say (their base, and whether their memory limit is a
/// budget: see [`Options::memory_limit`]) with [`compute`], the text of
/// the digits included; `u64::MAX` beyond [`MAX_DIGITS`].
///
/// ```
/// let small = pi_core::estimate_memory(1000, &pi_core::Options::new());
/// let large = pi_core::estimate_memory(100_000_000, &pi_core::Options::new());
/// assert!(small < 20 << 20 && large > 1 << 30);
/// ```
pub fn estimate_memory(n: u64, options: &Options) -> u64 {
    estimate(n, options, true)
}

/// [`estimate_memory`] for [`compute_to_file`], which does not hold the
/// text of the digits: less by its `n + 3` bytes under a budget.
///
/// ```
/// let options = pi_core::Options::new();
/// let file = pi_core::estimate_memory_to_file(1_000_000, &options);
/// assert!(file <= pi_core::estimate_memory(1_000_000, &options));
/// ```
pub fn estimate_memory_to_file(n: u64, options: &Options) -> u64 {
    estimate(n, options, false)
}

/// [`estimate_memory`], with the text of the digits in memory if `text`.
fn estimate(n: u64, options: &Options, text: bool) -> u64 {
    if n > MAX_DIGITS {
        return u64::MAX;
    }
    let result_bytes = digit_bits(n, options.base).div_ceil(8);
    match budget(n, options) {
        Some(limit) => {
            let tables = tables(result_bytes).min(TransformCache::most_within(limit));
            let slack = (MEMORY_SLACK_PER_RESULT_BYTE * result_bytes).min(MEMORY_SLACK_MAX);
            let text = if text { n + 3 } else { 0 };
            let numbers = BUDGET_MEMORY_QUARTERS_PER_RESULT_BYTE * result_bytes / 4;
            MEMORY_BASE + numbers + tables + slack + text
        }
        // The measured peaks held the text: little beside the products.
        None => in_memory(result_bytes),
    }
}

/// The peak memory of a computation whose result takes `result_bytes`,
/// in memory alone.
fn in_memory(result_bytes: u64) -> u64 {
    MEMORY_BASE + MEMORY_PER_RESULT_BYTE * result_bytes + tables(result_bytes)
}

/// The memory of the transforms' tables and kept buffers of a computation
/// whose result takes `result_bytes`, at most (less under a budget).
fn tables(result_bytes: u64) -> u64 {
    (MEMORY_TABLES_PER_RESULT_BYTE * result_bytes).min(MEMORY_TABLES_MAX)
}

/// The memory budget a computation of `n` digits keeps to, by spilling the
/// residues of its largest products to the scratch directory: the memory
/// limit, where `options` give one and a scratch directory and the
/// computation would take more in memory alone.
fn budget(n: u64, options: &Options) -> Option<u64> {
    options.scratch.as_ref()?;
    let in_memory = in_memory(digit_bits(n, options.base).div_ceil(8));
    options.memory_limit.filter(|&limit| in_memory > limit)
}

/// `options` with the system's bound on the memory of this process as
/// their memory limit, and so their budget (see [`budget`]), where they
/// have a scratch directory but no limit and the computation of `n`
/// digits would take more than that in memory alone.
fn system_budget(n: u64, options: &Options, system: Option<MemoryBound>) -> Option<Options> {
    options.scratch.as_ref()?;
    let bytes = system?.bytes()?;
    let too_much = options.memory_limit.is_none() && estimate_memory(n, options) > bytes;
    too_much.then(|| options.clone().memory_limit(Some(bytes)))
}

/// The products that spill their residues in a computation of `n` digits
/// as `options` say, by their limbs: none without a budget.
fn spill_from(n: u64, options: &Options) -> Option<usize> {
    #[cfg(test)]
    if options.spill_from.is_some() {
        return options.spill_from;
    }
    budget(n, options).map(spill_min)
}

/// The products that spill their residues under a budget of `limit`
/// bytes, by their limbs: those whose residues would take more than a
/// sixteenth of it, at about 51 bytes per limb of product (four primes,
/// 88-bit coefficients, a transform up to 1.4 times their number).
fn spill_min(limit: u64) -> usize {
    usize::try_from(limit / 16 / 51)
        .unwrap_or(usize::MAX)
        .max(1)
}

/// `"3."` followed by the first `n` digits of π after the point, truncated,
/// computed as `options` say.
///
/// Errors: [`Error::TooManyDigits`], [`Error::TooManyThreads`],
/// [`Error::OutOfMemory`] when the estimate exceeds the memory limit or
/// the memory the system has for this process (the address-space limit
/// less what is mapped, the control group's limit less its usage, the
/// available memory and swap), or when an allocation fails, [`Error::Cancelled`], [`Error::Threads`],
/// [`Error::Checkpoint`] (with a [`Options::scratch_dir`]: the directory
/// cannot be used, or resumed checkpoints are another computation's).
pub fn compute(n: u64, options: &Options) -> Result<String, Error> {
    computed((n, true), options, |computation| {
        text(n, options, computation)
    })
}

/// Writes `"3."`, the first `n` digits of π after the point, truncated, and
/// a newline to `file` from its start: the `n + 3` bytes of [`compute`]'s
/// text and a newline, computed as `options` say. The digits go from the
/// conversion to the file a piece at a time (of at most 16 MiB), never all
/// in memory at once; verification, if asked, reads them back. The file
/// must be open for reading and writing, not for appending (its writes
/// are positioned); it is neither truncated nor synced, and on an error
/// its contents are undefined.
///
/// Errors: those of [`compute`], and [`Error::Output`] when the file
/// cannot be written or read back.
pub fn compute_to_file(n: u64, options: &Options, file: &File) -> Result<(), Error> {
    computed((n, false), options, |computation| {
        write_file(n, options, computation, (file, FILE_BUFFER))
    })
}

/// `body` run as a computation of `n` digits as `options` say (whose text
/// it holds in memory if `text`), once they are checked and its
/// checkpoints (if any) opened; they are cleared once it succeeds.
fn computed<T: Send>(
    (n, text): (u64, bool),
    options: &Options,
    body: impl FnOnce(&Computation) -> Result<T, Error> + Send,
) -> Result<T, Error> {
    if n > MAX_DIGITS {
        return Err(Error::TooManyDigits {
            requested: n,
            max: MAX_DIGITS,
        });
    }
    let given = options.memory_limit.map(MemoryBound::Limit);
    let system = memory::available();
    let budgeted = system_budget(n, options, system);
    let options = budgeted.as_ref().unwrap_or(options);
    let estimate = estimate(n, options, text);
    if let Some(bound) = [given, system]
        .into_iter()
        .flatten()
        .find(|bound| bound.bytes().is_some_and(|bytes| estimate > bytes))
    {
        return Err(Error::OutOfMemory { estimate, bound });
    }
    // Shares of the time taken by series, square root, division,
    // conversion and verification (profiles at 10^6..10^7 digits).
    let verification = if options.verify { 4.0 } else { 0.0 };
    let shares = match options.base {
        Base::Decimal => [60.0, 8.0, 8.0, 24.0, verification, 0.0],
        Base::Hexadecimal => [80.0, 10.0, 10.0, 1.0, verification, 0.0],
    };
    let checkpoints = match &options.scratch {
        Some(dir) => Some(Checkpoints::open(
            dir,
            Key {
                n,
                base: options.base,
            },
            options.resume,
            (estimate_disk(n, options), spill_from(n, options)),
        )?),
        None => None,
    };
    let held_to = budget(n, options);
    options.run(
        (estimate, held_to),
        shares,
        checkpoints.as_ref(),
        |computation| {
            let result = body(computation)?;
            if let Some(checkpoints) = &checkpoints {
                // The digits are right whether or not their checkpoints could
                // be kept or removed: they are returned either way. Cleared
                // here, the progress at 1 counts all the checkpoints' I/O.
                let _ = checkpoints.clear();
            }
            Ok(result)
        },
    )
}

/// `"3."` followed by the first `n` digits of π after the point, truncated,
/// on all available cores.
pub fn digits(n: u64, base: Base) -> Result<String, Error> {
    compute(n, &Options::new().base(base))
}

fn text(n: u64, options: &Options, computation: &Computation) -> Result<String, Error> {
    let width = n as usize + 1;
    let mut text = Vec::new();
    let output = &mut Output::Memory(&mut text);
    let (x, w) = written(n, INITIAL_GUARD_BITS, options, computation, output);
    #[cfg(test)]
    if options.corruption == crate::options::Corruption::Text {
        text[width] = flipped(text[width]);
    }
    verified(
        x,
        w,
        (n, options.base),
        &Written::Memory(&text[1..=width]),
        computation,
    )?;
    text[0] = text[1];
    text[1] = b'.';
    text.truncate(width + 1);
    Ok(String::from_utf8(text).unwrap_or_default())
}

/// [`compute_to_file`]'s text written to `file` from buffers of at most
/// `buffer` bytes.
fn write_file(
    n: u64,
    options: &Options,
    computation: &Computation,
    (file, buffer): (&File, usize),
) -> Result<(), Error> {
    let width = n as usize + 1;
    let out = TextFile::new(file, buffer);
    let (x, w) = written(
        n,
        INITIAL_GUARD_BITS,
        options,
        computation,
        &mut Output::File(&out),
    );
    out.check()?;
    #[cfg(test)]
    if options.corruption == crate::options::Corruption::Text {
        let mut last = [0];
        out.read(width as u64, &mut last)?;
        out.write(width as u64, &[flipped(last[0])]);
    }
    verified(x, w, (n, options.base), &out.written(1, width), computation)?;
    let mut first = [0];
    out.read(1, &mut first)?;
    out.write(0, &[first[0], b'.']);
    out.write(width as u64 + 1, b"\n");
    out.check()
}

/// A digit changed, for tests of verification.
#[cfg(test)]
fn flipped(digit: u8) -> u8 {
    if digit == b'1' {
        b'2'
    } else {
        b'1'
    }
}

/// Checks the binary value `x` (if verification kept it) and the digits
/// `text` written from it.
fn verified(
    x: Option<Natural>,
    w: u64,
    (n, base): (u64, Base),
    text: &Written<'_>,
    computation: &Computation,
) -> Result<(), Error> {
    if let Some(x) = x {
        computation.enter(Stage::Verification, 1);
        verify::check_binary(&x, w, ERROR_BOUND, computation.monitor())?;
        check_text(text, (n, base), x, w, computation.arith())?;
    }
    Ok(())
}

/// Where [`written`] puts the digits.
enum Output<'a, 'f> {
    /// A buffer it allocates: a free byte, the `n + 1` digits (no point),
    /// and room for a terminator (C adds a NUL without copying).
    Memory(&'a mut Vec<u8>),
    /// A file, from its second byte.
    File(&'a TextFile<'f>),
}

/// `π` truncated to `n` digits in `options.base`, written to `output`, from
/// fixed-point approximations with `guard_bits` beyond the needed
/// precision, doubled until the error bound cannot change a digit. Returns
/// the approximation used (`x` with `|x - π·2^w| < ERROR_BOUND`) if
/// `options` verify (else its memory serves the conversion), and `w`.
fn written(
    n: u64,
    mut guard_bits: u64,
    options: &Options,
    computation: &Computation,
    output: &mut Output<'_, '_>,
) -> (Option<Natural>, u64) {
    let digit_bits = digit_bits(n, options.base);
    let width = n as usize + 1;
    loop {
        let w = digit_bits + guard_bits;
        let x = pi_fixed_point(w, computation);
        #[cfg(test)]
        let x = corrupted(x, w, options);
        computation.enter(Stage::Conversion, radix::decimal_work(width));
        let text = match output {
            // Allocated only now: during the series its bytes would add to
            // the peak.
            Output::Memory(text) => {
                **text = crate::natural::fallible::filled(width + 2, b'0');
                Text::Memory(&mut text[1..=width])
            }
            Output::File(file) => file.text(1, width),
        };
        let write = |x| write_digits(x, w, options.base, text, computation.arith());
        let written = if options.verify {
            // Held to a memory budget, x waits in a file while the
            // conversion takes a copy read back.
            let x = Parked::new(x, computation.arith());
            write(x.load()).then(|| Some(x.restore()))
        } else {
            write(Cow::Owned(x)).then_some(None)
        };
        if let Some(x) = written {
            return (x, w);
        }
        guard_bits *= 2;
    }
}

/// `x` with the top bit of the digits that verification compares flipped,
/// if `options` ask for it: above the guard bits, so the digits change too.
#[cfg(test)]
fn corrupted(x: Natural, w: u64, options: &Options) -> Natural {
    match verify::checked_hex_digits(w) {
        Some((position, _)) if options.corruption == crate::options::Corruption::Binary => {
            &x + &(&Natural::from(1u64) << (w - 4 * position + 3))
        }
        _ => x,
    }
}

/// Writes the digits of `x / 2^w` into `out`, one before the point, for
/// `x` within [`ERROR_BOUND`] of `π·2^w`; `false` when that error leaves a
/// digit undecided. An `x` given (owned) holds the fraction the conversion
/// takes.
fn write_digits(x: Cow<'_, Natural>, w: u64, base: Base, out: Text<'_>, arith: Arith<'_>) -> bool {
    let error = Natural::from(ERROR_BOUND);
    match base {
        Base::Decimal => {
            let mut low = x.into_owned();
            if low < error {
                return false;
            }
            low -= &error;
            let integer = &low >> w;
            let Some(fraction) = radix::Fraction::new(low.into_low_bits(w), w, 2 * ERROR_BOUND)
            else {
                return false;
            };
            let Some(digit) = integer.to_u64().filter(|&d| d < 10) else {
                return false;
            };
            let (first, rest) = out.split_at(1);
            first.put(&[b'0' + digit as u8]);
            radix::write_decimal_fraction(fraction, rest, arith)
        }
        Base::Hexadecimal => {
            let low = x.checked_sub(&error).unwrap_or_default();
            let shift = w - 4 * (out.len() as u64 - 1);
            let value = &low >> shift;
            if value != &(x.as_ref() + &error) >> shift {
                return false;
            }
            radix::write_hex(&value, out);
            true
        }
    }
}

/// Checks that `text` holds `floor(π · base^n)` for `x` within
/// [`ERROR_BOUND`] of `π·2^w`, by residues; in decimal, the product by
/// `10^n` this takes is checked by residues too. Held to a memory budget,
/// `x` and `10^n` wait in files while the product reads them back.
fn check_text(
    text: &Written<'_>,
    (n, base): (u64, Base),
    x: Natural,
    w: u64,
    arith: Arith<'_>,
) -> Result<(), Error> {
    let (scaled, error, shift) = match base {
        Base::Decimal => {
            let residue = verify::residue(&x);
            let x = Parked::new(x, arith);
            let power = Parked::new(Natural::pow_in(10, n, arith), arith);
            let product = Natural::sums_of_parked(&[&x, &power], &[&[(0, 1)]], 0, arith);
            let scaled = product.into_iter().next().unwrap_or_default();
            verify::check_product(residue, n, &scaled)?;
            let mut error = power.restore();
            error.mul_small_assign(&[ERROR_BOUND]);
            (scaled, error, w)
        }
        Base::Hexadecimal => (x, Natural::from(ERROR_BOUND), w - 4 * n),
    };
    // π·base^n lies between (scaled ± error) / 2^shift, whose floors differ
    // by at most one (error < 2^(shift-1)): the text must hold one of them.
    let (mut low, carries) = scaled_bounds(scaled, error, shift);
    verify::check_digits(text, base.radix(), &low).or_else(|failure| {
        if !carries {
            return Err(failure);
        }
        low += &Natural::from(1u64);
        verify::check_digits(text, base.radix(), &low)
    })
}

/// `floor((y - e) / 2^shift)` (0 where `e` is the larger), in `y`'s memory,
/// and whether `floor((y + e) / 2^shift)` is one more.
fn scaled_bounds(mut y: Natural, mut e: Natural, shift: u64) -> (Natural, bool) {
    if y < e {
        y = Natural::zero();
    } else {
        y -= &e;
    }
    e.mul_small_assign(&[2]);
    let carries = y.low_bits_carry(shift, &e);
    y >>= shift;
    (y, carries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::Monitor;
    use crate::options::Corruption;
    use crate::Progress;
    use std::ops::ControlFlow;
    use std::sync::{Arc, Mutex};

    #[test]
    fn verification_catches_a_corrupted_result() {
        for base in [Base::Decimal, Base::Hexadecimal] {
            let right = compute(100_000, &Options::new().base(base)).expect("digits");
            for corruption in [Corruption::Binary, Corruption::Text] {
                let corrupted = Options::new().base(base).corrupt_for_testing(corruption);
                let wrong = compute(100_000, &corrupted).expect("unverified digits");
                assert_ne!(wrong, right, "{base:?} {corruption:?}: the hook corrupts");
                let outcome = compute(100_000, &corrupted.verify(true));
                assert!(
                    matches!(outcome, Err(Error::VerificationFailed(_))),
                    "{base:?} {corruption:?}: {outcome:?}"
                );
            }
        }
    }

    /// The text of [`compute_to_file`] written from buffers of `buffer`
    /// bytes, read back.
    fn file_text(n: u64, options: &Options, buffer: usize) -> Result<String, Error> {
        let mut file = tempfile::tempfile().expect("a temporary file");
        computed((n, false), options, |computation| {
            write_file(n, options, computation, (&file, buffer))
        })?;
        let mut text = String::new();
        std::io::Read::read_to_string(&mut file, &mut text).expect("the file read back");
        Ok(text)
    }

    /// Written a few KiB at a time (the conversion's pieces and their
    /// splits, the hexadecimal digits' limbs cut at every piece), with and
    /// without verification reading them back, and at the default size.
    #[test]
    fn a_file_gets_the_text_that_compute_returns() {
        for base in [Base::Decimal, Base::Hexadecimal] {
            for n in [0, 1, 4095, 4096, 70_001] {
                let text = compute(n, &Options::new().base(base)).expect("digits") + "\n";
                for (verify, buffer) in [(false, 4096), (true, 4096), (true, FILE_BUFFER)] {
                    let options = Options::new().base(base).verify(verify);
                    let written = file_text(n, &options, buffer).expect("a file of digits");
                    assert_eq!(written, text, "{base:?} {n} {verify} {buffer}");
                }
            }
        }
    }

    #[test]
    fn verification_reads_back_the_file() {
        for base in [Base::Decimal, Base::Hexadecimal] {
            for corruption in [Corruption::Binary, Corruption::Text] {
                let corrupted = Options::new().base(base).corrupt_for_testing(corruption);
                let outcome = file_text(100_000, &corrupted.verify(true), 4096);
                assert!(
                    matches!(outcome, Err(Error::VerificationFailed(_))),
                    "{base:?} {corruption:?}: {outcome:?}"
                );
            }
        }
    }

    #[test]
    fn a_file_that_cannot_be_written_is_an_error() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("digits");
        std::fs::write(&path, "").expect("a file");
        let read_only = File::open(&path).expect("the file, read-only");
        let outcome = compute_to_file(1000, &Options::new(), &read_only);
        assert!(matches!(outcome, Err(Error::Output(_))), "{outcome:?}");
    }

    /// A full disk, as Linux's `/dev/full` is.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_full_disk_is_an_error() {
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full");
        let full = full.expect("/dev/full");
        let outcome = compute_to_file(100_000, &Options::new(), &full);
        let Err(Error::Output(message)) = outcome else {
            panic!("{outcome:?}");
        };
        assert!(message.contains("No space left"), "{message}");
    }

    /// Every product of a transform spilled, its transforms on disk (the
    /// series' merges, the square root's and division's Newton steps, the
    /// conversion's products), with the digits to a file: the same text.
    #[test]
    fn every_product_out_of_core_gives_the_same_digits() {
        for (base, n, verify) in [
            (Base::Decimal, 10_000_000, true),
            (Base::Hexadecimal, 1_000_000, false),
        ] {
            let dir = tempfile::tempdir().expect("a scratch directory");
            let read: Arc<Mutex<u64>> = Arc::default();
            let log = Arc::clone(&read);
            let options = Options::new()
                .base(base)
                .verify(verify)
                .scratch_dir(Some(dir.path().into()))
                .spill_for_testing(1)
                .progress(move |p| {
                    log.lock().map(|mut l| *l = p.scratch.bytes_read).ok();
                    ControlFlow::Continue(())
                });
            let text = compute(n, &Options::new().base(base)).expect("digits") + "\n";
            assert_eq!(file_text(n, &options, FILE_BUFFER), Ok(text), "{base:?}");
            // Many times the result: every product's transforms and residues.
            let read = read.lock().map(|r| *r).unwrap_or_default();
            let result_bytes = digit_bits(n, base) / 8;
            assert!(read > 64 * result_bytes, "{base:?}: {read} bytes read");
            let left = std::fs::read_dir(dir.path())
                .expect("the directory")
                .count();
            assert_eq!(left, 0, "{base:?}: files left in the scratch directory");
        }
    }

    #[test]
    fn a_failed_computation_does_not_claim_to_be_done() {
        let seen: Arc<Mutex<Vec<Progress>>> = Arc::default();
        let log = Arc::clone(&seen);
        let options = Options::new()
            .corrupt_for_testing(Corruption::Text)
            .verify(true)
            .progress(move |p| {
                log.lock().map(|mut l| l.push(p)).ok();
                ControlFlow::Continue(())
            });
        assert!(compute(1000, &options).is_err());
        let seen = seen.lock().map(|s| s.clone()).unwrap_or_default();
        assert!(seen.iter().all(|p| p.fraction < 1.0), "{seen:?}");
    }

    /// With a scratch directory and no limit, a system with less memory
    /// than the computation takes in memory alone sets its budget; with a
    /// limit, without a directory, or with memory enough, nothing changes.
    #[test]
    fn the_system_bound_is_the_budget_of_a_computation_with_scratch() {
        let n = 100_000_000;
        let scratch = Options::new().scratch_dir(Some("scratch".into()));
        let in_memory = estimate_memory(n, &scratch);
        let bound = in_memory / 10 * 9;
        let short = Some(MemoryBound::System(bound));
        let budgeted = system_budget(n, &scratch, short).expect("a budget");
        assert_eq!(budgeted.memory_limit, Some(bound));
        assert_eq!(budget(n, &budgeted), Some(bound));
        assert!(estimate_memory(n, &budgeted) < bound);
        let ample = Some(MemoryBound::System(in_memory));
        assert!(system_budget(n, &scratch, ample).is_none());
        assert!(system_budget(n, &Options::new(), short).is_none());
        let limited = scratch.clone().memory_limit(Some(in_memory));
        assert!(system_budget(n, &limited, short).is_none());
        assert!(system_budget(n, &scratch, None).is_none());
    }

    #[test]
    fn widening_decides_across_the_six_nines() {
        // Decimals 762..767 are 999999: with a single guard bit the first
        // attempts cannot decide and must widen, and still agree.
        for n in [761u64, 762, 765, 767, 768] {
            let options = Options::new();
            let monitor = Monitor::detached();
            let computation = Computation::new(&monitor, None, None);
            let (mut narrow, mut wide) = (Vec::new(), Vec::new());
            written(
                n,
                1,
                &options,
                &computation,
                &mut Output::Memory(&mut narrow),
            );
            let output = &mut Output::Memory(&mut wide);
            written(n, INITIAL_GUARD_BITS, &options, &computation, output);
            assert_eq!(narrow, wide, "n = {n}");
        }
        let text = digits(768, Base::Decimal).unwrap_or_default();
        // Decimal k (1-based) is text[k + 1].
        assert_eq!(&text[2 + 761..2 + 767], "999999");
    }
}
