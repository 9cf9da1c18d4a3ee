//! What the engine learns about a database file and keeps while the file is unchanged: its schema
//! and the distinct values of its category columns (the value index the planner filters with).
//! Repeated questions on one file (the desktop app, `serve`) then skip the introspection and the
//! `SELECT DISTINCT` scans. Entries are keyed by the file's path and stamped with the size and
//! modification time of the file and of its `-wal`, so any change to the data starts afresh; the
//! cache holds a few files at most.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use crate::db::{DbError, Schema};

/// The most files remembered at once; more clears the oldest knowledge first.
const MAX_FILES: usize = 8;

/// Knowledge about every recently asked-about file. Cheap to clone (shared).
#[derive(Debug, Clone, Default)]
pub struct KnowledgeCache {
    files: Arc<Mutex<HashMap<PathBuf, Arc<FileKnowledge>>>>,
    introspections: Arc<AtomicUsize>,
}

impl KnowledgeCache {
    /// The knowledge about `path` as it is now: the remembered one when the file has not
    /// changed since, otherwise a fresh, empty one.
    pub fn for_file(&self, path: &Path) -> Arc<FileKnowledge> {
        let stamp = FileStamp::of(path);
        let Ok(mut files) = self.files.lock() else {
            // A poisoned lock only loses the cache, never an answer.
            return Arc::new(FileKnowledge::new(stamp, Arc::clone(&self.introspections)));
        };
        if let Some(known) = files.get(path).filter(|k| k.stamp == stamp) {
            return Arc::clone(known);
        }
        if files.len() >= MAX_FILES {
            let oldest = files
                .iter()
                .min_by_key(|(_, k)| k.created)
                .map(|(p, _)| p.clone());
            if let Some(oldest) = oldest {
                files.remove(&oldest);
            }
        }
        let fresh = Arc::new(FileKnowledge::new(stamp, Arc::clone(&self.introspections)));
        files.insert(path.to_path_buf(), Arc::clone(&fresh));
        fresh
    }

    /// How many times a schema was read from a file (not from the cache), for tests and stats.
    pub fn introspections(&self) -> usize {
        self.introspections.load(Ordering::Relaxed)
    }
}

/// The size and modification time of a database file and of its `-wal`: changes when the data
/// may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileStamp {
    file: Option<(u64, SystemTime)>,
    wal: Option<(u64, SystemTime)>,
}

impl FileStamp {
    fn of(path: &Path) -> FileStamp {
        let stat = |p: &Path| {
            let meta = std::fs::metadata(p).ok()?;
            Some((meta.len(), meta.modified().ok()?))
        };
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        FileStamp {
            file: stat(path),
            wal: stat(Path::new(&wal)),
        }
    }
}

type ValueIndex = HashMap<(String, String), Option<Vec<String>>>;

/// What is known about one version of one file.
#[derive(Debug)]
pub struct FileKnowledge {
    stamp: FileStamp,
    created: std::time::Instant,
    schema: Mutex<Option<Schema>>,
    values: Mutex<ValueIndex>,
    introspections: Arc<AtomicUsize>,
}

impl FileKnowledge {
    fn new(stamp: FileStamp, introspections: Arc<AtomicUsize>) -> FileKnowledge {
        FileKnowledge {
            stamp,
            created: std::time::Instant::now(),
            schema: Mutex::default(),
            values: Mutex::default(),
            introspections,
        }
    }

    /// The schema, read with `read` the first time.
    pub fn schema(
        &self,
        read: impl FnOnce() -> Result<Schema, DbError>,
    ) -> Result<Schema, DbError> {
        if let Ok(known) = self.schema.lock()
            && let Some(schema) = known.as_ref()
        {
            return Ok(schema.clone());
        }
        let schema = read()?;
        self.introspections.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut known) = self.schema.lock() {
            *known = Some(schema.clone());
        }
        Ok(schema)
    }

    /// The distinct values of `table.column` (`None`: too many to be a category), computed with
    /// `read` the first time.
    pub fn values(
        &self,
        table: &str,
        column: &str,
        read: impl FnOnce() -> Option<Option<Vec<String>>>,
    ) -> Option<Vec<String>> {
        let key = (table.to_string(), column.to_string());
        if let Ok(index) = self.values.lock()
            && let Some(known) = index.get(&key)
        {
            return known.clone();
        }
        // `read` gives `None` when the scan itself failed (cancelled, timed out): not remembered.
        let found = read()?;
        if let Ok(mut index) = self.values.lock() {
            index.insert(key, found.clone());
        }
        found
    }
}
