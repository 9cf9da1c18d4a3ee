//! `--chart FILE.html`: saves an answer as a self-contained interactive page, with the Plotly.js
//! that build.rs embedded (never a CDN).

use std::fs;
use std::path::Path;

use sightline_engine::export::html_report;
use sightline_engine::{Answer, EngineError, ErrorKind};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/plotly.rs"));
}

/// Stage name of chart export in error reports.
const STAGE: &str = "export";

/// Plotly.js as embedded at build time, or the internal error explaining how to get it.
pub fn plotly_js() -> Result<&'static str, EngineError> {
    embedded::PLOTLY_JS.ok_or_else(|| {
        EngineError::new(
            ErrorKind::Internal,
            "This build has no Plotly.js: run `npm ci --prefix ui` and rebuild.",
        )
        .at_stage(STAGE)
    })
}

/// Writes the answer's HTML report to `path`.
pub fn save(answer: &Answer, path: &Path) -> Result<(), EngineError> {
    let page = html_report(answer, plotly_js()?);
    fs::write(path, page).map_err(|e| {
        EngineError::new(
            ErrorKind::BadInput,
            format!(
                "Could not save the chart to {}: {e}. Choose a file in a folder you can write to.",
                path.display()
            ),
        )
        .at_stage(STAGE)
    })
}
