//! `dealbot serve`: one process hosting the HTTP API and web page, and the chat adapters, under
//! one tokio runtime with shared rate limiting, metrics, logging, reload and shutdown.
//!
//! [`run`] takes its settings, a bound listener and a [`Control`] (shutdown and reload triggers),
//! so tests drive the real server on `127.0.0.1:0`; [`Control::from_signals`] wires SIGINT/SIGTERM
//! and SIGHUP for the binary. Every question from every platform goes through
//! [`AppState::ask`]: rate limit, engine, metrics, one log line.

pub mod conversations;
pub mod http;
pub mod limits;
pub mod metrics;

use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::engine::{Answer, Engine, LoadError};
use crate::settings::{LogFormat, Settings};
use limits::{Limited, RateLimits};
use metrics::{Metrics, PlatformLabels, QuestionLabels, ReasonLabels};

/// Where a question came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    /// `POST /v1/ask` and the web page.
    Http,
    /// Slack.
    Slack,
    /// Discord.
    Discord,
}

impl Platform {
    /// Label for logs and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Http => "http",
            Platform::Slack => "slack",
            Platform::Discord => "discord",
        }
    }
}

/// State shared by the HTTP handlers and every adapter; cheap to clone behind an `Arc`.
#[derive(Debug)]
pub struct AppState {
    engine: RwLock<Arc<Engine>>,
    data_dir: Option<PathBuf>,
    /// Settings the process started with.
    pub settings: Settings,
    /// Metrics.
    pub metrics: Metrics,
    /// Rate limits.
    pub limits: RateLimits,
    /// Conversation contexts of `POST /v1/ask`.
    pub conversations: conversations::Conversations,
}

impl AppState {
    /// State over an already loaded engine.
    pub fn new(settings: Settings, engine: Engine) -> AppState {
        AppState {
            engine: RwLock::new(Arc::new(engine)),
            data_dir: settings.data_dir.clone(),
            metrics: Metrics::default(),
            limits: RateLimits::new(&settings.limits),
            conversations: conversations::Conversations::default(),
            settings,
        }
    }

    /// The engine serving now.
    pub fn engine(&self) -> Arc<Engine> {
        match self.engine.read() {
            Ok(engine) => engine.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Reloads the data directory. A set that fails validation is rejected and the current one
    /// keeps serving; a good set is swapped in atomically (requests in flight keep the old one).
    pub fn reload(&self) -> Result<(), LoadError> {
        let started = Instant::now();
        let outcome = Engine::load(self.data_dir.as_deref());
        let label = |reason: &str| ReasonLabels {
            reason: reason.to_owned(),
        };
        match outcome {
            Ok(engine) => {
                let engine = Arc::new(engine);
                match self.engine.write() {
                    Ok(mut slot) => *slot = engine,
                    Err(poisoned) => *poisoned.into_inner() = engine,
                }
                self.metrics.reloads.get_or_create(&label("ok")).inc();
                tracing::info!(took = ?started.elapsed(), "data reloaded");
                Ok(())
            }
            Err(err) => {
                self.metrics.reloads.get_or_create(&label("rejected")).inc();
                for e in &err.errors {
                    tracing::error!(error = %e, "reload rejected");
                }
                tracing::error!(
                    errors = err.errors.len(),
                    "reload rejected: the data failed validation; still serving the previous set"
                );
                Err(err)
            }
        }
    }

    /// Answers `question` from `user` on `platform`: rate limit, engine, metrics, one log line.
    pub fn ask(&self, platform: Platform, user: &str, question: &str) -> Result<Answer, Limited> {
        self.ask_in(platform, user, question, None)
    }

    /// [`AppState::ask`] within a conversation: its context, kept in [`AppState::conversations`]
    /// under the platform, the user and `conversation`, is passed to the engine and updated.
    pub fn ask_in(
        &self,
        platform: Platform,
        user: &str,
        question: &str,
        conversation: Option<&str>,
    ) -> Result<Answer, Limited> {
        let labels = PlatformLabels {
            platform: platform.as_str().to_owned(),
        };
        if let Err(limited) = self.limits.check(&format!("{}:{user}", platform.as_str())) {
            self.metrics.rate_limited.get_or_create(&labels).inc();
            tracing::info!(platform = platform.as_str(), ?limited, "rate limited");
            return Err(limited);
        }
        let started = Instant::now();
        let answer = match conversation {
            Some(id) => {
                let key = format!("{}:{user}:{id}", platform.as_str());
                let context = self.conversations.get(&key);
                let (answer, next) = self.engine().answer_in(question, &context);
                self.conversations.put(&key, next);
                answer
            }
            None => self.engine().answer(question),
        };
        let took = started.elapsed();
        self.metrics
            .latency
            .get_or_create(&labels)
            .observe(took.as_secs_f64());
        self.metrics
            .questions
            .get_or_create(&QuestionLabels {
                platform: labels.platform.clone(),
                intent: answer.intent.clone().unwrap_or_else(|| "none".to_owned()),
                answered: answer.answered.to_string(),
            })
            .inc();
        let intent = answer.intent.as_deref().unwrap_or("none");
        let latency_us = took.as_micros() as u64;
        if self.settings.log.questions {
            tracing::info!(
                platform = platform.as_str(),
                intent,
                answered = answer.answered,
                latency_us,
                question,
                "question"
            );
        } else {
            tracing::info!(
                platform = platform.as_str(),
                intent,
                answered = answer.answered,
                latency_us,
                "question"
            );
            tracing::debug!(question, "question text");
        }
        Ok(answer)
    }
}

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
    tracing::info!(?settings, "starting");
    let engine = load_engine(&settings)?;
    let adapters = crate::adapters::configured(&settings)?;
    let grace = Duration::from_secs(settings.http.shutdown_grace_secs);
    let state = Arc::new(AppState::new(settings, engine));

    let mut router = http::router(state.clone());
    for adapter in &adapters {
        if let Some(routes) = adapter.clone().routes() {
            router = router.merge(routes.with_state(state.clone()));
        }
    }
    let mut tasks = tokio::task::JoinSet::new();
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
    tracing::info!(%addr, "serving HTTP: / (web page), /v1/ask, /healthz, /metrics");
    let shutdown = control.shutdown.clone();
    let server = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async move { shutdown.cancelled().await });
    let server = tokio::spawn(async move { server.await });

    control.shutdown.cancelled().await;
    match tokio::time::timeout(grace, server).await {
        Ok(Ok(Ok(()))) => {}
        Ok(Ok(Err(err))) => tracing::error!(cause = %err, "HTTP server error"),
        Ok(Err(err)) => tracing::error!(cause = %err, "HTTP server task failed"),
        Err(_) => tracing::warn!(?grace, "in-flight requests did not finish in time"),
    }
    if tokio::time::timeout(grace, async { while tasks.join_next().await.is_some() {} })
        .await
        .is_err()
    {
        tracing::warn!("adapters did not stop in time");
        tasks.abort_all();
    }
    tracing::info!("stopped");
    Ok(())
}

/// Sets up `tracing` from the log settings; the filter comes from `RUST_LOG` (default `info`).
pub fn init_tracing(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // Colours only on a terminal: log files and collectors get plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr);
    let result = match format {
        LogFormat::Pretty => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
    if let Err(err) = result {
        eprintln!("logging already set up: {err}");
    }
}
