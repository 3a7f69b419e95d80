//! Chinese remaindering of the residues of every coefficient (Garner's
//! mixed-radix form) and carry propagation into the product's limbs.

use rayon::prelude::*;

use super::Field;
use crate::monitor;
use crate::natural::limbs;

/// The most primes a field may have; their product fits in this many limbs.
const MAX_PRIMES: usize = 4;

/// The constants of Garner's recombination for some of a field's primes.
struct Garner<F: Field> {
    primes: Vec<u64>,
    fields: Vec<F>,
    /// `p_j^-1 mod p_i` for `j < i`, in Montgomery form in field `i`.
    inverse: [[u64; MAX_PRIMES]; MAX_PRIMES],
}

impl<F: Field> Garner<F> {
    /// For the first `k` primes of `F`.
    fn new(k: usize) -> Garner<F> {
        assert!(k <= MAX_PRIMES && k <= F::PRIMES.len());
        let primes: Vec<u64> = F::PRIMES[..k].iter().map(|&(p, _)| p).collect();
        let fields: Vec<F> = primes.iter().map(|&p| F::new(p)).collect();
        let mut inverse = [[0; MAX_PRIMES]; MAX_PRIMES];
        for (i, &f) in fields.iter().enumerate() {
            for (j, &p) in primes[..i].iter().enumerate() {
                inverse[i][j] = f.inverse(f.to_montgomery(p));
            }
        }
        Garner {
            primes,
            fields,
            inverse,
        }
    }

    /// The number below the product of the primes with these residues.
    #[inline(always)]
    fn combine(&self, residues: [u64; MAX_PRIMES]) -> [u64; MAX_PRIMES] {
        let k = self.fields.len();
        // x = v_0 + v_1·p_0 + v_2·p_0·p_1 + ..., each v_i < p_i, where
        // v_i = (((r_i - v_0)·p_0^-1 - v_1)·p_1^-1 - ...) mod p_i.
        let mut v = [0u64; MAX_PRIMES];
        for i in 0..k {
            let f = self.fields[i];
            let mut t = residues[i];
            for (&vj, &inverse) in v[..i].iter().zip(&self.inverse[i]) {
                t = f.mul(f.sub(t, f.reduce_residue(vj)), inverse);
            }
            v[i] = t;
        }
        let mut x = [0u64; MAX_PRIMES];
        x[0] = v[k - 1];
        for j in (0..k - 1).rev() {
            let p = self.primes[j];
            let mut carry = u128::from(v[j]);
            for limb in x[..k - j].iter_mut() {
                let t = u128::from(*limb) * u128::from(p) + carry;
                *limb = t as u64;
                carry = t >> 64;
            }
        }
        x
    }
}

/// Recombines the residues (one vector per prime, for the first primes of
/// `F`) into a `len`-limb product.
/// Chunks are recombined in parallel, each with its own carry, and the chunk
/// carries added afterwards.
pub(super) fn recombine<F: Field>(residues: &[Vec<u64>], len: usize) -> Vec<u64> {
    const CHUNK: usize = 1 << 13;
    let garner = Garner::<F>::new(residues.len());
    let coefficients = residues[0].len();
    let recombine_chunk = |start: usize, chunk: &mut [u64]| -> [u64; MAX_PRIMES] {
        let mut carry = [0u64; MAX_PRIMES];
        for (i, out) in chunk.iter_mut().enumerate() {
            let k = start + i;
            if k < coefficients {
                let mut r = [0u64; MAX_PRIMES];
                for (r, residue) in r.iter_mut().zip(residues) {
                    *r = residue[k];
                }
                let x = garner.combine(r);
                let mut overflow = false;
                for (c, &x) in carry.iter_mut().zip(&x) {
                    let (s1, o1) = c.overflowing_add(x);
                    let (s2, o2) = s1.overflowing_add(u64::from(overflow));
                    *c = s2;
                    overflow = o1 | o2;
                }
                debug_assert!(!overflow);
            }
            *out = carry[0];
            carry.copy_within(1.., 0);
            carry[MAX_PRIMES - 1] = 0;
        }
        carry
    };
    let mut out = monitor::filled(len, 0u64);
    if len < 2 * CHUNK {
        let carry = recombine_chunk(0, &mut out);
        debug_assert_eq!(carry, [0; MAX_PRIMES]);
        return out;
    }
    let carries: Vec<[u64; MAX_PRIMES]> = out
        .par_chunks_mut(CHUNK)
        .enumerate()
        .map(|(i, chunk)| {
            monitor::checkpoint();
            recombine_chunk(i * CHUNK, chunk)
        })
        .collect();
    for (i, carry) in carries.iter().enumerate() {
        let start = (i + 1) * CHUNK;
        let mut carry = carry.to_vec();
        limbs::trim(&mut carry);
        if !carry.is_empty() && start < len {
            let overflow = limbs::add_in_place(&mut out[start..], &carry);
            debug_assert!(!overflow);
        }
    }
    out
}
