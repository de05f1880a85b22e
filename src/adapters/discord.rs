//! Discord: the `/deal` slash command (with autocomplete) and mentions and DMs, over the gateway
//! (serenity, no command framework) and the HTTP interactions endpoint.
//!
//! `/deal question:<text>` answers; `question:help` shows help and `question:sources` lists the
//! sources (one required option keeps the command simple to type, and matches Slack's
//! `/deal help`). The command is registered on every start with a bulk overwrite, which is
//! idempotent: to `discord.guild_id` when set (instant), else globally.
//!
//! Gateway mode (with `discord.token`): a message that mentions the bot in a guild, or any DM, is
//! answered as a reply; bots (the bot itself included) are ignored, and edits are never read.
//! Conversations (issue 12): a reply to one of the bot's answers is a follow-up, answered with
//! the context of its conversation, keyed by channel and the root message of the reply chain
//! (each answer remembers its conversation, in the store so that replicas share it); a DM
//! continues the conversation of that user in that DM.
//!
//! Newsroom channels (`discord.channels`): there, a top-level message that is a question is
//! answered without a mention, as a reply (or in a new thread on it with
//! `discord.channel_threads`, whose later questions continue the conversation), but only when
//! the engine is at least `channel_min_confidence` sure; otherwise nothing is posted. Reading
//! unaddressed messages needs the privileged MESSAGE_CONTENT intent, requested only then; when
//! Discord refuses it (close code 4014) the adapter stops with a [`Fatal`] error that says how
//! to enable it. Without channels, only non-privileged intents are requested (Discord delivers
//! message content for mentions, replies to the bot and DMs without it).
//!
//! Every answer carries 👍 / 👎 buttons tied to its id in the store; a click is acknowledged
//! ephemerally and counted once per user per answer, and a 👎 offers other questions.
//!
//! HTTP mode (with `discord.public_key`): `POST /discord/interactions`, verified with serenity's
//! Ed25519 verifier over `timestamp ‖ body` plus a freshness window on the timestamp, then read
//! with serenity's model (a payload it cannot read gets a JSON 400); each interaction is handled
//! once across replicas ([`AppState::claim`] on its id).
//!
//! Every message and response carries allowed mentions that parse nothing, and is built with
//! serenity's builders in both modes (`CreateInteractionResponse`, ephemeral through
//! `InteractionResponseFlags::EPHEMERAL`). A refused question (rate limit, busy) gets a short
//! ephemeral note. Formatting lives in [`crate::render::discord`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context as _;
use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::future::BoxFuture;
use secrecy::{ExposeSecret, SecretString};
use serenity::all::{
    Command, CommandInteraction, CommandOptionType, ComponentInteraction, ConnectionStage, Context,
    CreateAllowedMentions, CreateAutocompleteResponse, CreateCommand, CreateCommandOption,
    CreateInteractionResponse, CreateInteractionResponseMessage, CreateMessage, CreateThread,
    EventHandler, GatewayIntents, GuildId, Interaction, Message, MessageId, Ready, ResolvedValue,
    ShardStageUpdateEvent, UserId,
};
use serenity::interactions_endpoint::Verifier;
use tokio_util::sync::CancellationToken;

use super::{Adapter, Fatal, webhook};
use crate::app::{AdapterStatus, AppState, Asker, CONTEXT_WAIT, Platform, Reply};
use crate::render::discord::{self as render, MAX_CONTENT};
use crate::settings::{DiscordSettings, Shards};
use crate::store::{FeedbackOutcome, Vote};

type HttpStatus = axum::http::StatusCode;

/// Characters of typed text looked at for autocomplete (the option's own limit).
const MAX_TYPED: usize = 1000;

/// Characters of a parse error echoed in a 400 (serde names the field at fault).
const MAX_PARSE_ERROR: usize = 300;

/// How far an interaction's timestamp may be from now, in seconds.
pub const MAX_TIMESTAMP_SKEW_SECS: u64 = 300;
/// Answers whose conversation this process remembers when the store does not answer.
const MAX_REMEMBERED: usize = 10_000;
/// Characters of a new thread's name (Discord allows 100).
const MAX_THREAD_NAME: usize = 80;
/// The close code and name of Discord's refusal of a privileged intent.
pub const DISALLOWED_INTENTS: &str = "4014 Disallowed intent(s)";

/// The command's name.
pub const COMMAND: &str = "deal";
/// Its one option.
pub const OPTION: &str = "question";

/// The Discord adapter.
pub struct DiscordAdapter {
    token: Option<SecretString>,
    verifier: Option<Verifier>,
    guild_id: Option<u64>,
    ephemeral: bool,
    shards: Shards,
    proxy: Option<String>,
    /// Newsroom channels: questions answered there without a mention.
    channels: Vec<u64>,
    /// Answer newsroom questions in a new thread on the message.
    channel_threads: bool,
}

impl std::fmt::Debug for DiscordAdapter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DiscordAdapter")
            .field("gateway", &self.token.is_some())
            .field("http_interactions", &self.verifier.is_some())
            .field("guild_id", &self.guild_id)
            .field("shards", &self.shards)
            .field("channels", &self.channels)
            .finish_non_exhaustive()
    }
}

impl DiscordAdapter {
    /// The adapter the settings ask for; `None` without a token or public key. A public key that
    /// is not 32 bytes of hex is an error.
    pub fn from_settings(
        settings: &DiscordSettings,
    ) -> anyhow::Result<Option<Arc<DiscordAdapter>>> {
        if settings.token.is_none() && settings.public_key.is_none() {
            return Ok(None);
        }
        let verifier = match &settings.public_key {
            Some(key) => {
                let bytes: [u8; 32] = hex::decode(key.trim())
                    .ok()
                    .and_then(|b| b.try_into().ok())
                    .context(
                        "discord.public_key must be 64 hex digits (the application's public key)",
                    )?;
                Some(Verifier::try_new(bytes).map_err(|e| {
                    anyhow::anyhow!("discord.public_key is not a valid Ed25519 key: {e}")
                })?)
            }
            None => None,
        };
        Ok(Some(Arc::new(DiscordAdapter {
            token: settings.token.clone(),
            verifier,
            guild_id: settings.guild_id,
            ephemeral: settings.ephemeral,
            shards: settings.shard_plan().map_err(anyhow::Error::msg)?,
            proxy: settings.api_url.clone(),
            channels: settings.channels.clone(),
            channel_threads: settings.channel_threads,
        })))
    }

    fn command() -> CreateCommand {
        CreateCommand::new(COMMAND)
            .description("Ask about the Microsoft–OpenAI deal (answers quote the sources)")
            .add_option(
                CreateCommandOption::new(
                    CommandOptionType::String,
                    OPTION,
                    "Your question, or `help`, or `sources`",
                )
                .required(true)
                .set_autocomplete(true)
                .max_length(1000),
            )
    }

    /// The reply to `/deal text`: the answer as an embed (ephemeral with `discord.ephemeral`),
    /// or, when refused, a short ephemeral note.
    async fn command_message(
        &self,
        state: &AppState,
        user: &str,
        channel: &str,
        text: &str,
    ) -> CreateInteractionResponseMessage {
        let message = CreateInteractionResponseMessage::new().allowed_mentions(no_mentions());
        let asker = Asker::new(Platform::Discord, user).in_channel(Some(channel));
        match state.answer(asker, super::command_question(text)).await {
            Ok(Reply { answer, id }) => {
                let message = message
                    .embed(render::render(&answer, &state.engine()).to_serenity())
                    .components(render::serenity_components(&answer, &id));
                if self.ephemeral {
                    message.ephemeral(true)
                } else {
                    message
                }
            }
            Err(refused) => message.content(refused.message()).ephemeral(true),
        }
    }

    /// The response to a Sources button: every citation, ephemeral (issue 11). `None` when the
    /// button is not ours.
    async fn sources_message(
        &self,
        state: &AppState,
        user: &str,
        custom_id: &str,
    ) -> Option<CreateInteractionResponseMessage> {
        let question = render::sources_question(custom_id, &state.engine())?;
        let message = CreateInteractionResponseMessage::new()
            .allowed_mentions(no_mentions())
            .ephemeral(true);
        Some(match state.ask(Platform::Discord, user, &question).await {
            Ok(answer) => message.embed(render::render_sources(&answer).to_serenity()),
            Err(refused) => message.content(refused.message()),
        })
    }

    /// The response to a `/deal` command; `None` for a command that is not ours.
    async fn command_response(
        &self,
        state: &AppState,
        command: &CommandInteraction,
    ) -> Option<CreateInteractionResponse> {
        if command.data.name != COMMAND {
            return None;
        }
        let text = command
            .data
            .options()
            .into_iter()
            .find_map(|o| match (o.name, o.value) {
                (OPTION, ResolvedValue::String(s)) => Some(s.to_owned()),
                _ => None,
            })
            .unwrap_or_default();
        let message = self
            .command_message(
                state,
                &command.user.id.to_string(),
                &command.channel_id.to_string(),
                &text,
            )
            .await;
        Some(CreateInteractionResponse::Message(message))
    }

    /// The response to a click on one of our buttons; `None` for a component that is not ours.
    async fn component_response(
        &self,
        state: &AppState,
        component: &ComponentInteraction,
    ) -> Option<CreateInteractionResponse> {
        let user = component.user.id.to_string();
        let custom_id = &component.data.custom_id;
        let message = match render::parse_feedback(custom_id) {
            Some(click) => feedback_message(state, &user, &click, &component.message).await,
            None => self.sources_message(state, &user, custom_id).await?,
        };
        Some(CreateInteractionResponse::Message(message))
    }

    fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), &'static str> {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let Some(verifier) = &self.verifier else {
            return Err("discord_not_configured");
        };
        let (Some(signature), Some(timestamp)) = (
            header("x-signature-ed25519"),
            header("x-signature-timestamp"),
        ) else {
            return Err("discord_missing_signature");
        };
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let fresh = timestamp
            .parse::<u64>()
            .is_ok_and(|ts| ts.abs_diff(now) <= MAX_TIMESTAMP_SKEW_SECS);
        if !fresh {
            return Err("discord_stale_signature");
        }
        verifier
            .verify(signature, timestamp, body)
            .map_err(|()| "discord_bad_signature")
    }

    async fn interactions(
        self: Arc<Self>,
        state: Arc<AppState>,
        headers: HeaderMap,
        body: Bytes,
    ) -> Response {
        if let Err(reason) = self.verify(&headers, &body) {
            state.metrics.reject(reason);
            tracing::warn!(reason, "discord interaction rejected");
            return crate::app::errors::error(
                StatusCode::UNAUTHORIZED,
                "invalid request signature",
            );
        }
        let interaction = match serde_json::from_slice::<Interaction>(&body) {
            Ok(interaction) => interaction,
            Err(err) => {
                state.metrics.reject("discord_bad_interaction");
                // serde's message names the field or type at fault, never the payload's text.
                let cause = crate::render::truncate(&err.to_string(), MAX_PARSE_ERROR);
                tracing::warn!(cause = %cause, "discord interaction rejected: not an interaction serenity can read");
                return crate::app::errors::error(
                    StatusCode::BAD_REQUEST,
                    format!("malformed interaction: {cause}"),
                );
            }
        };
        // A replayed command or click (same interaction id) is handled once, by one replica.
        let acts = matches!(
            interaction,
            Interaction::Command(_) | Interaction::Component(_)
        );
        let id = interaction.id();
        if acts && !state.claim(&format!("discord:interaction:{id}")).await {
            state.metrics.reject("discord_duplicate_interaction");
            tracing::info!(interaction = %id, "discord interaction already handled; ignored");
            return crate::app::errors::error(StatusCode::CONFLICT, "interaction already handled");
        }
        let reply = match interaction {
            Interaction::Ping(_) => Some(CreateInteractionResponse::Pong),
            Interaction::Autocomplete(auto) => Some(CreateInteractionResponse::Autocomplete(
                autocomplete(&state, &typed(&auto)),
            )),
            Interaction::Command(command) => self.command_response(&state, &command).await,
            Interaction::Component(component) => self.component_response(&state, &component).await,
            _ => None,
        };
        let Some(reply) = reply else {
            state.metrics.reject("discord_unknown_interaction");
            return crate::app::errors::error(StatusCode::BAD_REQUEST, "unsupported interaction");
        };
        axum::Json(reply).into_response()
    }

    async fn gateway(
        self: Arc<Self>,
        state: Arc<AppState>,
        shutdown: CancellationToken,
    ) -> anyhow::Result<()> {
        let Some(token) = &self.token else {
            // HTTP interactions only: served on the shared listener, nothing to connect.
            state.set_adapter(self.name(), AdapterStatus::Up);
            shutdown.cancelled().await;
            return Ok(());
        };
        let token = token.expose_secret().to_owned();
        if serenity::utils::validate_token(&token).is_err() {
            return Err(Fatal("discord.token is not a valid bot token".to_owned()).into());
        }
        let intents = intents(&self.channels);
        let handler = Handler {
            adapter: self.clone(),
            state,
            me: OnceLock::new(),
            remembered: Mutex::new(HashMap::new()),
        };
        let mut http = serenity::http::HttpBuilder::new(&token);
        if let Some(proxy) = &self.proxy {
            http = http
                .proxy(proxy.trim_end_matches('/'))
                .ratelimiter_disabled(true);
        }
        let mut client = serenity::client::ClientBuilder::new_with_http(http.build(), intents)
            .event_handler(handler)
            .await
            .context("cannot build the Discord client")?;
        let shard_manager = client.shard_manager.clone();
        let run = async {
            match &self.shards {
                Shards::Auto => client.start_autosharded().await,
                Shards::Count { total, range: None } => client.start_shards(*total).await,
                Shards::Count {
                    total,
                    range: Some((start, end)),
                } => client.start_shard_range(*start..*end, *total).await,
            }
        };
        tokio::select! {
            result = run => match result {
                Err(serenity::Error::Gateway(serenity::gateway::GatewayError::DisallowedGatewayIntents)) => {
                    Err(Fatal(disallowed_intents_message()).into())
                }
                Err(serenity::Error::Gateway(serenity::gateway::GatewayError::InvalidAuthentication)) => {
                    Err(Fatal("Discord rejected discord.token (invalid authentication); fix the token and restart".to_owned()).into())
                }
                Err(serenity::Error::Http(err)) if err.status_code().map(|s| s.as_u16()) == Some(HttpStatus::UNAUTHORIZED.as_u16()) => {
                    Err(Fatal("Discord rejected discord.token (401 Unauthorized); fix the token and restart".to_owned()).into())
                }
                Err(err) => Err(err).context("Discord gateway stopped"),
                Ok(()) => Ok(()),
            },
            () = shutdown.cancelled() => {
                shard_manager.shutdown_all().await;
                Ok(())
            }
        }
    }
}

/// The gateway intents: guilds, guild messages and DMs; plus the privileged MESSAGE_CONTENT only
/// when newsroom `channels` are configured (reading messages that do not mention the bot).
pub fn intents(channels: &[u64]) -> GatewayIntents {
    let intents =
        GatewayIntents::GUILDS | GatewayIntents::GUILD_MESSAGES | GatewayIntents::DIRECT_MESSAGES;
    if channels.is_empty() {
        intents
    } else {
        intents | GatewayIntents::MESSAGE_CONTENT
    }
}

/// What the operator reads when Discord refuses the MESSAGE_CONTENT intent.
pub fn disallowed_intents_message() -> String {
    format!(
        "Discord refused the privileged MESSAGE_CONTENT intent (gateway close {DISALLOWED_INTENTS}), \
         which discord.channels needs to read questions that do not mention the bot: enable it in \
         the Developer Portal → your application → Bot → Privileged Gateway Intents → Message \
         Content Intent, then restart (or empty discord.channels)"
    )
}

/// Whether a newsroom message asks something: it ends with `?` or opens like a question, once
/// links are left out (a message that is only links is not a question).
pub fn is_question(text: &str) -> bool {
    let words: Vec<&str> = text
        .split_whitespace()
        .filter(|w| {
            !(w.starts_with("http://") || w.starts_with("https://") || w.starts_with("<http"))
        })
        .collect();
    if words.is_empty() {
        return false;
    }
    let text = words.join(" ");
    if text.trim_end().ends_with('?') {
        return true;
    }
    let folded = crate::engine::normalize::question(&text);
    crate::engine::question::opens_question(&crate::engine::normalize::words(&folded))
}

/// The ephemeral acknowledgement of a feedback click, recorded once per user per answer. A 👎
/// offers other questions: those near the question the clicked message answered (read back from
/// its Sources button), or near the answer's topic.
async fn feedback_message(
    state: &AppState,
    user: &str,
    click: &render::FeedbackClick,
    message: &Message,
) -> CreateInteractionResponseMessage {
    let first = match state
        .feedback(Platform::Discord, &click.id, user, click.vote)
        .await
    {
        Ok(FeedbackOutcome::Recorded) => true,
        Ok(FeedbackOutcome::Unchanged) => false,
        Err(err) => {
            // Logged and counted by the store too; the click is still acknowledged.
            tracing::warn!(cause = %err, "discord: feedback not stored");
            true
        }
    };
    let alternatives = if click.vote == Vote::Down {
        let engine = state.engine();
        let question = render::answered_question(&message.components, &engine).or_else(|| {
            let intent = engine.knowledge().intent(click.intent.as_deref()?)?;
            Some(crate::engine::answer::suggestion(intent))
        });
        render::alternatives(
            &engine,
            question.as_deref().unwrap_or_default(),
            click.intent.as_deref(),
        )
    } else {
        Vec::new()
    };
    CreateInteractionResponseMessage::new()
        .content(render::feedback_ack(click.vote, first, &alternatives))
        .allowed_mentions(no_mentions())
        .ephemeral(true)
}

/// What the user has typed so far in the focused option of an autocomplete interaction.
fn typed(auto: &CommandInteraction) -> String {
    auto.data
        .autocomplete()
        .map(|a| a.value.to_owned())
        .unwrap_or_default()
}

/// Autocomplete choices for what the user has typed: catalogue questions, at most 25.
fn autocomplete(state: &AppState, typed: &str) -> CreateAutocompleteResponse {
    let typed = crate::render::truncate(typed, MAX_TYPED);
    let mut response = CreateAutocompleteResponse::new();
    for choice in state.engine().complete(&typed, 25) {
        let choice = crate::render::truncate(&choice, render::MAX_CHOICE);
        response = response.add_string_choice(choice.clone(), choice);
    }
    response
}

struct Handler {
    adapter: Arc<DiscordAdapter>,
    state: Arc<AppState>,
    me: OnceLock<UserId>,
    /// This process's copy of which conversation each of the bot's answers belongs to (the
    /// store's fallback), with when it was remembered.
    remembered: Mutex<HashMap<MessageId, (String, Instant)>>,
}

/// Why a message is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Addressed {
    /// A DM.
    Dm,
    /// A reply to one of the bot's answers.
    FollowUp,
    /// A mention of the bot.
    Mention,
    /// A question in a thread the bot opened on a newsroom question.
    InThread,
    /// A question in a newsroom channel.
    Newsroom,
}

impl Handler {
    /// The store key under which an answer remembers its conversation.
    fn answer_key(message: MessageId) -> String {
        format!("discord:answer:{message}")
    }

    fn ttl(&self) -> Duration {
        Duration::from_secs(self.state.settings.conversation_ttl_secs.max(1))
    }

    /// Remembers that the bot's answer `message` belongs to `conversation`.
    async fn remember(&self, message: MessageId, conversation: &str) {
        {
            let mut remembered = lock(&self.remembered);
            if remembered.len() >= MAX_REMEMBERED {
                let ttl = self.ttl();
                remembered.retain(|_, (_, at)| at.elapsed() < ttl);
                if remembered.len() >= MAX_REMEMBERED {
                    remembered.clear();
                }
            }
            remembered.insert(message, (conversation.to_owned(), Instant::now()));
        }
        let key = Self::answer_key(message);
        let stored = self.state.store.put_context(&key, conversation, self.ttl());
        if tokio::time::timeout(CONTEXT_WAIT, stored).await.is_err() {
            tracing::warn!("store: answer's conversation not saved in time; kept in this process");
        }
    }

    /// The conversation the bot's answer `message` belongs to, if it is remembered.
    async fn conversation_of(&self, message: MessageId) -> Option<String> {
        let key = Self::answer_key(message);
        let stored = self.state.store.get_context::<String>(&key);
        if let Ok(Ok(Some(conversation))) = tokio::time::timeout(CONTEXT_WAIT, stored).await {
            return Some(conversation);
        }
        let remembered = lock(&self.remembered);
        remembered
            .get(&message)
            .filter(|(_, at)| at.elapsed() < self.ttl())
            .map(|(conversation, _)| conversation.clone())
    }

    /// Why `msg` is answered, and the conversation it belongs to; `None` when it is not.
    async fn addressed(&self, msg: &Message, me: UserId) -> Option<(Addressed, String)> {
        let channel = msg.channel_id;
        if msg.guild_id.is_none() {
            return Some((Addressed::Dm, format!("dm:{}:{channel}", msg.author.id)));
        }
        if let Some(replied) = msg.referenced_message.as_deref()
            && replied.author.id == me
        {
            // The chain's root: what the answer remembers, else the message it replied to.
            let conversation = match self.conversation_of(replied.id).await {
                Some(conversation) => conversation,
                None => {
                    let root = replied
                        .message_reference
                        .as_ref()
                        .and_then(|r| r.message_id)
                        .unwrap_or(replied.id);
                    format!("{channel}:{root}")
                }
            };
            return Some((Addressed::FollowUp, conversation));
        }
        if msg.mentions.iter().any(|u| u.id == me) {
            return Some((Addressed::Mention, format!("{channel}:{}", msg.id)));
        }
        if !is_question(&msg.content) {
            return None;
        }
        let thread = format!("thread:{channel}");
        if self.adapter.channel_threads
            && self
                .state
                .has_conversation(Platform::Discord, &thread)
                .await
        {
            return Some((Addressed::InThread, thread));
        }
        if msg.message_reference.is_none() && self.adapter.channels.contains(&channel.get()) {
            let conversation = if self.adapter.channel_threads {
                format!("thread:{}", msg.id)
            } else {
                format!("{channel}:{}", msg.id)
            };
            return Some((Addressed::Newsroom, conversation));
        }
        None
    }

    /// Posts `reply` for `msg`: in a new thread on it for a newsroom question with
    /// `discord.channel_threads`, else as a reply. Returns the message posted.
    async fn post(
        &self,
        ctx: &Context,
        msg: &Message,
        addressed: Addressed,
        answer_title: &str,
        reply: CreateMessage,
    ) -> serenity::Result<Message> {
        let reply = reply.allowed_mentions(no_mentions());
        if addressed == Addressed::Newsroom && self.adapter.channel_threads {
            let name = crate::render::truncate(answer_title, MAX_THREAD_NAME);
            let thread = msg
                .channel_id
                .create_thread_from_message(&ctx.http, msg.id, CreateThread::new(name))
                .await?;
            return thread.id.send_message(&ctx.http, reply).await;
        }
        msg.channel_id
            .send_message(&ctx.http, reply.reference_message(msg))
            .await
    }
}

fn no_mentions() -> CreateAllowedMentions {
    CreateAllowedMentions::new()
        .empty_users()
        .empty_roles()
        .replied_user(false)
}

#[serenity::async_trait]
impl EventHandler for Handler {
    async fn ready(&self, ctx: Context, ready: Ready) {
        let _ = self.me.set(ready.user.id);
        self.state.set_adapter("discord", AdapterStatus::Up);
        let commands = vec![DiscordAdapter::command()];
        let result = match self.adapter.guild_id {
            Some(guild) => GuildId::new(guild)
                .set_commands(&ctx.http, commands)
                .await
                .map(|_| ()),
            None => Command::set_global_commands(&ctx.http, commands)
                .await
                .map(|_| ()),
        };
        match result {
            Ok(()) => {
                tracing::info!(guild = ?self.adapter.guild_id, user = %ready.user.name, "discord: connected; /deal registered")
            }
            Err(err) => tracing::error!(cause = %err, "discord: cannot register /deal"),
        }
    }

    async fn shard_stage_update(&self, _ctx: Context, event: ShardStageUpdateEvent) {
        let status = match event.new {
            ConnectionStage::Connected => AdapterStatus::Up,
            _ => AdapterStatus::Reconnecting,
        };
        self.state.set_adapter("discord", status);
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        let result = match interaction {
            Interaction::Command(command) => {
                let Some(response) = self.adapter.command_response(&self.state, &command).await
                else {
                    return;
                };
                command.create_response(&ctx.http, response).await
            }
            Interaction::Component(component) => {
                let Some(response) = self
                    .adapter
                    .component_response(&self.state, &component)
                    .await
                else {
                    return;
                };
                component.create_response(&ctx.http, response).await
            }
            Interaction::Autocomplete(auto) => {
                let response = autocomplete(&self.state, &typed(&auto));
                auto.create_response(&ctx.http, CreateInteractionResponse::Autocomplete(response))
                    .await
            }
            _ => Ok(()),
        };
        if let Err(err) = result {
            tracing::error!(cause = %err, "discord: cannot respond to interaction");
        }
    }

    async fn message(&self, ctx: Context, msg: Message) {
        let Some(me) = self.me.get().copied() else {
            return;
        };
        if msg.author.bot || msg.author.id == me || msg.content.trim().is_empty() {
            return;
        }
        let Some((addressed, conversation)) = self.addressed(&msg, me).await else {
            return;
        };
        let user = msg.author.id.to_string();
        let channel = msg.channel_id.to_string();
        let unprompted = matches!(addressed, Addressed::Newsroom | Addressed::InThread);
        let asker = Asker::new(Platform::Discord, &user)
            .in_channel(Some(&channel))
            .in_conversation(Some(&conversation))
            .unprompted(unprompted);
        let (reply, title) = match self.state.answer(asker, &msg.content).await {
            Ok(Reply { answer, id }) => {
                if unprompted && !self.state.posts_unprompted(&answer) {
                    // Nobody asked the bot: a "not covered" reply would be noise.
                    return;
                }
                let embed = render::render(&answer, &self.state.engine());
                let title = embed.title.clone();
                let reply = CreateMessage::new()
                    .embed(embed.to_serenity())
                    .components(render::serenity_components(&answer, &id));
                (reply, title)
            }
            Err(_) if unprompted => return,
            Err(refused) => (
                CreateMessage::new()
                    .content(crate::render::truncate(refused.message(), MAX_CONTENT)),
                String::new(),
            ),
        };
        match self.post(&ctx, &msg, addressed, &title, reply).await {
            Ok(sent) => self.remember(sent.id, &conversation).await,
            Err(err) => {
                tracing::error!(channel = %msg.channel_id, cause = %err, "discord: cannot reply")
            }
        }
    }
}

/// Locks `mutex`, recovering from poisoning (every critical section leaves the map whole).
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match mutex.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

impl Adapter for DiscordAdapter {
    fn name(&self) -> &'static str {
        "discord"
    }

    fn run(
        self: Arc<Self>,
        state: Arc<AppState>,
        shutdown: CancellationToken,
    ) -> BoxFuture<'static, anyhow::Result<()>> {
        Box::pin(self.gateway(state, shutdown))
    }

    fn routes(self: Arc<Self>) -> Option<Router<Arc<AppState>>> {
        self.verifier.as_ref()?;
        Some(Router::new().route("/discord/interactions", webhook(self, Self::interactions)))
    }
}
