//! Forecasting a dated measure a few periods ahead. Methods: a moving average (the seed's
//! baseline), a linear trend on the period index, seasonal naive, and exponential smoothing
//! (simple, Holt's, damped, and Holt-Winters with additive or multiplicative seasonality; see
//! [`crate::stats::smoothing`]). `Auto` picks the candidate with the lowest mean absolute
//! percentage error in a rolling-origin backtest: from each of the last origins of the history
//! (three seasonal cycles of them), the model forecasts the periods that followed.
//!
//! The seasonal period comes from the calendar (7 for daily data, 12 for monthly, 4 for
//! quarterly, 52 for weekly) and is kept only when the autocorrelation of the detrended series
//! confirms it ([`crate::stats::seasonality::detect_period`]), unless the caller sets it.
//! Models need one value per period: periods with no row are filled by linear interpolation
//! between their neighbours (never with zero), and the interpretation says how many.

use std::str::FromStr;

use polars::prelude::DataFrame;
use serde::Serialize;

use crate::dates::Frequency;
use crate::error::AnalysisError;
use crate::format;
use crate::ser;
use crate::series::DatedSeries;
use crate::stats::seasonality::{calendar_period, detect_period};
use crate::stats::smoothing::{
    HoltWintersFit, HoltWintersSpec, SeasonalKind, TrendKind, holt_winters, holt_winters_from,
};
use crate::stats::{self, Z_95};

/// The window of the seed's moving average, and of `Auto`'s.
pub const DEFAULT_WINDOW: usize = 7;

/// Seasonal cycles (or, without one, periods) of forecast origins in the rolling backtest.
const CYCLES_OF_ORIGINS: usize = 3;

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
    /// The value one seasonal cycle earlier.
    SeasonalNaive,
    /// Exponential smoothing with the given trend and seasonality (seasonality needs a
    /// seasonal period: detected, or set with `season_length`).
    ExponentialSmoothing {
        trend: TrendKind,
        seasonal: SeasonalKind,
    },
}

impl FromStr for ForecastMethod {
    type Err = AnalysisError;

    /// `auto`, `linear` (or `trend`, `ols`), `moving_average` (or `ma`, `sma`) optionally with
    /// a window (`ma:14`, `ma14`), `seasonal_naive` (`snaive`), `ses`, `holt`, `holt_damped`,
    /// `holt_winters` (`hw`, additive trend and seasonality), `hw_mul`, `hw_damped`,
    /// `hw_damped_mul`, `hw_no_trend`, `hw_no_trend_mul`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase().replace('-', "_");
        let unknown = || {
            AnalysisError::InvalidOption(format!(
                "Unknown forecast method '{s}'; choose auto, linear, moving_average (e.g. ma:7), \
                 seasonal_naive, ses, holt, holt_damped, holt_winters (hw), hw_mul, hw_damped or \
                 hw_damped_mul."
            ))
        };
        let es = |trend, seasonal| Ok(ForecastMethod::ExponentialSmoothing { trend, seasonal });
        use SeasonalKind as S;
        use TrendKind as T;
        match lower.as_str() {
            "auto" => return Ok(ForecastMethod::Auto),
            "linear" | "linear_trend" | "trend" | "ols" => return Ok(ForecastMethod::Linear),
            "seasonal_naive" | "snaive" | "naive_seasonal" => {
                return Ok(ForecastMethod::SeasonalNaive);
            }
            "ses" | "simple_exponential_smoothing" | "exponential_smoothing" => {
                return es(T::None, S::None);
            }
            "holt" | "holt_linear" => return es(T::Additive, S::None),
            "holt_damped" | "damped" => return es(T::Damped, S::None),
            "holt_winters" | "hw" | "hw_add" | "holt_winters_additive" => {
                return es(T::Additive, S::Additive);
            }
            "hw_mul" | "holt_winters_multiplicative" => return es(T::Additive, S::Multiplicative),
            "hw_damped" | "hw_damped_add" => return es(T::Damped, S::Additive),
            "hw_damped_mul" => return es(T::Damped, S::Multiplicative),
            "hw_no_trend" | "hw_no_trend_add" => return es(T::None, S::Additive),
            "hw_no_trend_mul" => return es(T::None, S::Multiplicative),
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
    /// Periods per seasonal cycle; detected when `None`; `Some(0)` or `Some(1)` means "no
    /// seasonality".
    pub season_length: Option<usize>,
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
            season_length: None,
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
    /// "7-period moving average", "linear trend", "seasonal naive (period 7)",
    /// "Holt-Winters (additive trend, multiplicative seasonality, period 12)", ...
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
    /// Periods per seasonal cycle the models used; null when the data showed no cycle.
    pub seasonal_period: Option<usize>,
    /// Periods with no data inside the history, filled by linear interpolation for the models.
    pub filled_periods: usize,
    /// Backtest MAPE of every candidate `Auto` compared (one entry for an explicit method);
    /// null where a candidate could not be backtested.
    pub candidates: Vec<CandidateScore>,
}

/// One backtested model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CandidateScore {
    pub model: String,
    #[serde(serialize_with = "ser::finite_option")]
    pub mape: Option<f64>,
}

/// A forecasting model, internal: options name methods, models do the arithmetic.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Model {
    MovingAverage(usize),
    Linear,
    SeasonalNaive(usize),
    Smoothing(HoltWintersSpec),
}

/// Point forecasts and the half-width of their 95% prediction interval.
struct Prediction {
    point: Vec<f64>,
    half_width: Vec<f64>,
}

impl Model {
    /// Fits on `y` (one value per period, no gaps) and predicts the next `h` periods. `None`
    /// when the model cannot be fitted to this history.
    fn predict(self, y: &[f64], h: usize) -> Option<Prediction> {
        self.predict_after(y, h, None)
    }

    /// [`Model::predict`], with the backtest's fit of the same model (on the start of `y`) to
    /// start exponential smoothing's search from.
    fn predict_after(
        self,
        y: &[f64],
        h: usize,
        earlier: Option<&HoltWintersFit>,
    ) -> Option<Prediction> {
        let n = y.len();
        match self {
            Model::MovingAverage(window) => {
                let w = window.min(n);
                if w == 0 {
                    return None;
                }
                let level = stats::mean(&y[n - w..]);
                let sigma = moving_average_sigma(y, w);
                let half_width = (1..=h).map(|k| Z_95 * sigma * (k as f64).sqrt()).collect();
                Some(Prediction {
                    point: vec![level; h],
                    half_width,
                })
            }
            Model::Linear => {
                let x: Vec<f64> = (0..n).map(|i| i as f64).collect();
                let fit = stats::linregress(&x, y)?;
                let (point, half_width) = (1..=h)
                    .map(|k| {
                        let xf = (n - 1 + k) as f64;
                        let spread = 1.0 + 1.0 / n as f64 + (xf - fit.x_mean).powi(2) / fit.sxx;
                        (fit.predict(xf), Z_95 * fit.residual_std * spread.sqrt())
                    })
                    .unzip();
                Some(Prediction { point, half_width })
            }
            Model::SeasonalNaive(m) => {
                if m == 0 || n < m + 1 {
                    return None;
                }
                // Residuals are the seasonal differences; the k-step error adds one per
                // completed cycle ahead (Hyndman & Athanasopoulos, FPP3 §5.5, Table 5.2).
                let diffs: Vec<f64> = (m..n).map(|t| y[t] - y[t - m]).collect();
                let sigma = (diffs.iter().map(|d| d * d).sum::<f64>() / diffs.len() as f64).sqrt();
                let (point, half_width) = (1..=h)
                    .map(|k| {
                        let cycles = (k - 1) / m + 1;
                        (
                            y[n - m + (k - 1) % m],
                            Z_95 * sigma * (cycles as f64).sqrt(),
                        )
                    })
                    .unzip();
                Some(Prediction { point, half_width })
            }
            Model::Smoothing(spec) => {
                let fit = match earlier {
                    Some(e) => holt_winters_from(y, spec, e)?,
                    None => holt_winters(y, spec)?,
                };
                let point = fit.forecast(h);
                if point.iter().any(|v| !v.is_finite()) {
                    return None;
                }
                Some(Prediction {
                    half_width: fit.half_widths(h, Z_95),
                    point,
                })
            }
        }
    }

    /// The shortest history the model can be fitted to.
    fn min_history(self) -> usize {
        match self {
            Model::MovingAverage(_) => 1,
            Model::Linear => 2,
            Model::SeasonalNaive(m) => m + 1,
            Model::Smoothing(spec) => spec.min_len(),
        }
    }

    fn label(self) -> String {
        match self {
            Model::MovingAverage(w) => format!("{w}-period moving average"),
            Model::Linear => "linear trend".to_string(),
            Model::SeasonalNaive(m) => format!("seasonal naive (period {m})"),
            Model::Smoothing(spec) => spec.describe(),
        }
    }

    /// The label of the model as it runs on `n` points (a window longer than the history
    /// shrinks to it).
    fn label_for(self, n: usize) -> String {
        match self {
            Model::MovingAverage(w) => format!("{}-period moving average", w.min(n)),
            other => other.label(),
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
#[cfg(test)]
fn mape(actual: &[f64], predicted: &[f64]) -> Option<f64> {
    let (sum, count) = mape_terms(actual, predicted);
    (count > 0).then(|| sum / count as f64 * 100.0)
}

fn mape_terms(actual: &[f64], predicted: &[f64]) -> (f64, usize) {
    actual
        .iter()
        .zip(predicted)
        .filter(|(a, _)| **a != 0.0)
        .fold((0.0, 0usize), |(s, c), (a, p)| {
            (s + ((a - p) / a).abs(), c + 1)
        })
}

/// The rolling-origin plan (Tashman 2000): from every origin `o` in `origins`, forecast
/// `y[o..o + step]` from `y[..o]`. `step` is the horizon, at most a quarter of the history.
/// There are three seasonal cycles of origins (so every position in the cycle is an origin
/// three times), or three without a cycle, and at least `step`; the earliest origin leaves at
/// least half of the history to fit on.
#[derive(Debug, Clone, PartialEq)]
struct Folds {
    step: usize,
    origins: Vec<usize>,
}

fn folds(n: usize, horizon: usize, period: Option<usize>, min_origin: usize) -> Folds {
    let step = horizon.min(n / 4);
    let none = Folds {
        step,
        origins: Vec::new(),
    };
    if step == 0 {
        return none;
    }
    let wanted = (CYCLES_OF_ORIGINS * period.unwrap_or(1)).max(step);
    let first_allowed = n.div_ceil(2).max(2).max(min_origin);
    let last = n - step;
    if last < first_allowed {
        return none;
    }
    let count = wanted.min(last - first_allowed + 1);
    Folds {
        step,
        origins: (last + 1 - count..=last).collect(),
    }
}

/// Pooled MAPE of `model` over the plan: every held-out point of every origin counts once.
/// Exponential smoothing is fitted once, on the history before the first origin, and its states
/// are then updated through each origin with those parameters; the other models are refitted
/// at each origin (they have nothing costly to fit). The MAPE is `None` when the model cannot
/// be fitted, or every held-out value is zero; the smoothing fit is returned too, as a starting
/// point for the fit on the whole history.
fn backtest(model: Model, y: &[f64], plan: &Folds) -> (Option<f64>, Option<HoltWintersFit>) {
    let fitted = match (model, plan.origins.first()) {
        (Model::Smoothing(spec), Some(&first)) => match holt_winters(&y[..first], spec) {
            Some(fit) => Some(fit),
            None => return (None, None),
        },
        _ => None,
    };
    let score = pooled_mape(model, y, plan, fitted.as_ref());
    (score, fitted)
}

fn pooled_mape(
    model: Model,
    y: &[f64],
    plan: &Folds,
    fitted: Option<&HoltWintersFit>,
) -> Option<f64> {
    plan.origins.first()?;
    let step = plan.step;
    let (mut sum, mut count) = (0.0, 0usize);
    for &o in &plan.origins {
        let point = match fitted {
            Some(fit) => fit.forecast_after(&y[..o], step),
            None => model.predict(&y[..o], step)?.point,
        };
        if point.iter().any(|v| !v.is_finite()) {
            return None;
        }
        let (s, c) = mape_terms(&y[o..o + step], &point);
        sum += s;
        count += c;
    }
    (count > 0).then(|| sum / count as f64 * 100.0)
}

/// One value per period from the first to the last date: the observed values where there are
/// rows (periods holding several dates are summed), linear interpolation between neighbours
/// elsewhere. Returns the grid and the number of filled periods.
fn regular_grid(s: &DatedSeries) -> (Vec<f64>, usize) {
    let Some(&first) = s.periods.first() else {
        return (Vec::new(), 0);
    };
    let last = s.periods.last().copied().unwrap_or(first);
    let len = (last - first) as usize + 1;
    let mut grid = vec![f64::NAN; len];
    for (p, v) in s.periods.iter().zip(&s.values) {
        let i = (p - first) as usize;
        grid[i] = if grid[i].is_nan() { *v } else { grid[i] + v };
    }
    let mut filled = 0;
    let mut prev: Option<usize> = None;
    for i in 0..len {
        if grid[i].is_nan() {
            continue;
        }
        if let Some(a) = prev
            && i > a + 1
        {
            let (va, vb) = (grid[a], grid[i]);
            let span = (i - a) as f64;
            for (k, g) in grid[a + 1..i].iter_mut().enumerate() {
                *g = va + (vb - va) * (k + 1) as f64 / span;
                filled += 1;
            }
        }
        prev = Some(i);
    }
    (grid, filled)
}

/// The smoothing variants to compare: with a seasonal period, Holt-Winters with no, additive
/// and damped trend, each with additive and (for positive data) multiplicative seasonality;
/// without, simple, Holt's and damped Holt's smoothing.
fn smoothing_candidates(period: Option<usize>, positive: bool) -> Vec<HoltWintersSpec> {
    let trends = [TrendKind::None, TrendKind::Additive, TrendKind::Damped];
    let mut out = Vec::new();
    match period {
        Some(m) => {
            for trend in trends {
                out.push(HoltWintersSpec {
                    trend,
                    seasonal: SeasonalKind::Additive,
                    period: m,
                });
                if positive {
                    out.push(HoltWintersSpec {
                        trend,
                        seasonal: SeasonalKind::Multiplicative,
                        period: m,
                    });
                }
            }
        }
        None => {
            for trend in trends {
                out.push(HoltWintersSpec {
                    trend,
                    seasonal: SeasonalKind::None,
                    period: 1,
                });
            }
        }
    }
    out
}

/// The seasonal period the models use, and how it was decided (for the interpretation).
fn seasonal_period(
    opts: &ForecastOptions,
    y: &[f64],
    frequency: Frequency,
) -> Result<(Option<usize>, PeriodSource), AnalysisError> {
    if let Some(m) = opts.season_length {
        return Ok(if m <= 1 {
            (None, PeriodSource::Given)
        } else {
            (Some(m), PeriodSource::Given)
        });
    }
    let detected = detect_period(y, frequency);
    let wants_season = matches!(
        opts.method,
        ForecastMethod::SeasonalNaive
            | ForecastMethod::ExponentialSmoothing {
                seasonal: SeasonalKind::Additive | SeasonalKind::Multiplicative,
                ..
            }
    );
    match (detected, wants_season) {
        (Some(m), _) => Ok((Some(m), PeriodSource::Detected)),
        // The caller asked for a seasonal model: use the calendar's cycle even if the
        // autocorrelation did not confirm it, and say so.
        (None, true) => match calendar_period(frequency) {
            Some(m) => Ok((Some(m), PeriodSource::Calendar)),
            None => Err(AnalysisError::InvalidOption(format!(
                "A seasonal model needs a seasonal cycle, and {} data has none by default; \
                 set the season length or choose a non-seasonal method.",
                frequency.adjective()
            ))),
        },
        (None, false) => Ok((None, PeriodSource::NotFound)),
    }
}

/// How the seasonal period was decided.
#[derive(Debug, Clone, Copy, PartialEq)]
enum PeriodSource {
    Given,
    Detected,
    Calendar,
    NotFound,
}

/// Forecasts `opts.target` `opts.horizon` periods past the last date.
pub fn forecast(df: &DataFrame, opts: &ForecastOptions) -> Result<ForecastResult, AnalysisError> {
    if opts.horizon == 0 {
        return Err(AnalysisError::InvalidOption(
            "The forecast horizon must be at least one period.".to_string(),
        ));
    }
    if let ForecastMethod::MovingAverage { window: 0 } = opts.method {
        return Err(AnalysisError::InvalidOption(
            "A moving average needs a window of at least one period.".to_string(),
        ));
    }
    let s = DatedSeries::from_frame(df, &opts.date_column, &opts.target, opts.frequency)?;
    let n_obs = s.len();
    if n_obs < 2 {
        return Err(AnalysisError::TooFewRows {
            needed: 2,
            got: n_obs,
        });
    }
    let (y, filled) = regular_grid(&s);
    let n = y.len();
    let (period, period_source) = seasonal_period(opts, &y, s.frequency)?;
    let positive = y.iter().all(|v| *v > 0.0);

    let candidates: Vec<Model> = match opts.method {
        ForecastMethod::Auto => {
            let mut c = vec![Model::MovingAverage(DEFAULT_WINDOW), Model::Linear];
            if let Some(m) = period {
                c.push(Model::SeasonalNaive(m));
            }
            c.extend(
                smoothing_candidates(period, positive)
                    .into_iter()
                    .map(Model::Smoothing),
            );
            c
        }
        ForecastMethod::MovingAverage { window } => vec![Model::MovingAverage(window)],
        ForecastMethod::Linear => vec![Model::Linear],
        ForecastMethod::SeasonalNaive => match period {
            Some(m) => vec![Model::SeasonalNaive(m)],
            None => {
                return Err(AnalysisError::InvalidOption(
                    "Seasonal naive needs a season length of at least 2 periods.".to_string(),
                ));
            }
        },
        ForecastMethod::ExponentialSmoothing { trend, seasonal } => {
            let spec = HoltWintersSpec {
                trend,
                seasonal: if period.is_some() {
                    seasonal
                } else {
                    SeasonalKind::None
                },
                period: period.unwrap_or(1),
            };
            if spec.seasonal == SeasonalKind::Multiplicative && !positive {
                return Err(AnalysisError::InvalidOption(format!(
                    "Multiplicative seasonality needs every value of {} above zero; choose \
                     additive seasonality (hw) instead.",
                    opts.target
                )));
            }
            if n < spec.min_len() {
                return Err(AnalysisError::TooFewRows {
                    needed: spec.min_len(),
                    got: n,
                });
            }
            vec![Model::Smoothing(spec)]
        }
    };

    // Origins start where every candidate can be fitted, so all are scored on the same
    // periods; when that leaves none, the demanding ones (two seasonal cycles) go unscored.
    let needed = candidates
        .iter()
        .map(|m| m.min_history())
        .max()
        .unwrap_or(2);
    let mut plan = folds(n, opts.horizon, period, needed);
    if plan.origins.is_empty() {
        plan = folds(n, opts.horizon, period, 2);
    }
    let backtests: Vec<(Option<f64>, Option<HoltWintersFit>)> =
        candidates.iter().map(|&m| backtest(m, &y, &plan)).collect();
    let scored: Vec<(Model, Option<f64>)> = candidates
        .iter()
        .zip(&backtests)
        .map(|(&m, b)| (m, b.0))
        .collect();
    let earlier_fit = |m: Model| {
        candidates
            .iter()
            .position(|&c| c == m)
            .and_then(|i| backtests[i].1.as_ref())
    };
    // Lowest MAPE wins; a model that could not be scored ranks last; ties keep list order
    // (the seed's moving average first).
    let rank = |score: Option<f64>| score.unwrap_or(f64::INFINITY);
    let mut ranked = scored.clone();
    ranked.sort_by(|a, b| rank(a.1).total_cmp(&rank(b.1)));

    // The moving average always fits, so it is the fallback when nothing else can be fitted
    // to the whole history.
    let (model, score, prediction) = ranked
        .iter()
        .chain(std::iter::once(&(
            Model::MovingAverage(DEFAULT_WINDOW),
            None,
        )))
        .find_map(|&(m, score)| {
            m.predict_after(&y, opts.horizon, earlier_fit(m))
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
        n,
        model,
        prediction: &prediction,
        forecast_dates: &forecast_dates,
        lower: &lower,
        upper: &upper,
        plan: &plan,
        score,
        scored: &scored,
        period,
        period_source,
        filled,
    });

    Ok(ForecastResult {
        forecast: prediction.point,
        forecast_dates,
        model_used: model.label_for(n),
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
        seasonal_period: period,
        filled_periods: filled,
        candidates: scored
            .iter()
            .map(|(m, sc)| CandidateScore {
                model: m.label_for(n),
                mape: *sc,
            })
            .collect(),
    })
}

/// Everything the interpretation talks about.
struct Reading<'a> {
    opts: &'a ForecastOptions,
    series: &'a DatedSeries,
    /// Periods the models saw (observed and filled).
    n: usize,
    model: Model,
    prediction: &'a Prediction,
    forecast_dates: &'a [String],
    lower: &'a [f64],
    upper: &'a [f64],
    plan: &'a Folds,
    score: Option<f64>,
    scored: &'a [(Model, Option<f64>)],
    period: Option<usize>,
    period_source: PeriodSource,
    /// Periods filled by interpolation.
    filled: usize,
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
        r.model.label_for(r.n),
        format::integer(s.len()),
        f.adjective(),
    ));
    let first = point.first().copied().unwrap_or(f64::NAN);
    let last = point.last().copied().unwrap_or(f64::NAN);
    match r.model {
        Model::MovingAverage(_) => {
            out.push_str(&format!("{} per {f}.", format::number(average)));
        }
        _ if h > 1 => {
            out.push_str(&format!(
                "from {} to {}, {} on average.",
                format::number(first),
                format::number(last),
                format::number(average)
            ));
        }
        _ => out.push_str(&format!("{}.", format::number(first))),
    }
    match (r.period, r.period_source) {
        (Some(m), PeriodSource::Detected) => out.push_str(&format!(
            " The data repeats every {} (autocorrelation at lag {m}), so seasonal models were compared too.",
            format::count(m, f.as_str(), &f.noun(2)),
        )),
        (Some(m), PeriodSource::Calendar) => out.push_str(&format!(
            " The seasonal cycle of {} is the calendar's; the data itself shows no clear cycle of that length.",
            format::count(m, f.as_str(), &f.noun(2)),
        )),
        (Some(m), PeriodSource::Given) => out.push_str(&format!(
            " Seasonal cycle: {} (as given).",
            format::count(m, f.as_str(), &f.noun(2)),
        )),
        (None, PeriodSource::NotFound) if calendar_period(f).is_some() => out.push_str(
            " No repeating seasonal cycle was found, so only non-seasonal models were used.",
        ),
        _ => {}
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
            let origins = r.plan.origins.len();
            let checked = if origins > 1 {
                format!(
                    "Forecasting the next {} from each of the last {origins} {} of the history (without the data that followed)",
                    format::count(r.plan.step, f.as_str(), &f.noun(2)),
                    f.noun(origins),
                )
            } else {
                format!(
                    "Held back, the last {}",
                    format::count(r.plan.step, f.as_str(), &f.noun(2)),
                )
            };
            out.push_str(&format!(
                " {checked}, it was off by a mean absolute percentage error of {}",
                format::percent(m)
            ));
            let mut others: Vec<(f64, String)> = r
                .scored
                .iter()
                .filter(|(m2, _)| *m2 != r.model)
                .filter_map(|(m2, sc)| sc.map(|v| (v, format!("{} {}", m2.label(), format::percent(v)))))
                .collect();
            others.sort_by(|a, b| a.0.total_cmp(&b.0));
            const SHOWN: usize = 3;
            let names: Vec<String> = others.iter().take(SHOWN).map(|o| o.1.clone()).collect();
            if names.is_empty() {
                out.push('.');
            } else {
                let lead = if others.len() > SHOWN { "the next best: " } else { "against " };
                out.push_str(&format!(" ({lead}{}).", format::list(&names)));
            }
        }
        None if r.plan.origins.is_empty() => out.push_str(&format!(
            " The history is too short to check accuracy by holding periods back (at least 4 {} are needed).",
            f.noun(4)
        )),
        None => out.push_str(" Accuracy could not be checked: the held-back values are all zero."),
    }
    let notes = s.preparation_notes(target, &r.opts.date_column, r.filled > 0);
    if !notes.is_empty() {
        out.push(' ');
        out.push_str(&notes);
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed fit in a unit test should stop the test
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
        for (text, trend, seasonal) in [
            ("hw", TrendKind::Additive, SeasonalKind::Additive),
            ("holt-winters", TrendKind::Additive, SeasonalKind::Additive),
            ("hw_mul", TrendKind::Additive, SeasonalKind::Multiplicative),
            (
                "hw_damped_mul",
                TrendKind::Damped,
                SeasonalKind::Multiplicative,
            ),
            ("ses", TrendKind::None, SeasonalKind::None),
            ("holt_damped", TrendKind::Damped, SeasonalKind::None),
        ] {
            assert_eq!(
                text.parse::<ForecastMethod>().ok(),
                Some(ForecastMethod::ExponentialSmoothing { trend, seasonal }),
                "{text:?} should parse"
            );
        }
        assert_eq!(
            "snaive".parse::<ForecastMethod>().ok(),
            Some(ForecastMethod::SeasonalNaive)
        );
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
    fn origins_cover_three_cycles_and_keep_half_the_history() {
        assert_eq!(
            folds(40, 5, None, 2),
            Folds {
                step: 5,
                origins: vec![31, 32, 33, 34, 35]
            },
            "at least one origin per step of the horizon"
        );
        assert_eq!(
            folds(100, 3, Some(12), 24).origins,
            (62..=97).collect::<Vec<_>>(),
            "three yearly cycles of monthly origins"
        );
        assert_eq!(
            folds(16, 4, Some(12), 2).origins,
            vec![8, 9, 10, 11, 12],
            "no origin before half of the history"
        );
        assert_eq!(
            folds(36, 6, Some(12), 24).origins,
            (24..=30).collect::<Vec<_>>(),
            "no origin before the most demanding model can be fitted"
        );
        assert!(
            folds(3, 2, None, 2).origins.is_empty(),
            "too short to hold anything back"
        );
    }

    #[test]
    fn seasonal_naive_repeats_the_last_cycle() {
        let y = [1.0, 2.0, 3.0, 1.5, 2.5, 3.5];
        let p = Model::SeasonalNaive(3).predict(&y, 4).unwrap();
        assert_eq!(p.point, vec![1.5, 2.5, 3.5, 1.5]);
        // Seasonal differences are all 0.5: sigma 0.5; the 4th step is in the second cycle.
        assert!((p.half_width[0] - Z_95 * 0.5).abs() < 1e-12);
        assert!((p.half_width[3] - Z_95 * 0.5 * 2f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn moving_average_sigma_is_the_rms_of_one_step_errors() {
        // Window 2 over 1, 3, 2, 6: errors 2-2=0 and 6-2.5=3.5 → sqrt((0 + 12.25) / 2).
        let got = moving_average_sigma(&[1.0, 3.0, 2.0, 6.0], 2);
        assert!((got - (12.25f64 / 2.0).sqrt()).abs() < 1e-15, "got {got}");
    }
}
