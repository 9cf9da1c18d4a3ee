//! Tests of the sandbox crate: the static guard as a table of cases, and Docker mode against the
//! real engine and image (no doubles). One test binary of modules, the ripgrep pattern.
//!
//! Docker tests need an engine and `sightline-sandbox:py311`. Without them they print why and
//! pass, except when `SIGHTLINE_REQUIRE_DOCKER=1` (set by scripts/test for CI): then a missing
//! engine or image fails the test, so CI can never skip them silently.

// A failing test panics: that is how it reports.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod docker;
mod guard;
mod pool;
mod restricted;
mod support;
