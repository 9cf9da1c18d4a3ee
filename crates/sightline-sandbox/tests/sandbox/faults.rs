//! Faults of the Docker engine mid-run (S10) against the real engine, without stopping it (other
//! work shares it): the sandbox talks to the engine through a Unix-socket proxy run by the test,
//! and the test kills the proxy (listener and every forwarded connection closed, as when the
//! daemon dies) or freezes it (connections stay open, nothing more is forwarded, as when the
//! daemon hangs). Either way the run must end with a clear `sandbox_unavailable` error within
//! seconds, and its container, which the proxy's death left running on the real engine, must be
//! removed once an engine answers again (checked through the real socket).

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sightline_sandbox::{
    DockerSandbox, DockerSettings, Job, SandboxError, SandboxErrorKind, SandboxRequest,
};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{UnixListener, UnixStream};
use tokio::task::JoinHandle;

use crate::support::{docker, settings};

const MB: u64 = 1 << 20;

/// Where the real engine listens, as the sandbox would find it (`DOCKER_HOST` or the default).
enum Upstream {
    Unix(PathBuf),
    Tcp(String),
}

impl Upstream {
    fn from_env() -> Upstream {
        match std::env::var("DOCKER_HOST") {
            Ok(host) if host.starts_with("tcp://") => {
                Upstream::Tcp(host.trim_start_matches("tcp://").to_string())
            }
            Ok(host) if host.starts_with("unix://") => {
                Upstream::Unix(PathBuf::from(host.trim_start_matches("unix://")))
            }
            _ => Upstream::Unix(PathBuf::from("/var/run/docker.sock")),
        }
    }
}

/// A Unix-socket proxy in front of the real engine that the test can kill or freeze.
struct EngineProxy {
    _dir: tempfile::TempDir,
    path: PathBuf,
    accept: JoinHandle<()>,
    connections: Arc<Mutex<Vec<JoinHandle<()>>>>,
    frozen: Arc<AtomicBool>,
}

impl EngineProxy {
    async fn start() -> EngineProxy {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("docker.sock");
        let listener = UnixListener::bind(&path).unwrap();
        let connections: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let frozen = Arc::new(AtomicBool::new(false));
        let accept = {
            let (connections, frozen) = (connections.clone(), frozen.clone());
            tokio::spawn(async move {
                while let Ok((client, _)) = listener.accept().await {
                    let frozen = frozen.clone();
                    let task = tokio::spawn(async move {
                        match Upstream::from_env() {
                            Upstream::Unix(path) => {
                                if let Ok(engine) = UnixStream::connect(path).await {
                                    relay(client, engine, frozen).await;
                                }
                            }
                            Upstream::Tcp(address) => {
                                if let Ok(engine) = tokio::net::TcpStream::connect(address).await {
                                    relay(client, engine, frozen).await;
                                }
                            }
                        }
                    });
                    connections.lock().unwrap().push(task);
                }
            })
        };
        EngineProxy {
            _dir: dir,
            path,
            accept,
            connections,
            frozen,
        }
    }

    fn host(&self) -> String {
        format!("unix://{}", self.path.display())
    }

    /// Like a daemon that died: the listener goes (the socket file stays, refusing connections)
    /// and every forwarded connection is closed.
    fn kill(&self) {
        self.accept.abort();
        for task in self.connections.lock().unwrap().drain(..) {
            task.abort();
        }
    }

    /// Like a daemon that hangs: connections stay open (new ones are accepted) but nothing more
    /// is forwarded either way.
    fn freeze(&self) {
        self.frozen.store(true, Ordering::SeqCst);
    }
}

impl Drop for EngineProxy {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Copies both ways until both sides are done, passing a half-close on (the sandbox closes its
/// writing side after sending the job and reads the attached output after that); once frozen,
/// holds both sockets and copies nothing.
async fn relay<E>(client: UnixStream, engine: E, frozen: Arc<AtomicBool>)
where
    E: AsyncRead + AsyncWrite + Unpin,
{
    let (client_read, client_write) = tokio::io::split(client);
    let (engine_read, engine_write) = tokio::io::split(engine);
    tokio::join!(
        pump(client_read, engine_write, frozen.clone()),
        pump(engine_read, client_write, frozen)
    );
}

async fn pump<R, W>(mut from: R, mut to: W, frozen: Arc<AtomicBool>)
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut buf = vec![0u8; 64 << 10];
    loop {
        if frozen.load(Ordering::SeqCst) {
            return std::future::pending().await;
        }
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => {
                let _ = to.shutdown().await;
                return;
            }
            Ok(n) => n,
        };
        if frozen.load(Ordering::SeqCst) {
            return std::future::pending().await;
        }
        if to.write_all(&buf[..n]).await.is_err() || to.flush().await.is_err() {
            return;
        }
    }
}

/// A job that prints and then sleeps far past the moment the test breaks the engine.
fn sleeping_job() -> Job {
    let mut request =
        SandboxRequest::new("import time\nprint('started', flush=True)\ntime.sleep(300)");
    request.timeout = Duration::from_secs(300);
    request.memory = 256 * MB;
    Job::without_guard_for_tests(&request).unwrap()
}

async fn is_running(real: &DockerSandbox, id: &str) -> bool {
    real.docker()
        .inspect_container(
            id,
            None::<bollard::query_parameters::InspectContainerOptions>,
        )
        .await
        .ok()
        .and_then(|c| c.state)
        .and_then(|s| s.running)
        .unwrap_or(false)
}

async fn exists(real: &DockerSandbox, id: &str) -> bool {
    real.docker()
        .inspect_container(
            id,
            None::<bollard::query_parameters::InspectContainerOptions>,
        )
        .await
        .is_ok()
}

/// Starts the sleeping job through the proxy, breaks the engine with `fault`, and returns the
/// container's id, the run's error and how long the run took to end after the fault.
async fn run_then_break(
    real: &DockerSandbox,
    fault: impl FnOnce(&EngineProxy),
) -> (String, SandboxError, Duration) {
    let proxy = EngineProxy::start().await;
    let through_proxy = DockerSandbox::connect(DockerSettings {
        host: Some(proxy.host()),
        ..settings()
    })
    .await
    .unwrap();
    let job = sleeping_job();
    let container = through_proxy.start(&job.limits(), 0, false).await.unwrap();
    let id = container.id().to_string();
    let run = tokio::spawn(async move { container.run(&job, Instant::now()).await });
    // Let the runner import pandas and reach the sleep, seen through the real engine.
    let mut waited = 0;
    while !is_running(real, &id).await && waited < 100 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        waited += 1;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(is_running(real, &id).await, "the job runs before the fault");

    let broken = Instant::now();
    fault(&proxy);
    // A hard stop far beyond any bound asserted below, so a hang fails instead of blocking.
    let outcome = tokio::time::timeout(Duration::from_secs(120), run)
        .await
        .unwrap_or_else(|_| panic!("the run hung for 2 minutes after the engine went away"))
        .unwrap();
    let took = broken.elapsed();
    let error = match outcome {
        Err(e) => e,
        Ok(result) => panic!(
            "a run whose engine went away cannot succeed or blame the code: {:?} {:?}",
            result.error, result.output
        ),
    };
    drop(proxy);
    eprintln!("the run ended {took:?} after the fault: {error}");
    (id, error, took)
}

/// The container the fault left behind is removed once an engine answers again.
async fn assert_cleaned_up(real: &DockerSandbox, id: &str) {
    assert!(
        exists(real, id).await,
        "the proxy died, not the engine: the container {id} is still there until cleaned up"
    );
    // What the next connect of this process does (a parallel test's connect may do it first).
    let _ = DockerSandbox::connect(settings()).await.unwrap();
    real.remove_abandoned().await;
    let mut gone = false;
    for _ in 0..100 {
        gone = !exists(real, id).await;
        if gone {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        gone,
        "the abandoned container {id} is removed at the next connect"
    );
    assert!(!sightline_sandbox::docker::abandoned().contains(&id.to_string()));
}

fn assert_engine_lost(error: &SandboxError) {
    assert_eq!(
        error.kind(),
        SandboxErrorKind::SandboxUnavailable,
        "{error}"
    );
    assert_eq!(error.kind().code(), "sandbox_unavailable");
    let message = error.to_string();
    assert!(
        message.contains("The Docker engine stopped answering while the code ran"),
        "the message says what happened: {message}"
    );
    assert!(
        !message.contains("timed out"),
        "not a timeout of the code: {message}"
    );
}

#[tokio::test]
async fn the_engine_dying_mid_run_is_a_clear_error_within_seconds() {
    let Some(real) = docker().await else {
        return;
    };
    let (id, error, took) = run_then_break(&real, EngineProxy::kill).await;
    assert_engine_lost(&error);
    // S10: within seconds, never at the job's 300 s deadline.
    assert!(
        took < Duration::from_secs(15),
        "the run must end within seconds of the engine dying, took {took:?}"
    );
    assert_cleaned_up(&real, &id).await;
}

#[tokio::test]
async fn an_engine_that_hangs_mid_run_is_a_clear_error_within_seconds() {
    let Some(real) = docker().await else {
        return;
    };
    let (id, error, took) = run_then_break(&real, EngineProxy::freeze).await;
    assert_engine_lost(&error);
    // Two missed pings of 8 s, 3 s apart, plus slack; never the job's 300 s deadline.
    assert!(
        took < Duration::from_secs(40),
        "the run must end within seconds of the engine hanging, took {took:?}"
    );
    assert_cleaned_up(&real, &id).await;
}
