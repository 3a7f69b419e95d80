//! The arithmetic under π: multiplication across its crossovers, squaring,
//! division, square root and decimal conversion, by operand size
//! in limbs.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use pi_benches::number;
use std::hint::black_box;
use std::time::Duration;

fn bench_arithmetic(c: &mut Criterion) {
    let mut group = c.benchmark_group("arithmetic");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300));
    for limbs in [
        8usize, 12, 16, 24, 32, 64, 96, 128, 192, 256, 384, 768, 1024, 1536, 4096, 16_384, 65_536,
        262_144,
    ] {
        let (a, b) = (number(limbs, 1), number(limbs, 2));
        group.bench_with_input(BenchmarkId::new("mul", limbs), &limbs, |bench, _| {
            bench.iter(|| black_box(&a) * black_box(&b))
        });
        group.bench_with_input(BenchmarkId::new("square", limbs), &limbs, |bench, _| {
            bench.iter(|| black_box(&a).square())
        });
        if limbs >= 64 {
            let wide = &a * &b;
            group.bench_with_input(BenchmarkId::new("div_rem", limbs), &limbs, |bench, _| {
                bench.iter(|| black_box(&wide).div_rem(black_box(&b)))
            });
            group.bench_with_input(BenchmarkId::new("sqrt", limbs), &limbs, |bench, _| {
                bench.iter(|| black_box(&wide).sqrt())
            });
            group.bench_with_input(BenchmarkId::new("to_decimal", limbs), &limbs, |bench, _| {
                bench.iter(|| black_box(&a).to_decimal_padded(0))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench_arithmetic);
criterion_main!(benches);
