//! JSON claims read as a stream: JSON values one after another, whatever their layout (NDJSON,
//! pretty-printed objects, or a mix of the two), or a JSON array of them.
//!
//! Claims are split without being parsed, so one broken claim never takes its neighbours with
//! it, and each is parsed later by whichever worker judges it. At most one claim's text is held
//! at a time, and no more than [`MAX_CLAIM_BYTES`] of it: a longer claim is skipped to its end
//! and judged `error`.
//!
//! * `[` first: a JSON array; each element is one claim. What follows the closing bracket is
//!   read as more claims, so nothing in the input goes unanswered.
//! * otherwise: JSON values one after another, each from its first byte to the bracket that
//!   closes it, wherever the lines break. Two rules keep a broken value to itself:
//!   - a `{` at the first column of a line while a value is still open starts the next claim
//!     (the objects inside a pretty-printed claim are indented; an NDJSON line cut short is
//!     followed by a claim at column 1);
//!   - text after a value on its own line that does not start another value belongs to it, so
//!     that `{…}}` or `hello world` is one error, not two.

use std::io::{self, BufRead};

use super::limits::MAX_CLAIM_BYTES;
use super::{ClaimInput, InputItem, BOM};
use crate::claim::RawClaim;

/// The claims of a JSON input, in input order.
pub struct JsonClaims<R: BufRead> {
    input: R,
    layout: Layout,
    /// The 1-based line of the next byte to read.
    line: u64,
    /// The next byte to read is at the first column of its line.
    line_start: bool,
    /// Bytes consumed so far.
    offset: u64,
    /// Set once the input has ended or failed.
    done: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
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

impl Scanned {
    /// Keeps `b`, unless the claim is already at the limit.
    fn keep(&mut self, b: u8) {
        if self.bytes.len() < MAX_CLAIM_BYTES {
            self.bytes.push(b);
        } else {
            self.oversize = true;
        }
    }

    /// Keeps as much of `bytes` as the limit leaves room for.
    fn keep_all(&mut self, bytes: &[u8]) {
        let room = MAX_CLAIM_BYTES - self.bytes.len().min(MAX_CLAIM_BYTES);
        if bytes.len() > room {
            self.oversize = true;
        }
        self.bytes
            .extend_from_slice(&bytes[..bytes.len().min(room)]);
    }

    fn trim_end(&mut self) {
        while matches!(self.bytes.last(), Some(b) if b.is_ascii_whitespace()) {
            self.bytes.pop();
        }
    }
}

impl<R: BufRead> JsonClaims<R> {
    /// Reads claims from `reader`; an input whose first non-blank byte is `[` is an array.
    pub fn new(reader: R) -> Self {
        let mut claims = JsonClaims {
            input: reader,
            layout: Layout::Values,
            line: 1,
            line_start: true,
            offset: 0,
            done: false,
        };
        claims.skip_bom();
        // An error here comes back when the claims are read, and is reported there.
        if let Ok(Some(b'[')) = claims.skip_blanks() {
            claims.layout = Layout::Array;
            let _ = claims.next_byte();
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

    /// Skips blank space, and byte-order marks (files joined one after another each bring
    /// theirs); the byte after it.
    fn skip_blanks(&mut self) -> io::Result<Option<u8>> {
        loop {
            match self.peek_byte()? {
                Some(b) if b.is_ascii_whitespace() => {
                    self.next_byte()?;
                }
                Some(0xEF) if self.input.fill_buf()?.starts_with(BOM) => {
                    self.input.consume(BOM.len());
                    self.offset += BOM.len() as u64;
                }
                other => return Ok(other),
            }
        }
    }

    /// The next byte, counted; `None` at the end of the input.
    fn next_byte(&mut self) -> io::Result<Option<u8>> {
        let b = self.peek_byte()?;
        if let Some(b) = b {
            self.input.consume(1);
            self.offset += 1;
            self.line_start = b == b'\n';
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

    /// The next value of an array or of values one after another.
    fn next_value(&mut self) -> io::Result<Option<Scanned>> {
        loop {
            match self.skip_blanks()? {
                None => return Ok(None),
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
        self.scan_value(&mut scanned)?;
        match self.layout {
            Layout::Array => self.take_rest_of_element(&mut scanned)?,
            Layout::Values => self.take_rest_of_line(&mut scanned)?,
        }
        scanned.trim_end();
        Ok(Some(scanned))
    }

    /// Reads one value's bytes into `scanned`: from its first byte to the bracket or quote
    /// that closes it, or to the blank space, comma or bracket after a bare value, or to a
    /// line starting with `{` while the value is still open (it was cut short). Works on the
    /// reader's buffer a run of bytes at a time, and skips through strings to their next quote,
    /// backslash or line end.
    fn scan_value(&mut self, scanned: &mut Scanned) -> io::Result<()> {
        let mut depth = 0usize;
        let mut in_string = false;
        let mut escaped = false;
        // A byte of the value has been taken (the first is never blank: blanks were skipped).
        let mut started = false;
        loop {
            let buf = match self.input.fill_buf() {
                Ok(buf) => buf,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if buf.is_empty() {
                return Ok(());
            }
            let mut line_start = self.line_start;
            let mut lines = 0u64;
            let mut i = 0;
            let mut done = false;
            while i < buf.len() {
                let b = buf[i];
                if in_string && !escaped && !line_start {
                    // Inside a string: nothing matters up to its next quote, backslash or line
                    // end.
                    let rest = &buf[i..];
                    match rest.iter().position(|c| matches!(c, b'"' | b'\\' | b'\n')) {
                        Some(0) => {}
                        Some(n) => {
                            i += n;
                            continue;
                        }
                        None => {
                            i = buf.len();
                            break;
                        }
                    }
                }
                let ends_before = !in_string
                    && depth == 0
                    && started
                    && matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b',' | b']' | b'}');
                // A value still open when a line starts with `{` was cut short: the `{` is the
                // next claim's (a string cannot run over a line end, so an open one was cut too).
                let cut_short = line_start && b == b'{' && (depth > 0 || in_string);
                if ends_before || cut_short {
                    done = true;
                    break;
                }
                i += 1;
                started = true;
                line_start = b == b'\n';
                if line_start {
                    lines += 1;
                }
                if in_string {
                    match b {
                        _ if escaped => escaped = false,
                        b'\\' => escaped = true,
                        b'"' => {
                            in_string = false;
                            if depth == 0 {
                                done = true;
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
                                done = true;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
            }
            scanned.keep_all(&buf[..i]);
            self.input.consume(i);
            self.offset += i as u64;
            self.line_start = line_start;
            self.line += lines;
            if done {
                return Ok(());
            }
        }
    }

    /// An array element that does not end at a comma or the closing bracket takes what
    /// follows with it, up to the next comma, so that its error shows the whole of it.
    fn take_rest_of_element(&mut self, scanned: &mut Scanned) -> io::Result<()> {
        while let Some(b) = self.peek_byte()? {
            if b == b']' {
                break;
            }
            self.next_byte()?;
            if b == b',' {
                break;
            }
            scanned.keep(b);
        }
        Ok(())
    }

    /// Text after a value on its line that does not start another value is the value's: one
    /// line of NDJSON with text after its object is one claim, and one error.
    fn take_rest_of_line(&mut self, scanned: &mut Scanned) -> io::Result<()> {
        let mut blanks = Vec::new();
        loop {
            match self.peek_byte()? {
                None | Some(b'{' | b'[') => return Ok(()),
                Some(b'\n') => {
                    // The line end is the value's, so that the offset after it is a line's end.
                    self.next_byte()?;
                    return Ok(());
                }
                Some(b) if b.is_ascii_whitespace() => {
                    self.next_byte()?;
                    blanks.push(b);
                }
                Some(_) => break,
            }
        }
        for b in blanks {
            scanned.keep(b);
        }
        while let Some(b) = self.next_byte()? {
            if b == b'\n' {
                break;
            }
            scanned.keep(b);
        }
        Ok(())
    }
}

impl<R: BufRead> Iterator for JsonClaims<R> {
    type Item = InputItem;

    fn next(&mut self) -> Option<InputItem> {
        if self.done {
            return None;
        }
        let line = self.line;
        let scanned = self.next_value();
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
    fn a_one_line_claim_then_a_pretty_one_are_two_claims() {
        let got = split(b"{\"id\":1}\n{\n  \"id\": 2,\n  \"lines\": [{\"code\": \"x\"}]\n}\n");
        assert_eq!(
            got,
            vec![
                ok(1, "{\"id\":1}"),
                ok(2, "{\n  \"id\": 2,\n  \"lines\": [{\"code\": \"x\"}]\n}"),
            ]
        );
    }

    #[test]
    fn a_line_cut_short_ends_where_a_line_starts_with_a_brace() {
        let got = split(b"{\"id\":1,\n{\"id\":\"2\n{\n  \"id\": 3\n}\n");
        assert_eq!(
            got,
            vec![
                ok(1, "{\"id\":1,"),
                ok(2, "{\"id\":\"2"),
                ok(3, "{\n  \"id\": 3\n}"),
            ]
        );
    }

    #[test]
    fn text_after_a_value_on_its_line_is_the_value_s() {
        let got = split(b"{\"a\":1}}\nhello world\n{\"b\":2} {\"c\":3}\n");
        assert_eq!(
            got,
            vec![
                ok(1, "{\"a\":1}}"),
                ok(2, "hello world"),
                ok(3, "{\"b\":2}"),
                ok(3, "{\"c\":3}"),
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
        assert_eq!(got, vec![ok(1, "{\n  \"a\": 1")]);
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

    /// The splitter as it was before it worked a run of bytes at a time: one byte at a time.
    fn scan_value_bytewise<R: BufRead>(
        claims: &mut JsonClaims<R>,
        scanned: &mut Scanned,
    ) -> io::Result<()> {
        let mut depth = 0usize;
        let mut in_string = false;
        let mut escaped = false;
        while let Some(b) = claims.peek_byte()? {
            let ends_before = !in_string
                && depth == 0
                && !scanned.bytes.is_empty()
                && matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b',' | b']' | b'}');
            let cut_short = claims.line_start && b == b'{' && (depth > 0 || in_string);
            if ends_before || cut_short {
                break;
            }
            claims.next_byte()?;
            scanned.keep(b);
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
        Ok(())
    }

    /// Every claim of `input` with its line and offset, split by the byte-at-a-time splitter.
    fn split_bytewise(input: &[u8]) -> Vec<(u64, u64, Vec<u8>, bool)> {
        let mut claims = JsonClaims::new(input);
        let mut out = Vec::new();
        loop {
            let value = (|| -> io::Result<Option<Scanned>> {
                loop {
                    match claims.skip_blanks()? {
                        None => return Ok(None),
                        Some(b']') if claims.layout == Layout::Array => {
                            claims.next_byte()?;
                            claims.layout = Layout::Values;
                        }
                        Some(_) => break,
                    }
                }
                let mut scanned = Scanned {
                    bytes: Vec::new(),
                    line: claims.line,
                    oversize: false,
                };
                scan_value_bytewise(&mut claims, &mut scanned)?;
                match claims.layout {
                    Layout::Array => claims.take_rest_of_element(&mut scanned)?,
                    Layout::Values => claims.take_rest_of_line(&mut scanned)?,
                }
                scanned.trim_end();
                Ok(Some(scanned))
            })();
            match value {
                Ok(Some(s)) => out.push((s.line, claims.offset, s.bytes, s.oversize)),
                _ => return out,
            }
        }
    }

    /// The same, split by the splitter with the reader's buffer `capacity` bytes long.
    fn split_buffered(input: &[u8], capacity: usize) -> Vec<(u64, u64, Vec<u8>, bool)> {
        let mut claims = JsonClaims::new(io::BufReader::with_capacity(capacity, input));
        let mut out = Vec::new();
        while let Ok(Some(s)) = claims.next_value() {
            out.push((s.line, claims.offset, s.bytes, s.oversize));
        }
        out
    }

    #[test]
    fn runs_of_bytes_split_as_single_bytes_do() {
        // Inputs made of the bytes the splitter looks at, in a fixed pseudo-random sequence,
        // read through buffers of several sizes so that values straddle their ends.
        const ALPHABET: &[u8] = b"{}[]\"\\,:\n \tab1\r\xEF\xBB\xBF";
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut inputs: Vec<Vec<u8>> = vec![
            b"{\"id\":1}\n\n{\"id\":2}\r\n{broken\n{\"id\":3}".to_vec(),
            b"{\"a\":\"x\\\"\n{\"b\":\"y\\\\\"}\n\"s\" t\n".to_vec(),
            b"[{\"a\":1} x y, {\"b\":\"]\"}]\n{\"c\":\"\n\"}".to_vec(),
        ];
        for _ in 0..400 {
            let len = (next() % 200) as usize;
            let input = (0..len)
                .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
                .collect();
            inputs.push(input);
        }
        for input in &inputs {
            let expected = split_bytewise(input);
            for capacity in [1, 2, 3, 7, 64, 1 << 16] {
                assert_eq!(
                    split_buffered(input, capacity),
                    expected,
                    "{capacity}: {:?}",
                    String::from_utf8_lossy(input)
                );
            }
        }
    }

    #[test]
    fn an_oversize_value_splits_as_single_bytes_do() {
        let mut input = b"{\"a\":1}\n{\"big\":\"".to_vec();
        input.extend(std::iter::repeat_n(b'x', MAX_CLAIM_BYTES + 10));
        input.extend_from_slice(b"\"}\n{\"c\":3}\n[1,\n{\"d\":[");
        input.extend(std::iter::repeat_n(b'[', MAX_CLAIM_BYTES + 10));
        input.extend_from_slice(b"\n{\"e\":5}");
        let expected = split_bytewise(&input);
        assert_eq!(expected.iter().filter(|claim| claim.3).count(), 2);
        for capacity in [7, 8192, 1 << 20] {
            assert_eq!(split_buffered(&input, capacity), expected, "{capacity}");
        }
    }

    #[test]
    fn offsets_grow_to_the_input_length() {
        let input = b"{\"a\":1}\n{\"b\":2}\n";
        let offsets: Vec<u64> = JsonClaims::new(&input[..]).map(|i| i.offset).collect();
        assert_eq!(offsets, vec![8, 16]);
    }
}
