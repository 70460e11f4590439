//! `claimrules fmt`: rewrites policy and test files in the canonical layout.

use std::io::Write;

use claimrules::pack::{read_sources_at, PolicyText};
use claimrules::syntax::format::{format_text, FileKind};
use claimrules::syntax::span::SourceFile;
use claimrules::PolicyDiagnostic;

use super::output::{color_on_stderr, fail};
use super::{FmtArgs, EXIT_FAILURE, EXIT_FINDINGS, EXIT_PASS};

pub fn run(args: FmtArgs) -> u8 {
    if args.paths.is_empty() {
        fail("name the policy files or folders to format");
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
                let source = SourceFile::new(name, text);
                let mut err = std::io::stderr().lock();
                for e in errors {
                    let d = PolicyDiagnostic::in_file(e, &source);
                    let _ = write!(err, "{}", d.render(color, 100));
                }
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
