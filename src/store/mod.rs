//! The claim history store: members, their claims and the claims' lines, in SQLite (embedded,
//! the default) or PostgreSQL (shared by several machines), with one schema (docs/history.md).
//!
//! A [`Store`] is opened from a [`Location`] (`--history PATH` or `--history postgres://…`);
//! opening applies the schema's migrations ([`schema`]) and refuses a newer schema. It reads
//! the lines of many members at once ([`Store::fetch`]) and records judged or imported claims
//! a batch at a time, each batch in one transaction ([`Store::record`]): a claim is recorded
//! whole or not at all, and recording a claim id again replaces it. Claim values reach the
//! database only as statement parameters, never as SQL text.
//!
//! A run that judges claims without recording them still lets each claim see the claims before
//! it in the same input: [`Store::start_scratch`] keeps them in temporary tables of the
//! connection, which the database drops when the run ends.

mod import;
mod postgres;
pub mod schema;
mod sqlite;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;

pub use import::{import, ImportSummary};
pub use schema::SCHEMA_VERSION;

use crate::codes::{parse_date, Code, Modifier};
use crate::history::{HistoryLine, LineStatus, PatientHistory, RecordedClaim};

/// Where a history store is: what `--history` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// An SQLite database file, created when missing.
    Sqlite(PathBuf),
    /// A PostgreSQL connection string (`postgres://user@host:port/database`).
    Postgres(String),
}

impl Location {
    /// `postgres://…` and `postgresql://…` (in any case) name a PostgreSQL server; anything
    /// else is the path of an SQLite file.
    pub fn parse(text: &str) -> Location {
        if let Some((scheme, rest)) = text.split_once("://") {
            let scheme = scheme.to_ascii_lowercase();
            if scheme == "postgres" || scheme == "postgresql" {
                return Location::Postgres(format!("{scheme}://{rest}"));
            }
        }
        Location::Sqlite(PathBuf::from(text))
    }

    /// How messages name the store: the file's path, or the server's address without its
    /// password.
    pub fn shown(&self) -> String {
        match self {
            Location::Sqlite(path) => path.display().to_string(),
            Location::Postgres(url) => without_password(url),
        }
    }
}

/// A connection string with any password replaced by `***`.
fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((user, host)) => match user.split_once(':') {
            Some((name, _)) => format!("{name}:***@{host}"),
            None => authority.to_string(),
        },
        None => authority.to_string(),
    };
    let path = match path.split_once("password=") {
        Some((before, after)) => {
            let end = after.find('&').unwrap_or(after.len());
            format!("{before}password=***{}", &after[end..])
        }
        None => path.to_string(),
    };
    format!("{scheme}://{authority}{path}")
}

/// How a store is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Read and write; an SQLite file is created when missing, and the schema is brought up to
    /// date.
    ReadWrite,
    /// Read only (`history show`): the store must exist and be at this build's schema version.
    ReadOnly,
    /// Read and write a store that exists already (`check --history` without `--record`, which
    /// writes only to its own temporary tables): an SQLite file is not created, and a database
    /// without the history's tables is refused rather than given them.
    Existing,
}

/// Where a recorded claim came from, as the `claims.source` column keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// `history import`: a payer's past adjudications, every line paid.
    Import,
    /// `check --record`: judged by this program, denied lines recorded as denied.
    Check,
}

impl Source {
    fn as_str(self) -> &'static str {
        match self {
            Source::Import => "import",
            Source::Check => "check",
        }
    }
}

/// Why the history store cannot be used. In every variant, `store` names the store as
/// [`Location::shown`] gives it, `reason` is the database's own words, and `found` and `known`
/// are schema versions: the store's and this build's.
#[allow(missing_docs)]
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum StoreError {
    /// The database cannot be opened or reached.
    #[error("cannot open the history database `{store}`: {reason}")]
    #[diagnostic(
        code(claimrules::history::open),
        help("check the path or the connection string given to `--history`, and that the database server is running")
    )]
    Open { store: String, reason: String },
    /// Another program holds the database's write lock past the wait.
    #[error("the history database `{store}` is locked by another program")]
    #[diagnostic(
        code(claimrules::history::locked),
        help("wait for the other run to finish, or give this run a database of its own")
    )]
    Locked { store: String },
    /// The database, or its folder, cannot be written.
    #[error("the history database `{store}` is read-only: {reason}")]
    #[diagnostic(
        code(claimrules::history::read_only),
        help("give write access to the file and its folder, or judge without `--record`")
    )]
    ReadOnly { store: String, reason: String },
    /// The store was written by a newer claimrules.
    #[error(
        "the history database `{store}` is at schema version {found}; this claimrules knows versions up to {known}"
    )]
    #[diagnostic(
        code(claimrules::history::newer_schema),
        help("use the claimrules that wrote it, or a newer one; this one changes nothing in it")
    )]
    NewerSchema {
        store: String,
        found: u32,
        known: u32,
    },
    /// Read-only access to a store whose schema is older than this build's, or not there.
    #[error("the history database `{store}` is at schema version {found}, not {known}")]
    #[diagnostic(
        code(claimrules::history::older_schema),
        help("open it once with write access (`history import` or `check --history`) to bring it up to date")
    )]
    OlderSchema {
        store: String,
        found: u32,
        known: u32,
    },
    /// A row that this program did not write, or that was changed by hand.
    #[error("the history database `{store}` holds what it cannot read: {reason}")]
    #[diagnostic(
        code(claimrules::history::corrupt),
        help("the database was not written by claimrules, was changed by hand, or is damaged: restore it from a backup, or fix or delete what cannot be read")
    )]
    Corrupt { store: String, reason: String },
    /// A statement failed: a dropped connection, a full disk, a server error.
    #[error("the history database `{store}` failed: {reason}")]
    #[diagnostic(
        code(claimrules::history::failed),
        help("when it failed while recording, nothing of the batch that failed was recorded: run again once the database is back (recording replaces a claim of the same member and id, so nothing is recorded twice)")
    )]
    Failed { store: String, reason: String },
}

/// The lines a store holds for one member, and what it knows of the member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberHistory {
    /// The member id.
    pub member: String,
    /// The birth date last recorded for the member.
    pub birth_date: Option<crate::Date>,
    /// The sex last recorded for the member.
    pub sex: Option<String>,
    /// The member's lines, newest first (by date, then claim id and line, descending).
    pub lines: Vec<HistoryLine>,
}

/// A history store, open.
pub struct Store {
    backend: Backend,
    shown: String,
}

enum Backend {
    Sqlite(sqlite::SqliteStore),
    Postgres(Box<postgres::PostgresStore>),
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("at", &self.shown).finish()
    }
}

impl Store {
    /// Opens the store at `location`, bringing its schema up to date when `access` allows.
    pub fn open(location: &Location, access: Access) -> Result<Store, StoreError> {
        let shown = location.shown();
        if let Location::Sqlite(path) = location {
            check_sqlite_path(path, access, &shown)?;
        }
        let backend = match location {
            Location::Sqlite(path) => {
                Backend::Sqlite(sqlite::SqliteStore::open(path, access, &shown)?)
            }
            Location::Postgres(url) => Backend::Postgres(Box::new(postgres::PostgresStore::open(
                url, access, &shown,
            )?)),
        };
        let mut store = Store { backend, shown };
        if access == Access::ReadOnly {
            check_version(store.schema_version()?, access, &store.shown)?;
        }
        Ok(store)
    }

    /// Opens an SQLite store at `path` (a shorthand of [`Store::open`]).
    pub fn open_sqlite(path: &Path) -> Result<Store, StoreError> {
        Store::open(&Location::Sqlite(path.to_path_buf()), Access::ReadWrite)
    }

    /// How messages name this store.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// The schema version the store is at.
    pub fn schema_version(&mut self) -> Result<u32, StoreError> {
        match &mut self.backend {
            Backend::Sqlite(s) => s.schema_version(),
            Backend::Postgres(s) => s.schema_version(),
        }
    }

    /// The lines of each member named, oldest first, with the lines of the scratch tables when
    /// a scratch is started (and in place of recorded claims of the same id). A member with no
    /// line has an empty history.
    pub fn fetch(
        &mut self,
        members: &[&str],
    ) -> Result<BTreeMap<String, PatientHistory>, StoreError> {
        if members.is_empty() {
            return Ok(BTreeMap::new());
        }
        // Each row is read in place, its text borrowed from the database's buffer: a line costs
        // the allocations of its own `HistoryLine`, no more.
        let slot: FxHashMap<&str, usize> =
            members.iter().enumerate().map(|(i, m)| (*m, i)).collect();
        let shown = self.shown.as_str();
        let read = |raw: RawLine<'_>| -> Result<Option<(usize, HistoryLine)>, StoreError> {
            match slot.get(raw.member) {
                Some(&i) => Ok(Some((i, raw.into_line(shown)?))),
                None => Ok(None),
            }
        };
        let lines = match &mut self.backend {
            Backend::Sqlite(s) => s.fetch(members, &read)?,
            Backend::Postgres(s) => s.fetch(members, &read)?,
        };
        let mut grouped: Vec<Vec<HistoryLine>> = vec![Vec::new(); members.len()];
        for (i, line) in lines {
            grouped[i].push(line);
        }
        Ok(slot
            .into_iter()
            .map(|(member, i)| {
                let lines = std::mem::take(&mut grouped[i]);
                (member.to_string(), PatientHistory::new(lines))
            })
            .collect())
    }

    /// Records `claims` in one transaction: each replaces any claim of the same id. Either all
    /// are recorded or, on an error, none.
    pub fn record(&mut self, claims: &[RecordedClaim], source: Source) -> Result<(), StoreError> {
        if claims.is_empty() {
            return Ok(());
        }
        match &mut self.backend {
            Backend::Sqlite(s) => s.record(claims, source, false),
            Backend::Postgres(s) => s.record(claims, source, false),
        }
    }

    /// Makes temporary tables for the claims of a run that does not record: what
    /// [`Store::record_scratch`] puts there, [`Store::fetch`] reads besides the recorded lines,
    /// until the store is closed.
    pub fn start_scratch(&mut self) -> Result<(), StoreError> {
        match &mut self.backend {
            Backend::Sqlite(s) => s.start_scratch(),
            Backend::Postgres(s) => s.start_scratch(),
        }
    }

    /// Keeps `claims` in the scratch tables ([`Store::start_scratch`]), replacing scratch claims
    /// of the same id, and hiding recorded claims of the same id from [`Store::fetch`].
    pub fn record_scratch(&mut self, claims: &[RecordedClaim]) -> Result<(), StoreError> {
        if claims.is_empty() {
            return Ok(());
        }
        match &mut self.backend {
            Backend::Sqlite(s) => s.record(claims, Source::Check, true),
            Backend::Postgres(s) => s.record(claims, Source::Check, true),
        }
    }

    /// What the store holds for `member`, newest line first; `None` for a member it does not
    /// know.
    pub fn member_lines(&mut self, member: &str) -> Result<Option<MemberHistory>, StoreError> {
        let mut lines = Vec::new();
        let shown = &self.shown;
        let mut each = |raw: RawLine<'_>| -> Result<(), StoreError> {
            lines.push(raw.into_line(shown)?);
            Ok(())
        };
        let found = match &mut self.backend {
            Backend::Sqlite(s) => s.member(member, &mut each)?,
            Backend::Postgres(s) => s.member(member, &mut each)?,
        };
        let Some((birth_date, sex)) = found else {
            return Ok(None);
        };
        lines.sort_by(|a, b| (b.date, &b.claim, b.line).cmp(&(a.date, &a.claim, a.line)));
        let birth_date = match birth_date {
            Some(text) => Some(parse_date(&text).ok_or_else(|| StoreError::Corrupt {
                store: self.shown.clone(),
                reason: format!("member `{member}` has the birth date `{text}`"),
            })?),
            None => None,
        };
        Ok(Some(MemberHistory {
            member: member.to_string(),
            birth_date,
            sex,
            lines,
        }))
    }

    /// How many members, claims and lines the store holds.
    pub fn counts(&mut self) -> Result<StoreCounts, StoreError> {
        match &mut self.backend {
            Backend::Sqlite(s) => s.counts(),
            Backend::Postgres(s) => s.counts(),
        }
    }
}

/// Refuses a store whose schema is newer than this build's, and, for reading only (which
/// cannot migrate), one whose schema is older; a store without the history that must exist
/// (`Access::Existing`) is refused too.
fn check_version(found: u32, access: Access, shown: &str) -> Result<(), StoreError> {
    if access == Access::Existing && found == 0 {
        return Err(StoreError::Open {
            store: shown.to_string(),
            reason: "it holds no claimrules history; a run without `--record` reads a history \
                     that exists (`history import` or `check --record` makes one)"
                .to_string(),
        });
    }
    if found > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            store: shown.to_string(),
            found,
            known: SCHEMA_VERSION,
        });
    }
    if access == Access::ReadOnly && found < SCHEMA_VERSION {
        return Err(StoreError::OlderSchema {
            store: shown.to_string(),
            found,
            known: SCHEMA_VERSION,
        });
    }
    Ok(())
}

/// Refuses to give the history's tables to a database that holds tables of another program
/// under no claimrules schema version: its own tables may be what it is, or have our names.
fn refuse_foreign_tables(found: u32, tables: &[String], shown: &str) -> Result<(), StoreError> {
    if found > 0 || tables.is_empty() {
        return Ok(());
    }
    let listed: Vec<String> = tables.iter().take(5).map(|t| format!("`{t}`")).collect();
    Err(StoreError::Open {
        store: shown.to_string(),
        reason: format!(
            "it holds tables ({}) but no claimrules schema version: it is not a claimrules \
             history, and claimrules leaves it as it is",
            listed.join(", ")
        ),
    })
}

/// Refuses an SQLite path that cannot name a database file, before SQLite reads it its own way
/// (an empty name would open a throwaway database).
fn check_sqlite_path(path: &Path, access: Access, shown: &str) -> Result<(), StoreError> {
    let refuse = |reason: String| {
        Err(StoreError::Open {
            store: shown.to_string(),
            reason,
        })
    };
    if path.as_os_str().is_empty() {
        return refuse("no file is named: give `--history` a file path".to_string());
    }
    let text = path.to_string_lossy();
    // SQLite reads these as an in-memory database or a URI, which would put the history
    // somewhere else than a file of that name, or nowhere.
    if text == ":memory:" || text.starts_with("file:") {
        return refuse(format!(
            "`{text}` is an SQLite in-memory name or URI, not a file path; write `./{text}` for a \
             file of that name"
        ));
    }
    if let Ok(metadata) = std::fs::metadata(path) {
        if !metadata.is_file() {
            return refuse(if metadata.is_dir() {
                "it is a folder, not a database file".to_string()
            } else {
                "it is not a regular file (a device, a pipe or a socket)".to_string()
            });
        }
    } else if access == Access::Existing {
        return refuse(
            "there is no such file; a run without `--record` reads a history that exists \
             (`history import` or `check --record` makes one)"
                .to_string(),
        );
    }
    if access == Access::ReadWrite && !path.exists() {
        if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            if !folder.is_dir() {
                return refuse(format!(
                    "the folder `{}` does not exist; create it first",
                    folder.display()
                ));
            }
        }
    }
    Ok(())
}

/// How much a store holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct StoreCounts {
    /// Members with at least one recorded claim.
    pub members: u64,
    /// Claims recorded.
    pub claims: u64,
    /// Their lines.
    pub lines: u64,
}

/// A member as the database gives it: birth date and sex as stored.
type RawMember = (Option<String>, Option<String>);

/// How a fetch reads each row: the slot of its member among those asked for (`None` for
/// another member's) and its line.
type ReadLine<'f> = dyn Fn(RawLine<'_>) -> Result<Option<(usize, HistoryLine)>, StoreError> + 'f;

/// What a backend's row reader is given, one line at a time.
type EachLine<'f> = dyn FnMut(RawLine<'_>) -> Result<(), StoreError> + 'f;

/// One line as a database row gives it, its text borrowed from the row, before its values are
/// checked.
struct RawLine<'r> {
    member: &'r str,
    claim: &'r str,
    line: i64,
    date: &'r str,
    code: &'r str,
    modifiers: &'r str,
    units: i64,
    provider: Option<&'r str>,
    place_of_service: Option<&'r str>,
    status: &'r str,
    denied_by: Option<&'r str>,
}

impl RawLine<'_> {
    /// The line; an error names the row that does not read.
    fn into_line(self, store: &str) -> Result<HistoryLine, StoreError> {
        let at = || format!("claim `{}` line {}", self.claim, self.line);
        let bad = |what: String| StoreError::Corrupt {
            store: store.to_string(),
            reason: what,
        };
        let date = parse_date(self.date)
            .ok_or_else(|| bad(format!("{} has the date `{}`", at(), self.date)))?;
        let code = Code::parse(self.code)
            .ok_or_else(|| bad(format!("{} has the code `{}`", at(), self.code)))?;
        let modifiers = split_modifiers(self.modifiers)
            .ok_or_else(|| bad(format!("{} has the modifiers `{}`", at(), self.modifiers)))?;
        let status = LineStatus::parse(self.status)
            .ok_or_else(|| bad(format!("{} has the status `{}`", at(), self.status)))?;
        let line = u32::try_from(self.line).map_err(|_| {
            bad(format!(
                "claim `{}` has the line number {}",
                self.claim, self.line
            ))
        })?;
        let units = u32::try_from(self.units)
            .map_err(|_| bad(format!("{} has {} units", at(), self.units)))?;
        Ok(HistoryLine {
            claim: self.claim.into(),
            line,
            date,
            code,
            modifiers,
            units,
            provider: self.provider.map(Into::into),
            place_of_service: self.place_of_service.map(Into::into),
            status,
            denied_by: self.denied_by.map(Into::into),
        })
    }
}

/// A line's modifiers as the `modifiers` column keeps them: `26,59`, empty for none.
fn joined_modifiers(modifiers: &[Modifier]) -> String {
    modifiers
        .iter()
        .map(Modifier::as_str)
        .collect::<Vec<_>>()
        .join(",")
}

fn split_modifiers(text: &str) -> Option<Vec<Modifier>> {
    if text.is_empty() {
        return Some(Vec::new());
    }
    text.split(',').map(Modifier::parse).collect()
}

/// The members of a batch of recorded claims, each once with the last birth date and sex any
/// of its claims gives, so that one statement can write them all.
fn members_of<'c>(
    claims: impl IntoIterator<Item = &'c RecordedClaim>,
) -> BTreeMap<&'c str, (Option<String>, Option<&'static str>)> {
    let mut members: BTreeMap<&str, (Option<String>, Option<&'static str>)> = BTreeMap::new();
    for claim in claims {
        let entry = members.entry(&claim.member).or_default();
        if let Some(date) = claim.birth_date {
            entry.0 = Some(date.to_string());
        }
        if claim.sex.is_some() {
            entry.1 = claim.sex;
        }
    }
    members
}

/// A claim (a member and a claim id) appears once in a batch, the last time it is given:
/// recording replaces a member's claim of the same id.
/// They come in the order of their members (then of their ids), so that the rows of a member
/// are written together: an index by member then takes each of its pages once in a batch, not
/// once for every claim that lands on it.
fn last_of_each_id(claims: &[RecordedClaim]) -> Vec<&RecordedClaim> {
    let mut last: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for (i, claim) in claims.iter().enumerate() {
        last.insert((&claim.member, &claim.claim), i);
    }
    let mut kept: Vec<&RecordedClaim> = claims
        .iter()
        .enumerate()
        .filter(|(i, claim)| last.get(&(&*claim.member, &*claim.claim)) == Some(i))
        .map(|(_, claim)| claim)
        .collect();
    kept.sort_unstable_by(|a, b| (&a.member, &a.claim).cmp(&(&b.member, &b.claim)));
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_is_never_shown() {
        assert_eq!(
            without_password("postgres://claims:s3cret@db.example:5432/history"),
            "postgres://claims:***@db.example:5432/history"
        );
        assert_eq!(
            without_password("postgresql://db/history?user=a&password=s3cret&sslmode=disable"),
            "postgresql://db/history?user=a&password=***&sslmode=disable"
        );
        assert_eq!(
            without_password("postgres://claims@db/history"),
            "postgres://claims@db/history"
        );
    }

    #[test]
    fn a_location_is_a_server_only_by_its_scheme() {
        assert_eq!(
            Location::parse("history.db"),
            Location::Sqlite(PathBuf::from("history.db"))
        );
        assert!(matches!(
            Location::parse("postgresql://localhost/h"),
            Location::Postgres(_)
        ));
    }

    fn claim(member: &str, id: &str, date: &str, codes: &[&str]) -> RecordedClaim {
        let date = parse_date(date).unwrap();
        RecordedClaim {
            member: member.into(),
            claim: id.into(),
            date,
            birth_date: None,
            sex: None,
            lines: codes
                .iter()
                .enumerate()
                .map(|(i, code)| HistoryLine {
                    claim: id.into(),
                    line: i as u32 + 1,
                    date,
                    code: Code::parse(code).unwrap(),
                    modifiers: Vec::new(),
                    units: 1,
                    provider: Some("1234567893".into()),
                    place_of_service: None,
                    status: LineStatus::Paid,
                    denied_by: None,
                })
                .collect(),
        }
    }

    fn codes(history: &PatientHistory) -> Vec<(String, String)> {
        history
            .lines()
            .iter()
            .map(|l| (l.claim.to_string(), l.code.as_str().to_string()))
            .collect()
    }

    #[test]
    fn a_fetch_sees_the_scratch_and_hides_recorded_claims_it_holds_again() {
        let path = std::env::temp_dir().join(format!(
            "claimrules-store-test-{}-{:?}.db",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_file(&path);
        let mut store = Store::open_sqlite(&path).unwrap();
        store
            .record(
                &[
                    claim("M1", "A", "2025-01-01", &["99213"]),
                    claim("M2", "B", "2025-01-02", &["20610"]),
                ],
                Source::Import,
            )
            .unwrap();
        store.start_scratch().unwrap();
        // A new claim id: the recorded lines and the scratch's both.
        store
            .record_scratch(&[claim("M1", "C", "2025-02-01", &["99214"])])
            .unwrap();
        let seen = store.fetch(&["M1", "M2", "M3", "M1"]).unwrap();
        assert_eq!(seen.len(), 3);
        assert_eq!(
            codes(&seen["M1"]),
            [("A".into(), "99213".into()), ("C".into(), "99214".into())]
        );
        assert_eq!(codes(&seen["M2"]), [("B".into(), "20610".into())]);
        assert!(seen["M3"].is_empty());
        // A recorded claim judged again (its member and id): its recorded lines are hidden.
        // The same id for another member is another claim, and hides nothing.
        store
            .record_scratch(&[
                claim("M1", "A", "2025-03-01", &["G0438"]),
                claim("M2", "C", "2025-03-02", &["99215"]),
            ])
            .unwrap();
        let seen = store.fetch(&["M1", "M2"]).unwrap();
        assert_eq!(
            codes(&seen["M1"]),
            [("C".into(), "99214".into()), ("A".into(), "G0438".into())]
        );
        assert_eq!(
            codes(&seen["M2"]),
            [("B".into(), "20610".into()), ("C".into(), "99215".into())]
        );
        drop(store);
        for end in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{end}", path.display()));
        }
    }

    #[test]
    fn modifiers_round_trip_through_their_column() {
        let mods = split_modifiers("26,LT").unwrap();
        assert_eq!(joined_modifiers(&mods), "26,LT");
        assert_eq!(split_modifiers(""), Some(Vec::new()));
        assert_eq!(split_modifiers("26;DROP"), None);
    }
}
