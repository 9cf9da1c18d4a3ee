//! The engine's hash aggregate (`execute_grouped`) against SQLite's own GROUP BY: on the
//! planner's per-period, per-category and ranked (top/bottom N) questions over the sample database, and on hand-made rows that test each
//! rule of SQLite's aggregates (NULL keys and values, integer sums past 2^53, text values, an
//! integer overflow, integers and reals mixed), where it must either give SQLite's result or
//! decline so the grouped statement runs.

use std::path::PathBuf;

use chrono::NaiveDate;
use serde_json::Value;
use sightline_engine::CancelToken;
use sightline_engine::db::{
    Aggregate, ColumnValues, Database, GroupOrder, GroupedScan, QueryLimits, QueryResult,
    ReadOnlyConnection,
};
use sightline_engine::glossary::Glossary;
use sightline_engine::pipeline::intent;
use sightline_engine::pipeline::plan::{self, DataProbe, catalog::Catalog};

use crate::db_support::fixture;

fn sample_db() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../sample-data/sample.db")
}

fn sample_glossary() -> Glossary {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../sample-data/glossary.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn grouped(conn: &ReadOnlyConnection, sql: &str, aggregate: Aggregate) -> Option<QueryResult> {
    ranked(conn, sql, aggregate, GroupOrder::Keys)
}

fn ranked(
    conn: &ReadOnlyConnection,
    sql: &str,
    aggregate: Aggregate,
    order: GroupOrder,
) -> Option<QueryResult> {
    let scan = GroupedScan {
        rows: conn.validate(sql).unwrap(),
        aggregate,
        order,
    };
    conn.execute_grouped(&scan, &QueryLimits::default(), &CancelToken::new())
        .unwrap_or_else(|e| panic!("{sql:?} failed: {e}"))
}

fn statement(conn: &ReadOnlyConnection, sql: &str) -> QueryResult {
    conn.execute(
        &conn.validate(sql).unwrap(),
        &QueryLimits::default(),
        &CancelToken::new(),
    )
    .unwrap_or_else(|e| panic!("{sql:?} failed: {e}"))
}

/// Same columns (names, inferred types, declared types), same keys, same values: integers
/// exactly, reals within 1e-12 relative (the summation order differs from SQLite's).
fn assert_same(ours: &QueryResult, sqlite: &QueryResult, what: &str) {
    assert_eq!(ours.row_count, sqlite.row_count, "{what}: row count");
    assert_eq!(ours.column_names(), sqlite.column_names(), "{what}: names");
    for (a, b) in ours.columns.iter().zip(&sqlite.columns) {
        assert_eq!(a.decl_type, b.decl_type, "{what}: {} declared type", a.name);
        let kind = |v: &ColumnValues| match v {
            ColumnValues::Int(_) => "int",
            ColumnValues::Real(_) => "real",
            ColumnValues::Text(_) => "text",
        };
        assert_eq!(kind(&a.values), kind(&b.values), "{what}: {} type", a.name);
        for row in 0..sqlite.row_count {
            match (a.values.json_at(row), b.values.json_at(row)) {
                (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => {
                    let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
                    assert!(
                        (x - y).abs() <= 1e-12 * y.abs().max(1.0),
                        "{what}: {} row {row}: {x} against SQLite's {y}",
                        a.name
                    );
                }
                (x, y) => assert_eq!(x, y, "{what}: {} row {row}", a.name),
            }
        }
    }
}

struct Probe<'a> {
    conn: &'a ReadOnlyConnection,
}

impl DataProbe for Probe<'_> {
    fn latest_date(&self, table: &str, date_sql: &str) -> Option<NaiveDate> {
        let result = statement(
            self.conn,
            &format!("SELECT max({date_sql}) FROM \"{table}\""),
        );
        result
            .columns
            .first()?
            .values
            .text_at(0)
            .get(..10)?
            .parse()
            .ok()
    }

    fn values(&self, table: &str, column: &str) -> Option<Vec<String>> {
        let result = statement(
            self.conn,
            &format!(
                "SELECT DISTINCT \"{column}\" FROM \"{table}\" WHERE typeof(\"{column}\") = 'text'"
            ),
        );
        Some(result.columns.first()?.values.texts())
    }
}

#[test]
fn planned_aggregates_give_the_grouped_statements_result() {
    let db = Database::open(&sample_db().display().to_string()).unwrap();
    let conn = db.connect().unwrap();
    let schema = db.schema().unwrap();
    let glossary = sample_glossary();
    let catalog = Catalog::new(&schema, &glossary);
    let probe = Probe { conn: &conn };
    let questions = [
        "Find anomalies in daily transaction amounts",
        "daily revenue in 2024",
        "weekly number of orders",
        "monthly revenue for last year",
        "average order value by month",
        "quarterly revenue",
        "yearly signups",
        "largest order amount per month",
        "smallest transaction amount by week",
        "monthly revenue in the West region",
        "monthly average satisfaction of customers by signup month",
        "monthly revenue by region",
        "weekly number of orders by status",
        "quarterly average order value by plan",
        "revenue by region",
        "top 3 product categories by units sold",
        "bottom 2 regions by number of customers",
        "lowest average satisfaction by plan",
        "maximum order amount by status",
    ];
    for question in questions {
        let planned = plan::plan(&intent::detect(question), &catalog, &glossary, &probe)
            .unwrap_or_else(|e| panic!("{question:?} was not planned: {e}"));
        let rows = planned.grouped.as_ref().unwrap_or_else(|| {
            panic!(
                "{question:?}: a grouped aggregate comes with its rows: {}",
                planned.sql
            )
        });
        let scan = GroupedScan {
            rows: conn.validate_with(&rows.sql, rows.params.clone()).unwrap(),
            aggregate: rows.aggregate,
            order: rows.order,
        };
        let ours = conn
            .execute_grouped(&scan, &QueryLimits::default(), &CancelToken::new())
            .unwrap()
            .unwrap_or_else(|| panic!("{question:?}: the sample's rows are all aggregable"));
        let validated = conn
            .validate_with(&planned.sql, planned.params.clone())
            .unwrap();
        let sqlite = conn
            .execute(&validated, &QueryLimits::default(), &CancelToken::new())
            .unwrap();
        assert!(
            sqlite.row_count > 1,
            "{question:?}: a series: {}",
            planned.sql
        );
        assert_same(&ours, &sqlite, question);
    }
}

/// Rows for each rule: keys that are dates, invalid dates (`date()` gives NULL) and NULL;
/// values that are NULL, integers (some past 2^53), reals, text; an integer overflow.
const EDGES: &str = "
CREATE TABLE t (id INTEGER PRIMARY KEY, d TEXT, i INTEGER, r REAL, n NUMERIC, s TEXT, big INTEGER, huge INTEGER);
INSERT INTO t (d, i, r, n, s, big, huge) VALUES
 ('2024-01-02 10:00:00', 5, 1.5, 1, 'a', 9007199254740993, 9223372036854775000),
 ('2024-01-01', 3, 0.1, 2.5, 'b', 9007199254740995, 9223372036854775000),
 ('2024-01-02T23:59:59', NULL, 0.2, 3, NULL, -9007199254740997, 1),
 ('not a date', 7, NULL, 4.0, 'c', 12, 2),
 (NULL, -2, 1e300, 5, 'd', 9007199254740999, 3),
 ('2024-01-03', NULL, NULL, NULL, NULL, NULL, NULL),
 ('2024-01-01', 9, 0.3, 1, '12', 1, 4),
 ('2024-13-45', 4, -1e300, 2, 'e', 2, 5);
";

#[test]
fn each_rule_matches_sqlite_or_declines() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture(dir.path(), "edges.db", EDGES);
    let db = Database::open(&path.display().to_string()).unwrap();
    let conn = db.connect().unwrap();
    let aggregates = [
        (Aggregate::Sum, "SUM"),
        (Aggregate::Avg, "AVG"),
        (Aggregate::Count, "COUNT"),
        (Aggregate::Min, "MIN"),
        (Aggregate::Max, "MAX"),
    ];
    // (value expression, whether every aggregate reproduces it; else which decline)
    let matched = ["i", "r", "1", "big", "r * 3", "CASE WHEN i > 4 THEN i END"];
    for value in matched {
        for (aggregate, name) in aggregates {
            let what = format!("{name}({value})");
            let ours = grouped(
                &conn,
                &format!("SELECT date(d) AS day, {value} AS v FROM t"),
                aggregate,
            )
            .unwrap_or_else(|| panic!("{what}: numbers of one kind are reproduced"));
            let sqlite = statement(
                &conn,
                &format!(
                    "SELECT date(d) AS day, {name}({value}) AS v FROM t GROUP BY 1 ORDER BY 1"
                ),
            );
            assert_same(&ours, &sqlite, &what);
        }
    }

    // Integers past 2^53 after a real in the same group: added to the compensated sum in two
    // parts, as SQLite does.
    for (aggregate, name) in [(Aggregate::Sum, "SUM"), (Aggregate::Avg, "AVG")] {
        let value = "CASE WHEN id % 2 = 0 THEN 0.5 ELSE big END";
        let ours = grouped(
            &conn,
            &format!("SELECT 'all' AS k, {value} AS v FROM t ORDER BY id"),
            aggregate,
        )
        .unwrap();
        let sqlite = statement(
            &conn,
            &format!("SELECT 'all' AS k, {name}({value}) AS v FROM t GROUP BY 1 ORDER BY 1"),
        );
        assert_same(&ours, &sqlite, &format!("{name}({value})"));
        // One group, summed in row order on both sides: the same double, to the last bit.
        assert_eq!(
            ours.columns[1].values.json_at(0),
            sqlite.columns[1].values.json_at(0),
            "{name}({value}) exactly"
        );
    }

    // Two keys, the second with NULLs and text: ordered column by column, NULL first.
    for (aggregate, name) in aggregates {
        let ours = grouped(
            &conn,
            "SELECT date(d) AS day, s AS label, i AS v FROM t",
            aggregate,
        )
        .unwrap();
        let sqlite = statement(
            &conn,
            &format!(
                "SELECT date(d) AS day, s AS label, {name}(i) AS v FROM t GROUP BY 1, 2 ORDER BY 1, 2"
            ),
        );
        assert_same(&ours, &sqlite, &format!("{name}(i) by day and label"));
    }

    // Ranked by the aggregate, ties by the key, NULL aggregates smallest, with and without a
    // limit.
    for (aggregate, name) in aggregates {
        for (descending, direction) in [(true, "DESC"), (false, "ASC")] {
            for limit in [None, Some(2)] {
                let what = format!("{name}(i) ORDER BY 2 {direction} LIMIT {limit:?}");
                let ours = ranked(
                    &conn,
                    "SELECT s AS label, i AS v FROM t",
                    aggregate,
                    GroupOrder::Value { descending, limit },
                )
                .unwrap_or_else(|| panic!("{what}: integers only are reproduced"));
                let tail = limit.map(|n| format!(" LIMIT {n}")).unwrap_or_default();
                let sqlite = statement(
                    &conn,
                    &format!(
                        "SELECT s AS label, {name}(i) AS v FROM t GROUP BY 1 ORDER BY 2 {direction}, 1{tail}"
                    ),
                );
                assert_same(&ours, &sqlite, &what);
            }
        }
    }
    // Groups whose sums are integers beside groups whose sums are reals: SQLite's own
    // integer-real order decides, so ranking them is declined.
    assert!(
        ranked(
            &conn,
            "SELECT CASE WHEN id % 2 = 0 THEN 'even' ELSE 'odd' END AS k, CASE WHEN id % 2 = 0 THEN i ELSE r END AS v FROM t",
            Aggregate::Sum,
            GroupOrder::Value { descending: true, limit: None },
        )
        .is_none()
    );

    // A NULL key (no date, or not a date) is its own group, first, as in SQLite.
    let ours = grouped(
        &conn,
        "SELECT date(d) AS day, i AS v FROM t",
        Aggregate::Sum,
    )
    .unwrap();
    assert_eq!(ours.columns[0].values.json_at(0), Value::Null);
    assert_eq!(ours.columns[1].values.json_at(0), serde_json::json!(9));

    // Text values are counted like any value, but SQLite converts them for a sum or an extreme:
    // declined.
    let ours = grouped(
        &conn,
        "SELECT date(d) AS day, s AS v FROM t",
        Aggregate::Count,
    )
    .unwrap();
    let sqlite = statement(
        &conn,
        "SELECT date(d) AS day, COUNT(s) AS v FROM t GROUP BY 1 ORDER BY 1",
    );
    assert_same(&ours, &sqlite, "COUNT(s)");
    for aggregate in [
        Aggregate::Sum,
        Aggregate::Avg,
        Aggregate::Min,
        Aggregate::Max,
    ] {
        assert!(
            grouped(&conn, "SELECT date(d) AS day, s AS v FROM t", aggregate).is_none(),
            "{aggregate:?} of text values is declined"
        );
    }
    // An integer sum that overflows is SQLite's error to give.
    assert!(grouped(&conn, "SELECT 'all' AS k, huge AS v FROM t", Aggregate::Sum).is_none());
    let overflow = conn
        .execute(
            &conn
                .validate("SELECT 'all' AS k, SUM(huge) FROM t GROUP BY 1")
                .unwrap(),
            &QueryLimits::default(),
            &CancelToken::new(),
        )
        .unwrap_err();
    assert!(overflow.to_string().contains("overflow"), "{overflow}");
    // MIN/MAX over integers and reals mixed (NUMERIC keeps 2.5 real, 1 integer): declined, the
    // sum of them matches.
    assert!(grouped(&conn, "SELECT 'all' AS k, n AS v FROM t", Aggregate::Min).is_none());
    let ours = grouped(
        &conn,
        "SELECT date(d) AS day, n AS v FROM t",
        Aggregate::Sum,
    )
    .unwrap();
    let sqlite = statement(
        &conn,
        "SELECT date(d) AS day, SUM(n) AS v FROM t GROUP BY 1 ORDER BY 1",
    );
    assert_same(&ours, &sqlite, "SUM(n)");
    // Keys that are not text (a number, a blob): declined.
    assert!(grouped(&conn, "SELECT id AS k, i AS v FROM t", Aggregate::Sum).is_none());
    assert!(grouped(&conn, "SELECT x'0102' AS k, i AS v FROM t", Aggregate::Sum).is_none());
}

#[test]
fn compensated_sums_match_sqlite_where_a_plain_sum_would_not() {
    // 0.1 added ten thousand times and a huge value cancelled out: a naive f64 sum drifts.
    let mut sql = String::from("CREATE TABLE s (k TEXT, v REAL);");
    sql.push_str("INSERT INTO s VALUES ('a', 1e16), ('b', 1.0);");
    for _ in 0..10_000 {
        sql.push_str("INSERT INTO s VALUES ('a', 0.1), ('b', 1e-3);");
    }
    sql.push_str("INSERT INTO s VALUES ('a', -1e16);");
    let dir = tempfile::tempdir().unwrap();
    let path = fixture(dir.path(), "sums.db", &sql);
    let conn = Database::open(&path.display().to_string())
        .unwrap()
        .connect()
        .unwrap();
    for (aggregate, name) in [(Aggregate::Sum, "SUM"), (Aggregate::Avg, "AVG")] {
        let ours = grouped(&conn, "SELECT k, v FROM s", aggregate).unwrap();
        let sqlite = statement(
            &conn,
            &format!("SELECT k, {name}(v) AS v FROM s GROUP BY 1 ORDER BY 1"),
        );
        assert_same(&ours, &sqlite, name);
    }
    let naive: f64 = std::iter::once(1e16)
        .chain(std::iter::repeat_n(0.1, 10_000))
        .chain(std::iter::once(-1e16))
        .sum();
    let ours = grouped(&conn, "SELECT k, v FROM s", Aggregate::Sum).unwrap();
    let sum = ours.columns[1].values.json_at(0).as_f64().unwrap();
    assert!(
        (sum - 1000.0).abs() < 1e-6 && (naive - 1000.0).abs() > 1.0,
        "compensated {sum}, naive {naive}"
    );
}
