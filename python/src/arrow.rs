//! `Engine.check_arrow`: claims as the rows of Arrow data, results as an Arrow table.
//!
//! The data comes in and goes out through the Arrow C data interface (`arrow-pyarrow`), so no
//! column is copied crossing into Python or out of it. Each input batch's rows are written as
//! JSON claims by `arrow-json` (a struct column is an object, a list column an array, a null
//! value is a key left out), judged by the command's own batch run, and the results the command
//! writes are decoded by `arrow-json` into the columns of [`result_schema`], one output batch
//! per input batch, row for row.

use std::io::Cursor;
use std::sync::{Arc, OnceLock};

use arrow_array::RecordBatch;
use arrow_json::writer::{LineDelimited, WriterBuilder};
use arrow_json::ReaderBuilder;
use arrow_pyarrow::{FromPyArrow, IntoPyArrow, Table};
use arrow_schema::{DataType, Field, Fields, Schema, SchemaRef};
use claimrules::InputItem;
use pyo3::exceptions::PyValueError;
use pyo3::intern;
use pyo3::prelude::*;

use crate::claims::one_claim;
use crate::engine::run_batch;
use claimrules::OutputFormat;

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
        let mut out = Vec::with_capacity(batches.len());
        let mut before = 0u64;
        for batch in &batches {
            out.extend(judge_rows(&engine, batch, before, threads)?);
            before += batch.num_rows() as u64;
        }
        Ok::<_, String>(out)
    });
    let judged = judged.map_err(PyValueError::new_err)?;
    let table = Table::try_new(judged, result_schema().clone())
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    table.into_pyarrow(py)
}

/// The results of one batch's rows, in order, as batches of [`result_schema`] (one, unless
/// the batch is empty: then none); `before` rows of the data came before the batch.
fn judge_rows(
    engine: &claimrules::Engine,
    batch: &RecordBatch,
    before: u64,
    threads: usize,
) -> Result<Vec<RecordBatch>, String> {
    let items = claims_of(batch, before)?;
    let rows = items.len();
    let out = run_batch(engine, items, threads, false, OutputFormat::Ndjson)
        .map_err(|e| e.to_string())?;
    let reader = ReaderBuilder::new(result_schema().clone())
        .with_batch_size(rows.max(1))
        .build(Cursor::new(out))
        .map_err(|e| format!("the results cannot be read into Arrow: {e}"))?;
    reader
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("the results cannot be read into Arrow: {e}"))
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
