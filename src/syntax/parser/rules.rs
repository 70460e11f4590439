//! Walking rules: their id and clauses, derivations, pair edits, `apply edits of`, check rules
//! and their actions.

use super::*;

impl Walker {
    pub(super) fn rule(&self, pair: Pair<Rule>) -> Result<RuleDecl> {
        let span = self.span(&pair);
        let overrides = pair
            .clone()
            .into_inner()
            .any(|p| p.as_rule() == Rule::kw_override);
        let mut it = pair.clone().into_inner();
        let id = self.next_value(&pair, &mut it, "a rule id")?;
        let mut body = self.next_value(&pair, &mut it, "a rule body")?;
        let mut effective = None;
        if body.as_rule() == Rule::effective {
            effective = Some(self.effective(&body));
            body = self.next_value(&pair, &mut it, "a rule body")?;
        }
        let mut same_reason = None;
        if body.as_rule() == Rule::same_reason {
            same_reason = Some(self.same_reason(&body)?);
            body = self.next_value(&pair, &mut it, "a rule body")?;
        }
        let body = match body.as_rule() {
            Rule::derive_rule => RuleBody::Derive(
                body.into_inner()
                    .map(|d| self.derivation(d))
                    .collect::<Result<_>>()?,
            ),
            Rule::pair_rule => {
                let mut edits = Vec::new();
                let mut bypass = Vec::new();
                let mut message = None;
                for p in body.into_inner() {
                    match p.as_rule() {
                        Rule::pair_edit => edits.push(self.pair_edit(p)?),
                        Rule::edits_bypass => bypass.push(self.bypass(p)?),
                        Rule::pair_message => {
                            let mut inner = p.clone().into_inner();
                            let s = self.next_value(&p, &mut inner, "a message")?;
                            message = Some(self.string(&s)?);
                        }
                        _ => return Err(self.unexpected(&p, "a pair edit")),
                    }
                }
                RuleBody::Pairs {
                    edits,
                    bypass,
                    message,
                }
            }
            Rule::check_rule => RuleBody::Check(self.check_rule(body)?),
            Rule::table_edits_rule => self.table_edits(body)?,
            _ => return Err(self.unexpected(&body, "a rule body")),
        };
        Ok(RuleDecl {
            id: self.word(&id),
            overrides,
            effective,
            same_reason,
            body,
            span,
        })
    }

    /// `apply edits of "ncci_ptp"`, its `bypass with …` clauses, `message "…"`.
    pub(super) fn table_edits(&self, body: Pair<Rule>) -> Result<RuleBody> {
        let mut it = body.clone().into_inner();
        let table = it
            .find(|p| p.as_rule() == Rule::string)
            .ok_or_else(|| self.unexpected(&body, "a table name"))?;
        let mut bypass = Vec::new();
        let mut message = None;
        let mut across_claims = false;
        for p in it {
            match p.as_rule() {
                Rule::across_claims => across_claims = true,
                Rule::edits_bypass => bypass.push(self.bypass(p)?),
                Rule::pair_message => {
                    let mut inner = p.clone().into_inner();
                    let s = self.next_value(&p, &mut inner, "a message")?;
                    message = Some(self.string(&s)?);
                }
                _ => return Err(self.unexpected(&p, "`bypass with modifier` or `message`")),
            }
        }
        Ok(RuleBody::TableEdits {
            table: self.string(&table)?,
            across_claims,
            bypass,
            message,
        })
    }

    /// `bypass with modifier …` or `bypass with different site modifiers …`.
    fn bypass(&self, pair: Pair<Rule>) -> Result<Bypass> {
        let span = self.span(&pair);
        let sites = pair
            .clone()
            .into_inner()
            .any(|p| p.as_rule() == Rule::bypass_sites);
        let list = self.child(&pair, Rule::modifier_list, "a modifier")?;
        Ok(Bypass {
            kind: if sites {
                BypassKind::DifferentSite
            } else {
                BypassKind::Modifier
            },
            modifiers: self.modifiers(list),
            span,
        })
    }

    pub(super) fn derivation(&self, pair: Pair<Rule>) -> Result<Derivation> {
        let span = self.span(&pair);
        let mut it = pair.clone().into_inner();
        let condition = self.next_value(&pair, &mut it, "a condition")?;
        let conclusion = self.next_value(&pair, &mut it, "a conclusion")?;
        let conclusion_span = self.span(&conclusion);
        let inner = conclusion
            .clone()
            .into_inner()
            .next()
            .ok_or_else(|| self.unexpected(&conclusion, "a conclusion"))?;
        Ok(Derivation {
            condition: self.condition(condition)?,
            conclusion: Condition {
                kind: ConditionKind::Predicate(self.predicate(inner)?),
                span: conclusion_span,
            },
            span,
        })
    }

    pub(super) fn pair_edit(&self, pair: Pair<Rule>) -> Result<PairEdit> {
        let span = self.span(&pair);
        let mut column2 = None;
        let mut column1 = None;
        let mut same_session = false;
        let mut verdict = None;
        let mut when = None;
        for p in pair.clone().into_inner() {
            match p.as_rule() {
                Rule::code_ref if column2.is_none() => column2 = Some(self.code_ref(p)?),
                Rule::code_ref => column1 = Some(self.code_ref(p)?),
                Rule::kw_with => {}
                Rule::same_session => same_session = true,
                Rule::pair_allowed | Rule::pair_denied => {
                    verdict = Some(if p.as_rule() == Rule::pair_allowed {
                        PairVerdict::Allowed
                    } else {
                        PairVerdict::Denied
                    });
                    for t in p.into_inner() {
                        if !is_keyword(t.as_rule()) {
                            when = Some(self.time_test(t)?);
                        }
                    }
                }
                _ => return Err(self.unexpected(&p, "a part of a pair edit")),
            }
        }
        Ok(PairEdit {
            column2: column2.ok_or_else(|| self.unexpected(&pair, "a column-2 code"))?,
            column1: column1.ok_or_else(|| self.unexpected(&pair, "a column-1 code"))?,
            same_session,
            verdict: verdict.ok_or_else(|| self.unexpected(&pair, "`allowed` or `denied`"))?,
            when,
            span,
        })
    }

    pub(super) fn check_rule(&self, pair: Pair<Rule>) -> Result<CheckRule> {
        let mut rule = CheckRule {
            each_line: false,
            target: None,
            each_diagnosis: None,
            when: None,
            unless: None,
            actions: Vec::new(),
        };
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::rule_target => {
                    rule.each_line = true;
                    let codes = p
                        .clone()
                        .into_inner()
                        .find(|c| c.as_rule() == Rule::code_ref);
                    rule.target = codes.map(|c| self.code_ref(c)).transpose()?;
                    let diagnoses = p
                        .clone()
                        .into_inner()
                        .find(|c| c.as_rule() == Rule::diagnosis_target);
                    if let Some(d) = diagnoses {
                        let within = d
                            .clone()
                            .into_inner()
                            .find(|c| c.as_rule() == Rule::diag_ref)
                            .map(|c| self.diagnosis_ref(c))
                            .transpose()?;
                        rule.each_diagnosis = Some(Box::new(DiagnosisTarget {
                            within,
                            span: self.span(&d),
                        }));
                    }
                }
                Rule::when_clause | Rule::unless_clause => {
                    let mut it = p.clone().into_inner();
                    let c = self.next_value(&p, &mut it, "a condition")?;
                    let c = Some(self.condition(c)?);
                    if p.as_rule() == Rule::when_clause {
                        rule.when = c;
                    } else {
                        rule.unless = c;
                    }
                }
                _ => rule.actions.push(self.action(p)?),
            }
        }
        Ok(rule)
    }

    pub(super) fn action(&self, pair: Pair<Rule>) -> Result<Action> {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let mut kind = match rule {
            Rule::deny_action => Some(ActionKind::Deny),
            Rule::review_action => Some(ActionKind::Review),
            Rule::info_action => Some(ActionKind::Info),
            Rule::suggest_action | Rule::modify_action => None,
            _ => return Err(self.unexpected(&pair, "an action")),
        };
        let mut message = None;
        for p in pair.clone().into_inner() {
            match p.as_rule() {
                Rule::message => {
                    let mut it = p.clone().into_inner();
                    let s = self.next(&p, &mut it, "a message")?;
                    message = Some(self.string(&s)?);
                }
                Rule::code_like | Rule::code_attr => {
                    kind = Some(ActionKind::Suggest(self.word(&p)))
                }
                Rule::add_modifier | Rule::remove_modifier => {
                    let m = self.child(&p, Rule::modifier_like, "a modifier")?;
                    let m = self.word(&m);
                    kind = Some(if p.as_rule() == Rule::add_modifier {
                        ActionKind::AddModifier(m)
                    } else {
                        ActionKind::RemoveModifier(m)
                    });
                }
                Rule::remove_line => kind = Some(ActionKind::RemoveLine),
                Rule::merge_lines => {
                    let m = self.child(&p, Rule::modifier_like, "a modifier")?;
                    kind = Some(ActionKind::MergeWithOther(self.word(&m)));
                }
                r if is_keyword(r) => {}
                _ => return Err(self.unexpected(&p, "a part of an action")),
            }
        }
        Ok(Action {
            kind: kind.ok_or_else(|| self.unexpected(&pair, "an action"))?,
            message: message.ok_or_else(|| self.unexpected(&pair, "a message"))?,
            span,
        })
    }
}
