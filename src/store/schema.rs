//! The history schema, one list of migrations per database, and the version each ends at.
//!
//! A store records the version it is at in `claimrules_schema`. Opening a store applies every
//! migration above that version, in one transaction; a store at a version above
//! [`SCHEMA_VERSION`] was written by a newer claimrules and is refused, never changed.
//! docs/history.md documents the tables; the two dialects keep the same tables, columns and
//! indexes.

/// The schema version this build writes and reads.
pub const SCHEMA_VERSION: u32 = 1;

/// The statements that take an SQLite store from version `index` to `index + 1`.
pub const SQLITE_MIGRATIONS: &[&str] = &[
    // 1: members, their claims and the claims' lines. A claim is known by its member and its
    // id. The lines are kept in the order judging reads them, a member's lines by date, so
    // that a member's history is a page or two of the file (`WITHOUT ROWID`: the key is the
    // table's order).
    "CREATE TABLE members (
        member_id  TEXT PRIMARY KEY,
        birth_date TEXT,
        sex        TEXT
     ) WITHOUT ROWID;
     CREATE TABLE claims (
        member_id    TEXT NOT NULL REFERENCES members (member_id),
        claim_id     TEXT NOT NULL,
        service_date TEXT NOT NULL,
        source       TEXT NOT NULL CHECK (source IN ('import', 'check')),
        PRIMARY KEY (member_id, claim_id)
     ) WITHOUT ROWID;
     CREATE TABLE lines (
        member_id        TEXT NOT NULL,
        service_date     TEXT NOT NULL,
        claim_id         TEXT NOT NULL,
        line             INTEGER NOT NULL,
        code             TEXT NOT NULL,
        modifiers        TEXT NOT NULL,
        units            INTEGER NOT NULL,
        provider         TEXT,
        place_of_service TEXT,
        status           TEXT NOT NULL CHECK (status IN ('paid', 'denied')),
        denied_by        TEXT,
        PRIMARY KEY (member_id, service_date, claim_id, line),
        FOREIGN KEY (member_id, claim_id) REFERENCES claims (member_id, claim_id)
     ) WITHOUT ROWID;",
];

/// The statements that take a PostgreSQL store from version `index` to `index + 1`.
pub const POSTGRES_MIGRATIONS: &[&str] = &[
    // 1: as SQLite's, with dates as `date` and numbers as `bigint`; a member's lines are found
    // by the index on (member, date).
    "CREATE TABLE members (
        member_id  TEXT PRIMARY KEY,
        birth_date DATE,
        sex        TEXT
     );
     CREATE TABLE claims (
        member_id    TEXT NOT NULL REFERENCES members (member_id),
        claim_id     TEXT NOT NULL,
        service_date DATE NOT NULL,
        source       TEXT NOT NULL CHECK (source IN ('import', 'check')),
        PRIMARY KEY (member_id, claim_id)
     );
     CREATE TABLE lines (
        member_id        TEXT NOT NULL,
        service_date     DATE NOT NULL,
        claim_id         TEXT NOT NULL,
        line             BIGINT NOT NULL,
        code             TEXT NOT NULL,
        modifiers        TEXT NOT NULL,
        units            BIGINT NOT NULL,
        provider         TEXT,
        place_of_service TEXT,
        status           TEXT NOT NULL CHECK (status IN ('paid', 'denied')),
        denied_by        TEXT,
        PRIMARY KEY (member_id, service_date, claim_id, line),
        FOREIGN KEY (member_id, claim_id) REFERENCES claims (member_id, claim_id)
     );",
];

/// The table a store keeps its version in (one row).
pub const VERSION_TABLE: &str = "claimrules_schema";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_dialect_has_a_migration_for_every_version() {
        assert_eq!(SQLITE_MIGRATIONS.len(), SCHEMA_VERSION as usize);
        assert_eq!(POSTGRES_MIGRATIONS.len(), SCHEMA_VERSION as usize);
    }
}
