//! Restricted mode (S3) against the real bubblewrap and host Python: the seed's example, and
//! attacks with the guard bypassed: network, files outside the workspace, the environment, a
//! child outliving the timeout, a memory bomb, an output flood, fork bombs (as root too: the run
//! switches to its own uid so RLIMIT_NPROC applies), and output kept across a timeout.
//!
//! The runs take turns (one lock): as root, every run's processes count against the same uid's
//! limit, so a fork bomb must not starve a neighbouring test's run.

use std::time::Duration;

use serde_json::json;
use sightline_sandbox::{
    Job, ModeUsed, RestrictedSandbox, Sandbox as _, SandboxErrorKind, SandboxRequest, SandboxResult,
};

use crate::support::assert_timed_out;

const MB: u64 = 1 << 20;

async fn restricted() -> Option<RestrictedSandbox> {
    match RestrictedSandbox::detect().await {
        Ok(sandbox) => Some(sandbox),
        Err(e) if std::env::var("SIGHTLINE_REQUIRE_RESTRICTED").is_ok_and(|v| v == "1") => {
            panic!("SIGHTLINE_REQUIRE_RESTRICTED=1 but the restricted mode cannot run: {e}")
        }
        Err(e) => {
            eprintln!("skipping a restricted-mode test: {e}");
            None
        }
    }
}

/// Held by every restricted run of these tests.
static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn run(
    sandbox: &RestrictedSandbox,
    code: &str,
    guarded: bool,
    secs: u64,
    memory: u64,
) -> SandboxResult {
    let _turn = TURN.lock().await;
    run_in_turn(sandbox, code, guarded, secs, memory).await
}

/// [`run`] for a caller that already holds [`TURN`] (to check what the run left behind).
async fn run_in_turn(
    sandbox: &RestrictedSandbox,
    code: &str,
    guarded: bool,
    secs: u64,
    memory: u64,
) -> SandboxResult {
    let mut request = SandboxRequest::new(code);
    request.timeout = Duration::from_secs(secs);
    request.memory = memory;
    request.data = vec![("points".to_string(), "x,y\n1,4\n2,5\n3,6\n".to_string())];
    let job = if guarded {
        Job::checked(&request).unwrap()
    } else {
        Job::without_guard_for_tests(&request).unwrap()
    };
    sandbox
        .run(&job)
        .await
        .unwrap_or_else(|e| panic!("the sandbox itself failed: {e}"))
}

#[tokio::test]
async fn seed_example_runs_restricted() {
    let Some(sandbox) = restricted().await else {
        return;
    };
    let result = run(
        &sandbox,
        "import pandas as pd\nresult = {'mean_y': float(points['y'].mean()), 'file': len(pd.read_csv('/workspace/points.csv'))}",
        true,
        60,
        1024 * MB,
    )
    .await;
    assert!(result.success, "{:?} {:?}", result.error, result.output);
    assert_eq!(result.result, json!({"mean_y": 5.0, "file": 3}));
    assert_eq!(result.mode_used, Some(ModeUsed::Restricted));
}

#[tokio::test]
async fn no_network_no_host_files_no_environment() {
    let Some(sandbox) = restricted().await else {
        return;
    };
    let secret = tempfile::NamedTempFile::new().unwrap();
    let code = format!(
        "import os, socket\n\
         out = {{}}\n\
         try:\n    socket.create_connection(('1.1.1.1', 53), timeout=3)\n    out['net'] = 'connected'\n\
         except OSError as e:\n    out['net'] = 'blocked'\n\
         out['secret_visible'] = os.path.exists({secret:?})\n\
         out['home_listing'] = os.path.exists('/home') and os.listdir('/home')\n\
         out['etc'] = sorted(os.listdir('/etc'))\n\
         out['env'] = sorted(os.environ)\n\
         try:\n    open('/usr/x', 'w')\n    out['usr'] = 'written'\n\
         except OSError as e:\n    out['usr'] = type(e).__name__\n\
         open('/workspace/ok', 'w').write('x')\n\
         result = out",
        secret = secret.path().display().to_string()
    );
    let result = run(&sandbox, &code, false, 60, 1024 * MB).await;
    assert!(result.success, "{:?}", result.error);
    let r = &result.result;
    assert_eq!(r["net"], "blocked", "{r}");
    assert_eq!(r["secret_visible"], false, "host files stay hidden: {r}");
    assert_eq!(r["home_listing"], false, "no home directories: {r}");
    assert_eq!(r["etc"], json!(["ld.so.cache"]), "{r}");
    assert_ne!(r["usr"], "written", "{r}");
    let allowed = [
        "HOME",
        "MPLCONFIGDIR",
        "OMP_NUM_THREADS",
        "OPENBLAS_NUM_THREADS",
        "PATH",
        "LC_CTYPE",
        "PWD",
    ];
    for key in r["env"].as_array().unwrap() {
        assert!(
            allowed.contains(&key.as_str().unwrap()),
            "unexpected environment {key}: {r}"
        );
    }
}

#[tokio::test]
async fn a_child_does_not_outlive_the_timeout() {
    let Some(sandbox) = restricted().await else {
        return;
    };
    let marker = format!("{}", 4000 + std::process::id() % 1000);
    let code = format!(
        "import subprocess\nsubprocess.Popen(['sleep', '{marker}.5'])\nwhile True:\n    pass"
    );
    let result = run(&sandbox, &code, false, 3, 1024 * MB).await;
    assert_timed_out(&result, Some(3));
    // bubblewrap's pid namespace dies with its init; give the kernel a moment to reap.
    let mut alive = true;
    for _ in 0..50 {
        alive = std::fs::read_dir("/proc").unwrap().flatten().any(|entry| {
            std::fs::read(entry.path().join("cmdline"))
                .is_ok_and(|c| String::from_utf8_lossy(&c).contains(&format!("{marker}.5")))
        });
        if !alive {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        !alive,
        "the child `sleep {marker}.5` must be killed with the run"
    );
}

#[tokio::test]
async fn a_memory_bomb_is_reported_as_the_memory_limit() {
    let Some(sandbox) = restricted().await else {
        return;
    };
    let code = "chunks = []\nwhile True:\n    chunks.append(bytearray(16 * 1024 * 1024))";
    let result = run(&sandbox, code, false, 60, 768 * MB).await;
    assert!(!result.success);
    let error = result.error.unwrap_or_default();
    assert!(error.contains("memory limit of 768 MB"), "{error}");
}

#[tokio::test]
async fn an_output_flood_is_truncated_visibly() {
    let Some(sandbox) = restricted().await else {
        return;
    };
    let code = "for i in range(1_000_000):\n    print('flood', i)\nresult = 'done'";
    let result = run(&sandbox, code, false, 60, 1024 * MB).await;
    assert!(result.success, "{:?}", result.error);
    assert!(result.output.len() < 80_000);
    assert!(result.output.contains("[output truncated:"));
}

fn unreachable_docker() -> sightline_sandbox::DockerSettings {
    sightline_sandbox::DockerSettings {
        host: Some("unix:///nonexistent/docker.sock".to_string()),
        ..sightline_sandbox::DockerSettings::default()
    }
}

#[tokio::test]
async fn auto_falls_back_to_restricted_and_says_why() {
    if restricted().await.is_none() {
        return;
    }
    let mut request = SandboxRequest::new("result = 2 + 3");
    request.mode = sightline_sandbox::Mode::Auto;
    let _turn = TURN.lock().await;
    let result = sightline_sandbox::run(&request, &unreachable_docker()).await;
    assert!(result.success, "{:?}", result.error);
    assert_eq!(result.mode_used, Some(ModeUsed::Restricted));
    assert!(
        result
            .output
            .starts_with("[sightline] Ran in the restricted mode (weaker isolation"),
        "the fallback is never silent: {:?}",
        result.output
    );
}

#[tokio::test]
async fn docker_mode_never_falls_back() {
    let mut request = SandboxRequest::new("result = 1");
    request.mode = sightline_sandbox::Mode::Docker;
    let result = sightline_sandbox::run(&request, &unreachable_docker()).await;
    assert!(!result.success);
    assert_eq!(
        result.mode_used, None,
        "nothing ran, in particular not the restricted mode"
    );
    assert_eq!(
        result.failure.map(|f| f.kind()),
        Some(SandboxErrorKind::SandboxUnavailable)
    );
}

#[tokio::test]
async fn output_printed_before_a_timeout_is_kept() {
    let Some(sandbox) = restricted().await else {
        return;
    };
    let code = "print('step 1', flush=True)\nprint('step 2')\nn = 0\nwhile True:\n    n += 1";
    let result = run(&sandbox, code, true, 4, 1024 * MB).await;
    assert!(!result.success);
    assert_timed_out(&result, Some(4));
    assert_eq!(
        result.output, "step 1\nstep 2\n",
        "what the code printed before the timeout is kept"
    );
}

/// Processes on this host whose real uid is `uid`.
fn processes_of(uid: u32) -> Vec<String> {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|entry| {
            let status = std::fs::read_to_string(entry.path().join("status")).ok()?;
            let real = status
                .lines()
                .find_map(|l| l.strip_prefix("Uid:"))?
                .split_whitespace()
                .next()?
                .parse::<u32>()
                .ok()?;
            (real == uid).then(|| entry.file_name().to_string_lossy().into_owned())
        })
        .collect()
}

/// As root, no process of the sandbox's uid may be left once a run has ended.
async fn assert_nothing_left(sandbox: &RestrictedSandbox) {
    let Some((uid, _)) = sandbox.drops_to() else {
        // As an ordinary user the run's processes share the user's uid; the pid namespace
        // (tested with a child outliving the timeout) is what ends them.
        return;
    };
    let mut left = processes_of(uid);
    for _ in 0..50 {
        if left.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        left = processes_of(uid);
    }
    assert!(
        left.is_empty(),
        "processes of uid {uid} outlived the run: {left:?}"
    );
}

#[tokio::test]
async fn a_fork_bomb_is_stopped_by_the_process_limit_even_as_root() {
    let Some(sandbox) = restricted().await else {
        return;
    };
    let code = "import os, time\n\
        made = 0\n\
        for _ in range(500):\n\
        \x20   try:\n\
        \x20       pid = os.fork()\n\
        \x20   except OSError:\n\
        \x20       break\n\
        \x20   if pid == 0:\n\
        \x20       time.sleep(60)\n\
        \x20       os._exit(0)\n\
        \x20   made += 1\n\
        status = dict(l.split(':', 1) for l in open('/proc/self/status').read().splitlines())\n\
        caps = {k: status[k].strip() for k in ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb', 'NoNewPrivs']}\n\
        result = {'made': made, 'uid': os.getuid(), 'euid': os.geteuid(), 'groups': os.getgroups(), 'caps': caps}";
    let _turn = TURN.lock().await;
    let result = run_in_turn(&sandbox, code, false, 30, 1024 * MB).await;
    assert!(result.success, "{:?} {:?}", result.error, result.output);
    let made = result.result["made"].as_u64().unwrap_or(u64::MAX);
    assert!(
        made < sightline_sandbox::restricted::PROCESSES,
        "RLIMIT_NPROC stops forking well before 500, made {made}: {}",
        result.result
    );
    if let Some((uid, _)) = sandbox.drops_to() {
        assert_eq!(result.result["uid"], uid, "{}", result.result);
        assert_eq!(result.result["euid"], uid, "{}", result.result);
        assert_eq!(result.result["groups"], json!([]), "{}", result.result);
        let zero = "0000000000000000";
        assert_eq!(
            result.result["caps"],
            json!({"CapInh": zero, "CapPrm": zero, "CapEff": zero, "CapBnd": zero,
                   "CapAmb": zero, "NoNewPrivs": "1"}),
            "no capability left, none to gain"
        );
    }
    // The sleeping children went with the sandbox's pid namespace.
    assert_nothing_left(&sandbox).await;
}

#[tokio::test]
async fn a_runaway_fork_bomb_ends_at_the_timeout_and_leaves_nothing() {
    let Some(sandbox) = restricted().await else {
        return;
    };
    // Every process forks for ever; those that cannot pause briefly and try again.
    let code = "import os, time\n\
        while True:\n\
        \x20   try:\n\
        \x20       os.fork()\n\
        \x20   except OSError:\n\
        \x20       time.sleep(0.05)";
    let _turn = TURN.lock().await;
    let started = std::time::Instant::now();
    let result = run_in_turn(&sandbox, code, false, 5, 1024 * MB).await;
    assert_timed_out(&result, None);
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "the bomb is killed at the deadline, took {:?}",
        started.elapsed()
    );
    assert_nothing_left(&sandbox).await;
    // The host can still start processes.
    let status = tokio::process::Command::new("true").status().await.unwrap();
    assert!(status.success());
}
