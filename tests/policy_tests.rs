//! The standard pack's own policy tests (`policies/*.test.policy`), run the way an engineer
//! runs them: `claimrules test policies`. Also: a broken expectation fails on its line.

mod common;

use std::path::PathBuf;
use std::process::{Command, Output};

fn claimrules(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_claimrules"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

#[test]
fn the_standard_pack_passes_its_own_tests() {
    let out = claimrules(&["test", "policies"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}\n{stdout}");
    let last = stdout.lines().last().unwrap_or_default();
    assert!(last.ends_with(" passed, 0 failed"), "{last}");
    let passed: usize = last
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(passed >= 60, "only {passed} tests ran: {last}");
}

#[test]
fn a_changed_expectation_fails_on_its_line_showing_the_actual_findings() {
    let original = std::fs::read_to_string("policies/add-on.test.policy").expect("read");
    let broken = original.replace("  expect no deny on 27358\n", "  expect deny on 27358\n");
    assert_ne!(original, broken, "the test file changed; update this test");
    let line = broken
        .lines()
        .position(|l| l == "  expect deny on 27358")
        .map(|i| i + 1)
        .expect("the changed line");
    let dir = std::env::temp_dir().join(format!("claimrules-policy-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path: PathBuf = dir.join("broken.test.policy");
    std::fs::write(&path, broken).expect("write");
    let out = claimrules(&[
        "test",
        "--no-default-pack",
        "--pack",
        "policies",
        path.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(out.status.code(), Some(1), "{stderr}\n{stdout}");
    assert!(stdout.trim_end().ends_with(" 1 failed"), "{stdout}");
    assert!(
        stderr.contains(&format!("broken.test.policy:{line}:3")),
        "the failure points at the expectation:\n{stderr}"
    );
    assert!(stderr.contains("expected a `deny` on 27358"), "{stderr}");
    assert!(stderr.contains("there are no findings"), "{stderr}");
}

/// The wording of test failures and test syntax errors, reviewed like code.
#[rstest::rstest]
#[case::failed_expectation(
    "test \"76000 beside 77003\"\n  claim on 2024-03-01\n    line 77003\n    line 76000\n    documented fluoroscopy_minutes 1, fluoroscopy_indication \"facet\"\n  expect no deny on 76000\n  expect status pass\n"
)]
#[case::unreadable_claim(
    "test \"a bad code\"\n  claim on 2024-03-01\n    line 7700\n  expect status pass\n"
)]
#[case::test_syntax("test \"x\"\n  claim on 2024-03-01\n    line 27093\n  expect maybe\n")]
fn test_failures_are_explained(#[case] text: &str) {
    let name = common::case_name();
    let engine = claimrules::Engine::standard().expect("the standard pack loads");
    let files = vec![claimrules::pack::PolicyText {
        name: "example.test.policy".into(),
        text: text.into(),
    }];
    let report = claimrules::testing::run_tests(&engine, &files);
    assert_eq!(report.failed, 1, "{}", report.summary());
    let rendered: Vec<String> = report
        .diagnostics
        .iter()
        .map(|d| d.render(false, 90))
        .collect();
    insta::assert_snapshot!(name, rendered.join("\n"));
}
