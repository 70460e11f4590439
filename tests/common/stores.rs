//! History stores for the tests: a fresh SQLite file, or a fresh PostgreSQL database when
//! `CLAIMRULES_TEST_POSTGRES` names a server (`.ci/postgres` starts one). Each test that takes
//! a store runs for both kinds with rstest's `#[case::sqlite]` and `#[case::postgres]`; without
//! the variable, a PostgreSQL case prints that it is skipped and passes.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use claimrules::store::{Access, Location, Store, StoreError};

/// The variable naming the PostgreSQL server of the tests (a superuser's connection string).
pub const POSTGRES_VARIABLE: &str = "CLAIMRULES_TEST_POSTGRES";

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

/// One fresh store of a test, removed when dropped.
pub struct TestStore {
    pub kind: Kind,
    /// What `--history` is given: the SQLite file's path or the database's connection string.
    pub location: String,
    /// A folder of the test's own (the SQLite file is in it; claims files can go there).
    pub dir: PathBuf,
    /// The server's connection string and the database's name, for PostgreSQL.
    postgres: Option<(String, String)>,
}

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// A name no other store of any test process has: the test's name, the process and a counter.
fn unique(name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "{clean}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// The server's connection string with another database at its end.
fn with_database(server: &str, database: &str) -> String {
    let (base, query) = match server.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (server, String::new()),
    };
    let authority = base.find("://").map_or(0, |i| i + 3);
    let end = base[authority..]
        .find('/')
        .map_or(base.len(), |i| authority + i);
    format!("{}/{database}{query}", &base[..end])
}

fn admin(server: &str) -> postgres::Client {
    postgres::Client::connect(server, postgres::NoTls)
        .unwrap_or_else(|e| panic!("the test PostgreSQL server `{server}` answers: {e}"))
}

impl TestStore {
    /// A fresh, empty store of `kind` (no schema yet), or `None` for PostgreSQL without a
    /// server, after printing the one line that says so.
    pub fn new(kind: Kind, name: &str) -> Option<TestStore> {
        let name = unique(name);
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("history-stores")
            .join(&name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create the test's folder");
        match kind {
            Kind::Sqlite => Some(TestStore {
                kind,
                location: dir.join("history.db").display().to_string(),
                dir,
                postgres: None,
            }),
            Kind::Postgres => {
                let Ok(server) = std::env::var(POSTGRES_VARIABLE) else {
                    println!(
                        "skipped: {POSTGRES_VARIABLE} is not set (.ci/postgres starts a server)"
                    );
                    let _ = std::fs::remove_dir_all(&dir);
                    return None;
                };
                admin(&server)
                    .batch_execute(&format!("CREATE DATABASE {name}"))
                    .expect("create the test's database");
                Some(TestStore {
                    kind,
                    location: with_database(&server, &name),
                    dir,
                    postgres: Some((server, name)),
                })
            }
        }
    }

    /// The SQLite file's path.
    pub fn path(&self) -> &Path {
        assert_eq!(self.kind, Kind::Sqlite);
        Path::new(&self.location)
    }

    /// The store, opened by the library.
    pub fn open(&self) -> Store {
        self.try_open(Access::ReadWrite)
            .unwrap_or_else(|e| panic!("the store opens: {e}"))
    }

    pub fn try_open(&self, access: Access) -> Result<Store, StoreError> {
        Store::open(&Location::parse(&self.location), access)
    }

    /// Runs SQL statements on the database directly, not through claimrules.
    pub fn sql(&self, statements: &str) {
        match self.kind {
            Kind::Sqlite => rusqlite::Connection::open(self.path())
                .and_then(|c| c.execute_batch(statements))
                .unwrap_or_else(|e| panic!("`{statements}` runs: {e}")),
            Kind::Postgres => admin(&self.location)
                .batch_execute(statements)
                .unwrap_or_else(|e| panic!("`{statements}` runs: {e}")),
        }
    }

    /// The rows a query gives, each column as text (`NULL` for null), read directly.
    pub fn rows(&self, query: &str) -> Vec<Vec<String>> {
        match self.kind {
            Kind::Sqlite => {
                let c = rusqlite::Connection::open(self.path()).expect("open the SQLite file");
                let mut statement = c.prepare(query).expect("the query prepares");
                let width = statement.column_count();
                statement
                    .query_map([], |row| {
                        (0..width)
                            .map(|i| {
                                row.get_ref(i).map(|v| match v {
                                    rusqlite::types::ValueRef::Null => "NULL".to_string(),
                                    rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                                    rusqlite::types::ValueRef::Real(x) => x.to_string(),
                                    rusqlite::types::ValueRef::Text(t)
                                    | rusqlite::types::ValueRef::Blob(t) => {
                                        String::from_utf8_lossy(t).into_owned()
                                    }
                                })
                            })
                            .collect::<Result<Vec<_>, _>>()
                    })
                    .expect("the query runs")
                    .collect::<Result<Vec<_>, _>>()
                    .expect("the rows read")
            }
            Kind::Postgres => admin(&self.location)
                .query(query, &[])
                .expect("the query runs")
                .iter()
                .map(|row| {
                    (0..row.len())
                        .map(|i| {
                            row.get::<_, Option<String>>(i)
                                .unwrap_or_else(|| "NULL".to_string())
                        })
                        .collect()
                })
                .collect(),
        }
    }

    /// Everything the store holds, table by table, in a fixed order: two stores with the same
    /// content give the same dump.
    pub fn dump(&self) -> Vec<Vec<String>> {
        let mut all = self
            .rows("SELECT 'schema', CAST(version AS TEXT) FROM claimrules_schema ORDER BY version");
        all.extend(self.rows(
            "SELECT 'member', member_id, CAST(birth_date AS TEXT), sex FROM members
             ORDER BY member_id",
        ));
        all.extend(self.rows(
            "SELECT 'claim', claim_id, member_id, CAST(service_date AS TEXT), source FROM claims
             ORDER BY claim_id, member_id",
        ));
        all.extend(self.rows(
            "SELECT 'line', claim_id, CAST(line AS TEXT), member_id,
                    CAST(service_date AS TEXT), code, modifiers, CAST(units AS TEXT), provider,
                    place_of_service, status, denied_by
               FROM lines ORDER BY claim_id, member_id, line",
        ));
        all
    }

    /// A second store holding what this one holds (an SQLite file copied, a PostgreSQL
    /// database made from this one as its template). Nothing may have this store open.
    pub fn copy(&self, name: &str) -> TestStore {
        let copy = TestStore::new(self.kind, name).expect("a store of a kind already running");
        match self.kind {
            Kind::Sqlite => {
                // Fold the WAL into the file first, so that the file alone holds everything.
                rusqlite::Connection::open(self.path())
                    .and_then(|c| c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())))
                    .expect("checkpoint the WAL");
                std::fs::copy(self.path(), copy.path()).expect("copy the SQLite file");
            }
            Kind::Postgres => {
                let (server, from) = self.postgres.as_ref().expect("a PostgreSQL store");
                let (_, to) = copy.postgres.as_ref().expect("a PostgreSQL store");
                let mut admin = admin(server);
                admin
                    .batch_execute(&format!("DROP DATABASE {to}"))
                    .expect("drop the empty copy");
                admin
                    .batch_execute(&format!("CREATE DATABASE {to} TEMPLATE {from}"))
                    .expect("copy the database");
            }
        }
        copy
    }
}

impl Drop for TestStore {
    fn drop(&mut self) {
        if let Some((server, name)) = &self.postgres {
            if let Ok(mut admin) = postgres::Client::connect(server, postgres::NoTls) {
                let _ =
                    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}
