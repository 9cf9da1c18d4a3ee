//! Stage progress and cancellation: the engine reports each stage through a [`StageSink`] that
//! every shell adapts (a Tauri channel, stderr, nothing, or a recording for tests), and checks a
//! [`CancelToken`] inside long loops.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;
use ts_rs::TS;

use crate::contract::StageStatus;

/// One stage starting or finishing.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum StageEvent {
    Started {
        name: String,
    },
    Finished {
        name: String,
        status: StageStatus,
        ms: f64,
        detail: Option<String>,
    },
}

/// Where stage events go. Implementations must be cheap and must not block.
pub trait StageSink: Send + Sync {
    fn emit(&self, event: StageEvent);
}

/// Drops every event.
pub struct NullSink;

impl StageSink for NullSink {
    fn emit(&self, _event: StageEvent) {}
}

/// Writes one human line per finished stage to stderr (the CLI's `--verbose`).
pub struct StderrSink;

impl StageSink for StderrSink {
    fn emit(&self, event: StageEvent) {
        if let StageEvent::Finished {
            name,
            status,
            ms,
            detail,
        } = event
        {
            let detail = detail.map(|d| format!(" ({d})")).unwrap_or_default();
            eprintln!("[{name:>9}] {status:?} in {ms:.1} ms{detail}");
        }
    }
}

/// Keeps every event, for tests.
#[derive(Default)]
pub struct RecordingSink {
    events: Mutex<Vec<StageEvent>>,
}

impl RecordingSink {
    pub fn events(&self) -> Vec<StageEvent> {
        self.events.lock().map(|e| e.clone()).unwrap_or_default()
    }
}

impl StageSink for RecordingSink {
    fn emit(&self, event: StageEvent) {
        if let Ok(mut events) = self.events.lock() {
            events.push(event);
        }
    }
}

/// A cheap, cloneable flag a shell sets to cancel a running question.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}
