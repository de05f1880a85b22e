//! Discord: the `/deal` slash command (with autocomplete) and mentions and DMs, over the gateway
//! (serenity, no command framework) and the HTTP interactions endpoint.
//!
//! `/deal question:<text>` answers; `question:help` shows help and `question:sources` lists the
//! sources (one required option keeps the command simple to type, and matches Slack's
//! `/deal help`). The command is registered on every start with a bulk overwrite, which is
//! idempotent: to `discord.guild_id` when set (instant), else globally.
//!
//! Gateway mode (with `discord.token`): a message that mentions the bot in a guild, or any DM, is
//! answered as a reply; bot authors are ignored. Only non-privileged intents are requested
//! (Discord delivers message content for mentions and DMs without MESSAGE_CONTENT).
//!
//! HTTP mode (with `discord.public_key`): `POST /discord/interactions`, verified with serenity's
//! Ed25519 verifier over `timestamp ‖ body` plus a freshness window on the timestamp.
//!
//! Every message and response carries allowed mentions that parse nothing, and is built with
//! serenity's builders in both modes (`CreateInteractionResponse`, ephemeral through
//! `InteractionResponseFlags::EPHEMERAL`). A refused question (rate limit, busy) gets a short
//! ephemeral note. Formatting lives in [`crate::render::discord`].

use std::sync::{Arc, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

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
    CreateInteractionResponse, CreateInteractionResponseMessage, CreateMessage, EventHandler,
    GatewayIntents, GuildId, Interaction, Message, Ready, ResolvedValue, ShardStageUpdateEvent,
    UserId,
};
use serenity::interactions_endpoint::Verifier;
use tokio_util::sync::CancellationToken;

use super::{Adapter, Fatal, webhook};
use crate::app::{AdapterStatus, AppState, Platform};
use crate::render::discord::{self as render, MAX_CONTENT};
use crate::settings::{DiscordSettings, Shards};

type HttpStatus = axum::http::StatusCode;

/// Characters of typed text looked at for autocomplete (the option's own limit).
const MAX_TYPED: usize = 1000;

/// Characters of a parse error echoed in a 400 (serde names the field at fault).
const MAX_PARSE_ERROR: usize = 300;

/// How far an interaction's timestamp may be from now, in seconds.
pub const MAX_TIMESTAMP_SKEW_SECS: u64 = 300;
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
}

impl std::fmt::Debug for DiscordAdapter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DiscordAdapter")
            .field("gateway", &self.token.is_some())
            .field("http_interactions", &self.verifier.is_some())
            .field("guild_id", &self.guild_id)
            .field("shards", &self.shards)
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
        text: &str,
    ) -> CreateInteractionResponseMessage {
        let message = CreateInteractionResponseMessage::new().allowed_mentions(no_mentions());
        match state
            .ask(Platform::Discord, user, super::command_question(text))
            .await
        {
            Ok(answer) => {
                let message = message
                    .embed(render::render(&answer, &state.engine()).to_serenity())
                    .components(render::serenity_components(&answer));
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
            .command_message(state, &command.user.id.to_string(), &text)
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
        let message = self
            .sources_message(state, &user, &component.data.custom_id)
            .await?;
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
        let intents = GatewayIntents::GUILDS
            | GatewayIntents::GUILD_MESSAGES
            | GatewayIntents::DIRECT_MESSAGES;
        let handler = Handler {
            adapter: self.clone(),
            state,
            me: OnceLock::new(),
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
        if msg.author.bot {
            return;
        }
        let Some(me) = self.me.get().copied() else {
            return;
        };
        let dm = msg.guild_id.is_none();
        if !dm && !msg.mentions.iter().any(|u| u.id == me) {
            return;
        }
        let reply = match self
            .state
            .ask(Platform::Discord, &msg.author.id.to_string(), &msg.content)
            .await
        {
            Ok(answer) => CreateMessage::new()
                .embed(render::render(&answer, &self.state.engine()).to_serenity())
                .components(render::serenity_components(&answer)),
            Err(refused) => CreateMessage::new()
                .content(crate::render::truncate(refused.message(), MAX_CONTENT)),
        };
        let reply = reply
            .reference_message(&msg)
            .allowed_mentions(no_mentions());
        if let Err(err) = msg.channel_id.send_message(&ctx.http, reply).await {
            tracing::error!(channel = %msg.channel_id, cause = %err, "discord: cannot reply");
        }
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
