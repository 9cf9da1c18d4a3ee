//! The warm pool (issue 6, item 3): pre-started single-use containers whose runner has already
//! imported pandas, numpy, scipy, statsmodels, sklearn and plotly and waits on stdin for exactly
//! one job. A job takes a spare (or starts a container cold when none is ready or its memory
//! limit differs from the pool's), the container is destroyed after the job, and a fresh spare
//! starts in the background. At most `max_running` jobs run at once; up to `max_waiting` more
//! wait their turn, and beyond that a job is refused at once with a clear message (S10).

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::{Mutex, Semaphore};

use crate::docker::{Cleanup, DockerSandbox, LiveContainer};
use crate::{Job, Limits, ModeUsed, Sandbox, SandboxError, SandboxResult, elapsed_ms};

/// How long a spare may take to import its packages before it counts as broken.
const READY_LIMIT: Duration = Duration::from_secs(120);

/// The pool's settings (the app's settings store owns the values).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PoolSettings {
    /// Spare containers kept warm.
    pub spares: usize,
    /// Jobs running at once.
    pub max_running: usize,
    /// Jobs allowed to wait for a running slot.
    pub max_waiting: usize,
    /// The memory limit of warm containers; jobs asking for another limit start cold.
    pub memory: u64,
    /// A spare older than this is replaced rather than used.
    pub max_idle: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        PoolSettings {
            spares: 2,
            max_running: 4,
            max_waiting: 32,
            memory: crate::DEFAULT_MEMORY,
            max_idle: Duration::from_secs(30 * 60),
        }
    }
}

struct Spare {
    container: LiveContainer,
    born: Instant,
}

/// A Docker sandbox with warm spares. Cheap to clone (shared).
#[derive(Clone)]
pub struct WarmPool {
    inner: Arc<Inner>,
}

struct Inner {
    sandbox: DockerSandbox,
    settings: PoolSettings,
    spares: Mutex<VecDeque<Spare>>,
    /// Spares being started right now, so refills do not overshoot.
    starting: AtomicUsize,
    running: Semaphore,
    waiting: AtomicUsize,
}

impl std::fmt::Debug for WarmPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WarmPool")
            .field("settings", &self.inner.settings)
            .finish()
    }
}

impl WarmPool {
    /// Starts filling the pool in the background and returns at once.
    pub fn new(sandbox: DockerSandbox, settings: PoolSettings) -> Self {
        let pool = WarmPool {
            inner: Arc::new(Inner {
                sandbox,
                settings,
                spares: Mutex::new(VecDeque::new()),
                starting: AtomicUsize::new(0),
                running: Semaphore::new(settings.max_running.max(1)),
                waiting: AtomicUsize::new(0),
            }),
        };
        pool.refill_in_background();
        pool
    }

    /// Waits until every spare is started (for benchmarks and tests), at most `deadline`.
    pub async fn wait_ready(&self, deadline: Duration) -> bool {
        let until = Instant::now() + deadline;
        while Instant::now() < until {
            if self.inner.spares.lock().await.len() >= self.inner.settings.spares {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        false
    }

    /// Ready spares right now.
    pub async fn ready(&self) -> usize {
        self.inner.spares.lock().await.len()
    }

    /// The ids of the ready spares (for inspection in tests and benchmarks).
    pub async fn spare_ids(&self) -> Vec<String> {
        self.inner
            .spares
            .lock()
            .await
            .iter()
            .map(|s| s.container.id().to_string())
            .collect()
    }

    /// Removes every spare; the pool stays usable (it starts cold and refills on the next job).
    pub async fn drain(&self) {
        let spares: Vec<Spare> = self.inner.spares.lock().await.drain(..).collect();
        for spare in spares {
            spare.container.discard().await;
        }
    }

    /// Forgets every spare without asking the engine (which stopped answering); they are
    /// removed at the next [`DockerSandbox::connect`] of this process.
    pub async fn abandon_spares(&self) {
        for spare in self.inner.spares.lock().await.drain(..) {
            crate::docker::abandon(spare.container.id());
        }
    }

    fn warm_limits(&self) -> Limits {
        Limits {
            // The runner's own backstop must outlast the wait for a job plus the longest job.
            timeout: self.inner.settings.max_idle + crate::MAX_TIMEOUT,
            memory: self.inner.settings.memory,
        }
    }

    fn refill_in_background(&self) {
        let pool = self.clone();
        tokio::spawn(async move { pool.refill().await });
    }

    async fn refill(&self) {
        loop {
            let have = self.inner.spares.lock().await.len();
            let starting = self.inner.starting.fetch_add(1, Ordering::SeqCst);
            if have + starting >= self.inner.settings.spares {
                self.inner.starting.fetch_sub(1, Ordering::SeqCst);
                return;
            }
            let started = self.inner.sandbox.start(&self.warm_limits(), 0, true).await;
            let ready = match started {
                Ok(mut container) => {
                    if container.wait_until_ready(READY_LIMIT).await {
                        Some(container)
                    } else {
                        container.discard().await;
                        None
                    }
                }
                Err(_) => None,
            };
            self.inner.starting.fetch_sub(1, Ordering::SeqCst);
            match ready {
                Some(container) => self.inner.spares.lock().await.push_back(Spare {
                    container,
                    born: Instant::now(),
                }),
                // The engine is down or refusing: jobs start cold and report the fault.
                None => return,
            }
        }
    }

    /// A spare fit for the job, if one is ready and fresh. Spares have the smallest workspace,
    /// so jobs with large data start cold with a workspace sized for them.
    async fn take_spare(&self, limits: &Limits, data_bytes: usize) -> Option<LiveContainer> {
        if limits.memory != self.inner.settings.memory || data_bytes > 24 << 20 {
            return None;
        }
        let mut spares = self.inner.spares.lock().await;
        while let Some(spare) = spares.pop_front() {
            if spare.born.elapsed() < self.inner.settings.max_idle {
                return Some(spare.container);
            }
            let stale = spare.container;
            tokio::spawn(async move { stale.discard().await });
        }
        None
    }

    /// Runs one job through the bounded queue.
    pub async fn run_job(&self, job: &Job) -> Result<SandboxResult, SandboxError> {
        let started = Instant::now();
        let waiting = self.inner.waiting.fetch_add(1, Ordering::SeqCst);
        if waiting >= self.inner.settings.max_waiting + self.inner.settings.max_running {
            self.inner.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(SandboxError::Busy(waiting));
        }
        let permit = self.inner.running.acquire().await;
        self.inner.waiting.fetch_sub(1, Ordering::SeqCst);
        let _permit =
            permit.map_err(|_| SandboxError::Internal("The sandbox pool was shut down.".into()))?;
        let container = match self.take_spare(&job.limits(), job.data_bytes()).await {
            Some(container) => container,
            None => {
                self.inner
                    .sandbox
                    .start(&job.limits(), job.data_bytes(), false)
                    .await?
            }
        };
        self.refill_in_background();
        let mut result = container
            .run_then(job, started, Cleanup::Background)
            .await?;
        result.duration_ms = elapsed_ms(started);
        Ok(result)
    }
}

impl Sandbox for WarmPool {
    fn mode(&self) -> ModeUsed {
        ModeUsed::Docker
    }

    fn run<'a>(&'a self, job: &'a Job) -> crate::RunFuture<'a> {
        Box::pin(self.run_job(job))
    }
}
