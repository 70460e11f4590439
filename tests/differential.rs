//! The differential test of issue 26: the engine's fast path (the rule index by code, by code
//! range, by modifier and by table column value; the PTP pair index behind its filter) and the
//! reference evaluation (`EvalOptions::with_reference`: every rule visited, PTP pairs found by
//! binary search) give byte-identical results on 100,000 generated claims of the standard pack;
//! and the fast result as the command writes it (by hand, `src/report/json.rs`) is byte for byte
//! the reference as serde writes it.
//!
//! The claims are generated from a fixed seed, each from its own generator (seeded by the seed
//! and the claim's number), so a failure reproduces whatever the threads did. They are built to
//! reach as many rules as they can: codes the pack's policies and tables name, both codes of
//! real PTP pairs on dates they are in force, modifiers the rules test, units over MUEs,
//! diagnoses with pointers, procedures, patients, places of service and documentation.

// A test stops at the first surprise, in its helpers too (Cargo.toml [lints], clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use claimrules::ir::{Cell, RuleKind};
use claimrules::{Engine, EvalOptions};
use rayon::prelude::*;
use serde_json::{json, Map, Value};

/// The number of claims judged both ways (and 1 in [`EXPLAINED`] a second time with explain).
/// Under the dev profile, 100,000 take about 30 s of CPU time: 15 to 50 s on 2 cores, as busy as
/// other builds make them, against a budget of 90 s for the file.
const CLAIMS: u64 = 100_000;
const SEED: u64 = 0x2600_d1ff;
/// Claims judged by one task of the thread pool.
const CHUNK: usize = 500;
/// Differences printed in full; the rest are counted.
const SHOWN: usize = 3;
/// Every this many claims are also judged with `explain` both ways, to compare what a plain
/// result does not show: the findings `same reason as` folded into another (`agreed`), the
/// facts derived and read from the note, and the rules that fired. (The rules considered but
/// not fired differ by design: the reference considers every rule.)
const EXPLAINED: u64 = 4;

/// The first and last day generated claims fall on.
const FIRST_YEAR: i32 = 2010;
const LAST_YEAR: i32 = 2025;

/// Modifiers the standard pack's rules test (bypasses, sides, components, surgeons, repeats,
/// digits), and a few no rule names.
const MODIFIERS: &[&str] = &[
    "59", "XE", "XP", "XS", "XU", "24", "25", "27", "57", "58", "78", "79", "77", "51", "50", "LT",
    "RT", "26", "TC", "80", "81", "82", "AS", "62", "66", "76", "91", "E1", "E2", "E4", "FA", "F1",
    "F2", "F4", "F5", "F7", "F9", "TA", "T1", "T5", "T9", "LC", "LD", "RC", "GA", "GY", "QW", "KX",
];
const PLACES: &[&str] = &["11", "19", "21", "22", "23", "24", "31", "81"];
const PAYERS: &[&str] = &["medicare", "medicaid", "commercial", "medicare_advantage"];
const GUIDANCE: &[&str] = &[
    "fluoroscopy",
    "ultrasound",
    "ct",
    "stereotactic",
    "endoscope",
];
const HARDWARE: &[&str] = &[
    "k_wire",
    "steinmann_pin",
    "cannulated_screw",
    "im_nail",
    "plate",
    "screw",
    "external_fixator",
];
const SITES: &[&str] = &[
    "medial_malleolus",
    "calcaneus",
    "hip",
    "knee",
    "spine",
    "sacrum",
    "distal_radius",
];
/// Pieces of operative notes the standard vocabulary reads.
const NOTE_PHRASES: &[&str] = &[
    "Fluoroscopy time 1.2 minutes.",
    "Under fluoro, K-wires were placed across the fracture.",
    "Open reduction internal fixation with a locking plate and screws.",
    "The fracture site was directly visualized.",
    "An intramedullary nail was inserted.",
    "Closed reduction percutaneous pinning of the fx.",
    "External fixator frame applied.",
    "Ultrasound-guided injection.",
    "Arthroscopic assistance was used.",
    "Films were archived and separately interpreted.",
    "No hardware was placed.",
    "The patient tolerated the procedure well.",
];
/// ICD-10-PCS codes of section 0 with approaches open (0), percutaneous (3), percutaneous
/// endoscopic (4) and external (X) in character 5.
const PROCEDURES: &[&str] = &[
    "0QSG04Z", "0QSG34Z", "0QSG44Z", "0QSH36Z", "0QSB04Z", "0PSJ34Z", "0PSK0ZZ", "0QSGXZZ",
    "0QS604Z", "0PS304Z",
];
const APPROACHES: &[&str] = &[
    "open",
    "percutaneous",
    "percutaneous_endoscopic",
    "external",
];

/// A PTP row to put on a claim: its two codes and the days it is in force.
#[derive(Clone, Copy)]
struct Pair {
    column1: claimrules::Code,
    column2: claimrules::Code,
    from: u32,
    until: u32,
}

/// What claims are drawn from, collected once from the loaded program.
struct Pools {
    /// Codes the rule index names exactly.
    rule_codes: Vec<String>,
    /// Code ranges the rule index names.
    ranges: Vec<(String, String)>,
    /// The codes of each rule the index names, as ranges (an exact code is a range of one):
    /// drawn together, they meet the rules that ask for two codes on a claim.
    rule_sets: Vec<Vec<(String, String)>>,
    /// The codes each code-keyed table has rows for, each with the codes its row's cells name
    /// (primaries, counterparts, the codes a service is included in), per table.
    table_codes: Vec<Vec<(String, Vec<String>)>>,
    cell_codes: Vec<String>,
    /// Sampled rows of the PTP table.
    pairs: Vec<Pair>,
    /// Diagnoses the diagnosis tables and sets name (compact); prefixes are completed.
    diagnoses: Vec<String>,
    diagnosis_prefixes: Vec<String>,
}

fn engine() -> Engine {
    let cache = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("differential-cache");
    std::fs::create_dir_all(&cache).expect("a cache folder");
    // The only test of this file, so no other thread reads the environment meanwhile.
    std::env::set_var("CLAIMRULES_CACHE", &cache);
    Engine::builder()
        .build()
        .unwrap_or_else(|d| panic!("the standard pack loads:\n{}", common::render(&d)))
}

fn pools(engine: &Engine) -> Pools {
    let program = engine.program();
    // Codes that trigger rules whole and codes of the lines line rules judge.
    let index = &program.index;
    let by_code = || {
        index
            .codes()
            .map(|(code, claim, lines)| (code, claim.iter().chain(lines)))
    };
    let by_range = || index.by_range.iter().chain(&index.lines_by_range);
    let mut rule_codes: Vec<String> = by_code().map(|(c, _)| c.to_string()).collect();
    rule_codes.sort();
    rule_codes.dedup();
    let mut ranges: Vec<(String, String)> = by_range()
        .map(|(lo, hi, _)| (lo.to_string(), hi.to_string()))
        .collect();
    ranges.sort();
    ranges.dedup();

    let mut rule_sets: BTreeMap<u32, Vec<(String, String)>> = BTreeMap::new();
    for (code, rules) in by_code() {
        for rule in rules {
            let code = code.to_string();
            rule_sets
                .entry(*rule)
                .or_default()
                .push((code.clone(), code));
        }
    }
    for (lo, hi, rule) in by_range() {
        rule_sets
            .entry(*rule)
            .or_default()
            .push((lo.to_string(), hi.to_string()));
    }
    let rule_sets: Vec<Vec<(String, String)>> = rule_sets
        .into_values()
        .map(|mut set| {
            set.sort();
            set
        })
        .collect();

    let mut table_codes = Vec::new();
    let mut cell_codes = BTreeSet::new();
    let mut diagnoses = BTreeSet::new();
    let mut diagnosis_prefixes = BTreeSet::new();
    for table in &program.tables {
        let mut codes: Vec<(String, Vec<String>)> = table
            .rows
            .iter()
            .map(|(code, &row)| {
                let mut related = Vec::new();
                for column in 0..table.columns.len() as u32 {
                    match table.cell_at(row, column) {
                        Some(Cell::Code(c)) => related.push(c.to_string()),
                        Some(Cell::Codes(set)) => {
                            related.extend(set.exact.iter().map(|c| c.to_string()));
                            related.extend(set.ranges.iter().map(|(lo, _)| lo.to_string()));
                        }
                        _ => {}
                    }
                }
                cell_codes.extend(related.iter().cloned());
                (code.to_string(), related)
            })
            .collect();
        codes.sort();
        if !codes.is_empty() {
            table_codes.push(codes);
        }
        diagnoses.extend(table.diagnosis_rows.keys().map(|d| d.to_string()));
    }
    for set in &program.diagnosis_sets {
        for p in &set.patterns {
            if p.prefix {
                diagnosis_prefixes.insert(p.compact.to_string());
            } else {
                diagnoses.insert(p.compact.to_string());
            }
        }
    }

    // About 1 PTP row in 100 (some 25,000 of 2.5 million), from a generator of its own.
    let mut rng = fastrand::Rng::with_seed(SEED);
    let pairs: Vec<Pair> = program.edit_tables[0]
        .edits
        .iter()
        .filter(|_| rng.u32(..100) == 0)
        .map(|(column1, column2, row)| Pair {
            column1,
            column2,
            from: row.from,
            until: row.until,
        })
        .collect();
    assert!(pairs.len() > 1000, "the PTP table has rows to sample");

    Pools {
        rule_codes,
        ranges,
        rule_sets,
        table_codes,
        cell_codes: cell_codes.into_iter().collect(),
        pairs,
        diagnoses: diagnoses.into_iter().collect(),
        diagnosis_prefixes: diagnosis_prefixes.into_iter().collect(),
    }
}

fn pick<'a, T>(rng: &mut fastrand::Rng, items: &'a [T]) -> &'a T {
    &items[rng.usize(..items.len())]
}

fn alnum(rng: &mut fastrand::Rng) -> char {
    let c = rng.u8(..36);
    if c < 10 {
        char::from(b'0' + c)
    } else {
        char::from(b'A' + c - 10)
    }
}

/// A code in a range: a number between the bounds when both are numbers, else a bound.
fn code_in_range(rng: &mut fastrand::Rng, lo: &str, hi: &str) -> String {
    match (lo.parse::<u32>(), hi.parse::<u32>()) {
        (Ok(a), Ok(b)) if a <= b && lo.len() == 5 && hi.len() == 5 => {
            format!("{:05}", rng.u32(a..=b))
        }
        _ => (if rng.bool() { lo } else { hi }).to_string(),
    }
}

/// One code from the mix: the pack's codes, ranges, table rows and cells, or a random code.
fn random_code(rng: &mut fastrand::Rng, pools: &Pools) -> String {
    match rng.u32(..100) {
        0..=24 => pick(rng, &pools.rule_codes).clone(),
        25..=34 => {
            let (lo, hi) = pick(rng, &pools.ranges);
            code_in_range(rng, lo, hi)
        }
        35..=69 => {
            let table = pick(rng, &pools.table_codes);
            pick(rng, table).0.clone()
        }
        70..=79 => pick(rng, &pools.cell_codes).clone(),
        80..=91 => format!("{:05}", rng.u32(10_000..100_000)),
        92..=95 => format!("{:04}T", rng.u32(..1000)),
        _ => {
            let letter = pick(rng, &['A', 'E', 'G', 'J', 'L', 'Q']);
            format!("{letter}{:04}", rng.u32(..10_000))
        }
    }
}

fn random_diagnosis(rng: &mut fastrand::Rng, pools: &Pools) -> String {
    match rng.u32(..10) {
        0..=4 if !pools.diagnoses.is_empty() => pick(rng, &pools.diagnoses).clone(),
        5..=7 if !pools.diagnosis_prefixes.is_empty() => {
            let mut d = pick(rng, &pools.diagnosis_prefixes).clone();
            while d.len() < 3 + rng.usize(..5) {
                d.push(alnum(rng));
            }
            d
        }
        _ => {
            let letter = char::from(b'A' + rng.u8(..26));
            let mut d = format!("{letter}{:02}", rng.u32(..100));
            for _ in 0..rng.usize(..4) {
                d.push(alnum(rng));
            }
            d
        }
    }
}

fn date_of(day: u32) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(i32::try_from(day).unwrap()).unwrap()
}

fn day_of(date: NaiveDate) -> u32 {
    claimrules::ncci::day(date)
}

/// Claim number `n`, as JSON text.
fn claim(n: u64, pools: &Pools) -> String {
    let mut rng = fastrand::Rng::with_seed(SEED ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let first = day_of(NaiveDate::from_ymd_opt(FIRST_YEAR, 1, 1).unwrap());
    let last = day_of(NaiveDate::from_ymd_opt(LAST_YEAR, 12, 31).unwrap());
    let mut day = rng.u32(first..=last);

    // The codes: PTP pairs (both codes, on a day the row is in force, most of the time), and
    // codes from the mix.
    let line_count = match rng.u32(..10) {
        0..=2 => rng.usize(1..=2),
        3..=7 => rng.usize(2..=5),
        _ => rng.usize(5..=12),
    };
    let mut codes: Vec<String> = Vec::with_capacity(line_count);
    let pair_count = match rng.u32(..10) {
        0..=3 => 0,
        4..=7 => 1,
        _ => rng.usize(1..=3),
    };
    for p in 0..pair_count {
        if codes.len() + 2 > line_count.max(2) {
            break;
        }
        let pair = *pick(&mut rng, &pools.pairs);
        if p == 0 && rng.u32(..10) < 8 {
            let lo = pair.from.max(first);
            let hi = pair.until.min(last);
            if rng.u32(..5) == 0 {
                // A day at an edge of the row's dates, or just outside.
                let edge = *pick(
                    &mut rng,
                    &[
                        pair.from,
                        pair.from.saturating_sub(1),
                        pair.until,
                        pair.until.saturating_add(1),
                    ],
                );
                day = edge.clamp(first, last);
            } else if lo <= hi {
                day = rng.u32(lo..=hi);
            }
        }
        codes.push(pair.column1.to_string());
        codes.push(pair.column2.to_string());
    }
    while codes.len() < line_count {
        match rng.u32(..16) {
            // Now and then a code twice, for sides, units on the date and duplicates.
            0..=1 if !codes.is_empty() => {
                let again = pick(&mut rng, &codes).clone();
                codes.push(again);
            }
            // Two or three codes of one rule.
            2..=4 => {
                let set = pick(&mut rng, &pools.rule_sets);
                for _ in 0..rng.usize(2..=3) {
                    let (lo, hi) = pick(&mut rng, set);
                    codes.push(code_in_range(&mut rng, lo, hi));
                }
            }
            // A table's code with a code its row names.
            5..=7 => {
                let table = pick(&mut rng, &pools.table_codes);
                let (code, related) = pick(&mut rng, table);
                codes.push(code.clone());
                if !related.is_empty() && rng.u32(..3) != 0 {
                    codes.push(pick(&mut rng, related).clone());
                }
            }
            _ => codes.push(random_code(&mut rng, pools)),
        }
    }
    codes.truncate(line_count.max(2));
    rng.shuffle(&mut codes);
    let date = date_of(day);

    let mut claim = Map::new();
    claim.insert("id".into(), json!(format!("D-{n}")));
    claim.insert("service_date".into(), json!(date.to_string()));
    if rng.u32(..3) == 0 {
        claim.insert("payer".into(), json!(pick(&mut rng, PAYERS)));
    }
    if rng.u32(..3) != 0 {
        claim.insert("place_of_service".into(), json!(pick(&mut rng, PLACES)));
    }
    if rng.u32(..3) != 0 {
        let mut provider = Map::new();
        match rng.u32(..3) {
            0 => provider.insert("owns_equipment".into(), json!(false)),
            1 => provider.insert("owns_equipment".into(), json!(true)),
            _ => None,
        };
        if rng.bool() {
            provider.insert("taxonomy".into(), json!("207X00000X"));
        }
        if rng.bool() {
            provider.insert("npi".into(), json!("1234567893"));
        }
        claim.insert("provider".into(), Value::Object(provider));
    }
    if rng.u32(..3) != 0 {
        let mut patient = Map::new();
        if rng.u32(..5) != 0 {
            // From a newborn to 99 years old on the date of service.
            let born = day.saturating_sub(rng.u32(..36_500));
            patient.insert("birth_date".into(), json!(date_of(born).to_string()));
        }
        if rng.u32(..5) != 0 {
            patient.insert("sex".into(), json!(pick(&mut rng, &["F", "M", "U"])));
        }
        if rng.bool() {
            patient.insert("member_id".into(), json!(format!("M{}", rng.u32(..1000))));
        }
        if rng.u32(..4) == 0 {
            patient.insert(
                "relationship".into(),
                json!(pick(&mut rng, &["18", "01", "19"])),
            );
        }
        claim.insert("patient".into(), Value::Object(patient));
    }
    let diagnoses: Vec<String> = if rng.u32(..5) < 3 {
        (0..rng.usize(1..=6))
            .map(|_| random_diagnosis(&mut rng, pools))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    } else {
        Vec::new()
    };
    if !diagnoses.is_empty() {
        claim.insert("diagnoses".into(), json!(diagnoses));
    }

    // A code on two lines is, half the time, one side (or hand) on each.
    let mut sides: Vec<Option<&str>> = vec![None; codes.len()];
    for i in 0..codes.len() {
        if let Some(j) = codes[..i].iter().position(|c| *c == codes[i]) {
            if sides[j].is_none() && rng.bool() {
                let (right, left) = *pick(&mut rng, &[("RT", "LT"), ("F6", "F2"), ("F9", "FA")]);
                sides[j] = Some(right);
                sides[i] = Some(left);
            }
        }
    }
    let two_sessions = rng.u32(..10) == 0;
    let lines: Vec<Value> = codes
        .iter()
        .zip(&sides)
        .map(|(code, side)| {
            let mut line = Map::new();
            line.insert("code".into(), json!(code));
            let modifier_count = match rng.u32(..10) {
                0..=4 => 0,
                5..=8 => 1,
                _ => 2,
            };
            let mut modifiers: Vec<&str> = (0..modifier_count)
                .map(|_| *pick(&mut rng, MODIFIERS))
                .collect();
            if let Some(side) = side {
                modifiers.insert(0, side);
            }
            if !modifiers.is_empty() {
                line.insert("modifiers".into(), json!(modifiers));
            }
            let units = match rng.u32(..20) {
                0..=11 => None,
                12..=17 => Some(rng.u32(1..=5)),
                18 => Some(rng.u32(6..=15)),
                _ => Some(40),
            };
            if let Some(units) = units {
                line.insert("units".into(), json!(units));
            }
            if two_sessions {
                line.insert("session".into(), json!(rng.u32(1..=2)));
            }
            if rng.u32(..6) == 0 {
                let comparison = match rng.u32(..5) {
                    0 => "27762".to_string(),
                    1 => random_code(&mut rng, pools),
                    // Another code of the claim: an unlisted code among them compares with
                    // one of its own set.
                    2 => pick(&mut rng, &codes).clone(),
                    _ => pick(&mut rng, &pools.rule_codes).clone(),
                };
                line.insert("comparison_code".into(), json!(comparison));
            }
            if !diagnoses.is_empty() && rng.u32(..4) != 0 {
                let mut pointers: Vec<usize> = (1..=diagnoses.len()).collect();
                rng.shuffle(&mut pointers);
                pointers.truncate(rng.usize(1..=diagnoses.len().min(4)));
                line.insert("diagnosis_pointers".into(), json!(pointers));
            }
            if rng.u32(..5) == 0 {
                line.insert("charge".into(), json!(format!("{}.00", rng.u32(1..2000))));
            }
            Value::Object(line)
        })
        .collect();
    claim.insert("lines".into(), Value::Array(lines));

    if rng.u32(..6) == 0 {
        let procedures: Vec<Value> = (0..rng.usize(1..=2))
            .map(|_| {
                let code = pick(&mut rng, PROCEDURES);
                if rng.u32(..4) == 0 {
                    json!({"code": code, "approach": pick(&mut rng, APPROACHES)})
                } else {
                    json!({"code": code})
                }
            })
            .collect();
        claim.insert("procedures".into(), Value::Array(procedures));
    }
    if rng.u32(..2) == 0 {
        claim.insert("documentation".into(), documentation(&mut rng));
    }
    serde_json::to_string(&Value::Object(claim)).unwrap()
}

/// Some documentation facts, and now and then a note for the vocabulary to read.
fn documentation(rng: &mut fastrand::Rng) -> Value {
    let mut doc = Map::new();
    for fact in [
        "fracture_site_visualized",
        "fracture_site_incised",
        "internal_fixation",
        "external_fixation",
        "film_archived",
        "separate_interpretation",
        "spinal",
    ] {
        if rng.u32(..4) == 0 {
            doc.insert(fact.into(), json!(rng.bool()));
        }
    }
    for (fact, values) in [("guidance", GUIDANCE), ("hardware", HARDWARE)] {
        if rng.u32(..3) == 0 {
            let chosen: BTreeSet<&str> = (0..rng.usize(..=2)).map(|_| *pick(rng, values)).collect();
            doc.insert(fact.into(), json!(chosen));
        }
    }
    if rng.u32(..3) == 0 {
        doc.insert("anatomic_site".into(), json!(pick(rng, SITES)));
    }
    if rng.u32(..3) == 0 {
        doc.insert(
            "fluoroscopy_minutes".into(),
            json!(rng.u32(..60) as f64 / 10.0),
        );
    }
    if rng.u32(..3) == 0 {
        doc.insert("fluoroscopy_indication".into(), json!("fracture alignment"));
    }
    if rng.u32(..5) == 0 {
        let note: Vec<&str> = (0..rng.usize(1..=4))
            .map(|_| *pick(rng, NOTE_PHRASES))
            .collect();
        doc.insert("note".into(), json!(note.join(" ")));
    }
    Value::Object(doc)
}

fn judge(engine: &Engine, claim: &str, options: EvalOptions) -> claimrules::ClaimResult {
    let mut results = engine.evaluate_input(claim, options);
    assert_eq!(results.len(), 1, "one claim in, one result out: {claim}");
    results.remove(0)
}

/// A result with its explanation as JSON text, the rules considered that did not fire left out.
fn explained(result: &claimrules::ClaimResult) -> String {
    let mut value = serde_json::to_value(result).unwrap();
    if let Some(Value::Array(rules)) = value.pointer_mut("/explain/rules") {
        rules.retain(|trace| trace["fired"] == json!(true));
    }
    serde_json::to_string(&value).unwrap()
}

/// What differs between two results (JSON text): for each field that differs, the elements of a
/// list found in one result only, or both values; `explain`'s fields one by one.
fn describe(fast: &str, reference: &str) -> String {
    fn fields(out: &mut String, path: &str, fast: &Value, reference: &Value) {
        match (fast, reference) {
            (Value::Object(f), Value::Object(r)) => {
                let keys: BTreeSet<&String> = f.keys().chain(r.keys()).collect();
                for key in keys {
                    let (a, b) = (&f.get(key), &r.get(key));
                    if a != b {
                        let (a, b) = (a.unwrap_or(&Value::Null), b.unwrap_or(&Value::Null));
                        fields(out, &format!("{path}{key}."), a, b);
                    }
                }
            }
            (Value::Array(f), Value::Array(r)) => {
                let path = path.trim_end_matches('.');
                for (side, these, others) in [("fast", f, r), ("reference", r, f)] {
                    for item in these.iter().filter(|i| !others.contains(i)) {
                        out.push_str(&format!("  {path}: only in {side}: {item}\n"));
                    }
                }
                if f.len() == r.len() && f.iter().all(|i| r.contains(i)) {
                    out.push_str(&format!("  {path}: the same elements in another order\n"));
                }
            }
            _ => {
                let path = path.trim_end_matches('.');
                out.push_str(&format!("  {path}: fast {fast}, reference {reference}\n"));
            }
        }
    }
    let mut out = String::new();
    let fast: Value = serde_json::from_str(fast).unwrap();
    let reference: Value = serde_json::from_str(reference).unwrap();
    fields(&mut out, "", &fast, &reference);
    out
}

/// What one chunk of claims found.
#[derive(Default)]
struct Tally {
    claims: u64,
    /// The first differences, in full: the claim, the fast result, the reference result.
    shown: Vec<(String, String, String)>,
    differences: u64,
    errors: u64,
    fired: BTreeMap<String, u64>,
    /// Findings not given, by rule, as `same reason as` folded them into another rule's.
    agreed: BTreeMap<String, u64>,
}

impl Tally {
    fn merge(mut self, other: Tally) -> Tally {
        self.claims += other.claims;
        self.differences += other.differences;
        self.errors += other.errors;
        for d in other.shown {
            if self.shown.len() < SHOWN {
                self.shown.push(d);
            }
        }
        for (rule, count) in other.fired {
            *self.fired.entry(rule).or_default() += count;
        }
        for (rule, count) in other.agreed {
            *self.agreed.entry(rule).or_default() += count;
        }
        self
    }
}

#[test]
fn the_fast_path_and_the_reference_agree_on_generated_claims() {
    let started = std::time::Instant::now();
    let engine = engine();
    let pools = pools(&engine);
    let loaded = started.elapsed();

    // The PTP table's pair filter is built on a thread of its own after the load
    // (`PairEdits::index_pairs`); until it is there, lookups search the sorted lists as the
    // reference does. Wait for it, so that every claim holds the filter to the reference. The
    // map of every pair behind it is built once enough pairs were searched: the first half of
    // the claims is judged without it (the pairs that pass the filter searched), the second
    // half with it.
    for table in &engine.program().edit_tables {
        table.edits.wait_for_index();
    }
    let numbers: Vec<u64> = (0..CLAIMS).collect();
    let (first_half, second_half) = numbers.split_at(numbers.len() / 2);
    let tally = judge_all(&engine, &pools, first_half);
    for table in &engine.program().edit_tables {
        table.edits.build_pair_map();
    }
    let tally = Tally::merge(tally, judge_all(&engine, &pools, second_half));

    // The rules that can fire: every rule but the derivations. Some cannot on these claims:
    // the six that read the patient's history (none is given here), and those whose table
    // values the shipped excerpts lack (add-on types 2 and 3; MPFS status D, M and R; PC/TC
    // indicators 6 and 8; team-surgery indicator 1): 13 of the 80 rules.
    let program = engine.program();
    let rules: BTreeSet<&str> = program
        .rules
        .iter()
        .filter(|r| !matches!(r.kind, RuleKind::Derive))
        .map(|r| &*r.id)
        .collect();
    let never: Vec<&str> = rules
        .iter()
        .copied()
        .filter(|r| !tally.fired.contains_key(*r) && !tally.agreed.contains_key(*r))
        .collect();
    let fired = rules.len() - never.len();
    let findings: u64 = tally.fired.values().sum();
    eprintln!(
        "{} claims judged twice in {:.1?} (the pack loaded in {:.1?}); {} PTP rows sampled; {} \
         claims with errors; {findings} findings; {fired} of {} rules fired; never fired: {never:?}",
        tally.claims,
        started.elapsed(),
        loaded,
        pools.pairs.len(),
        tally.errors,
        rules.len(),
    );
    eprintln!("findings by rule: {:#?}", tally.fired);
    eprintln!(
        "findings folded by `same reason as`, by rule (1 claim in {EXPLAINED}): {:#?}",
        tally.agreed
    );

    if tally.differences > 0 {
        let shown: Vec<String> = tally
            .shown
            .iter()
            .map(|(claim, fast, reference)| {
                format!(
                    "claim:     {claim}\n{}fast:      {fast}\nreference: {reference}\n",
                    describe(fast, reference)
                )
            })
            .collect();
        panic!(
            "the fast path and the reference disagree on {} of {} claims (each judged plainly, and \
             1 in {EXPLAINED} with explain too); the first {}, what differs, then both results:\n\n{}",
            tally.differences,
            tally.claims,
            shown.len(),
            shown.join("\n")
        );
    }
    assert_eq!(tally.claims, CLAIMS);
    assert!(
        fired * 10 >= rules.len() * 6,
        "only {fired} of {} rules fired: the claims reach too little (never fired: {never:?})",
        rules.len()
    );
    for rule in [
        "ncci.procedure-to-procedure",
        "ncci.mue.line-edit",
        "ncci.mue.date-of-service-edit",
    ] {
        assert!(
            tally.fired.contains_key(rule),
            "{rule} never fired: the claims reach too little"
        );
    }
    assert!(
        tally.errors * 10 < tally.claims,
        "{} of {} generated claims are errors",
        tally.errors,
        tally.claims
    );
}

/// Judges the claims of these numbers both ways, on every core, and tallies what it saw.
fn judge_all(engine: &Engine, pools: &Pools, numbers: &[u64]) -> Tally {
    numbers
        .par_chunks(CHUNK)
        .map(|chunk| {
            let mut tally = Tally::default();
            for &n in chunk {
                let claim = claim(n, pools);
                let fast = judge(engine, &claim, EvalOptions::default());
                let reference = judge(engine, &claim, EvalOptions::default().with_reference(true));
                // The fast result as the command writes it (from the findings as recorded, by
                // hand: src/eval/found.rs, src/report/json.rs), the reference as serde writes
                // its owned result: the writer is held to serde's bytes as well.
                let raw = claimrules::RawClaim {
                    json: claim.clone(),
                    line: 1,
                };
                let mut written = Vec::new();
                engine.write_raw(
                    &raw,
                    EvalOptions::default(),
                    claimrules::OutputFormat::Ndjson,
                    true,
                    &mut written,
                );
                let fast_text = String::from_utf8(written).unwrap().trim_end().to_owned();
                let reference_text = serde_json::to_string(&reference).unwrap();
                tally.claims += 1;
                let mut difference =
                    (fast_text != reference_text).then_some((fast_text, reference_text));
                if !fast.errors.is_empty() {
                    tally.errors += 1;
                }
                for finding in &fast.findings {
                    *tally.fired.entry(finding.rule.clone()).or_default() += 1;
                }
                if n % EXPLAINED == 0 {
                    let options = EvalOptions::default().with_explain(true);
                    let fast = judge(engine, &claim, options);
                    let reference = judge(engine, &claim, options.with_reference(true));
                    let fast_text = explained(&fast);
                    let reference_text = explained(&reference);
                    if difference.is_none() && fast_text != reference_text {
                        difference = Some((fast_text, reference_text));
                    }
                    // Explained, the command's way and the owned result give the same bytes.
                    let format = claimrules::OutputFormat::Ndjson;
                    let mut direct = Vec::new();
                    engine.write_raw(&raw, options, format, true, &mut direct);
                    let mut owned = Vec::new();
                    format.write_result(&fast, true, &mut owned);
                    if difference.is_none() && direct != owned {
                        difference = Some((
                            String::from_utf8_lossy(&direct).into_owned(),
                            String::from_utf8_lossy(&owned).into_owned(),
                        ));
                    }
                    for agreement in fast.explain.iter().flat_map(|e| &e.agreed) {
                        *tally.agreed.entry(agreement.rule.clone()).or_default() += 1;
                    }
                }
                if let Some((fast, reference)) = difference {
                    tally.differences += 1;
                    if tally.shown.len() < SHOWN {
                        tally.shown.push((claim, fast, reference));
                    }
                }
            }
            tally
        })
        .reduce(Tally::default, Tally::merge)
}
