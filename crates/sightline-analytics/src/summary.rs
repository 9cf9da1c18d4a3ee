//! A statistical summary of a result: pandas `describe()` of every numeric column, 1.5×IQR
//! outliers per column, the share of missing values per column, the shape of each numeric
//! column (pandas' skewness and excess kurtosis, scipy's D'Agostino-Pearson normality test),
//! and for text columns their counts, distinct values and most frequent values.

use std::collections::{BTreeMap, HashMap};

use polars::prelude::DataFrame;
use serde::Serialize;

use crate::error::AnalysisError;
use crate::format;
use crate::frame;
use crate::ser;
use crate::stats::{self, Describe, NormalityTest};

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
    /// Per numeric column, skewness, kurtosis and a normality test.
    pub shape: BTreeMap<String, Shape>,
    /// Per text column, counts and the most frequent values.
    pub categorical: BTreeMap<String, Categorical>,
}

/// The shape of a numeric column's distribution.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shape {
    /// pandas `skew()` (adjusted Fisher-Pearson); null below 3 values.
    #[serde(serialize_with = "ser::finite")]
    pub skewness: f64,
    /// pandas `kurt()` (excess kurtosis, 0 for a normal distribution); null below 4 values.
    #[serde(serialize_with = "ser::finite")]
    pub kurtosis: f64,
    /// scipy `normaltest`; null below 8 values or for a constant column.
    pub normality: Option<NormalityTest>,
}

/// A text column at a glance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Categorical {
    /// Rows with a value.
    pub count: usize,
    /// Rows without one.
    pub missing: usize,
    /// Distinct values.
    pub distinct: usize,
    /// Up to [`TOP_VALUES`] most frequent values, most frequent first (ties by value).
    pub top_values: Vec<TopValue>,
}

/// One frequent value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopValue {
    pub value: String,
    pub count: usize,
    /// Percent of the rows with a value.
    #[serde(serialize_with = "ser::finite")]
    pub percent: f64,
}

/// How many frequent values a categorical summary lists.
pub const TOP_VALUES: usize = 5;

/// Counts per distinct value of a text column, hashed on the borrowed text (no string per
/// row: on a million rows the copies cost more than the counting).
fn categorical<'a>(values: impl Iterator<Item = Option<&'a str>>) -> Categorical {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    let mut rows = 0usize;
    for v in values {
        rows += 1;
        if let Some(v) = v {
            *counts.entry(v).or_insert(0) += 1;
        }
    }
    let count: usize = counts.values().sum();
    let mut ranked: Vec<(&str, usize)> = counts.iter().map(|(k, v)| (*k, *v)).collect();
    // Most frequent first, ties alphabetical.
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    Categorical {
        count,
        missing: rows - count,
        distinct: counts.len(),
        top_values: ranked
            .into_iter()
            .take(TOP_VALUES)
            .map(|(value, c)| TopValue {
                value: value.to_string(),
                count: c,
                percent: c as f64 / count as f64 * 100.0,
            })
            .collect(),
    }
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
    let mut shape = BTreeMap::new();
    let mut scratch = Vec::new();
    // Columns found complete (no null, no NaN) on the way: nothing to count for them later.
    let mut complete = Vec::new();
    for name in &numeric {
        let numbers = frame::numbers(df, name)?;
        // Large complete columns in a few passes; the rest the general way (same numbers).
        let wanted = stats::Wanted {
            higher: true,
            extremes: true,
            fence_k: Some(1.5),
        };
        let scanned = match &numbers {
            frame::Numbers::Floats(v) => stats::scan(v, wanted),
            frame::Numbers::Ints(v) => stats::scan(v, wanted),
        };
        let (d, (skewness, kurtosis, normality), rows) = match scanned {
            Some(scanned) => {
                complete.push(name.as_str());
                let (d, shape) = stats::describe_and_shape_of(&scanned);
                (d, shape, scanned.outside)
            }
            None => {
                let values = numbers.to_floats();
                let (d, shape) = stats::describe_and_shape(&values, &mut scratch);
                let rows: Vec<usize> = match d.iqr_fences() {
                    Some((lo, hi)) => values
                        .iter()
                        .enumerate()
                        .filter(|(_, v)| **v < lo || **v > hi)
                        .map(|(i, _)| i)
                        .collect(),
                    None => Vec::new(),
                };
                (d, shape, rows)
            }
        };
        outliers.insert(name.clone(), rows);
        per_column.insert(name.clone(), d);
        shape.insert(
            name.clone(),
            Shape {
                skewness,
                kurtosis,
                normality,
            },
        );
    }
    let mut categories = BTreeMap::new();
    for name in frame::text_names(df) {
        categories.insert(
            name.clone(),
            categorical(frame::column(df, &name)?.str()?.iter()),
        );
    }
    let missing = frame::missing_percent(df, &complete)?;
    let summary_stats = per_column
        .get(&target)
        .cloned()
        .unwrap_or_else(|| stats::describe(&[]));
    let mut key_insights = insights(df, &numeric, &target, &summary_stats, &outliers, &missing);
    if let Some(sh) = shape.get(&target) {
        key_insights.push_str(&shape_sentence(&target, sh));
    }
    key_insights.push_str(&categorical_sentence(&categories));
    Ok(SummaryResult {
        summary_stats,
        outliers,
        missing_data: missing.into_iter().collect(),
        key_insights,
        per_column,
        target,
        shape,
        categorical: categories,
    })
}

fn shape_sentence(target: &str, sh: &Shape) -> String {
    let mut out = String::new();
    if sh.skewness.is_finite() {
        let a = sh.skewness.abs();
        let how = if a < 0.5 {
            "roughly symmetric".to_string()
        } else {
            format!(
                "{} skewed, with a longer tail of {} values",
                if a < 1.0 { "moderately" } else { "strongly" },
                if sh.skewness > 0.0 { "large" } else { "small" }
            )
        };
        out.push_str(&format!(
            " The distribution of {target} is {how} (skewness {}",
            format::coefficient(sh.skewness)
        ));
        if sh.kurtosis.is_finite() {
            out.push_str(&format!(
                ", excess kurtosis {}",
                format::coefficient(sh.kurtosis)
            ));
        }
        out.push_str(").");
    }
    if let Some(t) = &sh.normality {
        if t.p_value < 0.05 {
            out.push_str(&format!(
                " It is not normally distributed ({} test, {}), so the median and quartiles describe it better than the mean and standard deviation.",
                t.test,
                format::p_value(t.p_value)
            ));
        } else {
            out.push_str(&format!(
                " A normal distribution fits it ({} test, {}).",
                t.test,
                format::p_value(t.p_value)
            ));
        }
    }
    out
}

fn categorical_sentence(categories: &BTreeMap<String, Categorical>) -> String {
    // A column whose every value is different (dates, names, codes) has no "most common"
    // value worth a sentence.
    let parts: Vec<String> = categories
        .iter()
        .filter(|(_, c)| c.distinct < c.count)
        .filter_map(|(name, c)| {
            c.top_values.first().map(|top| {
                format!(
                    "{name} has {} (most common: {}, {})",
                    format::count(c.distinct, "distinct value", "distinct values"),
                    top.value,
                    format::percent(top.percent)
                )
            })
        })
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(" Text columns: {}.", format::list(&parts))
    }
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
