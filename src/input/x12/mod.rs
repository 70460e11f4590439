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
//! # Mapping
//! | Claim field | Taken from |
//! |---|---|
//! | `id` | `CLM01` (loop 2300); `@YYYY-MM-DD` added when the claim is split by date |
//! | `place_of_service` | `CLM05-1` (two digits) |
//! | `payer` | `SBR09` of the subscriber (loop 2000B, `HL03` = `22`): `MA`/`MB` `medicare`, `MC` `medicaid`, `CI` `commercial`, `BL` `blue_cross_blue_shield`, `CH` `tricare`, `VA` `veterans_affairs`, `WC` `workers_compensation`, `HM` `hmo`, `16` `medicare_advantage`; others none. SBR segments inside a claim (other payers, loop 2320) are not read. |
//! | `provider.taxonomy` | `PRV03` of the claim's rendering provider (`PRV*PE`, loop 2310B), else of the billing provider (`PRV*BI`, loop 2000A) |
//! | `diagnoses` | `HI` composites before the first `LX`: qualifiers `ABK` (principal) and `ABF` (other), ICD-10-CM without a dot. ICD-9-CM (`BK`, `BF`) and other code lists are skipped. |
//! | `lines[].line` | `LX01` (loop 2400) |
//! | `lines[].code`, `modifiers` | `SV101`: `HC:code:mod1:mod2:mod3:mod4` (qualifier `HC` only) |
//! | `lines[].units` | `SV104`, a whole number (`1.00`); `SV103` is `UN` (units) or `MJ` (minutes) |
//! | `service_date` | the line's `DTP*472` (`D8` a day, `RD8` a range: its first day), else the claim's `DTP*472` before its first `LX` |
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

mod p837;
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
                    self.mapper.finish(&mut self.ready);
                    self.done = true;
                }
            }
        }
    }
}
