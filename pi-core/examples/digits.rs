//! Prints "3." and N decimal digits of π: `cargo run --release -p pi-core --example digits -- N`.
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: u64 = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "1000".into())
        .parse()?;
    println!("{}", pi_core::digits(n, pi_core::Base::Decimal)?);
    Ok(())
}
