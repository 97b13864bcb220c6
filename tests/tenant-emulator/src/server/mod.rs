//! The listener: accepts TCP on 127.0.0.1, optionally terminates TLS, serves HTTP/1.1 and
//! HTTP/2 with hyper, and can drop a single connection on purpose.

mod body;
mod handler;
mod io;

use std::sync::Arc;
use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

use crate::fleet::Tenants;
use io::{ConnKill, KillableIo};

const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

pub async fn serve(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    tenants: Arc<Tenants>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut connections = tokio::task::JoinSet::new();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shutdown.changed() => break,
        };
        let Ok((tcp, _peer)) = accepted else {
            // Transient accept errors (e.g. too many open files): keep serving.
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let _ = tcp.set_nodelay(true);
        let kill = Arc::new(ConnKill::default());
        let io = KillableIo::new(tcp, Arc::clone(&kill));
        let state = Arc::clone(&tenants);
        let tls = tls.clone();
        let shutdown = shutdown.clone();
        connections.spawn(async move {
            match tls {
                Some(acceptor) => {
                    if let Ok(Ok(stream)) =
                        tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(io)).await
                    {
                        serve_connection(TokioIo::new(stream), state, kill, shutdown).await;
                    }
                }
                None => serve_connection(TokioIo::new(io), state, kill, shutdown).await,
            }
        });
        // Reap finished connection tasks so the set does not grow without bound.
        while connections.try_join_next().is_some() {}
    }
    connections.abort_all();
}

async fn serve_connection<I>(
    io: I,
    state: Arc<Tenants>,
    kill: Arc<ConnKill>,
    mut shutdown: watch::Receiver<bool>,
) where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let service_kill = Arc::clone(&kill);
    let service = service_fn(move |request| {
        handler::handle(Arc::clone(&state), Arc::clone(&service_kill), request)
    });
    let builder = auto::Builder::new(TokioExecutor::new());
    let connection = builder.serve_connection(io, service);
    tokio::select! {
        _ = connection => {}
        _ = kill.killed() => {}
        _ = shutdown.changed() => {}
    }
}
