//! Parameterized tests: a test with `where` runs once per `case`, each `{name}` in its claim,
//! expectations and name standing for the case's value.

use crate::syntax::ast::Word;
use crate::syntax::test_ast::{ActionPattern, ChangePattern, DocValue, ExpectKind, TestDecl};

use super::error::TestCasesError;

/// The test cases a test stands for: the test itself, or one test per case.
pub(super) fn instances(test: &TestDecl) -> Result<Vec<TestDecl>, TestCasesError> {
    let error = |problem: String, span: crate::syntax::span::Span, help: String| TestCasesError {
        test: test.name.text.clone(),
        problem,
        span: span.into(),
        help,
    };
    let names: Vec<&str> = match &test.cases {
        Some(c) => c.names.iter().map(|n| n.text.as_str()).collect(),
        None => Vec::new(),
    };
    let mut probe = test.clone();
    for word in words(&mut probe) {
        if let Some(name) = placeholders(&word.text).find(|p| !names.contains(p)) {
            let help = if names.is_empty() {
                format!(
                    "list the values after the expectations: `where {name}`, then one `case …` \
                     line per value"
                )
            } else {
                crate::spelling::did_you_mean(name, names.iter().copied(), "name")
            };
            return Err(error(
                format!("`{{{name}}}` names no value of the test's cases"),
                word.span,
                help,
            ));
        }
    }
    let Some(cases) = &test.cases else {
        return Ok(vec![test.clone()]);
    };
    let mut out = Vec::with_capacity(cases.cases.len());
    for case in &cases.cases {
        if case.values.len() != names.len() {
            return Err(error(
                format!(
                    "this case has {} value(s), but `where` names {}",
                    case.values.len(),
                    names.len()
                ),
                case.span,
                format!("give one value for each of: {}", names.join(", ")),
            ));
        }
        let values: Vec<(&str, &str)> = names
            .iter()
            .copied()
            .zip(case.values.iter().map(|v| v.text.as_str()))
            .collect();
        let mut instance = test.clone();
        instance.cases = None;
        let named = instance.name.text.contains('{');
        for word in words(&mut instance) {
            word.text = substitute(&word.text, &values);
        }
        retype_documentation(&mut instance, test);
        if !named {
            let shown: Vec<String> = values.iter().map(|(n, v)| format!("{n} {v}")).collect();
            instance.name.text = format!("{} [{}]", instance.name.text, shown.join(", "));
        }
        out.push(instance);
    }
    Ok(out)
}

/// The `{name}`s in a text.
fn placeholders(text: &str) -> impl Iterator<Item = &str> {
    text.match_indices('{').filter_map(move |(i, _)| {
        let rest = &text[i + 1..];
        let end = rest.find('}')?;
        let name = &rest[..end];
        let is_name =
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        is_name.then_some(name)
    })
}

fn substitute(text: &str, values: &[(&str, &str)]) -> String {
    let mut out = text.to_string();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// A documentation value that was only a placeholder takes the type of the case's value:
/// `yes`/`no`, a number, or text.
fn retype_documentation(instance: &mut TestDecl, original: &TestDecl) {
    let pairs = instance
        .claim
        .documentation
        .iter_mut()
        .zip(&original.claim.documentation);
    for ((_, value), (_, before)) in pairs {
        let DocValue::Text(word) = value else {
            continue;
        };
        let was_placeholder = matches!(before, DocValue::Text(w) if w.text.starts_with('{'));
        if !was_placeholder {
            continue;
        }
        *value = match word.text.as_str() {
            "yes" | "true" => DocValue::Bool(true),
            "no" | "false" => DocValue::Bool(false),
            t if t.parse::<f64>().is_ok() => DocValue::Number(word.clone()),
            _ => DocValue::Text(word.clone()),
        };
    }
}

/// Every word of a test a placeholder can stand in.
fn words(test: &mut TestDecl) -> Vec<&mut Word> {
    let mut out: Vec<&mut Word> = vec![&mut test.name];
    for given in &mut test.given {
        out.push(&mut given.code);
        out.extend(given.cells.iter_mut().map(|(_, value)| value));
    }
    for h in &mut test.history {
        out.push(&mut h.claim);
        out.push(&mut h.date);
        out.push(&mut h.code);
        out.extend(h.modifiers.iter_mut());
        out.extend(h.units.iter_mut());
        out.extend(h.provider.iter_mut());
        out.extend(h.place_of_service.iter_mut());
    }
    let claim = &mut test.claim;
    out.extend(claim.service_date.iter_mut());
    out.extend(claim.file.iter_mut());
    for line in &mut claim.lines {
        out.push(&mut line.code);
        out.extend(line.modifiers.iter_mut());
        out.extend(line.units.iter_mut());
        out.extend(line.session.iter_mut());
        out.extend(line.comparison_code.iter_mut());
        out.extend(line.charge.iter_mut());
        out.extend(line.diagnosis_pointers.iter_mut());
    }
    if let Some(p) = &mut claim.patient {
        out.extend(p.age.iter_mut());
        out.extend(p.born.iter_mut());
        out.extend(p.sex.iter_mut());
        out.extend(p.member.iter_mut());
    }
    out.extend(claim.diagnoses.iter_mut());
    for (code, approach) in &mut claim.procedures {
        out.push(code);
        out.extend(approach.iter_mut());
    }
    out.extend(claim.place_of_service.iter_mut());
    out.extend(claim.taxonomy.iter_mut());
    out.extend(claim.npi.iter_mut());
    out.extend(claim.payer.iter_mut());
    out.extend(claim.source.iter_mut());
    for (_, value) in &mut claim.documentation {
        match value {
            DocValue::Number(w) | DocValue::Text(w) => out.push(w),
            DocValue::List(ws) => out.extend(ws.iter_mut()),
            DocValue::Bool(_) => {}
        }
    }
    for e in &mut test.expectations {
        match &mut e.kind {
            ExpectKind::Status(w) => out.push(w),
            ExpectKind::Finding(p) | ExpectKind::NoFinding(p) => {
                out.extend(p.line.iter_mut());
                out.extend(p.code.iter_mut());
                match &mut p.action {
                    Some(ActionPattern::Suggest(Some(w))) => out.push(w),
                    Some(ActionPattern::Modify(Some(
                        ChangePattern::AddModifier(w) | ChangePattern::RemoveModifier(w),
                    ))) => out.push(w),
                    _ => {}
                }
            }
            ExpectKind::Derived { value, .. } => out.extend(value.iter_mut()),
        }
    }
    out
}
