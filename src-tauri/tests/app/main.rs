//! The desktop app's integration-test binary. Its being here also makes `cargo test --workspace`
//! build the `sightline-app` binary that `tests/desktop/run.sh` drives in a real window.
//!
//! Panicking is how a test fails, so the workspace's unwrap/expect/panic lints are lifted here.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod permissions;
