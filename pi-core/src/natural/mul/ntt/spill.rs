//! Transforms and residues kept in files of the scratch directory (see
//! [`crate::natural::Spill`]), written and read back a piece at a time.

use std::borrow::Cow;
use std::fs::File;
use std::time::Instant;

use rayon::prelude::*;

use crate::positioned::{read_at, write_at};

use crate::natural::{fallible, Spill};

/// Values written or read at once, by one thread.
const BLOCK: usize = 1 << 16;

/// Values of one prime (a transform, or a product's residues), in a spill
/// file.
pub(in crate::natural) struct Spilled<'a> {
    file: File,
    len: usize,
    spill: &'a dyn Spill,
}

impl<'a> Spilled<'a> {
    /// A new file of `spill` for `len` values, each written by
    /// [`Spilled::write_at`] before it is read.
    pub(super) fn new(spill: &'a dyn Spill, len: usize) -> Spilled<'a> {
        Spilled {
            file: spill.file(),
            len,
            spill,
        }
    }

    /// `values`, written to a new file of `spill`.
    pub(in crate::natural) fn write(spill: &'a dyn Spill, values: &[u64]) -> Spilled<'a> {
        let spilled = Spilled::new(spill, values.len());
        spilled.write_at(0, values);
        spilled
    }

    /// `values` in place of values `start..start + values.len()`, blocks
    /// of them side by side.
    pub(super) fn write_at(&self, start: usize, values: &[u64]) {
        debug_assert!(start + values.len() <= self.len);
        let began = Instant::now();
        values.par_chunks(BLOCK).enumerate().for_each(|(i, block)| {
            let offset = 8 * (start + i * BLOCK) as u64;
            let written = if cfg!(target_endian = "little") {
                write_at(&self.file, bytemuck::cast_slice(block), offset)
            } else {
                let little: Vec<u64> = block.iter().map(|v| v.to_le()).collect();
                write_at(&self.file, bytemuck::cast_slice(&little), offset)
            };
            if let Err(e) = written {
                self.spill.failed(&e);
            }
        });
        self.spill
            .count(8 * values.len() as u64, true, began.elapsed());
    }

    /// The first `len` values only.
    pub(super) fn shortened(mut self, len: usize) -> Spilled<'a> {
        self.len = self.len.min(len);
        self
    }

    /// How many values it holds.
    pub(in crate::natural) fn len(&self) -> usize {
        self.len
    }

    /// Values `start..start + out.len()` into `out`, blocks of them side
    /// by side.
    pub(in crate::natural) fn read(&self, start: usize, out: &mut [u64]) {
        debug_assert!(start + out.len() <= self.len);
        let began = Instant::now();
        let len = out.len();
        out.par_chunks_mut(BLOCK)
            .enumerate()
            .for_each(|(i, block)| {
                let offset = 8 * (start + i * BLOCK) as u64;
                if let Err(e) = read_at(&self.file, bytemuck::cast_slice_mut(block), offset) {
                    self.spill.failed(&e);
                }
                for v in block.iter_mut() {
                    *v = u64::from_le(*v);
                }
            });
        self.spill.count(8 * len as u64, false, began.elapsed());
    }
}

/// Where an operand's limbs are: in memory, or in a spill file from which
/// a product reads them back when it needs them (see
/// [`super::sums_of_products`]).
#[derive(Clone, Copy)]
pub(in crate::natural) enum Source<'a> {
    Memory(&'a [u64]),
    Spilled(&'a Spilled<'a>),
}

impl<'a> Source<'a> {
    /// How many limbs it has.
    pub(in crate::natural) fn len(self) -> usize {
        match self {
            Source::Memory(limbs) => limbs.len(),
            Source::Spilled(spilled) => spilled.len(),
        }
    }

    /// Its limbs, read into memory if they wait in a file.
    pub(in crate::natural) fn load(self) -> Cow<'a, [u64]> {
        match self {
            Source::Memory(limbs) => Cow::Borrowed(limbs),
            Source::Spilled(spilled) => {
                let mut limbs = fallible::filled(spilled.len(), 0u64);
                spilled.read(0, &mut limbs);
                Cow::Owned(limbs)
            }
        }
    }
}

#[cfg(test)]
pub(in crate::natural) mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::Duration;

    use super::*;

    /// Spill files in a temporary directory for products from `min`
    /// limbs, counting the files made and the bytes written and read.
    pub(in crate::natural) struct TestSpill {
        dir: tempfile::TempDir,
        min: usize,
        pub(in crate::natural) files: AtomicU64,
        pub(in crate::natural) written: AtomicU64,
        pub(in crate::natural) read: AtomicU64,
    }

    impl TestSpill {
        pub(in crate::natural) fn new(min: usize) -> TestSpill {
            TestSpill {
                dir: tempfile::tempdir().expect("a temporary directory"),
                min,
                files: AtomicU64::new(0),
                written: AtomicU64::new(0),
                read: AtomicU64::new(0),
            }
        }
    }

    impl Spill for TestSpill {
        fn min_limbs(&self) -> usize {
            self.min
        }

        fn transforms_min_limbs(&self) -> usize {
            self.min
        }

        fn file(&self) -> File {
            self.files.fetch_add(1, Ordering::Relaxed);
            tempfile::tempfile_in(self.dir.path()).expect("a spill file")
        }

        fn count(&self, bytes: u64, written: bool, _: Duration) {
            let counter = if written { &self.written } else { &self.read };
            counter.fetch_add(bytes, Ordering::Relaxed);
        }

        fn failed(&self, e: &std::io::Error) -> ! {
            panic!("spill file: {e}")
        }
    }
}
