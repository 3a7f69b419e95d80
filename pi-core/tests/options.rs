//! Progress reports, cancellation and the memory limit of a computation.

use std::ops::ControlFlow;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pi_core::{
    compute, estimate_memory, Base, CancelToken, Error, MemoryBound, Options, Progress, Stage,
};

#[test]
fn progress_runs_through_the_stages_in_order() {
    let seen: Arc<Mutex<Vec<Progress>>> = Arc::default();
    let log = Arc::clone(&seen);
    let options = Options::new().progress(move |p| {
        log.lock().map(|mut l| l.push(p)).ok();
        ControlFlow::Continue(())
    });
    let text = compute(1_000_000, &options).expect("digits");
    assert_eq!(text, compute(1_000_000, &Options::new()).expect("digits"));
    let seen = seen.lock().expect("log").clone();
    let stages: Vec<Stage> = seen.iter().map(|p| p.stage).fold(Vec::new(), |mut v, s| {
        if v.last() != Some(&s) {
            v.push(s);
        }
        v
    });
    assert_eq!(
        stages,
        [
            Stage::Series,
            Stage::SquareRoot,
            Stage::Division,
            Stage::Conversion
        ]
    );
    assert!(seen.windows(2).all(|w| w[0].fraction <= w[1].fraction));
    assert!(seen.iter().all(|p| (0.0..=1.0).contains(&p.fraction)));
    assert_eq!(seen.last().map(|p| p.fraction), Some(1.0), "ends at 1");
    assert_eq!(seen.iter().filter(|p| p.fraction == 1.0).count(), 1);
}

/// The progress reports of a computation, and its outcome.
fn recorded<T>(run: impl FnOnce(Options) -> T, options: Options) -> (T, Vec<Progress>) {
    let seen: Arc<Mutex<Vec<Progress>>> = Arc::default();
    let log = Arc::clone(&seen);
    let options = options.progress(move |p| {
        log.lock().map(|mut l| l.push(p)).ok();
        ControlFlow::Continue(())
    });
    let outcome = run(options);
    let seen = seen.lock().expect("log").clone();
    (outcome, seen)
}

#[test]
fn every_computation_reports_1_once_its_result_is_ready() {
    for base in [Base::Decimal, Base::Hexadecimal] {
        for n in [0, 10, 100_000] {
            let options = Options::new().base(base).verify(true);
            let (text, seen) = recorded(|o| compute(n, &o), options);
            assert!(text.is_ok());
            assert_eq!(seen.last().map(|p| p.fraction), Some(1.0), "{n} {base:?}");
        }
    }
    let (digits, seen) = recorded(
        |o| pi_core::hex_digits_at_with(1_000_000, 8, &o),
        Options::new(),
    );
    assert_eq!(digits.as_deref(), Ok("26c65e52"));
    assert!(seen.iter().all(|p| p.stage == Stage::Extraction));
    assert_eq!(seen.last().map(|p| p.fraction), Some(1.0));
}

#[test]
fn digit_extraction_can_be_cancelled() {
    let token = CancelToken::new();
    let canceller = {
        let token = token.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(200));
            token.cancel();
            Instant::now()
        })
    };
    // Position 10^13 takes hours.
    let options = Options::new().cancel_token(token);
    let outcome = pi_core::hex_digits_at_with(10_000_000_000_000, 8, &options);
    let cancelled_at = canceller.join().expect("canceller");
    assert_eq!(outcome, Err(Error::Cancelled));
    assert!(cancelled_at.elapsed() < Duration::from_millis(500));
    // From the progress callback, which then hears no more.
    let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = Arc::clone(&calls);
    let options = Options::new().progress(move |_| {
        counted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        ControlFlow::Break(())
    });
    let outcome = pi_core::hex_digits_at_with(10_000_000_000_000, 8, &options);
    assert_eq!(outcome, Err(Error::Cancelled));
    assert_eq!(calls.load(std::sync::atomic::Ordering::Relaxed), 1);
    let options = Options::new().threads(100_000);
    assert!(matches!(
        pi_core::hex_digits_at_with(1, 8, &options),
        Err(Error::TooManyThreads { .. })
    ));
}

#[test]
fn a_callback_cancels() {
    let options = Options::new().progress(|_| ControlFlow::Break(()));
    let start = Instant::now();
    assert_eq!(compute(20_000_000, &options), Err(Error::Cancelled));
    eprintln!("cancelled by the callback after {:?}", start.elapsed());
    // The library is still usable afterwards.
    assert_eq!(compute(5, &Options::new()).as_deref(), Ok("3.14159"));
}

#[test]
fn a_token_cancels_from_another_thread() {
    let token = CancelToken::new();
    let options = Options::new().cancel_token(token.clone());
    let canceller = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        let at = Instant::now();
        token.cancel();
        at
    });
    let outcome = compute(20_000_000, &options);
    let cancelled_at = canceller.join().expect("canceller");
    assert_eq!(outcome, Err(Error::Cancelled));
    eprintln!("stopped {:?} after cancel()", cancelled_at.elapsed());
}

#[test]
fn the_memory_limit_refuses_before_computing() {
    let estimate = estimate_memory(100_000_000, &Options::new());
    let options = Options::new().memory_limit(Some(estimate - 1));
    assert_eq!(
        compute(100_000_000, &options),
        Err(Error::OutOfMemory {
            estimate,
            bound: MemoryBound::Limit(estimate - 1)
        })
    );
    let message = compute(100_000_000, &options).err().map(|e| e.to_string());
    assert!(message.is_some_and(|m| m.contains("GiB")));
    let options = Options::new().memory_limit(Some(estimate_memory(1000, &Options::new())));
    assert_eq!(compute(1000, &options).map(|t| t.len()), Ok(1002));
}

#[test]
fn estimates_grow_with_the_digits() {
    let options = Options::new();
    let sizes = [0, 1_000, 1_000_000, 1_000_000_000, u64::MAX];
    let estimates: Vec<u64> = sizes
        .iter()
        .map(|&n| estimate_memory(n, &options))
        .collect();
    assert!(estimates.windows(2).all(|w| w[0] <= w[1]));
    assert!(estimates[3] > 1_000_000_000);
}

#[test]
fn verification_passes_on_right_results() {
    for base in [Base::Decimal, Base::Hexadecimal] {
        for n in [0, 1, 10, 100, 1000, 54_321, 300_000] {
            let plain = compute(n, &Options::new().base(base));
            let verified = compute(n, &Options::new().base(base).verify(true));
            assert_eq!(verified, plain, "{base:?} {n}");
        }
    }
}

#[test]
fn verification_is_a_stage() {
    let stages: Arc<Mutex<Vec<Stage>>> = Arc::default();
    let log = Arc::clone(&stages);
    let options = Options::new().verify(true).progress(move |p| {
        log.lock().map(|mut l| l.push(p.stage)).ok();
        ControlFlow::Continue(())
    });
    compute(100_000, &options).expect("digits");
    let stages = stages.lock().expect("log");
    assert_eq!(stages.last(), Some(&Stage::Verification));
}
