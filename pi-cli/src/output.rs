//! `-o FILE`: the digits written as the shell's `>` would, but atomically
//! where the file is a regular one.

use std::fs::{self, File, OpenOptions, Permissions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// How many symbolic links are followed before giving up, as the kernel does.
const MAX_LINKS: usize = 40;

/// Writes `text` and a newline to `path`. A regular file (new, or reached
/// through symbolic links) is replaced atomically by a temporary file
/// renamed over it, keeping an existing file's permissions and giving a new
/// one `0666` less the umask; anything else (a device, a FIFO, a terminal,
/// `/dev/stdout`) is opened and written directly. Errors name `path`.
pub(crate) fn write_file(path: &Path, text: &str) -> io::Result<()> {
    let named = |e: io::Error| {
        io::Error::new(
            e.kind(),
            format!("cannot write the digits to {}: {e}", path.display()),
        )
    };
    let (target, direct) = resolved(path).map_err(named)?;
    if direct {
        return write_directly(&target, text).map_err(named);
    }
    match fs::metadata(&target) {
        Ok(meta) if !meta.is_file() => write_directly(&target, text),
        Ok(meta) => replace(&target, text, Some(meta.permissions())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => replace(&target, text, None),
        Err(e) => Err(e),
    }
    .map_err(named)
}

/// `path` with its symbolic links followed, and whether it must be written
/// directly: a link under `/dev` or `/proc` (`/dev/stdout`, `/dev/fd/1`)
/// stands for an open file, which must be written, not replaced.
fn resolved(path: &Path) -> io::Result<(PathBuf, bool)> {
    let mut path = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                if path.starts_with("/dev") || path.starts_with("/proc") {
                    return Ok((path, true));
                }
                let link = fs::read_link(&path)?;
                path = match path.parent() {
                    Some(dir) => dir.join(link),
                    None => link,
                };
            }
            _ => return Ok((path, false)),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

fn write_directly(path: &Path, text: &str) -> io::Result<()> {
    let mut file = OpenOptions::new().write(true).open(path)?;
    file.write_all(text.as_bytes())?;
    file.write_all(b"\n")?;
    file.flush()
}

/// Writes a temporary file beside `path`, then renames it over `path`.
fn replace(path: &Path, text: &str, permissions: Option<Permissions>) -> io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let (mut file, temporary) = temporary_file(dir)?;
    let written = (|| {
        file.write_all(text.as_bytes())?;
        file.write_all(b"\n")?;
        if let Some(permissions) = permissions {
            file.set_permissions(permissions)?;
        }
        file.sync_all()?;
        fs::rename(&temporary.0, path)
    })();
    if written.is_ok() {
        // The rename is durable once the directory is.
        if let Ok(dir) = File::open(dir) {
            let _ = dir.sync_all();
        }
    }
    written
}

/// A temporary file's path, removed when dropped (if not renamed).
struct Temporary(PathBuf);

impl Drop for Temporary {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

/// A new file `.pi-digits-*` in `dir`, created with mode 0666, which the
/// kernel masks with the umask, as the shell's `>` does.
fn temporary_file(dir: &Path) -> io::Result<(File, Temporary)> {
    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let mut attempt = 0u32;
    loop {
        let name = format!(".pi-digits-{}-{seed:08x}-{attempt}", std::process::id());
        let path = dir.join(name);
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(file) => return Ok((file, Temporary(path))),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
            Err(e) => return Err(e),
        }
    }
}
