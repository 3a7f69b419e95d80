//! Runs of consecutive powers of a root of unity, generated a chunk at a
//! time, for transforms too long to keep a table of their twiddles.

use super::field::Field;

/// The most powers one [`Powers::fill`] produces.
pub(super) const CHUNK: usize = 1 << 12;

/// The powers `x^j` of one root `x`, in Montgomery form.
pub(super) struct Powers {
    x: u64,
    /// `x^0 .. x^(CHUNK-1)`.
    low: Vec<u64>,
}

impl Powers {
    /// The powers of `x` (in Montgomery form).
    pub(super) fn new<F: Field>(f: F, x: u64) -> Powers {
        let mut low = Vec::with_capacity(CHUNK);
        let mut y = f.to_montgomery(1);
        for _ in 0..CHUNK {
            low.push(y);
            y = f.mul(y, x);
        }
        Powers { x, low }
    }

    /// `out[i] = x^(start + i)`, for `out` at most [`CHUNK`] long.
    pub(super) fn fill<F: Field>(&self, f: F, start: usize, out: &mut [u64]) {
        // x^(start + i) = x^start · x^i: independent products, not a chain.
        out.copy_from_slice(&self.low[..out.len()]);
        f.scale(out, f.pow(self.x, start as u64));
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
            let powers = Powers::new(f, x);
            for start in [0usize, 1, 4095, 1 << 20] {
                let mut out = vec![0u64; CHUNK];
                powers.fill(f, start, &mut out);
                let mut y = f.pow(x, start as u64);
                for (i, &got) in out.iter().enumerate() {
                    assert_eq!(got, y, "p = {p}, start = {start}, i = {i}");
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
