//! Row filters a question states in passing: category values found in the data ("in the West
//! region", "for Premium customers", "color E") and comparisons with numbers ("orders over 100",
//! "with more than 3 support tickets"). Values are looked up in the data through the
//! [`DataProbe`](super::DataProbe), never guessed; they and the numbers reach SQLite bound to
//! placeholders ([`SqlParams`]), never written into the SQL text.

use super::DataProbe;
use super::catalog::{Catalog, CatalogColumn, CatalogTable, Link, Role, name_variants, name_words};
use super::sql::qualified;
use crate::db::{SqlParam, SqlParams};

/// One condition on the rows, with the links needed to reach its column.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    /// SQL condition with its values as placeholders into the plan's [`SqlParams`], e.g.
    /// `customers.region = ?1`.
    pub condition: String,
    pub path: Vec<Link>,
    /// How the reading says it, e.g. `customers.region = West`.
    pub description: String,
    /// Question word indexes it consumed.
    pub used: Vec<usize>,
}

/// Words that never name a category value on their own, however a column's values are spelt.
const NOT_VALUES: &[&str] = &[
    "a",
    "an",
    "the",
    "and",
    "or",
    "of",
    "in",
    "on",
    "for",
    "by",
    "per",
    "to",
    "from",
    "with",
    "is",
    "are",
    "was",
    "what",
    "which",
    "how",
    "many",
    "much",
    "show",
    "me",
    "all",
    "total",
    "each",
    "every",
    "top",
    "last",
    "next",
    "this",
    "that",
    "year",
    "month",
    "week",
    "day",
    "quarter",
    "over",
    "under",
    "above",
    "below",
    "than",
    "more",
    "less",
    "at",
    "least",
    "most",
    "find",
    "identify",
    "list",
    "give",
    "tell",
    "compare",
    "daily",
    "weekly",
    "monthly",
    "quarterly",
    "yearly",
    "annual",
    "do",
    "does",
    "did",
    "we",
    "our",
    "have",
    "has",
    "there",
    "it",
    "be",
    "were",
    "by",
    "average",
    "sum",
    "count",
    "number",
    "median",
    "distinct",
    "unique",
];

/// The question words that could name a category value: not used by the rest of the plan, not
/// a common word, an analysis keyword, a period word, a number, or a word of a table's or
/// column's name. When none is left, no value is looked up at all, so a question like "find
/// anomalies in daily revenue" costs no scan of the data.
fn free_words(words: &[String], used: &[usize], catalog: &Catalog) -> Vec<usize> {
    let named = |w: &str| {
        catalog.tables.iter().any(|t| {
            t.words.iter().any(|n| n == w)
                || t.columns.iter().any(|c| {
                    c.words.iter().any(|n| n == w) || name_words(&c.name).iter().any(|n| n == w)
                })
        })
    };
    (0..words.len())
        .filter(|&i| {
            let w = words[i].as_str();
            !used.contains(&i)
                && !NOT_VALUES.contains(&w)
                && !crate::pipeline::intent::is_keyword(w)
                && crate::pipeline::intent::unit_of(w).is_none()
                && w.parse::<f64>().is_err()
                && !named(w)
        })
        .collect()
}

/// Category filters: every value of a low-cardinality text column, of the home table or a
/// table it links to, that the question names in words no other part of the plan used. The
/// values are bound in `params`.
pub fn category_filters(
    words: &[String],
    used: &[usize],
    catalog: &Catalog,
    home: &CatalogTable,
    probe: &dyn DataProbe,
    params: &mut SqlParams,
) -> Vec<Filter> {
    let free = free_words(words, used, catalog);
    if free.is_empty() {
        return Vec::new();
    }
    let mut filters: Vec<Filter> = Vec::new();
    let mut taken: Vec<usize> = Vec::new();
    for table in &catalog.tables {
        let Some(path) = catalog.path(&home.name, &table.name) else {
            continue;
        };
        for column in table.with_role(Role::Dimension) {
            let Some(values) = probe.values(&table.name, &column.name) else {
                continue;
            };
            let mut matched: Vec<(String, Vec<usize>)> = Vec::new();
            for value in &values {
                let value_words = name_words(value);
                if value_words.is_empty() {
                    continue;
                }
                let Some(at) = find_free(words, &value_words, &free, &taken) else {
                    continue;
                };
                let span: Vec<usize> = (at..at + value_words.len()).collect();
                let short = value_words.len() == 1 && value_words[0].chars().count() <= 2;
                let beside = column_named_beside(words, &span, column, used);
                // "E" or "no" on its own is too common a word: it counts only beside the
                // column's name ("color E").
                if short && beside.is_none() {
                    continue;
                }
                let mut consumed = span;
                consumed.extend(beside.unwrap_or_default());
                matched.push((value.clone(), consumed));
            }
            if matched.is_empty() {
                continue;
            }
            let column_sql = qualified(&table.name, &column.name);
            let shown: Vec<&str> = matched.iter().map(|(v, _)| v.as_str()).collect();
            let condition = if matched.len() == 1 {
                format!("{column_sql} = {}", params.bind(shown[0]))
            } else {
                let list: Vec<String> = shown.iter().map(|v| params.bind(*v)).collect();
                format!("{column_sql} IN ({})", list.join(", "))
            };
            let consumed: Vec<usize> = matched
                .iter()
                .flat_map(|(_, u)| u.iter().copied())
                .collect();
            taken.extend(consumed.iter().copied());
            filters.push(Filter {
                condition,
                path: path.clone(),
                description: format!("{}.{} = {}", table.name, column.name, shown.join(" or ")),
                used: consumed,
            });
        }
    }
    filters
}

/// Where `phrase` occurs in `words` using only free, untaken positions.
fn find_free(
    words: &[String],
    phrase: &[String],
    free: &[usize],
    taken: &[usize],
) -> Option<usize> {
    if phrase.len() > words.len() {
        return None;
    }
    (0..=words.len() - phrase.len()).find(|&i| {
        phrase.iter().enumerate().all(|(k, p)| {
            let at = i + k;
            free.contains(&at) && !taken.contains(&at) && &words[at] == p
        })
    })
}

/// The positions of the column's name right before or after `span` ("region West", "West
/// region", "color E"), if it is there and unused.
fn column_named_beside(
    words: &[String],
    span: &[usize],
    column: &CatalogColumn,
    used: &[usize],
) -> Option<Vec<usize>> {
    let names = name_words(&column.name);
    let (first, last) = (*span.first()?, *span.last()?);
    let before = first
        .checked_sub(names.len())
        .filter(|&s| (s..first).zip(&names).all(|(i, n)| &words[i] == n));
    let after = Some(last + 1)
        .filter(|&s| s + names.len() <= words.len())
        .filter(|&s| {
            (s..s + names.len())
                .zip(&names)
                .all(|(i, n)| &words[i] == n)
        });
    let start = before.or(after)?;
    let positions: Vec<usize> = (start..start + names.len()).collect();
    (!positions.iter().any(|p| used.contains(p))).then_some(positions)
}

/// A comparison word and the SQL operator it means.
fn comparison(words: &[String], i: usize) -> Option<(&'static str, usize)> {
    let w = words[i].as_str();
    let next = words.get(i + 1).map(String::as_str);
    match (w, next) {
        ("over" | "above" | "exceeding" | "exceed", _) => Some((">", 1)),
        ("under" | "below", _) => Some(("<", 1)),
        (
            "more" | "greater" | "higher" | "larger" | "bigger" | "heavier" | "longer" | "older"
            | "costlier",
            Some("than"),
        ) => Some((">", 2)),
        (
            "less" | "fewer" | "lower" | "smaller" | "lighter" | "shorter" | "younger" | "cheaper",
            Some("than"),
        ) => Some(("<", 2)),
        ("at", Some("least")) => Some((">=", 2)),
        ("at", Some("most")) => Some(("<=", 2)),
        _ => None,
    }
}

/// "100", "1,000" (already split by the tokenizer as "1" "000" is not joined), "2.5", "10k".
fn number(word: &str) -> Option<f64> {
    let w = word.trim_start_matches('$');
    if let Some(thousands) = w.strip_suffix('k') {
        return thousands.parse::<f64>().ok().map(|n| n * 1000.0);
    }
    w.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// Numeric filters: a comparison and a number, on the measure column named just before the
/// comparison ("amount over 100") or just after the number ("more than 3 support tickets"), or,
/// when only a table is named ("orders over 100"), on that table's first measure column. The
/// numbers are bound in `params`.
pub fn numeric_filters(
    words: &[String],
    used: &[usize],
    catalog: &Catalog,
    home: &CatalogTable,
    params: &mut SqlParams,
) -> Vec<Filter> {
    let mut filters = Vec::new();
    for i in 0..words.len() {
        if used.contains(&i) {
            continue;
        }
        let Some((op, len)) = comparison(words, i) else {
            continue;
        };
        let Some(value) = words.get(i + len).and_then(|w| number(w)) else {
            continue;
        };
        let number_at = i + len;
        // "more than 3 standard deviations" is an anomaly threshold, not a filter.
        if words.get(number_at + 1).is_some_and(|u| {
            matches!(
                u.as_str(),
                "standard" | "std" | "sigma" | "sd" | "stdev" | "stddev"
            )
        }) {
            continue;
        }
        let mut consumed: Vec<usize> = (i..=number_at).collect();
        let reachable: Vec<(&CatalogTable, Vec<Link>)> = catalog
            .tables
            .iter()
            .filter_map(|t| catalog.path(&home.name, &t.name).map(|p| (t, p)))
            .collect();
        let named = |range: std::ops::Range<usize>| {
            reachable.iter().find_map(|(table, path)| {
                table
                    .columns
                    .iter()
                    .filter(|c| matches!(c.role, Role::Measure | Role::Flag))
                    .find_map(|c| {
                        name_variants(&c.name).into_iter().find_map(|names| {
                            let fits = |start: usize| {
                                start + names.len() <= words.len()
                                    && (start..start + names.len())
                                        .zip(&names)
                                        .all(|(k, n)| &words[k] == n)
                            };
                            range.clone().find(|&s| fits(s)).map(|s| {
                                (
                                    (*table, c),
                                    path.clone(),
                                    (s..s + names.len()).collect::<Vec<_>>(),
                                )
                            })
                        })
                    })
            })
        };
        let before = named(i.saturating_sub(3)..i);
        let after = named(number_at + 1..(number_at + 2).min(words.len()))
            .or_else(|| unit_after(words, number_at + 1, &reachable));
        let implied = || {
            // "older than 60", "younger than 30": an age.
            if matches!(words[i].as_str(), "older" | "younger") {
                return reachable.iter().find_map(|(table, path)| {
                    table
                        .with_role(Role::Measure)
                        .find(|c| name_words(&c.name).iter().any(|w| w == "age"))
                        .map(|c| ((*table, c), path.clone(), Vec::new()))
                });
            }
            // "orders over 100", "products cost less than 20": a table named just before the
            // comparison stands for its main measure.
            let said = i.saturating_sub(3)..i;
            reachable.iter().find_map(|(table, path)| {
                let head = table.words.last()?;
                said.clone().any(|k| &words[k] == head).then_some(())?;
                main_measure(table, words).map(|c| ((*table, c), path.clone(), Vec::new()))
            })
        };
        let found = before.or(after).or_else(implied);
        let Some(((table, column), path, column_words)) = found else {
            continue;
        };
        consumed.extend(column_words);
        let shown = if value.fract() == 0.0 {
            format!("{value:.0}")
        } else {
            value.to_string()
        };
        filters.push(Filter {
            condition: format!(
                "{} {op} {}",
                qualified(&table.name, &column.name),
                params.bind(SqlParam::number(value))
            ),
            path,
            description: format!("{}.{} {op} {shown}", table.name, column.name),
            used: consumed,
        });
    }
    filters
}

/// A measure column found for a comparison: its table and column, the links to reach it, and
/// the question words that named it.
type Located<'a> = ((&'a CatalogTable, &'a CatalogColumn), Vec<Link>, Vec<usize>);

/// "8 hours" for a column `Hours Spent`: the word after the number is the first word of a
/// measure column's name.
fn unit_after<'a>(
    words: &[String],
    at: usize,
    reachable: &[(&'a CatalogTable, Vec<Link>)],
) -> Option<Located<'a>> {
    let word = words.get(at)?;
    reachable.iter().find_map(|(table, path)| {
        table
            .with_role(Role::Measure)
            .find(|c| name_words(&c.name).first() == Some(word))
            .map(|c| ((*table, c), path.clone(), vec![at]))
    })
}

/// The measure a table's rows are usually sized by: one the question names a word of, else one
/// named like the table ("sale_price" in a sales table), else a money-like one, else the first.
fn main_measure<'a>(table: &'a CatalogTable, words: &[String]) -> Option<&'a CatalogColumn> {
    let measures: Vec<&CatalogColumn> = table.with_role(Role::Measure).collect();
    let named = |c: &&&CatalogColumn| name_words(&c.name).iter().any(|w| words.contains(w));
    let like_table = |c: &&&CatalogColumn| {
        table
            .words
            .last()
            .is_some_and(|head| name_words(&c.name).contains(head))
    };
    let money = |c: &&&CatalogColumn| {
        name_words(&c.name).iter().any(|w| {
            matches!(
                w.as_str(),
                "amount" | "price" | "value" | "total" | "revenue" | "cost" | "spend"
            )
        })
    };
    measures
        .iter()
        .find(named)
        .or_else(|| measures.iter().find(like_table))
        .or_else(|| measures.iter().find(money))
        .or_else(|| measures.first())
        .copied()
}

/// Category values the question names that live in tables the measure cannot be linked to
/// without multiplying rows ("revenue for Electronics" when categories belong to products, which
/// reach orders only through order lines): `(value, table.column)` pairs, for a warning.
pub fn unlinked_values(
    words: &[String],
    used: &[usize],
    catalog: &Catalog,
    home: &CatalogTable,
    probe: &dyn DataProbe,
) -> Vec<(String, String)> {
    let free = free_words(words, used, catalog);
    if free.is_empty() {
        return Vec::new();
    }
    let mut found = Vec::new();
    for table in catalog
        .tables
        .iter()
        .filter(|t| catalog.path(&home.name, &t.name).is_none())
    {
        for column in table.with_role(Role::Dimension) {
            let Some(values) = probe.values(&table.name, &column.name) else {
                continue;
            };
            for value in values {
                let value_words = name_words(&value);
                let long_enough = value_words.len() > 1
                    || value_words.first().is_some_and(|w| w.chars().count() > 2);
                if long_enough && find_free(words, &value_words, &free, &[]).is_some() {
                    found.push((value, format!("{}.{}", table.name, column.name)));
                }
            }
        }
    }
    found
}
