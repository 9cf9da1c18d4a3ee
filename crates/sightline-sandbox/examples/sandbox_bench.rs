//! Benchmark of Docker mode (issue 6, item 3), run by `bench/sandbox`: a pandas group-by on 10k
//! rows cold (one container per job, as `sightline sandbox run` does), through plain
//! `docker run`, and warm (a pre-started spare per job); 20 concurrent jobs through the bounded
//! queue; memory per warm container. Prints one table; numbers go to README.md.

// A benchmark reports by panicking when the sandbox fails.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout
)]

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sightline_sandbox::{
    DockerSandbox, DockerSettings, Job, PoolSettings, Sandbox as _, SandboxRequest, WarmPool,
};

const CODE: &str =
    "g = sales.groupby('region')['amount'].sum()\nresult = {k: float(v) for k, v in g.items()}";
const ROUNDS: usize = 7;

fn csv() -> String {
    let mut csv = String::from("region,amount\n");
    for i in 0..10_000 {
        csv.push_str(&format!("r{},{}\n", i % 7, i % 100));
    }
    csv
}

fn p50(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

#[tokio::main]
async fn main() {
    let sandbox = DockerSandbox::connect(DockerSettings::default())
        .await
        .unwrap();
    let mut request = SandboxRequest::new(CODE);
    request.data = vec![("sales".to_string(), csv())];
    let job = Job::checked(&request).unwrap();

    let mut cold = Vec::new();
    for _ in 0..ROUNDS {
        let started = Instant::now();
        let result = sandbox.run(&job).await.unwrap();
        assert!(result.success, "{:?}", result.error);
        cold.push(started.elapsed().as_secs_f64() * 1000.0);
    }

    let mut plain = Vec::new();
    let script = format!(
        "import pandas as pd, io\nsales = pd.read_csv(io.StringIO({:?}))\n{CODE}\nprint(result)",
        csv()
    );
    for _ in 0..ROUNDS {
        let started = Instant::now();
        let status = Command::new("docker")
            .args([
                "run",
                "--rm",
                "--network",
                "none",
                "-i",
                sightline_sandbox::docker::IMAGE,
            ])
            .args(["python3", "-I", "-c", &script])
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success());
        plain.push(started.elapsed().as_secs_f64() * 1000.0);
    }

    let pool = WarmPool::new(
        sandbox.clone(),
        PoolSettings {
            spares: 2,
            ..PoolSettings::default()
        },
    );
    assert!(pool.wait_ready(Duration::from_secs(120)).await);
    let memory = warm_memory(&pool.spare_ids().await);
    let mut warm = Vec::new();
    for _ in 0..ROUNDS {
        assert!(pool.wait_ready(Duration::from_secs(120)).await);
        let started = Instant::now();
        let result = pool.run_job(&job).await.unwrap();
        assert!(result.success, "{:?}", result.error);
        warm.push(started.elapsed().as_secs_f64() * 1000.0);
    }

    assert!(pool.wait_ready(Duration::from_secs(120)).await);
    let started = Instant::now();
    let results = futures_util::future::join_all((0..20).map(|_| pool.run_job(&job))).await;
    let concurrent_ms = started.elapsed().as_secs_f64() * 1000.0;
    let ok = results
        .iter()
        .filter(|r| r.as_ref().is_ok_and(|r| r.success))
        .count();
    pool.drain().await;

    let (cold, plain, warm) = (p50(cold), p50(plain), p50(warm));
    println!("sandbox benchmark: pandas group-by on 10k rows, {ROUNDS} rounds, p50");
    println!("  cold (new container per job)   {cold:8.0} ms");
    println!("  plain `docker run`             {plain:8.0} ms");
    println!(
        "  warm (pre-started spare)       {warm:8.0} ms   ({:.0}x faster than cold)",
        cold / warm
    );
    println!("  20 concurrent jobs             {ok}/20 succeeded in {concurrent_ms:.0} ms");
    println!("  memory per warm container      {memory}");
}

/// `docker stats` memory of each spare, as the engine reports it (cgroup usage).
fn warm_memory(ids: &[String]) -> String {
    let output = Command::new("docker")
        .args(["stats", "--no-stream", "--format", "{{.MemUsage}}"])
        .args(ids)
        .output()
        .unwrap();
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .replace('\n', "; ")
}
