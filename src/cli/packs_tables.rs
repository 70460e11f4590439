//! The tables in force, for `claimrules packs`: per pack, each table's name, the version its
//! file names give, where its data came from, compression, rows and SHA-256.

use std::io::{self, Write};

use claimrules::pack::compressed::Compression;
use claimrules::pack::{common_version, TableFile};
use claimrules::Engine;
use serde_json::{json, Value};

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
        None if t.key == claimrules::ir::TableKeyKind::Diagnosis => "diagnoses",
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
