//! Unusual values of a measure: rows whose z-score, (x - mean) / std with the sample standard
//! deviation (ddof=1, as pandas), exceeds a threshold. IQR fences and isolation forests are
//! future [`AnomalyMethod`] variants.

use std::str::FromStr;

use polars::prelude::DataFrame;
use serde::Serialize;

use crate::error::AnalysisError;
use crate::format;
use crate::frame;
use crate::ser;
use crate::stats;

/// The seed's threshold: three standard deviations.
pub const DEFAULT_THRESHOLD: f64 = 3.0;

/// How to decide that a value is unusual.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum AnomalyMethod {
    /// |x - mean| / std > threshold.
    #[default]
    ZScore,
}

impl AnomalyMethod {
    /// The `method` text of the result.
    pub fn as_str(self) -> &'static str {
        match self {
            AnomalyMethod::ZScore => "z-score",
        }
    }
}

impl FromStr for AnomalyMethod {
    type Err = AnalysisError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "zscore" | "z-score" | "z_score" | "z" => Ok(AnomalyMethod::ZScore),
            _ => Err(AnalysisError::InvalidOption(format!(
                "Unknown anomaly method '{s}'; choose zscore."
            ))),
        }
    }
}

/// What to look for anomalies in.
#[derive(Debug, Clone, PartialEq)]
pub struct AnomalyOptions {
    /// The numeric column to check.
    pub target: String,
    /// The column that names a row for the reader (a date or a category). `None` picks the
    /// first date column, else the first text column, else the row number.
    pub label_column: Option<String>,
    /// How many standard deviations from the mean count as unusual (default 3).
    pub threshold: f64,
    pub method: AnomalyMethod,
}

impl AnomalyOptions {
    /// Z-scores of `target` beyond 3, labels chosen automatically.
    pub fn new(target: impl Into<String>) -> Self {
        AnomalyOptions {
            target: target.into(),
            label_column: None,
            threshold: DEFAULT_THRESHOLD,
            method: AnomalyMethod::ZScore,
        }
    }
}

/// The `analysis_result` of an anomaly search (CONTRACT.md).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnomalyResult {
    /// 0-based row indexes into the analysed frame, ascending.
    pub anomalies: Vec<usize>,
    #[serde(serialize_with = "ser::finite_vec")]
    pub anomaly_values: Vec<f64>,
    #[serde(serialize_with = "ser::finite")]
    pub threshold_used: f64,
    pub interpretation: String,
    /// The label of each anomalous row: its date or category, or its row number.
    pub anomaly_labels: Vec<String>,
    /// "z-score".
    pub method: String,
    #[serde(serialize_with = "ser::finite")]
    pub mean: f64,
    /// Sample standard deviation (ddof=1); null with fewer than two values.
    #[serde(serialize_with = "ser::finite")]
    pub std: f64,
}

/// Finds the rows whose `opts.target` is unusual.
pub fn anomaly(df: &DataFrame, opts: &AnomalyOptions) -> Result<AnomalyResult, AnalysisError> {
    if !(opts.threshold.is_finite() && opts.threshold > 0.0) {
        return Err(AnalysisError::InvalidOption(format!(
            "The anomaly threshold must be a positive number of standard deviations, not {}.",
            opts.threshold
        )));
    }
    let values = frame::numeric(df, &opts.target)?;
    let label_column = match &opts.label_column {
        Some(name) => Some(frame::column(df, name)?),
        None => frame::default_label_column(df).and_then(|name| df.column(&name).ok()),
    };
    let (mean, std, count) = stats::mean_std(&values);
    if count == 0 {
        return Err(AnalysisError::TooFewRows { needed: 2, got: 0 });
    }
    let threshold = opts.threshold;
    let usable = std.is_finite() && std > 0.0;
    let mut anomalies = Vec::new();
    let mut anomaly_values = Vec::new();
    // The largest |z| overall, so that "none found" can say how close the data came.
    let mut largest: Option<(usize, f64)> = None;
    if usable {
        for (i, &x) in values.iter().enumerate() {
            // Written exactly as pandas evaluates it, so boundary cases agree.
            let z = ((x - mean) / std).abs();
            if z > threshold {
                anomalies.push(i);
                anomaly_values.push(x);
            }
            if z.is_finite() && largest.is_none_or(|(_, best)| z > best) {
                largest = Some((i, z));
            }
        }
    }
    let label = |row: usize| match label_column {
        Some(col) => frame::label(col, row),
        None => row.to_string(),
    };
    // In a sentence a bare number needs saying what it is.
    let spoken = |text: &str| match label_column {
        Some(_) => text.to_string(),
        None => format!("row {text}"),
    };
    let anomaly_labels: Vec<String> = anomalies.iter().map(|&i| label(i)).collect();

    let missing = values.len() - count;
    let mut out = String::new();
    let target = &opts.target;
    let sd_words = format!(
        "{} standard deviation{}",
        format::compact(threshold),
        if threshold == 1.0 { "" } else { "s" }
    );
    if !usable {
        out.push_str(&if count < 2 {
            format!(
                "Only one {target} value, so there is no spread to judge unusual values against."
            )
        } else {
            format!(
                "Every {target} value is the same ({}); nothing stands out.",
                format::number(mean)
            )
        });
    } else if anomalies.is_empty() {
        out.push_str(&format!(
            "No {target} value lies more than {sd_words} from the mean ({}, standard deviation {}).",
            format::number(mean),
            format::number(std)
        ));
        if let Some((row, z)) = largest {
            out.push_str(&format!(
                " The most extreme is {} ({}), {} standard deviations away.",
                spoken(&label(row)),
                format::number(values[row]),
                format::number(z)
            ));
        }
    } else {
        out.push_str(&format!(
            "Found {} in {target}: values more than {sd_words} from the mean of {} (standard \
             deviation {}), i.e. below {} or above {}.",
            format::count(anomalies.len(), "anomaly", "anomalies"),
            format::number(mean),
            format::number(std),
            format::number(mean - threshold * std),
            format::number(mean + threshold * std)
        ));
        const SHOWN: usize = 5;
        let mut by_size: Vec<usize> = (0..anomalies.len()).collect();
        by_size.sort_by(|&a, &b| {
            let dev = |k: usize| (anomaly_values[k] - mean).abs();
            dev(b).total_cmp(&dev(a))
        });
        let shown: Vec<String> = by_size
            .iter()
            .take(SHOWN)
            .map(|&k| {
                format!(
                    "{} ({})",
                    spoken(&anomaly_labels[k]),
                    format::number(anomaly_values[k])
                )
            })
            .collect();
        let lead = if anomalies.len() > SHOWN {
            "The largest: "
        } else {
            ""
        };
        out.push_str(&format!(" {lead}{}.", format::list(&shown)));
    }
    if missing > 0 {
        out.push_str(&format!(
            " {} without a {target} value were skipped.",
            format::count(missing, "row", "rows")
        ));
    }

    Ok(AnomalyResult {
        anomalies,
        anomaly_values,
        threshold_used: threshold,
        interpretation: out,
        anomaly_labels,
        method: opts.method.as_str().to_string(),
        mean,
        std,
    })
}
