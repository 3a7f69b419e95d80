//! Numbers set aside while others need the memory: in a spill file of the
//! scratch directory when the computation is held to a memory budget,
//! else kept as they are.

use super::mul::Spilled;
use super::{fallible, Arith, Natural};

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
                let mut limbs = fallible::filled(spilled.len(), 0u64);
                spilled.read(0, &mut limbs);
                Natural::from_limbs(limbs)
            }
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
}
