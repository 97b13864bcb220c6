//! Listing mobile devices page by page. A producer task fetches ahead (at most two pages
//! buffered) while the consumer works on the current page, so paging latency and local work
//! overlap and memory stays flat whatever the device count.

use futures::StreamExt;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::error::OpError;
use super::log_sink;
use super::session::Session;
use crate::device::MobileDevice;
use crate::exo::{MobileDeviceQuery, Page};

const PAGES_AHEAD: usize = 2;

pub struct DeviceListing {
    pages: mpsc::Receiver<Result<Page<MobileDevice>, OpError>>,
    producer: JoinHandle<()>,
    pages_read: u32,
}

impl DeviceListing {
    pub fn start(session: &Session, query: &MobileDeviceQuery) -> DeviceListing {
        let (tx, rx) = mpsc::channel(PAGES_AHEAD);
        let mut stream = Box::pin(session.exchange.list_mobile_devices::<MobileDevice>(query));
        let sink = log_sink::current();
        let fetch = async move {
            while let Some(page) = stream.next().await {
                let failed = page.is_err();
                if tx.send(page.map_err(OpError::from)).await.is_err() || failed {
                    break;
                }
            }
        };
        let producer = match sink {
            Some(sink) => tokio::spawn(log_sink::scope(sink, fetch)),
            None => tokio::spawn(fetch),
        };
        DeviceListing {
            pages: rx,
            producer,
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

impl Drop for DeviceListing {
    fn drop(&mut self) {
        // Cancelling a listing stops its fetching at once.
        self.producer.abort();
    }
}
