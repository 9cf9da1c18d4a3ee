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
//! Parameters are kept in the usual admissible region 0 ≤ α ≤ 1, 0 ≤ β ≤ 1 (so that the
//! error-correction form's trend weight αβ stays at most α), 0 ≤ γ ≤ 1 - α (statsmodels' bounds),
//! 0.8 ≤ φ ≤ 0.98 (the range R's `forecast::ets` uses, which stops damping from degenerating
//! into a flat or an undamped line).
//!
//! Fitting searches the smoothing parameters by Nelder-Mead from the best point of a coarse
//! grid. For additive (or no) seasonality with at most 16 free initial states, each point of
//! the search is scored with its best initial states, which least squares gives exactly (the
//! profile SSE); otherwise the initial states join the search as coordinates.
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

/// A coordinate on the whole real line mapped onto [0, 1] by sin²: the bounds are reached at
/// finite coordinates, where the map is flat, so an optimum on a bound (a smoothing weight of 0
/// on a series with a fixed seasonal pattern, say) is an ordinary minimum for the search. With
/// the logistic map the search would chase it towards infinity until its evaluations ran out.
fn unit(u: f64) -> f64 {
    let s = u.sin();
    s * s
}

/// The first step of the search along each smoothing coordinate (in [`fn@unit`]'s coordinates,
/// where 0 to π/2 spans the whole interval).
const SMOOTHING_STEP: f64 = 0.3;

/// The inverse of [`fn@unit`] on [0, π/2].
fn unit_inverse(p: f64) -> f64 {
    p.clamp(0.0, 1.0).sqrt().asin()
}

const PHI_LOW: f64 = 0.8;
const PHI_HIGH: f64 = 0.98;

/// Smoothing parameters from unconstrained coordinates `u` (as many as the spec has).
fn decode(spec: &HoltWintersSpec, u: &[f64]) -> Smoothing {
    let mut it = u.iter().copied();
    let alpha = unit(it.next().unwrap_or(0.0));
    let beta = if spec.trend == TrendKind::None {
        0.0
    } else {
        unit(it.next().unwrap_or(0.0))
    };
    let gamma = if spec.seasonal == SeasonalKind::None {
        0.0
    } else {
        (1.0 - alpha) * unit(it.next().unwrap_or(0.0))
    };
    let phi = if spec.trend == TrendKind::Damped {
        PHI_LOW + (PHI_HIGH - PHI_LOW) * unit(it.next().unwrap_or(0.0))
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
    let mut u = vec![unit_inverse(p.alpha)];
    if spec.trend != TrendKind::None {
        u.push(unit_inverse(p.beta));
    }
    if spec.seasonal != SeasonalKind::None {
        u.push(unit_inverse(p.gamma / (1.0 - p.alpha).max(1e-12)));
    }
    if spec.trend == TrendKind::Damped {
        u.push(unit_inverse((p.phi - PHI_LOW) / (PHI_HIGH - PHI_LOW)));
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

/// Free initial states: the level, the trend (if any) and m - 1 seasonal values (see
/// [`pack_states`]).
fn n_states(spec: &HoltWintersSpec) -> usize {
    1 + usize::from(spec.trend != TrendKind::None)
        + match spec.seasonal {
            SeasonalKind::None => 0,
            _ => spec.period() - 1,
        }
}

/// Above this many free initial states, the least-squares profile (whose cost per observation
/// grows with the square of their number) costs more than searching the states with the
/// simplex: monthly data (12) and shorter cycles are profiled, weekly data (52) is not.
const MAX_PROFILED_STATES: usize = 16;

/// Whether [`profile`] applies: additive (or no) seasonality and few free initial states.
fn profiled(spec: &HoltWintersSpec) -> bool {
    spec.seasonal != SeasonalKind::Multiplicative && n_states(spec) <= MAX_PROFILED_STATES
}

/// How many times the SSE the data's part Σa² may be before the SSE is taken from a run of the
/// recursion rather than from the normal equations (which lose about this factor in relative
/// precision: 1e3 leaves some 1e-13, far below the search's tolerance).
const PROFILE_CANCELLATION: f64 = 1e3;

/// The best initial states for fixed smoothing parameters: the offsets `delta` from the
/// heuristic states, and the SSE they give.
struct Profile {
    sse: f64,
    delta: Vec<f64>,
}

impl Profile {
    /// The initial states `base + delta`, the last seasonal offset implied by normalisation.
    fn states(&self, spec: &HoltWintersSpec, base: &States) -> States {
        let mut packed = Vec::with_capacity(self.delta.len());
        pack_states(spec, base, &mut packed);
        for (v, d) in packed.iter_mut().zip(&self.delta) {
            *v += d;
        }
        let mut states = unpack_states(spec, &packed);
        if spec.seasonal != SeasonalKind::None {
            // unpack_states re-derives the last value from the others; keep the base's own
            // normalisation error out of it by offsetting the base's last value instead.
            let m = spec.period();
            let shift: f64 = self.delta[self.delta.len() - (m - 1)..].iter().sum();
            states.season[m - 1] = base.season[m - 1] - shift;
        }
        states
    }
}

/// The SSE minimised over the initial states, for fixed smoothing parameters `p`, by least
/// squares (the "concentrated" or profile SSE). With additive (or no) seasonality every state,
/// and so every one-step error, is affine in the initial states: in error-correction form
/// (Hyndman et al. 2008, §3.1) `e_t = y_t - ŷ_t`, `l_t = l_{t-1} + φb_{t-1} + αe_t`,
/// `b_t = φb_{t-1} + αβe_t`, `s_t = s_{t-m} + γe_t`. Carrying each state as its coefficients on
/// (1, δ) through the recursion gives `e_t = a_t - r_t·δ` for offsets δ from `base`; the
/// normal equations `(Σ r rᵀ) δ = Σ r a` then give the exact minimiser. One pass costs a few
/// recursions, and the search over the smoothing parameters alone (3 or 4 dimensions instead
/// of 11 for weekly seasonality) converges in a few hundred of them.
fn profile(y: &[f64], spec: &HoltWintersSpec, p: &Smoothing, base: &States) -> Option<Profile> {
    if spec.seasonal == SeasonalKind::Multiplicative {
        return None;
    }
    // One kernel per width (the free states plus the data's part), so that its loops have
    // fixed lengths the compiler unrolls.
    macro_rules! by_width {
        ($($w:literal)*) => {
            match n_states(spec) + 1 {
                $($w => profile_width::<$w>(y, spec, p, base),)*
                _ => None,
            }
        };
    }
    by_width!(2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17)
}

/// [`profile`] with `W - 1` free states. Every shape runs the full recursion: without a
/// trend its states stay exactly 0 (β = 0 and no coefficient starts it), without seasonality
/// likewise (γ = 0, one slot), so the arithmetic that matters is the shape's own.
fn profile_width<const W: usize>(
    y: &[f64],
    spec: &HoltWintersSpec,
    p: &Smoothing,
    base: &States,
) -> Option<Profile> {
    let seasonal = spec.seasonal != SeasonalKind::None;
    let has_trend = spec.trend != TrendKind::None;
    let m = if seasonal { spec.period().max(1) } else { 1 };
    let k = W - 1;
    if k != n_states(spec) || (seasonal && base.season.len() < m) {
        return None;
    }
    // Coefficient 0 is the part driven by the data from the base states; 1..W the free
    // states' offsets, in pack_states' order.
    let mut level = [0.0; W];
    level[0] = base.level;
    level[1] = 1.0;
    let mut trend = [0.0; W];
    if has_trend {
        trend[0] = base.trend;
        trend[2] = 1.0;
    }
    let first_season = 2 + usize::from(has_trend);
    let mut season = vec![[0.0; W]; m];
    if seasonal {
        for (j, row) in season.iter_mut().enumerate() {
            row[0] = base.season[j];
            if j + 1 < m {
                row[first_season + j] = 1.0;
            } else {
                // The last seasonal state is minus the sum of the others (offsets sum to 0).
                row[first_season..].iter_mut().for_each(|c| *c = -1.0);
            }
        }
    }
    let (alpha, gamma) = (p.alpha, if seasonal { p.gamma } else { 0.0 });
    let (phi, trend_weight) = if has_trend {
        (p.phi, p.alpha * p.beta)
    } else {
        (1.0, 0.0)
    };
    // Σ r rᵀ (upper triangle, indices 1..W), Σ r a, Σ a².
    let mut gram = [[0.0; W]; W];
    let mut cross = [0.0; W];
    let mut aa: f64 = 0.0;
    let mut slot = 0usize;
    for &obs in y {
        let s = &mut season[slot];
        let mut yhat = [0.0; W];
        for i in 0..W {
            yhat[i] = level[i] + phi * trend[i] + s[i];
        }
        let a = obs - yhat[0];
        aa += a * a;
        for i in 1..W {
            cross[i] += yhat[i] * a;
            let row = &mut gram[i];
            for j in i..W {
                row[j] += yhat[i] * yhat[j];
            }
        }
        let mut e = yhat;
        e[0] = a;
        for v in e.iter_mut().skip(1) {
            *v = -*v;
        }
        for i in 0..W {
            level[i] += phi * trend[i] + alpha * e[i];
            trend[i] = phi * trend[i] + trend_weight * e[i];
            s[i] += gamma * e[i];
        }
        slot += 1;
        if slot == m {
            slot = 0;
        }
    }
    if !aa.is_finite() {
        return None;
    }
    let mut full = vec![0.0; k * k];
    for i in 0..k {
        for j in i..k {
            full[i * k + j] = gram[i + 1][j + 1];
            full[j * k + i] = gram[i + 1][j + 1];
        }
    }
    let delta = solve_normal_equations(&full, &cross[1..], k)?;
    // SSE(δ) = Σa² - 2δ·Σra + δᵀ(Σrrᵀ)δ, exact for the δ found (an error in solving moves it
    // only to second order). When the base states are far off (a trend misjudged from ten
    // points runs away over thousands), Σa² is millions of times the SSE and the difference
    // carries that much rounding noise, enough to keep the search from meeting its
    // tolerance: then the recursion is run again from the solution instead.
    let quadratic: f64 = (0..k)
        .map(|i| {
            let g_delta: f64 = (0..k).map(|j| full[i * k + j] * delta[j]).sum();
            delta[i] * (g_delta - 2.0 * cross[i + 1])
        })
        .sum();
    let mut profile = Profile {
        sse: (aa + quadratic).max(0.0),
        delta,
    };
    let trusted = aa <= PROFILE_CANCELLATION * profile.sse;
    if !trusted {
        profile.sse = run(y, spec, p, &profile.states(spec, base), None).0;
    }
    profile.sse.is_finite().then_some(profile)
}

/// Solves `gram · x = rhs` for a symmetric positive semi-definite `gram` (k × k, row-major) by
/// a Cholesky factorisation of its diagonally scaled form, with a ridge of 1e-10 of the
/// diagonal so that directions the data do not determine stay at 0 (the base states).
fn solve_normal_equations(gram: &[f64], rhs: &[f64], k: usize) -> Option<Vec<f64>> {
    let scale: Vec<f64> = (0..k)
        .map(|i| {
            let d = gram[i * k + i];
            if d > 0.0 && d.is_finite() {
                1.0 / d.sqrt()
            } else {
                0.0
            }
        })
        .collect();
    // L Lᵀ of S G S + ridge·I (S the scaling), column by column.
    let mut l = vec![0.0; k * k];
    for j in 0..k {
        for i in j..k {
            let mut v = gram[i * k + j] * scale[i] * scale[j];
            if i == j {
                v += 1e-10;
            }
            for c in 0..j {
                v -= l[i * k + c] * l[j * k + c];
            }
            if i == j {
                let positive = v > 0.0;
                if !positive {
                    return None;
                }
                l[i * k + j] = v.sqrt();
            } else {
                l[i * k + j] = v / l[j * k + j];
            }
        }
    }
    let mut z: Vec<f64> = (0..k).map(|i| rhs[i] * scale[i]).collect();
    for i in 0..k {
        let mut v = z[i];
        for c in 0..i {
            v -= l[i * k + c] * z[c];
        }
        z[i] = v / l[i * k + i];
    }
    for i in (0..k).rev() {
        let mut v = z[i];
        for c in i + 1..k {
            v -= l[c * k + i] * z[c];
        }
        z[i] = v / l[i * k + i];
    }
    let x: Vec<f64> = z.iter().zip(&scale).map(|(v, s)| v * s).collect();
    x.iter().all(|v| v.is_finite()).then_some(x)
}

/// Fits `spec` to `y` (no NaN). `None` when the history is too short (see
/// [`HoltWintersSpec::min_len`]), multiplicative seasonality meets a value at or below zero,
/// or no parameters give a finite fit.
pub fn holt_winters(y: &[f64], spec: HoltWintersSpec) -> Option<HoltWintersFit> {
    fit(y, spec, None)
}

/// Fits `spec` to `y` like [`holt_winters`], with the smoothing parameters of `earlier` (a fit
/// of the same model to a shorter history, such as a backtest's) as one more starting point of
/// the search (for the additive models, whose initial states are profiled; the others start
/// from the grid alone). When `y` extends that history the optimum rarely moves far, so the
/// search starts closer; the grid is still tried, and the better of the two is the start.
pub fn holt_winters_from(
    y: &[f64],
    spec: HoltWintersSpec,
    earlier: &HoltWintersFit,
) -> Option<HoltWintersFit> {
    let hint = (earlier.spec == spec).then_some(earlier.params);
    fit(y, spec, hint)
}

fn fit(y: &[f64], spec: HoltWintersSpec, hint: Option<Smoothing>) -> Option<HoltWintersFit> {
    let n = y.len();
    if n < spec.min_len() || y.iter().any(|v| !v.is_finite()) {
        return None;
    }
    if spec.seasonal == SeasonalKind::Multiplicative && y.iter().any(|v| *v <= 0.0) {
        return None;
    }
    let init = heuristic(y, &spec)?;
    let (u, states) = if profiled(&spec) {
        search_profiled(y, &spec, &init, hint)?
    } else {
        search_joint(y, &spec, init)?
    };
    finish(y, spec, &u, states)
}

/// The coarse grid of smoothing parameters (statsmodels' `use_brute`), so the local search
/// starts in the right basin; `sse` scores each point.
fn grid_start(spec: &HoltWintersSpec, mut sse: impl FnMut(&Smoothing) -> f64) -> Option<Smoothing> {
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
                    let value = sse(&p);
                    if value.is_finite() && best.is_none_or(|(b, _)| value < b) {
                        best = Some((value, p));
                    }
                }
            }
        }
    }
    best.map(|(_, p)| p)
}

/// Additive models with few free initial states: the search runs over the smoothing parameters
/// only, each scored with its best initial states, which least squares gives exactly
/// ([`profile`]). Returns the smoothing coordinates and the initial states.
fn search_profiled(
    y: &[f64],
    spec: &HoltWintersSpec,
    init: &States,
    hint: Option<Smoothing>,
) -> Option<(Vec<f64>, States)> {
    let mut profiler = Profiler {
        y,
        spec,
        base: init.clone(),
        best: f64::INFINITY,
    };
    let mut start = grid_start(spec, |p| profiler.score(p))?;
    let mut step = SMOOTHING_STEP;
    if let Some(h) = hint {
        // The earlier fit's parameters, when they beat the grid's best here: the optimum has
        // then rarely moved far, and a smaller first simplex finds it sooner.
        if profiler.score(&h) < profiler.score(&start) {
            start = h;
            step = SMOOTHING_STEP / 3.0;
        }
    }
    let k = n_smoothing(spec);
    let best = nelder_mead(
        |u| profiler.score(&decode(spec, u)),
        &encode(spec, &start),
        &vec![step; k],
        // Stop on the values alone: a parameter the data do not determine (the trend weight β
        // once α is 0, as on a series with a fixed trend and season) leaves a flat valley the
        // simplex would otherwise walk until its evaluations ran out. The search restarts
        // once from where it stopped, which guards against stopping early elsewhere.
        NelderMeadOptions {
            max_evaluations: 400 * k,
            x_tol: f64::INFINITY,
            f_tol: 1e-11,
        },
    );
    let p = decode(spec, &best.x);
    let states = profile(y, spec, &p, &profiler.base)?.states(spec, &profiler.base);
    Some((best.x, states))
}

/// Scores smoothing parameters by their [`profile`] SSE, keeping as the base of the least
/// squares the initial states of the best point so far: near the optimum the base is then
/// nearly right, the data's part of the errors is nearly the SSE itself, and the SSE comes
/// from the normal equations without a further run of the recursion.
struct Profiler<'a> {
    y: &'a [f64],
    spec: &'a HoltWintersSpec,
    base: States,
    best: f64,
}

impl Profiler<'_> {
    fn score(&mut self, p: &Smoothing) -> f64 {
        let Some(found) = profile(self.y, self.spec, p, &self.base) else {
            return f64::NAN;
        };
        if found.sse < self.best {
            self.best = found.sse;
            self.base = found.states(self.spec, &self.base);
        }
        found.sse
    }
}

/// Multiplicative seasonality (not linear in the initial states) and long seasonal cycles:
/// the smoothing parameters with the heuristic states first, then everything together by the
/// simplex (statsmodels' `initialization_method="estimated"`).
fn search_joint(y: &[f64], spec: &HoltWintersSpec, init: States) -> Option<(Vec<f64>, States)> {
    let spec = *spec;
    let start = grid_start(&spec, |p| run(y, &spec, p, &init, None).0)?;
    let k = n_smoothing(&spec);

    // Smoothing parameters only, heuristic states fixed.
    let opts = NelderMeadOptions {
        max_evaluations: 400 * k,
        ..NelderMeadOptions::default()
    };
    let u0 = encode(&spec, &start);
    let stage1 = nelder_mead(
        |u| run(y, &spec, &decode(&spec, u), &init, None).0,
        &u0,
        &vec![SMOOTHING_STEP; k],
        opts,
    );

    // Everything together: smoothing parameters and initial states ("estimated").
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
    let mut steps = vec![SMOOTHING_STEP; k];
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
    Some(if joint.value <= stage1.value {
        let (u, s) = joint.x.split_at(k);
        (u.to_vec(), unpack_states(&spec, s))
    } else {
        (stage1.x, init)
    })
}

/// The fit at smoothing coordinates `u` and initial states `states`: fitted values, final
/// states and the residual spread.
fn finish(y: &[f64], spec: HoltWintersSpec, u: &[f64], states: States) -> Option<HoltWintersFit> {
    let n = y.len();
    let params = decode(&spec, u);
    let mut fitted = Vec::with_capacity(n);
    let (sse, last) = run(y, &spec, &params, &states, Some(&mut fitted));
    let initial = states;
    if !sse.is_finite() {
        return None;
    }
    let n_params = n_smoothing(&spec) + n_states(&spec);
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
