//! Conditions on the patient's history, as compiled: frequency limits, duplicates and windows
//! after an earlier line (docs/history.md; evaluated in `eval/history.rs`).

use super::*;
pub use crate::syntax::ast::SameAttr;

/// `more than LIMIT of CODES per PERIOD`: the units of the matching lines of the patient's
/// earlier claims in the period, with those of the claim through the rule's line.
#[derive(Debug, Clone, PartialEq)]
pub struct FrequencyTest {
    pub limit: Limit,
    pub codes: CodeMatch,
    pub period: HistoryPeriod,
    /// `by the same provider`: only lines of the rule's line's provider count.
    pub same_provider: bool,
    /// `including denied lines`: denied lines count too.
    pub including_denied: bool,
}

/// A period ending on the claim's date of service (both ends included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryPeriod {
    /// The last N days: the date of service and the N − 1 days before it.
    Days(u32),
    /// The last N months (years are 12 months): from the day after the same day N months
    /// earlier.
    Months(u32),
    /// From 1 January of the date of service's year.
    CalendarYear,
    /// Every earlier claim.
    Lifetime,
    /// The date of service only.
    DateOfService,
}

impl HistoryPeriod {
    /// The first date of the period that ends on `date`; `None` when it has no start (lifetime)
    /// or starts before the calendar begins.
    pub fn start(self, date: Date) -> Option<Date> {
        use chrono::{Datelike, Days, Months};
        match self {
            HistoryPeriod::Days(n) => date.checked_sub_days(Days::new(u64::from(n.max(1)) - 1)),
            HistoryPeriod::Months(n) => date
                .checked_sub_months(Months::new(n))?
                .checked_add_days(Days::new(1)),
            HistoryPeriod::CalendarYear => Date::from_ymd_opt(date.year(), 1, 1),
            HistoryPeriod::Lifetime => None,
            HistoryPeriod::DateOfService => Some(date),
        }
    }

    /// The period in words, for `--explain`: `6 months`, `calendar year`.
    pub fn words(self) -> String {
        match self {
            HistoryPeriod::Days(1) => "1 day".into(),
            HistoryPeriod::Days(n) => format!("{n} days"),
            HistoryPeriod::Months(n) if n % 12 == 0 && n >= 12 => match n / 12 {
                1 => "1 year".into(),
                y => format!("{y} years"),
            },
            HistoryPeriod::Months(1) => "1 month".into(),
            HistoryPeriod::Months(n) => format!("{n} months"),
            HistoryPeriod::CalendarYear => "calendar year".into(),
            HistoryPeriod::Lifetime => "lifetime".into(),
            HistoryPeriod::DateOfService => "date of service".into(),
        }
    }
}

/// `within DAYS days after a line in CODES`: a line of an earlier claim dated 1 to DAYS days
/// before the claim's date of service (not the same day).
#[derive(Debug, Clone, PartialEq)]
pub struct WithinTest {
    /// A number, or a number column read for the earlier line's code (`code.global_days`).
    pub days: Limit,
    pub codes: CodeMatch,
    pub same_provider: bool,
    pub including_denied: bool,
}

impl CondKind {
    /// Whether this test reads the patient's history (not the tests inside it).
    pub fn reads_history(&self) -> bool {
        matches!(
            self,
            CondKind::Frequency(_)
                | CondKind::EarlierClaimSame { .. }
                | CondKind::WithinAfter(_)
                | CondKind::UnitsTotal {
                    across_claims: true,
                    ..
                }
        )
    }
}
