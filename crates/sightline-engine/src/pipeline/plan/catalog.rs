//! The planner's view of a schema: every column given a role (id, date, measure, flag, dimension)
//! from its declared type, its name and its sample values, the words that name it, and the
//! many-to-one links between tables (declared foreign keys, or inferred from `customer_id` →
//! `customers.id`). Nothing here knows any particular database.

use std::collections::{BTreeSet, VecDeque};

use serde_json::Value;

use super::sql::DateStorage;
use crate::db::{Schema, TableInfo};
use crate::glossary::Glossary;

/// What a column is for, as far as planning goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Id,
    Date,
    Measure,
    Flag,
    Dimension,
}

#[derive(Debug, Clone)]
pub struct CatalogColumn {
    pub name: String,
    pub role: Role,
    /// Stemmed words of the column's name and business label.
    pub words: Vec<String>,
    pub label: String,
    /// How dates are stored, for date columns.
    pub storage: Option<DateStorage>,
}

/// A many-to-one link: each row of `from_table` points at one row of `to_table`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub from_table: String,
    pub from_column: String,
    pub to_table: String,
    pub to_column: String,
}

#[derive(Debug, Clone)]
pub struct CatalogTable {
    pub name: String,
    pub row_count: u64,
    pub words: Vec<String>,
    pub columns: Vec<CatalogColumn>,
}

impl CatalogTable {
    pub fn column(&self, name: &str) -> Option<&CatalogColumn> {
        self.columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
    }

    pub fn with_role(&self, role: Role) -> impl Iterator<Item = &CatalogColumn> {
        self.columns.iter().filter(move |c| c.role == role)
    }

    /// The column that dates rows of this table: a name with "date" first, then any date column.
    pub fn date_column(&self) -> Option<&CatalogColumn> {
        let mut dates: Vec<&CatalogColumn> = self.with_role(Role::Date).collect();
        dates.sort_by_key(|c| !c.name.to_lowercase().contains("date"));
        dates.first().copied()
    }
}

#[derive(Debug, Clone)]
pub struct Catalog {
    pub tables: Vec<CatalogTable>,
    pub links: Vec<Link>,
}

impl Catalog {
    pub fn new(schema: &Schema, glossary: &Glossary) -> Catalog {
        let tables: Vec<CatalogTable> = schema
            .tables
            .iter()
            .map(|t| catalog_table(t, glossary))
            .collect();
        let links = links(schema, &tables);
        Catalog { tables, links }
    }

    pub fn table(&self, name: &str) -> Option<&CatalogTable> {
        self.tables
            .iter()
            .find(|t| t.name.eq_ignore_ascii_case(name))
    }

    /// The chain of many-to-one links leading from `from` to `to`, shortest first; empty when
    /// they are the same table, `None` when no chain exists. Only many-to-one steps are followed,
    /// so joining never multiplies the rows of `from` (no double counting).
    pub fn path(&self, from: &str, to: &str) -> Option<Vec<Link>> {
        if from.eq_ignore_ascii_case(to) {
            return Some(Vec::new());
        }
        let mut queue = VecDeque::from([(from.to_string(), Vec::<Link>::new())]);
        let mut seen = BTreeSet::from([from.to_lowercase()]);
        while let Some((table, path)) = queue.pop_front() {
            for link in self
                .links
                .iter()
                .filter(|l| l.from_table.eq_ignore_ascii_case(&table))
            {
                let mut next = path.clone();
                next.push(link.clone());
                if link.to_table.eq_ignore_ascii_case(to) {
                    return Some(next);
                }
                if seen.insert(link.to_table.to_lowercase()) && next.len() < 4 {
                    queue.push_back((link.to_table.clone(), next));
                }
            }
        }
        None
    }
}

/// Lower-cases, splits a name on `_`, `-`, spaces and camelCase, and stems each word.
pub fn name_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words.iter().map(|w| stem(w)).collect()
}

/// Trailing name words that only give a unit or a kind of code, which questions leave out
/// ("discount" for `discount_pct`, "reps" for `rep_code`).
const UNIT_SUFFIXES: &[&str] = &[
    "pct", "percent", "perc", "mm", "cm", "m", "km", "kg", "g", "lb", "usd", "eur", "gbp", "code",
    "amt",
];

/// The words of a name, and the same without a trailing unit suffix when it has one.
pub fn name_variants(name: &str) -> Vec<Vec<String>> {
    let words = name_words(name);
    let mut variants = vec![words.clone()];
    if words.len() > 1
        && words
            .last()
            .is_some_and(|w| UNIT_SUFFIXES.contains(&w.as_str()))
    {
        variants.push(words[..words.len() - 1].to_vec());
    }
    variants
}

/// A light English stemmer: plural and common suffixes only, applied the same way to question
/// words and names so that "amounts" meets "amount" and "categories" meets "category".
pub fn stem(word: &str) -> String {
    let w = word.to_lowercase();
    if w.len() > 4 && w.ends_with("ies") {
        return format!("{}y", &w[..w.len() - 3]);
    }
    if w.len() > 4
        && (w.ends_with("ses") || w.ends_with("xes") || w.ends_with("ches") || w.ends_with("shes"))
    {
        return w[..w.len() - 2].to_string();
    }
    if w.len() > 3
        && w.ends_with('s')
        && !w.ends_with("ss")
        && !w.ends_with("us")
        && !w.ends_with("is")
    {
        return w[..w.len() - 1].to_string();
    }
    w
}

fn catalog_table(table: &TableInfo, glossary: &Glossary) -> CatalogTable {
    let columns = table
        .columns
        .iter()
        .map(|c| {
            let label = glossary
                .label(&table.name, &c.name)
                .map(|l| l.label.clone())
                .unwrap_or_else(|| crate::glossary::humanize(&c.name));
            let mut words = name_words(&c.name);
            for w in name_words(&label) {
                if !words.contains(&w) {
                    words.push(w);
                }
            }
            let role = role_of(&c.name, &c.decl_type, c.primary_key, &c.sample_values);
            CatalogColumn {
                storage: (role == Role::Date).then(|| storage_of(&c.sample_values)),
                role,
                name: c.name.clone(),
                words,
                label,
            }
        })
        .collect();
    CatalogTable {
        name: table.name.clone(),
        row_count: table.row_count,
        words: name_words(&table.name),
        columns,
    }
}

/// Decides a column's role from its name, declared type and sample values.
pub fn role_of(name: &str, decl_type: &str, primary_key: bool, samples: &[Value]) -> Role {
    let lower = name.to_lowercase();
    let decl = decl_type.to_uppercase();
    let words = name_words(name);
    let last = words.last().map(String::as_str).unwrap_or("");
    // "Order No", "invoice_nr": numbers that name a row, not amounts.
    let numbered = words.len() > 1 && matches!(last, "no" | "nr" | "num" | "number");
    if primary_key
        || lower == "id"
        || last == "id"
        || numbered
        || (lower.ends_with("id") && name.ends_with("Id"))
    {
        return Role::Id;
    }
    let texts: Vec<&str> = samples.iter().filter_map(Value::as_str).collect();
    let dated_name = words.iter().any(|w| {
        matches!(
            w.as_str(),
            "date" | "day" | "time" | "timestamp" | "at" | "month" | "dt"
        )
    });
    if decl.contains("DATE") || decl.contains("TIME") {
        return Role::Date;
    }
    if !texts.is_empty()
        && texts
            .iter()
            .all(|t| looks_like_date(t) || day_month_year(t).is_some())
    {
        return Role::Date;
    }
    // "Opened", "Joined", "Shipped": a participle names an event, and its numbers are dates when
    // they fall in the epoch or yyyymmdd range.
    let event_name = last.len() > 4 && last.ends_with("ed");
    let numeric = samples.iter().any(Value::is_number)
        || ["INT", "REAL", "FLOA", "DOUB", "NUM", "DEC"]
            .iter()
            .any(|k| decl.contains(k));
    if numeric {
        let date_like = |v: i64| (19000101..=22001231).contains(&v) || v > 100_000_000;
        if (dated_name || event_name)
            && !samples.is_empty()
            && samples.iter().all(|v| v.as_i64().is_some_and(date_like))
        {
            return Role::Date;
        }
        let binary = !samples.is_empty()
            && samples
                .iter()
                .all(|v| matches!(v.as_f64(), Some(x) if x == 0.0 || x == 1.0));
        let flag_name =
            lower.starts_with("is_") || lower.starts_with("has_") || decl.contains("BOOL");
        if flag_name || (binary && samples.len() >= 2) {
            return Role::Flag;
        }
        return Role::Measure;
    }
    Role::Dimension
}

/// How a date column stores its dates, judged from its sample values.
pub fn storage_of(samples: &[Value]) -> DateStorage {
    let numbers: Vec<f64> = samples.iter().filter_map(Value::as_f64).collect();
    let texts: Vec<&str> = samples.iter().filter_map(Value::as_str).collect();
    if !texts.is_empty() {
        let slash_ymd = |t: &&str| t.as_bytes().get(4) == Some(&b'/');
        if texts.iter().all(slash_ymd) {
            return DateStorage::SlashYmd;
        }
        let parts: Option<Vec<(u32, u32)>> = texts.iter().map(|t| day_month_year(t)).collect();
        return match parts {
            // A first number over 12 must be a day; a second number over 12 means the month
            // comes first ("03/15/2024"); when the samples cannot tell, day first.
            Some(parts) if parts.iter().any(|(a, _)| *a > 12) => DateStorage::DayMonthYear,
            Some(parts) if parts.iter().any(|(_, b)| *b > 12) => DateStorage::MonthDayYear,
            Some(_) => DateStorage::DayMonthYear,
            None => DateStorage::IsoText,
        };
    }
    if numbers.is_empty() {
        DateStorage::IsoText
    } else if numbers
        .iter()
        .all(|v| (19000101.0..=22001231.0).contains(v))
    {
        DateStorage::YyyyMmDd
    } else if numbers.iter().any(|v| *v > 1e11) {
        DateStorage::EpochMillis
    } else {
        DateStorage::EpochSeconds
    }
}

/// `DD/MM/YYYY` or `MM/DD/YYYY` (zero-padded, `/`, `-` or `.`): the two leading numbers.
fn day_month_year(text: &str) -> Option<(u32, u32)> {
    let b = text.trim().as_bytes();
    if b.len() != 10 || b[2] != b[5] || !matches!(b[2], b'/' | b'-' | b'.') {
        return None;
    }
    let number = |r: std::ops::Range<usize>| -> Option<u32> {
        std::str::from_utf8(&b[r]).ok()?.parse().ok()
    };
    let (a, m, year) = (number(0..2)?, number(3..5)?, number(6..10)?);
    ((1..=31).contains(&a)
        && (1..=31).contains(&m)
        && (a <= 12 || m <= 12)
        && (1800..=2200).contains(&year))
    .then_some((a, m))
}

fn looks_like_date(text: &str) -> bool {
    let t = text.trim();
    t.len() >= 7
        && t.as_bytes().first().is_some_and(u8::is_ascii_digit)
        && sightline_analytics::parse_date(t).is_some()
}

fn links(schema: &Schema, tables: &[CatalogTable]) -> Vec<Link> {
    let mut links: Vec<Link> = schema
        .tables
        .iter()
        .flat_map(|t| {
            t.foreign_keys.iter().map(move |fk| Link {
                from_table: t.name.clone(),
                from_column: fk.column.clone(),
                to_table: fk.references_table.clone(),
                to_column: if fk.references_column.is_empty() {
                    "id".to_string()
                } else {
                    fk.references_column.clone()
                },
            })
        })
        .collect();
    // Inferred: `customer_id` (or `customerId`) → a table named customer/customers with an id.
    for table in tables {
        for column in table.with_role(Role::Id) {
            let words = name_words(&column.name);
            if words.len() < 2 || words.last().map(String::as_str) != Some("id") {
                continue;
            }
            let target_words = &words[..words.len() - 1];
            let Some(target) = tables
                .iter()
                .find(|t| t.words == target_words && t.name != table.name)
            else {
                continue;
            };
            // The target's key: `id`, a column named like the link (`ClientID` → `Clients.ClientID`),
            // or its single-column primary key.
            let target_info = schema.tables.iter().find(|t| t.name == target.name);
            let primary: Vec<&str> = target_info
                .map(|t| {
                    t.columns
                        .iter()
                        .filter(|c| c.primary_key)
                        .map(|c| c.name.as_str())
                        .collect()
                })
                .unwrap_or_default();
            let Some(key) = target
                .columns
                .iter()
                .find(|c| c.name.eq_ignore_ascii_case("id"))
                .or_else(|| {
                    target
                        .columns
                        .iter()
                        .find(|c| c.name.eq_ignore_ascii_case(&column.name))
                })
                .or_else(|| {
                    (primary.len() == 1)
                        .then(|| target.column(primary[0]))
                        .flatten()
                })
            else {
                continue;
            };
            add_inferred(
                &mut links,
                Link {
                    from_table: table.name.clone(),
                    from_column: column.name.clone(),
                    to_table: target.name.clone(),
                    to_column: key.name.clone(),
                },
            );
        }
    }
    // Inferred: a column named exactly like another table's single-column primary key
    // (`Payments."Order No"` → `"Sales Orders"."Order No"`), when that name is not just `id`.
    for info in &schema.tables {
        let primary: Vec<&str> = info
            .columns
            .iter()
            .filter(|c| c.primary_key)
            .map(|c| c.name.as_str())
            .collect();
        let [key] = primary.as_slice() else {
            continue;
        };
        if key.eq_ignore_ascii_case("id") {
            continue;
        }
        for table in schema.tables.iter().filter(|t| t.name != info.name) {
            let Some(column) = table
                .columns
                .iter()
                .find(|c| c.name.eq_ignore_ascii_case(key) && !c.primary_key)
            else {
                continue;
            };
            add_inferred(
                &mut links,
                Link {
                    from_table: table.name.clone(),
                    from_column: column.name.clone(),
                    to_table: info.name.clone(),
                    to_column: (*key).to_string(),
                },
            );
        }
    }
    links
}

/// Adds an inferred link unless its column already links somewhere (declared keys win).
fn add_inferred(links: &mut Vec<Link>, link: Link) {
    let known = links
        .iter()
        .any(|l| l.from_table == link.from_table && l.from_column == link.from_column);
    if !known {
        links.push(link);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn words_and_stems() {
        assert_eq!(name_words("monthly_spend"), vec!["monthly", "spend"]);
        assert_eq!(name_words("OrderDate"), vec!["order", "date"]);
        assert_eq!(name_words("order items"), vec!["order", "item"]);
        assert_eq!(stem("categories"), "category");
        assert_eq!(stem("amounts"), "amount");
        assert_eq!(stem("status"), "status", "words ending in -us keep their s");
    }

    #[test]
    fn roles_from_names_types_and_samples() {
        let check = |name: &str, decl: &str, pk: bool, samples: Value, want: Role| {
            let samples = samples.as_array().cloned().unwrap_or_default();
            assert_eq!(
                role_of(name, decl, pk, &samples),
                want,
                "role of {name} ({decl})"
            );
        };
        check("id", "INTEGER", true, json!([1, 2]), Role::Id);
        check("customer_id", "INTEGER", false, json!([4, 9]), Role::Id);
        check(
            "order_date",
            "TEXT",
            false,
            json!(["2024-01-02", "2024-01-03"]),
            Role::Date,
        );
        check(
            "created",
            "TEXT",
            false,
            json!(["2024-01-02 10:00:00"]),
            Role::Date,
        );
        check("amount", "REAL", false, json!([12.5, 3.0]), Role::Measure);
        check("churned", "INTEGER", false, json!([0, 1]), Role::Flag);
        check(
            "region",
            "TEXT",
            false,
            json!(["West", "East"]),
            Role::Dimension,
        );
        check(
            "day_key",
            "INTEGER",
            false,
            json!([20240101, 20240102]),
            Role::Date,
        );
    }
}
