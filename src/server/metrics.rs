//! Prometheus metrics: questions by platform, intent and outcome; answer latency; rejected
//! requests by reason; rate-limited questions. Exposed as text at `GET /metrics`.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
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
}

impl Default for Metrics {
    fn default() -> Self {
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
        Metrics {
            registry,
            questions,
            latency,
            rejected,
            rate_limited,
            adapter_restarts,
            reloads,
        }
    }
}

impl Metrics {
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
