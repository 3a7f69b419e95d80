//! Schoolbook multiplication, quadratic: the fastest for short operands.

/// The product of `a` and `b`, `a.len() + b.len()` limbs long (untrimmed).
pub(super) fn mul(a: &[u64], b: &[u64]) -> Vec<u64> {
    let mut out = vec![0u64; a.len() + b.len()];
    for (i, &bi) in b.iter().enumerate() {
        let mut carry = 0u64;
        for (o, &aj) in out[i..].iter_mut().zip(a) {
            let t = u128::from(aj) * u128::from(bi) + u128::from(*o) + u128::from(carry);
            *o = t as u64;
            carry = (t >> 64) as u64;
        }
        out[i + a.len()] = carry;
    }
    out
}
