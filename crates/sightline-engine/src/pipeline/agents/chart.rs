//! The visualization agent: asks a model how to draw a result, never what to draw. The model
//! answers with a small chart *design* that names result columns (`{"traces": [{"type": "bar",
//! "x": "region", "y": "revenue"}], "title": ...}`); Sightline checks it against an allowlist of
//! trace types and attributes, cleans every text (S7: no HTML, no `javascript:`, no MathJax), and
//! fills the data itself from the result. Data arrays written by a model are refused, so a chart
//! can never show values that are not in the answer's data. A design that fails the checks goes
//! back to the model once; after that the native chart stays, with a warning.

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
    let object = design
        .as_object()
        .ok_or_else(|| refuse("the design is not a JSON object".to_string()))?;
    if let Some(key) = object.keys().find(|k| !LAYOUT_KEYS.contains(&k.as_str())) {
        return Err(refuse(format!(
            "'{key}' is not an allowed chart setting (allowed: {})",
            LAYOUT_KEYS.join(", ")
        )));
    }
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
    let spec = spec
        .as_object()
        .ok_or_else(|| "each trace must be a JSON object".to_string())?;
    if let Some(key) = spec.keys().find(|k| !TRACE_KEYS.contains(&k.as_str())) {
        return Err(format!(
            "'{key}' is not an allowed trace attribute (allowed: {})",
            TRACE_KEYS.join(", ")
        ));
    }
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

/// Text safe for a Plotly title: no tags (Plotly reads a subset of HTML, links included), no
/// `javascript:`, no MathJax delimiters, no control characters, at most 120 characters.
pub fn clean(text: &str) -> String {
    let plain: String = text
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
}
