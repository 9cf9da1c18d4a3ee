//! Restricted mode (SECURITY.md S3), for machines without Docker, on Linux: the runner runs out
//! of process under bubblewrap and rlimits, never in the app.
//!
//! What holds: an empty environment; new pid, network, ipc and uts namespaces (no network at
//! all, only loopback); `/` built from read-only binds of `/usr` and the Python installation only
//! (never the home directory or other files); a throw-away `/workspace` and a fresh `/tmp`;
//! rlimits on address space, CPU time, processes, file size, open files and core dumps; the whole
//! process tree killed at the deadline (bubblewrap's `--die-with-parent` plus its pid namespace:
//! when its init goes, every process in it goes). Plus the static guard, as always.
//!
//! The rlimits are set by `prlimit` *inside* the sandbox, as the last step before Python, so
//! that `RLIMIT_NPROC` counts the right processes:
//! - As an ordinary user, bubblewrap also makes a user namespace, and the kernel (5.14 and
//!   later) counts processes per user namespace: the limit is this run's own, whatever else the
//!   user runs. Set before bubblewrap instead, the same limit would apply to the user's processes
//!   on the whole host (a desktop has hundreds), and bubblewrap could not even start.
//! - As root (CI, servers), the kernel ignores `RLIMIT_NPROC` (it exempts the initial root user
//!   and `CAP_SYS_RESOURCE`), and a user namespace made by root still maps to root. So bubblewrap
//!   makes no user namespace; after it has built the file system, `setpriv` (util-linux) switches
//!   to the unprivileged [`SANDBOX_UID`]:[`SANDBOX_GID`] with no supplementary groups, clears
//!   every capability (bounding and inheritable sets too) and sets `no_new_privs`, and then
//!   `prlimit` applies. The process count is then that uid's on the whole host, which is why it is
//!   a uid of its own rather than `nobody` (the Docker sandbox runs as 65534 on the same kernel),
//!   and it is shared by restricted runs that happen at the same time.
//!
//! What is weaker than Docker, and why the UI labels it so: no cgroup, so memory is bounded by
//! address space (not resident memory); `/tmp` is a tmpfs without a size limit (each file is
//! bounded by `RLIMIT_FSIZE`, not their number); the rootfs is the host's `/usr`, read-only.
//!
//! Only Linux is built. Missing, and reported as "the restricted mode cannot run here" on other
//! systems: on macOS a `sandbox-exec` profile (deny network and file access outside the Python
//! installation and the workspace) with `setrlimit` and a process group killed at the deadline;
//! on Windows a job object (memory, process count, kill on close) with an AppContainer or a
//! restricted token, and an explicit warning that the network cannot be blocked there. Neither
//! can be built or tested on the Linux machines this crate is developed on.

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
/// Processes (threads included) of the run; see the module's notes on how the kernel counts.
pub const PROCESSES: u64 = 64;
/// The user a run switches to when Sightline runs as root, so that `RLIMIT_NPROC` applies.
/// Not 65534 (`nobody`): the Docker sandbox's processes run as 65534 on the same kernel and
/// would count against the same limit. 65533 lies in the range Debian keeps unallocated.
pub const SANDBOX_UID: u32 = 65533;
/// The group a run switches to when Sightline runs as root.
pub const SANDBOX_GID: u32 = 65533;

/// The host's Python, as probed.
#[derive(Debug, Clone, Deserialize)]
struct PythonInfo {
    exe: PathBuf,
    prefix: PathBuf,
    base: PathBuf,
}

/// bubblewrap, prlimit, a host Python with pandas and numpy, and `setpriv` when Sightline runs
/// as root.
#[derive(Debug, Clone)]
pub struct RestrictedSandbox {
    bwrap: PathBuf,
    prlimit: PathBuf,
    /// Set when Sightline runs as root: the run switches to [`SANDBOX_UID`] through it.
    setpriv: Option<PathBuf>,
    python: PythonInfo,
}

fn unavailable(why: impl std::fmt::Display) -> SandboxError {
    SandboxError::Unavailable(format!(
        "The restricted mode cannot run here: {why}. Install Docker for the stronger sandbox, or fix the above."
    ))
}

/// The first `name` on `PATH`, with symbolic links resolved (so a tool can be found again inside
/// the sandbox, where only `/usr` and the Python installation exist).
fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
        .map(|found| std::fs::canonicalize(&found).unwrap_or(found))
}

/// Whether this process runs with effective uid 0, from `/proc/self/status`.
fn running_as_root() -> Result<bool, SandboxError> {
    let status = std::fs::read_to_string("/proc/self/status")
        .map_err(|e| unavailable(format!("/proc/self/status cannot be read ({e})")))?;
    let effective = status
        .lines()
        .find_map(|line| line.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().nth(1))
        .and_then(|uid| uid.parse::<u32>().ok())
        .ok_or_else(|| unavailable("/proc/self/status names no user"))?;
    Ok(effective == 0)
}

/// The directories above `dirs` that bubblewrap must make before binding them (outside `/usr`),
/// parents first.
fn parents_to_make(dirs: &[&Path]) -> Vec<PathBuf> {
    let mut parents: Vec<PathBuf> = Vec::new();
    for dir in dirs {
        if dir.starts_with("/usr") {
            continue;
        }
        let mut above: Vec<PathBuf> = dir
            .ancestors()
            .skip(1)
            .filter(|p| p.parent().is_some())
            .map(Path::to_path_buf)
            .collect();
        above.reverse();
        for parent in above {
            if !parents.contains(&parent) {
                parents.push(parent);
            }
        }
    }
    parents
}

impl RestrictedSandbox {
    /// Finds bubblewrap, prlimit, a `python3` with pandas and numpy, and, when Sightline runs as
    /// root, `setpriv`.
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
        let setpriv = if running_as_root()? {
            Some(find_program("setpriv").ok_or_else(|| {
                unavailable(
                    "Sightline runs as root and needs setpriv (util-linux) to run the code as an unprivileged user",
                )
            })?)
        } else {
            None
        };
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
            setpriv,
            python,
        })
    }

    /// The `(uid, gid)` the code runs as when it is not this process's own user: set when
    /// Sightline runs as root.
    pub fn drops_to(&self) -> Option<(u32, u32)> {
        self.setpriv.as_ref().map(|_| (SANDBOX_UID, SANDBOX_GID))
    }

    /// The whole command line: bubblewrap, then (as root) setpriv, then prlimit, then the runner.
    fn command(&self, job: &Job, scratch: &Path) -> Command {
        let limits = job.limits();
        let mut command = Command::new(&self.bwrap);
        if self.setpriv.is_some() {
            // No user namespace: made by root it would map to root, which RLIMIT_NPROC exempts.
            command.args([
                "--unshare-pid",
                "--unshare-net",
                "--unshare-ipc",
                "--unshare-uts",
                "--unshare-cgroup-try",
            ]);
        } else {
            command.arg("--unshare-all");
        }
        command
            .args(["--die-with-parent", "--new-session"])
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
        // The tools that run inside, when they live outside /usr.
        for tool in [Some(&self.prlimit), self.setpriv.as_ref()]
            .into_iter()
            .flatten()
        {
            if !tool.starts_with("/usr") {
                command.arg("--ro-bind").arg(tool).arg(tool);
            }
        }
        let python_dirs = [self.python.prefix.as_path(), self.python.base.as_path()];
        // bubblewrap would give the directories above a bind the modes of the host's (`/root`
        // and the scratch directory are 0700), which an unprivileged user cannot cross.
        let binds = [
            python_dirs[0],
            python_dirs[1],
            Path::new(RUNNER_PATH),
            Path::new("/etc/ld.so.cache"),
        ];
        for parent in parents_to_make(&binds) {
            command.args(["--perms", "0755", "--dir"]).arg(parent);
        }
        command.args(["--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache"]);
        for dir in python_dirs {
            if !dir.starts_with("/usr") {
                command.arg("--ro-bind").arg(dir).arg(dir);
            }
        }
        command
            .args(["--proc", "/proc", "--dev", "/dev"])
            .args(["--perms", "1777", "--tmpfs", "/tmp"])
            .arg("--bind")
            .arg(scratch.join("workspace"))
            .arg(WORKSPACE)
            .arg("--ro-bind")
            .arg(scratch.join("runner.py"))
            .arg(RUNNER_PATH)
            .args(["--chdir", WORKSPACE]);
        if let Some(setpriv) = &self.setpriv {
            // Only what setpriv needs to switch users; it then clears every capability.
            command
                .args(["--cap-drop", "ALL"])
                .args(["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"])
                .args(["--cap-add", "CAP_SETPCAP"])
                .arg(setpriv)
                .arg(format!("--reuid={SANDBOX_UID}"))
                .arg(format!("--regid={SANDBOX_GID}"))
                .args(["--clear-groups", "--inh-caps=-all", "--bounding-set=-all"])
                .args(["--no-new-privs", "--"]);
        }
        command
            .arg(&self.prlimit)
            .arg(format!("--as={}", limits.memory))
            .arg(format!("--cpu={}", limits.timeout.as_secs() + 1))
            .arg(format!("--fsize={FILE_SIZE}"))
            .arg(format!("--nofile={OPEN_FILES}"))
            .arg(format!("--nproc={PROCESSES}"))
            .arg("--core=0")
            .arg("--")
            .arg(&self.python.exe)
            .args(["-I", "-B", RUNNER_PATH])
            .env_clear()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        command
    }

    /// The throw-away directory: `workspace/` (writable by the user the code runs as) and
    /// `runner.py` (readable by it).
    fn prepare_scratch(&self) -> Result<tempfile::TempDir, SandboxError> {
        use std::os::unix::fs::PermissionsExt;
        let failed = |e: std::io::Error| {
            SandboxError::Internal(format!("Could not prepare the working directory: {e}"))
        };
        let scratch = tempfile::Builder::new()
            .prefix("sightline-restricted-")
            .tempdir()
            .map_err(|e| {
                SandboxError::Internal(format!("Could not make a working directory: {e}"))
            })?;
        let workspace = scratch.path().join("workspace");
        let runner = scratch.path().join("runner.py");
        std::fs::create_dir(&workspace).map_err(failed)?;
        std::fs::write(&runner, RUNNER_PY).map_err(failed)?;
        std::fs::set_permissions(&runner, std::fs::Permissions::from_mode(0o644))
            .map_err(failed)?;
        if let Some((uid, gid)) = self.drops_to() {
            std::os::unix::fs::chown(&workspace, Some(uid), Some(gid)).map_err(failed)?;
        }
        // bubblewrap enters it (`--chdir`) as root without capabilities, so others need `x`;
        // the scratch directory above stays 0700, closed to every other user of the host.
        std::fs::set_permissions(&workspace, std::fs::Permissions::from_mode(0o711))
            .map_err(failed)?;
        Ok(scratch)
    }

    async fn run_job(&self, job: &Job) -> Result<SandboxResult, SandboxError> {
        let started = Instant::now();
        let limits = job.limits();
        let scratch = self.prepare_scratch()?;
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
        // Outside the exchange, so what arrived before a timeout is still there after it.
        let mut scanner = ReplyScanner::new(&nonce, OUTPUT_CAP);
        let mut err_scanner = ReplyScanner::new(&nonce, OUTPUT_CAP);
        let exchange = async {
            // A runner that dies at start-up closes stdin; its exit status tells why below.
            let _ = stdin.write_all(&frame).await;
            drop(stdin);
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
        };
        let timed_out = tokio::time::timeout_at(deadline, exchange).await.is_err();
        // Whatever happened, nothing of the run may outlive this call.
        let _ = child.start_kill();
        let status = child.wait().await.ok();
        if timed_out {
            let mut result = SandboxResult::failed(
                SandboxError::Timeout {
                    secs: limits.timeout.as_secs(),
                },
                Some(ModeUsed::Restricted),
                started,
            );
            result.output = ReplyScanner::output_so_far(&[&scanner, &err_scanner]);
            return Ok(result);
        }
        match scanner.reply() {
            Some(Ok(reply)) => {
                let (mut stray, mut dropped) = scanner.stray();
                let (err_text, err_dropped) = err_scanner.stray();
                stray.push_str(&err_text);
                dropped += err_dropped;
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
                result.output = ReplyScanner::output_so_far(&[&scanner, &err_scanner]);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_of_python_outside_usr_are_made_parents_first() {
        let parents = parents_to_make(&[
            Path::new("/root/.pyenv/versions/3.11.7"),
            Path::new("/usr/lib/python3"),
            Path::new("/root/.pyenv/other"),
        ]);
        assert_eq!(
            parents,
            vec![
                PathBuf::from("/root"),
                PathBuf::from("/root/.pyenv"),
                PathBuf::from("/root/.pyenv/versions"),
            ]
        );
    }

    #[test]
    fn the_user_is_read_from_proc() {
        if cfg!(target_os = "linux") {
            assert!(running_as_root().is_ok());
        }
    }
}
