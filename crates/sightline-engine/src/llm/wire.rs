//! The two wire protocols as pure functions: request bodies for OpenAI-style chat completions and
//! Anthropic Messages, and strict readers of their replies, whole or streamed as server-sent
//! events. Nothing here does I/O, so every malformed shape is unit-tested.

use serde_json::{Value, json};

use super::error::LlmError;
use super::profile::Protocol;

/// Who said a turn of the conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    User,
    Assistant,
}

impl Role {
    fn code(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Assistant => "assistant",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Turn {
    pub role: Role,
    pub content: String,
}

impl Turn {
    pub fn user(content: impl Into<String>) -> Self {
        Turn {
            role: Role::User,
            content: content.into(),
        }
    }

    pub fn assistant(content: impl Into<String>) -> Self {
        Turn {
            role: Role::Assistant,
            content: content.into(),
        }
    }
}

/// One chat call.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatRequest {
    pub system: String,
    pub turns: Vec<Turn>,
    /// Ask for a JSON object (OpenAI's `response_format`; Anthropic relies on the prompt).
    pub json: bool,
    pub max_tokens: u32,
    pub stream: bool,
}

/// The text of a reply and what the server said about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub text: String,
    /// The model that answered, as the server names it (may differ from the one asked for).
    pub model: Option<String>,
}

/// The request body for `protocol`.
pub fn body(protocol: Protocol, model: &str, request: &ChatRequest) -> Value {
    let turns: Vec<Value> = request
        .turns
        .iter()
        .map(|t| json!({"role": t.role.code(), "content": t.content}))
        .collect();
    match protocol {
        Protocol::OpenAiChat => {
            let mut messages = vec![json!({"role": "system", "content": request.system})];
            messages.extend(turns);
            let mut body = json!({
                "model": model,
                "messages": messages,
                "temperature": 0,
                "max_tokens": request.max_tokens,
                "stream": request.stream,
            });
            if request.json {
                body["response_format"] = json!({"type": "json_object"});
            }
            body
        }
        Protocol::AnthropicMessages => json!({
            "model": model,
            "system": request.system,
            "messages": turns,
            "temperature": 0,
            "max_tokens": request.max_tokens,
            "stream": request.stream,
        }),
    }
}

/// Reads a whole (not streamed) reply body.
pub fn reply(protocol: Protocol, body: &[u8]) -> Result<Reply, LlmError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| LlmError::BadReply(format!("the service sent malformed JSON ({e})")))?;
    let model = value
        .get("model")
        .and_then(Value::as_str)
        .map(str::to_string);
    let (text, stop) = match protocol {
        Protocol::OpenAiChat => {
            let choice = value
                .get("choices")
                .and_then(|c| c.get(0))
                .ok_or_else(|| missing("choices[0]"))?;
            let text = choice
                .pointer("/message/content")
                .and_then(Value::as_str)
                .ok_or_else(|| missing("choices[0].message.content"))?;
            let stop = choice.get("finish_reason").and_then(Value::as_str);
            (text.to_string(), stop.map(str::to_string))
        }
        Protocol::AnthropicMessages => {
            let blocks = value
                .get("content")
                .and_then(Value::as_array)
                .ok_or_else(|| missing("content"))?;
            let text: String = blocks
                .iter()
                .filter(|b| b.get("type").and_then(Value::as_str) == Some("text"))
                .filter_map(|b| b.get("text").and_then(Value::as_str))
                .collect();
            let stop = value.get("stop_reason").and_then(Value::as_str);
            (text, stop.map(str::to_string))
        }
    };
    check_stop(stop.as_deref())?;
    Ok(Reply { text, model })
}

/// Assembles a streamed reply from server-sent events, fed one chunk of bytes at a time.
#[derive(Debug)]
pub struct StreamReader {
    protocol: Protocol,
    pending: Vec<u8>,
    text: String,
    model: Option<String>,
    stop: Option<String>,
    done: bool,
}

impl StreamReader {
    pub fn new(protocol: Protocol) -> Self {
        StreamReader {
            protocol,
            pending: Vec::new(),
            text: String::new(),
            model: None,
            stop: None,
            done: false,
        }
    }

    /// Takes the next bytes off the wire; complete lines are read, a partial one is kept.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<(), LlmError> {
        self.pending.extend_from_slice(bytes);
        while let Some(end) = self.pending.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=end).collect();
            let line = String::from_utf8(line)
                .map_err(|_| LlmError::BadReply("the stream is not UTF-8 text".to_string()))?;
            self.line(line.trim_end_matches(['\r', '\n']))?;
        }
        Ok(())
    }

    fn line(&mut self, line: &str) -> Result<(), LlmError> {
        let Some(data) = line.strip_prefix("data:") else {
            // `event:`, `id:`, comments (`: keep-alive`) and blank separators carry nothing we use.
            return Ok(());
        };
        let data = data.trim();
        if data == "[DONE]" {
            self.done = true;
            return Ok(());
        }
        if data.is_empty() {
            return Ok(());
        }
        let event: Value = serde_json::from_str(data)
            .map_err(|e| LlmError::BadReply(format!("the stream held a malformed event ({e})")))?;
        if let Some(error) = event.get("error") {
            let why = error
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("no reason given");
            return Err(LlmError::BadReply(format!(
                "the service stopped with an error: {why}"
            )));
        }
        if self.model.is_none() {
            self.model = event
                .get("model")
                .or_else(|| event.pointer("/message/model"))
                .and_then(Value::as_str)
                .map(str::to_string);
        }
        match self.protocol {
            Protocol::OpenAiChat => {
                let Some(choice) = event.get("choices").and_then(|c| c.get(0)) else {
                    return Ok(());
                };
                if let Some(piece) = choice.pointer("/delta/content").and_then(Value::as_str) {
                    self.text.push_str(piece);
                }
                if let Some(stop) = choice.get("finish_reason").and_then(Value::as_str) {
                    self.stop = Some(stop.to_string());
                }
            }
            Protocol::AnthropicMessages => match event.get("type").and_then(Value::as_str) {
                Some("content_block_delta") => {
                    if let Some(piece) = event.pointer("/delta/text").and_then(Value::as_str) {
                        self.text.push_str(piece);
                    }
                }
                Some("message_delta") => {
                    if let Some(stop) = event.pointer("/delta/stop_reason").and_then(Value::as_str)
                    {
                        self.stop = Some(stop.to_string());
                    }
                }
                Some("message_stop") => self.done = true,
                _ => {}
            },
        }
        Ok(())
    }

    /// Bytes of text gathered so far.
    pub fn len(&self) -> usize {
        self.text.len()
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The reply, once the stream has ended: a stream that stops before its end marker is an
    /// error, never half a reply.
    pub fn finish(mut self) -> Result<Reply, LlmError> {
        if !self.pending.is_empty() {
            let rest = String::from_utf8(std::mem::take(&mut self.pending))
                .map_err(|_| LlmError::BadReply("the stream is not UTF-8 text".to_string()))?;
            self.line(rest.trim())?;
        }
        let ended = self.done || (self.protocol == Protocol::OpenAiChat && self.stop.is_some());
        if !ended {
            return Err(LlmError::BadReply(
                "the stream ended before the reply was complete (the connection was cut)"
                    .to_string(),
            ));
        }
        check_stop(self.stop.as_deref())?;
        Ok(Reply {
            text: self.text,
            model: self.model,
        })
    }
}

fn check_stop(stop: Option<&str>) -> Result<(), LlmError> {
    match stop {
        Some("length") | Some("max_tokens") => Err(LlmError::BadReply(
            "the reply was cut off at the model's token limit".to_string(),
        )),
        Some("content_filter") => Err(LlmError::BadReply(
            "the service withheld the reply (content filter)".to_string(),
        )),
        _ => Ok(()),
    }
}

fn missing(what: &str) -> LlmError {
    LlmError::BadReply(format!("the reply has no {what}"))
}

/// The first JSON object in a model's text: the whole text, a fenced ```json block, or the
/// outermost `{...}` inside prose.
pub fn json_object(text: &str) -> Result<Value, LlmError> {
    let trimmed = text.trim();
    if let Ok(value @ Value::Object(_)) = serde_json::from_str::<Value>(trimmed) {
        return Ok(value);
    }
    let fenced = fenced_block(trimmed, &["json", ""]).map(str::trim);
    let braced = match (trimmed.find('{'), trimmed.rfind('}')) {
        (Some(start), Some(end)) if start < end => Some(&trimmed[start..=end]),
        _ => None,
    };
    for candidate in [fenced, braced].into_iter().flatten() {
        if let Ok(value @ Value::Object(_)) = serde_json::from_str::<Value>(candidate) {
            return Ok(value);
        }
    }
    Err(LlmError::BadReply(
        "the model was asked for a JSON object and sent something else".to_string(),
    ))
}

/// The body of the first fenced code block tagged with one of `tags` (`""` = untagged).
pub fn fenced_block<'a>(text: &'a str, tags: &[&str]) -> Option<&'a str> {
    let mut rest = text;
    while let Some(open) = rest.find("```") {
        let after = &rest[open + 3..];
        let line_end = after.find('\n')?;
        let tag = after[..line_end].trim().to_ascii_lowercase();
        let body = &after[line_end + 1..];
        let close = body.find("```")?;
        if tags.iter().any(|t| *t == tag) {
            return Some(&body[..close]);
        }
        rest = &body[close + 3..];
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(json: bool) -> ChatRequest {
        ChatRequest {
            system: "sys".into(),
            turns: vec![Turn::user("q")],
            json,
            max_tokens: 100,
            stream: false,
        }
    }

    #[test]
    fn bodies_follow_each_protocol() {
        let openai = body(Protocol::OpenAiChat, "m", &request(true));
        assert_eq!(openai["messages"][0]["role"], "system");
        assert_eq!(openai["messages"][1]["content"], "q");
        assert_eq!(openai["response_format"]["type"], "json_object");
        let anthropic = body(Protocol::AnthropicMessages, "m", &request(true));
        assert_eq!(anthropic["system"], "sys");
        assert_eq!(anthropic["messages"][0]["role"], "user");
        assert!(anthropic.get("response_format").is_none());
    }

    #[test]
    fn whole_replies_are_read_strictly() {
        let ok =
            br#"{"model":"m1","choices":[{"message":{"content":"hi"},"finish_reason":"stop"}]}"#;
        assert_eq!(reply(Protocol::OpenAiChat, ok).unwrap().text, "hi");
        let cut = br#"{"choices":[{"message":{"content":"SELE"},"finish_reason":"length"}]}"#;
        assert!(
            matches!(reply(Protocol::OpenAiChat, cut), Err(LlmError::BadReply(m)) if m.contains("token limit"))
        );
        assert!(reply(Protocol::OpenAiChat, b"{\"choices\":[]}").is_err());
        assert!(reply(Protocol::OpenAiChat, b"<html>oops").is_err());
        let anthropic = br#"{"content":[{"type":"text","text":"a"},{"type":"text","text":"b"}],"stop_reason":"end_turn"}"#;
        assert_eq!(
            reply(Protocol::AnthropicMessages, anthropic).unwrap().text,
            "ab"
        );
    }

    #[test]
    fn streams_are_assembled_across_chunk_borders_and_a_cut_stream_is_an_error() {
        let events = "data: {\"model\":\"m\",\"choices\":[{\"delta\":{\"content\":\"SEL\"}}]}\n\n\
                      : keep-alive\n\
                      data: {\"choices\":[{\"delta\":{\"content\":\"ECT 1\"},\"finish_reason\":\"stop\"}]}\n\n\
                      data: [DONE]\n\n";
        let mut reader = StreamReader::new(Protocol::OpenAiChat);
        for chunk in events.as_bytes().chunks(7) {
            reader.feed(chunk).unwrap();
        }
        let reply = reader.finish().unwrap();
        assert_eq!(reply.text, "SELECT 1");
        assert_eq!(reply.model.as_deref(), Some("m"));

        let mut cut = StreamReader::new(Protocol::OpenAiChat);
        cut.feed(b"data: {\"choices\":[{\"delta\":{\"content\":\"SEL\"}}]}\n\n")
            .unwrap();
        assert!(matches!(cut.finish(), Err(LlmError::BadReply(m)) if m.contains("ended before")));

        let mut broken = StreamReader::new(Protocol::OpenAiChat);
        assert!(broken.feed(b"data: {nope\n").is_err());
    }

    #[test]
    fn anthropic_streams_end_at_message_stop() {
        let events = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":\"c\"}}\n\n\
                      event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":\"ok\"}}\n\n\
                      event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"}}\n\n\
                      event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
        let mut reader = StreamReader::new(Protocol::AnthropicMessages);
        reader.feed(events.as_bytes()).unwrap();
        let reply = reader.finish().unwrap();
        assert_eq!(
            (reply.text.as_str(), reply.model.as_deref()),
            ("ok", Some("c"))
        );
    }

    #[test]
    fn json_is_found_in_prose_and_fences() {
        assert_eq!(json_object("{\"sql\":\"x\"}").unwrap()["sql"], "x");
        assert_eq!(
            json_object("Here:\n```json\n{\"sql\": \"y\"}\n```\nDone").unwrap()["sql"],
            "y"
        );
        assert_eq!(
            json_object("Sure! {\"sql\": \"z\"} hope it helps").unwrap()["sql"],
            "z"
        );
        assert!(json_object("SELECT 1").is_err());
        assert_eq!(
            fenced_block("a\n```sql\nSELECT 2\n```", &["sql"]),
            Some("SELECT 2\n")
        );
    }
}
