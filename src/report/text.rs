//! The `text` format: results as a person reads them.

use std::fmt::Write;

use super::{ClaimResult, Finding};

/// One finding on one line: where, what and why, e.g. `line 2 77002: deny: 77002 is bundled…`.
pub fn finding_line(f: &Finding) -> String {
    let on = match (f.lines.as_slice(), &f.code) {
        ([], _) => "claim".to_string(),
        (lines, Some(code)) => format!("line {} {code}", join(lines)),
        (lines, None) => format!("line {}", join(lines)),
    };
    let extra = match (&f.suggested_code, &f.change) {
        (Some(code), _) => format!(" [suggest {code}]"),
        (_, Some(change)) => {
            let op = change.op.as_str();
            match &change.modifier {
                Some(m) => format!(" [{op} {m}]"),
                None => format!(" [{op}]"),
            }
        }
        _ => String::new(),
    };
    format!("{on}: {}{extra}: {}", f.action.as_str(), f.message)
}

/// Renders one result as a few lines of text, ending with a newline.
pub fn render_text(result: &ClaimResult) -> String {
    let mut out = String::new();
    let id = result
        .claim
        .as_deref()
        .map_or_else(|| "(no id)".into(), printable);
    let _ = writeln!(out, "{id}: {}", result.status.as_str());
    for e in &result.errors {
        let mut place = Vec::new();
        if let Some(line) = e.line {
            place.push(format!("input line {line}"));
        }
        if let Some(path) = &e.path {
            place.push(format!("at {path}"));
        }
        let place = if place.is_empty() {
            String::new()
        } else {
            format!(" ({})", place.join(", "))
        };
        let _ = writeln!(out, "  error{place}: {}", printable(&e.message));
    }
    for f in &result.findings {
        let _ = writeln!(out, "  {}", finding_line(f));
        let _ = writeln!(
            out,
            "      rule {} of pack {} at {}",
            f.rule, f.pack, f.policy
        );
        if let Some(table) = &f.table {
            let _ = writeln!(out, "      decided by {table}");
        }
        if let Some(history) = &f.history {
            let _ = writeln!(out, "      history: {history}");
        }
    }
    if let Some(explain) = &result.explain {
        for m in &explain.minutes {
            let _ = writeln!(
                out,
                "  line {} is billed in minutes: {} minutes, judged as {} unit{}",
                m.line,
                m.minutes,
                m.units,
                if m.units == 1 { "" } else { "s" }
            );
        }
        for n in &explain.from_note {
            let _ = writeln!(
                out,
                "  from the note: {} = {} by \"{}\" at characters {}..{} (phrase at {})",
                n.fact, n.value, n.text, n.span[0], n.span[1], n.policy
            );
        }
        for d in &explain.derived {
            let _ = writeln!(
                out,
                "  derived {} = {} by {} at {} because {}",
                d.fact, d.value, d.rule, d.policy, d.because
            );
        }
        for r in &explain.rules {
            let line = r.line.map(|l| format!(" on line {l}")).unwrap_or_default();
            let verdict = if r.fired {
                // A fired rule has a reason only to say which diagnosis it ran for.
                match &r.reason {
                    Some(reason) => format!("fired: {reason}"),
                    None => "fired".to_string(),
                }
            } else {
                format!(
                    "did not fire: {}",
                    r.reason.as_deref().unwrap_or("its conditions did not hold")
                )
            };
            let _ = writeln!(out, "  rule {}{line} {verdict} ({})", r.rule, r.policy);
        }
        for a in &explain.agreed {
            let _ = writeln!(
                out,
                "  rule {} on line {} agreed with {}: one {} for the same reason ({})",
                a.rule,
                a.line,
                a.kept,
                a.action.as_str(),
                a.policy
            );
        }
    }
    out
}

fn join(lines: &[u32]) -> String {
    lines
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A claim's own text as a terminal may print it: control characters (an escape sequence, a
/// NUL, a line break), which a claim may carry in an id it is refused for, are written as
/// `\u{1b}` rather than acted on.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(
        text.chars()
            .map(|c| {
                if c.is_control() {
                    c.escape_unicode().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}
