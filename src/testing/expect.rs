//! Matching expectations against a claim's result.

use super::error::TestFailed;
use crate::report::{ActionName, Agreement, ChangeOp, ClaimResult, Finding};
use crate::syntax::test_ast::{
    ActionPattern, ChangePattern, ExpectKind, Expectation, FindingPattern,
};

/// `None` if the expectation holds; otherwise the failure (its test name is filled by the
/// caller).
pub fn check(e: &Expectation, result: &ClaimResult) -> Option<TestFailed> {
    let fail = |expected: String, actual: String| TestFailed {
        test: String::new(),
        expected,
        span: e.span.into(),
        actual,
    };
    let agreed = result
        .explain
        .as_ref()
        .map(|x| x.agreed.as_slice())
        .unwrap_or_default();
    let findings_text = |findings: &[Finding]| findings_text(findings, agreed);
    match &e.kind {
        ExpectKind::Status(want) => {
            let got = result.status.as_str();
            (got != want.text).then(|| {
                fail(
                    format!("status `{}`", want.text),
                    format!("the status is `{got}`; {}", findings_text(&result.findings)),
                )
            })
        }
        ExpectKind::Finding(p) => {
            (!result.findings.iter().any(|f| matches(p, f, agreed))).then(|| {
                fail(
                    describe(p),
                    format!("no finding matches; {}", findings_text(&result.findings)),
                )
            })
        }
        ExpectKind::NoFinding(p) => {
            let hits: Vec<Finding> = result
                .findings
                .iter()
                .filter(|f| matches(p, f, agreed))
                .cloned()
                .collect();
            (!hits.is_empty()).then(|| {
                fail(
                    format!(
                        "no {}",
                        describe(p)
                            .trim_start_matches("a ")
                            .trim_start_matches("an ")
                    ),
                    format!(
                        "but {}",
                        findings_text(&hits).replace("the findings are:", "these findings match:")
                    ),
                )
            })
        }
        ExpectKind::Derived { fact, value, rule } => {
            let derived = result
                .explain
                .as_ref()
                .map(|x| x.derived.as_slice())
                .unwrap_or_default();
            let hit = derived.iter().any(|d| {
                d.fact == fact.text
                    && value.as_ref().is_none_or(|v| value_is(&d.value, &v.text))
                    && rule.as_ref().is_none_or(|r| d.rule == r.text)
            });
            (!hit).then(|| {
                let mut expected = format!("`{}`", fact.text);
                if let Some(v) = value {
                    expected.push_str(&format!(" = `{}`", v.text));
                }
                expected.push_str(" derived");
                if let Some(r) = rule {
                    expected.push_str(&format!(" by `{}`", r.text));
                }
                let actual = if derived.is_empty() {
                    "nothing was derived".to_string()
                } else {
                    let items: Vec<String> = derived
                        .iter()
                        .map(|d| format!("`{}` = {} by `{}`", d.fact, d.value, d.rule))
                        .collect();
                    format!("derived: {}", items.join(", "))
                };
                fail(expected, actual)
            })
        }
    }
}

fn value_is(v: &serde_json::Value, text: &str) -> bool {
    match v {
        serde_json::Value::String(s) => s == text,
        serde_json::Value::Bool(b) => {
            matches!((b, text), (true, "yes" | "true") | (false, "no" | "false"))
        }
        serde_json::Value::Array(items) => items.iter().any(|i| value_is(i, text)),
        other => text.parse::<serde_json::Value>().is_ok_and(|t| t == *other),
    }
}

fn matches(p: &FindingPattern, f: &Finding, agreed: &[Agreement]) -> bool {
    let action = match &p.action {
        None => true,
        Some(ActionPattern::Deny) => f.action == ActionName::Deny,
        Some(ActionPattern::Review) => f.action == ActionName::Review,
        Some(ActionPattern::Info) => f.action == ActionName::Info,
        Some(ActionPattern::Suggest(code)) => {
            f.action == ActionName::Suggest
                && code
                    .as_ref()
                    .is_none_or(|c| f.suggested_code.as_deref() == Some(c.text.as_str()))
        }
        Some(ActionPattern::Modify(change)) => {
            f.action == ActionName::Modify
                && change.as_ref().is_none_or(|want| {
                    f.change.as_ref().is_some_and(|c| match want {
                        ChangePattern::RemoveLine => c.op == ChangeOp::RemoveLine,
                        ChangePattern::Merge(m) => {
                            c.op == ChangeOp::MergeLines
                                && m.as_ref()
                                    .is_none_or(|m| c.modifier.as_deref() == Some(m.text.as_str()))
                        }
                        ChangePattern::AddModifier(m) => {
                            c.op == ChangeOp::AddModifier
                                && c.modifier.as_deref() == Some(m.text.as_str())
                        }
                        ChangePattern::RemoveModifier(m) => {
                            c.op == ChangeOp::RemoveModifier
                                && c.modifier.as_deref() == Some(m.text.as_str())
                        }
                    })
                })
        }
    };
    action
        && p.line
            .as_ref()
            .is_none_or(|l| f.lines.iter().any(|n| n.to_string() == l.text))
        && p.code.as_ref().is_none_or(|c| {
            f.code
                .as_deref()
                .is_some_and(|code| code.eq_ignore_ascii_case(&c.text))
        })
        && p.rule.as_ref().is_none_or(|r| f.rule == r.text)
        && p.same_reason.as_ref().is_none_or(|s| {
            s.rules
                .iter()
                .all(|r| agreements_of(f, agreed).any(|a| a.rule == r.text))
        })
}

/// What agreed with a finding: the findings of rules of the same reason given as this one.
fn agreements_of<'a>(
    f: &'a Finding,
    agreed: &'a [Agreement],
) -> impl Iterator<Item = &'a Agreement> {
    agreed
        .iter()
        .filter(move |a| a.kept == f.rule && a.action == f.action && f.lines.contains(&a.line))
}

/// An expectation in words: "a `review` on 28406 from `fixation.x`".
fn describe(p: &FindingPattern) -> String {
    let mut out = match &p.action {
        None => "a finding".to_string(),
        Some(ActionPattern::Deny) => "a `deny`".into(),
        Some(ActionPattern::Review) => "a `review`".into(),
        Some(ActionPattern::Info) => "an `info`".into(),
        Some(ActionPattern::Suggest(None)) => "a `suggest`".into(),
        Some(ActionPattern::Suggest(Some(c))) => format!("a `suggest` of {}", c.text),
        Some(ActionPattern::Modify(None)) => "a `modify`".into(),
        Some(ActionPattern::Modify(Some(ChangePattern::RemoveLine))) => {
            "a `modify` removing the line".into()
        }
        Some(ActionPattern::Modify(Some(ChangePattern::Merge(m)))) => match m {
            Some(m) => format!("a `modify` merging two lines as modifier {}", m.text),
            None => "a `modify` merging two lines".into(),
        },
        Some(ActionPattern::Modify(Some(ChangePattern::AddModifier(m)))) => {
            format!("a `modify` adding modifier {}", m.text)
        }
        Some(ActionPattern::Modify(Some(ChangePattern::RemoveModifier(m)))) => {
            format!("a `modify` removing modifier {}", m.text)
        }
    };
    if let Some(c) = &p.code {
        out.push_str(&format!(" on {}", c.text));
    }
    if let Some(l) = &p.line {
        out.push_str(&format!(" on line {}", l.text));
    }
    if let Some(r) = &p.rule {
        out.push_str(&format!(" from `{}`", r.text));
    }
    if let Some(s) = &p.same_reason {
        let rules: Vec<String> = s.rules.iter().map(|r| format!("`{}`", r.text)).collect();
        out.push_str(&format!(
            ", given once for {} too (same reason)",
            join_and(&rules)
        ));
    }
    out
}

/// `a`, `a and b`, `a, b and c`.
fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The findings, one a line, as the help of a failure shows them, each with the rules whose
/// finding of the same reason it was given for.
fn findings_text(findings: &[Finding], agreed: &[Agreement]) -> String {
    if findings.is_empty() {
        return "there are no findings".into();
    }
    let mut out = String::from("the findings are:");
    for f in findings {
        let what = match (&f.suggested_code, &f.change) {
            (Some(s), _) => format!("suggest {s}"),
            (None, Some(c)) => match &c.modifier {
                Some(m) => format!("modify {} {m}", c.op.as_str()),
                None => format!("modify {}", c.op.as_str()),
            },
            _ => f.action.as_str().to_string(),
        };
        let line = f
            .lines
            .first()
            .map(|l| format!(" on line {l}"))
            .unwrap_or_default();
        let code = f
            .code
            .as_ref()
            .map(|c| format!(" ({c})"))
            .unwrap_or_default();
        out.push_str(&format!("\n  {what}{line}{code} from `{}`", f.rule));
        let same: Vec<String> = agreements_of(f, agreed)
            .map(|a| format!("`{}`", a.rule))
            .collect();
        if !same.is_empty() {
            out.push_str(&format!(", same reason as {}", same.join(", ")));
        }
    }
    out
}
