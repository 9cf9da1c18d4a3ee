//! Human output (no `--json`): interpretation, SQL, an aligned table, the analysis in sentences,
//! and no raw control characters from the data.

use crate::util::{ask_json, sample_db, sightline};

#[test]
fn human_answer_shows_sql_table_and_analysis() {
    let question = "Show monthly revenue for last year and forecast next 3 months";
    let answer = ask_json(question).json();
    let run = sightline(&["ask", "--db", &sample_db(), question]);
    run.expect_code(0);
    let out = &run.stdout;
    let sql = answer["sql"].as_str().unwrap_or_default();
    for line in sql.lines().map(str::trim).filter(|l| !l.is_empty()) {
        assert!(
            out.contains(line),
            "the SQL is shown; missing line {line:?} in:\n{out}"
        );
    }
    let columns: Vec<&str> = answer["data"]["columns"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c.as_str())
        .collect();
    let header = out.lines().find(|l| columns.iter().all(|c| l.contains(c)));
    assert!(
        header.is_some(),
        "a table header names the columns {columns:?}:\n{out}"
    );
    assert!(
        out.lines().any(|l| l.starts_with("---")),
        "the table has a rule under its header:\n{out}"
    );
    assert!(
        out.contains("2025-01-01") && out.contains("2025-12-01"),
        "all 12 months are listed:\n{out}"
    );
    let interpretation = answer["interpretation"].as_str().unwrap_or_default();
    assert!(
        out.contains(interpretation),
        "the interpretation is printed:\n{out}"
    );
    assert!(
        out.contains("2026-01-01"),
        "the forecast's dates are printed:\n{out}"
    );
    assert!(
        out.contains("--chart"),
        "without --chart, a hint says how to save the chart:\n{out}"
    );
    assert!(
        run.stderr.trim().is_empty(),
        "nothing on stderr for a good answer: {}",
        run.stderr
    );
}

#[test]
fn long_results_are_cut_with_a_count() {
    let run = sightline(&[
        "ask",
        "--db",
        &sample_db(),
        "Forecast revenue for next month",
    ]);
    run.expect_code(0);
    assert!(
        run.stdout.contains("more rows"),
        "a long result says how many rows are not shown:\n{}",
        run.stdout
    );
    assert!(
        run.stdout.lines().count() < 120,
        "the terminal is not flooded with rows"
    );
}

#[test]
fn control_characters_from_data_are_escaped() {
    let sql = "SELECT char(27) || '[2J' || char(7) || region AS label, SUM(monthly_spend) AS spend \
               FROM customers GROUP BY region";
    let run = sightline(&[
        "analyze",
        "summary",
        "--db",
        &sample_db(),
        "--sql",
        sql,
        "--target",
        "spend",
    ]);
    run.expect_code(0);
    assert!(
        !run.stdout.contains('\u{1b}'),
        "a raw ESC from the data reached the terminal"
    );
    assert!(
        !run.stdout.contains('\u{7}'),
        "a raw BEL from the data reached the terminal"
    );
    assert!(
        run.stdout.contains("[2J"),
        "the value is still shown, escaped:\n{}",
        run.stdout
    );
}

#[test]
fn human_schema_lists_tables() {
    let run = sightline(&["schema", "--db", &sample_db()]);
    run.expect_code(0);
    for table in [
        "customers",
        "products",
        "orders",
        "order_items",
        "transactions",
        "marketing_spend",
    ] {
        assert!(
            run.stdout.contains(table),
            "schema lists {table}:\n{}",
            run.stdout
        );
    }
}
