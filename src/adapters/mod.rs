//! Chat platform adapters and the supervisor that keeps them running.
//!
//! An adapter turns platform events into questions for [`AppState::ask`] and answers into
//! platform messages; it decides nothing about matching or wording (that is the engine's job).
//! Each runs as a task with the shared state and a shutdown token. A failed adapter is logged and
//! restarted with exponential backoff; it never takes the HTTP side down. Its status for
//! `/readyz` is `starting` until the adapter reports itself up, `reconnecting` after a failure,
//! and `down` once it stopped for good.

use std::sync::Arc;
use std::time::Duration;

use std::future::Future;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{MethodRouter, post};
use futures_util::future::BoxFuture;
use tokio_util::sync::CancellationToken;

use crate::app::{AdapterStatus, AppState};
use crate::settings::Settings;

pub mod discord;
pub mod slack;

/// An adapter error that restarting cannot fix (a rejected token): the supervisor logs it and
/// stops that adapter instead of retrying.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Fatal(pub String);

/// First wait before restarting a failed adapter.
const BACKOFF_START: Duration = Duration::from_secs(1);
/// Longest wait between restarts.
const BACKOFF_MAX: Duration = Duration::from_secs(60);
/// A run that lasted this long resets the backoff.
const HEALTHY_RUN: Duration = Duration::from_secs(60);

/// A `POST` route that hands the shared state, the headers and the raw body (signatures are
/// computed over the exact bytes) to `handler` on `adapter`.
pub fn webhook<A, F, Fut>(adapter: Arc<A>, handler: F) -> MethodRouter<Arc<AppState>>
where
    A: Send + Sync + 'static,
    F: Fn(Arc<A>, Arc<AppState>, HeaderMap, Bytes) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Response> + Send + 'static,
{
    post(
        move |State(state): State<Arc<AppState>>,
              headers: HeaderMap,
              body: Result<Bytes, BytesRejection>| {
            let adapter = adapter.clone();
            let handler = handler.clone();
            async move {
                match body {
                    Ok(body) => handler(adapter, state, headers, body).await,
                    Err(rejection) => body_rejected(&state, &rejection),
                }
            }
        },
    )
}

/// The JSON error for a body that could not be read: too large (413), too slow (408), broken.
fn body_rejected(state: &AppState, rejection: &BytesRejection) -> Response {
    use crate::app::errors::{body_timed_out, error};
    use axum::http::StatusCode;
    if body_timed_out(rejection) {
        state.metrics.reject("timeout");
        return error(
            StatusCode::REQUEST_TIMEOUT,
            "the body took too long to arrive",
        );
    }
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        state.metrics.reject("too_large");
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "the body is larger than {} bytes",
                state.settings.http.max_body_bytes
            ),
        );
    }
    state.metrics.reject("bad_body");
    error(rejection.status(), rejection.body_text())
}

/// The question behind a `/deal` command's text: empty or `help` asks for help, `sources` for
/// the sources; anything else is the question itself. Shared by every platform's command.
pub fn command_question(text: &str) -> &str {
    let text = text.trim();
    if text.is_empty() || text.eq_ignore_ascii_case("help") {
        "help"
    } else if text.eq_ignore_ascii_case("sources") {
        "what are your sources"
    } else {
        text
    }
}

/// A chat platform integration.
pub trait Adapter: Send + Sync + 'static {
    /// Short name for logs (`slack`, `discord`).
    fn name(&self) -> &'static str;

    /// Runs until `shutdown` is cancelled (then returns `Ok`) or the connection fails (`Err`).
    fn run(
        self: Arc<Self>,
        state: Arc<AppState>,
        shutdown: CancellationToken,
    ) -> BoxFuture<'static, anyhow::Result<()>>;

    /// HTTP routes the adapter serves on the shared listener (webhooks), if any.
    fn routes(self: Arc<Self>) -> Option<Router<Arc<AppState>>> {
        None
    }
}

/// The adapters the settings turn on. Logs, for each platform, whether it is on and, when it is
/// off, which keys turn it on.
pub fn configured(settings: &Settings) -> anyhow::Result<Vec<Arc<dyn Adapter>>> {
    let mut adapters: Vec<Arc<dyn Adapter>> = Vec::new();
    let slack = &settings.slack;
    match slack::SlackAdapter::from_settings(slack)? {
        Some(adapter) => {
            let socket = slack.app_token.is_some();
            let http = slack.signing_secret.is_some();
            tracing::info!(
                socket_mode = socket,
                http_events = http,
                "slack: on{}{}",
                if socket { " (Socket Mode)" } else { "" },
                if http {
                    " (HTTP events at /slack/commands, /slack/events, /slack/interactions)"
                } else {
                    ""
                },
            );
            adapters.push(adapter);
        }
        None => tracing::info!(
            "slack: off (set slack.bot_token plus slack.app_token for Socket Mode, or plus slack.signing_secret for HTTP events)"
        ),
    }
    let discord = &settings.discord;
    match discord::DiscordAdapter::from_settings(discord)? {
        Some(adapter) => {
            tracing::info!(
                gateway = discord.token.is_some(),
                http_interactions = discord.public_key.is_some(),
                "discord: on{}{}",
                if discord.token.is_some() {
                    " (gateway)"
                } else {
                    ""
                },
                if discord.public_key.is_some() {
                    " (HTTP interactions at /discord/interactions)"
                } else {
                    ""
                },
            );
            adapters.push(adapter);
        }
        None => tracing::info!(
            "discord: off (set discord.token for the gateway, or discord.public_key for HTTP interactions)"
        ),
    }
    Ok(adapters)
}

/// Runs `adapter` until `shutdown`, restarting it with backoff whenever it fails or stops.
pub async fn supervise(
    adapter: Arc<dyn Adapter>,
    state: Arc<AppState>,
    shutdown: CancellationToken,
) {
    let name = adapter.name();
    let mut backoff = BACKOFF_START;
    loop {
        let started = tokio::time::Instant::now();
        let run = adapter.clone().run(state.clone(), shutdown.child_token());
        let result = tokio::select! {
            result = run => result,
            () = shutdown.cancelled() => return,
        };
        if shutdown.is_cancelled() {
            return;
        }
        if started.elapsed() >= HEALTHY_RUN {
            backoff = BACKOFF_START;
        }
        if let Err(err) = &result
            && let Some(fatal) = err.downcast_ref::<Fatal>()
        {
            state.set_adapter(name, AdapterStatus::Down);
            tracing::error!(adapter = name, cause = %fatal, "adapter stopped for good; the HTTP side keeps serving");
            return;
        }
        state.set_adapter(name, AdapterStatus::Reconnecting);
        match result {
            Ok(()) => {
                tracing::warn!(adapter = name, retry_in = ?backoff, "adapter stopped; restarting")
            }
            Err(err) => {
                tracing::error!(adapter = name, cause = %format!("{err:#}"), retry_in = ?backoff, "adapter failed; restarting")
            }
        }
        state
            .metrics
            .adapter_restarts
            .get_or_create(&crate::app::metrics::AdapterLabels {
                adapter: name.to_owned(),
            })
            .inc();
        tokio::select! {
            () = tokio::time::sleep(backoff) => {}
            () = shutdown.cancelled() => return,
        }
        backoff = (backoff * 2).min(BACKOFF_MAX);
    }
}
