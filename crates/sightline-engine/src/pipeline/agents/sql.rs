//! The SQL agent: asks a model for one SQLite query answering the question, then checks it the
//! way SQLite itself would run it, repairing what it safely can and sending the rest back.
//!
//! Each attempt: take the SQL out of the reply (a JSON object, a fenced block or bare text) →
//! [`validate`](crate::db::ReadOnlyConnection::validate) (one read-only statement; SQLite compiles
//! it, so every table and column is checked against the schema) → on "no such column/table",
//! replace a near-miss name by the schema's one and validate again without asking the model →
//! otherwise the error goes back to the model, up to [`MAX_ATTEMPTS`] replies. The validated
//! statement then runs through the same execute stage as the offline planner's.

use serde_json::Value;

use super::context::ModelContext;
use crate::db::{DbError, ReadOnlyConnection, ValidatedSql};
use crate::error::{EngineError, ErrorKind, HasKind};
use crate::llm::LlmClient;
use crate::llm::wire::{self, ChatRequest};
use crate::progress::CancelToken;

/// Replies asked for per question, the first included.
pub const MAX_ATTEMPTS: usize = 3;

/// SQL the model wrote that passed every check.
#[derive(Debug)]
pub struct Written {
    pub validated: ValidatedSql,
    /// Model replies it took (1 = right the first time).
    pub attempts: usize,
    /// Names the agent corrected, as "amout → amount".
    pub repairs: Vec<String>,
    /// The model's one-sentence reading of its query.
    pub explanation: Option<String>,
}

/// Why no usable SQL came back, and how many replies were tried.
#[derive(Debug)]
pub struct Failed {
    pub error: EngineError,
    pub attempts: usize,
}

/// Asks the model for SQL and checks it, up to [`MAX_ATTEMPTS`] times.
pub fn write(
    client: &LlmClient,
    context: &ModelContext,
    connection: &ReadOnlyConnection,
    cancel: &CancelToken,
) -> Result<Written, Failed> {
    let request = ChatRequest {
        system: context.system_prompt(),
        turns: context.turns(),
        json: true,
        max_tokens: 1024,
        stream: true,
    };
    let checked = super::converse(client, request, MAX_ATTEMPTS, "SQL", cancel, |text| {
        let (sql, explanation) = take_sql(text).map_err(|e| e.message)?;
        let (validated, repairs) = check(&sql, context, connection).map_err(|e| e.message)?;
        Ok((validated, repairs, explanation))
    });
    match checked {
        Ok(((validated, repairs, explanation), attempts)) => Ok(Written {
            validated,
            attempts,
            repairs,
            explanation,
        }),
        Err((error, attempts)) => Err(Failed { error, attempts }),
    }
}

/// The SQL and explanation in a reply: `{"sql": ..., "explanation": ...}`, a ```sql block, or a
/// bare statement.
fn take_sql(text: &str) -> Result<(String, Option<String>), EngineError> {
    if let Ok(object) = wire::json_object(text) {
        let sql = object.get("sql").and_then(Value::as_str).map(str::trim);
        let explanation = object
            .get("explanation")
            .and_then(Value::as_str)
            .map(|e| e.chars().take(400).collect());
        return match sql {
            Some(sql) if !sql.is_empty() => Ok((sql.to_string(), explanation)),
            _ => Err(problem("the JSON object has no \"sql\" string")),
        };
    }
    if let Some(block) = wire::fenced_block(text, &["sql", "sqlite", ""]) {
        return Ok((block.trim().to_string(), None));
    }
    let bare = text.trim();
    let first = bare
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_ascii_uppercase();
    if first == "SELECT" || first == "WITH" {
        return Ok((bare.to_string(), None));
    }
    Err(problem(
        "the reply holds no SQL; answer with {\"sql\": \"SELECT ...\", \"explanation\": \"...\"}",
    ))
}

/// Validates `sql`, repairing near-miss table and column names (at most a few) first.
fn check(
    sql: &str,
    context: &ModelContext,
    connection: &ReadOnlyConnection,
) -> Result<(ValidatedSql, Vec<String>), EngineError> {
    let mut sql = sql.trim().trim_end_matches(';').trim().to_string();
    let mut repairs = Vec::new();
    for _ in 0..4 {
        match connection.validate(&sql) {
            Ok(validated) => return Ok((validated, repairs)),
            Err(error) => {
                let repaired = unknown_name(&error).and_then(|(what, wrong)| {
                    let right = context.nearest_name(what, &wrong)?;
                    let fixed = replace_identifier(&sql, &wrong, &right)?;
                    Some((fixed, format!("{wrong} → {right}")))
                });
                match repaired {
                    Some((fixed, note)) => {
                        sql = fixed;
                        repairs.push(note);
                    }
                    None => return Err(rejection(&error)),
                }
            }
        }
    }
    Err(problem("too many unknown names"))
}

/// `("column", "amout")` from SQLite's "no such column: amout" (or `o.amout`), likewise tables.
fn unknown_name(error: &DbError) -> Option<(NameKind, String)> {
    let text = error.to_string();
    for (marker, kind) in [
        ("no such column: ", NameKind::Column),
        ("no such table: ", NameKind::Table),
    ] {
        if let Some(at) = text.find(marker) {
            let name: String = text[at + marker.len()..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '.'))
                .collect();
            // "o.amout", "main.orderz": the name is the last part; SQLite's sentence may end
            // with a full stop.
            let name = name
                .trim_end_matches('.')
                .rsplit('.')
                .next()
                .unwrap_or_default()
                .to_string();
            if !name.is_empty() {
                return Some((kind, name));
            }
        }
    }
    None
}

/// What kind of name SQLite did not find.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    Table,
    Column,
}

/// `sql` with the identifier `wrong` replaced by `right` wherever it stands as a whole word
/// outside string literals; `None` when it does not occur so.
fn replace_identifier(sql: &str, wrong: &str, right: &str) -> Option<String> {
    let mut out = String::with_capacity(sql.len());
    let mut replaced = false;
    let mut chars = sql.char_indices().peekable();
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    while let Some((i, c)) = chars.next() {
        if c == '\'' {
            // A string literal: copied as is, '' included.
            out.push(c);
            for (_, d) in chars.by_ref() {
                out.push(d);
                if d == '\'' {
                    break;
                }
            }
            continue;
        }
        if is_word(c) {
            let start = i;
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = chars.peek() {
                if !is_word(d) {
                    break;
                }
                end = j + d.len_utf8();
                chars.next();
            }
            let word = &sql[start..end];
            if word.eq_ignore_ascii_case(wrong) {
                out.push_str(right);
                replaced = true;
            } else {
                out.push_str(word);
            }
            continue;
        }
        if c == '"' || c == '`' {
            // A quoted identifier.
            let close = c;
            let mut name = String::new();
            for (_, d) in chars.by_ref() {
                if d == close {
                    break;
                }
                name.push(d);
            }
            out.push('"');
            if name.eq_ignore_ascii_case(wrong) {
                out.push_str(right);
                replaced = true;
            } else {
                out.push_str(&name.replace('"', "\"\""));
            }
            out.push('"');
            continue;
        }
        out.push(c);
    }
    replaced.then_some(out)
}

fn rejection(error: &DbError) -> EngineError {
    EngineError::new(error.kind(), error.to_string())
}

fn problem(why: &str) -> EngineError {
    EngineError::new(ErrorKind::LlmFailed, why)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sql_is_taken_from_json_fences_or_bare_text() {
        let (sql, why) = take_sql(r#"{"sql": "SELECT 1", "explanation": "one"}"#).unwrap();
        assert_eq!((sql.as_str(), why.as_deref()), ("SELECT 1", Some("one")));
        let (sql, _) = take_sql("Here you go:\n```sql\nSELECT 2\n```").unwrap();
        assert_eq!(sql, "SELECT 2");
        let (sql, _) = take_sql("  with t as (select 3) select * from t").unwrap();
        assert!(sql.starts_with("with"));
        assert!(take_sql("I cannot help with that.").is_err());
        assert!(take_sql(r#"{"query": "SELECT 1"}"#).is_err());
    }

    #[test]
    fn identifiers_are_replaced_as_whole_words_outside_literals() {
        let sql = "SELECT o.amout, 'amout' AS label, \"amout\" FROM orders o WHERE amout_x > 0";
        let fixed = replace_identifier(sql, "amout", "amount").unwrap();
        assert_eq!(
            fixed,
            "SELECT o.amount, 'amout' AS label, \"amount\" FROM orders o WHERE amout_x > 0"
        );
        assert!(replace_identifier("SELECT 1", "amout", "amount").is_none());
    }
}
