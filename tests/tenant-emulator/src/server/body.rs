//! Response bodies: complete ones, and ones that stop half-way and cut the connection.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use tokio::time::Sleep;

use super::io::ConnKill;

/// Time for the partial body to reach the socket before the connection is cut.
const FLUSH_GRACE: Duration = Duration::from_millis(50);

pub enum EmuBody {
    Full(Option<Bytes>),
    Cut(CutBody),
}

pub struct CutBody {
    first: Option<Bytes>,
    announced_len: u64,
    grace: Option<Pin<Box<Sleep>>>,
    kill: Arc<ConnKill>,
    finished: bool,
}

impl EmuBody {
    pub fn full(bytes: Bytes) -> Self {
        EmuBody::Full((!bytes.is_empty()).then_some(bytes))
    }

    /// Announces `whole.len()` bytes, sends the first half, then resets the connection.
    pub fn cut(whole: Bytes, kill: Arc<ConnKill>) -> Self {
        let half = whole.len() / 2;
        EmuBody::Cut(CutBody {
            announced_len: whole.len() as u64,
            first: Some(whole.slice(..half)),
            grace: None,
            kill,
            finished: false,
        })
    }
}

impl Body for EmuBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        match self.get_mut() {
            EmuBody::Full(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
            EmuBody::Cut(cut) => {
                if let Some(first) = cut.first.take().filter(|b| !b.is_empty()) {
                    return Poll::Ready(Some(Ok(Frame::data(first))));
                }
                if cut.finished {
                    return Poll::Ready(None);
                }
                let grace = cut
                    .grace
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(FLUSH_GRACE)));
                if grace.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                cut.finished = true;
                cut.kill.kill();
                Poll::Ready(Some(Err(io::Error::new(
                    io::ErrorKind::ConnectionReset,
                    "response cut by the emulator's fault plan",
                ))))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            EmuBody::Full(bytes) => bytes.is_none(),
            EmuBody::Cut(cut) => cut.finished,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            EmuBody::Full(bytes) => {
                SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64))
            }
            EmuBody::Cut(cut) => SizeHint::with_exact(cut.announced_len),
        }
    }
}
