//! The PostgreSQL store: the same tables on a shared server, written a batch at a time with one
//! statement per table (the batch's values as arrays, read back with `unnest`), so that a batch
//! costs a few round trips, not one per line.

use std::str::FromStr;
use std::time::Duration;

use postgres::error::SqlState;
use postgres::{Client, Config, NoTls};

use super::schema::{POSTGRES_MIGRATIONS, VERSION_TABLE};
use super::{check_version, refuse_foreign_tables};
use super::{
    joined_modifiers, last_of_each_id, members_of, Access, EachLine, RawLine, RawMember, ReadLine,
    Source, StoreCounts, StoreError,
};
use crate::history::{HistoryLine, RecordedClaim};

/// How long connecting may take when the connection string does not say.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a statement waits for another session's lock before the store is called locked.
const LOCK_WAIT: &str = "10s";

pub(super) struct PostgresStore {
    client: Client,
    shown: String,
    scratch: bool,
    /// Whether a scratch claim has the id of a recorded claim, whose lines a fetch must then
    /// hide; until one does, a fetch need not look each recorded line's claim up in the
    /// scratch.
    shadows: bool,
}

const LINE_COLUMNS: &str = "member_id, claim_id, line, to_char(service_date, 'YYYY-MM-DD'), \
                            code, modifiers, units, provider, place_of_service, status, denied_by";

impl PostgresStore {
    pub(super) fn open(
        url: &str,
        access: Access,
        shown: &str,
    ) -> Result<PostgresStore, StoreError> {
        let open_error = |reason: String| StoreError::Open {
            store: shown.to_string(),
            reason,
        };
        let mut config = Config::from_str(url)
            .map_err(|e| open_error(format!("the connection string does not read: {e}")))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        // A server that goes away mid-run is noticed, not waited on forever.
        config
            .keepalives(true)
            .keepalives_idle(Duration::from_secs(30));
        let client = config.connect(NoTls).map_err(|e| open_error(reason(&e)))?;
        let mut store = PostgresStore {
            client,
            shown: shown.to_string(),
            scratch: false,
            shadows: false,
        };
        store
            .client
            .batch_execute(&format!("SET lock_timeout = '{LOCK_WAIT}'"))
            .map_err(|e| store.error(e))?;
        match access {
            Access::ReadWrite | Access::Existing => store.migrate(access)?,
            Access::ReadOnly => store
                .client
                .batch_execute("SET default_transaction_read_only = on")
                .map_err(|e| store.error(e))?,
        }
        Ok(store)
    }

    fn error(&self, e: postgres::Error) -> StoreError {
        classify(&self.shown, &e)
    }

    pub(super) fn schema_version(&mut self) -> Result<u32, StoreError> {
        let shown = self.shown.clone();
        let row = self
            .client
            .query_one("SELECT to_regclass($1) IS NOT NULL", &[&VERSION_TABLE])
            .map_err(|e| classify(&shown, &e))?;
        let exists: bool = row.try_get(0).map_err(|e| classify(&shown, &e))?;
        if !exists {
            return Ok(0);
        }
        let row = self
            .client
            .query_one(
                &format!("SELECT coalesce(max(version), 0)::bigint FROM {VERSION_TABLE}"),
                &[],
            )
            .map_err(|e| classify(&shown, &e))?;
        let version: i64 = row.try_get(0).map_err(|e| classify(&shown, &e))?;
        Ok(u32::try_from(version).unwrap_or(u32::MAX))
    }

    /// Applies the migrations above the store's version in one transaction, under an advisory
    /// lock so that two programs opening a new database do not both create its tables.
    fn migrate(&mut self, access: Access) -> Result<(), StoreError> {
        let shown = self.shown.clone();
        let fail = |e: postgres::Error| classify(&shown, &e);
        let mut tx = self.client.transaction().map_err(fail)?;
        tx.execute(
            "SELECT pg_advisory_xact_lock(hashtext($1))",
            &[&VERSION_TABLE],
        )
        .map_err(fail)?;
        tx.batch_execute(&format!(
            "CREATE TABLE IF NOT EXISTS {VERSION_TABLE} (version INTEGER NOT NULL)"
        ))
        .map_err(fail)?;
        let row = tx
            .query_one(
                &format!("SELECT coalesce(max(version), 0)::bigint FROM {VERSION_TABLE}"),
                &[],
            )
            .map_err(fail)?;
        let found: i64 = row.try_get(0).map_err(fail)?;
        let found = u32::try_from(found).unwrap_or(u32::MAX);
        check_version(found, access, &shown)?;
        // Tables of the history's names that no claimrules made: a shared database may hold
        // other programs' tables, but not under these names.
        let ours: Vec<String> = tx
            .query(
                "SELECT t FROM unnest($1::text[]) AS t WHERE to_regclass(t) IS NOT NULL ORDER BY t",
                &[&["members", "claims", "lines"].as_slice()],
            )
            .map_err(fail)?
            .iter()
            .map(|row| row.try_get::<_, String>(0))
            .collect::<Result<_, _>>()
            .map_err(fail)?;
        refuse_foreign_tables(found, &ours, &shown)?;
        for (version, migration) in POSTGRES_MIGRATIONS.iter().enumerate().skip(found as usize) {
            tx.batch_execute(migration).map_err(fail)?;
            tx.execute(&format!("DELETE FROM {VERSION_TABLE}"), &[])
                .map_err(fail)?;
            let next = i32::try_from(version + 1).unwrap_or(i32::MAX);
            tx.execute(
                &format!("INSERT INTO {VERSION_TABLE} (version) VALUES ($1)"),
                &[&next],
            )
            .map_err(fail)?;
        }
        tx.commit().map_err(fail)
    }

    pub(super) fn start_scratch(&mut self) -> Result<(), StoreError> {
        self.client
            .batch_execute(
                "CREATE TEMP TABLE IF NOT EXISTS scratch_claims (
                    member_id TEXT NOT NULL, claim_id TEXT NOT NULL,
                    PRIMARY KEY (member_id, claim_id));
                 CREATE TEMP TABLE IF NOT EXISTS scratch_lines (
                    member_id TEXT NOT NULL, service_date DATE NOT NULL, claim_id TEXT NOT NULL,
                    line BIGINT NOT NULL, code TEXT NOT NULL, modifiers TEXT NOT NULL,
                    units BIGINT NOT NULL, provider TEXT, place_of_service TEXT,
                    status TEXT NOT NULL, denied_by TEXT,
                    PRIMARY KEY (member_id, service_date, claim_id, line));",
            )
            .map_err(|e| classify(&self.shown, &e))?;
        self.scratch = true;
        Ok(())
    }

    pub(super) fn fetch(
        &mut self,
        members: &[&str],
        read: &ReadLine<'_>,
    ) -> Result<Vec<(usize, HistoryLine)>, StoreError> {
        // `NOT EXISTS`, an anti-join on the scratch table's key: `NOT IN (SELECT …)` is hashed
        // only while the run's scratch claims fit in `work_mem`, and beyond that scans them
        // for every line.
        let sql = if self.scratch && !self.shadows {
            format!(
                "SELECT {LINE_COLUMNS} FROM lines WHERE member_id = ANY($1)
                 UNION ALL
                 SELECT {LINE_COLUMNS} FROM pg_temp.scratch_lines WHERE member_id = ANY($1)"
            )
        } else if self.scratch {
            format!(
                "SELECT {LINE_COLUMNS} FROM lines
                  WHERE member_id = ANY($1)
                    AND NOT EXISTS (SELECT 1 FROM pg_temp.scratch_claims s
                                     WHERE s.member_id = lines.member_id
                                       AND s.claim_id = lines.claim_id)
                 UNION ALL
                 SELECT {LINE_COLUMNS} FROM pg_temp.scratch_lines WHERE member_id = ANY($1)"
            )
        } else {
            format!("SELECT {LINE_COLUMNS} FROM lines WHERE member_id = ANY($1)")
        };
        let shown = self.shown.clone();
        let rows = self
            .client
            .query(&sql, &[&members])
            .map_err(|e| classify(&shown, &e))?;
        let mut lines = Vec::with_capacity(rows.len());
        for row in &rows {
            lines.extend(read(raw_line(row).map_err(|e| classify(&shown, &e))?)?);
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
        let fail = |e: postgres::Error| classify(&shown, &e);
        let claims = last_of_each_id(claims);
        let ids: Vec<&str> = claims.iter().map(|c| &*c.claim).collect();
        let member_of: Vec<&str> = claims.iter().map(|c| &*c.member).collect();
        let dates: Vec<String> = claims.iter().map(|c| c.date.to_string()).collect();
        let lines = LineColumns::of(&claims);
        let (claims_table, lines_table) = if scratch {
            ("pg_temp.scratch_claims", "pg_temp.scratch_lines")
        } else {
            ("claims", "lines")
        };
        let mut tx = self.client.transaction().map_err(fail)?;
        // A claim is known by its member and its id: the pairs of the batch, as two arrays.
        for table in [lines_table, claims_table] {
            tx.execute(
                &format!(
                    "DELETE FROM {table} AS t
                      USING unnest($1::text[], $2::text[]) AS k(m, c)
                      WHERE t.member_id = k.m AND t.claim_id = k.c"
                ),
                &[&member_of, &ids],
            )
            .map_err(fail)?;
        }
        let mut shadows = false;
        if scratch && !self.shadows {
            let row = tx
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM claims AS t
                                     JOIN unnest($1::text[], $2::text[]) AS k(m, c)
                                       ON t.member_id = k.m AND t.claim_id = k.c)",
                    &[&member_of, &ids],
                )
                .map_err(fail)?;
            shadows = row.try_get(0).map_err(fail)?;
        }
        if scratch {
            tx.execute(
                "INSERT INTO pg_temp.scratch_claims (member_id, claim_id)
                 SELECT m, c FROM unnest($1::text[], $2::text[]) AS k(m, c)",
                &[&member_of, &ids],
            )
            .map_err(fail)?;
        } else {
            let members = members_of(claims.iter().copied());
            let member_ids: Vec<&str> = members.keys().copied().collect();
            let birth_dates: Vec<Option<String>> =
                members.values().map(|(b, _)| b.clone()).collect();
            let sexes: Vec<Option<&str>> = members.values().map(|(_, s)| *s).collect();
            tx.execute(
                "INSERT INTO members (member_id, birth_date, sex)
                 SELECT m, b::date, s FROM unnest($1::text[], $2::text[], $3::text[]) AS t(m, b, s)
                 ON CONFLICT (member_id) DO UPDATE SET
                   birth_date = coalesce(excluded.birth_date, members.birth_date),
                   sex = coalesce(excluded.sex, members.sex)
                 WHERE (excluded.birth_date IS NOT NULL
                        AND excluded.birth_date IS DISTINCT FROM members.birth_date)
                    OR (excluded.sex IS NOT NULL AND excluded.sex IS DISTINCT FROM members.sex)",
                &[&member_ids, &birth_dates, &sexes],
            )
            .map_err(fail)?;
            tx.execute(
                "INSERT INTO claims (claim_id, member_id, service_date, source)
                 SELECT c, m, d::date, $4 FROM unnest($1::text[], $2::text[], $3::text[])
                   AS t(c, m, d)",
                &[&ids, &member_of, &dates, &source.as_str()],
            )
            .map_err(fail)?;
        }
        tx.execute(
            &format!(
                "INSERT INTO {lines_table} (claim_id, line, member_id, service_date, code,
                   modifiers, units, provider, place_of_service, status, denied_by)
                 SELECT c, l, m, d::date, code, mods, u, p, pos, st, den
                   FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[],
                               $6::text[], $7::bigint[], $8::text[], $9::text[], $10::text[],
                               $11::text[])
                     AS t(c, l, m, d, code, mods, u, p, pos, st, den)"
            ),
            &[
                &lines.claim,
                &lines.line,
                &lines.member,
                &lines.date,
                &lines.code,
                &lines.modifiers,
                &lines.units,
                &lines.provider,
                &lines.place_of_service,
                &lines.status,
                &lines.denied_by,
            ],
        )
        .map_err(fail)?;
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
        let fail = |e: postgres::Error| classify(&shown, &e);
        let known = self
            .client
            .query_opt(
                "SELECT to_char(birth_date, 'YYYY-MM-DD'), sex FROM members WHERE member_id = $1",
                &[&member],
            )
            .map_err(fail)?;
        let Some(known) = known else {
            return Ok(None);
        };
        let birth_date: Option<String> = known.try_get(0).map_err(fail)?;
        let sex: Option<String> = known.try_get(1).map_err(fail)?;
        let rows = self
            .client
            .query(
                &format!("SELECT {LINE_COLUMNS} FROM lines WHERE member_id = $1"),
                &[&member],
            )
            .map_err(fail)?;
        for row in &rows {
            each(raw_line(row).map_err(fail)?)?;
        }
        Ok(Some((birth_date, sex)))
    }

    pub(super) fn counts(&mut self) -> Result<StoreCounts, StoreError> {
        let shown = self.shown.clone();
        let fail = |e: postgres::Error| classify(&shown, &e);
        let row = self
            .client
            .query_one(
                "SELECT (SELECT count(*) FROM members), (SELECT count(*) FROM claims),
                        (SELECT count(*) FROM lines)",
                &[],
            )
            .map_err(fail)?;
        let count = |i: usize| {
            row.try_get::<_, i64>(i)
                .map(|n| u64::try_from(n).unwrap_or(0))
                .map_err(fail)
        };
        Ok(StoreCounts {
            members: count(0)?,
            claims: count(1)?,
            lines: count(2)?,
        })
    }
}

/// The lines of a batch, column by column, as the arrays one `INSERT … SELECT FROM unnest`
/// takes.
struct LineColumns<'c> {
    claim: Vec<&'c str>,
    line: Vec<i64>,
    member: Vec<&'c str>,
    date: Vec<String>,
    code: Vec<&'c str>,
    modifiers: Vec<String>,
    units: Vec<i64>,
    provider: Vec<Option<&'c str>>,
    place_of_service: Vec<Option<&'c str>>,
    status: Vec<&'static str>,
    denied_by: Vec<Option<&'c str>>,
}

impl<'c> LineColumns<'c> {
    fn of(claims: &[&'c RecordedClaim]) -> LineColumns<'c> {
        let count = claims.iter().map(|c| c.lines.len()).sum();
        let mut columns = LineColumns {
            claim: Vec::with_capacity(count),
            line: Vec::with_capacity(count),
            member: Vec::with_capacity(count),
            date: Vec::with_capacity(count),
            code: Vec::with_capacity(count),
            modifiers: Vec::with_capacity(count),
            units: Vec::with_capacity(count),
            provider: Vec::with_capacity(count),
            place_of_service: Vec::with_capacity(count),
            status: Vec::with_capacity(count),
            denied_by: Vec::with_capacity(count),
        };
        for claim in claims {
            for line in &claim.lines {
                columns.claim.push(&line.claim);
                columns.line.push(i64::from(line.line));
                columns.member.push(&claim.member);
                columns.date.push(line.date.to_string());
                columns.code.push(line.code.as_str());
                columns.modifiers.push(joined_modifiers(&line.modifiers));
                columns.units.push(i64::from(line.units));
                columns.provider.push(line.provider.as_deref());
                columns
                    .place_of_service
                    .push(line.place_of_service.as_deref());
                columns.status.push(line.status.as_str());
                columns.denied_by.push(line.denied_by.as_deref());
            }
        }
        columns
    }
}

fn raw_line(row: &postgres::Row) -> Result<RawLine<'_>, postgres::Error> {
    Ok(RawLine {
        member: row.try_get(0)?,
        claim: row.try_get(1)?,
        line: row.try_get(2)?,
        date: row.try_get(3)?,
        code: row.try_get(4)?,
        modifiers: row.try_get(5)?,
        units: row.try_get(6)?,
        provider: row.try_get(7)?,
        place_of_service: row.try_get(8)?,
        status: row.try_get(9)?,
        denied_by: row.try_get(10)?,
    })
}

/// A PostgreSQL error as the store's error.
fn classify(shown: &str, e: &postgres::Error) -> StoreError {
    let store = shown.to_string();
    match e.code() {
        Some(code) if *code == SqlState::LOCK_NOT_AVAILABLE => StoreError::Locked { store },
        Some(code)
            if *code == SqlState::READ_ONLY_SQL_TRANSACTION
                || *code == SqlState::INSUFFICIENT_PRIVILEGE =>
        {
            StoreError::ReadOnly {
                store,
                reason: reason(e),
            }
        }
        _ => StoreError::Failed {
            store,
            reason: reason(e),
        },
    }
}

/// The server's message when it gave one, else the client's; with the cause of a connection
/// error (`connection refused`), which the client's own message leaves out.
fn reason(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return db.message().to_string();
    }
    if e.is_closed() {
        return "the connection to the server was closed".to_string();
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        let more = cause.to_string();
        if !text.contains(&more) {
            text = format!("{text}: {more}");
        }
        source = cause.source();
    }
    text
}
