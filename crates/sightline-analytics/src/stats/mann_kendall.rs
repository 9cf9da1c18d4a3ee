//! The Mann-Kendall trend test with the tie correction of its variance, and Sen's slope (the
//! median of all pairwise slopes, as `scipy.stats.theilslopes`): a trend test that needs no
//! straight line and no normal errors, and a slope that a few outliers cannot move.
//!
//! References: H. B. Mann, "Nonparametric tests against trend", Econometrica 13 (1945);
//! M. G. Kendall, "Rank Correlation Methods" (1975); P. K. Sen, "Estimates of the regression
//! coefficient based on Kendall's tau", JASA 63 (1968); R. O. Gilbert, "Statistical Methods for
//! Environmental Pollution Monitoring" (1987), §16.4 (the tie-corrected variance and the
//! continuity-corrected Z used here).

use super::normal_sf;
use super::quantiles_in_place;

/// The most points the pairwise computations accept: n(n-1)/2 slopes must fit in memory
/// (4.5 million at this size).
pub const MAX_POINTS: usize = 3_000;

/// A Mann-Kendall test with Sen's slope.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MannKendall {
    /// S = Σ_{i<j} sign(y_j - y_i).
    pub s: f64,
    /// Var(S) with the tie correction.
    pub var_s: f64,
    /// (S ∓ 1) / √Var(S), 0 when S = 0.
    pub z: f64,
    /// Two-sided p-value, 2·P(Z > |z|).
    pub p_value: f64,
    /// Kendall's tau-a: S / (n(n-1)/2).
    pub tau: f64,
    /// Sen's slope: the median of (y_j - y_i) / (x_j - x_i) over pairs with x_i ≠ x_j.
    pub slope: f64,
    /// median(y) - slope · median(x), as scipy's `theilslopes`.
    pub intercept: f64,
    pub n: usize,
}

/// The test on `y` in the order given, with `x` the time of each point (for the slope only).
/// `None` with fewer than 3 points, more than [`MAX_POINTS`], or a NaN.
pub fn mann_kendall(x: &[f64], y: &[f64]) -> Option<MannKendall> {
    let n = y.len();
    if !(3..=MAX_POINTS).contains(&n) || x.len() != n || y.iter().chain(x).any(|v| v.is_nan()) {
        return None;
    }
    let mut s = 0i64;
    let mut slopes = Vec::with_capacity(n * (n - 1) / 2);
    for i in 0..n {
        for j in i + 1..n {
            let d = y[j] - y[i];
            s += i64::from(d > 0.0) - i64::from(d < 0.0);
            let dx = x[j] - x[i];
            if dx != 0.0 {
                slopes.push(d / dx);
            }
        }
    }
    // Tie groups of y: Σ t(t-1)(2t+5).
    let mut sorted = y.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mut ties = 0.0;
    let mut i = 0;
    while i < n {
        let mut j = i + 1;
        while j < n && sorted[j] == sorted[i] {
            j += 1;
        }
        let t = (j - i) as f64;
        ties += t * (t - 1.0) * (2.0 * t + 5.0);
        i = j;
    }
    let nf = n as f64;
    let var_s = (nf * (nf - 1.0) * (2.0 * nf + 5.0) - ties) / 18.0;
    let sf = s as f64;
    let z = if var_s <= 0.0 {
        0.0
    } else if s > 0 {
        (sf - 1.0) / var_s.sqrt()
    } else if s < 0 {
        (sf + 1.0) / var_s.sqrt()
    } else {
        0.0
    };
    let p_value = if var_s <= 0.0 {
        f64::NAN
    } else {
        (2.0 * normal_sf(z.abs())).min(1.0)
    };
    let slope = if slopes.is_empty() {
        f64::NAN
    } else {
        quantiles_in_place(&mut slopes, &[0.5])[0]
    };
    let med_y = quantiles_in_place(&mut y.to_vec(), &[0.5])[0];
    let med_x = quantiles_in_place(&mut x.to_vec(), &[0.5])[0];
    Some(MannKendall {
        s: sf,
        var_s,
        z,
        p_value,
        tau: sf / (nf * (nf - 1.0) / 2.0),
        slope,
        intercept: med_y - slope * med_x,
        n,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a refused input in a unit test should stop the test
mod tests {
    use super::*;

    #[test]
    fn a_hand_checked_case() {
        // y = 1, 3, 2, 4 at x = 0..4: S = (+1 +1 +1) + (-1 +1) + (+1) = 4, no ties,
        // Var = 4·3·13/18 = 26/3, Z = 3/√(26/3); slopes 2, 0.5, 1, -1, 0.5, 2 → median 0.75.
        let mk = mann_kendall(&[0.0, 1.0, 2.0, 3.0], &[1.0, 3.0, 2.0, 4.0]).unwrap();
        assert_eq!(mk.s, 4.0);
        assert!((mk.var_s - 26.0 / 3.0).abs() < 1e-12);
        assert!((mk.z - 3.0 / (26.0f64 / 3.0).sqrt()).abs() < 1e-12);
        assert_eq!(mk.slope, 0.75);
        assert_eq!(mk.intercept, 2.5 - 0.75 * 1.5);
        assert!((mk.tau - 4.0 / 6.0).abs() < 1e-15);
    }

    #[test]
    fn ties_shrink_the_variance() {
        let mk = mann_kendall(&[0.0, 1.0, 2.0, 3.0, 4.0], &[1.0, 1.0, 2.0, 2.0, 3.0]).unwrap();
        // n = 5: 5·4·15 = 300; two tie groups of 2: 2·(2·1·9) = 36 → (300 - 36) / 18.
        assert!((mk.var_s - 264.0 / 18.0).abs() < 1e-12);
        assert!(
            mann_kendall(&[0.0, 1.0], &[1.0, 2.0]).is_none(),
            "3 points at least"
        );
    }
}
