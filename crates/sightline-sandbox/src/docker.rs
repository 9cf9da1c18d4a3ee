//! Docker mode (S1, S2, S10) through bollard: the hardened container settings, one single-use
//! container per job, the job sent over the attached stdin, the reply read from the attached
//! stdout, the wall-clock timeout enforced from the host, OOM reported as such, and orphans of
//! dead Sightline processes removed at start.
//!
//! Faults of the engine itself (S10) end a run within seconds, never at the job's deadline: the
//! attached stream closing without a reply is looked into at once, and while the code runs the
//! engine is pinged every few seconds; when it stops answering, the run ends with
//! `sandbox_unavailable` ("the Docker engine stopped answering"). The container that could not
//! be removed then is remembered and removed when this process next connects to an engine
//! (and its own `timeout` ends the code regardless).
//!
//! Why stdin: the archive API cannot write into a read-only rootfs or into a tmpfs mount (the
//! upload lands beneath the mount), so inputs travel inside the job message and the runner
//! writes them into the container's own `/workspace` tmpfs.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use bollard::Docker;
use bollard::container::LogOutput;
use bollard::models::{ContainerCreateBody, HostConfig, HostConfigLogConfig, ResourcesUlimits};
use bollard::query_parameters::{
    AttachContainerOptionsBuilder, CreateContainerOptions, InspectContainerOptions,
    ListContainersOptionsBuilder, RemoveContainerOptionsBuilder, WaitContainerOptionsBuilder,
};
use futures_util::{Stream, StreamExt};
use tokio::io::{AsyncWrite, AsyncWriteExt};

use crate::protocol::{READY_MARK, RUNNER_PATH, ReplyScanner};
use crate::{
    Job, Limits, ModeUsed, OUTPUT_CAP, Sandbox, SandboxError, SandboxResult, elapsed_ms, error,
    result_from_reply,
};

/// The image every run uses (CONTRACT.md).
pub const IMAGE: &str = "sightline-sandbox:py311";
/// Marks every container Sightline starts, so orphans can be found.
pub const LABEL: &str = "sightline.sandbox";
/// The id of the process that owns a container.
pub const OWNER_LABEL: &str = "sightline.sandbox.pid";
/// The image label holding the digest of the runner baked into it.
pub const RUNNER_LABEL: &str = "sightline.runner";
const WORKSPACE: &str = "/workspace";
/// How long a Docker API call may take before the daemon counts as unresponsive (S10).
const API_TIMEOUT: Duration = Duration::from_secs(20);
/// How often a running job checks that the engine still answers.
const HEARTBEAT_EVERY: Duration = Duration::from_secs(3);
/// How long one check may wait for the answer.
const HEARTBEAT_LIMIT: Duration = Duration::from_secs(8);
/// Checks in a row without an answer after which the engine counts as gone.
const HEARTBEAT_MISSES: u32 = 2;
/// How long the removal of a container may take before it is left for later.
const REMOVE_LIMIT: Duration = Duration::from_secs(10);

/// Containers whose removal failed (the engine did not answer); removed at the next connect.
static ABANDONED: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// The knobs of Docker mode; the defaults are S1's.
#[derive(Debug, Clone)]
pub struct DockerSettings {
    /// The engine's address (`unix:///var/run/docker.sock`, `tcp://...`); `None` means
    /// `DOCKER_HOST` or the default socket.
    pub host: Option<String>,
    pub image: String,
    /// CPUs per container.
    pub cpus: f64,
    pub pids_limit: i64,
    pub nofile: i64,
    pub tmp_size: u64,
    /// Files in each tmpfs (stops many-small-files from eating memory).
    pub nr_inodes: u64,
}

impl Default for DockerSettings {
    fn default() -> Self {
        DockerSettings {
            host: None,
            image: IMAGE.to_string(),
            cpus: 1.0,
            pids_limit: 64,
            nofile: 256,
            tmp_size: 64 << 20,
            nr_inodes: 4096,
        }
    }
}

/// A connection to a Docker engine that has the sandbox image.
#[derive(Debug, Clone)]
pub struct DockerSandbox {
    docker: Docker,
    image_id: String,
    settings: DockerSettings,
}

fn unavailable(what: &str, e: impl std::fmt::Display) -> SandboxError {
    SandboxError::Unavailable(format!(
        "Docker is not available ({what}: {e}). Start Docker (Docker Desktop, or `dockerd` on Linux) and try again, or choose the restricted mode."
    ))
}

/// Connects to the engine on `DOCKER_HOST` or the default socket, with the API version the
/// engine speaks (Docker 20.10 speaks 1.41), and a short timeout so a dead daemon fails fast.
pub async fn connect_engine(host: Option<&str>, timeout: Duration) -> Result<Docker, SandboxError> {
    let docker = match host {
        Some(host) => Docker::connect_with_host(host),
        None => Docker::connect_with_defaults(),
    };
    let docker = docker
        .map_err(|e| unavailable("cannot connect", e))?
        .with_timeout(timeout);
    let docker = tokio::time::timeout(Duration::from_secs(10), docker.negotiate_version())
        .await
        .map_err(|_| unavailable("no answer", "the engine did not reply within 10 s"))?
        .map_err(|e| unavailable("no answer", e))?;
    tokio::time::timeout(Duration::from_secs(10), docker.ping())
        .await
        .map_err(|_| unavailable("no answer", "the engine did not reply within 10 s"))?
        .map_err(|e| unavailable("no answer", e))?;
    Ok(docker)
}

/// The digest of this build's runner; the image must carry the same one.
pub fn runner_digest() -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(crate::protocol::RUNNER_PY.as_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

impl DockerSandbox {
    /// Connects, checks the image and removes orphans of dead processes.
    pub async fn connect(settings: DockerSettings) -> Result<Self, SandboxError> {
        let docker = connect_engine(settings.host.as_deref(), API_TIMEOUT).await?;
        let image = docker.inspect_image(&settings.image).await.map_err(|e| {
            if is_not_found(&e) {
                SandboxError::Unavailable(format!(
                    "The sandbox image {} is missing. Build it once with `sightline sandbox image` (or `sightline sandbox image --offline-rootfs DIR` without internet).",
                    settings.image
                ))
            } else {
                unavailable("image lookup failed", e)
            }
        })?;
        let image_id = image.id.clone().ok_or_else(|| {
            SandboxError::Internal("Docker returned an image without an id.".into())
        })?;
        let label = image
            .config
            .as_ref()
            .and_then(|c| c.labels.as_ref())
            .and_then(|l| l.get(RUNNER_LABEL))
            .cloned();
        if label.as_deref() != Some(runner_digest().as_str()) {
            return Err(SandboxError::Unavailable(format!(
                "The sandbox image {} was built for another version of Sightline. Rebuild it with `sightline sandbox image`.",
                settings.image
            )));
        }
        let sandbox = DockerSandbox {
            docker,
            image_id,
            settings,
        };
        static CLEANED: OnceLock<()> = OnceLock::new();
        if CLEANED.set(()).is_ok() {
            // Best effort: a failure here must not stop the run.
            let _ = sandbox.remove_orphans().await;
        }
        sandbox.remove_abandoned().await;
        Ok(sandbox)
    }

    /// Removes the containers this process had to leave behind when the engine stopped
    /// answering mid-run (see [`abandoned`]). Returns how many are gone now; those the engine
    /// still does not remove stay listed for the next try.
    pub async fn remove_abandoned(&self) -> usize {
        let ids = std::mem::take(&mut *lock_abandoned());
        let mut removed = 0;
        for id in ids {
            // A failed removal lists the id again.
            if remove(&self.docker, &id).await {
                removed += 1;
            }
        }
        removed
    }

    pub fn docker(&self) -> &Docker {
        &self.docker
    }

    pub fn image_id(&self) -> &str {
        &self.image_id
    }

    /// Removes Sightline containers whose owning process is gone. Returns how many.
    pub async fn remove_orphans(&self) -> Result<usize, SandboxError> {
        let filters = HashMap::from([("label".to_string(), vec![format!("{LABEL}=1")])]);
        let options = ListContainersOptionsBuilder::default()
            .all(true)
            .filters(&filters)
            .build();
        let containers = self
            .docker
            .list_containers(Some(options))
            .await
            .map_err(|e| unavailable("listing containers failed", e))?;
        let mut removed = 0;
        for container in containers {
            let owner = container
                .labels
                .as_ref()
                .and_then(|l| l.get(OWNER_LABEL))
                .and_then(|p| p.parse::<u32>().ok());
            let created = container.created.unwrap_or_default();
            if is_orphan(owner, created)
                && let Some(id) = container.id
            {
                remove(&self.docker, &id).await;
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// S1's HostConfig for one container.
    pub fn host_config(&self, limits: &Limits, workspace_bytes: u64) -> HostConfig {
        let s = &self.settings;
        // Owned by the sandbox user: Docker gives a tmpfs the owner of the directory beneath it
        // (root), and `mode=` alone does not change that.
        let tmpfs_options = |size: u64| {
            format!(
                "rw,noexec,nosuid,nodev,size={size},nr_inodes={},uid=65534,gid=65534,mode=0700",
                s.nr_inodes
            )
        };
        let ulimit = |name: &str, value: i64| ResourcesUlimits {
            name: Some(name.to_string()),
            soft: Some(value),
            hard: Some(value),
        };
        let memory = i64::try_from(limits.memory).unwrap_or(i64::MAX);
        HostConfig {
            network_mode: Some("none".to_string()),
            cap_drop: Some(vec!["ALL".to_string()]),
            security_opt: Some(vec!["no-new-privileges".to_string()]),
            privileged: Some(false),
            readonly_rootfs: Some(true),
            tmpfs: Some(HashMap::from([
                ("/tmp".to_string(), tmpfs_options(s.tmp_size)),
                (WORKSPACE.to_string(), tmpfs_options(workspace_bytes)),
            ])),
            pids_limit: Some(s.pids_limit),
            memory: Some(memory),
            memory_swap: Some(memory),
            nano_cpus: Some((s.cpus * 1e9) as i64),
            ulimits: Some(vec![
                ulimit("nofile", s.nofile),
                ulimit("fsize", i64::try_from(workspace_bytes).unwrap_or(i64::MAX)),
                ulimit("core", 0),
            ]),
            log_config: Some(HostConfigLogConfig {
                typ: Some("none".to_string()),
                config: None,
            }),
            init: Some(true),
            auto_remove: Some(false),
            ..Default::default()
        }
    }

    /// The whole create body: fixed image (by id), command, user and working directory.
    pub fn container_body(
        &self,
        limits: &Limits,
        workspace_bytes: u64,
        warm: bool,
    ) -> ContainerCreateBody {
        // A backstop inside the container: even if this process dies, the run ends by itself.
        let backstop = limits.timeout.as_secs() + 30;
        let mut cmd = vec![
            "timeout".to_string(),
            "-s".to_string(),
            "KILL".to_string(),
            backstop.to_string(),
            "python3".to_string(),
            "-I".to_string(),
            "-B".to_string(),
            RUNNER_PATH.to_string(),
        ];
        if warm {
            cmd.push("--warm".to_string());
        }
        ContainerCreateBody {
            image: Some(self.image_id.clone()),
            entrypoint: Some(Vec::new()),
            cmd: Some(cmd),
            user: Some("65534:65534".to_string()),
            working_dir: Some(WORKSPACE.to_string()),
            env: Some(vec![
                "HOME=/tmp".to_string(),
                "MPLCONFIGDIR=/tmp".to_string(),
                "OPENBLAS_NUM_THREADS=1".to_string(),
                "OMP_NUM_THREADS=1".to_string(),
            ]),
            labels: Some(HashMap::from([
                (LABEL.to_string(), "1".to_string()),
                (OWNER_LABEL.to_string(), std::process::id().to_string()),
            ])),
            attach_stdin: Some(true),
            attach_stdout: Some(true),
            attach_stderr: Some(true),
            open_stdin: Some(true),
            stdin_once: Some(true),
            tty: Some(false),
            network_disabled: Some(true),
            host_config: Some(self.host_config(limits, workspace_bytes)),
            ..Default::default()
        }
    }

    /// Creates, attaches and starts a container whose runner waits for one job.
    pub async fn start(
        &self,
        limits: &Limits,
        data_bytes: usize,
        warm: bool,
    ) -> Result<LiveContainer, SandboxError> {
        // Room for the data files plus what the code writes; tmpfs pages count against the
        // container's memory, so this is bounded by the memory limit anyway.
        let workspace_bytes = (data_bytes as u64 * 2 + (64 << 20)).min(limits.memory);
        let body = self.container_body(limits, workspace_bytes, warm);
        let created = self
            .docker
            .create_container(None::<CreateContainerOptions>, body)
            .await
            .map_err(|e| docker_fault("create the sandbox container", e))?;
        let id = created.id;
        match self.attach_and_start(&id).await {
            Ok((output, input)) => Ok(LiveContainer {
                docker: self.docker.clone(),
                id,
                output,
                input,
                limits: *limits,
                engine_gone: false,
            }),
            Err(e) => {
                remove(&self.docker, &id).await;
                Err(e)
            }
        }
    }

    async fn attach_and_start(&self, id: &str) -> Result<(OutputStream, InputSink), SandboxError> {
        let options = AttachContainerOptionsBuilder::default()
            .stdin(true)
            .stdout(true)
            .stderr(true)
            .stream(true)
            .build();
        let attached = self
            .docker
            .attach_container(id, Some(options))
            .await
            .map_err(|e| docker_fault("attach to the sandbox container", e))?;
        self.docker
            .start_container(id, None)
            .await
            .map_err(|e| docker_fault("start the sandbox container", e))?;
        Ok((attached.output, attached.input))
    }
}

type OutputStream =
    std::pin::Pin<Box<dyn Stream<Item = Result<LogOutput, bollard::errors::Error>> + Send>>;
type InputSink = std::pin::Pin<Box<dyn AsyncWrite + Send>>;

/// A started container whose runner waits on stdin for exactly one job. Dropping it without
/// [`LiveContainer::run`] or [`LiveContainer::discard`] leaves it to the backstop and the next
/// orphan sweep, so callers always finish with one of those.
pub struct LiveContainer {
    docker: Docker,
    id: String,
    output: OutputStream,
    input: InputSink,
    limits: Limits,
    /// The engine stopped answering during the run: removal is left for later at once.
    engine_gone: bool,
}

impl std::fmt::Debug for LiveContainer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveContainer")
            .field("id", &self.id)
            .finish()
    }
}

/// When a finished container is removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cleanup {
    /// Before the result is returned (`sightline sandbox run`: nothing may outlive the process).
    Await,
    /// After: the result returns at once and removal (100–300 ms) runs on the runtime (warm pool).
    Background,
}

/// How the attached stream ended.
enum Ending {
    Reply,
    StreamClosed,
    TimedOut,
    StreamError(String),
    /// The engine stopped answering its pings (why).
    EngineLost(String),
}

impl LiveContainer {
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The limits the container was created with.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Waits until a warm runner says its imports are done (`false` if it died or took longer
    /// than `limit`). Output before the marker is the runner's own start-up and is dropped.
    pub async fn wait_until_ready(&mut self, limit: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        let mut seen: Vec<u8> = Vec::new();
        loop {
            match tokio::time::timeout_at(deadline, self.output.next()).await {
                Ok(Some(Ok(LogOutput::StdOut { message }))) => {
                    seen.extend_from_slice(&message);
                    if crate::protocol::find(&seen, READY_MARK).is_some() {
                        return true;
                    }
                    let keep = seen.len().saturating_sub(READY_MARK.len());
                    seen.drain(..keep);
                }
                Ok(Some(Ok(_))) => {}
                Ok(Some(Err(_)) | None) | Err(_) => return false,
            }
        }
    }

    /// Removes the container unused.
    pub async fn discard(self) {
        remove(&self.docker, &self.id).await;
    }

    /// Sends the job, waits for the reply or the deadline, and removes the container.
    pub async fn run(self, job: &Job, started: Instant) -> Result<SandboxResult, SandboxError> {
        self.run_then(job, started, Cleanup::Await).await
    }

    /// Like [`LiveContainer::run`], choosing whether the answer waits for the removal. A timed
    /// out container is always killed before the answer, whatever `cleanup` says.
    pub async fn run_then(
        mut self,
        job: &Job,
        started: Instant,
        cleanup: Cleanup,
    ) -> Result<SandboxResult, SandboxError> {
        let outcome = self.exchange(job, started).await;
        match cleanup {
            _ if self.engine_gone => abandon(&self.id),
            Cleanup::Await => {
                remove(&self.docker, &self.id).await;
            }
            Cleanup::Background => {
                let (docker, id) = (self.docker.clone(), self.id.clone());
                tokio::spawn(async move { remove(&docker, &id).await });
            }
        }
        outcome
    }

    async fn exchange(
        &mut self,
        job: &Job,
        started: Instant,
    ) -> Result<SandboxResult, SandboxError> {
        let limits = job.limits();
        let nonce = nonce();
        let frame = job.message(&nonce, WORKSPACE).frame()?;
        // The reply and the live output come on stdout; stderr holds only stray output.
        let mut scanner = ReplyScanner::new(&nonce, OUTPUT_CAP);
        let mut err_scanner = ReplyScanner::new(&nonce, OUTPUT_CAP);
        let deadline = tokio::time::Instant::now() + limits.timeout;

        let send = async {
            self.input.write_all(&frame).await?;
            self.input.flush().await?;
            self.input.shutdown().await
        };
        if let Err(e) = tokio::time::timeout_at(deadline, send)
            .await
            .unwrap_or_else(|_| {
                Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "sending the job timed out",
                ))
            })
        {
            // The runner may already be gone (killed at start-up); the state tells why below.
            let ending = Ending::StreamError(format!("could not send the job: {e}"));
            return self
                .conclude(ending, [scanner, err_scanner], limits, started)
                .await;
        }

        let watch = engine_watch(self.docker.clone());
        tokio::pin!(watch);
        let ending = loop {
            let next = tokio::select! {
                next = tokio::time::timeout_at(deadline, self.output.next()) => next,
                why = &mut watch => break Ending::EngineLost(why),
            };
            match next {
                Err(_) => break Ending::TimedOut,
                Ok(None) => break Ending::StreamClosed,
                Ok(Some(Err(e))) => break Ending::StreamError(e.to_string()),
                Ok(Some(Ok(chunk))) => {
                    match chunk {
                        LogOutput::StdOut { message } | LogOutput::Console { message } => {
                            scanner.push(&message)
                        }
                        LogOutput::StdErr { message } => err_scanner.push(&message),
                        LogOutput::StdIn { .. } => {}
                    }
                    if scanner.is_done() {
                        break Ending::Reply;
                    }
                }
            }
        };
        self.conclude(ending, [scanner, err_scanner], limits, started)
            .await
    }

    async fn conclude(
        &mut self,
        ending: Ending,
        [scanner, err_scanner]: [ReplyScanner; 2],
        limits: Limits,
        started: Instant,
    ) -> Result<SandboxResult, SandboxError> {
        // Without a reply, the result keeps what the code printed before the end.
        let partial_output = |failure: SandboxError| {
            let mut result = SandboxResult::failed(failure, Some(ModeUsed::Docker), started);
            result.output = ReplyScanner::output_so_far(&[&scanner, &err_scanner]);
            result
        };
        match ending {
            Ending::Reply => match scanner.reply() {
                Some(Ok(reply)) => {
                    let (mut stray, mut dropped) = scanner.stray();
                    let (err_text, err_dropped) = err_scanner.stray();
                    stray.push_str(&err_text);
                    dropped += err_dropped;
                    Ok(result_from_reply(
                        reply,
                        (stray, dropped),
                        ModeUsed::Docker,
                        limits,
                        started,
                    ))
                }
                Some(Err(e)) => Err(e),
                None => Err(SandboxError::Internal(
                    "The sandbox reply was incomplete.".into(),
                )),
            },
            Ending::TimedOut => {
                // Kill the whole container (every process in it) before reporting.
                remove(&self.docker, &self.id).await;
                Ok(partial_output(SandboxError::Timeout {
                    secs: limits.timeout.as_secs(),
                }))
            }
            Ending::EngineLost(why) => {
                self.engine_gone = true;
                Err(engine_lost(&why))
            }
            Ending::StreamClosed | Ending::StreamError(_) => {
                let state = final_state(&self.docker, &self.id).await;
                match state {
                    Ok((true, _)) => {
                        Ok(partial_output(SandboxError::MemoryExceeded {
                            limit: limits.memory,
                        }))
                    }
                    Ok((_, 137)) => Ok(partial_output(SandboxError::CodeFailed(
                        "The sandbox was stopped from outside (its container was killed) before the code finished. Run it again; if it keeps happening, check Docker.".into(),
                    ))),
                    Ok((_, code)) => {
                        let why = match &ending {
                            Ending::StreamError(e) => format!(" ({e})"),
                            _ => String::new(),
                        };
                        Ok(partial_output(SandboxError::CodeFailed(format!(
                            "The sandbox stopped before the code finished (exit code {code}){why}. The code may have ended the interpreter or exceeded a limit of {} memory, 64 processes or {} of files.",
                            error::human_bytes(limits.memory),
                            error::human_bytes(64 << 20),
                        ))))
                    }
                    Err(e) => Err(e),
                }
            }
        }
    }
}

/// The error of a run whose engine stopped answering (S10).
fn engine_lost(why: &str) -> SandboxError {
    SandboxError::Unavailable(format!(
        "The Docker engine stopped answering while the code ran ({why}), so the run was abandoned. Check that Docker is running and run the analysis again; its container is removed once the engine answers."
    ))
}

/// Pings the engine every few seconds while a job runs; returns (why) only once the engine has
/// failed to answer [`HEARTBEAT_MISSES`] times in a row.
async fn engine_watch(docker: Docker) -> String {
    let mut misses = 0;
    loop {
        tokio::time::sleep(HEARTBEAT_EVERY).await;
        let why = match tokio::time::timeout(HEARTBEAT_LIMIT, docker.ping()).await {
            Ok(Ok(_)) => {
                misses = 0;
                continue;
            }
            Ok(Err(e)) => e.to_string(),
            Err(_) => format!("no answer to a ping within {} s", HEARTBEAT_LIMIT.as_secs()),
        };
        misses += 1;
        if misses >= HEARTBEAT_MISSES {
            return why;
        }
    }
}

/// `(OOMKilled, exit code)` once the container has stopped.
async fn final_state(docker: &Docker, id: &str) -> Result<(bool, i64), SandboxError> {
    let options = WaitContainerOptionsBuilder::default()
        .condition("not-running")
        .build();
    let mut wait = docker.wait_container(id, Some(options));
    // The wait reports a non-zero exit as an error; either way the container has stopped.
    let _ = tokio::time::timeout(Duration::from_secs(10), wait.next()).await;
    let inspected = tokio::time::timeout(
        HEARTBEAT_LIMIT,
        docker.inspect_container(id, None::<InspectContainerOptions>),
    )
    .await
    .map_err(|_| engine_lost("no answer when asked how the container ended"))?
    .map_err(|e| {
        if is_not_found(&e) {
            unavailable("the sandbox container vanished while the code ran", e)
        } else {
            engine_lost(&e.to_string())
        }
    })?;
    let state = inspected.state.unwrap_or_default();
    Ok((
        state.oom_killed.unwrap_or(false),
        state.exit_code.unwrap_or(-1),
    ))
}

impl Sandbox for DockerSandbox {
    fn mode(&self) -> ModeUsed {
        ModeUsed::Docker
    }

    fn run<'a>(&'a self, job: &'a Job) -> crate::RunFuture<'a> {
        Box::pin(async move {
            let started = Instant::now();
            let container = self.start(&job.limits(), job.data_bytes(), false).await?;
            let mut result = container.run(job, started).await?;
            result.duration_ms = elapsed_ms(started);
            Ok(result)
        })
    }
}

/// Force-removes a container (killing what runs in it). A failure is not returned, because the
/// only one that matters, a dead engine, is reported by the call that needed the engine; the
/// container is listed for [`DockerSandbox::remove_abandoned`] instead. True when it is gone.
async fn remove(docker: &Docker, id: &str) -> bool {
    let options = RemoveContainerOptionsBuilder::default()
        .force(true)
        .v(true)
        .build();
    let removed =
        tokio::time::timeout(REMOVE_LIMIT, docker.remove_container(id, Some(options))).await;
    match removed {
        Ok(Ok(())) => true,
        Ok(Err(e)) if is_not_found(&e) => true,
        // "Removal already in progress" and the like: the engine is on it.
        Ok(Err(bollard::errors::Error::DockerResponseServerError { status_code, .. }))
            if status_code < 500 =>
        {
            true
        }
        Ok(Err(_)) | Err(_) => {
            abandon(id);
            false
        }
    }
}

/// Lists a container for removal at the next connect.
pub(crate) fn abandon(id: &str) {
    let mut abandoned = lock_abandoned();
    if !abandoned.iter().any(|a| a == id) {
        abandoned.push(id.to_string());
    }
}

fn lock_abandoned() -> std::sync::MutexGuard<'static, Vec<String>> {
    // A panic while holding this lock cannot leave the list half-written; use it as it is.
    ABANDONED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The containers this process could not remove because the engine did not answer; they are
/// removed at the next [`DockerSandbox::connect`] (or [`DockerSandbox::remove_abandoned`]).
pub fn abandoned() -> Vec<String> {
    lock_abandoned().clone()
}

fn docker_fault(what: &str, e: bollard::errors::Error) -> SandboxError {
    match &e {
        bollard::errors::Error::DockerResponseServerError { status_code, .. }
            if *status_code < 500 =>
        {
            SandboxError::Internal(format!("Docker refused to {what}: {e}"))
        }
        _ => unavailable(&format!("could not {what}"), e),
    }
}

fn is_not_found(e: &bollard::errors::Error) -> bool {
    matches!(
        e,
        bollard::errors::Error::DockerResponseServerError {
            status_code: 404,
            ..
        }
    )
}

/// A container is an orphan when the process that started it is gone.
fn is_orphan(owner: Option<u32>, created_unix: i64) -> bool {
    match owner {
        Some(pid) if pid == std::process::id() => false,
        Some(pid) if cfg!(target_os = "linux") => {
            !std::path::Path::new(&format!("/proc/{pid}")).exists()
        }
        // Without a way to ask whether the owner lives, only very old containers are orphans.
        _ => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0);
            owner.is_none() || now - created_unix > 24 * 3600
        }
    }
}

/// A per-job marker for the reply; unpredictable enough that stray output cannot match it by
/// accident (it is not a secret: the code runs in the same process as the runner).
fn nonce() -> String {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    format!("{:016x}", hasher.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_and_live_owners_are_not_orphans() {
        assert!(!is_orphan(Some(std::process::id()), 0));
        assert!(is_orphan(None, 0), "an unlabelled owner cannot be asked");
        if cfg!(target_os = "linux") {
            assert!(!is_orphan(Some(1), 0), "pid 1 is alive");
            assert!(is_orphan(Some(u32::MAX - 1), 0), "no such process");
        }
    }

    #[test]
    fn nonces_differ() {
        assert_ne!(nonce(), nonce());
    }
}
