//! What a model is told about the database: the tables relevant to the question (chosen from the
//! question's words, the glossary and the foreign keys, so a schema of hundreds of tables still
//! makes a short prompt), their columns and keys, the glossary's terms, SQLite dialect notes, and
//! sample values only when the user allows data to leave the machine ("schema only" off).
//!
//! [`SentToModel`] records exactly that, and every answer made with a model carries it (S7).

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

use super::sql::NameKind;
use crate::db::{ColumnValues, QueryResult, Schema, TableInfo};
use crate::glossary::Glossary;
use crate::llm::Turn;
use crate::pipeline::analyze::date_columns;
use sightline_analytics::AnalysisType;

/// Tables sent at most, however large the schema.
pub const MAX_TABLES: usize = 8;
/// Sample values per column, when samples may be sent.
pub const SAMPLES_PER_COLUMN: usize = 3;

/// The question before this one, for follow-ups ("now only the West region").
#[derive(Debug, Clone, PartialEq, serde::Deserialize, Serialize, TS)]
pub struct FollowUp {
    pub question: String,
    /// The SQL that answered it, when there was one.
    #[serde(default)]
    pub sql: Option<String>,
}

/// What was sent to the model for one answer (`sent_to_model` in the answer).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SentToModel {
    /// The profile and `llm:PROVIDER:MODEL`.
    pub profile: String,
    pub method: String,
    pub tables: Vec<String>,
    /// `table.column`, every column described.
    pub columns: Vec<String>,
    /// How many sample data values were included (0 in "schema only" mode).
    #[ts(type = "number")]
    pub sample_values: usize,
    #[ts(type = "number")]
    pub glossary_terms: usize,
    /// Whether the previous question and its SQL were included (a follow-up).
    pub previous_question: bool,
    /// Calls made to the model for this answer.
    #[ts(type = "number")]
    pub requests: usize,
    /// What the model was asked to write: `sql`, and `analysis` or `chart` when it wrote those.
    pub parts: Vec<String>,
}

impl SentToModel {
    /// Counts a part the model was asked to write: its requests and the example values sent.
    pub fn add(&mut self, part: &str, requests: usize, sample_values: usize) {
        self.requests += requests;
        self.sample_values += sample_values;
        if !self.parts.iter().any(|p| p == part) {
            self.parts.push(part.to_string());
        }
    }
}

/// Rows of a query result shown to a model as an example, when samples may be sent.
pub const EXAMPLE_ROWS: usize = 5;

/// A query result as the analyst and chart agents describe it: its columns as "name (kind)",
/// the kind read from the values (integer, number, date, text), and, unless only the schema may
/// be sent, its first rows.
pub fn describe_result(result: &QueryResult, schema_only: bool) -> String {
    let dates = date_columns(result);
    let columns: Vec<String> = result
        .columns
        .iter()
        .map(|c| {
            let kind = match c.values {
                ColumnValues::Int(_) => "integer",
                ColumnValues::Real(_) => "number",
                ColumnValues::Text(_) if dates.contains(&c.name) => "date",
                ColumnValues::Text(_) => "text",
            };
            format!("{} ({kind})", c.name)
        })
        .collect();
    let mut text = format!(
        "{} rows; columns: {}.",
        result.row_count,
        columns.join(", ")
    );
    if !schema_only {
        text.push_str(&format!(
            "\nFirst rows: {}",
            serde_json::to_string(&result.rows_json(EXAMPLE_ROWS)).unwrap_or_default()
        ));
    }
    text
}

/// How many data values [`describe_result`] sends.
pub fn example_values(result: &QueryResult, schema_only: bool) -> usize {
    if schema_only {
        0
    } else {
        result.row_count.min(EXAMPLE_ROWS) * result.columns.len()
    }
}

/// The prompt material for one question.
#[derive(Debug, Clone)]
pub struct ModelContext {
    question: String,
    analysis: Option<AnalysisType>,
    tables: Vec<TableInfo>,
    glossary_lines: Vec<String>,
    schema_only: bool,
    follow_up: Option<FollowUp>,
    all_tables: Vec<String>,
    all_columns: Vec<String>,
}

impl ModelContext {
    /// Chooses what to tell the model. `hinted` are tables the offline planner used, a strong hint
    /// of relevance.
    pub fn new(
        question: &str,
        analysis: Option<AnalysisType>,
        schema: &Schema,
        glossary: &Glossary,
        hinted: &[String],
        schema_only: bool,
        follow_up: Option<FollowUp>,
    ) -> Self {
        let mut text = question.to_lowercase();
        if let Some(previous) = &follow_up {
            text.push(' ');
            text.push_str(&previous.question.to_lowercase());
            if let Some(sql) = &previous.sql {
                text.push(' ');
                text.push_str(&sql.to_lowercase());
            }
        }
        let words: BTreeSet<String> = text
            .split(|c: char| !c.is_alphanumeric() && c != '_')
            .filter(|w| w.len() > 2)
            .map(singular)
            .collect();
        let terms: Vec<_> = glossary
            .terms
            .iter()
            .filter(|t| t.phrases().any(|p| text.contains(&p)))
            .collect();
        let mut scored: Vec<(i64, &TableInfo)> = schema
            .tables
            .iter()
            .map(|table| {
                let name = table.name.to_lowercase();
                let mut score = 0;
                if name
                    .split('_')
                    .map(singular)
                    .any(|part| words.contains(&part))
                {
                    score += 3;
                }
                score += table
                    .columns
                    .iter()
                    .filter(|c| {
                        c.name
                            .to_lowercase()
                            .split('_')
                            .map(singular)
                            .any(|part| words.contains(&part))
                    })
                    .count() as i64;
                score += 4 * terms
                    .iter()
                    .filter(|t| t.table.eq_ignore_ascii_case(&name))
                    .count() as i64;
                if hinted.iter().any(|h| h.eq_ignore_ascii_case(&name)) {
                    score += 3;
                }
                (score, table)
            })
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.row_count.cmp(&a.1.row_count)));
        let mut chosen: Vec<&TableInfo> = scored
            .iter()
            .filter(|(score, _)| *score > 0)
            .map(|(_, t)| *t)
            .take(MAX_TABLES)
            .collect();
        // Tables one join away, so the model can reach a dimension through its key.
        let neighbours: Vec<&TableInfo> = schema
            .tables
            .iter()
            .filter(|t| !chosen.iter().any(|c| c.name == t.name))
            .filter(|t| {
                chosen.iter().any(|c| {
                    c.foreign_keys
                        .iter()
                        .any(|k| k.references_table.eq_ignore_ascii_case(&t.name))
                        || t.foreign_keys
                            .iter()
                            .any(|k| k.references_table.eq_ignore_ascii_case(&c.name))
                })
            })
            .collect();
        for table in neighbours {
            if chosen.len() >= MAX_TABLES {
                break;
            }
            chosen.push(table);
        }
        if chosen.is_empty() {
            chosen = scored.iter().map(|(_, t)| *t).take(MAX_TABLES).collect();
        }
        let chosen_names: Vec<String> = chosen.iter().map(|t| t.name.to_lowercase()).collect();
        let glossary_lines = glossary
            .terms
            .iter()
            .filter(|t| chosen_names.contains(&t.table.to_lowercase()))
            .map(|t| {
                let measure = match &t.aggregation {
                    Some(agg) => format!("{agg}({})", t.expression),
                    None => t.expression.clone(),
                };
                let mut line = format!("- {} = {measure} on {}", t.term, t.table);
                if let Some(filter) = &t.filter {
                    line.push_str(&format!(" where {filter}"));
                }
                if let Some(date) = &t.date_column {
                    line.push_str(&format!(", dated by {date}"));
                }
                if !t.synonyms.is_empty() {
                    line.push_str(&format!(" (also: {})", t.synonyms.join(", ")));
                }
                line
            })
            .collect();
        ModelContext {
            question: question.trim().to_string(),
            analysis,
            tables: chosen.into_iter().cloned().collect(),
            glossary_lines,
            schema_only,
            follow_up,
            all_tables: schema.tables.iter().map(|t| t.name.clone()).collect(),
            all_columns: schema
                .tables
                .iter()
                .flat_map(|t| t.columns.iter().map(|c| c.name.clone()))
                .collect(),
        }
    }

    /// The system prompt of the SQL agent.
    pub fn system_prompt(&self) -> String {
        let mut prompt = String::from(SQL_RULES);
        prompt.push_str("\n\nDatabase (SQLite):\n");
        for table in &self.tables {
            prompt.push_str(&self.describe(table));
        }
        if !self.glossary_lines.is_empty() {
            prompt.push_str("\nBusiness terms (use these definitions):\n");
            for line in &self.glossary_lines {
                prompt.push_str(line);
                prompt.push('\n');
            }
        }
        prompt
    }

    /// The conversation: the previous question and its SQL for a follow-up, then this question.
    pub fn turns(&self) -> Vec<Turn> {
        let mut turns = Vec::new();
        if let Some(previous) = &self.follow_up {
            turns.push(Turn::user(previous.question.clone()));
            if let Some(sql) = &previous.sql {
                turns.push(Turn::assistant(
                    serde_json::json!({"sql": sql, "explanation": "the previous answer"})
                        .to_string(),
                ));
            }
        }
        let mut question = self.question.clone();
        if self.follow_up.is_some() {
            question = format!(
                "Follow-up to the previous question (keep what it asked unless this changes it): {question}"
            );
        }
        if let Some(analysis) = self.analysis {
            question.push_str(&format!(
                "\n(The result will feed a {analysis} analysis: {})",
                shape_hint(analysis)
            ));
        }
        turns.push(Turn::user(question));
        turns
    }

    fn describe(&self, table: &TableInfo) -> String {
        let mut line = format!("{} {}({} rows):\n", table.kind, table.name, table.row_count);
        for column in &table.columns {
            let mut notes = Vec::new();
            if !column.decl_type.is_empty() {
                notes.push(column.decl_type.clone());
            }
            if column.primary_key {
                notes.push("primary key".to_string());
            }
            if let Some(key) = table.foreign_keys.iter().find(|k| k.column == column.name) {
                notes.push(format!(
                    "→ {}.{}",
                    key.references_table, key.references_column
                ));
            }
            let samples = self.samples(&column.sample_values);
            if !samples.is_empty() {
                notes.push(format!("e.g. {}", samples.join(", ")));
            }
            line.push_str(&format!("  - {} {}\n", column.name, notes.join(", ")));
        }
        line
    }

    fn samples(&self, values: &[Value]) -> Vec<String> {
        if self.schema_only {
            return Vec::new();
        }
        values
            .iter()
            .filter(|v| !v.is_null())
            .take(SAMPLES_PER_COLUMN)
            .map(|v| match v {
                Value::String(s) => format!("'{}'", s.chars().take(40).collect::<String>()),
                other => other.to_string(),
            })
            .collect()
    }

    /// What this context sends, before the number of requests is known.
    pub fn sent(&self, profile: &str, method: &str) -> SentToModel {
        SentToModel {
            profile: profile.to_string(),
            method: method.to_string(),
            tables: self.tables.iter().map(|t| t.name.clone()).collect(),
            columns: self
                .tables
                .iter()
                .flat_map(|t| {
                    t.columns
                        .iter()
                        .map(move |c| format!("{}.{}", t.name, c.name))
                })
                .collect(),
            sample_values: self
                .tables
                .iter()
                .flat_map(|t| t.columns.iter())
                .map(|c| self.samples(&c.sample_values).len())
                .sum(),
            glossary_terms: self.glossary_lines.len(),
            previous_question: self.follow_up.is_some(),
            requests: 0,
            parts: vec!["sql".to_string()],
        }
    }

    /// The schema's name closest to `wrong` (a typo, a plural, another case), when exactly one is
    /// close enough to be sure.
    pub fn nearest_name(&self, kind: NameKind, wrong: &str) -> Option<String> {
        let names = match kind {
            NameKind::Table => &self.all_tables,
            NameKind::Column => &self.all_columns,
        };
        let wrong_lower = wrong.to_lowercase();
        let mut best: Vec<(usize, &String)> = names
            .iter()
            .map(|n| {
                let lower = n.to_lowercase();
                let distance = if singular(&lower) == singular(&wrong_lower) {
                    0
                } else {
                    edit_distance(&lower, &wrong_lower)
                };
                (distance, n)
            })
            .collect();
        best.sort();
        best.dedup_by(|a, b| a.1.eq_ignore_ascii_case(b.1));
        let allowed = (wrong.chars().count() / 4).clamp(1, 2);
        match best.as_slice() {
            [(d, name), rest @ ..]
                if *d <= allowed && rest.first().is_none_or(|(d2, _)| d2 > d) =>
            {
                (!name.eq_ignore_ascii_case(wrong) || *d == 0).then(|| (*name).clone())
            }
            _ => None,
        }
    }
}

const SQL_RULES: &str = "You write exactly one SQLite query that answers a business question about the database described below.
Rules:
- One read-only statement: SELECT, or WITH ... SELECT. Never modify data, never ATTACH, PRAGMA or VACUUM.
- Use only the tables and columns listed, joined through the keys shown (→).
- SQLite dialect: strftime('%Y-%m', d) for months, date(d) for days, strftime('%Y', d) for years; no DATE_TRUNC, no ILIKE, no INTERVAL; || joins text.
- Relative time words (\"last year\", \"last 30 days\", \"this month\") are anchored at the latest date in the data, not today: compute it with (SELECT max(date_column) FROM table).
- Give every computed column a short snake_case alias (revenue, month, order_count).
- For a series over time, put the period first and ORDER BY it ascending.
- Return at most a few thousand rows unless the question asks for every row.
Reply with one JSON object and nothing else: {\"sql\": \"...\", \"explanation\": \"one short sentence\"}";

fn shape_hint(analysis: AnalysisType) -> &'static str {
    match analysis {
        AnalysisType::Forecast | AnalysisType::Trend => {
            "return one row per period, the period first, then the measure"
        }
        AnalysisType::Anomaly => {
            "return one row per period or per item, its label first, then the measure"
        }
        AnalysisType::Correlation => {
            "return one row per entity with the numeric columns to compare"
        }
        AnalysisType::Summary => "return the rows or values to describe",
    }
}

/// "orders" → "order", "categories" → "category": enough to match a table named in the plural.
fn singular(word: &str) -> String {
    let word = word.to_lowercase();
    if let Some(stem) = word.strip_suffix("ies") {
        format!("{stem}y")
    } else if word.ends_with("ss") {
        word
    } else {
        word.strip_suffix('s').map(str::to_string).unwrap_or(word)
    }
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{ColumnInfo, ForeignKeyInfo};

    fn table(name: &str, columns: &[&str], keys: &[(&str, &str)]) -> TableInfo {
        TableInfo {
            name: name.into(),
            kind: "table".into(),
            row_count: 10,
            columns: columns
                .iter()
                .map(|c| ColumnInfo {
                    name: (*c).into(),
                    decl_type: "TEXT".into(),
                    primary_key: false,
                    not_null: false,
                    sample_values: vec![Value::String(format!("{c}-sample"))],
                })
                .collect(),
            foreign_keys: keys
                .iter()
                .map(|(column, to)| ForeignKeyInfo {
                    column: (*column).into(),
                    references_table: (*to).into(),
                    references_column: "id".into(),
                })
                .collect(),
        }
    }

    /// The context of the question "orders" on the two-table schema.
    fn orders_context(schema_only: bool) -> ModelContext {
        ModelContext::new(
            "orders",
            None,
            &schema(0),
            &Glossary::default(),
            &[],
            schema_only,
            None,
        )
    }

    fn schema(extra: usize) -> Schema {
        let mut tables = vec![
            table(
                "orders",
                &["id", "customer_id", "order_date", "amount"],
                &[("customer_id", "customers")],
            ),
            table("customers", &["id", "region", "plan"], &[]),
        ];
        for i in 0..extra {
            tables.push(table(&format!("audit_log_{i}"), &["id", "event"], &[]));
        }
        Schema {
            database: "x".into(),
            tables,
        }
    }

    #[test]
    fn relevant_tables_are_chosen_from_hundreds() {
        let context = ModelContext::new(
            "Total order amount by region",
            None,
            &schema(300),
            &Glossary::default(),
            &[],
            true,
            None,
        );
        let sent = context.sent("p", "llm:x:y");
        assert_eq!(sent.tables, vec!["orders", "customers"]);
        assert!(sent.columns.contains(&"customers.region".to_string()));
        assert!(context.system_prompt().len() < 2000);
        assert!(!context.system_prompt().contains("audit_log"));
    }

    #[test]
    fn schema_only_sends_no_values() {
        let only = orders_context(true);
        assert_eq!(only.sent("p", "m").sample_values, 0);
        assert!(!only.system_prompt().contains("-sample"));
        let with = orders_context(false);
        assert!(with.sent("p", "m").sample_values > 0);
        assert!(with.system_prompt().contains("region-sample"));
    }

    #[test]
    fn near_miss_names_are_found_only_when_unambiguous() {
        let context = orders_context(true);
        assert_eq!(
            context.nearest_name(NameKind::Column, "amout").as_deref(),
            Some("amount")
        );
        assert_eq!(
            context.nearest_name(NameKind::Table, "order").as_deref(),
            Some("orders")
        );
        assert_eq!(
            context.nearest_name(NameKind::Column, "Region").as_deref(),
            Some("region")
        );
        assert_eq!(context.nearest_name(NameKind::Column, "revenue"), None);
    }

    #[test]
    fn follow_ups_carry_the_previous_question_and_sql() {
        let context = ModelContext::new(
            "now only the West region",
            None,
            &schema(0),
            &Glossary::default(),
            &[],
            true,
            Some(FollowUp {
                question: "Total order amount by month".into(),
                sql: Some("SELECT 1".into()),
            }),
        );
        let turns = context.turns();
        assert_eq!(turns.len(), 3);
        assert!(turns[1].content.contains("SELECT 1"));
        assert!(turns[2].content.contains("West"));
        assert!(context.sent("p", "m").previous_question);
    }
}
