//! Reading claims from text: a single object, a JSON array, or NDJSON (one claim a line).
//!
//! A claim that cannot be read becomes an error result of its own, named by its input line (for
//! NDJSON) or array index and the JSON path of what is wrong; the claims around it are still
//! read. The number of results always equals the number of claims in the input.

use serde::Serialize;
use serde_json::value::RawValue;

use super::model::{pcs_approach_of, Claim};
use crate::check::PCS_APPROACHES;

/// Why a claim could not be evaluated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClaimError {
    pub message: String,
    /// The JSON path of the value at fault, e.g. `lines[1].code`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The 1-based input line the claim starts on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
}

impl ClaimError {
    pub fn at(path: impl Into<String>, message: impl Into<String>) -> Self {
        ClaimError {
            message: message.into(),
            path: Some(path.into()),
            line: None,
        }
    }
}

/// One claim's text as found in the input, not yet parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct RawClaim {
    pub json: String,
    /// The 1-based input line it starts on.
    pub line: u64,
}

/// An input that could not be split into claims at all.
#[derive(Debug, Clone, PartialEq)]
pub struct InputError {
    pub message: String,
    pub line: u64,
}

/// Splits an input into the claims it holds, without parsing them: each claim is then parsed
/// on its own, so one broken claim never takes its neighbours with it.
///
/// * `[` first: a JSON array; each element is one claim.
/// * a line that starts with `{` and holds a whole JSON object (among the first lines): NDJSON;
///   each line is one claim.
/// * otherwise: JSON objects one after another (pretty-printed claims); an object that is never
///   closed runs to the end of the input.
pub fn split_claims(text: &str) -> Result<Vec<RawClaim>, InputError> {
    let body = text.trim_start_matches('\u{feff}');
    let bom = text.len() - body.len();
    Ok(match body.trim_start().chars().next() {
        None => Vec::new(),
        Some('[') => split_array(text, bom + body.len() - body.trim_start().len()),
        Some(_) if is_ndjson(body) => split_lines(text, bom),
        Some(_) => split_values(text, bom),
    })
}

/// NDJSON when one of the first few non-blank lines is a whole object on its own, at column 1
/// (a pretty-printed claim's inner objects are indented).
fn is_ndjson(text: &str) -> bool {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .take(5)
        .any(|l| l.starts_with('{') && serde_json::from_str::<&RawValue>(l).is_ok())
}

/// Line numbers of byte offsets that only move forward, so splitting a whole input counts its
/// newlines once rather than once per claim.
struct LineCounter<'a> {
    text: &'a str,
    pos: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        LineCounter {
            text,
            pos: 0,
            line: 1,
        }
    }

    /// The text from `start` to `end`, trimmed, with the 1-based line it starts on.
    fn claim(&mut self, start: usize, end: usize) -> RawClaim {
        let target = start.min(self.text.len());
        if target > self.pos {
            self.line += self.text.as_bytes()[self.pos..target]
                .iter()
                .filter(|b| **b == b'\n')
                .count() as u64;
            self.pos = target;
        }
        RawClaim {
            json: self.text[start..end].trim().to_string(),
            line: self.line,
        }
    }
}

fn split_lines(text: &str, bom: usize) -> Vec<RawClaim> {
    let mut out = Vec::new();
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let body = if i == 0 {
            &line[bom.min(line.len())..]
        } else {
            line
        };
        if !body.trim().is_empty() {
            out.push(RawClaim {
                json: body.trim_end_matches(['\n', '\r']).to_string(),
                line: i as u64 + 1,
            });
        }
    }
    out
}

/// Where the JSON value starting at `start` ends: after its matching bracket (or at the end of
/// the input if it is never closed), or, for a bare word, at the next space, comma or bracket.
fn value_end(bytes: &[u8], start: usize) -> usize {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut i = start;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => {
                    in_string = false;
                    if depth == 0 {
                        return i + 1;
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
                        return i + 1;
                    }
                }
                b' ' | b'\t' | b'\r' | b'\n' | b',' | b']' | b'}' if depth == 0 => return i,
                _ => {}
            }
        }
        i += 1;
    }
    bytes.len()
}

/// Values one after another, separated by whitespace.
fn split_values(text: &str, from: usize) -> Vec<RawClaim> {
    split_values_counted(&mut LineCounter::new(text), from)
}

fn split_values_counted<'a>(lines: &mut LineCounter<'a>, from: usize) -> Vec<RawClaim> {
    let text = lines.text;
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = from;
    while i < bytes.len() {
        if bytes[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let end = value_end(bytes, i).max(i + 1);
        out.push(lines.claim(i, end));
        i = end;
    }
    out
}

/// The elements of a top-level array, split at its own commas. What follows a closed array is
/// read as more claims, so nothing in the input goes unanswered.
fn split_array(text: &str, open: usize) -> Vec<RawClaim> {
    let mut lines = LineCounter::new(text);
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = open + 1;
    loop {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= bytes.len() {
            return out;
        }
        if bytes[i] == b']' {
            out.extend(split_values_counted(&mut lines, i + 1));
            return out;
        }
        let end = value_end(bytes, i).max(i + 1);
        // An element that does not end at a comma or the closing bracket takes what follows with
        // it, up to the next comma, so that its error shows the whole of it.
        let mut stop = end;
        while stop < bytes.len() && !matches!(bytes[stop], b',' | b']') {
            stop += 1;
        }
        out.push(lines.claim(i, stop));
        i = stop;
        if i < bytes.len() && bytes[i] == b',' {
            i += 1;
        }
    }
}

/// Parses one claim. On failure, the claim's id (when it can be found) and every error.
pub fn parse_claim(raw: &RawClaim) -> Result<Claim, (Option<String>, Vec<ClaimError>)> {
    let mut de = serde_json::Deserializer::from_str(&raw.json);
    let parsed: Result<Claim, _> = serde_path_to_error::deserialize(&mut de);
    let mut claim = match parsed {
        Ok(c) => c,
        Err(e) => {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let message = strip_position(&inner.to_string());
            let message = match inner.classify() {
                serde_json::error::Category::Syntax => format!("not valid JSON: {message}"),
                serde_json::error::Category::Eof => format!("the JSON ends too soon: {message}"),
                _ => message,
            };
            let error = ClaimError {
                message,
                path: (!matches!(path.as_str(), "." | "?" | "")).then_some(path),
                line: Some(raw.line + inner.line().saturating_sub(1) as u64),
            };
            return Err((salvage_id(&raw.json), vec![error]));
        }
    };
    if let Err(e) = de.end() {
        let error = ClaimError {
            message: format!(
                "unexpected text after the claim: {}",
                strip_position(&e.to_string())
            ),
            path: None,
            line: Some(raw.line + e.line().saturating_sub(1) as u64),
        };
        return Err((Some(claim.id), vec![error]));
    }
    let mut errors = normalize(&mut claim);
    for e in &mut errors {
        e.line = Some(raw.line);
    }
    if errors.is_empty() {
        Ok(claim)
    } else {
        Err((Some(claim.id), errors))
    }
}

/// serde_json ends its messages with "at line L column C", relative to the claim's own text;
/// the reader reports the input line instead. Rust type names become the claim's words.
fn strip_position(message: &str) -> String {
    let message = match message.rfind(" at line ") {
        Some(i) => &message[..i],
        None => message,
    };
    message
        .replace("expected struct Claim", "expected a claim object")
        .replace("expected struct Line", "expected a line object")
        .replace("expected struct Provider", "expected a provider object")
        .replace("expected struct Procedure", "expected a procedure object")
        .replace("expected u32", "expected a whole number")
        .replace("expected a sequence", "expected an array")
}

/// The `id` of a claim that does not parse, so that its error result can be matched to it:
/// from the JSON when it is well-formed, else from a leading `{"id": "…"` in broken text.
fn salvage_id(json: &str) -> Option<String> {
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(json) {
        return value.get("id")?.as_str().map(str::to_string);
    }
    let rest = json.trim_start().strip_prefix('{')?.trim_start();
    let rest = rest
        .strip_prefix("\"id\"")?
        .trim_start()
        .strip_prefix(':')?
        .trim_start();
    let mut de = serde_json::Deserializer::from_str(rest).into_iter::<String>();
    de.next()?.ok()
}

/// Fills in defaults that depend on the whole claim and checks what serde cannot. Running it
/// twice changes nothing.
pub fn normalize(claim: &mut Claim) -> Vec<ClaimError> {
    let mut errors = Vec::new();
    if claim.lines.is_empty() {
        errors.push(ClaimError::at("lines", "a claim needs at least one line"));
    }
    for (i, line) in claim.lines.iter_mut().enumerate() {
        if line.line.is_none() {
            line.line = Some(i as u32 + 1);
        }
    }
    let mut seen = std::collections::HashSet::with_capacity(claim.lines.len());
    for (i, line) in claim.lines.iter().enumerate() {
        let n = line.number();
        if n == 0 {
            errors.push(ClaimError::at(
                format!("lines[{i}].line"),
                "line numbers start at 1",
            ));
        } else if !seen.insert(n) {
            errors.push(ClaimError::at(
                format!("lines[{i}].line"),
                format!(
                    "line number {n} is used by an earlier line (a line without `line` is numbered by its position)"
                ),
            ));
        }
    }
    for (i, p) in claim.procedures.iter_mut().enumerate() {
        match &p.approach {
            Some(a) if !PCS_APPROACHES.contains(&a.as_str()) => errors.push(ClaimError::at(
                format!("procedures[{i}].approach"),
                format!("expected an ICD-10-PCS approach ({}), found `{a}`", PCS_APPROACHES.join(", ")),
            )),
            Some(_) => {}
            None => match pcs_approach_of(&p.code) {
                Some(a) => p.approach = Some(a.to_string()),
                None => errors.push(ClaimError::at(
                    format!("procedures[{i}].approach"),
                    format!(
                        "no approach given, and `{}` is not a Medical and Surgical ICD-10-PCS code to read one from",
                        p.code
                    ),
                )),
            },
        }
    }
    errors
}
