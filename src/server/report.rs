//! `GET /report` (HTML) and `GET /v1/report` (JSON): the store's report (`store::report`) for
//! maintainers, behind `Authorization: Bearer <http.admin_token>`.
//!
//! Without `http.admin_token` the routes answer 404, as if absent. A missing or wrong token gets
//! 401. The token is compared in constant time (over SHA-256 digests, so its length does not
//! leak either). `?since=7d` picks the period (default 7 days).

use std::time::SystemTime;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::app::errors::error;
use crate::store::{Store, report};

/// Period shown when `?since=` is not given.
pub const DEFAULT_SINCE: &str = "7d";

#[derive(Clone)]
struct ReportState {
    store: Store,
    /// SHA-256 of the admin token; `None` turns the routes off.
    token: Option<[u8; 32]>,
}

/// The report routes over `store`, guarded by `admin_token` (off when `None`).
pub fn router(store: Store, admin_token: Option<&SecretString>) -> Router {
    let token = admin_token
        .map(|t| t.expose_secret())
        .filter(|t| !t.is_empty())
        .map(|t| Sha256::digest(t.as_bytes()).into());
    Router::new()
        .route("/report", get(html))
        .route("/v1/report", get(json))
        .with_state(ReportState { store, token })
}

#[derive(Debug, Deserialize)]
struct Params {
    since: Option<String>,
}

enum Format {
    Html,
    Json,
}

async fn html(
    State(state): State<ReportState>,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> Response {
    serve(state, headers, params, Format::Html).await
}

async fn json(
    State(state): State<ReportState>,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> Response {
    serve(state, headers, params, Format::Json).await
}

async fn serve(state: ReportState, headers: HeaderMap, params: Params, format: Format) -> Response {
    let Some(expected) = state.token else {
        return error(StatusCode::NOT_FOUND, "not found");
    };
    if !authorized(&headers, &expected) {
        let mut response = error(
            StatusCode::UNAUTHORIZED,
            "send Authorization: Bearer <http.admin_token>",
        );
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return response;
    }
    let since = params.since.unwrap_or_else(|| DEFAULT_SINCE.to_owned());
    let age = match report::parse_age(&since) {
        Ok(age) => age,
        Err(message) => return error(StatusCode::BAD_REQUEST, message),
    };
    let now = SystemTime::now();
    let from = now.checked_sub(age).unwrap_or(SystemTime::UNIX_EPOCH);
    let report = match report::build(&state.store, from, now).await {
        Ok(report) => report,
        Err(err) => {
            tracing::error!(cause = %err, "report failed");
            return error(
                StatusCode::SERVICE_UNAVAILABLE,
                "the store is unavailable; see the server log",
            );
        }
    };
    let no_store = (header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    match format {
        Format::Json => ([no_store], axum::Json(report)).into_response(),
        Format::Html => (
            [
                no_store,
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                ),
                (
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
                ),
            ],
            report.to_html(),
        )
            .into_response(),
    }
}

/// Whether `Authorization: Bearer <token>` matches, in constant time.
fn authorized(headers: &HeaderMap, expected: &[u8; 32]) -> bool {
    let Some(given) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    else {
        return false;
    };
    let given: [u8; 32] = Sha256::digest(given.trim().as_bytes()).into();
    given.ct_eq(expected).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bearer(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn only_the_exact_bearer_token_is_authorized() {
        let expected: [u8; 32] = Sha256::digest(b"s3cret").into();
        assert!(authorized(&bearer("Bearer s3cret"), &expected));
        assert!(!authorized(&bearer("Bearer s3cre"), &expected));
        assert!(!authorized(&bearer("Bearer s3cretx"), &expected));
        assert!(!authorized(&bearer("Basic s3cret"), &expected));
        assert!(!authorized(&bearer("s3cret"), &expected));
        assert!(!authorized(&HeaderMap::new(), &expected));
    }
}
