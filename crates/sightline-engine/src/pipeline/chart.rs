//! The chart stage: one Plotly figure (`{data, layout}`) per answer, chosen from the analysis or,
//! without one, from the result's shape. Axis titles come from the glossary's business names.
//! Only plain trace types and attributes are emitted; nothing here renders HTML.

use serde_json::{Value, json};
use sightline_analytics::AnalysisResult;

use crate::db::{ColumnValues, QueryResult};
use crate::glossary::Glossary;
use crate::pipeline::analyze::Outcome;

/// Above this many points, traces use WebGL.
const WEBGL_POINTS: usize = 5_000;

/// The figure for a result and its analysis, or `None` when there is nothing to draw.
pub fn figure(
    result: &QueryResult,
    analysis: Option<&Outcome>,
    glossary: &Glossary,
) -> Option<Value> {
    match analysis {
        Some(outcome) => analysis_figure(result, outcome, glossary),
        None => data_figure(result, glossary),
    }
}

fn scatter_type(points: usize) -> &'static str {
    if points > WEBGL_POINTS {
        "scattergl"
    } else {
        "scatter"
    }
}

fn layout(title: &str, x: &str, y: &str) -> Value {
    json!({
        "title": {"text": title},
        "xaxis": {"title": {"text": x}, "automargin": true},
        "yaxis": {"title": {"text": y}, "automargin": true},
        "hovermode": "closest",
        "showlegend": true,
        "margin": {"t": 60, "r": 20, "b": 60, "l": 70}
    })
}

fn analysis_figure(result: &QueryResult, outcome: &Outcome, glossary: &Glossary) -> Option<Value> {
    let target_label = glossary.label_for(&outcome.target);
    match &outcome.result {
        AnalysisResult::Forecast(f) => {
            let kind = scatter_type(f.history_values.len());
            let mut band_x = f.forecast_dates.clone();
            band_x.extend(f.forecast_dates.iter().rev().cloned());
            let mut band_y: Vec<Option<f64>> = f.upper.iter().copied().map(finite).collect();
            band_y.extend(f.lower.iter().rev().copied().map(finite));
            Some(json!({
                "data": [
                    {"type": kind, "mode": "lines", "name": target_label, "x": f.history_dates, "y": f.history_values.iter().copied().map(finite).collect::<Vec<_>>()},
                    {"type": "scatter", "mode": "lines", "name": "95% interval", "x": band_x, "y": band_y,
                     "fill": "toself", "fillcolor": "rgba(99,110,250,0.18)", "line": {"width": 0}, "hoverinfo": "skip"},
                    {"type": "scatter", "mode": "lines+markers", "name": format!("Forecast ({})", f.model_used),
                     "x": f.forecast_dates, "y": f.forecast.iter().copied().map(finite).collect::<Vec<_>>(), "line": {"dash": "dash"}}
                ],
                "layout": layout(&format!("{target_label}: {}-period forecast", f.horizon), "Date", &target_label)
            }))
        }
        AnalysisResult::Trend(t) => {
            let kind = scatter_type(t.history_values.len());
            Some(json!({
                "data": [
                    {"type": kind, "mode": "lines+markers", "name": target_label, "x": t.history_dates, "y": t.history_values.iter().copied().map(finite).collect::<Vec<_>>()},
                    {"type": kind, "mode": "lines", "name": format!("Trend ({})", t.direction), "x": t.history_dates, "y": t.fitted.iter().copied().map(finite).collect::<Vec<_>>(), "line": {"dash": "dot"}}
                ],
                "layout": layout(&format!("{target_label}: trend {}", t.direction), "Date", &target_label)
            }))
        }
        AnalysisResult::Correlation(c) => {
            let labels: Vec<String> = c
                .matrix
                .columns
                .iter()
                .map(|n| glossary.label_for(n))
                .collect();
            let z: Vec<Vec<Option<f64>>> = c
                .matrix
                .values
                .iter()
                .map(|row| row.iter().copied().map(finite).collect())
                .collect();
            let mut layout = layout(&format!("What moves with {target_label}"), "", "");
            layout["xaxis"]["tickangle"] = json!(-30);
            Some(json!({
                "data": [{"type": "heatmap", "x": labels, "y": labels, "z": z, "zmin": -1, "zmax": 1,
                          "colorscale": "RdBu", "reversescale": true, "colorbar": {"title": {"text": "r"}}}],
                "layout": layout
            }))
        }
        AnalysisResult::Anomaly(a) => {
            let values = numbers(result, &outcome.target)?;
            let labels = outcome
                .label_column
                .as_deref()
                .and_then(|l| texts(result, l))
                .unwrap_or_else(|| (0..values.len()).map(|i| i.to_string()).collect());
            let kind = scatter_type(values.len());
            let marked_x: Vec<&String> =
                a.anomalies.iter().filter_map(|&i| labels.get(i)).collect();
            Some(json!({
                "data": [
                    {"type": kind, "mode": if values.len() > 200 { "lines" } else { "lines+markers" }, "name": target_label, "x": labels, "y": values},
                    {"type": "scatter", "mode": "markers", "name": "Anomaly", "x": marked_x, "y": a.anomaly_values.iter().copied().map(finite).collect::<Vec<_>>(),
                     "marker": {"color": "#d62728", "size": 11, "symbol": "circle-open", "line": {"width": 2}}}
                ],
                "layout": layout(&format!("{target_label}: {} anomalies", a.anomalies.len()), outcome.label_column.as_deref().map(|l| glossary.label_for(l)).as_deref().unwrap_or("Row"), &target_label)
            }))
        }
        AnalysisResult::Summary(s) => {
            let values = numbers(result, &s.target)?;
            let label = glossary.label_for(&s.target);
            let mut layout = layout(&format!("Distribution of {label}"), &label, "Count");
            layout["grid"] = json!({"rows": 2, "columns": 1, "pattern": "independent", "roworder": "top to bottom"});
            layout["yaxis"]["domain"] = json!([0.3, 1.0]);
            layout["yaxis2"] = json!({"domain": [0.0, 0.2], "showticklabels": false});
            layout["xaxis2"] = json!({"anchor": "y2", "matches": "x", "showticklabels": false});
            Some(json!({
                "data": [
                    {"type": "histogram", "name": label, "x": values},
                    {"type": "box", "name": label, "x": values, "xaxis": "x2", "yaxis": "y2", "boxpoints": "outliers", "orientation": "h"}
                ],
                "layout": layout
            }))
        }
    }
}

/// Without an analysis: a line over time, bars over categories, or a single number.
fn data_figure(result: &QueryResult, glossary: &Glossary) -> Option<Value> {
    let numeric: Vec<&str> = result
        .columns
        .iter()
        .filter(|c| matches!(c.values, ColumnValues::Int(_) | ColumnValues::Real(_)))
        .map(|c| c.name.as_str())
        .collect();
    let measure = *numeric.last()?;
    let label = glossary.label_for(measure);
    let values = numbers(result, measure)?;
    let category = result
        .columns
        .iter()
        .find(|c| matches!(c.values, ColumnValues::Text(_)));
    let Some(category) = category else {
        if values.len() == 1 {
            return Some(json!({
                "data": [{"type": "indicator", "mode": "number", "value": values[0], "title": {"text": label}}],
                "layout": {"margin": {"t": 40, "r": 20, "b": 20, "l": 20}}
            }));
        }
        return Some(json!({
            "data": [{"type": "histogram", "x": values, "name": label}],
            "layout": layout(&format!("Distribution of {label}"), &label, "Count")
        }));
    };
    let x = texts(result, &category.name)?;
    let x_label = glossary.label_for(&category.name);
    let over_time = x
        .iter()
        .take(20)
        .all(|v| sightline_analytics::parse_date(v).is_some());
    let trace = if over_time {
        json!({"type": scatter_type(values.len()), "mode": if values.len() > 200 { "lines" } else { "lines+markers" }, "name": label, "x": x, "y": values})
    } else {
        json!({"type": "bar", "name": label, "x": x, "y": values})
    };
    Some(
        json!({"data": [trace], "layout": layout(&format!("{label} by {x_label}"), &x_label, &label)}),
    )
}

fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// A result column as numbers (nulls kept as nulls).
fn numbers(result: &QueryResult, name: &str) -> Option<Vec<Option<f64>>> {
    let column = result.column(name)?;
    Some(match &column.values {
        ColumnValues::Int(v) => v.iter().map(|x| x.map(|x| x as f64)).collect(),
        ColumnValues::Real(v) => v.iter().map(|x| x.and_then(finite)).collect(),
        ColumnValues::Text(v) => v
            .iter()
            .map(|x| x.as_deref().and_then(|s| s.trim().parse().ok()))
            .collect(),
    })
}

/// A result column as display text.
fn texts(result: &QueryResult, name: &str) -> Option<Vec<String>> {
    let column = result.column(name)?;
    Some(match &column.values {
        ColumnValues::Int(v) => v
            .iter()
            .map(|x| x.map(|x| x.to_string()).unwrap_or_default())
            .collect(),
        ColumnValues::Real(v) => v
            .iter()
            .map(|x| x.map(|x| x.to_string()).unwrap_or_default())
            .collect(),
        ColumnValues::Text(v) => v.iter().map(|x| x.clone().unwrap_or_default()).collect(),
    })
}
