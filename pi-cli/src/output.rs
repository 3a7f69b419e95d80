//! `-o FILE`: the digits written as the shell's `>` would, but atomically
//! where the file is a regular one, and straight from the computation.

use std::fs::{self, File, OpenOptions, Permissions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// How many symbolic links are followed before giving up, as the kernel does.
const MAX_LINKS: usize = 40;

/// Where `-o FILE` puts the digits, chosen before they are computed (so
/// that a file that cannot be written is reported at once, not after the
/// computation).
pub(crate) enum Destination {
    /// A regular file (new, or reached through symbolic links), replaced
    /// atomically by a temporary file beside it, which pi-core writes in
    /// pieces and which is renamed over it, keeping an existing file's
    /// permissions and giving a new one `0666` less the umask.
    Replace {
        file: File,
        temporary: Temporary,
        target: PathBuf,
        permissions: Option<Permissions>,
    },
    /// Anything else (a device, a FIFO, a terminal, `/dev/stdout`), opened
    /// and written directly once the text is computed.
    Direct(PathBuf),
}

impl Destination {
    /// Where `-o path` writes. Errors name `path`.
    pub(crate) fn new(path: &Path) -> io::Result<Destination> {
        let (target, direct) = resolved(path).map_err(|e| named(path, e))?;
        if direct {
            return Ok(Destination::Direct(target));
        }
        let permissions = match fs::metadata(&target) {
            Ok(meta) if !meta.is_file() => return Ok(Destination::Direct(target)),
            Ok(meta) => Some(meta.permissions()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(named(path, e)),
        };
        let (file, temporary) = temporary_file(directory(&target)).map_err(|e| named(path, e))?;
        Ok(Destination::Replace {
            file,
            temporary,
            target,
            permissions,
        })
    }

    /// The file for `pi_core::compute_to_file`, where the digits are not
    /// to be written directly.
    pub(crate) fn file(&self) -> Option<&File> {
        match self {
            Destination::Replace { file, .. } => Some(file),
            Destination::Direct(_) => None,
        }
    }

    /// Finishes the output: `text` and a newline written directly, or the
    /// temporary file (already written) synced and renamed over the
    /// target. Errors name `path`, the path given.
    pub(crate) fn finish(self, path: &Path, text: Option<&str>) -> io::Result<()> {
        match self {
            Destination::Direct(target) => write_directly(&target, text.unwrap_or_default()),
            Destination::Replace {
                file,
                temporary,
                target,
                permissions,
            } => replace(&file, &temporary, &target, permissions),
        }
        .map_err(|e| named(path, e))
    }
}

/// `e` saying that the digits could not be written to `path`.
fn named(path: &Path, e: io::Error) -> io::Error {
    io::Error::new(
        e.kind(),
        format!("cannot write the digits to {}: {e}", path.display()),
    )
}

/// The directory of `path`.
fn directory(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
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

/// Syncs `file`, written, and renames it (`temporary`) over `path`.
fn replace(
    file: &File,
    temporary: &Temporary,
    path: &Path,
    permissions: Option<Permissions>,
) -> io::Result<()> {
    if let Some(permissions) = permissions {
        file.set_permissions(permissions)?;
    }
    file.sync_all()?;
    fs::rename(&temporary.0, path)?;
    // The rename is durable once the directory is.
    if let Ok(dir) = File::open(directory(path)) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// A temporary file's path, removed when dropped (if not renamed).
pub(crate) struct Temporary(PathBuf);

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
        match OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(file) => return Ok((file, Temporary(path))),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
            Err(e) => return Err(e),
        }
    }
}
