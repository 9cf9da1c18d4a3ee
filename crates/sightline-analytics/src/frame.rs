//! Reading columns out of a polars frame: numbers as `f64` (null → NaN), dates, labels and
//! missing counts, and the checks that turn a wrong column name or type into an error a
//! business user can act on. The only module that touches polars types.

use std::borrow::Cow;

use chrono::NaiveDate;
use polars::prelude::{AnyValue, Column, DataFrame, DataType};

use crate::dates::{date_from_int, from_epoch_days, parse_date};
use crate::error::AnalysisError;

/// The frame's column names, in order.
pub(crate) fn names(df: &DataFrame) -> Vec<String> {
    df.columns().iter().map(|c| c.name().to_string()).collect()
}

/// The column called `name`, or an error listing the columns there are.
pub(crate) fn column<'a>(df: &'a DataFrame, name: &str) -> Result<&'a Column, AnalysisError> {
    df.column(name).map_err(|_| AnalysisError::MissingColumn {
        name: name.to_string(),
        available: names(df),
    })
}

/// Whether a column holds numbers (integers or floats; not booleans, text or dates).
pub(crate) fn is_numeric(dtype: &DataType) -> bool {
    dtype.is_primitive_numeric()
}

/// The names of the numeric columns, in frame order.
pub(crate) fn numeric_names(df: &DataFrame) -> Vec<String> {
    df.columns()
        .iter()
        .filter(|c| is_numeric(c.dtype()))
        .map(|c| c.name().to_string())
        .collect()
}

/// The names of the text columns, in frame order.
pub(crate) fn text_names(df: &DataFrame) -> Vec<String> {
    df.columns()
        .iter()
        .filter(|c| matches!(c.dtype(), DataType::String))
        .map(|c| c.name().to_string())
        .collect()
}

/// The values of numeric column `name` as `f64`, null and NaN both as NaN. A `Float64` column
/// in one chunk without nulls is borrowed, not copied: on a million rows the copy (fresh pages
/// of memory) costs more than the z-score itself.
pub(crate) fn numeric<'a>(df: &'a DataFrame, name: &str) -> Result<Cow<'a, [f64]>, AnalysisError> {
    let col = column(df, name)?;
    if !is_numeric(col.dtype()) {
        return Err(AnalysisError::NotNumeric {
            name: name.to_string(),
        });
    }
    if let Column::Series(series) = col
        && let Ok(ca) = series.f64()
        && let Ok(slice) = ca.cont_slice()
    {
        return Ok(Cow::Borrowed(slice));
    }
    to_f64(col).map(Cow::Owned)
}

/// A numeric column's values for the analyses that read every value a few times: borrowed
/// from the frame both for floats and for integers (SQLite's integer columns), which are
/// widened to `f64` as they are read instead of being copied first. On a million rows a copy
/// costs more than the statistics: its eight fresh megabytes are some two thousand page
/// faults.
#[derive(Debug, Clone)]
pub(crate) enum Numbers<'a> {
    Floats(Cow<'a, [f64]>),
    /// An `Int64` column in one chunk without nulls.
    Ints(&'a [i64]),
}

impl Numbers<'_> {
    pub(crate) fn len(&self) -> usize {
        match self {
            Numbers::Floats(v) => v.len(),
            Numbers::Ints(v) => v.len(),
        }
    }

    /// The values as `f64`, copied only for integers.
    pub(crate) fn to_floats(&self) -> Cow<'_, [f64]> {
        match self {
            Numbers::Floats(v) => Cow::Borrowed(v),
            Numbers::Ints(v) => Cow::Owned(v.iter().map(|&x| x as f64).collect()),
        }
    }
}

/// The values of numeric column `name`: see [`Numbers`]; anything but a complete one-chunk
/// `Int64` column as [`numeric`] reads it.
pub(crate) fn numbers<'a>(df: &'a DataFrame, name: &str) -> Result<Numbers<'a>, AnalysisError> {
    let col = column(df, name)?;
    if let Column::Series(series) = col
        && let Ok(ints) = series.i64()
        && let Ok(slice) = ints.cont_slice()
    {
        return Ok(Numbers::Ints(slice));
    }
    numeric(df, name).map(Numbers::Floats)
}

fn to_f64(col: &Column) -> Result<Vec<f64>, AnalysisError> {
    if let Column::Series(series) = col
        && let Ok(ints) = series.i64()
    {
        // Integers (what SQLite returns most): converted straight into the result, not through
        // a Float64 copy of the column first (one fresh buffer instead of two).
        let mut out = Vec::with_capacity(ints.len());
        for arr in ints.downcast_iter() {
            let start = out.len();
            out.extend(arr.values().iter().map(|&v| v as f64));
            if let Some(validity) = arr.validity().filter(|v| v.unset_bits() > 0) {
                for (slot, present) in out[start..].iter_mut().zip(validity.iter()) {
                    if !present {
                        *slot = f64::NAN;
                    }
                }
            }
        }
        return Ok(out);
    }
    let series = col.as_materialized_series().cast(&DataType::Float64)?;
    let ca = series.f64()?;
    // Chunk by chunk, copying the value buffers whole and patching nulls afterwards: an
    // Option per value would cost several times more on a million rows.
    let mut out = Vec::with_capacity(ca.len());
    for arr in ca.downcast_iter() {
        let start = out.len();
        out.extend_from_slice(arr.values().as_slice());
        if let Some(validity) = arr.validity().filter(|v| v.unset_bits() > 0) {
            for (slot, present) in out[start..].iter_mut().zip(validity.iter()) {
                if !present {
                    *slot = f64::NAN;
                }
            }
        }
    }
    Ok(out)
}

/// Whether an integer column looks like an identifier: named `id` or `..._id` / `...Id` and
/// holding distinct values only. Such columns correlate with nothing meaningful.
pub(crate) fn is_id_like(df: &DataFrame, name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let id_name = lower == "id"
        || lower.ends_with("_id")
        || lower.ends_with(" id")
        || (name.ends_with("Id") && name.len() > 2);
    if !id_name {
        return false;
    }
    let Ok(col) = column(df, name) else {
        return false;
    };
    if !col.dtype().is_integer() {
        return false;
    }
    let Ok(series) = col.as_materialized_series().cast(&DataType::Int64) else {
        return false;
    };
    let Ok(ca) = series.i64() else {
        return false;
    };
    let mut values: Vec<i64> = ca.iter().flatten().collect();
    let n = values.len();
    values.sort_unstable();
    values.dedup();
    n > 0 && values.len() == n
}

/// The dates of column `name`: a polars `Date`, text in any shape [`parse_date`] reads, or
/// integers (years or `yyyymmdd`). Unreadable values are `None`.
pub(crate) fn dates(df: &DataFrame, name: &str) -> Result<Vec<Option<NaiveDate>>, AnalysisError> {
    let col = column(df, name)?;
    let no_dates = || AnalysisError::NoDates {
        column: name.to_string(),
    };
    let dates: Vec<Option<NaiveDate>> = match col.dtype() {
        DataType::Date => col
            .date()?
            .physical()
            .iter()
            .map(|d| d.and_then(from_epoch_days))
            .collect(),
        DataType::String => col.str()?.iter().map(|s| s.and_then(parse_date)).collect(),
        dt if dt.is_integer() => {
            let series = col.as_materialized_series().cast(&DataType::Int64)?;
            series
                .i64()?
                .iter()
                .map(|v| v.and_then(date_from_int))
                .collect()
        }
        _ => return Err(no_dates()),
    };
    if dates.iter().all(Option::is_none) {
        return Err(no_dates());
    }
    Ok(dates)
}

/// The column that best labels a row for a reader: the first `Date` column, else the first
/// text column; `None` when there is neither.
pub(crate) fn default_label_column(df: &DataFrame) -> Option<String> {
    let columns = df.columns();
    columns
        .iter()
        .find(|c| matches!(c.dtype(), DataType::Date))
        .or_else(|| {
            columns
                .iter()
                .find(|c| matches!(c.dtype(), DataType::String))
        })
        .map(|c| c.name().to_string())
}

/// The value of `col` at `row` as text: dates as ISO dates, text as is, null as "".
pub(crate) fn label(col: &Column, row: usize) -> String {
    match col.get(row) {
        Ok(AnyValue::Null) | Err(_) => String::new(),
        Ok(AnyValue::String(s)) => s.to_string(),
        Ok(AnyValue::StringOwned(s)) => s.to_string(),
        Ok(AnyValue::Date(days)) => {
            from_epoch_days(days).map_or_else(|| days.to_string(), |d| d.to_string())
        }
        Ok(other) => other.to_string(),
    }
}

/// Percent of rows with no value, per column: null, and NaN in float columns (pandas counts
/// NaN as missing too). The columns named in `complete` are known to have neither (the caller
/// read every value) and are not scanned again.
pub(crate) fn missing_percent(
    df: &DataFrame,
    complete: &[&str],
) -> Result<Vec<(String, f64)>, AnalysisError> {
    let height = df.height();
    let mut out = Vec::with_capacity(df.width());
    for col in df.columns() {
        let missing = if complete.contains(&col.name().as_str()) {
            0
        } else if col.dtype().is_float() {
            let series = col.as_materialized_series().cast(&DataType::Float64)?;
            // Nulls, plus NaN among the values that are not null (a null slot may hold NaN).
            let ca = series.f64()?;
            let mut nan = 0usize;
            for arr in ca.downcast_iter() {
                let values = arr.values().as_slice();
                nan += match arr.validity().filter(|v| v.unset_bits() > 0) {
                    Some(valid) => values
                        .iter()
                        .zip(valid.iter())
                        .filter(|(v, ok)| *ok && v.is_nan())
                        .count(),
                    None => values.iter().filter(|v| v.is_nan()).count(),
                };
            }
            ca.null_count() + nan
        } else {
            col.null_count()
        };
        let pct = if height == 0 {
            0.0
        } else {
            missing as f64 / height as f64 * 100.0
        };
        out.push((col.name().to_string(), pct));
    }
    Ok(out)
}
