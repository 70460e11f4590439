//! Which derivations read which facts, so that the evaluator tries a derivation again only
//! when a fact it reads has changed, rather than every derivation in every pass.

use crate::ir::{Cond, CondKind, FactId, Program};

/// For each fact of `program`, the derivations whose condition reads it, in order.
pub(super) fn readers(program: &Program) -> Vec<Vec<u32>> {
    let mut readers: Vec<Vec<u32>> = vec![Vec::new(); program.facts.len()];
    let mut read = Vec::new();
    for (i, (_, d)) in program.derivations.iter().enumerate() {
        read.clear();
        facts_read(program, &d.condition, &mut read);
        read.sort_unstable();
        read.dedup();
        for f in &read {
            if let Some(r) = readers.get_mut(*f as usize) {
                r.push(i as u32);
            }
        }
    }
    readers
}

/// Every fact whose value `c` depends on, through the terms it uses.
fn facts_read(program: &Program, c: &Cond, out: &mut Vec<FactId>) {
    match &c.kind {
        CondKind::And(a, b) | CondKind::Or(a, b) => {
            facts_read(program, a, out);
            facts_read(program, b, out);
        }
        CondKind::Not(a) => facts_read(program, a, out),
        CondKind::Term(t) => {
            if let Some(term) = program.terms.get(t.index()) {
                facts_read(program, &term.condition, out);
            }
        }
        CondKind::Documented(f)
        | CondKind::Missing(f)
        | CondKind::BoolIs(f, _)
        | CondKind::Number(f, ..)
        | CondKind::NumberVsColumn(f, ..)
        | CondKind::TextIn(f, _)
        | CondKind::ChoiceIn(f, _)
        | CondKind::ListHasChoice(f, _)
        | CondKind::ListHasText(f, _) => out.push(*f),
        // These read the claim's lines, codes, diagnoses, date and tables, which derivations
        // never change. Listed one by one, so that a new kind of test must be placed here.
        CondKind::LineIs(_)
        | CondKind::LineHasModifier(_)
        | CondKind::LineAttr(..)
        | CondKind::LineUnits(..)
        | CondKind::LineCharge(..)
        | CondKind::LineHasPointers
        | CondKind::UnitsTotal { .. }
        | CondKind::Attr(..)
        | CondKind::OtherLine { .. }
        | CondKind::TheOtherLine(_)
        | CondKind::UnitsOf { .. }
        | CondKind::ClaimHasCode(_)
        | CondKind::ClaimHasModifier(_)
        | CondKind::ClaimHasDiagnosis(_)
        | CondKind::LineDiagnosis(_)
        | CondKind::ClaimHasProcedure(_)
        | CondKind::ProcedureApproach(_)
        | CondKind::ServiceDate(_)
        // The patient's history, which derivations never change either.
        | CondKind::Frequency(_)
        | CondKind::EarlierClaimSame { .. }
        | CondKind::WithinAfter(_) => {}
    }
}
