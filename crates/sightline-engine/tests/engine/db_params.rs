//! Bound values in the read-only layer: `validate_with` takes exactly one value per placeholder,
//! `execute` binds them with their types, a value is never read as SQL, and the display form is
//! the one place values are written as literals.

use serde_json::{Value, json};
use sightline_engine::CancelToken;
use sightline_engine::db::{Database, DbError, QueryLimits, SqlParam, SqlParams, display_form};
use sightline_engine::error::{ErrorKind, HasKind};

use crate::db_support::{SALES, assert_unchanged, fixture, snapshot};

fn params(values: &[SqlParam]) -> SqlParams {
    SqlParams::from(values.to_vec())
}

#[test]
fn validate_with_refuses_a_placeholder_count_mismatch() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture(dir.path(), "sales.db", SALES);
    let conn = Database::open(&path.display().to_string())
        .unwrap()
        .connect()
        .unwrap();
    let one = || params(&[SqlParam::from("item 1")]);
    let cases: Vec<(&str, SqlParams, usize, usize)> = vec![
        ("SELECT * FROM t WHERE name = ?", SqlParams::new(), 1, 0),
        ("SELECT * FROM t WHERE name = ?1", SqlParams::new(), 1, 0),
        ("SELECT * FROM t WHERE name = :name", SqlParams::new(), 1, 0),
        ("SELECT * FROM t WHERE name = ?1 AND qty = ?2", one(), 2, 1),
        // `?3` alone makes three slots: SQLite counts by the largest index.
        ("SELECT * FROM t WHERE name = ?3", one(), 3, 1),
        ("SELECT * FROM t", one(), 0, 1),
        (
            "SELECT * FROM t WHERE name = ?1",
            params(&[SqlParam::from("a"), SqlParam::from("b")]),
            1,
            2,
        ),
    ];
    for (sql, values, placeholders, given) in cases {
        match conn.validate_with(sql, values) {
            Err(e @ DbError::ParameterCount { .. }) => {
                assert_eq!(e.kind(), ErrorKind::SqlRejected, "{sql:?}: kind");
                let message = e.to_string();
                assert!(
                    message.contains(&format!("{placeholders} parameter placeholder"))
                        && message.contains(&format!("{given} value")),
                    "{sql:?}: the message gives both counts: {message}"
                );
            }
            other => panic!("{sql:?} with {given} values must be refused, got {other:?}"),
        }
    }
    // Plain `validate` is `validate_with` no values: a person's SQL with a `?` is refused, not
    // run with NULL in its place.
    assert!(
        matches!(
            conn.validate("SELECT count(*) FROM t WHERE name = ?"),
            Err(DbError::ParameterCount {
                placeholders: 1,
                values: 0
            })
        ),
        "a placeholder without a value is refused"
    );
    // A `?` inside a string or a quoted name is not a placeholder.
    assert!(
        conn.validate("SELECT '?1' AS \"why?\" FROM t LIMIT 1")
            .is_ok(),
        "quoted question marks are text"
    );
}

#[test]
fn bound_values_keep_their_type_and_are_never_read_as_sql() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture(dir.path(), "sales.db", SALES);
    let before = snapshot(dir.path());
    let conn = Database::open(&path.display().to_string())
        .unwrap()
        .connect()
        .unwrap();
    let hostile = "x'); DROP TABLE t; --";
    let validated = conn
        .validate_with(
            "SELECT ?1 AS text, typeof(?1) AS t1, ?2 AS int, typeof(?2) AS t2, ?3 AS real, typeof(?3) AS t3, \
             (SELECT count(*) FROM t WHERE name = ?4) AS matches",
            params(&[
                SqlParam::from(hostile),
                SqlParam::from(42_i64),
                SqlParam::from(2.5),
                SqlParam::from("item 7"),
            ]),
        )
        .unwrap();
    assert_eq!(validated.params().len(), 4);
    let rows = conn
        .execute(&validated, &QueryLimits::default(), &CancelToken::new())
        .unwrap()
        .rows_json(10);
    assert_eq!(
        rows,
        vec![vec![
            json!(hostile),
            json!("text"),
            json!(42),
            json!("integer"),
            json!(2.5),
            json!("real"),
            json!(1),
        ]],
        "each value comes back as it went in, with its type"
    );
    let count = conn.validate("SELECT count(*) FROM t").unwrap();
    let rows = conn
        .execute(&count, &QueryLimits::default(), &CancelToken::new())
        .unwrap()
        .rows_json(1);
    assert_eq!(
        rows,
        vec![vec![Value::from(2000)]],
        "the table is still there"
    );
    drop(conn);
    assert_unchanged(&before, dir.path(), "after binding a hostile value");
}

#[test]
fn the_display_form_writes_each_value_as_a_literal_of_its_type() {
    let values = params(&[
        SqlParam::from("O'Brien; --"),
        SqlParam::from(-7_i64),
        SqlParam::from(2.0),
        SqlParam::from("a\0b"),
    ]);
    assert_eq!(
        display_form(
            "SELECT ?1, x -?2, ?3, ?4, '?1' AS \"?2\" -- ?3\nFROM t WHERE a IN (?1,?1) LIMIT?2",
            &values
        ),
        "SELECT 'O''Brien; --', x -(-7), 2.0, CAST(X'610062' AS TEXT), '?1' AS \"?2\" -- ?3\nFROM t WHERE a IN ('O''Brien; --','O''Brien; --') LIMIT (-7)"
    );

    // Every value, displayed, is read back by SQLite as the same value of the same type.
    let dir = tempfile::tempdir().unwrap();
    let path = fixture(dir.path(), "sales.db", SALES);
    let conn = Database::open(&path.display().to_string())
        .unwrap()
        .connect()
        .unwrap();
    let tricky = [
        SqlParam::from("it's ''quoted''"),
        SqlParam::from("Zürich ✓ 東京"),
        SqlParam::from("line\nbreak and /* not a comment */"),
        SqlParam::from("nul \0 inside"),
        SqlParam::from(""),
        SqlParam::from(0_i64),
        SqlParam::from(i64::MAX),
        SqlParam::from(i64::MIN),
        SqlParam::from(-1_i64),
        SqlParam::from(0.1),
        SqlParam::from(-0.5),
        SqlParam::from(1e300),
        SqlParam::from(1.5e-300),
        SqlParam::from(3.0),
        SqlParam::from(123_456.789),
        SqlParam::from(f64::INFINITY),
        SqlParam::from(f64::NEG_INFINITY),
        SqlParam::from(f64::NAN),
    ];
    for value in tricky {
        let sql = "SELECT ?1 AS v, typeof(?1) AS t";
        let bound = conn
            .validate_with(sql, params(std::slice::from_ref(&value)))
            .unwrap();
        let shown = display_form(sql, &params(std::slice::from_ref(&value)));
        let plain = conn
            .validate(&shown)
            .unwrap_or_else(|e| panic!("the display form {shown:?} does not validate: {e}"));
        let run = |sql| {
            conn.execute(sql, &QueryLimits::default(), &CancelToken::new())
                .unwrap()
                .rows_json(1)
        };
        assert_eq!(
            run(&plain),
            run(&bound),
            "{value:?} displayed as {shown:?} reads back differently"
        );
        assert_eq!(
            bound.display(),
            shown,
            "ValidatedSql::display is display_form"
        );
    }
}
