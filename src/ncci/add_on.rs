//! Reading the Medicare NCCI add-on code edits (AOC), the files CMS publishes each quarter
//! beside the PTP and MUE tables.
//!
//! Each row pairs an add-on code with one of its primary codes: the add-on code and its dates,
//! the primary code and its dates, the AOC edit type and the edit's dates, and notes. The file
//! is tab- or comma-separated (CMS has published both), may open with a preamble (a title, the
//! AMA copyright notice), then a header naming `Add-on Code`, `Add-On Code Effective Date`,
//! `Add-On Code Deletion Date`, `Primary Code`, `Primary Code Effective Date`, `Primary Code
//! Deletion Date`, `AOC Edit Type`, `AOC Edit Effective Date`, `AOC Edit Deletion Date` and
//! `Special Instruction Notes`. Columns are found by their names, never by position.
//!
//! Edit types (CMS, "Medicare NCCI Add-on Code Edits", and the NCCI Policy Manual, chapter 1):
//! `1` the add-on code is paid only with one of the primary codes listed; `2` CMS lists no
//! primary codes (the primary column holds `CCCCC`) and each contractor decides which are
//! eligible; `3` some primary codes are listed, and a contractor may allow others.

use super::{header_name, parse_yyyymmdd, CsvRows, DataFile, Day, RowError, RowErrors};
use crate::codes::Code;

/// One row: an add-on code with one of its primary codes (none for type 2), in force from
/// `from` through `until`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddOnEdit {
    pub add_on: Code,
    /// The primary code; `None` where CMS writes `CCCCC` (type 2: no primary list).
    pub primary: Option<Code>,
    /// The AOC edit type: `1`, `2` or `3`.
    pub edit_type: u8,
    /// The first day the pairing holds: the latest of the edit's, the add-on code's and the
    /// primary code's effective dates.
    pub from: Day,
    /// The last day it holds: the earliest of their deletion dates; `Day::MAX` while in force.
    pub until: Day,
    /// The index of the file among those read.
    pub file: u16,
    /// The 1-based line of the file the row was read from.
    pub line: u32,
}

impl AddOnEdit {
    pub fn in_force_on(&self, day: Day) -> bool {
        self.from <= day && day <= self.until
    }
}

/// What CMS writes in the primary code column of a type 2 edit, which lists no primary.
const NO_PRIMARY: &str = "CCCCC";

/// The columns read, named as CMS names them; a header cell names one when their [`column_key`]s
/// are the same.
const ADD_ON_CODE: &str = "Add-on Code";
const PRIMARY_CODE: &str = "Primary Code";
const EDIT_TYPE: &str = "AOC Edit Type";
const EDIT_EFFECTIVE: &str = "AOC Edit Effective Date";
const EDIT_DELETION: &str = "AOC Edit Deletion Date";
const ADD_ON_EFFECTIVE: &str = "Add-On Code Effective Date";
const ADD_ON_DELETION: &str = "Add-On Code Deletion Date";
const PRIMARY_EFFECTIVE: &str = "Primary Code Effective Date";
const PRIMARY_DELETION: &str = "Primary Code Deletion Date";

/// A column name as compared: its words in upper case, run together, so that `Add-on Code`,
/// `ADD ON CODE` and `Addon Code` are one name.
fn column_key(name: &str) -> String {
    header_name(name).replace(' ', "")
}

/// Where each column is; the code's and the primary's own dates are optional.
struct Columns {
    add_on: usize,
    primary: usize,
    edit_type: usize,
    edit_dates: (usize, usize),
    add_on_dates: (Option<usize>, Option<usize>),
    primary_dates: (Option<usize>, Option<usize>),
}

/// Reads the add-on code edits of one or more files. Every row that does not read is reported
/// with its file and line, and so is a row that gives an add-on code another type than a row of
/// the same code in force on some of the same dates.
pub fn read_add_on_edits(files: &[DataFile]) -> Result<Vec<AddOnEdit>, Vec<RowError>> {
    let mut errors = RowErrors::default();
    let mut edits = Vec::new();
    for (index, file) in files.iter().enumerate() {
        read_file(file, index as u16, &mut errors, &mut edits);
    }
    check_types(files, &edits, &mut errors);
    errors.into_result(edits)
}

fn read_file(file: &DataFile, index: u16, errors: &mut RowErrors, edits: &mut Vec<AddOnEdit>) {
    let mut records = CsvRows::new(file, None);
    let mut columns: Option<Columns> = None;
    while let Some((number, record)) = records.next_row(errors) {
        if record.iter().all(str::is_empty) {
            continue;
        }
        let Some(at) = &columns else {
            // The preamble (title, copyright notice) ends at the row that names the codes.
            let keys: Vec<String> = record.iter().map(column_key).collect();
            let names = |name: &str| keys.contains(&column_key(name));
            if names(ADD_ON_CODE) && names(PRIMARY_CODE) {
                match find_columns(record, &keys) {
                    Ok(found) => columns = Some(found),
                    Err(problem) => {
                        errors.push(&file.path, number, problem);
                        return;
                    }
                }
            }
            continue;
        };
        if let Some(edit) = read_row(file, index, number, record, at, errors) {
            edits.push(edit);
        }
    }
    if columns.is_none() {
        errors.push(
            &file.path,
            0,
            "it holds no add-on code edits: expected the CMS AOC file, a header naming \
             `Add-on Code`, `Primary Code`, `AOC Edit Type`, `AOC Edit Effective Date`, \
             `AOC Edit Deletion Date`, then one row per add-on code and primary code"
                .into(),
        );
    }
}

/// The columns of the header `record`, whose cells' [`column_key`]s are `keys`.
fn find_columns(record: &csv::StringRecord, keys: &[String]) -> Result<Columns, String> {
    let find = |name: &str| keys.iter().position(|k| *k == column_key(name));
    let required = [
        ADD_ON_CODE,
        PRIMARY_CODE,
        EDIT_TYPE,
        EDIT_EFFECTIVE,
        EDIT_DELETION,
    ];
    let missing: Vec<String> = required
        .iter()
        .filter(|name| find(name).is_none())
        .map(|name| format!("`{name}`"))
        .collect();
    match (
        find(ADD_ON_CODE),
        find(PRIMARY_CODE),
        find(EDIT_TYPE),
        find(EDIT_EFFECTIVE),
        find(EDIT_DELETION),
    ) {
        (Some(add_on), Some(primary), Some(edit_type), Some(effective), Some(deletion)) => {
            Ok(Columns {
                add_on,
                primary,
                edit_type,
                edit_dates: (effective, deletion),
                add_on_dates: (find(ADD_ON_EFFECTIVE), find(ADD_ON_DELETION)),
                primary_dates: (find(PRIMARY_EFFECTIVE), find(PRIMARY_DELETION)),
            })
        }
        _ => Err(format!(
            "the header has no column {}; it names {}",
            missing.join(", "),
            super::header_names_shown(record.iter())
        )),
    }
}

fn read_row(
    file: &DataFile,
    index: u16,
    number: u32,
    record: &csv::StringRecord,
    at: &Columns,
    errors: &mut RowErrors,
) -> Option<AddOnEdit> {
    let get = |i: usize| record.get(i).unwrap_or("");
    let mut problems: Vec<String> = Vec::new();
    let add_on = Code::parse(get(at.add_on));
    if add_on.is_none() {
        problems.push(format!(
            "add-on code `{}` is not a CPT/HCPCS code",
            get(at.add_on)
        ));
    }
    // CMS formerly displayed the types as Roman numerals (Type I, II, III), as its AOC page says.
    let edit_type = match get(at.edit_type).to_ascii_uppercase().as_str() {
        "1" | "I" => Some(1),
        "2" | "II" => Some(2),
        "3" | "III" => Some(3),
        _ => {
            let t = get(at.edit_type);
            problems.push(format!("AOC edit type `{t}` is not 1, 2 or 3"));
            None
        }
    };
    let primary_text = get(at.primary);
    let primary = if primary_text.is_empty() || primary_text.eq_ignore_ascii_case(NO_PRIMARY) {
        if matches!(edit_type, Some(1 | 3)) {
            problems.push(format!(
                "a type {} edit names its primary code; `{primary_text}` is none",
                edit_type.unwrap_or_default()
            ));
        }
        None
    } else {
        let code = Code::parse(primary_text);
        if code.is_none() {
            problems.push(format!(
                "primary code `{primary_text}` is not a CPT/HCPCS code (or `{NO_PRIMARY}`)"
            ));
        }
        code
    };
    let (edit_effective, edit_deletion) = at.edit_dates;
    if get(edit_effective).is_empty() {
        problems.push("the AOC edit effective date is empty".into());
    }
    let mut dates = |what: &str, (effective, deletion): (Option<usize>, Option<usize>)| {
        let effective_text = effective.map_or("", get);
        let deletion_text = deletion.map_or("", get);
        let from = match effective_text {
            "" => Some(0),
            t => parse_yyyymmdd(t.as_bytes()).or_else(|| {
                problems.push(format!(
                    "{what} effective date `{t}` is not a date (YYYYMMDD)"
                ));
                None
            }),
        };
        let until = match deletion_text {
            "" | "*" => Some(Day::MAX),
            t => parse_yyyymmdd(t.as_bytes()).or_else(|| {
                problems.push(format!(
                    "{what} deletion date `{t}` is not a date (YYYYMMDD) or `*`"
                ));
                None
            }),
        };
        match (from, until) {
            (Some(from), Some(until)) if until < from => {
                problems.push(format!(
                    "{what} deletion date `{deletion_text}` is before its effective date \
                     `{effective_text}`"
                ));
                None
            }
            (Some(from), Some(until)) => Some((from, until)),
            _ => None,
        }
    };
    let edit = dates("AOC edit", (Some(edit_effective), Some(edit_deletion)));
    let code = dates("add-on code", at.add_on_dates);
    let primary_window = dates("primary code", at.primary_dates);
    if !problems.is_empty() {
        for problem in problems {
            errors.push(&file.path, number, problem);
        }
        return None;
    }
    let (Some(add_on), Some(edit_type), Some(edit), Some(code), Some(primary_window)) =
        (add_on, edit_type, edit, code, primary_window)
    else {
        return None;
    };
    // A type 2 row has no primary, so the primary code's dates (if any) do not bound it.
    let windows = [edit, code, primary_window];
    let windows = if primary.is_some() {
        &windows[..]
    } else {
        &windows[..2]
    };
    Some(AddOnEdit {
        add_on,
        primary,
        edit_type,
        from: windows.iter().map(|w| w.0).max().unwrap_or(0),
        until: windows.iter().map(|w| w.1).min().unwrap_or(Day::MAX),
        file: index,
        line: number,
    })
}

/// Reports each row that gives its add-on code another type than an earlier-starting row of
/// the code whose dates overlap it. Per code, rows are taken in order of their first day; of
/// each type, the row that holds the longest is the one any later row can overlap.
fn check_types(files: &[DataFile], edits: &[AddOnEdit], errors: &mut RowErrors) {
    let mut order: Vec<usize> = (0..edits.len())
        .filter(|&i| edits[i].from <= edits[i].until)
        .collect();
    order.sort_by_key(|&i| (edits[i].add_on, edits[i].from, edits[i].file, edits[i].line));
    for group in order.chunk_by(|&a, &b| edits[a].add_on == edits[b].add_on) {
        // Per type (1, 2, 3): the row read so far that holds the longest.
        let mut longest: [Option<usize>; 3] = [None; 3];
        for &i in group {
            let row = &edits[i];
            let other = longest
                .iter()
                .enumerate()
                .filter(|(t, _)| *t + 1 != usize::from(row.edit_type))
                .filter_map(|(_, j)| *j)
                .find(|&j| edits[j].until >= row.from);
            if let Some(j) = other {
                let prior = &edits[j];
                let path = |file: u16| files.get(usize::from(file)).map_or("", |f| &f.path);
                errors.push(
                    path(row.file),
                    row.line,
                    format!(
                        "`{}` is a type {} add-on code here and type {} on line {} of {}, on \
                         dates both rows are in force; a code has one edit type at a time",
                        row.add_on,
                        row.edit_type,
                        prior.edit_type,
                        prior.line,
                        path(prior.file)
                    ),
                );
            }
            let slot = &mut longest[usize::from(row.edit_type.clamp(1, 3)) - 1];
            if slot.is_none_or(|j| edits[j].until < row.until) {
                *slot = Some(i);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, text: &str) -> DataFile {
        DataFile::new(name, text.as_bytes().to_vec())
    }

    fn d(s: &str) -> Day {
        parse_yyyymmdd(s.as_bytes()).unwrap()
    }

    fn code(s: &str) -> Code {
        Code::parse(s).unwrap()
    }

    const PREAMBLE: &str = "\
Medicare NCCI Add-on Code Edits\r
CPT codes, descriptions and other data only are copyright 2024 American Medical Association. All rights reserved.\r
\r
Add-on Code\tAdd-On Code Effective Date\tAdd-On Code Deletion Date\tPrimary Code\tPrimary Code Effective Date\tPrimary Code Deletion Date\tAOC Edit Type\tAOC Edit Effective Date\tAOC Edit Deletion Date\tSpecial Instruction Notes\r
";

    fn errors_of(text: &str) -> Vec<String> {
        read_add_on_edits(&[file("aoc.txt", text)])
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn reads_the_rows_after_the_preamble_by_their_header() {
        let text = format!(
            "{PREAMBLE}\
27358\t20000101\t*\t27355\t20000101\t*\t1\t20130101\t*\t\r
27358\t20000101\t*\t27356\t20000101\t20191231\t1\t20130101\t*\t\r
"
        );
        let edits = read_add_on_edits(&[file("aoc.txt", &text)]).unwrap();
        assert_eq!(edits.len(), 2);
        assert_eq!(edits[0].add_on, code("27358"));
        assert_eq!(edits[0].primary, Some(code("27355")));
        assert_eq!(edits[0].edit_type, 1);
        // CRLF line ends do not shift the lines findings cite.
        assert_eq!((edits[0].line, edits[1].line), (5, 6));
        assert_eq!((edits[0].from, edits[0].until), (d("20130101"), Day::MAX));
        // The primary's deletion date ends the pairing.
        assert_eq!(edits[1].until, d("20191231"));
        assert!(edits[1].in_force_on(d("20191231")));
        assert!(!edits[1].in_force_on(d("20200101")));
    }

    #[test]
    fn columns_are_found_by_name_in_a_comma_separated_file() {
        // Another order, other capitals and punctuation, no optional columns.
        let text = "AOC EDIT TYPE,primary code,ADDON CODE,aoc edit effective date,AOC edit deletion date\n\
3,22600,22614,20150101,\n";
        let edits = read_add_on_edits(&[file("aoc.csv", text)]).unwrap();
        assert_eq!(edits[0].add_on, code("22614"));
        assert_eq!(edits[0].primary, Some(code("22600")));
        assert_eq!((edits[0].edit_type, edits[0].line), (3, 2));
        assert_eq!(edits[0].until, Day::MAX);
    }

    #[test]
    fn a_type_2_edit_lists_no_primary() {
        let text = format!(
            "{PREAMBLE}\
99999\t20000101\t*\tCCCCC\t\t\t2\t20130101\t*\tContractor decides\r
99998\t20000101\t*\t\t\t\tII\t20130101\t*\t\r
"
        );
        let edits = read_add_on_edits(&[file("aoc.txt", &text)]).unwrap();
        assert_eq!(edits.len(), 2);
        assert!(edits
            .iter()
            .all(|e| e.primary.is_none() && e.edit_type == 2));
    }

    #[test]
    fn every_malformed_row_is_reported_with_its_line() {
        let text = format!(
            "{PREAMBLE}\
2735\t20000101\t*\t27355\t20000101\t*\t1\t20130101\t*\t\r
27358\t20000101\t*\t27355\t20000101\t*\t4\t20130101\t*\t\r
27358\t20000101\t*\t27355\t20000101\t*\t1\t2013-01-01\t*\t\r
27358\t20000101\t*\t27355\t20000101\t*\t1\t20130101\t20121231\t\r
27358\t20000101\t*\tCCCCC\t20000101\t*\t1\t20130101\t*\t\r
27358\t20000101\t*\t2735X5\t20000101\t*\t1\t20130101\t*\t\r
27358\t20000101\t*\t27355\t20000101\t*\t1\t\t*\t\r
"
        );
        assert_eq!(
            errors_of(&text),
            vec![
                "aoc.txt:5: add-on code `2735` is not a CPT/HCPCS code",
                "aoc.txt:6: AOC edit type `4` is not 1, 2 or 3",
                "aoc.txt:7: AOC edit effective date `2013-01-01` is not a date (YYYYMMDD)",
                "aoc.txt:8: AOC edit deletion date `20121231` is before its effective date `20130101`",
                "aoc.txt:9: a type 1 edit names its primary code; `CCCCC` is none",
                "aoc.txt:10: primary code `2735X5` is not a CPT/HCPCS code (or `CCCCC`)",
                "aoc.txt:11: the AOC edit effective date is empty",
            ]
        );
    }

    #[test]
    fn two_types_of_one_code_in_force_at_once_are_an_error() {
        let text = format!(
            "{PREAMBLE}\
22614\t20000101\t*\t22600\t20000101\t*\t1\t20130101\t20141231\t\r
22614\t20000101\t*\t22610\t20000101\t*\t3\t20150101\t*\t\r
22614\t20000101\t*\t22612\t20000101\t*\t1\t20140101\t20161231\t\r
"
        );
        // Type 1 then type 3 one after the other is a change of type, not a clash; the third
        // row's type 1 overlaps the second row's type 3 in 2015 and 2016.
        assert_eq!(
            errors_of(&text),
            vec![
                "aoc.txt:6: `22614` is a type 3 add-on code here and type 1 on line 7 of aoc.txt, on dates both rows are in force; a code has one edit type at a time"
            ]
        );
    }

    #[test]
    fn a_file_without_the_header_or_with_a_short_one_is_refused() {
        let errors = errors_of("hello\tworld\n");
        assert!(errors[0].contains("no add-on code edits"), "{errors:?}");
        let errors = errors_of("Add-on Code\tPrimary Code\tAOC Edit Type\n27358\t27355\t1\n");
        assert_eq!(
            errors,
            vec![
                "aoc.txt:1: the header has no column `AOC Edit Effective Date`, `AOC Edit Deletion Date`; it names `Add-on Code`, `Primary Code`, `AOC Edit Type`"
            ]
        );
    }
}
