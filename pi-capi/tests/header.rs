//! Fails when include/pi.h no longer matches what cbindgen generates from this crate.

use std::path::PathBuf;

#[test]
fn header_is_up_to_date() {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let config =
        cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).expect("cbindgen.toml");
    let bindings = cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen could not generate the header");
    let mut generated = Vec::new();
    bindings.write(&mut generated);
    let path = crate_dir.join("../include/pi.h");
    if std::env::var_os("PI_BLESS_HEADER").is_some() {
        std::fs::write(&path, &generated).expect("write include/pi.h");
        return;
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "include/pi.h is stale: regenerate it with `PI_BLESS_HEADER=1 cargo test -p pi-capi --test header` and commit it"
    );
}
