//! Unusual values of a measure, three ways:
//! - z-score: |x - mean| / std > threshold, std with ddof=1 as pandas (default 3);
//! - IQR: outside the fences q1 - k·IQR, q3 + k·IQR, quartiles interpolated as pandas
//!   (default k = 1.5; 3 for "far out" values, Tukey 1977);
//! - seasonal residual, for dated series: the value minus what its season and the local level
//!   predict, scored with a robust z (median and MAD), so that a Monday dip on weekly-seasonal
//!   data is expected, not anomalous. The decomposition is a robust one in the spirit of STL
//!   (Cleveland et al. 1990) and Twitter's S-H-ESD (Hochenbaum et al. 2017): the level is a
//!   centred rolling median over about two cycles, the seasonal profile the median ratio (or
//!   difference, for data with values at or below zero) of value to level at each position of
//!   the cycle. Medians keep the anomalies themselves from bending the baseline they are judged
//!   against. Without a threshold, the cut-off is the Bonferroni bound Φ⁻¹(1 - 0.05 / 2n): on a
//!   series with no anomaly, the chance of any false alarm is about 5% whatever its length;
//! - isolation forest ([`crate::stats::isolation`]): values isolated by unusually few random
//!   splits, score above a threshold (default 0.7; about 1-2% of normally distributed values
//!   score higher, clear outliers 0.8 and more).

use std::str::FromStr;

use chrono::NaiveDate;
use polars::prelude::DataFrame;
use serde::Serialize;

use crate::dates::Frequency;
use crate::error::AnalysisError;
use crate::format;
use crate::frame;
use crate::labels::Labels;
use crate::ser;
use crate::stats;
use crate::stats::seasonality::detect_period;

/// The seed's threshold: three standard deviations.
pub const DEFAULT_THRESHOLD: f64 = 3.0;

/// Tukey's fence multiplier for outliers.
pub const DEFAULT_IQR_K: f64 = 1.5;

/// The isolation-forest score above which a value is anomalous.
pub const DEFAULT_ISOLATION_SCORE: f64 = 0.7;

/// The family-wise false-alarm rate the seasonal method's default threshold is set for.
pub const SEASONAL_FALSE_ALARM_RATE: f64 = 0.05;

/// The consistency constant that makes the MAD estimate the standard deviation of normal data.
const MAD_TO_SD: f64 = 1.482_602_218_505_602;

/// How to decide that a value is unusual.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum AnomalyMethod {
    /// |x - mean| / std > threshold.
    #[default]
    ZScore,
    /// Outside q1 - k·IQR .. q3 + k·IQR (threshold = k).
    Iqr,
    /// Robust z of the residual after removing the seasonal pattern and the local level;
    /// needs a date column.
    SeasonalResidual,
    /// Isolation-forest score above the threshold (default 0.7).
    IsolationForest,
}

impl AnomalyMethod {
    /// The `method` text of the result.
    pub fn as_str(self) -> &'static str {
        match self {
            AnomalyMethod::ZScore => "z-score",
            AnomalyMethod::Iqr => "iqr",
            AnomalyMethod::SeasonalResidual => "seasonal-residual",
            AnomalyMethod::IsolationForest => "isolation-forest",
        }
    }
}

impl FromStr for AnomalyMethod {
    type Err = AnalysisError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "zscore" | "z-score" | "z" => Ok(AnomalyMethod::ZScore),
            "iqr" | "tukey" | "boxplot" => Ok(AnomalyMethod::Iqr),
            "seasonal" | "seasonal-residual" | "stl" | "residual" => {
                Ok(AnomalyMethod::SeasonalResidual)
            }
            "isolation-forest" | "iforest" | "isolation" => Ok(AnomalyMethod::IsolationForest),
            _ => Err(AnalysisError::InvalidOption(format!(
                "Unknown anomaly method '{s}'; choose zscore, iqr, seasonal or isolation_forest."
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
    /// date column when there is one, else the first date column, else the first text column,
    /// else the row number.
    pub label_column: Option<String>,
    /// z-score: standard deviations (default 3); IQR: the fence multiplier k (default 1.5);
    /// seasonal: robust standard deviations of the residual (default: the Bonferroni bound);
    /// isolation forest: the score (default 0.7, at most 1).
    pub threshold: Option<f64>,
    pub method: AnomalyMethod,
    /// The dates of the rows; required by the seasonal method.
    pub date_column: Option<String>,
    /// Periods per seasonal cycle for the seasonal method; detected when `None`.
    pub season_length: Option<usize>,
}

impl AnomalyOptions {
    /// Z-scores of `target` beyond 3, labels chosen automatically.
    pub fn new(target: impl Into<String>) -> Self {
        AnomalyOptions {
            target: target.into(),
            label_column: None,
            threshold: None,
            method: AnomalyMethod::ZScore,
            date_column: None,
            season_length: None,
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
    pub anomaly_labels: Labels,
    /// "z-score", "iqr" or "seasonal-residual".
    pub method: String,
    #[serde(serialize_with = "ser::finite")]
    pub mean: f64,
    /// Sample standard deviation (ddof=1); null with fewer than two values.
    #[serde(serialize_with = "ser::finite")]
    pub std: f64,
    /// What each anomalous row was expected to be: the mean (z-score), the median (IQR), the
    /// seasonal baseline of its date (seasonal).
    #[serde(serialize_with = "ser::finite_vec")]
    pub expected_values: Vec<f64>,
    /// How far out each anomalous row is: its z-score, its distance beyond the nearer fence in
    /// IQRs, or its robust z.
    #[serde(serialize_with = "ser::finite_vec")]
    pub scores: Vec<f64>,
    /// Values below `lower_bound` or above `upper_bound` are anomalous (z-score and IQR; null
    /// for the seasonal method, whose bounds move with the date).
    #[serde(serialize_with = "ser::finite_option")]
    pub lower_bound: Option<f64>,
    #[serde(serialize_with = "ser::finite_option")]
    pub upper_bound: Option<f64>,
    /// The seasonal cycle the seasonal method removed; null otherwise or when none was found.
    pub seasonal_period: Option<usize>,
}

/// Flags of one method: per flagged row, its expected value and score.
struct Flags {
    rows: Vec<usize>,
    expected: Vec<f64>,
    scores: Vec<f64>,
    bounds: Option<(f64, f64)>,
    /// The largest |score| of any row, to say how close the data came when nothing is flagged.
    largest: Option<(usize, f64)>,
}

/// Finds the rows whose `opts.target` is unusual.
pub fn anomaly(df: &DataFrame, opts: &AnomalyOptions) -> Result<AnomalyResult, AnalysisError> {
    if let Some(t) = opts.threshold
        && !(t.is_finite() && t > 0.0)
    {
        let unit = match opts.method {
            AnomalyMethod::Iqr => "multiple of the interquartile range",
            _ => "number of standard deviations",
        };
        return Err(AnalysisError::InvalidOption(format!(
            "The anomaly threshold must be a positive {unit}, not {t}."
        )));
    }
    let values = frame::numeric(df, &opts.target)?;
    let label_name = match &opts.label_column {
        Some(name) => Some(frame::column(df, name)?.name().to_string()),
        None => opts
            .date_column
            .clone()
            .or_else(|| frame::default_label_column(df)),
    };
    let label_column = match &label_name {
        Some(name) => Some(frame::column(df, name)?),
        None => None,
    };
    // Large complete columns: the statistics and the flags in two passes (same numbers).
    let fast = match opts.method {
        AnomalyMethod::ZScore => z_score_fast(&values, opts.threshold.unwrap_or(DEFAULT_THRESHOLD)),
        AnomalyMethod::Iqr => iqr_fast(&values, opts.threshold.unwrap_or(DEFAULT_IQR_K)),
        _ => None,
    };
    let (mean, std, count) = match &fast {
        Some(f) => (f.mean, f.std, values.len()),
        None => stats::mean_std(&values),
    };
    if count == 0 {
        return Err(AnalysisError::TooFewRows { needed: 2, got: 0 });
    }
    let mut seasonal_period = None;
    let mut seasonal_note = String::new();
    let (flags, threshold) = match (opts.method, fast) {
        (AnomalyMethod::ZScore | AnomalyMethod::Iqr, Some(f)) => (
            f.flags,
            opts.threshold
                .unwrap_or(if opts.method == AnomalyMethod::Iqr {
                    DEFAULT_IQR_K
                } else {
                    DEFAULT_THRESHOLD
                }),
        ),
        (AnomalyMethod::ZScore, None) => {
            let t = opts.threshold.unwrap_or(DEFAULT_THRESHOLD);
            (z_score_flags(&values, mean, std, t), t)
        }
        (AnomalyMethod::Iqr, None) => {
            let k = opts.threshold.unwrap_or(DEFAULT_IQR_K);
            (iqr_flags(&values, k), k)
        }
        (AnomalyMethod::IsolationForest, _) => {
            let t = opts.threshold.unwrap_or(DEFAULT_ISOLATION_SCORE);
            if t >= 1.0 {
                return Err(AnalysisError::InvalidOption(format!(
                    "An isolation-forest threshold is a score below 1 (0.7 by default), not {t}."
                )));
            }
            (isolation_flags(&values, t), t)
        }
        (AnomalyMethod::SeasonalResidual, _) => {
            let date_column = opts.date_column.as_deref().ok_or_else(|| {
                AnalysisError::InvalidOption(
                    "The seasonal anomaly method needs a date column; name it, or choose the \
                     zscore or iqr method."
                        .to_string(),
                )
            })?;
            let dates = frame::dates(df, date_column)?;
            let seasonal = seasonal_flags(&values, &dates, opts)?;
            seasonal_period = seasonal.period;
            seasonal_note = seasonal.note;
            (seasonal.flags, seasonal.threshold)
        }
    };
    let anomalies = flags.rows;
    let anomaly_values: Vec<f64> = anomalies.iter().map(|&i| values[i]).collect();
    let label = |row: usize| match label_column {
        Some(col) => frame::label(col, row),
        None => row_number(row),
    };
    // In a sentence a bare number needs saying what it is.
    let spoken = |text: &str| match label_column {
        Some(_) => text.to_string(),
        None => format!("row {text}"),
    };
    let mut anomaly_labels = Labels::with_capacity(anomalies.len(), anomalies.len() * 8);
    for &i in &anomalies {
        match label_column {
            Some(col) => anomaly_labels.push(&frame::label(col, i)),
            None => anomaly_labels.push_with(|text| push_row_number(text, i)),
        }
    }

    let missing = values.len() - count;
    let mut out = String::new();
    let target = &opts.target;
    let usable = std.is_finite() && std > 0.0;
    let rule = match opts.method {
        AnomalyMethod::ZScore => format!(
            "more than {} standard deviation{} from the mean",
            format::compact(threshold),
            if threshold == 1.0 { "" } else { "s" }
        ),
        // Rust's shortest round-trip form: "1.5", "3", not "1.50".
        AnomalyMethod::Iqr => format!("more than {threshold}×IQR outside the quartiles"),
        AnomalyMethod::SeasonalResidual => format!(
            "more than {} robust standard deviations from what their season and the local level predict",
            format::number(threshold)
        ),
        AnomalyMethod::IsolationForest => format!(
            "with an isolation-forest score above {} (values that random splits isolate unusually fast)",
            format::number(threshold)
        ),
    };
    if !usable && opts.method != AnomalyMethod::SeasonalResidual {
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
        out.push_str(&format!("No {target} value lies {rule}"));
        match (opts.method, flags.bounds) {
            (AnomalyMethod::ZScore, _) => out.push_str(&format!(
                " ({}, standard deviation {}).",
                format::number(mean),
                format::number(std)
            )),
            (AnomalyMethod::Iqr, Some((lo, hi))) => out.push_str(&format!(
                " (below {} or above {}).",
                format::number(lo),
                format::number(hi)
            )),
            _ => out.push('.'),
        }
        if let Some((row, z)) = flags.largest {
            let how_far = match opts.method {
                AnomalyMethod::Iqr => format!("{} IQRs beyond the quartiles", format::number(z)),
                AnomalyMethod::ZScore => format!("{} standard deviations away", format::number(z)),
                AnomalyMethod::SeasonalResidual => {
                    format!("{} robust standard deviations away", format::number(z))
                }
                AnomalyMethod::IsolationForest => {
                    format!("with an isolation score of {}", format::number(z))
                }
            };
            out.push_str(&format!(
                " The most extreme is {} ({}), {how_far}.",
                spoken(&label(row)),
                format::number(values[row]),
            ));
        }
    } else {
        let found = format::count(anomalies.len(), "anomaly", "anomalies");
        match (opts.method, flags.bounds) {
            (AnomalyMethod::ZScore, Some((lo, hi))) => out.push_str(&format!(
                "Found {found} in {target}: values {rule} of {} (standard deviation {}), i.e. \
                 below {} or above {}.",
                format::number(mean),
                format::number(std),
                format::number(lo),
                format::number(hi)
            )),
            (AnomalyMethod::Iqr, Some((lo, hi))) => out.push_str(&format!(
                "Found {found} in {target}: values {rule}, i.e. below {} or above {}.",
                format::number(lo),
                format::number(hi)
            )),
            _ => out.push_str(&format!("Found {found} in {target}: values {rule}.")),
        }
        const SHOWN: usize = 5;
        // The SHOWN largest by |score|, ties in row order: a partial selection, since a
        // million-row column can have tens of thousands of anomalies.
        let larger_first = |a: &usize, b: &usize| {
            flags.scores[*b]
                .abs()
                .total_cmp(&flags.scores[*a].abs())
                .then(a.cmp(b))
        };
        // One pass keeping the SHOWN largest so far (no index per anomaly).
        let mut by_size: Vec<usize> = Vec::with_capacity(SHOWN + 1);
        for k in 0..anomalies.len() {
            if by_size.len() == SHOWN
                && by_size
                    .last()
                    .is_some_and(|&l| larger_first(&k, &l) != std::cmp::Ordering::Less)
            {
                continue;
            }
            let at = by_size.partition_point(|b| larger_first(b, &k) == std::cmp::Ordering::Less);
            by_size.insert(at, k);
            by_size.truncate(SHOWN);
        }
        let shown: Vec<String> = by_size
            .iter()
            .take(SHOWN)
            .map(|&k| {
                let expected = if opts.method == AnomalyMethod::SeasonalResidual {
                    format!(", expected about {}", format::number(flags.expected[k]))
                } else {
                    String::new()
                };
                format!(
                    "{} ({}{expected})",
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
    if !seasonal_note.is_empty() {
        out.push(' ');
        out.push_str(&seasonal_note);
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
        expected_values: flags.expected,
        scores: flags.scores,
        lower_bound: flags.bounds.map(|b| b.0),
        upper_bound: flags.bounds.map(|b| b.1),
        seasonal_period,
    })
}

/// `row.to_string()` without the formatting machinery: a million-row column can have tens of
/// thousands of anomalies labelled by their row number.
fn row_number(row: usize) -> String {
    let mut text = String::new();
    push_row_number(&mut text, row);
    text
}

/// Appends the decimal digits of `row` to `text`.
fn push_row_number(text: &mut String, row: usize) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    let mut rest = row;
    loop {
        start -= 1;
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    // ASCII digits: always valid UTF-8.
    if let Ok(digits) = std::str::from_utf8(&digits[start..]) {
        text.push_str(digits);
    }
}

/// The flags of a column with no NaN found in two passes, with the mean and standard
/// deviation the result reports.
struct Fast {
    mean: f64,
    std: f64,
    flags: Flags,
}

/// [`z_score_flags`] with [`stats::mean_std`] in three tight passes instead of four, for a
/// column with no NaN: the pairwise sum (numpy's order: the same mean; and NaN propagates, so a
/// sum that is not NaN needs no separate check), the squared deviations (the same standard
/// deviation), and the rows beyond the cut, checked as [`z_score_flags`] checks them but
/// without following the largest |z| of all rows. `None` (the caller then takes the general
/// path) when a value is NaN or infinite or nothing is flagged: the "nothing found" sentence
/// needs that largest |z|.
fn z_score_fast(values: &[f64], threshold: f64) -> Option<Fast> {
    let n = values.len();
    if n < 2 {
        return None;
    }
    let nf = n as f64;
    let [sum] = stats::pairwise_sums(n, &|i| [values[i]]);
    if !sum.is_finite() {
        return None;
    }
    let mean = sum / nf;
    let [ss] = stats::pairwise_sums(n, &|i| {
        let d = values[i] - mean;
        [d * d]
    });
    let std = (ss / (nf - 1.0)).sqrt();
    if !(std.is_finite() && std > 0.0) {
        return None;
    }
    // As in z_score_flags: a deviation at most `cut` cannot have |z| above the threshold.
    let cut = threshold * std * (1.0 - 1e-9);
    let mut f = Flags {
        rows: Vec::new(),
        expected: Vec::new(),
        scores: Vec::new(),
        bounds: Some((mean - threshold * std, mean + threshold * std)),
        largest: None,
    };
    for (i, &x) in values.iter().enumerate() {
        let d = x - mean;
        if d.abs() > cut {
            let z = d / std;
            if z.abs() > threshold {
                f.rows.push(i);
                f.expected.push(mean);
                f.scores.push(z);
            }
        }
    }
    if f.rows.is_empty() {
        return None;
    }
    Some(Fast {
        mean,
        std,
        flags: f,
    })
}

/// [`iqr_flags`] with [`stats::mean_std`] from one [`stats::scan`]. `None` where the scan does
/// not apply, or nothing is flagged (the "nothing found" sentence needs the largest distance of
/// every row).
fn iqr_fast(values: &[f64], k: f64) -> Option<Fast> {
    let s = stats::scan(
        values,
        stats::Wanted {
            higher: false,
            extremes: false,
            fence_k: Some(k),
        },
    )?;
    if s.outside.is_empty() {
        return None;
    }
    let [q1, median, q3] = s.quartiles;
    let iqr = q3 - q1;
    let scores = s
        .outside
        .iter()
        .map(|&i| iqr_score(values[i], q1, q3, iqr))
        .collect();
    let f = Flags {
        expected: vec![median; s.outside.len()],
        rows: s.outside,
        scores,
        bounds: s.fences,
        largest: None,
    };
    let std = if s.n <= 1 {
        f64::NAN
    } else {
        (s.s2 / (s.n - 1) as f64).sqrt()
    };
    Some(Fast {
        mean: s.mean,
        std,
        flags: f,
    })
}

fn z_score_flags(values: &[f64], mean: f64, std: f64, threshold: f64) -> Flags {
    let mut f = Flags {
        rows: Vec::new(),
        expected: Vec::new(),
        scores: Vec::new(),
        bounds: None,
        largest: None,
    };
    if !(std.is_finite() && std > 0.0) {
        return f;
    }
    f.bounds = Some((mean - threshold * std, mean + threshold * std));
    // z is computed exactly as pandas evaluates it, (x - mean) / std, so boundary cases agree;
    // but only where it can matter. A deviation at most `cut` has |z| below the threshold
    // whatever the rounding (a division is off by at most one part in 2^53, the margin is one
    // in 10^9), and a deviation clearly below the largest seen so far cannot beat its z
    // (correctly rounded division is monotonic): on a million rows that skips nearly every
    // division, the loop's main cost.
    let cut = threshold * std * (1.0 - 1e-9);
    let mut near_best = 0.0;
    for (i, &x) in values.iter().enumerate() {
        let d = x - mean;
        let size = d.abs();
        if size > cut {
            let z = d / std;
            if z.abs() > threshold {
                f.rows.push(i);
                f.expected.push(mean);
                f.scores.push(z);
            }
        }
        if size >= near_best {
            let z = d / std;
            if z.is_finite() && f.largest.is_none_or(|(_, best)| z.abs() > best) {
                f.largest = Some((i, z.abs()));
                near_best = size * (1.0 - 1e-12);
            }
        }
    }
    f
}

fn isolation_flags(values: &[f64], threshold: f64) -> Flags {
    let scores = stats::isolation_scores(values);
    let median = stats::quantiles(values, &[0.5])[0];
    let mut f = Flags {
        rows: Vec::new(),
        expected: Vec::new(),
        scores: Vec::new(),
        bounds: None,
        largest: None,
    };
    for (i, &s) in scores.iter().enumerate() {
        if s.is_nan() {
            continue;
        }
        if s > threshold {
            f.rows.push(i);
            f.expected.push(median);
            f.scores.push(s);
        }
        if f.largest.is_none_or(|(_, best)| s > best) {
            f.largest = Some((i, s));
        }
    }
    f
}

/// How far `x` lies beyond the nearer quartile, in IQRs (negative below `q1`, 0 between the
/// quartiles or when the IQR is 0).
fn iqr_score(x: f64, q1: f64, q3: f64, iqr: f64) -> f64 {
    if iqr <= 0.0 {
        0.0
    } else if x > q3 {
        (x - q3) / iqr
    } else if x < q1 {
        (x - q1) / iqr
    } else {
        0.0
    }
}

fn iqr_flags(values: &[f64], k: f64) -> Flags {
    let mut f = Flags {
        rows: Vec::new(),
        expected: Vec::new(),
        scores: Vec::new(),
        bounds: None,
        largest: None,
    };
    let q = stats::quantiles(values, &[0.25, 0.5, 0.75]);
    let (q1, median, q3) = (q[0], q[1], q[2]);
    if !(q1.is_finite() && median.is_finite() && q3.is_finite()) {
        return f;
    }
    let iqr = q3 - q1;
    let (lo, hi) = (q1 - k * iqr, q3 + k * iqr);
    f.bounds = Some((lo, hi));
    for (i, &x) in values.iter().enumerate() {
        if x.is_nan() {
            continue;
        }
        let score = iqr_score(x, q1, q3, iqr);
        if x < lo || x > hi {
            f.rows.push(i);
            f.expected.push(median);
            f.scores.push(score);
        }
        if f.largest.is_none_or(|(_, best)| score.abs() > best) {
            f.largest = Some((i, score.abs()));
        }
    }
    f
}

/// The seasonal method's flags, the threshold it used, the period it removed and a note.
struct Seasonal {
    flags: Flags,
    threshold: f64,
    period: Option<usize>,
    note: String,
}

fn median(v: &mut [f64]) -> f64 {
    stats::quantiles_in_place(v, &[0.5])[0]
}

/// The robust decomposition of a regular series `y` (no NaN): per point, the baseline
/// level × season (or level + season) and the seasonal period used.
pub(crate) fn robust_baseline(y: &[f64], period: Option<usize>) -> Vec<f64> {
    let n = y.len();
    let m = period.unwrap_or(1);
    // About two cycles either side keeps every position of the cycle in the window with
    // equal weight, so the median is not pulled by the seasonal pattern's shape.
    let half = m.max(3);
    let mut window = Vec::with_capacity(2 * half + 1);
    let level: Vec<f64> = (0..n)
        .map(|t| {
            window.clear();
            window.extend_from_slice(&y[t.saturating_sub(half)..(t + half + 1).min(n)]);
            median(&mut window)
        })
        .collect();
    let Some(m) = period.filter(|&m| m >= 2 && n >= 2 * m) else {
        return level;
    };
    let multiplicative = y.iter().all(|v| *v > 0.0) && level.iter().all(|v| *v > 0.0);
    let mut profile = Vec::with_capacity(m);
    let mut bucket = Vec::with_capacity(n / m + 1);
    for j in 0..m {
        bucket.clear();
        bucket.extend((j..n).step_by(m).map(|t| {
            if multiplicative {
                y[t] / level[t]
            } else {
                y[t] - level[t]
            }
        }));
        profile.push(median(&mut bucket));
    }
    // Centre the profile (mean 1 or 0), so that the level keeps the series' scale.
    let centre = stats::mean(&profile);
    (0..n)
        .map(|t| {
            let s = profile[t % m];
            if multiplicative {
                level[t] * s / centre
            } else {
                level[t] + s - centre
            }
        })
        .collect()
}

fn seasonal_flags(
    values: &[f64],
    dates: &[Option<NaiveDate>],
    opts: &AnomalyOptions,
) -> Result<Seasonal, AnalysisError> {
    // Rows with both a date and a value, by date; rows of one date are summed.
    let mut rows: Vec<(NaiveDate, usize)> = dates
        .iter()
        .zip(values)
        .enumerate()
        .filter_map(|(i, (d, v))| d.filter(|_| !v.is_nan()).map(|d| (d, i)))
        .collect();
    rows.sort_by_key(|r| r.0);
    let mut distinct: Vec<NaiveDate> = rows.iter().map(|r| r.0).collect();
    distinct.dedup();
    if distinct.len() < 3 {
        return Err(AnalysisError::TooFewRows {
            needed: 3,
            got: distinct.len(),
        });
    }
    let frequency = Frequency::detect(&distinct).unwrap_or(Frequency::Day);
    let origin = distinct[0];
    let slot = |d: NaiveDate| usize::try_from(frequency.periods_between(origin, d)).unwrap_or(0);
    let len = slot(distinct[distinct.len() - 1]) + 1;
    let mut grid = vec![f64::NAN; len];
    for &(d, i) in &rows {
        let g = &mut grid[slot(d)];
        *g = if g.is_nan() {
            values[i]
        } else {
            *g + values[i]
        };
    }
    // Periods with no row are filled by interpolation for the baseline only; they are never
    // scored, since there is nothing there to be anomalous.
    let observed: Vec<bool> = grid.iter().map(|v| !v.is_nan()).collect();
    let mut prev: Option<usize> = None;
    for i in 0..len {
        if grid[i].is_nan() {
            continue;
        }
        if let Some(a) = prev {
            let (va, vb, span) = (grid[a], grid[i], (i - a) as f64);
            for (k, g) in grid[a + 1..i].iter_mut().enumerate() {
                *g = va + (vb - va) * (k + 1) as f64 / span;
            }
        }
        prev = Some(i);
    }
    let period = match opts.season_length {
        Some(m) if m >= 2 => Some(m),
        Some(_) => None,
        None => detect_period(&grid, frequency),
    };
    let baseline = robust_baseline(&grid, period);
    let residual: Vec<f64> = grid.iter().zip(&baseline).map(|(y, b)| y - b).collect();
    let mut scored: Vec<f64> = residual
        .iter()
        .zip(&observed)
        .filter(|(_, o)| **o)
        .map(|(r, _)| *r)
        .collect();
    let n_scored = scored.len();
    let centre = median(&mut scored);
    let mut deviations: Vec<f64> = scored.iter().map(|r| (r - centre).abs()).collect();
    let scale = MAD_TO_SD * median(&mut deviations);
    let threshold = opts
        .threshold
        .unwrap_or_else(|| stats::normal_isf(SEASONAL_FALSE_ALARM_RATE / (2.0 * n_scored as f64)));
    let z_of = |g: usize| {
        if scale > 0.0 {
            (residual[g] - centre) / scale
        } else {
            0.0
        }
    };
    let mut flags = Flags {
        rows: Vec::new(),
        expected: Vec::new(),
        scores: Vec::new(),
        bounds: None,
        largest: None,
    };
    let mut flagged: Vec<(usize, f64, f64)> = Vec::new();
    for &(d, i) in &rows {
        let g = slot(d);
        let z = z_of(g);
        if z.abs() > threshold {
            flagged.push((i, baseline[g] + centre, z));
        }
        if flags.largest.is_none_or(|(_, best)| z.abs() > best) {
            flags.largest = Some((i, z.abs()));
        }
    }
    flagged.sort_by_key(|f| f.0);
    for (i, e, z) in flagged {
        flags.rows.push(i);
        flags.expected.push(e);
        flags.scores.push(z);
    }
    let f = frequency;
    let mut note = match period {
        Some(m) => format!(
            "The {}-{} seasonal pattern and the local level (a rolling median) were removed first, so regular seasonal highs and lows are not flagged.",
            m,
            f.as_str()
        ),
        None => "No repeating seasonal cycle was found; values were judged against the local level (a rolling median).".to_string(),
    };
    if opts.threshold.is_none() {
        note.push_str(&format!(
            " The threshold of {} robust standard deviations is set so that {} ordinary {} would raise a false alarm only 5% of the time.",
            format::number(threshold),
            format::integer(n_scored),
            f.noun(n_scored)
        ));
    }
    let filled = len - n_scored;
    if filled > 0 {
        note.push_str(&format!(
            " {} with no data were interpolated for the baseline and not judged.",
            format::count(filled, f.as_str(), &f.noun(2))
        ));
    }
    if rows.len() > distinct.len() {
        note.push_str(
            " Rows sharing a date were added together; every row of an anomalous date is listed.",
        );
    }
    Ok(Seasonal {
        flags,
        threshold,
        period,
        note,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_numbers_read_as_to_string_does() {
        for row in [0usize, 7, 10, 99, 100, 12_345, 999_999, usize::MAX] {
            assert_eq!(row_number(row), row.to_string(), "row {row}");
        }
    }
}
