//! Products of two pseudo-random 2^K-limb numbers on one thread, from
//! 2^14 to 2^24 limbs, the caches warm (from the second call on), beside
//! FLINT's `flint_mpn_mul` where the measurement-only build
//! `../shared/peers/flint3-mul` is beside the repository: its best time for
//! the same size is printed before each of ours. `mul` makes a new number
//! each time (its memory fresh pages), `assign_mul` multiplies into the same
//! one, as `flint3-mul` gives FLINT the same result buffer.

use std::hint::black_box;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use pi_benches::number;
use pi_core::Natural;

/// FLINT's line for 2^k limbs, if its measurement build is there.
fn flint(k: u32) -> Option<String> {
    let peer = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/peers/flint3-mul");
    let output = Command::new(peer)
        .args(["1", &k.to_string()])
        .output()
        .ok()?;
    Some(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

fn bench_products(c: &mut Criterion) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a thread pool of one thread");
    let mut group = c.benchmark_group("product_one_thread");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500));
    for k in (14..=24).step_by(2) {
        if let Some(line) = flint(k) {
            println!("beside it: {line} s (flint3-mul 1 {k})");
        }
        let (a, b) = (number(1 << k, 1), number(1 << k, 2));
        group.bench_with_input(BenchmarkId::new("mul", 1u64 << k), &k, |bench, _| {
            pool.install(|| bench.iter(|| black_box(&a) * black_box(&b)))
        });
        let mut product = Natural::default();
        group.bench_with_input(BenchmarkId::new("assign_mul", 1u64 << k), &k, |bench, _| {
            pool.install(|| bench.iter(|| product.assign_mul(black_box(&a), black_box(&b))))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_products);
criterion_main!(benches);
