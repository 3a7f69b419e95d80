//! Multiplication by number-theoretic transforms modulo three 62-bit primes.
//!
//! Each 64-bit limb is one coefficient. A coefficient of the product is below
//! `len * 2^128`, and the three primes multiply to about `2^183.7`, so the
//! Chinese remainder theorem recovers every coefficient exactly for any
//! length up to `2^55` limbs. Arithmetic is Montgomery's, with `R = 2^64`.

/// Primes `c * 2^k + 1` (k >= 55) with a generator of their multiplicative group.
const PRIMES: [(u64, u64); 3] = [
    (4_179_340_454_199_820_289, 3), // 29 * 2^57 + 1
    (2_485_986_994_308_513_793, 5), // 69 * 2^55 + 1
    (1_945_555_039_024_054_273, 5), // 27 * 2^56 + 1
];

/// Arithmetic modulo one odd prime `p < 2^62`.
#[derive(Clone, Copy)]
struct Field {
    p: u64,
    /// `p^-1 mod 2^64`.
    p_inv: u64,
    /// `2^128 mod p`, which maps a value into Montgomery form.
    r2: u64,
}

impl Field {
    fn new(p: u64) -> Field {
        let mut p_inv = p; // correct to 3 bits for odd p; each step doubles that
        for _ in 0..5 {
            p_inv = p_inv.wrapping_mul(2u64.wrapping_sub(p.wrapping_mul(p_inv)));
        }
        let r = ((1u128 << 64) % u128::from(p)) as u64;
        let r2 = (u128::from(r) * u128::from(r) % u128::from(p)) as u64;
        Field { p, p_inv, r2 }
    }

    // Branch-free: data-dependent branches mispredict half the time here.
    #[inline(always)]
    fn add(self, a: u64, b: u64) -> u64 {
        let s = a + b;
        s.min(s.wrapping_sub(self.p))
    }

    #[inline(always)]
    fn sub(self, a: u64, b: u64) -> u64 {
        let d = a.wrapping_sub(b);
        d.min(d.wrapping_add(self.p))
    }

    /// `a * b / 2^64 mod p`: with one factor in Montgomery form the result is
    /// in the other factor's form.
    #[inline(always)]
    fn mul(self, a: u64, b: u64) -> u64 {
        let t = u128::from(a) * u128::from(b);
        let m = (t as u64).wrapping_mul(self.p_inv);
        let mp = ((u128::from(m) * u128::from(self.p)) >> 64) as u64;
        let r = ((t >> 64) as u64).wrapping_sub(mp);
        r.min(r.wrapping_add(self.p))
    }

    fn to_montgomery(self, a: u64) -> u64 {
        self.mul(a % self.p, self.r2)
    }

    /// `base^exp` for `base` in Montgomery form, in Montgomery form.
    fn pow(self, base: u64, mut exp: u64) -> u64 {
        let mut result = self.to_montgomery(1);
        let mut b = base;
        while exp > 0 {
            if exp & 1 == 1 {
                result = self.mul(result, b);
            }
            b = self.mul(b, b);
            exp >>= 1;
        }
        result
    }

    fn inverse(self, a_montgomery: u64) -> u64 {
        self.pow(a_montgomery, self.p - 2)
    }
}

/// Twiddle factors for transforms of length `n`, in Montgomery form:
/// `forward[m + j] = w_{2m}^j` and `inverse[m + j] = w_{2m}^-j` for each
/// half-length `m` and `j < m`, where `w_{2m}` is a primitive `2m`-th root.
struct Twiddles {
    forward: Vec<u64>,
    inverse: Vec<u64>,
}

impl Twiddles {
    fn new(f: Field, generator: u64, n: usize) -> Twiddles {
        let mut forward = vec![0u64; n.max(2)];
        let mut inverse = vec![0u64; n.max(2)];
        let g = f.to_montgomery(generator);
        let mut m = 1;
        while m < n {
            let w = f.pow(g, (f.p - 1) / (2 * m as u64));
            let w_inv = f.inverse(w);
            let (mut x, mut y) = (f.to_montgomery(1), f.to_montgomery(1));
            for j in 0..m {
                forward[m + j] = x;
                inverse[m + j] = y;
                x = f.mul(x, w);
                y = f.mul(y, w_inv);
            }
            m *= 2;
        }
        Twiddles { forward, inverse }
    }
}

/// Decimation-in-frequency transform: natural order in, bit-reversed out.
fn forward(f: Field, t: &Twiddles, a: &mut [u64]) {
    let mut m = a.len() / 2;
    while m >= 1 {
        let w = &t.forward[m..2 * m];
        for block in a.chunks_exact_mut(2 * m) {
            let (lo, hi) = block.split_at_mut(m);
            for ((x, y), &w) in lo.iter_mut().zip(hi.iter_mut()).zip(w) {
                let (u, v) = (*x, *y);
                *x = f.add(u, v);
                *y = f.mul(f.sub(u, v), w);
            }
        }
        m /= 2;
    }
}

/// Decimation-in-time inverse of [`forward`] times `a.len()`: bit-reversed
/// order in, natural out.
fn inverse(f: Field, t: &Twiddles, a: &mut [u64]) {
    let mut m = 1;
    while m < a.len() {
        let w = &t.inverse[m..2 * m];
        for block in a.chunks_exact_mut(2 * m) {
            let (lo, hi) = block.split_at_mut(m);
            for ((x, y), &w) in lo.iter_mut().zip(hi.iter_mut()).zip(w) {
                let u = *x;
                let v = f.mul(*y, w);
                *x = f.add(u, v);
                *y = f.sub(u, v);
            }
        }
        m *= 2;
    }
}

/// The cyclic convolution of `a` and `b` (`None`: square `a`) of length `n`,
/// modulo one prime.
fn convolution(prime: usize, a: &[u64], b: Option<&[u64]>, n: usize) -> Vec<u64> {
    let (p, generator) = PRIMES[prime];
    let f = Field::new(p);
    let t = Twiddles::new(f, generator, n);
    let load = |src: &[u64]| {
        let mut v = vec![0u64; n];
        for (d, &s) in v.iter_mut().zip(src) {
            *d = s % p;
        }
        forward(f, &t, &mut v);
        v
    };
    let mut fa = load(a);
    let fb = b.map(load);
    // Pointwise products carry a factor 2^-64; this scale restores it and divides by n.
    let n_inv = f.inverse(f.to_montgomery(n as u64));
    let scale = f.mul(n_inv, f.r2);
    match &fb {
        Some(fb) => {
            for (x, &y) in fa.iter_mut().zip(fb) {
                *x = f.mul(f.mul(*x, y), scale);
            }
        }
        None => {
            for x in fa.iter_mut() {
                *x = f.mul(f.mul(*x, *x), scale);
            }
        }
    }
    inverse(f, &t, &mut fa);
    fa
}

/// Recombines the residues of every coefficient and propagates carries into
/// a `len`-limb product.
fn recombine(residues: [Vec<u64>; 3], len: usize) -> Vec<u64> {
    let [f0, f1, f2] = PRIMES.map(|(p, _)| Field::new(p));
    let (p0, p1) = (f0.p, f1.p);
    // Inverses computed in Montgomery form: multiplying a plain value by them
    // gives a plain value.
    let inv_p0_mod_p1 = f1.inverse(f1.to_montgomery(p0));
    let p0_mod_p2 = f2.to_montgomery(p0);
    let inv_p0p1_mod_p2 = f2.inverse(f2.mul(f2.to_montgomery(p0), f2.to_montgomery(p1)));
    let p0p1 = u128::from(p0) * u128::from(p1);
    let (p0p1_lo, p0p1_hi) = (p0p1 as u64, (p0p1 >> 64) as u64);

    let mut out = vec![0u64; len];
    // The running carry, below 2^128.
    let (mut c0, mut c1) = (0u64, 0u64);
    let [r0, r1, r2] = residues;
    for (i, o) in out.iter_mut().enumerate() {
        let (x0, x1, x2) = if i < r0.len() {
            let v0 = r0[i];
            let v0_mod_p1 = if v0 >= p1 { v0 - p1 } else { v0 };
            let v1 = f1.mul(f1.sub(r1[i], v0_mod_p1), inv_p0_mod_p1);
            let v0_mod_p2 = v0 % f2.p;
            let v1_mod_p2 = if v1 >= f2.p { v1 - f2.p } else { v1 };
            let t = f2.sub(f2.sub(r2[i], v0_mod_p2), f2.mul(v1_mod_p2, p0_mod_p2));
            let v2 = f2.mul(t, inv_p0p1_mod_p2);
            // x = v0 + v1 * p0 + v2 * p0 * p1, a number of up to three limbs.
            let low = u128::from(v0) + u128::from(v1) * u128::from(p0);
            let mid = u128::from(v2) * u128::from(p0p1_lo);
            let high = u128::from(v2) * u128::from(p0p1_hi);
            let (s, carry) = low.overflowing_add(mid);
            let x0 = s as u64;
            let upper = (s >> 64) + high + (u128::from(carry) << 64);
            (x0, upper as u64, (upper >> 64) as u64)
        } else {
            (0, 0, 0)
        };
        let (s0, k0) = c0.overflowing_add(x0);
        let (s1a, k1a) = c1.overflowing_add(x1);
        let (s1, k1b) = s1a.overflowing_add(u64::from(k0));
        let s2 = x2 + u64::from(k1a) + u64::from(k1b);
        *o = s0;
        (c0, c1) = (s1, s2);
    }
    debug_assert!(c0 == 0 && c1 == 0);
    out
}

fn transform_len(product_len: usize) -> usize {
    product_len.next_power_of_two()
}

/// The product of `a` and `b`, `a.len() + b.len()` limbs long (untrimmed).
pub(super) fn mul(a: &[u64], b: &[u64]) -> Vec<u64> {
    let len = a.len() + b.len();
    let n = transform_len(len);
    let residues = [0, 1, 2].map(|i| convolution(i, a, Some(b), n));
    recombine(residues, len)
}

/// The square of `a`, `2 * a.len()` limbs long (untrimmed).
pub(super) fn square(a: &[u64]) -> Vec<u64> {
    let len = 2 * a.len();
    let n = transform_len(len);
    let residues = [0, 1, 2].map(|i| convolution(i, a, None, n));
    recombine(residues, len)
}
