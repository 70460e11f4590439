//! The 837P loops mapped onto the claim model: one [`Mapper`] takes the segments of an input
//! in order and hands out claims as each one ends.

use std::collections::{HashSet, VecDeque};

use super::claim_draft::ClaimDraft;
use super::elements::*;
use super::envelope::Envelope;
use super::parties::Parties;
use super::segments::{Event, Segment};
use crate::claim::model::PlaceOfService;
use crate::claim::ClaimError;
use crate::input::limits::MAX_SEGMENT_BYTES;
use crate::input::ClaimInput;

/// What is read: the message's end when a transaction set is refused.
const WHAT_IS_READ: &str = "only 837 professional claims (005010X222A1) are";

/// Why the transaction set `st` opens is not read, or `None` when it is an 837P. Its
/// implementation guide is ST03, else GS08 of its functional group (`gs_version`). An 837 that
/// names no guide at all is read as an 837P.
fn refusal(st: &Segment, gs_version: &str) -> Option<ClaimError> {
    let code = st.element(1);
    let (version, version_path) = match st.element(3) {
        "" => (gs_version, "GS08"),
        v => (v, "ST03"),
    };
    let shown = if version.is_empty() {
        String::new()
    } else {
        format!(" (`{version}`)")
    };
    let (what, path) = match code {
        "837" if version.is_empty() || version.starts_with("005010X222") => return None,
        "837" if version.starts_with("00401") => {
            let what = format!(
                "an 837 claim of the retired 4010 standard{shown} is not read: HIPAA retired 4010 in 2012, and only 5010 837 professional claims (005010X222A1) are"
            );
            return Some(problem(st, Some(version_path.into()), what));
        }
        "837" if version.contains("X223") => {
            (format!("an 837 institutional claim{shown}"), version_path)
        }
        "837" if version.contains("X224") => (format!("an 837 dental claim{shown}"), version_path),
        "837" => (
            format!("an 837 claim of implementation guide `{version}`"),
            version_path,
        ),
        "999" => (
            format!("a 999 implementation acknowledgment{shown}"),
            "ST01",
        ),
        "835" => (
            format!("an 835 payment and remittance advice{shown}"),
            "ST01",
        ),
        "277" => (format!("a 277 claim status response{shown}"), "ST01"),
        "" => (
            "a transaction set without a code (ST01)".to_string(),
            "ST01",
        ),
        other => (format!("transaction set `{other}`{shown}"), "ST01"),
    };
    Some(problem(
        st,
        Some(path.into()),
        format!("{what} is not read: {WHAT_IS_READ}"),
    ))
}

/// Whether `id` ends a refused transaction set that is being skipped.
fn ends_skipping(id: &str) -> bool {
    matches!(id, "SE" | "GE" | "IEA" | "ISA" | "GS" | "ST")
}

/// Reads the segments of an input in order and hands out the claims they hold.
#[derive(Default)]
pub(crate) struct Mapper {
    /// PRV*BI of the billing provider (loop 2000A): the claims' taxonomy unless one names its
    /// rendering provider's.
    billing_taxonomy: Option<String>,
    /// The billing provider's NPI (loop 2010AA `NM1*85`), or the problem with it: the claims'
    /// provider NPI.
    billing_npi: Option<Result<String, ClaimError>>,
    /// SBR09 of the subscriber (loop 2000B).
    payer: Option<&'static str>,
    /// The subscriber and patient loops (2000B, 2000C) of the claims that follow.
    parties: Parties,
    claim: Option<ClaimDraft>,
    /// GS08 of the functional group being read: the implementation guide of its transaction
    /// sets unless one names its own in ST03.
    gs_version: String,
    /// Inside a transaction set that is not an 837P (already reported): its segments are
    /// skipped up to its SE, or the next GE, IEA, ISA, GS or ST.
    skipping: bool,
    /// The envelopes open, to tell an input cut short at its end.
    envelope: Envelope,
}

impl Mapper {
    /// Takes one event of the segment reader; the claims it ends go to `out`.
    pub(crate) fn event(&mut self, event: Event, out: &mut VecDeque<ClaimInput>) {
        match event {
            Event::Segment(seg) => self.segment(seg, out),
            Event::TooLong(seg) => {
                if !self.takes(&seg) {
                    return;
                }
                let id = seg.id();
                let error = ClaimError {
                    message: format!(
                        "segment {} `{}`: longer than {MAX_SEGMENT_BYTES} bytes",
                        seg.number,
                        if id.is_empty() { "?" } else { id }
                    ),
                    path: is_segment_id(id).then(|| id.to_string()),
                    line: Some(seg.line),
                };
                // Keep the loops in step: a claim or a level still begins here.
                match id {
                    "CLM" => {
                        self.finish(out);
                        let mut claim = self.draft(seg, None);
                        claim.error(error);
                        self.claim = Some(claim);
                    }
                    "HL" | "SE" | "GE" | "IEA" | "ST" | "GS" => {
                        self.finish(out);
                        self.outside_or_claim(error, out);
                    }
                    _ => self.outside_or_claim(error, out),
                }
            }
            Event::BadIsa { segment, why } => {
                self.skipping = false;
                self.gs_version.clear();
                self.finish(out);
                let error = problem(
                    &segment,
                    None,
                    format!("a new interchange whose ISA cannot be read: {why}"),
                );
                self.outside_or_claim(error, out);
            }
            Event::Fatal { line, message } => {
                self.envelope.abandon();
                self.finish(out);
                out.push_back(ClaimInput::unreadable(line, message));
            }
        }
    }

    /// Ends the input. When it ends inside an envelope (its SE, GE or IEA missing), the input
    /// was cut short: the claim being read, which may have lost segments, is an error and not
    /// judged; with no claim open, the cut is an error result of its own. The claims before it
    /// ended at the next CLM or HL, whole, and were judged.
    pub(crate) fn end(&mut self, out: &mut VecDeque<ClaimInput>) {
        let Some(unclosed) = self.envelope.unclosed() else {
            self.finish(out);
            return;
        };
        let cut = |what: String| {
            format!(
                "the interchange ends without its {} segment: {what} may be incomplete",
                unclosed.trailer
            )
        };
        match self.claim.take() {
            Some(mut claim) => {
                let what = match &claim.id {
                    Some(id) => format!("claim `{id}` of {}", unclosed.what),
                    None => format!("the claim of {}", unclosed.what),
                };
                claim.error(ClaimError {
                    message: cut(what),
                    path: Some(unclosed.trailer.to_string()),
                    line: Some(claim.clm.line),
                });
                claim.finish(out);
            }
            None => out.push_back(ClaimInput::Unreadable {
                id: None,
                errors: vec![ClaimError {
                    message: cut(unclosed.what.clone()),
                    path: Some(unclosed.trailer.to_string()),
                    line: Some(unclosed.line),
                }],
            }),
        }
        self.envelope.abandon();
    }

    /// Ends the claim being read, judged as read so far.
    pub(crate) fn finish(&mut self, out: &mut VecDeque<ClaimInput>) {
        if let Some(claim) = self.claim.take() {
            claim.finish(out);
        }
    }

    /// A problem for the claim being read, or a result of its own outside any claim.
    fn outside_or_claim(&mut self, error: ClaimError, out: &mut VecDeque<ClaimInput>) {
        match &mut self.claim {
            Some(claim) => claim.error(error),
            None => out.push_back(ClaimInput::Unreadable {
                id: None,
                errors: vec![error],
            }),
        }
    }

    /// Passes a segment to the envelope, and says whether the mapper takes it: not while it
    /// skips a transaction set it does not read, until a segment that ends the skipping.
    fn takes(&mut self, seg: &Segment) -> bool {
        self.envelope.segment(seg);
        if self.skipping {
            if !ends_skipping(seg.id()) {
                return false;
            }
            self.skipping = false;
        }
        true
    }

    fn segment(&mut self, seg: Segment, out: &mut VecDeque<ClaimInput>) {
        if !self.takes(&seg) {
            return;
        }
        let id = seg.id();
        if !is_segment_id(id) {
            let what = if id.is_empty() {
                "an empty segment id".to_string()
            } else {
                format!("`{id}` is not a segment id (2 or 3 upper-case letters or digits)")
            };
            let error = ClaimError {
                message: format!("segment {}: {what}", seg.number),
                path: None,
                line: Some(seg.line),
            };
            self.outside_or_claim(error, out);
            return;
        }
        match id {
            "ISA" | "GS" | "ST" => {
                self.finish(out);
                self.billing_taxonomy = None;
                self.billing_npi = None;
                self.payer = None;
                self.parties.subscriber_level();
                match id {
                    "ISA" => self.gs_version.clear(),
                    "GS" => self.gs_version = seg.element(8).to_string(),
                    _ => {
                        if let Some(error) = refusal(&seg, &self.gs_version) {
                            // One result for the whole transaction set; its segments are
                            // not read.
                            self.skipping = true;
                            out.push_back(ClaimInput::Unreadable {
                                id: None,
                                errors: vec![error],
                            });
                        }
                    }
                }
            }
            "SE" => self.finish(out),
            "GE" | "IEA" => {
                self.finish(out);
                self.gs_version.clear();
            }
            "HL" => {
                self.finish(out);
                match seg.element(3) {
                    "20" => {
                        self.billing_taxonomy = None;
                        self.billing_npi = None;
                        self.payer = None;
                        self.parties.subscriber_level();
                    }
                    "22" => {
                        self.payer = None;
                        self.parties.subscriber_level();
                    }
                    "23" => self.parties.patient_level(),
                    level => {
                        self.payer = None;
                        self.parties.subscriber_level();
                        let error = problem(
                            &seg,
                            Some(designator(&seg, 3, None)),
                            format!("`{level}` is not an 837P hierarchical level (20, 22 or 23)"),
                        );
                        self.outside_or_claim(error, out);
                    }
                }
            }
            "CLM" => {
                self.finish(out);
                self.claim = Some(self.start_claim(seg));
            }
            _ => match &mut self.claim {
                Some(claim) => claim.segment(&seg),
                None => self.outside(&seg, out),
            },
        }
    }

    /// A segment outside any claim (loops 2000A, 2000B, 2000C and their names).
    fn outside(&mut self, seg: &Segment, out: &mut VecDeque<ClaimInput>) {
        match seg.id() {
            "PRV" if seg.element(1) == "BI" => {
                let taxonomy = seg.element(3);
                self.billing_taxonomy = (!taxonomy.is_empty()).then(|| taxonomy.to_string());
            }
            "SBR" => {
                self.payer = payer_of(seg.element(9));
                self.parties.segment(seg);
            }
            "NM1" if seg.element(1) == "85" => {
                self.billing_npi = super::parties::npi_of(seg).transpose();
                self.parties.segment(seg);
            }
            "PAT" | "NM1" | "DMG" => self.parties.segment(seg),
            "LX" | "SV1" => {
                let error = problem(
                    seg,
                    Some("CLM".into()),
                    "a service line outside any claim (no CLM before it)",
                );
                self.outside_or_claim(error, out);
            }
            _ => {}
        }
    }

    fn start_claim(&self, seg: Segment) -> ClaimDraft {
        let mut errors = Vec::new();
        let id = seg.element(1);
        let id = if id.is_empty() {
            errors.push(problem(
                &seg,
                Some(designator(&seg, 1, None)),
                "no claim id",
            ));
            None
        } else {
            Some(id.to_string())
        };
        let pos = seg.component(5, 1);
        let place_of_service = if pos.len() == 2 && pos.bytes().all(|b| b.is_ascii_digit()) {
            Some(PlaceOfService(pos.into()))
        } else {
            errors.push(problem(
                &seg,
                Some(designator(&seg, 5, Some(1))),
                format!("`{pos}` is not a 2-digit place of service"),
            ));
            None
        };
        let mut claim = self.draft(seg, id);
        claim.place_of_service = place_of_service;
        for e in errors {
            claim.error(e);
        }
        claim
    }

    /// An empty claim begun by `clm`.
    fn draft(&self, clm: Segment, id: Option<String>) -> ClaimDraft {
        let (patient, mut errors) = self.parties.patient();
        let npi = match &self.billing_npi {
            Some(Ok(npi)) => Some(npi.clone()),
            Some(Err(e)) => {
                errors.push(e.clone());
                None
            }
            None => None,
        };
        let mut claim = ClaimDraft {
            id,
            clm,
            payer: self.payer,
            taxonomy: self.billing_taxonomy.clone(),
            npi,
            rendering_provider: None,
            place_of_service: None,
            diagnoses: Vec::new(),
            pointer_targets: Vec::new(),
            date: None,
            dated: false,
            orphan_sv1: false,
            lines: Vec::new(),
            numbers: HashSet::new(),
            in_lines: false,
            overflow: false,
            errors: Vec::new(),
            more_errors: 0,
            patient,
        };
        for e in errors {
            claim.error(e);
        }
        claim
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claim::quantity::whole_count_of_text;
    use crate::codes::Date;
    use rstest::rstest;

    #[rstest]
    #[case("1", Some(1))]
    #[case("1.00", Some(1))]
    #[case("7", Some(7))]
    #[case("61.00", Some(61))]
    #[case("14.", Some(14))]
    #[case("1.5", None)]
    #[case("0", None)]
    #[case("0.00", None)]
    #[case("-1", None)]
    #[case("+1", None)]
    #[case(".5", None)]
    #[case("", None)]
    #[case("1e3", None)]
    #[case("99999999999", None)]
    #[case("99999", Some(99_999))]
    #[case("100000", None)]
    fn units(#[case] text: &str, #[case] expected: Option<u32>) {
        assert_eq!(whole_count_of_text(text), expected);
    }

    #[rstest]
    #[case("MB", Some("medicare"))]
    #[case("MA", Some("medicare"))]
    #[case("MC", Some("medicaid"))]
    #[case("CI", Some("commercial"))]
    #[case("BL", Some("blue_cross_blue_shield"))]
    #[case("CH", Some("tricare"))]
    #[case("VA", Some("veterans_affairs"))]
    #[case("WC", Some("workers_compensation"))]
    #[case("HM", Some("hmo"))]
    #[case("16", Some("medicare_advantage"))]
    #[case("12", None)]
    #[case("", None)]
    fn payers(#[case] indicator: &str, #[case] expected: Option<&str>) {
        assert_eq!(payer_of(indicator), expected);
    }

    #[rstest]
    #[case("20061003", Some((2006, 10, 3)))]
    #[case("20060230", None)]
    #[case("2006100", None)]
    #[case("2006-10-03", None)]
    fn d8(#[case] text: &str, #[case] expected: Option<(i32, u32, u32)>) {
        let expected = expected.and_then(|(y, m, d)| Date::from_ymd_opt(y, m, d));
        assert_eq!(parse_d8(text), expected);
    }
}
