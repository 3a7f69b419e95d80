//! `product-times K...`: the best time in seconds of the product of two
//! pseudo-random 2^K-limb numbers on one thread, from the second product on,
//! each into the same result (`Natural::assign_mul`, as `flint3-mul` gives
//! `flint_mpn_mul` the same result buffer each time), printed as
//! `flint3-mul` prints FLINT's (`../shared/peers/flint3-mul 1 K...`), so the
//! two can run side by side. With `--fresh`, each product is a new number
//! (`&a * &b`), whose memory is fresh pages.
use std::time::Instant;

use pi_benches::number;
use pi_core::Natural;

fn main() {
    let pool = rayon_pool();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let fresh = args.iter().any(|arg| arg == "--fresh");
    for arg in args.iter().filter(|arg| *arg != "--fresh") {
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
        let mut product = Natural::default();
        let mut multiply = || {
            if fresh {
                std::hint::black_box(&a * &b);
            } else {
                product.assign_mul(&a, &b);
                std::hint::black_box(&product);
            }
        };
        let best = pool.install(|| {
            multiply(); // the first product fills the caches
            (0..runs)
                .map(|_| {
                    let start = Instant::now();
                    multiply();
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
