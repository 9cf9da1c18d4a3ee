//! [`QueryResult`]: a column-oriented, typed query result, built straight from SQLite's values.
//!
//! SQLite is dynamically typed, so each column's type is inferred from its values while reading:
//! all integers → `Int`, integers and reals → `Real`, anything textual → `Text` (numbers
//! formatted, blobs shown as `<blob N bytes>`). A column is promoted at most once per step
//! (Int → Real → Text), so loading stays a tight loop of pushes into typed vectors.

use polars::prelude::{Column, DataFrame, IntoColumn, NamedFrom, Series};
use rusqlite::types::ValueRef;
use serde_json::Value;

use super::DbError;

/// The rows a query returned, one typed vector per column.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryResult {
    pub columns: Vec<ColumnData>,
    pub row_count: usize,
}

/// One result column: its name, the declared type of the table column it comes from (if any),
/// and its values.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnData {
    pub name: String,
    pub decl_type: Option<String>,
    pub values: ColumnValues,
}

/// The values of one column, all of one inferred type; `None` is SQL NULL.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnValues {
    Int(Vec<Option<i64>>),
    Real(Vec<Option<f64>>),
    Text(Vec<Option<String>>),
}

impl ColumnValues {
    pub fn len(&self) -> usize {
        match self {
            ColumnValues::Int(v) => v.len(),
            ColumnValues::Real(v) => v.len(),
            ColumnValues::Text(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value at `row` as JSON: numbers as numbers, NULL and non-finite floats as null.
    pub fn json_at(&self, row: usize) -> Value {
        match self {
            ColumnValues::Int(v) => v
                .get(row)
                .copied()
                .flatten()
                .map_or(Value::Null, Value::from),
            ColumnValues::Real(v) => v
                .get(row)
                .copied()
                .flatten()
                .and_then(serde_json::Number::from_f64)
                .map_or(Value::Null, Value::Number),
            ColumnValues::Text(v) => v
                .get(row)
                .and_then(|s| s.as_deref())
                .map_or(Value::Null, |s| Value::String(s.to_string())),
        }
    }
}

impl QueryResult {
    /// The first column called `name`.
    pub fn column(&self, name: &str) -> Option<&ColumnData> {
        self.columns.iter().find(|c| c.name == name)
    }

    pub fn column_names(&self) -> Vec<String> {
        self.columns.iter().map(|c| c.name.clone()).collect()
    }

    /// The first `limit` rows as JSON values (numbers as numbers, NULL as null; non-finite
    /// floats as null).
    pub fn rows_json(&self, limit: usize) -> Vec<Vec<Value>> {
        (0..self.row_count.min(limit))
            .map(|row| self.columns.iter().map(|c| c.values.json_at(row)).collect())
            .collect()
    }

    /// The whole result as a polars DataFrame: Int64, Float64 and String columns. Repeated
    /// names get a suffix (`a`, `a_2`) because a DataFrame needs unique names.
    pub fn to_dataframe(&self) -> Result<DataFrame, DbError> {
        let names = unique_names(&self.columns);
        let columns: Vec<Column> = self
            .columns
            .iter()
            .zip(names)
            .map(|(c, name)| {
                let series = match &c.values {
                    ColumnValues::Int(v) => Series::new(name.into(), v.as_slice()),
                    ColumnValues::Real(v) => Series::new(name.into(), v.as_slice()),
                    ColumnValues::Text(v) => Series::new(name.into(), v.as_slice()),
                };
                series.into_column()
            })
            .collect();
        DataFrame::new(self.row_count, columns).map_err(|e| DbError::Frame {
            message: e.to_string(),
        })
    }
}

fn unique_names(columns: &[ColumnData]) -> Vec<String> {
    let base = |i: usize, c: &ColumnData| {
        if c.name.is_empty() {
            format!("column_{}", i + 1)
        } else {
            c.name.clone()
        }
    };
    let originals: std::collections::HashSet<String> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| base(i, c))
        .collect();
    let mut used = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(columns.len());
    for (i, c) in columns.iter().enumerate() {
        let base = base(i, c);
        let mut name = base.clone();
        let mut n = 2;
        // A renamed column must clash neither with an earlier column nor with a later original.
        while used.contains(&name) || (name != base && originals.contains(&name)) {
            name = format!("{base}_{n}");
            n += 1;
        }
        used.insert(name.clone());
        out.push(name);
    }
    out
}

/// Accumulates one column while rows are read.
#[derive(Debug)]
pub(crate) enum ColumnBuilder {
    /// Only NULLs so far (this many).
    Nulls(usize),
    Int(Vec<Option<i64>>),
    Real(Vec<Option<f64>>),
    Text(Vec<Option<String>>),
}

/// Approximate memory of one value slot, for the byte cap.
const SLOT: usize = 16;

impl ColumnBuilder {
    /// Appends one value and returns the bytes it adds (for the result size cap).
    #[inline]
    pub(crate) fn push(&mut self, value: ValueRef<'_>) -> usize {
        match (&mut *self, value) {
            (ColumnBuilder::Int(v), ValueRef::Integer(i)) => v.push(Some(i)),
            (ColumnBuilder::Real(v), ValueRef::Real(f)) => v.push(Some(f)),
            (ColumnBuilder::Real(v), ValueRef::Integer(i)) => v.push(Some(i as f64)),
            (ColumnBuilder::Int(v), ValueRef::Null) => v.push(None),
            (ColumnBuilder::Real(v), ValueRef::Null) => v.push(None),
            (ColumnBuilder::Text(v), ValueRef::Null) => v.push(None),
            (ColumnBuilder::Nulls(n), ValueRef::Null) => *n += 1,
            (ColumnBuilder::Text(v), other) => {
                let s = to_text(other);
                let len = s.as_ref().map_or(0, String::len);
                v.push(s);
                return SLOT + len;
            }
            (_, other) => return self.promote_and_push(other),
        }
        SLOT
    }

    /// The value does not fit the current type: convert once, then push.
    #[cold]
    fn promote_and_push(&mut self, value: ValueRef<'_>) -> usize {
        let current = std::mem::replace(self, ColumnBuilder::Nulls(0));
        *self = match (current, value) {
            (ColumnBuilder::Nulls(n), ValueRef::Integer(_)) => ColumnBuilder::Int(vec![None; n]),
            (ColumnBuilder::Nulls(n), ValueRef::Real(_)) => ColumnBuilder::Real(vec![None; n]),
            (ColumnBuilder::Nulls(n), _) => ColumnBuilder::Text(vec![None; n]),
            (ColumnBuilder::Int(v), ValueRef::Real(_)) => {
                ColumnBuilder::Real(v.into_iter().map(|x| x.map(|i| i as f64)).collect())
            }
            (ColumnBuilder::Int(v), _) => {
                ColumnBuilder::Text(v.into_iter().map(|x| x.map(|i| i.to_string())).collect())
            }
            (ColumnBuilder::Real(v), _) => {
                ColumnBuilder::Text(v.into_iter().map(|x| x.map(real_to_text)).collect())
            }
            (text @ ColumnBuilder::Text(_), _) => text,
        };
        match self {
            // Every arm above yields a type that accepts `value` without a further promotion.
            ColumnBuilder::Nulls(_) => SLOT,
            _ => self.push(value),
        }
    }

    /// The finished column; a column of only NULLs takes its type from the declared type.
    pub(crate) fn finish(self, decl_type: Option<&str>) -> ColumnValues {
        match self {
            ColumnBuilder::Int(v) => ColumnValues::Int(v),
            ColumnBuilder::Real(v) => ColumnValues::Real(v),
            ColumnBuilder::Text(v) => ColumnValues::Text(v),
            ColumnBuilder::Nulls(n) => match affinity(decl_type) {
                Affinity::Int => ColumnValues::Int(vec![None; n]),
                Affinity::Real => ColumnValues::Real(vec![None; n]),
                Affinity::Text => ColumnValues::Text(vec![None; n]),
            },
        }
    }
}

enum Affinity {
    Int,
    Real,
    Text,
}

/// SQLite's affinity rules (https://sqlite.org/datatype3.html §3.1), reduced to our three types;
/// NUMERIC-affinity names that usually hold dates or flags (DATE, BOOLEAN) stay text.
fn affinity(decl_type: Option<&str>) -> Affinity {
    let Some(t) = decl_type else {
        return Affinity::Text;
    };
    let t = t.to_ascii_uppercase();
    if t.contains("INT") {
        Affinity::Int
    } else if ["REAL", "FLOA", "DOUB", "NUM", "DEC"]
        .iter()
        .any(|k| t.contains(k))
    {
        Affinity::Real
    } else {
        Affinity::Text
    }
}

fn to_text(value: ValueRef<'_>) -> Option<String> {
    match value {
        ValueRef::Null => None,
        ValueRef::Integer(i) => Some(i.to_string()),
        ValueRef::Real(f) => Some(real_to_text(f)),
        ValueRef::Text(bytes) => Some(match std::str::from_utf8(bytes) {
            Ok(s) => s.to_owned(),
            Err(_) => String::from_utf8_lossy(bytes).into_owned(),
        }),
        ValueRef::Blob(b) => Some(format!("<blob {} bytes>", b.len())),
    }
}

/// A real as SQLite would print it: whole numbers keep a ".0".
pub(crate) fn real_to_text(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{f:.1}")
    } else {
        format!("{f}")
    }
}
