//! Code tables: each `table` declaration's data file read once into typed, indexed rows, and
//! `code.<column>` resolved to the column that holds it.

use super::columns::{national_columns, COLUMN_PREFIX, DIAGNOSIS_COLUMN_PREFIX};
use super::edit_loads::EditTableLoads;
use super::error::*;
use super::names::Namespace;
use super::Checker;
use crate::codes::{Code, Diagnosis, DiagnosisPattern};
use crate::ir::*;
use crate::ncci::RowErrors;
use crate::pack::{read_located, DataLocation, PolicyText};
use crate::spelling::did_you_mean;
use crate::syntax::ast;
use crate::syntax::span::FileId;

/// A table row given in place of the data file's row for its code, as text: a policy test's
/// `given table "code attributes" row 27506 assistant 1`. The cells not named are empty.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TableRow {
    pub table: String,
    pub code: String,
    /// Column name and value, in the form the table's data file would hold.
    pub cells: Vec<(String, String)>,
}

/// Finds the data of a table: the pack of the policy file that declares it, the table's name
/// (which `--table NAME=PATH` may point elsewhere) and its path relative to the pack.
pub type DataReader<'r> = dyn Fn(PackId, &str, &str) -> Result<DataLocation, String> + 'r;

impl<'a> Checker<'a> {
    /// Reads every declared code table; a table whose data does not load is left out (the
    /// errors say why) so that rules using it report nothing further. A pair-edit table's data
    /// is read beside the rest ([`super::edit_loads`]): its rules take its id all the same, and
    /// an error of its data stops the check before the packs are layered.
    pub(super) fn compile_tables(
        &mut self,
        read: &DataReader<'_>,
        given_rows: &[TableRow],
        edit_tables: &mut EditTableLoads<'_, '_>,
    ) {
        let decls: Vec<(FileId, &'a ast::TableDecl)> = self.table_decls.values().copied().collect();
        for (file, decl) in decls {
            self.file = file;
            if decl.kind == ast::TableKind::PairEdits {
                self.compile_edit_table(decl, read, edit_tables);
                self.table_ids.push(None);
                continue;
            }
            let id = TableId(self.program.tables.len() as u32);
            let loaded = self.load_table(decl, read).and_then(|mut table| {
                let given = given_rows.iter().filter(|r| *r.table == *decl.name.text);
                self.apply_given_rows(decl, &mut table, given)
                    .then_some(table)
            });
            let Some(table) = loaded else {
                // Its columns are known to exist; rules using them report nothing further.
                self.failed_columns
                    .extend(decl.columns.iter().map(|c| c.name.text.as_str()));
                if let Some(columns) = national_columns(decl.kind) {
                    self.failed_columns.extend(columns.iter().map(|(n, _)| *n));
                }
                self.table_ids.push(None);
                continue;
            };
            // The names rules use; a national table's are fixed, so its declaration names it.
            let names: Vec<(&'a str, crate::syntax::span::Span)> =
                if let Some(columns) = national_columns(decl.kind) {
                    columns.iter().map(|(n, _)| (*n, decl.name.span)).collect()
                } else {
                    decl.columns
                        .iter()
                        .map(|c| (c.name.text.as_str(), c.name.span))
                        .collect()
                };
            for (i, (column, &(name, span))) in table.columns.iter().zip(&names).enumerate() {
                let r = ColumnRef {
                    table: id,
                    column: i as u32,
                };
                if let Some(prev) = self.columns.insert(name, (r, column.ty)) {
                    let other = &self.program.tables[prev.0.table.index()];
                    let help = format!(
                        "table `{}` has a column `{}` too; `code.{}` must name one column, so \
                         rename one of them",
                        other.name, column.name, column.name
                    );
                    self.columns.insert(name, prev);
                    self.duplicate("column", &column.name, span, help);
                }
            }
            self.program.tables.push(table);
            self.table_ids.push(Some(id));
        }
    }

    fn load_table(&mut self, decl: &'a ast::TableDecl, read: &DataReader<'_>) -> Option<Table> {
        let location = self.locate(decl, read)?;
        match decl.kind {
            ast::TableKind::UnitLimits => return self.unit_limit_table(decl, &location),
            ast::TableKind::FeeSchedule => return self.fee_schedule_table(decl, &location),
            ast::TableKind::AddOnEdits => return self.add_on_edit_table(decl, &location),
            ast::TableKind::Codes | ast::TableKind::PairEdits => {}
        }
        let mut columns: Vec<Column> = Vec::with_capacity(decl.columns.len());
        let mut ok = true;
        let key_name = key_column(decl.key);
        for c in &decl.columns {
            if c.name.text == key_name || columns.iter().any(|k| *k.name == *c.name.text) {
                let help = if c.name.text == key_name {
                    format!("`{key_name}` is the key column of this table; do not declare it")
                } else {
                    "declare each column once".to_string()
                };
                self.duplicate("column", &c.name.text, c.name.span, help);
                ok = false;
                continue;
            }
            columns.push(Column {
                name: c.name.text.as_str().into(),
                ty: match c.ty {
                    ast::ColumnTypeExpr::Boolean => ColumnType::Boolean,
                    ast::ColumnTypeExpr::Number => ColumnType::Number,
                    ast::ColumnTypeExpr::Text => ColumnType::Text,
                    ast::ColumnTypeExpr::Code => ColumnType::Code,
                    ast::ColumnTypeExpr::Codes => ColumnType::Codes,
                    ast::ColumnTypeExpr::Diagnosis => ColumnType::Diagnosis,
                    ast::ColumnTypeExpr::Diagnoses => ColumnType::Diagnoses,
                    ast::ColumnTypeExpr::Procedures => ColumnType::Procedures,
                },
            });
        }
        let files = match read_located(&location) {
            Ok(files) => files,
            Err(reason) => {
                self.table_error(decl, reason, PATH_HELP);
                return None;
            }
        };
        if !ok {
            return None;
        }
        let mut table = self.empty_table(decl, columns)?;
        for (i, file) in files.iter().enumerate() {
            table.files.push(file.name.as_str().into());
            let data = PolicyText {
                name: file.path.clone(),
                text: crate::ncci::latin1(&file.bytes).into_owned(),
            };
            if !self.read_rows(decl, &data, i as u16, &mut table) {
                return None;
            }
        }
        Some(table)
    }

    /// Where a table's data is, or an error at its declaration.
    pub(super) fn locate(
        &mut self,
        decl: &'a ast::TableDecl,
        read: &DataReader<'_>,
    ) -> Option<DataLocation> {
        match read(self.pack_of(self.file), &decl.name.text, &decl.path.text) {
            Ok(location) => Some(location),
            Err(reason) => {
                let help = if reason.starts_with("`--table") {
                    "give `--table NAME=PATH` a file that exists, or a folder of the table's files"
                } else if reason.contains(crate::pack::BESIDE) {
                    "a folder given to `claimrules lint` is read as a pack, tables and all; a policy file given alone is read by itself"
                } else {
                    PATH_HELP
                };
                self.table_error(decl, reason, help);
                None
            }
        }
    }

    /// A table with its columns and no rows yet, in force when its pack and declaration say.
    pub(super) fn empty_table(
        &mut self,
        decl: &'a ast::TableDecl,
        columns: Vec<Column>,
    ) -> Option<Table> {
        let window = self.in_force(self.pack_of(self.file), decl.effective.as_ref())?;
        Some(Table {
            name: decl.name.text.as_str().into(),
            files: Vec::new(),
            row_files: Vec::new(),
            columns,
            key: match decl.key {
                ast::TableKey::Code => TableKeyKind::Code,
                ast::TableKey::Diagnosis => TableKeyKind::Diagnosis,
            },
            rows: Default::default(),
            diagnosis_rows: Default::default(),
            family_rows: Default::default(),
            cells: Vec::new(),
            lines: Vec::new(),
            window,
            loc: self.loc(decl.span),
            national: None,
            row_dates: Vec::new(),
        })
    }

    /// Puts given rows in place of the data file's rows for their codes; false, with an error
    /// at the declaration, when a row does not fit the table.
    fn apply_given_rows<'r>(
        &mut self,
        decl: &ast::TableDecl,
        table: &mut Table,
        rows: impl Iterator<Item = &'r TableRow>,
    ) -> bool {
        for row in rows {
            let set = if table.key == TableKeyKind::Diagnosis {
                given_diagnosis_cells(table, row)
                    .map(|(key, cells)| table.set_diagnosis_row(key, cells))
            } else {
                given_cells(table, row).map(|(code, cells)| table.set_row(code, cells))
            };
            match set {
                Ok(()) => {}
                Err(problem) => {
                    self.table_error(
                        decl,
                        format!("a given row does not fit the table: {problem}"),
                        "give a table's code and declared columns, with values of their types",
                    );
                    return false;
                }
            }
        }
        true
    }

    pub(super) fn table_error(&mut self, decl: &ast::TableDecl, problem: String, help: &str) {
        self.error(TableData {
            table: decl.name.text.clone(),
            problem,
            span: decl.path.span.into(),
            help: help.to_string(),
        });
    }

    /// Fills the table from its data file: a header line naming the columns (`code` and the
    /// declared ones, in any order; others are ignored), then one row per code. `#` starts a
    /// comment line. A `.tsv` file is split on tabs, any other on commas.
    fn read_rows(
        &mut self,
        decl: &ast::TableDecl,
        data: &PolicyText,
        file_index: u16,
        table: &mut Table,
    ) -> bool {
        let delimiter = if data.name.ends_with(".tsv") {
            b'\t'
        } else {
            b','
        };
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .comment(Some(b'#'))
            .trim(csv::Trim::All)
            .flexible(true)
            .from_reader(data.text.as_bytes());
        let file = data.name.clone();
        let header = match reader.headers() {
            Ok(h) => h.clone(),
            Err(e) => {
                self.table_error(
                    decl,
                    format!("`{file}` has no header line: {e}"),
                    HEADER_HELP,
                );
                return false;
            }
        };
        let position = |name: &str| header.iter().position(|h| h == name);
        let key_name = key_column(decl.key);
        let Some(key) = position(key_name) else {
            self.table_error(
                decl,
                format!("the header of `{file}` has no `{key_name}` column"),
                if decl.key == ast::TableKey::Diagnosis {
                    DIAGNOSIS_HEADER_HELP
                } else {
                    HEADER_HELP
                },
            );
            return false;
        };
        let mut fields = Vec::with_capacity(table.columns.len());
        for (i, c) in table.columns.iter().enumerate() {
            match position(&c.name) {
                Some(p) => fields.push(p),
                None => {
                    let help = did_you_mean(&c.name, header.iter(), "column");
                    self.error(TableData {
                        table: decl.name.text.clone(),
                        problem: format!("`{file}` has no column `{}`", c.name),
                        span: decl.columns[i].name.span.into(),
                        help,
                    });
                    return false;
                }
            }
        }
        let mut problems = RowErrors::default();
        for record in reader.records() {
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line()) as u32;
                    problems.push(&file, line, e.to_string());
                    continue;
                }
            };
            let line = record.position().map_or(0, |p| p.line()) as u32;
            let key_text = record.get(key).unwrap_or("");
            let row = table.lines.len() as u32;
            let mut diagnosis_key = None;
            let code = if decl.key == ast::TableKey::Diagnosis {
                let Some(pattern) = diagnosis_key_of(key_text) else {
                    problems.push(
                        &file,
                        line,
                        format!(
                            "`{key_text}` is not an ICD-10-CM code or a family such as `M17.*`"
                        ),
                    );
                    continue;
                };
                let rows = if pattern.prefix {
                    &table.family_rows
                } else {
                    &table.diagnosis_rows
                };
                if let Some(&first) = rows.get(&pattern.compact) {
                    problems.push(
                        &file,
                        line,
                        format!(
                            "`{key_text}` has a row already, on line {}",
                            table.lines[first as usize]
                        ),
                    );
                    continue;
                }
                diagnosis_key = Some(pattern);
                None
            } else {
                let Some(code) = Code::parse(key_text) else {
                    problems.push(&file, line, format!("`{key_text}` is not a CPT/HCPCS code"));
                    continue;
                };
                Some(code)
            };
            if let Some((code, &first)) = code.and_then(|code| Some((code, table.rows.get(&code)?)))
            {
                problems.push(
                    &file,
                    line,
                    format!(
                        "`{code}` has a row already, on line {}",
                        table.lines[first as usize]
                    ),
                );
                continue;
            }
            let mut cells = Vec::with_capacity(fields.len());
            let mut row_ok = true;
            for (c, &field) in table.columns.iter().zip(&fields) {
                let text = record.get(field).unwrap_or("");
                match parse_cell(c.ty, text) {
                    Ok(cell) => cells.push(cell),
                    Err(why) => {
                        problems.push(&file, line, format!("column `{}`: {why}", c.name));
                        row_ok = false;
                    }
                }
            }
            if row_ok {
                match (code, diagnosis_key) {
                    (Some(code), _) => {
                        table.rows.insert(code, row);
                    }
                    (None, Some(p)) if p.prefix => {
                        table.family_rows.insert(p.compact, row);
                    }
                    (None, Some(p)) => {
                        table.diagnosis_rows.insert(p.compact, row);
                    }
                    (None, None) => continue,
                }
                table.lines.push(line);
                table.row_files.push(file_index);
                table.cells.extend(cells);
            }
        }
        let Err(problems) = problems.into_result(()) else {
            return true;
        };
        let problems: Vec<String> = problems.iter().map(ToString::to_string).collect();
        let problem = format!(
            "{} in `{file}`:\n  {}",
            if problems.len() == 1 {
                "a row does not read"
            } else {
                "rows do not read"
            },
            problems.join("\n  ")
        );
        let help = if decl.key == ast::TableKey::Diagnosis {
            "each row gives a diagnosis (`M17.11`) or a family (`M17.*`), each at most once, then \
             a value for each column; a family row holds for every code it covers that has no \
             row of its own"
        } else {
            "each row gives a code, then a value for each column: a number, yes/no, text, a code, \
             or codes separated by spaces (`27355-27357 27358`); leave a cell empty for no value"
        };
        self.table_error(decl, problem, help);
        false
    }

    /// The column `code.<name>` names, for a rule that is on a line.
    pub(super) fn column(
        &mut self,
        w: &ast::Word,
        has_line: bool,
    ) -> Option<(ColumnRef, ColumnType)> {
        let (written_key, name) = match w.text.strip_prefix(DIAGNOSIS_COLUMN_PREFIX) {
            Some(name) => (TableKeyKind::Diagnosis, name),
            None => (
                TableKeyKind::Code,
                w.text.strip_prefix(COLUMN_PREFIX).unwrap_or(&w.text),
            ),
        };
        if self.failed_columns.contains(name) && !self.columns.contains_key(name) {
            return None;
        }
        let Some(&found) = self.columns.get(name) else {
            let known: Vec<String> = self
                .columns
                .iter()
                .map(
                    |(c, (r, _))| match self.program.tables[r.table.index()].key {
                        TableKeyKind::Code => format!("{COLUMN_PREFIX}{c}"),
                        TableKeyKind::Diagnosis => format!("{DIAGNOSIS_COLUMN_PREFIX}{c}"),
                    },
                )
                .collect();
            let help = did_you_mean(&w.text, known.iter().map(String::as_str), "column");
            self.error(UnknownName {
                kind: "table column",
                name: w.text.clone(),
                span: w.span.into(),
                help: if self.columns.is_empty() {
                    "no table is declared; declare one with `table \"…\" from \"…\"` and its \
                     columns"
                        .into()
                } else {
                    help
                },
            });
            return None;
        };
        let table_key = self.program.tables[found.0.table.index()].key;
        if table_key != written_key {
            let table = &self.program.tables[found.0.table.index()];
            let (prefix, keyed) = match table_key {
                TableKeyKind::Code => (COLUMN_PREFIX, "procedure code"),
                TableKeyKind::Diagnosis => (DIAGNOSIS_COLUMN_PREFIX, "diagnosis"),
            };
            self.error(TypeMismatch {
                subject: format!("`{}`", w.text),
                found: format!("a column of `{}` (a table keyed by {keyed})", table.name),
                expected: format!("`{prefix}{name}`"),
                span: w.span.into(),
                help: format!("a column is read for the key of its table: write `{prefix}{name}`"),
            });
            return None;
        }
        if table_key == TableKeyKind::Diagnosis && !self.diagnosis_scope {
            let help = if self.in_term {
                format!(
                    "a term means the same in every rule, and most have no diagnosis in scope: write the test of `{}` in the rule itself, which starts with `for each line diagnosis`",
                    w.text
                )
            } else {
                "start the rule with `for each line diagnosis` (or `for each line diagnosis in \"…\"`) so that it looks at each diagnosis a line points to".to_string()
            };
            self.error(NeedsDiagnosis {
                what: format!("`{}`", w.text),
                span: w.span.into(),
                help,
            });
            return None;
        }
        if !has_line {
            self.error(NeedsLine {
                what: format!("`{}`", w.text),
                span: w.span.into(),
            });
            return None;
        }
        let table = &self.program.tables[found.0.table.index()];
        self.used
            .insert((Namespace::CodeSet, table.name.to_string()));
        Some(found)
    }
}

const PATH_HELP: &str =
    "the path is relative to the pack's folder, e.g. `tables/fracture-treatment.csv`";

const DIAGNOSIS_HEADER_HELP: &str =
    "the first line of a table keyed by diagnosis names its columns: `diagnosis`, then the declared columns";

/// The key column a table's data file names.
fn key_column(key: ast::TableKey) -> &'static str {
    match key {
        ast::TableKey::Code => "code",
        ast::TableKey::Diagnosis => "diagnosis",
    }
}

/// The key of a row of a table keyed by diagnosis: one ICD-10-CM code, or a family written
/// with `*` (`M17.*`).
fn diagnosis_key_of(text: &str) -> Option<DiagnosisPattern> {
    let pattern = DiagnosisPattern::parse(text)?;
    if !pattern.prefix {
        Diagnosis::parse(text)?;
    }
    Some(pattern)
}

const HEADER_HELP: &str =
    "the first line of a table file names its columns: `code`, then the declared columns";

/// The diagnosis or family and typed cells of a given row of a table keyed by diagnosis.
fn given_diagnosis_cells(
    table: &Table,
    row: &TableRow,
) -> Result<(DiagnosisPattern, Vec<(u32, Cell)>), String> {
    let key = diagnosis_key_of(&row.code).ok_or_else(|| {
        format!(
            "`{}` is not an ICD-10-CM code or a family such as `M17.*`",
            row.code
        )
    })?;
    Ok((key, typed_cells(table, row)?))
}

/// The typed cells of a given row, by column.
fn typed_cells(table: &Table, row: &TableRow) -> Result<Vec<(u32, Cell)>, String> {
    let mut cells = Vec::with_capacity(row.cells.len());
    for (name, value) in &row.cells {
        let (column, declared) = table
            .column(name)
            .ok_or_else(|| format!("the table has no column `{name}`"))?;
        let cell = parse_cell(declared.ty, value).map_err(|e| format!("column `{name}`: {e}"))?;
        cells.push((column, cell));
    }
    Ok(cells)
}

/// The code and typed cells of a given row, or what is wrong with it.
fn given_cells(table: &Table, row: &TableRow) -> Result<(Code, Vec<(u32, Cell)>), String> {
    let code =
        Code::parse(&row.code).ok_or_else(|| format!("`{}` is not a CPT/HCPCS code", row.code))?;
    Ok((code, typed_cells(table, row)?))
}

/// A cell's value from its text in a data file, by the column's type; empty text is no value.
pub fn parse_cell(ty: ColumnType, text: &str) -> Result<Cell, String> {
    if text.is_empty() {
        return Ok(Cell::Empty);
    }
    match ty {
        ColumnType::Text => Ok(Cell::Text(text.into())),
        ColumnType::Number => text
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .map(Cell::Number)
            .ok_or_else(|| format!("`{text}` is not a number")),
        ColumnType::Boolean => match text.to_ascii_lowercase().as_str() {
            "yes" | "y" | "true" | "1" => Ok(Cell::Bool(true)),
            "no" | "n" | "false" | "0" => Ok(Cell::Bool(false)),
            _ => Err(format!("`{text}` is not yes or no")),
        },
        ColumnType::Code => Code::parse(text)
            .map(Cell::Code)
            .ok_or_else(|| format!("`{text}` is not a CPT/HCPCS code")),
        ColumnType::Codes => {
            let mut set = CodeSet::default();
            for item in text.split([' ', ',', ';']).filter(|s| !s.is_empty()) {
                match item.split_once('-') {
                    Some((a, b)) => match (Code::parse(a), Code::parse(b)) {
                        (Some(a), Some(b)) if a <= b => set.ranges.push((a, b)),
                        _ => return Err(format!("`{item}` is not a code range")),
                    },
                    None => set.exact.push(
                        Code::parse(item)
                            .ok_or_else(|| format!("`{item}` is not a CPT/HCPCS code"))?,
                    ),
                }
            }
            set.normalize();
            Ok(Cell::Codes(Box::new(set)))
        }
        ColumnType::Diagnosis | ColumnType::Diagnoses => {
            let mut set = DiagnosisSet::default();
            for item in text.split([' ', ',', ';']).filter(|s| !s.is_empty()) {
                set.patterns.push(diagnosis_key_of(item).ok_or_else(|| {
                    format!("`{item}` is not an ICD-10-CM code or a family such as `M17.*`")
                })?);
            }
            if ty == ColumnType::Diagnosis && set.patterns.len() > 1 {
                return Err(format!(
                    "`{text}` is more than one diagnosis; a `diagnosis` column holds one"
                ));
            }
            Ok(Cell::Diagnoses(Box::new(set)))
        }
        ColumnType::Procedures => {
            let mut out = Vec::new();
            for item in text.split([' ', ',', ';']).filter(|s| !s.is_empty()) {
                out.push(ProcedurePattern::parse(item).ok_or_else(|| {
                    format!("`{item}` is not an ICD-10-PCS code (7 characters) or a family such as `0QS*`")
                })?);
            }
            Ok(Cell::Procedures(out.into()))
        }
    }
}
