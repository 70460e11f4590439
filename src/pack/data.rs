//! Where a table's data is and how it is read: a file of a pack found by its path inside the
//! pack (never outside it), the files a `--table` path names, and their bytes, decompressed.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use super::safe_file::{self, climbs_out, read_bounded, FileRefused, FolderGuard};
use super::{compressed, limits, list_files, policy_text};
use super::{in_memory, PackSource, PolicyText, STANDARD_PACK, STANDARD_PACK_DATA, STANDARD_ROOT};

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
/// `-f4`). A path that leads out of the folder, spelled with `..` or through a link, is
/// refused, so a pack reads only its own files.
pub fn locate_data(source: &PackSource, relative: &str) -> Result<DataLocation, String> {
    let normal = check_relative(relative)?;
    match source {
        PackSource::Standard => standard_data(&format!("{STANDARD_ROOT}{normal}"))
            .map(|f| DataLocation::Memory(vec![f]))
            .ok_or_else(|| format!("the standard pack has no file `{relative}`")),
        PackSource::Texts(texts) => find_file(in_memory(source), &normal)
            .map(|f| DataLocation::Memory(vec![MemoryData::text(f)]))
            .ok_or_else(|| {
                let beside = beside_the_policy(texts, &normal).unwrap_or_default();
                format!("no file `{relative}` was given with these policies{beside}")
            }),
        PackSource::Dir(dir) => {
            let guard = FolderGuard::pack(dir).map_err(|e| e.to_string())?;
            let path = dir.join(relative);
            let real = guard.member(&path).map_err(|e| e.to_string())?;
            // A folder is listed by the path as spelled, so that its files are named in the
            // pack's terms; a file is read by its canonical path, checked just now.
            if real.is_dir() {
                data_files_in(&guard, &path)
            } else {
                data_files_in_place(&real)
            }
        }
    }
}

/// When one policy file was given alone (`claimrules lint policies/x.policy`) and the data file
/// it names sits in its folder, says so and how to have it read. The file is only looked at,
/// never read, and only inside the policy's folder (links leading out are not followed).
fn beside_the_policy(texts: &[(String, String)], relative: &str) -> Option<String> {
    let [(name, _)] = texts else { return None };
    let policy = Path::new(name);
    if !policy.is_file() {
        return None;
    }
    let folder = match policy.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let guard = FolderGuard::data(folder).ok()?;
    let path = folder.join(relative);
    let real = guard.member(&path).ok()?;
    if !(real.is_file() || real.is_dir()) {
        return None;
    }
    Some(format!(
        ": `{}` {BESIDE}; give the folder to read its tables: `claimrules lint {}/`",
        path.display(),
        folder.display().to_string().trim_end_matches('/'),
    ))
}

/// What a table error says when the data file sits beside a policy file given alone.
pub const BESIDE: &str =
    "sits beside the policy file, but a policy file given alone is read without the files beside it";

/// The data files at a path given on the command line (`--table NAME=PATH`): the file, or the
/// files of the folder, in name order. The path is the user's and may be anywhere, but a
/// folder's files must stay inside it.
pub fn data_files_at(path: &Path) -> Result<DataLocation, String> {
    if path.is_dir() {
        let guard = FolderGuard::data(path).map_err(|e| e.to_string())?;
        return data_files_in(&guard, path);
    }
    data_files_in_place(path)
}

/// The data files at a path inside a guarded folder: the file, or the files of a folder under
/// it, each of which must stay inside the guarded folder.
fn data_files_in(guard: &FolderGuard, path: &Path) -> Result<DataLocation, String> {
    if !path.is_dir() {
        return data_files_in_place(path);
    }
    let files = list_files(path, |name| {
        !Path::new(name)
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
    })
    .map_err(|_| format!("cannot read the folder `{}`", path.display()))?;
    if files.is_empty() {
        return Err(format!("the folder `{}` holds no files", path.display()));
    }
    let files = files
        .iter()
        .map(|file| guard.member(file).map_err(|e| e.to_string()))
        .collect::<Result<_, _>>()?;
    Ok(DataLocation::Files(files))
}

/// A single data file: it must be a regular file (it is read whole, so a FIFO or a device
/// would never end).
fn data_files_in_place(path: &Path) -> Result<DataLocation, String> {
    safe_file::open_regular(path).map_err(|e| match e {
        FileRefused::Io { .. } => format!(
            "`{}` is not a file or a folder that can be read",
            path.display()
        ),
        refused => refused.to_string(),
    })?;
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
                let bytes = read_bounded(path, limits::MAX_DATA_BYTES, "data file")
                    .map_err(|e| e.to_string())?;
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

/// Reads a file by its path relative to a folder, refusing one that leads out of the folder.
/// Text that is not UTF-8 is read as Latin-1.
fn read_inside(dir: &Path, relative: &str) -> Result<PolicyText, String> {
    let path = dir.join(relative);
    let guard = FolderGuard::pack(dir).map_err(|e| e.to_string())?;
    let real = guard.member(&path).map_err(|e| e.to_string())?;
    let bytes = read_bounded(&real, limits::MAX_DATA_BYTES, "data file")
        .map_err(|e| e.named(&path).to_string())?;
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
    let normal = check_relative(relative)?;
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
        normal
    } else {
        format!("{}/{normal}", folder.trim_end_matches('/'))
    };
    find_file(STANDARD_PACK.to_vec(), &name)
        .ok_or_else(|| format!("there is no file `{relative}` beside `{file}`"))
}

/// The file of a name among files held in memory.
fn find_file(files: Vec<(&str, &str)>, name: &str) -> Option<PolicyText> {
    files.into_iter().find(|(n, _)| *n == name).map(policy_text)
}

/// A data path must stay inside its pack: relative, and its `..` never climbing above the
/// pack's folder. Returns the path with `.` and `..` resolved by their spelling, to find a file
/// held in memory; a folder on disk is judged again on the canonical path, links included.
fn check_relative(relative: &str) -> Result<String, String> {
    let path = Path::new(relative);
    if relative.is_empty() {
        return Err("the path is empty".into());
    }
    if path.is_absolute() || relative.starts_with(['/', '\\']) || relative.contains(':') {
        return Err(format!(
            "`{relative}` is not a path inside the pack; write it relative to the pack's folder"
        ));
    }
    let slashed = relative.replace('\\', "/");
    if climbs_out(Path::new(&slashed)) {
        return Err(format!(
            "`{relative}` leads outside the pack folder; a pack reads only its own files"
        ));
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in slashed.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            part => parts.push(part),
        }
    }
    Ok(parts.join("/"))
}
