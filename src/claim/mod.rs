//! Claims: the input model and how it is read.

mod builder;
pub mod model;
mod object;
pub mod quantity;
pub mod read;

pub use builder::{ClaimBuilder, LineBuilder};
pub use model::{Claim, Line, PlaceOfService, Procedure, Provider, ServiceDate};
pub use read::{normalize, parse_claim, ClaimError, RawClaim};
