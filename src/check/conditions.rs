//! Checking conditions: names resolved, literals typed against the facts they are compared
//! with, line tests kept inside line rules.

use super::columns::is_column;
use super::error::*;
use super::literals::describe_literal;
use super::names::Namespace;
use super::Checker;
use crate::codes::PCS_APPROACHES;
use crate::ir::*;
use crate::spelling::did_you_mean;
use crate::syntax::ast::{self, CompareOp, LiteralKind, MembershipOp};
use crate::syntax::span::Span;

impl<'a> Checker<'a> {
    /// Compiles a condition; `has_line` says whether the rule picks a line to test.
    /// `None` means an error was recorded.
    pub(super) fn condition(&mut self, c: &ast::Condition, has_line: bool) -> Option<Cond> {
        let loc = self.loc(c.span);
        let kind = match &c.kind {
            ast::ConditionKind::And(a, b) => {
                let (a, b) = (self.condition(a, has_line), self.condition(b, has_line));
                CondKind::And(Box::new(a?), Box::new(b?))
            }
            ast::ConditionKind::Or(a, b) => {
                let known = |n: &str| {
                    self.terms.index_of(n).is_some() || self.program.facts.contains_key(n)
                };
                if let Some(e) = modifier_after_or(a, b).filter(|e| !known(&e.name)) {
                    self.error(e);
                    return None;
                }
                let (a, b) = (self.condition(a, has_line), self.condition(b, has_line));
                CondKind::Or(Box::new(a?), Box::new(b?))
            }
            ast::ConditionKind::Not(a) => CondKind::Not(Box::new(self.condition(a, has_line)?)),
            ast::ConditionKind::Predicate(p) => self.predicate(p, c.span, has_line)?,
        };
        Some(Cond { kind, loc })
    }

    pub(super) fn require_line(&mut self, has_line: bool, what: &str, span: Span) -> Option<()> {
        if has_line {
            Some(())
        } else {
            self.error(NeedsLine {
                what: what.to_string(),
                span: span.into(),
            });
            None
        }
    }

    fn predicate(&mut self, p: &ast::Predicate, span: Span, has_line: bool) -> Option<CondKind> {
        use ast::Predicate as P;
        Some(match p {
            P::LineIs(codes) => {
                self.require_line(has_line, "`line is …`", span)?;
                CondKind::LineIs(self.code_match(codes, has_line)?)
            }
            P::LineHasModifier(mods) => {
                self.require_line(has_line, "`line has modifier …`", span)?;
                CondKind::LineHasModifier(self.modifiers(mods)?)
            }
            P::LineHasAttr(attr) => self.line_has_attr(*attr, span, has_line)?,
            P::LineAttrIs {
                attr,
                negated,
                codes,
            } => self.line_attr_is(*attr, *negated, codes, span, has_line)?,
            P::LineUnits(op, n) => {
                self.require_line(has_line, "`line units …`", span)?;
                CondKind::LineUnits(*op, self.limit(n, has_line)?)
            }
            P::LineHasPointers => {
                self.require_line(has_line, "`line has diagnosis pointers`", span)?;
                CondKind::LineHasPointers
            }
            P::LineCharge(op, n) => {
                self.require_line(has_line, "`line charge …`", span)?;
                CondKind::LineCharge(*op, self.limit(n, has_line)?)
            }
            P::CompareColumn { field, op, column } => {
                self.compare_column(field, *op, column, has_line)?
            }
            P::Between(b) => self.between(&b.field, &b.low, &b.high, span)?,
            P::UnitsTotal {
                same_session,
                so_far,
                across_claims,
                op,
                limit,
            } => {
                self.require_line(has_line, "`units …`", span)?;
                if *across_claims {
                    self.program.uses_history = true;
                }
                CondKind::UnitsTotal {
                    same_session: *same_session,
                    so_far: *so_far,
                    across_claims: *across_claims,
                    op: *op,
                    limit: self.limit(limit, has_line)?,
                }
            }
            P::Frequency(f) => self.frequency(f, has_line)?,
            P::EarlierClaimSame {
                same,
                including_denied,
            } => self.earlier_claim_same(same, *including_denied, span, has_line)?,
            P::WithinAfter(w) => self.within_after(w, has_line)?,
            P::OtherLineHas {
                earlier,
                same_session,
                same_code,
                same_date,
                what,
            } => {
                let relation = LineRelation {
                    same_code: *same_code,
                    same_date: *same_date,
                };
                self.other_line(*earlier, *same_session, relation, what, span, has_line)?
            }
            P::TheOtherLine(test) => self.the_other_line(test, span, has_line)?,
            P::UnitsOf {
                codes,
                same_session,
                op,
                limit,
            } => self.units_of(codes, *same_session, *op, limit, span, has_line)?,
            P::ClaimHasCode(codes) => CondKind::ClaimHasCode(self.code_match(codes, has_line)?),
            P::ClaimHasModifier(mods) => CondKind::ClaimHasModifier(self.modifiers(mods)?),
            P::ClaimHasDiagnosis(d) => CondKind::ClaimHasDiagnosis(self.diagnosis_ref(d)?),
            P::LineDiagnosis { negated, diagnoses } => {
                self.line_diagnosis(*negated, diagnoses, span, has_line)?
            }
            P::ClaimHasProcedure(r) => {
                CondKind::ClaimHasProcedure(self.procedure_match(r, has_line)?)
            }
            P::ProcedureApproach(w) => {
                if !PCS_APPROACHES.contains(&w.text.as_str()) {
                    self.error(UnknownValue {
                        fact: "procedure approach".into(),
                        value: w.text.clone(),
                        span: w.span.into(),
                        help: did_you_mean(&w.text, PCS_APPROACHES.iter().copied(), "approach"),
                    });
                    return None;
                }
                CondKind::ProcedureApproach(w.text.as_str().into())
            }
            P::ServiceDate(t) => CondKind::ServiceDate(self.window(t)?),
            P::Documented(f) if is_column(&f.text) => self.attr_present(f, has_line)?,
            P::Missing(f) if is_column(&f.text) => {
                let present = self.attr_present(f, has_line)?;
                self.negate_if(true, present, span)
            }
            P::Documented(f) => CondKind::Documented(self.fact(f)?.0),
            P::Missing(f) => CondKind::Missing(self.fact(f)?.0),
            P::Compare { field, op, value } if is_column(&field.text) => {
                self.attr_compare(field, *op, &[value], has_line)?
            }
            P::Membership { field, op, values } if is_column(&field.text) => {
                if *op == MembershipOp::Has {
                    self.error(TypeMismatch {
                        subject: format!("`{}`", field.text),
                        found: "a table column, which holds one value for a code,".into(),
                        expected: "a list (to test with `has`)".into(),
                        span: field.span.into(),
                        help: format!("test it with `in`: `{} in (…)`", field.text),
                    });
                    return None;
                }
                let refs: Vec<&ast::Literal> = values.iter().collect();
                self.attr_compare(field, CompareOp::Eq, &refs, has_line)?
            }
            P::Compare { field, op, value } => self.compare(field, *op, value, span)?,
            P::Membership { field, op, values } => self.membership(field, *op, values)?,
            P::Name(name) if !name.quoted && is_column(&name.text) => {
                let w = ast::Word {
                    text: name.text.clone(),
                    span: name.span,
                };
                self.attr_named(&w, has_line)?
            }
            P::Name(name) => self.named(name, has_line)?,
        })
    }

    /// A fact by name, with "did you mean" when it is unknown.
    pub(super) fn fact(&mut self, w: &ast::Word) -> Option<(FactId, FactType)> {
        if let Some((i, _, def)) = self.program.facts.get_full(w.text.as_str()) {
            return Some((i as FactId, def.ty.clone()));
        }
        let help = did_you_mean(&w.text, self.program.facts.keys().map(|k| &**k), "fact");
        self.error(UnknownName {
            kind: "fact",
            name: w.text.clone(),
            span: w.span.into(),
            help,
        });
        None
    }

    /// A bare name in a condition: a term, or a yes/no fact.
    fn named(&mut self, name: &ast::Name, has_line: bool) -> Option<CondKind> {
        if let Some(id) = self.terms.index_of(name.text.as_str()) {
            self.used.insert((Namespace::Term, name.text.clone()));
            if !self.ensure_term(id, name) {
                return None;
            }
            if self.term_needs_line[id] && !has_line {
                self.error(NeedsLine {
                    what: format!("the term {}, which tests the line,", name.display()),
                    span: name.span.into(),
                });
                return None;
            }
            return Some(CondKind::Term(TermId(id as u32)));
        }
        if !name.quoted {
            if let Some((i, _, def)) = self.program.facts.get_full(name.text.as_str()) {
                if def.ty == FactType::Boolean {
                    return Some(CondKind::BoolIs(i as FactId, true));
                }
                let ty = def.ty.clone();
                self.error(TypeMismatch {
                    subject: format!("`{}`", name.text),
                    found: format!("a {} fact", ty.describe()),
                    expected: "a yes/no condition".into(),
                    span: name.span.into(),
                    help: usage_hint(&name.text, &ty),
                });
                return None;
            }
        }
        let terms = self.terms.names();
        let bool_facts = self
            .program
            .facts
            .iter()
            .filter(|(_, d)| d.ty == FactType::Boolean)
            .map(|(k, _)| &**k);
        let help = did_you_mean(&name.text, terms.chain(bool_facts), "term or yes/no fact");
        self.error(UnknownName {
            kind: if name.quoted { "term" } else { "term or fact" },
            name: name.text.clone(),
            span: name.span.into(),
            help,
        });
        None
    }

    fn compare(
        &mut self,
        field: &ast::Word,
        op: CompareOp,
        value: &ast::Literal,
        span: Span,
    ) -> Option<CondKind> {
        let (id, ty) = self.fact(field)?;
        let ordering = !matches!(op, CompareOp::Eq | CompareOp::Ne);
        if ordering && ty != FactType::Number {
            self.mismatch(
                field,
                &ty,
                "a number (to compare with `<` or `>`)",
                value.span,
            );
            return None;
        }
        let positive = match ty {
            FactType::Number => {
                let n = self.number_literal(field, &ty, value)?;
                return Some(CondKind::Number(id, op, n));
            }
            FactType::Boolean => match value.kind {
                LiteralKind::Bool(b) => {
                    return Some(CondKind::BoolIs(id, b == (op == CompareOp::Eq)))
                }
                _ => {
                    self.literal_mismatch(field, &ty, value);
                    return None;
                }
            },
            FactType::Text | FactType::PlaceOfService => {
                CondKind::TextIn(id, vec![self.text_literal(field, &ty, value)?])
            }
            FactType::OneOf(ref choices) => {
                CondKind::ChoiceIn(id, self.choice_mask(field, choices, &[value])?)
            }
            FactType::ListOf(_) | FactType::ListOfText => {
                self.mismatch(field, &ty, "a single value", span);
                return None;
            }
        };
        Some(self.negate_if(op == CompareOp::Ne, positive, span))
    }

    /// `patient age < code.minimum_age`: a number fact against a number column.
    fn compare_column(
        &mut self,
        field: &ast::Word,
        op: CompareOp,
        column: &ast::Word,
        has_line: bool,
    ) -> Option<CondKind> {
        if is_column(&field.text) {
            self.error(TypeMismatch {
                subject: format!("`{}`", field.text),
                found: "a table column".into(),
                expected: "a fact to compare with the column".into(),
                span: field.span.into(),
                help: format!(
                    "compare a fact or the patient's age with `{}`, or the column with a number",
                    column.text
                ),
            });
            return None;
        }
        let (id, ty) = self.fact(field)?;
        if ty != FactType::Number {
            self.mismatch(
                field,
                &ty,
                "a number (to compare with a number column)",
                column.span,
            );
            return None;
        }
        match self.limit(column, has_line)? {
            Limit::Column(c) => Some(CondKind::NumberVsColumn(id, op, c)),
            Limit::Number(n) => Some(CondKind::Number(id, op, n)),
        }
    }

    /// `patient age between 0 and 17`: `>=` the first and `<=` the second.
    fn between(
        &mut self,
        field: &ast::Word,
        low: &ast::Literal,
        high: &ast::Literal,
        span: Span,
    ) -> Option<CondKind> {
        let (id, ty) = self.fact(field)?;
        if ty != FactType::Number {
            self.mismatch(field, &ty, "a number (to test with `between`)", low.span);
            return None;
        }
        let (lo, hi) = (
            self.number_literal(field, &ty, low),
            self.number_literal(field, &ty, high),
        );
        let (lo, hi) = (lo?, hi?);
        if lo > hi {
            self.error(EmptyBetween {
                low: low.text.clone(),
                high: high.text.clone(),
                span: low.span.to(high.span).into(),
            });
            return None;
        }
        let loc = self.loc(span);
        Some(CondKind::And(
            Box::new(Cond {
                kind: CondKind::Number(id, CompareOp::Ge, lo),
                loc,
            }),
            Box::new(Cond {
                kind: CondKind::Number(id, CompareOp::Le, hi),
                loc,
            }),
        ))
    }

    pub(super) fn negate_if(&self, negate: bool, kind: CondKind, span: Span) -> CondKind {
        if negate {
            CondKind::Not(Box::new(Cond {
                kind,
                loc: self.loc(span),
            }))
        } else {
            kind
        }
    }

    fn membership(
        &mut self,
        field: &ast::Word,
        op: MembershipOp,
        values: &[ast::Literal],
    ) -> Option<CondKind> {
        let (id, ty) = self.fact(field)?;
        let refs: Vec<&ast::Literal> = values.iter().collect();
        match (op, &ty) {
            (MembershipOp::Has, FactType::ListOf(choices)) => Some(CondKind::ListHasChoice(
                id,
                self.choice_mask(field, choices, &refs)?,
            )),
            (MembershipOp::Has, FactType::ListOfText) => {
                let texts = self.text_literals(field, &ty, &refs)?;
                Some(CondKind::ListHasText(id, texts))
            }
            (MembershipOp::In, FactType::Text | FactType::PlaceOfService) => {
                let texts = self.text_literals(field, &ty, &refs)?;
                Some(CondKind::TextIn(id, texts))
            }
            (MembershipOp::In, FactType::OneOf(choices)) => Some(CondKind::ChoiceIn(
                id,
                self.choice_mask(field, choices, &refs)?,
            )),
            (MembershipOp::In, FactType::Number) => {
                let mut kinds = Vec::with_capacity(refs.len());
                for v in &refs {
                    let n = self.number_literal(field, &ty, v)?;
                    kinds.push(CondKind::Number(id, CompareOp::Eq, n));
                }
                self.any_of(kinds, field)
            }
            (MembershipOp::Has, _) => {
                self.mismatch(field, &ty, "a list (to test with `has`)", field.span);
                None
            }
            (MembershipOp::In, _) => {
                self.mismatch(field, &ty, "a single value (to test with `in`)", field.span);
                None
            }
        }
    }

    /// `a or b or …` of tests on one field (`x in (1, 2)`).
    pub(super) fn any_of(&self, kinds: Vec<CondKind>, field: &ast::Word) -> Option<CondKind> {
        let loc = self.loc(field.span);
        kinds.into_iter().reduce(|a, b| {
            CondKind::Or(
                Box::new(Cond { kind: a, loc }),
                Box::new(Cond { kind: b, loc }),
            )
        })
    }

    fn mismatch(&mut self, field: &ast::Word, ty: &FactType, expected: &str, span: Span) {
        self.error(TypeMismatch {
            subject: format!("`{}`", field.text),
            found: format!("a {} fact", ty.describe()),
            expected: expected.to_string(),
            span: span.into(),
            help: usage_hint(&field.text, ty),
        });
    }

    fn literal_mismatch(&mut self, field: &ast::Word, ty: &FactType, value: &ast::Literal) {
        self.error(TypeMismatch {
            subject: format!("`{}`", value.text),
            found: describe_literal(value.kind).into(),
            expected: format!("a {} value for `{}`", ty.describe(), field.text),
            span: value.span.into(),
            help: usage_hint(&field.text, ty),
        });
    }

    fn number_literal(
        &mut self,
        field: &ast::Word,
        ty: &FactType,
        v: &ast::Literal,
    ) -> Option<f64> {
        match (v.kind, v.text.parse::<f64>()) {
            (LiteralKind::Number, Ok(n)) => Some(n),
            _ => {
                self.literal_mismatch(field, ty, v);
                None
            }
        }
    }

    fn text_literal(
        &mut self,
        field: &ast::Word,
        ty: &FactType,
        v: &ast::Literal,
    ) -> Option<Box<str>> {
        let ok = match ty {
            FactType::PlaceOfService => {
                matches!(
                    v.kind,
                    LiteralKind::Number | LiteralKind::Word | LiteralKind::Text
                ) && v.text.len() == 2
                    && v.text.bytes().all(|b| b.is_ascii_digit())
            }
            _ => matches!(v.kind, LiteralKind::Word | LiteralKind::Text),
        };
        if ok {
            Some(v.text.as_str().into())
        } else {
            self.literal_mismatch(field, ty, v);
            None
        }
    }

    fn text_literals(
        &mut self,
        field: &ast::Word,
        ty: &FactType,
        vs: &[&ast::Literal],
    ) -> Option<Vec<Box<str>>> {
        let mut out = Vec::with_capacity(vs.len());
        let mut ok = true;
        for v in vs {
            match self.text_literal(field, ty, v) {
                Some(t) => out.push(t),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    /// The bit mask of the choices named; each must be declared by the fact.
    fn choice_mask(
        &mut self,
        field: &ast::Word,
        choices: &[Box<str>],
        vs: &[&ast::Literal],
    ) -> Option<u64> {
        let mut mask = 0u64;
        let mut ok = true;
        for v in vs {
            match choices.iter().position(|c| **c == *v.text) {
                Some(i) if matches!(v.kind, LiteralKind::Word | LiteralKind::Text) => {
                    mask |= 1 << i
                }
                _ => {
                    self.error(UnknownValue {
                        fact: field.text.clone(),
                        value: v.text.clone(),
                        span: v.span.into(),
                        help: did_you_mean(&v.text, choices.iter().map(|c| &**c), "value"),
                    });
                    ok = false;
                }
            }
        }
        ok.then_some(mask)
    }

    /// The conclusion of `implies`: one fact made true.
    pub(super) fn conclusion(&mut self, c: &ast::Condition) -> Option<Conclusion> {
        let compiled = self.condition(c, false)?;
        let text = self.sources[self.file.0 as usize]
            .text
            .get(c.span.start as usize..c.span.end as usize)
            .unwrap_or("this conclusion")
            .to_string();
        let conclusion = self.assignment(&compiled);
        let Some(conclusion) = conclusion else {
            self.error(NotAssignable {
                text,
                span: c.span.into(),
                help: "conclude one fact: a yes/no fact (`open`), a value (`approach is open`) \
                       or a list member (`guidance has endoscope`), or a term defined as one"
                    .into(),
            });
            return None;
        };
        let (name, def) = self.program.fact(conclusion.fact());
        if let FactOrigin::Claim(_) = def.origin {
            let name = name.to_string();
            self.error(NotAssignable {
                text: name.clone(),
                span: c.span.into(),
                help: format!("`{name}` is a field of the claim; only facts can be derived"),
            });
            return None;
        }
        Some(conclusion)
    }

    pub(super) fn assignment(&self, c: &Cond) -> Option<Conclusion> {
        let single_bit = |mask: u64| (mask.count_ones() == 1).then(|| mask.trailing_zeros() as u16);
        match &c.kind {
            CondKind::Term(t) => self
                .terms
                .value(t.index())
                .and_then(|term| self.assignment(&term.condition)),
            CondKind::BoolIs(f, b) => Some(Conclusion::SetBool(*f, *b)),
            CondKind::ChoiceIn(f, mask) => single_bit(*mask).map(|i| Conclusion::SetChoice(*f, i)),
            CondKind::ListHasChoice(f, mask) => {
                single_bit(*mask).map(|i| Conclusion::AddChoice(*f, i))
            }
            CondKind::TextIn(f, vs) if vs.len() == 1 => {
                Some(Conclusion::SetText(*f, vs[0].clone()))
            }
            CondKind::ListHasText(f, vs) if vs.len() == 1 => {
                Some(Conclusion::AddText(*f, vs[0].clone()))
            }
            _ => None,
        }
    }
}

/// How a fact of this type is tested, for help lines.
fn usage_hint(name: &str, ty: &FactType) -> String {
    match ty {
        FactType::Boolean => format!("test it by name: `{name}` or `not {name}`"),
        FactType::Number => format!("compare it with a number: `{name} > 0`"),
        FactType::Text => format!("compare it with a word or a quoted text: `{name} is spine`"),
        FactType::PlaceOfService => format!("compare it with two digits: `{name} in (21, 22, 24)`"),
        FactType::OneOf(c) => format!(
            "compare it with one of its values: `{name} is {}`",
            c.first().map_or("…", |c| &**c)
        ),
        FactType::ListOf(c) => format!(
            "test what the list holds: `{name} has {}`",
            c.first().map_or("…", |c| &**c)
        ),
        FactType::ListOfText => format!("test what the list holds: `{name} has \"…\"`"),
    }
}

/// `line has modifier 50 or RT`: a modifier-like name after `or` that follows a modifier test
/// was meant as one more modifier of the list.
fn modifier_after_or(a: &ast::Condition, b: &ast::Condition) -> Option<ModifierAfterOr> {
    use ast::{ConditionKind as K, Predicate as P};
    let K::Predicate(P::Name(name)) = &b.kind else {
        return None;
    };
    let looks_like_modifier = name.text.len() == 2
        && name
            .text
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    if name.quoted || !looks_like_modifier {
        return None;
    }
    let (subject, mods) = match &a.kind {
        K::Predicate(P::LineHasModifier(m)) => ("line", m),
        K::Predicate(P::ClaimHasModifier(m)) => ("claim", m),
        _ => return None,
    };
    let mut listed: Vec<&str> = mods.iter().map(|w| w.text.as_str()).collect();
    listed.push(&name.text);
    let fixed = format!("{subject} has modifier {}", listed.join(", "));
    Some(ModifierAfterOr {
        name: name.text.clone(),
        span: name.span.into(),
        help: format!(
            "list the modifiers with commas: `{fixed}` holds when any one of them is on the {subject}"
        ),
    })
}
