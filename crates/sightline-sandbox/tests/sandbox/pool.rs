//! The warm pool against the real engine: spares are used once and replaced, many jobs at once
//! all succeed through the bounded queue, and the queue refuses beyond its bound.

use std::time::Duration;

use sightline_sandbox::{Job, PoolSettings, SandboxError, SandboxRequest, WarmPool};

use crate::support::docker;

const GROUP_BY: &str =
    "g = sales.groupby('region')['amount'].sum()\nresult = {k: float(v) for k, v in g.items()}";

fn sales_csv(rows: usize) -> String {
    let mut csv = String::from("region,amount\n");
    for i in 0..rows {
        csv.push_str(&format!("r{},{}\n", i % 7, i % 100));
    }
    csv
}

fn job(code: &str, guarded: bool) -> Job {
    let mut request = SandboxRequest::new(code);
    request.data = vec![("sales".to_string(), sales_csv(10_000))];
    if guarded {
        Job::checked(&request).unwrap()
    } else {
        Job::without_guard_for_tests(&request).unwrap()
    }
}

#[tokio::test]
async fn a_spare_is_used_once_and_replaced() {
    let Some(sandbox) = docker().await else {
        return;
    };
    let docker_api = sandbox.docker().clone();
    let pool = WarmPool::new(
        sandbox,
        PoolSettings {
            spares: 1,
            ..PoolSettings::default()
        },
    );
    assert!(
        pool.wait_ready(Duration::from_secs(90)).await,
        "the spare starts"
    );
    let first = pool.spare_ids().await;
    let result = pool.run_job(&job(GROUP_BY, true)).await.unwrap();
    assert!(result.success, "{:?}", result.error);
    let expected: u64 = (0..10_000u64).filter(|i| i % 7 == 0).map(|i| i % 100).sum();
    assert_eq!(
        result.result["r0"].as_f64(),
        Some(expected as f64),
        "{}",
        result.result
    );
    assert!(
        pool.wait_ready(Duration::from_secs(90)).await,
        "a fresh spare replaces it"
    );
    let second = pool.spare_ids().await;
    assert_ne!(first, second, "the used container is never reused");
    for id in &first {
        // Removal runs in the background after the answer; it must happen, not be fast.
        let mut gone = false;
        for _ in 0..300 {
            gone = docker_api
                .inspect_container(
                    id,
                    None::<bollard::query_parameters::InspectContainerOptions>,
                )
                .await
                .is_err();
            if gone {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(gone, "the used spare {id} is destroyed");
    }
    pool.drain().await;
}

#[tokio::test]
async fn twenty_concurrent_jobs_all_succeed_through_the_queue() {
    let Some(sandbox) = docker().await else {
        return;
    };
    let pool = WarmPool::new(
        sandbox,
        PoolSettings {
            spares: 2,
            max_running: 3,
            max_waiting: 20,
            ..PoolSettings::default()
        },
    );
    let job = job(GROUP_BY, true);
    let runs = (0..20).map(|_| pool.run_job(&job));
    let results = futures_util::future::join_all(runs).await;
    let failures: Vec<String> = results
        .iter()
        .filter_map(|r| match r {
            Ok(r) if r.success => None,
            Ok(r) => Some(format!("{:?}", r.error)),
            Err(e) => Some(e.to_string()),
        })
        .collect();
    assert!(failures.is_empty(), "all 20 succeed: {failures:?}");
    pool.drain().await;
}

#[tokio::test]
async fn the_queue_refuses_beyond_its_bound() {
    let Some(sandbox) = docker().await else {
        return;
    };
    let pool = WarmPool::new(
        sandbox,
        PoolSettings {
            spares: 0,
            max_running: 1,
            max_waiting: 0,
            ..PoolSettings::default()
        },
    );
    let slow = job("import time\ntime.sleep(1)\nresult = 1", false);
    // join! polls in order: the first takes the only slot, the second waits, the third finds
    // the queue full.
    let (a, b, c) = tokio::join!(
        pool.run_job(&slow),
        pool.run_job(&slow),
        pool.run_job(&slow)
    );
    assert!(a.as_ref().is_ok_and(|r| r.success), "{a:?}");
    assert!(b.as_ref().is_ok_and(|r| r.success), "{b:?}");
    match c {
        Err(e @ SandboxError::Busy(_)) => {
            assert!(e.to_string().contains("busy"), "{e}")
        }
        other => panic!("the third job must be refused at once: {other:?}"),
    }
}
