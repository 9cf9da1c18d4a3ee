//! Running the binary and checking what it prints against the contract.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

/// Longest any single command may take before the test calls it a hang.
const DEADLINE: Duration = Duration::from_secs(120);

/// The stages of a full answer, in order.
pub const STAGES: [&str; 7] = [
    "intent",
    "plan",
    "validate",
    "execute",
    "analyze",
    "chart",
    "interpret",
];

/// Every field of the answer object of CONTRACT.md.
pub const ANSWER_FIELDS: [&str; 14] = [
    "question",
    "database",
    "sql",
    "confidence",
    "method",
    "data",
    "analytics_performed",
    "analytics_type",
    "analysis_result",
    "visualization",
    "interpretation",
    "stages",
    "warnings",
    "error",
];

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The sample database, as an absolute path.
pub fn sample_db() -> String {
    root()
        .join("sample-data")
        .join("sample.db")
        .display()
        .to_string()
}

/// The sample database as a `sqlite:///` URL.
pub fn sample_url() -> String {
    format!("sqlite://{}", sample_db())
}

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub args: Vec<String>,
}

impl Run {
    /// The whole of stdout as exactly one JSON object.
    pub fn json(&self) -> Value {
        let value: Value = serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout of {:?} must be exactly one JSON object ({e}); it was:\n{}\nstderr:\n{}",
                self.args, self.stdout, self.stderr
            )
        });
        assert!(
            value.is_object(),
            "stdout of {:?} must be a JSON object, not {value}",
            self.args
        );
        value
    }

    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "exit code of {:?}\nstdout:\n{}\nstderr:\n{}",
            self.args, self.stdout, self.stderr
        );
        self
    }
}

/// Runs `sightline ARGS` from the repository root, with no language-model settings and a
/// throw-away SIGHTLINE_HOME.
pub fn sightline<S: AsRef<str>>(args: &[S]) -> Run {
    sightline_env(args, &[])
}

/// Like [`sightline`], with extra environment variables.
pub fn sightline_env<S: AsRef<str>>(args: &[S], env: &[(&str, &str)]) -> Run {
    let args: Vec<String> = args.iter().map(|a| a.as_ref().to_string()).collect();
    let home = tempfile::tempdir().expect("a temp dir for SIGHTLINE_HOME");
    let mut command = Command::new(env!("CARGO_BIN_EXE_sightline"));
    command
        .args(&args)
        .current_dir(root())
        .env("SIGHTLINE_HOME", home.path())
        .env_remove("SIGHTLINE_LLM_BASE_URL")
        .env_remove("SIGHTLINE_LLM_MODEL")
        .env_remove("SIGHTLINE_LLM_API_KEY")
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = command.spawn().expect("the sightline binary starts");
    let stdout = reader(child.stdout.take());
    let stderr = reader(child.stderr.take());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for sightline") {
            break status;
        }
        if started.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{args:?} did not finish within {DEADLINE:?}");
        }
        thread::sleep(Duration::from_millis(10));
    };
    Run {
        code: status.code().unwrap_or(-1),
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
        args,
    }
}

fn reader<R: Read + Send + 'static>(pipe: Option<R>) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut pipe) = pipe {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            text = String::from_utf8_lossy(&bytes).into_owned();
        }
        text
    })
}

/// `ask --db SAMPLE --json QUESTION`.
pub fn ask_json(question: &str) -> Run {
    sightline(&["ask", "--db", &sample_db(), "--json", question])
}

/// Checks that `answer` has every field of the contract with the right JSON type, whatever
/// happened; `context` names the case in failure messages.
pub fn check_answer_shape(answer: &Value, context: &str) {
    let object = answer
        .as_object()
        .unwrap_or_else(|| panic!("{context}: answer is not an object"));
    for field in ANSWER_FIELDS {
        assert!(
            object.contains_key(field),
            "{context}: the answer lacks `{field}`: {answer}"
        );
    }
    let kind_of = |field: &str, ok: fn(&Value) -> bool, what: &str| {
        let value = &answer[field];
        assert!(
            ok(value),
            "{context}: `{field}` must be {what}, not {value}"
        );
    };
    kind_of(
        "question",
        |v| v.is_string() || v.is_null(),
        "a string or null",
    );
    kind_of("database", Value::is_string, "a string");
    kind_of("sql", |v| v.is_string() || v.is_null(), "a string or null");
    kind_of(
        "confidence",
        |v| v.as_f64().is_some_and(|c| (0.0..=1.0).contains(&c)),
        "a number in [0, 1]",
    );
    kind_of("method", Value::is_string, "a string");
    kind_of("analytics_performed", Value::is_boolean, "a boolean");
    kind_of(
        "analytics_type",
        |v| {
            v.is_null()
                || ["forecast", "correlation", "anomaly", "summary", "trend"]
                    .contains(&v.as_str().unwrap_or(""))
        },
        "null or one of forecast, correlation, anomaly, summary, trend",
    );
    kind_of(
        "interpretation",
        |v| v.is_string() || v.is_null(),
        "a string or null",
    );
    kind_of("stages", Value::is_array, "an array");
    kind_of(
        "warnings",
        |v| v.as_array().is_some_and(|w| w.iter().all(Value::is_string)),
        "an array of strings",
    );
    kind_of(
        "error",
        |v| v.is_null() || v.is_object(),
        "null or an object",
    );
    if !answer["data"].is_null() {
        let data = &answer["data"];
        for field in ["columns", "rows", "row_count", "truncated"] {
            assert!(
                data.get(field).is_some(),
                "{context}: data lacks `{field}`: {data}"
            );
        }
        let rows = data["rows"].as_array().map_or(0, Vec::len);
        let count = data["row_count"]
            .as_u64()
            .unwrap_or_else(|| panic!("{context}: row_count is a count"));
        let truncated = data["truncated"]
            .as_bool()
            .unwrap_or_else(|| panic!("{context}: truncated is a boolean"));
        assert!(
            rows as u64 <= count,
            "{context}: more rows shown ({rows}) than counted ({count})"
        );
        assert_eq!(
            truncated,
            (rows as u64) < count,
            "{context}: `truncated` must say whether rows were cut"
        );
    }
    if !answer["visualization"].is_null() {
        let figure = &answer["visualization"];
        assert!(
            figure["data"].is_array(),
            "{context}: visualization.data must be an array: {figure}"
        );
        assert!(
            figure["layout"].is_object(),
            "{context}: visualization.layout must be an object: {figure}"
        );
    }
    for stage in answer["stages"].as_array().into_iter().flatten() {
        assert!(
            stage["name"].is_string(),
            "{context}: a stage needs a name: {stage}"
        );
        assert!(
            ["ok", "skipped", "failed"].contains(&stage["status"].as_str().unwrap_or("")),
            "{context}: a stage's status is ok, skipped or failed: {stage}"
        );
        assert!(
            stage["ms"].as_f64().is_some_and(|ms| ms >= 0.0),
            "{context}: a stage's ms is a duration: {stage}"
        );
    }
    if let Some(error) = answer["error"].as_object() {
        check_error_object(&Value::Object(error.clone()), context);
    }
}

/// `{stage, kind, message}` with a message someone can read.
pub fn check_error_object(error: &Value, context: &str) {
    assert!(
        error.get("stage").is_some(),
        "{context}: error lacks `stage`: {error}"
    );
    assert!(
        error["kind"].is_string(),
        "{context}: error.kind is a string code: {error}"
    );
    let message = error["message"].as_str().unwrap_or("");
    assert!(
        !message.trim().is_empty(),
        "{context}: error.message must tell the user something: {error}"
    );
}

/// A complete answer: no error, every stage ran and was ok, in the contract's order.
pub fn check_complete(answer: &Value, context: &str) {
    check_answer_shape(answer, context);
    assert!(
        answer["error"].is_null(),
        "{context}: expected no error, got {}",
        answer["error"]
    );
    let names: Vec<&str> = answer["stages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert_eq!(
        names, STAGES,
        "{context}: stages must be reported in pipeline order"
    );
    for stage in answer["stages"].as_array().into_iter().flatten() {
        assert_eq!(
            stage["status"], "ok",
            "{context}: every stage of a complete answer is ok: {stage}"
        );
    }
    assert!(
        answer["sql"].as_str().is_some_and(|s| !s.is_empty()),
        "{context}: a complete answer shows its SQL"
    );
    assert!(
        answer["data"].is_object(),
        "{context}: a complete answer carries data"
    );
    assert_eq!(
        answer["analytics_performed"], true,
        "{context}: the analysis ran"
    );
    assert!(
        answer["analysis_result"].is_object(),
        "{context}: the analysis result is an object"
    );
    assert!(
        answer["visualization"].is_object(),
        "{context}: an analysis comes with a figure"
    );
}

/// The fields CONTRACT.md lists for each analysis type (the seed's plus the ones marked +).
pub fn result_fields(analytics_type: &str) -> &'static [&'static str] {
    match analytics_type {
        "forecast" => &[
            "forecast",
            "forecast_dates",
            "model_used",
            "interpretation",
            "lower",
            "upper",
            "horizon",
            "frequency",
            "backtest",
        ],
        "correlation" => &[
            "correlations",
            "top_factors",
            "interpretation",
            "methodology",
            "target",
            "p_values",
        ],
        "anomaly" => &[
            "anomalies",
            "anomaly_values",
            "threshold_used",
            "interpretation",
            "anomaly_labels",
            "method",
        ],
        "summary" => &[
            "summary_stats",
            "outliers",
            "missing_data",
            "key_insights",
            "per_column",
        ],
        "trend" => &[
            "direction",
            "slope_per_period",
            "percent_change",
            "p_value",
            "method",
            "interpretation",
        ],
        other => panic!("unknown analysis type {other}"),
    }
}

/// Checks `analysis_result` has the fields of its type and that parallel lists agree in length.
pub fn check_result_fields(answer: &Value, context: &str) {
    let kind = answer["analytics_type"]
        .as_str()
        .unwrap_or_else(|| panic!("{context}: analytics_type is set"));
    let result = &answer["analysis_result"];
    for field in result_fields(kind) {
        assert!(
            result.get(*field).is_some(),
            "{context}: {kind} result lacks `{field}`: {result}"
        );
    }
    let len = |field: &str| result[field].as_array().map(Vec::len);
    match kind {
        "forecast" => {
            let n = len("forecast");
            for field in ["forecast_dates", "lower", "upper"] {
                assert_eq!(
                    len(field),
                    n,
                    "{context}: `{field}` has one entry per forecast value"
                );
            }
            assert!(
                result["backtest"]["metric"].is_string(),
                "{context}: backtest names its metric"
            );
            assert!(
                result["backtest"]["value"].is_number(),
                "{context}: backtest has a value"
            );
            assert!(
                ["day", "week", "month", "quarter", "year"]
                    .contains(&result["frequency"].as_str().unwrap_or("")),
                "{context}: frequency is day, week, month, quarter or year: {}",
                result["frequency"]
            );
        }
        "anomaly" => {
            let n = len("anomalies");
            for field in ["anomaly_values", "anomaly_labels"] {
                assert_eq!(
                    len(field),
                    n,
                    "{context}: `{field}` has one entry per anomaly"
                );
            }
        }
        "summary" => {
            for stat in ["count", "mean", "std", "min", "25%", "50%", "75%", "max"] {
                assert!(
                    result["summary_stats"].get(stat).is_some(),
                    "{context}: summary_stats lacks `{stat}`"
                );
            }
        }
        "trend" => {
            assert!(
                ["up", "down", "flat"].contains(&result["direction"].as_str().unwrap_or("")),
                "{context}: direction is up, down or flat: {}",
                result["direction"]
            );
        }
        _ => {}
    }
}

/// The bytes of a file, or an empty vector when it does not exist.
pub fn read_or_empty(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_default()
}

/// True when the Docker sandbox can run here (engine up, `sightline-sandbox:py311` present); with
/// `SIGHTLINE_REQUIRE_DOCKER=1` (CI) a missing image fails the test instead of skipping it.
pub fn docker_image_present() -> bool {
    let present = Command::new("docker")
        .args(["image", "inspect", "sightline-sandbox:py311"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !present && std::env::var("SIGHTLINE_REQUIRE_DOCKER").is_ok_and(|v| v == "1") {
        panic!("SIGHTLINE_REQUIRE_DOCKER=1 but the sandbox image is missing");
    }
    if !present {
        eprintln!("skipping the Docker part: no engine or no sightline-sandbox:py311");
    }
    present
}
