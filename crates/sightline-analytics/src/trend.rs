//! Whether a measure rises or falls over time, two ways: least squares of the value on the
//! period index (or the row order) with scipy `linregress`'s slope t-test, or the Mann-Kendall
//! test with Sen's slope ([`crate::stats::mann_kendall`]), which needs neither a straight line
//! nor normal errors. Either test's p < 0.05 decides up or down; otherwise flat.

use std::str::FromStr;

use polars::prelude::DataFrame;
use serde::Serialize;

use crate::dates::Frequency;
use crate::error::AnalysisError;
use crate::format;
use crate::frame;
use crate::ser;
use crate::series::DatedSeries;
use crate::stats;

/// The significance level below which a slope counts as a trend.
pub const SIGNIFICANCE: f64 = 0.05;

/// How to test for a trend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TrendMethod {
    /// Ordinary least squares with a t-test on the slope.
    #[default]
    Ols,
    /// The Mann-Kendall test (tie-corrected) with Sen's slope.
    MannKendall,
}

impl TrendMethod {
    /// The `method` text of the result.
    pub fn as_str(self) -> &'static str {
        match self {
            TrendMethod::Ols => "OLS linear regression",
            TrendMethod::MannKendall => "Mann-Kendall test with Sen's slope",
        }
    }
}

impl FromStr for TrendMethod {
    type Err = AnalysisError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "ols" | "linear" | "regression" => Ok(TrendMethod::Ols),
            "mann_kendall" | "mann-kendall" | "mk" | "sen" | "theil_sen" | "theil-sen" => {
                Ok(TrendMethod::MannKendall)
            }
            _ => Err(AnalysisError::InvalidOption(format!(
                "Unknown trend method '{s}'; choose ols or mann_kendall."
            ))),
        }
    }
}

/// What to test for a trend.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendOptions {
    /// The dates to order by; rows sharing a date are summed. `None` uses the row order.
    pub date_column: Option<String>,
    /// The numeric column to test.
    pub target: String,
    pub method: TrendMethod,
}

impl TrendOptions {
    /// `target` over `date_column`.
    pub fn new(date_column: Option<String>, target: impl Into<String>) -> Self {
        TrendOptions {
            date_column,
            target: target.into(),
            method: TrendMethod::Ols,
        }
    }
}

/// The `analysis_result` of a trend test (CONTRACT.md).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendResult {
    /// "up", "down" or "flat" (flat when p >= 0.05).
    pub direction: String,
    /// Change per period (per row without a date column).
    #[serde(serialize_with = "ser::finite")]
    pub slope_per_period: f64,
    /// Change over the whole span in percent, of the fitted line when it starts away from zero,
    /// else of the first and last values; the interpretation says which.
    #[serde(serialize_with = "ser::finite")]
    pub percent_change: f64,
    #[serde(serialize_with = "ser::finite")]
    pub p_value: f64,
    /// "OLS linear regression" or "Mann-Kendall test with Sen's slope".
    pub method: String,
    pub interpretation: String,
    #[serde(serialize_with = "ser::finite")]
    pub intercept: f64,
    /// R² of the least-squares line; null for Mann-Kendall.
    #[serde(serialize_with = "ser::finite")]
    pub r_squared: f64,
    /// Kendall's tau (S over the number of pairs); null for OLS.
    #[serde(serialize_with = "ser::finite")]
    pub tau: f64,
    /// The fitted line at each point of the history.
    #[serde(serialize_with = "ser::finite_vec")]
    pub fitted: Vec<f64>,
    /// ISO dates of the history; empty without a date column.
    pub history_dates: Vec<String>,
    #[serde(serialize_with = "ser::finite_vec")]
    pub history_values: Vec<f64>,
}

/// Tests `opts.target` for a linear trend.
pub fn trend(df: &DataFrame, opts: &TrendOptions) -> Result<TrendResult, AnalysisError> {
    let method = opts.method;
    let (x, y, dates, unit, series) = match &opts.date_column {
        Some(date_column) => {
            let s = DatedSeries::from_frame(df, date_column, &opts.target, None)?;
            let unit = s.frequency.as_str().to_string();
            (
                s.periods.clone(),
                s.values.clone(),
                s.iso_dates(),
                unit,
                Some(s),
            )
        }
        None => {
            let values = frame::numeric(df, &opts.target)?;
            let (x, y): (Vec<f64>, Vec<f64>) = values
                .iter()
                .enumerate()
                .filter(|(_, v)| !v.is_nan())
                .map(|(i, v)| (i as f64, *v))
                .unzip();
            (x, y, Vec::new(), "row".to_string(), None)
        }
    };
    let n = y.len();
    if n < 3 {
        return Err(AnalysisError::TooFewRows { needed: 3, got: n });
    }
    let distinct_x = 1 + x.windows(2).filter(|w| w[0] != w[1]).count();
    let fit = stats::linregress(&x, &y).ok_or(AnalysisError::TooFewRows {
        needed: 3,
        got: distinct_x,
    })?;
    let constant = y.iter().all(|v| *v == y[0]);
    let mut tau = f64::NAN;
    // A constant series has no trend; scipy's arithmetic can leave a rounding-noise slope there.
    let (slope, intercept, p_value, r_squared) = if constant {
        (0.0, y[0], f64::NAN, f64::NAN)
    } else {
        match method {
            TrendMethod::Ols => (fit.slope, fit.intercept, fit.p_value, fit.r_squared),
            TrendMethod::MannKendall => {
                let mk = stats::mann_kendall(&x, &y).ok_or_else(|| {
                    AnalysisError::InvalidOption(format!(
                        "The Mann-Kendall test compares every pair of points and is limited to \
                         {} points; this series has {}. Aggregate to a coarser period (weeks or \
                         months) or use the ols method.",
                        format::integer(stats::mann_kendall::MAX_POINTS),
                        format::integer(n)
                    ))
                })?;
                tau = mk.tau;
                (mk.slope, mk.intercept, mk.p_value, f64::NAN)
            }
        }
    };
    let fitted: Vec<f64> = x.iter().map(|xi| intercept + slope * xi).collect();
    let direction = if p_value < SIGNIFICANCE && slope > 0.0 {
        "up"
    } else if p_value < SIGNIFICANCE && slope < 0.0 {
        "down"
    } else {
        "flat"
    };

    let first_fit = fitted[0];
    let last_fit = fitted[n - 1];
    let (percent_change, basis) = if constant {
        (0.0, Basis::Values)
    } else if first_fit != 0.0 && first_fit.is_finite() {
        (
            (last_fit - first_fit) / first_fit.abs() * 100.0,
            Basis::Fitted,
        )
    } else if y[0] != 0.0 {
        ((y[n - 1] - y[0]) / y[0].abs() * 100.0, Basis::Values)
    } else {
        (f64::NAN, Basis::Values)
    };

    let interpretation = interpret(&Reading {
        target: &opts.target,
        date_column: opts.date_column.as_deref(),
        unit: &unit,
        frequency: series.as_ref().map(|s| s.frequency),
        direction,
        constant,
        slope,
        p_value,
        r_squared,
        tau,
        method,
        percent_change,
        basis,
        first: (dates.first().cloned(), fitted[0], y[0]),
        last: (dates.last().cloned(), fitted[n - 1], y[n - 1]),
        notes: series
            .as_ref()
            .zip(opts.date_column.as_deref())
            .map(|(s, d)| s.preparation_notes(&opts.target, d, false))
            .unwrap_or_default(),
        n,
    });

    Ok(TrendResult {
        direction: direction.to_string(),
        slope_per_period: slope,
        percent_change,
        p_value,
        method: method.as_str().to_string(),
        interpretation,
        intercept,
        r_squared,
        tau,
        fitted,
        history_dates: dates,
        history_values: y,
    })
}

/// What the percent change was computed from.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Basis {
    Fitted,
    Values,
}

struct Reading<'a> {
    target: &'a str,
    date_column: Option<&'a str>,
    unit: &'a str,
    frequency: Option<Frequency>,
    direction: &'a str,
    constant: bool,
    slope: f64,
    p_value: f64,
    r_squared: f64,
    tau: f64,
    method: TrendMethod,
    percent_change: f64,
    basis: Basis,
    /// (date, fitted, actual) at each end.
    first: (Option<String>, f64, f64),
    last: (Option<String>, f64, f64),
    notes: String,
    n: usize,
}

fn interpret(r: &Reading<'_>) -> String {
    let target = r.target;
    let over = match (r.frequency, r.date_column) {
        (Some(f), Some(_)) => format!("{} {} values", format::integer(r.n), f.adjective()),
        _ => format!("{} rows in order", format::integer(r.n)),
    };
    let mut out = if r.constant {
        format!(
            "{target} is {} in all {over}: there is no trend.",
            format::number(r.first.2)
        )
    } else {
        let fit = match r.method {
            TrendMethod::Ols => format!(
                "{}, R² = {}",
                format::p_value(r.p_value),
                format::coefficient(r.r_squared)
            ),
            TrendMethod::MannKendall => format!(
                "Mann-Kendall {}, Kendall's tau = {}, slope by Sen's method",
                format::p_value(r.p_value),
                format::coefficient(r.tau)
            ),
        };
        match r.direction {
            "up" | "down" => format!(
                "{target} is trending {} by {} per {} ({fit}) over {over}.",
                r.direction,
                format::number(r.slope.abs()),
                r.unit
            ),
            _ => format!(
                "{target} shows no clear trend over {over}: the fitted slope of {} per {} is not \
                 statistically significant ({fit}; a trend needs p < 0.05).",
                format::signed(r.slope),
                r.unit
            ),
        }
    };
    if !r.constant && r.percent_change.is_finite() {
        let span = match (&r.first.0, &r.last.0) {
            (Some(a), Some(b)) => format!(" from {a} to {b}"),
            _ => String::new(),
        };
        let how = match r.basis {
            Basis::Fitted => format!(
                "the fitted line goes from {} to {}",
                format::number(r.first.1),
                format::number(r.last.1)
            ),
            Basis::Values => format!(
                "the first and last values, {} and {}; the fitted line starts at zero",
                format::number(r.first.2),
                format::number(r.last.2)
            ),
        };
        out.push_str(&format!(
            " Over the period{span}, the change is {} ({how}).",
            format::signed_percent(r.percent_change)
        ));
    }
    if !r.notes.is_empty() {
        out.push(' ');
        out.push_str(&r.notes);
    }
    out
}
