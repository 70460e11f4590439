//! Messages filled in: each placeholder replaced by what the finding is about, the whole cut at
//! its limit.

use super::*;

/// Cuts a filled message to [`MAX_FILLED_MESSAGE_CHARS`], ending it with `…`, so that no
/// placeholder's value makes every finding of a batch large.
pub(super) fn cap_message(mut message: String) -> String {
    // Bytes bound characters from above: most messages need no count.
    if message.len() <= MAX_FILLED_MESSAGE_CHARS {
        return message;
    }
    if let Some((cut, _)) = message.char_indices().nth(MAX_FILLED_MESSAGE_CHARS) {
        message.truncate(cut);
        message.push('…');
    }
    message
}

impl<'p, 'c> Run<'p, 'c> {
    fn patient_age(&self) -> Option<u32> {
        self.claim
            .patient
            .as_ref()?
            .age_on(self.claim.service_date.0)
    }

    pub(super) fn render(&self, message: &Message, scope: Scope, fill: Fill<'_>) -> String {
        use std::fmt::Write;
        let line = scope.line.map(|i| &self.claim.lines[i]);
        // Room for the text, a short value a placeholder and the edit's rationale (a sentence,
        // where the others are a code or a number), so that the string seldom grows: grown
        // twice over for a PTP denial's rationale, it cost a third of the denial's making.
        let mut out = String::with_capacity(message.len_hint() + fill.rationale.len());
        // Numbers and cells are written in place, not through a string of their own.
        let show = |out: &mut String, value: &dyn std::fmt::Display| {
            let _ = write!(out, "{value}");
        };
        for part in &message.parts {
            match part {
                MessagePart::Text(t) => out.push_str(t),
                MessagePart::Placeholder(p) => match p {
                    Placeholder::Code => out.push_str(line.map_or("", |l| l.code.as_str())),
                    Placeholder::Line => {
                        if let Some(l) = line {
                            whole(&mut out, l.number())
                        }
                    }
                    Placeholder::Units => {
                        if let Some(l) = line {
                            whole(&mut out, l.units)
                        }
                    }
                    Placeholder::Claim => out.push_str(&self.claim.id),
                    Placeholder::Date => show(&mut out, &self.claim.service_date.0),
                    Placeholder::Matched => {
                        out.push_str(fill.matched.as_ref().map_or("", Code::as_str))
                    }
                    Placeholder::With => out.push_str(fill.with.as_ref().map_or("", Code::as_str)),
                    Placeholder::Rationale => out.push_str(fill.rationale),
                    Placeholder::OtherLine => {
                        if let Some(j) = fill.other {
                            whole(&mut out, self.claim.lines[j].number());
                        }
                    }
                    Placeholder::Column(c) => match self.cell(*c, scope) {
                        None => out.push_str("(none)"),
                        Some(Cell::Number(n)) => number(&mut out, *n),
                        Some(cell) => show(&mut out, cell),
                    },
                    Placeholder::Diagnosis => {
                        match scope
                            .diagnosis
                            .or(fill.diagnosis)
                            .and_then(|i| self.claim.diagnoses.get(i))
                        {
                            None => out.push_str("(none)"),
                            Some(d) => out.push_str(&dotted(d.compact())),
                        }
                    }
                    Placeholder::LineAttr(a) => match line.and_then(|l| l.attr(*a)) {
                        None => out.push_str("(none)"),
                        Some(value) => show(&mut out, &value),
                    },
                    Placeholder::HistoryClaim
                    | Placeholder::HistoryLine
                    | Placeholder::HistoryDate
                    | Placeholder::HistoryCode => match self.cited_history_line() {
                        None => out.push_str("(none)"),
                        Some(h) => match p {
                            Placeholder::HistoryClaim => out.push_str(&h.claim),
                            Placeholder::HistoryLine => whole(&mut out, h.line),
                            Placeholder::HistoryDate => show(&mut out, &h.date),
                            _ => out.push_str(h.code.as_str()),
                        },
                    },
                    Placeholder::Age => match self.patient_age() {
                        None => out.push_str("(none)"),
                        Some(age) => show(&mut out, &age),
                    },
                    Placeholder::Sex => out.push_str(
                        self.claim
                            .patient
                            .as_ref()
                            .and_then(|p| p.sex)
                            .map_or("(none)", |s| s.letter()),
                    ),
                    Placeholder::Charge => match line.and_then(|l| l.charge) {
                        None => out.push_str("(none)"),
                        Some(charge) => show(&mut out, &charge),
                    },
                },
            }
        }
        cap_message(out)
    }
}

/// A whole number, as `Display` writes it, without the formatting machinery.
fn whole(out: &mut String, n: u32) {
    out.push_str(itoa::Buffer::new().format(n));
}

/// A table's number, as `Display` writes it (`Cell`'s `Display` is the `f64`'s): a whole
/// number of up to 15 digits by `whole`'s way, any other through `Display`. A MUE is a whole
/// number, and its message is one of the most written.
fn number(out: &mut String, n: f64) {
    use std::fmt::Write;
    // Beyond 15 digits an f64 may not be the integer its digits say; -0 writes its sign.
    if n.fract() == 0.0 && n.abs() < 1e15 && !(n == 0.0 && n.is_sign_negative()) {
        #[expect(clippy::cast_possible_truncation, reason = "a whole number under 1e15")]
        out.push_str(itoa::Buffer::new().format(n as i64));
    } else {
        let _ = write!(out, "{n}");
    }
}

#[cfg(test)]
mod number_tests {
    use super::{number, whole};
    use proptest::prelude::*;

    fn written(n: f64) -> String {
        let mut out = String::new();
        number(&mut out, n);
        out
    }

    #[rstest::rstest]
    #[case(24.0)]
    #[case(0.0)]
    #[case(-0.0)]
    #[case(-3.0)]
    #[case(1.5)]
    #[case(0.1)]
    #[case(999_999_999_999_999.0)]
    #[case(1e15)]
    #[case(1e300)]
    #[case(f64::NAN)]
    #[case(f64::INFINITY)]
    fn a_table_number_is_written_as_display_writes_it(#[case] n: f64) {
        assert_eq!(written(n), n.to_string());
    }

    proptest! {
        #[test]
        fn any_number_is_written_as_display_writes_it(n in any::<f64>(), k in any::<i64>()) {
            prop_assert_eq!(written(n), n.to_string());
            #[expect(clippy::cast_precision_loss, reason = "any f64 a table may hold")]
            let k = k as f64 / 1000.0;
            prop_assert_eq!(written(k.trunc()), k.trunc().to_string());
        }

        #[test]
        fn any_whole_number_is_written_as_display_writes_it(n in any::<u32>()) {
            let mut out = String::new();
            whole(&mut out, n);
            prop_assert_eq!(out, n.to_string());
        }
    }
}
