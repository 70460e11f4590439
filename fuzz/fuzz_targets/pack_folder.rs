//! Any input as a pack folder: the bytes describe a small tree of policy files, test files, a
//! manifest, table files (CSV, TSV, zstd and gzip, real or only looking so), subfolders and, on
//! Unix, symbolic links (to a sibling, out of the folder, to `/dev/zero`, to themselves) and
//! FIFOs. The tree is written into a fresh temporary folder and loaded as `--pack DIR` loads
//! it, over the standard pack and without it; an engine that builds judges one claim. Loading
//! must end with an engine or diagnostics: never a panic, a hang on a FIFO or device, or a
//! read of everything `/dev/zero` gives.
#![no_main]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use claimrules::{Engine, EvalOptions, PackSource};
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;

/// A claim every pack can judge: hip arthrography with fluoroscopic guidance.
const CLAIM: &str = include_str!("../../examples/claims/hip-arthrography-2010-04-01.json");

/// Real policy files, so that mutations start from text that parses and checks.
const SAMPLES: &[&str] = &[
    include_str!("../../examples/packs/acme-health/pack.policy"),
    include_str!("../../examples/packs/acme-health/contracts.policy"),
    include_str!("../../examples/packs/acme-health/medical-policy.policy"),
    include_str!("../../examples/packs/acme-health/acme.test.policy"),
    include_str!("../../policies/add-on.policy"),
    include_str!("../../policies/tables.policy"),
];

/// The standard pack, loaded once and kept: engines built over it again share its national
/// tables with this one instead of reading 2.5 million rows for each input.
fn standard() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::standard().expect("the standard pack loads"))
}

#[derive(Arbitrary, Debug)]
struct Folder {
    entries: Vec<Entry>,
}

#[derive(Arbitrary, Debug)]
struct Entry {
    at: Place,
    name: FileName,
    what: What,
}

/// The folder an entry is in, relative to the pack's root.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum Place {
    Root,
    Sub,
    Tables,
    Deep,
}

impl Place {
    fn path(self) -> &'static str {
        match self {
            Place::Root => "",
            Place::Sub => "sub",
            Place::Tables => "tables",
            Place::Deep => "sub/deeper/still",
        }
    }
}

#[derive(Arbitrary, Debug, Clone)]
enum FileName {
    /// `pack.policy`, the manifest.
    Manifest,
    Policy(u8),
    Test(u8),
    Csv(u8),
    Tsv(u8),
    TsvZst(u8),
    CsvGz(u8),
    Any(String),
}

impl FileName {
    /// The file's name, or `None` for one no file system takes (a `/`, a NUL, `..`).
    fn name(&self) -> Option<String> {
        let name = match self {
            FileName::Manifest => "pack.policy".to_string(),
            FileName::Policy(n) => format!("p{}.policy", n % 4),
            FileName::Test(n) => format!("t{}.test.policy", n % 4),
            FileName::Csv(n) => format!("d{}.csv", n % 4),
            FileName::Tsv(n) => format!("d{}.tsv", n % 4),
            FileName::TsvZst(n) => format!("d{}.tsv.zst", n % 4),
            FileName::CsvGz(n) => format!("d{}.csv.gz", n % 4),
            FileName::Any(s) => s.chars().take(40).collect(),
        };
        let usable = !name.is_empty()
            && name != "."
            && name != ".."
            && !name.contains('/')
            && !name.contains('\0');
        usable.then_some(name)
    }
}

/// Where a table declaration points.
#[derive(Arbitrary, Debug)]
enum DataPath {
    InPack(Place, FileName),
    /// A folder: every file in it is read.
    Folder(Place),
    OutOfThePack,
    Absolute,
    Device,
}

impl DataPath {
    fn path(&self) -> String {
        match self {
            DataPath::InPack(place, name) => {
                let name = name.name().unwrap_or_default();
                join(place.path(), &name)
            }
            DataPath::Folder(place) => place.path().to_string(),
            DataPath::OutOfThePack => "../outside.csv".to_string(),
            DataPath::Absolute => "/etc/hostname".to_string(),
            DataPath::Device => "/dev/zero".to_string(),
        }
    }
}

#[derive(Arbitrary, Debug)]
enum TableKind {
    /// A table of the pack's own columns, read by a rule.
    Columns,
    /// A national table of pair edits (the PTP layout), applied by a rule.
    PairEdits,
    /// A national table of unit limits (the MUE layout), read by a rule.
    UnitLimits,
}

#[derive(Arbitrary, Debug)]
enum Content {
    Text(String),
    Bytes(Vec<u8>),
    /// One of [`SAMPLES`].
    Sample(u8),
    /// A manifest: `pack NAME`, its version, and maybe `extends "standard"`.
    Manifest {
        name: String,
        version: String,
        extends_standard: bool,
    },
    /// A table declaration, and a rule that reads it.
    Table {
        n: u8,
        kind: TableKind,
        data: DataPath,
    },
    /// Table rows: CSV or TSV text.
    Rows(Vec<Vec<String>>, bool),
    Zstd(Vec<u8>),
    Gzip(Vec<u8>),
    /// A compression's magic number and then anything.
    ZstdLooking(Vec<u8>),
    GzipLooking(Vec<u8>),
}

impl Content {
    fn bytes(&self) -> Vec<u8> {
        match self {
            Content::Text(s) => s.clone().into_bytes(),
            Content::Bytes(b) => b.clone(),
            Content::Sample(n) => SAMPLES[usize::from(*n) % SAMPLES.len()].into(),
            Content::Manifest {
                name,
                version,
                extends_standard,
            } => {
                let extends = if *extends_standard {
                    "  extends \"standard\"\n"
                } else {
                    ""
                };
                format!("pack {name:?}\n  version {version:?}\n{extends}").into_bytes()
            }
            Content::Table { n, kind, data } => table(*n, kind, &data.path()).into_bytes(),
            Content::Rows(rows, tabs) => {
                let separator = if *tabs { "\t" } else { "," };
                let mut text = String::new();
                for row in rows {
                    text.push_str(&row.join(separator));
                    text.push('\n');
                }
                text.into_bytes()
            }
            Content::Zstd(b) => zstd::bulk::compress(b, 1).expect("zstd compresses"),
            Content::Gzip(b) => {
                let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                gz.write_all(b).expect("gzip compresses in memory");
                gz.finish().expect("gzip compresses in memory")
            }
            Content::ZstdLooking(b) => [&[0x28, 0xB5, 0x2F, 0xFD][..], b].concat(),
            Content::GzipLooking(b) => [&[0x1F, 0x8B][..], b].concat(),
        }
    }
}

fn table(n: u8, kind: &TableKind, path: &str) -> String {
    let name = format!("t{}", n % 4);
    match kind {
        TableKind::Columns => format!(
            "table {name:?} from {path:?}\n  \
               column primaries is codes \"the primary codes\"\n\n\
             rule fuzz.{name}\n  \
               for each line in {name:?}\n  \
               unless claim has code.primaries\n  \
               deny \"{{code}} needs one of {{code.primaries}}\"\n"
        ),
        TableKind::PairEdits => format!(
            "table {name:?} of pair edits from {path:?}\n\n\
             rule fuzz.{name}\n  \
               apply edits of {name:?}\n  \
               bypass with modifier 59\n  \
               message \"{{code}} is bundled into {{with}}: {{rationale}}\"\n"
        ),
        TableKind::UnitLimits => format!(
            "table {name:?} of unit limits from {path:?}\n\n\
             rule fuzz.{name}\n  \
               for each line in {name:?}\n  \
               when line units > code.mue\n  \
               deny \"{{code}}: {{units}} units\"\n"
        ),
    }
}

#[derive(Arbitrary, Debug)]
enum What {
    File(Content),
    Folder,
    /// A symbolic link to a name beside it.
    LinkToSibling(FileName),
    /// A symbolic link out of the pack folder, to a file beside it.
    LinkOutOfThePack,
    LinkToDevZero,
    LinkToItself,
    /// A FIFO: opening it to read would wait for a writer forever.
    Fifo,
}

fn join(folder: &str, name: &str) -> String {
    if folder.is_empty() {
        name.to_string()
    } else {
        format!("{folder}/{name}")
    }
}

/// Writes the tree into `root`. A step the file system refuses (a name taken by a folder, a
/// link where a folder should be) is skipped: the tree is only ever what could be made.
fn write_tree(root: &Path, folder: &Folder) {
    for entry in folder.entries.iter().take(64) {
        let Some(name) = entry.name.name() else {
            continue;
        };
        let dir = root.join(entry.at.path());
        if std::fs::create_dir_all(&dir).is_err() {
            continue;
        }
        let path = dir.join(&name);
        let _ = match &entry.what {
            What::File(content) => std::fs::write(&path, content.bytes()),
            What::Folder => std::fs::create_dir_all(&path),
            What::LinkToSibling(to) => match to.name() {
                Some(to) => symlink(Path::new(&to), &path),
                None => Ok(()),
            },
            What::LinkOutOfThePack => symlink(&root.with_file_name("outside.csv"), &path),
            What::LinkToDevZero => symlink(Path::new("/dev/zero"), &path),
            What::LinkToItself => symlink(Path::new(&name), &path),
            What::Fifo => fifo(&path),
        };
    }
}

#[cfg(unix)]
fn symlink(to: &Path, at: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(to, at)
}

#[cfg(not(unix))]
fn symlink(_: &Path, _: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(unix)]
fn fifo(at: &Path) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let path = std::ffi::CString::new(at.as_os_str().as_bytes()).map_err(std::io::Error::other)?;
    // SAFETY: `path` is a NUL-terminated string that lives across the call.
    if unsafe { libc::mkfifo(path.as_ptr(), 0o644) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(unix))]
fn fifo(_: &Path) -> std::io::Result<()> {
    Ok(())
}

fn load_and_judge(sources: &[PackSource]) {
    // The CLI's `check::engine_of`: exactly these packs, in order.
    let builder = sources
        .iter()
        .fold(Engine::builder().without_standard_pack(), |b, s| {
            b.pack(s.clone())
        });
    if let Ok(engine) = builder.build() {
        let _ = engine.evaluate_input(CLAIM, EvalOptions::default().with_explain(true));
    }
}

fuzz_target!(
    // The standard pack loads before the first input, so that its time is not counted against
    // the per-input timeout.
    init: {
        standard();
    },
    |folder: Folder| {
        // The temporary folder holds the pack folder and a file beside it, for the links and
        // table paths that lead out of the pack.
        let temp = tempfile::tempdir().expect("a temporary folder");
        std::fs::write(temp.path().join("outside.csv"), "code,primaries\n27358,27355\n")
            .expect("a file beside the pack");
        let root: PathBuf = temp.path().join("pack");
        std::fs::create_dir(&root).expect("the pack folder");
        write_tree(&root, &folder);
        let _kept = standard();
        load_and_judge(&[PackSource::Standard, PackSource::Dir(root.clone())]);
        load_and_judge(&[PackSource::Dir(root)]);
        // `temp` is removed here, links and FIFOs with it.
    }
);
