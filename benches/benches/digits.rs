//! Time to produce N digits of π as text, decimal and hexadecimal, and 16
//! hexadecimal digits at a position by digit extraction.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use pi_core::{digits, Base};
use std::hint::black_box;
use std::time::Duration;

fn bench_digits(c: &mut Criterion) {
    let mut group = c.benchmark_group("digits");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500));
    for n in [1_000u64, 10_000, 100_000, 1_000_000, 10_000_000] {
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

fn bench_hex_digits_at(c: &mut Criterion) {
    let mut group = c.benchmark_group("hex_digits_at");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300));
    for position in [10_000u64, 100_000, 1_000_000, 10_000_000] {
        group.bench_with_input(BenchmarkId::from_parameter(position), &position, |b, &p| {
            b.iter(|| pi_core::hex_digits_at(black_box(p), 16))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_digits, bench_hex_digits_at);
criterion_main!(benches);
