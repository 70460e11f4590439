//! Sets and tables: code sets and diagnosis sets, code tables with their typed columns and
//! cells, and the national pair-edit tables.

use super::*;

/// An inclusive set of codes: single codes and ranges, sorted for binary search.
///
/// The checker interns sets by content, so two [`SetId`]s are equal exactly when they name the
/// same codes written the same way.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct CodeSet {
    pub exact: Vec<Code>,
    pub ranges: Vec<(Code, Code)>,
}

impl CodeSet {
    pub fn contains(&self, code: Code) -> bool {
        self.exact.binary_search(&code).is_ok()
            || self
                .ranges
                .iter()
                .any(|(lo, hi)| *lo <= code && code <= *hi)
    }

    pub fn normalize(&mut self) {
        self.exact.sort_unstable();
        self.exact.dedup();
        self.ranges.sort_unstable();
        self.ranges.dedup();
    }

    pub fn is_empty(&self) -> bool {
        self.exact.is_empty() && self.ranges.is_empty()
    }

    /// A code that both sets hold, if any.
    pub fn common_code(&self, other: &CodeSet) -> Option<Code> {
        if let Some(c) = self.exact.iter().find(|c| other.contains(**c)) {
            return Some(*c);
        }
        if let Some(c) = other.exact.iter().find(|c| self.contains(**c)) {
            return Some(*c);
        }
        self.ranges.iter().find_map(|(lo, hi)| {
            other
                .ranges
                .iter()
                .find(|(olo, ohi)| olo <= hi && lo <= ohi)
                .map(|(olo, _)| *lo.max(olo))
        })
    }

    /// Whether every code of `self` is in `other`. Ranges of `self` count when a single range
    /// of `other` covers them.
    pub fn is_subset_of(&self, other: &CodeSet) -> bool {
        self.exact.iter().all(|c| other.contains(*c))
            && self
                .ranges
                .iter()
                .all(|(lo, hi)| other.ranges.iter().any(|(olo, ohi)| olo <= lo && hi <= ohi))
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct DiagnosisSet {
    pub patterns: Vec<DiagnosisPattern>,
}

/// A pair-edit table: the NCCI procedure-to-procedure edits, indexed once and shared by the
/// engines built from the same files.
#[derive(Debug)]
pub struct EditTable {
    pub name: Box<str>,
    pub edits: std::sync::Arc<crate::ncci::PairEdits>,
    /// The dates of service the table is in force on; outside them no edit applies.
    pub window: DateWindow,
    pub loc: Loc,
}

/// A code table: rows keyed by a procedure code, read once from the pack's data file.
#[derive(Debug)]
pub struct Table {
    pub name: Box<str>,
    /// The data files, by name, as findings cite them.
    pub files: Vec<Box<str>>,
    /// The file of each row (an index into `files`).
    pub row_files: Vec<u16>,
    pub columns: Vec<Column>,
    /// Row of each key code.
    pub rows: FxHashMap<Code, u32>,
    /// `columns.len()` cells a row, row after row.
    pub cells: Vec<Cell>,
    /// The 1-based line of the data file each row was read from.
    pub lines: Vec<u32>,
    /// The dates of service the table is in force on; outside them it gives no value.
    pub window: DateWindow,
    pub loc: Loc,
    /// Whether it holds national data published by CMS (a table `of unit limits`) rather than
    /// rows a pack's authors wrote: its rows are not each a pack's to test.
    pub national: bool,
}

impl Table {
    /// The cell of a column for a code; `None` when the table has no row for the code or the
    /// cell is empty.
    pub fn cell(&self, code: Code, column: u32) -> Option<&Cell> {
        let row = *self.rows.get(&code)? as usize;
        match self.cells.get(row * self.columns.len() + column as usize)? {
            Cell::Empty => None,
            cell => Some(cell),
        }
    }

    /// The file and line a code's row was read from; `None` for a row a test gave.
    pub fn row_source(&self, code: Code) -> Option<(&str, u32)> {
        let row = *self.rows.get(&code)? as usize;
        let line = *self.lines.get(row)?;
        let file = self.files.get(*self.row_files.get(row)? as usize)?;
        (line > 0).then_some((&**file, line))
    }

    /// A column by name, with its index.
    pub fn column(&self, name: &str) -> Option<(u32, &Column)> {
        let i = self.columns.iter().position(|c| *c.name == *name)?;
        Some((i as u32, &self.columns[i]))
    }

    /// Makes the row of a code hold exactly these cells (the others empty), adding the row if
    /// the table has none for the code.
    pub fn set_row(&mut self, code: Code, cells: Vec<(u32, Cell)>) {
        let width = self.columns.len();
        let row = match self.rows.get(&code) {
            Some(&row) => row as usize,
            None => {
                let row = self.lines.len();
                self.rows.insert(code, row as u32);
                self.cells.resize(self.cells.len() + width, Cell::Empty);
                // Not read from the data file: no line of it to cite.
                self.lines.push(0);
                self.row_files.push(0);
                row
            }
        };
        let start = row * width;
        self.cells[start..start + width].fill(Cell::Empty);
        for (column, cell) in cells {
            if let Some(slot) = self.cells.get_mut(start + column as usize) {
                *slot = cell;
            }
        }
    }

    /// The key codes, as a set.
    pub fn keys(&self) -> CodeSet {
        let mut set = CodeSet {
            exact: self.rows.keys().copied().collect(),
            ranges: Vec::new(),
        };
        set.normalize();
        set
    }
}

#[derive(Debug, Clone)]
pub struct Column {
    pub name: Box<str>,
    pub ty: ColumnType,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    Boolean,
    Number,
    Text,
    Code,
    Codes,
}

impl ColumnType {
    pub fn describe(self) -> &'static str {
        match self {
            ColumnType::Boolean => "boolean",
            ColumnType::Number => "number",
            ColumnType::Text => "text",
            ColumnType::Code => "code",
            ColumnType::Codes => "codes",
        }
    }
}

/// One value of a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Bool(bool),
    Number(f64),
    Text(Box<str>),
    Code(Code),
    Codes(CodeSet),
}

impl std::fmt::Display for Cell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cell::Empty => Ok(()),
            Cell::Bool(b) => f.write_str(if *b { "yes" } else { "no" }),
            Cell::Number(n) => write!(f, "{n}"),
            Cell::Text(t) => f.write_str(t),
            Cell::Code(c) => write!(f, "{c}"),
            Cell::Codes(set) => {
                let mut first = true;
                for c in &set.exact {
                    if !first {
                        f.write_str(", ")?;
                    }
                    first = false;
                    write!(f, "{c}")?;
                }
                for (lo, hi) in &set.ranges {
                    if !first {
                        f.write_str(", ")?;
                    }
                    first = false;
                    write!(f, "{lo}-{hi}")?;
                }
                Ok(())
            }
        }
    }
}

impl Cell {
    /// Whether a code-valued cell holds a code.
    pub fn has_code(&self, code: Code) -> bool {
        match self {
            Cell::Code(c) => *c == code,
            Cell::Codes(set) => set.contains(code),
            _ => false,
        }
    }
}

/// A column of a table, read for the code of the line a rule is on (`code.mue`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnRef {
    pub table: TableId,
    pub column: u32,
}
