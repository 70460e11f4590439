//! `/v1/check`: claims judged by the engine serving, answered with the result JSON of
//! `claimrules check --format json`, written by the same code (`batch::run`).

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Query, State as Shared};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use crate::batch::{self, BatchError, BatchOptions, HistoryRun, Progress, Summary};
use crate::input::{Claims, InputFormat, InputItem};
use crate::report::OutputFormat;
use crate::store::Store;
use crate::{Engine, EvalOptions};

use super::errors::{json_bytes, lowercase_first, ApiError};
use super::state::State;

/// The header that names the packs, with their versions, that judged a response's claims.
pub const PACKS_HEADER: &str = "claimrules-packs";

#[derive(Debug, Deserialize)]
pub struct CheckQuery {
    /// `--explain`.
    #[serde(default)]
    pub explain: bool,
}

/// The most claims one request may carry (`/v1/check`, `/v1/try`). The body limit alone does
/// not bound the answer: 16 MiB of NDJSON `{}` lines is over five million claims, each with
/// its result object written into memory before the answer goes out (over 100 times the body).
pub const MAX_CLAIMS: usize = 100_000;

/// The format the content type names, if it names one.
fn format_of(headers: &HeaderMap) -> Option<InputFormat> {
    let kind = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())?
        .split(';')
        .next()?
        .trim()
        .to_ascii_lowercase();
    match kind.as_str() {
        "application/edi-x12" | "application/x12" => Some(InputFormat::X12),
        "application/json" | "application/x-ndjson" | "application/ndjson" => {
            Some(InputFormat::Json)
        }
        _ => None,
    }
}

fn is_ndjson(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("ndjson"))
}

/// The claims of a body, each as the reader found it, and whether it is one claim object (not
/// an array, NDJSON or X12). With `strict`, a body in neither format, and a single claim object
/// that does not read, are a 400 naming the JSON path and line; without, they are an `error`
/// result, as in a batch.
pub fn read_claims(
    body: &[u8],
    format: Option<InputFormat>,
    ndjson: bool,
    strict: bool,
) -> Result<(Vec<InputItem>, bool), ApiError> {
    let first = body
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(body)
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .copied();
    let format = format.or_else(|| InputFormat::detect(body));
    let items: Vec<InputItem> = Claims::new(body, format).take(MAX_CLAIMS + 1).collect();
    if items.len() > MAX_CLAIMS {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the body has more than {MAX_CLAIMS} claims; send them in several requests"),
        )
        .with("max_claims", MAX_CLAIMS));
    }
    // A body that is not an array, NDJSON or X12 is taken for one claim.
    let single = format != Some(InputFormat::X12) && first != Some(b'[') && !ndjson;
    let one = single && first == Some(b'{') && items.len() == 1;
    if strict && single && items.len() == 1 {
        if let Some(item) = items.first() {
            if let Err((id, errors)) = item.claim.normalized() {
                return Err(unreadable(id, &errors));
            }
        }
    }
    Ok((items, one))
}

/// 400 for a claim that does not read: the first error's message, JSON path and line, then
/// every error.
fn unreadable(id: Option<String>, errors: &[crate::ClaimError]) -> ApiError {
    let first = errors.first();
    let message = first.map_or_else(
        || "the claim does not read".to_string(),
        |e| format!("the claim does not read: {}", lowercase_first(&e.message)),
    );
    ApiError::bad_request(message)
        .with("path", json!(first.and_then(|e| e.path.clone())))
        .with("line", json!(first.and_then(|e| e.line)))
        .with("claim", json!(id))
        .with("errors", json!(errors))
}

/// The most claims a request judges on its own thread; more go to a pool of worker threads.
/// A pool, with its reader and writer threads, is started and stopped for each request that
/// uses one: for a claim or a few, that cost more than the judging, and hundreds of requests at
/// once kept hundreds of threads alive (docs/performance.md, `cargo bench --bench serve_load`).
pub const CLAIMS_ON_REQUEST_THREAD: usize = 64;

/// Judges `items` as `claimrules check --format json` does and returns what it writes (one
/// JSON array), with the run's tally. Blocking: call it off the async runtime. A few claims
/// without a history are judged on the calling thread, many on `threads` workers.
pub fn judge(
    engine: &Engine,
    items: Vec<InputItem>,
    explain: bool,
    threads: usize,
    history: Option<(&Mutex<Store>, bool)>,
) -> Result<(Vec<u8>, Summary), ApiError> {
    let options = BatchOptions {
        threads: threads.clamp(1, items.len().max(1)),
        eval: EvalOptions::default().with_explain(explain),
        format: OutputFormat::Json,
    };
    if history.is_none() && items.len() <= CLAIMS_ON_REQUEST_THREAD {
        return Ok(batch::run_here(engine, &items, options));
    }
    let stop = AtomicBool::new(false);
    let progress = Progress::default();
    let mut out = Vec::new();
    let outcome = match history {
        None => batch::run(
            engine,
            items.into_iter(),
            &mut out,
            options,
            &progress,
            &stop,
        ),
        Some((store, record)) => {
            let mut store = store.lock().unwrap_or_else(|e| e.into_inner());
            let run = HistoryRun {
                store: &mut store,
                record,
            };
            batch::run_with_history(
                engine,
                items.into_iter(),
                &mut out,
                options,
                &progress,
                &stop,
                Some(run),
            )
        }
    };
    match outcome {
        Ok(summary) => Ok((out, summary)),
        Err(BatchError::History(e)) => Err(ApiError::internal(format!(
            "the history store failed: {}",
            lowercase_first(&e.to_string())
        ))),
        Err(e) => Err(ApiError::internal(lowercase_first(&e.to_string()))),
    }
}

/// The one result of a one-claim array as `judge` wrote it (`[\n  {…}\n]\n`): the object, and
/// a line end.
pub fn only_result(mut array: Vec<u8>) -> Vec<u8> {
    if array.starts_with(b"[\n  ") && array.ends_with(b"\n]\n") {
        array.truncate(array.len() - 3);
        array.drain(..4);
        array.push(b'\n');
    }
    array
}

/// `POST /v1/check`.
pub async fn check(
    Shared(state): Shared<Arc<State>>,
    Query(query): Query<CheckQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let loaded = state.current().ok_or_else(ApiError::not_ready)?;
    let format = format_of(&headers);
    let ndjson = is_ndjson(&headers);
    let worker = Arc::clone(&state);
    let engine = Arc::clone(&loaded);
    let (bytes, one) = tokio::task::spawn_blocking(move || {
        let (items, one) = read_claims(&body, format, ndjson, true)?;
        let history = worker.history.as_ref().map(|h| (h, worker.record));
        let (array, summary) = judge(
            &engine.engine,
            items,
            query.explain,
            worker.threads,
            history,
        )?;
        worker.metrics.judged(&summary);
        Ok::<_, ApiError>((array, one))
    })
    .await
    .map_err(|e| ApiError::internal(format!("judging failed: {e}")))??;
    let bytes = if one { only_result(bytes) } else { bytes };
    let mut response = json_bytes(StatusCode::OK, bytes);
    if let Ok(value) = HeaderValue::from_str(&loaded.versions) {
        response.headers_mut().insert(PACKS_HEADER, value);
    }
    Ok(response)
}
