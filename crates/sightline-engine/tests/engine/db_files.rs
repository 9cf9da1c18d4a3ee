//! S6 hostile files: each must give a clear error of the right kind, quickly, never a hang, and
//! leave the directory as it was.

#![allow(clippy::panic)] // Tests fail by panicking, with messages that say why.

use std::path::{Path, PathBuf};
use std::time::Duration;

use sightline_engine::CancelToken;
use sightline_engine::db::{Database, DbError, QueryLimits};
use sightline_engine::error::ErrorKind;

use crate::db_support::{SALES, assert_err, assert_unchanged, fixture, mkfifo, snapshot};

fn open(path: &Path) -> Result<Database, DbError> {
    Database::open(&path.to_string_lossy())
}

/// Opens `path` and expects a `bad_input` error of the variant `is_expected` accepts; the
/// directory must be unchanged afterwards.
fn check(path: &Path, is_expected: impl Fn(&DbError) -> bool, why: &str) -> DbError {
    let dir = path.parent().unwrap_or(Path::new("."));
    let before = snapshot(dir);
    let err = assert_err(open(path), ErrorKind::BadInput, is_expected, why);
    assert_unchanged(&before, dir, why);
    err
}

fn write(path: &Path, bytes: &[u8]) -> PathBuf {
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    path.to_path_buf()
}

/// Bytes that look random (a simple xorshift; no dependency needed).
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

#[test]
fn missing_directory_fifo_and_empty_files_are_refused() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let d = dir.path();

    check(
        &d.join("nope.db"),
        |e| matches!(e, DbError::NotFound { .. }),
        "a missing file",
    );
    let folder = d.join("folder.db");
    std::fs::create_dir(&folder).unwrap_or_else(|e| panic!("mkdir: {e}"));
    let err = check(
        &folder,
        |e| matches!(e, DbError::IsDirectory { .. }),
        "a directory",
    );
    assert!(
        err.to_string().contains("folder"),
        "the message should say it is a folder: {err}"
    );
    check(
        &write(&d.join("empty.db"), b""),
        |e| matches!(e, DbError::EmptyFile { .. }),
        "a zero-byte file",
    );

    let fifo = d.join("pipe.db");
    match mkfifo(&fifo) {
        Some(()) => {
            let err = check(
                &fifo,
                |e| matches!(e, DbError::NotRegularFile { .. }),
                "a FIFO must not block",
            );
            assert!(
                err.to_string().contains("pipe"),
                "the message should name the pipe: {err}"
            );
        }
        None => eprintln!("skipped the FIFO case: mkfifo is not available here"),
    }

    assert_err(
        Database::open("sqlite:///x.db?immutable=1"),
        ErrorKind::BadInput,
        |e| matches!(e, DbError::InvalidLocation { .. }),
        "URL options are never taken from the user",
    );
    assert_err(
        Database::open(""),
        ErrorKind::BadInput,
        |e| matches!(e, DbError::InvalidLocation { .. }),
        "empty",
    );
}

#[test]
fn files_that_are_not_sqlite_are_refused() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let d = dir.path();
    check(
        &write(&d.join("noise.db"), &noise(3000, 7)),
        |e| matches!(e, DbError::NotSqlite { .. }),
        "random bytes",
    );
    check(
        &write(&d.join("cipher.db"), &noise(8192, 11)),
        |e| matches!(e, DbError::Encrypted { .. }),
        "whole pages of noise look like an encrypted database",
    );
    let err = check(
        &write(
            &d.join("sales.csv"),
            b"id,name,amount\n1,apple,3.5\n2,pear,4\n",
        ),
        |e| matches!(e, DbError::NotSqlite { .. }),
        "a CSV text file",
    );
    assert!(
        err.to_string().contains("text"),
        "the message should say it looks like text: {err}"
    );
    check(
        &write(
            &d.join("book.xlsx"),
            b"PK\x03\x04\x14\x00\x06\x00rest of a zip",
        ),
        |e| matches!(e, DbError::NotSqlite { hint, .. } if hint.contains("ZIP")),
        "an Excel file",
    );
    check(
        &write(&d.join("short.db"), b"SQLite for"),
        |e| matches!(e, DbError::Truncated { .. }),
        "ten bytes",
    );
}

#[test]
fn truncated_and_corrupt_databases_are_refused() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let d = dir.path();
    let good = fixture(d, "good.db", SALES);
    let bytes = std::fs::read(&good).unwrap_or_else(|e| panic!("reading the fixture: {e}"));
    assert!(
        bytes.len() > 4 * 4096,
        "the fixture must span several pages"
    );

    check(
        &write(&d.join("first1000.db"), &bytes[..1000]),
        |e| matches!(e, DbError::Truncated { .. }),
        "the first 1000 bytes of a multi-page database",
    );
    check(
        &write(&d.join("threepages.db"), &bytes[..3 * 4096]),
        |e| matches!(e, DbError::Truncated { .. }),
        "a database cut after three pages",
    );

    // Overwrite the table's root page (page 2) with garbage.
    let mut corrupt = bytes.clone();
    corrupt[4096..8192].copy_from_slice(&noise(4096, 3));
    let err = check(
        &write(&d.join("corrupt.db"), &corrupt),
        |e| matches!(e, DbError::Corrupt { .. }),
        "a damaged table page",
    );
    assert!(
        err.to_string().contains("backup"),
        "the message should say what to do: {err}"
    );

    // A damaged page 1 (the schema).
    let mut corrupt = bytes.clone();
    corrupt[100..4096].copy_from_slice(&noise(3996, 5));
    check(
        &write(&d.join("corrupt-schema.db"), &corrupt),
        |e| matches!(e, DbError::Corrupt { .. } | DbError::NotSqlite { .. }),
        "a damaged schema page",
    );

    // An impossible page size in the header.
    let mut odd = bytes;
    odd[16] = 0x03;
    odd[17] = 0x00;
    check(
        &write(&d.join("pagesize.db"), &odd),
        |e| matches!(e, DbError::Corrupt { .. }),
        "page size 768",
    );
}

#[test]
fn a_hot_journal_is_explained_not_replayed() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let path = fixture(dir.path(), "hot.db", SALES);
    // A journal left by a crashed writer: SQLite's journal magic, then zeros.
    let mut journal = vec![0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7];
    journal.resize(512, 0);
    write(&dir.path().join("hot.db-journal"), &journal);
    let err = check(
        &path,
        |e| matches!(e, DbError::HotJournal { .. }),
        "a hot journal beside the database",
    );
    assert!(
        err.to_string().contains("journal"),
        "the message should name the journal: {err}"
    );
}

#[test]
fn a_wal_with_frames_but_no_shm_is_explained() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let path = dir.path().join("w.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap_or_else(|e| panic!("fixture: {e}"));
        conn.execute_batch(&format!(
            "PRAGMA journal_mode=WAL; {SALES} PRAGMA wal_checkpoint(TRUNCATE);"
        ))
        .unwrap_or_else(|e| panic!("fixture: {e}"));
        conn.execute_batch("PRAGMA wal_autocheckpoint=0; INSERT INTO other VALUES (9);")
            .unwrap_or_else(|e| panic!("fixture: {e}"));
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
            true,
        )
        .unwrap_or_else(|e| panic!("fixture: {e}"));
    }
    std::fs::remove_file(dir.path().join("w.db-shm"))
        .unwrap_or_else(|e| panic!("removing -shm: {e}"));
    check(
        &path,
        |e| matches!(e, DbError::WalUnreadable { .. }),
        "a -wal with frames and no -shm",
    );
}

#[test]
fn a_locked_database_fails_quickly_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let path = fixture(dir.path(), "locked.db", SALES);
    let db = open(&path).unwrap_or_else(|e| panic!("opening before the lock: {e}"));
    let writer = rusqlite::Connection::open(&path).unwrap_or_else(|e| panic!("writer: {e}"));
    writer
        .execute_batch("BEGIN EXCLUSIVE; UPDATE other SET x = x + 1;")
        .unwrap_or_else(|e| panic!("lock: {e}"));

    let err = check(
        &path,
        |e| matches!(e, DbError::Locked { .. }),
        "a database locked by another writer",
    );
    assert!(
        err.to_string().contains("another program"),
        "the message should explain the lock: {err}"
    );

    let conn = db
        .connect()
        .unwrap_or_else(|e| panic!("connecting needs no lock: {e}"));
    let limits = QueryLimits {
        deadline: Duration::from_secs(5),
        ..QueryLimits::default()
    };
    assert_err(
        conn.validate("SELECT count(*) FROM t"),
        ErrorKind::BadInput,
        |e| matches!(e, DbError::Locked { .. }),
        "reading the schema of a locked database",
    );
    writer
        .execute_batch("ROLLBACK;")
        .unwrap_or_else(|e| panic!("unlock: {e}"));
    let sql = conn
        .validate("SELECT count(*) FROM t")
        .unwrap_or_else(|e| panic!("after unlock: {e}"));
    let result = conn
        .execute(&sql, &limits, &CancelToken::new())
        .unwrap_or_else(|e| panic!("after unlock: {e}"));
    assert_eq!(
        result.row_count, 1,
        "the database is readable again once the lock is gone"
    );
}

#[test]
fn an_unreadable_file_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let path = fixture(dir.path(), "secret.db", SALES);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000))
        .unwrap_or_else(|e| panic!("chmod: {e}"));
    if std::fs::File::open(&path).is_ok() {
        eprintln!(
            "skipped the unreadable-file case: running as a user (root?) whom chmod 000 does not stop"
        );
        return;
    }
    let err = check(
        &path,
        |e| matches!(e, DbError::Unreadable { .. }),
        "a file without read permission",
    );
    assert!(
        err.to_string().contains("permission"),
        "the message should mention permissions: {err}"
    );
}

#[test]
fn urls_and_paths_open_the_same_file() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let path = fixture(dir.path(), "my sales.db", SALES);
    let by_path = open(&path).unwrap_or_else(|e| panic!("by path: {e}"));
    let url = by_path.url();
    assert!(
        url.starts_with("sqlite:///"),
        "the URL must be absolute: {url}"
    );
    assert!(
        url.contains("my%20sales.db"),
        "the URL must be percent-encoded: {url}"
    );
    let by_url = Database::open(&url).unwrap_or_else(|e| panic!("by URL {url}: {e}"));
    assert_eq!(
        by_url.path(),
        by_path.path(),
        "a path and its URL must name the same file"
    );
}
