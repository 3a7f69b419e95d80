//! Numbers set aside while others need the memory: in a spill file of the
//! scratch directory when the computation is held to a memory budget,
//! else kept as they are.

use std::borrow::Cow;

use super::mul::{Source, Spilled};
use super::{Arith, Natural};

/// A number set aside by [`Parked::new`], to be taken back by
/// [`Parked::restore`].
pub(crate) struct Parked<'a>(Place<'a>);

/// Where a parked number is.
enum Place<'a> {
    Kept(Natural),
    Spilled(Spilled<'a>),
}

impl<'a> Parked<'a> {
    /// `x` set aside: written to a spill file and freed where `arith`
    /// spills the products of its length (see [`Arith::spill_for`]), else
    /// kept.
    pub(crate) fn new(x: Natural, arith: Arith<'a>) -> Parked<'a> {
        Parked(match arith.spill_for(x.limbs().len()) {
            Some(spill) => Place::Spilled(Spilled::write(spill, x.limbs())),
            None => Place::Kept(x),
        })
    }

    /// The number set aside, read back if it was written.
    pub(crate) fn restore(self) -> Natural {
        match self.0 {
            Place::Kept(x) => x,
            Place::Spilled(spilled) => {
                Natural::from_limbs(Source::Spilled(&spilled).load().into_owned())
            }
        }
    }

    /// The number, read back (and kept where it is) if it was written.
    pub(crate) fn load(&self) -> Cow<'_, Natural> {
        match &self.0 {
            Place::Kept(x) => Cow::Borrowed(x),
            Place::Spilled(spilled) => Cow::Owned(Natural::from_limbs(
                Source::Spilled(spilled).load().into_owned(),
            )),
        }
    }

    /// How many limbs the number has.
    pub(crate) fn len(&self) -> usize {
        self.source().len()
    }

    /// How many bits the number has.
    pub(crate) fn bit_len(&self) -> u64 {
        match &self.0 {
            Place::Kept(x) => x.bit_len(),
            Place::Spilled(spilled) => {
                let Some(below) = spilled.len().checked_sub(1) else {
                    return 0;
                };
                let mut top = [0u64];
                spilled.read(below, &mut top);
                64 * below as u64 + u64::from(64 - top[0].leading_zeros())
            }
        }
    }

    /// Where its limbs are, for products that read them where they need
    /// them (see [`Natural::sums_of_parked`]).
    pub(in crate::natural) fn source(&self) -> Source<'_> {
        match &self.0 {
            Place::Kept(x) => Source::Memory(x.limbs()),
            Place::Spilled(spilled) => Source::Spilled(spilled),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;

    use super::super::mul::TestSpill;
    use super::*;

    /// A number from the spill's threshold goes to a file and comes back
    /// the same; a shorter one stays in memory.
    #[test]
    fn parked_numbers_come_back() {
        let spill = TestSpill::new(1000);
        let arith = Arith::shared().spilling(&spill);
        for limbs in [0, 1, 999, 1000, 70_001] {
            let x = Natural::from_limbs(super::super::lcg_limbs(limbs, 5));
            let parked = Parked::new(x.clone(), arith);
            let written = spill.written.swap(0, Ordering::Relaxed);
            assert_eq!(written > 0, x.limbs().len() >= 1000, "{limbs}");
            assert_eq!(parked.restore(), x, "{limbs}");
            assert_eq!(spill.read.swap(0, Ordering::Relaxed), written, "{limbs}");
        }
    }

    /// Sums of products of parked numbers (read back one at a time where
    /// the transforms wait on disk) equal those of the numbers in memory.
    #[test]
    fn sums_of_parked_numbers() {
        let spill = TestSpill::new(1000);
        let arith = Arith::shared().spilling(&spill);
        let numbers: Vec<Natural> = [30_000, 29_000, 500, 31_000]
            .into_iter()
            .zip(1..)
            .map(|(limbs, seed)| Natural::from_limbs(super::super::lcg_limbs(limbs, seed)))
            .collect();
        let parked: Vec<Parked<'_>> = numbers
            .iter()
            .map(|x| Parked::new(x.clone(), arith))
            .collect();
        let (numbers, parked): (Vec<&Natural>, Vec<&Parked<'_>>) =
            (numbers.iter().collect(), parked.iter().collect());
        let sums: &[&[(usize, usize)]] = &[&[(0, 1), (2, 3)], &[(1, 1)], &[(3, 0)]];
        for drop in [0, 100] {
            let expected = Natural::sums_of_products(&numbers, sums, drop, Arith::shared());
            spill.read.store(0, Ordering::Relaxed);
            let got = Natural::sums_of_parked(&parked, sums, drop, arith);
            assert_eq!(got, expected, "drop {drop}");
            assert!(spill.read.load(Ordering::Relaxed) > 0, "drop {drop}");
        }
    }
}
