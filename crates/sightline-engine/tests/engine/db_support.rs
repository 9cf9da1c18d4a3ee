//! Fixtures for the database tests: small SQLite files built with a writable connection (for the
//! fixture only), and snapshots of a directory to prove nothing in it changed.

#![allow(clippy::panic)] // Tests fail by panicking, with messages that say why.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use rusqlite::Connection;
use sightline_engine::db::DbError;
use sightline_engine::error::{ErrorKind, HasKind};

/// Creates `dir/name` and runs `sql` on it with an ordinary writable connection.
pub fn fixture(dir: &Path, name: &str, sql: &str) -> PathBuf {
    let path = dir.join(name);
    let conn = Connection::open(&path).unwrap_or_else(|e| panic!("creating fixture {name}: {e}"));
    conn.execute_batch(sql)
        .unwrap_or_else(|e| panic!("filling fixture {name}: {e}"));
    path
}

/// A small sales database with a few pages of rows, in rollback-journal mode.
pub const SALES: &str = "
    PRAGMA page_size = 4096;
    CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, amount REAL, qty INTEGER);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
    INSERT INTO t (name, amount, qty) SELECT 'item ' || i, i * 1.5, i % 7 FROM n;
    CREATE TABLE other (x INTEGER);
    INSERT INTO other VALUES (1), (2);
";

/// One file as seen from outside: size, modification time and a hash of every byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileState {
    pub len: u64,
    pub modified: Option<SystemTime>,
    pub hash: u64,
}

/// Every file of a directory (not recursive), by name.
pub type DirSnapshot = BTreeMap<String, FileState>;

pub fn snapshot(dir: &Path) -> DirSnapshot {
    let mut out = BTreeMap::new();
    let entries =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("listing {}: {e}", dir.display()));
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        let name = entry.file_name().to_string_lossy().into_owned();
        let hash = if meta.is_file() {
            let bytes = std::fs::read(&path).unwrap_or_default();
            let mut h = std::collections::hash_map::DefaultHasher::new();
            bytes.hash(&mut h);
            h.finish()
        } else {
            0
        };
        out.insert(
            name,
            FileState {
                len: meta.len(),
                modified: meta.modified().ok(),
                hash,
            },
        );
    }
    out
}

/// Asserts the directory is exactly as it was, naming what changed.
pub fn assert_unchanged(before: &DirSnapshot, dir: &Path, why: &str) {
    let after = snapshot(dir);
    for (name, state) in &after {
        match before.get(name) {
            None => panic!("{why}: a new file {name:?} appeared beside the database"),
            Some(old) if old != state => {
                panic!("{why}: {name:?} changed (before {old:?}, after {state:?})")
            }
            Some(_) => {}
        }
    }
    for name in before.keys() {
        assert!(after.contains_key(name), "{why}: {name:?} disappeared");
    }
}

/// Asserts `result` failed with `kind` and a variant `is_expected` accepts, printing the message.
pub fn assert_err<T: std::fmt::Debug>(
    result: Result<T, DbError>,
    kind: ErrorKind,
    is_expected: impl Fn(&DbError) -> bool,
    why: &str,
) -> DbError {
    match result {
        Ok(v) => panic!("{why}: expected a {kind} error, got success {v:?}"),
        Err(e) => {
            assert_eq!(e.kind(), kind, "{why}: wrong kind for error {e:?} ({e})");
            assert!(
                is_expected(&e),
                "{why}: unexpected error variant {e:?} ({e})"
            );
            assert!(
                !e.to_string().is_empty(),
                "{why}: the message must not be empty"
            );
            e
        }
    }
}

/// Creates a FIFO with the system's `mkfifo`; None when it is not available.
pub fn mkfifo(path: &Path) -> Option<()> {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .ok()?;
    status.success().then_some(())
}
