//! The data-driven cases of `tests/cases/`: each folder a policy, claims and expected results.

use std::fs;
use std::path::{Path, PathBuf};

use claimrules::Engine;

/// Every case folder, in name order.
pub fn case_dirs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut dirs: Vec<PathBuf> = fs::read_dir(&root)
        .expect("tests/cases exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// A case's engine (its `policy.policy` over the standard pack, cited by its path in the
/// repository) and the text of its claims (`claims.json`, `claims.ndjson` or an X12 837P,
/// `claims.837`).
pub fn load_case(dir: &Path) -> Result<(Engine, String), String> {
    let mut builder = Engine::builder();
    let policy = dir.join("policy.policy");
    if policy.exists() {
        let text = fs::read_to_string(&policy).map_err(|e| e.to_string())?;
        builder = builder.policy(
            format!(
                "tests/cases/{}/policy.policy",
                dir.file_name().unwrap_or_default().to_string_lossy()
            ),
            text,
        );
    }
    let engine = builder
        .build()
        .map_err(|d| format!("policies do not load: {d:?}"))?;
    let claims = ["claims.json", "claims.ndjson", "claims.837"]
        .iter()
        .map(|n| dir.join(n))
        .find(|p| p.exists())
        .ok_or("no claims.json, claims.ndjson or claims.837")?;
    let input = fs::read_to_string(&claims).map_err(|e| e.to_string())?;
    Ok((engine, input))
}
