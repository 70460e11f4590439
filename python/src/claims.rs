//! Claims from Python: each a `dict` (written as JSON by Python's `json` module), or the JSON
//! text of one claim (`str` or `bytes`), read by the command's own JSON reader so that the same
//! limits and errors apply.

use claimrules::input::json::JsonClaims;
use claimrules::{ClaimInput, InputItem};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

/// The claim a Python object holds, as the reader of `claimrules check` would give it for the
/// `number`th claim (1-based) of an NDJSON input: its input line is `number`. An object that
/// holds no claim, or more than one, is an unreadable claim with the reason; it is judged
/// `error` like any claim that does not read.
pub fn claim_of(obj: &Bound<'_, PyAny>, number: u64) -> InputItem {
    let py = obj.py();
    let text = if let Ok(s) = obj.cast::<PyString>() {
        match s.to_cow() {
            Ok(s) => Text::Str(s.into_owned()),
            Err(e) => Text::Bad(format!("the claim is not UTF-8 text: {e}")),
        }
    } else if let Ok(b) = obj.cast::<PyBytes>() {
        Text::Bytes(b.as_bytes().to_vec())
    } else {
        match to_json(py, obj) {
            Ok(s) => Text::Str(s),
            Err(e) => Text::Bad(format!("the claim cannot be written as JSON: {e}")),
        }
    };
    let bytes = match &text {
        Text::Str(s) => s.as_bytes(),
        Text::Bytes(b) => b.as_slice(),
        Text::Bad(message) => return unreadable(number, message.clone()),
    };
    one_claim(bytes, number)
}

/// What an object gave: JSON text, or why it gives none.
enum Text {
    Str(String),
    Bytes(Vec<u8>),
    Bad(String),
}

/// `json.dumps(obj, ensure_ascii=False, allow_nan=False)`: a dict (or list, number…) as JSON,
/// or Python's reason it cannot be (a value JSON has no form for: a set, a date, `nan`).
fn to_json(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<String> {
    let dumps = py
        .import(intern!(py, "json"))?
        .getattr(intern!(py, "dumps"))?;
    let kwargs = pyo3::types::PyDict::new(py);
    kwargs.set_item(intern!(py, "ensure_ascii"), false)?;
    kwargs.set_item(intern!(py, "allow_nan"), false)?;
    dumps.call((obj,), Some(&kwargs))?.extract::<String>()
}

/// The one claim of `bytes`, read by the command's JSON reader as the `number`th line of an
/// input; text that holds no claim or several is an unreadable claim.
pub fn one_claim(bytes: &[u8], number: u64) -> InputItem {
    let mut found = JsonClaims::new(bytes);
    let first = found.next();
    let more = found.count();
    match first {
        None => unreadable(number, "the text holds no claim".to_string()),
        Some(_) if more > 0 => unreadable(
            number,
            format!(
                "the text holds {} claims; give one claim per item",
                more + 1
            ),
        ),
        Some(mut item) => {
            shift_lines(&mut item.claim, number - 1);
            item
        }
    }
}

/// Moves the claim's input lines `by` lines down, as if the text started on line `by + 1`.
fn shift_lines(claim: &mut ClaimInput, by: u64) {
    match claim {
        ClaimInput::Json(raw) => raw.line += by,
        ClaimInput::Claim { line, .. } => *line += by,
        ClaimInput::Unreadable { errors, .. } => {
            for e in errors {
                if let Some(line) = &mut e.line {
                    *line += by;
                }
            }
        }
    }
}

/// An unreadable claim on input line `number`.
fn unreadable(number: u64, message: String) -> InputItem {
    InputItem {
        claim: ClaimInput::unreadable(number, message),
        offset: 0,
    }
}
