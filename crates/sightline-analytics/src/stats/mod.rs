//! The numeric kernels behind the analyses, on plain `f64` slices: sums, moments, quantiles,
//! pandas-style `describe`, Pearson correlation and least squares, and the special functions
//! their p-values need. NaN means "no value" everywhere and is skipped, as pandas does.
//!
//! Public so the engine and the golden tests can use the exact numbers without a frame.

pub mod isolation;
pub mod mann_kendall;
mod moments;
mod optimize;
mod regression;
pub mod seasonality;
pub mod smoothing;
mod special;

pub use isolation::isolation_scores;
pub use mann_kendall::{MannKendall, mann_kendall};
pub use moments::{NormalityTest, kurtosis, normal_test, skewness};
pub use optimize::{Minimum, NelderMeadOptions, nelder_mead};
pub use regression::{LinearFit, Pearson, linregress, pearson, rank_average, spearman};
pub use special::{
    erfc, ln_beta, ln_gamma, normal_isf, normal_sf, regularized_incomplete_beta,
    student_t_two_sided_p,
};

use serde::Serialize;

use crate::ser::finite_opt;

/// The 97.5% quantile of the standard normal distribution: the half-width, in standard
/// deviations, of a two-sided 95% interval.
pub const Z_95: f64 = 1.959_963_984_540_054;

/// numpy's block size for pairwise summation.
const PAIRWISE_BLOCK: usize = 128;

/// Sum of `f(i)` for `i` in `0..n` by pairwise summation, the algorithm numpy uses (8 running
/// accumulators within blocks of 128, halves above): error grows with log n, not n.
pub(crate) fn pairwise_sum_by<F: Fn(usize) -> f64>(n: usize, f: &F) -> f64 {
    pairwise_sums(n, &|i| [f(i)])[0]
}

/// `K` pairwise sums in one pass over `0..n`: `f(i)` yields the `K` terms of row `i`. One pass
/// instead of `K` keeps large inputs in cache (correlations need three sums per pair).
pub(crate) fn pairwise_sums<const K: usize, F: Fn(usize) -> [f64; K]>(n: usize, f: &F) -> [f64; K] {
    fn add<const K: usize>(a: [f64; K], b: [f64; K]) -> [f64; K] {
        std::array::from_fn(|k| a[k] + b[k])
    }
    fn go<const K: usize, F: Fn(usize) -> [f64; K]>(lo: usize, n: usize, f: &F) -> [f64; K] {
        if n < 8 {
            (lo..lo + n).fold([0.0; K], |s, i| add(s, f(i)))
        } else if n <= PAIRWISE_BLOCK {
            let mut r: [[f64; K]; 8] = std::array::from_fn(|j| f(lo + j));
            let whole = n - n % 8;
            let mut i = 8;
            while i < whole {
                for (j, slot) in r.iter_mut().enumerate() {
                    *slot = add(*slot, f(lo + i + j));
                }
                i += 8;
            }
            let mut res = add(
                add(add(r[0], r[1]), add(r[2], r[3])),
                add(add(r[4], r[5]), add(r[6], r[7])),
            );
            for k in whole..n {
                res = add(res, f(lo + k));
            }
            res
        } else {
            let half = n / 2;
            let half = half - half % 8;
            add(go(lo, half, f), go(lo + half, n - half, f))
        }
    }
    go(0, n, f)
}

/// Pairwise sum of a slice.
pub fn sum(values: &[f64]) -> f64 {
    pairwise_sum_by(values.len(), &|i| values[i])
}

/// Mean of a slice with no NaN (NaN for an empty slice).
pub fn mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        f64::NAN
    } else {
        sum(values) / values.len() as f64
    }
}

/// Sample variance of a slice with no NaN around a known `mean`, two-pass as pandas computes
/// it: `sum((x - mean)^2) / (n - ddof)`; NaN when `n <= ddof`.
pub fn variance(values: &[f64], mean: f64, ddof: usize) -> f64 {
    let n = values.len();
    if n <= ddof {
        return f64::NAN;
    }
    pairwise_sum_by(n, &|i| {
        let d = values[i] - mean;
        d * d
    }) / (n - ddof) as f64
}

/// Mean and standard deviation (ddof=1) of the non-NaN values, with their count, like pandas
/// `Series.mean()` and `Series.std()`. Copies the values only when some are NaN.
pub fn mean_std(values: &[f64]) -> (f64, f64, usize) {
    let compact;
    let present: &[f64] = if values.iter().any(|v| v.is_nan()) {
        compact = values
            .iter()
            .copied()
            .filter(|v| !v.is_nan())
            .collect::<Vec<_>>();
        &compact
    } else {
        values
    };
    let m = mean(present);
    (m, variance(present, m, 1).sqrt(), present.len())
}

/// numpy's linear interpolation between `a` and `b`, written as numpy writes it so the last
/// bit agrees: from `b` downwards when `t >= 0.5`.
fn lerp(a: f64, b: f64, t: f64) -> f64 {
    let diff = b - a;
    if t >= 0.5 {
        b - diff * (1.0 - t)
    } else {
        a + diff * t
    }
}

/// Quantiles of `values` (no NaN; reordered in place) with linear interpolation, numpy's and
/// pandas' default. `qs` must be ascending within [0, 1]. Uses selection, not a full sort.
pub fn quantiles_in_place(values: &mut [f64], qs: &[f64]) -> Vec<f64> {
    let n = values.len();
    if n == 0 {
        return vec![f64::NAN; qs.len()];
    }
    let mut out = Vec::with_capacity(qs.len());
    // Everything left of `done` is <= everything from `done` on, so later (larger) quantiles
    // only need to search the right part.
    let mut done = 0;
    for &q in qs {
        let pos = q * (n - 1) as f64;
        let lo = (pos.floor() as usize).min(n - 1).max(done);
        let t = pos - lo as f64;
        let (_, at, right) = values[done..].select_nth_unstable_by(lo - done, f64::total_cmp);
        let a = *at;
        let value = if t > 0.0 && !right.is_empty() {
            let b = right.iter().copied().fold(f64::INFINITY, f64::min);
            lerp(a, b, t)
        } else {
            a
        };
        out.push(value);
        done = lo;
    }
    out
}

/// pandas `Series.describe()` of a numeric column: NaN skipped, std with ddof=1, quartiles by
/// linear interpolation. Statistics that do not exist (std of one value, anything of none, or
/// a non-finite result) are `None` and serialize as `null`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Describe {
    pub count: usize,
    pub mean: Option<f64>,
    pub std: Option<f64>,
    pub min: Option<f64>,
    #[serde(rename = "25%")]
    pub q25: Option<f64>,
    #[serde(rename = "50%")]
    pub q50: Option<f64>,
    #[serde(rename = "75%")]
    pub q75: Option<f64>,
    pub max: Option<f64>,
}

impl Describe {
    /// The 1.5×IQR fences `(q25 - 1.5·IQR, q75 + 1.5·IQR)`, when both quartiles exist.
    pub fn iqr_fences(&self) -> Option<(f64, f64)> {
        let (q1, q3) = (self.q25?, self.q75?);
        let iqr = q3 - q1;
        Some((q1 - 1.5 * iqr, q3 + 1.5 * iqr))
    }
}

/// `describe()` of `values`; `scratch` is reused between columns to avoid reallocating.
pub fn describe_with(values: &[f64], scratch: &mut Vec<f64>) -> Describe {
    scratch.clear();
    scratch.extend(values.iter().copied().filter(|v| !v.is_nan()));
    let n = scratch.len();
    let m = mean(scratch);
    let sd = variance(scratch, m, 1).sqrt();
    let (min, max) = scratch
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    let q = quantiles_in_place(scratch, &[0.25, 0.5, 0.75]);
    let present = |v: f64| if n == 0 { None } else { Some(v) };
    Describe {
        count: n,
        mean: finite_opt(m),
        std: finite_opt(sd),
        // min and max may legitimately be ±inf in the data; still, JSON cannot hold them.
        min: present(min).and_then(finite_opt),
        q25: finite_opt(q[0]),
        q50: finite_opt(q[1]),
        q75: finite_opt(q[2]),
        max: present(max).and_then(finite_opt),
    }
}

/// `describe()` of `values`.
pub fn describe(values: &[f64]) -> Describe {
    describe_with(values, &mut Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairwise_sum_matches_naive_sums_on_exact_values() {
        for n in [0usize, 1, 7, 8, 9, 127, 128, 129, 1000, 4099] {
            let v: Vec<f64> = (0..n).map(|i| i as f64).collect();
            let want = (n * n.saturating_sub(1) / 2) as f64;
            assert_eq!(sum(&v), want, "sum of 0..{n} is exact in f64");
        }
    }

    #[test]
    fn quantiles_match_numpy_linear() {
        // np.quantile([3,1,4,1,5,9,2,6], [0, .25, .5, .75, 1]) = [1, 1.75, 3.5, 5.25, 9]
        let mut v = vec![3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0];
        let got = quantiles_in_place(&mut v, &[0.0, 0.25, 0.5, 0.75, 1.0]);
        assert_eq!(
            got,
            vec![1.0, 1.75, 3.5, 5.25, 9.0],
            "numpy linear quantiles"
        );
        let mut one = vec![42.0];
        assert_eq!(
            quantiles_in_place(&mut one, &[0.25, 0.75]),
            vec![42.0, 42.0],
            "n=1"
        );
        let mut none: Vec<f64> = vec![];
        assert!(
            quantiles_in_place(&mut none, &[0.5])[0].is_nan(),
            "no values, no quantile"
        );
    }

    #[test]
    fn describe_skips_nan_and_reports_missing_statistics_as_none() {
        let d = describe(&[f64::NAN, 2.0, f64::NAN]);
        assert_eq!(d.count, 1, "NaN is not counted");
        assert_eq!(d.mean, Some(2.0), "mean of one value");
        assert_eq!(
            d.std, None,
            "std of one value needs ddof=1 and is undefined"
        );
        let empty = describe(&[f64::NAN]);
        assert_eq!(
            (empty.count, empty.min, empty.max),
            (0, None, None),
            "all NaN"
        );
    }
}
