//! `serve --ui DIR`: the built web UI's static files at `/`, with the desktop app's
//! Content-Security-Policy (tauri.conf.json, `connect-src` being this origin instead of Tauri's
//! IPC). Only files below DIR are served: no `..`, no hidden files, no directory listings, and
//! the canonical path must stay inside the canonical DIR (symlinks out are refused).

use std::path::{Component, Path, PathBuf};

use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS};
use axum::http::{HeaderName, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

/// The app's CSP (SECURITY.md S8). `'unsafe-inline'` styles only: Plotly sets style attributes.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; \
base-uri 'none'; form-action 'none'; frame-src 'none'; frame-ancestors 'none'";

/// The file under `root` that `uri` names, if it is one we may serve.
fn resolve(root: &Path, uri: &Uri) -> Option<PathBuf> {
    let path = uri.path().trim_start_matches('/');
    let path = if path.is_empty() { "index.html" } else { path };
    let relative = Path::new(path);
    let plain = relative.components().all(|c| match c {
        Component::Normal(part) => part.to_str().is_some_and(|p| !p.starts_with('.')),
        _ => false,
    });
    if !plain || path.contains('\\') {
        return None;
    }
    let root = root.canonicalize().ok()?;
    let file = root.join(relative).canonicalize().ok()?;
    (file.starts_with(&root) && file.is_file()).then_some(file)
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// `Some(response)` for a file of the UI; `None` when `uri` names none (the caller says 404).
pub async fn file(root: &Path, uri: &Uri) -> Option<Response> {
    let file = resolve(root, uri)?;
    let body = tokio::fs::read(&file).await.ok()?;
    let cache = if file.extension().is_some_and(|e| e == "html") {
        "no-cache"
    } else {
        "public, max-age=3600"
    };
    let headers = [
        (CONTENT_TYPE, HeaderValue::from_static(content_type(&file))),
        (
            HeaderName::from_static("content-security-policy"),
            HeaderValue::from_static(CSP),
        ),
        (X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        (REFERRER_POLICY, HeaderValue::from_static("no-referrer")),
        (CACHE_CONTROL, HeaderValue::from_static(cache)),
    ];
    Some((StatusCode::OK, headers, body).into_response())
}
