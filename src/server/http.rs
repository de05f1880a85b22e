//! The HTTP side: `POST /v1/ask`, the web page at `/`, `GET /healthz` (liveness),
//! `GET /readyz` (readiness: every configured adapter up), `GET /metrics`.
//!
//! `POST /v1/ask` takes `{"question": "…", "conversation": "ID"}` (`conversation` optional: answers
//! sharing it read follow-ups in context, see [`crate::app::conversations`]).
//!
//! Every error, on every route (the platform webhooks too), gets the same JSON body
//! `{"error": "…"}`: malformed JSON (400), a missing or non-string `question` or a bad
//! `conversation` (422), a wrong content type (415), a body over `http.max_body_bytes` (413,
//! checked before any signature), a body or request too slow (408), no such route (404), wrong
//! method (405), too many questions (429, with `Retry-After`), the answering pool busy (503, with
//! `Retry-After`). Nothing a client sends reaches a panic.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};

use crate::app::errors::{body_timed_out, error};
use crate::app::limits::{Limited, Refused};
use crate::app::{AdapterStatus, AppState, Asker, Platform};

/// Largest request body accepted by default (`http.max_body_bytes`).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The routes, with their state.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/v1/ask", post(ask))
        .with_state(state)
}

/// Wraps every route (the merged webhooks too) in the limits of `[http]`: the body limit (before
/// any handler, so before signatures are checked), the body-read and whole-request timeouts, and
/// JSON bodies for every error response.
pub fn harden(router: Router, state: Arc<AppState>) -> Router {
    let http = &state.settings.http;
    let max_body = http.max_body_bytes.max(1);
    let body_timeout = Duration::from_millis(http.body_read_timeout_ms.max(1));
    let request_timeout = Duration::from_millis(http.request_timeout_ms.max(1));
    router
        .layer(DefaultBodyLimit::max(max_body))
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            body_timeout,
        ))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(max_body))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            request_timeout,
        ))
        .layer(axum::middleware::map_response_with_state(
            state,
            json_errors,
        ))
}

/// The response for a refused question: 429 (rate limits) or 503 (busy), with `Retry-After`.
pub fn refused(refused: &Refused) -> Response {
    let status = match refused.reason {
        Limited::Busy => StatusCode::SERVICE_UNAVAILABLE,
        Limited::User | Limited::Global => StatusCode::TOO_MANY_REQUESTS,
    };
    let mut response = error(status, refused.message());
    response.headers_mut().insert(
        header::RETRY_AFTER,
        HeaderValue::from(refused.retry_after_secs),
    );
    response
}

/// Turns every error response that is not JSON yet (axum's 404 and 405, the body limit's 413,
/// the timeouts' 408, an extractor's plain-text rejection) into the one JSON error shape,
/// keeping its status and headers such as `Allow` and `Retry-After`.
async fn json_errors(State(state): State<Arc<AppState>>, response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || is_json(response.headers()) {
        return response;
    }
    let (reason, message) = match status {
        StatusCode::NOT_FOUND => ("not_found", "no such route".to_owned()),
        StatusCode::METHOD_NOT_ALLOWED => (
            "method_not_allowed",
            "this route does not accept that method".to_owned(),
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (
            "too_large",
            format!(
                "the body is larger than {} bytes",
                state.settings.http.max_body_bytes
            ),
        ),
        StatusCode::REQUEST_TIMEOUT => (
            "timeout",
            "the request took too long to arrive or to answer".to_owned(),
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ("content_type", "unsupported content type".to_owned())
        }
        other => (
            "other",
            other
                .canonical_reason()
                .unwrap_or("request failed")
                .to_lowercase(),
        ),
    };
    state.metrics.reject(reason);
    let (parts, _) = response.into_parts();
    let mut json = error(status, message);
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            json.headers_mut().insert(name.clone(), value.clone());
        }
    }
    json
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

/// `GET /?q=…`: the question, if any.
#[derive(Debug, serde::Deserialize)]
struct PageQuery {
    #[serde(default)]
    q: Option<String>,
    /// The browser tab's conversation id.
    c: Option<String>,
}

/// A tab's conversation id as the page makes them: 1 to 64 ASCII letters and digits.
fn is_tab_id(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// The web page, rendered on the server: `GET /` shows example questions and the sources,
/// `GET /?q=…` the answer (see [`crate::render::html`]). No script runs on the page.
async fn index(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    query: Result<Query<PageQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let (question, tab) = match query {
        Ok(Query(query)) => (query.q.unwrap_or_default(), query.c),
        Err(_) => (String::new(), None),
    };
    let question = question.trim();
    // The tab's conversation: kept while the tab follows its own form and links; a new tab (or
    // a malformed id) starts a new one.
    let tab = tab
        .filter(|tab| is_tab_id(tab))
        .unwrap_or_else(crate::store::random_id);
    let engine = state.engine();
    let html = if question.is_empty() {
        crate::render::html::page(&engine, "", None, None, &tab)
    } else {
        let client = super::forwarded::client(peer, &headers, &state.settings.http.trusted_proxies);
        // Scoped by the client: a shared link does not continue someone else's conversation.
        let conversation = format!("{client}:page:{tab}");
        let asker = Asker::new(Platform::Http, &client).in_conversation(Some(&conversation));
        match state.answer(asker, question).await {
            Ok(reply) => {
                crate::render::html::page(&engine, question, Some(&reply.answer), None, &tab)
            }
            Err(refusal) => {
                state.metrics.reject(match refusal.reason {
                    Limited::Busy => "busy",
                    Limited::User | Limited::Global => "rate_limited",
                });
                let notice = refusal.message();
                crate::render::html::page(&engine, question, None, Some(notice), &tab)
            }
        }
    };
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
                ),
            ),
        ],
        Html(html),
    )
        .into_response()
}

async fn healthz() -> &'static str {
    "ok\n"
}

/// 200 when every configured chat adapter is up (or none is configured); 503 while any is
/// starting, reconnecting or down. The body names each adapter's state and the store's.
///
/// An unreachable store is reported (`"store": "down"`, `"degraded": true`) but does not make
/// the process unready: answers go out without it, and taking every replica out of a load
/// balancer because their shared database is down would stop all answers.
async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    let adapters = state.adapters();
    let ready = adapters.values().all(|s| *s == AdapterStatus::Up);
    let store = match tokio::time::timeout(READYZ_STORE_WAIT, state.store.health()).await {
        Ok(Ok(())) => "up",
        Ok(Err(_)) | Err(_) => "down",
    };
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = serde_json::json!({
        "ready": ready,
        "degraded": store != "up",
        "adapters": adapters,
        "store": store,
        "store_backend": state.store.backend().as_str(),
    });
    (status, Json(body)).into_response()
}

/// Longest `/readyz` waits for the store's health check.
const READYZ_STORE_WAIT: Duration = Duration::from_secs(1);

async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
        )],
        state.metrics.encode(),
    )
        .into_response()
}

async fn ask(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Json<serde_json::Value>, JsonRejection>,
) -> Response {
    let mut conversation: Option<String> = None;
    let question = match body {
        Ok(Json(value)) => match value.get("question") {
            Some(serde_json::Value::String(question)) if value.is_object() => {
                // Optional: answers sharing a conversation ID read follow-ups in context.
                match value.get("conversation") {
                    None | Some(serde_json::Value::Null) => {}
                    Some(serde_json::Value::String(id))
                        if id.len() <= crate::app::conversations::MAX_ID_BYTES =>
                    {
                        conversation = Some(id.clone());
                    }
                    Some(_) => {
                        state.metrics.reject("bad_question");
                        return error(
                            StatusCode::UNPROCESSABLE_ENTITY,
                            format!(
                                "`conversation` must be a string of at most {} bytes",
                                crate::app::conversations::MAX_ID_BYTES
                            ),
                        );
                    }
                }
                question.clone()
            }
            _ => {
                state.metrics.reject("bad_question");
                return error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "expected a JSON object {\"question\": \"…\"} with a string question",
                );
            }
        },
        Err(rejection) => {
            let (reason, message) = match &rejection {
                JsonRejection::MissingJsonContentType(_) => (
                    "content_type",
                    "send the question as JSON with Content-Type: application/json".to_owned(),
                ),
                JsonRejection::JsonSyntaxError(_) => {
                    ("bad_json", "the body is not valid JSON".to_owned())
                }
                JsonRejection::JsonDataError(err) => (
                    "bad_question",
                    format!(
                        "expected {{\"question\": \"…\"}} with a string question: {}",
                        err.body_text()
                    ),
                ),
                JsonRejection::BytesRejection(_)
                    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE =>
                {
                    (
                        "too_large",
                        format!(
                            "the body is larger than {} bytes",
                            state.settings.http.max_body_bytes
                        ),
                    )
                }
                JsonRejection::BytesRejection(_) if body_timed_out(&rejection) => {
                    state.metrics.reject("timeout");
                    return error(
                        StatusCode::REQUEST_TIMEOUT,
                        "the body took too long to arrive",
                    );
                }
                _ => ("bad_body", rejection.body_text()),
            };
            state.metrics.reject(reason);
            return error(rejection.status(), message);
        }
    };
    let client = super::forwarded::client(peer, &headers, &state.settings.http.trusted_proxies);
    // The client's conversation IDs are its own: scoped by its address.
    let conversation = conversation.map(|id| format!("{client}:{id}"));
    let asker = Asker::new(Platform::Http, &client).in_conversation(conversation.as_deref());
    match state.answer(asker, &question).await {
        Ok(reply) => Json(reply.answer).into_response(),
        Err(refusal) => {
            state.metrics.reject(match refusal.reason {
                Limited::Busy => "busy",
                Limited::User | Limited::Global => "rate_limited",
            });
            refused(&refusal)
        }
    }
}
