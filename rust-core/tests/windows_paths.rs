//! Windows file semantics of the atomic CSV file: drive letters, UNC and verbatim paths, paths
//! over MAX_PATH, reserved device names, a target another program holds open, and the
//! background flush on a duplicated handle. Built for x86_64-pc-windows-gnu and run under Wine
//! by `build.ps1` (tests/windows/wine-run.sh as cargo's runner), and natively on the release
//! workflow's Windows runner.
#![cfg(windows)]
#![allow(clippy::unwrap_used)]

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use outlook_qr_guard::export::{AtomicCsvFile, AtomicFileError};

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn write_and_commit(target: &Path, create_dirs: bool, body: &[u8]) -> PathBuf {
    let mut file = AtomicCsvFile::create(target, false, create_dirs).unwrap();
    file.write_all(body).unwrap();
    file.commit().unwrap()
}

/// `C:\…` as the OS gives it, with forward slashes, and drive-relative (`C:devices.csv`).
#[test]
fn drive_letter_paths() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().to_string_lossy().into_owned();
    let bytes = text.as_bytes();
    assert!(
        bytes.len() > 3 && bytes[0].is_ascii_alphabetic() && &bytes[1..3] == b":\\",
        "the temp folder has a drive letter: {text}"
    );

    let plain = dir.path().join("plain.csv");
    assert_eq!(write_and_commit(&plain, false, b"a"), plain);

    let slashes = PathBuf::from(format!("{}/slashes.csv", text.replace('\\', "/")));
    write_and_commit(&slashes, false, b"b");
    assert_eq!(fs::read(dir.path().join("slashes.csv")).unwrap(), b"b");

    // Drive-relative: resolved against that drive's current folder, once, at create.
    let previous = std::env::current_dir().unwrap();
    std::env::set_current_dir(dir.path()).unwrap();
    let relative = PathBuf::from(format!("{}:relative.csv", &text[..1]));
    let created = AtomicCsvFile::create(&relative, false, false);
    std::env::set_current_dir(&previous).unwrap();
    let mut file = created.unwrap();
    assert_eq!(file.target(), dir.path().join("relative.csv"));
    file.write_all(b"c").unwrap();
    file.commit().unwrap();
    assert_eq!(
        entries(dir.path()),
        ["plain.csv", "relative.csv", "slashes.csv"]
    );
}

/// A drive that does not exist is a missing folder, named in the message.
#[test]
fn a_missing_drive_is_a_missing_folder() {
    let Some(letter) = ('D'..='Y')
        .rev()
        .find(|l| !Path::new(&format!("{l}:\\")).exists())
    else {
        panic!("every drive letter is in use");
    };
    let target = PathBuf::from(format!("{letter}:\\reports\\devices.csv"));
    let err = AtomicCsvFile::create(&target, false, false).unwrap_err();
    assert!(
        matches!(err, AtomicFileError::ParentMissing { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains(&format!("{letter}:\\reports")));
    // Asked to create the folders, it still fails with an error that names the path.
    let err = AtomicCsvFile::create(&target, false, true).unwrap_err();
    assert!(err.to_string().contains(&format!("{letter}:\\")), "{err}");
}

/// `\\?\C:\…` (verbatim) works like the plain path; a UNC path needs a file name and an
/// unreachable share is a clear error, not a hang or a panic.
#[test]
fn verbatim_and_unc_paths() {
    let dir = tempfile::tempdir().unwrap();
    let verbatim = PathBuf::from(format!(r"\\?\{}\verbatim.csv", dir.path().display()));
    write_and_commit(&verbatim, false, b"v");
    assert_eq!(fs::read(dir.path().join("verbatim.csv")).unwrap(), b"v");
    assert_eq!(entries(dir.path()), ["verbatim.csv"]);

    let err = AtomicCsvFile::create(r"\\fileserver.invalid\share", false, false).unwrap_err();
    assert!(
        matches!(err, AtomicFileError::InvalidPath { .. }),
        "a share root is not a file: {err:?}"
    );
    assert!(err.to_string().contains("file name"));

    let started = Instant::now();
    let unreachable = r"\\fileserver.invalid\share\reports\devices.csv";
    let err = AtomicCsvFile::create(unreachable, false, false).unwrap_err();
    assert!(
        err.to_string().contains(r"\\fileserver.invalid\share"),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_secs(60));
}

/// Over MAX_PATH (260): std turns long paths into verbatim ones, so the export works without
/// the LongPathsEnabled policy.
#[test]
fn paths_over_max_path_work() {
    let dir = tempfile::tempdir().unwrap();
    let mut deep = dir.path().to_path_buf();
    for i in 0..6 {
        deep.push(format!("{i}-{}", "d".repeat(60)));
    }
    let target = deep.join("devices.csv");
    assert!(target.as_os_str().len() > 300, "{}", target.display());
    assert_eq!(write_and_commit(&target, true, b"deep"), target);
    assert_eq!(fs::read(&target).unwrap(), b"deep");
    assert_eq!(entries(&deep), ["devices.csv"]);
}

/// Names Windows reserves or silently alters are refused before anything is created.
#[test]
fn reserved_and_altered_names_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "CON", "con.csv", "NUL.txt", "COM1.csv", "lpt9", "aux .csv", "report.", "report ",
        "a|b.csv",
    ] {
        let err = AtomicCsvFile::create(dir.path().join(name), true, false).unwrap_err();
        assert!(
            matches!(err, AtomicFileError::InvalidPath { .. }),
            "{name}: {err:?}"
        );
        assert!(err.to_string().contains(name.trim_end()), "{name}: {err}");
    }
    assert!(entries(dir.path()).is_empty());
    // Lookalikes are ordinary names.
    for name in ["console.csv", "COM10.csv", "CONreport.csv"] {
        write_and_commit(&dir.path().join(name), false, b"x");
    }
    assert_eq!(
        entries(dir.path()),
        ["COM10.csv", "CONreport.csv", "console.csv"]
    );
}

/// Replacing a file that another program has open without FILE_SHARE_DELETE (as Excel keeps a
/// workbook) fails; the old file stays and the temporary file goes.
#[test]
fn a_target_held_open_by_another_program_is_left_alone() {
    use std::os::windows::fs::OpenOptionsExt;
    const FILE_SHARE_READ: u32 = 0x1;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("devices.csv");
    fs::write(&target, "old").unwrap();
    let held = fs::OpenOptions::new()
        .read(true)
        .share_mode(FILE_SHARE_READ)
        .open(&target)
        .unwrap();
    let mut file = AtomicCsvFile::create(&target, true, false).unwrap();
    file.write_all(b"new").unwrap();
    let err = file.commit().unwrap_err();
    assert!(
        matches!(err, AtomicFileError::PermissionDenied { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("close the file"), "{err}");
    drop(held);
    assert_eq!(fs::read_to_string(&target).unwrap(), "old");
    assert_eq!(entries(dir.path()), ["devices.csv"]);
}

/// Enough bytes to start background flushes (8 MiB each, on a duplicated handle): the file
/// commits whole, and an export dropped while a flush may still hold its handle leaves nothing.
#[test]
fn background_flush_then_commit_or_cancel() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("big.csv");
    let chunk = vec![b'x'; 1 << 20];
    let mut file = AtomicCsvFile::create(&target, false, false).unwrap();
    for _ in 0..20 {
        file.write_all(&chunk).unwrap();
    }
    file.commit().unwrap();
    assert_eq!(fs::metadata(&target).unwrap().len(), 20 << 20);

    let cancelled = dir.path().join("cancelled.csv");
    let mut file = AtomicCsvFile::create(&cancelled, false, false).unwrap();
    for _ in 0..17 {
        file.write_all(&chunk).unwrap();
    }
    drop(file);
    // The delete is immediate with POSIX delete semantics; older file systems show the name
    // until the last handle (the flush thread's) closes, which is soon.
    let deadline = Instant::now() + Duration::from_secs(20);
    while entries(dir.path()) != ["big.csv"] && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(entries(dir.path()), ["big.csv"]);
    assert!(!cancelled.exists());
}
