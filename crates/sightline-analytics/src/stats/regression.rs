//! Pearson correlation (as `scipy.stats.pearsonr`), Spearman rank correlation (as
//! `scipy.stats.spearmanr`) and simple least squares (as `scipy.stats.linregress`), including
//! their p-values and scipy's small-n conventions.

use std::borrow::Cow;

use super::special::{inc_beta_pair, student_t_two_sided_p};
use super::{pairwise_sum_by, pairwise_sums};

/// A Pearson correlation coefficient with its two-sided p-value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pearson {
    /// r in [-1, 1]; NaN when fewer than two pairs or one side is constant.
    pub r: f64,
    /// Two-sided p-value of H0: r = 0 (t-test with n - 2 degrees of freedom); 1.0 for n = 2.
    pub p_value: f64,
    /// Pairs where both values are present.
    pub n: usize,
}

/// A least-squares line y = intercept + slope·x with scipy `linregress`'s statistics.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinearFit {
    pub slope: f64,
    pub intercept: f64,
    /// Pearson r of x and y (NaN when y is constant).
    pub r: f64,
    pub r_squared: f64,
    /// Two-sided p-value of H0: slope = 0; scipy's convention for n = 2 (0 or 1).
    pub p_value: f64,
    /// Standard error of the slope (0 for n = 2, as scipy).
    pub stderr: f64,
    pub n: usize,
    /// Mean of x, and sum of squared deviations of x: what a prediction interval needs.
    pub x_mean: f64,
    pub sxx: f64,
    /// sqrt(SSE / (n - 2)); NaN when n <= 2.
    pub residual_std: f64,
}

impl LinearFit {
    /// The fitted value at `x`.
    pub fn predict(&self, x: f64) -> f64 {
        self.intercept + self.slope * x
    }
}

/// The pairs where both `x[i]` and `y[i]` are present (not NaN), borrowing when all are, and
/// whether each side is constant over those pairs; one pass when nothing is missing.
struct Pairs<'a> {
    x: Cow<'a, [f64]>,
    y: Cow<'a, [f64]>,
    x_constant: bool,
    y_constant: bool,
}

fn complete_pairs<'a>(x: &'a [f64], y: &'a [f64]) -> Pairs<'a> {
    let len = x.len().min(y.len());
    let (x, y) = (&x[..len], &y[..len]);
    let (mut any_nan, mut x_constant, mut y_constant) = (false, true, true);
    if let (Some(x0), Some(y0)) = (x.first(), y.first()) {
        for (a, b) in x.iter().zip(y) {
            any_nan |= a.is_nan() | b.is_nan();
            x_constant &= a == x0;
            y_constant &= b == y0;
        }
    }
    if !any_nan {
        return Pairs {
            x: Cow::Borrowed(x),
            y: Cow::Borrowed(y),
            x_constant,
            y_constant,
        };
    }
    let (xs, ys): (Vec<f64>, Vec<f64>) = x
        .iter()
        .zip(y)
        .filter(|(a, b)| !a.is_nan() && !b.is_nan())
        .map(|(a, b)| (*a, *b))
        .unzip();
    Pairs {
        x_constant: is_constant(&xs),
        y_constant: is_constant(&ys),
        x: Cow::Owned(xs),
        y: Cow::Owned(ys),
    }
}

fn is_constant(v: &[f64]) -> bool {
    v.first().is_none_or(|first| v.iter().all(|x| x == first))
}

/// Means of x and y, in one pass.
fn means(x: &[f64], y: &[f64]) -> (f64, f64) {
    let n = x.len();
    let [sx, sy] = pairwise_sums(n, &|i| [x[i], y[i]]);
    (sx / n as f64, sy / n as f64)
}

/// Sums of squared and crossed deviations from the means: (Sxx, Sxy, Syy), in one pass.
fn deviations(x: &[f64], y: &[f64], mx: f64, my: f64) -> (f64, f64, f64) {
    let [sxx, sxy, syy] = pairwise_sums(x.len(), &|i| {
        let (dx, dy) = (x[i] - mx, y[i] - my);
        [dx * dx, dx * dy, dy * dy]
    });
    (sxx, sxy, syy)
}

/// Two-sided p-value of a correlation `r` over `n` pairs: with df = n - 2,
/// t = r·sqrt(df / (1 - r²)) and P(|T| >= |t|) = I_{1-r²}(df/2, 1/2), formed from (1-|r|)(1+|r|)
/// so that r near ±1 keeps its digits.
pub(crate) fn correlation_p_value(r: f64, n: usize) -> f64 {
    if r.is_nan() || n < 3 {
        return f64::NAN;
    }
    let df = (n - 2) as f64;
    let a = r.abs().min(1.0);
    inc_beta_pair(df / 2.0, 0.5, (1.0 - a) * (1.0 + a), a * a)
}

/// Pearson correlation of the pairs where both values are present, equal to
/// `scipy.stats.pearsonr` on those pairs: r is NaN when one side is constant; for n = 2, r is
/// exactly ±1 and p is 1.
pub fn pearson(x: &[f64], y: &[f64]) -> Pearson {
    let Pairs {
        x,
        y,
        x_constant,
        y_constant,
    } = complete_pairs(x, y);
    let n = x.len();
    if n < 2 || x_constant || y_constant {
        return Pearson {
            r: f64::NAN,
            p_value: f64::NAN,
            n,
        };
    }
    let (mx, my) = means(&x, &y);
    let (sxx, sxy, syy) = deviations(&x, &y, mx, my);
    let r = (sxy / (sxx.sqrt() * syy.sqrt())).clamp(-1.0, 1.0);
    if n == 2 {
        return Pearson {
            r: r.round(),
            p_value: 1.0,
            n,
        };
    }
    Pearson {
        r,
        p_value: correlation_p_value(r, n),
        n,
    }
}

/// Ranks of `values` (no NaN), 1-based, ties given the average of the ranks they span, as
/// `scipy.stats.rankdata(method="average")`.
pub fn rank_average(values: &[f64]) -> Vec<f64> {
    let n = values.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; n];
    let mut i = 0;
    while i < n {
        let mut j = i + 1;
        while j < n && values[order[j]] == values[order[i]] {
            j += 1;
        }
        // Positions i..j (0-based) share ranks i+1..=j, whose average is (i + 1 + j) / 2.
        let rank = (i + 1 + j) as f64 / 2.0;
        for &k in &order[i..j] {
            ranks[k] = rank;
        }
        i = j;
    }
    ranks
}

/// Spearman's rank correlation of the pairs where both values are present, equal to
/// `scipy.stats.spearmanr` on those pairs: the Pearson correlation of the average ranks, with
/// the same t-test p-value (n - 2 degrees of freedom). NaN when one side is constant.
pub fn spearman(x: &[f64], y: &[f64]) -> Pearson {
    let Pairs { x, y, .. } = complete_pairs(x, y);
    let (rx, ry) = (rank_average(&x), rank_average(&y));
    let p = pearson(&rx, &ry);
    if p.n == 2 {
        // scipy has no test with zero degrees of freedom here (pearsonr says 1, spearmanr NaN).
        return Pearson {
            p_value: f64::NAN,
            ..p
        };
    }
    p
}

/// Least-squares line through the pairs where both values are present, equal to
/// `scipy.stats.linregress` on those pairs. `None` when there are fewer than two pairs or every
/// x is the same (scipy raises there).
pub fn linregress(x: &[f64], y: &[f64]) -> Option<LinearFit> {
    // scipy adds this to 1 ± r so that a perfect fit gives a huge t, not a division by zero.
    const TINY: f64 = 1.0e-20;
    let Pairs {
        x, y, x_constant, ..
    } = complete_pairs(x, y);
    let n = x.len();
    if n < 2 || x_constant {
        return None;
    }
    let (mx, my) = means(&x, &y);
    let (sxx, sxy, syy) = deviations(&x, &y, mx, my);
    let r = if syy == 0.0 {
        if sxy == 0.0 { f64::NAN } else { 0.0 }
    } else {
        (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0)
    };
    let slope = sxy / sxx;
    let intercept = my - slope * mx;
    let (p_value, stderr) = if n == 2 {
        (if y[0] == y[1] { 1.0 } else { 0.0 }, 0.0)
    } else {
        let df = (n - 2) as f64;
        let t = r * (df / ((1.0 - r + TINY) * (1.0 + r + TINY))).sqrt();
        let stderr = ((1.0 - r * r) * syy / sxx / df).sqrt();
        (student_t_two_sided_p(t, df), stderr)
    };
    let residual_std = if n > 2 {
        let sse = pairwise_sum_by(n, &|i| {
            let e = y[i] - (intercept + slope * x[i]);
            e * e
        });
        (sse / (n - 2) as f64).sqrt()
    } else {
        f64::NAN
    };
    Some(LinearFit {
        slope,
        intercept,
        r,
        r_squared: r * r,
        p_value,
        stderr,
        n,
        x_mean: mx,
        sxx,
        residual_std,
    })
}
