//! The pipeline: the only place that knows the order of stages. Artifacts move forward only,
//! `Question → Intent → Plan → ValidatedSql → QueryResult → AnalysisResult → Figure → Answer`;
//! each stage is timed and reported, and a failed stage is recorded in the answer with what was
//! produced so far.
//!
//! The plan's values travel as bound parameters from the planner to SQLite; the answer's `sql`
//! is their display form ([`db::display_form`]) and `sql_params` the values themselves.

pub mod agents;
pub mod analyze;
pub mod chart;
pub mod intent;
pub mod plan;

use std::time::Instant;

use chrono::NaiveDate;
use sightline_analytics::AnalysisType;

use crate::contract::{Answer, AnswerError, DataTable, StageReport, StageStatus};
use crate::db::{
    self, Database, QueryLimits, QueryResult, ReadOnlyConnection, SqlParams, ValidatedSql,
};
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
    /// A question in plain words, answered by the offline planner or, with `model`, by a
    /// model's SQL; `follow_up` is the question before it in the same conversation.
    Ask {
        question: String,
        model: Option<agents::ModelRun>,
        follow_up: Option<agents::FollowUp>,
    },
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
        Job::Ask { question, .. } => Some(question.clone()),
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

    // The model the question is asked with, for the analysis and chart it may write.
    let asked_model = match &job {
        Job::Ask {
            model: Some(model), ..
        } => Some(model.clone()),
        _ => None,
    };

    // intent + plan: what to compute.
    let (statement, spec, reading) = match job {
        Job::Ask {
            question,
            model,
            follow_up,
        } => {
            // The offline planner reads a follow-up together with the question before it.
            let planner_text = match &follow_up {
                Some(previous) => format!("{} {question}", previous.question),
                None => question.clone(),
            };
            let Some(intent) = run.stage("intent", |_| Ok(intent::detect(&planner_text))) else {
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
                let offline = plan::plan(&intent, &catalog, glossary, &probe)
                    .map_err(|e| EngineError::from_stage("plan", &e));
                if let Some(model) = &model {
                    let asked = AskedModel {
                        question: &question,
                        intent: &intent,
                        schema: &schema,
                        glossary,
                        follow_up,
                    };
                    match ask_model(
                        model,
                        &asked,
                        offline.as_ref().ok(),
                        &connection,
                        cancel,
                        answer,
                    ) {
                        Ok(written) => return Ok(written),
                        Err(fallback) => answer.warnings.push(fallback),
                    }
                }
                let planned = offline?;
                answer.method = "offline".to_string();
                answer.sql = Some(db::display_form(&planned.sql, &planned.params));
                answer.sql_params = planned.params.as_slice().to_vec();
                answer.confidence = planned.confidence;
                answer.warnings.extend(planned.warnings.iter().cloned());
                Ok(Planned {
                    statement: Statement::Unchecked {
                        sql: planned.sql,
                        params: planned.params,
                        grouped: planned.grouped,
                    },
                    target: planned.analysis.map(Target::Planned),
                    reading: planned.reading,
                })
            });
            let Some(planned) = planned else {
                return Ok(run.answer);
            };
            (planned.statement, planned.target, Some(planned.reading))
        }
        Job::Analyze(direct) => {
            run.skip("intent");
            run.skip("plan");
            run.answer.sql = Some(direct.sql.clone());
            run.answer.confidence = 1.0;
            run.answer.method = "direct".to_string();
            let statement = Statement::Unchecked {
                sql: direct.sql.clone(),
                params: SqlParams::new(),
                grouped: None,
            };
            (statement, Some(Target::Direct(direct)), None)
        }
    };

    // validate + execute: the data.
    let Some((validated, grouped)) = run.stage("validate", |_| match statement {
        Statement::Checked(validated) => Ok((validated, None)),
        Statement::Unchecked {
            sql,
            params,
            grouped,
        } => {
            let validated = connection
                .validate_with(&sql, params)
                .map_err(|e| EngineError::from_stage("validate", &e))?;
            // The ungrouped rows are only a faster way to the same result: if they do not
            // validate, the statement runs as it is.
            let grouped = grouped.and_then(|rows| {
                let checked = connection.validate_with(&rows.sql, rows.params).ok()?;
                Some(db::GroupedScan {
                    rows: checked,
                    aggregate: rows.aggregate,
                    order: rows.order,
                })
            });
            Ok((validated, grouped))
        }
    }) else {
        return Ok(run.answer);
    };
    let Some(result) = run.stage("execute", |answer| {
        let result = fetch(&connection, &validated, grouped.as_ref(), limits, cancel)
            .map_err(|e| EngineError::from_stage("execute", &e))?;
        answer.data = Some(table(&result, max_rows));
        Ok(result)
    }) else {
        return Ok(run.answer);
    };

    // analyze: the statistics, on the full result.
    let analysis = match spec {
        Some(target) => run.stage("analyze", |answer| {
            let mut outcome = match target {
                Target::Planned(spec) => analyze::planned(&spec, &result)?,
                Target::Direct(direct) => analyze::direct(&direct, &result, glossary)?,
                Target::Written(asked) => analyze::written(&asked, &result, glossary)?,
            };
            if let Some(model) = asked_model.as_ref() {
                model_analysis(model, &mut outcome, &result, cancel, answer)?;
            }
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
        let analysed = analysis.as_ref().zip(answer.analysis_result.as_ref());
        let Some(model) = asked_model.as_ref().filter(|m| m.draws_charts) else {
            return Ok(chart::figure(&result, analysed, glossary));
        };
        let question = answer.question.clone().unwrap_or_default();
        // An analysis answer's own figure is restyled (and is the fallback); a plain result's
        // chart is the model's design, the native one made only if that fails.
        let (drawn, examples, native) = match analysed {
            Some((_, found)) => {
                let Some(native) = chart::figure(&result, analysed, glossary) else {
                    return Ok(None);
                };
                let series = chart::has_data_series(found);
                let restyled =
                    agents::chart::restyle(&model.client, &question, &native, series, cancel);
                (restyled, 0, Some(native))
            }
            None => (
                agents::chart::draw(&model.client, &question, &result, model.schema_only, cancel),
                agents::context::example_values(&result, model.schema_only),
                None,
            ),
        };
        let attempts = match &drawn {
            Ok(drawn) => drawn.attempts,
            Err((_, attempts)) => *attempts,
        };
        if let Some(sent) = answer.sent_to_model.as_mut() {
            sent.add("chart", attempts, examples);
        }
        match drawn {
            Ok(drawn) => {
                answer.warnings.extend(drawn.notes);
                Ok(Some(drawn.figure))
            }
            Err((error, _)) if error.kind == ErrorKind::Cancelled => Err(error),
            Err((error, _)) => {
                answer.warnings.push(format!(
                    "The model's chart could not be used: {} The native chart is shown instead.",
                    error.message
                ));
                Ok(native.or_else(|| chart::figure(&result, None, glossary)))
            }
        }
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
    /// Asked in the question, run on the result of SQL a model wrote.
    Written(analyze::WrittenAnalysis),
}

/// What the plan stage hands on: the SQL, the analysis to run on its result, and how it read the
/// question.
struct Planned {
    statement: Statement,
    target: Option<Target>,
    reading: String,
}

/// The statement the plan stage hands on: SQL with the values for its placeholders, still to be
/// validated, or a model's SQL the agent's repair loop has already validated (not checked twice).
enum Statement {
    Unchecked {
        sql: String,
        params: SqlParams,
        grouped: Option<plan::GroupedRows>,
    },
    Checked(ValidatedSql),
}

/// The question as the model is asked it.
struct AskedModel<'a> {
    question: &'a str,
    intent: &'a intent::Intent,
    schema: &'a crate::db::Schema,
    glossary: &'a Glossary,
    follow_up: Option<agents::FollowUp>,
}

/// Asks the model for the SQL. On success the answer names the model (`method`), what was sent
/// and any repaired names; on failure the returned text is the warning that goes with the
/// offline planner's answer, and what was sent is still listed.
fn ask_model(
    model: &agents::ModelRun,
    asked: &AskedModel<'_>,
    offline: Option<&plan::Plan>,
    connection: &ReadOnlyConnection,
    cancel: &CancelToken,
    answer: &mut Answer,
) -> Result<Planned, String> {
    let table_names: Vec<String> = asked.schema.tables.iter().map(|t| t.name.clone()).collect();
    let hinted = offline
        .map(|p| agents::tables_in(&p.sql, &table_names))
        .unwrap_or_default();
    let context = agents::ModelContext::new(
        asked.question,
        asked.intent.analysis,
        asked.schema,
        asked.glossary,
        &hinted,
        model.schema_only,
        asked.follow_up.clone(),
    );
    let endpoint = model.client.endpoint();
    let method = endpoint.method();
    let mut sent = context.sent(&endpoint.profile, &method);
    let outcome = agents::sql::write(&model.client, &context, connection, cancel);
    sent.requests = match &outcome {
        Ok(written) => written.attempts,
        Err(failed) => failed.attempts,
    };
    answer.sent_to_model = Some(sent);
    let written = outcome.map_err(|failed| {
        format!(
            "The model ({method}) could not answer: {} The offline planner answered instead.",
            failed.error.message
        )
    })?;
    let used = agents::tables_in(written.validated.as_str(), &table_names);
    answer.method = method.clone();
    answer.sql = Some(written.validated.as_str().to_string());
    answer.confidence = agents::confidence(
        written.attempts,
        written.repairs.len(),
        agents::agreement(&hinted, &used),
    );
    if !written.repairs.is_empty() {
        answer.warnings.push(format!(
            "Sightline corrected names in the model's SQL: {}.",
            written.repairs.join(", ")
        ));
    }
    let explanation = written
        .explanation
        .clone()
        .unwrap_or_else(|| "The model's query for the question.".to_string());
    let tries = if written.attempts > 1 {
        format!(", after {} attempts", written.attempts)
    } else {
        String::new()
    };
    Ok(Planned {
        statement: Statement::Checked(written.validated),
        target: asked.intent.analysis.map(|kind| {
            Target::Written(analyze::WrittenAnalysis {
                kind,
                horizon: asked.intent.horizon,
                threshold: asked.intent.threshold,
                method: asked.intent.method.clone(),
            })
        }),
        reading: format!(
            "{} (SQL written by {method}{tries}.)",
            explanation.trim_end_matches('.')
        ),
    })
}

/// Lets the model write the analysis when the user chose it: its checked result replaces the
/// native one; on failure the native one stays, with a warning.
fn model_analysis(
    model: &agents::ModelRun,
    outcome: &mut analyze::Outcome,
    result: &QueryResult,
    cancel: &CancelToken,
    answer: &mut Answer,
) -> Result<(), EngineError> {
    let Some(analyst) = model.analyst.as_ref() else {
        return Ok(());
    };
    let written = agents::analyst::analyse(
        &model.client,
        analyst,
        outcome,
        result,
        model.schema_only,
        cancel,
    );
    let attempts = match &written {
        Ok(written) => written.attempts,
        Err((_, attempts)) => *attempts,
    };
    if let Some(sent) = answer.sent_to_model.as_mut() {
        let examples = agents::context::example_values(result, model.schema_only);
        sent.add("analysis", attempts, examples);
    }
    match written {
        Ok(written) => {
            outcome.result = written.result;
            outcome.warnings.push(written.note);
            answer.analysis_code = Some(written.code);
        }
        Err((error, _)) if error.kind == ErrorKind::Cancelled => return Err(error),
        Err((error, _)) => outcome.warnings.push(format!(
            "The model's analysis could not be used: {} Sightline's own analysis is shown.",
            error.message
        )),
    }
    Ok(())
}

/// Runs the statement, through the engine's hash aggregate when the plan gave its ungrouped rows
/// and they hold nothing the aggregate does not reproduce exactly.
fn fetch(
    connection: &ReadOnlyConnection,
    validated: &ValidatedSql,
    grouped: Option<&db::GroupedScan>,
    limits: &QueryLimits,
    cancel: &CancelToken,
) -> Result<QueryResult, db::DbError> {
    if let Some(scan) = grouped
        && let Some(result) = connection.execute_grouped(scan, limits, cancel)?
    {
        return Ok(result);
    }
    connection.execute(validated, limits, cancel)
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
/// every other query. Its SQL holds only identifiers from the schema, expressions the planner
/// built from them, and its own row limit: no value from the data or the question.
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
