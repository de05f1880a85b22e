//! The store: what must outlive a process or be shared by replicas. Answers asked (for the
//! report), feedback votes, conversation contexts and de-duplication keys.
//!
//! One code path for both backends: `store.url` names an embedded SQLite file (the default,
//! `sqlite://dealbot.db`, WAL mode) or a PostgreSQL server (for several replicas), and every query
//! below is plain SQL that both accept (`$1` placeholders, `INSERT … ON CONFLICT`). The schema is
//! in `migrations/sqlite` and `migrations/postgres` (same tables, each backend's types), embedded
//! in the binary and applied when the store is first reached.
//!
//! The store never blocks answering. [`Store::record_answer`] only queues the record for a
//! writer task (a full queue drops and counts it); every other operation has a short timeout.
//! Failures are logged without question text or secrets and counted in [`StoreMetrics`];
//! [`Store::health`] tells `/readyz` whether the store is reachable.
//!
//! User ids are never stored: only an HMAC-SHA256 of `platform:user` under `store.user_hash_key`
//! (or a key generated on first run and kept in the store, so all replicas share it).
//!
//! The report over this data is in [`report`]; the HTTP routes that show it are in
//! `server/report.rs`. See `docs/store.md`.

pub mod report;
pub mod url;

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, Weak};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::future::BoxFuture;
use hmac::{Hmac, Mac};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::registry::Registry;
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use sqlx::ConnectOptions;
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use tokio::sync::{OnceCell, mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use crate::engine::Answer;
use crate::settings::StoreSettings;
pub use url::{Backend, StoreUrl};

/// How long connecting (and applying migrations) may take before the store counts as unreachable.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one claim, feedback or context operation may take.
pub const OP_TIMEOUT: Duration = Duration::from_secs(2);
/// How long the writer may take to write one batch of answers.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a report query may take.
pub const REPORT_TIMEOUT: Duration = Duration::from_secs(30);
/// Answers waiting for the writer; past this, new records are dropped (and counted).
pub const QUEUE_CAPACITY: usize = 4096;
/// Most answers written in one transaction.
pub const MAX_BATCH: usize = 256;
/// Largest conversation context kept, in bytes of JSON.
pub const MAX_CONTEXT_BYTES: usize = 16 * 1024;
/// Longest question text kept, in bytes (longer text is cut at a character boundary).
pub const MAX_QUESTION_BYTES: usize = 2000;
/// De-duplication keys older than this are purged (Slack retries within minutes).
pub const CLAIM_TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// How often the purge task runs.
pub const PURGE_EVERY: Duration = Duration::from_secs(60 * 60);

/// Something the store could not do. Messages never contain a password or question text.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// `store.url` is not a SQLite or PostgreSQL URL, or it does not parse.
    #[error("store.url {url} is not usable: {reason}")]
    BadUrl {
        /// The URL, redacted.
        url: String,
        /// Why.
        reason: String,
    },
    /// The store could not be reached or set up (connection, migrations, key).
    #[error("cannot reach the store at {url}: {reason}")]
    Unreachable {
        /// The URL, redacted.
        url: String,
        /// Why.
        reason: String,
    },
    /// An operation took longer than its timeout.
    #[error("the store at {url} did not answer within {timeout:?} ({op})")]
    Timeout {
        /// The URL, redacted.
        url: String,
        /// Which operation.
        op: &'static str,
        /// The timeout.
        timeout: Duration,
    },
    /// The database refused an operation.
    #[error("store {op} failed at {url}: {reason}")]
    Database {
        /// The URL, redacted.
        url: String,
        /// Which operation.
        op: &'static str,
        /// The driver's message, with any password removed.
        reason: String,
    },
    /// A conversation context is larger than [`MAX_CONTEXT_BYTES`] or does not serialise.
    #[error("conversation context not stored: {0}")]
    Context(String),
    /// The writer task is gone (the store was closed).
    #[error("the store's writer has stopped")]
    Closed,
}

/// An answer's id: 32 hex digits, random. Feedback buttons carry it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct AnswerId(String);

impl AnswerId {
    /// A fresh random id.
    pub fn generate() -> AnswerId {
        AnswerId(random_id())
    }

    /// An id from a button payload; `None` unless it is 32 lower-case hex digits.
    pub fn parse(text: &str) -> Option<AnswerId> {
        (text.len() == 32 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
            .then(|| AnswerId(text.to_owned()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AnswerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One answered (or declined) question, as the store keeps it. The user id is hashed and the
/// question normalised by the writer, off the answer path.
#[derive(Clone)]
pub struct AnswerRecord {
    /// The answer's id (give it to the feedback buttons).
    pub id: AnswerId,
    /// When it was asked.
    pub at: SystemTime,
    /// `slack`, `discord`, `http`, …
    pub platform: String,
    /// Channel id, when there is one.
    pub channel: Option<String>,
    /// The platform's user id; only its keyed hash is stored.
    pub user: String,
    /// The question as asked; stored only when `store.questions` is on.
    pub question: String,
    /// The intent answered, or for a declined question the closest intent when known.
    pub intent: Option<String>,
    /// Whether it was answered.
    pub answered: bool,
    /// The engine's confidence.
    pub confidence: f64,
    /// The yes/no verdict the answer led with, when it had one.
    pub verdict: Option<String>,
}

impl AnswerRecord {
    /// A record of `answer`, asked now by `user` on `platform` in `channel`, with a fresh id.
    pub fn new(platform: &str, channel: Option<&str>, user: &str, answer: &Answer) -> AnswerRecord {
        AnswerRecord {
            id: AnswerId::generate(),
            at: SystemTime::now(),
            platform: platform.to_owned(),
            channel: channel.map(str::to_owned),
            user: user.to_owned(),
            question: answer.question.clone(),
            intent: answer.intent.clone(),
            answered: answer.answered,
            confidence: answer.confidence,
            verdict: answer.verdict.map(|v| v.as_str().to_owned()),
        }
    }
}

impl fmt::Debug for AnswerRecord {
    // No user id and no question text: records may end up in a log line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AnswerRecord")
            .field("id", &self.id)
            .field("platform", &self.platform)
            .field("intent", &self.intent)
            .field("answered", &self.answered)
            .finish_non_exhaustive()
    }
}

/// A feedback vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Vote {
    /// 👍
    Up,
    /// 👎
    Down,
}

impl Vote {
    /// `up` or `down`, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Vote::Up => "up",
            Vote::Down => "down",
        }
    }
}

/// What [`Store::record_feedback`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedbackOutcome {
    /// A first vote, or a changed one: stored.
    Recorded,
    /// The same vote again (a replayed or double click): nothing changed.
    Unchanged,
}

/// Rows deleted by a purge.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    /// Answers.
    pub answers: u64,
    /// Feedback votes.
    pub feedback: u64,
    /// Conversation contexts.
    pub contexts: u64,
    /// De-duplication keys.
    pub claims: u64,
}

/// Labels of `store_errors_total`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OpLabels {
    /// `connect`, `record_answer`, `feedback`, `context`, `claim`, `purge`, `report`, `health`.
    pub op: String,
}

/// The store's counters. Register them with [`StoreMetrics::register`].
#[derive(Debug, Clone, Default)]
pub struct StoreMetrics {
    /// Failed operations, by operation (`store_errors_total`).
    pub errors: Family<OpLabels, Counter>,
    /// Answer records dropped because the writer's queue was full (`store_dropped_total`).
    pub dropped: Counter,
    /// Answer records written (`store_answers_written_total`).
    pub written: Counter,
}

impl StoreMetrics {
    /// Registers the counters as `store_errors`, `store_dropped` and `store_answers_written`
    /// (`_total` is appended; the registry's prefix comes first).
    pub fn register(&self, registry: &mut Registry) {
        // Every operation's series exists from the start: dashboards see zeros, not gaps.
        for op in [
            "connect",
            "record_answer",
            "feedback",
            "context",
            "claim",
            "purge",
            "report",
            "health",
        ] {
            let _ = self.errors.get_or_create(&OpLabels { op: op.to_owned() });
        }
        registry.register(
            "store_errors",
            "Store operations that failed or timed out, by operation",
            self.errors.clone(),
        );
        registry.register(
            "store_dropped",
            "Answer records dropped because the store's write queue was full",
            self.dropped.clone(),
        );
        registry.register(
            "store_answers_written",
            "Answer records written to the store",
            self.written.clone(),
        );
    }

    fn error(&self, op: &str) {
        self.errors
            .get_or_create(&OpLabels { op: op.to_owned() })
            .inc();
    }
}

/// The two backends behind one set of queries. [`with_pool!`] runs the same code on either.
#[derive(Debug, Clone)]
pub(crate) enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the backend's pool: the same SQL, compiled for each.
macro_rules! with_pool {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::store::Db::Sqlite($pool) => $body,
            $crate::store::Db::Postgres($pool) => $body,
        }
    };
}
pub(crate) use with_pool;

/// The user hash key, once known. `Debug` is redacted.
struct HashKey(Vec<u8>);

impl fmt::Debug for HashKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HashKey([REDACTED])")
    }
}

/// What every handle and the writer share.
#[derive(Debug)]
struct Shared {
    db: Db,
    url: StoreUrl,
    questions: bool,
    configured_key: Option<SecretString>,
    /// Set once migrations ran and the hash key is known.
    ready: OnceCell<HashKey>,
    metrics: StoreMetrics,
}

enum Job {
    Answer(Box<AnswerRecord>),
    Flush(oneshot::Sender<()>),
}

/// A handle to the store; cheap to clone. Dropping the last handle stops the writer after it has
/// written what was queued.
#[derive(Clone)]
pub struct Store {
    shared: Arc<Shared>,
    queue: mpsc::Sender<Job>,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("url", &self.shared.url)
            .field("ready", &self.shared.ready.initialized())
            .finish_non_exhaustive()
    }
}

/// Whether opening may create a missing SQLite file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Create {
    Yes,
    No,
}

impl Store {
    /// Connects, applies migrations and loads the user hash key, failing within
    /// [`CONNECT_TIMEOUT`] with a clear error when the store cannot be reached. A missing SQLite
    /// file is created. Must be called within a tokio runtime (the writer is a task).
    pub async fn connect(settings: &StoreSettings) -> Result<Store, StoreError> {
        let store = Store::open(settings, Create::Yes)?;
        store.shared.ready().await?;
        Ok(store)
    }

    /// As [`Store::connect`], but a missing SQLite file is an error rather than created (for
    /// `dealbot report`).
    pub async fn connect_existing(settings: &StoreSettings) -> Result<Store, StoreError> {
        let store = Store::open(settings, Create::No)?;
        store.shared.ready().await?;
        Ok(store)
    }

    /// Returns at once, without waiting for the database, and keeps trying to reach it (and apply
    /// migrations) in the background; until then writes fail fast and are counted, and
    /// [`Store::health`] reports the error. Fails only on a malformed URL. For `dealbot serve`:
    /// an unreachable store must not stop answering. Must be called within a tokio runtime.
    pub fn connect_in_background(settings: &StoreSettings) -> Result<Store, StoreError> {
        let store = Store::open(settings, Create::Yes)?;
        let shared = Arc::downgrade(&store.shared);
        tokio::spawn(keep_connecting(shared));
        Ok(store)
    }

    fn open(settings: &StoreSettings, create: Create) -> Result<Store, StoreError> {
        let url = StoreUrl::new(&settings.url).ok_or_else(|| StoreError::BadUrl {
            url: url::redact(settings.url.expose_secret()),
            reason: "use sqlite://FILE or postgres://USER:PASSWORD@HOST/DATABASE".to_owned(),
        })?;
        let bad = |err: sqlx::Error| StoreError::BadUrl {
            url: url.redacted().to_owned(),
            reason: url.scrub(&err.to_string()),
        };
        let db = match url.backend() {
            Backend::Sqlite => {
                let options = SqliteConnectOptions::from_str(url.expose())
                    .map_err(bad)?
                    .create_if_missing(create == Create::Yes)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(OP_TIMEOUT)
                    .disable_statement_logging();
                Db::Sqlite(
                    SqlitePoolOptions::new()
                        .max_connections(4)
                        .acquire_timeout(CONNECT_TIMEOUT)
                        .connect_lazy_with(options),
                )
            }
            Backend::Postgres => {
                let options = PgConnectOptions::from_str(url.expose())
                    .map_err(bad)?
                    .application_name("dealbot")
                    .disable_statement_logging();
                Db::Postgres(
                    PgPoolOptions::new()
                        .max_connections(8)
                        .acquire_timeout(CONNECT_TIMEOUT)
                        .connect_lazy_with(options),
                )
            }
        };
        let shared = Arc::new(Shared {
            db,
            url,
            questions: settings.questions,
            configured_key: settings.user_hash_key.clone(),
            ready: OnceCell::new(),
            metrics: StoreMetrics::default(),
        });
        let (queue, jobs) = mpsc::channel(QUEUE_CAPACITY);
        tokio::spawn(write_answers(shared.clone(), jobs));
        Ok(Store { shared, queue })
    }

    /// Which database.
    pub fn backend(&self) -> Backend {
        self.shared.url.backend()
    }

    /// The URL with any password replaced by `***`.
    pub fn url(&self) -> &str {
        self.shared.url.redacted()
    }

    /// The store's counters (register them once with [`StoreMetrics::register`]).
    pub fn metrics(&self) -> &StoreMetrics {
        &self.shared.metrics
    }

    /// Queues `record` for the writer and returns its id at once. When the queue is full (the
    /// store is slow or down) the record is dropped, counted in `store_dropped_total` and a
    /// warning logged; answering goes on.
    pub fn record_answer(&self, record: AnswerRecord) -> AnswerId {
        let id = record.id.clone();
        if let Err(err) = self.queue.try_send(Job::Answer(Box::new(record))) {
            self.shared.metrics.dropped.inc();
            let reason = match err {
                mpsc::error::TrySendError::Full(_) => "queue full",
                mpsc::error::TrySendError::Closed(_) => "writer stopped",
            };
            tracing::warn!(answer = %id, reason, "answer record dropped");
        }
        id
    }

    /// Waits until every answer queued before this call has been written (or failed), bounded by
    /// [`WRITE_TIMEOUT`] plus [`CONNECT_TIMEOUT`]. For tests, benches and shutdown.
    pub async fn flush(&self) -> Result<(), StoreError> {
        let (done, wait) = oneshot::channel();
        let limit = WRITE_TIMEOUT + CONNECT_TIMEOUT;
        let timeout = |op| StoreError::Timeout {
            url: self.url().to_owned(),
            op,
            timeout: limit,
        };
        tokio::time::timeout(limit, self.queue.send(Job::Flush(done)))
            .await
            .map_err(|_| timeout("flush"))?
            .map_err(|_| StoreError::Closed)?;
        tokio::time::timeout(limit, wait)
            .await
            .map_err(|_| timeout("flush"))?
            .map_err(|_| StoreError::Closed)
    }

    /// Records `user`'s vote on `answer`, once per user per answer: the same vote again changes
    /// nothing ([`FeedbackOutcome::Unchanged`]), a different one replaces it.
    pub async fn record_feedback(
        &self,
        answer: &AnswerId,
        platform: &str,
        user: &str,
        vote: Vote,
    ) -> Result<FeedbackOutcome, StoreError> {
        let shared = &self.shared;
        shared
            .op("feedback", OP_TIMEOUT, async {
                let key = shared.ready().await?;
                let user_hash = hash_user(key, platform, user);
                let at = unix(SystemTime::now());
                let sql = "INSERT INTO feedback (answer_id, user_hash, vote, at) \
                           VALUES ($1, $2, $3, $4) \
                           ON CONFLICT (answer_id, user_hash) \
                           DO UPDATE SET vote = excluded.vote, at = excluded.at \
                           WHERE feedback.vote <> excluded.vote";
                let rows = with_pool!(&shared.db, pool => sqlx::query(sql)
                    .bind(answer.as_str())
                    .bind(&user_hash)
                    .bind(vote.as_str())
                    .bind(at)
                    .execute(pool)
                    .await
                    .map(|r| r.rows_affected()))
                .map_err(|e| shared.db_error("feedback", e))?;
                Ok(if rows > 0 {
                    FeedbackOutcome::Recorded
                } else {
                    FeedbackOutcome::Unchanged
                })
            })
            .await
    }

    /// Claims `key` (a Slack event id, an interaction id, …) for this process: `true` for the
    /// first caller across all replicas sharing the store, `false` for every later one. Keys
    /// are kept for [`CLAIM_TTL`]. When this fails, the caller decides (answering twice beats not
    /// answering: fall back to a per-process check).
    pub async fn claim(&self, key: &str) -> Result<bool, StoreError> {
        let shared = &self.shared;
        let key = bounded_key(key);
        shared
            .op("claim", OP_TIMEOUT, async {
                shared.ready().await?;
                let at = unix(SystemTime::now());
                let sql =
                    "INSERT INTO claims (key, at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING";
                let rows = with_pool!(&shared.db, pool => sqlx::query(sql)
                    .bind(&key)
                    .bind(at)
                    .execute(pool)
                    .await
                    .map(|r| r.rows_affected()))
                .map_err(|e| shared.db_error("claim", e))?;
                Ok(rows == 1)
            })
            .await
    }

    /// Stores `context` (any serialisable value, kept as JSON) under `key` until `ttl` from now,
    /// replacing what was there. Larger than [`MAX_CONTEXT_BYTES`] is refused.
    pub async fn put_context<T: Serialize + ?Sized>(
        &self,
        key: &str,
        context: &T,
        ttl: Duration,
    ) -> Result<(), StoreError> {
        let data =
            serde_json::to_string(context).map_err(|e| StoreError::Context(e.to_string()))?;
        if data.len() > MAX_CONTEXT_BYTES {
            return Err(StoreError::Context(format!(
                "{} bytes is over the {MAX_CONTEXT_BYTES}-byte limit",
                data.len()
            )));
        }
        let key = bounded_key(key);
        let expires_at = unix(SystemTime::now() + ttl);
        let shared = &self.shared;
        shared
            .op("context", OP_TIMEOUT, async {
                shared.ready().await?;
                let sql = "INSERT INTO contexts (key, data, expires_at) VALUES ($1, $2, $3) \
                           ON CONFLICT (key) DO UPDATE SET data = excluded.data, \
                           expires_at = excluded.expires_at";
                with_pool!(&shared.db, pool => sqlx::query(sql)
                    .bind(&key)
                    .bind(&data)
                    .bind(expires_at)
                    .execute(pool)
                    .await
                    .map(|_| ()))
                .map_err(|e| shared.db_error("context", e))
            })
            .await
    }

    /// The context stored under `key`, unless it expired. A context that no longer deserialises
    /// as `T` (the type changed between versions) counts as absent.
    pub async fn get_context<T: DeserializeOwned>(
        &self,
        key: &str,
    ) -> Result<Option<T>, StoreError> {
        let key = bounded_key(key);
        let now = unix(SystemTime::now());
        let shared = &self.shared;
        let data: Option<String> = shared
            .op("context", OP_TIMEOUT, async {
                shared.ready().await?;
                let sql = "SELECT data FROM contexts WHERE key = $1 AND expires_at > $2";
                with_pool!(&shared.db, pool => sqlx::query_scalar::<_, String>(sql)
                    .bind(&key)
                    .bind(now)
                    .fetch_optional(pool)
                    .await)
                .map_err(|e| shared.db_error("context", e))
            })
            .await?;
        Ok(data.and_then(|data| match serde_json::from_str(&data) {
            Ok(context) => Some(context),
            Err(err) => {
                tracing::warn!(cause = %err, "stored conversation context ignored: it no longer parses");
                None
            }
        }))
    }

    /// Forgets the context under `key`.
    pub async fn delete_context(&self, key: &str) -> Result<(), StoreError> {
        let key = bounded_key(key);
        let shared = &self.shared;
        shared
            .op("context", OP_TIMEOUT, async {
                shared.ready().await?;
                with_pool!(&shared.db, pool => sqlx::query("DELETE FROM contexts WHERE key = $1")
                    .bind(&key)
                    .execute(pool)
                    .await
                    .map(|_| ()))
                .map_err(|e| shared.db_error("context", e))
            })
            .await
    }

    /// Deletes answers, feedback and de-duplication keys from before `cutoff`, and contexts that
    /// expired before it.
    pub async fn purge_older_than(&self, cutoff: SystemTime) -> Result<Purged, StoreError> {
        let cutoff = unix(cutoff);
        let shared = &self.shared;
        shared
            .op("purge", REPORT_TIMEOUT, async {
                shared.ready().await?;
                let mut purged = Purged::default();
                for (table, column, count) in [
                    ("answers", "at", &mut purged.answers),
                    ("feedback", "at", &mut purged.feedback),
                    ("contexts", "expires_at", &mut purged.contexts),
                    ("claims", "at", &mut purged.claims),
                ] {
                    let sql = format!("DELETE FROM {table} WHERE {column} < $1");
                    *count = shared.delete_before(&sql, cutoff).await?;
                }
                Ok(purged)
            })
            .await
    }

    /// One purge pass as the background task runs it: contexts past their expiry and keys older
    /// than [`CLAIM_TTL`], then answers and feedback older than `retention_days` (kept forever
    /// when 0).
    pub async fn purge(&self, retention_days: u32, now: SystemTime) -> Result<Purged, StoreError> {
        let expired = self.purge_expired(now).await?;
        if retention_days == 0 {
            return Ok(expired);
        }
        let days = Duration::from_secs(u64::from(retention_days) * 24 * 60 * 60);
        let old = self
            .purge_older_than(now.checked_sub(days).unwrap_or(UNIX_EPOCH))
            .await?;
        Ok(Purged {
            answers: old.answers,
            feedback: old.feedback,
            contexts: expired.contexts + old.contexts,
            claims: expired.claims + old.claims,
        })
    }

    /// Deletes contexts that expired before `now` and keys claimed more than [`CLAIM_TTL`] ago.
    pub async fn purge_expired(&self, now: SystemTime) -> Result<Purged, StoreError> {
        let claims = unix(now.checked_sub(CLAIM_TTL).unwrap_or(UNIX_EPOCH));
        let now = unix(now);
        let shared = &self.shared;
        shared
            .op("purge", REPORT_TIMEOUT, async {
                shared.ready().await?;
                let mut purged = Purged::default();
                for (sql, cutoff, count) in [
                    (
                        "DELETE FROM contexts WHERE expires_at < $1",
                        now,
                        &mut purged.contexts,
                    ),
                    (
                        "DELETE FROM claims WHERE at < $1",
                        claims,
                        &mut purged.claims,
                    ),
                ] {
                    *count = shared.delete_before(sql, cutoff).await?;
                }
                Ok(purged)
            })
            .await
    }

    /// Whether the store is reachable and set up: for `/readyz`. Bounded by [`OP_TIMEOUT`].
    pub async fn health(&self) -> Result<(), StoreError> {
        let shared = &self.shared;
        shared
            .op("health", OP_TIMEOUT, async {
                shared.ready().await?;
                with_pool!(&shared.db, pool => sqlx::query_scalar::<_, i32>("SELECT 1")
                    .fetch_one(pool)
                    .await
                    .map(|_| ()))
                .map_err(|e| shared.db_error("health", e))
            })
            .await
    }

    /// The keyed hash under which `user` of `platform` is stored.
    pub async fn user_hash(&self, platform: &str, user: &str) -> Result<String, StoreError> {
        let shared = &self.shared;
        shared
            .op("connect", CONNECT_TIMEOUT, async {
                Ok(hash_user(shared.ready().await?, platform, user))
            })
            .await
    }

    /// Writes what is queued (waiting at most [`WRITE_TIMEOUT`]), then closes the connections
    /// (at most [`OP_TIMEOUT`]). For shutdown: bounded even when the store is unreachable.
    pub async fn close(&self) {
        match tokio::time::timeout(WRITE_TIMEOUT, self.flush()).await {
            Ok(Ok(())) => {}
            Ok(Err(err)) => {
                tracing::warn!(cause = %err, "store: queued answers not all written at shutdown");
            }
            Err(_) => tracing::warn!(
                timeout = ?WRITE_TIMEOUT,
                "store: queued answers not all written at shutdown"
            ),
        }
        let closed = with_pool!(&self.shared.db, pool => {
            tokio::time::timeout(OP_TIMEOUT, pool.close()).await
        });
        if closed.is_err() {
            tracing::warn!("store: connections did not close in time");
        }
    }

    /// Connects (once) and runs `query` with the report's timeout; for [`report`].
    pub(crate) async fn read<T>(
        &self,
        query: impl Future<Output = Result<T, sqlx::Error>>,
    ) -> Result<T, StoreError> {
        let shared = &self.shared;
        shared
            .op("report", REPORT_TIMEOUT, async {
                shared.ready().await?;
                query.await.map_err(|e| shared.db_error("report", e))
            })
            .await
    }

    pub(crate) fn db(&self) -> &Db {
        &self.shared.db
    }
}

/// Runs the purge every [`PURGE_EVERY`] (first right away) until `shutdown`; failures are logged
/// and counted, and the next pass tries again. Spawn it once per process: replicas purging the
/// same rows is harmless.
pub async fn purge_loop(store: Store, retention_days: u32, shutdown: CancellationToken) {
    let mut tick = tokio::time::interval(PURGE_EVERY);
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            _ = tick.tick() => {}
        }
        match store.purge(retention_days, SystemTime::now()).await {
            Ok(purged) => tracing::info!(
                answers = purged.answers,
                feedback = purged.feedback,
                contexts = purged.contexts,
                claims = purged.claims,
                "store purged"
            ),
            Err(err) => tracing::warn!(cause = %err, "store purge failed; retrying next hour"),
        }
    }
}

impl Shared {
    /// Migrations applied and the hash key loaded, connecting first if needed.
    async fn ready(&self) -> Result<&HashKey, StoreError> {
        self.ready
            .get_or_try_init(|| async {
                match tokio::time::timeout(CONNECT_TIMEOUT, self.set_up()).await {
                    Ok(result) => result,
                    Err(_) => Err(StoreError::Unreachable {
                        url: self.url.redacted().to_owned(),
                        reason: format!("no answer within {CONNECT_TIMEOUT:?}"),
                    }),
                }
            })
            .await
    }

    async fn set_up(&self) -> Result<HashKey, StoreError> {
        let unreachable = |err: String| StoreError::Unreachable {
            url: self.url.redacted().to_owned(),
            reason: self.url.scrub(&err),
        };
        let migrator = Migrator::new(Embedded(self.url.backend()))
            .await
            .map_err(|e| unreachable(e.to_string()))?;
        with_pool!(&self.db, pool => migrator.run(pool).await)
            .map_err(|e| unreachable(e.to_string()))?;
        if let Some(key) = &self.configured_key {
            return Ok(HashKey(key.expose_secret().as_bytes().to_vec()));
        }
        // The first replica to get here stores its key; everyone reads the winner.
        let fresh = hex::encode(random_bytes::<32>());
        let key = with_pool!(&self.db, pool => async {
            sqlx::query(
                "INSERT INTO meta (name, value) VALUES ('user_hash_key', $1) \
                 ON CONFLICT (name) DO NOTHING",
            )
            .bind(&fresh)
            .execute(pool)
            .await?;
            sqlx::query_scalar::<_, String>("SELECT value FROM meta WHERE name = 'user_hash_key'")
                .fetch_one(pool)
                .await
        }
        .await)
        .map_err(|e| unreachable(e.to_string()))?;
        Ok(HashKey(key.into_bytes()))
    }

    /// Runs `work` within `limit`; a failure is counted under `op` and returned.
    async fn op<T>(
        &self,
        op: &'static str,
        limit: Duration,
        work: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        let result = match tokio::time::timeout(limit, work).await {
            Ok(result) => result,
            Err(_) => Err(StoreError::Timeout {
                url: self.url.redacted().to_owned(),
                op,
                timeout: limit,
            }),
        };
        if let Err(err) = &result {
            self.metrics.error(op);
            tracing::warn!(op, cause = %err, "store operation failed");
        }
        result
    }

    /// Runs `sql`, a `DELETE … WHERE column < $1`, with `cutoff`: the rows deleted.
    async fn delete_before(&self, sql: &str, cutoff: i64) -> Result<u64, StoreError> {
        with_pool!(&self.db, pool => sqlx::query(sql)
            .bind(cutoff)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .map_err(|e| self.db_error("purge", e))
    }

    fn db_error(&self, op: &'static str, err: sqlx::Error) -> StoreError {
        StoreError::Database {
            url: self.url.redacted().to_owned(),
            op,
            reason: self.url.scrub(&err.to_string()),
        }
    }

    /// Writes one batch of answers in one transaction.
    async fn write_batch(&self, batch: &[Box<AnswerRecord>]) -> Result<(), StoreError> {
        let key = self.ready().await?;
        let rows: Vec<Row> = batch
            .iter()
            .map(|r| Row::new(r, key, self.questions))
            .collect();
        let sql = "INSERT INTO answers (id, at, platform, channel, user_hash, question, \
                   normalized, intent, answered, confidence, verdict) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
                   ON CONFLICT (id) DO NOTHING";
        with_pool!(&self.db, pool => async {
            let mut tx = pool.begin().await?;
            for row in &rows {
                sqlx::query(sql)
                    .bind(&row.id)
                    .bind(row.at)
                    .bind(&row.platform)
                    .bind(&row.channel)
                    .bind(&row.user_hash)
                    .bind(&row.question)
                    .bind(&row.normalized)
                    .bind(&row.intent)
                    .bind(row.answered)
                    .bind(row.confidence)
                    .bind(&row.verdict)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await
        }
        .await)
        .map_err(|e| self.db_error("record_answer", e))
    }
}

/// An answer record as stored.
struct Row {
    id: String,
    at: i64,
    platform: String,
    channel: Option<String>,
    user_hash: String,
    question: Option<String>,
    normalized: Option<String>,
    intent: Option<String>,
    answered: bool,
    confidence: f64,
    verdict: Option<String>,
}

impl Row {
    fn new(record: &AnswerRecord, key: &HashKey, questions: bool) -> Row {
        let question = crate::engine::normalize::truncate_to(&record.question, MAX_QUESTION_BYTES);
        Row {
            id: record.id.as_str().to_owned(),
            at: unix(record.at),
            platform: record.platform.clone(),
            channel: record.channel.clone(),
            user_hash: hash_user(key, &record.platform, &record.user),
            normalized: questions.then(|| normalize_question(question)),
            question: questions.then(|| question.to_owned()),
            intent: record.intent.clone(),
            answered: record.answered,
            confidence: if record.confidence.is_finite() {
                record.confidence
            } else {
                0.0
            },
            verdict: record.verdict.clone(),
        }
    }
}

/// The writer task: takes what is queued (up to [`MAX_BATCH`] at a time), writes it in one
/// transaction, answers flushes. Ends when every [`Store`] handle is gone.
async fn write_answers(shared: Arc<Shared>, mut jobs: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    let mut flushes = Vec::new();
    while let Some(job) = jobs.recv().await {
        let mut next = Some(job);
        while let Some(job) = next.take() {
            match job {
                Job::Answer(record) => batch.push(record),
                Job::Flush(done) => flushes.push(done),
            }
            if batch.len() < MAX_BATCH {
                next = jobs.try_recv().ok();
            }
        }
        if !batch.is_empty() {
            let written = shared
                .op("record_answer", WRITE_TIMEOUT, shared.write_batch(&batch))
                .await;
            match written {
                Ok(()) => {
                    shared.metrics.written.inc_by(batch.len() as u64);
                }
                Err(_) => {
                    // Counted once per failed batch by `op`; say how many records went.
                    tracing::warn!(records = batch.len(), "answer records not written");
                }
            }
            batch.clear();
        }
        for done in flushes.drain(..) {
            let _ = done.send(());
        }
    }
}

/// Tries to reach the store until it is set up, backing off up to a minute; stops when the
/// store is dropped.
async fn keep_connecting(shared: Weak<Shared>) {
    let mut wait = Duration::from_secs(1);
    loop {
        let Some(store) = shared.upgrade() else {
            return;
        };
        match store.ready().await {
            Ok(_) => {
                tracing::info!(url = %store.url, "store ready");
                return;
            }
            Err(err) => {
                store.metrics.error("connect");
                tracing::warn!(cause = %err, retry_in = ?wait, "store unreachable; answering goes on");
            }
        }
        drop(store);
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(Duration::from_secs(60));
    }
}

/// The migrations for `backend`, embedded in the binary.
#[derive(Debug)]
struct Embedded(Backend);

/// `(version, description, sql)` per backend; keep the two lists in step.
const SQLITE_MIGRATIONS: &[(i64, &str, &str)] = &[(
    1,
    "init",
    include_str!("../../migrations/sqlite/0001_init.sql"),
)];
const POSTGRES_MIGRATIONS: &[(i64, &str, &str)] = &[(
    1,
    "init",
    include_str!("../../migrations/postgres/0001_init.sql"),
)];

impl MigrationSource<'static> for Embedded {
    fn resolve(self) -> BoxFuture<'static, Result<Vec<Migration>, sqlx::error::BoxDynError>> {
        let list = match self.0 {
            Backend::Sqlite => SQLITE_MIGRATIONS,
            Backend::Postgres => POSTGRES_MIGRATIONS,
        };
        let migrations = list
            .iter()
            .map(|(version, description, sql)| {
                Migration::new(
                    *version,
                    Cow::Borrowed(*description),
                    MigrationType::Simple,
                    Cow::Borrowed(*sql),
                    false,
                )
            })
            .collect();
        Box::pin(async move { Ok(migrations) })
    }
}

/// HMAC-SHA256 of `platform:user` under `key`, as hex.
fn hash_user(key: &HashKey, platform: &str, user: &str) -> String {
    // HMAC takes keys of any length: `new_from_slice` cannot fail here.
    match Hmac::<Sha256>::new_from_slice(&key.0) {
        Ok(mut mac) => {
            mac.update(platform.as_bytes());
            mac.update(b":");
            mac.update(user.as_bytes());
            hex::encode(mac.finalize().into_bytes())
        }
        Err(_) => hex::encode(Sha256::digest(user.as_bytes())),
    }
}

/// Keys up to 200 bytes are kept as they are; longer ones as their SHA-256.
fn bounded_key(key: &str) -> String {
    if key.len() <= 200 {
        key.to_owned()
    } else {
        format!("sha256:{}", hex::encode(Sha256::digest(key.as_bytes())))
    }
}

/// The grouping key of a question for the report: folded to lower case, punctuation dropped,
/// words joined by single spaces (`"What's the AGI clause?"` → `"what the agi clause"`).
pub fn normalize_question(question: &str) -> String {
    let folded = crate::engine::normalize::fold(question);
    crate::engine::normalize::words(&folded).join(" ")
}

/// Seconds since the Unix epoch (negative before it).
pub fn unix(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// A fresh random id: 32 hex digits (128 bits).
pub fn random_id() -> String {
    hex::encode(random_bytes::<16>())
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    if let Err(err) = getrandom::fill(&mut bytes) {
        // No OS randomness is a broken machine; ids would still need to be unique, so fall back
        // to hashing the time and a counter rather than failing the answer.
        tracing::error!(cause = %err, "no OS randomness; using a time-based fallback");
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let seed = format!(
            "{:?}{}",
            SystemTime::now(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let digest = Sha256::digest(seed.as_bytes());
        for (b, d) in bytes.iter_mut().zip(digest.iter().cycle()) {
            *b = *d;
        }
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answer_ids_are_32_hex_digits_and_parse_back() {
        let id = AnswerId::generate();
        assert_eq!(id.as_str().len(), 32);
        assert_eq!(AnswerId::parse(id.as_str()), Some(id.clone()));
        assert_ne!(AnswerId::generate(), id);
        assert_eq!(AnswerId::parse("not-an-id"), None);
        assert_eq!(AnswerId::parse(&"A".repeat(32)), None);
    }

    #[test]
    fn user_hash_depends_on_key_platform_and_user() {
        let a = HashKey(b"key-a".to_vec());
        let b = HashKey(b"key-b".to_vec());
        let h = hash_user(&a, "slack", "U1");
        assert_eq!(h.len(), 64);
        assert_eq!(h, hash_user(&a, "slack", "U1"));
        assert_ne!(h, hash_user(&b, "slack", "U1"));
        assert_ne!(h, hash_user(&a, "discord", "U1"));
        assert!(!h.contains("U1"));
        assert_eq!(format!("{a:?}"), "HashKey([REDACTED])");
    }

    #[test]
    fn questions_normalise_to_a_grouping_key() {
        assert_eq!(
            normalize_question("What's the  AGI clause?"),
            normalize_question("what's the agi clause")
        );
        assert!(!normalize_question("Hello, World!").contains(','));
    }

    #[test]
    fn long_keys_and_questions_are_bounded() {
        assert_eq!(bounded_key("Ev123"), "Ev123");
        assert!(bounded_key(&"x".repeat(1000)).len() < 100);
        let long = "é".repeat(MAX_QUESTION_BYTES);
        assert!(
            crate::engine::normalize::truncate_to(&long, MAX_QUESTION_BYTES).len()
                <= MAX_QUESTION_BYTES
        );
    }

    #[test]
    fn records_print_without_user_or_question() {
        let record = AnswerRecord {
            id: AnswerId::generate(),
            at: SystemTime::now(),
            platform: "slack".into(),
            channel: Some("C1".into()),
            user: "U-secret-user".into(),
            question: "secret question text".into(),
            intent: None,
            answered: false,
            confidence: 0.1,
            verdict: None,
        };
        let debug = format!("{record:?}");
        assert!(!debug.contains("U-secret-user") && !debug.contains("secret question"));
    }
}
