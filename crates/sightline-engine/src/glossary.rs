//! The business glossary: terms such as "revenue" or "churned_user" mapped to a table, an
//! expression, an aggregation and an optional filter, plus business labels for columns. The planner
//! reads terms to pick measures; charts read labels to name axes.
//!
//! A glossary comes from a file given explicitly, else `glossary.json` beside the database. The
//! desktop app keeps the glossaries its user edits in its own folder ([`kept_path`]), never
//! beside the database: Sightline does not write where the user's data lives.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{EngineError, ErrorKind, HasKind};

/// One business term.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Term {
    pub term: String,
    #[serde(default)]
    pub synonyms: Vec<String>,
    pub table: String,
    /// A column name or a SQL expression over the table's columns.
    pub expression: String,
    /// sum, avg, count, min, max, count_distinct; `None` means "use as is".
    #[serde(default)]
    pub aggregation: Option<String>,
    /// A SQL condition over the table's columns that always applies to this term.
    #[serde(default)]
    pub filter: Option<String>,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// The column that dates this measure, when its table has several.
    #[serde(default)]
    pub date_column: Option<String>,
}

impl Term {
    /// Every phrase that names this term, lower-cased, with underscores read as spaces.
    pub fn phrases(&self) -> impl Iterator<Item = String> + '_ {
        std::iter::once(&self.term)
            .chain(self.synonyms.iter())
            .map(|p| p.to_lowercase().replace('_', " "))
    }
}

/// Where an app keeps the glossary of `database` inside its own folder `home`: one file per
/// database, named after the file and a stable hash (FNV-1a) of its full path, so two
/// `sales.db` in different folders keep different glossaries.
pub fn kept_path(home: &Path, database: &Path) -> PathBuf {
    let full = database.to_string_lossy();
    let hash = full.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    let name: String = database
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect();
    home.join("glossaries")
        .join(format!("{name}-{hash:016x}.json"))
}

/// Where the glossary in use for a database comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GlossarySource {
    /// Kept by the app in its own folder ([`kept_path`]).
    App,
    /// `glossary.json` beside the database.
    Beside,
}

/// The text of the glossary in use for `database`: the one kept at `kept`, else `glossary.json`
/// beside the database, else none.
pub fn text_in_use(kept: &Path, database: &Path) -> Option<(GlossarySource, String)> {
    let read = |path: &Path| std::fs::read_to_string(path).ok();
    read(kept)
        .map(|text| (GlossarySource::App, text))
        .or_else(|| {
            read(&database.with_file_name("glossary.json"))
                .map(|text| (GlossarySource::Beside, text))
        })
}

/// A business label for a column (`table.column`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct ColumnLabel {
    pub label: String,
    #[serde(default)]
    pub unit: Option<String>,
}

/// The glossary of one database; empty when none is configured.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct Glossary {
    #[serde(default)]
    pub terms: Vec<Term>,
    #[serde(default)]
    pub columns: BTreeMap<String, ColumnLabel>,
}

#[derive(Debug, thiserror::Error)]
pub enum GlossaryError {
    #[error(
        "The glossary file {path} cannot be read: {reason}. Check the path given with --glossary."
    )]
    Unreadable { path: PathBuf, reason: String },
    #[error("The glossary file {path} is not valid glossary JSON: {reason}.")]
    Invalid { path: PathBuf, reason: String },
}

impl HasKind for GlossaryError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::BadInput
    }
}

impl Glossary {
    /// Parses glossary JSON text.
    pub fn parse(text: &str, path: &Path) -> Result<Glossary, GlossaryError> {
        serde_json::from_str(text).map_err(|e| GlossaryError::Invalid {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })
    }

    /// Loads the given file, or else `glossary.json` beside the database, or else an empty glossary.
    pub fn for_database(
        explicit: Option<&Path>,
        database: &Path,
    ) -> Result<Glossary, GlossaryError> {
        let beside = database.parent().map(|dir| dir.join("glossary.json"));
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None => match beside {
                Some(p) if p.is_file() => p,
                _ => return Ok(Glossary::default()),
            },
        };
        let text = std::fs::read_to_string(&path).map_err(|e| GlossaryError::Unreadable {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        Glossary::parse(&text, &path)
    }

    /// Checks glossary text and saves it at `path` (through a temporary file and a rename),
    /// returning what was saved; invalid text is refused and nothing is written.
    pub fn save(text: &str, path: &Path) -> Result<Glossary, EngineError> {
        let glossary =
            Glossary::parse(text, path).map_err(|e| EngineError::from_stage("glossary", &e))?;
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder).map_err(|e| {
                EngineError::new(
                    ErrorKind::Internal,
                    format!(
                        "Could not create the glossary folder {}: {e}",
                        folder.display()
                    ),
                )
                .at_stage("glossary")
            })?;
        }
        crate::export::save_file(path, text.as_bytes())?;
        Ok(glossary)
    }

    /// The business label of `table.column`, if the glossary names it.
    pub fn label(&self, table: &str, column: &str) -> Option<&ColumnLabel> {
        self.columns.get(&format!("{table}.{column}"))
    }

    /// The label for a result column: a term's label when the column is named after a term (the
    /// planner names measures after their terms), else a column label from any table, else a
    /// humanised name.
    pub fn label_for(&self, column: &str) -> String {
        let suffix = format!(".{column}");
        self.terms
            .iter()
            .find(|t| t.term.eq_ignore_ascii_case(column))
            .and_then(|t| t.label.clone())
            .or_else(|| {
                self.columns
                    .iter()
                    .find(|(key, _)| key.ends_with(&suffix))
                    .map(|(_, l)| l.label.clone())
            })
            .unwrap_or_else(|| humanize(column))
    }
}

/// `monthly_spend` → `Monthly spend`.
pub fn humanize(name: &str) -> String {
    let spaced = name.replace(['_', '-'], " ");
    let mut chars = spaced.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_terms_and_labels() {
        let text = r#"{"terms":[{"term":"revenue","synonyms":["sales"],"table":"orders","expression":"amount",
            "aggregation":"sum","filter":"status = 'completed'","label":"Revenue"}],
            "columns":{"orders.amount":{"label":"Order amount","unit":"USD"}}}"#;
        let g = Glossary::parse(text, Path::new("g.json")).unwrap();
        assert_eq!(
            g.terms[0].phrases().collect::<Vec<_>>(),
            vec!["revenue", "sales"]
        );
        assert_eq!(g.label_for("amount"), "Order amount");
        assert_eq!(
            g.label_for("revenue"),
            "Revenue",
            "a term's label wins for a measure named after it"
        );
        assert_eq!(
            g.label_for("monthly_spend"),
            "Monthly spend",
            "unknown columns are humanised"
        );
    }

    #[test]
    fn invalid_json_is_bad_input() {
        let err = Glossary::parse("{", Path::new("g.json")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BadInput);
        assert!(
            err.to_string().contains("g.json"),
            "the message names the file: {err}"
        );
    }

    #[test]
    fn kept_glossaries_are_per_database_path_and_saved_only_when_valid() {
        let home = tempfile::tempdir().unwrap();
        let a = kept_path(home.path(), Path::new("/data/east/sales.db"));
        let b = kept_path(home.path(), Path::new("/data/west/sales.db"));
        assert_ne!(a, b, "two files of the same name keep two glossaries");
        assert_eq!(a, kept_path(home.path(), Path::new("/data/east/sales.db")));
        assert!(a.starts_with(home.path().join("glossaries")));
        let error = Glossary::save("{\"terms\": [{\"term\": 1}]}", &a).unwrap_err();
        assert_eq!(error.kind, ErrorKind::BadInput);
        assert!(!a.exists(), "invalid text is not written");
        let text = r#"{"terms": [{"term": "revenue", "table": "orders", "expression": "amount", "aggregation": "sum"}]}"#;
        let saved = Glossary::save(text, &a).unwrap();
        assert_eq!(saved.terms[0].term, "revenue");
        assert_eq!(std::fs::read_to_string(&a).unwrap(), text);
        let loaded = Glossary::for_database(Some(&a), Path::new("/data/east/sales.db")).unwrap();
        assert_eq!(loaded, saved);
        let database = home.path().join("east/sales.db");
        assert_eq!(
            text_in_use(&b, &database),
            None,
            "nothing kept, nothing beside"
        );
        std::fs::create_dir_all(database.parent().unwrap()).unwrap();
        std::fs::write(database.with_file_name("glossary.json"), "{}").unwrap();
        assert_eq!(
            text_in_use(&b, &database),
            Some((GlossarySource::Beside, "{}".to_string()))
        );
        assert_eq!(
            text_in_use(&a, &database),
            Some((GlossarySource::App, text.to_string())),
            "the kept glossary wins over the one beside the database"
        );
    }
}
