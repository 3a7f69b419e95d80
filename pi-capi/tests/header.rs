//! Fails when include/pi.h or include/api.h no longer matches what cbindgen
//! generates from this crate.

use std::path::{Path, PathBuf};

/// Compares `include/<header>` with what cbindgen generates from `config`;
/// with `PI_BLESS_HEADER` set, writes it instead.
fn check(config: &str, header: &str) {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(crate_dir.join(config)).expect("cbindgen config");
    let bindings = cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen could not generate the header");
    let mut generated = Vec::new();
    bindings.write(&mut generated);
    let path = Path::new(&crate_dir).join("../include").join(header);
    if std::env::var_os("PI_BLESS_HEADER").is_some() {
        std::fs::write(&path, &generated).expect("write the header");
        return;
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "include/{header} is stale: regenerate it with `PI_BLESS_HEADER=1 cargo test -p pi-capi --test header` and commit it"
    );
}

#[test]
fn pi_h_is_up_to_date() {
    check("cbindgen.toml", "pi.h");
}

#[test]
fn api_h_is_up_to_date() {
    check("cbindgen-api.toml", "api.h");
}
