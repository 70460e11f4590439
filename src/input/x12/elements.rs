//! What the 837P mapping reads element by element: segment ids, designators for errors, D8
//! dates, payer indicators, and the bounds on errors and diagnoses.

use std::fmt;

use super::segments::Segment;
use crate::claim::ClaimError;
use crate::codes::Date;

/// The most problems reported for one claim; more are summed up in one last error.
pub(super) const MAX_ERRORS: usize = 20;

/// The most diagnoses kept for one claim (the 837P allows 12): bounds a claim's memory.
pub(super) const MAX_DIAGNOSES: usize = 100;

/// The payer a claim filing indicator (SBR09) names.
pub(crate) fn payer_of(indicator: &str) -> Option<&'static str> {
    Some(match indicator {
        "MA" | "MB" => "medicare",
        "MC" => "medicaid",
        "CI" => "commercial",
        "BL" => "blue_cross_blue_shield",
        "CH" => "tricare",
        "VA" => "veterans_affairs",
        "WC" => "workers_compensation",
        "HM" => "hmo",
        "16" => "medicare_advantage",
        _ => return None,
    })
}

/// Whether `id` can be a segment id: two or three upper-case letters or digits.
pub(super) fn is_segment_id(id: &str) -> bool {
    (2..=3).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// The reference designator of element `n` of `seg` (`SV104`), or of component `m` of it
/// (`SV101-2`).
pub(super) fn designator(seg: &Segment, n: usize, m: Option<usize>) -> String {
    match m {
        Some(m) => format!("{}{n:02}-{m}", seg.id()),
        None => format!("{}{n:02}", seg.id()),
    }
}

/// A problem in `seg`, at `path`.
pub(super) fn problem(seg: &Segment, path: Option<String>, what: impl fmt::Display) -> ClaimError {
    ClaimError {
        message: format!("segment {} `{}`: {what}", seg.number, seg.id()),
        path,
        line: Some(seg.line),
    }
}

/// A date as X12 writes it: `CCYYMMDD`.
pub(super) fn parse_d8(text: &str) -> Option<Date> {
    if text.len() != 8 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year = text.get(..4)?.parse().ok()?;
    let month = text.get(4..6)?.parse().ok()?;
    let day = text.get(6..)?.parse().ok()?;
    Date::from_ymd_opt(year, month, day)
}
