//! One claim as the 837P loops fill it: its header, diagnoses, dates and service lines, each
//! checked as it comes, then finished into claims (one per date of service when they differ).

use std::collections::{BTreeMap, HashSet, VecDeque};

use super::elements::*;
use super::line_attrs::Sv1Attrs;
use super::segments::Segment;
use crate::claim::model::{ClaimSource, Line, PlaceOfService, Provider, ServiceDate};
use crate::claim::quantity::{whole_count_of_text, Counted};
use crate::claim::Patient;
use crate::claim::{Claim, ClaimError, NormalizedClaim};
use crate::codes::{Code, Date, Diagnosis, Modifier};
use crate::input::limits::MAX_CLAIM_LINES;
use crate::input::ClaimInput;

/// A service line being read (loop 2400).
pub(super) struct LineDraft {
    pub(super) number: u32,
    /// Where its LX is, for errors that concern the whole line.
    pub(super) lx: Segment,
    /// The line its SV1 gives (code, modifiers, units, minutes and the line's attributes),
    /// numbered when the claim ends.
    pub(super) sv1: Option<Line>,
    /// Whether an SV1 was read for it, even a broken one.
    pub(super) has_sv1: bool,
    pub(super) date: Option<Date>,
    /// A DTP*472 was read for it, even a broken one.
    pub(super) dated: bool,
    /// The NPI of its rendering provider (loop 2420A `NM1*82`), when it names its own.
    pub(super) rendering_provider: Option<String>,
}

/// A claim being read (loop 2300 and its lines).
pub(super) struct ClaimDraft {
    pub(super) id: Option<String>,
    pub(super) clm: Segment,
    pub(super) payer: Option<&'static str>,
    pub(super) taxonomy: Option<String>,
    /// The billing provider's NPI (2010AA).
    pub(super) npi: Option<String>,
    /// The claim's rendering provider's NPI (2310B `NM1*82`): every line's unless it names
    /// its own.
    pub(super) rendering_provider: Option<String>,
    pub(super) place_of_service: Option<PlaceOfService>,
    pub(super) diagnoses: Vec<Diagnosis>,
    /// Each diagnosis of the HI segments in order, as an SV107 pointer counts them: its
    /// 1-based position in `diagnoses`, or `None` when it was not read (an ICD-9-CM code).
    pub(super) pointer_targets: Vec<Option<u32>>,
    pub(super) date: Option<Date>,
    /// A claim-level DTP*472 was read, even a broken one.
    pub(super) dated: bool,
    /// An SV1 came before any LX.
    pub(super) orphan_sv1: bool,
    pub(super) lines: Vec<LineDraft>,
    pub(super) numbers: HashSet<u32>,
    /// An LX has been read: what follows belongs to lines.
    pub(super) in_lines: bool,
    /// More lines than [`MAX_CLAIM_LINES`]: the rest are not kept.
    pub(super) overflow: bool,
    pub(super) errors: Vec<ClaimError>,
    pub(super) more_errors: usize,
    /// The patient the loops before the claim give (2000B, 2000C).
    pub(super) patient: Option<Patient>,
}

impl ClaimDraft {
    pub(super) fn error(&mut self, error: ClaimError) {
        if self.errors.len() < MAX_ERRORS {
            self.errors.push(error);
        } else {
            self.more_errors += 1;
        }
    }

    pub(super) fn segment(&mut self, seg: &Segment) {
        match seg.id() {
            "HI" if !self.in_lines => self.hi(seg),
            "PRV" if !self.in_lines && seg.element(1) == "PE" => {
                let taxonomy = seg.element(3);
                if !taxonomy.is_empty() {
                    self.taxonomy = Some(taxonomy.to_string());
                }
            }
            "DTP" if seg.element(1) == "472" => self.dtp(seg),
            "NM1" if seg.element(1) == "82" => self.rendering(seg),
            "LX" => self.lx(seg),
            "SV1" => self.sv1(seg),
            _ => {}
        }
    }

    /// `NM1*82`: the rendering provider of the claim (2310B, before the lines) or of the line
    /// being read (2420A).
    fn rendering(&mut self, seg: &Segment) {
        match super::parties::npi_of(seg) {
            Ok(None) => {}
            Ok(Some(npi)) => match self.lines.last_mut() {
                Some(line) if self.in_lines => {
                    if !self.overflow {
                        line.rendering_provider = Some(npi);
                    }
                }
                _ => self.rendering_provider = Some(npi),
            },
            Err(e) => self.error(e),
        }
    }

    pub(super) fn hi(&mut self, seg: &Segment) {
        for (n, element) in seg.elements() {
            let mut parts = seg.split_components(element);
            let qualifier = parts.next().map_or("", |(_, q)| q);
            if matches!(qualifier, "BK" | "BF") && self.pointer_targets.len() < MAX_DIAGNOSES {
                // A diagnosis SV107 can point at, but not read.
                self.pointer_targets.push(None);
            }
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
                Some(d) => {
                    self.diagnoses.push(d);
                    if self.pointer_targets.len() < MAX_DIAGNOSES {
                        self.pointer_targets.push(Some(self.diagnoses.len() as u32));
                    }
                }
                None => self.error(problem(
                    seg,
                    Some(designator(seg, n, Some(2))),
                    format!("`{code}` is not an ICD-10-CM code"),
                )),
            }
        }
    }

    pub(super) fn dtp(&mut self, seg: &Segment) {
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
    pub(super) fn close_line(&mut self) {
        let missing = self
            .lines
            .last()
            .filter(|l| !l.has_sv1)
            .map(|l| problem(&l.lx, Some("SV1".into()), "a service line without an SV1"));
        if let Some(e) = missing {
            self.error(e);
        }
    }

    pub(super) fn lx(&mut self, seg: &Segment) {
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
            rendering_provider: None,
        });
    }

    pub(super) fn sv1(&mut self, seg: &Segment) {
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
        let attrs = Sv1Attrs::read(seg, &self.pointer_targets, &mut attr_problems);
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

    /// The claim's provider: its taxonomy and billing NPI, when known.
    fn provider(&self) -> Option<Provider> {
        if self.taxonomy.is_none() && self.npi.is_none() {
            return None;
        }
        Some(Provider {
            taxonomy: self.taxonomy.clone(),
            owns_equipment: None,
            npi: self.npi.clone(),
        })
    }

    /// The claim's results: one per date of service, or one `Unreadable` for the whole claim.
    pub(super) fn finish(mut self, out: &mut VecDeque<ClaimInput>) {
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
            if let Some(mut line) = draft.sv1 {
                line.rendering_provider = draft
                    .rendering_provider
                    .or_else(|| self.rendering_provider.clone());
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
                    provider: self.provider(),
                    patient: self.patient.clone(),
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
                            if e.path.as_deref() == Some("patient.birth_date") {
                                // The birth date is DMG02 of the subscriber or patient loop.
                                e.path = Some("DMG02".into());
                            }
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
