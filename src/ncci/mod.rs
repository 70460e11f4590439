//! The national tables CMS publishes: for the National Correct Coding Initiative, the
//! procedure-to-procedure (PTP) pair edits, the medically unlikely edits (MUE) and the add-on
//! code edits (AOC); and the payment policy indicators of the Medicare Physician Fee Schedule
//! (MPFS).
//!
//! A PTP table has millions of rows, so it is read once into a compact index ([`PairEdits`]):
//! edits grouped by column-1 code, each group's column-2 codes sorted, each pair's rows ordered
//! by the dates they are in force. Judging a claim is then a hash lookup per line and a binary
//! search per other line. The index is also written to disk in a compact binary form
//! ([`compact`]) and read back from there when the source files have not changed.
//!
//! Semantics (docs/language.md, "National edit tables", and the CMS NCCI policy manual): on a
//! date of service the row of a pair in force decides; indicator `0` denies the column-2 code, `1` denies it
//! unless an NCCI-associated modifier bypasses the edit, `9` never denies.

mod add_on;
pub mod compact;
mod fee_schedule;
mod mue;
mod pair_slots;
mod ptp;
pub mod registry;

pub use add_on::{read_add_on_edits, AddOnEdit};
pub use fee_schedule::{read_fee_schedule, FeeScheduleFile, FeeScheduleRow};
pub use mue::{read_unit_limits, UnitLimit};
pub use ptp::read_pair_edits;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, Weak};

use rustc_hash::FxHashMap;

use crate::codes::{Code, Date};
use pair_slots::PairSlots;

/// A day as the tables store it: days since 1 January of year 1 (`Date::num_days_from_ce`).
pub type Day = u32;

/// The day of a date.
pub fn day(date: Date) -> Day {
    use chrono::Datelike;
    date.num_days_from_ce().max(0) as Day
}

/// A data file a table is read from: the name findings cite and its bytes.
#[derive(Debug, Clone)]
pub struct DataFile {
    /// The file's name as findings cite it (the published file name).
    pub name: String,
    /// Where it was read from, as errors show it.
    pub path: String,
    pub bytes: Vec<u8>,
}

impl DataFile {
    /// A file held in memory, shown and cited by one name.
    pub fn new(name: impl Into<String>, bytes: impl Into<Vec<u8>>) -> DataFile {
        let name = name.into();
        DataFile {
            path: name.clone(),
            name,
            bytes: bytes.into(),
        }
    }
}

/// What an edit row's modifier indicator allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModifierIndicator {
    /// `0`: no modifier bypasses the edit.
    NotAllowed,
    /// `1`: an NCCI-associated modifier on either line bypasses it.
    Allowed,
    /// `9`: the edit does not apply (it was deleted on its own effective date).
    NotApplicable,
}

impl ModifierIndicator {
    fn from_digit(d: u8) -> Option<ModifierIndicator> {
        match d {
            b'0' => Some(ModifierIndicator::NotAllowed),
            b'1' => Some(ModifierIndicator::Allowed),
            b'9' => Some(ModifierIndicator::NotApplicable),
            _ => None,
        }
    }

    fn digit(self) -> u8 {
        match self {
            ModifierIndicator::NotAllowed => 0,
            ModifierIndicator::Allowed => 1,
            ModifierIndicator::NotApplicable => 9,
        }
    }
}

/// One row of a PTP table, as indexed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EditRow {
    /// First day in force; `0` is the start of time.
    pub from: Day,
    /// Last day in force (the deletion date); `Day::MAX` while in force.
    pub until: Day,
    pub indicator: ModifierIndicator,
    /// Index into `PairEdits::files`.
    pub file: u16,
    /// Index into `PairEdits::rationales`.
    pub rationale: u16,
    /// The 1-based line of the file the row was read from, header lines counted.
    pub line: u32,
}

impl EditRow {
    pub fn in_force_on(&self, day: Day) -> bool {
        self.from <= day && day <= self.until
    }
}

/// A PTP table, indexed by column-1 code.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct PairEdits {
    /// Column-1 code → its range of pairs.
    by_column1: FxHashMap<Code, (u32, u32)>,
    /// The column-2 code of each pair; sorted within a column-1 group.
    pair_column2: Vec<Code>,
    /// The rows of pair `p` are `rows[pair_rows[p]..pair_rows[p + 1]]`.
    pair_rows: Vec<u32>,
    /// Ordered by pair, then by last day in force.
    rows: Vec<EditRow>,
    rationales: Vec<Box<str>>,
    files: Vec<Box<str>>,
    /// A filter of the pairs, keyed by their two codes ([`pair_key`]): most pairs of a claim's
    /// lines have no edit, and the filter says so from cache, where the column-1 code's sorted
    /// list takes a search of dependent reads, each a likely cache miss in a table of millions.
    /// Built from the fields above after a load: on the spot for a small table, on a thread of
    /// its own for a large one ([`PairEdits::index_pairs`]), so that a check of one claim does
    /// not wait for it; lookups search every pair until it is there, with the same answers.
    filter: OnceLock<PairFilter>,
    /// Every pair's rows by its key, behind the filter: one probe where the pairs that pass
    /// are searched. Built only once [`MAP_AFTER_SEARCHES`] pairs have been searched, on a
    /// thread of its own (lookups search until it is there): it holds
    /// 16 bytes a pair and half as many again (51 MiB for the full table), which pays on claims
    /// of many edits (1.2–1.3× faster on claims of random PTP pairs) and not on real visits,
    /// whose few codes stay in cache.
    map: PairMap,
}

/// Pairs searched (that passed the filter) before the map of every pair is built.
const MAP_AFTER_SEARCHES: u64 = 1 << 18;

/// The map of every pair to its rows, built when the searches say it pays.
#[derive(Debug, Default)]
struct PairMap {
    rows: OnceLock<PairSlots>,
    searched: AtomicU64,
    building: AtomicBool,
    /// The table as [`PairEdits::index_pairs`] shared it, for the thread that builds the map.
    shared: OnceLock<Weak<PairEdits>>,
}

// Derived from the table's other fields, and built again when wanted.
impl Clone for PairMap {
    fn clone(&self) -> PairMap {
        PairMap::default()
    }
}

impl PartialEq for PairMap {
    fn eq(&self, _: &PairMap) -> bool {
        true
    }
}

/// The pairs of a table by their two codes, as a filter.
#[derive(Debug, Clone, Default)]
struct PairFilter {
    /// Which keys the table holds, to within 0.4% (no false negatives), in 9 bits a pair: small
    /// enough to stay in cache, so that the pairs of a claim without an edit, most of them,
    /// are answered without a search of the sorted lists. `None` if it could not be built
    /// (then every pair is searched).
    filter: Option<xorf::BinaryFuse8>,
}

impl PairFilter {
    /// Whether the table may hold the pair: `false` only when it does not.
    fn may_hold(&self, key: u64) -> bool {
        use xorf::Filter;
        self.filter.as_ref().is_none_or(|f| f.contains(&key))
    }
}

// Derived from the table's other fields, so a table equals another when those do.
impl PartialEq for PairFilter {
    fn eq(&self, _: &PairFilter) -> bool {
        true
    }
}

/// Tables with fewer pairs than this have their pair index built at once: it takes under a
/// millisecond.
const PAIR_INDEX_AT_ONCE: usize = 1 << 16;

/// The key of an ordered pair of codes in [`PairEdits`]' pair index.
fn pair_key(column1: Code, column2: Code) -> u64 {
    numbers_key(column1.number(), column2.number())
}

/// The key of an ordered pair of codes given by their numbers ([`Code::number`]).
fn numbers_key(column1: u32, column2: u32) -> u64 {
    (u64::from(column1) << 32) | u64::from(column2)
}

/// A code with its number ([`Code::number`]), worked out once for the many pairs of a claim's
/// lines it is in ([`PairEdits::each_in_force`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NumberedCode {
    code: Code,
    // Always `code.number()`: made only by `new`, so that a pair's key is always its codes'.
    number: u32,
}

impl NumberedCode {
    /// The code, numbered.
    pub fn new(code: Code) -> NumberedCode {
        NumberedCode {
            code,
            number: code.number(),
        }
    }
}

/// The edits whose column-1 code is one code: a sorted list of column-2 codes.
#[derive(Debug, Clone, Copy)]
pub struct Column1Edits<'t> {
    table: &'t PairEdits,
    first_pair: u32,
    column2: &'t [Code],
}

impl<'t> Column1Edits<'t> {
    /// The row of the edit of this column-1 code and `column2` in force on `day`, with its
    /// index in the table.
    pub fn in_force(&self, column2: Code, day: Day) -> Option<(u32, &'t EditRow)> {
        let i = self.column2.binary_search(&column2).ok()?;
        self.table.row_in_force(self.first_pair + i as u32, day)
    }
}

impl PairEdits {
    /// The edits of a column-1 code; `None` when the code has none.
    pub fn column1(&self, code: Code) -> Option<Column1Edits<'_>> {
        let &(start, end) = self.by_column1.get(&code)?;
        Some(Column1Edits {
            table: self,
            first_pair: start,
            column2: &self.pair_column2[start as usize..end as usize],
        })
    }

    /// The row of the edit of `column1` with `column2` in force on `day`: the filter, then the
    /// map or a search of the column-1 code's list.
    pub fn in_force(&self, column1: Code, column2: Code, day: Day) -> Option<(u32, &EditRow)> {
        let key = pair_key(column1, column2);
        if let Some(filter) = self.filter.get() {
            if !filter.may_hold(key) {
                return None;
            }
        }
        match self.map.rows.get() {
            Some(map) => self.row_among(map.get(key)?, day),
            None => self.column1(column1)?.in_force(column2, day),
        }
    }

    /// The edits in force on `day` among many ordered pairs `(tag, column1, column2)`, in the
    /// order given: `found(tag, row)` for each pair that has one. The pairs are sifted through
    /// the filter a chunk at a time, in a tight loop whose memory reads overlap, so that the
    /// many pairs without an edit cost a read of the cached filter each; only those that pass
    /// are searched. The same answers as [`PairEdits::in_force`] pair by pair.
    pub fn each_in_force<'t, T: Copy + Default>(
        &'t self,
        pairs: impl IntoIterator<Item = (T, NumberedCode, NumberedCode)>,
        day: Day,
        mut found: impl FnMut(T, &'t EditRow),
    ) {
        const CHUNK: usize = 32;
        let Some(index) = self.filter.get() else {
            for (tag, column1, column2) in pairs {
                if let Some((_, row)) = self.in_force(column1.code, column2.code, day) {
                    found(tag, row);
                }
            }
            return;
        };
        let mut pairs = pairs.into_iter();
        loop {
            let mut tags = [T::default(); CHUNK];
            let mut keys = [0u64; CHUNK];
            let mut codes = [(Code::MIN, Code::MIN); CHUNK];
            let mut n = 0;
            for (tag, column1, column2) in pairs.by_ref().take(CHUNK) {
                tags[n] = tag;
                keys[n] = numbers_key(column1.number, column2.number);
                codes[n] = (column1.code, column2.code);
                n += 1;
            }
            let mut passed = [true; CHUNK];
            if let Some(filter) = &index.filter {
                use xorf::Filter;
                for (pass, key) in passed.iter_mut().zip(&keys[..n]) {
                    *pass = filter.contains(key);
                }
            }
            if let Some(map) = self.map.rows.get() {
                // The pairs that passed probed first, their rows read in a second pass: the
                // two passes' reads do not wait for each other.
                let mut rows = [None; CHUNK];
                for j in (0..n).filter(|&j| passed[j]) {
                    rows[j] = map.get(keys[j]);
                }
                for j in 0..n {
                    if let Some((_, row)) = rows[j].and_then(|r| self.row_among(r, day)) {
                        found(tags[j], row);
                    }
                }
            } else {
                let mut searched = 0;
                for j in (0..n).filter(|&j| passed[j]) {
                    searched += 1;
                    let (column1, column2) = codes[j];
                    let row = self.column1(column1).and_then(|g| g.in_force(column2, day));
                    if let Some((_, row)) = row {
                        found(tags[j], row);
                    }
                }
                self.count_searches(searched);
            }
            if n < CHUNK {
                return;
            }
        }
    }

    /// Builds the pair index of a table just loaded and shares the table: a small table's at
    /// once, a large one's on a thread of its own (or at once, if no thread can start); none
    /// when the table has it already (read back from its compact form).
    pub fn index_pairs(table: PairEdits) -> Arc<PairEdits> {
        let table = Arc::new(table);
        let _ = table.map.shared.set(Arc::downgrade(&table));
        if table.filter.get().is_some() {
            return table;
        }
        if table.pair_column2.len() < PAIR_INDEX_AT_ONCE {
            table.build_pair_index();
            return table;
        }
        let shared = Arc::clone(&table);
        let spawned = std::thread::Builder::new()
            .name("claimrules-pair-index".into())
            .spawn(move || shared.build_pair_index());
        if spawned.is_err() {
            table.build_pair_index();
        }
        table
    }

    /// Waits until the pair filter is built (builds it now, if no thread is at it): for a
    /// test that must see the filter used from its first lookup.
    pub fn wait_for_index(&self) {
        self.build_pair_index();
    }

    /// Builds the map of every pair to its rows now, as the searches would once they pass
    /// [`MAP_AFTER_SEARCHES`]: for tests and benches that must see it used.
    pub fn build_pair_map(&self) {
        if self.pair_column2.len() > PairSlots::MOST_PAIRS {
            return;
        }
        self.map.rows.get_or_init(|| {
            let pairs = self.keyed_pairs().map(|(key, pair)| {
                let rows = |p: u32| self.pair_rows.get(p as usize).copied().unwrap_or(0);
                (key, rows(pair), rows(pair + 1))
            });
            PairSlots::build(self.pair_column2.len(), pairs)
        });
    }

    /// Counts pairs searched, and has the map built once they are enough: on a thread of its
    /// own, while lookups go on searching until it is there. Built on the worker that passed
    /// the mark, it held that worker's slice for a tenth of a second, and the slices judged
    /// after it waited to be written in order. A table not shared by
    /// [`PairEdits::index_pairs`], or with no thread to spare, has it built on the spot.
    fn count_searches(&self, searched: u64) {
        if searched == 0 {
            return;
        }
        let before = self.map.searched.fetch_add(searched, Ordering::Relaxed);
        if before + searched < MAP_AFTER_SEARCHES || self.map.building.swap(true, Ordering::Relaxed)
        {
            return;
        }
        if let Some(table) = self.map.shared.get().and_then(Weak::upgrade) {
            let spawned = std::thread::Builder::new()
                .name("claimrules-pair-map".into())
                .spawn(move || table.build_pair_map());
            if spawned.is_ok() {
                return;
            }
        }
        self.build_pair_map();
    }

    fn build_pair_index(&self) {
        self.filter.get_or_init(|| {
            let keys: Vec<u64> = self.keyed_pairs().map(|(key, _)| key).collect();
            PairFilter {
                filter: xorf::BinaryFuse8::try_from(&keys).ok(),
            }
        });
    }

    /// Every pair's key ([`pair_key`]) and index, in no particular order.
    fn keyed_pairs(&self) -> impl Iterator<Item = (u64, u32)> + Clone + '_ {
        self.by_column1
            .iter()
            .flat_map(move |(&column1, &(start, end))| {
                (start..end)
                    .map(move |pair| (pair_key(column1, self.pair_column2[pair as usize]), pair))
            })
    }

    /// The row in force on a day among a pair's rows: the one whose dates hold the day, the
    /// latest to take effect when several do.
    fn row_in_force(&self, pair: u32, day: Day) -> Option<(u32, &EditRow)> {
        let start = *self.pair_rows.get(pair as usize)?;
        let end = *self.pair_rows.get(pair as usize + 1)?;
        self.row_among((start, end), day)
    }

    /// The row in force on a day among rows `start..end` of one pair.
    fn row_among(&self, (start, end): (u32, u32), day: Day) -> Option<(u32, &EditRow)> {
        (start..end)
            .map(|r| (r, &self.rows[r as usize]))
            .filter(|(_, row)| row.in_force_on(day))
            .max_by_key(|(r, row)| (row.from, *r))
    }

    /// The rationale of a row.
    pub fn rationale(&self, row: &EditRow) -> &str {
        self.rationales
            .get(row.rationale as usize)
            .map_or("", |r| r)
    }

    /// The file a row was read from.
    pub fn file(&self, row: &EditRow) -> &str {
        self.files.get(row.file as usize).map_or("", |f| f)
    }

    /// How many rows the table holds.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// How many distinct ordered pairs of codes it holds.
    pub fn pairs(&self) -> usize {
        self.pair_column2.len()
    }

    /// Every row with its codes, in index order: for tools and tests that compare tables.
    pub fn iter(&self) -> impl Iterator<Item = (Code, Code, &EditRow)> + '_ {
        let mut groups: Vec<(Code, (u32, u32))> =
            self.by_column1.iter().map(|(c, r)| (*c, *r)).collect();
        groups.sort_unstable_by_key(|(_, (start, _))| *start);
        groups.into_iter().flat_map(move |(column1, (start, end))| {
            (start..end).flat_map(move |p| {
                let column2 = self.pair_column2[p as usize];
                let rows = self.pair_rows[p as usize]..self.pair_rows[p as usize + 1];
                rows.map(move |r| (column1, column2, &self.rows[r as usize]))
            })
        })
    }
}

/// Builds the index from rows in any order.
#[derive(Debug, Default)]
pub(crate) struct PairEditsBuilder {
    rows: Vec<(Code, Code, EditRow)>,
    rationales: Vec<Box<str>>,
    rationale_ids: HashMap<Box<str>, u16>,
    files: Vec<Box<str>>,
}

impl PairEditsBuilder {
    pub(crate) fn file(&mut self, name: &str) -> u16 {
        self.files.push(name.into());
        (self.files.len() - 1) as u16
    }

    /// The id of a rationale's text, interned: a table has a few dozen distinct rationales.
    pub(crate) fn rationale(&mut self, text: &str) -> Option<u16> {
        if let Some(&id) = self.rationale_ids.get(text) {
            return Some(id);
        }
        let id = u16::try_from(self.rationales.len()).ok()?;
        self.rationales.push(text.into());
        self.rationale_ids.insert(text.into(), id);
        Some(id)
    }

    pub(crate) fn push(&mut self, column1: Code, column2: Code, row: EditRow) {
        self.rows.push((column1, column2, row));
    }

    pub(crate) fn reserve(&mut self, rows: usize) {
        self.rows.reserve(rows);
    }

    /// Orders the rows by pair and deletion date and indexes them. Rows without an effective
    /// date (`from` = 0, the TSV layout) take effect the day after the pair's previous row was
    /// deleted.
    pub(crate) fn build(mut self) -> PairEdits {
        let pair = |(c1, c2, _): &(Code, Code, EditRow)| (*c1, *c2);
        let key = |(c1, c2, r): &(Code, Code, EditRow)| (*c1, *c2, r.until, r.from, r.file, r.line);
        if self.rows.is_sorted_by_key(pair) {
            // CMS files come sorted by column 1 and column 2: only each pair's few rows need
            // ordering by date, not the millions of rows as a whole.
            for run in self.rows.chunk_by_mut(|a, b| pair(a) == pair(b)) {
                if run.len() > 1 {
                    run.sort_unstable_by_key(key);
                }
            }
        } else {
            self.rows.sort_unstable_by_key(key);
        }
        let mut table = PairEdits {
            by_column1: FxHashMap::default(),
            pair_column2: Vec::new(),
            pair_rows: Vec::new(),
            rows: Vec::with_capacity(self.rows.len()),
            rationales: self.rationales,
            files: self.files,
            filter: OnceLock::new(),
            map: PairMap::default(),
        };
        let mut group_start = 0u32;
        let mut previous: Option<(Code, Code)> = None;
        let mut previous_until: Option<Day> = None;
        for (column1, column2, mut row) in self.rows {
            let same_pair = previous == Some((column1, column2));
            if !same_pair {
                if previous.map(|p| p.0) != Some(column1) {
                    if let Some((c1, _)) = previous {
                        table
                            .by_column1
                            .insert(c1, (group_start, table.pair_column2.len() as u32));
                    }
                    group_start = table.pair_column2.len() as u32;
                }
                table.pair_column2.push(column2);
                table.pair_rows.push(table.rows.len() as u32);
                previous = Some((column1, column2));
                previous_until = None;
            }
            if row.from == 0 {
                row.from = previous_until.map_or(0, |u| u.saturating_add(1));
            }
            previous_until = Some(row.until);
            table.rows.push(row);
        }
        if let Some((c1, _)) = previous {
            table
                .by_column1
                .insert(c1, (group_start, table.pair_column2.len() as u32));
        }
        table.pair_rows.push(table.rows.len() as u32);
        table
    }
}

/// A row of a table file that does not read, or a file that is not a table of the kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub file: String,
    /// 1-based; 0 for the file as a whole.
    pub line: u32,
    pub problem: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.file.is_empty() {
            // A summary of the rows not listed, or a problem with no file to name.
            f.write_str(&self.problem)
        } else if self.line == 0 {
            write!(f, "{}: {}", self.file, self.problem)
        } else {
            write!(f, "{}:{}: {}", self.file, self.line, self.problem)
        }
    }
}

/// Collects row errors up to a limit, counting the rest.
#[derive(Debug, Default)]
pub(crate) struct RowErrors {
    errors: Vec<RowError>,
    more: usize,
}

/// How many bad rows of one table are listed before the rest are counted.
const MAX_ROW_ERRORS: usize = 20;

impl RowErrors {
    pub(crate) fn push(&mut self, file: &str, line: u32, problem: String) {
        if self.errors.len() < MAX_ROW_ERRORS {
            self.errors.push(RowError {
                file: file.to_string(),
                line,
                problem,
            });
        } else {
            self.more += 1;
        }
    }

    pub(crate) fn into_result<T>(self, value: T) -> Result<T, Vec<RowError>> {
        if self.errors.is_empty() {
            return Ok(value);
        }
        let mut errors = self.errors;
        if self.more > 0 {
            errors.push(RowError {
                file: String::new(),
                line: 0,
                problem: format!("and {} more rows like these", self.more),
            });
        }
        Err(errors)
    }
}

/// Text of a field that may be Latin-1 (CMS publishes in it): UTF-8 when it is, else each
/// byte as its Latin-1 character.
pub(crate) fn latin1(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.into(),
        Err(_) => bytes
            .iter()
            .map(|&b| char::from(b))
            .collect::<String>()
            .into(),
    }
}

/// The names of a header's columns for an error that says which are missing: the first 40
/// named, in backticks, and how many more; a hostile header can have any number of columns.
pub(crate) fn header_names_shown<'n>(names: impl Iterator<Item = &'n str>) -> String {
    const SHOWN: usize = 40;
    let names: Vec<&str> = names.filter(|n| !n.is_empty()).collect();
    let mut shown: Vec<String> = names.iter().take(SHOWN).map(|n| format!("`{n}`")).collect();
    if names.len() > SHOWN {
        shown.push(format!("and {} more", names.len() - SHOWN));
    }
    shown.join(", ")
}

/// CSV text with `\r\n` line ends made `\n`: the `csv` crate counts a CRLF line end as no
/// line at all, so a row's reported line would drift by one for every row above it.
pub(crate) fn unix_line_ends(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains('\r') {
        text.replace("\r\n", "\n").into()
    } else {
        text.into()
    }
}

/// The rows of a CMS table published as text, read as CSV: UTF-8 or Latin-1, `\r\n` or `\n`
/// line ends, cells trimmed, rows of any width, each row with its 1-based line.
pub(crate) struct CsvRows<'f> {
    file: &'f DataFile,
    reader: csv::Reader<std::io::Cursor<Vec<u8>>>,
    /// The row read last, its buffers used again for the next: the records iterator made two
    /// blocks a row (300,000 for the MUE file, a tenth of a load).
    record: csv::StringRecord,
}

impl<'f> CsvRows<'f> {
    /// The rows of a file split by `delimiter`, or, without one, by its [`separator`].
    pub(crate) fn new(file: &'f DataFile, delimiter: Option<u8>) -> CsvRows<'f> {
        let text = unix_line_ends(&latin1(&file.bytes)).into_owned();
        let delimiter = delimiter.unwrap_or_else(|| separator(&text));
        let reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(std::io::Cursor::new(text.into_bytes()));
        CsvRows {
            file,
            reader,
            record: csv::StringRecord::new(),
        }
    }

    /// The next row that parses, with its line; a row that does not is reported and skipped.
    pub(crate) fn next_row(&mut self, errors: &mut RowErrors) -> Option<(u32, &csv::StringRecord)> {
        loop {
            match self.reader.read_record(&mut self.record) {
                Ok(false) => return None,
                Ok(true) => {
                    let number = self.record.position().map_or(0, |p| p.line()) as u32;
                    return Some((number, &self.record));
                }
                Err(e) => {
                    let number = e.position().map_or(0, |p| p.line()) as u32;
                    errors.push(&self.file.path, number, e.to_string());
                }
            }
        }
    }
}

/// The separator of a CMS file published either way: a tab when one of its first lines holds
/// one (its preamble may hold commas in prose), else a comma.
pub(crate) fn separator(text: &str) -> u8 {
    if text.lines().take(20).any(|l| l.contains('\t')) {
        b'\t'
    } else {
        b','
    }
}

/// A header cell as compared: upper case, words only, one space between them (`CO-` is `CO`,
/// `Add-on Code` is `ADD ON CODE`), so a column is found by its name however CMS punctuates or
/// capitalizes it that quarter.
pub(crate) fn header_name(text: &str) -> String {
    let mut name = String::with_capacity(text.len());
    for word in text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !name.is_empty() {
            name.push(' ');
        }
        name.push_str(&word.to_ascii_uppercase());
    }
    name
}

/// The lines of a file with their 1-based numbers, without their `\n` or `\r\n`.
pub(crate) fn lines(bytes: &[u8]) -> impl Iterator<Item = (u32, &[u8])> {
    let bytes = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    bytes
        .split(|&b| b == b'\n')
        .enumerate()
        .map(|(i, l)| ((i + 1) as u32, l.strip_suffix(b"\r").unwrap_or(l)))
        .filter(|(_, l)| !(l.is_empty() && bytes.is_empty()))
}

/// A `YYYYMMDD` date as a day; `None` when it is not one.
pub(crate) fn parse_yyyymmdd(text: &[u8]) -> Option<Day> {
    if text.len() != 8 || !text.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| {
        text[r]
            .iter()
            .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'))
    };
    let date = Date::from_ymd_opt(n(0..4) as i32, n(4..6), n(6..8))?;
    Some(day(date))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> Code {
        Code::parse(s).unwrap()
    }

    fn d(s: &str) -> Day {
        parse_yyyymmdd(s.as_bytes()).unwrap()
    }

    fn row(from: Day, until: Day, indicator: ModifierIndicator, line: u32) -> EditRow {
        EditRow {
            from,
            until,
            indicator,
            file: 0,
            rationale: 0,
            line,
        }
    }

    #[test]
    fn a_pairs_rows_follow_one_another_by_deletion_date() {
        let mut b = PairEditsBuilder::default();
        b.file("ptp.tsv");
        b.rationale("Misuse of column two code with column one code");
        // Deleted 2010-03-31, then in force again from 2011-01-01 (given), then open-ended.
        b.push(
            code("27093"),
            code("77002"),
            row(0, Day::MAX, ModifierIndicator::NotAllowed, 4),
        );
        b.push(
            code("27093"),
            code("77002"),
            row(0, d("20100331"), ModifierIndicator::Allowed, 3),
        );
        b.push(
            code("27093"),
            code("20610"),
            row(0, Day::MAX, ModifierIndicator::NotApplicable, 2),
        );
        let t = b.build();
        assert_eq!(t.len(), 3);
        assert_eq!(t.pairs(), 2);
        let on = |date: &str| {
            t.in_force(code("27093"), code("77002"), d(date))
                .map(|(_, r)| (r.indicator, r.line))
        };
        assert_eq!(on("20100331"), Some((ModifierIndicator::Allowed, 3)));
        assert_eq!(on("20100401"), Some((ModifierIndicator::NotAllowed, 4)));
        assert_eq!(
            t.in_force(code("77002"), code("27093"), d("20100331")),
            None
        );
        assert!(t.column1(code("99999")).is_none());
    }

    #[test]
    fn row_errors_list_twenty_and_count_the_rest() {
        let mut errors = RowErrors::default();
        for line in 1..=25 {
            errors.push("ptp.tsv", line, "bad".into());
        }
        let listed: Vec<String> = errors
            .into_result(())
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(listed.len(), 21);
        assert_eq!(listed[19], "ptp.tsv:20: bad");
        assert_eq!(listed[20], "and 5 more rows like these");
    }

    #[test]
    fn lines_strip_crlf_and_number_from_one() {
        let got: Vec<(u32, &[u8])> = lines(b"a\r\nb\n\nc").collect();
        assert_eq!(
            got,
            vec![
                (1, &b"a"[..]),
                (2, &b"b"[..]),
                (3, &b""[..]),
                (4, &b"c"[..])
            ]
        );
    }

    #[test]
    fn latin1_text_reads_as_its_characters() {
        assert_eq!(latin1(b"caf\xe9"), "café");
        assert_eq!(latin1("café".as_bytes()), "café");
    }
}
