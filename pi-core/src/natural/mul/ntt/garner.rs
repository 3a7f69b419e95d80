//! Chinese remaindering of the residues of every coefficient (Garner's
//! mixed-radix form) and carry propagation into the product's limbs.
//!
//! Products of balanced limbs (see `packing.rs`) have coefficients of
//! either sign: their convolutions add a bias `B` to each (see
//! [`balanced_bias`]), the recombination finds `x + B` in `[0, P)` (`P`
//! the primes' product) and subtracts `B` again as it sums; the sums and
//! the carries between chunks are then signed.

use rayon::prelude::*;

use super::field::Field;
use super::packing::{Packing, MAX_GROUP};
use super::plan::BALANCED_PRIMES;
use super::spill::Spilled;
use crate::natural::arith::Arith;
use crate::natural::fallible;
use crate::natural::limbs;

/// The most primes a field may have; their product fits in this many limbs.
const MAX_PRIMES: usize = 4;

/// The constants of Garner's recombination for some of a field's primes.
struct Garner<F: Field> {
    primes: Vec<u64>,
    fields: Vec<F>,
    /// `p_j^-1 mod p_i` for `j < i`, in Montgomery form in field `i`.
    inverse: [[u64; MAX_PRIMES]; MAX_PRIMES],
    /// The top word of the bias of balanced limbs' coefficients (see
    /// [`balanced_bias`]); 0 for other packings.
    bias: u64,
}

impl<F: Field> Garner<F> {
    /// `p_j^-1 mod p_i` for `F`'s first primes, `j < i`, computed once
    /// with the program: an exponentiation per pair took 15% of a
    /// 128-limb product.
    const INVERSES: [[u64; MAX_PRIMES]; MAX_PRIMES] = inverses(F::PRIMES);

    /// For the first `k` primes of `F` and coefficients cut by `packing`.
    fn new(k: usize, packing: Packing) -> Garner<F> {
        assert!(k <= MAX_PRIMES && k <= F::PRIMES.len());
        let primes: Vec<u64> = F::PRIMES[..k].iter().map(|&(p, _)| p).collect();
        let fields: Vec<F> = primes.iter().map(|&p| F::new(p)).collect();
        let mut inverse = [[0; MAX_PRIMES]; MAX_PRIMES];
        for (i, &f) in fields.iter().enumerate() {
            for (to, &plain) in inverse[i][..i].iter_mut().zip(&Self::INVERSES[i]) {
                *to = f.to_montgomery(plain);
            }
        }
        let bias = if packing.is_balanced() {
            assert_eq!(k, BALANCED_PRIMES);
            balanced_bias::<F>()
        } else {
            0
        };
        Garner {
            primes,
            fields,
            inverse,
            bias,
        }
    }

    /// The value of coefficient `c`: the number below the product of the
    /// primes with the residues `residues[i][c]`.
    #[inline(always)]
    fn combine(&self, residues: &[Vec<u64>], c: usize) -> [u64; MAX_PRIMES] {
        let k = self.fields.len();
        // x = v_0 + v_1·p_0 + v_2·p_0·p_1 + ..., each v_i < p_i, where
        // v_i = (((r_i - v_0)·p_0^-1 - v_1)·p_1^-1 - ...) mod p_i.
        let mut v = [0u64; MAX_PRIMES];
        for i in 0..k {
            let f = self.fields[i];
            let mut t = f.reduce_lazy(residues[i][c]);
            for (&vj, &inverse) in v[..i].iter().zip(&self.inverse[i]) {
                t = f.mul(f.sub(t, f.reduce_residue(vj)), inverse);
            }
            v[i] = f.integer(t);
        }
        value(&self.primes, &v[..k])
    }

    /// The kernels' part of the values of the coefficients from `start`,
    /// `count` of them (at most [`BATCH`]), `K` the primes, into `buffer`:
    /// where the field has kernels, the first whole vectors of them.
    fn batch<const K: usize>(
        &self,
        residues: &[Vec<u64>],
        (start, count): (usize, usize),
        buffer: &mut Words,
    ) -> Batch {
        debug_assert!(count <= BATCH && self.fields.len() == K);
        let Ok(fields) = <&[F; K]>::try_from(&self.fields[..]) else {
            return Batch::Words(0);
        };
        let whole = count / 8 * 8;
        if whole == 0 {
            return Batch::Words(0);
        }
        let slices: [&[u64]; K] = std::array::from_fn(|i| &residues[i][start..start + whole]);
        if F::crt_words(fields, &slices, &self.inverse, buffer, BATCH) {
            Batch::Words(whole)
        } else if F::crt_digits(fields, &slices, &self.inverse, &mut buffer[..K * whole]) {
            Batch::Digits(whole)
        } else {
            Batch::Words(0)
        }
    }

    /// The first `K` of the primes.
    fn primes<const K: usize>(&self) -> [u64; K] {
        std::array::from_fn(|i| self.primes.get(i).copied().unwrap_or(1))
    }

    /// The values of the coefficients `start..start + count` (`count` at
    /// most [`BATCH`]): word `w` of coefficient `start + c` goes to
    /// `words[w * BATCH + c]` (the rows from the prime count on are left
    /// as they are).
    fn words(&self, residues: &[Vec<u64>], start: usize, count: usize, words: &mut Words) {
        match self.fields.len() {
            1 => self.words_of::<1>(residues, start, count, words),
            2 => self.words_of::<2>(residues, start, count, words),
            3 => self.words_of::<3>(residues, start, count, words),
            _ => self.words_of::<MAX_PRIMES>(residues, start, count, words),
        }
    }

    /// [`Garner::words`] for `K` primes: the kernels' words in place, the
    /// values of their digits, or of the residues, after them.
    fn words_of<const K: usize>(
        &self,
        residues: &[Vec<u64>],
        start: usize,
        count: usize,
        words: &mut Words,
    ) {
        // The words from the kernels stay; their digits, rows `done` apart,
        // are moved out of the words' way.
        let (words_done, digits) = match self.batch::<K>(residues, (start, count), words) {
            Batch::Words(done) => (done, None),
            Batch::Digits(done) => (0, Some((done, *words))),
        };
        let primes = self.primes::<K>();
        for c in words_done..count {
            let x = match &digits {
                Some((done, digits)) if c < *done => value(
                    &primes,
                    &std::array::from_fn::<u64, K, _>(|i| digits[i * done + c]),
                ),
                _ => self.combine(residues, start + c),
            };
            for (w, x) in x.into_iter().take(K).enumerate() {
                words[w * BATCH + c] = x;
            }
        }
    }

    /// The coefficients from `start`, cut by `packing`, summed into the
    /// limbs `chunk` from coefficient `start`'s lowest bit; returns the
    /// limbs past it.
    fn chunk(
        &self,
        residues: &[Vec<u64>],
        packing: Packing,
        start: usize,
        chunk: &mut [u64],
    ) -> [u64; MAX_PRIMES] {
        match packing.bits() {
            _ if packing.is_limbs() => self.limbs(residues, start, chunk),
            88 => self.groups::<88, 8, 15>(residues, start, chunk),
            86 => self.groups::<86, 32, 47>(residues, start, chunk),
            _ => self.groups::<80, 8, 14>(residues, start, chunk),
        }
    }

    /// The coefficients from `start`, one limb apart, summed into the limbs
    /// `chunk` from limb `start`; returns the limbs past it.
    fn limbs(&self, residues: &[Vec<u64>], start: usize, chunk: &mut [u64]) -> [u64; MAX_PRIMES] {
        match self.fields.len() {
            1 => self.sums::<1>(residues, start, chunk),
            2 => self.sums::<2>(residues, start, chunk),
            3 => self.sums::<3>(residues, start, chunk),
            _ => self.sums::<MAX_PRIMES>(residues, start, chunk),
        }
    }

    /// [`Garner::limbs`] for `K` primes.
    fn sums<const K: usize>(
        &self,
        residues: &[Vec<u64>],
        start: usize,
        chunk: &mut [u64],
    ) -> [u64; MAX_PRIMES] {
        let coefficients = residues[0].len();
        let mut sums = Sums::<K>::new(self.bias);
        let mut buffer: Words = [0; MAX_PRIMES * BATCH];
        let primes = self.primes::<K>();
        for (b, batch) in chunk.chunks_mut(BATCH).enumerate() {
            let first = start + b * BATCH;
            let count = batch.len().min(coefficients.saturating_sub(first));
            let (values, past) = batch.split_at_mut(count);
            let kind = self.batch::<K>(residues, (first, count), &mut buffer);
            let done = match kind {
                Batch::Digits(done) => {
                    sum_digits(&primes, &buffer[..K * done], &mut values[..done], &mut sums);
                    done
                }
                Batch::Words(done) => {
                    sum_words(&buffer[..], &mut values[..done], &mut sums);
                    done
                }
            };
            // The rest, past the kernels' whole vectors.
            for (c, limb) in values.iter_mut().enumerate().skip(done) {
                let x = self.combine(residues, first + c);
                *limb = sums.push(std::array::from_fn(|w| x[w]));
            }
            // Past the last coefficient: what the ones before add.
            for limb in past {
                *limb = sums.push_carry();
            }
        }
        sums.rest()
    }

    /// The coefficients from `start` (a multiple of `G`), `W` bits apart
    /// (`G` to a group of `G·W/64` limbs, [`MAX_PRIMES`] fewer than `T`),
    /// summed into the limbs `chunk` from coefficient `start`'s lowest bit
    /// (a limb boundary); returns the limbs past it.
    fn groups<const W: usize, const G: usize, const T: usize>(
        &self,
        residues: &[Vec<u64>],
        start: usize,
        chunk: &mut [u64],
    ) -> [u64; MAX_PRIMES] {
        let group = G * W / 64;
        debug_assert!(group * 64 == G * W && T == group + MAX_PRIMES);
        const {
            assert!(
                G <= MAX_GROUP && MAX_GROUP == 32,
                "the coefficients below number 32"
            )
        };
        // The last coefficient's words, shifted, and its carry stay within T.
        debug_assert!((G - 1) * W / 64 + MAX_PRIMES + 2 <= T);
        let coefficients = residues[0].len();
        let mut words: Words = [0; MAX_PRIMES * BATCH];
        // The limbs past a group that its coefficients reach.
        let mut pending = [0u64; MAX_PRIMES];
        for (b, batch) in chunk.chunks_mut(BATCH / G * group).enumerate() {
            let first = start + b * BATCH;
            let groups = batch.len().div_ceil(group);
            let count = (G * groups).min(coefficients.saturating_sub(first));
            self.words(residues, first, count, &mut words);
            for row in words.chunks_exact_mut(BATCH) {
                row[count..G * groups].fill(0);
            }
            for (g, limbs) in batch.chunks_mut(group).enumerate() {
                // The group's limbs exactly: each value added with its carries.
                let mut t = [0u64; T];
                t[..MAX_PRIMES].copy_from_slice(&pending);
                // Each coefficient at shifts known when compiled (a loop
                // over them took twice as long).
                let words_of = |i: usize| std::array::from_fn(|w| words[w * BATCH + G * g + i]);
                macro_rules! coefficients {
                    ($($i:literal)*) => {
                        $(if $i < G {
                            add_coefficient::<W, $i>(&mut t, words_of($i));
                        })*
                    };
                }
                coefficients!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15
                    16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31);
                for (limb, &t) in limbs.iter_mut().zip(&t) {
                    *limb = t;
                }
                // Past the product's end: zero.
                debug_assert!(t[limbs.len()..group].iter().all(|&t| t == 0));
                pending.copy_from_slice(&t[group..]);
            }
        }
        pending
    }
}

/// Coefficient `I` of a group of coefficients `W` bits apart, of words
/// `x`, added to the group's limbs `t` (see [`add_shifted`]).
#[inline(always)]
fn add_coefficient<const W: usize, const I: usize>(t: &mut [u64], x: [u64; MAX_PRIMES]) {
    let (limb, shift) = (I * W / 64, (I * W % 64) as u32);
    add_shifted(&mut t[limb..limb + MAX_PRIMES + 2], x, shift);
}

/// `x·2^shift` (`shift < 64`) added to the limbs `t`, one more than it
/// takes, whose last is zero: it gets the carry.
#[inline(always)]
fn add_shifted(t: &mut [u64], x: [u64; MAX_PRIMES], shift: u32) {
    let shifted: [u64; MAX_PRIMES + 1] = std::array::from_fn(|j| {
        let low = if j > 0 && shift > 0 {
            x[j - 1] >> (64 - shift)
        } else {
            0
        };
        x.get(j).map_or(0, |&x| x << shift) | low
    });
    let mut carry = 0u64;
    for (t, y) in t.iter_mut().zip(shifted) {
        let s = u128::from(*t) + u128::from(y) + u128::from(carry);
        *t = s as u64;
        carry = (s >> 64) as u64;
    }
    debug_assert_eq!(t[MAX_PRIMES + 1], 0);
    t[MAX_PRIMES + 1] = carry;
}

/// The number `d_0 + d_1·p_0 + d_2·p_0·p_1 + ...` of the mixed-radix
/// digits `d_i < p_i` (at most [`MAX_PRIMES`]), in words.
pub(super) fn value(primes: &[u64], digits: &[u64]) -> [u64; MAX_PRIMES] {
    let k = digits.len();
    let mut x = [0u64; MAX_PRIMES];
    x[0] = digits[k - 1];
    for j in (0..k - 1).rev() {
        let p = primes[j];
        let mut carry = u128::from(digits[j]);
        for limb in x[..k - j].iter_mut() {
            let t = u128::from(*limb) * u128::from(p) + carry;
            *limb = t as u64;
            carry = t >> 64;
        }
    }
    x
}

/// Coefficients recombined at a time, into words kept in cache.
const BATCH: usize = 256;

/// The words of a batch's values, or the kernels' digits of them.
type Words = [u64; MAX_PRIMES * BATCH];

/// `limbs` from the values of the mixed-radix `digits` (`K` rows, one
/// value per limb) modulo `primes`, summed by `sums` (a function of its
/// own: inlined in a larger one, its loop lost its registers to the
/// stack).
#[inline(never)]
fn sum_digits<const K: usize>(
    primes: &[u64; K],
    digits: &[u64],
    limbs: &mut [u64],
    sums: &mut Sums<K>,
) {
    let count = limbs.len();
    let rows: [&[u64]; K] = std::array::from_fn(|i| &digits[i * count..(i + 1) * count]);
    let mut local = *sums;
    for (c, limb) in limbs.iter_mut().enumerate() {
        let x = value(primes, &rows.map(|row| row[c]));
        *limb = local.push(std::array::from_fn(|w| x[w]));
    }
    *sums = local;
}

/// `limbs` from the values whose words are `words` (rows [`BATCH`] apart,
/// one value per limb), summed by `sums` (see [`sum_digits`]).
#[inline(never)]
fn sum_words<const K: usize>(words: &[u64], limbs: &mut [u64], sums: &mut Sums<K>) {
    let count = limbs.len();
    let rows: [&[u64]; K] = std::array::from_fn(|w| &words[w * BATCH..w * BATCH + count]);
    let mut local = *sums;
    for (c, limb) in limbs.iter_mut().enumerate() {
        *limb = local.push(rows.map(|row| row[c]));
    }
    *sums = local;
}

/// Where [`Garner::batch`] left the values of a batch's first coefficients.
#[derive(Clone, Copy)]
enum Batch {
    /// The words of that many values, rows [`BATCH`] apart.
    Words(usize),
    /// The mixed-radix digits of that many values, rows as many apart.
    Digits(usize),
}

/// Values of `K` words, one limb apart, summed into limbs as they come;
/// for balanced limbs (`K = 3`), less a bias in the top word of each.
#[derive(Clone, Copy)]
struct Sums<const K: usize> {
    /// What the values so far add to the next limb, with the carry: below
    /// zero where balanced coefficients' sum is.
    next: i128,
    /// What they add to each limb after it, the carries passed up (the
    /// last two entries unused): few words, so that they stay in registers.
    /// With a bias, the one entry (`K = 3`) is a signed word.
    later: [u64; K],
    /// Subtracted from the top word of each value: see [`balanced_bias`].
    bias: u64,
}

impl<const K: usize> Sums<K> {
    fn new(bias: u64) -> Self {
        debug_assert!(bias == 0 || K == BALANCED_PRIMES);
        Sums {
            next: 0,
            later: [0; K],
            bias,
        }
    }

    /// The next limb, given the words of the value that starts there (the
    /// last below `2^63`, as the primes' product makes it), less the bias.
    #[inline(always)]
    fn push(&mut self, words: [u64; K]) -> u64 {
        self.add(words, self.bias)
    }

    /// The next limb, past the last value: what the values before add.
    #[inline(always)]
    fn push_carry(&mut self) -> u64 {
        self.add([0; K], 0)
    }

    #[inline(always)]
    fn add(&mut self, words: [u64; K], bias: u64) -> u64 {
        let s = self.next + i128::from(words[0]);
        let mut next = s >> 64;
        if K > 1 {
            next += i128::from(words[1]);
        }
        let mut later = [0u64; K];
        if K == 3 {
            // One signed word: the top word less the bias.
            next += i128::from(self.later[0] as i64);
            later[0] = words[2].wrapping_sub(bias);
        } else if K > 3 {
            next += i128::from(self.later[0]);
            let mut carry = false;
            for j in 0..K - 2 {
                let old = if j + 3 < K { self.later[j + 1] } else { 0 };
                let (x, first) = old.overflowing_add(words[j + 2]);
                let (x, second) = x.overflowing_add(u64::from(carry));
                later[j] = x;
                carry = first || second;
            }
            debug_assert!(!carry);
        }
        self.next = next;
        self.later = later;
        s as u64
    }

    /// The limbs past the last value: a signed number in two's complement
    /// (below zero where balanced coefficients' sum is).
    fn rest(mut self) -> [u64; MAX_PRIMES] {
        std::array::from_fn(|_| self.push_carry())
    }
}

/// Recombines the residues (one vector per prime, for the first primes of
/// `F`) of coefficients cut by `packing` into a `len`-limb product, less
/// its `drop` lowest limbs, in a buffer kept by `arith`'s cache if it has
/// one of about that length (every limb is written). Chunks are recombined
/// in parallel, each with its own carry, and the chunk carries added
/// afterwards.
pub(super) fn recombine<F: Field>(
    residues: &[Vec<u64>],
    (len, drop): (usize, usize),
    packing: Packing,
    arith: Arith<'_>,
) -> Vec<u64> {
    let garner = Garner::<F>::new(residues.len(), packing);
    assemble((len, drop), packing, arith, |start, chunk| {
        garner.chunk(residues, packing, start, chunk)
    })
}

/// [`recombine`] of residues in spill files, each chunk's read back as it
/// is recombined.
pub(super) fn recombine_spilled<F: Field>(
    residues: &[Spilled<'_>],
    (len, drop): (usize, usize),
    packing: Packing,
    arith: Arith<'_>,
) -> Vec<u64> {
    let garner = Garner::<F>::new(residues.len(), packing);
    let count = residues.first().map_or(0, Spilled::len);
    assemble((len, drop), packing, arith, |start, chunk| {
        // The coefficients whose lowest bits fall in the chunk.
        let wanted = (chunk.len() * 64).div_ceil(packing.bits() as usize);
        let wanted = wanted.min(count.saturating_sub(start));
        let local: Vec<Vec<u64>> = residues
            .iter()
            .map(|spilled| {
                let mut values = fallible::filled(wanted, 0u64);
                spilled.read(start, &mut values);
                values
            })
            .collect();
        garner.chunk(&local, packing, 0, chunk)
    })
}

/// Coefficients recombined per parallel task, a multiple of [`BATCH`].
const CHUNK: usize = 1 << 13;

/// A `len`-limb product less its `drop` lowest limbs, from
/// `recombine_chunk(start, chunk)`, which sums the coefficients from
/// `start` into the limbs `chunk` (from the lowest bit of coefficient
/// `start`) and returns the limbs past it, a signed number (see
/// [`Sums::rest`]). The arithmetic is modulo `2^(64·len)`: the chunks of
/// balanced coefficients may sum below zero, their total does not.
fn assemble(
    (len, drop): (usize, usize),
    packing: Packing,
    arith: Arith<'_>,
    recombine_chunk: impl Fn(usize, &mut [u64]) -> [u64; MAX_PRIMES] + Sync,
) -> Vec<u64> {
    let chunk_limbs = CHUNK / 64 * packing.bits() as usize;
    let output =
        |len| (arith.transforms().output(len)).unwrap_or_else(|| fallible::filled(len, 0u64));
    if len < 2 * chunk_limbs {
        let mut out = output(len);
        let carry = recombine_chunk(0, &mut out);
        // Past the end: nothing, or for wrapped products of balanced limbs
        // (see `super::wrapped_in`) a value below zero.
        debug_assert!(
            carry == [0; MAX_PRIMES] || (packing.is_balanced() && carry == [u64::MAX; MAX_PRIMES])
        );
        out.drain(..drop.min(len));
        return out;
    }
    let drop = drop.min(len);
    let mut out = output(len - drop);
    // The chunk of the lowest limb kept, and those before it: their
    // limbs, but for that one's kept ones, only carry. The chunks from
    // `in_place` on are recombined in `out`.
    let first = drop / chunk_limbs;
    let in_place = if drop > 0 { first + 1 } else { 0 };
    let (mut carry, mut ripple) = ([0; MAX_PRIMES], 0);
    if drop > 0 {
        let batch = 2 * rayon::current_num_threads();
        let mut scratch = fallible::filled(batch * chunk_limbs, 0u64);
        for k in (0..in_place).step_by(batch) {
            let count = (in_place - k).min(batch);
            let carries: Vec<[u64; MAX_PRIMES]> = scratch[..count * chunk_limbs]
                .par_chunks_mut(chunk_limbs)
                .enumerate()
                .map(|(j, chunk)| {
                    arith.checkpoint();
                    let i = k + j;
                    let chunk = &mut chunk[..chunk_limbs.min(len - i * chunk_limbs)];
                    recombine_chunk(i * CHUNK, chunk)
                })
                .collect();
            for (j, next) in carries.into_iter().enumerate() {
                let i = k + j;
                let chunk =
                    &mut scratch[j * chunk_limbs..][..chunk_limbs.min(len - i * chunk_limbs)];
                ripple = add_carry(chunk, &carry) + add_ripple(chunk, ripple);
                carry = next;
                if i == first {
                    let kept = &chunk[drop - i * chunk_limbs..];
                    out[..kept.len()].copy_from_slice(kept);
                }
            }
        }
    }
    // The other chunks in place: chunk i from limb i·chunk_limbs - drop.
    let next = (in_place * chunk_limbs - drop).min(out.len());
    let carries: Vec<[u64; MAX_PRIMES]> = out[next..]
        .par_chunks_mut(chunk_limbs)
        .enumerate()
        .map(|(j, chunk)| {
            arith.checkpoint();
            let i = in_place + j;
            recombine_chunk(i * CHUNK, chunk)
        })
        .collect();
    if drop > 0 && next < out.len() {
        let rest = &mut out[next..];
        let overflow = add_carry(rest, &carry) + add_ripple(rest, ripple);
        debug_assert!(overflow == 0 || packing.is_balanced());
    }
    for (j, carry) in carries.iter().enumerate() {
        let start = next + (j + 1) * chunk_limbs;
        if start >= out.len() {
            break;
        }
        let overflow = add_carry(&mut out[start..], carry);
        debug_assert!(overflow == 0 || packing.is_balanced());
    }
    out
}

/// Adds to `rest` the signed `carry` of the chunk below it (see
/// [`Sums::rest`]); returns what carries out of its top: -1, 0 or 1.
fn add_carry(rest: &mut [u64], carry: &[u64; MAX_PRIMES]) -> i64 {
    let words = carry.len().min(rest.len());
    let mut out = i64::from(limbs::add_in_place(rest, &carry[..words]));
    if carry[MAX_PRIMES - 1] >> 63 == 1 {
        // Below zero: its sign extended, minus 1 past its words.
        match rest.get_mut(MAX_PRIMES..) {
            Some(above) => out -= i64::from(limbs::sub_in_place(above, &[1])),
            None => out -= 1,
        }
    }
    out
}

/// Adds `ripple` (-1, 0 or 1) to `rest`; returns what carries out of its
/// top.
fn add_ripple(rest: &mut [u64], ripple: i64) -> i64 {
    match ripple {
        1 => i64::from(limbs::add_in_place(rest, &[1])),
        -1 => -i64::from(limbs::sub_in_place(rest, &[1])),
        _ => 0,
    }
}

/// The top word `β` of the bias `B = β·2^128` added to each coefficient of
/// a product of balanced limbs (whose primes are `F`'s first
/// [`BALANCED_PRIMES`]): `β = floor(P / 2^129)`, `P` their product. The
/// plan keeps coefficients `x` within `P/2 - 2^128` of zero (see
/// `plan::primes_needed`), so `x + B` lies in `[0, P)`.
pub(super) fn balanced_bias<F: Field>() -> u64 {
    let primes: [u64; BALANCED_PRIMES] = std::array::from_fn(|i| F::PRIMES[i].0);
    // P - 1 has the same top words (P is odd).
    let below = value(&primes, &primes.map(|p| p - 1));
    below[2] >> 1
}

/// [`balanced_bias`]'s `B` modulo `p`.
pub(super) fn balanced_bias_mod<F: Field>(p: u64) -> u64 {
    let p = u128::from(p);
    let two_to_64 = (1u128 << 64) % p;
    let two_to_128 = two_to_64 * two_to_64 % p;
    (u128::from(balanced_bias::<F>()) % p * two_to_128 % p) as u64
}

/// `p_j^-1 mod p_i` for the first [`MAX_PRIMES`] of `primes`, `j < i`
/// (distinct primes).
const fn inverses(primes: &[(u64, u64)]) -> [[u64; MAX_PRIMES]; MAX_PRIMES] {
    let mut inverse = [[0; MAX_PRIMES]; MAX_PRIMES];
    let mut i = 0;
    while i < MAX_PRIMES && i < primes.len() {
        let mut j = 0;
        while j < i {
            inverse[i][j] = inverse_mod(primes[j].0 % primes[i].0, primes[i].0);
            j += 1;
        }
        i += 1;
    }
    inverse
}

/// `a^-1 mod p` for `a` prime to `p`, by the extended Euclidean algorithm.
const fn inverse_mod(a: u64, p: u64) -> u64 {
    let (mut r0, mut r1) = (p as i128, a as i128);
    let (mut t0, mut t1) = (0i128, 1i128);
    while r1 != 0 {
        let q = r0 / r1;
        (r0, r1) = (r1, r0 - q * r1);
        (t0, t1) = (t1, t0 - q * t1);
    }
    t0.rem_euclid(p as i128) as u64
}

#[cfg(test)]
mod tests {
    use super::super::{Double50, Montgomery52};
    use super::*;

    /// The words of [`Garner::words`] (vectors where the processor has
    /// them, and a scalar tail) against [`Garner::combine`], for each field
    /// with kernels, with the largest residues among them.
    #[test]
    fn words_agree_with_combine() {
        fn check<F: Field>() {
            for k in 1..=MAX_PRIMES {
                let garner = Garner::<F>::new(k, Packing::LIMBS);
                let residues: Vec<Vec<u64>> = (garner.fields.iter().enumerate())
                    .map(|(i, &f)| {
                        let p = f.modulus();
                        let random = crate::natural::lcg_limbs(BATCH, i as u64);
                        (random.into_iter().enumerate())
                            .map(|(c, x)| if (3..=12).contains(&c) { p - 1 } else { x % p })
                            .map(|x| f.to_montgomery(x))
                            .collect()
                    })
                    .collect();
                let (start, count) = (3, BATCH - 3);
                let mut words = [0u64; MAX_PRIMES * BATCH];
                garner.words(&residues, start, count, &mut words);
                for c in 0..count {
                    let x = garner.combine(&residues, start + c);
                    for (w, &x) in x[..k].iter().enumerate() {
                        assert_eq!(words[w * BATCH + c], x, "{k} primes, coefficient {c}");
                    }
                }
            }
        }
        check::<Montgomery52>();
        check::<Double50<4>>();
        check::<Double50<8>>();
    }
}
