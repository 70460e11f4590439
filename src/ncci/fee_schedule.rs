//! Reading the Medicare Physician Fee Schedule relative value file (PPRRVU), the CSV CMS
//! publishes with each quarterly release of the national physician fee schedule.
//!
//! The file opens with a preamble (the release's title, copyright notices), then a header
//! wrapped over several rows: a column's name is its cells of those rows joined (`PCTC` over
//! `IND`, `CO-` over `SURG`). Then one row per code and modifier: the code alone (the global
//! service), and for codes split into components a row with `26` and one with `TC`. Columns are
//! found by their joined names, never by position, because CMS has added columns over the
//! years. Only the payment policy indicators are read; the relative value units and the CPT
//! descriptors are not (the shipped excerpt leaves the descriptors empty).
//!
//! Field meanings: CMS, "National Physician Fee Schedule Relative Value File" record layout
//! (RVUPUF), and the Medicare Claims Processing Manual, chapter 12.

use super::{header_name, header_names_shown, CsvRows, DataFile, RowError, RowErrors};
use crate::codes::{Code, Date};

/// The payment policy indicators of one code in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeScheduleRow {
    pub code: Code,
    /// The status code: `A` active, `B` bundled, `C` carrier priced, `I` not valid for
    /// Medicare, `N` non-covered, `R` restricted coverage, `T` paid only with no other service,
    /// `X` statutory exclusion, and the others the record layout lists.
    pub status: char,
    /// PC/TC indicator, `0` to `9`; `None` when the cell is empty.
    pub pc_tc: Option<u8>,
    /// Global surgery days: `000`, `010`, `090`, `MMM`, `XXX`, `YYY` or `ZZZ`.
    pub global_days: Option<Box<str>>,
    /// Multiple-procedure indicator (modifier 51), `0` to `9`.
    pub multiple_procedure: Option<u8>,
    /// Bilateral surgery indicator (modifier 50): `0`, `1`, `2`, `3` or `9`.
    pub bilateral: Option<u8>,
    /// Assistant at surgery indicator (80, 81, 82, AS): `0`, `1`, `2` or `9`.
    pub assistant: Option<u8>,
    /// Co-surgeon indicator (62): `0`, `1`, `2` or `9`.
    pub co_surgeons: Option<u8>,
    /// Team surgery indicator (66): `0`, `1`, `2` or `9`.
    pub team_surgery: Option<u8>,
    /// The 1-based line of the file the row was read from.
    pub line: u32,
}

/// The rows of one file, one for each code, with the date the release takes effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeScheduleFile {
    /// The index of the file among those read.
    pub file: u16,
    /// The first day of the release (`PPRRVU24_JAN` is 2024-01-01); `None` when neither the
    /// file's name nor its title says.
    pub effective: Option<Date>,
    /// One row per code: the code's own row (no modifier), or where the file has none, its
    /// first row.
    pub rows: Vec<FeeScheduleRow>,
}

/// The status codes the record layout defines.
const STATUS_CODES: &str = "ABCDEFGHIJMNPRTX";
const GLOBAL_DAYS: [&str; 7] = ["000", "010", "090", "MMM", "XXX", "YYY", "ZZZ"];

/// Where each column is, by its joined header name.
struct Columns {
    code: usize,
    modifier: usize,
    status: usize,
    pc_tc: usize,
    global_days: usize,
    multiple_procedure: usize,
    bilateral: usize,
    assistant: usize,
    co_surgeons: usize,
    team_surgery: usize,
}

/// The names each column goes by, as normalized by [`header_name`]; the first is CMS's.
const NAMES: [(&str, &[&str]); 10] = [
    ("HCPCS", &["HCPCS", "HCPCS CODE", "CPT HCPCS"]),
    ("MOD", &["MOD", "MODIFIER"]),
    ("STATUS CODE", &["STATUS CODE", "STATUS"]),
    ("PCTC IND", &["PCTC IND", "PC TC IND", "PCTC INDICATOR"]),
    (
        "GLOB DAYS",
        &["GLOB DAYS", "GLOBAL DAYS", "GLOBAL SURGERY DAYS"],
    ),
    ("MULT PROC", &["MULT PROC", "MULTIPLE PROCEDURE"]),
    ("BILAT SURG", &["BILAT SURG", "BILATERAL SURGERY"]),
    ("ASST SURG", &["ASST SURG", "ASSISTANT AT SURGERY"]),
    ("CO SURG", &["CO SURG", "CO SURGEONS"]),
    ("TEAM SURG", &["TEAM SURG", "TEAM SURGERY"]),
];

/// Reads the payment indicators of one or more PPRRVU files (one per quarterly release). Every
/// row that does not read is reported with its file and line.
pub fn read_fee_schedule(files: &[DataFile]) -> Result<Vec<FeeScheduleFile>, Vec<RowError>> {
    let mut errors = RowErrors::default();
    let mut out = Vec::with_capacity(files.len());
    for (index, file) in files.iter().enumerate() {
        if let Some(read) = read_file(file, index as u16, &mut errors) {
            out.push(read);
        }
    }
    errors.into_result(out)
}

fn read_file(file: &DataFile, index: u16, errors: &mut RowErrors) -> Option<FeeScheduleFile> {
    let mut records = CsvRows::new(file, Some(b','));
    // The rows since the preamble: the header is the run of them above the first code.
    let mut block: Vec<csv::StringRecord> = Vec::new();
    let mut preamble: Vec<String> = Vec::new();
    let mut code_column: Option<usize> = None;
    let mut columns: Option<Columns> = None;
    let mut rows: Vec<FeeScheduleRow> = Vec::new();
    // Per code, its row in `rows`.
    let mut seen: std::collections::HashMap<Code, usize> = Default::default();
    let mut modifiers_seen: std::collections::HashSet<(Code, String)> = Default::default();
    while let Some((number, record)) = records.next_row(errors) {
        let filled = record.iter().filter(|c| !c.is_empty()).count();
        if columns.is_none() {
            let Some(c) = code_column else {
                // Before the header: blank rows, and the title and notices in the first cell
                // alone. A header row may fill a single cell, but never the first alone.
                if record.iter().skip(1).all(str::is_empty) {
                    preamble.extend(record.iter().filter(|c| !c.is_empty()).map(String::from));
                    block.clear();
                } else {
                    code_column = record.iter().position(|c| header_name(c) == "HCPCS");
                    block.push(record.clone());
                }
                continue;
            };
            // The header's further rows leave the code column empty; the first row that fills
            // it is the first row of a code, read or reported like every other.
            if record.get(c).is_none_or(str::is_empty) {
                block.push(record.clone());
                continue;
            }
            match find_columns(&block) {
                Ok(found) => columns = Some(found),
                Err(problem) => {
                    errors.push(&file.path, number, problem);
                    return None;
                }
            }
        }
        let (Some(at), true) = (&columns, filled > 0) else {
            continue;
        };
        read_row(
            file,
            number,
            record,
            at,
            errors,
            &mut rows,
            &mut seen,
            &mut modifiers_seen,
        );
    }
    if columns.is_none() {
        errors.push(
            &file.path,
            0,
            "it holds no fee schedule rows: expected the CMS relative value file (PPRRVU), a \
             header naming `HCPCS`, `MOD`, `STATUS CODE`, `PCTC IND`, `GLOB DAYS`, `MULT PROC`, \
             `BILAT SURG`, `ASST SURG`, `CO-SURG`, `TEAM SURG`, then one row per code"
                .into(),
        );
        return None;
    }
    Some(FeeScheduleFile {
        file: index,
        effective: release_from_name(&file.name).or_else(|| release_from_title(&preamble)),
        rows,
    })
}

/// The columns of a header wrapped over `block`'s rows: each column's cells joined.
fn find_columns(block: &[csv::StringRecord]) -> Result<Columns, String> {
    let width = block.iter().map(csv::StringRecord::len).max().unwrap_or(0);
    let joined: Vec<String> = (0..width)
        .map(|i| {
            let cells: Vec<&str> = block.iter().filter_map(|r| r.get(i)).collect();
            header_name(&cells.join(" "))
        })
        .collect();
    let mut found = [0usize; 10];
    let mut missing = Vec::new();
    for (slot, (shown, names)) in found.iter_mut().zip(NAMES) {
        match joined.iter().position(|j| names.contains(&j.as_str())) {
            Some(i) => *slot = i,
            None => missing.push(format!("`{shown}`")),
        }
    }
    if !missing.is_empty() {
        return Err(format!(
            "the header has no column {}; it names {}",
            missing.join(", "),
            header_names_shown(joined.iter().map(String::as_str))
        ));
    }
    let [code, modifier, status, pc_tc, global_days, multiple_procedure, bilateral, assistant, co_surgeons, team_surgery] =
        found;
    Ok(Columns {
        code,
        modifier,
        status,
        pc_tc,
        global_days,
        multiple_procedure,
        bilateral,
        assistant,
        co_surgeons,
        team_surgery,
    })
}

#[allow(clippy::too_many_arguments)]
fn read_row(
    file: &DataFile,
    number: u32,
    record: &csv::StringRecord,
    at: &Columns,
    errors: &mut RowErrors,
    rows: &mut Vec<FeeScheduleRow>,
    seen: &mut std::collections::HashMap<Code, usize>,
    modifiers_seen: &mut std::collections::HashSet<(Code, String)>,
) {
    let get = |i: usize| record.get(i).unwrap_or("");
    let mut problems: Vec<String> = Vec::new();
    let code = Code::parse(get(at.code));
    if code.is_none() {
        problems.push(format!("`{}` is not a CPT/HCPCS code", get(at.code)));
    }
    let status = match get(at.status) {
        s if s.len() == 1 && STATUS_CODES.contains(s.to_ascii_uppercase().as_str()) => {
            s.chars().next().map(|c| c.to_ascii_uppercase())
        }
        s => {
            problems.push(format!(
                "status code `{s}` is not one the record layout defines ({})",
                STATUS_CODES
                    .chars()
                    .map(String::from)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            None
        }
    };
    let mut digit = |i: usize, what: &str, allowed: &str| -> Option<u8> {
        match get(i) {
            "" => None,
            s if s.len() == 1 && allowed.contains(s) => s.bytes().next().map(|b| b - b'0'),
            s => {
                let listed: Vec<String> = allowed.chars().map(String::from).collect();
                problems.push(format!("{what} `{s}` is not one of {}", listed.join(", ")));
                None
            }
        }
    };
    let pc_tc = digit(at.pc_tc, "PC/TC indicator", "0123456789");
    let multiple_procedure = digit(
        at.multiple_procedure,
        "multiple procedure indicator",
        "01234579",
    );
    let bilateral = digit(at.bilateral, "bilateral surgery indicator", "01239");
    let assistant = digit(at.assistant, "assistant at surgery indicator", "0129");
    let co_surgeons = digit(at.co_surgeons, "co-surgeon indicator", "0129");
    let team_surgery = digit(at.team_surgery, "team surgery indicator", "0129");
    let global_days = match get(at.global_days).to_ascii_uppercase() {
        g if g.is_empty() => None,
        g if GLOBAL_DAYS.contains(&g.as_str()) => Some(g.into_boxed_str()),
        g => {
            problems.push(format!(
                "global days `{g}` is not one of {}",
                GLOBAL_DAYS.join(", ")
            ));
            None
        }
    };
    let modifier = get(at.modifier).to_ascii_uppercase();
    if !problems.is_empty() {
        for problem in problems {
            errors.push(&file.path, number, problem);
        }
        return;
    }
    let (Some(code), Some(status)) = (code, status) else {
        return;
    };
    if !modifiers_seen.insert((code, modifier.clone())) {
        let shown = if modifier.is_empty() {
            format!("`{code}`")
        } else {
            format!("`{code}` with modifier `{modifier}`")
        };
        errors.push(
            &file.path,
            number,
            format!("{shown} has a row already in this file"),
        );
        return;
    }
    let row = FeeScheduleRow {
        code,
        status,
        pc_tc,
        global_days,
        multiple_procedure,
        bilateral,
        assistant,
        co_surgeons,
        team_surgery,
        line: number,
    };
    // The indicators of a code are those of its global row (no modifier); a component row
    // (26, TC, 53) stands in only for a code the file gives no global row. A second global row
    // was refused above, so a global row always takes the code's place.
    match seen.get(&code).copied() {
        None => {
            seen.insert(code, rows.len());
            rows.push(row);
        }
        Some(at) if modifier.is_empty() => rows[at] = row,
        Some(_) => {}
    }
}

/// The release months and the quarter each opens.
const RELEASES: [(&str, &str, u32); 4] = [
    ("JAN", "JANUARY", 1),
    ("APR", "APRIL", 4),
    ("JUL", "JULY", 7),
    ("OCT", "OCTOBER", 10),
];

/// The first day of a release as CMS names its file: `PPRRVU24_JAN.csv`, `PPRRVU2024_APR`.
fn release_from_name(name: &str) -> Option<Date> {
    let upper = name.rsplit(['/', '\\']).next()?.to_ascii_uppercase();
    let rest = &upper[upper.find("PPRRVU")? + "PPRRVU".len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let year: i32 = match digits.len() {
        2 => 2000 + digits.parse::<i32>().ok()?,
        4 => digits.parse().ok()?,
        _ => return None,
    };
    let month_part = rest[digits.len()..].trim_start_matches(['_', '-', ' ']);
    let (_, _, month) = RELEASES
        .iter()
        .find(|(short, _, _)| month_part.starts_with(short))?;
    Date::from_ymd_opt(year, *month, 1)
}

/// The first day of a release as the file's title says it: "2024 National Physician Fee
/// Schedule Relative Value File January Release".
fn release_from_title(preamble: &[String]) -> Option<Date> {
    preamble.iter().find_map(|line| {
        let upper = line.to_ascii_uppercase();
        if !upper.contains("RELATIVE VALUE FILE") {
            return None;
        }
        let year: i32 = upper
            .split(|c: char| !c.is_ascii_digit())
            .find(|w| w.len() == 4)?
            .parse()
            .ok()?;
        let (_, _, month) = RELEASES
            .iter()
            .find(|(_, long, _)| upper.split_whitespace().any(|w| w == *long))?;
        Date::from_ymd_opt(year, *month, 1)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, text: &str) -> DataFile {
        DataFile::new(name, text.as_bytes().to_vec())
    }

    const HEADER: &str = "\
2024 National Physician Fee Schedule Relative Value File January Release,,,,,,,,,,,,\r
\"CPT codes and descriptions only are copyright 2023 American Medical Association.\",,,,,,,,,,,,\r
,,,,,,,,,,,,\r
,,,,,,PCTC,GLOB,MULT,BILAT,ASST,CO-,TEAM\r
HCPCS,MOD,DESCRIPTION,STATUS,WORK,MP,IND,DAYS,PROC,SURG,SURG,SURG,SURG\r
,,,CODE,RVU,RVU,,,,,,,\r
";

    #[test]
    fn reads_the_indicators_of_each_code_by_the_joined_header() {
        let text = format!(
            "{HEADER}\
71046,,,A,0.22,0.01,1,XXX,0,0,9,9,9\r
71046,26,,A,0.22,0.01,1,XXX,0,0,9,9,9\r
71046,TC,,A,0.00,0.00,1,XXX,0,0,9,9,9\r
0201T,,,C,0.00,0.00,0,XXX,0,2,0,0,0\r
"
        );
        let read = read_fee_schedule(&[file("PPRRVU24_JAN.csv", &text)]).unwrap();
        assert_eq!(read[0].effective, Date::from_ymd_opt(2024, 1, 1));
        let rows = &read[0].rows;
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].code, Code::parse("71046").unwrap());
        assert_eq!((rows[0].pc_tc, rows[0].line), (Some(1), 7));
        assert_eq!(rows[1].status, 'C');
        assert_eq!(
            (rows[1].bilateral, rows[1].global_days.as_deref()),
            (Some(2), Some("XXX"))
        );
    }

    #[test]
    fn a_component_row_stands_in_only_without_a_global_row() {
        let text = format!(
            "{HEADER}\
93005,TC,,A,0,0,3,XXX,0,0,9,9,9\r
93005,,,A,0,0,4,XXX,0,0,9,9,9\r
93010,26,,A,0,0,8,XXX,0,0,9,9,9\r
"
        );
        let read = read_fee_schedule(&[file("PPRRVU24_JAN.csv", &text)]).unwrap();
        let pc: Vec<_> = read[0].rows.iter().map(|r| (r.pc_tc, r.line)).collect();
        assert_eq!(pc, vec![(Some(4), 8), (Some(8), 9)]);
    }

    #[test]
    fn the_release_date_comes_from_the_name_or_the_title() {
        assert_eq!(
            release_from_name("tables/PPRRVU25_OCT.csv"),
            Date::from_ymd_opt(2025, 10, 1)
        );
        assert_eq!(release_from_name("rvu.csv"), None);
        let text = format!("{HEADER}0201T,,,C,0,0,0,XXX,0,2,0,0,0\r\n");
        let read = read_fee_schedule(&[file("rvu.csv", &text)]).unwrap();
        assert_eq!(read[0].effective, Date::from_ymd_opt(2024, 1, 1));
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line() {
        let text = format!(
            "{HEADER}\
7104,,,A,0,0,1,XXX,0,0,9,9,9\r
71046,,,Q,0,0,1,XXX,0,0,9,9,9\r
71047,,,A,0,0,1,045,0,7,9,9,9\r
71048,,,A,0,0,1,XXX,0,0,9,9,9\r
71048,,,A,0,0,1,XXX,0,0,9,9,9\r
"
        );
        let errors: Vec<String> = read_fee_schedule(&[file("PPRRVU24_JAN.csv", &text)])
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            errors,
            vec![
                "PPRRVU24_JAN.csv:7: `7104` is not a CPT/HCPCS code",
                "PPRRVU24_JAN.csv:8: status code `Q` is not one the record layout defines (A, B, C, D, E, F, G, H, I, J, M, N, P, R, T, X)",
                "PPRRVU24_JAN.csv:9: bilateral surgery indicator `7` is not one of 0, 1, 2, 3, 9",
                "PPRRVU24_JAN.csv:9: global days `045` is not one of 000, 010, 090, MMM, XXX, YYY, ZZZ",
                "PPRRVU24_JAN.csv:11: `71048` has a row already in this file",
            ]
        );
    }

    #[test]
    fn a_header_without_the_indicators_is_refused() {
        let text = "HCPCS,MOD,STATUS\r\n71046,,A\r\n";
        let errors = read_fee_schedule(&[file("x.csv", text)]).unwrap_err();
        assert_eq!(errors[0].line, 2);
        assert!(
            errors[0].problem.contains("no column `PCTC IND`"),
            "{}",
            errors[0].problem
        );
        let errors = read_fee_schedule(&[file("x.csv", "hello\n")]).unwrap_err();
        assert!(errors[0].problem.contains("no fee schedule rows"));
    }

    #[test]
    fn a_header_of_thousands_of_columns_is_named_in_part() {
        let text = format!("HCPCS,{}\n99213\n", vec!["X"; 5000].join(","));
        let errors = read_fee_schedule(&[file("wide.csv", &text)]).unwrap_err();
        assert!(
            errors[0].problem.ends_with("and 4961 more"),
            "{}",
            errors[0].problem
        );
        assert!(errors[0].problem.len() < 1000);
    }
}
