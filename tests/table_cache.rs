//! The compact-form cache of the national tables, seen from the command line: where it is
//! written, and `--no-cache` keeping a run from reading or writing it.

// A test stops at the first surprise, in its helpers too (Cargo.toml [lints], clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Output;

/// `claimrules ARGS` with the cache in `cache`.
fn claimrules_with_cache(cache: &Path, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_claimrules"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env("CLAIMRULES_CACHE", cache)
        .output()
        .expect("the binary runs")
}

/// An empty cache folder of its own for a test.
fn empty_cache(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    dir
}

fn entries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("the cache folder")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

const CLAIM: &str = "examples/claims/sacroplasty-0201T.json";

#[test]
fn a_default_check_keeps_the_practitioner_edits_in_the_cache_folder() {
    let cache = empty_cache("cache-default");
    let out = claimrules_with_cache(&cache, &["check", "-q", CLAIM]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let written = entries(&cache);
    assert_eq!(written.len(), 1, "{written:?}");
    assert!(
        written[0].starts_with("ptp-") && written[0].ends_with(".bin"),
        "{written:?}"
    );
}

#[test]
fn no_cache_leaves_the_cache_folder_as_it_is() {
    let cache = empty_cache("cache-off");
    for args in [
        &["check", "-q", "--no-cache", CLAIM][..],
        &["packs", "--no-cache"][..],
        &["lint", "--no-cache"][..],
    ] {
        let out = claimrules_with_cache(&cache, args);
        assert!(
            out.status.code().is_some_and(|c| c < 2),
            "{args:?}: {out:?}"
        );
        assert_eq!(entries(&cache), Vec::<String>::new(), "{args:?}");
    }
    // A damaged entry would be read by a run that uses the cache; with `--no-cache` the
    // tables are parsed from the pack and the run is the same as with no cache at all.
    let out = claimrules_with_cache(&cache, &["check", "-q", CLAIM]);
    let name = entries(&cache).pop().expect("an entry written");
    let judged = String::from_utf8_lossy(&out.stdout).into_owned();
    std::fs::write(cache.join(&name), b"CLAIMRULES-PTP\0damaged").expect("damage it");
    let out = claimrules_with_cache(&cache, &["check", "-q", "--no-cache", CLAIM]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), judged);
    assert_eq!(
        std::fs::read(cache.join(&name)).expect("still there"),
        b"CLAIMRULES-PTP\0damaged",
        "--no-cache leaves the cache as it is"
    );
}
