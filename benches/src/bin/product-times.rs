//! `product-times K...`: the best time in seconds of `&a * &b` for two
//! pseudo-random 2^K-limb numbers on one thread, from the second product on,
//! printed as `flint3-mul` prints FLINT's (`../shared/peers/flint3-mul 1 K...`),
//! so the two can run side by side.
use std::time::Instant;

use pi_benches::number;

fn main() {
    let pool = rayon_pool();
    for arg in std::env::args().skip(1) {
        let Ok(k @ 0..=30) = arg.parse::<u32>() else {
            eprintln!("product-times: K must be from 0 to 30, got {arg}");
            std::process::exit(2);
        };
        let (a, b) = (number(1 << k, 1), number(1 << k, 2));
        // As flint3-mul: 20 runs up to 2^16 limbs, 5 up to 2^20, 3 above.
        let runs = match k {
            0..=16 => 20,
            17..=20 => 5,
            _ => 3,
        };
        let best = pool.install(|| {
            std::hint::black_box(&a * &b); // the first product fills the caches
            (0..runs)
                .map(|_| {
                    let start = Instant::now();
                    std::hint::black_box(&a * &b);
                    start.elapsed().as_secs_f64()
                })
                .fold(f64::INFINITY, f64::min)
        });
        println!("ours 2^{k} limbs {best:.6}");
    }
}

/// One thread, as `flint3-mul 1`.
fn rayon_pool() -> rayon::ThreadPool {
    match rayon::ThreadPoolBuilder::new().num_threads(1).build() {
        Ok(pool) => pool,
        Err(e) => {
            eprintln!("product-times: {e}");
            std::process::exit(1);
        }
    }
}
