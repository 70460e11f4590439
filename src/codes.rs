//! The coded values claims and policies speak in: procedure codes, modifiers, diagnoses, dates
//! and NCCI versions. Each is small, `Copy` where it can be, and validated once on the way in.

use std::fmt;

use chrono::NaiveDate;

/// A CPT or HCPCS level II code: five letters or digits (`27093`, `0201T`, `G0008`).
///
/// Stored as five ASCII bytes, upper-cased, so that it is `Copy`, hashes fast and orders as the
/// code's text does (which is what an inclusive range `27000-27299` means).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Code([u8; 5]);

/// The base-36 value of each character a code may hold (digits, then upper-case letters); 0
/// for any other byte, which a code never holds.
const BASE_36: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 10 {
        table[b'0' as usize + b] = b as u8;
        b += 1;
    }
    let mut l = 0;
    while l < 26 {
        table[b'A' as usize + l] = 10 + l as u8;
        l += 1;
    }
    table
};

/// Each byte as a code holds it: a digit as it is, a letter in upper case; 0 for any other
/// byte, which makes the code invalid.
const CODE_BYTE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        if byte.is_ascii_alphanumeric() {
            table[b] = byte.to_ascii_uppercase();
        }
        b += 1;
    }
    table
};

// Hashed as one number: code-keyed maps are probed for every line of every claim, and one
// word hashes in one step where five bytes take several.
impl std::hash::Hash for Code {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_u64(self.ordinal());
    }
}

// The order of the text, compared as one number: the sorted code lists of sets and tables are
// searched on every line, and a comparison of five bytes one by one costs several times more.
impl Ord for Code {
    fn cmp(&self, other: &Code) -> std::cmp::Ordering {
        self.ordinal().cmp(&other.ordinal())
    }
}

impl PartialOrd for Code {
    fn partial_cmp(&self, other: &Code) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Code {
    /// The lowest code, `00000`: a placeholder that orders before every other.
    pub const MIN: Code = Code(*b"00000");

    /// Reads a code; `None` unless it is exactly five letters or digits.
    pub fn parse(text: &str) -> Option<Code> {
        Code::from_bytes(text.as_bytes())
    }

    /// Reads a code from its bytes, as [`Code::parse`] reads its text (the compact form of a
    /// PTP table holds millions, and needs no UTF-8 check first).
    pub fn from_bytes(bytes: &[u8]) -> Option<Code> {
        let bytes: &[u8; 5] = bytes.try_into().ok()?;
        // One lookup a byte and one test for all five, with no branch a byte: the load of the
        // standard pack reads 2.2 million codes, and a byte-by-byte test was 7% of it.
        let code = bytes.map(|b| CODE_BYTE[usize::from(b)]);
        if code.contains(&0) {
            return None;
        }
        Some(Code(code))
    }

    /// The five bytes as one big-endian number: ordered as the text is.
    fn ordinal(&self) -> u64 {
        let [a, b, c, d, e] = self.0;
        u64::from_be_bytes([0, 0, 0, a, b, c, d, e])
    }

    /// The code as a number below 36⁵ (26 bits), its characters read as base-36 digits: two
    /// codes make one `u64` key, hashed in one step.
    pub fn number(&self) -> u32 {
        // A table lookup a character, no branch: two of these make the key of every pair of
        // a claim's lines looked up in a PTP table.
        let [a, b, c, d, e] = self.0.map(|b| u32::from(BASE_36[usize::from(b)]));
        (((a * 36 + b) * 36 + c) * 36 + d) * 36 + e
    }

    /// The code's five characters, upper-cased, as bytes: ASCII letters and digits, so UTF-8
    /// text, read without the check [`Code::as_str`] makes.
    pub fn as_bytes(&self) -> &[u8; 5] {
        &self.0
    }

    /// The code's five characters, upper-cased.
    pub fn as_str(&self) -> &str {
        // Only ASCII alphanumerics are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("?????")
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Code({})", self.as_str())
    }
}

/// A CPT/HCPCS modifier: two letters or digits (`26`, `TC`, `59`, `LT`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Modifier([u8; 2]);

impl Modifier {
    /// Reads a modifier; `None` unless it is exactly two letters or digits.
    pub fn parse(text: &str) -> Option<Modifier> {
        let bytes = text.as_bytes();
        if bytes.len() != 2 || !bytes.iter().all(u8::is_ascii_alphanumeric) {
            return None;
        }
        Some(Modifier([
            bytes[0].to_ascii_uppercase(),
            bytes[1].to_ascii_uppercase(),
        ]))
    }

    /// The modifier's two characters, upper-cased.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl fmt::Display for Modifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Modifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Modifier({})", self.as_str())
    }
}

/// An ICD-10-CM diagnosis code, kept without its dot (`S82.241A` and `S82241A` are the same
/// code; X12 claims carry them without dots).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Diagnosis(Box<str>);

impl Diagnosis {
    /// Reads an ICD-10-CM code: a letter, two more characters, then up to four more, with an
    /// optional dot after the third.
    pub fn parse(text: &str) -> Option<Diagnosis> {
        let compact = strip_icd_dot(text)?;
        if compact.len() < 3 || compact.len() > 7 || compact.contains('*') {
            return None;
        }
        Some(Diagnosis(compact.into()))
    }

    /// The code without its dot.
    pub fn compact(&self) -> &str {
        &self.0
    }
}

/// A diagnosis pattern from a policy: an exact code (`S82.241A`) or a prefix (`S82.*`, `M84*`).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct DiagnosisPattern {
    /// The code or prefix, without dot.
    pub compact: Box<str>,
    /// Whether it matches every code that starts with `compact`.
    pub prefix: bool,
}

impl DiagnosisPattern {
    /// Reads a pattern as a policy writes it; `None` when it is no ICD-10-CM code or prefix.
    pub fn parse(text: &str) -> Option<DiagnosisPattern> {
        let (body, prefix) = match text.strip_suffix('*') {
            Some(body) => (body.strip_suffix('.').unwrap_or(body), true),
            None => (text, false),
        };
        let compact = strip_icd_dot(body)?;
        let len_ok = if prefix {
            (1..=7).contains(&compact.len())
        } else {
            (3..=7).contains(&compact.len())
        };
        len_ok.then(|| DiagnosisPattern {
            compact: compact.into(),
            prefix,
        })
    }

    /// Whether the claim's diagnosis is this code, or starts with this prefix.
    pub fn matches(&self, diagnosis: &Diagnosis) -> bool {
        if self.prefix {
            diagnosis.compact().starts_with(&*self.compact)
        } else {
            diagnosis.compact() == &*self.compact
        }
    }
}

/// Upper-cases an ICD-10-CM code and drops the dot after its category; `None` if the shape is
/// wrong (first character not a letter, a dot elsewhere, other characters).
fn strip_icd_dot(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.chars().enumerate() {
        match c {
            '.' if i == 3 => {}
            c if i == 0 && !c.is_ascii_alphabetic() => return None,
            c if c.is_ascii_alphanumeric() => out.push(c.to_ascii_uppercase()),
            _ => return None,
        }
    }
    if out.is_empty() {
        None
    } else {
        Some(out)
    }
}

/// ICD-10-PCS approach values (character 5 of a Medical and Surgical code), as claims name them.
pub const PCS_APPROACHES: &[&str] = &[
    "open",
    "percutaneous",
    "percutaneous_endoscopic",
    "via_natural_or_artificial_opening",
    "via_natural_or_artificial_opening_endoscopic",
    "via_natural_or_artificial_opening_with_percutaneous_endoscopic_assistance",
    "external",
];

/// A calendar date (`YYYY-MM-DD`).
pub type Date = NaiveDate;

/// Reads `YYYY-MM-DD`, checking that the day exists.
pub fn parse_date(text: &str) -> Option<Date> {
    // Every claim has one, and tables have millions: read by position, not split.
    let &[y1, y2, y3, y4, b'-', m1, m2, b'-', d1, d2] = text.as_bytes() else {
        return None;
    };
    let mut number = 0;
    for b in [y1, y2, y3, y4, m1, m2, d1, d2] {
        if !b.is_ascii_digit() {
            return None;
        }
        number = number * 10 + u32::from(b - b'0');
    }
    let (year, month, day) = (number / 10_000, number / 100 % 100, number % 100);
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)
}

/// An NCCI version `M.Q`. It takes effect on the first day of quarter Q+1 of year 1994+M:
/// 16.1 is 2010-04-01, 30.0 is 2024-01-01.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NcciVersion {
    /// `M`: the year, counted from 1994.
    pub major: u16,
    /// `Q`: the quarter, from 0.
    pub quarter: u8,
}

impl NcciVersion {
    /// Reads `M.Q` with `Q` from 0 to 3.
    pub fn parse(text: &str) -> Option<NcciVersion> {
        let (major, quarter) = text.split_once('.')?;
        let major: u16 = major.parse().ok()?;
        let quarter: u8 = quarter.parse().ok()?;
        if major == 0 || major > 200 || quarter > 3 || text.matches('.').count() != 1 {
            return None;
        }
        Some(NcciVersion { major, quarter })
    }

    /// The day the version takes effect.
    pub fn effective_date(self) -> Date {
        let year = 1994 + i32::from(self.major);
        let month = 3 * u32::from(self.quarter) + 1;
        NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(NaiveDate::MIN)
    }
}

impl fmt::Display for NcciVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.quarter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("00000", 0)]
    #[case("00009", 9)]
    #[case("0000A", 10)]
    #[case("0000Z", 35)]
    #[case("00010", 36)]
    #[case("ZZZZZ", 36u32.pow(5) - 1)]
    fn a_code_is_numbered_as_its_characters_read_in_base_36(
        #[case] text: &str,
        #[case] number: u32,
    ) {
        assert_eq!(Code::parse(text).map(|c| c.number()), Some(number));
    }

    /// The reading before the lookup table: a byte-by-byte test, then upper case.
    fn read_byte_by_byte(bytes: &[u8]) -> Option<Code> {
        if bytes.len() != 5 || !bytes.iter().all(u8::is_ascii_alphanumeric) {
            return None;
        }
        let mut code = [0u8; 5];
        for (slot, b) in code.iter_mut().zip(bytes) {
            *slot = b.to_ascii_uppercase();
        }
        Some(Code(code))
    }

    #[test]
    fn every_byte_in_every_place_reads_as_a_byte_by_byte_test_reads_it() {
        for place in 0..5 {
            for byte in 0..=255u8 {
                let mut bytes = *b"27093";
                bytes[place] = byte;
                assert_eq!(
                    Code::from_bytes(&bytes),
                    read_byte_by_byte(&bytes),
                    "byte {byte} at {place}"
                );
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_read_as_a_byte_by_byte_test_reads_them(
            bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..8)
        ) {
            proptest::prop_assert_eq!(Code::from_bytes(&bytes), read_byte_by_byte(&bytes));
        }

        #[test]
        fn any_code_is_numbered_as_rust_reads_it_in_base_36(text in "[0-9A-Z]{5}") {
            let code = Code::parse(&text);
            proptest::prop_assert_eq!(code.map(|c| c.number()), u32::from_str_radix(&text, 36).ok());
        }
    }

    #[rstest]
    #[case("27093", Some("27093"))]
    #[case("0201T", Some("0201T"))]
    #[case("g0008", Some("G0008"))]
    #[case("2709", None)]
    #[case("270933", None)]
    #[case("27-93", None)]
    fn reads_procedure_codes(#[case] text: &str, #[case] expected: Option<&str>) {
        assert_eq!(
            Code::parse(text).map(|c| c.to_string()).as_deref(),
            expected
        );
    }

    #[rstest]
    #[case("16.1", "2010-04-01")]
    #[case("30.0", "2024-01-01")]
    #[case("30.1", "2024-04-01")]
    #[case("32.2", "2026-07-01")]
    fn ncci_versions_take_effect_on_their_quarter(#[case] version: &str, #[case] date: &str) {
        let v = NcciVersion::parse(version).expect("valid version");
        assert_eq!(v.effective_date(), parse_date(date).expect("valid date"));
    }

    #[rstest]
    #[case("16.4")]
    #[case("16")]
    #[case("16.1.2")]
    #[case("0.1")]
    fn rejects_malformed_versions(#[case] version: &str) {
        assert_eq!(NcciVersion::parse(version), None);
    }

    #[rstest]
    #[case("S82.*", "S82.241A", true)]
    #[case("S82.*", "S82241A", true)]
    #[case("S82.241A", "S82241A", true)]
    #[case("S82.*", "S72.301A", false)]
    #[case("M84*", "M84.3", true)]
    fn diagnosis_patterns_match_with_or_without_dots(
        #[case] pattern: &str,
        #[case] code: &str,
        #[case] expected: bool,
    ) {
        let p = DiagnosisPattern::parse(pattern).expect("valid pattern");
        let d = Diagnosis::parse(code).expect("valid code");
        assert_eq!(p.matches(&d), expected);
    }

    #[rstest]
    #[case("2010-04-01", true)]
    #[case("2010-02-30", false)]
    #[case("2010-4-1", false)]
    #[case("2010-+3-31", false)]
    #[case("+201-03-31", false)]
    #[case("2024-02-29", true)]
    #[case("2023-02-29", false)]
    #[case("0000-01-01", true)]
    #[case("9999-12-31", true)]
    #[case("2010-04-01 ", false)]
    #[case("2010/04/01", false)]
    #[case("2010-13-01", false)]
    #[case("2010-00-10", false)]
    #[case("２010-04-01", false)]
    fn reads_calendar_dates(#[case] text: &str, #[case] ok: bool) {
        assert_eq!(parse_date(text).is_some(), ok);
    }

    /// Every day of five years, and texts around them, read as chrono reads `%Y-%m-%d` with
    /// four-digit years.
    #[test]
    fn reads_each_day_as_chrono_does() {
        let mut day = NaiveDate::from_ymd_opt(2022, 1, 1).expect("a day");
        while chrono::Datelike::year(&day) < 2027 {
            let text = day.format("%Y-%m-%d").to_string();
            assert_eq!(parse_date(&text), Some(day), "{text}");
            day = day.succ_opt().expect("a next day");
        }
        for (month, last) in [(1, 31), (2, 28), (4, 30), (6, 30), (12, 31)] {
            let after = format!("2023-{month:02}-{:02}", last + 1);
            assert_eq!(parse_date(&after), None, "{after}");
        }
    }
}
