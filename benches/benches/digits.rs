//! Time to produce N digits of π as text, decimal and hexadecimal.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use pi_core::{digits, Base};
use std::hint::black_box;
use std::time::Duration;

fn bench_digits(c: &mut Criterion) {
    let mut group = c.benchmark_group("digits");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500));
    for n in [1_000u64, 10_000, 100_000, 1_000_000] {
        for base in [Base::Decimal, Base::Hexadecimal] {
            let name = if base == Base::Decimal {
                "decimal"
            } else {
                "hex"
            };
            group.bench_with_input(BenchmarkId::new(name, n), &n, |b, &n| {
                b.iter(|| digits(black_box(n), base))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench_digits);
criterion_main!(benches);
