//! Wrong input gives the right error, with a message a business user can act on.

use polars::prelude::*;
use sightline_analytics::*;

use crate::support::df;

fn sales() -> DataFrame {
    df(vec![
        Column::new(
            "day".into(),
            ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"],
        ),
        Column::new("region".into(), ["north", "south", "east", "west"]),
        Column::new("amount".into(), [10.0, 12.0, 9.0, 14.0]),
        Column::new("flag".into(), [1i64, 1, 1, 1]),
    ])
}

/// Runs `run` and checks the error variant and that the message names what it should.
fn check(
    what: &str,
    got: Result<AnalysisResult, AnalysisError>,
    want: AnalysisError,
    message_has: &[&str],
) {
    let err = match got {
        Ok(r) => panic!(
            "{what}: expected the error {want:?}, got a {} result",
            r.analysis_type()
        ),
        Err(e) => e,
    };
    assert_eq!(err, want, "{what}: error variant and fields");
    let text = err.to_string();
    for part in message_has {
        assert!(
            text.contains(part),
            "{what}: the message '{text}' should mention '{part}'"
        );
    }
}

#[test]
fn each_wrong_input_has_its_error() {
    let frame = sales();
    let available = vec![
        "day".to_string(),
        "region".into(),
        "amount".into(),
        "flag".into(),
    ];
    check(
        "summary of an unknown column",
        summary(
            &frame,
            &SummaryOptions {
                target: Some("revenue".into()),
            },
        )
        .map(Into::into),
        AnalysisError::MissingColumn {
            name: "revenue".into(),
            available,
        },
        &["Column 'revenue' is not in the result; available: day, region, amount, flag"],
    );
    check(
        "anomaly of a text column",
        anomaly(&frame, &AnomalyOptions::new("region")).map(Into::into),
        AnalysisError::NotNumeric {
            name: "region".into(),
        },
        &["'region'", "numbers"],
    );
    check(
        "forecast by a column that holds no dates",
        forecast(&frame, &ForecastOptions::new("region", "amount", 2)).map(Into::into),
        AnalysisError::NoDates {
            column: "region".into(),
        },
        &["'region'", "2025-01-31"],
    );
    check(
        "forecast with a zero horizon",
        forecast(&frame, &ForecastOptions::new("day", "amount", 0)).map(Into::into),
        AnalysisError::InvalidOption("The forecast horizon must be at least one period.".into()),
        &["horizon"],
    );
    check(
        "correlation with a constant target",
        correlation(&frame, &CorrelationOptions::new("flag")).map(Into::into),
        AnalysisError::ConstantColumn {
            name: "flag".into(),
        },
        &["'flag'", "same value"],
    );
    check(
        "correlation with a text column requested",
        correlation(
            &frame,
            &CorrelationOptions {
                target: "amount".into(),
                columns: Some(vec!["region".into()]),
                ..CorrelationOptions::new("amount")
            },
        )
        .map(Into::into),
        AnalysisError::NotNumeric {
            name: "region".into(),
        },
        &["'region'"],
    );
    check(
        "trend of two rows",
        trend(&frame.head(Some(2)), &TrendOptions::new(None, "amount")).map(Into::into),
        AnalysisError::TooFewRows { needed: 3, got: 2 },
        &["at least 3 rows", "has 2"],
    );
    check(
        "forecast of one date",
        forecast(
            &frame.head(Some(1)),
            &ForecastOptions::new("day", "amount", 1),
        )
        .map(Into::into),
        AnalysisError::TooFewRows { needed: 2, got: 1 },
        &["at least 2"],
    );
    check(
        "anomaly with a negative threshold",
        anomaly(
            &frame,
            &AnomalyOptions {
                threshold: Some(-1.0),
                ..AnomalyOptions::new("amount")
            },
        )
        .map(Into::into),
        AnalysisError::InvalidOption(
            "The anomaly threshold must be a positive number of standard deviations, not -1."
                .into(),
        ),
        &["threshold"],
    );
    check(
        "summary of a frame without numbers",
        summary(
            &frame.select(["day", "region"]).unwrap(),
            &SummaryOptions::default(),
        )
        .map(Into::into),
        AnalysisError::NoNumericColumn {
            available: vec!["day".into(), "region".into()],
        },
        &["no numeric column", "day, region"],
    );
    check(
        "anomaly label column that does not exist",
        anomaly(
            &frame,
            &AnomalyOptions {
                label_column: Some("date".into()),
                ..AnomalyOptions::new("amount")
            },
        )
        .map(Into::into),
        AnalysisError::MissingColumn {
            name: "date".into(),
            available: vec![
                "day".into(),
                "region".into(),
                "amount".into(),
                "flag".into(),
            ],
        },
        &["'date'"],
    );
}

#[test]
fn unknown_method_names_are_refused_with_the_choices() {
    let cases: [(&str, Result<(), AnalysisError>); 4] = [
        ("arima", "arima".parse::<ForecastMethod>().map(|_| ())),
        (
            "kendall",
            "kendall".parse::<CorrelationMethod>().map(|_| ()),
        ),
        ("lof", "lof".parse::<AnomalyMethod>().map(|_| ())),
        ("fortnight", "fortnight".parse::<Frequency>().map(|_| ())),
    ];
    for (name, got) in cases {
        let err = got.expect_err(name);
        assert!(
            err.to_string().contains(name),
            "the refusal of '{name}' quotes it: {err}"
        );
        assert!(
            err.to_string().contains("choose"),
            "the refusal of '{name}' lists the choices: {err}"
        );
    }
}

#[test]
fn new_methods_refuse_inputs_they_cannot_handle() {
    let frame = sales();
    let hw = |method: &str| ForecastOptions {
        method: method.parse().unwrap(),
        ..ForecastOptions::new("day", "amount", 2)
    };
    check(
        "Holt-Winters on four days",
        forecast(&frame, &hw("hw")).map(Into::into),
        AnalysisError::TooFewRows { needed: 14, got: 4 },
        &["at least 14"],
    );
    let with_zero = df(vec![
        Column::new(
            "day".into(),
            (1..=20)
                .map(|d| format!("2024-01-{d:02}"))
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "amount".into(),
            (0..20).map(|i| f64::from(i % 7)).collect::<Vec<_>>(),
        ),
    ]);
    check(
        "multiplicative seasonality with a zero",
        forecast(&with_zero, &hw("hw_mul")).map(Into::into),
        AnalysisError::InvalidOption(
            "Multiplicative seasonality needs every value of amount above zero; choose \
             additive seasonality (hw) instead."
                .into(),
        ),
        &["above zero", "additive"],
    );
    check(
        "seasonal anomalies without dates",
        anomaly(
            &frame,
            &AnomalyOptions {
                method: AnomalyMethod::SeasonalResidual,
                ..AnomalyOptions::new("amount")
            },
        )
        .map(Into::into),
        AnalysisError::InvalidOption(
            "The seasonal anomaly method needs a date column; name it, or choose the zscore or \
             iqr method."
                .into(),
        ),
        &["date column"],
    );
    check(
        "an isolation score of 1 or more",
        anomaly(
            &frame,
            &AnomalyOptions {
                method: AnomalyMethod::IsolationForest,
                threshold: Some(1.5),
                ..AnomalyOptions::new("amount")
            },
        )
        .map(Into::into),
        AnalysisError::InvalidOption(
            "An isolation-forest threshold is a score below 1 (0.7 by default), not 1.5.".into(),
        ),
        &["below 1"],
    );
    let long: Vec<f64> = (0..3_001).map(f64::from).collect();
    check(
        "Mann-Kendall on too many points",
        trend(
            &df(vec![Column::new("v".into(), long)]),
            &TrendOptions {
                method: TrendMethod::MannKendall,
                ..TrendOptions::new(None, "v")
            },
        )
        .map(Into::into),
        AnalysisError::InvalidOption(
            "The Mann-Kendall test compares every pair of points and is limited to 3,000 \
             points; this series has 3,001. Aggregate to a coarser period (weeks or months) or \
             use the ols method."
                .into(),
        ),
        &["3,000", "ols"],
    );
}
