//! Serde helpers that write non-finite floats (NaN, ±inf) as `null`, whatever the serializer:
//! JSON has no NaN, and a chart or a test reading the answer must see "no value", not a crash.

use std::collections::BTreeMap;

use serde::{Serialize, Serializer};

/// `Some(v)` when `v` is finite.
pub(crate) fn finite_opt(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

pub(crate) fn finite<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    finite_opt(*v).serialize(s)
}

pub(crate) fn finite_vec<S: Serializer>(v: &[f64], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(v.iter().map(|x| finite_opt(*x)))
}

pub(crate) fn finite_map<S: Serializer>(
    m: &BTreeMap<String, f64>,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_map(m.iter().map(|(k, v)| (k, finite_opt(*v))))
}

pub(crate) fn finite_matrix<S: Serializer>(rows: &[Vec<f64>], s: S) -> Result<S::Ok, S::Error> {
    struct Row<'a>(&'a [f64]);
    impl Serialize for Row<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            finite_vec(self.0, s)
        }
    }
    s.collect_seq(rows.iter().map(|r| Row(r)))
}

pub(crate) fn finite_option<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    v.and_then(finite_opt).serialize(s)
}
