//! Hostile input (issue 20): policies and claims written to crash the checker or to make it
//! work for minutes. Each case runs what a payer would run on such input and asserts that it
//! ends with a diagnostic or a result, in time proportional to the input.

// A test stops at the first surprise, in its helpers too (Cargo.toml [lints], clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Output;

/// A folder of its own under the target's temporary folder, emptied first.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("hostile_input")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("the scratch folder is made");
    dir
}

/// Writes `lines` as the one policy file of a pack `pack/` in `dir`.
fn write_pack(dir: &Path, lines: impl IntoIterator<Item = String>) {
    let pack = dir.join("pack");
    std::fs::create_dir_all(&pack).expect("the pack folder is made");
    let text: String = lines.into_iter().map(|l| l + "\n").collect();
    std::fs::write(pack.join("chain.policy"), text).expect("the policy is written");
}

/// Runs the binary in `dir`, so that the files it names are relative and the output stable.
fn run_in(dir: &Path, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_claimrules"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// What `lint` reports, on standard output.
fn report(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

const CLAIM: &str =
    r#"{"id":"C1","service_date":"2024-05-21","lines":[{"line":1,"code":"27766","units":1}]}"#;

// ------------------------------------------------------------------------------------------
// Item 1: chains of definitions, which once overflowed the stack of `lint` and `check`.
// ------------------------------------------------------------------------------------------

/// `term t0 means t1`, …, `term t{n-1} means t{n}`, and `t{n}` defined as `last`.
fn term_chain(n: usize, last: &str) -> Vec<String> {
    (0..n)
        .map(|i| format!("term t{i} means t{}", i + 1))
        .chain([format!("term t{n} means {last}")])
        .collect()
}

#[test]
fn six_thousand_chained_terms_are_refused_with_a_diagnostic() {
    let dir = scratch("six_thousand_chained_terms");
    write_pack(&dir, term_chain(6_000, "claim has 27766"));
    let lint = run_in(&dir, &["lint", "--no-default-pack", "pack"]);
    assert_eq!(lint.status.code(), Some(2), "{}", report(&lint));
    insta::assert_snapshot!(report(&lint));

    std::fs::write(dir.join("claim.json"), CLAIM).unwrap();
    let check = run_in(
        &dir,
        &["check", "--no-default-pack", "--pack", "pack", "claim.json"],
    );
    assert_eq!(check.status.code(), Some(2), "{}", stderr(&check));
    assert!(
        stderr(&check).contains("the term `t4000` nests 2001 levels deep"),
        "{}",
        stderr(&check)
    );
}

#[test]
fn a_chain_of_terms_at_the_depth_limit_is_judged_and_explained() {
    let depth = claimrules::MAX_CONDITION_DEPTH;
    let dir = scratch("terms_at_the_limit");
    // `t0` nests `depth` levels: one for each of the `depth - 1` uses of a term, one for the
    // test at the end.
    let mut policy = term_chain(depth - 1, "claim has 27766");
    policy.extend([
        "rule chain.deep".to_string(),
        "  when t0".to_string(),
        "  info \"the chain holds\"".to_string(),
    ]);
    write_pack(&dir, policy);
    std::fs::write(dir.join("claim.json"), CLAIM).unwrap();
    let lint = run_in(&dir, &["lint", "--no-default-pack", "pack"]);
    assert_eq!(lint.status.code(), Some(0), "{}", report(&lint));
    let check = run_in(
        &dir,
        &[
            "check",
            "--no-default-pack",
            "--pack",
            "pack",
            "--explain",
            "--threads",
            "2",
            "claim.json",
        ],
    );
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    let result: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    assert_eq!(result["findings"][0]["message"], "the chain holds");
}

#[test]
fn a_cycle_of_six_thousand_terms_is_reported_as_a_cycle() {
    let dir = scratch("cycle_of_terms");
    write_pack(&dir, term_chain(6_000, "t0"));
    let lint = run_in(&dir, &["lint", "--no-default-pack", "pack"]);
    assert_eq!(lint.status.code(), Some(2), "{}", report(&lint));
    assert!(
        report(&lint).contains("term `t0` is defined in terms of itself"),
        "{}",
        report(&lint)
    );
}

/// `codes "c0" are "c1"`, …, and `"c{n}"` defined as `last`.
fn code_set_chain(n: usize, last: &str) -> Vec<String> {
    (0..n)
        .map(|i| format!("codes \"c{i}\" are \"c{}\"", i + 1))
        .chain([format!("codes \"c{n}\" are {last}")])
        .collect()
}

#[test]
fn twenty_thousand_chained_code_sets_load_and_judge() {
    let dir = scratch("twenty_thousand_chained_code_sets");
    let mut policy = code_set_chain(20_000, "27766");
    policy.extend([
        "rule chain.codes".to_string(),
        "  for each line in \"c0\"".to_string(),
        "  info \"{code} is in the chain\"".to_string(),
    ]);
    write_pack(&dir, policy);
    let lint = run_in(&dir, &["lint", "--no-default-pack", "pack"]);
    assert_eq!(lint.status.code(), Some(0), "{}", report(&lint));
    assert_eq!(report(&lint), "0 error(s), 0 warning(s)\n");

    std::fs::write(dir.join("claim.json"), CLAIM).unwrap();
    let check = run_in(
        &dir,
        &["check", "--no-default-pack", "--pack", "pack", "claim.json"],
    );
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    let result: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    assert_eq!(result["findings"][0]["message"], "27766 is in the chain");
}

#[test]
fn a_cycle_of_twenty_thousand_code_sets_is_reported_as_a_cycle() {
    let dir = scratch("cycle_of_code_sets");
    write_pack(&dir, code_set_chain(20_000, "\"c0\""));
    let lint = run_in(&dir, &["lint", "--no-default-pack", "pack"]);
    assert_eq!(lint.status.code(), Some(2), "{}", report(&lint));
    assert!(
        report(&lint).contains("code set `c0` is defined in terms of itself"),
        "{}",
        report(&lint)
    );
}

#[test]
fn twenty_thousand_diagnosis_sets_that_each_name_the_next_twice_load() {
    let dir = scratch("doubling_diagnosis_sets");
    let n = 20_000;
    let mut policy: Vec<String> = (0..n)
        .map(|i| format!("diagnoses \"d{i}\" are \"d{}\", \"d{}\"", i + 1, i + 1))
        .collect();
    policy.extend([
        format!("diagnoses \"d{n}\" are S82.*"),
        "rule chain.diagnoses".to_string(),
        "  when claim has diagnosis \"d0\"".to_string(),
        "  info \"a lower-leg fracture\"".to_string(),
    ]);
    write_pack(&dir, policy);
    let lint = run_in(&dir, &["lint", "--no-default-pack", "pack"]);
    assert_eq!(lint.status.code(), Some(0), "{}", report(&lint));
}

// ------------------------------------------------------------------------------------------
// Item 5: work in proportion to the input. Each case measures the same work at n and at 4n:
// linear work takes about 4 times as long, quadratic work 16 times. The bound of 8 leaves
// room for a busy machine and still fails the quadratic work this replaced. The time is the
// CPU time of the test's own thread, so that other tests and builds running beside it count
// for little; runs at n and 4n alternate, and the best of five of each counts.
// ------------------------------------------------------------------------------------------

use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use claimrules::{Engine, EvalOptions};

/// How much longer the work takes at `4 * n` than at `n`, best of five runs each.
fn growth(n: usize, mut work: impl FnMut(usize) -> Duration) -> f64 {
    // One measurement at a time: two on the two cores would share their caches.
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let (mut small, mut large) = (Duration::MAX, Duration::MAX);
    for _ in 0..5 {
        small = small.min(work(n));
        large = large.min(work(4 * n));
    }
    large.as_secs_f64() / small.as_secs_f64().max(1e-6)
}

/// The CPU time this thread spends on `work`.
fn timed(work: impl FnOnce()) -> Duration {
    let start = thread_cpu_time();
    work();
    thread_cpu_time().saturating_sub(start)
}

fn thread_cpu_time() -> Duration {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid timespec for the call to fill.
    let ok = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) } == 0;
    assert!(ok, "the thread's CPU time reads");
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

const LINEAR: f64 = 8.0;

fn standard() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::standard().expect("the standard pack loads"))
}

/// `unit` repeated to `bytes` bytes, without a full stop.
fn repeated(unit: &str, bytes: usize) -> String {
    unit.repeat(bytes / unit.len())
}

/// The operative notes of `tests/notes/`, run together without a full stop, `;` or line
/// break, and repeated to `bytes` bytes.
fn notes_run_together(bytes: usize) -> String {
    let mut corpus = String::new();
    let mut files: Vec<_> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/notes"))
            .expect("the notes folder reads")
            .map(|e| e.expect("an entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "note"))
            .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(file).expect("a note reads");
        corpus.extend(
            text.chars()
                .map(|c| if ".;\n".contains(c) { ' ' } else { c }),
        );
        corpus.push(' ');
    }
    let mut note = corpus.repeat(bytes / corpus.len() + 1);
    note.truncate(note[..bytes].rfind(' ').unwrap_or(0));
    note
}

#[rstest::rstest]
#[case::one_heading_after_another("Plan: K-wire ", false)]
#[case::removals_after_mentions("K-wire removed ", false)]
#[case::pseudo_negations_among_phrases("no further K-wire ", true)]
#[case::durations_in_one_long_sentence("fluoroscopy time 1 min ", true)]
fn a_note_without_full_stops_is_read_in_linear_time(#[case] unit: &str, #[case] states: bool) {
    let vocabulary = &standard().program().vocabulary;
    // The cues work on the pattern: a plan or a removal states nothing.
    let facts = claimrules::note::read_note(vocabulary, &repeated(unit, 1_000));
    assert_eq!(!facts.is_empty(), states, "{facts:?}");
    let ratio = growth(100_000, |bytes| {
        let note = repeated(unit, bytes);
        timed(|| {
            std::hint::black_box(claimrules::note::read_note(vocabulary, &note));
        })
    });
    assert!(
        ratio < LINEAR,
        "4 times the note took {ratio:.1} times as long"
    );
}

#[test]
fn real_notes_run_together_are_read_in_linear_time() {
    let vocabulary = &standard().program().vocabulary;
    let ratio = growth(100_000, |bytes| {
        let note = notes_run_together(bytes);
        timed(|| {
            std::hint::black_box(claimrules::note::read_note(vocabulary, &note));
        })
    });
    assert!(
        ratio < LINEAR,
        "4 times the note took {ratio:.1} times as long"
    );
}

/// `n` derivations, each the next one's premise, written last first: every pass over them
/// in order derives one more fact.
fn backward_implies(n: usize) -> String {
    let mut policy: String = (0..=n)
        .map(|i| format!("derived fact d{i} is boolean \"step {i}\"\n"))
        .collect();
    policy.push_str("rule chain.steps\n");
    for i in (0..n).rev() {
        policy.push_str(&format!("  d{i} implies d{}\n", i + 1));
    }
    policy.push_str("  claim has 27766 implies d0\n");
    policy
}

#[test]
fn implies_lines_written_last_first_derive_in_linear_time() {
    let n = 2_000;
    let engines: Vec<Engine> = [n, 4 * n]
        .iter()
        .map(|&n| {
            Engine::builder()
                .without_standard_pack()
                .policy("chain.policy", backward_implies(n))
                .build()
                .expect("the chain loads")
        })
        .collect();
    let explained = engines[0].evaluate_input(CLAIM, EvalOptions::default().with_explain(true));
    let derived = explained[0]
        .explain
        .as_ref()
        .expect("explained")
        .derived
        .len();
    assert_eq!(derived, n + 1, "every step is derived");
    let ratio = growth(n, |size| {
        let engine = &engines[usize::from(size != n)];
        timed(|| {
            std::hint::black_box(engine.evaluate_input(CLAIM, EvalOptions::default()));
        })
    });
    assert!(
        ratio < LINEAR,
        "4 times the derivations took {ratio:.1} times as long"
    );
}

/// `n` check rules that differ only in the payer they test.
fn simple_rules(n: usize) -> String {
    (0..n)
        .map(|i| format!("rule simple.r{i}\n  when claim has 27766 and payer is p{i}\n  info \"rule {i}\"\n\n"))
        .collect()
}

#[test]
fn a_pack_of_many_simple_rules_loads_in_linear_time() {
    let ratio = growth(2_000, |n| {
        let policy = simple_rules(n);
        timed(|| {
            let engine = Engine::builder()
                .without_standard_pack()
                .policy("simple.policy", policy)
                .build()
                .expect("the rules load");
            assert_eq!(engine.program().rules.len(), n);
        })
    });
    assert!(
        ratio < LINEAR,
        "4 times the rules took {ratio:.1} times as long to load"
    );
}

// ------------------------------------------------------------------------------------------
// `same reason as` (issue 21, item 8): a clause naming thousands of rules, and rules that all
// name each other, load in time proportional to the names written and judge a claim they all
// fire on with one finding.
// ------------------------------------------------------------------------------------------

/// `n` rules that deny 77002, each naming the rules `names(i)` gives in `same reason as`.
fn related_rules(n: usize, names: impl Fn(usize) -> Vec<usize>) -> String {
    let mut policy = String::new();
    for i in 0..n {
        let named = names(i);
        policy.push_str(&format!("rule same.r{i}\n"));
        if !named.is_empty() {
            let ids: Vec<String> = named.iter().map(|j| format!("same.r{j}")).collect();
            policy.push_str(&format!("  same reason as {}\n", ids.join(", ")));
        }
        policy.push_str(&format!(
            "  for each line in 77002\n  deny \"rule {i}\"\n\n"
        ));
    }
    policy
}

fn load_related(policy: String) -> Engine {
    Engine::builder()
        .without_standard_pack()
        .policy("same.policy", policy)
        .build()
        .expect("the rules load")
}

const SAME_REASON_CLAIM: &str =
    r#"{"id": "SR", "service_date": "2024-03-01", "lines": [{"line": 1, "code": "77002"}]}"#;

/// One finding is given for the whole claim, whichever rules fire.
fn given_once(engine: &Engine) {
    let result = &engine.evaluate_input(SAME_REASON_CLAIM, EvalOptions::default())[0];
    assert_eq!(result.findings.len(), 1, "one finding for one reason");
    assert_eq!(result.findings[0].rule, "same.r0", "the rule loaded first");
}

#[test]
fn a_rule_naming_ten_thousand_rules_loads_in_linear_time_and_judges_once() {
    let n = 2_500;
    let policy = |n: usize| {
        related_rules(
            n + 1,
            move |i| if i == n { (0..n).collect() } else { Vec::new() },
        )
    };
    given_once(&load_related(policy(4 * n)));
    let ratio = growth(n, |size| {
        let text = policy(size);
        timed(|| {
            std::hint::black_box(load_related(text));
        })
    });
    assert!(
        ratio < LINEAR,
        "4 times the names took {ratio:.1} times as long to load"
    );
}

#[test]
fn five_thousand_rules_naming_each_other_in_a_ring_load_in_linear_time_and_judge_once() {
    let n = 1_250;
    let ring = |n: usize| related_rules(n, move |i| vec![(i + 1) % n]);
    given_once(&load_related(ring(4 * n)));
    let ratio = growth(n, |size| {
        let text = ring(size);
        timed(|| {
            std::hint::black_box(load_related(text));
        })
    });
    assert!(
        ratio < LINEAR,
        "4 times the rules took {ratio:.1} times as long to load"
    );
}

/// Every rule naming every other writes n² names: the load grows with the names, 16 times for
/// 4 times the rules, and judging a claim they all fire on stays within the same bound.
#[test]
fn rules_that_all_name_each_other_load_and_judge_in_time_linear_in_the_names() {
    let n = 100;
    let all = |n: usize| related_rules(n, move |i| (0..n).filter(|&j| j != i).collect());
    let engines: Vec<Engine> = [n, 4 * n].iter().map(|&n| load_related(all(n))).collect();
    given_once(&engines[1]);
    let names = 16.0;
    let load = growth(n, |size| {
        let text = all(size);
        timed(|| {
            std::hint::black_box(load_related(text));
        })
    });
    assert!(
        load < names * LINEAR / 4.0,
        "16 times the names took {load:.1} times as long to load"
    );
    let judge = growth(n, |size| {
        let engine = &engines[usize::from(size != n)];
        timed(|| {
            std::hint::black_box(engine.evaluate_input(SAME_REASON_CLAIM, EvalOptions::default()));
        })
    });
    assert!(
        judge < names * LINEAR / 4.0,
        "16 times the relations took {judge:.1} times as long to judge"
    );
}

/// A clause naming 10,000 rules no pack defines: the first 20 are reported, then a count, each
/// rendered without drawing its 100 KB line (miette cannot draw past column 65,535).
#[test]
fn a_clause_naming_ten_thousand_unknown_rules_is_reported_in_21_diagnostics() {
    let n = 10_000;
    let mut policy = related_rules(1, |_| Vec::new());
    let unknown: Vec<String> = (0..n).map(|i| format!("same.unknown{i}")).collect();
    policy.push_str(&format!(
        "rule same.all\n  same reason as {}\n  for each line in 77002\n  deny \"all\"\n",
        unknown.join(", ")
    ));
    let diagnostics = Engine::builder()
        .without_standard_pack()
        .policy("same.policy", policy)
        .build()
        .expect_err("unknown rules do not load");
    assert_eq!(diagnostics.len(), 21);
    let last = diagnostics
        .iter()
        .last()
        .expect("a count")
        .render(false, 90);
    assert!(last.contains("has 9980 more mistakes"), "{last}");
    for d in diagnostics.iter() {
        let shown = d.render(false, 90);
        assert!(shown.contains("(the line is too long to show)"), "{shown}");
        assert!(shown.len() < 1_000, "{shown}");
    }
}

/// A mistake far into a long line of any statement is shown by its place, not drawn.
#[test]
fn a_mistake_past_column_65535_is_rendered_without_a_panic() {
    let policy = format!(
        "codes \"x\" are {}, 2709\n",
        vec!["77002"; 14_000].join(", ")
    );
    let diagnostics = Engine::builder()
        .without_standard_pack()
        .policy("long.policy", policy)
        .build()
        .expect_err("`2709` is not a code");
    let shown = diagnostics.iter().next().expect("one").render(false, 90);
    assert!(
        shown.contains("at long.policy:1:98015 (the line is too long to show)"),
        "{shown}"
    );
}
