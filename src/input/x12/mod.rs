//! X12 837P professional claims (005010X222A1/A2), read segment by segment.
//!
//! [`X12Claims`] reads an input holding one or more interchanges (`ISA` … `IEA`) and yields
//! one item per claim and date of service. Memory stays flat: one segment is held at a time
//! (at most [`MAX_SEGMENT_BYTES`](crate::input::limits::MAX_SEGMENT_BYTES)), plus the claim
//! being read.
//!
//! # Delimiters
//! Each interchange's delimiters come from its fixed-width, 106-byte ISA segment: the element
//! separator is the byte after `ISA`, the repetition separator ISA11, the component separator
//! ISA16, and the segment terminator the byte after it. Line breaks after a terminator and a
//! UTF-8 byte-order mark before the first ISA are skipped. Some senders declare one
//! component separator and write another: a composite that lacks ISA16's separator but holds
//! `:` or `>` is split at that. An input that does not start with
//! an ISA is one `Unreadable` item: "not an X12 interchange".
//!
//! # Transaction sets
//! Only 837P transaction sets are read: `ST01` = `837` under implementation guide
//! `005010X222…` (ST03, else GS08; an 837 naming no guide at all is read as an 837P). Any other
//! transaction set (837 institutional `X223`, 837 dental `X224`, the retired 4010 `004010X098A1`,
//! 999, 835, 277, …) is one `Unreadable` item at its ST, naming it
//! (``segment 3 `ST`: an 837 institutional claim (`005010X223A2`) is not read: only 837
//! professional claims (005010X222A1) are``), with path `ST03` or `GS08` (where the guide was
//! read) for an 837 and `ST01` for the others; its segments are skipped, silently, up to its SE
//! (or the next GE, IEA, ISA, GS or ST).
//!
//! # Mapping
//! | Claim field | Taken from |
//! |---|---|
//! | `id` | `CLM01` (loop 2300); `@YYYY-MM-DD` added when the claim is split by date |
//! | `place_of_service` | `CLM05-1` (two digits) |
//! | `payer` | `SBR09` of the subscriber (loop 2000B, `HL03` = `22`): `MA`/`MB` `medicare`,
//! `MC` `medicaid`, `CI` `commercial`, `BL` `blue_cross_blue_shield`, `CH` `tricare`, `VA`
//! `veterans_affairs`, `WC` `workers_compensation`, `HM` `hmo`, `16` `medicare_advantage`;
//! others none. SBR segments inside a claim (other payers, loop 2320) are not read. |
//! | `provider.taxonomy` | `PRV03` of the claim's rendering provider (`PRV*PE`, loop 2310B),
//! else of the billing provider (`PRV*BI`, loop 2000A) |
//! | `patient.member_id` | `NM109` of `NM1*IL` (loop 2010BA) |
//! | `patient.birth_date`, `sex`, `relationship` | `DMG02`/`DMG03` and `PAT01` of the patient
//! (2000C, 2010CA) when present, else `DMG02`/`DMG03` of 2010BA and `SBR02` (`x12/parties.rs`) |
//! | `diagnoses` | `HI` composites before the first `LX`: qualifiers `ABK` (principal) and
//! `ABF` (other), ICD-10-CM without a dot. ICD-9-CM (`BK`, `BF`) and other code lists are
//! skipped. |
//! | `lines[].line` | `LX01` (loop 2400) |
//! | `lines[].code`, `modifiers` | `SV101`: `HC:code:mod1:mod2:mod3:mod4` (qualifier `HC` only) |
//! | `lines[].units` | `SV104`, a whole number from 1 to 99,999 (`1.00`;
//! `crate::claim::quantity`), when `SV103` is `UN` (units); 1 when it is `MJ` (minutes) |
//! | `lines[].minutes` | `SV104` when `SV103` is `MJ`: the line is one service of that many
//! minutes, so unit edits do not count minutes |
//! | `lines[].comparison_code` | `SV101-7`, the procedure description, when it states one
//! (`COMPARISON CODE 27762`; `x12/line_attrs.rs`) |
//! | `lines[].charge` | `SV102` |
//! | `lines[].diagnosis_pointers` | `SV107`, into the `HI` diagnoses; unknown when one points at
//! an ICD-9-CM diagnosis, which is not read (`x12/line_attrs.rs`) |
//! | `service_date` | the line's `DTP*472` (`D8` a day, `RD8` a range: its first day), else the
//! claim's `DTP*472` before its first `LX` |
//!
//! `session` is 1, and `procedures` and `documentation` are empty. Other segments (`NM1`,
//! `REF`, `AMT`, `CAS`, `SVD`, …) and other dates (`DTP` qualifiers other than 472) are not
//! read. A claim ends at the next `CLM`, `HL`, `SE`, `GE` or `IEA`.
//!
//! **One claim per date of service**: when a claim's lines carry different dates, each date
//! becomes a claim of its own, in date order, holding that date's lines (with their `LX`
//! numbers), its id `CLM01@YYYY-MM-DD` (`26463774@2006-10-03`).
//!
//! # Errors
//! A claim with a malformed segment is one `Unreadable` item, whatever its dates, with one
//! error per problem: the message names the segment's position in the interchange and its id
//! (``segment 31 `SV1`: `9921` is not a 5-character CPT/HCPCS code``), `path` its reference
//! designator (`SV101-2`, `CLM05-1`, `DTP03`, `LX01`), `line` the input line it starts on. A
//! problem outside any claim (a broken `HL`, an `LX` with no `CLM`) is an item of its own with
//! no id. The claims after a broken one are still read, and an input cut short yields the
//! claims read so far.

mod claim_draft;
mod elements;
mod envelope;
pub(crate) mod line_attrs;
mod p837;
mod parties;
mod segments;

use std::collections::VecDeque;
use std::io::BufRead;

use super::{ClaimInput, InputItem};
use p837::Mapper;
use segments::SegmentReader;

/// Claims of an X12 837P interchange, read segment by segment from `reader`.
pub struct X12Claims<R: BufRead> {
    segments: SegmentReader<R>,
    mapper: Mapper,
    ready: VecDeque<ClaimInput>,
    done: bool,
}

impl<R: BufRead> X12Claims<R> {
    /// Reads from `reader`, which should start with an ISA segment (after an optional
    /// byte-order mark and whitespace).
    pub fn new(reader: R) -> Self {
        X12Claims {
            segments: SegmentReader::new(reader),
            mapper: Mapper::default(),
            ready: VecDeque::new(),
            done: false,
        }
    }
}

impl<R: BufRead> Iterator for X12Claims<R> {
    type Item = InputItem;

    fn next(&mut self) -> Option<InputItem> {
        loop {
            if let Some(claim) = self.ready.pop_front() {
                return Some(InputItem {
                    claim,
                    offset: self.segments.offset(),
                });
            }
            if self.done {
                return None;
            }
            match self.segments.next_event() {
                Some(event) => self.mapper.event(event, &mut self.ready),
                None => {
                    self.mapper.end(&mut self.ready);
                    self.done = true;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claim::{Claim, ClaimError};
    use crate::input::limits::{MAX_CLAIM_LINES, MAX_SEGMENT_BYTES};
    use rstest::rstest;
    use std::io::Cursor;

    /// A 106-byte ISA with these delimiters.
    fn isa(element: char, repetition: char, component: char, terminator: char) -> String {
        let e = element;
        let text = format!(
            "ISA{e}00{e}{:10}{e}00{e}{:10}{e}ZZ{e}{:15}{e}ZZ{e}{:15}{e}131031{e}1147{e}{repetition}{e}00501{e}000000907{e}1{e}T{e}{component}{terminator}",
            "", "", "SENDER", "RECEIVER"
        );
        assert_eq!(text.len(), 106);
        text
    }

    /// The segments before a test's body: ISA is segment 1, the body starts at segment 8.
    const HEAD: [&str; 6] = [
        "GS*HC*S*R*20131031*1147*1*X*005010X222A2",
        "ST*837*0001*005010X222A2",
        "HL*1**20*1",
        "PRV*BI*PXC*203BF0100Y",
        "HL*2*1*22*0",
        "SBR*P*18*******MB",
    ];
    const TAIL: [&str; 3] = ["SE*1*0001", "GE*1*1", "IEA*1*000000907"];

    /// An interchange with the usual delimiters, one segment a line, around `body`.
    fn interchange(body: &[&str]) -> String {
        let mut text = isa('*', '^', ':', '~');
        text.push('\n');
        for s in HEAD.iter().chain(body).chain(&TAIL) {
            text.push_str(s);
            text.push_str("~\n");
        }
        text
    }

    fn read(text: &[u8]) -> Vec<ClaimInput> {
        X12Claims::new(Cursor::new(text))
            .map(|item| item.claim)
            .collect()
    }

    fn claim(item: &ClaimInput) -> &Claim {
        match item {
            ClaimInput::Claim { claim, .. } => claim,
            other => panic!("not a claim: {other:?}"),
        }
    }

    fn unreadable(item: &ClaimInput) -> (Option<&str>, &[ClaimError]) {
        match item {
            ClaimInput::Unreadable { id, errors } => (id.as_deref(), errors),
            other => panic!("not unreadable: {other:?}"),
        }
    }

    const GOOD: [&str; 4] = [
        "CLM*GOOD*40***11:B:1*Y*A*Y*I",
        "LX*1",
        "SV1*HC:99213*40*UN*1",
        "DTP*472*D8*20100401",
    ];

    /// `body` read after a broken claim's segments must still give the good claim last.
    fn one_error(body: &[&str]) -> ClaimError {
        let mut all = body.to_vec();
        all.extend(GOOD);
        let items = read(interchange(&all).as_bytes());
        assert_eq!(items.len(), 2, "{items:?}");
        assert_eq!(claim(&items[1]).id, "GOOD");
        let (_, errors) = unreadable(&items[0]);
        assert_eq!(errors.len(), 1, "{errors:?}");
        errors[0].clone()
    }

    /// 2310B names every line's rendering provider; a line's 2420A names its own; a bad NPI
    /// is an error at its `NM109`.
    #[test]
    fn rendering_providers_of_the_claim_and_of_a_line() {
        let items = read(
            interchange(&[
                "CLM*R1*100***11:B:1*Y*A*Y*I",
                "HI*ABK:M1711",
                "NM1*82*1*DOE*JOHN****XX*1234567893",
                "LX*1",
                "SV1*HC:20610*100*UN*1***1",
                "DTP*472*D8*20240301",
                "LX*2",
                "SV1*HC:20610*100*UN*1***1",
                "DTP*472*D8*20240301",
                "NM1*82*1*ROE*JANE****XX*1245319599",
            ])
            .as_bytes(),
        );
        let c = claim(&items[0]);
        let rendering: Vec<Option<&str>> = c
            .lines
            .iter()
            .map(|l| l.rendering_provider.as_deref())
            .collect();
        assert_eq!(rendering, [Some("1234567893"), Some("1245319599")]);
        let e = one_error(&[
            "CLM*R2*100***11:B:1*Y*A*Y*I",
            "NM1*82*1*DOE*JOHN****XX*1234567890",
            "LX*1",
            "SV1*HC:20610*100*UN*1",
            "DTP*472*D8*20240301",
        ]);
        assert_eq!(e.path.as_deref(), Some("NM109"));
        assert!(
            e.message
                .ends_with("the rendering provider's NPI `1234567890` fails the NPI check: an NPI is ten digits, the last the check digit of the others"),
            "{e:?}"
        );
    }

    #[test]
    fn a_simple_claim() {
        let items = read(
            interchange(&[
                "CLM*A1*100***22:B:1*Y*A*Y*I",
                "HI*ABK:S82241A*ABF:M1711*BF:V7389*BK:0340",
                "PRV*PE*PXC*207X00000X",
                "NM1*82*1*DOE*JOHN",
                "LX*1",
                "SV1*HC:27093:LT:59*100*UN*2.00",
                "DTP*472*D8*20100331",
                "LX*2",
                "SV1*HC:77002*100*MJ*1",
                "DTP*472*RD8*20100331-20100402",
            ])
            .as_bytes(),
        );
        assert_eq!(items.len(), 1);
        let c = claim(&items[0]);
        assert_eq!(c.id, "A1");
        assert_eq!(c.payer.as_deref(), Some("medicare"));
        assert_eq!(c.service_date.0.to_string(), "2010-03-31");
        assert_eq!(c.place_of_service.as_ref().map(|p| &*p.0), Some("22"));
        let taxonomy = c.provider.as_ref().and_then(|p| p.taxonomy.as_deref());
        assert_eq!(taxonomy, Some("207X00000X"));
        let dx: Vec<&str> = c.diagnoses.iter().map(|d| d.compact()).collect();
        assert_eq!(dx, ["S82241A", "M1711"]);
        let lines: Vec<(u32, &str, Vec<&str>, u32, u32)> = c
            .lines
            .iter()
            .map(|l| {
                let mods = l.modifiers.iter().map(|m| m.as_str()).collect();
                (l.number(), l.code.as_str(), mods, l.units, l.session)
            })
            .collect();
        assert_eq!(
            lines,
            [
                (1, "27093", vec!["LT", "59"], 2, 1),
                (2, "77002", vec![], 1, 1)
            ]
        );
        assert!(c.procedures.is_empty() && c.documentation.is_empty());
        match &items[0] {
            ClaimInput::Claim { line, .. } => assert_eq!(*line, 8),
            _ => unreachable!(),
        }
    }

    #[rstest]
    #[case::colon(':')]
    #[case::greater_than('>')]
    fn component_separator_from_isa16(#[case] component: char) {
        let mut text = isa('*', '^', component, '~');
        let c = component;
        for s in HEAD.iter().copied().chain([
            format!("CLM*X*1***11{c}B{c}1*Y*A*Y*I").as_str(),
            "LX*1",
            format!("SV1*HC{c}99213{c}25*40*UN*1").as_str(),
            "DTP*472*D8*20100401",
        ]) {
            text.push_str(s);
            text.push('~');
        }
        for s in TAIL {
            text.push_str(s);
            text.push('~');
        }
        let items = read(text.as_bytes());
        assert_eq!(items.len(), 1, "{items:?}");
        let c = claim(&items[0]);
        assert_eq!(c.lines[0].code.as_str(), "99213");
        assert_eq!(c.lines[0].modifiers[0].as_str(), "25");
        assert_eq!(c.place_of_service.as_ref().map(|p| &*p.0), Some("11"));
    }

    #[test]
    fn other_delimiters_and_no_line_breaks() {
        let text = interchange(&GOOD).replace('*', "|").replace("~\n", "\u{7}");
        let text = text.replacen("\u{7}", "!", 1);
        // The ISA's own terminator was the first; the rest must match it.
        let text = text.replace('\u{7}', "!");
        let items = read(text.as_bytes());
        assert_eq!(items.len(), 1, "{items:?}");
        assert_eq!(claim(&items[0]).id, "GOOD");
    }

    #[test]
    fn a_declared_separator_the_sender_did_not_use() {
        // ISA16 says `:` but the composites use `>` (as some public samples do).
        let items = read(
            interchange(&[
                "CLM*X*1***11>B>1*Y*A*Y*I",
                "LX*1",
                "SV1*HC>E0570>RR*25*UN*1",
                "DTP*472*D8*20100401",
            ])
            .as_bytes(),
        );
        let c = claim(&items[0]);
        assert_eq!(c.lines[0].code.as_str(), "E0570");
        assert_eq!(c.lines[0].modifiers[0].as_str(), "RR");
    }

    #[test]
    fn lines_on_different_dates_are_claims_of_their_own() {
        let items = read(
            interchange(&[
                "CLM*26463774*100***11:B:1*Y*A*Y*I",
                "LX*1",
                "SV1*HC:99214*40*UN*1",
                "DTP*472*D8*20061010",
                "LX*2",
                "SV1*HC:87070*15*UN*1",
                "DTP*472*D8*20061003",
                "LX*3",
                "SV1*HC:86663*10*UN*1",
                "DTP*472*D8*20061010",
            ])
            .as_bytes(),
        );
        let got: Vec<(&str, String, Vec<u32>)> = items
            .iter()
            .map(claim)
            .map(|c| {
                let lines = c.lines.iter().map(|l| l.number()).collect();
                (c.id.as_str(), c.service_date.0.to_string(), lines)
            })
            .collect();
        assert_eq!(
            got,
            [
                ("26463774@2006-10-03", "2006-10-03".to_string(), vec![2]),
                ("26463774@2006-10-10", "2006-10-10".to_string(), vec![1, 3]),
            ]
        );
    }

    #[test]
    fn the_claim_date_is_the_default_and_ranges_give_their_first_day() {
        let items = read(
            interchange(&[
                "CLM*R*1***11:B:1*Y*A*Y*I",
                "DTP*472*RD8*20040201-20040207",
                "LX*1",
                "SV1*HC:S9500*1*UN*7.00",
                "LX*2",
                "SV1*HC:S5001*1*UN*7",
                "DTP*472*RD8*20040201-20040201",
            ])
            .as_bytes(),
        );
        assert_eq!(items.len(), 1, "{items:?}");
        let c = claim(&items[0]);
        assert_eq!(c.id, "R");
        assert_eq!(c.service_date.0.to_string(), "2004-02-01");
        assert_eq!(c.lines.len(), 2);
        assert_eq!(c.lines[0].units, 7);
    }

    #[test]
    fn payer_and_taxonomy_come_from_before_the_claim() {
        let items = read(
            interchange(&[
                "CLM*A*1***11:B:1*Y*A*Y*I",
                // Another payer (loop 2320): not the claim's.
                "SBR*S*18*******CI",
                "LX*1",
                "SV1*HC:99213*40*UN*1",
                "DTP*472*D8*20100401",
                // Loop 2420A: a line's rendering provider is not the claim's.
                "PRV*PE*PXC*207X00000X",
                "HL*3*1*22*0",
                "SBR*P*18*******ZZ",
                "CLM*B*1***11:B:1*Y*A*Y*I",
                "LX*1",
                "SV1*HC:99213*40*UN*1",
                "DTP*472*D8*20100401",
                "HL*4*1*22*0",
                "SBR*P*18*******16",
                "CLM*C*1***11:B:1*Y*A*Y*I",
                "LX*1",
                "SV1*HC:99213*40*UN*1",
                "DTP*472*D8*20100401",
                "HL*5**20*1",
                "HL*6*5*22*0",
                "SBR*P*18*******MC",
                "CLM*D*1***11:B:1*Y*A*Y*I",
                "LX*1",
                "SV1*HC:99213*40*UN*1",
                "DTP*472*D8*20100401",
            ])
            .as_bytes(),
        );
        let got: Vec<(&str, Option<&str>, Option<&str>)> = items
            .iter()
            .map(claim)
            .map(|c| {
                let taxonomy = c.provider.as_ref().and_then(|p| p.taxonomy.as_deref());
                (c.id.as_str(), c.payer.as_deref(), taxonomy)
            })
            .collect();
        assert_eq!(
            got,
            [
                ("A", Some("medicare"), Some("203BF0100Y")),
                ("B", None, Some("203BF0100Y")),
                ("C", Some("medicare_advantage"), Some("203BF0100Y")),
                ("D", Some("medicaid"), None),
            ]
        );
    }

    /// Each broken claim is the body, from segment 8 on (one segment a line, so segment n is
    /// on line n).
    #[rstest]
    #[case::short_code(
        &["CLM*E*1***11:B:1*Y*A*Y*I", "LX*1", "SV1*HC:9921*40*UN*1", "DTP*472*D8*20100401"],
        10, "SV1", "SV101-2", "`9921` is not a 5-character CPT/HCPCS code"
    )]
    #[case::not_hc(
        &["CLM*E*1***11:B:1*Y*A*Y*I", "LX*1", "SV1*IV:99213*40*UN*1", "DTP*472*D8*20100401"],
        10, "SV1", "SV101-1", "`IV` is not `HC`"
    )]
    #[case::modifier(
        &["CLM*E*1***11:B:1*Y*A*Y*I", "LX*1", "SV1*HC:99213::2X5*40*UN*1", "DTP*472*D8*20100401"],
        10, "SV1", "SV101-4", "`2X5` is not a 2-character modifier"
    )]
    #[case::fractional_units(
        &["CLM*E*1***11:B:1*Y*A*Y*I", "LX*1", "SV1*HC:99213*40*UN*1.5", "DTP*472*D8*20100401"],
        10, "SV1", "SV104", "`1.5` is not a whole number of units"
    )]
    #[case::zero_units(
        &["CLM*E*1***11:B:1*Y*A*Y*I", "LX*1", "SV1*HC:99213*40*UN*0", "DTP*472*D8*20100401"],
        10, "SV1", "SV104", "`0` is not a whole number of units"
    )]
    #[case::unit_basis(
        &["CLM*E*1***11:B:1*Y*A*Y*I", "LX*1", "SV1*HC:99213*40*F2*1", "DTP*472*D8*20100401"],
        10, "SV1", "SV103", "`F2` is not a unit basis"
    )]
    #[case::diagnosis(
        &["CLM*E*1***11:B:1*Y*A*Y*I", "HI*ABK:S82241A*ABF:12", "LX*1", "SV1*HC:99213*40*UN*1", "DTP*472*D8*20100401"],
        9, "HI", "HI02-2", "`12` is not an ICD-10-CM code"
    )]
    #[case::date(
        &["CLM*E*1***11:B:1*Y*A*Y*I", "LX*1", "SV1*HC:99213*40*UN*1", "DTP*472*D8*20100231"],
        11, "DTP", "DTP03", "`20100231` is not a date as CCYYMMDD"
    )]
    #[case::range(
        &["CLM*E*1***11:B:1*Y*A*Y*I", "LX*1", "SV1*HC:99213*40*UN*1", "DTP*472*RD8*20100402-20100401"],
        11, "DTP", "DTP03", "is not a date range"
    )]
    #[case::date_format(
        &["CLM*E*1***11:B:1*Y*A*Y*I", "LX*1", "SV1*HC:99213*40*UN*1", "DTP*472*DT*201004011200"],
        11, "DTP", "DTP02", "`DT` is not a date format"
    )]
    #[case::place_of_service(
        &["CLM*E*1***1:B:1*Y*A*Y*I", "LX*1", "SV1*HC:99213*40*UN*1", "DTP*472*D8*20100401"],
        8, "CLM", "CLM05-1", "`1` is not a 2-digit place of service"
    )]
    #[case::line_number(
        &["CLM*E*1***11:B:1*Y*A*Y*I", "LX*A", "SV1*HC:99213*40*UN*1", "DTP*472*D8*20100401"],
        9, "LX", "LX01", "`A` is not a line number"
    )]
    #[case::line_number_zero(
        &["CLM*E*1***11:B:1*Y*A*Y*I", "LX*0", "SV1*HC:99213*40*UN*1", "DTP*472*D8*20100401"],
        9, "LX", "LX01", "`0` is not a line number"
    )]
    #[case::line_number_twice(
        &["CLM*E*1***11:B:1*Y*A*Y*I", "LX*1", "SV1*HC:99213*40*UN*1", "DTP*472*D8*20100401",
          "LX*1", "SV1*HC:99214*40*UN*1", "DTP*472*D8*20100401"],
        12, "LX", "LX01", "line number 1 is used by an earlier line"
    )]
    #[case::sv1_without_lx(
        &["CLM*E*1***11:B:1*Y*A*Y*I", "DTP*472*D8*20100401", "SV1*HC:99213*40*UN*1"],
        10, "SV1", "LX", "without a preceding LX"
    )]
    #[case::lx_without_sv1(
        &["CLM*E*1***11:B:1*Y*A*Y*I", "DTP*472*D8*20100401", "LX*1", "LX*2", "SV1*HC:99213*40*UN*1"],
        10, "LX", "SV1", "a service line without an SV1"
    )]
    #[case::no_lines(
        &["CLM*E*1***11:B:1*Y*A*Y*I", "DTP*472*D8*20100401"],
        8, "CLM", "LX", "a claim without service lines"
    )]
    #[case::no_date(
        &["CLM*E*1***11:B:1*Y*A*Y*I", "LX*1", "SV1*HC:99213*40*UN*1", "DTP*471*D8*20100401"],
        9, "LX", "DTP03", "line 1 has no service date"
    )]
    fn a_broken_segment_breaks_its_claim(
        #[case] body: &[&str],
        #[case] number: u64,
        #[case] id: &str,
        #[case] path: &str,
        #[case] words: &str,
    ) {
        let error = one_error(body);
        let named = format!("segment {number} `{id}`: ");
        assert!(error.message.starts_with(&named), "{}", error.message);
        assert!(error.message.contains(words), "{}", error.message);
        assert_eq!(error.path.as_deref(), Some(path));
        assert_eq!(error.line, Some(number));
    }

    #[test]
    fn every_problem_of_a_claim_is_one_item_with_its_id() {
        let items = read(
            interchange(&[
                "CLM*E*1***11:B:1*Y*A*Y*I",
                "LX*1",
                "SV1*HC:9921:X*40*UN*1.5",
                "DTP*472*D8*20100401",
                "LX*2",
                "SV1*HC:99213*40*UN*1",
                "DTP*472*D8*20100402",
            ])
            .as_bytes(),
        );
        assert_eq!(items.len(), 1, "{items:?}");
        let (id, errors) = unreadable(&items[0]);
        assert_eq!(id, Some("E"));
        let paths: Vec<&str> = errors.iter().filter_map(|e| e.path.as_deref()).collect();
        assert_eq!(paths, ["SV101-2", "SV101-3", "SV104"]);
    }

    #[rstest]
    #[case::empty("", "segment 10: an empty segment id")]
    #[case::lower_case("sv1*HC:99213", "segment 10: `sv1` is not a segment id")]
    #[case::too_long("SVC1*HC:99213", "segment 10: `SVC1` is not a segment id")]
    fn a_bad_segment_id(#[case] segment: &str, #[case] message: &str) {
        let error = one_error(&[
            "CLM*E*1***11:B:1*Y*A*Y*I",
            "LX*1",
            segment,
            "SV1*HC:99213*40*UN*1",
            "DTP*472*D8*20100401",
        ]);
        assert!(error.message.starts_with(message), "{}", error.message);
        assert_eq!(error.path, None);
        assert_eq!(error.line, Some(10));
    }

    #[test]
    fn a_segment_over_the_limit_is_skipped_and_reported() {
        let long = format!("NTE*ADD*{}", "x".repeat(MAX_SEGMENT_BYTES));
        let error = one_error(&[
            "CLM*E*1***11:B:1*Y*A*Y*I",
            &long,
            "LX*1",
            "SV1*HC:99213*40*UN*1",
            "DTP*472*D8*20100401",
        ]);
        assert!(
            error.message.starts_with("segment 9 `NTE`: longer than"),
            "{}",
            error.message
        );
        assert_eq!(error.path.as_deref(), Some("NTE"));
        assert_eq!(error.line, Some(9));
    }

    #[test]
    fn an_overlong_clm_still_begins_a_claim() {
        let long = format!("CLM*{}", "9".repeat(MAX_SEGMENT_BYTES));
        let mut body = GOOD.to_vec();
        body.extend([
            long.as_str(),
            "LX*1",
            "SV1*HC:99213*40*UN*1",
            "DTP*472*D8*20100401",
        ]);
        let items = read(interchange(&body).as_bytes());
        assert_eq!(items.len(), 2, "{items:?}");
        assert_eq!(claim(&items[0]).id, "GOOD");
        let (id, errors) = unreadable(&items[1]);
        assert_eq!(id, None);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0]
            .message
            .starts_with("segment 12 `CLM`: longer than"));
        assert_eq!(errors[0].path.as_deref(), Some("CLM"));
    }

    #[test]
    fn a_new_isa_without_the_last_iea() {
        let first = interchange(&GOOD).replace("IEA*1*000000907~\n", "");
        let second = interchange(&[
            "CLM*NEXT*1***11:B:1*Y*A*Y*I",
            "LX*1",
            "SV1*HC:99213*40*UN*1",
            "DTP*472*D8*20100402",
        ]);
        let items = read(format!("{first}{second}").as_bytes());
        let ids: Vec<&str> = items.iter().map(|i| claim(i).id.as_str()).collect();
        assert_eq!(ids, ["GOOD", "NEXT"]);
        // A broken one is reported, and the rest read with the delimiters in force.
        let broken = second.replacen("ISA*00*", "ISA*0*", 1);
        let items = read(format!("{first}{broken}").as_bytes());
        assert_eq!(items.len(), 3, "{items:?}");
        let (id, errors) = unreadable(&items[1]);
        assert_eq!(id, None);
        assert!(
            errors[0]
                .message
                .starts_with("segment 14 `ISA`: a new interchange whose ISA cannot be read"),
            "{errors:?}"
        );
        assert_eq!(claim(&items[2]).id, "NEXT");
    }

    /// A reader that fails after some bytes.
    struct Failing<'a>(&'a [u8]);

    impl std::io::Read for Failing<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.0.is_empty() {
                return Err(std::io::Error::other("the disk is gone"));
            }
            let n = buf.len().min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn a_read_error_ends_the_input_after_the_claims_read() {
        let text = interchange(&GOOD);
        let cut = text.find("SE*").unwrap_or(0);
        let reader = std::io::BufReader::new(Failing(&text.as_bytes()[..cut]));
        let items: Vec<ClaimInput> = X12Claims::new(reader).map(|i| i.claim).collect();
        assert_eq!(items.len(), 2, "{items:?}");
        assert_eq!(claim(&items[0]).id, "GOOD");
        let (_, errors) = unreadable(&items[1]);
        assert!(errors[0].message.contains("the disk is gone"));
    }

    #[test]
    fn too_many_lines() {
        let mut body = vec!["CLM*E*1***11:B:1*Y*A*Y*I".to_string()];
        for n in 1..=MAX_CLAIM_LINES + 1 {
            body.push(format!("LX*{n}"));
            body.push("SV1*HC:99213*40*UN*1".into());
            body.push("DTP*472*D8*20100401".into());
        }
        let body: Vec<&str> = body.iter().map(String::as_str).collect();
        let error = one_error(&body);
        let number = 8 + 1 + 3 * MAX_CLAIM_LINES as u64;
        let named = format!("segment {number} `LX`: more than {MAX_CLAIM_LINES} service lines");
        assert!(error.message.starts_with(&named), "{}", error.message);
    }

    #[test]
    fn errors_per_claim_are_bounded() {
        let mut body = vec!["CLM*E*1***11:B:1*Y*A*Y*I".to_string()];
        for n in 1..=50 {
            body.push(format!("LX*{n}"));
            body.push("SV1*HC:1*40*UN*1".into());
        }
        let body: Vec<&str> = body.iter().map(String::as_str).collect();
        let items = read(interchange(&body).as_bytes());
        let (_, errors) = unreadable(&items[0]);
        assert_eq!(errors.len(), 21);
        let last = errors.last().map(|e| e.message.as_str()).unwrap_or("");
        assert!(last.contains("and 80 more problems"), "{last}");
    }

    #[rstest]
    #[case::broken_hl(&["HL*3*2*99*0"], "segment 8 `HL`: `99` is not an 837P hierarchical level", Some("HL03"))]
    #[case::lx_outside(&["LX*1"], "segment 8 `LX`: a service line outside any claim", Some("CLM"))]
    #[case::bad_id(&["n m1*x"], "segment 8: `n m1` is not a segment id", None)]
    fn a_problem_outside_any_claim_is_an_item_of_its_own(
        #[case] body: &[&str],
        #[case] message: &str,
        #[case] path: Option<&str>,
    ) {
        let mut all = body.to_vec();
        all.extend(GOOD);
        let items = read(interchange(&all).as_bytes());
        assert_eq!(items.len(), 2, "{items:?}");
        let (id, errors) = unreadable(&items[0]);
        assert_eq!(id, None);
        assert!(errors[0].message.starts_with(message), "{errors:?}");
        assert_eq!(errors[0].path.as_deref(), path);
        assert_eq!(errors[0].line, Some(8));
        assert_eq!(claim(&items[1]).id, "GOOD");
    }

    #[test]
    fn a_byte_order_mark_and_crlf() {
        let text = format!("\u{feff}{}", interchange(&GOOD).replace('\n', "\r\n"));
        let items: Vec<InputItem> = X12Claims::new(Cursor::new(text.as_bytes())).collect();
        assert_eq!(items.len(), 1);
        match &items[0].claim {
            ClaimInput::Claim { claim, line } => {
                assert_eq!(claim.id, "GOOD");
                assert_eq!(*line, 8);
            }
            other => panic!("{other:?}"),
        }
        // The claim ends at SE: everything up to it has been read.
        let se = text.find("SE*").unwrap_or(0) + "SE*1*0001~".len();
        assert_eq!(items[0].offset, se as u64);
    }

    #[test]
    fn two_interchanges_with_their_own_delimiters() {
        let first = interchange(&GOOD);
        let mut second = isa('|', '^', '>', '\n');
        for s in HEAD.iter().copied().chain([
            "CLM|SECOND|1|||11>B>1|Y|A|Y|I",
            "LX|1",
            "SV1|HC>99213>25|40|UN|1",
            "DTP|472|D8|20100401",
            "SE|1|0001",
            "GE|1|1",
            "IEA|1|000000907",
        ]) {
            second.push_str(&s.replace('*', "|"));
            second.push('\n');
        }
        let items = read(format!("{first}\n{second}").as_bytes());
        let ids: Vec<&str> = items.iter().map(|i| claim(i).id.as_str()).collect();
        assert_eq!(ids, ["GOOD", "SECOND"]);
        match &items[1] {
            ClaimInput::Claim { claim, line } => {
                assert_eq!(claim.lines[0].modifiers[0].as_str(), "25");
                // 14 lines of the first, a blank line, then ISA and HEAD.
                assert_eq!(*line, 14 + 1 + 1 + 7);
            }
            _ => unreachable!(),
        }
    }

    #[test]
    fn truncated_input_judges_no_claim_the_cut_may_have_reached() {
        let text = interchange(&[&GOOD[..], &GOOD[..]].concat());
        // Cut before SE: the first claim ended at the second CLM, whole; the second may have
        // lost segments.
        let cut = text.find("SE*").unwrap_or(0);
        let items = read(&text.as_bytes()[..cut]);
        assert_eq!(items.len(), 2, "{items:?}");
        assert_eq!(claim(&items[0]).id, "GOOD");
        let (id, errors) = unreadable(&items[1]);
        assert_eq!(id, Some("GOOD"));
        assert_eq!(
            errors[0].message,
            "the interchange ends without its SE segment: claim `GOOD` of transaction set 0001 may be incomplete"
        );
        assert_eq!(errors[0].path.as_deref(), Some("SE"));
        // Cut after SE, with no claim open: the cut is a result of its own.
        let cut = text.find("GE*").unwrap_or(0);
        let items = read(&text.as_bytes()[..cut]);
        assert_eq!(items.len(), 3, "{items:?}");
        let (id, errors) = unreadable(&items[2]);
        assert_eq!(id, None);
        assert_eq!(
            errors[0].message,
            "the interchange ends without its GE segment: functional group 1 may be incomplete"
        );
        // Cut inside the last segment: that claim's problems, and the cut.
        let cut = text.rfind("D8*2010").unwrap_or(0) + 4;
        let items = read(&text.as_bytes()[..cut]);
        let (id, errors) = unreadable(&items[1]);
        assert_eq!(id, Some("GOOD"));
        assert_eq!(errors[0].path.as_deref(), Some("DTP03"));
        assert_eq!(errors[1].path.as_deref(), Some("SE"));
        // Cut inside the ISA.
        let items = read(&text.as_bytes()[..50]);
        let (_, errors) = unreadable(&items[0]);
        assert!(errors[0].message.starts_with("not an X12 interchange"));
    }

    #[rstest]
    #[case::json(r#"{"id": "A"}"#)]
    #[case::short("ISA*00")]
    #[case::bad_layout(&isa('*', '^', ':', '~').replacen("*00*", "*000*", 1))]
    #[case::letter_separator(&isa('*', '^', ':', '~').replace('*', "A"))]
    #[case::same_delimiters(&isa('*', '^', '*', '~'))]
    fn not_x12_is_one_item(#[case] text: &str) {
        let items = read(format!("{text}\nCLM*X~").as_bytes());
        assert_eq!(items.len(), 1, "{items:?}");
        let (id, errors) = unreadable(&items[0]);
        assert_eq!(id, None);
        assert!(
            errors[0].message.starts_with("not an X12 interchange: "),
            "{}",
            errors[0].message
        );
        assert_eq!(errors[0].line, Some(1));
    }

    #[test]
    fn text_after_the_last_interchange_is_reported() {
        let items = read(format!("{}garbage", interchange(&GOOD)).as_bytes());
        assert_eq!(items.len(), 2);
        let (_, errors) = unreadable(&items[1]);
        assert!(errors[0].message.contains("after the last IEA"));
        assert_eq!(errors[0].line, Some(15));
    }

    #[test]
    fn empty_input_has_no_claims() {
        assert!(read(b"").is_empty());
        assert!(read(b"\xEF\xBB\xBF \r\n").is_empty());
    }

    #[test]
    fn garbage_never_panics() {
        let sample = interchange(&[
            "CLM*A1*100***22:B:1*Y*A*Y*I",
            "HI*ABK:S82241A*ABF:M1711",
            "PRV*PE*PXC*207X00000X",
            "LX*1",
            "SV1*HC:27093:LT:59*100*UN*2.00",
            "DTP*472*D8*20100331",
            "LX*2",
            "SV1*HC:77002*100*MJ*1",
            "DTP*472*RD8*20100331-20100402",
        ])
        .into_bytes();
        let alphabet = b"*:>^~\n\r ISACLMHLXSV1DTP0123456789.-\xEF\xBB\xBF\xFF";
        let mut rng = fastrand::Rng::with_seed(837);
        for _ in 0..3000 {
            let mut text = sample.clone();
            for _ in 0..rng.usize(1..8) {
                let at = rng.usize(..text.len());
                match rng.u8(..4) {
                    0 => text[at] = alphabet[rng.usize(..alphabet.len())],
                    1 => {
                        text.remove(at);
                    }
                    2 => text.insert(at, alphabet[rng.usize(..alphabet.len())]),
                    _ => text.truncate(at),
                }
                if text.is_empty() {
                    break;
                }
            }
            // Small buffers split segments and the ISA at every boundary.
            let reader = std::io::BufReader::with_capacity(rng.usize(1..16), &text[..]);
            for item in X12Claims::new(reader) {
                assert!(item.offset <= text.len() as u64);
            }
        }
        for _ in 0..300 {
            let noise: Vec<u8> = (0..rng.usize(..400)).map(|_| rng.u8(..)).collect();
            let _ = read(&noise).len();
        }
    }

    #[test]
    fn small_buffers_read_the_same() {
        let text = format!("\u{feff}{}", interchange(&GOOD));
        for capacity in 1..12 {
            let reader = std::io::BufReader::with_capacity(capacity, text.as_bytes());
            let items: Vec<InputItem> = X12Claims::new(reader).collect();
            assert_eq!(items.len(), 1, "capacity {capacity}");
            assert_eq!(claim(&items[0].claim).id, "GOOD");
        }
    }
}
