//! [`Engine`]: the verbs every shell calls (`ask`, `analyze`, `schema`). Each verb is a thin entry
//! that resolves its inputs and hands over to `pipeline::run`, the only place that knows the order
//! of stages.

use std::path::PathBuf;
use std::sync::Arc;

use sightline_analytics::AnalysisType;

use crate::contract::Answer;
use crate::db::{Database, QueryLimits, Schema};
use crate::error::{EngineError, ErrorKind};
use crate::glossary::Glossary;
use crate::knowledge::KnowledgeCache;
use crate::llm::{CallLimits, Endpoint, LlmClient};
use crate::pipeline;
use crate::pipeline::agents::{Analyst, FollowUp, ModelRun};
use crate::progress::{CancelToken, StageSink};
use crate::settings::Author;

/// Rows shown in `data.rows` unless the caller asks for another cap.
pub const DEFAULT_MAX_ROWS: usize = 1000;

/// Settings the engine runs with; every shell builds one from its own configuration.
#[derive(Debug, Clone, Default)]
pub struct EngineConfig {
    pub query_limits: QueryLimits,
    /// Timeouts, retries and size caps of language-model calls.
    pub llm_limits: CallLimits,
}

/// One question in plain words.
#[derive(Debug, Clone)]
pub struct AskRequest {
    pub question: String,
    /// A file path or a `sqlite:///path` URL.
    pub database: String,
    /// A glossary file; when absent, `glossary.json` beside the database is used if present.
    pub glossary: Option<PathBuf>,
    /// The model that writes the SQL (resolved by the shell from a profile, see
    /// [`crate::llm::profile::resolve`]); `None` for the embedded offline planner.
    pub model: Option<Endpoint>,
    /// Send the model no sample values (the settings' "schema only").
    pub schema_only: bool,
    /// The question before this one, for follow-ups such as "now only the West region".
    pub follow_up: Option<FollowUp>,
    /// Who draws the chart of an answer without an analysis, when a model is in use.
    pub chart_author: Author,
    /// Where the model's analysis code runs; `None` keeps the native analysis.
    pub analyst: Option<Analyst>,
    pub max_rows: usize,
}

/// One analysis on the result of a given SQL statement, with no language understanding.
#[derive(Debug, Clone)]
pub struct AnalyzeRequest {
    pub analysis: AnalysisType,
    pub database: String,
    pub sql: String,
    pub target: Option<String>,
    pub date_column: Option<String>,
    pub horizon: Option<usize>,
    pub method: Option<String>,
    pub threshold: Option<f64>,
    /// Periods per seasonal cycle for forecasts and seasonal anomalies, overriding the detected
    /// one; `Some(1)` means no seasonality.
    pub season_length: Option<usize>,
    pub glossary: Option<PathBuf>,
    pub max_rows: usize,
}

/// The Sightline engine. Cheap to clone; holds no open database.
#[derive(Debug, Clone, Default)]
pub struct Engine {
    config: EngineConfig,
    /// Schemas and value indexes of recently asked-about files, shared by every clone.
    knowledge: KnowledgeCache,
}

impl Engine {
    pub fn new(config: EngineConfig) -> Self {
        Engine {
            config,
            knowledge: KnowledgeCache::default(),
        }
    }

    /// Answers a question. `Err` only when nothing could start (for example the database cannot be
    /// opened); a stage that fails later is recorded in the answer's `stages` and `error`.
    pub async fn ask(
        &self,
        request: AskRequest,
        sink: Arc<dyn StageSink>,
        cancel: CancelToken,
    ) -> Result<Answer, EngineError> {
        let model = match request.model {
            Some(endpoint) => Some(ModelRun {
                client: LlmClient::new(endpoint, self.config.llm_limits.clone())
                    .map_err(|e| EngineError::from_stage("plan", &e))?,
                schema_only: request.schema_only,
                draws_charts: request.chart_author == Author::Model,
                analyst: request.analyst,
            }),
            None => None,
        };
        let (database, glossary) = self
            .open(&request.database, request.glossary.as_ref())
            .await?;
        let job = pipeline::Job::Ask {
            question: request.question,
            model,
            follow_up: request.follow_up,
        };
        let limits = self.config.query_limits.clone();
        let knowledge = self.knowledge.for_file(database.path());
        blocking(move || {
            let source = pipeline::Source {
                database: &database,
                glossary: &glossary,
                knowledge: &knowledge,
            };
            pipeline::run(job, &source, &limits, request.max_rows, &*sink, &cancel)
        })
        .await
    }

    /// Runs one analysis on the result of `request.sql`.
    pub async fn analyze(
        &self,
        request: AnalyzeRequest,
        sink: Arc<dyn StageSink>,
        cancel: CancelToken,
    ) -> Result<Answer, EngineError> {
        let (database, glossary) = self
            .open(&request.database, request.glossary.as_ref())
            .await?;
        let max_rows = request.max_rows;
        let job = pipeline::Job::Analyze(pipeline::DirectAnalysis {
            analysis: request.analysis,
            sql: request.sql,
            target: request.target,
            date_column: request.date_column,
            horizon: request.horizon,
            method: request.method,
            threshold: request.threshold,
            season_length: request.season_length,
        });
        let limits = self.config.query_limits.clone();
        let knowledge = self.knowledge.for_file(database.path());
        blocking(move || {
            let source = pipeline::Source {
                database: &database,
                glossary: &glossary,
                knowledge: &knowledge,
            };
            pipeline::run(job, &source, &limits, max_rows, &*sink, &cancel)
        })
        .await
    }

    /// How many schemas were read from files rather than remembered (see [`KnowledgeCache`]).
    pub fn introspections(&self) -> usize {
        self.knowledge.introspections()
    }

    /// Tables, columns, types, keys, row counts and sample values.
    pub async fn schema(&self, database: &str) -> Result<Schema, EngineError> {
        let location = database.to_string();
        blocking(move || {
            let db =
                Database::open(&location).map_err(|e| EngineError::from_stage("schema", &e))?;
            db.schema()
                .map_err(|e| EngineError::from_stage("schema", &e))
        })
        .await
    }

    async fn open(
        &self,
        location: &str,
        glossary: Option<&PathBuf>,
    ) -> Result<(Database, Glossary), EngineError> {
        let location = location.to_string();
        let glossary = glossary.cloned();
        blocking(move || {
            let db = Database::open(&location).map_err(|e| EngineError::from_stage("open", &e))?;
            let glossary = Glossary::for_database(glossary.as_deref(), db.path())
                .map_err(|e| EngineError::from_stage("open", &e))?;
            Ok((db, glossary))
        })
        .await
    }
}

/// Runs CPU or SQLite work off the async runtime's threads.
async fn blocking<T, F>(work: F) -> Result<T, EngineError>
where
    F: FnOnce() -> Result<T, EngineError> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(work).await.map_err(|e| {
        EngineError::new(
            ErrorKind::Internal,
            format!("A background task failed: {e}"),
        )
    })?
}
