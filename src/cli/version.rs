//! What `claimrules --version` (and `-V`) prints.

/// The text after the program's name in `claimrules --version`: the program's version, then a
/// line per versioned thing the run depends on (`pack NAME VERSION` for the standard pack). It
/// reads only the standard pack's manifest, never its tables, so that it stays cheap: it is
/// computed on every start.
pub fn version_text() -> String {
    let mut text = String::from(env!("CARGO_PKG_VERSION"));
    if let Some(manifest) = claimrules::pack::standard_manifest() {
        let version = manifest
            .version
            .map_or_else(|| "(no version)".to_string(), |v| v.text);
        text.push_str(&format!("\npack {} {version}", manifest.name.text));
    }
    text
}
