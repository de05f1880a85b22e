//! The HTTP side: `POST /v1/ask`, the web page at `/`, `GET /healthz`, `GET /metrics`.
//!
//! `POST /v1/ask` takes `{"question": "…", "conversation": "ID"}` (`conversation` optional: answers
//! sharing it read follow-ups in context, see [`super::conversations`]).
//!
//! Client errors get a JSON body `{"error": "…"}` and a 4xx status: malformed JSON (400), a
//! missing or non-string `question` or a bad `conversation` (422), a wrong content type (415), a body over 64 KiB (413),
//! too many questions (429). Nothing a client sends reaches a panic.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};

use super::{AppState, Platform};

/// Largest request body accepted.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

const INDEX_HTML: &str = include_str!("web/index.html");

/// The routes, with their state.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/v1/ask", post(ask))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

/// A JSON error response.
pub fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(serde_json::json!({ "error": message.into() }))).into_response()
}

async fn index() -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'",
                ),
            ),
        ],
        Html(INDEX_HTML),
    )
        .into_response()
}

async fn healthz() -> &'static str {
    "ok\n"
}

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
                        if id.len() <= super::conversations::MAX_ID_BYTES =>
                    {
                        conversation = Some(id.clone());
                    }
                    Some(_) => {
                        state.metrics.reject("bad_question");
                        return error(
                            StatusCode::UNPROCESSABLE_ENTITY,
                            format!(
                                "`conversation` must be a string of at most {} bytes",
                                super::conversations::MAX_ID_BYTES
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
                        format!("the body is larger than {MAX_BODY_BYTES} bytes"),
                    )
                }
                _ => ("bad_body", rejection.body_text()),
            };
            state.metrics.reject(reason);
            return error(rejection.status(), message);
        }
    };
    match state.ask_in(
        Platform::Http,
        &peer.ip().to_string(),
        &question,
        conversation.as_deref(),
    ) {
        Ok(answer) => Json(answer).into_response(),
        Err(limited) => {
            state.metrics.reject("rate_limited");
            error(StatusCode::TOO_MANY_REQUESTS, limited.message())
        }
    }
}
