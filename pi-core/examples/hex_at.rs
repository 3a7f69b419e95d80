//! Prints hexadecimal digits of π at a position, computed by digit extraction:
//! `cargo run --release -p pi-core --example hex_at -- POSITION [COUNT]`.
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let position: u64 = args.next().unwrap_or_else(|| "1".into()).parse()?;
    let count: usize = args.next().unwrap_or_else(|| "16".into()).parse()?;
    let start = std::time::Instant::now();
    let digits = pi_core::hex_digits_at(position, count)?;
    println!("{digits}");
    eprintln!("{:.3} s", start.elapsed().as_secs_f64());
    Ok(())
}
