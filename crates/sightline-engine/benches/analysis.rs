//! Each native analysis step on a frame already loaded, for profiling (`perf record` on this
//! bench shows only the analysis, not the process start, the query and the load that dominate
//! a `sightline analyze` run). The numbers the README reports come from
//! `bench/analysis_vs_python.py`, which times the `analyze` stage of the real command against the
//! Python peer; this bench is where to look for what to change.
//!
//! Needs `bench/out/analysis.db` (made by the first run of `bench/analysis_vs_python.py`, or
//! point `SIGHTLINE_ANALYSIS_DB` at a copy). Run with
//! `cargo bench --workspace --bench analysis` (optionally `-- NAME` to pick one).

use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use polars::prelude::DataFrame;
use sightline_analytics::{
    AnomalyMethod, AnomalyOptions, CorrelationOptions, ForecastMethod, ForecastOptions,
    SeasonalKind, SummaryOptions, TrendKind, anomaly, correlation, forecast, summary,
};
use sightline_engine::CancelToken;
use sightline_engine::db::{Database, QueryLimits};

const SIX: &str = "SELECT units, price, discount, shipping_days, rating, revenue FROM metrics";
const DAILY: &str = "SELECT day, value FROM daily";

fn analysis_db() -> PathBuf {
    match std::env::var_os("SIGHTLINE_ANALYSIS_DB") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../bench/out/analysis.db"),
    }
}

/// The frame of `sql`, loaded through the engine as `sightline analyze` loads it.
fn frame(location: &str, sql: &str) -> Option<DataFrame> {
    let loaded = Database::open(location).and_then(|db| {
        let conn = db.connect()?;
        let validated = conn.validate(sql)?;
        conn.execute(&validated, &QueryLimits::default(), &CancelToken::new())
    });
    match loaded.map(|r| r.to_dataframe()) {
        Ok(Ok(df)) => Some(df),
        Ok(Err(e)) => {
            eprintln!("analysis bench: to_dataframe failed: {e}");
            None
        }
        Err(e) => {
            eprintln!("analysis bench: loading {sql} failed: {e}");
            None
        }
    }
}

fn steps(c: &mut Criterion) {
    let path = analysis_db();
    if !path.is_file() {
        eprintln!(
            "analysis bench: {} not found; run `python3 bench/analysis_vs_python.py` once (it \
             makes the file) or set SIGHTLINE_ANALYSIS_DB. Nothing benchmarked.",
            path.display()
        );
        return;
    }
    let location = path.to_string_lossy().into_owned();
    let (Some(six), Some(daily)) = (frame(&location, SIX), frame(&location, DAILY)) else {
        return;
    };

    let mut group = c.benchmark_group("analysis");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    let summary_opts = SummaryOptions {
        target: Some("revenue".to_string()),
    };
    group.bench_function("summary", |b| {
        b.iter(|| std::hint::black_box(summary(&six, &summary_opts)))
    });
    let correlation_opts = CorrelationOptions::new("revenue");
    group.bench_function("correlation", |b| {
        b.iter(|| std::hint::black_box(correlation(&six, &correlation_opts)))
    });
    for (name, method) in [
        ("zscore", AnomalyMethod::ZScore),
        ("iqr", AnomalyMethod::Iqr),
    ] {
        let opts = AnomalyOptions {
            method,
            ..AnomalyOptions::new("revenue")
        };
        group.bench_function(name, |b| {
            b.iter(|| std::hint::black_box(anomaly(&six, &opts)))
        });
    }
    let hw = ForecastOptions {
        method: ForecastMethod::ExponentialSmoothing {
            trend: TrendKind::Additive,
            seasonal: SeasonalKind::Additive,
        },
        season_length: Some(7),
        ..ForecastOptions::new("day", "value", 14)
    };
    group.bench_function("holt_winters", |b| {
        b.iter(|| std::hint::black_box(forecast(&daily, &hw)))
    });
    group.finish();
}

criterion_group!(benches, steps);
criterion_main!(benches);
