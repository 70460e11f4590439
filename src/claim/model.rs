//! The claim as docs/formats.md documents it, read with serde and validated on the way in: codes,
//! modifiers, diagnoses and dates are parsed once here, so the evaluator never meets a string
//! it has to interpret.

use std::borrow::Cow;
use std::fmt;

use indexmap::IndexMap;
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use super::money::Money;
use super::object::{self, Object};
use super::quantity;
pub(crate) use super::shown::shown;
use crate::codes::PCS_APPROACHES;
use crate::codes::{parse_date, Code, Date, Diagnosis, Modifier};
use crate::line_attr::{LineAttr, LineValue};

/// One professional claim: the JSON object that `claimrules check` reads.
///
/// Build one in code with [`Claim::builder`], or read one with serde: it serializes to the claim
/// format of docs/formats.md, and a serialized claim reads back to an equal one. The claim
/// format gains optional fields in minor versions, so the struct is `#[non_exhaustive]`: read
/// its fields freely, and make one with the builder or serde.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "claimrules claim",
    // The schema describes the JSON, not the Rust API.
    description = "One professional claim: the JSON object that `claimrules check` reads."
)]
#[non_exhaustive]
pub struct Claim {
    /// The claim's id, repeated as `claim` in its result.
    pub id: String,
    /// The payer, e.g. `medicare`, `commercial`; absent or `null` when not known.
    #[serde(default)]
    pub payer: Option<String>,
    /// The date of service; the rules' dates and NCCI versions compare against it.
    pub service_date: ServiceDate,
    /// The CMS place of service; absent or `null` when not known.
    #[serde(default)]
    pub place_of_service: Option<PlaceOfService>,
    /// The rendering provider; absent or `null` when not known.
    #[serde(default, deserialize_with = "object::optional_object")]
    pub provider: Option<Provider>,
    /// The patient: member id, birth date, sex and relationship to the subscriber; absent or
    /// `null` when not known.
    #[serde(default, deserialize_with = "object::optional_object")]
    pub patient: Option<Patient>,
    /// ICD-10-CM diagnoses, with or without the dot.
    #[serde(default)]
    pub diagnoses: Vec<Diagnosis>,
    /// The service lines: at least one, at most 1,000.
    #[serde(deserialize_with = "object::objects")]
    #[schemars(length(min = 1, max = 1000))]
    pub lines: Vec<Line>,
    /// ICD-10-PCS procedures.
    #[serde(default, deserialize_with = "object::objects")]
    pub procedures: Vec<Procedure>,
    /// Documentation facts, whose names and types the loaded packs declare (the standard pack's
    /// are in docs/formats.md); `note` holds the operative note as text. Checked against the
    /// packs when the claim is judged: an undeclared fact, or a value of the wrong type, is an
    /// error result.
    #[serde(default)]
    pub documentation: IndexMap<String, serde_json::Value>,
    /// The format the claim was read from, which rules can test (`source is x12`): set by the
    /// reader, never written in the claim's JSON. A claim read from JSON, deserialized or built
    /// is [`ClaimSource::Json`] unless told otherwise ([`ClaimBuilder::source`](crate::ClaimBuilder::source)).
    #[serde(skip)]
    #[schemars(skip)]
    pub source: ClaimSource,
}

/// The format a claim was read from. An 837P carries no documentation (no operative note), so
/// a payer's pack can treat its missing documentation differently (`source is x12`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum ClaimSource {
    /// The claim JSON of docs/formats.md (also a claim built in code).
    #[default]
    Json,
    /// An X12 837P professional claim.
    X12,
}

impl ClaimSource {
    /// Every source, in the order the language lists them.
    pub const ALL: [ClaimSource; 2] = [ClaimSource::Json, ClaimSource::X12];

    /// Its name in the policy language (`source is x12`) and in policy tests (`source x12`).
    pub fn name(self) -> &'static str {
        match self {
            ClaimSource::Json => "json",
            ClaimSource::X12 => "x12",
        }
    }

    /// The source named `name`, if any.
    pub fn by_name(name: &str) -> Option<ClaimSource> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }
}

impl Object for Claim {
    const WHAT: &'static str = "a claim";
}

/// The patient of a claim. Every field is optional: one the claim does not give stays unknown.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Patient {
    /// The member id the payer knows the patient (or the subscriber) by; X12 `NM109` of loop
    /// 2010BA. At most 80 characters.
    #[serde(default)]
    pub member_id: Option<String>,
    /// The patient's birth date (`YYYY-MM-DD`), not after the service date; X12 `DMG02`.
    #[serde(default)]
    pub birth_date: Option<ServiceDate>,
    /// The patient's sex: `F`, `M` or `U` (unknown); X12 `DMG03`.
    #[serde(default)]
    pub sex: Option<Sex>,
    /// The patient's relationship to the subscriber, as the X12 individual relationship code
    /// (two digits: `18` self, `01` spouse, `19` child, …); X12 `SBR02`, or `PAT01` when the
    /// patient is not the subscriber.
    #[serde(default)]
    pub relationship: Option<String>,
}

impl Patient {
    /// The patient's age in whole years on a date (the date of service): the birthdays passed,
    /// as CMS counts age for its age edits. A patient born on 29 February turns a year older
    /// on 1 March in a year without one. `None` when the birth date is not known or is after
    /// the date.
    pub fn age_on(&self, date: chrono::NaiveDate) -> Option<u32> {
        use chrono::Datelike;
        let birth = self.birth_date?.0;
        if birth > date {
            return None;
        }
        let had_birthday = (date.month(), date.day()) >= (birth.month(), birth.day());
        let years = date.year() - birth.year() - i32::from(!had_birthday);
        u32::try_from(years).ok()
    }
}

impl Object for Patient {
    const WHAT: &'static str = "a patient";
}

/// A patient's sex, as claims write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize, JsonSchema)]
pub enum Sex {
    /// Female.
    F,
    /// Male.
    M,
    /// Unknown.
    U,
}

impl Sex {
    /// Every sex, in the order the language lists them (`patient sex is F`).
    pub const ALL: [Sex; 3] = [Sex::F, Sex::M, Sex::U];

    /// Its one-letter code, as claims and policies write it.
    pub fn letter(self) -> &'static str {
        match self {
            Sex::F => "F",
            Sex::M => "M",
            Sex::U => "U",
        }
    }

    /// The sex a one-letter code names (`F`, `M`, `U`).
    pub fn parse(text: &str) -> Option<Sex> {
        match text {
            "F" => Some(Sex::F),
            "M" => Some(Sex::M),
            "U" => Some(Sex::U),
            _ => None,
        }
    }
}

/// The provider of a claim.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Provider {
    /// The NUCC taxonomy code, e.g. `207L00000X`.
    #[serde(default)]
    pub taxonomy: Option<String>,
    /// Whether the provider owns the equipment used; absent or `null` when not known.
    #[serde(default)]
    pub owns_equipment: Option<bool>,
    /// The billing provider's National Provider Identifier (ten digits, the last a check
    /// digit); X12 `NM109` of loop 2010AA. Absent or `null` when not known.
    #[serde(default)]
    pub npi: Option<String>,
}

impl Object for Provider {
    const WHAT: &'static str = "a provider";
}

/// A service line. `line` defaults to the line's 1-based position (filled in by the reader),
/// `units` and `session` to 1.
///
/// `minutes` is the time of a line billed in minutes (anesthesia: X12 `SV103` = `MJ`). Such a
/// line is one service: its `units` stay the count of services (1 unless given), so that unit
/// edits (MUE, `units on the date of service`) never count minutes as units.
///
/// `comparison_code` is one of the line's attributes ([`LineAttr`]): optional, and unknown to the
/// rules when left out.
///
/// [`Line::new`] makes a line of one unit for a code; its setters add the rest.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    description = "A service line. `line` defaults to the line's 1-based position (filled in by the reader), `units` and `session` to 1.\n\n`minutes` is the time of a line billed in minutes (anesthesia: X12 `SV103` = `MJ`). Such a line is one service: its `units` stay the count of services (1 unless given), so that unit edits (MUE, `units on the date of service`) never count minutes as units."
)]
#[non_exhaustive]
pub struct Line {
    /// The line number, from 1, not used by another line of the claim; by default the line's
    /// 1-based position in `lines`.
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub line: Option<u32>,
    /// The CPT/HCPCS procedure code.
    pub code: Code,
    /// The line's modifiers, in order.
    #[serde(default)]
    pub modifiers: Vec<Modifier>,
    /// Units of service: a whole number from 1 to 99,999, written `2` or `2.0`.
    #[serde(default = "one", deserialize_with = "quantity::units")]
    #[schemars(range(min = 1, max = 99_999))]
    pub units: u32,
    /// The session (encounter) of the date of service the line belongs to.
    #[serde(default = "one")]
    pub session: u32,
    /// The minutes of a line billed in minutes, a whole number from 1 to 99,999 (`45`, `45.0`);
    /// `None` for a line billed in units.
    #[serde(default, deserialize_with = "quantity::minutes")]
    #[schemars(range(min = 1, max = 99_999))]
    pub minutes: Option<u32>,
    /// The comparison code of an unlisted procedure: a listed CPT/HCPCS code of similar work,
    /// by which the payer values the line (`27762` for an unlisted `27899`); absent or `null`
    /// when the line gives none. X12 carries it in `SV101-7` (docs/claims.md).
    #[serde(default)]
    pub comparison_code: Option<Code>,
    /// The diagnoses the line is for: 1-based positions in the claim's `diagnoses`, at most 4,
    /// the first the primary; absent or `null` when not given. X12 `SV107`.
    #[serde(default)]
    pub diagnosis_pointers: Option<Vec<u32>>,
    /// The line's charge, an exact amount (`"125.00"` or `125`); absent or `null` when not
    /// given. X12 `SV102`.
    #[serde(default)]
    pub charge: Option<Money>,
    /// The NPI of the line's rendering provider; absent or `null` when not given. X12 `NM109`
    /// of loop 2420A, or of 2310B for every line of the claim.
    #[serde(default)]
    pub rendering_provider: Option<String>,
}

impl Object for Line {
    const WHAT: &'static str = "a line";
}

impl Line {
    /// A line billing `code` once, in session 1, numbered by its position in the claim.
    pub fn new(code: Code) -> Line {
        Line {
            line: None,
            code,
            modifiers: Vec::new(),
            units: 1,
            session: 1,
            minutes: None,
            comparison_code: None,
            diagnosis_pointers: None,
            charge: None,
            rendering_provider: None,
        }
    }

    /// The line number, which the reader always fills in.
    pub fn number(&self) -> u32 {
        self.line.unwrap_or(0)
    }

    /// Gives the line its own number instead of its position in the claim.
    pub fn with_number(mut self, number: u32) -> Line {
        self.line = Some(number);
        self
    }

    /// Appends a modifier, after those already on the line.
    pub fn with_modifier(mut self, modifier: Modifier) -> Line {
        self.modifiers.push(modifier);
        self
    }

    /// Bills the service this many times.
    pub fn with_units(mut self, units: u32) -> Line {
        self.units = units;
        self
    }

    /// Puts the line in another session (encounter) of the date of service.
    pub fn with_session(mut self, session: u32) -> Line {
        self.session = session;
        self
    }

    /// Bills the line in minutes (anesthesia time); its units stay the count of services.
    pub fn with_minutes(mut self, minutes: u32) -> Line {
        self.minutes = Some(minutes);
        self
    }

    /// The value of one of the line's attributes; `None` when the line does not give it.
    pub fn attr(&self, attr: LineAttr) -> Option<LineValue> {
        match attr {
            LineAttr::ComparisonCode => self.comparison_code.map(LineValue::Code),
        }
    }

    /// Gives the line the comparison code that values it (an unlisted procedure's).
    pub fn with_comparison_code(mut self, code: Code) -> Line {
        self.comparison_code = Some(code);
        self
    }

    /// Points the line at diagnoses of the claim (1-based positions in `diagnoses`).
    pub fn with_diagnosis_pointers(mut self, pointers: Vec<u32>) -> Line {
        self.diagnosis_pointers = Some(pointers);
        self
    }

    /// Gives the line its charge.
    pub fn with_charge(mut self, charge: Money) -> Line {
        self.charge = Some(charge);
        self
    }

    /// Gives the line the NPI of its rendering provider.
    pub fn with_rendering_provider(mut self, npi: impl Into<String>) -> Line {
        self.rendering_provider = Some(npi.into());
        self
    }
}

fn one() -> u32 {
    1
}

/// An ICD-10-PCS procedure. `approach` defaults to the one the code's fifth character gives.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Procedure {
    /// The ICD-10-PCS code, e.g. `0QSG34Z`.
    pub code: String,
    /// The approach; when absent, read from character 5 of a Medical and Surgical (section
    /// `0`) code, and an error for any other code.
    #[serde(default)]
    #[schemars(schema_with = "approach_schema")]
    pub approach: Option<String>,
}

impl Object for Procedure {
    const WHAT: &'static str = "an ICD-10-PCS procedure";
}

/// An ICD-10-PCS approach or `null`, from the list the checker and the reader share.
fn approach_schema(_: &mut SchemaGenerator) -> Schema {
    let mut values: Vec<serde_json::Value> = PCS_APPROACHES.iter().map(|a| (*a).into()).collect();
    values.push(serde_json::Value::Null);
    json_schema!({ "enum": values })
}

/// The service date (`YYYY-MM-DD`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceDate(pub Date);

/// A two-digit CMS place-of-service code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceOfService(pub Box<str>);

impl PlaceOfService {
    /// Reads a place of service; `None` unless it is exactly two digits.
    pub fn parse(text: &str) -> Option<PlaceOfService> {
        (text.len() == 2 && text.bytes().all(|b| b.is_ascii_digit()))
            .then(|| PlaceOfService(text.into()))
    }

    /// The two digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The schema of a type read from one string: the pattern it must match, what it is, and
/// examples. The patterns say what the parsers of `crate::codes` accept.
macro_rules! string_schema {
    ($ty:ty, $name:literal, $pattern:literal, $description:literal, [$($example:literal),*]
     $(, $key:literal = $value:literal)*) => {
        impl JsonSchema for $ty {
            fn schema_name() -> Cow<'static, str> {
                $name.into()
            }

            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!({
                    "type": "string",
                    "pattern": $pattern,
                    $($key: $value,)*
                    "description": $description,
                    "examples": [$($example),*],
                })
            }
        }
    };
}

string_schema!(
    Code,
    "Code",
    "^[A-Za-z0-9]{5}$",
    "A 5-character CPT/HCPCS code: letters (either case) and digits.",
    ["27093", "0201T", "G0260"]
);
string_schema!(
    Modifier,
    "Modifier",
    "^[A-Za-z0-9]{2}$",
    "A 2-character modifier: letters (either case) and digits.",
    ["26", "RT", "XS"]
);
string_schema!(
    Diagnosis,
    "Diagnosis",
    "^[A-Za-z][A-Za-z0-9]{2}\\.?[A-Za-z0-9]{0,4}$",
    "An ICD-10-CM code: a letter, two letters or digits, then up to four more, with an optional dot after the third character.",
    ["S82.241A", "S82241A", "M48.06"]
);
string_schema!(
    ServiceDate,
    "Date",
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
    "A calendar date as YYYY-MM-DD; the day must exist.",
    ["2010-04-01"],
    "format" = "date"
);
string_schema!(
    PlaceOfService,
    "PlaceOfService",
    "^[0-9]{2}$",
    "A 2-digit CMS place-of-service code, e.g. `11` office, `21` inpatient hospital, `22` on-campus outpatient hospital, `24` ambulatory surgical center.",
    ["11", "22"]
);

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
            .ok_or_else(|| E::custom(format!("expected {}, found {}", self.expecting, shown(v))))
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
    PlaceOfService::parse
);

/// Writes a value as the one string its reader takes back, so that a serialized claim reads
/// back to an equal one.
macro_rules! serialize_as_str {
    ($ty:ty, $text:expr) => {
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let text: fn(&$ty) -> String = $text;
                s.serialize_str(&text(self))
            }
        }
    };
}

serialize_as_str!(Code, |c| c.as_str().to_string());
serialize_as_str!(Modifier, |m| m.as_str().to_string());
// Without its dot: the reader takes either form, and they are the same code.
serialize_as_str!(Diagnosis, |d| d.compact().to_string());
serialize_as_str!(ServiceDate, |d| d.0.format("%Y-%m-%d").to_string());
serialize_as_str!(PlaceOfService, |p| p.as_str().to_string());

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_sexes() {
        assert_eq!(Sex::parse("F"), Some(Sex::F));
        assert_eq!(Sex::parse("f"), None);
        assert!(serde_json::from_str::<Sex>(r#""X""#).is_err());
    }
}
