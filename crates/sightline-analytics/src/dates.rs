//! Dates as SQLite databases hold them (text in several shapes, or integers), the sampling
//! frequency of a dated series, and stepping a date forward by whole periods.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::error::AnalysisError;

/// Years accepted from a bare number ("2024", 2024, 20240131): outside this range a number is
/// far more likely an amount or an id than a date.
const PLAUSIBLE_YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

/// Days from 0001-01-01 (chrono's day 1) to 1970-01-01, the epoch of polars `Date`.
const UNIX_EPOCH_FROM_CE: i32 = 719_163;

/// How often a series is sampled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Frequency {
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

impl Frequency {
    /// Every frequency, shortest first.
    pub const ALL: [Frequency; 5] = [
        Frequency::Day,
        Frequency::Week,
        Frequency::Month,
        Frequency::Quarter,
        Frequency::Year,
    ];

    /// The wire name, also the singular noun ("month").
    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Day => "day",
            Frequency::Week => "week",
            Frequency::Month => "month",
            Frequency::Quarter => "quarter",
            Frequency::Year => "year",
        }
    }

    /// "day" or "days" for `n`.
    pub fn noun(self, n: usize) -> String {
        if n == 1 {
            self.as_str().to_string()
        } else {
            format!("{}s", self.as_str())
        }
    }

    /// "daily", "weekly", ...
    pub fn adjective(self) -> &'static str {
        match self {
            Frequency::Day => "daily",
            Frequency::Week => "weekly",
            Frequency::Month => "monthly",
            Frequency::Quarter => "quarterly",
            Frequency::Year => "yearly",
        }
    }

    /// The frequency whose nominal length is nearest a median gap of `days` between dates.
    pub fn from_gap_days(days: f64) -> Frequency {
        // Cut points lie between the nominal lengths 1, 7, ~30.4, ~91.3 and ~365.2 days, so
        // that calendar jitter (28..31-day months) never changes the answer.
        if days < 4.0 {
            Frequency::Day
        } else if days < 18.0 {
            Frequency::Week
        } else if days < 60.0 {
            Frequency::Month
        } else if days < 200.0 {
            Frequency::Quarter
        } else {
            Frequency::Year
        }
    }

    /// Detects the frequency of ascending, distinct `dates` from the median gap between
    /// neighbours; `None` with fewer than two dates.
    pub fn detect(dates: &[NaiveDate]) -> Option<Frequency> {
        let mut gaps: Vec<i64> = dates.windows(2).map(|w| (w[1] - w[0]).num_days()).collect();
        if gaps.is_empty() {
            return None;
        }
        let mid = gaps.len() / 2;
        let (lower, upper, _) = gaps.select_nth_unstable(mid);
        let upper = *upper;
        let median = if dates.len() % 2 == 1 {
            // An even number of gaps: average the two middle ones.
            let lower_mid = lower.iter().copied().max().unwrap_or(upper);
            (lower_mid + upper) as f64 / 2.0
        } else {
            upper as f64
        };
        Some(Frequency::from_gap_days(median))
    }

    /// The date `periods` whole periods after `from`. Monthly steps keep month ends on month
    /// ends (2024-01-31 → 2024-02-29 → 2024-03-31) and otherwise keep the day of the month,
    /// clamped to the month's length; steps are counted from `from`, so they never drift.
    pub fn step(self, from: NaiveDate, periods: u32) -> Option<NaiveDate> {
        let months = match self {
            Frequency::Day => return from.checked_add_days(Days::new(u64::from(periods))),
            Frequency::Week => {
                return from.checked_add_days(Days::new(7 * u64::from(periods)));
            }
            Frequency::Month => periods,
            Frequency::Quarter => periods.checked_mul(3)?,
            Frequency::Year => periods.checked_mul(12)?,
        };
        let stepped = from.checked_add_months(Months::new(months))?;
        if is_month_end(from) {
            month_end(stepped)
        } else {
            Some(stepped)
        }
    }

    /// The number of whole periods from `origin` to `date` (negative before it). Weeks are
    /// rounded to the nearest whole week; months, quarters and years count calendar
    /// boundaries, so 2024-01-31 and 2024-02-01 are one month apart.
    pub fn periods_between(self, origin: NaiveDate, date: NaiveDate) -> i64 {
        let month_index = |d: NaiveDate| i64::from(d.year()) * 12 + i64::from(d.month0());
        match self {
            Frequency::Day => (date - origin).num_days(),
            Frequency::Week => ((date - origin).num_days() as f64 / 7.0).round() as i64,
            Frequency::Month => month_index(date) - month_index(origin),
            Frequency::Quarter => {
                month_index(date).div_euclid(3) - month_index(origin).div_euclid(3)
            }
            Frequency::Year => i64::from(date.year()) - i64::from(origin.year()),
        }
    }
}

impl fmt::Display for Frequency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Frequency {
    type Err = AnalysisError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        let found = match wanted.as_str() {
            "day" | "daily" | "d" => Frequency::Day,
            "week" | "weekly" | "w" => Frequency::Week,
            "month" | "monthly" | "m" => Frequency::Month,
            "quarter" | "quarterly" | "q" => Frequency::Quarter,
            "year" | "yearly" | "annual" | "y" => Frequency::Year,
            _ => {
                return Err(AnalysisError::InvalidOption(format!(
                    "Unknown frequency '{s}'; choose one of day, week, month, quarter, year."
                )));
            }
        };
        Ok(found)
    }
}

fn is_month_end(d: NaiveDate) -> bool {
    d.succ_opt().is_none_or(|next| next.month() != d.month())
}

fn month_end(d: NaiveDate) -> Option<NaiveDate> {
    let first = d.with_day(1)?;
    first.checked_add_months(Months::new(1))?.pred_opt()
}

/// The date of a polars `Date` value (days since 1970-01-01).
pub(crate) fn from_epoch_days(days: i32) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(days.checked_add(UNIX_EPOCH_FROM_CE)?)
}

/// Reads an integer date column value: a year (1900..=2200) or `yyyymmdd`.
pub(crate) fn date_from_int(v: i64) -> Option<NaiveDate> {
    let year_of = |y: i64| {
        i32::try_from(y)
            .ok()
            .filter(|y| PLAUSIBLE_YEARS.contains(y))
    };
    if let Some(year) = year_of(v) {
        return NaiveDate::from_ymd_opt(year, 1, 1);
    }
    if (10_000_000..100_000_000).contains(&v) {
        let year = year_of(v / 10_000)?;
        let month = u32::try_from(v / 100 % 100).ok()?;
        let day = u32::try_from(v % 100).ok()?;
        return NaiveDate::from_ymd_opt(year, month, day);
    }
    None
}

/// Parse the date formats SQLite databases hold as text: `YYYY-MM-DD`,
/// `YYYY-MM-DD HH:MM:SS[.fff]`, `YYYY-MM-DDTHH:MM:SS[Z|±HH:MM]` (the time is dropped),
/// `YYYY-MM` (first of the month), `YYYY` (only within 1900..=2200), `YYYY-Www` (Monday of the
/// ISO week), `YYYY-Qn` (first day of the quarter) and `yyyymmdd`. `/` works in place of `-`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.trim().as_bytes();
    if b.len() < 4 {
        return None;
    }
    if b.len() == 8 && b.iter().all(u8::is_ascii_digit) {
        return date_from_int(i64::from(digits(b)?));
    }
    let year = i32::try_from(digits(&b[..4])?).ok()?;
    if b.len() == 4 {
        return PLAUSIBLE_YEARS
            .contains(&year)
            .then(|| NaiveDate::from_ymd_opt(year, 1, 1))
            .flatten();
    }
    let sep = b[4];
    if sep != b'-' && sep != b'/' {
        return None;
    }
    match &b[5..] {
        [b'W' | b'w', week @ ..] if week.len() == 2 => {
            NaiveDate::from_isoywd_opt(year, digits(week)?, Weekday::Mon)
        }
        [b'Q' | b'q', q] => {
            let quarter = digits(&[*q])?;
            if !(1..=4).contains(&quarter) {
                return None;
            }
            NaiveDate::from_ymd_opt(year, (quarter - 1) * 3 + 1, 1)
        }
        [m1, m2] => NaiveDate::from_ymd_opt(year, digits(&[*m1, *m2])?, 1),
        rest if rest.len() >= 5 && rest[2] == sep => {
            let date = NaiveDate::from_ymd_opt(year, digits(&rest[..2])?, digits(&rest[3..5])?)?;
            let tail = &rest[5..];
            (tail.is_empty() || is_time_tail(tail)).then_some(date)
        }
        _ => None,
    }
}

/// The value of an all-digit byte string, `None` if any byte is not a digit.
fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 9 {
        return None;
    }
    b.iter().try_fold(0u32, |acc, c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

/// Whether `tail` is a time after a date: ` HH:MM[:SS[.fff]]` or `THH:MM...` with an optional
/// zone (`Z`, `±HH:MM`).
fn is_time_tail(tail: &[u8]) -> bool {
    let [sep, h1, h2, b':', m1, m2, rest @ ..] = tail else {
        return false;
    };
    if !matches!(sep, b' ' | b'T' | b't') {
        return false;
    }
    let (Some(hour), Some(minute)) = (digits(&[*h1, *h2]), digits(&[*m1, *m2])) else {
        return false;
    };
    hour < 24
        && minute < 60
        && rest
            .iter()
            .all(|c| c.is_ascii_digit() || matches!(c, b':' | b'.' | b'+' | b'-' | b'Z' | b'z'))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a wrong literal date in a test should stop the test
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn parse_date_reads_every_sqlite_text_shape() {
        let cases: &[(&str, Option<NaiveDate>)] = &[
            ("2024-02-29", Some(d(2024, 2, 29))),
            ("  2024-02-29 ", Some(d(2024, 2, 29))),
            ("2024/02/29", Some(d(2024, 2, 29))),
            ("2024-02-29 13:45:07", Some(d(2024, 2, 29))),
            ("2024-02-29 13:45:07.123", Some(d(2024, 2, 29))),
            ("2024-02-29 13:45", Some(d(2024, 2, 29))),
            ("2024-02-29T13:45:07", Some(d(2024, 2, 29))),
            ("2024-02-29T13:45:07Z", Some(d(2024, 2, 29))),
            ("2024-02-29T13:45:07+02:00", Some(d(2024, 2, 29))),
            ("2024-03", Some(d(2024, 3, 1))),
            ("2024", Some(d(2024, 1, 1))),
            ("2024-W01", Some(d(2024, 1, 1))),
            ("2021-W01", Some(d(2021, 1, 4))),
            ("2020-W53", Some(d(2020, 12, 28))),
            ("2024-Q1", Some(d(2024, 1, 1))),
            ("2024-q4", Some(d(2024, 10, 1))),
            ("20240131", Some(d(2024, 1, 31))),
            // Not dates: impossible days, wrong shapes, numbers that are not plausible years.
            ("2023-02-29", None),
            ("2024-13", None),
            ("2024-Q5", None),
            ("2021-W53", None),
            ("1234", None),
            ("9999", None),
            ("12345678", None),
            ("2024-02-29 25:00", None),
            ("2024-02-29 noon", None),
            ("2024-02-29x", None),
            ("revenue", None),
            ("", None),
            ("15.5", None),
        ];
        for (text, want) in cases {
            assert_eq!(
                parse_date(text),
                *want,
                "parse_date({text:?}) should give {want:?}"
            );
        }
    }

    #[test]
    fn integer_dates_are_years_or_yyyymmdd() {
        let cases = [
            (2024, Some(d(2024, 1, 1))),
            (20240229, Some(d(2024, 2, 29))),
            (20230229, None),
            (42, None),
            (123_456, None),
            (25_000_101, None),
        ];
        for (v, want) in cases {
            assert_eq!(
                date_from_int(v),
                want,
                "date_from_int({v}) should give {want:?}"
            );
        }
    }

    #[test]
    fn epoch_days_match_polars_dates() {
        assert_eq!(
            from_epoch_days(0),
            Some(d(1970, 1, 1)),
            "day 0 is the Unix epoch"
        );
        assert_eq!(
            from_epoch_days(19_782),
            Some(d(2024, 2, 29)),
            "polars Date 19782 is 2024-02-29"
        );
        assert_eq!(
            from_epoch_days(-1),
            Some(d(1969, 12, 31)),
            "negative days are before 1970"
        );
    }

    #[test]
    fn frequency_is_detected_from_the_median_gap() {
        let series = |start: NaiveDate, f: Frequency, n: u32| -> Vec<NaiveDate> {
            (0..n).map(|i| f.step(start, i).unwrap()).collect()
        };
        for f in Frequency::ALL {
            for start in [d(2023, 1, 1), d(2024, 1, 31), d(2024, 2, 29)] {
                let dates = series(start, f, 12);
                assert_eq!(
                    Frequency::detect(&dates),
                    Some(f),
                    "12 {f} steps from {start}"
                );
            }
        }
        // One missing day in a daily series and a few irregular gaps do not change the answer.
        let mut daily = series(d(2024, 1, 1), Frequency::Day, 30);
        daily.remove(10);
        assert_eq!(
            Frequency::detect(&daily),
            Some(Frequency::Day),
            "a gap in daily data"
        );
        let weekdays: Vec<NaiveDate> = series(d(2024, 1, 1), Frequency::Day, 28)
            .into_iter()
            .filter(|x| x.weekday().num_days_from_monday() < 5)
            .collect();
        assert_eq!(
            Frequency::detect(&weekdays),
            Some(Frequency::Day),
            "weekdays only"
        );
        // Two dates: the single gap decides; one date cannot say.
        assert_eq!(
            Frequency::detect(&[d(2024, 1, 1), d(2024, 4, 1)]),
            Some(Frequency::Quarter),
            "91 days apart is a quarter"
        );
        assert_eq!(
            Frequency::detect(&[d(2024, 1, 1)]),
            None,
            "one date has no gap"
        );
        assert_eq!(Frequency::detect(&[]), None, "no dates");
    }

    #[test]
    fn stepping_keeps_month_ends_and_handles_leap_years() {
        let cases = [
            (Frequency::Day, d(2024, 2, 28), 1, d(2024, 2, 29)),
            (Frequency::Day, d(2023, 2, 28), 1, d(2023, 3, 1)),
            (Frequency::Day, d(2024, 12, 31), 1, d(2025, 1, 1)),
            (Frequency::Week, d(2024, 12, 30), 1, d(2025, 1, 6)),
            (Frequency::Month, d(2024, 1, 1), 1, d(2024, 2, 1)),
            (Frequency::Month, d(2024, 11, 1), 3, d(2025, 2, 1)),
            (Frequency::Month, d(2024, 1, 31), 1, d(2024, 2, 29)),
            (Frequency::Month, d(2024, 1, 31), 2, d(2024, 3, 31)),
            (Frequency::Month, d(2024, 2, 29), 1, d(2024, 3, 31)),
            (Frequency::Month, d(2023, 1, 31), 1, d(2023, 2, 28)),
            (Frequency::Month, d(2024, 4, 30), 1, d(2024, 5, 31)),
            (Frequency::Month, d(2024, 1, 15), 1, d(2024, 2, 15)),
            (Frequency::Month, d(2024, 1, 30), 1, d(2024, 2, 29)),
            (Frequency::Month, d(2024, 1, 30), 2, d(2024, 3, 30)),
            (Frequency::Quarter, d(2024, 10, 1), 1, d(2025, 1, 1)),
            (Frequency::Quarter, d(2024, 3, 31), 1, d(2024, 6, 30)),
            (Frequency::Quarter, d(2023, 11, 30), 1, d(2024, 2, 29)),
            (Frequency::Year, d(2024, 1, 1), 2, d(2026, 1, 1)),
            (Frequency::Year, d(2024, 2, 29), 1, d(2025, 2, 28)),
            (Frequency::Year, d(2024, 2, 29), 4, d(2028, 2, 29)),
            (Frequency::Year, d(2023, 12, 31), 1, d(2024, 12, 31)),
        ];
        for (f, from, n, want) in cases {
            assert_eq!(
                f.step(from, n),
                Some(want),
                "{from} + {n} {f}(s) should be {want}"
            );
        }
    }

    #[test]
    fn periods_between_counts_calendar_periods() {
        let cases = [
            (Frequency::Day, d(2024, 2, 28), d(2024, 3, 1), 2),
            (Frequency::Week, d(2024, 1, 1), d(2024, 1, 29), 4),
            (Frequency::Week, d(2024, 1, 1), d(2024, 1, 30), 4),
            (Frequency::Month, d(2024, 1, 31), d(2024, 2, 1), 1),
            (Frequency::Month, d(2023, 11, 1), d(2024, 2, 1), 3),
            (Frequency::Quarter, d(2023, 12, 31), d(2024, 1, 1), 1),
            (Frequency::Quarter, d(2024, 1, 1), d(2024, 3, 31), 0),
            (Frequency::Year, d(2020, 6, 1), d(2024, 1, 1), 4),
            (Frequency::Month, d(2024, 3, 1), d(2024, 1, 1), -2),
        ];
        for (f, a, b, want) in cases {
            assert_eq!(f.periods_between(a, b), want, "{f}s from {a} to {b}");
        }
    }

    #[test]
    fn frequency_names_round_trip() {
        for f in Frequency::ALL {
            assert_eq!(
                f.to_string().parse::<Frequency>().ok(),
                Some(f),
                "{f} parses back"
            );
        }
        assert!(
            "fortnight".parse::<Frequency>().is_err(),
            "unknown names are refused"
        );
    }
}
