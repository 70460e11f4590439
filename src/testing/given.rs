//! `given table … row …`: table rows a test puts in force for itself, checked against the
//! tables the packs declare before the test runs.

use crate::check::{parse_cell, TableRow};
use crate::codes::Code;
use crate::history::{HistoryLine, LineStatus, PatientHistory};
use crate::ir::Program;
use crate::spelling::did_you_mean;
use crate::syntax::test_ast::{GivenHistory, GivenRow, TestDecl};

use super::error::TestGivenError;

/// The rows a test gives, as the engine takes them; every row that does not fit its table is
/// an error at the row.
pub(super) fn table_rows(
    program: &Program,
    test: &TestDecl,
) -> Result<Vec<TableRow>, Vec<TestGivenError>> {
    let mut rows: Vec<TableRow> = Vec::with_capacity(test.given.len());
    let mut errors = Vec::new();
    for given in &test.given {
        match table_row(program, given) {
            Ok(row)
                if rows
                    .iter()
                    .any(|r| r.table == row.table && r.code == row.code) =>
            {
                errors.push(TestGivenError {
                    test: test.name.text.clone(),
                    problem: format!(
                        "table `{}` is given a row for `{}` twice",
                        row.table, row.code
                    ),
                    span: given.span.into(),
                    help: "give one row per code, with every column it needs".into(),
                })
            }
            Ok(row) => rows.push(row),
            Err(problems) => {
                errors.extend(
                    problems
                        .into_iter()
                        .map(|(problem, span, help)| TestGivenError {
                            test: test.name.text.clone(),
                            problem,
                            span: span.into(),
                            help,
                        }),
                )
            }
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

type Problem = (String, crate::syntax::span::Span, String);

/// The row as the engine takes it, or every problem of it.
fn table_row(program: &Program, given: &GivenRow) -> Result<TableRow, Vec<Problem>> {
    let names = || program.tables.iter().map(|t| &*t.name);
    let table = program
        .tables
        .iter()
        .find(|t| *t.name == *given.table.text)
        .ok_or_else(|| {
            vec![(
                format!("no loaded pack declares a table `{}`", given.table.text),
                given.table.span,
                did_you_mean(&given.table.text, names(), "table"),
            )]
        })?;
    let mut problems = Vec::new();
    if table.key == crate::ir::TableKeyKind::Diagnosis {
        let text = &given.code.text;
        let pattern = crate::codes::DiagnosisPattern::parse(text);
        let ok = match &pattern {
            Some(p) => p.prefix || crate::codes::Diagnosis::parse(text).is_some(),
            None => false,
        };
        if !ok {
            problems.push((
                format!("`{text}` is not an ICD-10-CM code or family"),
                given.code.span,
                "a row of a table keyed by diagnosis is a diagnosis, like `M17.11`, or a family, \
                 like `M17.*`"
                    .into(),
            ));
        }
    } else if Code::parse(&given.code.text).is_none() {
        problems.push((
            format!("`{}` is not a CPT/HCPCS code", given.code.text),
            given.code.span,
            "a table row is keyed by a procedure code: five characters, like `27506` or `0201T`"
                .into(),
        ));
    }
    let mut cells: Vec<(String, String)> = Vec::with_capacity(given.cells.len());
    for (column, value) in &given.cells {
        let columns = || table.columns.iter().map(|c| &*c.name);
        let Some((_, declared)) = table.column(&column.text) else {
            problems.push((
                format!("table `{}` has no column `{}`", table.name, column.text),
                column.span,
                did_you_mean(&column.text, columns(), "column"),
            ));
            continue;
        };
        if cells.iter().any(|(c, _)| *c == column.text) {
            problems.push((
                format!("column `{}` is given twice", column.text),
                column.span,
                "give each column of the row once".into(),
            ));
        } else if let Err(why) = parse_cell(declared.ty, &value.text) {
            let ty = declared.ty.describe();
            problems.push((
                format!("column `{}` is of type {ty}: {why}", column.text),
                value.span,
                format!("give a {ty} value, as the table's data file would"),
            ));
        }
        cells.push((column.text.clone(), value.text.clone()));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(TableRow {
        table: table.name.to_string(),
        code: given.code.text.clone(),
        cells,
    })
}

/// The patient's earlier claims a test gives (`given history …`), its lines numbered per claim
/// in the order written; every line that does not read is an error at the line.
pub(super) fn history(test: &TestDecl) -> Result<PatientHistory, Vec<TestGivenError>> {
    let mut lines: Vec<HistoryLine> = Vec::with_capacity(test.history.len());
    let mut errors = Vec::new();
    for given in &test.history {
        let number = lines
            .iter()
            .filter(|l| *l.claim == *given.claim.text)
            .count() as u32
            + 1;
        match history_line(given, number) {
            Ok(line) => lines.push(line),
            Err((problem, span, help)) => errors.push(TestGivenError {
                test: test.name.text.clone(),
                problem,
                span: span.into(),
                help,
            }),
        }
    }
    if errors.is_empty() {
        Ok(PatientHistory::new(lines))
    } else {
        Err(errors)
    }
}

/// One `given history` line as the store would hold it.
fn history_line(given: &GivenHistory, number: u32) -> Result<HistoryLine, Problem> {
    let date = crate::codes::parse_date(&given.date.text).ok_or_else(|| {
        (
            format!("`{}` is not a date", given.date.text),
            given.date.span,
            "write the date of service as `2024-03-01`".to_string(),
        )
    })?;
    let code = Code::parse(&given.code.text).ok_or_else(|| {
        (
            format!("`{}` is not a procedure code", given.code.text),
            given.code.span,
            "write a CPT or HCPCS code of five characters, such as `20610`".to_string(),
        )
    })?;
    let mut modifiers = Vec::with_capacity(given.modifiers.len());
    for m in &given.modifiers {
        modifiers.push(crate::codes::Modifier::parse(&m.text).ok_or_else(|| {
            (
                format!("`{}` is not a modifier", m.text),
                m.span,
                "write a modifier of two characters, such as `RT`".to_string(),
            )
        })?);
    }
    let units = match &given.units {
        None => 1,
        Some(w) => w
            .text
            .parse::<u32>()
            .ok()
            .filter(|u| *u > 0)
            .ok_or_else(|| {
                (
                    format!("`{}` is not a number of units", w.text),
                    w.span,
                    "write a whole number of units, 1 or more".to_string(),
                )
            })?,
    };
    Ok(HistoryLine {
        claim: given.claim.text.as_str().into(),
        line: number,
        date,
        code,
        modifiers,
        units,
        provider: given.provider.as_ref().map(|w| w.text.as_str().into()),
        place_of_service: given
            .place_of_service
            .as_ref()
            .map(|w| w.text.as_str().into()),
        status: if given.denied.is_some() {
            LineStatus::Denied
        } else {
            LineStatus::Paid
        },
        denied_by: given
            .denied
            .as_ref()
            .and_then(|by| by.as_ref())
            .map(|w| w.text.as_str().into()),
    })
}
