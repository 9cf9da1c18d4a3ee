//! Loading 1M rows × 6 columns into polars, against SQLite's own aggregate scan of the same
//! columns (the aim: within 2×).
//!
//! Needs the benchmark database: `python3 bench/make_bench_db.py` writes `bench/out/bench.db`
//! (or point `SIGHTLINE_BENCH_DB` at another copy). Run with `bash bench/load_ratio.sh`, which
//! also prints the ratio, or `cargo bench --workspace --bench load`.
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
//! (default VFS, no authorizer or progress handler), stepping the rows without keeping them;
//! `to_dataframe` alone on a result already loaded; and `direct_polars_builders`, a prototype
//! of loading straight into polars builders (no `Option<String>` per value, no second copy), to
//! show what a loader of that design would cost. The prototype takes each column's type from the
//! first row and ignores type changes; it is a measurement, not a loader.

use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use polars::prelude::{
    ChunkedBuilder, Column, DataFrame, Float64Type, Int64Type, IntoColumn, PrimitiveChunkedBuilder,
    StringChunkedBuilder,
};
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

/// One column being built straight into polars.
enum Direct {
    Int(PrimitiveChunkedBuilder<Int64Type>),
    Real(PrimitiveChunkedBuilder<Float64Type>),
    Text(StringChunkedBuilder),
}

impl Direct {
    fn for_value(name: &str, value: ValueRef<'_>) -> Direct {
        const CAPACITY: usize = 1024;
        match value {
            ValueRef::Integer(_) => {
                Direct::Int(PrimitiveChunkedBuilder::new(name.into(), CAPACITY))
            }
            ValueRef::Real(_) => Direct::Real(PrimitiveChunkedBuilder::new(name.into(), CAPACITY)),
            _ => Direct::Text(StringChunkedBuilder::new(name.into(), CAPACITY)),
        }
    }

    #[inline]
    fn push(&mut self, value: ValueRef<'_>) {
        match (self, value) {
            (Direct::Int(b), ValueRef::Integer(v)) => b.append_value(v),
            (Direct::Real(b), ValueRef::Real(v)) => b.append_value(v),
            (Direct::Real(b), ValueRef::Integer(v)) => b.append_value(v as f64),
            (Direct::Text(b), ValueRef::Text(t)) => {
                b.append_value(std::str::from_utf8(t).unwrap_or_default())
            }
            (Direct::Int(b), _) => b.append_null(),
            (Direct::Real(b), _) => b.append_null(),
            (Direct::Text(b), _) => b.append_null(),
        }
    }

    fn finish(self) -> Column {
        match self {
            Direct::Int(b) => b.finish().into_column(),
            Direct::Real(b) => b.finish().into_column(),
            Direct::Text(b) => b.finish().into_column(),
        }
    }
}

/// The prototype loader: rows of `sql` straight into a DataFrame.
fn direct_frame(conn: &rusqlite::Connection, sql: &str) -> rusqlite::Result<Option<DataFrame>> {
    let mut stmt = conn.prepare(sql)?;
    let names: Vec<String> = stmt.column_names().map(str::to_string).collect();
    let mut rows = stmt.raw_query();
    let mut builders: Vec<Direct> = Vec::with_capacity(names.len());
    let mut height = 0usize;
    while let Some(row) = rows.next()? {
        if builders.is_empty() {
            for (i, name) in names.iter().enumerate() {
                builders.push(Direct::for_value(name, row.get_ref(i)?));
            }
        }
        for (i, builder) in builders.iter_mut().enumerate() {
            builder.push(row.get_ref(i)?);
        }
        height += 1;
    }
    let columns = builders.into_iter().map(Direct::finish).collect();
    Ok(DataFrame::new(height, columns).ok())
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
    // NO_MUTEX as the engine's connections: in serialized mode every column call takes a mutex.
    let flags =
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
    match rusqlite::Connection::open_with_flags(&path, flags) {
        Ok(plain) => {
            group.bench_function("plain_rusqlite_aggregate_scan", |b| {
                b.iter(|| std::hint::black_box(raw_scan(&plain, AGGREGATE)))
            });
            group.bench_function("plain_rusqlite_step_rows", |b| {
                b.iter(|| std::hint::black_box(raw_scan(&plain, ROWS)))
            });
            if let Ok(Some(df)) = direct_frame(&plain, ROWS) {
                eprintln!("load bench: prototype loader: {:?}", df.schema());
            }
            group.bench_function("direct_polars_builders", |b| {
                b.iter(|| std::hint::black_box(direct_frame(&plain, ROWS)))
            });
        }
        Err(e) => eprintln!("load bench: plain connection failed: {e}"),
    }
    group.finish();
}

criterion_group!(benches, load);
criterion_main!(benches);
