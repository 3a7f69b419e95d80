//! Gives libpi.so its SONAME, libpi.so.MAJOR (0 while the version is 0.x):
//! programs linked against it load that name, which `make install` links
//! to the versioned file.
fn main() {
    let major = env!("CARGO_PKG_VERSION_MAJOR");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libpi.so.{major}");
    }
}
