//! The engine's one integration-test binary: one `mod` line per area.
//!
//! Panicking is how a test fails, so the workspace's unwrap/expect/panic lints are lifted here.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod agents;
mod bound_values;
mod db_files;
mod db_params;
mod db_results;
mod db_security;
mod db_support;
mod fake_model;
mod grouped_rows;
mod keychain;
mod pipeline;
mod typescript;
