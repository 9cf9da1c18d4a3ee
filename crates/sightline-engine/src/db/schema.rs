//! [`Schema`]: the tables and views of the user's database, their columns, keys, row counts and
//! a few sample values, read on a connection of its own (S5 last line) whose authorizer also
//! allows the `pragma_table_info` / `pragma_foreign_key_list` functions. User SQL never runs there.

use std::time::{Duration, Instant};

use rusqlite::types::ValueRef;
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

use super::DbError;
use super::connection::ReadOnlyConnection;
use super::result::real_to_text;
use crate::progress::CancelToken;

/// Everything the planner and the user need to know about the database's structure.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Schema {
    pub database: String,
    pub tables: Vec<TableInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct TableInfo {
    pub name: String,
    /// "table" or "view".
    pub kind: String,
    #[ts(type = "number")]
    pub row_count: u64,
    pub columns: Vec<ColumnInfo>,
    pub foreign_keys: Vec<ForeignKeyInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ColumnInfo {
    pub name: String,
    pub decl_type: String,
    pub primary_key: bool,
    pub not_null: bool,
    /// Up to 5 distinct non-null values, from the first rows of the table.
    #[ts(type = "Array<string | number | null>")]
    pub sample_values: Vec<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ForeignKeyInfo {
    pub column: String,
    pub references_table: String,
    pub references_column: String,
}

impl Schema {
    pub fn table(&self, name: &str) -> Option<&TableInfo> {
        self.tables.iter().find(|t| t.name == name)
    }
}

impl TableInfo {
    pub fn column(&self, name: &str) -> Option<&ColumnInfo> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// The whole introspection may take this long (counting rows of big tables is a full scan).
const SCHEMA_DEADLINE: Duration = Duration::from_secs(30);
/// A view is counted only if that takes less than this; otherwise its count is left at 0.
const VIEW_COUNT_BUDGET: Duration = Duration::from_secs(2);
/// Sample values come from this many first rows, so sampling never scans a big table.
const SAMPLE_SCAN_ROWS: usize = 1000;
const SAMPLES: usize = 5;
const SAMPLE_TEXT_CHARS: usize = 80;

/// `"name"` with inner quotes doubled: safe for any table or column name.
pub fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Reads the schema on `conn`, which must have been opened with the introspection policy.
pub(crate) fn read(conn: &ReadOnlyConnection, database: String) -> Result<Schema, DbError> {
    let started = Instant::now();
    let remaining = || SCHEMA_DEADLINE.saturating_sub(started.elapsed());
    let cancel = CancelToken::new();
    let sql_err = |e: rusqlite::Error| conn.map_error(e, Some(SCHEMA_DEADLINE));

    let objects: Vec<(String, String)> = {
        let _armed = conn.arm(remaining(), &cancel);
        let mut stmt = conn
            .conn
            .prepare(
                "SELECT name, type FROM sqlite_schema \
                 WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
                 ORDER BY name",
            )
            .map_err(sql_err)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(sql_err)?;
        rows.collect::<Result<_, _>>().map_err(sql_err)?
    };

    let mut tables = Vec::with_capacity(objects.len());
    for (name, kind) in objects {
        let _armed = conn.arm(remaining(), &cancel);
        let mut columns = table_columns(conn, &name).map_err(sql_err)?;
        let foreign_keys = foreign_keys(conn, &name).map_err(sql_err)?;
        drop(_armed);

        let row_count = if kind == "view" {
            let _armed = conn.arm(VIEW_COUNT_BUDGET.min(remaining()), &cancel);
            count_rows(conn, &name).unwrap_or(0)
        } else {
            let _armed = conn.arm(remaining(), &cancel);
            count_rows(conn, &name).map_err(sql_err)?
        };

        for column in &mut columns {
            let _armed = conn.arm(VIEW_COUNT_BUDGET.min(remaining()), &cancel);
            // Sampling is a nicety: a view that fails or is slow just has no samples.
            column.sample_values = samples(conn, &name, &column.name).unwrap_or_default();
        }
        tables.push(TableInfo {
            name,
            kind,
            row_count,
            columns,
            foreign_keys,
        });
    }
    Ok(Schema { database, tables })
}

fn table_columns(conn: &ReadOnlyConnection, table: &str) -> rusqlite::Result<Vec<ColumnInfo>> {
    let mut stmt = conn
        .conn
        .prepare("SELECT name, type, \"notnull\", pk FROM pragma_table_info(?1)")?;
    let rows = stmt.query_map([table], |r| {
        Ok(ColumnInfo {
            name: r.get(0)?,
            decl_type: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
            not_null: r.get::<_, i64>(2)? != 0,
            primary_key: r.get::<_, i64>(3)? != 0,
            sample_values: Vec::new(),
        })
    })?;
    rows.collect()
}

fn foreign_keys(conn: &ReadOnlyConnection, table: &str) -> rusqlite::Result<Vec<ForeignKeyInfo>> {
    let mut stmt = conn.conn.prepare(
        "SELECT \"from\", \"table\", \"to\" FROM pragma_foreign_key_list(?1) ORDER BY id, seq",
    )?;
    let rows = stmt.query_map([table], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<String>>(2)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (column, references_table, to) = row?;
        // A reference without a column means the referenced table's primary key.
        let references_column = match to {
            Some(c) => c,
            None => primary_key_of(conn, &references_table).unwrap_or_default(),
        };
        out.push(ForeignKeyInfo {
            column,
            references_table,
            references_column,
        });
    }
    Ok(out)
}

fn primary_key_of(conn: &ReadOnlyConnection, table: &str) -> rusqlite::Result<String> {
    conn.conn.query_row(
        "SELECT name FROM pragma_table_info(?1) WHERE pk = 1",
        [table],
        |r| r.get(0),
    )
}

fn count_rows(conn: &ReadOnlyConnection, table: &str) -> rusqlite::Result<u64> {
    let sql = format!("SELECT count(*) FROM {}", quote_identifier(table));
    let n: i64 = conn.conn.query_row(&sql, [], |r| r.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

fn samples(conn: &ReadOnlyConnection, table: &str, column: &str) -> rusqlite::Result<Vec<Value>> {
    let c = quote_identifier(column);
    let sql = format!(
        "SELECT DISTINCT v FROM (SELECT {c} AS v FROM {} WHERE {c} IS NOT NULL LIMIT {SAMPLE_SCAN_ROWS}) LIMIT {SAMPLES}",
        quote_identifier(table)
    );
    let mut stmt = conn.conn.prepare(&sql)?;
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(match row.get_ref(0)? {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(i) => Value::from(i),
            ValueRef::Real(f) => serde_json::Number::from_f64(f)
                .map_or_else(|| Value::String(real_to_text(f)), Value::Number),
            ValueRef::Text(t) => Value::String(shorten(&String::from_utf8_lossy(t))),
            ValueRef::Blob(b) => Value::String(format!("<blob {} bytes>", b.len())),
        });
    }
    Ok(out)
}

fn shorten(s: &str) -> String {
    if s.chars().count() <= SAMPLE_TEXT_CHARS {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(SAMPLE_TEXT_CHARS).collect();
        out.push('…');
        out
    }
}
