//! Pure statistical analyses for Sightline: a polars frame in, a typed result out.
//!
//! Five analyses — [`forecast`], [`correlation`], [`anomaly`], [`summary`] and [`trend`] — each
//! take a [`DataFrame`](polars::prelude::DataFrame) and an options struct and return a result
//! whose serialized shape is the `analysis_result` of CONTRACT.md. The crate knows nothing of
//! SQL, language models or charts.
//!
//! Architecture invariants:
//! - Every number matches its Python reference (`describe`, `pearsonr`, `spearmanr`,
//!   `linregress`, `skew`/`kurt`, `normaltest`, z-scores with ddof=1, pandas quantiles);
//!   `tests/golden/make_goldens.py` makes the golden numbers the tests compare with. Where
//!   there is no exact reference (Holt-Winters fits, isolation forests) the tests compare
//!   accuracy or agreement with statsmodels and scikit-learn, with the bound stated.
//! - Non-finite floats serialize as `null`, never as a bare `NaN`.
//! - Each analysis has a `method` enum; result shapes only ever gain fields.
//! - No clock, no I/O, no entropy: the same frame and options always give the same result
//!   (the isolation forest uses a fixed seed).

mod anomaly;
mod correlation;
mod dates;
mod error;
mod forecast;
mod format;
mod frame;
mod labels;
mod ser;
mod series;
pub mod stats;
mod summary;
mod trend;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use anomaly::{AnomalyMethod, AnomalyOptions, AnomalyResult, anomaly};
pub use correlation::{
    CorrelationMatrix, CorrelationMethod, CorrelationOptions, CorrelationResult, correlation,
};
pub use dates::{Frequency, parse_date};
pub use error::AnalysisError;
pub use forecast::{
    Backtest, CandidateScore, ForecastMethod, ForecastOptions, ForecastResult, forecast,
};
pub use labels::Labels;
pub use stats::smoothing::{SeasonalKind, TrendKind};
pub use stats::{Describe, NormalityTest};
pub use summary::{
    Categorical, Shape, SummaryOptions, SummaryResult, TOP_VALUES, TopValue, summary,
};
pub use trend::{TrendMethod, TrendOptions, TrendResult, trend};

/// The kinds of analysis, as named in CONTRACT.md (`analytics_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AnalysisType {
    Forecast,
    Correlation,
    Anomaly,
    Summary,
    Trend,
}

impl AnalysisType {
    /// Every analysis type, in the order CONTRACT.md lists them.
    pub const ALL: [AnalysisType; 5] = [
        AnalysisType::Forecast,
        AnalysisType::Correlation,
        AnalysisType::Anomaly,
        AnalysisType::Summary,
        AnalysisType::Trend,
    ];

    /// The wire name (`"forecast"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            AnalysisType::Forecast => "forecast",
            AnalysisType::Correlation => "correlation",
            AnalysisType::Anomaly => "anomaly",
            AnalysisType::Summary => "summary",
            AnalysisType::Trend => "trend",
        }
    }
}

impl fmt::Display for AnalysisType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AnalysisType {
    type Err = AnalysisError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        AnalysisType::ALL
            .into_iter()
            .find(|t| t.as_str() == wanted)
            .ok_or_else(|| {
                AnalysisError::InvalidOption(format!(
                    "Unknown analysis type '{s}'; choose one of forecast, correlation, anomaly, \
                     summary, trend."
                ))
            })
    }
}

/// The result of any analysis; serializes as the bare result object (`analysis_result`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum AnalysisResult {
    Forecast(ForecastResult),
    Correlation(CorrelationResult),
    Anomaly(AnomalyResult),
    Summary(SummaryResult),
    Trend(TrendResult),
}

impl AnalysisResult {
    /// Which analysis produced this result.
    pub fn analysis_type(&self) -> AnalysisType {
        match self {
            AnalysisResult::Forecast(_) => AnalysisType::Forecast,
            AnalysisResult::Correlation(_) => AnalysisType::Correlation,
            AnalysisResult::Anomaly(_) => AnalysisType::Anomaly,
            AnalysisResult::Summary(_) => AnalysisType::Summary,
            AnalysisResult::Trend(_) => AnalysisType::Trend,
        }
    }

    /// The plain-English reading of the result (`key_insights` for a summary).
    pub fn interpretation(&self) -> &str {
        match self {
            AnalysisResult::Forecast(r) => &r.interpretation,
            AnalysisResult::Correlation(r) => &r.interpretation,
            AnalysisResult::Anomaly(r) => &r.interpretation,
            AnalysisResult::Summary(r) => &r.key_insights,
            AnalysisResult::Trend(r) => &r.interpretation,
        }
    }
}

impl From<ForecastResult> for AnalysisResult {
    fn from(r: ForecastResult) -> Self {
        AnalysisResult::Forecast(r)
    }
}

impl From<CorrelationResult> for AnalysisResult {
    fn from(r: CorrelationResult) -> Self {
        AnalysisResult::Correlation(r)
    }
}

impl From<AnomalyResult> for AnalysisResult {
    fn from(r: AnomalyResult) -> Self {
        AnalysisResult::Anomaly(r)
    }
}

impl From<SummaryResult> for AnalysisResult {
    fn from(r: SummaryResult) -> Self {
        AnalysisResult::Summary(r)
    }
}

impl From<TrendResult> for AnalysisResult {
    fn from(r: TrendResult) -> Self {
        AnalysisResult::Trend(r)
    }
}
