//! AtomicCsvFile: the target path only ever holds a complete file, or is left as it was.

#![allow(clippy::unwrap_used)]

use std::fs;
use std::io::Write;
use std::path::Path;

use outlook_qr_guard::device::MobileDevice;
use outlook_qr_guard::export::{
    AtomicCsvFile, AtomicFileError, CsvEncoding, CsvExporter, CsvOptions,
};

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn commit_puts_the_complete_file_in_place_and_leaves_no_temp() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("devices.csv");
    let mut file = AtomicCsvFile::create(&target, false, false).unwrap();
    let temp = file.temp_path().unwrap().to_path_buf();
    assert_eq!(
        temp.parent(),
        Some(dir.path()),
        "temp file must be beside the target"
    );
    file.write_all(b"hello").unwrap();
    assert!(!target.exists(), "nothing at the target before commit");
    assert_eq!(file.commit().unwrap(), target);
    assert_eq!(fs::read(&target).unwrap(), b"hello");
    assert_eq!(entries(dir.path()), ["devices.csv"]);
}

#[test]
fn drop_and_abort_leave_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("devices.csv");
    {
        let mut file = AtomicCsvFile::create(&target, false, false).unwrap();
        file.write_all(&[b'x'; 3 << 20]).unwrap();
    }
    assert!(entries(dir.path()).is_empty());
    let mut file = AtomicCsvFile::create(&target, false, false).unwrap();
    file.write_all(b"partial").unwrap();
    file.abort().unwrap();
    assert!(entries(dir.path()).is_empty());
}

#[test]
fn a_failed_export_leaves_nothing_at_the_target() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("devices.csv");
    let options = CsvOptions {
        encoding: CsvEncoding::ShiftJis,
        ..CsvOptions::default()
    };
    let file = AtomicCsvFile::create(&target, false, false).unwrap();
    let mut exporter = CsvExporter::new(file, &options).unwrap();
    let ok = MobileDevice {
        friendly_name: Some("山田の iPhone".into()),
        ..MobileDevice::default()
    };
    let bad = MobileDevice {
        friendly_name: Some("📱".into()),
        ..MobileDevice::default()
    };
    exporter.write_page(&vec![ok; 5000]).unwrap();
    assert!(exporter.write_page(&[bad]).is_err());
    drop(exporter);
    assert!(entries(dir.path()).is_empty());
}

#[test]
fn existing_target_is_refused_without_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("devices.csv");
    fs::write(&target, "keep me").unwrap();
    let err = AtomicCsvFile::create(&target, false, false).unwrap_err();
    assert!(matches!(err, AtomicFileError::TargetExists { .. }));
    let message = err.to_string();
    assert!(message.contains(&target.display().to_string()) && message.contains("overwrit"));
    assert_eq!(fs::read_to_string(&target).unwrap(), "keep me");
    assert_eq!(entries(dir.path()), ["devices.csv"]);
}

#[test]
fn no_clobber_holds_when_the_target_appears_while_writing() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("devices.csv");
    let mut file = AtomicCsvFile::create(&target, false, false).unwrap();
    file.write_all(b"ours").unwrap();
    fs::write(&target, "someone else's").unwrap();
    assert!(matches!(
        file.commit(),
        Err(AtomicFileError::TargetExists { .. })
    ));
    assert_eq!(fs::read_to_string(&target).unwrap(), "someone else's");
    assert_eq!(entries(dir.path()), ["devices.csv"]);
}

#[test]
fn overwrite_replaces_the_target() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("devices.csv");
    fs::write(&target, "old").unwrap();
    let mut file = AtomicCsvFile::create(&target, true, false).unwrap();
    file.write_all(b"new").unwrap();
    file.commit().unwrap();
    assert_eq!(fs::read_to_string(&target).unwrap(), "new");
    assert_eq!(entries(dir.path()), ["devices.csv"]);
}

#[test]
fn a_directory_is_not_a_target() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("folder.csv");
    fs::create_dir(&target).unwrap();
    for overwrite in [false, true] {
        let err = AtomicCsvFile::create(&target, overwrite, true).unwrap_err();
        assert!(
            matches!(err, AtomicFileError::TargetIsDirectory { .. }),
            "{err:?}"
        );
        assert!(err.to_string().contains("folder.csv"));
    }
    // The folder appearing after create is also refused at commit, with overwrite.
    let late = dir.path().join("late.csv");
    let file = AtomicCsvFile::create(&late, true, false).unwrap();
    fs::create_dir(&late).unwrap();
    fs::write(late.join("inside"), "x").unwrap();
    assert!(matches!(
        file.commit(),
        Err(AtomicFileError::TargetIsDirectory { .. })
    ));
    assert_eq!(entries(dir.path()), ["folder.csv", "late.csv"]);
}

#[test]
fn missing_parent_needs_the_create_flag() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("a").join("b").join("devices.csv");
    let err = AtomicCsvFile::create(&target, false, false).unwrap_err();
    assert!(
        matches!(&err, AtomicFileError::ParentMissing { path } if path == &dir.path().join("a").join("b"))
    );
    assert!(err.to_string().contains("does not exist"));
    assert!(!dir.path().join("a").exists());

    let mut file = AtomicCsvFile::create(&target, false, true).unwrap();
    file.write_all(b"x").unwrap();
    file.commit().unwrap();
    assert_eq!(fs::read(&target).unwrap(), b"x");
}

#[test]
fn a_file_in_the_parent_chain_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("plain"), "").unwrap();
    for create in [false, true] {
        let err =
            AtomicCsvFile::create(dir.path().join("plain").join("devices.csv"), false, create)
                .unwrap_err();
        assert!(
            matches!(err, AtomicFileError::ParentNotAFolder { .. }),
            "{err:?}"
        );
    }
}

#[test]
fn non_ascii_paths_work() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("日本語フォルダ").join("端末一覧 ①.csv");
    let mut file = AtomicCsvFile::create(&target, false, true).unwrap();
    file.write_all("山田".as_bytes()).unwrap();
    file.commit().unwrap();
    assert_eq!(fs::read_to_string(&target).unwrap(), "山田");
    assert_eq!(
        entries(&dir.path().join("日本語フォルダ")),
        ["端末一覧 ①.csv"]
    );
}

#[test]
fn over_long_names_and_paths_are_explained() {
    let dir = tempfile::tempdir().unwrap();
    // 264 UTF-16 units and 784 UTF-8 bytes: over the 255 of NTFS and of Unix file systems alike.
    let long_name = format!("{}.csv", "長".repeat(260));
    let err = AtomicCsvFile::create(dir.path().join(&long_name), false, false).unwrap_err();
    assert!(
        matches!(err, AtomicFileError::PathTooLong { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("too long"));

    // Past every platform's limit: Linux PATH_MAX (4,096 bytes) and the 32,767 UTF-16 units of
    // a Windows verbatim path (Microsoft Learn, "Maximum Path Length Limitation"), which std
    // uses for long paths, so MAX_PATH (260) alone would not fail on Windows.
    let mut deep = dir.path().to_path_buf();
    for _ in 0..140 {
        deep.push("d".repeat(250));
    }
    let err = AtomicCsvFile::create(deep.join("devices.csv"), false, true).unwrap_err();
    assert!(
        matches!(err, AtomicFileError::PathTooLong { .. }),
        "{err:?}"
    );
}

#[test]
fn invalid_names_are_explained() {
    let dir = tempfile::tempdir().unwrap();
    let err = AtomicCsvFile::create(dir.path().join("a\0b.csv"), false, false).unwrap_err();
    assert!(
        matches!(err, AtomicFileError::InvalidPath { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("NUL"));
    let err = AtomicCsvFile::create(dir.path().join(".."), false, false).unwrap_err();
    assert!(
        matches!(err, AtomicFileError::InvalidPath { .. }),
        "{err:?}"
    );
    if cfg!(windows) {
        let err = AtomicCsvFile::create(dir.path().join("a?.csv"), false, false).unwrap_err();
        assert!(
            matches!(err, AtomicFileError::InvalidPath { .. }),
            "{err:?}"
        );
    }
}

#[cfg(unix)]
#[test]
fn permission_denied_names_the_folder() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let locked = dir.path().join("locked");
    fs::create_dir(&locked).unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o555)).unwrap();
    let _immutable = if fs::write(locked.join("probe"), "").is_ok() {
        // Root ignores folder modes; an immutable folder (Linux, ext4/xfs) still refuses it.
        fs::remove_file(locked.join("probe")).unwrap();
        match Immutable::set(&locked) {
            Some(guard) => Some(guard),
            None => {
                eprintln!("skipped: privileged and cannot make the folder immutable");
                return;
            }
        }
    } else {
        None
    };
    let err = AtomicCsvFile::create(locked.join("devices.csv"), false, false).unwrap_err();
    assert!(
        matches!(err, AtomicFileError::PermissionDenied { .. }),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        message.contains("locked") && message.contains("denied"),
        "{message}"
    );
    drop(_immutable);
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();
}

/// `chattr +i` for the test's lifetime.
#[cfg(unix)]
struct Immutable(std::path::PathBuf);

#[cfg(unix)]
impl Immutable {
    fn set(path: &Path) -> Option<Self> {
        let ok = std::process::Command::new("chattr")
            .arg("+i")
            .arg(path)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            return None;
        }
        let guard = Self(path.to_path_buf());
        fs::write(path.join("probe"), "").is_err().then_some(guard)
    }
}

#[cfg(unix)]
impl Drop for Immutable {
    fn drop(&mut self) {
        let _ = std::process::Command::new("chattr")
            .arg("-i")
            .arg(&self.0)
            .status();
    }
}

#[cfg(unix)]
#[test]
fn committed_file_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("devices.csv");
    AtomicCsvFile::create(&target, false, false)
        .unwrap()
        .commit()
        .unwrap();
    let mode = fs::metadata(&target).unwrap().permissions().mode() & 0o777;
    // IMEIs, phone numbers and UPNs: 0600 whatever the umask (#14 item 13).
    assert_eq!(mode, 0o600, "mode {mode:o}");
}

#[test]
fn relative_bare_file_name_uses_the_current_folder() {
    // Only the check is exercised here (changing the process's current folder would race other
    // tests): a bare name has "." as its folder, which exists.
    let name = format!("oqg-relative-{}.csv", std::process::id());
    let file = AtomicCsvFile::create(&name, false, false).unwrap();
    let temp = file.temp_path().unwrap().to_path_buf();
    assert!(temp.exists());
    assert!(file.target().is_absolute());
    assert_eq!(file.target(), std::env::current_dir().unwrap().join(&name));
    file.abort().unwrap();
    assert!(!temp.exists());
    assert!(!Path::new(&name).exists());
}
