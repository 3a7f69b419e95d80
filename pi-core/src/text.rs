//! Where the digits go: a slice of memory, or a file written a buffer at a
//! time, so that a file of digits needs no copy of them all in memory.

use std::fs::File;
use std::io;
use std::sync::Mutex;

use crate::natural::fallible;
use crate::positioned::{read_at, write_at};
use crate::Error;

/// The longest stretch of a file of digits written from one buffer, and
/// read back at once by verification.
pub(crate) const FILE_BUFFER: usize = 1 << 24;

/// The shortest buffer a [`TextFile`] takes: longer than the conversions'
/// base cases, which work in memory.
const MIN_BUFFER: usize = 1 << 12;

/// A file that digits are written to, and the first error in writing it.
pub(crate) struct TextFile<'a> {
    file: &'a File,
    error: Mutex<Option<io::Error>>,
    buffer: usize,
}

impl<'a> TextFile<'a> {
    /// Digits written to `file` from buffers of at most `buffer` bytes.
    pub(crate) fn new(file: &'a File, buffer: usize) -> TextFile<'a> {
        TextFile {
            file,
            error: Mutex::default(),
            buffer: buffer.max(MIN_BUFFER),
        }
    }

    /// `len` bytes of the file from `offset`, to be written.
    pub(crate) fn text(&self, offset: u64, len: usize) -> Text<'_> {
        Text::File {
            file: self,
            offset,
            len,
        }
    }

    /// `len` bytes of the file from `offset`, once written.
    pub(crate) fn written(&self, offset: u64, len: usize) -> Written<'_> {
        Written::File {
            file: self,
            offset,
            len,
        }
    }

    /// `bytes` at `offset`; an error is kept for [`TextFile::check`].
    pub(crate) fn write(&self, offset: u64, bytes: &[u8]) {
        if let Err(e) = write_at(self.file, bytes, offset) {
            let mut error = self.error.lock().unwrap_or_else(|p| p.into_inner());
            error.get_or_insert(e);
        }
    }

    /// The bytes from `offset` into `buf`.
    pub(crate) fn read(&self, offset: u64, buf: &mut [u8]) -> Result<(), Error> {
        read_at(self.file, buf, offset).map_err(|e| output_error(&e))
    }

    /// The first error of the writes so far, if any.
    pub(crate) fn check(&self) -> Result<(), Error> {
        let error = self.error.lock().unwrap_or_else(|p| p.into_inner());
        error.as_ref().map_or(Ok(()), |e| Err(output_error(e)))
    }
}

/// [`Error::Output`] for `e`.
fn output_error(e: &io::Error) -> Error {
    Error::Output(e.to_string())
}

/// Bytes to write digits into: memory, or a stretch of a [`TextFile`].
pub(crate) enum Text<'a> {
    Memory(&'a mut [u8]),
    File {
        file: &'a TextFile<'a>,
        offset: u64,
        len: usize,
    },
}

impl<'a> Text<'a> {
    /// How many bytes.
    pub(crate) fn len(&self) -> usize {
        match self {
            Text::Memory(out) => out.len(),
            Text::File { len, .. } => *len,
        }
    }

    /// The first `k` bytes, and the rest.
    pub(crate) fn split_at(self, k: usize) -> (Text<'a>, Text<'a>) {
        match self {
            Text::Memory(out) => {
                let (high, low) = out.split_at_mut(k);
                (Text::Memory(high), Text::Memory(low))
            }
            Text::File { file, offset, len } => {
                debug_assert!(k <= len);
                let high = Text::File {
                    file,
                    offset,
                    len: k,
                };
                let low = Text::File {
                    file,
                    offset: offset + k as u64,
                    len: len - k,
                };
                (high, low)
            }
        }
    }

    /// `bytes` (as long as this text) written into it.
    pub(crate) fn put(self, bytes: &[u8]) {
        debug_assert_eq!(bytes.len(), self.len());
        match self {
            Text::Memory(out) => out.copy_from_slice(bytes),
            Text::File { file, offset, .. } => file.write(offset, bytes),
        }
    }

    /// For a stretch of a file no longer than its buffer: `write` on a
    /// buffer of ASCII zeros, which then goes to the file, `Ok` with what
    /// `write` returned. `Err(self)` for memory and longer stretches.
    pub(crate) fn buffered(self, write: impl FnOnce(&mut [u8]) -> bool) -> Result<bool, Self> {
        match self {
            Text::File { file, offset, len } if len <= file.buffer => {
                let mut buffer = fallible::filled(len, b'0');
                let written = write(&mut buffer);
                file.write(offset, &buffer);
                Ok(written)
            }
            text => Err(text),
        }
    }
}

/// Digits written: memory, or a stretch of a [`TextFile`].
pub(crate) enum Written<'a> {
    Memory(&'a [u8]),
    File {
        file: &'a TextFile<'a>,
        offset: u64,
        len: usize,
    },
}

impl Written<'_> {
    /// `f` on the bytes in order, a piece at a time; stops at its first
    /// error.
    pub(crate) fn for_each_piece(
        &self,
        mut f: impl FnMut(&[u8]) -> Result<(), Error>,
    ) -> Result<(), Error> {
        match *self {
            Written::Memory(bytes) => f(bytes),
            Written::File { file, offset, len } => {
                let mut buffer = fallible::filled(len.min(file.buffer), 0u8);
                let mut done = 0;
                while done < len {
                    let piece = &mut buffer[..(len - done).min(file.buffer)];
                    file.read(offset + done as u64, piece)?;
                    f(piece)?;
                    done += piece.len();
                }
                Ok(())
            }
        }
    }
}
