//! Docker mode against the real engine and image: the seed's examples, the guard in front of
//! Docker, and attacks with the guard bypassed proving the container holds by itself (S1, S2).

use std::collections::HashMap;
use std::time::Duration;

use serde_json::json;
use sightline_sandbox::docker::LABEL;
use sightline_sandbox::{
    DockerSettings, Limits, Mode, ModeUsed, SandboxError, SandboxErrorKind, SandboxRequest,
};

use crate::support::{assert_timed_out, docker, run_unguarded};

const MB: u64 = 1 << 20;

async fn run_guarded(code: &str, data: &[(&str, &str)]) -> sightline_sandbox::SandboxResult {
    let mut request = SandboxRequest::new(code);
    request.mode = Mode::Docker;
    request.data = data
        .iter()
        .map(|(n, c)| (n.to_string(), c.to_string()))
        .collect();
    sightline_sandbox::run(&request, &crate::support::settings()).await
}

fn assert_success(result: &sightline_sandbox::SandboxResult) {
    assert!(
        result.success,
        "the run must succeed: error {:?}, output {:?}",
        result.error, result.output
    );
    assert_eq!(result.mode_used, Some(ModeUsed::Docker));
}

#[tokio::test]
async fn seed_example_mean_of_a_column() {
    if docker().await.is_none() {
        return;
    }
    let result = run_guarded(
        "import pandas as pd\nimport numpy as np\n\ndf = pd.DataFrame({'x': [1, 2, 3], 'y': [4, 5, 6]})\nresult = {'mean_y': df['y'].mean()}",
        &[],
    )
    .await;
    assert_success(&result);
    assert_eq!(result.result, json!({"mean_y": 5.0}));
    assert!(result.visualization.is_null());
    assert_eq!(result.output, "");
}

#[tokio::test]
async fn data_arrives_as_a_file_and_a_dataframe_and_a_plotly_figure_comes_back() {
    if docker().await.is_none() {
        return;
    }
    let csv = "region,amount\nnorth,10\nsouth,5\nnorth,7\n";
    let code = "import plotly.express as px\n\
        on_disk = pd.read_csv('/workspace/sales.csv')\n\
        g = sales.groupby('region')['amount'].sum()\n\
        print('rows', len(on_disk))\n\
        fig = px.bar(x=list(g.index), y=list(g.values))\n\
        result = {'total': g, 'same': bool(on_disk.equals(sales)), 'n': np.int64(3)}";
    let result = run_guarded(code, &[("sales", csv)]).await;
    assert_success(&result);
    assert_eq!(
        result.result,
        json!({"total": {"north": 17, "south": 5}, "same": true, "n": 3}),
        "numpy and pandas values come back as plain JSON"
    );
    assert_eq!(result.output, "rows 3\n");
    let data = &result.visualization["data"];
    assert_eq!(
        data[0]["type"], "bar",
        "the figure comes back as Plotly JSON: {}",
        result.visualization
    );
}

#[tokio::test]
async fn seed_security_example_fails_in_docker_mode_before_running() {
    let result = run_guarded("import os; result = os.listdir('/')", &[]).await;
    assert!(!result.success);
    assert_eq!(result.mode_used, None, "nothing ran");
    let error = result.error.unwrap_or_default();
    assert!(
        error.contains("line 1") && error.contains("'os'"),
        "{error}"
    );
    assert_eq!(
        result.failure.map(|f| f.kind()),
        Some(SandboxErrorKind::BadInput)
    );
}

#[tokio::test]
async fn code_errors_name_the_line() {
    if docker().await.is_none() {
        return;
    }
    let result = run_guarded("x = 1\ny = x / 0", &[]).await;
    assert!(!result.success);
    let error = result.error.unwrap_or_default();
    assert!(
        error.contains("ZeroDivisionError") && error.contains("line 2"),
        "{error}"
    );
}

#[tokio::test]
async fn the_network_is_unreachable() {
    let Some(sandbox) = docker().await else {
        return;
    };
    let code = "import socket\n\
        try:\n    socket.create_connection(('1.1.1.1', 53), timeout=3)\n    result = 'connected'\n\
        except OSError as e:\n    result = 'blocked: ' + str(e)\n\
        result = [result, socket.if_nameindex()]";
    let result = run_unguarded(&sandbox, code, 20, 512 * MB).await;
    assert_success(&result);
    let text = result.result.to_string();
    assert!(
        text.contains("blocked"),
        "no network in the container: {text}"
    );
    assert!(!text.contains("eth0"), "only loopback exists: {text}");
}

#[tokio::test]
async fn nothing_outside_the_workspace_is_writable() {
    let Some(sandbox) = docker().await else {
        return;
    };
    let code = "import os\n\
        out = {}\n\
        for path in ['/etc/x', '/opt/sightline/runner.py', '/usr/local/x', '/x', '/workspace/ok', '/tmp/ok']:\n\
        \x20   try:\n\
        \x20       with open(path, 'w') as f:\n\
        \x20           f.write('x')\n\
        \x20       out[path] = 'written'\n\
        \x20   except OSError as e:\n\
        \x20       out[path] = type(e).__name__\n\
        out['uid'] = os.getuid()\n\
        result = out";
    let result = run_unguarded(&sandbox, code, 20, 512 * MB).await;
    assert_success(&result);
    let r = &result.result;
    for path in ["/etc/x", "/opt/sightline/runner.py", "/usr/local/x", "/x"] {
        assert_ne!(r[path], "written", "{path} must not be writable: {r}");
    }
    assert_eq!(r["/workspace/ok"], "written", "{r}");
    assert_eq!(r["/tmp/ok"], "written", "{r}");
    assert_eq!(r["uid"], 65534, "runs as nobody: {r}");
}

#[tokio::test]
async fn tmpfs_forbids_executing_what_the_code_writes() {
    let Some(sandbox) = docker().await else {
        return;
    };
    let code = "import os, subprocess\n\
        with open('/workspace/x.sh', 'w') as f:\n    f.write('#!/bin/sh\\necho pwned\\n')\n\
        os.chmod('/workspace/x.sh', 0o755)\n\
        try:\n    result = subprocess.run(['/workspace/x.sh'], capture_output=True).stdout.decode()\n\
        except OSError as e:\n    result = type(e).__name__";
    let result = run_unguarded(&sandbox, code, 20, 512 * MB).await;
    assert_success(&result);
    assert_eq!(
        result.result, "PermissionError",
        "noexec on /workspace: {:?}",
        result.result
    );
}

#[tokio::test]
async fn a_fork_bomb_is_contained() {
    let Some(sandbox) = docker().await else {
        return;
    };
    let code = "import os\n\
        made = 0\n\
        for _ in range(500):\n\
        \x20   try:\n\
        \x20       pid = os.fork()\n\
        \x20   except OSError:\n\
        \x20       break\n\
        \x20   if pid == 0:\n\
        \x20       import time\n\
        \x20       time.sleep(60)\n\
        \x20       os._exit(0)\n\
        \x20   made += 1\n\
        result = made";
    let result = run_unguarded(&sandbox, code, 30, 512 * MB).await;
    assert_success(&result);
    let made = result.result.as_i64().unwrap_or(i64::MAX);
    assert!(
        made < 64,
        "the pids limit stops forking well before 500, made {made}"
    );
}

#[tokio::test]
async fn a_memory_bomb_is_reported_as_the_memory_limit() {
    let Some(sandbox) = docker().await else {
        return;
    };
    let code = "chunks = []\nwhile True:\n    chunks.append(bytearray(16 * 1024 * 1024))";
    let result = run_unguarded(&sandbox, code, 60, 256 * MB).await;
    assert!(!result.success);
    let error = result.error.clone().unwrap_or_default();
    assert!(
        error.contains("memory limit of 256 MB"),
        "S2 wording: {error}"
    );
    assert!(
        matches!(result.failure, Some(SandboxError::MemoryExceeded { .. })),
        "{:?}",
        result.failure
    );
}

#[tokio::test]
async fn an_infinite_loop_times_out_and_takes_its_children_with_it() {
    let Some(sandbox) = docker().await else {
        return;
    };
    let code = "import subprocess\n\
        subprocess.Popen(['sleep', '600'])\n\
        print('started', flush=True)\n\
        while True:\n    pass";
    let (id, result) = run_tracked(&sandbox, code, 3).await;
    assert!(!result.success);
    assert_timed_out(&result, Some(3));
    // The child that would outlive the code went with the container.
    assert!(
        gone(&sandbox, &id).await,
        "container {id} must be removed after a timeout"
    );
}

#[tokio::test]
async fn a_sleep_past_the_timeout_is_stopped() {
    let Some(sandbox) = docker().await else {
        return;
    };
    let (id, result) = run_tracked(&sandbox, "import time\ntime.sleep(120)", 2).await;
    assert_timed_out(&result, None);
    assert!(gone(&sandbox, &id).await);
}

/// Runs unguarded code through a container whose id the test knows.
async fn run_tracked(
    sandbox: &sightline_sandbox::DockerSandbox,
    code: &str,
    timeout_secs: u64,
) -> (String, sightline_sandbox::SandboxResult) {
    let mut request = SandboxRequest::new(code);
    request.timeout = Duration::from_secs(timeout_secs);
    request.memory = 256 * MB;
    let job = sightline_sandbox::Job::without_guard_for_tests(&request).unwrap();
    let container = sandbox.start(&job.limits(), 0, false).await.unwrap();
    let id = container.id().to_string();
    let result = container
        .run(&job, std::time::Instant::now())
        .await
        .unwrap();
    (id, result)
}

async fn gone(sandbox: &sightline_sandbox::DockerSandbox, id: &str) -> bool {
    sandbox
        .docker()
        .inspect_container(
            id,
            None::<bollard::query_parameters::InspectContainerOptions>,
        )
        .await
        .is_err()
}

#[tokio::test]
async fn an_output_flood_is_truncated_visibly() {
    let Some(sandbox) = docker().await else {
        return;
    };
    let code = "for i in range(2_000_000):\n    print('flood line', i)\nresult = 'done'";
    let result = run_unguarded(&sandbox, code, 60, 512 * MB).await;
    assert_success(&result);
    assert_eq!(result.result, "done");
    assert!(
        result.output.len() < 80_000,
        "output is capped: {} bytes",
        result.output.len()
    );
    assert!(
        result.output.contains("[output truncated:"),
        "the cut is visible"
    );
}

#[tokio::test]
async fn many_small_files_hit_the_inode_limit() {
    let Some(sandbox) = docker().await else {
        return;
    };
    let code = "n = 0\n\
        try:\n\
        \x20   for i in range(100_000):\n\
        \x20       with open(f'/workspace/f{i}', 'w') as f:\n\
        \x20           f.write('x')\n\
        \x20       n += 1\n\
        except OSError as e:\n\
        \x20   err = e.strerror\n\
        result = [n, err]";
    let result = run_unguarded(&sandbox, code, 60, 512 * MB).await;
    assert_success(&result);
    let made = result.result[0].as_i64().unwrap_or(i64::MAX);
    assert!(
        made < 5000,
        "nr_inodes stops file creation, made {made}: {}",
        result.result
    );
}

#[tokio::test]
async fn a_live_container_has_the_s1_settings() {
    let Some(sandbox) = docker().await else {
        return;
    };
    let limits = Limits {
        timeout: Duration::from_secs(30),
        memory: 512 * MB,
    };
    let container = sandbox.start(&limits, 0, false).await.unwrap();
    let inspected = sandbox
        .docker()
        .inspect_container(
            container.id(),
            None::<bollard::query_parameters::InspectContainerOptions>,
        )
        .await;
    container.discard().await;
    let inspected = inspected.unwrap();
    let state = inspected.state.clone().unwrap_or_default();
    assert_eq!(
        state.running,
        Some(true),
        "inspected while it waits for its job"
    );
    let host = inspected.host_config.unwrap();
    assert_eq!(host.network_mode.as_deref(), Some("none"));
    assert_eq!(host.cap_drop, Some(vec!["ALL".to_string()]));
    assert_eq!(
        host.security_opt,
        Some(vec!["no-new-privileges".to_string()])
    );
    assert_ne!(host.privileged, Some(true));
    assert_eq!(host.readonly_rootfs, Some(true));
    assert_eq!(host.pids_limit, Some(64));
    assert_eq!(host.memory, Some((512 * MB) as i64));
    assert_eq!(
        host.memory_swap, host.memory,
        "no swap beyond the memory limit"
    );
    assert_eq!(host.nano_cpus, Some(1_000_000_000));
    assert_eq!(host.init, Some(true));
    assert_eq!(host.log_config.and_then(|l| l.typ).as_deref(), Some("none"));
    assert!(host.binds.unwrap_or_default().is_empty(), "no host paths");
    assert!(host.devices.unwrap_or_default().is_empty(), "no devices");
    assert!(host.mounts.unwrap_or_default().is_empty(), "no mounts");
    let seccomp_off = host
        .security_opt
        .iter()
        .flatten()
        .any(|o| o.contains("seccomp=unconfined"));
    assert!(!seccomp_off, "the default seccomp profile stays");
    let tmpfs = host.tmpfs.unwrap_or_default();
    for mount in ["/tmp", "/workspace"] {
        let options = tmpfs.get(mount).cloned().unwrap_or_default();
        for flag in ["noexec", "nosuid", "nodev", "size=", "nr_inodes="] {
            assert!(options.contains(flag), "{mount} lacks {flag}: {options}");
        }
    }
    let ulimits: HashMap<String, i64> = host
        .ulimits
        .unwrap_or_default()
        .into_iter()
        .map(|u| (u.name.unwrap_or_default(), u.hard.unwrap_or(-1)))
        .collect();
    assert_eq!(ulimits.get("core"), Some(&0));
    assert!(
        ulimits.contains_key("nofile") && ulimits.contains_key("fsize"),
        "{ulimits:?}"
    );
    let config = inspected.config.unwrap();
    assert_eq!(config.user.as_deref(), Some("65534:65534"));
    assert_eq!(config.working_dir.as_deref(), Some("/workspace"));
    assert_eq!(
        config
            .labels
            .unwrap_or_default()
            .get(LABEL)
            .map(String::as_str),
        Some("1")
    );
    let env = config.env.unwrap_or_default();
    assert!(
        !env.iter()
            .any(|e| e.to_ascii_uppercase().contains("KEY")
                || e.to_ascii_uppercase().contains("TOKEN")),
        "no secrets in Env: {env:?}"
    );
    assert_eq!(
        inspected.image.as_deref(),
        Some(sandbox.image_id()),
        "pinned by id"
    );
}

#[tokio::test]
async fn containers_are_removed_after_each_job() {
    let Some(sandbox) = docker().await else {
        return;
    };
    let (id, result) = run_tracked(&sandbox, "result = 1", 30).await;
    assert!(result.success, "{:?}", result.error);
    assert!(gone(&sandbox, &id).await, "removed after success");
    let (id, failed) = run_tracked(&sandbox, "raise SystemExit(3)", 30).await;
    assert!(!failed.success);
    assert!(failed.error.unwrap_or_default().contains("exit()"));
    assert!(gone(&sandbox, &id).await, "removed after failure");
}

#[tokio::test]
async fn a_container_killed_from_outside_is_a_clear_error() {
    let Some(sandbox) = docker().await else {
        return;
    };
    let mut request =
        SandboxRequest::new("import time\nprint('started', flush=True)\ntime.sleep(60)");
    request.memory = 256 * MB;
    let job = sightline_sandbox::Job::without_guard_for_tests(&request).unwrap();
    let container = sandbox.start(&job.limits(), 0, false).await.unwrap();
    let id = container.id().to_string();
    let api = sandbox.docker().clone();
    let killer = tokio::spawn(async move {
        // Time for the runner to import pandas and print.
        tokio::time::sleep(Duration::from_secs(5)).await;
        api.kill_container(&id, None::<bollard::query_parameters::KillContainerOptions>)
            .await
    });
    let started = std::time::Instant::now();
    let result = container.run(&job, started).await.unwrap();
    killer.await.unwrap().unwrap();
    // S10: the kill (5 s in) is reported within seconds, not at the job's 30 s deadline.
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "took {:?}",
        started.elapsed()
    );
    assert!(!result.success);
    let error = result.error.unwrap_or_default();
    assert!(error.contains("stopped from outside"), "{error}");
    assert!(!error.contains("memory"), "a kill is not an OOM: {error}");
    assert!(
        result.output.contains("started"),
        "what the code printed before the kill is kept: {:?}",
        result.output
    );
}

#[tokio::test]
async fn output_printed_before_a_timeout_is_kept() {
    if docker().await.is_none() {
        return;
    }
    // Through the guard and the whole one-shot path, as `sightline sandbox run` goes.
    let mut request = SandboxRequest::new(
        "print('step 1', flush=True)\nprint('step 2')\nn = 0\nwhile True:\n    n += 1",
    );
    request.mode = Mode::Docker;
    request.timeout = Duration::from_secs(4);
    let result = sightline_sandbox::run(&request, &crate::support::settings()).await;
    assert!(!result.success);
    assert_eq!(result.mode_used, Some(ModeUsed::Docker));
    assert_timed_out(&result, Some(4));
    assert_eq!(
        result.output, "step 1\nstep 2\n",
        "what the code printed before the timeout (a flush or a line end) is kept"
    );
}

#[tokio::test]
async fn output_kept_before_a_timeout_is_capped_visibly() {
    let Some(sandbox) = docker().await else {
        return;
    };
    let code = "import time\nfor i in range(200_000):\n    print('flood line', i)\ntime.sleep(60)";
    let result = run_unguarded(&sandbox, code, 8, 512 * MB).await;
    assert_timed_out(&result, None);
    assert!(
        result.output.starts_with("flood line 0\nflood line 1\n"),
        "{:?}",
        &result.output[..result.output.len().min(100)]
    );
    assert!(
        result.output.len() < 80_000,
        "capped: {} bytes",
        result.output.len()
    );
    assert!(
        result.output.contains("[output truncated:"),
        "the cut is visible"
    );
}

#[tokio::test]
async fn a_missing_image_is_named_with_the_fix() {
    if docker().await.is_none() {
        return;
    }
    let settings = DockerSettings {
        image: "sightline-sandbox:no-such-tag".to_string(),
        ..crate::support::settings()
    };
    let err = sightline_sandbox::DockerSandbox::connect(settings)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), SandboxErrorKind::SandboxUnavailable);
    assert!(err.to_string().contains("sightline sandbox image"), "{err}");
}

#[tokio::test]
async fn an_unreachable_engine_is_sandbox_unavailable() {
    let settings = DockerSettings {
        host: Some("unix:///nonexistent/docker.sock".to_string()),
        ..DockerSettings::default()
    };
    let err = sightline_sandbox::DockerSandbox::connect(settings)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), SandboxErrorKind::SandboxUnavailable, "{err}");
    assert!(
        err.to_string().contains("Start Docker"),
        "it says what to do: {err}"
    );
}

#[tokio::test]
async fn a_thread_bomb_is_contained() {
    let Some(sandbox) = docker().await else {
        return;
    };
    let code = "import threading, time\n\
        made = 0\n\
        try:\n\
        \x20   for _ in range(5000):\n\
        \x20       threading.Thread(target=time.sleep, args=(60,), daemon=True).start()\n\
        \x20       made += 1\n\
        except RuntimeError:\n\
        \x20   pass\n\
        result = made";
    let result = run_unguarded(&sandbox, code, 30, 512 * MB).await;
    assert_success(&result);
    let made = result.result.as_i64().unwrap_or(i64::MAX);
    assert!(made < 64, "the pids limit counts threads too, made {made}");
}

#[tokio::test]
async fn a_recursion_bomb_ends_with_a_clear_error() {
    let Some(sandbox) = docker().await else {
        return;
    };
    let code = "import sys\nsys.setrecursionlimit(10**7)\ndef f(n):\n    return f(n + 1) + 1\nresult = f(0)";
    let result = run_unguarded(&sandbox, code, 30, 256 * MB).await;
    assert!(!result.success);
    let error = result.error.unwrap_or_default();
    assert!(
        error.contains("stopped before the code finished")
            || error.contains("Recursion")
            || error.contains("memory"),
        "a crash of the interpreter is reported, not hidden: {error}"
    );
}

#[tokio::test]
async fn a_long_job_outlives_the_api_timeout_and_the_engine_checks() {
    let Some(sandbox) = docker().await else {
        return;
    };
    // Longer than one API call may take (20 s) and than several engine pings: a healthy engine
    // never ends a run early.
    let code = "import time\nprint('a', flush=True)\ntime.sleep(25)\nresult = 1";
    let result = run_unguarded(&sandbox, code, 60, 512 * MB).await;
    assert_success(&result);
    assert_eq!(result.result, json!(1));
    assert_eq!(
        result.output, "a\n",
        "the reply's output, not the live copy as well"
    );
}
