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

use crate::claim::{ClaimError, NormalizedClaim, RawClaim};

/// The UTF-8 byte-order mark, which either format may start with.
pub(crate) const BOM: &[u8] = b"\xEF\xBB\xBF";

/// `bytes` without a leading byte-order mark.
pub(crate) fn without_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(BOM).unwrap_or(bytes)
}

/// A claim read and normalized ([`ClaimInput::normalized`]), or why it cannot be: its id when
/// found, and every error with its input line.
pub type ReadClaim<'a> =
    Result<std::borrow::Cow<'a, NormalizedClaim>, (Option<String>, Vec<ClaimError>)>;

/// One claim as a reader found it, not yet judged.
#[derive(Debug, Clone)]
pub enum ClaimInput {
    /// A claim's JSON text, parsed by whichever worker judges it.
    Json(RawClaim),
    /// A claim already in the claim model (read from X12) and normalized, with the input line
    /// it starts on.
    Claim {
        /// The claim, as the reader built and normalized it.
        claim: Box<NormalizedClaim>,
        /// The 1-based input line it starts on.
        line: u64,
    },
    /// A claim that could not be read: it is judged `error` with these reasons.
    Unreadable {
        /// The claim's id, when it could be found.
        id: Option<String>,
        /// Why it could not be read.
        errors: Vec<ClaimError>,
    },
}

/// A claim and how far into its input the reader had got when it was read, for progress.
#[derive(Debug, Clone)]
pub struct InputItem {
    /// The claim.
    pub claim: ClaimInput,
    /// Bytes of the input consumed up to the end of this claim.
    pub offset: u64,
}

impl ClaimInput {
    /// The claim read and normalized, or why it cannot be: its id when found, and every error,
    /// each with its input line. A JSON claim is parsed here; an X12 claim is lent as it is.
    #[allow(clippy::result_large_err)]
    pub fn normalized(&self) -> ReadClaim<'_> {
        self.read_by(crate::claim::parse_claim)
    }

    /// [`ClaimInput::normalized`], a JSON claim read by `parse` (`crate::claim::read::parser`).
    #[allow(clippy::result_large_err)]
    pub(crate) fn read_by(
        &self,
        parse: fn(&RawClaim) -> crate::claim::read::Parsed,
    ) -> ReadClaim<'_> {
        match self {
            ClaimInput::Json(raw) => {
                parse(raw)
                    .map(std::borrow::Cow::Owned)
                    .map_err(|(id, mut errors)| {
                        for e in &mut errors {
                            e.line.get_or_insert(raw.line);
                        }
                        (id, errors)
                    })
            }
            ClaimInput::Claim { claim, .. } => Ok(std::borrow::Cow::Borrowed(&**claim)),
            ClaimInput::Unreadable { id, errors } => Err((id.clone(), errors.clone())),
        }
    }

    /// The input line the claim starts on, when known.
    pub fn line(&self) -> Option<u64> {
        match self {
            ClaimInput::Json(raw) => Some(raw.line),
            ClaimInput::Claim { line, .. } => Some(*line),
            ClaimInput::Unreadable { errors, .. } => errors.iter().find_map(|e| e.line),
        }
    }

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

/// How many bytes at most are looked at to find an input's first non-blank bytes.
const DETECT_BYTES: usize = 64 * 1024;

/// How many bytes after its first non-blank byte are looked at to tell an input's format (and
/// to quote its start when it is neither format).
const DETECT_AFTER: usize = 96;

/// How many characters of an input's start the error for an input in neither format quotes.
const QUOTED_CHARS: usize = 20;

impl InputFormat {
    /// The format an input's first non-blank bytes show (after any byte-order mark): `ISA` is
    /// X12, `{` or `[` is JSON, and an input with no non-blank byte is JSON (it holds no
    /// claims). Anything else is neither: `None`.
    pub fn detect(start: &[u8]) -> Option<InputFormat> {
        let start = without_bom(start);
        let Some(first) = start.iter().position(|b| !b.is_ascii_whitespace()) else {
            return Some(InputFormat::Json);
        };
        let start = &start[first..];
        if start.starts_with(b"ISA") {
            Some(InputFormat::X12)
        } else if start.starts_with(b"{") || start.starts_with(b"[") {
            Some(InputFormat::Json)
        } else {
            None
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
    /// JSON claims, split one by one.
    Json(json::JsonClaims<R>),
    /// Boxed: the X12 reader carries its loop state, far more than the JSON splitter.
    X12(Box<x12::X12Claims<R>>),
    /// Under auto detection, an input that is neither JSON nor X12: one error for the whole
    /// input, which is not read further.
    Neither(Option<NotClaims>),
}

/// An input in neither format: where its text starts and what it starts with.
pub struct NotClaims {
    /// The 1-based line of its first non-blank byte.
    line: u64,
    /// Its first characters, as quoted in the error.
    start: String,
    /// Bytes looked at.
    offset: u64,
    /// The input's name (a file's path), when the caller gave one.
    name: Option<String>,
}

impl NotClaims {
    fn of(prefix: &[u8]) -> NotClaims {
        let body = without_bom(prefix);
        let first = body
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(body.len());
        let before = &prefix[..prefix.len() - body.len() + first];
        let line = 1 + before.iter().filter(|b| **b == b'\n').count() as u64;
        let rest = &body[first..];
        let end = rest
            .iter()
            .position(|b| matches!(b, b'\n' | b'\r'))
            .unwrap_or(rest.len());
        let text = String::from_utf8_lossy(&rest[..end]);
        let mut start = String::new();
        for (i, c) in text.chars().enumerate() {
            if i == QUOTED_CHARS {
                start.push('…');
                break;
            }
            if c.is_control() {
                start.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
            } else {
                start.push(c);
            }
        }
        NotClaims {
            line,
            start,
            offset: prefix.len() as u64,
            name: None,
        }
    }

    fn item(self) -> InputItem {
        let who = match &self.name {
            Some(name) => format!("`{name}`"),
            None => "the input".to_string(),
        };
        InputItem {
            claim: ClaimInput::unreadable(
                self.line,
                format!(
                    "{who} is neither JSON claims nor an X12 interchange: it starts with `{}`, not `{{`, `[` or `ISA`",
                    self.start
                ),
            ),
            offset: self.offset,
        }
    }
}

impl<R: BufRead> Claims<R> {
    /// Reads claims in `format`, or in the format the input's first non-blank bytes show
    /// ([`InputFormat::detect`]). Under detection, an input in neither format gives one
    /// `Unreadable` item and nothing more.
    pub fn new(reader: R, format: Option<InputFormat>) -> Claims<Peeked<R>> {
        let reader = peek(reader, DETECT_BYTES, |p| {
            let body = without_bom(p);
            body.iter()
                .position(|b| !b.is_ascii_whitespace())
                .is_some_and(|i| {
                    let rest = &body[i..];
                    rest.len() >= DETECT_AFTER || rest.contains(&b'\n')
                })
        });
        let format = match format {
            Some(format) => Some(format),
            None => InputFormat::detect(reader.prefix()),
        };
        match format {
            Some(InputFormat::Json) => Claims::Json(json::JsonClaims::new(reader)),
            Some(InputFormat::X12) => Claims::X12(Box::new(x12::X12Claims::new(reader))),
            None => Claims::Neither(Some(NotClaims::of(reader.prefix()))),
        }
    }

    /// Names the input (a file's path) in the error for an input in neither format, instead
    /// of "the input".
    pub fn named(mut self, name: &str) -> Self {
        if let Claims::Neither(Some(not)) = &mut self {
            not.name = Some(name.to_string());
        }
        self
    }
}

impl<R: BufRead> Iterator for Claims<R> {
    type Item = InputItem;

    fn next(&mut self) -> Option<InputItem> {
        match self {
            Claims::Json(claims) => claims.next(),
            Claims::X12(claims) => claims.next(),
            Claims::Neither(not) => not.take().map(NotClaims::item),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::json_object(b"  {\"id\": 1}", Some(InputFormat::Json))]
    #[case::json_array(b"\xEF\xBB\xBF\n[", Some(InputFormat::Json))]
    #[case::x12(b"\r\nISA*00", Some(InputFormat::X12))]
    #[case::empty(b"", Some(InputFormat::Json))]
    #[case::blank(b" \n\t", Some(InputFormat::Json))]
    #[case::text(b"hello world", None)]
    #[case::json_null(b"null", None)]
    #[case::is_not_isa(b"IS\nA", None)]
    fn detect(#[case] start: &[u8], #[case] expected: Option<InputFormat>) {
        assert_eq!(InputFormat::detect(start), expected);
    }

    fn errors(input: &[u8], name: Option<&str>) -> Vec<ClaimError> {
        let claims = Claims::new(input, None);
        let claims = match name {
            Some(n) => claims.named(n),
            None => claims,
        };
        claims
            .flat_map(|item| match item.claim {
                ClaimInput::Unreadable { id: None, errors } => errors,
                other => panic!("not one error: {other:?}"),
            })
            .collect()
    }

    #[rstest]
    #[case::one_line(b"hello world\n", "`hello world`", 1)]
    #[case::many_lines(
        b"\n\n  hello world, this is a long line\nsecond\nthird\n",
        "`hello world, this is…`",
        3
    )]
    #[case::control(b"\x1f\x8b\x08binary", "`\\u{1f}�\\u{8}binary`", 1)]
    #[case::non_utf8_cut(b"caf\xC3", "`caf�`", 1)]
    fn neither_is_one_error_quoting_the_start(
        #[case] input: &[u8],
        #[case] start: &str,
        #[case] line: u64,
    ) {
        let errors = errors(input, None);
        assert_eq!(
            errors,
            [ClaimError {
                message: format!(
                    "the input is neither JSON claims nor an X12 interchange: it starts with {start}, not `{{`, `[` or `ISA`"
                ),
                path: None,
                line: Some(line),
            }]
        );
    }

    #[test]
    fn a_named_input_is_named() {
        let errors = errors(b"a,b\n1,2\n", Some("claims.csv"));
        assert_eq!(errors.len(), 1);
        assert!(errors[0]
            .message
            .starts_with("`claims.csv` is neither JSON claims nor an X12 interchange"));
    }

    #[test]
    fn a_forced_format_reads_anyway() {
        let lines: Vec<InputItem> =
            Claims::new(&b"hello\n{\"id\":1}\n"[..], Some(InputFormat::Json)).collect();
        assert_eq!(lines.len(), 2);
    }
}
