//! Packs: where policy files come from. The standard pack is embedded at build time; a payer's
//! pack is a folder read at run time.

pub mod compressed;

use std::borrow::Cow;
use std::fmt;
use std::path::{Path, PathBuf};

use miette::Diagnostic;
use thiserror::Error;

use crate::diagnostic::PolicyDiagnostic;

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

/// Where the standard pack's files are, as the embedded names give them.
const STANDARD_ROOT: &str = "policies/";

/// Where a table's data is: files on disk, or files held in memory (the embedded standard
/// pack, policies given as text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataLocation {
    /// Files on disk, in the order their rows are read.
    Files(Vec<PathBuf>),
    /// Files held in memory.
    Memory(Vec<MemoryData>),
}

/// A data file held in memory: one of the standard pack's, embedded in the binary, or one given
/// with policies as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoryData {
    /// Its path as shown: `policies/tables/…` for the standard pack's.
    pub name: String,
    /// Its bytes, compressed or not.
    pub bytes: Cow<'static, [u8]>,
    /// A SHA-256 of the bytes where it is known without reading them (the embedded files'), so
    /// that a table built from them can be cached.
    pub hash: Option<&'static str>,
}

impl MemoryData {
    fn text(file: PolicyText) -> MemoryData {
        MemoryData {
            name: file.name,
            bytes: Cow::Owned(file.text.into_bytes()),
            hash: None,
        }
    }
}

/// The standard pack's data file of a name, compressed (the national tables) or not.
fn standard_data(name: &str) -> Option<MemoryData> {
    if let Some(&(name, bytes, hash)) = STANDARD_PACK_DATA.iter().find(|(n, _, _)| *n == name) {
        return Some(MemoryData {
            name: name.to_string(),
            bytes: Cow::Borrowed(bytes),
            hash: Some(hash),
        });
    }
    find_file(STANDARD_PACK.to_vec(), name).map(MemoryData::text)
}

/// Finds a data file (a table) that a policy of the pack names, by its path relative to the
/// pack's folder: a file, or a folder whose files are all read (CMS ships a table as `-f1` …
/// `-f4`). A path that could leave the folder is refused, so a pack reads only its own files.
pub fn locate_data(source: &PackSource, relative: &str) -> Result<DataLocation, String> {
    check_relative(relative)?;
    match source {
        PackSource::Standard => standard_data(&format!("{STANDARD_ROOT}{relative}"))
            .map(|f| DataLocation::Memory(vec![f]))
            .ok_or_else(|| format!("the standard pack has no file `{relative}`")),
        PackSource::Texts(_) => find_file(in_memory(source), relative)
            .map(|f| DataLocation::Memory(vec![MemoryData::text(f)]))
            .ok_or_else(|| format!("no file `{relative}` was given with these policies")),
        PackSource::Dir(dir) => {
            let real = inside(dir, relative)?;
            data_files_at(&real)
        }
    }
}

/// The data files at a path given on the command line (`--table NAME=PATH`): the file, or the
/// files of the folder, in name order.
pub fn data_files_at(path: &Path) -> Result<DataLocation, String> {
    if path.is_dir() {
        let files = list_files(path, |name| {
            !Path::new(name)
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .map_err(|_| format!("cannot read the folder `{}`", path.display()))?;
        if files.is_empty() {
            return Err(format!("the folder `{}` holds no files", path.display()));
        }
        return Ok(DataLocation::Files(files));
    }
    if !path.is_file() {
        return Err(format!(
            "`{}` is not a file or a folder that can be read",
            path.display()
        ));
    }
    Ok(DataLocation::Files(vec![path.to_path_buf()]))
}

/// Reads located data files: each one's name as findings cite it (the file's own name, as CMS
/// publishes it, without the `.zst` or `.gz` of a compressed file) and the bytes it holds,
/// decompressed. A file over [`limits::MAX_DATA_BYTES`], compressed or not, is refused.
pub fn read_located(location: &DataLocation) -> Result<Vec<crate::ncci::DataFile>, String> {
    let file = |path: String, bytes: &[u8]| {
        let name = compressed::cited_as(&cited_name(Path::new(&path)), bytes);
        let bytes = compressed::decompress(bytes, limits::MAX_DATA_BYTES, &path)?.into_owned();
        Ok(crate::ncci::DataFile { name, path, bytes })
    };
    match location {
        DataLocation::Memory(files) => files
            .iter()
            .map(|f| file(f.name.clone(), &f.bytes))
            .collect(),
        DataLocation::Files(paths) => paths
            .iter()
            .map(|path| {
                let bytes = read_limited(path, limits::MAX_DATA_BYTES, "data file")?;
                file(path.display().to_string(), &bytes)
            })
            .collect(),
    }
}

/// The name of a data file as findings cite it: its own name, without folders.
fn cited_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// A path relative to a folder, refused when a link leads out of the folder.
fn inside(dir: &Path, relative: &str) -> Result<PathBuf, String> {
    let path = dir.join(relative);
    let root = dir
        .canonicalize()
        .map_err(|e| format!("cannot read the folder `{}`: {e}", dir.display()))?;
    let real = path
        .canonicalize()
        .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    if !real.starts_with(&root) {
        return Err(format!(
            "`{relative}` leads outside the pack folder (through a link)"
        ));
    }
    Ok(real)
}

/// Reads a file by its path relative to a folder, refusing one that a link leads out of.
/// Text that is not UTF-8 is read as Latin-1.
fn read_inside(dir: &Path, relative: &str) -> Result<PolicyText, String> {
    let path = dir.join(relative);
    let real = inside(dir, relative)?;
    if !real.is_file() {
        return Err(format!("`{}` is not a regular file", path.display()));
    }
    let bytes = read_limited(&real, limits::MAX_DATA_BYTES, "data file")?;
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => e.into_bytes().iter().map(|&b| char::from(b)).collect(),
    };
    Ok(PolicyText {
        name: path.display().to_string(),
        text,
    })
}

/// Reads a file named relative to the folder of a policy or test file: on disk when that file
/// is, else among the embedded standard pack's files. Like a table's data, it must stay inside
/// the folder.
pub fn read_beside(file: &str, relative: &str) -> Result<PolicyText, String> {
    check_relative(relative)?;
    let folder = Path::new(file).parent().unwrap_or(Path::new(""));
    if Path::new(file).is_file() {
        let folder = if folder.as_os_str().is_empty() {
            Path::new(".")
        } else {
            folder
        };
        return read_inside(folder, relative);
    }
    let folder = folder.to_string_lossy();
    let name = if folder.is_empty() {
        relative.to_string()
    } else {
        format!("{}/{relative}", folder.trim_end_matches('/'))
    };
    find_file(STANDARD_PACK.to_vec(), &name)
        .ok_or_else(|| format!("there is no file `{relative}` beside `{file}`"))
}

/// The file of a name among files held in memory.
fn find_file(files: Vec<(&str, &str)>, name: &str) -> Option<PolicyText> {
    files.into_iter().find(|(n, _)| *n == name).map(policy_text)
}

/// A data path must stay inside its pack: relative, and never through `..`.
fn check_relative(relative: &str) -> Result<(), String> {
    let path = Path::new(relative);
    if relative.is_empty() {
        return Err("the path is empty".into());
    }
    if path.is_absolute() || relative.starts_with(['/', '\\']) || relative.contains(':') {
        return Err(format!(
            "`{relative}` is not a path inside the pack; write it relative to the pack's folder"
        ));
    }
    if path
        .components()
        .any(|c| matches!(c, std::path::Component::ParentDir))
        || relative.split(['/', '\\']).any(|part| part == "..")
    {
        return Err(format!(
            "`{relative}` leads outside the pack folder; a pack reads only its own files"
        ));
    }
    Ok(())
}

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
    let text = std::fs::read_to_string(path).map_err(|e| {
        PolicyDiagnostic::general(PackUnreadable {
            what,
            path: path.display().to_string(),
            reason: e.to_string(),
            help: "name `*.policy` files or folders that hold them".into(),
        })
    })?;
    Ok(vec![PolicyText {
        name: path.display().to_string(),
        text,
    }])
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

/// Reads a file of at most `limit` bytes.
pub(crate) fn read_limited(path: &Path, limit: u64, what: &str) -> Result<Vec<u8>, String> {
    let size = std::fs::metadata(path)
        .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?
        .len();
    if size > limit {
        return Err(format!(
            "`{}` is {size} bytes, over the limit of {limit} bytes for a {what}",
            path.display()
        ));
    }
    std::fs::read(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))
}

/// The files under a folder that `keep` selects, in path order.
fn read_files(dir: &Path, keep: fn(&str) -> bool) -> Result<Vec<PolicyText>, PolicyDiagnostic> {
    list_files(dir, keep)?
        .into_iter()
        .map(|path| {
            let bytes =
                read_limited(&path, limits::MAX_POLICY_BYTES, "policy file").map_err(|reason| {
                    PolicyDiagnostic::general(PackUnreadable {
                        what: "policy file",
                        path: path.display().to_string(),
                        reason,
                        help: "a policy file holds rules written by hand; put large code lists \
                               in a table"
                            .into(),
                    })
                })?;
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
            for path in list_files(dir, |_| true)? {
                let bytes = std::fs::read(&path).map_err(|e| unreadable("pack file", &path, e))?;
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

/// The name a pack folder's manifest (`pack.policy`) gives it, if it has one that reads.
pub fn manifest_name(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join("pack.policy")).ok()?;
    manifest_in(&text).map(|p| p.name.text)
}

/// The manifest of the embedded standard pack, read on its own: its name and version, without
/// loading the pack or any table (for `claimrules --version`).
pub fn standard_manifest() -> Option<crate::syntax::ast::PackDecl> {
    let name = format!("{STANDARD_ROOT}pack.policy");
    let (_, text) = STANDARD_PACK.iter().find(|(n, _)| *n == name)?;
    manifest_in(text)
}

/// The `pack` item of a manifest's text, if it has one.
fn manifest_in(text: &str) -> Option<crate::syntax::ast::PackDecl> {
    let (file, _) = crate::syntax::parse_policy(text);
    file.items.into_iter().find_map(|item| match item {
        crate::syntax::ast::Item::Pack(p) => Some(p),
        _ => None,
    })
}

/// Drops the embedded standard pack when a folder given stands for it (its manifest names it
/// `standard`, as `policies/` in this repository does): the files on disk are the ones being
/// worked on, and loading both would define everything twice.
pub fn prefer_standard_on_disk(sources: &mut Vec<PackSource>) {
    let on_disk = sources.iter().any(|s| match s {
        PackSource::Dir(dir) => manifest_name(dir).as_deref() == Some(STANDARD_NAME),
        _ => false,
    });
    if on_disk {
        sources.retain(|s| *s != PackSource::Standard);
    }
}

/// The name of the standard pack, as its manifest gives it.
pub const STANDARD_NAME: &str = "standard";
