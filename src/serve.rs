//! `sightline serve`: the local HTTP API of CONTRACT.md (axum).
//!
//! Handlers are adapters: JSON in, one engine call, the answer out. The [`guard`] middleware
//! refuses browser cross-origin requests (an `Origin` outside the allow-list, or a `Host` that is
//! not this server, which is how DNS rebinding shows), and grants CORS only to the allowed origins.
//! With `--ui DIR` the built web UI is served at `/` ([`ui`]); its own requests are same-origin.

mod ui;

use std::collections::{BTreeMap, HashSet};
use std::io::{self, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::Uri;
use axum::http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_MAX_AGE, HOST, ORIGIN, VARY,
};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use sightline_analytics::AnalysisType;
use sightline_engine::pipeline::agents::FollowUp;
use sightline_engine::settings::Author;
use sightline_engine::{
    AnalyzeRequest, Answer, AnswerError, AskRequest, CancelToken, DEFAULT_MAX_ROWS, Engine,
    EngineConfig, EngineError, ErrorKind, NullSink,
};
use sightline_sandbox::{
    DockerSettings, PoolSettings, SandboxError, SandboxErrorKind, SandboxRequest, SandboxResult,
    SandboxStatus, Sandboxes,
};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::args::ServeOptions;
use crate::outcome::failed_answer;

/// Largest request body accepted.
const BODY_LIMIT: usize = 1024 * 1024;
/// Questions answered at once; more wait their turn.
const CONCURRENT_QUESTIONS: usize = 4;

/// What every handler shares.
struct AppState {
    engine: Engine,
    origins: HashSet<String>,
    /// `None` when bound to an unspecified address, where any Host may be legitimate.
    hosts: Option<HashSet<String>>,
    permits: Semaphore,
    /// `POST /sandbox/run` goes through one warm pool, made at the first request.
    sandboxes: Arc<Sandboxes>,
    /// The built web UI served at `/` (`--ui DIR`).
    ui: Option<PathBuf>,
}

/// Binds, prints `listening on http://HOST:PORT`, and serves until Ctrl-C.
pub async fn run(options: ServeOptions) -> anyhow::Result<()> {
    let listener = TcpListener::bind((options.bind, options.port))
        .await
        .with_context(|| format!("Could not listen on {}:{}", options.bind, options.port))?;
    let address = listener
        .local_addr()
        .context("Could not read the bound address")?;
    let state = state(address, options.ui);
    let sandboxes = SandboxesOnShutdown(state.clone());
    let app = router(state);
    let mut stdout = io::stdout().lock();
    writeln!(stdout, "listening on http://{address}")?;
    stdout.flush()?;
    drop(stdout);
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("The HTTP server stopped");
    sandboxes.shutdown().await;
    served
}

fn state(address: SocketAddr, ui: Option<PathBuf>) -> Arc<AppState> {
    let port = address.port();
    let origins = [
        format!("http://127.0.0.1:{port}"),
        format!("http://localhost:{port}"),
        "tauri://localhost".to_string(),
        "http://tauri.localhost".to_string(),
    ];
    let hosts = (!address.ip().is_unspecified()).then(|| {
        let mut hosts: HashSet<String> = ["127.0.0.1", "localhost", "[::1]"]
            .iter()
            .map(|h| format!("{h}:{port}"))
            .collect();
        hosts.insert(address.to_string());
        hosts
    });
    Arc::new(AppState {
        engine: Engine::new(EngineConfig::default()),
        origins: origins.into_iter().collect(),
        hosts,
        permits: Semaphore::new(CONCURRENT_QUESTIONS),
        sandboxes: Arc::new(Sandboxes::new(
            DockerSettings::default(),
            PoolSettings::default(),
        )),
        ui,
    })
}

/// Removes the warm spares once the server has stopped.
struct SandboxesOnShutdown(Arc<AppState>);

impl SandboxesOnShutdown {
    async fn shutdown(&self) {
        self.0.sandboxes.shutdown().await;
    }
}

fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/query/analytics", post(query_analytics))
        .route("/sandbox/run", post(sandbox_run))
        .route("/sandbox/status", get(sandbox_status))
        .route("/schema", post(schema))
        .route("/analyze", post(analyze))
        .fallback(fallback)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn_with_state(state.clone(), guard))
        .with_state(state)
}

/// Ctrl-C, or SIGTERM where there is one: stop accepting, finish what is in flight, exit.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut stream) => {
                stream.recv().await;
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
}

/// The body of `POST /query/analytics`.
#[derive(Debug, Deserialize)]
struct QueryBody {
    query: String,
    database: String,
    glossary: Option<PathBuf>,
    max_rows: Option<usize>,
    /// A model profile, as `--llm`; offline when absent.
    llm: Option<String>,
    /// The question this one follows up, with the SQL that answered it.
    follow_up: Option<FollowUp>,
}

async fn query_analytics(
    State(state): State<Arc<AppState>>,
    body: Result<Json<QueryBody>, JsonRejection>,
) -> Response {
    let body = match body {
        Ok(Json(body)) => body,
        Err(rejection) => return rejected(&rejection),
    };
    let (question, database) = (body.query.clone(), body.database.clone());
    let mut request = AskRequest {
        question: body.query,
        database: body.database,
        glossary: body.glossary,
        model: None,
        schema_only: true,
        follow_up: body.follow_up,
        chart_author: Author::Native,
        analyst: None,
        max_rows: body.max_rows.unwrap_or(DEFAULT_MAX_ROWS),
    };
    if let Some(profile) = body.llm.as_deref()
        && let Err(error) =
            crate::llm::use_profile(&mut request, profile, || state.sandboxes.clone())
    {
        let answer = failed_answer(Some(question), database, error);
        return (answer_status(&answer), Json(answer)).into_response();
    }
    answering(&state, Some(question), database, |cancel| {
        state.engine.ask(request, Arc::new(NullSink), cancel)
    })
    .await
}

/// Runs one engine call that answers with an [`Answer`]: under the server's bound on concurrent
/// questions, cancelled when the client goes away (the handler's future is dropped with the
/// `CancelOnDrop`), an engine error turned into an answer that carries it.
async fn answering<F, Fut>(
    state: &AppState,
    question: Option<String>,
    database: String,
    run: F,
) -> Response
where
    F: FnOnce(CancelToken) -> Fut,
    Fut: std::future::Future<Output = Result<Answer, EngineError>>,
{
    let Ok(_permit) = state.permits.acquire().await else {
        return error_response(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorKind::Internal,
            "The server is stopping.",
        );
    };
    let cancel = CancelOnDrop(CancelToken::new());
    let answer = run(cancel.0.clone())
        .await
        .unwrap_or_else(|error| failed_answer(question, database, error));
    (answer_status(&answer), Json(answer)).into_response()
}

/// The body of `POST /schema`.
#[derive(Debug, Deserialize)]
struct SchemaBody {
    database: String,
}

async fn schema(
    State(state): State<Arc<AppState>>,
    body: Result<Json<SchemaBody>, JsonRejection>,
) -> Response {
    let body = match body {
        Ok(Json(body)) => body,
        Err(rejection) => return rejected(&rejection),
    };
    match state.engine.schema(&body.database).await {
        Ok(schema) => Json(schema).into_response(),
        Err(error) => {
            let status = kind_status(error.kind);
            (status, Json(json!({ "error": AnswerError::from(error) }))).into_response()
        }
    }
}

/// The body of `POST /analyze`: `sightline analyze`'s flags as JSON.
#[derive(Debug, Deserialize)]
struct AnalyzeBody {
    database: String,
    sql: String,
    #[serde(rename = "type")]
    analysis: AnalysisType,
    target: Option<String>,
    date_column: Option<String>,
    horizon: Option<usize>,
    method: Option<String>,
    threshold: Option<f64>,
    season_length: Option<usize>,
    glossary: Option<PathBuf>,
    max_rows: Option<usize>,
}

async fn analyze(
    State(state): State<Arc<AppState>>,
    body: Result<Json<AnalyzeBody>, JsonRejection>,
) -> Response {
    let body = match body {
        Ok(Json(body)) => body,
        Err(rejection) => return rejected(&rejection),
    };
    let database = body.database.clone();
    let request = AnalyzeRequest {
        analysis: body.analysis,
        database: body.database,
        sql: body.sql,
        target: body.target,
        date_column: body.date_column,
        horizon: body.horizon,
        method: body.method,
        threshold: body.threshold,
        season_length: body.season_length,
        glossary: body.glossary,
        max_rows: body.max_rows.unwrap_or(DEFAULT_MAX_ROWS),
    };
    answering(&state, None, database, |cancel| {
        state.engine.analyze(request, Arc::new(NullSink), cancel)
    })
    .await
}

/// `GET /sandbox/status`: whether Docker answers, the image is there, the restricted mode works.
async fn sandbox_status() -> Json<SandboxStatus> {
    Json(sightline_sandbox::status(&DockerSettings::default()).await)
}

/// The body of `POST /sandbox/run` (CONTRACT.md).
#[derive(Debug, Deserialize)]
struct SandboxBody {
    code: String,
    #[serde(default)]
    data: BTreeMap<String, String>,
    mode: Option<String>,
    timeout: Option<u64>,
    memory: Option<String>,
}

async fn sandbox_run(
    State(state): State<Arc<AppState>>,
    body: Result<Json<SandboxBody>, JsonRejection>,
) -> Response {
    let body = match body {
        Ok(Json(body)) => body,
        Err(rejection) => return rejected(&rejection),
    };
    let result = match sandbox_request(body) {
        Ok(request) => state.sandboxes.run(&request).await,
        Err(e) => SandboxResult::failed(e, None, std::time::Instant::now()),
    };
    let status = match result.failure.as_ref().map(SandboxError::kind) {
        None => StatusCode::OK,
        Some(SandboxErrorKind::SandboxUnavailable) => StatusCode::SERVICE_UNAVAILABLE,
        Some(SandboxErrorKind::Internal) => StatusCode::INTERNAL_SERVER_ERROR,
        Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
    };
    (status, Json(result)).into_response()
}

fn sandbox_request(body: SandboxBody) -> Result<SandboxRequest, SandboxError> {
    let mut request = SandboxRequest::new(body.code);
    request.data = body.data.into_iter().collect();
    if let Some(mode) = body.mode {
        request.mode = mode.parse()?;
    }
    if let Some(secs) = body.timeout {
        request.timeout = std::time::Duration::from_secs(secs);
    }
    if let Some(memory) = body.memory {
        request.memory = sightline_sandbox::parse_memory(&memory)?;
    }
    Ok(request)
}

async fn health() -> Json<serde_json::Value> {
    Json(json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")}))
}

/// A file of the web UI (`--ui`) for GET and HEAD, otherwise a JSON 404.
async fn fallback(State(state): State<Arc<AppState>>, method: Method, uri: Uri) -> Response {
    if let Some(root) = state.ui.as_deref()
        && (method == Method::GET || method == Method::HEAD)
        && let Some(response) = ui::file(root, &uri).await
    {
        return response;
    }
    error_response(
        StatusCode::NOT_FOUND,
        ErrorKind::BadInput,
        "No such endpoint: use POST /query/analytics, POST /analyze, POST /schema, POST /sandbox/run, GET /sandbox/status or GET /health.",
    )
}

async fn method_not_allowed() -> Response {
    error_response(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorKind::BadInput,
        "This endpoint does not accept that method.",
    )
}

/// 200 for an answer, 422 when the user's input was at fault, 500 for our own fault.
fn answer_status(answer: &Answer) -> StatusCode {
    answer.error_kind().map_or(StatusCode::OK, kind_status)
}

/// 422 when the user's input was at fault, 500 for our own fault.
fn kind_status(kind: ErrorKind) -> StatusCode {
    if kind.is_user_fault() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::INTERNAL_SERVER_ERROR
    }
}

/// A body that was not the JSON we expect.
fn rejected(rejection: &JsonRejection) -> Response {
    let (status, message) = match rejection {
        JsonRejection::MissingJsonContentType(_) => (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Send the request body as JSON with `Content-Type: application/json`.".to_string(),
        ),
        JsonRejection::JsonDataError(e) => (
            StatusCode::BAD_REQUEST,
            format!(
                "The request body is JSON but not a query: {}",
                e.body_text()
            ),
        ),
        JsonRejection::JsonSyntaxError(e) => (
            StatusCode::BAD_REQUEST,
            format!("The request body is not valid JSON: {}", e.body_text()),
        ),
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => (
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "The request body is larger than {} MiB.",
                BODY_LIMIT / (1024 * 1024)
            ),
        ),
        other => (other.status(), other.body_text()),
    };
    error_response(status, ErrorKind::BadInput, &message)
}

/// `{"error": {"stage": null, "kind", "message"}}` with `status`.
fn error_response(status: StatusCode, kind: ErrorKind, message: &str) -> Response {
    let error = AnswerError::from(EngineError::new(kind, message));
    (status, Json(json!({ "error": error }))).into_response()
}

/// Refuses foreign origins and hosts; answers allowed preflights; adds CORS for allowed origins.
async fn guard(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    if let (Some(hosts), Some(host)) = (&state.hosts, request.headers().get(HOST))
        && !host
            .to_str()
            .is_ok_and(|h| hosts.contains(&h.to_ascii_lowercase()))
    {
        return forbidden("This server only answers requests addressed to 127.0.0.1 or localhost.");
    }
    let Some(origin) = request.headers().get(ORIGIN).cloned() else {
        return next.run(request).await;
    };
    if !origin.to_str().is_ok_and(|o| state.origins.contains(o)) {
        return forbidden("Cross-origin requests from this origin are not allowed.");
    }
    let mut response = if request.method() == Method::OPTIONS {
        let mut preflight = StatusCode::NO_CONTENT.into_response();
        let headers = preflight.headers_mut();
        headers.insert(
            ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST"),
        );
        headers.insert(
            ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("content-type"),
        );
        headers.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
        preflight
    } else {
        next.run(request).await
    };
    response
        .headers_mut()
        .insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    response
        .headers_mut()
        .append(VARY, HeaderValue::from_static("Origin"));
    response
}

fn forbidden(message: &str) -> Response {
    error_response(StatusCode::FORBIDDEN, ErrorKind::BadInput, message)
}

/// Cancels the question when the handler is dropped, i.e. when the client goes away.
struct CancelOnDrop(CancelToken);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}
