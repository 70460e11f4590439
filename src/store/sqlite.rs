//! The SQLite store: one file, in WAL mode so that readers do not wait for a run that records,
//! opened with a wait for another writer's lock before it is called locked.

use std::path::Path;
use std::time::Duration;

use rusqlite::types::Type;
use rusqlite::{params, Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior};

use super::schema::{SCHEMA_VERSION, SQLITE_MIGRATIONS, VERSION_TABLE};
use super::{check_version, refuse_foreign_tables};
use super::{
    joined_modifiers, last_of_each_id, members_of, Access, EachLine, RawLine, RawMember, ReadLine,
    Source, StoreCounts, StoreError,
};
use crate::history::{HistoryLine, RecordedClaim};

/// How long a statement waits for another program's lock before the store is called locked.
const LOCK_WAIT: Duration = Duration::from_secs(10);

/// The page cache of the database, in KiB.
const CACHE_KIB: u32 = 32 << 10;
/// The page cache of the run's scratch tables, in KiB: beyond it they spill to a file.
const SCRATCH_CACHE_KIB: u32 = 16 << 10;
/// The WAL's size, in pages, at which it is copied back into the database.
const CHECKPOINT_PAGES: u32 = 16_384;

pub(super) struct SqliteStore {
    connection: Connection,
    shown: String,
    scratch: bool,
    /// Whether a scratch claim has the id of a recorded claim, whose lines a fetch must then
    /// hide; until one does, a fetch need not look each recorded line's claim up in the
    /// scratch.
    shadows: bool,
}

const LINE_COLUMNS: &str = "member_id, claim_id, line, service_date, code, modifiers, units, \
                            provider, place_of_service, status, denied_by";

impl SqliteStore {
    pub(super) fn open(
        path: &Path,
        access: Access,
        shown: &str,
    ) -> Result<SqliteStore, StoreError> {
        let flags = match access {
            Access::ReadWrite => OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
            Access::Existing => OpenFlags::SQLITE_OPEN_READ_WRITE,
            Access::ReadOnly => OpenFlags::SQLITE_OPEN_READ_ONLY,
        } | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if access == Access::ReadOnly && !path.is_file() {
            return Err(StoreError::Open {
                store: shown.to_string(),
                reason: if path.exists() {
                    "it is not a file".to_string()
                } else {
                    "there is no such file".to_string()
                },
            });
        }
        if path.is_dir() {
            return Err(StoreError::Open {
                store: shown.to_string(),
                reason: "it is a folder, not a database file".to_string(),
            });
        }
        let connection =
            Connection::open_with_flags(path, flags).map_err(|e| StoreError::Open {
                store: shown.to_string(),
                reason: reason(&e),
            })?;
        let mut store = SqliteStore {
            connection,
            shown: shown.to_string(),
            scratch: false,
            shadows: false,
        };
        store
            .connection
            .busy_timeout(LOCK_WAIT)
            .map_err(|e| store.error(e))?;
        if access != Access::ReadOnly {
            if store.connection.is_readonly("main").unwrap_or(false) {
                return Err(StoreError::ReadOnly {
                    store: shown.to_string(),
                    reason: "the file cannot be written".to_string(),
                });
            }
            // A store of a newer schema is refused before anything, the journal mode
            // included, is changed in its file.
            let found = store.schema_version()?;
            check_version(found, access, shown)?;
            refuse_foreign_tables(found, &store.other_tables()?, shown)?;
            // WAL lets `history show` and other readers read while a run records; NORMAL
            // syncing in WAL mode keeps every committed batch through a crash of the program.
            store
                .connection
                .pragma_update(None, "journal_mode", "WAL")
                .map_err(|e| store.error(e))?;
            store
                .connection
                .pragma_update(None, "synchronous", "NORMAL")
                .map_err(|e| store.error(e))?;
            // A run reads the lines of thousands of members a slice, scattered through the
            // file: a page cache of its own (bounded, so memory stays flat) keeps the indexes'
            // upper pages and recent pages in memory rather than read again from the file; the
            // run's scratch tables (`start_scratch`) get as much before they spill to a file.
            // The WAL is copied back to the file every CHECKPOINT_PAGES pages rather than 1000,
            // so that a page written by several slices is copied once.
            store
                .connection
                .execute_batch(&format!(
                    "PRAGMA main.cache_size = -{CACHE_KIB};
                     PRAGMA temp.cache_size = -{SCRATCH_CACHE_KIB};
                     PRAGMA wal_autocheckpoint = {CHECKPOINT_PAGES};"
                ))
                .map_err(|e| store.error(e))?;
            store.migrate()?;
        }
        Ok(store)
    }

    /// The tables of the file other than the version table.
    fn other_tables(&self) -> Result<Vec<String>, StoreError> {
        let mut statement = self
            .connection
            .prepare(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name <> ?1
                   AND name NOT LIKE 'sqlite_%' ORDER BY name",
            )
            .map_err(|e| self.error(e))?;
        let names = statement
            .query_map(params![VERSION_TABLE], |row| row.get::<_, String>(0))
            .map_err(|e| classify(&self.shown, e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| classify(&self.shown, e));
        names
    }

    fn error(&self, e: rusqlite::Error) -> StoreError {
        classify(&self.shown, e)
    }

    pub(super) fn schema_version(&mut self) -> Result<u32, StoreError> {
        let exists: bool = self
            .connection
            .query_row(
                "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = ?1",
                params![VERSION_TABLE],
                |row| row.get(0),
            )
            .map_err(|e| self.error(e))?;
        if !exists {
            return Ok(0);
        }
        let version: Option<i64> = self
            .connection
            .query_row(
                &format!("SELECT max(version) FROM {VERSION_TABLE}"),
                [],
                |row| row.get(0),
            )
            .optional()
            .map_err(|e| self.error(e))?
            .flatten();
        Ok(version.map_or(0, |v| u32::try_from(v).unwrap_or(u32::MAX)))
    }

    /// Applies the migrations above the store's version, in one transaction that holds the
    /// write lock from its start, so that two programs opening a new file do not both create it.
    fn migrate(&mut self) -> Result<(), StoreError> {
        let shown = self.shown.clone();
        let tx = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| classify(&shown, e))?;
        tx.execute_batch(&format!(
            "CREATE TABLE IF NOT EXISTS {VERSION_TABLE} (version INTEGER NOT NULL)"
        ))
        .map_err(|e| classify(&shown, e))?;
        let found: i64 = tx
            .query_row(
                &format!("SELECT coalesce(max(version), 0) FROM {VERSION_TABLE}"),
                [],
                |row| row.get(0),
            )
            .map_err(|e| classify(&shown, e))?;
        let found = u32::try_from(found).unwrap_or(u32::MAX);
        if found > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                store: shown,
                found,
                known: SCHEMA_VERSION,
            });
        }
        for (version, migration) in SQLITE_MIGRATIONS.iter().enumerate().skip(found as usize) {
            tx.execute_batch(migration)
                .map_err(|e| classify(&shown, e))?;
            tx.execute(&format!("DELETE FROM {VERSION_TABLE}"), [])
                .map_err(|e| classify(&shown, e))?;
            tx.execute(
                &format!("INSERT INTO {VERSION_TABLE} (version) VALUES (?1)"),
                params![version as i64 + 1],
            )
            .map_err(|e| classify(&shown, e))?;
        }
        tx.commit().map_err(|e| classify(&shown, e))
    }

    pub(super) fn start_scratch(&mut self) -> Result<(), StoreError> {
        self.connection
            .execute_batch(
                "CREATE TEMP TABLE IF NOT EXISTS scratch_claims (
                    member_id TEXT NOT NULL, claim_id TEXT NOT NULL,
                    PRIMARY KEY (member_id, claim_id)) WITHOUT ROWID;
                 CREATE TEMP TABLE IF NOT EXISTS scratch_lines (
                    member_id TEXT NOT NULL, service_date TEXT NOT NULL, claim_id TEXT NOT NULL,
                    line INTEGER NOT NULL, code TEXT NOT NULL, modifiers TEXT NOT NULL,
                    units INTEGER NOT NULL, provider TEXT, place_of_service TEXT,
                    status TEXT NOT NULL, denied_by TEXT,
                    PRIMARY KEY (member_id, service_date, claim_id, line)) WITHOUT ROWID;",
            )
            .map_err(|e| self.error(e))?;
        self.scratch = true;
        Ok(())
    }

    pub(super) fn fetch(
        &mut self,
        members: &[&str],
        read: &ReadLine<'_>,
    ) -> Result<Vec<(usize, HistoryLine)>, StoreError> {
        let recorded = format!(
            "SELECT {LINE_COLUMNS} FROM lines WHERE member_id IN (SELECT value FROM json_each(?1))"
        );
        let scratch = format!(
            "SELECT {LINE_COLUMNS} FROM temp.scratch_lines
              WHERE member_id IN (SELECT value FROM json_each(?1))"
        );
        if self.scratch && self.shadows {
            // The recorded lines of a claim the scratch holds again are hidden.
            let sql = format!(
                "SELECT {LINE_COLUMNS} FROM lines
                  WHERE member_id IN (SELECT value FROM json_each(?1))
                    AND NOT EXISTS (SELECT 1 FROM temp.scratch_claims s
                                     WHERE s.member_id = lines.member_id
                                       AND s.claim_id = lines.claim_id)
                 UNION ALL {scratch}"
            );
            return query_lines(&self.connection, &self.shown, members, &sql, read);
        }
        // No scratch claim has a recorded claim's id: the recorded lines need no look-up.
        let mut lines = query_lines(&self.connection, &self.shown, members, &recorded, read)?;
        if self.scratch {
            lines.extend(query_lines(
                &self.connection,
                &self.shown,
                members,
                &scratch,
                read,
            )?);
        }
        Ok(lines)
    }

    pub(super) fn record(
        &mut self,
        claims: &[RecordedClaim],
        source: Source,
        scratch: bool,
    ) -> Result<(), StoreError> {
        let shown = self.shown.clone();
        let fail = |e| classify(&shown, e);
        let mut shadows = false;
        let tx = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(fail)?;
        {
            let (claims_table, lines_table) = if scratch {
                ("temp.scratch_claims", "temp.scratch_lines")
            } else {
                ("claims", "lines")
            };
            let mut delete_lines = tx
                .prepare_cached(&format!(
                    "DELETE FROM {lines_table} WHERE member_id = ?1 AND claim_id = ?2"
                ))
                .map_err(fail)?;
            let mut delete_claim = tx
                .prepare_cached(&format!(
                    "DELETE FROM {claims_table} WHERE member_id = ?1 AND claim_id = ?2"
                ))
                .map_err(fail)?;
            let mut insert_claim = if scratch {
                tx.prepare_cached(
                    "INSERT INTO temp.scratch_claims (member_id, claim_id) VALUES (?1, ?2)",
                )
            } else {
                tx.prepare_cached(
                    "INSERT INTO claims (claim_id, member_id, service_date, source)
                     VALUES (?1, ?2, ?3, ?4)",
                )
            }
            .map_err(fail)?;
            let mut insert_line = tx
                .prepare_cached(&format!(
                    "INSERT INTO {lines_table} (claim_id, line, member_id, service_date, code,
                       modifiers, units, provider, place_of_service, status, denied_by)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
                ))
                .map_err(fail)?;
            if !scratch {
                let mut upsert_member = tx
                    .prepare_cached(
                        "INSERT INTO members (member_id, birth_date, sex) VALUES (?1, ?2, ?3)
                         ON CONFLICT (member_id) DO UPDATE SET
                           birth_date = coalesce(excluded.birth_date, members.birth_date),
                           sex = coalesce(excluded.sex, members.sex)
                         WHERE (excluded.birth_date IS NOT NULL
                                AND excluded.birth_date IS NOT members.birth_date)
                            OR (excluded.sex IS NOT NULL AND excluded.sex IS NOT members.sex)",
                    )
                    .map_err(fail)?;
                for (member, (birth_date, sex)) in members_of(claims) {
                    upsert_member
                        .execute(params![member, birth_date, sex])
                        .map_err(fail)?;
                }
            }
            if scratch && !self.shadows {
                let mut recorded = tx
                    .prepare_cached(
                        "SELECT count(*) > 0 FROM claims WHERE member_id = ?1 AND claim_id = ?2",
                    )
                    .map_err(fail)?;
                for claim in claims {
                    let found: bool = recorded
                        .query_row(params![&*claim.member, &*claim.claim], |row| row.get(0))
                        .map_err(fail)?;
                    shadows |= found;
                }
            }
            for claim in last_of_each_id(claims) {
                let key = params![&*claim.member, &*claim.claim];
                delete_lines.execute(key).map_err(fail)?;
                delete_claim.execute(key).map_err(fail)?;
                let date = claim.date.to_string();
                if scratch {
                    insert_claim
                        .execute(params![&*claim.member, &*claim.claim])
                        .map_err(fail)?;
                } else {
                    insert_claim
                        .execute(params![
                            &*claim.claim,
                            &*claim.member,
                            date,
                            source.as_str()
                        ])
                        .map_err(fail)?;
                }
                for line in &claim.lines {
                    insert_line
                        .execute(params![
                            &*line.claim,
                            i64::from(line.line),
                            &*claim.member,
                            line.date.to_string(),
                            line.code.as_str(),
                            joined_modifiers(&line.modifiers),
                            i64::from(line.units),
                            line.provider.as_deref(),
                            line.place_of_service.as_deref(),
                            line.status.as_str(),
                            line.denied_by.as_deref(),
                        ])
                        .map_err(fail)?;
                }
            }
        }
        tx.commit().map_err(fail)?;
        self.shadows |= shadows;
        Ok(())
    }

    pub(super) fn member(
        &mut self,
        member: &str,
        each: &mut EachLine<'_>,
    ) -> Result<Option<RawMember>, StoreError> {
        let shown = self.shown.clone();
        let fail = |e| classify(&shown, e);
        let known: Option<(Option<String>, Option<String>)> = self
            .connection
            .query_row(
                "SELECT birth_date, sex FROM members WHERE member_id = ?1",
                params![member],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .map_err(fail)?;
        let Some((birth_date, sex)) = known else {
            return Ok(None);
        };
        let mut statement = self
            .connection
            .prepare_cached(&format!(
                "SELECT {LINE_COLUMNS} FROM lines WHERE member_id = ?1"
            ))
            .map_err(fail)?;
        let mut rows = statement.query(params![member]).map_err(fail)?;
        while let Some(row) = rows.next().map_err(fail)? {
            each(raw_line(row).map_err(fail)?)?;
        }
        Ok(Some((birth_date, sex)))
    }

    pub(super) fn counts(&mut self) -> Result<StoreCounts, StoreError> {
        let shown = self.shown.clone();
        self.connection
            .query_row(
                "SELECT (SELECT count(*) FROM members), (SELECT count(*) FROM claims),
                        (SELECT count(*) FROM lines)",
                [],
                |row| {
                    let count = |i| row.get::<_, i64>(i).map(|n| u64::try_from(n).unwrap_or(0));
                    Ok(StoreCounts {
                        members: count(0)?,
                        claims: count(1)?,
                        lines: count(2)?,
                    })
                },
            )
            .map_err(|e| classify(&shown, e))
    }
}

/// The lines `sql` gives for `members` (its one parameter, a JSON array of their ids, read back
/// by `json_each`: as many members as a slice holds, in one statement, with no SQL made from
/// their values), each as `read` takes it.
fn query_lines(
    connection: &Connection,
    shown: &str,
    members: &[&str],
    sql: &str,
    read: &ReadLine<'_>,
) -> Result<Vec<(usize, HistoryLine)>, StoreError> {
    let ids = serde_json::to_string(members).map_err(|e| StoreError::Failed {
        store: shown.to_string(),
        reason: e.to_string(),
    })?;
    let mut statement = connection
        .prepare_cached(sql)
        .map_err(|e| classify(shown, e))?;
    let mut rows = statement
        .query(params![ids])
        .map_err(|e| classify(shown, e))?;
    let mut lines = Vec::new();
    while let Some(row) = rows.next().map_err(|e| classify(shown, e))? {
        lines.extend(read(raw_line(row).map_err(|e| classify(shown, e))?)?);
    }
    Ok(lines)
}

fn raw_line<'r>(row: &'r rusqlite::Row<'_>) -> rusqlite::Result<RawLine<'r>> {
    Ok(RawLine {
        member: text(row, 0)?,
        claim: text(row, 1)?,
        line: row.get(2)?,
        date: text(row, 3)?,
        code: text(row, 4)?,
        modifiers: text(row, 5)?,
        units: row.get(6)?,
        provider: optional_text(row, 7)?,
        place_of_service: optional_text(row, 8)?,
        status: text(row, 9)?,
        denied_by: optional_text(row, 10)?,
    })
}

/// A text column, borrowed from the row.
fn text<'r>(row: &'r rusqlite::Row<'_>, i: usize) -> rusqlite::Result<&'r str> {
    row.get_ref(i)?
        .as_str()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, Type::Text, Box::new(e)))
}

/// A text column that may be null, borrowed from the row.
fn optional_text<'r>(row: &'r rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Option<&'r str>> {
    row.get_ref(i)?
        .as_str_or_null()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, Type::Text, Box::new(e)))
}

/// An SQLite error as the store's error: a lock held too long, a read-only file, a value of the
/// wrong type in a row, or a failure.
fn classify(shown: &str, e: rusqlite::Error) -> StoreError {
    let store = shown.to_string();
    match &e {
        rusqlite::Error::SqliteFailure(failure, _) => match failure.code {
            ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => StoreError::Locked { store },
            ErrorCode::ReadOnly | ErrorCode::PermissionDenied => StoreError::ReadOnly {
                store,
                reason: reason(&e),
            },
            ErrorCode::DatabaseCorrupt => StoreError::Corrupt {
                store,
                reason: format!("the file is damaged ({})", reason(&e)),
            },
            ErrorCode::CannotOpen | ErrorCode::NotADatabase => StoreError::Open {
                store,
                reason: reason(&e),
            },
            _ => StoreError::Failed {
                store,
                reason: reason(&e),
            },
        },
        rusqlite::Error::InvalidColumnType(..) | rusqlite::Error::FromSqlConversionFailure(..) => {
            StoreError::Corrupt {
                store,
                reason: format!("a column holds a value of the wrong type ({e})"),
            }
        }
        _ => StoreError::Failed {
            store,
            reason: reason(&e),
        },
    }
}

/// SQLite's message for an error, in lowercase words.
fn reason(e: &rusqlite::Error) -> String {
    match e {
        rusqlite::Error::SqliteFailure(_, Some(message)) => message.clone(),
        rusqlite::Error::SqliteFailure(failure, None) => failure.to_string(),
        other => other.to_string(),
    }
}
