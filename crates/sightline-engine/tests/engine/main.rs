//! The engine's one integration-test binary: one `mod` line per area.

mod db_files;
mod db_results;
mod db_security;
mod db_support;
mod pipeline;
