//! `claimrules packs`: the loaded packs and the tables in force, so an auditor can tell exactly
//! which rules and which data decided a claim.

use std::io::{self, Write};

use claimrules::inventory::{
    pack_hashes, packs_json, rules_of, tables_by_pack, window_text, write_tables_text,
    InventoryError, TableInForce,
};
use claimrules::ir::Pack;

use super::load::load_engine;
use super::output::{fail, print_diagnostics, write_json_document};
use super::{LintFormat, PacksArgs, EXIT_FAILURE, EXIT_PASS};

pub fn run(args: PacksArgs) -> u8 {
    let Some(engine) = load_engine(&args.packs) else {
        return EXIT_FAILURE;
    };
    let written = match args.format {
        LintFormat::Json => match packs_json(&engine) {
            Ok(doc) => write_json_document(&doc),
            Err(e) => return fail_inventory(e),
        },
        LintFormat::Text => {
            let hashes = match pack_hashes(&engine) {
                Ok(hashes) => hashes,
                Err(d) => return fail_inventory(InventoryError::Hash(d)),
            };
            let tables = match tables_by_pack(&engine) {
                Ok(tables) => tables,
                Err(message) => return fail_inventory(InventoryError::Table(message)),
            };
            write_text(&engine, &engine.program().packs, &hashes, &tables)
        }
    };
    match written {
        Ok(()) => EXIT_PASS,
        Err(e) => {
            fail(format!("cannot write the list: {e}"));
            EXIT_FAILURE
        }
    }
}

fn fail_inventory(e: InventoryError) -> u8 {
    match e {
        InventoryError::Hash(d) => print_diagnostics(&claimrules::Diagnostics(vec![d])),
        InventoryError::Table(message) => fail(message),
    }
    EXIT_FAILURE
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
