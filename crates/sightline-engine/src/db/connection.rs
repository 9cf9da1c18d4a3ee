//! [`ReadOnlyConnection`]: a SQLite connection hardened per S5, the validator that is the only
//! maker of [`ValidatedSql`], and the executor with its deadline, cancel, row cap and byte cap.
//!
//! Layers, each enough on its own for the attacks we know of:
//! 1. the file is opened `SQLITE_OPEN_READ_ONLY` through the `sightline-ro` VFS, which cannot
//!    create, write or delete any file (see `vfs.rs`);
//! 2. `PRAGMA query_only=1`, `DEFENSIVE` on, `TRUSTED_SCHEMA` off, triggers off, `ATTACH` limit 0,
//!    reduced length limits so `printf`/`zeroblob` cannot allocate hundreds of MB;
//! 3. an authorizer that allows only SELECT, READ, RECURSIVE and functions outside a deny list,
//!    so ATTACH, PRAGMA, writes and transactions fail at prepare time;
//! 4. the validator: exactly one statement, `sqlite3_stmt_readonly`, returns columns, and as
//!    many bound values as placeholders.
//!
//! Values travel beside the SQL text, never inside it: a [`ValidatedSql`] holds the statement
//! with its placeholders and the [`SqlParams`] bound to them when it runs (S7). Its
//! [`display`](ValidatedSql::display) form, with the values written as literals, is for people.
//!
//! The URI the connection opens is built here from the canonical path (every byte outside a safe
//! set percent-encoded), so user text never becomes URI parameters; URIs are used only to pass
//! `mode=ro&readonly_shm=1`.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rusqlite::hooks::{AuthAction, AuthContext, Authorization};
use rusqlite::limits::Limit;
use rusqlite::{Connection, ErrorCode, InterruptHandle, OpenFlags};

use super::result::{ColumnBuilder, ColumnData, QueryResult};
use super::sql_text::{self, Leading};
use super::{DbError, SqlParams, files, vfs};
use crate::progress::CancelToken;

/// The longest any value may be (bytes). SQLite's default is 1 GB.
pub(crate) const MAX_VALUE_BYTES: usize = 16 * 1024 * 1024;
/// How long to wait for another program's lock before saying the database is locked.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_millis(1000);
/// VM instructions between two checks of the deadline and the cancel token.
const PROGRESS_OPS: i32 = 1000;

/// Functions that reach outside the database or load code. Most are not compiled into the
/// bundled SQLite; they are listed so a future build or extension cannot bring them back.
const DENIED_FUNCTIONS: &[&str] = &[
    "load_extension",
    "readfile",
    "writefile",
    "edit",
    "fts3_tokenizer",
    "eval",
    "lsmode",
    "sha3_query",
    "sqlar_compress",
    "sqlar_uncompress",
    "zipfile",
    "sqlite_dbpage",
];

/// Pragmas schema introspection needs (as table-valued functions); allowed only on the schema
/// connection, never on the one that runs user SQL.
const INTROSPECTION_PRAGMAS: &[&str] = &["table_info", "table_xinfo", "foreign_key_list"];

/// What the authorizer lets through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Policy {
    /// User and generated SQL: SELECT, READ, RECURSIVE, allowed functions.
    Query,
    /// Schema introspection: the above plus [`INTROSPECTION_PRAGMAS`].
    Introspection,
}

/// SQL that passed [`ReadOnlyConnection::validate`] or
/// [`validate_with`](ReadOnlyConnection::validate_with), with the values its placeholders are
/// bound to when it runs. Only this module can make one.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidatedSql {
    sql: String,
    params: SqlParams,
}

impl ValidatedSql {
    /// The statement SQLite runs, placeholders and all.
    pub fn as_str(&self) -> &str {
        &self.sql
    }

    /// The values bound to the placeholders, in index order.
    pub fn params(&self) -> &SqlParams {
        &self.params
    }

    /// The statement as the user sees it: each placeholder written as its value's literal
    /// (see [`display_form`](super::display_form)). Never executed.
    pub fn display(&self) -> String {
        sql_text::display_form(&self.sql, &self.params)
    }
}

/// The display form (for logs and messages); [`ValidatedSql::as_str`] is what runs.
impl std::fmt::Display for ValidatedSql {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.display())
    }
}

/// Caps on one execution. The row and byte caps are far above any display cap: they exist so a
/// runaway query fails with advice instead of exhausting memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryLimits {
    pub deadline: Duration,
    pub max_rows: usize,
    pub max_bytes: usize,
}

impl Default for QueryLimits {
    fn default() -> Self {
        QueryLimits {
            deadline: Duration::from_secs(30),
            max_rows: 5_000_000,
            max_bytes: 512 * 1024 * 1024,
        }
    }
}

/// Why the progress handler stopped a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trip {
    Deadline,
    Cancel,
}

#[derive(Default)]
struct Watch {
    armed: Option<(Instant, CancelToken)>,
    tripped: Option<Trip>,
}

/// What the authorizer refused first, so the error can say what and why.
#[derive(Debug, Clone)]
enum Refusal {
    Write(String),
    Escape { action: String, why: String },
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A hardened, read-only connection to the user's database. Not `Sync`: one thread at a time;
/// use [`ReadOnlyConnection::interrupt_handle`] to stop it from another thread.
pub struct ReadOnlyConnection {
    pub(crate) conn: Connection,
    path: PathBuf,
    watch: Arc<Mutex<Watch>>,
    refusal: Arc<Mutex<Option<Refusal>>>,
}

impl std::fmt::Debug for ReadOnlyConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadOnlyConnection")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// `file:` URI for `path`, percent-encoding every byte outside `[A-Za-z0-9/._~-]`.
pub(crate) fn file_uri(path: &Path) -> String {
    let mut uri = String::from("file:");
    uri.push_str(&percent_encode(path.as_os_str().as_encoded_bytes()));
    uri.push_str("?mode=ro&readonly_shm=1");
    uri
}

pub(crate) fn percent_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'.' | b'_' | b'~' | b'-') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl ReadOnlyConnection {
    /// Opens `path` (canonical, already checked) with every S5 setting and the given policy.
    pub(crate) fn open(path: &Path, policy: Policy) -> Result<ReadOnlyConnection, DbError> {
        vfs::ensure_registered().map_err(|message| DbError::Internal { message })?;
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NOFOLLOW
            | OpenFlags::SQLITE_OPEN_PRIVATE_CACHE;
        let mut conn = Connection::open_with_flags_and_vfs(file_uri(path), flags, vfs::VFS_NAME)
            .map_err(|e| map_file_error(path, &e))?;
        let setup = |e: rusqlite::Error| DbError::Internal {
            message: format!("hardening the connection: {e}"),
        };

        use rusqlite::config::DbConfig as C;
        for (option, on) in [
            (C::SQLITE_DBCONFIG_DEFENSIVE, true),
            (C::SQLITE_DBCONFIG_TRUSTED_SCHEMA, false),
            (C::SQLITE_DBCONFIG_ENABLE_TRIGGER, false),
            (C::SQLITE_DBCONFIG_WRITABLE_SCHEMA, false),
            (C::SQLITE_DBCONFIG_ENABLE_FTS3_TOKENIZER, false),
        ] {
            if conn.set_db_config(option, on).map_err(setup)? != on {
                return Err(DbError::Internal {
                    message: format!("SQLite refused setting {option:?}"),
                });
            }
        }
        let max_value = i32::try_from(MAX_VALUE_BYTES).unwrap_or(i32::MAX);
        for (limit, value) in [
            (Limit::SQLITE_LIMIT_ATTACHED, 0),
            (Limit::SQLITE_LIMIT_LENGTH, max_value),
            (Limit::SQLITE_LIMIT_SQL_LENGTH, 1_000_000),
            (Limit::SQLITE_LIMIT_EXPR_DEPTH, 200),
            (Limit::SQLITE_LIMIT_COMPOUND_SELECT, 100),
            (Limit::SQLITE_LIMIT_FUNCTION_ARG, 100),
            (Limit::SQLITE_LIMIT_LIKE_PATTERN_LENGTH, 10_000),
            (Limit::SQLITE_LIMIT_VARIABLE_NUMBER, 999),
            (Limit::SQLITE_LIMIT_TRIGGER_DEPTH, 1),
            (Limit::SQLITE_LIMIT_WORKER_THREADS, 0),
        ] {
            conn.set_limit(limit, value).map_err(setup)?;
        }
        conn.busy_timeout(BUSY_TIMEOUT).map_err(setup)?;
        conn.pragma_update(None, "query_only", true)
            .map_err(setup)?;
        conn.pragma_update(None, "mmap_size", 0).map_err(setup)?;
        conn.pragma_update(None, "cell_size_check", true)
            .map_err(setup)?;
        let query_only: i64 = conn
            .pragma_query_value(None, "query_only", |r| r.get(0))
            .map_err(setup)?;
        if query_only != 1 {
            return Err(DbError::Internal {
                message: "SQLite did not enable query_only".to_string(),
            });
        }

        super::functions::register(&conn).map_err(setup)?;

        let refusal: Arc<Mutex<Option<Refusal>>> = Arc::default();
        let sink = Arc::clone(&refusal);
        conn.authorizer(Some(move |ctx: AuthContext<'_>| {
            authorize(policy, &ctx, &sink)
        }))
        .map_err(setup)?;

        let watch: Arc<Mutex<Watch>> = Arc::default();
        let seen = Arc::clone(&watch);
        conn.progress_handler(PROGRESS_OPS, Some(move || should_stop(&seen)))
            .map_err(setup)?;

        Ok(ReadOnlyConnection {
            conn,
            path: path.to_path_buf(),
            watch,
            refusal,
        })
    }

    /// Validates SQL that holds its values as literals (a person's SQL): as
    /// [`validate_with`](Self::validate_with) with no values, so any placeholder is refused.
    pub fn validate(&self, sql: &str) -> Result<ValidatedSql, DbError> {
        self.validate_with(sql, SqlParams::new())
    }

    /// The only way to make a [`ValidatedSql`]: exactly one statement, refused by neither the
    /// text check nor the authorizer, read-only by SQLite's own judgement, returning columns, and
    /// with exactly one value in `params` per placeholder index (SQLite's count: `?3` alone
    /// needs three).
    pub fn validate_with(&self, sql: &str, params: SqlParams) -> Result<ValidatedSql, DbError> {
        if sql.contains('\0') {
            return Err(DbError::Refused {
                action: "the SQL text".to_string(),
                why:
                    "it contains a NUL character, which would hide the rest of the text from SQLite"
                        .to_string(),
            });
        }
        let statements = sql_text::statements(sql);
        let Some(first) = statements.first() else {
            return Err(DbError::EmptySql);
        };
        if statements.len() > 1 {
            let second = statements[1]
                .first()
                .cloned()
                .unwrap_or_else(|| "a symbol".to_string());
            return Err(DbError::MultipleStatements {
                count: statements.len(),
                second,
            });
        }
        match sql_text::classify(first) {
            Leading::Query => {}
            Leading::Write(action) => return Err(DbError::WriteRefused { action }),
            Leading::Escape { action, why } => {
                return Err(DbError::Refused {
                    action,
                    why: why.to_string(),
                });
            }
            Leading::Other(first) => return Err(DbError::NotAQuery { first }),
        }
        self.take_refusal();
        let stmt = self
            .conn
            .prepare(sql)
            .map_err(|e| self.map_error(e, None))?;
        if !stmt.readonly() {
            return Err(DbError::WriteRefused {
                action: first.join(" "),
            });
        }
        if stmt.column_count() == 0 {
            return Err(DbError::NotAQuery {
                first: first.join(" "),
            });
        }
        if stmt.is_explain() != 0 {
            return Err(DbError::NotAQuery {
                first: "EXPLAIN".to_string(),
            });
        }
        check_parameter_count(&stmt, &params)?;
        Ok(ValidatedSql {
            sql: sql.to_string(),
            params,
        })
    }

    /// Runs a validated query and loads every row, typed per column. Stops at the deadline, on
    /// cancel (token or [`interrupt_handle`](Self::interrupt_handle)), past `max_rows` rows or
    /// `max_bytes` bytes.
    pub fn execute(
        &self,
        sql: &ValidatedSql,
        limits: &QueryLimits,
        cancel: &CancelToken,
    ) -> Result<QueryResult, DbError> {
        let limit = Some(limits.deadline);
        let _armed = self.arm(limits.deadline, cancel);
        let mut stmt = self.start(sql, limits, cancel)?;
        let (names, decls): (Vec<String>, Vec<Option<String>>) = stmt
            .columns()
            .map(|c| (c.name().to_string(), c.decl_type().map(str::to_string)))
            .unzip();
        let width = names.len();
        let mut builders: Vec<ColumnBuilder> =
            (0..width).map(|_| ColumnBuilder::default()).collect();
        let mut row_count = 0usize;
        let mut bytes = 0usize;
        let mut rows = stmt.raw_query();
        while let Some(row) = self.step(&mut rows, limit)? {
            row_count += 1;
            if row_count > limits.max_rows {
                return Err(DbError::TooManyRows {
                    limit: limits.max_rows,
                });
            }
            for (i, builder) in builders.iter_mut().enumerate() {
                let value = row.get_ref(i).map_err(|e| self.map_error(e, limit))?;
                bytes += builder.push(value);
            }
            if bytes > limits.max_bytes {
                return Err(DbError::TooLarge {
                    limit: limits.max_bytes,
                });
            }
        }
        let columns = builders
            .into_iter()
            .zip(names.into_iter().zip(decls))
            .map(|(builder, (name, decl_type))| {
                let values = builder.finish(decl_type.as_deref());
                ColumnData {
                    name,
                    decl_type,
                    values,
                }
            })
            .collect();
        Ok(QueryResult { columns, row_count })
    }

    /// Prepares a validated statement to run under the armed watch: checks the cancel token,
    /// that it is read-only on this connection and binds its values.
    pub(crate) fn start(
        &self,
        sql: &ValidatedSql,
        limits: &QueryLimits,
        cancel: &CancelToken,
    ) -> Result<rusqlite::Statement<'_>, DbError> {
        if cancel.is_cancelled() {
            return Err(DbError::Cancelled);
        }
        self.take_refusal();
        let limit = Some(limits.deadline);
        let mut stmt = self
            .conn
            .prepare(sql.as_str())
            .map_err(|e| self.map_error(e, limit))?;
        // Checked again: the SQL was validated, but perhaps on another connection.
        if !stmt.readonly() {
            return Err(DbError::WriteRefused {
                action: "a statement that is not read-only".to_string(),
            });
        }
        self.bind(&mut stmt, &sql.params, limit)?;
        Ok(stmt)
    }

    /// The next row of a running statement, its error mapped as [`execute`](Self::execute)
    /// maps them.
    pub(crate) fn step<'r, 's>(
        &self,
        rows: &'r mut rusqlite::Rows<'s>,
        deadline: Option<Duration>,
    ) -> Result<Option<&'r rusqlite::Row<'s>>, DbError> {
        rows.next().map_err(|e| self.map_error(e, deadline))
    }

    /// A handle that stops the running statement from another thread; the statement then fails
    /// with [`DbError::Cancelled`].
    pub fn interrupt_handle(&self) -> InterruptHandle {
        self.conn.get_interrupt_handle()
    }

    /// Checks that SQLite can plan the query (`EXPLAIN`), without running it.
    pub fn explain(&self, sql: &ValidatedSql) -> Result<(), DbError> {
        let limits = QueryLimits {
            deadline: Duration::from_secs(5),
            ..QueryLimits::default()
        };
        let cancel = CancelToken::new();
        let _armed = self.arm(limits.deadline, &cancel);
        self.take_refusal();
        let explain = format!("EXPLAIN {}", sql.as_str());
        let mut stmt = self
            .conn
            .prepare(&explain)
            .map_err(|e| self.map_error(e, Some(limits.deadline)))?;
        self.bind(&mut stmt, &sql.params, Some(limits.deadline))?;
        let mut rows = stmt.raw_query();
        while rows
            .next()
            .map_err(|e| self.map_error(e, Some(limits.deadline)))?
            .is_some()
        {}
        Ok(())
    }

    /// Binds every value to its placeholder (`?1` is the first value), after checking the counts
    /// again: the SQL was validated, but perhaps on another connection.
    fn bind(
        &self,
        stmt: &mut rusqlite::Statement<'_>,
        params: &SqlParams,
        deadline: Option<Duration>,
    ) -> Result<(), DbError> {
        check_parameter_count(stmt, params)?;
        for (at, value) in params.iter().enumerate() {
            stmt.raw_bind_parameter(at + 1, value)
                .map_err(|e| self.map_error(e, deadline))?;
        }
        Ok(())
    }

    /// Starts the deadline and cancel watch; it ends when the guard drops.
    pub(crate) fn arm(&self, deadline: Duration, cancel: &CancelToken) -> ArmGuard<'_> {
        let mut w = lock(&self.watch);
        let until = Instant::now()
            .checked_add(deadline)
            .unwrap_or_else(|| Instant::now() + Duration::from_secs(86_400));
        w.armed = Some((until, cancel.clone()));
        w.tripped = None;
        ArmGuard { watch: &self.watch }
    }

    fn take_refusal(&self) -> Option<Refusal> {
        lock(&self.refusal).take()
    }

    /// Turns a rusqlite error into the user's words. `deadline` is the limit in force, if any.
    pub(crate) fn map_error(&self, err: rusqlite::Error, deadline: Option<Duration>) -> DbError {
        let tripped = lock(&self.watch).tripped;
        let refusal = self.take_refusal();
        match &err {
            rusqlite::Error::MultipleStatement => {
                return DbError::MultipleStatements {
                    count: 2,
                    second: "another statement".to_string(),
                };
            }
            rusqlite::Error::Empty => return DbError::EmptySql,
            _ => {}
        }
        let code = err.sqlite_error_code();
        // A refusal by the authorizer explains the failure whatever code SQLite reports for it
        // (a denied function, for one, fails as a plain SQLITE_ERROR).
        if code != Some(ErrorCode::OperationInterrupted) {
            match refusal {
                Some(Refusal::Write(action)) => return DbError::WriteRefused { action },
                Some(Refusal::Escape { action, why }) => return DbError::Refused { action, why },
                None => {}
            }
        }
        match code {
            Some(ErrorCode::OperationInterrupted) => match (tripped, deadline) {
                (Some(Trip::Deadline), Some(limit)) => DbError::Timeout { limit },
                _ => DbError::Cancelled,
            },
            Some(ErrorCode::AuthorizationForStatementDenied) => DbError::Refused {
                action: "the statement".to_string(),
                why: "it uses an operation that is not on the list of reading operations"
                    .to_string(),
            },
            Some(ErrorCode::TooBig) => DbError::ValueTooBig {
                limit: MAX_VALUE_BYTES,
                message: sqlite_message(&err),
            },
            Some(ErrorCode::OutOfMemory) => DbError::OutOfMemory,
            Some(
                ErrorCode::ReadOnly
                | ErrorCode::DatabaseBusy
                | ErrorCode::DatabaseLocked
                | ErrorCode::DatabaseCorrupt
                | ErrorCode::NotADatabase
                | ErrorCode::CannotOpen
                | ErrorCode::PermissionDenied
                | ErrorCode::SystemIoFailure,
            ) => map_file_error(&self.path, &err),
            _ => DbError::Sql {
                message: sqlite_message(&err),
            },
        }
    }
}

/// Refuses a statement whose placeholders and values differ in number: a value left over would
/// be silently ignored, a placeholder left without one would silently read as NULL.
fn check_parameter_count(
    stmt: &rusqlite::Statement<'_>,
    params: &SqlParams,
) -> Result<(), DbError> {
    let placeholders = stmt.parameter_count();
    if placeholders == params.len() {
        Ok(())
    } else {
        Err(DbError::ParameterCount {
            placeholders,
            values: params.len(),
        })
    }
}

/// Disarms the watch when dropped.
pub(crate) struct ArmGuard<'a> {
    watch: &'a Mutex<Watch>,
}

impl Drop for ArmGuard<'_> {
    fn drop(&mut self) {
        lock(self.watch).armed = None;
    }
}

fn should_stop(watch: &Mutex<Watch>) -> bool {
    let mut w = lock(watch);
    let trip = match &w.armed {
        None => return false,
        Some((_, cancel)) if cancel.is_cancelled() => Trip::Cancel,
        Some((until, _)) if Instant::now() >= *until => Trip::Deadline,
        Some(_) => return false,
    };
    w.tripped = Some(trip);
    true
}

/// SQLite's own message, without rusqlite's decoration.
fn sqlite_message(err: &rusqlite::Error) -> String {
    match err {
        rusqlite::Error::SqliteFailure(e, Some(msg)) => {
            if msg.is_empty() {
                e.to_string()
            } else {
                msg.clone()
            }
        }
        rusqlite::Error::SqlInputError { msg, .. } => msg.clone(),
        other => other.to_string(),
    }
}

/// Errors that concern the file rather than the query.
pub(crate) fn map_file_error(path: &Path, err: &rusqlite::Error) -> DbError {
    let path_buf = path.to_path_buf();
    let extended = match err {
        rusqlite::Error::SqliteFailure(e, _) => e.extended_code,
        _ => 0,
    };
    let message = sqlite_message(err);
    const READONLY_ROLLBACK: i32 = rusqlite::ffi::SQLITE_READONLY | (3 << 8);
    if extended == READONLY_ROLLBACK {
        return DbError::HotJournal { path: path_buf };
    }
    match err.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            DbError::Locked { path: path_buf }
        }
        Some(ErrorCode::DatabaseCorrupt) => DbError::Corrupt {
            path: path_buf,
            detail: message,
        },
        Some(ErrorCode::NotADatabase) => DbError::NotSqlite {
            path: path_buf,
            hint: " (SQLite says it is not a database; it may be encrypted or damaged)".to_string(),
        },
        Some(ErrorCode::PermissionDenied) => DbError::Unreadable {
            path: path_buf,
            detail: message,
        },
        Some(ErrorCode::CannotOpen) => {
            let wal = files::sibling(path, "-wal");
            let shm = files::sibling(path, "-shm");
            if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) && !shm.exists() {
                DbError::WalUnreadable {
                    path: path_buf,
                    detail:
                        "its \"-shm\" index file is missing and Sightline does not create files"
                            .to_string(),
                }
            } else if std::fs::File::open(path)
                .is_err_and(|e| e.kind() == std::io::ErrorKind::PermissionDenied)
            {
                DbError::Unreadable {
                    path: path_buf,
                    detail: "permission denied".to_string(),
                }
            } else {
                DbError::Open {
                    path: path_buf,
                    message,
                }
            }
        }
        _ => DbError::Open {
            path: path_buf,
            message,
        },
    }
}

fn authorize(
    policy: Policy,
    ctx: &AuthContext<'_>,
    refusal: &Mutex<Option<Refusal>>,
) -> Authorization {
    let denied = match ctx.action {
        AuthAction::Select | AuthAction::Read { .. } | AuthAction::Recursive => {
            return Authorization::Allow;
        }
        AuthAction::Function { function_name } => {
            let name = function_name.to_ascii_lowercase();
            if !DENIED_FUNCTIONS.contains(&name.as_str()) && !name.starts_with("shell_") {
                return Authorization::Allow;
            }
            Refusal::Escape {
                action: format!("{name}()"),
                why: "it can load code or touch files outside the database".to_string(),
            }
        }
        AuthAction::Pragma {
            pragma_name,
            pragma_value,
        } => {
            let name = pragma_name.to_ascii_lowercase();
            if policy == Policy::Introspection && INTROSPECTION_PRAGMAS.contains(&name.as_str()) {
                return Authorization::Allow;
            }
            let action = match pragma_value {
                Some(v) => format!("PRAGMA {name} = {v}"),
                None => format!("PRAGMA {name}"),
            };
            Refusal::Escape {
                action,
                why: "PRAGMA statements change or inspect connection settings".to_string(),
            }
        }
        AuthAction::Attach { .. } => Refusal::Escape {
            action: "ATTACH".to_string(),
            why: "it would open another database file; Sightline reads only the database you chose"
                .to_string(),
        },
        AuthAction::Detach { .. } => Refusal::Escape {
            action: "DETACH".to_string(),
            why: "it changes which databases the connection sees".to_string(),
        },
        AuthAction::Insert { table_name } => Refusal::Write(format!("INSERT INTO {table_name}")),
        AuthAction::Update { table_name, .. } => Refusal::Write(format!("UPDATE {table_name}")),
        AuthAction::Delete { table_name } => Refusal::Write(format!("DELETE FROM {table_name}")),
        AuthAction::CreateTable { table_name } | AuthAction::CreateTempTable { table_name } => {
            Refusal::Write(format!("CREATE TABLE {table_name}"))
        }
        AuthAction::CreateIndex { index_name, .. }
        | AuthAction::CreateTempIndex { index_name, .. } => {
            Refusal::Write(format!("CREATE INDEX {index_name}"))
        }
        AuthAction::CreateView { view_name } | AuthAction::CreateTempView { view_name } => {
            Refusal::Write(format!("CREATE VIEW {view_name}"))
        }
        AuthAction::CreateTrigger { trigger_name, .. }
        | AuthAction::CreateTempTrigger { trigger_name, .. } => {
            Refusal::Write(format!("CREATE TRIGGER {trigger_name}"))
        }
        AuthAction::CreateVtable { table_name, .. } => {
            Refusal::Write(format!("CREATE VIRTUAL TABLE {table_name}"))
        }
        AuthAction::DropTable { table_name } | AuthAction::DropTempTable { table_name } => {
            Refusal::Write(format!("DROP TABLE {table_name}"))
        }
        AuthAction::DropIndex { index_name, .. } | AuthAction::DropTempIndex { index_name, .. } => {
            Refusal::Write(format!("DROP INDEX {index_name}"))
        }
        AuthAction::DropView { view_name } | AuthAction::DropTempView { view_name } => {
            Refusal::Write(format!("DROP VIEW {view_name}"))
        }
        AuthAction::DropTrigger { trigger_name, .. }
        | AuthAction::DropTempTrigger { trigger_name, .. } => {
            Refusal::Write(format!("DROP TRIGGER {trigger_name}"))
        }
        AuthAction::DropVtable { table_name, .. } => {
            Refusal::Write(format!("DROP TABLE {table_name}"))
        }
        AuthAction::AlterTable { table_name, .. } => {
            Refusal::Write(format!("ALTER TABLE {table_name}"))
        }
        AuthAction::Reindex { .. } => Refusal::Write("REINDEX".to_string()),
        AuthAction::Analyze { .. } => Refusal::Write("ANALYZE".to_string()),
        AuthAction::Transaction { .. } | AuthAction::Savepoint { .. } => {
            Refusal::Write("a transaction (BEGIN, COMMIT, SAVEPOINT)".to_string())
        }
        AuthAction::Unknown { code, .. } => Refusal::Escape {
            action: format!("an operation SQLite numbers {code}"),
            why: "it is not on the list of reading operations".to_string(),
        },
        _ => Refusal::Escape {
            action: "an unknown operation".to_string(),
            why: "it is not on the list of reading operations".to_string(),
        },
    };
    let mut slot = lock(refusal);
    if slot.is_none() {
        *slot = Some(denied);
    }
    Authorization::Deny
}
