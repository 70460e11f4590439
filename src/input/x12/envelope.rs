//! The envelopes an X12 input opens and closes (ISA…IEA, GS…GE, ST…SE), so that an input that
//! ends inside one is told apart from one that ends whole.

use super::segments::Segment;

/// The envelopes open at this point of the input, by their control numbers and lines.
#[derive(Debug, Default)]
pub(crate) struct Envelope {
    interchange: Option<Opened>,
    group: Option<Opened>,
    transaction_set: Option<Opened>,
}

#[derive(Debug, Clone)]
struct Opened {
    control: String,
    line: u64,
}

/// The innermost envelope an input left open: its trailer is missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unclosed {
    /// The missing trailer's segment id: `SE`, `GE` or `IEA`.
    pub trailer: &'static str,
    /// The envelope, for people: "transaction set 0001".
    pub what: String,
    /// The line of the segment that opened it.
    pub line: u64,
}

impl Envelope {
    /// Follows one segment: a header opens its envelope, a trailer closes it (and whatever it
    /// holds: a GE with its SE missing is already reported by the segments after it).
    pub(crate) fn segment(&mut self, seg: &Segment) {
        let opened = |n: usize| {
            Some(Opened {
                control: seg.element(n).trim().to_string(),
                line: seg.line,
            })
        };
        match seg.id() {
            "ISA" => {
                *self = Envelope {
                    interchange: opened(13),
                    ..Envelope::default()
                }
            }
            "GS" => {
                self.group = opened(6);
                self.transaction_set = None;
            }
            "ST" => self.transaction_set = opened(2),
            "SE" => self.transaction_set = None,
            "GE" => {
                self.group = None;
                self.transaction_set = None;
            }
            "IEA" => *self = Envelope::default(),
            _ => {}
        }
    }

    /// Forgets every envelope: the input cannot be read on.
    pub(crate) fn abandon(&mut self) {
        *self = Envelope::default();
    }

    /// The innermost envelope still open, if any.
    pub(crate) fn unclosed(&self) -> Option<Unclosed> {
        let (trailer, kind, opened) = if let Some(o) = &self.transaction_set {
            ("SE", "transaction set", o)
        } else if let Some(o) = &self.group {
            ("GE", "functional group", o)
        } else if let Some(o) = &self.interchange {
            ("IEA", "interchange", o)
        } else {
            return None;
        };
        Some(Unclosed {
            trailer,
            what: format!("{kind} {}", opened.control),
            line: opened.line,
        })
    }
}
