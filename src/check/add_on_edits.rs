//! `table "…" of add-on code edits`: the Medicare NCCI add-on code edits (AOC) as a code table
//! keyed by add-on code, whose columns are [`ADD_ON_EDIT_COLUMNS`]: `code.add_on_type` and
//! `code.primaries`.
//!
//! CMS gives one row per add-on code and primary code, each with its own dates, while a code
//! table gives one row per code on a date of service. So each add-on code's timeline is split
//! at every date where its edit type or its set of primaries in force changes, and each piece
//! becomes one dated row: `code.primaries` on a date is exactly the primaries CMS lists for it.

use std::collections::BTreeMap;

use super::columns::ADD_ON_EDIT_COLUMNS;
use super::national::NationalKind;
use super::Checker;
use crate::codes::{Code, Date};
use crate::ir::*;
use crate::ncci::{read_add_on_edits, AddOnEdit, Day};
use crate::pack::DataLocation;
use crate::syntax::ast;

const HELP: &str = "a table of add-on code edits reads the CMS AOC file as published (tab- or \
     comma-separated, its title and notices first): a header naming `Add-on Code`, \
     `Primary Code`, `AOC Edit Type`, `AOC Edit Effective Date`, `AOC Edit Deletion Date` (and \
     the codes' own effective and deletion dates), then one row per add-on code and primary \
     code; dates are YYYYMMDD, a deletion date `*` while in force, the primary of a type 2 edit \
     `CCCCC`";

impl<'a> Checker<'a> {
    /// Reads an add-on code edit table: one dated row per add-on code and stretch of dates
    /// over which its type and primaries stay the same.
    pub(super) fn add_on_edit_table(
        &mut self,
        decl: &'a ast::TableDecl,
        location: &DataLocation,
    ) -> Option<Table> {
        let (files, edits) = self.read_national(
            decl,
            location,
            NationalKind {
                name: "add-on code edits",
                usage: "rules read `code.add_on_type` and `code.primaries`",
                help: HELP,
            },
            read_add_on_edits,
        )?;
        let mut table =
            self.national_table(decl, "add-on code edits", &ADD_ON_EDIT_COLUMNS, &files)?;
        for segment in segments(&edits) {
            let window = DateWindow {
                from: (segment.from > 0).then(|| date(segment.from)).flatten(),
                until: (segment.until < Day::MAX)
                    .then(|| date(segment.until))
                    .flatten(),
            };
            let primaries = if segment.primaries.is_empty() {
                Cell::Empty
            } else {
                Cell::Codes(Box::new(segment.primaries))
            };
            table.push_dated_row(
                segment.add_on,
                window,
                [Cell::Number(f64::from(segment.edit_type)), primaries],
                segment.file,
                segment.line,
            );
        }
        Some(table)
    }
}

/// The date of a day of the tables.
fn date(day: Day) -> Option<Date> {
    Date::from_num_days_from_ce_opt(i32::try_from(day).ok()?)
}

/// An add-on code's edit over a stretch of dates: its type and the primaries in force.
#[derive(Debug, Clone, PartialEq)]
struct Segment {
    add_on: Code,
    from: Day,
    until: Day,
    edit_type: u8,
    primaries: CodeSet,
    /// The row cited for the stretch: the first in the files of the rows in force.
    file: u16,
    line: u32,
}

/// Splits each add-on code's rows into stretches of dates with one type and one set of
/// primaries, in order of date; neighbouring stretches that agree are one. A code with `n` rows
/// has at most `2n` boundaries, so at most `2n` stretches.
fn segments(edits: &[AddOnEdit]) -> Vec<Segment> {
    // Per code, its rows' boundaries: (day, opens, row).
    let mut events: Vec<(Code, Day, bool, usize)> = Vec::with_capacity(edits.len() * 2);
    for (i, edit) in edits.iter().enumerate() {
        if edit.from > edit.until {
            continue;
        }
        events.push((edit.add_on, edit.from, true, i));
        if let Some(after) = edit.until.checked_add(1) {
            events.push((edit.add_on, after, false, i));
        }
    }
    events.sort_unstable_by_key(|&(code, day, opens, i)| (code, day, opens, i));
    let mut out: Vec<Segment> = Vec::new();
    for code_events in events.chunk_by(|a, b| a.0 == b.0) {
        let mut primaries: BTreeMap<Code, u32> = BTreeMap::new();
        let mut types = [0u32; 3];
        // The rows in force, by where they were read.
        let mut rows: BTreeMap<(u16, u32), u32> = BTreeMap::new();
        let days: Vec<&[(Code, Day, bool, usize)]> =
            code_events.chunk_by(|a, b| a.1 == b.1).collect();
        for (k, day_events) in days.iter().enumerate() {
            for &(_, _, opens, i) in *day_events {
                let edit = &edits[i];
                let slot = usize::from(edit.edit_type.clamp(1, 3)) - 1;
                let change = |count: &mut u32| {
                    *count = if opens {
                        *count + 1
                    } else {
                        count.saturating_sub(1)
                    }
                };
                change(&mut types[slot]);
                change(rows.entry((edit.file, edit.line)).or_default());
                if let Some(p) = edit.primary {
                    change(primaries.entry(p).or_default());
                }
            }
            primaries.retain(|_, n| *n > 0);
            rows.retain(|_, n| *n > 0);
            let Some(slot) = types.iter().position(|&n| n > 0) else {
                continue;
            };
            let Some(&(file, line)) = rows.keys().next() else {
                continue;
            };
            let from = day_events[0].1;
            let until = days
                .get(k + 1)
                .map_or(Day::MAX, |next| next[0].1.saturating_sub(1));
            let set = CodeSet::new(primaries.keys().copied().collect(), Vec::new());
            let edit_type = slot as u8 + 1;
            match out.last_mut() {
                Some(last)
                    if last.add_on == code_events[0].0
                        && last.until.checked_add(1) == Some(from)
                        && last.edit_type == edit_type
                        && last.primaries == set =>
                {
                    last.until = until;
                }
                _ => out.push(Segment {
                    add_on: code_events[0].0,
                    from,
                    until,
                    edit_type,
                    primaries: set,
                    file,
                    line,
                }),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ncci::{read_add_on_edits, DataFile};

    fn day(s: &str) -> Day {
        crate::ncci::day(Date::parse_from_str(s, "%Y-%m-%d").unwrap())
    }

    fn edit(
        primary: Option<&str>,
        edit_type: u8,
        from: &str,
        until: Option<&str>,
        line: u32,
    ) -> AddOnEdit {
        AddOnEdit {
            add_on: Code::parse("22614").unwrap(),
            primary: primary.map(|p| Code::parse(p).unwrap()),
            edit_type,
            from: day(from),
            until: until.map_or(Day::MAX, day),
            file: 0,
            line,
        }
    }

    fn shown(segments: &[Segment]) -> Vec<(String, String, u8, String, u32)> {
        let show = |d: Day| {
            if d == Day::MAX {
                "*".to_string()
            } else {
                date(d).unwrap().to_string()
            }
        };
        segments
            .iter()
            .map(|s| {
                let codes: Vec<String> =
                    s.primaries.exact.iter().map(ToString::to_string).collect();
                (
                    show(s.from),
                    show(s.until),
                    s.edit_type,
                    codes.join(" "),
                    s.line,
                )
            })
            .collect()
    }

    #[test]
    fn a_primary_added_later_starts_a_stretch_and_agreeing_neighbours_merge() {
        let edits = [
            edit(Some("22600"), 1, "2013-01-01", None, 2),
            edit(Some("22612"), 1, "2013-01-01", Some("2015-12-31"), 3),
            edit(Some("22610"), 1, "2016-01-01", None, 4),
            // The same primary again, from a date it is in force already: no new stretch.
            edit(Some("22600"), 1, "2014-01-01", None, 5),
        ];
        assert_eq!(
            shown(&segments(&edits)),
            vec![
                (
                    "2013-01-01".into(),
                    "2015-12-31".into(),
                    1,
                    "22600 22612".into(),
                    2
                ),
                ("2016-01-01".into(), "*".into(), 1, "22600 22610".into(), 2),
            ]
        );
    }

    #[test]
    fn a_gap_and_a_change_of_type_each_start_a_stretch() {
        let edits = [
            edit(Some("22600"), 1, "2013-01-01", Some("2013-12-31"), 2),
            edit(None, 2, "2015-01-01", Some("2015-12-31"), 3),
            edit(Some("22600"), 3, "2016-01-01", None, 4),
        ];
        assert_eq!(
            shown(&segments(&edits)),
            vec![
                (
                    "2013-01-01".into(),
                    "2013-12-31".into(),
                    1,
                    "22600".into(),
                    2
                ),
                (
                    "2015-01-01".into(),
                    "2015-12-31".into(),
                    2,
                    String::new(),
                    3
                ),
                ("2016-01-01".into(), "*".into(), 3, "22600".into(), 4),
            ]
        );
    }

    #[test]
    fn the_stretches_stay_linear_in_the_rows() {
        // Each of n primaries in force for a year of its own, overlapping the next by half.
        let n = 200u32;
        let base = day("2013-01-01");
        let edits: Vec<AddOnEdit> = (0..n)
            .map(|i| AddOnEdit {
                add_on: Code::parse("22614").unwrap(),
                primary: Code::parse(&format!("{}", 10000 + i)),
                edit_type: 1,
                from: base + i * 180,
                until: base + i * 180 + 364,
                file: 0,
                line: i + 2,
            })
            .collect();
        let found = segments(&edits);
        assert!(found.len() <= 2 * n as usize, "{}", found.len());
        // Read through the table: the first file's rows as CMS lays them out.
        let mut text = String::from("Add-on Code,Primary Code,AOC Edit Type,AOC Edit Effective Date,AOC Edit Deletion Date\n");
        text.push_str("22614,22600,1,20130101,*\n");
        let read = read_add_on_edits(&[DataFile::new("aoc.csv", text.into_bytes())]).unwrap();
        assert_eq!(segments(&read).len(), 1);
    }
}
