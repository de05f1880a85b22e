//! Slack: the `/deal` slash command, mentions (answered in thread), DMs, thread follow-ups and
//! newsroom channels, over Socket Mode and/or the HTTP Events API on the shared listener.
//!
//! Payloads are slack-morphism's types in both modes: HTTP events are parsed into
//! `SlackPushEvent`, interactions into `SlackInteractionEvent`, slash replies are a
//! `SlackCommandEventResponse`, and the renderer builds its Block Kit types.
//!
//! Socket Mode (with `slack.app_token`): slack-morphism's listener opens the connection with
//! `apps.connections.open`, acknowledges envelopes (slash replies go in the acknowledgement) and
//! reconnects on drop; the adapter is `up` on each `hello` and `reconnecting` after a WebSocket
//! error. HTTP (with `slack.signing_secret`):
//! `POST /slack/commands`, `POST /slack/events`, `POST /slack/interactions`. Every
//! request is verified with slack-morphism's signature verifier (HMAC-SHA256 over `v0:ts:body`,
//! constant-time, 5-minute window); a missing, wrong or stale signature gets 401 and is not
//! processed. Slash commands are answered inline in the HTTP response; events are acknowledged
//! at once and answered with `chat.postMessage`.
//!
//! Every question goes through [`AppState::answer`] with its channel and conversation (a thread:
//! `team:channel:thread_ts`; a DM: `user:channel`), and every answer carries 👍 / 👎 buttons
//! tied to its stored id; a click is stored once per user per answer and acknowledged
//! ephemerally, a 👎 with suggestions. A reply in a thread the bot answered in and the next DM
//! are follow-ups, answered with context. In `slack.channels`, a top-level question is answered
//! in its thread without a mention, only when `channel_min_confidence` is met.
//!
//! Retried and duplicate events are answered once, across replicas sharing a store
//! ([`AppState::claim`]): keyed by `event_id`, or by a SHA-256 of the body for an event without
//! one; so are replayed interactions (by `trigger_id`, the action's id and its `action_ts`).
//! Messages from bots, this one included, and edits are never answered. A refused question
//! (rate limit, busy) gets a short ephemeral note for the asker only (`chat.postEphemeral`, or
//! an ephemeral `response_url` message); in a newsroom channel, silence. Question text is never
//! logged here. Formatting lives in [`crate::render::slack`].

use std::sync::Arc;

use anyhow::Context;
use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::future::BoxFuture;
use secrecy::ExposeSecret;
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;
use slack_morphism::signature_verifier::SlackEventSignatureVerifier;
use tokio_util::sync::CancellationToken;

use super::{Adapter, webhook};
use crate::app::{AdapterStatus, AppState, Asker, Platform};
use crate::engine::question;
use crate::render::slack::{
    self as render, FEEDBACK_DOWN, FEEDBACK_UP, SHARE_ACTION, SOURCES_ACTION, SUGGEST_ACTION,
    SlackMessage,
};
use crate::settings::{SlackSettings, SlashResponse};
use crate::store::{FeedbackOutcome, Vote};

type Client = SlackClient<SlackClientHyperHttpsConnector>;

/// The Slack adapter.
pub struct SlackAdapter {
    client: Arc<Client>,
    bot_token: SlackApiToken,
    app_token: Option<SlackApiToken>,
    verifier: Option<SlackEventSignatureVerifier>,
    slash: SlashResponse,
}

impl std::fmt::Debug for SlackAdapter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SlackAdapter")
            .field("http_events", &self.verifier.is_some())
            .field("socket_mode", &self.app_token.is_some())
            .field("slash", &self.slash)
            .finish_non_exhaustive()
    }
}

impl SlackAdapter {
    /// The adapter the settings ask for: Socket Mode with `app_token`, HTTP events with
    /// `signing_secret` (both may be on); `None` without `bot_token` or either of those.
    pub fn from_settings(settings: &SlackSettings) -> anyhow::Result<Option<Arc<SlackAdapter>>> {
        let Some(bot_token) = &settings.bot_token else {
            return Ok(None);
        };
        if settings.app_token.is_none() && settings.signing_secret.is_none() {
            return Ok(None);
        }
        // The default connector is HTTPS-only; an explicit http:// API URL (a loopback fake or a
        // local proxy) needs one that also speaks plain HTTP.
        let allow_http = settings
            .api_url
            .as_deref()
            .is_some_and(|u| u.starts_with("http://"));
        let builder = hyper_rustls::HttpsConnectorBuilder::new()
            .with_native_roots()
            .context("cannot load the system's TLS root certificates")?;
        let https = if allow_http {
            builder.https_or_http().enable_http1().build()
        } else {
            builder.https_only().enable_http1().build()
        };
        let mut connector = SlackClientHyperConnector::with_connector(https)
            .with_rate_control(SlackApiRateControlConfig::new().with_max_retries(3));
        if let Some(url) = &settings.api_url {
            connector = connector.with_slack_api_url(url.trim_end_matches('/'));
        }
        Ok(Some(Arc::new(SlackAdapter {
            client: Arc::new(SlackClient::new(connector)),
            bot_token: SlackApiToken::new(bot_token.expose_secret().into()),
            app_token: settings
                .app_token
                .as_ref()
                .map(|t| SlackApiToken::new(t.expose_secret().into())),
            verifier: settings.signing_secret.as_ref().map(|secret| {
                SlackEventSignatureVerifier::new(&SlackSigningSecret::new(
                    secret.expose_secret().into(),
                ))
            }),
            slash: settings.slash_response,
        })))
    }

    /// Checks the request signature; `Err` names why it failed.
    fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), &'static str> {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let Some(verifier) = &self.verifier else {
            return Err("slack_not_configured");
        };
        let (Some(signature), Some(timestamp)) = (
            header(SlackEventSignatureVerifier::SLACK_SIGNED_HASH_HEADER),
            header(SlackEventSignatureVerifier::SLACK_SIGNED_TIMESTAMP),
        ) else {
            return Err("slack_missing_signature");
        };
        let body = std::str::from_utf8(body).map_err(|_| "slack_bad_signature")?;
        verifier
            .verify(signature, body, timestamp)
            .map_err(|_| "slack_bad_signature")
    }

    /// Verifies a request and parses its body with `parse`. `Err` is the response to send, already
    /// counted and logged: 401 for a missing, wrong or stale signature (the body is not looked
    /// at), 400 with `malformed.1` (metric reason `malformed.0`) when `parse` rejects the body.
    fn accept<T>(
        &self,
        state: &AppState,
        headers: &HeaderMap,
        body: &[u8],
        malformed: (&'static str, &'static str),
        parse: impl FnOnce(&[u8]) -> Option<T>,
    ) -> Result<T, Box<Response>> {
        if let Err(reason) = self.verify(headers, body) {
            state.metrics.reject(reason);
            tracing::warn!(reason, "slack request rejected");
            let response =
                crate::app::errors::error(StatusCode::UNAUTHORIZED, "invalid request signature");
            return Err(Box::new(response));
        }
        parse(body).ok_or_else(|| {
            state.metrics.reject(malformed.0);
            Box::new(crate::app::errors::error(
                StatusCode::BAD_REQUEST,
                malformed.1,
            ))
        })
    }

    /// The answer to `question` from `asker`, rendered with feedback buttons for its stored id,
    /// and whether the channel-mode bar is met (answered, and at least `channel_min_confidence`
    /// sure); or (`Err`) the note for a refused question.
    async fn answer(
        &self,
        state: &AppState,
        asker: Asker<'_>,
        question: &str,
        share: bool,
    ) -> Result<(SlackMessage, bool), SlackMessage> {
        match state.answer(asker, question).await {
            Ok(reply) => {
                let answer = &reply.answer;
                let message = render::render(answer, &state.engine(), share);
                let confident = state.posts_unprompted(answer);
                Ok((
                    render::with_feedback(message, &reply.id, &answer.question),
                    confident,
                ))
            }
            Err(refused) => Err(render::notice(refused.message())),
        }
    }

    async fn commands(
        self: Arc<Self>,
        state: Arc<AppState>,
        headers: HeaderMap,
        body: Bytes,
    ) -> Response {
        let parse = |b: &[u8]| serde_urlencoded::from_bytes::<CommandForm>(b).ok();
        let malformed = ("slack_bad_command", "malformed slash command");
        let command = match self.accept(&state, &headers, &body, malformed, parse) {
            Ok(command) => command,
            Err(response) => return *response,
        };
        let (message, ephemeral) = self
            .command_reply(
                &state,
                &command.user_id,
                command.channel_id.as_deref(),
                &command.text,
            )
            .await;
        axum::Json(command_response(&message, ephemeral)).into_response()
    }

    /// The reply to `/deal text`, and whether it is ephemeral (always, for a refusal).
    async fn command_reply(
        &self,
        state: &AppState,
        user: &str,
        channel: Option<&str>,
        text: &str,
    ) -> (SlackMessage, bool) {
        let ephemeral = self.slash == SlashResponse::Ephemeral;
        let question = super::command_question(text);
        let asker = Asker::new(Platform::Slack, user).in_channel(channel);
        match self.answer(state, asker, question, ephemeral).await {
            Ok((message, _)) => (message, ephemeral),
            Err(notice) => (notice, true),
        }
    }

    async fn events(
        self: Arc<Self>,
        state: Arc<AppState>,
        headers: HeaderMap,
        body: Bytes,
    ) -> Response {
        let parse = |b: &[u8]| serde_json::from_slice::<Value>(b).ok();
        let malformed = ("slack_bad_event", "malformed event");
        let mut raw = match self.accept(&state, &headers, &body, malformed, parse) {
            Ok(raw) => raw,
            Err(response) => return *response,
        };
        // An event without an id of its own is keyed by its content, so that two different
        // ones never share a key (and a retry of one is still answered once).
        let id = match raw["event_id"].as_str() {
            Some(id) if !id.is_empty() => id.to_owned(),
            _ => content_key(&body),
        };
        if raw["type"] == "event_callback" && raw.get("event_id").is_none_or(|v| v != id.as_str()) {
            raw["event_id"] = Value::String(id.clone());
        }
        // slack-morphism's model of app_mention has no `bot_id`: read it from the raw event.
        let from_bot = ["bot_id", "bot_profile"]
            .iter()
            .any(|k| raw["event"].get(*k).is_some_and(|v| !v.is_null()));
        let push = match serde_json::from_value::<SlackPushEvent>(raw) {
            Ok(push) => push,
            Err(_) => {
                state.metrics.reject(malformed.0);
                return crate::app::errors::error(StatusCode::BAD_REQUEST, malformed.1);
            }
        };
        match push {
            SlackPushEvent::UrlVerification(verification) => {
                axum::Json(json!({ "challenge": verification.challenge })).into_response()
            }
            SlackPushEvent::EventCallback(callback) => {
                // Acknowledge now; claim (shared by replicas) and answer in the background.
                tokio::spawn(async move {
                    if state.claim(&format!("slack:event:{id}")).await {
                        self.event(&state, &callback, from_bot).await;
                    } else {
                        tracing::debug!(event_id = id, "duplicate slack event ignored");
                    }
                });
                StatusCode::OK.into_response()
            }
            SlackPushEvent::AppRateLimited(_) => {
                tracing::warn!("slack: events are being rate limited for this app");
                StatusCode::OK.into_response()
            }
        }
    }

    /// Answers a mention (in its thread), a direct message (with the DM's context), a reply in
    /// a thread the bot answered in (with the thread's context) and, in a newsroom channel
    /// (`slack.channels`), a top-level question (in its thread, only when confident). Messages
    /// from bots, this one included, edits, joins and other subtypes are never answered.
    async fn event(&self, state: &AppState, callback: &SlackPushEventCallback, from_bot: bool) {
        if from_bot {
            return;
        }
        let team = callback.team_id.to_string();
        let incoming = match &callback.event {
            SlackEventCallbackBody::AppMention(mention) => {
                let ts = mention.origin.ts.to_string();
                let thread = mention
                    .origin
                    .thread_ts
                    .as_ref()
                    .map_or(ts, |t| t.to_string());
                let channel = mention.channel.to_string();
                Incoming {
                    key: format!("{team}:{channel}:{thread}"),
                    channel,
                    user: mention.user.to_string(),
                    thread: Some(thread),
                    text: mention.content.text.clone().unwrap_or_default(),
                    mode: Mode::Addressed,
                }
            }
            SlackEventCallbackBody::Message(message) => {
                match self.message(state, &team, callback, message).await {
                    Some(incoming) => incoming,
                    None => return,
                }
            }
            _ => return,
        };
        self.reply(state, incoming).await;
    }

    /// What to do with a message event (`message.im`, `message.channels`, `message.groups`):
    /// `None` when it is not for the bot.
    async fn message(
        &self,
        state: &AppState,
        team: &str,
        callback: &SlackPushEventCallback,
        message: &SlackMessageEvent,
    ) -> Option<Incoming> {
        if message.subtype.is_some()
            || message.sender.bot_id.is_some()
            || message.sender.bot_profile.is_some()
        {
            return None;
        }
        let channel = message.origin.channel.as_ref()?.to_string();
        let user = message.sender.user.as_ref()?.to_string();
        let bots = bot_users(callback);
        if bots.contains(&user) {
            return None;
        }
        let text = message
            .content
            .as_ref()
            .and_then(|c| c.text.clone())
            .unwrap_or_default();
        let ts = message.origin.ts.to_string();
        let thread = message
            .origin
            .thread_ts
            .as_ref()
            .map(|t| t.to_string())
            .filter(|t| *t != ts);
        if message.origin.channel_type.as_ref().map(|t| t.0.as_str()) == Some("im") {
            return Some(Incoming {
                key: format!("{user}:{channel}"),
                channel,
                user,
                thread,
                text,
                mode: Mode::Addressed,
            });
        }
        // In a channel, a mention of the bot arrives as `app_mention` too: answered there.
        if mentions_any(&text, &bots) {
            return None;
        }
        if let Some(thread) = thread {
            let key = format!("{team}:{channel}:{thread}");
            if !state.has_conversation(Platform::Slack, &key).await {
                return None;
            }
            return Some(Incoming {
                key,
                channel,
                user,
                thread: Some(thread),
                text,
                mode: Mode::FollowUp,
            });
        }
        if !state.settings.slack.channels.contains(&channel) || !is_question(&text) {
            return None;
        }
        Some(Incoming {
            key: format!("{team}:{channel}:{ts}"),
            channel,
            user,
            thread: Some(ts),
            text,
            mode: Mode::Channel,
        })
    }

    /// Answers `incoming` as its mode asks: an addressed question always (a refusal as an
    /// ephemeral note), a thread follow-up when it is answered or is a question, a newsroom
    /// channel question only when confident (otherwise, and when refused, silence).
    async fn reply(&self, state: &AppState, incoming: Incoming) {
        let Incoming {
            key,
            channel,
            user,
            thread,
            text,
            mode,
        } = incoming;
        let asker = Asker::new(Platform::Slack, &user)
            .in_channel(Some(&channel))
            .in_conversation(Some(&key))
            .unprompted(mode == Mode::Channel);
        let result = match self.answer(state, asker, &text, false).await {
            Ok((message, confident)) => {
                let post = match mode {
                    Mode::Addressed => true,
                    Mode::FollowUp => confident || is_question(&text),
                    Mode::Channel => confident,
                };
                if !post {
                    tracing::debug!(channel, mode = ?mode, "slack: not confident enough to answer unaddressed");
                    return;
                }
                self.post(&channel, thread.as_deref(), &message).await
            }
            Err(notice) => {
                if mode == Mode::Channel {
                    return;
                }
                self.post_ephemeral(&channel, &user, thread.as_deref(), &notice)
                    .await
            }
        };
        if let Err(err) = result {
            tracing::error!(channel, cause = %format!("{err:#}"), "cannot post slack reply");
        }
    }

    async fn interactions(
        self: Arc<Self>,
        state: Arc<AppState>,
        headers: HeaderMap,
        body: Bytes,
    ) -> Response {
        let parse = |b: &[u8]| {
            serde_urlencoded::from_bytes::<InteractionForm>(b)
                .ok()
                .and_then(|form| serde_json::from_str::<SlackInteractionEvent>(&form.payload).ok())
        };
        let malformed = ("slack_bad_interaction", "malformed interaction");
        let payload = match self.accept(&state, &headers, &body, malformed, parse) {
            Ok(payload) => payload,
            Err(response) => return *response,
        };
        tokio::spawn(async move { self.interaction(&state, &payload).await });
        StatusCode::OK.into_response()
    }

    /// A button click: "Share in channel" posts the answer publicly, a suggestion replaces the
    /// reply it sits in with the answer. A replayed click is answered once.
    async fn interaction(&self, state: &AppState, event: &SlackInteractionEvent) {
        let SlackInteractionEvent::BlockActions(click) = event else {
            return;
        };
        let Some(action) = click.actions.as_ref().and_then(|a| a.first()) else {
            return;
        };
        let Some(value) = action.value.as_deref() else {
            return;
        };
        let action_id = action.action_id.to_string();
        let key = format!(
            "interaction:{}:{action_id}:{}",
            click.trigger_id,
            action
                .action_ts
                .as_ref()
                .map(|ts| ts.to_string())
                .unwrap_or_default()
        );
        if !state.claim(&format!("slack:{key}")).await {
            tracing::debug!(action_id, "duplicate slack interaction ignored");
            return;
        }
        let user = click
            .user
            .as_ref()
            .map_or_else(|| "unknown".to_owned(), |u| u.id.to_string());
        let channel = click.channel.as_ref().map(|c| c.id.to_string());
        let asker = Asker::new(Platform::Slack, &user).in_channel(channel.as_deref());
        let result = if action_id == FEEDBACK_UP || action_id == FEEDBACK_DOWN {
            let vote = if action_id == FEEDBACK_UP {
                Vote::Up
            } else {
                Vote::Down
            };
            let Some((id, question)) = render::parse_feedback_value(value) else {
                return;
            };
            let repeated = match state.feedback(Platform::Slack, &id, &user, vote).await {
                Ok(outcome) => outcome == FeedbackOutcome::Unchanged,
                Err(err) => {
                    // Logged and counted by the store; the click is still acknowledged.
                    tracing::warn!(cause = %err, "slack: feedback not stored");
                    false
                }
            };
            let suggestions = if vote == Vote::Down && !repeated {
                suggestions(state, question).await
            } else {
                Vec::new()
            };
            let message = render::feedback_ack(vote, repeated, &suggestions);
            match (&click.response_url, &channel) {
                (Some(url), _) => self.respond(url, &message, false).await,
                (None, Some(channel)) => self.post_ephemeral(channel, &user, None, &message).await,
                (None, None) => return,
            }
        } else if action_id == SHARE_ACTION {
            let Some(channel) = &channel else { return };
            match self.answer(state, asker, value, false).await {
                Ok((message, _)) => self.post(channel, None, &message).await,
                Err(notice) => self.post_ephemeral(channel, &user, None, &notice).await,
            }
        } else if action_id == SOURCES_ACTION {
            // Every citation, to the one who asked for it (issue 11): a new ephemeral message
            // beside the answer, which stays as it is.
            let Some(url) = &click.response_url else {
                return;
            };
            let message = match state.ask(Platform::Slack, &user, value).await {
                Ok(answer) => render::render_sources(&answer),
                Err(refused) => render::notice(refused.message()),
            };
            self.respond(url, &message, false).await
        } else if action_id.starts_with(SUGGEST_ACTION) {
            let Some(url) = &click.response_url else {
                return;
            };
            match self.answer(state, asker, value, true).await {
                Ok((message, _)) => self.respond(url, &message, true).await,
                // Keep the reply the button sits in; the note is ephemeral by default.
                Err(notice) => self.respond(url, &notice, false).await,
            }
        } else {
            return;
        };
        if let Err(err) = result {
            tracing::error!(action_id, cause = %format!("{err:#}"), "cannot answer slack interaction");
        }
    }

    /// `chat.postMessage`, link unfurling off.
    async fn post(
        &self,
        channel: &str,
        thread: Option<&str>,
        message: &SlackMessage,
    ) -> anyhow::Result<()> {
        let session = self.client.open_session(&self.bot_token);
        let mut request = SlackApiChatPostMessageRequest::new(channel.into(), content(message))
            .with_unfurl_links(false)
            .with_unfurl_media(false);
        if let Some(ts) = thread {
            request = request.with_thread_ts(ts.into());
        }
        match session.chat_post_message(&request).await {
            Ok(_) => Ok(()),
            Err(SlackClientError::ApiError(err))
                if matches!(err.code.as_str(), "not_in_channel" | "channel_not_found") =>
            {
                tracing::warn!(
                    channel,
                    code = err.code,
                    "slack: cannot post here (invite the app to the channel)"
                );
                Ok(())
            }
            Err(err) => Err(err).context("chat.postMessage failed"),
        }
    }

    /// `chat.postEphemeral`: a message only `user` sees.
    async fn post_ephemeral(
        &self,
        channel: &str,
        user: &str,
        thread: Option<&str>,
        message: &SlackMessage,
    ) -> anyhow::Result<()> {
        let session = self.client.open_session(&self.bot_token);
        let mut request =
            SlackApiChatPostEphemeralRequest::new(channel.into(), user.into(), content(message));
        if let Some(ts) = thread {
            request = request.with_thread_ts(ts.into());
        }
        session
            .chat_post_ephemeral(&request)
            .await
            .context("chat.postEphemeral failed")?;
        Ok(())
    }

    /// Posts to a `response_url`: replacing the message behind it, or (without `replace`) an
    /// ephemeral message beside it.
    async fn respond(
        &self,
        url: &SlackResponseUrl,
        message: &SlackMessage,
        replace: bool,
    ) -> anyhow::Result<()> {
        let request =
            SlackApiPostWebhookMessageRequest::new(content(message)).with_replace_original(replace);
        self.client
            .respond_to_event(url, &request)
            .await
            .context("response_url post failed")?;
        Ok(())
    }
}

/// The reply to a slash command, in slack-morphism's type (the same in HTTP and Socket Mode).
fn command_response(message: &SlackMessage, ephemeral: bool) -> SlackCommandEventResponse {
    let kind = if ephemeral {
        SlackMessageResponseType::Ephemeral
    } else {
        SlackMessageResponseType::InChannel
    };
    SlackCommandEventResponse::new(content(message)).with_response_type(kind)
}

/// The rendered message as slack-morphism's content (the renderer builds its Block Kit types).
fn content(message: &SlackMessage) -> SlackMessageContent {
    SlackMessageContent::new()
        .with_text(message.text.clone())
        .with_blocks(message.blocks.clone())
}

/// How a message reached the bot, which decides whether and how it is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// A mention or a DM: always answered.
    Addressed,
    /// An unaddressed reply in a thread the bot answered in.
    FollowUp,
    /// An unaddressed top-level question in a newsroom channel.
    Channel,
}

/// A message to answer: who, where (the thread to answer in), the conversation key (scoped by
/// the caller: `team:channel:thread`, or `user:channel` in a DM) and the text.
struct Incoming {
    key: String,
    channel: String,
    user: String,
    thread: Option<String>,
    text: String,
    mode: Mode,
}

/// The bot's own user ids, from the event's authorizations (and the older `authed_users`).
fn bot_users(callback: &SlackPushEventCallback) -> Vec<String> {
    let mut users: Vec<String> = callback
        .authorizations
        .iter()
        .flatten()
        .filter(|a| a.is_bot != Some(false))
        .map(|a| a.user_id.to_string())
        .collect();
    users.extend(
        callback
            .authed_users
            .iter()
            .flatten()
            .map(|u| u.to_string()),
    );
    users
}

/// Whether `text` mentions one of `users`; with none known, whether it opens with any mention
/// (so that a mention never gets a second answer through channel mode).
fn mentions_any(text: &str, users: &[String]) -> bool {
    if users.is_empty() {
        return text.trim_start().starts_with("<@");
    }
    users
        .iter()
        .any(|u| text.contains(&format!("<@{u}>")) || text.contains(&format!("<@{u}|")))
}

/// Whether a message reads as a question: it ends with `?`, or opens like one ("what …",
/// "is …"), or is a yes/no question by its form ("…, right"). Statements, chatter and bare
/// links are not.
fn is_question(text: &str) -> bool {
    let words = question::words(text);
    if words.is_empty() {
        return false;
    }
    text.trim_end().ends_with('?')
        || question::opens_question(&words)
        || question::form(text) == crate::engine::Form::YesNo
}

/// The suggestions offered after a 👎: the engine's for the question, or its default ones
/// (an answered question has none of its own), without the question itself.
async fn suggestions(state: &AppState, question: &str) -> Vec<String> {
    let engine = state.engine();
    let question = question.to_owned();
    let found = state
        .pool
        .run(move || {
            let mut out = engine.answer(&question).suggestions;
            if out.is_empty() {
                out = engine.answer("").suggestions;
            }
            let asked = question.trim().to_lowercase();
            out.retain(|s| s.trim().to_lowercase() != asked);
            out
        })
        .await;
    found.unwrap_or_default()
}

/// A de-duplication key for a delivery without an id of its own: a hash of its content, the same
/// in every replica (so that replicas sharing a store agree on it).
fn content_key(content: &[u8]) -> String {
    let digest = Sha256::digest(content);
    format!("hash:{}", hex::encode(&digest[..16]))
}

#[derive(Debug, Deserialize)]
struct CommandForm {
    user_id: String,
    #[serde(default)]
    channel_id: Option<String>,
    #[serde(default)]
    text: String,
}

#[derive(Debug, Deserialize)]
struct InteractionForm {
    payload: String,
}

impl Adapter for SlackAdapter {
    fn name(&self) -> &'static str {
        "slack"
    }

    fn run(
        self: Arc<Self>,
        state: Arc<AppState>,
        shutdown: CancellationToken,
    ) -> BoxFuture<'static, anyhow::Result<()>> {
        Box::pin(async move {
            let Some(app_token) = self.app_token.clone() else {
                // HTTP events arrive on the shared listener; nothing to keep open.
                state.set_adapter(self.name(), AdapterStatus::Up);
                shutdown.cancelled().await;
                return Ok(());
            };
            let callbacks = SlackSocketModeListenerCallbacks::new()
                .with_hello_events(socket_hello)
                .with_command_events(socket_command)
                .with_interaction_events(socket_interaction)
                .with_push_events(socket_push);
            let environment = Arc::new(
                SlackClientEventsListenerEnvironment::new(self.client.clone())
                    .with_error_handler(socket_error)
                    .with_user_state(SocketState {
                        adapter: self.clone(),
                        state: state.clone(),
                    }),
            );
            let listener = SlackClientSocketModeListener::new(
                &SlackClientSocketModeConfig::new(),
                environment,
                callbacks,
            );
            listener
                .listen_for(&app_token)
                .await
                .context("cannot open a Socket Mode connection (apps.connections.open)")?;
            // `up` comes with Slack's `hello` on each (re)connection ([`socket_hello`]).
            listener.start().await;
            shutdown.cancelled().await;
            listener.shutdown().await;
            Ok(())
        })
    }

    fn routes(self: Arc<Self>) -> Option<Router<Arc<AppState>>> {
        self.verifier.as_ref()?;
        Some(
            Router::new()
                .route("/slack/commands", webhook(self.clone(), Self::commands))
                .route("/slack/events", webhook(self.clone(), Self::events))
                .route("/slack/interactions", webhook(self, Self::interactions)),
        )
    }
}

/// What Socket Mode callbacks (plain `fn`s) need, kept in the listener's user state.
#[derive(Clone)]
struct SocketState {
    adapter: Arc<SlackAdapter>,
    state: Arc<AppState>,
}

async fn socket_state(states: &SlackClientEventsUserState) -> UserCallbackResult<SocketState> {
    let storage = states.read().await;
    storage
        .get_user_state::<SocketState>()
        .cloned()
        .ok_or_else(|| "socket mode state missing".into())
}

async fn socket_command(
    event: SlackCommandEvent,
    _client: Arc<Client>,
    states: SlackClientEventsUserState,
) -> UserCallbackResult<SlackCommandEventResponse> {
    let s = socket_state(&states).await?;
    let text = event.text.as_deref().unwrap_or_default();
    let user = event.user_id.to_string();
    let channel = event.channel_id.to_string();
    let (message, ephemeral) = s
        .adapter
        .command_reply(&s.state, &user, Some(&channel), text)
        .await;
    Ok(command_response(&message, ephemeral))
}

async fn socket_push(
    event: SlackPushEventCallback,
    _client: Arc<Client>,
    states: SlackClientEventsUserState,
) -> UserCallbackResult<()> {
    let s = socket_state(&states).await?;
    if !s
        .state
        .claim(&format!("slack:event:{}", event.event_id.as_ref()))
        .await
    {
        return Ok(());
    }
    // Socket Mode hands over the typed event; a mention's `bot_id` is not in the model.
    s.adapter.event(&s.state, &event, false).await;
    Ok(())
}

async fn socket_interaction(
    event: SlackInteractionEvent,
    _client: Arc<Client>,
    states: SlackClientEventsUserState,
) -> UserCallbackResult<()> {
    let s = socket_state(&states).await?;
    s.adapter.interaction(&s.state, &event).await;
    Ok(())
}

/// Slack greets every new Socket Mode connection (the first and each reconnection) with
/// `hello`: the adapter is up. (Generic over the event: slack-morphism does not export the
/// hello event's type by a public path.)
async fn socket_hello<Hello: Send>(
    _event: Hello,
    _client: Arc<Client>,
    states: SlackClientEventsUserState,
) {
    if let Ok(s) = socket_state(&states).await {
        s.state.set_adapter(s.adapter.name(), AdapterStatus::Up);
        tracing::info!("slack: Socket Mode connected (hello)");
    }
}

/// Errors from the listener. A WebSocket error ("Slack WSS error", slack-morphism 2.x
/// `hyper_tokio/socket_mode/tungstenite_wss_client.rs`) drops the connection, which
/// slack-morphism re-opens: the adapter is `reconnecting` until the next `hello`. slack-morphism
/// has no callback for disconnects, so this message is the only sign of one; a clean close by
/// Slack and a failed `apps.connections.open` reach no callback at all.
fn socket_error(
    err: Box<dyn std::error::Error + Send + Sync>,
    _client: Arc<Client>,
    states: SlackClientEventsUserState,
) -> axum::http::StatusCode {
    let dropped = match err.downcast_ref::<SlackClientError>() {
        Some(SlackClientError::SocketModeProtocolError(e)) => {
            e.message.starts_with("Slack WSS error")
        }
        _ => false,
    };
    if dropped {
        if let Ok(storage) = states.try_read()
            && let Some(s) = storage.get_user_state::<SocketState>()
        {
            s.state
                .set_adapter(s.adapter.name(), AdapterStatus::Reconnecting);
        }
        tracing::warn!(cause = %err, "slack: Socket Mode connection failed; reconnecting");
    } else {
        tracing::error!(cause = %err, "slack socket mode event failed");
    }
    axum::http::StatusCode::OK
}
