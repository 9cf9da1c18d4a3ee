//! Every error path: the exit code (2 bad input, 1 internal), the error kind, and that with
//! `--json` stdout is still exactly one JSON object of the right shape.

use std::fs;

use serde_json::Value;

use crate::util::{
    Run, check_answer_shape, check_error_object, sample_db, sightline, sightline_env,
};

/// What a failing command must report.
struct Expect {
    code: i32,
    /// `None` when any kind will do.
    kind: Option<&'static str>,
}

/// Runs `args` (which include `--json`) and checks an answer-shaped error object.
fn check(args: &[&str], expect: Expect) -> Value {
    let run = sightline(args);
    check_answer_error(&run, &expect)
}

fn check_answer_error(run: &Run, expect: &Expect) -> Value {
    let context = format!("{:?}", run.args);
    let answer = run.json();
    run.expect_code(expect.code);
    check_answer_shape(&answer, &context);
    let error = &answer["error"];
    assert!(
        error.is_object(),
        "{context}: a failure carries `error`: {answer}"
    );
    if let Some(kind) = expect.kind {
        assert_eq!(error["kind"], kind, "{context}: wrong error kind: {error}");
    }
    answer
}

fn bad_input() -> Expect {
    Expect {
        code: 2,
        kind: Some("bad_input"),
    }
}

#[test]
fn missing_database_file() {
    let missing = crate::util::root()
        .join("sample-data")
        .join("no-such.db")
        .display()
        .to_string();
    let answer = check(
        &[
            "ask",
            "--db",
            &missing,
            "--json",
            "What correlates with churn?",
        ],
        bad_input(),
    );
    assert_eq!(
        answer["question"], "What correlates with churn?",
        "the failed answer still names the question"
    );
    assert!(
        answer["stages"].is_array(),
        "stages is an array even when nothing ran"
    );
    let message = answer["error"]["message"].as_str().unwrap_or("");
    assert!(
        message.contains("no-such.db"),
        "the message names the file it could not find: {message}"
    );
    assert!(
        !crate::util::root()
            .join("sample-data")
            .join("no-such.db")
            .exists(),
        "opening a missing database must not create it"
    );
}

#[test]
fn text_file_as_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.db");
    fs::write(&path, "this is not a database\n".repeat(100)).unwrap();
    check(
        &[
            "ask",
            "--db",
            &path.display().to_string(),
            "--json",
            "What correlates with churn?",
        ],
        bad_input(),
    );
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        "this is not a database\n".repeat(100),
        "the file must be left as it was"
    );
}

#[test]
fn empty_file_as_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.db");
    fs::write(&path, "").unwrap();
    check(
        &[
            "ask",
            "--db",
            &path.display().to_string(),
            "--json",
            "What correlates with churn?",
        ],
        bad_input(),
    );
}

#[test]
fn directory_as_database() {
    let dir = tempfile::tempdir().unwrap();
    check(
        &[
            "ask",
            "--db",
            &dir.path().display().to_string(),
            "--json",
            "What correlates with churn?",
        ],
        bad_input(),
    );
}

#[test]
fn question_not_understood() {
    let answer = check(
        &["ask", "--db", &sample_db(), "--json", "asdf qwerty"],
        Expect {
            code: 2,
            kind: Some("not_understood"),
        },
    );
    assert_eq!(answer["analytics_performed"], false, "nothing was analysed");
}

#[test]
fn analyze_refuses_writing_sql() {
    for sql in [
        "DROP TABLE orders",
        "DELETE FROM orders",
        "SELECT 1; DROP TABLE orders",
        "ATTACH 'x.db' AS x",
    ] {
        check(
            &[
                "analyze",
                "summary",
                "--db",
                &sample_db(),
                "--sql",
                sql,
                "--json",
            ],
            Expect {
                code: 2,
                kind: Some("sql_rejected"),
            },
        );
    }
}

#[test]
fn analyze_unknown_target_column() {
    let answer = check(
        &[
            "analyze",
            "summary",
            "--db",
            &sample_db(),
            "--sql",
            "SELECT region, monthly_spend FROM customers",
            "--target",
            "nope",
            "--json",
        ],
        bad_input(),
    );
    let message = answer["error"]["message"].as_str().unwrap_or("");
    assert!(
        message.contains("nope"),
        "the message names the unknown column: {message}"
    );
}

#[test]
fn analyze_unknown_type() {
    let answer = check(
        &[
            "analyze",
            "astrology",
            "--db",
            &sample_db(),
            "--sql",
            "SELECT 1 AS x",
            "--json",
        ],
        bad_input(),
    );
    assert!(
        answer["question"].is_null(),
        "analyze answers have a null question"
    );
}

#[test]
fn llm_env_without_settings_fails() {
    let run = sightline(&[
        "ask",
        "--db",
        &sample_db(),
        "--llm",
        "env",
        "--json",
        "What correlates with churn?",
    ]);
    let answer = run.json();
    assert_ne!(
        run.code, 0,
        "--llm env with no SIGHTLINE_LLM_* settings cannot answer"
    );
    check_answer_shape(&answer, "--llm env");
    assert!(
        answer["error"].is_object(),
        "--llm env failure is reported in `error`: {answer}"
    );
}

#[test]
fn llm_env_with_unreachable_endpoint_falls_back_to_the_offline_planner() {
    // Port 9 on loopback: nothing listens, the connection is refused at once.
    let run = sightline_env(
        &[
            "ask",
            "--db",
            &sample_db(),
            "--llm",
            "env",
            "--json",
            "What correlates with churn?",
        ],
        &[
            ("SIGHTLINE_LLM_BASE_URL", "http://127.0.0.1:9/v1"),
            ("SIGHTLINE_LLM_MODEL", "test-model"),
            ("SIGHTLINE_LLM_API_KEY", "sk-test-secret-value"),
        ],
    );
    let answer = run.json();
    run.expect_code(0);
    check_answer_shape(&answer, "--llm env unreachable");
    assert_eq!(answer["method"], "offline");
    let warnings = answer["warnings"].to_string();
    assert!(
        warnings.contains("cannot be reached") && warnings.contains("offline planner"),
        "the fallback says why: {warnings}"
    );
    assert!(
        !run.stdout.contains("sk-test-secret-value")
            && !run.stderr.contains("sk-test-secret-value"),
        "the API key never appears in output"
    );
}

#[test]
fn usage_errors_with_json_print_one_json_error() {
    for args in [
        vec!["ask", "--json"],
        vec!["ask", "--json", "--db", "x.db"],
        vec!["ask", "--json", "--db", "x.db", "--max-rows", "many", "q"],
        vec!["ask", "--json", "--no-such-flag", "--db", "x.db", "q"],
        vec!["analyze", "--json", "--db", "x.db"],
        vec!["schema", "--json"],
        vec!["bogus-command", "--json"],
    ] {
        let run = sightline(&args);
        let value = run.json();
        run.expect_code(2);
        let error = &value["error"];
        check_error_object(error, &format!("{args:?}"));
        assert_eq!(
            error["kind"], "bad_input",
            "{args:?}: usage errors are bad_input: {value}"
        );
    }
}

#[test]
fn usage_errors_without_json_go_to_stderr() {
    let run = sightline(&["ask", "--db", "x.db"]);
    run.expect_code(2);
    assert!(
        run.stdout.is_empty(),
        "usage errors print nothing on stdout: {}",
        run.stdout
    );
    assert!(
        run.stderr.contains("QUESTION"),
        "clap explains what is missing: {}",
        run.stderr
    );
}

#[test]
fn human_errors_go_to_stderr() {
    let run = sightline(&[
        "ask",
        "--db",
        "sample-data/no-such.db",
        "What correlates with churn?",
    ]);
    run.expect_code(2);
    assert!(
        run.stdout.trim().is_empty(),
        "nothing on stdout when nothing was answered: {}",
        run.stdout
    );
    assert!(
        run.stderr.contains("no-such.db"),
        "stderr says which file is missing: {}",
        run.stderr
    );
}

#[test]
fn schema_errors_are_bare_json_errors() {
    let dir = tempfile::tempdir().unwrap();
    for db in [
        "sample-data/no-such.db".to_string(),
        dir.path().display().to_string(),
    ] {
        let run = sightline(&["schema", "--db", &db, "--json"]);
        let value = run.json();
        run.expect_code(2);
        check_error_object(&value["error"], &format!("schema --db {db}"));
        assert_eq!(
            value["error"]["kind"], "bad_input",
            "schema of {db}: {value}"
        );
    }
}

#[test]
fn help_and_version_succeed() {
    for args in [
        vec!["--help"],
        vec!["--version"],
        vec!["ask", "--help"],
        vec!["serve", "--help"],
    ] {
        let run = sightline(&args);
        run.expect_code(0);
        assert!(!run.stdout.is_empty(), "{args:?} prints something");
    }
}
