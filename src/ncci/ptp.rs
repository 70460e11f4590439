//! Reading PTP edit files in the layouts they are published in.
//!
//! - The CMS distribution (`ccipra-v322r0-f1.txt` and its siblings): a preamble (copyright
//!   notice, title, a header wrapped over several lines), then tab-separated rows
//!   `column 1, column 2, *=in existence prior to 1996, effective date, deletion date, modifier
//!   indicator, rationale`. Latin-1 text, often with CRLF line ends.
//! - The TSV layout of the shipped tables (policies/tables/ncci/): one header line naming the
//!   columns (`column_1`, `column_2`, `deletion_date`, `modifier_indicator`, `rationale`, and
//!   `effective_date` when the file has it), then one row a line.
//! - The project's compact binary form ([`super::compact`]).

use super::{
    compact, latin1, lines, parse_yyyymmdd, DataFile, Day, EditRow, ModifierIndicator, PairEdits,
    PairEditsBuilder, RowError, RowErrors,
};
use crate::codes::Code;

/// Where each field of a row is.
#[derive(Debug, Clone, Copy)]
struct Fields {
    column1: usize,
    column2: usize,
    effective: Option<usize>,
    deletion: usize,
    indicator: usize,
    rationale: Option<usize>,
}

/// The CMS distribution's fixed order of fields.
const CMS_FIELDS: Fields = Fields {
    column1: 0,
    column2: 1,
    effective: Some(3),
    deletion: 4,
    indicator: 5,
    rationale: Some(6),
};

/// Reads PTP edits from one or more files (CMS ships a table as `-f1` … `-f4`), each in any of
/// the layouts; the rows of all of them make one table. Every row that does not read is
/// reported, with its file and line.
pub fn read_pair_edits(files: &[DataFile]) -> Result<PairEdits, Vec<RowError>> {
    if let [only] = files {
        if compact::is_compact(&only.bytes) {
            return compact::decode(&only.bytes).map_err(|problem| {
                vec![RowError {
                    file: only.path.clone(),
                    line: 0,
                    problem,
                }]
            });
        }
    }
    let mut builder = PairEditsBuilder::default();
    let mut errors = RowErrors::default();
    builder.reserve(files.iter().map(|f| f.bytes.len() / 48).sum());
    for file in files {
        if compact::is_compact(&file.bytes) {
            errors.push(
                &file.path,
                0,
                "a compact table is read alone, not with other files".into(),
            );
            continue;
        }
        read_file(file, &mut builder, &mut errors);
    }
    errors.into_result(()).map(|()| builder.build())
}

fn read_file(file: &DataFile, builder: &mut PairEditsBuilder, errors: &mut RowErrors) {
    let file_id = builder.file(&file.name);
    let mut fields: Option<Fields> = None;
    let mut preamble_mentions_effective = false;
    let mut last_rationale: Option<(&[u8], u16)> = None;
    for (number, line) in lines(&file.bytes) {
        if line.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        let layout = match fields {
            Some(layout) => layout,
            // Until the first row, lines are a header: the TSV layout's names its columns; the
            // CMS preamble's wraps its words over several lines.
            None => {
                if let Some(found) = tsv_header(line) {
                    fields = Some(found);
                    continue;
                }
                if !starts_with_two_codes(line) {
                    preamble_mentions_effective |= latin1(line).contains("Effective");
                    continue;
                }
                if !preamble_mentions_effective {
                    errors.push(
                        &file.path,
                        number,
                        "rows begin before a header: expected the CMS preamble (with its \
                         `Effective Date` column) or a header line naming `column_1`, \
                         `column_2`, `deletion_date`, `modifier_indicator`"
                            .into(),
                    );
                    return;
                }
                fields = Some(CMS_FIELDS);
                CMS_FIELDS
            }
        };
        read_row(
            file,
            file_id,
            number,
            line,
            layout,
            builder,
            errors,
            &mut last_rationale,
        );
    }
    if fields.is_none() {
        errors.push(
            &file.path,
            0,
            "it holds no PTP edit rows: expected the CMS distribution layout or a TSV file with \
             a header naming `column_1`, `column_2`, `deletion_date`, `modifier_indicator`"
                .into(),
        );
    }
}

/// Whether a line starts with two codes: a row, not a header.
fn starts_with_two_codes(line: &[u8]) -> bool {
    let mut cells = line.split(|&b| b == b'\t');
    let mut code = || {
        std::str::from_utf8(cells.next().unwrap_or_default())
            .ok()
            .and_then(Code::parse)
            .is_some()
    };
    code() && code()
}

/// The fields a TSV header line names, if it is one.
fn tsv_header(line: &[u8]) -> Option<Fields> {
    let text = latin1(line);
    let names: Vec<String> = text
        .split('\t')
        .map(|n| n.trim().to_ascii_lowercase())
        .collect();
    let at = |name: &str| names.iter().position(|n| n == name);
    Some(Fields {
        column1: at("column_1")?,
        column2: at("column_2")?,
        effective: at("effective_date"),
        deletion: at("deletion_date")?,
        indicator: at("modifier_indicator")?,
        rationale: at("rationale"),
    })
}

#[allow(clippy::too_many_arguments)]
fn read_row<'f>(
    file: &'f DataFile,
    file_id: u16,
    number: u32,
    line: &'f [u8],
    at: Fields,
    builder: &mut PairEditsBuilder,
    errors: &mut RowErrors,
    last_rationale: &mut Option<(&'f [u8], u16)>,
) {
    // A row has at most eight fields; splitting into a fixed array allocates nothing.
    let mut cells: [&[u8]; 8] = [&[]; 8];
    for (slot, cell) in cells.iter_mut().zip(line.split(|&b| b == b'\t')) {
        *slot = cell;
    }
    let get = |i: usize| cells.get(i).copied().unwrap_or_default();
    let mut bad = |problem: String| errors.push(&file.path, number, problem);
    let code = |i: usize, what: &str, bad: &mut dyn FnMut(String)| {
        let text = get(i);
        let c = std::str::from_utf8(text).ok().and_then(Code::parse);
        if c.is_none() {
            bad(format!(
                "{what} `{}` is not a CPT/HCPCS code",
                latin1(text).trim()
            ));
        }
        c
    };
    let column1 = code(at.column1, "column 1", &mut bad);
    let column2 = code(at.column2, "column 2", &mut bad);
    let deletion = match get(at.deletion) {
        b"*" | b"" => Some(Day::MAX),
        text => parse_yyyymmdd(text).or_else(|| {
            bad(format!(
                "deletion date `{}` is not YYYYMMDD or `*`",
                latin1(text).trim()
            ));
            None
        }),
    };
    let effective = match at.effective {
        None => Some(0),
        Some(i) => parse_yyyymmdd(get(i)).or_else(|| {
            bad(format!(
                "effective date `{}` is not YYYYMMDD",
                latin1(get(i)).trim()
            ));
            None
        }),
    };
    let indicator = match get(at.indicator) {
        [d] => ModifierIndicator::from_digit(*d),
        _ => None,
    };
    if indicator.is_none() {
        bad(format!(
            "modifier indicator `{}` is not 0, 1 or 9",
            latin1(get(at.indicator)).trim()
        ));
    }
    let rationale_text = at.rationale.map_or(&[][..], get);
    // Neighbouring rows mostly share a rationale; comparing bytes is cheaper than hashing.
    let rationale = if let Some((_, id)) = last_rationale.filter(|(t, _)| *t == rationale_text) {
        Some(id)
    } else {
        let id = builder.rationale(latin1(rationale_text).trim());
        if id.is_none() {
            bad("the table has more distinct rationales than can be indexed (65,536)".into());
        }
        id
    };
    let (Some(column1), Some(column2), Some(until), Some(from), Some(indicator), Some(rationale)) =
        (column1, column2, deletion, effective, indicator, rationale)
    else {
        return;
    };
    *last_rationale = Some((rationale_text, rationale));
    if from > until {
        errors.push(
            &file.path,
            number,
            "the deletion date is before the effective date".into(),
        );
        return;
    }
    builder.push(
        column1,
        column2,
        EditRow {
            from,
            until,
            indicator,
            file: file_id,
            rationale,
            line: number,
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, bytes: &[u8]) -> DataFile {
        DataFile::new(name, bytes.to_vec())
    }

    fn code(s: &str) -> Code {
        Code::parse(s).unwrap()
    }

    fn day(s: &str) -> Day {
        parse_yyyymmdd(s.as_bytes()).unwrap()
    }

    const CMS: &[u8] = b"CPT only copyright 2025 American Medical Association.  All rights reserved.\t\t\t\t\t\t\r\n\
Column1/Column2 Edits\t\t\t\t\t\t\r\n\
Column 1\tColumn 2\t*=in existence\tEffective\tDeletion\tModifier\tPTP Edit Rationale\r\n\
\t\tprior to 1996\tDate\tDate\t0=not allowed\t\r\n\
\t\t\t\t*=no data\t1=allowed\t\r\n\
\t\t\t\t\t9=not applicable\t\r\n\
0001A\t0591T\t\t20220101\t20231231\t1\tCPT Manual or CMS manual coding instruction\r\n\
0001A\t90473\t\t20220101\t20220101\t9\tMutually exclusive procedures\r\n\
27096\t77002\t*\t19960101\t*\t1\tStandards of medical / surgical practice \xe9\r\n";

    #[test]
    fn reads_the_cms_distribution_layout() {
        let t = read_pair_edits(&[file("ccipra-v322r0-f1.txt", CMS)]).unwrap();
        assert_eq!(t.len(), 3);
        let (_, row) = t
            .in_force(code("0001A"), code("0591T"), day("20230601"))
            .unwrap();
        assert_eq!(row.indicator, ModifierIndicator::Allowed);
        assert_eq!(row.line, 7);
        assert_eq!(t.file(row), "ccipra-v322r0-f1.txt");
        // Before its effective date the edit is not in force.
        assert!(t
            .in_force(code("0001A"), code("0591T"), day("20211231"))
            .is_none());
        let (_, open) = t
            .in_force(code("27096"), code("77002"), day("20261123"))
            .unwrap();
        assert_eq!(
            t.rationale(open),
            "Standards of medical / surgical practice é"
        );
    }

    #[test]
    fn reads_the_tsv_layout_and_several_files() {
        let tsv =
            b"column_1\tcolumn_2\texist_prior_1996\tdeletion_date\tmodifier_indicator\trationale\n\
27093\t77002\t.\t20100331\t1\tMisuse of column two code with column one code\n";
        let t = read_pair_edits(&[file("a.tsv", tsv), file("b.txt", CMS)]).unwrap();
        assert_eq!(t.len(), 4);
        let (_, row) = t
            .in_force(code("27093"), code("77002"), day("20100331"))
            .unwrap();
        assert_eq!((t.file(row), row.line), ("a.tsv", 2));
        assert!(t
            .in_force(code("27093"), code("77002"), day("20100401"))
            .is_none());
    }

    #[test]
    fn every_bad_row_is_reported_with_its_file_and_line() {
        let tsv =
            b"column_1\tcolumn_2\texist_prior_1996\tdeletion_date\tmodifier_indicator\trationale\n\
2709\t77002\t.\t20100331\t1\tx\n\
27093\t77002\t.\t2010-03-31\t1\tx\n\
27093\t77003\t.\t*\t7\tx\n";
        let errors = read_pair_edits(&[file("ptp.tsv", tsv)]).unwrap_err();
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            vec![
                "ptp.tsv:2: column 1 `2709` is not a CPT/HCPCS code",
                "ptp.tsv:3: deletion date `2010-03-31` is not YYYYMMDD or `*`",
                "ptp.tsv:4: modifier indicator `7` is not 0, 1 or 9",
            ]
        );
    }

    #[test]
    fn a_file_without_a_header_is_refused() {
        let errors = read_pair_edits(&[file("x.tsv", b"27093\t77002\t.\t*\t1\tx\n")]).unwrap_err();
        assert_eq!(errors[0].line, 1);
        assert!(errors[0].problem.contains("before a header"));
        let errors = read_pair_edits(&[file("x.tsv", b"hello\n")]).unwrap_err();
        assert!(errors[0].problem.contains("no PTP edit rows"));
    }
}
