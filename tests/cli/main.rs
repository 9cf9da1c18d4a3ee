//! Black-box tests of the `sightline` binary over `sample-data/sample.db`: the command line, the
//! JSON of CONTRACT.md, exit codes, chart export, the sandbox verbs and the HTTP API. One test binary (the ripgrep
//! pattern); each module owns one verb or concern, and cases are data (`check(input, expect)`).

// A failing test panics: that is how it reports.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod analyze;
mod ask;
mod chart;
mod errors;
mod human;
mod integrity;
mod llm;
mod sandbox;
mod schema;
mod serve;
mod util;
