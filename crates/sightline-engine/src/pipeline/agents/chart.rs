//! The visualization agent: asks a model how to draw a result, never what to draw. The model
//! answers with a small chart *design* that names result columns (`{"traces": [{"type": "bar",
//! "x": "region", "y": "revenue"}], "title": ...}`); Sightline checks it against an allowlist of
//! trace types and attributes, cleans every text (S7: no HTML, no `javascript:`, no MathJax), and
//! fills the data itself from the result. Data arrays written by a model are refused, so a chart
//! can never show values that are not in the answer's data. A design that fails the checks goes
//! back to the model once; after that the native chart stays, with a warning.
//!
//! An answer with an analysis keeps Sightline's own figure, whose forecast band, anomaly markers,
//! trend line or heatmap come from the analysis: there the model may only restyle it
//! ([`restyle`]): titles, trace names, colours and dashes, and how the data series itself is
//! drawn (line, bar, area or markers). It sees the figure's titles and trace names, no data.

use serde_json::{Map, Value, json};

use super::context::describe_result;
use crate::db::QueryResult;
use crate::error::{EngineError, ErrorKind};
use crate::llm::LlmClient;
use crate::llm::wire::{self, ChatRequest, Turn};
use crate::pipeline::chart::{MAX_TRACE_POINTS, WEBGL_POINTS};
use crate::progress::CancelToken;

/// Replies asked for per chart.
pub const MAX_ATTEMPTS: usize = 2;

const TRACE_TYPES: [&str; 7] = ["bar", "line", "area", "scatter", "pie", "histogram", "box"];
const TRACE_KEYS: [&str; 9] = [
    "type",
    "x",
    "y",
    "name",
    "mode",
    "orientation",
    "color",
    "dash",
    "values",
];
const LAYOUT_KEYS: [&str; 7] = [
    "traces",
    "title",
    "x_title",
    "y_title",
    "barmode",
    "showlegend",
    "explanation",
];

/// What a restyle may set on one trace of Sightline's figure, named by its `index`.
const STYLE_KEYS: [&str; 5] = ["index", "type", "name", "color", "dash"];
/// What a restyle may set on the whole figure.
const RESTYLE_KEYS: [&str; 6] = [
    "traces",
    "title",
    "x_title",
    "y_title",
    "showlegend",
    "explanation",
];

/// A chart the model designed, filled from the result.
#[derive(Debug)]
pub struct Drawn {
    pub figure: Value,
    pub attempts: usize,
    pub notes: Vec<String>,
}

/// Asks the model for a design and builds the figure, or says why not (with the replies used).
pub fn draw(
    client: &LlmClient,
    question: &str,
    result: &QueryResult,
    schema_only: bool,
    cancel: &CancelToken,
) -> Result<Drawn, (EngineError, usize)> {
    let request = ChatRequest {
        system: RULES.to_string(),
        turns: vec![Turn::user(describe(question, result, schema_only))],
        json: true,
        max_tokens: 600,
        stream: true,
    };
    let built = super::converse(
        client,
        request,
        MAX_ATTEMPTS,
        "chart design",
        cancel,
        |text| {
            let design = wire::json_object(text).map_err(|e| e.to_string())?;
            build(&design, result).map_err(|e| e.message)
        },
    )?;
    let ((figure, notes), attempts) = built;
    Ok(Drawn {
        figure,
        attempts,
        notes,
    })
}

const RULES: &str = "You design one chart for a query result. You do not see the data and never write data values: you name result columns and Sightline fills them in.
Reply with one JSON object and nothing else:
{\"traces\": [{\"type\": \"bar\", \"x\": \"<column>\", \"y\": \"<column>\", \"name\": \"...\"}], \"title\": \"...\", \"x_title\": \"...\", \"y_title\": \"...\", \"barmode\": \"group\", \"explanation\": \"one short sentence\"}
Trace types: bar, line, area, scatter, pie (x = labels column, values = numbers column), histogram (x only), box (y only).
Optional per trace: mode (lines, markers, lines+markers), orientation (v, h), color (#rrggbb), dash (solid, dash, dot).
barmode: group, stack, overlay or relative. Plain text only in titles: no HTML, no links, no formulas.";

/// Asks the model to restyle `figure`, the native chart of an analysis answer, and applies the
/// checked style. `series` says the first trace is the data series an analysis was drawn over
/// (forecast, trend, anomalies, one correlation), so its kind may change.
pub fn restyle(
    client: &LlmClient,
    question: &str,
    figure: &Value,
    series: bool,
    cancel: &CancelToken,
) -> Result<Drawn, (EngineError, usize)> {
    let request = ChatRequest {
        system: RESTYLE_RULES.to_string(),
        turns: vec![Turn::user(outline(question, figure, series))],
        json: true,
        max_tokens: 400,
        stream: true,
    };
    let ((figure, notes), attempts) = super::converse(
        client,
        request,
        MAX_ATTEMPTS,
        "chart style",
        cancel,
        |text| {
            let style = wire::json_object(text).map_err(|e| e.to_string())?;
            apply_style(&style, figure, series).map_err(|e| e.message)
        },
    )?;
    Ok(Drawn {
        figure,
        attempts,
        notes,
    })
}

const RESTYLE_RULES: &str = "Sightline drew a chart of an analysis; you may restyle it, not change what it shows. You do not see the data.
Reply with one JSON object and nothing else:
{\"title\": \"...\", \"x_title\": \"...\", \"y_title\": \"...\", \"showlegend\": true, \"traces\": [{\"index\": 0, \"type\": \"bar\", \"name\": \"...\", \"color\": \"#rrggbb\", \"dash\": \"dot\"}], \"explanation\": \"one short sentence\"}
Every key is optional. A trace is named by its index in the list you are given. type (line, bar, area, scatter) only for the trace marked as the data series. dash: solid, dash or dot. Plain text only in titles: no HTML, no links, no formulas.";

/// The restyle's user turn: the question, the figure's titles and its traces by index and name.
fn outline(question: &str, figure: &Value, series: bool) -> String {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let layout = &figure["layout"];
    let mut lines = vec![
        format!("Question: {question}"),
        format!(
            "Title: {}. X axis: {}. Y axis: {}.",
            text(&layout["title"]["text"]),
            text(&layout["xaxis"]["title"]["text"]),
            text(&layout["yaxis"]["title"]["text"])
        ),
        "Traces:".to_string(),
    ];
    for (i, trace) in traces(figure).iter().enumerate() {
        let role = if i == 0 && series {
            "the data series"
        } else {
            "drawn from the analysis"
        };
        lines.push(format!(
            "{i}: {} \"{}\" ({role})",
            text(&trace["type"]),
            text(&trace["name"])
        ));
    }
    lines.join("\n")
}

fn traces(figure: &Value) -> &[Value] {
    figure["data"].as_array().map_or(&[], Vec::as_slice)
}

/// `figure` with a checked style applied, with notes on anything adjusted.
fn apply_style(
    style: &Value,
    figure: &Value,
    series: bool,
) -> Result<(Value, Vec<String>), EngineError> {
    let refuse = |why: String| EngineError::new(ErrorKind::LlmFailed, why);
    let object = object_of(style, &RESTYLE_KEYS, "chart style").map_err(refuse)?;
    let mut figure = figure.clone();
    let count = traces(&figure).len();
    let specs = match object.get("traces") {
        None => &[][..],
        Some(Value::Array(specs)) => specs.as_slice(),
        Some(_) => return Err(refuse("traces must be a list".to_string())),
    };
    for spec in specs {
        let spec = object_of(spec, &STYLE_KEYS, "trace style").map_err(refuse)?;
        let index = spec
            .get("index")
            .and_then(Value::as_u64)
            .and_then(|i| usize::try_from(i).ok())
            .filter(|&i| i < count)
            .ok_or_else(|| {
                refuse(format!(
                    "each trace needs an index from 0 to {}",
                    count.saturating_sub(1)
                ))
            })?;
        let Some(trace) = figure
            .get_mut("data")
            .and_then(Value::as_array_mut)
            .and_then(|data| data.get_mut(index))
        else {
            continue;
        };
        let fixed_colours = matches!(trace["type"].as_str(), Some("heatmap" | "indicator"));
        if let Some(kind) = spec.get("type") {
            if index != 0 || !series {
                return Err(refuse(format!(
                    "trace {index} is drawn from the analysis; only the data series (trace 0) may change its type"
                )));
            }
            let kind =
                one_of(kind, &["line", "bar", "area", "scatter"], "trace type").map_err(refuse)?;
            redraw(trace, kind);
        }
        if let Some(name) = spec.get("name").and_then(Value::as_str) {
            put(trace, &["name"], json!(clean(name)));
        }
        if let Some(color) = spec.get("color") {
            let color = color
                .as_str()
                .filter(|c| is_hex_color(c))
                .ok_or_else(|| refuse("color must be written #rrggbb".to_string()))?;
            if fixed_colours {
                return Err(refuse(format!(
                    "trace {index}'s colours show its values; leave its colour out"
                )));
            }
            put(trace, &["marker", "color"], json!(color));
            put(trace, &["line", "color"], json!(color));
        }
        if let Some(dash) = spec.get("dash") {
            let dash = one_of(dash, &["solid", "dash", "dot"], "dash").map_err(refuse)?;
            put(trace, &["line", "dash"], json!(dash));
        }
    }
    for (key, path) in [
        ("title", ["layout", "title", "text"].as_slice()),
        ("x_title", ["layout", "xaxis", "title", "text"].as_slice()),
        ("y_title", ["layout", "yaxis", "title", "text"].as_slice()),
    ] {
        if let Some(text) = object.get(key).and_then(Value::as_str) {
            put(&mut figure, path, json!(clean(text)));
        }
    }
    if let Some(show) = object.get("showlegend").and_then(Value::as_bool) {
        put(&mut figure, &["layout", "showlegend"], json!(show));
    }
    Ok((figure, Vec::new()))
}

/// Sets `value` at `path` in nested objects, making missing ones; a path through something
/// that is not an object is left alone.
fn put(target: &mut Value, path: &[&str], value: Value) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut at = target;
    for part in parents {
        let Some(object) = at.as_object_mut() else {
            return;
        };
        at = object.entry(*part).or_insert_with(|| json!({}));
    }
    if let Some(object) = at.as_object_mut() {
        object.insert((*last).to_string(), value);
    }
}

/// Draws the data series as `kind`, keeping its x and y.
fn redraw(trace: &mut Value, kind: &str) {
    let Some(object) = trace.as_object_mut() else {
        return;
    };
    let points = object
        .get("x")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    object.remove("fill");
    if kind == "bar" {
        object.insert("type".into(), json!("bar"));
        object.remove("mode");
        return;
    }
    let plotted = if points > WEBGL_POINTS {
        "scattergl"
    } else {
        "scatter"
    };
    object.insert("type".into(), json!(plotted));
    let mode = if kind == "scatter" {
        "markers"
    } else {
        "lines"
    };
    object.insert("mode".into(), json!(mode));
    if kind == "area" {
        object.insert("fill".into(), json!("tozeroy"));
    }
}

/// The user turn: the question and the result as [`describe_result`] says it.
fn describe(question: &str, result: &QueryResult, schema_only: bool) -> String {
    format!(
        "Question: {question}\nResult: {}",
        describe_result(result, schema_only)
    )
}

/// The figure for a checked design, with notes on anything adjusted.
fn build(design: &Value, result: &QueryResult) -> Result<(Value, Vec<String>), EngineError> {
    let refuse = |why: String| EngineError::new(ErrorKind::LlmFailed, why);
    let object = object_of(design, &LAYOUT_KEYS, "chart").map_err(refuse)?;
    let traces = object
        .get("traces")
        .and_then(Value::as_array)
        .filter(|t| !t.is_empty() && t.len() <= 8)
        .ok_or_else(|| refuse("the design needs 1 to 8 traces".to_string()))?;
    let mut notes = Vec::new();
    if result.row_count > MAX_TRACE_POINTS {
        notes.push(format!(
            "The model's chart shows the first {MAX_TRACE_POINTS} of {} rows.",
            result.row_count
        ));
    }
    let data = traces
        .iter()
        .map(|t| trace(t, result))
        .collect::<Result<Vec<Value>, String>>()
        .map_err(refuse)?;
    let text = |key: &str| object.get(key).and_then(Value::as_str).map(clean);
    let mut layout = json!({
        "title": {"text": text("title").unwrap_or_default()},
        "xaxis": {"title": {"text": text("x_title").unwrap_or_default()}, "automargin": true},
        "yaxis": {"title": {"text": text("y_title").unwrap_or_default()}, "automargin": true},
        "hovermode": "closest",
        "showlegend": object.get("showlegend").and_then(Value::as_bool).unwrap_or(data.len() > 1),
        "margin": {"t": 60, "r": 20, "b": 60, "l": 70}
    });
    if let Some(mode) = object.get("barmode") {
        let mode =
            one_of(mode, &["group", "stack", "overlay", "relative"], "barmode").map_err(refuse)?;
        layout["barmode"] = json!(mode);
    }
    Ok((json!({"data": data, "layout": layout}), notes))
}

fn trace(spec: &Value, result: &QueryResult) -> Result<Value, String> {
    let spec = object_of(spec, &TRACE_KEYS, "trace")?;
    let kind = one_of(
        spec.get("type").unwrap_or(&Value::Null),
        &TRACE_TYPES,
        "trace type",
    )?;
    let column = |key: &str| -> Result<Option<Vec<Value>>, String> {
        match spec.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(name)) => column_values(result, name).map(Some).ok_or_else(|| {
                format!(
                    "'{name}' is not a column of the result (columns: {})",
                    result.column_names().join(", ")
                )
            }),
            Some(_) => Err(format!(
                "'{key}' must name a result column; data values written in the design are not accepted"
            )),
        }
    };
    let (x, y, values) = (column("x")?, column("y")?, column("values")?);
    let mut out = Map::new();
    if let Some(name) = spec.get("name").and_then(Value::as_str) {
        out.insert("name".into(), json!(clean(name)));
    }
    let points = x.as_ref().or(y.as_ref()).map_or(0, Vec::len);
    match kind {
        "bar" | "line" | "area" | "scatter" => {
            let (Some(x), Some(y)) = (x, y) else {
                return Err(format!("a {kind} trace needs both x and y columns"));
            };
            let plotted = if kind == "bar" {
                "bar"
            } else if points > WEBGL_POINTS {
                "scattergl"
            } else {
                "scatter"
            };
            out.insert("type".into(), json!(plotted));
            out.insert("x".into(), Value::Array(x));
            out.insert("y".into(), Value::Array(y));
            let default_mode = if kind == "scatter" {
                "markers"
            } else {
                "lines"
            };
            if kind != "bar" {
                let mode = match spec.get("mode") {
                    Some(m) => one_of(m, &["lines", "markers", "lines+markers"], "mode")?,
                    None => default_mode,
                };
                out.insert("mode".into(), json!(mode));
            }
            if kind == "area" {
                out.insert("fill".into(), json!("tozeroy"));
            }
            if let Some(o) = spec.get("orientation") {
                out.insert(
                    "orientation".into(),
                    json!(one_of(o, &["v", "h"], "orientation")?),
                );
            }
        }
        "pie" => {
            let (Some(labels), Some(values)) = (x, values.or(y)) else {
                return Err("a pie trace needs x (labels) and values columns".to_string());
            };
            out.insert("type".into(), json!("pie"));
            out.insert("labels".into(), Value::Array(labels));
            out.insert("values".into(), Value::Array(values));
        }
        "histogram" => {
            let x = x.ok_or_else(|| "a histogram needs an x column".to_string())?;
            out.insert("type".into(), json!("histogram"));
            out.insert("x".into(), Value::Array(x));
        }
        _ => {
            let y = y.ok_or_else(|| "a box trace needs a y column".to_string())?;
            out.insert("type".into(), json!("box"));
            out.insert("y".into(), Value::Array(y));
        }
    }
    let mut style = Map::new();
    if let Some(color) = spec.get("color") {
        let color = color
            .as_str()
            .filter(|c| is_hex_color(c))
            .ok_or_else(|| "color must be written #rrggbb".to_string())?;
        style.insert("color".into(), json!(color));
    }
    if let Some(dash) = spec.get("dash") {
        let dash = one_of(dash, &["solid", "dash", "dot"], "dash")?;
        out.insert("line".into(), json!({"dash": dash}));
    }
    if !style.is_empty() {
        let target = if kind == "line" || kind == "area" {
            "line"
        } else {
            "marker"
        };
        let entry = out.entry(target).or_insert_with(|| json!({}));
        if let Some(entry) = entry.as_object_mut() {
            entry.extend(style);
        }
    }
    Ok(Value::Object(out))
}

/// The values of a result column (first [`MAX_TRACE_POINTS`] rows), matched without regard to
/// case.
fn column_values(result: &QueryResult, name: &str) -> Option<Vec<Value>> {
    let column = result
        .columns
        .iter()
        .find(|c| c.name.eq_ignore_ascii_case(name))?;
    Some(
        (0..column.values.len().min(MAX_TRACE_POINTS))
            .map(|i| column.values.json_at(i))
            .collect(),
    )
}

/// `value` as a JSON object whose keys are all in `allowed`; `what` names it in the refusal.
fn object_of<'a>(
    value: &'a Value,
    allowed: &[&str],
    what: &str,
) -> Result<&'a Map<String, Value>, String> {
    let object = value
        .as_object()
        .ok_or_else(|| format!("each {what} must be a JSON object"))?;
    match object.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(key) => Err(format!(
            "'{key}' is not an allowed {what} setting (allowed: {})",
            allowed.join(", ")
        )),
        None => Ok(object),
    }
}

fn one_of<'a>(value: &Value, allowed: &[&'a str], what: &str) -> Result<&'a str, String> {
    let text = value.as_str().unwrap_or_default().to_ascii_lowercase();
    allowed
        .iter()
        .find(|a| **a == text)
        .copied()
        .ok_or_else(|| {
            format!(
                "{what} '{}' is not allowed (use {})",
                clean(&value.to_string()),
                allowed.join(", ")
            )
        })
}

fn is_hex_color(text: &str) -> bool {
    text.len() == 7 && text.starts_with('#') && text[1..].chars().all(|c| c.is_ascii_hexdigit())
}

/// Text safe for a Plotly title: no tags (Plotly reads a subset of HTML, links included; a tag
/// goes whole, its text stays), no `javascript:`, no MathJax delimiters, no control characters,
/// at most 120 characters.
pub fn clean(text: &str) -> String {
    let mut untagged = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        untagged.push_str(&rest[..open]);
        rest = match rest[open..].find('>') {
            Some(close) => &rest[open + close + 1..],
            None => &rest[open + 1..],
        };
    }
    untagged.push_str(rest);
    let plain: String = untagged
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '<' | '>' | '$' | '\\'))
        .take(120)
        .collect();
    let mut plain = plain;
    while let Some(at) = plain.to_ascii_lowercase().find("javascript:") {
        plain.replace_range(at..at + "javascript:".len(), "");
    }
    plain.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{ColumnData, ColumnValues};
    use polars::prelude::{Float64Chunked, NewChunkedArray, StringChunked};

    fn result() -> QueryResult {
        QueryResult {
            columns: vec![
                ColumnData {
                    name: "region".into(),
                    decl_type: None,
                    values: ColumnValues::Text(StringChunked::from_slice(
                        "region".into(),
                        &["East", "West"],
                    )),
                },
                ColumnData {
                    name: "revenue".into(),
                    decl_type: None,
                    values: ColumnValues::Real(Float64Chunked::from_slice(
                        "revenue".into(),
                        &[10.0, 20.0],
                    )),
                },
            ],
            row_count: 2,
        }
    }

    #[test]
    fn a_design_is_filled_from_the_result() {
        let design = json!({"traces": [{"type": "bar", "x": "region", "y": "Revenue", "color": "#1f77b4"}],
                            "title": "Revenue by region", "barmode": "group"});
        let (figure, _) = build(&design, &result()).unwrap();
        assert_eq!(figure["data"][0]["type"], "bar");
        assert_eq!(figure["data"][0]["x"], json!(["East", "West"]));
        assert_eq!(figure["data"][0]["y"], json!([10.0, 20.0]));
        assert_eq!(figure["data"][0]["marker"]["color"], "#1f77b4");
        assert_eq!(figure["layout"]["title"]["text"], "Revenue by region");
    }

    #[test]
    fn hostile_designs_are_refused_or_cleaned() {
        let refused = [
            json!({"traces": [{"type": "bar", "x": ["A", "B"], "y": [1e9, 2e9]}]}),
            json!({"traces": [{"type": "scatter3d", "x": "region", "y": "revenue"}]}),
            json!({"traces": [{"type": "bar", "x": "region", "y": "revenue", "hovertemplate": "%{x}"}]}),
            json!({"traces": [{"type": "bar", "x": "region", "y": "password"}]}),
            json!({"traces": [{"type": "bar", "x": "region", "y": "revenue"}], "images": [{"source": "https://evil.example/x.png"}]}),
            json!({"traces": [{"type": "bar", "x": "region", "y": "revenue", "color": "url(javascript:alert(1))"}]}),
            json!({"traces": []}),
        ];
        for design in refused {
            assert!(build(&design, &result()).is_err(), "accepted {design}");
        }
        let design = json!({"traces": [{"type": "bar", "x": "region", "y": "revenue", "name": "<img src=x onerror=alert(1)>"}],
                            "title": "<a href=\"javascript:alert(1)\">Click</a> $\\alpha$"});
        let (figure, _) = build(&design, &result()).unwrap();
        let text = figure.to_string().to_lowercase();
        assert!(
            !text.contains('<') && !text.contains("javascript:") && !text.contains('$'),
            "{text}"
        );
    }
    fn analysis_figure() -> Value {
        json!({"data": [
            {"type": "scatter", "mode": "lines", "name": "Revenue", "x": ["2025-01-01", "2025-02-01"], "y": [1.0, 2.0]},
            {"type": "scatter", "name": "95% interval", "x": ["2025-03-01", "2025-03-01"], "y": [1.5, 2.5], "fill": "toself"}
        ], "layout": {"title": {"text": "Revenue forecast"}, "xaxis": {"title": {"text": "Month"}}}})
    }

    #[test]
    fn a_restyle_changes_style_only() {
        let style = json!({"title": "Outlook <script>alert(1)</script>", "x_title": "Month start",
                           "traces": [{"index": 0, "type": "area", "color": "#123abc"}, {"index": 1, "name": "Range"}]});
        let (figure, _) = apply_style(&style, &analysis_figure(), true).unwrap();
        assert_eq!(figure["data"][0]["fill"], "tozeroy");
        assert_eq!(figure["data"][0]["line"]["color"], "#123abc");
        assert_eq!(figure["data"][0]["y"], json!([1.0, 2.0]));
        assert_eq!(figure["data"][1]["fill"], "toself");
        assert_eq!(figure["data"][1]["name"], "Range");
        assert_eq!(figure["layout"]["title"]["text"], "Outlook alert(1)");
        assert_eq!(figure["layout"]["xaxis"]["title"]["text"], "Month start");
    }

    #[test]
    fn a_restyle_that_touches_data_or_overlays_is_refused() {
        let heatmap = json!({"data": [{"type": "heatmap", "z": [[1.0]]}], "layout": {}});
        let refused = [
            (
                json!({"traces": [{"index": 0, "y": [9e9, 9e9]}]}),
                analysis_figure(),
                true,
            ),
            (
                json!({"traces": [{"index": 1, "type": "bar"}]}),
                analysis_figure(),
                true,
            ),
            (
                json!({"traces": [{"index": 0, "type": "bar"}]}),
                analysis_figure(),
                false,
            ),
            (
                json!({"traces": [{"index": 7, "name": "x"}]}),
                analysis_figure(),
                true,
            ),
            (
                json!({"traces": [{"name": "no index"}]}),
                analysis_figure(),
                true,
            ),
            (
                json!({"traces": [{"index": 0, "type": "pie"}]}),
                analysis_figure(),
                true,
            ),
            (
                json!({"annotations": [{"text": "<a href='https://x'>x</a>"}]}),
                analysis_figure(),
                true,
            ),
            (json!({"barmode": "stack"}), analysis_figure(), true),
            (
                json!({"traces": [{"index": 0, "color": "#ffffff"}]}),
                heatmap,
                false,
            ),
        ];
        for (style, figure, series) in refused {
            assert!(
                apply_style(&style, &figure, series).is_err(),
                "accepted {style}"
            );
        }
    }
}
