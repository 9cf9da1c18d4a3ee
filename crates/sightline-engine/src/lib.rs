//! The one Sightline API: [`Engine::ask`], [`Engine::analyze`] and [`Engine::schema`].
//!
//! A question goes through `pipeline::run` (intent → plan → validate → execute → analyze → chart →
//! interpret) and comes back as one [`Answer`]. The engine knows nothing of Tauri, HTTP or the
//! command line; shells adapt its [`StageSink`] and [`CancelToken`].

pub mod contract;
pub mod db;
pub mod engine;
pub mod error;
pub mod export;
pub mod glossary;
pub mod knowledge;
pub mod llm;
pub mod pipeline;
pub mod progress;
pub mod secrets;
pub mod settings;
pub mod typescript;

pub use contract::{Answer, AnswerError, DataTable, StageReport, StageStatus};
pub use error::{EngineError, ErrorKind};
pub use progress::{CancelToken, NullSink, RecordingSink, StageEvent, StageSink, StderrSink};

pub use engine::{AnalyzeRequest, AskRequest, DEFAULT_MAX_ROWS, Engine, EngineConfig};
