//! What `claimrules --version` (and `-V`) prints.

/// The text after the program's name in `claimrules --version`: the program's version, then a
/// line per versioned thing the run depends on: `pack NAME VERSION` for the standard pack, then
/// `table NAME VERSION (FILE)` for each of its national tables, the version read from the file's
/// name. It reads the manifest and the policy files that name a table, never the tables, so
/// that it stays cheap: it is computed on every start.
pub fn version_text() -> String {
    let mut text = String::from(env!("CARGO_PKG_VERSION"));
    if let Some(manifest) = claimrules::pack::standard_manifest() {
        let version = manifest
            .version
            .map_or_else(|| "(no version)".to_string(), |v| v.text);
        text.push_str(&format!("\npack {} {version}", manifest.name.text));
    }
    for (table, file) in claimrules::pack::standard_tables() {
        let version = claimrules::pack::table_version::table_version(&file).map_or_else(
            || "(no version in its file name)".to_string(),
            |v| v.to_string(),
        );
        text.push_str(&format!("\ntable {table} {version} ({file})"));
    }
    text
}
