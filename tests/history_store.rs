//! The claim history store through the library (issue 24): its schema, imports, reads of many
//! members, the scratch of a run that does not record, hostile values, rows changed by hand,
//! and an SQLite file locked or read-only. Every test that takes a `kind` runs on SQLite and on
//! PostgreSQL (`CLAIMRULES_TEST_POSTGRES`, see tests/common/stores.rs).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;
use std::io::Cursor;

use claimrules::codes::{parse_date, Code, Date, Modifier};
use claimrules::history::{HistoryLine, LineStatus, RecordedClaim};
use claimrules::input::Claims;
use claimrules::store::{self, Access, ImportSummary, Location, Source, Store, StoreError};
use common::stores::{Kind, TestStore};
use rstest::rstest;

const NPI: &str = "1234567893";

fn date(text: &str) -> Date {
    parse_date(text).expect("a date")
}

fn line(claim: &str, number: u32, on: &str, code: &str) -> HistoryLine {
    HistoryLine {
        claim: claim.into(),
        line: number,
        date: date(on),
        code: Code::parse(code).expect("a code"),
        modifiers: Vec::new(),
        units: 1,
        provider: Some(NPI.into()),
        place_of_service: Some("11".into()),
        status: LineStatus::Paid,
        denied_by: None,
    }
}

/// A claim of `member` with a paid line for each code.
fn claim(member: &str, id: &str, on: &str, codes: &[&str]) -> RecordedClaim {
    RecordedClaim {
        member: member.into(),
        claim: id.into(),
        date: date(on),
        birth_date: Some(date("1950-02-01")),
        sex: Some("F"),
        lines: codes
            .iter()
            .enumerate()
            .map(|(i, code)| line(id, i as u32 + 1, on, code))
            .collect(),
    }
}

/// Imports claims given as JSON text, as `history import` does; the skipped claims' ids and
/// messages.
fn import_text(store: &mut Store, text: &str) -> (ImportSummary, Vec<String>) {
    let mut skipped = Vec::new();
    let items = Claims::new(Cursor::new(text.as_bytes().to_vec()), None);
    let summary = store::import(store, items, |id, errors| {
        for e in errors {
            skipped.push(format!("{id:?}: {}", e.message));
        }
    })
    .expect("the import runs");
    (summary, skipped)
}

fn json_claim(id: &str, member: &str, on: &str, codes: &[&str]) -> String {
    let lines: Vec<String> = codes
        .iter()
        .map(|c| format!(r#"{{"code": "{c}"}}"#))
        .collect();
    format!(
        r#"{{"id": "{id}", "service_date": "{on}", "patient": {{"member_id": "{member}"}}, "provider": {{"npi": "{NPI}"}}, "lines": [{}]}}"#,
        lines.join(", ")
    )
}

/// Each member's lines as `fetch` gives them, oldest first.
fn fetched(store: &mut Store, members: &[&str]) -> BTreeMap<String, Vec<HistoryLine>> {
    store
        .fetch(members)
        .expect("the store reads")
        .into_iter()
        .map(|(member, history)| (member, history.lines().to_vec()))
        .collect()
}

fn counts(store: &mut Store) -> (u64, u64, u64) {
    let c = store.counts().expect("the store counts");
    (c.members, c.claims, c.lines)
}

#[rstest]
#[case::sqlite(Kind::Sqlite)]
#[case::postgres(Kind::Postgres)]
fn opening_creates_the_schema_at_version_1(#[case] kind: Kind) {
    let Some(test) = TestStore::new(kind, "schema_created") else {
        return;
    };
    let mut store = test.open();
    assert_eq!(store::SCHEMA_VERSION, 1);
    assert_eq!(store.schema_version().unwrap(), 1);
    assert_eq!(counts(&mut store), (0, 0, 0));
    drop(store);
    // Opening again applies nothing more: one row, version 1.
    let mut store = test.open();
    assert_eq!(store.schema_version().unwrap(), 1);
    drop(store);
    assert_eq!(
        test.rows("SELECT CAST(version AS TEXT) FROM claimrules_schema"),
        vec![vec!["1".to_string()]]
    );
    // And read-only access to it is allowed.
    let mut store = test.try_open(Access::ReadOnly).expect("read-only open");
    assert_eq!(store.schema_version().unwrap(), 1);
}

#[rstest]
#[case::sqlite(Kind::Sqlite)]
#[case::postgres(Kind::Postgres)]
fn a_newer_schema_is_refused_and_left_unchanged(#[case] kind: Kind) {
    let Some(test) = TestStore::new(kind, "newer_schema") else {
        return;
    };
    let mut store = test.open();
    store
        .record(
            &[claim("M1", "C-1", "2024-05-01", &["99213"])],
            Source::Import,
        )
        .unwrap();
    drop(store);
    test.sql("UPDATE claimrules_schema SET version = 99");
    let before = test.dump();
    for access in [Access::ReadWrite, Access::ReadOnly] {
        match test.try_open(access) {
            Err(StoreError::NewerSchema { found, known, .. }) => {
                assert_eq!((found, known), (99, 1), "{access:?}");
            }
            other => panic!("{access:?}: a newer schema is refused, not {other:?}"),
        }
    }
    assert_eq!(test.dump(), before, "the store is left as it was");
}

#[test]
fn a_read_only_open_of_a_missing_sqlite_file_is_an_error_and_creates_nothing() {
    let test = TestStore::new(Kind::Sqlite, "missing_file").unwrap();
    match test.try_open(Access::ReadOnly) {
        Err(StoreError::Open { store, reason }) => {
            assert_eq!(store, test.location);
            assert!(reason.contains("no such file"), "{reason}");
        }
        other => panic!("a missing file is an open error, not {other:?}"),
    }
    assert!(!test.path().exists(), "no file is created");
}

#[rstest]
#[case::sqlite(Kind::Sqlite)]
#[case::postgres(Kind::Postgres)]
fn a_read_only_open_of_a_store_without_the_schema_says_it_is_older(#[case] kind: Kind) {
    let Some(test) = TestStore::new(kind, "no_schema") else {
        return;
    };
    if kind == Kind::Sqlite {
        std::fs::write(test.path(), b"").unwrap();
    }
    match test.try_open(Access::ReadOnly) {
        Err(StoreError::OlderSchema { found, known, .. }) => assert_eq!((found, known), (0, 1)),
        other => panic!("a store without the schema is older, not {other:?}"),
    }
}

#[rstest]
#[case::sqlite(Kind::Sqlite)]
#[case::postgres(Kind::Postgres)]
fn import_is_idempotent_by_claim_id(#[case] kind: Kind) {
    let Some(test) = TestStore::new(kind, "import_idempotent") else {
        return;
    };
    let text = [
        json_claim("I-1", "M1", "2024-01-10", &["99213", "20610"]),
        json_claim("I-2", "M1", "2024-02-10", &["99214"]),
        json_claim("I-3", "M2", "2024-03-10", &["27447", "99213", "20610"]),
    ]
    .join("\n");
    let mut store = test.open();
    let (summary, skipped) = import_text(&mut store, &text);
    assert_eq!((summary.claims, summary.lines, summary.skipped), (3, 6, 0));
    assert!(skipped.is_empty(), "{skipped:?}");
    assert_eq!(counts(&mut store), (2, 3, 6));
    drop(store);
    let first = test.dump();

    let mut store = test.open();
    import_text(&mut store, &text);
    assert_eq!(
        counts(&mut store),
        (2, 3, 6),
        "importing again adds nothing"
    );
    drop(store);
    assert_eq!(test.dump(), first, "importing again changes nothing");

    // The same claim id with other lines replaces the claim, whole.
    let mut store = test.open();
    import_text(
        &mut store,
        &json_claim("I-3", "M2", "2024-03-11", &["99215"]),
    );
    assert_eq!(counts(&mut store), (2, 3, 4));
    let m2 = store.member_lines("M2").unwrap().expect("M2 is known");
    assert_eq!(m2.lines.len(), 1);
    assert_eq!(m2.lines[0].code.as_str(), "99215");
    assert_eq!(m2.lines[0].date, date("2024-03-11"));
    assert_eq!(m2.birth_date, None);

    // A claim id given twice in one import counts twice; the last one is kept.
    let twice = [
        json_claim("I-4", "M3", "2024-04-01", &["99213"]),
        json_claim("I-4", "M3", "2024-04-02", &["99214", "99215"]),
    ]
    .join("\n");
    let (summary, _) = import_text(&mut store, &twice);
    assert_eq!(summary.claims, 2);
    let m3 = store.member_lines("M3").unwrap().expect("M3 is known");
    let codes: Vec<&str> = m3.lines.iter().map(|l| l.code.as_str()).collect();
    assert_eq!(codes, ["99215", "99214"]);
    assert_eq!(counts(&mut store), (3, 4, 6));
}

#[rstest]
#[case::sqlite(Kind::Sqlite)]
#[case::postgres(Kind::Postgres)]
fn import_skips_a_claim_without_a_member_or_unreadable_and_records_the_others(#[case] kind: Kind) {
    let Some(test) = TestStore::new(kind, "import_skips") else {
        return;
    };
    let text = [
        json_claim("OK-1", "M1", "2024-01-10", &["99213"]),
        r#"{"id": "NO-MEMBER", "service_date": "2024-01-10", "lines": [{"code": "99213"}]}"#
            .to_string(),
        r#"{"id": "BROKEN", "service_date": "#.to_string(),
        json_claim("OK-2", "M2", "2024-01-11", &["99214"]),
    ]
    .join("\n");
    let mut store = test.open();
    let (summary, skipped) = import_text(&mut store, &text);
    assert_eq!((summary.claims, summary.skipped), (2, 2), "{skipped:?}");
    assert!(
        skipped
            .iter()
            .any(|s| s.contains("NO-MEMBER") && s.contains("member")),
        "{skipped:?}"
    );
    assert_eq!(counts(&mut store), (2, 2, 2));
}

#[rstest]
#[case::sqlite(Kind::Sqlite)]
#[case::postgres(Kind::Postgres)]
fn fetch_reads_several_members_at_once(#[case] kind: Kind) {
    let Some(test) = TestStore::new(kind, "fetch_several") else {
        return;
    };
    let mut store = test.open();
    store
        .record(
            &[
                claim("M1", "A-2", "2024-03-01", &["99213"]),
                claim("M1", "A-1", "2024-01-01", &["27447", "20610"]),
                claim("M2", "B-1", "2024-01-01", &["99214"]),
                claim("M3", "C-1", "2024-02-01", &["G0438"]),
            ],
            Source::Import,
        )
        .unwrap();
    let got = fetched(&mut store, &["M1", "M3", "NOBODY"]);
    assert_eq!(
        got.keys().map(String::as_str).collect::<Vec<_>>(),
        ["M1", "M3", "NOBODY"]
    );
    assert_eq!(
        got["M1"],
        vec![
            line("A-1", 1, "2024-01-01", "27447"),
            line("A-1", 2, "2024-01-01", "20610"),
            line("A-2", 1, "2024-03-01", "99213"),
        ],
        "oldest first"
    );
    assert_eq!(got["M3"], vec![line("C-1", 1, "2024-02-01", "G0438")]);
    assert!(got["NOBODY"].is_empty());
    assert!(store.fetch(&[]).unwrap().is_empty());
    assert!(store.member_lines("NOBODY").unwrap().is_none());
}

#[rstest]
#[case::sqlite(Kind::Sqlite)]
#[case::postgres(Kind::Postgres)]
fn scratch_claims_hide_recorded_ones_of_their_id_and_leave_the_store_unchanged(#[case] kind: Kind) {
    let Some(test) = TestStore::new(kind, "scratch") else {
        return;
    };
    let mut store = test.open();
    let recorded = [
        claim("M1", "R-1", "2024-01-01", &["99213"]),
        claim("M1", "R-2", "2024-02-01", &["99214"]),
    ];
    store.record(&recorded, Source::Import).unwrap();
    let before = test.dump();

    store.start_scratch().unwrap();
    store
        .record_scratch(&[
            claim("M1", "R-1", "2024-01-05", &["20610", "20611"]),
            claim("M1", "S-1", "2024-03-01", &["99215"]),
            claim("M9", "S-9", "2024-03-01", &["99212"]),
        ])
        .unwrap();
    let got = fetched(&mut store, &["M1", "M9"]);
    assert_eq!(
        got["M1"],
        vec![
            line("R-1", 1, "2024-01-05", "20610"),
            line("R-1", 2, "2024-01-05", "20611"),
            line("R-2", 1, "2024-02-01", "99214"),
            line("S-1", 1, "2024-03-01", "99215"),
        ],
        "the scratch R-1 in place of the recorded one, and the scratch S-1 added"
    );
    assert_eq!(got["M9"], vec![line("S-9", 1, "2024-03-01", "99212")]);
    // A scratch claim recorded again replaces the scratch one.
    store
        .record_scratch(&[claim("M1", "S-1", "2024-03-02", &["99211"])])
        .unwrap();
    let got = fetched(&mut store, &["M1"]);
    assert_eq!(
        got["M1"].last(),
        Some(&line("S-1", 1, "2024-03-02", "99211"))
    );
    assert_eq!(got["M1"].len(), 4);
    assert_eq!(counts(&mut store), (1, 2, 2), "the recorded store counts");
    assert_eq!(test.dump(), before, "nothing reaches the recorded tables");
    drop(store);

    let mut store = test.open();
    assert_eq!(
        fetched(&mut store, &["M1"])["M1"],
        vec![
            line("R-1", 1, "2024-01-01", "99213"),
            line("R-2", 1, "2024-02-01", "99214")
        ],
        "the scratch ends with the connection"
    );
}

/// Values a claim can bring that must never be read as SQL, nor changed on the way.
const HOSTILE: &[&str] = &[
    "'); DROP TABLE lines; --",
    "Robert'); DROP TABLE members;--",
    "a\"b'c;d`e",
    "x' OR '1'='1",
    "ünïcødé 患者 🦀",
    "back\\slash\\' \\\"",
    "%_*?[]$1?1:name@v",
    "  leading and trailing  ",
    "new\nline\ttab",
];

#[rstest]
#[case::sqlite(Kind::Sqlite)]
#[case::postgres(Kind::Postgres)]
fn hostile_values_round_trip_exactly(#[case] kind: Kind) {
    let Some(test) = TestStore::new(kind, "hostile") else {
        return;
    };
    let mut store = test.open();
    let claims: Vec<RecordedClaim> = HOSTILE
        .iter()
        .enumerate()
        .map(|(i, value)| {
            let id = format!("{value}#{i}");
            let mut c = claim(value, &id, "2024-05-01", &["99213", "20610"]);
            for l in &mut c.lines {
                l.provider = Some((*value).into());
                l.place_of_service = Some((*value).into());
                l.modifiers = vec![
                    Modifier::parse("26").unwrap(),
                    Modifier::parse("LT").unwrap(),
                ];
                l.units = 7;
                l.status = LineStatus::Denied;
                l.denied_by = Some(format!("rule {value}").into());
            }
            c
        })
        .collect();
    store.record(&claims, Source::Check).unwrap();
    // Recorded again, in the scratch too: the same values as parameters there.
    store.start_scratch().unwrap();
    store.record_scratch(&claims[..2]).unwrap();
    let members: Vec<&str> = HOSTILE.to_vec();
    let got = fetched(&mut store, &members);
    for c in &claims {
        assert_eq!(got[&*c.member], c.lines, "member {:?}", c.member);
        let shown = store
            .member_lines(&c.member)
            .unwrap()
            .expect("known member");
        assert_eq!(shown.member, &*c.member);
        assert_eq!(shown.lines.len(), 2);
        assert!(shown.lines.iter().all(|l| c.lines.contains(l)));
    }
    let n = HOSTILE.len() as u64;
    assert_eq!(counts(&mut store), (n, n, 2 * n));
    drop(store);
    // The tables are all there, and hold the values as given.
    assert_eq!(
        test.rows("SELECT CAST(count(*) AS TEXT) FROM lines"),
        vec![vec![(2 * n).to_string()]]
    );
    let mut ids: Vec<String> = test
        .rows("SELECT claim_id FROM claims")
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    ids.sort();
    let mut expected: Vec<String> = claims.iter().map(|c| c.claim.to_string()).collect();
    expected.sort();
    assert_eq!(ids, expected);
    let mut store = test.open();
    assert_eq!(store.schema_version().unwrap(), 1);
}

#[rstest]
#[case::sqlite_code(Kind::Sqlite, "code", "'9921'")]
#[case::sqlite_modifiers(Kind::Sqlite, "modifiers", "'26;DROP'")]
#[case::sqlite_units(Kind::Sqlite, "units", "-1")]
#[case::sqlite_date(Kind::Sqlite, "service_date", "'2024-02-30'")]
#[case::postgres_code(Kind::Postgres, "code", "'9921'")]
#[case::postgres_modifiers(Kind::Postgres, "modifiers", "'26;DROP'")]
#[case::postgres_units(Kind::Postgres, "units", "-1")]
#[case::postgres_date(Kind::Postgres, "service_date", "'20000-01-01'")]
fn a_row_changed_by_hand_is_corrupt_and_names_its_claim(
    #[case] kind: Kind,
    #[case] column: &str,
    #[case] value: &str,
) {
    let Some(test) = TestStore::new(kind, &format!("corrupt_{column}")) else {
        return;
    };
    let mut store = test.open();
    store
        .record(
            &[
                claim("M1", "GOOD-1", "2024-05-01", &["99213"]),
                claim("M1", "HAND-EDITED", "2024-05-02", &["99213", "20610"]),
            ],
            Source::Import,
        )
        .unwrap();
    drop(store);
    test.sql(&format!(
        "UPDATE lines SET {column} = {value} WHERE claim_id = 'HAND-EDITED' AND line = 2"
    ));
    let mut store = test.open();
    let fetch = store.fetch(&["M1"]).map(|_| ());
    let show = store.member_lines("M1").map(|_| ());
    for (what, outcome) in [("fetch", fetch), ("member_lines", show)] {
        match outcome {
            Err(e @ StoreError::Corrupt { .. }) => {
                let text = e.to_string();
                assert!(
                    text.contains("claim `HAND-EDITED` line 2"),
                    "{what}: the message names the claim and line: {text}"
                );
                assert!(
                    text.contains(&test.location),
                    "{what}: names the store: {text}"
                );
            }
            other => panic!("{what}: a line changed by hand is corrupt, not {other:?}"),
        }
    }
    // Other members still read.
    assert!(store.fetch(&["M2"]).is_ok());
}

#[test]
fn sqlite_a_write_lock_held_by_another_program_is_locked() {
    let test = TestStore::new(Kind::Sqlite, "locked").unwrap();
    let mut store = test.open();
    let other = rusqlite::Connection::open(test.path()).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    // The store waits for the lock (10 s) before it says so.
    let started = std::time::Instant::now();
    let outcome = store.record(
        &[claim("M1", "L-1", "2024-05-01", &["99213"])],
        Source::Check,
    );
    match outcome {
        Err(StoreError::Locked { store: shown }) => assert_eq!(shown, test.location),
        other => panic!("a lock held elsewhere is Locked, not {other:?}"),
    }
    println!("waited {:?} for the lock", started.elapsed());
    other.execute_batch("COMMIT").unwrap();
    assert_eq!(counts(&mut store), (0, 0, 0), "nothing was recorded");
    store
        .record(
            &[claim("M1", "L-1", "2024-05-01", &["99213"])],
            Source::Check,
        )
        .expect("recorded once the lock is let go");
    assert_eq!(counts(&mut store), (1, 1, 1));
}

#[test]
fn sqlite_a_read_only_file_is_refused_for_writing() {
    use std::os::unix::fs::PermissionsExt;
    let test = TestStore::new(Kind::Sqlite, "read_only_file").unwrap();
    let mut store = test.open();
    store
        .record(
            &[claim("M1", "R-1", "2024-05-01", &["99213"])],
            Source::Import,
        )
        .unwrap();
    drop(store);
    std::fs::set_permissions(test.path(), std::fs::Permissions::from_mode(0o444)).unwrap();
    let writable = std::fs::OpenOptions::new()
        .write(true)
        .open(test.path())
        .is_ok();
    if writable {
        println!(
            "skipped: a file of mode 0444 can still be written here (running as root), so a \
             read-only file cannot be made"
        );
        return;
    }
    match Store::open(
        &Location::Sqlite(test.path().to_path_buf()),
        Access::ReadWrite,
    ) {
        Err(StoreError::ReadOnly { store, .. }) => assert_eq!(store, test.location),
        other => panic!("a read-only file is refused for writing, not {other:?}"),
    }
}

#[test]
fn sqlite_a_newer_schema_file_is_not_changed_at_all() {
    let test = TestStore::new(Kind::Sqlite, "newer_schema_bytes").unwrap();
    // As another program (a newer claimrules, say) left it: a rollback journal, version 99.
    test.sql(
        "CREATE TABLE claimrules_schema (version INTEGER NOT NULL);
         INSERT INTO claimrules_schema VALUES (99);",
    );
    let before = std::fs::read(test.path()).unwrap();
    assert!(matches!(
        test.try_open(Access::ReadWrite),
        Err(StoreError::NewerSchema { found: 99, .. })
    ));
    assert!(
        std::fs::read(test.path()).unwrap() == before,
        "the file is byte for byte as it was"
    );
}

#[test]
fn postgres_a_lock_held_by_another_session_is_locked() {
    let Some(test) = TestStore::new(Kind::Postgres, "pg_locked") else {
        return;
    };
    let mut store = test.open();
    let mut other = postgres::Client::connect(&test.location, postgres::NoTls).unwrap();
    let mut tx = other.transaction().unwrap();
    tx.batch_execute("LOCK TABLE lines, claims IN ACCESS EXCLUSIVE MODE")
        .unwrap();
    // The store waits for the lock (its lock_timeout, 10 s) before it says so.
    let outcome = store.record(
        &[claim("M1", "L-1", "2024-05-01", &["99213"])],
        Source::Check,
    );
    match outcome {
        Err(StoreError::Locked { store: shown }) => assert_eq!(shown, test.location),
        other => panic!("a lock held elsewhere is Locked, not {other:?}"),
    }
    tx.commit().unwrap();
    drop(other);
    assert_eq!(counts(&mut store), (0, 0, 0), "nothing was recorded");
    store
        .record(
            &[claim("M1", "L-1", "2024-05-01", &["99213"])],
            Source::Check,
        )
        .expect("recorded once the lock is let go");
    assert_eq!(counts(&mut store), (1, 1, 1));
}
