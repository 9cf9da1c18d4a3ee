//! The one error type of the crate. Every message is written for a business user: it names the
//! column and says what would make the analysis work.

use polars::prelude::PolarsError;

/// Why an analysis could not run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnalysisError {
    /// The named column is not in the frame.
    #[error("Column '{name}' is not in the result; available: {}", .available.join(", "))]
    MissingColumn {
        name: String,
        available: Vec<String>,
    },

    /// The named column does not hold numbers.
    #[error(
        "Column '{name}' does not hold numbers, so it cannot be used as a measure; pick a numeric column"
    )]
    NotNumeric { name: String },

    /// Not enough rows with a usable value.
    #[error("This analysis needs at least {needed} rows with values, but the result has {got}")]
    TooFewRows { needed: usize, got: usize },

    /// No value of the date column could be read as a date.
    #[error(
        "No dates could be read from column '{column}'; dates look like 2025-01-31, 2025-01, 2025-Q1 or 2025-W05"
    )]
    NoDates { column: String },

    /// The column has one value in every row, so nothing varies with it.
    #[error("Column '{name}' has the same value in every row, so there is nothing to relate to it")]
    ConstantColumn { name: String },

    /// The frame has no numeric column at all.
    #[error("The result has no numeric column to analyse; columns: {}", .available.join(", "))]
    NoNumericColumn { available: Vec<String> },

    /// An option is out of range (for example a horizon of 0).
    #[error("{0}")]
    InvalidOption(String),

    /// Polars failed while reading the frame.
    #[error("Could not read the data: {0}")]
    Polars(String),
}

impl From<PolarsError> for AnalysisError {
    fn from(e: PolarsError) -> Self {
        AnalysisError::Polars(e.to_string())
    }
}
