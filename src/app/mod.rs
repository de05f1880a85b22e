//! The state every front end shares: the engine handle, the store, rate limits, the answering
//! pool, metrics, conversation contexts and adapter status, and [`AppState::answer`], the one
//! way a question from any platform reaches the engine.
//!
//! `server/` (the HTTP side) and `adapters/` (Slack, Discord) both build on this module and on
//! nothing of each other's: the server starts the adapters through [`crate::adapters`], the
//! adapters see only [`AppState`].
//!
//! What [`AppState::answer`] does for every question: rate limit, the engine on the bounded
//! answering pool ([`pool`]) with the conversation's context, the answer recorded in the store
//! (queued, never waited for), metrics, one log line (the question text only when
//! `log.questions` is on).

pub mod conversations;
pub mod errors;
pub mod limits;
pub mod metrics;
pub mod pool;
pub mod seen;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use crate::engine::{Answer, Context, Engine, LoadError};
use crate::settings::Settings;
use crate::store::{AnswerId, AnswerRecord, FeedbackOutcome, Store, StoreError, Vote};
use limits::{Limited, RateLimits, Refused};
use metrics::{Metrics, PlatformLabels, QuestionLabels, ReasonLabels};
use pool::AnswerPool;

/// How long the answer path waits for the store to read a conversation's context before it
/// falls back to this process's copy: a slow or unreachable store delays an answer by at most
/// this much.
pub const CONTEXT_WAIT: Duration = Duration::from_millis(300);

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

/// Who asked, and where: what the answer record and the conversation need besides the text.
#[derive(Debug, Clone, Copy)]
pub struct Asker<'a> {
    /// The platform.
    pub platform: Platform,
    /// The platform's user id (the client address for HTTP): the rate-limit key; stored only as
    /// a keyed hash.
    pub user: &'a str,
    /// The channel, when there is one.
    pub channel: Option<&'a str>,
    /// The conversation this question continues, as a key the caller scopes (Slack: team,
    /// channel and thread; Discord: channel and root message; a DM: user and channel; HTTP: the
    /// client and its ID). `None`: a question on its own.
    pub conversation: Option<&'a str>,
    /// Nobody addressed the bot (a newsroom channel): the answer is posted only when it is
    /// answered and at least `channel_min_confidence` sure, and only then does the conversation
    /// keep it as context (a silent bot must not be drawn into the thread later).
    pub unprompted: bool,
}

impl<'a> Asker<'a> {
    /// `user` on `platform`, outside any channel or conversation.
    pub fn new(platform: Platform, user: &'a str) -> Asker<'a> {
        Asker {
            platform,
            user,
            channel: None,
            conversation: None,
            unprompted: false,
        }
    }

    /// In `channel`.
    pub fn in_channel(self, channel: Option<&'a str>) -> Asker<'a> {
        Asker { channel, ..self }
    }

    /// Continuing `conversation`.
    pub fn in_conversation(self, conversation: Option<&'a str>) -> Asker<'a> {
        Asker {
            conversation,
            ..self
        }
    }

    /// Asked without addressing the bot (see [`Asker::unprompted`]).
    pub fn unprompted(self, unprompted: bool) -> Asker<'a> {
        Asker { unprompted, ..self }
    }
}

/// An answer and the id it is stored under (feedback buttons carry the id).
#[derive(Debug, Clone)]
pub struct Reply {
    /// The engine's answer.
    pub answer: Answer,
    /// The answer's id in the store.
    pub id: AnswerId,
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
    /// The store: answers, feedback, conversation contexts, de-duplication keys.
    pub store: Store,
    adapters: Mutex<BTreeMap<&'static str, AdapterStatus>>,
    /// This process's copy of conversation contexts: the store's fallback when it is slow or
    /// unreachable.
    pub conversations: conversations::Conversations,
    /// Keys claimed in this process: the fallback of [`AppState::claim`].
    claimed: Mutex<seen::Seen>,
}

impl AppState {
    /// State over an already loaded engine, with the store of `settings.store` reached in the
    /// background (an unreachable store never stops answering). Fails only on a malformed
    /// store URL. Must be called within a tokio runtime.
    pub fn new(settings: Settings, engine: Engine) -> Result<AppState, StoreError> {
        let store = Store::connect_in_background(&settings.store)?;
        let metrics = Metrics::new(|registry| store.metrics().register(registry));
        metrics.prefill(&[]);
        let ttl = Duration::from_secs(settings.conversation_ttl_secs.max(1));
        Ok(AppState {
            engine: RwLock::new(Arc::new(engine)),
            data_dir: settings.data_dir.clone(),
            metrics,
            limits: RateLimits::new(&settings.limits),
            pool: AnswerPool::new(&settings.limits),
            store,
            conversations: conversations::Conversations::new(ttl, conversations::MAX_ENTRIES),
            claimed: Mutex::new(seen::Seen::default()),
            settings,
            adapters: Mutex::new(BTreeMap::new()),
        })
    }

    /// Records where adapter `name` stands (and sets `dealbot_adapter_up{platform=name}`).
    pub fn set_adapter(&self, name: &'static str, status: AdapterStatus) {
        let previous = lock(&self.adapters).insert(name, status);
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
        lock(&self.adapters).clone()
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

    /// Answers `question` again to show it another way (a Sources button): rate limit and the
    /// answering pool as for [`AppState::answer`], outside any conversation, but neither
    /// recorded in the store nor counted as a question (it was when first asked).
    pub async fn ask(
        &self,
        platform: Platform,
        user: &str,
        question: &str,
    ) -> Result<Answer, Refused> {
        let reply = self
            .respond(Asker::new(platform, user), question, Record::No)
            .await?;
        Ok(reply.answer)
    }

    /// Answers `question` from `asker`: rate limit, then the engine on the bounded answering
    /// pool (never waiting longer than `limits.answer_deadline_ms` for it) with the context of
    /// `asker.conversation`, which is then updated; the answer is recorded in the store
    /// (queued: a slow store never delays it), counted and logged. Refused when over a rate
    /// limit or when the pool is busy.
    pub async fn answer(&self, asker: Asker<'_>, question: &str) -> Result<Reply, Refused> {
        self.respond(asker, question, Record::Yes).await
    }

    async fn respond(
        &self,
        asker: Asker<'_>,
        question: &str,
        record: Record,
    ) -> Result<Reply, Refused> {
        let platform = asker.platform;
        let labels = PlatformLabels {
            platform: platform.as_str().to_owned(),
        };
        let key = format!("{}:{}", platform.as_str(), asker.user);
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
        let conversation = asker
            .conversation
            .map(|id| format!("{}:{id}", platform.as_str()));
        let context = match &conversation {
            Some(key) => Some(self.context(key).await),
            None => None,
        };
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
                if let (Some(key), Some(next)) = (&conversation, next)
                    && (!asker.unprompted || self.posts_unprompted(&answer))
                {
                    self.keep_context(key, next).await;
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
        let id = match record {
            Record::Yes => {
                self.count_and_log(platform, &labels, &answer, took, question);
                self.store.record_answer(AnswerRecord::new(
                    platform.as_str(),
                    asker.channel,
                    asker.user,
                    &answer,
                ))
            }
            Record::No => AnswerId::generate(),
        };
        Ok(Reply { answer, id })
    }

    /// Whether `answer` is sure enough to be posted where nobody addressed the bot: answered,
    /// and at least `channel_min_confidence` sure.
    pub fn posts_unprompted(&self, answer: &Answer) -> bool {
        answer.answered && answer.confidence >= self.settings.channel_min_confidence
    }

    fn count_and_log(
        &self,
        platform: Platform,
        labels: &PlatformLabels,
        answer: &Answer,
        took: Duration,
        question: &str,
    ) {
        self.metrics
            .latency
            .get_or_create(labels)
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
    }

    /// Whether conversation `key` (already scoped by platform) has context: the engine's
    /// follow-ups need one. For adapters deciding whether an unaddressed message continues a
    /// conversation (a reply in a thread the bot answered in).
    pub async fn has_conversation(&self, platform: Platform, key: &str) -> bool {
        let key = format!("{}:{key}", platform.as_str());
        !self.context(&key).await.turns.is_empty()
    }

    /// The context of conversation `key`: the store's (shared by replicas), or this process's
    /// copy when the store does not answer within [`CONTEXT_WAIT`].
    async fn context(&self, key: &str) -> Context {
        match tokio::time::timeout(CONTEXT_WAIT, self.store.get_context::<Context>(key)).await {
            Ok(Ok(Some(context))) => context,
            Ok(Ok(None)) => Context::default(),
            // Failures are logged and counted by the store.
            Ok(Err(_)) | Err(_) => self.conversations.get(key),
        }
    }

    /// Keeps `context` for conversation `key`, here and in the store (bounded by
    /// [`CONTEXT_WAIT`]; a failure is logged and counted by the store, and the local copy
    /// serves until it expires).
    async fn keep_context(&self, key: &str, context: Context) {
        let ttl = Duration::from_secs(self.settings.conversation_ttl_secs.max(1));
        let stored = self.store.put_context(key, &context, ttl);
        if tokio::time::timeout(CONTEXT_WAIT, stored).await.is_err() {
            tracing::warn!("store: conversation context not saved in time; kept in this process");
        }
        self.conversations.put(key, context);
    }

    /// Claims `key` (an event or interaction id) for this process: `true` the first time it is
    /// seen by any replica sharing the store. When the store cannot answer, this process's own
    /// record decides (answering twice beats not answering).
    pub async fn claim(&self, key: &str) -> bool {
        let local = lock(&self.claimed).first(key);
        match self.store.claim(key).await {
            Ok(first) => first,
            Err(_) => local,
        }
    }

    /// Records `user`'s vote on answer `id` (once per user per answer).
    pub async fn feedback(
        &self,
        platform: Platform,
        id: &AnswerId,
        user: &str,
        vote: Vote,
    ) -> Result<FeedbackOutcome, StoreError> {
        self.store
            .record_feedback(id, platform.as_str(), user, vote)
            .await
    }
}

/// Whether an answer is a question asked (recorded and counted) or a re-read of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Record {
    Yes,
    No,
}

/// Locks `mutex`, recovering from poisoning (the data behind it stays consistent: every
/// critical section is a single insert or copy).
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match mutex.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}
