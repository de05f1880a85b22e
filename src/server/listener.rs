//! The accept loop: hyper-util's connection builder (HTTP/1.1) over the router, with the
//! `[http]` limits of issue 8.
//!
//! - At most `http.max_connections` connections are served at once (a semaphore taken before
//!   `accept`); further clients wait in the kernel's accept queue.
//! - hyper's header-read timeout (`http.header_read_timeout_ms`) closes a connection that has not
//!   sent a whole request head in time: a new connection that sends nothing, a half-sent header
//!   (slowloris), and an idle keep-alive connection waiting for its next request.
//! - Body-read and whole-request timeouts are tower-http layers, in [`super::http::harden`].
//! - Accept errors (`EMFILE` when out of file descriptors, …) are logged and retried with a
//!   backoff, so a full descriptor table neither spins the CPU nor floods the log.
//! - On shutdown, accepting stops and open connections finish their current request
//!   (hyper-util's graceful shutdown).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use crate::settings::HttpSettings;

/// First wait after a failed `accept`.
const ACCEPT_BACKOFF_START: Duration = Duration::from_millis(10);
/// Longest wait after repeated failures.
const ACCEPT_BACKOFF_MAX: Duration = Duration::from_secs(1);
/// Accept errors are logged at most this often.
const ACCEPT_LOG_EVERY: Duration = Duration::from_secs(10);

/// Serves `app` on `listener` until `shutdown` is cancelled; returns the handle that finishes
/// open connections gracefully.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    settings: &HttpSettings,
    shutdown: CancellationToken,
) -> GracefulShutdown {
    let mut builder = auto::Builder::new(TokioExecutor::new()).http1_only();
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(Duration::from_millis(
            settings.header_read_timeout_ms.max(1),
        ))
        .keep_alive(settings.keep_alive);
    let connections = Arc::new(Semaphore::new(settings.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut backoff = ACCEPT_BACKOFF_START;
    let mut last_logged: Option<Instant> = None;
    let mut failures: u64 = 0;
    loop {
        let permit = tokio::select! {
            () = shutdown.cancelled() => break,
            permit = connections.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_closed) => break,
            },
        };
        let accepted = tokio::select! {
            () = shutdown.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => {
                backoff = ACCEPT_BACKOFF_START;
                accepted
            }
            Err(err) => {
                failures += 1;
                if last_logged.is_none_or(|t| t.elapsed() >= ACCEPT_LOG_EVERY) {
                    tracing::error!(
                        cause = %err,
                        failures,
                        retry_in = ?backoff,
                        "cannot accept connections (out of file descriptors? raise the limit or lower http.max_connections)"
                    );
                    last_logged = Some(Instant::now());
                    failures = 0;
                }
                drop(permit);
                tokio::select! {
                    () = shutdown.cancelled() => break,
                    () = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(ACCEPT_BACKOFF_MAX);
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let service = tower::ServiceExt::map_request(
            app.clone(),
            move |mut request: axum::http::Request<hyper::body::Incoming>| {
                request
                    .extensions_mut()
                    .insert(ConnectInfo::<SocketAddr>(peer));
                request
            },
        );
        let connection = builder
            .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service))
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(err) = connection.await {
                tracing::debug!(%peer, cause = %err, "connection closed with an error");
            }
            drop(permit);
        });
    }
    graceful
}
