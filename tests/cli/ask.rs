//! `ask --json` on the seed's example questions: the contract's shape, the stages, and the facts
//! each question must find in the sample data.

use serde_json::Value;

use crate::util::{ask_json, check_complete, check_result_fields, sample_db, sightline};

/// What one question must produce beyond a complete answer.
struct Expect {
    analytics_type: &'static str,
    facts: fn(&Value) -> Result<(), String>,
}

fn check(question: &str, expect: &Expect) {
    let run = ask_json(question);
    let answer = run.json();
    let context = format!("ask {question:?}");
    run.expect_code(0);
    check_complete(&answer, &context);
    assert_eq!(
        answer["question"], question,
        "{context}: the answer repeats the question"
    );
    assert_eq!(
        answer["method"], "offline",
        "{context}: no model is configured, so the offline planner answers"
    );
    assert_eq!(
        answer["analytics_type"], expect.analytics_type,
        "{context}: wrong analysis chosen"
    );
    check_result_fields(&answer, &context);
    if let Err(why) = (expect.facts)(&answer) {
        panic!("{context}: {why}\nanswer: {answer}");
    }
}

fn len(value: &Value) -> usize {
    value.as_array().map_or(0, Vec::len)
}

fn strings(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

#[test]
fn monthly_revenue_last_year_and_three_month_forecast() {
    check(
        "Show monthly revenue for last year and forecast next 3 months",
        &Expect {
            analytics_type: "forecast",
            facts: |a| {
                let result = &a["analysis_result"];
                if len(&result["forecast"]) != 3 {
                    return Err(format!(
                        "3 forecast values expected, got {}",
                        result["forecast"]
                    ));
                }
                let data = &a["data"];
                if data["row_count"] != 12 || len(&data["rows"]) != 12 {
                    return Err("\"last year\" is 2025: 12 monthly rows expected".into());
                }
                let months: Vec<&str> = data["rows"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|r| r[0].as_str())
                    .collect();
                if months.len() != 12 || !months.iter().all(|m| m.starts_with("2025-")) {
                    return Err(format!(
                        "every month must be in 2025 (the latest full year): {months:?}"
                    ));
                }
                let dates = strings(&result["forecast_dates"]);
                if dates.first().is_none_or(|d| !d.starts_with("2026-01")) {
                    return Err(format!(
                        "the forecast starts after the data, in January 2026: {dates:?}"
                    ));
                }
                if result["frequency"] != "month" {
                    return Err(format!(
                        "monthly data is forecast per month, not {}",
                        result["frequency"]
                    ));
                }
                Ok(())
            },
        },
    );
}

#[test]
fn factors_correlating_with_customer_churn() {
    check(
        "What factors correlate with customer churn?",
        &Expect {
            analytics_type: "correlation",
            facts: |a| {
                let result = &a["analysis_result"];
                let factors = strings(&result["top_factors"]);
                if factors.is_empty() {
                    return Err("top_factors must name at least one column".into());
                }
                let r = |f: &str| result["correlations"][f].as_f64().map_or(0.0, f64::abs);
                if factors.windows(2).any(|w| r(w[0]) < r(w[1])) {
                    return Err(format!(
                        "top_factors must be ordered by |r|, largest first: {factors:?}"
                    ));
                }
                if factors
                    .iter()
                    .any(|f| !result["correlations"][*f].is_number())
                {
                    return Err("every top factor has a coefficient in `correlations`".into());
                }
                Ok(())
            },
        },
    );
}

#[test]
fn anomalies_in_daily_transaction_amounts_include_the_planted_day() {
    check(
        "Find anomalies in daily transaction amounts",
        &Expect {
            analytics_type: "anomaly",
            facts: |a| {
                let labels = strings(&a["analysis_result"]["anomaly_labels"]);
                if !labels.iter().any(|l| l.starts_with("2024-03-15")) {
                    return Err(format!(
                        "the planted spike of 2024-03-15 must be found; labels: {labels:?}"
                    ));
                }
                Ok(())
            },
        },
    );
}

#[test]
fn revenue_forecast_for_next_month_is_thirty_days() {
    check(
        "Forecast revenue for next month",
        &Expect {
            analytics_type: "forecast",
            facts: |a| {
                let result = &a["analysis_result"];
                if len(&result["forecast"]) != 30 {
                    return Err(format!(
                        "\"next month\" over daily data is 30 daily values, got {}",
                        len(&result["forecast"])
                    ));
                }
                if result["frequency"] != "day" {
                    return Err(format!(
                        "daily data is forecast per day, not {}",
                        result["frequency"]
                    ));
                }
                Ok(())
            },
        },
    );
}

#[test]
fn statistical_summary_of_revenue_by_region() {
    check(
        "Statistical summary of revenue by region",
        &Expect {
            analytics_type: "summary",
            facts: |a| {
                if a["data"]["row_count"] != 4 {
                    return Err(format!(
                        "the sample has 4 regions, got {} rows",
                        a["data"]["row_count"]
                    ));
                }
                if a["analysis_result"]["summary_stats"]["count"].as_f64() != Some(4.0) {
                    return Err("summary_stats.count counts the 4 regional totals".into());
                }
                Ok(())
            },
        },
    );
}

#[test]
fn what_correlates_with_churn() {
    check(
        "What correlates with churn?",
        &Expect {
            analytics_type: "correlation",
            facts: |a| {
                if strings(&a["analysis_result"]["top_factors"]).is_empty() {
                    return Err("top_factors must name at least one column".into());
                }
                Ok(())
            },
        },
    );
}

#[test]
fn max_rows_caps_rows_but_not_the_count_or_the_analysis() {
    let question = "Forecast revenue for next month";
    let run = sightline(&[
        "ask",
        "--db",
        &sample_db(),
        "--max-rows",
        "5",
        "--json",
        question,
    ]);
    run.expect_code(0);
    let answer = run.json();
    check_complete(&answer, "ask --max-rows 5");
    let data = &answer["data"];
    assert_eq!(len(&data["rows"]), 5, "--max-rows 5 shows 5 rows");
    assert!(
        data["row_count"].as_u64().unwrap_or(0) > 5,
        "row_count is the full count: {data}"
    );
    assert_eq!(
        data["truncated"], true,
        "rows were cut, so truncated is true"
    );
    assert_eq!(
        len(&answer["analysis_result"]["forecast"]),
        30,
        "the analysis still runs on the full result"
    );
}

#[test]
fn database_may_be_a_sqlite_url_or_a_relative_path() {
    for db in [
        crate::util::sample_url(),
        "sample-data/sample.db".to_string(),
    ] {
        let run = sightline(&["ask", "--db", &db, "--json", "What correlates with churn?"]);
        run.expect_code(0);
        check_complete(&run.json(), &format!("ask --db {db}"));
    }
}

#[test]
fn explicit_glossary_and_offline_llm_are_accepted() {
    let glossary = crate::util::root()
        .join("sample-data")
        .join("glossary.json")
        .display()
        .to_string();
    let run = sightline(&[
        "ask",
        "--db",
        &sample_db(),
        "--glossary",
        &glossary,
        "--llm",
        "offline",
        "--json",
        "What correlates with churn?",
    ]);
    run.expect_code(0);
    let answer = run.json();
    check_complete(&answer, "ask --glossary --llm offline");
    assert_eq!(
        answer["method"], "offline",
        "--llm offline uses the embedded planner"
    );
}

#[test]
fn verbose_reports_stages_on_stderr_only() {
    let run = sightline(&[
        "ask",
        "--db",
        &sample_db(),
        "--json",
        "--verbose",
        "What correlates with churn?",
    ]);
    run.expect_code(0);
    check_complete(&run.json(), "ask --verbose --json");
    for stage in crate::util::STAGES {
        assert!(
            run.stderr.contains(stage),
            "--verbose names the {stage} stage on stderr:\n{}",
            run.stderr
        );
    }
}

/// A method named in the question is the method used (issue 4): the planner passes it on to
/// the analysis instead of the default choice.
#[test]
fn methods_named_in_the_question_are_honoured() {
    check(
        "Forecast monthly revenue for the next 3 months using a linear trend",
        &Expect {
            analytics_type: "forecast",
            facts: |a| match a["analysis_result"]["model_used"].as_str() {
                Some("linear trend") => Ok(()),
                other => Err(format!("'using a linear trend' is the model: {other:?}")),
            },
        },
    );
    check(
        "Forecast monthly revenue for the next 3 months with a moving average",
        &Expect {
            analytics_type: "forecast",
            facts: |a| match a["analysis_result"]["model_used"].as_str() {
                Some(m) if m.ends_with("moving average") => Ok(()),
                other => Err(format!("'with a moving average' is the model: {other:?}")),
            },
        },
    );
    check(
        "Find anomalies in daily transaction amounts by IQR",
        &Expect {
            analytics_type: "anomaly",
            facts: |a| match a["analysis_result"]["method"].as_str() {
                Some("iqr") => Ok(()),
                other => Err(format!("'by IQR' is the method: {other:?}")),
            },
        },
    );
    check(
        "Find anomalies in daily transaction amounts",
        &Expect {
            analytics_type: "anomaly",
            facts: |a| match a["analysis_result"]["method"].as_str() {
                Some("seasonal-residual") => Ok(()),
                other => Err(format!(
                    "without a named method a daily series uses the seasonal residual: {other:?}"
                )),
            },
        },
    );
}
