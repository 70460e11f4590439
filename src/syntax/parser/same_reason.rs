//! Walks `same reason as RULE, …`, in a rule and in a test's expectation.

use pest::iterators::Pair;

use super::{Result, Rule, Walker};
use crate::syntax::ast::SameReason;

impl Walker {
    /// `same reason as ncci.mue.line-edit, ncci.mue.date-of-service-edit`: the ids as written.
    pub(in crate::syntax) fn same_reason(&self, pair: &Pair<Rule>) -> Result<SameReason> {
        let rules: Vec<_> = pair
            .clone()
            .into_inner()
            .filter(|p| p.as_rule() == Rule::rule_id)
            .map(|p| self.word(&p))
            .collect();
        if rules.is_empty() {
            return Err(self.unexpected(pair, "a rule id"));
        }
        Ok(SameReason {
            rules,
            span: self.span(pair),
        })
    }
}
