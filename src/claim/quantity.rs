//! The one number rule for what a claim counts, JSON and X12 alike (docs/formats.md, "Numbers").
//!
//! A line's `units` and `minutes` are whole numbers from 1 to [`MAX_COUNT`], written as an
//! integer or as a decimal whose fraction is zeros (`2`, `2.0`, X12's `2.00`). A documentation
//! fact of type number is a finite number from 0 to [`MAX_DOCUMENTED_NUMBER`]. Both readers
//! call these functions, so a claim reads the same whichever format it came in.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};

/// The most units, or minutes, one service line may give.
pub const MAX_COUNT: u32 = 99_999;

/// The largest value a documentation fact of type number may have.
pub const MAX_DOCUMENTED_NUMBER: f64 = 1_000_000.0;

/// What a line counts, for the error message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    Units,
    Minutes,
}

impl Counted {
    fn name(self) -> &'static str {
        match self {
            Counted::Units => "units",
            Counted::Minutes => "minutes",
        }
    }

    /// The error for `written`, a count this rule refuses.
    pub fn error(self, written: impl fmt::Display) -> String {
        format!(
            "`{written}` is not a whole number of {} from 1 to {MAX_COUNT}",
            self.name()
        )
    }
}

/// A count as a number: whole, from 1 to [`MAX_COUNT`]; `None` otherwise.
pub fn whole_count(value: f64) -> Option<u32> {
    (value.is_finite() && value.fract() == 0.0 && (1.0..=f64::from(MAX_COUNT)).contains(&value))
        .then_some(value as u32)
}

/// A count as X12 writes a decimal (`7`, `7.00`, `14.`): digits, then at most a point and
/// digits; the same rule as [`whole_count`] after.
pub fn whole_count_of_text(text: &str) -> Option<u32> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) {
        return None;
    }
    whole_count(text.parse().ok()?)
}

/// A documentation fact's number: finite, from 0 to [`MAX_DOCUMENTED_NUMBER`]. The error quotes
/// the number as written.
pub fn documented_number(number: &serde_json::Number) -> Result<f64, String> {
    match number.as_f64() {
        Some(value) if value.is_finite() && (0.0..=MAX_DOCUMENTED_NUMBER).contains(&value) => {
            Ok(value)
        }
        _ => Err(format!(
            "expected a number from 0 to {MAX_DOCUMENTED_NUMBER}, found `{number}`"
        )),
    }
}

/// Reads a JSON count of `counted` under [`whole_count`].
struct CountVisitor(Counted);

impl Visitor<'_> for CountVisitor {
    type Value = u32;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "a whole number of {} from 1 to {MAX_COUNT}",
            self.0.name()
        )
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u32, E> {
        u32::try_from(v)
            .ok()
            .filter(|n| (1..=MAX_COUNT).contains(n))
            .ok_or_else(|| E::custom(self.0.error(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<u32, E> {
        Err(E::custom(self.0.error(v)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<u32, E> {
        whole_count(v).ok_or_else(|| E::custom(self.0.error(v)))
    }
}

/// `units` of a JSON line.
pub(crate) fn units<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    d.deserialize_any(CountVisitor(Counted::Units))
}

/// `minutes` of a JSON line: a count, or `null` for a line billed in units.
pub(crate) fn minutes<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    struct MaybeMinutes;

    impl<'de> Visitor<'de> for MaybeMinutes {
        type Value = Option<u32>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            CountVisitor(Counted::Minutes).expecting(f)?;
            f.write_str(" or null")
        }

        fn visit_none<E: de::Error>(self) -> Result<Option<u32>, E> {
            Ok(None)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Option<u32>, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<u32>, D::Error> {
            d.deserialize_any(CountVisitor(Counted::Minutes)).map(Some)
        }
    }

    d.deserialize_option(MaybeMinutes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(1.0, Some(1))]
    #[case(2.0, Some(2))]
    #[case(99_999.0, Some(99_999))]
    #[case(100_000.0, None)]
    #[case(0.0, None)]
    #[case(-1.0, None)]
    #[case(1.5, None)]
    #[case(f64::NAN, None)]
    #[case(f64::INFINITY, None)]
    fn whole_counts(#[case] value: f64, #[case] expected: Option<u32>) {
        assert_eq!(whole_count(value), expected);
    }

    #[rstest]
    #[case("0", true)]
    #[case("12.5", true)]
    #[case("1000000", true)]
    #[case("1000000.5", false)]
    #[case("-1", false)]
    #[case("-1e308", false)]
    fn documented_numbers(#[case] written: &str, #[case] fits: bool) {
        let number: serde_json::Number = serde_json::from_str(written).expect("a JSON number");
        assert_eq!(documented_number(&number).is_ok(), fits);
    }
}
