//! Claims: the input model and how it is read.

mod builder;
mod error;
pub mod model;
mod money;
mod normalized;
mod npi;
mod object;
mod plain;
pub mod quantity;
pub mod read;
mod shown;

pub use crate::line_attr::{LineAttr, LineAttrKind, LineValue};
pub use builder::{ClaimBuilder, LineBuilder};
pub use error::ClaimError;
pub use model::{Claim, ClaimSource, Line, PlaceOfService, Procedure, Provider, ServiceDate};
pub use model::{Patient, Sex};
pub use money::Money;
pub(crate) use normalized::diagnoses_counted;
pub use normalized::{normalize, NormalizedClaim};
pub use npi::{is_relationship_code, npi_is_valid, MAX_MEMBER_ID_CHARS};
/// The fast path of [`parse_claim`], public for the tests and the fuzz target that hold it to
/// serde's reading; not part of the API.
#[doc(hidden)]
pub use plain::read_plain;
pub use read::{parse_claim, parse_claim_reference, RawClaim};

/// The most service lines one claim may have (docs/claims.md). A claim with more is an `error`
/// result; the limit bounds the pairs the line rules and the pair edits look at.
pub const MAX_CLAIM_LINES: usize = 1000;
