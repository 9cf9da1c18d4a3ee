//! The sample database is never modified, whatever the commands ask (SECURITY.md S5): its bytes,
//! and the set of files beside it, are the same after a run of every verb and hostile SQL.

use std::collections::BTreeSet;
use std::fs;

use crate::util::{read_or_empty, root, sample_db, sightline};

/// FNV-1a: enough to name a content in a failure message.
fn fingerprint(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn files_beside_the_database() -> BTreeSet<String> {
    fs::read_dir(root().join("sample-data"))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn sample_database_is_never_modified() {
    let db = sample_db();
    let wal = format!("{db}-wal");
    let before = (read_or_empty(db.as_ref()), read_or_empty(wal.as_ref()));
    let files_before = files_beside_the_database();
    assert!(!before.0.is_empty(), "the sample database exists at {db}");

    let vacuum_target = std::env::temp_dir().join("sightline-vacuum-escape.db");
    let _ = fs::remove_file(&vacuum_target);
    let vacuum = format!("VACUUM INTO '{}'", vacuum_target.display());
    let hostile = [
        "DROP TABLE orders",
        "DELETE FROM orders",
        "UPDATE orders SET amount = 0",
        "INSERT INTO orders (id) VALUES (-1)",
        "PRAGMA query_only = 0",
        "PRAGMA writable_schema = ON",
        "CREATE TABLE x (a)",
        vacuum.as_str(),
    ];
    for sql in hostile {
        let run = sightline(&["analyze", "summary", "--db", &db, "--sql", sql, "--json"]);
        assert_eq!(
            run.code, 2,
            "{sql:?} must be refused as bad input:\n{}",
            run.stdout
        );
    }
    for question in [
        "Show monthly revenue for last year and forecast next 3 months",
        "What factors correlate with customer churn?",
        "Find anomalies in daily transaction amounts",
        "Statistical summary of revenue by region",
        "asdf qwerty",
    ] {
        sightline(&["ask", "--db", &db, "--json", question]);
    }
    sightline(&["schema", "--db", &db, "--json"]);

    let after = (read_or_empty(db.as_ref()), read_or_empty(wal.as_ref()));
    assert_eq!(
        fingerprint(&after.0),
        fingerprint(&before.0),
        "sample.db changed ({} bytes before, {} after)",
        before.0.len(),
        after.0.len()
    );
    assert!(
        after.0 == before.0,
        "sample.db must be byte-identical after every command"
    );
    assert!(
        after.1 == before.1,
        "sample.db-wal must be byte-identical after every command"
    );
    assert_eq!(
        files_beside_the_database(),
        files_before,
        "no file may appear or vanish beside the database"
    );
    assert!(
        !vacuum_target.exists(),
        "VACUUM INTO must not create {}",
        vacuum_target.display()
    );
}
