//! `analyze TYPE --sql SQL --json`: each analysis on a given SQL result, no language
//! understanding; the same answer object as `ask`, with `question` null.

use serde_json::Value;

use crate::util::{check_answer_shape, check_result_fields, sample_db, sightline};

const MONTHLY_REVENUE: &str = "SELECT strftime('%Y-%m-01', order_date) AS month, SUM(amount) AS revenue \
     FROM orders GROUP BY 1 ORDER BY 1";
const DAILY_TRANSACTIONS: &str = "SELECT date(transaction_date) AS day, SUM(amount) AS amount \
     FROM transactions GROUP BY 1 ORDER BY 1";
const CHURN: &str =
    "SELECT churned, age, monthly_spend, support_tickets, satisfaction FROM customers";

/// Runs `analyze` with `args` after the type and checks a complete answer of that type.
fn check(analysis: &str, sql: &str, flags: &[&str], facts: fn(&Value) -> Result<(), String>) {
    let db = sample_db();
    let mut args = vec![
        "analyze",
        analysis,
        "--db",
        db.as_str(),
        "--sql",
        sql,
        "--json",
    ];
    args.extend_from_slice(flags);
    let run = sightline(&args);
    let answer = run.json();
    let context = format!("analyze {analysis} {flags:?}");
    run.expect_code(0);
    check_answer_shape(&answer, &context);
    assert!(
        answer["error"].is_null(),
        "{context}: expected no error, got {}",
        answer["error"]
    );
    assert!(
        answer["question"].is_null(),
        "{context}: analyze has no question, so `question` is null"
    );
    assert_eq!(
        answer["analytics_type"], analysis,
        "{context}: the requested analysis ran"
    );
    assert_eq!(
        answer["analytics_performed"], true,
        "{context}: analytics_performed"
    );
    assert_eq!(
        answer["sql"], sql,
        "{context}: the given SQL is reported as it was run"
    );
    let stages = answer["stages"].as_array().cloned().unwrap_or_default();
    for name in ["validate", "execute", "analyze"] {
        let stage = stages.iter().find(|s| s["name"] == name);
        assert!(
            stage.is_some_and(|s| s["status"] == "ok"),
            "{context}: stage {name} must run and be ok: {stages:?}"
        );
    }
    assert!(
        stages.iter().all(|s| s["status"] != "failed"),
        "{context}: no stage fails: {stages:?}"
    );
    check_result_fields(&answer, &context);
    if let Err(why) = facts(&answer) {
        panic!("{context}: {why}\nanswer: {answer}");
    }
}

fn len(value: &Value) -> usize {
    value.as_array().map_or(0, Vec::len)
}

#[test]
fn forecast_with_horizon() {
    check(
        "forecast",
        MONTHLY_REVENUE,
        &[
            "--target",
            "revenue",
            "--date-col",
            "month",
            "--horizon",
            "6",
        ],
        |a| {
            let result = &a["analysis_result"];
            match len(&result["forecast"]) {
                6 if result["frequency"] == "month" => Ok(()),
                n => Err(format!(
                    "--horizon 6 over months gives 6 monthly values, got {n} per {}",
                    result["frequency"]
                )),
            }
        },
    );
}

#[test]
fn correlation_with_target() {
    check("correlation", CHURN, &["--target", "churned"], |a| {
        let result = &a["analysis_result"];
        if result["target"] != "churned" {
            return Err(format!("the target is reported: {}", result["target"]));
        }
        let factors: Vec<&str> = result["top_factors"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        if factors.is_empty() || factors.contains(&"churned") {
            return Err(format!(
                "the target is not its own factor, and there are others: {factors:?}"
            ));
        }
        Ok(())
    });
}

#[test]
fn anomaly_with_threshold_finds_the_planted_day() {
    check(
        "anomaly",
        DAILY_TRANSACTIONS,
        &[
            "--target",
            "amount",
            "--date-col",
            "day",
            "--threshold",
            "3",
        ],
        |a| {
            let result = &a["analysis_result"];
            if result["threshold_used"].as_f64() != Some(3.0) {
                return Err(format!(
                    "--threshold 3 is used: {}",
                    result["threshold_used"]
                ));
            }
            let labels: Vec<&str> = result["anomaly_labels"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            if !labels.iter().any(|l| l.starts_with("2024-03-15")) {
                return Err(format!("2024-03-15 is a planted anomaly: {labels:?}"));
            }
            let rows = a["data"]["row_count"].as_u64().unwrap_or(0);
            let indices = result["anomalies"].as_array().cloned().unwrap_or_default();
            if indices.iter().any(|i| i.as_u64().is_none_or(|i| i >= rows)) {
                return Err(format!(
                    "anomalies are 0-based row indices below {rows}: {indices:?}"
                ));
            }
            Ok(())
        },
    );
}

#[test]
fn summary_of_a_column() {
    check(
        "summary",
        "SELECT region, monthly_spend FROM customers",
        &["--target", "monthly_spend"],
        |a| {
            let stats = &a["analysis_result"]["summary_stats"];
            let count = stats["count"].as_f64();
            if count != a["data"]["row_count"].as_f64() {
                return Err(format!(
                    "count is every customer with a value: {count:?} vs {}",
                    a["data"]["row_count"]
                ));
            }
            let order =
                ["min", "25%", "50%", "75%", "max"].map(|k| stats[k].as_f64().unwrap_or(f64::NAN));
            if !order.windows(2).all(|w| w[0] <= w[1]) {
                return Err(format!("quantiles are ordered: {order:?}"));
            }
            Ok(())
        },
    );
}

#[test]
fn trend_of_monthly_revenue() {
    check(
        "trend",
        MONTHLY_REVENUE,
        &["--target", "revenue", "--date-col", "month"],
        |a| {
            let result = &a["analysis_result"];
            match result["p_value"].as_f64() {
                Some(p) if (0.0..=1.0).contains(&p) => Ok(()),
                _ => Err(format!("p_value is a probability: {}", result["p_value"])),
            }
        },
    );
}

#[test]
fn analysis_type_ignores_case() {
    let run = sightline(&[
        "analyze",
        "Summary",
        "--db",
        &sample_db(),
        "--sql",
        "SELECT monthly_spend FROM customers",
        "--json",
    ]);
    run.expect_code(0);
    assert_eq!(
        run.json()["analytics_type"],
        "summary",
        "`Summary` means summary"
    );
}

/// `--season-length N` overrides the detected seasonal period: daily data has a weekly cycle by
/// default; 14 is used when asked for, and 1 turns seasonality off.
#[test]
fn season_length_overrides_the_detected_period() {
    let period_with = |flags: &[&str]| -> Value {
        let db = sample_db();
        let mut args = vec![
            "analyze",
            "forecast",
            "--db",
            db.as_str(),
            "--sql",
            DAILY_TRANSACTIONS,
            "--target",
            "amount",
            "--date-col",
            "day",
            "--method",
            "hw",
            "--json",
        ];
        args.extend_from_slice(flags);
        let run = sightline(&args);
        run.expect_code(0);
        let answer = run.json();
        assert!(
            answer["error"].is_null(),
            "forecast {flags:?} answers: {}",
            answer["error"]
        );
        answer["analysis_result"].clone()
    };
    let detected = period_with(&[]);
    assert_eq!(
        detected["seasonal_period"], 7,
        "daily transactions have a detected weekly cycle: {}",
        detected["model_used"]
    );
    let given = period_with(&["--season-length", "14"]);
    assert_eq!(
        given["seasonal_period"], 14,
        "--season-length 14 is the period the model used"
    );
    let model = given["model_used"].as_str().unwrap_or_default();
    assert!(
        model.contains("period 14"),
        "the model names the given period: {model}"
    );
    let off = period_with(&["--season-length", "1"]);
    assert!(
        off["seasonal_period"].is_null(),
        "--season-length 1 means no seasonality: {}",
        off["seasonal_period"]
    );
}

#[test]
fn season_length_is_checked() {
    let db = sample_db();
    for (flags, why) in [
        (
            vec!["forecast", "--season-length", "0"],
            "a season of 0 periods",
        ),
        (
            vec!["summary", "--season-length", "7"],
            "a season length for a summary",
        ),
    ] {
        let mut args = vec!["analyze"];
        args.extend_from_slice(&flags[..1]);
        args.extend_from_slice(&["--db", db.as_str(), "--sql", DAILY_TRANSACTIONS, "--json"]);
        args.extend_from_slice(&flags[1..]);
        let run = sightline(&args);
        run.expect_code(2);
        let answer = run.json();
        assert_eq!(
            answer["error"]["kind"], "bad_input",
            "{why} is bad input: {answer}"
        );
        let message = answer["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("--season-length"),
            "the message names the flag: {message}"
        );
    }
}
