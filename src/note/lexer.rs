//! The words of an operative note, as logos reads them.
//!
//! A note is dictation or a template: words (`K-wire` and `C-arm` are one hyphenated word),
//! numbers (`45`, `1.5`), numbers with their unit run on (`45s`, `1.5min`), clock times
//! (`0:45`), punctuation, and line breaks. The lexer only says where each piece is; the
//! scanner decides what a line break means.

use logos::Logos;

/// One piece of note text.
#[derive(Logos, Debug, Clone, Copy, PartialEq, Eq)]
#[logos(skip r"[ \t\r\x0c]+")]
pub enum Piece {
    /// Letters and digits, starting with a letter, with inner hyphens and apostrophes.
    #[regex(r"[A-Za-z][A-Za-z0-9]*(['’][A-Za-z]+)?(-[A-Za-z0-9]+)*")]
    Word,
    #[regex(r"[0-9]+(\.[0-9]+)?")]
    Number,
    /// `45s`, `1.5min`, `2mm`: a number with a word run on.
    #[regex(r"[0-9]+(\.[0-9]+)?[A-Za-z]+")]
    NumberWord,
    /// `0:45`, `1:30`: minutes and seconds.
    #[regex(r"[0-9]{1,3}:[0-5][0-9]")]
    Clock,
    /// `...` or `…`: in a phrase, a gap of a few words.
    #[regex(r"\.\.\.+|…", priority = 3)]
    Ellipsis,
    /// The end of a sentence.
    #[regex(r"[.!?]+")]
    Stop,
    #[token(";")]
    Semicolon,
    #[token(":")]
    Colon,
    #[token(",")]
    Comma,
    #[token("\n")]
    Newline,
    /// Any other character: brackets, slashes, dashes, bullets, letters outside ASCII.
    #[regex(r"[^A-Za-z0-9 \t\r\x0c\n.!?;:,…]")]
    Other,
}

/// The pieces of a text with their byte ranges. A character no rule reads becomes `Other`, so
/// every byte of the text is accounted for and nothing is lost or rejected.
pub fn pieces(text: &str) -> impl Iterator<Item = (Piece, usize, usize)> + '_ {
    let mut lexer = Piece::lexer(text);
    std::iter::from_fn(move || {
        let token = lexer.next()?;
        let span = lexer.span();
        Some((token.unwrap_or(Piece::Other), span.start, span.end))
    })
}

/// A word as the vocabulary compares it: ASCII lowercase, and a plural made singular
/// (`wires` → `wire`, `fixes` → `fix`, `assemblies` → `assembly`). Notes and phrases go
/// through the same function, so whatever it does to a word it does on both sides.
pub fn normalize_into(word: &str, out: &mut String) {
    out.clear();
    if word.is_ascii() {
        out.push_str(word);
        out.make_ascii_lowercase();
    } else {
        out.extend(word.chars().map(|c| match c {
            '’' => '\'',
            c => c.to_ascii_lowercase(),
        }));
    }
    singular(out);
}

fn singular(word: &mut String) {
    let bytes = word.as_bytes();
    let n = bytes.len();
    if n <= 3 || bytes[n - 1] != b's' {
        return;
    }
    if word.ends_with("ies") && n > 4 {
        word.truncate(n - 3);
        word.push('y');
    } else if ["ches", "shes", "xes", "sses", "zes"]
        .iter()
        .any(|end| word.ends_with(end))
    {
        word.truncate(n - 2);
    } else if !["ss", "us", "is", "'s"]
        .iter()
        .any(|end| word.ends_with(end))
    {
        word.truncate(n - 1);
    } else if word.ends_with("'s") {
        word.truncate(n - 2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("K-wires", "k-wire")]
    #[case("Screws", "screw")]
    #[case("fixes", "fix")]
    #[case("was", "was")]
    #[case("radius", "radius")]
    #[case("process", "process")]
    #[case("assemblies", "assembly")]
    #[case("surgeon's", "surgeon")]
    #[case("minutes", "minute")]
    #[case("secs", "sec")]
    fn words_are_compared_singular_and_lowercase(#[case] word: &str, #[case] expected: &str) {
        let mut out = String::new();
        normalize_into(word, &mut out);
        assert_eq!(out, expected);
    }

    #[test]
    fn every_byte_belongs_to_a_piece() {
        let text = "Two K-wires (0.062\") under C-arm; fluoro 45s… time 0:45.\n¡Olé!";
        let kinds: Vec<(Piece, &str)> = pieces(text).map(|(p, s, e)| (p, &text[s..e])).collect();
        assert!(kinds.contains(&(Piece::Word, "K-wires")));
        assert!(kinds.contains(&(Piece::NumberWord, "45s")));
        assert!(kinds.contains(&(Piece::Clock, "0:45")));
        assert!(kinds.contains(&(Piece::Ellipsis, "…")));
        assert!(kinds.contains(&(Piece::Semicolon, ";")));
        let covered: usize = kinds.iter().map(|(_, s)| s.len()).sum();
        let spaces = text.chars().filter(|c| *c == ' ').count();
        assert_eq!(covered + spaces, text.len());
    }
}
