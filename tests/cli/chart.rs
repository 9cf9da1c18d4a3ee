//! `--chart FILE.html`: a self-contained interactive page with Plotly.js inlined and the answer's
//! figure embedded, loading nothing from anywhere, and escaping every value from the data.

use std::fs;

use serde_json::Value;

use crate::util::{sample_db, sightline};

const QUESTION: &str = "Show monthly revenue for last year and forecast next 3 months";

/// The JSON inside `<script type="application/json" id="figure">…</script>`.
fn embedded_figure(page: &str) -> Value {
    let start_tag = "<script type=\"application/json\" id=\"figure\">";
    let start = page
        .find(start_tag)
        .expect("the page embeds the figure as a JSON block")
        + start_tag.len();
    let end = page[start..]
        .find("</script>")
        .expect("the figure block is closed")
        + start;
    serde_json::from_str(&page[start..end]).expect("the embedded figure is valid JSON")
}

/// Every `<script …>` opening tag of the page.
fn script_tags(page: &str) -> Vec<&str> {
    page.match_indices("<script")
        .filter_map(|(at, _)| page[at..].find('>').map(|end| &page[at..=at + end]))
        .collect()
}

/// The page less the inlined Plotly.js (whose source mentions URLs it never loads here: the
/// CSP forbids it).
fn page_without_library(page: &str) -> String {
    let Some(banner) = page.find("plotly.js v") else {
        return page.to_string();
    };
    let start = page[..banner]
        .rfind("<script>")
        .expect("the library sits in a script element");
    let end = page[banner..]
        .find("</script>")
        .expect("the library's script element is closed")
        + banner;
    format!("{}{}", &page[..start], &page[end..])
}

fn check_self_contained(page: &str, context: &str) {
    for tag in script_tags(page) {
        assert!(
            !tag.contains("src"),
            "{context}: no script is loaded from a URL: {tag}"
        );
    }
    let own = page_without_library(page);
    for remote in [
        "http://", "https://", "<link", "@import", "<iframe", "<object", "<embed",
    ] {
        assert!(
            !own.contains(remote),
            "{context}: the page must not refer to `{remote}`"
        );
    }
    assert!(
        page.contains("Content-Security-Policy"),
        "{context}: the page carries a CSP"
    );
    assert!(
        page.contains("default-src 'none'"),
        "{context}: the CSP forbids remote loads"
    );
}

#[test]
fn chart_file_holds_plotly_and_the_figure() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.html");
    let out_arg = out.display().to_string();
    let run = sightline(&[
        "ask",
        "--db",
        &sample_db(),
        "--json",
        "--chart",
        &out_arg,
        QUESTION,
    ]);
    run.expect_code(0);
    let answer = run.json();
    let page = fs::read_to_string(&out).expect("--chart writes the file");
    assert!(
        page.contains("Plotly.newPlot"),
        "the chart is drawn with Plotly.newPlot"
    );
    assert!(
        page.contains("plotly.js v"),
        "Plotly.js itself is inlined (its banner is there)"
    );
    assert!(
        page.len() > 1_000_000,
        "the inlined library makes the page large: {} bytes",
        page.len()
    );
    assert_eq!(
        embedded_figure(&page),
        answer["visualization"],
        "the page draws exactly the answer's figure"
    );
    check_self_contained(&page, "ask --chart");
    let sql = answer["sql"].as_str().unwrap_or_default();
    let escaped_sql = sql
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\'', "&#39;");
    assert!(
        page.contains(&escaped_sql),
        "the page shows the SQL (HTML-escaped)"
    );
}

#[test]
fn human_output_says_where_the_chart_is() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("chart.html");
    let out_arg = out.display().to_string();
    let run = sightline(&["ask", "--db", &sample_db(), "--chart", &out_arg, QUESTION]);
    run.expect_code(0);
    assert!(
        run.stdout.contains(&format!("Chart: {out_arg}")),
        "stdout names the chart file:\n{}",
        run.stdout
    );
    assert!(out.is_file(), "the chart file exists");
}

#[test]
fn analyze_chart_escapes_hostile_values() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("hostile.html");
    let out_arg = out.display().to_string();
    let hostile = "</script><img src=x onerror=alert(1)>";
    let sql = format!(
        "SELECT '{hostile}' || region AS label, SUM(monthly_spend) AS spend FROM customers GROUP BY region"
    );
    let run = sightline(&[
        "analyze",
        "summary",
        "--db",
        &sample_db(),
        "--sql",
        &sql,
        "--target",
        "spend",
        "--json",
        "--chart",
        &out_arg,
    ]);
    run.expect_code(0);
    let page = fs::read_to_string(&out).expect("--chart writes the file");
    assert!(
        !page.contains("<img src=x"),
        "a value from the data became markup in the page"
    );
    assert!(
        page.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "the hostile value is shown as text"
    );
    check_self_contained(&page, "analyze --chart");
}

#[test]
fn unwritable_chart_path_is_reported() {
    let run = sightline(&[
        "ask",
        "--db",
        &sample_db(),
        "--json",
        "--chart",
        "/nonexistent-folder/sub/out.html",
        "What correlates with churn?",
    ]);
    let answer = run.json();
    run.expect_code(2);
    assert_eq!(
        answer["error"]["stage"], "export",
        "the failing step is the chart export: {answer}"
    );
    assert_eq!(
        answer["error"]["kind"], "bad_input",
        "an unwritable path is the user's to fix"
    );
    assert!(
        answer["sql"].is_string(),
        "the rest of the answer is still there"
    );
}
