//! The 837P loops mapped onto the claim model: one [`Mapper`] takes the segments of an input
//! in order and hands out claims as each one ends.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::fmt;

use super::envelope::Envelope;
use super::line_attrs::Sv1Attrs;
use super::segments::{Event, Segment};
use crate::claim::model::{ClaimSource, Line, PlaceOfService, Provider, ServiceDate};
use crate::claim::quantity::{whole_count_of_text, Counted};
use crate::claim::{Claim, ClaimError, NormalizedClaim};
use crate::codes::{Code, Date, Diagnosis, Modifier};
use crate::input::limits::{MAX_CLAIM_LINES, MAX_SEGMENT_BYTES};
use crate::input::ClaimInput;

/// The most problems reported for one claim; more are summed up in one last error.
const MAX_ERRORS: usize = 20;

/// The most diagnoses kept for one claim (the 837P allows 12): bounds a claim's memory.
const MAX_DIAGNOSES: usize = 100;

/// The payer a claim filing indicator (SBR09) names.
pub(crate) fn payer_of(indicator: &str) -> Option<&'static str> {
    Some(match indicator {
        "MA" | "MB" => "medicare",
        "MC" => "medicaid",
        "CI" => "commercial",
        "BL" => "blue_cross_blue_shield",
        "CH" => "tricare",
        "VA" => "veterans_affairs",
        "WC" => "workers_compensation",
        "HM" => "hmo",
        "16" => "medicare_advantage",
        _ => return None,
    })
}

/// Whether `id` can be a segment id: two or three upper-case letters or digits.
fn is_segment_id(id: &str) -> bool {
    (2..=3).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// The reference designator of element `n` of `seg` (`SV104`), or of component `m` of it
/// (`SV101-2`).
fn designator(seg: &Segment, n: usize, m: Option<usize>) -> String {
    match m {
        Some(m) => format!("{}{n:02}-{m}", seg.id()),
        None => format!("{}{n:02}", seg.id()),
    }
}

/// A problem in `seg`, at `path`.
fn problem(seg: &Segment, path: Option<String>, what: impl fmt::Display) -> ClaimError {
    ClaimError {
        message: format!("segment {} `{}`: {what}", seg.number, seg.id()),
        path,
        line: Some(seg.line),
    }
}

/// A date as X12 writes it: `CCYYMMDD`.
fn parse_d8(text: &str) -> Option<Date> {
    if text.len() != 8 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year = text.get(..4)?.parse().ok()?;
    let month = text.get(4..6)?.parse().ok()?;
    let day = text.get(6..)?.parse().ok()?;
    Date::from_ymd_opt(year, month, day)
}

/// A service line being read (loop 2400).
struct LineDraft {
    number: u32,
    /// Where its LX is, for errors that concern the whole line.
    lx: Segment,
    /// The line its SV1 gives (code, modifiers, units, minutes and the line's attributes),
    /// numbered when the claim ends.
    sv1: Option<Line>,
    /// Whether an SV1 was read for it, even a broken one.
    has_sv1: bool,
    date: Option<Date>,
    /// A DTP*472 was read for it, even a broken one.
    dated: bool,
}

/// A claim being read (loop 2300 and its lines).
struct ClaimDraft {
    id: Option<String>,
    clm: Segment,
    payer: Option<&'static str>,
    taxonomy: Option<String>,
    place_of_service: Option<PlaceOfService>,
    diagnoses: Vec<Diagnosis>,
    date: Option<Date>,
    /// A claim-level DTP*472 was read, even a broken one.
    dated: bool,
    /// An SV1 came before any LX.
    orphan_sv1: bool,
    lines: Vec<LineDraft>,
    numbers: HashSet<u32>,
    /// An LX has been read: what follows belongs to lines.
    in_lines: bool,
    /// More lines than [`MAX_CLAIM_LINES`]: the rest are not kept.
    overflow: bool,
    errors: Vec<ClaimError>,
    more_errors: usize,
}

impl ClaimDraft {
    fn error(&mut self, error: ClaimError) {
        if self.errors.len() < MAX_ERRORS {
            self.errors.push(error);
        } else {
            self.more_errors += 1;
        }
    }

    fn segment(&mut self, seg: &Segment) {
        match seg.id() {
            "HI" if !self.in_lines => self.hi(seg),
            "PRV" if !self.in_lines && seg.element(1) == "PE" => {
                let taxonomy = seg.element(3);
                if !taxonomy.is_empty() {
                    self.taxonomy = Some(taxonomy.to_string());
                }
            }
            "DTP" if seg.element(1) == "472" => self.dtp(seg),
            "LX" => self.lx(seg),
            "SV1" => self.sv1(seg),
            _ => {}
        }
    }

    fn hi(&mut self, seg: &Segment) {
        for (n, element) in seg.elements() {
            let mut parts = seg.split_components(element);
            let qualifier = parts.next().map_or("", |(_, q)| q);
            if !matches!(qualifier, "ABK" | "ABF") {
                // ICD-9-CM (BK, BF) and other code lists are not read.
                continue;
            }
            let code = parts.next().map_or("", |(_, c)| c);
            match Diagnosis::parse(code) {
                Some(_) if self.diagnoses.len() >= MAX_DIAGNOSES => {
                    self.error(problem(
                        seg,
                        Some(designator(seg, n, Some(2))),
                        format!("more than {MAX_DIAGNOSES} diagnoses in one claim"),
                    ));
                    return;
                }
                Some(d) => self.diagnoses.push(d),
                None => self.error(problem(
                    seg,
                    Some(designator(seg, n, Some(2))),
                    format!("`{code}` is not an ICD-10-CM code"),
                )),
            }
        }
    }

    fn dtp(&mut self, seg: &Segment) {
        // A broken date is reported once: not again as a line without a date.
        if !self.in_lines {
            self.dated = true;
        } else if let Some(line) = self.lines.last_mut() {
            line.dated = true;
        }
        let format = seg.element(2);
        let value = seg.element(3);
        let date = match format {
            "D8" => parse_d8(value),
            "RD8" => value.split_once('-').and_then(|(from, to)| {
                let (from, to) = (parse_d8(from)?, parse_d8(to)?);
                (from <= to).then_some(from)
            }),
            _ => {
                self.error(problem(
                    seg,
                    Some(designator(seg, 2, None)),
                    format!("`{format}` is not a date format this reader takes (D8 or RD8)"),
                ));
                return;
            }
        };
        let Some(date) = date else {
            let expected = if format == "D8" {
                "a date as CCYYMMDD"
            } else {
                "a date range as CCYYMMDD-CCYYMMDD"
            };
            self.error(problem(
                seg,
                Some(designator(seg, 3, None)),
                format!("`{value}` is not {expected}"),
            ));
            return;
        };
        if !self.in_lines {
            self.date = Some(date);
        } else if let Some(line) = self.lines.last_mut().filter(|_| !self.overflow) {
            line.date = Some(date);
        }
    }

    /// Checks that the last line read has its SV1.
    fn close_line(&mut self) {
        let missing = self
            .lines
            .last()
            .filter(|l| !l.has_sv1)
            .map(|l| problem(&l.lx, Some("SV1".into()), "a service line without an SV1"));
        if let Some(e) = missing {
            self.error(e);
        }
    }

    fn lx(&mut self, seg: &Segment) {
        self.in_lines = true;
        if self.overflow {
            return;
        }
        self.close_line();
        if self.lines.len() >= MAX_CLAIM_LINES {
            self.overflow = true;
            self.error(problem(
                seg,
                Some("LX".into()),
                format!("more than {MAX_CLAIM_LINES} service lines in one claim"),
            ));
            return;
        }
        let text = seg.element(1);
        let number = match text.parse::<u32>() {
            Ok(n) if n >= 1 && text.bytes().all(|b| b.is_ascii_digit()) => n,
            _ => {
                self.error(problem(
                    seg,
                    Some(designator(seg, 1, None)),
                    format!("`{text}` is not a line number (a whole number from 1)"),
                ));
                0
            }
        };
        if number != 0 && !self.numbers.insert(number) {
            self.error(problem(
                seg,
                Some(designator(seg, 1, None)),
                format!("line number {number} is used by an earlier line of the claim"),
            ));
        }
        self.lines.push(LineDraft {
            number,
            lx: seg.clone(),
            sv1: None,
            has_sv1: false,
            date: None,
            dated: false,
        });
    }

    fn sv1(&mut self, seg: &Segment) {
        if self.overflow {
            return;
        }
        let Some(line) = self.lines.last_mut() else {
            self.orphan_sv1 = true;
            self.error(problem(
                seg,
                Some("LX".into()),
                "a service line (SV1) without a preceding LX",
            ));
            return;
        };
        if line.has_sv1 {
            let number = line.number;
            self.error(problem(
                seg,
                Some("SV1".into()),
                format!("a second SV1 for line {number}"),
            ));
            return;
        }
        line.has_sv1 = true;
        let mut errors = Vec::new();
        let mut code = None;
        let mut modifiers = Vec::new();
        for (m, part) in seg.components(1) {
            let path = Some(designator(seg, 1, Some(m)));
            match m {
                1 if part != "HC" => errors.push(problem(
                    seg,
                    path,
                    format!("`{part}` is not `HC`: only CPT/HCPCS procedure codes are read"),
                )),
                2 => match Code::parse(part) {
                    Some(c) => code = Some(c),
                    None => errors.push(problem(
                        seg,
                        path,
                        format!("`{part}` is not a 5-character CPT/HCPCS code"),
                    )),
                },
                3..=6 if !part.is_empty() => match Modifier::parse(part) {
                    Some(md) => modifiers.push(md),
                    None => errors.push(problem(
                        seg,
                        path,
                        format!("`{part}` is not a 2-character modifier"),
                    )),
                },
                _ => {}
            }
        }
        let basis = seg.element(3);
        if !matches!(basis, "UN" | "MJ") {
            errors.push(problem(
                seg,
                Some(designator(seg, 3, None)),
                format!("`{basis}` is not a unit basis this reader takes (UN units or MJ minutes)"),
            ));
        }
        let quantity = seg.element(4);
        let in_minutes = basis == "MJ";
        let amount = whole_count_of_text(quantity);
        if amount.is_none() {
            let counted = if in_minutes {
                Counted::Minutes
            } else {
                Counted::Units
            };
            errors.push(problem(
                seg,
                Some(designator(seg, 4, None)),
                counted.error(quantity),
            ));
        }
        // A line billed in minutes is one service of that many minutes.
        let units = amount.map(|n| if in_minutes { (1, Some(n)) } else { (n, None) });
        let mut attr_problems = Vec::new();
        let attrs = Sv1Attrs::read(seg, &mut attr_problems);
        errors.extend(
            attr_problems
                .into_iter()
                .map(|p| problem(seg, Some(designator(seg, p.element, p.component)), p.what)),
        );
        match (code, units) {
            (Some(code), Some((units, minutes))) if errors.is_empty() => {
                let mut read = Line::new(code).with_units(units);
                read.modifiers = modifiers;
                read.minutes = minutes;
                attrs.apply(&mut read);
                line.sv1 = Some(read);
            }
            (None, _) if errors.is_empty() => errors.push(problem(
                seg,
                Some(designator(seg, 1, Some(2))),
                "no procedure code",
            )),
            _ => {}
        }
        for e in errors {
            self.error(e);
        }
    }

    /// The claim's results: one per date of service, or one `Unreadable` for the whole claim.
    fn finish(mut self, out: &mut VecDeque<ClaimInput>) {
        if !self.overflow {
            self.close_line();
        }
        if self.lines.is_empty() && !self.overflow && !self.orphan_sv1 {
            let e = problem(
                &self.clm,
                Some("LX".into()),
                "a claim without service lines (no LX and SV1)",
            );
            self.error(e);
        }
        let mut by_date: BTreeMap<Date, Vec<Line>> = BTreeMap::new();
        let lines = std::mem::take(&mut self.lines);
        for draft in lines {
            let Some(date) = draft.date.or(self.date) else {
                if draft.dated || self.dated {
                    continue;
                }
                self.error(problem(
                    &draft.lx,
                    Some("DTP03".into()),
                    format!(
                        "line {} has no service date (DTP*472), and neither has its claim",
                        draft.number
                    ),
                ));
                continue;
            };
            if let Some(line) = draft.sv1 {
                by_date
                    .entry(date)
                    .or_default()
                    .push(line.with_number(draft.number));
            }
        }
        if self.errors.is_empty() {
            let split = by_date.len() > 1;
            let mut claims = Vec::with_capacity(by_date.len());
            for (date, lines) in by_date {
                let id = self.id.clone().unwrap_or_default();
                let claim = Claim {
                    id: if split { format!("{id}@{date}") } else { id },
                    payer: self.payer.map(str::to_string),
                    service_date: ServiceDate(date),
                    place_of_service: self.place_of_service.clone(),
                    provider: self.taxonomy.clone().map(|t| Provider {
                        taxonomy: Some(t),
                        owns_equipment: None,
                    }),
                    diagnoses: self.diagnoses.clone(),
                    lines,
                    procedures: Vec::new(),
                    documentation: Default::default(),
                    source: ClaimSource::X12,
                };
                match NormalizedClaim::new(claim) {
                    Ok(claim) => claims.push(claim),
                    Err((_, errors)) => {
                        for mut e in errors {
                            e.line.get_or_insert(self.clm.line);
                            self.error(e);
                        }
                    }
                }
            }
            if self.errors.is_empty() {
                out.extend(claims.into_iter().map(|claim| ClaimInput::Claim {
                    claim: Box::new(claim),
                    line: self.clm.line,
                }));
                return;
            }
        }
        if self.more_errors > 0 {
            self.errors.push(ClaimError {
                message: format!("… and {} more problems in this claim", self.more_errors),
                path: None,
                line: Some(self.clm.line),
            });
        }
        out.push_back(ClaimInput::Unreadable {
            id: self.id,
            errors: self.errors,
        });
    }
}

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
    /// SBR09 of the subscriber (loop 2000B).
    payer: Option<&'static str>,
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
                self.payer = None;
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
                        self.payer = None;
                    }
                    "22" => self.payer = None,
                    "23" => {}
                    level => {
                        self.payer = None;
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
            "SBR" => self.payer = payer_of(seg.element(9)),
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
        ClaimDraft {
            id,
            clm,
            payer: self.payer,
            taxonomy: self.billing_taxonomy.clone(),
            place_of_service: None,
            diagnoses: Vec::new(),
            date: None,
            dated: false,
            orphan_sv1: false,
            lines: Vec::new(),
            numbers: HashSet::new(),
            in_lines: false,
            overflow: false,
            errors: Vec::new(),
            more_errors: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
