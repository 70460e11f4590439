//! The national edit tables at volume: `cargo bench --bench national`.
//!
//! Measures, in one run on the same machine (figures are reported as ratios against a baseline
//! of the same run, as machines here are noisy):
//! - loading the full practitioner PTP table (2.5 million rows): parsing the published text,
//!   reading the compact form back, and building an engine with it, cache cold and warm;
//!   resident memory with it loaded;
//! - claims per second on one thread and on every core: the standard pack with the full PTP and
//!   MUE tables, end to end (NDJSON in, JSON results out);
//! - the interpreter against the same PTP and MUE checks written by hand in plain Rust over the
//!   same data, on the same parsed claims: the interpreter's overhead as a ratio.
//!
//! Claims come from a deterministic generator: 1 to 12 lines, codes drawn from the real table
//! so that edits fire. `BENCH_CLAIMS` sets how many (default 200,000).

// A benchmark stops at the first surprise: a failed setup has no figure worth printing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::hint::black_box;
use std::time::Duration;

use claimrules::claim::{Claim, NormalizedClaim};
use claimrules::codes::Code;
use claimrules::ncci::{compact, day, read_pair_edits, DataFile, ModifierIndicator, PairEdits};
use claimrules::pack::{compressed, limits};
use claimrules::report::{ActionName, Finding, PackRef, PolicyRef, TableRef};
use claimrules::{Engine, EvalOptions};

mod common;

use common::{generate, memory_kib, mib, ratio, timed};

/// The national tables the standard pack ships (and embeds), as files in the repository.
const PTP: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/policies/tables/ncci/ptp_practitioner_v30.1_2024q2.tsv.zst"
);
const MUE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/policies/tables/ncci/mue_2024q2.tsv.zst"
);

/// The NCCI part of the standard pack alone, for the interpreter-against-hand-written ratio.
const NCCI_ONLY: &str = include_str!("../policies/ncci.policy");

fn main() {
    let claims_wanted: usize = std::env::var("BENCH_CLAIMS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(200_000);
    let cache = std::env::temp_dir().join(format!("claimrules-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&cache);
    std::env::set_var("CLAIMRULES_CACHE", &cache);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());

    println!("claimrules national-table benchmark ({cores} cores)\n");
    println!("loading the full practitioner PTP table");

    // Memory first, while the process holds nothing else.
    let rss_before = memory_kib("VmRSS");
    let (engine, cold) = timed(full_engine);
    let rss_loaded = memory_kib("VmRSS");
    let peak = memory_kib("VmHWM");
    let edits = std::sync::Arc::clone(&engine.program().edit_tables[0].edits);
    drop(engine);
    let (_, warm) = {
        // Another engine on the same files would share the index in memory; drop the first
        // one's last reference so that this build reads the compact-form cache.
        let rows = edits.len();
        drop(edits);
        let (engine, took) = timed(full_engine);
        assert_eq!(engine.program().edit_tables[0].edits.len(), rows);
        (engine, took)
    };

    let bytes = decompressed(PTP);
    let (table, parse) = timed(|| {
        read_pair_edits(&[DataFile::new("ptp.tsv", bytes.clone())]).expect("the table parses")
    });
    drop(bytes);
    let compact_path = cache.join("bench-compact.bin");
    std::fs::write(&compact_path, compact::encode(&table, "")).expect("the compact form writes");
    let (from_compact, decode) = timed(|| {
        let bytes = std::fs::read(&compact_path).expect("the compact form reads");
        compact::decode(&bytes).expect("the compact form decodes")
    });
    assert_eq!(from_compact.len(), table.len());
    drop(from_compact);
    println!(
        "  rows {}, distinct ordered pairs {}",
        table.len(),
        table.pairs()
    );
    println!(
        "  parse the published TSV (decompressed) {:>8.3} s",
        parse.as_secs_f64()
    );
    println!(
        "  read the compact form back             {:>8.3} s   ({:.1}x faster than parsing)",
        decode.as_secs_f64(),
        ratio(parse, decode)
    );
    println!(
        "  engine with full PTP+MUE, cache cold   {:>8.3} s   (target < 1 s)",
        cold.as_secs_f64()
    );
    println!(
        "  engine with full PTP+MUE, cache warm   {:>8.3} s   (target < 0.2 s)",
        warm.as_secs_f64()
    );
    println!(
        "  resident memory with the engine loaded {:>8.1} MiB (peak {:.1} MiB, at start {:.1} MiB; target < 400 MiB)",
        mib(rss_loaded),
        mib(peak),
        mib(rss_before)
    );

    let generated = generate(&table, claims_wanted);
    let total_lines: usize = generated.iter().map(|c| c.lines.len()).sum();
    println!(
        "\nclaims: {} generated (seeded), {:.1} lines each on average\n",
        generated.len(),
        total_lines as f64 / generated.len() as f64
    );

    // Interpreter against hand-written, on the same parsed claims.
    let ncci_engine = Engine::builder()
        .without_standard_pack()
        .policy("ncci.policy", NCCI_ONLY)
        .table_data("ncci_ptp", PTP)
        .table_data("ncci_mue", MUE)
        .build()
        .unwrap_or_else(|_| panic!("the NCCI policy loads alone"));
    let hand = HandWritten::new(&table, &decompressed(MUE));
    let parsed: Vec<NormalizedClaim> = generated
        .iter()
        .map(|c| {
            let claim: Claim = serde_json::from_str(&c.json).expect("a generated claim reads");
            NormalizedClaim::new(claim).expect("a generated claim is well-formed")
        })
        .collect();
    let options = EvalOptions::default();
    let (hand_denials, hand_time) = timed(|| {
        parsed
            .iter()
            .map(|c| black_box(hand.check(c)).len())
            .sum::<usize>()
    });
    let (engine_denials, engine_time) = timed(|| {
        parsed
            .iter()
            .map(|c| {
                black_box(ncci_engine.evaluate_normalized(c, options))
                    .findings
                    .len()
            })
            .sum::<usize>()
    });
    assert_eq!(
        hand_denials, engine_denials,
        "the interpreter and the hand-written checks find the same denials"
    );
    let rate = |t: Duration| parsed.len() as f64 / t.as_secs_f64();
    println!("PTP and MUE checks on parsed claims, one thread ({hand_denials} denials each)");
    println!(
        "  hand-written Rust                      {:>10.0} claims/s   (baseline)",
        rate(hand_time)
    );
    println!(
        "  interpreter (ncci.policy)              {:>10.0} claims/s   ({:.2}x the hand-written time; target <= 1.5x)",
        rate(engine_time),
        engine_time.as_secs_f64() / hand_time.as_secs_f64()
    );

    // End to end: the standard pack with the full tables, NDJSON text in, JSON out.
    let standard = full_engine();
    let input: Vec<&str> = generated.iter().map(|c| c.json.as_str()).collect();
    let (_, one) = timed(|| end_to_end(&standard, &input));
    let (_, all) = timed(|| {
        let chunk = input.len().div_ceil(cores);
        std::thread::scope(|scope| {
            for part in input.chunks(chunk) {
                let standard = &standard;
                scope.spawn(move || end_to_end(standard, part));
            }
        });
    });
    let per_second = |t: Duration| input.len() as f64 / t.as_secs_f64();
    println!("\nstandard pack with the full PTP and MUE tables, end to end (NDJSON in, JSON out)");
    println!(
        "  1 thread                               {:>10.0} claims/s   (target >= 300,000 a core)",
        per_second(one)
    );
    println!(
        "  {cores} threads                              {:>10.0} claims/s   ({:.0} a core, {:.2}x one thread)",
        per_second(all),
        per_second(all) / cores as f64,
        ratio(one, all)
    );
    let _ = std::fs::remove_dir_all(&cache);
}

/// The standard pack as the binary embeds it, with the full national tables.
fn full_engine() -> Engine {
    Engine::builder()
        .build()
        .unwrap_or_else(|_| panic!("the standard pack loads with the full tables"))
}

/// The text of a shipped, zstd-compressed table.
fn decompressed(path: &str) -> Vec<u8> {
    let bytes = std::fs::read(path).expect("a shipped table reads");
    compressed::decompress(&bytes, limits::MAX_DATA_BYTES, path)
        .expect("a shipped table decompresses")
        .into_owned()
}

/// Judges claims given as JSON text and writes each result as JSON, as `claimrules check`
/// does; returns the bytes written.
fn end_to_end(engine: &Engine, claims: &[&str]) -> usize {
    let mut out = Vec::with_capacity(1 << 16);
    let mut written = 0;
    for json in claims {
        for result in engine.evaluate_input(json, EvalOptions::default()) {
            serde_json::to_writer(&mut out, &result).expect("a result serializes");
            out.push(b'\n');
        }
        if out.len() > 1 << 15 {
            written += out.len();
            black_box(&out);
            out.clear();
        }
    }
    written + out.len()
}

/// The PTP and MUE checks of ncci.policy written by hand over the same data: the edits keyed
/// by code pair in a `HashMap`, the practitioner MUEs by code.
struct HandWritten {
    edits: HashMap<(Code, Code), Vec<Edit>>,
    rationales: Vec<String>,
    mue: HashMap<Code, (f64, u8)>,
    bypass: Vec<&'static str>,
}

#[derive(Clone, Copy)]
struct Edit {
    from: u32,
    until: u32,
    indicator: ModifierIndicator,
    rationale: usize,
    line: u32,
}

impl HandWritten {
    fn new(table: &PairEdits, mue_text: &[u8]) -> HandWritten {
        let mut edits: HashMap<(Code, Code), Vec<Edit>> = HashMap::new();
        let mut rationales: Vec<String> = Vec::new();
        let mut rationale_ids: HashMap<String, usize> = HashMap::new();
        for (c1, c2, row) in table.iter() {
            let text = table.rationale(row).to_string();
            let next = rationale_ids.len();
            let id = *rationale_ids.entry(text.clone()).or_insert_with(|| {
                rationales.push(text);
                next
            });
            edits.entry((c1, c2)).or_default().push(Edit {
                from: row.from,
                until: row.until,
                indicator: row.indicator,
                rationale: id,
                line: row.line,
            });
        }
        let mut mue = HashMap::new();
        let text = std::str::from_utf8(mue_text).expect("the MUE table is UTF-8");
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split('\t').collect();
            if f.get(4) == Some(&"Practitioner") {
                if let (Some(code), Ok(limit), Ok(mai)) =
                    (Code::parse(f[0]), f[1].parse::<f64>(), f[2].parse::<u8>())
                {
                    mue.insert(code, (limit, mai));
                }
            }
        }
        let bypass = vec![
            "59", "XE", "XP", "XS", "XU", "24", "25", "57", "58", "78", "79", "27", "91", "E1",
            "E2", "E3", "E4", "FA", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "TA",
            "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9", "LT", "RT", "LC", "LD", "RC",
            "LM", "RI",
        ];
        HandWritten {
            edits,
            rationales,
            mue,
            bypass,
        }
    }

    fn check(&self, claim: &Claim) -> Vec<Finding> {
        let mut findings = Vec::new();
        let today = day(claim.service_date.0);
        let bypassed = |mods: &[claimrules::codes::Modifier]| {
            mods.iter().any(|m| self.bypass.contains(&m.as_str()))
        };
        for (i, line) in claim.lines.iter().enumerate() {
            for (k, partner) in claim.lines.iter().enumerate() {
                if i == k {
                    continue;
                }
                let Some(rows) = self.edits.get(&(partner.code, line.code)) else {
                    continue;
                };
                let Some(edit) = rows
                    .iter()
                    .filter(|e| e.from <= today && today <= e.until)
                    .max_by_key(|e| e.from)
                else {
                    continue;
                };
                let denies = match edit.indicator {
                    ModifierIndicator::NotAllowed => true,
                    ModifierIndicator::Allowed => {
                        !bypassed(&line.modifiers) && !bypassed(&partner.modifiers)
                    }
                    ModifierIndicator::NotApplicable => false,
                };
                if denies {
                    findings.push(finding(
                        "ncci.procedure-to-procedure",
                        line,
                        format!(
                            "{} is bundled into {} (NCCI procedure-to-procedure edit): {}",
                            line.code, partner.code, self.rationales[edit.rationale]
                        ),
                        edit.line,
                    ));
                    break;
                }
            }
            if let Some(&(limit, mai)) = self.mue.get(&line.code) {
                let units = if mai == 1 {
                    f64::from(line.units)
                } else {
                    claim
                        .lines
                        .iter()
                        .filter(|l| l.code == line.code)
                        .map(|l| f64::from(l.units))
                        .sum()
                };
                if units > limit {
                    findings.push(finding(
                        "ncci.mue",
                        line,
                        format!(
                            "{}: its units are more than its medically unlikely edit of {limit}",
                            line.code
                        ),
                        0,
                    ));
                }
            }
        }
        findings
    }
}

fn finding(rule: &str, line: &claimrules::Line, message: String, row: u32) -> Finding {
    let mut finding = Finding::new(
        rule,
        ActionName::Deny,
        message,
        PolicyRef {
            file: "hand-written".into(),
            line: 0,
            column: 0,
        },
        PackRef {
            name: "hand-written".into(),
            version: None,
        },
    );
    finding.lines = vec![line.number()];
    finding.code = Some(line.code.to_string());
    finding.table = Some(TableRef {
        name: "ncci_ptp".into(),
        file: "ptp_practitioner_v30.1_2024q2.tsv".into(),
        line: row,
    });
    finding.order = (line.number(), 0, 0);
    finding
}
