//! Time filters read from a question ("last year", "in 2024", "last 30 days", "this year",
//! "last quarter"), resolved against an anchor: the latest date in the data, never today's date.

use chrono::{Datelike, Duration, Months, NaiveDate};
use sightline_analytics::Frequency;

use crate::pipeline::intent::{number_word, unit_of};

/// A time filter as the question says it, before it meets the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeFilter {
    /// "last year": the last full calendar year in the data.
    LastFull(Frequency),
    /// "last 30 days", "past 6 months": a window that ends at the anchor.
    Rolling(u32, Frequency),
    /// "this year", "year to date".
    Current(Frequency),
    /// "in 2024".
    Year(i32),
    /// "in March 2025", "February 2023".
    Month(i32, u32),
    /// "since March" (the latest March 1 up to the anchor), "since 2024-03-01".
    Since(SinceStart),
    /// "between 2024-06-01 and 2024-08-31", "from X to Y": both days included.
    Between(NaiveDate, NaiveDate),
    /// "in 2025 compared to 2024", "2023 vs 2022": a year against a baseline year.
    Versus(i32, i32),
}

/// Where a "since" range starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SinceStart {
    /// A month name alone: its latest first day not after the anchor.
    Month(u32),
    Date(NaiveDate),
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// A month name ("march", "mar", "sept") as 1..=12.
fn month_number(word: &str) -> Option<u32> {
    if let Some(i) = MONTHS.iter().position(|m| *m == word) {
        return Some(i as u32 + 1);
    }
    let short = match word {
        "jan" => 1,
        "feb" => 2,
        "apr" => 4,
        "jun" => 6,
        "jul" => 7,
        "aug" => 8,
        "sep" | "sept" => 9,
        "oct" => 10,
        "nov" => 11,
        "dec" => 12,
        _ => return None,
    };
    Some(short)
}

/// An ISO date written in the question ("2024-06-01").
fn date_literal(word: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(word, "%Y-%m-%d").ok()
}

/// A resolved half-open date range `[start, end)` and the words that explain it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateRange {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub description: String,
}

/// Finds a time filter and the indexes of the words it used.
pub fn find(words: &[String]) -> Option<(TimeFilter, Vec<usize>)> {
    if let Some(found) = versus(words) {
        return Some(found);
    }
    for (i, w) in words.iter().enumerate() {
        let next = words.get(i + 1).map(String::as_str);
        let after = words.get(i + 2).map(String::as_str);
        match w.as_str() {
            "last" | "previous" | "past" | "prior" => {
                if let Some(unit) = next.and_then(unit_of) {
                    return Some((TimeFilter::LastFull(unit), vec![i, i + 1]));
                }
                if let (Some(n), Some(unit)) = (next.and_then(number_word), after.and_then(unit_of))
                {
                    return Some((TimeFilter::Rolling(n, unit), vec![i, i + 1, i + 2]));
                }
            }
            "this" | "current" => {
                if let Some(unit) = next.and_then(unit_of) {
                    return Some((TimeFilter::Current(unit), vec![i, i + 1]));
                }
            }
            "ytd" => return Some((TimeFilter::Current(Frequency::Year), vec![i])),
            "between" | "from" => {
                let (Some(start), Some(end)) = (
                    next.and_then(date_literal),
                    words.get(i + 3).and_then(|w| date_literal(w)),
                ) else {
                    continue;
                };
                if matches!(after, Some("and" | "to" | "until" | "through")) && start <= end {
                    return Some((
                        TimeFilter::Between(start, end),
                        vec![i, i + 1, i + 2, i + 3],
                    ));
                }
            }
            "since" => {
                if let Some(date) = next.and_then(date_literal) {
                    return Some((TimeFilter::Since(SinceStart::Date(date)), vec![i, i + 1]));
                }
                if let Some(month) = next.and_then(month_number) {
                    if let Some(year) = after.and_then(year_number) {
                        let start = NaiveDate::from_ymd_opt(year, month, 1);
                        if let Some(start) = start {
                            return Some((
                                TimeFilter::Since(SinceStart::Date(start)),
                                vec![i, i + 1, i + 2],
                            ));
                        }
                    }
                    return Some((TimeFilter::Since(SinceStart::Month(month)), vec![i, i + 1]));
                }
                if let Some(year) = next.and_then(year_number)
                    && let Some(start) = NaiveDate::from_ymd_opt(year, 1, 1)
                {
                    return Some((TimeFilter::Since(SinceStart::Date(start)), vec![i, i + 1]));
                }
            }
            "in" | "during" | "for" | "of" => {
                if let Some(year) = next.and_then(year_number) {
                    return Some((TimeFilter::Year(year), vec![i, i + 1]));
                }
            }
            month_word => {
                // "March 2025", "in February 2023" ("may" only before a year).
                if let (Some(month), Some(year)) =
                    (month_number(month_word), next.and_then(year_number))
                {
                    return Some((TimeFilter::Month(year, month), vec![i, i + 1]));
                }
            }
        }
    }
    None
}

/// "2025 compared to 2024", "2023 vs 2022", "2025 versus 2024", "2025 against 2024".
fn versus(words: &[String]) -> Option<(TimeFilter, Vec<usize>)> {
    let (first_at, first) = words
        .iter()
        .enumerate()
        .find_map(|(i, w)| year_number(w).map(|y| (i, y)))?;
    let link = |w: &str| {
        matches!(
            w,
            "vs" | "versus" | "against" | "compared" | "to" | "with" | "than" | "over"
        )
    };
    let mut at = first_at + 1;
    let mut said_comparison = false;
    while at < words.len() && link(&words[at]) {
        said_comparison |= matches!(words[at].as_str(), "vs" | "versus" | "against" | "compared");
        at += 1;
    }
    let second = words.get(at).and_then(|w| year_number(w))?;
    if !said_comparison || second == first {
        return None;
    }
    let mut used: Vec<usize> = (first_at..=at).collect();
    if first_at > 0 && matches!(words[first_at - 1].as_str(), "in" | "for" | "of" | "during") {
        used.push(first_at - 1);
    }
    Some((TimeFilter::Versus(first, second), used))
}

fn year_number(word: &str) -> Option<i32> {
    let year: i32 = word.parse().ok()?;
    (word.len() == 4 && (1900..=2200).contains(&year)).then_some(year)
}

/// The first day of the period that contains `date`.
pub fn period_start(date: NaiveDate, unit: Frequency) -> NaiveDate {
    let month_start = |m: u32| NaiveDate::from_ymd_opt(date.year(), m, 1).unwrap_or(date);
    match unit {
        Frequency::Day => date,
        Frequency::Week => date - Duration::days(i64::from(date.weekday().num_days_from_monday())),
        Frequency::Month => month_start(date.month()),
        Frequency::Quarter => month_start((date.month() - 1) / 3 * 3 + 1),
        Frequency::Year => month_start(1),
    }
}

/// `date` moved by `n` periods (negative goes back).
pub fn shift(date: NaiveDate, unit: Frequency, n: i32) -> NaiveDate {
    let months = |m: i32| {
        let magnitude = Months::new(m.unsigned_abs());
        if m >= 0 {
            date.checked_add_months(magnitude)
        } else {
            date.checked_sub_months(magnitude)
        }
    };
    let moved = match unit {
        Frequency::Day => Some(date + Duration::days(i64::from(n))),
        Frequency::Week => Some(date + Duration::days(7 * i64::from(n))),
        Frequency::Month => months(n),
        Frequency::Quarter => months(3 * n),
        Frequency::Year => months(12 * n),
    };
    moved.unwrap_or(date)
}

fn unit_name(unit: Frequency) -> &'static str {
    match unit {
        Frequency::Day => "day",
        Frequency::Week => "week",
        Frequency::Month => "month",
        Frequency::Quarter => "quarter",
        Frequency::Year => "year",
    }
}

impl TimeFilter {
    /// The period a comparison is made against ("2024" in "2025 compared to 2024").
    pub fn baseline(self, anchor: NaiveDate) -> Option<DateRange> {
        match self {
            TimeFilter::Versus(_, base) => Some(TimeFilter::Year(base).resolve(anchor)),
            _ => None,
        }
    }

    /// The range this filter means when the data's latest date is `anchor`.
    pub fn resolve(self, anchor: NaiveDate) -> DateRange {
        let latest = format!("latest date in the data: {anchor}");
        match self {
            TimeFilter::LastFull(unit) => {
                // The last period that the data covers completely: the anchor's own period when
                // the anchor is its last day, otherwise the one before.
                let next_day = anchor + Duration::days(1);
                let end = period_start(next_day, unit);
                let start = shift(end, unit, -1);
                let name = match unit {
                    Frequency::Year => format!("{}", start.year()),
                    Frequency::Month => start.format("%B %Y").to_string(),
                    Frequency::Quarter => {
                        format!("Q{} {}", (start.month() - 1) / 3 + 1, start.year())
                    }
                    _ => format!("the {} starting {start}", unit_name(unit)),
                };
                DateRange {
                    start,
                    end,
                    description: format!(
                        "{name} (the last full {} in the data; {latest})",
                        unit_name(unit)
                    ),
                }
            }
            TimeFilter::Rolling(n, unit) => {
                let end = anchor + Duration::days(1);
                let start = shift(end, unit, -(n as i32));
                let plural = if n == 1 { "" } else { "s" };
                DateRange {
                    start,
                    end,
                    description: format!(
                        "the last {n} {}{plural} up to {anchor} (the {latest})",
                        unit_name(unit)
                    ),
                }
            }
            TimeFilter::Current(unit) => {
                let start = period_start(anchor, unit);
                DateRange {
                    start,
                    end: anchor + Duration::days(1),
                    description: format!(
                        "this {} so far, {start} to {anchor} ({latest})",
                        unit_name(unit)
                    ),
                }
            }
            TimeFilter::Month(year, month) => {
                let start = NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(anchor);
                DateRange {
                    start,
                    end: shift(start, Frequency::Month, 1),
                    description: start.format("%B %Y").to_string(),
                }
            }
            TimeFilter::Since(since) => {
                let start = match since {
                    SinceStart::Date(date) => date,
                    SinceStart::Month(month) => {
                        let this_year = NaiveDate::from_ymd_opt(anchor.year(), month, 1);
                        match this_year {
                            Some(d) if d <= anchor => d,
                            _ => NaiveDate::from_ymd_opt(anchor.year() - 1, month, 1)
                                .unwrap_or(anchor),
                        }
                    }
                };
                DateRange {
                    start,
                    end: anchor + Duration::days(1),
                    description: format!("since {start}, up to {anchor} (the {latest})"),
                }
            }
            TimeFilter::Between(start, end) => DateRange {
                start,
                end: end + Duration::days(1),
                description: format!("{start} to {end}, both included"),
            },
            TimeFilter::Versus(year, _) => TimeFilter::Year(year).resolve(anchor),
            TimeFilter::Year(year) => {
                let start = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(anchor);
                DateRange {
                    start,
                    end: shift(start, Frequency::Year, 1),
                    description: format!("{year}"),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::tests_support::{check, words};
    use super::*;

    #[test]
    fn filters_are_anchored_at_the_data() {
        check(
            "monthly revenue for last year",
            "2025-12-31",
            "2025-01-01",
            "2026-01-01",
        );
        check(
            "monthly revenue for last year",
            "2025-11-30",
            "2024-01-01",
            "2025-01-01",
        );
        check(
            "orders in the last 30 days",
            "2025-12-31",
            "2025-12-02",
            "2026-01-01",
        );
        check("revenue in 2024", "2025-12-31", "2024-01-01", "2025-01-01");
        check(
            "revenue this year",
            "2025-06-15",
            "2025-01-01",
            "2025-06-16",
        );
        check(
            "revenue last quarter",
            "2025-08-10",
            "2025-04-01",
            "2025-07-01",
        );
        check(
            "revenue last month",
            "2024-03-31",
            "2024-03-01",
            "2024-04-01",
        );
    }

    #[test]
    fn next_is_not_a_filter() {
        assert_eq!(find(&words("forecast revenue for next month")), None);
    }
}

#[cfg(test)]
mod named_dates {
    use super::tests_support::check;

    #[test]
    fn months_since_and_between() {
        check(
            "revenue in march 2025",
            "2025-12-31",
            "2025-03-01",
            "2025-04-01",
        );
        check(
            "sales february 2023",
            "2025-12-31",
            "2023-02-01",
            "2023-03-01",
        );
        // "since March": the latest March 1 not after the anchor.
        check(
            "spend since march",
            "2025-12-31",
            "2025-03-01",
            "2026-01-01",
        );
        check(
            "spend since march",
            "2025-02-10",
            "2024-03-01",
            "2025-02-11",
        );
        check(
            "spend since march 2024",
            "2025-12-31",
            "2024-03-01",
            "2026-01-01",
        );
        check(
            "spend since 2024-06-15",
            "2025-12-31",
            "2024-06-15",
            "2026-01-01",
        );
        check(
            "amount between 2024-06-01 and 2024-08-31",
            "2025-12-31",
            "2024-06-01",
            "2024-09-01",
        );
        check(
            "amount from 2023-01-01 to 2023-01-31",
            "2025-12-31",
            "2023-01-01",
            "2023-02-01",
        );
    }

    #[test]
    fn a_year_against_a_baseline_year() {
        for question in [
            "revenue growth in 2025 compared to 2024",
            "growth of net value in 2023 vs 2022",
            "sales 2025 versus 2024",
        ] {
            let (filter, _) = super::find(&super::tests_support::words(question))
                .unwrap_or_else(|| panic!("no filter in {question:?}"));
            assert!(
                matches!(filter, super::TimeFilter::Versus(a, b) if a > b),
                "{question:?} compares two years: {filter:?}"
            );
        }
        assert!(
            !matches!(
                super::find(&super::tests_support::words("revenue in 2024 by month")),
                Some((super::TimeFilter::Versus(..), _))
            ),
            "one year is no comparison"
        );
        check(
            "revenue in 2025 compared to 2024",
            "2025-12-31",
            "2025-01-01",
            "2026-01-01",
        );
    }

    #[test]
    fn may_is_a_month_only_before_a_year() {
        assert!(
            super::find(&super::tests_support::words("what may drive churn")).is_none(),
            "the verb 'may' is no date"
        );
        check("orders may 2024", "2025-12-31", "2024-05-01", "2024-06-01");
    }
}

#[cfg(test)]
mod tests_support {
    use super::*;

    pub fn words(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_string).collect()
    }

    pub fn check(question: &str, anchor: &str, start: &str, end: &str) {
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let (filter, _) = find(&words(question))
            .unwrap_or_else(|| panic!("no time filter found in {question:?}"));
        let range = filter.resolve(day(anchor));
        assert_eq!(
            (range.start, range.end),
            (day(start), day(end)),
            "{question:?} anchored at {anchor}"
        );
    }
}
