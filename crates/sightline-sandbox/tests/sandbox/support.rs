//! Finding the real Docker engine and image for the tests, or saying clearly why not; checks
//! both modes' tests share.

use sightline_sandbox::{
    DockerSandbox, DockerSettings, Job, SandboxErrorKind, SandboxRequest, SandboxResult,
};

/// The Docker settings of the tests: the defaults, except that `SIGHTLINE_SANDBOX_IMAGE` names
/// another image (a checkout whose runner differs from the shared engine's
/// `sightline-sandbox:py311` can test against its own image without replacing that tag).
pub fn settings() -> DockerSettings {
    let mut settings = DockerSettings::default();
    if let Ok(image) = std::env::var("SIGHTLINE_SANDBOX_IMAGE")
        && !image.trim().is_empty()
    {
        settings.image = image;
    }
    settings
}

/// True when CI demands the Docker tests run (scripts/test sets it).
pub fn required() -> bool {
    std::env::var("SIGHTLINE_REQUIRE_DOCKER").is_ok_and(|v| v == "1")
}

/// The Docker sandbox, or `None` (with a note on stderr) when no engine or image is available
/// and CI does not require one. With `SIGHTLINE_REQUIRE_DOCKER=1` a missing one fails the test.
pub async fn docker() -> Option<DockerSandbox> {
    match DockerSandbox::connect(settings()).await {
        Ok(sandbox) => Some(sandbox),
        Err(e) if required() => {
            panic!("SIGHTLINE_REQUIRE_DOCKER=1 but Docker mode cannot run: {e}")
        }
        Err(e) => {
            eprintln!("skipping a Docker test: {e}");
            None
        }
    }
}

/// Runs `code` with the guard bypassed (to test the container alone), with these limits.
pub async fn run_unguarded(
    sandbox: &DockerSandbox,
    code: &str,
    timeout_secs: u64,
    memory: u64,
) -> SandboxResult {
    use sightline_sandbox::Sandbox as _;
    let mut request = SandboxRequest::new(code);
    request.timeout = std::time::Duration::from_secs(timeout_secs);
    request.memory = memory;
    let job = Job::without_guard_for_tests(&request).unwrap();
    sandbox
        .run(&job)
        .await
        .unwrap_or_else(|e| panic!("the sandbox itself failed: {e}"))
}

/// Fails unless the run ended at its deadline (kind `timeout`) and, given `secs`, says so in
/// seconds.
pub fn assert_timed_out(result: &SandboxResult, secs: Option<u64>) {
    assert_eq!(
        result.failure.as_ref().map(|f| f.kind()),
        Some(SandboxErrorKind::Timeout),
        "{:?} {:?}",
        result.error,
        result.output
    );
    if let Some(secs) = secs {
        let said = format!("timed out after {secs} s");
        assert!(
            result.error.as_deref().is_some_and(|e| e.contains(&said)),
            "{:?}",
            result.error
        );
    }
}
