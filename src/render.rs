//! Human text for an answer on a terminal: the interpretation, the SQL, an aligned table of the
//! first rows, the analysis in sentences, warnings and where the chart is.
//!
//! Data is untrusted: every value goes through [`clean`], so control characters (terminal escape
//! sequences, bidi overrides) are shown escaped, never sent raw to the terminal.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::{Map, Value};
use sightline_engine::db::Schema;
use sightline_engine::{Answer, DataTable};

/// Rows of data shown in the terminal; the rest are counted.
const TABLE_ROWS: usize = 20;
/// Widest a table cell gets before it is cut with an ellipsis.
const CELL_WIDTH: usize = 40;
/// Items listed per analysis (factors, anomalies, forecast periods) before "and N more".
const LIST_ITEMS: usize = 12;

/// `text` with every control and bidi-override character shown as an escape.
pub fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        push_clean(&mut out, c);
    }
    out
}

/// Like [`clean`] but keeps line breaks and tabs, for multi-line text such as SQL.
fn clean_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\t' => out.push(c),
            '\r' => {}
            _ => push_clean(&mut out, c),
        }
    }
    out
}

fn push_clean(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        c if c.is_control() || is_bidi_control(c) => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
        c => out.push(c),
    }
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The whole human report of an answer. `chart` is where the HTML page was saved, if it was.
pub fn answer(answer: &Answer, chart: Option<&Path>) -> String {
    let mut out = String::new();
    if let Some(interpretation) = &answer.interpretation {
        let _ = writeln!(out, "{}\n", clean(interpretation));
    }
    if let Some(sql) = &answer.sql {
        let _ = writeln!(out, "SQL:");
        for line in clean_lines(sql).lines() {
            let _ = writeln!(out, "  {line}");
        }
        out.push('\n');
    }
    if let Some(data) = &answer.data {
        out.push_str(&table(data));
        out.push('\n');
    }
    out.push_str(&analysis(answer));
    if !answer.warnings.is_empty() {
        let _ = writeln!(out, "Warnings:");
        for warning in &answer.warnings {
            let _ = writeln!(out, "  - {}", clean(warning));
        }
        out.push('\n');
    }
    if answer.error.is_none() {
        match (chart, &answer.visualization) {
            (Some(path), _) => {
                let _ = writeln!(out, "Chart: {}", clean(&path.display().to_string()));
            }
            (None, Some(_)) => {
                let _ = writeln!(out, "(add --chart FILE.html to save the interactive chart)");
            }
            (None, None) => {}
        }
    }
    out
}

/// An aligned text table of the first rows, with the rest counted.
pub fn table(data: &DataTable) -> String {
    let columns = data.columns.len();
    let kinds: Vec<ColumnKind> = (0..columns).map(|i| ColumnKind::of(data, i)).collect();
    let shown: Vec<Vec<String>> = data
        .rows
        .iter()
        .take(TABLE_ROWS)
        .map(|row| row.iter().zip(&kinds).map(|(v, k)| k.cell(v)).collect())
        .collect();
    let headers: Vec<String> = data.columns.iter().map(|c| fit(&clean(c))).collect();
    let widths: Vec<usize> = (0..columns)
        .map(|i| {
            shown
                .iter()
                .filter_map(|r| r.get(i))
                .chain(headers.get(i))
                .map(|c| width(c))
                .max()
                .unwrap_or(0)
        })
        .collect();

    let mut out = String::new();
    let line = |cells: &[String], out: &mut String| {
        let parts: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let right = kinds.get(i).is_some_and(|k| k.numeric);
                pad(c, widths.get(i).copied().unwrap_or(0), right)
            })
            .collect();
        let _ = writeln!(out, "{}", parts.join("  ").trim_end());
    };
    line(&headers, &mut out);
    let rules: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    line(&rules, &mut out);
    for row in &shown {
        line(row, &mut out);
    }
    let more = data.row_count.saturating_sub(shown.len());
    match more {
        0 if data.row_count == 0 => out.push_str("(no rows)\n"),
        0 => {}
        1 => {
            let _ = writeln!(out, "… 1 more row ({} in all)", data.row_count);
        }
        n => {
            let _ = writeln!(out, "… {n} more rows ({} in all)", data.row_count);
        }
    }
    out
}

/// How one column's values are shown: numbers right-aligned, with the same decimals throughout.
struct ColumnKind {
    numeric: bool,
    decimals: Option<usize>,
}

impl ColumnKind {
    fn of(data: &DataTable, column: usize) -> Self {
        let values: Vec<&Value> = data
            .rows
            .iter()
            .take(TABLE_ROWS)
            .filter_map(|r| r.get(column))
            .filter(|v| !v.is_null())
            .collect();
        let numeric = !values.is_empty() && values.iter().all(|v| v.is_number());
        let floats: Vec<f64> = values.iter().filter_map(|v| v.as_f64()).collect();
        let decimals = if floats.iter().all(|x| x.fract() == 0.0) {
            None
        } else if floats.iter().any(|x| x.abs() >= 1.0) {
            Some(2)
        } else {
            Some(4)
        };
        ColumnKind { numeric, decimals }
    }

    fn cell(&self, value: &Value) -> String {
        match (value, self.decimals) {
            (Value::Number(n), Some(decimals)) if self.numeric => n
                .as_f64()
                .map_or_else(|| n.to_string(), |x| format!("{x:.decimals$}")),
            _ => cell(value),
        }
    }
}

fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => fit(&clean(s)),
        Value::Number(n) => n
            .as_f64()
            .filter(|_| n.is_f64())
            .map_or_else(|| n.to_string(), number),
        other => fit(&clean(&other.to_string())),
    }
}

fn fit(text: &str) -> String {
    if width(text) <= CELL_WIDTH {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(CELL_WIDTH - 1).collect();
    cut.push('…');
    cut
}

fn width(text: &str) -> usize {
    text.chars().count()
}

fn pad(text: &str, width_to: usize, right: bool) -> String {
    let fill = " ".repeat(width_to.saturating_sub(width(text)));
    if right {
        format!("{fill}{text}")
    } else {
        format!("{text}{fill}")
    }
}

/// A number as people read it: whole numbers plain, others with 2 decimals (4 when small).
pub fn number(x: f64) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else if x.abs() >= 1.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.4}")
    }
}

/// The analysis in sentences: its interpretation, then the key numbers of its type.
fn analysis(answer: &Answer) -> String {
    let Some(result) = answer
        .analysis_result
        .as_ref()
        .and_then(|r| serde_json::to_value(r).ok())
    else {
        return String::new();
    };
    let Some(fields) = result.as_object() else {
        return String::new();
    };
    let kind = answer
        .analytics_type
        .as_ref()
        .and_then(|t| serde_json::to_value(t).ok())
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let mut out = String::new();
    let _ = writeln!(out, "Analysis ({}):", clean(&kind));
    if let Some(text) = text_of(fields, "interpretation") {
        let _ = writeln!(out, "  {text}");
    }
    match kind.as_str() {
        "forecast" => forecast(fields, &mut out),
        "correlation" => correlation(fields, &mut out),
        "anomaly" => anomaly(fields, &mut out),
        "summary" => summary(fields, &mut out),
        "trend" => trend(fields, &mut out),
        _ => {}
    }
    out.push('\n');
    out
}

fn forecast(f: &Map<String, Value>, out: &mut String) {
    let values = numbers(f, "forecast");
    let dates = strings(f, "forecast_dates");
    let (lower, upper) = (numbers(f, "lower"), numbers(f, "upper"));
    let model = text_of(f, "model_used").unwrap_or_default();
    let frequency = text_of(f, "frequency")
        .map(|q| format!(", per {q}"))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "  Forecast of {} periods{frequency} ({model}):",
        values.len()
    );
    for (i, value) in values.iter().enumerate().take(LIST_ITEMS) {
        let date = dates
            .get(i)
            .cloned()
            .unwrap_or_else(|| format!("period {}", i + 1));
        let interval = match (lower.get(i), upper.get(i)) {
            (Some(lo), Some(hi)) => format!("  (interval {} to {})", number(*lo), number(*hi)),
            _ => String::new(),
        };
        let _ = writeln!(out, "    {date}  {}{interval}", number(*value));
    }
    more(out, values.len());
    if let Some(backtest) = f.get("backtest").and_then(Value::as_object) {
        let metric = text_of(backtest, "metric").unwrap_or_default();
        if let Some(value) = backtest.get("value").and_then(Value::as_f64) {
            let _ = writeln!(out, "  Backtest {metric}: {}", number(value));
        }
    }
}

fn correlation(f: &Map<String, Value>, out: &mut String) {
    let target = text_of(f, "target")
        .map(|t| format!(" with {t}"))
        .unwrap_or_default();
    let factors = strings(f, "top_factors");
    let r = f.get("correlations").and_then(Value::as_object);
    let p = f.get("p_values").and_then(Value::as_object);
    let _ = writeln!(out, "  Strongest correlations{target}:");
    for factor in factors.iter().take(LIST_ITEMS) {
        let raw = clean(factor);
        let coefficient = r
            .and_then(|m| m.get(factor.as_str()))
            .and_then(Value::as_f64);
        let p_value = p
            .and_then(|m| m.get(factor.as_str()))
            .and_then(Value::as_f64);
        let coefficient = coefficient
            .map(|x| format!("r = {x:.3}"))
            .unwrap_or_default();
        let p_value = p_value
            .map(|x| format!("  ({})", p_text(x)))
            .unwrap_or_default();
        let _ = writeln!(out, "    {raw}  {coefficient}{p_value}");
    }
    more(out, factors.len());
}

fn anomaly(f: &Map<String, Value>, out: &mut String) {
    let indices = f
        .get("anomalies")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let labels = strings(f, "anomaly_labels");
    let values = numbers(f, "anomaly_values");
    let threshold = f.get("threshold_used").and_then(Value::as_f64).map(number);
    let how: Vec<String> = text_of(f, "method")
        .into_iter()
        .chain(threshold.map(|t| format!("threshold {t}")))
        .collect();
    let how = if how.is_empty() {
        String::new()
    } else {
        format!(" ({})", how.join(", "))
    };
    let _ = writeln!(out, "  {indices} anomalies{how}:");
    for (i, value) in values.iter().enumerate().take(LIST_ITEMS) {
        let label = labels.get(i).cloned().unwrap_or_else(|| format!("row {i}"));
        let _ = writeln!(out, "    {label}  {}", number(*value));
    }
    more(out, values.len());
}

fn summary(f: &Map<String, Value>, out: &mut String) {
    if let Some(stats) = f.get("summary_stats").and_then(Value::as_object) {
        let parts: Vec<String> = ["count", "mean", "std", "min", "25%", "50%", "75%", "max"]
            .iter()
            .filter_map(|k| {
                stats
                    .get(*k)
                    .and_then(Value::as_f64)
                    .map(|v| format!("{k} {}", number(v)))
            })
            .collect();
        let _ = writeln!(out, "  {}", parts.join(" · "));
    }
    match f.get("key_insights") {
        Some(Value::String(s)) => {
            let _ = writeln!(out, "  {}", clean(s));
        }
        Some(Value::Array(items)) => {
            for item in items.iter().filter_map(Value::as_str) {
                let _ = writeln!(out, "  - {}", clean(item));
            }
        }
        _ => {}
    }
    if let Some(outliers) = f.get("outliers").and_then(Value::as_object) {
        for (column, rows) in outliers {
            let n = rows.as_array().map_or(0, Vec::len);
            if n > 0 {
                let _ = writeln!(out, "  {n} outliers in {}", clean(column));
            }
        }
    }
}

fn trend(f: &Map<String, Value>, out: &mut String) {
    let direction = text_of(f, "direction").unwrap_or_else(|| "unknown".to_string());
    let mut parts = vec![format!("direction {direction}")];
    if let Some(x) = f.get("slope_per_period").and_then(Value::as_f64) {
        parts.push(format!("slope {} per period", number(x)));
    }
    if let Some(x) = f.get("percent_change").and_then(Value::as_f64) {
        parts.push(format!("change {}%", number(x)));
    }
    if let Some(x) = f.get("p_value").and_then(Value::as_f64) {
        parts.push(p_text(x));
    }
    if let Some(method) = text_of(f, "method") {
        parts.push(format!("method {method}"));
    }
    let _ = writeln!(out, "  {}", parts.join(" · "));
}

/// A p-value as a statistician writes it.
fn p_text(p: f64) -> String {
    if p < 0.001 {
        "p < 0.001".to_string()
    } else {
        format!("p = {p:.3}")
    }
}

fn more(out: &mut String, total: usize) {
    if total > LIST_ITEMS {
        let _ = writeln!(out, "    … and {} more", total - LIST_ITEMS);
    }
}

fn text_of(f: &Map<String, Value>, key: &str) -> Option<String> {
    f.get(key).and_then(Value::as_str).map(clean)
}

fn numbers(f: &Map<String, Value>, key: &str) -> Vec<f64> {
    f.get(key)
        .and_then(Value::as_array)
        .map(|a| a.iter().map(|v| v.as_f64().unwrap_or(f64::NAN)).collect())
        .unwrap_or_default()
}

fn strings(f: &Map<String, Value>, key: &str) -> Vec<String> {
    f.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|v| clean(&v.as_str().map_or_else(|| v.to_string(), str::to_string)))
                .collect()
        })
        .unwrap_or_default()
}

/// Human text of a schema: one block per table.
pub fn schema(schema: &Schema) -> String {
    let value = serde_json::to_value(schema).unwrap_or(Value::Null);
    let mut out = String::new();
    let database = value
        .get("database")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let _ = writeln!(out, "Database: {}\n", clean(database));
    let tables = value
        .get("tables")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for table in &tables {
        let name = table
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let kind = table.get("kind").and_then(Value::as_str).unwrap_or("table");
        let rows = table.get("row_count").and_then(Value::as_u64);
        let rows = rows.map(|n| format!(", {n} rows")).unwrap_or_default();
        let _ = writeln!(out, "{} ({}{rows})", clean(name), clean(kind));
        let columns = table
            .get("columns")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let widest = |key: &str| {
            columns
                .iter()
                .filter_map(|c| c.get(key).and_then(Value::as_str))
                .map(|n| width(&clean(n)))
                .max()
                .unwrap_or(0)
        };
        let widths = (widest("name"), widest("decl_type"));
        for column in &columns {
            out.push_str(&schema_column(column, widths));
        }
        let keys = table
            .get("foreign_keys")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for key in &keys {
            let field = |k: &str| clean(key.get(k).and_then(Value::as_str).unwrap_or_default());
            let _ = writeln!(
                out,
                "  {} → {}.{}",
                field("column"),
                field("references_table"),
                field("references_column")
            );
        }
        out.push('\n');
    }
    out
}

fn schema_column(column: &Value, (name_width, type_width): (usize, usize)) -> String {
    let text = |k: &str| clean(column.get(k).and_then(Value::as_str).unwrap_or_default());
    let flag = |k: &str| column.get(k).and_then(Value::as_bool).unwrap_or(false);
    let mut notes = Vec::new();
    if flag("primary_key") {
        notes.push("primary key".to_string());
    }
    if flag("not_null") {
        notes.push("not null".to_string());
    }
    let samples: Vec<String> = column
        .get("sample_values")
        .and_then(Value::as_array)
        .map(|a| a.iter().take(3).map(cell).collect())
        .unwrap_or_default();
    if !samples.is_empty() {
        notes.push(format!("e.g. {}", samples.join(", ")));
    }
    let line = format!(
        "  {}  {}  {}",
        pad(&text("name"), name_width, false),
        pad(&text("decl_type"), type_width, false),
        notes.join("; ")
    );
    format!("{}\n", line.trim_end())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        for (raw, shown) in [
            ("plain", "plain"),
            ("\u{1b}[31mred", "\\u{1b}[31mred"),
            ("a\nb", "a\\nb"),
            ("rtl\u{202e}txt", "rtl\\u{202e}txt"),
            ("bell\u{7}", "bell\\u{7}"),
        ] {
            assert_eq!(clean(raw), shown, "for {raw:?}");
        }
    }

    #[test]
    fn table_is_aligned_capped_and_counts_the_rest() {
        let data = DataTable {
            columns: vec!["region".into(), "revenue".into()],
            rows: (0..25)
                .map(|i| vec![json!(format!("r{i}")), json!(1000.5 + f64::from(i))])
                .collect(),
            row_count: 30,
            truncated: true,
        };
        let text = table(&data);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines.len(),
            2 + TABLE_ROWS + 1,
            "header, rule, 20 rows, a count line:\n{text}"
        );
        assert_eq!(lines.first().map(|l| l.trim_end()), Some("region  revenue"));
        assert_eq!(
            lines.get(2).copied(),
            Some("r0      1000.50"),
            "numbers right-aligned"
        );
        assert_eq!(lines.last().copied(), Some("… 10 more rows (30 in all)"));
    }

    #[test]
    fn hostile_cell_cannot_reach_the_terminal_raw() {
        let data = DataTable {
            columns: vec!["x\u{1b}]0;title\u{7}".into()],
            rows: vec![vec![json!("\u{1b}[2J")]],
            row_count: 1,
            truncated: false,
        };
        let text = table(&data);
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "raw escape in: {text:?}"
        );
    }

    #[test]
    fn numbers_read_naturally() {
        for (x, shown) in [
            (15000.0, "15000"),
            (1234.567, "1234.57"),
            (0.12345, "0.1235"),
            (-3.0, "-3"),
        ] {
            assert_eq!(number(x), shown);
        }
    }
}
