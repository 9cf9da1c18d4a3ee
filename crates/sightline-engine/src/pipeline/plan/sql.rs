//! SQLite text the planner emits: identifier quoting, qualification of glossary expressions,
//! date normalisation for the ways databases store dates, and time buckets. There is no string
//! literal maker here on purpose: values from the data or the question are bound
//! ([`SqlParams::bind`](crate::db::SqlParams::bind)), never written into the text.

use sightline_analytics::Frequency;

/// How a date column stores its dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateStorage {
    /// ISO text: `2024-03-15` or `2024-03-15 10:30:00`; compares correctly as text.
    IsoText,
    /// Seconds since 1970.
    EpochSeconds,
    /// Milliseconds since 1970.
    EpochMillis,
    /// An integer such as 20240315.
    YyyyMmDd,
    /// Text `2024/03/15`.
    SlashYmd,
    /// Text `15/03/2024` (day first).
    DayMonthYear,
    /// Text `03/15/2024` (month first).
    MonthDayYear,
}

const KEYWORDS: &[&str] = &[
    "abort",
    "action",
    "add",
    "after",
    "all",
    "alter",
    "analyze",
    "and",
    "as",
    "asc",
    "attach",
    "autoincrement",
    "before",
    "begin",
    "between",
    "by",
    "cascade",
    "case",
    "cast",
    "check",
    "collate",
    "column",
    "commit",
    "conflict",
    "constraint",
    "create",
    "cross",
    "current",
    "current_date",
    "current_time",
    "current_timestamp",
    "database",
    "default",
    "deferrable",
    "deferred",
    "delete",
    "desc",
    "detach",
    "distinct",
    "do",
    "drop",
    "each",
    "else",
    "end",
    "escape",
    "except",
    "exclusive",
    "exists",
    "explain",
    "fail",
    "filter",
    "for",
    "foreign",
    "from",
    "full",
    "glob",
    "group",
    "groups",
    "having",
    "if",
    "ignore",
    "immediate",
    "in",
    "index",
    "indexed",
    "initially",
    "inner",
    "insert",
    "instead",
    "intersect",
    "into",
    "is",
    "isnull",
    "join",
    "key",
    "left",
    "like",
    "limit",
    "match",
    "natural",
    "no",
    "not",
    "nothing",
    "notnull",
    "null",
    "of",
    "offset",
    "on",
    "or",
    "order",
    "outer",
    "over",
    "partition",
    "plan",
    "pragma",
    "primary",
    "query",
    "raise",
    "range",
    "recursive",
    "references",
    "regexp",
    "reindex",
    "release",
    "rename",
    "replace",
    "restrict",
    "right",
    "rollback",
    "row",
    "rows",
    "savepoint",
    "select",
    "set",
    "table",
    "temp",
    "temporary",
    "then",
    "to",
    "transaction",
    "trigger",
    "union",
    "unique",
    "update",
    "using",
    "vacuum",
    "values",
    "view",
    "virtual",
    "when",
    "where",
    "window",
    "with",
    "without",
];

/// An identifier as SQLite reads it: bare when that is unambiguous, double-quoted otherwise.
pub fn ident(name: &str) -> String {
    let simple = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !KEYWORDS.contains(&name.to_ascii_lowercase().as_str());
    if simple {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// `table.column`, each part quoted as needed.
pub fn qualified(table: &str, column: &str) -> String {
    format!("{}.{}", ident(table), ident(column))
}

/// Qualifies the bare column names of `table` inside a glossary expression such as
/// `status = 'completed'`, so the expression stays unambiguous after joins. String literals,
/// quoted identifiers, function names and already-qualified names are left alone.
pub fn qualify_expression(expr: &str, table: &str, columns: &[String]) -> String {
    let chars: Vec<char> = expr.chars().collect();
    let mut out = String::with_capacity(expr.len() + 16);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' || c == '"' || c == '`' || c == '[' {
            let close = if c == '[' { ']' } else { c };
            let start = i;
            i += 1;
            while i < chars.len() && chars[i] != close {
                i += 1;
            }
            i = (i + 1).min(chars.len());
            out.extend(&chars[start..i]);
            continue;
        }
        if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let after_dot = start > 0 && chars[start - 1] == '.';
            let before_paren = chars[i..].iter().find(|c| !c.is_whitespace()) == Some(&'(');
            let before_dot = chars.get(i) == Some(&'.');
            let is_column = columns.iter().any(|col| col.eq_ignore_ascii_case(&word));
            if is_column && !after_dot && !before_paren && !before_dot {
                out.push_str(&qualified(table, &word));
            } else {
                out.push_str(&word);
            }
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

/// The column as an ISO date-time text SQLite's date functions accept.
pub fn normalized_date(column_sql: &str, storage: DateStorage) -> String {
    match storage {
        DateStorage::IsoText => column_sql.to_string(),
        DateStorage::EpochSeconds => format!("datetime({column_sql}, 'unixepoch')"),
        DateStorage::EpochMillis => format!("datetime({column_sql} / 1000, 'unixepoch')"),
        DateStorage::SlashYmd => format!("replace({column_sql}, '/', '-')"),
        DateStorage::DayMonthYear => format!(
            "substr({column_sql}, 7, 4) || '-' || substr({column_sql}, 4, 2) || '-' || substr({column_sql}, 1, 2)"
        ),
        DateStorage::MonthDayYear => format!(
            "substr({column_sql}, 7, 4) || '-' || substr({column_sql}, 1, 2) || '-' || substr({column_sql}, 4, 2)"
        ),
        DateStorage::YyyyMmDd => {
            format!(
                "printf('%04d-%02d-%02d', {column_sql} / 10000, {column_sql} / 100 % 100, {column_sql} % 100)"
            )
        }
    }
}

/// The first day of the period containing the date, as `YYYY-MM-DD` text. Weeks start on Monday.
pub fn bucket(date_sql: &str, grain: Frequency) -> String {
    match grain {
        Frequency::Day => format!("date({date_sql})"),
        Frequency::Week => format!("date({date_sql}, 'weekday 0', '-6 days')"),
        Frequency::Month => format!("strftime('%Y-%m-01', {date_sql})"),
        Frequency::Quarter => format!(
            "printf('%04d-%02d-01', CAST(strftime('%Y', {date_sql}) AS INTEGER), (CAST(strftime('%m', {date_sql}) AS INTEGER) - 1) / 3 * 3 + 1)"
        ),
        Frequency::Year => format!("strftime('%Y-01-01', {date_sql})"),
    }
}

/// The alias a time bucket gets in the result.
pub fn grain_alias(grain: Frequency) -> &'static str {
    match grain {
        Frequency::Day => "day",
        Frequency::Week => "week",
        Frequency::Month => "month",
        Frequency::Quarter => "quarter",
        Frequency::Year => "year",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(ident("amount"), "amount");
        assert_eq!(ident("order details"), "\"order details\"");
        assert_eq!(ident("select"), "\"select\"", "keywords are quoted");
        assert_eq!(ident("we\"ird"), "\"we\"\"ird\"");
    }

    #[test]
    fn qualifies_only_bare_columns() {
        let cols = vec!["status".to_string(), "amount".to_string()];
        assert_eq!(
            qualify_expression(
                "status = 'status' AND round(amount) > 0 AND x.amount > 1",
                "orders",
                &cols
            ),
            "orders.status = 'status' AND round(orders.amount) > 0 AND x.amount > 1"
        );
    }

    #[test]
    fn buckets_are_first_days() {
        assert_eq!(bucket("d", Frequency::Month), "strftime('%Y-%m-01', d)");
        assert!(normalized_date("d", DateStorage::EpochSeconds).contains("unixepoch"));
    }
}
