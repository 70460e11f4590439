//! Claims: the input model and how it is read.

pub mod model;
mod object;
pub mod quantity;
pub mod read;

pub use model::{Claim, Line, Procedure, Provider};
pub use read::{normalize, parse_claim, ClaimError, RawClaim};
