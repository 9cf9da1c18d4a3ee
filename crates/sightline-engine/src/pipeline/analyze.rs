//! The analyze stage: resolves which result columns an analysis uses (from the plan, from the
//! user's options, or inferred from the result and the glossary) and runs it natively on the full
//! result as a polars frame.
//!
//! Default methods when none is named: forecasts choose their model by backtest (`auto`);
//! anomalies on a dated series (one row per date) use the seasonal-residual method, so a
//! regular weekly or yearly low is not reported, and the z-score otherwise; correlations are
//! Pearson; trends OLS.

use std::collections::BTreeSet;

use sightline_analytics::{
    AnalysisError, AnalysisResult, AnalysisType, AnomalyMethod, AnomalyOptions, CorrelationMethod,
    CorrelationOptions, ForecastMethod, ForecastOptions, Frequency, SummaryOptions, TrendMethod,
    TrendOptions,
};

use crate::db::{ColumnValues, QueryResult};
use crate::error::{EngineError, ErrorKind, HasKind};
use crate::glossary::Glossary;
use crate::pipeline::DirectAnalysis;
use crate::pipeline::plan::AnalysisSpec;

/// An analysis that ran, with the columns it used.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub result: AnalysisResult,
    pub used: Used,
    pub warnings: Vec<String>,
}

/// What an analysis used, which the chart and the interpretation need once its result has
/// moved into the answer (moved, not cloned: a million-row anomaly result holds tens of
/// thousands of labels).
#[derive(Debug, Clone)]
pub struct Used {
    pub target: String,
    pub label_column: Option<String>,
    /// How the inputs were chosen, for `interpretation` when there is no plan.
    pub reading: String,
}

impl HasKind for AnalysisError {
    fn kind(&self) -> ErrorKind {
        match self {
            AnalysisError::Polars(_) => ErrorKind::Internal,
            _ => ErrorKind::BadInput,
        }
    }
}

/// Everything an analysis needs, resolved.
struct Resolved {
    kind: AnalysisType,
    target: String,
    date_column: Option<String>,
    label_column: Option<String>,
    horizon: usize,
    frequency: Option<Frequency>,
    /// `None`: the method's own default (3 standard deviations for z-scores, 1.5 for IQR, a
    /// length-aware bound for seasonal residuals).
    threshold: Option<f64>,
    method: Option<String>,
    /// Periods per seasonal cycle, overriding detection.
    season_length: Option<usize>,
    columns: Option<Vec<String>>,
}

/// Runs the analysis the planner chose.
pub fn planned(spec: &AnalysisSpec, result: &QueryResult) -> Result<Outcome, EngineError> {
    let resolved = Resolved {
        kind: spec.kind,
        target: spec.target.clone(),
        date_column: spec.date_column.clone(),
        label_column: spec.label_column.clone(),
        horizon: spec.horizon.unwrap_or(3),
        frequency: spec.frequency,
        threshold: spec.threshold,
        method: spec.method.clone(),
        season_length: None,
        columns: spec.columns.clone(),
    };
    execute(resolved, result, String::new(), Vec::new())
}

/// Runs `sightline analyze`: options from the user, the rest inferred from the result.
pub fn direct(
    options: &DirectAnalysis,
    result: &QueryResult,
    glossary: &Glossary,
) -> Result<Outcome, EngineError> {
    let fail = |message: String| EngineError::new(ErrorKind::BadInput, message).at_stage("analyze");
    let names = result.column_names();
    let known = |name: &String| -> Result<String, EngineError> {
        names
            .iter()
            .find(|n| n.eq_ignore_ascii_case(name))
            .cloned()
            .ok_or_else(|| {
                fail(format!(
                    "Column '{name}' is not in the result; its columns are: {}.",
                    names.join(", ")
                ))
            })
    };
    let mut notes = Vec::new();
    let dates = date_columns(result);
    let date_column = match &options.date_column {
        Some(name) => Some(known(name)?),
        None => {
            let inferred = dates.first().cloned();
            if let Some(d) = &inferred {
                notes.push(format!("dates from '{d}'"));
            }
            inferred
        }
    };
    let numbers: Vec<String> = numeric_columns(result)
        .into_iter()
        .filter(|n| Some(n) != date_column.as_ref())
        .collect();
    let target =
        match &options.target {
            Some(name) => known(name)?,
            None => {
                let named = numbers.iter().find(|n| {
                    glossary
                        .terms
                        .iter()
                        .any(|t| t.term.eq_ignore_ascii_case(n))
                });
                let measures: Vec<&String> = numbers.iter().filter(|n| !is_id(n)).collect();
                let chosen = named.or(match measures.as_slice() {
                    [only] => Some(*only),
                    [first, ..] if options.analysis == AnalysisType::Summary => Some(*first),
                    _ => None,
                });
                let chosen = chosen.cloned().ok_or_else(|| {
                fail(format!(
                    "Say which column to analyse with --target; numeric columns in the result: {}.",
                    if numbers.is_empty() { "none".to_string() } else { numbers.join(", ") }
                ))
            })?;
                notes.push(format!("target '{chosen}'"));
                chosen
            }
        };
    let needs_dates = matches!(options.analysis, AnalysisType::Forecast);
    if needs_dates && date_column.is_none() {
        return Err(fail(format!(
            "A forecast needs a date column and none of {} holds dates; say which with --date-col.",
            names.join(", ")
        )));
    }
    let label_column = date_column
        .clone()
        .or_else(|| text_columns(result).into_iter().next());
    let horizon = match options.horizon {
        Some(0) => return Err(fail("The horizon must be at least one period.".to_string())),
        Some(h) => h,
        None => {
            notes.push("the default horizon".to_string());
            3
        }
    };
    let threshold = options.threshold;
    if let Some(t) = threshold
        && !(t.is_finite() && t > 0.0)
    {
        return Err(fail(format!(
            "The threshold must be a positive number, not {t}."
        )));
    }
    let reading = format!(
        "{} analysis of the given SQL's result{}.",
        upper(options.analysis.as_str()),
        if notes.is_empty() {
            String::new()
        } else {
            format!(", using {}", notes.join(", "))
        }
    );
    let resolved = Resolved {
        kind: options.analysis,
        target,
        date_column,
        label_column,
        horizon,
        frequency: None,
        threshold,
        method: options.method.clone(),
        season_length: options.season_length,
        columns: None,
    };
    execute(resolved, result, reading, Vec::new())
}

/// Runs the analysis a question asked for on the result of SQL a model wrote: the horizon in the
/// question's words becomes periods of the result's own frequency, the rest is inferred as for
/// `sightline analyze`.
pub fn written(
    ask: &WrittenAnalysis,
    result: &QueryResult,
    glossary: &Glossary,
) -> Result<Outcome, EngineError> {
    let frequency = date_columns(result)
        .first()
        .and_then(|name| result.columns.iter().find(|c| &c.name == name))
        .and_then(|column| match &column.values {
            ColumnValues::Text(values) => {
                let dates: Vec<_> = values
                    .iter()
                    .flatten()
                    .filter_map(sightline_analytics::parse_date)
                    .collect();
                Frequency::detect(&dates)
            }
            _ => None,
        });
    let horizon = ask.horizon.map(|h| h.periods(frequency.unwrap_or(h.unit)));
    let options = DirectAnalysis {
        analysis: ask.kind,
        sql: String::new(),
        target: None,
        date_column: None,
        horizon,
        method: ask.method.clone(),
        threshold: ask.threshold,
        season_length: None,
    };
    direct(&options, result, glossary)
}

/// What a question asked of the analysis, when a model wrote the SQL.
#[derive(Debug, Clone)]
pub struct WrittenAnalysis {
    pub kind: AnalysisType,
    pub horizon: Option<crate::pipeline::intent::Horizon>,
    pub threshold: Option<f64>,
    pub method: Option<String>,
}

fn execute(
    resolved: Resolved,
    result: &QueryResult,
    reading: String,
    mut warnings: Vec<String>,
) -> Result<Outcome, EngineError> {
    let stage = |e: AnalysisError| EngineError::from_stage("analyze", &e);
    let frame = result
        .to_dataframe()
        .map_err(|e| EngineError::from_stage("analyze", &e))?;
    let method = resolved.method.as_deref().map(str::to_lowercase);
    let unknown_method = |allowed: &str| {
        EngineError::new(
            ErrorKind::BadInput,
            format!(
                "Unknown method '{}' for {}; use one of: {allowed}.",
                resolved.method.clone().unwrap_or_default(),
                resolved.kind
            ),
        )
        .at_stage("analyze")
    };
    let analysis = match resolved.kind {
        AnalysisType::Forecast => {
            let method = match method.as_deref() {
                None => ForecastMethod::Auto,
                Some(m) => m.parse::<ForecastMethod>().map_err(|_| {
                    unknown_method(
                        "auto, moving_average, linear, seasonal_naive, ses, holt, holt_damped, \
                         holt_winters (hw), hw_mul, hw_damped, hw_damped_mul",
                    )
                })?,
            };
            let options = ForecastOptions {
                method,
                frequency: resolved.frequency,
                season_length: resolved.season_length,
                ..ForecastOptions::new(
                    resolved.date_column.clone().unwrap_or_default(),
                    resolved.target.clone(),
                    resolved.horizon,
                )
            };
            AnalysisResult::Forecast(
                sightline_analytics::forecast(&frame, &options).map_err(stage)?,
            )
        }
        AnalysisType::Correlation => {
            let method = match method.as_deref() {
                None => CorrelationMethod::Pearson,
                Some(m) => m
                    .parse::<CorrelationMethod>()
                    .map_err(|_| unknown_method("pearson, spearman"))?,
            };
            let options = CorrelationOptions {
                columns: resolved.columns.clone(),
                method,
                ..CorrelationOptions::new(resolved.target.clone())
            };
            let found = sightline_analytics::correlation(&frame, &options).map_err(stage)?;
            // Columns left out (identifiers, constants) are worth a warning on the answer too.
            warnings.extend(found.warnings.iter().cloned());
            AnalysisResult::Correlation(found)
        }
        AnalysisType::Anomaly => {
            let series = resolved
                .date_column
                .as_deref()
                .filter(|d| one_row_per_value(result, d));
            let method = match method.as_deref() {
                None if series.is_some() => AnomalyMethod::SeasonalResidual,
                None => AnomalyMethod::ZScore,
                Some(m) => m
                    .parse::<AnomalyMethod>()
                    .map_err(|_| unknown_method("zscore, iqr, seasonal, isolation_forest"))?,
            };
            let options = AnomalyOptions {
                label_column: resolved.label_column.clone(),
                threshold: resolved.threshold,
                method,
                date_column: resolved.date_column.clone(),
                season_length: resolved.season_length,
                ..AnomalyOptions::new(resolved.target.clone())
            };
            AnalysisResult::Anomaly(sightline_analytics::anomaly(&frame, &options).map_err(stage)?)
        }
        AnalysisType::Summary => {
            let options = SummaryOptions {
                target: Some(resolved.target.clone()),
            };
            AnalysisResult::Summary(sightline_analytics::summary(&frame, &options).map_err(stage)?)
        }
        AnalysisType::Trend => {
            let method = match method.as_deref() {
                None => TrendMethod::Ols,
                Some(m) => m
                    .parse::<TrendMethod>()
                    .map_err(|_| unknown_method("ols, mann_kendall"))?,
            };
            let options = TrendOptions {
                method,
                ..TrendOptions::new(resolved.date_column.clone(), resolved.target.clone())
            };
            AnalysisResult::Trend(sightline_analytics::trend(&frame, &options).map_err(stage)?)
        }
    };
    Ok(Outcome {
        result: analysis,
        used: Used {
            target: resolved.target,
            label_column: resolved.label_column,
            reading,
        },
        warnings,
    })
}

/// Columns whose values are dates (text that parses as dates, or a date-like name).
pub(crate) fn date_columns(result: &QueryResult) -> Vec<String> {
    result
        .columns
        .iter()
        .filter(|c| match &c.values {
            ColumnValues::Text(values) => {
                let present: Vec<&str> = values.iter().flatten().take(50).collect();
                !present.is_empty()
                    && present
                        .iter()
                        .all(|v| sightline_analytics::parse_date(v).is_some())
            }
            _ => false,
        })
        .map(|c| c.name.clone())
        .collect()
}

/// Whether column `name` holds a distinct value in every row: a dated series rather than rows
/// that share dates (which a seasonal method would add together).
fn one_row_per_value(result: &QueryResult, name: &str) -> bool {
    let Some(column) = result.columns.iter().find(|c| c.name == name) else {
        return false;
    };
    match &column.values {
        ColumnValues::Text(values) => {
            let mut seen = BTreeSet::new();
            values.iter().flatten().all(|v| seen.insert(v))
        }
        ColumnValues::Int(values) => {
            let mut seen = BTreeSet::new();
            values.iter().flatten().all(|v| seen.insert(v))
        }
        _ => false,
    }
}

fn numeric_columns(result: &QueryResult) -> Vec<String> {
    result
        .columns
        .iter()
        .filter(|c| matches!(c.values, ColumnValues::Int(_) | ColumnValues::Real(_)))
        .map(|c| c.name.clone())
        .collect()
}

fn text_columns(result: &QueryResult) -> Vec<String> {
    let mut seen = BTreeSet::new();
    result
        .columns
        .iter()
        .filter(|c| matches!(c.values, ColumnValues::Text(_)) && seen.insert(c.name.clone()))
        .map(|c| c.name.clone())
        .collect()
}

fn is_id(name: &str) -> bool {
    let lower = name.to_lowercase();
    lower == "id" || lower.ends_with("_id")
}

fn upper(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
