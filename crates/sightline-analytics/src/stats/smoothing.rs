//! Holt-Winters exponential smoothing: level, optional (damped) additive trend, optional
//! additive or multiplicative seasonality, fitted by minimising the sum of squared one-step
//! errors like statsmodels' `ExponentialSmoothing(...).fit()`, with initial states first set by
//! the heuristic of Hyndman et al. and then estimated jointly with the smoothing parameters
//! (statsmodels' `initialization_method="estimated"`).
//!
//! The recursions are the component form of Hyndman & Athanasopoulos, "Forecasting: Principles
//! and Practice" (3rd ed., §8.3) and statsmodels `tsa/holtwinters/_smoothers`, with ŝ the
//! seasonal state one cycle back and φ the damping factor (1 when undamped):
//!
//! ```text
//! fitted  ŷ_t = (l_{t-1} + φ b_{t-1}) ⊕ ŝ                (⊕ is + or ×)
//! level   l_t = α (y_t ⊖ ŝ) + (1 - α)(l_{t-1} + φ b_{t-1})
//! trend   b_t = β (l_t - l_{t-1}) + (1 - β) φ b_{t-1}
//! season  s_t = γ (y_t ⊖ (l_{t-1} + φ b_{t-1})) + (1 - γ) ŝ
//! ```
//!
//! Parameters are kept in the usual admissible region 0 < α < 1, 0 < β < 1 (so that the
//! error-correction form's trend weight αβ stays below α), 0 < γ < 1 - α, 0.8 ≤ φ ≤ 0.98 (the range R's `forecast::ets` uses, which stops damping from degenerating
//! into a flat or an undamped line).
//!
//! Prediction intervals use the analytical variance of the equivalent additive-error state
//! space model (Hyndman, Koehler, Ord & Snyder, "Forecasting with Exponential Smoothing",
//! 2008, Table 6.1, class 1/2): v_h = σ² (1 + Σ_{j<h} c_j²) with c_j = α + αβ·φ_j + γ·[m | j],
//! φ_j = φ + … + φ^j. For multiplicative seasonality the same factors are applied to the
//! relative errors and scaled by the point forecast, an approximation the interpretation does
//! not claim to be exact.

use super::optimize::{NelderMeadOptions, nelder_mead};
use super::{linregress, mean};

/// The trend component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrendKind {
    None,
    Additive,
    /// Additive, multiplied by φ each step ahead, so long forecasts level off.
    Damped,
}

/// The seasonal component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SeasonalKind {
    None,
    Additive,
    /// Seasonal factors that scale with the level; needs strictly positive data.
    Multiplicative,
}

/// Which Holt-Winters model to fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HoltWintersSpec {
    pub trend: TrendKind,
    pub seasonal: SeasonalKind,
    /// Observations per seasonal cycle (ignored without seasonality).
    pub period: usize,
}

impl HoltWintersSpec {
    /// The observations the model needs: two full cycles for the seasonal heuristic, four
    /// points otherwise.
    pub fn min_len(&self) -> usize {
        match self.seasonal {
            SeasonalKind::None => 4,
            _ => (2 * self.period).max(5),
        }
    }

    fn period(&self) -> usize {
        match self.seasonal {
            SeasonalKind::None => 1,
            _ => self.period.max(1),
        }
    }

    /// A reader's name: "Holt-Winters (damped additive trend, multiplicative seasonality, period 12)".
    pub fn describe(&self) -> String {
        let trend = match self.trend {
            TrendKind::None => None,
            TrendKind::Additive => Some("additive trend"),
            TrendKind::Damped => Some("damped additive trend"),
        };
        let season = match self.seasonal {
            SeasonalKind::None => None,
            SeasonalKind::Additive => Some(format!("additive seasonality, period {}", self.period)),
            SeasonalKind::Multiplicative => Some(format!(
                "multiplicative seasonality, period {}",
                self.period
            )),
        };
        match (trend, season) {
            (None, None) => "simple exponential smoothing".to_string(),
            (Some(t), None) => format!("Holt's linear method ({t})"),
            (t, Some(s)) => match t {
                Some(t) => format!("Holt-Winters ({t}, {s})"),
                None => format!("Holt-Winters (no trend, {s})"),
            },
        }
    }
}

/// Smoothing parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Smoothing {
    pub alpha: f64,
    /// On the Holt-Winters scale (the trend update's weight), 0 without a trend.
    pub beta: f64,
    pub gamma: f64,
    /// 1 without damping.
    pub phi: f64,
}

/// States before the first observation: level, trend and one seasonal value per position in
/// the cycle (`season[t % m]` is the seasonal state observation `t` reads first).
#[derive(Debug, Clone, PartialEq)]
struct States {
    level: f64,
    trend: f64,
    season: Vec<f64>,
}

/// A fitted Holt-Winters model.
#[derive(Debug, Clone, PartialEq)]
pub struct HoltWintersFit {
    pub spec: HoltWintersSpec,
    pub params: Smoothing,
    /// Sum of squared one-step errors over the history.
    pub sse: f64,
    /// One-step-ahead fitted values, one per observation.
    pub fitted: Vec<f64>,
    /// Parameters estimated (smoothing parameters and free initial states).
    pub n_params: usize,
    /// Final states after the last observation.
    level: f64,
    trend: f64,
    season: Vec<f64>,
    n: usize,
    /// The states before the first observation, for re-running the model on more data.
    initial: States,
    /// Residual standard deviation: absolute (additive) or relative (multiplicative).
    sigma: f64,
}

impl HoltWintersFit {
    /// Point forecasts for the next `h` periods.
    pub fn forecast(&self, h: usize) -> Vec<f64> {
        let last = States {
            level: self.level,
            trend: self.trend,
            season: self.season.clone(),
        };
        forecast_from(&self.spec, &self.params, &last, self.n, h)
    }

    /// Forecasts `h` periods past the end of `y`, a history that starts where the fitted one
    /// started (and usually runs further): the states are updated through `y` with the fitted
    /// parameters, which are not re-estimated. This is how a rolling-origin evaluation moves
    /// the origin without refitting (Tashman 2000, "fixed-parameter updating").
    pub fn forecast_after(&self, y: &[f64], h: usize) -> Vec<f64> {
        let (sse, last) = run(y, &self.spec, &self.params, &self.initial, None);
        if sse.is_nan() {
            return vec![f64::NAN; h];
        }
        forecast_from(&self.spec, &self.params, &last, y.len(), h)
    }

    /// Half-widths of the two-sided interval `z` standard deviations wide, per step ahead.
    pub fn half_widths(&self, h: usize, z: f64) -> Vec<f64> {
        let point = self.forecast(h);
        variance_factors(&self.spec, &self.params, h)
            .iter()
            .zip(&point)
            .map(|(factor, p)| {
                let sd = self.sigma * factor;
                match self.spec.seasonal {
                    SeasonalKind::Multiplicative => z * sd * p.abs(),
                    _ => z * sd,
                }
            })
            .collect()
    }
}

/// The forecast standard deviation `h` steps ahead in units of the one-step σ, for steps
/// 1..=h: sqrt(1 + Σ_{j<h} c_j²) with c_j = α + αβ·φ_j + γ·[m | j] (Hyndman et al. 2008,
/// Table 6.1; αβ is the error-correction trend weight). Equal to the ratios of statsmodels'
/// `ETSModel` analytical interval widths for additive errors.
pub fn variance_factors(spec: &HoltWintersSpec, p: &Smoothing, h: usize) -> Vec<f64> {
    let m = spec.period();
    let has_trend = spec.trend != TrendKind::None;
    let seasonal = spec.seasonal != SeasonalKind::None;
    let mut sum_c2: f64 = 0.0;
    let mut phi_j = 0.0;
    let mut damp = 1.0;
    (1..=h)
        .map(|k| {
            let factor = (1.0 + sum_c2).sqrt();
            // c_j for j = k, which enters the variance of step k + 1.
            damp *= p.phi;
            phi_j += damp;
            let mut c = p.alpha;
            if has_trend {
                c += p.alpha * p.beta * phi_j;
            }
            if seasonal && k % m == 0 {
                c += p.gamma;
            }
            sum_c2 += c * c;
            factor
        })
        .collect()
}

/// Point forecasts `h` periods after the `n`-th observation, from the states after it.
fn forecast_from(
    spec: &HoltWintersSpec,
    p: &Smoothing,
    last: &States,
    n: usize,
    h: usize,
) -> Vec<f64> {
    let m = spec.period();
    let mut damp_sum = 0.0;
    let mut damp = 1.0;
    (1..=h)
        .map(|k| {
            damp *= p.phi;
            if spec.trend != TrendKind::None {
                damp_sum += damp;
            }
            let base = last.level + damp_sum * last.trend;
            let s = last.season[(n + k - 1) % m];
            match spec.seasonal {
                SeasonalKind::None => base,
                SeasonalKind::Additive => base + s,
                SeasonalKind::Multiplicative => base * s,
            }
        })
        .collect()
}

fn sigmoid(u: f64) -> f64 {
    1.0 / (1.0 + (-u).exp())
}

fn logit(p: f64) -> f64 {
    let p = p.clamp(1e-6, 1.0 - 1e-6);
    (p / (1.0 - p)).ln()
}

const PHI_LOW: f64 = 0.8;
const PHI_HIGH: f64 = 0.98;

/// Smoothing parameters from unconstrained coordinates `u` (as many as the spec has).
fn decode(spec: &HoltWintersSpec, u: &[f64]) -> Smoothing {
    let mut it = u.iter().copied();
    let alpha = sigmoid(it.next().unwrap_or(0.0));
    let beta = if spec.trend == TrendKind::None {
        0.0
    } else {
        sigmoid(it.next().unwrap_or(0.0))
    };
    let gamma = if spec.seasonal == SeasonalKind::None {
        0.0
    } else {
        (1.0 - alpha) * sigmoid(it.next().unwrap_or(0.0))
    };
    let phi = if spec.trend == TrendKind::Damped {
        PHI_LOW + (PHI_HIGH - PHI_LOW) * sigmoid(it.next().unwrap_or(0.0))
    } else {
        1.0
    };
    Smoothing {
        alpha,
        beta,
        gamma,
        phi,
    }
}

/// The inverse of [`decode`].
fn encode(spec: &HoltWintersSpec, p: &Smoothing) -> Vec<f64> {
    let mut u = vec![logit(p.alpha)];
    if spec.trend != TrendKind::None {
        u.push(logit(p.beta));
    }
    if spec.seasonal != SeasonalKind::None {
        u.push(logit(p.gamma / (1.0 - p.alpha).max(1e-12)));
    }
    if spec.trend == TrendKind::Damped {
        u.push(logit((p.phi - PHI_LOW) / (PHI_HIGH - PHI_LOW)));
    }
    u
}

/// Runs the recursions; returns the SSE and, when asked, the fitted values and final states.
/// NaN when the model breaks down (a multiplicative level at or below zero).
fn run(
    y: &[f64],
    spec: &HoltWintersSpec,
    p: &Smoothing,
    init: &States,
    fitted: Option<&mut Vec<f64>>,
) -> (f64, States) {
    // One loop per model shape, so the hot loop (thousands of calls while fitting) carries no
    // branch on the shape; the arithmetic is the same in each.
    let has_trend = spec.trend != TrendKind::None;
    match (spec.seasonal, has_trend) {
        (SeasonalKind::None, false) => run_shape::<false, false, false>(y, spec, p, init, fitted),
        (SeasonalKind::None, true) => run_shape::<false, false, true>(y, spec, p, init, fitted),
        (SeasonalKind::Additive, false) => {
            run_shape::<true, false, false>(y, spec, p, init, fitted)
        }
        (SeasonalKind::Additive, true) => run_shape::<true, false, true>(y, spec, p, init, fitted),
        (SeasonalKind::Multiplicative, false) => {
            run_shape::<true, true, false>(y, spec, p, init, fitted)
        }
        (SeasonalKind::Multiplicative, true) => {
            run_shape::<true, true, true>(y, spec, p, init, fitted)
        }
    }
}

fn run_shape<const SEASONAL: bool, const MUL: bool, const TREND: bool>(
    y: &[f64],
    spec: &HoltWintersSpec,
    p: &Smoothing,
    init: &States,
    mut fitted: Option<&mut Vec<f64>>,
) -> (f64, States) {
    let m = spec.period().max(1);
    // statsmodels' β is the weight of the level change in the trend update (HW scale); the
    // admissible region β_ETS = α·β_HW ≤ α is what the unit-interval β_HW gives.
    let (alpha, beta, gamma, phi) = (p.alpha, p.beta, p.gamma, p.phi);
    let mut level = init.level;
    let mut trend = if TREND { init.trend } else { 0.0 };
    let mut season = init.season.clone();
    if SEASONAL && season.len() < m {
        return (f64::NAN, init.clone());
    }
    let mut sse = 0.0;
    // The position in the cycle, counted rather than computed as t % m.
    let mut slot = 0usize;
    for &obs in y {
        let s = if SEASONAL { season[slot] } else { 0.0 };
        let base = level + phi * trend;
        let yhat = if MUL { base * s } else { base + s };
        if let Some(out) = fitted.as_deref_mut() {
            out.push(yhat);
        }
        let e = obs - yhat;
        sse += e * e;
        let new_level = if MUL {
            if s <= 0.0 || base <= 0.0 {
                return (f64::NAN, init.clone());
            }
            alpha * (obs / s) + (1.0 - alpha) * base
        } else {
            alpha * (obs - s) + (1.0 - alpha) * base
        };
        if TREND {
            trend = beta * (new_level - level) + (1.0 - beta) * phi * trend;
        }
        if SEASONAL {
            season[slot] = if MUL {
                gamma * (obs / base) + (1.0 - gamma) * s
            } else {
                gamma * (obs - base) + (1.0 - gamma) * s
            };
        }
        level = new_level;
        slot += 1;
        if slot == m {
            slot = 0;
        }
    }
    (
        sse,
        States {
            level,
            trend,
            season,
        },
    )
}

/// The heuristic initial states of Hyndman et al. (2008, §2.6.1), as statsmodels'
/// `_initialization_heuristic`: seasonal indices from a centred moving average over the first
/// (at most five) cycles, then level and trend from a regression on the first ten seasonally
/// adjusted values, with the level placed one period before the first observation.
fn heuristic(y: &[f64], spec: &HoltWintersSpec) -> Option<States> {
    let m = spec.period();
    let mul = spec.seasonal == SeasonalKind::Multiplicative;
    let mut season = vec![if mul { 1.0 } else { 0.0 }; m];
    if spec.seasonal != SeasonalKind::None {
        let cycles = (y.len() / m).min(5);
        if cycles < 2 {
            return None;
        }
        let len = cycles * m;
        let part = &y[..len];
        let half = m / 2;
        let mut sums = vec![0.0; m];
        let mut counts = vec![0usize; m];
        for t in half..len.saturating_sub(half) {
            // A 2×m moving average for even m (half weights at the ends), plain m for odd m.
            let cma = if m.is_multiple_of(2) {
                let inner: f64 = part[t + 1 - half..t + half].iter().sum();
                (inner + 0.5 * (part[t - half] + part[t + half])) / m as f64
            } else {
                part[t - half..=t + half].iter().sum::<f64>() / m as f64
            };
            let d = if mul { part[t] / cma } else { part[t] - cma };
            if d.is_finite() {
                sums[t % m] += d;
                counts[t % m] += 1;
            }
        }
        for j in 0..m {
            if counts[j] == 0 {
                return None;
            }
            season[j] = sums[j] / counts[j] as f64;
        }
        let avg = mean(&season);
        for s in &mut season {
            if mul {
                *s /= avg;
            } else {
                *s -= avg;
            }
        }
    }
    let k = y.len().min(10);
    let adjusted: Vec<f64> = (0..k)
        .map(|t| {
            let s = season[t % m];
            if mul { y[t] / s } else { y[t] - s }
        })
        .collect();
    let (level, trend) = if spec.trend == TrendKind::None {
        (mean(&adjusted), 0.0)
    } else {
        let x: Vec<f64> = (1..=k).map(|t| t as f64).collect();
        let fit = linregress(&x, &adjusted)?;
        (fit.intercept, fit.slope)
    };
    Some(States {
        level,
        trend,
        season,
    })
}

/// Packs the free initial states after the smoothing coordinates: level, trend (if any) and
/// m - 1 seasonal values, the last one implied by normalisation (sum 0 or mean 1), which
/// removes the one direction in which level and season trade off exactly.
fn pack_states(spec: &HoltWintersSpec, s: &States, out: &mut Vec<f64>) {
    out.push(s.level);
    if spec.trend != TrendKind::None {
        out.push(s.trend);
    }
    if spec.seasonal != SeasonalKind::None {
        out.extend_from_slice(&s.season[..s.season.len() - 1]);
    }
}

fn unpack_states(spec: &HoltWintersSpec, v: &[f64]) -> States {
    let m = spec.period();
    let mut it = v.iter().copied();
    let level = it.next().unwrap_or(0.0);
    let trend = if spec.trend != TrendKind::None {
        it.next().unwrap_or(0.0)
    } else {
        0.0
    };
    let season = match spec.seasonal {
        SeasonalKind::None => vec![0.0],
        kind => {
            let mut s: Vec<f64> = it.take(m - 1).collect();
            let sum: f64 = s.iter().sum();
            s.push(if kind == SeasonalKind::Multiplicative {
                m as f64 - sum
            } else {
                -sum
            });
            s
        }
    };
    States {
        level,
        trend,
        season,
    }
}

fn n_smoothing(spec: &HoltWintersSpec) -> usize {
    1 + usize::from(spec.trend != TrendKind::None)
        + usize::from(spec.seasonal != SeasonalKind::None)
        + usize::from(spec.trend == TrendKind::Damped)
}

/// Fits `spec` to `y` (no NaN). `None` when the history is too short (see
/// [`HoltWintersSpec::min_len`]), multiplicative seasonality meets a value at or below zero,
/// or no parameters give a finite fit.
pub fn holt_winters(y: &[f64], spec: HoltWintersSpec) -> Option<HoltWintersFit> {
    let n = y.len();
    if n < spec.min_len() || y.iter().any(|v| !v.is_finite()) {
        return None;
    }
    if spec.seasonal == SeasonalKind::Multiplicative && y.iter().any(|v| *v <= 0.0) {
        return None;
    }
    let init = heuristic(y, &spec)?;

    // 1. A coarse grid of smoothing parameters with the heuristic states (statsmodels'
    //    `use_brute`), so the local search starts in the right basin.
    let mut best: Option<(f64, Smoothing)> = None;
    let trend_grid: &[f64] = if spec.trend == TrendKind::None {
        &[0.0]
    } else {
        &[0.01, 0.1, 0.3]
    };
    let season_grid: &[f64] = if spec.seasonal == SeasonalKind::None {
        &[0.0]
    } else {
        &[0.01, 0.1, 0.4]
    };
    let phi_grid: &[f64] = if spec.trend == TrendKind::Damped {
        &[0.85, 0.95]
    } else {
        &[1.0]
    };
    for &alpha in &[0.05, 0.2, 0.5, 0.8] {
        for &beta in trend_grid {
            for &g in season_grid {
                for &phi in phi_grid {
                    let p = Smoothing {
                        alpha,
                        beta,
                        gamma: g * (1.0 - alpha),
                        phi,
                    };
                    let (sse, _) = run(y, &spec, &p, &init, None);
                    if sse.is_finite() && best.is_none_or(|(b, _)| sse < b) {
                        best = Some((sse, p));
                    }
                }
            }
        }
    }
    let (_, start) = best?;
    let k = n_smoothing(&spec);

    // 2. Smoothing parameters only, heuristic states fixed.
    let opts = NelderMeadOptions {
        max_evaluations: 400 * k,
        ..NelderMeadOptions::default()
    };
    let u0 = encode(&spec, &start);
    let stage1 = nelder_mead(
        |u| run(y, &spec, &decode(&spec, u), &init, None).0,
        &u0,
        &vec![1.0; k],
        opts,
    );

    // 3. Everything together: smoothing parameters and initial states ("estimated").
    let mut x0 = stage1.x.clone();
    pack_states(&spec, &init, &mut x0);
    let scale = {
        let (m, sd, _) = super::mean_std(y);
        if sd.is_finite() && sd > 0.0 {
            sd
        } else {
            m.abs().max(1.0)
        }
    };
    let mut steps = vec![0.5; k];
    steps.push(0.2 * scale);
    if spec.trend != TrendKind::None {
        steps.push(0.05 * scale);
    }
    if spec.seasonal != SeasonalKind::None {
        let step = if spec.seasonal == SeasonalKind::Multiplicative {
            0.02
        } else {
            0.1 * scale
        };
        steps.extend(std::iter::repeat_n(step, spec.period() - 1));
    }
    let joint = nelder_mead(
        |x| {
            let (u, states) = x.split_at(k);
            run(
                y,
                &spec,
                &decode(&spec, u),
                &unpack_states(&spec, states),
                None,
            )
            .0
        },
        &x0,
        &steps,
        NelderMeadOptions {
            max_evaluations: 300 * x0.len(),
            ..NelderMeadOptions::default()
        },
    );
    let (u, states) = if joint.value <= stage1.value {
        let (u, s) = joint.x.split_at(k);
        (u.to_vec(), unpack_states(&spec, s))
    } else {
        (stage1.x, init)
    };
    let params = decode(&spec, &u);
    let mut fitted = Vec::with_capacity(n);
    let (sse, last) = run(y, &spec, &params, &states, Some(&mut fitted));
    let initial = states;
    if !sse.is_finite() {
        return None;
    }
    let n_params = x0.len();
    let dof = n.saturating_sub(n_params).max(1) as f64;
    let sigma = if spec.seasonal == SeasonalKind::Multiplicative {
        let rel: f64 = y
            .iter()
            .zip(&fitted)
            .map(|(a, f)| ((a - f) / f).powi(2))
            .sum();
        (rel / dof).sqrt()
    } else {
        (sse / dof).sqrt()
    };
    Some(HoltWintersFit {
        spec,
        params,
        sse,
        fitted,
        n_params,
        level: last.level,
        trend: last.trend,
        season: last.season,
        n,
        initial,
        sigma,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(trend: TrendKind, seasonal: SeasonalKind, period: usize) -> HoltWintersSpec {
        HoltWintersSpec {
            trend,
            seasonal,
            period,
        }
    }

    #[test]
    fn a_noiseless_seasonal_series_is_recovered() {
        // Level 100, slope 2, a 4-period additive pattern: the fit is (near) exact and so is
        // the forecast.
        let pattern = [10.0, -5.0, 0.0, -5.0];
        let y: Vec<f64> = (0..40)
            .map(|t| 100.0 + 2.0 * t as f64 + pattern[t % 4])
            .collect();
        let fit = holt_winters(&y, spec(TrendKind::Additive, SeasonalKind::Additive, 4)).unwrap();
        let f = fit.forecast(4);
        for (k, v) in f.iter().enumerate() {
            let t = 40 + k;
            let want = 100.0 + 2.0 * t as f64 + pattern[t % 4];
            assert!((v - want).abs() < 0.05, "step {k}: {v} vs {want}");
        }
    }

    #[test]
    fn multiplicative_seasonality_scales_with_the_level() {
        let factors = [1.2, 0.8, 1.1, 0.9];
        let y: Vec<f64> = (0..48)
            .map(|t| (50.0 + 3.0 * t as f64) * factors[t % 4])
            .collect();
        let fit = holt_winters(
            &y,
            spec(TrendKind::Additive, SeasonalKind::Multiplicative, 4),
        )
        .unwrap();
        let f = fit.forecast(4);
        for (k, v) in f.iter().enumerate() {
            let t = 48 + k;
            let want = (50.0 + 3.0 * t as f64) * factors[t % 4];
            assert!((v - want).abs() / want < 0.01, "step {k}: {v} vs {want}");
        }
        let widths = fit.half_widths(8, 1.96);
        assert!(
            widths.iter().all(|w| w.is_finite() && *w >= 0.0),
            "{widths:?}"
        );
    }

    #[test]
    fn forecasting_after_more_data_matches_a_fit_that_saw_it() {
        let pattern = [3.0, -1.0, -2.0];
        let y: Vec<f64> = (0..45)
            .map(|t| 50.0 + 0.3 * t as f64 + pattern[t % 3] + ((t * 7 % 5) as f64 - 2.0) * 0.2)
            .collect();
        let fit = holt_winters(
            &y[..30],
            spec(TrendKind::Additive, SeasonalKind::Additive, 3),
        )
        .unwrap();
        assert_eq!(
            fit.forecast_after(&y[..30], 4),
            fit.forecast(4),
            "same data, same forecast"
        );
        let later = fit.forecast_after(&y, 3);
        for (k, v) in later.iter().enumerate() {
            let t = 45 + k;
            let want = 50.0 + 0.3 * t as f64 + pattern[t % 3];
            assert!((v - want).abs() < 1.0, "step {k}: {v} vs about {want}");
        }
    }

    #[test]
    fn too_short_or_non_positive_histories_are_refused() {
        let y = vec![1.0; 7];
        assert!(holt_winters(&y, spec(TrendKind::None, SeasonalKind::Additive, 4)).is_none());
        let z = vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0];
        assert!(holt_winters(&z, spec(TrendKind::None, SeasonalKind::Multiplicative, 2)).is_none());
    }

    #[test]
    fn damped_forecasts_level_off() {
        let y: Vec<f64> = (0..30).map(|t| 10.0 + t as f64).collect();
        let fit = holt_winters(&y, spec(TrendKind::Damped, SeasonalKind::None, 1)).unwrap();
        let f = fit.forecast(400);
        let (first_step, late_step) = (f[1] - f[0], f[399] - f[398]);
        assert!(
            late_step < 0.01 * first_step,
            "the damped trend flattens: {first_step} then {late_step}"
        );
        assert!(fit.params.phi <= PHI_HIGH && fit.params.phi >= PHI_LOW);
    }
}
