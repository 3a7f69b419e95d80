//! The base in which digits are written.

use crate::Error;

/// The base in which digits are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Base {
    /// Base 10.
    #[default]
    Decimal,
    /// Base 16, in lowercase.
    Hexadecimal,
}

impl Base {
    /// The radix: 10 or 16.
    pub fn radix(self) -> u32 {
        match self {
            Base::Decimal => 10,
            Base::Hexadecimal => 16,
        }
    }
}

impl TryFrom<u32> for Base {
    type Error = Error;

    /// Accepts 10 and 16.
    fn try_from(radix: u32) -> Result<Base, Error> {
        match radix {
            10 => Ok(Base::Decimal),
            16 => Ok(Base::Hexadecimal),
            other => Err(Error::InvalidBase(other)),
        }
    }
}
