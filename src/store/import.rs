//! `history import`: claims read from JSON or X12 recorded as paid history, a batch per
//! transaction, replacing claims of the same id.

use crate::claim::ClaimError;
use crate::history::RecordedClaim;
use crate::input::InputItem;

use super::{Source, Store, StoreError};

/// Claims recorded in one transaction.
const IMPORT_BATCH: usize = 4096;

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportSummary {
    /// Claims recorded (a claim id given twice counts twice; the last one is kept).
    pub claims: u64,
    /// Their lines.
    pub lines: u64,
    /// Claims not recorded: they do not read, or name no member.
    pub skipped: u64,
}

/// Records every claim of `items` as paid history, 4,096 claims a transaction.
/// A claim that does not read, or names no member (`patient.member_id`), is not recorded:
/// `skipped` is told its id (when found) and why, with its input line, and the import goes on.
/// A store error ends the import: the batches before it are recorded, the failing one is not.
pub fn import<I, F>(
    store: &mut Store,
    items: I,
    mut skipped: F,
) -> Result<ImportSummary, StoreError>
where
    I: Iterator<Item = InputItem>,
    F: FnMut(Option<&str>, &[ClaimError]),
{
    let mut summary = ImportSummary::default();
    let mut batch: Vec<RecordedClaim> = Vec::with_capacity(IMPORT_BATCH);
    for item in items {
        match item.claim.normalized() {
            Ok(claim) => match RecordedClaim::paid(&claim) {
                Some(recorded) => batch.push(recorded),
                None => {
                    summary.skipped += 1;
                    let error = ClaimError {
                        message: "the claim names no member (`patient.member_id`), so no later \
                                  claim could find it"
                            .to_string(),
                        path: Some("patient.member_id".to_string()),
                        line: item.claim.line(),
                    };
                    skipped(Some(claim.id.as_str()), &[error]);
                }
            },
            Err((id, errors)) => {
                summary.skipped += 1;
                skipped(id.as_deref(), &errors);
            }
        }
        if batch.len() >= IMPORT_BATCH {
            flush(store, &mut batch, &mut summary)?;
        }
    }
    flush(store, &mut batch, &mut summary)?;
    Ok(summary)
}

fn flush(
    store: &mut Store,
    batch: &mut Vec<RecordedClaim>,
    summary: &mut ImportSummary,
) -> Result<(), StoreError> {
    store.record(batch, Source::Import)?;
    summary.claims += batch.len() as u64;
    summary.lines += batch.iter().map(|c| c.lines.len() as u64).sum::<u64>();
    batch.clear();
    Ok(())
}
