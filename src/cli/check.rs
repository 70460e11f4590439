//! `claimrules check`.

use std::io::{self, IsTerminal};
use std::sync::atomic::{AtomicBool, Ordering};

use claimrules::batch::{self, BatchError, BatchOptions, HistoryRun, Progress};
use claimrules::store::Access;
use claimrules::EvalOptions;

use super::history::{fail_store, open_store};
use super::inputs::{open_inputs, ChainedInputs};
use super::interrupt::stop_on_ctrl_c;
use super::load::load_engine;
use super::output::{color_on_stderr, fail};
use super::progress;
use super::sink::Stdout;
use super::{CheckArgs, Format, EXIT_FAILURE, EXIT_FINDINGS, EXIT_INTERRUPTED, EXIT_PASS};

pub fn run(args: CheckArgs) -> u8 {
    // The claims first: a wrong path fails at once, before the packs and their tables load.
    let Some(inputs) = open_inputs(&args.claims) else {
        return EXIT_FAILURE;
    };
    let Some(engine) = load_engine(&args.packs) else {
        return EXIT_FAILURE;
    };
    // The process ends when the run does, and its memory goes with it: freeing the tables
    // page by page (a PTP table is some 100 MiB) was 5.5% of a run's load and exit, on every
    // run. The engine holds memory only; the store, which has a database to close, is dropped.
    let engine = std::mem::ManuallyDrop::new(engine);
    let mut store = match &args.history {
        // Without `--record` the run changes nothing in the store, so it must exist: a
        // mistyped path would otherwise judge every claim against an empty history.
        Some(location) => match open_store(
            location,
            if args.record {
                Access::ReadWrite
            } else {
                Access::Existing
            },
        ) {
            Some(store) => Some(store),
            None => return EXIT_FAILURE,
        },
        None => None,
    };
    let history = store.as_mut().map(|store| HistoryRun {
        store,
        record: args.record,
    });
    let total_bytes = inputs.iter().map(|i| i.size).sum::<Option<u64>>();
    let format = args.format.unwrap_or(if io::stdout().is_terminal() {
        Format::Text
    } else {
        Format::Ndjson
    });
    let options = BatchOptions {
        threads: args.threads.map_or_else(default_threads, usize::from),
        eval: EvalOptions::default().with_explain(args.explain),
        format: format.output(),
    };
    let stop = stop_on_ctrl_c();
    let progress = Progress::default();
    let show_progress = !args.quiet && io::stderr().is_terminal();
    let done = AtomicBool::new(false);
    let mut stdout = Stdout::open();
    let claims = ChainedInputs::new(inputs, args.input.format());
    let outcome = std::thread::scope(|scope| {
        if show_progress {
            scope.spawn(|| progress::show(&progress, total_bytes, color_on_stderr(), &done));
        }
        let outcome = batch::run_with_history(
            &engine,
            claims,
            stdout.writer(),
            options,
            &progress,
            stop,
            history,
        );
        done.store(true, Ordering::Relaxed);
        outcome
    });
    let summary = match outcome {
        Ok(summary) => summary,
        Err(BatchError::Output { source, written }) => {
            stdout.cut_to(written);
            if source.kind() == io::ErrorKind::BrokenPipe {
                fail("the output was closed before every result was written (broken pipe)");
            } else {
                fail(format!("cannot write results: {source}"));
            }
            return EXIT_FAILURE;
        }
        Err(BatchError::History(e)) => {
            fail_store(&e);
            return EXIT_FAILURE;
        }
        Err(e) => {
            fail(e);
            return EXIT_FAILURE;
        }
    };
    if !args.quiet {
        eprint!("{}", summary.render_text());
    }
    if let Some(path) = &args.summary_json {
        let written = serde_json::to_vec_pretty(&summary)
            .map_err(io::Error::other)
            .and_then(|mut json| {
                json.push(b'\n');
                std::fs::write(path, json)
            });
        if let Err(e) = written {
            fail(format!(
                "cannot write the summary to `{}`: {e}",
                path.display()
            ));
            return EXIT_FAILURE;
        }
    }
    if summary.interrupted {
        EXIT_INTERRUPTED
    } else if summary.all_pass() {
        EXIT_PASS
    } else {
        EXIT_FINDINGS
    }
}

pub fn default_threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(usize::from(batch::MAX_THREADS))
}
