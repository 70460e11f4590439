//! Claims as they arrive: JSON (one object, an array, or NDJSON) and X12 837P, read as a
//! stream so that memory stays flat whatever the input's size.
//!
//! A reader turns bytes into [`InputItem`]s, one per claim (an X12 claim with several dates of
//! service gives one per date). Reading never stops at a bad claim: what cannot be read becomes
//! an [`ClaimInput::Unreadable`] item naming its input line, and the next claim is read.

pub mod json;
pub mod limits;
pub mod x12;

use std::io::{self, BufRead, Read};

use crate::claim::{Claim, ClaimError, RawClaim};

/// The UTF-8 byte-order mark, which either format may start with.
pub(crate) const BOM: &[u8] = b"\xEF\xBB\xBF";

/// `bytes` without a leading byte-order mark.
pub(crate) fn without_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(BOM).unwrap_or(bytes)
}

/// One claim as a reader found it, not yet judged.
#[derive(Debug, Clone)]
pub enum ClaimInput {
    /// A claim's JSON text, parsed by whichever worker judges it.
    Json(RawClaim),
    /// A claim already in the claim model (read from X12), with the input line it starts on.
    Claim { claim: Box<Claim>, line: u64 },
    /// A claim that could not be read: it is judged `error` with these reasons.
    Unreadable {
        id: Option<String>,
        errors: Vec<ClaimError>,
    },
}

/// A claim and how far into its input the reader had got when it was read, for progress.
#[derive(Debug, Clone)]
pub struct InputItem {
    pub claim: ClaimInput,
    /// Bytes of the input consumed up to the end of this claim.
    pub offset: u64,
}

impl ClaimInput {
    /// A claim that could not be read, for one reason found at an input line.
    pub fn unreadable(line: u64, message: impl Into<String>) -> ClaimInput {
        ClaimInput::Unreadable {
            id: None,
            errors: vec![ClaimError {
                message: message.into(),
                path: None,
                line: Some(line),
            }],
        }
    }
}

/// The format an input is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    /// JSON: one claim object, an array of claims, or NDJSON.
    Json,
    /// X12 837P (005010X222A1/A2) professional claims.
    X12,
}

impl InputFormat {
    /// The format of an input from its first bytes: X12 when it starts with `ISA` (after any
    /// byte-order mark or whitespace), else JSON.
    pub fn detect(start: &[u8]) -> InputFormat {
        let start = without_bom(start);
        let first = start.iter().position(|b| !b.is_ascii_whitespace());
        match first {
            Some(i) if start[i..].starts_with(b"ISA") => InputFormat::X12,
            _ => InputFormat::Json,
        }
    }
}

/// A reader with the bytes already looked at put back in front.
pub type Peeked<R> = io::Chain<io::Cursor<Vec<u8>>, R>;

/// Reads the start of `reader`, until `enough` says so, the input ends, or `max` bytes, and
/// gives back a reader that yields those bytes again, then the rest.
pub(crate) fn peek<R: BufRead>(
    mut reader: R,
    max: usize,
    mut enough: impl FnMut(&[u8]) -> bool,
) -> Peeked<R> {
    let mut prefix = Vec::new();
    while prefix.len() < max && !enough(&prefix) {
        let taken = match reader.fill_buf() {
            Ok([]) => break,
            Ok(buf) => {
                let take = buf.len().min(max - prefix.len());
                prefix.extend_from_slice(&buf[..take]);
                take
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            // The same error comes back when the claims are read, and is reported there.
            Err(_) => break,
        };
        reader.consume(taken);
    }
    io::Cursor::new(prefix).chain(reader)
}

/// The bytes a [`peek`] looked at.
pub(crate) trait PeekedPrefix {
    fn prefix(&self) -> &[u8];
}

impl<R> PeekedPrefix for Peeked<R> {
    fn prefix(&self) -> &[u8] {
        self.get_ref().0.get_ref()
    }
}

/// The claims of one input, in input order, whatever its format.
pub enum Claims<R: BufRead> {
    Json(json::JsonClaims<R>),
    /// Boxed: the X12 reader carries its loop state, far more than the JSON splitter.
    X12(Box<x12::X12Claims<R>>),
}

impl<R: BufRead> Claims<R> {
    /// Reads claims in `format`, or in the format the input's first bytes show.
    pub fn new(reader: R, format: Option<InputFormat>) -> Claims<Peeked<R>> {
        let reader = peek(reader, 1024, |p| {
            p.iter().filter(|b| !b.is_ascii_whitespace()).count() >= 6
        });
        match format.unwrap_or_else(|| InputFormat::detect(reader.prefix())) {
            InputFormat::Json => Claims::Json(json::JsonClaims::new(reader)),
            InputFormat::X12 => Claims::X12(Box::new(x12::X12Claims::new(reader))),
        }
    }
}

impl<R: BufRead> Iterator for Claims<R> {
    type Item = InputItem;

    fn next(&mut self) -> Option<InputItem> {
        match self {
            Claims::Json(claims) => claims.next(),
            Claims::X12(claims) => claims.next(),
        }
    }
}
