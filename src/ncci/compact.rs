//! The compact binary form of a PTP table, and the cache of it kept beside the user's files.
//!
//! Parsing 2.5 million rows of text takes most of a second; reading the index back from its
//! compact form takes a tenth of that. The form is the index's arrays written one after the
//! other, little-endian, after a magic line and a fingerprint of the source files. A cache
//! entry is used only when the fingerprint still matches the source files (their paths, sizes
//! and modification times), so changing a file rebuilds it.
//!
//! Every count and index is checked on the way in: a damaged file is an error, never a panic.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::{EditRow, ModifierIndicator, PairEdits};
use crate::codes::Code;

/// The first bytes of a compact PTP table; the last byte is the format version.
const MAGIC: &[u8; 16] = b"CLAIMRULES-PTP\0\x04";

/// The bytes of a row in the compact form: its first and last days, its line in its file, its
/// file and rationale, and its modifier indicator.
const ROW_BYTES: usize = 4 + 4 + 4 + 2 + 2 + 1;

/// Whether bytes hold a compact table.
pub fn is_compact(bytes: &[u8]) -> bool {
    bytes.starts_with(&MAGIC[..15])
}

/// The compact form of a table. `fingerprint` names the sources it was built from (empty for
/// a file written to be shipped).
pub fn encode(table: &PairEdits, fingerprint: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(table.rows.len() * 20 + table.pair_column2.len() * 9);
    out.extend_from_slice(MAGIC);
    put_bytes(&mut out, fingerprint.as_bytes());
    put_u32(&mut out, table.files.len() as u32);
    for f in &table.files {
        put_bytes(&mut out, f.as_bytes());
    }
    put_u32(&mut out, table.rationales.len() as u32);
    for r in &table.rationales {
        put_bytes(&mut out, r.as_bytes());
    }
    let mut groups: Vec<(&Code, &(u32, u32))> = table.by_column1.iter().collect();
    groups.sort_unstable_by_key(|(_, range)| **range);
    put_u32(&mut out, groups.len() as u32);
    for (code, (start, end)) in groups {
        out.extend_from_slice(code.as_str().as_bytes());
        put_u32(&mut out, *start);
        put_u32(&mut out, *end);
    }
    put_u32(&mut out, table.pair_column2.len() as u32);
    for code in &table.pair_column2 {
        out.extend_from_slice(code.as_str().as_bytes());
    }
    for r in &table.pair_rows {
        put_u32(&mut out, *r);
    }
    put_u32(&mut out, table.rows.len() as u32);
    // A row's fields together, so that a row is read back in one step.
    for r in &table.rows {
        put_u32(&mut out, r.from);
        put_u32(&mut out, r.until);
        put_u32(&mut out, r.line);
        out.extend_from_slice(&r.file.to_le_bytes());
        out.extend_from_slice(&r.rationale.to_le_bytes());
        out.push(r.indicator.digit());
    }
    put_filter(&mut out, table.filter.get().and_then(|f| f.filter.as_ref()));
    out
}

/// The pair filter, when the table has one: building it takes a tenth of a second of CPU
/// for the full table, reading it back a few milliseconds.
fn put_filter(out: &mut Vec<u8>, filter: Option<&xorf::BinaryFuse8>) {
    let Some(filter) = filter else {
        out.push(0);
        return;
    };
    out.push(1);
    let d = &filter.descriptor;
    out.extend_from_slice(&d.seed.to_le_bytes());
    put_u32(out, d.segment_length);
    put_u32(out, d.segment_length_mask);
    put_u32(out, d.segment_count_length);
    put_bytes(out, &filter.fingerprints);
    out.extend_from_slice(&fingerprints_digest(&filter.fingerprints));
}

/// The first 8 bytes of the SHA-256 of a filter's fingerprints. A damaged fingerprint makes the
/// filter deny pairs the table holds, and so miss their edits, where the filter's shape still
/// holds: the digest finds it (2.5 MB hashed in a few milliseconds).
fn fingerprints_digest(fingerprints: &[u8]) -> [u8; 8] {
    use sha2::{Digest, Sha256};
    let hash = Sha256::digest(fingerprints);
    let mut first = [0; 8];
    first.copy_from_slice(&hash[..8]);
    first
}

/// The pair filter written by [`put_filter`], checked so that no lookup can read past its
/// fingerprints: a lookup reads three of them, one in each of three segments from a first one
/// below `segment_count_length` (a whole number of segments, at least one).
fn filter(r: &mut Reader<impl Read>) -> Result<Option<xorf::BinaryFuse8>, String> {
    match r.take(1)? {
        [0] => return Ok(None),
        [1] => {}
        _ => return Err(damaged("its pair filter's mark is neither 0 nor 1")),
    }
    let seed = r.take(8).map(le_u64)?;
    let (length, mask, count_length) = (r.u32()?, r.u32()?, r.u32()?);
    let fingerprints: Box<[u8]> = r.bytes()?.into();
    if r.take(8)? != fingerprints_digest(&fingerprints) {
        return Err(damaged("its pair filter does not match its digest"));
    }
    // At least one segment: with none, a lookup's first index is 0 and its third past the end.
    let shaped = length.is_power_of_two()
        && mask == length - 1
        && count_length >= length
        && count_length % length == 0
        && fingerprints.len() as u64 == u64::from(count_length) + 2 * u64::from(length);
    if !shaped {
        return Err(damaged("its pair filter is not of the shape it claims"));
    }
    Ok(Some(xorf::BinaryFuse8 {
        descriptor: xorf::Descriptor {
            seed,
            segment_length: length,
            segment_length_mask: mask,
            segment_count_length: count_length,
        },
        fingerprints,
    }))
}

/// Reads a compact table back.
pub fn decode(bytes: &[u8]) -> Result<PairEdits, String> {
    read_table(bytes, bytes.len() as u64, None)?.ok_or_else(|| damaged("it has no fingerprint"))
}

/// Reads a compact table of `length` bytes from `source`, a block at a time, so that the form
/// is never held whole beside the table it makes (a 66 MB read and its release were a third of
/// a warm load). With `fingerprint`, a table written with another is `None`, left unread.
fn read_table(
    source: impl Read,
    length: u64,
    fingerprint: Option<&str>,
) -> Result<Option<PairEdits>, String> {
    let mut r = Reader::new(source, length)?;
    let written_with = r.bytes()?;
    if fingerprint.is_some_and(|f| f.as_bytes() != written_with) {
        return Ok(None);
    }
    let files = r.strings()?;
    let rationales = r.strings()?;
    let group_count = r.count(13)?;
    let mut groups = r.items(group_count, 13, |b| {
        Ok((code(&b[..5])?, (le_u32(&b[5..9]), le_u32(&b[9..13]))))
    })?;
    let pair_count = r.count(9)?;
    let pair_column2 = r.items(pair_count, 5, code)?;
    let pair_rows = r.items(pair_count + 1, 4, |b| Ok(le_u32(b)))?;
    let row_count = r.count(ROW_BYTES)?;
    let held = |index: u16, names: usize| match usize::from(index) < names {
        true => Ok(index),
        false => Err(damaged("a row names a file or rationale it does not hold")),
    };
    // Each row's fields are written together: a row is made in one step, where rows written a
    // column at a time were made by the first column and filled in by five more passes over
    // the 2.5 million rows (a tenth of the load).
    let rows = r.items(row_count, ROW_BYTES, |b| {
        Ok(EditRow {
            from: le_u32(&b[0..4]),
            until: le_u32(&b[4..8]),
            line: le_u32(&b[8..12]),
            file: held(le_u16(&b[12..14]), files.len())?,
            rationale: held(le_u16(&b[14..16]), rationales.len())?,
            indicator: ModifierIndicator::from_digit(b[16].wrapping_add(b'0'))
                .ok_or_else(|| damaged("a row has an unknown modifier indicator"))?,
        })
    })?;
    let filter = filter(&mut r)?;
    if r.left != 0 {
        return Err(damaged("it has bytes after its last row"));
    }
    if pair_rows.windows(2).any(|w| w[0] > w[1])
        || pair_rows.last().copied() != Some(row_count as u32)
        || pair_rows.first().copied() != Some(0)
    {
        return Err(damaged("its pairs do not index its rows"));
    }
    // Each column-1 code's pairs follow the last code's, in order of their column-2 code, and
    // together they are every pair: groups that overlap would make a table of a few megabytes
    // hold billions of pairs, and a group out of order would make its searches miss.
    groups.sort_unstable_by_key(|&(_, range)| range);
    let mut by_column1 = rustc_hash::FxHashMap::default();
    by_column1.reserve(groups.len());
    let mut covered = 0;
    for (code, (start, end)) in groups {
        if start != covered || end < start || end as usize > pair_count {
            return Err(damaged("its codes do not index its pairs"));
        }
        let group = &pair_column2[start as usize..end as usize];
        if group.windows(2).any(|w| w[0] >= w[1]) {
            return Err(damaged("a code's pairs are not in order"));
        }
        if by_column1.insert(code, (start, end)).is_some() {
            return Err(damaged("a code has two lists of pairs"));
        }
        covered = end;
    }
    if covered as usize != pair_count {
        return Err(damaged("its codes do not index its pairs"));
    }
    let table = PairEdits {
        by_column1,
        pair_column2,
        pair_rows,
        rows,
        rationales,
        files,
        filter: Default::default(),
        map: Default::default(),
    };
    if let Some(filter) = filter {
        // A filter has no false negatives: one that misses a pair of the table was not built
        // from it. A sample of the pairs, spread through the table, costs microseconds.
        use xorf::Filter;
        let step = (table.pair_column2.len() / 512).max(1);
        if !table
            .keyed_pairs()
            .step_by(step)
            .all(|(key, _)| filter.contains(&key))
        {
            return Err(damaged("its pair filter was not built from its pairs"));
        }
        let _ = table.filter.set(super::PairFilter {
            filter: Some(filter),
        });
    }
    Ok(Some(table))
}

fn damaged(why: &str) -> String {
    format!("the compact table is damaged: {why}; build it again from the published files")
}

fn put_u32(out: &mut Vec<u8>, n: u32) {
    out.extend_from_slice(&n.to_le_bytes());
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    put_u32(out, bytes.len() as u32);
    out.extend_from_slice(bytes);
}

fn le_u64(b: &[u8]) -> u64 {
    u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
}

fn le_u32(b: &[u8]) -> u32 {
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

fn le_u16(b: &[u8]) -> u16 {
    u16::from_le_bytes([b[0], b[1]])
}

fn code(b: &[u8]) -> Result<Code, String> {
    Code::from_bytes(b).ok_or_else(|| damaged("a code is not a CPT/HCPCS code"))
}

/// How many bytes of an array [`Reader`] reads at a time.
const BLOCK: usize = 1 << 16;

/// Reads the form back from a source of known length, refusing counts the bytes left cannot
/// hold (so nothing is made larger than the form), an array a block at a time.
struct Reader<S> {
    source: S,
    /// The bytes of the form not read yet.
    left: u64,
    block: Vec<u8>,
}

impl<S: Read> Reader<S> {
    /// Reads the magic line of a form of `length` bytes.
    fn new(mut source: S, length: u64) -> Result<Self, String> {
        let mut magic = [0; MAGIC.len()];
        if length < magic.len() as u64 || source.read_exact(&mut magic).is_err() {
            return Err("it is not a compact table".into());
        }
        if magic != *MAGIC {
            return Err(if is_compact(&magic) {
                "the compact table was written by another version of claimrules; build it again"
                    .into()
            } else {
                "it is not a compact table".into()
            });
        }
        Ok(Reader {
            source,
            left: length - magic.len() as u64,
            block: Vec::new(),
        })
    }

    fn take(&mut self, n: usize) -> Result<&[u8], String> {
        if self.left < n as u64 {
            return Err(damaged("it is cut short"));
        }
        self.block.resize(n, 0);
        self.source
            .read_exact(&mut self.block)
            .map_err(|_| damaged("it is cut short"))?;
        self.left -= n as u64;
        Ok(&self.block)
    }

    fn u32(&mut self) -> Result<u32, String> {
        self.take(4).map(le_u32)
    }

    /// A count of items of at least `item_bytes` bytes each.
    fn count(&mut self, item_bytes: usize) -> Result<usize, String> {
        let n = self.u32()? as usize;
        if (n as u64).saturating_mul(item_bytes as u64) > self.left {
            return Err(damaged("it is cut short"));
        }
        Ok(n)
    }

    fn bytes(&mut self) -> Result<&[u8], String> {
        let n = self.count(1)?;
        self.take(n)
    }

    fn strings(&mut self) -> Result<Vec<Box<str>>, String> {
        let n = self.count(4)?;
        (0..n)
            .map(|_| {
                let b = self.bytes()?;
                std::str::from_utf8(b)
                    .map(Into::into)
                    .map_err(|_| damaged("a text is not UTF-8"))
            })
            .collect()
    }

    /// An array of `n` items of `width` bytes, each given to `item` with its index; the first
    /// error `item` gives ends it.
    fn each(
        &mut self,
        n: usize,
        width: usize,
        mut item: impl FnMut(usize, &[u8]) -> Result<(), String>,
    ) -> Result<(), String> {
        if (n as u64).saturating_mul(width as u64) > self.left {
            return Err(damaged("it is cut short"));
        }
        let per_block = (BLOCK / width).max(1);
        let mut done = 0;
        while done < n {
            let count = per_block.min(n - done);
            for (i, b) in self.take(count * width)?.chunks_exact(width).enumerate() {
                item(done + i, b)?;
            }
            done += count;
        }
        Ok(())
    }

    /// An array of `n` items of `width` bytes, each read by `item`.
    fn items<T>(
        &mut self,
        n: usize,
        width: usize,
        mut item: impl FnMut(&[u8]) -> Result<T, String>,
    ) -> Result<Vec<T>, String> {
        let mut items = Vec::with_capacity(n.min(self.left as usize / width.max(1)));
        self.each(n, width, |_, b| {
            items.push(item(b)?);
            Ok(())
        })?;
        Ok(items)
    }
}

/// Set by [`turn_off_cache`]: no table is read from or written to the cache in this process.
static CACHE_OFF: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Turns the cache off for the rest of the process (`--no-cache`): tables are parsed from
/// their files, and nothing is written. An environment variable would do the same, but setting
/// one from inside a process races with any thread reading the environment.
pub fn turn_off_cache() {
    CACHE_OFF.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// Where compact tables built from published files are kept: `$CLAIMRULES_CACHE`, else the
/// user's cache folder (`$XDG_CACHE_HOME/claimrules`, `~/.cache/claimrules`). Setting
/// `CLAIMRULES_CACHE` to an empty value, or [`turn_off_cache`], turns the cache off.
pub fn cache_dir() -> Option<PathBuf> {
    if CACHE_OFF.load(std::sync::atomic::Ordering::Relaxed) {
        return None;
    }
    if let Some(dir) = std::env::var_os("CLAIMRULES_CACHE") {
        return (!dir.is_empty()).then(|| PathBuf::from(dir));
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir).join("claimrules"));
    }
    std::env::var_os("HOME")
        .filter(|d| !d.is_empty())
        .map(|home| PathBuf::from(home).join(".cache").join("claimrules"))
}

/// The source files of a table as the cache knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sources {
    /// What identifies their current contents: each one's full path, size and modification
    /// time.
    pub fingerprint: String,
    /// Their size in all.
    pub bytes: u64,
}

/// The fingerprint and size of source files; `None` when a file's metadata cannot be read.
pub fn sources(paths: &[PathBuf]) -> Option<Sources> {
    let mut fingerprint = String::from("ptp-v1");
    let mut bytes = 0;
    for path in paths {
        let real = path.canonicalize().ok()?;
        let meta = std::fs::metadata(&real).ok()?;
        let modified = meta
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?;
        bytes += meta.len();
        fingerprint.push_str(&format!(
            "\n{}\t{}\t{}.{:09}",
            real.display(),
            meta.len(),
            modified.as_secs(),
            modified.subsec_nanos()
        ));
    }
    Some(Sources { fingerprint, bytes })
}

/// The fingerprint and size of files held in memory whose hashes are known (the standard pack's
/// embedded tables), each given as its name, its SHA-256 and its size; `None` when one's hash is
/// not known.
pub fn embedded_sources<'a>(
    files: impl IntoIterator<Item = (&'a str, Option<&'a str>, usize)>,
) -> Option<Sources> {
    let mut fingerprint = String::from("ptp-v1");
    let mut bytes = 0;
    for (name, hash, size) in files {
        fingerprint.push_str(&format!("\nembedded\t{name}\t{}", hash?));
        bytes += size as u64;
    }
    Some(Sources { fingerprint, bytes })
}

/// The cache entry for a fingerprint.
fn entry(dir: &Path, fingerprint: &str) -> PathBuf {
    use sha2::{Digest, Sha256};
    let hash = Sha256::digest(fingerprint.as_bytes());
    let name: String = hash[..12].iter().map(|b| format!("{b:02x}")).collect();
    dir.join(format!("ptp-{name}.bin"))
}

/// The table cached for these sources, if the cache holds it for their current contents.
pub fn load_cached(dir: &Path, fingerprint: &str) -> Option<PairEdits> {
    let path = entry(dir, fingerprint);
    let file = std::fs::File::open(&path).ok()?;
    let length = file.metadata().ok()?.len();
    let source = std::io::BufReader::with_capacity(BLOCK, file);
    let table = read_table(source, length, Some(fingerprint)).ok()??;
    // The modification time marks the entry as used: pruning keeps the entries used last.
    let _ = std::fs::File::options()
        .append(true)
        .open(&path)
        .and_then(|file| file.set_modified(std::time::SystemTime::now()));
    Some(table)
}

/// How many entries the cache keeps: each is some 60 MB, one per set of table sources (a
/// quarter's files, a binary's embedded tables), and a user rarely switches between more.
pub const MAX_CACHE_ENTRIES: usize = 3;

/// Removes all but the [`MAX_CACHE_ENTRIES`] entries used last, and temporary files that a
/// process left behind more than an hour ago. Best effort, like the cache itself.
fn prune(dir: &Path) {
    let Ok(listing) = std::fs::read_dir(dir) else {
        return;
    };
    let now = std::time::SystemTime::now();
    let mut entries = Vec::new();
    for item in listing.flatten() {
        let name = item.file_name();
        let Some(name) = name.to_str() else { continue };
        if !name.starts_with("ptp-") {
            continue;
        }
        let Ok(metadata) = item.metadata() else {
            continue;
        };
        let modified = metadata.modified().unwrap_or(std::time::UNIX_EPOCH);
        if name.ends_with(".bin") {
            entries.push((modified, item.path()));
        } else if name.contains(".tmp")
            && now
                .duration_since(modified)
                .is_ok_and(|age| age.as_secs() > 3600)
        {
            let _ = std::fs::remove_file(item.path());
        }
    }
    entries.sort_by(|a, b| b.cmp(a));
    for (_, path) in entries.into_iter().skip(MAX_CACHE_ENTRIES) {
        let _ = std::fs::remove_file(path);
    }
}

/// Keeps a table in the cache, with its pair filter (built now if the table has none yet), so
/// that later runs read it back instead of building it again. Written to a temporary file and
/// renamed, so that a reader never sees half an entry; a cache that cannot be written is
/// skipped silently, as the table is loaded all the same.
pub fn store(dir: &Path, fingerprint: &str, table: &PairEdits) {
    table.wait_for_index();
    let path = entry(dir, fingerprint);
    let temp = path.with_extension(format!("tmp{}", std::process::id()));
    let written = std::fs::create_dir_all(dir)
        .and_then(|()| std::fs::write(&temp, encode(table, fingerprint)))
        .and_then(|()| std::fs::rename(&temp, &path));
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    prune(dir);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ncci::{read_pair_edits, DataFile};

    #[test]
    fn the_cache_keeps_the_entries_used_last() {
        let dir = std::env::temp_dir().join(format!("claimrules-prune-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let table = table();
        let stored = |n: usize| {
            let fingerprint = format!("ptp-v1 sources {n}");
            store(&dir, &fingerprint, &table);
            // Modification times a second apart, so that the order is the order of use.
            let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000 + n as u64);
            let file = std::fs::File::options()
                .append(true)
                .open(entry(&dir, &fingerprint))
                .unwrap();
            file.set_modified(at).unwrap();
            fingerprint
        };
        let first = stored(0);
        let kept: Vec<String> = (1..=MAX_CACHE_ENTRIES).map(stored).collect();
        // Storing more than the cache keeps removed the one used longest ago: the first.
        assert!(load_cached(&dir, &first).is_none());
        for fingerprint in &kept {
            assert!(load_cached(&dir, fingerprint).is_some(), "{fingerprint}");
        }
        // Using an entry keeps it: the oldest of the kept ones is read, then a new one stored.
        assert!(load_cached(&dir, &kept[0]).is_some());
        stored(MAX_CACHE_ENTRIES + 1);
        let count = std::fs::read_dir(&dir).unwrap().count();
        assert_eq!(count, MAX_CACHE_ENTRIES);
        assert!(load_cached(&dir, &kept[0]).is_some(), "used last, kept");
        assert!(
            load_cached(&dir, &kept[1]).is_none(),
            "used longest ago, removed"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn table() -> PairEdits {
        let tsv =
            b"column_1\tcolumn_2\texist_prior_1996\tdeletion_date\tmodifier_indicator\trationale\n\
27093\t77002\t.\t20100331\t1\tMisuse of column two code with column one code\n\
27096\t77002\t.\t*\t1\tStandards of medical / surgical practice\n\
27096\t77003\t.\t20150101\t9\tMutually exclusive procedures\n";
        read_pair_edits(&[DataFile::new("ptp.tsv", tsv.to_vec())]).unwrap()
    }

    #[test]
    fn a_table_reads_back_from_its_compact_form_unchanged() {
        let t = table();
        let bytes = encode(&t, "sources");
        assert!(is_compact(&bytes));
        let read_with = |f| read_table(&bytes[..], bytes.len() as u64, Some(f)).unwrap();
        assert_eq!(read_with("sources"), Some(t.clone()));
        assert_eq!(read_with("other sources"), None);
        assert_eq!(decode(&bytes).unwrap(), t);
    }

    #[test]
    fn a_damaged_compact_table_is_an_error_not_a_panic() {
        let bytes = encode(&table(), "");
        for cut in [16, 20, 40, bytes.len() / 2, bytes.len() - 1] {
            assert!(decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut flipped = bytes.clone();
        let last = flipped.len() - 1;
        flipped[last] = 7;
        assert!(decode(&flipped).is_err());
        assert!(decode(b"CLAIMRULES-PTP\0\x09")
            .unwrap_err()
            .contains("another version"));
    }

    /// A table of 5,000 pairs, enough for a pair filter of several segments, whose column-1
    /// codes start at `first`.
    fn wide_table(first: u32) -> PairEdits {
        let mut tsv = b"column_1\tcolumn_2\tdeletion_date\tmodifier_indicator\n".to_vec();
        for i in 0..5_000 {
            tsv.extend(format!("{:05}\t{:05}\t*\t1\n", first + i / 50, 20_000 + i).bytes());
        }
        read_pair_edits(&[DataFile::new("ptp.tsv", tsv)]).unwrap()
    }

    fn built_filter(table: &PairEdits) -> &xorf::BinaryFuse8 {
        let filter = table.filter.get().and_then(|f| f.filter.as_ref());
        filter.expect("the table has its pair filter")
    }

    #[test]
    fn the_pair_filter_is_kept_in_the_compact_form() {
        let t = wide_table(10_000);
        assert_eq!(
            decode(&encode(&t, "")).unwrap().filter.get().map(|_| ()),
            None,
            "no filter built, none written"
        );
        t.wait_for_index();
        let back = decode(&encode(&t, "")).unwrap();
        let (built, read) = (built_filter(&t), built_filter(&back));
        assert_eq!(read.descriptor, built.descriptor);
        assert_eq!(read.fingerprints, built.fingerprints);
        let day = crate::ncci::parse_yyyymmdd(b"20240102").unwrap();
        for i in 0..5_000 {
            let (c1, c2) = (
                Code::parse(&format!("{:05}", 10_000 + i / 50)).unwrap(),
                Code::parse(&format!("{:05}", 20_000 + i)).unwrap(),
            );
            assert!(back.in_force(c1, c2, day).is_some(), "{c1} {c2}");
            assert!(back.in_force(c2, c1, day).is_none(), "{c2} {c1}");
        }
    }

    #[test]
    fn every_cut_and_every_flipped_byte_of_a_compact_table_reads_without_a_panic() {
        let small = table();
        small.wait_for_index();
        let bytes = encode(&small, "sources");
        assert!(decode(&bytes).unwrap().filter.get().is_some());
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        // A byte flipped, at places spread through a larger table: an error or a table, never
        // a panic.
        let wide = wide_table(10_000);
        wide.wait_for_index();
        let bytes = encode(&wide, "sources");
        for at in (0..bytes.len()).step_by(97) {
            let mut flipped = bytes.clone();
            flipped[at] ^= 0xA5;
            let _ = decode(&flipped);
        }
    }

    #[test]
    fn a_cache_entry_cut_short_is_parsed_again_not_read() {
        let dir = std::env::temp_dir().join(format!("claimrules-cut-{}", std::process::id()));
        let t = wide_table(10_000);
        t.wait_for_index();
        store(&dir, "cut", &t);
        let path = entry(&dir, "cut");
        let whole = std::fs::read(&path).unwrap();
        assert!(load_cached(&dir, "cut").is_some());
        std::fs::write(&path, &whole[..whole.len() - 100]).unwrap();
        assert!(load_cached(&dir, "cut").is_none());
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// `table`'s compact form with a filter section made of the given parts.
    fn with_filter(table: &PairEdits, parts: (u32, u32, u32), fingerprints: &[u8]) -> Vec<u8> {
        let mut bytes = encode(table, "");
        assert_eq!(bytes.pop(), Some(0), "the table has no filter of its own");
        bytes.push(1);
        bytes.extend_from_slice(&7u64.to_le_bytes());
        for n in [parts.0, parts.1, parts.2] {
            put_u32(&mut bytes, n);
        }
        put_bytes(&mut bytes, fingerprints);
        bytes.extend_from_slice(&fingerprints_digest(fingerprints));
        bytes
    }

    #[test]
    fn a_filter_of_no_segment_is_refused_though_its_digest_holds() {
        // Segment length 1, no segment: the lengths agree, and a lookup's third index would be
        // past the end of the two fingerprints.
        let problem = decode(&with_filter(&table(), (1, 0, 0), &[0, 0]))
            .err()
            .unwrap_or_default();
        assert!(problem.contains("not of the shape"), "{problem}");
        let empty = read_pair_edits(&[DataFile::new(
            "ptp.tsv",
            b"column_1\tcolumn_2\tdeletion_date\tmodifier_indicator\n".to_vec(),
        )])
        .unwrap();
        assert!(decode(&with_filter(&empty, (1, 0, 0), &[0, 0])).is_err());
        let mut bytes = encode(&table(), "");
        *bytes.last_mut().unwrap() = 2;
        let problem = decode(&bytes).err().unwrap_or_default();
        assert!(problem.contains("neither 0 nor 1"), "{problem}");
    }

    #[test]
    fn codes_whose_pairs_overlap_or_are_out_of_order_are_refused() {
        let bytes = encode(&table(), "");
        // 27096's pairs are 1..3 (after 27093's 0..1): its code, then the two bounds.
        let at = bytes
            .windows(13)
            .position(|w| w.starts_with(b"27096"))
            .unwrap()
            + 5;
        let with_range = |start: u32, end: u32| {
            let mut damaged = bytes.clone();
            damaged[at..at + 4].copy_from_slice(&start.to_le_bytes());
            damaged[at + 4..at + 8].copy_from_slice(&end.to_le_bytes());
            decode(&damaged).err().unwrap_or_default()
        };
        assert!(decode(&bytes).is_ok());
        assert!(
            with_range(0, 3).contains("do not index its pairs"),
            "overlap"
        );
        assert!(with_range(2, 3).contains("do not index its pairs"), "a gap");
        assert!(
            with_range(1, 2).contains("do not index its pairs"),
            "a pair left out"
        );
        // 27096's two column-2 codes, 77002 then 77003, swapped.
        let mut swapped = bytes.clone();
        let codes = swapped
            .windows(10)
            .position(|w| w == b"7700277003")
            .unwrap();
        swapped[codes..codes + 10].copy_from_slice(b"7700377002");
        let problem = decode(&swapped).err().unwrap_or_default();
        assert!(problem.contains("not in order"), "{problem}");
    }

    #[test]
    fn a_pair_filter_of_another_shape_or_table_is_refused() {
        let t = wide_table(10_000);
        t.wait_for_index();
        let bytes = encode(&t, "");
        let length = built_filter(&t).fingerprints.len();
        // The filter ends the form: its flag, seed, three numbers, its fingerprints and their
        // digest.
        let at = bytes.len() - 8 - length - 4 - 12 - 8;
        let segment = built_filter(&t).descriptor.segment_length;
        // Not a power of two; not the mask of the length; not whole segments; whole segments,
        // but not as many as the fingerprints hold.
        for (offset, value) in [(0u32, 3u32), (4, 2), (8, 7), (8, segment)] {
            let mut damaged = bytes.clone();
            damaged[at + 8 + offset as usize..at + 12 + offset as usize]
                .copy_from_slice(&value.to_le_bytes());
            let problem = decode(&damaged).err().unwrap_or_default();
            assert!(problem.contains("pair filter"), "{offset}: {problem}");
        }
        // One fingerprint damaged: the shape holds, the digest does not.
        let mut flipped = bytes.clone();
        flipped[bytes.len() - 8 - length / 2] ^= 0x10;
        let problem = decode(&flipped).err().unwrap_or_default();
        assert!(problem.contains("does not match its digest"), "{problem}");
        // The filter of another table: the same shape, other fingerprints.
        let other = wide_table(30_000);
        other.wait_for_index();
        let theirs = encode(&other, "");
        let mut swapped = bytes.clone();
        swapped[at..].copy_from_slice(&theirs[theirs.len() - (bytes.len() - at)..]);
        let problem = decode(&swapped).err().unwrap_or_default();
        assert!(problem.contains("not built from its pairs"), "{problem}");
        assert!(decode(&bytes[..bytes.len() - 1]).is_err());
    }

    #[test]
    fn the_cache_gives_back_a_table_only_for_the_same_fingerprint() {
        let dir =
            std::env::temp_dir().join(format!("claimrules-cache-test-{}", std::process::id()));
        let t = table();
        store(&dir, "a", &t);
        assert_eq!(load_cached(&dir, "a"), Some(t));
        assert_eq!(load_cached(&dir, "b"), None);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
