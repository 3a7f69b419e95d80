//! Checkpoints of a computation of digits in a scratch directory: the
//! numbers it has computed at natural points (the larger merges of the
//! series, the square root, the quotient), each in a file of its own whose
//! header names the computation and whose numbers carry checksums, so that
//! an interrupted run resumes from what it had saved.

use std::borrow::Cow;
use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::panic;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::memory::Bytes;
use crate::monitor::ScratchCounters;
use crate::natural::{fallible, Natural, Parked, Spill};
use crate::verify::residue;
use crate::{Base, Error};

/// The first bytes of every checkpoint file.
const MAGIC: &[u8; 8] = b"pi-ckpt\n";
/// The layout of the files; a change of layout or of the library's
/// version makes older checkpoints another computation's.
const FORMAT: u32 = 1;
/// Names of checkpoint files start so, and end in [`SUFFIX`]: a new run
/// clears those alone from the directory.
const PREFIX: &str = "pi-";
const SUFFIX: &str = ".ckpt";
/// Checkpoints are read and written in blocks of this many bytes.
const BUFFER: usize = 1 << 20;
/// The file whose lock a computation holds while it uses the directory.
const LOCK: &str = "pi.lock";
/// Spill files end so (removed as soon as they are open where the system
/// allows, else with the checkpoints).
const SPILL_SUFFIX: &str = ".spill";

/// A number a checkpoint keeps: in memory, or set aside (see [`Parked`]),
/// read back as it is written.
pub(crate) trait Number {
    /// The number, in memory.
    fn loaded(&self) -> Cow<'_, Natural>;
}

impl Number for Natural {
    fn loaded(&self) -> Cow<'_, Natural> {
        Cow::Borrowed(self)
    }
}

impl Number for Parked<'_> {
    fn loaded(&self) -> Cow<'_, Natural> {
        self.load()
    }
}

/// The computation checkpoints belong to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Key {
    /// Digits after the point.
    pub(crate) n: u64,
    /// Their base.
    pub(crate) base: Base,
}

/// The checkpoints of one computation, in its scratch directory.
pub(crate) struct Checkpoints {
    dir: PathBuf,
    key: Key,
    /// The thread that makes written checkpoints durable, one after the
    /// other (see [`Checkpoints::save`]), and its queue.
    syncing: Mutex<Option<Syncer>>,
    /// The bytes read and written, and the time it took.
    io: Arc<ScratchCounters>,
    /// Products of at least this many limbs spill their residues here
    /// (see [`Spill`]), if any do.
    spill_min: Option<usize>,
    /// Locked for as long as the checkpoints are in use: another
    /// computation in the same directory is refused.
    _lock: File,
}

/// A written checkpoint to make durable and name, and those it replaces.
struct Job {
    partial: PathBuf,
    path: PathBuf,
    replaced: Vec<PathBuf>,
    io: Arc<ScratchCounters>,
}

struct Syncer {
    jobs: Sender<Job>,
    thread: JoinHandle<Result<(), Error>>,
}

impl Job {
    fn run(self) -> Result<(), Error> {
        let start = Instant::now();
        let synced = File::open(&self.partial)
            .and_then(|file| file.sync_all())
            .and_then(|()| fs::rename(&self.partial, &self.path))
            .map_err(|e| {
                Error::Checkpoint(format!("cannot write {}: {e}", self.partial.display()))
            });
        if synced.is_ok() {
            for path in self.replaced {
                let _ = fs::remove_file(path);
            }
        }
        self.io.spent(start.elapsed());
        synced
    }
}

/// The payload with which a computation unwinds when a checkpoint cannot
/// be written or read (see `computation.rs`).
#[derive(Debug)]
pub(crate) struct Failed(pub(crate) Error);

impl Checkpoints {
    /// The checkpoints of the computation `key` in `dir` (created if
    /// missing): those found there when `resume`, else none (a new run
    /// removes any it finds). Refuses, before anything is computed, a
    /// directory it cannot use, one whose file system has less free than
    /// `need` bytes beside the checkpoints resumed, and, when resuming,
    /// checkpoints of another computation (a damaged one is refused when
    /// it is loaded), and a directory that another computation is using.
    /// Products of at least `spill_min` limbs, if given, spill their
    /// residues to the directory.
    pub(crate) fn open(
        dir: &Path,
        key: Key,
        resume: bool,
        (need, spill_min): (u64, Option<usize>),
    ) -> Result<Checkpoints, Error> {
        fs::create_dir_all(dir).map_err(|e| error("cannot create", dir, &e))?;
        let lock_path = dir.join(LOCK);
        let lock = File::create(&lock_path).map_err(|e| error("cannot create", &lock_path, &e))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                return Err(Error::Checkpoint(format!(
                    "{} is in use by another computation of pi",
                    dir.display()
                )))
            }
            Err(fs::TryLockError::Error(e)) => return Err(error("cannot lock", &lock_path, &e)),
        }
        let checkpoints = Checkpoints {
            dir: dir.to_path_buf(),
            key,
            syncing: Mutex::default(),
            io: Arc::default(),
            spill_min,
            _lock: lock,
        };
        let mut kept = 0;
        for path in checkpoints.files()? {
            if resume && path.extension().is_some_and(|e| e == "ckpt") {
                // Their numbers' checksums are checked as they are loaded.
                kept += checkpoints.opened(&path)?.1;
            } else {
                fs::remove_file(&path).map_err(|e| error("cannot remove", &path, &e))?;
            }
        }
        let need = need.saturating_sub(kept);
        match free_space(dir) {
            Some(free) if free < need => Err(Error::Checkpoint(format!(
                "the checkpoints need up to {} in {}, which has {} free",
                Bytes(need),
                dir.display(),
                Bytes(free)
            ))),
            _ => Ok(checkpoints),
        }
    }

    /// The running totals of the bytes read and written, and of the time
    /// it took.
    pub(crate) fn io(&self) -> Arc<ScratchCounters> {
        Arc::clone(&self.io)
    }

    /// The numbers saved as `name`, if they were; unwinds with [`Failed`]
    /// if they cannot be read.
    pub(crate) fn load(&self, name: &str) -> Option<Vec<Natural>> {
        let path = self.path(name);
        if !path.exists() {
            return None;
        }
        Some(self.read(&path).unwrap_or_else(|e| fail(e)))
    }

    /// The numbers saved as `name`, read back once the disk has them;
    /// unwinds with [`Failed`] if they could not be saved or read.
    pub(crate) fn reload(&self, name: &str) -> Option<Vec<Natural>> {
        // A checkpoint gets its name once the disk has it.
        if !self.path(name).exists() {
            if let Err(e) = self.synced() {
                fail(e);
            }
        }
        self.load(name)
    }

    /// Saves `numbers` as `name`, whole or not at all, then removes the
    /// checkpoints `replaced`; unwinds with [`Failed`] if they cannot be
    /// written. The numbers are written before it returns; another thread
    /// waits until the disk has them, then gives the file its name (a
    /// crash before then leaves the checkpoints it replaces) and removes
    /// those.
    pub(crate) fn save(&self, name: &str, numbers: &[&dyn Number], replaced: &[String]) {
        let path = self.path(name);
        let partial = path.with_extension("partial");
        if let Err(e) = self.write(&partial, numbers) {
            let _ = fs::remove_file(&partial);
            fail(e);
        }
        let job = Job {
            partial,
            path,
            replaced: replaced.iter().map(|name| self.path(name)).collect(),
            io: self.io(),
        };
        let mut syncing = lock(&self.syncing);
        if syncing.is_none() {
            let (jobs, queue) = mpsc::channel::<Job>();
            let thread = std::thread::Builder::new()
                .name("pi-checkpoint".into())
                .spawn(move || queue.into_iter().try_for_each(Job::run))
                .unwrap_or_else(|e| fail(Error::Checkpoint(format!("cannot start a thread: {e}"))));
            *syncing = Some(Syncer { jobs, thread });
        }
        // A send fails only once the thread stopped at an error, which
        // `synced` returns.
        let _ = syncing.as_ref().map(|s| s.jobs.send(job));
    }

    /// Waits until the disk has every checkpoint saved; the error that
    /// stopped that, if any.
    pub(crate) fn synced(&self) -> Result<(), Error> {
        let Some(Syncer { jobs, thread }) = lock(&self.syncing).take() else {
            return Ok(());
        };
        drop(jobs);
        thread.join().unwrap_or_else(|_| {
            Err(Error::Checkpoint(
                "the thread saving checkpoints failed".into(),
            ))
        })
    }

    /// Removes every checkpoint, once the disk has those being saved, and
    /// the lock file: the computation is done.
    pub(crate) fn clear(&self) -> Result<(), Error> {
        let synced = self.synced();
        for path in self.files()? {
            fs::remove_file(&path).map_err(|e| error("cannot remove", &path, &e))?;
        }
        let lock = self.dir.join(LOCK);
        fs::remove_file(&lock).map_err(|e| error("cannot remove", &lock, &e))?;
        synced
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{PREFIX}{name}{SUFFIX}"))
    }

    /// The checkpoint files in the directory, and partly written ones.
    fn files(&self) -> Result<Vec<PathBuf>, Error> {
        let entries = fs::read_dir(&self.dir).map_err(|e| error("cannot read", &self.dir, &e))?;
        let mut files = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| error("cannot read", &self.dir, &e))?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let ours = [SUFFIX, ".partial", SPILL_SUFFIX];
            if name.starts_with(PREFIX) && ours.iter().any(|suffix| name.ends_with(suffix)) {
                files.push(entry.path());
            }
        }
        files.sort();
        Ok(files)
    }

    /// The header of this computation's checkpoints.
    fn header(&self) -> Vec<u8> {
        let version = env!("CARGO_PKG_VERSION").as_bytes();
        let mut header = MAGIC.to_vec();
        header.extend_from_slice(&FORMAT.to_le_bytes());
        header.extend_from_slice(&(version.len() as u32).to_le_bytes());
        header.extend_from_slice(version);
        header.extend_from_slice(&self.key.n.to_le_bytes());
        header.push(self.key.base.radix() as u8);
        header
    }

    /// One number at a time in memory.
    fn write(&self, path: &Path, numbers: &[&dyn Number]) -> Result<(), Error> {
        let start = Instant::now();
        let io = |e| error("cannot write", path, &e);
        let mut out = BufWriter::with_capacity(BUFFER, File::create(path).map_err(io)?);
        out.write_all(&self.header()).map_err(io)?;
        out.write_all(&(numbers.len() as u32).to_le_bytes())
            .map_err(io)?;
        for x in numbers {
            let x = x.loaded();
            out.write_all(&(x.limbs().len() as u64).to_le_bytes())
                .map_err(io)?;
            out.write_all(&residue(&x).to_le_bytes()).map_err(io)?;
            let mut bytes = Vec::with_capacity(BUFFER);
            for limbs in x.limbs().chunks(BUFFER / 8) {
                bytes.clear();
                bytes.extend(limbs.iter().flat_map(|limb| limb.to_le_bytes()));
                out.write_all(&bytes).map_err(io)?;
            }
        }
        out.flush().map_err(io)?;
        let bytes = out.get_ref().metadata().map_or(0, |m| m.len());
        self.io.written(bytes, start.elapsed());
        Ok(())
    }

    /// The numbers of the checkpoint at `path`, checked against this
    /// computation's header and their checksums.
    fn read(&self, path: &Path) -> Result<Vec<Natural>, Error> {
        let start = Instant::now();
        let damaged = |what: &str| refused(path, what);
        let io = |e| error("cannot read", path, &e);
        let (mut input, mut left) = self.opened(path)?;
        let mut word = [0u8; 8];
        let mut count = [0u8; 4];
        input.read_exact(&mut count).map_err(io)?;
        left = left.saturating_sub(4);
        let mut numbers = Vec::new();
        for _ in 0..u32::from_le_bytes(count) {
            input.read_exact(&mut word).map_err(io)?;
            let len = u64::from_le_bytes(word);
            input.read_exact(&mut word).map_err(io)?;
            let checksum = u64::from_le_bytes(word);
            // A damaged length is caught here, not by a huge allocation.
            left = left.saturating_sub(16);
            if len > left / 8 {
                return Err(damaged("damaged (shorter than its numbers)"));
            }
            left -= 8 * len;
            let mut limbs = fallible::with_capacity(len as usize);
            let mut bytes = vec![0u8; BUFFER];
            while limbs.len() < len as usize {
                let count = (len as usize - limbs.len()).min(BUFFER / 8);
                let bytes = &mut bytes[..8 * count];
                input.read_exact(bytes).map_err(io)?;
                limbs.extend(
                    bytes
                        .chunks_exact(8)
                        .map(|b| u64::from_le_bytes(b.try_into().unwrap_or_default())),
                );
            }
            let x = Natural::from_limbs(limbs);
            if residue(&x) != checksum {
                return Err(damaged("damaged (a checksum does not match)"));
            }
            numbers.push(x);
        }
        if input.read(&mut word).map_err(io)? != 0 {
            return Err(damaged("damaged (longer than its numbers)"));
        }
        let bytes = fs::metadata(path).map_or(0, |m| m.len());
        self.io.read(bytes, start.elapsed());
        Ok(numbers)
    }

    /// The checkpoint at `path`, read past its header, which must be this
    /// computation's, and the bytes after the header.
    fn opened(&self, path: &Path) -> Result<(BufReader<File>, u64), Error> {
        let io = |e| error("cannot read", path, &e);
        let file = File::open(path).map_err(io)?;
        let len = file.metadata().map_err(io)?.len();
        let mut input = BufReader::with_capacity(BUFFER, file);
        let header = self.header();
        let mut found = vec![0u8; header.len()];
        input.read_exact(&mut found).map_err(io)?;
        if found[..MAGIC.len()] != MAGIC[..] {
            return Err(refused(path, "not a checkpoint of pi"));
        }
        if found != header {
            return Err(refused(
                path,
                "a checkpoint of another computation (other digits, base or version of pi)",
            ));
        }
        Ok((input, len.saturating_sub(header.len() as u64)))
    }
}

/// The error for `e` that `what` (an action) on `path` met.
fn error(what: &str, path: &Path, e: &io::Error) -> Error {
    Error::Checkpoint(format!("{what} {}: {e}", path.display()))
}

/// The error for a checkpoint at `path` that is `what` and cannot be used.
fn refused(path: &Path, what: &str) -> Error {
    Error::Checkpoint(format!(
        "{} is {what}: remove it, or run without resuming",
        path.display()
    ))
}

impl Drop for Checkpoints {
    /// No thread outlives the checkpoints it makes durable.
    fn drop(&mut self) {
        let _ = self.synced();
    }
}

/// How many times longer than the shortest products that spill their
/// residues are those that keep their transforms on disk too: whose two
/// transforms in memory would take about a quarter of the budget (the
/// residues of four primes take a sixteenth of it at the shortest, two
/// transforms about half of that). Streaming the transforms reads and
/// writes them several times over: shorter products keep theirs in memory.
const TRANSFORMS_ON_DISK: usize = 8;

/// Residues spilled by the products of a computation held to a memory
/// budget go to files beside its checkpoints, counted with them.
impl Spill for Checkpoints {
    fn min_limbs(&self) -> usize {
        self.spill_min.unwrap_or(usize::MAX)
    }

    fn transforms_min_limbs(&self) -> usize {
        self.min_limbs().saturating_mul(TRANSFORMS_ON_DISK)
    }

    fn file(&self) -> File {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let number = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = self.dir.join(format!(
            "{PREFIX}{}-{number}{SPILL_SUFFIX}",
            std::process::id()
        ));
        let file = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)
            .unwrap_or_else(|e| fail(error("cannot create", &path, &e)));
        // An open file outlives its name on Unix: gone once closed.
        #[cfg(unix)]
        let _ = fs::remove_file(&path);
        file
    }

    fn count(&self, bytes: u64, written: bool, time: Duration) {
        if written {
            self.io.written(bytes, time);
        } else {
            self.io.read(bytes, time);
        }
    }

    fn failed(&self, e: &io::Error) -> ! {
        fail(error("cannot write a spill file in", &self.dir, e))
    }
}

/// The bytes free to this process on the file system of `dir`, where the
/// system says.
fn free_space(dir: &Path) -> Option<u64> {
    #[cfg(unix)]
    return rustix::fs::statvfs(dir)
        .ok()
        .map(|s| s.f_bavail.saturating_mul(s.f_frsize));
    #[cfg(not(unix))]
    return None;
}

/// The guarded value; a panic elsewhere leaves the list consistent.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Unwinds with [`Failed`]: the computation ends with `e`.
fn fail(e: Error) -> ! {
    panic::resume_unwind(Box::new(Failed(e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scratch directory, and the key of a computation of ten digits in
    /// `base`.
    fn scratch(base: Base) -> (tempfile::TempDir, Key) {
        let dir = tempfile::tempdir().expect("a scratch directory");
        (dir, Key { n: 10, base })
    }

    #[test]
    fn a_file_system_with_too_little_free_is_refused_up_front() {
        let (dir, key) = scratch(Base::Decimal);
        match Checkpoints::open(dir.path(), key, false, (u64::MAX, None)) {
            Err(Error::Checkpoint(what)) => {
                assert!(
                    what.contains("need up to") && what.contains("free"),
                    "{what}"
                )
            }
            other => panic!("{:?}", other.err()),
        }
        assert!(Checkpoints::open(dir.path(), key, false, (1 << 20, None)).is_ok());
    }

    #[test]
    fn a_directory_in_use_is_refused() {
        let (dir, key) = scratch(Base::Decimal);
        let first = Checkpoints::open(dir.path(), key, false, (0, None)).expect("checkpoints");
        match Checkpoints::open(dir.path(), key, true, (0, None)) {
            Err(Error::Checkpoint(what)) => assert!(what.contains("in use"), "{what}"),
            other => panic!("{:?}", other.err()),
        }
        drop(first);
        let again = Checkpoints::open(dir.path(), key, true, (0, None)).expect("free again");
        again.clear().expect("cleared");
        assert_eq!(fs::read_dir(dir.path()).map(|d| d.count()).ok(), Some(0));
    }

    #[test]
    fn saved_numbers_load_as_they_were() {
        let (dir, key) = scratch(Base::Hexadecimal);
        let checkpoints =
            Checkpoints::open(dir.path(), key, false, (0, None)).expect("checkpoints");
        let numbers = [
            Natural::zero(),
            Natural::from(7u64),
            Natural::pow(3, 100_000),
        ];
        let saved: Vec<&dyn Number> = numbers.iter().map(|x| x as &dyn Number).collect();
        checkpoints.save("some", &saved, &[]);
        checkpoints.synced().expect("synced");
        assert_eq!(checkpoints.load("some"), Some(numbers.to_vec()));
        assert_eq!(checkpoints.load("other"), None);
        drop(checkpoints);
        // Another base's computation refuses them when resuming.
        let other = Key {
            n: 10,
            base: Base::Decimal,
        };
        assert!(Checkpoints::open(dir.path(), other, true, (0, None)).is_err());
        assert!(Checkpoints::open(dir.path(), key, true, (0, None)).is_ok());
    }
}
