//! Reading the files of a pack when the pack comes from outside: only regular files, never more
//! than a limit whatever size the file reports, and, for the files a pack names, only inside the
//! pack's folder. Every read of a pack's file on disk goes through here.

use std::fs::{File, FileType, Metadata};
use std::io::Read;
use std::path::{Component, Path, PathBuf};

use thiserror::Error;

/// Why a file of a pack was not read.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum FileRefused {
    /// A FIFO, a device, a socket or a folder: reading it could block for ever or never end.
    #[error("`{path}` is {kind}, not a regular file")]
    NotRegular { path: String, kind: &'static str },
    /// More bytes than the limit for its kind of file.
    #[error("`{path}` is over the limit of {limit} bytes for a {what}")]
    TooLarge {
        path: String,
        limit: u64,
        what: &'static str,
    },
    /// A link (the file, or a folder on its path) that leads out of the pack's folder.
    #[error("`{link}` is a link to `{target}`, outside the {folder} `{root}`")]
    LinkLeadsOut {
        link: String,
        target: String,
        folder: &'static str,
        root: String,
    },
    /// A path whose `..` climbs out of the pack's folder.
    #[error("`{path}` leads outside the {folder} `{root}`; only its own files are read")]
    LeadsOut {
        path: String,
        folder: &'static str,
        root: String,
    },
    /// The operating system's own error.
    #[error("cannot read `{path}`: {reason}")]
    Io { path: String, reason: String },
}

impl FileRefused {
    /// The same refusal naming the file by another path: the one the user knows it by, when
    /// it was read through its canonical path.
    pub fn named(self, shown: &Path) -> FileRefused {
        let shown = shown.display().to_string();
        match self {
            FileRefused::NotRegular { kind, .. } => FileRefused::NotRegular { path: shown, kind },
            FileRefused::TooLarge { limit, what, .. } => FileRefused::TooLarge {
                path: shown,
                limit,
                what,
            },
            FileRefused::Io { reason, .. } => FileRefused::Io {
                path: shown,
                reason,
            },
            other => other,
        }
    }
}

fn io_error(path: &Path, e: std::io::Error) -> FileRefused {
    FileRefused::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

/// What a file that is not regular is, in words.
fn kind_of(kind: FileType) -> Option<&'static str> {
    if kind.is_file() {
        return None;
    }
    if kind.is_dir() {
        return Some("a folder");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return Some("a FIFO (named pipe)");
        }
        if kind.is_socket() {
            return Some("a socket");
        }
        if kind.is_block_device() || kind.is_char_device() {
            return Some("a device");
        }
    }
    Some("not a file")
}

fn regular(path: &Path, metadata: &Metadata) -> Result<(), FileRefused> {
    match kind_of(metadata.file_type()) {
        None => Ok(()),
        Some(kind) => Err(FileRefused::NotRegular {
            path: path.display().to_string(),
            kind,
        }),
    }
}

/// Opens a regular file for reading. A FIFO, device or socket is refused, judged on the handle
/// opened (so a file swapped after a first look is caught); on Unix it is opened non-blocking,
/// so that opening a FIFO with no writer returns at once instead of waiting for one.
pub fn open_regular(path: &Path) -> Result<File, FileRefused> {
    // A first look, so that a device is not even opened in the common case.
    let before = std::fs::metadata(path).map_err(|e| io_error(path, e))?;
    regular(path, &before)?;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|e| io_error(path, e))?;
    let opened = file.metadata().map_err(|e| io_error(path, e))?;
    regular(path, &opened)?;
    Ok(file)
}

/// Reads a regular file of at most `limit` bytes. The limit holds on the bytes read, not on the
/// size the file reports: a file that grows, or that lies about its size, stops at the limit.
pub fn read_bounded(path: &Path, limit: u64, what: &'static str) -> Result<Vec<u8>, FileRefused> {
    let file = open_regular(path)?;
    let reported = file.metadata().map(|m| m.len()).unwrap_or(0);
    let too_large = || FileRefused::TooLarge {
        path: path.display().to_string(),
        limit,
        what,
    };
    if reported > limit {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(reported as usize);
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| io_error(path, e))?;
    if bytes.len() as u64 > limit {
        return Err(too_large());
    }
    Ok(bytes)
}

/// A folder whose files may be read, and nothing outside it: a pack folder, or the folder given
/// to `--table NAME=DIR`. Paths are compared in their canonical form, so a `..` that stays
/// inside is accepted and a link that leads out is refused, however either is spelled.
#[derive(Debug, Clone)]
pub struct FolderGuard {
    /// What the folder is, to name it: "pack folder", "folder".
    kind: &'static str,
    /// The folder as given, to name it.
    given: PathBuf,
    /// Its canonical path.
    real: PathBuf,
}

impl FolderGuard {
    /// Guards a pack's folder; it must exist.
    pub fn pack(dir: &Path) -> Result<FolderGuard, FileRefused> {
        FolderGuard::new(dir, "pack folder")
    }

    /// Guards a folder of data named on the command line (`--table NAME=DIR`).
    pub fn data(dir: &Path) -> Result<FolderGuard, FileRefused> {
        FolderGuard::new(dir, "folder")
    }

    fn new(dir: &Path, kind: &'static str) -> Result<FolderGuard, FileRefused> {
        let real = dir.canonicalize().map_err(|e| io_error(dir, e))?;
        Ok(FolderGuard {
            kind,
            given: dir.to_path_buf(),
            real,
        })
    }

    /// `path` relative to the folder, whether it starts with the folder as given or with its
    /// canonical path.
    fn relative<'p>(&self, path: &'p Path) -> Option<(&Path, &'p Path)> {
        path.strip_prefix(&self.given)
            .map(|r| (self.given.as_path(), r))
            .or_else(|_| {
                path.strip_prefix(&self.real)
                    .map(|r| (self.real.as_path(), r))
            })
            .ok()
    }

    /// The folder as given.
    pub fn folder(&self) -> &Path {
        &self.given
    }

    /// The canonical path of `path` (a path under the folder, as listed or joined to it),
    /// refused when it leads out of the folder. The error names the link that leads out and
    /// where it leads.
    pub fn member(&self, path: &Path) -> Result<PathBuf, FileRefused> {
        if self.relative(path).is_some_and(|(_, r)| climbs_out(r)) {
            return Err(FileRefused::LeadsOut {
                path: path.display().to_string(),
                folder: self.kind,
                root: self.given.display().to_string(),
            });
        }
        let real = path.canonicalize().map_err(|e| io_error(path, e))?;
        if real.starts_with(&self.real) {
            return Ok(real);
        }
        Err(self
            .outside_link(path)
            .unwrap_or_else(|| FileRefused::LinkLeadsOut {
                link: path.display().to_string(),
                target: real.display().to_string(),
                folder: self.kind,
                root: self.given.display().to_string(),
            }))
    }

    /// The first link on `path`, from the folder down, that leads out of it: the link to name.
    fn outside_link(&self, path: &Path) -> Option<FileRefused> {
        let (start, relative) = self.relative(path)?;
        let mut prefix = start.to_path_buf();
        for part in relative.components() {
            prefix.push(part);
            let is_link = std::fs::symlink_metadata(&prefix).is_ok_and(|m| m.is_symlink());
            if !is_link {
                continue;
            }
            let target = prefix.canonicalize().ok()?;
            if !target.starts_with(&self.real) {
                return Some(FileRefused::LinkLeadsOut {
                    link: prefix.display().to_string(),
                    target: target.display().to_string(),
                    folder: self.kind,
                    root: self.given.display().to_string(),
                });
            }
        }
        None
    }
}

/// Whether a relative path's `..` climb above its start, judged on the spelling alone.
pub fn climbs_out(relative: &Path) -> bool {
    let mut depth = 0usize;
    for part in relative.components() {
        match part {
            Component::ParentDir if depth == 0 => return true,
            Component::ParentDir => depth -= 1,
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => return true,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_over_the_limit_is_refused_and_one_at_it_is_read() {
        let dir = std::env::temp_dir().join(format!("claimrules-safe-file-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("ten.txt");
        std::fs::write(&path, b"0123456789").expect("write");
        let at = read_bounded(&path, 10, "policy file");
        let over = read_bounded(&path, 9, "policy file");
        std::fs::remove_dir_all(&dir).ok();
        assert_eq!(at.expect("ten bytes under a limit of ten"), b"0123456789");
        assert_eq!(
            over.expect_err("ten bytes over a limit of nine")
                .to_string(),
            format!(
                "`{}` is over the limit of 9 bytes for a policy file",
                path.display()
            )
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_device_is_not_a_regular_file() {
        let refused = read_bounded(Path::new("/dev/zero"), 1, "data file").expect_err("a device");
        assert_eq!(
            refused.to_string(),
            "`/dev/zero` is a device, not a regular file"
        );
    }

    #[test]
    fn a_dotdot_that_stays_inside_does_not_climb_out() {
        assert!(!climbs_out(Path::new("tables/../t.csv")));
        assert!(climbs_out(Path::new("tables/../../t.csv")));
        assert!(climbs_out(Path::new("../t.csv")));
    }
}
