//! Claims at volume: a stream of claims judged on every core and written in input order.
//!
//! Three stages joined by bounded queues, so memory stays flat whatever the input's size:
//!
//! 1. a reader thread pulls claims from the input and cuts them into batches of at most
//!    [`BATCH_CLAIMS`] claims or [`BATCH_BYTES`] of claim text;
//! 2. the calling thread cuts each batch in slices and hands them to a rayon pool of `threads`
//!    workers, which parse, judge and render every claim of a slice, and tally the summary;
//!    up to [`IN_FLIGHT`] slices are out at once, so that a worker done with its share of one
//!    slice takes up the next instead of waiting for the others (no barrier between slices),
//!    and the calling thread puts the judged slices back in input order;
//! 3. a writer thread writes each slice's output in one piece.
//!
//! At most [`QUEUE`] batches wait between two stages, and [`IN_FLIGHT`] slices between the
//! calling thread and the workers. Output is bounded too, not only input:
//! a small claim can give a large result (many findings, long messages), so a batch is judged
//! in slices sized from the output per claim so far, to keep each slice's output near
//! [`OUTPUT_BYTES`] (never fewer than one claim a worker; the first slices, judged before any
//! output is known, have one claim a worker). With `--history`, slices are judged one after
//! another, each recorded before the next (see [`HistoryRun`]). Every claim read gets exactly one result,
//! and results come out in the order the claims went in. A stop request (Ctrl-C) ends reading;
//! the claims already read are still judged and written whole. When the output fails (a closed
//! pipe, a full disk), reading and judging stop and the error is returned.

mod history;
mod summary;

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{channel, sync_channel, Receiver, SyncSender, TryRecvError};
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;

pub use history::{HistoryRun, MAX_MEMBER_LINES};
pub use summary::{ActionCounts, RuleCount, StatusCounts, Summary, TOP_RULES};

use crate::eval::found::Outcome;
use crate::input::{ClaimInput, InputItem};
use crate::report::ClaimResult;
use crate::report::OutputFormat;
use crate::store::StoreError;
use crate::{Engine, EvalOptions};

/// The most claims in one batch.
pub const BATCH_CLAIMS: usize = 4096;
/// The most claim text in one batch, so that a batch of large claims stays small too.
pub const BATCH_BYTES: usize = 4 << 20;
/// The size of the first buffer a worker renders a run of claims into (a run may be short),
/// and of each buffer after it.
const OUTPUT_FIRST: usize = 64 << 10;
const OUTPUT_BUFFER: usize = 256 << 10;
/// The room a buffer must have left for the next result; with less, a new buffer is begun
/// rather than the full one grown, which would copy all it holds.
const OUTPUT_ROOM: usize = 8 << 10;
/// The fewest claims a worker takes at a time, so that a batch is not cut finer than helps.
const CLAIMS_PER_TASK: usize = 16;
/// How many batches may wait between two stages.
pub const QUEUE: usize = 2;
/// How many slices may be out to the workers at once (judged or being judged, not yet handed
/// to the writer): more than one, so that no worker waits at the end of a slice for the
/// others, and few, so that output stays bounded.
pub const IN_FLIGHT: usize = 3;
/// The most worker threads a run may ask for. More threads than cores only adds switching;
/// thousands take seconds to start and memory for their stacks.
pub const MAX_THREADS: u16 = 256;
/// With `--history`, how many of the reader's batches are judged as one (cut in slices as any
/// batch): each slice reads its members' lines in one query and is recorded in one
/// transaction, whose cost grows more slowly than its claims (a transaction writes each page
/// it changes once, and the members of a larger slice share more index pages).
pub const HISTORY_BATCHES: usize = 2;
/// The output one slice of a batch should stay under. Usual claims give about 300 bytes of
/// results each, so a whole batch fits and is judged in one slice.
pub const OUTPUT_BYTES: usize = 4 << 20;

/// How a batch is run.
#[derive(Debug, Clone, Copy)]
pub struct BatchOptions {
    /// Worker threads judging claims (at least one).
    pub threads: usize,
    pub eval: EvalOptions,
    pub format: OutputFormat,
}

/// Counters a progress display reads while a batch runs.
#[derive(Debug, Default)]
pub struct Progress {
    /// Results written.
    pub claims: AtomicU64,
    /// Input bytes whose claims have all been written.
    pub bytes: AtomicU64,
}

/// Why a batch run ended early.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// The output could not be written: a closed pipe, a full disk.
    #[error("cannot write results: {source}")]
    Output {
        #[source]
        source: io::Error,
        /// Bytes written up to the last line end before the failure.
        written: u64,
    },
    #[error("cannot start {threads} worker threads: {message}")]
    Threads { threads: usize, message: String },
    /// The history store failed (`--history`): the results of the batches recorded before the
    /// failure are written; the failing batch is neither recorded nor written.
    #[error(transparent)]
    History(#[from] StoreError),
}

/// Rendered results, in order: a slice's output as its workers wrote it, one piece for each run
/// of claims a worker took, written one after another rather than copied into one.
type Pieces = Vec<Vec<u8>>;

/// The bytes of all `pieces`.
fn output_len(pieces: &Pieces) -> usize {
    pieces.iter().map(Vec::len).sum()
}

/// One slice's rendered results, ready to write.
struct Rendered {
    bytes: Pieces,
    /// Claims judged up to the end of this batch.
    claims: u64,
    /// Input offset after the batch's last claim.
    offset: u64,
}

/// Judges `items` on the calling thread and writes their results as [`run`] writes them (the
/// format's opening, each result in order, its closing), with their tally: for a few claims,
/// where starting `run`'s pool and its reader and writer threads would cost more than the
/// judging (the server's requests of a claim or a few).
pub fn run_here(engine: &Engine, items: &[InputItem], options: BatchOptions) -> (Vec<u8>, Summary) {
    let started = Instant::now();
    let format = options.format;
    let mut out = Vec::with_capacity(2048 * items.len().max(1));
    let mut tally = Summary::default();
    out.extend_from_slice(format.begin());
    for (i, item) in items.iter().enumerate() {
        let result = engine.judge_item(&item.claim, options.eval);
        Written::tally(&result, &mut tally);
        result.write(format, i == 0, &mut out);
    }
    out.extend_from_slice(format.end(!items.is_empty()));
    tally.finish(started.elapsed(), false);
    (out, tally)
}

/// Judges every claim of `inputs` with `engine` and writes the results to `out` in input
/// order; returns the tally. `stop` ends reading early (the claims read are still written).
pub fn run<I, W>(
    engine: &Engine,
    inputs: I,
    out: W,
    options: BatchOptions,
    progress: &Progress,
    stop: &AtomicBool,
) -> Result<Summary, BatchError>
where
    I: Iterator<Item = InputItem> + Send,
    W: Write + Send,
{
    run_with_history(engine, inputs, out, options, progress, stop, None)
}

/// [`run`] against the patients' history (`check --history`, docs/history.md): each claim
/// sees its member's recorded lines and those of the member's claims before it in the input;
/// with [`HistoryRun::record`], each slice of claims is recorded in one transaction before its
/// results are written. A store error ends the run with [`BatchError::History`], after the
/// results of the slices already recorded are written.
pub fn run_with_history<I, W>(
    engine: &Engine,
    inputs: I,
    out: W,
    options: BatchOptions,
    progress: &Progress,
    stop: &AtomicBool,
    mut history: Option<HistoryRun<'_>>,
) -> Result<Summary, BatchError>
where
    I: Iterator<Item = InputItem> + Send,
    W: Write + Send,
{
    let started = Instant::now();
    let threads = options.threads.max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("claimrules-worker-{i}"))
        .build()
        .map_err(|e| BatchError::Threads {
            threads,
            message: e.to_string(),
        })?;
    if let Some(run) = history.as_mut() {
        run.start(engine)?;
    }
    let (batches_in, batches) = sync_channel::<Vec<InputItem>>(QUEUE);
    let (rendered_out, rendered) = sync_channel::<Rendered>(QUEUE);
    let mut summary = Summary::default();
    let mut failure: Option<StoreError> = None;
    let (interrupted, written) = std::thread::scope(|scope| {
        let reader = scope.spawn(|| read_batches(inputs, batches_in, stop));
        let writer = scope.spawn(|| write_batches(out, options.format, rendered, progress));
        match history.as_mut() {
            None => {
                summary = judge_in_flight(engine, batches, &rendered_out, options, &pool);
            }
            Some(run) => {
                if let Err(e) = judge_with_history(
                    engine,
                    batches,
                    &rendered_out,
                    options,
                    &pool,
                    run,
                    &mut summary,
                ) {
                    failure = Some(e);
                }
            }
        }
        drop(rendered_out);
        let interrupted = reader.join().unwrap_or(false);
        let written = writer.join().unwrap_or_else(|_| {
            Err(BatchError::Output {
                source: io::Error::other("the writer thread failed"),
                written: 0,
            })
        });
        (interrupted, written)
    });
    written?;
    if let Some(e) = failure {
        return Err(BatchError::History(e));
    }
    summary.finish(started.elapsed(), interrupted);
    Ok(summary)
}

/// Judges the reader's batches on the pool, [`IN_FLIGHT`] slices at a time, and hands their
/// output to the writer in input order; returns the tally. A worker done with its share of a
/// slice takes up the next slice's claims instead of waiting for the slowest claim of its own.
/// Stops when the batches end or the writer has stopped (on an output error); dropping
/// `batches` then lets a reader waiting to hand over its next batch stop too.
fn judge_in_flight(
    engine: &Engine,
    batches: Receiver<Vec<InputItem>>,
    rendered_out: &SyncSender<Rendered>,
    options: BatchOptions,
    pool: &rayon::ThreadPool,
) -> Summary {
    let threads = pool.current_num_threads();
    let mut summary = Summary::default();
    let (done_out, done) = channel::<std::thread::Result<Judged>>();
    pool.in_place_scope(|scope| {
        let mut slice = Slice::new(threads, BATCH_CLAIMS);
        // Slices handed out, and the claims in them.
        let mut sent = 0u64;
        let mut claims_sent = 0u64;
        // The next slice to write, and the slices judged out of order, waiting for it.
        let mut next = 0u64;
        let mut waiting: BTreeMap<u64, Judged> = BTreeMap::new();
        // The batch being cut into slices, and where its next slice starts.
        let mut current: Option<(Arc<Vec<InputItem>>, usize)> = None;
        let mut reading = true;
        let mut writing = true;
        while writing {
            let in_flight = sent - next;
            if in_flight < IN_FLIGHT as u64 {
                if let Some((batch, start)) = current.take() {
                    let end = batch.len().min(start + slice.claims);
                    let seq = sent;
                    let before = claims_sent;
                    sent += 1;
                    claims_sent += (end - start) as u64;
                    let done_out = done_out.clone();
                    let part = Arc::clone(&batch);
                    scope.spawn(move |_| {
                        // A panic is handed back whole, so that the calling thread, waiting
                        // for this slice, panics with it instead of waiting for ever.
                        let judged = panic::catch_unwind(AssertUnwindSafe(|| {
                            let items = &part[start..end];
                            let (bytes, tally) = judge_batch(engine, items, before, options);
                            Judged {
                                seq,
                                claims: items.len(),
                                bytes,
                                tally,
                                judged: before + items.len() as u64,
                                offset: items.last().map_or(0, |item| item.offset),
                            }
                        }));
                        // The receiver lives until every slice is done.
                        let _ = done_out.send(judged);
                    });
                    if end < batch.len() {
                        current = Some((batch, end));
                    }
                    continue;
                }
                if reading {
                    // Wait for the reader only when no slice is out; else take what came.
                    let got = if in_flight == 0 {
                        batches.recv().map_err(|_| TryRecvError::Disconnected)
                    } else {
                        batches.try_recv()
                    };
                    match got {
                        Ok(batch) => {
                            if !batch.is_empty() {
                                current = Some((Arc::new(batch), 0));
                            }
                            continue;
                        }
                        Err(TryRecvError::Disconnected) => reading = false,
                        Err(TryRecvError::Empty) => {}
                    }
                }
            }
            if sent == next {
                // Nothing out and nothing more to read.
                break;
            }
            // Wait for a slice, then write what is in order.
            let judged = match done.recv() {
                Ok(Ok(judged)) => judged,
                Ok(Err(panicked)) => panic::resume_unwind(panicked),
                Err(_) => break,
            };
            slice.adapt(judged.claims, output_len(&judged.bytes));
            waiting.insert(judged.seq, judged);
            while let Some(judged) = waiting.remove(&next) {
                next += 1;
                summary.merge(judged.tally);
                let piece = Rendered {
                    bytes: judged.bytes,
                    claims: judged.judged,
                    offset: judged.offset,
                };
                if rendered_out.send(piece).is_err() {
                    // The writer has stopped on an output error; stop reading too.
                    writing = false;
                    break;
                }
            }
        }
        // Closing the channel ends a reader waiting to hand over a batch; the slices still out
        // end on their own, and the scope waits for them.
        drop(batches);
    });
    summary
}

/// A slice of a batch judged, waiting for its turn to be written.
struct Judged {
    /// Its place among the slices.
    seq: u64,
    /// The claims in it.
    claims: usize,
    bytes: Pieces,
    tally: Summary,
    /// Claims judged up to its end.
    judged: u64,
    /// Input offset after its last claim.
    offset: u64,
}

/// Judges the reader's batches against the history one slice after another
/// ([`HISTORY_BATCHES`] batches at a time, each slice recorded before the next is judged), and
/// hands each slice's output to the writer; adds to `summary` what it judged. A store error
/// ends it.
fn judge_with_history(
    engine: &Engine,
    batches: Receiver<Vec<InputItem>>,
    rendered_out: &SyncSender<Rendered>,
    options: BatchOptions,
    pool: &rayon::ThreadPool,
    run: &mut HistoryRun<'_>,
    summary: &mut Summary,
) -> Result<(), StoreError> {
    let mut judged = 0u64;
    let mut slice = Slice::new(pool.current_num_threads(), HISTORY_BATCHES * BATCH_CLAIMS);
    // Owned, so that returning early drops it and closes the channel: the reader, waiting to
    // hand over its next batch, then stops instead of waiting for ever.
    let mut incoming = batches.into_iter();
    while let Some(mut batch) = incoming.next() {
        for _ in 1..HISTORY_BATCHES {
            match incoming.next() {
                Some(more) => batch.extend(more),
                None => break,
            }
        }
        let mut start = 0;
        while start < batch.len() {
            let end = batch.len().min(start + slice.claims);
            let part = &batch[start..end];
            let (bytes, tally) = history::judge_slice(engine, part, judged, options, pool, run)?;
            slice.adapt(part.len(), output_len(&bytes));
            judged += part.len() as u64;
            summary.merge(tally);
            let piece = Rendered {
                bytes,
                claims: judged,
                offset: part.last().map_or(0, |item| item.offset),
            };
            if rendered_out.send(piece).is_err() {
                // The writer has stopped on an output error; stop reading too.
                return Ok(());
            }
            start = end;
        }
    }
    Ok(())
}

/// How many claims of a batch are judged at once: as many as keep their output near
/// [`OUTPUT_BYTES`], judging from the output per claim of the last slice. The first slice is
/// one claim a worker, so that not even it can hold a batch of outsized results.
struct Slice {
    claims: usize,
    /// The fewest: one claim for each worker.
    least: usize,
    /// The most.
    most: usize,
}

impl Slice {
    fn new(threads: usize, most: usize) -> Slice {
        let least = threads.clamp(1, most);
        Slice {
            claims: least,
            least,
            most,
        }
    }

    /// Sizes the next slice from the output of the last one, `claims` claims long.
    fn adapt(&mut self, claims: usize, output: usize) {
        let per_claim = (output / claims.max(1)).max(1);
        self.claims = (OUTPUT_BYTES / per_claim).clamp(self.least, self.most);
    }
}

/// Cuts the input into batches; returns whether a stop request ended it.
fn read_batches<I: Iterator<Item = InputItem>>(
    inputs: I,
    batches: SyncSender<Vec<InputItem>>,
    stop: &AtomicBool,
) -> bool {
    let mut batch = Vec::with_capacity(BATCH_CLAIMS);
    let mut bytes = 0usize;
    let mut interrupted = false;
    for item in inputs {
        bytes += match &item.claim {
            ClaimInput::Json(raw) => raw.json.len(),
            ClaimInput::Claim { .. } | ClaimInput::Unreadable { .. } => 256,
        };
        batch.push(item);
        if batch.len() >= BATCH_CLAIMS || bytes >= BATCH_BYTES {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH_CLAIMS));
            bytes = 0;
            if batches.send(full).is_err() {
                return false;
            }
        }
        if stop.load(Ordering::Relaxed) {
            interrupted = true;
            break;
        }
    }
    // An input that waits for data ends when a stop is asked for: that is an interruption too.
    interrupted |= stop.load(Ordering::Relaxed);
    if !batch.is_empty() {
        // A failed send means the run is ending on an output error, which is reported there.
        let _ = batches.send(batch);
    }
    interrupted
}

/// Judges and renders one batch on the pool; `before` claims were judged before it.
// Never inlined: profiles count the judging of claims as what runs inside this function
// (docs/performance.md: `--toggle-collect='claimrules::batch::judge_batch*'`).
#[inline(never)]
fn judge_batch(
    engine: &Engine,
    batch: &[InputItem],
    before: u64,
    options: BatchOptions,
) -> (Pieces, Summary) {
    render_each(batch, before, options, |item| {
        engine.judge_item(&item.claim, options.eval)
    })
}

/// Renders results judged already, in order, on the pool; `before` claims came before them.
fn render(results: &[ClaimResult], before: u64, options: BatchOptions) -> (Pieces, Summary) {
    render_each(results, before, options, |result| result)
}

/// Renders the result `result_of` gives for each of `items`, in order, and tallies them, on
/// the pool; `before` claims came before them.
fn render_each<'s, T, R, F>(
    items: &'s [T],
    before: u64,
    options: BatchOptions,
    result_of: F,
) -> (Pieces, Summary)
where
    T: Sync,
    R: Written,
    F: Fn(&'s T) -> R + Sync + Send,
{
    let pieces: Vec<(Pieces, Summary)> = items
        .par_iter()
        .enumerate()
        .with_min_len(CLAIMS_PER_TASK)
        .fold(
            || (Pieces::new(), Summary::default()),
            |(mut buffers, mut tally), (i, item)| {
                let result = result_of(item);
                let first = before == 0 && i == 0;
                if buffers
                    .last()
                    .is_none_or(|b| b.capacity() - b.len() < OUTPUT_ROOM)
                {
                    let size = if buffers.is_empty() {
                        OUTPUT_FIRST
                    } else {
                        OUTPUT_BUFFER
                    };
                    buffers.push(Vec::with_capacity(size));
                }
                result.tally(&mut tally);
                if let Some(bytes) = buffers.last_mut() {
                    result.write(options.format, first, bytes);
                }
                (buffers, tally)
            },
        )
        .collect();
    let mut output = Vec::with_capacity(pieces.len());
    let mut tally = Summary::default();
    for (buffers, more) in pieces {
        tally.merge(more);
        output.extend(buffers.into_iter().filter(|b| !b.is_empty()));
    }
    (output, tally)
}

/// A claim's result as the batch writes it and counts it: judged already, or its findings as
/// the evaluator recorded them.
trait Written {
    fn write(self, format: OutputFormat, first: bool, out: &mut Vec<u8>);
    fn tally(&self, tally: &mut Summary);
}

impl Written for &ClaimResult {
    fn write(self, format: OutputFormat, first: bool, out: &mut Vec<u8>) {
        format.write_result(self, first, out);
    }

    fn tally(&self, tally: &mut Summary) {
        tally.add(self);
    }
}

impl Written for Outcome<'_> {
    fn write(self, format: OutputFormat, first: bool, out: &mut Vec<u8>) {
        Outcome::write(self, format, first, out);
    }

    fn tally(&self, tally: &mut Summary) {
        match self {
            Outcome::Result(result) => tally.add(result),
            Outcome::Judged(judged) => tally.add_view(&judged.view()),
        }
    }
}

/// Writes each batch's output whole, in order, then the format's closing bytes.
fn write_batches<W: Write>(
    mut out: W,
    format: OutputFormat,
    rendered: Receiver<Rendered>,
    progress: &Progress,
) -> Result<(), BatchError> {
    let mut written = 0u64;
    let mut any = false;
    write_whole(&mut out, format.begin(), &mut written)?;
    for piece in rendered {
        any |= piece.claims > 0;
        for bytes in &piece.bytes {
            write_whole(&mut out, bytes, &mut written)?;
        }
        progress.claims.store(piece.claims, Ordering::Relaxed);
        progress.bytes.store(piece.offset, Ordering::Relaxed);
    }
    write_whole(&mut out, format.end(any), &mut written)?;
    out.flush()
        .map_err(|source| BatchError::Output { source, written })
}

/// Writes all of `bytes`. When the output fails part-way, the error counts the bytes written up
/// to the last line end, so that the caller can cut the output back to whole lines.
fn write_whole<W: Write>(out: &mut W, bytes: &[u8], written: &mut u64) -> Result<(), BatchError> {
    let mut done = 0;
    while done < bytes.len() {
        match out.write(&bytes[done..]) {
            Ok(0) => {
                return Err(cut_short(
                    io::ErrorKind::WriteZero.into(),
                    bytes,
                    done,
                    *written,
                ));
            }
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(cut_short(e, bytes, done, *written)),
        }
    }
    *written += bytes.len() as u64;
    Ok(())
}

fn cut_short(source: io::Error, bytes: &[u8], done: usize, before: u64) -> BatchError {
    let whole = bytes[..done]
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    BatchError::Output {
        source,
        written: before + whole as u64,
    }
}
