//! What the handlers share: the engine serving (swapped whole on reload), how to build another,
//! the history store, the admin token, the metrics.

use std::sync::{Arc, Mutex};

use arc_swap::ArcSwapOption;
use serde_json::Value;

use crate::inventory::{packs_json, InventoryError};
use crate::store::Store;
use crate::{Diagnostics, Engine, EngineBuilder};

use super::errors::ApiError;
use super::metrics::Metrics;

/// A builder of the packs the server was started with: called at start and at each reload, and
/// for each `/v1/try` (which layers the request's policy on top).
pub type Sources = Arc<dyn Fn() -> EngineBuilder + Send + Sync>;

/// An engine ready to serve, with what `/v1/packs` answers and the `claimrules-packs` header
/// of its results, both taken once when it loaded.
pub struct Loaded {
    pub engine: Engine,
    /// `packs --format json`.
    pub packs: Value,
    /// `name/version` of each pack, in load order, comma-separated.
    pub versions: String,
}

/// Why the packs did not load.
pub enum LoadError {
    /// A pack does not check: every diagnostic.
    Diagnostics(Diagnostics),
    /// A file could not be read again to list it.
    Inventory(String),
}

impl LoadError {
    /// The diagnostics as `lint --format json` gives them.
    pub fn diagnostics_json(&self) -> Vec<Value> {
        match self {
            LoadError::Diagnostics(d) => d.iter().map(crate::PolicyDiagnostic::to_json).collect(),
            LoadError::Inventory(message) => vec![serde_json::json!({
                "code": null,
                "severity": "error",
                "file": null,
                "line": null,
                "column": null,
                "message": message,
                "label": null,
                "help": null,
            })],
        }
    }

    /// Each diagnostic rendered as the command line shows them, for the log on stderr.
    pub fn render(&self) -> String {
        match self {
            LoadError::Diagnostics(d) => d.iter().map(|d| d.render(false, 100)).collect(),
            LoadError::Inventory(message) => format!("error: {message}\n"),
        }
    }
}

/// Builds the packs and lists them. Blocking: call it off the async runtime.
pub fn load(sources: &Sources) -> Result<Loaded, LoadError> {
    let engine = sources().build().map_err(LoadError::Diagnostics)?;
    // A server lives long and judges many claims: the map of every PTP pair to its rows
    // (about 50 MiB), which a batch builds only once enough pairs were searched, is built now,
    // before the engine serves, so that no request waits for it and memory stays flat after.
    for table in &engine.program().edit_tables {
        table.edits.build_pair_map();
    }
    let packs = packs_json(&engine).map_err(|e| match e {
        InventoryError::Hash(d) => LoadError::Diagnostics(Diagnostics(vec![d])),
        InventoryError::Table(message) => LoadError::Inventory(message),
    })?;
    let versions = engine
        .program()
        .packs
        .iter()
        .map(|p| match &p.version {
            Some(v) => format!("{}/{v}", p.name),
            None => p.name.to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ");
    Ok(Loaded {
        engine,
        packs,
        versions,
    })
}

/// The server's shared state.
pub struct State {
    /// `None` until the packs first load. A request loads it once and uses that engine
    /// throughout, so a reload never shows it half of one and half of another.
    pub loaded: ArcSwapOption<Loaded>,
    pub sources: Sources,
    /// Held for the length of a reload, so that reloads run one at a time.
    pub reloading: tokio::sync::Mutex<()>,
    /// The history store (`--history`), one request at a time.
    pub history: Option<Mutex<Store>>,
    /// `--record`.
    pub record: bool,
    /// The admin bearer token; `None` turns the admin endpoints off.
    pub admin_token: Option<Vec<u8>>,
    pub metrics: Metrics,
    /// Worker threads judging one request's claims.
    pub threads: usize,
    /// Engines built for `/v1/lint` and `/v1/try` at once: as many as `threads`, so that a
    /// burst of keystrokes waits its turn rather than starting a build each on the blocking pool.
    /// The blocking work holds its turn until it ends, even when its request has timed out or
    /// its client has gone: the work is not cancelled, so its turn must not be given away early.
    pub builds: Arc<tokio::sync::Semaphore>,
}

impl State {
    /// The engine serving, if the packs have loaded.
    pub fn current(&self) -> Option<Arc<Loaded>> {
        self.loaded.load_full()
    }

    /// A turn to build an engine for a request, to move into the blocking work that builds it;
    /// 503 if the server is shutting the pool down.
    pub async fn build_turn(&self) -> Result<tokio::sync::OwnedSemaphorePermit, ApiError> {
        Arc::clone(&self.builds).acquire_owned().await.map_err(|_| {
            ApiError::new(
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "the server is stopping",
            )
        })
    }

    /// Puts a newly loaded engine in service.
    pub fn install(&self, loaded: Loaded) {
        self.metrics.packs_loaded(&loaded.engine.program().packs);
        self.loaded.store(Some(Arc::new(loaded)));
    }
}
