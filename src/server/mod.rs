//! `dealbot serve`: one process hosting the HTTP API and web page, and the chat adapters, under
//! one tokio runtime with shared rate limiting, metrics, logging, reload and shutdown.
//!
//! [`run`] takes its settings, a bound listener and a [`Control`] (shutdown and reload triggers),
//! so tests drive the real server on `127.0.0.1:0`; [`Control::from_signals`] wires SIGINT/SIGTERM
//! and SIGHUP for the binary. The state every front end shares, and the one way questions reach
//! the engine ([`AppState::answer`]), live in [`crate::app`].
//!
//! The listener is served with hyper-util's connection builder ([`listener`]): a connection cap,
//! header-read, body-read and request timeouts, and accept errors logged with backoff.
//! Readiness (`GET /readyz`) follows each configured adapter's [`AdapterStatus`], and reports the
//! store's health.

pub mod forwarded;
pub mod http;
pub mod listener;
pub mod report;

use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::app::{AdapterStatus, AppState};
use crate::engine::{Engine, LoadError};
use crate::settings::{LogFormat, Settings};

/// Triggers for a running server.
#[derive(Debug, Clone, Default)]
pub struct Control {
    /// Cancel to shut down: stop accepting, finish in-flight requests, stop adapters.
    pub shutdown: CancellationToken,
    /// Notify to reload the data directory.
    pub reload: Arc<Notify>,
}

impl Control {
    /// A control wired to SIGINT/SIGTERM (shutdown) and SIGHUP (reload).
    pub fn from_signals() -> std::io::Result<Control> {
        use tokio::signal::unix::{SignalKind, signal};
        let control = Control::default();
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        let mut hangup = signal(SignalKind::hangup())?;
        let shutdown = control.shutdown.clone();
        let reload = control.reload.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = interrupt.recv() => break,
                    _ = terminate.recv() => break,
                    _ = hangup.recv() => {
                        tracing::info!("SIGHUP: reloading data");
                        reload.notify_one();
                    }
                }
            }
            tracing::info!("shutting down");
            shutdown.cancel();
        });
        Ok(control)
    }
}

/// Loads the engine for `settings` (its `data_dir`, else the bundled data).
pub fn load_engine(settings: &Settings) -> Result<Engine, LoadError> {
    Engine::load(settings.data_dir.as_deref())
}

/// Serves until `control.shutdown` is cancelled: the HTTP side on `listener`, the configured
/// adapters as supervised tasks. Returns once in-flight requests finished (or the grace period
/// ran out) and adapters stopped.
pub async fn run(
    settings: Settings,
    listener: TcpListener,
    control: Control,
) -> anyhow::Result<()> {
    tracing::info!(settings = %settings.summary(), "starting");
    let engine = load_engine(&settings)?;
    let state = AppState::new(settings, engine)?;
    serve(Arc::new(state), listener, control).await
}

/// As [`run`], over state built by the caller (tests keep a handle on it).
pub async fn serve(
    state: Arc<AppState>,
    listener: TcpListener,
    control: Control,
) -> anyhow::Result<()> {
    let adapters = crate::adapters::configured(&state.settings)?;
    let grace = Duration::from_secs(state.settings.http.shutdown_grace_secs);
    let names: Vec<&'static str> = adapters.iter().map(|a| a.name()).collect();
    state.metrics.prefill(&names);
    for name in names {
        state.set_adapter(name, AdapterStatus::Starting);
    }
    // The store is reached in the background: an unreachable one never stops answering.
    let store = state.store.clone();
    let report_routes = report::router(store.clone(), state.settings.http.admin_token.as_ref());
    let retention_days = state.settings.store.retention_days;

    let mut router = http::router(state.clone()).merge(report_routes);
    for adapter in &adapters {
        if let Some(routes) = adapter.clone().routes() {
            router = router.merge(routes.with_state(state.clone()));
        }
    }
    let router = http::harden(router, state.clone());
    let mut tasks = tokio::task::JoinSet::new();
    tasks.spawn(crate::store::purge_loop(
        store.clone(),
        retention_days,
        control.shutdown.clone(),
    ));
    for adapter in adapters {
        tracing::info!(adapter = adapter.name(), "adapter on");
        tasks.spawn(crate::adapters::supervise(
            adapter,
            state.clone(),
            control.shutdown.clone(),
        ));
    }
    {
        let state = state.clone();
        let shutdown = control.shutdown.clone();
        let reload = control.reload.clone();
        tasks.spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            loop {
                tokio::select! {
                    () = shutdown.cancelled() => return,
                    () = reload.notified() => {
                        let state = state.clone();
                        // Loading reads files and validates: keep it off the async workers.
                        let _ = tokio::task::spawn_blocking(move || state.reload()).await;
                    }
                    _ = tick.tick() => state.limits.shrink(),
                }
            }
        });
    }

    let addr = listener.local_addr()?;
    tracing::info!(
        %addr,
        answer_threads = state.pool.size(),
        "serving HTTP: / (web page), /v1/ask, /healthz, /readyz, /metrics"
    );
    let http_settings = state.settings.http.clone();
    let graceful =
        listener::serve(listener, router, &http_settings, control.shutdown.clone()).await;
    if tokio::time::timeout(grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(?grace, "in-flight requests did not finish in time");
    }
    if tokio::time::timeout(grace, async { while tasks.join_next().await.is_some() {} })
        .await
        .is_err()
    {
        tracing::warn!("adapters did not stop in time");
        tasks.abort_all();
    }
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Sets up `tracing` from the log settings; the filter comes from `RUST_LOG` (default `info`).
pub fn init_tracing(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // Colours only on a terminal (and never with NO_COLOR): files and collectors get plain text.
    let ansi = crate::logging::color(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    // A closed or failing stderr costs log lines only (see `crate::logging`).
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .log_internal_errors(false)
        .with_writer(crate::logging::lossy_stderr);
    let result = match format {
        LogFormat::Pretty => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
    if let Err(err) = result {
        let message = format!("logging already set up: {err}\n");
        let _ = std::io::Write::write_all(&mut std::io::stderr(), message.as_bytes());
    }
}
