//! The chart stage: one Plotly figure (`{data, layout}`) per answer, chosen from the analysis or,
//! without one, from the result's shape. Axis titles come from the glossary's business names.
//! Only plain trace types and attributes are emitted; nothing here renders HTML.
//!
//! Per analysis: forecast, a line of the history, the 95% interval as a filled band and the
//! forecast dashed; trend, the line and its fitted trend line; correlation, a heatmap of the
//! matrix (a scatter of the two columns when only one factor was compared); anomaly, the line
//! with the anomalies circled in red; summary, a histogram over a box plot. Series longer than
//! [`WEBGL_POINTS`] are drawn with `scattergl` (WebGL): SVG `scatter` slows a browser down well
//! before that, and WebGL draws hundreds of thousands of points smoothly.

use serde_json::{Value, json};
use sightline_analytics::AnalysisResult;

use crate::db::{ColumnValues, QueryResult};
use crate::glossary::Glossary;
use crate::pipeline::analyze::Used;

/// Above this many points, traces use WebGL (`scattergl`).
pub const WEBGL_POINTS: usize = 5_000;

/// The most points one line trace carries; longer series are decimated for drawing (the data and
/// the analysis keep every row).
pub const MAX_TRACE_POINTS: usize = 20_000;

/// Bins of a pre-computed histogram.
const HISTOGRAM_BINS: usize = 60;

/// The figure for a result and its analysis, or `None` when there is nothing to draw.
pub fn figure(
    result: &QueryResult,
    analysis: Option<(&Used, &AnalysisResult)>,
    glossary: &Glossary,
) -> Option<Value> {
    match analysis {
        Some((used, found)) => analysis_figure(result, used, found, glossary),
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

/// True when the first trace of an analysis' figure is the data series the analysis is drawn
/// over (forecast, trend, anomalies, one correlation's scatter), which may be drawn another way;
/// a summary's histogram or a correlation heatmap is the analysis itself.
pub fn has_data_series(found: &AnalysisResult) -> bool {
    match found {
        AnalysisResult::Summary(_) => false,
        AnalysisResult::Correlation(c) => c.correlations.len() == 1,
        _ => true,
    }
}

/// The business name of the column that labels the x axis (the date column of a series), or
/// `fallback`.
fn x_label(outcome: &Used, glossary: &Glossary, fallback: &str) -> String {
    outcome
        .label_column
        .as_deref()
        .map_or_else(|| fallback.to_string(), |c| glossary.label_for(c))
}

fn analysis_figure(
    result: &QueryResult,
    outcome: &Used,
    found: &AnalysisResult,
    glossary: &Glossary,
) -> Option<Value> {
    let target_label = glossary.label_for(&outcome.target);
    match found {
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
                "layout": layout(&format!("{target_label}: {}-{} forecast", f.horizon, f.frequency), &x_label(outcome, glossary, "Date"), &target_label)
            }))
        }
        AnalysisResult::Trend(t) => {
            let kind = scatter_type(t.history_values.len());
            // Without a date column the x axis is the row number.
            let (x_title, x): (String, Vec<String>) = if t.history_dates.is_empty() {
                (
                    "Row".to_string(),
                    (0..t.history_values.len()).map(|i| i.to_string()).collect(),
                )
            } else {
                (x_label(outcome, glossary, "Date"), t.history_dates.clone())
            };
            Some(json!({
                "data": [
                    {"type": kind, "mode": if x.len() > 200 { "lines" } else { "lines+markers" }, "name": target_label, "x": x, "y": t.history_values.iter().copied().map(finite).collect::<Vec<_>>()},
                    {"type": kind, "mode": "lines", "name": format!("Trend ({})", t.direction), "x": x, "y": t.fitted.iter().copied().map(finite).collect::<Vec<_>>(), "line": {"dash": "dot"}}
                ],
                "layout": layout(&format!("{target_label}: trend {}", t.direction), &x_title, &target_label)
            }))
        }
        AnalysisResult::Correlation(c) if c.correlations.len() == 1 => {
            // One factor: the pairs themselves say more than a 2×2 heatmap.
            let factor = c.correlations.keys().next()?;
            let r = c.correlations.get(factor).copied().unwrap_or(f64::NAN);
            let xs = numbers(result, factor)?;
            let ys = numbers(result, &c.target)?;
            let pairs: Vec<(f64, f64)> = xs
                .iter()
                .zip(&ys)
                .filter_map(|(x, y)| {
                    Some((x.filter(|v| v.is_finite())?, y.filter(|v| v.is_finite())?))
                })
                .collect();
            // Every k-th pair beyond MAX_TRACE_POINTS: a cloud keeps its shape when thinned evenly.
            let stride = pairs.len().div_ceil(MAX_TRACE_POINTS).max(1);
            let (x, y): (Vec<f64>, Vec<f64>) = pairs.iter().step_by(stride).copied().unzip();
            let factor_label = glossary.label_for(factor);
            Some(json!({
                "data": [{"type": scatter_type(x.len()), "mode": "markers", "name": format!("{target_label} vs {factor_label}"),
                          "x": x, "y": y, "marker": {"size": 6, "opacity": 0.6}}],
                "layout": layout(&format!("{target_label} vs {factor_label} ({} = {})", if c.method == "spearman" { "rho" } else { "r" }, finite(r).map_or_else(|| "n/a".to_string(), |r| format!("{r:.2}"))), &factor_label, &target_label)
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
                .and_then(|l| result.column(l));
            // Only the labels drawn are made: a million rows draw at most MAX_TRACE_POINTS.
            let label = |i: usize| labels.map_or_else(|| i.to_string(), |c| c.values.text_at(i));
            let marked_x: Vec<String> = a.anomalies.iter().map(|&i| label(i)).collect();
            let kept = decimate(&values);
            let x: Vec<String> = kept.iter().map(|&i| label(i)).collect();
            let y: Vec<Option<f64>> = kept.iter().map(|&i| values[i]).collect();
            let kind = scatter_type(y.len());
            Some(json!({
                "data": [
                    {"type": kind, "mode": if y.len() > 200 { "lines" } else { "lines+markers" }, "name": target_label, "x": x, "y": y},
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
            layout["yaxis"]["domain"] = json!([0.3, 1.0]);
            layout["yaxis2"] = json!({"domain": [0.0, 0.2], "showticklabels": false});
            layout["xaxis2"] = json!({"anchor": "y2", "matches": "x", "showticklabels": false});
            let d = &s.summary_stats;
            let (iqr_low, iqr_high) = match (d.q25, d.q75) {
                (Some(q1), Some(q3)) => (q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)),
                _ => (f64::NEG_INFINITY, f64::INFINITY),
            };
            let present = values.iter().flatten().copied();
            let lower_fence = present
                .clone()
                .filter(|v| *v >= iqr_low)
                .fold(f64::INFINITY, f64::min);
            let upper_fence = present
                .filter(|v| *v <= iqr_high)
                .fold(f64::NEG_INFINITY, f64::max);
            Some(json!({
                "data": [
                    histogram(&values, &label),
                    {"type": "box", "name": label, "orientation": "h", "xaxis": "x2", "yaxis": "y2", "y": [label],
                     "q1": [d.q25], "median": [d.q50], "q3": [d.q75], "mean": [d.mean],
                     "lowerfence": [finite(lower_fence)], "upperfence": [finite(upper_fence)]}
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
            "data": [histogram(&values, &label)],
            "layout": layout(&format!("Distribution of {label}"), &label, "Count")
        }));
    };
    let x_label = glossary.label_for(&category.name);
    let over_time = (0..category.values.len().min(20))
        .all(|i| sightline_analytics::parse_date(&category.values.text_at(i)).is_some());
    let trace = if over_time {
        let kept = decimate(&values);
        let x: Vec<String> = kept.iter().map(|&i| category.values.text_at(i)).collect();
        let y: Vec<Option<f64>> = kept.iter().map(|&i| values[i]).collect();
        json!({"type": scatter_type(y.len()), "mode": if y.len() > 200 { "lines" } else { "lines+markers" }, "name": label, "x": x, "y": y})
    } else {
        json!({"type": "bar", "name": label, "x": category.values.texts(), "y": values})
    };
    Some(
        json!({"data": [trace], "layout": layout(&format!("{label} by {x_label}"), &x_label, &label)}),
    )
}

/// Min-max decimation: a series longer than [`MAX_TRACE_POINTS`] keeps, per bucket, its lowest
/// and highest point in order, so spikes and dips stay visible while the figure stays small.
/// Returns the indexes of the points kept, in order.
fn decimate(y: &[Option<f64>]) -> Vec<usize> {
    let n = y.len();
    if n <= MAX_TRACE_POINTS {
        return (0..n).collect();
    }
    let buckets = MAX_TRACE_POINTS / 2;
    let mut kept = Vec::with_capacity(MAX_TRACE_POINTS);
    for b in 0..buckets {
        let (start, end) = (b * n / buckets, (b + 1) * n / buckets);
        let mut low: Option<(usize, f64)> = None;
        let mut high: Option<(usize, f64)> = None;
        for (i, value) in (start..end).filter_map(|i| y[i].map(|v| (i, v))) {
            if low.is_none_or(|(_, l)| value < l) {
                low = Some((i, value));
            }
            if high.is_none_or(|(_, h)| value > h) {
                high = Some((i, value));
            }
        }
        let mut picks: Vec<(usize, f64)> = low.into_iter().chain(high).collect();
        picks.sort_by_key(|(i, _)| *i);
        picks.dedup_by_key(|(i, _)| *i);
        kept.extend(picks.into_iter().map(|(i, _)| i));
    }
    kept
}

/// A histogram binned here rather than in the browser, so a million values cost sixty bars.
fn histogram(values: &[Option<f64>], label: &str) -> Value {
    let present: Vec<f64> = values
        .iter()
        .flatten()
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    let (low, high) = present
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
            (l.min(*v), h.max(*v))
        });
    if present.is_empty() || high <= low {
        return json!({"type": "histogram", "name": label, "x": present});
    }
    let bins = HISTOGRAM_BINS;
    let width = (high - low) / bins as f64;
    let mut counts = vec![0usize; bins];
    for v in &present {
        let bin = (((v - low) / width) as usize).min(bins - 1);
        counts[bin] += 1;
    }
    let centers: Vec<f64> = (0..bins).map(|b| low + (b as f64 + 0.5) * width).collect();
    json!({"type": "bar", "name": label, "x": centers, "y": counts, "width": width,
           "marker": {"line": {"width": 0}}, "hovertemplate": "%{x}: %{y}<extra></extra>"})
}

fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// A result column as numbers (nulls kept as nulls).
fn numbers(result: &QueryResult, name: &str) -> Option<Vec<Option<f64>>> {
    Some(result.column(name)?.values.numbers())
}

#[cfg(test)]
mod tests {
    use polars::prelude::{Float64Chunked, NewChunkedArray, StringChunked};
    use sightline_analytics::AnalysisType;

    use super::*;
    use crate::db::ColumnData;
    use crate::pipeline::DirectAnalysis;
    use crate::pipeline::analyze;

    /// `n` days from 2020-01-01 with a weekly cycle, and a second measure that follows it.
    fn daily(n: usize) -> QueryResult {
        let start = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
        let days: Vec<String> = (0..n)
            .map(|i| (start + chrono::Days::new(i as u64)).to_string())
            .collect();
        let revenue: Vec<f64> = (0..n)
            .map(|i| 1000.0 + (i % 7) as f64 * 40.0 + (i % 13) as f64 + i as f64 * 0.1)
            .collect();
        let visits: Vec<f64> = revenue.iter().map(|r| r / 10.0 + 3.0).collect();
        let column = |name: &str, values: ColumnValues| ColumnData {
            name: name.to_string(),
            decl_type: None,
            values,
        };
        QueryResult {
            columns: vec![
                column(
                    "day",
                    ColumnValues::Text(StringChunked::from_slice("day".into(), &days)),
                ),
                column(
                    "revenue",
                    ColumnValues::Real(Float64Chunked::from_vec("revenue".into(), revenue)),
                ),
                column(
                    "visits",
                    ColumnValues::Real(Float64Chunked::from_vec("visits".into(), visits)),
                ),
            ],
            row_count: n,
        }
    }

    fn glossary() -> Glossary {
        serde_json::from_value(serde_json::json!({
            "terms": [{"term": "revenue", "label": "Net revenue (EUR)", "table": "t", "expression": "revenue", "aggregation": "sum"}],
            "columns": {"t.day": {"label": "Order day"}}
        }))
        .unwrap()
    }

    fn chart(kind: AnalysisType, result: &QueryResult, method: Option<&str>) -> Value {
        let direct = DirectAnalysis {
            analysis: kind,
            sql: String::new(),
            target: Some("revenue".to_string()),
            date_column: (kind != AnalysisType::Correlation).then(|| "day".to_string()),
            horizon: Some(7),
            method: method.map(str::to_string),
            threshold: None,
            season_length: None,
        };
        let g = glossary();
        let outcome = analyze::direct(&direct, result, &g).unwrap();
        figure(result, Some((&outcome.used, &outcome.result)), &g).unwrap()
    }

    fn trace_types(figure: &Value) -> Vec<String> {
        figure["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["type"].as_str().unwrap().to_string())
            .collect()
    }

    #[test]
    fn large_series_use_scattergl_and_small_ones_scatter() {
        let small = daily(WEBGL_POINTS);
        let large = daily(WEBGL_POINTS + 1);
        for kind in [
            AnalysisType::Forecast,
            AnalysisType::Trend,
            AnalysisType::Anomaly,
        ] {
            let method = (kind == AnalysisType::Forecast).then_some("linear");
            assert_eq!(
                trace_types(&chart(kind, &small, method))[0],
                "scatter",
                "{kind}: {WEBGL_POINTS} points are drawn as SVG"
            );
            assert_eq!(
                trace_types(&chart(kind, &large, method))[0],
                "scattergl",
                "{kind}: more than {WEBGL_POINTS} points are drawn with WebGL"
            );
        }
    }

    #[test]
    fn each_analysis_has_its_chart_with_business_names() {
        let data = daily(400);
        let forecast = chart(AnalysisType::Forecast, &data, None);
        assert_eq!(
            trace_types(&forecast),
            ["scatter", "scatter", "scatter"],
            "history, interval band, forecast"
        );
        assert_eq!(
            forecast["data"][1]["fill"], "toself",
            "the interval is a band"
        );
        assert_eq!(
            forecast["data"][1]["x"].as_array().map(Vec::len),
            Some(14),
            "the band runs out along the upper bound and back along the lower"
        );
        assert_eq!(
            forecast["layout"]["title"]["text"],
            "Net revenue (EUR): 7-day forecast"
        );
        assert_eq!(forecast["layout"]["xaxis"]["title"]["text"], "Order day");
        assert_eq!(
            forecast["layout"]["yaxis"]["title"]["text"],
            "Net revenue (EUR)"
        );

        let trend = chart(AnalysisType::Trend, &data, None);
        assert_eq!(
            trend["data"].as_array().map(Vec::len),
            Some(2),
            "line + trend line"
        );
        assert_eq!(trend["data"][1]["line"]["dash"], "dot");
        assert_eq!(trend["layout"]["xaxis"]["title"]["text"], "Order day");

        let anomaly = chart(AnalysisType::Anomaly, &data, Some("zscore"));
        assert_eq!(
            anomaly["data"][1]["name"], "Anomaly",
            "anomalies are their own trace"
        );
        assert_eq!(anomaly["data"][1]["mode"], "markers");

        let summary = chart(AnalysisType::Summary, &data, None);
        assert_eq!(
            trace_types(&summary),
            ["bar", "box"],
            "histogram over a box plot"
        );
        assert_eq!(
            summary["layout"]["title"]["text"],
            "Distribution of Net revenue (EUR)"
        );

        let pair = chart(AnalysisType::Correlation, &data, None);
        assert_eq!(
            trace_types(&pair),
            ["scatter"],
            "one factor: a scatter of the pairs"
        );
        assert_eq!(pair["data"][0]["mode"], "markers");
        assert_eq!(
            pair["layout"]["yaxis"]["title"]["text"],
            "Net revenue (EUR)"
        );
        assert_eq!(pair["layout"]["xaxis"]["title"]["text"], "Visits");
    }

    #[test]
    fn several_factors_make_a_heatmap() {
        let mut data = daily(50);
        let extra: Vec<f64> = (0..50).map(|i| ((i * 7919) % 101) as f64).collect();
        data.columns.push(ColumnData {
            name: "discount_pct".to_string(),
            decl_type: None,
            values: ColumnValues::Real(Float64Chunked::from_vec("discount_pct".into(), extra)),
        });
        let heat = chart(AnalysisType::Correlation, &data, None);
        assert_eq!(trace_types(&heat), ["heatmap"]);
        assert_eq!(
            heat["data"][0]["x"],
            serde_json::json!(["Net revenue (EUR)", "Visits", "Discount pct"]),
            "axes carry business names, the target first"
        );
    }

    #[test]
    fn decimation_keeps_spikes_and_bounds_size() {
        let n = 1_000_000;
        let mut y: Vec<Option<f64>> = (0..n).map(|i| Some((i % 7) as f64)).collect();
        y[123_457] = Some(1e6);
        y[876_543] = Some(-1e6);
        let kept = decimate(&y);
        let ky: Vec<Option<f64>> = kept.iter().map(|&i| y[i]).collect();
        assert!(
            ky.len() <= MAX_TRACE_POINTS,
            "at most {MAX_TRACE_POINTS} points, got {}",
            ky.len()
        );
        assert!(
            ky.contains(&Some(1e6)) && ky.contains(&Some(-1e6)),
            "the spike and the dip survive"
        );
        assert!(kept.windows(2).all(|w| w[0] < w[1]), "points stay in order");
        assert_eq!(
            decimate(&y[..10]),
            (0..10).collect::<Vec<_>>(),
            "short series are drawn as they are"
        );
    }

    #[test]
    fn histogram_counts_every_value() {
        let values: Vec<Option<f64>> = (0..1000).map(|i| Some(i as f64)).chain([None]).collect();
        let trace = histogram(&values, "v");
        let total: u64 = trace["y"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_u64)
            .sum();
        assert_eq!(total, 1000, "every present value lands in a bin");
        assert_eq!(trace["x"].as_array().map(Vec::len), Some(HISTOGRAM_BINS));
    }
}
