//! Listing mobile devices page by page, in three overlapped stages so that the sequential
//! paging (each page names the next) runs at the speed of the service alone:
//!
//! 1. fetch: puts the next request on the wire as soon as the current body is in (its link is
//!    read off the body's end, see `exo::next_link`); it never parses;
//! 2. parse: turns bodies into typed devices (re-fetching a body that turns out malformed);
//! 3. the consumer (CSV writer, pipeline) takes parsed pages from [`DeviceListing::next_page`].
//!
//! Each stage hands over through a small bounded channel, so a slow consumer stops the fetching
//! after a few pages (1 + PAGES_AHEAD + BODIES_AHEAD = 4 in all) and memory stays flat whatever
//! the device count.

use futures::StreamExt;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::error::OpError;
use super::log_sink;
use super::session::Session;
use crate::device::MobileDevice;
use crate::exo::{ExoError, MobileDeviceQuery, Page, PageBody};

/// Bodies fetched (or being fetched) and not yet taken by the parser, about 2 MB each at 1000
/// devices. One is enough: parsing a page takes a fraction of fetching one (measured A/B on the
/// same emulator: 2 bodies ahead made the export 5–10% slower than 1, whatever PAGES_AHEAD).
const BODIES_AHEAD: usize = 1;
/// Parsed pages (or being parsed) waiting for the consumer, which may be slow (a pipeline).
const PAGES_AHEAD: usize = 2;

pub struct DeviceListing {
    pages: mpsc::Receiver<Result<Page<MobileDevice>, OpError>>,
    stages: [JoinHandle<()>; 2],
    pages_read: u32,
}

impl DeviceListing {
    pub fn start(session: &Session, query: &MobileDeviceQuery) -> DeviceListing {
        let (body_tx, mut body_rx) = mpsc::channel::<Result<PageBody, ExoError>>(BODIES_AHEAD);
        let (page_tx, page_rx) = mpsc::channel(PAGES_AHEAD);
        let exchange = session.exchange.clone();
        let mut bodies = Box::pin(exchange.list_mobile_device_bodies(query));
        // Each stage takes a free slot downstream BEFORE it starts on the next item, so nothing
        // is fetched or parsed that has nowhere to go: at most 1 page at the consumer,
        // PAGES_AHEAD parsed (or being parsed) and BODIES_AHEAD fetched (or being fetched).
        let fetch = async move {
            while let Ok(slot) = body_tx.reserve().await {
                let Some(body) = bodies.next().await else {
                    break;
                };
                let failed = body.is_err();
                slot.send(body);
                if failed {
                    break;
                }
            }
        };
        let parse = async move {
            while let Ok(slot) = page_tx.reserve().await {
                let Some(body) = body_rx.recv().await else {
                    break;
                };
                let page = match body {
                    Ok(body) => exchange.parse_page_body::<MobileDevice>(body).await,
                    Err(e) => Err(e),
                };
                let failed = page.is_err();
                slot.send(page.map_err(OpError::from));
                if failed {
                    break;
                }
            }
        };
        DeviceListing {
            pages: page_rx,
            stages: [spawn_logged(fetch), spawn_logged(parse)],
            pages_read: 0,
        }
    }

    /// The next page, `None` after the last one.
    pub async fn next_page(&mut self) -> Option<Result<Page<MobileDevice>, OpError>> {
        let page = self.pages.recv().await;
        if matches!(page, Some(Ok(_))) {
            self.pages_read += 1;
        }
        page
    }

    pub fn pages_read(&self) -> u32 {
        self.pages_read
    }
}

/// Spawns a stage that logs to the caller's sink (the sink is task-local).
fn spawn_logged(stage: impl Future<Output = ()> + Send + 'static) -> JoinHandle<()> {
    match log_sink::current() {
        Some(sink) => tokio::spawn(log_sink::scope(sink, stage)),
        None => tokio::spawn(stage),
    }
}

impl Drop for DeviceListing {
    fn drop(&mut self) {
        // Cancelling a listing stops its fetching and parsing at once.
        for stage in &self.stages {
            stage.abort();
        }
    }
}
