//! `claimrules history import` and `claimrules history show`: the claim history store
//! (docs/history.md).

use std::io::{self, Write};

use claimrules::report::printable;
use claimrules::store::{import, Access, Location, MemberHistory, Store, StoreError};
use miette::Diagnostic;
use serde_json::json;

use super::inputs::{open_inputs, ChainedInputs};
use super::output::{fail, write_json_document};
use super::{HistoryArgs, HistoryCommand, ImportArgs, LintFormat, ShowArgs};
use super::{EXIT_FAILURE, EXIT_FINDINGS, EXIT_PASS};

pub fn run(args: HistoryArgs) -> u8 {
    match args.command {
        HistoryCommand::Import(args) => run_import(args),
        HistoryCommand::Show(args) => run_show(args),
    }
}

/// Opens the store `--history` names, or says why not.
pub fn open_store(location: &str, access: Access) -> Option<Store> {
    match Store::open(&Location::parse(location), access) {
        Ok(store) => Some(store),
        Err(e) => {
            fail_store(&e);
            None
        }
    }
}

/// A store error on stderr: the message, then its help line.
pub fn fail_store(e: &StoreError) {
    fail(e);
    if let Some(help) = e.help() {
        let _ = writeln!(io::stderr(), "  help: {help}");
    }
}

fn run_import(args: ImportArgs) -> u8 {
    let Some(inputs) = open_inputs(&args.claims) else {
        return EXIT_FAILURE;
    };
    let Some(mut store) = open_store(&args.history, Access::ReadWrite) else {
        return EXIT_FAILURE;
    };
    let claims = ChainedInputs::new(inputs, args.input.format());
    let mut err = io::stderr().lock();
    let imported = import(&mut store, claims, |id, errors| {
        let id = id.map_or_else(
            || "a claim".to_string(),
            |id| format!("claim `{}`", printable(id)),
        );
        for e in errors {
            let at = match (&e.path, e.line) {
                (Some(path), Some(line)) => format!(" (at `{path}`, input line {line})"),
                (Some(path), None) => format!(" (at `{path}`)"),
                (None, Some(line)) => format!(" (input line {line})"),
                (None, None) => String::new(),
            };
            let _ = writeln!(err, "skipped: {id}: {}{at}", printable(&e.message));
        }
    });
    drop(err);
    let summary = match imported {
        Ok(summary) => summary,
        Err(e) => {
            fail_store(&e);
            return EXIT_FAILURE;
        }
    };
    if !args.quiet {
        eprintln!(
            "imported {} claim(s), {} line(s), into `{}`; {} skipped",
            summary.claims,
            summary.lines,
            store.shown(),
            summary.skipped
        );
    }
    if summary.skipped > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_PASS
    }
}

fn run_show(args: ShowArgs) -> u8 {
    let Some(mut store) = open_store(&args.history, Access::ReadOnly) else {
        return EXIT_FAILURE;
    };
    let found = match store.member_lines(&args.member) {
        Ok(found) => found,
        Err(e) => {
            fail_store(&e);
            return EXIT_FAILURE;
        }
    };
    let written = match (&found, args.format) {
        (Some(member), LintFormat::Json) => write_json_document(&member_json(member)),
        (None, LintFormat::Json) => write_json_document(&json!({
            "member": args.member,
            "found": false,
            "lines": [],
        })),
        (Some(member), LintFormat::Text) => write_text(member),
        (None, LintFormat::Text) => {
            eprintln!(
                "no claim of member `{}` is recorded in `{}`",
                args.member,
                store.shown()
            );
            Ok(())
        }
    };
    if let Err(e) = written {
        fail(format!("cannot write the history: {e}"));
        return EXIT_FAILURE;
    }
    if found.is_some() {
        EXIT_PASS
    } else {
        EXIT_FINDINGS
    }
}

fn member_json(member: &MemberHistory) -> serde_json::Value {
    let lines: Vec<serde_json::Value> = member
        .lines
        .iter()
        .map(|l| {
            json!({
                "claim": &*l.claim,
                "line": l.line,
                "date": l.date.to_string(),
                "code": l.code.as_str(),
                "modifiers": l.modifiers.iter().map(|m| m.as_str()).collect::<Vec<_>>(),
                "units": l.units,
                "provider": l.provider.as_deref(),
                "place_of_service": l.place_of_service.as_deref(),
                "status": l.status.as_str(),
                "denied_by": l.denied_by.as_deref(),
            })
        })
        .collect();
    json!({
        "member": member.member,
        "found": true,
        "birth_date": member.birth_date.map(|d| d.to_string()),
        "sex": member.sex,
        "lines": lines,
    })
}

fn write_text(member: &MemberHistory) -> io::Result<()> {
    let mut out = io::stdout().lock();
    let born = member
        .birth_date
        .map_or_else(String::new, |d| format!(", born {d}"));
    let sex = member
        .sex
        .as_deref()
        .map_or_else(String::new, |s| format!(", sex {s}"));
    writeln!(
        out,
        "member {}{born}{sex}: {} line(s), newest first",
        member.member,
        member.lines.len()
    )?;
    for l in &member.lines {
        let modifiers = if l.modifiers.is_empty() {
            String::new()
        } else {
            let joined: Vec<&str> = l.modifiers.iter().map(|m| m.as_str()).collect();
            format!("-{}", joined.join("-"))
        };
        let provider = l.provider.as_deref().unwrap_or("-");
        let status = match &l.denied_by {
            Some(rule) => format!("{} by {rule}", l.status.as_str()),
            None => l.status.as_str().to_string(),
        };
        writeln!(
            out,
            "  {}  claim {} line {}  {}{modifiers} x{}  provider {}  {status}",
            l.date,
            printable(&l.claim),
            l.line,
            l.code,
            l.units,
            printable(provider)
        )?;
    }
    out.flush()
}
