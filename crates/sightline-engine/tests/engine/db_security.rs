//! S5 attacks against the read-only layer: each must fail with the right error kind, and the
//! database file, its `-wal` and its directory must be byte-identical afterwards, with no new file.

#![allow(clippy::panic)] // Tests fail by panicking, with messages that say why.

use std::path::Path;
use std::time::Duration;

use sightline_engine::CancelToken;
use sightline_engine::db::{Database, DbError, QueryLimits, ReadOnlyConnection};
use sightline_engine::error::{ErrorKind, HasKind};

use crate::db_support::{SALES, assert_err, assert_unchanged, fixture, snapshot};

/// One hostile statement and the error kinds it may end with (a function absent from the
/// bundled SQLite fails as "no such function", a database error, which is as safe).
struct Attack {
    name: &'static str,
    sql: String,
    kinds: &'static [ErrorKind],
    limits: QueryLimits,
}

const REJECTED: &[ErrorKind] = &[ErrorKind::SqlRejected];
const REJECTED_OR_ABSENT: &[ErrorKind] = &[ErrorKind::SqlRejected, ErrorKind::Database];
const TOO_BIG: &[ErrorKind] = &[ErrorKind::BadInput];
const TIMEOUT: &[ErrorKind] = &[ErrorKind::Timeout];

fn short() -> QueryLimits {
    QueryLimits {
        deadline: Duration::from_millis(300),
        ..QueryLimits::default()
    }
}

fn attacks(dir: &Path) -> Vec<Attack> {
    let outside = dir.join("stolen.db");
    let other = dir.join("other.db");
    let a = |name, sql: &str, kinds| Attack {
        name,
        sql: sql.to_string(),
        kinds,
        limits: short(),
    };
    vec![
        a(
            "VACUUM INTO a new file",
            &format!("VACUUM INTO '{}'", outside.display()),
            REJECTED,
        ),
        a(
            "VACUUM INTO after a comment",
            &format!("/* hi */ VACUUM INTO '{}'", outside.display()),
            REJECTED,
        ),
        a("VACUUM", "VACUUM", REJECTED),
        a(
            "ATTACH another file",
            &format!("ATTACH '{}' AS o", other.display()),
            REJECTED,
        ),
        a(
            "ATTACH a new file",
            &format!("ATTACH '{}' AS o", outside.display()),
            REJECTED,
        ),
        a("ATTACH memory", "ATTACH ':memory:' AS m", REJECTED),
        a("PRAGMA query_only off", "PRAGMA query_only=0", REJECTED),
        a(
            "PRAGMA writable_schema",
            "PRAGMA writable_schema=ON",
            REJECTED,
        ),
        a("PRAGMA journal_mode", "PRAGMA journal_mode=WAL", REJECTED),
        a(
            "pragma function on the query connection",
            "SELECT * FROM pragma_table_info('t')",
            REJECTED,
        ),
        a("two statements", "SELECT 1; DROP TABLE t", REJECTED),
        a(
            "two statements without space",
            "SELECT 1;DELETE FROM t",
            REJECTED,
        ),
        a(
            "statement hidden after NUL",
            "SELECT 1\0; DROP TABLE t",
            REJECTED,
        ),
        a("DROP TABLE", "DROP TABLE t", REJECTED),
        a("INSERT", "INSERT INTO t (name) VALUES ('x')", REJECTED),
        a(
            "REPLACE",
            "REPLACE INTO t (id, name) VALUES (1, 'x')",
            REJECTED,
        ),
        a("UPDATE", "UPDATE t SET qty = 0", REJECTED),
        a("DELETE", "DELETE FROM t", REJECTED),
        a(
            "DELETE behind a CTE",
            "WITH c AS (SELECT 1) DELETE FROM t",
            REJECTED,
        ),
        a(
            "INSERT behind a CTE",
            "WITH c AS (SELECT 1) INSERT INTO other SELECT * FROM c",
            REJECTED,
        ),
        a("CREATE TABLE", "CREATE TABLE x (a)", REJECTED),
        a("CREATE TEMP TABLE", "CREATE TEMP TABLE x (a)", REJECTED),
        a("CREATE VIEW", "CREATE VIEW v AS SELECT 1", REJECTED),
        a(
            "CREATE VIRTUAL TABLE",
            "CREATE VIRTUAL TABLE v USING fts5(x)",
            REJECTED,
        ),
        a("ALTER TABLE", "ALTER TABLE t ADD COLUMN z", REJECTED),
        a("BEGIN", "BEGIN IMMEDIATE", REJECTED),
        a("EXPLAIN", "EXPLAIN SELECT 1", REJECTED),
        a(
            "load_extension",
            "SELECT load_extension('/tmp/evil.so')",
            REJECTED,
        ),
        a(
            "load_extension in a subquery",
            "SELECT (SELECT load_extension('x')) FROM t",
            REJECTED,
        ),
        a(
            "fts3_tokenizer",
            "SELECT fts3_tokenizer('simple')",
            REJECTED,
        ),
        a(
            "readfile",
            "SELECT readfile('/etc/passwd')",
            REJECTED_OR_ABSENT,
        ),
        a(
            "writefile",
            &format!("SELECT writefile('{}', 'x')", outside.display()),
            REJECTED_OR_ABSENT,
        ),
        a("edit", "SELECT edit('x', 'vi')", REJECTED_OR_ABSENT),
        a(
            "huge printf",
            "SELECT printf('%.*c', 2000000000, 'x')",
            TOO_BIG,
        ),
        a("huge zeroblob", "SELECT zeroblob(1e9)", TOO_BIG),
        a("huge randomblob", "SELECT randomblob(1000000000)", TOO_BIG),
        a(
            "huge replace",
            "SELECT replace(printf('%.*c', 10000000, 'x'), 'x', 'xxxxxxxxxx')",
            TOO_BIG,
        ),
        a(
            "endless recursive CTE",
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c",
            TIMEOUT,
        ),
        a(
            "10^12-row cross join",
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000) \
             SELECT count(*) FROM n a, n b",
            TIMEOUT,
        ),
        a(
            "cross join of the table with itself",
            "SELECT count(*) FROM t a, t b, t c, t d",
            TIMEOUT,
        ),
        Attack {
            name: "row cap",
            sql: "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c"
                .to_string(),
            kinds: TOO_BIG,
            limits: QueryLimits {
                max_rows: 10_000,
                ..QueryLimits::default()
            },
        },
        Attack {
            name: "byte cap",
            sql: "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) \
                  SELECT printf('%.*c', 10000, 'x') FROM c"
                .to_string(),
            kinds: TOO_BIG,
            limits: QueryLimits {
                max_bytes: 1024 * 1024,
                ..QueryLimits::default()
            },
        },
    ]
}

/// Validates then executes; the first error is the outcome.
fn run(conn: &ReadOnlyConnection, sql: &str, limits: &QueryLimits) -> Result<usize, DbError> {
    let validated = conn.validate(sql)?;
    conn.execute(&validated, limits, &CancelToken::new())
        .map(|r| r.row_count)
}

fn check_attacks(db: &Database, dir: &Path, why: &str) {
    let conn = db
        .connect()
        .unwrap_or_else(|e| panic!("{why}: connecting: {e}"));
    for attack in attacks(dir) {
        let outcome = run(&conn, &attack.sql, &attack.limits);
        let err = match outcome {
            Ok(rows) => panic!("{why}: attack '{}' succeeded with {rows} rows", attack.name),
            Err(e) => e,
        };
        assert!(
            attack.kinds.contains(&err.kind()),
            "{why}: attack '{}' failed with {} ({err}), expected one of {:?}",
            attack.name,
            err.kind(),
            attack.kinds
        );
        // The connection must still work after every refusal.
        let still = run(&conn, "SELECT count(*) FROM t", &QueryLimits::default());
        assert_eq!(
            still.ok(),
            Some(1),
            "{why}: the connection broke after attack '{}'",
            attack.name
        );
    }
    assert!(
        !dir.join("stolen.db").exists(),
        "{why}: VACUUM INTO / ATTACH created a file"
    );
}

#[test]
fn attacks_fail_and_leave_a_rollback_database_untouched() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let path = fixture(dir.path(), "sales.db", SALES);
    fixture(
        dir.path(),
        "other.db",
        "CREATE TABLE secret (s TEXT); INSERT INTO secret VALUES ('pw');",
    );
    let before = snapshot(dir.path());
    let db = Database::open(&path.to_string_lossy())
        .unwrap_or_else(|e| panic!("opening the fixture: {e}"));
    check_attacks(&db, dir.path(), "rollback-journal database");
    db.schema()
        .unwrap_or_else(|e| panic!("schema after the attacks: {e}"));
    assert_unchanged(
        &before,
        dir.path(),
        "rollback-journal database after every attack",
    );
}

/// A WAL database whose last changes are still in the `-wal` (the writer closed without a
/// checkpoint): the file, the -wal and the -shm must all stay byte-identical.
#[test]
fn attacks_fail_and_leave_a_wal_database_and_its_wal_untouched() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let path = dir.path().join("wal.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap_or_else(|e| panic!("fixture: {e}"));
        conn.execute_batch(&format!("PRAGMA journal_mode=WAL; {SALES}"))
            .unwrap_or_else(|e| panic!("fixture: {e}"));
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA wal_autocheckpoint=0; INSERT INTO other VALUES (3);")
            .unwrap_or_else(|e| panic!("fixture: {e}"));
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
            true,
        )
        .unwrap_or_else(|e| panic!("fixture: {e}"));
    }
    fixture(dir.path(), "other.db", "CREATE TABLE secret (s TEXT);");
    assert!(
        std::fs::metadata(dir.path().join("wal.db-wal")).is_ok_and(|m| m.len() > 0),
        "the fixture must leave frames in the -wal"
    );
    let before = snapshot(dir.path());
    let db = Database::open(&path.to_string_lossy())
        .unwrap_or_else(|e| panic!("opening the WAL fixture: {e}"));
    let conn = db.connect().unwrap_or_else(|e| panic!("connect: {e}"));
    let sql = conn
        .validate("SELECT count(*) AS n FROM other")
        .unwrap_or_else(|e| panic!("validate: {e}"));
    let result = conn
        .execute(&sql, &QueryLimits::default(), &CancelToken::new())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        result.rows_json(1),
        vec![vec![serde_json::json!(3)]],
        "the row still in the -wal must be visible"
    );
    check_attacks(&db, dir.path(), "WAL database");
    db.schema().unwrap_or_else(|e| panic!("schema: {e}"));
    drop(conn);
    assert_unchanged(&before, dir.path(), "WAL database after every attack");
}

/// A cleanly closed WAL database has no -wal: plain SQLite would create -wal and -shm files.
#[test]
fn a_clean_wal_database_is_read_without_creating_files() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let path = fixture(
        dir.path(),
        "clean.db",
        &format!("PRAGMA journal_mode=WAL; {SALES}"),
    );
    assert!(
        !dir.path().join("clean.db-wal").exists(),
        "fixture: the -wal should be gone after a clean close"
    );
    let before = snapshot(dir.path());
    let db = Database::open(&path.to_string_lossy()).unwrap_or_else(|e| panic!("open: {e}"));
    let conn = db.connect().unwrap_or_else(|e| panic!("connect: {e}"));
    let rows = run(&conn, "SELECT * FROM t", &QueryLimits::default())
        .unwrap_or_else(|e| panic!("query: {e}"));
    assert_eq!(
        rows, 2000,
        "every row of the WAL-mode database must be read"
    );
    db.schema().unwrap_or_else(|e| panic!("schema: {e}"));
    drop(conn);
    assert_unchanged(&before, dir.path(), "clean WAL database after reading");
}

#[test]
fn interrupt_from_another_thread_cancels() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let path = fixture(dir.path(), "sales.db", SALES);
    let before = snapshot(dir.path());
    let db = Database::open(&path.to_string_lossy()).unwrap_or_else(|e| panic!("open: {e}"));
    let conn = db.connect().unwrap_or_else(|e| panic!("connect: {e}"));
    let endless =
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c";
    let sql = conn
        .validate(endless)
        .unwrap_or_else(|e| panic!("validate: {e}"));
    let limits = QueryLimits {
        deadline: Duration::from_secs(20),
        ..QueryLimits::default()
    };

    let handle = conn.interrupt_handle();
    let stopper = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        handle.interrupt();
    });
    assert_err(
        conn.execute(&sql, &limits, &CancelToken::new()),
        ErrorKind::Cancelled,
        |e| matches!(e, DbError::Cancelled),
        "the interrupt handle must stop a running query",
    );
    let _ = stopper.join();

    let cancel = CancelToken::new();
    let token = cancel.clone();
    let stopper = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        token.cancel();
    });
    assert_err(
        conn.execute(&sql, &limits, &cancel),
        ErrorKind::Cancelled,
        |e| matches!(e, DbError::Cancelled),
        "a cancelled token must stop a running query",
    );
    let _ = stopper.join();
    assert_err(
        conn.execute(&sql, &limits, &cancel),
        ErrorKind::Cancelled,
        |e| matches!(e, DbError::Cancelled),
        "an already cancelled token must not start the query",
    );
    assert_unchanged(&before, dir.path(), "after cancelling");
}

#[test]
fn refusals_say_what_and_why() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let path = fixture(dir.path(), "sales.db", SALES);
    let db = Database::open(&path.to_string_lossy()).unwrap_or_else(|e| panic!("open: {e}"));
    let conn = db.connect().unwrap_or_else(|e| panic!("connect: {e}"));
    let check = |sql: &str, needle: &str| {
        let err = conn
            .validate(sql)
            .err()
            .unwrap_or_else(|| panic!("{sql:?} must be refused"));
        let msg = err.to_string();
        assert!(
            msg.contains(needle),
            "the refusal of {sql:?} should mention {needle:?}, got {msg:?}"
        );
    };
    check(
        "VACUUM INTO '/tmp/x.db'",
        "Sightline only reads: the statement tries to write (VACUUM INTO)",
    );
    check("SELECT 1; DROP TABLE t", "DROP");
    check("with c as (select 1) delete from t", "DELETE FROM t");
    check("ATTACH 'x.db' AS y", "another database file");
    check("PRAGMA query_only = 0", "PRAGMA");
    check("SELECT load_extension('x')", "load_extension");
    check("   -- nothing\n", "no SQL statement");

    let sql = conn
        .validate("SELECT nope FROM t")
        .err()
        .unwrap_or_else(|| panic!("unknown column must fail"));
    assert_eq!(
        sql.kind(),
        ErrorKind::Database,
        "an unknown column is a database error: {sql}"
    );
    assert!(
        sql.to_string().contains("no such column: nope"),
        "SQLite's message must be kept: {sql}"
    );

    let timeout = run(
        &conn,
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c",
        &QueryLimits {
            deadline: Duration::from_secs(1),
            ..QueryLimits::default()
        },
    );
    let timeout = timeout
        .err()
        .unwrap_or_else(|| panic!("the endless query must time out"));
    assert!(
        timeout.to_string().contains("longer than 1 s") && timeout.to_string().contains("filter"),
        "a timeout says the limit and what to do: {timeout}"
    );
}

#[test]
fn ordinary_queries_pass_the_validator() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let path = fixture(dir.path(), "sales.db", SALES);
    let db = Database::open(&path.to_string_lossy()).unwrap_or_else(|e| panic!("open: {e}"));
    let conn = db.connect().unwrap_or_else(|e| panic!("connect: {e}"));
    for sql in [
        "SELECT 1",
        "select name, sum(amount) from t group by name order by 2 desc limit 5;",
        "SELECT 1 /* ; */ ; -- trailing comment",
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10) SELECT i FROM n",
        "VALUES (1, 'a'), (2, 'b')",
        "SELECT * FROM (SELECT qty FROM t LIMIT 3)",
        "SELECT 'a;b' AS \"semi;colon\", [x;y].qty FROM t AS [x;y] LIMIT 1",
        "SELECT json_extract('{\"a\": 1}', '$.a'), strftime('%Y', 'now'), printf('%d', 3)",
        "SELECT name FROM sqlite_schema",
        "SELECT * FROM t WHERE name LIKE 'item 1%' AND qty BETWEEN 1 AND 3",
        "SELECT qty, count(*) OVER (PARTITION BY qty) FROM t LIMIT 3",
    ] {
        let validated = conn
            .validate(sql)
            .unwrap_or_else(|e| panic!("{sql:?} should be accepted: {e}"));
        conn.execute(&validated, &QueryLimits::default(), &CancelToken::new())
            .unwrap_or_else(|e| panic!("{sql:?} should run: {e}"));
        conn.explain(&validated)
            .unwrap_or_else(|e| panic!("{sql:?} should explain: {e}"));
    }
}
