//! Where the data of each table in force came from: the standard pack's embedded files, a pack
//! folder's files, or a `--table NAME=PATH` override; and, for an auditor, what those files are
//! (compression, SHA-256 of their bytes, the version their names give).

use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::compressed::Compression;
use super::table_version::{table_version, TableVersion};
use super::{DataLocation, PackSource};
use crate::ir::PackId;

/// Where a table's data came from, as the engine decided it when it loaded the packs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSource {
    /// The table's name, as policies use it (`ncci_ptp`).
    pub table: String,
    /// The pack that declares it (an index into `Program::packs`).
    pub pack: PackId,
    /// Which of the three places it came from.
    pub origin: TableOrigin,
    /// The files read.
    pub location: DataLocation,
}

/// The three places a table's data can come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableOrigin {
    /// Files in the declaring pack: embedded in the binary for the standard pack, held in memory
    /// for policies given as text, on disk for a pack folder.
    Pack,
    /// `--table NAME=PATH` (`EngineBuilder::table_data`): the user's path, not the pack's.
    Override,
}

impl TableSource {
    /// Where it came from, in a word: `embedded` (the standard pack's files, in the binary),
    /// `pack` (a pack folder's files, or files given with policies as text) or `override`
    /// (`--table`).
    pub fn origin_word(&self, pack_source: Option<&PackSource>) -> &'static str {
        match (self.origin, pack_source) {
            (TableOrigin::Override, _) => "override",
            (TableOrigin::Pack, Some(PackSource::Standard)) => "embedded",
            (TableOrigin::Pack, _) => "pack",
        }
    }

    /// What each of its files is, in the order their rows are read. A file on disk is read
    /// again to hash it; an embedded one's hash was taken at build time.
    pub fn files(&self) -> Result<Vec<TableFile>, String> {
        match &self.location {
            DataLocation::Memory(files) => Ok(files
                .iter()
                .map(|f| TableFile {
                    path: f.name.clone(),
                    version: table_version(&f.name),
                    compression: Compression::of(&f.bytes),
                    sha256: f.hash.map_or_else(|| sha256(&f.bytes), str::to_string),
                })
                .collect()),
            DataLocation::Files(paths) => paths.iter().map(|p| file_on_disk(p)).collect(),
        }
    }
}

/// One data file of a table in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableFile {
    /// Its path: as embedded (`policies/tables/…`) or on disk.
    pub path: String,
    /// The version its name gives, if any.
    pub version: Option<TableVersion>,
    /// How its bytes are compressed.
    pub compression: Compression,
    /// `sha256:` and the hex SHA-256 of its bytes as stored (compressed, when they are).
    pub sha256: String,
}

/// The version of a table of several files: the one their names give, when every file that
/// names one names the same; `None` when none does or they disagree (a folder mixing quarters
/// has no one version).
pub fn common_version(files: &[TableFile]) -> Option<TableVersion> {
    let mut named = files.iter().filter_map(|f| f.version);
    let first = named.next()?;
    named.all(|v| v == first).then_some(first)
}

fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{:x}", Sha256::digest(bytes))
}

/// Hashes a file as it streams, so that a 200 MB table is not held in memory twice.
fn file_on_disk(path: &Path) -> Result<TableFile, String> {
    let cannot = |e: std::io::Error| format!("cannot read `{}`: {e}", path.display());
    let mut file = std::fs::File::open(path).map_err(cannot)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 1 << 16];
    let mut head = Vec::new();
    loop {
        let n = file.read(&mut buffer).map_err(cannot)?;
        if n == 0 {
            break;
        }
        if head.len() < 4 {
            head.extend_from_slice(&buffer[..n.min(4)]);
        }
        hasher.update(&buffer[..n]);
    }
    let shown = path.display().to_string();
    Ok(TableFile {
        version: table_version(&shown),
        compression: Compression::of(&head),
        sha256: format!("sha256:{:x}", hasher.finalize()),
        path: shown,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pack::locate_data;

    #[test]
    fn the_standard_packs_national_tables_are_embedded_zstd_with_their_build_hash() {
        let location =
            locate_data(&PackSource::Standard, "tables/ncci/mue_2024q2.tsv.zst").expect("located");
        let source = TableSource {
            table: "ncci_mue".into(),
            pack: 0,
            origin: TableOrigin::Pack,
            location,
        };
        assert_eq!(source.origin_word(Some(&PackSource::Standard)), "embedded");
        let files = source.files().expect("files");
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].path, "policies/tables/ncci/mue_2024q2.tsv.zst");
        assert_eq!(files[0].compression, Compression::Zstd);
        let DataLocation::Memory(memory) = &source.location else {
            panic!("embedded data is in memory");
        };
        assert_eq!(files[0].sha256, sha256(&memory[0].bytes));
        assert_eq!(
            common_version(&files).map(|v| v.to_string()).as_deref(),
            Some("2024 Q2")
        );
    }

    #[test]
    fn a_file_on_disk_is_hashed_as_stored() {
        let dir =
            std::env::temp_dir().join(format!("claimrules-table-source-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("ccipra-v301r0-f1.txt");
        let bytes = vec![b'x'; 200_000];
        std::fs::write(&path, &bytes).expect("write");
        let file = file_on_disk(&path).expect("read");
        assert_eq!(file.sha256, sha256(&bytes));
        assert_eq!(file.compression, Compression::None);
        assert_eq!(
            file.version.and_then(|v| v.ncci_text()).as_deref(),
            Some("30.1")
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn files_that_disagree_on_the_quarter_have_no_one_version() {
        let file = |name: &str| TableFile {
            path: name.into(),
            version: table_version(name),
            compression: Compression::None,
            sha256: String::new(),
        };
        let agree = [
            file("ptp_v30.1_2024q2-f1.txt"),
            file("ptp_v30.1_2024q2-f2.txt"),
        ];
        assert!(common_version(&agree).is_some());
        let mixed = [file("mue_2024q2.tsv"), file("mue_2024q3.tsv")];
        assert_eq!(common_version(&mixed), None);
        assert_eq!(common_version(&[file("codes.csv")]), None);
    }
}
