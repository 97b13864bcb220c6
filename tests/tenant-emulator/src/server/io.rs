//! A TCP stream the emulator can cut on purpose: when killed, it is closed with SO_LINGER 0,
//! so the peer sees a reset (RST), not an orderly end of stream.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::Notify;

/// Shared between a connection's task, its socket and the response bodies sent on it.
#[derive(Default)]
pub struct ConnKill {
    killed: AtomicBool,
    notify: Notify,
}

impl ConnKill {
    pub fn kill(&self) {
        self.killed.store(true, Ordering::SeqCst);
        self.notify.notify_one();
    }

    pub fn is_killed(&self) -> bool {
        self.killed.load(Ordering::SeqCst)
    }

    pub async fn killed(&self) {
        self.notify.notified().await;
    }
}

pub struct KillableIo {
    inner: TcpStream,
    kill: Arc<ConnKill>,
}

impl KillableIo {
    pub fn new(inner: TcpStream, kill: Arc<ConnKill>) -> Self {
        Self { inner, kill }
    }

    fn killed_error(&self) -> Option<io::Error> {
        self.kill.is_killed().then(|| {
            io::Error::new(
                io::ErrorKind::ConnectionReset,
                "connection reset by the emulator's fault plan",
            )
        })
    }
}

impl Drop for KillableIo {
    fn drop(&mut self) {
        if self.kill.is_killed() {
            // Best effort: without it the peer sees EOF instead of a reset, still a cut body.
            let _ = self.inner.set_zero_linger();
        }
    }
}

impl AsyncRead for KillableIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if let Some(e) = self.killed_error() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for KillableIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if let Some(e) = self.killed_error() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
