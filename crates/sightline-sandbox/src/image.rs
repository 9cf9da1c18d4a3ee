//! Builds the sandbox image `sightline-sandbox:py311` two ways: from the embedded Dockerfile
//! through Docker's build API (needs a registry and PyPI), or by importing a prepared root
//! filesystem (`scripts/sandbox-rootfs`) through the image import API for machines without a
//! registry. Both bake this build's runner in at a fixed path and label the image with its
//! digest, so a stale image is detected instead of speaking an old protocol.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use bollard::query_parameters::{BuildImageOptionsBuilder, CreateImageOptionsBuilder};
use bytes::Bytes;
use futures_util::StreamExt;

use crate::SandboxError;
use crate::docker::{IMAGE, RUNNER_LABEL, connect_engine, runner_digest};
use crate::protocol::{RUNNER_PATH, RUNNER_PY};

pub const DOCKERFILE: &str = include_str!("../image/Dockerfile");
pub const REQUIREMENTS: &str = include_str!("../image/requirements.txt");

/// What a build did.
#[derive(Debug, Clone)]
pub struct ImageReport {
    pub image: String,
    pub image_id: String,
    pub seconds: f64,
    /// Bytes streamed to the engine.
    pub bytes_sent: u64,
}

/// The build context for the Dockerfile path: Dockerfile, requirements.txt, runner.py.
pub fn build_context() -> Result<Vec<u8>, SandboxError> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, text) in [
        ("Dockerfile", DOCKERFILE),
        ("requirements.txt", REQUIREMENTS),
        ("runner.py", RUNNER_PY),
    ] {
        let mut header = tar::Header::new_gnu();
        header.set_size(text.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_cksum();
        builder
            .append_data(&mut header, name, text.as_bytes())
            .map_err(|e| internal("write the build context", e))?;
    }
    builder
        .into_inner()
        .map_err(|e| internal("write the build context", e))
}

/// Builds the image from the embedded Dockerfile (pulls python:3.11-slim and wheels from PyPI).
pub async fn build_from_dockerfile(
    progress: &mut (dyn FnMut(&str) + Send),
) -> Result<ImageReport, SandboxError> {
    let started = Instant::now();
    let docker = connect_engine(None, Duration::from_secs(3600)).await?;
    let context = build_context()?;
    let bytes_sent = context.len() as u64;
    let digest = runner_digest();
    let labels = std::collections::HashMap::from([(RUNNER_LABEL, digest.as_str())]);
    let options = BuildImageOptionsBuilder::default()
        .dockerfile("Dockerfile")
        .t(IMAGE)
        .rm(true)
        .forcerm(true)
        .labels(&labels)
        .build();
    let mut stream = docker.build_image(
        options,
        None,
        Some(bollard::body_full(Bytes::from(context))),
    );
    while let Some(item) = stream.next().await {
        let info = item.map_err(|e| {
            SandboxError::Unavailable(format!(
                "Building the sandbox image failed: {e}. This needs internet access to Docker Hub and PyPI; without it, build a root filesystem with scripts/sandbox-rootfs and run `sightline sandbox image --offline-rootfs DIR`."
            ))
        })?;
        if let Some(line) = info
            .stream
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            progress(line);
        }
    }
    finish(&docker, started, bytes_sent).await
}

/// Imports `dir` (a root filesystem with Python 3.11 and the packages) plus this build's runner
/// as the sandbox image.
pub async fn import_rootfs(
    dir: &Path,
    progress: &mut (dyn FnMut(&str) + Send),
) -> Result<ImageReport, SandboxError> {
    let python = dir.join("usr/bin/python3");
    if !python.exists() {
        return Err(SandboxError::BadInput(format!(
            "{} is not a sandbox root filesystem (no usr/bin/python3). Make one with scripts/sandbox-rootfs.",
            dir.display()
        )));
    }
    let started = Instant::now();
    let docker = connect_engine(None, Duration::from_secs(3600)).await?;
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(8);
    let root = dir.to_path_buf();
    let writer =
        tokio::task::spawn_blocking(move || write_rootfs_tar(&root, ChannelWriter::new(tx)));
    let body = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    let (repo, tag) = IMAGE.split_once(':').unwrap_or((IMAGE, "latest"));
    let options = CreateImageOptionsBuilder::default()
        .from_src("-")
        .repo(repo)
        .tag(tag)
        .changes(image_changes())
        .build();
    progress(&format!("importing {} as {IMAGE}", dir.display()));
    let mut stream = docker.create_image(Some(options), Some(bollard::body_try_stream(body)), None);
    let mut failure = None;
    while let Some(item) = stream.next().await {
        match item {
            Ok(info) => {
                if let Some(status) = info.status.as_deref().filter(|s| !s.is_empty()) {
                    progress(status);
                }
            }
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    let bytes_sent = match writer.await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(e)) => return Err(internal(&format!("read {}", dir.display()), e)),
        Err(e) => return Err(internal("stream the root filesystem", e)),
    };
    if let Some(e) = failure {
        return Err(SandboxError::Unavailable(format!(
            "Docker could not import the root filesystem: {e}"
        )));
    }
    finish(&docker, started, bytes_sent).await
}

/// The image configuration an import sets (a build gets the same from the Dockerfile).
pub fn image_changes() -> Vec<String> {
    vec![
        format!(r#"CMD ["python3", "-I", "-B", "{RUNNER_PATH}"]"#),
        "USER 65534:65534".to_string(),
        "WORKDIR /workspace".to_string(),
        "ENV HOME=/tmp MPLCONFIGDIR=/tmp".to_string(),
        format!("LABEL {RUNNER_LABEL}={}", runner_digest()),
    ]
}

async fn finish(
    docker: &bollard::Docker,
    started: Instant,
    bytes_sent: u64,
) -> Result<ImageReport, SandboxError> {
    let image = docker.inspect_image(IMAGE).await.map_err(|e| {
        SandboxError::Internal(format!("The image was built but cannot be found: {e}"))
    })?;
    Ok(ImageReport {
        image: IMAGE.to_string(),
        image_id: image.id.unwrap_or_default(),
        seconds: started.elapsed().as_secs_f64(),
        bytes_sent,
    })
}

fn internal(what: &str, e: impl std::fmt::Display) -> SandboxError {
    SandboxError::Internal(format!("Could not {what}: {e}"))
}

/// Writes a tar of `root` (owners, modes and symlinks kept; device nodes and the contents of
/// /dev, /proc and /sys left out, Docker provides them) plus the runner. Returns bytes written.
fn write_rootfs_tar(root: &Path, out: ChannelWriter) -> std::io::Result<u64> {
    let mut builder = tar::Builder::new(out);
    builder.follow_symlinks(false);
    builder.mode(tar::HeaderMode::Complete);
    let mut stack: Vec<PathBuf> = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let dir = root.join(&rel);
        let mut entries: Vec<_> = std::fs::read_dir(&dir)?.collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let name = rel.join(entry.file_name());
            let meta = std::fs::symlink_metadata(entry.path())?;
            let kind = meta.file_type();
            if kind.is_dir() {
                builder.append_path_with_name(entry.path(), &name)?;
                if !matches!(name.to_str(), Some("dev" | "proc" | "sys")) {
                    stack.push(name);
                }
            } else if kind.is_file() || kind.is_symlink() {
                builder.append_path_with_name(entry.path(), &name)?;
            }
        }
    }
    let mut header = tar::Header::new_gnu();
    header.set_size(RUNNER_PY.len() as u64);
    header.set_mode(0o644);
    header.set_uid(0);
    header.set_gid(0);
    header.set_mtime(0);
    header.set_cksum();
    builder.append_data(
        &mut header,
        RUNNER_PATH.trim_start_matches('/'),
        RUNNER_PY.as_bytes(),
    )?;
    let mut out = builder.into_inner()?;
    out.flush()?;
    Ok(out.written)
}

/// A `Write` that hands 1 MiB chunks to the async side of the import.
struct ChannelWriter {
    tx: tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>,
    buffer: Vec<u8>,
    written: u64,
}

impl ChannelWriter {
    const CHUNK: usize = 1 << 20;

    fn new(tx: tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>) -> Self {
        ChannelWriter {
            tx,
            buffer: Vec::with_capacity(Self::CHUNK),
            written: 0,
        }
    }

    fn send(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buffer, Vec::with_capacity(Self::CHUNK));
        self.tx.blocking_send(Ok(Bytes::from(chunk))).map_err(|_| {
            std::io::Error::new(
                std::io::ErrorKind::BrokenPipe,
                "Docker stopped reading the image",
            )
        })
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(data);
        self.written += data.len() as u64;
        if self.buffer.len() >= Self::CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_context_holds_the_dockerfile_requirements_and_runner() {
        let context = build_context().unwrap();
        let mut archive = tar::Archive::new(context.as_slice());
        let mut names = Vec::new();
        for entry in archive.entries().unwrap() {
            let mut entry = entry.unwrap();
            let name = entry.path().unwrap().display().to_string();
            let mut text = String::new();
            std::io::Read::read_to_string(&mut entry, &mut text).unwrap();
            if name == "runner.py" {
                assert_eq!(
                    text, RUNNER_PY,
                    "the context must carry this build's runner"
                );
            }
            names.push(name);
        }
        assert_eq!(names, ["Dockerfile", "requirements.txt", "runner.py"]);
        assert!(DOCKERFILE.contains("FROM python:3.11-slim"));
        assert!(DOCKERFILE.contains("USER 65534:65534"));
        assert!(DOCKERFILE.contains(RUNNER_PATH));
        for package in [
            "pandas",
            "numpy",
            "scipy",
            "statsmodels",
            "scikit-learn",
            "plotly",
            "matplotlib",
            "seaborn",
        ] {
            assert!(
                REQUIREMENTS
                    .lines()
                    .any(|l| l.starts_with(&format!("{package}=="))),
                "{package} must be pinned in requirements.txt"
            );
        }
    }

    #[test]
    fn import_changes_fix_command_user_and_workdir() {
        let changes = image_changes().join("\n");
        assert!(changes.contains("USER 65534:65534"));
        assert!(changes.contains("WORKDIR /workspace"));
        assert!(changes.contains(RUNNER_PATH));
        assert!(changes.contains(&runner_digest()));
    }

    #[test]
    fn rootfs_tar_keeps_symlinks_and_adds_the_runner() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("usr/bin")).unwrap();
        std::fs::write(dir.path().join("usr/bin/python3.11"), b"elf").unwrap();
        std::os::unix::fs::symlink("python3.11", dir.path().join("usr/bin/python3")).unwrap();
        std::fs::create_dir_all(dir.path().join("dev")).unwrap();
        std::fs::write(dir.path().join("dev/ignored"), b"x").unwrap();
        let (tx, mut rx) = tokio::sync::mpsc::channel(1024);
        let written = write_rootfs_tar(dir.path(), ChannelWriter::new(tx)).unwrap();
        let mut bytes = Vec::new();
        while let Ok(chunk) = rx.try_recv() {
            bytes.extend_from_slice(&chunk.unwrap());
        }
        assert_eq!(bytes.len() as u64, written);
        let mut archive = tar::Archive::new(bytes.as_slice());
        let mut seen = std::collections::HashMap::new();
        for entry in archive.entries().unwrap() {
            let entry = entry.unwrap();
            let name = entry.path().unwrap().display().to_string();
            let link = entry.link_name().unwrap().map(|l| l.display().to_string());
            seen.insert(name, (entry.header().entry_type(), link));
        }
        assert_eq!(
            seen["usr/bin/python3"],
            (tar::EntryType::Symlink, Some("python3.11".to_string())),
            "symlinks must stay symlinks"
        );
        assert!(
            seen.contains_key("dev"),
            "the /dev directory itself is kept"
        );
        assert!(
            !seen.contains_key("dev/ignored"),
            "the contents of /dev are left out"
        );
        assert!(seen.contains_key(RUNNER_PATH.trim_start_matches('/')));
    }
}
