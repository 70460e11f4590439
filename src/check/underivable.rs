//! Derived facts that no derivation can ever set: every derivation of the fact needs a value of
//! it (or of another such fact) first, as `dd implies dd` does. A derived fact is never given
//! by the claim, so it stays unknown, and every rule that tests it never fires.

use std::collections::HashSet;

use crate::ir::*;
use crate::syntax::span::FileId;

use super::contradiction::conjuncts;
use super::warning::{CheckWarning, NeverDerived};

/// The derived fact a condition reads a value of; `None` for tests of anything else, and for
/// `missing`, which holds while a fact is unknown.
fn fact_read(program: &Program, cond: &Cond) -> Option<FactId> {
    let fact = match &cond.kind {
        CondKind::Documented(f)
        | CondKind::BoolIs(f, _)
        | CondKind::Number(f, _, _)
        | CondKind::NumberVsColumn(f, _, _)
        | CondKind::TextIn(f, _)
        | CondKind::ChoiceIn(f, _)
        | CondKind::ListHasChoice(f, _)
        | CondKind::ListHasText(f, _) => *f,
        _ => return None,
    };
    matches!(program.fact(fact).1.origin, FactOrigin::Derived).then_some(fact)
}

/// A warning at the first derivation of each derived fact that can never be set.
pub(super) fn never_derived(program: &Program) -> Vec<(FileId, CheckWarning)> {
    // The facts some derivation can set from what is known: a least fixpoint.
    let mut derivable: HashSet<FactId> = HashSet::new();
    loop {
        let before = derivable.len();
        for (_, d) in &program.derivations {
            let fact = d.conclusion.fact();
            let blocked = conjuncts(program, &d.condition)
                .iter()
                .filter_map(|atom| fact_read(program, atom.cond))
                .any(|needed| !derivable.contains(&needed));
            if !blocked {
                derivable.insert(fact);
            }
        }
        if derivable.len() == before {
            break;
        }
    }
    let mut out = Vec::new();
    let mut reported = HashSet::new();
    for (_, d) in &program.derivations {
        let fact = d.conclusion.fact();
        if derivable.contains(&fact) || !reported.insert(fact) {
            continue;
        }
        let Some(needs) = conjuncts(program, &d.condition)
            .into_iter()
            .find(|atom| fact_read(program, atom.cond).is_some_and(|f| !derivable.contains(&f)))
        else {
            continue;
        };
        let name = program.fact(fact).0.to_string();
        let readers: Vec<String> = program
            .rules
            .iter()
            .filter(|rule| match &rule.kind {
                RuleKind::Check(check) => [&check.when, &check.unless]
                    .into_iter()
                    .flatten()
                    .flat_map(|c| conjuncts(program, c))
                    .any(|atom| fact_read(program, atom.cond) == Some(fact)),
                _ => false,
            })
            .map(|rule| format!("`{}`", rule.id))
            .collect();
        let readers = match readers.as_slice() {
            [] => String::new(),
            [one] => format!(", so rule {one}, which tests it, never fires"),
            many => format!(", so rules {}, which test it, never fire", many.join(", ")),
        };
        out.push((
            d.loc.file,
            NeverDerived {
                fact: name.clone(),
                needed: fact_read(program, needs.cond)
                    .map_or_else(String::new, |f| program.fact(f).0.to_string()),
                needs: needs.shown.span.into(),
                help: format!(
                    "derive `{name}` from documentation facts or claim fields: a derived fact is never on the claim, and as written `{name}` stays unknown{readers}"
                ),
            }
            .into(),
        ));
    }
    out
}
