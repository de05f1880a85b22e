//! `dealbot serve`: one process hosting the HTTP API and web page, and the chat adapters, under
//! one tokio runtime with shared rate limiting, metrics, logging, reload and shutdown.
//!
//! [`run`] takes its settings, a bound listener and a [`Control`] (shutdown and reload triggers),
//! so tests drive the real server on `127.0.0.1:0`; [`Control::from_signals`] wires SIGINT/SIGTERM
//! and SIGHUP for the binary. Every question from every platform goes through
//! [`AppState::ask`]: rate limit, the bounded answering pool ([`pool`]), metrics, one log line.
//!
//! The listener is served with hyper-util's connection builder ([`listener`]): a connection cap,
//! header-read, body-read and request timeouts, and accept errors logged with backoff.
//! Readiness (`GET /readyz`) follows each configured adapter's [`AdapterStatus`].

pub mod conversations;
pub mod forwarded;
pub mod http;
pub mod limits;
pub mod listener;
pub mod metrics;
pub mod pool;
pub mod report;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::engine::{Answer, Engine, LoadError};
use crate::settings::{LogFormat, Settings};
use limits::{Limited, RateLimits, Refused};
use metrics::{Metrics, PlatformLabels, QuestionLabels, ReasonLabels};
use pool::AnswerPool;

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

/// Where a chat adapter stands, for `/readyz` and `dealbot_adapter_up`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AdapterStatus {
    /// Started, not connected yet.
    Starting,
    /// Connected (or, for webhook-only modes, serving).
    Up,
    /// Lost its connection; retrying.
    Reconnecting,
    /// Stopped for good (a rejected token): needs the operator.
    Down,
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
    /// The answering pool.
    pub pool: AnswerPool,
    adapters: Mutex<BTreeMap<&'static str, AdapterStatus>>,
    /// Conversation contexts of `POST /v1/ask`.
    pub conversations: conversations::Conversations,
}

impl AppState {
    /// State over an already loaded engine.
    pub fn new(settings: Settings, engine: Engine) -> AppState {
        let metrics = Metrics::default();
        metrics.prefill(&[]);
        AppState {
            engine: RwLock::new(Arc::new(engine)),
            data_dir: settings.data_dir.clone(),
            metrics,
            limits: RateLimits::new(&settings.limits),
            pool: AnswerPool::new(&settings.limits),
            conversations: conversations::Conversations::default(),
            settings,
            adapters: Mutex::new(BTreeMap::new()),
        }
    }

    /// Records where adapter `name` stands (and sets `dealbot_adapter_up{platform=name}`).
    pub fn set_adapter(&self, name: &'static str, status: AdapterStatus) {
        let mut adapters = match self.adapters.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        let previous = adapters.insert(name, status);
        drop(adapters);
        self.metrics
            .adapter_up
            .get_or_create(&PlatformLabels {
                platform: name.to_owned(),
            })
            .set(i64::from(status == AdapterStatus::Up));
        if previous != Some(status) {
            tracing::info!(adapter = name, status = ?status, "adapter status");
        }
    }

    /// Every configured adapter's status, by name.
    pub fn adapters(&self) -> BTreeMap<&'static str, AdapterStatus> {
        match self.adapters.lock() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
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

    /// Answers `question` from `user` on `platform`: rate limit, then the engine on the bounded
    /// answering pool, metrics, one log line. Refused when over a rate limit or when the pool is
    /// busy; never waits longer than `limits.answer_deadline_ms` for the engine.
    pub async fn ask(
        &self,
        platform: Platform,
        user: &str,
        question: &str,
    ) -> Result<Answer, Refused> {
        self.ask_in(platform, user, question, None).await
    }

    /// [`AppState::ask`] within a conversation: its context, kept in [`AppState::conversations`]
    /// under the platform, the user and `conversation`, is passed to the engine and updated.
    pub async fn ask_in(
        &self,
        platform: Platform,
        user: &str,
        question: &str,
        conversation: Option<&str>,
    ) -> Result<Answer, Refused> {
        let labels = PlatformLabels {
            platform: platform.as_str().to_owned(),
        };
        let key = format!("{}:{user}", platform.as_str());
        if let Err(refused) = self.limits.check(&key) {
            self.metrics.rate_limited.get_or_create(&labels).inc();
            let logged = match refused.reason {
                Limited::Global => "global",
                _ => key.as_str(),
            };
            if self.limits.should_log(logged) {
                tracing::info!(
                    key = logged,
                    reason = refused.reason.as_str(),
                    retry_after_secs = refused.retry_after_secs,
                    "rate limited (logged once a minute per key)"
                );
            }
            return Err(refused);
        }
        let engine = self.engine();
        let text = question.to_owned();
        let conversation_key = conversation.map(|id| format!("{}:{user}:{id}", platform.as_str()));
        let context = conversation_key
            .as_ref()
            .map(|key| self.conversations.get(key));
        let outcome = self
            .pool
            .run(move || {
                let started = Instant::now();
                let (answer, next) = match context {
                    Some(context) => {
                        let (answer, next) = engine.answer_in(&text, &context);
                        (answer, Some(next))
                    }
                    None => (engine.answer(&text), None),
                };
                (answer, next, started.elapsed())
            })
            .await;
        let (answer, took) = match outcome {
            Ok((answer, next, took)) => {
                if let (Some(key), Some(next)) = (&conversation_key, next) {
                    self.conversations.put(key, next);
                }
                (answer, took)
            }
            Err(busy) => {
                self.metrics.busy.get_or_create(&labels).inc();
                if self.limits.should_log("busy") {
                    tracing::warn!(
                        platform = platform.as_str(),
                        cause = %busy,
                        "question refused: answering pool busy (logged once a minute)"
                    );
                }
                return Err(Refused::new(Limited::Busy, Duration::from_secs(1)));
            }
        };
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
            // The text stays out of logs at every level unless log.questions is on.
            tracing::info!(
                platform = platform.as_str(),
                intent,
                answered = answer.answered,
                latency_us,
                "question"
            );
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
    tracing::info!(settings = %settings.summary(), "starting");
    let engine = load_engine(&settings)?;
    serve(Arc::new(AppState::new(settings, engine)), listener, control).await
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
    let store = crate::store::Store::connect_in_background(&state.settings.store)?;
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
