//! The wire types of CONTRACT.md: the answer of `ask`/`analyze`, its parts, and the schema report.
//! Fields are added, never repurposed; every shell (CLI, HTTP, Tauri) serialises these as they are.

use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

use sightline_analytics::{AnalysisResult, AnalysisType};

use crate::db::SqlParam;
use crate::error::{EngineError, ErrorKind};
use crate::pipeline::agents::SentToModel;

/// The answer to one question (or one direct analysis).
#[derive(Debug, Clone, Serialize, TS)]
pub struct Answer {
    pub question: Option<String>,
    pub database: String,
    /// The statement in its display form: the values bound to it written in as SQLite literals,
    /// so it can be read, edited and run again as it is. What ran kept placeholders instead.
    pub sql: Option<String>,
    /// The values bound to the statement's placeholders, in order; omitted when there are none
    /// (SQL written by a person holds its values as literals).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[ts(optional, as = "Option<Vec<SqlParamJson>>")]
    pub sql_params: Vec<SqlParam>,
    pub confidence: f64,
    pub method: String,
    pub data: Option<DataTable>,
    pub analytics_performed: bool,
    #[ts(type = "AnalysisType | null")]
    pub analytics_type: Option<AnalysisType>,
    /// The result of the analysis; its fields by type are in CONTRACT.md.
    #[ts(type = "Record<string, unknown> | null")]
    pub analysis_result: Option<AnalysisResult>,
    /// A Plotly figure (`data`, `layout`).
    #[ts(type = "{ data: unknown[]; layout: Record<string, unknown> } | null")]
    pub visualization: Option<Value>,
    pub interpretation: Option<String>,
    pub stages: Vec<StageReport>,
    pub warnings: Vec<String>,
    pub error: Option<AnswerError>,
    /// What was sent to a language model for this answer (tables, columns, how many sample
    /// values); null when no model was asked.
    pub sent_to_model: Option<SentToModel>,
    /// The Python that computed `analysis_result`, when the model wrote it (run in the sandbox);
    /// null for Sightline's native analysis.
    pub analysis_code: Option<String>,
}

impl Answer {
    /// An empty answer for `database`, filled in stage by stage.
    pub fn new(question: Option<String>, database: String) -> Self {
        Answer {
            question,
            database,
            sql: None,
            sql_params: Vec::new(),
            confidence: 0.0,
            method: "offline".to_string(),
            data: None,
            analytics_performed: false,
            analytics_type: None,
            analysis_result: None,
            visualization: None,
            interpretation: None,
            stages: Vec::new(),
            warnings: Vec::new(),
            error: None,
            sent_to_model: None,
            analysis_code: None,
        }
    }

    /// The error's kind, when a stage failed.
    pub fn error_kind(&self) -> Option<ErrorKind> {
        self.error.as_ref().map(|e| e.kind)
    }
}

/// [`SqlParam`] as it reads in JSON (and TypeScript): a string or a number.
#[derive(TS)]
#[ts(rename = "SqlParam", type = "string | number")]
pub struct SqlParamJson;

/// The rows shown to the user: at most `max_rows` of them, with the full count beside.
#[derive(Debug, Clone, Serialize, TS)]
pub struct DataTable {
    pub columns: Vec<String>,
    #[ts(type = "Array<Array<string | number | null>>")]
    pub rows: Vec<Vec<Value>>,
    pub row_count: usize,
    pub truncated: bool,
}

/// How one stage went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum StageStatus {
    Ok,
    Skipped,
    Failed,
}

/// One entry of `stages`.
#[derive(Debug, Clone, Serialize, TS)]
pub struct StageReport {
    pub name: String,
    pub status: StageStatus,
    pub ms: f64,
}

/// The `error` object: which stage, a stable kind, and a message a business user can act on.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AnswerError {
    pub stage: Option<String>,
    pub kind: ErrorKind,
    pub message: String,
}

impl From<EngineError> for AnswerError {
    fn from(e: EngineError) -> Self {
        AnswerError {
            stage: e.stage,
            kind: e.kind,
            message: e.message,
        }
    }
}
