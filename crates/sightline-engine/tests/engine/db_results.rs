//! Reading data: type inference per column, JSON rows, the polars DataFrame, and the schema of a
//! database with awkward identifiers and a foreign key.

#![allow(clippy::panic)] // Tests fail by panicking, with messages that say why.

use polars::prelude::DataType;
use serde_json::json;
use sightline_engine::CancelToken;
use sightline_engine::db::{ColumnValues, Database, QueryLimits, QueryResult};

use crate::db_support::fixture;

const MIXED: &str = "
    CREATE TABLE m (i INTEGER, r REAL, ir NUMERIC, t TEXT, it, b BLOB, n_int INTEGER, n_real REAL, n_text TEXT);
    INSERT INTO m VALUES (1, 1.5, 1, 'a', 1, x'0102', NULL, NULL, NULL);
    INSERT INTO m VALUES (2, 2.0, 2.5, 'b', 'two', x'03', NULL, NULL, NULL);
    INSERT INTO m VALUES (NULL, NULL, NULL, NULL, 3.25, NULL, NULL, NULL, NULL);
";

fn query(db: &Database, sql: &str) -> QueryResult {
    let conn = db.connect().unwrap_or_else(|e| panic!("connect: {e}"));
    let validated = conn
        .validate(sql)
        .unwrap_or_else(|e| panic!("validate {sql:?}: {e}"));
    conn.execute(&validated, &QueryLimits::default(), &CancelToken::new())
        .unwrap_or_else(|e| panic!("execute {sql:?}: {e}"))
}

/// The inferred type of a column and its values, as text for compact comparison.
fn check(result: &QueryResult, column: &str, expect: &str) {
    let c = result
        .column(column)
        .unwrap_or_else(|| panic!("column {column} missing"));
    let got = match &c.values {
        ColumnValues::Int(v) => format!("Int{:?}", v.iter().collect::<Vec<_>>()),
        ColumnValues::Real(v) => format!("Real{:?}", v.iter().collect::<Vec<_>>()),
        ColumnValues::Text(v) => format!("Text{:?}", v.iter().collect::<Vec<_>>()),
    };
    assert_eq!(got, expect, "inferred type and values of column {column}");
}

#[test]
fn columns_are_typed_from_their_values() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let db = Database::open(&fixture(dir.path(), "m.db", MIXED).to_string_lossy())
        .unwrap_or_else(|e| panic!("{e}"));
    let r = query(&db, "SELECT * FROM m");
    assert_eq!(r.row_count, 3, "row count");
    check(&r, "i", "Int[Some(1), Some(2), None]");
    check(&r, "r", "Real[Some(1.5), Some(2.0), None]");
    check(&r, "ir", "Real[Some(1.0), Some(2.5), None]");
    check(&r, "t", "Text[Some(\"a\"), Some(\"b\"), None]");
    check(&r, "it", "Text[Some(\"1\"), Some(\"two\"), Some(\"3.25\")]");
    check(
        &r,
        "b",
        "Text[Some(\"<blob 2 bytes>\"), Some(\"<blob 1 bytes>\"), None]",
    );
    check(&r, "n_int", "Int[None, None, None]");
    check(&r, "n_real", "Real[None, None, None]");
    check(&r, "n_text", "Text[None, None, None]");
    assert_eq!(
        r.column("i").and_then(|c| c.decl_type.clone()).as_deref(),
        Some("INTEGER"),
        "declared type kept"
    );
    assert_eq!(
        r.column_names(),
        ["i", "r", "ir", "t", "it", "b", "n_int", "n_real", "n_text"]
            .map(String::from)
            .to_vec(),
        "column names in order"
    );

    assert_eq!(
        r.rows_json(2),
        vec![
            vec![
                json!(1),
                json!(1.5),
                json!(1.0),
                json!("a"),
                json!("1"),
                json!("<blob 2 bytes>"),
                json!(null),
                json!(null),
                json!(null)
            ],
            vec![
                json!(2),
                json!(2.0),
                json!(2.5),
                json!("b"),
                json!("two"),
                json!("<blob 1 bytes>"),
                json!(null),
                json!(null),
                json!(null)
            ],
        ],
        "rows_json keeps numbers as numbers and NULL as null"
    );
    let inf = query(&db, "SELECT 1e999 AS inf, -1e999 AS ninf");
    assert_eq!(
        inf.rows_json(10),
        vec![vec![json!(null), json!(null)]],
        "non-finite floats become null in JSON"
    );

    let df = r
        .to_dataframe()
        .unwrap_or_else(|e| panic!("to_dataframe: {e}"));
    assert_eq!(df.height(), 3, "DataFrame height");
    let dtypes: Vec<DataType> = df.dtypes();
    assert_eq!(
        dtypes,
        vec![
            DataType::Int64,
            DataType::Float64,
            DataType::Float64,
            DataType::String,
            DataType::String,
            DataType::String,
            DataType::Int64,
            DataType::Float64,
            DataType::String
        ],
        "DataFrame dtypes follow the inferred column types"
    );
}

#[test]
fn repeated_names_and_empty_results_make_valid_frames() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let db = Database::open(&fixture(dir.path(), "m.db", MIXED).to_string_lossy())
        .unwrap_or_else(|e| panic!("{e}"));
    let r = query(&db, "SELECT 1 AS a, 2.5 AS a, 'x' AS a_2");
    let df = r
        .to_dataframe()
        .unwrap_or_else(|e| panic!("repeated names: {e}"));
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    assert_eq!(
        names,
        ["a", "a_3", "a_2"].map(String::from).to_vec(),
        "names are made unique without clashes"
    );

    let empty = query(&db, "SELECT i, t FROM m WHERE 0");
    assert_eq!(empty.row_count, 0, "no rows");
    check(&empty, "i", "Int[]");
    let df = empty
        .to_dataframe()
        .unwrap_or_else(|e| panic!("empty frame: {e}"));
    assert_eq!(
        (df.height(), df.width()),
        (0, 2),
        "an empty result keeps its columns"
    );
}

#[test]
fn a_million_rows_load_into_typed_columns() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let db = Database::open(&fixture(dir.path(), "m.db", MIXED).to_string_lossy())
        .unwrap_or_else(|e| panic!("{e}"));
    let r = query(
        &db,
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000) \
         SELECT i, i * 0.5 AS half, i % 3 AS k FROM n",
    );
    assert_eq!(r.row_count, 200_000, "every row loaded");
    assert!(
        matches!(r.column("half").map(|c| &c.values), Some(ColumnValues::Real(v)) if v.len() == 200_000)
    );
    let df = r.to_dataframe().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(df.height(), 200_000, "frame height");
}

#[test]
fn schema_handles_odd_identifiers_and_foreign_keys() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let path = fixture(
        dir.path(),
        "odd.db",
        r#"
        CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
        CREATE TABLE "order details" (
            "order id" INTEGER PRIMARY KEY,
            customer_id INTEGER REFERENCES customers(id),
            "he said ""hi""" TEXT,
            "o'brien" REAL
        );
        CREATE TABLE "select" ("from" TEXT, "where" INTEGER, owner INTEGER REFERENCES customers);
        CREATE VIEW big_orders AS SELECT * FROM "order details" WHERE "o'brien" > 1;
        INSERT INTO customers VALUES (1, 'Ann'), (2, 'Bob'), (3, 'Cy'), (4, 'Di'), (5, 'Ed'), (6, 'Flo');
        INSERT INTO "order details" VALUES (10, 1, 'x', 0.5), (11, 2, 'y', 2.5), (12, 2, NULL, 3.5);
        INSERT INTO "select" VALUES ('a', 1, 1), ('a', 2, 2);
        "#,
    );
    let db = Database::open(&path.to_string_lossy()).unwrap_or_else(|e| panic!("{e}"));
    let schema = db.schema().unwrap_or_else(|e| panic!("schema: {e}"));
    assert_eq!(
        schema.database,
        db.url(),
        "the schema names its database by URL"
    );
    let names: Vec<&str> = schema.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        ["big_orders", "customers", "order details", "select"],
        "tables and views, sorted"
    );

    let orders = schema
        .table("order details")
        .unwrap_or_else(|| panic!("table with a space"));
    assert_eq!(
        (orders.kind.as_str(), orders.row_count),
        ("table", 3),
        "kind and row count"
    );
    let quoted = orders
        .column("he said \"hi\"")
        .unwrap_or_else(|| panic!("column with quotes"));
    assert_eq!(
        quoted.sample_values,
        vec![json!("x"), json!("y")],
        "samples skip NULL"
    );
    let pk = orders
        .column("order id")
        .unwrap_or_else(|| panic!("pk column"));
    assert!(
        pk.primary_key && pk.decl_type == "INTEGER",
        "primary key detected: {pk:?}"
    );
    assert_eq!(orders.foreign_keys.len(), 1, "one foreign key");
    assert_eq!(
        (
            orders.foreign_keys[0].column.as_str(),
            orders.foreign_keys[0].references_table.as_str(),
            orders.foreign_keys[0].references_column.as_str()
        ),
        ("customer_id", "customers", "id"),
        "the declared foreign key"
    );

    let select = schema
        .table("select")
        .unwrap_or_else(|| panic!("keyword table"));
    assert_eq!(
        select.row_count, 2,
        "a table named like a keyword is counted"
    );
    assert_eq!(
        select.column("from").map(|c| c.sample_values.clone()),
        Some(vec![json!("a")]),
        "distinct samples"
    );
    assert_eq!(
        select
            .foreign_keys
            .first()
            .map(|f| f.references_column.as_str()),
        Some("id"),
        "a reference without a column points at the primary key"
    );

    let customers = schema
        .table("customers")
        .unwrap_or_else(|| panic!("customers"));
    assert_eq!(
        customers.column("name").map(|c| c.sample_values.len()),
        Some(5),
        "at most 5 samples"
    );
    assert!(
        customers.column("name").is_some_and(|c| c.not_null),
        "NOT NULL detected"
    );

    let view = schema.table("big_orders").unwrap_or_else(|| panic!("view"));
    assert_eq!(
        (view.kind.as_str(), view.row_count),
        ("view", 2),
        "views are listed and counted"
    );

    let json = serde_json::to_value(&schema).unwrap_or_else(|e| panic!("serialize: {e}"));
    assert!(
        json["tables"][0]["columns"].is_array(),
        "the schema serializes for `schema --json`"
    );
}

#[test]
fn late_type_changes_keep_every_earlier_value() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let db = Database::open(&fixture(dir.path(), "m.db", MIXED).to_string_lossy())
        .unwrap_or_else(|e| panic!("{e}"));
    // NULLs first, then integers for well past one builder allocation, then a real, then text.
    let r = query(
        &db,
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) \
         SELECT CASE WHEN i <= 2 THEN NULL WHEN i = 2000 THEN 0.5 ELSE i END AS to_real, \
                CASE WHEN i <= 2 THEN NULL WHEN i = 2500 THEN 'x' WHEN i = 2600 THEN 2.5 ELSE i END AS to_text, \
                CASE WHEN i = 3000 THEN CAST(x'ff41' AS TEXT) ELSE NULL END AS bad_utf8 \
         FROM n",
    );
    assert_eq!(r.row_count, 3000, "every row loaded");
    let to_real = r.column("to_real").unwrap_or_else(|| panic!("to_real"));
    let ColumnValues::Real(reals) = &to_real.values else {
        panic!("an integer column with one real becomes Real");
    };
    let reals: Vec<Option<f64>> = reals.iter().collect();
    assert_eq!(
        &reals[..3],
        &[None, None, Some(3.0)],
        "nulls and integers kept"
    );
    assert_eq!(reals[1999], Some(0.5), "the real itself");
    assert_eq!(reals[2999], Some(3000.0), "integers after the promotion");

    let to_text = r.column("to_text").unwrap_or_else(|| panic!("to_text"));
    let ColumnValues::Text(texts) = &to_text.values else {
        panic!("a numeric column with one text value becomes Text");
    };
    let texts: Vec<Option<&str>> = texts.iter().collect();
    assert_eq!(
        &texts[..3],
        &[None, None, Some("3")],
        "nulls and integers as text"
    );
    assert_eq!(texts[2499], Some("x"), "the text itself");
    assert_eq!(texts[2599], Some("2.5"), "a real after the promotion");
    assert_eq!(texts.len(), 3000, "no value lost");

    let bad = r.column("bad_utf8").unwrap_or_else(|| panic!("bad_utf8"));
    assert_eq!(
        bad.values.json_at(2999),
        json!("\u{FFFD}A"),
        "invalid UTF-8 is replaced, not dropped"
    );
    let df = r.to_dataframe().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(df.height(), 3000, "frame height");
}
