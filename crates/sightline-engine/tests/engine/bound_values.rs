//! S7: data values reach SQLite only as bound parameters. A category value full of SQL (quotes,
//! a `'); DROP TABLE ...; --`, `%`, `?`, non-ASCII letters) is found in the data, bound, and
//! answered right, and the SQL text that runs holds none of it; the answer's `sql` (the display
//! form, with values written as literals) runs as it is to the same rows; and the planner has no
//! way left to write a value into SQL text.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDate;
use serde_json::Value;
use sightline_engine::db::{Database, QueryLimits, ReadOnlyConnection, SqlParam, SqlParams};
use sightline_engine::glossary::Glossary;
use sightline_engine::pipeline::intent;
use sightline_engine::pipeline::plan::{self, DataProbe, catalog::Catalog};
use sightline_engine::{Answer, AskRequest, CancelToken, Engine, RecordingSink};

use crate::db_support::fixture;

/// Branch names that are SQL, or break SQL pasted around them, each with the question that
/// names it.
const HOSTILE: &[(&str, &str)] = &[
    (
        "'); DROP TABLE payments; --",
        "total amount for '); DROP TABLE payments; --",
    ),
    ("Rock 'n' Roll", "total amount for Rock 'n' Roll"),
    ("Wild%Card", "total amount for wild%card"),
    ("Quiz?Shop", "total amount for quiz?shop"),
    ("Zürich Straße", "total amount for Zürich Straße"),
];

/// A small shop database whose `branch` column holds the hostile values beside ordinary ones.
fn hostile_db(dir: &Path) -> PathBuf {
    let mut sql = String::from(
        "CREATE TABLE sales (id INTEGER PRIMARY KEY, branch TEXT NOT NULL, sold_on TEXT NOT NULL, amount REAL NOT NULL);",
    );
    let mut branches: Vec<&str> = HOSTILE.iter().map(|(value, _)| *value).collect();
    branches.extend(["North", "South"]);
    for (i, branch) in branches.iter().enumerate() {
        for day in 1..=6 {
            let amount = (i + 1) as f64 * 10.0 + day as f64;
            // The fixture is written by a plain writable connection; quoting by hand is fine here.
            sql.push_str(&format!(
                "INSERT INTO sales (branch, sold_on, amount) VALUES ('{}', '2025-03-{day:02}', {amount});",
                branch.replace('\'', "''")
            ));
        }
    }
    fixture(dir, "hostile.db", &sql)
}

/// Answers the planner's questions about the data through validated, bound SQL.
struct Probe<'a> {
    conn: &'a ReadOnlyConnection,
}

impl Probe<'_> {
    fn rows(&self, sql: &str) -> Vec<Vec<Value>> {
        let validated = self.conn.validate(sql).unwrap();
        self.conn
            .execute(&validated, &QueryLimits::default(), &CancelToken::new())
            .unwrap()
            .rows_json(usize::MAX)
    }
}

impl DataProbe for Probe<'_> {
    fn latest_date(&self, table: &str, date_sql: &str) -> Option<NaiveDate> {
        let rows = self.rows(&format!("SELECT max({date_sql}) FROM \"{table}\""));
        rows.first()?.first()?.as_str()?.get(..10)?.parse().ok()
    }

    fn values(&self, table: &str, column: &str) -> Option<Vec<String>> {
        let rows = self.rows(&format!(
            "SELECT DISTINCT \"{column}\" FROM \"{table}\" WHERE typeof(\"{column}\") = 'text'"
        ));
        Some(
            rows.into_iter()
                .filter_map(|r| r.first()?.as_str().map(str::to_string))
                .collect(),
        )
    }
}

/// The rows of `sql` with `params` bound, through the engine's own validated path.
fn run(conn: &ReadOnlyConnection, sql: &str, params: SqlParams) -> Vec<Vec<Value>> {
    let validated = conn
        .validate_with(sql, params)
        .unwrap_or_else(|e| panic!("{sql:?} did not validate: {e}"));
    conn.execute(&validated, &QueryLimits::default(), &CancelToken::new())
        .unwrap_or_else(|e| panic!("{sql:?} did not run: {e}"))
        .rows_json(usize::MAX)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn ask(db: &Path, question: &str) -> Answer {
    let request = AskRequest {
        question: question.to_string(),
        database: db.display().to_string(),
        glossary: None,
        model: None,
        schema_only: true,
        follow_up: None,
        chart_author: sightline_engine::settings::Author::Native,
        analyst: None,
        max_rows: 1_000_000,
    };
    runtime()
        .block_on(Engine::default().ask(
            request,
            Arc::new(RecordingSink::default()),
            CancelToken::new(),
        ))
        .unwrap_or_else(|e| panic!("{question:?} could not start: {e}"))
}

/// Runs the answer's display-form `sql` as a person would (plain `validate`, no parameters) and
/// checks it gives the rows the bound statement gave.
fn assert_display_form_runs_the_same(db: &Database, answer: &Answer) {
    let question = answer.question.clone().unwrap_or_default();
    let shown = answer
        .sql
        .as_deref()
        .unwrap_or_else(|| panic!("{question:?} has no sql"));
    let conn = db.connect().unwrap();
    let rows = run(&conn, shown, SqlParams::new());
    let data = answer
        .data
        .as_ref()
        .unwrap_or_else(|| panic!("{question:?} has no data: {:?}", answer.error));
    assert!(!data.truncated, "{question:?}: all rows are compared");
    assert_eq!(
        rows, data.rows,
        "{question:?}: the displayed SQL {shown:?} gives other rows than the bound statement with {:?}",
        answer.sql_params
    );
}

#[test]
fn hostile_category_values_reach_sqlite_bound() {
    let dir = tempfile::tempdir().unwrap();
    let path = hostile_db(dir.path());
    let db = Database::open(&path.display().to_string()).unwrap();
    let conn = db.connect().unwrap();
    let schema = db.schema().unwrap();
    let glossary = Glossary::default();
    let catalog = Catalog::new(&schema, &glossary);
    let probe = Probe { conn: &conn };

    for (value, question) in HOSTILE {
        let want = run(
            &conn,
            "SELECT SUM(amount) FROM sales WHERE branch = ?1",
            SqlParams::from(vec![SqlParam::from(*value)]),
        );

        // The plan: the value is a parameter, and nowhere in the text that runs.
        let planned = plan::plan(&intent::detect(question), &catalog, &glossary, &probe)
            .unwrap_or_else(|e| panic!("{question:?} was not planned: {e}"));
        assert_eq!(
            planned.params.as_slice(),
            &[SqlParam::from(*value)],
            "{question:?}: the branch is the one bound value (SQL: {})",
            planned.sql
        );
        let escaped = value.replace('\'', "''");
        for piece in [*value, escaped.as_str(), "DROP", "payments", "'"] {
            assert!(
                !planned.sql.contains(piece),
                "{question:?}: the SQL that runs holds {piece:?}: {}",
                planned.sql
            );
        }
        assert!(
            planned.sql.contains("branch = ?1"),
            "{question:?}: the condition names a placeholder: {}",
            planned.sql
        );
        assert_eq!(
            run(&conn, &planned.sql, planned.params.clone()),
            want,
            "{question:?}: the bound statement sums that branch"
        );

        // The whole question: the right number, the value in `sql_params`, a runnable `sql`.
        let answer = ask(&path, question);
        assert!(answer.error.is_none(), "{question:?}: {:?}", answer.error);
        assert_eq!(
            answer.data.as_ref().map(|d| d.rows.clone()),
            Some(want),
            "{question:?}: the answer sums that branch (SQL: {:?})",
            answer.sql
        );
        assert_eq!(
            serde_json::to_value(&answer).unwrap()["sql_params"],
            serde_json::json!([value]),
            "{question:?}: the answer lists the bound value"
        );
        assert_display_form_runs_the_same(&db, &answer);
    }

    let tables = run(
        &conn,
        "SELECT count(*) FROM sqlite_schema WHERE type = 'table'",
        SqlParams::new(),
    );
    assert_eq!(tables, vec![vec![Value::from(1)]], "no table was dropped");
}

#[test]
fn display_form_runs_to_the_same_rows_as_the_bound_statement() {
    let sample = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../sample-data/sample.db");
    let db = Database::open(&sample.display().to_string()).unwrap();
    // Questions with a category, a number, a time range, two compared periods, a share with a
    // filtered part, and a growth series whose range is applied after the change is computed.
    for question in [
        "Show monthly revenue for last year and forecast next 3 months",
        "revenue by month in the West region",
        "how many Premium customers churned",
        "how many orders over 100",
        "customers with more than 3 support tickets",
        "monthly revenue by region in 2025",
        "What percentage of orders were refunded?",
        "month over month growth of orders in 2025",
        "revenue growth in 2025 compared to 2024",
        "Find anomalies in daily transaction amounts over the last 90 days",
    ] {
        let answer = ask(&sample, question);
        assert!(answer.error.is_none(), "{question:?}: {:?}", answer.error);
        let json = serde_json::to_value(&answer).unwrap();
        assert!(
            json["sql_params"]
                .as_array()
                .is_some_and(|values| !values.is_empty()),
            "{question:?} binds at least one value: {:?}",
            answer.sql
        );
        assert_display_form_runs_the_same(&db, &answer);
    }
    // SQL a person wrote has no bound values: `sql_params` is left out of the JSON.
    let plain = ask(&sample, "Total revenue by region");
    let json = serde_json::to_value(&plain).unwrap();
    assert!(
        json.get("sql_params").is_none(),
        "no values, no field: {json}"
    );
}

/// The planner source, file by file.
fn planner_sources(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            planner_sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            out.push((path, text));
        }
    }
}

#[test]
fn the_planner_has_no_way_to_write_a_value_into_sql() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/pipeline");
    let mut files = Vec::new();
    planner_sources(&root, &mut files);
    assert!(
        files.len() > 5,
        "the planner's files were found under {root:?}"
    );
    // A string-literal maker (`literal(..)`, `sql::literal`; `date_literal` parses question
    // words and is another thing), or the quote doubling that makes one, is how a value gets
    // pasted into SQL text.
    let calls_literal = |text: &str| {
        text.match_indices("literal(").any(|(at, _)| {
            !text[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
        })
    };
    for (path, text) in &files {
        assert!(
            !calls_literal(text) && !text.contains("sql::literal"),
            "{} makes a SQL string literal: bind the value with SqlParams::bind instead",
            path.display()
        );
        assert!(
            !text.contains(r#"replace('\'', "''")"#),
            "{} doubles quotes to paste a value into SQL: bind it with SqlParams::bind instead",
            path.display()
        );
    }
}
