//! The serialized shape of every result is CONTRACT.md's `analysis_result`: exact field names,
//! `null` for values that do not exist, lowercase type and frequency names.

use std::collections::BTreeSet;

use polars::prelude::*;
use serde_json::{Value, json};
use sightline_analytics::*;

use crate::support::df;

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .unwrap_or_else(|| panic!("expected a JSON object, got {v}"))
        .keys()
        .cloned()
        .collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn monthly() -> DataFrame {
    let months: Vec<String> = (1..=12).map(|m| format!("2024-{m:02}")).collect();
    let revenue: Vec<f64> = (0..12)
        .map(|i| 1000.0 + 50.0 * f64::from(i) + if i % 3 == 0 { 30.0 } else { -10.0 })
        .collect();
    let visits: Vec<i64> = (0..12).map(|i| 200 + 7 * i + (i * i) % 5).collect();
    df(vec![
        Column::new("month".into(), months),
        Column::new("revenue".into(), revenue),
        Column::new("visits".into(), visits),
    ])
}

/// (type, result, the keys CONTRACT.md and the crate's public API promise).
fn every_result() -> Vec<(AnalysisType, AnalysisResult, BTreeSet<String>)> {
    let frame = monthly();
    vec![
        (
            AnalysisType::Forecast,
            forecast(&frame, &ForecastOptions::new("month", "revenue", 3))
                .unwrap()
                .into(),
            set(&[
                "forecast",
                "forecast_dates",
                "model_used",
                "interpretation",
                "lower",
                "upper",
                "horizon",
                "frequency",
                "backtest",
                "history_dates",
                "history_values",
                "seasonal_period",
                "filled_periods",
                "candidates",
            ]),
        ),
        (
            AnalysisType::Correlation,
            correlation(&frame, &CorrelationOptions::new("revenue"))
                .unwrap()
                .into(),
            set(&[
                "correlations",
                "top_factors",
                "interpretation",
                "methodology",
                "target",
                "p_values",
                "matrix",
                "excluded",
                "n",
                "method",
                "warnings",
            ]),
        ),
        (
            AnalysisType::Anomaly,
            anomaly(&frame, &AnomalyOptions::new("revenue"))
                .unwrap()
                .into(),
            set(&[
                "anomalies",
                "anomaly_values",
                "threshold_used",
                "interpretation",
                "anomaly_labels",
                "method",
                "mean",
                "std",
                "expected_values",
                "scores",
                "lower_bound",
                "upper_bound",
                "seasonal_period",
            ]),
        ),
        (
            AnalysisType::Summary,
            summary(&frame, &SummaryOptions::default()).unwrap().into(),
            set(&[
                "summary_stats",
                "outliers",
                "missing_data",
                "key_insights",
                "per_column",
                "target",
                "shape",
                "categorical",
            ]),
        ),
        (
            AnalysisType::Trend,
            trend(&frame, &TrendOptions::new(Some("month".into()), "revenue"))
                .unwrap()
                .into(),
            set(&[
                "direction",
                "slope_per_period",
                "percent_change",
                "p_value",
                "method",
                "interpretation",
                "intercept",
                "r_squared",
                "tau",
                "fitted",
                "history_dates",
                "history_values",
            ]),
        ),
    ]
}

#[test]
fn results_serialize_with_exactly_the_contract_fields() {
    for (kind, result, want) in every_result() {
        assert_eq!(
            result.analysis_type(),
            kind,
            "analysis_type() of a {kind} result"
        );
        assert!(
            !result.interpretation().is_empty(),
            "{kind}: interpretation() must say something"
        );
        let v = serde_json::to_value(&result).unwrap();
        assert_eq!(
            keys(&v),
            want,
            "{kind}: analysis_result is the bare object with the contract's fields"
        );
    }
}

#[test]
fn nested_objects_have_the_contract_fields() {
    let frame = monthly();
    let f = serde_json::to_value(
        forecast(&frame, &ForecastOptions::new("month", "revenue", 3)).unwrap(),
    )
    .unwrap();
    assert_eq!(
        keys(&f["backtest"]),
        set(&["metric", "value"]),
        "backtest is {{metric, value}}"
    );
    assert_eq!(
        f["frequency"],
        json!("month"),
        "frequency is a lowercase word"
    );
    assert_eq!(
        f["forecast_dates"],
        json!(["2025-01-01", "2025-02-01", "2025-03-01"]),
        "ISO dates, first of the next months"
    );
    let s = serde_json::to_value(summary(&frame, &SummaryOptions::default()).unwrap()).unwrap();
    assert_eq!(
        keys(&s["summary_stats"]),
        set(&["count", "mean", "std", "min", "25%", "50%", "75%", "max"]),
        "summary_stats has pandas describe() keys"
    );
    assert_eq!(
        s["summary_stats"]["count"],
        json!(12),
        "count is a whole number"
    );
    let c = serde_json::to_value(correlation(&frame, &CorrelationOptions::new("revenue")).unwrap())
        .unwrap();
    assert_eq!(
        keys(&c["matrix"]),
        set(&["columns", "values"]),
        "matrix is {{columns, values}}"
    );
    assert_eq!(
        c["methodology"],
        json!("Pearson correlation coefficient"),
        "methodology text of the seed"
    );
}

#[test]
fn values_that_do_not_exist_serialize_as_null() {
    // One value: no std; two points: no prediction interval; constant: no p-value.
    let one = df(vec![Column::new("x".into(), [5.0])]);
    let s = serde_json::to_value(summary(&one, &SummaryOptions::default()).unwrap()).unwrap();
    assert_eq!(
        s["summary_stats"]["std"],
        Value::Null,
        "std of one value is null, as pandas' NaN"
    );
    let a = serde_json::to_value(anomaly(&one, &AnomalyOptions::new("x")).unwrap()).unwrap();
    assert_eq!(a["std"], Value::Null, "anomaly std of one value is null");

    let two = df(vec![
        Column::new("d".into(), ["2024-01-01", "2024-01-02"]),
        Column::new("y".into(), [1.0, 2.0]),
    ]);
    let mut opts = ForecastOptions::new("d", "y", 2);
    opts.method = ForecastMethod::Linear;
    let f = serde_json::to_value(forecast(&two, &opts).unwrap()).unwrap();
    assert_eq!(
        f["lower"],
        json!([null, null]),
        "two points give no residual spread, so no interval"
    );
    assert_eq!(
        f["backtest"]["value"],
        Value::Null,
        "two points are too few to backtest"
    );

    let flat = df(vec![Column::new("y".into(), [3.0, 3.0, 3.0, 3.0])]);
    let t = serde_json::to_value(trend(&flat, &TrendOptions::new(None, "y")).unwrap()).unwrap();
    assert_eq!(
        t["p_value"],
        Value::Null,
        "a constant series has no p-value"
    );
    assert_eq!(t["direction"], json!("flat"), "a constant series is flat");
    let text = serde_json::to_string(&t).unwrap();
    assert!(!text.contains("NaN"), "JSON never holds NaN: {text}");
}

#[test]
fn type_names_round_trip() {
    for (text, kind) in [
        ("forecast", AnalysisType::Forecast),
        ("correlation", AnalysisType::Correlation),
        ("anomaly", AnalysisType::Anomaly),
        ("summary", AnalysisType::Summary),
        ("trend", AnalysisType::Trend),
    ] {
        assert_eq!(
            text.parse::<AnalysisType>().unwrap(),
            kind,
            "FromStr of '{text}'"
        );
        assert_eq!(kind.to_string(), text, "Display of {kind:?}");
        assert_eq!(
            serde_json::to_value(kind).unwrap(),
            json!(text),
            "serde name of {kind:?}"
        );
        let back: AnalysisType = serde_json::from_value(json!(text)).unwrap();
        assert_eq!(back, kind, "Deserialize of '{text}'");
    }
    assert!(
        "regression".parse::<AnalysisType>().is_err(),
        "unknown analysis types are refused"
    );
    for f in Frequency::ALL {
        assert_eq!(
            serde_json::to_value(f).unwrap(),
            json!(f.to_string()),
            "frequency {f} serializes lowercase"
        );
    }
}

/// The fields of `v` a reader needs documented: every object key, walking into nested objects
/// and arrays, except keys that are the frame's column names (maps keyed by column), whose
/// values are walked into instead.
fn documented_names(v: &Value, columns: &BTreeSet<String>, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(map) => {
            for (k, inner) in map {
                if !columns.contains(k) {
                    out.insert(k.clone());
                }
                documented_names(inner, columns, out);
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|item| documented_names(item, columns, out)),
        _ => {}
    }
}

#[test]
fn every_serialised_field_is_documented() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/analysis-fields.md");
    let doc = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    let columns = set(&["month", "revenue", "visits"]);
    for (kind, result, _) in every_result() {
        let heading = format!("\n## {kind}\n");
        let start = doc
            .find(&heading)
            .unwrap_or_else(|| panic!("{path} has no '## {kind}' section"));
        let rest = &doc[start + heading.len()..];
        let section = &rest[..rest.find("\n## ").unwrap_or(rest.len())];
        let mut names = BTreeSet::new();
        documented_names(
            &serde_json::to_value(&result).unwrap(),
            &columns,
            &mut names,
        );
        let missing: Vec<&String> = names
            .iter()
            .filter(|name| !section.contains(&format!("`{name}`")))
            .collect();
        assert!(
            missing.is_empty(),
            "{kind}: serialised fields {missing:?} are not documented in the '## {kind}' \
             section of docs/analysis-fields.md; add them (type and meaning)"
        );
    }
}
