//! Checking the conditions on the patient's history: frequency limits, duplicates and windows
//! after an earlier line (docs/history.md).

use super::error::MalformedLiteral;
use super::Checker;
use crate::ir::*;
use crate::syntax::ast::{self, Period, PeriodUnit};
use crate::syntax::span::Span;

/// The longest period or window a rule may name, in days (and months): a century.
const MAX_DAYS: u32 = 36_600;
const MAX_MONTHS: u32 = 1_200;

impl Checker<'_> {
    /// `more than 1 of 20610 per 6 months …`.
    pub(super) fn frequency(&mut self, f: &ast::Frequency, has_line: bool) -> Option<CondKind> {
        let limit = self.history_count(&f.limit, has_line, "a limit");
        let codes = self.code_match(&f.codes, has_line);
        let period = match &f.period {
            Period::Count(n, unit) => {
                let (most, months, what) = match unit {
                    PeriodUnit::Days => (MAX_DAYS, false, "a number of days"),
                    PeriodUnit::Months => (MAX_MONTHS, true, "a number of months"),
                    PeriodUnit::Years => (MAX_MONTHS / 12, true, "a number of years"),
                };
                let count = self.whole_number(n, 1, most, what)?;
                match (unit, months) {
                    (PeriodUnit::Years, _) => Some(HistoryPeriod::Months(count * 12)),
                    (_, true) => Some(HistoryPeriod::Months(count)),
                    _ => Some(HistoryPeriod::Days(count)),
                }
            }
            Period::CalendarYear => Some(HistoryPeriod::CalendarYear),
            Period::Lifetime => Some(HistoryPeriod::Lifetime),
            Period::DateOfService => Some(HistoryPeriod::DateOfService),
        };
        self.program.uses_history = true;
        Some(CondKind::Frequency(Box::new(FrequencyTest {
            limit: limit?,
            codes: codes?,
            period: period?,
            same_provider: f.same_provider,
            including_denied: f.including_denied,
        })))
    }

    /// `an earlier claim has the same code, date of service, …`.
    pub(super) fn earlier_claim_same(
        &mut self,
        same: &[(SameAttr, Span)],
        including_denied: bool,
        span: Span,
        has_line: bool,
    ) -> Option<CondKind> {
        self.require_line(has_line, "`an earlier claim has the same …`", span)?;
        let mut same: Vec<SameAttr> = same.iter().map(|(a, _)| *a).collect();
        same.sort_unstable();
        same.dedup();
        self.program.uses_history = true;
        Some(CondKind::EarlierClaimSame {
            same,
            including_denied,
        })
    }

    /// `within 90 days after a line in "major surgery" …`: the days may be a number column,
    /// read for the earlier line's code, so it needs no line of the rule's.
    pub(super) fn within_after(
        &mut self,
        w: &ast::WithinAfter,
        has_line: bool,
    ) -> Option<CondKind> {
        let days = self.history_count(&w.days, true, "a number of days");
        let codes = self.code_match(&w.codes, has_line);
        self.program.uses_history = true;
        Some(CondKind::WithinAfter(Box::new(WithinTest {
            days: days?,
            codes: codes?,
            same_provider: w.same_provider,
            including_denied: w.including_denied,
        })))
    }

    /// A count written as a whole number of zero or more, or a number column.
    fn history_count(
        &mut self,
        w: &ast::Word,
        has_line: bool,
        what: &'static str,
    ) -> Option<Limit> {
        if super::columns::is_column(&w.text) {
            return self.limit(w, has_line);
        }
        self.whole_number(w, 0, MAX_DAYS, what)
            .map(|n| Limit::Number(f64::from(n)))
    }

    /// A whole number from `least` to `most`.
    fn whole_number(
        &mut self,
        w: &ast::Word,
        least: u32,
        most: u32,
        what: &'static str,
    ) -> Option<u32> {
        match w.text.parse::<u32>() {
            Ok(n) if (least..=most).contains(&n) => Some(n),
            _ => {
                self.error(MalformedLiteral {
                    text: w.text.clone(),
                    what,
                    span: w.span.into(),
                    help: format!("write a whole number from {least} to {most}"),
                });
                None
            }
        }
    }
}
