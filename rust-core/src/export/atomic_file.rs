//! All-or-nothing output: the CSV is written to a temporary file beside the target and renamed
//! onto it only when complete, so a failed or cancelled export never leaves a half file there.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, ErrorKind, Write};
use std::path::{Component, Path, PathBuf};

use tempfile::NamedTempFile;

use super::background_sync::BackgroundSync;

const WRITE_BUFFER_BYTES: usize = 1 << 20;
/// Longest file or folder name NTFS, ext4, APFS etc. accept (bytes on Unix, UTF-16 units on Windows).
const MAX_NAME_LEN: usize = 255;
/// Classic Windows MAX_PATH (without the terminating NUL): longer paths fail unless long paths
/// are enabled, which we cannot know in advance.
const WINDOWS_MAX_PATH: usize = 259;

/// Why the CSV file could not be created or put in place. Every message names the path and
/// what the admin can do about it.
#[derive(Debug, thiserror::Error)]
pub enum AtomicFileError {
    #[error("'{}' already exists; choose another file name or allow overwriting it", path.display())]
    TargetExists { path: PathBuf },

    #[error("'{}' is a folder; give the path of a .csv file inside it", path.display())]
    TargetIsDirectory { path: PathBuf },

    #[error("the folder '{}' does not exist; create it first or allow creating missing folders", path.display())]
    ParentMissing { path: PathBuf },

    #[error("'{}' is a file, not a folder; choose a path inside an existing folder", path.display())]
    ParentNotAFolder { path: PathBuf },

    #[error(
        "access to '{}' was denied while {action}; check your permissions on the folder, \
         or close the file if another program (such as Excel) has it open",
        path.display()
    )]
    PermissionDenied {
        path: PathBuf,
        action: &'static str,
        #[source]
        source: io::Error,
    },

    #[error("the path '{}' is too long; choose a shorter folder or file name", path.display())]
    PathTooLong { path: PathBuf },

    #[error("the path '{}' is not valid: {reason}; choose another file name", path.display())]
    InvalidPath { path: PathBuf, reason: String },

    #[error("'{}' is on a read-only file system; choose another folder", path.display())]
    ReadOnly { path: PathBuf },

    #[error("the disk holding '{}' is full; free some space or choose another folder", path.display())]
    DiskFull { path: PathBuf },

    #[error("the CSV was not written completely, so '{}' was left untouched", path.display())]
    Incomplete { path: PathBuf },

    #[error("{action} '{}' failed: {source}", path.display())]
    Io {
        path: PathBuf,
        action: &'static str,
        #[source]
        source: io::Error,
    },
}

/// A CSV file being written. [`Write`] into it, then [`commit`](Self::commit); dropping it or
/// calling [`abort`](Self::abort) removes the temporary file and leaves the target untouched.
#[derive(Debug)]
pub struct AtomicCsvFile {
    target: PathBuf,
    overwrite: bool,
    file: Option<BufWriter<NamedTempFile<File>>>,
    write_failed: bool,
    sync: BackgroundSync,
}

impl AtomicCsvFile {
    /// Checks the target and opens a temporary file in its folder.
    ///
    /// A relative `target` is resolved against the process's current folder right away (callers
    /// in PowerShell should pass a full path: `$PWD` is not the process's current folder).
    ///
    /// `overwrite`: replace an existing file at `target` (otherwise refused, also if one appears
    /// while writing). `create_parent_dirs`: create missing folders on the way to `target`.
    pub fn create(
        target: impl AsRef<Path>,
        overwrite: bool,
        create_parent_dirs: bool,
    ) -> Result<Self, AtomicFileError> {
        let target = target.as_ref();
        check_path_shape(target)?;
        // Fixed now, so a later change of the process's current folder cannot move the file.
        let target =
            std::path::absolute(target).map_err(|err| classify(target, "resolving", err))?;
        match fs::metadata(&target) {
            Ok(meta) if meta.is_dir() => {
                return Err(AtomicFileError::TargetIsDirectory { path: target });
            }
            Ok(_) if !overwrite => return Err(AtomicFileError::TargetExists { path: target }),
            Ok(_) => {}
            Err(err) if err.kind() == ErrorKind::NotFound => {}
            // e.g. a path component is a file (ENOTDIR): let the parent check explain it.
            Err(_) => {}
        }
        let parent = parent_folder(&target);
        ensure_folder(&parent, create_parent_dirs)?;

        let temp = tempfile::Builder::new()
            .prefix(".OutlookQrGuard-")
            .suffix(".csv.tmp")
            // Our own open: tempfile's would mark the file "temporary" on Windows, which would
            // survive the rename. Owner-only on Unix: the file holds IMEIs, phone numbers and
            // UPNs. On Windows the file inherits the folder's ACL.
            .make_in(&parent, |path| {
                let mut options = OpenOptions::new();
                options.write(true).create_new(true);
                owner_only(&mut options);
                options.open(path)
            })
            .map_err(|err| classify(&parent, "creating a temporary file in", err))?;
        Ok(Self {
            target,
            overwrite,
            file: Some(BufWriter::with_capacity(WRITE_BUFFER_BYTES, temp)),
            write_failed: false,
            sync: BackgroundSync::default(),
        })
    }

    /// Where the file will appear on [`commit`](Self::commit).
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// The temporary file being written.
    pub fn temp_path(&self) -> Option<&Path> {
        self.file.as_ref().map(|file| file.get_ref().path())
    }

    /// Flushes, syncs to disk and renames the temporary file onto the target. Without
    /// `overwrite` the rename itself refuses to replace a file (no check-then-act race).
    pub fn commit(mut self) -> Result<PathBuf, AtomicFileError> {
        let target = self.target.clone();
        let Some(buffered) = self.file.take() else {
            return Err(AtomicFileError::Incomplete { path: target });
        };
        if self.write_failed {
            return Err(AtomicFileError::Incomplete { path: target });
        }
        let temp = buffered
            .into_inner()
            .map_err(|err| classify(&target, "writing", err.into_error()))?;
        self.sync
            .finish()
            .map_err(|err| classify(&target, "saving", err))?;
        temp.as_file()
            .sync_all()
            .map_err(|err| classify(&target, "saving", err))?;
        if self.overwrite {
            keep_existing_mode(temp.as_file(), &target)
                .map_err(|err| classify(&target, "saving", err))?;
        }
        let persisted = if self.overwrite {
            temp.persist(&target)
        } else {
            temp.persist_noclobber(&target)
        };
        // On failure the returned temp file is dropped here, which deletes it.
        persisted.map_err(|err| match err.error.kind() {
            ErrorKind::AlreadyExists => AtomicFileError::TargetExists {
                path: target.clone(),
            },
            ErrorKind::IsADirectory | ErrorKind::DirectoryNotEmpty => {
                AtomicFileError::TargetIsDirectory {
                    path: target.clone(),
                }
            }
            // Windows refuses a rename onto a folder with ERROR_ACCESS_DENIED (seen under Wine
            // 8.0, tests/windows; UNCONFIRMED on NTFS), which would read as a permission problem.
            _ if target.is_dir() => AtomicFileError::TargetIsDirectory {
                path: target.clone(),
            },
            _ => classify(&target, "replacing", err.error),
        })?;
        sync_folder(&parent_folder(&target));
        Ok(target)
    }

    /// Removes the temporary file now, reporting if that fails (dropping does the same silently).
    pub fn abort(mut self) -> Result<(), AtomicFileError> {
        match self.file.take() {
            Some(buffered) => {
                let (temp, _unwritten) = buffered.into_parts();
                let path = temp.path().to_path_buf();
                temp.close()
                    .map_err(|err| classify(&path, "removing the temporary file", err))
            }
            None => Ok(()),
        }
    }

    fn note_failure(&mut self, err: io::Error) -> io::Error {
        self.write_failed = true;
        io::Error::new(
            err.kind(),
            format!("{err} (writing '{}')", self.target.display()),
        )
    }
}

impl Write for AtomicCsvFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let result = match self.file.as_mut() {
            Some(file) => file.write(buf).inspect(|&n| {
                self.sync.wrote(n, file.get_ref().as_file());
            }),
            None => Err(io::Error::other(
                "the file was already committed or aborted",
            )),
        };
        result.map_err(|err| self.note_failure(err))
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        let result = match self.file.as_mut() {
            Some(file) => file.write_all(buf).inspect(|()| {
                self.sync.wrote(buf.len(), file.get_ref().as_file());
            }),
            None => Err(io::Error::other(
                "the file was already committed or aborted",
            )),
        };
        result.map_err(|err| self.note_failure(err))
    }

    fn flush(&mut self) -> io::Result<()> {
        let result = match self.file.as_mut() {
            Some(file) => file.flush(),
            None => Ok(()),
        };
        result.map_err(|err| self.note_failure(err))
    }
}

impl Drop for AtomicCsvFile {
    fn drop(&mut self) {
        if let Some(buffered) = self.file.take() {
            // Discard the unwritten buffer instead of flushing it into a file about to be deleted.
            let (temp, _unwritten) = buffered.into_parts();
            // A background sync still running is left to finish on its own: joining it here
            // could hold a runtime thread for seconds (a network share). std opens files with
            // FILE_SHARE_DELETE on Windows, so its handle does not stop the delete.
            drop(temp);
        }
    }
}

/// The folder the target lives in (`.` for a bare file name).
fn parent_folder(target: &Path) -> PathBuf {
    match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn ensure_folder(folder: &Path, create: bool) -> Result<(), AtomicFileError> {
    match fs::metadata(folder) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(_) => Err(AtomicFileError::ParentNotAFolder {
            path: folder.to_path_buf(),
        }),
        Err(err) if err.kind() == ErrorKind::NotFound && create => fs::create_dir_all(folder)
            .map_err(|err| match err.kind() {
                ErrorKind::NotADirectory | ErrorKind::AlreadyExists => {
                    AtomicFileError::ParentNotAFolder {
                        path: folder.to_path_buf(),
                    }
                }
                _ => classify(folder, "creating the folder", err),
            }),
        Err(err) if err.kind() == ErrorKind::NotFound => Err(AtomicFileError::ParentMissing {
            path: folder.to_path_buf(),
        }),
        Err(err) if err.kind() == ErrorKind::NotADirectory => {
            Err(AtomicFileError::ParentNotAFolder {
                path: folder.to_path_buf(),
            })
        }
        Err(err) => Err(classify(folder, "opening the folder", err)),
    }
}

#[cfg(unix)]
fn owner_only(options: &mut OpenOptions) {
    use std::os::unix::fs::OpenOptionsExt;
    options.mode(0o600);
}

#[cfg(not(unix))]
fn owner_only(_options: &mut OpenOptions) {}

/// A file replaced with -Force keeps the mode its owner gave it (a shared report stays shared).
#[cfg(unix)]
fn keep_existing_mode(temp: &File, target: &Path) -> io::Result<()> {
    match fs::metadata(target) {
        Ok(meta) if meta.is_file() => temp.set_permissions(meta.permissions()),
        _ => Ok(()),
    }
}

#[cfg(not(unix))]
fn keep_existing_mode(_temp: &File, _target: &Path) -> io::Result<()> {
    Ok(())
}

/// Rejects paths no file system will take, before anything is created.
fn check_path_shape(target: &Path) -> Result<(), AtomicFileError> {
    let invalid = |reason: &str| AtomicFileError::InvalidPath {
        path: target.to_path_buf(),
        reason: reason.to_owned(),
    };
    let Some(file_name) = target.file_name() else {
        return Err(invalid("it does not end in a file name"));
    };
    if target.as_os_str().to_string_lossy().contains('\0') {
        return Err(invalid("it contains a NUL character"));
    }
    for component in target.components() {
        if let Component::Normal(name) = component
            && name_length(name) > MAX_NAME_LEN
        {
            return Err(AtomicFileError::PathTooLong {
                path: target.to_path_buf(),
            });
        }
    }
    if cfg!(windows)
        && let Some(reason) = windows_name_problem(&file_name.to_string_lossy())
    {
        return Err(invalid(reason));
    }
    Ok(())
}

#[cfg(windows)]
fn name_length(name: &std::ffi::OsStr) -> usize {
    use std::os::windows::ffi::OsStrExt;
    name.encode_wide().count()
}

#[cfg(not(windows))]
fn name_length(name: &std::ffi::OsStr) -> usize {
    name.len()
}

/// What Windows would reject or silently alter in a file name.
pub(crate) fn windows_name_problem(name: &str) -> Option<&'static str> {
    if let Some(c) = name
        .chars()
        .find(|c| matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*') || u32::from(*c) < 0x20)
    {
        return Some(if c.is_control() {
            "it contains a control character"
        } else {
            "it contains one of the characters < > : \" | ? * that Windows does not allow"
        });
    }
    if name.ends_with('.') || name.ends_with(' ') {
        return Some("Windows does not allow a file name ending in a dot or a space");
    }
    let stem = name
        .split('.')
        .next()
        .unwrap_or(name)
        .trim_end()
        .to_ascii_uppercase();
    let reserved = matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || ((stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.len() == 4
            && stem.as_bytes()[3].is_ascii_digit()
            && stem.as_bytes()[3] != b'0');
    reserved.then_some("it is a device name Windows reserves (CON, NUL, COM1, LPT1, …)")
}

fn classify(path: &Path, action: &'static str, err: io::Error) -> AtomicFileError {
    let path = path.to_path_buf();
    match err.kind() {
        ErrorKind::PermissionDenied => AtomicFileError::PermissionDenied {
            path,
            action,
            source: err,
        },
        ErrorKind::InvalidFilename if looks_too_long(&path) => {
            AtomicFileError::PathTooLong { path }
        }
        ErrorKind::InvalidFilename | ErrorKind::InvalidInput => AtomicFileError::InvalidPath {
            path,
            reason: err.to_string(),
        },
        ErrorKind::ReadOnlyFilesystem => AtomicFileError::ReadOnly { path },
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded => AtomicFileError::DiskFull { path },
        _ => AtomicFileError::Io {
            path,
            action,
            source: err,
        },
    }
}

fn looks_too_long(path: &Path) -> bool {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let total = name_length(absolute.as_os_str());
    total > WINDOWS_MAX_PATH
        || absolute
            .components()
            .any(|c| name_length(c.as_os_str()) > MAX_NAME_LEN)
}

/// Makes the rename itself durable (Unix needs the folder synced; best effort).
fn sync_folder(folder: &Path) {
    #[cfg(unix)]
    if let Ok(dir) = File::open(folder) {
        let _ = dir.sync_all();
    }
    #[cfg(not(unix))]
    let _ = folder;
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn windows_names() {
        assert!(windows_name_problem("devices.csv").is_none());
        assert!(windows_name_problem("端末一覧.csv").is_none());
        assert!(windows_name_problem("COM10.csv").is_none());
        assert!(windows_name_problem("console.csv").is_none());
        for bad in [
            "a<b.csv",
            "a:b.csv",
            "a?.csv",
            "a*.csv",
            "a|b.csv",
            "a\"b.csv",
            "tab\t.csv",
            "trailing.",
            "trailing ",
            "CON",
            "con.csv",
            "NUL.txt",
            "com1.csv",
            "LPT9",
            "aux .csv",
        ] {
            assert!(windows_name_problem(bad).is_some(), "{bad}");
        }
    }

    #[cfg(unix)]
    fn mode_of(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[cfg(unix)]
    #[test]
    fn a_new_file_is_readable_by_its_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("devices.csv");
        let mut file = AtomicCsvFile::create(&target, false, false).unwrap();
        file.write_all(b"IMEI\r\n").unwrap();
        assert_eq!(mode_of(file.temp_path().unwrap()), 0o600);
        file.commit().unwrap();
        assert_eq!(mode_of(&target), 0o600);
    }

    #[cfg(unix)]
    #[test]
    fn a_replaced_file_keeps_its_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("audit.html");
        fs::write(&target, b"old").unwrap();
        fs::set_permissions(&target, fs::Permissions::from_mode(0o640)).unwrap();
        let mut file = AtomicCsvFile::create(&target, true, false).unwrap();
        file.write_all(b"new").unwrap();
        file.commit().unwrap();
        assert_eq!(mode_of(&target), 0o640);
        assert_eq!(fs::read(&target).unwrap(), b"new");
    }
}
