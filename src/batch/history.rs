//! A slice of a batch judged against the patients' history (`check --history`).
//!
//! The members of the slice's claims are read from the store in one query; the claims of one
//! member are judged one after another in input order, each seeing the lines of the claims
//! before it (recorded, or earlier in the input), while different members are judged in
//! parallel. So which lines a claim sees depends on the input's order alone, never on the
//! number of threads. The slice's claims are then recorded in one transaction (with
//! `--record`, in the store; without, in the run's scratch tables), and only after that commit
//! are their results handed to the writer: a result is never written for a claim that is not
//! recorded.

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::{render, BatchOptions, Summary};
use crate::claim::{ClaimError, NormalizedClaim};
use crate::history::{HistoryView, PatientHistory, RecordedClaim};
use crate::input::{InputItem, ReadClaim};
use crate::report::ClaimResult;
use crate::store::{Source, Store, StoreError};
use crate::Engine;

/// The history a batch run judges against, and whether it records what it judges.
#[derive(Debug)]
pub struct HistoryRun<'s> {
    /// The store, open for writing.
    pub store: &'s mut Store,
    /// Write each judged claim with its outcome (`check --record`).
    pub record: bool,
}

impl HistoryRun<'_> {
    /// Readies the store for the run: without `--record`, the scratch tables that let each
    /// claim see the claims before it in the input.
    pub(super) fn start(&mut self, engine: &Engine) -> Result<(), StoreError> {
        if !self.record && engine.program().uses_history {
            self.store.start_scratch()?;
        }
        Ok(())
    }
}

/// The most recorded lines a member may have for a claim of theirs to be judged: each claim
/// reads its member's lines, so a member with hundreds of thousands (a store filled by a
/// runaway feed, or an input that sends one member's claims without end) would make every one
/// of their claims slow. A lifetime of dialysis is a few thousand lines.
pub const MAX_MEMBER_LINES: usize = 20_000;

/// Judges `part` against the history, records it, and renders its results in input order;
/// `before` claims were judged before it. Runs the judging on the current rayon pool.
pub(super) fn judge_slice(
    engine: &Engine,
    part: &[InputItem],
    before: u64,
    options: BatchOptions,
    pool: &rayon::ThreadPool,
    run: &mut HistoryRun<'_>,
) -> Result<(super::Pieces, Summary), StoreError> {
    let reads_history = engine.program().uses_history;
    let claims: Vec<ReadClaim<'_>> = pool.install(|| {
        part.par_iter()
            .with_min_len(super::CLAIMS_PER_TASK)
            .map(|item| item.claim.normalized())
            .collect()
    });
    // The claims of each member, in input order; claims of no member stand alone.
    let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let mut alone: Vec<usize> = Vec::new();
    for (i, claim) in claims.iter().enumerate() {
        match claim.as_ref().ok().and_then(|c| member_of(c)) {
            Some(member) => groups.entry(member).or_default().push(i),
            None => alone.push(i),
        }
    }
    let mut histories = if reads_history {
        let members: Vec<&str> = groups.keys().copied().collect();
        run.store.fetch(&members)?
    } else {
        BTreeMap::new()
    };
    let mut work: Vec<(PatientHistory, Vec<usize>)> = groups
        .into_iter()
        .map(|(member, indexes)| {
            let history = histories.remove(member).unwrap_or_default();
            (history, indexes)
        })
        .collect();
    work.extend(
        alone
            .into_iter()
            .map(|i| (PatientHistory::default(), vec![i])),
    );
    let judged: Vec<(usize, ClaimResult, Option<RecordedClaim>)> = pool.install(|| {
        work.into_par_iter()
            .flat_map_iter(|(mut history, indexes)| {
                indexes
                    .into_iter()
                    .map(|i| {
                        let (result, recorded) = judge_one(
                            engine,
                            &claims[i],
                            &part[i],
                            &mut history,
                            options,
                            reads_history,
                        );
                        (i, result, recorded)
                    })
                    .collect::<Vec<_>>()
            })
            .collect()
    });
    let mut results: Vec<Option<(ClaimResult, Option<RecordedClaim>)>> =
        (0..part.len()).map(|_| None).collect();
    for (i, result, recorded) in judged {
        if let Some(slot) = results.get_mut(i) {
            *slot = Some((result, recorded));
        }
    }
    let mut to_record = Vec::with_capacity(part.len());
    let mut ordered = Vec::with_capacity(part.len());
    for (result, recorded) in results.into_iter().flatten() {
        to_record.extend(recorded);
        ordered.push(result);
    }
    if run.record {
        run.store.record(&to_record, Source::Check)?;
    } else if reads_history {
        run.store.record_scratch(&to_record)?;
    }
    Ok(pool.install(|| render(&ordered, before, options)))
}

/// Judges one claim with the lines of its member seen so far, then adds its own lines to them
/// for the member's later claims.
fn judge_one(
    engine: &Engine,
    claim: &ReadClaim<'_>,
    item: &InputItem,
    history: &mut PatientHistory,
    options: BatchOptions,
    reads_history: bool,
) -> (ClaimResult, Option<RecordedClaim>) {
    let Ok(normalized) = claim else {
        return (
            engine.evaluate_read(&item.claim, claim, HistoryView::Alone, options.eval),
            None,
        );
    };
    let view = match member_of(normalized) {
        _ if !reads_history => HistoryView::Alone,
        Some(member) if history.lines().len() > MAX_MEMBER_LINES => {
            let error = ClaimError {
                message: format!(
                    "member `{member}` has {} recorded lines, more than the {MAX_MEMBER_LINES} a \
                     claim is judged with; the claim is not judged or recorded",
                    history.lines().len()
                ),
                path: Some("patient.member_id".to_string()),
                line: item.claim.line(),
            };
            let result = ClaimResult::error(Some(normalized.id.clone()), vec![error])
                .explained(options.eval.explain);
            return (result, None);
        }
        Some(_) => HistoryView::Member(history),
        None => HistoryView::UnknownPatient,
    };
    let result = engine.evaluate_read(&item.claim, claim, view, options.eval);
    let recorded = RecordedClaim::judged(normalized, Some(&result));
    if let Some(recorded) = &recorded {
        if reads_history {
            history.replace_claim(&recorded.claim, recorded.lines.clone());
        }
    }
    (result, recorded)
}

fn member_of(claim: &NormalizedClaim) -> Option<&str> {
    claim.patient.as_ref()?.member_id.as_deref()
}
