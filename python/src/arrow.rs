//! `Engine.check_arrow`: claims as the rows of Arrow data, results as an Arrow table.
//!
//! The data comes in and goes out through the Arrow C data interface (`arrow-pyarrow`), so no
//! column is copied crossing into Python or out of it. Each input batch is cut in slices (zero
//! copy), and each slice is taken whole by one of `threads` workers: its rows are written as JSON
//! claims by `arrow-json` (a struct column is an object, a list column an array, a null value a
//! key left out) and read by the command's JSON reader, each claim is judged by
//! [`claimrules::Engine::evaluate_item`] (the command's batch run judges each claim the same way,
//! but writes its findings as recorded rather than owned), and
//! the results are put in the columns of [`result_schema`] by `arrow-json`'s decoder from their
//! serde form (the same keys and values as the JSON the command writes), without text in
//! between. The results come back in input order, one output batch per slice.
//!
//! This path does not run `claimrules::batch`: that writes results as text, and decoding the
//! text again into Arrow cost more than judging the claims.

use std::sync::{Arc, OnceLock};

use arrow_array::RecordBatch;
use arrow_json::writer::{LineDelimited, WriterBuilder};
use arrow_json::ReaderBuilder;
use arrow_pyarrow::{FromPyArrow, IntoPyArrow, Table};
use arrow_schema::{DataType, Field, Fields, Schema, SchemaRef};
use claimrules::InputItem;
use claimrules::{ClaimResult, EvalOptions};
use pyo3::exceptions::PyValueError;
use pyo3::intern;
use pyo3::prelude::*;
use rayon::prelude::*;

use crate::claims::one_claim;

/// Judges the claims of `data` (a `pyarrow.RecordBatch`, a `pyarrow.Table`, a
/// `RecordBatchReader`, or any object with `__arrow_c_stream__`) and returns a `pyarrow.Table`
/// of their results, row for row.
pub fn check_arrow<'py>(
    engine: &Arc<claimrules::Engine>,
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    threads: usize,
) -> PyResult<Bound<'py, PyAny>> {
    let batches = if data.hasattr(intern!(py, "__arrow_c_stream__"))? {
        Table::from_pyarrow_bound(data)?.into_inner().0
    } else {
        vec![RecordBatch::from_pyarrow_bound(data)?]
    };
    let engine = Arc::clone(engine);
    let judged = py.detach(move || {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("claimrules-arrow-{i}"))
            .build()
            .map_err(|e| format!("cannot start {threads} worker threads: {e}"))?;
        let mut slices = Vec::new();
        let mut before = 0u64;
        for batch in &batches {
            let rows = batch.num_rows();
            let step = slice_rows(rows, threads);
            let mut start = 0;
            while start < rows {
                let len = step.min(rows - start);
                slices.push((batch.slice(start, len), before + start as u64));
                start += len;
            }
            before += rows as u64;
        }
        pool.install(|| {
            slices
                .par_iter()
                .map(|(slice, before)| judge_rows(&engine, slice, *before))
                .collect::<Result<Vec<RecordBatch>, String>>()
        })
    });
    let judged = judged.map_err(PyValueError::new_err)?;
    let table = Table::try_new(judged, result_schema().clone())
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    table.into_pyarrow(py)
}

/// The rows of a slice: enough slices for each worker to take several (so that none waits long
/// for the slowest), and not so few rows that a slice costs more to set up than to judge.
fn slice_rows(rows: usize, threads: usize) -> usize {
    const LEAST: usize = 512;
    const MOST: usize = 8192;
    rows.div_ceil(threads.max(1) * 4).clamp(LEAST, MOST)
}

/// The results of a slice's rows, in order, as a batch of [`result_schema`]; `before` rows of
/// the data came before the slice.
fn judge_rows(
    engine: &claimrules::Engine,
    slice: &RecordBatch,
    before: u64,
) -> Result<RecordBatch, String> {
    let items = claims_of(slice, before)?;
    let results: Vec<ClaimResult> = items
        .iter()
        .map(|item| engine.evaluate_item(&item.claim, EvalOptions::default()))
        .collect();
    let mut decoder = ReaderBuilder::new(result_schema().clone())
        .with_batch_size(results.len().max(1))
        .build_decoder()
        .map_err(|e| format!("the results cannot be put into Arrow: {e}"))?;
    decoder
        .serialize(&results)
        .map_err(|e| format!("the results cannot be put into Arrow: {e}"))?;
    match decoder.flush() {
        Ok(Some(batch)) => Ok(batch),
        Ok(None) => Ok(RecordBatch::new_empty(result_schema().clone())),
        Err(e) => Err(format!("the results cannot be put into Arrow: {e}")),
    }
}

/// Each row of `batch` as a claim: its columns written as one JSON object by `arrow-json`, then
/// read by the command's JSON reader as the row's line of an NDJSON input (the data's first row
/// is line 1; `before` rows came before the batch).
fn claims_of(batch: &RecordBatch, before: u64) -> Result<Vec<InputItem>, String> {
    let mut writer = WriterBuilder::new()
        .with_explicit_nulls(false)
        .build::<_, LineDelimited>(Vec::with_capacity(256 * batch.num_rows()));
    writer
        .write(batch)
        .and_then(|()| writer.finish())
        .map_err(|e| format!("the claims cannot be written as JSON from their columns: {e}"))?;
    let text = writer.into_inner();
    let items: Vec<InputItem> = text
        .split(|b| *b == b'\n')
        .filter(|line| !line.is_empty())
        .enumerate()
        .map(|(i, line)| one_claim(line, before + i as u64 + 1))
        .collect();
    if items.len() != batch.num_rows() {
        return Err(format!(
            "{} rows gave {} claims: a column cannot be written as JSON",
            batch.num_rows(),
            items.len()
        ));
    }
    Ok(items)
}

/// The columns of `check_arrow`'s results: the keys of a result (docs/formats.md) but
/// `explain`, with the same names and nesting.
pub fn result_schema() -> &'static SchemaRef {
    static SCHEMA: OnceLock<SchemaRef> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let text = |name: &str, nullable: bool| Field::new(name, DataType::Utf8, nullable);
        let number = |name: &str, nullable: bool| Field::new(name, DataType::Int64, nullable);
        let numbers = |name: &str, nullable: bool| {
            Field::new(
                name,
                DataType::List(Arc::new(Field::new("item", DataType::Int64, false))),
                nullable,
            )
        };
        let object = |name: &str, fields: Vec<Field>, nullable: bool| {
            Field::new(name, DataType::Struct(Fields::from(fields)), nullable)
        };
        let list_of = |name: &str, fields: Vec<Field>| {
            Field::new(
                name,
                DataType::List(Arc::new(object("item", fields, false))),
                false,
            )
        };
        let finding = vec![
            text("rule", false),
            text("action", false),
            numbers("lines", false),
            text("code", true),
            text("suggested_code", true),
            object(
                "change",
                vec![
                    text("op", false),
                    number("line", true),
                    numbers("lines", true),
                    text("modifier", true),
                ],
                true,
            ),
            text("message", false),
            object(
                "policy",
                vec![
                    text("file", false),
                    number("line", false),
                    number("column", false),
                ],
                false,
            ),
            object(
                "table",
                vec![
                    text("name", false),
                    text("file", false),
                    number("line", false),
                ],
                true,
            ),
            object(
                "history",
                vec![text("claim", false), number("line", false)],
                true,
            ),
            object(
                "pack",
                vec![text("name", false), text("version", true)],
                false,
            ),
        ];
        let error = vec![
            text("message", false),
            text("path", true),
            number("line", true),
        ];
        Arc::new(Schema::new(vec![
            text("format_version", false),
            text("claim", true),
            text("status", false),
            list_of("findings", finding),
            list_of("errors", error),
        ]))
    })
}
