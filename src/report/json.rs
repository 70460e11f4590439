//! A result written as JSON by hand, field by field, into the output buffer: the same bytes as
//! its serde serialization (docs/formats.md), in a fraction of the instructions.
//!
//! A result of the standard pack carries about five findings of twelve strings each, most of
//! them identifiers that need no escaping; serde's serializer escapes and writes each key and
//! value one call at a time. Here every run of keys and punctuation between two values is one
//! constant copied at once, and a string is copied whole when none of its bytes needs escaping.
//! The parts that are rare or deep (a `modify` finding's change, the `explain` part) go through
//! serde, so the one definition of their shape stays theirs. `tests/differential.rs` and the
//! unit tests below hold the bytes equal to serde's.

use serde::Serialize;

use super::view::{FindingView, Findings, ResultView};
use crate::claim::ClaimError;

/// Appends `result` as compact JSON; an error if a part left to serde could not be written
/// (the caller then writes an error result instead).
pub(super) fn write_result<F: Findings>(
    result: &ResultView<'_, F>,
    out: &mut Vec<u8>,
) -> Result<(), String> {
    out.extend_from_slice(br#"{"format_version":"#);
    string(super::FORMAT_VERSION, out);
    out.extend_from_slice(br#","claim":"#);
    optional_string(result.claim, out);
    out.extend_from_slice(br#","status":""#);
    out.extend_from_slice(result.status.as_str().as_bytes());
    out.extend_from_slice(br#"","findings":["#);
    for (i, finding) in result.findings.each().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_finding(&finding, out)?;
    }
    out.extend_from_slice(br#"],"errors":["#);
    for (i, error) in result.errors.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_error(error, out);
    }
    out.push(b']');
    if let Some(explain) = result.explain {
        out.extend_from_slice(br#","explain":"#);
        with_serde(explain, out)?;
    }
    out.push(b'}');
    Ok(())
}

fn write_finding(f: &FindingView<'_>, out: &mut Vec<u8>) -> Result<(), String> {
    out.extend_from_slice(br#"{"rule":"#);
    string(f.rule, out);
    out.extend_from_slice(br#","action":""#);
    out.extend_from_slice(f.action.as_str().as_bytes());
    out.extend_from_slice(br#"","lines":["#);
    for (i, line) in f.lines.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        number(u64::from(*line), out);
    }
    out.extend_from_slice(br#"],"code":"#);
    optional_text(f.code, out);
    out.extend_from_slice(br#","suggested_code":"#);
    optional_text(f.suggested_code, out);
    out.extend_from_slice(br#","change":"#);
    match f.change {
        Some(change) => with_serde(change, out)?,
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(br#","message":"#);
    string(f.message, out);
    let (file, line, column) = f.policy;
    out.extend_from_slice(br#","policy":{"file":"#);
    string(file, out);
    out.extend_from_slice(br#","line":"#);
    number(u64::from(line), out);
    out.extend_from_slice(br#","column":"#);
    number(u64::from(column), out);
    out.extend_from_slice(br#"},"table":"#);
    match f.table {
        Some((name, file, line)) => {
            out.extend_from_slice(br#"{"name":"#);
            string(name, out);
            out.extend_from_slice(br#","file":"#);
            string(file, out);
            out.extend_from_slice(br#","line":"#);
            number(u64::from(line), out);
            out.push(b'}');
        }
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(br#","history":"#);
    match f.history {
        Some(history) => {
            out.extend_from_slice(br#"{"claim":"#);
            string(&history.claim, out);
            out.extend_from_slice(br#","line":"#);
            number(u64::from(history.line), out);
            out.push(b'}');
        }
        None => out.extend_from_slice(b"null"),
    }
    let (name, version) = f.pack;
    out.extend_from_slice(br#","pack":{"name":"#);
    string(name, out);
    out.extend_from_slice(br#","version":"#);
    optional_string(version, out);
    out.extend_from_slice(b"}}");
    Ok(())
}

fn write_error(e: &ClaimError, out: &mut Vec<u8>) {
    out.extend_from_slice(br#"{"message":"#);
    string(&e.message, out);
    out.extend_from_slice(br#","path":"#);
    optional_string(e.path.as_deref(), out);
    out.extend_from_slice(br#","line":"#);
    match e.line {
        Some(line) => number(line, out),
        None => out.extend_from_slice(b"null"),
    }
    out.push(b'}');
}

/// A part of the result written by serde.
fn with_serde(value: &impl Serialize, out: &mut Vec<u8>) -> Result<(), String> {
    sonic_rs::to_writer(&mut *out, value).map_err(|e| e.to_string())
}

fn number(n: u64, out: &mut Vec<u8>) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

fn optional_string(s: Option<&str>, out: &mut Vec<u8>) {
    optional_text(s.map(str::as_bytes), out);
}

/// A string given as its UTF-8 bytes, or `null`.
fn optional_text(s: Option<&[u8]>, out: &mut Vec<u8>) {
    match s {
        Some(s) => text(s, out),
        None => out.extend_from_slice(b"null"),
    }
}

/// What a byte becomes inside a JSON string, as serde_json writes it: 0 itself; `u` as
/// `\u00XX`; any other letter as a backslash and that letter.
const ESCAPE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = b'u';
        b += 1;
    }
    table[0x08] = b'b';
    table[0x09] = b't';
    table[0x0a] = b'n';
    table[0x0c] = b'f';
    table[0x0d] = b'r';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

/// A JSON string: quoted, with `"`, `\` and the control characters escaped and every other
/// character (non-ASCII ones too) as it is.
fn string(s: &str, out: &mut Vec<u8>) {
    text(s.as_bytes(), out);
}

/// A JSON string of UTF-8 `bytes`, as [`string`] writes it.
fn text(bytes: &[u8], out: &mut Vec<u8>) {
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    // Most strings (ids, codes, file names, sentences) need no escape: the string is then
    // copied whole.
    if needs_escape(bytes) {
        escaped(bytes, out);
    } else {
        out.extend_from_slice(bytes);
    }
    out.push(b'"');
}

/// Whether any byte of `bytes` needs an escape. Looked for 16 bytes a step, without stopping
/// early, so that the compiler makes each step a few vector instructions; the last bytes are
/// copied into a step of their own, padded with a plain byte. Most strings a result holds are
/// short (codes, ids, names), and a byte-by-byte tail would cost them more than their steps.
fn needs_escape(bytes: &[u8]) -> bool {
    let mut steps = bytes.chunks_exact(16);
    let mut any = false;
    for step in &mut steps {
        if let Ok(step) = <&[u8; 16]>::try_from(step) {
            any |= step_needs_escape(step);
        }
    }
    let rest = steps.remainder();
    let mut last = [b' '; 16];
    last[..rest.len()].copy_from_slice(rest);
    any | step_needs_escape(&last)
}

#[inline(always)]
fn step_needs_escape(step: &[u8; 16]) -> bool {
    step.iter().fold(false, |any, &b| {
        any | (b < 0x20) | (b == b'"') | (b == b'\\')
    })
}

/// The inside of a string that has a byte to escape: runs of plain bytes copied whole, each
/// byte that needs it escaped as serde_json escapes it.
fn escaped(bytes: &[u8], out: &mut Vec<u8>) {
    let mut start = 0;
    for (at, &b) in bytes.iter().enumerate() {
        let escape = ESCAPE[b as usize];
        if escape == 0 {
            continue;
        }
        out.extend_from_slice(&bytes[start..at]);
        if escape == b'u' {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[(b >> 4) as usize],
                HEX[(b & 0xf) as usize],
            ]);
        } else {
            out.extend_from_slice(&[b'\\', escape]);
        }
        start = at + 1;
    }
    out.extend_from_slice(&bytes[start..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{
        ActionName, Change, ChangeOp, ClaimResult, Explanation, Finding, HistoryRef, PackRef,
        PolicyRef, Status, TableRef,
    };

    fn serde_bytes(result: &ClaimResult) -> Vec<u8> {
        serde_json::to_vec(result).unwrap_or_default()
    }

    fn hand_bytes(result: &ClaimResult) -> Vec<u8> {
        let mut out = Vec::new();
        assert!(write_result(&result.view(), &mut out).is_ok());
        out
    }

    fn finding(text: &str) -> Finding {
        let mut f = Finding::new(
            format!("rule.{text}"),
            ActionName::Deny,
            format!("message {text}"),
            PolicyRef {
                file: format!("policies/{text}.policy"),
                line: 12,
                column: 3,
            },
            PackRef {
                name: text.to_string(),
                version: Some("1.0.0".into()),
            },
        );
        f.lines = vec![1, 4294967295];
        f.code = Some(text.to_string());
        f
    }

    #[test]
    fn every_byte_is_escaped_as_serde_escapes_it() {
        let all: String = (0u32..0x800).filter_map(char::from_u32).collect();
        let text = format!("{all}\u{2028}\u{FFFF}\u{10FFFF}\"\\/ end");
        let mut result = ClaimResult::error(Some(text.clone()), Vec::new());
        result.findings.push(finding(&text));
        assert_eq!(hand_bytes(&result), serde_bytes(&result));
    }

    proptest::proptest! {
        // Escapes at every offset of the eight-byte words, among plain and non-ASCII text.
        #[test]
        fn any_text_is_escaped_as_serde_escapes_it(text in "[a-z\"\\\\\\x00-\\x1f\\x7f é€😀]{0,40}") {
            let mut mine = Vec::new();
            string(&text, &mut mine);
            proptest::prop_assert_eq!(mine, serde_json::to_vec(&text).unwrap_or_default());
        }
    }

    #[test]
    fn every_optional_part_is_written_as_serde_writes_it() {
        let mut full = finding("full");
        full.action = ActionName::Modify;
        full.suggested_code = Some("27093".into());
        full.change = Some(Change {
            op: ChangeOp::MergeLines,
            line: 1,
            modifier: Some("50".into()),
            lines: vec![1, 2],
        });
        full.table = Some(TableRef {
            name: "ncci_ptp".into(),
            file: "ptp.tsv".into(),
            line: 7,
        });
        full.history = Some(HistoryRef {
            claim: "EARLIER".into(),
            line: 2,
        });
        let mut bare = finding("bare");
        bare.lines.clear();
        bare.code = None;
        bare.pack.version = None;
        let errors = vec![
            ClaimError {
                message: "bad \"code\"".into(),
                path: Some("lines[0].code".into()),
                line: Some(u64::MAX),
            },
            ClaimError {
                message: "no path".into(),
                path: None,
                line: None,
            },
        ];
        let cases = [
            ClaimResult::error(None, errors),
            ClaimResult {
                status: Status::Review,
                findings: vec![full, bare],
                ..ClaimResult::error(Some("C".into()), Vec::new())
            },
            ClaimResult::error(Some("E".into()), Vec::new()).explained(true),
            ClaimResult {
                explain: Some(Explanation::default()),
                status: Status::Pass,
                ..ClaimResult::error(Some("P".into()), Vec::new())
            },
        ];
        for result in &cases {
            assert_eq!(
                String::from_utf8_lossy(&hand_bytes(result)),
                String::from_utf8_lossy(&serde_bytes(result))
            );
        }
    }
}
