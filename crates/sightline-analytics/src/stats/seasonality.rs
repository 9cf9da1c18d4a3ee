//! Seasonal period detection: the period the calendar suggests (7 for daily data, 12 for
//! monthly, ...) kept only when the autocorrelation of the detrended series confirms a cycle of
//! that length.

use crate::dates::Frequency;

/// The cycle length a calendar frequency suggests: a week of days, a year of weeks, months or
/// quarters. Years have none.
pub fn calendar_period(frequency: Frequency) -> Option<usize> {
    match frequency {
        Frequency::Day => Some(7),
        Frequency::Week => Some(52),
        Frequency::Month => Some(12),
        Frequency::Quarter => Some(4),
        Frequency::Year => None,
    }
}

/// Sample autocorrelation of `x` (no NaN) at `lag`, with the full-sample mean and variance in
/// the denominator as `statsmodels.tsa.stattools.acf` (so |r| ≤ 1).
pub fn autocorrelation(x: &[f64], lag: usize) -> f64 {
    let n = x.len();
    if lag >= n || n < 2 {
        return f64::NAN;
    }
    let m = super::mean(x);
    let denom: f64 = x.iter().map(|v| (v - m) * (v - m)).sum();
    if denom == 0.0 {
        return f64::NAN;
    }
    let num: f64 = (lag..n).map(|t| (x[t] - m) * (x[t - lag] - m)).sum();
    num / denom
}

/// The series minus its centred moving average of one cycle (2×m for even m): what is left is
/// the seasonal pattern and noise, with trend and slow swings removed. Shorter by m (the ends
/// have no centred window).
pub fn detrend(y: &[f64], m: usize) -> Vec<f64> {
    let n = y.len();
    let half = m / 2;
    if m < 2 || n <= 2 * half {
        return Vec::new();
    }
    (half..n - half)
        .map(|t| {
            let cma = if m.is_multiple_of(2) {
                let inner: f64 = y[t + 1 - half..t + half].iter().sum();
                (inner + 0.5 * (y[t - half] + y[t + half])) / m as f64
            } else {
                y[t - half..=t + half].iter().sum::<f64>() / m as f64
            };
            y[t] - cma
        })
        .collect()
}

/// The Pearson correlation of `x[t]` with `x[t - lag]` over the pairs there are. Unlike the
/// textbook ACF estimate, it is not shrunk by (n - lag) / n, which matters when the lag is a
/// large part of the series (a yearly cycle in three years of months).
pub fn lag_correlation(x: &[f64], lag: usize) -> f64 {
    if lag >= x.len() {
        return f64::NAN;
    }
    super::pearson(&x[lag..], &x[..x.len() - lag]).r
}

/// The seasonal period of `y` sampled at `frequency`, or `None`: the calendar period `m` when
/// the history holds at least two full cycles plus a few points and, on the series minus its
/// centred moving average, the correlation of each value with the one a cycle earlier is
/// positive and beyond the ±2/√pairs band of white noise.
pub fn detect_period(y: &[f64], frequency: Frequency) -> Option<usize> {
    let m = calendar_period(frequency)?;
    if y.len() < 2 * m + 3 {
        return None;
    }
    let rest = detrend(y, m);
    let r = lag_correlation(&rest, m);
    let band = 2.0 / ((rest.len() - m) as f64).sqrt();
    (r.is_finite() && r > band).then_some(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_weekly_cycle_in_daily_data_is_found_and_noise_is_not() {
        // A Monday dip on a rising line, with noise from a fixed linear congruential generator.
        let mut state: u64 = 12_345;
        let mut noise = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            ((state >> 33) as f64 / (1u64 << 31) as f64 - 0.5) * 20.0
        };
        let weekly: Vec<f64> = (0..140)
            .map(|t| {
                let dip = if t % 7 == 0 { -30.0 } else { 0.0 };
                100.0 + 0.5 * t as f64 + dip + noise()
            })
            .collect();
        assert_eq!(detect_period(&weekly, Frequency::Day), Some(7));
        let flat: Vec<f64> = (0..140).map(|_| noise()).collect();
        assert_eq!(detect_period(&flat, Frequency::Day), None);
        assert_eq!(
            detect_period(&weekly[..15], Frequency::Day),
            None,
            "too short"
        );
        assert_eq!(
            detect_period(&weekly, Frequency::Year),
            None,
            "years have no cycle"
        );
    }

    #[test]
    fn autocorrelation_matches_statsmodels_acf() {
        // statsmodels.tsa.stattools.acf([1, 3, 2, 5, 4, 6], nlags=2) = [1, 0.1, 0.342857...]
        let x = [1.0, 3.0, 2.0, 5.0, 4.0, 6.0];
        let r1 = autocorrelation(&x, 1);
        let r2 = autocorrelation(&x, 2);
        assert!((r1 - 0.1).abs() < 1e-12, "lag 1: {r1}");
        assert!((r2 - 0.342_857_142_857_142_9).abs() < 1e-12, "lag 2: {r2}");
    }
}
