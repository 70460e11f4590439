//! The SQLite store: one file, in WAL mode so that readers do not wait for a run that records,
//! opened with a wait for another writer's lock before it is called locked.

use std::path::Path;
use std::time::Duration;

use rusqlite::{params, Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior};

use super::schema::{SCHEMA_VERSION, SQLITE_MIGRATIONS, VERSION_TABLE};
use super::{
    joined_modifiers, last_of_each_id, members_of, Access, RawLine, RawMember, Source, StoreCounts,
    StoreError,
};
use crate::history::RecordedClaim;

/// How long a statement waits for another program's lock before the store is called locked.
const LOCK_WAIT: Duration = Duration::from_secs(10);

pub(super) struct SqliteStore {
    connection: Connection,
    shown: String,
    scratch: bool,
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
        };
        store
            .connection
            .busy_timeout(LOCK_WAIT)
            .map_err(|e| store.error(e))?;
        if access == Access::ReadWrite {
            if store.connection.is_readonly("main").unwrap_or(false) {
                return Err(StoreError::ReadOnly {
                    store: shown.to_string(),
                    reason: "the file cannot be written".to_string(),
                });
            }
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
            store.migrate()?;
        } else {
            let found = store.schema_version()?;
            if found > SCHEMA_VERSION {
                return Err(StoreError::NewerSchema {
                    store: shown.to_string(),
                    found,
                    known: SCHEMA_VERSION,
                });
            }
            if found < SCHEMA_VERSION {
                return Err(StoreError::OlderSchema {
                    store: shown.to_string(),
                    found,
                    known: SCHEMA_VERSION,
                });
            }
        }
        Ok(store)
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
                "CREATE TEMP TABLE IF NOT EXISTS scratch_claims (claim_id TEXT PRIMARY KEY);
                 CREATE TEMP TABLE IF NOT EXISTS scratch_lines (
                    claim_id TEXT NOT NULL, line INTEGER NOT NULL, member_id TEXT NOT NULL,
                    service_date TEXT NOT NULL, code TEXT NOT NULL, modifiers TEXT NOT NULL,
                    units INTEGER NOT NULL, provider TEXT, place_of_service TEXT,
                    status TEXT NOT NULL, denied_by TEXT, PRIMARY KEY (claim_id, line));
                 CREATE INDEX IF NOT EXISTS temp.scratch_lines_by_member
                    ON scratch_lines (member_id, service_date);",
            )
            .map_err(|e| self.error(e))?;
        self.scratch = true;
        Ok(())
    }

    pub(super) fn fetch(&mut self, members: &[&str]) -> Result<Vec<RawLine>, StoreError> {
        // One parameter, a JSON array of the member ids, read back by `json_each`: as many
        // members as a batch holds, in one statement, with no SQL made from their values.
        let ids = serde_json::to_string(members).map_err(|e| StoreError::Failed {
            store: self.shown.clone(),
            reason: e.to_string(),
        })?;
        let sql = if self.scratch {
            format!(
                "SELECT {LINE_COLUMNS} FROM lines
                  WHERE member_id IN (SELECT value FROM json_each(?1))
                    AND claim_id NOT IN (SELECT claim_id FROM temp.scratch_claims)
                 UNION ALL
                 SELECT {LINE_COLUMNS} FROM temp.scratch_lines
                  WHERE member_id IN (SELECT value FROM json_each(?1))"
            )
        } else {
            format!(
                "SELECT {LINE_COLUMNS} FROM lines
                  WHERE member_id IN (SELECT value FROM json_each(?1))"
            )
        };
        let mut statement = self
            .connection
            .prepare_cached(&sql)
            .map_err(|e| classify(&self.shown, e))?;
        let rows = statement
            .query_map(params![ids], raw_line)
            .map_err(|e| classify(&self.shown, e))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| classify(&self.shown, e))
    }

    pub(super) fn record(
        &mut self,
        claims: &[RecordedClaim],
        source: Source,
        scratch: bool,
    ) -> Result<(), StoreError> {
        let shown = self.shown.clone();
        let fail = |e| classify(&shown, e);
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
                .prepare_cached(&format!("DELETE FROM {lines_table} WHERE claim_id = ?1"))
                .map_err(fail)?;
            let mut delete_claim = tx
                .prepare_cached(&format!("DELETE FROM {claims_table} WHERE claim_id = ?1"))
                .map_err(fail)?;
            let mut insert_claim = if scratch {
                tx.prepare_cached("INSERT INTO temp.scratch_claims (claim_id) VALUES (?1)")
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
                           sex = coalesce(excluded.sex, members.sex)",
                    )
                    .map_err(fail)?;
                for (member, (birth_date, sex)) in members_of(claims) {
                    upsert_member
                        .execute(params![member, birth_date, sex])
                        .map_err(fail)?;
                }
            }
            for claim in last_of_each_id(claims) {
                delete_lines.execute(params![&*claim.claim]).map_err(fail)?;
                delete_claim.execute(params![&*claim.claim]).map_err(fail)?;
                let date = claim.date.to_string();
                if scratch {
                    insert_claim.execute(params![&*claim.claim]).map_err(fail)?;
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
        tx.commit().map_err(fail)
    }

    pub(super) fn member(&mut self, member: &str) -> Result<Option<RawMember>, StoreError> {
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
        let lines = statement
            .query_map(params![member], raw_line)
            .map_err(fail)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(fail)?;
        Ok(Some((birth_date, sex, lines)))
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

fn raw_line(row: &rusqlite::Row<'_>) -> rusqlite::Result<RawLine> {
    Ok(RawLine {
        member: row.get(0)?,
        claim: row.get(1)?,
        line: row.get(2)?,
        date: row.get(3)?,
        code: row.get(4)?,
        modifiers: row.get(5)?,
        units: row.get(6)?,
        provider: row.get(7)?,
        place_of_service: row.get(8)?,
        status: row.get(9)?,
        denied_by: row.get(10)?,
    })
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
