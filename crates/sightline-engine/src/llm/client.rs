//! [`LlmClient`]: one model endpoint over HTTP (reqwest), with the fault handling of SECURITY.md
//! S10: connect, idle and total timeouts; bounded retries with backoff that honour `Retry-After`;
//! a cap on the reply size; strict parsing; Cancel that works at any point. The key goes into a
//! header and nowhere else, and server text is scrubbed before it reaches an error.

use std::future::Future;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::Value;

use super::error::{LlmError, scrub};
use super::profile::{Endpoint, Protocol};
use super::wire::{self, ChatRequest, Reply, StreamReader};
use crate::progress::CancelToken;

/// How long and how much a call may take.
#[derive(Debug, Clone)]
pub struct CallLimits {
    pub connect: Duration,
    /// The longest silence between two pieces of a reply.
    pub idle: Duration,
    /// The whole call, retries and waits included.
    pub total: Duration,
    pub max_reply_bytes: usize,
    /// Tries per call, the first included.
    pub attempts: usize,
    /// The longest `Retry-After` honoured; a longer one fails at once with its wait in the message.
    pub max_wait: Duration,
    pub first_backoff: Duration,
}

impl Default for CallLimits {
    fn default() -> Self {
        CallLimits {
            connect: Duration::from_secs(10),
            idle: Duration::from_secs(30),
            total: Duration::from_secs(120),
            max_reply_bytes: 2 << 20,
            attempts: 3,
            max_wait: Duration::from_secs(30),
            first_backoff: Duration::from_millis(500),
        }
    }
}

/// A client for one endpoint.
#[derive(Debug, Clone)]
pub struct LlmClient {
    http: reqwest::Client,
    endpoint: Endpoint,
    limits: CallLimits,
}

/// What one try came to.
enum Try {
    Done(Reply),
    /// A fault worth another try, after `wait`.
    Again {
        wait: Duration,
        error: LlmError,
    },
}

impl LlmClient {
    pub fn new(endpoint: Endpoint, limits: CallLimits) -> Result<Self, LlmError> {
        let http = reqwest::Client::builder()
            .connect_timeout(limits.connect)
            .user_agent(concat!("sightline/", env!("CARGO_PKG_VERSION")))
            .default_headers(auth_headers(&endpoint)?)
            .build()
            .map_err(|e| LlmError::Unreachable {
                url: endpoint.base_url.clone(),
                why: format!("the HTTP client cannot start: {e}"),
            })?;
        Ok(LlmClient {
            http,
            endpoint,
            limits,
        })
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// One chat call, retried on 429 and 5xx within the limits.
    pub async fn chat(
        &self,
        request: &ChatRequest,
        cancel: &CancelToken,
    ) -> Result<Reply, LlmError> {
        let total = self.limits.total;
        let calls = async {
            let mut backoff = self.limits.first_backoff;
            let mut last = None;
            for _ in 0..self.limits.attempts.max(1) {
                match self.try_once(request).await? {
                    Try::Done(reply) => return Ok(reply),
                    Try::Again { wait, error } => {
                        let wait = wait.max(backoff);
                        backoff *= 2;
                        last = Some(error);
                        tokio::time::sleep(wait).await;
                    }
                }
            }
            Err(last.unwrap_or(LlmError::ServerFailed {
                status: 0,
                attempts: 0,
            }))
        };
        cancellable(cancel, total, "the whole call", calls).await
    }

    /// The models the endpoint lists (`GET {base}/models`), for `sightline llm test`.
    pub async fn models(&self, cancel: &CancelToken) -> Result<Vec<String>, LlmError> {
        let url = format!("{}/models", self.endpoint.base_url);
        let call = async {
            let response = self
                .http
                .get(&url)
                .send()
                .await
                .map_err(|e| self.transport(e))?;
            let status = response.status();
            let body = self.read_capped(response).await?;
            if !status.is_success() {
                return Err(self.refusal(status, &body));
            }
            let value: Value = serde_json::from_slice(&body).map_err(|e| {
                LlmError::BadReply(format!("the model list is malformed JSON ({e})"))
            })?;
            let listed = value
                .get("data")
                .or_else(|| value.get("models"))
                .and_then(Value::as_array)
                .ok_or_else(|| LlmError::BadReply("the model list has no data".to_string()))?;
            Ok(listed
                .iter()
                .filter_map(|m| m.get("id").or_else(|| m.get("name")))
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect())
        };
        cancellable(cancel, self.limits.total, "listing the models", call).await
    }

    async fn try_once(&self, request: &ChatRequest) -> Result<Try, LlmError> {
        let path = match self.endpoint.protocol {
            Protocol::OpenAiChat => "chat/completions",
            Protocol::AnthropicMessages => "messages",
        };
        let url = format!("{}/{path}", self.endpoint.base_url);
        let body = wire::body(self.endpoint.protocol, &self.endpoint.model, request);
        let sent = self.http.post(&url).json(&body).send();
        let response = match tokio::time::timeout(self.limits.idle, sent).await {
            Ok(Ok(response)) => response,
            Ok(Err(error)) => return Err(self.transport(error)),
            Err(_) => return Err(self.idle_timeout()),
        };
        let status = response.status();
        if status.is_success() {
            let streamed = response
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("text/event-stream"));
            let reply = if streamed {
                self.read_stream(response).await?
            } else {
                let body = self.read_capped(response).await?;
                wire::reply(self.endpoint.protocol, &body)?
            };
            return Ok(Try::Done(reply));
        }
        let retry_after = retry_after(response.headers());
        let body = self.read_capped(response).await.unwrap_or_default();
        match status.as_u16() {
            429 => match retry_after {
                Some(wait) if wait > self.limits.max_wait => Err(LlmError::RateLimited {
                    retry_after_s: Some(wait.as_secs()),
                }),
                wait => Ok(Try::Again {
                    wait: wait.unwrap_or_default(),
                    error: LlmError::RateLimited {
                        retry_after_s: wait.map(|w| w.as_secs()),
                    },
                }),
            },
            500 | 502 | 503 | 504 | 529 => Ok(Try::Again {
                wait: retry_after
                    .filter(|w| *w <= self.limits.max_wait)
                    .unwrap_or_default(),
                error: LlmError::ServerFailed {
                    status: status.as_u16(),
                    attempts: self.limits.attempts,
                },
            }),
            _ => Err(self.refusal(status, &body)),
        }
    }

    /// Reads a streamed reply as server-sent events.
    async fn read_stream(&self, response: reqwest::Response) -> Result<Reply, LlmError> {
        let mut reader = StreamReader::new(self.endpoint.protocol);
        self.each_chunk(response, "stream", |chunk| reader.feed(chunk))
            .await?;
        reader.finish()
    }

    /// Reads a whole body.
    async fn read_capped(&self, response: reqwest::Response) -> Result<Vec<u8>, LlmError> {
        let mut body = Vec::new();
        self.each_chunk(response, "reply", |chunk| {
            body.extend_from_slice(chunk);
            Ok(())
        })
        .await?;
        Ok(body)
    }

    /// Hands each piece of a body to `take`, each piece within the idle limit and the whole
    /// within the size cap; `what` names the body in a broken-off error.
    async fn each_chunk(
        &self,
        response: reqwest::Response,
        what: &str,
        mut take: impl FnMut(&[u8]) -> Result<(), LlmError>,
    ) -> Result<(), LlmError> {
        if response
            .content_length()
            .is_some_and(|n| n > self.limits.max_reply_bytes as u64)
        {
            return Err(self.too_large());
        }
        let mut stream = response.bytes_stream();
        let mut read = 0usize;
        loop {
            let next = tokio::time::timeout(self.limits.idle, stream.next())
                .await
                .map_err(|_| self.idle_timeout())?;
            let Some(chunk) = next else {
                return Ok(());
            };
            let chunk = chunk
                .map_err(|e| LlmError::BadReply(format!("the {what} broke off ({})", short(&e))))?;
            read += chunk.len();
            if read > self.limits.max_reply_bytes {
                return Err(self.too_large());
            }
            take(&chunk)?;
        }
    }

    fn refusal(&self, status: StatusCode, body: &[u8]) -> LlmError {
        let said = serde_json::from_slice::<Value>(body)
            .ok()
            .and_then(|v| {
                v.pointer("/error/message")
                    .or_else(|| v.get("error"))
                    .or_else(|| v.get("message"))
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .unwrap_or_else(|| String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned());
        let hint = match status.as_u16() {
            401 | 403 => "the API key was not accepted; set the right key in Settings",
            404 => "the endpoint or model was not found; check the base URL and the model name",
            _ => "",
        };
        let key = self.endpoint.key.as_ref().map(|k| k.expose());
        let why = [hint.to_string(), scrub(&said, key)]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" — ");
        LlmError::Refused {
            status: status.as_u16(),
            why,
        }
    }

    fn transport(&self, error: reqwest::Error) -> LlmError {
        if error.is_timeout() {
            LlmError::TimedOut {
                what: "connecting",
                seconds: self.limits.connect.as_secs(),
            }
        } else {
            LlmError::Unreachable {
                url: self.endpoint.base_url.clone(),
                why: short(&error),
            }
        }
    }

    fn idle_timeout(&self) -> LlmError {
        LlmError::TimedOut {
            what: "waiting for the next part of the reply",
            seconds: self.limits.idle.as_secs(),
        }
    }

    fn too_large(&self) -> LlmError {
        LlmError::TooLarge {
            limit_kib: self.limits.max_reply_bytes / 1024,
        }
    }
}

/// The innermost cause of a transport error, which says what happened ("Connection refused").
fn short(error: &dyn std::error::Error) -> String {
    let mut cause: &dyn std::error::Error = error;
    while let Some(inner) = cause.source() {
        cause = inner;
    }
    cause.to_string()
}

fn auth_headers(endpoint: &Endpoint) -> Result<HeaderMap, LlmError> {
    let mut headers = HeaderMap::new();
    let bad_key = || LlmError::Refused {
        status: 0,
        why: "the saved key holds characters an HTTP header cannot carry; paste it again"
            .to_string(),
    };
    match (endpoint.protocol, &endpoint.key) {
        (Protocol::OpenAiChat, Some(key)) => {
            let mut value = HeaderValue::from_str(&format!("Bearer {}", key.expose()))
                .map_err(|_| bad_key())?;
            value.set_sensitive(true);
            headers.insert(reqwest::header::AUTHORIZATION, value);
        }
        (Protocol::AnthropicMessages, key) => {
            if let Some(key) = key {
                let mut value = HeaderValue::from_str(key.expose()).map_err(|_| bad_key())?;
                value.set_sensitive(true);
                headers.insert("x-api-key", value);
            }
            headers.insert("anthropic-version", HeaderValue::from_static("2023-06-01"));
        }
        (Protocol::OpenAiChat, None) => {}
    }
    Ok(headers)
}

/// `Retry-After` as seconds or an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = text.parse::<f64>() {
        return (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds));
    }
    let when = chrono::DateTime::parse_from_rfc2822(text).ok()?;
    let from_now = when.timestamp() - chrono::Utc::now().timestamp();
    Some(Duration::from_secs(u64::try_from(from_now).unwrap_or(0)))
}

/// Runs `work` until it ends, `limit` passes, or the user cancels (checked every 50 ms).
async fn cancellable<T>(
    cancel: &CancelToken,
    limit: Duration,
    what: &'static str,
    work: impl Future<Output = Result<T, LlmError>>,
) -> Result<T, LlmError> {
    let started = Instant::now();
    let watch = async {
        while !cancel.is_cancelled() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    tokio::select! {
        outcome = tokio::time::timeout(limit, work) => outcome.unwrap_or(Err(LlmError::TimedOut {
            what,
            seconds: started.elapsed().as_secs(),
        })),
        () = watch => Err(LlmError::Cancelled),
    }
}

/// Runs async work (a model call, a sandbox run) from synchronous pipeline code: on the runtime
/// the engine's blocking task belongs to, or on a small one of its own when there is none; `Err`
/// only when no runtime can start.
pub fn block_on<F: Future>(work: F) -> Result<F::Output, LlmError> {
    match tokio::runtime::Handle::try_current() {
        Ok(handle) => Ok(handle.block_on(work)),
        Err(_) => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| LlmError::Unreachable {
                url: String::new(),
                why: format!("no async runtime could start: {e}"),
            })
            .map(|runtime| runtime.block_on(work)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", HeaderValue::from_static("2"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(2)));
        let later = (chrono::Utc::now() + chrono::Duration::seconds(90)).to_rfc2822();
        headers.insert("retry-after", HeaderValue::from_str(&later).unwrap());
        let wait = retry_after(&headers).unwrap().as_secs();
        assert!((85..=90).contains(&wait), "{wait}");
        headers.insert("retry-after", HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&headers), None);
    }
}
