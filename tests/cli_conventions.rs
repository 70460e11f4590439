//! The command line's conventions, through the binary: `fmt -`, shell completions and man
//! pages, the exit codes in `--help`, claims paths checked before the packs load, `--version`.

// A test stops at the first surprise, in its helpers too (Cargo.toml [lints], clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;

use common::{claimrules, run, stderr, stdout, tempdir};

const MESSY: &str = "rule payer.x for each line in 77002 when film_archived review \"m\"\n";
const TIDY: &str = "rule payer.x\n  for each line in 77002\n  when film_archived\n  review \"m\"\n";

// fmt -

#[test]
fn fmt_dash_formats_standard_input_to_standard_output() {
    let o = run(&["fmt", "-"], Some(MESSY.as_bytes()));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), TIDY);
    assert_eq!(stderr(&o), "");

    // Canonical text comes back unchanged, byte for byte.
    let shipped = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/fluoroscopy.policy"),
    )
    .expect("read");
    let o = run(&["fmt", "-"], Some(shipped.as_bytes()));
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), shipped);
}

#[test]
fn fmt_check_dash_exits_1_when_standard_input_is_not_canonical_and_0_when_it_is() {
    let o = run(&["fmt", "--check", "-"], Some(MESSY.as_bytes()));
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "");
    assert_eq!(stderr(&o), "would reformat <stdin>\n");

    let o = run(&["fmt", "--check", "-"], Some(TIDY.as_bytes()));
    assert_eq!(o.status.code(), Some(0));
    assert_eq!((stdout(&o), stderr(&o)), (String::new(), String::new()));

    let o = run(
        &["fmt", "--check", "--stdin-name", "acme/payer.policy", "-"],
        Some(MESSY.as_bytes()),
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stderr(&o), "would reformat acme/payer.policy\n");
}

#[test]
fn fmt_dash_with_a_syntax_error_prints_diagnostics_on_stderr_and_exits_2() {
    let o = run(&["fmt", "-"], Some(b"rule r\n  when (\n  deny \"x\"\n"));
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stdout(&o), "", "nothing formatted on stdout");
    let err = stderr(&o);
    assert!(err.contains("<stdin>:3:3]"), "{err}");
    assert!(err.contains("expected a condition"), "{err}");

    let o = run(
        &["fmt", "--stdin-name", "payer.policy", "-"],
        Some(b"rule r\n  when (\n  deny \"x\"\n"),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("payer.policy:3:3]"), "{}", stderr(&o));

    let o = run(&["fmt", "-"], Some(b"rule \xff\n"));
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "error: standard input is not UTF-8 text (line 1)\n"
    );
}

#[test]
fn fmt_dash_tells_test_files_by_their_first_item_or_by_stdin_name() {
    let messy = "# tests\n\ntest \"x\" claim on 2024-01-01 line 77002 expect status pass\n";
    let tidy =
        "# tests\n\ntest \"x\"\n  claim on 2024-01-01\n    line 77002\n  expect status pass\n";
    let o = run(&["fmt", "-"], Some(messy.as_bytes()));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), tidy);

    let o = run(
        &["fmt", "--stdin-name", "a.test.policy", "-"],
        Some(messy.as_bytes()),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), tidy);

    // Named as a policy file, the same text is not one.
    let o = run(
        &["fmt", "--stdin-name", "a.policy", "-"],
        Some(messy.as_bytes()),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("a.policy:3:1]"), "{}", stderr(&o));

    // Every shipped test file is canonical read from standard input.
    let o = claimrules(&["fmt", "--check", "policies"]);
    assert_eq!(o.status.code(), Some(0));
    let text = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/fluoroscopy.test.policy"),
    )
    .expect("read");
    let o = run(&["fmt", "--check", "-"], Some(&text));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn fmt_dash_is_formatted_alone() {
    let o = run(&["fmt", "-", "policies"], Some(MESSY.as_bytes()));
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "error: `-` formats standard input on its own: name no other path with it\n"
    );
    let o = claimrules(&["fmt", "--stdin-name", "x.policy", "policies"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "error: `--stdin-name` names standard input: give `-` as the path\n"
    );
}

// completions and man

const SUBCOMMANDS: [&str; 12] = [
    "check",
    "test",
    "lint",
    "fmt",
    "packs",
    "diff",
    "facts",
    "serve",
    "history",
    "completions",
    "man",
    "schema",
];

/// The subcommands of a subcommand, each with a man page of its own after its parent's.
const NESTED: [(&str, &str); 2] = [("history", "import"), ("history", "show")];

#[test]
fn completions_for_every_shell_name_the_subcommands() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let o = claimrules(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}: {}", stderr(&o));
        let script = stdout(&o);
        assert!(!script.trim().is_empty(), "{shell}: empty script");
        assert!(script.contains("claimrules"), "{shell}");
        for sub in SUBCOMMANDS {
            assert!(script.contains(sub), "{shell} does not name `{sub}`");
        }
        // Options of a subcommand complete too.
        assert!(script.contains("stdin-name"), "{shell}");
    }
}

#[test]
fn completions_for_an_unknown_shell_is_a_usage_error() {
    let o = claimrules(&["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("invalid value 'tcsh'"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn the_man_page_names_every_subcommand_and_the_exit_codes() {
    let o = claimrules(&["man"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let page = stdout(&o);
    assert!(
        page.contains(&format!(
            ".TH claimrules 1  \"claimrules {}\"",
            env!("CARGO_PKG_VERSION")
        )),
        "{page}"
    );
    assert!(page.contains(".SH SUBCOMMANDS"), "{page}");
    for sub in SUBCOMMANDS {
        assert!(
            page.contains(&format!("claimrules\\-{sub}(1)")),
            "the man page does not name `{sub}`"
        );
    }
    assert!(
        page.contains(".SH \"EXIT STATUS\"\n.TP\n\\fB0\\fR\n"),
        "{page}"
    );
    assert_eq!(
        page.matches(".ds Aq").count(),
        2,
        "one roff preamble, at the top"
    );
}

#[test]
fn man_dir_writes_one_page_per_command() {
    let dir = tempdir("man-pages").join("man1");
    let o = claimrules(&["man", "--dir", dir.to_str().expect("utf-8 path")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut expected = vec!["claimrules.1".to_string()];
    for s in SUBCOMMANDS {
        expected.push(format!("claimrules-{s}.1"));
        for (_, nested) in NESTED.iter().filter(|(parent, _)| *parent == s) {
            expected.push(format!("claimrules-{s}-{nested}.1"));
        }
    }
    let listed: Vec<String> = stdout(&o)
        .lines()
        .map(|l| {
            Path::new(l)
                .file_name()
                .expect("a file")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(listed, expected);
    for name in &expected {
        let page = std::fs::read_to_string(dir.join(name)).expect("a page");
        assert!(page.contains(".SH NAME"), "{name}");
    }
    let check = std::fs::read_to_string(dir.join("claimrules-check.1")).expect("read");
    assert!(check.starts_with(".ie"), "{check}");
    assert!(check.contains(".TH claimrules-check 1 "), "{check}");
    assert!(check.contains("\\-\\-summary\\-json"), "{check}");
    assert!(check.contains(".SH \"EXIT STATUS\""), "{check}");
    let packs = std::fs::read_to_string(dir.join("claimrules-packs.1")).expect("read");
    assert!(
        !packs.contains("EXIT STATUS"),
        "only where --help lists them"
    );

    let file = dir.join("claimrules.1");
    let o = claimrules(&["man", "--dir", file.to_str().expect("utf-8 path")]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        format!("error: `{}` is not a folder\n", file.display())
    );
}

// exit codes in --help

const MAIN_EXIT_CODES: &str = "\
Exit codes:
  0    every claim passes (`check`), every test passes (`test`)
  1    some claim is deny, review or error, or a test fails; `fmt --check` and `diff` found a change
  2    a policy does not load, a file cannot be read, a usage error, or results cannot be written
  130  stopped by Ctrl-C
";

const CHECK_EXIT_CODES: &str = "\
Exit codes:
  0    every claim passes
  1    some claim is deny, review or error
  2    a policy does not load, a claims file cannot be read, a usage error, or results cannot be written
  130  stopped by Ctrl-C (the claims read before it are judged and written)
";

const TEST_EXIT_CODES: &str = "\
Exit codes:
  0    every test passes
  1    a test fails, a test file has a syntax error, or the tests fire fewer rules than `--min-coverage`
  2    a policy does not load, a file cannot be read, a usage error, or the report cannot be written
  130  stopped by Ctrl-C
";

const LINT_EXIT_CODES: &str = "\
Exit codes:
  0    no errors (warnings alone pass)
  2    a policy or test file has an error, a file cannot be read, a usage error, or the report cannot be written
  130  stopped by Ctrl-C
";

#[test]
fn help_ends_with_the_exit_codes() {
    for (args, codes) in [
        (&["--help"][..], MAIN_EXIT_CODES),
        (&["-h"][..], MAIN_EXIT_CODES),
        (&["check", "--help"][..], CHECK_EXIT_CODES),
        (&["test", "--help"][..], TEST_EXIT_CODES),
        (&["lint", "-h"][..], LINT_EXIT_CODES),
        (&["help", "check"][..], CHECK_EXIT_CODES),
    ] {
        let o = claimrules(args);
        assert_eq!(o.status.code(), Some(0), "{args:?}");
        let help = stdout(&o);
        assert!(help.ends_with(&format!("\n\n{codes}")), "{args:?}:\n{help}");
    }
    let o = claimrules(&["packs", "--help"]);
    assert!(!stdout(&o).contains("Exit codes:"));
}

#[test]
fn a_usage_error_exits_with_the_code_help_lists() {
    let o = claimrules(&["check", "--no-such-flag"]);
    assert_eq!(o.status.code(), Some(2));
    let o = claimrules(&[]);
    assert_eq!(o.status.code(), Some(2));
}

// claims paths checked before the packs load

#[test]
fn a_folder_as_claims_is_one_line_and_exit_2() {
    for command in ["check", "facts"] {
        let o = claimrules(&[command, "examples/"]);
        assert_eq!(o.status.code(), Some(2), "{command}");
        assert_eq!(
            stderr(&o),
            "error: `examples/` is a folder, not a claims file\n",
            "{command}"
        );
        assert_eq!(stdout(&o), "", "{command}");
    }
    let o = claimrules(&["diff", "--new", "policies", "examples"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "error: `examples` is a folder, not a claims file\n"
    );
}

#[test]
fn claims_are_checked_before_any_pack_loads() {
    // The pack does not exist either: the claims are what is reported, so they came first.
    for command in ["check", "facts"] {
        let o = claimrules(&[
            command,
            "--pack",
            "no/such/pack",
            "examples/claims/batch.ndjson",
            "no/such/claims.json",
        ]);
        assert_eq!(o.status.code(), Some(2), "{command}");
        assert_eq!(
            stderr(&o),
            "error: cannot read claims from `no/such/claims.json`: there is no such file\n",
            "{command}"
        );
    }
    let o = claimrules(&["diff", "--new", "no/such/pack", "no/such/claims.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "error: cannot read claims from `no/such/claims.json`: there is no such file\n"
    );
}

#[cfg(unix)]
#[test]
fn a_claims_file_that_cannot_be_opened_is_one_line_and_exit_2() {
    // A socket cannot be opened as a file, whoever runs the test.
    let dir = tempdir("claims-socket");
    let socket = dir.join("claims.sock");
    let _listener = std::os::unix::net::UnixListener::bind(&socket).expect("bind a socket");
    let name = socket.to_str().expect("utf-8 path");
    let o = claimrules(&["check", "--pack", "no/such/pack", name]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.starts_with(&format!("error: cannot read claims from `{name}`: ")),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");

    // A file its permissions close (root reads it anyway).
    if unsafe { libc::geteuid() } != 0 {
        use std::os::unix::fs::PermissionsExt;
        let file = dir.join("closed.json");
        std::fs::write(&file, "{}").expect("write");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o000)).expect("chmod");
        let name = file.to_str().expect("utf-8 path");
        let o = claimrules(&["facts", name]);
        assert_eq!(o.status.code(), Some(2));
        assert_eq!(
            stderr(&o),
            format!("error: cannot read claims from `{name}`: permission denied\n")
        );
    }
}

#[test]
fn standard_input_still_reads_as_before() {
    let claim = br#"{"id": "S-1", "service_date": "2010-03-31", "lines": [{"code": "27093"}, {"code": "77002"}]}"#;
    let o = run(&["check", "-q", "-"], Some(claim));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stdout(&o).contains("\"claim\":\"S-1\""), "{}", stdout(&o));
    let o = run(&["check", "-q"], Some(claim));
    assert_eq!(o.status.code(), Some(1), "piped input without `-`");
}

// --version

#[test]
fn version_names_the_program_the_standard_pack_and_its_national_tables() {
    // The versions of the tables are read from the names of the files CMS published.
    let expected = format!(
        "claimrules {}\npack standard {}\n\
         table mpfs 2024 Q1 (PPRRVU24_JAN.excerpt.csv)\n\
         table ncci_add_on (no version in its file name) (aoc_excerpt.tsv)\n\
         table ncci_mue 2024 Q2 (mue_2024q2.tsv.zst)\n\
         table ncci_ptp NCCI 30.1, 2024 Q2 (ptp_practitioner_v30.1_2024q2.tsv.zst)\n",
        env!("CARGO_PKG_VERSION"),
        standard_pack_version()
    );
    for flag in ["--version", "-V"] {
        let o = claimrules(&[flag]);
        assert_eq!(o.status.code(), Some(0), "{flag}");
        assert_eq!(stdout(&o), expected, "{flag}");
    }
}

/// The version the standard pack's manifest gives, read as a person would.
fn standard_pack_version() -> String {
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/pack.policy"))
            .expect("read the manifest");
    manifest
        .lines()
        .find_map(|l| l.trim().strip_prefix("version "))
        .expect("a version line")
        .trim_matches('"')
        .to_string()
}
