//! Forecasting a dated measure a few periods ahead: a moving average or a linear trend on the
//! period index, chosen by a holdout backtest, with 95% prediction intervals. New methods
//! (Holt-Winters, ARIMA) are new [`ForecastMethod`] variants and new arms of `Model`.

use std::str::FromStr;

use polars::prelude::DataFrame;
use serde::Serialize;

use crate::dates::Frequency;
use crate::error::AnalysisError;
use crate::format;
use crate::ser;
use crate::series::DatedSeries;
use crate::stats::{self, Z_95};

/// The window of the seed's moving average, and of `Auto`'s.
pub const DEFAULT_WINDOW: usize = 7;

/// How to forecast.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ForecastMethod {
    /// Backtest every method below on the last periods and keep the most accurate.
    #[default]
    Auto,
    /// The mean of the last `window` values, carried forward flat.
    MovingAverage { window: usize },
    /// Least squares on the period index, extended forward.
    Linear,
}

impl FromStr for ForecastMethod {
    type Err = AnalysisError;

    /// `auto`, `linear` (or `trend`, `ols`), `moving_average` (or `ma`, `sma`), optionally with
    /// a window: `ma:14`, `ma14`, `moving_average:14`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase().replace('-', "_");
        let unknown = || {
            AnalysisError::InvalidOption(format!(
                "Unknown forecast method '{s}'; choose auto, linear or moving_average (e.g. ma:7)."
            ))
        };
        match lower.as_str() {
            "auto" => return Ok(ForecastMethod::Auto),
            "linear" | "linear_trend" | "trend" | "ols" => return Ok(ForecastMethod::Linear),
            _ => {}
        }
        let name_end = lower
            .find(|c: char| c.is_ascii_digit() || c == ':')
            .unwrap_or(lower.len());
        let (name, window) = lower.split_at(name_end);
        if !matches!(name, "moving_average" | "ma" | "sma") {
            return Err(unknown());
        }
        let window = window.trim_start_matches(':');
        let window = if window.is_empty() {
            DEFAULT_WINDOW
        } else {
            window.parse().map_err(|_| unknown())?
        };
        Ok(ForecastMethod::MovingAverage { window })
    }
}

/// What to forecast.
#[derive(Debug, Clone, PartialEq)]
pub struct ForecastOptions {
    /// The column holding dates (a `Date`, date text, or integer years / `yyyymmdd`).
    pub date_column: String,
    /// The numeric column to forecast; rows sharing a date are summed.
    pub target: String,
    /// Periods to forecast (at least 1).
    pub horizon: usize,
    pub method: ForecastMethod,
    /// The period length; detected from the dates when `None`.
    pub frequency: Option<Frequency>,
}

impl ForecastOptions {
    /// `horizon` periods of `target` by `date_column`, method `Auto`, frequency detected.
    pub fn new(date_column: impl Into<String>, target: impl Into<String>, horizon: usize) -> Self {
        ForecastOptions {
            date_column: date_column.into(),
            target: target.into(),
            horizon,
            method: ForecastMethod::Auto,
            frequency: None,
        }
    }
}

/// How well the chosen model predicted the last periods when fitted without them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Backtest {
    /// Always "MAPE" (mean absolute percentage error, in percent).
    pub metric: String,
    /// `None` when the history was too short to hold periods out, or every held-out value
    /// was zero.
    #[serde(serialize_with = "ser::finite_option")]
    pub value: Option<f64>,
}

/// The `analysis_result` of a forecast (CONTRACT.md).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForecastResult {
    #[serde(serialize_with = "ser::finite_vec")]
    pub forecast: Vec<f64>,
    /// ISO dates continuing the series' frequency.
    pub forecast_dates: Vec<String>,
    /// "7-period moving average", "linear trend".
    pub model_used: String,
    pub interpretation: String,
    /// Lower and upper bounds of the 95% prediction interval; null where it cannot be
    /// estimated (two points of history).
    #[serde(serialize_with = "ser::finite_vec")]
    pub lower: Vec<f64>,
    #[serde(serialize_with = "ser::finite_vec")]
    pub upper: Vec<f64>,
    pub horizon: usize,
    pub frequency: Frequency,
    pub backtest: Backtest,
    /// The series the model saw (one value per date, sorted), for the chart.
    pub history_dates: Vec<String>,
    #[serde(serialize_with = "ser::finite_vec")]
    pub history_values: Vec<f64>,
}

/// A fitted forecasting model, internal: options name methods, models do the arithmetic.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Model {
    MovingAverage(usize),
    Linear,
}

/// Point forecasts and the half-width of their 95% prediction interval.
struct Prediction {
    point: Vec<f64>,
    half_width: Vec<f64>,
    name: String,
}

impl Model {
    /// Fits on (`x`, `y`) and predicts at `future_x` (the next periods, in order). `None`
    /// when the model cannot be fitted to this history.
    fn predict(self, x: &[f64], y: &[f64], future_x: &[f64]) -> Option<Prediction> {
        let n = y.len();
        match self {
            Model::MovingAverage(window) => {
                let w = window.min(n);
                if w == 0 {
                    return None;
                }
                let level = stats::mean(&y[n - w..]);
                let sigma = moving_average_sigma(y, w);
                let half_width = (1..=future_x.len())
                    .map(|h| Z_95 * sigma * (h as f64).sqrt())
                    .collect();
                Some(Prediction {
                    point: vec![level; future_x.len()],
                    half_width,
                    name: format!("{w}-period moving average"),
                })
            }
            Model::Linear => {
                let fit = stats::linregress(x, y)?;
                let (point, half_width) = future_x
                    .iter()
                    .map(|&xf| {
                        let spread = 1.0 + 1.0 / n as f64 + (xf - fit.x_mean).powi(2) / fit.sxx;
                        (fit.predict(xf), Z_95 * fit.residual_std * spread.sqrt())
                    })
                    .unzip();
                Some(Prediction {
                    point,
                    half_width,
                    name: "linear trend".to_string(),
                })
            }
        }
    }
}

/// The spread of one-step moving-average errors: the root mean square of
/// `y[t] - mean(y[t-w..t])` over the history; the sample standard deviation of `y` when the
/// history is no longer than the window.
fn moving_average_sigma(y: &[f64], w: usize) -> f64 {
    let n = y.len();
    if n <= w {
        return stats::mean_std(y).1;
    }
    let mut window_sum: f64 = y[..w].iter().sum();
    let mut sum_sq = 0.0;
    for t in w..n {
        let e = y[t] - window_sum / w as f64;
        sum_sq += e * e;
        window_sum += y[t] - y[t - w];
    }
    (sum_sq / (n - w) as f64).sqrt()
}

/// Mean absolute percentage error (percent) over the points whose actual value is not zero.
fn mape(actual: &[f64], predicted: &[f64]) -> Option<f64> {
    let (sum, count) = actual
        .iter()
        .zip(predicted)
        .filter(|(a, _)| **a != 0.0)
        .fold((0.0, 0usize), |(s, c), (a, p)| {
            (s + ((a - p) / a).abs(), c + 1)
        });
    (count > 0).then(|| sum / count as f64 * 100.0)
}

/// MAPE of `model` fitted on all but the last `holdout` points and predicting them.
fn backtest(model: Model, s: &DatedSeries, holdout: usize) -> Option<f64> {
    let n = s.len();
    if holdout == 0 || n < holdout + 2 {
        return None;
    }
    let cut = n - holdout;
    let p = model.predict(&s.periods[..cut], &s.values[..cut], &s.periods[cut..])?;
    mape(&s.values[cut..], &p.point)
}

/// Forecasts `opts.target` `opts.horizon` periods past the last date.
pub fn forecast(df: &DataFrame, opts: &ForecastOptions) -> Result<ForecastResult, AnalysisError> {
    if opts.horizon == 0 {
        return Err(AnalysisError::InvalidOption(
            "The forecast horizon must be at least one period.".to_string(),
        ));
    }
    let candidates = match opts.method {
        ForecastMethod::Auto => vec![Model::MovingAverage(DEFAULT_WINDOW), Model::Linear],
        ForecastMethod::MovingAverage { window: 0 } => {
            return Err(AnalysisError::InvalidOption(
                "A moving average needs a window of at least one period.".to_string(),
            ));
        }
        ForecastMethod::MovingAverage { window } => vec![Model::MovingAverage(window)],
        ForecastMethod::Linear => vec![Model::Linear],
    };
    let s = DatedSeries::from_frame(df, &opts.date_column, &opts.target, opts.frequency)?;
    let n = s.len();
    if n < 2 {
        return Err(AnalysisError::TooFewRows { needed: 2, got: n });
    }
    let holdout = opts.horizon.min(n / 4);
    let scored: Vec<(Model, Option<f64>)> = candidates
        .iter()
        .map(|&m| (m, backtest(m, &s, holdout)))
        .collect();
    // Lowest MAPE wins; a model that could not be scored ranks last; ties keep list order.
    let rank = |score: Option<f64>| score.unwrap_or(f64::INFINITY);
    let mut ranked = scored.clone();
    ranked.sort_by(|a, b| rank(a.1).total_cmp(&rank(b.1)));

    let last_period = s.periods.last().copied().unwrap_or(0.0);
    let future_x: Vec<f64> = (1..=opts.horizon).map(|k| last_period + k as f64).collect();
    // The moving average always fits, so it is the fallback when the line cannot be drawn
    // (every date in one period).
    let (model, score, prediction) = ranked
        .iter()
        .chain(std::iter::once(&(
            Model::MovingAverage(DEFAULT_WINDOW),
            None,
        )))
        .find_map(|&(m, score)| {
            m.predict(&s.periods, &s.values, &future_x)
                .map(|p| (m, score, p))
        })
        .ok_or(AnalysisError::TooFewRows { needed: 2, got: n })?;

    let last_date = s
        .dates
        .last()
        .copied()
        .ok_or(AnalysisError::TooFewRows { needed: 2, got: 0 })?;
    let forecast_dates = (1..=opts.horizon)
        .map(|k| {
            u32::try_from(k)
                .ok()
                .and_then(|k| s.frequency.step(last_date, k))
                .map(|d| d.to_string())
        })
        .collect::<Option<Vec<String>>>()
        .ok_or_else(|| {
            AnalysisError::InvalidOption(format!(
                "A horizon of {} {} runs past the last representable date.",
                opts.horizon,
                s.frequency.noun(opts.horizon)
            ))
        })?;

    let lower: Vec<f64> = prediction
        .point
        .iter()
        .zip(&prediction.half_width)
        .map(|(p, h)| p - h)
        .collect();
    let upper: Vec<f64> = prediction
        .point
        .iter()
        .zip(&prediction.half_width)
        .map(|(p, h)| p + h)
        .collect();

    let interpretation = interpret(&Reading {
        opts,
        series: &s,
        model,
        prediction: &prediction,
        forecast_dates: &forecast_dates,
        lower: &lower,
        upper: &upper,
        holdout,
        score,
        scored: &scored,
    });

    Ok(ForecastResult {
        forecast: prediction.point,
        forecast_dates,
        model_used: prediction.name,
        interpretation,
        lower,
        upper,
        horizon: opts.horizon,
        frequency: s.frequency,
        backtest: Backtest {
            metric: "MAPE".to_string(),
            value: score,
        },
        history_dates: s.iso_dates(),
        history_values: s.values,
    })
}

/// Everything the interpretation talks about.
struct Reading<'a> {
    opts: &'a ForecastOptions,
    series: &'a DatedSeries,
    model: Model,
    prediction: &'a Prediction,
    forecast_dates: &'a [String],
    lower: &'a [f64],
    upper: &'a [f64],
    holdout: usize,
    score: Option<f64>,
    scored: &'a [(Model, Option<f64>)],
}

fn interpret(r: &Reading<'_>) -> String {
    let s = r.series;
    let f = s.frequency;
    let h = r.opts.horizon;
    let target = &r.opts.target;
    let point = &r.prediction.point;
    let average = stats::mean(point);
    let mut out = String::new();
    let span = match (r.forecast_dates.first(), r.forecast_dates.last()) {
        (Some(a), Some(b)) if h > 1 => format!("{a} to {b}"),
        (Some(a), _) => a.clone(),
        _ => String::new(),
    };
    out.push_str(&format!(
        "Forecast of {target} for the next {} ({span}) with a {} of {} {} values: ",
        format::count(h, f.as_str(), &f.noun(2)),
        r.prediction.name,
        format::integer(s.len()),
        f.adjective(),
    ));
    match r.model {
        Model::MovingAverage(_) => {
            out.push_str(&format!("{} per {f}.", format::number(average)));
        }
        Model::Linear => {
            let first = point.first().copied().unwrap_or(f64::NAN);
            let last = point.last().copied().unwrap_or(f64::NAN);
            if h > 1 {
                out.push_str(&format!(
                    "from {} to {}, {} on average.",
                    format::number(first),
                    format::number(last),
                    format::number(average)
                ));
            } else {
                out.push_str(&format!("{}.", format::number(first)));
            }
        }
    }
    if let (Some(lo), Some(hi)) = (r.lower.first(), r.upper.first())
        && lo.is_finite()
        && hi.is_finite()
    {
        out.push_str(&format!(
            " The 95% prediction interval for the first {f} is {} to {}.",
            format::number(*lo),
            format::number(*hi)
        ));
    }
    match r.score {
        Some(m) => {
            out.push_str(&format!(
                " Held back, the last {} were predicted with a mean absolute percentage error of {}",
                format::count(r.holdout, f.as_str(), &f.noun(2)),
                format::percent(m)
            ));
            let others: Vec<String> = r
                .scored
                .iter()
                .filter(|(m2, _)| *m2 != r.model)
                .filter_map(|(m2, sc)| sc.map(|v| format!("{} {}", model_label(*m2), format::percent(v))))
                .collect();
            if others.is_empty() {
                out.push('.');
            } else {
                out.push_str(&format!(" (against {}).", format::list(&others)));
            }
        }
        None if r.holdout == 0 => out.push_str(&format!(
            " The history is too short to check accuracy by holding periods back (at least 4 {} are needed).",
            f.noun(4)
        )),
        None => out.push_str(" Accuracy could not be checked: the held-back values are all zero."),
    }
    let notes = s.preparation_notes(target, &r.opts.date_column);
    if !notes.is_empty() {
        out.push(' ');
        out.push_str(&notes);
    }
    out
}

fn model_label(m: Model) -> String {
    match m {
        Model::MovingAverage(w) => format!("{w}-period moving average"),
        Model::Linear => "linear trend".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_names_parse() {
        let cases = [
            ("auto", ForecastMethod::Auto),
            ("Linear", ForecastMethod::Linear),
            ("trend", ForecastMethod::Linear),
            (
                "moving_average",
                ForecastMethod::MovingAverage { window: 7 },
            ),
            (
                "moving-average:3",
                ForecastMethod::MovingAverage { window: 3 },
            ),
            ("ma14", ForecastMethod::MovingAverage { window: 14 }),
            ("sma:30", ForecastMethod::MovingAverage { window: 30 }),
        ];
        for (text, want) in cases {
            assert_eq!(
                text.parse::<ForecastMethod>().ok(),
                Some(want),
                "{text:?} should parse"
            );
        }
        for bad in ["arima", "ma:x", "movingaverage"] {
            assert!(
                bad.parse::<ForecastMethod>().is_err(),
                "{bad:?} is not a method"
            );
        }
    }

    #[test]
    fn mape_skips_zero_actuals() {
        assert_eq!(
            mape(&[100.0, 0.0, 50.0], &[110.0, 5.0, 45.0]),
            Some(10.0),
            "10% and 10%"
        );
        assert_eq!(mape(&[0.0], &[1.0]), None, "only zero actuals: no MAPE");
    }

    #[test]
    fn moving_average_sigma_is_the_rms_of_one_step_errors() {
        // Window 2 over 1, 3, 2, 6: errors 2-2=0 and 6-2.5=3.5 → sqrt((0 + 12.25) / 2).
        let got = moving_average_sigma(&[1.0, 3.0, 2.0, 6.0], 2);
        assert!((got - (12.25f64 / 2.0).sqrt()).abs() < 1e-15, "got {got}");
    }
}
