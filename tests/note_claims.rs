//! Claims that carry an operative note: what the note settles, how it meets the claim's own
//! facts, what `--explain` and `claimrules facts` show an auditor.

// A test stops at the first surprise, in its helpers too (Cargo.toml [lints], clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::process::Command;

use claimrules::{ClaimInput, Engine, EvalOptions, RawClaim};
use common::{judge, judge_with};
use rstest::rstest;

fn claim(code: &str, documentation: serde_json::Value) -> String {
    serde_json::json!({
        "id": "CLM-1",
        "service_date": "2024-03-01",
        "lines": [{"code": code}],
        "documentation": documentation,
    })
    .to_string()
}

fn note_facts(engine: &Engine, note: &str) -> serde_json::Value {
    let input = ClaimInput::Json(RawClaim {
        json: claim("28406", serde_json::json!({ "note": note })),
        line: 1,
    });
    serde_json::to_value(engine.documentation_facts(&input)).expect("serializable")
}

/// What a finding says, without where its rule is written.
fn findings(engine: &Engine, claim: &str) -> Vec<(String, String, Option<String>, String)> {
    judge(engine, claim)
        .findings
        .iter()
        .map(|f| {
            (
                f.rule.clone(),
                format!("{:?}", f.action),
                f.suggested_code.clone(),
                f.message.clone(),
            )
        })
        .collect()
}

#[test]
fn a_note_only_claim_gets_the_findings_of_the_same_claim_with_structured_facts() {
    let engine = Engine::standard().expect("standard pack");
    let from_note = claim(
        "28415",
        serde_json::json!({"note": "two K-wires were passed percutaneously under C-arm guidance; the fracture site was not exposed"}),
    );
    let structured = claim(
        "28415",
        serde_json::json!({
            "guidance": ["fluoroscopy"],
            "hardware": ["k_wire"],
            "fracture_site_visualized": false,
            "fracture_site_incised": false,
        }),
    );
    let expected = findings(&engine, &structured);
    assert!(!expected.is_empty(), "the structured claim is reviewed");
    assert_eq!(findings(&engine, &from_note), expected);
}

#[test]
fn an_im_nail_that_was_not_used_is_not_read_and_the_treatment_is_not_open() {
    let engine = Engine::standard().expect("standard pack");
    let facts = note_facts(&engine, "The IM nail was not used; K-wires only");
    assert_eq!(facts["facts"]["hardware"], serde_json::json!(["k_wire"]));
    let result = judge_with(
        &engine,
        &claim(
            "28406",
            serde_json::json!({"note": "The IM nail was not used; K-wires only"}),
        ),
        EvalOptions::default().with_explain(true),
    );
    let explain = result.explain.expect("explained");
    assert!(
        explain.derived.iter().all(|d| d.fact != "approach"),
        "{:?}",
        explain.derived
    );
}

#[rstest]
#[case::negated_before("No K-wires were needed, but a plate was applied.", "hardware", Some(serde_json::json!(["plate"])))]
#[case::pseudo_negation("No further displacement; two K-wires were placed.", "hardware", Some(serde_json::json!(["k_wire"])))]
#[case::removed_at_the_end("Provisional K-wires were removed after the plate was fixed.", "hardware", Some(serde_json::json!(["plate"])))]
#[case::plan_not_carried_out(
    "If needed, fluoroscopy. The reduction was held by hand.",
    "guidance",
    None
)]
#[case::seconds("Fluoroscopy time of 90 seconds.", "fluoroscopy_minutes", Some(serde_json::json!(1.5)))]
#[case::minutes_and_seconds("fluoro time 1 min 30 s", "fluoroscopy_minutes", Some(serde_json::json!(1.5)))]
#[case::duration_before_the_phrase("1 min 30 s of fluoroscopy were used.", "fluoroscopy_minutes", Some(serde_json::json!(1.5)))]
#[case::not_reapplied("The frame was removed and the ex-fix was not reapplied.", "external_fixation", Some(serde_json::json!(false)))]
#[case::clock("Fluoro time 0:45.", "fluoroscopy_minutes", Some(serde_json::json!(0.75)))]
#[case::negated_yes_no("The fracture site was not exposed.", "fracture_site_visualized", Some(serde_json::json!(false)))]
#[case::a_yes_beats_a_no("The fracture site was not exposed at first. It was then opened and the fracture site exposed.", "fracture_site_incised", Some(serde_json::json!(true)))]
#[case::compound_fracture_is_not_open_reduction(
    "Closed reduction of an open fracture.",
    "fracture_site_visualized",
    None
)]
#[case::seen_on_the_monitor(
    "The fracture was visualized under fluoroscopy.",
    "fracture_site_visualized",
    None
)]
#[case::history_is_not_today(
    "History of ORIF with a plate. Injection under ultrasound guidance.",
    "hardware",
    None
)]
#[case::abbreviation_and_plural("CRPP with 3 Kwires, mini-C-arm.", "hardware", Some(serde_json::json!(["k_wire"])))]
fn a_note_settles_what_its_words_say(
    #[case] note: &str,
    #[case] fact: &str,
    #[case] expected: Option<serde_json::Value>,
) {
    let engine = Engine::standard().expect("standard pack");
    let facts = note_facts(&engine, note);
    assert_eq!(facts["facts"].get(fact), expected.as_ref(), "{facts}");
}

#[test]
fn explain_shows_the_words_and_their_character_span() {
    let engine = Engine::standard().expect("standard pack");
    // Characters, not bytes: the accented word before the phrase counts as one each.
    let note = "Réduction fermée; two K-wires under C-arm.";
    let result = judge_with(
        &engine,
        &claim("28406", serde_json::json!({"note": note})),
        EvalOptions::default().with_explain(true),
    );
    let explain = result.explain.as_ref().expect("explained");
    let guidance = explain
        .from_note
        .iter()
        .find(|s| s.fact == "guidance")
        .expect("guidance read from the note");
    assert_eq!(guidance.text, "C-arm");
    let chars: Vec<char> = note.chars().collect();
    let spanned: String = chars[guidance.span[0]..guidance.span[1]].iter().collect();
    assert_eq!(spanned, "C-arm");
    assert!(guidance.policy.file.ends_with("vocabulary.policy"));
    let text = claimrules::report::render_text(&result);
    assert!(
        text.contains("from the note: guidance = [\"fluoroscopy\"] by \"C-arm\""),
        "{text}"
    );
}

#[test]
fn the_facts_command_prints_each_claims_facts_and_their_sources() {
    let dir = std::env::temp_dir().join(format!("claimrules-facts-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("claims.ndjson");
    let claims = [
        claim(
            "28415",
            serde_json::json!({"note": "Two K-wires under C-arm guidance."}),
        ),
        claim(
            "28415",
            serde_json::json!({"hardware": ["plate"], "note": "K-wires only."}),
        ),
        "{\"id\": \"BAD\", \"lines\": []}".to_string(),
    ];
    std::fs::write(&path, claims.join("\n")).expect("write claims");
    let out = Command::new(env!("CARGO_BIN_EXE_claimrules"))
        .args(["facts", path.to_str().expect("utf-8 path")])
        .output()
        .expect("the binary runs");
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(
        lines[0]["sources"]["guidance"],
        serde_json::json!({"from": "note", "span": [18, 23], "text": "C-arm"})
    );
    assert_eq!(
        lines[0]["facts"]["guidance"],
        serde_json::json!(["fluoroscopy"])
    );
    assert!(lines[0]["facts"].get("fracture_site_visualized").is_none());
    // The claim's own hardware wins over the note's.
    assert_eq!(lines[1]["facts"]["hardware"], serde_json::json!(["plate"]));
    assert_eq!(
        lines[1]["sources"]["hardware"],
        serde_json::json!({"from": "claim", "span": null, "text": null})
    );
    assert!(!lines[2]["errors"].as_array().expect("errors").is_empty());
    assert_eq!(
        out.status.code(),
        Some(1),
        "a claim that does not read exits 1"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
