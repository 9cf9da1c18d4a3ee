//! Exports of one [`Answer`]: a self-contained HTML report (question, interpretation, SQL,
//! analysis, the first rows of data, warnings and the interactive Plotly chart, in one file that
//! works offline) and CSV of its rows, written to a file the user chose without ever leaving a
//! half-written file behind.
//!
//! Everything in an answer is untrusted text (SECURITY.md S7): every value is HTML-escaped, the
//! figure travels as a JSON data block with `<`, `>`, `&`, U+2028 and U+2029 escaped, and a CSP
//! meta tag forbids every remote load. Plotly.js is embedded at build time (build.rs), never fetched.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use crate::db::QueryResult;
use serde_json::Value;

use crate::contract::{Answer, DataTable};
use crate::error::{EngineError, ErrorKind};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/plotly.rs"));
}

/// Stage name of exports in error reports.
const STAGE: &str = "export";

/// Plotly.js as embedded at build time, or the internal error explaining how to get it.
pub fn plotly_js() -> Result<&'static str, EngineError> {
    embedded::PLOTLY_JS.ok_or_else(|| {
        EngineError::new(
            ErrorKind::Internal,
            "This build has no Plotly.js: run `npm ci --prefix ui` and rebuild.",
        )
        .at_stage(STAGE)
    })
}

/// What an answer can be saved as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Html,
}

impl ExportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Html => "html",
        }
    }
}

/// Saves `answer` as `format` at `path`.
pub fn save_answer(answer: &Answer, format: ExportFormat, path: &Path) -> Result<(), EngineError> {
    let contents = match format {
        ExportFormat::Html => html_report(answer, plotly_js()?),
        ExportFormat::Csv => match &answer.data {
            Some(table) => csv(table),
            None => {
                return Err(EngineError::new(
                    ErrorKind::BadInput,
                    "This answer has no rows to save as CSV.",
                )
                .at_stage(STAGE));
            }
        },
    };
    save_file(path, contents.as_bytes())
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so a crash
/// or a full disk never leaves a truncated file where a good one was.
pub fn save_file(path: &Path, bytes: &[u8]) -> Result<(), EngineError> {
    let failed = |e: std::io::Error| {
        EngineError::new(
            ErrorKind::BadInput,
            format!(
                "Could not save {}: {e}. Choose a file in a folder you can write to.",
                path.display()
            ),
        )
        .at_stage(STAGE)
    };
    let folder = match path.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder,
        _ => Path::new("."),
    };
    let mut file = tempfile::NamedTempFile::new_in(folder).map_err(failed)?;
    file.write_all(bytes).map_err(failed)?;
    file.as_file().sync_all().map_err(failed)?;
    file.persist(path).map_err(|e| failed(e.error))?;
    Ok(())
}

/// Rows of data shown in a report; the full count is stated beside them.
pub const REPORT_ROWS: usize = 200;

/// The page's Content-Security-Policy: inline scripts and styles only, images only as data URLs.
/// Written into the attribute as it is, so it must never hold `"`, `<` or `&`.
pub const REPORT_CSP: &str =
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

/// The config every chart is drawn with; the figure never chooses its own.
const PLOT_CONFIG: &str = "{responsive:true, displaylogo:false}";

const STYLE: &str = "\
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;max-width:72rem;\
padding:0 1rem;color:#1f2933;line-height:1.45}\
h1{font-size:1.5rem;margin-bottom:.25rem}h2{font-size:1.1rem;margin-top:1.75rem}\
pre{background:#f3f4f6;padding:.75rem;overflow-x:auto;white-space:pre-wrap}\
table{border-collapse:collapse;font-size:.9rem}th,td{border:1px solid #d1d5db;padding:.25rem .5rem;\
text-align:left;vertical-align:top}th{background:#f3f4f6}td.num{text-align:right}\
#chart{width:100%;min-height:28rem}.muted{color:#6b7280}.error{color:#b91c1c}\
ul.warnings li{color:#92400e}";

/// Renders `answer` as one HTML page with `plotly_js` (the library's source) inlined.
pub fn html_report(answer: &Answer, plotly_js: &str) -> String {
    let mut page = String::with_capacity(plotly_js.len() + 16 * 1024);
    let title = answer.question.as_deref().unwrap_or("Sightline analysis");
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{csp}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title} — Sightline</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <h1>{title}</h1>\n",
        csp = REPORT_CSP,
        title = escape_html(title),
    );
    if let Some(interpretation) = &answer.interpretation {
        let _ = writeln!(page, "<p>{}</p>", escape_html(interpretation));
    }
    if let Some(error) = &answer.error {
        let _ = writeln!(
            page,
            "<p class=\"error\">{}</p>",
            escape_html(&error.message)
        );
    }
    push_analysis(&mut page, answer);
    if answer.visualization.is_some() {
        page.push_str("<div id=\"chart\"></div>\n");
    }
    push_data(&mut page, answer);
    if let Some(sql) = &answer.sql {
        let _ = writeln!(page, "<h2>SQL</h2>\n<pre>{}</pre>", escape_html(sql));
    }
    push_warnings(&mut page, answer);
    let _ = writeln!(
        page,
        "<p class=\"muted\">Database: {} · method: {} · confidence: {:.2}</p>",
        escape_html(&answer.database),
        escape_html(&answer.method),
        answer.confidence
    );
    if let Some(figure) = &answer.visualization {
        push_chart(&mut page, figure, plotly_js);
    }
    page.push_str("</body>\n</html>\n");
    page
}

fn push_analysis(page: &mut String, answer: &Answer) {
    let Some(result) = answer
        .analysis_result
        .as_ref()
        .and_then(|r| serde_json::to_value(r).ok())
    else {
        return;
    };
    let kind = answer
        .analytics_type
        .as_ref()
        .and_then(|t| serde_json::to_value(t).ok())
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| "analysis".to_string());
    let text = ["interpretation", "key_insights"]
        .iter()
        .find_map(|key| result.get(*key).and_then(Value::as_str));
    let _ = writeln!(page, "<h2>Analysis: {}</h2>", escape_html(&kind));
    if let Some(text) = text {
        let _ = writeln!(page, "<p>{}</p>", escape_html(text));
    }
}

fn push_data(page: &mut String, answer: &Answer) {
    let Some(data) = &answer.data else {
        return;
    };
    let shown = data.rows.len().min(REPORT_ROWS);
    let _ = writeln!(
        page,
        "<h2>Data</h2>\n<p class=\"muted\">Showing {shown} of {} rows.</p>\n<table>\n<thead><tr>",
        data.row_count
    );
    for column in &data.columns {
        let _ = write!(page, "<th>{}</th>", escape_html(column));
    }
    page.push_str("</tr></thead>\n<tbody>\n");
    let rows = &data.rows[..shown];
    let decimals: Vec<Option<usize>> = (0..data.columns.len())
        .map(|i| column_decimals(rows, i))
        .collect();
    for row in rows {
        page.push_str("<tr>");
        for (i, value) in row.iter().enumerate() {
            let class = if value.is_number() {
                " class=\"num\""
            } else {
                ""
            };
            let text = cell_text(value, decimals.get(i).copied().flatten());
            let _ = write!(page, "<td{class}>{}</td>", escape_html(&text));
        }
        page.push_str("</tr>\n");
    }
    page.push_str("</tbody>\n</table>\n");
}

fn push_warnings(page: &mut String, answer: &Answer) {
    if answer.warnings.is_empty() {
        return;
    }
    page.push_str("<h2>Warnings</h2>\n<ul class=\"warnings\">\n");
    for warning in &answer.warnings {
        let _ = writeln!(page, "<li>{}</li>", escape_html(warning));
    }
    page.push_str("</ul>\n");
}

fn push_chart(page: &mut String, figure: &Value, plotly_js: &str) {
    let _ = write!(
        page,
        "<script>{}</script>\n<script type=\"application/json\" id=\"figure\">{}</script>\n\
         <script>\n(function () {{\n  var figure = JSON.parse(document.getElementById('figure').textContent);\n  \
         Plotly.newPlot('chart', figure.data || [], figure.layout || {{}}, {PLOT_CONFIG});\n}})();\n</script>\n",
        inline_script(plotly_js),
        script_json(figure),
    );
}

/// A table cell's text: strings as they are, null as empty, fractional numbers with the column's
/// decimals, anything else as JSON.
fn cell_text(value: &Value, decimals: Option<usize>) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Number(n) => match (n.as_f64(), decimals) {
            (Some(x), Some(decimals)) => format!("{x:.decimals$}"),
            _ => n.to_string(),
        },
        other => other.to_string(),
    }
}

/// Decimals for a column's numbers: none when all are whole, 2 for amounts, 4 for small values.
fn column_decimals(rows: &[Vec<Value>], column: usize) -> Option<usize> {
    let numbers: Vec<f64> = rows
        .iter()
        .filter_map(|r| r.get(column))
        .filter_map(Value::as_f64)
        .collect();
    if numbers.iter().all(|x| x.fract() == 0.0) {
        None
    } else if numbers.iter().any(|x| x.abs() >= 1.0) {
        Some(2)
    } else {
        Some(4)
    }
}

/// The answer's rows as CSV (RFC 4180, CRLF line ends, a header row). Numbers keep their full
/// precision. A text cell that a spreadsheet would run as a formula (it starts with `=`, `+`, `-`,
/// `@`, a tab or a carriage return) gets a leading `'`, so opening the file runs nothing (S7).
pub fn csv(table: &DataTable) -> String {
    let mut out = String::with_capacity(64 + table.rows.len() * table.columns.len() * 12);
    push_csv_row(
        &mut out,
        table.columns.iter().map(|c| Cow::Borrowed(c.as_str())),
    );
    for row in &table.rows {
        push_csv_row(&mut out, row.iter().map(csv_cell));
    }
    out
}

/// A query result as CSV for a program (the sandbox's `data`): every row, values as they are,
/// nothing defused, since no spreadsheet opens it.
pub fn data_csv(result: &QueryResult) -> String {
    let mut out = String::with_capacity(64 + result.row_count * result.columns.len() * 12);
    push_csv_row(
        &mut out,
        result
            .columns
            .iter()
            .map(|c| Cow::Borrowed(c.name.as_str())),
    );
    for row in 0..result.row_count {
        push_csv_row(
            &mut out,
            result.columns.iter().map(|c| match c.values.json_at(row) {
                Value::Null => Cow::Borrowed(""),
                Value::String(s) => Cow::Owned(s),
                other => Cow::Owned(other.to_string()),
            }),
        );
    }
    out
}

fn csv_cell(value: &Value) -> Cow<'_, str> {
    match value {
        Value::Null => Cow::Borrowed(""),
        Value::String(s) if s.starts_with(['=', '+', '-', '@', '\t', '\r']) => {
            Cow::Owned(format!("'{s}"))
        }
        Value::String(s) => Cow::Borrowed(s),
        other => Cow::Owned(other.to_string()),
    }
}

fn push_csv_row<'a>(out: &mut String, cells: impl Iterator<Item = Cow<'a, str>>) {
    for (i, cell) in cells.enumerate() {
        if i > 0 {
            out.push(',');
        }
        if cell.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&cell.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&cell);
        }
    }
    out.push_str("\r\n");
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// JSON that is safe inside a `<script>` element: no character of it can close the element, open
/// a comment, or end a JavaScript line.
pub fn script_json(value: &Value) -> String {
    let json = value.to_string();
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            other => out.push(other),
        }
    }
    out
}

/// Script source made safe to inline: `</script` cannot end the element early. In JavaScript
/// `<\/` means the same as `</` inside strings, templates and regular expressions.
fn inline_script(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut rest = source;
    while let Some(at) = find_ascii_case_insensitive(rest, "</script") {
        out.push_str(&rest[..at]);
        out.push_str("<\\/");
        rest = &rest[at + 2..];
    }
    out.push_str(rest);
    out
}

fn find_ascii_case_insensitive(haystack: &str, needle: &str) -> Option<usize> {
    let (hay, needle) = (haystack.as_bytes(), needle.as_bytes());
    hay.windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::contract::{AnswerError, DataTable};
    use crate::error::ErrorKind;

    const HOSTILE: &str = "</script><img src=x onerror=alert(1)>";

    fn hostile_answer() -> Answer {
        let mut answer = Answer::new(Some(HOSTILE.to_string()), format!("sqlite:///{HOSTILE}"));
        answer.sql = Some(format!("SELECT '{HOSTILE}' AS x"));
        answer.interpretation = Some(HOSTILE.to_string());
        answer.method = HOSTILE.to_string();
        answer.data = Some(DataTable {
            columns: vec![HOSTILE.to_string(), "n".to_string()],
            rows: vec![
                vec![json!(HOSTILE), json!(1.5)],
                vec![json!("a\u{2028}b"), json!(null)],
            ],
            row_count: 2,
            truncated: false,
        });
        answer.visualization = Some(json!({
            "data": [{"type": "bar", "x": [HOSTILE, "a\u{2028}b\u{2029}c"], "y": [1, 2], "name": "<b>&amp;</b>"}],
            "layout": {"title": {"text": HOSTILE}}
        }));
        answer.warnings = vec![HOSTILE.to_string()];
        answer.error = Some(AnswerError {
            stage: Some("analyze".to_string()),
            kind: ErrorKind::BadInput,
            message: HOSTILE.to_string(),
        });
        answer
    }

    /// The part of the page written from the answer: everything except the inlined library.
    fn page_without_library(page: &str, library: &str) -> String {
        page.replacen(library, "", 1)
    }

    #[test]
    fn hostile_values_never_appear_unescaped() {
        let library = "/* plotly stand-in */ window.Plotly = {newPlot: function () {}};";
        let page = html_report(&hostile_answer(), library);
        let own = page_without_library(&page, library);
        assert!(
            !own.contains(HOSTILE),
            "a hostile value was written raw into the page:\n{own}"
        );
        assert!(
            !own.contains("<img"),
            "an <img> tag from data reached the page:\n{own}"
        );
        assert!(
            !own.contains("<b>"),
            "markup inside the figure must stay escaped in the JSON block"
        );
        assert!(
            own.contains("&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"),
            "the hostile text should still be shown, as text"
        );
        let scripts: String = own.split("<script").skip(1).collect();
        assert!(
            !scripts.contains('\u{2028}') && !scripts.contains('\u{2029}'),
            "line separators must be escaped inside scripts"
        );
        assert_eq!(
            own.matches("</script>").count(),
            3,
            "only the page's own three script elements may be closed"
        );
    }

    #[test]
    fn figure_json_round_trips_after_escaping() {
        let figure = hostile_answer().visualization.unwrap_or_default();
        let escaped = script_json(&figure);
        for forbidden in ['<', '>', '&', '\u{2028}', '\u{2029}'] {
            assert!(
                !escaped.contains(forbidden),
                "{forbidden:?} left in the embedded JSON: {escaped}"
            );
        }
        let parsed: Value = serde_json::from_str(&escaped).unwrap_or_default();
        assert_eq!(
            parsed, figure,
            "escaping must not change the figure's meaning"
        );
    }

    #[test]
    fn page_is_self_contained_with_fixed_config_and_csp() {
        let library = "window.Plotly = {};";
        let page = html_report(&hostile_answer(), library);
        assert!(
            !REPORT_CSP.contains(['"', '<', '&'])
                && page.contains(&format!("content=\"{REPORT_CSP}\"")),
            "CSP meta tag missing"
        );
        assert!(
            page.contains("Plotly.newPlot('chart'"),
            "the chart is drawn with Plotly.newPlot"
        );
        assert!(
            page.contains("{responsive:true, displaylogo:false}"),
            "the fixed config is used"
        );
        assert!(page.contains(library), "Plotly.js is inlined");
        assert!(
            !page.contains("<script src"),
            "no script is loaded from elsewhere"
        );
        assert!(
            !page.contains("<link"),
            "no stylesheet is loaded from elsewhere"
        );
    }

    #[test]
    fn inlined_library_cannot_close_its_script_element() {
        let library = "var s = '</SCRIPT><img src=x>'; var t = /<\\/script>/;";
        let page = html_report(&hostile_answer(), library);
        assert!(
            !page.to_ascii_lowercase().contains("'</script"),
            "the library closed its own element"
        );
        assert!(
            page.contains("'<\\/SCRIPT><img src=x>'"),
            "`</` is written `<\\/` inside the library"
        );
    }

    #[test]
    fn answer_without_figure_has_no_chart_script() {
        let mut answer = hostile_answer();
        answer.visualization = None;
        let page = html_report(&answer, "LIBRARY");
        assert!(
            !page.contains("LIBRARY"),
            "no chart means no need to inline Plotly.js"
        );
        assert!(
            !page.contains("<script"),
            "no scripts at all without a chart"
        );
    }

    #[test]
    fn table_is_capped_and_states_the_full_count() {
        let mut answer = Answer::new(Some("q".into()), "db".into());
        answer.data = Some(DataTable {
            columns: vec!["n".into()],
            rows: (0..REPORT_ROWS + 5).map(|i| vec![json!(i)]).collect(),
            row_count: 5000,
            truncated: true,
        });
        let page = html_report(&answer, "");
        assert_eq!(
            page.matches("<tr>").count(),
            REPORT_ROWS + 1,
            "header plus REPORT_ROWS rows"
        );
        assert!(
            page.contains(&format!("Showing {REPORT_ROWS} of 5000 rows.")),
            "full count is stated"
        );
    }

    #[test]
    fn csv_quotes_what_needs_quoting_and_defuses_formulas() {
        let table = DataTable {
            columns: vec!["name".into(), "note, with comma".into(), "amount".into()],
            rows: vec![
                vec![json!("Acme \"Ltd\""), json!("line1\nline2"), json!(12.5)],
                vec![json!("=HYPERLINK(\"x\")"), Value::Null, json!(-3)],
                vec![json!("-5"), json!("@SUM(A1)"), json!(0.1)],
            ],
            row_count: 3,
            truncated: false,
        };
        let text = csv(&table);
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines[0], "name,\"note, with comma\",amount");
        assert_eq!(lines[1], "\"Acme \"\"Ltd\"\"\",\"line1\nline2\",12.5");
        assert_eq!(
            lines[2], "\"'=HYPERLINK(\"\"x\"\")\",,-3",
            "numbers stay numbers"
        );
        assert_eq!(lines[3], "'-5,'@SUM(A1),0.1");
        assert_eq!(lines[4], "", "the file ends with a line break");
    }
}
