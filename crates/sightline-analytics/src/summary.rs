//! A statistical summary of a result: pandas `describe()` of every numeric column, 1.5×IQR
//! outliers per column, and the share of missing values per column.

use std::collections::BTreeMap;

use polars::prelude::DataFrame;
use serde::Serialize;

use crate::error::AnalysisError;
use crate::format;
use crate::frame;
use crate::ser;
use crate::stats::{self, Describe};

/// What to summarise.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SummaryOptions {
    /// The column `summary_stats` describes; `None` picks the first numeric column that is
    /// not an identifier (or the first numeric column if all are).
    pub target: Option<String>,
}

/// The `analysis_result` of a summary (CONTRACT.md).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SummaryResult {
    /// `describe()` of the target column.
    pub summary_stats: Describe,
    /// Per numeric column, the rows outside the 1.5×IQR fences (0-based, ascending).
    pub outliers: BTreeMap<String, Vec<usize>>,
    /// Per column (all columns), the percent of rows without a value.
    #[serde(serialize_with = "ser::finite_map")]
    pub missing_data: BTreeMap<String, f64>,
    pub key_insights: String,
    /// `describe()` of every numeric column.
    pub per_column: BTreeMap<String, Describe>,
    pub target: String,
}

/// Summarises every numeric column of `df`, with `opts.target` in front.
pub fn summary(df: &DataFrame, opts: &SummaryOptions) -> Result<SummaryResult, AnalysisError> {
    let numeric = frame::numeric_names(df);
    let target = match &opts.target {
        Some(t) => {
            let col = frame::column(df, t)?;
            if !frame::is_numeric(col.dtype()) {
                return Err(AnalysisError::NotNumeric { name: t.clone() });
            }
            t.clone()
        }
        None => numeric
            .iter()
            .find(|c| !frame::is_id_like(df, c))
            .or_else(|| numeric.first())
            .cloned()
            .ok_or_else(|| AnalysisError::NoNumericColumn {
                available: frame::names(df),
            })?,
    };
    if df.height() == 0 {
        return Err(AnalysisError::TooFewRows { needed: 1, got: 0 });
    }

    let mut per_column = BTreeMap::new();
    let mut outliers = BTreeMap::new();
    let mut scratch = Vec::with_capacity(df.height());
    for name in &numeric {
        let values = frame::numeric(df, name)?;
        let d = stats::describe_with(&values, &mut scratch);
        let rows: Vec<usize> = match d.iqr_fences() {
            Some((lo, hi)) => values
                .iter()
                .enumerate()
                .filter(|(_, v)| **v < lo || **v > hi)
                .map(|(i, _)| i)
                .collect(),
            None => Vec::new(),
        };
        outliers.insert(name.clone(), rows);
        per_column.insert(name.clone(), d);
    }
    let missing = frame::missing_percent(df)?;
    let summary_stats = per_column
        .get(&target)
        .cloned()
        .unwrap_or_else(|| stats::describe(&[]));
    let key_insights = insights(df, &numeric, &target, &summary_stats, &outliers, &missing);
    Ok(SummaryResult {
        summary_stats,
        outliers,
        missing_data: missing.into_iter().collect(),
        key_insights,
        per_column,
        target,
    })
}

fn insights(
    df: &DataFrame,
    numeric: &[String],
    target: &str,
    d: &Describe,
    outliers: &BTreeMap<String, Vec<usize>>,
    missing: &[(String, f64)],
) -> String {
    let show = |v: Option<f64>| v.map_or_else(|| "n/a".to_string(), format::number);
    let mut out = format!(
        "Analyzed {} (of {}) over {}.",
        format::count(numeric.len(), "numeric column", "numeric columns"),
        format::integer(df.width()),
        format::count(df.height(), "row", "rows")
    );
    if d.count == 0 {
        out.push_str(&format!(" {target} has no values."));
    } else {
        out.push_str(&format!(
            " {target}: {} with a value, mean {}, median {}, standard deviation {}, from {} to {}.",
            format::integer(d.count),
            show(d.mean),
            show(d.q50),
            show(d.std),
            show(d.min),
            show(d.max)
        ));
        if let (Some(mean), Some(median), Some(sd)) = (d.mean, d.q50, d.std)
            && sd > 0.0
            && (mean - median).abs() > 0.25 * sd
        {
            out.push_str(if mean > median {
                " The mean is well above the median: a few large values pull it up."
            } else {
                " The mean is well below the median: a few small values pull it down."
            });
        }
    }
    if let (Some(rows), Some((lo, hi))) = (outliers.get(target), d.iqr_fences()) {
        if rows.is_empty() {
            out.push_str(&format!(" No outliers in {target} by the 1.5×IQR rule."));
        } else {
            out.push_str(&format!(
                " {} in {target} by the 1.5×IQR rule (below {} or above {}).",
                format::count(rows.len(), "outlier", "outliers"),
                format::number(lo),
                format::number(hi)
            ));
        }
    }
    let others: Vec<String> = numeric
        .iter()
        .filter(|c| c.as_str() != target)
        .filter_map(|c| {
            outliers
                .get(c)
                .filter(|rows| !rows.is_empty())
                .map(|rows| format!("{c} ({})", format::integer(rows.len())))
        })
        .collect();
    if !others.is_empty() {
        out.push_str(&format!(
            " Other columns with outliers: {}.",
            format::list(&others)
        ));
    }
    let gaps: Vec<String> = missing
        .iter()
        .filter(|(_, pct)| *pct > 0.0)
        .map(|(c, pct)| format!("{c} {}", format::percent(*pct)))
        .collect();
    if gaps.is_empty() {
        out.push_str(" No column has missing values.");
    } else {
        out.push_str(&format!(" Missing values: {}.", format::list(&gaps)));
    }
    out
}
