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
mod scan;
pub mod seasonality;
pub mod smoothing;
mod special;

pub use isolation::isolation_scores;
pub use mann_kendall::{MannKendall, mann_kendall};
pub use moments::{NormalityTest, kurtosis, normal_test, shape_of, skewness};
pub use optimize::{Minimum, NelderMeadOptions, nelder_mead};
pub(crate) use regression::correlation_p_value;
pub use regression::{LinearFit, Pearson, linregress, pearson, rank_average, spearman};
pub(crate) use scan::{Scan, Wanted, scan};
pub use special::{
    erfc, ln_beta, ln_gamma, normal_isf, normal_sf, regularized_incomplete_beta,
    student_t_two_sided_p,
};

use serde::Serialize;

use crate::ser::finite_opt;

/// The 97.5% quantile of the standard normal distribution: the half-width, in standard
/// deviations, of a two-sided 95% interval.
pub const Z_95: f64 = 1.959_963_984_540_054;

/// A number the kernels read as `f64`: floats as they are, integers widened as they are read
/// (exactly as a cast to `Float64` would), so an integer column needs no converted copy.
pub(crate) trait AsF64: Copy + Send + Sync {
    fn f64(self) -> f64;
}

impl AsF64 for f64 {
    #[inline(always)]
    fn f64(self) -> f64 {
        self
    }
}

impl AsF64 for i64 {
    #[inline(always)]
    fn f64(self) -> f64 {
        self as f64
    }
}

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

/// The non-NaN values of `values`: `values` itself when none is NaN, else a copy of the others
/// in `scratch` (which callers may reuse between columns to avoid reallocating).
pub(crate) fn without_nan<'a>(values: &'a [f64], scratch: &'a mut Vec<f64>) -> &'a [f64] {
    if values.iter().any(|v| v.is_nan()) {
        scratch.clear();
        scratch.extend(values.iter().copied().filter(|v| !v.is_nan()));
        scratch
    } else {
        values
    }
}

/// Mean and standard deviation (ddof=1) of the non-NaN values, with their count, like pandas
/// `Series.mean()` and `Series.std()`. Copies the values only when some are NaN.
pub fn mean_std(values: &[f64]) -> (f64, f64, usize) {
    let mut scratch = Vec::new();
    let present = without_nan(values, &mut scratch);
    let m = mean(present);
    (m, variance(present, m, 1).sqrt(), present.len())
}

/// numpy's linear interpolation between `a` and `b`, written as numpy writes it so the last
/// bit agrees: from `b` downwards when `t >= 0.5`.
pub(crate) fn lerp(a: f64, b: f64, t: f64) -> f64 {
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
    let present = without_nan(values, scratch);
    let m = mean(present);
    describe_present(present, m, variance(present, m, 1).sqrt())
}

/// `describe()` of values with no NaN, whose mean `m` and standard deviation `sd` are known.
fn describe_present(present: &[f64], m: f64, sd: f64) -> Describe {
    let (min, max) = present
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    let q = quantiles(present, &[0.25, 0.5, 0.75]);
    describe_parts(present.len(), m, sd, min, [q[0], q[1], q[2]], max)
}

/// `describe()` from its parts: the count, mean, standard deviation, extremes and quartiles.
pub(crate) fn describe_parts(
    n: usize,
    m: f64,
    sd: f64,
    min: f64,
    q: [f64; 3],
    max: f64,
) -> Describe {
    let exists = |v: f64| if n == 0 { None } else { Some(v) };
    Describe {
        count: n,
        mean: finite_opt(m),
        std: finite_opt(sd),
        // min and max may legitimately be ±inf in the data; still, JSON cannot hold them.
        min: exists(min).and_then(finite_opt),
        q25: finite_opt(q[0]),
        q50: finite_opt(q[1]),
        q75: finite_opt(q[2]),
        max: exists(max).and_then(finite_opt),
    }
}

/// Below this many values [`quantiles`] selects in a copy; above, it finds the order
/// statistics through a histogram and never copies more than the buckets that hold them.
pub(crate) const HISTOGRAM_QUANTILES_MIN: usize = 65_536;

/// A `u64` whose unsigned order is `f64::total_cmp`'s order of `v`.
pub(crate) fn order_key(v: f64) -> u64 {
    let bits = v.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

/// Quantiles of the non-NaN `values` with linear interpolation, exactly as
/// [`quantiles_in_place`] computes them, without reordering or copying `values`. On large
/// inputs it is a radix selection: one pass counts the values per bucket of the top 16 bits of
/// an order-preserving key (a 256 KiB table, so it stays in cache), the prefix sums say which
/// bucket holds each wanted order statistic, and a second pass collects only those buckets'
/// values, among which the statistic is selected. Two streaming passes cost less than copying
/// a million values into fresh memory and selecting there.
pub fn quantiles(values: &[f64], qs: &[f64]) -> Vec<f64> {
    let small = || {
        let mut copy: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
        quantiles_in_place(&mut copy, qs)
    };
    if values.len() < HISTOGRAM_QUANTILES_MIN {
        return small();
    }
    let mut counts = vec![0u32; 1 << 16];
    let mut n = 0usize;
    for &v in values {
        if !v.is_nan() {
            counts[(order_key(v) >> 48) as usize] += 1;
            n += 1;
        }
    }
    if n == 0 || u32::try_from(n).is_err() {
        return small();
    }
    // Per quantile: the rank below its position and, when it falls between two, the next.
    let wanted: Vec<(usize, usize, f64)> = qs.iter().map(|&q| ranks_of(q, n)).collect();
    // Bucket of each rank, and the rank's place within its bucket.
    let mut starts = vec![0usize; 1 << 16];
    let mut total = 0usize;
    for (b, c) in counts.iter().enumerate() {
        starts[b] = total;
        total += *c as usize;
    }
    let locate = |rank: usize| -> (usize, usize) {
        let b = starts.partition_point(|&s| s <= rank) - 1;
        (b, rank - starts[b])
    };
    let mut buckets: Vec<usize> = wanted
        .iter()
        .flat_map(|&(lo, hi, _)| [locate(lo).0, locate(hi).0])
        .collect();
    buckets.sort_unstable();
    buckets.dedup();
    let mut members: Vec<Vec<f64>> = buckets
        .iter()
        .map(|&b| Vec::with_capacity(counts[b] as usize))
        .collect();
    for &v in values {
        if v.is_nan() {
            continue;
        }
        let b = (order_key(v) >> 48) as usize;
        if let Ok(i) = buckets.binary_search(&b) {
            members[i].push(v);
        }
    }
    let mut order_statistic = |rank: usize| -> f64 {
        let (b, within) = locate(rank);
        let Ok(i) = buckets.binary_search(&b) else {
            return f64::NAN;
        };
        *members[i].select_nth_unstable_by(within, f64::total_cmp).1
    };
    wanted
        .iter()
        .map(|&(lo, hi, t)| {
            let a = order_statistic(lo);
            if hi > lo {
                lerp(a, order_statistic(hi), t)
            } else {
                a
            }
        })
        .collect()
}

/// `describe()` of `values` and the shape statistics of [`shape_of`], sharing one mean and one
/// pass for the central sums (Σd² is both the variance's numerator and the second moment):
/// the numbers equal [`describe`]'s and [`shape_of`]'s.
pub fn describe_and_shape(
    values: &[f64],
    scratch: &mut Vec<f64>,
) -> (Describe, (f64, f64, Option<NormalityTest>)) {
    let present = without_nan(values, scratch);
    let n = present.len();
    let m = mean(present);
    let sums = moments::central_sums_of_present(present, m);
    // `variance` divides the same pairwise Σd² by n - 1.
    let sd = if n <= 1 {
        f64::NAN
    } else {
        (sums.1 / (n - 1) as f64).sqrt()
    };
    (describe_present(present, m, sd), moments::shape_from(sums))
}

/// [`describe_and_shape`] from a [`Scan`] (which asked for the higher moments).
pub(crate) fn describe_and_shape_of(s: &Scan) -> (Describe, (f64, f64, Option<NormalityTest>)) {
    let sd = if s.n <= 1 {
        f64::NAN
    } else {
        (s.s2 / (s.n - 1) as f64).sqrt()
    };
    (
        describe_parts(s.n, s.mean, sd, s.min, s.quartiles, s.max),
        moments::shape_from((s.n, s.s2, s.s3, s.s4)),
    )
}

/// `describe()` of `values`.
pub fn describe(values: &[f64]) -> Describe {
    describe_with(values, &mut Vec::new())
}

/// Where quantile `q` of `n` sorted values falls (linear interpolation, pandas' default): the
/// rank below its position, the rank above (the same when it falls on one) and the fraction
/// between them.
pub(crate) fn ranks_of(q: f64, n: usize) -> (usize, usize, f64) {
    let pos = q * (n - 1) as f64;
    let lo = (pos.floor() as usize).min(n - 1);
    let t = pos - lo as f64;
    let hi = if t > 0.0 { (lo + 1).min(n - 1) } else { lo };
    (lo, hi, t)
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
    fn histogram_quantiles_equal_a_full_selection() {
        // Skewed, tied, signed and NaN-holding values in a fixed pseudo-random order, then
        // the same values sorted, then a constant: each past the histogram's threshold.
        let mut state: u64 = 7;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut values: Vec<f64> = (0..200_003)
            .map(|i| {
                let u = next();
                match i % 997 {
                    0 => f64::NAN,
                    1 => -0.0,
                    2 => 0.0,
                    _ => ((u * 6.0).exp() - 3.0).round() / 10.0,
                }
            })
            .collect();
        let qs = [0.0, 0.1, 0.25, 0.5, 0.75, 0.99, 1.0];
        let want = |v: &[f64]| {
            let mut copy: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
            quantiles_in_place(&mut copy, &qs)
        };
        assert_eq!(quantiles(&values, &qs), want(&values), "shuffled");
        values.sort_by(f64::total_cmp);
        assert_eq!(quantiles(&values, &qs), want(&values), "sorted");
        let constant = vec![3.5; 100_000];
        assert_eq!(quantiles(&constant, &qs), vec![3.5; qs.len()], "constant");
        assert!(
            quantiles(&vec![f64::NAN; 100_000], &qs)[0].is_nan(),
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
