//! The pipeline: the only place that knows the order of stages. Artifacts move forward only,
//! `Question → Intent → Plan → ValidatedSql → QueryResult → AnalysisResult → Figure → Answer`;
//! each stage is timed and reported, and a failed stage is recorded in the answer with what was
//! produced so far.

pub mod analyze;
pub mod chart;
pub mod intent;
pub mod plan;

use std::time::Instant;

use chrono::NaiveDate;
use sightline_analytics::AnalysisType;

use crate::contract::{Answer, AnswerError, DataTable, StageReport, StageStatus};
use crate::db::{Database, QueryLimits, QueryResult, ReadOnlyConnection};
use crate::error::{EngineError, ErrorKind};
use crate::glossary::Glossary;
use crate::knowledge::FileKnowledge;
use crate::progress::{CancelToken, StageEvent, StageSink};
use plan::{AnalysisSpec, DataProbe};

/// The stage names, in order, as they appear in `stages`.
pub const STAGES: [&str; 7] = [
    "intent",
    "plan",
    "validate",
    "execute",
    "analyze",
    "chart",
    "interpret",
];

/// What the pipeline is asked to do.
#[derive(Debug, Clone)]
pub enum Job {
    /// A question in plain words.
    Ask { question: String },
    /// One analysis on the result of given SQL.
    Analyze(DirectAnalysis),
}

/// The options of `sightline analyze`.
#[derive(Debug, Clone)]
pub struct DirectAnalysis {
    pub analysis: AnalysisType,
    pub sql: String,
    pub target: Option<String>,
    pub date_column: Option<String>,
    pub horizon: Option<usize>,
    pub method: Option<String>,
    pub threshold: Option<f64>,
    /// Periods per seasonal cycle, overriding detection (`Some(1)`: no seasonality).
    pub season_length: Option<usize>,
}

/// What a job is asked of: the database, its glossary, and what is already known about the file.
pub struct Source<'a> {
    pub database: &'a Database,
    pub glossary: &'a Glossary,
    pub knowledge: &'a FileKnowledge,
}

/// Runs a job to its answer. `Err` only when the database cannot be reached at all.
pub fn run(
    job: Job,
    source: &Source<'_>,
    limits: &QueryLimits,
    max_rows: usize,
    sink: &dyn StageSink,
    cancel: &CancelToken,
) -> Result<Answer, EngineError> {
    let question = match &job {
        Job::Ask { question } => Some(question.clone()),
        Job::Analyze(_) => None,
    };
    let mut run = Run {
        sink,
        cancel,
        answer: Answer::new(question, source.database.url()),
    };
    let Source {
        database,
        glossary,
        knowledge,
    } = *source;
    let connection = database
        .connect()
        .map_err(|e| EngineError::from_stage("plan", &e))?;

    // intent + plan: what to compute.
    let (sql, spec, reading) = match job {
        Job::Ask { question } => {
            let Some(intent) = run.stage("intent", |_| Ok(intent::detect(&question))) else {
                return Ok(run.answer);
            };
            let probe = Probe {
                connection: &connection,
                limits,
                cancel,
                knowledge,
            };
            let planned = run.stage("plan", |answer| {
                let schema = knowledge
                    .schema(|| database.schema())
                    .map_err(|e| EngineError::from_stage("plan", &e))?;
                let catalog = plan::catalog::Catalog::new(&schema, glossary);
                let planned = plan::plan(&intent, &catalog, glossary, &probe)
                    .map_err(|e| EngineError::from_stage("plan", &e))?;
                answer.sql = Some(planned.sql.clone());
                answer.confidence = planned.confidence;
                answer.warnings.extend(planned.warnings.iter().cloned());
                Ok(planned)
            });
            let Some(planned) = planned else {
                return Ok(run.answer);
            };
            (
                planned.sql,
                planned.analysis.map(Target::Planned),
                Some(planned.reading),
            )
        }
        Job::Analyze(direct) => {
            run.skip("intent");
            run.skip("plan");
            run.answer.sql = Some(direct.sql.clone());
            run.answer.confidence = 1.0;
            run.answer.method = "direct".to_string();
            (direct.sql.clone(), Some(Target::Direct(direct)), None)
        }
    };

    // validate + execute: the data.
    let Some(validated) = run.stage("validate", |_| {
        connection
            .validate(&sql)
            .map_err(|e| EngineError::from_stage("validate", &e))
    }) else {
        return Ok(run.answer);
    };
    let Some(result) = run.stage("execute", |answer| {
        let result = connection
            .execute(&validated, limits, cancel)
            .map_err(|e| EngineError::from_stage("execute", &e))?;
        answer.data = Some(table(&result, max_rows));
        Ok(result)
    }) else {
        return Ok(run.answer);
    };

    // analyze: the statistics, on the full result.
    let analysis = match spec {
        Some(Target::Planned(spec)) => run.stage("analyze", |answer| {
            let outcome = analyze::planned(&spec, &result)?;
            Ok(Some(record_analysis(answer, outcome)))
        }),
        Some(Target::Direct(direct)) => run.stage("analyze", |answer| {
            let outcome = analyze::direct(&direct, &result, glossary)?;
            Ok(Some(record_analysis(answer, outcome)))
        }),
        None => {
            run.skip("analyze");
            Some(None)
        }
    };
    let Some(analysis) = analysis else {
        return Ok(run.answer);
    };

    let figure = run.stage("chart", |answer| {
        let drawn = analysis.as_ref().zip(answer.analysis_result.as_ref());
        Ok(chart::figure(&result, drawn, glossary))
    });
    let Some(figure) = figure else {
        return Ok(run.answer);
    };
    run.answer.visualization = figure;

    run.stage("interpret", |answer| {
        answer.interpretation = Some(match (&reading, &analysis) {
            (Some(reading), _) => reading.clone(),
            (None, Some(used)) => used.reading.clone(),
            (None, None) => format!("The result of the given SQL: {} rows.", result.row_count),
        });
        Ok(())
    });
    Ok(run.answer)
}

/// Where the analysis parameters come from.
enum Target {
    Planned(AnalysisSpec),
    Direct(DirectAnalysis),
}

/// Moves the analysis into the answer and returns what the chart and the interpretation still
/// need.
fn record_analysis(answer: &mut Answer, outcome: analyze::Outcome) -> analyze::Used {
    answer.analytics_performed = true;
    answer.analytics_type = Some(outcome.result.analysis_type());
    answer.analysis_result = Some(outcome.result);
    answer.warnings.extend(outcome.warnings);
    outcome.used
}

/// The rows shown: at most `max_rows`, with the full count beside.
fn table(result: &QueryResult, max_rows: usize) -> DataTable {
    DataTable {
        columns: result.column_names(),
        rows: result.rows_json(max_rows),
        row_count: result.row_count,
        truncated: result.row_count > max_rows,
    }
}

/// The state of one run: the answer being filled and where progress goes.
struct Run<'a> {
    sink: &'a dyn StageSink,
    cancel: &'a CancelToken,
    answer: Answer,
}

impl Run<'_> {
    /// Runs one stage: reports it, times it, and records a failure (or a cancel) in the answer.
    fn stage<T>(
        &mut self,
        name: &str,
        work: impl FnOnce(&mut Answer) -> Result<T, EngineError>,
    ) -> Option<T> {
        self.sink.emit(StageEvent::Started {
            name: name.to_string(),
        });
        let started = Instant::now();
        let outcome = if self.cancel.is_cancelled() {
            Err(EngineError::new(
                ErrorKind::Cancelled,
                "The question was cancelled.",
            ))
        } else {
            work(&mut self.answer)
        };
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        let (status, value, detail) = match outcome {
            Ok(value) => (StageStatus::Ok, Some(value), None),
            Err(error) => {
                let detail = Some(error.message.clone());
                self.answer.error = Some(AnswerError::from(error.at_stage(name)));
                (StageStatus::Failed, None, detail)
            }
        };
        self.finish(name, status, ms, detail);
        value
    }

    fn skip(&mut self, name: &str) {
        self.sink.emit(StageEvent::Started {
            name: name.to_string(),
        });
        self.finish(name, StageStatus::Skipped, 0.0, None);
    }

    fn finish(&mut self, name: &str, status: StageStatus, ms: f64, detail: Option<String>) {
        let ms = (ms * 1000.0).round() / 1000.0;
        self.answer.stages.push(StageReport {
            name: name.to_string(),
            status,
            ms,
        });
        self.sink.emit(StageEvent::Finished {
            name: name.to_string(),
            status,
            ms,
            detail,
        });
    }
}

/// Answers the planner's questions about the data through the same validated, read-only path as
/// every other query.
struct Probe<'a> {
    connection: &'a ReadOnlyConnection,
    limits: &'a QueryLimits,
    cancel: &'a CancelToken,
    knowledge: &'a FileKnowledge,
}

/// A text column with more distinct values than this is not a category the planner filters on.
const MAX_CATEGORY_VALUES: usize = 200;

impl DataProbe for Probe<'_> {
    fn values(&self, table: &str, column: &str) -> Option<Vec<String>> {
        self.knowledge.values(table, column, || {
            let column_sql = plan::sql::qualified(table, column);
            let sql = format!(
                "SELECT DISTINCT {column_sql} FROM {} WHERE {column_sql} IS NOT NULL AND typeof({column_sql}) = 'text' LIMIT {}",
                plan::sql::ident(table),
                MAX_CATEGORY_VALUES + 1
            );
            let validated = self.connection.validate(&sql).ok()?;
            let result = self
                .connection
                .execute(&validated, self.limits, self.cancel)
                .ok()?;
            let values = result.columns.first()?.values.texts();
            Some((values.len() <= MAX_CATEGORY_VALUES).then_some(values))
        })
    }

    fn latest_date(&self, table: &str, date_sql: &str) -> Option<NaiveDate> {
        let sql = format!("SELECT max({date_sql}) FROM {}", plan::sql::ident(table));
        let validated = self.connection.validate(&sql).ok()?;
        let result = self
            .connection
            .execute(&validated, self.limits, self.cancel)
            .ok()?;
        let value = result.rows_json(1).into_iter().next()?.into_iter().next()?;
        match value {
            serde_json::Value::String(text) => sightline_analytics::parse_date(&text),
            serde_json::Value::Number(n) => n
                .as_i64()
                .and_then(|v| sightline_analytics::parse_date(&v.to_string())),
            _ => None,
        }
    }
}
