//! Common slips recognised by the shape of the text around a syntax error, and said as what the
//! analyst meant: a missing comma, a modifier range where one modifier belongs, a diagnosis
//! asked of a line, `modifiers`.

use crate::syntax::error::KnownMistake;

/// Words after which a comma-separated list of codes, modifiers or diagnoses starts.
const LIST_STARTS: [&str; 6] = ["in", "has", "are", "modifier", "diagnosis", "is"];

/// The slip the text shows where pest stopped at `at`, if it is one we know.
pub(super) fn known_mistake(text: &str, at: usize) -> Option<KnownMistake> {
    let at = at.min(text.len());
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let before = &text[line_start..at];
    let after = &text[at..line_end];
    let found = after.split_whitespace().next().unwrap_or("");
    let words: Vec<&str> = before.split_whitespace().collect();
    line_diagnosis(at, before, after, found, &words)
        .or_else(|| modifier_range(at, before, found, &words))
        .or_else(|| where_without_parentheses(at, after, found, &words))
        .or_else(|| site_bypass(at, before, after, found, &words))
        .or_else(|| modifiers_plural(at, before, after, found))
        .or_else(|| missing_comma(at, before, found, &words))
}

/// `line has diagnosis M17.*`: a line's diagnoses are tested with `line diagnosis is`.
fn line_diagnosis(
    at: usize,
    before: &str,
    after: &str,
    found: &str,
    words: &[&str],
) -> Option<KnownMistake> {
    // Where the parser stops: at `diagnosis`, or after it where `pointers` could follow.
    let (start, list) = if found == "diagnosis" && words.ends_with(&["line", "has"]) {
        let start = at - before.len() + before.rfind("line")?;
        (start, after["diagnosis".len()..].trim())
    } else if words.ends_with(&["line", "has", "diagnosis"]) {
        let start = at - before.len() + before.rfind("line")?;
        (start, after)
    } else {
        return None;
    };
    let list = list.lines().next().unwrap_or("").trim();
    let list = if list.is_empty() { "M17.*" } else { list };
    Some(KnownMistake {
        message: "a line's diagnoses are tested with `line diagnosis is`, not `line has diagnosis`".into(),
        label: "write `line diagnosis is` here".into(),
        span: (start, at + found.len() - start).into(),
        help: format!(
            "test the diagnoses the line points to: `line diagnosis is {list}`, or every diagnosis of the claim: `claim has diagnosis {list}`; `line has diagnosis pointers` says whether the line points to any"
        ),
    })
}

/// `add modifier F1-F9`, a test claim's `line 26010 modifier F1-F9`: a range where modifiers
/// are not listed (a condition's list of modifiers takes ranges, and parses).
fn modifier_range(at: usize, before: &str, found: &str, words: &[&str]) -> Option<KnownMistake> {
    let hi = found.strip_prefix('-')?.trim_end_matches(',');
    let lo = *words.last()?;
    let lo = lo.rsplit(',').next().unwrap_or(lo);
    if lo.is_empty() || before.ends_with(char::is_whitespace) || !words.contains(&"modifier") {
        return None;
    }
    let start = at - lo.len();
    let range = format!("{lo}-{hi}");
    let listed = spelled_out(lo, hi).unwrap_or_else(|| format!("{lo}, …, {hi}"));
    Some(KnownMistake {
        message: format!("a range of modifiers such as `{range}` cannot stand here"),
        label: "a range of modifiers".into(),
        span: (start, range.len()).into(),
        help: format!(
            "ranges are for lists of modifiers in conditions (`line has modifier {range}`); \
             here write each modifier, separated by commas: `{listed}`"
        ),
    })
}

/// `F1`, `F9` → `F1, F2, …, F9`: the same letters, then numbers counting up (at most 20).
fn spelled_out(lo: &str, hi: &str) -> Option<String> {
    let split = |m: &str| {
        let digits = m.find(|c: char| c.is_ascii_digit())?;
        let (prefix, number) = m.split_at(digits);
        Some((
            prefix.to_string(),
            number.parse::<u32>().ok()?,
            number.len(),
        ))
    };
    let (prefix, from, width) = split(lo)?;
    let (prefix_hi, to, _) = split(hi)?;
    if prefix != prefix_hi || from >= to || to - from > 20 {
        return None;
    }
    let all: Vec<String> = (from..=to)
        .map(|n| format!("{prefix}{n:0width$}"))
        .collect();
    Some(all.join(", "))
}

/// `another line of the same code where the other line has modifier LT`: the condition of a
/// `where` goes in parentheses, so that an `and` after it is not read as part of it.
fn where_without_parentheses(
    at: usize,
    after: &str,
    found: &str,
    words: &[&str],
) -> Option<KnownMistake> {
    let rest = after.get("where".len()..)?.trim();
    if found != "where" || rest.starts_with('(') || !words.contains(&"line") {
        return None;
    }
    let rest = if rest.is_empty() { "…" } else { rest };
    Some(KnownMistake {
        message: "the condition after `where` goes in parentheses".into(),
        label: "a `where` without parentheses".into(),
        span: (at, found.len()).into(),
        help: format!("write `where ({rest})`: the parentheses end the test of the other line"),
    })
}

/// `bypass with site modifiers LT, RT`: the clause of site modifiers is worded
/// `bypass with different site modifiers`.
fn site_bypass(
    at: usize,
    before: &str,
    after: &str,
    found: &str,
    words: &[&str],
) -> Option<KnownMistake> {
    let site = |w: &&str| matches!(*w, "site" | "sites" | "different");
    if found != "modifiers" || words.first() != Some(&"bypass") || !words.iter().any(site) {
        return None;
    }
    let start = at - before.len() + before.find("bypass")?;
    let rest = after["modifiers".len()..].trim();
    Some(KnownMistake {
        message: "the clause is `bypass with different site modifiers`".into(),
        label: "write `bypass with different site modifiers` here".into(),
        span: (start, at + found.len() - start).into(),
        help: format!(
            "write `bypass with different site modifiers {rest}`: they bypass an edit when both \
             lines carry one and no listed one is on both"
        ),
    })
}

/// `line 20610 modifiers RT`: the word is `modifier`, however many follow.
fn modifiers_plural(at: usize, before: &str, after: &str, found: &str) -> Option<KnownMistake> {
    if found != "modifiers" {
        return None;
    }
    let rest = after["modifiers".len()..].trim();
    let fixed = format!("{} modifier {rest}", before.trim());
    Some(KnownMistake {
        message: "the word is `modifier`, not `modifiers`".into(),
        label: "write `modifier` here".into(),
        span: (at, found.len()).into(),
        help: format!(
            "write `{}`: `modifier` is followed by one modifier or several separated by commas",
            fixed.trim()
        ),
    })
}

/// `for each line in 27093 27095`: two items of a list with no comma between them.
fn missing_comma(at: usize, before: &str, found: &str, words: &[&str]) -> Option<KnownMistake> {
    let item = |w: &str| {
        !w.is_empty()
            && !w.chars().any(|c| c.is_ascii_lowercase())
            && w.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '*')
    };
    let next = found.trim_end_matches(',');
    let (&previous, earlier) = words.split_last()?;
    if !item(next) || !item(previous) || !before.ends_with(char::is_whitespace) {
        return None;
    }
    let opener = earlier.iter().rev().find(|w| !w.ends_with(','))?;
    if !LIST_STARTS.contains(opener) {
        return None;
    }
    let gap = before.len() - before.trim_end().len();
    Some(KnownMistake {
        message: format!("a comma is missing between `{previous}` and `{next}`"),
        label: "a comma belongs here".into(),
        span: (at - gap, gap).into(),
        help: format!("separate the items of a list with commas: `{previous}, {next}`"),
    })
}
