//! Walking conditions: the Pratt parser over `and`, `or` and `not`, each predicate, literals,
//! dates, modifiers and code and diagnosis lists.

use super::*;

pub(super) static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::op_or, Assoc::Left))
        .op(Op::infix(Rule::op_and, Assoc::Left))
        .op(Op::prefix(Rule::op_not))
});

impl Walker {
    pub(super) fn condition(&self, pair: Pair<Rule>) -> Result<Condition> {
        if pair.as_rule() != Rule::condition {
            return Err(self.unexpected(&pair, "a condition"));
        }
        PRATT
            .map_primary(|p| {
                if p.as_rule() == Rule::condition {
                    self.condition(p)
                } else {
                    let span = self.span(&p);
                    Ok(Condition {
                        kind: ConditionKind::Predicate(self.predicate(p)?),
                        span,
                    })
                }
            })
            .map_prefix(|op, rhs| {
                let rhs = rhs?;
                Ok(Condition {
                    span: self.span(&op).to(rhs.span),
                    kind: ConditionKind::Not(Box::new(rhs)),
                })
            })
            .map_infix(|lhs, op, rhs| {
                let (lhs, rhs) = (lhs?, rhs?);
                let span = lhs.span.to(rhs.span);
                let kind = match op.as_rule() {
                    Rule::op_and => ConditionKind::And(Box::new(lhs), Box::new(rhs)),
                    Rule::op_or => ConditionKind::Or(Box::new(lhs), Box::new(rhs)),
                    _ => return Err(self.unexpected(&op, "`and` or `or`")),
                };
                Ok(Condition { kind, span })
            })
            .parse(pair.into_inner())
    }

    pub(super) fn predicate(&self, pair: Pair<Rule>) -> Result<Predicate> {
        let rule = pair.as_rule();
        let values: Vec<Pair<Rule>> = pair
            .clone()
            .into_inner()
            .filter(|p| !is_keyword(p.as_rule()))
            .collect();
        let first = |wanted| {
            values
                .first()
                .cloned()
                .ok_or_else(|| self.unexpected(&pair, wanted))
        };
        let second = |wanted| {
            values
                .get(1)
                .cloned()
                .ok_or_else(|| self.unexpected(&pair, wanted))
        };
        let third = |wanted| {
            values
                .get(2)
                .cloned()
                .ok_or_else(|| self.unexpected(&pair, wanted))
        };
        Ok(match rule {
            Rule::line_has_modifier => {
                Predicate::LineHasModifier(self.modifiers(first("a modifier")?))
            }
            Rule::line_units => Predicate::LineUnits(
                self.compare_op(&first("a comparison")?)?,
                self.word(&second("a number")?),
            ),
            Rule::units_total => {
                let so_far = values.iter().any(|v| v.as_rule() == Rule::so_far);
                let same_session = values.iter().any(|v| v.as_rule() == Rule::same_session);
                let across_claims = values.iter().any(|v| v.as_rule() == Rule::across_claims);
                let mut rest = values.iter().filter(|v| {
                    !matches!(
                        v.as_rule(),
                        Rule::so_far
                            | Rule::same_session
                            | Rule::on_date_of_service
                            | Rule::across_claims
                    )
                });
                let op = rest
                    .next()
                    .ok_or_else(|| self.unexpected(&pair, "a comparison"))?;
                let limit = rest
                    .next()
                    .ok_or_else(|| self.unexpected(&pair, "a number"))?;
                Predicate::UnitsTotal {
                    same_session,
                    so_far,
                    across_claims,
                    op: self.compare_op(op)?,
                    limit: self.word(limit),
                }
            }
            Rule::frequency => self.frequency(&pair, &values)?,
            Rule::earlier_claim_same => self.earlier_claim_same(&values),
            Rule::within_after => self.within_after(&pair, &values)?,
            Rule::line_is => Predicate::LineIs(self.code_ref(first("a list of codes")?)?),
            Rule::line_has_attr => Predicate::LineHasAttr(self.line_attr(&first("an attribute")?)?),
            Rule::line_attr_is => Predicate::LineAttrIs {
                attr: self.line_attr(&first("an attribute")?)?,
                negated: values.iter().any(|v| v.as_rule() == Rule::is_not),
                codes: self.code_ref(
                    values
                        .last()
                        .cloned()
                        .ok_or_else(|| self.unexpected(&pair, "a list of codes"))?,
                )?,
            },
            Rule::other_line_has => self.other_line_has(&pair, &values)?,
            Rule::the_other_line => {
                Predicate::TheOtherLine(self.the_other_line(&first("a test of the other line")?)?)
            }
            Rule::units_of => {
                let same_session = values.iter().any(|v| v.as_rule() == Rule::same_session);
                let mut rest = values.iter().filter(|v| {
                    !matches!(v.as_rule(), Rule::same_session | Rule::on_date_of_service)
                });
                let codes = rest
                    .next()
                    .ok_or_else(|| self.unexpected(&pair, "a list of codes"))?;
                let op = rest
                    .next()
                    .ok_or_else(|| self.unexpected(&pair, "a comparison"))?;
                let limit = rest
                    .next()
                    .ok_or_else(|| self.unexpected(&pair, "a number"))?;
                Predicate::UnitsOf {
                    codes: self.code_ref(codes.clone())?,
                    same_session,
                    op: self.compare_op(op)?,
                    limit: self.word(limit),
                }
            }
            Rule::line_diagnosis => Predicate::LineDiagnosis {
                negated: values.iter().any(|v| v.as_rule() == Rule::diagnosis_none),
                diagnoses: self.diagnosis_ref(
                    values
                        .last()
                        .cloned()
                        .ok_or_else(|| self.unexpected(&pair, "a list of diagnoses"))?,
                )?,
            },
            Rule::claim_has_procedure => {
                Predicate::ClaimHasProcedure(self.procedure_ref(first("a list of procedures")?)?)
            }
            Rule::claim_has_diagnosis => {
                Predicate::ClaimHasDiagnosis(self.diagnosis_ref(first("a list of diagnoses")?)?)
            }
            Rule::claim_has_modifier => {
                Predicate::ClaimHasModifier(self.modifiers(first("a modifier")?))
            }
            Rule::claim_has_code => {
                Predicate::ClaimHasCode(self.code_ref(first("a list of codes")?)?)
            }
            Rule::procedure_approach => {
                Predicate::ProcedureApproach(self.word(&first("an approach")?))
            }
            Rule::service_date => Predicate::ServiceDate(self.time_test(first("a date test")?)?),
            Rule::documented => Predicate::Documented(self.word(&first("a fact")?)),
            Rule::missing => Predicate::Missing(self.word(&first("a fact")?)),
            Rule::line_has_pointers => Predicate::LineHasPointers,
            Rule::line_charge => Predicate::LineCharge(
                self.compare_op(&first("a comparison")?)?,
                self.word(&second("an amount")?),
            ),
            Rule::comparison => {
                let field = self.subject(&first("a fact")?)?;
                let op = self.compare_op(&second("a comparison")?)?;
                let value = third("a value")?;
                if value.as_rule() == Rule::code_attr {
                    Predicate::CompareColumn {
                        field,
                        op,
                        column: self.word(&value),
                    }
                } else {
                    Predicate::Compare {
                        field,
                        op,
                        value: self.literal(value)?,
                    }
                }
            }
            Rule::range_test => {
                let bounds = second("`between`")?;
                let mut numbers = bounds
                    .clone()
                    .into_inner()
                    .filter(|p| p.as_rule() == Rule::number);
                let low = numbers
                    .next()
                    .ok_or_else(|| self.unexpected(&bounds, "a number"))?;
                let high = numbers
                    .next()
                    .ok_or_else(|| self.unexpected(&bounds, "a second number"))?;
                Predicate::Between(Box::new(Between {
                    field: self.subject(&first("a fact")?)?,
                    low: self.literal(low)?,
                    high: self.literal(high)?,
                }))
            }
            Rule::membership => {
                let op = match second("`has` or `in`")?.as_rule() {
                    Rule::op_has => MembershipOp::Has,
                    _ => MembershipOp::In,
                };
                let list = third("a list of values")?;
                Predicate::Membership {
                    field: self.subject(&first("a fact")?)?,
                    op,
                    values: list
                        .into_inner()
                        .map(|l| self.literal(l))
                        .collect::<Result<_>>()?,
                }
            }
            Rule::name => Predicate::Name(self.name(pair)?),
            _ => return Err(self.unexpected(&pair, "a condition")),
        })
    }

    /// What a comparison tests: a fact or field by name, or `patient age`/`patient sex`, named
    /// as the claim's fields are (`patient.age`) with the span of both words.
    fn subject(&self, pair: &Pair<Rule>) -> Result<Word> {
        match pair.as_rule() {
            Rule::field => Ok(self.word(pair)),
            Rule::patient_field => {
                let which = pair
                    .clone()
                    .into_inner()
                    .map(|p| p.as_rule())
                    .find(|r| *r != Rule::kw_patient);
                let text = match which {
                    Some(Rule::kw_age) => "patient age",
                    Some(Rule::kw_sex) => "patient sex",
                    _ => return Err(self.unexpected(pair, "`patient age` or `patient sex`")),
                };
                Ok(Word {
                    text: text.to_string(),
                    span: self.span(pair),
                })
            }
            _ => Err(self.unexpected(pair, "a fact")),
        }
    }

    /// `comparison code`: which attribute of the line.
    pub(super) fn line_attr(&self, pair: &Pair<Rule>) -> Result<LineAttr> {
        match pair.clone().into_inner().next().map(|p| p.as_rule()) {
            Some(Rule::attr_comparison_code) => Ok(LineAttr::ComparisonCode),
            _ => Err(self.unexpected(pair, "an attribute of the line (`comparison code`)")),
        }
    }

    pub(super) fn compare_op(&self, pair: &Pair<Rule>) -> Result<CompareOp> {
        Ok(match pair.as_str() {
            "=" => CompareOp::Eq,
            "!=" => CompareOp::Ne,
            "<" => CompareOp::Lt,
            "<=" => CompareOp::Le,
            ">" => CompareOp::Gt,
            ">=" => CompareOp::Ge,
            "is" => CompareOp::Eq,
            s if s.starts_with("is") => CompareOp::Ne,
            _ => return Err(self.unexpected(pair, "a comparison")),
        })
    }

    pub(in crate::syntax) fn literal(&self, pair: Pair<Rule>) -> Result<Literal> {
        let span = self.span(&pair);
        let (kind, text) = match pair.as_rule() {
            Rule::number => (LiteralKind::Number, pair.as_str().to_string()),
            Rule::date_like => (LiteralKind::Date, pair.as_str().to_string()),
            Rule::word => (LiteralKind::Word, pair.as_str().to_string()),
            Rule::bool_true => (LiteralKind::Bool(true), pair.as_str().to_string()),
            Rule::bool_false => (LiteralKind::Bool(false), pair.as_str().to_string()),
            Rule::string => (LiteralKind::Text, self.string(&pair)?.text),
            _ => return Err(self.unexpected(&pair, "a value")),
        };
        Ok(Literal { kind, text, span })
    }

    pub(super) fn time_test(&self, pair: Pair<Rule>) -> Result<TimeTest> {
        let points: Vec<TimePoint> = pair
            .clone()
            .into_inner()
            .filter(|p| !is_keyword(p.as_rule()))
            .map(|p| self.time_point(p))
            .collect::<Result<_>>()?;
        let mut points = points.into_iter();
        let mut point = |wanted| points.next().ok_or_else(|| self.unexpected(&pair, wanted));
        Ok(match pair.as_rule() {
            Rule::date_before => TimeTest::Before(point("a date")?),
            Rule::date_after => TimeTest::After(point("a date")?),
            Rule::date_between => TimeTest::Between(point("a date")?, point("a second date")?),
            _ => return Err(self.unexpected(&pair, "`before`, `after` or `between`")),
        })
    }

    pub(super) fn time_point(&self, pair: Pair<Rule>) -> Result<TimePoint> {
        match pair.as_rule() {
            Rule::date_like => Ok(TimePoint::Date(self.word(&pair))),
            Rule::cci_version => {
                let v = self.child(&pair, Rule::version_like, "a version")?;
                Ok(TimePoint::Cci(self.word(&v)))
            }
            _ => Err(self.unexpected(&pair, "a date or `CCI` version")),
        }
    }

    pub(in crate::syntax) fn modifiers(&self, pair: Pair<Rule>) -> Vec<Word> {
        pair.into_inner().map(|p| self.word(&p)).collect()
    }

    /// The quoted name of a set in a list of codes, diagnoses or procedures.
    fn set_name(&self, pair: &Pair<Rule>, what: &'static str) -> Result<Word> {
        let mut it = pair.clone().into_inner();
        let s = self.next(pair, &mut it, what)?;
        self.string(&s)
    }

    pub(in crate::syntax) fn code_ref(&self, pair: Pair<Rule>) -> Result<CodeRef> {
        if pair.as_rule() != Rule::code_ref {
            return Err(self.unexpected(&pair, "a list of codes"));
        }
        let span = self.span(&pair);
        let mut items = Vec::new();
        for p in pair.into_inner() {
            items.push(match p.as_rule() {
                Rule::code_like => CodeItem::Code(self.word(&p)),
                Rule::code_attr => CodeItem::Attribute(self.word(&p)),
                Rule::set_name => CodeItem::Set(self.set_name(&p, "a code set name")?),
                Rule::code_range => {
                    let span = self.span(&p);
                    let mut it = p.clone().into_inner();
                    let first = self.next(&p, &mut it, "the first code of the range")?;
                    let last = self.next(&p, &mut it, "the last code of the range")?;
                    CodeItem::Range {
                        first: self.word(&first),
                        last: self.word(&last),
                        span,
                    }
                }
                _ => return Err(self.unexpected(&p, "a code")),
            });
        }
        Ok(CodeRef { items, span })
    }

    pub(super) fn diagnosis_ref(&self, pair: Pair<Rule>) -> Result<DiagnosisRef> {
        if pair.as_rule() != Rule::diag_ref {
            return Err(self.unexpected(&pair, "a list of diagnoses"));
        }
        let span = self.span(&pair);
        let mut items = Vec::new();
        for p in pair.into_inner() {
            items.push(match p.as_rule() {
                Rule::diag_pattern => DiagnosisItem::Pattern(self.word(&p)),
                Rule::code_attr => DiagnosisItem::Attribute(self.word(&p)),
                Rule::set_name => DiagnosisItem::Set(self.set_name(&p, "a diagnosis set name")?),
                _ => return Err(self.unexpected(&p, "a diagnosis")),
            });
        }
        Ok(DiagnosisRef { items, span })
    }

    pub(super) fn procedure_ref(&self, pair: Pair<Rule>) -> Result<ProcedureRef> {
        if pair.as_rule() != Rule::pcs_ref {
            return Err(self.unexpected(&pair, "a list of procedures"));
        }
        let span = self.span(&pair);
        let mut items = Vec::new();
        for p in pair.into_inner() {
            items.push(match p.as_rule() {
                Rule::pcs_pattern => ProcedureItem::Pattern(self.word(&p)),
                Rule::code_attr => ProcedureItem::Attribute(self.word(&p)),
                Rule::set_name => ProcedureItem::Set(self.set_name(&p, "a set name")?),
                _ => return Err(self.unexpected(&p, "an ICD-10-PCS code")),
            });
        }
        Ok(ProcedureRef { items, span })
    }
}
