//! Help for a misspelt name: the closest name that exists, or a list of those that do. Used
//! wherever a user names something (a fact, a set, a rule, a table, a column, a value).

/// "did you mean `x`?" for the closest of `candidates`, or a line listing what exists.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    kind: &str,
) -> String {
    let candidates: Vec<&str> = candidates.into_iter().collect();
    let lower = name.to_lowercase();
    let best = candidates
        .iter()
        .map(|c| {
            (
                strsim::normalized_damerau_levenshtein(&lower, &c.to_lowercase()),
                *c,
            )
        })
        .filter(|(score, _)| *score >= 0.6)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)));
    match best {
        Some((_, c)) => format!("did you mean `{c}`?"),
        None if candidates.is_empty() => format!("no {kind} is defined yet"),
        None => {
            let mut list: Vec<&str> = candidates;
            list.sort_unstable();
            let shown: Vec<String> = list.iter().take(8).map(|c| format!("`{c}`")).collect();
            let more = if list.len() > 8 { ", …" } else { "" };
            format!("the {kind} must be one of: {}{more}", shown.join(", "))
        }
    }
}
