//! Walking the conditions on the patient's history: frequency limits, duplicates of an earlier
//! claim's line, and windows after an earlier claim's line.

use super::*;

impl Walker {
    /// `more than 1 of 20610 per 6 months for the same patient by the same provider`; `values`
    /// are the pair's children other than keywords.
    pub(super) fn frequency(&self, pair: &Pair<Rule>, values: &[Pair<Rule>]) -> Result<Predicate> {
        let limit = values
            .first()
            .ok_or_else(|| self.unexpected(pair, "a number"))?;
        let codes = values
            .iter()
            .find(|v| v.as_rule() == Rule::code_ref)
            .ok_or_else(|| self.unexpected(pair, "a list of codes"))?;
        let period = values
            .iter()
            .find(|v| v.as_rule() == Rule::period)
            .ok_or_else(|| self.unexpected(pair, "a period"))?;
        let (same_provider, including_denied) = self.history_options(values);
        Ok(Predicate::Frequency(Box::new(Frequency {
            limit: self.word(limit),
            codes: self.code_ref(codes.clone())?,
            period: self.period(period)?,
            same_provider,
            including_denied,
        })))
    }

    /// `6 months`, `calendar year`, `lifetime`, `date of service`.
    fn period(&self, pair: &Pair<Rule>) -> Result<Period> {
        let kind = self.next(pair, &mut pair.clone().into_inner(), "a period")?;
        Ok(match kind.as_rule() {
            Rule::period_count => {
                let mut inner = kind.clone().into_inner();
                let count = self.next_value(&kind, &mut inner, "a number")?;
                let unit = self.next_value(&kind, &mut inner, "`days`, `months` or `years`")?;
                let unit = match unit.as_rule() {
                    Rule::period_days => PeriodUnit::Days,
                    Rule::period_months => PeriodUnit::Months,
                    Rule::period_years => PeriodUnit::Years,
                    _ => return Err(self.unexpected(&unit, "`days`, `months` or `years`")),
                };
                Period::Count(self.word(&count), unit)
            }
            Rule::period_calendar_year => Period::CalendarYear,
            Rule::period_lifetime => Period::Lifetime,
            Rule::period_date_of_service => Period::DateOfService,
            _ => return Err(self.unexpected(&kind, "a period")),
        })
    }

    /// `an earlier claim has the same code, date of service, modifiers and provider`.
    pub(super) fn earlier_claim_same(&self, values: &[Pair<Rule>]) -> Predicate {
        let same = values
            .iter()
            .filter_map(|v| {
                let attr = match v.as_rule() {
                    Rule::same_code => SameAttr::Code,
                    Rule::same_date => SameAttr::DateOfService,
                    Rule::same_modifiers => SameAttr::Modifiers,
                    Rule::same_provider_attr => SameAttr::Provider,
                    Rule::same_units => SameAttr::Units,
                    Rule::same_place => SameAttr::PlaceOfService,
                    _ => return None,
                };
                Some((attr, self.span(v)))
            })
            .collect();
        Predicate::EarlierClaimSame {
            same,
            including_denied: values.iter().any(|v| v.as_rule() == Rule::including_denied),
        }
    }

    /// `within 90 days after a line in "major surgery" by the same provider`.
    pub(super) fn within_after(
        &self,
        pair: &Pair<Rule>,
        values: &[Pair<Rule>],
    ) -> Result<Predicate> {
        let days = values
            .first()
            .ok_or_else(|| self.unexpected(pair, "a number of days"))?;
        let codes = values
            .iter()
            .find(|v| v.as_rule() == Rule::code_ref)
            .ok_or_else(|| self.unexpected(pair, "a list of codes"))?;
        let (same_provider, including_denied) = self.history_options(values);
        Ok(Predicate::WithinAfter(Box::new(WithinAfter {
            days: self.word(days),
            codes: self.code_ref(codes.clone())?,
            same_provider,
            including_denied,
        })))
    }

    /// Whether `by the same provider` and `including denied lines` are written.
    fn history_options(&self, values: &[Pair<Rule>]) -> (bool, bool) {
        let has = |rule| values.iter().any(|v| v.as_rule() == rule);
        (has(Rule::same_provider), has(Rule::including_denied))
    }
}
