//! `claimrules serve`: the engine behind an HTTP API (docs/serve.md).
//!
//! The server binds first and says where (`listening on http://ADDR:PORT` on stderr), then
//! loads the packs in the background: `/healthz` answers at once, `/readyz` once the packs
//! load. Claims are judged off the async runtime (`spawn_blocking`, then `batch::run`'s worker
//! pool), by the same code and into the same JSON as `claimrules check --format json`. A
//! reload builds a new engine from the same sources and swaps it in whole (`arc-swap`): each
//! request loads the engine once and keeps it to the end, so none sees half of one and half of
//! another. SIGTERM and Ctrl-C stop accepting, let the requests in flight finish, and end the
//! process with 0.

mod admin;
mod assets;
mod check;
mod errors;
mod lint;
mod metrics;
mod state;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use arc_swap::ArcSwapOption;
use axum::extract::{DefaultBodyLimit, Request, State as Shared};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::json;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

pub use check::PACKS_HEADER;
pub use lint::DEFAULT_PATH;
pub use state::Sources;

use crate::store::Store;
use errors::{json_response, ApiError};
use metrics::{route_of, Metrics};
use state::{load, State};

/// The body limit when none is given: 16 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 16 << 20;
/// The request time limit when none is given.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// How the server runs.
pub struct Config {
    /// Where to listen; port 0 picks a free one.
    pub listen: SocketAddr,
    /// The packs and tables to load, as `check` loads them.
    pub sources: Sources,
    /// The history store (`--history`), and whether to record (`--record`).
    pub history: Option<Store>,
    pub record: bool,
    /// The admin bearer token; `None` turns the admin endpoints off.
    pub admin_token: Option<Vec<u8>>,
    pub max_body_bytes: usize,
    pub request_timeout: Duration,
    /// Worker threads judging one request's claims.
    pub threads: usize,
}

/// Why the server stopped other than by a signal.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("the server failed: {0}")]
    Serve(std::io::Error),
    /// The packs did not load at start; their diagnostics were written to stderr.
    #[error("the policies do not load")]
    Load,
}

/// Runs the server until SIGTERM or Ctrl-C (`Ok`), or until it cannot go on.
pub fn run(config: Config) -> Result<(), ServeError> {
    // Judging runs on the blocking pool. Bounded near the cores, requests beyond it wait in
    // the queue rather than each getting a thread of its own: 64 connections kept 239 threads
    // busy on 2 cores, and their switching cost the p99 latency.
    let blocking = config.threads.max(1) * 2 + 2;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(blocking)
        .thread_name("claimrules-serve")
        .build()
        .map_err(ServeError::Runtime)?;
    runtime.block_on(serve(config))
}

async fn serve(config: Config) -> Result<(), ServeError> {
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| ServeError::Bind {
            addr: config.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(ServeError::Serve)?;
    let state = Arc::new(State {
        loaded: ArcSwapOption::empty(),
        sources: config.sources,
        reloading: tokio::sync::Mutex::new(()),
        history: config.history.map(Mutex::new),
        record: config.record,
        admin_token: config.admin_token,
        metrics: Metrics::new(),
        threads: config.threads.max(1),
        builds: Arc::new(tokio::sync::Semaphore::new(config.threads.max(1))),
    });
    let app = router(
        Arc::clone(&state),
        config.max_body_bytes,
        config.request_timeout,
    );
    eprintln!("listening on http://{addr}");

    let (failed_tx, failed_rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(first_load(Arc::clone(&state), failed_tx));
    tokio::spawn(reload_on_hangup(Arc::clone(&state)));

    let load_failed = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop = {
        let load_failed = Arc::clone(&load_failed);
        async move {
            tokio::select! {
                () = shutdown_signal() => {}
                Ok(()) = failed_rx => {
                    load_failed.store(true, std::sync::atomic::Ordering::SeqCst);
                }
            }
        }
    };
    accept(listener, app, stop).await;
    if load_failed.load(std::sync::atomic::Ordering::SeqCst) {
        return Err(ServeError::Load);
    }
    Ok(())
}

/// How long a connection may take to send a request's headers, counted from when the server
/// waits for them (on a kept-alive connection, from the end of its last answer): a connection
/// that trickles its headers, or says nothing, is closed after it rather than held open.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves connections until `stop` ends, then lets each finish the request it is answering.
/// Hyper's own connections rather than `axum::serve`, which runs them without a timer and so
/// with no time limit on reading headers.
async fn accept(
    listener: tokio::net::TcpListener,
    app: Router,
    stop: impl std::future::Future<Output = ()>,
) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::server::graceful::GracefulShutdown;
    use hyper_util::service::TowerToHyperService;

    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    tokio::pin!(stop);
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let service = TowerToHyperService::new(app.clone());
                    let connection = graceful.watch(
                        http.serve_connection(TokioIo::new(stream), service),
                    );
                    tokio::spawn(async move {
                        // A connection's own failure (reset, timed out) ends only it.
                        let _ = connection.await;
                    });
                }
                // Out of file descriptors, say: wait a little rather than spin, then go on.
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            },
            () = &mut stop => break,
        }
    }
    drop(listener);
    graceful.shutdown().await;
}

/// Loads the packs for the first time, off the runtime; on failure writes the diagnostics and
/// has the server stop.
async fn first_load(state: Arc<State>, failed: tokio::sync::oneshot::Sender<()>) {
    let _one_at_a_time = state.reloading.lock().await;
    let sources = Arc::clone(&state.sources);
    let started = Instant::now();
    match tokio::task::spawn_blocking(move || load(&sources)).await {
        Ok(Ok(loaded)) => {
            let warnings = loaded.engine.warnings().len();
            if warnings > 0 {
                eprintln!(
                    "warning: the packs load with {warnings} warning(s); `claimrules lint` \
                     shows them"
                );
            }
            eprintln!(
                "ready: {} ({:.2} s)",
                loaded.versions,
                started.elapsed().as_secs_f64()
            );
            state.install(loaded);
        }
        Ok(Err(e)) => {
            eprint!("{}", e.render());
            eprintln!("error: the policies do not load");
            let _ = failed.send(());
        }
        Err(e) => {
            eprintln!("error: loading the packs failed: {e}");
            let _ = failed.send(());
        }
    }
}

/// SIGHUP reloads the packs, as `/v1/admin/reload` does.
async fn reload_on_hangup(state: Arc<State>) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let Ok(mut hangups) = signal(SignalKind::hangup()) else {
            eprintln!("warning: cannot listen for SIGHUP; reload with POST /v1/admin/reload");
            return;
        };
        while hangups.recv().await.is_some() {
            let _ = admin::reload(&state).await;
        }
    }
    #[cfg(not(unix))]
    {
        let _ = state;
    }
}

/// Resolves on SIGTERM or Ctrl-C (SIGINT).
async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    eprintln!("shutting down: finishing the requests in flight");
}

/// Every route, with the limits, the metrics and JSON errors around them.
fn router(state: Arc<State>, max_body_bytes: usize, timeout: Duration) -> Router {
    Router::new()
        .route("/", get(assets::root))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_text))
        .route("/v1/check", post(check::check))
        .route("/v1/packs", get(packs))
        .route("/v1/lint", post(lint::lint))
        .route("/v1/try", post(lint::try_policy))
        .route("/v1/admin/reload", post(admin::reload_endpoint))
        .route("/playground", get(assets::to_folder))
        .route("/playground/", get(assets::index))
        .route("/playground/{*path}", get(assets::asset))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .layer(RequestBodyLimitLayer::new(max_body_bytes))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(middleware::from_fn(errors::json_errors))
        .layer(middleware::from_fn_with_state(Arc::clone(&state), track))
        .with_state(state)
}

/// Middleware: counts each request by route and status, and times it.
async fn track(Shared(state): Shared<Arc<State>>, request: Request, next: Next) -> Response {
    let route = route_of(request.uri().path());
    let started = Instant::now();
    let response = next.run(request).await;
    state
        .metrics
        .request(route, response.status().as_u16(), started.elapsed());
    response
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "no such endpoint")
}

/// `GET /healthz`: 200 while the process runs.
async fn healthz() -> Response {
    json_response(StatusCode::OK, &json!({ "status": "ok" }))
}

/// `GET /readyz`: 503 until the packs and tables load, then 200.
async fn readyz(Shared(state): Shared<Arc<State>>) -> Response {
    match state.current() {
        Some(loaded) => json_response(
            StatusCode::OK,
            &json!({ "status": "ready", "packs": loaded.versions }),
        ),
        None => json_response(
            StatusCode::SERVICE_UNAVAILABLE,
            &json!({ "status": "loading", "error": "the packs are still loading" }),
        ),
    }
}

/// `GET /metrics`: the Prometheus text format.
async fn metrics_text(Shared(state): Shared<Arc<State>>) -> Response {
    let mut response = state.metrics.render().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}

/// `GET /v1/packs`: what `claimrules packs --format json` prints.
async fn packs(Shared(state): Shared<Arc<State>>) -> Result<Response, ApiError> {
    let loaded = state.current().ok_or_else(ApiError::not_ready)?;
    let mut bytes = serde_json::to_vec_pretty(&loaded.packs)
        .map_err(|e| ApiError::internal(format!("cannot write the packs: {e}")))?;
    bytes.push(b'\n');
    let mut response = errors::json_bytes(StatusCode::OK, bytes);
    if let Ok(value) = HeaderValue::from_str(&loaded.versions) {
        response.headers_mut().insert(PACKS_HEADER, value);
    }
    Ok(response)
}
