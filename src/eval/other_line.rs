//! Conditions between lines: `another line` and `an earlier line` with their relations (`of
//! the same code`, `on the same date of service`, `in the same session`) and their `has` or
//! `where`, `the other line …` inside a `where`, `units of CODES …`, and the finding of
//! `merge with the other line`. Each scans the claim's lines in place: nothing is collected.

use super::conditions::compare;
use super::*;
use crate::claim::Line;
use crate::codes::Modifier;

impl<'p, 'c> Run<'p, 'c> {
    /// A line's date of service. Lines carry no date of their own: every line has the claim's.
    fn line_date(&self, _line: &Line) -> chrono::NaiveDate {
        self.claim.service_date.0
    }

    /// Whether `other` stands in `relation` to `this` (`in the same session` apart).
    fn related(&self, relation: LineRelation, this: &Line, other: &Line) -> bool {
        (!relation.same_code || other.code == this.code)
            && (!relation.same_date || self.line_date(other) == self.line_date(this))
    }

    /// `another line [relations] has …` / `… where (…)`: true for the first other line, in line
    /// order, that is related and passes the test (the matched other line); unknown when no
    /// line does but one might.
    pub(super) fn other_line(
        &self,
        earlier: bool,
        same_session: bool,
        relation: LineRelation,
        test: &LineTest,
        scope: Scope,
        matched: &mut Option<Code>,
    ) -> Truth {
        let Some(i) = scope.line else {
            return Truth::False;
        };
        // A line a merge of this rule took has no other line left to merge with, and is no
        // other line for a later one (`merged` is empty for a rule that does not merge).
        if self.merged.contains(&i) {
            return Truth::False;
        }
        let lines = &self.claim.lines;
        let this = &lines[i];
        let end = if earlier { i } else { lines.len() };
        let mut unknown = false;
        for (j, other) in lines[..end].iter().enumerate() {
            if j == i
                || self.merged.contains(&j)
                || (same_session && other.session != this.session)
                || !self.related(relation, this, other)
            {
                continue;
            }
            let truth = match test {
                LineTest::Codes(m) => Truth::from_bool(self.matches(m, other.code, scope)),
                LineTest::Modifiers(mods) => Truth::from_bool(has_any(&other.modifiers, mods)),
                LineTest::Where(c) => {
                    let inner = Scope {
                        other: Some(j),
                        ..scope
                    };
                    // What a test inside the `where` matched is not the rule's match.
                    let saved = self.other_matched.get();
                    let t = self.eval(c, inner, &mut None);
                    self.other_matched.set(saved);
                    t
                }
            };
            match truth {
                Truth::True => {
                    if !matches!(test, LineTest::Modifiers(_)) && matched.is_none() {
                        *matched = Some(other.code);
                    }
                    // Like `{matched}`, the first test that held names the other line.
                    if self.other_matched.get().is_none() {
                        self.other_matched.set(Some(j));
                    }
                    return Truth::True;
                }
                Truth::Unknown => unknown = true,
                Truth::False => {}
            }
        }
        match test {
            _ if unknown => Truth::Unknown,
            LineTest::Codes(m) => self.no_match(m, scope),
            _ => Truth::False,
        }
    }

    /// `the other line has modifier …`, `… is …`, `… units <op> N`.
    pub(super) fn the_other_line(&self, test: &OtherLineTest, scope: Scope) -> Truth {
        let Some(other) = scope.other.map(|j| &self.claim.lines[j]) else {
            return Truth::False;
        };
        match test {
            OtherLineTest::Modifiers(mods) => Truth::from_bool(has_any(&other.modifiers, mods)),
            OtherLineTest::Codes(m) if self.matches(m, other.code, scope) => Truth::True,
            OtherLineTest::Codes(m) => self.no_match(m, scope),
            OtherLineTest::Units(op, limit) => match self.limit(*limit, scope) {
                Some(n) => Truth::from_bool(compare(f64::from(other.units), *op, n)),
                None => Truth::Unknown,
            },
        }
    }

    /// `units of CODES on the date of service|in the same session <op> N`: the units of every
    /// line whose code is among the codes, on the line's date (every line, in a claim rule) or
    /// in its session.
    pub(super) fn units_of(
        &self,
        codes: &CodeMatch,
        same_session: bool,
        op: CompareOp,
        limit: Limit,
        scope: Scope,
    ) -> Truth {
        let Some(n) = self.limit(limit, scope) else {
            return Truth::Unknown;
        };
        if self.no_match(codes, scope) == Truth::Unknown {
            return Truth::Unknown;
        }
        let this = scope.line.map(|i| &self.claim.lines[i]);
        let total: f64 = self
            .claim
            .lines
            .iter()
            .filter(|l| {
                self.matches(codes, l.code, scope)
                    && this.is_none_or(|t| {
                        self.line_date(l) == self.line_date(t)
                            && (!same_session || l.session == t.session)
                    })
            })
            .map(|l| f64::from(l.units))
            .sum();
        Truth::from_bool(compare(total, op, n))
    }

    /// `modify merge with the other line as modifier M`: both lines, in order, billed as one.
    pub(super) fn merge_finding(
        &self,
        rule: &'p Rule,
        action: &Action,
        scope: Scope,
        matched: Option<Code>,
        other: usize,
        modifier: Modifier,
    ) -> Option<Found<'p>> {
        let line = &self.claim.lines[scope.line?];
        let (a, b) = (line.number(), self.claim.lines[other].number());
        let (first, second) = (a.min(b), a.max(b));
        Some(Found {
            rule: &rule.id,
            action: ActionName::Modify,
            code: Some(line.code),
            suggested_code: None,
            change: Some(Change {
                op: ChangeOp::MergeLines,
                line: first,
                modifier: Some(modifier.to_string()),
                lines: vec![first, second],
            }),
            lines: LineNumbers::two(first, second),
            message: self.render(
                &action.message,
                scope,
                Fill {
                    matched,
                    other: Some(other),
                    ..Fill::default()
                },
            ),
            policy: self.program.position(action.loc),
            table: self.cited_row(),
            history: self.cited_history_ref(),
            pack: self.pack_of(rule),
            order: (a, action.loc.file.0, action.loc.span.start),
        })
    }
}

impl<'p, 'c> Run<'p, 'c> {
    /// For `--explain`: why a cross-line test or a sum of units over a code set did not hold,
    /// with the lines it looked at; `None` for other tests.
    pub(super) fn why_not_across_lines(&self, c: &Cond, scope: Scope) -> Option<String> {
        let text = self.program.text(c.loc);
        match &c.kind {
            // The forms there were before relations and `where` keep their reason.
            CondKind::OtherLine {
                earlier,
                same_session,
                relation,
                test,
            } if relation.same_code || relation.same_date || matches!(test, LineTest::Where(_)) => {
                let i = scope.line?;
                let lines = &self.claim.lines;
                let this = &lines[i];
                let end = if *earlier { i } else { lines.len() };
                let related = lines[..end]
                    .iter()
                    .enumerate()
                    .filter(|(j, other)| {
                        *j != i
                            && (!same_session || other.session == this.session)
                            && self.related(*relation, this, other)
                    })
                    .count();
                let mut words = Vec::new();
                if *earlier {
                    words.push("before it");
                }
                if relation.same_code {
                    words.push("of the same code");
                }
                if relation.same_date {
                    words.push("on the same date of service");
                }
                if *same_session {
                    words.push("in the same session");
                }
                let which = if words.is_empty() {
                    String::new()
                } else {
                    format!(" {}", words.join(" "))
                };
                let n = this.number();
                Some(match related {
                    0 => format!("`{text}` does not hold: line {n} has no other line{which}"),
                    1 => format!(
                        "`{text}` does not hold: line {n} has 1 other line{which}, and it does \
                         not pass the test"
                    ),
                    m => format!(
                        "`{text}` does not hold: line {n} has {m} other lines{which}, and none \
                         passes the test"
                    ),
                })
            }
            CondKind::UnitsOf {
                codes,
                same_session,
                ..
            } => {
                let this = scope.line.map(|i| &self.claim.lines[i]);
                let total: u64 = self
                    .claim
                    .lines
                    .iter()
                    .filter(|l| {
                        self.matches(codes, l.code, scope)
                            && this.is_none_or(|t| !same_session || l.session == t.session)
                    })
                    .map(|l| u64::from(l.units))
                    .sum();
                Some(format!("`{text}` does not hold: the units total {total}"))
            }
            _ => None,
        }
    }
}

/// Whether a line's modifiers hold any of these.
fn has_any(on_line: &[Modifier], wanted: &[Modifier]) -> bool {
    on_line.iter().any(|m| wanted.contains(m))
}
