//! The admin endpoints: a bearer token read from `--admin-token-file`, compared in constant
//! time; without one, they are off (403). `/v1/admin/reload` and SIGHUP rebuild the engine from
//! the same sources and swap it in whole, one reload at a time.

use std::sync::Arc;

use axum::extract::State as Shared;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};
use subtle::ConstantTimeEq;

use super::errors::{json_response, ApiError};
use super::state::{load, State};

/// Whether the request carries the admin token: `Ok` if so, else the answer (403 when no token
/// is configured, 401 when the token is missing or wrong).
pub fn authorize(state: &State, headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(expected) = &state.admin_token else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "the admin endpoints are off: start the server with --admin-token-file",
        ));
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let Some(given) = given else {
        return Err(unauthorized(
            "a bearer token is needed: `Authorization: Bearer TOKEN`",
        ));
    };
    if bool::from(given.as_bytes().ct_eq(expected)) {
        Ok(())
    } else {
        Err(unauthorized("the bearer token is wrong"))
    }
}

fn unauthorized(message: &str) -> ApiError {
    let mut error = ApiError::new(StatusCode::UNAUTHORIZED, message);
    error
        .fields
        .insert("scheme".into(), Value::String("Bearer".into()));
    error
}

/// Rebuilds the engine and swaps it in, or keeps the one serving when the packs do not check:
/// the status and the body to answer. Reloads run one at a time; the building runs off the
/// async runtime.
pub async fn reload(state: &Arc<State>) -> (StatusCode, Value) {
    let _one_at_a_time = state.reloading.lock().await;
    let sources = Arc::clone(&state.sources);
    let loaded = tokio::task::spawn_blocking(move || load(&sources)).await;
    match loaded {
        Ok(Ok(loaded)) => {
            let packs = loaded.packs.clone();
            state.install(loaded);
            state.metrics.reload(true);
            eprintln!("reloaded the packs");
            (StatusCode::OK, json!({ "reloaded": true, "packs": packs }))
        }
        Ok(Err(failed)) => {
            state.metrics.reload(false);
            eprint!("{}", failed.render());
            eprintln!("error: the packs do not load; the packs loaded before keep serving");
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({
                    "reloaded": false,
                    "error": "the packs do not load; the packs loaded before keep serving",
                    "diagnostics": failed.diagnostics_json(),
                }),
            )
        }
        Err(e) => {
            state.metrics.reload(false);
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({ "reloaded": false, "error": format!("the reload failed: {e}") }),
            )
        }
    }
}

/// `POST /v1/admin/reload`.
pub async fn reload_endpoint(
    Shared(state): Shared<Arc<State>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    authorize(&state, &headers)?;
    let (status, body) = reload(&state).await;
    Ok(json_response(status, &body))
}
