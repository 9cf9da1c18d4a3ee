//! Restricted mode (S3) against the real bubblewrap and host Python: the seed's example, and
//! attacks with the guard bypassed: network, files outside the workspace, the environment, a
//! child outliving the timeout, a memory bomb, an output flood. Not tested here: a fork bomb,
//! which RLIMIT_NPROC cannot stop when the tests run as root (see restricted.rs).

use std::time::Duration;

use serde_json::json;
use sightline_sandbox::{
    Job, ModeUsed, RestrictedSandbox, Sandbox as _, SandboxErrorKind, SandboxRequest, SandboxResult,
};

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

async fn run(
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
    assert_eq!(
        result.failure.as_ref().map(|f| f.kind()),
        Some(SandboxErrorKind::Timeout),
        "{:?}",
        result.error
    );
    assert!(
        result
            .error
            .unwrap_or_default()
            .contains("timed out after 3 s")
    );
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
