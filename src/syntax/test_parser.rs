//! From policy test text to the test AST, with the same grammar file and walker as policies.

use pest::iterators::Pair;
use pest::Parser as _;

use super::ast::Word;
use super::error::ParseError;
use super::parser::{chunks, is_keyword, syntax_error, PolicyGrammar, Result, Rule, Walker};
use super::test_ast::*;

/// Parses a whole test file. Returns the tests that could be read and every syntax error.
pub fn parse_tests(text: &str) -> (TestFile, Vec<ParseError>) {
    let mut tests = Vec::new();
    let mut errors = Vec::new();
    for (start, end) in chunks(text, &["test"]) {
        let chunk = &text[start..end];
        match PolicyGrammar::parse(Rule::test_file, chunk) {
            Ok(mut pairs) => {
                let walker = Walker { offset: start };
                let Some(file) = pairs.next() else { continue };
                for pair in file.into_inner() {
                    if pair.as_rule() != Rule::test_decl {
                        continue;
                    }
                    match walker.test(pair) {
                        Ok(t) => tests.push(t),
                        Err(e) => errors.push(e),
                    }
                }
            }
            Err(e) => errors.push(syntax_error(text, start, end, e)),
        }
    }
    (TestFile { tests }, errors)
}

impl Walker {
    fn test(&self, pair: Pair<Rule>) -> Result<TestDecl> {
        let span = self.span(&pair);
        let mut it = pair.clone().into_inner();
        let name = self.next_value(&pair, &mut it, "a test name")?;
        let mut given = Vec::new();
        let mut history = Vec::new();
        let mut claim = None;
        let mut expectations = Vec::new();
        let mut cases = None;
        for p in it {
            match p.as_rule() {
                Rule::given_row => given.push(self.given_row(p)?),
                Rule::given_history => history.push(self.given_history(p)?),
                Rule::test_claim => claim = Some(self.test_claim(p)?),
                Rule::expectation => expectations.push(self.expectation(p)?),
                Rule::test_cases => cases = Some(self.test_cases(p)?),
                _ => {}
            }
        }
        Ok(TestDecl {
            name: self.string(&name)?,
            given,
            history,
            claim: claim.ok_or_else(|| self.unexpected(&pair, "a claim"))?,
            expectations,
            cases,
            span,
        })
    }

    fn test_cases(&self, pair: Pair<Rule>) -> Result<TestCases> {
        let mut names = Vec::new();
        let mut cases = Vec::new();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::param_name => names.push(self.word(&p)),
                Rule::test_case => {
                    let span = self.span(&p);
                    let mut values = Vec::new();
                    for v in p.into_inner().filter(|v| !is_keyword(v.as_rule())) {
                        values.push(if v.as_rule() == Rule::string {
                            self.string(&v)?
                        } else {
                            self.word(&v)
                        });
                    }
                    cases.push(TestCase { values, span });
                }
                _ => {}
            }
        }
        Ok(TestCases { names, cases })
    }

    fn given_row(&self, pair: Pair<Rule>) -> Result<GivenRow> {
        let span = self.span(&pair);
        let mut it = pair.clone().into_inner();
        let table = self.next_value(&pair, &mut it, "a table name")?;
        let code = self.next_value(&pair, &mut it, "a code")?;
        let mut cells = Vec::new();
        for cell in it.filter(|p| p.as_rule() == Rule::given_cell) {
            let mut parts = cell.clone().into_inner();
            let column = self.next_value(&cell, &mut parts, "a column")?;
            let value = self.next_value(&cell, &mut parts, "a value")?;
            let value = match value.as_rule() {
                Rule::string => self.string(&value)?,
                Rule::doc_list => {
                    let items: Vec<&str> = value.clone().into_inner().map(|i| i.as_str()).collect();
                    Word {
                        text: items.join(" "),
                        span: self.span(&value),
                    }
                }
                _ => self.word(&value),
            };
            cells.push((self.word(&column), value));
        }
        Ok(GivenRow {
            table: self.string(&table)?,
            code: self.word(&code),
            cells,
            span,
        })
    }

    fn given_history(&self, pair: Pair<Rule>) -> Result<GivenHistory> {
        let span = self.span(&pair);
        let mut it = pair.clone().into_inner();
        let claim = self.next_value(&pair, &mut it, "a claim id")?;
        let claim = if claim.as_rule() == Rule::string {
            self.string(&claim)?
        } else {
            self.word(&claim)
        };
        let date = self.word(&self.next_value(&pair, &mut it, "a date")?);
        let code = self.word(&self.next_value(&pair, &mut it, "a code")?);
        let mut given = GivenHistory {
            claim,
            date,
            code,
            modifiers: Vec::new(),
            units: None,
            provider: None,
            place_of_service: None,
            denied: None,
            span,
        };
        for part in it {
            let value = part
                .clone()
                .into_inner()
                .rfind(|v| !is_keyword(v.as_rule()));
            match part.as_rule() {
                Rule::line_modifiers => {
                    let list = self.child(&part, Rule::test_modifiers, "a modifier")?;
                    given.modifiers = list.into_inner().map(|m| self.word(&m)).collect();
                }
                Rule::line_unit_count => given.units = value.map(|v| self.word(&v)),
                Rule::history_provider => given.provider = value.map(|v| self.word(&v)),
                Rule::history_place => given.place_of_service = value.map(|v| self.word(&v)),
                Rule::history_denied => given.denied = Some(value.map(|v| self.word(&v))),
                _ => {}
            }
        }
        Ok(given)
    }

    fn test_claim(&self, pair: Pair<Rule>) -> Result<TestClaim> {
        let span = self.span(&pair);
        let mut claim = TestClaim {
            service_date: None,
            file: None,
            lines: Vec::new(),
            diagnoses: Vec::new(),
            procedures: Vec::new(),
            place_of_service: None,
            owns_equipment: None,
            taxonomy: None,
            npi: None,
            payer: None,
            source: None,
            patient: None,
            documentation: Vec::new(),
            span,
        };
        for p in pair.clone().into_inner() {
            let values = || {
                p.clone()
                    .into_inner()
                    .filter(|v| !is_keyword(v.as_rule()))
                    .collect::<Vec<_>>()
            };
            match p.as_rule() {
                Rule::date_like | Rule::param => claim.service_date = Some(self.word(&p)),
                Rule::claim_file => {
                    let v = values();
                    let path = v.first().ok_or_else(|| self.unexpected(&p, "a file"))?;
                    claim.file = Some(self.string(path)?);
                }
                Rule::claim_line => claim.lines.push(self.test_line(&p)?),
                Rule::claim_diagnosis => {
                    claim
                        .diagnoses
                        .extend(values().iter().map(|v| self.word(v)));
                }
                Rule::claim_procedure => {
                    let v = values();
                    let code = v
                        .first()
                        .ok_or_else(|| self.unexpected(&p, "a procedure code"))?;
                    claim
                        .procedures
                        .push((self.word(code), v.get(1).map(|a| self.word(a))));
                }
                Rule::claim_pos => {
                    let v = values();
                    let code = v
                        .first()
                        .ok_or_else(|| self.unexpected(&p, "a place of service"))?;
                    claim.place_of_service = Some(self.word(code));
                }
                Rule::claim_provider => {
                    for part in values() {
                        let inner: Vec<_> = part
                            .clone()
                            .into_inner()
                            .filter(|v| !is_keyword(v.as_rule()))
                            .collect();
                        let value = inner
                            .first()
                            .ok_or_else(|| self.unexpected(&part, "a value"))?;
                        match part.as_rule() {
                            Rule::provider_owns => {
                                claim.owns_equipment = Some(value.as_rule() == Rule::bool_true)
                            }
                            Rule::provider_npi => claim.npi = Some(self.word(value)),
                            _ => claim.taxonomy = Some(self.word(value)),
                        }
                    }
                }
                Rule::claim_payer => {
                    let v = values();
                    let payer = v.first().ok_or_else(|| self.unexpected(&p, "a payer"))?;
                    claim.payer = Some(if payer.as_rule() == Rule::string {
                        self.string(payer)?
                    } else {
                        self.word(payer)
                    });
                }
                Rule::claim_source => {
                    let v = values();
                    let source = v.first().ok_or_else(|| self.unexpected(&p, "a source"))?;
                    claim.source = Some(self.word(source));
                }
                Rule::claim_patient => {
                    let patient = claim.patient.get_or_insert_with(TestPatient::default);
                    for part in values() {
                        let value = part
                            .clone()
                            .into_inner()
                            .find(|v| !is_keyword(v.as_rule()))
                            .ok_or_else(|| self.unexpected(&part, "a value"))?;
                        let word = if value.as_rule() == Rule::string {
                            self.string(&value)?
                        } else {
                            self.word(&value)
                        };
                        let slot = match part.as_rule() {
                            Rule::patient_age => &mut patient.age,
                            Rule::patient_born => &mut patient.born,
                            Rule::patient_sex => &mut patient.sex,
                            Rule::patient_member => &mut patient.member,
                            _ => {
                                return Err(
                                    self.unexpected(&part, "`age`, `born`, `sex` or `member`")
                                )
                            }
                        };
                        *slot = Some(word);
                    }
                }
                Rule::claim_documented => {
                    for item in values() {
                        let mut it = item.clone().into_inner();
                        let name = self.next_value(&item, &mut it, "a fact")?;
                        let value = self.next_value(&item, &mut it, "a value")?;
                        claim
                            .documentation
                            .push((self.word(&name), self.doc_value(value)?));
                    }
                }
                r if is_keyword(r) => {}
                _ => return Err(self.unexpected(&p, "a part of a claim")),
            }
        }
        Ok(claim)
    }

    fn test_line(&self, pair: &Pair<Rule>) -> Result<TestLine> {
        let mut it = pair.clone().into_inner();
        let code = self.next_value(pair, &mut it, "a code")?;
        let mut line = TestLine {
            code: self.word(&code),
            modifiers: Vec::new(),
            units: None,
            session: None,
            comparison_code: None,
            charge: None,
            diagnosis_pointers: Vec::new(),
        };
        for p in it {
            if p.as_rule() == Rule::line_pointers {
                line.diagnosis_pointers.extend(
                    p.clone()
                        .into_inner()
                        .filter(|v| !is_keyword(v.as_rule()))
                        .map(|v| self.word(&v)),
                );
                continue;
            }
            let value = p
                .clone()
                .into_inner()
                .find(|v| !is_keyword(v.as_rule()))
                .ok_or_else(|| self.unexpected(&p, "a value"))?;
            match p.as_rule() {
                Rule::line_modifiers => line.modifiers.extend(self.modifiers(value)),
                Rule::line_unit_count => line.units = Some(self.word(&value)),
                Rule::line_session => line.session = Some(self.word(&value)),
                Rule::line_comparison => line.comparison_code = Some(self.word(&value)),
                Rule::line_charge_amount => line.charge = Some(self.word(&value)),
                _ => {
                    return Err(self.unexpected(
                        &p,
                        "modifiers, units, a session, a comparison code, a charge or diagnosis pointers",
                    ))
                }
            }
        }
        Ok(line)
    }

    fn doc_value(&self, pair: Pair<Rule>) -> Result<DocValue> {
        Ok(match pair.as_rule() {
            Rule::bool_true => DocValue::Bool(true),
            Rule::bool_false => DocValue::Bool(false),
            Rule::number => DocValue::Number(self.word(&pair)),
            Rule::string => DocValue::Text(self.string(&pair)?),
            Rule::word | Rule::param => DocValue::Text(self.word(&pair)),
            Rule::doc_list => DocValue::List(pair.into_inner().map(|w| self.word(&w)).collect()),
            _ => return Err(self.unexpected(&pair, "a value")),
        })
    }

    fn expectation(&self, pair: Pair<Rule>) -> Result<Expectation> {
        let span = self.span(&pair);
        let mut it = pair.clone().into_inner();
        let body = self.next_value(&pair, &mut it, "an expectation")?;
        let values: Vec<Pair<Rule>> = body
            .clone()
            .into_inner()
            .filter(|v| !is_keyword(v.as_rule()))
            .collect();
        let kind = match body.as_rule() {
            Rule::expect_status => {
                let w = values
                    .first()
                    .ok_or_else(|| self.unexpected(&body, "a status"))?;
                ExpectKind::Status(self.word(w))
            }
            Rule::expect_finding => ExpectKind::Finding(self.pattern(&values)?),
            Rule::expect_none => ExpectKind::NoFinding(self.pattern(&values)?),
            Rule::expect_derived => {
                let fact = values
                    .first()
                    .ok_or_else(|| self.unexpected(&body, "a fact"))?;
                let value = values
                    .iter()
                    .find(|v| {
                        matches!(
                            v.as_rule(),
                            Rule::word | Rule::param | Rule::bool_true | Rule::bool_false
                        )
                    })
                    .map(|v| self.word(v));
                let rule = values
                    .iter()
                    .find(|v| v.as_rule() == Rule::from_rule)
                    .map(|v| self.rule_of(v))
                    .transpose()?;
                ExpectKind::Derived {
                    fact: self.word(fact),
                    value,
                    rule,
                }
            }
            _ => return Err(self.unexpected(&body, "an expectation")),
        };
        Ok(Expectation { kind, span })
    }

    /// The one value after the keywords of a construct (`on line 2`: `2`).
    fn value_of(&self, pair: &Pair<Rule>, what: &'static str) -> Result<Word> {
        let value = pair
            .clone()
            .into_inner()
            .find(|v| !is_keyword(v.as_rule()))
            .ok_or_else(|| self.unexpected(pair, what))?;
        Ok(self.word(&value))
    }

    fn rule_of(&self, pair: &Pair<Rule>) -> Result<Word> {
        let id = self.child(pair, Rule::rule_id, "a rule id")?;
        Ok(self.word(&id))
    }

    fn pattern(&self, values: &[Pair<Rule>]) -> Result<FindingPattern> {
        let mut pattern = FindingPattern::default();
        for v in values {
            match v.as_rule() {
                Rule::action_name => pattern.action = Some(self.action_pattern(v)?),
                Rule::on_line => pattern.line = Some(self.value_of(v, "a line number")?),
                Rule::on_code => pattern.code = Some(self.value_of(v, "a code")?),
                Rule::from_rule => pattern.rule = Some(self.rule_of(v)?),
                Rule::same_reason => pattern.same_reason = Some(self.same_reason(v)?),
                r if is_keyword(r) => {}
                _ => return Err(self.unexpected(v, "a part of an expectation")),
            }
        }
        Ok(pattern)
    }

    fn action_pattern(&self, pair: &Pair<Rule>) -> Result<ActionPattern> {
        let inner = pair
            .clone()
            .into_inner()
            .next()
            .ok_or_else(|| self.unexpected(pair, "an action"))?;
        Ok(match inner.as_rule() {
            Rule::kw_deny => ActionPattern::Deny,
            Rule::kw_review => ActionPattern::Review,
            Rule::kw_info => ActionPattern::Info,
            Rule::expect_suggest => ActionPattern::Suggest(
                inner
                    .clone()
                    .into_inner()
                    .find(|p| matches!(p.as_rule(), Rule::code_like | Rule::param))
                    .map(|p| self.word(&p)),
            ),
            Rule::expect_modify => {
                let change = inner
                    .clone()
                    .into_inner()
                    .find(|p| !is_keyword(p.as_rule()));
                ActionPattern::Modify(match change {
                    None => None,
                    Some(c) if c.as_rule() == Rule::remove_line => Some(ChangePattern::RemoveLine),
                    Some(c) if c.as_rule() == Rule::expect_merge => Some(ChangePattern::Merge(
                        c.clone()
                            .into_inner()
                            .find(|p| matches!(p.as_rule(), Rule::modifier_like | Rule::param))
                            .map(|p| self.word(&p)),
                    )),
                    Some(c) => {
                        let m = self.child(&c, Rule::modifier_like, "a modifier")?;
                        Some(if c.as_rule() == Rule::add_modifier {
                            ChangePattern::AddModifier(self.word(&m))
                        } else {
                            ChangePattern::RemoveModifier(self.word(&m))
                        })
                    }
                })
            }
            _ => return Err(self.unexpected(&inner, "an action")),
        })
    }
}
