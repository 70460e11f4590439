//! The three output formats (docs/formats.md), written one result at a time so that a batch of
//! any size streams: `text` for people, `json` (one array) and `ndjson` (one object a line).

use super::view::{Findings, ResultView};
use super::{render_text, ClaimResult};
use crate::claim::ClaimError;

/// How results are written, one at a time: [`begin`](OutputFormat::begin), then
/// [`write_result`](OutputFormat::write_result) for each, then [`end`](OutputFormat::end).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum OutputFormat {
    /// For people: a line for the claim, then one for each finding.
    Text,
    /// One JSON array of results.
    Json,
    /// One JSON result a line.
    Ndjson,
}

impl OutputFormat {
    /// What comes before the first result.
    pub fn begin(self) -> &'static [u8] {
        match self {
            OutputFormat::Json => b"[",
            OutputFormat::Text | OutputFormat::Ndjson => b"",
        }
    }

    /// Appends one result to `out`; `first` is whether it is the first result of the output.
    pub fn write_result(self, result: &ClaimResult, first: bool, out: &mut Vec<u8>) {
        match self {
            OutputFormat::Text => out.extend_from_slice(render_text(result).as_bytes()),
            OutputFormat::Json | OutputFormat::Ndjson => {
                self.write_json_view(&result.view(), first, out)
            }
        }
    }

    /// Appends one result given by its parts, in a JSON format (`json` or `ndjson`). Callers
    /// write `text` from a [`ClaimResult`] (`write_result`); given `text`, this writes the
    /// result as `ndjson` would, so that no result is ever dropped.
    pub(crate) fn write_json_view<F: Findings>(
        self,
        result: &ResultView<'_, F>,
        first: bool,
        out: &mut Vec<u8>,
    ) {
        debug_assert!(
            self != OutputFormat::Text,
            "text is written from a ClaimResult"
        );
        match self {
            OutputFormat::Text | OutputFormat::Ndjson => {
                write_json(result, out);
                out.push(b'\n');
            }
            OutputFormat::Json => {
                out.extend_from_slice(if first { b"\n  " } else { b",\n  " });
                write_json(result, out);
            }
        }
    }

    /// What comes after the last result; `any` is whether there was one.
    pub fn end(self, any: bool) -> &'static [u8] {
        match (self, any) {
            (OutputFormat::Json, true) => b"\n]\n",
            (OutputFormat::Json, false) => b"]\n",
            (OutputFormat::Text | OutputFormat::Ndjson, _) => b"",
        }
    }
}

/// A result as JSON. Serializing the result types cannot fail (every map key is a string);
/// should it ever, the claim still gets a result, one that says so.
fn write_json<F: Findings>(result: &ResultView<'_, F>, out: &mut Vec<u8>) {
    let start = out.len();
    if let Err(e) = super::json::write_result(result, out) {
        out.truncate(start);
        let fallback = ClaimResult::error(
            result.claim.map(str::to_owned),
            vec![ClaimError {
                message: format!("the result could not be written as JSON: {e}"),
                path: None,
                line: None,
            }],
        );
        if serde_json::to_writer(&mut *out, &fallback).is_err() {
            out.truncate(start);
            out.extend_from_slice(
                br#"{"format_version":"1.0","claim":null,"status":"error","findings":[],"errors":[]}"#,
            );
        }
    }
}
