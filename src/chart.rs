//! `--chart FILE.html`: saves an answer as a self-contained interactive page, with the Plotly.js
//! the engine embedded at build time (never a CDN).

use std::path::Path;

use sightline_engine::export::{self, ExportFormat};
use sightline_engine::{Answer, EngineError};

pub use sightline_engine::export::plotly_js;

/// Writes the answer's HTML report to `path`.
pub fn save(answer: &Answer, path: &Path) -> Result<(), EngineError> {
    export::save_answer(answer, ExportFormat::Html, path)
}
