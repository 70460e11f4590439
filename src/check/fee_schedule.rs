//! `table "…" of fee schedule indicators`: the payment policy indicators of the Medicare
//! Physician Fee Schedule relative value file (PPRRVU), one file per quarterly release, as a
//! code table whose columns are [`FEE_SCHEDULE_COLUMNS`].

use super::columns::FEE_SCHEDULE_COLUMNS;
use super::national::NationalKind;
use super::Checker;
use crate::codes::Date;
use crate::ir::*;
use crate::ncci::{read_fee_schedule, FeeScheduleFile, FeeScheduleRow};
use crate::pack::DataLocation;
use crate::syntax::ast;

const HELP: &str = "a table of fee schedule indicators reads the CMS relative value file \
     (PPRRVU…csv) as published: its title and notices, a header wrapped over several rows \
     naming `HCPCS`, `MOD`, `STATUS CODE`, `PCTC IND`, `GLOB DAYS`, `MULT PROC`, `BILAT SURG`, \
     `ASST SURG`, `CO-SURG`, `TEAM SURG`, then one row per code and modifier";

impl<'a> Checker<'a> {
    /// Reads a fee-schedule table. With several files (quarterly releases), each is in force
    /// from its release's first day until the next release; the earliest also on the dates
    /// before it, as the one release known for them.
    pub(super) fn fee_schedule_table(
        &mut self,
        decl: &'a ast::TableDecl,
        location: &DataLocation,
    ) -> Option<Table> {
        let (files, mut releases) = self.read_national(
            decl,
            location,
            NationalKind {
                name: "fee schedule indicators",
                usage: "rules read `code.status`, `code.pc_tc`, `code.global_days`, \
                        `code.multiple_procedure`, `code.bilateral`, `code.assistant`, \
                        `code.co_surgeons` and `code.team_surgery`",
                help: HELP,
            },
            read_fee_schedule,
        )?;
        let names: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        if let Err(problem) = order_releases(&mut releases, &names) {
            self.table_error(decl, problem, HELP);
            return None;
        }
        let mut table = self.national_table(
            decl,
            "fee schedule indicators",
            &FEE_SCHEDULE_COLUMNS,
            &files,
        )?;
        let dated = releases.len() > 1;
        for (i, release) in releases.iter().enumerate() {
            let window = DateWindow {
                from: release.effective.filter(|_| i > 0),
                until: releases
                    .get(i + 1)
                    .and_then(|next| next.effective)
                    .and_then(|d| d.pred_opt()),
            };
            for row in &release.rows {
                if dated {
                    table.push_dated_row(row.code, window, cells(row), release.file, row.line);
                } else {
                    table.push_row(row.code, cells(row), release.file, row.line);
                }
            }
        }
        Some(table)
    }
}

/// Orders releases by the day each takes effect. One file needs no date; of several, each must
/// have one, and no two the same.
fn order_releases(releases: &mut [FeeScheduleFile], names: &[&str]) -> Result<(), String> {
    if releases.len() < 2 {
        return Ok(());
    }
    let name = |r: &FeeScheduleFile| names.get(usize::from(r.file)).copied().unwrap_or("");
    if let Some(undated) = releases.iter().find(|r| r.effective.is_none()) {
        return Err(format!(
            "`{}` does not say when it takes effect, so its place among the table's {} files is \
             unknown: name it as CMS does (`PPRRVU24_JAN.csv`) or keep its title row \
             (\"2024 National Physician Fee Schedule Relative Value File January Release\")",
            name(undated),
            releases.len()
        ));
    }
    releases.sort_by_key(|r| (r.effective, r.file));
    for pair in releases.windows(2) {
        if pair[0].effective == pair[1].effective {
            let shown = pair[0]
                .effective
                .map(|d: Date| d.to_string())
                .unwrap_or_default();
            return Err(format!(
                "`{}` and `{}` are both the release that takes effect on {shown}; keep one",
                name(&pair[0]),
                name(&pair[1])
            ));
        }
    }
    Ok(())
}

/// A row's cells, in the order of [`FEE_SCHEDULE_COLUMNS`].
fn cells(row: &FeeScheduleRow) -> [Cell; 9] {
    let number = |n: Option<u8>| n.map_or(Cell::Empty, |n| Cell::Number(f64::from(n)));
    let post_operative_days = match row.global_days.as_deref() {
        Some("010") => Cell::Number(10.0),
        Some("090") => Cell::Number(90.0),
        _ => Cell::Empty,
    };
    [
        Cell::Text(row.status.to_string().into()),
        number(row.pc_tc),
        row.global_days.clone().map_or(Cell::Empty, Cell::Text),
        post_operative_days,
        number(row.multiple_procedure),
        number(row.bilateral),
        number(row.assistant),
        number(row.co_surgeons),
        number(row.team_surgery),
    ]
}
