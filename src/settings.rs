//! Settings for `dealbot serve`, loaded once with the `config` crate.
//!
//! Layers, later ones winning: built-in defaults, then a TOML file (`--config FILE`, or
//! `dealbot.toml` when present), then environment variables `DEALBOT_<SECTION>__<KEY>`
//! (`DEALBOT_SLACK__BOT_TOKEN`). List keys ([`LIST_KEYS`]) take comma-separated values in the
//! environment (`DEALBOT_DISCORD__SHARD_RANGE=0,2`). Every layer is checked on its own first, so
//! an unknown key or a bad value is reported with the layer it came from. Every key is documented
//! in `config.example.toml` and, with its environment variable, in `docs/configuration.md`.
//!
//! Tokens and signing secrets are [`SecretString`]s: their `Debug` output is redacted and they are
//! only exposed where a request is signed or sent.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use config::{Config, Environment, File, FileFormat};
use secrecy::SecretString;
use serde::Deserialize;

/// Environment variable prefix.
pub const ENV_PREFIX: &str = "DEALBOT";
/// Environment variables for the test suite (`DEALBOT_TEST_POSTGRES_URL`), not settings.
pub const TEST_ENV_PREFIX: &str = "DEALBOT_TEST_";
/// Config file read when `--config` is not given and it exists.
pub const DEFAULT_FILE: &str = "dealbot.toml";
/// Keys whose value is a list: in the environment, comma-separated (`DEALBOT_DISCORD__SHARD_RANGE=0,2`).
pub const LIST_KEYS: &[&str] = &[
    "discord.shard_range",
    "http.trusted_proxies",
    "slack.channels",
    "discord.channels",
];

/// All settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Directory with `seeds/` and `intents/`; the bundled data when unset.
    pub data_dir: Option<PathBuf>,
    /// The HTTP listener.
    pub http: HttpSettings,
    /// Slack.
    pub slack: SlackSettings,
    /// Discord.
    pub discord: DiscordSettings,
    /// Rate limits.
    pub limits: Limits,
    /// Logging.
    pub log: LogSettings,
    /// The store (answers, feedback, conversations, de-duplication).
    pub store: StoreSettings,
    /// Seconds a conversation's context is kept after its last question: a follow-up later
    /// than that starts afresh.
    pub conversation_ttl_secs: u64,
    /// In newsroom channels (`slack.channels`, `discord.channels`), the least confidence an
    /// answer needs to be posted unasked; below it the bot stays silent.
    pub channel_min_confidence: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            data_dir: None,
            http: HttpSettings::default(),
            slack: SlackSettings::default(),
            discord: DiscordSettings::default(),
            limits: Limits::default(),
            log: LogSettings::default(),
            store: StoreSettings::default(),
            conversation_ttl_secs: 30 * 60,
            channel_min_confidence: 0.6,
        }
    }
}

/// `[http]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpSettings {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Seconds in-flight requests get to finish on shutdown.
    pub shutdown_grace_secs: u64,
    /// Open connections served at once; further clients wait in the kernel's accept queue.
    pub max_connections: usize,
    /// Milliseconds a connection gets to send a complete request head, from its opening or from
    /// the head's first byte: silent new connections and half-sent headers are closed after it.
    pub header_read_timeout_ms: u64,
    /// Milliseconds a keep-alive connection may sit idle between requests before it is closed.
    pub keep_alive_idle_ms: u64,
    /// Milliseconds a request body may go without sending anything.
    pub body_read_timeout_ms: u64,
    /// Milliseconds one request may take in all, from its head to the response (408 after).
    pub request_timeout_ms: u64,
    /// Keep connections open between requests (HTTP/1.1 keep-alive); idle ones are closed after
    /// `keep_alive_idle_ms`.
    pub keep_alive: bool,
    /// Largest request body, on every route, checked before any signature.
    pub max_body_bytes: usize,
    /// Peers (CIDR blocks) whose `Forwarded` / `X-Forwarded-For` headers name the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Bearer token for `GET /report` and `GET /v1/report`; the routes answer 404 when unset.
    pub admin_token: Option<SecretString>,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            shutdown_grace_secs: 10,
            max_connections: 512,
            header_read_timeout_ms: 10_000,
            keep_alive_idle_ms: 60_000,
            body_read_timeout_ms: 10_000,
            request_timeout_ms: 30_000,
            keep_alive: true,
            max_body_bytes: 64 * 1024,
            trusted_proxies: Vec::new(),
            admin_token: None,
        }
    }
}

/// Whether a Slack slash command reply is visible to the asker only or to the channel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlashResponse {
    /// Only the asker sees it (with a "Share in channel" button).
    #[default]
    Ephemeral,
    /// Everyone in the channel sees it.
    InChannel,
}

/// `[slack]`
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SlackSettings {
    /// Bot token (`xoxb-…`).
    pub bot_token: Option<SecretString>,
    /// App-level token for Socket Mode (`xapp-…`).
    pub app_token: Option<SecretString>,
    /// Signing secret for the HTTP Events API.
    pub signing_secret: Option<SecretString>,
    /// Web API base URL override (tests, proxies).
    pub api_url: Option<String>,
    /// Default visibility of slash command replies.
    pub slash_response: SlashResponse,
    /// Newsroom channels (ids such as `C0123ABCD`) where top-level questions are answered in a
    /// thread without a mention, when the engine is at least `channel_min_confidence` sure.
    pub channels: Vec<String>,
}

/// `[discord]`
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DiscordSettings {
    /// Bot token.
    pub token: Option<SecretString>,
    /// Application public key (hex) for the HTTP interactions endpoint.
    pub public_key: Option<String>,
    /// Application id.
    pub application_id: Option<u64>,
    /// Register commands to this guild only (instant; for testing).
    pub guild_id: Option<u64>,
    /// Slash replies visible to the asker only.
    pub ephemeral: bool,
    /// `"auto"` (Discord's recommendation) or a number of shards.
    pub shards: ShardCount,
    /// Run only shards `[start, end)` of `shards` in this process (needs a number of shards).
    pub shard_range: Option<[u32; 2]>,
    /// REST API base URL override (tests, proxies).
    pub api_url: Option<String>,
    /// Newsroom channels (ids) where questions are answered without a mention, when the engine
    /// is at least `channel_min_confidence` sure. Needs the privileged MESSAGE_CONTENT intent.
    pub channels: Vec<u64>,
    /// In those channels, answer in a new thread on the question instead of a reply.
    pub channel_threads: bool,
}

/// `discord.shards`: `"auto"` or a count.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum ShardCount {
    /// A number of shards.
    Count(u32),
    /// `"auto"`.
    Word(String),
}

impl Default for ShardCount {
    fn default() -> Self {
        ShardCount::Word("auto".to_owned())
    }
}

/// How to shard the Discord gateway, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shards {
    /// As many as Discord recommends, all in this process.
    Auto,
    /// `total` shards; this process runs `range` (`[start, end)`), or all of them.
    Count {
        /// Total shards across all processes.
        total: u32,
        /// The shards this process runs.
        range: Option<(u32, u32)>,
    },
}

impl DiscordSettings {
    /// The validated shard plan.
    pub fn shard_plan(&self) -> Result<Shards, String> {
        match (&self.shards, self.shard_range) {
            (ShardCount::Word(w), None) if w == "auto" => Ok(Shards::Auto),
            (ShardCount::Word(w), Some(_)) if w == "auto" => {
                Err("discord.shard_range needs discord.shards set to a number".to_owned())
            }
            (ShardCount::Word(w), _) => Err(format!(
                "discord.shards must be \"auto\" or a number, not {w:?}"
            )),
            (ShardCount::Count(0), _) => Err("discord.shards must be at least 1".to_owned()),
            (ShardCount::Count(total), None) => Ok(Shards::Count {
                total: *total,
                range: None,
            }),
            (ShardCount::Count(total), Some([start, end])) if start < end && end <= *total => {
                Ok(Shards::Count {
                    total: *total,
                    range: Some((start, end)),
                })
            }
            (ShardCount::Count(total), Some([start, end])) => Err(format!(
                "discord.shard_range [{start}, {end}] must satisfy start < end <= shards ({total})"
            )),
        }
    }
}

/// `[limits]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Questions one user may ask per minute, across all platforms.
    pub per_user_per_minute: u32,
    /// Questions the whole process answers per second.
    pub global_per_second: u32,
    /// Threads answering questions at once (off the async workers); 0 means one per CPU.
    pub answer_threads: usize,
    /// Questions that may wait for a free answering thread; more are refused as busy.
    pub answer_queue: usize,
    /// Milliseconds a question may wait and run before it is refused as busy.
    pub answer_deadline_ms: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            per_user_per_minute: 10,
            global_per_second: 200,
            answer_threads: 0,
            answer_queue: 64,
            answer_deadline_ms: 2_000,
        }
    }
}

/// Log line format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    /// Human-readable.
    #[default]
    Pretty,
    /// One JSON object per line.
    Json,
}

/// `[log]`
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogSettings {
    /// Line format; the filter comes from `RUST_LOG`.
    pub format: LogFormat,
    /// Log question text at info level.
    pub questions: bool,
}

/// `[store]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StoreSettings {
    /// `sqlite://FILE` (created on first run) or `postgres://user:password@host/db`. A secret:
    /// it may carry a password.
    pub url: SecretString,
    /// Keep the text of questions (and its normalised form) for the report.
    pub questions: bool,
    /// Days answers and feedback are kept; 0 keeps them forever.
    pub retention_days: u32,
    /// Key for the keyed hash of user ids; generated and kept in the store when unset.
    pub user_hash_key: Option<SecretString>,
}

/// The default `store.url`.
pub const DEFAULT_STORE_URL: &str = "sqlite://dealbot.db";

impl Default for StoreSettings {
    fn default() -> Self {
        StoreSettings {
            url: SecretString::from(DEFAULT_STORE_URL),
            questions: true,
            retention_days: 90,
            user_hash_key: None,
        }
    }
}

/// Settings could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The config file named with `--config` does not exist.
    #[error("config file {0} not found")]
    Missing(PathBuf),
    /// A layer has an unknown key or a bad value.
    #[error("{layer}: {message}")]
    Invalid {
        /// Which layer: the file path, or "environment".
        layer: String,
        /// What is wrong (names the key).
        message: String,
    },
}

impl Settings {
    /// Loads defaults, then `file` (or `dealbot.toml` when present), then the environment.
    pub fn load(file: Option<&Path>) -> Result<Settings, SettingsError> {
        Settings::load_from(file, std::env::vars())
    }

    /// As [`Settings::load`], with the environment given (for tests).
    pub fn load_from(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Settings, SettingsError> {
        let path = match file {
            Some(path) if !path.exists() => return Err(SettingsError::Missing(path.to_owned())),
            Some(path) => Some(path.to_owned()),
            None => Some(PathBuf::from(DEFAULT_FILE)).filter(|p| p.exists()),
        };
        let env: config::Map<String, String> = env
            .into_iter()
            .filter(|(k, _)| {
                k.starts_with(&format!("{ENV_PREFIX}_")) && !k.starts_with(TEST_ENV_PREFIX)
            })
            .collect();
        let environment = || {
            LIST_KEYS.iter().fold(
                Environment::with_prefix(ENV_PREFIX)
                    .prefix_separator("_")
                    .separator("__")
                    .try_parsing(true)
                    .list_separator(",")
                    .source(Some(env.clone())),
                |env, key| env.with_list_parse_key(key),
            )
        };
        let file_source = |p: &Path| File::new(&p.to_string_lossy(), FileFormat::Toml);

        // Each layer alone first, so that an error names its layer.
        if let Some(p) = &path {
            check_layer(
                &p.display().to_string(),
                Config::builder().add_source(file_source(p)),
            )?;
        }
        check_layer("environment", Config::builder().add_source(environment()))?;

        let mut builder = Config::builder();
        if let Some(p) = &path {
            builder = builder.add_source(file_source(p));
        }
        builder = builder.add_source(environment());
        let settings: Settings = deserialize("configuration", builder)?;
        if !(0.0..=1.0).contains(&settings.channel_min_confidence) {
            return Err(SettingsError::Invalid {
                layer: "configuration".to_owned(),
                message: format!(
                    "channel_min_confidence must be between 0 and 1, not {}",
                    settings.channel_min_confidence
                ),
            });
        }
        Ok(settings)
    }
}

impl Settings {
    /// A readable one-line summary for the startup log: where it listens, which data, limits,
    /// logging, and which credentials are set (never their values).
    pub fn summary(&self) -> Summary<'_> {
        Summary(self)
    }
}

/// See [`Settings::summary`].
pub struct Summary<'a>(&'a Settings);

impl std::fmt::Display for Summary<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.0;
        let set = |names: &[(&str, bool)]| {
            let on: Vec<&str> = names.iter().filter(|(_, v)| *v).map(|(n, _)| *n).collect();
            if on.is_empty() {
                "off".to_owned()
            } else {
                on.join(" + ")
            }
        };
        let data = s
            .data_dir
            .as_ref()
            .map_or("bundled".to_owned(), |d| d.display().to_string());
        let slack = set(&[
            ("bot token", s.slack.bot_token.is_some()),
            ("app token", s.slack.app_token.is_some()),
            ("signing secret", s.slack.signing_secret.is_some()),
        ]);
        let discord = set(&[
            ("token", s.discord.token.is_some()),
            ("public key", s.discord.public_key.is_some()),
        ]);
        let shards = match (&s.discord.shards, s.discord.shard_range) {
            (ShardCount::Count(n), Some([a, b])) => format!("{a}..{b} of {n}"),
            (ShardCount::Count(n), None) => n.to_string(),
            (ShardCount::Word(w), _) => w.clone(),
        };
        write!(
            f,
            "listen {}, data {data}, slack: {slack}, discord: {discord} (shards {shards}), \
             limits {}/user/min and {}/s, log {}{}",
            s.http.listen,
            s.limits.per_user_per_minute,
            s.limits.global_per_second,
            match s.log.format {
                LogFormat::Pretty => "pretty",
                LogFormat::Json => "json",
            },
            if s.log.questions {
                " with question text"
            } else {
                ""
            },
        )
    }
}

fn check_layer(
    layer: &str,
    builder: config::ConfigBuilder<config::builder::DefaultState>,
) -> Result<(), SettingsError> {
    deserialize(layer, builder).map(|_| ())
}

fn deserialize(
    layer: &str,
    builder: config::ConfigBuilder<config::builder::DefaultState>,
) -> Result<Settings, SettingsError> {
    let invalid = |e: config::ConfigError| SettingsError::Invalid {
        layer: layer.to_owned(),
        message: e.to_string(),
    };
    builder
        .build()
        .map_err(invalid)?
        .try_deserialize::<Settings>()
        .map_err(invalid)
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn file(text: &str) -> tempfile::NamedTempFile {
        let mut f = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
        std::io::Write::write_all(&mut f, text.as_bytes()).unwrap();
        f
    }

    #[test]
    fn defaults_apply_without_file_or_environment() {
        let s = Settings::load_from(None, env(&[])).unwrap();
        assert_eq!(s.http.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(s.limits.per_user_per_minute, 10);
        assert!(s.slack.bot_token.is_none());
    }

    #[test]
    fn environment_overrides_file() {
        let f = file("[http]\nlisten = \"127.0.0.1:9000\"\n[limits]\nper_user_per_minute = 3\n");
        let s = Settings::load_from(
            Some(f.path()),
            env(&[
                ("DEALBOT_LIMITS__PER_USER_PER_MINUTE", "7"),
                ("DEALBOT_SLACK__BOT_TOKEN", "xoxb-123"),
                ("OTHER_VAR", "x"),
            ]),
        )
        .unwrap();
        assert_eq!(s.http.listen.port(), 9000);
        assert_eq!(s.limits.per_user_per_minute, 7);
        assert_eq!(s.slack.bot_token.unwrap().expose_secret(), "xoxb-123");
    }

    #[test]
    fn unknown_key_in_file_names_key_and_file() {
        let f = file("[slack]\nbot_tokn = \"x\"\n");
        let err = Settings::load_from(Some(f.path()), env(&[]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("bot_tokn"), "{err}");
        assert!(err.contains(&f.path().display().to_string()), "{err}");
    }

    #[test]
    fn unknown_key_in_environment_names_key_and_layer() {
        let err = Settings::load_from(None, env(&[("DEALBOT_SLACK__TOKEN", "x")]))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("environment:"), "{err}");
        assert!(err.contains("token"), "{err}");
    }

    #[test]
    fn test_suite_variables_are_not_settings() {
        let s = Settings::load_from(
            None,
            env(&[("DEALBOT_TEST_POSTGRES_URL", "postgres://x@127.0.0.1/db")]),
        );
        assert!(s.is_ok(), "{s:?}");
    }

    #[test]
    fn store_settings_default_to_a_sqlite_file_and_keep_the_url_secret() {
        let s = Settings::load_from(None, env(&[])).unwrap();
        assert_eq!(s.store.url.expose_secret(), DEFAULT_STORE_URL);
        assert_eq!(s.store.retention_days, 90);
        assert!(s.store.questions);
        let s = Settings::load_from(
            None,
            env(&[
                (
                    "DEALBOT_STORE__URL",
                    "postgres://bot:pw-very-secret@db/dealbot",
                ),
                ("DEALBOT_STORE__RETENTION_DAYS", "30"),
                ("DEALBOT_HTTP__ADMIN_TOKEN", "admin-very-secret"),
            ]),
        )
        .unwrap();
        assert_eq!(s.store.retention_days, 30);
        let debug = format!("{s:?}");
        assert!(!debug.contains("very-secret"), "{debug}");
    }

    #[test]
    fn bad_value_is_rejected() {
        let f = file("[http]\nlisten = \"not an address\"\n");
        assert!(Settings::load_from(Some(f.path()), env(&[])).is_err());
        let err = Settings::load_from(None, env(&[("DEALBOT_LOG__FORMAT", "xml")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("environment") && err.contains("xml"), "{err}");
    }

    /// Issue 8: `DEALBOT_DISCORD__SHARD_RANGE` could not be set from the environment.
    #[test]
    fn list_keys_are_comma_separated_in_the_environment() {
        let s = Settings::load_from(
            None,
            env(&[
                ("DEALBOT_DISCORD__SHARDS", "4"),
                ("DEALBOT_DISCORD__SHARD_RANGE", "0,2"),
                (
                    "DEALBOT_SLACK__API_URL",
                    "http://127.0.0.1:1/api,with,commas",
                ),
                ("DEALBOT_SLACK__CHANNELS", "C01,C02"),
                ("DEALBOT_DISCORD__CHANNELS", "123,456"),
            ]),
        )
        .unwrap();
        assert_eq!(s.discord.shard_range, Some([0, 2]));
        assert_eq!(s.slack.channels, ["C01", "C02"]);
        assert_eq!(s.discord.channels, [123, 456]);
        assert_eq!(
            s.discord.shard_plan(),
            Ok(Shards::Count {
                total: 4,
                range: Some((0, 2))
            })
        );
        // Keys that are not lists keep their commas.
        assert_eq!(
            s.slack.api_url.as_deref(),
            Some("http://127.0.0.1:1/api,with,commas")
        );
        let err = Settings::load_from(None, env(&[("DEALBOT_DISCORD__SHARD_RANGE", "0,x")]));
        assert!(err.is_err());
        let err = Settings::load_from(None, env(&[("DEALBOT_CHANNEL_MIN_CONFIDENCE", "2")]));
        assert!(
            err.unwrap_err()
                .to_string()
                .contains("channel_min_confidence must be between 0 and 1")
        );
    }

    /// A sample value for each key, as an environment variable would carry it.
    fn sample(key: &str) -> Option<&'static str> {
        Some(match key {
            "data_dir" => "/srv/dealbot/data",
            "conversation_ttl_secs" => "60",
            "channel_min_confidence" => "0.9",
            "slack.channels" => "C01,C02",
            "discord.channels" => "1,2",
            "discord.channel_threads" => "true",
            "http.listen" => "0.0.0.0:9000",
            "http.shutdown_grace_secs" => "3",
            "slack.bot_token" | "slack.app_token" | "slack.signing_secret" | "discord.token" => {
                "secret"
            }
            "slack.api_url" => "http://127.0.0.1:1/api/",
            "slack.slash_response" => "in_channel",
            "discord.public_key" => "00ff",
            "discord.application_id" => "1",
            "discord.guild_id" => "2",
            "discord.ephemeral" => "true",
            "discord.shards" => "4",
            "discord.shard_range" => "0,2",
            "discord.api_url" => "http://127.0.0.1:1",
            "limits.per_user_per_minute" => "5",
            "limits.global_per_second" => "6",
            "log.format" => "json",
            "log.questions" => "true",
            "http.trusted_proxies" => "10.0.0.0/8,127.0.0.1/32",
            "http.max_connections" => "64",
            "http.header_read_timeout_ms" | "http.body_read_timeout_ms" => "5000",
            "http.request_timeout_ms" => "20000",
            "http.keep_alive" => "false",
            "http.keep_alive_idle_ms" => "1000",
            "http.max_body_bytes" => "32768",
            "limits.answer_threads" => "2",
            "limits.answer_queue" => "8",
            "limits.answer_deadline_ms" => "1500",
            _ => return None,
        })
    }

    /// Issue 8: every key must be settable from the environment, as the docs promise. Each row
    /// of the table in docs/configuration.md names a key and its variable; setting the variable
    /// alone must load and change the settings. And every key of config.example.toml has a row.
    #[test]
    fn every_documented_key_is_settable_from_its_environment_variable() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let docs = std::fs::read_to_string(root.join("docs/configuration.md")).unwrap();
        let default = format!("{:?}", Settings::load_from(None, env(&[])).unwrap());
        let mut rows = 0;
        // The first table (the limits table below it belongs to issue 8 part B: once
        // both are merged, its rows can move up; `sample` has their values already).
        let table = docs.split("\n## ").next().unwrap();
        for line in table.lines().filter(|l| l.starts_with("| `")) {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let key = cells[1].trim_start_matches('`').split('`').next().unwrap();
            let var = cells[2].trim_matches('`');
            if var.is_empty() || !var.starts_with("DEALBOT_") {
                continue;
            }
            assert_eq!(
                var,
                format!("DEALBOT_{}", key.to_uppercase().replace('.', "__")),
                "{key}"
            );
            let value = sample(key).unwrap_or_else(|| panic!("add a sample value for {key}"));
            let loaded = Settings::load_from(None, env(&[(var, value)]))
                .unwrap_or_else(|e| panic!("{var}={value}: {e}"));
            assert_ne!(format!("{loaded:?}"), default, "{var} changed nothing");
            rows += 1;
        }
        assert!(rows >= 20, "{rows} rows");

        let example = std::fs::read_to_string(root.join("config.example.toml")).unwrap();
        let mut section = String::new();
        for line in example.lines() {
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = format!("{name}.");
            } else if let Some((key, _)) = line.strip_prefix("# ").and_then(|l| l.split_once(" = "))
            {
                let full = format!("`{section}{key}`");
                assert!(
                    docs.contains(&full),
                    "{full} is not in docs/configuration.md"
                );
            }
        }
    }

    #[test]
    fn summary_is_one_readable_line_without_secrets() {
        let s = Settings::load_from(
            None,
            env(&[
                ("DEALBOT_SLACK__BOT_TOKEN", "xoxb-very-secret"),
                ("DEALBOT_SLACK__SIGNING_SECRET", "sign-very-secret"),
                ("DEALBOT_DISCORD__SHARDS", "4"),
                ("DEALBOT_DISCORD__SHARD_RANGE", "2,4"),
            ]),
        )
        .unwrap();
        let line = s.summary().to_string();
        assert_eq!(
            line,
            "listen 127.0.0.1:8080, data bundled, slack: bot token + signing secret, \
             discord: off (shards 2..4 of 4), limits 10/user/min and 200/s, log pretty"
        );
    }

    #[test]
    fn trusted_proxies_parse_as_cidr_blocks() {
        let f = file("[http]\ntrusted_proxies = [\"127.0.0.0/8\", \"::1/128\"]\n");
        let s = Settings::load_from(Some(f.path()), env(&[])).unwrap();
        assert_eq!(s.http.trusted_proxies.len(), 2);
        assert!(
            s.http.trusted_proxies[0].contains(&"127.0.0.9".parse::<std::net::IpAddr>().unwrap())
        );
        let f = file("[http]\ntrusted_proxies = [\"not a block\"]\n");
        let err = Settings::load_from(Some(f.path()), env(&[]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("trusted_proxies") || err.contains("invalid"),
            "{err}"
        );
        assert!(
            Settings::load_from(None, env(&[]))
                .unwrap()
                .http
                .trusted_proxies
                .is_empty()
        );
    }

    #[test]
    fn missing_named_file_is_an_error() {
        let err = Settings::load_from(Some(Path::new("/nonexistent/dealbot.toml")), env(&[]));
        assert!(matches!(err, Err(SettingsError::Missing(_))));
    }

    #[test]
    fn secrets_are_redacted_in_debug_output() {
        let s = Settings::load_from(
            None,
            env(&[
                ("DEALBOT_SLACK__BOT_TOKEN", "xoxb-very-secret"),
                ("DEALBOT_SLACK__SIGNING_SECRET", "sign-very-secret"),
                ("DEALBOT_DISCORD__TOKEN", "discord-very-secret"),
            ]),
        )
        .unwrap();
        let debug = format!("{s:?}");
        assert!(!debug.contains("very-secret"), "{debug}");
        assert!(debug.contains("REDACTED"), "{debug}");
    }

    #[test]
    fn example_config_is_valid_and_complete() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        // Every key, uncommented, must load.
        let uncommented: String = text
            .lines()
            .map(|l| {
                l.strip_prefix("# ")
                    .filter(|r| r.contains(" = "))
                    .unwrap_or(l)
            })
            .collect::<Vec<_>>()
            .join("\n");
        let f = file(&uncommented);
        Settings::load_from(Some(f.path()), env(&[])).unwrap();
        for key in [
            "data_dir",
            "listen",
            "bot_token",
            "app_token",
            "signing_secret",
            "api_url",
            "public_key",
            "application_id",
            "guild_id",
            "per_user_per_minute",
            "format",
            "max_connections",
            "header_read_timeout_ms",
            "keep_alive_idle_ms",
            "body_read_timeout_ms",
            "request_timeout_ms",
            "keep_alive",
            "max_body_bytes",
            "trusted_proxies",
            "answer_threads",
            "answer_queue",
            "answer_deadline_ms",
            "admin_token",
            "url",
            "questions",
            "retention_days",
            "user_hash_key",
        ] {
            assert!(text.contains(&format!("{key} =")), "{key} undocumented");
        }
    }
}
