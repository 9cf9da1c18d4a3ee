//! Every analysis against the numbers pandas/scipy computed in tests/golden/make_goldens.py.
//! Tolerance: 1e-9 relative (+1e-12 absolute for values that are zero up to rounding); p-values
//! 1e-9 relative with no absolute floor.

use serde_json::Value;
use sightline_analytics::*;

use crate::support::*;

fn name(case: &Value) -> &str {
    case["name"].as_str().unwrap_or("?")
}

fn check_describe(got: &Describe, want: &Value, what: &str) {
    let count = want["count"].as_f64().unwrap();
    assert_eq!(
        got.count as f64, count,
        "{what}: count of non-null values (pandas {count})"
    );
    let fields = [
        ("mean", got.mean),
        ("std", got.std),
        ("min", got.min),
        ("25%", got.q25),
        ("50%", got.q50),
        ("75%", got.q75),
        ("max", got.max),
    ];
    for (key, value) in fields {
        check_opt(value, &want[key], &format!("{what}: {key}"));
    }
}

#[test]
fn describe_equals_pandas_describe() {
    for case in cases("describe") {
        let n = name(case);
        let df = df(vec![column(
            "x",
            case["dtype"].as_str().unwrap(),
            case["values"].as_array().unwrap(),
        )]);
        let got = summary(
            &df,
            &SummaryOptions {
                target: Some("x".into()),
            },
        )
        .unwrap_or_else(|e| panic!("describe case '{n}': summary failed: {e}"));
        check_describe(
            &got.summary_stats,
            &case["expected"],
            &format!("describe '{n}'"),
        );
        assert_eq!(
            got.outliers["x"],
            indexes(&case["outliers"]),
            "describe '{n}': rows outside pandas' 1.5×IQR fences"
        );
        // The kernel used without a frame gives the same numbers.
        let values: Vec<f64> = case["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap_or(f64::NAN))
            .collect();
        assert_eq!(
            stats::describe(&values),
            got.summary_stats,
            "describe '{n}': kernel vs frame"
        );
    }
}

#[test]
fn summary_of_a_mixed_frame_equals_pandas() {
    for case in cases("summary") {
        let n = name(case);
        let target = case["target"].as_str().map(str::to_string);
        let got = summary(&frame(&case["frame"]), &SummaryOptions { target })
            .unwrap_or_else(|e| panic!("summary '{n}' failed: {e}"));
        let want = &case["expected"];
        assert_eq!(
            got.target,
            want["target"].as_str().unwrap(),
            "summary '{n}': the target skips identifiers"
        );
        let per_column = want["per_column"].as_object().unwrap();
        assert_eq!(
            got.per_column.len(),
            per_column.len(),
            "summary '{n}': one describe per numeric column"
        );
        for (col, stats) in per_column {
            check_describe(
                &got.per_column[col],
                stats,
                &format!("summary '{n}' column {col}"),
            );
            assert_eq!(
                got.outliers[col],
                indexes(&want["outliers"][col]),
                "summary '{n}': outliers of {col}"
            );
        }
        check_describe(
            &got.summary_stats,
            &per_column[&got.target],
            &format!("summary '{n}' target"),
        );
        let missing = want["missing_data"].as_object().unwrap();
        assert_eq!(
            got.missing_data.len(),
            missing.len(),
            "summary '{n}': missing share for every column"
        );
        for (col, pct) in missing {
            check_close(
                got.missing_data[col],
                pct,
                &format!("summary '{n}': missing % of {col}"),
            );
        }
    }
}

fn n_pairs(want: &Value, col: &str) -> u64 {
    want["n_pairs"][col].as_u64().unwrap_or(0)
}

#[test]
fn correlation_equals_scipy_pearsonr_and_pandas_corr() {
    for case in cases("correlation") {
        let n = name(case);
        let opts = CorrelationOptions {
            target: case["target"].as_str().unwrap().into(),
            columns: None,
        };
        let got = correlation(&frame(&case["frame"]), &opts)
            .unwrap_or_else(|e| panic!("correlation '{n}' failed: {e}"));
        let want = &case["expected"];
        let rs = want["correlations"].as_object().unwrap();
        assert_eq!(
            got.correlations.len(),
            rs.len(),
            "correlation '{n}': compared columns {:?}",
            got.correlations.keys()
        );
        for (col, r) in rs {
            check_close(
                got.correlations[col],
                r,
                &format!("correlation '{n}': r of {col}"),
            );
            let what = format!("correlation '{n}': p of {col}");
            if r.as_f64().is_some_and(|r| 1.0 - r.abs() < 1e-12) && n_pairs(want, col) > 2 {
                // |r| = 1 to double precision: p = I_{1-r²}(..) is decided by rounding noise in
                // r (scipy gets 1.7e-61 from r = -0.9999999999999998); both are "zero".
                assert!(
                    got.p_values[col] < 1e-12,
                    "{what}: a perfect correlation has p ≈ 0, got {}",
                    got.p_values[col]
                );
            } else {
                check_p(got.p_values[col], &want["p_values"][col], &what);
            }
        }
        assert_eq!(
            got.top_factors,
            strings(&want["top_factors"]),
            "correlation '{n}': order by |r|"
        );
        assert_eq!(
            got.excluded,
            strings(&want["excluded"]),
            "correlation '{n}': identifiers and constants left out"
        );
        assert_eq!(
            got.n as u64,
            want["n"].as_u64().unwrap(),
            "correlation '{n}': rows with a target value"
        );
        assert_eq!(
            got.matrix.columns,
            strings(&want["matrix"]["columns"]),
            "correlation '{n}': matrix columns"
        );
        for (i, row) in got.matrix.values.iter().enumerate() {
            check_vec(
                row,
                &want["matrix"]["values"][i],
                &format!("correlation '{n}': matrix row {i}"),
            );
        }
    }
}

#[test]
fn linregress_kernel_equals_scipy_linregress() {
    for case in cases("linregress") {
        let n = name(case);
        let floats = |v: &Value| -> Vec<f64> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap_or(f64::NAN))
                .collect()
        };
        let fit = stats::linregress(&floats(&case["x"]), &floats(&case["y"]))
            .unwrap_or_else(|| panic!("linregress '{n}': no fit"));
        let want = &case["expected"];
        check_close(
            fit.slope,
            &want["slope"],
            &format!("linregress '{n}': slope"),
        );
        check_close(
            fit.intercept,
            &want["intercept"],
            &format!("linregress '{n}': intercept"),
        );
        check_close(fit.r, &want["r"], &format!("linregress '{n}': r"));
        check_close(
            fit.r_squared,
            &want["r_squared"],
            &format!("linregress '{n}': r²"),
        );
        check_close(
            fit.stderr,
            &want["stderr"],
            &format!("linregress '{n}': stderr"),
        );
        check_p(
            fit.p_value,
            &want["p_value"],
            &format!("linregress '{n}': p"),
        );
        assert_eq!(
            fit.n as u64,
            want["n"].as_u64().unwrap(),
            "linregress '{n}': pairs without NaN"
        );
    }
}

#[test]
fn trend_equals_scipy_linregress_on_the_period_index() {
    for case in cases("trend") {
        let n = name(case);
        let opts = TrendOptions {
            date_column: case["date_column"].as_str().map(str::to_string),
            target: case["target"].as_str().unwrap().into(),
        };
        let got = trend(&frame(&case["frame"]), &opts)
            .unwrap_or_else(|e| panic!("trend '{n}' failed: {e}"));
        let want = &case["expected"];
        check_close(
            got.slope_per_period,
            &want["slope_per_period"],
            &format!("trend '{n}': slope"),
        );
        check_close(
            got.intercept,
            &want["intercept"],
            &format!("trend '{n}': intercept"),
        );
        check_close(
            got.r_squared,
            &want["r_squared"],
            &format!("trend '{n}': r²"),
        );
        check_p(got.p_value, &want["p_value"], &format!("trend '{n}': p"));
        check_close(
            got.percent_change,
            &want["percent_change"],
            &format!("trend '{n}': % change of the fitted line"),
        );
        check_vec(
            &got.fitted,
            &want["fitted"],
            &format!("trend '{n}': fitted"),
        );
        check_vec(
            &got.history_values,
            &want["history_values"],
            &format!("trend '{n}': history (sorted, same-date rows summed)"),
        );
        assert_eq!(
            got.history_dates,
            strings(&want["history_dates"]),
            "trend '{n}': history dates"
        );
        assert_eq!(
            got.direction,
            want["direction"].as_str().unwrap(),
            "trend '{n}': direction (flat when p >= 0.05)"
        );
        assert_eq!(got.method, "OLS linear regression", "trend '{n}': method");
    }
}

#[test]
fn anomaly_equals_pandas_z_scores() {
    for case in cases("anomaly") {
        let n = name(case);
        let opts = AnomalyOptions {
            target: case["target"].as_str().unwrap().into(),
            label_column: case["label_column"].as_str().map(str::to_string),
            threshold: case["threshold"].as_f64().unwrap(),
            method: AnomalyMethod::ZScore,
        };
        let got = anomaly(&frame(&case["frame"]), &opts)
            .unwrap_or_else(|e| panic!("anomaly '{n}' failed: {e}"));
        let want = &case["expected"];
        assert_eq!(
            got.anomalies,
            indexes(&want["anomalies"]),
            "anomaly '{n}': rows with |z| > threshold"
        );
        check_vec(
            &got.anomaly_values,
            &want["anomaly_values"],
            &format!("anomaly '{n}': values"),
        );
        assert_eq!(
            got.anomaly_labels,
            strings(&want["anomaly_labels"]),
            "anomaly '{n}': labels"
        );
        check_close(got.mean, &want["mean"], &format!("anomaly '{n}': mean"));
        check_close(
            got.std,
            &want["std"],
            &format!("anomaly '{n}': std (ddof=1)"),
        );
        assert_eq!(
            got.threshold_used, opts.threshold,
            "anomaly '{n}': threshold echoed"
        );
        assert_eq!(got.method, "z-score", "anomaly '{n}': method");
    }
}

fn method_of(text: &str) -> ForecastMethod {
    text.parse()
        .unwrap_or_else(|e| panic!("golden method '{text}': {e}"))
}

#[test]
fn forecast_equals_the_reference_implementation() {
    for case in cases("forecast") {
        let n = name(case);
        let opts = ForecastOptions {
            date_column: case["date_column"].as_str().unwrap().into(),
            target: case["target"].as_str().unwrap().into(),
            horizon: usize::try_from(case["horizon"].as_u64().unwrap()).unwrap(),
            method: method_of(case["method"].as_str().unwrap()),
            frequency: None,
        };
        let got = forecast(&frame(&case["frame"]), &opts)
            .unwrap_or_else(|e| panic!("forecast '{n}' failed: {e}"));
        let want = &case["expected"];
        assert_eq!(
            got.model_used,
            want["model_used"].as_str().unwrap(),
            "forecast '{n}': model (auto picks the lower backtest MAPE)"
        );
        assert_eq!(
            got.frequency.as_str(),
            want["frequency"].as_str().unwrap(),
            "forecast '{n}': detected frequency"
        );
        assert_eq!(
            got.forecast_dates,
            strings(&want["forecast_dates"]),
            "forecast '{n}': dates continue the frequency"
        );
        check_vec(
            &got.forecast,
            &want["forecast"],
            &format!("forecast '{n}': point forecast"),
        );
        check_vec(
            &got.lower,
            &want["lower"],
            &format!("forecast '{n}': lower 95% bound"),
        );
        check_vec(
            &got.upper,
            &want["upper"],
            &format!("forecast '{n}': upper 95% bound"),
        );
        match got.backtest.value {
            Some(v) => check_close(
                v,
                &want["backtest"],
                &format!("forecast '{n}': backtest MAPE"),
            ),
            None => assert!(
                want["backtest"].is_null(),
                "forecast '{n}': expected a backtest MAPE of {}",
                want["backtest"]
            ),
        }
        assert_eq!(
            got.backtest.metric, "MAPE",
            "forecast '{n}': backtest metric"
        );
        assert_eq!(got.horizon, opts.horizon, "forecast '{n}': horizon echoed");
        check_vec(
            &got.history_values,
            &want["history_values"],
            &format!("forecast '{n}': history"),
        );
        assert_eq!(
            got.history_dates,
            strings(&want["history_dates"]),
            "forecast '{n}': history dates"
        );
    }
}
