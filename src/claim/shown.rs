//! How an error message quotes a value of the claim.

/// A value as an error message quotes it: whole when short, else its first characters and its
/// length, so that a claim's error stays short whatever the claim holds.
pub(crate) fn shown(text: &str) -> String {
    const SHOWN: usize = 40;
    match text.char_indices().nth(SHOWN) {
        None => format!("`{text}`"),
        Some((cut, _)) => format!("`{}…` ({} characters)", &text[..cut], text.chars().count()),
    }
}
