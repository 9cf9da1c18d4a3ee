//! Loading 1M rows × 6 columns into polars, against SQLite's own aggregate scan of the same
//! columns (the aim: within 2×).
//!
//! Needs the benchmark database: `python3 bench/make_bench_db.py` writes `bench/out/bench.db`
//! (or point `SIGHTLINE_BENCH_DB` at another copy). Run with `bash bench/load_ratio.sh`, which
//! also prints the ratio, or `cargo bench -p sightline-engine --bench load`.
//!
//! `load/*` are the three numbers the aim is about, all through the engine's hardened
//! `ReadOnlyConnection` (validate → execute → QueryResult):
//! - `sqlite_aggregate_scan`: `SELECT sum(id), ..., sum(quantity) FROM orders`, SQLite reading
//!   every value of the six columns and returning one row;
//! - `rows_to_dataframe`: the six columns, every row, into a `QueryResult` and then a polars
//!   `DataFrame`;
//! - `rows_to_query_result`: the same without `to_dataframe`.
//!
//! `phases/*` split the cost for profiling: the same statements on a plain rusqlite connection
//! (default VFS, no authorizer or progress handler), stepping the rows without keeping them, and
//! `to_dataframe` alone on a result already loaded.

use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use rusqlite::types::ValueRef;
use sightline_engine::CancelToken;
use sightline_engine::db::{Database, QueryLimits, QueryResult, ReadOnlyConnection, ValidatedSql};

const AGGREGATE: &str = "SELECT sum(id), sum(customer_id), max(order_date), max(status), sum(amount), sum(quantity) FROM orders";
const ROWS: &str = "SELECT id, customer_id, order_date, status, amount, quantity FROM orders";

fn bench_db() -> PathBuf {
    match std::env::var_os("SIGHTLINE_BENCH_DB") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../bench/out/bench.db"),
    }
}

/// Executes and returns the result, or prints why not.
fn run(conn: &ReadOnlyConnection, sql: &ValidatedSql) -> Option<QueryResult> {
    match conn.execute(sql, &QueryLimits::default(), &CancelToken::new()) {
        Ok(r) => Some(r),
        Err(e) => {
            eprintln!("load bench: executing {sql} failed: {e}");
            None
        }
    }
}

/// Steps every row of `sql` on a plain rusqlite connection, touching each value.
fn raw_scan(conn: &rusqlite::Connection, sql: &str) -> rusqlite::Result<u64> {
    let mut stmt = conn.prepare(sql)?;
    let width = stmt.column_count();
    let mut rows = stmt.raw_query();
    let mut acc = 0u64;
    while let Some(row) = rows.next()? {
        for i in 0..width {
            acc = acc.wrapping_add(match row.get_ref(i)? {
                ValueRef::Integer(v) => v as u64,
                ValueRef::Real(v) => v.to_bits(),
                ValueRef::Text(t) | ValueRef::Blob(t) => t.len() as u64,
                ValueRef::Null => 0,
            });
        }
    }
    Ok(acc)
}

fn load(c: &mut Criterion) {
    let path = bench_db();
    if !path.is_file() {
        eprintln!(
            "load bench: {} not found; create it with `python3 bench/make_bench_db.py` \
             (or set SIGHTLINE_BENCH_DB). Nothing benchmarked.",
            path.display()
        );
        return;
    }
    let location = path.to_string_lossy().into_owned();
    let prepared = Database::open(&location).and_then(|db| {
        let conn = db.connect()?;
        let aggregate = conn.validate(AGGREGATE)?;
        let rows = conn.validate(ROWS)?;
        Ok((conn, aggregate, rows))
    });
    let (conn, aggregate, rows) = match prepared {
        Ok(v) => v,
        Err(e) => {
            eprintln!("load bench: cannot open {location}: {e}");
            return;
        }
    };
    // Check once that the rows are what the aim is about: 1M × 6, loaded into polars.
    let Some(sample) = run(&conn, &rows) else {
        return;
    };
    match sample.to_dataframe() {
        Ok(df) => eprintln!(
            "load bench: {location}: {} rows × {} columns",
            df.height(),
            df.width()
        ),
        Err(e) => {
            eprintln!("load bench: to_dataframe failed: {e}");
            return;
        }
    }

    let mut group = c.benchmark_group("load");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(6));
    group.bench_function("sqlite_aggregate_scan", |b| {
        b.iter(|| std::hint::black_box(run(&conn, &aggregate)))
    });
    group.bench_function("rows_to_dataframe", |b| {
        b.iter(|| std::hint::black_box(run(&conn, &rows).map(|r| r.to_dataframe())))
    });
    group.bench_function("rows_to_query_result", |b| {
        b.iter(|| std::hint::black_box(run(&conn, &rows)))
    });
    group.finish();

    let mut group = c.benchmark_group("phases");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    group.bench_function("to_dataframe_only", |b| {
        b.iter(|| std::hint::black_box(sample.to_dataframe()))
    });
    match rusqlite::Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY) {
        Ok(plain) => {
            group.bench_function("plain_rusqlite_aggregate_scan", |b| {
                b.iter(|| std::hint::black_box(raw_scan(&plain, AGGREGATE)))
            });
            group.bench_function("plain_rusqlite_step_rows", |b| {
                b.iter(|| std::hint::black_box(raw_scan(&plain, ROWS)))
            });
        }
        Err(e) => eprintln!("load bench: plain connection failed: {e}"),
    }
    group.finish();
}

criterion_group!(benches, load);
criterion_main!(benches);
