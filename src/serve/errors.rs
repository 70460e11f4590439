//! Errors as the server answers them: a status and a JSON body `{"error": "…", …}`, the message
//! in lower case.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

/// An error answer: its status, its message, and any other fields of its body.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    pub fields: Map<String, Value>,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
            fields: Map::new(),
        }
    }

    /// 400: a request the server cannot read.
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    /// 503: the packs are still loading.
    pub fn not_ready() -> Self {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "the packs are still loading; try again when /readyz answers 200",
        )
    }

    /// 500: something the server should have done failed.
    pub fn internal(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }

    /// Adds a field to the body.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.fields.insert(key.to_string(), value.into());
        self
    }

    /// A JSON body that does not parse or does not fit: serde's message, with the JSON path
    /// (`.` for the whole body), the line and the column.
    pub fn bad_json(e: &serde_path_to_error::Error<serde_json::Error>) -> Self {
        let inner = e.inner();
        ApiError::bad_request(format!("the body is not valid JSON: {inner}"))
            .with("path", e.path().to_string())
            .with("line", inner.line())
            .with("column", inner.column())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = Map::new();
        body.insert("error".to_string(), Value::String(self.message));
        body.extend(self.fields);
        json_response(self.status, &Value::Object(body))
    }
}

/// A JSON answer with this status.
pub fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut bytes = serde_json::to_vec(body).unwrap_or_default();
    bytes.push(b'\n');
    json_bytes(status, bytes)
}

/// JSON already written, with this status.
pub fn json_bytes(status: StatusCode, bytes: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// Middleware: an error answer that is not JSON (an unknown route, a method not allowed, a body
/// over the limit, a request timed out, an extractor's rejection) gets a JSON body instead,
/// `{"error": "…"}`, with the same status.
pub async fn json_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (parts, body) = response.into_parts();
    let detail = axum::body::to_bytes(body, 64 << 10)
        .await
        .ok()
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .filter(|text| !text.is_empty());
    let reason = status
        .canonical_reason()
        .unwrap_or("error")
        .to_ascii_lowercase();
    let message = match status {
        StatusCode::PAYLOAD_TOO_LARGE => {
            "the body is over the size limit (--max-body-bytes)".to_string()
        }
        StatusCode::REQUEST_TIMEOUT => {
            "the request took longer than the time limit (--request-timeout-secs)".to_string()
        }
        StatusCode::NOT_FOUND => "no such endpoint".to_string(),
        _ => match detail {
            Some(detail) => lowercase_first(&detail),
            None => reason,
        },
    };
    let mut response = ApiError::new(status, message).into_response();
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            response.headers_mut().insert(name.clone(), value.clone());
        }
    }
    response
}

/// Reads a JSON body into `T`, or a 400 naming where it went wrong.
pub fn read_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value: T =
        serde_path_to_error::deserialize(&mut deserializer).map_err(|e| ApiError::bad_json(&e))?;
    deserializer.end().map_err(|e| {
        ApiError::bad_request(format!("the body is not valid JSON: {e}"))
            .with("path", ".")
            .with("line", e.line())
            .with("column", e.column())
    })?;
    Ok(value)
}

/// The message with its first letter in lower case, as every error message of the server.
pub fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
