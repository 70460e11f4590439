//! An amount of money, exact: whole cents, never a float. A claim line's `charge` is one.

use std::borrow::Cow;
use std::fmt;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use super::shown::shown;

/// A non-negative amount in whole cents: read from `"125.00"`, `"125"`, `125` or `125.5`,
/// written `"125.00"`. At most two decimals, and at most [`Money::MAX`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(i64);

impl Money {
    /// The largest amount a claim may carry: 9,999,999,999.99 (12 digits, beyond any charge).
    pub const MAX: Money = Money(999_999_999_999);

    /// The amount of `cents` cents; `None` when negative or above [`Money::MAX`].
    pub fn from_cents(cents: i64) -> Option<Money> {
        (0..=Self::MAX.0).contains(&cents).then_some(Money(cents))
    }

    /// The amount in cents.
    pub fn cents(self) -> i64 {
        self.0
    }

    /// The amount in dollars, for comparing with an amount a rule writes (`line charge > 500`):
    /// exact in cents, as every amount up to [`Money::MAX`] is below 2^53 cents, and the
    /// division by 100 gives the double nearest the decimal, as reading `125.10` does.
    pub fn dollars(self) -> f64 {
        self.0 as f64 / 100.0
    }

    /// Reads a decimal amount, `125`, `125.5` or `125.00`: digits, then optionally a point and
    /// at most two digits. `None` for anything else (a sign, an exponent, more decimals, an
    /// amount above [`Money::MAX`]).
    pub fn parse(text: &str) -> Option<Money> {
        let (whole, fraction) = match text.split_once('.') {
            Some((w, f)) => (w, f),
            None => (text, ""),
        };
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || whole.len() > 10 || fraction.len() > 2 {
            return None;
        }
        if !digits(whole) || !digits(fraction) || (text.ends_with('.')) {
            return None;
        }
        let whole: i64 = whole.parse().ok()?;
        let mut cents: i64 = 0;
        for (i, b) in fraction.bytes().enumerate() {
            cents += i64::from(b - b'0') * if i == 0 { 10 } else { 1 };
        }
        Money::from_cents(whole.checked_mul(100)?.checked_add(cents)?)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

const EXPECTING: &str =
    "an amount such as \"125.00\": not negative, at most two decimals, at most 9999999999.99";

struct MoneyVisitor;

impl Visitor<'_> for MoneyVisitor {
    type Value = Money;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(EXPECTING)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Money, E> {
        Money::parse(v)
            .ok_or_else(|| E::custom(format!("expected {EXPECTING}, found {}", shown(v))))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Money, E> {
        i64::try_from(v)
            .ok()
            .and_then(|v| v.checked_mul(100))
            .and_then(Money::from_cents)
            .ok_or_else(|| E::custom(format!("expected {EXPECTING}, found {v}")))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Money, E> {
        v.checked_mul(100)
            .and_then(Money::from_cents)
            .ok_or_else(|| E::custom(format!("expected {EXPECTING}, found {v}")))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Money, E> {
        // The shortest text that reads back as `v` is the number as the claim wrote it.
        let text = format!("{v}");
        Money::parse(&text)
            .ok_or_else(|| E::custom(format!("expected {EXPECTING}, found {}", shown(&text))))
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        d.deserialize_any(MoneyVisitor)
    }
}

impl JsonSchema for Money {
    fn schema_name() -> Cow<'static, str> {
        "Money".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "oneOf": [
                { "type": "string", "pattern": "^[0-9]{1,10}(\\.[0-9]{1,2})?$" },
                { "type": "number", "minimum": 0, "maximum": 9_999_999_999.99_f64, "multipleOf": 0.01 },
            ],
            "description": "An amount of money, not negative, with at most two decimals: a decimal string (written back as `\"125.00\"`) or a JSON number.",
            "examples": ["125.00", 125],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_strings_and_numbers_exactly() {
        for (json, cents) in [
            (r#""125.00""#, 12500),
            (r#""125""#, 12500),
            (r#""0.5""#, 50),
            ("125", 12500),
            ("125.5", 12550),
            ("0.1", 10),
            ("19.99", 1999),
        ] {
            let m: Money = serde_json::from_str(json).unwrap();
            assert_eq!(m.cents(), cents, "{json}");
        }
        assert_eq!(serde_json::to_string(&Money(12550)).unwrap(), r#""125.50""#);
    }

    #[test]
    fn refuses_what_is_not_an_amount() {
        for json in [
            r#""-1.00""#,
            "-1",
            r#""1.005""#,
            "1.005",
            "1e308",
            r#""1e3""#,
            r#""""#,
            r#"".5""#,
            r#""5.""#,
            r#""+5""#,
            "99999999999",
            r#""99999999999""#,
            "true",
        ] {
            let e = serde_json::from_str::<Money>(json).unwrap_err().to_string();
            assert!(e.len() < 200, "{e}");
        }
        let huge = format!("\"{}\"", "9".repeat(1_000_000));
        let e = serde_json::from_str::<Money>(&huge)
            .unwrap_err()
            .to_string();
        assert!(e.len() < 200, "{e}");
    }
}
