//! Packs: where policy files come from. The standard pack is embedded at build time; a payer's
//! pack is a folder read at run time.

pub mod compressed;
mod data;
mod table_source;
pub mod table_version;

pub use data::{
    data_files_at, locate_data, read_beside, read_located, DataLocation, MemoryData, BESIDE,
};
pub use table_source::{common_version, TableFile, TableOrigin, TableSource};
pub mod safe_file;

use std::fmt;
use std::path::{Path, PathBuf};

use miette::Diagnostic;
use thiserror::Error;

use crate::diagnostic::PolicyDiagnostic;
use safe_file::{read_bounded, FileRefused, FolderGuard};

include!(concat!(env!("OUT_DIR"), "/standard_pack.rs"));

/// Where a layer of policies comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackSource {
    /// The standard pack embedded in the binary.
    Standard,
    /// A folder of `*.policy` files, read recursively.
    Dir(PathBuf),
    /// Policy texts held in memory: `(name, text)`.
    Texts(Vec<(String, String)>),
}

impl fmt::Display for PackSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PackSource::Standard => f.write_str("the standard pack"),
            PackSource::Dir(p) => write!(f, "{}", p.display()),
            PackSource::Texts(_) => f.write_str("policies given in memory"),
        }
    }
}

/// A policy file to load: the name it is shown by, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyText {
    /// The name diagnostics show it by: its path in the pack, or any name given with the text.
    pub name: String,
    /// The file's text.
    pub text: String,
}

/// A pack folder or file that could not be read.
#[derive(Debug, Error, Diagnostic)]
#[error("cannot read {what} `{path}`: {reason}")]
#[diagnostic(code(claimrules::pack_unreadable), help("{help}"))]
pub struct PackUnreadable {
    /// What could not be read: `pack`, `table`, `packs`…
    pub what: &'static str,
    /// Where it is, as given.
    pub path: String,
    /// Why it could not be read.
    pub reason: String,
    /// What to do about it.
    pub help: String,
}

/// A pack folder named `standard` loaded with the embedded standard pack: it would not replace
/// it silently, so loading stops and says how to do either.
#[derive(Debug, Error, Diagnostic)]
#[error("the pack folder `{folder}` is named `standard`, like the embedded standard pack")]
#[diagnostic(
    code(claimrules::pack_named_standard),
    help(
        "rename the pack, or pass --no-default-pack to replace the standard pack on purpose \
         (as when working on this repository's `policies/`)"
    )
)]
pub struct NamedStandard {
    pub folder: String,
    #[label("the standard pack is loaded already")]
    pub span: miette::SourceSpan,
}

/// Where the standard pack's files are, as the embedded names give them.
const STANDARD_ROOT: &str = "policies/";

/// The policy tests (`*.test.policy`) of a pack, in path order.
pub fn read_pack_tests(source: &PackSource) -> Result<Vec<PolicyText>, PolicyDiagnostic> {
    match source {
        PackSource::Dir(dir) => read_files(dir, is_test_file),
        _ => Ok(select(in_memory(source), is_test_file)),
    }
}

/// The files of a pack held in memory (embedded, or given as texts); none for a folder.
fn in_memory(source: &PackSource) -> Vec<(&str, &str)> {
    match source {
        PackSource::Standard => STANDARD_PACK.to_vec(),
        PackSource::Texts(texts) => texts
            .iter()
            .map(|(name, text)| (name.as_str(), text.as_str()))
            .collect(),
        PackSource::Dir(_) => Vec::new(),
    }
}

/// The files `keep` selects, in the order given.
fn select(files: Vec<(&str, &str)>, keep: fn(&str) -> bool) -> Vec<PolicyText> {
    files
        .into_iter()
        .filter(|(name, _)| keep(name))
        .map(policy_text)
        .collect()
}

fn policy_text((name, text): (&str, &str)) -> PolicyText {
    PolicyText {
        name: name.to_string(),
        text: text.to_string(),
    }
}

/// Policy tests at a path: a test file, or a folder searched for them.
pub fn read_tests_at(path: &Path) -> Result<Vec<PolicyText>, PolicyDiagnostic> {
    read_at(path, is_test_file, "test file")
}

/// Every policy and test file (`*.policy`) at a path: a file, or a folder searched for them.
pub fn read_sources_at(path: &Path) -> Result<Vec<PolicyText>, PolicyDiagnostic> {
    read_at(path, |name| name.ends_with(".policy"), "policy file")
}

fn read_at(
    path: &Path,
    keep: fn(&str) -> bool,
    what: &'static str,
) -> Result<Vec<PolicyText>, PolicyDiagnostic> {
    if path.is_dir() {
        return read_files(path, keep);
    }
    // A file named on the command line may be anywhere, but is read like a pack's own: a
    // regular file, under the size limit.
    let text = read_policy_file(path, what).map_err(|reason| {
        PolicyDiagnostic::general(PackUnreadable {
            what,
            path: path.display().to_string(),
            reason,
            help: "name `*.policy` files or folders that hold them".into(),
        })
    })?;
    Ok(vec![PolicyText {
        name: path.display().to_string(),
        text,
    }])
}

/// The text of a policy or test file: a regular file of at most
/// [`limits::MAX_POLICY_BYTES`], in UTF-8.
pub fn read_policy_file(path: &Path, what: &'static str) -> Result<String, String> {
    let bytes = read_bounded(path, limits::MAX_POLICY_BYTES, what).map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|_| format!("`{}` is not UTF-8 text", path.display()))
}

/// Whether a file given in memory holds policies: it need not be named `*.policy` (an editor
/// buffer, say), but tests and table data are not policies.
fn is_policy_text(name: &str) -> bool {
    !is_test_file(name) && !is_data_file(name)
}

/// Whether a file holds a table's data rather than policies.
pub fn is_data_file(name: &str) -> bool {
    let name = name
        .strip_suffix(".zst")
        .or_else(|| name.strip_suffix(".gz"))
        .unwrap_or(name);
    name.ends_with(".csv") || name.ends_with(".tsv")
}

/// Whether a file holds policy tests.
pub fn is_test_file(name: &str) -> bool {
    name.ends_with(".test.policy")
}

/// Whether a file holds policies to load (tests, `*.test.policy`, are not rules).
pub fn is_policy_file(name: &str) -> bool {
    name.ends_with(".policy") && !name.ends_with(".test.policy")
}

/// The policy files of a pack, in a fixed order (by path), so loading is deterministic.
pub fn read_pack(source: &PackSource) -> Result<Vec<PolicyText>, PolicyDiagnostic> {
    match source {
        PackSource::Standard => Ok(select(in_memory(source), is_policy_file)),
        PackSource::Texts(_) => Ok(select(in_memory(source), is_policy_text)),
        PackSource::Dir(dir) => {
            let files = read_files(dir, is_policy_file)?;
            if files.is_empty() {
                return Err(PolicyDiagnostic::general(PackUnreadable {
                    what: "pack folder",
                    path: dir.display().to_string(),
                    reason: "it holds no `.policy` file".into(),
                    help: "a pack is a folder of `.policy` files; check the path".into(),
                }));
            }
            Ok(files)
        }
    }
}

/// Limits on what a pack may hold, so that a pack from outside gives a clear error rather
/// than exhausting memory. Far beyond any real pack.
pub mod limits {
    /// Files in a pack folder, counted through every subfolder.
    pub const MAX_FILES: usize = 2_000;
    /// Bytes of one policy or test file.
    pub const MAX_POLICY_BYTES: u64 = 4 << 20;
    /// Bytes of one table data file (the full CMS practitioner PTP table is about 200 MB).
    pub const MAX_DATA_BYTES: u64 = 1 << 30;
    /// Rules over all loaded packs (tables hold the national edits, not rules).
    pub const MAX_RULES: usize = 50_000;
    /// Codes, code ranges and diagnosis patterns copied from a named set into another set, over
    /// all loaded packs: a set is copied each time another set, a rule or a term names it.
    /// Sets that each name the one before grow as the square of their number (30,000 of them
    /// in a 1 MB file would copy 450 million codes). A table's codes are not counted.
    pub const MAX_SET_CODES: usize = 5_000_000;
}

fn unreadable(what: &'static str, path: &Path, e: std::io::Error) -> PolicyDiagnostic {
    PolicyDiagnostic::general(PackUnreadable {
        what,
        path: path.display().to_string(),
        reason: e.to_string(),
        help: "give `--pack` a folder that holds the pack's `.policy` files".into(),
    })
}

/// The paths of the files under a folder that `keep` selects, in path order; links are not
/// followed out of it. More than [`limits::MAX_FILES`] files is an error.
fn list_files(dir: &Path, keep: fn(&str) -> bool) -> Result<Vec<PathBuf>, PolicyDiagnostic> {
    let mut paths = Vec::new();
    let mut seen = 0usize;
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| unreadable("pack folder", &d, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| unreadable("pack folder", &d, e))?;
            let path = entry.path();
            let kind = entry
                .file_type()
                .map_err(|e| unreadable("pack file", &path, e))?;
            seen += 1;
            if seen > limits::MAX_FILES {
                return Err(PolicyDiagnostic::general(PackUnreadable {
                    what: "pack folder",
                    path: dir.display().to_string(),
                    reason: format!("it holds more than {} files", limits::MAX_FILES),
                    help: "a pack holds its policies, tests and tables; keep other files out of \
                           its folder"
                        .into(),
                }));
            }
            if kind.is_dir() {
                pending.push(path);
            } else if keep(&path.to_string_lossy()) {
                paths.push(path);
            }
        }
    }
    paths.sort();
    Ok(paths)
}

/// The files under a pack folder that `keep` selects, in path order, each read as a policy
/// file: inside the folder, regular, and under the size limit.
fn read_files(dir: &Path, keep: fn(&str) -> bool) -> Result<Vec<PolicyText>, PolicyDiagnostic> {
    let guard = FolderGuard::pack(dir).map_err(|e| refused("pack folder", dir, e))?;
    list_files(dir, keep)?
        .into_iter()
        .map(|path| {
            let bytes = guard
                .member(&path)
                .and_then(|real| {
                    read_bounded(&real, limits::MAX_POLICY_BYTES, "policy file")
                        .map_err(|e| e.named(&path))
                })
                .map_err(|e| refused("policy file", &path, e))?;
            let text = String::from_utf8(bytes).map_err(|_| {
                PolicyDiagnostic::general(PackUnreadable {
                    what: "policy file",
                    path: path.display().to_string(),
                    reason: "it is not UTF-8 text".into(),
                    help: "save the policy file as UTF-8".into(),
                })
            })?;
            Ok(PolicyText {
                name: path.display().to_string(),
                text,
            })
        })
        .collect()
}

/// A pack file refused by [`safe_file`], as a diagnostic: the help says what a pack may hold.
fn refused(what: &'static str, path: &Path, e: FileRefused) -> PolicyDiagnostic {
    let help = match e {
        FileRefused::NotRegular { .. } => "a pack holds regular files only; remove it",
        FileRefused::LinkLeadsOut { .. } | FileRefused::LeadsOut { .. } => {
            "a pack reads only its own files: copy the file into the pack folder"
        }
        FileRefused::TooLarge { .. } if what == "policy file" => {
            "a policy file holds rules written by hand; put large code lists in a table"
        }
        FileRefused::TooLarge { .. } => "keep files over the limit out of the pack folder",
        FileRefused::Io { .. } => "give `--pack` a folder that holds the pack's `.policy` files",
    };
    PolicyDiagnostic::general(PackUnreadable {
        what,
        path: path.display().to_string(),
        reason: e.to_string(),
        help: help.into(),
    })
}

/// A SHA-256 of every file of a pack (its path in the pack, then its bytes), in path order:
/// the same files give the same hash, so an auditor can tell exactly which rules ran.
pub fn content_hash(source: &PackSource) -> Result<String, PolicyDiagnostic> {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    let mut add = |name: &str, bytes: &[u8]| {
        hasher.update((name.len() as u64).to_le_bytes());
        hasher.update(name.as_bytes());
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    };
    match source {
        PackSource::Dir(dir) => {
            let guard = FolderGuard::pack(dir).map_err(|e| refused("pack folder", dir, e))?;
            for path in list_files(dir, |_| true)? {
                let bytes = guard
                    .member(&path)
                    .and_then(|real| {
                        read_bounded(&real, limits::MAX_DATA_BYTES, "pack file")
                            .map_err(|e| e.named(&path))
                    })
                    .map_err(|e| refused("pack file", &path, e))?;
                let name = path.strip_prefix(dir).unwrap_or(&path);
                let name: Vec<String> = name
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                add(&name.join("/"), &bytes);
            }
        }
        _ => {
            let mut files: Vec<(&str, &[u8])> = in_memory(source)
                .into_iter()
                .map(|(name, text)| (name, text.as_bytes()))
                .collect();
            if *source == PackSource::Standard {
                files.extend(
                    STANDARD_PACK_DATA
                        .iter()
                        .map(|&(name, bytes, _)| (name, bytes)),
                );
            }
            files.sort();
            for (name, bytes) in files {
                add(name.trim_start_matches(STANDARD_ROOT), bytes);
            }
        }
    }
    Ok(format!("sha256:{:x}", hasher.finalize()))
}

/// Whether a folder holds policy files (tests aside), and so is a pack. A folder that cannot be
/// listed counts as one, so that loading it reports why.
pub fn holds_policies(dir: &Path) -> bool {
    list_files(dir, is_policy_file).map_or(true, |files| !files.is_empty())
}

/// The manifest of the embedded standard pack, read on its own: its name and version, without
/// loading the pack or any table (for `claimrules --version`).
pub fn standard_manifest() -> Option<crate::syntax::ast::PackDecl> {
    let name = format!("{STANDARD_ROOT}pack.policy");
    let (_, text) = STANDARD_PACK.iter().find(|(n, _)| *n == name)?;
    manifest_in(text)
}

/// The standard pack's embedded national tables, without reading their data (for
/// `claimrules --version`): each one's name as policies use it and its file's name, by name.
/// Only the policy files that declare a national table (`of pair edits`, `of unit limits`,
/// `of fee schedule indicators`, `of add-on code edits`) are parsed.
pub fn standard_tables() -> Vec<(String, String)> {
    const NATIONAL_KINDS: [&str; 4] = [
        "of pair edits",
        "of unit limits",
        "of fee schedule indicators",
        "of add-on code edits",
    ];
    let mut tables: Vec<(String, String)> = STANDARD_PACK
        .iter()
        .filter(|(name, text)| {
            is_policy_file(name) && NATIONAL_KINDS.iter().any(|kind| text.contains(kind))
        })
        .flat_map(|(_, text)| crate::syntax::parse_policy(text).0.items)
        .filter_map(|item| match item {
            crate::syntax::ast::Item::Table(t)
                if t.kind != crate::syntax::ast::TableKind::Codes =>
            {
                let file = t.path.text.rsplit('/').next().unwrap_or(&t.path.text);
                Some((t.name.text, file.to_string()))
            }
            _ => None,
        })
        .collect();
    tables.sort();
    tables
}

/// The `pack` item of a manifest's text, if it has one.
fn manifest_in(text: &str) -> Option<crate::syntax::ast::PackDecl> {
    let (file, _) = crate::syntax::parse_policy(text);
    file.items.into_iter().find_map(|item| match item {
        crate::syntax::ast::Item::Pack(p) => Some(p),
        _ => None,
    })
}

/// The name of the standard pack, as its manifest gives it.
pub const STANDARD_NAME: &str = "standard";
