//! The pair-edit tables this process has loaded, shared by the fingerprint of their files.
//!
//! A PTP table takes a second to read and a few hundred MiB to hold, and engines are built
//! again from the same packs (a policy test's `given` rows, `diff`'s old and new packs), so a
//! table already in memory is handed out again instead of read twice. A table no engine holds
//! any more is forgotten: the registry keeps weak references only.

use std::sync::{Arc, Mutex, Weak};

use super::compact::{self, Sources};
use super::{read_pair_edits, DataFile, PairEdits, RowError};

/// Sources smaller than this are parsed again rather than cached: reading the text is as fast
/// as reading the compact form.
const CACHE_FROM_BYTES: u64 = 1 << 20;

/// Tables loaded by this process, by the fingerprint of their files.
static LOADED: Mutex<Vec<(String, Weak<PairEdits>)>> = Mutex::new(Vec::new());

/// Reads a pair-edit table: shared with an engine that loaded the same files, else from the
/// compact-form cache when the files have not changed, else parsed from what `read` returns
/// (and then cached). `sources` identifies the files; `None` when they cannot be identified
/// (then nothing is shared or cached).
pub fn load_pair_edits(
    sources: Option<Sources>,
    read: impl FnOnce() -> Result<Vec<DataFile>, String>,
) -> Result<Arc<PairEdits>, Vec<RowError>> {
    if let Some(s) = &sources {
        if let Some(table) = shared(&s.fingerprint) {
            return Ok(table);
        }
    }
    let cache = sources
        .as_ref()
        .filter(|s| s.bytes >= CACHE_FROM_BYTES)
        .and_then(|_| compact::cache_dir());
    if let (Some(dir), Some(s)) = (&cache, &sources) {
        if let Some(table) = compact::load_cached(dir, &s.fingerprint) {
            return Ok(remember(&s.fingerprint, table));
        }
    }
    let files = read().map_err(|problem| {
        vec![RowError {
            file: String::new(),
            line: 0,
            problem,
        }]
    })?;
    let table = read_pair_edits(&files)?;
    let Some(Sources { fingerprint, .. }) = sources else {
        return Ok(PairEdits::index_pairs(table));
    };
    if let Some(dir) = &cache {
        // An explicit compact file is not copied into the cache.
        if !files.iter().any(|file| compact::is_compact(&file.bytes)) {
            compact::store(dir, &fingerprint, &table);
        }
    }
    Ok(remember(&fingerprint, table))
}

fn shared(fingerprint: &str) -> Option<Arc<PairEdits>> {
    let loaded = LOADED.lock().ok()?;
    loaded
        .iter()
        .find(|(f, _)| f == fingerprint)
        .and_then(|(_, table)| table.upgrade())
}

fn remember(fingerprint: &str, table: PairEdits) -> Arc<PairEdits> {
    let table = PairEdits::index_pairs(table);
    if let Ok(mut loaded) = LOADED.lock() {
        loaded.retain(|(_, t)| t.strong_count() > 0);
        loaded.push((fingerprint.to_string(), Arc::downgrade(&table)));
    }
    table
}
