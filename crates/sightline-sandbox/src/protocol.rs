//! The framing between the host and the runner (`runner/runner.py`): one job in on stdin, one
//! reply out on stdout. The runner is the same in Docker and restricted mode; only the transport
//! differs (Docker's attach stream or a child process's pipes).
//!
//! The reply is found by a marker carrying a per-job nonce, so whatever else reaches stdout or
//! stderr (a C library printing, a flood of output) is kept as capped "stray" output instead of
//! being mistaken for the reply, and a flood can never push the reply out of reach.
//!
//! While the code runs, the runner also sends a live copy of what the code prints (up to the
//! output cap, at each line end and each flush) in small `out` frames, and one `cut` frame when
//! it starts dropping output. The reply repeats that output, so the live copy only matters when
//! no reply comes: a timeout, a crash, a kill. Then the result still shows what the code printed
//! before (S2).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::SandboxError;

/// The runner script, embedded so the image and the restricted mode always use this build's copy.
pub const RUNNER_PY: &str = include_str!("../runner/runner.py");

/// Path of the runner inside the image.
pub const RUNNER_PATH: &str = "/opt/sightline/runner.py";

const JOB_HEADER: &str = "SIGHTLINE-JOB ";
const REPLY_MARK: &[u8] = b"@@sightline-reply:";
const OUT_MARK: &[u8] = b"@@sightline-out:";
const CUT_MARK: &[u8] = b"@@sightline-cut:";
/// What a warm runner writes once its imports are done.
pub const READY_MARK: &[u8] = b"\n@@sightline-ready@@\n";

/// The most a reply may hold before the host gives up on it (result + figure + output caps).
pub const MAX_REPLY_BYTES: usize = 16 << 20;
/// The most one live output frame may hold (the runner sends at most 3 KB at a time).
const MAX_OUT_FRAME: usize = 64 << 10;

#[derive(Debug, Serialize)]
pub struct JobData<'a> {
    pub name: &'a str,
    pub csv: &'a str,
}

/// The job the runner reads.
#[derive(Debug, Serialize)]
pub struct JobMessage<'a> {
    pub nonce: &'a str,
    pub code: &'a str,
    pub data: Vec<JobData<'a>>,
    pub workspace: &'a str,
    pub output_cap: usize,
    pub result_cap: usize,
    pub figure_cap: usize,
}

impl JobMessage<'_> {
    /// The bytes to write to the runner's stdin.
    pub fn frame(&self) -> Result<Vec<u8>, SandboxError> {
        let body = serde_json::to_vec(self)
            .map_err(|e| SandboxError::Internal(format!("Could not encode the job: {e}")))?;
        let mut out = format!("{JOB_HEADER}{}\n", body.len()).into_bytes();
        out.extend_from_slice(&body);
        Ok(out)
    }
}

/// The runner's reply.
#[derive(Debug, Clone, Deserialize)]
pub struct Reply {
    pub ok: bool,
    #[serde(default)]
    pub result: Value,
    #[serde(default)]
    pub visualization: Value,
    #[serde(default)]
    pub output: String,
    #[serde(default)]
    pub output_dropped: u64,
    #[serde(default)]
    pub error: Option<String>,
    /// `code`, `memory`, `result`, `data` or null.
    #[serde(default)]
    pub error_kind: Option<String>,
}

/// Scans one of the runner's streams as it arrives: keeps up to `cap` bytes of stray output,
/// counts the rest, collects the live copy of the code's output (also capped), and extracts the
/// reply frame.
#[derive(Debug)]
pub struct ReplyScanner {
    markers: [(FrameKind, Vec<u8>); 3],
    cap: usize,
    stray: Vec<u8>,
    stray_dropped: u64,
    live: Vec<u8>,
    /// The runner said it dropped output, or the live copy went over `cap` here.
    live_cut: bool,
    pending: Vec<u8>,
    state: ScanState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FrameKind {
    Reply,
    Out,
    Cut,
}

#[derive(Debug)]
enum ScanState {
    Scanning,
    Body { kind: FrameKind, len: usize },
    Done(Vec<u8>),
    Failed(String),
}

impl ReplyScanner {
    pub fn new(nonce: &str, cap: usize) -> Self {
        let marker = |mark: &[u8]| {
            let mut marker = b"\n".to_vec();
            marker.extend_from_slice(mark);
            marker.extend_from_slice(nonce.as_bytes());
            marker.push(b':');
            marker
        };
        ReplyScanner {
            markers: [
                (FrameKind::Reply, marker(REPLY_MARK)),
                (FrameKind::Out, marker(OUT_MARK)),
                (FrameKind::Cut, marker(CUT_MARK)),
            ],
            cap,
            stray: Vec::new(),
            stray_dropped: 0,
            live: Vec::new(),
            live_cut: false,
            pending: Vec::new(),
            state: ScanState::Scanning,
        }
    }

    /// Output that is not part of the reply (what the code wrote outside the runner's capture).
    pub fn stray(&self) -> (String, u64) {
        let mut stray = self.stray.clone();
        if matches!(self.state, ScanState::Scanning) {
            stray.extend_from_slice(&self.pending);
        }
        (
            String::from_utf8_lossy(&stray).into_owned(),
            self.stray_dropped,
        )
    }

    /// The live copy of the code's captured output received so far, and whether some of it was
    /// not kept (over the cap).
    pub fn live(&self) -> (String, bool) {
        (
            String::from_utf8_lossy(&self.live).into_owned(),
            self.live_cut,
        )
    }

    /// What the code printed before the run ended without a reply (a timeout, a crash, a kill):
    /// the live copy of its captured output, then stray output from `streams` (this scanner
    /// first), with a visible notice when anything was not kept.
    pub fn output_so_far(streams: &[&ReplyScanner]) -> String {
        let mut output = String::new();
        let mut cut = false;
        let mut dropped = 0;
        for scanner in streams {
            let (live, live_cut) = scanner.live();
            output.push_str(&live);
            cut |= live_cut;
        }
        for scanner in streams {
            let (stray, stray_dropped) = scanner.stray();
            output.push_str(&stray);
            dropped += stray_dropped;
        }
        if dropped > 0 {
            output.push_str(&format!(
                "\n[output truncated: {dropped} more characters were not kept]"
            ));
        } else if cut {
            output.push_str("\n[output truncated: later output was not kept]");
        }
        output
    }

    pub fn is_done(&self) -> bool {
        matches!(self.state, ScanState::Done(_) | ScanState::Failed(_))
    }

    fn keep_stray(&mut self, bytes: &[u8]) {
        let room = self.cap.saturating_sub(self.stray.len());
        let take = room.min(bytes.len());
        self.stray.extend_from_slice(&bytes[..take]);
        self.stray_dropped += (bytes.len() - take) as u64;
    }

    fn keep_live(&mut self, bytes: &[u8]) {
        let room = self.cap.saturating_sub(self.live.len());
        let take = room.min(bytes.len());
        self.live.extend_from_slice(&bytes[..take]);
        if take < bytes.len() {
            self.live_cut = true;
        }
    }

    /// The first frame marker in `pending`: where it starts and which kind it opens.
    fn first_marker(&self) -> Option<(usize, FrameKind, usize)> {
        self.markers
            .iter()
            .filter_map(|(kind, marker)| {
                find(&self.pending, marker).map(|at| (at, *kind, marker.len()))
            })
            .min_by_key(|(at, _, _)| *at)
    }

    pub fn push(&mut self, chunk: &[u8]) {
        if self.is_done() {
            return;
        }
        self.pending.extend_from_slice(chunk);
        loop {
            match self.state {
                ScanState::Scanning => {
                    if let Some((at, kind, marker_len)) = self.first_marker() {
                        let before: Vec<u8> = self.pending.drain(..at).collect();
                        self.keep_stray(&before);
                        // `<len>@@\n` follows the marker.
                        let after = &self.pending[marker_len..];
                        let Some(end) = find(after, b"@@\n") else {
                            if after.len() > 24 {
                                self.state = ScanState::Failed("a malformed reply header".into());
                            }
                            return;
                        };
                        let len = std::str::from_utf8(&after[..end])
                            .ok()
                            .and_then(|s| s.parse::<usize>().ok());
                        let Some(len) = len else {
                            self.state = ScanState::Failed("a malformed reply length".into());
                            return;
                        };
                        let limit = match kind {
                            FrameKind::Reply => MAX_REPLY_BYTES,
                            FrameKind::Out => MAX_OUT_FRAME,
                            FrameKind::Cut => 0,
                        };
                        if len > limit {
                            self.state = ScanState::Failed(format!(
                                "a frame of {len} bytes, over the {limit}-byte limit"
                            ));
                            return;
                        }
                        let header = marker_len + end + 3;
                        self.pending.drain(..header);
                        self.state = ScanState::Body { kind, len };
                    } else {
                        // Keep a tail that could be the start of a marker; the rest is stray.
                        let keep = self.markers.iter().map(|(_, m)| m.len()).max().unwrap_or(0);
                        if self.pending.len() > keep {
                            let cut = self.pending.len() - keep;
                            let before: Vec<u8> = self.pending.drain(..cut).collect();
                            self.keep_stray(&before);
                        }
                        return;
                    }
                }
                ScanState::Body { kind, len } => {
                    if self.pending.len() < len {
                        return;
                    }
                    let body: Vec<u8> = self.pending.drain(..len).collect();
                    match kind {
                        FrameKind::Reply => {
                            self.state = ScanState::Done(body);
                            return;
                        }
                        FrameKind::Out => {
                            self.keep_live(&body);
                            self.state = ScanState::Scanning;
                        }
                        FrameKind::Cut => {
                            self.live_cut = true;
                            self.state = ScanState::Scanning;
                        }
                    }
                }
                ScanState::Done(_) | ScanState::Failed(_) => return,
            }
        }
    }

    /// The reply, once complete; `None` if the stream ended without one.
    pub fn reply(&self) -> Option<Result<Reply, SandboxError>> {
        match &self.state {
            ScanState::Done(body) => Some(serde_json::from_slice(body).map_err(|e| {
                SandboxError::Internal(format!("The sandbox runner sent an unreadable reply: {e}"))
            })),
            ScanState::Failed(why) => Some(Err(SandboxError::Internal(format!(
                "The sandbox runner sent {why}."
            )))),
            ScanState::Scanning | ScanState::Body { .. } => None,
        }
    }
}

pub(crate) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(nonce: &str, body: &str) -> Vec<u8> {
        format!("\n@@sightline-reply:{nonce}:{}@@\n{body}", body.len()).into_bytes()
    }

    #[test]
    fn reply_is_found_across_chunks_after_stray_output() {
        let mut all = b"hello from C\n".to_vec();
        all.extend(frame("n1", r#"{"ok":true,"result":{"a":1}}"#));
        for size in [1, 3, 7, 1000] {
            let mut scanner = ReplyScanner::new("n1", 1024);
            for chunk in all.chunks(size) {
                scanner.push(chunk);
            }
            let reply = scanner.reply().unwrap().unwrap();
            assert!(reply.ok, "chunk size {size}");
            assert_eq!(reply.result["a"], 1);
            assert_eq!(scanner.stray().0, "hello from C\n", "chunk size {size}");
        }
    }

    fn out(nonce: &str, kind: &str, body: &str) -> Vec<u8> {
        format!("\n@@sightline-{kind}:{nonce}:{}@@\n{body}", body.len()).into_bytes()
    }

    #[test]
    fn live_output_is_kept_apart_from_stray_output_and_the_reply() {
        let mut all = out("n1", "out", "step 1\n");
        all.extend(b"from C\n");
        all.extend(out("n1", "out", "step 2\n"));
        all.extend(out("other", "out", "forged\n"));
        for size in [1, 5, 1000] {
            let mut scanner = ReplyScanner::new("n1", 1024);
            for chunk in all.chunks(size) {
                scanner.push(chunk);
            }
            assert!(scanner.reply().is_none(), "chunk size {size}");
            assert_eq!(scanner.live(), ("step 1\nstep 2\n".to_string(), false));
            let stray = scanner.stray().0;
            assert!(stray.starts_with("from C\n"), "{stray:?}");
            assert!(
                stray.contains("forged"),
                "another nonce is stray output: {stray:?}"
            );
            assert_eq!(
                ReplyScanner::output_so_far(&[&scanner]),
                format!("step 1\nstep 2\n{stray}"),
                "chunk size {size}"
            );
            scanner.push(&frame("n1", r#"{"ok":true}"#));
            assert!(scanner.reply().unwrap().unwrap().ok, "chunk size {size}");
        }
    }

    #[test]
    fn live_output_is_capped_and_a_cut_is_visible() {
        let mut scanner = ReplyScanner::new("n", 8);
        scanner.push(&out("n", "out", "0123456789"));
        assert_eq!(scanner.live(), ("01234567".to_string(), true));
        let mut scanner = ReplyScanner::new("n", 100);
        scanner.push(&out("n", "out", "kept\n"));
        scanner.push(&out("n", "cut", ""));
        assert_eq!(scanner.live(), ("kept\n".to_string(), true));
        let so_far = ReplyScanner::output_so_far(&[&scanner]);
        assert!(
            so_far.starts_with("kept\n") && so_far.contains("[output truncated:"),
            "{so_far:?}"
        );
    }

    #[test]
    fn an_oversized_live_frame_is_refused() {
        let mut scanner = ReplyScanner::new("n", 10);
        scanner.push(b"\n@@sightline-out:n:99999999@@\n");
        assert!(scanner.reply().unwrap().is_err());
    }

    #[test]
    fn a_forged_reply_with_another_nonce_is_stray_output() {
        let mut scanner = ReplyScanner::new("real", 1 << 20);
        scanner.push(&frame("fake", r#"{"ok":true}"#));
        assert!(
            scanner.reply().is_none(),
            "a frame with the wrong nonce is not the reply"
        );
        assert!(scanner.stray().0.contains("fake"));
    }

    #[test]
    fn a_flood_is_capped_and_the_reply_still_arrives() {
        let mut scanner = ReplyScanner::new("n", 100);
        for _ in 0..10_000 {
            scanner.push(&[b'x'; 100]);
        }
        scanner.push(&frame("n", r#"{"ok":true}"#));
        let (stray, dropped) = scanner.stray();
        assert_eq!(stray.len(), 100);
        assert!(dropped > 999_000, "dropped {dropped}");
        assert!(scanner.reply().unwrap().unwrap().ok);
    }

    #[test]
    fn an_oversized_reply_is_refused() {
        let mut scanner = ReplyScanner::new("n", 10);
        scanner.push(format!("\n@@sightline-reply:n:{}@@\n", MAX_REPLY_BYTES + 1).as_bytes());
        assert!(scanner.reply().unwrap().is_err());
    }

    #[test]
    fn job_frame_has_a_length_header() {
        let job = JobMessage {
            nonce: "n",
            code: "result = 1",
            data: vec![],
            workspace: "/workspace",
            output_cap: 1,
            result_cap: 1,
            figure_cap: 1,
        };
        let frame = job.frame().unwrap();
        let text = String::from_utf8(frame).unwrap();
        let (head, body) = text.split_once('\n').unwrap();
        assert_eq!(head, format!("SIGHTLINE-JOB {}", body.len()));
    }
}
