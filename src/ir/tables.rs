//! Sets and tables: code sets and diagnosis sets, code tables with their typed columns and
//! cells, and the national pair-edit tables.

use super::*;

/// An inclusive set of codes: single codes and ranges, sorted for binary search.
///
/// The checker interns sets by content, so two [`SetId`]s are equal exactly when they name the
/// same codes written the same way.
#[derive(Debug, Clone, Default)]
pub struct CodeSet {
    pub exact: Vec<Code>,
    pub ranges: Vec<(Code, Code)>,
    /// The exact codes hashed, for a large set ([`CodeSet::normalize`] builds it): the key
    /// codes of a national table are thousands, tested on every line of every claim, and a
    /// probe costs a fraction of a search of the sorted list.
    hashed: Option<Box<rustc_hash::FxHashSet<Code>>>,
}

/// Sets with more exact codes than this are hashed as well as sorted.
const HASHED_FROM: usize = 64;

// The hashed copy is derived from `exact`: sets are the same when their codes are.
impl PartialEq for CodeSet {
    fn eq(&self, other: &CodeSet) -> bool {
        self.exact == other.exact && self.ranges == other.ranges
    }
}

impl Eq for CodeSet {}

impl std::hash::Hash for CodeSet {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.exact.hash(state);
        self.ranges.hash(state);
    }
}

impl CodeSet {
    /// A set of these codes and ranges, sorted (and hashed if large).
    pub fn new(exact: Vec<Code>, ranges: Vec<(Code, Code)>) -> CodeSet {
        let mut set = CodeSet {
            exact,
            ranges,
            hashed: None,
        };
        set.normalize();
        set
    }

    pub fn contains(&self, code: Code) -> bool {
        let exact = match &self.hashed {
            // The copy is of the codes `normalize` saw; `exact` is public, so it is used only
            // while the two agree in size.
            Some(hashed) if hashed.len() == self.exact.len() => hashed.contains(&code),
            _ => self.exact.binary_search(&code).is_ok(),
        };
        exact
            || self
                .ranges
                .iter()
                .any(|(lo, hi)| *lo <= code && code <= *hi)
    }

    /// Sorts the codes and ranges, drops repeats, and hashes a large set's codes.
    pub fn normalize(&mut self) {
        self.exact.sort_unstable();
        self.exact.dedup();
        self.ranges.sort_unstable();
        self.ranges.dedup();
        self.hashed = (self.exact.len() > HASHED_FROM)
            .then(|| Box::new(self.exact.iter().copied().collect()));
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

impl DiagnosisSet {
    /// Whether a diagnosis is one of the codes, or in one of the families.
    pub fn contains(&self, d: &Diagnosis) -> bool {
        self.patterns.iter().any(|p| p.matches(d))
    }
}

/// A diagnosis code shown as people write it: with the dot after its category (`M17.11`).
pub fn dotted(compact: &str) -> String {
    match (compact.get(..3), compact.get(3..)) {
        (Some(category), Some(rest)) if !rest.is_empty() => format!("{category}.{rest}"),
        _ => compact.to_string(),
    }
}

/// A diagnosis pattern shown as a policy writes it: `M17.11`, `M17.*`.
pub fn show_pattern(p: &DiagnosisPattern) -> String {
    if !p.prefix {
        return dotted(&p.compact);
    }
    match p.compact.len() {
        3 => format!("{}.*", p.compact),
        n if n > 3 => format!("{}*", dotted(&p.compact)),
        _ => format!("{}*", p.compact),
    }
}

/// An ICD-10-PCS code (`0QSG34Z`) or family (`0QS*`, every code that starts so).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ProcedurePattern {
    pub text: Box<str>,
    pub prefix: bool,
}

impl ProcedurePattern {
    /// Reads `0QSG34Z` (seven letters or digits) or `0QS*` (one to six, then `*`).
    pub fn parse(text: &str) -> Option<ProcedurePattern> {
        let (body, prefix) = match text.strip_suffix('*') {
            Some(b) => (b, true),
            None => (text, false),
        };
        let ok = body.bytes().all(|b| b.is_ascii_alphanumeric())
            && if prefix {
                (1..=6).contains(&body.len())
            } else {
                body.len() == 7
            };
        ok.then(|| ProcedurePattern {
            text: body.to_ascii_uppercase().into(),
            prefix,
        })
    }

    pub fn matches(&self, code: &str) -> bool {
        if self.prefix {
            code.get(..self.text.len())
                .is_some_and(|start| start.eq_ignore_ascii_case(&self.text))
        } else {
            code.eq_ignore_ascii_case(&self.text)
        }
    }
}

impl std::fmt::Display for ProcedurePattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)?;
        if self.prefix {
            f.write_str("*")?;
        }
        Ok(())
    }
}

/// What a table's rows are keyed by, and so what `Run::cell` looks a row up with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TableKeyKind {
    /// The code of the line in scope (`code.<column>`).
    #[default]
    Code,
    /// The diagnosis in scope (`diagnosis.<column>`), in a `for each line diagnosis` rule.
    Diagnosis,
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
    /// What the rows are keyed by.
    pub key: TableKeyKind,
    /// Row of each key code.
    pub rows: FxHashMap<Code, u32>,
    /// In a table keyed by diagnosis: the row of each diagnosis code, without its dot.
    pub diagnosis_rows: FxHashMap<Box<str>, u32>,
    /// In a table keyed by diagnosis: the row of each family (`M17.*`), by its prefix.
    pub family_rows: FxHashMap<Box<str>, u32>,
    /// `columns.len()` cells a row, row after row.
    pub cells: Vec<Cell>,
    /// The 1-based line of the data file each row was read from.
    pub lines: Vec<u32>,
    /// The dates of service the table is in force on; outside them it gives no value.
    pub window: DateWindow,
    pub loc: Loc,
    /// The kind of national data published by CMS it holds (`unit limits`, `fee schedule
    /// indicators`, `add-on code edits`), rather than rows a pack's authors wrote: its rows are
    /// not each a pack's to test. `None` for a table of codes.
    pub national: Option<&'static str>,
    /// In a table whose rows have dates of their own (a fee schedule read from several
    /// quarterly files, add-on code edits whose primaries change): each row's dates, and the
    /// row of the same code it replaced. Empty when every row is in force on every date.
    pub row_dates: Vec<RowDates>,
}

/// The dates one row of a dated table is in force on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RowDates {
    pub window: DateWindow,
    /// The row of the same code read before this one, if any: always a lower row index, so
    /// following the chain ends.
    pub earlier: Option<u32>,
}

impl RowDates {
    /// A row in force on every date the table is, replacing none.
    const ALWAYS: RowDates = RowDates {
        window: DateWindow {
            from: None,
            until: None,
        },
        earlier: None,
    };
}

impl Table {
    /// The row of a code in force on a date of service: its only row in an undated table; in
    /// a dated one, the latest row read whose dates hold the date.
    pub fn row_on(&self, code: Code, date: Date) -> Option<u32> {
        if self.row_dates.is_empty() {
            return self.rows.get(&code).copied();
        }
        self.rows_of(code).find(|&row| {
            self.row_dates
                .get(row as usize)
                .is_some_and(|d| d.window.contains(date))
        })
    }

    /// Every row of a code, whatever its dates: the latest read first, then, in a dated table,
    /// the rows it replaced. The chain runs to lower rows only, so it ends.
    pub fn rows_of(&self, code: Code) -> impl Iterator<Item = u32> + '_ {
        std::iter::successors(self.rows.get(&code).copied(), move |&row| {
            self.row_dates
                .get(row as usize)?
                .earlier
                .filter(|&e| e < row)
        })
    }

    /// Adds a code's row, in force on every date the table is (it replaces the code's row, if
    /// any); `file` and `line` are where it was read.
    pub fn push_row(
        &mut self,
        code: Code,
        cells: impl IntoIterator<Item = Cell>,
        file: u16,
        line: u32,
    ) {
        let row = self.push_undated(cells, file, line);
        self.rows.insert(code, row);
    }

    /// Adds a row in force on some dates only; the code's earlier rows stay for the dates
    /// this one does not hold. `file` and `line` are where it was read.
    pub fn push_dated_row(
        &mut self,
        code: Code,
        window: DateWindow,
        cells: impl IntoIterator<Item = Cell>,
        file: u16,
        line: u32,
    ) {
        // Rows read before the table became dated were in force on every date.
        self.row_dates.resize(self.lines.len(), RowDates::ALWAYS);
        let row = self.push_cells(cells, file, line);
        let earlier = self.rows.insert(code, row);
        self.row_dates.push(RowDates { window, earlier });
    }

    /// Adds a row's cells (the missing ones empty), file and line, in force on every date the
    /// table is; no key points to it yet.
    fn push_undated(&mut self, cells: impl IntoIterator<Item = Cell>, file: u16, line: u32) -> u32 {
        let row = self.push_cells(cells, file, line);
        if !self.row_dates.is_empty() {
            self.row_dates.push(RowDates::ALWAYS);
        }
        row
    }

    /// Adds a row's cells, file and line, and nothing else: its index.
    fn push_cells(&mut self, cells: impl IntoIterator<Item = Cell>, file: u16, line: u32) -> u32 {
        let row = self.lines.len() as u32;
        let start = self.cells.len();
        self.cells.extend(cells);
        self.cells.resize(start + self.columns.len(), Cell::Empty);
        self.lines.push(line);
        self.row_files.push(file);
        row
    }

    /// The cell of a column for a code; `None` when the table has no row for the code or the
    /// cell is empty.
    pub fn cell(&self, code: Code, column: u32) -> Option<&Cell> {
        let row = *self.rows.get(&code)? as usize;
        match self.cells.get(row * self.columns.len() + column as usize)? {
            Cell::Empty => None,
            cell => Some(cell),
        }
    }

    /// The row of a diagnosis: its own code's row, else the row of the longest family that
    /// covers it (the most specific row wins).
    pub fn diagnosis_row(&self, d: &Diagnosis) -> Option<u32> {
        let code = d.compact();
        if let Some(&row) = self.diagnosis_rows.get(code) {
            return Some(row);
        }
        (1..=code.len())
            .rev()
            .find_map(|n| code.get(..n).and_then(|p| self.family_rows.get(p)).copied())
    }

    /// The cell of a column in a row; `None` when it is empty.
    pub fn cell_at(&self, row: u32, column: u32) -> Option<&Cell> {
        match self
            .cells
            .get(row as usize * self.columns.len() + column as usize)?
        {
            Cell::Empty => None,
            cell => Some(cell),
        }
    }

    /// The codes and families of a table keyed by diagnosis, as a set.
    pub fn diagnosis_keys(&self) -> DiagnosisSet {
        let mut exact: Vec<&Box<str>> = self.diagnosis_rows.keys().collect();
        let mut families: Vec<&Box<str>> = self.family_rows.keys().collect();
        exact.sort();
        families.sort();
        let patterns = exact
            .into_iter()
            .map(|c| DiagnosisPattern {
                compact: c.clone(),
                prefix: false,
            })
            .chain(families.into_iter().map(|c| DiagnosisPattern {
                compact: c.clone(),
                prefix: true,
            }))
            .collect();
        DiagnosisSet { patterns }
    }

    /// The file and line a row was read from; `None` for a row a test gave.
    pub fn row_source_at(&self, row: u32) -> Option<(&str, u32)> {
        let row = row as usize;
        let line = *self.lines.get(row)?;
        let file = self.files.get(*self.row_files.get(row)? as usize)?;
        (line > 0).then_some((&**file, line))
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
        let row = match self.rows.get(&code) {
            // In a dated table a given row holds on every date, in place of the code's rows.
            Some(_) if !self.row_dates.is_empty() => {
                let row = self.new_row();
                self.rows.insert(code, row as u32);
                row
            }
            Some(&row) => row as usize,
            None => {
                let row = self.new_row();
                self.rows.insert(code, row as u32);
                row
            }
        };
        self.fill_row(row, cells);
    }

    /// Makes the row of a diagnosis or family (in a table keyed by diagnosis) hold exactly
    /// these cells, adding the row if the table has none for it.
    pub fn set_diagnosis_row(&mut self, key: DiagnosisPattern, cells: Vec<(u32, Cell)>) {
        let existing = if key.prefix {
            self.family_rows.get(&key.compact)
        } else {
            self.diagnosis_rows.get(&key.compact)
        };
        let row = match existing {
            Some(&row) => row as usize,
            None => {
                let row = self.new_row();
                let rows = if key.prefix {
                    &mut self.family_rows
                } else {
                    &mut self.diagnosis_rows
                };
                rows.insert(key.compact, row as u32);
                row
            }
        };
        self.fill_row(row, cells);
    }

    /// A new row of empty cells, given in a test rather than read from the data file: no line
    /// of it to cite.
    fn new_row(&mut self) -> usize {
        self.push_undated([], 0, 0) as usize
    }

    /// Makes a row hold exactly these cells, the others empty.
    fn fill_row(&mut self, row: usize, cells: Vec<(u32, Cell)>) {
        let width = self.columns.len();
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
        CodeSet::new(self.rows.keys().copied().collect(), Vec::new())
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
    /// One ICD-10-CM code or family.
    Diagnosis,
    /// ICD-10-CM codes and families.
    Diagnoses,
    /// ICD-10-PCS codes and families.
    Procedures,
}

impl ColumnType {
    pub fn describe(self) -> &'static str {
        match self {
            ColumnType::Boolean => "boolean",
            ColumnType::Number => "number",
            ColumnType::Text => "text",
            ColumnType::Code => "code",
            ColumnType::Codes => "codes",
            ColumnType::Diagnosis => "diagnosis",
            ColumnType::Diagnoses => "diagnoses",
            ColumnType::Procedures => "procedures",
        }
    }
}

/// One value of a table.
///
/// The sets are boxed so that a cell takes 24 bytes, not 56: a line's MUE limit and indicator,
/// read for every line of every claim, are then 48 bytes side by side in one or two cache lines
/// of their row, where they spanned two or three.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Bool(bool),
    Number(f64),
    Text(Box<str>),
    Code(Code),
    Codes(Box<CodeSet>),
    /// A `diagnosis` or `diagnoses` cell.
    Diagnoses(Box<DiagnosisSet>),
    Procedures(Box<[ProcedurePattern]>),
}

const _: () = assert!(std::mem::size_of::<Cell>() <= 24);

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
            Cell::Diagnoses(set) => {
                let shown: Vec<String> = set.patterns.iter().map(show_pattern).collect();
                f.write_str(&shown.join(", "))
            }
            Cell::Procedures(ps) => {
                let shown: Vec<String> = ps.iter().map(ToString::to_string).collect();
                f.write_str(&shown.join(", "))
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
