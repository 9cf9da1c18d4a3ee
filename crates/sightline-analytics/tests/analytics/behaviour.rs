//! Behaviour beyond the golden numbers: the date shapes a forecast accepts, frequency
//! overrides, fallbacks, labels, interpretations a business user reads, and large inputs.

use polars::prelude::*;
use sightline_analytics::*;

use crate::support::{df, epoch_days};

fn contains_all(what: &str, text: &str, parts: &[&str]) {
    for part in parts {
        assert!(
            text.contains(part),
            "{what}: '{text}' should mention '{part}'"
        );
    }
}

/// The same daily series with its dates held four ways must give the same forecast.
#[test]
fn forecast_reads_dates_of_every_storage_shape() {
    let iso: Vec<String> = (1..=20).map(|d| format!("2024-03-{d:02}")).collect();
    let y: Vec<f64> = (0..20)
        .map(|i| 100.0 + 3.0 * f64::from(i) + f64::from(i % 4))
        .collect();
    let shapes: Vec<(&str, Column)> = vec![
        ("ISO text", Column::new("d".into(), iso.clone())),
        (
            "timestamps",
            Column::new(
                "d".into(),
                iso.iter()
                    .map(|s| format!("{s} 08:30:00"))
                    .collect::<Vec<_>>(),
            ),
        ),
        (
            "ISO with T and Z",
            Column::new(
                "d".into(),
                iso.iter()
                    .map(|s| format!("{s}T08:30:00Z"))
                    .collect::<Vec<_>>(),
            ),
        ),
        (
            "yyyymmdd integers",
            Column::new(
                "d".into(),
                (1..=20).map(|d| 20_240_300i64 + d).collect::<Vec<_>>(),
            ),
        ),
        (
            "polars Date",
            Series::new(
                "d".into(),
                iso.iter().map(|s| epoch_days(s)).collect::<Vec<_>>(),
            )
            .cast(&DataType::Date)
            .unwrap()
            .into_column(),
        ),
    ];
    let mut seen: Option<ForecastResult> = None;
    for (shape, dates) in shapes {
        let frame = df(vec![dates, Column::new("y".into(), y.clone())]);
        let got = forecast(&frame, &ForecastOptions::new("d", "y", 3))
            .unwrap_or_else(|e| panic!("{shape}: {e}"));
        assert_eq!(got.frequency, Frequency::Day, "{shape}: daily data");
        assert_eq!(
            got.forecast_dates,
            ["2024-03-21", "2024-03-22", "2024-03-23"],
            "{shape}: next days"
        );
        if let Some(first) = &seen {
            assert_eq!(got, *first, "{shape}: same result as ISO text");
        }
        seen = Some(got);
    }
}

#[test]
fn auto_picks_the_linear_trend_for_a_steady_rise_and_the_average_for_noise() {
    let months: Vec<String> = (0..24)
        .map(|i| format!("{}-{:02}", 2023 + i / 12, i % 12 + 1))
        .collect();
    let rising: Vec<f64> = (0..24)
        .map(|i| 1000.0 + 100.0 * f64::from(i) + if i % 2 == 0 { 5.0 } else { -5.0 })
        .collect();
    let frame = df(vec![
        Column::new("month".into(), months.clone()),
        Column::new("revenue".into(), rising),
    ]);
    let got = forecast(&frame, &ForecastOptions::new("month", "revenue", 3)).unwrap();
    // Since Holt's linear method joined the candidates, either straight-line model may win: on
    // an exact line with alternating ±5 noise they forecast within a few units of each other.
    assert!(
        ["linear trend", "Holt's linear method (additive trend)"]
            .contains(&got.model_used.as_str()),
        "a steady rise is best followed by a line, got {}",
        got.model_used
    );
    assert_eq!(got.frequency, Frequency::Month, "YYYY-MM text is monthly");
    assert_eq!(
        got.forecast_dates,
        ["2025-01-01", "2025-02-01", "2025-03-01"],
        "first of the next months"
    );
    assert!(
        got.forecast[0] > 3300.0 && got.forecast[2] > got.forecast[0],
        "the line keeps rising: {:?}",
        got.forecast
    );
    assert!(
        got.lower
            .iter()
            .zip(&got.forecast)
            .zip(&got.upper)
            .all(|((l, f), u)| l < f && f < u),
        "interval brackets the forecast"
    );
    contains_all(
        "linear forecast",
        &got.interpretation,
        &[
            "revenue",
            "next 3 months",
            "linear",
            "95% prediction interval",
            "mean absolute percentage error",
        ],
    );

    // A rise that has levelled off: the line would keep climbing, the average follows the plateau.
    let plateau: Vec<f64> = (0..24)
        .map(|i| {
            if i < 12 {
                100.0 + 25.0 * f64::from(i)
            } else {
                400.0 + [3.0, -2.0, 1.0, -4.0, 2.0, -1.0][(i % 6) as usize]
            }
        })
        .collect();
    let frame = df(vec![
        Column::new("month".into(), months),
        Column::new("revenue".into(), plateau),
    ]);
    let got = forecast(&frame, &ForecastOptions::new("month", "revenue", 6)).unwrap();
    assert!(
        ["7-period moving average", "simple exponential smoothing"]
            .contains(&got.model_used.as_str()),
        "a plateau is best followed by a level (an average or its exponentially weighted form), \
         got {}",
        got.model_used
    );
    assert!(
        got.forecast.iter().all(|f| (395.0..405.0).contains(f)),
        "the forecast stays on the plateau: {:?}",
        got.forecast
    );
    assert!(
        got.backtest.value.is_some_and(|m| m < 2.0),
        "the level's backtest MAPE is about 1%: {:?}",
        got.backtest
    );
    let widths: Vec<f64> = got
        .upper
        .iter()
        .zip(&got.lower)
        .map(|(u, l)| u - l)
        .collect();
    assert!(
        widths.windows(2).all(|w| w[1] > w[0]),
        "the interval widens with the horizon: {widths:?}"
    );
}

#[test]
fn frequency_override_and_gaps_are_honoured_and_reported() {
    // Weekly data with two weeks missing, then forced to be read as monthly.
    let weeks = [
        "2024-01-01",
        "2024-01-08",
        "2024-01-15",
        "2024-02-05",
        "2024-02-12",
        "2024-02-19",
        "2024-02-26",
        "2024-03-04",
    ];
    let frame = df(vec![
        Column::new("week".into(), weeks),
        Column::new(
            "signups".into(),
            [5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0],
        ),
    ]);
    let got = forecast(&frame, &ForecastOptions::new("week", "signups", 2)).unwrap();
    assert_eq!(got.frequency, Frequency::Week, "7-day gaps are weekly");
    assert_eq!(
        got.forecast_dates,
        ["2024-03-11", "2024-03-18"],
        "next Mondays"
    );
    contains_all(
        "gaps",
        &got.interpretation,
        &["2 weeks", "no data", "not counted as zero"],
    );

    let mut opts = ForecastOptions::new("week", "signups", 2);
    opts.frequency = Some(Frequency::Month);
    let got = forecast(&frame, &opts).unwrap();
    assert_eq!(
        got.frequency,
        Frequency::Month,
        "the caller's frequency wins"
    );
    assert_eq!(
        got.forecast_dates,
        ["2024-04-04", "2024-05-04"],
        "monthly steps from the last date"
    );
}

#[test]
fn duplicate_dates_are_summed_and_unreadable_rows_dropped() {
    let frame = df(vec![
        Column::new(
            "day".into(),
            [
                Some("2024-01-01"),
                Some("2024-01-01"),
                Some("2024-01-02"),
                Some("not a date"),
                None,
                Some("2024-01-03"),
                Some("2024-01-04"),
            ],
        ),
        Column::new(
            "amount".into(),
            [
                Some(1.0),
                Some(2.0),
                Some(4.0),
                Some(100.0),
                Some(100.0),
                None,
                Some(8.0),
            ],
        ),
    ]);
    let got = trend(&frame, &TrendOptions::new(Some("day".into()), "amount")).unwrap();
    assert_eq!(
        got.history_dates,
        ["2024-01-01", "2024-01-02", "2024-01-04"],
        "one row per readable date with a value"
    );
    assert_eq!(
        got.history_values,
        [3.0, 4.0, 8.0],
        "rows sharing a date are added"
    );
    contains_all(
        "preparation notes",
        &got.interpretation,
        &[
            "1 row that shared a date",
            "3 rows were left out because day was not a readable date or amount was empty",
            "1 day",
        ],
    );
}

#[test]
fn trend_interpretation_names_the_column_numbers_and_test() {
    let months: Vec<String> = (0..12).map(|i| format!("2024-{:02}-01", i + 1)).collect();
    let revenue: Vec<f64> = (0..12)
        .map(|i| 10_000.0 + 1_234.5 * f64::from(i) + if i % 2 == 0 { 50.0 } else { -50.0 })
        .collect();
    let frame = df(vec![
        Column::new("month".into(), months),
        Column::new("Revenue".into(), revenue),
    ]);
    let got = trend(&frame, &TrendOptions::new(Some("month".into()), "Revenue")).unwrap();
    assert_eq!(got.direction, "up", "a clear rise");
    contains_all(
        "trend",
        &got.interpretation,
        &[
            "Revenue is trending up by 1,23",
            "per month",
            "p < 0.001",
            "Over the period from 2024-01-01 to 2024-12-01, the change is +",
            "%",
        ],
    );

    let down: Vec<f64> = vec![9.0, 7.5, 8.0, 6.0, 5.5, 4.0, 4.5, 2.0];
    let got = trend(
        &df(vec![Column::new("stock".into(), down)]),
        &TrendOptions::new(None, "stock"),
    )
    .unwrap();
    assert_eq!(got.direction, "down", "a clear fall by row order");
    contains_all(
        "trend by row",
        &got.interpretation,
        &["stock is trending down", "per row", "8 rows in order"],
    );
    assert!(
        got.history_dates.is_empty(),
        "no dates without a date column"
    );
}

#[test]
fn anomaly_labels_default_to_the_date_column_then_text() {
    let mut values = vec![10.0; 30];
    values[17] = 80.0;
    let days: Vec<String> = (1..=30).map(|d| format!("2024-04-{d:02}")).collect();
    let date_col = Series::new(
        "day".into(),
        days.iter().map(|s| epoch_days(s)).collect::<Vec<_>>(),
    )
    .cast(&DataType::Date)
    .unwrap()
    .into_column();
    let names: Vec<String> = (0..30).map(|i| format!("store {i}")).collect();
    let frame = df(vec![
        Column::new("store".into(), names),
        date_col,
        Column::new("sales".into(), values.clone()),
    ]);
    let got = anomaly(&frame, &AnomalyOptions::new("sales")).unwrap();
    assert_eq!(got.anomalies, [17], "the spike");
    assert_eq!(
        got.anomaly_labels,
        ["2024-04-18"],
        "a Date column is preferred as the label"
    );
    contains_all(
        "anomaly",
        &got.interpretation,
        &[
            "Found 1 anomaly in sales",
            "3 standard deviations",
            "2024-04-18 (80.00)",
        ],
    );

    let opts = AnomalyOptions {
        label_column: Some("store".into()),
        ..AnomalyOptions::new("sales")
    };
    assert_eq!(
        anomaly(&frame, &opts).unwrap().anomaly_labels,
        ["store 17"],
        "an explicit label column wins"
    );

    let bare = df(vec![Column::new("sales".into(), values)]);
    let got = anomaly(&bare, &AnomalyOptions::new("sales")).unwrap();
    assert_eq!(
        got.anomaly_labels,
        ["17"],
        "without a label column the row index is the label"
    );
    contains_all("anomaly by row", &got.interpretation, &["row 17 (80.00)"]);
}

#[test]
fn correlation_honours_explicit_columns_and_explains_exclusions() {
    let n = 40;
    let x: Vec<f64> = (0..n).map(f64::from).collect();
    let frame = df(vec![
        Column::new("order_id".into(), (0..i64::from(n)).collect::<Vec<_>>()),
        Column::new(
            "revenue".into(),
            x.iter()
                .map(|v| 3.0 * v + (v * 7.0) % 5.0)
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "price".into(),
            x.iter()
                .map(|v| 100.0 - v + (v * 3.0) % 4.0)
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "noise".into(),
            x.iter().map(|v| (v * 13.0) % 7.0).collect::<Vec<_>>(),
        ),
        Column::new("channel".into(), vec![2i64; 40]),
    ]);
    let got = correlation(&frame, &CorrelationOptions::new("revenue")).unwrap();
    assert_eq!(
        got.top_factors,
        ["price", "noise"],
        "by |r|, identifiers and constants left out"
    );
    assert_eq!(
        got.excluded,
        ["order_id", "channel"],
        "identifier and constant"
    );
    assert!(
        got.correlations["price"] < -0.9,
        "price falls as revenue rises: {}",
        got.correlations["price"]
    );
    contains_all(
        "correlation",
        &got.interpretation,
        &[
            "revenue",
            "price (r = -0.99, strong negative, p < 0.001)",
            "order_id (looks like an identifier)",
            "channel (has the same value in every row)",
            "association, not cause",
        ],
    );
    assert_eq!(
        got.matrix.columns,
        ["revenue", "price", "noise"],
        "matrix: target first"
    );

    let only = CorrelationOptions {
        target: "revenue".into(),
        columns: Some(vec!["noise".into(), "noise".into(), "revenue".into()]),
        ..CorrelationOptions::new("revenue")
    };
    let got = correlation(&frame, &only).unwrap();
    assert_eq!(
        got.top_factors,
        ["noise"],
        "only the requested columns, once, never the target itself"
    );
}

#[test]
fn summary_insights_read_like_sentences() {
    let frame = df(vec![
        Column::new(
            "region".into(),
            [Some("north"), None, Some("east"), Some("west")],
        ),
        Column::new("amount".into(), [Some(10.0), Some(12.0), None, Some(400.0)]),
    ]);
    let got = summary(&frame, &SummaryOptions::default()).unwrap();
    assert_eq!(got.target, "amount", "the first numeric column");
    assert_eq!(got.missing_data["region"], 25.0, "1 of 4 regions missing");
    contains_all(
        "summary",
        &got.key_insights,
        &[
            "Analyzed 1 numeric column (of 2) over 4 rows",
            "amount: 3 with a value",
            "mean 140.7",
            "median 12.00",
            "Missing values: region 25.0% and amount 25.0%",
        ],
    );
    // Every region is different: no "most common" sentence, but the counts are there.
    assert!(
        !got.key_insights.contains("most common"),
        "{}",
        got.key_insights
    );
    assert_eq!(got.categorical["region"].distinct, 3);
    assert_eq!(got.categorical["region"].missing, 1);

    let repeated = df(vec![
        Column::new("plan".into(), ["basic", "pro", "basic", "basic"]),
        Column::new("spend".into(), [10.0, 50.0, 12.0, 11.0]),
    ]);
    let got = summary(&repeated, &SummaryOptions::default()).unwrap();
    contains_all(
        "categorical sentence",
        &got.key_insights,
        &["plan has 2 distinct values (most common: basic, 75.0%)"],
    );
}

/// A million rows: every analysis finishes, and gives the same numbers as a smaller exact
/// computation where that is known (arithmetic series).
#[test]
fn a_million_rows_are_handled() {
    let n = 1_000_000i64;
    let y: Vec<f64> = (0..n).map(|i| i as f64).collect();
    let noise: Vec<f64> = (0..n).map(|i| ((i * 7919) % 1000) as f64).collect();
    let days: Vec<i32> = (0..n)
        .map(|i| 19_000 + i32::try_from(i / 1000).unwrap())
        .collect();
    let frame = df(vec![
        Series::new("day".into(), days)
            .cast(&DataType::Date)
            .unwrap()
            .into_column(),
        Column::new("y".into(), y),
        Column::new("noise".into(), noise),
    ]);
    let s = summary(
        &frame,
        &SummaryOptions {
            target: Some("y".into()),
        },
    )
    .unwrap();
    assert_eq!(s.summary_stats.mean, Some(499_999.5), "mean of 0..n-1");
    assert_eq!(s.summary_stats.q50, Some(499_999.5), "median of 0..n-1");
    assert_eq!(
        s.summary_stats.q25,
        Some(249_999.75),
        "first quartile of 0..n-1, interpolated"
    );
    let c = correlation(&frame, &CorrelationOptions::new("y")).unwrap();
    assert!(
        c.correlations["noise"].abs() < 0.01,
        "unrelated columns: r = {}",
        c.correlations["noise"]
    );
    let a = anomaly(&frame, &AnomalyOptions::new("y")).unwrap();
    assert!(
        a.anomalies.is_empty(),
        "a uniform ramp has no 3-sigma values"
    );
    let t = trend(&frame, &TrendOptions::new(Some("day".into()), "y")).unwrap();
    assert_eq!(
        (t.direction.as_str(), t.history_values.len()),
        ("up", 1000),
        "1000 daily sums, rising"
    );
    let f = forecast(&frame, &ForecastOptions::new("day", "y", 7)).unwrap();
    assert_eq!(
        f.model_used, "linear trend",
        "a perfect ramp of daily sums is a line"
    );
}

#[test]
fn weekly_seasonal_daily_data_gets_a_seasonal_model_and_gaps_are_filled_honestly() {
    // Ten weeks of daily sales with a Monday dip and weekend peak, a slow rise and a little
    // deterministic noise; two days are missing.
    let weekday = [0.7, 1.0, 1.0, 1.05, 1.1, 1.35, 1.3];
    let mut days = Vec::new();
    let mut sales = Vec::new();
    for t in 0..70u32 {
        if t == 30 || t == 31 {
            continue;
        }
        let date = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()
            + chrono::Duration::days(i64::from(t));
        days.push(date.to_string());
        let noise = f64::from((t * 37) % 11) - 5.0;
        sales.push((500.0 + 2.0 * f64::from(t)) * weekday[(t % 7) as usize] + noise);
    }
    let frame = df(vec![
        Column::new("day".into(), days),
        Column::new("sales".into(), sales),
    ]);
    let got = forecast(&frame, &ForecastOptions::new("day", "sales", 7)).unwrap();
    assert_eq!(got.seasonal_period, Some(7), "the weekly cycle is found");
    assert_eq!(got.filled_periods, 2, "two missing days were interpolated");
    assert!(
        got.model_used.contains("seasonal"),
        "a seasonal model wins on seasonal data: {}",
        got.model_used
    );
    // 2024-03-11 (t = 70) is a Monday: the dip must be in the forecast.
    assert_eq!(got.forecast_dates[0], "2024-03-11");
    let monday = got.forecast[0];
    let saturday = got.forecast[5];
    assert!(
        monday < 0.8 * saturday,
        "the forecast keeps the weekly shape: Monday {monday}, Saturday {saturday}"
    );
    assert!(
        got.candidates.len() >= 8 && got.candidates.iter().all(|c| c.mape.is_some()),
        "auto backtested every candidate: {:?}",
        got.candidates
    );
    contains_all(
        "seasonal forecast",
        &got.interpretation,
        &[
            "repeats every 7 days",
            "2 days between the first and last date had no data",
            "straight-line interpolation",
            "not counted as zero",
        ],
    );
}
