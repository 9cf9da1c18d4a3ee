//! Tests of the sandbox crate: the static guard as a table of cases, Docker mode against the
//! real engine and image (no doubles; engine faults through a proxy the test kills), and the
//! restricted mode against the real bubblewrap. One test binary of modules, the ripgrep pattern.
//!
//! Docker tests need an engine and `sightline-sandbox:py311`. Without them they print why and
//! pass, except when `SIGHTLINE_REQUIRE_DOCKER=1` (set by scripts/test for CI): then a missing
//! engine or image fails the test, so CI can never skip them silently. `SIGHTLINE_SANDBOX_IMAGE`
//! names another image than `sightline-sandbox:py311` (one carrying this checkout's runner).

// A failing test panics: that is how it reports.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod docker;
mod faults;
mod guard;
mod pool;
mod restricted;
mod support;
