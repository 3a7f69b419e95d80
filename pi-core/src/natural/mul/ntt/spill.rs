//! Residues kept in a file of the scratch directory until they are
//! recombined (see [`crate::natural::Spill`]), read back a piece at a time.

use std::fs::File;
use std::io::{self, Write};
use std::time::Instant;

use crate::natural::Spill;

/// Values written at once, as bytes.
const BLOCK: usize = 1 << 16;

/// The residues of one prime, in a spill file.
pub(super) struct Spilled<'a> {
    file: File,
    len: usize,
    spill: &'a dyn Spill,
}

impl<'a> Spilled<'a> {
    /// `values`, written to a new file of `spill`.
    pub(super) fn write(spill: &'a dyn Spill, values: &[u64]) -> Spilled<'a> {
        let began = Instant::now();
        let mut file = spill.file();
        let mut bytes = Vec::with_capacity(8 * BLOCK.min(values.len()));
        for block in values.chunks(BLOCK) {
            bytes.clear();
            bytes.extend(block.iter().flat_map(|v| v.to_le_bytes()));
            if let Err(e) = file.write_all(&bytes) {
                spill.failed(&e);
            }
        }
        spill.count(8 * values.len() as u64, true, began.elapsed());
        Spilled {
            file,
            len: values.len(),
            spill,
        }
    }

    /// How many values it holds.
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// Values `start..start + out.len()` into `out`.
    pub(super) fn read(&self, start: usize, out: &mut [u64]) {
        let began = Instant::now();
        let mut bytes = vec![0u8; 8 * out.len()];
        if let Err(e) = read_at(&self.file, &mut bytes, 8 * start as u64) {
            self.spill.failed(&e);
        }
        for (v, b) in out.iter_mut().zip(bytes.chunks_exact(8)) {
            *v = u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
        }
        self.spill.count(bytes.len() as u64, false, began.elapsed());
    }
}

/// Fills `buf` from `offset` in `file`, without moving a shared position.
#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

/// Fills `buf` from `offset` in `file`.
#[cfg(windows)]
fn read_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match file.seek_read(buf, offset)? {
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}

/// Positioned reads are not available here.
#[cfg(not(any(unix, windows)))]
fn read_at(_: &File, _: &mut [u8], _: u64) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

#[cfg(test)]
pub(super) mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::Duration;

    use super::*;

    /// Spill files in a temporary directory for products from `min`
    /// limbs, counting the bytes written and read.
    pub(in super::super) struct TestSpill {
        dir: tempfile::TempDir,
        min: usize,
        pub(in super::super) written: AtomicU64,
        pub(in super::super) read: AtomicU64,
    }

    impl TestSpill {
        pub(in super::super) fn new(min: usize) -> TestSpill {
            TestSpill {
                dir: tempfile::tempdir().expect("a temporary directory"),
                min,
                written: AtomicU64::new(0),
                read: AtomicU64::new(0),
            }
        }
    }

    impl Spill for TestSpill {
        fn min_limbs(&self) -> usize {
            self.min
        }

        fn file(&self) -> File {
            tempfile::tempfile_in(self.dir.path()).expect("a spill file")
        }

        fn count(&self, bytes: u64, written: bool, _: Duration) {
            let counter = if written { &self.written } else { &self.read };
            counter.fetch_add(bytes, Ordering::Relaxed);
        }

        fn failed(&self, e: &io::Error) -> ! {
            panic!("spill file: {e}")
        }
    }
}
