//! Checks on the database file before SQLite touches it (S6): it exists, is a regular readable
//! file (never a FIFO, socket or device, which could block or never end), is not empty, starts
//! with the SQLite header and is not shorter than its header says. What only SQLite can judge
//! (hot journals, locks, corrupt pages) is probed afterwards through a real connection.

use std::fs::{self, File, Metadata};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use super::DbError;

/// The 16 bytes every SQLite 3 database starts with.
pub(crate) const MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Returns the canonical path of a file that passed every check.
pub(crate) fn preflight(path: &Path) -> Result<PathBuf, DbError> {
    let meta = fs::metadata(path).map_err(|e| io_error(path, &e))?;
    check_type(path, &meta)?;
    let canonical = fs::canonicalize(path).map_err(|e| io_error(path, &e))?;
    if meta.len() == 0 {
        return Err(DbError::EmptyFile { path: canonical });
    }
    let mut file = open_no_block(&canonical).map_err(|e| io_error(&canonical, &e))?;
    // The path could have been swapped between the checks above and the open: check the handle.
    let meta = file.metadata().map_err(|e| io_error(&canonical, &e))?;
    check_type(&canonical, &meta)?;
    let mut header = Vec::with_capacity(100);
    (&mut file)
        .take(100)
        .read_to_end(&mut header)
        .map_err(|e| io_error(&canonical, &e))?;
    check_header(&canonical, &header, meta.len())?;
    Ok(canonical)
}

fn check_type(path: &Path, meta: &Metadata) -> Result<(), DbError> {
    let path = path.to_path_buf();
    if meta.is_dir() {
        return Err(DbError::IsDirectory { path });
    }
    if meta.is_file() {
        return Ok(());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let ft = meta.file_type();
        let what = if ft.is_fifo() {
            "a named pipe (FIFO)"
        } else if ft.is_socket() {
            "a socket"
        } else if ft.is_block_device() || ft.is_char_device() {
            "a device"
        } else {
            "a special file"
        };
        Err(DbError::NotRegularFile { path, what })
    }
    #[cfg(not(unix))]
    Err(DbError::NotRegularFile {
        path,
        what: "a special file",
    })
}

/// Opens for reading without ever blocking (a FIFO swapped in after the checks would otherwise
/// wait forever for a writer).
fn open_no_block(path: &Path) -> io::Result<File> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt;
        const O_NONBLOCK: i32 = 0o4000;
        options.custom_flags(O_NONBLOCK);
    }
    options.open(path)
}

pub(crate) fn io_error(path: &Path, e: &io::Error) -> DbError {
    let path = path.to_path_buf();
    match e.kind() {
        io::ErrorKind::NotFound => DbError::NotFound { path },
        io::ErrorKind::PermissionDenied => DbError::Unreadable {
            path,
            detail: "permission denied".to_string(),
        },
        io::ErrorKind::IsADirectory => DbError::IsDirectory { path },
        _ => DbError::Open {
            path,
            message: e.to_string(),
        },
    }
}

fn check_header(path: &Path, header: &[u8], len: u64) -> Result<(), DbError> {
    let path = path.to_path_buf();
    if header.len() < MAGIC.len() || &header[..MAGIC.len()] != MAGIC {
        if header.len() < MAGIC.len() && MAGIC.starts_with(header) {
            return Err(DbError::Truncated {
                path,
                detail: format!("only {len} bytes"),
            });
        }
        if let Some(hint) = known_format(header) {
            return Err(DbError::NotSqlite {
                path,
                hint: hint.to_string(),
            });
        }
        if looks_like_text(header) {
            return Err(DbError::NotSqlite {
                path,
                hint: " (it looks like a text file, for example CSV)".to_string(),
            });
        }
        // Encrypted databases (SQLCipher, SEE) are whole pages of noise, header included.
        if len >= 1024 && len.is_multiple_of(512) {
            return Err(DbError::Encrypted { path });
        }
        return Err(DbError::NotSqlite {
            path,
            hint: String::new(),
        });
    }
    if header.len() < 100 {
        return Err(DbError::Truncated {
            path,
            detail: format!("only {len} bytes, less than the 100-byte header"),
        });
    }
    let raw = u32::from(u16::from_be_bytes([header[16], header[17]]));
    let page_size = if raw == 1 { 65_536 } else { raw };
    if !(512..=65_536).contains(&page_size) || !page_size.is_power_of_two() {
        return Err(DbError::Corrupt {
            path,
            detail: format!("its header gives an impossible page size of {raw}"),
        });
    }
    if len < u64::from(page_size) {
        return Err(DbError::Truncated {
            path,
            detail: format!("{len} bytes, less than one {page_size}-byte page"),
        });
    }
    let be32 = |at: usize| {
        u32::from_be_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]])
    };
    let (change_counter, pages, valid_for) = (be32(24), be32(28), be32(92));
    // The page count in the header is trusted only when it was written by a version that keeps
    // it (valid-for == change counter); a live writer could also be mid-commit, so only judge a
    // file that has no journal or WAL beside it.
    let quiet = !sibling(&path, "-journal").exists() && !sibling(&path, "-wal").exists();
    let expected = u64::from(pages) * u64::from(page_size);
    if quiet && pages > 0 && valid_for == change_counter && len < expected {
        return Err(DbError::Truncated {
            path,
            detail: format!("{len} bytes of the {expected} its header announces"),
        });
    }
    Ok(())
}

/// `<path><suffix>`, e.g. the `-wal` beside a database.
pub(crate) fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(suffix);
    PathBuf::from(s)
}

fn known_format(header: &[u8]) -> Option<&'static str> {
    const FORMATS: &[(&[u8], &str)] = &[
        (
            b"PK\x03\x04",
            " (it is a ZIP archive, for example an Excel .xlsx file)",
        ),
        (b"%PDF", " (it is a PDF document)"),
        (
            b"\xd0\xcf\x11\xe0",
            " (it is an old Office document, for example .xls)",
        ),
        (
            b"\x1f\x8b",
            " (it is a gzip-compressed file; decompress it first)",
        ),
        (b"PAR1", " (it is a Parquet file)"),
        (b"ARROW1", " (it is an Arrow file)"),
        (b"\x89PNG", " (it is a PNG image)"),
        (b"\xff\xd8\xff", " (it is a JPEG image)"),
        (b"{", " (it looks like a JSON file)"),
        (b"[", " (it looks like a JSON file)"),
    ];
    FORMATS
        .iter()
        .find(|(magic, _)| header.starts_with(magic))
        .map(|(_, hint)| *hint)
}

fn looks_like_text(header: &[u8]) -> bool {
    !header.is_empty()
        && std::str::from_utf8(header).is_ok_and(|s| {
            s.chars()
                .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
        })
}
