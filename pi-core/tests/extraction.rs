//! Digit extraction split into sums of term ranges and combined: any
//! partition of the terms, summed in any order, gives the digits of the
//! local extraction, bit for bit.

use pi_core::{hex_digits_at, Error, HexExtraction, HexTermSum, Options, MAX_HEX_POSITION};
use proptest::prelude::*;

/// `terms` cut at `cuts` (taken modulo its length), in order.
fn partition(terms: std::ops::Range<u64>, cuts: &[u64]) -> Vec<std::ops::Range<u64>> {
    let len = terms.end - terms.start;
    let mut points: Vec<u64> = cuts.iter().map(|c| terms.start + c % (len + 1)).collect();
    points.extend([terms.start, terms.end]);
    points.sort_unstable();
    points.windows(2).map(|w| w[0]..w[1]).collect()
}

/// The sums of the parts of `terms` cut at `cuts`, the last part first.
fn sums(extraction: &HexExtraction, terms: std::ops::Range<u64>, cuts: &[u64]) -> Vec<HexTermSum> {
    let mut sums: Vec<HexTermSum> = partition(terms, cuts)
        .into_iter()
        .map(|range| extraction.sum(range).expect("sum"))
        .collect();
    sums.reverse();
    sums
}

/// Positions of the first 10^5 hexadecimal digits, some where they have
/// runs of `f` (from 20175) or `0` (from 79939).
fn position() -> impl Strategy<Value = u64> {
    prop_oneof![1u64..100_000, (20_160u64..20_180), (79_925u64..79_945),]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn any_partition_gives_the_local_digits(
        position in position(),
        count in 0usize..40,
        cuts in prop::collection::vec(any::<u64>(), 0..6),
    ) {
        let expected = hex_digits_at(position, count).expect("local digits");
        let mut extraction = HexExtraction::new(position, count).expect("extraction");
        let digits = loop {
            let sums = sums(&extraction, 0..extraction.terms(), &cuts);
            match extraction.combine(&sums).expect("combine") {
                Some(digits) => break digits,
                None => extraction = extraction.refined(),
            }
        };
        prop_assert_eq!(digits, expected);
    }

    /// Near the top of the range the whole sum takes days: the parts of a
    /// range, joined, give the range's sum, at its start and at its end
    /// (where the exponents turn negative).
    #[test]
    fn joined_parts_give_the_sum_of_their_range(
        position in MAX_HEX_POSITION - 1_000_000..=MAX_HEX_POSITION,
        count in 1usize..20,
        at_end in any::<bool>(),
        cuts in prop::collection::vec(any::<u64>(), 1..6),
    ) {
        let extraction = HexExtraction::new(position, count).expect("extraction");
        let terms = extraction.terms();
        prop_assert!(4 * (position - 1) / 10 > terms - 1500);
        let start = if at_end { terms - 1500 } else { 0 };
        let range = start..start + 1500;
        let whole = extraction.sum(range.clone()).expect("sum");
        let parts = partition(range, &cuts);
        let joined = parts[1..].iter().try_fold(
            extraction.sum(parts[0].clone()).expect("sum"),
            |acc, part| acc.join(&extraction.sum(part.clone()).expect("sum")),
        );
        prop_assert_eq!(joined, Ok(whole));
    }
}

#[test]
fn sums_travel_as_their_range_and_limbs() {
    let extraction = HexExtraction::new(123_456, 16).expect("extraction");
    let terms = extraction.terms();
    let options = Options::new().threads(2);
    let sums: Vec<HexTermSum> = [0..terms / 2, terms / 2..terms]
        .into_iter()
        .map(|range| {
            let sum = extraction.sum_with(range.clone(), &options).expect("sum");
            assert_eq!(sum, extraction.sum(range.clone()).expect("sum"));
            assert_eq!(sum.error_bound(), 7 * (range.end - range.start));
            // What a process that was sent (position, count, precision) rebuilds.
            let rebuilt = HexExtraction::with_precision(123_456, 16, extraction.precision());
            rebuilt
                .and_then(|e| e.term_sum(sum.terms(), sum.value().to_vec()))
                .expect("rebuilt")
        })
        .collect();
    assert_eq!(
        extraction.combine(&sums).expect("combine"),
        Some(hex_digits_at(123_456, 16).expect("local"))
    );
}

#[test]
fn a_sum_at_the_edge_of_a_digit_needs_more_precision() {
    let extraction = HexExtraction::new(1, 1).expect("extraction");
    let terms = extraction.terms();
    // Exactly 1/16: within the error bound of the digits 0 and 1.
    let mut edge = vec![0; extraction.precision()];
    edge[extraction.precision() - 1] = 1 << 60;
    let sum = extraction.term_sum(0..terms, edge).expect("term sum");
    assert_eq!(extraction.combine(&[sum]), Ok(None));
    let refined = extraction.refined();
    assert_eq!(refined.precision(), extraction.precision() + 2);
    assert!(refined.terms() > terms);
    let sum = refined.sum(0..refined.terms()).expect("sum");
    assert_eq!(refined.combine(&[sum]), Ok(Some("2".to_string())));
}

#[test]
fn sums_that_do_not_fit_are_refused() {
    let extraction = HexExtraction::new(1_000, 8).expect("extraction");
    let terms = extraction.terms();
    let sum = |range: std::ops::Range<u64>| extraction.sum(range).expect("sum");
    let invalid =
        |outcome: Result<Option<String>, Error>| matches!(outcome, Err(Error::InvalidTerms(_)));
    assert!(invalid(
        extraction.combine(&[sum(0..10), sum(10..terms - 1)])
    ));
    assert!(invalid(extraction.combine(&[sum(0..11), sum(10..terms)])));
    assert!(invalid(extraction.combine(&[sum(0..10), sum(12..terms)])));
    assert!(invalid(extraction.combine(&[])));
    let other = HexExtraction::new(1_001, 8).expect("extraction");
    let foreign = other.sum(0..other.terms()).expect("sum");
    assert!(invalid(extraction.combine(std::slice::from_ref(&foreign))));
    assert!(invalid(extraction.refined().combine(&[sum(0..terms)])));
    assert!(sum(0..10).join(&sum(11..20)).is_err());
    assert!(sum(0..10).join(&foreign).is_err());
    assert!(matches!(
        extraction.sum(0..terms + 1),
        Err(Error::InvalidTerms(_))
    ));
    #[allow(clippy::reversed_empty_ranges)]
    let backwards = 5..4;
    assert!(matches!(
        extraction.sum(backwards),
        Err(Error::InvalidTerms(_))
    ));
    assert!(matches!(
        extraction.term_sum(0..terms, vec![0; extraction.precision() + 1]),
        Err(Error::InvalidTerms(_))
    ));
    for precision in [extraction.precision() - 1, pi_core::MAX_HEX_PRECISION + 1] {
        assert!(matches!(
            HexExtraction::with_precision(1_000, 8, precision),
            Err(Error::InvalidTerms(_))
        ));
    }
    assert!(matches!(
        HexExtraction::new(0, 8),
        Err(Error::InvalidPosition { .. })
    ));
}
