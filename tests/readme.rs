//! The README's set-up commands are the ones that work: CI runs its test command, exactly.

// A test stops at the first surprise, in its helpers too (Cargo.toml [lints], clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fs;
use std::path::Path;

fn repository_file(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(name);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The commands of the README's first `sh` block, without their comments.
fn set_up_commands() -> Vec<String> {
    let readme = repository_file("README.md");
    let block = readme
        .split("```sh\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the README opens with a ```sh block of set-up commands");
    block
        .lines()
        .map(|line| line.split('#').next().unwrap_or("").trim().to_string())
        .filter(|line| !line.is_empty())
        .collect()
}

#[test]
fn the_readme_gives_exactly_two_set_up_commands_a_run_and_the_tests() {
    let commands = set_up_commands();
    assert_eq!(commands.len(), 2, "{commands:?}");
    assert!(commands[0].starts_with("cargo run"), "{commands:?}");
    assert!(
        commands[0].contains(" check ") && commands[0].contains("examples/claims/"),
        "the first command runs the main job on sample claims: {commands:?}"
    );
}

#[test]
fn ci_runs_the_readme_test_command_exactly() {
    let test_command = set_up_commands().pop().expect("a test command");
    let ci = repository_file(".ci/run");
    let ci_commands: Vec<&str> = ci
        .lines()
        .map(str::trim)
        .filter(|line| line.starts_with("cargo test"))
        .collect();
    assert_eq!(ci_commands, [test_command.as_str()], "{ci}");
}

/// The Markdown documents a user reads: the README and everything in docs/ and below.
fn documents() -> Vec<std::path::PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = vec![root.join("README.md")];
    let mut pending = vec![root.join("docs"), root.join("examples"), root.join("data")];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The targets of a document's inline Markdown links, `[text](target)`.
fn link_targets(text: &str) -> Vec<String> {
    let mut targets = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("](") {
        rest = &rest[at + 2..];
        if let Some(end) = rest.find(')') {
            targets.push(rest[..end].to_string());
        }
    }
    targets
}

#[test]
fn every_relative_link_in_the_docs_leads_to_a_file_inside_the_repository() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .canonicalize()
        .expect("the repository");
    let mut broken = Vec::new();
    for document in documents() {
        let text = fs::read_to_string(&document).expect("a document reads");
        let shown = document
            .strip_prefix(&root)
            .unwrap_or(&document)
            .display()
            .to_string();
        if text.contains("../shared") {
            broken.push(format!("{shown}: names ../shared, outside the repository"));
        }
        for target in link_targets(&text) {
            if target.contains("://") || target.starts_with('#') || target.starts_with("mailto:") {
                continue;
            }
            let file = target.split('#').next().unwrap_or("");
            let resolved = document.parent().expect("a folder").join(file);
            match resolved.canonicalize() {
                Ok(path) if path.starts_with(&root) => {}
                Ok(path) => broken.push(format!(
                    "{shown}: `{target}` leads outside, to {}",
                    path.display()
                )),
                Err(_) => broken.push(format!("{shown}: `{target}` does not exist")),
            }
        }
    }
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}
