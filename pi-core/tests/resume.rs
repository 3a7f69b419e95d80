//! Checkpoints in a scratch directory: a computation stopped in any stage
//! resumes from them to the same digits; those of another computation, or
//! damaged ones, are refused; a finished computation leaves none. With a
//! memory limit, the directory also holds what a computation spills to
//! keep to it.

use std::fs;
use std::ops::ControlFlow;
use std::path::Path;
use std::sync::{Arc, Mutex};

use pi_core::{compute, Base, Error, Options, ScratchIo, Stage};

/// The checkpoint files in `dir`.
fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Options keeping checkpoints in `dir`.
fn scratch(base: Base, dir: &Path, resume: bool) -> Options {
    Options::new()
        .base(base)
        .scratch_dir(Some(dir.to_path_buf()))
        .resume(resume)
}

/// `options` held to a memory budget of 30 MB if `budgeted`: about the
/// smallest that 10^6 digits accept (the estimate in memory alone is 51
/// MB), so that numbers wait on disk wherever they can.
fn held(options: Options, budgeted: bool) -> Options {
    if budgeted {
        options.memory_limit(Some(30_000_000))
    } else {
        options
    }
}

/// Computes `n` digits keeping checkpoints in `dir` (held to a budget if
/// `budgeted`), cancelled from the progress callback once it reports
/// `stage`.
fn stopped_in(
    (n, base, budgeted): (u64, Base, bool),
    dir: &Path,
    stage: Stage,
) -> Result<String, Error> {
    let options = held(scratch(base, dir, false), budgeted).progress(move |p| {
        if p.stage == stage {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    });
    compute(n, &options)
}

#[test]
fn a_computation_stopped_in_any_stage_resumes_to_the_same_digits() {
    // Hexadecimal conversion is a copy, over before a cancellation lands;
    // the other stages are long enough at 10^6 digits that it lands in them
    // or in a later one.
    let stages = [
        Stage::Series,
        Stage::SquareRoot,
        Stage::Division,
        Stage::Conversion,
    ];
    // Held to a budget, numbers wait in checkpoints and spill files too.
    for (n, base, budgeted, stages) in [
        (1_000_000, Base::Decimal, false, &stages[..]),
        (1_000_000, Base::Hexadecimal, false, &stages[..3]),
        (1_000_000, Base::Decimal, true, &stages[..]),
    ] {
        let expected = compute(n, &Options::new().base(base)).expect("digits");
        for &stage in stages {
            let dir = tempfile::tempdir().expect("a scratch directory");
            assert_eq!(
                stopped_in((n, base, budgeted), dir.path(), stage),
                Err(Error::Cancelled),
                "{n} {base:?} {budgeted}: stopped in {stage}"
            );
            let resumed = compute(n, &held(scratch(base, dir.path(), true), budgeted));
            assert_eq!(
                resumed.as_ref(),
                Ok(&expected),
                "{n} {base:?} {budgeted}: resumed from {stage}"
            );
            assert_eq!(files(dir.path()), Vec::<String>::new(), "left behind");
        }
    }
}

#[test]
fn later_stages_resume_from_their_checkpoints() {
    let dir = tempfile::tempdir().expect("a scratch directory");
    let n = 1_000_000;
    assert_eq!(
        stopped_in((n, Base::Decimal, false), dir.path(), Stage::Conversion),
        Err(Error::Cancelled)
    );
    let kept = files(dir.path());
    assert!(
        kept.iter().any(|f| f.starts_with("pi-quotient-"))
            && kept.iter().any(|f| f.starts_with("pi-root-")),
        "checkpoints of the division and the square root: {kept:?}"
    );
    assert!(
        kept.iter().all(|f| !f.starts_with("pi-series")),
        "the series' checkpoints go once the quotient is kept: {kept:?}"
    );
    let kept_bytes: u64 = kept
        .iter()
        .map(|f| fs::metadata(dir.path().join(f)).map_or(0, |m| m.len()))
        .sum();
    let (options, last) = recording(scratch(Base::Decimal, dir.path(), true));
    let resumed = compute(n, &options).expect("digits");
    assert_eq!(resumed, compute(n, &Options::new()).expect("digits"));
    let io = last.lock().map(|p| *p).unwrap_or_default();
    assert_eq!(io.bytes_read, kept_bytes, "{io:?}");
    assert_eq!(io.bytes_written, 0, "{io:?}");
}

/// `options` with a progress callback that keeps the last report's
/// scratch input and output.
fn recording(options: Options) -> (Options, Arc<Mutex<ScratchIo>>) {
    let last = Arc::new(Mutex::new(ScratchIo::default()));
    let kept = Arc::clone(&last);
    let options = options.progress(move |p| {
        if let Ok(mut last) = kept.lock() {
            *last = p.scratch;
        }
        ControlFlow::Continue(())
    });
    (options, last)
}

#[test]
fn progress_counts_the_bytes_written_to_the_scratch_directory() {
    let dir = tempfile::tempdir().expect("a scratch directory");
    let (options, last) = recording(scratch(Base::Decimal, dir.path(), false));
    assert_eq!(
        compute(100_000, &options),
        compute(100_000, &Options::new())
    );
    let io = last.lock().map(|p| *p).unwrap_or_default();
    assert!(io.bytes_written > 100_000 / 3 && io.seconds > 0.0, "{io:?}");
    assert_eq!(io.bytes_read, 0);
    let (options, last) = recording(Options::new());
    compute(100_000, &options).expect("digits");
    assert_eq!(last.lock().map(|p| *p).ok(), Some(ScratchIo::default()));
}

#[test]
fn with_a_scratch_directory_a_memory_limit_is_a_budget_kept_by_spilling() {
    let n = 1_000_000;
    for base in [Base::Decimal, Base::Hexadecimal] {
        let in_memory = pi_core::estimate_memory(n, &Options::new().base(base));
        let limit = in_memory - (1 << 20);
        // Without a scratch directory, the limit refuses the computation.
        let limited = Options::new().base(base).memory_limit(Some(limit));
        assert!(matches!(
            compute(n, &limited),
            Err(Error::OutOfMemory { .. })
        ));
        let dir = tempfile::tempdir().expect("a scratch directory");
        let budget = scratch(base, dir.path(), false).memory_limit(Some(limit));
        let estimate = pi_core::estimate_memory(n, &budget);
        assert!(
            estimate <= limit && estimate < in_memory,
            "{estimate} {limit}"
        );
        let (options, last) = recording(budget);
        assert_eq!(
            compute(n, &options),
            compute(n, &Options::new().base(base)),
            "{base:?}"
        );
        // Nothing was resumed: what was read had been spilled, and is gone.
        let io = last.lock().map(|p| *p).unwrap_or_default();
        assert!(io.bytes_read > 0, "{base:?}: {io:?}");
        assert!(files(dir.path()).is_empty(), "{:?}", files(dir.path()));
        // A limit below even the budget's estimate is still refused.
        let dir = tempfile::tempdir().expect("a scratch directory");
        let tight = scratch(base, dir.path(), false).memory_limit(Some(estimate / 2));
        assert!(matches!(compute(n, &tight), Err(Error::OutOfMemory { .. })));
    }
}

#[test]
fn checkpoints_of_another_computation_are_refused_when_resuming() {
    let dir = tempfile::tempdir().expect("a scratch directory");
    assert_eq!(
        stopped_in(
            (1_000_000, Base::Decimal, false),
            dir.path(),
            Stage::Conversion
        ),
        Err(Error::Cancelled)
    );
    for (n, base) in [(1_100_000, Base::Decimal), (1_000_000, Base::Hexadecimal)] {
        match compute(n, &scratch(base, dir.path(), true)) {
            Err(Error::Checkpoint(what)) => {
                assert!(what.contains("another computation"), "{what}")
            }
            other => panic!("{n} {base:?}: {other:?}"),
        }
    }
    assert!(!files(dir.path()).is_empty(), "refused, not removed");
    // Without resuming, a new computation clears them.
    let digits = compute(300_000, &scratch(Base::Decimal, dir.path(), false)).expect("digits");
    assert_eq!(digits, compute(300_000, &Options::new()).expect("digits"));
    assert_eq!(files(dir.path()), Vec::<String>::new());
}

#[test]
fn a_damaged_checkpoint_is_refused_when_resuming() {
    // Large enough that the conversion outlasts the cancellation's way
    // from the progress callback to the computation.
    let n = 1_000_000;
    // A bit flipped in a limb, and the last limbs cut off.
    let damages: [fn(&mut Vec<u8>); 2] = [
        |bytes| {
            let last = bytes.len() - 1;
            bytes[last] ^= 1;
        },
        |bytes| bytes.truncate(bytes.len() - 20),
    ];
    for damage in damages {
        let dir = tempfile::tempdir().expect("a scratch directory");
        assert_eq!(
            stopped_in((n, Base::Decimal, false), dir.path(), Stage::Conversion),
            Err(Error::Cancelled)
        );
        let name = files(dir.path())
            .into_iter()
            .find(|f| f.starts_with("pi-quotient-"))
            .expect("the quotient's checkpoint");
        let path = dir.path().join(&name);
        let mut bytes = fs::read(&path).expect("the checkpoint");
        damage(&mut bytes);
        fs::write(&path, bytes).expect("a damaged checkpoint");
        match compute(n, &scratch(Base::Decimal, dir.path(), true)) {
            Err(Error::Checkpoint(what)) => assert!(what.contains("damaged"), "{what}"),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn an_unusable_scratch_directory_is_an_error() {
    let dir = tempfile::tempdir().expect("a scratch directory");
    let file = dir.path().join("a-file");
    fs::write(&file, b"not a directory").expect("a file");
    match compute(1000, &scratch(Base::Decimal, &file.join("scratch"), false)) {
        Err(Error::Checkpoint(what)) => assert!(what.contains("cannot create"), "{what}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn resuming_without_checkpoints_starts_from_the_beginning() {
    let dir = tempfile::tempdir().expect("a scratch directory");
    let digits = compute(100_000, &scratch(Base::Decimal, dir.path(), true)).expect("digits");
    assert_eq!(digits, compute(100_000, &Options::new()).expect("digits"));
    assert_eq!(files(dir.path()), Vec::<String>::new());
}
