//! National edit tables: `table "…" of pair edits` (NCCI PTP) and `table "…" of unit limits`
//! (NCCI MUE), read in the layouts CMS publishes, and the rules that apply them.

use super::columns::UNIT_LIMIT_COLUMNS;
use super::edit_loads::{EditTableLoads, EditTableRead};
use super::error::*;
use super::messages::MessageScope;
use super::names::Namespace;
use super::tables::DataReader;
use super::Checker;
use crate::codes::Modifier;
use crate::ir::*;
use crate::ncci::{read_unit_limits, DataFile, RowError};
use crate::pack::{read_located, DataLocation};
use crate::spelling::did_you_mean;
use crate::syntax::ast;
use crate::syntax::span::FileId;

/// A pair-edit table whose declaration is checked, being read ([`super::edit_loads`]).
pub(super) struct ReadingEditTable<'a> {
    file: FileId,
    decl: &'a ast::TableDecl,
    window: DateWindow,
    /// How many errors there were when it was declared: an error of its data goes there, so
    /// that the errors come in the order of the declarations, as if it had been read then.
    errors_before: usize,
}

impl<'a> Checker<'a> {
    /// Checks a pair-edit table's declaration and starts reading its data, to be put into
    /// [`Program::edit_tables`] by [`Checker::finish_edit_tables`]; the errors say why not.
    pub(super) fn compile_edit_table(
        &mut self,
        decl: &'a ast::TableDecl,
        read: &DataReader<'_>,
        loads: &mut EditTableLoads<'_, '_>,
    ) {
        if !self.declares_no_columns(
            decl,
            "pair edits",
            "apply the table with `apply edits of \"…\"`",
        ) {
            return;
        }
        let Some(location) = self.locate(decl, read) else {
            return;
        };
        let Some(window) = self.in_force(self.pack_of(self.file), decl.effective.as_ref()) else {
            return;
        };
        // Its id is its place among the tables read; rules name it by that id from now on.
        let id = self.reading_edit_tables.len() as EditTableId;
        loads.read(location);
        self.reading_edit_tables.push(ReadingEditTable {
            file: self.file,
            decl,
            window,
            errors_before: self.errors.len(),
        });
        self.edit_table_ids.insert(&decl.name.text, id);
    }

    /// Puts the pair-edit tables read into the program, in declaration order, or the errors of
    /// those whose data did not read. A table that did not read leaves an error, so no program
    /// is made, and the ids rules took of the tables after it need not hold.
    pub(super) fn finish_edit_tables(&mut self, read: Vec<EditTableRead>) {
        let reading = std::mem::take(&mut self.reading_edit_tables);
        // One read for each table asked for (`EditTableLoads::finish`).
        debug_assert_eq!(reading.len(), read.len());
        let mut failed = Vec::new();
        for (table, read) in reading.into_iter().zip(read) {
            self.file = table.file;
            match read {
                Ok(edits) => self.program.edit_tables.push(EditTable {
                    name: table.decl.name.text.as_str().into(),
                    edits,
                    window: table.window,
                    loc: self.loc(table.decl.span),
                }),
                Err(problems) => failed.push((table, problems)),
            }
        }
        // The last first, each where its declaration was checked: an earlier one, put in
        // after it at the same place or before it, stays ahead of it.
        for (table, problems) in failed.into_iter().rev() {
            self.file = table.file;
            self.table_error(table.decl, row_problems(&problems), PTP_HELP);
            if let Some(error) = self.errors.pop() {
                let at = table.errors_before.min(self.errors.len());
                self.errors.insert(at, error);
            }
        }
    }

    /// Reads a unit-limits table: a code table whose columns are [`UNIT_LIMIT_COLUMNS`].
    pub(super) fn unit_limit_table(
        &mut self,
        decl: &'a ast::TableDecl,
        location: &DataLocation,
    ) -> Option<Table> {
        let (files, limits) = self.read_national(
            decl,
            location,
            NationalKind {
                name: "unit limits",
                usage: "rules read `code.mue`, `code.mue_adjudication` and `code.mue_rationale`",
                help: MUE_HELP,
            },
            read_unit_limits,
        )?;
        let mut table = self.national_table(decl, "unit limits", &UNIT_LIMIT_COLUMNS, &files)?;
        for limit in limits {
            let rationale = if limit.rationale.is_empty() {
                Cell::Empty
            } else {
                Cell::Text(limit.rationale)
            };
            let cells = [
                Cell::Number(limit.limit),
                Cell::Number(f64::from(limit.adjudication)),
                rationale,
            ];
            table.push_row(limit.code, cells, limit.file, limit.line);
        }
        Some(table)
    }

    /// The files of a national code table and what its kind's reader makes of them; `None`,
    /// with an error at the declaration, when it declares columns or a file does not read.
    pub(super) fn read_national<T>(
        &mut self,
        decl: &'a ast::TableDecl,
        location: &DataLocation,
        kind: NationalKind,
        read: impl FnOnce(&[DataFile]) -> Result<T, Vec<RowError>>,
    ) -> Option<(Vec<DataFile>, T)> {
        if !self.declares_no_columns(decl, kind.name, kind.usage) {
            return None;
        }
        let files = match read_located(location) {
            Ok(files) => files,
            Err(reason) => {
                self.table_error(decl, reason, kind.help);
                return None;
            }
        };
        match read(&files) {
            Ok(read) => Some((files, read)),
            Err(problems) => {
                self.table_error(decl, row_problems(&problems), kind.help);
                None
            }
        }
    }

    /// A national code table with no rows yet: the fixed columns of its kind, the files it was
    /// read from.
    pub(super) fn national_table(
        &mut self,
        decl: &'a ast::TableDecl,
        kind: &'static str,
        columns: &[(&str, ColumnType)],
        files: &[DataFile],
    ) -> Option<Table> {
        let columns = columns
            .iter()
            .map(|(name, ty)| Column {
                name: (*name).into(),
                ty: *ty,
            })
            .collect();
        let mut table = self.empty_table(decl, columns)?;
        table.national = Some(kind);
        table.files = files.iter().map(|f| f.name.as_str().into()).collect();
        Some(table)
    }

    /// A national table has the columns CMS publishes: a `column` line on one is an error at
    /// the first such line. `true` when it has none.
    pub(super) fn declares_no_columns(
        &mut self,
        decl: &ast::TableDecl,
        kind: &str,
        usage: &str,
    ) -> bool {
        let Some(first) = decl.columns.first() else {
            return true;
        };
        self.error(TableData {
            table: decl.name.text.clone(),
            problem: format!("a table of {kind} has the columns CMS publishes; it declares none"),
            span: first.span.into(),
            help: format!("remove the `column` lines; {usage}"),
        });
        false
    }

    /// `apply edits of "ncci_ptp"`, its `bypass with …` clauses, `message "…"`.
    pub(super) fn table_edits_rule(
        &mut self,
        table: &ast::Word,
        across_claims: bool,
        bypass: &[ast::Bypass],
        message: Option<&ast::Word>,
    ) -> Option<RuleKind> {
        if across_claims {
            self.program.uses_history = true;
        }
        self.mark_used(Namespace::CodeSet, table);
        let id = self.edit_table(table);
        let bypass = self.bypass(bypass);
        let message = match message {
            Some(m) => self.message(m, MessageScope::TableEdits),
            None => Some(default_message()),
        };
        Some(RuleKind::TableEdits(TableEdits {
            table: id?,
            across_claims,
            bypass: bypass?,
            message: message?,
        }))
    }

    /// The `bypass with …` clauses of a rule: each kind at most once, and no modifier in both.
    pub(super) fn bypass(&mut self, clauses: &[ast::Bypass]) -> Option<Bypass> {
        let mut out = Bypass::default();
        let mut ok = true;
        // The modifiers listed so far, with their clause, to find one listed in both.
        let mut listed: Vec<(ast::BypassKind, Modifier)> = Vec::new();
        for (n, clause) in clauses.iter().enumerate() {
            if clauses[..n].iter().any(|c| c.kind == clause.kind) {
                let written = clause.kind.clause();
                self.error(BypassError {
                    problem: format!("the rule has two `{written}` clauses"),
                    span: clause.span.into(),
                    label: format!("a second `{written}`"),
                    help: format!("list every modifier of both in one `{written}` clause"),
                });
                ok = false;
                continue;
            }
            for w in &clause.modifiers {
                let Some(ms) = self.modifiers(std::slice::from_ref(w)) else {
                    ok = false;
                    continue;
                };
                for m in ms {
                    let other = listed.iter().find(|(k, o)| *k != clause.kind && *o == m);
                    if let Some((kind, _)) = other {
                        self.error(BypassError {
                            problem: format!(
                                "modifier `{m}` is in both `{}` and `{}`",
                                kind.clause(),
                                clause.kind.clause()
                            ),
                            span: w.span.into(),
                            label: format!("`{m}` is listed in `{}` too", kind.clause()),
                            help: format!(
                                "keep `{m}` in one list: `bypass with modifier` bypasses with it \
                                 on either line, `bypass with different site modifiers` only \
                                 when the other line shows a different site"
                            ),
                        });
                        ok = false;
                    }
                    listed.push((clause.kind, m));
                    match clause.kind {
                        ast::BypassKind::Modifier => out.any.push(m),
                        ast::BypassKind::DifferentSite => out.sites.push(m),
                    }
                }
            }
        }
        for list in [&mut out.any, &mut out.sites] {
            list.sort_unstable();
            list.dedup();
        }
        ok.then_some(out)
    }

    /// The pair-edit table a name gives, or an error naming what it is instead.
    fn edit_table(&mut self, name: &ast::Word) -> Option<EditTableId> {
        if let Some(id) = self.edit_table_ids.get(name.text.as_str()) {
            return Some(*id);
        }
        match self.table_decls.get(name.text.as_str()) {
            // Its declaration did not check (columns, location or dates); its errors say why.
            Some((_, decl)) if decl.kind == ast::TableKind::PairEdits => None,
            Some(_) => {
                self.error(TypeMismatch {
                    subject: format!("`{}`", name.text),
                    found: "a code table".into(),
                    expected: "a table of pair edits".into(),
                    span: name.span.into(),
                    help: format!(
                        "declare it as `table \"{}\" of pair edits from \"…\"`, or read a code \
                         table's columns in a rule's conditions",
                        name.text
                    ),
                });
                None
            }
            None => {
                let names = self
                    .table_decls
                    .iter()
                    .filter(|(_, (_, d))| d.kind == ast::TableKind::PairEdits)
                    .map(|(n, _)| *n);
                self.error(UnknownName {
                    kind: "table of pair edits",
                    name: name.text.clone(),
                    span: name.span.into(),
                    help: did_you_mean(&name.text, names, "table of pair edits"),
                });
                None
            }
        }
    }
}

/// `{code} is bundled into {with}: {rationale}`.
fn default_message() -> Message {
    Message {
        parts: vec![
            MessagePart::Placeholder(Placeholder::Code),
            MessagePart::Text(" is bundled into ".into()),
            MessagePart::Placeholder(Placeholder::With),
            MessagePart::Text(" (NCCI procedure-to-procedure edit): ".into()),
            MessagePart::Placeholder(Placeholder::Rationale),
        ],
    }
}

/// What a kind of national code table is called in its errors: its name (`unit limits`), the
/// columns rules read, and the help that gives the layouts it reads.
pub(super) struct NationalKind {
    pub name: &'static str,
    pub usage: &'static str,
    pub help: &'static str,
}

pub(super) fn row_problems(problems: &[RowError]) -> String {
    let listed: Vec<String> = problems.iter().map(ToString::to_string).collect();
    format!(
        "{}:\n  {}",
        if problems.len() == 1 {
            "its data does not read"
        } else {
            "rows do not read"
        },
        listed.join("\n  ")
    )
}

const PTP_HELP: &str = "a table of pair edits reads the CMS PTP layouts: the distribution \
     files as published (preamble, Effective and Deletion Date columns), or TSV with a header \
     naming `column_1`, `column_2`, `deletion_date`, `modifier_indicator`, `rationale`";

const MUE_HELP: &str = "a table of unit limits reads the CMS MUE layouts: TSV with a header \
     naming `hcpcs`, `mue_uos`, `mai` (and `service_type`, `rationale`), or the CMS file with \
     `HCPCS/CPT Code`, `Practitioner Services MUE Values`, `MUE Adjudication Indicator`";
