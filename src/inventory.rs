//! What an engine has loaded, for `claimrules packs` and the server's `/v1/packs`: each pack's
//! name, version, rules, changes and content hash, and per pack the tables in force: each
//! table's name, the version its file names give, where its data came from, compression, rows
//! and SHA-256.

use std::io::{self, Write};

use serde_json::{json, Value};

use crate::ir::DateWindow;
use crate::pack::compressed::Compression;
use crate::pack::{common_version, content_hash, TableFile};
use crate::{Engine, PolicyDiagnostic};

/// A table in force, with what `packs` says about it.
pub struct TableInForce {
    pub name: String,
    /// `codes`, `pair edits` or `unit limits`.
    pub kind: &'static str,
    /// `embedded`, `pack` or `override`.
    pub origin: &'static str,
    pub files: Vec<TableFile>,
    pub rows: usize,
}

/// The tables each pack declares, in the order they were read, one list per pack. A file that
/// cannot be read again to hash it is an error naming it.
pub fn tables_by_pack(engine: &Engine) -> Result<Vec<Vec<TableInForce>>, String> {
    let sources = engine.pack_sources();
    let mut by_pack: Vec<Vec<TableInForce>> = (0..sources.len()).map(|_| Vec::new()).collect();
    for source in engine.table_sources() {
        let Some(list) = by_pack.get_mut(source.pack as usize) else {
            continue;
        };
        // A table is read once; a second read (a variant) would show it twice.
        if list.iter().any(|t| t.name == source.table) {
            continue;
        }
        let (kind, rows) = kind_and_rows(engine, &source.table);
        list.push(TableInForce {
            name: source.table.clone(),
            kind,
            origin: source.origin_word(sources.get(source.pack as usize)),
            files: source.files()?,
            rows,
        });
    }
    Ok(by_pack)
}

/// What a table holds and how many rows it has, from the compiled program.
fn kind_and_rows(engine: &Engine, name: &str) -> (&'static str, usize) {
    let program = engine.program();
    if let Some(t) = program.edit_tables.iter().find(|t| &*t.name == name) {
        return ("pair edits", t.edits.len());
    }
    let Some(t) = program.tables.iter().find(|t| &*t.name == name) else {
        return ("codes", 0);
    };
    let kind = match t.national {
        Some(kind) => kind,
        None if t.key == crate::ir::TableKeyKind::Diagnosis => "diagnoses",
        None => "codes",
    };
    (kind, t.lines.len())
}

fn compression_word(c: Compression) -> Option<&'static str> {
    match c {
        Compression::None => None,
        Compression::Zstd => Some("zstd"),
        Compression::Gzip => Some("gzip"),
    }
}

/// The JSON of a pack's tables (docs/formats.md, `packs --format json`).
pub fn tables_json(tables: &[TableInForce]) -> Value {
    let items: Vec<Value> = tables
        .iter()
        .map(|t| {
            let version = common_version(&t.files).map(|v| {
                json!({
                    "ncci": v.ncci_text(),
                    "quarter": v.quarter_text(),
                })
            });
            let files: Vec<Value> = t
                .files
                .iter()
                .map(|f| {
                    json!({
                        "path": &f.path,
                        "compression": compression_word(f.compression),
                        "sha256": &f.sha256,
                    })
                })
                .collect();
            json!({
                "name": &t.name,
                "kind": t.kind,
                "version": version,
                "origin": t.origin,
                "files": files,
                "rows": t.rows,
            })
        })
        .collect();
    Value::Array(items)
}

/// A pack's tables as text, under its other lines:
///
/// ```text
///   table       ncci_mue (unit limits): 2024 Q2, 15960 rows
///               embedded policies/tables/ncci/mue_2024q2.tsv.zst (zstd)
///               sha256:…
/// ```
pub fn write_tables_text(out: &mut impl Write, tables: &[TableInForce]) -> io::Result<()> {
    for t in tables {
        let version = common_version(&t.files).map_or_else(
            || "no version in its file name".to_string(),
            |v| v.to_string(),
        );
        let plural = if t.rows == 1 { "" } else { "s" };
        writeln!(
            out,
            "  table       {} ({}): {version}, {} row{plural}",
            t.name, t.kind, t.rows
        )?;
        for f in &t.files {
            let compressed =
                compression_word(f.compression).map_or_else(String::new, |c| format!(" ({c})"));
            writeln!(out, "              {} {}{compressed}", t.origin, f.path)?;
            writeln!(out, "              {}", f.sha256)?;
        }
    }
    Ok(())
}

/// Why the inventory could not be taken.
#[derive(Debug)]
pub enum InventoryError {
    /// A pack's files could not be read again to hash them.
    Hash(PolicyDiagnostic),
    /// A table's file could not be read again to hash it.
    Table(String),
}

/// Each pack's content hash, in load order.
pub fn pack_hashes(engine: &Engine) -> Result<Vec<String>, PolicyDiagnostic> {
    engine.pack_sources().iter().map(content_hash).collect()
}

/// What `claimrules packs --format json` prints (docs/formats.md): one object per pack, in
/// load order.
pub fn packs_json(engine: &Engine) -> Result<Value, InventoryError> {
    let packs = &engine.program().packs;
    let hashes = pack_hashes(engine).map_err(InventoryError::Hash)?;
    let tables = tables_by_pack(engine).map_err(InventoryError::Table)?;
    let items: Vec<Value> = packs
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
                "rules": rules_of(engine, i),
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
    Ok(Value::Array(items))
}

/// How many rules (overrides included) a pack brings.
pub fn rules_of(engine: &Engine, pack: usize) -> usize {
    engine
        .program()
        .rules
        .iter()
        .filter(|r| r.pack as usize == pack)
        .count()
}

/// `2024-01-01 until 2024-12-31`, `2024-01-01 on`, `until 2024-12-31`; `None` for always.
pub fn window_text(w: DateWindow) -> Option<String> {
    match (w.from, w.until) {
        (None, None) => None,
        (Some(f), None) => Some(format!("{f} on")),
        (None, Some(u)) => Some(format!("until {u}")),
        (Some(f), Some(u)) => Some(format!("{f} until {u}")),
    }
}
