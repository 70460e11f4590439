//! The claim as DESIGN.md fixes it, read with serde and validated on the way in: codes,
//! modifiers, diagnoses and dates are parsed once here, so the evaluator never meets a string
//! it has to interpret.

use std::fmt;

use indexmap::IndexMap;
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

use crate::codes::{parse_date, Code, Date, Diagnosis, Modifier};

/// One professional claim.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claim {
    pub id: String,
    #[serde(default)]
    pub payer: Option<String>,
    pub service_date: ServiceDate,
    #[serde(default)]
    pub place_of_service: Option<PlaceOfService>,
    #[serde(default)]
    pub provider: Option<Provider>,
    #[serde(default)]
    pub diagnoses: Vec<Diagnosis>,
    pub lines: Vec<Line>,
    #[serde(default)]
    pub procedures: Vec<Procedure>,
    /// Facts whose names and types a pack declares; checked against the packs' schema when the
    /// claim is evaluated.
    #[serde(default)]
    pub documentation: IndexMap<String, serde_json::Value>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    #[serde(default)]
    pub taxonomy: Option<String>,
    #[serde(default)]
    pub owns_equipment: Option<bool>,
}

/// A service line. `line` defaults to the line's 1-based position (filled in by the reader),
/// `units` and `session` to 1.
///
/// `minutes` is the time of a line billed in minutes (anesthesia: X12 `SV103` = `MJ`). Such a
/// line is one service: its `units` stay the count of services (1 unless given), so that unit
/// edits (MUE, `units on the date of service`) never count minutes as units.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Line {
    #[serde(default)]
    pub line: Option<u32>,
    pub code: Code,
    #[serde(default)]
    pub modifiers: Vec<Modifier>,
    #[serde(default = "one")]
    pub units: u32,
    #[serde(default = "one")]
    pub session: u32,
    /// The minutes of a line billed in minutes; `None` for a line billed in units.
    #[serde(default)]
    pub minutes: Option<u32>,
}

impl Line {
    /// The line number, which the reader always fills in.
    pub fn number(&self) -> u32 {
        self.line.unwrap_or(0)
    }
}

fn one() -> u32 {
    1
}

/// An ICD-10-PCS procedure. `approach` defaults to the one the code's fifth character gives.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Procedure {
    pub code: String,
    #[serde(default)]
    pub approach: Option<String>,
}

/// The service date (`YYYY-MM-DD`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceDate(pub Date);

/// A two-digit CMS place-of-service code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceOfService(pub Box<str>);

/// Visits a string and converts it, with an error message that names what was expected.
struct Parsed<T> {
    expecting: &'static str,
    parse: fn(&str) -> Option<T>,
}

impl<T> Visitor<'_> for Parsed<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.expecting)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        (self.parse)(v)
            .ok_or_else(|| E::custom(format!("expected {}, found `{v}`", self.expecting)))
    }
}

macro_rules! deserialize_from_str {
    ($ty:ty, $expecting:literal, $parse:expr) => {
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_str(Parsed {
                    expecting: $expecting,
                    parse: $parse,
                })
            }
        }
    };
}

deserialize_from_str!(
    Code,
    "a 5-character CPT/HCPCS code such as `27093`",
    Code::parse
);
deserialize_from_str!(
    Modifier,
    "a 2-character modifier such as `26`",
    Modifier::parse
);
deserialize_from_str!(
    Diagnosis,
    "an ICD-10-CM code such as `S82.241A`",
    Diagnosis::parse
);
deserialize_from_str!(ServiceDate, "a date as YYYY-MM-DD", |s| parse_date(s)
    .map(ServiceDate));
deserialize_from_str!(
    PlaceOfService,
    "a 2-digit place of service such as `22`",
    |s| {
        (s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit())).then(|| PlaceOfService(s.into()))
    }
);

/// The ICD-10-PCS approach named by character 5 of a Medical and Surgical (section `0`) code.
pub fn pcs_approach_of(code: &str) -> Option<&'static str> {
    let bytes = code.as_bytes();
    if bytes.len() != 7 || bytes[0] != b'0' {
        return None;
    }
    Some(match bytes[4].to_ascii_uppercase() {
        b'0' => "open",
        b'3' => "percutaneous",
        b'4' => "percutaneous_endoscopic",
        b'7' => "via_natural_or_artificial_opening",
        b'8' => "via_natural_or_artificial_opening_endoscopic",
        b'F' => "via_natural_or_artificial_opening_with_percutaneous_endoscopic_assistance",
        b'X' => "external",
        _ => return None,
    })
}
