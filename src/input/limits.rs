//! The size limits on one claim (docs/claims.md). A claim over a limit is judged `error` with
//! its input line; the claims after it are still read. They bound the memory a reader and a
//! worker hold for one claim, whatever the input.

/// The most bytes one claim's text may take: an NDJSON line, an array element, or one object.
pub const MAX_CLAIM_BYTES: usize = 1 << 20;

/// The most service lines one claim may have: the claim's own limit.
pub use crate::claim::MAX_CLAIM_LINES;

/// The most bytes one X12 segment may take.
pub const MAX_SEGMENT_BYTES: usize = 64 * 1024;
