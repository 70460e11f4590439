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
pub struct RawClaim<'a> {
    pub json: &'a str,
    /// The 1-based input line it starts on.
    pub line: u64,
}

/// An input that could not be split into claims at all.
#[derive(Debug, Clone, PartialEq)]
pub struct InputError {
    pub message: String,
    pub line: u64,
}

/// Splits an input into the claims it holds.
///
/// * `[` first: a JSON array; each element is one claim.
/// * otherwise: JSON objects separated by whitespace — one pretty-printed claim, or NDJSON.
///   When that does not parse and the input is line-delimited (its first line is a JSON value
///   on its own, or several lines start with `{`), each line is one claim, and a broken line
///   breaks only its own claim.
pub fn split_claims(text: &str) -> Result<Vec<RawClaim<'_>>, InputError> {
    let body = text.trim_start_matches('\u{feff}');
    let bom = text.len() - body.len();
    match body.trim_start().chars().next() {
        None => Ok(Vec::new()),
        Some('[') => split_array(text),
        Some(_) => match split_stream(text, bom) {
            Ok(claims) => Ok(claims),
            Err(_) if is_line_delimited(body) => Ok(split_lines(text, bom)),
            Err(e) => Err(e),
        },
    }
}

fn is_line_delimited(text: &str) -> bool {
    let first_is_whole = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .is_some_and(|l| serde_json::from_str::<&RawValue>(l).is_ok());
    first_is_whole || text.lines().filter(|l| l.starts_with('{')).count() > 1
}

fn line_of(text: &str, byte: usize) -> u64 {
    text.as_bytes()[..byte.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count() as u64
        + 1
}

fn split_lines(text: &str, bom: usize) -> Vec<RawClaim<'_>> {
    let mut out = Vec::new();
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let body = if i == 0 {
            &line[bom.min(line.len())..]
        } else {
            line
        };
        if !body.trim().is_empty() {
            out.push(RawClaim {
                json: body.trim_end_matches(['\n', '\r']),
                line: i as u64 + 1,
            });
        }
    }
    out
}

fn split_array(text: &str) -> Result<Vec<RawClaim<'_>>, InputError> {
    let body = text.trim_start_matches('\u{feff}');
    let elements: Vec<&RawValue> = serde_json::from_str(body).map_err(|e| InputError {
        message: format!("the input is not a JSON array of claims: {e}"),
        line: e.line() as u64,
    })?;
    Ok(elements
        .into_iter()
        .map(|raw| {
            let json = raw.get();
            let start = json.as_ptr() as usize - text.as_ptr() as usize;
            RawClaim {
                json,
                line: line_of(text, start),
            }
        })
        .collect())
}

fn split_stream(text: &str, bom: usize) -> Result<Vec<RawClaim<'_>>, InputError> {
    let mut out = Vec::new();
    let stream = serde_json::Deserializer::from_str(&text[bom..]).into_iter::<&RawValue>();
    for item in stream {
        let raw = item.map_err(|e| InputError {
            message: format!("the input is not JSON: {e}"),
            line: e.line() as u64,
        })?;
        let json = raw.get();
        let start = json.as_ptr() as usize - text.as_ptr() as usize;
        out.push(RawClaim {
            json,
            line: line_of(text, start),
        });
    }
    Ok(out)
}

/// Parses one claim. On failure, the claim's id (when it can be found) and every error.
pub fn parse_claim(raw: &RawClaim<'_>) -> Result<Claim, (Option<String>, Vec<ClaimError>)> {
    let mut de = serde_json::Deserializer::from_str(raw.json);
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
                path: (path != "." && !path.is_empty()).then_some(path),
                line: Some(raw.line + inner.line().saturating_sub(1) as u64),
            };
            return Err((salvage_id(raw.json), vec![error]));
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
/// the reader reports the input line instead.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
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

/// Fills in defaults that depend on the whole claim and checks what serde cannot.
fn normalize(claim: &mut Claim) -> Vec<ClaimError> {
    let mut errors = Vec::new();
    if claim.lines.is_empty() {
        errors.push(ClaimError::at("lines", "a claim needs at least one line"));
    }
    for (i, line) in claim.lines.iter_mut().enumerate() {
        if line.line.is_none() {
            line.line = Some(i as u32 + 1);
        }
    }
    let mut seen: Vec<u32> = Vec::with_capacity(claim.lines.len());
    for (i, line) in claim.lines.iter().enumerate() {
        let n = line.number();
        if seen.contains(&n) {
            errors.push(ClaimError::at(
                format!("lines[{i}].line"),
                format!("line number {n} is used by an earlier line"),
            ));
        }
        seen.push(n);
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
