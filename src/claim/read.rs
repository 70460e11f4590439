//! Reading one claim's JSON into the claim model, and the checks serde cannot make.
//!
//! A claim that cannot be read becomes an error result of its own, named by its input line and
//! the JSON path of what is wrong; `crate::input` splits an input into claims so that the
//! claims around it are still read.

use super::error::ClaimError;
use super::model::Claim;
use super::normalized::NormalizedClaim;
use super::object::object;
use super::plain::read_plain;

/// One claim's text as found in the input, not yet parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct RawClaim {
    /// The claim's JSON object, as written in the input.
    pub json: String,
    /// The 1-based input line it starts on.
    pub line: u64,
}

/// What parsing a claim gives: the claim, or its id (when it can be found) and every error.
pub type Parsed = Result<NormalizedClaim, (Option<String>, Vec<ClaimError>)>;

/// Parses one claim. On failure, the claim's id (when it can be found) and every error.
pub fn parse_claim(raw: &RawClaim) -> Parsed {
    normalized(raw, read_plain(&raw.json))
}

/// Parses one claim with serde alone, never the plain reader: the reference that
/// [`parse_claim`]'s fast path is held to (`EvalOptions::with_reference`).
pub fn parse_claim_reference(raw: &RawClaim) -> Parsed {
    normalized(raw, None)
}

/// The reader of a claim's text: [`parse_claim`], or with `reference`
/// [`parse_claim_reference`] (`EvalOptions::reference`). The one place that choice is made.
pub(crate) fn parser(reference: bool) -> fn(&RawClaim) -> Parsed {
    if reference {
        parse_claim_reference
    } else {
        parse_claim
    }
}

/// The claim the plain reader read, else serde's reading of it, normalized.
fn normalized(raw: &RawClaim, plain: Option<Claim>) -> Parsed {
    let claim = match plain {
        Some(claim) => claim,
        None => parse_with_serde(raw)?,
    };
    NormalizedClaim::new(claim).map_err(|(claim, mut errors)| {
        for e in &mut errors {
            e.line = Some(raw.line);
        }
        (Some(claim.id), errors)
    })
}

/// Reads a claim with serde: one the plain reader declined.
fn parse_with_serde(raw: &RawClaim) -> Result<Claim, (Option<String>, Vec<ClaimError>)> {
    // Tracking JSON paths doubles the cost of reading a claim, and only an error needs the path:
    // a claim that does not read is read again, tracked.
    let mut de = serde_json::Deserializer::from_str(&raw.json);
    match object::<Claim, _>(&mut de).and_then(|claim| de.end().map(|()| claim)) {
        Ok(claim) => Ok(claim),
        Err(_) => parse_tracked(raw),
    }
}

/// Reads a claim tracking the JSON path of each value, for the error of a claim that does not
/// read.
fn parse_tracked(raw: &RawClaim) -> Result<Claim, (Option<String>, Vec<ClaimError>)> {
    let mut de = serde_json::Deserializer::from_str(&raw.json);
    let mut track = serde_path_to_error::Track::new();
    let parsed: Result<Claim, _> =
        object(serde_path_to_error::Deserializer::new(&mut de, &mut track))
            .map_err(|e| serde_path_to_error::Error::new(track.path(), e));
    let claim = match parsed {
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
    Ok(claim)
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
        .replace("expected struct Patient", "expected a patient object")
        .replace("expected struct Procedure", "expected a procedure object")
        .replace("expected u32", "expected a whole number")
        .replace("expected a sequence", "expected an array")
        .replace("invalid type: sequence", "invalid type: array")
        .replace("invalid type: map", "invalid type: object")
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
