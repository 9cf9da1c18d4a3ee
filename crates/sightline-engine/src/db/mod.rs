//! The read-only SQLite layer: opening the user's database safely (S6), hardened connections that
//! can only read (S5), the validator that alone makes a [`ValidatedSql`], fast typed loading of
//! results ([`QueryResult`]) and schema introspection ([`Schema`]). Values reach SQLite bound to
//! placeholders ([`SqlParams`]); [`display_form`] writes them out as literals for people to read.
//!
//! Architecture invariants:
//! - nothing here writes, creates or deletes a file: the database, its `-wal` and its directory
//!   are byte-identical afterwards (enforced by the `sightline-ro` VFS, not only by flags);
//! - every connection is made by [`ReadOnlyConnection::open`] with the full S5 hardening;
//! - user SQL runs only as a [`ValidatedSql`], on a connection with the query policy; schema
//!   introspection uses its own connection;
//! - a statement runs with exactly as many bound values as it has placeholders; the display form
//!   of a statement is never executed;
//! - every wait is bounded: busy timeout, deadlines, no blocking open of special files.

mod connection;
mod error;
mod files;
mod functions;
mod grouped;
mod params;
mod result;
mod schema;
mod sql_text;
mod vfs;

use std::path::{Path, PathBuf};

pub use connection::{QueryLimits, ReadOnlyConnection, ValidatedSql};
pub use error::DbError;
pub use grouped::{Aggregate, GroupOrder, GroupedScan};
pub use params::{SqlParam, SqlParams};
pub use result::{ColumnData, ColumnValues, QueryResult};
pub use rusqlite::InterruptHandle;
pub use schema::{ColumnInfo, ForeignKeyInfo, Schema, TableInfo, quote_identifier};
pub use sql_text::display_form;

use connection::Policy;

use crate::error::{ErrorKind, HasKind};
use crate::progress::CancelToken;

/// How many tables [`Database::open`] touches to catch a damaged file early.
const PROBED_TABLES: usize = 200;

/// A SQLite database file that passed every S6 check. Cheap to clone; connections are made on
/// demand with [`Database::connect`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Database {
    path: PathBuf,
    url: String,
}

impl Database {
    /// Accepts a file path or a `sqlite:///abs/path` / `sqlite://rel/path` URL, checks the file
    /// (exists, regular, readable, non-empty, SQLite header, not truncated) and then probes it
    /// through a hardened connection (locks, hot journal, WAL, corrupt schema or table roots).
    pub fn open(location: &str) -> Result<Database, DbError> {
        let raw = parse_location(location)?;
        let path = files::preflight(&raw)?;
        let url = format!(
            "sqlite://{}",
            connection::percent_encode(path.as_os_str().as_encoded_bytes())
        );
        let db = Database { path, url };
        db.probe()?;
        Ok(db)
    }

    /// `sqlite:///abs/path`, percent-encoded where needed.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// The canonical path of the database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A fresh hardened connection for user SQL.
    pub fn connect(&self) -> Result<ReadOnlyConnection, DbError> {
        ReadOnlyConnection::open(&self.path, Policy::Query)
    }

    /// Tables and views with columns, keys, row counts and samples, on a connection of its own.
    pub fn schema(&self) -> Result<Schema, DbError> {
        let conn = ReadOnlyConnection::open(&self.path, Policy::Introspection)?;
        schema::read(&conn, self.url.clone())
    }

    /// Reads the schema and the first row of each table, so a locked, half-written or damaged
    /// file is reported at open time with a clear message rather than mid-question.
    fn probe(&self) -> Result<(), DbError> {
        let conn = self.connect()?;
        let cancel = CancelToken::new();
        let limit = std::time::Duration::from_secs(10);
        let _armed = conn.arm(limit, &cancel);
        let err = |e: rusqlite::Error| conn.map_error(e, Some(limit));
        let tables: Vec<String> = {
            let mut stmt = conn
                .conn
                .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")
                .map_err(err)?;
            let rows = stmt.query_map([], |r| r.get(0)).map_err(err)?;
            rows.collect::<Result<_, _>>().map_err(err)?
        };
        for table in tables.iter().take(PROBED_TABLES) {
            let sql = format!("SELECT * FROM {} LIMIT 1", quote_identifier(table));
            let outcome = conn
                .conn
                .prepare(&sql)
                .and_then(|mut stmt| stmt.raw_query().next().map(|_| ()));
            if let Err(e) = outcome {
                // Only file-level problems count here (locked, damaged, unreadable); a table
                // SQLite cannot query for another reason (a missing virtual-table module, an
                // untrusted function in a generated column) is reported when a query uses it.
                let mapped = conn.map_error(e, Some(limit));
                if mapped.kind() == ErrorKind::BadInput || mapped.kind() == ErrorKind::Timeout {
                    return Err(mapped);
                }
            }
        }
        Ok(())
    }
}

/// A path from a plain path or a `sqlite://` (or `file://`) URL.
fn parse_location(location: &str) -> Result<PathBuf, DbError> {
    let invalid = || DbError::InvalidLocation {
        location: location.to_string(),
    };
    let trimmed = location.trim();
    if trimmed.is_empty() {
        return Err(invalid());
    }
    let rest = ["sqlite://", "file://"]
        .iter()
        .find_map(|p| trimmed.strip_prefix(p));
    let Some(rest) = rest else {
        if trimmed.starts_with("sqlite:") {
            return Err(invalid());
        }
        return Ok(PathBuf::from(location));
    };
    // Options such as ?mode=ro or ?immutable=1 are not taken from the user: Sightline sets them.
    if rest.contains('?') || rest.contains('#') {
        return Err(invalid());
    }
    let decoded = percent_decode(rest).ok_or_else(invalid)?;
    if decoded.is_empty() {
        return Err(invalid());
    }
    Ok(PathBuf::from(decoded))
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(location: &str, expect: Option<&str>) {
        let got = parse_location(location).ok();
        assert_eq!(
            got.as_deref(),
            expect.map(Path::new),
            "parsing location {location:?}"
        );
    }

    #[test]
    fn parses_paths_and_urls() {
        check("/data/sales.db", Some("/data/sales.db"));
        check("sqlite:///data/sales.db", Some("/data/sales.db"));
        check("sqlite://data/sales.db", Some("data/sales.db"));
        check("sqlite:///data/my%20sales.db", Some("/data/my sales.db"));
        check("sqlite:///data/x.db?immutable=1", None);
        check("sqlite:", None);
        check("   ", None);
    }
}
