//! Runs of consecutive powers of a root of unity, generated a chunk at a
//! time, for transforms too long to keep a table of their twiddles.

use super::field::Field;
use crate::natural::fallible;

/// The most powers one [`Powers::fill`] produces.
pub(super) const CHUNK: usize = 1 << 12;

/// The powers `x^j` of one root `x` for `j` below a length, in Montgomery
/// form.
pub(super) struct Powers {
    /// `x^0 .. x^(CHUNK-1)`.
    low: Vec<u64>,
    /// `x^(k·CHUNK)` for each `k·CHUNK` below the length.
    high: Vec<u64>,
}

impl Powers {
    /// The powers of `x` (in Montgomery form) below `len`.
    pub(super) fn new<F: Field>(f: F, x: u64, len: usize) -> Powers {
        let one = f.to_montgomery(1);
        // x^0..x^(k-1), then x^k..x^(2k-1) as x^k times those, by the
        // vector kernels: a chain of scalar products cost the tables of
        // each new transform length 4096 of them per root (5% of `pi
        // 1000000` with AVX2).
        let count = len.clamp(1, CHUNK);
        let mut low = fallible::with_capacity(count);
        low.push(one);
        while low.len() < count {
            let k = low.len();
            let x_k = f.mul(low[k - 1], x);
            let more = k.min(count - k);
            low.resize(k + more, 0);
            let (done, next) = low.split_at_mut(k);
            f.scale(next, &done[..more], x_k);
        }
        // x^(i·CHUNK), needed only beyond the first chunk.
        let mut high = vec![one];
        if len > CHUNK {
            let step = f.mul(low[CHUNK - 1], x);
            for _ in 1..len.div_ceil(CHUNK) {
                let last = high[high.len() - 1];
                high.push(f.mul(last, step));
            }
        }
        Powers { low, high }
    }

    /// `out[i] = x^(start + i)`, for `out` at most [`CHUNK`] long and
    /// `start` below the length.
    pub(super) fn fill<F: Field>(&self, f: F, start: usize, out: &mut [u64]) {
        // x^(start + i) = x^start · x^i: independent products, not a chain.
        let x_start = f.mul(self.high[start / CHUNK], self.low[start % CHUNK]);
        f.scale(out, &self.low[..out.len()], x_start);
    }
}

/// The twiddles of one transform level, `x^j` for `j` below the level's
/// length: a stored table or generated powers.
#[derive(Clone, Copy)]
pub(super) enum Level<'a> {
    Table(&'a [u64]),
    Generated(&'a Powers),
}

impl Level<'_> {
    /// `x^(start + i)` for `i < len` (at most [`CHUNK`]), from the table or
    /// generated into `buf`.
    pub(super) fn get<'b, F: Field>(
        &'b self,
        f: F,
        start: usize,
        len: usize,
        buf: &'b mut Vec<u64>,
    ) -> &'b [u64] {
        match self {
            Level::Table(table) => &table[start..start + len],
            Level::Generated(powers) => {
                buf.resize(len, 0);
                powers.fill(f, start, buf);
                buf
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Double50, Montgomery52, Montgomery64};
    use super::*;

    fn agree_with_repeated_products<F: Field>() {
        for &(p, generator) in F::PRIMES {
            let f = F::new(p);
            let x = f.pow(f.to_montgomery(generator), 12_345);
            let powers = Powers::new(f, x, 1 << 21);
            for start in [0usize, 1, 4095, 1 << 20] {
                let mut out = vec![0u64; CHUNK];
                powers.fill(f, start, &mut out);
                let mut y = f.pow(x, start as u64);
                for (i, &got) in out.iter().enumerate() {
                    assert_eq!(got, y, "p = {p}, start = {start}, i = {i}");
                    y = f.mul(y, x);
                }
            }
            // Lengths below a chunk, and about one.
            for len in [1usize, 2, 3, 5, 64, 100, CHUNK - 1, CHUNK, CHUNK + 1] {
                let powers = Powers::new(f, x, len);
                let count = len.min(CHUNK);
                let mut out = vec![0u64; count];
                powers.fill(f, len - count, &mut out);
                let mut y = f.pow(x, (len - count) as u64);
                for (i, &got) in out.iter().enumerate() {
                    assert_eq!(got, y, "p = {p}, len = {len}, i = {i}");
                    y = f.mul(y, x);
                }
            }
        }
    }

    #[test]
    fn powers_agree_with_repeated_products() {
        agree_with_repeated_products::<Montgomery52>();
        agree_with_repeated_products::<Montgomery64>();
        agree_with_repeated_products::<Double50<4>>();
        agree_with_repeated_products::<Double50<8>>();
    }
}
