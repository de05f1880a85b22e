//! The HTTP side: `POST /v1/ask`, the web page at `/`, `GET /healthz`, `GET /metrics`.
//!
//! Client errors get a JSON body `{"error": "…"}` and a 4xx status: malformed JSON (400), a
//! missing or non-string `question` (422), a wrong content type (415), a body over 64 KiB (413),
//! too many questions (429). Nothing a client sends reaches a panic.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};

use super::{AppState, Platform};

/// Largest request body accepted.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

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

/// `GET /?q=…`: the question, if any.
#[derive(Debug, serde::Deserialize)]
struct PageQuery {
    #[serde(default)]
    q: Option<String>,
}

/// The web page, rendered on the server: `GET /` shows example questions and the sources,
/// `GET /?q=…` the answer (see [`crate::render::html`]). No script runs on the page.
async fn index(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    query: Result<Query<PageQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let question = query
        .ok()
        .and_then(|Query(q)| q.q)
        .map(|q| q.trim().to_owned())
        .unwrap_or_default();
    let engine = state.engine();
    let html = if question.is_empty() {
        crate::render::html::page(&engine, "", None, None)
    } else {
        match state.ask(Platform::Http, &peer.ip().to_string(), &question) {
            Ok(answer) => crate::render::html::page(&engine, &question, Some(&answer), None),
            Err(limited) => {
                state.metrics.reject("rate_limited");
                crate::render::html::page(&engine, &question, None, Some(limited.message()))
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
    let question = match body {
        Ok(Json(value)) => match value.get("question") {
            Some(serde_json::Value::String(question)) if value.is_object() => question.clone(),
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
    match state.ask(Platform::Http, &peer.ip().to_string(), &question) {
        Ok(answer) => Json(answer).into_response(),
        Err(limited) => {
            state.metrics.reject("rate_limited");
            error(StatusCode::TOO_MANY_REQUESTS, limited.message())
        }
    }
}
