//! Restricted mode (SECURITY.md S3), for machines without Docker, on Linux: the runner runs out
//! of process under bubblewrap and rlimits, never in the app.
//!
//! What holds: an empty environment; new user, pid, network, ipc and uts namespaces (no
//! network at all, only loopback); `/` built from read-only binds of `/usr` and the Python
//! installation only (never the home directory or other files); a throw-away `/workspace` and a
//! fresh `/tmp`; rlimits on address space, CPU time, file size, open files and core dumps; the
//! whole process tree killed at the deadline (bubblewrap's `--die-with-parent` plus its pid
//! namespace: when its init goes, every process in it goes). Plus the static guard, as always.
//!
//! What is weaker than Docker, and why the UI labels it so: no cgroup, so memory is bounded by
//! address space (not resident memory) and the number of processes only by `RLIMIT_NPROC`,
//! which the kernel ignores for root; the rootfs is the host's `/usr`, read-only.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde::Deserialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::Command;

use crate::protocol::{RUNNER_PATH, RUNNER_PY, ReplyScanner};
use crate::{
    Job, ModeUsed, OUTPUT_CAP, Sandbox, SandboxError, SandboxResult, elapsed_ms, result_from_reply,
};

const WORKSPACE: &str = "/workspace";
/// Largest file the code may write.
const FILE_SIZE: u64 = 64 << 20;
const OPEN_FILES: u64 = 256;
const PROCESSES: u64 = 64;

/// The host's Python, as probed.
#[derive(Debug, Clone, Deserialize)]
struct PythonInfo {
    exe: PathBuf,
    prefix: PathBuf,
    base: PathBuf,
}

/// bubblewrap and a host Python with pandas and numpy.
#[derive(Debug, Clone)]
pub struct RestrictedSandbox {
    bwrap: PathBuf,
    prlimit: PathBuf,
    python: PythonInfo,
}

fn unavailable(why: impl std::fmt::Display) -> SandboxError {
    SandboxError::Unavailable(format!(
        "The restricted mode cannot run here: {why}. Install Docker for the stronger sandbox, or fix the above."
    ))
}

fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

impl RestrictedSandbox {
    /// Finds bubblewrap, prlimit and a `python3` with pandas and numpy.
    pub async fn detect() -> Result<Self, SandboxError> {
        if !cfg!(target_os = "linux") {
            return Err(unavailable(
                "it is built for Linux (bubblewrap); on this system use Docker",
            ));
        }
        let bwrap = find_program("bwrap")
            .ok_or_else(|| unavailable("bubblewrap is not installed (apt install bubblewrap)"))?;
        let prlimit = find_program("prlimit")
            .ok_or_else(|| unavailable("prlimit (util-linux) is not installed"))?;
        let python =
            find_program("python3").ok_or_else(|| unavailable("no python3 was found on PATH"))?;
        let probe = Command::new(&python)
            .args([
                "-I",
                "-c",
                "import sys, json, pandas, numpy; print(json.dumps({'exe': sys.executable, 'prefix': sys.prefix, 'base': sys.base_prefix}))",
            ])
            .env_clear()
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .output();
        let output = tokio::time::timeout(Duration::from_secs(30), probe)
            .await
            .map_err(|_| unavailable("python3 did not start within 30 s"))?
            .map_err(|e| unavailable(format!("python3 could not start ({e})")))?;
        if !output.status.success() {
            return Err(unavailable(format!(
                "{} lacks pandas or numpy (pip install pandas numpy)",
                python.display()
            )));
        }
        let python: PythonInfo = serde_json::from_slice(&output.stdout)
            .map_err(|e| unavailable(format!("python3 answered oddly ({e})")))?;
        Ok(RestrictedSandbox {
            bwrap,
            prlimit,
            python,
        })
    }

    /// The whole command line: prlimit, then bubblewrap, then the runner.
    fn command(&self, job: &Job, scratch: &Path) -> Command {
        let limits = job.limits();
        let mut command = Command::new(&self.prlimit);
        command
            .arg(format!("--as={}", limits.memory))
            .arg(format!("--cpu={}", limits.timeout.as_secs() + 1))
            .arg(format!("--fsize={FILE_SIZE}"))
            .arg(format!("--nofile={OPEN_FILES}"))
            .arg(format!("--nproc={PROCESSES}"))
            .arg("--core=0")
            .arg("--")
            .arg(&self.bwrap)
            .args(["--unshare-all", "--die-with-parent", "--new-session"])
            .args(["--clearenv", "--setenv", "HOME", "/tmp"])
            .args(["--setenv", "MPLCONFIGDIR", "/tmp"])
            .args(["--setenv", "OPENBLAS_NUM_THREADS", "1"])
            .args(["--setenv", "OMP_NUM_THREADS", "1"])
            .args(["--setenv", "PATH", "/usr/bin:/bin"])
            .args(["--ro-bind", "/usr", "/usr"]);
        for top in ["/bin", "/lib", "/lib64", "/sbin"] {
            match std::fs::read_link(top) {
                Ok(target) => {
                    command.arg("--symlink").arg(target).arg(top);
                }
                Err(_) if Path::new(top).is_dir() => {
                    command.args(["--ro-bind", top, top]);
                }
                Err(_) => {}
            }
        }
        command.args(["--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache"]);
        for dir in [&self.python.prefix, &self.python.base] {
            if !dir.starts_with("/usr") {
                command.arg("--ro-bind").arg(dir).arg(dir);
            }
        }
        command
            .args(["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"])
            .arg("--bind")
            .arg(scratch.join("workspace"))
            .arg(WORKSPACE)
            .arg("--ro-bind")
            .arg(scratch.join("runner.py"))
            .arg(RUNNER_PATH)
            .args(["--chdir", WORKSPACE])
            .arg(&self.python.exe)
            .args(["-I", "-B", RUNNER_PATH])
            .env_clear()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        command
    }

    async fn run_job(&self, job: &Job) -> Result<SandboxResult, SandboxError> {
        let started = Instant::now();
        let limits = job.limits();
        let scratch = tempfile::Builder::new()
            .prefix("sightline-restricted-")
            .tempdir()
            .map_err(|e| {
                SandboxError::Internal(format!("Could not make a working directory: {e}"))
            })?;
        std::fs::create_dir(scratch.path().join("workspace"))
            .and_then(|()| std::fs::write(scratch.path().join("runner.py"), RUNNER_PY))
            .map_err(|e| {
                SandboxError::Internal(format!("Could not prepare the working directory: {e}"))
            })?;
        let nonce = format!(
            "{:x}",
            started.elapsed().as_nanos() ^ u128::from(std::process::id())
        );
        let frame = job.message(&nonce, WORKSPACE).frame()?;
        let mut child = self
            .command(job, scratch.path())
            .spawn()
            .map_err(|e| unavailable(format!("bubblewrap could not start ({e})")))?;
        let (Some(mut stdin), Some(mut stdout), Some(mut stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return Err(SandboxError::Internal(
                "The runner's pipes are missing.".into(),
            ));
        };
        let deadline = tokio::time::Instant::now() + limits.timeout;
        let exchange = async {
            // A runner that dies at start-up closes stdin; its exit status tells why below.
            let _ = stdin.write_all(&frame).await;
            drop(stdin);
            let mut scanner = ReplyScanner::new(&nonce, OUTPUT_CAP);
            let mut err_scanner = ReplyScanner::new(&nonce, OUTPUT_CAP);
            let (mut out_buf, mut err_buf) = (vec![0u8; 64 << 10], vec![0u8; 64 << 10]);
            let (mut out_open, mut err_open) = (true, true);
            while out_open || err_open {
                tokio::select! {
                    n = stdout.read(&mut out_buf), if out_open => match n {
                        Ok(0) | Err(_) => out_open = false,
                        Ok(n) => scanner.push(&out_buf[..n]),
                    },
                    n = stderr.read(&mut err_buf), if err_open => match n {
                        Ok(0) | Err(_) => err_open = false,
                        Ok(n) => err_scanner.push(&err_buf[..n]),
                    },
                }
                if scanner.is_done() {
                    break;
                }
            }
            (scanner, err_scanner)
        };
        let outcome = tokio::time::timeout_at(deadline, exchange).await;
        // Whatever happened, nothing of the run may outlive this call.
        let _ = child.start_kill();
        let status = child.wait().await.ok();
        let Ok((scanner, err_scanner)) = outcome else {
            return Ok(SandboxResult::failed(
                SandboxError::Timeout {
                    secs: limits.timeout.as_secs(),
                },
                Some(ModeUsed::Restricted),
                started,
            ));
        };
        let (mut stray, mut dropped) = scanner.stray();
        let (err_text, err_dropped) = err_scanner.stray();
        stray.push_str(&err_text);
        dropped += err_dropped;
        match scanner.reply() {
            Some(Ok(reply)) => {
                let mut result = result_from_reply(
                    reply,
                    (stray, dropped),
                    ModeUsed::Restricted,
                    limits,
                    started,
                );
                result.duration_ms = elapsed_ms(started);
                Ok(result)
            }
            Some(Err(e)) => Err(e),
            None => {
                let how = status
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "an unknown status".into());
                let mut result = SandboxResult::failed(
                    SandboxError::CodeFailed(format!(
                        "The restricted sandbox stopped before the code finished ({how}); the code may have exceeded a limit (memory, CPU time, file size or processes)."
                    )),
                    Some(ModeUsed::Restricted),
                    started,
                );
                result.output = stray;
                Ok(result)
            }
        }
    }
}

impl Sandbox for RestrictedSandbox {
    fn mode(&self) -> ModeUsed {
        ModeUsed::Restricted
    }

    fn run<'a>(&'a self, job: &'a Job) -> crate::RunFuture<'a> {
        Box::pin(self.run_job(job))
    }
}
