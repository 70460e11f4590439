//! JSON claims read as a stream: NDJSON (one claim a line), a JSON array, or objects one after
//! another (pretty-printed claims).
//!
//! Claims are split without being parsed, so one broken claim never takes its neighbours with
//! it, and each is parsed later by whichever worker judges it. At most one claim's text is held
//! at a time, and no more than [`MAX_CLAIM_BYTES`] of it: a longer claim is skipped to its end
//! and judged `error`.
//!
//! * `[` first: a JSON array; each element is one claim. What follows the closing bracket is
//!   read as more claims, so nothing in the input goes unanswered.
//! * a line that starts with `{` and holds a whole JSON object (among the first lines): NDJSON;
//!   each non-blank line is one claim.
//! * otherwise: JSON values one after another; an object that is never closed runs to the end
//!   of the input.

use std::io::{self, BufRead};

use serde_json::value::RawValue;

use super::limits::MAX_CLAIM_BYTES;
use super::{peek, without_bom, ClaimInput, InputItem, Peeked, PeekedPrefix, BOM};
use crate::claim::RawClaim;

/// How many non-blank lines are looked at to tell NDJSON from pretty-printed objects.
const LINES_TO_DETECT: usize = 5;

/// The claims of a JSON input, in input order.
pub struct JsonClaims<R: BufRead> {
    input: Peeked<R>,
    layout: Layout,
    /// The 1-based line of the next byte to read.
    line: u64,
    /// Bytes consumed so far.
    offset: u64,
    /// Set once the input has ended or failed.
    done: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    Lines,
    /// Inside a top-level array, before its closing bracket.
    Array,
    Values,
}

/// One claim's bytes as scanned.
struct Scanned {
    bytes: Vec<u8>,
    line: u64,
    /// Longer than [`MAX_CLAIM_BYTES`]: `bytes` holds only the start.
    oversize: bool,
}

impl<R: BufRead> JsonClaims<R> {
    /// Reads claims from `reader`; looks at its first lines to tell the layout.
    pub fn new(reader: R) -> Self {
        let mut lines_seen = 0;
        let input = peek(reader, 4 * MAX_CLAIM_BYTES, |prefix| {
            let body = without_bom(prefix);
            match body.iter().find(|b| !b.is_ascii_whitespace()) {
                None => false,
                Some(b'[') => true,
                Some(_) => {
                    lines_seen = body
                        .split(|b| *b == b'\n')
                        .filter(|l| !l.trim_ascii().is_empty())
                        .count();
                    // The last line may be partial until a newline follows it.
                    lines_seen > LINES_TO_DETECT
                }
            }
        });
        let layout = {
            let body = without_bom(input.prefix());
            match body.iter().find(|b| !b.is_ascii_whitespace()) {
                Some(b'[') => Layout::Array,
                Some(_) if is_ndjson(body) => Layout::Lines,
                _ => Layout::Values,
            }
        };
        let mut claims = JsonClaims {
            input,
            layout,
            line: 1,
            offset: 0,
            done: false,
        };
        claims.skip_bom();
        if layout == Layout::Array {
            claims.skip_through_open_bracket();
        }
        claims
    }

    fn skip_bom(&mut self) {
        if let Ok(buf) = self.input.fill_buf() {
            if buf.starts_with(BOM) {
                self.input.consume(BOM.len());
                self.offset += BOM.len() as u64;
            }
        }
    }

    fn skip_through_open_bracket(&mut self) {
        while let Ok(Some(b)) = self.next_byte() {
            if b == b'[' {
                return;
            }
        }
    }

    /// The next byte, counted; `None` at the end of the input.
    fn next_byte(&mut self) -> io::Result<Option<u8>> {
        let b = self.peek_byte()?;
        if let Some(b) = b {
            self.input.consume(1);
            self.offset += 1;
            if b == b'\n' {
                self.line += 1;
            }
        }
        Ok(b)
    }

    fn peek_byte(&mut self) -> io::Result<Option<u8>> {
        loop {
            match self.input.fill_buf() {
                Ok(buf) => return Ok(buf.first().copied()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// The next non-blank line, without its line end.
    fn next_line(&mut self) -> io::Result<Option<Scanned>> {
        loop {
            let line = self.line;
            let mut bytes = Vec::new();
            let mut oversize = false;
            let mut ended = false;
            loop {
                let buf = match self.input.fill_buf() {
                    Ok(buf) => buf,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                };
                if buf.is_empty() {
                    break;
                }
                let (take, found) = match buf.iter().position(|b| *b == b'\n') {
                    Some(i) => (i + 1, true),
                    None => (buf.len(), false),
                };
                let room = (MAX_CLAIM_BYTES + 1).saturating_sub(bytes.len());
                bytes.extend_from_slice(&buf[..take.min(room)]);
                oversize |= take > room;
                self.input.consume(take);
                self.offset += take as u64;
                if found {
                    self.line += 1;
                    ended = true;
                    break;
                }
            }
            if !ended && bytes.is_empty() {
                return Ok(None);
            }
            while matches!(bytes.last(), Some(b'\n' | b'\r')) {
                bytes.pop();
            }
            oversize |= bytes.len() > MAX_CLAIM_BYTES;
            if oversize || !bytes.trim_ascii().is_empty() {
                return Ok(Some(Scanned {
                    bytes,
                    line,
                    oversize,
                }));
            }
        }
    }

    /// The next value of an array or of values one after another.
    fn next_value(&mut self) -> io::Result<Option<Scanned>> {
        loop {
            match self.peek_byte()? {
                None => return Ok(None),
                Some(b) if b.is_ascii_whitespace() => {
                    self.next_byte()?;
                }
                Some(b']') if self.layout == Layout::Array => {
                    self.next_byte()?;
                    self.layout = Layout::Values;
                }
                Some(_) => break,
            }
        }
        let mut scanned = Scanned {
            bytes: Vec::new(),
            line: self.line,
            oversize: false,
        };
        let keep = |scanned: &mut Scanned, b: u8| {
            if scanned.bytes.len() < MAX_CLAIM_BYTES {
                scanned.bytes.push(b);
            } else {
                scanned.oversize = true;
            }
        };
        let mut depth = 0usize;
        let mut in_string = false;
        let mut escaped = false;
        while let Some(b) = self.peek_byte()? {
            let ends_before = !in_string
                && depth == 0
                && !scanned.bytes.is_empty()
                && matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b',' | b']' | b'}');
            if ends_before {
                break;
            }
            self.next_byte()?;
            keep(&mut scanned, b);
            if in_string {
                match b {
                    _ if escaped => escaped = false,
                    b'\\' => escaped = true,
                    b'"' => {
                        in_string = false;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
            } else {
                match b {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' if depth > 0 => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
            }
        }
        if self.layout == Layout::Array {
            // An element that does not end at a comma or the closing bracket takes what
            // follows with it, up to the next comma, so that its error shows the whole of it.
            while let Some(b) = self.peek_byte()? {
                if b == b']' {
                    break;
                }
                self.next_byte()?;
                if b == b',' {
                    break;
                }
                keep(&mut scanned, b);
            }
            while matches!(scanned.bytes.last(), Some(b) if b.is_ascii_whitespace()) {
                scanned.bytes.pop();
            }
        }
        Ok(Some(scanned))
    }
}

impl<R: BufRead> Iterator for JsonClaims<R> {
    type Item = InputItem;

    fn next(&mut self) -> Option<InputItem> {
        if self.done {
            return None;
        }
        let line = self.line;
        let scanned = match self.layout {
            Layout::Lines => self.next_line(),
            Layout::Array | Layout::Values => self.next_value(),
        };
        let claim = match scanned {
            Ok(Some(scanned)) => claim_of(scanned),
            Ok(None) => {
                self.done = true;
                return None;
            }
            Err(e) => {
                self.done = true;
                ClaimInput::unreadable(
                    line,
                    format!("the input could not be read past this line: {e}"),
                )
            }
        };
        Some(InputItem {
            claim,
            offset: self.offset,
        })
    }
}

/// A scanned claim's text, or why it cannot be one.
fn claim_of(scanned: Scanned) -> ClaimInput {
    if scanned.oversize {
        return ClaimInput::unreadable(
            scanned.line,
            format!(
                "the claim is longer than the limit of {} bytes",
                MAX_CLAIM_BYTES
            ),
        );
    }
    match String::from_utf8(scanned.bytes) {
        Ok(json) => ClaimInput::Json(RawClaim {
            json,
            line: scanned.line,
        }),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let before = &e.as_bytes()[..valid];
            let line = scanned.line + before.iter().filter(|b| **b == b'\n').count() as u64;
            ClaimInput::unreadable(
                line,
                format!(
                    "the claim is not UTF-8 text (byte {} of the claim)",
                    valid + 1
                ),
            )
        }
    }
}

/// NDJSON when one of the first few non-blank lines is a whole object on its own, at column 1
/// (a pretty-printed claim's inner objects are indented).
fn is_ndjson(prefix: &[u8]) -> bool {
    prefix
        .split(|b| *b == b'\n')
        .filter(|l| !l.trim_ascii().is_empty())
        .take(LINES_TO_DETECT)
        .any(|l| {
            l.starts_with(b"{")
                && std::str::from_utf8(l)
                    .is_ok_and(|l| serde_json::from_str::<&RawValue>(l.trim_end()).is_ok())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(input: &[u8]) -> Vec<(u64, Result<String, String>)> {
        JsonClaims::new(input)
            .map(|item| match item.claim {
                ClaimInput::Json(raw) => (raw.line, Ok(raw.json)),
                ClaimInput::Unreadable { errors, .. } => {
                    (errors[0].line.unwrap_or(0), Err(errors[0].message.clone()))
                }
                ClaimInput::Claim { line, .. } => (line, Err("a model claim".into())),
            })
            .collect()
    }

    fn ok(line: u64, json: &str) -> (u64, Result<String, String>) {
        (line, Ok(json.to_string()))
    }

    #[test]
    fn ndjson_lines_keep_their_numbers_and_skip_blanks() {
        let got = split(b"{\"id\":1}\n\n{\"id\":2}\r\n{broken\n{\"id\":3}");
        assert_eq!(
            got,
            vec![
                ok(1, "{\"id\":1}"),
                ok(3, "{\"id\":2}"),
                ok(4, "{broken"),
                ok(5, "{\"id\":3}"),
            ]
        );
    }

    #[test]
    fn an_array_is_split_at_its_own_commas() {
        let got = split(b"\xEF\xBB\xBF[\n {\"a\": [1, 2]},\n {\"b\": \"x,]\"} ,\n 7 ]");
        assert_eq!(
            got,
            vec![
                ok(2, "{\"a\": [1, 2]}"),
                ok(3, "{\"b\": \"x,]\"}"),
                ok(4, "7")
            ]
        );
    }

    #[test]
    fn text_after_an_array_is_read_as_more_claims() {
        let got = split(b"[{\"a\":1}]\n{\"b\":2}");
        assert_eq!(got, vec![ok(1, "{\"a\":1}"), ok(2, "{\"b\":2}")]);
    }

    #[test]
    fn a_broken_array_element_runs_to_the_next_comma() {
        let got = split(b"[{\"a\":1} x y, {\"b\":2}]");
        assert_eq!(got, vec![ok(1, "{\"a\":1} x y"), ok(1, "{\"b\":2}")]);
    }

    #[test]
    fn pretty_objects_follow_each_other() {
        let got = split(b"{\n  \"a\": 1\n}\n{\n  \"b\": {\"c\": 2}\n}\nnull\n");
        assert_eq!(
            got,
            vec![
                ok(1, "{\n  \"a\": 1\n}"),
                ok(4, "{\n  \"b\": {\"c\": 2}\n}"),
                ok(7, "null"),
            ]
        );
    }

    #[test]
    fn an_unclosed_object_runs_to_the_end() {
        let got = split(b"{\n  \"a\": 1\n");
        assert_eq!(got, vec![ok(1, "{\n  \"a\": 1\n")]);
    }

    #[test]
    fn invalid_utf8_breaks_only_its_own_claim() {
        let got = split(b"{\"a\":1}\n{\"b\":\"\xff\"}\n{\"c\":3}\n");
        assert_eq!(got.len(), 3);
        assert_eq!(got[0], ok(1, "{\"a\":1}"));
        assert_eq!(got[1].0, 2);
        assert!(got[1].1.as_ref().is_err_and(|m| m.contains("not UTF-8")));
        assert_eq!(got[2], ok(3, "{\"c\":3}"));
    }

    #[test]
    fn an_oversize_line_is_an_error_and_the_next_line_reads() {
        let mut input = b"{\"a\":1}\n{\"big\":\"".to_vec();
        input.extend(std::iter::repeat_n(b'x', MAX_CLAIM_BYTES + 10));
        input.extend_from_slice(b"\"}\n{\"c\":3}\n");
        let got = split(&input);
        assert_eq!(got.len(), 3);
        assert!(got[1].1.as_ref().is_err_and(|m| m.contains("limit")));
        assert_eq!(got[2], ok(3, "{\"c\":3}"));
    }

    #[test]
    fn an_oversize_array_element_is_an_error_and_the_next_reads() {
        let mut input = b"[{\"big\":\"".to_vec();
        input.extend(std::iter::repeat_n(b'x', MAX_CLAIM_BYTES + 10));
        input.extend_from_slice(b"\"},\n{\"c\":3}]");
        let got = split(&input);
        assert_eq!(got.len(), 2);
        assert!(got[0].1.as_ref().is_err_and(|m| m.contains("limit")));
        assert_eq!(got[1], ok(2, "{\"c\":3}"));
    }

    #[test]
    fn empty_inputs_hold_no_claims() {
        for input in [&b""[..], b"  \n\n", b"[]", b"[ ]\n"] {
            assert!(split(input).is_empty(), "{input:?}");
        }
    }

    #[test]
    fn offsets_grow_to_the_input_length() {
        let input = b"{\"a\":1}\n{\"b\":2}\n";
        let offsets: Vec<u64> = JsonClaims::new(&input[..]).map(|i| i.offset).collect();
        assert_eq!(offsets, vec![8, 16]);
    }
}
