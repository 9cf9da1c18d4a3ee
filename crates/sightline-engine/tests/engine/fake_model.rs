//! A small local OpenAI-compatible server that replays scripted, realistic replies (Groq's
//! shapes: `chat.completion` objects and `chat.completion.chunk` server-sent events), records
//! every request, and can misbehave on cue: errors with `Retry-After`, slow or cut streams, huge
//! bodies. The one stand-in the project allows: no model is reachable from CI. Shared by the
//! engine's and the command line's tests (`#[path]`).

#![allow(dead_code)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub const MODEL: &str = "llama-3.3-70b-versatile";

/// One scripted reply.
#[derive(Debug, Clone)]
pub enum Script {
    /// A whole JSON body with a status and extra headers.
    Body {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// Raw server-sent events, sent as they are (Anthropic's stream, or anything malformed).
    Events(String),
    /// Server-sent events, `gap` apart; `complete` sends the final chunk and `[DONE]`, otherwise
    /// the connection closes mid-reply.
    Stream {
        pieces: Vec<String>,
        gap: Duration,
        complete: bool,
    },
}

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub at: Instant,
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Value,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every message's text, for looking into the prompt.
    pub fn prompt(&self) -> String {
        self.body["messages"]
            .as_array()
            .map(|m| {
                m.iter()
                    .filter_map(|m| m["content"].as_str())
                    .collect::<Vec<_>>()
                    .join("\n---\n")
            })
            .unwrap_or_default()
    }
}

pub struct FakeModel {
    pub base_url: String,
    scripts: Arc<Mutex<VecDeque<Script>>>,
    requests: Arc<Mutex<Vec<Recorded>>>,
}

impl FakeModel {
    /// Starts the server on a free port of 127.0.0.1 with replies in order.
    pub async fn start(scripts: Vec<Script>) -> FakeModel {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}/openai/v1", listener.local_addr().unwrap());
        let scripts = Arc::new(Mutex::new(VecDeque::from(scripts)));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (s, r) = (Arc::clone(&scripts), Arc::clone(&requests));
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let (s, r) = (Arc::clone(&s), Arc::clone(&r));
                tokio::spawn(async move {
                    let _ = serve(socket, s, r).await;
                });
            }
        });
        FakeModel {
            base_url,
            scripts,
            requests,
        }
    }

    /// Starts the server on a thread of its own, for tests that run synchronously (the CLI's).
    pub fn start_in_background(scripts: Vec<Script>) -> FakeModel {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Runtime::new().unwrap();
            runtime.block_on(async move {
                let model = FakeModel::start(scripts).await;
                tx.send(model).unwrap();
                std::future::pending::<()>().await;
            });
        });
        rx.recv().unwrap()
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }

    /// Chat requests only (not model listings), in either protocol.
    pub fn chats(&self) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| r.path.ends_with("/chat/completions") || r.path.ends_with("/messages"))
            .collect()
    }

    pub fn unused(&self) -> usize {
        self.scripts.lock().unwrap().len()
    }
}

async fn serve(
    mut socket: TcpStream,
    scripts: Arc<Mutex<VecDeque<Script>>>,
    requests: Arc<Mutex<Vec<Recorded>>>,
) -> std::io::Result<()> {
    let mut data = Vec::new();
    let mut buf = [0u8; 8192];
    let header_end = loop {
        let n = socket.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        data.extend_from_slice(&buf[..n]);
        if let Some(at) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8_lossy(&data[..header_end]).to_string();
    let mut lines = head.lines();
    let first: Vec<String> = lines
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_string)
        .collect();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_lowercase(), v.trim().to_string()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    while data.len() < header_end + length {
        let n = socket.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        data.extend_from_slice(&buf[..n]);
    }
    let body = serde_json::from_slice(&data[header_end..]).unwrap_or(Value::Null);
    let path = first.get(1).cloned().unwrap_or_default();
    requests.lock().unwrap().push(Recorded {
        at: Instant::now(),
        method: first.first().cloned().unwrap_or_default(),
        path: path.clone(),
        headers,
        body,
    });
    if path.ends_with("/models") {
        let listing = json!({"object": "list", "data": [{"id": MODEL, "object": "model", "owned_by": "Meta"}]});
        return write_body(&mut socket, 200, &[], &listing.to_string()).await;
    }
    let script = scripts.lock().unwrap().pop_front();
    match script {
        None => {
            write_body(
                &mut socket,
                500,
                &[],
                r#"{"error":{"message":"the fake model has no more scripted replies"}}"#,
            )
            .await
        }
        Some(Script::Body {
            status,
            headers,
            body,
        }) => write_body(&mut socket, status, &headers, &body).await,
        Some(Script::Events(events)) => {
            socket
                .write_all(
                    b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n",
                )
                .await?;
            socket.write_all(events.as_bytes()).await?;
            socket.shutdown().await
        }
        Some(Script::Stream {
            pieces,
            gap,
            complete,
        }) => {
            socket
                .write_all(
                    b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\nconnection: close\r\n\r\n",
                )
                .await?;
            let created = 1_764_000_000;
            let chunk = |delta: Value, finish: Value| {
                json!({"id": "chatcmpl-7f3a", "object": "chat.completion.chunk", "created": created,
                       "model": MODEL, "system_fingerprint": "fp_c4760ee9f5",
                       "choices": [{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish}]})
            };
            let opening = chunk(json!({"role": "assistant", "content": ""}), Value::Null);
            socket
                .write_all(format!("data: {opening}\n\n").as_bytes())
                .await?;
            for piece in pieces {
                tokio::time::sleep(gap).await;
                let event = chunk(json!({"content": piece}), Value::Null);
                socket
                    .write_all(format!("data: {event}\n\n").as_bytes())
                    .await?;
                socket.flush().await?;
            }
            if complete {
                let last = chunk(json!({}), json!("stop"));
                socket
                    .write_all(format!("data: {last}\n\ndata: [DONE]\n\n").as_bytes())
                    .await?;
            }
            socket.shutdown().await
        }
    }
}

async fn write_body(
    socket: &mut TcpStream,
    status: u16,
    headers: &[(String, String)],
    body: &str,
) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
        reason(status),
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    socket.write_all(head.as_bytes()).await?;
    socket.write_all(body.as_bytes()).await?;
    socket.shutdown().await
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        401 => "Unauthorized",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// A Groq-shaped `chat.completion` whose message is `content`.
pub fn completion(content: &str) -> Script {
    let body = json!({
        "id": "chatcmpl-9b2e4c",
        "object": "chat.completion",
        "created": 1_764_000_000,
        "model": MODEL,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                     "logprobs": null, "finish_reason": "stop"}],
        "usage": {"queue_time": 0.02, "prompt_tokens": 812, "prompt_time": 0.03,
                  "completion_tokens": 64, "completion_time": 0.05, "total_tokens": 876},
        "system_fingerprint": "fp_c4760ee9f5",
        "x_groq": {"id": "req_01jq9"}
    });
    Script::Body {
        status: 200,
        headers: vec![],
        body: body.to_string(),
    }
}

/// The agent's reply format: `{"sql": ..., "explanation": ...}`, streamed in a few pieces.
pub fn sql_reply(sql: &str, explanation: &str) -> Script {
    let text = json!({"sql": sql, "explanation": explanation}).to_string();
    let pieces = text
        .as_bytes()
        .chunks(24)
        .map(|c| String::from_utf8_lossy(c).to_string())
        .collect();
    Script::Stream {
        pieces,
        gap: Duration::from_millis(2),
        complete: true,
    }
}

/// An error body as OpenAI-compatible services send it.
pub fn error(status: u16, message: &str, headers: &[(&str, &str)]) -> Script {
    Script::Body {
        status,
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        body: json!({"error": {"message": message, "type": "invalid_request_error"}}).to_string(),
    }
}

/// An Anthropic Messages stream whose text is `text`, as the API sends it.
pub fn anthropic_stream(text: &str) -> Script {
    let mut events = String::new();
    let mut event = |name: &str, data: Value| {
        events.push_str(&format!("event: {name}\ndata: {data}\n\n"));
    };
    event(
        "message_start",
        json!({"type": "message_start", "message": {"id": "msg_01XFD", "type": "message", "role": "assistant",
               "model": "claude-3-5-haiku-20241022", "content": [], "stop_reason": null,
               "usage": {"input_tokens": 812, "output_tokens": 1}}}),
    );
    event(
        "content_block_start",
        json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
    );
    event("ping", json!({"type": "ping"}));
    for piece in text.as_bytes().chunks(30) {
        event(
            "content_block_delta",
            json!({"type": "content_block_delta", "index": 0,
                   "delta": {"type": "text_delta", "text": String::from_utf8_lossy(piece)}}),
        );
    }
    event(
        "content_block_stop",
        json!({"type": "content_block_stop", "index": 0}),
    );
    event(
        "message_delta",
        json!({"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": null},
               "usage": {"output_tokens": 64}}),
    );
    event("message_stop", json!({"type": "message_stop"}));
    Script::Events(events)
}
