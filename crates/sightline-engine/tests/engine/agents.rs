//! The SQL agent against the fake OpenAI-compatible server (the real reqwest client, real
//! sample database): the happy path, repairs, every transport fault of SECURITY.md S10, and
//! hostile replies that the validator must contain (S5) while the database stays byte-identical.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use sightline_analytics::AnalysisResult;
use sightline_engine::llm::{CallLimits, Endpoint, Protocol, Provider};
use sightline_engine::pipeline::agents::FollowUp;
use sightline_engine::secrets::Secret;
use sightline_engine::{
    Answer, AskRequest, CancelToken, Engine, EngineConfig, ErrorKind, NullSink,
};

use crate::fake_model::{self, FakeModel, MODEL, Script};

const KEY: &str = "gsk_test_4f9a0c1b2d3e4f5a6b7c8d9e";

fn sample_db() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../sample-data/sample.db")
}

/// Limits short enough for tests: quick backoff, short idle wait.
fn limits() -> CallLimits {
    CallLimits {
        idle: Duration::from_millis(800),
        total: Duration::from_secs(20),
        first_backoff: Duration::from_millis(20),
        max_wait: Duration::from_secs(5),
        ..CallLimits::default()
    }
}

fn endpoint(model: &FakeModel) -> Endpoint {
    Endpoint {
        profile: "groq".into(),
        provider: Provider::Groq,
        protocol: Protocol::OpenAiChat,
        base_url: model.base_url.clone(),
        model: MODEL.into(),
        key: Some(Secret::new(KEY)),
    }
}

fn request(question: &str, database: &Path, model: &FakeModel) -> AskRequest {
    AskRequest {
        question: question.into(),
        database: database.display().to_string(),
        glossary: None,
        model: Some(endpoint(model)),
        schema_only: true,
        follow_up: None,
        chart_author: sightline_engine::settings::Author::Native,
        analyst: None,
        max_rows: 1000,
    }
}

/// Fails unless one of the answer's warnings contains `text`.
fn assert_warned(answer: &Answer, text: &str) {
    assert!(
        answer.warnings.iter().any(|w| w.contains(text)),
        "no warning says {text:?}: {:?}",
        answer.warnings
    );
}

async fn ask_engine(request: AskRequest, cancel: CancelToken) -> Answer {
    let engine = Engine::new(EngineConfig {
        llm_limits: limits(),
        ..EngineConfig::default()
    });
    engine
        .ask(request, Arc::new(NullSink), cancel)
        .await
        .unwrap()
}

async fn ask(question: &str, model: &FakeModel) -> Answer {
    ask_engine(request(question, &sample_db(), model), CancelToken::new()).await
}

fn json(answer: &Answer) -> String {
    serde_json::to_string(answer).unwrap()
}

const MONTHLY: &str = "SELECT strftime('%Y-%m-01', order_date) AS month, SUM(amount) AS revenue \
     FROM orders WHERE status = 'completed' AND order_date >= '2025-01-01' AND order_date < '2026-01-01' \
     GROUP BY 1 ORDER BY 1";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_model_writes_the_sql_and_the_answer_says_so() {
    let model = FakeModel::start(vec![fake_model::sql_reply(
        MONTHLY,
        "Monthly completed revenue in 2025",
    )])
    .await;
    let answer = ask(
        "Show monthly revenue for last year and forecast next 3 months",
        &model,
    )
    .await;
    assert!(answer.error.is_none(), "{:?}", answer.error);
    assert_eq!(answer.method, format!("llm:groq:{MODEL}"));
    assert_eq!(answer.sql.as_deref(), Some(MONTHLY));
    let data = answer.data.as_ref().unwrap();
    assert_eq!(data.row_count, 12);
    assert_eq!(data.columns, vec!["month", "revenue"]);
    // The analysis asked in the question ran on the model's result, 3 monthly periods ahead.
    let result = serde_json::to_value(answer.analysis_result.as_ref().unwrap()).unwrap();
    assert_eq!(result["forecast"].as_array().unwrap().len(), 3);
    assert!(answer.visualization.is_some());
    assert!(
        answer
            .interpretation
            .as_deref()
            .unwrap()
            .contains("Monthly completed revenue")
    );
    assert!(answer.confidence > 0.5 && answer.confidence <= 0.95);

    let sent = answer.sent_to_model.as_ref().unwrap();
    assert_eq!(sent.requests, 1);
    assert!(sent.tables.contains(&"orders".to_string()));
    assert!(sent.columns.contains(&"orders.amount".to_string()));
    assert_eq!(sent.sample_values, 0, "schema only is the default");

    let chats = model.chats();
    assert_eq!(chats.len(), 1);
    let sent_request = &chats[0];
    assert_eq!(
        sent_request.header("authorization"),
        Some(&*format!("Bearer {KEY}"))
    );
    assert_eq!(sent_request.body["model"], MODEL);
    assert_eq!(sent_request.body["stream"], true);
    assert_eq!(sent_request.body["response_format"]["type"], "json_object");
    let prompt = sent_request.prompt();
    assert!(prompt.contains("orders") && prompt.contains("amount"));
    assert!(prompt.contains("forecast analysis"));
    // Schema only: no value of the data is in the prompt (the glossary's definitions are the
    // user's configuration and do go).
    let name = rusqlite::Connection::open(sample_db())
        .unwrap()
        .query_row("SELECT name FROM customers LIMIT 1", [], |r| {
            r.get::<_, String>(0)
        })
        .unwrap();
    assert!(
        !prompt.contains(&format!("'{name}'")) && !prompt.contains("e.g."),
        "a sample value leaked: {prompt}"
    );
    assert!(!json(&answer).contains(KEY));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn samples_are_sent_only_when_allowed() {
    let model = FakeModel::start(vec![fake_model::sql_reply(
        "SELECT region, COUNT(*) AS customers FROM customers GROUP BY region",
        "Customers per region",
    )])
    .await;
    let mut allowed = request("How many customers per region?", &sample_db(), &model);
    allowed.schema_only = false;
    let answer = ask_engine(allowed, CancelToken::new()).await;
    assert!(answer.error.is_none(), "{:?}", answer.error);
    let sent = answer.sent_to_model.unwrap();
    assert!(sent.sample_values > 0);
    let prompt = model.chats()[0].prompt();
    let region = rusqlite::Connection::open(sample_db())
        .unwrap()
        .query_row("SELECT region FROM customers LIMIT 1", [], |r| {
            r.get::<_, String>(0)
        })
        .unwrap();
    assert!(
        prompt.contains(&format!("'{region}'")),
        "no sample in {prompt}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_near_miss_column_is_repaired_without_asking_again() {
    let typo = MONTHLY.replace("SUM(amount)", "SUM(amout)");
    let model = FakeModel::start(vec![fake_model::sql_reply(&typo, "Monthly revenue")]).await;
    let answer = ask("Monthly revenue last year", &model).await;
    assert!(answer.error.is_none(), "{:?}", answer.error);
    assert!(
        answer.sql.as_deref().unwrap().contains("SUM(amount)"),
        "{:?} {:?}",
        answer.sql,
        answer.warnings
    );
    assert_warned(&answer, "amout → amount");
    assert_eq!(model.chats().len(), 1);
    assert_eq!(answer.data.unwrap().row_count, 12);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_column_goes_back_to_the_model_which_repairs_it() {
    let wrong = MONTHLY.replace("SUM(amount)", "SUM(total_revenue)");
    let model = FakeModel::start(vec![
        fake_model::sql_reply(&wrong, "Monthly revenue"),
        fake_model::sql_reply(MONTHLY, "Monthly revenue, using amount"),
    ])
    .await;
    let answer = ask("Monthly revenue last year", &model).await;
    assert!(answer.error.is_none(), "{:?}", answer.error);
    assert_eq!(answer.sql.as_deref(), Some(MONTHLY));
    let chats = model.chats();
    assert_eq!(chats.len(), 2);
    let second = chats[1].prompt();
    assert!(
        second.contains("total_revenue"),
        "the error must go back: {second}"
    );
    assert_eq!(answer.sent_to_model.unwrap().requests, 2);
    assert!(answer.interpretation.unwrap().contains("after 2 attempts"));
}

/// The offline planner's answer, for comparing a fallback with.
async fn offline(question: &str) -> Answer {
    let mut plain = request(question, &sample_db(), &FakeModel::start(vec![]).await);
    plain.model = None;
    ask_engine(plain, CancelToken::new()).await
}

async fn assert_falls_back(scripts: Vec<Script>, expect_warning: &str) -> FakeModel {
    let question = "Monthly revenue last year";
    let model = FakeModel::start(scripts).await;
    let answer = ask(question, &model).await;
    assert!(answer.error.is_none(), "{:?}", answer.error);
    assert_eq!(answer.method, "offline");
    let warning = answer
        .warnings
        .iter()
        .find(|w| w.contains("offline planner answered"))
        .unwrap_or_else(|| panic!("no fallback warning in {:?}", answer.warnings));
    assert!(
        warning.contains(expect_warning),
        "the warning must say why ({expect_warning}): {warning}"
    );
    assert!(!warning.contains(KEY));
    let plain = offline(question).await;
    assert_eq!(answer.sql, plain.sql);
    assert_eq!(answer.data.unwrap().rows, plain.data.unwrap().rows);
    assert!(
        answer.sent_to_model.is_some(),
        "what was sent is listed even on failure"
    );
    model
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_json_falls_back_with_a_clear_warning() {
    let body = Script::Body {
        status: 200,
        headers: vec![],
        body: "{\"id\":\"chatcmpl-1\",\"choices\":[{\"message\":{\"content\":\"SEL".into(),
    };
    assert_falls_back(vec![body], "malformed JSON").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_are_retried_then_fall_back() {
    let failing = || fake_model::error(500, "Internal server error", &[]);
    let model = assert_falls_back(vec![failing(), failing(), failing()], "HTTP 500").await;
    assert_eq!(model.chats().len(), 3, "bounded: three tries, no more");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limit_is_waited_out_as_retry_after_says() {
    let model = FakeModel::start(vec![
        fake_model::error(429, "Rate limit reached for model", &[("retry-after", "1")]),
        fake_model::sql_reply(MONTHLY, "Monthly revenue"),
    ])
    .await;
    let answer = ask("Monthly revenue last year", &model).await;
    assert!(answer.error.is_none(), "{:?}", answer.error);
    assert!(answer.method.starts_with("llm:"));
    let chats = model.chats();
    assert_eq!(chats.len(), 2);
    let waited = chats[1].at.duration_since(chats[0].at);
    assert!(
        waited >= Duration::from_millis(950),
        "Retry-After: 1 not honoured ({waited:?})"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limit_longer_than_allowed_fails_at_once() {
    let model = assert_falls_back(
        vec![fake_model::error(
            429,
            "Rate limit reached",
            &[("retry-after", "3600")],
        )],
        "wait 3600 s",
    )
    .await;
    assert_eq!(model.chats().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_key_is_named_and_never_echoed() {
    let said = format!("Invalid API Key: {KEY}");
    assert_falls_back(
        vec![fake_model::error(401, &said, &[])],
        "key was not accepted",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_stream_times_out_and_a_slow_one_completes() {
    let stalled = Script::Stream {
        pieces: vec!["{\"sql\": \"SELECT".into(), " 1\"}".into()],
        gap: Duration::from_secs(3),
        complete: true,
    };
    assert_falls_back(vec![stalled], "did not answer in time").await;

    let text = serde_json::json!({"sql": MONTHLY, "explanation": "slow but steady"}).to_string();
    let slow = Script::Stream {
        pieces: text
            .as_bytes()
            .chunks(40)
            .map(|c| String::from_utf8_lossy(c).into())
            .collect(),
        gap: Duration::from_millis(150),
        complete: true,
    };
    let model = FakeModel::start(vec![slow]).await;
    let answer = ask("Monthly revenue last year", &model).await;
    assert!(answer.method.starts_with("llm:"), "{:?}", answer.warnings);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_truncated_stream_is_an_error_not_half_a_query() {
    let cut = Script::Stream {
        pieces: vec!["{\"sql\": \"SELECT strftime('%Y-%m', order_date)".into()],
        gap: Duration::from_millis(5),
        complete: false,
    };
    assert_falls_back(vec![cut], "ended before the reply was complete").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_reply_is_not_read_past_the_cap() {
    let huge = fake_model::completion(&"x".repeat(3 << 20));
    assert_falls_back(vec![huge], "larger than 2048 KiB").await;
}

/// Every file of `dir` with its bytes.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_sql_from_the_model_is_contained_and_the_database_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    std::fs::copy(sample_db(), &db).unwrap();
    let stolen = dir.path().join("stolen.db");
    let before = snapshot(dir.path());
    let hostile = [
        "DROP TABLE orders".to_string(),
        "ATTACH DATABASE '/tmp/evil.db' AS evil".to_string(),
        format!("VACUUM INTO '{}'", stolen.display()),
        "SELECT 1; DELETE FROM orders".to_string(),
        "PRAGMA query_only = 0".to_string(),
        "WITH x AS (SELECT 1) DELETE FROM orders".to_string(),
    ];
    for (round, pair) in hostile.chunks(3).enumerate() {
        let model = FakeModel::start(
            pair.iter()
                .map(|sql| fake_model::sql_reply(sql, "as you asked"))
                .collect(),
        )
        .await;
        let answer = ask_engine(
            request("Monthly revenue last year", &db, &model),
            CancelToken::new(),
        )
        .await;
        assert_eq!(answer.method, "offline", "round {round}: {:?}", answer.sql);
        assert_warned(&answer, "still wrong after 3 attempts");
        let chats = model.chats();
        assert_eq!(chats.len(), 3);
        // Each refusal went back to the model with the validator's reason.
        assert!(chats[1].prompt().contains("cannot be used"));
        for sql in pair {
            assert_ne!(answer.sql.as_deref(), Some(sql.as_str()));
        }
    }
    assert_eq!(snapshot(dir.path()), before, "the database folder changed");
    assert!(!stolen.exists() && !Path::new("/tmp/evil.db").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_ups_reach_the_model_and_the_offline_planner() {
    let west = "SELECT strftime('%Y-%m-01', o.order_date) AS month, SUM(o.amount) AS revenue \
                FROM orders o JOIN customers c ON c.id = o.customer_id \
                WHERE c.region = 'West' GROUP BY 1 ORDER BY 1";
    let model = FakeModel::start(vec![fake_model::sql_reply(
        west,
        "Monthly revenue in the West",
    )])
    .await;
    let mut follow = request("now only the West region", &sample_db(), &model);
    follow.follow_up = Some(FollowUp {
        question: "Monthly revenue by month".into(),
        sql: Some(MONTHLY.into()),
    });
    let answer = ask_engine(follow.clone(), CancelToken::new()).await;
    assert!(answer.error.is_none(), "{:?}", answer.error);
    assert!(answer.sent_to_model.unwrap().previous_question);
    let messages = model.chats()[0].body["messages"]
        .as_array()
        .unwrap()
        .clone();
    let roles: Vec<&str> = messages
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, vec!["system", "user", "assistant", "user"]);
    assert!(
        messages[2]["content"]
            .as_str()
            .unwrap()
            .contains("strftime")
    );

    // Offline, the planner reads the follow-up with the question before it.
    follow.model = None;
    let offline = ask_engine(follow, CancelToken::new()).await;
    let sql = offline.sql.unwrap();
    assert!(sql.contains("West") && sql.contains("%Y-%m"), "{sql}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_stops_a_slow_model_call() {
    let slow = Script::Stream {
        pieces: vec!["{\"sql\":".into(); 20],
        gap: Duration::from_millis(500),
        complete: true,
    };
    let model = FakeModel::start(vec![slow]).await;
    let cancel = CancelToken::new();
    let trigger = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        trigger.cancel();
    });
    let answer = ask_engine(
        request("Monthly revenue last year", &sample_db(), &model),
        cancel,
    )
    .await;
    assert_eq!(
        answer.error.as_ref().map(|e| e.kind),
        Some(ErrorKind::Cancelled)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_model_falls_back_quickly() {
    // A port nothing listens on.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let model = FakeModel::start(vec![]).await;
    let mut unreachable = request("Monthly revenue last year", &sample_db(), &model);
    if let Some(endpoint) = unreachable.model.as_mut() {
        endpoint.base_url = format!("http://127.0.0.1:{port}/v1");
    }
    let answer = ask_engine(unreachable, CancelToken::new()).await;
    assert_eq!(answer.method, "offline");
    let warnings: Value = serde_json::to_value(&answer.warnings).unwrap();
    assert!(
        warnings.to_string().contains("cannot be reached"),
        "{warnings}"
    );
}

const PER_REGION: &str =
    "SELECT region, COUNT(*) AS customers FROM customers GROUP BY region ORDER BY region";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_model_designs_the_chart_and_sightline_fills_the_data() {
    let design = serde_json::json!({
        "traces": [{"type": "pie", "x": "region", "values": "customers"}],
        "title": "Customers <b>by</b> region <a href=\"javascript:alert(1)\">x</a>",
        "explanation": "shares of a whole"
    });
    let model = FakeModel::start(vec![
        fake_model::sql_reply(PER_REGION, "Customers per region"),
        fake_model::completion(&design.to_string()),
    ])
    .await;
    let mut asked = request("Share of customers per region", &sample_db(), &model);
    asked.chart_author = sightline_engine::settings::Author::Model;
    let answer = ask_engine(asked, CancelToken::new()).await;
    assert!(answer.error.is_none(), "{:?}", answer.error);
    let figure = answer.visualization.as_ref().unwrap();
    assert_eq!(figure["data"][0]["type"], "pie");
    let data = answer.data.as_ref().unwrap();
    let regions: Vec<Value> = data.rows.iter().map(|r| r[0].clone()).collect();
    assert_eq!(figure["data"][0]["labels"], Value::Array(regions));
    let title = figure["layout"]["title"]["text"].as_str().unwrap();
    assert!(
        !title.contains('<') && !title.to_lowercase().contains("javascript"),
        "{title}"
    );
    let sent = answer.sent_to_model.unwrap();
    assert_eq!(sent.requests, 2);
    assert!(sent.parts.contains(&"chart".to_string()));
    // The chart request names columns only: no data value went with it (schema only).
    let chart_prompt = model.chats()[1].prompt();
    assert!(chart_prompt.contains("region (text)") && !chart_prompt.contains("First rows"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chart_design_with_its_own_data_is_refused_and_the_native_chart_stays() {
    let forged = serde_json::json!({
        "traces": [{"type": "bar", "x": ["Atlantis", "Mu"], "y": [1e9, 2e9]}],
        "title": "Record year"
    });
    let model = FakeModel::start(vec![
        fake_model::sql_reply(PER_REGION, "Customers per region"),
        fake_model::completion(&forged.to_string()),
        fake_model::completion(&forged.to_string()),
    ])
    .await;
    let mut asked = request("Customers per region", &sample_db(), &model);
    asked.chart_author = sightline_engine::settings::Author::Model;
    let answer = ask_engine(asked, CancelToken::new()).await;
    assert!(answer.error.is_none(), "{:?}", answer.error);
    assert_warned(&answer, "native chart is shown");
    let figure = answer.visualization.unwrap().to_string();
    assert!(
        !figure.contains("Atlantis") && !figure.contains("1000000000"),
        "{figure}"
    );
    assert_eq!(model.chats().len(), 3);
    assert!(
        model.chats()[2]
            .prompt()
            .contains("data values written in the design")
    );
}

const MONTHLY_REVENUE: &str = "SELECT strftime('%Y-%m-01', order_date) AS month, SUM(amount) AS revenue FROM orders WHERE status = 'completed' GROUP BY 1 ORDER BY 1";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_model_restyles_an_analysis_chart_and_its_overlays_stay() {
    let style = serde_json::json!({
        "title": "Revenue <i>outlook</i>",
        "y_title": "Revenue (USD)",
        "traces": [
            {"index": 0, "type": "bar", "color": "#2ca02c"},
            {"index": 2, "dash": "dot", "name": "<b>Next</b> months"}
        ],
        "explanation": "bars for the history, the forecast as a line"
    });
    let model = FakeModel::start(vec![
        fake_model::sql_reply(MONTHLY_REVENUE, "Monthly revenue"),
        fake_model::completion(&style.to_string()),
    ])
    .await;
    let question = "Forecast monthly revenue for the next 3 months";
    let mut asked = request(question, &sample_db(), &model);
    asked.chart_author = sightline_engine::settings::Author::Model;
    let answer = ask_engine(asked, CancelToken::new()).await;
    assert!(answer.error.is_none(), "{:?}", answer.error);
    let Some(AnalysisResult::Forecast(forecast)) = &answer.analysis_result else {
        panic!("a forecast: {:?}", answer.analysis_result);
    };
    let figure = answer.visualization.as_ref().unwrap();
    let data = figure["data"].as_array().unwrap();
    assert_eq!(data.len(), 3, "history, interval band, forecast: {figure}");
    assert_eq!(data[0]["type"], "bar", "the history redrawn as bars");
    assert_eq!(data[0]["marker"]["color"], "#2ca02c");
    assert_eq!(
        data[0]["y"].as_array().map(Vec::len),
        Some(forecast.history_values.len()),
        "the history keeps its values"
    );
    // The interval band and the forecast line are the analysis' own.
    assert_eq!(data[1]["fill"], "toself");
    assert_eq!(
        data[1]["x"].as_array().map(Vec::len),
        Some(2 * forecast.forecast_dates.len())
    );
    assert_eq!(
        data[2]["y"],
        serde_json::json!(forecast.forecast),
        "the forecast line shows the analysis' numbers"
    );
    assert_eq!(data[2]["line"]["dash"], "dot");
    assert_eq!(data[2]["name"], "Next months", "tags removed");
    assert_eq!(figure["layout"]["title"]["text"], "Revenue outlook");
    assert_eq!(figure["layout"]["yaxis"]["title"]["text"], "Revenue (USD)");
    let sent = answer.sent_to_model.as_ref().unwrap();
    assert!(sent.parts.contains(&"chart".to_string()), "{sent:?}");
    // The style request carries titles and trace names, never the data.
    let prompt = model.chats()[1].prompt();
    assert!(
        prompt.contains("0: ") && prompt.contains("the data series"),
        "{prompt}"
    );
    let first_value = forecast.history_values[0].to_string();
    assert!(!prompt.contains(&first_value), "{prompt}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restyle_that_redraws_an_overlay_is_refused_and_the_native_chart_stays() {
    let style = serde_json::json!({"traces": [{"index": 1, "type": "bar"}]});
    let model = FakeModel::start(vec![
        fake_model::sql_reply(MONTHLY_REVENUE, "Monthly revenue"),
        fake_model::completion(&style.to_string()),
        fake_model::completion(&style.to_string()),
    ])
    .await;
    let mut asked = request(
        "Forecast monthly revenue for the next 3 months",
        &sample_db(),
        &model,
    );
    asked.chart_author = sightline_engine::settings::Author::Model;
    let answer = ask_engine(asked, CancelToken::new()).await;
    assert!(answer.error.is_none(), "{:?}", answer.error);
    assert_warned(&answer, "native chart is shown");
    let figure = answer.visualization.unwrap();
    assert_eq!(figure["data"][1]["fill"], "toself", "the band stays a band");
    assert_ne!(figure["data"][0]["type"], "bar");
    assert!(
        model.chats()[2]
            .prompt()
            .contains("only the data series (trace 0) may change its type")
    );
}

/// The Docker sandbox for model-written analyses, or `None` (skipped) when no engine with the
/// image answers and CI does not require one (`SIGHTLINE_REQUIRE_DOCKER=1`).
async fn docker_analyst() -> Option<sightline_engine::pipeline::agents::Analyst> {
    use sightline_sandbox::{DockerSettings, Mode, PoolSettings, Sandboxes};
    let status = sightline_sandbox::status(&DockerSettings::default()).await;
    if !(status.docker && status.image) {
        if std::env::var("SIGHTLINE_REQUIRE_DOCKER").is_ok_and(|v| v == "1") {
            panic!(
                "SIGHTLINE_REQUIRE_DOCKER=1 but the sandbox cannot run: {}",
                status.message
            );
        }
        eprintln!("skipping a Docker test: {}", status.message);
        return None;
    }
    let pool = PoolSettings {
        spares: 0,
        ..PoolSettings::default()
    };
    Some(sightline_engine::pipeline::agents::Analyst {
        sandboxes: Arc::new(Sandboxes::new(DockerSettings::default(), pool)),
        mode: Mode::Docker,
        timeout: Duration::from_secs(60),
        memory: 512 << 20,
    })
}

fn code_reply(code: &str) -> Script {
    fake_model::completion(
        &serde_json::json!({"code": code, "explanation": "as asked"}).to_string(),
    )
}

/// A model's analysis for the monthly forecast question, shared with the desktop tests.
const LINEAR_FORECAST: &str = include_str!("../../../../tests/fixtures/linear_forecast.py");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_model_writes_the_analysis_in_python_run_in_docker() {
    let Some(analyst) = docker_analyst().await else {
        return;
    };
    let model = FakeModel::start(vec![
        fake_model::sql_reply(MONTHLY, "Monthly completed revenue in 2025"),
        code_reply(LINEAR_FORECAST),
    ])
    .await;
    let mut asked = request(
        "Show monthly revenue for last year and forecast next 3 months",
        &sample_db(),
        &model,
    );
    asked.analyst = Some(analyst);
    let answer = ask_engine(asked, CancelToken::new()).await;
    assert!(answer.error.is_none(), "{:?}", answer.error);
    let result = serde_json::to_value(answer.analysis_result.as_ref().unwrap()).unwrap();
    assert_eq!(
        result["model_used"], "numpy linear fit",
        "{:?}",
        answer.warnings
    );
    // The same least-squares line, computed here from the answer's own rows.
    let y: Vec<f64> = answer
        .data
        .as_ref()
        .unwrap()
        .rows
        .iter()
        .map(|r| r[1].as_f64().unwrap())
        .collect();
    let n = y.len() as f64;
    let mx = (n - 1.0) / 2.0;
    let my = y.iter().sum::<f64>() / n;
    let sxy: f64 = y
        .iter()
        .enumerate()
        .map(|(i, v)| (i as f64 - mx) * (v - my))
        .sum();
    let sxx: f64 = (0..y.len()).map(|i| (i as f64 - mx).powi(2)).sum();
    let slope = sxy / sxx;
    for (i, got) in result["forecast"].as_array().unwrap().iter().enumerate() {
        let want = my + slope * (n + i as f64 - mx);
        assert!(
            (got.as_f64().unwrap() - want).abs() < 1e-6 * want.abs(),
            "{got} vs {want}"
        );
    }
    assert_eq!(result["forecast_dates"][2], "2026-03-01");
    assert_eq!(
        result["lower"],
        serde_json::json!([]),
        "no interval was computed, none is shown"
    );
    assert!(
        answer
            .analysis_code
            .as_deref()
            .unwrap()
            .contains("np.polyfit")
    );
    assert_warned(&answer, "docker sandbox");
    let sent = answer.sent_to_model.unwrap();
    assert_eq!(sent.requests, 2);
    assert!(sent.parts.contains(&"analysis".to_string()));
    // The analysis request named columns only; the data went to the sandbox as a file.
    let brief = model.chats()[1].prompt();
    assert!(brief.contains("revenue (number)") && !brief.contains("First rows"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_analysis_code_is_contained_and_the_native_analysis_stays() {
    let Some(analyst) = docker_analyst().await else {
        return;
    };
    let escapes = [
        // Refused by the guard before anything runs.
        "import os\nresult = os.listdir('/')",
        // Runs, but the container has no network.
        "import urllib.request\nresult = {'forecast': [float(len(urllib.request.urlopen('http://1.1.1.1', timeout=3).read()))]}",
    ];
    let mut scripts = vec![fake_model::sql_reply(MONTHLY, "Monthly revenue")];
    scripts.extend(escapes.iter().map(|c| code_reply(c)));
    let model = FakeModel::start(scripts).await;
    let mut asked = request(
        "Show monthly revenue for last year and forecast next 3 months",
        &sample_db(),
        &model,
    );
    asked.analyst = Some(analyst);
    let answer = ask_engine(asked, CancelToken::new()).await;
    assert!(answer.error.is_none(), "{:?}", answer.error);
    assert!(answer.analysis_code.is_none());
    assert_warned(&answer, "Sightline's own analysis is shown");
    let result = serde_json::to_value(answer.analysis_result.as_ref().unwrap()).unwrap();
    assert_ne!(result["model_used"], "model-written");
    assert_eq!(result["forecast"].as_array().unwrap().len(), 3);
    let chats = model.chats();
    assert_eq!(chats.len(), 3);
    let second = chats[2].prompt();
    assert!(
        second.contains("os"),
        "the guard's reason went back: {second}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_analysis_of_the_wrong_shape_is_refused() {
    let Some(analyst) = docker_analyst().await else {
        return;
    };
    let model = FakeModel::start(vec![
        fake_model::sql_reply(MONTHLY, "Monthly revenue"),
        code_reply("result = {'forecast': 'up, probably'}"),
        code_reply("result = {'forecast': [1.0, 2.0], 'forecast_dates': ['soon', 'later']}"),
    ])
    .await;
    let mut asked = request(
        "Forecast monthly revenue for the next 2 months",
        &sample_db(),
        &model,
    );
    asked.analyst = Some(analyst);
    let answer = ask_engine(asked, CancelToken::new()).await;
    assert_warned(&answer, "analysis could not be used");
    let chats = model.chats();
    assert!(
        chats[2].prompt().contains("must be a list of numbers"),
        "{}",
        chats[2].prompt()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_anthropic_messages_protocol_works_end_to_end() {
    let reply = serde_json::json!({"sql": PER_REGION, "explanation": "Customers per region"});
    let model = FakeModel::start(vec![fake_model::anthropic_stream(&reply.to_string())]).await;
    let mut asked = request("Customers per region", &sample_db(), &model);
    if let Some(endpoint) = asked.model.as_mut() {
        endpoint.provider = Provider::Anthropic;
        endpoint.protocol = Protocol::AnthropicMessages;
        endpoint.model = "claude-3-5-haiku-latest".into();
    }
    let answer = ask_engine(asked, CancelToken::new()).await;
    assert!(answer.error.is_none(), "{:?}", answer.error);
    assert_eq!(answer.method, "llm:anthropic:claude-3-5-haiku-latest");
    assert_eq!(answer.sql.as_deref(), Some(PER_REGION));
    let sent = &model.chats()[0];
    assert!(sent.path.ends_with("/messages"));
    assert_eq!(sent.header("x-api-key"), Some(KEY));
    assert_eq!(sent.header("anthropic-version"), Some("2023-06-01"));
    assert!(sent.header("authorization").is_none());
    assert!(sent.body["system"].as_str().unwrap().contains("SQLite"));
    assert_eq!(sent.body["messages"][0]["role"], "user");
}
