//! Schoolbook rows with BMI2 and ADX: each limb product by `mulx`, its low
//! half added to the row below by `adcx` (the carry flag's chain) and the
//! previous product's high half by `adox` (the overflow flag's chain), so
//! that the two carry chains run side by side. The product is exactly the
//! portable schoolbook's.

use super::KernelFamily;

/// Whether [`product_into_zeros`] runs: the chosen kernel family is one of
/// the double-precision ones (AVX2 or AVX-512F; AVX-512 IFMA has its own
/// vector schoolbook, the portable family runs portable code) and the
/// processor has BMI2 and ADX.
pub(crate) fn available() -> bool {
    static AVAILABLE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        matches!(
            super::kernel_family(),
            KernelFamily::Avx2 | KernelFamily::Avx512F
        ) && detected()
    })
}

/// Whether the processor has BMI2 and ADX.
fn detected() -> bool {
    #[cfg(target_arch = "x86_64")]
    return is_x86_feature_detected!("bmi2") && is_x86_feature_detected!("adx");
    #[cfg(not(target_arch = "x86_64"))]
    false
}

/// `out = a·b` for `out` zero and exactly `a.len() + b.len()` limbs long:
/// `true`; `false` (nothing done) where the kernel does not run.
pub(crate) fn product_into_zeros(out: &mut [u64], a: &[u64], b: &[u64]) -> bool {
    // `available` implies `detected`.
    available() && product_on_detected(out, a, b)
}

/// [`product_into_zeros`] whatever the kernel family, where the processor
/// has BMI2 and ADX.
#[cfg(test)]
pub(crate) fn rows(out: &mut [u64], a: &[u64], b: &[u64]) -> bool {
    detected() && product_on_detected(out, a, b)
}

/// [`product_into_zeros`] once [`detected`] returned `true`.
fn product_on_detected(out: &mut [u64], a: &[u64], b: &[u64]) -> bool {
    if a.is_empty() || out.len() != a.len() + b.len() {
        return false;
    }
    // SAFETY: the callers checked `detected`: the processor has BMI2 and
    // ADX; `out` is `a.len() + b.len()` limbs, `a` at least one.
    #[cfg(target_arch = "x86_64")]
    unsafe {
        x86::product(out, a, b)
    };
    cfg!(target_arch = "x86_64")
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::asm;

    /// `out = a·b` for `out` zero, `a.len() + b.len()` limbs long.
    ///
    /// # Safety
    /// The processor must have BMI2 and ADX; `a` must not be empty.
    #[target_feature(enable = "bmi2,adx")]
    pub(super) unsafe fn product(out: &mut [u64], a: &[u64], b: &[u64]) {
        for (i, &bi) in b.iter().enumerate() {
            // SAFETY: as the caller promised; each row is `a.len() + 1`
            // limbs of `out`.
            unsafe { add_row(&mut out[i..=i + a.len()], a, bi) };
        }
    }

    /// `row[..n] += a·b` and `row[n]` set to the carry out, for `row` of
    /// `n + 1` limbs, `n = a.len()` at least one, whose last limb is
    /// overwritten.
    ///
    /// # Safety
    /// The processor must have BMI2 and ADX; `row.len() == a.len() + 1`,
    /// `a` not empty.
    #[inline]
    #[target_feature(enable = "bmi2,adx")]
    unsafe fn add_row(row: &mut [u64], a: &[u64], b: u64) {
        debug_assert!(!a.is_empty() && row.len() == a.len() + 1);
        let (singles, quads) = (a.len() % 4, a.len() / 4);
        // SAFETY: the loops read `a.len()` limbs of `a` and read and write
        // as many of `row`, then write `row[a.len()]`, all in bounds as the
        // caller promised. Nothing between the additions changes the
        // flags (`lea`, `mov`, `jrcxz` and `jmp` leave them), so the two
        // chains carry across iterations; the last limb takes what is left
        // on both, which cannot overflow: the row's value stays below
        // `2^(64·(n+1))`.
        unsafe {
            asm!(
                "xor {prev:e}, {prev:e}",
                "jrcxz 3f",
                "2:",
                "mulx {hi}, {lo}, qword ptr [{a}]",
                "adcx {lo}, qword ptr [{out}]",
                "adox {lo}, {prev}",
                "mov qword ptr [{out}], {lo}",
                "mov {prev}, {hi}",
                "lea {a}, [{a} + 8]",
                "lea {out}, [{out} + 8]",
                "lea rcx, [rcx - 1]",
                "jrcxz 3f",
                "jmp 2b",
                "3:",
                "mov rcx, {quads}",
                "jrcxz 5f",
                "4:",
                "mulx {hi}, {lo}, qword ptr [{a}]",
                "adcx {lo}, qword ptr [{out}]",
                "adox {lo}, {prev}",
                "mov qword ptr [{out}], {lo}",
                "mulx {prev}, {lo}, qword ptr [{a} + 8]",
                "adcx {lo}, qword ptr [{out} + 8]",
                "adox {lo}, {hi}",
                "mov qword ptr [{out} + 8], {lo}",
                "mulx {hi}, {lo}, qword ptr [{a} + 16]",
                "adcx {lo}, qword ptr [{out} + 16]",
                "adox {lo}, {prev}",
                "mov qword ptr [{out} + 16], {lo}",
                "mulx {prev}, {lo}, qword ptr [{a} + 24]",
                "adcx {lo}, qword ptr [{out} + 24]",
                "adox {lo}, {hi}",
                "mov qword ptr [{out} + 24], {lo}",
                "lea {a}, [{a} + 32]",
                "lea {out}, [{out} + 32]",
                "lea rcx, [rcx - 1]",
                "jrcxz 5f",
                "jmp 4b",
                "5:",
                "mov {lo:e}, 0",
                "adcx {prev}, {lo}",
                "adox {prev}, {lo}",
                "mov qword ptr [{out}], {prev}",
                a = inout(reg) a.as_ptr() => _,
                out = inout(reg) row.as_mut_ptr() => _,
                quads = in(reg) quads,
                prev = out(reg) _,
                hi = out(reg) _,
                lo = out(reg) _,
                inout("rcx") singles => _,
                in("rdx") b,
                options(nostack),
            );
        }
    }
}
