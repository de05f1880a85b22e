//! The accept loop: hyper-util's connection builder (HTTP/1.1) over the router, with the
//! `[http]` limits of issue 8.
//!
//! - At most `http.max_connections` connections are served at once (a semaphore taken before
//!   `accept`); further clients wait in the kernel's accept queue.
//! - Each connection is watched (`Watch`): a request head must arrive whole within
//!   `http.header_read_timeout_ms` of the connection opening or of its first byte (closing
//!   connections that send nothing and half-sent headers, slowloris), and a keep-alive connection
//!   with no request in flight is closed after `http.keep_alive_idle_ms` without traffic. (hyper's
//!   own header-read timer also runs while a connection idles between requests, so it would tie
//!   the two together; it is off, and this watch does both.)
//! - Body-read and whole-request timeouts are tower-http layers, in [`super::http::harden`].
//! - Accept errors (`EMFILE` when out of file descriptors, …) are logged and retried with a
//!   backoff, so a full descriptor table neither spins the CPU nor floods the log.
//! - On shutdown, accepting stops and open connections finish their current request
//!   (hyper-util's graceful shutdown).

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
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
        // The connection's [`Watch`] times request heads and idle connections instead.
        .header_read_timeout(None)
        .keep_alive(settings.keep_alive);
    let limits = WatchLimits {
        header: Duration::from_millis(settings.header_read_timeout_ms.max(1)),
        idle: Duration::from_millis(settings.keep_alive_idle_ms.max(1)),
    };
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
        let watch = Watch::new(limits);
        let service = {
            let watch = watch.clone();
            let app = app.clone();
            tower::service_fn(
                move |mut request: axum::http::Request<hyper::body::Incoming>| {
                    request
                        .extensions_mut()
                        .insert(ConnectInfo::<SocketAddr>(peer));
                    let busy = watch.request();
                    let app = app.clone();
                    async move {
                        let response = tower::ServiceExt::oneshot(app, request).await;
                        drop(busy);
                        response
                    }
                },
            )
        };
        let io = Watched {
            stream,
            watch: watch.clone(),
        };
        let connection = builder
            .serve_connection(TokioIo::new(io), TowerToHyperService::new(service))
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            tokio::pin!(connection);
            loop {
                let deadline = watch.deadline();
                tokio::select! {
                    result = &mut connection => {
                        if let Err(err) = result {
                            tracing::debug!(%peer, cause = %err, "connection closed with an error");
                        }
                        break;
                    }
                    () = watch.changed.notified() => {}
                    () = sleep_until(deadline) => {
                        if let Some(why) = watch.expired() {
                            tracing::debug!(%peer, why, "connection closed");
                            break;
                        }
                    }
                }
            }
            drop(permit);
        });
    }
    graceful
}

/// Sleeps until `deadline`, or for ever without one.
async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at.into()).await,
        None => std::future::pending().await,
    }
}

/// The two per-connection timeouts [`Watch`] enforces.
#[derive(Debug, Clone, Copy)]
struct WatchLimits {
    /// A request head must be complete this long after the connection opened or its first byte.
    header: Duration,
    /// A connection with no request in flight is closed after this long without traffic.
    idle: Duration,
}

/// Where a connection stands, for its two timeouts.
#[derive(Debug)]
enum Phase {
    /// Waiting for a request head that has not started, since then: the first request of a
    /// new connection (`first`), or the next one on a keep-alive connection.
    Waiting { since: Instant, first: bool },
    /// A request head has started arriving.
    Head { since: Instant },
    /// Requests in flight (the request and body timeouts of `server::http::harden` apply).
    Busy { requests: usize },
}

/// One connection's phase, shared by its I/O (bytes read and written) and its service
/// (requests starting and finishing).
#[derive(Debug, Clone)]
struct Watch {
    phase: Arc<Mutex<Phase>>,
    /// Woken when a request starts or ends, so the deadline is taken afresh.
    changed: Arc<tokio::sync::Notify>,
    limits: WatchLimits,
}

impl Watch {
    fn new(limits: WatchLimits) -> Watch {
        Watch {
            phase: Arc::new(Mutex::new(Phase::Waiting {
                since: Instant::now(),
                first: true,
            })),
            changed: Arc::new(tokio::sync::Notify::new()),
            limits,
        }
    }

    fn phase(&self) -> std::sync::MutexGuard<'_, Phase> {
        match self.phase.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Bytes arrived: a waiting connection's next head has started.
    fn read(&self) {
        let mut phase = self.phase();
        if let Phase::Waiting { .. } = *phase {
            *phase = Phase::Head {
                since: Instant::now(),
            };
        }
    }

    /// Bytes were sent: a connection writing the end of a response is not idle.
    fn wrote(&self) {
        let mut phase = self.phase();
        if let Phase::Waiting { first: false, .. } = *phase {
            *phase = Phase::Waiting {
                since: Instant::now(),
                first: false,
            };
        }
    }

    /// [`Watch::wrote`] when a write sent bytes.
    fn wrote_if_any(&self, result: &Poll<io::Result<usize>>) {
        if let Poll::Ready(Ok(n)) = result
            && *n > 0
        {
            self.wrote();
        }
    }

    /// A request reached the service; the connection is busy until the guard drops.
    fn request(&self) -> Busy {
        let mut phase = self.phase();
        *phase = match *phase {
            Phase::Busy { requests } => Phase::Busy {
                requests: requests + 1,
            },
            _ => Phase::Busy { requests: 1 },
        };
        self.changed.notify_one();
        Busy(self.clone())
    }

    /// When the current phase would expire; `None` while busy.
    fn deadline(&self) -> Option<Instant> {
        match *self.phase() {
            Phase::Waiting { since, first: true } | Phase::Head { since } => {
                Some(since + self.limits.header)
            }
            Phase::Waiting {
                since,
                first: false,
            } => Some(since + self.limits.idle),
            Phase::Busy { .. } => None,
        }
    }

    /// Why the connection should close now, if it should.
    fn expired(&self) -> Option<&'static str> {
        let now = Instant::now();
        self.deadline().filter(|at| *at <= now)?;
        Some(match *self.phase() {
            Phase::Waiting { first: false, .. } => "idle keep-alive timeout",
            _ => "request head timeout",
        })
    }
}

/// Marks a request in flight; dropping it (the response is ready) makes the connection wait for
/// its next request.
struct Busy(Watch);

impl Drop for Busy {
    fn drop(&mut self) {
        let mut phase = self.0.phase();
        *phase = match *phase {
            Phase::Busy { requests } if requests > 1 => Phase::Busy {
                requests: requests - 1,
            },
            _ => Phase::Waiting {
                since: Instant::now(),
                first: false,
            },
        };
        drop(phase);
        self.0.changed.notify_one();
    }
}

/// A TCP stream that tells its [`Watch`] about traffic.
struct Watched {
    stream: TcpStream,
    watch: Watch,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.stream).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.watch.read();
        }
        result
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.stream).poll_write(cx, data);
        self.watch.wrote_if_any(&result);
        result
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.stream).poll_write_vectored(cx, bufs);
        self.watch.wrote_if_any(&result);
        result
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}
