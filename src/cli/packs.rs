//! `claimrules packs`: the loaded packs and the tables in force, so an auditor can tell exactly
//! which rules and which data decided a claim.

use std::io::{self, Write};

use claimrules::ir::{DateWindow, Pack};
use claimrules::pack::content_hash;
use serde_json::json;

use super::load::load_engine;
use super::output::{fail, print_diagnostics, write_json_document};
use super::packs_tables::{tables_by_pack, tables_json, write_tables_text, TableInForce};
use super::{LintFormat, PacksArgs, EXIT_FAILURE, EXIT_PASS};

pub fn run(args: PacksArgs) -> u8 {
    let Some(engine) = load_engine(&args.packs) else {
        return EXIT_FAILURE;
    };
    let packs = &engine.program().packs;
    let mut hashes = Vec::with_capacity(packs.len());
    for source in engine.pack_sources() {
        match content_hash(source) {
            Ok(hash) => hashes.push(hash),
            Err(d) => {
                print_diagnostics(&claimrules::Diagnostics(vec![d]));
                return EXIT_FAILURE;
            }
        }
    }
    let tables = match tables_by_pack(&engine) {
        Ok(tables) => tables,
        Err(message) => {
            fail(message);
            return EXIT_FAILURE;
        }
    };
    let written = match args.format {
        LintFormat::Json => {
            let items: Vec<serde_json::Value> = packs
                .iter()
                .zip(&hashes)
                .zip(&tables)
                .enumerate()
                .map(|(i, ((p, hash), tables))| {
                    json!({
                        "name": &*p.name,
                        "version": p.version.as_deref(),
                        "extends": p.extends.and_then(|e| packs.get(e as usize)).map(|e| &*e.name),
                        "description": p.description.as_deref(),
                        "effective": window_text(p.window),
                        "source": &*p.source,
                        "rules": rules_of(&engine, i),
                        "overrides": p.overrides.iter().map(|s| &**s).collect::<Vec<_>>(),
                        "disables": p.disables.iter().map(|s| &**s).collect::<Vec<_>>(),
                        "changes": p.changes.iter().map(|c| json!({
                            "rule": &*c.rule,
                            "to": c.to.verdict_word(),
                        })).collect::<Vec<_>>(),
                        "hash": hash,
                        "tables": tables_json(tables),
                    })
                })
                .collect();
            write_json_document(&json!(items))
        }
        LintFormat::Text => write_text(&engine, packs, &hashes, &tables),
    };
    match written {
        Ok(()) => EXIT_PASS,
        Err(e) => {
            fail(format!("cannot write the list: {e}"));
            EXIT_FAILURE
        }
    }
}

fn write_text(
    engine: &claimrules::Engine,
    packs: &[Pack],
    hashes: &[String],
    tables: &[Vec<TableInForce>],
) -> io::Result<()> {
    let mut out = io::stdout().lock();
    for (i, ((p, hash), tables)) in packs.iter().zip(hashes).zip(tables).enumerate() {
        let version = p.version.as_deref().unwrap_or("(no version)");
        writeln!(out, "{} {version}", p.name)?;
        if let Some(below) = p.extends.and_then(|e| packs.get(e as usize)) {
            writeln!(out, "  extends     {}", below.name)?;
        }
        if let Some(d) = &p.description {
            writeln!(out, "  description {d}")?;
        }
        if let Some(w) = window_text(p.window) {
            writeln!(out, "  effective   {w}")?;
        }
        writeln!(out, "  source      {}", p.source)?;
        writeln!(out, "  rules       {}", rules_of(engine, i))?;
        if !p.overrides.is_empty() {
            writeln!(out, "  overrides   {}", p.overrides.join(", "))?;
        }
        if !p.disables.is_empty() {
            writeln!(out, "  disables    {}", p.disables.join(", "))?;
        }
        if !p.changes.is_empty() {
            let changes: Vec<String> = p
                .changes
                .iter()
                .map(|c| format!("{} to {}", c.rule, c.to.verdict_word().unwrap_or("?")))
                .collect();
            writeln!(out, "  changes     {}", changes.join(", "))?;
        }
        writeln!(out, "  hash        {hash}")?;
        write_tables_text(&mut out, tables)?;
    }
    out.flush()
}

/// How many rules (overrides included) a pack brings.
fn rules_of(engine: &claimrules::Engine, pack: usize) -> usize {
    engine
        .program()
        .rules
        .iter()
        .filter(|r| r.pack as usize == pack)
        .count()
}

/// `2024-01-01 until 2024-12-31`, `2024-01-01 on`, `until 2024-12-31`; `None` for always.
fn window_text(w: DateWindow) -> Option<String> {
    match (w.from, w.until) {
        (None, None) => None,
        (Some(f), None) => Some(format!("{f} on")),
        (None, Some(u)) => Some(format!("until {u}")),
        (Some(f), Some(u)) => Some(format!("{f} until {u}")),
    }
}
