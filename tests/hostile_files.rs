//! Hostile files in and around a pack: FIFOs, links to `/dev/zero`, links that lead out of the
//! pack folder, a pack that takes the standard pack's name. Each case builds its own folder in
//! the temp dir, runs the binary there under a deadline and a memory ceiling (so that a
//! regression fails instead of hanging or exhausting the machine), and checks the exact error
//! and that no file of the folder changed.

// A test stops at the first surprise, in its helpers too (Cargo.toml [lints], clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

/// Long enough for a debug binary to load a small pack; a hang ends the test here.
const DEADLINE: Duration = Duration::from_secs(20);

/// A small pack's rule that fires on the claim of [`CLAIM`].
const POLICY: &str = "rule acme.info\n  for each line in 0201T\n  info \"acme rule\"\n";

/// A rule kept outside the pack folder: it must never be loaded.
const OUTSIDE_POLICY: &str =
    "rule outside.secret\n  for each line in 0201T\n  info \"read from outside the pack\"\n";

/// A code table read from a folder of the pack.
const TABLE_POLICY: &str = "table \"limits\" from \"tables\"\n  column limit is number\n\n\
     rule acme.limit\n  for each line in \"limits\"\n  when line units > code.limit\n  deny \"too many\"\n";

const CLAIM: &str = r#"{"id": "C-1", "service_date": "2024-03-01", "lines": [{"line": 1, "code": "0201T", "units": 2}]}"#;

/// A folder of its own in the temp dir: `pack/` (the pack under test), `outside/` (files a
/// link may lead to) and `claims.json`. Removed when dropped.
struct Scene {
    root: PathBuf,
}

/// What one run of the binary gave.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Scene {
    fn new(name: &str) -> Scene {
        let root =
            std::env::temp_dir().join(format!("claimrules-hostile-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("pack")).expect("the pack folder");
        std::fs::create_dir_all(root.join("outside")).expect("the outside folder");
        // Canonical, so that the targets errors name compare equal whatever links the temp
        // dir's own path goes through.
        let root = root.canonicalize().expect("the scene's folder");
        let scene = Scene { root };
        scene.write("claims.json", CLAIM);
        scene
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }

    fn write(&self, relative: &str, text: &str) {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("the folder");
        std::fs::write(path, text).expect("write");
    }

    #[cfg(unix)]
    fn fifo(&self, relative: &str) {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("the folder");
        let c = std::ffi::CString::new(path.to_str().expect("utf-8")).expect("no NUL");
        // SAFETY: `c` is a valid NUL-terminated path for the duration of the call.
        let made = unsafe { libc::mkfifo(c.as_ptr(), 0o644) };
        assert_eq!(made, 0, "mkfifo {}", path.display());
    }

    #[cfg(unix)]
    fn link(&self, relative: &str, target: &str) {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("the folder");
        std::os::unix::fs::symlink(target, path).expect("symlink");
    }

    /// Every entry under the scene, links not followed: its kind, and a regular file's bytes
    /// and modification time. Equal before and after a run when the run wrote nothing.
    fn contents(&self) -> BTreeMap<PathBuf, (String, Vec<u8>, Option<SystemTime>)> {
        let mut found = BTreeMap::new();
        let mut pending = vec![self.root.clone()];
        while let Some(dir) = pending.pop() {
            for entry in std::fs::read_dir(&dir).expect("list") {
                let path = entry.expect("entry").path();
                let meta = std::fs::symlink_metadata(&path).expect("metadata");
                let kind = format!("{:?}", meta.file_type());
                if meta.is_dir() {
                    pending.push(path.clone());
                }
                // A FIFO's times change as it is written to; its kind is what counts.
                let (bytes, modified) = if meta.is_file() {
                    (std::fs::read(&path).expect("read"), meta.modified().ok())
                } else {
                    (Vec::new(), None)
                };
                found.insert(path, (kind, bytes, modified));
            }
        }
        found
    }

    /// Runs the binary in the scene's folder, and checks that no file of the folder changed.
    fn run(&self, args: &[&str]) -> Run {
        let before = self.contents();
        let run = self.run_unchecked(args);
        assert!(
            before == self.contents(),
            "the run changed files of {}",
            self.root.display()
        );
        run
    }

    /// Runs the binary in the scene's folder, under [`DEADLINE`] and a memory ceiling.
    fn run_unchecked(&self, args: &[&str]) -> Run {
        let out = self.path("stdout.txt");
        let err = self.path("stderr.txt");
        let mut command = Command::new(env!("CARGO_BIN_EXE_claimrules"));
        command
            .args(args)
            .current_dir(&self.root)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&out).expect("stdout file"))
            .stderr(std::fs::File::create(&err).expect("stderr file"));
        limit_memory(&mut command);
        let mut child = command.spawn().expect("the binary runs");
        let start = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait") {
                break status;
            }
            if start.elapsed() > DEADLINE {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "`claimrules {}` did not end in {DEADLINE:?}",
                    args.join(" ")
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let stdout = std::fs::read_to_string(&out).expect("stdout");
        let stderr = std::fs::read_to_string(&err).expect("stderr");
        std::fs::remove_file(out).expect("remove stdout");
        std::fs::remove_file(err).expect("remove stderr");
        Run {
            code: status.code(),
            stdout,
            stderr,
        }
    }

    /// The canonical path of a file of the scene, as errors name a link's target.
    fn real(&self, relative: &str) -> String {
        self.path(relative).display().to_string()
    }
}

impl Run {
    /// Checks stderr against the expected text, layout aside: diagnostics wrap at a fixed
    /// width, and where depends on the length of the temp dir's path.
    fn assert_stderr(&self, expected: &str) {
        let squeeze = |text: &str| -> String {
            text.chars()
                .filter(|c| !c.is_whitespace() && *c != '│')
                .collect()
        };
        assert_eq!(
            squeeze(&self.stderr),
            squeeze(expected),
            "stderr:\n{}",
            self.stderr
        );
    }
}

impl Drop for Scene {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// A ceiling on the child's address space: a regression that reads `/dev/zero` whole fails
/// with an allocation error in a second, instead of taking the machine's memory.
fn limit_memory(command: &mut Command) {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: `setrlimit` is async-signal-safe and touches only the child's own limits.
        unsafe {
            command.pre_exec(|| {
                let limit = libc::rlimit {
                    rlim_cur: 2 << 30,
                    rlim_max: 2 << 30,
                };
                if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    #[cfg(not(unix))]
    let _ = command;
}

/// `check` of the scene's claim on its pack alone.
const CHECK: &[&str] = &[
    "check",
    "--no-default-pack",
    "--format",
    "ndjson",
    "-q",
    "--pack",
    "pack",
    "claims.json",
];

const NOT_LOADED: &str = "error: the policies do not load: 1 error(s), 0 warning(s)";

/// A table's data refused: the diagnostic, with the declaration it points at.
fn table_refused(reason: &str) -> String {
    format!(
        "claimrules::table_data × table `limits`: {reason} ╭─[pack/limits.policy:1:21] \
         1 │ table \"limits\" from \"tables\" · ────┬─── · ╰── declared here \
         2 │ column limit is number ╰──── help: the path is relative to the pack's folder, \
         e.g. `tables/fracture-treatment.csv` {NOT_LOADED}"
    )
}

#[cfg(unix)]
#[test]
fn a_policy_file_that_is_a_fifo_is_refused_without_waiting_for_a_writer() {
    let scene = Scene::new("policy-fifo");
    scene.write("pack/rules.policy", POLICY);
    scene.fifo("pack/waits.policy");
    let run = scene.run(CHECK);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    run.assert_stderr(&format!(
        "claimrules::pack_unreadable × cannot read policy file `pack/waits.policy`: \
             `pack/waits.policy` is a FIFO (named pipe), not a regular file help: a pack holds \
             regular files only; remove it {NOT_LOADED}"
    ));
}

#[cfg(unix)]
#[test]
fn a_policy_file_linked_to_dev_zero_is_refused_without_reading_it() {
    let scene = Scene::new("policy-zero");
    scene.write("pack/rules.policy", POLICY);
    scene.link("pack/zero.policy", "/dev/zero");
    let run = scene.run(CHECK);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    run.assert_stderr(&format!(
        "claimrules::pack_unreadable × cannot read policy file `pack/zero.policy`: \
             `pack/zero.policy` is a link to `/dev/zero`, outside the pack folder `pack` help: a \
             pack reads only its own files: copy the file into the pack folder {NOT_LOADED}"
    ));
}

#[cfg(unix)]
#[test]
fn a_policy_file_linked_outside_the_pack_is_refused_and_its_rules_never_fire() {
    let scene = Scene::new("policy-outside");
    scene.write("pack/rules.policy", POLICY);
    scene.write("outside/secret.policy", OUTSIDE_POLICY);
    scene.link("pack/secret.policy", "../outside/secret.policy");
    let run = scene.run(CHECK);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    run.assert_stderr(&format!(
        "claimrules::pack_unreadable × cannot read policy file `pack/secret.policy`: \
             `pack/secret.policy` is a link to `{}`, outside the pack folder `pack` help: a pack \
             reads only its own files: copy the file into the pack folder {NOT_LOADED}",
        scene.real("outside/secret.policy")
    ));
    assert_eq!(run.stdout, "", "no claim is judged");
}

#[cfg(unix)]
#[test]
fn fmt_does_not_rewrite_a_file_outside_the_pack_through_a_link() {
    let scene = Scene::new("fmt-outside");
    scene.write("pack/rules.policy", POLICY);
    // Not in the canonical layout: `fmt` would rewrite it if it read it.
    scene.write(
        "outside/secret.policy",
        &OUTSIDE_POLICY.replace("  ", "    "),
    );
    scene.link("pack/secret.policy", "../outside/secret.policy");
    let run = scene.run(&["fmt", "pack"]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    run.assert_stderr(&format!(
        "claimrules::pack_unreadable × cannot read policy file `pack/secret.policy`: \
             `pack/secret.policy` is a link to `{}`, outside the pack folder `pack` help: a pack \
             reads only its own files: copy the file into the pack folder",
        scene.real("outside/secret.policy")
    ));
    assert_eq!(run.stdout, "", "nothing reformatted");
}

#[cfg(unix)]
#[test]
fn a_policy_file_named_on_the_command_line_that_is_a_fifo_is_refused() {
    let scene = Scene::new("lint-fifo");
    scene.fifo("waits.policy");
    let run = scene.run(&["lint", "--no-default-pack", "waits.policy"]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    run.assert_stderr("error: `waits.policy` is a FIFO (named pipe), not a regular file");
}

#[cfg(unix)]
#[test]
fn a_table_file_that_is_a_fifo_is_refused_without_waiting_for_a_writer() {
    let scene = Scene::new("table-fifo");
    scene.write("pack/limits.policy", TABLE_POLICY);
    scene.write("pack/tables/a.csv", "code,limit\n0201T,1\n");
    scene.fifo("pack/tables/b.csv");
    let run = scene.run(CHECK);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    run.assert_stderr(&table_refused(&format!(
        "`{}` is a FIFO (named pipe), not a regular file",
        scene.real("pack/tables/b.csv")
    )));
}

#[cfg(unix)]
#[test]
fn a_table_file_linked_to_dev_zero_is_refused_without_reading_it() {
    let scene = Scene::new("table-zero");
    scene.write("pack/limits.policy", TABLE_POLICY);
    scene.link("pack/tables/zero.csv", "/dev/zero");
    let run = scene.run(CHECK);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    run.assert_stderr(&table_refused(
        "`pack/tables/zero.csv` is a link to `/dev/zero`, outside the pack folder `pack`",
    ));
}

#[cfg(unix)]
#[test]
fn a_table_file_linked_outside_the_pack_is_refused_and_no_finding_cites_it() {
    let scene = Scene::new("table-outside");
    scene.write("pack/limits.policy", TABLE_POLICY);
    scene.write("outside/limits.csv", "code,limit\n0201T,1\n");
    scene.link("pack/tables/limits.csv", "../../outside/limits.csv");
    let run = scene.run(CHECK);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    run.assert_stderr(&table_refused(&format!(
        "`pack/tables/limits.csv` is a link to `{}`, outside the pack folder `pack`",
        scene.real("outside/limits.csv")
    )));
    assert_eq!(run.stdout, "", "no claim is judged");
}

#[cfg(unix)]
#[test]
fn a_table_folder_given_with_table_refuses_a_file_linked_out_of_it() {
    let scene = Scene::new("table-arg-outside");
    scene.write("pack/limits.policy", TABLE_POLICY);
    scene.write("pack/tables/limits.csv", "code,limit\n0201T,5\n");
    scene.write("outside/limits.csv", "code,limit\n0201T,1\n");
    scene.link("quarter/limits.csv", "../outside/limits.csv");
    let mut args = CHECK.to_vec();
    args.splice(1..1, ["--table", "limits=quarter"]);
    let run = scene.run(&args);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    let reason = format!(
        "`--table limits=…` points at data that cannot be read: `quarter/limits.csv` is a link \
         to `{}`, outside the folder `quarter`",
        scene.real("outside/limits.csv")
    );
    let expected = table_refused(&reason).replace(
        "help: the path is relative to the pack's folder, e.g. `tables/fracture-treatment.csv`",
        "help: give `--table NAME=PATH` a file that exists, or a folder of the table's files",
    );
    run.assert_stderr(&expected);
}

#[test]
fn a_table_path_whose_dotdot_stays_inside_the_pack_is_read() {
    let scene = Scene::new("table-dotdot-inside");
    scene.write(
        "pack/limits.policy",
        &TABLE_POLICY.replace("from \"tables\"", "from \"tables/../limits.csv\""),
    );
    scene.write("pack/tables/README", "the folder the path climbs out of");
    scene.write("pack/limits.csv", "code,limit\n0201T,1\n");
    let run = scene.run(CHECK);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let result: serde_json::Value = serde_json::from_str(&run.stdout).expect("one JSON result");
    assert_eq!(result["status"], "deny");
    assert_eq!(result["findings"][0]["rule"], "acme.limit");
    assert_eq!(
        result["findings"][0]["table"],
        serde_json::json!({"name": "limits", "file": "limits.csv", "line": 2})
    );
}

#[cfg(unix)]
#[test]
fn packs_refuses_to_hash_a_fifo_in_the_pack_folder() {
    let scene = Scene::new("hash-fifo");
    scene.write("pack/rules.policy", POLICY);
    scene.fifo("pack/notes.txt");
    let run = scene.run(&["packs", "--no-default-pack", "--pack", "pack"]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    run.assert_stderr(&format!(
        "claimrules::pack_unreadable × cannot read pack file `pack/notes.txt`: `pack/notes.txt` \
         is a FIFO (named pipe), not a regular file help: a pack holds regular files only; \
         remove it {NOT_LOADED}"
    ));
}

#[cfg(unix)]
#[test]
fn packs_refuses_to_hash_a_link_to_dev_zero_in_the_pack_folder() {
    let scene = Scene::new("hash-zero");
    scene.write("pack/rules.policy", POLICY);
    scene.link("pack/notes.txt", "/dev/zero");
    let run = scene.run(&["packs", "--no-default-pack", "--pack", "pack"]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    run.assert_stderr(&format!(
        "claimrules::pack_unreadable × cannot read pack file `pack/notes.txt`: `pack/notes.txt` \
         is a link to `/dev/zero`, outside the pack folder `pack` help: a pack reads only its \
         own files: copy the file into the pack folder {NOT_LOADED}"
    ));
}

#[test]
fn a_pack_folder_named_standard_is_refused_beside_the_standard_pack() {
    let scene = Scene::new("named-standard");
    scene.write("pack/pack.policy", "pack \"standard\"\n");
    scene.write("pack/rules.policy", POLICY);
    let run = scene.run(&[
        "check",
        "--format",
        "ndjson",
        "--pack",
        "pack",
        "claims.json",
    ]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    run.assert_stderr(&format!(
        "claimrules::pack_named_standard × the pack folder `pack` is named `standard`, like \
             the embedded standard pack ╭─[pack/pack.policy:1:6] 1 │ pack \"standard\" · \
             ─────┬──── · ╰── the standard pack is loaded already ╰──── help: rename the pack, \
             or pass --no-default-pack to replace the standard pack on purpose (as when working \
             on this repository's `policies/`) {NOT_LOADED}"
    ));
    assert_eq!(run.stdout, "", "no claim is judged");
}

#[test]
fn a_pack_folder_named_standard_replaces_the_standard_pack_with_no_default_pack() {
    let scene = Scene::new("named-standard-on-purpose");
    scene.write("pack/pack.policy", "pack \"standard\"\n");
    scene.write("pack/rules.policy", POLICY);
    let run = scene.run(CHECK);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let result: serde_json::Value = serde_json::from_str(&run.stdout).expect("one JSON result");
    assert_eq!(result["findings"][0]["rule"], "acme.info");
    assert_eq!(result["findings"][0]["pack"]["name"], "standard");
}

/// Claims from a pipe are legitimate (`check <(cat claims.json)` passes one): only a pack's
/// files must be regular.
#[cfg(unix)]
#[test]
fn claims_read_from_a_fifo_are_judged() {
    let scene = Scene::new("claims-fifo");
    scene.write("pack/rules.policy", POLICY);
    scene.fifo("claims.fifo");
    let writer = {
        let path = scene.path("claims.fifo");
        // Opening a FIFO for writing waits for the reader: the binary.
        std::thread::spawn(move || std::fs::write(path, CLAIM))
    };
    let mut args = CHECK.to_vec();
    *args.last_mut().expect("the claims") = "claims.fifo";
    let run = scene.run(&args);
    // Should the binary not have opened the FIFO, a reader of our own lets the writer finish,
    // so that the test fails on its assertions instead of hanging.
    let _reader = {
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(scene.path("claims.fifo"))
            .expect("the FIFO opens")
    };
    writer
        .join()
        .expect("the writer")
        .expect("the claim written");
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let result: serde_json::Value = serde_json::from_str(&run.stdout).expect("one JSON result");
    assert_eq!(result["findings"][0]["rule"], "acme.info");
}

/// A claims file without end gives one error result at once, not a read without bound.
#[cfg(unix)]
#[test]
fn claims_from_dev_zero_give_one_error_result() {
    let scene = Scene::new("claims-zero");
    scene.write("pack/rules.policy", POLICY);
    let mut args = CHECK.to_vec();
    *args.last_mut().expect("the claims") = "/dev/zero";
    let run = scene.run(&args);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let result: serde_json::Value = serde_json::from_str(&run.stdout).expect("one JSON result");
    assert_eq!(result["status"], "error");
    let message = result["errors"][0]["message"].as_str().expect("a message");
    assert!(
        message.starts_with("`/dev/zero` is neither JSON claims nor an X12 interchange"),
        "{message}"
    );
}
