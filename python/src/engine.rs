//! `claimrules.Engine`: packs loaded once, then claims judged, policy tests run and packs
//! linted, each as the command does it.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use claimrules::batch::{self, BatchError, BatchOptions, Progress};
use claimrules::input::Claims;
use claimrules::testing::{lint, lint_source, run_pack_tests, TestOptions};
use claimrules::{EvalOptions, InputItem, OutputFormat, PackSource, PolicyDiagnostic};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use serde_json::json;

use crate::claims::claim_of;
use crate::errors::{policy_error, PolicyError};

/// Policy packs loaded once, ready to judge claims from any thread.
///
/// ``Engine(packs=[], tables={}, standard=True)`` loads the embedded standard pack (unless
/// ``standard=False``), then each pack folder of ``packs`` layered over it in order, with the
/// tables of ``tables`` (``{name: path}``) pointed at other data, as ``claimrules check --pack
/// DIR --table NAME=PATH`` does. Packs that do not load raise :class:`PolicyError`, whose
/// message is every diagnostic as the command prints it.
#[pyclass(frozen, module = "claimrules", name = "Engine")]
pub struct Engine {
    engine: Arc<claimrules::Engine>,
    /// The packs loaded, in order, and the tables pointed at other data: `lint` layers its
    /// paths over them.
    sources: Vec<PackSource>,
    tables: Vec<(String, PathBuf)>,
}

/// The builder of these packs and tables, in order.
fn builder_of(sources: &[PackSource], tables: &[(String, PathBuf)]) -> claimrules::EngineBuilder {
    let packs = sources.iter().fold(
        claimrules::Engine::builder().without_standard_pack(),
        |b, s| b.pack(s.clone()),
    );
    tables.iter().fold(packs, |b, (name, path)| {
        b.table_data(name.clone(), path.clone())
    })
}

/// The worker threads of a batch: `threads`, else one per core (at most the command's limit).
fn threads_of(threads: Option<usize>) -> PyResult<usize> {
    let most = usize::from(batch::MAX_THREADS);
    match threads {
        Some(0) => Err(PyValueError::new_err("threads must be at least 1")),
        Some(n) if n > most => Err(PyValueError::new_err(format!(
            "threads must be at most {most}"
        ))),
        Some(n) => Ok(n),
        None => Ok(std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(most)),
    }
}

impl Engine {
    /// Judges `items` on `threads` workers with the GIL released ([`run_batch`]).
    pub fn judge(
        &self,
        py: Python<'_>,
        items: Vec<InputItem>,
        threads: usize,
        explain: bool,
        format: OutputFormat,
    ) -> PyResult<Vec<u8>> {
        let engine = Arc::clone(&self.engine);
        py.detach(move || run_batch(&engine, items, threads, explain, format))
            .map_err(|e| PyRuntimeError::new_err(e.to_string()))
    }
}

/// Judges `items` on `threads` workers through the command's own batch run (`claimrules::batch`,
/// as `claimrules check` judges a file): the results rendered in `format`, in input order.
pub fn run_batch(
    engine: &claimrules::Engine,
    items: Vec<InputItem>,
    threads: usize,
    explain: bool,
    format: OutputFormat,
) -> Result<Vec<u8>, BatchError> {
    let options = BatchOptions {
        threads,
        eval: EvalOptions::default().with_explain(explain),
        format,
    };
    let mut out = Vec::with_capacity(512 * items.len());
    let stop = AtomicBool::new(false);
    batch::run(
        engine,
        items.into_iter(),
        &mut out,
        options,
        &Progress::default(),
        &stop,
    )?;
    Ok(out)
}

/// `json.loads(bytes)`.
fn loads<'py>(py: Python<'py>, bytes: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    py.import(intern!(py, "json"))?
        .getattr(intern!(py, "loads"))?
        .call1((PyBytes::new(py, bytes),))
}

/// Each line of NDJSON results as a `str`, without its line end.
fn json_lines<'py>(py: Python<'py>, out: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    let text = std::str::from_utf8(out).map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
    let lines = text
        .split_terminator('\n')
        .map(|line| PyString::new(py, line));
    Ok(pyo3::types::PyList::new(py, lines)?.into_any())
}

#[pymethods]
impl Engine {
    #[new]
    #[pyo3(signature = (packs = Vec::new(), tables = BTreeMap::new(), standard = true))]
    fn new(
        py: Python<'_>,
        packs: Vec<PathBuf>,
        tables: BTreeMap<String, PathBuf>,
        standard: bool,
    ) -> PyResult<Engine> {
        let tables: Vec<(String, PathBuf)> = tables.into_iter().collect();
        let sources: Vec<PackSource> = standard
            .then_some(PackSource::Standard)
            .into_iter()
            .chain(packs.into_iter().map(PackSource::Dir))
            .collect();
        let builder = builder_of(&sources, &tables);
        let engine = py
            .detach(move || builder.build())
            .map_err(|d| policy_error(&d))?;
        Ok(Engine {
            engine: Arc::new(engine),
            sources,
            tables,
        })
    }

    /// Judges one claim: a ``dict`` in the claim format of docs/formats.md, or its JSON text
    /// (``str`` or ``bytes``). Returns the result as a ``dict``, exactly the JSON ``claimrules
    /// check`` writes for it. A claim that does not read is an ``error`` result naming the JSON
    /// path of the problem, never an exception. ``explain=True`` adds the ``explain`` part.
    #[pyo3(signature = (claim, *, explain = false))]
    fn check<'py>(
        &self,
        py: Python<'py>,
        claim: &Bound<'py, PyAny>,
        explain: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let item = claim_of(claim, 1);
        let options = BatchOptions {
            threads: 1,
            eval: EvalOptions::default().with_explain(explain),
            format: OutputFormat::Ndjson,
        };
        let engine = Arc::clone(&self.engine);
        let (out, _) = py.detach(move || batch::run_here(&engine, &[item], options));
        loads(py, &out)
    }

    /// Judges every claim of an iterable (each a ``dict``, or one claim's JSON text as ``str``
    /// or ``bytes``) on ``threads`` worker threads (every core by default), with the GIL
    /// released while they are judged. Returns one result ``dict`` per claim, in order, exactly
    /// as ``claimrules check`` writes them for the same claims given as NDJSON, one a line: a
    /// claim that does not read is an ``error`` result whose input line is its 1-based
    /// position, and the others are judged.
    ///
    /// With ``as_json=True``, each result is the ``str`` of its JSON, the line ``claimrules
    /// check --format ndjson`` writes (without its line end): no dict is built, which is the
    /// faster way to store or ship results.
    #[pyo3(signature = (claims, *, threads = None, explain = false, as_json = false))]
    fn check_many<'py>(
        &self,
        py: Python<'py>,
        claims: &Bound<'py, PyAny>,
        threads: Option<usize>,
        explain: bool,
        as_json: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let threads = threads_of(threads)?;
        let mut items = Vec::new();
        for (i, claim) in claims.try_iter()?.enumerate() {
            items.push(claim_of(&claim?, i as u64 + 1));
        }
        if as_json {
            let out = self.judge(py, items, threads, explain, OutputFormat::Ndjson)?;
            return json_lines(py, &out);
        }
        let out = self.judge(py, items, threads, explain, OutputFormat::Json)?;
        loads(py, &out)
    }

    /// Judges every claim of an input as ``claimrules check FILE`` reads it: JSON (one claim
    /// object, an array, NDJSON, claims pretty-printed one after another) or X12 837P text,
    /// as ``str`` or ``bytes``. Returns the results, one ``dict`` per claim (per claim and date
    /// of service for X12), in input order.
    #[pyo3(signature = (text, *, threads = None, explain = false))]
    fn check_input<'py>(
        &self,
        py: Python<'py>,
        text: &Bound<'py, PyAny>,
        threads: Option<usize>,
        explain: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let threads = threads_of(threads)?;
        let bytes: Vec<u8> = if let Ok(s) = text.cast::<PyString>() {
            s.to_cow()?.as_bytes().to_vec()
        } else if let Ok(b) = text.cast::<PyBytes>() {
            b.as_bytes().to_vec()
        } else {
            return Err(PyValueError::new_err("the input must be str or bytes"));
        };
        let items: Vec<InputItem> = py.detach(|| Claims::new(bytes.as_slice(), None).collect());
        let out = self.judge(py, items, threads, explain, OutputFormat::Json)?;
        loads(py, &out)
    }

    /// Runs the policy tests of every loaded pack (each on its own layer) and of the test
    /// files and folders of ``paths``, as ``claimrules test --format json`` does. Returns its
    /// JSON document as a ``dict``: ``passed``, ``failed``, ``failures`` (one diagnostic
    /// ``dict`` each) and, with ``coverage=True``, ``coverage``.
    #[pyo3(signature = (paths = Vec::new(), *, coverage = false))]
    fn test<'py>(
        &self,
        py: Python<'py>,
        paths: Vec<PathBuf>,
        coverage: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let engine = Arc::clone(&self.engine);
        let doc = py.detach(move || {
            let options = TestOptions::default().with_coverage(coverage);
            let (report, diagnostics) = run_pack_tests(&engine, &paths, options);
            let failures: Vec<serde_json::Value> = diagnostics
                .iter()
                .chain(&report.diagnostics)
                .map(PolicyDiagnostic::to_json)
                .collect();
            serde_json::to_vec(&json!({
                "passed": report.passed,
                "failed": report.failed,
                "failures": failures,
                "coverage": report.coverage,
            }))
        });
        let doc = doc.map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
        loads(py, &doc)
    }

    /// Checks the loaded packs with the policy folders, policy files and test files of
    /// ``paths`` layered over them, as ``claimrules lint --format json`` does: returns its
    /// document as a ``dict`` (``errors``, ``warnings``, ``diagnostics``). A policy file that
    /// cannot be read raises :class:`PolicyError`.
    #[pyo3(signature = (paths = Vec::new()))]
    fn lint<'py>(&self, py: Python<'py>, paths: Vec<PathBuf>) -> PyResult<Bound<'py, PyAny>> {
        let mut sources = self.sources.clone();
        let tables = self.tables.clone();
        let doc = py.detach(move || {
            let mut test_paths = Vec::new();
            for path in &paths {
                match lint_source(path)? {
                    Some(source) => sources.push(source),
                    None => test_paths.push(path.clone()),
                }
            }
            let diagnostics = lint(builder_of(&sources, &tables), &test_paths);
            let errors = diagnostics.iter().filter(|d| d.is_error()).count();
            let items: Vec<serde_json::Value> =
                diagnostics.iter().map(PolicyDiagnostic::to_json).collect();
            let doc = json!({
                "errors": errors,
                "warnings": diagnostics.len() - errors,
                "diagnostics": items,
            });
            serde_json::to_vec(&doc).map_err(|e| e.to_string())
        });
        let doc = doc.map_err(PolicyError::new_err)?;
        loads(py, &doc)
    }

    /// Judges the claims of Arrow data, one claim a row: a ``pyarrow.RecordBatch``, a
    /// ``pyarrow.Table``, a ``pyarrow.RecordBatchReader`` or any object with
    /// ``__arrow_c_stream__``. Columns are the claim's keys (docs/formats.md): ``id``,
    /// ``service_date`` (a date or a string), ``lines`` (a list of structs) and the others;
    /// nested objects are structs, lists are lists, and a null is a key left out. Returns a
    /// ``pyarrow.Table``, row for row: ``format_version``, ``claim``, ``status``, ``findings``
    /// (a list of structs) and ``errors`` (a list of structs), as ``claimrules check``
    /// writes them. Judged on ``threads`` worker threads (every core by default) with the GIL
    /// released.
    #[pyo3(signature = (data, *, threads = None))]
    fn check_arrow<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
        threads: Option<usize>,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::arrow::check_arrow(&self.engine, py, data, threads_of(threads)?)
    }

    /// The checker's warnings about the loaded packs (they load all the same), each a
    /// diagnostic ``dict`` as ``claimrules lint --format json`` gives it.
    #[getter]
    fn warnings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let items: Vec<serde_json::Value> = self
            .engine
            .warnings()
            .iter()
            .map(PolicyDiagnostic::to_json)
            .collect();
        let doc = serde_json::to_vec(&items).map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
        loads(py, &doc)
    }

    /// The packs loaded, bottom first: ``"standard"`` for the embedded pack, else the
    /// folder's path.
    #[getter]
    fn packs(&self) -> Vec<String> {
        self.engine
            .pack_sources()
            .iter()
            .map(|s| match s {
                PackSource::Standard => "standard".to_string(),
                other => other.to_string(),
            })
            .collect()
    }

    fn __repr__(&self) -> String {
        format!("Engine(packs={:?})", self.packs())
    }
}
