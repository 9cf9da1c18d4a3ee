//! The embedded offline planner: a question's words and the schema in, one SELECT statement and
//! the way it was understood out. It picks a measure (glossary term or column), an aggregation,
//! an optional dimension reached through many-to-one links, a time grain, a time filter anchored
//! at the data's latest date, and the series an analysis needs. No name of any particular
//! database appears here.
//!
//! Values never enter the SQL text: category values, date bounds and numbers are bound with
//! [`SqlParams::bind`], which returns a numbered placeholder (`?N`). Numbered placeholders let a
//! piece of SQL be written once and used twice (a period's condition in the WHERE clause and in
//! a CASE) whatever order the pieces are assembled in; at the end [`SqlParams::keep_used`]
//! renumbers them in text order and drops values no piece used, so [`Plan::params`] lines up
//! with the placeholders of [`Plan::sql`] one to one.

pub mod catalog;
pub mod filter;
pub mod sql;
pub mod time;

use chrono::NaiveDate;
use sightline_analytics::{AnalysisType, Frequency};

use crate::db::{self, SqlParams};
use crate::error::{ErrorKind, HasKind};
use crate::glossary::{Glossary, Term};
use crate::pipeline::intent::{Intent, number_word};
use catalog::{Catalog, CatalogTable, Link, Role, stem};
use sql::{
    DateStorage, bucket, grain_alias, ident, normalized_date, qualified, qualify_expression,
};
use time::TimeFilter;

/// What the planner produced: the SQL, the values bound to its placeholders, and how it read
/// the question.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// One SELECT statement; its values are placeholders `?1`, `?2`, ... in text order.
    pub sql: String,
    /// The value of each placeholder of `sql`, in index order.
    pub params: SqlParams,
    pub confidence: f64,
    /// One sentence: measure, aggregation, grouping, filters, time anchor.
    pub reading: String,
    pub warnings: Vec<String>,
    pub analysis: Option<AnalysisSpec>,
    /// The rows of `sql` before its GROUP BY, when the engine can group them itself.
    pub grouped: Option<GroupedRows>,
}

/// `SELECT period, [category,] value` with the plan's FROM and WHERE: the rows a per-period
/// aggregate groups,
/// for the engine's hash aggregate ([`crate::db::GroupedScan`]), which gives the same result as
/// the plan's SQL without SQLite's sort of every row.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupedRows {
    pub sql: String,
    pub params: SqlParams,
    pub aggregate: db::Aggregate,
    pub order: db::GroupOrder,
}

/// The analysis to run on the plan's result, in terms of the result's columns.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysisSpec {
    pub kind: AnalysisType,
    pub target: String,
    pub date_column: Option<String>,
    pub label_column: Option<String>,
    /// Forecast horizon in periods of `frequency`.
    pub horizon: Option<usize>,
    pub frequency: Option<Frequency>,
    pub threshold: Option<f64>,
    /// The method the question names ("with holt-winters", "by IQR"), in the words
    /// `sightline analyze --method` takes; `None` for the analysis' default.
    pub method: Option<String>,
    /// Correlation factors; `None` means every other numeric column.
    pub columns: Option<Vec<String>>,
}

impl AnalysisSpec {
    /// An analysis of `target` with every optional parameter unset.
    pub fn new(kind: AnalysisType, target: String) -> Self {
        AnalysisSpec {
            kind,
            target,
            date_column: None,
            label_column: None,
            horizon: None,
            frequency: None,
            threshold: None,
            method: None,
            columns: None,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PlanError {
    #[error("Sightline could not tell what to measure. {understood} {suggestion}")]
    NoMeasure {
        understood: String,
        suggestion: String,
    },
    #[error("{0}")]
    Unsupported(String),
}

impl HasKind for PlanError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::NotUnderstood
    }
}

/// What the planner may ask of the data while planning: the latest date of a column, the anchor
/// for relative time words.
pub trait DataProbe {
    fn latest_date(&self, table: &str, date_sql: &str) -> Option<NaiveDate>;
    /// The distinct values of a text column, or `None` when it has too many to be a category.
    fn values(&self, table: &str, column: &str) -> Option<Vec<String>>;
}

/// How values are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Aggregation {
    Sum,
    Avg,
    Count,
    CountDistinct,
    Min,
    Max,
    /// The engine's own `median()` aggregate (registered on every connection).
    Median,
}

impl Aggregation {
    fn parse(name: &str) -> Option<Aggregation> {
        match name.to_lowercase().as_str() {
            "sum" | "total" => Some(Aggregation::Sum),
            "avg" | "average" | "mean" => Some(Aggregation::Avg),
            "count" => Some(Aggregation::Count),
            "count_distinct" | "distinct" => Some(Aggregation::CountDistinct),
            "min" | "minimum" => Some(Aggregation::Min),
            "max" | "maximum" => Some(Aggregation::Max),
            "median" => Some(Aggregation::Median),
            _ => None,
        }
    }

    fn apply(self, expr: &str) -> String {
        match self {
            Aggregation::Sum => format!("SUM({expr})"),
            Aggregation::Avg => format!("AVG({expr})"),
            Aggregation::Count => format!("COUNT({expr})"),
            Aggregation::CountDistinct => format!("COUNT(DISTINCT {expr})"),
            Aggregation::Min => format!("MIN({expr})"),
            Aggregation::Max => format!("MAX({expr})"),
            Aggregation::Median => format!("median({expr})"),
        }
    }

    /// The same aggregate in the engine's hash GROUP BY, for those it computes as SQLite does.
    fn hashed(self) -> Option<db::Aggregate> {
        match self {
            Aggregation::Sum => Some(db::Aggregate::Sum),
            Aggregation::Avg => Some(db::Aggregate::Avg),
            Aggregation::Count => Some(db::Aggregate::Count),
            Aggregation::Min => Some(db::Aggregate::Min),
            Aggregation::Max => Some(db::Aggregate::Max),
            Aggregation::CountDistinct | Aggregation::Median => None,
        }
    }

    fn word(self) -> &'static str {
        match self {
            Aggregation::Sum => "sum",
            Aggregation::Avg => "average",
            Aggregation::Count => "count",
            Aggregation::CountDistinct => "distinct count",
            Aggregation::Min => "minimum",
            Aggregation::Max => "maximum",
            Aggregation::Median => "median",
        }
    }
}

/// A measure: an expression over one table, how to aggregate it, and what names it.
#[derive(Debug, Clone)]
struct Measure {
    table: String,
    /// The expression, qualified with its table.
    expr: String,
    /// The plain column, when the expression is one.
    column: Option<String>,
    aggregation: Aggregation,
    /// The aggregation was said in the question, not a default.
    aggregation_said: bool,
    filter: Option<String>,
    alias: String,
    /// How the reading names it: "orders.amount (revenue)".
    description: String,
    date_column: Option<String>,
    /// Question word indexes this measure consumed.
    used: Vec<usize>,
    score: f64,
}

impl Measure {
    /// The measure's value on one row, unaggregated: its column, or its expression.
    fn row_value(&self) -> String {
        self.column
            .as_ref()
            .map(|c| qualified(&self.table, c))
            .unwrap_or_else(|| self.expr.clone())
    }

    /// What the aggregate reads on each row: its expression, or `1` for `COUNT(*)`.
    fn row_sql(&self) -> &str {
        if self.expr == "*" { "1" } else { &self.expr }
    }

    /// The name that row value gets in the result.
    fn row_name(&self) -> String {
        self.column.clone().unwrap_or_else(|| self.alias.clone())
    }
}

/// A grouping column reached from the measure's table.
#[derive(Debug, Clone)]
struct Dimension {
    table: String,
    column: String,
    path: Vec<Link>,
    /// For "by customer": the table's key, grouped on so that two customers who share a name
    /// stay apart; `column` is what the answer shows.
    key: Option<String>,
}

impl Dimension {
    /// What the query groups on, given the position of the shown column in the SELECT list.
    fn group_by(&self, position: usize) -> String {
        self.key
            .as_ref()
            .map(|k| qualified(&self.table, k))
            .unwrap_or_else(|| position.to_string())
    }
}

/// Plans one question.
pub fn plan(
    intent: &Intent,
    catalog: &Catalog,
    glossary: &Glossary,
    probe: &dyn DataProbe,
) -> Result<Plan, PlanError> {
    let words: Vec<String> = intent.words.iter().map(|w| stem(w)).collect();
    let mut warnings = Vec::new();

    let time_filter = time::find(&intent.words);
    let time_words: Vec<usize> = time_filter
        .as_ref()
        .map(|(_, used)| used.clone())
        .unwrap_or_default();

    let mut candidates = measures(&words, &time_words, catalog, glossary);
    candidates.sort_by(|a, b| b.score.total_cmp(&a.score));
    // "how many distinct customers placed an order": a distinct count outranks any measure.
    if let Some(distinct) = distinct_measure(&words, catalog) {
        candidates.insert(0, distinct);
    }
    // No measure named: "how many orders", "number of customers" count the rows of a table.
    let (mut measure, mut confidence): (Measure, f64) = match candidates.first() {
        Some(best) => (best.clone(), 0.9),
        None => (
            row_count(&words, catalog).ok_or_else(|| no_measure(intent, catalog))?,
            0.8,
        ),
    };
    if let Some(second) = candidates
        .iter()
        .skip(1)
        .find(|c| c.score >= measure.score && c.description != measure.description)
    {
        confidence -= 0.2;
        warnings.push(format!(
            "The question could mean {} or {}; Sightline used {}. Name the table to choose the other.",
            measure.description, second.description, measure.description
        ));
    }
    // "how many customers churned": a yes/no column counted, not averaged.
    let how_many = words.windows(2).any(|w| w[0] == "how" && w[1] == "many");
    if how_many && !measure.aggregation_said && measure.aggregation == Aggregation::Avg {
        measure.aggregation = Aggregation::Sum;
        measure.aggregation_said = true;
    }
    if !measure.aggregation_said
        && let Some(said) = aggregation_word(&words)
    {
        measure.aggregation_said = true;
        measure.aggregation = said;
    }

    let table = catalog
        .table(&measure.table)
        .cloned()
        .ok_or_else(|| no_measure(intent, catalog))?;
    let mut used: Vec<usize> = measure
        .used
        .iter()
        .chain(time_words.iter())
        .copied()
        .collect();
    let dimension = find_dimension(&words, &mut used, catalog, &table);
    let grain = find_grain(&words, &used).or_else(|| growth_unit(&words));
    let top = find_top(&intent.words);
    let mut params = SqlParams::new();
    let mut filters = filter::numeric_filters(&words, &used, catalog, &table, &mut params);
    // "customers with more than 3 support tickets": the column only filters; what is counted
    // is the rows of the table the question names.
    // "average satisfaction of customers with at least 4 support tickets": another measure the
    // question names, untouched by the filters, is what it asks for.
    let filtered = |m: &Measure| {
        !m.used.is_empty()
            && filters
                .iter()
                .any(|f| m.used.iter().all(|u| f.used.contains(u)))
    };
    if filtered(&measure) {
        let other = candidates
            .iter()
            .find(|c| {
                c.table == measure.table
                    && !filtered(c)
                    && !c
                        .used
                        .iter()
                        .any(|u| filters.iter().any(|f| f.used.contains(u)))
            })
            .cloned()
            .or_else(|| row_count(&words, catalog).filter(|r| r.table == measure.table));
        if let Some(mut other) = other {
            if !other.aggregation_said
                && let Some(said) = aggregation_word(&words)
            {
                other.aggregation = said;
                other.aggregation_said = true;
            }
            used.retain(|u| !measure.used.contains(u));
            used.extend(other.used.iter().copied());
            measure = other;
        }
    }
    used.extend(filters.iter().flat_map(|f| f.used.iter().copied()));
    let categories = filter::category_filters(&words, &used, catalog, &table, probe, &mut params);
    used.extend(categories.iter().flat_map(|f| f.used.iter().copied()));
    filters.extend(categories);
    for (value, column) in filter::unlinked_values(&words, &used, catalog, &table, probe) {
        confidence -= 0.3;
        warnings.push(format!(
            "\"{value}\" is a value of {column}, which Sightline cannot link to {} without counting rows twice, so the answer is not filtered by it.",
            table.name
        ));
    }
    if dimension.is_none()
        && grain.is_none()
        && let Some(asked) = ungrouped_phrase(&words, &used)
    {
        confidence -= 0.3;
        warnings.push(format!(
            "Sightline could not group {} by \"{asked}\": nothing named so is linked to {}. The answer is not grouped.",
            measure.description, table.name
        ));
    }

    let request = Request {
        intent,
        measure,
        table,
        dimension,
        grain,
        top,
        time_filter: time_filter.map(|(f, _)| f),
        filters,
    };
    let mut plan = build(
        &request,
        probe,
        &mut params,
        &mut warnings,
        &mut confidence,
        &candidates,
    )?;
    if let Some(rows) = plan.grouped.as_mut() {
        (rows.sql, rows.params) = params.clone().keep_used(&rows.sql);
    }
    (plan.sql, plan.params) = params.keep_used(&plan.sql);
    plan.warnings = warnings;
    plan.confidence = confidence.clamp(0.05, 0.99);
    Ok(plan)
}

struct Request<'a> {
    intent: &'a Intent,
    measure: Measure,
    table: CatalogTable,
    dimension: Option<Dimension>,
    grain: Option<Frequency>,
    top: Option<Ranking>,
    time_filter: Option<TimeFilter>,
    filters: Vec<filter::Filter>,
}

/// Every measure the question could name, scored: glossary terms first, then columns.
fn measures(
    words: &[String],
    skip: &[usize],
    catalog: &Catalog,
    glossary: &Glossary,
) -> Vec<Measure> {
    let mut found = Vec::new();
    for term in &glossary.terms {
        let Some(table) = catalog.table(&term.table) else {
            continue;
        };
        for phrase in term.phrases() {
            let phrase_words: Vec<String> = phrase.split_whitespace().map(stem).collect();
            if let Some(at) = find_phrase(words, &phrase_words, skip) {
                let used: Vec<usize> = (at..at + phrase_words.len()).collect();
                let mut measure = term_measure(term, table);
                // A phrase that only names the table ("transactions") says less than a measure
                // word beside the table's name ("transaction amounts").
                let names_table = phrase_words == table.words;
                let bonus = if names_table {
                    0.0
                } else {
                    table_bonus(words, table)
                };
                measure.score = 2.5 + phrase_words.len() as f64 + bonus;
                measure.used = used;
                found.push(measure);
                break;
            }
        }
    }
    for table in &catalog.tables {
        for column in table
            .columns
            .iter()
            .filter(|c| matches!(c.role, Role::Measure | Role::Flag))
        {
            // The full name first; without its unit suffix only when the full name is absent.
            let Some((name_words, used)) = catalog::name_variants(&column.name)
                .into_iter()
                .find_map(|name_words| {
                    let positions: Option<Vec<usize>> = name_words
                        .iter()
                        .map(|w| {
                            words
                                .iter()
                                .enumerate()
                                .position(|(i, q)| same_or_prefix(q, w) && !skip.contains(&i))
                        })
                        .collect();
                    positions.map(|p| (name_words, p))
                })
            else {
                continue;
            };
            let qualified_name = qualified(&table.name, &column.name);
            if found
                .iter()
                .any(|m: &Measure| m.expr == qualified_name && m.table == table.name)
            {
                continue;
            }
            found.push(Measure {
                table: table.name.clone(),
                expr: qualified_name,
                column: Some(column.name.clone()),
                aggregation: if column.role == Role::Flag {
                    Aggregation::Avg
                } else {
                    Aggregation::Sum
                },
                aggregation_said: false,
                filter: None,
                alias: column.name.clone(),
                description: format!("{}.{}", table.name, column.name),
                date_column: None,
                score: 1.0 + name_words.len() as f64 + table_bonus(words, table),
                used,
            });
        }
    }
    found
}

fn term_measure(term: &Term, table: &CatalogTable) -> Measure {
    let columns: Vec<String> = table.columns.iter().map(|c| c.name.clone()).collect();
    let plain = table.column(term.expression.trim()).map(|c| c.name.clone());
    let alias = term.term.to_lowercase().replace(' ', "_");
    Measure {
        table: table.name.clone(),
        expr: qualify_expression(&term.expression, &table.name, &columns),
        column: plain.clone(),
        aggregation: term
            .aggregation
            .as_deref()
            .and_then(Aggregation::parse)
            .unwrap_or(Aggregation::Sum),
        aggregation_said: false,
        filter: term
            .filter
            .as_ref()
            .filter(|f| !f.trim().is_empty())
            .map(|f| qualify_expression(f, &table.name, &columns)),
        alias,
        description: match &term.filter {
            Some(f) if !f.trim().is_empty() => format!(
                "{}.{} ({}, where {f})",
                table.name, term.expression, term.term
            ),
            _ => format!("{}.{} ({})", table.name, term.expression, term.term),
        },
        date_column: term.date_column.clone(),
        used: Vec::new(),
        score: 0.0,
    }
}

/// A question word names a column word when equal, or when it is a stem of it at least four
/// letters long ("churn" → "churned").
fn same_or_prefix(question: &str, name: &str) -> bool {
    question == name
        || (question.len() >= 4 && name.starts_with(question) && name.len() <= question.len() + 3)
}

fn table_bonus(words: &[String], table: &CatalogTable) -> f64 {
    if !table.words.is_empty() && table.words.iter().all(|w| words.contains(w)) {
        2.0
    } else {
        0.0
    }
}

/// The position of `phrase` as consecutive question words, avoiding `skip`.
fn find_phrase(words: &[String], phrase: &[String], skip: &[usize]) -> Option<usize> {
    if phrase.is_empty() || phrase.len() > words.len() {
        return None;
    }
    (0..=words.len() - phrase.len()).find(|&i| {
        phrase
            .iter()
            .enumerate()
            .all(|(k, p)| &words[i + k] == p && !skip.contains(&(i + k)))
    })
}

fn aggregation_word(words: &[String]) -> Option<Aggregation> {
    // "which region has the highest revenue" ranks groups by the measure; "what is the highest
    // amount" asks for the maximum itself.
    let ranks = match words.first().map(String::as_str) {
        Some("which") => true,
        Some("what") => !matches!(
            words.get(1).map(String::as_str),
            Some("is" | "was" | "are" | "were" | "s")
        ),
        _ => false,
    } || words
        .iter()
        .any(|w| matches!(w.as_str(), "by" | "per" | "each" | "across"));
    words
        .iter()
        .enumerate()
        .find_map(|(i, w)| match w.as_str() {
            "average" | "avg" | "mean" => Some(Aggregation::Avg),
            "total" | "sum" => Some(Aggregation::Sum),
            "maximum" | "max" => Some(Aggregation::Max),
            "minimum" | "min" => Some(Aggregation::Min),
            "lowest" | "smallest" if !ranks => Some(Aggregation::Min),
            "highest" | "largest" | "biggest" if !ranks => Some(Aggregation::Max),
            "median" => Some(Aggregation::Median),
            "distinct" | "unique" => Some(Aggregation::CountDistinct),
            "number" if words.get(i + 1).map(String::as_str) == Some("of") => {
                Some(Aggregation::Count)
            }
            _ => None,
        })
}

/// The row count of the table the question names ("how many orders", "number of customers").
fn row_count(words: &[String], catalog: &Catalog) -> Option<Measure> {
    // Every word of the table's name, or else its last word, the noun that names its rows
    // ("tickets" for "Service Tickets", "sales" for "gem_sales").
    let full = |t: &&CatalogTable| !t.words.is_empty() && t.words.iter().all(|w| words.contains(w));
    let head = |t: &&CatalogTable| t.words.last().is_some_and(|w| words.contains(w));
    let mut tables: Vec<&CatalogTable> = catalog.tables.iter().filter(full).collect();
    if tables.is_empty() {
        tables = catalog.tables.iter().filter(head).collect();
        if tables.len() > 1 {
            return None;
        }
    }
    tables.sort_by_key(|t| std::cmp::Reverse(t.words.len()));
    let table = (*tables.first()?).clone();
    let key = table
        .with_role(Role::Id)
        .next()
        .map(|c| qualified(&table.name, &c.name))
        .unwrap_or_else(|| "*".to_string());
    Some(Measure {
        table: table.name.clone(),
        expr: key,
        column: None,
        aggregation: Aggregation::Count,
        aggregation_said: true,
        filter: None,
        alias: format!(
            "{}_count",
            table
                .name
                .to_lowercase()
                .replace(|c: char| !c.is_alphanumeric(), "_")
        ),
        description: format!("rows of {}", table.name),
        date_column: None,
        used: table
            .words
            .iter()
            .filter_map(|w| words.iter().position(|q| q == w))
            .collect(),
        score: 1.0,
    })
}

/// "distinct customers", "unique boutiques", "different rep codes": the number of distinct
/// values of a column, or of the key that links the table the question counts in to the one it
/// names ("distinct customers placed an order" → distinct `orders.customer_id`).
fn distinct_measure(words: &[String], catalog: &Catalog) -> Option<Measure> {
    let at = words
        .iter()
        .position(|w| matches!(w.as_str(), "distinct" | "unique" | "different"))?;
    let from = at + 1;
    let fits = |name: &[String]| {
        !name.is_empty()
            && from + name.len() <= words.len()
            && name.iter().enumerate().all(|(k, n)| words[from + k] == *n)
    };
    let measure = |table: &CatalogTable, column: &str, used: Vec<usize>| Measure {
        table: table.name.clone(),
        expr: qualified(&table.name, column),
        column: None,
        aggregation: Aggregation::CountDistinct,
        aggregation_said: true,
        filter: None,
        alias: format!(
            "distinct_{}",
            column
                .to_lowercase()
                .replace(|c: char| !c.is_alphanumeric(), "_")
        ),
        description: format!("distinct {}.{}", table.name, column),
        date_column: None,
        used,
        score: 10.0,
    };
    // A column named right after the word.
    for table in &catalog.tables {
        for column in table
            .columns
            .iter()
            .filter(|c| matches!(c.role, Role::Dimension | Role::Id))
        {
            if let Some(name) = catalog::name_variants(&column.name)
                .into_iter()
                .find(|n| fits(n))
            {
                let used = (at..from + name.len()).collect();
                return Some(measure(table, &column.name, used));
            }
        }
    }
    // A table named right after the word: counted through the link from another table the
    // question names, else by its own key.
    let named = catalog
        .tables
        .iter()
        .find(|t| t.words.last().is_some_and(|w| words.get(from) == Some(w)) || fits(&t.words))?;
    let mut used: Vec<usize> = vec![at, from];
    let via = catalog.links.iter().find_map(|link| {
        if !link.to_table.eq_ignore_ascii_case(&named.name) {
            return None;
        }
        let home = catalog.table(&link.from_table)?;
        let said = words
            .iter()
            .enumerate()
            .position(|(i, w)| i > from && home.words.last() == Some(w))?;
        Some((home, link.from_column.clone(), said))
    });
    if let Some((home, column, said)) = via {
        used.push(said);
        return Some(measure(home, &column, used));
    }
    let key = named.with_role(Role::Id).next()?;
    Some(measure(named, &key.name, used))
}

/// "by region", "per plan", "for each category", "across channels": a dimension column reachable
/// from the measure's table through many-to-one links.
fn find_dimension(
    words: &[String],
    used: &mut Vec<usize>,
    catalog: &Catalog,
    home: &CatalogTable,
) -> Option<Dimension> {
    // Where a grouping may be named: after "by", "per", "across", "for each"; after "which" or
    // "what" ("which region has ..."); after "top 5" / "bottom 3" ("top 5 customers by ...").
    let starts: Vec<usize> = words
        .iter()
        .enumerate()
        .filter_map(|(i, w)| match w.as_str() {
            "by" | "per" | "across" | "each" | "every" => Some(i + 1),
            "for" if words.get(i + 1).map(String::as_str) == Some("each") => Some(i + 1),
            // "which 3 categories ...": the number is how many, the grouping follows it.
            "which" | "what" if i == 0 => {
                Some(if words.get(i + 1).and_then(|n| number_word(n)).is_some() {
                    i + 2
                } else {
                    i + 1
                })
            }
            "top" | "bottom" => Some(if words.get(i + 1).and_then(|n| number_word(n)).is_some() {
                i + 2
            } else {
                i + 1
            }),
            _ => None,
        })
        .collect();
    let mut best: Option<(usize, Dimension, Vec<usize>)> = None;
    for start in starts {
        let start = if words.get(start).map(String::as_str) == Some("each") {
            start + 1
        } else {
            start
        };
        for table in &catalog.tables {
            let Some(path) = catalog.path(&home.name, &table.name) else {
                continue;
            };
            for column in table
                .columns
                .iter()
                .filter(|c| matches!(c.role, Role::Dimension | Role::Flag))
            {
                let name_words = catalog::name_words(&column.name);
                // "customer plan", "product category": the table's word, then the column's.
                let qualified_by_table = words.get(start).is_some_and(|w| table.words.contains(w))
                    && name_words
                        .first()
                        .is_none_or(|n| words.get(start) != Some(n));
                let from = if qualified_by_table { start + 1 } else { start };
                let matched = name_words
                    .iter()
                    .zip(words.iter().skip(from))
                    .take_while(|(a, b)| a == b)
                    .count();
                let label_match = column
                    .words
                    .first()
                    .is_some_and(|w| words.get(from) == Some(w));
                let strength = if matched == name_words.len() {
                    matched + 1 + usize::from(qualified_by_table)
                } else if label_match {
                    1
                } else {
                    0
                };
                if strength == 0 || used.contains(&start) {
                    continue;
                }
                let matched = matched + usize::from(qualified_by_table);
                let better = best.as_ref().is_none_or(|(s, d, _)| {
                    strength > *s || (strength == *s && path.len() < d.path.len())
                });
                if better {
                    let dim = Dimension {
                        table: table.name.clone(),
                        column: column.name.clone(),
                        path: path.clone(),
                        key: None,
                    };
                    best = Some((strength, dim, (start..start + matched.max(1)).collect()));
                }
            }
            // "by customer": the table itself, shown by its name-like column.
            if !table.words.is_empty() && table.words.first() == words.get(start) && best.is_none()
            {
                let shown = table
                    .columns
                    .iter()
                    .find(|c| {
                        c.role == Role::Dimension
                            && catalog::name_words(&c.name)
                                .last()
                                .is_some_and(|w| matches!(w.as_str(), "name" | "title" | "label"))
                    })
                    .or_else(|| table.with_role(Role::Id).next());
                if let Some(column) = shown {
                    let key = table
                        .with_role(Role::Id)
                        .next()
                        .filter(|k| k.name != column.name)
                        .map(|k| k.name.clone());
                    let dim = Dimension {
                        table: table.name.clone(),
                        column: column.name.clone(),
                        path: path.clone(),
                        key,
                    };
                    best = Some((1, dim, vec![start]));
                }
            }
        }
    }
    best.map(|(_, mut dim, positions)| {
        used.extend(positions);
        // An entity's name ("Client Name", "title") is not unique: group by the entity's key.
        let name_like = catalog::name_words(&dim.column)
            .last()
            .is_some_and(|w| matches!(w.as_str(), "name" | "title" | "label"));
        if name_like && dim.key.is_none() {
            dim.key = catalog
                .table(&dim.table)
                .and_then(|t| t.with_role(Role::Id).next())
                .filter(|k| k.name != dim.column)
                .map(|k| k.name.clone());
        }
        dim
    })
}

/// The word a question groups by ("by X", "per X", "top 5 X") when no grouping used it.
fn ungrouped_phrase(words: &[String], used: &[usize]) -> Option<String> {
    let candidates = words
        .iter()
        .enumerate()
        .filter_map(|(i, w)| match w.as_str() {
            "by" | "per" | "across" => Some(i + 1),
            "top" | "bottom" => Some(if words.get(i + 1).and_then(|n| number_word(n)).is_some() {
                i + 2
            } else {
                i + 1
            }),
            _ => None,
        });
    candidates
        .filter(|&at| at < words.len() && !used.contains(&at))
        .map(|at| words[at].clone())
        .find(|asked| crate::pipeline::intent::unit_of(asked).is_none())
}

/// "daily", "by month", "per week", "each quarter".
fn find_grain(words: &[String], used: &[usize]) -> Option<Frequency> {
    words
        .iter()
        .enumerate()
        .filter(|(i, _)| !used.contains(i))
        .find_map(|(i, w)| {
            let previous = i
                .checked_sub(1)
                .and_then(|p| words.get(p))
                .map(String::as_str);
            match w.as_str() {
                "daily" => Some(Frequency::Day),
                "weekly" => Some(Frequency::Week),
                "monthly" => Some(Frequency::Month),
                "quarterly" => Some(Frequency::Quarter),
                "yearly" | "annual" | "annually" => Some(Frequency::Year),
                _ if matches!(previous, Some("by" | "per" | "each" | "every" | "a")) => {
                    crate::pipeline::intent::unit_of(w)
                }
                _ => None,
            }
        })
}

/// How many groups to keep, from which end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Ranking {
    count: usize,
    /// The largest values first ("top", "highest"); otherwise the smallest ("bottom", "lowest").
    largest: bool,
}

/// "top 5", "bottom 3", "which ... highest" (top 1), "which ... lowest" (bottom 1).
fn find_top(words: &[String]) -> Option<Ranking> {
    let at_least = |i: usize| i > 0 && words[i - 1] == "at";
    for (i, w) in words.iter().enumerate() {
        let largest = match w.as_str() {
            "top" | "best" | "largest" | "biggest" => true,
            "bottom" | "worst" | "smallest" => false,
            _ => continue,
        };
        let count = words
            .get(i + 1)
            .and_then(|n| number_word(n))
            .map(|n| n as usize)
            .unwrap_or(if words.get(i + 1).is_some() && !largest {
                1
            } else {
                10
            });
        return Some(Ranking { count, largest });
    }
    let which = words.first().is_some_and(|w| w == "which" || w == "what");
    let superlative = words
        .iter()
        .enumerate()
        .find_map(|(i, w)| match w.as_str() {
            "highest" | "most" | "greatest" => Some(true),
            "lowest" | "fewest" => Some(false),
            "least" if !at_least(i) => Some(false),
            _ => None,
        });
    let count = words
        .get(1)
        .and_then(|n| number_word(n))
        .map_or(1, |n| n as usize);
    superlative
        .filter(|_| which)
        .map(|largest| Ranking { count, largest })
}

fn no_measure(intent: &Intent, catalog: &Catalog) -> PlanError {
    let understood = match intent.analysis {
        Some(kind) => format!(
            "It understood that you want a {kind} analysis but found no measure it knows in the question."
        ),
        None => "It found no measure, table or glossary term it knows in the question.".to_string(),
    };
    let examples: Vec<String> = catalog
        .tables
        .iter()
        .flat_map(|t| {
            t.with_role(Role::Measure)
                .take(2)
                .map(move |c| format!("{} {}", t.name, c.name.replace('_', " ")))
        })
        .take(4)
        .collect();
    let suggestion = if examples.is_empty() {
        "Try naming a table or column, e.g. \"how many rows in TABLE\".".to_string()
    } else {
        format!(
            "Try naming a measure and a grouping, e.g. \"total {} by month\". Measures here include: {}.",
            examples[0].split(' ').skip(1).collect::<Vec<_>>().join(" "),
            examples.join(", ")
        )
    };
    PlanError::NoMeasure {
        understood,
        suggestion,
    }
}

fn build(
    request: &Request<'_>,
    probe: &dyn DataProbe,
    params: &mut SqlParams,
    warnings: &mut Vec<String>,
    confidence: &mut f64,
    candidates: &[Measure],
) -> Result<Plan, PlanError> {
    let Request {
        intent,
        measure,
        table,
        dimension,
        grain,
        top,
        time_filter,
        filters,
    } = request;
    // "growth in 2025 compared to 2024" is one comparison of two periods, not a series.
    let versus = matches!(time_filter, Some(TimeFilter::Versus(..)))
        && grain.is_none()
        && dimension.is_none();
    let kind = intent.analysis.filter(|_| !versus);

    // The column that dates the measure, and the anchor for relative time words.
    let date_column = measure
        .date_column
        .as_deref()
        .and_then(|name| table.column(name))
        .filter(|c| c.role == Role::Date)
        .or_else(|| table.date_column());
    let date_sql = date_column.map(|c| {
        normalized_date(
            &qualified(&table.name, &c.name),
            c.storage.unwrap_or(DateStorage::IsoText),
        )
    });
    let iso_text = date_column
        .is_some_and(|c| c.storage.unwrap_or(DateStorage::IsoText) == DateStorage::IsoText);

    let needs_series = matches!(kind, Some(AnalysisType::Forecast | AnalysisType::Trend));
    let mut grain = *grain;
    if needs_series && grain.is_none() {
        grain = Some(if kind == Some(AnalysisType::Forecast) {
            Frequency::Day
        } else {
            Frequency::Month
        });
        *confidence -= 0.05;
    }
    if grain.is_some() && date_sql.is_none() {
        return Err(PlanError::Unsupported(format!(
            "Sightline found no date column in {} to build a time series of {}. Ask for it by a category instead.",
            table.name, measure.description
        )));
    }

    let mut conditions: Vec<String> = measure.filter.iter().cloned().collect();
    let mut time_text = None;
    // The resolved time range, kept apart so a growth series can see the period before it.
    let mut time_range: Option<(String, String)> = None;
    let mut time_sql: Option<String> = None;
    let mut comparison: Option<Comparison> = None;
    if let Some(filter) = time_filter {
        match (&date_sql, date_column) {
            (Some(date_sql), Some(column)) => {
                let anchor = probe.latest_date(&table.name, date_sql);
                match anchor {
                    Some(anchor) => {
                        let range = filter.resolve(anchor);
                        let compared = if iso_text { qualified(&table.name, &column.name) } else { format!("date({date_sql})") };
                        let (start, end) = (
                            params.bind(range.start.to_string()),
                            params.bind(range.end.to_string()),
                        );
                        let condition = format!("{compared} >= {start} AND {compared} < {end}");
                        match filter.baseline(anchor).filter(|_| versus) {
                            Some(base) => {
                                let base_condition = format!(
                                    "{compared} >= {} AND {compared} < {}",
                                    params.bind(base.start.to_string()),
                                    params.bind(base.end.to_string())
                                );
                                conditions.push(format!("(({condition}) OR ({base_condition}))"));
                                time_text = Some(format!(
                                    "{} compared with {}",
                                    range.description, base.description
                                ));
                                comparison = Some(Comparison {
                                    current: condition,
                                    baseline: base_condition,
                                    current_name: range.start.format("%Y").to_string(),
                                    baseline_name: base.start.format("%Y").to_string(),
                                });
                            }
                            None => {
                                time_sql = Some(condition.clone());
                                conditions.push(condition);
                                time_range = Some((start, end));
                                time_text = Some(range.description);
                            }
                        }
                    }
                    None => warnings.push(format!(
                        "{}.{} holds no dates Sightline can read, so the time filter was not applied.",
                        table.name, column.name
                    )),
                }
            }
            _ => {
                *confidence -= 0.2;
                warnings.push(format!(
                    "{} has no date column, so the time filter was not applied.",
                    table.name
                ));
            }
        }
    }

    let share = asks_share(&intent.words);
    // "what percentage of orders were refunded": the filters pick the part, not the rows.
    let part: Vec<String> = filters.iter().map(|f| f.condition.clone()).collect();
    let part_of_whole = share && dimension.is_none() && grain.is_none() && !part.is_empty();
    if !part_of_whole {
        conditions.extend(part.iter().cloned());
    }
    let growth = asks_growth(&intent.words);
    // Every link the grouping and the filters need, each joined once.
    let mut links: Vec<&Link> = Vec::new();
    let paths = dimension
        .iter()
        .filter(|_| !needs_series)
        .map(|d| &d.path)
        .chain(filters.iter().map(|f| &f.path));
    for link in paths.flatten() {
        if !links.contains(&link) {
            links.push(link);
        }
    }
    let joins: Vec<String> = links
        .iter()
        .map(|link| {
            format!(
                "JOIN {} ON {} = {}",
                ident(&link.to_table),
                qualified(&link.from_table, &link.from_column),
                qualified(&link.to_table, &link.to_column)
            )
        })
        .collect();
    if dimension.is_some() && needs_series {
        warnings.push(
            "A forecast or trend needs one series, so the grouping in the question was ignored."
                .to_string(),
        );
        *confidence -= 0.1;
    }
    let dimension = dimension.as_ref().filter(|_| !needs_series);

    let from = std::iter::once(format!("FROM {}", ident(&table.name)))
        .chain(joins.iter().cloned())
        .collect::<Vec<_>>()
        .join(" ");
    let where_clause = if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    };
    let measure_sql = measure.aggregation.apply(&measure.expr);
    let alias = ident(&measure.alias);

    let mut spec = None;
    let mut grouped = None;
    let mut shape: String;
    let sql = match (kind, grain, dimension) {
        // A correlation works on rows: the target beside the table's other numbers.
        (Some(AnalysisType::Correlation), _, _)
            if measure.column.is_none() && measure.aggregation == Aggregation::Count =>
        {
            return Err(PlanError::Unsupported(format!(
                "Sightline understood you want a correlation but found no measure to correlate in {}; name a column, e.g. \"what correlates with {}\".",
                table.name,
                table
                    .with_role(Role::Measure)
                    .next()
                    .map(|c| c.name.replace('_', " "))
                    .unwrap_or_else(|| "a measure".to_string())
            )));
        }
        (Some(AnalysisType::Correlation), _, _) => {
            let (target_expr, target) = (measure.row_value(), measure.row_name());
            let named_factors: Vec<&Measure> = candidates
                .iter()
                .filter(|c| c.table == table.name && c.expr != measure.expr && c.column.is_some())
                .collect();
            let factors: Vec<String> = if named_factors.is_empty() {
                table
                    .columns
                    .iter()
                    .filter(|c| {
                        matches!(c.role, Role::Measure | Role::Flag)
                            && Some(&c.name) != measure.column.as_ref()
                    })
                    .map(|c| c.name.clone())
                    .collect()
            } else {
                named_factors
                    .iter()
                    .filter_map(|m| m.column.clone())
                    .collect()
            };
            if factors.is_empty() {
                return Err(PlanError::Unsupported(format!(
                    "{} has no other numeric column to correlate with {}.",
                    table.name, measure.description
                )));
            }
            shape = format!(
                "{} of each row of {} against {}",
                target,
                table.name,
                factors.join(", ")
            );
            spec = Some(AnalysisSpec::new(AnalysisType::Correlation, target.clone()));
            let columns: Vec<String> = factors.iter().map(|f| qualified(&table.name, f)).collect();
            format!(
                "SELECT {target_expr} AS {}, {} {from}{where_clause}",
                ident(&target),
                columns.join(", ")
            )
        }
        // A plain breakdown by period and category: one row per (period, category).
        (None, Some(grain), Some(dim)) => {
            let date_sql = date_sql.clone().unwrap_or_default();
            let bucket_alias = grain_alias(grain);
            shape = format!(
                "{} {} of {} by {}.{}",
                adjective(grain),
                measure.aggregation.word(),
                measure.description,
                dim.table,
                dim.column
            );
            let date_not_null = format!("{date_sql} IS NOT NULL");
            let where_clause = if conditions.is_empty() {
                format!(" WHERE {date_not_null}")
            } else {
                format!("{where_clause} AND {date_not_null}")
            };
            let key = bucket(&date_sql, grain);
            let category = qualified(&dim.table, &dim.column);
            let category_alias = ident(&dim.column);
            // Grouped on the shown column itself (not on a key beside it): the engine can group
            // the rows the same way.
            if dim.key.is_none() {
                grouped = measure.aggregation.hashed().map(|aggregate| GroupedRows {
                    sql: format!(
                        "SELECT {key} AS {bucket_alias}, {category} AS {category_alias}, {} AS {alias} {from}{where_clause}",
                        measure.row_sql()
                    ),
                    // Filled by `plan` with the plan's own values (`SqlParams::keep_used`).
                    params: SqlParams::new(),
                    aggregate,
                    order: db::GroupOrder::Keys,
                });
            }
            format!(
                "SELECT {key} AS {bucket_alias}, {category} AS {category_alias}, {measure_sql} AS {alias} {from}{where_clause} GROUP BY 1, {} ORDER BY 1, 2",
                dim.group_by(2)
            )
        }
        (_, Some(grain), _) => {
            let date_sql = date_sql.clone().unwrap_or_default();
            let bucket_alias = grain_alias(grain);
            shape = format!(
                "{} {} of {}",
                adjective(grain),
                measure.aggregation.word(),
                measure.description
            );
            let horizon = intent
                .horizon
                .map(|h| h.periods(grain))
                .or_else(|| default_horizon(kind, grain));
            spec = kind.map(|kind| AnalysisSpec {
                date_column: Some(bucket_alias.to_string()),
                label_column: Some(bucket_alias.to_string()),
                horizon: (kind == AnalysisType::Forecast)
                    .then_some(horizon)
                    .flatten(),
                frequency: Some(grain),
                threshold: intent.threshold,
                method: intent.method.clone(),
                ..AnalysisSpec::new(kind, measure.alias.clone())
            });
            let date_not_null = format!("{date_sql} IS NOT NULL");
            if growth {
                // The change is computed over the whole series, then the time range is applied,
                // so the first period in range is compared with the one before it.
                shape.push_str(" with the change from the previous period");
                let time_condition = time_range
                    .as_ref()
                    .map(|(start, end)| {
                        format!(" WHERE {bucket_alias} >= {start} AND {bucket_alias} < {end}")
                    })
                    .unwrap_or_default();
                let inner: Vec<&String> = conditions
                    .iter()
                    .filter(|c| Some(*c) != time_sql.as_ref())
                    .collect();
                let inner_where = std::iter::once(&date_not_null)
                    .chain(inner)
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .join(" AND ");
                let previous = format!("LAG({alias}) OVER (ORDER BY {bucket_alias})");
                format!(
                    "WITH series AS (SELECT {} AS {bucket_alias}, {measure_sql} AS {alias} {from} WHERE {inner_where} GROUP BY 1), \
                     growth AS (SELECT {bucket_alias}, {alias}, 100.0 * ({alias} - {previous}) / {previous} AS growth_pct FROM series) \
                     SELECT {bucket_alias}, {alias}, growth_pct FROM growth{time_condition} ORDER BY 1",
                    bucket(&date_sql, grain)
                )
            } else {
                let where_clause = if conditions.is_empty() {
                    format!(" WHERE {date_not_null}")
                } else {
                    format!("{where_clause} AND {date_not_null}")
                };
                let key = bucket(&date_sql, grain);
                grouped = measure.aggregation.hashed().map(|aggregate| GroupedRows {
                    sql: format!(
                        "SELECT {key} AS {bucket_alias}, {} AS {alias} {from}{where_clause}",
                        measure.row_sql()
                    ),
                    // Filled by `plan` with the plan's own values (`SqlParams::keep_used`).
                    params: SqlParams::new(),
                    aggregate,
                    order: db::GroupOrder::Keys,
                });
                format!(
                    "SELECT {key} AS {bucket_alias}, {measure_sql} AS {alias} {from}{where_clause} GROUP BY 1 ORDER BY 1"
                )
            }
        }
        (_, None, Some(dim)) => {
            let dim_alias = ident(&dim.column);
            shape = format!(
                "{} of {} by {}.{}",
                measure.aggregation.word(),
                measure.description,
                dim.table,
                dim.column
            );
            spec = kind.map(|kind| AnalysisSpec {
                label_column: Some(dim.column.clone()),
                threshold: intent.threshold,
                method: intent.method.clone(),
                ..AnalysisSpec::new(kind, measure.alias.clone())
            });
            let limit = top
                .map(|r| format!(" LIMIT {}", r.count))
                .unwrap_or_default();
            let direction = if top.is_some_and(|r| !r.largest) {
                "ASC"
            } else {
                "DESC"
            };
            let share_column = if share {
                shape.push_str(", with each one's share of the total in percent");
                format!(", 100.0 * {measure_sql} / SUM({measure_sql}) OVER () AS share_pct")
            } else {
                String::new()
            };
            let category = qualified(&dim.table, &dim.column);
            // Grouped on the shown column itself and without a share of the total (a window over
            // the groups): the engine can group and rank the rows the same way.
            if dim.key.is_none() && !share {
                grouped = measure.aggregation.hashed().map(|aggregate| GroupedRows {
                    sql: format!(
                        "SELECT {category} AS {dim_alias}, {} AS {alias} {from}{where_clause}",
                        measure.row_sql()
                    ),
                    // Filled by `plan` with the plan's own values (`SqlParams::keep_used`).
                    params: SqlParams::new(),
                    aggregate,
                    order: db::GroupOrder::Value {
                        descending: direction == "DESC",
                        limit: top.map(|r| r.count),
                    },
                });
            }
            format!(
                "SELECT {category} AS {dim_alias}, {measure_sql} AS {alias}{share_column} {from}{where_clause} GROUP BY {} ORDER BY 2 {direction}, 1{limit}",
                dim.group_by(1)
            )
        }
        // Row-level analyses: each row's value (with its date as the label when there is one).
        (Some(kind @ (AnalysisType::Anomaly | AnalysisType::Summary)), None, None) => {
            let (value, target) = (measure.row_value(), measure.row_name());
            let summary_all = kind == AnalysisType::Summary
                && measure.column.is_none()
                && measure.aggregation == Aggregation::Count;
            if summary_all {
                let numbers: Vec<String> = table
                    .with_role(Role::Measure)
                    .map(|c| c.name.clone())
                    .collect();
                if numbers.is_empty() {
                    return Err(PlanError::Unsupported(format!(
                        "{} has no numeric column to summarise.",
                        table.name
                    )));
                }
                shape = format!(
                    "every numeric column of {} ({})",
                    table.name,
                    numbers.join(", ")
                );
                spec = Some(AnalysisSpec::new(kind, numbers[0].clone()));
                let columns: Vec<String> =
                    numbers.iter().map(|c| qualified(&table.name, c)).collect();
                format!("SELECT {} {from}{where_clause}", columns.join(", "))
            } else {
                // Anomalies are told by date and row; a summary needs only the values, in any
                // order, which spares SQLite a sort of the whole table.
                let label = date_column
                    .filter(|_| kind == AnalysisType::Anomaly)
                    .map(|c| c.name.clone());
                shape = format!("{} of each row of {}", target, table.name);
                spec = Some(AnalysisSpec {
                    label_column: label.clone(),
                    threshold: intent.threshold,
                    method: intent.method.clone(),
                    ..AnalysisSpec::new(kind, target.clone())
                });
                // Anomalies are reported by row, so the row's key comes along.
                let key = (kind == AnalysisType::Anomaly)
                    .then(|| {
                        table
                            .with_role(Role::Id)
                            .next()
                            .map(|c| qualified(&table.name, &c.name))
                    })
                    .flatten();
                let mut select: Vec<String> = key.into_iter().collect();
                if let Some(label) = &label {
                    select.push(qualified(&table.name, label));
                }
                select.push(format!("{value} AS {}", ident(&target)));
                // Dated rows in date order, ties broken by the key so the order is stable.
                let tie = table
                    .with_role(Role::Id)
                    .next()
                    .map(|c| format!(", {}", qualified(&table.name, &c.name)));
                let order = label
                    .map(|l| {
                        format!(
                            " ORDER BY {}{}",
                            qualified(&table.name, &l),
                            tie.unwrap_or_default()
                        )
                    })
                    .unwrap_or_default();
                format!("SELECT {} {from}{where_clause}{order}", select.join(", "))
            }
        }
        (_, None, None) => {
            if kind.is_some() {
                *confidence -= 0.2;
                warnings.push(
                    "The analysis needs a series or a grouping; the question gave neither."
                        .to_string(),
                );
            }
            shape = format!("{} of {}", measure.aggregation.word(), measure.description);
            let flag = measure
                .column
                .as_deref()
                .and_then(|c| table.column(c))
                .is_some_and(|c| c.role == Role::Flag);
            if let Some(c) = &comparison {
                // One aggregate per period, then the change from the baseline in percent.
                shape.push_str(", and its change in percent");
                let value = measure.row_sql();
                let per = |condition: &str| {
                    measure
                        .aggregation
                        .apply(&format!("CASE WHEN {condition} THEN {value} END"))
                };
                let current = ident(&format!("{}_{}", measure.alias, c.current_name));
                let baseline = ident(&format!("{}_{}", measure.alias, c.baseline_name));
                format!(
                    "SELECT {current}, {baseline}, 100.0 * ({current} - {baseline}) / {baseline} AS growth_pct FROM (SELECT {} AS {current}, {} AS {baseline} {from}{where_clause})",
                    per(&c.current),
                    per(&c.baseline)
                )
            } else if share && !part_of_whole && flag && measure.aggregation == Aggregation::Avg {
                // "what percentage of items were returned": a yes/no column's rate, in percent.
                shape.push_str(", in percent");
                format!(
                    "SELECT {measure_sql} AS {alias}, 100.0 * {measure_sql} AS share_pct {from}{where_clause}"
                )
            } else if part_of_whole {
                shape.push_str(", and the part of it in percent");
                let condition = part.join(" AND ");
                let part_value = match measure.aggregation {
                    Aggregation::Count => format!("CASE WHEN {condition} THEN 1 ELSE 0 END"),
                    _ => format!("CASE WHEN {condition} THEN {} ELSE 0 END", measure.expr),
                };
                let whole = match measure.aggregation {
                    Aggregation::Count => "COUNT(*)".to_string(),
                    _ => format!("SUM({})", measure.expr),
                };
                format!(
                    "SELECT {measure_sql} AS {alias}, 100.0 * SUM({part_value}) / {whole} AS share_pct {from}{where_clause}"
                )
            } else {
                format!("SELECT {measure_sql} AS {alias} {from}{where_clause}")
            }
        }
    };

    if !measure.aggregation_said && measure.score < 3.0 && kind.is_none() {
        *confidence -= 0.05;
    }
    let mut reading = upper_first(&shape);
    if !filters.is_empty() {
        let said: Vec<&str> = filters.iter().map(|f| f.description.as_str()).collect();
        reading.push_str(&format!(" where {}", said.join(" and ")));
    }
    if let Some(time_text) = time_text {
        reading.push_str(&format!(" for {time_text}"));
    }
    if let Some(spec) = &spec {
        if let (Some(h), Some(f)) = (spec.horizon, spec.frequency) {
            reading.push_str(&format!("; {h}-{} forecast", grain_alias(f)));
        } else {
            reading.push_str(&format!("; {} analysis", spec.kind));
        }
    }
    reading.push('.');
    Ok(Plan {
        sql,
        // Filled by `plan` once the text is final (`SqlParams::keep_used`).
        params: SqlParams::new(),
        confidence: *confidence,
        reading,
        warnings: Vec::new(),
        analysis: spec,
        grouped,
    })
}

/// Two periods a question compares ("2025 compared to 2024"): their row conditions and names.
struct Comparison {
    current: String,
    baseline: String,
    current_name: String,
    baseline_name: String,
}

/// "share of revenue by region", "what percentage of orders ...", "proportion of ...".
fn asks_share(words: &[String]) -> bool {
    words.iter().enumerate().any(|(i, w)| {
        // "15 percent" is a number's unit, not a share.
        let after_number = i > 0 && words[i - 1].parse::<f64>().is_ok();
        matches!(
            w.as_str(),
            "share" | "shares" | "percentage" | "percent" | "proportion" | "fraction"
        ) && !after_number
    })
}

/// The period a growth question compares: "month over month", "yoy".
fn growth_unit(words: &[String]) -> Option<Frequency> {
    use crate::pipeline::intent::unit_of;
    let over = words
        .windows(3)
        .find(|w| w[1] == "over" && unit_of(&w[0]).is_some() && unit_of(&w[0]) == unit_of(&w[2]))
        .and_then(|w| unit_of(&w[0]));
    over.or_else(|| {
        words.iter().find_map(|w| match w.as_str() {
            "yoy" | "year-over-year" => Some(Frequency::Year),
            "mom" | "month-over-month" => Some(Frequency::Month),
            "qoq" => Some(Frequency::Quarter),
            _ => None,
        })
    })
}

/// "growth", "month over month", "year-over-year", "compared with the previous month".
fn asks_growth(words: &[String]) -> bool {
    growth_unit(words).is_some()
        || words
            .iter()
            .any(|w| matches!(w.as_str(), "growth" | "grew"))
}

fn default_horizon(kind: Option<AnalysisType>, grain: Frequency) -> Option<usize> {
    (kind == Some(AnalysisType::Forecast)).then_some(match grain {
        Frequency::Day => 30,
        Frequency::Week => 12,
        Frequency::Month => 3,
        Frequency::Quarter => 2,
        Frequency::Year => 1,
    })
}

fn adjective(grain: Frequency) -> &'static str {
    match grain {
        Frequency::Day => "daily",
        Frequency::Week => "weekly",
        Frequency::Month => "monthly",
        Frequency::Quarter => "quarterly",
        Frequency::Year => "yearly",
    }
}

fn upper_first(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
