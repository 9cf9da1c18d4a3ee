//! A dated series made from two columns of a frame, as forecast and trend need it: rows
//! without a date or a value dropped, sorted by date, rows sharing a date summed, the
//! frequency detected, and the periods with no row counted (not filled).

use chrono::NaiveDate;
use polars::prelude::DataFrame;

use crate::dates::Frequency;
use crate::error::AnalysisError;
use crate::format;
use crate::frame;

/// One value per distinct date, ascending.
#[derive(Debug, Clone)]
pub(crate) struct DatedSeries {
    pub dates: Vec<NaiveDate>,
    pub values: Vec<f64>,
    /// Whole periods from the first date: the x of a regression, gaps included.
    pub periods: Vec<f64>,
    pub frequency: Frequency,
    /// Rows left out because the date could not be read or the value was missing.
    pub dropped_rows: usize,
    /// Rows added into another row with the same date.
    pub merged_rows: usize,
    /// Periods between the first and last date with no row at all.
    pub missing_periods: usize,
}

impl DatedSeries {
    /// Reads `target` by `date_column`. With `frequency` given, it overrides detection.
    pub fn from_frame(
        df: &DataFrame,
        date_column: &str,
        target: &str,
        frequency: Option<Frequency>,
    ) -> Result<Self, AnalysisError> {
        let values = frame::numeric(df, target)?;
        let dates = frame::dates(df, date_column)?;
        let mut pairs: Vec<(NaiveDate, f64)> = dates
            .iter()
            .zip(values.iter())
            .filter_map(|(d, v)| d.filter(|_| !v.is_nan()).map(|d| (d, *v)))
            .collect();
        let dropped_rows = values.len() - pairs.len();
        // A stable sort keeps rows of one date in frame order, so their sum is reproducible.
        if !pairs.is_sorted_by_key(|p| p.0) {
            pairs.sort_by_key(|p| p.0);
        }
        let mut dates: Vec<NaiveDate> = Vec::with_capacity(pairs.len());
        let mut sums: Vec<f64> = Vec::with_capacity(pairs.len());
        for (d, v) in &pairs {
            match (dates.last(), sums.last_mut()) {
                (Some(last), Some(sum)) if last == d => *sum += v,
                _ => {
                    dates.push(*d);
                    sums.push(*v);
                }
            }
        }
        let merged_rows = pairs.len() - dates.len();
        let frequency = frequency
            .or_else(|| Frequency::detect(&dates))
            .unwrap_or(Frequency::Day);
        let (periods, missing_periods) = match dates.first() {
            Some(&origin) => {
                let idx: Vec<i64> = dates
                    .iter()
                    .map(|d| frequency.periods_between(origin, *d))
                    .collect();
                let span = idx.last().map_or(0, |last| last - idx[0] + 1);
                let distinct = 1 + idx.windows(2).filter(|w| w[1] != w[0]).count() as i64;
                let missing = usize::try_from(span - distinct).unwrap_or(0);
                (idx.into_iter().map(|i| i as f64).collect(), missing)
            }
            None => (Vec::new(), 0),
        };
        Ok(DatedSeries {
            dates,
            values: sums,
            periods,
            frequency,
            dropped_rows,
            merged_rows,
            missing_periods,
        })
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// The dates as ISO strings.
    pub fn iso_dates(&self) -> Vec<String> {
        self.dates.iter().map(NaiveDate::to_string).collect()
    }

    /// Sentences about how the data was prepared, for the interpretation; empty when nothing
    /// needed saying. `gaps_filled` says whether the analysis filled missing periods by
    /// interpolation (forecasts) or left them out (trends).
    pub fn preparation_notes(&self, target: &str, date_column: &str, gaps_filled: bool) -> String {
        let mut notes = Vec::new();
        if self.merged_rows > 0 {
            notes.push(format!(
                "{} that shared a date were added together.",
                format::count(self.merged_rows, "row", "rows")
            ));
        }
        if self.dropped_rows > 0 {
            notes.push(format!(
                "{} left out because {date_column} was not a readable date or {target} was empty.",
                format::count(self.dropped_rows, "row was", "rows were")
            ));
        }
        if self.missing_periods > 0 {
            let f = self.frequency;
            let handled = if gaps_filled {
                "filled by straight-line interpolation between their neighbours for the models"
            } else {
                "left out"
            };
            notes.push(format!(
                "{} {} between the first and last date had no data; they were {handled}, not \
                 counted as zero.",
                format::integer(self.missing_periods),
                f.noun(self.missing_periods)
            ));
        }
        notes.join(" ")
    }
}
