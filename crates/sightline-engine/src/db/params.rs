//! [`SqlParams`]: the values a statement's placeholders are bound to. Data values (a category
//! taken from the data, a date bound, a number from the question) reach SQLite only this way,
//! never pasted into the SQL text (SECURITY.md S7).
//!
//! The planner collects values with [`SqlParams::bind`], which hands back a numbered placeholder
//! (`?1`, `?2`, ...) to write into the SQL; numbered placeholders let one value appear in several
//! places of a statement (a time range in a WHERE clause and again in a CASE) without caring in
//! which order the pieces are assembled. [`SqlParams::keep_used`] then renumbers the placeholders
//! in their order in the text and drops values no placeholder uses, so a finished statement has
//! exactly as many values as placeholders, in order.

use rusqlite::ToSql;
use rusqlite::types::{ToSqlOutput, ValueRef};
use serde::Serialize;

use super::sql_text::{self, PlaceholderForm};

/// One bound value. Serialised as a JSON string or number (the answer's `sql_params`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum SqlParam {
    Text(String),
    Integer(i64),
    Real(f64),
}

impl SqlParam {
    /// A number from the question: an integer when it is a whole number an `i64` holds exactly,
    /// so it compares (and displays) as the integer literal it used to be written as.
    pub fn number(value: f64) -> SqlParam {
        const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
        if value.fract() == 0.0 && value.abs() < EXACT {
            // Whole and within ±2^53, so the conversion is exact.
            SqlParam::Integer(value as i64)
        } else {
            SqlParam::Real(value)
        }
    }

    /// The same value, considered equal when bound twice (reals by their bits, so a NaN is one).
    fn same(&self, other: &SqlParam) -> bool {
        match (self, other) {
            (SqlParam::Real(a), SqlParam::Real(b)) => a.to_bits() == b.to_bits(),
            _ => self == other,
        }
    }
}

impl From<String> for SqlParam {
    fn from(text: String) -> Self {
        SqlParam::Text(text)
    }
}

impl From<&str> for SqlParam {
    fn from(text: &str) -> Self {
        SqlParam::Text(text.to_string())
    }
}

impl From<i64> for SqlParam {
    fn from(n: i64) -> Self {
        SqlParam::Integer(n)
    }
}

impl From<f64> for SqlParam {
    fn from(x: f64) -> Self {
        SqlParam::Real(x)
    }
}

impl ToSql for SqlParam {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            SqlParam::Text(text) => ValueRef::Text(text.as_bytes()),
            SqlParam::Integer(n) => ValueRef::Integer(*n),
            SqlParam::Real(x) => ValueRef::Real(*x),
        }))
    }
}

/// The values of a statement's placeholders, in index order (the first is `?1`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct SqlParams(Vec<SqlParam>);

impl SqlParams {
    /// No values: for SQL written by a person, which holds its values as literals.
    pub fn new() -> Self {
        SqlParams(Vec::new())
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn as_slice(&self) -> &[SqlParam] {
        &self.0
    }

    pub fn iter(&self) -> std::slice::Iter<'_, SqlParam> {
        self.0.iter()
    }

    /// Adds `value` (or finds it, when the same value is already bound) and returns the
    /// placeholder to write into the SQL in its place: `?1`, `?2`, ...
    pub fn bind(&mut self, value: impl Into<SqlParam>) -> String {
        let value = value.into();
        let index = match self.0.iter().position(|v| v.same(&value)) {
            Some(at) => at + 1,
            None => {
                self.0.push(value);
                self.0.len()
            }
        };
        format!("?{index}")
    }

    /// `sql` with its numbered placeholders renumbered `?1`, `?2`, ... in the order they first
    /// appear, and the values they use in that order; a value no placeholder uses is dropped.
    /// Only `?NNN` placeholders naming one of these values are renumbered: anything else is left
    /// as written, for the validator to refuse when the counts then differ.
    pub fn keep_used(self, sql: &str) -> (String, SqlParams) {
        let mut order: Vec<usize> = Vec::new();
        let mut out = String::with_capacity(sql.len());
        let mut last = 0;
        for placeholder in sql_text::placeholders(sql) {
            let ours = placeholder.form == PlaceholderForm::Numbered
                && (1..=self.0.len()).contains(&placeholder.index);
            if !ours {
                continue;
            }
            let new_index = match order.iter().position(|&old| old == placeholder.index) {
                Some(at) => at + 1,
                None => {
                    order.push(placeholder.index);
                    order.len()
                }
            };
            out.push_str(&sql[last..placeholder.start]);
            out.push_str(&format!("?{new_index}"));
            last = placeholder.end;
        }
        out.push_str(&sql[last..]);
        let values = order
            .iter()
            .filter_map(|&old| self.0.get(old - 1).cloned())
            .collect();
        (out, SqlParams(values))
    }
}

impl From<Vec<SqlParam>> for SqlParams {
    fn from(values: Vec<SqlParam>) -> Self {
        SqlParams(values)
    }
}

impl<'a> IntoIterator for &'a SqlParams {
    type Item = &'a SqlParam;
    type IntoIter = std::slice::Iter<'a, SqlParam>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bind_reuses_an_equal_value() {
        let mut params = SqlParams::new();
        assert_eq!(params.bind("West"), "?1");
        assert_eq!(params.bind(SqlParam::number(100.0)), "?2");
        assert_eq!(
            params.bind("West"),
            "?1",
            "the same value, the same placeholder"
        );
        assert_eq!(params.bind(SqlParam::number(2.5)), "?3");
        assert_eq!(
            params.as_slice(),
            &[
                SqlParam::Text("West".into()),
                SqlParam::Integer(100),
                SqlParam::Real(2.5)
            ]
        );
    }

    #[test]
    fn keep_used_renumbers_in_text_order_and_drops_the_unused() {
        let mut params = SqlParams::new();
        let (a, b, c) = (params.bind("a"), params.bind("b"), params.bind("c"));
        let sql = format!("SELECT {c} AS x, '{a}?9' AS y WHERE {c} > {a} -- {b}\n AND :n = ?");
        let (sql, params) = params.keep_used(&sql);
        assert_eq!(
            sql, "SELECT ?1 AS x, '?1?9' AS y WHERE ?1 > ?2 -- ?2\n AND :n = ?",
            "placeholders in strings, comments, named and anonymous ones are left alone"
        );
        assert_eq!(
            params.as_slice(),
            &[SqlParam::Text("c".into()), SqlParam::Text("a".into())]
        );
    }

    #[test]
    fn whole_numbers_bind_as_integers() {
        assert_eq!(SqlParam::number(3.0), SqlParam::Integer(3));
        assert_eq!(SqlParam::number(-4.0), SqlParam::Integer(-4));
        assert_eq!(SqlParam::number(0.5), SqlParam::Real(0.5));
        assert_eq!(SqlParam::number(1e20), SqlParam::Real(1e20));
    }

    #[test]
    fn serialises_as_plain_json_values() {
        let params = SqlParams::from(vec![
            SqlParam::Text("O'Brien".into()),
            SqlParam::Integer(7),
            SqlParam::Real(2.5),
        ]);
        assert_eq!(
            serde_json::to_string(&params).ok().as_deref(),
            Some(r#"["O'Brien",7,2.5]"#)
        );
    }
}
