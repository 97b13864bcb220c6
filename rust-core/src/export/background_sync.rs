//! Syncing a file being written in the background, a few MB at a time, so the sync that
//! makes it durable at the end has little left to write (at 100k devices the CSV is ~40 MB,
//! and one sync of all of it at the end is time the admin waits for after the last page).

use std::fs::File;
use std::io;
use std::thread::JoinHandle;

/// Bytes written between background syncs.
const SYNC_EVERY_BYTES: u64 = 8 << 20;

#[derive(Debug, Default)]
pub struct BackgroundSync {
    since_last: u64,
    running: Option<JoinHandle<io::Result<()>>>,
    /// A background sync that failed. A duplicated handle shares the open file, so the error
    /// may have been reported to it alone: it must reach the final sync's caller.
    failed: Option<io::Error>,
}

impl BackgroundSync {
    /// `written` more bytes went to `file`; start a sync of what the OS holds if enough has
    /// accumulated and none is running.
    pub fn wrote(&mut self, written: usize, file: &File) {
        self.since_last += written as u64;
        if self.since_last < SYNC_EVERY_BYTES {
            return;
        }
        if self.running.as_ref().is_some_and(|r| !r.is_finished()) {
            return;
        }
        self.collect();
        // No duplicate handle (or no thread) only means no early sync; the final one still runs.
        let Ok(handle) = file.try_clone() else { return };
        if let Ok(thread) = std::thread::Builder::new()
            .name("csv-sync".into())
            .spawn(move || handle.sync_data())
        {
            self.running = Some(thread);
            self.since_last = 0;
        }
    }

    /// Waits for a running sync; the first error of any background sync, if there was one.
    pub fn finish(&mut self) -> io::Result<()> {
        self.collect();
        match self.failed.take() {
            Some(err) => Err(err),
            None => Ok(()),
        }
    }

    fn collect(&mut self) {
        let Some(thread) = self.running.take() else {
            return;
        };
        let result = thread
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the background sync stopped")));
        if let Err(err) = result {
            self.failed.get_or_insert(err);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn syncs_start_after_enough_bytes_and_finish_reports_success() {
        let mut file = tempfile::tempfile().unwrap();
        let mut sync = BackgroundSync::default();
        let chunk = vec![b'x'; 1 << 20];
        for _ in 0..7 {
            file.write_all(&chunk).unwrap();
            sync.wrote(chunk.len(), &file);
        }
        assert!(sync.running.is_none(), "7 MiB is below the threshold");
        file.write_all(&chunk).unwrap();
        sync.wrote(chunk.len(), &file);
        assert!(sync.running.is_some(), "8 MiB starts a sync");
        assert_eq!(sync.since_last, 0);
        sync.finish().unwrap();
        assert!(sync.running.is_none());
    }

    #[test]
    fn a_failed_background_sync_is_reported_by_finish() {
        let file = tempfile::tempfile().unwrap();
        let mut sync = BackgroundSync {
            running: Some(std::thread::spawn(|| Err(io::Error::other("EIO")))),
            ..BackgroundSync::default()
        };
        sync.wrote(1, &file);
        let err = sync.finish().unwrap_err();
        assert_eq!(err.to_string(), "EIO");
        assert!(sync.finish().is_ok(), "reported once");
    }
}
