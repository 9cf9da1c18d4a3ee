//! The shape of a distribution: skewness and excess kurtosis with pandas' bias corrections
//! (`Series.skew()`, `Series.kurt()`), and D'Agostino and Pearson's K² omnibus test of
//! normality, as `scipy.stats.normaltest`.
//!
//! References: D'Agostino, R. B. (1970), "Transformation to normality of the null distribution
//! of g1", Biometrika 57; Anscombe, F. J. & Glynn, W. J. (1983), "Distribution of the kurtosis
//! statistic b2 for normal samples", Biometrika 70; D'Agostino, R. B. & Pearson, E. S. (1973),
//! "Tests for departure from normality", Biometrika 60. The formulas follow scipy's
//! `skewtest` and `kurtosistest` line by line.

use serde::Serialize;

use super::{mean, pairwise_sums, without_nan};
use crate::ser;

/// Central moment sums of the non-NaN values: (n, Σd², Σd³, Σd⁴) with d = x - mean, the three
/// sums in one pass (each summed pairwise, in the same order as three separate passes would).
/// Copies the values only when some are NaN.
fn central_sums(values: &[f64]) -> (usize, f64, f64, f64) {
    let mut scratch = Vec::new();
    let present = without_nan(values, &mut scratch);
    central_sums_of_present(present, mean(present))
}

/// Skewness, kurtosis and the normality test of `values` from one computation of the central
/// moments; each equals what [`skewness`], [`kurtosis`] and [`normal_test`] return.
pub fn shape_of(values: &[f64]) -> (f64, f64, Option<NormalityTest>) {
    shape_from(central_sums(values))
}

/// The same from the central sums `(n, Σd², Σd³, Σd⁴)` of the values without NaN around their
/// mean (as [`central_sums_of_present`] makes them).
pub(crate) fn shape_from(sums: (usize, f64, f64, f64)) -> (f64, f64, Option<NormalityTest>) {
    (skew_from(sums), kurt_from(sums), normal_from(sums))
}

/// Central sums of values with no NaN around their (already computed) mean `m`.
pub(crate) fn central_sums_of_present(present: &[f64], m: f64) -> (usize, f64, f64, f64) {
    let n = present.len();
    if n == 0 {
        return (0, f64::NAN, f64::NAN, f64::NAN);
    }
    let [s2, s3, s4] = pairwise_sums(n, &|i| {
        let d = present[i] - m;
        [d.powi(2), d.powi(3), d.powi(4)]
    });
    (n, s2, s3, s4)
}

/// pandas `Series.skew()`: the adjusted Fisher-Pearson coefficient
/// G1 = √(n(n-1)) / (n-2) · m3 / m2^{3/2}; NaN below 3 values, 0 for a constant column.
pub fn skewness(values: &[f64]) -> f64 {
    skew_from(central_sums(values))
}

fn skew_from((n, s2, s3, _): (usize, f64, f64, f64)) -> f64 {
    if n < 3 {
        return f64::NAN;
    }
    let nf = n as f64;
    let (m2, m3) = (s2 / nf, s3 / nf);
    if m2 == 0.0 {
        return 0.0;
    }
    (nf * (nf - 1.0)).sqrt() / (nf - 2.0) * m3 / m2.powf(1.5)
}

/// pandas `Series.kurt()`: excess kurtosis with the unbiased estimator
/// G2 = (n-1) / ((n-2)(n-3)) · ((n+1)·m4/m2² - 3(n-1)); NaN below 4 values, 0 for a constant.
pub fn kurtosis(values: &[f64]) -> f64 {
    kurt_from(central_sums(values))
}

fn kurt_from((n, s2, _, s4): (usize, f64, f64, f64)) -> f64 {
    if n < 4 {
        return f64::NAN;
    }
    let nf = n as f64;
    let (m2, m4) = (s2 / nf, s4 / nf);
    if m2 == 0.0 {
        return 0.0;
    }
    (nf - 1.0) / ((nf - 2.0) * (nf - 3.0)) * ((nf + 1.0) * m4 / (m2 * m2) - 3.0 * (nf - 1.0))
}

/// A test of normality.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NormalityTest {
    /// "D'Agostino-Pearson K²".
    pub test: String,
    #[serde(serialize_with = "ser::finite")]
    pub statistic: f64,
    #[serde(serialize_with = "ser::finite")]
    pub p_value: f64,
}

/// D'Agostino and Pearson's K² = Z(g1)² + Z(b2)², chi-squared with 2 degrees of freedom under
/// normality, on the non-NaN values; `None` below 8 values (scipy refuses those) or for a
/// constant column.
pub fn normal_test(values: &[f64]) -> Option<NormalityTest> {
    normal_from(central_sums(values))
}

fn normal_from((n, s2, s3, s4): (usize, f64, f64, f64)) -> Option<NormalityTest> {
    if n < 8 {
        return None;
    }
    let nf = n as f64;
    let (m2, m3, m4) = (s2 / nf, s3 / nf, s4 / nf);
    if m2 <= 0.0 {
        return None;
    }
    // skewtest: the biased g1, transformed by D'Agostino (1970).
    let b2 = m3 / m2.powf(1.5);
    let mut y = b2 * (((nf + 1.0) * (nf + 3.0)) / (6.0 * (nf - 2.0))).sqrt();
    let beta2 = 3.0 * (nf * nf + 27.0 * nf - 70.0) * (nf + 1.0) * (nf + 3.0)
        / ((nf - 2.0) * (nf + 5.0) * (nf + 7.0) * (nf + 9.0));
    let w2 = -1.0 + (2.0 * (beta2 - 1.0)).sqrt();
    let delta = 1.0 / (0.5 * w2.ln()).sqrt();
    let alpha = (2.0 / (w2 - 1.0)).sqrt();
    if y == 0.0 {
        y = 1.0;
    }
    let z1 = delta * (y / alpha + ((y / alpha).powi(2) + 1.0).sqrt()).ln();

    // kurtosistest: the biased b2 (not excess), transformed by Anscombe & Glynn (1983).
    let b2k = m4 / (m2 * m2);
    let e = 3.0 * (nf - 1.0) / (nf + 1.0);
    let varb2 =
        24.0 * nf * (nf - 2.0) * (nf - 3.0) / ((nf + 1.0) * (nf + 1.0) * (nf + 3.0) * (nf + 5.0));
    let x = (b2k - e) / varb2.sqrt();
    let sqrtbeta1 = 6.0 * (nf * nf - 5.0 * nf + 2.0) / ((nf + 7.0) * (nf + 9.0))
        * ((6.0 * (nf + 3.0) * (nf + 5.0)) / (nf * (nf - 2.0) * (nf - 3.0))).sqrt();
    let a =
        6.0 + 8.0 / sqrtbeta1 * (2.0 / sqrtbeta1 + (1.0 + 4.0 / (sqrtbeta1 * sqrtbeta1)).sqrt());
    let term1 = 1.0 - 2.0 / (9.0 * a);
    let denom = 1.0 + x * (2.0 / (a - 4.0)).sqrt();
    if denom == 0.0 {
        return None;
    }
    let term2 = denom.signum() * ((1.0 - 2.0 / a) / denom.abs()).powf(1.0 / 3.0);
    let z2 = (term1 - term2) / (2.0 / (9.0 * a)).sqrt();

    let k2 = z1 * z1 + z2 * z2;
    // The chi-squared survival function with 2 degrees of freedom is exp(-x/2).
    Some(NormalityTest {
        test: "D'Agostino-Pearson K²".to_string(),
        statistic: k2,
        p_value: (-k2 / 2.0).exp(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_samples_have_no_shape_statistics() {
        assert!(skewness(&[1.0, 2.0]).is_nan(), "skew needs 3 values");
        assert!(
            kurtosis(&[1.0, 2.0, 3.0]).is_nan(),
            "kurtosis needs 4 values"
        );
        assert!(
            normal_test(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]).is_none(),
            "K² needs 8"
        );
        assert_eq!(
            skewness(&[2.0, 2.0, 2.0]),
            0.0,
            "pandas gives 0 for a constant"
        );
    }

    #[test]
    fn textbook_values() {
        // pandas: pd.Series([1, 2, 3, 10]).skew() = 1.7636..., .kurt() = 3.228
        let v = [1.0, 2.0, 3.0, 10.0];
        assert!(
            (skewness(&v) - 1.763_632_614_803_888).abs() < 1e-12,
            "{}",
            skewness(&v)
        );
        assert!((kurtosis(&v) - 3.228).abs() < 1e-12, "{}", kurtosis(&v));
    }
}
