//! `claimrules fmt`: rewrites policy and test files in the canonical layout.

use std::io::{self, Read, Write};

use claimrules::pack::{read_sources_at, PolicyText};
use claimrules::syntax::format::{format_text, FileKind};
use claimrules::syntax::span::SourceFile;
use claimrules::syntax::ParseError;
use claimrules::PolicyDiagnostic;

use super::output::{color_on_stderr, fail};
use super::{FmtArgs, EXIT_FAILURE, EXIT_FINDINGS, EXIT_PASS};

pub fn run(args: FmtArgs) -> u8 {
    if args.paths.iter().any(|p| p.as_os_str() == "-") {
        if args.paths.len() > 1 {
            fail("`-` formats standard input on its own: name no other path with it");
            return EXIT_FAILURE;
        }
        return run_stdin(args.check, args.stdin_name.as_deref());
    }
    if args.stdin_name.is_some() {
        fail("`--stdin-name` names standard input: give `-` as the path");
        return EXIT_FAILURE;
    }
    if args.paths.is_empty() {
        fail("name the policy files or folders to format, or `-` for standard input");
        return EXIT_FAILURE;
    }
    let color = color_on_stderr();
    let mut files = Vec::new();
    for path in &args.paths {
        match read_sources_at(path) {
            Ok(found) => files.extend(found),
            Err(d) => {
                eprint!("{}", d.render(color, 100));
                return EXIT_FAILURE;
            }
        }
    }
    let mut unreadable = false;
    let mut changed = Vec::new();
    for PolicyText { name, text } in files {
        match format_text(&text, FileKind::of(&name)) {
            Ok(formatted) if formatted == text => {}
            Ok(formatted) => {
                if !args.check {
                    if let Err(e) = std::fs::write(&name, formatted) {
                        fail(format!("cannot write `{name}`: {e}"));
                        unreadable = true;
                        continue;
                    }
                }
                changed.push(name);
            }
            Err(errors) => {
                print_errors(errors, name, text, color);
                unreadable = true;
            }
        }
    }
    let verb = if args.check {
        "would reformat"
    } else {
        "reformatted"
    };
    for name in &changed {
        println!("{verb} {name}");
    }
    if unreadable {
        EXIT_FAILURE
    } else if args.check && !changed.is_empty() {
        EXIT_FINDINGS
    } else {
        EXIT_PASS
    }
}

/// `fmt -`: standard input formatted to standard output, or with `check`, only whether it is
/// formatted already. `name` stands for standard input in diagnostics, and says its kind.
fn run_stdin(check: bool, name: Option<&str>) -> u8 {
    let mut bytes = Vec::new();
    if let Err(e) = io::stdin().lock().read_to_end(&mut bytes) {
        fail(format!("cannot read standard input: {e}"));
        return EXIT_FAILURE;
    }
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let line = e.as_bytes()[..e.utf8_error().valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
                + 1;
            fail(format!("standard input is not UTF-8 text (line {line})"));
            return EXIT_FAILURE;
        }
    };
    let kind = name.map_or_else(|| kind_of_text(&text), FileKind::of);
    let shown = name.unwrap_or("<stdin>");
    let formatted = match format_text(&text, kind) {
        Ok(formatted) => formatted,
        Err(errors) => {
            print_errors(errors, shown.to_string(), text, color_on_stderr());
            return EXIT_FAILURE;
        }
    };
    if check {
        return if formatted == text {
            EXIT_PASS
        } else {
            eprintln!("would reformat {shown}");
            EXIT_FINDINGS
        };
    }
    let mut out = io::stdout().lock();
    match out
        .write_all(formatted.as_bytes())
        .and_then(|()| out.flush())
    {
        Ok(()) => EXIT_PASS,
        Err(e) => {
            fail(format!("cannot write the formatted text: {e}"));
            EXIT_FAILURE
        }
    }
}

/// The kind of a text without a file name: test files hold only `test "…"` items, which no
/// policy file has, so a text whose first item is a `test` is a test file.
fn kind_of_text(text: &str) -> FileKind {
    let first = text
        .lines()
        .map(str::trim_start)
        .find(|line| !line.is_empty() && !line.starts_with('#'));
    let is_test = first
        .and_then(|line| line.strip_prefix("test"))
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '"', '#']));
    if is_test {
        FileKind::Tests
    } else {
        FileKind::Policy
    }
}

/// The syntax errors that keep a file from being formatted, on stderr.
fn print_errors(errors: Vec<ParseError>, name: String, text: String, color: bool) {
    let source = SourceFile::new(name, text);
    let mut err = io::stderr().lock();
    for e in errors {
        let d = PolicyDiagnostic::in_file(e, &source);
        let _ = write!(err, "{}", d.render(color, 100));
    }
}
