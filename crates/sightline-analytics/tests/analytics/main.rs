//! Integration tests of sightline-analytics, in one binary (one module per concern).
//!
//! Panicking is how a test fails, so the workspace's unwrap/expect/panic lints are lifted here.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod behaviour;
mod contract;
mod errors;
mod golden;
mod support;
