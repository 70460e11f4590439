//! Pair-edit tables read beside the rest of the check.
//!
//! The national PTP table is half of the standard pack's load (reading its compact form back
//! builds 2.5 million rows), and nothing the checker does after a table's declaration needs
//! its rows until the packs are layered: rules name the table, nothing more. So the checker
//! hands each pair-edit table's reading to one thread of its own as it checks the declaration,
//! goes on with the other tables, the sets, the terms and the rules, and takes the tables back
//! in declaration order once the rules are compiled, before the packs are layered (layering
//! stops at the first error, and a table that did not read is one). One thread reads them all,
//! one after the other, however many a pack declares; where no thread can start, they are read
//! on the calling thread at the end.

use std::sync::mpsc::{channel, Sender};
use std::sync::Arc;
use std::thread::{Scope, ScopedJoinHandle};

use crate::ncci::{compact, registry, PairEdits, RowError};
use crate::pack::{read_located, DataLocation};

/// A pair-edit table as its reading left it: the table, or the rows that did not read.
pub(super) type EditTableRead = Result<Arc<PairEdits>, Vec<RowError>>;

/// The pair-edit tables being read, in the order they were asked for.
pub(super) struct EditTableLoads<'scope, 'env> {
    scope: &'scope Scope<'scope, 'env>,
    reader: Option<Reader<'scope>>,
    /// Locations to read on the calling thread, when no thread could start.
    here: Vec<DataLocation>,
}

struct Reader<'scope> {
    locations: Sender<DataLocation>,
    thread: ScopedJoinHandle<'scope, Vec<EditTableRead>>,
}

impl<'scope, 'env> EditTableLoads<'scope, 'env> {
    pub(super) fn new(scope: &'scope Scope<'scope, 'env>) -> Self {
        EditTableLoads {
            scope,
            reader: None,
            here: Vec::new(),
        }
    }

    /// Starts reading a table; [`EditTableLoads::finish`] gives it back in its turn.
    pub(super) fn read(&mut self, location: DataLocation) {
        if self.reader.is_none() && self.here.is_empty() {
            self.reader = self.start();
        }
        match &self.reader {
            Some(reader) => {
                // A send fails only when the thread is gone (it panicked): `finish` raises
                // its panic.
                let _ = reader.locations.send(location);
            }
            None => self.here.push(location),
        }
    }

    fn start(&self) -> Option<Reader<'scope>> {
        let (locations, to_read) = channel::<DataLocation>();
        let thread = std::thread::Builder::new()
            .name("claimrules-pair-tables".into())
            .spawn_scoped(self.scope, move || {
                to_read.iter().map(|l| read_edit_table(&l)).collect()
            })
            .ok()?;
        Some(Reader { locations, thread })
    }

    /// Every table asked for, in the order asked, once read. A panic of the reading thread is
    /// raised here, on the calling thread, as if the table had been read there.
    pub(super) fn finish(self) -> Vec<EditTableRead> {
        let mut read = match self.reader {
            Some(Reader { locations, thread }) => {
                drop(locations);
                match thread.join() {
                    Ok(read) => read,
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
            None => Vec::new(),
        };
        read.extend(self.here.iter().map(read_edit_table));
        read
    }
}

/// Reads a pair-edit table through the process-wide registry ([`registry::load_pair_edits`]),
/// naming the files the pack points at so that a table loaded or cached before is reused.
fn read_edit_table(location: &DataLocation) -> EditTableRead {
    let sources = match location {
        DataLocation::Files(paths) => compact::sources(paths),
        DataLocation::Memory(files) => compact::embedded_sources(
            files
                .iter()
                .map(|file| (file.name.as_str(), file.hash, file.bytes.len())),
        ),
    };
    registry::load_pair_edits(sources, || read_located(location))
}
