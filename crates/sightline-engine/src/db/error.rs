//! [`DbError`]: every way opening, validating or running SQL against the user's database can fail,
//! each mapped to one [`ErrorKind`] and worded for the business user who will read it.

use std::path::PathBuf;
use std::time::Duration;

use crate::error::{ErrorKind, HasKind};

/// Errors of the database stage. File problems are `bad_input`, refusals by the validator are
/// `sql_rejected`, SQLite failures while running an accepted query are `database`.
#[derive(Debug, Clone, thiserror::Error)]
pub enum DbError {
    #[error(
        "\"{location}\" is not a database location. Give a file path or a sqlite:///absolute/path address."
    )]
    InvalidLocation { location: String },

    #[error("The database file {path} does not exist. Check the path and try again.")]
    NotFound { path: PathBuf },

    #[error(
        "{path} is a folder, not a database file. Give the path of the .db or .sqlite file inside it."
    )]
    IsDirectory { path: PathBuf },

    #[error("{path} is {what}, not a regular file. Sightline only opens ordinary database files.")]
    NotRegularFile { path: PathBuf, what: &'static str },

    #[error(
        "{path} is empty (0 bytes), so it holds no data. Check that you picked the right file."
    )]
    EmptyFile { path: PathBuf },

    #[error("{path} is not a SQLite database{hint}. Sightline reads SQLite files (.db, .sqlite).")]
    NotSqlite { path: PathBuf, hint: String },

    #[error(
        "{path} does not start like a SQLite database; it is probably encrypted (for example with SQLCipher). Export a decrypted copy and open that."
    )]
    Encrypted { path: PathBuf },

    #[error(
        "{path} is cut short ({detail}); it was probably copied or downloaded incompletely. Copy it again."
    )]
    Truncated { path: PathBuf, detail: String },

    #[error(
        "{path} is damaged ({detail}). Restore it from a backup, or repair a copy with the sqlite3 tool's .recover command."
    )]
    Corrupt { path: PathBuf, detail: String },

    #[error(
        "{path} has an unfinished change left behind (a non-empty \"-journal\" file beside it, from a program that stopped mid-write). Sightline only reads and will not repair it: open the database once in the program that made it (or with the sqlite3 tool) so it can finish the recovery, then try again."
    )]
    HotJournal { path: PathBuf },

    #[error(
        "{path} has recent changes in its write-ahead log (\"-wal\" file) that cannot be read without writing beside the database ({detail}). Open it once in the program that made it, or with the sqlite3 tool, so the log is merged; then try again."
    )]
    WalUnreadable { path: PathBuf, detail: String },

    #[error(
        "{path} is locked by another program that is writing to it. Wait until it finishes (or close that program) and try again."
    )]
    Locked { path: PathBuf },

    #[error("Sightline is not allowed to read {path} ({detail}). Check the file's permissions.")]
    Unreadable { path: PathBuf, detail: String },

    #[error("{path} could not be opened: {message}.")]
    Open { path: PathBuf, message: String },

    #[error("There is no SQL statement to run.")]
    EmptySql,

    #[error(
        "Sightline runs one statement at a time, but the SQL holds {count} statements (the second starts with \"{second}\"). Keep only the SELECT."
    )]
    MultipleStatements { count: usize, second: String },

    #[error(
        "Sightline only reads: the statement tries to write ({action}). Ask for data instead of changes."
    )]
    WriteRefused { action: String },

    #[error("Sightline refused {action}: {why}.")]
    Refused { action: String, why: String },

    #[error(
        "Only queries that return rows (SELECT, WITH ... SELECT, VALUES) can be run; this statement starts with \"{first}\"."
    )]
    NotAQuery { first: String },

    #[error(
        "The SQL has {placeholders} parameter placeholder(s) (such as ? or :name) but {values} value(s) to fill them. Write each value into the SQL itself: text in single quotes ('West'), numbers as they are."
    )]
    ParameterCount { placeholders: usize, values: usize },

    #[error(
        "SQLite could not run the query: {message}. Check the table and column names against the schema."
    )]
    Sql { message: String },

    #[error(
        "The query took longer than {} and was stopped; add a filter or a time range, or aggregate the data.",
        format_duration(*limit)
    )]
    Timeout { limit: Duration },

    #[error("The query was cancelled.")]
    Cancelled,

    #[error(
        "The query returns more than {limit} rows, too many to load. Aggregate it (GROUP BY) or add a filter."
    )]
    TooManyRows { limit: usize },

    #[error(
        "The query result is larger than {} MB, too much to load. Select fewer columns, aggregate (GROUP BY) or add a filter.",
        limit / (1024 * 1024)
    )]
    TooLarge { limit: usize },

    #[error(
        "A value in the query is larger than SQLite's limit here ({} MB): {message}. Build smaller values.",
        limit / (1024 * 1024)
    )]
    ValueTooBig { limit: usize, message: String },

    #[error("The query needed more memory than is available. Aggregate it or add a filter.")]
    OutOfMemory,

    #[error("Sightline could not convert the query result into a table: {message}.")]
    Frame { message: String },

    #[error("Internal error in the database layer: {message}.")]
    Internal { message: String },
}

impl HasKind for DbError {
    fn kind(&self) -> ErrorKind {
        use DbError::*;
        match self {
            InvalidLocation { .. }
            | NotFound { .. }
            | IsDirectory { .. }
            | NotRegularFile { .. }
            | EmptyFile { .. }
            | NotSqlite { .. }
            | Encrypted { .. }
            | Truncated { .. }
            | Corrupt { .. }
            | HotJournal { .. }
            | WalUnreadable { .. }
            | Locked { .. }
            | Unreadable { .. }
            | Open { .. }
            | TooManyRows { .. }
            | TooLarge { .. }
            | ValueTooBig { .. }
            | OutOfMemory => ErrorKind::BadInput,
            EmptySql
            | MultipleStatements { .. }
            | WriteRefused { .. }
            | Refused { .. }
            | NotAQuery { .. }
            | ParameterCount { .. } => ErrorKind::SqlRejected,
            Sql { .. } => ErrorKind::Database,
            Timeout { .. } => ErrorKind::Timeout,
            Cancelled => ErrorKind::Cancelled,
            Frame { .. } | Internal { .. } => ErrorKind::Internal,
        }
    }
}

/// "30 s", "300 ms", "2 min": how a deadline reads in a message.
pub(crate) fn format_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms.is_multiple_of(60_000) && ms >= 120_000 {
        format!("{} min", ms / 60_000)
    } else if ms.is_multiple_of(1000) {
        format!("{} s", ms / 1000)
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}
