//! The whole pipeline on the sample database: the seed's example questions and everyday ones,
//! each checked against an independent hand-written SQL statement run on a plain rusqlite
//! connection, so the planner's SQL is judged by its result, not its text.

use std::path::PathBuf;
use std::sync::Arc;

use rusqlite::{Connection, OpenFlags};
use serde_json::Value;
use sightline_engine::{
    AnalyzeRequest, Answer, AskRequest, CancelToken, Engine, ErrorKind, RecordingSink, StageEvent,
    StageStatus,
};

fn sample_db() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../sample-data/sample.db")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn request(question: &str, max_rows: usize) -> AskRequest {
    AskRequest {
        question: question.to_string(),
        database: sample_db().display().to_string(),
        glossary: None,
        model: None,
        schema_only: true,
        follow_up: None,
        chart_author: sightline_engine::settings::Author::Native,
        analyst: None,
        max_rows,
    }
}

/// Asks with a recording sink and the given cancel token.
fn ask_with(request: AskRequest, sink: Arc<RecordingSink>, cancel: CancelToken) -> Answer {
    let question = request.question.clone();
    runtime()
        .block_on(Engine::default().ask(request, sink, cancel))
        .unwrap_or_else(|e| panic!("{question:?} could not start: {e}"))
}

fn ask(question: &str) -> Answer {
    ask_with(
        request(question, 1000),
        Arc::new(RecordingSink::default()),
        CancelToken::new(),
    )
}

/// Rows of an independent query, as JSON values (numbers rounded to cents to absorb summation order).
fn expected(sql: &str) -> Vec<Vec<Value>> {
    let conn = Connection::open_with_flags(sample_db(), OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let mut stmt = conn.prepare(sql).unwrap();
    let width = stmt.column_count();
    let rows = stmt
        .query_map([], |row| {
            (0..width)
                .map(|i| {
                    Ok(match row.get_ref(i)? {
                        rusqlite::types::ValueRef::Null => Value::Null,
                        rusqlite::types::ValueRef::Integer(v) => Value::from(v),
                        rusqlite::types::ValueRef::Real(v) => Value::from(v),
                        rusqlite::types::ValueRef::Text(t) => {
                            Value::from(String::from_utf8_lossy(t).to_string())
                        }
                        rusqlite::types::ValueRef::Blob(_) => Value::Null,
                    })
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .unwrap();
    rows.map(Result::unwrap).collect()
}

fn rounded(rows: &[Vec<Value>]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|row| {
            row.iter()
                .map(|v| match v.as_f64() {
                    Some(x) => format!("{x:.2}"),
                    None => v.to_string(),
                })
                .collect()
        })
        .collect()
}

/// Asks `question` and checks its analysis type and that its data equals the rows of `truth`.
fn check(question: &str, analysis: Option<&str>, truth: &str) -> Answer {
    let answer = ask(question);
    assert!(
        answer.error.is_none(),
        "{question:?} failed: {:?}",
        answer.error
    );
    let got_type = answer.analytics_type.map(|t| t.to_string());
    assert_eq!(
        got_type.as_deref(),
        analysis,
        "analysis type of {question:?}"
    );
    let data = answer
        .data
        .as_ref()
        .unwrap_or_else(|| panic!("{question:?} has no data"));
    let want = expected(truth);
    assert_eq!(
        data.row_count,
        want.len(),
        "row count of {question:?} (SQL: {:?})",
        answer.sql
    );
    assert_eq!(
        rounded(&data.rows),
        rounded(&want[..want.len().min(1000)]),
        "rows of {question:?} differ from the hand-written query (planner SQL: {:?})",
        answer.sql
    );
    answer
}

#[test]
fn seed_monthly_revenue_last_year_with_forecast() {
    let answer = check(
        "Show monthly revenue for last year and forecast next 3 months",
        Some("forecast"),
        "SELECT substr(order_date, 1, 7) || '-01', sum(amount) FROM orders
         WHERE status = 'completed' AND order_date LIKE '2025-%' GROUP BY 1 ORDER BY 1",
    );
    let result = serde_json::to_value(&answer.analysis_result).unwrap();
    assert_eq!(
        result["forecast"].as_array().map(Vec::len),
        Some(3),
        "three monthly forecast values"
    );
    assert_eq!(
        result["forecast_dates"][0], "2026-01-01",
        "the forecast starts after the data"
    );
    assert_eq!(result["frequency"], "month");
    let reading = answer.interpretation.unwrap_or_default();
    assert!(
        reading.contains("2025") && reading.contains("2025-12-31"),
        "the reading names the anchor: {reading}"
    );
    assert!(
        answer.visualization.is_some(),
        "a forecast comes with a chart"
    );
}

#[test]
fn seed_forecast_next_month_is_thirty_days_of_daily_data() {
    let answer = check(
        "Forecast revenue for next month",
        Some("forecast"),
        "SELECT order_date, sum(amount) FROM orders WHERE status = 'completed' GROUP BY 1 ORDER BY 1",
    );
    let result = serde_json::to_value(&answer.analysis_result).unwrap();
    assert_eq!(
        result["forecast"].as_array().map(Vec::len),
        Some(30),
        "next month on daily data is 30 days"
    );
    assert_eq!(result["frequency"], "day");
}

#[test]
fn seed_churn_correlation_finds_the_planted_drivers() {
    for question in [
        "What factors correlate with customer churn?",
        "What correlates with churn?",
    ] {
        let answer = check(
            question,
            Some("correlation"),
            "SELECT churned, age, monthly_spend, support_tickets, satisfaction FROM customers",
        );
        let result = serde_json::to_value(&answer.analysis_result).unwrap();
        let top: Vec<&str> = result["top_factors"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(
            top[..2]
                .iter()
                .copied()
                .collect::<std::collections::BTreeSet<_>>(),
            ["satisfaction", "support_tickets"].into_iter().collect(),
            "sample-data plants support_tickets and satisfaction as the strongest churn drivers"
        );
        assert!(result["correlations"]["support_tickets"].as_f64().unwrap() > 0.3);
        assert!(result["correlations"]["satisfaction"].as_f64().unwrap() < -0.3);
    }
}

#[test]
fn seed_daily_transaction_anomalies_are_the_planted_days() {
    let answer = check(
        "Find anomalies in daily transaction amounts",
        Some("anomaly"),
        "SELECT transaction_date, sum(amount) FROM transactions GROUP BY 1 ORDER BY 1",
    );
    let result = serde_json::to_value(&answer.analysis_result).unwrap();
    let labels: Vec<&str> = result["anomaly_labels"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    // A daily series is judged against its weekly pattern (issue 4): the planted days of
    // sample-data/README.md section 5 must be found. The only other days it may flag are the
    // days of section 6 that hold one planted outlier transaction (e.g. 2024-06-10, a Monday
    // with a 1,240 USD payment: 1.7x a usual Monday); no ordinary day.
    assert_eq!(
        result["method"], "seasonal-residual",
        "a dated series gets the seasonal method by default"
    );
    for day in ["2024-03-15", "2025-07-04", "2025-11-28"] {
        assert!(
            labels.contains(&day),
            "sample-data/README.md plants {day}: {labels:?}"
        );
    }
    let allowed = [
        "2024-03-15",
        "2025-07-04",
        "2025-11-28",
        "2024-06-10",
        "2025-09-15",
        "2023-05-08",
        "2025-01-21",
        "2023-09-19",
    ];
    assert!(
        labels.iter().all(|l| allowed.contains(l)),
        "no ordinary day is an anomaly: {labels:?}"
    );
}

#[test]
fn seed_summary_of_revenue_by_region() {
    let answer = check(
        "Statistical summary of revenue by region",
        Some("summary"),
        "SELECT c.region, sum(o.amount) AS r FROM orders o, customers c
         WHERE o.customer_id = c.id AND o.status = 'completed' GROUP BY c.region ORDER BY r DESC",
    );
    let result = serde_json::to_value(&answer.analysis_result).unwrap();
    assert_eq!(result["summary_stats"]["count"], 4, "four regions");
}

#[test]
fn everyday_questions() {
    check(
        "Total revenue by region",
        None,
        "SELECT c.region, sum(o.amount) AS r FROM orders o JOIN customers c ON c.id = o.customer_id
         WHERE o.status = 'completed' GROUP BY 1 ORDER BY r DESC",
    );
    check(
        "how many customers by plan",
        None,
        "SELECT plan, count(*) AS n FROM customers GROUP BY 1 ORDER BY n DESC",
    );
    check(
        "average monthly spend by plan",
        None,
        "SELECT plan, avg(monthly_spend) AS a FROM customers GROUP BY 1 ORDER BY a DESC",
    );
    let ages = check(
        "Distribution of customer ages",
        Some("summary"),
        "SELECT age FROM customers",
    );
    let shown = ages.data.map(|d| d.rows.len());
    assert_eq!(shown, Some(1000), "rows shown are capped at max_rows");
    check(
        "Is revenue growing?",
        Some("trend"),
        "SELECT substr(order_date, 1, 7) || '-01', sum(amount) FROM orders WHERE status = 'completed' GROUP BY 1 ORDER BY 1",
    );
    check(
        "Predict user signups next quarter",
        Some("forecast"),
        "SELECT signup_date, count(*) FROM customers GROUP BY 1 ORDER BY 1",
    );
    check(
        "Summary statistics for all products",
        Some("summary"),
        "SELECT price, quality_score FROM products",
    );
    check(
        "revenue in 2024 by month",
        None,
        "SELECT substr(order_date, 1, 7) || '-01', sum(amount) FROM orders
         WHERE status = 'completed' AND order_date BETWEEN '2024-01-01' AND '2024-12-31' GROUP BY 1 ORDER BY 1",
    );
    check(
        "daily revenue in the last 30 days",
        None,
        "SELECT order_date, sum(amount) FROM orders
         WHERE status = 'completed' AND order_date > date('2025-12-31', '-30 days') GROUP BY 1 ORDER BY 1",
    );
}

#[test]
fn stages_are_reported_in_order() {
    let sink = Arc::new(RecordingSink::default());
    let answer = ask_with(
        request("Forecast revenue for next month", 10),
        sink.clone(),
        CancelToken::new(),
    );
    let names: Vec<&str> = answer.stages.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        sightline_engine::pipeline::STAGES,
        "every stage, in order"
    );
    assert!(
        answer.stages.iter().all(|s| s.status == StageStatus::Ok),
        "{:?}",
        answer.stages
    );
    let finished = sink
        .events()
        .iter()
        .filter(|e| matches!(e, StageEvent::Finished { .. }))
        .count();
    assert_eq!(finished, 7, "the sink hears every stage finish");
    let data = answer.data.unwrap();
    assert_eq!(
        (data.rows.len(), data.truncated),
        (10, true),
        "rows are capped, the count is not"
    );
    assert_eq!(data.row_count, 1096, "three years of days");
}

#[test]
fn a_question_not_understood_says_what_was_understood() {
    let answer = ask("asdf qwerty");
    let error = answer.error.expect("an error");
    assert_eq!(error.kind, ErrorKind::NotUnderstood);
    assert_eq!(error.stage.as_deref(), Some("plan"));
    assert!(
        error.message.contains("Try"),
        "the message suggests a rephrasing: {}",
        error.message
    );
    assert_eq!(
        answer.stages.last().map(|s| s.status),
        Some(StageStatus::Failed)
    );
}

#[test]
fn a_cancelled_question_stops_with_cancelled() {
    let cancel = CancelToken::new();
    cancel.cancel();
    let answer = ask_with(
        request("Total revenue by region", 10),
        Arc::new(RecordingSink::default()),
        cancel,
    );
    assert_eq!(answer.error_kind(), Some(ErrorKind::Cancelled));
}

fn analyze(analysis: &str, sql: &str, target: Option<&str>) -> Answer {
    let request = AnalyzeRequest {
        analysis: analysis.parse().unwrap(),
        database: sample_db().display().to_string(),
        sql: sql.to_string(),
        target: target.map(str::to_string),
        date_column: None,
        horizon: Some(6),
        method: None,
        threshold: None,
        season_length: None,
        glossary: None,
        max_rows: 100,
    };
    runtime()
        .block_on(Engine::default().analyze(
            request,
            Arc::new(RecordingSink::default()),
            CancelToken::new(),
        ))
        .unwrap()
}

#[test]
fn direct_analysis_infers_its_columns() {
    let answer = analyze(
        "forecast",
        "SELECT substr(order_date, 1, 7) || '-01' AS month, sum(amount) AS total FROM orders GROUP BY 1",
        None,
    );
    assert!(answer.error.is_none(), "{:?}", answer.error);
    let result = serde_json::to_value(&answer.analysis_result).unwrap();
    assert_eq!(
        result["forecast"].as_array().map(Vec::len),
        Some(6),
        "the horizon given is used"
    );
    let reading = answer.interpretation.unwrap_or_default();
    assert!(
        reading.contains("'month'") && reading.contains("'total'"),
        "the reading names inferred columns: {reading}"
    );
    assert_eq!(
        answer.stages[0].status,
        StageStatus::Skipped,
        "no intent stage for a direct analysis"
    );
}

#[test]
fn direct_analysis_errors_are_bad_input() {
    let unknown = analyze("summary", "SELECT age FROM customers", Some("nope"));
    assert_eq!(
        unknown.error_kind(),
        Some(ErrorKind::BadInput),
        "unknown target column"
    );
    assert!(
        unknown.error.unwrap().message.contains("age"),
        "the message lists the real columns"
    );
    let write = analyze("summary", "DROP TABLE customers", None);
    assert_eq!(
        write.error_kind(),
        Some(ErrorKind::SqlRejected),
        "a write is rejected before it runs"
    );
}

#[test]
fn without_a_glossary_column_names_still_answer() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("glossary.json");
    std::fs::write(&empty, "{}").unwrap();
    let churn = AskRequest {
        glossary: Some(empty),
        ..request("What correlates with churn?", 10)
    };
    let answer = ask_with(
        churn,
        Arc::new(RecordingSink::default()),
        CancelToken::new(),
    );
    assert!(answer.error.is_none(), "{:?}", answer.error);
    let result = serde_json::to_value(&answer.analysis_result).unwrap();
    assert_eq!(
        result["target"], "churned",
        "\"churn\" names the churned column when no term defines it"
    );

    let dir_request = |question: &str| AskRequest {
        glossary: Some(dir.path().join("glossary.json")),
        ..request(question, 10)
    };
    let answer = ask_with(
        dir_request("what correlates with customers"),
        Arc::new(RecordingSink::default()),
        CancelToken::new(),
    );
    assert_eq!(
        answer.error_kind(),
        Some(ErrorKind::NotUnderstood),
        "a row count is no correlation target: {:?}",
        answer.analysis_result
    );
}

#[test]
fn a_grouping_that_cannot_be_made_is_said_not_hidden() {
    // Products reach orders only through order_items (one-to-many from orders), which this
    // planner does not join yet: the answer must say so and lower its confidence.
    let answer = ask("top 5 products by revenue");
    assert!(
        answer
            .warnings
            .iter()
            .any(|w| w.contains("product") && w.contains("not grouped")),
        "the ignored grouping is named: {:?}",
        answer.warnings
    );
    assert!(
        answer.confidence < 0.7,
        "confidence drops: {}",
        answer.confidence
    );
    let grouped = ask("Total revenue by region");
    assert!(
        grouped.warnings.is_empty(),
        "a grouping that was made warns nothing: {:?}",
        grouped.warnings
    );
}

#[test]
fn filters_rankings_medians_and_breakdowns() {
    check(
        "revenue by month in the West region",
        None,
        "SELECT substr(o.order_date, 1, 7) || '-01', sum(o.amount) FROM orders o
         JOIN customers c ON c.id = o.customer_id
         WHERE o.status = 'completed' AND c.region = 'West' GROUP BY 1 ORDER BY 1",
    );
    check(
        "how many Premium customers churned",
        None,
        "SELECT count(*) FROM customers WHERE plan = 'Premium' AND churned = 1",
    );
    check(
        "how many orders over 100",
        None,
        "SELECT count(*) FROM orders WHERE amount > 100",
    );
    check(
        "customers with more than 3 support tickets",
        None,
        "SELECT count(*) FROM customers WHERE support_tickets > 3",
    );
    check(
        "which region has the lowest revenue",
        None,
        "SELECT c.region, sum(o.amount) AS r FROM orders o JOIN customers c ON c.id = o.customer_id
         WHERE o.status = 'completed' GROUP BY 1 ORDER BY r ASC LIMIT 1",
    );
    check(
        "bottom 3 plans by average monthly spend",
        None,
        "SELECT plan, avg(monthly_spend) AS a FROM customers GROUP BY 1 ORDER BY a ASC LIMIT 3",
    );
    // Two customers may share a name: grouping is by customer, not by name.
    check(
        "top 5 customers by revenue",
        None,
        "SELECT c.name, sum(o.amount) AS r FROM orders o JOIN customers c ON c.id = o.customer_id
         WHERE o.status = 'completed' GROUP BY c.id ORDER BY r DESC LIMIT 5",
    );
    check(
        "median order amount by region",
        None,
        "WITH ranked AS (
             SELECT c.region AS g, o.amount AS v,
                    row_number() OVER (PARTITION BY c.region ORDER BY o.amount) AS k,
                    count(*) OVER (PARTITION BY c.region) AS n
             FROM orders o JOIN customers c ON c.id = o.customer_id)
         SELECT g, avg(v) AS m FROM ranked WHERE k IN ((n + 1) / 2, (n + 2) / 2)
         GROUP BY g ORDER BY m DESC, g",
    );
    check(
        "monthly revenue by region in 2025",
        None,
        "SELECT substr(o.order_date, 1, 7) || '-01', c.region, sum(o.amount) FROM orders o
         JOIN customers c ON c.id = o.customer_id
         WHERE o.status = 'completed' AND o.order_date LIKE '2025-%' GROUP BY 1, 2 ORDER BY 1, 2",
    );
    let unlinked = ask("monthly revenue for electronics");
    assert!(
        unlinked
            .warnings
            .iter()
            .any(|w| w.contains("Electronics") && w.contains("not filtered")),
        "a value Sightline cannot reach is named in a warning, not silently ignored: {:?}",
        unlinked.warnings
    );
    assert!(unlinked.confidence < 0.7, "and lowers the confidence");
}

#[test]
fn shares_of_the_total_and_growth_over_the_previous_period() {
    check(
        "What share of revenue comes from each region?",
        None,
        "SELECT c.region, sum(o.amount) AS r,
                100.0 * sum(o.amount) / (SELECT sum(amount) FROM orders WHERE status = 'completed')
         FROM orders o JOIN customers c ON c.id = o.customer_id
         WHERE o.status = 'completed' GROUP BY 1 ORDER BY r DESC",
    );
    check(
        "What percentage of orders were refunded?",
        None,
        "SELECT count(*), 100.0 * sum(status = 'refunded') / count(*) FROM orders",
    );
    // January's change is measured against the December before the range, not left empty.
    check(
        "month over month growth of orders in 2025",
        Some("trend"),
        "WITH m AS (SELECT substr(order_date, 1, 7) || '-01' AS m, count(*) AS n FROM orders GROUP BY 1),
              g AS (SELECT m, n, 100.0 * (n - lag(n) OVER (ORDER BY m)) / lag(n) OVER (ORDER BY m) AS pct FROM m)
         SELECT m, n, pct FROM g WHERE m LIKE '2025-%' ORDER BY m",
    );
}

#[test]
fn a_file_is_introspected_once_until_it_changes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("copy.db");
    std::fs::copy(sample_db(), &path).unwrap();
    let engine = Engine::default();
    let ask_here = |question: &str| {
        let request = AskRequest {
            database: path.display().to_string(),
            ..request(question, 10)
        };
        runtime()
            .block_on(engine.ask(
                request,
                Arc::new(RecordingSink::default()),
                CancelToken::new(),
            ))
            .unwrap()
    };
    let first = ask_here("revenue in the West region");
    let second = ask_here("revenue in the West region");
    assert_eq!(first.sql, second.sql, "the same question gets the same SQL");
    assert_eq!(
        first.data.map(|d| d.rows),
        second.data.map(|d| d.rows),
        "and the same rows"
    );
    assert_eq!(
        engine.introspections(),
        1,
        "the second question on an unchanged file reuses its schema"
    );

    // The user changes the file (another program writes to it): what was known is dropped.
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE refunds (id INTEGER PRIMARY KEY, amount REAL);
             INSERT INTO refunds (amount) VALUES (5.0), (7.5);",
        )
        .unwrap();
    }
    let after = ask_here("how many refunds");
    assert!(
        after.error.is_none(),
        "the new table is known: {:?}",
        after.error
    );
    assert_eq!(
        after.data.map(|d| d.rows),
        Some(vec![vec![serde_json::json!(2)]]),
        "the new table's rows are counted"
    );
    assert_eq!(
        engine.introspections(),
        2,
        "the changed file was read again"
    );
}

#[test]
fn a_period_compared_with_another() {
    check(
        "revenue growth in 2025 compared to 2024",
        None,
        "SELECT a, b, 100.0 * (a - b) / b FROM (
             SELECT sum(CASE WHEN order_date LIKE '2025-%' THEN amount END) AS a,
                    sum(CASE WHEN order_date LIKE '2024-%' THEN amount END) AS b
             FROM orders WHERE status = 'completed')",
    );
}
