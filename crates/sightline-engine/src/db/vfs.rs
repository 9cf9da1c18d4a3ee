//! `sightline-ro`: a thin SQLite VFS over the platform's default one that makes "read-only" mean
//! *nothing changes on disk*, which `SQLITE_OPEN_READ_ONLY` alone does not guarantee.
//!
//! Verified with the bundled SQLite 3.54: a read-only connection to a WAL-mode database whose
//! `-wal` is absent creates an empty `-wal` and a 32 KB `-shm` beside it and leaves both behind
//! (S5: "no new file appears"). This shim:
//! - never creates, writes, truncates or deletes a named file: a journal or WAL that does not
//!   exist yet cannot be opened (SQLite then reports it cannot open it), existing ones are opened
//!   read-only, writes fail with `SQLITE_READONLY`. Only SQLite's anonymous temporary files
//!   (sorts, materialised subqueries; created in the temp directory and unlinked at once) are
//!   writable, as they must be;
//! - when the database header says WAL mode but no `-wal` with content exists (the normal state of
//!   a cleanly closed WAL database), presents header bytes 18/19 as "rollback journal" (1/1) so
//!   SQLite reads the main file alone, exactly what it would read, instead of creating a WAL;
//! - disables memory-mapped reads (`xFetch` returns no mapping) so every byte goes through `xRead`
//!   and the header view above is consistent;
//! - refuses to load shared libraries (`xDlOpen`), a second lock on extension loading.
//!
//! The `-shm` file is never created or written either: connections pass `readonly_shm=1`, so an
//! existing `-shm` is opened read-only and a missing one makes a WAL with frames unreadable, which
//! the caller explains. This is the only `unsafe` code in the database layer.

use std::ffi::{CStr, CString, c_char, c_int, c_void};
use std::path::Path;
use std::ptr;
use std::sync::OnceLock;

use rusqlite::ffi;

/// The registered name, passed to `Connection::open_with_flags_and_vfs`.
pub(crate) const VFS_NAME: &str = "sightline-ro";
const VFS_NAME_C: &CStr = c"sightline-ro";

/// The file object SQLite allocates for us: our header, then the default VFS's own file object.
#[repr(C)]
struct ShimFile {
    base: ffi::sqlite3_file,
    /// `<db>-wal` when this is a main database file, to decide whether to present rollback mode.
    wal_path: *mut c_char,
    /// True only for SQLite's anonymous temporary files (sorting, materialised subqueries),
    /// which the default VFS creates in the temp directory and unlinks at once.
    scratch: bool,
}

/// Bytes reserved before the inner file, rounded so the inner file stays 8-byte aligned.
const HEADER: usize = std::mem::size_of::<ShimFile>().next_multiple_of(8);

struct Parent(*mut ffi::sqlite3_vfs);
// SAFETY: the default VFS object is a process-wide static owned by SQLite, safe to use from any
// thread (SQLite's own VFS methods are thread-safe).
unsafe impl Send for Parent {}
unsafe impl Sync for Parent {}

static PARENT: OnceLock<Parent> = OnceLock::new();
static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();

/// Registers the VFS once per process.
pub(crate) fn ensure_registered() -> Result<(), String> {
    REGISTERED.get_or_init(register).clone()
}

fn register() -> Result<(), String> {
    // SAFETY: sqlite3_initialize and sqlite3_vfs_find are safe to call at any time; a null name
    // asks for the default VFS.
    let parent = unsafe {
        if ffi::sqlite3_initialize() != ffi::SQLITE_OK {
            return Err("SQLite could not be initialised".to_string());
        }
        ffi::sqlite3_vfs_find(ptr::null())
    };
    if parent.is_null() {
        return Err("SQLite has no default file system layer".to_string());
    }
    // SAFETY: `parent` is a valid, static VFS object.
    let parent_ref = unsafe { &*parent };
    let inner_size = usize::try_from(parent_ref.szOsFile).map_err(|e| e.to_string())?;
    let size = c_int::try_from(HEADER + inner_size).map_err(|e| e.to_string())?;
    let _ = PARENT.set(Parent(parent));
    let vfs = Box::new(ffi::sqlite3_vfs {
        iVersion: 2,
        szOsFile: size,
        mxPathname: parent_ref.mxPathname,
        pNext: ptr::null_mut(),
        zName: VFS_NAME_C.as_ptr(),
        pAppData: ptr::null_mut(),
        xOpen: Some(x_open),
        xDelete: Some(x_delete),
        xAccess: Some(x_access),
        xFullPathname: Some(x_full_pathname),
        xDlOpen: Some(x_dl_open),
        xDlError: Some(x_dl_error),
        xDlSym: Some(x_dl_sym),
        xDlClose: Some(x_dl_close),
        xRandomness: Some(x_randomness),
        xSleep: Some(x_sleep),
        xCurrentTime: Some(x_current_time),
        xGetLastError: Some(x_get_last_error),
        xCurrentTimeInt64: Some(x_current_time_int64),
        xSetSystemCall: None,
        xGetSystemCall: None,
        xNextSystemCall: None,
    });
    // Registered VFS objects must live for the rest of the process.
    let vfs = Box::leak(vfs);
    // SAFETY: `vfs` is a complete, leaked (so 'static) VFS object; 0 = not the default VFS.
    let rc = unsafe { ffi::sqlite3_vfs_register(vfs, 0) };
    if rc == ffi::SQLITE_OK {
        Ok(())
    } else {
        Err(format!(
            "SQLite refused the read-only file layer (code {rc})"
        ))
    }
}

fn parent() -> *mut ffi::sqlite3_vfs {
    PARENT.get().map_or(ptr::null_mut(), |p| p.0)
}

/// The default VFS's method, or a fallback value when it is missing.
macro_rules! parent_call {
    ($method:ident, $fallback:expr, $($arg:expr),*) => {{
        let p = parent();
        // SAFETY: `p` is the static default VFS (or null, handled); its methods take it as
        // their first argument.
        match unsafe { p.as_ref() }.and_then(|v| v.$method) {
            Some(f) => unsafe { f(p, $($arg),*) },
            None => $fallback,
        }
    }};
}

unsafe fn inner(file: *mut ffi::sqlite3_file) -> *mut ffi::sqlite3_file {
    // SAFETY: SQLite allocated `szOsFile` bytes for `file`; the inner file starts at HEADER.
    unsafe { file.cast::<u8>().add(HEADER).cast::<ffi::sqlite3_file>() }
}

fn exists_nonempty(path: &CStr) -> bool {
    let Ok(path) = path.to_str() else {
        return false;
    };
    std::fs::metadata(Path::new(path)).is_ok_and(|m| m.len() > 0)
}

unsafe extern "C" fn x_open(
    _vfs: *mut ffi::sqlite3_vfs,
    name: ffi::sqlite3_filename,
    file: *mut ffi::sqlite3_file,
    flags: c_int,
    out_flags: *mut c_int,
) -> c_int {
    let shim = file.cast::<ShimFile>();
    // SAFETY: `file` points to szOsFile writable bytes owned by SQLite for this open.
    unsafe {
        (*shim).base.pMethods = ptr::null();
        (*shim).wal_path = ptr::null_mut();
        (*shim).scratch = name.is_null();
    }
    let is_main = flags & ffi::SQLITE_OPEN_MAIN_DB != 0;
    let mut flags = flags;
    if !name.is_null() {
        // SAFETY: SQLite passes a NUL-terminated file name.
        let cname = unsafe { CStr::from_ptr(name) };
        if !is_main && !exists(cname) {
            // Never create a journal, WAL or any other named file beside the user's database.
            return ffi::SQLITE_CANTOPEN;
        }
        flags = (flags & !(ffi::SQLITE_OPEN_READWRITE | ffi::SQLITE_OPEN_CREATE))
            | ffi::SQLITE_OPEN_READONLY;
        if is_main {
            let mut wal = cname.to_bytes().to_vec();
            wal.extend_from_slice(b"-wal");
            if let Ok(wal) = CString::new(wal) {
                // SAFETY: as above; freed in x_close.
                unsafe { (*shim).wal_path = wal.into_raw() };
            }
        }
    }
    // SAFETY: the inner region holds szOsFile bytes of the parent VFS.
    let inner_file = unsafe { inner(file) };
    let rc = parent_call!(
        xOpen,
        ffi::SQLITE_CANTOPEN,
        name,
        inner_file,
        flags,
        out_flags
    );
    if rc != ffi::SQLITE_OK {
        // SAFETY: per the VFS contract the inner xClose must run if pMethods was set.
        unsafe {
            let methods = (*inner_file).pMethods;
            if let Some(close) = methods.as_ref().and_then(|m| m.xClose) {
                close(inner_file);
            }
            free_wal_path(shim);
        }
        return rc;
    }
    // SAFETY: open succeeded; install our methods over the inner file.
    unsafe { (*shim).base.pMethods = &IO_METHODS };
    ffi::SQLITE_OK
}

fn exists(path: &CStr) -> bool {
    path.to_str().is_ok_and(|p| Path::new(p).exists())
}

unsafe fn free_wal_path(shim: *mut ShimFile) {
    // SAFETY: `wal_path` is null or came from CString::into_raw in x_open.
    unsafe {
        let p = (*shim).wal_path;
        if !p.is_null() {
            drop(CString::from_raw(p));
            (*shim).wal_path = ptr::null_mut();
        }
    }
}

unsafe extern "C" fn x_delete(
    _vfs: *mut ffi::sqlite3_vfs,
    _name: *const c_char,
    _sync: c_int,
) -> c_int {
    // Sightline never deletes anything beside the user's database.
    ffi::SQLITE_IOERR_DELETE
}

unsafe extern "C" fn x_access(
    _vfs: *mut ffi::sqlite3_vfs,
    name: *const c_char,
    flags: c_int,
    out: *mut c_int,
) -> c_int {
    parent_call!(xAccess, ffi::SQLITE_IOERR_ACCESS, name, flags, out)
}

unsafe extern "C" fn x_full_pathname(
    _vfs: *mut ffi::sqlite3_vfs,
    name: *const c_char,
    n_out: c_int,
    out: *mut c_char,
) -> c_int {
    parent_call!(xFullPathname, ffi::SQLITE_CANTOPEN, name, n_out, out)
}

unsafe extern "C" fn x_dl_open(_vfs: *mut ffi::sqlite3_vfs, _name: *const c_char) -> *mut c_void {
    ptr::null_mut()
}

unsafe extern "C" fn x_dl_error(_vfs: *mut ffi::sqlite3_vfs, n: c_int, out: *mut c_char) {
    let msg = b"loading extensions is disabled in Sightline\0";
    let Ok(n) = usize::try_from(n) else { return };
    if n == 0 || out.is_null() {
        return;
    }
    let len = msg.len().min(n);
    // SAFETY: SQLite gives a buffer of `n` bytes; we copy at most `n` and NUL-terminate.
    unsafe {
        ptr::copy_nonoverlapping(msg.as_ptr().cast::<c_char>(), out, len);
        *out.add(len - 1) = 0;
    }
}

unsafe extern "C" fn x_dl_sym(
    _vfs: *mut ffi::sqlite3_vfs,
    _handle: *mut c_void,
    _symbol: *const c_char,
) -> Option<unsafe extern "C" fn(*mut ffi::sqlite3_vfs, *mut c_void, *const c_char)> {
    None
}

unsafe extern "C" fn x_dl_close(_vfs: *mut ffi::sqlite3_vfs, _handle: *mut c_void) {}

unsafe extern "C" fn x_randomness(
    _vfs: *mut ffi::sqlite3_vfs,
    n: c_int,
    out: *mut c_char,
) -> c_int {
    parent_call!(xRandomness, 0, n, out)
}

unsafe extern "C" fn x_sleep(_vfs: *mut ffi::sqlite3_vfs, micros: c_int) -> c_int {
    parent_call!(xSleep, 0, micros)
}

unsafe extern "C" fn x_current_time(_vfs: *mut ffi::sqlite3_vfs, out: *mut f64) -> c_int {
    parent_call!(xCurrentTime, ffi::SQLITE_ERROR, out)
}

unsafe extern "C" fn x_get_last_error(
    _vfs: *mut ffi::sqlite3_vfs,
    n: c_int,
    out: *mut c_char,
) -> c_int {
    parent_call!(xGetLastError, 0, n, out)
}

unsafe extern "C" fn x_current_time_int64(
    _vfs: *mut ffi::sqlite3_vfs,
    out: *mut ffi::sqlite3_int64,
) -> c_int {
    parent_call!(xCurrentTimeInt64, ffi::SQLITE_ERROR, out)
}

static IO_METHODS: ffi::sqlite3_io_methods = ffi::sqlite3_io_methods {
    iVersion: 3,
    xClose: Some(io_close),
    xRead: Some(io_read),
    xWrite: Some(io_write),
    xTruncate: Some(io_truncate),
    xSync: Some(io_sync),
    xFileSize: Some(io_file_size),
    xLock: Some(io_lock),
    xUnlock: Some(io_unlock),
    xCheckReservedLock: Some(io_check_reserved_lock),
    xFileControl: Some(io_file_control),
    xSectorSize: Some(io_sector_size),
    xDeviceCharacteristics: Some(io_device_characteristics),
    xShmMap: Some(io_shm_map),
    xShmLock: Some(io_shm_lock),
    xShmBarrier: Some(io_shm_barrier),
    xShmUnmap: Some(io_shm_unmap),
    xFetch: Some(io_fetch),
    xUnfetch: Some(io_unfetch),
};

/// Calls the inner file's method, or returns the fallback when the inner file lacks it.
macro_rules! inner_call {
    ($file:expr, $method:ident, $fallback:expr $(, $arg:expr)*) => {{
        // SAFETY: our methods are installed only over a successfully opened inner file.
        unsafe {
            let f = inner($file);
            match (*f).pMethods.as_ref().and_then(|m| m.$method) {
                Some(m) => m(f $(, $arg)*),
                None => $fallback,
            }
        }
    }};
}

unsafe extern "C" fn io_close(file: *mut ffi::sqlite3_file) -> c_int {
    let rc = inner_call!(file, xClose, ffi::SQLITE_OK);
    // SAFETY: `file` is our ShimFile.
    unsafe { free_wal_path(file.cast::<ShimFile>()) };
    rc
}

unsafe extern "C" fn io_read(
    file: *mut ffi::sqlite3_file,
    buf: *mut c_void,
    amount: c_int,
    offset: ffi::sqlite3_int64,
) -> c_int {
    let rc = inner_call!(file, xRead, ffi::SQLITE_IOERR_READ, buf, amount, offset);
    if rc != ffi::SQLITE_OK {
        return rc;
    }
    // Header bytes 18 and 19 (file format write/read version): 2 means WAL mode.
    const FIRST: i64 = 18;
    const LAST: i64 = 19;
    let end = offset.saturating_add(i64::from(amount));
    if offset > LAST || end <= FIRST {
        return rc;
    }
    // SAFETY: `file` is our ShimFile; `wal_path` is null or a valid C string.
    let wal_path = unsafe { (*file.cast::<ShimFile>()).wal_path };
    if wal_path.is_null() {
        return rc;
    }
    // SAFETY: as above.
    let wal = unsafe { CStr::from_ptr(wal_path) };
    if exists_nonempty(wal) {
        return rc;
    }
    // SAFETY: `buf` holds `amount` bytes just read, starting at `offset`.
    let bytes = unsafe {
        std::slice::from_raw_parts_mut(buf.cast::<u8>(), usize::try_from(amount).unwrap_or(0))
    };
    let at = |pos: i64| {
        usize::try_from(pos - offset)
            .ok()
            .filter(|i| *i < bytes.len())
    };
    let (w, r) = (at(FIRST), at(LAST));
    let is_wal = |i: Option<usize>| i.is_none_or(|i| bytes[i] == 2);
    if is_wal(w) && is_wal(r) {
        for i in [w, r].into_iter().flatten() {
            bytes[i] = 1;
        }
    }
    rc
}

fn is_scratch(file: *mut ffi::sqlite3_file) -> bool {
    // SAFETY: `file` is our ShimFile, initialised in x_open.
    unsafe { (*file.cast::<ShimFile>()).scratch }
}

unsafe extern "C" fn io_write(
    file: *mut ffi::sqlite3_file,
    buf: *const c_void,
    amount: c_int,
    offset: ffi::sqlite3_int64,
) -> c_int {
    if !is_scratch(file) {
        return ffi::SQLITE_READONLY;
    }
    inner_call!(file, xWrite, ffi::SQLITE_IOERR_WRITE, buf, amount, offset)
}

unsafe extern "C" fn io_truncate(file: *mut ffi::sqlite3_file, size: ffi::sqlite3_int64) -> c_int {
    if !is_scratch(file) {
        return ffi::SQLITE_READONLY;
    }
    inner_call!(file, xTruncate, ffi::SQLITE_IOERR_TRUNCATE, size)
}

unsafe extern "C" fn io_sync(file: *mut ffi::sqlite3_file, flags: c_int) -> c_int {
    if !is_scratch(file) {
        // Nothing was written, so there is nothing to flush.
        return ffi::SQLITE_OK;
    }
    inner_call!(file, xSync, ffi::SQLITE_IOERR_FSYNC, flags)
}

unsafe extern "C" fn io_file_size(
    file: *mut ffi::sqlite3_file,
    size: *mut ffi::sqlite3_int64,
) -> c_int {
    inner_call!(file, xFileSize, ffi::SQLITE_IOERR_FSTAT, size)
}

unsafe extern "C" fn io_lock(file: *mut ffi::sqlite3_file, level: c_int) -> c_int {
    inner_call!(file, xLock, ffi::SQLITE_IOERR_LOCK, level)
}

unsafe extern "C" fn io_unlock(file: *mut ffi::sqlite3_file, level: c_int) -> c_int {
    inner_call!(file, xUnlock, ffi::SQLITE_IOERR_UNLOCK, level)
}

unsafe extern "C" fn io_check_reserved_lock(
    file: *mut ffi::sqlite3_file,
    out: *mut c_int,
) -> c_int {
    inner_call!(
        file,
        xCheckReservedLock,
        ffi::SQLITE_IOERR_CHECKRESERVEDLOCK,
        out
    )
}

unsafe extern "C" fn io_file_control(
    file: *mut ffi::sqlite3_file,
    op: c_int,
    arg: *mut c_void,
) -> c_int {
    // Memory mapping would bypass xRead (and the header view); keep it off whatever is asked.
    if op == ffi::SQLITE_FCNTL_MMAP_SIZE {
        if !arg.is_null() {
            // SAFETY: for MMAP_SIZE the argument is an sqlite3_int64 in/out value.
            unsafe { *arg.cast::<ffi::sqlite3_int64>() = 0 };
        }
        return ffi::SQLITE_OK;
    }
    inner_call!(file, xFileControl, ffi::SQLITE_NOTFOUND, op, arg)
}

unsafe extern "C" fn io_sector_size(file: *mut ffi::sqlite3_file) -> c_int {
    inner_call!(file, xSectorSize, 4096)
}

unsafe extern "C" fn io_device_characteristics(file: *mut ffi::sqlite3_file) -> c_int {
    inner_call!(file, xDeviceCharacteristics, 0)
}

unsafe extern "C" fn io_shm_map(
    file: *mut ffi::sqlite3_file,
    page: c_int,
    page_size: c_int,
    extend: c_int,
    out: *mut *mut c_void,
) -> c_int {
    inner_call!(
        file,
        xShmMap,
        ffi::SQLITE_IOERR_SHMMAP,
        page,
        page_size,
        extend,
        out
    )
}

unsafe extern "C" fn io_shm_lock(
    file: *mut ffi::sqlite3_file,
    offset: c_int,
    n: c_int,
    flags: c_int,
) -> c_int {
    inner_call!(file, xShmLock, ffi::SQLITE_IOERR_SHMLOCK, offset, n, flags)
}

unsafe extern "C" fn io_shm_barrier(file: *mut ffi::sqlite3_file) {
    inner_call!(file, xShmBarrier, ())
}

unsafe extern "C" fn io_shm_unmap(file: *mut ffi::sqlite3_file, _delete: c_int) -> c_int {
    // Never let SQLite delete the -shm file.
    inner_call!(file, xShmUnmap, ffi::SQLITE_OK, 0)
}

unsafe extern "C" fn io_fetch(
    _file: *mut ffi::sqlite3_file,
    _offset: ffi::sqlite3_int64,
    _amount: c_int,
    out: *mut *mut c_void,
) -> c_int {
    if !out.is_null() {
        // SAFETY: `out` is SQLite's out-pointer; null means "read it with xRead instead".
        unsafe { *out = ptr::null_mut() };
    }
    ffi::SQLITE_OK
}

unsafe extern "C" fn io_unfetch(
    file: *mut ffi::sqlite3_file,
    offset: ffi::sqlite3_int64,
    p: *mut c_void,
) -> c_int {
    inner_call!(file, xUnfetch, ffi::SQLITE_OK, offset, p)
}
