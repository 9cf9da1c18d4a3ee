//! SQL functions Sightline adds to every read-only connection, for questions SQLite's built-ins
//! cannot answer in one expression. Today: `median(x)`, an aggregate equal to pandas'
//! `Series.median()` (NULLs and non-numbers skipped, the mean of the two middle values for an
//! even count). The planner writes `median(...)` in the SQL it shows, and the app re-runs that
//! SQL through this engine, so the function is always there when the SQL runs.

use rusqlite::functions::{Aggregate, Context, FunctionFlags};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, Error};

/// At 8 bytes a value, the most a median may hold in memory (400 MB); more gets a clear error
/// instead of exhausting memory.
const MEDIAN_MAX_VALUES: usize = 50_000_000;

/// Registers the functions on `conn`.
pub(crate) fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_aggregate_function(
        "median",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        Median,
    )
}

struct Median;

impl Aggregate<Vec<f64>, Option<f64>> for Median {
    fn init(&self, _: &mut Context<'_>) -> rusqlite::Result<Vec<f64>> {
        Ok(Vec::new())
    }

    fn step(&self, ctx: &mut Context<'_>, values: &mut Vec<f64>) -> rusqlite::Result<()> {
        let value = match ctx.get_raw(0) {
            ValueRef::Integer(i) => Some(i as f64),
            ValueRef::Real(f) => Some(f),
            ValueRef::Text(t) => std::str::from_utf8(t)
                .ok()
                .and_then(|s| s.trim().parse::<f64>().ok()),
            ValueRef::Null | ValueRef::Blob(_) => None,
        };
        if let Some(v) = value.filter(|v| !v.is_nan()) {
            if values.len() >= MEDIAN_MAX_VALUES {
                return Err(Error::UserFunctionError(
                    format!(
                        "median() of more than {MEDIAN_MAX_VALUES} values; filter the rows first"
                    )
                    .into(),
                ));
            }
            values.push(v);
        }
        Ok(())
    }

    fn finalize(
        &self,
        _: &mut Context<'_>,
        values: Option<Vec<f64>>,
    ) -> rusqlite::Result<Option<f64>> {
        Ok(values.and_then(median))
    }
}

/// The median of `values` (any order), or `None` when there are none.
fn median(mut values: Vec<f64>) -> Option<f64> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    let mid = n / 2;
    let (_, upper, _) = values.select_nth_unstable_by(mid, f64::total_cmp);
    let upper = *upper;
    if n % 2 == 1 {
        return Some(upper);
    }
    // The lower middle is the largest value below `mid`.
    let lower = values[..mid]
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    Some((lower + upper) / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn median_of(sql_values: &str) -> Option<f64> {
        let conn = Connection::open_in_memory().unwrap();
        register(&conn).unwrap();
        conn.query_row(
            &format!("SELECT median(v) FROM (SELECT column1 AS v FROM (VALUES {sql_values}))"),
            [],
            |r| r.get(0),
        )
        .unwrap()
    }

    #[test]
    fn median_matches_pandas() {
        assert_eq!(median_of("(3),(1),(2)"), Some(2.0), "odd count");
        assert_eq!(median_of("(4),(1),(3),(2)"), Some(2.5), "even count");
        assert_eq!(
            median_of("(NULL),(5),(1),('x')"),
            Some(3.0),
            "NULL and text skipped"
        );
        assert_eq!(
            median_of("('7'),(1.5),(-2)"),
            Some(1.5),
            "numeric text counts"
        );
        assert_eq!(median_of("(NULL)"), None, "no numbers");
        assert_eq!(median_of("(2),(2),(2),(9)"), Some(2.0), "ties");
    }

    #[test]
    fn median_per_group() {
        let conn = Connection::open_in_memory().unwrap();
        register(&conn).unwrap();
        let rows: Vec<(String, f64)> = conn
            .prepare(
                "SELECT column1, median(column2) FROM (VALUES ('a', 1), ('a', 10), ('b', 5), ('a', 3)) \
                 GROUP BY column1 ORDER BY column1",
            )
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(rows, vec![("a".to_string(), 3.0), ("b".to_string(), 5.0)]);
    }
}
