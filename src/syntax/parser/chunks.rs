//! Cutting a policy into items, each parsed on its own, and the guard that refuses an item
//! nested too deep or too long before pest reads it.

use super::*;

/// How deep parentheses may nest in one item, and how many `and`/`or`/`not` it may hold. Far
/// beyond any real policy; they keep a hostile pack from exhausting the stack.
pub const MAX_NESTING: usize = 64;

pub const MAX_OPERATORS: usize = 1000;

/// An item whose conditions nest deeper or run longer than the limits.
pub(in crate::syntax) fn too_complex(chunk: &str, offset: usize) -> Option<TooComplex> {
    let mut depth = 0usize;
    let mut operators = 0usize;
    let mut in_string = false;
    let mut in_comment = false;
    let mut escaped = false;
    let mut word = String::new();
    for (i, c) in chunk.char_indices() {
        if in_comment {
            in_comment = c != '\n';
            continue;
        }
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' | '\n' => in_string = false,
                _ => {}
            }
            continue;
        }
        if c.is_ascii_alphanumeric() || c == '_' {
            word.push(c);
            continue;
        }
        if matches!(word.as_str(), "and" | "or" | "not") {
            operators += 1;
        }
        word.clear();
        match c {
            '#' => in_comment = true,
            '"' => in_string = true,
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth > MAX_NESTING || operators > MAX_OPERATORS {
            let what = if depth > MAX_NESTING {
                format!("parentheses nest more than {MAX_NESTING} deep")
            } else {
                format!("it holds more than {MAX_OPERATORS} `and`, `or` and `not`")
            };
            return Some(TooComplex {
                what,
                span: (offset + i, 1).into(),
            });
        }
    }
    None
}

/// Keywords that start a top-level item when they begin a line.
pub(in crate::syntax) const TOP_LEVEL: &[&str] = &[
    "pack",
    "override",
    "disable",
    "change",
    "rule",
    "fact",
    "derived",
    "codes",
    "diagnoses",
    "term",
    "phrase",
    "cue",
    "abbreviation",
    "table",
];

/// The byte-order mark, U+FEFF. Editors that save "UTF-8 with BOM" put one at the start of a
/// file, where it is skipped, as rustc does; anywhere else it is an error that names it.
pub(in crate::syntax) const BOM: char = '\u{FEFF}';

/// Byte ranges of the file, each starting at a top-level keyword at the start of a line. A
/// byte-order mark at the start of the file is in none of them, so spans stay byte offsets of
/// the whole text.
pub(in crate::syntax) fn chunks(text: &str, keywords: &[&str]) -> Vec<(usize, usize)> {
    let first = if text.starts_with(BOM) {
        BOM.len_utf8()
    } else {
        0
    };
    let mut starts = vec![first];
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        if line_start > 0 && starts_item(line, keywords) {
            starts.push(line_start);
        }
        line_start += line.len();
    }
    let mut ranges = Vec::with_capacity(starts.len());
    for (i, &s) in starts.iter().enumerate() {
        let e = starts.get(i + 1).copied().unwrap_or(text.len());
        ranges.push((s, e));
    }
    ranges
}

pub(super) fn starts_item(line: &str, keywords: &[&str]) -> bool {
    keywords.iter().any(|kw| {
        line.strip_prefix(kw)
            .is_some_and(|rest| rest.starts_with([' ', '\t', '\r', '\n']))
    })
}
