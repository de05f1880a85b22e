//! Prometheus metrics: questions by platform, intent and outcome; answer latency; rejected
//! requests by reason; rate-limited questions; questions refused as busy; adapter state.
//! Exposed as text at `GET /metrics`. Every family is registered, and its usual label sets set
//! to zero, at start ([`Metrics::prefill`]), so dashboards see zeros, not gaps.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// Labels of `dealbot_questions_total`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct QuestionLabels {
    /// `http`, `slack`, `discord`.
    pub platform: String,
    /// Intent id, or `none`.
    pub intent: String,
    /// `true` or `false`.
    pub answered: String,
}

/// Labels with a platform only.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PlatformLabels {
    /// `http`, `slack`, `discord`.
    pub platform: String,
}

/// Labels of `dealbot_rejected_requests_total`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReasonLabels {
    /// Why: `bad_json`, `too_large`, `bad_signature`, …
    pub reason: String,
}

/// Labels of `dealbot_adapter_restarts_total`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct AdapterLabels {
    /// `slack`, `discord`.
    pub adapter: String,
}

/// The process's metrics.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    /// Questions answered or declined.
    pub questions: Family<QuestionLabels, Counter>,
    /// Seconds the engine took per question.
    pub latency: Family<PlatformLabels, Histogram>,
    /// Requests refused before reaching the engine.
    pub rejected: Family<ReasonLabels, Counter>,
    /// Questions refused by the rate limiter.
    pub rate_limited: Family<PlatformLabels, Counter>,
    /// Adapter restarts after a failure.
    pub adapter_restarts: Family<AdapterLabels, Counter>,
    /// Data reloads, by outcome.
    pub reloads: Family<ReasonLabels, Counter>,
    /// Questions refused because every answering thread was busy or the deadline passed.
    pub busy: Family<PlatformLabels, Counter>,
    /// 1 while an adapter is connected, 0 while it is starting, reconnecting or down.
    pub adapter_up: Family<PlatformLabels, Gauge>,
}

/// Platforms questions come from.
const PLATFORMS: [&str; 3] = ["http", "slack", "discord"];
/// Reasons of `dealbot_rejected_requests_total` shown as zero from the start.
const REASONS: [&str; 9] = [
    "bad_json",
    "bad_question",
    "content_type",
    "too_large",
    "rate_limited",
    "busy",
    "not_found",
    "method_not_allowed",
    "timeout",
];

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new(|_| {})
    }
}

impl Metrics {
    /// The process's metrics; `more` registers families kept elsewhere (the store's) in the
    /// same registry, so `/metrics` shows them all.
    pub fn new(more: impl FnOnce(&mut Registry)) -> Metrics {
        let mut registry = Registry::with_prefix("dealbot");
        let questions = Family::<QuestionLabels, Counter>::default();
        let latency = Family::<PlatformLabels, Histogram>::new_with_constructor(|| {
            // 1 µs … ~0.5 s
            Histogram::new(prometheus_client::metrics::histogram::exponential_buckets(
                1e-6, 4.0, 10,
            ))
        });
        let rejected = Family::<ReasonLabels, Counter>::default();
        let rate_limited = Family::<PlatformLabels, Counter>::default();
        let adapter_restarts = Family::<AdapterLabels, Counter>::default();
        let reloads = Family::<ReasonLabels, Counter>::default();
        let busy = Family::<PlatformLabels, Counter>::default();
        let adapter_up = Family::<PlatformLabels, Gauge>::default();
        registry.register(
            "questions",
            "Questions by platform, intent and outcome",
            questions.clone(),
        );
        registry.register(
            "answer_latency_seconds",
            "Time the engine took to answer",
            latency.clone(),
        );
        registry.register(
            "rejected_requests",
            "Requests refused, by reason",
            rejected.clone(),
        );
        registry.register(
            "rate_limited",
            "Questions refused by the rate limiter",
            rate_limited.clone(),
        );
        registry.register(
            "adapter_restarts",
            "Adapter restarts after a failure",
            adapter_restarts.clone(),
        );
        registry.register(
            "data_reloads",
            "Data reloads, by outcome (reason = ok or rejected)",
            reloads.clone(),
        );
        registry.register(
            "busy",
            "Questions refused because every answering thread was busy or the deadline passed",
            busy.clone(),
        );
        registry.register(
            "adapter_up",
            "1 while a chat adapter is connected, 0 while starting, reconnecting or down",
            adapter_up.clone(),
        );
        more(&mut registry);
        Metrics {
            registry,
            questions,
            latency,
            rejected,
            rate_limited,
            adapter_restarts,
            reloads,
            busy,
            adapter_up,
        }
    }

    /// Sets every platform's and `adapters`' series to zero, so they exist from the start.
    pub fn prefill(&self, adapters: &[&str]) {
        for platform in PLATFORMS {
            let labels = PlatformLabels {
                platform: platform.to_owned(),
            };
            let _ = self.latency.get_or_create(&labels);
            let _ = self.rate_limited.get_or_create(&labels);
            let _ = self.busy.get_or_create(&labels);
            // Declined questions: a real label set, so the family shows before any question.
            let _ = self.questions.get_or_create(&QuestionLabels {
                platform: platform.to_owned(),
                intent: "none".to_owned(),
                answered: "false".to_owned(),
            });
        }
        for reason in REASONS {
            let _ = self.rejected.get_or_create(&ReasonLabels {
                reason: reason.to_owned(),
            });
        }
        for reason in ["ok", "rejected"] {
            let _ = self.reloads.get_or_create(&ReasonLabels {
                reason: reason.to_owned(),
            });
        }
        for adapter in adapters {
            let _ = self.adapter_restarts.get_or_create(&AdapterLabels {
                adapter: (*adapter).to_owned(),
            });
            let _ = self.adapter_up.get_or_create(&PlatformLabels {
                platform: (*adapter).to_owned(),
            });
        }
    }

    /// Counts a refused request.
    pub fn reject(&self, reason: &str) {
        self.rejected
            .get_or_create(&ReasonLabels {
                reason: reason.to_owned(),
            })
            .inc();
    }

    /// The Prometheus text exposition.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        if let Err(err) = prometheus_client::encoding::text::encode(&mut out, &self.registry) {
            tracing::error!(cause = %err, "cannot encode metrics");
        }
        out
    }
}
