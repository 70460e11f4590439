//! The playground's files (`web/dist/`), embedded in the binary at build time.

use axum::body::Body;
use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use rust_embed::RustEmbed;

use super::errors::ApiError;

#[derive(RustEmbed)]
#[folder = "web/dist/"]
struct Playground;

/// The content type of a file, by its extension.
pub fn content_type(path: &str) -> &'static str {
    let extension = path.rsplit_once('.').map_or("", |(_, e)| e);
    match extension.to_ascii_lowercase().as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "ico" => "image/x-icon",
        "webp" => "image/webp",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "txt" | "policy" => "text/plain; charset=utf-8",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

fn file(path: &str) -> Response {
    let Some(found) = Playground::get(path) else {
        return ApiError::new(
            StatusCode::NOT_FOUND,
            format!("no playground file `{path}`"),
        )
        .into_response();
    };
    let mut response = Response::new(Body::from(found.data.into_owned()));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(path)),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// `GET /`: to the playground.
pub async fn root() -> Redirect {
    Redirect::temporary("/playground")
}

/// `GET /playground`: to `/playground/`, so that the page's relative links (`app.js`) lead to
/// its files.
pub async fn to_folder() -> Redirect {
    Redirect::permanent("/playground/")
}

/// `GET /playground/`: its page.
pub async fn index() -> Response {
    file("index.html")
}

/// `GET /playground/*path`: one of its files; a folder's `index.html`.
pub async fn asset(Path(path): Path<String>) -> Response {
    let path = path.trim_start_matches('/');
    if path.is_empty() || path.ends_with('/') {
        file(&format!("{path}index.html"))
    } else {
        file(path)
    }
}
