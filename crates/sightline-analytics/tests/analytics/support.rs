//! Shared helpers: building polars frames from the golden JSON's column lists, and tolerant
//! float comparisons whose failure messages state the tolerance and what was compared.

use std::sync::OnceLock;

use polars::prelude::*;
use serde_json::Value;

/// Relative tolerance against pandas/scipy goldens.
pub const REL: f64 = 1e-9;
/// Absolute floor for values that are zero up to rounding (a mean of ±1 values, say).
pub const ABS: f64 = 1e-12;

/// tests/golden/analytics.json, parsed once.
pub fn golden() -> &'static Value {
    static GOLDEN: OnceLock<Value> = OnceLock::new();
    GOLDEN.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/golden/analytics.json"
        );
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
            panic!("cannot read {path} ({e}); run python3 tests/golden/make_goldens.py")
        });
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path} is not JSON: {e}"))
    })
}

/// The cases of one section of the golden file.
pub fn cases(section: &str) -> &'static [Value] {
    golden()[section]
        .as_array()
        .unwrap_or_else(|| panic!("golden section '{section}' is missing"))
}

/// A column: `dtype` is int64, float64, str or date (ISO text); null is a missing value.
pub fn column(name: &str, dtype: &str, values: &[Value]) -> Column {
    let name: PlSmallStr = name.into();
    let series = match dtype {
        "int64" => Series::new(name, values.iter().map(Value::as_i64).collect::<Vec<_>>()),
        "float64" => Series::new(name, values.iter().map(Value::as_f64).collect::<Vec<_>>()),
        "str" => Series::new(name, values.iter().map(Value::as_str).collect::<Vec<_>>()),
        "date" => {
            let days: Vec<Option<i32>> =
                values.iter().map(|v| v.as_str().map(epoch_days)).collect();
            Series::new(name, days).cast(&DataType::Date).unwrap()
        }
        other => panic!("unknown dtype '{other}' in the golden file"),
    };
    series.into_column()
}

/// Days since 1970-01-01 of an ISO date.
pub fn epoch_days(iso: &str) -> i32 {
    let d = chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d")
        .unwrap_or_else(|e| panic!("'{iso}' is not an ISO date: {e}"));
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
    i32::try_from((d - epoch).num_days()).unwrap()
}

/// A frame from the golden JSON's `[{name, dtype, values}]`.
pub fn frame(columns: &Value) -> DataFrame {
    let cols: Vec<Column> = columns
        .as_array()
        .expect("a frame is a list of columns")
        .iter()
        .map(|c| {
            column(
                c["name"].as_str().unwrap(),
                c["dtype"].as_str().unwrap(),
                c["values"].as_array().unwrap(),
            )
        })
        .collect();
    DataFrame::new_infer_height(cols).unwrap()
}

/// `got` equals the golden `want` within `REL` relative (+ `ABS` absolute); a null golden
/// means "no value" and requires a non-finite `got`.
pub fn check_close(got: f64, want: &Value, what: &str) {
    match want.as_f64() {
        None => assert!(
            !got.is_finite(),
            "{what}: pandas/scipy have no value (null) here, Sightline gave {got}"
        ),
        Some(w) => assert!(
            (got - w).abs() <= REL * w.abs() + ABS,
            "{what}: got {got}, pandas/scipy say {w} (tolerance {REL} relative + {ABS} absolute)"
        ),
    }
}

/// A p-value: purely relative (tiny p-values must keep their digits), within `REL`.
pub fn check_p(got: f64, want: &Value, what: &str) {
    match want.as_f64() {
        None => assert!(
            !got.is_finite(),
            "{what}: scipy gives no p-value, Sightline gave {got}"
        ),
        Some(w) => assert!(
            (got - w).abs() <= REL * w.abs() + f64::MIN_POSITIVE,
            "{what}: p = {got}, scipy says {w} (tolerance {REL} relative)"
        ),
    }
}

/// `Option<f64>` statistics against a golden value (null ⇔ None).
pub fn check_opt(got: Option<f64>, want: &Value, what: &str) {
    match (got, want.as_f64()) {
        (None, None) => {}
        (Some(g), Some(_)) => check_close(g, want, what),
        (g, w) => panic!("{what}: got {g:?}, pandas says {w:?} (null means no value)"),
    }
}

/// Element-wise `check_close` of a vector.
pub fn check_vec(got: &[f64], want: &Value, what: &str) {
    let want = want
        .as_array()
        .unwrap_or_else(|| panic!("{what}: golden is not a list"));
    assert_eq!(
        got.len(),
        want.len(),
        "{what}: length differs from the golden list"
    );
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        check_close(*g, w, &format!("{what}[{i}]"));
    }
}

/// The strings of a golden list.
pub fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("expected a list of strings, got {v}"))
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

/// The unsigned integers of a golden list.
pub fn indexes(v: &Value) -> Vec<usize> {
    v.as_array()
        .unwrap_or_else(|| panic!("expected a list of indexes, got {v}"))
        .iter()
        .map(|s| usize::try_from(s.as_u64().unwrap()).unwrap())
        .collect()
}

/// A small frame from literal columns, for hand-written cases.
pub fn df(columns: Vec<Column>) -> DataFrame {
    DataFrame::new_infer_height(columns).unwrap()
}
