//! The diagnoses of a line and the procedures of a claim: `line diagnosis in …`,
//! `no line diagnosis in …`, `for each line diagnosis`, `claim has procedure …`, and the
//! diagnosis and procedure columns they read, each checked against its type.

use super::error::*;
use super::warning::{CheckWarning, DiagnosisCategory};
use super::Checker;
use crate::codes::DiagnosisPattern;
use crate::ir::*;
use crate::syntax::ast;
use crate::syntax::span::{FileId, Span};

impl<'a> Checker<'a> {
    /// `for each line diagnosis [in …]`: the diagnoses the rule runs for.
    pub(super) fn diagnosis_target(&mut self, d: &ast::DiagnosisTarget) -> Option<DiagnosisLoop> {
        let within = match &d.within {
            Some(r) => {
                if let Some(w) = first_attribute(r) {
                    self.error(TypeMismatch {
                        subject: format!("`{}`", w.text),
                        found: "a table column".into(),
                        expected: "diagnoses or a diagnosis set".into(),
                        span: w.span.into(),
                        help: format!(
                            "a rule's diagnoses are fixed before its line is known; test the \
                             column in `when`: `when line diagnosis in {}`",
                            w.text
                        ),
                    });
                    return None;
                }
                Some(self.diagnosis_ref(r)?)
            }
            None => None,
        };
        Some(DiagnosisLoop { within })
    }

    /// `line diagnosis in …` and `no line diagnosis in …` (the negation of the first).
    pub(super) fn line_diagnosis(
        &mut self,
        negated: bool,
        r: &ast::DiagnosisRef,
        span: Span,
        has_line: bool,
    ) -> Option<CondKind> {
        self.require_line(has_line, "`line diagnosis …`", span)?;
        let m = self.diagnosis_match(r, has_line)?;
        Some(self.negate_if(negated, CondKind::LineDiagnosis(m), span))
    }

    /// Diagnoses to look for, some of which may be diagnosis columns (`code.covered_diagnoses`).
    pub(super) fn diagnosis_match(
        &mut self,
        r: &ast::DiagnosisRef,
        has_line: bool,
    ) -> Option<DiagnosisMatch> {
        let mut columns = Vec::new();
        let mut fixed = ast::DiagnosisRef {
            items: Vec::with_capacity(r.items.len()),
            span: r.span,
        };
        let mut ok = true;
        for item in &r.items {
            match item {
                ast::DiagnosisItem::Attribute(w) => match self.column(w, has_line) {
                    Some((c, ColumnType::Diagnosis | ColumnType::Diagnoses)) => columns.push(c),
                    Some((_, ty)) => {
                        self.not_diagnoses(w, ty);
                        ok = false;
                    }
                    None => ok = false,
                },
                other => fixed.items.push(other.clone()),
            }
        }
        let set = self.diagnosis_ref(&fixed);
        Some(DiagnosisMatch {
            set: set?,
            columns: ok.then_some(columns)?,
        })
    }

    /// A column of another type where diagnoses belong.
    fn not_diagnoses(&mut self, w: &ast::Word, ty: ColumnType) {
        let holds = match ty {
            ColumnType::Code | ColumnType::Codes => "procedure codes",
            ColumnType::Procedures => "ICD-10-PCS procedures",
            _ => "one value for each key",
        };
        self.error(TypeMismatch {
            subject: format!("`{}`", w.text),
            found: format!("a {} column", ty.describe()),
            expected: "a diagnosis or diagnoses column".into(),
            span: w.span.into(),
            help: format!(
                "`{}` holds {holds}, not diagnoses; a diagnosis list takes codes such as \
                 `M17.11`, families such as `M17.*`, sets by name, and `diagnoses` columns",
                w.text
            ),
        });
    }

    /// A diagnosis column where procedure codes belong (`line is code.covered_diagnoses`).
    pub(super) fn diagnoses_not_codes(&mut self, w: &ast::Word, ty: ColumnType) {
        self.error(TypeMismatch {
            subject: format!("`{}`", w.text),
            found: format!("a {} column", ty.describe()),
            expected: "a code or codes column".into(),
            span: w.span.into(),
            help: match ty {
                ColumnType::Procedures => format!(
                    "`{0}` holds ICD-10-PCS procedures, not procedure codes: use \
                     `claim has procedure in {0}`",
                    w.text
                ),
                _ => format!(
                    "`{0}` holds diagnoses, not procedure codes: use `line diagnosis in {0}`",
                    w.text
                ),
            },
        });
    }

    /// `claim has procedure 0QS*`, `claim has procedure in code.pcs_procedures`.
    pub(super) fn procedure_match(
        &mut self,
        r: &ast::ProcedureRef,
        has_line: bool,
    ) -> Option<ProcedureMatch> {
        let mut m = ProcedureMatch {
            patterns: Vec::new(),
            columns: Vec::new(),
        };
        let mut ok = true;
        for item in &r.items {
            match item {
                ast::ProcedureItem::Pattern(w) => match ProcedurePattern::parse(&w.text) {
                    Some(p) => m.patterns.push(p),
                    None => {
                        self.error(MalformedLiteral {
                            text: w.text.clone(),
                            what: "an ICD-10-PCS code or family",
                            span: w.span.into(),
                            help: "write an ICD-10-PCS code with its 7 characters (`0QSG34Z`), \
                                   or a family as `0QS*`"
                                .into(),
                        });
                        ok = false;
                    }
                },
                ast::ProcedureItem::Attribute(w) => match self.column(w, has_line) {
                    Some((c, ColumnType::Procedures)) => m.columns.push(c),
                    Some((_, ty)) => {
                        self.error(TypeMismatch {
                            subject: format!("`{}`", w.text),
                            found: format!("a {} column", ty.describe()),
                            expected: "a procedures column".into(),
                            span: w.span.into(),
                            help: format!(
                                "`{}` does not hold ICD-10-PCS procedures; declare the column \
                                 `is procedures`",
                                w.text
                            ),
                        });
                        ok = false;
                    }
                    None => ok = false,
                },
                ast::ProcedureItem::Set(w) => {
                    self.error(TypeMismatch {
                        subject: format!("\"{}\"", w.text),
                        found: "a set name".into(),
                        expected: "ICD-10-PCS codes".into(),
                        span: w.span.into(),
                        help:
                            "list ICD-10-PCS codes and families here (`0QS*`), or keep them in a \
                               `procedures` column of a table"
                                .into(),
                    });
                    ok = false;
                }
            }
        }
        ok.then_some(m)
    }
}

/// The first table column a diagnosis list names.
fn first_attribute(r: &ast::DiagnosisRef) -> Option<&ast::Word> {
    r.items.iter().find_map(|i| match i {
        ast::DiagnosisItem::Attribute(w) => Some(w),
        _ => None,
    })
}

/// A warning for each diagnosis a policy writes as a bare three-character category (`M17`),
/// in diagnosis sets, conditions and `for each line diagnosis in`.
pub(super) fn category_warnings(files: &[ast::PolicyFile]) -> Vec<(FileId, CheckWarning)> {
    let mut out = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let file = FileId(i as u32);
        let mut refs: Vec<&ast::DiagnosisRef> = Vec::new();
        for item in &f.items {
            match item {
                ast::Item::Diagnoses(d) => refs.push(&d.patterns),
                ast::Item::Term(t) => condition_refs(&t.definition, &mut refs),
                ast::Item::Rule(r) => match &r.body {
                    ast::RuleBody::Check(c) => {
                        if let Some(within) =
                            c.each_diagnosis.as_ref().and_then(|d| d.within.as_ref())
                        {
                            refs.push(within);
                        }
                        for c in c.when.iter().chain(&c.unless) {
                            condition_refs(c, &mut refs);
                        }
                    }
                    ast::RuleBody::Derive(ds) => {
                        for d in ds {
                            condition_refs(&d.condition, &mut refs);
                        }
                    }
                    _ => {}
                },
                _ => {}
            }
        }
        for r in refs {
            for item in &r.items {
                let ast::DiagnosisItem::Pattern(w) = item else {
                    continue;
                };
                let Some(p) = DiagnosisPattern::parse(&w.text) else {
                    continue;
                };
                if p.prefix || p.compact.len() != 3 {
                    continue;
                }
                out.push((
                    file,
                    CheckWarning::from(DiagnosisCategory {
                        code: p.compact.to_string(),
                        span: w.span.into(),
                        help: format!(
                            "ICD-10-CM categories with subcodes are not billable as written: write \
                             `{0}.*` for every code of the category, or the subcodes you mean \
                             (a category with no subcodes, such as I10, is billable as written)",
                            p.compact
                        ),
                    }),
                ));
            }
        }
    }
    out
}

/// The diagnosis lists a condition names.
fn condition_refs<'c>(c: &'c ast::Condition, out: &mut Vec<&'c ast::DiagnosisRef>) {
    match &c.kind {
        ast::ConditionKind::And(a, b) | ast::ConditionKind::Or(a, b) => {
            condition_refs(a, out);
            condition_refs(b, out);
        }
        ast::ConditionKind::Not(a) => condition_refs(a, out),
        ast::ConditionKind::Predicate(ast::Predicate::ClaimHasDiagnosis(r)) => out.push(r),
        ast::ConditionKind::Predicate(ast::Predicate::LineDiagnosis { diagnoses, .. }) => {
            out.push(diagnoses)
        }
        ast::ConditionKind::Predicate(_) => {}
    }
}
