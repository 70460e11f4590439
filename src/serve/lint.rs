//! `/v1/lint` and `/v1/try`: a policy written in the playground, checked as `claimrules lint`
//! checks a policy file, layered on the packs the server loaded; `/v1/try` also judges claims
//! with it.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State as Shared;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{json, Value};

use crate::input::InputFormat;
use crate::PolicyDiagnostic;

use super::check::{judge, read_claims};
use super::errors::{json_bytes, json_response, read_json, ApiError};
use super::state::State;

/// The file name a policy gets when the request names none.
pub const DEFAULT_PATH: &str = "playground.policy";

#[derive(Debug, Deserialize)]
struct LintRequest {
    policy: String,
    #[serde(default)]
    path: Option<String>,
}

#[derive(Debug, Deserialize)]
struct TryRequest {
    policy: String,
    #[serde(default)]
    path: Option<String>,
    claims: Box<RawValue>,
    #[serde(default)]
    explain: bool,
}

/// The name the policy is known by in diagnostics: the last part of the path given, so that
/// a request cannot name a file elsewhere.
fn policy_name(path: Option<&str>) -> String {
    path.and_then(|p| p.rsplit(['/', '\\']).next())
        .map(str::trim)
        .filter(|name| !name.is_empty() && *name != "." && *name != "..")
        .unwrap_or(DEFAULT_PATH)
        .to_string()
}

/// A diagnostic as the API gives it: `lint --format json`'s fields, and where its span ends.
pub fn diagnostic_json(d: &PolicyDiagnostic) -> Value {
    let mut value = d.to_json();
    let (end_line, end_column) = d.end_position().unzip();
    if let Value::Object(map) = &mut value {
        map.insert("end_line".into(), json!(end_line));
        map.insert("end_column".into(), json!(end_column));
    }
    value
}

/// `{"diagnostics": […], "errors": N, "warnings": M}`.
fn report(diagnostics: &[PolicyDiagnostic]) -> Value {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    json!({
        "diagnostics": diagnostics.iter().map(diagnostic_json).collect::<Vec<_>>(),
        "errors": errors,
        "warnings": diagnostics.len() - errors,
    })
}

/// `POST /v1/lint`.
pub async fn lint(Shared(state): Shared<Arc<State>>, body: Bytes) -> Result<Response, ApiError> {
    let request: LintRequest = read_json(&body)?;
    let name = policy_name(request.path.as_deref());
    let turn = state.build_turn().await?;
    let worker = Arc::clone(&state);
    let diagnostics = tokio::task::spawn_blocking(move || {
        // Held until the build ends, not until the request does (a timeout does not stop it).
        let _turn = turn;
        let builder = (worker.sources)().policy(name, request.policy);
        crate::testing::lint(builder, &[])
    })
    .await
    .map_err(|e| ApiError::internal(format!("linting failed: {e}")))?;
    Ok(json_response(StatusCode::OK, &report(&diagnostics)))
}

/// `POST /v1/try`.
pub async fn try_policy(
    Shared(state): Shared<Arc<State>>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let request: TryRequest = read_json(&body)?;
    let name = policy_name(request.path.as_deref());
    let turn = state.build_turn().await?;
    let worker = Arc::clone(&state);
    let bytes = tokio::task::spawn_blocking(move || {
        // Held until the claims are judged, not until the request ends (a timeout does not
        // stop the work).
        let _turn = turn;
        let builder = (worker.sources)().policy(name, request.policy);
        let (diagnostics, results) = match builder.build() {
            Ok(engine) => {
                let diagnostics: Vec<PolicyDiagnostic> =
                    engine.warnings().iter().cloned().collect();
                let (items, _) = read_claims(
                    request.claims.get().as_bytes(),
                    Some(InputFormat::Json),
                    false,
                    false,
                )?;
                let (array, summary) =
                    judge(&engine, items, request.explain, worker.threads, None)?;
                worker.metrics.judged(&summary);
                (diagnostics, array)
            }
            Err(failed) => (failed.0, b"[]".to_vec()),
        };
        let mut out = Vec::with_capacity(results.len() + 256);
        out.extend_from_slice(b"{\"diagnostics\":");
        let items: Vec<Value> = diagnostics.iter().map(diagnostic_json).collect();
        serde_json::to_writer(&mut out, &items)
            .map_err(|e| ApiError::internal(format!("cannot write the diagnostics: {e}")))?;
        out.extend_from_slice(b",\"results\":");
        out.extend_from_slice(results.trim_ascii_end());
        out.extend_from_slice(b"}\n");
        Ok::<_, ApiError>(out)
    })
    .await
    .map_err(|e| ApiError::internal(format!("trying the policy failed: {e}")))??;
    Ok(json_bytes(StatusCode::OK, bytes))
}
