//! Ranges in lists of modifiers: both ends two characters, the same
//! first character, and second characters both digits or both letters, the first before the
//! last. `F1-F9` stands for `F1, F2, …, F9`; `LA-LD` for `LA, LB, LC, LD`.

use super::error::ModifierRangeError;
use super::Checker;
use crate::codes::Modifier;
use crate::syntax::ast;

/// Why `lo-hi` is not a range of modifiers, if it is not.
fn range_problem(lo: &str, hi: &str) -> Option<&'static str> {
    let (l, h) = (lo.as_bytes(), hi.as_bytes());
    let two = |b: &[u8]| b.len() == 2 && b.iter().all(u8::is_ascii_alphanumeric);
    if !two(l) || !two(h) {
        return Some("each end of a range is a modifier of two letters or digits");
    }
    let (l, h) = (l.to_ascii_uppercase(), h.to_ascii_uppercase());
    if l[0] != h[0] {
        return Some("both ends must start with the same character");
    }
    let digits = l[1].is_ascii_digit() && h[1].is_ascii_digit();
    let letters = l[1].is_ascii_alphabetic() && h[1].is_ascii_alphabetic();
    if !digits && !letters {
        return Some("the second characters must be both digits or both letters");
    }
    if l[1] >= h[1] {
        return Some("the first end must come before the last");
    }
    None
}

impl<'a> Checker<'a> {
    /// The modifiers of `F1-F9`, in order; `None` (an error recorded) when it is no range.
    pub(super) fn modifier_range(
        &mut self,
        w: &ast::Word,
        lo: &str,
        hi: &str,
    ) -> Option<Vec<Modifier>> {
        if let Some(reason) = range_problem(lo, hi) {
            self.error(ModifierRangeError {
                range: w.text.clone(),
                span: w.span.into(),
                reason: reason.into(),
                help: "a range of modifiers runs over the second character, from the first end \
                       to the last: `F1-F9`, `T1-T9`, `LA-LD`; or list the modifiers, separated \
                       by commas"
                    .into(),
            });
            return None;
        }
        let (first, from, to) = {
            let (l, h) = (lo.as_bytes(), hi.as_bytes());
            (l[0], l[1].to_ascii_uppercase(), h[1].to_ascii_uppercase())
        };
        (from..=to)
            .map(|second| Modifier::parse(std::str::from_utf8(&[first, second]).ok()?))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::range_problem;

    #[test]
    fn ranges() {
        assert_eq!(range_problem("F1", "F9"), None);
        assert_eq!(range_problem("la", "LD"), None);
        assert!(range_problem("F9", "F1").is_some());
        assert!(range_problem("F1", "G9").is_some());
        assert!(range_problem("F1", "FA").is_some());
        assert!(range_problem("F1", "F10").is_some());
        assert!(range_problem("F1", "F1").is_some());
    }
}
