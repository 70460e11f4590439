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
                            show(&mut out, &l.number())
                        }
                    }
                    Placeholder::Units => {
                        if let Some(l) = line {
                            show(&mut out, &l.units)
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
                            show(&mut out, &self.claim.lines[j].number());
                        }
                    }
                    Placeholder::Column(c) => match self.cell(*c, scope) {
                        None => out.push_str("(none)"),
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
                            Placeholder::HistoryLine => show(&mut out, &h.line),
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
