//! `serve`: the HTTP API on loopback. A tiny HTTP/1.1 client over `TcpStream` keeps every header
//! under the test's control (Origin, Content-Type, Host).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use crate::util::{
    check_answer_shape, check_complete, check_error_object, check_result_fields,
    docker_image_present, root, sample_url,
};

/// A running `sightline serve --port 0`, stopped when dropped.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start() -> Server {
        Server::start_with(&[])
    }

    /// `serve --port 0` with more flags (such as `--ui DIR`).
    fn start_with(extra: &[&str]) -> Server {
        let home =
            std::env::temp_dir().join(format!("sightline-serve-test-{}", std::process::id()));
        let mut child = Command::new(env!("CARGO_BIN_EXE_sightline"))
            .args(["serve", "--port", "0"])
            .args(extra)
            .current_dir(root())
            .env("SIGHTLINE_HOME", &home)
            .env_remove("SIGHTLINE_LLM_BASE_URL")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("sightline serve starts");
        let stdout = child.stdout.take().expect("serve's stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("serve prints a line");
        let line = line.trim_end();
        let port = line
            .strip_prefix("listening on http://127.0.0.1:")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| {
                panic!("serve's first line is `listening on http://127.0.0.1:PORT`, not {line:?}")
            });
        Server { child, port }
    }

    /// Sends one request and returns (status, headers in lower case, body).
    fn request(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Response {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect to serve");
        stream
            .set_read_timeout(Some(Duration::from_secs(120)))
            .expect("set a read timeout");
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\nContent-Length: {}\r\n",
            self.port,
            body.len()
        );
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).expect("send the head");
        // A server may answer (413, 415) before reading everything; that is fine.
        let _ = stream.write_all(body);
        let mut raw = Vec::new();
        let _ = stream.read_to_end(&mut raw);
        Response::parse(&raw)
    }

    fn post_json(&self, path: &str, body: &Value, headers: &[(&str, &str)]) -> Response {
        let mut all = vec![("Content-Type", "application/json")];
        all.extend_from_slice(headers);
        self.request("POST", path, &all, body.to_string().as_bytes())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug)]
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Response {
    fn parse(raw: &[u8]) -> Response {
        let text = String::from_utf8_lossy(raw).into_owned();
        // Skip interim 1xx responses (e.g. 100 Continue).
        let mut rest = text.as_str();
        loop {
            let (head, body) = rest.split_once("\r\n\r\n").unwrap_or((rest, ""));
            let status: u16 = head
                .split(' ')
                .nth(1)
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            if (100..200).contains(&status) {
                rest = body;
                continue;
            }
            let headers = head
                .lines()
                .skip(1)
                .filter_map(|l| l.split_once(':'))
                .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
                .collect();
            return Response {
                status,
                headers,
                body: body.to_string(),
            };
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("the body must be one JSON object ({e}): {:?}", self.body))
    }

    /// Checks a JSON error body `{"error": {...}}` of kind bad_input with `status`.
    fn expect_json_error(&self, status: u16, context: &str) {
        assert_eq!(
            self.status, status,
            "{context}: status; body {:?}",
            self.body
        );
        assert!(
            self.header("content-type")
                .is_some_and(|c| c.starts_with("application/json")),
            "{context}: errors are JSON: {:?}",
            self.headers
        );
        let body = self.json();
        check_error_object(&body["error"], context);
        assert_eq!(body["error"]["kind"], "bad_input", "{context}: {body}");
    }
}

fn query(question: &str) -> Value {
    json!({"query": question, "database": sample_url()})
}

#[test]
fn health_and_happy_path() {
    let server = Server::start();
    let health = server.request("GET", "/health", &[], b"");
    assert_eq!(health.status, 200, "GET /health answers 200: {health:?}");
    let body = health.json();
    assert_eq!(body["status"], "ok", "health says ok: {body}");
    assert!(
        body["version"].is_string(),
        "health names the version: {body}"
    );

    let response = server.post_json(
        "/query/analytics",
        &query("What correlates with churn?"),
        &[],
    );
    assert_eq!(
        response.status, 200,
        "a good question answers 200: {}",
        response.body
    );
    let answer = response.json();
    check_complete(&answer, "POST /query/analytics");
    assert_eq!(
        answer["analytics_type"], "correlation",
        "same answer as the CLI"
    );
    assert!(
        response.header("access-control-allow-origin").is_none(),
        "no CORS header without an Origin"
    );
}

#[test]
fn failed_answers_keep_the_answer_shape() {
    let server = Server::start();
    let cases = [
        (
            json!({"query": "What correlates with churn?", "database": "sqlite:///no/such.db"}),
            422,
            "bad_input",
        ),
        (query("asdf qwerty"), 422, "not_understood"),
    ];
    for (body, status, kind) in cases {
        let response = server.post_json("/query/analytics", &body, &[]);
        assert_eq!(
            response.status, status,
            "{body}: status; body {}",
            response.body
        );
        let answer = response.json();
        check_answer_shape(&answer, &body.to_string());
        assert_eq!(answer["error"]["kind"], kind, "{body}: {answer}");
    }
}

/// One malformed request and the status it must get.
struct BadRequest {
    name: &'static str,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    status: u16,
}

#[test]
fn bad_requests_get_json_errors() {
    let server = Server::start();
    let good = query("What correlates with churn?")
        .to_string()
        .into_bytes();
    let json = Some("application/json");
    let huge = format!(
        "{{\"query\": \"{}\", \"database\": \"x\"}}",
        "a".repeat(1_100_000)
    );
    let cases = [
        BadRequest {
            name: "text/plain",
            content_type: Some("text/plain"),
            body: good.clone(),
            status: 415,
        },
        BadRequest {
            name: "no content type",
            content_type: None,
            body: good,
            status: 415,
        },
        BadRequest {
            name: "malformed JSON",
            content_type: json,
            body: b"{\"query\": ".to_vec(),
            status: 400,
        },
        BadRequest {
            name: "missing query",
            content_type: json,
            body: b"{\"database\": \"x\"}".to_vec(),
            status: 400,
        },
        BadRequest {
            name: "body over 1 MiB",
            content_type: json,
            body: huge.into_bytes(),
            status: 413,
        },
    ];
    for case in cases {
        let headers: Vec<(&str, &str)> = case
            .content_type
            .map(|c| ("Content-Type", c))
            .into_iter()
            .collect();
        let response = server.request("POST", "/query/analytics", &headers, &case.body);
        response.expect_json_error(case.status, case.name);
    }
    server
        .request("GET", "/no/such/path", &[], b"")
        .expect_json_error(404, "unknown path");
}

#[test]
fn foreign_origins_are_refused() {
    let server = Server::start();
    let body = query("What correlates with churn?");
    for origin in [
        "http://evil.example",
        "https://127.0.0.1.evil.example",
        "null",
        "http://localhost:1",
    ] {
        let response = server.post_json("/query/analytics", &body, &[("Origin", origin)]);
        response.expect_json_error(403, &format!("POST from {origin}"));
        assert!(
            response.header("access-control-allow-origin").is_none(),
            "no CORS grant to {origin}: {:?}",
            response.headers
        );
        let preflight = server.request(
            "OPTIONS",
            "/query/analytics",
            &[
                ("Origin", origin),
                ("Access-Control-Request-Method", "POST"),
            ],
            b"",
        );
        assert_eq!(preflight.status, 403, "preflight from {origin} is refused");
        assert!(
            preflight.header("access-control-allow-origin").is_none(),
            "no CORS grant to {origin}"
        );
    }
}

#[test]
fn allowed_origins_get_cors() {
    let server = Server::start();
    let own = format!("http://127.0.0.1:{}", server.port);
    for origin in [own.as_str(), "tauri://localhost", "http://tauri.localhost"] {
        let response = server.request("GET", "/health", &[("Origin", origin)], b"");
        assert_eq!(response.status, 200, "{origin} may call the API");
        assert_eq!(
            response.header("access-control-allow-origin"),
            Some(origin),
            "CORS granted to {origin}"
        );
        let preflight = server.request(
            "OPTIONS",
            "/query/analytics",
            &[
                ("Origin", origin),
                ("Access-Control-Request-Method", "POST"),
                ("Access-Control-Request-Headers", "content-type"),
            ],
            b"",
        );
        assert!(
            preflight.status < 300,
            "preflight from {origin} succeeds: {preflight:?}"
        );
    }
}

#[test]
fn rebinding_hosts_are_refused() {
    let server = Server::start();
    let mut stream = TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
    stream
        .write_all(b"GET /health HTTP/1.1\r\nHost: evil.example:80\r\nConnection: close\r\n\r\n")
        .expect("send");
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    Response::parse(&raw).expect_json_error(403, "Host: evil.example");
}

#[test]
fn sandbox_run_answers_the_sandbox_result() {
    let server = Server::start();
    let refused = server.post_json(
        "/sandbox/run",
        &json!({"code": "import os\nresult = os.listdir('/')", "mode": "docker"}),
        &[],
    );
    assert_eq!(
        refused.status, 422,
        "a guard rejection is the user's fault: {}",
        refused.body
    );
    let body = refused.json();
    assert_eq!(body["success"], false);
    assert_eq!(body["mode_used"], Value::Null, "nothing ran");
    assert!(
        body["error"].as_str().unwrap_or("").contains("line 1"),
        "{body}"
    );

    let bad_memory = server.post_json(
        "/sandbox/run",
        &json!({"code": "result = 1", "memory": "lots"}),
        &[],
    );
    assert_eq!(bad_memory.status, 422, "{}", bad_memory.body);

    if !docker_image_present() {
        return;
    }
    let answered = server.post_json(
        "/sandbox/run",
        &json!({
            "code": "result = {'mean_y': float(points['y'].mean())}",
            "data": {"points": "x,y\n1,4\n2,5\n3,6\n"},
            "mode": "auto",
            "timeout": 30,
            "memory": "512m"
        }),
        &[],
    );
    assert_eq!(answered.status, 200, "{}", answered.body);
    let body = answered.json();
    assert_eq!(body["success"], true, "{body}");
    assert_eq!(body["result"], json!({"mean_y": 5.0}));
    assert_eq!(body["mode_used"], "docker");
    for field in [
        "success",
        "result",
        "output",
        "error",
        "visualization",
        "mode_used",
        "duration_ms",
    ] {
        assert!(
            body.get(field).is_some(),
            "the sandbox result has `{field}`: {body}"
        );
    }
}

#[test]
fn schema_endpoint_answers_the_schema() {
    let server = Server::start();
    let response = server.post_json("/schema", &json!({"database": sample_url()}), &[]);
    assert_eq!(response.status, 200, "POST /schema: {}", response.body);
    let schema = response.json();
    let tables: Vec<&str> = schema["tables"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert!(
        tables.contains(&"orders") && tables.contains(&"customers"),
        "the sample's tables are listed: {tables:?}"
    );
    let orders = &schema["tables"][tables.iter().position(|t| *t == "orders").unwrap_or(0)];
    assert!(
        orders["row_count"].as_u64().unwrap_or(0) > 0,
        "row counts: {orders}"
    );
    assert!(
        orders["columns"][0]["sample_values"].is_array(),
        "sample values: {orders}"
    );

    let missing = server.post_json(
        "/schema",
        &json!({"database": "sqlite:///no/such/file.db"}),
        &[],
    );
    assert_eq!(missing.status, 422, "a missing file is the user's fault");
    check_error_object(&missing.json()["error"], "POST /schema, missing file");

    server
        .post_json("/schema", &json!({"db": "x"}), &[])
        .expect_json_error(400, "POST /schema without `database`");
    server
        .request("POST", "/schema", &[("Content-Type", "text/plain")], b"{}")
        .expect_json_error(415, "POST /schema as text/plain");
}

#[test]
fn analyze_endpoint_runs_one_analysis_on_given_sql() {
    let server = Server::start();
    let sql = "SELECT strftime('%Y-%m-01', order_date) AS month, SUM(amount) AS revenue \
               FROM orders WHERE status = 'completed' GROUP BY 1 ORDER BY 1";
    let response = server.post_json(
        "/analyze",
        &json!({"database": sample_url(), "sql": sql, "type": "forecast", "horizon": 2,
                "target": null, "date_column": null, "method": null, "threshold": null}),
        &[],
    );
    assert_eq!(response.status, 200, "POST /analyze: {}", response.body);
    let answer = response.json();
    check_answer_shape(&answer, "POST /analyze");
    check_result_fields(&answer, "POST /analyze");
    assert!(answer["error"].is_null(), "no error: {}", answer["error"]);
    assert_eq!(answer["analytics_type"], "forecast");
    assert_eq!(answer["question"], Value::Null, "analyze has no question");
    assert_eq!(
        answer["analysis_result"]["forecast"]
            .as_array()
            .map(Vec::len),
        Some(2),
        "the horizon is honoured: {}",
        answer["analysis_result"]
    );

    let refused = server.post_json(
        "/analyze",
        &json!({"database": sample_url(), "sql": "DELETE FROM orders", "type": "summary"}),
        &[],
    );
    assert_eq!(refused.status, 422, "{}", refused.body);
    let answer = refused.json();
    check_answer_shape(&answer, "POST /analyze with DELETE");
    assert_eq!(answer["error"]["kind"], "sql_rejected", "{answer}");

    server
        .post_json(
            "/analyze",
            &json!({"database": sample_url(), "sql": sql, "type": "magic"}),
            &[],
        )
        .expect_json_error(400, "POST /analyze with an unknown type");
    server
        .post_json(
            "/analyze",
            &json!({"database": sample_url(), "type": "trend"}),
            &[],
        )
        .expect_json_error(400, "POST /analyze without sql");
}

#[test]
fn sandbox_status_says_what_is_available() {
    let server = Server::start();
    let response = server.request("GET", "/sandbox/status", &[], b"");
    assert_eq!(response.status, 200, "{}", response.body);
    let status = response.json();
    for field in ["docker", "image", "restricted"] {
        assert!(
            status[field].is_boolean(),
            "`{field}` is a boolean: {status}"
        );
    }
    assert!(status["message"].is_string(), "{status}");
    if status["image"] == true {
        assert_eq!(status["docker"], true, "no image without Docker: {status}");
    }
    if docker_image_present() {
        assert_eq!(status["image"], true, "the image is present here: {status}");
    }
}

/// A built UI in a temporary directory, with a file beside it that must never be served.
fn fake_ui() -> (PathBuf, PathBuf) {
    let base = std::env::temp_dir().join(format!("sightline-ui-test-{}", std::process::id()));
    let dist = base.join("dist");
    std::fs::create_dir_all(dist.join("assets")).expect("make the UI dir");
    std::fs::write(dist.join("index.html"), "<!doctype html><title>t</title>").expect("index");
    std::fs::write(dist.join("assets/app.js"), "console.log(1)").expect("asset");
    std::fs::write(dist.join(".env"), "SECRET=1").expect("hidden file");
    std::fs::write(base.join("secret.txt"), "SECRET").expect("outside file");
    #[cfg(unix)]
    {
        let _ = std::fs::remove_file(dist.join("link.txt"));
        std::os::unix::fs::symlink(base.join("secret.txt"), dist.join("link.txt"))
            .expect("symlink");
    }
    (base, dist)
}

#[test]
fn ui_files_are_served_with_the_csp_and_nothing_else() {
    let (base, dist) = fake_ui();
    let server = Server::start_with(&["--ui", dist.to_str().expect("utf-8 path")]);
    let index = server.request("GET", "/", &[], b"");
    assert_eq!(index.status, 200, "{index:?}");
    assert!(
        index
            .header("content-type")
            .is_some_and(|c| c.starts_with("text/html")),
        "{index:?}"
    );
    let csp = index.header("content-security-policy").unwrap_or("");
    assert!(
        csp.contains("default-src 'self'") && csp.contains("script-src 'self'"),
        "the app's CSP: {csp}"
    );
    assert!(!csp.contains("unsafe-eval"), "no unsafe-eval: {csp}");
    assert_eq!(index.header("x-content-type-options"), Some("nosniff"));
    assert!(index.body.contains("<title>t</title>"));

    let asset = server.request("GET", "/assets/app.js", &[], b"");
    assert_eq!(asset.status, 200);
    assert!(
        asset
            .header("content-type")
            .is_some_and(|c| c.starts_with("text/javascript")),
        "{asset:?}"
    );

    for path in [
        "/../secret.txt",
        "/assets/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/.env",
        "/link.txt",
        "/assets",
        "/missing.js",
    ] {
        let response = server.request("GET", path, &[], b"");
        response.expect_json_error(404, &format!("GET {path}"));
        assert!(!response.body.contains("SECRET"), "{path} leaked a file");
    }
    server
        .request("POST", "/", &[("Content-Type", "application/json")], b"{}")
        .expect_json_error(404, "POST /");

    // What Chromium sends for the UI's own fetches: Origin of the page on POST.
    let own = format!("http://127.0.0.1:{}", server.port);
    let same_origin = server.post_json(
        "/schema",
        &json!({"database": sample_url()}),
        &[("Origin", own.as_str()), ("Sec-Fetch-Site", "same-origin")],
    );
    assert_eq!(same_origin.status, 200, "{}", same_origin.body);
    let foreign = server.request("GET", "/", &[("Origin", "http://evil.example")], b"");
    foreign.expect_json_error(403, "a page of another origin");
    let _ = std::fs::remove_dir_all(base);
}

#[test]
fn ui_without_an_index_is_refused_at_start() {
    let empty = std::env::temp_dir().join(format!("sightline-ui-empty-{}", std::process::id()));
    std::fs::create_dir_all(&empty).expect("make the dir");
    let output = Command::new(env!("CARGO_BIN_EXE_sightline"))
        .args(["serve", "--port", "0", "--ui"])
        .arg(&empty)
        .output()
        .expect("run serve");
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("index.html"),
        "says what is missing: {stderr}"
    );
    let _ = std::fs::remove_dir_all(empty);
}
