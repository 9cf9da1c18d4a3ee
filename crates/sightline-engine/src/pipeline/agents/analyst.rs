//! The data-scientist agent: for an analytics question, asks the model for Python (pandas,
//! statsmodels, scikit-learn) that computes the analysis on the query result, runs it in the
//! sandbox (the static guard first, then Docker or the restricted mode: S1–S4), and normalises
//! what it returns into the contract's shape for that analysis.
//!
//! The native analysis always runs first and is the base: the model's values replace its fields
//! only where they pass the checks (lengths, ranges, row indexes, dates), and fields the model
//! did not compute are cleared rather than left describing another method. Code the guard or the
//! sandbox refuses goes back to the model once; after that the native analysis stays, with a
//! warning. The data reaches the code as a file (`data`), never pasted into the code (S7).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value};
use sightline_analytics::{AnalysisResult, AnalysisType};
use sightline_sandbox::{Mode, SandboxRequest, Sandboxes};

use super::context::describe_result;
use crate::db::QueryResult;
use crate::error::EngineError;
use crate::export;
use crate::llm::wire::{self, ChatRequest, Turn};
use crate::llm::{LlmClient, block_on};
use crate::pipeline::analyze::Outcome;
use crate::progress::CancelToken;
use crate::settings::{Author, SandboxMode, Settings};

/// Replies asked for per analysis.
pub const MAX_ATTEMPTS: usize = 2;

/// Where model-written analysis code runs.
#[derive(Debug, Clone)]
pub struct Analyst {
    pub sandboxes: Arc<Sandboxes>,
    pub mode: Mode,
    pub timeout: Duration,
    pub memory: u64,
}

impl Analyst {
    /// The analyst the settings ask for: `None` unless the analysis is to be written by the model
    /// and code may run. Model-written code is untrusted, so `auto` means Docker only here: it
    /// never falls back to the weaker restricted mode unless the user chose that mode itself.
    pub fn from_settings(settings: &Settings, sandboxes: Arc<Sandboxes>) -> Option<Analyst> {
        if settings.analysis_author != Author::Model {
            return None;
        }
        let mode = match settings.sandbox_mode {
            SandboxMode::Off => return None,
            SandboxMode::Auto | SandboxMode::Docker => Mode::Docker,
            SandboxMode::Restricted => Mode::Restricted,
        };
        Some(Analyst {
            sandboxes,
            mode,
            timeout: Duration::from_secs(u64::from(settings.sandbox_timeout_s)),
            memory: sightline_sandbox::parse_memory(&settings.sandbox_memory)
                .unwrap_or(sightline_sandbox::DEFAULT_MEMORY),
        })
    }
}

/// A model-written analysis that passed the checks.
#[derive(Debug)]
pub struct Written {
    pub result: AnalysisResult,
    pub code: String,
    pub attempts: usize,
    pub note: String,
}

/// Asks for code, runs it, and lays its result over the native one.
pub fn analyse(
    client: &LlmClient,
    analyst: &Analyst,
    outcome: &Outcome,
    result: &QueryResult,
    schema_only: bool,
    cancel: &CancelToken,
) -> Result<Written, (EngineError, usize)> {
    let kind = outcome.result.analysis_type();
    let data = export::data_csv(result);
    let request = ChatRequest {
        system: rules(kind),
        turns: vec![Turn::user(brief(outcome, result, schema_only))],
        json: true,
        max_tokens: 2000,
        stream: true,
    };
    let ran = super::converse(
        client,
        request,
        MAX_ATTEMPTS,
        "analysis code",
        cancel,
        |text| {
            let code = take_code(text)?;
            let run = SandboxRequest {
                code: code.clone(),
                data: vec![("data".to_string(), data.clone())],
                mode: analyst.mode,
                timeout: analyst.timeout,
                memory: analyst.memory,
            };
            let ran = block_on(analyst.sandboxes.run(&run)).map_err(|e| e.to_string())?;
            if !ran.success {
                let why = ran.error.clone().unwrap_or_else(|| "it failed".to_string());
                let tail: Vec<char> = ran.output.chars().rev().take(600).collect();
                let output: String = tail.into_iter().rev().collect();
                return Err(format!(
                    "the sandbox did not accept or finish the code: {why}. Output: {output}"
                ));
            }
            let normalised = overlay(&outcome.result, &ran.result, outcome, result)?;
            Ok((normalised, code, ran.mode_used, ran.duration_ms))
        },
    );
    let ((normalised, code, mode_used, ms), attempts) = ran?;
    let mode = mode_used
        .map(|m| format!("{m:?}").to_lowercase())
        .unwrap_or_else(|| "sandbox".to_string());
    Ok(Written {
        result: normalised,
        code,
        attempts,
        note: format!(
            "The {kind} was computed by Python the model wrote, run in the {mode} sandbox in {ms:.0} ms; fields it did not compute are left out."
        ),
    })
}

fn rules(kind: AnalysisType) -> String {
    format!(
        "You write Python 3.11 (pandas, numpy, scipy, statsmodels, scikit-learn are installed) that performs a {kind} analysis.
The data is already loaded as the pandas DataFrame `data` (also the file /workspace/data.csv). Do not read other files, do not use the network, do not import os, sys, subprocess, socket, ctypes or importlib, do not call eval, exec, compile, open or __import__.
Assign the result to `result`: a dict of plain numbers, strings and lists with these keys:
{}
Reply with one JSON object and nothing else: {{\"code\": \"...\", \"explanation\": \"one short sentence\"}}",
        fields(kind)
    )
}

fn fields(kind: AnalysisType) -> &'static str {
    match kind {
        AnalysisType::Forecast => {
            "forecast (list of numbers, one per future period), forecast_dates (list of ISO dates, same length), lower and upper (95% interval, same length; optional), model_used (text), interpretation (one sentence)"
        }
        AnalysisType::Correlation => {
            "correlations ({column: coefficient in [-1, 1]} for each factor against the target), p_values ({column: p}, optional), methodology (text), interpretation (one sentence)"
        }
        AnalysisType::Anomaly => {
            "anomalies (list of 0-based row positions of anomalous rows), anomaly_values (their target values, optional), threshold_used (number, optional), method (text), interpretation (one sentence)"
        }
        AnalysisType::Summary => {
            "summary_stats ({count, mean, std, min, \"25%\", \"50%\", \"75%\", max} of the target column), missing_data ({column: percent}, optional), key_insights (one or two sentences)"
        }
        AnalysisType::Trend => {
            "direction (up, down or flat), slope_per_period (number), percent_change (number, optional), p_value (optional), method (text), interpretation (one sentence)"
        }
    }
}

/// The user turn: what to analyse, the columns Sightline chose, and example rows when allowed.
fn brief(outcome: &Outcome, result: &QueryResult, schema_only: bool) -> String {
    let mut text = format!(
        "`data` has {}\nTarget column: {}.",
        describe_result(result, schema_only),
        outcome.used.target
    );
    if let Some(label) = &outcome.used.label_column {
        text.push_str(&format!(" Dates or labels: {label}."));
    }
    if let AnalysisResult::Forecast(f) = &outcome.result {
        text.push_str(&format!(
            " Forecast {} {} ahead.",
            f.horizon,
            f.frequency.noun(f.horizon)
        ));
    }
    if let AnalysisResult::Anomaly(a) = &outcome.result {
        text.push_str(&format!(" Threshold asked: {}.", a.threshold_used));
    }
    text
}

fn take_code(text: &str) -> Result<String, String> {
    if let Ok(object) = wire::json_object(text) {
        return object
            .get("code")
            .and_then(Value::as_str)
            .map(str::to_string)
            .filter(|c| !c.trim().is_empty())
            .ok_or_else(|| "the JSON object has no \"code\" string".to_string());
    }
    wire::fenced_block(text, &["python", "py", ""])
        .map(str::to_string)
        .ok_or_else(|| "the reply holds no code".to_string())
}

/// The native result with the model's checked values laid over it.
fn overlay(
    native: &AnalysisResult,
    returned: &Value,
    outcome: &Outcome,
    data: &QueryResult,
) -> Result<AnalysisResult, String> {
    let r = returned
        .as_object()
        .ok_or_else(|| "`result` must be a dict".to_string())?;
    let text = |key: &str| r.get(key).and_then(Value::as_str).map(clean_long);
    let mut out = native.clone();
    match &mut out {
        AnalysisResult::Forecast(f) => {
            let values = numbers(r, "forecast")?.ok_or("`forecast` is missing")?;
            if values.is_empty() || values.len() > 1000 {
                return Err("`forecast` must hold 1 to 1000 numbers".to_string());
            }
            let dates = match r.get("forecast_dates") {
                Some(v) => dates(v, values.len())?,
                None if f.forecast_dates.len() == values.len() => f.forecast_dates.clone(),
                None => return Err("`forecast_dates` is missing".to_string()),
            };
            let band = match (numbers(r, "lower")?, numbers(r, "upper")?) {
                (Some(l), Some(u)) if l.len() == values.len() && u.len() == values.len() => (l, u),
                (None, None) => (Vec::new(), Vec::new()),
                _ => {
                    return Err(
                        "`lower` and `upper` must both have one value per forecast".to_string()
                    );
                }
            };
            f.horizon = values.len();
            f.forecast = values;
            f.forecast_dates = dates;
            (f.lower, f.upper) = band;
            f.model_used = text("model_used").unwrap_or_else(|| "model-written".to_string());
            f.interpretation = text("interpretation").unwrap_or_else(|| {
                format!("A {}-period forecast written by the model.", f.horizon)
            });
            f.backtest.value = None;
            f.candidates.clear();
        }
        AnalysisResult::Correlation(c) => {
            let found = number_map(r, "correlations")?.ok_or("`correlations` is missing")?;
            if found.is_empty() {
                return Err("`correlations` is empty".to_string());
            }
            let columns = data.column_names();
            if let Some((bad, _)) = found
                .iter()
                .find(|(k, v)| !columns.contains(k) || !(-1.0..=1.0).contains(*v))
            {
                return Err(format!(
                    "'{bad}' is not a result column with a coefficient in [-1, 1]"
                ));
            }
            let p_values = number_map(r, "p_values")?.unwrap_or_default();
            if p_values.values().any(|p| !(0.0..=1.0).contains(p)) {
                return Err("p-values must lie in [0, 1]".to_string());
            }
            let mut top: Vec<(&String, &f64)> = found.iter().collect();
            top.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
            c.top_factors = top.into_iter().map(|(k, _)| k.clone()).collect();
            c.correlations = found;
            c.p_values = p_values;
            c.method = "model".to_string();
            c.methodology =
                text("methodology").unwrap_or_else(|| "Written by the model.".to_string());
            c.interpretation = text("interpretation").unwrap_or_default();
        }
        AnalysisResult::Anomaly(a) => {
            let rows = r
                .get("anomalies")
                .and_then(Value::as_array)
                .ok_or("`anomalies` must be a list of row positions")?;
            let mut found = Vec::with_capacity(rows.len());
            for row in rows {
                let i = row
                    .as_u64()
                    .and_then(|i| usize::try_from(i).ok())
                    .filter(|i| *i < data.row_count)
                    .ok_or_else(|| {
                        format!("{row} is not a row position below {}", data.row_count)
                    })?;
                found.push(i);
            }
            found.sort_unstable();
            found.dedup();
            let target = data
                .column(&outcome.used.target)
                .map(|c| c.values.numbers())
                .unwrap_or_default();
            let labels = outcome
                .used
                .label_column
                .as_deref()
                .and_then(|l| data.column(l));
            a.anomaly_values = found
                .iter()
                .map(|&i| target.get(i).copied().flatten().unwrap_or(f64::NAN))
                .collect();
            a.anomaly_labels = found
                .iter()
                .map(|&i| labels.map_or_else(|| format!("row {i}"), |c| c.values.text_at(i)))
                .collect();
            a.anomalies = found;
            if let Some(t) = r
                .get("threshold_used")
                .and_then(Value::as_f64)
                .filter(|t| t.is_finite())
            {
                a.threshold_used = t;
            }
            a.method = format!(
                "model: {}",
                text("method").unwrap_or_else(|| "custom".to_string())
            );
            a.interpretation = text("interpretation").unwrap_or_else(|| {
                format!("{} anomalies found by the model's code.", a.anomalies.len())
            });
            a.expected_values.clear();
            a.scores.clear();
            a.lower_bound = None;
            a.upper_bound = None;
        }
        AnalysisResult::Summary(s) => {
            let stats = r
                .get("summary_stats")
                .and_then(Value::as_object)
                .ok_or("`summary_stats` must be a dict")?;
            let stat = |key: &str| -> Result<Option<f64>, String> {
                match stats.get(key) {
                    None | Some(Value::Null) => Ok(None),
                    Some(v) => v
                        .as_f64()
                        .filter(|x| x.is_finite())
                        .map(Some)
                        .ok_or_else(|| format!("summary_stats['{key}'] is not a number")),
                }
            };
            let count = stat("count")?.ok_or("summary_stats needs count")?;
            if count < 0.0 || count.fract() != 0.0 || count > data.row_count as f64 {
                return Err(format!(
                    "count {count} is not a whole number of rows up to {}",
                    data.row_count
                ));
            }
            let d = &mut s.summary_stats;
            d.count = count as usize;
            (d.mean, d.std, d.min, d.q25, d.q50, d.q75, d.max) = (
                stat("mean")?,
                stat("std")?,
                stat("min")?,
                stat("25%")?,
                stat("50%")?,
                stat("75%")?,
                stat("max")?,
            );
            if let Some(missing) = number_map(r, "missing_data")? {
                if missing.values().any(|p| !(0.0..=100.0).contains(p)) {
                    return Err("missing_data percentages must lie in [0, 100]".to_string());
                }
                s.missing_data = missing;
            }
            s.key_insights = text("key_insights").unwrap_or_default();
        }
        AnalysisResult::Trend(t) => {
            let direction = text("direction").ok_or("`direction` is missing")?;
            if !matches!(direction.as_str(), "up" | "down" | "flat") {
                return Err("`direction` must be up, down or flat".to_string());
            }
            let slope = r
                .get("slope_per_period")
                .and_then(Value::as_f64)
                .filter(|x| x.is_finite())
                .ok_or("`slope_per_period` must be a number")?;
            if let Some(p) = r.get("p_value").and_then(Value::as_f64) {
                if !(0.0..=1.0).contains(&p) {
                    return Err("`p_value` must lie in [0, 1]".to_string());
                }
                t.p_value = p;
            }
            if let Some(change) = r
                .get("percent_change")
                .and_then(Value::as_f64)
                .filter(|x| x.is_finite())
            {
                t.percent_change = change;
            }
            // The drawn line: the model's slope through the series' centre.
            let n = t.history_values.len();
            let present: Vec<(f64, f64)> = t
                .history_values
                .iter()
                .enumerate()
                .filter(|(_, v)| v.is_finite())
                .map(|(i, v)| (i as f64, *v))
                .collect();
            if !present.is_empty() {
                let mx = present.iter().map(|p| p.0).sum::<f64>() / present.len() as f64;
                let my = present.iter().map(|p| p.1).sum::<f64>() / present.len() as f64;
                t.intercept = my - slope * mx;
                t.fitted = (0..n).map(|i| t.intercept + slope * i as f64).collect();
            }
            t.slope_per_period = slope;
            t.direction = direction;
            t.method = format!(
                "model: {}",
                text("method").unwrap_or_else(|| "custom".to_string())
            );
            t.interpretation = text("interpretation").unwrap_or_default();
        }
    }
    Ok(out)
}

fn numbers(r: &Map<String, Value>, key: &str) -> Result<Option<Vec<f64>>, String> {
    match r.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_f64().filter(|x| x.is_finite()))
            .collect::<Option<Vec<f64>>>()
            .map(Some)
            .ok_or_else(|| format!("`{key}` must hold finite numbers only")),
        Some(_) => Err(format!("`{key}` must be a list of numbers")),
    }
}

fn number_map(r: &Map<String, Value>, key: &str) -> Result<Option<BTreeMap<String, f64>>, String> {
    match r.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(items)) => items
            .iter()
            .map(|(k, v)| Some((k.clone(), v.as_f64().filter(|x| x.is_finite())?)))
            .collect::<Option<BTreeMap<_, _>>>()
            .map(Some)
            .ok_or_else(|| format!("`{key}` must map names to finite numbers")),
        Some(_) => Err(format!("`{key}` must be a dict")),
    }
}

fn dates(value: &Value, len: usize) -> Result<Vec<String>, String> {
    let items = value.as_array().ok_or("`forecast_dates` must be a list")?;
    if items.len() != len {
        return Err(format!(
            "`forecast_dates` has {} dates for {len} forecasts",
            items.len()
        ));
    }
    items
        .iter()
        .map(|d| {
            d.as_str()
                .and_then(|s| sightline_analytics::parse_date(s.get(..10).unwrap_or(s)))
                .map(|d| d.to_string())
                .ok_or_else(|| format!("{d} is not an ISO date"))
        })
        .collect()
}

/// Model text for an interpretation: plain, one paragraph, at most 600 characters.
fn clean_long(text: &str) -> String {
    let plain: String = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !matches!(c, '<' | '>'))
        .take(600)
        .collect();
    plain.trim().to_string()
}
