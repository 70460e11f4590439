//! A reader of the claim format's own, for claims written plainly: the fast path of
//! [`parse_claim`](super::read::parse_claim).
//!
//! Reading a claim through serde's derive was a fifth of the work of judging one (issue 26): a
//! call per key and value, each field name matched as a string, each code and date handed to a
//! visitor. Most claims are written the same plain way: objects, strings without escapes,
//! whole numbers. This reader walks such a claim's bytes once and builds the same [`Claim`].
//!
//! It reads objects, strings with at most the two-character escapes (`\n`, `\"`, …), whole
//! numbers, and documentation facts that are scalars, arrays of scalars or decimals of up to 15
//! digits. It answers `None` for anything else: a `\u` escape, an exponent, another decimal, an
//! unknown or repeated field, a nested documentation value, any error. The caller then reads
//! the claim with serde, which reads what this one declines and words every error. So the one
//! definition of what a claim may be stays serde's, and this reader's only promise is narrow: a
//! claim it reads is the claim serde reads from the same text. Each value goes through the same
//! parse function its `Deserialize` calls (`Code::parse`, `parse_date`, …); the defaults of
//! absent fields (`units` and `session` 1, an empty provider or patient) and the forms of `Sex`
//! are written here again, so a change to them in `model.rs` must be made here too.
//! `tests/plain_reader.rs`, the differential test (whose reference reads by serde alone) and
//! the `claim_reader` fuzz target hold the two readers to that promise.

use std::borrow::Cow;

use indexmap::IndexMap;
use serde_json::Value;

use super::model::{Claim, ClaimSource, Line, Patient, PlaceOfService, Procedure, Provider};
use super::model::{ServiceDate, Sex};
use super::money::Money;
use super::quantity::MAX_COUNT;
use crate::codes::{parse_date, Code, Diagnosis, Modifier};

/// Where the first quote, backslash or control character of `bytes` is. Looked for eight
/// bytes a step, as one number: a byte equal to `"` or `\`, or below 0x20, sets the top bit
/// of its place in `hits`, and the lowest place set is exact (a borrow only runs upwards from
/// it). Claims' strings are short: codes, keys, ids.
fn string_end(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const TOPS: u64 = u64::from_ne_bytes([0x80; 8]);
    let below = |word: u64, n: u8| word.wrapping_sub(ONES * u64::from(n)) & !word & TOPS;
    let mut steps = bytes.chunks_exact(8);
    let mut at = 0;
    for step in &mut steps {
        let mut word = [0u8; 8];
        word.copy_from_slice(step);
        let word = u64::from_le_bytes(word);
        let hits = below(word ^ (ONES * u64::from(b'"')), 1)
            | below(word ^ (ONES * u64::from(b'\\')), 1)
            | below(word, 0x20);
        if hits != 0 {
            return Some(at + (hits.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    let rest = steps.remainder();
    rest.iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .map(|i| at + i)
}

/// The lines a claim's list has room for from its first line: most claims have fewer.
const LINES_ROOM: usize = 8;

/// Reads a claim written plainly; `None` when the text is anything else (read it with serde).
pub fn read_plain(json: &str) -> Option<Claim> {
    let mut text = Text {
        json,
        bytes: json.as_bytes(),
        at: 0,
    };
    let claim = text.claim()?;
    text.skip_space();
    (text.at == text.bytes.len()).then_some(claim)
}

/// The claim's text and how far it has been read.
struct Text<'a> {
    json: &'a str,
    bytes: &'a [u8],
    at: usize,
}

/// The fields an object has given so far, one bit each, so that a repeated field is declined
/// (serde's derive refuses it).
struct Seen(u32);

impl Seen {
    /// Marks field `bit`; `None` if it was given before.
    fn mark(&mut self, bit: u32) -> Option<()> {
        let mask = 1 << bit;
        if self.0 & mask != 0 {
            return None;
        }
        self.0 |= mask;
        Some(())
    }
}

impl<'a> Text<'a> {
    /// Skips JSON's four whitespace bytes, as serde_json does.
    fn skip_space(&mut self) {
        self.at += self.bytes[self.at..]
            .iter()
            .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
            .unwrap_or(self.bytes.len() - self.at);
    }

    /// The next byte after whitespace, not consumed.
    fn peek(&mut self) -> Option<u8> {
        self.skip_space();
        self.bytes.get(self.at).copied()
    }

    /// Consumes `byte` after whitespace.
    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.at += 1)
    }

    /// Consumes `null` if it comes next.
    fn null(&mut self) -> bool {
        if self.peek() == Some(b'n') && self.bytes[self.at..].starts_with(b"null") {
            self.at += 4;
            return true;
        }
        false
    }

    /// A string. The text between the quotes is the string itself unless it has escapes;
    /// the two-character ones (`\\n`, `\\"`, …) are read here, a `\\u` escape is left to serde.
    fn string(&mut self) -> Option<Cow<'a, str>> {
        self.expect(b'"')?;
        let plain = self.plain_run()?;
        match self.bytes[self.at] {
            b'"' => {
                self.at += 1;
                Some(Cow::Borrowed(plain))
            }
            b'\\' => self.escaped(plain).map(Cow::Owned),
            _ => None,
        }
    }

    /// The rest of a string from its first backslash, `plain` the text before it.
    fn escaped(&mut self, plain: &str) -> Option<String> {
        let mut string = String::with_capacity(plain.len() + 16);
        string.push_str(plain);
        loop {
            match self.bytes[self.at] {
                b'"' => {
                    self.at += 1;
                    return Some(string);
                }
                b'\\' => {
                    string.push(match self.bytes.get(self.at + 1)? {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        _ => return None,
                    });
                    self.at += 2;
                    string.push_str(self.plain_run()?);
                }
                _ => return None,
            }
        }
    }

    /// The text inside a string up to its next quote, backslash or control character (which
    /// JSON does not allow there), consumed; `None` when the text ends first.
    fn plain_run(&mut self) -> Option<&'a str> {
        let start = self.at;
        let length = string_end(&self.bytes[start..])?;
        self.at = start + length;
        // Both ends are next to an ASCII byte, so they fall between characters.
        self.json.get(start..self.at)
    }

    /// A string or `null`, owned.
    fn optional_string(&mut self) -> Option<Option<String>> {
        if self.null() {
            return Some(None);
        }
        self.string().map(|s| Some(s.into_owned()))
    }

    /// A string read by `parse`, as its `Deserialize` reads it.
    fn parsed<T>(&mut self, parse: impl FnOnce(&str) -> Option<T>) -> Option<T> {
        parse(&self.string()?)
    }

    /// A value read by `parse`, or `null`.
    fn optional<T>(&mut self, parse: impl FnOnce(&mut Self) -> Option<T>) -> Option<Option<T>> {
        if self.null() {
            return Some(None);
        }
        parse(self).map(Some)
    }

    /// A whole number written as JSON's integers are, with no sign, fraction or exponent (a
    /// decimal such as `2.0` is left to serde).
    fn whole(&mut self) -> Option<u64> {
        let digits = self.integer()?;
        self.integer_value(digits)
    }

    /// The digits of the JSON integer that comes next, consumed: no sign, and no leading zero
    /// (`01` is not JSON).
    fn integer(&mut self) -> Option<&'a [u8]> {
        self.skip_space();
        let digits = self.digits();
        (!digits.is_empty() && (digits[0] != b'0' || digits.len() == 1)).then_some(digits)
    }

    /// The value of an integer's `digits` just read, unless a fraction or exponent follows them
    /// (a decimal) or they are more than 10 (more than the u32s and amounts a claim holds).
    fn integer_value(&self, digits: &[u8]) -> Option<u64> {
        if digits.len() > 10 || matches!(self.bytes.get(self.at), Some(b'.' | b'e' | b'E')) {
            return None;
        }
        Some(digits.iter().fold(0, |n, d| n * 10 + u64::from(d - b'0')))
    }

    fn u32(&mut self) -> Option<u32> {
        u32::try_from(self.whole()?).ok()
    }

    /// A count of units or minutes: a whole number from 1 to `MAX_COUNT`.
    fn count(&mut self) -> Option<u32> {
        self.u32().filter(|n| (1..=MAX_COUNT).contains(n))
    }

    fn boolean(&mut self) -> Option<bool> {
        self.skip_space();
        let rest = &self.bytes[self.at..];
        let (value, length) = if rest.starts_with(b"true") {
            (true, 4)
        } else if rest.starts_with(b"false") {
            (false, 5)
        } else {
            return None;
        };
        self.at += length;
        Some(value)
    }

    /// An object: `field` is called with each key, to read its value.
    fn object(&mut self, mut field: impl FnMut(&mut Self, &str) -> Option<()>) -> Option<()> {
        self.expect(b'{')?;
        if self.peek()? == b'}' {
            self.at += 1;
            return Some(());
        }
        loop {
            let key = self.string()?;
            self.expect(b':')?;
            field(self, &key)?;
            match self.peek()? {
                b',' => self.at += 1,
                b'}' => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// An array, each item read by `item`.
    fn array<T>(&mut self, item: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        self.array_of(0, item)
    }

    /// An array, each item read by `item`, with room for `room` items from its first: for a
    /// claim's lines, of which most claims have a few, so that their list is not grown twice.
    fn array_of<T>(
        &mut self,
        room: usize,
        mut item: impl FnMut(&mut Self) -> Option<T>,
    ) -> Option<Vec<T>> {
        self.expect(b'[')?;
        let mut items = Vec::new();
        if self.peek()? == b']' {
            self.at += 1;
            return Some(items);
        }
        items.reserve(room);
        loop {
            items.push(item(self)?);
            match self.peek()? {
                b',' => self.at += 1,
                b']' => {
                    self.at += 1;
                    return Some(items);
                }
                _ => return None,
            }
        }
    }

    fn claim(&mut self) -> Option<Claim> {
        let mut seen = Seen(0);
        let mut id = None;
        let mut payer = None;
        let mut service_date = None;
        let mut place_of_service = None;
        let mut provider = None;
        let mut patient = None;
        let mut diagnoses = Vec::new();
        let mut lines = None;
        let mut procedures = Vec::new();
        let mut documentation = IndexMap::new();
        self.object(|text, key| {
            match key {
                "id" => {
                    seen.mark(0)?;
                    id = Some(text.string()?.into_owned());
                }
                "payer" => {
                    seen.mark(1)?;
                    payer = text.optional_string()?;
                }
                "service_date" => {
                    seen.mark(2)?;
                    service_date = Some(ServiceDate(text.parsed(parse_date)?));
                }
                "place_of_service" => {
                    seen.mark(3)?;
                    place_of_service = text.optional(|t| t.parsed(PlaceOfService::parse))?;
                }
                "provider" => {
                    seen.mark(4)?;
                    provider = text.optional(Text::provider)?;
                }
                "patient" => {
                    seen.mark(5)?;
                    patient = text.optional(Text::patient)?;
                }
                "diagnoses" => {
                    seen.mark(6)?;
                    diagnoses = text.array(|t| t.parsed(Diagnosis::parse))?;
                }
                "lines" => {
                    seen.mark(7)?;
                    lines = Some(text.array_of(LINES_ROOM, Text::line)?);
                }
                "procedures" => {
                    seen.mark(8)?;
                    procedures = text.array(Text::procedure)?;
                }
                "documentation" => {
                    seen.mark(9)?;
                    documentation = text.documentation()?;
                }
                _ => return None,
            }
            Some(())
        })?;
        Some(Claim {
            id: id?,
            payer,
            service_date: service_date?,
            place_of_service,
            provider,
            patient,
            diagnoses,
            lines: lines?,
            procedures,
            documentation,
            source: ClaimSource::default(),
        })
    }

    /// Documentation facts whose values are `null`, booleans, strings, numbers (see
    /// [`Text::number`]), or arrays of those. A negative number, an object, an array in an array
    /// or a repeated fact is left to serde.
    fn documentation(&mut self) -> Option<IndexMap<String, Value>> {
        let mut facts = IndexMap::new();
        self.object(|text, key| {
            let value = match text.peek()? {
                b'[' => Value::Array(text.array(Text::scalar)?),
                _ => text.scalar()?,
            };
            facts.insert(key.to_string(), value).is_none().then_some(())
        })?;
        Some(facts)
    }

    /// A documentation value that is not an array or object.
    fn scalar(&mut self) -> Option<Value> {
        Some(match self.peek()? {
            b'"' => Value::String(self.string()?.into_owned()),
            b'n' => self.null().then_some(Value::Null)?,
            b't' | b'f' => Value::Bool(self.boolean()?),
            _ => self.number()?,
        })
    }

    /// A documented number: a whole number, or a decimal of at most 15 digits in all, which
    /// serde_json computes as its digits divided by a power of ten (one exact division, so one
    /// rounding, the same here). Exponents and longer decimals are left to serde.
    fn number(&mut self) -> Option<Value> {
        /// Powers of ten that an f64 holds exactly.
        const POWERS: [f64; 16] = [
            1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
        ];
        let whole = self.integer()?;
        if self.bytes.get(self.at) != Some(&b'.') {
            return self.integer_value(whole).map(Value::from);
        }
        self.at += 1;
        let fraction = self.digits();
        if fraction.is_empty() || whole.len() + fraction.len() > 15 {
            return None;
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.at) {
            return None;
        }
        let significand = whole
            .iter()
            .chain(fraction)
            .fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
        Some(Value::from(significand as f64 / POWERS[fraction.len()]))
    }

    /// The run of ASCII digits that comes next, consumed.
    fn digits(&mut self) -> &'a [u8] {
        let start = self.at;
        self.at += self.bytes[start..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        &self.bytes[start..self.at]
    }

    fn provider(&mut self) -> Option<Provider> {
        let mut seen = Seen(0);
        let mut provider = Provider::default();
        self.object(|text, key| {
            match key {
                "taxonomy" => {
                    seen.mark(0)?;
                    provider.taxonomy = text.optional_string()?;
                }
                "owns_equipment" => {
                    seen.mark(1)?;
                    provider.owns_equipment = text.optional(Text::boolean)?;
                }
                "npi" => {
                    seen.mark(2)?;
                    provider.npi = text.optional_string()?;
                }
                _ => return None,
            }
            Some(())
        })?;
        Some(provider)
    }

    fn patient(&mut self) -> Option<Patient> {
        let mut seen = Seen(0);
        let mut patient = Patient::default();
        self.object(|text, key| {
            match key {
                "member_id" => {
                    seen.mark(0)?;
                    patient.member_id = text.optional_string()?;
                }
                "birth_date" => {
                    seen.mark(1)?;
                    patient.birth_date =
                        text.optional(|t| t.parsed(parse_date).map(ServiceDate))?;
                }
                "sex" => {
                    seen.mark(2)?;
                    patient.sex = text.optional(|t| t.parsed(Sex::parse))?;
                }
                "relationship" => {
                    seen.mark(3)?;
                    patient.relationship = text.optional_string()?;
                }
                _ => return None,
            }
            Some(())
        })?;
        Some(patient)
    }

    fn line(&mut self) -> Option<Line> {
        let mut seen = Seen(0);
        let mut number = None;
        let mut code = None;
        let mut modifiers = Vec::new();
        let mut units = 1;
        let mut session = 1;
        let mut minutes = None;
        let mut comparison_code = None;
        let mut diagnosis_pointers = None;
        let mut charge = None;
        let mut rendering_provider = None;
        self.object(|text, key| {
            match key {
                "line" => {
                    seen.mark(0)?;
                    number = text.optional(Text::u32)?;
                }
                "code" => {
                    seen.mark(1)?;
                    code = Some(text.parsed(Code::parse)?);
                }
                "modifiers" => {
                    seen.mark(2)?;
                    modifiers = text.array(|t| t.parsed(Modifier::parse))?;
                }
                "units" => {
                    seen.mark(3)?;
                    units = text.count()?;
                }
                "session" => {
                    seen.mark(4)?;
                    session = text.u32()?;
                }
                "minutes" => {
                    seen.mark(5)?;
                    minutes = text.optional(Text::count)?;
                }
                "comparison_code" => {
                    seen.mark(6)?;
                    comparison_code = text.optional(|t| t.parsed(Code::parse))?;
                }
                "diagnosis_pointers" => {
                    seen.mark(7)?;
                    diagnosis_pointers = text.optional(|t| t.array(Text::u32))?;
                }
                "charge" => {
                    seen.mark(8)?;
                    charge = text.optional(Text::money)?;
                }
                "rendering_provider" => {
                    seen.mark(9)?;
                    rendering_provider = text.optional_string()?;
                }
                _ => return None,
            }
            Some(())
        })?;
        Some(Line {
            line: number,
            code: code?,
            modifiers,
            units,
            session,
            minutes,
            comparison_code,
            diagnosis_pointers,
            charge,
            rendering_provider,
        })
    }

    /// An amount as a string (`"125.00"`) or a whole number; a decimal number is left to serde,
    /// which reads it through its shortest text.
    fn money(&mut self) -> Option<Money> {
        if self.peek()? == b'"' {
            return self.parsed(Money::parse);
        }
        let whole = i64::try_from(self.whole()?).ok()?;
        Money::from_cents(whole.checked_mul(100)?)
    }

    fn procedure(&mut self) -> Option<Procedure> {
        let mut seen = Seen(0);
        let mut code = None;
        let mut approach = None;
        self.object(|text, key| {
            match key {
                "code" => {
                    seen.mark(0)?;
                    code = Some(text.string()?.into_owned());
                }
                "approach" => {
                    seen.mark(1)?;
                    approach = text.optional_string()?;
                }
                _ => return None,
            }
            Some(())
        })?;
        Some(Procedure {
            code: code?,
            approach,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn naive_end(bytes: &[u8]) -> Option<usize> {
        bytes
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
    }

    #[test]
    fn a_string_ends_at_its_first_quote_backslash_or_control_character_in_any_place() {
        for stop in [b'"', b'\\', 0x00, 0x1f, b'\n'] {
            for len in 0..40 {
                for at in 0..=len {
                    let mut bytes = vec![b'a'; len];
                    if at < len {
                        bytes[at] = stop;
                    }
                    // Bytes that look like a stop to a careless test: just above, high bytes.
                    bytes.extend_from_slice(&[0x20, 0x21, 0x5d, 0xff, 0x80, stop]);
                    assert_eq!(string_end(&bytes), naive_end(&bytes), "{bytes:?}");
                }
            }
        }
    }

    proptest! {
        #[test]
        fn any_bytes_end_where_a_byte_by_byte_look_ends(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            prop_assert_eq!(string_end(&bytes), naive_end(&bytes));
        }
    }
}
