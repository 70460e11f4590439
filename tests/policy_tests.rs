//! The standard pack's own policy tests (`policies/*.test.policy`), run the way an engineer
//! runs them: `claimrules test policies`. Also: a broken expectation fails on its line.

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
