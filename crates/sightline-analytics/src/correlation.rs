//! Which numeric columns move with a target: Pearson r or Spearman's rank correlation and its
//! p-value per column (pairwise complete rows, as pandas `corr` and scipy `pearsonr` /
//! `spearmanr`), the full matrix for a heatmap, and the columns left out (identifiers,
//! constants) with the reason, also as warnings.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use polars::prelude::DataFrame;
use serde::Serialize;

use crate::error::AnalysisError;
use crate::format;
use crate::frame::{self, Numbers};
use crate::ser;
use crate::stats::{self, AsF64};

/// How to measure association.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CorrelationMethod {
    /// Linear association (Pearson's r).
    #[default]
    Pearson,
    /// Monotonic association: Pearson's r of the ranks (ties averaged), robust to outliers and
    /// to curved but steady relationships.
    Spearman,
}

impl CorrelationMethod {
    /// The `methodology` text of the result.
    pub fn methodology(self) -> &'static str {
        match self {
            CorrelationMethod::Pearson => "Pearson correlation coefficient",
            CorrelationMethod::Spearman => "Spearman rank correlation coefficient",
        }
    }

    /// The coefficient's symbol in sentences.
    fn symbol(self) -> &'static str {
        match self {
            CorrelationMethod::Pearson => "r",
            CorrelationMethod::Spearman => "rho",
        }
    }

    fn compute(self, x: &[f64], y: &[f64]) -> stats::Pearson {
        match self {
            CorrelationMethod::Pearson => stats::pearson(x, y),
            CorrelationMethod::Spearman => stats::spearman(x, y),
        }
    }
}

impl FromStr for CorrelationMethod {
    type Err = AnalysisError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "pearson" => Ok(CorrelationMethod::Pearson),
            "spearman" | "rank" => Ok(CorrelationMethod::Spearman),
            _ => Err(AnalysisError::InvalidOption(format!(
                "Unknown correlation method '{s}'; choose pearson or spearman."
            ))),
        }
    }
}

/// What to correlate.
#[derive(Debug, Clone, PartialEq)]
pub struct CorrelationOptions {
    /// The numeric column the others are compared with.
    pub target: String,
    /// The columns to compare; `None` means every other numeric column.
    pub columns: Option<Vec<String>>,
    pub method: CorrelationMethod,
}

impl CorrelationOptions {
    /// Every other numeric column against `target`.
    pub fn new(target: impl Into<String>) -> Self {
        CorrelationOptions {
            target: target.into(),
            columns: None,
            method: CorrelationMethod::Pearson,
        }
    }
}

/// The matrix (of the chosen method) of the target (first) and every compared column, for a
/// heatmap; null where a pair has no variation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CorrelationMatrix {
    pub columns: Vec<String>,
    #[serde(serialize_with = "ser::finite_matrix")]
    pub values: Vec<Vec<f64>>,
}

/// The `analysis_result` of a correlation (CONTRACT.md).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CorrelationResult {
    /// r of each compared column with the target.
    #[serde(serialize_with = "ser::finite_map")]
    pub correlations: BTreeMap<String, f64>,
    /// The compared columns by |r|, largest first.
    pub top_factors: Vec<String>,
    pub interpretation: String,
    /// "Pearson correlation coefficient" or "Spearman rank correlation coefficient".
    pub methodology: String,
    pub target: String,
    /// Two-sided p-value of each r (t-test with n - 2 degrees of freedom; 1 for two rows).
    #[serde(serialize_with = "ser::finite_map")]
    pub p_values: BTreeMap<String, f64>,
    pub matrix: CorrelationMatrix,
    /// Columns not compared (identifiers, constants, too few values); the interpretation
    /// says why.
    pub excluded: Vec<String>,
    /// Rows with a target value.
    pub n: usize,
    /// "pearson" or "spearman".
    pub method: String,
    /// One sentence per column left out, saying why.
    pub warnings: Vec<String>,
}

/// A column with no NaN, centred once. Pearson's r of two such columns then needs one more pass
/// (their cross products) instead of three, with the very sums `stats::pearson` forms (the
/// same pairwise order), so r and p are identical to it.
#[derive(Debug, Clone, Copy)]
struct Centred {
    mean: f64,
    /// Σ(x - mean)².
    ss: f64,
    constant: bool,
}

/// The centring of a column with no NaN; `None` when it has fewer than two values or a NaN
/// (found without a pass of its own: NaN propagates, so the sum of a column holding one is
/// NaN; so is the sum of +inf and -inf, which the general path then handles).
fn centred<T: AsF64>(values: &[T]) -> Option<Centred> {
    let n = values.len();
    if n < 2 {
        return None;
    }
    let mean = stats::pairwise_sum_by(n, &|i| values[i].f64()) / n as f64;
    if mean.is_nan() {
        return None;
    }
    let ss = stats::pairwise_sum_by(n, &|i| {
        let d = values[i].f64() - mean;
        d * d
    });
    let first = values[0].f64();
    Some(Centred {
        mean,
        ss,
        constant: values.iter().all(|v| v.f64() == first),
    })
}

/// `stats::pearson(x, y)` for two centred columns of the same length.
fn pearson_centred<X: AsF64, Y: AsF64>(
    x: &[X],
    cx: Centred,
    y: &[Y],
    cy: Centred,
) -> stats::Pearson {
    let n = x.len();
    if cx.constant || cy.constant {
        return stats::Pearson {
            r: f64::NAN,
            p_value: f64::NAN,
            n,
        };
    }
    let sxy = stats::pairwise_sum_by(n, &|i| (x[i].f64() - cx.mean) * (y[i].f64() - cy.mean));
    let r = (sxy / (cx.ss.sqrt() * cy.ss.sqrt())).clamp(-1.0, 1.0);
    if n == 2 {
        return stats::Pearson {
            r: r.round(),
            p_value: 1.0,
            n,
        };
    }
    stats::Pearson {
        r,
        p_value: stats::correlation_p_value(r, n),
        n,
    }
}

/// The centring of a column's values (see [`centred`]).
fn centred_numbers(values: &Numbers<'_>) -> Option<Centred> {
    match values {
        Numbers::Floats(v) => centred(v),
        Numbers::Ints(v) => centred(v),
    }
}

/// `method.compute(x, y)`, through the centred columns when both have them (Pearson only).
fn compute(
    method: CorrelationMethod,
    x: &Numbers<'_>,
    cx: Option<Centred>,
    y: &Numbers<'_>,
    cy: Option<Centred>,
) -> stats::Pearson {
    match (method, cx, cy) {
        (CorrelationMethod::Pearson, Some(cx), Some(cy)) if x.len() == y.len() => match (x, y) {
            (Numbers::Floats(x), Numbers::Floats(y)) => pearson_centred(x, cx, y, cy),
            (Numbers::Floats(x), Numbers::Ints(y)) => pearson_centred(x, cx, y, cy),
            (Numbers::Ints(x), Numbers::Floats(y)) => pearson_centred(x, cx, y, cy),
            (Numbers::Ints(x), Numbers::Ints(y)) => pearson_centred(x, cx, y, cy),
        },
        _ => method.compute(&x.to_floats(), &y.to_floats()),
    }
}

/// A compared column (its values borrowed from the frame when they can be).
struct Factor<'a> {
    name: String,
    values: Numbers<'a>,
    centred: Option<Centred>,
    r: f64,
    p: f64,
}

/// Correlates `opts.target` with the other numeric columns.
pub fn correlation(
    df: &DataFrame,
    opts: &CorrelationOptions,
) -> Result<CorrelationResult, AnalysisError> {
    let method = opts.method;
    let target_values = frame::numbers(df, &opts.target)?;
    // Rows with a target value, and whether those values all agree (no copy of them).
    let (n, constant) = match &target_values {
        Numbers::Ints(v) => (v.len(), v.iter().all(|x| *x == v[0])),
        Numbers::Floats(v) => {
            let mut present = v.iter().filter(|x| !x.is_nan());
            let first = present.next().copied();
            let agree = present.clone().all(|x| Some(*x) == first);
            (usize::from(first.is_some()) + present.count(), agree)
        }
    };
    if n < 2 {
        return Err(AnalysisError::TooFewRows { needed: 2, got: n });
    }
    if constant {
        return Err(AnalysisError::ConstantColumn {
            name: opts.target.clone(),
        });
    }
    let target_centre = if method == CorrelationMethod::Pearson {
        centred_numbers(&target_values)
    } else {
        None
    };

    let candidates: Vec<String> = match &opts.columns {
        Some(cols) => {
            let mut seen = BTreeSet::new();
            let mut out = Vec::new();
            for c in cols {
                let col = frame::column(df, c)?;
                if !frame::is_numeric(col.dtype()) {
                    return Err(AnalysisError::NotNumeric { name: c.clone() });
                }
                if *c != opts.target && seen.insert(c.clone()) {
                    out.push(c.clone());
                }
            }
            out
        }
        None => frame::numeric_names(df)
            .into_iter()
            .filter(|c| *c != opts.target)
            .collect(),
    };

    let mut factors: Vec<Factor> = Vec::new();
    let mut excluded: Vec<(String, &'static str)> = Vec::new();
    for name in candidates {
        if frame::is_id_like(df, &name) {
            excluded.push((name, "looks like an identifier"));
            continue;
        }
        let values = frame::numbers(df, &name)?;
        let same_everywhere = match &values {
            Numbers::Ints(v) => v.iter().all(|x| *x == v[0]),
            Numbers::Floats(v) => {
                let mut own = v.iter().filter(|x| !x.is_nan());
                let first = own.next().copied();
                first.is_some_and(|f| own.all(|x| *x == f))
            }
        };
        if same_everywhere {
            excluded.push((name, "has the same value in every row"));
            continue;
        }
        let own_centre = if method == CorrelationMethod::Pearson {
            centred_numbers(&values)
        } else {
            None
        };
        let p = compute(method, &target_values, target_centre, &values, own_centre);
        if p.r.is_nan() {
            let reason = if p.n < 2 {
                "has fewer than 2 rows with both values"
            } else {
                "does not vary where the target has values"
            };
            excluded.push((name, reason));
            continue;
        }
        factors.push(Factor {
            name,
            values,
            centred: own_centre,
            r: p.r,
            p: p.p_value,
        });
    }

    let mut order: Vec<usize> = (0..factors.len()).collect();
    order.sort_by(|&a, &b| factors[b].r.abs().total_cmp(&factors[a].r.abs()));
    let top_factors: Vec<String> = order.iter().map(|&i| factors[i].name.clone()).collect();

    let matrix = matrix(method, &opts.target, &target_values, &factors);
    let interpretation = interpret(method, &opts.target, n, &factors, &order, &excluded);
    let warnings = excluded
        .iter()
        .map(|(name, why)| format!("{name} was left out of the correlation: it {why}."))
        .collect();
    Ok(CorrelationResult {
        correlations: factors.iter().map(|f| (f.name.clone(), f.r)).collect(),
        top_factors,
        interpretation,
        methodology: method.methodology().to_string(),
        target: opts.target.clone(),
        p_values: factors.iter().map(|f| (f.name.clone(), f.p)).collect(),
        matrix,
        excluded: excluded.into_iter().map(|(name, _)| name).collect(),
        n,
        method: match method {
            CorrelationMethod::Pearson => "pearson",
            CorrelationMethod::Spearman => "spearman",
        }
        .to_string(),
        warnings,
    })
}

fn matrix(
    method: CorrelationMethod,
    target: &str,
    target_values: &Numbers<'_>,
    factors: &[Factor],
) -> CorrelationMatrix {
    let mut columns = vec![target.to_string()];
    columns.extend(factors.iter().map(|f| f.name.clone()));
    let series: Vec<&Numbers<'_>> = std::iter::once(target_values)
        .chain(factors.iter().map(|f| &f.values))
        .collect();
    let k = series.len();
    let mut values = vec![vec![1.0; k]; k];
    for i in 0..k {
        for j in (i + 1)..k {
            let r = if i == 0 {
                factors[j - 1].r
            } else {
                let (a, b) = (&factors[i - 1], &factors[j - 1]);
                compute(method, series[i], a.centred, series[j], b.centred).r
            };
            values[i][j] = r;
            values[j][i] = r;
        }
    }
    CorrelationMatrix { columns, values }
}

fn strength(r: f64) -> &'static str {
    let a = r.abs();
    if a >= 0.7 {
        "strong"
    } else if a >= 0.4 {
        "moderate"
    } else if a >= 0.2 {
        "weak"
    } else {
        "very weak"
    }
}

fn interpret(
    method: CorrelationMethod,
    target: &str,
    n: usize,
    factors: &[Factor],
    order: &[usize],
    excluded: &[(String, &str)],
) -> String {
    const SHOWN: usize = 5;
    let mut out = String::new();
    if factors.is_empty() {
        out.push_str(&format!(
            "No numeric column could be compared with {target}."
        ));
    } else {
        let described: Vec<String> = order
            .iter()
            .take(SHOWN)
            .map(|&i| {
                let f = &factors[i];
                let sign = if f.r >= 0.0 { "positive" } else { "negative" };
                format!(
                    "{} ({} = {}, {} {sign}, {})",
                    f.name,
                    method.symbol(),
                    format::coefficient(f.r),
                    strength(f.r),
                    format::p_value(f.p)
                )
            })
            .collect();
        let kind = match method {
            CorrelationMethod::Pearson => "",
            CorrelationMethod::Spearman => {
                " (by rank: any steady rise or fall, not only a straight line)"
            }
        };
        out.push_str(&format!(
            "Over {} with a {target} value, the column most related to {target}{kind} is {}",
            format::count(n, "row", "rows"),
            described[0]
        ));
        if described.len() > 1 {
            out.push_str(&format!(", then {}", format::list(&described[1..])));
        }
        out.push('.');
        if factors.len() > SHOWN {
            out.push_str(&format!(
                " {} more columns are weaker.",
                format::integer(factors.len() - SHOWN)
            ));
        }
        let chance: Vec<&str> = order
            .iter()
            .map(|&i| &factors[i])
            .filter(|f| f.p.is_nan() || f.p >= 0.05)
            .map(|f| f.name.as_str())
            .collect();
        if !chance.is_empty() {
            out.push_str(&format!(
                " The relationship with {} is not statistically significant (p ≥ 0.05) and may be chance.",
                format::list(&chance)
            ));
        }
    }
    if !excluded.is_empty() {
        let reasons: Vec<String> = excluded
            .iter()
            .map(|(name, why)| format!("{name} ({why})"))
            .collect();
        out.push_str(&format!(" Left out: {}.", format::list(&reasons)));
    }
    if !factors.is_empty() {
        out.push_str(" Correlation shows association, not cause.");
    }
    out
}
