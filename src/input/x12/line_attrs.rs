//! The attributes of a service line ([`LineAttr`](crate::claim::LineAttr)) that an 837P carries
//! beside the SV1's code, modifiers and quantity, read onto the line being built.
//!
//! | attribute | taken from |
//! |---|---|
//! | `comparison_code` | `SV101-7`, the procedure description, when it states one: `COMPARISON
//! CODE 27762`, `COMPARE TO 27762`, `COMPARISON: 27762` |
//! | `charge` | `SV102`, the line's charge (`125.00`) |
//! | `diagnosis_pointers` | `SV107`, up to four pointers into the claim's `HI` diagnoses (`1:2`); unknown when one points at a diagnosis that is not read (ICD-9-CM) |
//!
//! An attribute the segment does not give stays unknown on the line, never a default.

use super::segments::Segment;
use crate::claim::model::{shown, Line};
use crate::claim::quantity::whole_count_of_text;
use crate::claim::{diagnoses_counted, Money};
use crate::codes::Code;

/// The most characters of a procedure description (SV101-7): the 837P implementation guide's
/// maximum length for the element.
pub(crate) const MAX_DESCRIPTION_CHARS: usize = 80;

/// A problem with an attribute of an SV1: the element and component at fault (`SV101-7` is
/// `(1, Some(7))`) and what is wrong. The loop reader names the segment.
#[derive(Debug)]
pub(super) struct AttrProblem {
    pub element: usize,
    pub component: Option<usize>,
    pub what: String,
}

/// The line attributes an SV1 segment gives.
#[derive(Debug, Default)]
pub(super) struct Sv1Attrs {
    comparison_code: Option<Code>,
    charge: Option<Money>,
    diagnosis_pointers: Option<Vec<u32>>,
}

impl Sv1Attrs {
    /// Reads them from `seg`, an SV1 of a claim whose HI diagnoses are `targets` (each one's
    /// position in the claim's diagnoses, `None` when not read); each problem goes to
    /// `problems`.
    pub(super) fn read(
        seg: &Segment,
        targets: &[Option<u32>],
        problems: &mut Vec<AttrProblem>,
    ) -> Sv1Attrs {
        let mut attrs = Sv1Attrs::default();
        let charge = seg.element(2);
        if !charge.is_empty() {
            match Money::parse(charge) {
                Some(m) => attrs.charge = Some(m),
                None => problems.push(AttrProblem {
                    element: 2,
                    component: None,
                    what: format!(
                        "{} is not a charge (an amount such as `125.00`, at most two decimals)",
                        shown(charge)
                    ),
                }),
            }
        }
        if !seg.element(7).is_empty() {
            attrs.diagnosis_pointers = pointers(seg, targets, problems);
        }
        let description = seg.component(1, 7);
        if !description.is_empty() {
            match comparison_code_in(description) {
                Ok(code) => attrs.comparison_code = code,
                Err(what) => problems.push(AttrProblem {
                    element: 1,
                    component: Some(7),
                    what,
                }),
            }
        }
        attrs
    }

    /// Gives them to the line the SV1 reads as.
    pub(super) fn apply(self, line: &mut Line) {
        line.comparison_code = self.comparison_code;
        line.charge = self.charge;
        line.diagnosis_pointers = self.diagnosis_pointers;
    }
}

/// The diagnosis pointers of SV107: up to four positions in the claim's HI diagnoses, from 1,
/// as positions in the claim's `diagnoses`; `None` when one points at a diagnosis not read.
fn pointers(
    seg: &Segment,
    targets: &[Option<u32>],
    problems: &mut Vec<AttrProblem>,
) -> Option<Vec<u32>> {
    let mut out = Vec::new();
    let mut known = true;
    for (m, part) in seg.components(7) {
        if part.is_empty() {
            continue;
        }
        let problem = |what: String| AttrProblem {
            element: 7,
            component: Some(m),
            what,
        };
        if m > 4 {
            problems.push(problem("more than 4 diagnosis pointers".into()));
            return None;
        }
        // Some senders write a pointer as a decimal (`1.00`), as they do SV104.
        let target =
            whole_count_of_text(part).and_then(|p| targets.get((p as usize).checked_sub(1)?));
        match target {
            Some(Some(p)) if out.contains(p) => problems.push(problem(format!(
                "{} points at a diagnosis an earlier pointer of the line points at; point at each diagnosis once",
                shown(part)
            ))),
            Some(Some(p)) => out.push(*p),
            Some(None) => known = false,
            None => problems.push(problem(format!(
                "{} points at no diagnosis: the claim's HI has {}, counted from 1",
                shown(part),
                diagnoses_counted(targets.len())
            ))),
        }
    }
    known.then_some(out)
}

/// The comparison code a procedure description states, if it states one.
///
/// Payers ask for the comparison code of an unlisted procedure in the line's description, in
/// one of three forms, in any case and anywhere in the text: `COMPARISON CODE 27762`,
/// `COMPARE TO 27762` and `COMPARISON: 27762` (a `:`, `-`, `=` or `#` may follow `CODE` or
/// `TO` too). Read whatever the line's code is: which codes are unlisted is the packs' to say.
///
/// - A form followed by words without a digit is prose, not a comparison code ("compare to
///   prior films"): `None`.
/// - A form followed by a number that is not a CPT/HCPCS code (`COMPARISON CODE 2776`), two
///   forms naming different codes, and a description longer than the 80 characters an 837P
///   allows are errors.
pub(crate) fn comparison_code_in(description: &str) -> Result<Option<Code>, String> {
    let length = description.chars().count();
    if length > MAX_DESCRIPTION_CHARS {
        return Err(format!(
            "the procedure description {} is longer than the {MAX_DESCRIPTION_CHARS} characters an 837P allows",
            shown(description)
        ));
    }
    let tokens = tokens(description);
    let mut found: Option<Code> = None;
    let mut i = 0;
    while i < tokens.len() {
        let Some(after) = form_at(&tokens, i) else {
            i += 1;
            continue;
        };
        let Some(Token::Word(candidate)) = tokens.get(after) else {
            i = after;
            continue;
        };
        if !candidate.bytes().any(|b| b.is_ascii_digit()) {
            i = after;
            continue;
        }
        let Some(code) = Code::parse(candidate) else {
            return Err(format!(
                "the procedure description {} gives `{candidate}` as the comparison code, which is not a 5-character CPT/HCPCS code",
                shown(description)
            ));
        };
        match found {
            Some(earlier) if earlier != code => {
                return Err(format!(
                "the procedure description {} gives two comparison codes, `{earlier}` and `{code}`",
                shown(description)
            ))
            }
            _ => found = Some(code),
        }
        i = after + 1;
    }
    Ok(found)
}

/// A word (a run of ASCII letters and digits) or one other character of a description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token<'a> {
    Word(&'a str),
    Mark(char),
}

fn tokens(text: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        if c.is_ascii_alphanumeric() {
            start.get_or_insert(i);
            continue;
        }
        if let Some(s) = start.take() {
            out.push(Token::Word(&text[s..i]));
        }
        if !c.is_whitespace() {
            out.push(Token::Mark(c));
        }
    }
    if let Some(s) = start {
        out.push(Token::Word(&text[s..]));
    }
    out
}

/// Where the code of a comparison-code form starting at token `i` would be, if one starts there.
fn form_at(tokens: &[Token<'_>], i: usize) -> Option<usize> {
    let word = |j: usize, w: &str| matches!(tokens.get(j), Some(Token::Word(t)) if t.eq_ignore_ascii_case(w));
    let mark = |j: usize| matches!(tokens.get(j), Some(Token::Mark(':' | '-' | '=' | '#')));
    if (word(i, "comparison") && word(i + 1, "code")) || (word(i, "compare") && word(i + 1, "to")) {
        return Some(if mark(i + 2) { i + 3 } else { i + 2 });
    }
    if word(i, "comparison") && mark(i + 1) {
        return Some(i + 2);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::comparison_code("PERC FIXATION MEDIAL MALLEOLUS COMPARISON CODE 27762", Some("27762"))]
    #[case::compare_to("compare to 27762", Some("27762"))]
    #[case::comparison_colon("Comparison: 27762", Some("27762"))]
    #[case::code_with_a_colon("COMPARISON CODE: 27762; PINNING", Some("27762"))]
    #[case::compare_to_with_a_dash("COMPARE TO - 27762", Some("27762"))]
    #[case::the_same_code_twice("COMPARISON CODE 27762 (COMPARE TO 27762)", Some("27762"))]
    #[case::letters_in_a_code("comparison code g0260", Some("G0260"))]
    #[case::no_form("Sod Chl 0.9%see NDC#", None)]
    #[case::prose_after_the_form("BILATERAL, COMPARE TO PRIOR FILMS", None)]
    #[case::comparison_without_a_mark("COMPARISON VIEWS 2", None)]
    #[case::a_form_at_the_end("COMPARISON CODE", None)]
    #[case::a_word_that_contains_the_form("NONCOMPARISON CODE 27762", None)]
    fn reads_the_forms_payers_use(#[case] text: &str, #[case] expected: Option<&str>) {
        assert_eq!(
            comparison_code_in(text).unwrap(),
            expected.and_then(Code::parse)
        );
    }

    #[rstest]
    #[case::four_digits(
        "COMPARISON CODE 2776",
        "the procedure description `COMPARISON CODE 2776` gives `2776` as the comparison code, which is not a 5-character CPT/HCPCS code"
    )]
    #[case::two_codes(
        "COMPARISON CODE 27762 COMPARE TO 27766",
        "the procedure description `COMPARISON CODE 27762 COMPARE TO 27766` gives two comparison codes, `27762` and `27766`"
    )]
    #[case::too_long(
        &format!("COMPARISON CODE 27762 {}", "X".repeat(70)),
        "the procedure description `COMPARISON CODE 27762 XXXXXXXXXXXXXXXXXX…` (92 characters) is longer than the 80 characters an 837P allows"
    )]
    fn says_what_is_wrong(#[case] text: &str, #[case] message: &str) {
        assert_eq!(comparison_code_in(text).unwrap_err(), message);
    }

    #[test]
    fn a_huge_description_gives_a_short_error() {
        let text = "COMPARISON CODE 27762 ".repeat(3000);
        let error = comparison_code_in(&text).unwrap_err();
        assert!(error.len() < 200, "{error}");
    }
}
