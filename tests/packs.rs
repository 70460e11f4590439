//! Payer packs layered on the standard pack: manifests, `override` and `disable`, windows by
//! date of service, provenance, `claimrules packs` and `claimrules diff`, and the refusals that
//! keep a pack from outside safe.

// A test stops at the first surprise, in its helpers too (Cargo.toml [lints], clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::claimrules;

use std::path::{Path, PathBuf};

use claimrules::{Engine, EvalOptions, PackSource, Status};
use common::{case_name, judge, judge_with, render, render_located_with_help, summary};
use rstest::rstest;

const ACME: &str = "examples/packs/acme-health";
const BEACON: &str = "examples/packs/beacon-health";
const COASTAL: &str = "examples/packs/coastal-health";

fn acme() -> Engine {
    Engine::builder()
        .pack(PackSource::Dir(
            Path::new(env!("CARGO_MANIFEST_DIR")).join(ACME),
        ))
        .build()
        .unwrap_or_else(|d| panic!("the example pack loads:\n{}", render(&d)))
}

/// The standard pack, then packs given as `(file name, text)`, one pack each.
fn layered(packs: &[(&str, &str)]) -> Result<Engine, claimrules::Diagnostics> {
    packs
        .iter()
        .fold(Engine::builder(), |b, (name, text)| b.policy(*name, *text))
        .build()
}

const KNEE_INJECTION_2024: &str = r#"{"id": "K-2024", "service_date": "2024-05-14",
  "lines": [{"code": "20610"}, {"code": "77002"}, {"code": "76000", "modifiers": ["59"]}],
  "documentation": {"fluoroscopy_minutes": 1, "fluoroscopy_indication": "joint injection"}}"#;

#[test]
fn the_example_pack_passes_its_tests_layered_on_the_standard_pack() {
    let out = claimrules(&["test", "--pack", ACME]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}\n{stdout}");
    assert!(stdout.trim_end().ends_with(" passed, 0 failed"), "{stdout}");
}

#[test]
fn the_example_pack_changes_the_claims_it_targets_and_no_others() {
    let batch = format!("{ACME}/claims/batch.ndjson");
    let out = claimrules(&["diff", "--new", ACME, "--format", "json", &batch]);
    assert_eq!(out.status.code(), Some(1), "changes exit 1");
    let replay: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let changed: Vec<(&str, &str, &str)> = replay["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| {
            (
                c["claim"].as_str().unwrap_or(""),
                c["old_status"].as_str().unwrap_or(""),
                c["new_status"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        changed,
        [
            ("ACME-1", "pass", "deny"),
            ("ACME-3", "pass", "review"),
            ("ACME-4", "review", "pass"),
        ]
    );
    assert_eq!(replay["claims"], 8);
    let by_rule = &replay["by_rule"];
    assert_eq!(
        by_rule[0],
        serde_json::json!({"rule": "acme.sacroplasty-prior-authorization", "added": 1, "removed": 0})
    );
}

#[test]
fn the_beacon_pack_passes_its_tests_layered_on_the_standard_pack() {
    let out = claimrules(&["test", "--pack", BEACON]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}\n{stdout}");
    assert!(stdout.trim_end().ends_with(" passed, 0 failed"), "{stdout}");
}

/// Each result of an input as (claim, status, [(rule, action, lines)]).
type Outcome = (String, Status, Vec<(String, &'static str, Vec<u32>)>);

fn outcomes(engine: &Engine, input: &str) -> Vec<Outcome> {
    engine
        .evaluate_input(input, EvalOptions::default())
        .into_iter()
        .map(|r| {
            let findings = common::summary(&r.findings);
            (r.claim.unwrap_or_default(), r.status, findings)
        })
        .collect()
}

/// The real 837P sample `data/x12/demo.example1.837`: unchanged (no fluoroscopy line), Beacon
/// judges it as the standard pack does; with its line 2 billed as 77002, the standard pack
/// sends the line to review for the documentation an 837P cannot carry, and Beacon notes it
/// instead, and passes the claim. The same 77002 in a JSON claim is reviewed under Beacon too.
#[test]
fn beacon_notes_the_missing_fluoroscopy_documentation_of_an_837p_instead_of_reviewing_it() {
    let standard = Engine::standard().expect("the standard pack loads");
    let beacon = Engine::builder()
        .pack(PackSource::Dir(
            Path::new(env!("CARGO_MANIFEST_DIR")).join(BEACON),
        ))
        .build()
        .unwrap_or_else(|d| panic!("the Beacon pack loads:\n{}", render(&d)));
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/x12/demo.example1.837");
    let sample = std::fs::read_to_string(path).expect("the 837P sample");
    assert_eq!(outcomes(&beacon, &sample), outcomes(&standard, &sample));

    let with_77002 = sample.replacen("SV1*HC:87070*", "SV1*HC:77002*", 1);
    assert_ne!(with_77002, sample);
    let review = vec![(
        "fluoroscopy.documentation-required".to_string(),
        "review",
        vec![2],
    )];
    let note = vec![(
        "beacon.fluoroscopy-documentation-on-request".to_string(),
        "info",
        vec![2],
    )];
    let later = ("26463774@2006-10-10".to_string(), Status::Pass, vec![]);
    assert_eq!(
        outcomes(&standard, &with_77002),
        [
            (
                "26463774@2006-10-03".to_string(),
                Status::Review,
                review.clone()
            ),
            later.clone(),
        ]
    );
    assert_eq!(
        outcomes(&beacon, &with_77002),
        [
            ("26463774@2006-10-03".to_string(), Status::Pass, note),
            later,
        ]
    );

    let json = r#"{"id": "J-1", "service_date": "2006-10-03", "lines": [{"code": "99213"}, {"code": "77002"}]}"#;
    assert_eq!(
        outcomes(&beacon, json),
        [("J-1".to_string(), Status::Review, review)]
    );
}

/// The example claims file of the pack, through the binary: the standard pack exits 1 (a claim
/// in review), Beacon's pack 0; `diff` names the one claim that changes.
#[test]
fn the_beacon_example_837p_passes_under_beacon_and_diff_shows_why() {
    let claims = format!("{BEACON}/claims/fluoroscopy.837");
    let standard = claimrules(&["check", "--quiet", &claims]);
    assert_eq!(standard.status.code(), Some(1));
    let beacon = claimrules(&["check", "--quiet", "--pack", BEACON, &claims]);
    assert_eq!(
        beacon.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&beacon.stdout)
    );
    let out = claimrules(&["diff", "--new", BEACON, "--format", "json", &claims]);
    let replay: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(replay["claims"], 2);
    assert_eq!(replay["changes"][0]["claim"], "26463774@2006-10-03");
    assert_eq!(replay["changes"][0]["old_status"], "review");
    assert_eq!(replay["changes"][0]["new_status"], "pass");
}

#[test]
fn the_coastal_pack_passes_its_tests_layered_on_the_standard_pack() {
    let out = claimrules(&["test", "--pack", COASTAL]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}\n{stdout}");
    assert!(stdout.trim_end().ends_with(" passed, 0 failed"), "{stdout}");
}

/// Every rule of the Coastal pack, and every row of its tables keyed by diagnosis, is fired or
/// read by one of its tests.
#[test]
fn the_coastal_pack_tests_cover_its_rules_and_rows() {
    let out = claimrules(&["test", "--pack", COASTAL, "--coverage", COASTAL]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    for rule in [
        "coastal.joint-injection-not-covered",
        "coastal.joint-injection-covered",
        "coastal.diagnosis-age-conflict",
        "coastal.diagnosis-sex-conflict",
        "coastal.bilateral-rt-lt-on-one-line",
        "coastal.bilateral-hands-on-one-line",
        "coastal.bilateral-two-lines-billed-with-50",
        "coastal.joint-injection-without-pointers",
    ] {
        assert!(
            stdout.lines().any(|l| l.trim_start().starts_with(rule)),
            "{rule} fired by no test:\n{stdout}"
        );
    }
    // A rule never fired is marked so; a code or table row no test claim has is listed as
    // `  NAME: …` under its heading.
    for line in stdout.lines().filter(|l| l.contains("coastal")) {
        let untested =
            line.ends_with("never fired") || (line.starts_with("  coastal") && line.contains(": "));
        assert!(!untested, "untested: {line}\n{stdout}");
    }
}

/// A Coastal result as (claim, status, [(rule, action, lines, change)]), from `check --format
/// json`.
type CoastalOutcome = (
    String,
    String,
    Vec<(String, String, Vec<u64>, serde_json::Value)>,
);

fn coastal_check(file: &str) -> (Option<i32>, Vec<CoastalOutcome>) {
    let path = format!("{COASTAL}/claims/{file}");
    let out = claimrules(&[
        "check", "--quiet", "--pack", COASTAL, "--format", "json", &path,
    ]);
    let results: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stdout));
    });
    let outcomes = results
        .as_array()
        .expect("an array of results")
        .iter()
        .map(|r| {
            assert_eq!(r["errors"], serde_json::json!([]), "{r}");
            let findings = r["findings"]
                .as_array()
                .expect("findings")
                .iter()
                .map(|f| {
                    let lines = f["lines"]
                        .as_array()
                        .expect("lines")
                        .iter()
                        .map(|l| l.as_u64().expect("a line number"))
                        .collect();
                    (
                        f["rule"].as_str().expect("rule").to_string(),
                        f["action"].as_str().expect("action").to_string(),
                        lines,
                        f["change"].clone(),
                    )
                })
                .collect();
            (
                r["claim"].as_str().expect("claim").to_string(),
                r["status"].as_str().expect("status").to_string(),
                findings,
            )
        })
        .collect();
    (out.status.code(), outcomes)
}

fn finding(
    rule: &str,
    action: &str,
    lines: &[u64],
    change: serde_json::Value,
) -> (String, String, Vec<u64>, serde_json::Value) {
    (rule.into(), action.into(), lines.to_vec(), change)
}

const COVERED: &str = "coastal.joint-injection-covered";

#[rstest]
#[case::covered("covered-injection.json", "CH-1", "pass", &[(COVERED, "info", &[1][..])][..])]
#[case::not_covered_for_its_pointed_diagnosis(
    "not-covered-for-its-diagnosis.json",
    "CH-2",
    "deny",
    &[("coastal.joint-injection-not-covered", "deny", &[1][..])][..]
)]
#[case::age_conflict(
    "age-conflict.json",
    "CH-4",
    "review",
    // The standard pack's MCE-style table has M08.* too: one review, the standard rule's.
    &[("demographics.diagnosis-age-conflict", "review", &[1][..]), (COVERED, "info", &[1][..])][..]
)]
#[case::sex_conflict(
    "sex-conflict.json",
    "CH-5",
    "review",
    &[("coastal.diagnosis-sex-conflict", "review", &[1][..])][..]
)]
fn coastal_json_claims_get_the_findings_of_their_policy(
    #[case] file: &str,
    #[case] claim: &str,
    #[case] status: &str,
    #[case] expected: &[(&str, &str, &[u64])],
) {
    let (code, outcomes) = coastal_check(file);
    assert_eq!(
        code,
        Some(if status == "pass" { 0 } else { 1 }),
        "{outcomes:?}"
    );
    let expected: Vec<_> = expected
        .iter()
        .map(|(rule, action, lines)| finding(rule, action, lines, serde_json::Value::Null))
        .collect();
    assert_eq!(
        outcomes,
        [(claim.to_string(), status.to_string(), expected)]
    );
}

#[test]
fn coastal_merges_an_rt_and_an_lt_line_of_20610_into_one_with_modifier_50() {
    // 20610 has bilateral indicator 1 in the standard pack too, whose rule Coastal's names as
    // the same reason: one merge, the standard rule's.
    let (_, outcomes) = coastal_check("rt-lt-merge.json");
    let merge = serde_json::json!({"op": "merge_lines", "lines": [1, 2], "modifier": "50"});
    assert_eq!(
        outcomes,
        [(
            "CH-3".to_string(),
            "review".to_string(),
            vec![
                finding(
                    "modifiers.bilateral-sides-on-two-lines",
                    "modify",
                    &[1, 2],
                    merge
                ),
                finding(COVERED, "info", &[1], serde_json::Value::Null),
                finding(COVERED, "info", &[2], serde_json::Value::Null),
            ]
        )]
    );
}

/// The pack's 837P: four claims, one for each policy it judges by the line's diagnoses (SV107)
/// and the patient (DMG).
#[test]
fn the_coastal_example_837p_gets_coverage_merge_and_age_findings() {
    let (code, outcomes) = coastal_check("coastal-health.837");
    assert_eq!(code, Some(1), "{outcomes:?}");
    let none = serde_json::Value::Null;
    let merge = serde_json::json!({"op": "merge_lines", "lines": [1, 2], "modifier": "50"});
    assert_eq!(
        outcomes,
        [
            (
                "CH-X12-1".to_string(),
                "pass".to_string(),
                vec![finding(COVERED, "info", &[1], none.clone())]
            ),
            (
                "CH-X12-2".to_string(),
                "review".to_string(),
                vec![
                    finding(
                        "modifiers.bilateral-sides-on-two-lines",
                        "modify",
                        &[1, 2],
                        merge
                    ),
                    finding(COVERED, "info", &[1], none.clone()),
                    finding(COVERED, "info", &[2], none.clone()),
                ]
            ),
            (
                "CH-X12-3".to_string(),
                "deny".to_string(),
                vec![finding(
                    "coastal.joint-injection-not-covered",
                    "deny",
                    &[1],
                    none.clone()
                )]
            ),
            (
                "CH-X12-4".to_string(),
                "review".to_string(),
                vec![
                    finding(
                        "demographics.diagnosis-age-conflict",
                        "review",
                        &[1],
                        none.clone()
                    ),
                    finding(COVERED, "info", &[1], none),
                ]
            ),
        ]
    );
}

/// `claimrules facts` on the pack's 837P shows what the rules read: the patient's age and sex
/// from DMG, and each line's diagnoses from its pointers (SV107).
#[test]
fn facts_of_the_coastal_837p_show_the_patient_and_the_line_diagnoses() {
    let out = claimrules(&["facts", &format!("{COASTAL}/claims/coastal-health.837")]);
    assert_eq!(out.status.code(), Some(0));
    let claims: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object a line"))
        .collect();
    assert_eq!(claims.len(), 4);
    let fields = |i: usize| {
        (
            &claims[i]["fields"]["patient age"],
            &claims[i]["fields"]["patient sex"],
        )
    };
    assert_eq!(fields(0), (&serde_json::json!(66), &serde_json::json!("F")));
    assert_eq!(fields(3), (&serde_json::json!(46), &serde_json::json!("M")));
    let diagnoses = |i: usize| -> Vec<serde_json::Value> {
        claims[i]["lines"]
            .as_array()
            .expect("lines")
            .iter()
            .map(|l| l["diagnoses"].clone())
            .collect()
    };
    assert_eq!(diagnoses(0), [serde_json::json!(["M17.11", "M25.561"])]);
    assert_eq!(
        diagnoses(1),
        [serde_json::json!(["M17.11"]), serde_json::json!(["M17.12"])]
    );
    assert_eq!(diagnoses(2), [serde_json::json!(["M25.561"])]);
    assert_eq!(diagnoses(3), [serde_json::json!(["M08.061", "M25.561"])]);
}

#[test]
fn diff_of_a_pack_set_with_itself_finds_nothing_and_exits_0() {
    let out = claimrules(&[
        "diff",
        "--old",
        ACME,
        "--new",
        ACME,
        "examples/claims/batch.ndjson",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("0 changed"), "{stdout}");
}

#[test]
fn a_claim_from_2009_and_one_from_2024_are_each_judged_by_the_rules_of_their_date() {
    let engine = acme();
    let batch = std::fs::read_to_string(format!("{ACME}/claims/batch.ndjson")).expect("batch");
    let results = engine.evaluate_input(&batch, EvalOptions::default());
    let status = |id: &str| {
        results
            .iter()
            .find(|r| r.claim.as_deref() == Some(id))
            .map(|r| r.status)
    };
    // The same services: in 2024 under the Acme contract, in 2009 before it.
    assert_eq!(status("ACME-1"), Some(Status::Deny));
    assert_eq!(status("ACME-2"), Some(Status::Pass));
    // CCI 16.1 dates hold under the payer pack too: hip arthrography on 2010-03-31.
    assert_eq!(status("ACME-6"), Some(Status::Deny));
}

#[test]
fn every_finding_names_its_pack_and_version() {
    let engine = acme();
    let claim = r#"{"id": "S-1", "service_date": "2024-07-09", "lines": [{"code": "0201T", "modifiers": ["62"]}]}"#;
    let result = judge(&engine, claim);
    let packs: Vec<(String, Option<String>, String)> = result
        .findings
        .iter()
        .map(|f| (f.pack.name.clone(), f.pack.version.clone(), f.rule.clone()))
        .collect();
    assert!(packs.contains(&(
        "acme-health".into(),
        Some("2024.2".into()),
        "acme.sacroplasty-prior-authorization".into()
    )));
    assert!(packs.contains(&(
        "standard".into(),
        Some("1.3.0".into()),
        "modifiers.co-surgeons-not-permitted".into()
    )));
}

#[test]
fn explain_shows_the_reason_a_rule_is_disabled_and_what_overrides_a_rule() {
    let engine = acme();
    let claim = r#"{"id": "X-1", "service_date": "2024-05-14", "diagnoses": ["S82.251C"],
      "lines": [{"code": "20696", "modifiers": ["LT", "RT"]}, {"code": "76000"}, {"code": "77003"}],
      "documentation": {"external_fixation": true, "fluoroscopy_minutes": 1, "fluoroscopy_indication": "frame"}}"#;
    let result = judge_with(&engine, claim, EvalOptions::default().with_explain(true));
    let traces = &result.explain.as_ref().expect("explained").rules;
    let reason = |rule: &str| {
        traces
            .iter()
            .filter(|t| t.rule == rule)
            .filter_map(|t| t.reason.clone())
            .collect::<Vec<_>>()
    };
    let disabled = reason("modifiers.left-and-right-on-one-line");
    assert!(
        disabled.iter().any(|r| r.starts_with(
            "disabled on 2024-05-14 by pack `acme-health`: Acme's claim system takes LT and RT"
        )),
        "{disabled:?}"
    );
    let overridden = reason("fluoroscopy.basic-with-specific-guidance");
    assert!(
        overridden
            .iter()
            .any(|r| r.starts_with("overridden on 2024-05-14 by pack `acme-health`")),
        "{overridden:?}"
    );
}

#[test]
fn an_override_with_a_window_leaves_the_rule_below_in_force_outside_it() {
    let engine = layered(&[(
        "payer.policy",
        "pack \"payer\"\n  version \"1\"\n  extends \"standard\"\n\n\
         override rule fluoroscopy.basic-with-specific-guidance\n  effective 2024-01-01 until 2024-12-31\n  76000 with 77002 in the same session denied\n",
    )])
    .unwrap_or_else(|d| panic!("{}", render(&d)));
    let on = |date: &str| {
        let claim = KNEE_INJECTION_2024.replace("2024-05-14", date);
        judge(&engine, &claim).status
    };
    // 76000-59 with 77002: the standard edits give way to 59, the override (no bypass) does not.
    assert_eq!(on("2023-12-31"), Status::Pass);
    assert_eq!(on("2024-05-14"), Status::Deny);
    assert_eq!(on("2025-01-01"), Status::Pass);
}

#[test]
fn a_pack_layered_on_another_may_change_a_rule_that_one_changed() {
    let engine = layered(&[
        (
            "region.policy",
            "pack \"region\"\n  extends \"standard\"\n\ndisable rule fluoroscopy.basic-with-specific-guidance\n  reason \"regional contract\"\n",
        ),
        (
            "plan.policy",
            "pack \"plan\"\n  extends \"region\"\n\noverride rule fluoroscopy.basic-with-specific-guidance\n  76000 with 77002 denied\n",
        ),
    ])
    .unwrap_or_else(|d| panic!("{}", render(&d)));
    assert_eq!(judge(&engine, KNEE_INJECTION_2024).status, Status::Deny);
}

/// A payer pack that has its nurses review units over a clinical MUE (adjudication indicator
/// 3), the standard pack's rule unchanged but for its action.
const CLINICAL_MUE_REVIEWED: &str = "pack \"payer\"\n  extends \"standard\"\n\n\
    change rule ncci.mue.clinical-date-of-service-edit to review\n  \
    reason \"MAI 3 limits are clinical and appealable: our nurses review them\"\n";

/// 20610: MUE 2 a date of service, adjudication indicator 3 (clinical).
const OVER_A_CLINICAL_MUE: &str =
    r#"{"id": "MAI-3", "service_date": "2024-06-01", "lines": [{"code": "20610", "units": 3}]}"#;

/// 20552: MUE 1 a date of service, adjudication indicator 2 (policy).
const OVER_A_POLICY_MUE: &str =
    r#"{"id": "MAI-2", "service_date": "2024-06-01", "lines": [{"code": "20552", "units": 2}]}"#;

#[test]
fn a_change_of_action_reviews_units_over_a_clinical_mue_with_the_national_finding() {
    let payer = layered(&[("payer.policy", CLINICAL_MUE_REVIEWED)])
        .unwrap_or_else(|d| panic!("{}", render(&d)));
    let standard = Engine::standard().expect("the standard pack loads");
    let national = judge(&standard, OVER_A_CLINICAL_MUE);
    let changed = judge(&payer, OVER_A_CLINICAL_MUE);
    assert_eq!(national.status, Status::Deny);
    assert_eq!(changed.status, Status::Review);
    assert_eq!(
        summary(&changed.findings),
        [(
            "ncci.mue.clinical-date-of-service-edit".to_string(),
            "review",
            vec![1]
        )]
    );
    // The rule's id, message, place and cited CMS row are the standard pack's; so is the pack
    // the finding names, as the rule is its.
    let (n, c) = (&national.findings[0], &changed.findings[0]);
    assert_eq!(
        (&c.rule, &c.message, &c.policy, &c.table, &c.pack),
        (&n.rule, &n.message, &n.policy, &n.table, &n.pack)
    );
    // A policy limit (indicator 2) stays denied.
    assert_eq!(
        summary(&judge(&payer, OVER_A_POLICY_MUE).findings),
        [("ncci.mue.date-of-service-edit".to_string(), "deny", vec![1])]
    );
}

#[test]
fn explain_says_which_pack_changed_the_action_and_why() {
    let payer = layered(&[("payer.policy", CLINICAL_MUE_REVIEWED)])
        .unwrap_or_else(|d| panic!("{}", render(&d)));
    let result = judge_with(
        &payer,
        OVER_A_CLINICAL_MUE,
        EvalOptions::default().with_explain(true),
    );
    let text = claimrules::report::render_text(&result);
    assert!(
        text.contains(
            "its action is changed to review on 2024-06-01 by pack `payer`: MAI 3 limits are \
             clinical and appealable: our nurses review them"
        ),
        "{text}"
    );
}

/// A change of action works on every kind of rule that denies: a check rule, a pair edit
/// written by hand and a table's edits.
#[rstest]
#[case::a_check_rule_to_info(
    "ncci.mue.clinical-date-of-service-edit",
    "info",
    OVER_A_CLINICAL_MUE,
    "20610",
    "info"
)]
#[case::a_pair_edit_to_review(
    "fluoroscopy.basic-with-specific-guidance",
    "review",
    KNEE_INJECTION_2024,
    "76000",
    "review"
)]
#[case::a_table_of_edits_to_info(
    "ncci.procedure-to-procedure",
    "info",
    r#"{"id": "P", "service_date": "2024-06-01", "lines": [{"code": "62322"}, {"code": "77003"}]}"#,
    "77003",
    "info"
)]
fn a_change_of_action_applies_to_every_kind_of_denial(
    #[case] rule: &str,
    #[case] to: &str,
    #[case] claim: &str,
    #[case] code: &str,
    #[case] action: &str,
) {
    let policy = format!(
        "pack \"payer\"\n  extends \"standard\"\n\nchange rule {rule} to {to}\n  reason \"r\"\n"
    );
    // Without the pack's 59 on 76000, its pair edit denies it.
    let claim = claim.replace(r#", "modifiers": ["59"]"#, "");
    let payer = layered(&[("payer.policy", &policy)]).unwrap_or_else(|d| panic!("{}", render(&d)));
    let standard = Engine::standard().expect("the standard pack loads");
    let actions = |engine: &Engine| -> Vec<&'static str> {
        judge(engine, &claim)
            .findings
            .iter()
            .filter(|f| f.rule == rule && f.code.as_deref() == Some(code))
            .map(|f| f.action.as_str())
            .collect()
    };
    assert_eq!(judge(&standard, &claim).status, Status::Deny);
    // The pair edits of the standard pack agree with the national table's, so their denial is
    // given once, by the table's rule; changed to another action, it is given on its own.
    assert!(matches!(&actions(&standard)[..], [] | ["deny"]));
    assert_eq!(actions(&payer), [action]);
}

#[test]
fn a_change_of_action_holds_on_its_dates_only() {
    let payer = layered(&[(
        "payer.policy",
        "pack \"payer\"\n  extends \"standard\"\n\n\
         change rule ncci.mue.clinical-date-of-service-edit to review\n  reason \"r\"\n  \
         effective 2024-07-01 until 2024-12-31\n",
    )])
    .unwrap_or_else(|d| panic!("{}", render(&d)));
    let on = |date: &str| judge(&payer, &OVER_A_CLINICAL_MUE.replace("2024-06-01", date)).status;
    assert_eq!(on("2024-06-30"), Status::Deny);
    assert_eq!(on("2024-07-01"), Status::Review);
    assert_eq!(on("2024-12-31"), Status::Review);
    assert_eq!(on("2025-01-01"), Status::Deny);
}

#[test]
fn of_two_packs_that_change_an_action_the_higher_decides_and_an_override_above_both() {
    let region = (
        "region.policy",
        "pack \"region\"\n  extends \"standard\"\n\n\
         change rule ncci.mue.clinical-date-of-service-edit to review\n  reason \"nurses\"\n",
    );
    let plan = (
        "plan.policy",
        "pack \"plan\"\n  extends \"region\"\n\n\
         change rule ncci.mue.clinical-date-of-service-edit to info\n  reason \"paid\"\n",
    );
    let engine = layered(&[region, plan]).unwrap_or_else(|d| panic!("{}", render(&d)));
    assert_eq!(judge(&engine, OVER_A_CLINICAL_MUE).status, Status::Pass);
    assert_eq!(
        summary(&judge(&engine, OVER_A_CLINICAL_MUE).findings),
        [(
            "ncci.mue.clinical-date-of-service-edit".to_string(),
            "info",
            vec![1]
        )]
    );
    // An override above the change is a rule of its own, with its own action.
    let strict = (
        "plan.policy",
        "pack \"plan\"\n  extends \"region\"\n\n\
         override rule ncci.mue.clinical-date-of-service-edit\n  for each line in 20610\n  \
         when line units > 2\n  deny \"m\"\n",
    );
    let engine = layered(&[region, strict]).unwrap_or_else(|d| panic!("{}", render(&d)));
    assert_eq!(judge(&engine, OVER_A_CLINICAL_MUE).status, Status::Deny);
}

/// Packs that do not fit the packs below them: each mistake, worded for the pack's author.
#[rstest]
#[case::override_of_an_unknown_rule(&[(
    "acme.policy",
    "pack \"acme\"\n  extends \"standard\"\n\noverride rule fluoroscopy.basic-with-specific-guidence\n  76000 with 77003 denied\n",
)])]
#[case::disable_of_an_unknown_rule(&[(
    "acme.policy",
    "pack \"acme\"\n\ndisable rule modifiers.left-and-right-on-a-line\n  reason \"accepted\"\n",
)])]
#[case::disable_of_a_rule_of_the_same_pack(&[(
    "acme.policy",
    "rule acme.r\n  for each line in 0201T\n  info \"m\"\n\ndisable rule acme.r\n  reason \"no\"\n",
)])]
#[case::two_packs_beside_each_other_override_one_rule(&[
    ("north.policy", "pack \"north\"\n  extends \"standard\"\n\noverride rule fluoroscopy.basic-with-specific-guidance\n  76000 with 77003 denied\n"),
    ("south.policy", "pack \"south\"\n  extends \"standard\"\n\noverride rule fluoroscopy.basic-with-specific-guidance\n  76000 with 77002 denied\n"),
])]
#[case::a_rule_redefined_without_override(&[(
    "acme.policy",
    "rule fluoroscopy.basic-with-specific-guidance\n  76000 with 77003 denied\n",
)])]
#[case::same_reason_as_a_rule_of_a_pack_beside(&[
    ("north.policy", "pack \"north\"\n  extends \"standard\"\n\nrule north.units\n  for each line in 0201T\n  when line units > 1\n  deny \"m\"\n"),
    ("south.policy", "pack \"south\"\n  extends \"standard\"\n\nrule south.units\n  same reason as north.units\n  for each line in 0201T\n  when line units > 1\n  deny \"n\"\n"),
])]
#[case::extends_an_unknown_pack(&[("acme.policy", "pack \"acme\"\n  extends \"standrd\"\n")])]
#[case::a_reversed_effective_window(&[(
    "acme.policy",
    "pack \"acme\"\n  effective 2024-12-31 until 2024-01-01\n",
)])]
#[case::change_of_an_unknown_rule(&[(
    "acme.policy",
    "pack \"acme\"\n\nchange rule ncci.mue.clinical-date-of-servise-edit to review\n  reason \"r\"\n",
)])]
#[case::change_of_a_rule_of_the_same_pack(&[(
    "acme.policy",
    "rule acme.r\n  for each line in 0201T\n  deny \"m\"\n\nchange rule acme.r to review\n  reason \"r\"\n",
)])]
#[case::change_of_a_rule_the_pack_overrides(&[(
    "acme.policy",
    "override rule ncci.mue.clinical-date-of-service-edit\n  for each line in 20610\n  deny \"m\"\n\n\
     change rule ncci.mue.clinical-date-of-service-edit to review\n  reason \"r\"\n",
)])]
#[case::change_of_a_rule_the_pack_disables(&[(
    "acme.policy",
    "disable rule ncci.mue.clinical-date-of-service-edit\n  reason \"off\"\n\n\
     change rule ncci.mue.clinical-date-of-service-edit to review\n  reason \"r\"\n",
)])]
#[case::two_changes_of_one_rule(&[(
    "acme.policy",
    "change rule ncci.mue.clinical-date-of-service-edit to review\n  reason \"r\"\n\n\
     change rule ncci.mue.clinical-date-of-service-edit to info\n  reason \"s\"\n",
)])]
#[case::change_to_the_action_the_rule_has(&[(
    "acme.policy",
    "change rule ncci.mue.clinical-date-of-service-edit to deny\n  reason \"r\"\n",
)])]
#[case::change_of_a_rule_that_suggests(&[(
    "acme.policy",
    "change rule fluoroscopy.spinal-procedure-needs-77003 to review\n  reason \"r\"\n",
)])]
#[case::change_of_a_rule_that_derives(&[(
    "acme.policy",
    "change rule fixation.im-nail-is-open to info\n  reason \"r\"\n",
)])]
#[case::two_packs_beside_each_other_change_one_rule(&[
    ("north.policy", "pack \"north\"\n  extends \"standard\"\n\nchange rule ncci.mue.clinical-date-of-service-edit to review\n  reason \"r\"\n"),
    ("south.policy", "pack \"south\"\n  extends \"standard\"\n\nchange rule ncci.mue.clinical-date-of-service-edit to info\n  reason \"s\"\n"),
])]
fn layering_mistakes_are_explained(#[case] packs: &[(&str, &str)]) {
    let name = case_name();
    let diagnostics = match layered(packs) {
        Ok(_) => panic!("the packs should not load"),
        Err(d) => d,
    };
    insta::assert_snapshot!(name, render_located_with_help(&diagnostics));
}

#[test]
fn a_disable_needs_a_reason() {
    let diagnostics = layered(&[(
        "acme.policy",
        "disable rule modifiers.left-and-right-on-one-line\n",
    )])
    .expect_err("no reason");
    assert!(
        render(&diagnostics).contains("reason"),
        "{}",
        render(&diagnostics)
    );
}

/// A pack folder written for one test.
fn pack_dir(name: &str, files: &[(&str, &[u8])]) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    for (file, bytes) in files {
        let path = dir.join(file);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, bytes).expect("write");
    }
    dir
}

fn check_exit(dir: &Path) -> (Option<i32>, String) {
    let out = claimrules(&[
        "check",
        "--pack",
        dir.to_str().expect("utf-8"),
        "examples/claims/hip-arthrography-2010-03-31.json",
    ]);
    // Diagnostics wrap at a fixed width, and where depends on the folder's path.
    let stderr = String::from_utf8_lossy(&out.stderr);
    let words: Vec<&str> = stderr.split_whitespace().filter(|w| *w != "│").collect();
    (out.status.code(), words.join(" "))
}

#[test]
fn overriding_an_unknown_rule_id_exits_2_with_a_diagnostic() {
    let dir = pack_dir(
        "pack-unknown-override",
        &[(
            "rules.policy",
            b"override rule fluoroscopy.basic-with-specific-guidence\n  76000 with 77003 denied\n",
        )],
    );
    let (code, stderr) = check_exit(&dir);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("did you mean `fluoroscopy.basic-with-specific-guidance`?"),
        "{stderr}"
    );
}

#[test]
fn a_table_path_with_dotdot_exits_2_with_a_diagnostic() {
    let dir = pack_dir(
        "pack-table-escape",
        &[(
            "rules.policy",
            b"table \"limits\" from \"../secret.csv\"\n  column limit is number\n\nrule acme.limit\n  for each line in \"limits\"\n  when line units > code.limit\n  deny \"too many\"\n",
        )],
    );
    let (code, stderr) = check_exit(&dir);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("leads outside the pack folder"), "{stderr}");
}

#[test]
fn an_oversize_policy_file_exits_2_with_a_diagnostic_and_loads_nothing() {
    let mut big = b"rule acme.r\n  for each line in 0201T\n  info \"m\"\n".to_vec();
    big.resize(
        (claimrules::pack::limits::MAX_POLICY_BYTES + 1) as usize,
        b'#',
    );
    let dir = pack_dir(
        "pack-oversize",
        &[
            ("big.policy", &big),
            (
                "small.policy",
                b"rule acme.s\n  for each line in 0201T\n  info \"m\"\n",
            ),
        ],
    );
    let (code, stderr) = check_exit(&dir);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("over the limit of 4194304 bytes"),
        "{stderr}"
    );
}

#[test]
fn too_many_files_in_a_pack_folder_is_refused() {
    let files: Vec<(String, Vec<u8>)> = (0..=claimrules::pack::limits::MAX_FILES)
        .map(|i| (format!("notes/{i}.txt"), Vec::new()))
        .collect();
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let dir = pack_dir("pack-too-many-files", &refs);
    std::fs::write(
        dir.join("r.policy"),
        "rule acme.r\n  for each line in 0201T\n  info \"m\"\n",
    )
    .expect("write");
    let (code, stderr) = check_exit(&dir);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("it holds more than 2000 files"), "{stderr}");
}

#[test]
fn packs_lists_each_pack_with_what_it_changes_and_a_hash_of_its_files() {
    let list = |dir: &str| {
        let out = claimrules(&["packs", "--pack", dir, "--format", "json"]);
        assert_eq!(out.status.code(), Some(0));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).expect("JSON")
    };
    let packs = list(ACME);
    assert_eq!(packs[0]["name"], "standard");
    assert_eq!(packs[1]["name"], "acme-health");
    assert_eq!(packs[1]["version"], "2024.2");
    assert_eq!(packs[1]["extends"], "standard");
    assert_eq!(
        packs[1]["overrides"],
        serde_json::json!(["fluoroscopy.basic-with-specific-guidance"])
    );
    assert_eq!(
        packs[1]["disables"],
        serde_json::json!(["modifiers.left-and-right-on-one-line"])
    );
    assert_eq!(
        packs[1]["changes"],
        serde_json::json!([
            {"rule": "ncci.mue.clinical-date-of-service-edit", "to": "review"},
            {"rule": "ncci.mue.clinical-date-of-service-edit.across-claims", "to": "review"},
        ])
    );
    assert_eq!(packs[0]["changes"], serde_json::json!([]));
    // The same files give the same hash; a changed file another.
    let copy = pack_dir("pack-hash", &[("claims/batch.ndjson", b"")]);
    for entry in std::fs::read_dir(ACME).expect("pack").flatten() {
        if entry.path().is_file() {
            std::fs::copy(entry.path(), copy.join(entry.file_name())).expect("copy");
        }
    }
    std::fs::copy(
        format!("{ACME}/claims/batch.ndjson"),
        copy.join("claims/batch.ndjson"),
    )
    .expect("copy");
    let copied = list(copy.to_str().expect("utf-8"));
    assert_eq!(copied[1]["hash"], packs[1]["hash"]);
    let policy = copy.join("contracts.policy");
    let text = std::fs::read_to_string(&policy).expect("read") + "\n";
    std::fs::write(&policy, text).expect("write");
    let changed = list(copy.to_str().expect("utf-8"));
    assert_ne!(changed[1]["hash"], packs[1]["hash"]);
    assert_eq!(changed[0]["hash"], packs[0]["hash"]);
}

/// The repository's `policies/` is named `standard`: given beside the embedded standard pack it
/// would replace it unsaid, so it is refused; `--no-default-pack` is how to work on it.
#[test]
fn the_standard_pack_folder_is_refused_beside_the_embedded_one() {
    let out = claimrules(&["lint", "policies"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(
        stdout.contains("the pack folder `policies` is named `standard`"),
        "{stdout}"
    );
    assert!(stdout.contains("pass --no-default-pack"), "{stdout}");
}

#[test]
fn a_table_is_read_only_on_the_dates_of_its_window() {
    let dir = pack_dir(
        "pack-table-window",
        &[
            (
                "limits.policy",
                b"table \"acme limits\" from \"tables/limits.csv\"\n  effective 2024-01-01 until 2024-12-31\n  column acme_limit is number\n\nrule acme.limit\n  for each line in \"acme limits\"\n  when line units > code.acme_limit\n  deny \"too many\"\n",
            ),
            ("tables/limits.csv", b"code,acme_limit\n20610,1\n"),
        ],
    );
    let engine = Engine::builder()
        .pack(PackSource::Dir(dir))
        .build()
        .unwrap_or_else(|d| panic!("{}", render(&d)));
    let on = |date: &str| {
        let claim = format!(
            r#"{{"id": "T", "service_date": "{date}", "lines": [{{"code": "20610", "units": 2}}]}}"#
        );
        judge(&engine, &claim).status
    };
    assert_eq!(on("2023-12-31"), Status::Pass);
    assert_eq!(on("2024-06-01"), Status::Deny);
    assert_eq!(on("2025-01-01"), Status::Pass);
}

#[test]
fn a_packs_tests_run_without_the_packs_beside_it() {
    let north = pack_dir(
        "pack-north",
        &[(
            "pack.policy",
            b"pack \"north\"\n  extends \"standard\"\n\ndisable rule modifiers.left-and-right-on-one-line\n  reason \"north takes LT and RT on one line\"\n",
        )],
    );
    // South is loaded after north but layered on the standard pack alone: north's disable
    // must not be in force for south's tests.
    let south = pack_dir(
        "pack-south",
        &[
            (
                "pack.policy",
                b"pack \"south\"\n  extends \"standard\"\n\nrule south.note\n  for each line in 20696\n  info \"south sees the frame\"\n",
            ),
            (
                "south.test.policy",
                b"test \"LT and RT on one line are reviewed under south\"\n  claim on 2024-03-01\n    line 20696 modifier LT, RT\n    diagnosis S82.251C\n  expect review from modifiers.left-and-right-on-one-line\n  expect info from south.note\n",
            ),
        ],
    );
    let out = claimrules(&[
        "test",
        "--pack",
        north.to_str().expect("utf-8"),
        "--pack",
        south.to_str().expect("utf-8"),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}\n{stdout}");
}

#[test]
fn packs_lists_the_standard_packs_national_tables_with_their_version_and_origin() {
    let out = claimrules(&["packs", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let packs: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let tables = packs[0]["tables"].as_array().expect("tables");
    let table = |name: &str| {
        tables
            .iter()
            .find(|t| t["name"] == name)
            .unwrap_or_else(|| panic!("`{name}` in {tables:?}"))
    };
    let ptp = table("ncci_ptp");
    assert_eq!(ptp["kind"], "pair edits");
    assert_eq!(
        ptp["version"],
        serde_json::json!({"ncci": "30.1", "quarter": "2024Q2"})
    );
    assert_eq!(ptp["origin"], "embedded");
    let file = &ptp["files"][0];
    assert_eq!(
        file["path"],
        "policies/tables/ncci/ptp_practitioner_v30.1_2024q2.tsv.zst"
    );
    assert_eq!(file["compression"], "zstd");
    let shipped = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("policies/tables/ncci/ptp_practitioner_v30.1_2024q2.tsv.zst"),
    )
    .expect("the shipped table");
    assert_eq!(file["sha256"], sha256(&shipped));
    assert!(ptp["rows"].as_u64().expect("rows") > 2_000_000, "{ptp}");
    let mue = table("ncci_mue");
    assert_eq!(
        mue["version"],
        serde_json::json!({"ncci": null, "quarter": "2024Q2"})
    );
    let codes = table("fracture treatment");
    assert_eq!(codes["kind"], "codes");
    assert_eq!(codes["version"], serde_json::Value::Null);
    assert_eq!(codes["files"][0]["compression"], serde_json::Value::Null);
}

#[test]
fn packs_names_a_table_override_and_a_pack_folders_own_table_by_their_paths() {
    let dir = pack_dir(
        "pack-tables-in-force",
        &[
            (
                "limits.policy",
                b"table \"acme limits\" from \"tables/limits.csv\"\n  column acme_limit is number\n\nrule acme.limit\n  for each line in \"acme limits\"\n  when line units > code.acme_limit\n  deny \"too many\"\n",
            ),
            ("tables/limits.csv", b"code,acme_limit\n20610,1\n20611,2\n"),
            (
                "override/mue_2024q3.tsv",
                b"hcpcs\tmue_uos\tmai\n20610\t1\t2\n",
            ),
        ],
    );
    let mue = dir.join("override/mue_2024q3.tsv");
    let out = claimrules(&[
        "packs",
        "--pack",
        dir.to_str().expect("utf-8"),
        "--table",
        &format!("ncci_mue={}", mue.display()),
        "--format",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let packs: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let overridden = packs[0]["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .find(|t| t["name"] == "ncci_mue")
        .expect("ncci_mue");
    assert_eq!(overridden["origin"], "override");
    assert_eq!(overridden["files"][0]["path"], mue.display().to_string());
    assert_eq!(
        overridden["files"][0]["sha256"],
        sha256(&std::fs::read(&mue).expect("read"))
    );
    assert_eq!(overridden["version"]["quarter"], "2024Q3");
    assert_eq!(overridden["rows"], 1);
    let own = &packs[1]["tables"][0];
    assert_eq!(own["name"], "acme limits");
    assert_eq!(own["origin"], "pack");
    assert!(
        own["files"][0]["path"]
            .as_str()
            .expect("path")
            .ends_with("tables/limits.csv"),
        "{own}"
    );
    assert_eq!(own["rows"], 2);
    assert_eq!(own["version"], serde_json::Value::Null);

    let text = claimrules(&["packs", "--pack", dir.to_str().expect("utf-8")]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("  table       acme limits (codes): no version in its file name, 2 rows\n"),
        "{text}"
    );
}

/// `sha256:` and the hex digest, as `packs` writes it.
fn sha256(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    format!("sha256:{:x}", Sha256::digest(bytes))
}
