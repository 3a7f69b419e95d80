//! Digits against the checkpoints the repository carries in `tests/data/pi-checkpoints.tsv`
//! (sha256 of "3." + N digits, last digits, hex digits at positions).

use pi_core::{digits, Base, Options};
use sha2::{Digest, Sha256};
use std::path::PathBuf;

/// Checkpoints whose N is at most this are checked here (release build).
const LIMIT: u64 = 1_000_000;

struct Checkpoint {
    kind: String,
    n: u64,
    sha256: String,
    tail: String,
}

fn checkpoints() -> Vec<Checkpoint> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/data/pi-checkpoints.tsv");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("kind\t"))
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Some(Checkpoint {
                kind: f.first()?.to_string(),
                n: f.get(1)?.parse().ok()?,
                sha256: f.get(2)?.to_string(),
                tail: f.get(3).unwrap_or(&"").to_string(),
            })
        })
        .collect()
}

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Checks every checkpoint of `kind` up to LIMIT, both by computing exactly N
/// digits and as a prefix of one longest computation.
fn check_kind(kind: &str, base: Base) {
    let points: Vec<Checkpoint> = checkpoints()
        .into_iter()
        .filter(|c| c.kind == kind && c.n <= LIMIT)
        .collect();
    assert!(points.len() >= 5, "too few {kind} checkpoints found");
    let longest = digits(LIMIT, base).expect("digits");
    for c in &points {
        let exact = digits(c.n, base).expect("digits");
        assert_eq!(exact.len() as u64, c.n + 2);
        assert_eq!(exact, longest[..exact.len()], "{kind} {}: prefix", c.n);
        assert_eq!(sha256_hex(&exact), c.sha256, "{kind} {}: sha256", c.n);
        assert!(exact.ends_with(&c.tail), "{kind} {}: last digits", c.n);
    }
}

#[test]
fn decimal_checkpoints() {
    check_kind("decimal", Base::Decimal);
}

#[test]
fn hex_checkpoints() {
    check_kind("hex", Base::Hexadecimal);
}

#[test]
fn hex_digits_at_positions() {
    let points: Vec<Checkpoint> = checkpoints()
        .into_iter()
        .filter(|c| c.kind == "hex_at" && c.n + 15 <= LIMIT + 16)
        .collect();
    assert!(points.len() >= 5, "too few hex_at checkpoints found");
    let hex = digits(LIMIT + 16, Base::Hexadecimal).expect("digits");
    for c in &points {
        let start = 1 + c.n as usize; // "3." then position 1
        assert_eq!(&hex[start..start + c.tail.len()], c.tail, "hex_at {}", c.n);
    }
}

/// Checkpoints of `kind` with `low < n <= high`.
fn checkpoints_between(kind: &str, low: u64, high: u64) -> Vec<Checkpoint> {
    checkpoints()
        .into_iter()
        .filter(|c| c.kind == kind && low < c.n && c.n <= high)
        .collect()
}

#[test]
fn digit_extraction_matches_the_checkpoints() {
    let points = checkpoints_between("hex_at", 0, 10_000_000);
    assert!(points.len() >= 6, "too few hex_at checkpoints found");
    for c in &points {
        let extracted = pi_core::hex_digits_at(c.n, c.tail.len()).expect("hex digits");
        assert_eq!(extracted, c.tail, "hex_at {}", c.n);
    }
}

#[test]
fn digit_extraction_agrees_with_the_full_expansion() {
    let hex = digits(6000, Base::Hexadecimal).expect("digits");
    let mut position = 1u64;
    while position < 5000 {
        for count in [0, 1, 7, 16, 17, 100, 999] {
            let start = 1 + position as usize;
            let expected = &hex[start..start + count];
            let extracted = pi_core::hex_digits_at(position, count).expect("hex digits");
            assert_eq!(extracted, expected, "position {position}, count {count}");
        }
        position = position * 3 + 1;
    }
    assert_eq!(
        pi_core::hex_digits_at(1, 4096).as_deref(),
        Ok(&hex[2..4098])
    );
}

#[test]
fn digit_extraction_refuses_bad_arguments() {
    for position in [0, pi_core::MAX_HEX_POSITION + 1, u64::MAX] {
        assert!(matches!(
            pi_core::hex_digits_at(position, 4),
            Err(pi_core::Error::InvalidPosition { .. })
        ));
    }
    assert!(matches!(
        pi_core::hex_digits_at(1, pi_core::MAX_HEX_COUNT + 1),
        Err(pi_core::Error::TooManyDigits { .. })
    ));
}

#[test]
fn ten_million_decimal_digits() {
    let points = checkpoints_between("decimal", LIMIT, 10_000_000);
    assert!(!points.is_empty(), "no decimal checkpoint above 10^6");
    for c in &points {
        let text = digits(c.n, Base::Decimal).expect("digits");
        assert_eq!(sha256_hex(&text), c.sha256, "decimal {}: sha256", c.n);
        assert!(text.ends_with(&c.tail), "decimal {}: last digits", c.n);
    }
}

#[test]
fn every_length_is_a_prefix_of_the_longer() {
    // Truncation, never rounding: each length is a prefix of the next.
    for base in [Base::Decimal, Base::Hexadecimal] {
        let long = digits(2000, base).expect("digits");
        for n in (0..2000u64).step_by(7) {
            assert_eq!(digits(n, base).expect("digits"), long[..n as usize + 2]);
        }
    }
}

#[test]
fn every_thread_count_gives_the_same_digits() {
    // Large enough to take every parallel path (binary splitting, transforms,
    // recombination, radix conversion).
    for base in [Base::Decimal, Base::Hexadecimal] {
        let reference = pi_core::compute(300_000, &Options::new().base(base).threads(1));
        for threads in [2, 3, 0] {
            let options = Options::new().base(base).threads(threads);
            assert_eq!(
                pi_core::compute(300_000, &options),
                reference,
                "{threads} threads"
            );
        }
    }
}

#[test]
fn refuses_too_many_threads() {
    let options = Options::new().threads(pi_core::MAX_THREADS + 1);
    assert!(matches!(
        pi_core::compute(10, &options),
        Err(pi_core::Error::TooManyThreads { .. })
    ));
}

#[test]
fn refuses_too_many_digits() {
    assert!(digits(u64::MAX, Base::Decimal).is_err());
    assert!(digits(pi_core::MAX_DIGITS + 1, Base::Hexadecimal).is_err());
    assert_eq!(Base::try_from(2), Err(pi_core::Error::InvalidBase(2)));
    assert_eq!(Base::try_from(16), Ok(Base::Hexadecimal));
}

/// Opt-in (minutes): `cargo test --release -p pi-core --test checkpoints -- --ignored`.
#[test]
#[ignore = "slow: 10^8 digits and extraction at 10^9"]
fn slow_checkpoints() {
    for c in checkpoints_between("decimal", 10_000_000, 100_000_000) {
        let text = digits(c.n, Base::Decimal).expect("digits");
        assert_eq!(sha256_hex(&text), c.sha256, "decimal {}: sha256", c.n);
    }
    for c in checkpoints_between("hex_at", 10_000_000, 1_000_000_000) {
        let extracted = pi_core::hex_digits_at(c.n, c.tail.len()).expect("hex digits");
        assert_eq!(extracted, c.tail, "hex_at {}", c.n);
    }
}
